// SPDX-License-Identifier: GPL-2.0
/*
 * The memory kinds: one row each (kinds.h says what a row holds), and
 * what the rest of refbench asks of a kind by its number or its name.
 */
#include <stdio.h>
#include <string.h>

#include "mem/kinds.h"

#define SZ_4K (4096u)
#define SZ_2M (2u << 20)
#define SZ_1G (1u << 30)

/* The providers: one file each (struct rb_mem_ops is theirs, mem/kind.h:
 * a row only points at it). */
extern const struct rb_mem_ops rb_mem_anon_ops;		/* anon.c: anon, thp */
extern const struct rb_mem_ops rb_mem_shmem_ops;	/* shmem.c */
extern const struct rb_mem_ops rb_mem_hugetlb_ops;	/* hugetlb.c */
extern const struct rb_mem_ops rb_mem_fsdax_ops;	/* fsdax.c */
extern const struct rb_mem_ops rb_mem_devdax_ops;	/* devdax.c */

const struct rb_mem_kind rb_mem_kinds[RB_KIND__COUNT] = {
	[RB_KIND_NONE] = { .name = "none" },
	[RB_KIND_ANON] = {
		.name = "anon", .gran = SZ_4K, .class = RB_CLASS_BASELINE, .ops = &rb_mem_anon_ops,
	},
	[RB_KIND_THP] = {
		.name = "thp", .gran = SZ_2M, .class = RB_CLASS_BASELINE, .ops = &rb_mem_anon_ops,
		.fallback = { SZ_4K, "fell back to 4K PTEs", "no huge page was available (see "
			      "thp_fault_fallback in /proc/vmstat, THP defrag setting)" },
	},
	[RB_KIND_SHMEM] = {
		.name = "shmem", .gran = SZ_4K, .class = RB_CLASS_BASELINE, .ops = &rb_mem_shmem_ops,
	},
	[RB_KIND_HUGETLB_2M] = {
		.name = "hugetlb-2m", .gran = SZ_2M, .class = RB_CLASS_BASELINE, .ops = &rb_mem_hugetlb_ops,
	},
	[RB_KIND_HUGETLB_1G] = {
		.name = "hugetlb-1g", .gran = SZ_1G, .class = RB_CLASS_BASELINE, .ops = &rb_mem_hugetlb_ops,
	},
	[RB_KIND_FSDAX_PTE] = {
		.name = "fsdax-pte", .gran = SZ_4K, .class = RB_CLASS_DAX, .ops = &rb_mem_fsdax_ops,
	},
	[RB_KIND_FSDAX_PMD] = {
		.name = "fsdax-pmd", .gran = SZ_2M, .class = RB_CLASS_DAX, .ops = &rb_mem_fsdax_ops,
		.fallback = { SZ_4K, "fell back to PTE", "extents or mapping not 2 MiB aligned, "
			      "or CONFIG_FS_DAX_PMD off" },
	},
	[RB_KIND_DEVDAX_4K] = {
		.name = "devdax-4k", .gran = SZ_4K, .class = RB_CLASS_DAX, .ops = &rb_mem_devdax_ops,
	},
	[RB_KIND_DEVDAX_2M] = {
		.name = "devdax-2m", .gran = SZ_2M, .class = RB_CLASS_DAX, .ops = &rb_mem_devdax_ops,
	},
	[RB_KIND_DEVDAX_1G] = {
		.name = "devdax-1g", .gran = SZ_1G, .class = RB_CLASS_DAX, .ops = &rb_mem_devdax_ops,
		.fallback = { SZ_2M, "PUD fell back to PMD", "CPU lacks pdpe1gb or the kernel "
			      "lacks PUD DAX support" },
	},
};

const char *rb_kind_name(int k)
{
	return (unsigned)k < RB_KIND__COUNT ? rb_mem_kinds[k].name : "?";
}

int rb_kind_parse(const char *s)
{
	for (int k = 0; k < RB_KIND__COUNT; k++)
		if (!strcmp(s, rb_mem_kinds[k].name))
			return k;
	return -1;
}

size_t rb_kind_gran(int k)
{
	return (unsigned)k < RB_KIND__COUNT ? rb_mem_kinds[k].gran : 0;
}

uint32_t rb_kind_mask(enum rb_kind_class c)
{
	uint32_t mask = 0;

	for (int k = 0; k < RB_KIND__COUNT; k++)
		if (rb_mem_kinds[k].class == c)
			mask |= RB_KIND_BIT(k);
	return mask;
}

const char *rb_kind_names(char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int k = RB_KIND_NONE + 1; k < RB_KIND__COUNT && len < n; k++)
		len += (size_t)snprintf(buf + len, n - len, "%s%s", len ? " " : "", rb_mem_kinds[k].name);
	return buf;
}
