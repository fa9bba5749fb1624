/* SPDX-License-Identifier: GPL-2.0 */
/* The runs a comparison (or a bounds file) is made of. */
#ifndef REFBENCH_COMPARE_LOAD_H
#define REFBENCH_COMPARE_LOAD_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "app/run/provenance.h"

/* One loaded run: its meta.json and records. */
struct rb_loaded_run {
	char dir[4096];
	struct json_object *meta;
	struct json_object *records;	/* array */
};

/* Resolves DIR or DIR/run (a lab run keeps refbench's run in run/). */
int rb_run_load(const char *dir, struct rb_loaded_run *r, char *err, size_t n);
void rb_run_unload(struct rb_loaded_run *r);

#define RB_MAX_RUNS 64
/* A comma-separated list of run directories (one per boot of a kernel)
 * into runs[0..*n-1] (room for RB_MAX_RUNS). 0, or -1 with err and
 * nothing left loaded. */
int rb_runs_load(const char *list, struct rb_loaded_run *runs, unsigned *n, char *err, size_t errn);
void rb_runs_unload(struct rb_loaded_run *runs, unsigned n);

/* Appends one line per mismatching path to out; returns the count. The
 * runs must agree on rb_prov_match_paths, each group within itself on
 * rb_prov_arm_paths, and on their host (rb_prov_host_paths), unless every
 * run is host-free (rb_prov_host_free): then on rb_prov_det_paths. */
unsigned rb_prov_mismatches(struct rb_loaded_run *a, size_t na, struct rb_loaded_run *b,
			    size_t nb, char *out, size_t n);
/* A deterministic lab run (lab.mode deterministic, clock icount): what it
 * counts does not depend on the host its QEMU ran on. */
bool rb_prov_host_free(const struct rb_loaded_run *r);
/* Deterministic mode: the run's clock is the guest's icount. */
bool rb_run_exact(const struct rb_loaded_run *r);
/* Deterministic mode: every run's clock is the guest's icount. */
bool rb_runs_exact(struct rb_loaded_run *runs, size_t n);
/* Warns of each run labelled icount with no clock_proof (an older refbench
 * labelled it without measuring) and no lab.mode "deterministic" either:
 * nothing says its numbers are instruction counts. Returns how many. */
unsigned rb_runs_warn_unproven(struct rb_loaded_run *runs, size_t n);

#endif
