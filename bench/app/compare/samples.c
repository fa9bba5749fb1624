// SPDX-License-Identifier: GPL-2.0
/*
 * Runs and their samples: what `refbench compare` and `refbench bounds` read.
 * Each run is one boot; its samples of a metric are the within-boot
 * repeats. An rb_samples gathers one point's metric over every run of every
 * group, and knows its family (primary, secondary, derived), the largest
 * resolution its samples declare, and, when a run lacks it, why.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/compare/samples.h"
#include "app/run/suite.h"
#include "app/rundir/cases.h"
#include "lib/json.h"
#include "lib/refbench.h"
#include "mem/mem.h"

static bool ends_with(const char *s, const char *suffix)
{
	size_t l = strlen(s), k = strlen(suffix);

	return l > k && !strcmp(s + l - k, suffix);
}

bool rb_unit_higher_is_better(const char *unit)
{
	return ends_with(unit, "/s") || ends_with(unit, "/Ginsn") || strstr(unit, "IOPS");
}

bool rb_unit_is_time(const char *unit)
{
	return !strncmp(unit, "ns/", 3) || !strncmp(unit, "insn/", 5);
}

/* ---- the units of the plugin's window counts (cost.c makes their samples) */

const char *const rb_cost_components[RB_COST_NR] = {
	"atomic", "loads", "stores", "page-struct", "lines", "page-struct-lines",
};

/* The component of a unit ("page-struct" of "page-struct/page"), or -1. */
int rb_cost_component(const char *unit)
{
	size_t l = strcspn(unit, "/");

	for (int c = 0; c < RB_COST_NR; c++)
		if (strlen(rb_cost_components[c]) == l && !strncmp(unit, rb_cost_components[c], l) && unit[l])
			return c;
	return -1;
}

bool rb_split_unit(const char *unit, int *k)
{
	*k = !strncmp(unit, "other-insn/", 11);
	return *k || !strncmp(unit, "irq-insn/", 9);
}

bool rb_window_unit(const char *unit)
{
	int k;

	return rb_unit_is_time(unit) || rb_cost_component(unit) >= 0 || rb_split_unit(unit, &k);
}

/* ---- grouping samples by metric --------------------------------------- */

/* " k=v ..." for the parameters that differ from the case's defaults: a
 * cover letter needs "cmd=pin size=16M", not "calls=auto min_us=1000".
 * report.json keeps every parameter. */
static void params_text(struct json_object *cases, const char *casename, struct json_object *params,
			char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	json_object_object_foreach(params, k, v) {
		const char *val = json_object_get_string(v);

		if (!rb_run_case_default(cases, casename, k, val) && len < n)
			len += (size_t)snprintf(buf + len, n - len, " %s=%s", k, val);
	}
}

void rb_samples_label(struct json_object *rec, struct json_object *cases, char *label, size_t n)
{
	char params[200];

	params_text(cases, rb_json_text(rec, "case"), json_object_object_get(rec, "params"), params,
		    sizeof(params));
	snprintf(label, n, "%s %s%s", rb_json_text(rec, "case"), rb_json_text(rec, "kind"), params);
}

struct rb_samples *rb_samples_find(struct rb_samples_set *set, const char *label, const char *metric)
{
	for (size_t i = 0; i < set->n; i++)
		if (!strcmp(set->s[i].label, label) && !strcmp(set->s[i].id.metric, metric))
			return &set->s[i];
	return NULL;
}

static struct rb_samples *samples_get(struct rb_samples_set *set, const char *label,
				    struct json_object *rec, const unsigned *nr, unsigned ngroups)
{
	const char *metric = rb_json_text(rec, "metric"), *unit = rb_json_text(rec, "unit");

	for (size_t i = 0; i < set->n; i++)
		if (!strcmp(set->s[i].label, label) && !strcmp(set->s[i].id.metric, metric) &&
		    !strcmp(set->s[i].id.unit, unit))
			return &set->s[i];
	if (set->n == set->cap) {
		set->cap = set->cap ? set->cap * 2 : 64;
		set->s = realloc(set->s, set->cap * sizeof(*set->s));
		if (!set->s)
			abort();
	}
	struct rb_samples *s = &set->s[set->n++];
	memset(s, 0, sizeof(*s));
	rb_strlcpy(s->label, label, sizeof(s->label));
	rb_metric_id_read(rec, &s->id);	/* a loaded run's records are valid */
	snprintf(s->seedname, sizeof(s->seedname), "%s/%s", label, metric);
	s->ngroups = ngroups;
	for (unsigned g = 0; g < ngroups; g++) {
		s->g[g].nruns = nr[g];
		s->g[g].x = calloc(nr[g], sizeof(double *));
		s->g[g].n = calloc(nr[g], sizeof(unsigned));
		s->g[g].cap = calloc(nr[g], sizeof(unsigned));
		if (!s->g[g].x || !s->g[g].n || !s->g[g].cap)
			abort();
	}
	return s;
}

static void samples_add(struct rb_samples *s, unsigned g, unsigned run, double v)
{
	struct rb_group_samples *a = &s->g[g];

	if (a->n[run] == a->cap[run]) {
		a->cap[run] = a->cap[run] ? a->cap[run] * 2 : 16;
		a->x[run] = realloc(a->x[run], a->cap[run] * sizeof(double));
		if (!a->x[run])
			abort();
	}
	a->x[run][a->n[run]++] = v;
}

/* A metric without a window of its own (gup_test's get and put) was timed
 * inside its point's window: the ticks that window took fell in it or not. */
static void inherit_interrupts(struct rb_samples_set *set)
{
	for (size_t i = 0; i < set->n; i++) {
		struct rb_samples *s = &set->s[i];

		if (s->windowed)
			continue;
		for (size_t j = 0; j < set->n; j++)
			if (set->s[j].windowed && !strcmp(set->s[j].label, s->label) &&
			    set->s[j].interrupts > s->interrupts)
				s->interrupts = set->s[j].interrupts;
	}
}

void rb_samples_collect(struct rb_samples_set *set, struct rb_loaded_run *const *runs,
		       const unsigned *nr, unsigned ngroups)
{
	struct json_object *cases = rb_run_cases(runs[0][0].meta);

	for (unsigned g = 0; g < ngroups; g++)
		for (unsigned r = 0; r < nr[g]; r++)
			for (size_t i = 0; i < json_object_array_length(runs[g][r].records); i++) {
				struct json_object *rec = json_object_array_get_idx(runs[g][r].records, i);
				struct json_object *res = NULL;
				struct rb_samples *s;
				char label[256];

				if (strcmp(rb_json_text(rec, "type"), "sample"))
					continue;
				rb_samples_label(rec, cases, label, sizeof(label));
				s = samples_get(set, label, rec, nr, ngroups);
				s->n_recs++;
				s->n_own += json_object_object_get_ex(rec, "own", NULL);
				samples_add(s, g, r, json_object_get_double(json_object_object_get(rec,
					set->totals && json_object_object_get_ex(rec, "value_total", NULL) ?
					"value_total" : "value")));
				/* optional: how finely the instrument resolves it (e.g. a us timer) */
				if (json_object_object_get_ex(rec, "resolution", &res) &&
				    json_object_get_double(res) > s->resolution)
					s->resolution = json_object_get_double(res);
				if (json_object_object_get_ex(rec, "interrupts", &res)) {
					s->windowed = true;
					if ((uint64_t)json_object_get_int64(res) > s->interrupts)
						s->interrupts = (uint64_t)json_object_get_int64(res);
				}
				if (json_object_object_get_ex(rec, "ops", &res) && json_object_get_int64(res) > 0 &&
				    (!s->ops_min || (uint64_t)json_object_get_int64(res) < s->ops_min))
					s->ops_min = (uint64_t)json_object_get_int64(res);
			}
	inherit_interrupts(set);
}

bool rb_samples_complete(const struct rb_samples *s)
{
	for (unsigned g = 0; g < s->ngroups; g++)
		for (unsigned r = 0; r < s->g[g].nruns; r++)
			if (!s->g[g].n[r])
				return false;
	return true;
}

void rb_samples_explain_missing(struct rb_samples_set *set, struct rb_loaded_run *const *runs,
			       const char *const *group_names)
{
	struct json_object *cases = rb_run_cases(runs[0][0].meta);

	for (size_t i = 0; i < set->n; i++) {
		struct rb_samples *s = &set->s[i];
		size_t len = 0;

		s->missing[0] = '\0';
		for (unsigned g = 0; g < s->ngroups; g++)
			for (unsigned r = 0; r < s->g[g].nruns; r++) {
				const char *why = "absent";

				if (s->g[g].n[r] || len >= sizeof(s->missing))
					continue;
				/* the run's own record of the point says why, when it has one */
				for (size_t k = 0; k < json_object_array_length(runs[g][r].records); k++) {
					struct json_object *rec = json_object_array_get_idx(runs[g][r].records, k);
					char label[256];

					if (!strcmp(rb_json_text(rec, "type"), "sample"))
						continue;
					rb_samples_label(rec, cases, label, sizeof(label));
					if (!strcmp(label, s->label)) {
						why = rb_json_text(rec, "reason");
						snprintf(label, sizeof(label), "%s: %s", rb_json_text(rec, "type"), why);
						len += (size_t)snprintf(s->missing + len, sizeof(s->missing) - len,
									"%s%s run %u: %s", len ? "; " : "",
									group_names[g], r + 1, label);
						why = NULL;
						break;
					}
				}
				if (why)
					len += (size_t)snprintf(s->missing + len, sizeof(s->missing) - len,
								"%s%s run %u: %s", len ? "; " : "",
								group_names[g], r + 1, why);
			}
	}
}

/* ---- families --------------------------------------------------------- */

static void json_params(struct json_object *o, struct rb_params *p)
{
	memset(p, 0, sizeof(*p));
	json_object_object_foreach(o, k, v)
		rb_params_set(p, k, json_object_get_string(v));
}

/* The time metric a rate at the same point is computed from, or NULL. */
static const char *time_parent(const struct rb_samples_set *set, const struct rb_samples *rate)
{
	const char *first = NULL;

	for (size_t i = 0; i < set->n; i++) {
		const struct rb_samples *t = &set->s[i];
		size_t l = strlen(t->id.metric);

		if (strcmp(t->label, rate->label) || !rb_unit_is_time(t->id.unit))
			continue;
		if (!strncmp(rate->id.metric, t->id.metric, l) && rate->id.metric[l] == '-')
			return t->id.metric;
		if (!first)
			first = t->id.metric;
	}
	return first;
}

int rb_samples_mark_families(struct rb_samples_set *set, struct json_object *meta)
{
	struct rb_suite suite = { .n = 0 };
	char err[512];
	const char *text = json_object_get_string(json_object_object_get(
		json_object_object_get(meta, "suite"), "text"));
	int marked = -1;

	if (text && !rb_suite_parse_stored(text, "the runs' suite", &suite, err, sizeof(err))) {
		marked = 0;
		for (unsigned i = 0; i < suite.n; i++)
			marked += suite.e[i].primary[0] != '\0';
	}
	for (size_t i = 0; i < set->n; i++) {
		struct rb_samples *s = &set->s[i];
		const char *parent = rb_unit_higher_is_better(s->id.unit) ? time_parent(set, s) : NULL;

		s->family = RB_FAMILY_PRIMARY;
		if (rb_window_unit(s->id.unit) && !rb_unit_is_time(s->id.unit) && rb_cost_component(s->id.unit) < 0) {
			/* the interrupts' and other tasks' part of a window: shown, not the metric */
			s->family = RB_FAMILY_SECONDARY;
		} else if (parent) {
			s->family = RB_FAMILY_DERIVED;
			rb_strlcpy(s->parent, parent, sizeof(s->parent));
		} else if (marked > 0) {
			struct json_object *params = json_tokener_parse(s->id.params);
			struct rb_params p;
			const struct rb_suite_entry *e;

			json_params(params, &p);
			json_object_put(params);
			e = rb_suite_entry_of(&suite, s->id.casename, rb_kind_parse(s->id.kind), &p);
			if (e && !rb_suite_entry_primary(e, s->id.metric))
				s->family = RB_FAMILY_SECONDARY;
		}
	}
	if (marked >= 0)
		rb_suite_free(&suite);
	return marked;
}

/* ---- order ------------------------------------------------------------ */

static int cmp_order(const void *pa, const void *pb)
{
	const struct rb_samples *a = pa, *b = pb;

	for (int k = 0; k < 4; k++)
		if (a->order[k] != b->order[k])
			return a->order[k] < b->order[k] ? -1 : 1;
	return 0;
}

void rb_samples_sort(struct rb_samples_set *set)
{
	/* first-seen index of each key, so the suite's order survives */
	for (size_t i = 0; i < set->n; i++) {
		struct rb_samples *s = &set->s[i];
		size_t c = i, p = i, m = i;

		for (size_t j = 0; j < i; j++) {
			c = !strcmp(set->s[j].id.casename, s->id.casename) && j < c ? j : c;
			p = !strcmp(set->s[j].label, s->label) && j < p ? j : p;
			m = !strcmp(set->s[j].label, s->label) && !strcmp(set->s[j].id.metric, s->id.metric) &&
			    j < m ? j : m;
		}
		s->order[0] = (unsigned)c;
		s->order[1] = (unsigned)(rb_kind_parse(s->id.kind) + 1);
		s->order[2] = (unsigned)p;
		s->order[3] = (unsigned)m;
	}
	qsort(set->s, set->n, sizeof(*set->s), cmp_order);
}

struct rb_arm rb_samples_arm(const struct rb_samples *s, unsigned g)
{
	return (struct rb_arm){ s->g[g].nruns, (const double *const *)s->g[g].x, s->g[g].n };
}

void rb_samples_free(struct rb_samples_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		for (unsigned g = 0; g < set->s[i].ngroups; g++) {
			for (unsigned r = 0; r < set->s[i].g[g].nruns; r++)
				free(set->s[i].g[g].x[r]);
			free(set->s[i].g[g].x);
			free(set->s[i].g[g].n);
			free(set->s[i].g[g].cap);
		}
	free(set->s);
	memset(set, 0, sizeof(*set));
}
