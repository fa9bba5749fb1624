// SPDX-License-Identifier: GPL-2.0
/*
 * A prepared fio job, as the fio cases use it: the template filled and
 * checked by fio's own parser, run with tracepoints counted on fio's
 * process tree, and its result turned into checks.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/fio/fio.h"
#include "lib/digest.h"
#include "lib/exec.h"
#include "lib/refbench.h"

bool rb_fio_check_counted(struct rb_iter *it, const char *what, const char *method, bool ok,
			  uint64_t expected, uint64_t observed, const char *fmt, ...)
{
	char detail[256];
	struct rb_check *c;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	rb_check(it, what, method, ok, "%s", detail);
	c = &it->checks[it->n_checks - 1];	/* the one just recorded */
	c->has_counts = true;
	c->expected = expected;
	c->observed = observed;
	return ok;
}

/* ---- prepared jobs ---------------------------------------------------- */

int rb_fio_job_prepare(struct rb_point *pt, struct rb_fio_job *job, const char *tmpl,
		       const struct rb_fio_var *vars, unsigned nvars, const char *const *required)
{
	char *const argv[] = { "fio", "--parse-only", "-", NULL };
	char err[512], msg[200], *t = NULL;
	struct rb_exec_opts o = { .stdin_text = NULL, .timeout_s = 60 };
	struct rb_exec ex;
	int r;

	r = rb_fio_template_load(tmpl, &t, job->template_path, sizeof(job->template_path),
				 err, sizeof(err));
	if (r)
		return rb_point_fail(pt, RB_ERR, "%s", err);
	rb_sha256_buf(t, strlen(t), job->template_sha256);
	r = rb_fio_render(t, vars, nvars, required, &job->text, err, sizeof(err));
	free(t);
	if (r)
		return rb_point_fail(pt, RB_ERR, "%s: %s", job->template_path, err);
	rb_sha256_buf(job->text, strlen(job->text), job->sha256);
	/* the job file as run, in meta.json: a number can be reproduced */
	rb_prov_note(pt->env, "fio_jobs", job->sha256, "case", pt->c->name);
	rb_prov_note(pt->env, "fio_jobs", job->sha256, "template", job->template_path);
	rb_prov_note(pt->env, "fio_jobs", job->sha256, "template_sha256", job->template_sha256);
	rb_prov_note(pt->env, "fio_jobs", job->sha256, "text", job->text);
	rb_prov_note(pt->env, "tools", "fio", "version", rb_fio_version());
	/* fio's own parser, before anything runs: a bad option is an error
	 * here, with no sample written */
	o.stdin_text = job->text;
	if (rb_exec(argv, &o, &ex, err, sizeof(err)))
		return rb_point_fail(pt, RB_ERR, "fio --parse-only: %s", err);
	if (ex.timed_out || rb_exec_code(&ex)) {
		rb_fio_first_line(ex.errtext && *ex.errtext ? ex.errtext : ex.out, msg, sizeof(msg));
		rb_exec_free(&ex);
		return rb_point_fail(pt, RB_ERR, "job template %s is malformed, fio says: %s",
				     job->template_path, msg);
	}
	rb_exec_free(&ex);
	return RB_OK;
}

void rb_fio_job_free(struct rb_fio_job *job)
{
	free(job->text);
	job->text = NULL;
}

void rb_fio_job_count(struct rb_fio_job *job, const char *event)
{
	if (job->ntps < sizeof(job->tps) / sizeof(job->tps[0]))
		job->tps[job->ntps++] = (struct rb_fio_tp){ .event = event, .tp = { .fd = -1 } };
}

int rb_fio_job_count_dax(struct rb_point *pt, struct rb_fio_job *job, const char *claim)
{
	char why[256];

	if (!rb_tp_available(RB_TP_DAX_PMD, why, sizeof(why)) ||
	    !rb_tp_available(RB_TP_DAX_PTE, why, sizeof(why)))
		return rb_point_fail(pt, RB_SKIP, "cannot prove %s: %s", claim, why);
	rb_fio_job_count(job, RB_TP_DAX_PMD);
	rb_fio_job_count(job, RB_TP_DAX_PTE);
	return RB_OK;
}

bool rb_fio_check_dax_faults(struct rb_iter *it, const struct rb_fio_job *job, bool pmd,
			     uint64_t min_faults, const char *note)
{
	const char *method = "fs_dax tracepoints on fio's threads";
	const struct rb_fio_tp *tp[2] = { NULL, NULL };

	for (unsigned i = 0; i < job->ntps; i++) {
		if (!strcmp(job->tps[i].event, RB_TP_DAX_PMD))
			tp[0] = &job->tps[i];
		else if (!strcmp(job->tps[i].event, RB_TP_DAX_PTE))
			tp[1] = &job->tps[i];
	}
	for (unsigned i = 0; i < 2; i++)
		if (!tp[i] || !tp[i]->ok)
			return rb_check(it, "page-size", method, false, "could not count %s on fio: "
					"%s (perf_event_open needs root or perf_event_paranoid <= 1)",
					i ? RB_TP_DAX_PTE : RB_TP_DAX_PMD,
					tp[i] ? strerror(-tp[i]->err) : "not requested");
	if (pmd)
		return rb_fio_check_counted(it, "page-size", method,
					    tp[0]->count >= min_faults && !tp[1]->count, min_faults,
					    tp[0]->count, "%llu dax_pmd_fault_done (want >= %llu), "
					    "%llu dax_pte_fault_done (want 0)%s%s",
					    (unsigned long long)tp[0]->count,
					    (unsigned long long)min_faults,
					    (unsigned long long)tp[1]->count, note ? "; " : "",
					    note ? note : "");
	return rb_fio_check_counted(it, "page-size", method, tp[1]->count >= min_faults,
				    min_faults, tp[1]->count, "%llu dax_pte_fault_done (want >= %llu)"
				    "%s%s", (unsigned long long)tp[1]->count,
				    (unsigned long long)min_faults, note ? "; " : "", note ? note : "");
}

/* An iteration that could not run at all: an error record, the point stops. */
static int iter_error(struct rb_iter *it, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int iter_error(struct rb_iter *it, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(it->reason, sizeof(it->reason), fmt, ap);
	va_end(ap);
	it->status = RB_ERR;
	return RB_ERR;
}

/* Before fio execs: its tracepoints, counted on all it starts. */
static void count_on(pid_t child, void *arg)
{
	struct rb_fio_job *job = arg;
	char why[8];

	for (unsigned i = 0; i < job->ntps; i++) {
		struct rb_fio_tp *t = &job->tps[i];

		t->ok = false;
		t->count = 0;
		/* a failed one just reads as !ok */
		t->err = rb_tp_open(&t->tp, t->event, child, true, why, sizeof(why));
	}
}

static void count_read(struct rb_fio_job *job)
{
	for (unsigned i = 0; i < job->ntps; i++) {
		struct rb_fio_tp *t = &job->tps[i];

		if (t->tp.fd >= 0) {
			t->ok = !rb_tp_read(&t->tp, &t->count);
			t->err = t->ok ? 0 : -EIO;
		}
		rb_tp_close(&t->tp);
	}
}

int rb_fio_job_run(struct rb_iter *it, struct rb_fio_job *job, struct rb_fio_result *r)
{
	char *const argv[] = { "fio", "--output-format=json", "--eta=never", "-", NULL };
	struct rb_exec_opts o = { .stdin_text = job->text, .timeout_s = job->timeout_s,
				  .started = count_on, .arg = job };
	char err[512], msg[200];
	struct rb_exec ex;
	int code, e;

	memset(r, 0, sizeof(*r));
	e = rb_exec(argv, &o, &ex, err, sizeof(err));
	count_read(job);
	if (e)
		return iter_error(it, "running fio: %s", err);
	if (ex.timed_out) {
		rb_exec_free(&ex);
		return iter_error(it, "fio did not finish within %u s and was killed (job %s)",
				  job->timeout_s, job->template_path);
	}
	code = rb_exec_code(&ex);
	if (code) {
		rb_fio_first_line(ex.errtext && *ex.errtext ? ex.errtext : ex.out, msg, sizeof(msg));
		rb_exec_free(&ex);
		return iter_error(it, "fio exited with %d: %s", code, msg);
	}
	if (rb_fio_parse(ex.out, r, err, sizeof(err))) {
		rb_exec_free(&ex);
		return iter_error(it, "%s", err);
	}
	if (r->error) {
		rb_fio_first_line(ex.errtext, msg, sizeof(msg));
		rb_exec_free(&ex);
		iter_error(it, "fio job %s failed: %s (%s)", r->error_job, strerror(r->error), msg);
		rb_fio_result_free(r);
		return RB_ERR;
	}
	rb_exec_free(&ex);
	{
		const char *base = strrchr(job->template_path, '/');

		rb_check(it, "fio", "fio --output-format=json", rb_fio_ios(r) > 0,
			 "%s; template %s sha256 %s; job sha256 %s; exit 0; %llu I/Os; wall %.2f s",
			 r->version[0] ? r->version : rb_fio_version(), base ? base + 1 : job->template_path,
			 job->template_sha256, job->sha256, (unsigned long long)rb_fio_ios(r),
			 (double)ex.wall_ns / 1e9);
	}
	rb_check(it, "counters", "none: fio is another process", true,
		 "refbench's perf group counts its own thread and cannot see fio's; the "
		 "values are fio's own clock (clocksource=clock_gettime)");
	return RB_OK;
}

void rb_fio_head_release(struct rb_fio_head *h)
{
	rb_fio_job_free(&h->job);
	rb_mem_teardown(&h->mem);
}

void rb_fio_case_teardown(struct rb_point *pt)
{
	struct rb_fio_head *h = pt->priv;

	if (!h)
		return;
	rb_fio_head_release(h);
	free(h);
	pt->priv = NULL;
}
