// SPDX-License-Identifier: GPL-2.0
/*
 * fio-mmap-fault: fio's mmap engine on a fresh file of refbench's own on the
 * fsdax mount, many job threads on the same file at once.
 *
 * pattern=storm: one pass in which every I/O touches the start of a new
 *   2 MiB region, so every I/O is exactly one first-touch fault, and all
 *   jobs fault the same DAX pages (their refcounts, the DAX entry locks) at
 *   the same time. The metric is fio's latency per I/O: one fault plus a
 *   bs-sized copy.
 * pattern=stream: the file read (or written) in full with large blocks for
 *   the runtime: the bandwidth the storm compares with.
 *
 * Only fsdax-pmd: fio maps the whole file at offset 0, and the kernel gives
 * DAX files a PMD-aligned address (thp_get_unmapped_area), so a PTE variant
 * cannot be forced through fio (the fault case covers fsdax-pte). anon has
 * no file for the mmap engine, and shmem faults map 16 pages at a time
 * (fault-around), so their per-I/O number would not compare.
 *
 * Proof per sample: statx DAX; fio's minf (per job thread, with `thread`)
 * against jobs x size / 2 MiB; and, when tracefs is there, the fs_dax
 * tracepoints on fio's threads (that many PMD faults, no PTE fault).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/fio/fio.h"
#include "lib/refbench.h"
#include "mem/mem.h"

#define SZ_2M (2ull << 20)

static const struct rb_param_def mmap_params[] = {
	{ .key = "pattern", .def = "storm", .help = "storm (one fault per I/O) | stream (bandwidth)" },
	{ .key = "access", .def = "read", .help = "read | write (first touch / copy direction)" },
	{ .key = "jobs", .def = "4", .help = "fio job threads mapping the same file, or nproc" },
	{ .key = "size", .def = "256M", .help = "file size (a multiple of 2M)" },
	{ .key = "bs", .def = "auto", .help = "bytes per I/O (auto: 8K storm, 2M stream)" },
	{ .key = "runtime", .def = "5", .help = "stream: time per sample: seconds, or 250ms" },
	{ .key = "job", .def = "auto", .help = "job template (auto: mmap-fault or mmap-stream), "
					       "configs/fio/NAME.fio, or a path" },
	{ NULL },
};

static const char *const storm_required[] = { "FILE", "SIZE", "RW", "SKIP", "BS", "IO_SIZE",
					       "JOBS", NULL };
static const char *const stream_required[] = { "FILE", "SIZE", "RW", "BS", "JOBS", NULL };

struct mmap_state {
	struct rb_fio_head h;	/* first: see rb_fio_case_teardown */
	bool storm, tracepoints;
	unsigned jobs;
	uint64_t size, bs;
};

static int mmap_setup(struct rb_point *pt)
{
	struct mmap_state *s = calloc(1, sizeof(*s));
	const struct rb_params *p = &pt->params;
	const char *pattern = rb_param_str(p, "pattern"), *access = rb_param_str(p, "access");
	const char *bs_s = rb_param_str(p, "bs"), *tmpl = rb_param_str(p, "job");
	char v_size[32], v_bs[32], v_skip[32], v_io[32], v_jobs[32], v_rt[32];
	unsigned runtime_s;
	int r;

	if (!s)
		return RB_ERR;
	s->h.mem.fd = -1;
	pt->priv = s;
	if (strcmp(pattern, "storm") && strcmp(pattern, "stream"))
		return rb_point_fail(pt, RB_ERR, "pattern=%s: use storm or stream", pattern);
	if (strcmp(access, "read") && strcmp(access, "write"))
		return rb_point_fail(pt, RB_ERR, "access=%s: use read or write", access);
	s->storm = !strcmp(pattern, "storm");
	if (!strcmp(bs_s, "auto"))
		s->bs = s->storm ? 8192 : SZ_2M;
	else if (rb_parse_size(bs_s, &s->bs) || !s->bs || s->bs % 4096)
		return rb_point_fail(pt, RB_ERR, "bs=%s: a multiple of 4K, or auto", bs_s);
	if (rb_param_u64(p, "size", &s->size) || s->size < SZ_2M || s->size % SZ_2M ||
	    !rb_fio_param_jobs(p, &s->jobs) ||
	    !rb_fio_param_runtime(p, &runtime_s, v_rt, sizeof(v_rt)))
		return rb_point_fail(pt, RB_ERR, "size (a multiple of 2M), jobs (1..256) and runtime "
				     "(1ms..3600s) must be numbers");
	/* storm: bs = 8K tells PMD (1 fault per I/O) from PTE (2) by minf */
	if (s->storm && s->bs > SZ_2M / 2)
		return rb_point_fail(pt, RB_ERR, "bs=%s: a storm touches one bs per 2 MiB region, so "
				     "bs must be <= 1M (8K tells PMD from PTE faults)", bs_s);
	if ((r = rb_fio_need_engine("mmap", pt->why, sizeof(pt->why))) != RB_OK)
		return r;
	r = rb_mem_setup(&s->h.mem, pt->kind, pt->env, s->size, pt->why, sizeof(pt->why));
	if (r != RB_OK)
		return r;
	if (rb_fio_path_check(pt, "fsdax file", s->h.mem.path) != RB_OK)
		return RB_ERR;
	/* optional here: fio's minf already tells PMD from PTE faults */
	s->tracepoints = rb_fio_job_count_dax(pt, &s->h.job, "") == RB_OK;
	pt->why[0] = '\0';
	snprintf(v_size, sizeof(v_size), "%llu", (unsigned long long)s->size);
	snprintf(v_bs, sizeof(v_bs), "%llu", (unsigned long long)s->bs);
	snprintf(v_skip, sizeof(v_skip), "%llu", (unsigned long long)(SZ_2M - s->bs));
	snprintf(v_io, sizeof(v_io), "%llu", (unsigned long long)(s->size / SZ_2M * s->bs));
	snprintf(v_jobs, sizeof(v_jobs), "%u", s->jobs);
	const struct rb_fio_var vars[] = {
		{ "FILE", s->h.mem.path }, { "SIZE", v_size }, { "RW", access }, { "BS", v_bs },
		{ "SKIP", v_skip }, { "IO_SIZE", v_io }, { "JOBS", v_jobs }, { "RUNTIME", v_rt },
	};
	/* a storm is short but TCG is slow; a stream runs for its runtime */
	s->h.job.timeout_s = s->storm ? 600 : runtime_s + 120;
	return rb_fio_job_prepare(pt, &s->h.job, strcmp(tmpl, "auto") ? tmpl :
				  s->storm ? "mmap-fault" : "mmap-stream", vars,
				  sizeof(vars) / sizeof(vars[0]),
				  s->storm ? storm_required : stream_required);
}

static int mmap_iterate(struct rb_iter *it)
{
	struct mmap_state *s = it->pt->priv;
	uint64_t per_job = s->size / SZ_2M, want = per_job * s->jobs, ios, slack;
	const char *engine;
	struct rb_fio_result res;
	bool dax = false;
	char unit[24];
	int e, r = rb_fio_job_run(it, &s->h.job, &res);

	if (r != RB_OK)
		return r;
	ios = rb_fio_ios(&res);
	engine = rb_fio_opt(&res, "ioengine");
	rb_check(it, "options", "fio JSON job options", engine && !strcmp(engine, "mmap") &&
		 res.entries == 1, "ioengine=%s, %u report entr%s (want mmap, 1: group_reporting)",
		 engine ? engine : "unset", res.entries, res.entries == 1 ? "y" : "ies");
	e = rb_statx_dax(s->h.mem.fd, &dax);
	rb_check(it, "statx-dax", "statx STATX_ATTR_DAX", !e && dax, "%s: %s", s->h.mem.path,
		 e ? strerror(-e) : dax ? "DAX" : "not DAX");
	if (s->storm) {
		rb_check_counts(it, "pass", "fio total_ios", want, ios, "%u jobs x %llu regions of "
				"2 MiB, one I/O each", s->jobs, (unsigned long long)per_job);
	} else {
		uint64_t moved = res.rd.bytes + res.wr.bytes;

		/* every job must have covered the file for the fault count */
		rb_fio_check_counted(it, "pass", "fio io_bytes", moved >= s->jobs * s->size,
				     s->jobs * s->size, moved, "bytes moved vs one pass per job%s",
				     moved >= s->jobs * s->size ? "" : ": raise runtime");
	}
	/* first touches: one per 2 MiB per job (the mapping lives for the run) */
	bool fok = rb_fio_faults_ok(want, s->jobs, s->bs / 4096, res.minf, &slack);

	rb_fio_check_counted(it, "faults", "fio minf (per job thread)", fok, want, res.minf,
			     "%u jobs x %llu PMD faults, + up to %llu for fio's buffers and own "
			     "use; PTEs would add %llu", s->jobs, (unsigned long long)per_job,
			     (unsigned long long)slack,
			     (unsigned long long)(want * ((s->storm ? s->bs : SZ_2M) / 4096 - 1)));
	if (s->tracepoints)
		rb_fio_check_dax_faults(it, &s->h.job, true, want, NULL);
	if (s->storm) {
		rb_emit_value(it, "fault", rb_time_unit(it->pt->env, "fault", unit, sizeof(unit)),
			      rb_fio_lat_mean(&res), ios, NULL);
		if (rb_fio_lat_p99(&res) >= 0)
			rb_emit_value(it, "fault-p99", unit, rb_fio_lat_p99(&res), ios, NULL);
	} else {
		char rate[24];

		rb_emit_value(it, "bw", rb_rate_unit(it->pt->env, "GB", rate, sizeof(rate)), rb_fio_bw_gbs(&res), ios, NULL);
	}
	rb_fio_result_free(&res);
	return RB_OK;
}

const struct rb_case rb_case_fio_mmap_fault = {
	.name = "fio-mmap-fault",
	.summary = "fio mmap engine on one fsdax file, many jobs: fault storm or bandwidth",
	.kernel_paths = "dax_iomap_pmd_fault -> vmf_insert_pfn_pmd (or the folio variant), "
			"DAX entry locking, concurrent refcounts on the same DAX pages, zap at munmap",
	.kinds = RB_KIND_BIT(RB_KIND_FSDAX_PMD),
	.params = mmap_params,
	.multi_thread = true,
	.probe = rb_fio_case_probe,
	.preflight = true,	/* fio --parse-only of the job, before any output */
	.setup = mmap_setup,
	.iterate = mmap_iterate,
	.teardown = rb_fio_case_teardown,
};
