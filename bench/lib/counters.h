/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Counter groups through libperf, opened once per measuring thread and
 * enabled only around the hot loop (rb_window_begin/end).
 *
 * AUTO asks for hardware events (kernel-only group, plus user+kernel cycles
 * and instructions). Where the PMU says no (VMs, TCG), it falls back to
 * software events; the clock is always there. Every value carries its
 * source, so a report can say which were used.
 *
 * The perf calls go through struct rb_perf_ops: libperf in production, a
 * fake in tests (the hardware path cannot run on a machine without a PMU).
 */
#ifndef REFBENCH_COUNTERS_H
#define REFBENCH_COUNTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum rb_ctr_source { RB_SRC_NONE, RB_SRC_HW, RB_SRC_SW };
enum rb_ctr_mode { RB_CTR_AUTO, RB_CTR_HW, RB_CTR_SW, RB_CTR_OFF };

struct rb_ctr_def {
	const char *name;	/* "cycles:k", "instructions:uk", "page-faults" */
	uint32_t type;		/* PERF_TYPE_* */
	uint64_t config;	/* PERF_COUNT_* */
	bool exclude_user;	/* kernel-only */
	bool grouped;		/* member of the kernel-only group */
	const char *scope;	/* "kernel", "user+kernel", "all" */
	enum rb_ctr_source src;
};

#define RB_MAX_CTRS 12
struct rb_ctr_set {
	unsigned n;
	uint64_t val[RB_MAX_CTRS];
	uint64_t ena[RB_MAX_CTRS];	/* time enabled, for multiplexing scale */
	uint64_t run[RB_MAX_CTRS];	/* time running */
};

struct rb_counters;
struct rb_perf_ops {
	/* Open defs[0..n) as one unit; 0 or -errno. */
	int (*open)(struct rb_counters *c, const struct rb_ctr_def *const *defs, unsigned n);
	void (*enable)(struct rb_counters *c);
	void (*disable)(struct rb_counters *c);
	/* Absolute counts since open. */
	int (*read)(struct rb_counters *c, struct rb_ctr_set *out);
	void (*close)(struct rb_counters *c);
};

struct rb_counters {
	enum rb_ctr_source source;	/* what was opened: HW, SW, or NONE */
	unsigned n;
	const struct rb_ctr_def *defs[RB_MAX_CTRS];
	char fallback[320];		/* why HW was not used, when it was not */
	const struct rb_perf_ops *ops;
	void *impl;			/* backend state */
};

extern const struct rb_perf_ops rb_perf_libperf_ops;

/* The event tables, exported for tests and docs. */
extern const struct rb_ctr_def rb_ctr_hw_defs[];
extern const unsigned rb_ctr_hw_n;
extern const struct rb_ctr_def rb_ctr_sw_defs[];
extern const unsigned rb_ctr_sw_n;

/* ops == NULL means libperf. Never fails in AUTO/SW/OFF mode: the worst
 * case is source NONE with the reason in c->fallback. HW mode fails
 * (-errno) when the hardware events cannot be opened. */
int rb_counters_open(struct rb_counters *c, int mode, const struct rb_perf_ops *ops);
void rb_counters_close(struct rb_counters *c);
void rb_counters_start(struct rb_counters *c, struct rb_ctr_set *snap);
void rb_counters_stop(struct rb_counters *c, struct rb_ctr_set *delta);

/* Value of counter i per op, scaled for multiplexing; false if it never ran. */
bool rb_ctr_per_op(const struct rb_ctr_set *s, unsigned i, uint64_t ops, double *out);
const char *rb_ctr_source_name(enum rb_ctr_source s);
const char *rb_ctr_mode_name(int mode);
int rb_ctr_mode_parse(const char *s);

#endif
