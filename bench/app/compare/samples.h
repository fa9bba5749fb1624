/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The samples of loaded runs (load.h) grouped by metric: one rb_samples per
 * point (case, kind, parameters) and metric, with the samples of every
 * run of every group (the arms of an A/B, or the kernels of an A/A bound).
 */
#ifndef REFBENCH_SAMPLES_H
#define REFBENCH_SAMPLES_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "app/compare/load.h"
#include "app/compare/metric.h"
#include "stats/stats.h"

/* Units. Throughput-like (higher is better): ".../s", ".../Ginsn", "IOPS". */
bool rb_unit_higher_is_better(const char *unit);
/* A time per op: "ns/..." or "insn/..." */
bool rb_unit_is_time(const char *unit);

/* The cost vector's components (docs/cost.md): also the plugin's keys in
 * "cost" and, for the first four, "<name>_syms"; a unit "atomic/page". */
enum {
	RB_COST_ATOMIC, RB_COST_LOADS, RB_COST_STORES, RB_COST_PSTRUCT, RB_COST_LINES,
	RB_COST_PSTRUCT_LINES, RB_COST_NR
};
extern const char *const rb_cost_components[RB_COST_NR];
/* The component of a unit ("atomic/page": RB_COST_ATOMIC), or -1. */
int rb_cost_component(const char *unit);
/* "irq-insn/page" (*k 0) or "other-insn/page" (*k 1): the interrupts' or
 * other tasks' part of a window (cost.c). */
bool rb_split_unit(const char *unit, int *k);
/* Does a sample of this unit come from a window (instructions, the split,
 * a cost component)? */
bool rb_window_unit(const char *unit);

#define RB_SAMPLES_MAX_GROUPS 16

struct rb_group_samples {
	unsigned nruns;
	double **x;		/* x[run][i] */
	unsigned *n, *cap;
};

struct rb_samples {
	char label[256];	/* "case kind k=v ..." (non-default parameters) */
	struct rb_metric_id id;
	char seedname[300];
	unsigned ngroups;
	struct rb_group_samples g[RB_SAMPLES_MAX_GROUPS];
	double resolution;	/* largest sample "resolution"; 0: none given */
	uint64_t interrupts;	/* most "interrupts" a sample's window took; for a
				 * metric timed inside another's window (gup_test's
				 * get and put), the most that window took */
	bool windowed;		/* its samples have a window of their own */
	unsigned n_recs, n_own;	/* its records; those whose value is the task's own
				 * count (compare/cost.c set "own" and "value_total") */
	uint64_t ops_min;	/* fewest ops of a sample (0: none seen) */
	enum rb_family family;
	char parent[32];	/* DERIVED: the time metric of the same point */
	char missing[256];	/* incomplete: where it is missing, and why */
	unsigned order[4];	/* sort key: case, kind, point, metric */
};

struct rb_samples_set {
	size_t n, cap;
	struct rb_samples *s;
	bool totals;		/* collect "value_total" where a record has it:
				 * what the clock measured, not the own count */
};

/* Are all of s's values the measured task's own count? */
static inline bool rb_samples_own(const struct rb_samples *s)
{
	return s->n_recs && s->n_own == s->n_recs;
}

/* The label of a sample record's point: "case kind k=v ..." (the
 * parameters that differ from the case's defaults, as cases describes
 * them: rundir/cases.h), as rb_samples use it. */
void rb_samples_label(struct json_object *rec, struct json_object *cases, char *label, size_t n);
/* Adds every sample of runs[g][0..nr[g]-1], g < ngroups, to set. Labels
 * follow the cases that the first run (runs[0][0]) describes. */
void rb_samples_collect(struct rb_samples_set *set, struct rb_loaded_run *const *runs,
		       const unsigned *nr, unsigned ngroups);
/* Every run of every group has samples of it. */
bool rb_samples_complete(const struct rb_samples *s);
/* Fills s->missing for incomplete ones: "B run 2 (DIR): skipped: ...". */
void rb_samples_explain_missing(struct rb_samples_set *set, struct rb_loaded_run *const *runs,
			       const char *const *group_names);
/*
 * Families: a rate at a point that also has a time metric is DERIVED
 * (parent: the time metric named by the rate's prefix, "to-dev-bw" ->
 * "to-dev", else the point's first time metric); of the rest, metrics
 * the suite (meta.json suite.text) names with primary= on their line, or
 * every metric of a line without primary=, are PRIMARY, others
 * SECONDARY. Returns how many suite lines mark primaries, -1 when the
 * suite text cannot be parsed (then every metric is primary).
 */
int rb_samples_mark_families(struct rb_samples_set *set, struct json_object *meta);
/* Sorts into report order: case (first seen), kind (enum order), point, metric. */
void rb_samples_sort(struct rb_samples_set *set);
/* The samples of the same point with that metric and unit; NULL if none. */
struct rb_samples *rb_samples_find(struct rb_samples_set *set, const char *label, const char *metric);
/* As struct rb_arm for the statistics. */
struct rb_arm rb_samples_arm(const struct rb_samples *s, unsigned g);
void rb_samples_free(struct rb_samples_set *set);

#endif
