// SPDX-License-Identifier: GPL-2.0
/*
 * hugetlb-2m, hugetlb-1g: private anonymous memory from the kernel's pool
 * of huge pages (MAP_HUGETLB with the page size in MAP_HUGE_*), the non-DAX
 * baselines of a PMD and a PUD mapping. The kernel maps such memory at
 * the huge page size or not at all, and only from pages reserved
 * beforehand; so the one thing to prove before a run is that the pool
 * holds enough free pages, and the fix when it does not is to reserve
 * them (1 GiB pages at boot, while memory is unfragmented).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/sysfacts.h"
#include "mem/kind.h"

#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT 26
#endif

#define POOLS "/sys/kernel/mm/hugepages"

/* One counter of the pool of gran-sized pages; false when there is none. */
static bool pool_count(size_t gran, const char *what, uint64_t *v)
{
	char path[128], buf[32];

	snprintf(path, sizeof(path), POOLS "/hugepages-%zukB/%s", gran >> 10, what);
	if (rb_read_text(path, buf, sizeof(buf)))
		return false;
	*v = strtoull(buf, NULL, 10);
	return true;
}

static const char *page_name(size_t gran)
{
	return gran >= (1u << 30) ? "1 GiB" : "2 MiB";
}

/* the kernel command line asks for such pages (a boot-time reservation) */
static bool asked_at_boot(const char *arg)
{
	char *cmdline = rb_read_file("/proc/cmdline", 4096);
	bool yes = cmdline && strstr(cmdline, arg);

	free(cmdline);
	return yes;
}

static int hugetlb_validate(enum rb_kind kind, const struct rb_env *env, size_t size,
			    char *why, size_t n)
{
	size_t gran = rb_kind_gran(kind);
	uint64_t need = size / gran, total, free, resv;

	(void)env;
	if (access(POOLS, F_OK)) {
		snprintf(why, n, "no " POOLS ": the kernel lacks CONFIG_HUGETLBFS");
		return RB_SKIP;
	}
	if (!pool_count(gran, "nr_hugepages", &total) || !pool_count(gran, "free_hugepages", &free) ||
	    !pool_count(gran, "resv_hugepages", &resv)) {
		if (gran >= (1u << 30) && !rb_cpu_has("pdpe1gb")) {
			snprintf(why, n, "unsupported: CPU lacks pdpe1gb, so no 1 GiB (PUD) pages "
				 "(under QEMU use -cpu max, or a host CPU with pdpe1gb)");
			return RB_UNSUPPORTED;
		}
		snprintf(why, n, "this kernel has no %s huge pages (no " POOLS "/hugepages-%zukB)",
			 page_name(gran), gran >> 10);
		return RB_SKIP;
	}
	free = free > resv ? free - resv : 0;
	if (free < need) {
		uint64_t want = total + need - free;

		bool asked = gran >= (1u << 30) && asked_at_boot("hugepagesz=1G");

		if (asked && total < need)
			snprintf(why, n, "%" PRIu64 " of the %" PRIu64 " 1 GiB huge pages %s needs are "
				 "free: the command line asks for them (hugepagesz=1G), but at boot the "
				 "kernel found no free, aligned GiB of RAM; boot with more RAM (under "
				 "scripts/lab: --mem)", free, need, rb_kind_name(kind));
		else if (gran >= (1u << 30))
			snprintf(why, n, "%" PRIu64 " of the %" PRIu64 " 1 GiB huge pages %s needs are "
				 "free: boot with hugepagesz=1G hugepages=%" PRIu64 " on the kernel "
				 "command line (or echo %" PRIu64 " > " POOLS "/hugepages-1048576kB/"
				 "nr_hugepages while memory is unfragmented)", free, need,
				 rb_kind_name(kind), want, want);
		else
			snprintf(why, n, "%" PRIu64 " of the %" PRIu64 " 2 MiB huge pages %s needs are "
				 "free: echo %" PRIu64 " > /proc/sys/vm/nr_hugepages (or hugepagesz=2M "
				 "hugepages=%" PRIu64 " on the kernel command line)", free, need,
				 rb_kind_name(kind), want, want);
		return RB_SKIP;
	}
	snprintf(why, n, "%" PRIu64 " free %s huge pages", free, page_name(gran));
	return RB_OK;
}

static int hugetlb_setup(struct rb_mem *m, const struct rb_env *env, char *err, size_t n)
{
	return hugetlb_validate(m->kind, env, m->size, err, n);
}

static int hugetlb_map(struct rb_mem *m, char *err, size_t n)
{
	int huge = __builtin_ctzl(m->gran) << MAP_HUGE_SHIFT;
	void *p = mmap(NULL, m->size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | huge, -1, 0);

	if (p == MAP_FAILED) {
		int e = errno;

		/* the pool was there at setup: someone else took the pages */
		snprintf(err, n, "mmap %zu bytes of %s huge pages: %s%s", m->size,
			 page_name(m->gran), strerror(e), e == ENOMEM ?
			 " (the pool has too few free pages now: reserve more)" : "");
		return e == ENOMEM ? RB_SKIP : RB_ERR;
	}
	m->addr = p;
	return RB_OK;
}

static bool hugetlb_check_mapping(struct rb_iter *it, const struct rb_mem *m)
{
	struct rb_smaps_vma v;

	if (!rb_smaps_of(it, m, &v))
		return false;
	return rb_check_counts(it, "smaps", "smaps.KernelPageSize", m->gran >> 10, v.kernel_page_kb,
			       "KernelPageSize %" PRIu64 " kB", v.kernel_page_kb);
}

/* Pools are best filled at boot, 1 GiB pages above all: later, memory
 * may be too fragmented to give one. */
static void hugetlb_boot_arg(enum rb_kind kind, size_t size, char *buf, size_t n)
{
	size_t gran = rb_kind_gran(kind);

	snprintf(buf, n, "hugepagesz=%s hugepages=%zu", gran >= (1u << 30) ? "1G" : "2M",
		 (size + gran - 1) / gran);
}

const struct rb_mem_ops rb_mem_hugetlb_ops = {
	.validate = hugetlb_validate,
	.setup = hugetlb_setup,
	.map = hugetlb_map,
	.unmap = rb_mem_munmap,
	.check_mapping = hugetlb_check_mapping,
	.boot_arg = hugetlb_boot_arg,
};
