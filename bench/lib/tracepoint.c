// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/perf_event.h>
#include <perf/evlist.h>
#include <perf/evsel.h>
#include <perf/threadmap.h>

#include "lib/tracepoint.h"

static long tp_id(const char *group, const char *event)
{
	static const char *const roots[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char path[256];

	for (unsigned i = 0; i < 2; i++) {
		FILE *f;
		long id;

		snprintf(path, sizeof(path), "%s/events/%s/%s/id", roots[i], group, event);
		f = fopen(path, "re");
		if (!f)
			continue;
		id = fscanf(f, "%ld", &id) == 1 ? id : -1;
		fclose(f);
		return id;
	}
	return -1;
}

int rb_tp_open(struct rb_tp *tp, const char *group, const char *event, char *why, size_t n)
{
	struct perf_event_attr attr = {
		.size = sizeof(attr),
		.type = PERF_TYPE_TRACEPOINT,
		.sample_period = 1,
	};
	long id = tp_id(group, event);
	struct perf_thread_map *th;
	struct perf_evsel *e;
	int err;

	memset(tp, 0, sizeof(*tp));
	if (id < 0) {
		snprintf(why, n, "no %s:%s tracepoint (tracefs not mounted at /sys/kernel/tracing, "
			 "or the kernel lacks CONFIG_FTRACE/EVENT_TRACING)", group, event);
		return -ENOENT;
	}
	attr.config = (uint64_t)id;
	th = perf_thread_map__new_dummy();
	e = th ? perf_evsel__new(&attr) : NULL;
	if (!e) {
		if (th)
			perf_thread_map__put(th);
		return -ENOMEM;
	}
	perf_thread_map__set_pid(th, 0, 0);
	err = perf_evsel__open(e, NULL, th);
	if (err) {
		snprintf(why, n, "%s:%s: perf_event_open failed (%s)", group, event, strerror(-err));
		perf_evsel__delete(e);
		perf_thread_map__put(th);
		return err;
	}
	tp->evsel = e;
	tp->threads = th;
	return 0;
}

int rb_tp_read(struct rb_tp *tp, uint64_t *count)
{
	struct perf_counts_values v = { .val = 0 };

	if (!tp->evsel || perf_evsel__read(tp->evsel, 0, 0, &v))
		return -EIO;
	*count = v.val;
	return 0;
}

void rb_tp_close(struct rb_tp *tp)
{
	if (tp->evsel) {
		perf_evsel__close(tp->evsel);
		perf_evsel__delete(tp->evsel);
	}
	if (tp->threads)
		perf_thread_map__put(tp->threads);
	memset(tp, 0, sizeof(*tp));
}
