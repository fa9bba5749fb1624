/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memory kinds: each maps an aligned region of the kind it names and can
 * prove the page size the kernel really used. The kinds are one table
 * (kinds.c: name, page size, class, provider); a kind is a provider file
 * and a row there.
 *
 * Life cycle, per sweep point:
 *   rb_mem_setup()     validate paths/devices, create and allocate the file
 *   rb_mem_map()       a fresh, untouched mapping (per iteration)
 *   ... touch / pin / migrate ...
 *   rb_mem_unmap()     munmap (cases time it)
 *   rb_mem_teardown()  close, unlink what refbench created
 *
 * Bad input (a non-DAX mount, a path that is not a dax device, a size that
 * is not a multiple of the granularity) is RB_ERR with a message naming the
 * fix. A missing optional resource (no --fsdax given, no huge pages
 * reserved) is RB_SKIP, naming what would provide it.
 */
#ifndef REFBENCH_MEM_H
#define REFBENCH_MEM_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/refbench.h"

/* The kinds, in report order: the row of each is in kinds.c. */
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

struct rb_mem {
	enum rb_kind kind;
	size_t size;		/* bytes mapped */
	size_t gran;		/* the page size the kind claims */
	void *addr;		/* current mapping, or NULL */
	int fd;			/* file, memfd or device; -1 for anon */
	bool created;		/* refbench created path and unlinks it */
	int map_flags_extra;	/* e.g. MAP_SYNC; set before rb_mem_map() */
	char path[PATH_MAX];
	char fs[16];		/* fsdax: "xfs", "ext4" */
	void *impl;		/* provider state (libpmem2 map for devdax) */
};

int rb_mem_setup(struct rb_mem *m, enum rb_kind kind, const struct rb_env *env,
		 size_t size, char *err, size_t errlen);
/* Cheap up-front check of a kind's inputs (size, paths, devices) before a
 * run writes anything: RB_OK, RB_SKIP (not given), RB_UNSUPPORTED, RB_ERR.
 * why: the reason, or with RB_OK what the kind would use ("" for none). */
int rb_mem_validate(enum rb_kind kind, const struct rb_env *env, size_t size,
		    char *why, size_t n);
int rb_mem_map(struct rb_mem *m, char *err, size_t errlen);
int rb_mem_unmap(struct rb_mem *m);
void rb_mem_teardown(struct rb_mem *m);

/* Write one byte every `stride` bytes (0: the kind's page size) of the
 * current mapping, so every page is present; returns the faults it took,
 * which is what rb_mem_check_faults() judges. */
uint64_t rb_mem_touch(const struct rb_mem *m, size_t stride);

/* Checks recorded on the iteration; each returns true when it holds. */
/* faults == size / gran (first touch of every page). */
bool rb_mem_check_faults(struct rb_iter *it, const struct rb_mem *m, uint64_t faults);
/* After a touch: the kernel's own word on the page size (smaps, the
 * device's alignment), where the kind has one. */
bool rb_mem_check_mapping(struct rb_iter *it, const struct rb_mem *m);

/* The kernel command-line arguments that reserve at boot what the kinds
 * need ("hugepagesz=2M hugepages=64 ..."): need[k] is the most bytes of
 * kind k that one point maps at a time. "" when no kind needs any. */
const char *rb_mem_boot_args(const size_t need[RB_KIND__COUNT], char *buf, size_t n);

/* Pure logic, unit-tested: what went wrong when counts disagree. */
const char *rb_mem_fault_diagnosis(enum rb_kind kind, size_t size, size_t gran,
				   uint64_t faults, char *buf, size_t n);

/* fsdax preconditions: statx DAX attribute and 2 MiB-aligned extents. */
struct rb_extent { uint64_t logical, physical, length; };
/* Returns the index of the first extent that breaks `align`, or -1. */
int rb_extents_misaligned(const struct rb_extent *e, unsigned n, uint64_t align);
int rb_fiemap(int fd, struct rb_extent *out, unsigned max, unsigned *n);
int rb_statx_dax(int fd, bool *is_dax);

/* devdax: the device's alignment from sysfs (or libdaxctl); 0 on error. */
uint64_t rb_devdax_align(const char *devpath, char *err, size_t errlen);
/* The given --devdax whose alignment is the kind's page size. */
int rb_devdax_pick(enum rb_kind kind, const struct rb_env *env, const char **out,
		   char *err, size_t n);

#endif
