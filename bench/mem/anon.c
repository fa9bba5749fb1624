// SPDX-License-Identifier: GPL-2.0
/*
 * anon and thp: private anonymous memory whose page size is forced with
 * madvise, MADV_NOHUGEPAGE for anon (4K) and MADV_HUGEPAGE for thp (the
 * mapping 2M aligned). The row's page size says which.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "lib/sysfacts.h"
#include "mem/kind.h"

static bool huge(const struct rb_mem *m)
{
	return m->gran > 4096;
}

static int thp_validate(enum rb_kind kind, const struct rb_env *env, size_t size,
			char *err, size_t n)
{
	char mode[32];

	(void)env;
	(void)size;
	if (rb_kind_gran(kind) <= 4096)
		return RB_OK;
	if (rb_thp_mode(mode, sizeof(mode))) {
		snprintf(err, n, "no /sys/kernel/mm/transparent_hugepage: kernel built without "
			 "CONFIG_TRANSPARENT_HUGEPAGE");
		return RB_SKIP;
	}
	if (!strcmp(mode, "never")) {
		snprintf(err, n, "THP is disabled: echo madvise > "
			 "/sys/kernel/mm/transparent_hugepage/enabled");
		return RB_SKIP;
	}
	snprintf(err, n, "THP mode %s", mode);
	return RB_OK;
}

static int anon_setup(struct rb_mem *m, const struct rb_env *env, char *err, size_t n)
{
	return thp_validate(m->kind, env, m->size, err, n);
}

static int anon_map(struct rb_mem *m, char *err, size_t n)
{
	void *p = rb_mem_aligned_anon(m->size, huge(m) ? m->gran : 4096, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS);
	int r;

	if (p == MAP_FAILED) {
		snprintf(err, n, "mmap %zu bytes: %s", m->size, strerror(errno));
		return RB_ERR;
	}
	m->addr = p;
	r = rb_mem_force_page_size(m, huge(m), err, n);
	if (r != RB_OK) {
		munmap(m->addr, m->size);
		m->addr = NULL;
	}
	return r;
}

static bool anon_check_mapping(struct rb_iter *it, const struct rb_mem *m)
{
	struct rb_smaps_vma v;
	uint64_t size_kb = m->size >> 10;

	if (!rb_smaps_of(it, m, &v))
		return false;
	if (huge(m))
		return rb_check_counts(it, "smaps", "smaps.AnonHugePages", size_kb, v.anon_huge_kb,
				       "AnonHugePages %" PRIu64 " kB of %" PRIu64 " kB",
				       v.anon_huge_kb, size_kb);
	return rb_check_counts(it, "smaps", "smaps.AnonHugePages", 0, v.anon_huge_kb,
			       "AnonHugePages %" PRIu64 " kB (4K claimed)", v.anon_huge_kb);
}

const struct rb_mem_ops rb_mem_anon_ops = {
	.validate = thp_validate,
	.setup = anon_setup,
	.map = anon_map,
	.unmap = rb_mem_munmap,
	.check_mapping = anon_check_mapping,
};
