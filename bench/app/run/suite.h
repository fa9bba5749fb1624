/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Suites are plain files in configs/suites/NAME.suite, one line per entry:
 *
 *   # case     kinds              key=value ...   (a,b,c sweeps a value)
 *   fault      anon,thp,shmem     size=64M access=read,write repeat=5
 *
 * kinds: a comma list, or "all" (every kind the case supports), "baseline",
 * "dax", or "-" (no memory). repeat= and warmup= belong to the runner;
 * primary= belongs to `refbench compare`; all other keys must be
 * parameters of the case.
 *
 * primary=get,put names the line's primary metrics: they form the
 * headline family of an A/B report, and the line's other metrics are
 * secondary (shown, corrected as a family of their own). primary=- makes
 * every metric of the line secondary. A line without primary= keeps all
 * its metrics primary, so a suite that never says primary= tests every
 * metric in one family. (Rates derived from a time metric of the same
 * window are never tested twice, whatever the line says.)
 */
#ifndef REFBENCH_SUITE_H
#define REFBENCH_SUITE_H

#include <limits.h>
#include <stdbool.h>

#include "lib/refbench.h"
#include "mem/mem.h"

#define RB_SUITE_MAX_SWEEP 256
struct rb_suite_entry {
	const struct rb_case *c;	/* NULL in a stored suite */
	char casename[32];
	unsigned line;
	unsigned n_kinds;
	enum rb_kind kinds[RB_KIND__COUNT];
	unsigned n_keys;
	struct { char key[32]; char vals[RB_SUITE_MAX_SWEEP]; } sweep[RB_MAX_PARAMS];
	char primary[RB_SUITE_MAX_SWEEP];	/* primary= value; "" when not given */
};

struct rb_suite {
	char name[64];
	char path[PATH_MAX];
	char sha256[65];
	char *text;
	bool stored;			/* read by rb_suite_parse_stored */
	unsigned n;
	struct rb_suite_entry *e;
};

/* origin names the file in error messages ("quick.suite line 3: ..."). */
int rb_suite_parse(const char *text, const char *origin, struct rb_suite *s, char *err, size_t n);
/* A suite as a run stored it (meta.json suite.text), for its reports: read
 * by its syntax only, never checked against today's cases, which may have
 * changed since it ran (a point that ran was valid then). Entries have no
 * case (c NULL); all, baseline and dax stand for every kind of the class. */
int rb_suite_parse_stored(const char *text, const char *origin, struct rb_suite *s, char *err,
			  size_t n);
/* NAME (looked up in configs/suites/) or a path to a file. */
/* A suite's file: a path (it has a '/') as given, else SUITES_DIR/NAME.suite. */
const char *rb_suite_path(const char *suites_dir, const char *name_or_path, char *buf, size_t n);
int rb_suite_load(const char *name_or_path, struct rb_suite *s, char *err, size_t n);
/* An entry from the command line: --case C --kind K... -p key=value... */
int rb_suite_add_entry(struct rb_suite *s, const char *line, const char *origin, char *err, size_t n);
void rb_suite_free(struct rb_suite *s);
/* The entry a point came from: same case, one of its kinds, and each
 * swept parameter's value among the entry's values. NULL if none. */
const struct rb_suite_entry *rb_suite_entry_of(const struct rb_suite *s, const char *casename,
					       int kind, const struct rb_params *p);
/* Is metric primary on this entry's line (see primary= above)? */
bool rb_suite_entry_primary(const struct rb_suite_entry *e, const char *metric);

#endif
