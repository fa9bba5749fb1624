// SPDX-License-Identifier: GPL-2.0
/*
 * The libperf backend of rb_perf_ops: one evlist for the group (leader
 * first) and one for stand-alone events, on the calling thread (pid 0,
 * any CPU). Only the group leader is toggled, so the group starts and
 * stops as one.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/perf_event.h>
#include <perf/core.h>
#include <perf/evlist.h>
#include <perf/evsel.h>
#include <perf/threadmap.h>

#include "lib/counters.h"

struct lp_state {
	struct perf_thread_map *threads;
	struct perf_evlist *group, *single;
	struct perf_evsel *leader;
	struct perf_evsel *evsel[RB_MAX_CTRS];
	unsigned n;
};

static int lp_print(enum libperf_print_level level, const char *fmt, va_list ap)
{
	(void)level; (void)fmt; (void)ap;
	return 0;	/* refbench reports failures itself, with the fix */
}

static int lp_open(struct rb_counters *c, const struct rb_ctr_def *const *defs, unsigned n)
{
	struct lp_state *s;
	int err;

	libperf_init(lp_print);
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->threads = perf_thread_map__new_dummy();
	s->group = perf_evlist__new();
	s->single = perf_evlist__new();
	if (!s->threads || !s->group || !s->single) {
		err = -ENOMEM;
		goto fail;
	}
	perf_thread_map__set_pid(s->threads, 0, 0);
	for (unsigned i = 0; i < n; i++) {
		struct perf_event_attr attr = {
			.size = sizeof(attr),
			.type = defs[i]->type,
			.config = defs[i]->config,
			.exclude_user = defs[i]->exclude_user,
			.exclude_hv = 1,
			.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED |
				       PERF_FORMAT_TOTAL_TIME_RUNNING,
		};
		bool lead = defs[i]->grouped && !s->leader;

		/* Members follow their leader; leaders and singles start off. */
		attr.disabled = !defs[i]->grouped || lead;
		s->evsel[i] = perf_evsel__new(&attr);
		if (!s->evsel[i]) {
			err = -ENOMEM;
			goto fail;
		}
		if (lead)
			s->leader = s->evsel[i];
		perf_evlist__add(defs[i]->grouped ? s->group : s->single, s->evsel[i]);
		s->n = i + 1;
	}
	perf_evlist__set_maps(s->group, NULL, s->threads);
	perf_evlist__set_maps(s->single, NULL, s->threads);
	if (s->leader)
		perf_evlist__set_leader(s->group);
	err = perf_evlist__open(s->group);
	if (!err) {
		err = perf_evlist__open(s->single);
		if (err)
			perf_evlist__close(s->group);
	}
	if (err) {
		err = err < 0 ? err : -err;
		goto fail;
	}
	/* Hardware events: map the user page so perf_evsel__read() can use
	 * rdpmc instead of a read() per event; where that fails it reads. */
	for (unsigned i = 0; i < n; i++)
		if (defs[i]->src == RB_SRC_HW)
			(void)perf_evsel__mmap(s->evsel[i], 0);
	c->impl = s;
	return 0;
fail:
	/* evlist__delete frees the evsels it holds */
	if (s->group)
		perf_evlist__delete(s->group);
	if (s->single)
		perf_evlist__delete(s->single);
	if (s->threads)
		perf_thread_map__put(s->threads);
	free(s);
	return err ? err : -EINVAL;
}

static void lp_toggle(struct rb_counters *c, bool on)
{
	struct lp_state *s = c->impl;
	struct perf_evsel *e;

	if (s->leader)
		on ? perf_evsel__enable(s->leader) : perf_evsel__disable(s->leader);
	perf_evlist__for_each_evsel(s->single, e)
		on ? perf_evsel__enable(e) : perf_evsel__disable(e);
}

static void lp_enable(struct rb_counters *c) { lp_toggle(c, true); }
static void lp_disable(struct rb_counters *c) { lp_toggle(c, false); }

static int lp_read(struct rb_counters *c, struct rb_ctr_set *out)
{
	struct lp_state *s = c->impl;

	out->n = s->n;
	for (unsigned i = 0; i < s->n; i++) {
		struct perf_counts_values v = { .val = 0 };

		if (perf_evsel__read(s->evsel[i], 0, 0, &v))
			return -EIO;
		out->val[i] = v.val;
		out->ena[i] = v.ena;
		out->run[i] = v.run;
	}
	return 0;
}

static void lp_close(struct rb_counters *c)
{
	struct lp_state *s = c->impl;

	if (!s)
		return;
	for (unsigned i = 0; i < s->n; i++)
		perf_evsel__munmap(s->evsel[i]);	/* a no-op where not mapped */
	perf_evlist__close(s->group);
	perf_evlist__close(s->single);
	perf_evlist__delete(s->group);
	perf_evlist__delete(s->single);
	perf_thread_map__put(s->threads);
	free(s);
	c->impl = NULL;
}

const struct rb_perf_ops rb_perf_libperf_ops = {
	.open = lp_open,
	.enable = lp_enable,
	.disable = lp_disable,
	.read = lp_read,
	.close = lp_close,
};
