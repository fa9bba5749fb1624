// SPDX-License-Identifier: GPL-2.0
/*
 * gup-fast: the kernel's own GUP benchmark (debugfs gup_test) on present
 * pages of every memory kind.
 *
 *   cmd=gup           GUP_FAST_BENCHMARK: get_user_pages_fast + put_page
 *   cmd=pin           PIN_FAST_BENCHMARK: pin_user_pages_fast + unpin_user_pages
 *   cmd=pin-longterm  PIN_LONGTERM_BENCHMARK: pin_user_pages(FOLL_LONGTERM) +
 *                     unpin (the slow path: the kernel offers no fast one)
 *
 * The kernel times get and put itself, in whole µs per ioctl; refbench loops
 * the ioctl until each sum reaches min_us and reports ns (or, in
 * deterministic mode, guest instructions) per page. The userspace window
 * around the loop carries the counters as the "ioctl" metric (get + put +
 * syscall), since counters cannot be split between get and put.
 *
 * Every page is touched once at setup, with the fault count and smaps
 * checked against the kind; each sample then proves no page was faulted in
 * during its calls (so GUP-fast ran on present pages) and that the kernel did
 * not shrink `size` (a GUP call that failed part-way).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kabi/gup_test.h"
#include "lib/refbench.h"
#include "lib/sysfacts.h"
#include "mem/mem.h"

#define GUP_MAX_CALLS 10000u		/* per sample; beyond it, raise size */
#define GUP_MAX_TICK_ERR_PCT 10.0	/* µs truncation beyond this: not a number */

struct gup_fast {
	struct rb_mem mem;
	int fd;
	const struct rb_gup_abi *abi;
	enum rb_gup_cmd cmd;
	bool write;
	uint32_t nr_per_call;
	uint64_t min_us;
	unsigned calls;			/* ioctls per sample */
	size_t page_size;
	uint64_t pages;			/* per ioctl */
	uint64_t touch_faults;		/* first touch at setup */
	unsigned long ioctl_nr;
	unsigned char args[RB_GUP_ARGS_MAX];	/* encoded request, copied per call */
};

static const struct rb_param_def gup_fast_params[] = {
	{ "cmd", "gup", "gup (get_user_pages_fast + put_page), pin (pin_user_pages_fast + "
			"unpin_user_pages), pin-longterm (pin_user_pages FOLL_LONGTERM)" },
	{ "nr_pages_per_call", "512", "pages per GUP call inside the kernel loop (sweep 1,16,512)" },
	{ "write", "0", "1 passes FOLL_WRITE" },
	{ "size", "64M", "bytes pinned per ioctl; devdax-1g needs a multiple of 1G" },
	{ "calls", "auto", "ioctls per sample; auto: enough for get and put to reach min_us each" },
	{ "min_us", "1000", "least kernel-timed get and put per sample, in us" },
	{ NULL, NULL, NULL },
};

static int gup_fast_probe(const struct rb_env *env, char *why, size_t n)
{
	char rel[128], detail[256], val[16];
	const struct rb_gup_abi *abi;
	int fd;

	(void)env;
	fd = rb_gup_open_detect(rb_kernel_release(rel, sizeof(rel)), &abi, detail, sizeof(detail));
	if (fd >= 0) {
		close(fd);
		return RB_OK;
	}
	if (fd == -ENOENT) {
		struct rb_gup_absence a = { .debugfs_mounted = rb_debugfs_mounted() };

		a.config_gup_test = rb_kconfig("GUP_TEST", val, sizeof(val), &a.config_source);
		rb_gup_absent_reason(&a, why, n);
		return RB_SKIP;
	}
	snprintf(why, n, "%s", detail);
	/* no layout answered: refbench's declarations need an update */
	return fd == -EINVAL ? RB_ERR : RB_SKIP;
}

static void gup_fast_free(struct gup_fast *g)
{
	if (!g)
		return;
	if (g->fd >= 0)
		close(g->fd);
	rb_mem_teardown(&g->mem);
	free(g);
}


struct gup_sums {
	uint64_t get_us, put_us;
	unsigned done;			/* calls that returned */
	int err;			/* errno of a failed ioctl, or 0 */
	bool truncated;
	unsigned trunc_call;		/* first call that came back short */
	uint64_t trunc_size;
};

/* The hot loop: `calls` benchmark ioctls, summing the kernel's deltas. */
static void run_calls(struct gup_fast *g, unsigned calls, struct gup_sums *s)
{
	unsigned char buf[RB_GUP_ARGS_MAX];
	struct rb_gup_args out;

	memset(s, 0, sizeof(*s));
	for (unsigned i = 0; i < calls; i++) {
		/* the kernel writes size back: every call starts from the request */
		memcpy(buf, g->args, g->abi->struct_size);
		if (ioctl(g->fd, g->ioctl_nr, buf)) {
			s->err = errno;
			break;
		}
		rb_gup_decode(g->abi, buf, &out);
		s->get_us += out.get_delta_usec;
		s->put_us += out.put_delta_usec;
		s->done++;
		if (out.size != g->mem.size && !s->truncated) {
			s->truncated = true;
			s->trunc_call = i;
			s->trunc_size = out.size;
		}
	}
}

/*
 * pin-longterm covered zero bytes: the kernel said no. gup_test's benchmark
 * swallows the errno; PIN_LONGTERM_TEST_START (6.2+) returns it, so ask
 * that with one page. Returns false when the page pins fine after all.
 */
static bool longterm_refusal(struct gup_fast *g, char *why, size_t n)
{
	struct rb_pin_longterm_test t = {
		.addr = (uintptr_t)g->mem.addr, .size = g->page_size,
		.flags = g->write ? RB_PIN_LONGTERM_TEST_FLAG_USE_WRITE : 0,
	};
	bool fsdax = g->mem.kind == RB_KIND_FSDAX_PTE || g->mem.kind == RB_KIND_FSDAX_PMD;
	int e;

	if (!g->abi->has_longterm_test) {
		snprintf(why, n, "the kernel pinned 0 pages of %s with FOLL_LONGTERM (%s does not "
			 "pass the errno back)%s", rb_kind_name(g->mem.kind), g->abi->name,
			 fsdax ? "; on fsdax mm/gup.c answers -EOPNOTSUPP: no longterm pins of "
				 "fsdax VMAs" : "");
		return true;
	}
	if (!ioctl(g->fd, rb_gup_longterm_start_ioctl(), &t)) {
		ioctl(g->fd, rb_gup_longterm_stop_ioctl());
		return false;
	}
	e = errno;
	snprintf(why, n, "the kernel refused a longterm pin of %s: %s (errno %d from "
		 "PIN_LONGTERM_TEST_START%s)", rb_kind_name(g->mem.kind), strerror(e), e,
		 e == EINVAL ? "; EINVAL also means another process holds that test" : "");
	return true;
}

static int param_u64(struct rb_point *pt, const char *key, uint64_t lo, uint64_t hi,
		     uint64_t *out)
{
	const char *s = rb_param_str(&pt->params, key);

	if (!s || rb_parse_size(s, out) || *out < lo || *out > hi)
		return rb_point_fail(pt, RB_ERR, "gup-fast: %s=%s: give a number from %" PRIu64
				     " to %" PRIu64, key, s ? s : "(missing)", lo, hi);
	return RB_OK;
}

/*
 * Find how many calls make each kernel-timed sum reach min_us. The first
 * round only warms up: a cold first call (page tables, the translation cache
 * under TCG) can take 2-4 times a warm one, and a plan made from it falls
 * short on every sample after.
 */
static void calibrate(struct gup_fast *g, bool autocalls, struct gup_sums *s)
{
	unsigned calls = autocalls ? 1 : g->calls;

	for (unsigned round = 0; round < 6; round++) {
		run_calls(g, calls, s);
		if (!autocalls || s->err || s->truncated)
			break;
		g->calls = rb_gup_plan_calls(s->get_us, s->put_us, calls, g->min_us, GUP_MAX_CALLS);
		if (round && ((s->get_us >= g->min_us && s->put_us >= g->min_us) ||
			      calls == GUP_MAX_CALLS))
			break;
		calls = g->calls;
	}
	if (autocalls && (s->err || s->truncated))
		g->calls = 1;
}

static int gup_fast_setup(struct rb_point *pt)
{
	const char *cmd = rb_param_str(&pt->params, "cmd");
	const char *calls = rb_param_str(&pt->params, "calls");
	char rel[128], err[256];
	uint64_t v, size;
	struct gup_sums s;
	struct gup_fast *g;
	int r;

	g = calloc(1, sizeof(*g));
	if (!g)
		return rb_point_fail(pt, RB_ERR, "gup-fast: out of memory");
	g->fd = -1;
	g->mem.fd = -1;
	g->page_size = (size_t)sysconf(_SC_PAGESIZE);
	if ((r = rb_gup_cmd_parse(cmd)) < 0) {
		r = rb_point_fail(pt, RB_ERR, "gup-fast: cmd=%s: use gup, pin or pin-longterm",
				  cmd ? cmd : "(missing)");
		goto fail;
	}
	g->cmd = (enum rb_gup_cmd)r;
	if ((r = param_u64(pt, "nr_pages_per_call", 1, UINT32_MAX, &v)))
		goto fail;
	g->nr_per_call = (uint32_t)v;
	if ((r = param_u64(pt, "write", 0, 1, &v)))
		goto fail;
	g->write = v;
	if ((r = param_u64(pt, "min_us", 1, 60000000, &g->min_us)))
		goto fail;
	if ((r = param_u64(pt, "size", 1, UINT64_MAX, &size)))
		goto fail;
	if (!calls || strcmp(calls, "auto")) {
		if ((r = param_u64(pt, "calls", 1, GUP_MAX_CALLS * 10, &v)))
			goto fail;
		g->calls = (unsigned)v;
	}

	g->fd = rb_gup_open_detect(rb_kernel_release(rel, sizeof(rel)), &g->abi, err, sizeof(err));
	if (g->fd < 0) {
		r = rb_point_fail(pt, RB_SKIP, "gup-fast: %s", err);
		goto fail;
	}
	r = rb_mem_setup(&g->mem, pt->kind, pt->env, size, err, sizeof(err));
	if (r == RB_OK)
		r = rb_mem_map(&g->mem, err, sizeof(err));
	if (r != RB_OK) {
		r = rb_point_fail(pt, r, "%s", err);
		goto fail;
	}
	g->pages = g->mem.size / g->page_size;
	/* one byte per base page: every page present, the faults counted */
	g->touch_faults = rb_mem_touch(&g->mem, g->page_size);

	rb_gup_encode(g->abi, &(struct rb_gup_args){
			.addr = (uintptr_t)g->mem.addr, .size = g->mem.size,
			.nr_pages_per_call = g->nr_per_call,
			.gup_flags = rb_gup_flags(g->abi, g->write) }, g->args);
	g->ioctl_nr = rb_gup_ioctl(g->abi, g->cmd);

	calibrate(g, !calls || !strcmp(calls, "auto"), &s);
	if (s.err) {
		r = rb_point_fail(pt, RB_ERR, "gup-fast: %s ioctl failed: %s (size=%zu: ENOMEM "
				  "means the kernel could not allocate the page array; lower size)",
				  g->abi->name, strerror(s.err), g->mem.size);
		goto fail;
	}
	if (g->cmd == RB_GUP_CMD_PIN_LONGTERM && s.truncated && !s.trunc_size &&
	    longterm_refusal(g, err, sizeof(err))) {
		r = rb_point_fail(pt, RB_UNSUPPORTED, "%s", err);
		goto fail;
	}
	pt->priv = g;
	return RB_OK;

fail:
	gup_fast_free(g);
	return r;
}

static int gup_fast_iterate(struct rb_iter *it)
{
	struct gup_fast *g = it->pt->priv;
	char unit[24], why[256];
	struct rb_window w;
	struct gup_sums s;
	uint64_t f0, faults, ops, least;
	double tick_err;

	/* the setup touch proves the mapping; smaps says it still is */
	if (!rb_mem_check_faults(it, &g->mem, g->touch_faults) ||
	    !rb_mem_check_mapping(it, &g->mem))
		return it->status;

	f0 = rb_minflt_thread();
	rb_window_begin(it->ctr, &w);
	run_calls(g, g->calls, &s);
	rb_window_end(it->ctr, &w);
	faults = rb_minflt_thread() - f0;

	if (s.err)
		return rb_reject(it, "%s ioctl failed on call %u of %u: %s", g->abi->name,
				 s.done + 1, g->calls, strerror(s.err));
	if (s.truncated) {
		if (g->cmd == RB_GUP_CMD_PIN_LONGTERM && !s.trunc_size &&
		    longterm_refusal(g, why, sizeof(why)))
			return rb_unsupported(it, "%s", why);
		rb_gup_truncation(g->mem.size, s.trunc_size, g->page_size, why, sizeof(why));
		return rb_reject(it, "call %u of %u: %s", s.trunc_call + 1, g->calls, why);
	}
	if (!rb_check_counts(it, "present", "rusage.ru_minflt", 0, faults,
			     "%" PRIu64 " page faults inside the gup_test calls%s", faults,
			     faults ? ": GUP left the fast path to fault pages in" : ""))
		return it->status;

	least = s.get_us < s.put_us ? s.get_us : s.put_us;
	tick_err = rb_gup_tick_error_pct(g->calls, least);
	if (!rb_check(it, "timer", "gup_test.get/put_delta_usec",
		      least >= g->min_us && tick_err <= GUP_MAX_TICK_ERR_PCT,
		      "%s ioctl 0x%lx: get %" PRIu64 " us, put %" PRIu64 " us over %u calls (want "
		      ">= %" PRIu64 " us each; us truncation error < %.2f%%)%s", g->abi->name,
		      g->ioctl_nr, s.get_us, s.put_us, g->calls, g->min_us, tick_err,
		      least >= g->min_us && tick_err <= GUP_MAX_TICK_ERR_PCT ? "" :
		      ": raise size or calls"))
		return it->status;

	ops = (uint64_t)g->calls * g->pages;
	rb_time_unit(it->pt->env, "page", unit, sizeof(unit));
	/* each call's time is truncated to whole us: the sum is short by less
	 * than one us per call, i.e. 1000 ns (instructions) / pages per page */
	rb_emit_value(it, "get", unit, rb_gup_ns_per_page(s.get_us, g->calls, g->pages), ops, NULL);
	rb_metric_resolution(it, 1000.0 / (double)g->pages);
	rb_emit_value(it, "put", unit, rb_gup_ns_per_page(s.put_us, g->calls, g->pages), ops, NULL);
	rb_metric_resolution(it, 1000.0 / (double)g->pages);
	rb_emit_window(it, "ioctl", "page", ops, &w);
	return it->status;
}

static void gup_fast_teardown(struct rb_point *pt)
{
	gup_fast_free(pt->priv);
	pt->priv = NULL;
}

const struct rb_case rb_case_gup_fast = {
	.name = "gup-fast",
	.summary = "gup_test GUP-fast/pin-fast (+ longterm) on present pages; kernel-timed "
		   "get and put per page",
	.kernel_paths = "get_user_pages_fast/pin_user_pages_fast: gup_fast_pte_range, "
			"gup_fast_pmd_leaf, gup_fast_pud_leaf, try_grab_folio, devmap branches; "
			"put_page, unpin_user_pages/gup_put_folio",
	.kinds = RB_KINDS_ALL,
	.params = gup_fast_params,
	.probe = gup_fast_probe,
	.setup = gup_fast_setup,
	.iterate = gup_fast_iterate,
	.teardown = gup_fast_teardown,
};
