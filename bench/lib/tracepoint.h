/* SPDX-License-Identifier: GPL-2.0 */
/* Counting one kernel tracepoint on the calling thread (libperf), for
 * checks such as fs_dax:dax_pmd_fault_done == the PMD faults claimed. */
#ifndef REFBENCH_TRACEPOINT_H
#define REFBENCH_TRACEPOINT_H

#include <stddef.h>
#include <stdint.h>

struct rb_tp {
	void *evlist;
	void *threads;
	void *evsel;
};

/* 0, or -errno with why naming what is missing (tracefs, the event). */
int rb_tp_open(struct rb_tp *tp, const char *group, const char *event, char *why, size_t n);
int rb_tp_read(struct rb_tp *tp, uint64_t *count);
void rb_tp_close(struct rb_tp *tp);

#endif
