/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Suites are plain files in configs/suites/NAME.suite, one line per entry:
 *
 *   # case     kinds              key=value ...   (a,b,c sweeps a value)
 *   fault      anon,thp,shmem     size=64M access=read,write repeat=5
 *
 * kinds: a comma list, or "all" (every kind the case supports), "baseline",
 * "dax", or "-" (no memory). repeat= and warmup= belong to the runner; all
 * other keys must be parameters of the case.
 */
#ifndef REFBENCH_SUITE_H
#define REFBENCH_SUITE_H

#include <limits.h>

#include "refbench.h"

#define RB_SUITE_MAX_SWEEP 256
struct rb_suite_entry {
	const struct rb_case *c;
	unsigned line;
	unsigned n_kinds;
	enum rb_kind kinds[RB_KIND__COUNT];
	unsigned n_keys;
	struct { char key[32]; char vals[RB_SUITE_MAX_SWEEP]; } sweep[RB_MAX_PARAMS];
};

struct rb_suite {
	char name[64];
	char path[PATH_MAX];
	char sha256[65];
	char *text;
	unsigned n;
	struct rb_suite_entry *e;
};

/* origin names the file in error messages ("quick.suite line 3: ..."). */
int rb_suite_parse(const char *text, const char *origin, struct rb_suite *s, char *err, size_t n);
/* NAME (looked up in configs/suites/) or a path to a file. */
int rb_suite_load(const char *name_or_path, struct rb_suite *s, char *err, size_t n);
/* An entry from the command line: --case C --kind K... -p key=value... */
int rb_suite_add_entry(struct rb_suite *s, const char *line, const char *origin, char *err, size_t n);
void rb_suite_free(struct rb_suite *s);

#endif
