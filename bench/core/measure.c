// SPDX-License-Identifier: GPL-2.0
/* Measurement windows, metrics and the checks that make a sample valid. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "refbench.h"

/* Counters open first and the clock starts last, so the clock window sits
 * inside the counter window and neither includes the other's cost twice. */
void rb_window_begin(struct rb_counters *ctr, struct rb_window *w)
{
	rb_counters_start(ctr, &w->counts);
	w->t0 = rb_now_ns();
}

void rb_window_end(struct rb_counters *ctr, struct rb_window *w)
{
	w->t1 = rb_now_ns();
	rb_counters_stop(ctr, &w->counts);
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
		m->counters = w->counts;
	}
	return 0;
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
	it->status = status;
	vsnprintf(it->reason, sizeof(it->reason), fmt, ap);
	return status;
}

int rb_reject(struct rb_iter *it, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = end_iter(it, RB_REJECT, fmt, ap);
	va_end(ap);
	return r;
}

int rb_skip(struct rb_iter *it, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = end_iter(it, RB_SKIP, fmt, ap);
	va_end(ap);
	return r;
}

int rb_unsupported(struct rb_iter *it, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = end_iter(it, RB_UNSUPPORTED, fmt, ap);
	va_end(ap);
	return r;
}

int rb_point_fail(struct rb_point *pt, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(pt->why, sizeof(pt->why), fmt, ap);
	va_end(ap);
	return status;
}
