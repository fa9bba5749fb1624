// SPDX-License-Identifier: GPL-2.0
/*
 * fio-devdax: the pmem bandwidth baseline. fio's dev-dax engine copies to
 * and from a device-dax namespace (devdax-2m, devdax-1g); its libpmem
 * engine does the same on a file of refbench's own on the fsdax mount
 * (fsdax-pmd). When a refcount result moves, this says whether the pmem
 * itself (real or emulated) bounds it.
 *
 * Proof per sample: device-dax can only fault at its alignment (a smaller
 * fault is SIGBUS, not a fallback), so the sysfs alignment is the page size;
 * for the file, statx DAX and the fs_dax tracepoints on fio's threads (PMD
 * faults, and no PTE fault).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/fio/fio.h"
#include "lib/refbench.h"
#include "mem/mem.h"


static const struct rb_param_def devdax_params[] = {
	{ .key = "rw", .def = "read", .help = "read | write (write overwrites the device-dax "
					      "namespace, as the fault case does)" },
	{ .key = "bs", .def = "2M", .help = "bytes per memcpy" },
	{ .key = "size", .def = "1G", .help = "bytes mapped (a multiple of the kind's page size)" },
	{ .key = "jobs", .def = "1", .help = "fio job threads (or nproc), each mapping the same range" },
	{ .key = "runtime", .def = "5", .help = "time measured per sample: seconds, or 250ms" },
	{ .key = "ramp", .def = "1", .help = "seconds run before measuring" },
	{ .key = "job", .def = "auto", .help = "job template (auto: devdax, or libpmem for "
					       "fsdax-pmd), configs/fio/NAME.fio, or a path" },
	{ NULL },
};

static const char *const devdax_required[] = { "DEV", "SIZE", "RW", "BS", NULL };
static const char *const libpmem_required[] = { "FILE", "SIZE", "RW", "BS", NULL };

struct devdax_state {
	struct rb_fio_head h;	/* first: see rb_fio_case_teardown */
	const char *engine;
	unsigned jobs;
};

static int devdax_setup(struct rb_point *pt)
{
	struct devdax_state *s = calloc(1, sizeof(*s));
	const struct rb_params *p = &pt->params;
	const char *rw = rb_param_str(p, "rw"), *tmpl = rb_param_str(p, "job");
	bool file = pt->kind == RB_KIND_FSDAX_PMD;
	uint64_t bs, size, ramp;
	unsigned runtime_s;
	char v_size[32], v_bs[32], v_jobs[32], v_rt[32], v_ramp[32];
	int r;

	if (!s)
		return RB_ERR;
	s->h.mem.fd = -1;
	pt->priv = s;
	if (strcmp(rw, "read") && strcmp(rw, "write"))
		return rb_point_fail(pt, RB_ERR, "rw=%s: use read or write", rw);
	if (rb_param_u64(p, "bs", &bs) || !bs || rb_param_u64(p, "size", &size) || !size ||
	    bs > size || !rb_fio_param_jobs(p, &s->jobs) ||
	    !rb_fio_param_runtime(p, &runtime_s, v_rt, sizeof(v_rt)) ||
	    rb_param_u64(p, "ramp", &ramp) || ramp > 3600)
		return rb_point_fail(pt, RB_ERR, "bs (<= size), size, jobs (1..256 or nproc), runtime "
				     "(1ms..3600s) and ramp (s) must be numbers");
	s->engine = file ? "libpmem" : "dev-dax";
	if ((r = rb_fio_need_engine(s->engine, pt->why, sizeof(pt->why))) != RB_OK)
		return r;
	r = rb_mem_validate(pt->kind, pt->env, size, pt->why, sizeof(pt->why));
	if (r != RB_OK)
		return r;
	if (file && (r = rb_fio_job_count_dax(pt, &s->h.job, "libpmem's mapping is PMD")) != RB_OK)
		return r;
	/* devdax: picks the device with the kind's alignment and checks the
	 * size; fsdax: creates, writes and checks refbench's own file */
	r = rb_mem_setup(&s->h.mem, pt->kind, pt->env, size, pt->why, sizeof(pt->why));
	if (r != RB_OK)
		return r;
	if (rb_fio_path_check(pt, file ? "fsdax file" : "device", s->h.mem.path) != RB_OK)
		return RB_ERR;
	snprintf(v_size, sizeof(v_size), "%llu", (unsigned long long)size);
	snprintf(v_bs, sizeof(v_bs), "%llu", (unsigned long long)bs);
	snprintf(v_jobs, sizeof(v_jobs), "%u", s->jobs);
	snprintf(v_ramp, sizeof(v_ramp), "%llu", (unsigned long long)ramp);
	const struct rb_fio_var vars[] = {
		{ file ? "FILE" : "DEV", s->h.mem.path }, { "SIZE", v_size }, { "BS", v_bs },
		{ "RW", rw }, { "JOBS", v_jobs }, { "RUNTIME", v_rt }, { "RAMP", v_ramp },
	};
	s->h.job.timeout_s = (unsigned)(runtime_s + ramp + 120);
	return rb_fio_job_prepare(pt, &s->h.job, strcmp(tmpl, "auto") ? tmpl : file ? "libpmem" : "devdax",
				  vars, sizeof(vars) / sizeof(vars[0]),
				  file ? libpmem_required : devdax_required);
}

static int devdax_iterate(struct rb_iter *it)
{
	struct devdax_state *s = it->pt->priv;
	const char *engine;
	struct rb_fio_result res;
	uint64_t ios;
	int r = rb_fio_job_run(it, &s->h.job, &res);

	if (r != RB_OK)
		return r;
	ios = rb_fio_ios(&res);
	engine = rb_fio_opt(&res, "ioengine");
	rb_check(it, "options", "fio JSON job options", engine && !strcmp(engine, s->engine),
		 "ioengine=%s (want %s)", engine ? engine : "unset", s->engine);
	if (it->pt->kind == RB_KIND_FSDAX_PMD) {
		bool dax = false;
		int e = rb_statx_dax(s->h.mem.fd, &dax);

		rb_check(it, "statx-dax", "statx STATX_ATTR_DAX", !e && dax, "%s: %s", s->h.mem.path,
			 e ? strerror(-e) : dax ? "DAX" : "not DAX");
		/* each job maps the file once and faults it in on its first pass */
		rb_fio_check_dax_faults(it, &s->h.job, true, res.rd.bytes + res.wr.bytes >=
					s->jobs * s->h.mem.size ? s->jobs * s->h.mem.size / (2u << 20) :
					s->jobs, NULL);
	} else {
		char err[256];
		uint64_t align = rb_devdax_align(s->h.mem.path, err, sizeof(err));

		rb_check_counts(it, "align", "sysfs dax align", s->h.mem.gran, align,
				"%s faults only at its alignment (smaller is SIGBUS, not a fallback)",
				s->h.mem.path);
	}
	char rate[24];

	rb_emit_value(it, "bw", rb_rate_unit(it->pt->env, "GB", rate, sizeof(rate)), rb_fio_bw_gbs(&res), ios, NULL);
	rb_fio_result_free(&res);
	return RB_OK;
}

const struct rb_case rb_case_fio_devdax = {
	.name = "fio-devdax",
	.summary = "fio dev-dax / libpmem memcpy bandwidth: the pmem baseline",
	.kernel_paths = "dev_dax_huge_fault (PMD/PUD) once per mapping, then memcpy to/from "
			"pmem; libpmem: dax_iomap_pmd_fault with MAP_SYNC",
	.kinds = RB_KIND_BIT(RB_KIND_DEVDAX_2M) | RB_KIND_BIT(RB_KIND_DEVDAX_1G) |
		 RB_KIND_BIT(RB_KIND_FSDAX_PMD),
	.params = devdax_params,
	.multi_thread = true,
	.probe = rb_fio_case_probe,
	.preflight = true,	/* fio --parse-only of the job, before any output */
	.setup = devdax_setup,
	.iterate = devdax_iterate,
	.teardown = rb_fio_case_teardown,
};
