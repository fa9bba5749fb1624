// SPDX-License-Identifier: GPL-2.0
/*
 * Proof that a mapping is what its kind claims: the fault count of a first
 * touch, and smaps where the kernel reports the page size.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem/mem.h"

const char *rb_mem_fault_diagnosis(enum rb_kind kind, size_t size, size_t gran,
				   uint64_t faults, char *buf, size_t n)
{
	uint64_t want = gran ? size / gran : 0;

	if (faults == want) {
		snprintf(buf, n, "%" PRIu64 " faults = size / %zu KiB", faults, gran >> 10);
		return buf;
	}
	if (gran > 4096 && faults == size / 4096) {
		switch (kind) {
		case RB_KIND_THP:
			snprintf(buf, n, "fell back to 4K PTEs (%" PRIu64 " faults, want %" PRIu64
				 "): no huge page was available (see thp_fault_fallback in "
				 "/proc/vmstat, THP defrag setting)", faults, want);
			break;
		case RB_KIND_FSDAX_PMD:
			snprintf(buf, n, "fell back to PTE (%" PRIu64 " faults, want %" PRIu64
				 "): extents or mapping not 2 MiB aligned, or CONFIG_FS_DAX_PMD "
				 "off", faults, want);
			break;
		default:
			snprintf(buf, n, "fell back to 4K (%" PRIu64 " faults, want %" PRIu64 ")",
				 faults, want);
		}
		return buf;
	}
	if (kind == RB_KIND_DEVDAX_1G && faults == size / (2u << 20)) {
		snprintf(buf, n, "PUD fell back to PMD (%" PRIu64 " faults, want %" PRIu64
			 "): CPU lacks pdpe1gb or the kernel lacks PUD DAX support", faults, want);
		return buf;
	}
	if (gran == 4096 && faults == size / (2u << 20)) {
		snprintf(buf, n, "got 2M pages where 4K was claimed (%" PRIu64 " faults, want %"
			 PRIu64 "): MADV_NOHUGEPAGE not honoured (CONFIG_ADVISE_SYSCALLS?)",
			 faults, want);
		return buf;
	}
	if (faults < want)
		snprintf(buf, n, "%" PRIu64 " faults, fewer than the %" PRIu64 " expected: pages "
			 "were already present (prefault, fault-around or a reused mapping)",
			 faults, want);
	else
		snprintf(buf, n, "%" PRIu64 " faults, more than the %" PRIu64 " expected: mixed "
			 "page sizes or extra faults in the timed loop", faults, want);
	return buf;
}

uint64_t rb_mem_touch(const struct rb_mem *m, size_t stride)
{
	volatile char *p = m->addr;
	uint64_t f0 = rb_minflt_thread();

	if (!stride)
		stride = m->gran;
	for (size_t off = 0; off < m->size; off += stride)
		p[off] = 1;
	return rb_minflt_thread() - f0;
}

bool rb_mem_check_faults(struct rb_iter *it, const struct rb_mem *m, uint64_t faults)
{
	char why[256];

	rb_mem_fault_diagnosis(m->kind, m->size, m->gran, faults, why, sizeof(why));
	return rb_check_counts(it, "faults", "rusage.ru_minflt", m->size / m->gran, faults,
			       "%s", why);
}

/* smaps fields of the VMA that starts at addr. */
struct smaps_vma {
	bool found;
	uint64_t kernel_page_kb, anon_huge_kb, shmem_pmd_kb, file_pmd_kb, rss_kb;
};

static void read_smaps(const void *addr, struct smaps_vma *v)
{
	FILE *f = fopen("/proc/self/smaps", "re");
	char line[512];
	bool in = false;
	uintptr_t a = (uintptr_t)addr;

	memset(v, 0, sizeof(*v));
	if (!f)
		return;
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
}

bool rb_mem_check_mapping(struct rb_iter *it, const struct rb_mem *m)
{
	struct smaps_vma v;
	uint64_t size_kb = m->size >> 10;

	if (m->kind == RB_KIND_DEVDAX_4K || m->kind == RB_KIND_DEVDAX_2M ||
	    m->kind == RB_KIND_DEVDAX_1G) {
		/*
		 * Not smaps: its page walk has no pud_entry, so walk_pud_range()
		 * calls split_huge_pud(), which zaps a device-dax PUD (seen on
		 * 6.1: every smaps read cost the next GUP a fault). smaps'
		 * KernelPageSize for device-dax is the device's alignment anyway.
		 */
		char err[256];
		uint64_t align = rb_devdax_align(m->path, err, sizeof(err));

		return rb_check_counts(it, "page-size", "sysfs dax align", m->gran, align,
				       "%s align %" PRIu64 " (what smaps' KernelPageSize reports)",
				       m->path, align);
	}
	read_smaps(m->addr, &v);
	if (!v.found)
		return rb_check(it, "smaps", "/proc/self/smaps", false,
				"mapping at %p not found in smaps", m->addr);
	switch (m->kind) {
	case RB_KIND_THP:
		return rb_check_counts(it, "smaps", "smaps.AnonHugePages", size_kb, v.anon_huge_kb,
				       "AnonHugePages %" PRIu64 " kB of %" PRIu64 " kB",
				       v.anon_huge_kb, size_kb);
	case RB_KIND_ANON:
		return rb_check_counts(it, "smaps", "smaps.AnonHugePages", 0, v.anon_huge_kb,
				       "AnonHugePages %" PRIu64 " kB (4K claimed)", v.anon_huge_kb);
	case RB_KIND_SHMEM:
		return rb_check_counts(it, "smaps", "smaps.ShmemPmdMapped", 0, v.shmem_pmd_kb,
				       "ShmemPmdMapped %" PRIu64 " kB (4K claimed)", v.shmem_pmd_kb);
	default:
		/* fsdax: smaps does not count DAX PMDs; the fault count and the
		 * extent check at setup are the proof. */
		return true;
	}
}
