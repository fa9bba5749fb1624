/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Counting one kernel tracepoint ("group/event", e.g.
 * "fs_dax/dax_pmd_fault_done"), on the calling thread or on another
 * process and everything it starts (inherit: fio's job threads), for
 * checks such as fs_dax:dax_pmd_fault_done == the PMD faults claimed.
 */
#ifndef REFBENCH_TRACEPOINT_H
#define REFBENCH_TRACEPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct rb_tp {
	int fd;		/* the perf event, -1 when closed */
};

/* Is the tracepoint there (tracefs mounted, the event compiled in)? why
 * names what is missing. */
bool rb_tp_available(const char *event, char *why, size_t n);
/* pid 0: this thread; inherit: the threads and children it starts after.
 * 0, or -errno with why naming what is missing (tracefs, the event). */
int rb_tp_open(struct rb_tp *tp, const char *event, pid_t pid, bool inherit, char *why, size_t n);
int rb_tp_read(const struct rb_tp *tp, uint64_t *count);
void rb_tp_close(struct rb_tp *tp);

#endif
