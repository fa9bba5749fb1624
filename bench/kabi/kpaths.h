/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-version kernel paths: for each case and metric, the kernel functions
 * its measured window crosses, declared by mainline version, and checked
 * against the booted kernel's symbols (/proc/kallsyms, or the build's
 * System.map): a name the kernel does not have (renamed, removed, inlined)
 * is never reported as a path. meta.json's kernel_paths and `refbench list
 * -v` come from here.
 */
#ifndef REFBENCH_KABI_KPATHS_H
#define REFBENCH_KABI_KPATHS_H

#include <stdbool.h>
#include <stddef.h>

#include "kabi/gup_test.h"	/* struct rb_kver */

/* The versions whose sources the table was read against. */
#define RB_KPATHS_SINCE RB_KVER(6, 1)
#define RB_KPATHS_UNTIL RB_KVER(7, 2)
#define RB_KPATHS_KNOWN_TEXT "6.1 .. 7.2 (sources read: 6.1, 6.12, 7.2)"

struct rb_kpath {
	const char *fn;		/* a kernel symbol */
	const char *kinds;	/* space-separated kinds it is crossed for; NULL: all */
	struct rb_kver since;	/* first mainline version it applies to ({0,0}: any) */
	struct rb_kver until;	/* last one ({0,0}: any) */
};

struct rb_kpaths_metric {
	const char *metric;
	const struct rb_kpath *path;	/* ends with a NULL fn */
};

struct rb_kpaths_case {
	const char *name;
	const struct rb_kpaths_metric *metrics;	/* ends with a NULL metric */
};

/* Every case with a table; ends with a NULL name. */
extern const struct rb_kpaths_case rb_kpaths_cases[];
const struct rb_kpaths_case *rb_kpaths_case(const char *name);
/* NULL when v is inside the table's range, else why (naming what is known). */
const char *rb_kpaths_unknown(struct rb_kver v, char *why, size_t n);
bool rb_kpath_applies(const struct rb_kpath *p, struct rb_kver v);

/* Which of the table's names a kernel has: one flag per distinct name. */
struct rb_ksyms {
	bool *have;
	size_t symbols;		/* lines read */
	char source[256];
};
/* From kallsyms or System.map text ("ADDR TYPE NAME [MODULE]" lines); pure. */
int rb_ksyms_parse(struct rb_ksyms *s, const char *text);
/* From a file; -errno, or -ENODATA when it lists no symbol (no KALLSYMS). */
int rb_ksyms_load(struct rb_ksyms *s, const char *path);
bool rb_ksyms_has(const struct rb_ksyms *s, const char *fn);
void rb_ksyms_free(struct rb_ksyms *s);
/* The booted kernel's: /proc/kallsyms, else system_map (the build's). */
int rb_ksyms_booted(struct rb_ksyms *s, const char *system_map);

/*
 * The entries of path that apply to v, split into those syms has (present,
 * returned count) and those it lacks (absent, *nabsent): each name once,
 * at most max of each.
 */
size_t rb_kpaths_select(const struct rb_kpath *path, struct rb_kver v, const struct rb_ksyms *syms,
			const struct rb_kpath **present, const struct rb_kpath **absent,
			size_t max, size_t *nabsent);

#endif
