// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel functions each case's metrics cross, per mainline version
 * (kpaths.h). Read against the 6.1, 6.12 and 7.2 trees. Names only: the
 * booted kernel's symbols decide which are reported, so a static function
 * the compiler inlined simply does not appear. Bounds (since/until) are set
 * where a name stays but its role changes (try_grab_folio was GUP-fast's
 * grab until 6.9; from 6.10 that is try_grab_folio_fast and the old name is
 * slow GUP's), or where the path around it went away (the devmap branch of
 * put_page and the devmap leaf walkers: the FS DAX refcount rework in 6.15,
 * the pXX_devmap removal in 6.17).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kabi/kpaths.h"

#define UNTIL(a, b) .until = RB_KVER(a, b)
#define SINCE(a, b) .since = RB_KVER(a, b)
#define DAX "fsdax-pte fsdax-pmd devdax-4k devdax-2m devdax-1g"
#define FSDAX "fsdax-pte fsdax-pmd"
#define DEVDAX "devdax-4k devdax-2m devdax-1g"
#define HUGE "thp fsdax-pmd devdax-2m devdax-1g"
#define HUGETLB "hugetlb-2m hugetlb-1g"

/* ---- gup-fast: gup_test's GUP_FAST / PIN_FAST / PIN_LONGTERM */
static const struct rb_kpath gup_get[] = {
	{ .fn = "get_user_pages_fast" }, { .fn = "pin_user_pages_fast" },
	{ .fn = "internal_get_user_pages_fast", UNTIL(6, 9) },
	{ .fn = "gup_fast_fallback", SINCE(6, 10) }, { .fn = "gup_fast", SINCE(6, 10) },
	{ .fn = "gup_fast_pgd_range", SINCE(6, 10) },
	{ .fn = "gup_pte_range", UNTIL(6, 9) }, { .fn = "gup_fast_pte_range", SINCE(6, 10) },
	{ .fn = "gup_huge_pmd", .kinds = HUGE " hugetlb-2m", UNTIL(6, 9) },
	{ .fn = "gup_fast_pmd_leaf", .kinds = HUGE " hugetlb-2m", SINCE(6, 10) },
	{ .fn = "gup_huge_pud", .kinds = "devdax-1g hugetlb-1g", UNTIL(6, 9) },
	{ .fn = "gup_fast_pud_leaf", .kinds = "devdax-1g hugetlb-1g", SINCE(6, 10) },
	/* the devmap leaf walkers, until pXX_devmap went away */
	{ .fn = "__gup_device_huge", .kinds = DAX, UNTIL(6, 9) },
	{ .fn = "__gup_device_huge_pmd", .kinds = DAX, UNTIL(6, 9) },
	{ .fn = "__gup_fast_devmap", .kinds = DAX, SINCE(6, 10), UNTIL(6, 16) },
	{ .fn = "gup_fast_devmap_pmd_leaf", .kinds = DAX, SINCE(6, 10), UNTIL(6, 16) },
	{ .fn = "gup_fast_devmap_pud_leaf", .kinds = "devdax-1g", SINCE(6, 10), UNTIL(6, 16) },
	{ .fn = "try_grab_folio", UNTIL(6, 9) }, { .fn = "try_grab_folio_fast", SINCE(6, 10) },
	/* PIN_LONGTERM: the slow path */
	{ .fn = "pin_user_pages" }, { .fn = "__gup_longterm_locked" },
	{ .fn = "__get_user_pages" },
	{ .fn = "follow_page_mask" }, { .fn = "try_grab_page", UNTIL(6, 9) },
	{ .fn = "try_grab_folio", SINCE(6, 10) },
	{ .fn = NULL },
};
static const struct rb_kpath gup_put[] = {
	/* GUP_FAST_BENCHMARK puts with put_page(), PIN_* with unpin_user_pages() */
	{ .fn = "__folio_put" }, { .fn = "folio_put_refs" },
	{ .fn = "__put_devmap_managed_page_refs", .kinds = DAX, UNTIL(6, 14) },
	{ .fn = "__put_devmap_managed_folio_refs", .kinds = DAX, UNTIL(6, 14) },
	{ .fn = "free_zone_device_page", .kinds = DAX, UNTIL(6, 6) },
	{ .fn = "free_zone_device_folio", .kinds = DAX, SINCE(6, 7) },
	{ .fn = "unpin_user_pages" }, { .fn = "unpin_user_page" }, { .fn = "gup_put_folio" },
	{ .fn = NULL },
};
static const struct rb_kpath gup_ioctl[] = {
	{ .fn = "gup_test_ioctl" }, { .fn = "__gup_test_ioctl" },
	{ .fn = "get_user_pages_fast" }, { .fn = "pin_user_pages_fast" },
	{ .fn = "unpin_user_pages" },
	{ .fn = "__folio_put" },
	{ .fn = NULL },
};
static const struct rb_kpaths_metric gup_fast_metrics[] = {
	{ .metric = "get", .path = gup_get }, { .metric = "put", .path = gup_put },
	{ .metric = "ioctl", .path = gup_ioctl }, { .metric = NULL },
};

/* ---- fault: first touch of every page, then munmap */
static const struct rb_kpath fault_fault[] = {
	{ .fn = "handle_mm_fault" }, { .fn = "__handle_mm_fault" },
	{ .fn = "handle_pte_fault" },
	{ .fn = "do_anonymous_page", .kinds = "anon" },
	{ .fn = "do_huge_pmd_anonymous_page", .kinds = "thp" },
	{ .fn = "hugetlb_fault", .kinds = HUGETLB }, { .fn = "hugetlb_no_page", .kinds = HUGETLB },
	{ .fn = "vma_alloc_anon_folio_pmd", .kinds = "thp" },
	{ .fn = "do_fault", .kinds = "shmem " DAX },
	{ .fn = "do_read_fault", .kinds = "shmem " DAX },
	{ .fn = "do_shared_fault", .kinds = "shmem " DAX },
	{ .fn = "finish_fault", .kinds = "shmem" },
	{ .fn = "shmem_fault", .kinds = "shmem" },
	{ .fn = "filemap_map_pages", .kinds = "shmem" },
	{ .fn = "__xfs_filemap_fault", .kinds = FSDAX, UNTIL(6, 11) },
	{ .fn = "xfs_filemap_fault", .kinds = FSDAX },
	{ .fn = "xfs_filemap_huge_fault", .kinds = "fsdax-pmd" },
	{ .fn = "xfs_dax_fault_locked", .kinds = FSDAX, SINCE(6, 10) },
	{ .fn = "xfs_dax_read_fault", .kinds = FSDAX, SINCE(6, 10) },
	{ .fn = "ext4_dax_huge_fault", .kinds = FSDAX },
	{ .fn = "dax_iomap_fault", .kinds = FSDAX },
	{ .fn = "dax_iomap_pte_fault", .kinds = "fsdax-pte" },
	{ .fn = "dax_iomap_pmd_fault", .kinds = "fsdax-pmd" },
	{ .fn = "vmf_insert_mixed", .kinds = "fsdax-pte" },
	{ .fn = "vmf_insert_mixed_mkwrite", .kinds = "fsdax-pte" },
	{ .fn = "vmf_insert_page_mkwrite", .kinds = "fsdax-pte", SINCE(6, 15) },
	{ .fn = "vmf_insert_pfn_pmd_prot", .kinds = "fsdax-pmd devdax-2m", UNTIL(6, 8) },
	{ .fn = "vmf_insert_pfn_pmd", .kinds = "fsdax-pmd devdax-2m" },
	{ .fn = "vmf_insert_folio_pmd", .kinds = "fsdax-pmd", SINCE(6, 15) },
	{ .fn = "vmf_insert_pfn_pud_prot", .kinds = "devdax-1g", UNTIL(6, 8) },
	{ .fn = "vmf_insert_pfn_pud", .kinds = "devdax-1g" },
	{ .fn = "dev_dax_fault", .kinds = DEVDAX },
	{ .fn = "dev_dax_huge_fault", .kinds = DEVDAX },
	{ .fn = "__dev_dax_pte_fault", .kinds = "devdax-4k" },
	{ .fn = "__dev_dax_pmd_fault", .kinds = "devdax-2m" },
	{ .fn = "__dev_dax_pud_fault", .kinds = "devdax-1g" },
	{ .fn = NULL },
};
static const struct rb_kpath fault_munmap[] = {
	{ .fn = "__vm_munmap" }, { .fn = "do_mas_munmap", UNTIL(6, 1) },
	{ .fn = "do_vmi_munmap", SINCE(6, 2) }, { .fn = "do_vmi_align_munmap", SINCE(6, 2) },
	{ .fn = "unmap_region" }, { .fn = "unmap_vmas" }, { .fn = "unmap_single_vma" },
	{ .fn = "unmap_page_range" },
	{ .fn = "zap_pte_range" }, { .fn = "zap_pmd_range" },
	{ .fn = "zap_huge_pmd", .kinds = HUGE },
	{ .fn = "zap_huge_pud", .kinds = "devdax-1g" },
	{ .fn = "__unmap_hugepage_range", .kinds = HUGETLB },
	{ .fn = "tlb_finish_mmu" }, { .fn = "tlb_flush_mmu" }, { .fn = "free_pgtables" },
	{ .fn = "release_pages", UNTIL(6, 8) }, { .fn = "folios_put_refs", SINCE(6, 9) },
	{ .fn = NULL },
};
static const struct rb_kpaths_metric fault_metrics[] = {
	{ .metric = "fault", .path = fault_fault },
	{ .metric = "munmap", .path = fault_munmap },
	{ .metric = NULL },
};

/* ---- hmm-migrate: lib/test_hmm */
static const struct rb_kpath hmm_to_dev[] = {
	{ .fn = "dmirror_fops_unlocked_ioctl" }, { .fn = "dmirror_migrate_to_device" },
	{ .fn = "migrate_vma_setup" }, { .fn = "migrate_vma_collect_pmd" },
	{ .fn = "migrate_vma_pages" },
	{ .fn = "migrate_vma_finalize" }, { .fn = "dmirror_migrate_alloc_and_copy" },
	{ .fn = "dmirror_devmem_alloc_page" }, { .fn = "dmirror_migrate_finalize_and_map" },
	{ .fn = "dmirror_do_read" },
	{ .fn = NULL },
};
static const struct rb_kpath hmm_fault_back[] = {
	{ .fn = "handle_mm_fault" }, { .fn = "do_swap_page" },
	{ .fn = "do_huge_pmd_device_private", .kinds = "thp", SINCE(6, 19) },
	{ .fn = "dmirror_devmem_fault" }, { .fn = "dmirror_devmem_fault_alloc_and_copy" },
	{ .fn = "migrate_vma_setup" }, { .fn = "migrate_vma_pages" },
	{ .fn = "migrate_vma_finalize" },
	{ .fn = NULL },
};
static const struct rb_kpath hmm_to_sys[] = {
	{ .fn = "dmirror_fops_unlocked_ioctl" }, { .fn = "dmirror_migrate_to_system" },
	{ .fn = "dmirror_devmem_fault_alloc_and_copy" },
	{ .fn = "migrate_vma_setup" }, { .fn = "migrate_vma_pages" },
	{ .fn = "migrate_vma_finalize" },
	{ .fn = NULL },
};
static const struct rb_kpaths_metric hmm_metrics[] = {
	{ .metric = "to-dev", .path = hmm_to_dev },
	{ .metric = "fault-back", .path = hmm_fault_back },
	{ .metric = "to-sys", .path = hmm_to_sys },
	{ .metric = NULL },
};

/* ---- gup-user: vmsplice (get/put) and O_DIRECT (pin/unpin) */
static const struct rb_kpath user_get[] = {
	{ .fn = "__do_sys_vmsplice" }, { .fn = "vmsplice_to_pipe" }, { .fn = "iter_to_pipe" },
	{ .fn = "iov_iter_get_pages2" }, { .fn = "get_user_pages_fast" },
	{ .fn = "internal_get_user_pages_fast", UNTIL(6, 9) },
	{ .fn = "gup_fast_fallback", SINCE(6, 10) },
	{ .fn = "try_grab_folio", UNTIL(6, 9) }, { .fn = "try_grab_folio_fast", SINCE(6, 10) },
	{ .fn = NULL },
};
static const struct rb_kpath user_put[] = {
	{ .fn = "splice_to_pipe" }, { .fn = "pipe_read" }, { .fn = "splice_from_pipe" },
	{ .fn = "user_page_pipe_buf_release" }, { .fn = "generic_pipe_buf_release" },
	{ .fn = "page_cache_pipe_buf_release" }, { .fn = "__folio_put" },
	{ .fn = NULL },
};
static const struct rb_kpath user_dio[] = {
	{ .fn = "blkdev_read_iter" }, { .fn = "blkdev_direct_IO" },
	{ .fn = "__blkdev_direct_IO_simple" },
	{ .fn = "bio_iov_iter_get_pages" }, { .fn = "iov_iter_get_pages2", UNTIL(6, 2) },
	{ .fn = "iov_iter_extract_pages", SINCE(6, 3) },
	{ .fn = "get_user_pages_fast", UNTIL(6, 2) },
	{ .fn = "pin_user_pages_fast", SINCE(6, 3) },
	{ .fn = "__bio_release_pages" }, { .fn = "unpin_user_page", SINCE(6, 3) },
	{ .fn = "unpin_user_folio", SINCE(6, 11) },
	{ .fn = NULL },
};
static const struct rb_kpaths_metric gup_user_metrics[] = {
	{ .metric = "get", .path = user_get }, { .metric = "put", .path = user_put },
	{ .metric = "get+put", .path = user_get },
	{ .metric = "dio-read", .path = user_dio }, { .metric = NULL },
};

/* ---- contention: the same pages from N threads */
static const struct rb_kpath cont_pin[] = {
	{ .fn = "__do_sys_vmsplice" }, { .fn = "iov_iter_get_pages2" },
	{ .fn = "get_user_pages_fast" },
	{ .fn = "try_grab_folio", UNTIL(6, 9) }, { .fn = "try_grab_folio_fast", SINCE(6, 10) },
	{ .fn = "__folio_put" },
	{ .fn = NULL },
};
static const struct rb_kpaths_metric contention_metrics[] = {
	{ .metric = "get+put", .path = cont_pin }, { .metric = "fault", .path = fault_fault },
	{ .metric = NULL },
};

/* ---- fio on DAX */
static const struct rb_kpath fio_dio[] = {
	{ .fn = "bio_iov_iter_get_pages" }, { .fn = "iov_iter_get_pages2", UNTIL(6, 2) },
	{ .fn = "iov_iter_extract_pages", SINCE(6, 3) },
	{ .fn = "get_user_pages_fast", UNTIL(6, 2) },
	{ .fn = "pin_user_pages_fast", SINCE(6, 3) },
	{ .fn = "gup_fast_pmd_leaf", .kinds = "fsdax-pmd", SINCE(6, 10) },
	{ .fn = "gup_fast_devmap_pmd_leaf", .kinds = FSDAX, SINCE(6, 10), UNTIL(6, 16) },
	{ .fn = "__gup_device_huge_pmd", .kinds = FSDAX, UNTIL(6, 9) },
	{ .fn = "__gup_device_huge", .kinds = FSDAX, UNTIL(6, 9) },
	{ .fn = "__bio_release_pages" }, { .fn = "unpin_user_page", SINCE(6, 3) },
	{ .fn = NULL },
};
static const struct rb_kpaths_metric fio_dio_metrics[] = {
	{ .metric = "iops", .path = fio_dio }, { .metric = "lat", .path = fio_dio },
	{ .metric = "lat-p99", .path = fio_dio }, { .metric = NULL },
};
static const struct rb_kpath fio_mfault[] = {
	{ .fn = "handle_mm_fault" }, { .fn = "dax_iomap_fault" },
	{ .fn = "dax_iomap_pmd_fault" },
	{ .fn = "xfs_filemap_huge_fault" }, { .fn = "ext4_dax_huge_fault" },
	{ .fn = "vmf_insert_pfn_pmd" }, { .fn = "vmf_insert_folio_pmd", SINCE(6, 15) },
	{ .fn = NULL },
};
static const struct rb_kpaths_metric fio_mmap_metrics[] = {
	{ .metric = "fault", .path = fio_mfault },
	{ .metric = "fault-p99", .path = fio_mfault },
	{ .metric = "bw", .path = fio_mfault }, { .metric = NULL },
};
static const struct rb_kpath fio_dd[] = {
	{ .fn = "dev_dax_huge_fault", .kinds = DEVDAX },
	{ .fn = "__dev_dax_pmd_fault", .kinds = "devdax-2m" },
	{ .fn = "__dev_dax_pud_fault", .kinds = "devdax-1g" },
	{ .fn = "dax_iomap_pmd_fault", .kinds = "fsdax-pmd" },
	{ .fn = NULL },
};
static const struct rb_kpaths_metric fio_devdax_metrics[] = {
	{ .metric = "bw", .path = fio_dd }, { .metric = NULL },
};

const struct rb_kpaths_case rb_kpaths_cases[] = {
	{ .name = "gup-fast", .metrics = gup_fast_metrics },
	{ .name = "fault", .metrics = fault_metrics },
	{ .name = "hmm-migrate", .metrics = hmm_metrics },
	{ .name = "gup-user", .metrics = gup_user_metrics },
	{ .name = "contention", .metrics = contention_metrics },
	{ .name = "fio-dio-daxbuf", .metrics = fio_dio_metrics },
	{ .name = "fio-mmap-fault", .metrics = fio_mmap_metrics },
	{ .name = "fio-devdax", .metrics = fio_devdax_metrics },
	{ .name = NULL },
};

const struct rb_kpaths_case *rb_kpaths_case(const char *name)
{
	for (const struct rb_kpaths_case *c = rb_kpaths_cases; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

const char *rb_kpaths_unknown(struct rb_kver v, char *why, size_t n)
{
	if (rb_kver_cmp(v, RB_KPATHS_SINCE) >= 0 && rb_kver_cmp(v, RB_KPATHS_UNTIL) <= 0)
		return NULL;
	snprintf(why, n, "no kernel-path table for %u.%u: bench/kabi/kpaths.c declares %s",
		 v.major, v.minor, RB_KPATHS_KNOWN_TEXT);
	return why;
}

static bool unset(struct rb_kver v)
{
	return !v.major && !v.minor;
}

bool rb_kpath_applies(const struct rb_kpath *p, struct rb_kver v)
{
	return (unset(p->since) || rb_kver_cmp(v, p->since) >= 0) &&
	       (unset(p->until) || rb_kver_cmp(v, p->until) <= 0);
}

/* The table's distinct names, sorted: the symbol set is one flag each. */
static const char **names;
static size_t nnames;

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int table_names(void)
{
	size_t cap = 0, k = 0;

	if (names)
		return 0;
	for (const struct rb_kpaths_case *c = rb_kpaths_cases; c->name; c++)
		for (const struct rb_kpaths_metric *m = c->metrics; m->metric; m++)
			for (const struct rb_kpath *p = m->path; p->fn; p++)
				cap++;
	names = malloc(cap * sizeof(*names));
	if (!names)
		return -ENOMEM;
	for (const struct rb_kpaths_case *c = rb_kpaths_cases; c->name; c++)
		for (const struct rb_kpaths_metric *m = c->metrics; m->metric; m++)
			for (const struct rb_kpath *p = m->path; p->fn; p++)
				names[k++] = p->fn;
	qsort(names, k, sizeof(*names), cmp_str);
	nnames = 0;
	for (size_t i = 0; i < k; i++)
		if (!nnames || strcmp(names[nnames - 1], names[i]))
			names[nnames++] = names[i];
	return 0;
}

static long name_index(const char *fn, size_t len)
{
	size_t lo = 0, hi = nnames;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strncmp(names[mid], fn, len);

		if (!c && names[mid][len])
			c = 1;
		if (!c)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* One "ADDR TYPE NAME [MODULE]" line; GCC's clones (name.isra.0,
 * name.constprop.0, name.part.0) count as the function itself. */
static void scan_line(struct rb_ksyms *s, const char *l, size_t len)
{
	const char *end = l + len, *name;
	size_t nl;
	long i;

	for (int field = 0; field < 2; field++) {
		while (l < end && *l != ' ' && *l != '\t')
			l++;
		while (l < end && (*l == ' ' || *l == '\t'))
			l++;
	}
	name = l;
	while (l < end && *l != ' ' && *l != '\t' && *l != '\n')
		l++;
	nl = (size_t)(l - name);
	if (!nl)
		return;
	s->symbols++;
	for (size_t k = 0; k < nl; k++)
		if (name[k] == '.') {
			nl = k;
			break;
		}
	i = name_index(name, nl);
	if (i >= 0)
		s->have[i] = true;
}

int rb_ksyms_parse(struct rb_ksyms *s, const char *text)
{
	if (table_names())
		return -ENOMEM;
	s->have = calloc(nnames ? nnames : 1, sizeof(*s->have));
	s->symbols = 0;
	if (!s->have)
		return -ENOMEM;
	for (const char *l = text; l && *l; ) {
		const char *eol = strchr(l, '\n');
		size_t len = eol ? (size_t)(eol - l) : strlen(l);

		scan_line(s, l, len);
		l = eol ? eol + 1 : NULL;
	}
	return s->symbols ? 0 : -ENODATA;
}

int rb_ksyms_load(struct rb_ksyms *s, const char *path)
{
	FILE *f = fopen(path, "re");
	char line[512];
	int e;

	memset(s, 0, sizeof(*s));
	snprintf(s->source, sizeof(s->source), "%s", path);
	if (!f)
		return -errno;
	if (table_names() || !(s->have = calloc(nnames ? nnames : 1, sizeof(*s->have)))) {
		fclose(f);
		return -ENOMEM;
	}
	while (fgets(line, sizeof(line), f))
		scan_line(s, line, strlen(line));
	e = ferror(f) ? -EIO : 0;
	fclose(f);
	return e ? e : s->symbols ? 0 : -ENODATA;
}

bool rb_ksyms_has(const struct rb_ksyms *s, const char *fn)
{
	long i;

	if (!s || !s->have || table_names())
		return false;
	i = name_index(fn, strlen(fn));
	return i >= 0 && s->have[i];
}

void rb_ksyms_free(struct rb_ksyms *s)
{
	free(s->have);
	s->have = NULL;
}

int rb_ksyms_booted(struct rb_ksyms *s, const char *system_map)
{
	int e = rb_ksyms_load(s, "/proc/kallsyms");

	if (!e || !system_map)
		return e;
	rb_ksyms_free(s);
	return rb_ksyms_load(s, system_map);
}

size_t rb_kpaths_select(const struct rb_kpath *path, struct rb_kver v, const struct rb_ksyms *syms,
			const struct rb_kpath **present, const struct rb_kpath **absent,
			size_t max, size_t *nabsent)
{
	size_t np = 0, na = 0;

	for (const struct rb_kpath *p = path; p->fn; p++) {
		bool dup = false;

		if (!rb_kpath_applies(p, v))
			continue;
		for (size_t i = 0; i < np; i++)
			dup |= !strcmp(present[i]->fn, p->fn);
		for (size_t i = 0; i < na; i++)
			dup |= !strcmp(absent[i]->fn, p->fn);
		if (dup)
			continue;
		if (rb_ksyms_has(syms, p->fn)) {
			if (np < max)
				present[np++] = p;
		} else if (na < max) {
			absent[na++] = p;
		}
	}
	*nabsent = na;
	return np;
}
