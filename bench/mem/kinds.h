/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The memory kinds: one table (kinds.c), a row per kind. A row names the
 * kind, the page size it claims (what its fault count and mapping checks
 * prove), its class (what a suite's "baseline" and "dax" select) and its
 * provider. The mapping (mem.h, mem.c) reads the table; the table reads
 * nothing of the mapping: a row only points at its provider's ops
 * (struct rb_mem_ops, mem/kind.h).
 */
#ifndef REFBENCH_MEM_KINDS_H
#define REFBENCH_MEM_KINDS_H

#include <stddef.h>
#include <stdint.h>

/* The kinds, in report order. */
enum rb_kind {
	RB_KIND_NONE,		/* no memory under test (null case) */
	RB_KIND_ANON,		/* private anon, 4K forced (MADV_NOHUGEPAGE) */
	RB_KIND_THP,		/* private anon, MADV_HUGEPAGE, 2M aligned */
	RB_KIND_SHMEM,		/* memfd, shared */
	RB_KIND_HUGETLB_2M,	/* private anon, MAP_HUGETLB|MAP_HUGE_2MB: a PMD */
	RB_KIND_HUGETLB_1G,	/* private anon, MAP_HUGETLB|MAP_HUGE_1GB: a PUD */
	RB_KIND_FSDAX_PTE,	/* file on a DAX mount, VA/pgoff misaligned: 4K */
	RB_KIND_FSDAX_PMD,	/* file on a DAX mount, VA/pgoff 2M aligned */
	RB_KIND_DEVDAX_4K,	/* /dev/daxX.Y with align=4K */
	RB_KIND_DEVDAX_2M,	/* /dev/daxX.Y with align=2M */
	RB_KIND_DEVDAX_1G,	/* /dev/daxX.Y with align=1G (needs pdpe1gb) */
	RB_KIND__COUNT
};
#define RB_KIND_BIT(k) (1u << (k))
/* Every kind with memory: what a case that runs on any mapping supports. */
#define RB_KINDS_ALL ((RB_KIND_BIT(RB_KIND__COUNT) - 1) & ~RB_KIND_BIT(RB_KIND_NONE))

/* What a suite's "baseline" and "dax" select. */
enum rb_kind_class { RB_CLASS_NONE, RB_CLASS_BASELINE, RB_CLASS_DAX };

const char *rb_kind_name(int k);
int rb_kind_parse(const char *s);		/* -1 when unknown */
size_t rb_kind_gran(int k);			/* the mapping size the kind claims */
uint32_t rb_kind_mask(enum rb_kind_class c);	/* RB_KIND_BIT()s of that class */
/* "anon thp ...": every kind's name, for help texts. */
const char *rb_kind_names(char *buf, size_t n);

/* The rows, for the memory layer's own files (mem.c, verify.c). */
struct rb_mem_ops;	/* a provider's ops: mem/kind.h */

/* A fault count that says the kernel mapped smaller pages than the kind
 * claims: what it fell back to, and why that happens. */
struct rb_mem_fallback {
	size_t to;		/* the page size the faults count */
	const char *what;	/* "fell back to PTE" */
	const char *why;	/* the usual causes, naming the fix */
};

struct rb_mem_kind {
	const char *name;		/* as suites and samples name it */
	size_t gran;			/* the page size it claims */
	enum rb_kind_class class;	/* what "baseline" and "dax" select */
	const struct rb_mem_ops *ops;	/* the provider */
	struct rb_mem_fallback fallback;	/* optional */
};

extern const struct rb_mem_kind rb_mem_kinds[RB_KIND__COUNT];

#endif
