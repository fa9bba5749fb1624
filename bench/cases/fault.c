// SPDX-License-Identifier: GPL-2.0
/*
 * fault: first touch (read or write) of every page of a fresh mapping, then
 * its teardown, timed separately: munmap() (metric "munmap": zap, page
 * tables, the VMA and its maple tree), or with teardown=dontneed
 * madvise(MADV_DONTNEED) alone (metric "zap": the page-table entries and
 * the page references, the path a refcount change moves), munmap()
 * then unmeasured. munmap's window also allocates and frees maple-tree
 * nodes, whose slab slow paths come and go with the history of the
 * caches (+-100 to 500 instructions a call); the zap window has none. One touch per page of the kind's size, so
 * the fault count must equal size / page size, or the sample is rejected:
 * a "PMD" number that was really PTE faults is never reported.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "lib/refbench.h"
#include "lib/tracepoint.h"
#include "mem/mem.h"

static const struct rb_param_def fault_params[] = {
	{ .key = "size", .def = "64M", .help = "bytes mapped and touched per sample" },
	{ .key = "access", .def = "write", .help = "read | write (first touch)" },
	{ .key = "sync", .def = "0", .help = "1: MAP_SHARED_VALIDATE|MAP_SYNC (fsdax, devdax)" },
	{ .key = "teardown", .def = "munmap", .help = "munmap (metric munmap) | dontneed "
						      "(MADV_DONTNEED: metric zap)" },
	{ NULL },
};

struct fault_state {
	struct rb_mem mem;
	bool write;
	bool dontneed;
	struct rb_tp pmd_done;	/* fs_dax:dax_pmd_fault_done, fsdax-pmd only */
	bool have_tp;
	char tp_why[160];
};

static int fault_setup(struct rb_point *pt)
{
	struct fault_state *s = calloc(1, sizeof(*s));
	const char *access = rb_param_str(&pt->params, "access");
	const char *sync = rb_param_str(&pt->params, "sync");
	uint64_t size;
	int r;

	if (!s)
		return RB_ERR;
	pt->priv = s;
	if (strcmp(access, "read") && strcmp(access, "write"))
		return rb_point_fail(pt, RB_ERR, "access=%s: use read or write", access);
	s->write = !strcmp(access, "write");
	{
		const char *td = rb_param_str(&pt->params, "teardown");
		if (strcmp(td, "munmap") && strcmp(td, "dontneed"))
			return rb_point_fail(pt, RB_ERR, "teardown=%s: use munmap or dontneed", td);
		s->dontneed = !strcmp(td, "dontneed");
	}
	if (rb_param_u64(&pt->params, "size", &size))
		return rb_point_fail(pt, RB_ERR, "size=%s is not a size",
				     rb_param_str(&pt->params, "size"));
	r = rb_mem_setup(&s->mem, pt->kind, pt->env, size, pt->why, sizeof(pt->why));
	if (r != RB_OK)
		return r;
	/* A second witness for fsdax PMD faults, where the kernel has it. */
	if (pt->kind == RB_KIND_FSDAX_PMD)
		s->have_tp = !rb_tp_open(&s->pmd_done, "fs_dax/dax_pmd_fault_done", 0, false,
					  s->tp_why, sizeof(s->tp_why));
	if (strcmp(sync, "0")) {
		if (pt->kind != RB_KIND_FSDAX_PTE && pt->kind != RB_KIND_FSDAX_PMD)
			return rb_point_fail(pt, RB_SKIP, "sync=1 (MAP_SYNC) applies to fsdax only");
		s->mem.map_flags_extra = MAP_SYNC;
	}
	return RB_OK;
}

static int fault_iterate(struct rb_iter *it)
{
	struct fault_state *s = it->pt->priv;
	struct rb_mem *m = &s->mem;
	struct rb_window touch, unmap;
	uint64_t f0, f1, pages = m->size / m->gran, tp0 = 0, tp1 = 0;
	volatile char sink = 0;
	char err[256];
	int r = rb_mem_map(m, err, sizeof(err));

	if (r != RB_OK) {
		if (r == RB_UNSUPPORTED)
			return rb_unsupported(it, "%s", err);
		return r == RB_SKIP ? rb_skip(it, "%s", err) : (rb_reject(it, "%s", err), RB_ERR);
	}
	if (s->have_tp)
		rb_tp_read(&s->pmd_done, &tp0);
	/* A write fault on a DAX file updates its mtime when the coarse clock
	 * moved since the last update (file_update_time: an xfs transaction,
	 * ~2500 instructions): stamp it now, so the window pays that only when
	 * a tick lands inside it, which the interrupt count then shows. */
	if (s->write && (m->kind == RB_KIND_FSDAX_PTE || m->kind == RB_KIND_FSDAX_PMD))
		futimens(m->fd, NULL);
	f0 = rb_minflt_thread();
	rb_window_begin(it->ctr, &touch);
	if (s->write)
		for (char *p = m->addr, *end = p + m->size; p < end; p += m->gran)
			*(volatile char *)p = 1;
	else
		for (char *p = m->addr, *end = p + m->size; p < end; p += m->gran)
			sink += *(volatile char *)p;
	rb_window_end(it->ctr, &touch);
	f1 = rb_minflt_thread();
	if (s->have_tp)
		rb_tp_read(&s->pmd_done, &tp1);
	(void)sink;

	rb_mem_check_faults(it, m, f1 - f0);
	if (s->have_tp)
		/* it fires once per PMD fault, done or fallen back: with the
		 * fault count equal too, every fault was a PMD fault */
		rb_check_counts(it, "tracepoint", "fs_dax:dax_pmd_fault_done", pages, tp1 - tp0,
				"%llu PMD fault completions", (unsigned long long)(tp1 - tp0));
	else if (m->kind == RB_KIND_FSDAX_PMD)
		rb_check(it, "tracepoint", "unavailable", true, "not checked: %s", s->tp_why);
	if (!s->write && m->kind == RB_KIND_THP)
		/* a read maps the huge zero page, which smaps does not count */
		rb_check(it, "smaps", "n/a (huge zero page)", true,
			 "read faults map the huge zero page; the fault count is the proof");
	else
		rb_mem_check_mapping(it, m);

	rb_window_begin(it->ctr, &unmap);
	if (s->dontneed)
		r = madvise(m->addr, m->size, MADV_DONTNEED) ? -errno : 0;
	else
		r = rb_mem_unmap(m);
	rb_window_end(it->ctr, &unmap);
	if (r && s->dontneed) {
		rb_mem_unmap(m);
		return rb_reject(it, "madvise(MADV_DONTNEED) on %s: %s", rb_kind_name(m->kind),
				 strerror(-r)), RB_ERR;
	}
	if (s->dontneed)
		r = rb_mem_unmap(m);
	if (r)
		return rb_reject(it, "munmap failed: %d", r), RB_ERR;
	rb_emit_window(it, "fault", "page", pages, &touch);
	rb_emit_window(it, s->dontneed ? "zap" : "munmap", "page", pages, &unmap);
	return RB_OK;
}

static void fault_teardown(struct rb_point *pt)
{
	struct fault_state *s = pt->priv;

	if (s) {
		rb_mem_teardown(&s->mem);
		if (s->have_tp)
			rb_tp_close(&s->pmd_done);
	}
	free(s);
	pt->priv = NULL;
}

const struct rb_case rb_case_fault = {
	.name = "fault",
	.summary = "first touch of every page of a fresh mapping, then munmap",
	.kernel_paths = "do_anonymous_page, do_huge_pmd_anonymous_page, shmem_fault, "
			"hugetlb_fault, dax_iomap_pte_fault/pmd_fault, dev_dax_huge_fault, "
			"zap_*_range",
	.kinds = RB_KINDS_ALL,
	.params = fault_params,
	.setup = fault_setup,
	.iterate = fault_iterate,
	.teardown = fault_teardown,
};
