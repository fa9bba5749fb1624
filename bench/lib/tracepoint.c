// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/perf_event.h>

#include "lib/tracepoint.h"

static long tp_id(const char *event, char *why, size_t n)
{
	static const char *const roots[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char path[256];

	for (unsigned i = 0; i < 2; i++) {
		FILE *f;
		long id;

		snprintf(path, sizeof(path), "%s/events/%s/id", roots[i], event);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fscanf(f, "%ld", &id) != 1)
			id = -1;
		fclose(f);
		if (id >= 0)
			return id;
	}
	snprintf(why, n, "tracepoint %s not found (mount tracefs on /sys/kernel/tracing; the "
		 "kernel needs CONFIG_FTRACE and CONFIG_EVENT_TRACING)", event);
	return -1;
}

bool rb_tp_available(const char *event, char *why, size_t n)
{
	return tp_id(event, why, n) >= 0;
}

int rb_tp_open(struct rb_tp *tp, const char *event, pid_t pid, bool inherit, char *why, size_t n)
{
	/*
	 * On this thread the event is opened as it always was (sample_period
	 * 1, no buffer: each hit takes the overflow path); the fault case's
	 * windows hold those hits, so their counts include it. On another
	 * process (fio) it only counts.
	 */
	struct perf_event_attr a = {
		.size = sizeof(a),
		.type = PERF_TYPE_TRACEPOINT,
		.sample_period = pid == 0,
		.inherit = inherit,
	};
	long id = tp_id(event, why, n);

	tp->fd = -1;
	if (id < 0)
		return -ENOENT;
	a.config = (uint64_t)id;
	tp->fd = (int)syscall(SYS_perf_event_open, &a, pid, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (tp->fd < 0) {
		int e = errno;

		snprintf(why, n, "%s: perf_event_open failed (%s; it needs root or "
			 "perf_event_paranoid <= 1)", event, strerror(e));
		return -e;
	}
	return 0;
}

int rb_tp_read(const struct rb_tp *tp, uint64_t *count)
{
	uint64_t v;

	if (tp->fd < 0 || read(tp->fd, &v, sizeof(v)) != (ssize_t)sizeof(v))
		return -EIO;
	*count = v;
	return 0;
}

void rb_tp_close(struct rb_tp *tp)
{
	if (tp->fd >= 0)
		close(tp->fd);
	tp->fd = -1;
}
