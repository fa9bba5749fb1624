// SPDX-License-Identifier: GPL-2.0
/* Measurement windows, metrics and the checks that make a sample valid. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/refbench.h"
#include "window_marker.h"

/* Windows in the order this process opened them: the QEMU plugin numbers
 * the markers it sees the same way, which joins its counts to a sample. */
static uint64_t window_seq;

/*
 * munmap() drains this CPU's LRU batches (lru_add_drain()). Folios that
 * earlier work left there (refbench's own allocations, a fio run) would
 * otherwise be moved to the LRU inside the next window, at a point that
 * depends on that history: seen as +-300 instructions in an 8-page
 * munmap. Draining before every window makes each one start from empty
 * batches.
 */
static void drain_cpu_batches(void)
{
	void *p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p != MAP_FAILED)
		munmap(p, 4096);
}

uint64_t rb_interrupts_total(void)
{
	static int fd = -2;
	char buf[512], *p;
	ssize_t n;

	if (fd == -2)
		fd = open("/proc/stat", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	/* "intr N ..." comes after the cpu lines: read until it is in view */
	for (size_t want = sizeof(buf);; want *= 2) {
		char *b = want == sizeof(buf) ? buf : malloc(want);
		if (!b)
			return 0;
		n = pread(fd, b, want - 1, 0);
		if (n > 0) {
			b[n] = '\0';
			p = strstr(b, "\nintr ");
			if (p || (size_t)n < want - 1) {
				uint64_t v = p ? strtoull(p + 6, NULL, 10) : 0;
				if (b != buf)
					free(b);
				return v;
			}
		}
		if (b != buf)
			free(b);
		if (n <= 0 || want > (1 << 20))
			return 0;
	}
}

/* Counters open first and the clock starts last, so the clock window sits
 * inside the counter window and neither includes the other's cost twice.
 * The interrupt count brackets both: an interrupt taken anywhere between
 * the two reads marks the window. */
void rb_window_begin(struct rb_counters *ctr, struct rb_window *w)
{
	drain_cpu_batches();
	/* a kthread a tick woke during the last window runs now, not in
	 * this one (seen as a preemption in a 278000-instruction zap right
	 * after a long fault window) */
	sched_yield();
	w->irq0 = rb_interrupts_total();
	w->csw0 = rb_preempted_thread();
	rb_counters_start(ctr, &w->counts);
	w->seq = __atomic_fetch_add(&window_seq, 1, __ATOMIC_RELAXED);
	w->t0 = rb_now_ns();
	rb_marker_begin();
}

void rb_window_end(struct rb_counters *ctr, struct rb_window *w)
{
	rb_marker_end();
	w->t1 = rb_now_ns();
	rb_counters_stop(ctr, &w->counts);
	w->irqs = rb_interrupts_total() - w->irq0;
	w->csws = rb_preempted_thread() - w->csw0;
}

static struct rb_metric *new_metric(struct rb_iter *it, const char *name)
{
	struct rb_metric *m;

	if (it->n_metrics == RB_MAX_METRICS)
		return NULL;
	m = &it->metrics[it->n_metrics++];
	memset(m, 0, sizeof(*m));
	rb_strlcpy(m->name, name, sizeof(m->name));
	return m;
}

int rb_emit_value(struct rb_iter *it, const char *metric, const char *unit,
		  double value, uint64_t ops, const struct rb_window *w)
{
	struct rb_metric *m = new_metric(it, metric);

	if (!m)
		return -ENOSPC;
	rb_strlcpy(m->unit, unit, sizeof(m->unit));
	m->value = value;
	m->ops = ops;
	if (w) {
		m->has_window = true;
		m->window = w->seq;
		m->window_ns = rb_window_ns(w);
		m->irqs = w->irqs;
		m->csws = w->csws;
		m->counters = w->counts;
	}
	return 0;
}

void rb_metric_resolution(struct rb_iter *it, double resolution)
{
	if (it->n_metrics)
		it->metrics[it->n_metrics - 1].resolution = resolution;
}

int rb_emit_window(struct rb_iter *it, const char *metric, const char *per,
		   uint64_t ops, const struct rb_window *w)
{
	char unit[24];

	if (!ops)
		return -EINVAL;
	rb_time_unit(it->pt->env, per, unit, sizeof(unit));
	return rb_emit_value(it, metric, unit, (double)rb_window_ns(w) / (double)ops, ops, w);
}

static struct rb_check *new_check(struct rb_iter *it, const char *what, const char *method)
{
	struct rb_check *c;

	if (it->n_checks == RB_MAX_CHECKS)
		c = &it->checks[RB_MAX_CHECKS - 1];	/* keep the newest verdict */
	else
		c = &it->checks[it->n_checks++];
	memset(c, 0, sizeof(*c));
	rb_strlcpy(c->what, what, sizeof(c->what));
	rb_strlcpy(c->method, method, sizeof(c->method));
	return c;
}

static void fail_iter(struct rb_iter *it, const struct rb_check *c)
{
	if (it->status == RB_OK) {
		it->status = RB_REJECT;
		snprintf(it->reason, sizeof(it->reason), "%s check failed: %s", c->what, c->detail);
	}
}

bool rb_check_counts(struct rb_iter *it, const char *what, const char *method,
		     uint64_t expected, uint64_t observed, const char *fmt, ...)
{
	struct rb_check *c = new_check(it, what, method);
	va_list ap;

	c->has_counts = true;
	c->expected = expected;
	c->observed = observed;
	c->ok = expected == observed;
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
		va_end(ap);
	}
	if (!c->ok)
		fail_iter(it, c);
	return c->ok;
}

bool rb_check(struct rb_iter *it, const char *what, const char *method, bool ok,
	      const char *fmt, ...)
{
	struct rb_check *c = new_check(it, what, method);
	va_list ap;

	c->ok = ok;
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
		va_end(ap);
	}
	if (!ok)
		fail_iter(it, c);
	return ok;
}

static int end_iter(struct rb_iter *it, int status, const char *fmt, va_list ap)
{
	/* an error of the harness stays one: a later reject does not hide it */
	if (it->status == RB_ERR && status != RB_ERR)
		return status;
	it->status = status;
	vsnprintf(it->reason, sizeof(it->reason), fmt, ap);
	return status;
}

/* rb_reject, rb_iter_error, rb_skip, rb_unsupported: end_iter with a status */
#define END_ITER_AS(name, status)					\
int name(struct rb_iter *it, const char *fmt, ...)			\
{									\
	va_list ap;							\
	int r;								\
									\
	va_start(ap, fmt);						\
	r = end_iter(it, status, fmt, ap);				\
	va_end(ap);							\
	return r;							\
}
END_ITER_AS(rb_reject, RB_REJECT)
END_ITER_AS(rb_iter_error, RB_ERR)
END_ITER_AS(rb_skip, RB_SKIP)
END_ITER_AS(rb_unsupported, RB_UNSUPPORTED)

int rb_point_fail(struct rb_point *pt, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(pt->why, sizeof(pt->why), fmt, ap);
	va_end(ap);
	return status;
}

/* The unit's quantity before "/": a time (ns, insn, ...) cannot be zero;
 * nothing refbench measures is negative. */
bool rb_value_possible(const char *unit, double value, char *why, size_t n)
{
	static const char *const times[] = { "ns", "us", "ms", "s", "insn", "cycles", NULL };
	size_t q = strcspn(unit ? unit : "", "/");

	if (!isfinite(value)) {
		snprintf(why, n, "value %g is not a finite number", value);
		return false;
	}
	if (value < 0) {
		snprintf(why, n, "value %g %s is negative: no measured quantity is", value, unit);
		return false;
	}
	for (const char *const *t = times; value == 0 && unit && *t; t++)
		if (strlen(*t) == q && !strncmp(unit, *t, q)) {
			snprintf(why, n, "value 0 %s: a time cannot be zero", unit);
			return false;
		}
	return true;
}
