// SPDX-License-Identifier: GPL-2.0
/* Address space for the providers: aligned reservations, and what smaps
 * says of a mapping. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "mem/kind.h"

void *rb_mem_aligned_anon(size_t size, size_t align, int prot, int flags)
{
	size_t len = size + align;
	char *p = mmap(NULL, len, prot, flags, -1, 0);
	char *a, *end;

	if (p == MAP_FAILED)
		return MAP_FAILED;
	a = (char *)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1));
	end = a + size;
	if (a > p)
		munmap(p, (size_t)(a - p));
	if (p + len > end)
		munmap(end, (size_t)(p + len - end));
	return a;
}

int rb_mem_munmap(struct rb_mem *m)
{
	return munmap(m->addr, m->size) ? -errno : 0;
}

int rb_mem_force_page_size(struct rb_mem *m, bool huge, char *err, size_t n)
{
	if (!madvise(m->addr, m->size, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE))
		return RB_OK;
	snprintf(err, n, "madvise(%s): %s; the kernel lacks CONFIG_ADVISE_SYSCALLS "
		 "(or CONFIG_TRANSPARENT_HUGEPAGE), so the page size cannot be forced",
		 huge ? "MADV_HUGEPAGE" : "MADV_NOHUGEPAGE", strerror(errno));
	/* Without THP support at all, 4K is what anon gets anyway. */
	if (errno == EINVAL && !huge)
		return RB_OK;
	return huge ? RB_SKIP : RB_ERR;
}

/* 0, or -errno when smaps cannot be read at all */
static int read_smaps(const void *addr, struct rb_smaps_vma *v)
{
	FILE *f = fopen("/proc/self/smaps", "re");
	char line[512];
	bool in = false;
	uintptr_t a = (uintptr_t)addr;

	memset(v, 0, sizeof(*v));
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		unsigned long long kb;

		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
			if (in)
				break;
			in = a >= lo && a < hi;
			v->found |= in;
			continue;
		}
		if (!in)
			continue;
		if (sscanf(line, "KernelPageSize: %llu kB", &kb) == 1) v->kernel_page_kb = kb;
		else if (sscanf(line, "AnonHugePages: %llu kB", &kb) == 1) v->anon_huge_kb = kb;
		else if (sscanf(line, "ShmemPmdMapped: %llu kB", &kb) == 1) v->shmem_pmd_kb = kb;
		else if (sscanf(line, "FilePmdMapped: %llu kB", &kb) == 1) v->file_pmd_kb = kb;
		else if (sscanf(line, "Rss: %llu kB", &kb) == 1) v->rss_kb = kb;
	}
	fclose(f);
	return 0;
}

bool rb_smaps_of(struct rb_iter *it, const struct rb_mem *m, struct rb_smaps_vma *v)
{
	int e = read_smaps(m->addr, v);

	/* refbench could not look (no descriptor left, say): its failure,
	 * not the kernel's, so an error and not a rejection */
	if (e) {
		rb_iter_error(it, "cannot read /proc/self/smaps to check the mapping: %s", strerror(-e));
		return false;
	}
	if (!v->found)
		return rb_check(it, "smaps", "/proc/self/smaps", false,
				"mapping at %p not found in smaps", m->addr);
	return true;
}
