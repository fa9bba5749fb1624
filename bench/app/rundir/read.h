/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading a run back, trusting only what meta.json certifies: its
 * "integrity" record (records, bytes, sha256 of samples.jsonl) and
 * "points_done" (which records belong to which sweep point). See rundir.h
 * for how a run is written.
 */
#ifndef REFBENCH_RUNDIR_READ_H
#define REFBENCH_RUNDIR_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>

/* What a valid run holds. */
struct rb_run_check {
	const char *status;	/* "complete", "failed", "interrupted", "running" (in meta) */
	const char *reason;	/* or NULL */
	unsigned records, points;	/* certified */
	size_t tail;		/* bytes of samples.jsonl after the certified ones, not read */
	bool live;		/* "running" and a live refbench holds the run's lock */
};

/* DIR, or DIR/run when that is where the run is (a lab run directory). */
const char *rb_run_resolve(const char *dir, char *buf, size_t n);

int rb_validate_record(struct json_object *rec, char *err, size_t n);
/* Schema, provenance objects, status, the integrity record, points_done. */
int rb_validate_meta(struct json_object *meta, char *err, size_t n);
/* buf: samples.jsonl. Its certified bytes must match the integrity record
 * and hold valid records that points_done accounts for; with exact, there
 * may be nothing after them. records_out (may be NULL) gets the records. */
int rb_validate_samples(struct json_object *meta, const char *buf, size_t len, bool exact,
			struct json_object **records_out, struct rb_run_check *c,
			char *err, size_t n);
/* A run directory in any state (a complete run must be exact); c says which.
 * meta_out/records_out (may be NULL) receive the parsed files. */
int rb_validate_run(const char *dir, struct rb_run_check *c, struct json_object **meta_out,
		    struct json_object **records_out, char *err, size_t n);
/* rb_validate_run, and with need_complete the status must be "complete". */
int rb_validate_dir(const char *dir, bool need_complete, struct json_object **meta_out,
		    struct json_object **records_out, char *err, size_t n);
/* Do two loaded runs (dir, meta) name the same run: one directory, or a
 * copy (the same meta.json, checksum of the samples included)? */
bool rb_runs_same(const char *dir_a, struct json_object *meta_a, const char *dir_b,
		  struct json_object *meta_b);

/* refbench validate RUN_DIR... */
int rb_cmd_validate(int argc, char **argv);

#endif
