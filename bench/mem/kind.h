/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The memory layer inside: a kind is a row of rb_mem_kinds[] (kinds.h)
 * and a provider, the ops that map and check it. mem.c and verify.c
 * dispatch through the row; providers never call back into them, and the
 * table never calls into either.
 */
#ifndef REFBENCH_MEM_KIND_H
#define REFBENCH_MEM_KIND_H

#include "mem/mem.h"

struct rb_mem_ops {
	/* Optional: can the kind be set up here with these inputs (paths,
	 * devices, reservations)? Cheap; nothing is left behind. why: the
	 * reason, or with RB_OK what it would use. */
	int (*validate)(enum rb_kind kind, const struct rb_env *env, size_t size,
			char *why, size_t n);
	/* Optional: per point (create the file, open the device). */
	int (*setup)(struct rb_mem *m, const struct rb_env *env, char *err, size_t n);
	int (*map)(struct rb_mem *m, char *err, size_t n);
	int (*unmap)(struct rb_mem *m);
	void (*teardown)(struct rb_mem *m);
	/* Optional: after a touch, the kernel's own word on the page size
	 * (smaps, the device's alignment), recorded as a check. */
	bool (*check_mapping)(struct rb_iter *it, const struct rb_mem *m);
	/* Optional: the kernel command-line arguments that reserve, at boot,
	 * what mapping size bytes of the kind takes (huge page pools). */
	void (*boot_arg)(enum rb_kind kind, size_t size, char *buf, size_t n);
};

/* vma.c: address space and what smaps says of it. */
/* Reserve size + align of address space and return an aligned start in
 * it, the slack released, so a later MAP_FIXED lands on an aligned VA. */
void *rb_mem_aligned_anon(size_t size, size_t align, int prot, int flags);
/* The unmap of a plain mapping: munmap, 0 or -errno. */
int rb_mem_munmap(struct rb_mem *m);
/* madvise the current mapping to huge (MADV_HUGEPAGE) or 4K pages
 * (MADV_NOHUGEPAGE): RB_OK, or why the page size cannot be forced (RB_SKIP
 * for huge pages, RB_ERR for 4K; a kernel without THP gives 4K anyway). */
int rb_mem_force_page_size(struct rb_mem *m, bool huge, char *err, size_t n);
struct rb_smaps_vma {
	bool found;
	uint64_t kernel_page_kb, anon_huge_kb, shmem_pmd_kb, file_pmd_kb, rss_kb;
};
/* The smaps fields of the current mapping's VMA; false, with a failed
 * "smaps" check recorded, when smaps does not list it. */
bool rb_smaps_of(struct rb_iter *it, const struct rb_mem *m, struct rb_smaps_vma *v);

#endif
