/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memory kinds: each maps an aligned region of the kind it names and can
 * prove the page size the kernel really used. The kinds are one table
 * (kinds.h, kinds.c: name, page size, class, provider); a kind is a
 * provider file and a row there.
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
#include "mem/kinds.h"

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
