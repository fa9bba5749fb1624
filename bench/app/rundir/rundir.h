/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A run on disk, and the only code that writes one: DIR/meta.json
 * (provenance, status, and what it certifies) and DIR/samples.jsonl (one
 * record per line), both schema-versioned. This folder owns the format:
 * write.c writes a run as it goes, read.c reads one back trusting only
 * what it certifies (read.h), mark.c is how anything else amends one.
 *
 * While a refbench writes DIR it holds an flock on the directory, so a
 * second run (or a `refbench mark`) on the same DIR is refused. Records are
 * committed one whole sweep point at a time: samples.jsonl is replaced
 * (temp file, fsync, rename), then meta.json, which certifies it:
 * "integrity" {records, bytes, sha256} of samples.jsonl, and "points_done",
 * one entry per committed point with its record count, in file order. A
 * crash between the two renames leaves samples.jsonl longer than certified;
 * readers trust only the certified prefix. Every write, fsync and rename
 * is checked; a commit that fails leaves the previous files as they were.
 * An existing run is never overwritten.
 */
#ifndef REFBENCH_RUNDIR_H
#define REFBENCH_RUNDIR_H

#include <limits.h>
#include <stdbool.h>
#include <json-c/json.h>

#include "lib/digest.h"
#include "lib/refbench.h"

/* Records by type: "sample", "rejected", "skipped", "unsupported", "error". */
struct rb_run_counts {
	unsigned samples, rejected, skipped, unsupported, errors;
};

struct rb_run {
	char dir[PATH_MAX];
	int lock_fd;
	struct json_object *meta;	/* not owned */
	char *text;			/* samples.jsonl: committed, then pending */
	size_t len, cap, pending;	/* committed bytes; bytes of the current point */
	unsigned records, points, pending_records;
	struct rb_run_counts done, cur;	/* committed; current point */
	struct rb_sha256 *sha;		/* over the committed bytes */
	int add_err;			/* -ENOMEM from rb_run_add, reported at commit */
};

/* A new result directory, <repo>/results/YYYYmmdd-HHMMSS-LABEL-XXXX (UTC,
 * 4 random hex digits): the form of every run id, scripts/lib.sh's
 * rb_run_id too. Returns buf. */
const char *rb_result_dir(const char *label, char *buf, size_t n);
/* rb_result_dir for a command given no -o, saying on stderr where its
 * output goes: the checkout's results/, wherever the user is. */
const char *rb_default_output(const char *label, const char *what, char *buf, size_t n);
int rb_write_atomic(const char *path, const char *data, size_t len);
/* Refuses a DIR that already holds a run (meta.json or samples.jsonl). */
int rb_run_check_dir(const char *dir, char *err, size_t n);
/* flock(LOCK_EX|LOCK_NB) on DIR: the fd to keep, or -errno with err
 * ("another refbench is writing a run into DIR") when someone holds it. */
int rb_run_lock(const char *dir, char *err, size_t n);
/* Does a live process hold DIR's lock? */
bool rb_run_locked(const char *dir);

/* Creates and locks DIR, writes an empty samples.jsonl and meta.json with
 * status "running". On failure nothing of it is left behind. */
int rb_run_create(struct rb_run *r, const char *dir, struct json_object *meta,
		  char *err, size_t n);
/* A record of the current point; takes the reference. */
void rb_run_add(struct rb_run *r, struct json_object *rec);
/* Commits the current point's records; point (taken) describes it and
 * gets "records" and "outcome" (measured, rejected, skipped, unsupported,
 * error, empty). 0, or -errno with err naming the file that could not be
 * written: the point is then lost, what was committed before is intact. */
int rb_run_commit_point(struct rb_run *r, struct json_object *point, char *err, size_t n);
/* Forgets the current point's records (an interrupted point). */
void rb_run_drop_point(struct rb_run *r);
/* Closes the run: status ("complete", "failed", "interrupted"), reason,
 * summary and finished go into meta.json; the current point is dropped. */
int rb_run_finish(struct rb_run *r, const char *status, const char *reason,
		  char *err, size_t n);
/* Writes r->meta as DIR/meta.json (atomically, signals held): 0 or -errno. */
int rb_run_write_meta(const struct rb_run *r);
/* Unlocks and frees (the meta object stays the caller's). */
void rb_run_free(struct rb_run *r);

/* refbench mark: the one way anything else changes a run's meta.json.
 * Sets status (failed or interrupted) and, unless an earlier failure gave
 * one, reason; appends {at, status, reason, previous_status} to "marks";
 * adds each merge key the run did not record. Certified samples and their
 * checksums stay as they are. A DIR without a valid meta.json gets a stub
 * that certifies nothing (an invalid one is kept as meta.json.invalid). */
struct rb_mark_merge {
	const char *key;
	struct json_object *value;
};
bool rb_run_own_key(const char *key);	/* keys --merge-json may not set */
/* meta's kernel.profile from lab.json's kernel build, unless the run has one */
void rb_kernel_profile_from_lab(struct json_object *meta, struct json_object *lab);
int rb_cmd_mark(int argc, char **argv);
int rb_run_mark(const char *dir, const char *status, const char *reason,
		const struct rb_mark_merge *merge, unsigned nmerge, char *err, size_t n);

/* The "integrity" object for bytes of samples.jsonl holding records. */
struct json_object *rb_integrity_json(const char *buf, size_t len, unsigned records);

/* JSON records from an iteration / a point. */
struct json_object *rb_record_point(const struct rb_point *pt, const char *type,
				    const char *reason);
void rb_records_from_iter(struct rb_run *r, const struct rb_iter *it,
			  const struct rb_counters *ctr);
struct json_object *rb_json_checks(const struct rb_iter *it);
struct json_object *rb_params_json(const struct rb_params *p);
char *rb_iso_time(char *buf, size_t n);

#endif
