// SPDX-License-Identifier: GPL-2.0
/*
 * series.json (schema "refbench-series/1"), the walk in full; this file
 * is its owner. Top level: schema, created, refbench (git sha), rule
 * ("exact" | "timed"), bounds (path | null), margin, base {kernel, runs},
 * source, provenance_checked, patches [{patch, subject, runs, report,
 * metrics, changed, lost, attributed}], stopped (null | {patch, reason}),
 * metrics [{label, case, kind, params, metric, unit, family, in_table,
 * steps [{patch, measured, a, b, delta, bound, bound_known, changed,
 * verdict, attribution (null | {window_of, symbols [{name, delta,
 * within_spread}], canaries {N: delta}})}]}]. Every metric compared in
 * some step is listed, whether or not it changed; a and b are pooled
 * medians of kernel k-1 and kernel k, delta = b - a per op.
 */
#include <math.h>
#include <string.h>
#include <time.h>

#include "app/walk/walk.h"
#include "lib/refbench.h"

static struct json_object *num(double v)
{
	return isfinite(v) ? json_object_new_double(v) : NULL;
}

static struct json_object *runs_json(const char *list)
{
	struct json_object *a = json_object_new_array();
	const char *p = list;

	while (*p) {
		size_t n = strcspn(p, ",");

		if (n)
			json_object_array_add(a, json_object_new_string_len(p, (int)n));
		p += n + (p[n] == ',');
	}
	return a;
}

static struct json_object *attribution_json(const struct rb_walk_cell *c)
{
	struct json_object *o, *syms, *cans;

	if (!c->attributed)
		return NULL;
	o = json_object_new_object();
	syms = json_object_new_array();
	cans = json_object_new_object();
	json_object_object_add(o, "window_of", c->window_of[0] ? json_object_new_string(c->window_of) : NULL);
	for (unsigned s = 0; s < c->nsym; s++) {
		struct json_object *x = json_object_new_object();

		json_object_object_add(x, "name", json_object_new_string(c->sym[s].name));
		json_object_object_add(x, "delta", num(c->sym[s].delta));
		json_object_object_add(x, "within_spread", json_object_new_boolean(c->sym[s].within_spread));
		json_object_array_add(syms, x);
	}
	json_object_object_add(o, "symbols", syms);
	for (unsigned s = 0; s < c->ncan; s++)
		json_object_object_add(cans, c->can[s].name, num(c->can[s].delta));
	json_object_object_add(o, "canaries", cans);
	return o;
}

static struct json_object *row_json(const struct rb_walk *w, const struct rb_walk_row *r)
{
	struct json_object *m = json_object_new_object(), *steps = json_object_new_array();

	json_object_object_add(m, "label", json_object_new_string(r->label));
	rb_metric_id_write(&r->id, m);
	json_object_object_add(m, "family", json_object_new_string(rb_family_name(r->family)));
	json_object_object_add(m, "in_table", json_object_new_boolean(r->changed || r->unknown));
	for (unsigned k = 0; k < w->nsteps; k++) {
		const struct rb_walk_cell *c = &r->cell[k];
		struct json_object *s = json_object_new_object();

		json_object_object_add(s, "patch", json_object_new_int((int)k + 1));
		json_object_object_add(s, "measured", json_object_new_boolean(c->has));
		if (c->has) {
			json_object_object_add(s, "a", num(c->a));
			json_object_object_add(s, "b", num(c->b));
			json_object_object_add(s, "delta", num(c->delta));
			json_object_object_add(s, "bound", w->step[k].exact ? num(c->bound) : NULL);
			json_object_object_add(s, "bound_known", json_object_new_boolean(c->bound_known));
			json_object_object_add(s, "changed", json_object_new_boolean(c->changed));
			json_object_object_add(s, "verdict", json_object_new_string(rb_verdict_name(c->verdict)));
			json_object_object_add(s, "attribution", attribution_json(c));
		}
		json_object_array_add(steps, s);
	}
	json_object_object_add(m, "steps", steps);
	return m;
}

struct json_object *rb_walk_json(const struct rb_walk *w)
{
	struct json_object *o = json_object_new_object(), *base = json_object_new_object();
	struct json_object *patches = json_object_new_array(), *metrics = json_object_new_array();
	char created[32];
	time_t t = time(NULL);

	strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	json_object_object_add(o, "schema", json_object_new_string(RB_WALK_SCHEMA));
	json_object_object_add(o, "created", json_object_new_string(created));
	json_object_object_add(o, "refbench", json_object_new_string(RB_GIT_SHA));
	json_object_object_add(o, "rule", json_object_new_string(w->nsteps && !w->step[0].exact ? "timed" : "exact"));
	json_object_object_add(o, "bounds", w->o->bounds_path ? json_object_new_string(w->o->bounds_path) : NULL);
	json_object_object_add(o, "margin", json_object_new_double(w->o->margin));
	json_object_object_add(base, "kernel", json_object_new_string(w->base_text));
	json_object_object_add(base, "runs", runs_json(w->base_runs));
	json_object_object_add(o, "base", base);
	json_object_object_add(o, "source", w->source[0] ? json_object_new_string(w->source) : NULL);
	json_object_object_add(o, "provenance_checked", json_object_new_boolean(w->provenance_known));
	for (unsigned k = 0; k < w->nsteps; k++) {
		const struct rb_walk_step *st = &w->step[k];
		struct json_object *p = json_object_new_object();

		json_object_object_add(p, "patch", json_object_new_int((int)st->patch));
		json_object_object_add(p, "subject", json_object_new_string(st->subject));
		json_object_object_add(p, "runs", runs_json(st->runs));
		json_object_object_add(p, "report", json_object_new_string(st->report));
		json_object_object_add(p, "metrics", json_object_new_int((int)st->metrics));
		json_object_object_add(p, "changed", json_object_new_int((int)st->changed));
		json_object_object_add(p, "lost", json_object_new_int((int)st->lost));
		json_object_object_add(p, "attributed", json_object_new_boolean(st->attributed));
		json_object_array_add(patches, p);
	}
	json_object_object_add(o, "patches", patches);
	if (w->stopped) {
		struct json_object *s = json_object_new_object();

		json_object_object_add(s, "patch", json_object_new_int((int)w->stopped));
		json_object_object_add(s, "reason", w->stopped_reason ? json_object_new_string(w->stopped_reason) : NULL);
		json_object_object_add(o, "stopped", s);
	} else {
		json_object_object_add(o, "stopped", NULL);
	}
	for (size_t i = 0; i < w->nrows; i++)
		json_object_array_add(metrics, row_json(w, w->rows[i]));
	json_object_object_add(o, "metrics", metrics);
	return o;
}
