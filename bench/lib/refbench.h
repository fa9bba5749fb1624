/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The case contract (bench/lib, the library layer): what a case in
 * bench/cases is given and must give back. The application (bench/app)
 * drives cases through it; the memory kinds (bench/mem) build on it.
 *
 * A case is one file that exports one `const struct rb_case`. The runner
 * expands a suite line into sweep points (case x kind x parameter values),
 * calls the case's setup once per point, its iterate() for warm-up and
 * measured repetitions, and its teardown. iterate() measures with
 * rb_window_begin/end around the hot loop only, emits metrics, and records
 * the checks that prove it measured what it claims. A sample whose checks
 * fail is written as "rejected" with the reason, never as a value.
 */
#ifndef REFBENCH_H
#define REFBENCH_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/counters.h"

#define RB_SCHEMA_VERSION 1

/* Process exit codes; 77 is the kselftest/automake "skip". */
enum { RB_EXIT_OK = 0, RB_EXIT_FAIL = 1, RB_EXIT_USAGE = 2, RB_EXIT_SKIP = 77 };

/* What a case hook returns. */
enum rb_status {
	RB_OK = 0,
	RB_ERR = -1,		/* bad input or a real failure: stops the run */
	RB_SKIP = 1,		/* cannot run here; reason says what to enable */
	RB_REJECT = 2,		/* ran, but did not measure what it claims */
	RB_UNSUPPORTED = 3,	/* the kernel/CPU answered "no" (e.g. no pdpe1gb) */
};

/* How time is counted: host/guest clock, or guest icount (1 ns == 1 insn). */
enum rb_clock_unit { RB_CLOCK_NS, RB_CLOCK_ICOUNT };

#define RB_MAX_DEVDAX 8
struct rb_env {
	const char *fsdax_dir;			/* --fsdax: directory on a DAX mount */
	const char *devdax[RB_MAX_DEVDAX];	/* --devdax: /dev/daxX.Y, any align */
	unsigned n_devdax;
	const char *dio_target;			/* --dio-target: O_DIRECT source */
	enum rb_clock_unit clock;
	int counters_mode;			/* enum rb_ctr_mode */
	bool quiet;
	void *prov;		/* json object merged into meta.json (rb_prov_note) */
};

/* Record provenance a case learns while it runs (a tool's version, the job
 * file it ran): meta.json gets section.key.field = value when the run ends. */
void rb_prov_note(const struct rb_env *env, const char *section, const char *key,
		  const char *field, const char *value);

/* key=value parameters of one sweep point. */
#define RB_MAX_PARAMS 12
struct rb_param_def {
	const char *key;
	const char *def;	/* default value, as text */
	const char *help;
};
struct rb_params {
	unsigned n;
	struct { char key[32]; char val[96]; } kv[RB_MAX_PARAMS];
};
const char *rb_param_str(const struct rb_params *p, const char *key);
/* Parses decimal integers and sizes with K/M/G suffixes (powers of two):
 * "4096", "2M", "2MiB". No leading zero ("010M"), no hex or octal, no
 * sign: -EINVAL; -ERANGE past 2^64. */
int rb_param_u64(const struct rb_params *p, const char *key, uint64_t *out);
int rb_parse_size(const char *s, uint64_t *out);
/* A duration in milliseconds: "2" or "2s" (seconds), "250ms"; what fio's
 * runtime= takes, so a short fio point needs no whole second of guest time. */
int rb_parse_ms(const char *s, uint64_t *ms);
int rb_param_ms(const struct rb_params *p, const char *key, uint64_t *ms);
int rb_params_set(struct rb_params *p, const char *key, const char *val);

/* One proof that a sample measured what it claims. */
struct rb_check {
	char what[32];		/* "faults", "smaps", "fiemap", "statx-dax", ... */
	char method[48];	/* how it was observed: "rusage.ru_minflt", ... */
	bool ok;
	bool has_counts;
	uint64_t expected, observed;
	char detail[256];	/* why it failed, or what was seen */
};

#define RB_MAX_CHECKS 8
#define RB_MAX_METRICS 8
struct rb_metric {
	char name[32];		/* "fault", "munmap", "get", "put", ... */
	char unit[24];		/* "ns/page", "insn/page", "GB/s", ... */
	double value;
	uint64_t ops;		/* the ops the value and counters are per */
	bool has_window;
	uint64_t window;		/* the window's ordinal (rb_window.seq) */
	uint64_t window_ns;		/* its length */
	uint64_t irqs;			/* interrupts taken while it was open */
	uint64_t csws;			/* times the thread was preempted in it */
	double resolution;		/* how far the value can be off (its unit), 0: exact to its clock */
	struct rb_ctr_set counters;	/* raw counts over the metric's window */
};

struct rb_case;
struct rb_mem;

/* One sweep point: a case on a kind with fixed parameters. */
struct rb_point {
	const struct rb_case *c;
	int kind;		/* enum rb_kind (mem/mem.h) */
	struct rb_params params;
	const struct rb_env *env;
	void *priv;		/* the case's own state from setup() */
	char why[256];		/* reason set by setup() on SKIP/ERR */
};

/* One iteration (warm-up or measured) of a point. */
struct rb_iter {
	struct rb_point *pt;
	unsigned index;		/* repetition number */
	unsigned retries;	/* times it was measured again (an interrupt) */
	bool warmup;
	struct rb_counters *ctr;	/* this thread's counter group */
	unsigned n_metrics;
	struct rb_metric metrics[RB_MAX_METRICS];
	unsigned n_checks;
	struct rb_check checks[RB_MAX_CHECKS];
	enum rb_status status;
	char reason[256];
};

/* A measurement window: clock plus counter group, around the hot loop only. */
struct rb_window {
	uint64_t t0, t1;	/* CLOCK_MONOTONIC ns (guest icount in deterministic mode) */
	uint64_t seq;		/* ordinal of this window in the process, from 0;
				 * RB_WINDOW_NONE: made up of several (threads) */
	uint64_t irq0, irqs;	/* interrupts (all CPUs, /proc/stat) around it */
	uint64_t csw0, csws;	/* this thread's involuntary context switches */
	struct rb_ctr_set counts;
};
#define RB_WINDOW_NONE UINT64_MAX
void rb_window_begin(struct rb_counters *ctr, struct rb_window *w);
/* The machine's interrupt count so far (/proc/stat "intr"; 0 if unreadable). */
uint64_t rb_interrupts_total(void);
void rb_window_end(struct rb_counters *ctr, struct rb_window *w);
static inline uint64_t rb_window_ns(const struct rb_window *w) { return w->t1 - w->t0; }

/* "ns" or "insn" with "/per" appended: the time unit of this run. */
const char *rb_time_unit(const struct rb_env *env, const char *per, char *buf, size_t n);
/* A rate: "what/s", or "what/Ginsn" in deterministic mode (guest time is
 * an instruction count there, so a second is 10^9 instructions). */
const char *rb_rate_unit(const struct rb_env *env, const char *what, char *buf, size_t n);

/* Emit a time-per-op metric from a window (value = elapsed / ops). */
int rb_emit_window(struct rb_iter *it, const char *metric, const char *per,
		   uint64_t ops, const struct rb_window *w);
/* The last metric emitted is known to +-resolution (in its unit) only:
 * a coarse clock (gup_test's microseconds). Samples carry it; compare's
 * exact rule never calls a difference below it a change. */
void rb_metric_resolution(struct rb_iter *it, double resolution);
/* Emit a value measured elsewhere (e.g. the kernel's own timer); w may be NULL. */
int rb_emit_value(struct rb_iter *it, const char *metric, const char *unit,
		  double value, uint64_t ops, const struct rb_window *w);
/* Can a sample hold this value in this unit? Not negative, not NaN or
 * infinite, and not zero where the unit is a time ("ns/page", "insn/io"):
 * false with why. The runner rejects such a sample; validate refuses it. */
bool rb_value_possible(const char *unit, double value, char *why, size_t n);
/* Record a check; returns ok. detail is printf-style. */
bool rb_check_counts(struct rb_iter *it, const char *what, const char *method,
		     uint64_t expected, uint64_t observed, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
bool rb_check(struct rb_iter *it, const char *what, const char *method, bool ok,
	      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* End the iteration as rejected/skipped/unsupported; returns that status. */
int rb_reject(struct rb_iter *it, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The harness itself failed (its own memory, files, descriptors): an
 * error that stops the point, never a rejection; returns RB_ERR. */
int rb_iter_error(struct rb_iter *it, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int rb_skip(struct rb_iter *it, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int rb_unsupported(struct rb_iter *it, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* For setup(): fill pt->why and return the status. */
int rb_point_fail(struct rb_point *pt, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The case descriptor: one per file in bench/cases/, listed in cases/registry.c. */
struct rb_case {
	const char *name;		/* "fault", "gup-fast", ... */
	const char *summary;		/* one line for `refbench list` */
	const char *kernel_paths;	/* what kernel code it drives, for docs */
	uint32_t kinds;			/* the kinds it supports: RB_KIND_BIT()s (mem/mem.h) */
	const struct rb_param_def *params;	/* {NULL} terminated */
	bool multi_thread;		/* manages its own threads and counters */
	/* setup() is cheap and is where bad input shows (a malformed job file,
	 * a wrong path): run it, and teardown(), for every point before the
	 * run writes anything, so such input is an error with nothing written */
	bool preflight;
	/* Optional: can it run here at all? (e.g. gup_test present). */
	int (*probe)(const struct rb_env *env, char *why, size_t n);
	int (*setup)(struct rb_point *pt);
	int (*iterate)(struct rb_iter *it);
	void (*teardown)(struct rb_point *pt);
};

const struct rb_case *const *rb_cases(size_t *n);
const struct rb_case *rb_case_find(const char *name);

/* Small helpers shared by cases. */
uint64_t rb_now_ns(void);
uint64_t rb_minflt_thread(void);	/* RUSAGE_THREAD ru_minflt */
uint64_t rb_majflt_thread(void);
uint64_t rb_preempted_thread(void);	/* RUSAGE_THREAD ru_nivcsw */
int rb_pin_cpu(int cpu);
void rb_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void rb_die_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Room for an error message: two whole paths and the reason after them, so
 * that a long path never cuts the reason off. */
#define RB_ERR_LEN (4 * 4096)
/* "refbench: error: ..." on stderr; returns rc (return rb_error(1, ...)). */
int rb_error(int rc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
size_t rb_strlcpy(char *dst, const char *src, size_t n);
/* word is one of the blank-separated words of list ("pse" is not "pse36"). */
bool rb_word_in(const char *list, const char *word);
/* <repo>/sub: the tree the binary was built in (found next to it, so a
 * copied or moved checkout works; else the source dir it was built from).
 * Suites, fio templates, plot templates and results all live there. */
const char *rb_repo_path(const char *sub, char *buf, size_t n);

#endif
