// SPDX-License-Identifier: GPL-2.0
/* The runner: suite -> sweep points -> setup, warm-up, repetitions, teardown. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/run/runner.h"
#include "mem/mem.h"

static void describe(const struct rb_point *pt, char *buf, size_t n);

static int split(const char *vals, char out[][96], unsigned max)
{
	char buf[RB_SUITE_MAX_SWEEP], *save = NULL;
	unsigned n = 0;

	rb_strlcpy(buf, vals, sizeof(buf));
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (n == max)
			return -E2BIG;
		rb_strlcpy(out[n++], t, 96);
	}
	return (int)n;
}

static int add_point(struct rb_plan *plan, const struct rb_suite_entry *e, enum rb_kind kind,
		     const struct rb_params *p, const struct rb_env *env, char *err, size_t n)
{
	struct rb_plan_point *np = realloc(plan->p, (plan->n + 1) * sizeof(*np)), *pp;
	uint64_t v;

	if (!np)
		return -ENOMEM;
	plan->p = np;
	pp = &np[plan->n];
	memset(pp, 0, sizeof(*pp));
	pp->pt.c = e->c;
	pp->pt.kind = kind;
	pp->pt.env = env;
	pp->repeat = 5;
	pp->warmup = 1;
	/* case defaults first, then the suite's values */
	for (const struct rb_param_def *d = e->c->params; d && d->key; d++)
		rb_params_set(&pp->pt.params, d->key, d->def);
	for (unsigned i = 0; i < p->n; i++) {
		if (!strcmp(p->kv[i].key, "repeat") || !strcmp(p->kv[i].key, "warmup")) {
			if (rb_parse_size(p->kv[i].val, &v) || v > RB_MAX_REPEAT ||
			    (!strcmp(p->kv[i].key, "repeat") && !v)) {
				snprintf(err, n, "suite line %u: %s=%s is not a count: give a decimal "
					 "number from %s to %u", e->line, p->kv[i].key, p->kv[i].val,
					 strcmp(p->kv[i].key, "repeat") ? "0" : "1", RB_MAX_REPEAT);
				return -EINVAL;
			}
			*(!strcmp(p->kv[i].key, "repeat") ? &pp->repeat : &pp->warmup) = (unsigned)v;
			continue;
		}
		rb_params_set(&pp->pt.params, p->kv[i].key, p->kv[i].val);
	}
	/* sizes: the mapping granularity must divide them */
	const char *size = rb_param_str(&pp->pt.params, "size");
	if (size && kind != RB_KIND_NONE) {
		if (rb_parse_size(size, &v)) {
			snprintf(err, n, "%s/%s: size=%s is not a size (e.g. 64M, 1G): sizes are decimal "
				 "with a unit K, M or G, no leading zero, no hex", e->c->name,
				 rb_kind_name(kind), size);
			return -EINVAL;
		}
		if (rb_mem_validate(kind, env, (size_t)v, err, n) == RB_ERR)
			return -EINVAL;
	}
	plan->n++;
	return 0;
}

/* Cartesian product of the sweep values, last key fastest. */
static int expand(struct rb_plan *plan, const struct rb_suite_entry *e, enum rb_kind kind,
		  unsigned key, struct rb_params *p, const struct rb_env *env, char *err, size_t n)
{
	char vals[32][96];
	int nv;

	if (key == e->n_keys)
		return add_point(plan, e, kind, p, env, err, n);
	nv = split(e->sweep[key].vals, vals, 32);
	if (nv <= 0) {
		snprintf(err, n, "suite line %u: %s: empty or too many values", e->line, e->sweep[key].key);
		return -EINVAL;
	}
	for (int i = 0; i < nv; i++) {
		struct rb_params q = *p;
		int r;

		rb_params_set(&q, e->sweep[key].key, vals[i]);
		if ((r = expand(plan, e, kind, key + 1, &q, env, err, n)))
			return r;
	}
	return 0;
}

int rb_plan_build(const struct rb_suite *s, const struct rb_env *env, struct rb_plan *plan,
		  char *err, size_t n)
{
	memset(plan, 0, sizeof(*plan));
	for (unsigned i = 0; i < s->n; i++)
		for (unsigned k = 0; k < s->e[i].n_kinds; k++) {
			struct rb_params p = { .n = 0 };
			int r = expand(plan, &s->e[i], s->e[i].kinds[k], 0, &p, env, err, n);
			if (r) {
				rb_plan_free(plan);
				return r;
			}
		}
	if (!plan->n) {
		snprintf(err, n, "the selection has 0 points: nothing would be measured");
		return -EINVAL;
	}
	return 0;
}

int rb_plan_preflight(struct rb_plan *plan, char *err, size_t n)
{
	for (unsigned i = 0; i < plan->n; i++) {
		struct rb_point *pt = &plan->p[i].pt;
		char what[512];
		int r = RB_OK;

		if (!pt->c->preflight)
			continue;
		pt->why[0] = '\0';
		if (pt->c->probe)
			r = pt->c->probe(pt->env, pt->why, sizeof(pt->why));
		if (r == RB_OK && pt->c->setup)
			r = pt->c->setup(pt);
		if (pt->c->teardown)
			pt->c->teardown(pt);
		pt->priv = NULL;
		if (r == RB_ERR) {
			describe(pt, what, sizeof(what));
			snprintf(err, n, "%s: %s", what, pt->why[0] ? pt->why : "setup failed");
			return -EINVAL;
		}
	}
	return 0;
}

const char *rb_plan_boot_args(const struct rb_plan *plan, char *buf, size_t n)
{
	size_t need[RB_KIND__COUNT] = { 0 };

	for (unsigned i = 0; i < plan->n; i++) {
		const struct rb_point *pt = &plan->p[i].pt;
		uint64_t size;

		/* one point runs at a time: the largest one sets the need */
		if (pt->kind != RB_KIND_NONE && !rb_param_u64(&pt->params, "size", &size) &&
		    size > need[pt->kind])
			need[pt->kind] = (size_t)size;
	}
	return rb_mem_boot_args(need, buf, n);
}

void rb_plan_free(struct rb_plan *plan)
{
	for (unsigned i = 0; i < plan->n; i++) {
		json_object_put(plan->p[i].reuse);
		json_object_put(plan->p[i].from);
	}
	free(plan->p);
	memset(plan, 0, sizeof(*plan));
}

struct json_object *rb_plan_point_json(const struct rb_plan *plan, unsigned i)
{
	const struct rb_plan_point *pp = &plan->p[i];
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "index", json_object_new_int((int)i));
	json_object_object_add(o, "case", json_object_new_string(pp->pt.c->name));
	json_object_object_add(o, "kind", json_object_new_string(rb_kind_name(pp->pt.kind)));
	json_object_object_add(o, "params", rb_params_json(&pp->pt.params));
	json_object_object_add(o, "repeat", json_object_new_int((int)pp->repeat));
	json_object_object_add(o, "warmup", json_object_new_int((int)pp->warmup));
	return o;
}

static void describe(const struct rb_point *pt, char *buf, size_t n)
{
	size_t len = (size_t)snprintf(buf, n, "%s %s", pt->c->name, rb_kind_name(pt->kind));

	for (unsigned i = 0; i < pt->params.n && len < n; i++)
		len += (size_t)snprintf(buf + len, n - len, " %s=%s", pt->params.kv[i].key,
					pt->params.kv[i].val);
}

static const char *status_type(int s)
{
	switch (s) {
	case RB_SKIP: return "skipped";
	case RB_REJECT: return "rejected";
	case RB_UNSUPPORTED: return "unsupported";
	default: return "error";
	}
}

static void progress(const struct rb_runner_opts *o, unsigned done, unsigned total,
		     uint64_t t_start, const char *what, const char *state)
{
	double el = (double)(rb_now_ns() - t_start) / 1e9;
	double eta = done ? el / done * (total - done) : 0;

	if (!o->progress)
		return;
	fprintf(stderr, "[%u/%u] %-60.60s %s  elapsed %d:%02d  ETA %d:%02d\n", done, total, what,
		state, (int)el / 60, (int)el % 60, (int)eta / 60, (int)eta % 60);
}

/*
 * An interrupt or a preemption inside a window shorter than
 * RB_IRQ_RETRY_NS is bad luck, not part of the path (a timer tick at
 * HZ=250 comes every 4 ms, so a 2 ms window misses it at least every other
 * time): the iteration is measured again, up to RB_IRQ_RETRIES times (all
 * seven hit: < 1%). A longer window takes ticks by design; a preemption in
 * it (a kthread the tick woke ran inside: +11000 instructions in a
 * gup-fast window) is measured again only up to RB_LONG_RETRIES times,
 * since some windows are never without one. Every sample says how many
 * interrupts and preemptions its window took.
 */
#define RB_IRQ_RETRY_NS 2000000u
#define RB_IRQ_RETRIES 6u
#define RB_LONG_RETRIES 2u

static bool retry_wanted(const struct rb_iter *it, unsigned tries)
{
	for (unsigned i = 0; i < it->n_metrics; i++) {
		const struct rb_metric *m = &it->metrics[i];

		if (!m->has_window)
			continue;
		if (m->window_ns < RB_IRQ_RETRY_NS && (m->irqs || m->csws) && tries < RB_IRQ_RETRIES)
			return true;
		if (m->csws && tries < RB_LONG_RETRIES)
			return true;
	}
	return false;
}

/* One iteration, measured again while an interrupt spoilt a short window. */
static int run_iteration(struct rb_point *pt, struct rb_iter *it, struct rb_counters *ctr,
			 bool warmup, unsigned index)
{
	int r;

	for (unsigned tries = 0;; tries++) {
		memset(it, 0, sizeof(*it));
		it->pt = pt;
		it->ctr = ctr;
		it->warmup = warmup;
		it->index = index;
		it->retries = tries;
		r = pt->c->iterate(it);
		/* RB_ERR is a failure of the harness or its setup (an mmap
		 * refused for want of memory, a file that cannot be opened),
		 * never a rejection: a case may have recorded its reason
		 * through rb_reject(), the status is still an error */
		if (r == RB_ERR && it->status == RB_REJECT)
			it->status = RB_ERR;
		if (it->status == RB_OK && r != RB_OK) {
			/* a bare error return: keep a reason */
			it->status = r;
			if (!it->reason[0])
				snprintf(it->reason, sizeof(it->reason), "case returned %d", r);
		}
		/* a value that cannot be is no measurement: rejected, with why */
		for (unsigned i = 0; it->status == RB_OK && i < it->n_metrics; i++) {
			char why[160];

			if (!rb_value_possible(it->metrics[i].unit, it->metrics[i].value, why, sizeof(why)))
				rb_reject(it, "metric %s: %s", it->metrics[i].name, why);
		}
		if (it->status != RB_OK || pt->c->multi_thread || !retry_wanted(it, tries))
			return it->status;
	}
}

static volatile sig_atomic_t stop_signal;

/* only async-signal-safe calls in the handler: write(2) and _exit(2) */
static void say(const char *s)
{
	ssize_t w = write(2, s, strlen(s));

	(void)w;
}

static void on_signal(int sig)
{
	const char *name = sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "SIGHUP";

	if (stop_signal) {
		say("refbench: second signal (");
		say(name);
		say("): exiting at once\n");
		_exit(128 + sig);
	}
	stop_signal = sig;
	say("refbench: ");
	say(name);
	say(": closing the run as interrupted after this iteration (a second signal exits at once)\n");
}

void rb_runner_catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* *cut: a signal stopped it before its last iteration */
static int run_point(struct rb_plan_point *pp, struct rb_run *run, struct rb_counters *ctr,
		     char *state, size_t sn, bool *cut)
{
	struct rb_point *pt = &pp->pt;
	unsigned kept = 0, rejected = 0;
	int r;

	pt->why[0] = '\0';
	if (pt->c->probe && (r = pt->c->probe(pt->env, pt->why, sizeof(pt->why))) != RB_OK)
		goto point_status;
	r = pt->c->setup ? pt->c->setup(pt) : RB_OK;
	if (r != RB_OK) {
		if (pt->c->teardown)	/* setup may have half-built its state */
			pt->c->teardown(pt);
		goto point_status;
	}
	for (unsigned i = 0; i < pp->warmup + pp->repeat; i++) {
		struct rb_iter *it = calloc(1, sizeof(*it));

		if (!it) {
			r = RB_ERR;
			break;
		}
		r = run_iteration(pt, it, ctr, i < pp->warmup, i < pp->warmup ? i : i - pp->warmup);
		if (!it->warmup || r == RB_ERR || r == RB_SKIP || r == RB_UNSUPPORTED) {
			rb_records_from_iter(run, it, ctr);
			kept += r == RB_OK;
			rejected += r == RB_REJECT;
		}
		free(it);
		if (r == RB_ERR || r == RB_SKIP || r == RB_UNSUPPORTED)
			break;
		if (stop_signal && i + 1 < pp->warmup + pp->repeat) {
			*cut = true;
			break;
		}
	}
	if (pt->c->teardown)
		pt->c->teardown(pt);
	if (r == RB_ERR)
		snprintf(state, sn, "ERROR");
	else if (r == RB_SKIP || r == RB_UNSUPPORTED)
		snprintf(state, sn, "%s", status_type(r));
	else
		snprintf(state, sn, "%u ok%s", kept, rejected ? ", REJECTED some" : "");
	if (rejected && !kept)
		snprintf(state, sn, "rejected: %.100s", run ? "see samples.jsonl" : "");
	return r == RB_ERR ? RB_ERR : RB_OK;

point_status:
	rb_run_add(run, rb_record_point(pt, status_type(r), pt->why[0] ? pt->why : "no reason given"));
	snprintf(state, sn, "%s: %.160s", status_type(r), pt->why);
	return r == RB_ERR ? RB_ERR : RB_OK;
}

/* A resumed point: the earlier run's records, as they were. */
static void reuse_point(struct rb_plan_point *pp, struct rb_run *run, char *state, size_t sn)
{
	size_t nrec = json_object_array_length(pp->reuse);

	for (size_t i = 0; i < nrec; i++)
		rb_run_add(run, json_object_get(json_object_array_get_idx(pp->reuse, i)));
	snprintf(state, sn, "reused (%zu records)", nrec);
}

void rb_runner_run(struct rb_plan *plan, struct rb_run *run, struct rb_counters *ctr,
		   const struct rb_runner_opts *o, struct rb_runner_result *res)
{
	uint64_t t0 = rb_now_ns();

	memset(res, 0, sizeof(*res));
	for (unsigned i = 0; i < plan->n; i++) {
		struct rb_plan_point *pp = &plan->p[i];
		struct json_object *point;
		char what[512], state[256];
		bool cut = false;

		describe(&pp->pt, what, sizeof(what));
		if (stop_signal) {
			snprintf(res->why, sizeof(res->why), "before point %u of %u (%s); the %u points "
				 "before it are kept", i + 1, plan->n, what, i);
			break;
		}
		uint64_t t_point = rb_now_ns();

		if (pp->reuse) {
			reuse_point(pp, run, state, sizeof(state));
			res->points_reused++;
		} else {
			if (run_point(pp, run, ctr, state, sizeof(state), &cut) != RB_OK)
				res->point_errors = true;
			res->points_run++;
		}
		if (cut) {
			/* the point was cut short: none of it is kept */
			rb_run_drop_point(run);
			snprintf(res->why, sizeof(res->why), "during point %u of %u (%s); the %u points "
				 "before it are kept", i + 1, plan->n, what, i);
			break;
		}
		point = rb_plan_point_json(plan, i);
		if (pp->from)
			json_object_object_add(point, "from", json_object_get(pp->from));
		else	/* what the lab's ETA expects of this point next time (refbench expect) */
			json_object_object_add(point, "elapsed_ns",
					       json_object_new_int64((int64_t)(rb_now_ns() - t_point)));
		if ((res->write_err = rb_run_commit_point(run, point, res->why, sizeof(res->why))))
			break;
		progress(o, i + 1, plan->n, t0, what, state);
	}
	res->signal = stop_signal;
}
