// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the fio cases' shared part (bench/cases/fio/): fio's JSON
 * into the numbers a sample needs, job-file generation from the templates
 * in configs/fio, the engine-list and version parsing, the fault-count band,
 * the runner (timeout, stdin, exit codes), and, where fio is installed, the
 * cases end to end on this host (anon buffers, a file target).
 *
 * The fixtures are verbatim stdout of Debian's fio 3.33 (fio-3.33) on
 * Debian bookworm, kernel 6.18 x86_64, 2 CPUs, run on ext4 under /var/tmp.
 * Each is one of the repo's templates filled by hand (sed over @NAME@) and
 * piped as `fio --output-format=json --eta=never - < job`:
 *
 *  fio-dio-read.json           configs/fio/dio-daxbuf.fio with
 *      TARGET=/var/tmp/fioexp/target (a 64 MiB file) SPAN=67108864 RW=read
 *      BS=4096 IODEPTH=4 JOBS=2 RUNTIME=1 RAMP=0
 *      IOMEM=mmapshared:/var/tmp/fioexp/buf (a 6 MiB file) MEM_ALIGN=2097152
 *  fio-dio-randwrite-anon.json configs/fio/dio-daxbuf.fio with
 *      TARGET=/var/tmp/fioexp/scratch SPAN=67108864 RW=randwrite BS=8192
 *      IODEPTH=8 JOBS=1 RUNTIME=1 RAMP=0 IOMEM=mmap MEM_ALIGN=0
 *  fio-mmap-fault.json         configs/fio/mmap-fault.fio with
 *      FILE=/var/tmp/fioexp/mf (256 MiB) SIZE=268435456 RW=read
 *      SKIP=2088960 BS=8192 IO_SIZE=1048576 JOBS=3
 *  fio-mmap-stream.json        configs/fio/mmap-stream.fio with the same
 *      file, RW=read BS=2097152 JOBS=2 RUNTIME=1
 *  fio-libpmem-write.json      configs/fio/libpmem.fio with
 *      FILE=/var/tmp/fioexp/pm (256 MiB) SIZE=268435456 RW=write
 *      BS=2097152 JOBS=1 RUNTIME=1 RAMP=0, and PMEM_IS_PMEM_FORCE=1 in the
 *      environment (ext4 is not pmem)
 *  fio-libpmem-notpmem.json    the same job without PMEM_IS_PMEM_FORCE: fio
 *      exits 1, prints its error line before the JSON, and the job carries
 *      error 95 (EOPNOTSUPP)
 *
 * dev-dax needs /dev/daxX.Y, which this host lacks; its JSON has the same
 * shape (the engine only changes "job options").
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <dirent.h>
#include <cmocka.h>

#include "cases/fio/fio.h"
#include "lib/refbench.h"
#include "mem/mem.h"

extern const struct rb_case rb_case_fio_dio_daxbuf;
extern const struct rb_case rb_case_fio_devdax;
extern const struct rb_case rb_case_fio_mmap_fault;

#define FIXTURES RB_SRCDIR "/tests/unit/fixtures/"

static char *slurp(const char *name)
{
	char path[512];
	FILE *f;
	long len;
	char *buf;

	snprintf(path, sizeof(path), FIXTURES "%s", name);
	f = fopen(path, "re");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	return buf;
}

static void parse_fixture(const char *name, struct rb_fio_result *r)
{
	char *text = slurp(name), err[256] = "";
	int rc = rb_fio_parse(text, r, err, sizeof(err));

	if (rc)
		fail_msg("%s: %s", name, err);
	free(text);
}

/* ---- JSON -> metrics ------------------------------------------------ */

static void test_parse_dio_read(void **st)
{
	struct rb_fio_result r;

	(void)st;
	parse_fixture("fio-dio-read.json", &r);
	assert_string_equal(r.version, "fio-3.33");
	assert_int_equal(r.entries, 1);		/* group_reporting */
	assert_int_equal(r.rd.ios, 133579);
	assert_int_equal(r.wr.ios, 0);
	assert_int_equal(rb_fio_ios(&r), 133579);
	assert_float_equal(rb_fio_iops(&r), 133445.554446, 1e-6);
	assert_float_equal(rb_fio_lat_mean(&r), 59610.49778, 1e-5);	/* lat_ns.mean */
	assert_float_equal(rb_fio_lat_p99(&r), 144384, 0);
	assert_int_equal(r.minf, 29);
	assert_int_equal(r.error, 0);
	/* options as fio applied them: all in "global options" here */
	assert_string_equal(rb_fio_opt(&r, "mem"), "mmapshared:/var/tmp/fioexp/buf");
	assert_null(rb_fio_opt(&r, "iomem"));	/* fio reports the canonical name */
	assert_string_equal(rb_fio_opt(&r, "direct"), "1");
	assert_string_equal(rb_fio_opt(&r, "ioengine"), "libaio");
	assert_string_equal(rb_fio_opt(&r, "iomem_align"), "2097152");
	assert_null(rb_fio_opt(&r, "no-such-option"));
	rb_fio_result_free(&r);
}

static void test_parse_dio_randwrite_anon(void **st)
{
	struct rb_fio_result r;

	(void)st;
	parse_fixture("fio-dio-randwrite-anon.json", &r);
	assert_int_equal(r.rd.ios, 0);
	assert_int_equal(r.wr.ios, 119726);
	assert_float_equal(rb_fio_iops(&r), 119606.393606, 1e-6);
	assert_float_equal(rb_fio_lat_mean(&r), 66273.855654, 1e-5);
	assert_float_equal(rb_fio_lat_p99(&r), 102912, 0);
	assert_string_equal(rb_fio_opt(&r, "mem"), "mmap");
	assert_string_equal(rb_fio_opt(&r, "rw"), "randwrite");
	rb_fio_result_free(&r);
}

static void test_parse_mmap_fault(void **st)
{
	struct rb_fio_result r;
	uint64_t slack;

	(void)st;
	parse_fixture("fio-mmap-fault.json", &r);
	/* 3 jobs x 128 regions of 2 MiB, one I/O each */
	assert_int_equal(rb_fio_ios(&r), 384);
	assert_int_equal(r.minf, 387);		/* minor faults, summed by group_reporting */
	assert_int_equal(r.majf, 0);
	assert_true(rb_fio_faults_ok(384, 3, 2, r.minf, &slack));	/* bs=8k: 2 buffer pages */
	assert_int_equal(slack, 3 * (64 + 2));
	assert_float_equal(rb_fio_lat_mean(&r), 5195.539062, 1e-5);
	assert_float_equal(rb_fio_lat_p99(&r), 11200, 0);
	assert_string_equal(rb_fio_opt(&r, "rw"), "read:2088960");
	assert_string_equal(rb_fio_opt(&r, "io_size"), "1048576");
	rb_fio_result_free(&r);
}

static void test_parse_mmap_stream(void **st)
{
	struct rb_fio_result r;

	(void)st;
	parse_fixture("fio-mmap-stream.json", &r);
	assert_int_equal(rb_fio_ios(&r), 4262);
	assert_int_equal(r.rd.bytes, 8938061824ull);
	assert_float_equal(rb_fio_bw_gbs(&r), 8.91132784, 1e-9);
	assert_int_equal(r.minf, 1566);
	/* no lat_percentiles in this job: no p99 */
	assert_true(rb_fio_lat_p99(&r) < 0);
	rb_fio_result_free(&r);
}

static void test_parse_libpmem(void **st)
{
	struct rb_fio_result r;

	(void)st;
	parse_fixture("fio-libpmem-write.json", &r);
	assert_int_equal(r.wr.ios, 6208);
	assert_float_equal(rb_fio_bw_gbs(&r), 13.006113502, 1e-9);
	assert_string_equal(rb_fio_opt(&r, "ioengine"), "libpmem");
	assert_int_equal(r.error, 0);
	rb_fio_result_free(&r);
}

static void test_parse_job_error(void **st)
{
	struct rb_fio_result r;

	(void)st;
	/* fio's error line precedes the JSON on stdout */
	parse_fixture("fio-libpmem-notpmem.json", &r);
	assert_int_equal(r.error, 95);
	assert_string_equal(r.error_job, "libpmem");
	assert_int_equal(rb_fio_ios(&r), 0);
	rb_fio_result_free(&r);
}

static void test_parse_garbage(void **st)
{
	struct rb_fio_result r;
	char err[256], *text, *half;

	(void)st;
	assert_int_not_equal(rb_fio_parse("", &r, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "no JSON"));
	assert_int_not_equal(rb_fio_parse("fio: no jobs\n", &r, err, sizeof(err)), 0);
	assert_int_not_equal(rb_fio_parse("{\"jobs\": []}", &r, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "no jobs"));
	assert_int_not_equal(rb_fio_parse("{\"jobs\": [{\"jobname\": \"x\"}]}", &r, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "lacks"));
	text = slurp("fio-dio-read.json");
	half = strndup(text, strlen(text) / 2);	/* a killed fio */
	assert_int_not_equal(rb_fio_parse(half, &r, err, sizeof(err)), 0);
	assert_null(r.root);
	free(half);
	free(text);
}

/* ---- templates ------------------------------------------------------- */

static void test_render(void **st)
{
	static const char *const req[] = { "A", "B_2", NULL };
	const struct rb_fio_var vars[] = { { "A", "x" }, { "B_2", "/dev/nullb0" } };
	char err[512] = "", *out = NULL;

	(void)st;
	assert_int_equal(rb_fio_render("a=@A@\nb=@B_2@ @A@\n", vars, 2, req, &out, err, sizeof(err)), 0);
	assert_string_equal(out, "a=x\nb=/dev/nullb0 x\n");
	free(out);
	/* '@' that is not a placeholder stays */
	assert_int_equal(rb_fio_render("# mail@host @lower@ @@ @A\n@A@", vars, 2, NULL, &out, err,
				       sizeof(err)), 0);
	assert_string_equal(out, "# mail@host @lower@ @@ @A\nx");
	free(out);
	/* a value used many times outgrows the first guess */
	assert_int_equal(rb_fio_render("@B_2@@B_2@@B_2@@B_2@@B_2@", vars, 2, NULL, &out, err,
				       sizeof(err)), 0);
	assert_int_equal(strlen(out), 5 * strlen("/dev/nullb0"));
	free(out);
	/* unknown placeholder: names it and what is known */
	assert_int_equal(rb_fio_render("x=@NOPE@\n", vars, 2, NULL, &out, err, sizeof(err)), -EINVAL);
	assert_null(out);
	assert_non_null(strstr(err, "@NOPE@"));
	assert_non_null(strstr(err, "@B_2@"));
	/* a required one missing */
	assert_int_equal(rb_fio_render("a=@A@\n", vars, 2, req, &out, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "lacks @B_2@"));
	/* a value that would add job options */
	{
		const struct rb_fio_var bad[] = { { "A", "x\nrw=write" } };

		assert_int_equal(rb_fio_render("a=@A@\n", bad, 1, NULL, &out, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "multi-line"));
	}
}

static char *render_repo(const char *name, const struct rb_fio_var *vars, unsigned n,
			 const char *const *req)
{
	char path[512], err[512] = "", *t = NULL, *out = NULL;

	if (rb_fio_template_load(name, &t, path, sizeof(path), err, sizeof(err)))
		fail_msg("%s", err);
	if (rb_fio_render(t, vars, n, req, &out, err, sizeof(err)))
		fail_msg("%s: %s", path, err);
	free(t);
	/* nothing left unfilled, comments included */
	for (const char *p = strchr(out, '@'); p; p = strchr(p + 1, '@')) {
		size_t l = strspn(p + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");

		if (l && p[1 + l] == '@')
			fail_msg("%s: %.*s left unfilled", name, (int)l + 2, p);
	}
	return out;
}

/* The repo's templates, with the cases' variable sets. */
static void test_repo_templates(void **st)
{
	static const char *const dio_req[] = { "TARGET", "RW", "BS", "IODEPTH", "IOMEM",
						"MEM_ALIGN", NULL };
	static const char *const mmap_req[] = { "FILE", "SIZE", "RW", "SKIP", "BS", "IO_SIZE",
						 "JOBS", NULL };
	const struct rb_fio_var dio[] = {
		{ "TARGET", "/dev/nullb0" }, { "SPAN", "1073741824" }, { "RW", "randread" },
		{ "BS", "4096" }, { "IODEPTH", "32" }, { "JOBS", "1" }, { "RUNTIME", "5" },
		{ "RAMP", "1" }, { "IOMEM", "mmapshared:/mnt/pmem/.refbench-abc" },
		{ "MEM_ALIGN", "2097152" },
	};
	const struct rb_fio_var dd[] = {
		{ "DEV", "/dev/dax0.0" }, { "FILE", "/mnt/pmem/.refbench-x" }, { "SIZE", "1073741824" },
		{ "BS", "2097152" }, { "RW", "read" }, { "JOBS", "1" }, { "RUNTIME", "5" }, { "RAMP", "1" },
	};
	const struct rb_fio_var mm[] = {
		{ "FILE", "/mnt/pmem/.refbench-y" }, { "SIZE", "268435456" }, { "RW", "write" },
		{ "BS", "8192" }, { "SKIP", "2088960" }, { "IO_SIZE", "1048576" }, { "JOBS", "4" },
		{ "RUNTIME", "5" },
	};
	char *t, err[512], path[512];

	(void)st;
	t = render_repo("dio-daxbuf", dio, 10, dio_req);
	assert_non_null(strstr(t, "\nfilename=/dev/nullb0\n"));
	assert_non_null(strstr(t, "\niomem=mmapshared:/mnt/pmem/.refbench-abc\n"));
	assert_non_null(strstr(t, "\niomem_align=2097152\n"));
	assert_non_null(strstr(t, "\ndirect=1\n"));
	assert_non_null(strstr(t, "\nallow_file_create=0\n"));
	assert_null(strstr(t, "\nthread\n"));	/* fio 3.33 aborts with threads + mmapshared */
	free(t);
	t = render_repo("devdax", dd, 8, NULL);
	assert_non_null(strstr(t, "\nioengine=dev-dax\n"));
	assert_non_null(strstr(t, "\nfilename=/dev/dax0.0\n"));
	free(t);
	t = render_repo("libpmem", dd, 8, NULL);
	assert_non_null(strstr(t, "\nioengine=libpmem\n"));
	free(t);
	t = render_repo("mmap-fault", mm, 8, mmap_req);
	assert_non_null(strstr(t, "\nrw=write:2088960\n"));
	assert_non_null(strstr(t, "\nio_size=1048576\n"));
	assert_non_null(strstr(t, "\nthread\n"));	/* per-thread minf */
	free(t);
	t = render_repo("mmap-stream", mm, 8, NULL);
	assert_non_null(strstr(t, "\ntime_based\n"));
	free(t);
	/* a wrong name or path: the error says where templates live */
	assert_int_equal(rb_fio_template_load("no-such-job", &t, path, sizeof(path), err,
					      sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "configs/fio/NAME.fio"));
	assert_int_equal(rb_fio_template_load("/nonexistent/x.fio", &t, path, sizeof(path), err,
					      sizeof(err)), -ENOENT);
	assert_int_equal(rb_fio_template_load("", &t, path, sizeof(path), err, sizeof(err)), -EINVAL);
}

/* ---- engines and version ------------------------------------------- */

/* `fio --enghelp` of Debian's fio 3.33, verbatim */
static const char enghelp_3_33[] =
	"Available IO engines:\n\tcpuio\n\tmmap\n\tsync\n\tpsync\n\tvsync\n\tpvsync\n"
	"\tpvsync2\n\tnull\n\tnet\n\tnetsplice\n\tftruncate\n\tfilecreate\n\tfilestat\n"
	"\tfiledelete\n\texec\n\tposixaio\n\tfalloc\n\te4defrag\n\tsplice\n\tgfapi\n"
	"\tgfapi_async\n\tmtd\n\tsg\n\tio_uring\n\tio_uring_cmd\n\tnbd\n\tlibaio\n\trdma\n"
	"\trados\n\trbd\n\tpmemblk\n\tdev-dax\n\tlibpmem\n";

static void test_enghelp(void **st)
{
	(void)st;
	assert_true(rb_fio_enghelp_lists(enghelp_3_33, "dev-dax"));
	assert_true(rb_fio_enghelp_lists(enghelp_3_33, "libpmem"));
	assert_true(rb_fio_enghelp_lists(enghelp_3_33, "libaio"));
	assert_true(rb_fio_enghelp_lists(enghelp_3_33, "mmap"));
	assert_true(rb_fio_enghelp_lists(enghelp_3_33, "cpuio"));	/* first */
	assert_false(rb_fio_enghelp_lists(enghelp_3_33, "dev"));	/* no prefixes */
	assert_false(rb_fio_enghelp_lists(enghelp_3_33, "libpmem2"));
	assert_false(rb_fio_enghelp_lists(enghelp_3_33, "Available"));
	assert_false(rb_fio_enghelp_lists("", "mmap"));
	assert_false(rb_fio_enghelp_lists(NULL, "mmap"));
	/* a build without libpmem: the same list minus the pmem engines */
	assert_false(rb_fio_enghelp_lists("Available IO engines:\n\tmmap\n\tlibaio\n", "dev-dax"));
	/* `fio --enghelp=NAME` (stdout; exit 1 in both cases) */
	assert_true(rb_fio_enghelp_missing("IO engine nosuch not found\n"));
	assert_false(rb_fio_enghelp_missing("IO engine dev-dax has no options\n"));
	assert_false(rb_fio_enghelp_missing("userspace_reap          : Use alternative user-space "
					    "reap implementation\n"));
}

static void test_version(void **st)
{
	char v[32];

	(void)st;
	assert_true(rb_fio_parse_version("fio-3.33\n", v, sizeof(v)));
	assert_string_equal(v, "fio-3.33");
	assert_true(rb_fio_parse_version("fio-3.36-15-gabcdef\n", v, sizeof(v)));
	assert_string_equal(v, "fio-3.36-15-gabcdef");
	assert_false(rb_fio_parse_version("", v, sizeof(v)));
	assert_false(rb_fio_parse_version("fio-\n", v, sizeof(v)));
	assert_false(rb_fio_parse_version("sh: 1: fio: not found\n", v, sizeof(v)));
	assert_false(rb_fio_parse_version(NULL, v, sizeof(v)));
}

/* ---- the fault band ------------------------------------------------ */

static void test_fault_band(void **st)
{
	uint64_t slack;

	(void)st;
	/* storm: 4 jobs x 128 PMDs, bs=8K (2 buffer pages per job); fio adds
	 * about one fault per thread; PTEs would fault twice per I/O */
	assert_true(rb_fio_faults_ok(512, 4, 2, 512, &slack));
	assert_int_equal(slack, 4 * (64 + 2));
	assert_true(rb_fio_faults_ok(512, 4, 2, 524, &slack));
	assert_true(rb_fio_faults_ok(512, 4, 2, 776, &slack));
	assert_false(rb_fio_faults_ok(512, 4, 2, 777, &slack));
	assert_false(rb_fio_faults_ok(512, 4, 2, 1024 + 12, &slack));	/* PTEs */
	assert_false(rb_fio_faults_ok(512, 4, 2, 511, &slack));	/* a region never touched */
	/* stream, as seen in the lab (6.1, xfs DAX, TCG): 2 jobs x 64 PMDs
	 * plus each job's 2 MiB malloc'ed buffer touched page by page */
	assert_true(rb_fio_faults_ok(128, 2, 512, 1152, &slack));
	assert_false(rb_fio_faults_ok(128, 2, 512, 2 * 32768 + 1024, &slack));	/* PTEs */
	/* small files: the slack stays below one more fault per region */
	assert_true(rb_fio_faults_ok(4, 1, 2, 7, &slack));
	assert_int_equal(slack, 4);
	assert_false(rb_fio_faults_ok(4, 1, 2, 10, &slack));
}

/* ---- the cases on this host ---------------------------------------- */

static bool have_fio(void)
{
	char why[256];

	return rb_fio_probe(why, sizeof(why)) == RB_OK;
}

static void point_init(struct rb_point *pt, const struct rb_case *c, enum rb_kind kind,
		       const struct rb_env *env)
{
	memset(pt, 0, sizeof(*pt));
	pt->c = c;
	pt->kind = kind;
	pt->env = env;
	for (const struct rb_param_def *d = c->params; d->key; d++)
		rb_params_set(&pt->params, d->key, d->def);
}

static unsigned count_scratch(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += !strncmp(e->d_name, ".refbench-dio-", 14);
	closedir(d);
	return n;
}

static int run_once(struct rb_point *pt, struct rb_iter *it)
{
	int r = pt->c->setup(pt);

	if (r != RB_OK) {
		pt->c->teardown(pt);
		return r;
	}
	memset(it, 0, sizeof(*it));
	it->pt = pt;
	r = pt->c->iterate(it);
	pt->c->teardown(pt);
	return r;
}

/* fio-dio-daxbuf, anon control, reads and writes against a file target
 * (or null_blk where it is loaded): samples with every check passing, and
 * the write scratch file gone afterwards. */
static void test_case_dio_anon(void **st)
{
	char dir[] = "/var/tmp/refbench-test-fio-XXXXXX", target[128];
	struct rb_env env = { 0 };
	struct rb_point pt;
	struct rb_iter it;
	static char zero[1 << 16];
	int fd;

	(void)st;
	if (!have_fio())
		skip();
	assert_non_null(mkdtemp(dir));
	snprintf(target, sizeof(target), "%s/target", dir);
	fd = open(target, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	for (int i = 0; i < 64; i++)	/* 4 MiB */
		assert_int_equal(write(fd, zero, sizeof(zero)), sizeof(zero));
	close(fd);
	env.dio_target = target;

	for (int w = 0; w < 2; w++) {
		point_init(&pt, &rb_case_fio_dio_daxbuf, RB_KIND_ANON, &env);
		rb_params_set(&pt.params, "rw", w ? "write" : "randread");
		rb_params_set(&pt.params, "runtime", "1");
		rb_params_set(&pt.params, "ramp", "0");
		rb_params_set(&pt.params, "iodepth", "4");
		if (run_once(&pt, &it) != RB_OK || it.status != RB_OK)
			fail_msg("rw=%s: setup/iterate: %s%s", w ? "write" : "randread", pt.why, it.reason);
		assert_int_equal(it.n_metrics, 3);
		assert_string_equal(it.metrics[0].name, "iops");
		assert_string_equal(it.metrics[0].unit, "io/s");
		assert_true(it.metrics[0].value > 0);
		assert_string_equal(it.metrics[1].unit, "ns/io");
		assert_false(it.metrics[1].has_window);	/* fio's clock, no counters */
		for (unsigned i = 0; i < it.n_checks; i++)
			if (!it.checks[i].ok)
				fail_msg("check %s failed: %s", it.checks[i].what, it.checks[i].detail);
		assert_string_equal(it.checks[0].what, "fio");
		assert_non_null(strstr(it.checks[0].detail, "fio-3."));
		assert_non_null(strstr(it.checks[0].detail, "template dio-daxbuf.fio sha256 "));
		assert_non_null(strstr(it.checks[0].detail, "; job sha256 "));
		assert_non_null(strstr(it.checks[0].detail, "; wall "));	/* not truncated */
		assert_int_equal(count_scratch(dir), 0);	/* removed at teardown */
	}
	unlink(target);
	rmdir(dir);
}

/* Without pmem the DAX kinds skip, naming what to pass; a bad template is
 * an error at setup, naming the file and fio's complaint. */
static void test_case_skips_and_errors(void **st)
{
	struct rb_env env = { 0 };
	struct rb_point pt;
	struct rb_iter it;
	char tmpl[] = "/tmp/refbench-test-XXXXXX.fio", dir[] = "/var/tmp/refbench-test-fio-XXXXXX";
	char target[128];
	int fd;

	(void)st;
	if (!have_fio())
		skip();
	point_init(&pt, &rb_case_fio_mmap_fault, RB_KIND_FSDAX_PMD, &env);
	assert_int_equal(run_once(&pt, &it), RB_SKIP);
	assert_non_null(strstr(pt.why, "--fsdax"));
	point_init(&pt, &rb_case_fio_devdax, RB_KIND_DEVDAX_2M, &env);
	assert_int_equal(run_once(&pt, &it), RB_SKIP);
	assert_non_null(strstr(pt.why, "--devdax"));

	/* malformed template */
	assert_non_null(mkdtemp(dir));
	snprintf(target, sizeof(target), "%s/target", dir);
	fd = open(target, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	assert_int_equal(ftruncate(fd, 1 << 20), 0);
	close(fd);
	env.dio_target = target;
	fd = mkstemps(tmpl, 4);
	assert_true(fd >= 0);
	dprintf(fd, "[global]\nioengine=libaio\nrw=@RW@\nbs=@BS@\niodepth=@IODEPTH@\n"
		"filename=@TARGET@\niomem=@IOMEM@\niomem_align=@MEM_ALIGN@\nbogus_option=1\n[j]\n");
	close(fd);
	point_init(&pt, &rb_case_fio_dio_daxbuf, RB_KIND_ANON, &env);
	rb_params_set(&pt.params, "job", tmpl);
	if (access("/dev/nullb0", F_OK)) {	/* else nullb0 is the target */
		assert_int_equal(run_once(&pt, &it), RB_ERR);
		assert_non_null(strstr(pt.why, "malformed"));
		assert_non_null(strstr(pt.why, "bogus_option"));
	}
	/* a template that drops the DAX buffer */
	fd = open(tmpl, O_WRONLY | O_TRUNC | O_CLOEXEC);
	dprintf(fd, "[j]\nioengine=libaio\nfilename=@TARGET@\nrw=@RW@\nbs=@BS@\n");
	close(fd);
	point_init(&pt, &rb_case_fio_dio_daxbuf, RB_KIND_ANON, &env);
	rb_params_set(&pt.params, "job", tmpl);
	assert_int_equal(run_once(&pt, &it), RB_ERR);
	assert_non_null(strstr(pt.why, "lacks @IODEPTH@"));
	/* a wrong path */
	point_init(&pt, &rb_case_fio_dio_daxbuf, RB_KIND_ANON, &env);
	rb_params_set(&pt.params, "job", "/nonexistent/dio.fio");
	assert_int_equal(run_once(&pt, &it), RB_ERR);
	assert_non_null(strstr(pt.why, "/nonexistent/dio.fio"));
	/* bad parameters */
	point_init(&pt, &rb_case_fio_dio_daxbuf, RB_KIND_ANON, &env);
	rb_params_set(&pt.params, "rw", "trim");
	assert_int_equal(run_once(&pt, &it), RB_ERR);
	point_init(&pt, &rb_case_fio_dio_daxbuf, RB_KIND_ANON, &env);
	rb_params_set(&pt.params, "bs", "256k");
	rb_params_set(&pt.params, "iodepth", "16");	/* 4 MiB of anon: THP could back it */
	assert_int_equal(run_once(&pt, &it), RB_ERR);
	assert_non_null(strstr(pt.why, "2 MiB"));
	unlink(tmpl);
	unlink(target);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_dio_read),
		cmocka_unit_test(test_parse_dio_randwrite_anon),
		cmocka_unit_test(test_parse_mmap_fault),
		cmocka_unit_test(test_parse_mmap_stream),
		cmocka_unit_test(test_parse_libpmem),
		cmocka_unit_test(test_parse_job_error),
		cmocka_unit_test(test_parse_garbage),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_repo_templates),
		cmocka_unit_test(test_enghelp),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_fault_band),
		cmocka_unit_test(test_case_dio_anon),
		cmocka_unit_test(test_case_skips_and_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
