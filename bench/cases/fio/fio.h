/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The shared part of the fio cases (fio-dio-daxbuf, fio-devdax,
 * fio-mmap-fault): job templates from configs/fio with @NAME@ placeholders
 * (template.c), fio itself and what it can do here (tool.c), its
 * --output-format=json parsed with json-c into the few numbers a sample
 * needs (result.c), and a prepared job run and checked (job.c); fio runs
 * through lib/exec.h.
 *
 * The parsing, the template filling and the engine-list parsing are pure
 * (text in, struct out) so that tests/unit/test_fio.c can check them
 * against output stored from real runs of Debian's fio 3.33.
 *
 * fio's work happens in other processes: refbench's perf counter group is
 * per-thread and cannot see it, so fio samples carry fio's own clock
 * (clocksource=clock_gettime) and no counters. Kernel events that prove a
 * mapping size are counted on the fio process tree instead, with inherited
 * tracepoint counters (rb_fio_tp, lib/tracepoint.h).
 */
#ifndef REFBENCH_CASES_FIO_H
#define REFBENCH_CASES_FIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/refbench.h"
#include "lib/tracepoint.h"
#include "mem/mem.h"

struct json_object;

/* ---- job templates ---------------------------------------------------- */

struct rb_fio_var {
	const char *name;	/* "TARGET" for @TARGET@ */
	const char *value;
};

/*
 * Fill @NAME@ placeholders ([A-Z0-9_]+ between two '@'; any other '@' is
 * text). Every placeholder must have a var, every name in `required` must
 * occur at least once, and no value may contain a newline (it would add job
 * options). On success *out is malloc'ed text; on error a message naming
 * the fix, and -EINVAL.
 */
int rb_fio_render(const char *tmpl, const struct rb_fio_var *vars, unsigned nvars,
		  const char *const *required, char **out, char *err, size_t n);

/* NAME -> <configs>/fio/NAME.fio (next to the binary, else the source
 * tree); anything with a '/' is a path. *text is malloc'ed. */
int rb_fio_template_load(const char *name_or_path, char **text, char *path, size_t pathlen,
			 char *err, size_t n);

/* ---- fio itself --------------------------------------------------------- */

/* `fio --enghelp` lists the built-in engines after "Available IO engines:". */
bool rb_fio_enghelp_lists(const char *enghelp, const char *engine);
/* `fio --enghelp=ENGINE` prints "IO engine X not found" (and exits 1 even
 * for engines it has, when they take no options). */
bool rb_fio_enghelp_missing(const char *enghelp_engine);
/* "fio-3.33\n" -> "fio-3.33"; false if it does not look like fio. */
bool rb_fio_parse_version(const char *text, char *out, size_t n);

/* jobs=N (1..256) or jobs=nproc (online CPUs); false if neither. */
bool rb_fio_param_jobs(const struct rb_params *p, unsigned *jobs);
/* runtime=: 1 ms to 3600 s ("2", "2s", "250ms"); fio's form of it ("250ms")
 * into fio (n bytes), and its whole seconds plus one into secs (what the
 * job's timeout allows for it). */
bool rb_fio_param_runtime(const struct rb_params *p, unsigned *secs, char *fio, size_t n);

/* fio splits filename= at ':' and a value must stay on one line: RB_OK,
 * or RB_ERR with pt->why. */
int rb_fio_path_check(struct rb_point *pt, const char *what, const char *path);

/* Cached per process: fio in PATH, its version, and one trivial job parsed.
 * RB_SKIP when fio is not there; RB_UNSUPPORTED when it cannot set up a job
 * on this kernel (fio needs SysV shared memory: CONFIG_SYSVIPC). */
int rb_fio_probe(char *why, size_t n);
/* rb_fio_probe in the shape of rb_case.probe, shared by the fio cases. */
int rb_fio_case_probe(const struct rb_env *env, char *why, size_t n);
const char *rb_fio_version(void);
/* RB_OK, or RB_SKIP with "fio lacks the X engine ...". */
int rb_fio_need_engine(const char *engine, char *why, size_t n);

/* A tracepoint counted on the fio process tree (inherit), e.g.
 * "fs_dax/dax_pmd_fault_done". */
struct rb_fio_tp {
	const char *event;
	struct rb_tp tp;
	uint64_t count;
	bool ok;		/* opened and read */
	int err;		/* why not: -errno of perf_event_open or read */
};

/* The first line of fio's output that says something, for messages. */
void rb_fio_first_line(const char *s, char *out, size_t n);

/* ---- results ------------------------------------------------------------ */

struct rb_fio_dir {		/* one direction, summed over the job entries */
	uint64_t ios, bytes;
	double iops, bw_bytes;	/* per second */
	double lat_mean_ns;	/* lat_ns: submission to completion, io-weighted */
	double lat_p99_ns;	/* lat_ns.percentile 99 (max over entries); <0 if absent */
};

struct rb_fio_result {
	char version[32];	/* "fio-3.33" */
	unsigned entries;	/* jobs[] entries (1 with group_reporting) */
	struct rb_fio_dir rd, wr;
	uint64_t minf, majf;	/* summed: per job thread with `thread` */
	int error;		/* first non-zero job error (errno) */
	char error_job[64];
	struct json_object *root;	/* owned; for option lookups */
};

/* Parse fio's JSON (text may have lines before the '{'). */
int rb_fio_parse(const char *text, struct rb_fio_result *r, char *err, size_t n);
void rb_fio_result_free(struct rb_fio_result *r);
/* A job option as fio applied it: the first job's "job options", else
 * "global options". NULL if not set. */
const char *rb_fio_opt(const struct rb_fio_result *r, const char *key);
/* Both directions together. */
uint64_t rb_fio_ios(const struct rb_fio_result *r);
double rb_fio_iops(const struct rb_fio_result *r);
double rb_fio_bw_gbs(const struct rb_fio_result *r);	/* 1e9 bytes/s */
double rb_fio_lat_mean(const struct rb_fio_result *r);
double rb_fio_lat_p99(const struct rb_fio_result *r);	/* <0 if absent */

/*
 * Accepted band for a fault count from fio's minf, which counts every fault
 * of a job thread: besides the expected ones, the first touch of the job's
 * I/O buffer (buf_pages, e.g. bs / 4K) and a few of fio's own (measured: 1
 * per thread on 6.1 and 6.18, fio 3.33 with `thread`). So
 * [expected, expected + slack], slack = jobs x (buf_pages + min(64,
 * per_job / 2)), which stays below what the next smaller page size gives.
 */
bool rb_fio_faults_ok(uint64_t expected, unsigned jobs, uint64_t buf_pages, uint64_t observed,
		      uint64_t *slack);

/* rb_check() with both counts in the record, for checks that hold in a band
 * rather than at equality (e.g. observed >= expected when other activity
 * can only add). */
bool rb_fio_check_counted(struct rb_iter *it, const char *what, const char *method, bool ok,
			  uint64_t expected, uint64_t observed, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

/* ---- a prepared job, as the cases use it ------------------------------ */

struct rb_fio_job {
	char template_path[256];
	char *text;		/* the filled job file */
	char sha256[65];	/* of text: paths included, so per run */
	char template_sha256[65];	/* of the template: stable across runs */
	unsigned timeout_s;
	struct rb_fio_tp tps[4];
	unsigned ntps;
};

/* Load, fill and check a template (fio --parse-only): RB_OK, or RB_ERR
 * with pt->why naming the fix. */
/* Every fio case's point state starts with this head, so one teardown
 * serves them all. */
struct rb_fio_head {
	struct rb_mem mem;		/* the buffer file, device or target */
	struct rb_fio_job job;
};
/* Frees the job, tears the memory down; rb_fio_case_teardown also frees
 * pt->priv (a state whose first member is a struct rb_fio_head). */
void rb_fio_head_release(struct rb_fio_head *h);
void rb_fio_case_teardown(struct rb_point *pt);

int rb_fio_job_prepare(struct rb_point *pt, struct rb_fio_job *job, const char *tmpl,
		       const struct rb_fio_var *vars, unsigned nvars, const char *const *required);
void rb_fio_job_free(struct rb_fio_job *job);
/* Add a tracepoint to count on the fio tree during runs. */
void rb_fio_job_count(struct rb_fio_job *job, const char *event);

#define RB_TP_DAX_PMD "fs_dax/dax_pmd_fault_done"
#define RB_TP_DAX_PTE "fs_dax/dax_pte_fault_done"
/* Count both fs_dax fault tracepoints on the job's runs; RB_OK, or RB_SKIP
 * with pt->why when tracefs or the events are missing. */
int rb_fio_job_count_dax(struct rb_point *pt, struct rb_fio_job *job, const char *claim);
/*
 * The "page-size" check from those counts. pmd: at least min_faults PMD
 * faults and no PTE fault (a PMD fallback always ends in a PTE fault);
 * otherwise at least min_faults PTE faults. note goes into the detail.
 */
bool rb_fio_check_dax_faults(struct rb_iter *it, const struct rb_fio_job *job, bool pmd,
			     uint64_t min_faults, const char *note);

/*
 * Run the job once and parse it. Records the "fio" check (version, job
 * sha256, exit status, errors) and the "counters" statement. RB_OK with *r
 * filled (free with rb_fio_result_free), else the iteration's status.
 */
int rb_fio_job_run(struct rb_iter *it, struct rb_fio_job *job, struct rb_fio_result *r);

#endif
