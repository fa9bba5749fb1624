// SPDX-License-Identifier: GPL-2.0
/* report.json: every number of a comparison, versioned. */
#include <math.h>
#include <string.h>

#include "app/compare/compare.h"
#include "lib/refbench.h"
#include "mem/mem.h"

static struct json_object *arm_json(struct rb_loaded_run *r, unsigned n)
{
	struct json_object *o = json_object_new_object(), *runs = json_object_new_array();
	char buf[2048];

	for (unsigned i = 0; i < n; i++)
		json_object_array_add(runs, json_object_new_string(r[i].dir));
	json_object_object_add(o, "runs", runs);
	rb_report_kernel_text(r[0].meta, buf, sizeof(buf));
	json_object_object_add(o, "kernel", json_object_new_string(buf));
	json_object_object_add(o, "kernel_meta", json_object_get(json_object_object_get(r[0].meta, "kernel")));
	return o;
}

static struct json_object *num_json(double v)
{
	return isnan(v) ? NULL : json_object_new_double(v);
}

static struct json_object *ci_json(struct rb_ci ci)
{
	struct json_object *a;

	if (isnan(ci.lo) || isnan(ci.hi))
		return NULL;
	a = json_object_new_array();
	json_object_array_add(a, json_object_new_double(ci.lo));
	json_object_array_add(a, json_object_new_double(ci.hi));
	return a;
}

static struct json_object *tally_json(const struct rb_tally *t)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "n", json_object_new_int((int)t->n));
	json_object_object_add(o, "slower", json_object_new_int((int)t->slower));
	json_object_object_add(o, "slower_within_margin", json_object_new_int((int)t->slower_in));
	json_object_object_add(o, "faster", json_object_new_int((int)t->faster));
	json_object_object_add(o, "faster_within_margin", json_object_new_int((int)t->faster_in));
	json_object_object_add(o, "equivalent", json_object_new_int((int)t->equivalent));
	json_object_object_add(o, "inconclusive", json_object_new_int((int)t->inconclusive));
	return o;
}

static struct json_object *metric_id_json(const struct rb_samples *s)
{
	struct json_object *m = json_object_new_object();

	json_object_object_add(m, "point", json_object_new_string(s->label));
	rb_metric_id_write(&s->id, m);
	return m;
}

static struct json_object *count_json(const struct rb_attr_count *c, bool name)
{
	struct json_object *o = json_object_new_object();

	if (name)
		json_object_object_add(o, "name", json_object_new_string(c->name));
	json_object_object_add(o, "a", json_object_new_double(c->a));
	json_object_object_add(o, "b", json_object_new_double(c->b));
	json_object_object_add(o, "delta", json_object_new_double(c->delta));
	json_object_object_add(o, "spread", num_json(c->spread));
	return o;
}

/* Per metric: where its change went, per op, in the metric's unit. */
static struct json_object *attribution_json(const struct rb_attr_metric *m, const struct rb_code_diff *code)
{
	struct json_object *o, *syms, *cans;

	if (!m || !m->has)
		return NULL;
	o = json_object_new_object();
	syms = json_object_new_array();
	cans = json_object_new_object();
	json_object_object_add(o, "window_of", m->window_of ? json_object_new_string(m->window_of) : NULL);
	for (size_t k = 0; k < m->nsym; k++) {
		struct json_object *c = count_json(&m->sym[k], true);

		/* --code-diff: in the patch's code, in what it calls, or neither */
		if (code)
			json_object_object_add(c, "code", json_object_new_string(
				rb_code_kind_name(rb_code_diff_kind(code, m->sym[k].name))));
		json_object_array_add(syms, c);
	}
	json_object_object_add(o, "symbols", syms);
	for (size_t k = 0; k < m->ncan; k++)
		json_object_object_add(cans, m->can[k].name, count_json(&m->can[k], false));
	json_object_object_add(o, "canaries", cans);
	json_object_object_add(o, "restarts", count_json(&m->restarts, false));
	json_object_object_add(o, "sum_delta", json_object_new_double(m->sum_delta));
	json_object_object_add(o, "unattributed", json_object_new_double(m->unattributed));
	return o;
}

/* Top level: whose counts were used, and why not the others'. */
static struct json_object *attribution_runs_json(const struct rb_attr *at, const struct rb_code_diff *code)
{
	struct json_object *o, *runs;

	if (!at)
		return NULL;
	o = json_object_new_object();
	runs = json_object_new_array();
	json_object_object_add(o, "runs_a", json_object_new_int((int)at->runs[0]));
	json_object_object_add(o, "runs_b", json_object_new_int((int)at->runs[1]));
	json_object_object_add(o, "note", json_object_new_string(
		"inlined code counts toward the function it was inlined into"));
	json_object_object_add(o, "source", json_object_new_string(
		"QEMU plugin insn_attr: each window's instructions per kernel symbol "
		"(attribution.jsonl beside each run); a symbol's a and b are pooled medians of "
		"count / ops, as the metric's are"));
	json_object_object_add(o, "check", json_object_new_string(
		"every windowed sample: |(insns - restarts) - value x ops| <= max(0.1% of value x ops, 200)"));
	json_object_object_add(o, "checked_samples", json_object_new_uint64(at->checked));
	json_object_object_add(o, "max_difference", json_object_new_double(at->worst));
	if (code) {
		struct json_object *c = json_object_new_object();

		json_object_object_add(c, "file", json_object_new_string(code->path));
		json_object_object_add(c, "changed", json_object_new_uint64(code->changed));
		json_object_object_add(c, "added", json_object_new_uint64(code->added));
		json_object_object_add(c, "callees", json_object_new_uint64(code->callees));
		json_object_object_add(c, "note", json_object_new_string(
			"each symbol's \"code\": patched (changed or added), callee (reached from "
			"patched code by direct calls and tail jumps) or other (kernels/code-diff)"));
		json_object_object_add(o, "code_diff", c);
	}
	for (int a = 0; a < 2; a++)
		for (unsigned i = 0; i < at->nr[a]; i++) {
			const struct rb_attr_run *ar = &at->run[a][i];
			struct json_object *x = json_object_new_object();
			char arm[2] = { (char)('A' + a), 0 };

			json_object_object_add(x, "arm", json_object_new_string(arm));
			json_object_object_add(x, "run", json_object_new_int((int)i + 1));
			json_object_object_add(x, "file", ar->present ? json_object_new_string(ar->path) : NULL);
			json_object_object_add(x, "used", json_object_new_boolean(ar->usable));
			json_object_object_add(x, "flagged", ar->present && !ar->usable ?
					       json_object_new_string(ar->why) : NULL);
			json_object_object_add(x, "windows", json_object_new_uint64(ar->windows));
			json_object_object_add(x, "checked_samples", json_object_new_uint64(ar->checked));
			json_object_array_add(runs, x);
		}
	json_object_object_add(o, "runs", runs);
	return o;
}

static struct json_object *metric_json(const struct rb_report *r, size_t i)
{
	const struct rb_samples *s = r->ss[i];
	const struct rb_ab_result *x = &r->res[i];
	struct json_object *m = metric_id_json(s);
	size_t p = rb_report_parent(r, i);
	double level = 1 - r->o->look_alpha;

	json_object_object_add(m, "higher_is_better", json_object_new_boolean(rb_unit_higher_is_better(s->id.unit)));
	json_object_object_add(m, "family", json_object_new_string(rb_family_name(s->family)));
	json_object_object_add(m, "family_size", s->family == RB_FAMILY_DERIVED || r->exact ? NULL :
			       json_object_new_int((int)x->family_size));
	json_object_object_add(m, "derived_from", p != i ? json_object_new_string(r->ss[p]->id.metric) : NULL);
	json_object_object_add(m, "status", x->status ? json_object_new_string(strerror(-x->status)) : NULL);
	json_object_object_add(m, "reason", x->reason ? json_object_new_string(x->reason) : NULL);
	json_object_object_add(m, "rounds_a", json_object_new_int((int)x->rounds_a));
	json_object_object_add(m, "rounds_b", json_object_new_int((int)x->rounds_b));
	json_object_object_add(m, "n_a", json_object_new_int((int)x->n_a));
	json_object_object_add(m, "n_b", json_object_new_int((int)x->n_b));
	json_object_object_add(m, "median_a", num_json(x->med_a));
	json_object_object_add(m, "median_b", num_json(x->med_b));
	json_object_object_add(m, "delta", num_json(x->delta));
	json_object_object_add(m, "delta_ci", ci_json(x->delta_ci));
	json_object_object_add(m, "pct_change", num_json(x->pct_change));
	json_object_object_add(m, "ratio", num_json(x->ratio));
	json_object_object_add(m, "ci", ci_json(x->ci));
	json_object_object_add(m, "ci_level", r->exact ? NULL : json_object_new_double(level));
	/* kept for readers of the first report format, at its level only */
	if (!r->exact && fabs(level - 0.95) < 1e-12)
		json_object_object_add(m, "ci95", ci_json(x->ci));
	json_object_object_add(m, "ci_tost", ci_json(x->ci_tost));
	if (r->exact) {
		json_object_object_add(m, "bound", num_json(x->bound));
		json_object_object_add(m, "bound_source", json_object_new_string(rb_bound_source_name(x->bound_source)));
		json_object_object_add(m, "resolution", s->resolution > 0 ? json_object_new_double(s->resolution) : NULL);
	} else {
		json_object_object_add(m, "ci_bootstrap", ci_json(x->ci_boot));
		json_object_object_add(m, "ci_rounds", ci_json(x->ci_rounds));
		json_object_object_add(m, "mwu_p", num_json(x->mwu.p));
		json_object_object_add(m, "rounds_t_p", x->rounds.df > 0 ? num_json(x->rounds.p) : NULL);
		json_object_object_add(m, "p", num_json(x->p));
		json_object_object_add(m, "p_adj", num_json(x->p_adj));
		json_object_object_add(m, "sd_rounds", num_json(x->sd_rounds));
		json_object_object_add(m, "sd_within", num_json(x->sd_within));
		json_object_object_add(m, "plan_boots", x->plan_rounds ? json_object_new_int((int)x->plan_rounds) : NULL);
	}
	json_object_object_add(m, "significant", json_object_new_boolean(x->significant));
	json_object_object_add(m, "equivalent", json_object_new_boolean(x->equivalent));
	json_object_object_add(m, "within_margin", json_object_new_boolean(x->within_margin));
	json_object_object_add(m, "verdict", json_object_new_string(rb_verdict_name(rb_report_verdict(r, i))));
	if (r->norm && r->norm[i].has) {
		struct json_object *q = json_object_new_object();

		json_object_object_add(q, "baseline", json_object_new_string(rb_kind_name(r->o->normalize)));
		json_object_object_add(q, "ratio", json_object_new_double(r->norm[i].ratio));
		json_object_object_add(q, "ci", ci_json(r->norm[i].ci));
		json_object_object_add(m, "normalized", q);
	}
	if (r->attr)
		json_object_object_add(m, "attribution", attribution_json(r->attr->m ? &r->attr->m[i] : NULL, r->code));
	return m;
}

struct json_object *rb_report_json(const struct rb_report *r)
{
	const struct rb_cmp_opts *o = r->o;
	struct json_object *j = json_object_new_object(), *ms = json_object_new_array();
	struct json_object *ls = json_object_new_array(), *sum = json_object_new_object();
	struct rb_tally p = rb_report_tally(r, RB_FAMILY_PRIMARY), s = rb_report_tally(r, RB_FAMILY_SECONDARY);
	struct rb_tally d = rb_report_tally(r, RB_FAMILY_DERIVED);

	json_object_object_add(j, "schema", json_object_new_int(RB_SCHEMA_VERSION));
	json_object_object_add(j, "rule", json_object_new_string(r->exact ? "exact" : "timed"));
	json_object_object_add(j, "a", arm_json(r->run[0], r->nr[0]));
	json_object_object_add(j, "b", arm_json(r->run[1], r->nr[1]));
	json_object_object_add(j, "margin", json_object_new_double(o->margin));
	json_object_object_add(j, "alpha", json_object_new_double(o->alpha));
	json_object_object_add(j, "alpha_used", json_object_new_double(o->look_alpha));
	json_object_object_add(j, "correction", r->exact ? NULL :
			       json_object_new_string(rb_correction_name(o->correction)));
	json_object_object_add(j, "bootstrap_iters", r->exact ? NULL : json_object_new_int((int)o->iters));
	json_object_object_add(j, "seed", r->exact ? NULL : json_object_new_uint64(o->seed));
	if (r->bounds) {
		struct json_object *b = json_object_new_object();

		json_object_object_add(b, "file", json_object_new_string(r->bounds->path));
		json_object_object_add(b, "created", json_object_new_string(r->bounds->created));
		json_object_object_add(b, "how", json_object_new_string(r->bounds->how));
		json_object_object_add(b, "kernels", json_object_new_string(r->bounds->kernels));
		json_object_object_add(j, "bounds", b);
	}
	if (rb_report_weak_bounds(r)) {
		struct json_object *w = json_object_new_object();

		json_object_object_add(w, "metrics", json_object_new_int((int)rb_report_weak_bounds(r)));
		json_object_object_add(w, "boots_a", json_object_new_int((int)r->nr[0]));
		json_object_object_add(w, "boots_b", json_object_new_int((int)r->nr[1]));
		json_object_object_add(w, "why", json_object_new_string(RB_WEAK_BOUND_WHY));
		json_object_object_add(j, "weak_bound", w);
	}
	if (o->max_looks) {
		struct json_object *q = json_object_new_object();

		json_object_object_add(q, "look", json_object_new_int((int)o->look));
		json_object_object_add(q, "max_looks", json_object_new_int((int)o->max_looks));
		json_object_object_add(q, "first_look", json_object_new_int((int)o->first_look));
		json_object_object_add(q, "spending", json_object_new_string("Lan-DeMets O'Brien-Fleming"));
		json_object_object_add(q, "alpha_look", json_object_new_double(o->look_alpha));
		json_object_object_add(q, "undecided", json_object_new_int((int)r->undecided));
		json_object_object_add(q, "stop", json_object_new_boolean(r->stop));
		json_object_object_add(j, "sequential", q);
	}
	json_object_object_add(j, "normalize", r->norm ? json_object_new_string(rb_kind_name(o->normalize)) : NULL);
	json_object_object_add(j, "provenance_mismatch", r->mismatch[0] ? json_object_new_string(r->mismatch) : NULL);
	json_object_object_add(j, "command", o->command ? json_object_new_string(o->command) : NULL);
	{
		struct json_object *res = json_object_new_array();
		char *list = strdup(o->resumed ? o->resumed : ""), *save = NULL;

		for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save))
			json_object_array_add(res, json_object_new_string(t));
		free(list);
		json_object_object_add(j, "resumed", res);
	}
	{
		struct json_object *miss = json_object_new_array();

		for (unsigned i = 0; i < o->nmissing; i++)
			json_object_array_add(miss, json_object_new_string(o->missing[i]));
		json_object_object_add(j, "missing_boots", miss);
	}
	json_object_object_add(sum, "primary", tally_json(&p));
	json_object_object_add(sum, "secondary", tally_json(&s));
	json_object_object_add(sum, "derived", json_object_new_int((int)d.n));
	json_object_object_add(sum, "lost", json_object_new_int((int)r->nlost));
	json_object_object_add(j, "summary", sum);
	json_object_object_add(j, "complete", json_object_new_boolean(!r->nlost));
	json_object_object_add(j, "attribution", attribution_runs_json(r->attr, r->code));
	for (size_t i = 0; i < r->n; i++)
		json_object_array_add(ms, metric_json(r, i));
	json_object_object_add(j, "metrics", ms);
	for (size_t i = 0; i < r->nlost; i++) {
		struct json_object *m = metric_id_json(r->lost[i]);

		json_object_object_add(m, "missing", json_object_new_string(r->lost[i]->missing));
		json_object_array_add(ls, m);
	}
	json_object_object_add(j, "lost", ls);
	return j;
}
