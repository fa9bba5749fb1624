// SPDX-License-Identifier: GPL-2.0
/*
 * contention: N threads on the same pages, so the refcount atomics (one per
 * folio: 512 pages share one on THP) bounce between CPUs.
 *   mode=pin:   every thread vmsplices the same buffer into its own pipe
 *               and drains it (get_user_pages_fast + put_page).
 *   mode=fault: every thread first-touches the same fresh mapping.
 * The value is per-page time as one thread sees it (wall time of the
 * slowest thread / pages): flat across N means no contention.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "lib/refbench.h"
#include "mem/mem.h"

#define MAX_THREADS 256
#define CHUNK (1u << 20)

static const struct rb_param_def contention_params[] = {
	{ .key = "mode", .def = "pin", .help = "pin | fault" },
	{ .key = "threads", .def = "1", .help = "thread count, or 'nproc'" },
	{ .key = "size", .def = "16M", .help = "shared buffer size" },
	{ .key = "loops", .def = "4", .help = "passes per thread (pin mode)" },
	{ NULL },
};

struct contention_state {
	struct rb_mem mem;
	bool pin;
	unsigned threads;
	uint64_t loops;
	uint64_t prefault_faults;
};

struct worker {
	pthread_t tid;
	unsigned idx;
	struct contention_state *s;
	const struct rb_env *env;
	pthread_barrier_t *bar;
	uint64_t t0, t1, faults;
	struct rb_counters ctr;
	struct rb_window w;
	int err;
};

static int contention_setup(struct rb_point *pt)
{
	struct contention_state *s = calloc(1, sizeof(*s));
	const char *mode = rb_param_str(&pt->params, "mode");
	const char *threads = rb_param_str(&pt->params, "threads");
	uint64_t size, n;
	char err[256];
	int r;

	if (!s)
		return RB_ERR;
	pt->priv = s;
	if (strcmp(mode, "pin") && strcmp(mode, "fault"))
		return rb_point_fail(pt, RB_ERR, "mode=%s: use pin or fault", mode);
	s->pin = !strcmp(mode, "pin");
	if (!strcmp(threads, "nproc"))
		n = (uint64_t)sysconf(_SC_NPROCESSORS_ONLN);
	else if (rb_parse_size(threads, &n) || !n || n > MAX_THREADS)
		return rb_point_fail(pt, RB_ERR, "threads=%s: 1..%d or nproc", threads, MAX_THREADS);
	s->threads = (unsigned)n;
	if (rb_param_u64(&pt->params, "size", &size) || rb_param_u64(&pt->params, "loops", &s->loops) ||
	    !s->loops || size % CHUNK)
		return rb_point_fail(pt, RB_ERR, "size must be a multiple of 1M, loops >= 1");
	r = rb_mem_setup(&s->mem, pt->kind, pt->env, size, pt->why, sizeof(pt->why));
	if (r != RB_OK || !s->pin)
		return r;
	r = rb_mem_map(&s->mem, err, sizeof(err));
	if (r != RB_OK)
		return rb_point_fail(pt, r, "%s", err);
	s->prefault_faults = rb_mem_touch(&s->mem, 0);
	return RB_OK;
}

static int pin_loop(struct worker *w)
{
	struct rb_mem *m = &w->s->mem;
	int p[2], null = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (null < 0 || pipe2(p, O_CLOEXEC) || fcntl(p[1], F_SETPIPE_SZ, CHUNK) < 0)
		return -errno;
	pthread_barrier_wait(w->bar);
	rb_window_begin(&w->ctr, &w->w);
	w->t0 = rb_now_ns();
	for (uint64_t l = 0; l < w->s->loops; l++)
		for (uint64_t off = 0; off < m->size; off += CHUNK) {
			struct iovec iov = { (char *)m->addr + off, CHUNK };
			if (vmsplice(p[1], &iov, 1, 0) != CHUNK ||
			    splice(p[0], NULL, null, NULL, CHUNK, 0) != CHUNK) {
				w->err = -EIO;
				break;
			}
		}
	w->t1 = rb_now_ns();
	rb_window_end(&w->ctr, &w->w);
	close(p[0]);
	close(p[1]);
	close(null);
	return w->err;
}

static void fault_loop(struct worker *w)
{
	struct rb_mem *m = &w->s->mem;
	uint64_t f0;

	pthread_barrier_wait(w->bar);
	f0 = rb_minflt_thread();
	rb_window_begin(&w->ctr, &w->w);
	w->t0 = rb_now_ns();
	for (char *p = m->addr, *end = p + m->size; p < end; p += m->gran)
		*(volatile char *)p = 1;
	w->t1 = rb_now_ns();
	rb_window_end(&w->ctr, &w->w);
	w->faults = rb_minflt_thread() - f0;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	rb_pin_cpu((int)(w->idx % (unsigned)(ncpu > 0 ? ncpu : 1)));
	rb_counters_open(&w->ctr, w->env->counters_mode, NULL);
	if (w->s->pin)
		w->err = pin_loop(w);
	else
		fault_loop(w);
	return NULL;
}

static int contention_iterate(struct rb_iter *it)
{
	struct contention_state *s = it->pt->priv;
	struct rb_mem *m = &s->mem;
	struct worker *w = calloc(s->threads, sizeof(*w));
	pthread_barrier_t bar;
	uint64_t t0 = UINT64_MAX, t1 = 0, faults = 0, pages;
	struct rb_window sum = { 0 };
	char err[256], unit[24];
	int r = RB_OK;

	if (!w)
		return RB_ERR;
	if (!s->pin && (r = rb_mem_map(m, err, sizeof(err))) != RB_OK) {
		free(w);
		return r == RB_SKIP ? rb_skip(it, "%s", err) : (rb_reject(it, "%s", err), RB_ERR);
	}
	pthread_barrier_init(&bar, NULL, s->threads);
	for (unsigned i = 0; i < s->threads; i++) {
		w[i] = (struct worker){ .idx = i, .s = s, .env = it->pt->env, .bar = &bar };
		if (pthread_create(&w[i].tid, NULL, worker_main, &w[i]))
			rb_die_usage("pthread_create: %s", strerror(errno));
	}
	for (unsigned i = 0; i < s->threads; i++) {
		pthread_join(w[i].tid, NULL);
		t0 = w[i].t0 < t0 ? w[i].t0 : t0;
		t1 = w[i].t1 > t1 ? w[i].t1 : t1;
		faults += w[i].faults;
		sum.irqs += w[i].w.irqs;
		if (w[i].err)
			r = rb_reject(it, "thread %u: vmsplice/splice failed (%s)", i, strerror(-w[i].err));
		/* counters: summed over threads when all used the same source */
		if (i == 0)
			sum.counts = w[i].w.counts;
		else if (w[i].w.counts.n == sum.counts.n && w[i].ctr.source == w[0].ctr.source)
			for (unsigned c = 0; c < sum.counts.n; c++) {
				sum.counts.val[c] += w[i].w.counts.val[c];
				sum.counts.ena[c] += w[i].w.counts.ena[c];
				sum.counts.run[c] += w[i].w.counts.run[c];
			}
		else
			sum.counts.n = 0;
	}
	/* one thread: its window is the sample's; several: no single window
	 * (the plugin's per-window counts cannot be joined to the sample) */
	sum.seq = s->threads == 1 ? w[0].w.seq : RB_WINDOW_NONE;
	pthread_barrier_destroy(&bar);
	for (unsigned i = 0; i < s->threads; i++)
		rb_counters_close(&w[i].ctr);
	free(w);
	sum.t0 = t0;
	sum.t1 = t1;
	pages = m->size / (s->pin ? 4096 : m->gran) * (s->pin ? s->loops : 1);
	if (s->pin) {
		rb_mem_check_faults(it, m, s->prefault_faults);
	} else {
		/* Racing threads may each fault the same page once; fewer than one
		 * fault per page, or more than one per thread, is wrong. */
		uint64_t want = m->size / m->gran;
		rb_check(it, "faults", "rusage.ru_minflt (all threads)",
			 faults >= want && faults <= want * s->threads,
			 "%llu faults by %u threads for %llu pages of %zu KiB",
			 (unsigned long long)faults, s->threads, (unsigned long long)want, m->gran >> 10);
	}
	rb_mem_check_mapping(it, m);
	if (!s->pin)
		rb_mem_unmap(m);
	if (r != RB_OK)
		return r;
	rb_emit_value(it, s->pin ? "get+put" : "fault", rb_time_unit(it->pt->env, "page", unit, sizeof(unit)),
		      (double)(t1 - t0) / (double)pages, pages * s->threads, &sum);
	return RB_OK;
}

static void contention_teardown(struct rb_point *pt)
{
	struct contention_state *s = pt->priv;

	if (s)
		rb_mem_teardown(&s->mem);
	free(s);
	pt->priv = NULL;
}

const struct rb_case rb_case_contention = {
	.name = "contention",
	.summary = "N threads pinning (vmsplice) or faulting the same pages",
	.kernel_paths = "folio refcount atomics in try_grab_folio/put_page; "
			"page table lock in the fault paths",
	.kinds = RB_KIND_BIT(RB_KIND_ANON) | RB_KIND_BIT(RB_KIND_THP) | RB_KIND_BIT(RB_KIND_SHMEM) |
		 RB_KIND_BIT(RB_KIND_FSDAX_PMD) | RB_KIND_BIT(RB_KIND_DEVDAX_2M) |
		 RB_KIND_BIT(RB_KIND_DEVDAX_1G),
	.params = contention_params,
	.multi_thread = true,
	.setup = contention_setup,
	.iterate = contention_iterate,
	.teardown = contention_teardown,
};
