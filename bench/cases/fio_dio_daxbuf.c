// SPDX-License-Identifier: GPL-2.0
/*
 * fio-dio-daxbuf: O_DIRECT reads and writes (fio, libaio, an iodepth sweep)
 * whose I/O buffers are a DAX file mapping (iomem=mmapshared:FILE on the
 * fsdax mount) or, as the control, anonymous memory. Every I/O grabs and
 * releases the buffer pages in the block layer: FOLL_PIN through
 * iov_iter_extract_pages on kernels that pin for O_DIRECT, FOLL_GET
 * references through iov_iter_get_pages2 before (6.1 does the latter).
 *
 * The target is /dev/nullb0 (null_blk without backing memory: GUP is the
 * cost). Only without null_blk a --dio-target is used, read-only; writes then
 * go to a scratch file refbench creates beside it and removes. The "target"
 * check of every sample says which.
 *
 * Proof per sample: statx DAX on the buffer file; the buffer's page size
 * from fs_dax tracepoints counted on fio's threads; that the pages were
 * pinned (the nr_foll_pin_acquired delta), or, on a kernel that takes
 * references, a statement that the pin counter does not apply.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/fs.h>

#include "cases/fio/fio.h"
#include "lib/refbench.h"
#include "lib/sysfacts.h"
#include "mem/mem.h"

#define PIN_KEY "nr_foll_pin_acquired"
#define SZ_2M (2ull << 20)
#define SCRATCH_MAX (64ull << 20)

static const struct rb_param_def dio_params[] = {
	{ .key = "rw", .def = "read", .help = "read | write | randread | randwrite (O_DIRECT)" },
	{ .key = "bs", .def = "4k", .help = "bytes per I/O, a multiple of 4K (bs/4K pages pinned)" },
	{ .key = "iodepth", .def = "1", .help = "libaio queue depth (the sweep)" },
	{ .key = "jobs", .def = "1", .help = "fio job processes, or nproc; on fsdax they share "
					   "the buffer file's pages" },
	{ .key = "span", .def = "1G", .help = "bytes of the target addressed" },
	{ .key = "runtime", .def = "5", .help = "time measured per sample: seconds, or 250ms" },
	{ .key = "ramp", .def = "1", .help = "seconds run before measuring" },
	{ .key = "job", .def = "dio-daxbuf", .help = "job template: configs/fio/NAME.fio, or a path" },
	{ NULL },
};

static const char *const dio_required[] = {
	"TARGET", "RW", "BS", "IODEPTH", "IOMEM", "MEM_ALIGN", NULL
};

struct dio_state {
	struct rb_fio_head h;	/* first: see rb_fio_case_teardown */
	uint64_t bs, iodepth, span, ramp;
	unsigned runtime_s;
	unsigned jobs;
	bool write;
	size_t map_len;			/* what fio maps for its buffers */
	char iomem[PATH_MAX + 16];
	char target[PATH_MAX];
	char scratch[PATH_MAX];		/* refbench's own file, removed at teardown */
	const char *target_method;
	char target_note[200];
	bool pins_taken;		/* FOLL_PIN kernel (from the probe) */
	uint64_t probe_pages, probe_delta;
	bool probe_exact;
};

/* fio's buffer mapping: bs * iodepth, plus page_mask + mem_align when the
 * buffers are set up (backend.c), plus page_mask and mem_align - page when
 * allocated (memory.c). Seen: 16K, align 2M -> 4214782 bytes. */
static size_t fio_map_len(uint64_t bytes, uint64_t align)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);

	return (size_t)(bytes + (page - 1) + align + (page - 1) + (align > page ? align - page : 0));
}

static bool null_blk_memory_backed(void)
{
	static const char *const paths[] = {
		"/sys/kernel/config/nullb/nullb0/memory_backed",
		"/sys/module/null_blk/parameters/memory_backed",
	};

	for (unsigned i = 0; i < 2; i++) {
		FILE *f = fopen(paths[i], "re");
		char c = '0';

		if (!f)
			continue;
		if (fscanf(f, " %c", &c) != 1)
			c = '0';
		fclose(f);
		return c == '1' || c == 'Y' || c == 'y';
	}
	return false;
}

/* A scratch file beside the user's file: O_DIRECT works there (the
 * user's file proved it), and it is refbench's own to write. */
static int make_scratch(struct rb_point *pt, struct dio_state *s, const char *beside)
{
	static const char zero[1 << 16];
	char dir[PATH_MAX];
	int fd;

	rb_strlcpy(dir, beside, sizeof(dir));
	snprintf(s->scratch, sizeof(s->scratch), "%s/.refbench-dio-XXXXXX", dirname(dir));
	fd = mkostemp(s->scratch, O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		s->scratch[0] = '\0';
		return rb_point_fail(pt, RB_ERR, "writes need a scratch file beside --dio-target "
				     "%s, and creating one failed: %s", beside, strerror(e));
	}
	if (s->span > SCRATCH_MAX)
		s->span = SCRATCH_MAX;
	s->span -= s->span % s->bs;
	/* written once, so O_DIRECT writes overwrite blocks, not allocate */
	for (uint64_t off = 0; off < s->span; off += sizeof(zero))
		if (pwrite(fd, zero, sizeof(zero), (off_t)off) != (ssize_t)sizeof(zero)) {
			int e = errno;

			close(fd);
			return rb_point_fail(pt, RB_ERR, "writing scratch file %s: %s", s->scratch,
					     strerror(e));
		}
	fsync(fd);
	close(fd);
	rb_strlcpy(s->target, s->scratch, sizeof(s->target));
	return RB_OK;
}

static int pick_target(struct rb_point *pt, struct dio_state *s)
{
	const char *t = pt->env->dio_target;
	struct stat st;
	int fd;

	if (!stat("/dev/nullb0", &st) && S_ISBLK(st.st_mode)) {
		if (s->write && null_blk_memory_backed())
			return rb_point_fail(pt, RB_SKIP, "null_blk nullb0 is memory-backed: refbench "
					     "writes only to a null_blk without backing memory "
					     "(modprobe null_blk memory_backed=0)");
		rb_strlcpy(s->target, "/dev/nullb0", sizeof(s->target));
		s->target_method = "null_blk";
		snprintf(s->target_note, sizeof(s->target_note), "/dev/nullb0: null_blk, no "
			 "backing memory, so the pin/unpin path is the cost");
		return RB_OK;
	}
	if (!t)
		return rb_point_fail(pt, RB_SKIP, "no O_DIRECT target: load null_blk "
				     "(CONFIG_BLK_DEV_NULL_BLK; modprobe null_blk) or pass "
				     "--dio-target FILE (read; writes go to a scratch file beside it)");
	if (rb_fio_path_check(pt, "--dio-target", t) != RB_OK)
		return RB_ERR;
	fd = open(t, O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		return rb_point_fail(pt, RB_ERR, "--dio-target %s: %s (it must exist and support "
				     "O_DIRECT; tmpfs before 6.6 does not)", t, strerror(e));
	}
	if (S_ISBLK(st.st_mode)) {
		uint64_t bytes = 0;

		ioctl(fd, BLKGETSIZE64, &bytes);
		close(fd);
		if (s->write)
			return rb_point_fail(pt, RB_SKIP, "writes need null_blk or a file --dio-target "
					     "(refbench writes only to its own scratch file); %s is a "
					     "block device it will not write to", t);
		if (bytes < s->span)
			s->span = bytes;
		s->target_method = "block device (null_blk absent)";
	} else if (S_ISREG(st.st_mode)) {
		close(fd);
		if ((uint64_t)st.st_size < s->span)
			s->span = (uint64_t)st.st_size;
		s->target_method = "file (null_blk absent)";
	} else {
		close(fd);
		return rb_point_fail(pt, RB_ERR, "--dio-target %s is neither a file nor a block "
				     "device", t);
	}
	s->span -= s->span % s->bs;
	if (s->span < s->bs)
		return rb_point_fail(pt, RB_ERR, "--dio-target %s is smaller than bs=%llu", t,
				     (unsigned long long)s->bs);
	if (s->write) {
		int r = make_scratch(pt, s, t);

		if (r == RB_OK)
			snprintf(s->target_note, sizeof(s->target_note), "scratch file %s beside "
				 "--dio-target (null_blk absent): file system and device cost are "
				 "in the numbers", s->scratch);
		return r;
	}
	rb_strlcpy(s->target, t, sizeof(s->target));
	snprintf(s->target_note, sizeof(s->target_note), "%s, read only (null_blk absent): file "
		 "system and device cost are in the numbers", t);
	return RB_OK;
}

/*
 * Does this kernel pin (FOLL_PIN) or take references (FOLL_GET) for
 * O_DIRECT? Ask it: O_DIRECT reads of our own into an anonymous buffer from
 * the same target, against nr_foll_pin_acquired. Other pinners can only
 * add, so fewer pins than pages means references.
 */
static int probe_pin_mode(struct rb_point *pt, struct dio_state *s)
{
	uint64_t chunk = s->span < (64u << 10) ? s->span - s->span % 4096 : (64u << 10);
	uint64_t before, after, threshold;
	long cpus = sysconf(_SC_NPROCESSORS_CONF);
	bool exact0, exact1;
	void *buf = NULL;
	int fd;

	s->probe_pages = 1024 + 256 * (uint64_t)(cpus > 0 ? cpus : 1);
	if (!chunk || posix_memalign(&buf, 4096, chunk))
		return rb_point_fail(pt, RB_ERR, "probe buffer: %s", chunk ? "no memory" : "span < 4K");
	memset(buf, 0, chunk);	/* faulted in: only GUP remains */
	fd = open(s->target, O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return rb_point_fail(pt, RB_ERR, "%s: %s", s->target, strerror(errno));
	}
	rb_vmstat_read(PIN_KEY, &before, &exact0);
	for (uint64_t done = 0; done < s->probe_pages; done += chunk / 4096)
		if (pread(fd, buf, chunk, 0) != (ssize_t)chunk) {
			int e = errno;

			close(fd);
			free(buf);
			return rb_point_fail(pt, RB_ERR, "O_DIRECT read of %s: %s", s->target,
					     e ? strerror(e) : "short read");
		}
	rb_vmstat_read(PIN_KEY, &after, &exact1);
	close(fd);
	free(buf);
	s->probe_delta = after - before;
	s->probe_exact = exact0 && exact1;
	/* without stat_refresh, per-cpu deltas (<= 125 per cpu) may lag */
	threshold = s->probe_exact ? s->probe_pages : s->probe_pages / 2;
	s->pins_taken = s->probe_delta >= threshold;
	return RB_OK;
}

static int dio_setup(struct rb_point *pt)
{
	struct dio_state *s = calloc(1, sizeof(*s));
	const struct rb_params *p = &pt->params;
	const char *rw = rb_param_str(p, "rw");
	char v_span[32], v_bs[32], v_iod[32], v_jobs[32], v_rt[32], v_ramp[32], v_align[32];
	uint64_t align = 0, pins;
	bool exact;
	int r;

	if (!s)
		return RB_ERR;
	s->h.mem.fd = -1;
	pt->priv = s;
	if (strcmp(rw, "read") && strcmp(rw, "write") && strcmp(rw, "randread") &&
	    strcmp(rw, "randwrite"))
		return rb_point_fail(pt, RB_ERR, "rw=%s: use read, write, randread or randwrite", rw);
	s->write = strstr(rw, "write") != NULL;
	if (rb_param_u64(p, "bs", &s->bs) || !s->bs || s->bs % 4096 || s->bs > (16u << 20) ||
	    rb_param_u64(p, "iodepth", &s->iodepth) || !s->iodepth || s->iodepth > 4096 ||
	    !rb_fio_param_jobs(p, &s->jobs) ||
	    rb_param_u64(p, "span", &s->span) || !s->span ||
	    !rb_fio_param_runtime(p, &s->runtime_s, v_rt, sizeof(v_rt)) ||
	    rb_param_u64(p, "ramp", &s->ramp) || s->ramp > 3600)
		return rb_point_fail(pt, RB_ERR, "bs (a multiple of 4K, <= 16M), iodepth (1..4096), "
				     "jobs (1..256 or nproc), span, runtime (1ms..3600s) and ramp "
				     "(s) must be numbers");
	if ((r = rb_fio_need_engine("libaio", pt->why, sizeof(pt->why))) != RB_OK)
		return r;
	if (rb_vmstat_read(PIN_KEY, &pins, &exact))
		return rb_point_fail(pt, RB_UNSUPPORTED, "no %s in /proc/vmstat (kernel < 5.8): "
				     "whether O_DIRECT pinned the buffers cannot be checked", PIN_KEY);

	/* the buffers */
	if (pt->kind == RB_KIND_FSDAX_PMD) {
		if (s->bs * s->iodepth > SZ_2M)
			return rb_point_fail(pt, RB_ERR, "bs x iodepth = %llu exceeds 2 MiB: the buffers "
					     "would leave their huge page; lower bs or iodepth",
					     (unsigned long long)(s->bs * s->iodepth));
		align = SZ_2M;
	} else if (fio_map_len(s->bs * s->iodepth, 0) >= SZ_2M) {
		return rb_point_fail(pt, RB_ERR, "bs x iodepth = %llu: fio's %zu-byte buffer mapping "
				     "could hold a 2 MiB page, so %s would not be 4K pages; lower "
				     "bs or iodepth", (unsigned long long)(s->bs * s->iodepth),
				     fio_map_len(s->bs * s->iodepth, 0), rb_kind_name(pt->kind));
	}
	s->map_len = fio_map_len(s->bs * s->iodepth, align);
	if (pt->kind == RB_KIND_ANON) {
		snprintf(s->iomem, sizeof(s->iomem), "mmap");
	} else {
		uint64_t gran = pt->kind == RB_KIND_FSDAX_PMD ? SZ_2M : 4096;
		uint64_t fsize = (s->map_len + gran - 1) / gran * gran;

		r = rb_mem_validate(pt->kind, pt->env, fsize, pt->why, sizeof(pt->why));
		if (r != RB_OK)
			return r;
		/* the page size is proven from fio's own faults */
		r = rb_fio_job_count_dax(pt, &s->h.job, "the page size of fio's DAX buffers");
		if (r != RB_OK)
			return r;
		r = rb_mem_setup(&s->h.mem, pt->kind, pt->env, fsize, pt->why, sizeof(pt->why));
		if (r != RB_OK)
			return r;
		if (rb_fio_path_check(pt, "buffer file", s->h.mem.path) != RB_OK)
			return RB_ERR;
		snprintf(s->iomem, sizeof(s->iomem), "mmapshared:%s", s->h.mem.path);
	}
	if ((r = pick_target(pt, s)) != RB_OK)
		return r;
	if ((r = probe_pin_mode(pt, s)) != RB_OK)
		return r;

	snprintf(v_span, sizeof(v_span), "%llu", (unsigned long long)s->span);
	snprintf(v_bs, sizeof(v_bs), "%llu", (unsigned long long)s->bs);
	snprintf(v_iod, sizeof(v_iod), "%llu", (unsigned long long)s->iodepth);
	snprintf(v_jobs, sizeof(v_jobs), "%u", s->jobs);
	snprintf(v_ramp, sizeof(v_ramp), "%llu", (unsigned long long)s->ramp);
	snprintf(v_align, sizeof(v_align), "%llu", (unsigned long long)align);
	const struct rb_fio_var vars[] = {
		{ "TARGET", s->target }, { "SPAN", v_span }, { "RW", rw }, { "BS", v_bs },
		{ "IODEPTH", v_iod }, { "JOBS", v_jobs }, { "RUNTIME", v_rt }, { "RAMP", v_ramp },
		{ "IOMEM", s->iomem }, { "MEM_ALIGN", v_align },
	};
	s->h.job.timeout_s = (unsigned)(s->runtime_s + s->ramp + 120);
	return rb_fio_job_prepare(pt, &s->h.job, rb_param_str(p, "job"), vars,
				  sizeof(vars) / sizeof(vars[0]), dio_required);
}

static void check_buffer(struct rb_iter *it, struct dio_state *s, const struct rb_fio_result *res)
{
	const char *mem = rb_fio_opt(res, "iomem") ? rb_fio_opt(res, "iomem") : rb_fio_opt(res, "mem");
	const char *direct = rb_fio_opt(res, "direct");
	bool dax = false;
	int e;

	rb_check(it, "options", "fio JSON job options", direct && !strcmp(direct, "1") && mem &&
		 !strcmp(mem, s->iomem), "direct=%s iomem=%s (want direct=1 iomem=%s)",
		 direct ? direct : "unset", mem ? mem : "unset", s->iomem);
	if (it->pt->kind == RB_KIND_ANON) {
		rb_check(it, "buffer", "iomem=mmap", true, "control: private anonymous buffers in a "
			 "%zu-byte mapping (< 2 MiB: 4K pages only)", s->map_len);
		return;
	}
	e = rb_statx_dax(s->h.mem.fd, &dax);
	rb_check(it, "statx-dax", "statx STATX_ATTR_DAX", !e && dax, "buffer file %s: %s",
		 s->h.mem.path, e ? strerror(-e) : dax ? "DAX" : "not DAX");
	if (it->pt->kind == RB_KIND_FSDAX_PMD) {
		rb_fio_check_dax_faults(it, &s->h.job, true, s->jobs, NULL);
	} else {
		char note[64];

		snprintf(note, sizeof(note), "PMD impossible: a %zu-byte mapping", s->map_len);
		rb_fio_check_dax_faults(it, &s->h.job, false, s->jobs, note);
	}
}

static int dio_iterate(struct rb_iter *it)
{
	struct dio_state *s = it->pt->priv;
	struct rb_fio_result res;
	uint64_t p0 = 0, p1 = 0, ios, want;
	bool x0, x1;
	char unit[24];
	int r;

	rb_vmstat_read(PIN_KEY, &p0, &x0);
	r = rb_fio_job_run(it, &s->h.job, &res);
	if (r != RB_OK)
		return r;
	rb_vmstat_read(PIN_KEY, &p1, &x1);
	ios = rb_fio_ios(&res);
	want = ios * (s->bs / 4096);

	rb_check(it, "target", s->target_method, true, "%s", s->target_note);
	check_buffer(it, s, &res);
	if (s->pins_taken) {
		/* ramp-time I/Os pin too, and other pinners only add */
		uint64_t lag = x0 && x1 ? 0 : 125 * (uint64_t)sysconf(_SC_NPROCESSORS_CONF);

		uint64_t floor = want > lag ? want - lag : 0;

		rb_fio_check_counted(it, "pins", "/proc/vmstat " PIN_KEY, p1 - p0 >= floor, floor,
				     p1 - p0, "FOLL_PIN: +%llu pins for %llu I/Os x %llu pages%s",
				     (unsigned long long)(p1 - p0), (unsigned long long)ios,
				     (unsigned long long)(s->bs / 4096),
				     lag ? " (no stat_refresh: per-cpu lag allowed)" : "");
	} else {
		rb_check(it, "pins", "n/a: FOLL_GET kernel", true, "pin counter not applicable: this "
			 "kernel takes references (FOLL_GET) for O_DIRECT (a %llu-page probe moved "
			 PIN_KEY " by %llu); fio did %llu O_DIRECT I/Os",
			 (unsigned long long)s->probe_pages, (unsigned long long)s->probe_delta,
			 (unsigned long long)ios);
	}
	char rate[24];

	rb_emit_value(it, "iops", rb_rate_unit(it->pt->env, "io", rate, sizeof(rate)), rb_fio_iops(&res), ios, NULL);
	rb_emit_value(it, "lat", rb_time_unit(it->pt->env, "io", unit, sizeof(unit)),
		      rb_fio_lat_mean(&res), ios, NULL);
	if (rb_fio_lat_p99(&res) >= 0)
		rb_emit_value(it, "lat-p99", unit, rb_fio_lat_p99(&res), ios, NULL);
	rb_fio_result_free(&res);
	return RB_OK;
}

static void dio_teardown(struct rb_point *pt)
{
	struct dio_state *s = pt->priv;

	if (!s)
		return;
	rb_fio_head_release(&s->h);
	if (s->scratch[0])
		unlink(s->scratch);
	free(s);
	pt->priv = NULL;
}

const struct rb_case rb_case_fio_dio_daxbuf = {
	.name = "fio-dio-daxbuf",
	.summary = "fio O_DIRECT (libaio) into DAX-file or anonymous buffers: IOPS, latency",
	.kernel_paths = "bio_iov_iter_get_pages: iov_iter_extract_pages -> pin_user_pages_fast "
			"(FOLL_PIN) or iov_iter_get_pages2 -> get_user_pages_fast (FOLL_GET), "
			"gup_fast devmap PMD/PTE, bio_release_pages -> unpin_user_page/put_page",
	.kinds = RB_KIND_BIT(RB_KIND_ANON) | RB_KIND_BIT(RB_KIND_FSDAX_PTE) |
		 RB_KIND_BIT(RB_KIND_FSDAX_PMD),
	.params = dio_params,
	.multi_thread = true,
	.probe = rb_fio_case_probe,
	.preflight = true,	/* fio --parse-only of the job, before any output */
	.setup = dio_setup,
	.iterate = dio_iterate,
	.teardown = dio_teardown,
};
