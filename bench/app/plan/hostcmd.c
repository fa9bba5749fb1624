// SPDX-License-Identifier: GPL-2.0
/*
 * The host-ab job's part of `refbench plan` (host.h): init checks the A/B
 * and writes STATE/plan.json; next decides what this boot of the machine
 * does; record takes what it gave; show and host-lava read the plan.
 * scripts/host-ab carries the steps out: it kexecs, runs, compares.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "app/plan/host.h"
#include "app/plan/plan.h"
#include "app/plan/state.h"
#include "app/run/suite.h"
#include "app/rundir/rundir.h"
#include "lib/refbench.h"
#include "lib/sysfacts.h"
#include "lib/userfile.h"

static const char host_usage[] =
"usage: refbench plan init host-ab --repo DIR --kernel-a DIR --kernel-b DIR\n"
"              (--fsdax DIR | --devdax DEV)... [--rounds N] [--suite NAME|FILE]\n"
"              [--state DIR] [--append-a ARGS] [--append-b ARGS] [--label-a T] [--label-b T]\n"
"              [--original-image FILE] [--run-args 'ARGS']\n"
"       refbench plan init host-ab --resume STATE\n"
"  (scripts/host-ab; docs/plan.md)\n"
"--kernel-a/-b  kernels/build directories: bzImage, .config with KEXEC,\n"
"               build-info.json (initrd.img when the kernel needs one)\n"
"--rounds       boots per kernel (default 3), A1 B1 A2 B2 ...\n"
"--suite        default host-smoke\n"
"--state        the plan and the runs (default results/<id>); it must\n"
"               survive the reboots, and carries no blanks (it goes on the\n"
"               kernel command line, refbench.host=STATE)\n"
"The same A/B again in its state directory continues it; another is refused.\n"
"What this boot is comes from /proc (boot_id, uname -r, cmdline), or from\n"
"RB_BOOT_ID, RB_BOOT_RELEASE and RB_BOOT_CMDLINE; the watchdog from\n"
"RB_SYSFS (default /sys).\n";

#define HOST_ROUNDS_DEFAULT 3
#define HOST_SUITE_DEFAULT "host-smoke"
#define HOST_MAX_NS 16
/* a refusal of what was given: said, exit 2 */
#define USAGE(...) (rb_plan_error("host-ab", __VA_ARGS__), RB_EXIT_USAGE)

struct this_boot {
	char id[64], release[128], cmdline[4096];
	struct rb_host_boot b;
};

static int read_line(const char *path, char *buf, size_t n)
{
	if (rb_read_text(path, buf, n) < 0)
		return rb_error(-1, "cannot read %s: %s", path, strerror(errno));
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* what this boot of the machine is: /proc, or what a test says it is */
static int this_boot(struct this_boot *t)
{
	const char *id = getenv("RB_BOOT_ID"), *rel = getenv("RB_BOOT_RELEASE"), *cmd = getenv("RB_BOOT_CMDLINE");
	struct utsname u;

	if (id)
		rb_strlcpy(t->id, id, sizeof(t->id));
	else if (read_line("/proc/sys/kernel/random/boot_id", t->id, sizeof(t->id)))
		return -1;
	if (!rel && !uname(&u))
		rel = u.release;
	rb_strlcpy(t->release, rel ? rel : "", sizeof(t->release));
	if (cmd)
		rb_strlcpy(t->cmdline, cmd, sizeof(t->cmdline));
	else if (read_line("/proc/cmdline", t->cmdline, sizeof(t->cmdline)))
		return -1;
	t->b = (struct rb_host_boot){ t->id, t->release, t->cmdline };
	return 0;
}

static const char *sysfs(void)
{
	return getenv("RB_SYSFS") && *getenv("RB_SYSFS") ? getenv("RB_SYSFS") : "/sys";
}

/* ---- init ---- */

struct host_opts {
	const char *kernel[2], *append[2], *label[2], *suite, *orig_image, *run_args, *state, *repo, *resume;
	const char *fsdax[HOST_MAX_NS], *devdax[HOST_MAX_NS];
	unsigned nfsdax, ndevdax;
	long rounds;
	bool help;
};

static int parse(int argc, char **argv, struct host_opts *o)
{
	static const struct option lo[] = {
		{ "kernel-a", required_argument, NULL, 'a' }, { "kernel-b", required_argument, NULL, 'b' },
		{ "append-a", required_argument, NULL, 'x' }, { "append-b", required_argument, NULL, 'y' },
		{ "label-a", required_argument, NULL, 'X' }, { "label-b", required_argument, NULL, 'Y' },
		{ "rounds", required_argument, NULL, 'n' }, { "suite", required_argument, NULL, 's' },
		{ "fsdax", required_argument, NULL, 'f' }, { "devdax", required_argument, NULL, 'd' },
		{ "original-image", required_argument, NULL, 'O' }, { "run-args", required_argument, NULL, 'A' },
		{ "state", required_argument, NULL, 'S' }, { "repo", required_argument, NULL, 'R' },
		{ "resume", required_argument, NULL, 'r' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		switch (c) {
		case 'a': o->kernel[0] = optarg; break;
		case 'b': o->kernel[1] = optarg; break;
		case 'x': o->append[0] = optarg; break;
		case 'y': o->append[1] = optarg; break;
		case 'X': o->label[0] = optarg; break;
		case 'Y': o->label[1] = optarg; break;
		case 'n':
			o->rounds = strtol(optarg, &end, 10);
			if (*end || o->rounds < 1 || o->rounds > 100)
				return rb_plan_error("host-ab", "--rounds %s: a count from 1 to 100", optarg);
			break;
		case 's': o->suite = optarg; break;
		case 'f':
		case 'd':
			if ((c == 'f' ? o->nfsdax : o->ndevdax) == HOST_MAX_NS)
				return rb_plan_error("host-ab", "at most %d --fsdax and %d --devdax", HOST_MAX_NS,
						     HOST_MAX_NS);
			if (c == 'f')
				o->fsdax[o->nfsdax++] = optarg;
			else
				o->devdax[o->ndevdax++] = optarg;
			break;
		case 'O': o->orig_image = optarg; break;
		case 'A': o->run_args = optarg; break;
		case 'S': o->state = optarg; break;
		case 'R': o->repo = optarg; break;
		case 'r': o->resume = optarg; break;
		case 'h': o->help = true; break;
		default:
			return rb_plan_error("host-ab", "%s argument '%s' (--help lists them)",
					     c == ':' ? "a value is missing after the" : "unknown", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return rb_plan_error("host-ab", "unknown argument '%s' (--help lists them)", argv[optind]);
	return 0;
}

static int abs_path(const char *p, char *buf, size_t n, const char *what)
{
	char *r = realpath(p, NULL);

	if (!r)
		return rb_plan_error("host-ab", "%s %s: %s", what, p, strerror(errno));
	rb_strlcpy(buf, r, n);
	free(r);
	return 0;
}

/* A kernels/build directory as the plan records it; refused when that
 * kernel could not kexec out again. */
static struct json_object *kernel_json(const char *dir, const char *append, const char *label, char *err, size_t n)
{
	char d[PATH_MAX], p[PATH_MAX + 32], why[512];
	struct json_object *info, *k, *rel, *mods;

	if (!realpath(dir, d)) {
		snprintf(err, n, "%s: %s", dir, strerror(errno));
		return NULL;
	}
	snprintf(p, sizeof(p), "%s/bzImage", d);
	if (access(p, R_OK)) {
		snprintf(err, n, "%s: %s (give a kernels/build directory)", p, strerror(errno));
		return NULL;
	}
	snprintf(p, sizeof(p), "%s/.config", d);
	if (rb_host_config_kexec(p, err, n))
		return NULL;
	snprintf(p, sizeof(p), "%s/build-info.json", d);
	info = rb_json_load(p, RB_USER_JSON_MAX, true, why, sizeof(why));
	if (!info || !json_object_object_get_ex(info, "kernelrelease", &rel)) {
		snprintf(err, n, "%s: %s (give a kernels/build directory)", p, info ? "no kernelrelease" : why);
		json_object_put(info);
		return NULL;
	}
	k = json_object_new_object();
	rb_plan_set_str(k, "name", label ? label : d);
	rb_plan_set_str(k, "spec", d);
	rb_plan_set_str(k, "status", "built");
	rb_plan_set_str(k, "dir", d);
	snprintf(p, sizeof(p), "%s/bzImage", d);
	rb_plan_set_str(k, "image", p);
	json_object_object_add(k, "release", json_object_get(rel));
	/* a distribution-config kernel finds its root through an initramfs */
	snprintf(p, sizeof(p), "%s/initrd.img", d);
	rb_plan_set_str(k, "initrd", access(p, R_OK) ? "" : p);
	/* its modules, staged by kernels/build: installed before the first
	 * switch, with an initramfs made from them unless it has one */
	if (json_object_object_get_ex(info, "modules", &mods) && json_object_is_type(mods, json_type_object)) {
		const char *mp = rb_json_get_str(mods, "path"), *mr = rb_json_get_str(mods, "release");
		struct stat st;

		if (!mp || !mr || strcmp(mr, json_object_get_string(rel))) {
			snprintf(err, n, "%s/build-info.json: its modules have no path, or another release than the kernel's",
				 d);
			json_object_put(info);
			json_object_put(k);
			return NULL;
		}
		snprintf(p, sizeof(p), "%s/%s", d, mp);
		if (stat(p, &st) || !S_ISDIR(st.st_mode)) {
			snprintf(err, n, "%s: its staged modules are missing (build the kernel again: kernels/build --force)",
				 p);
			json_object_put(info);
			json_object_put(k);
			return NULL;
		}
		rb_plan_set_str(k, "modules", p);
	}
	rb_plan_set_str(k, "append", append ? append : "");
	json_object_put(info);
	return k;
}

static struct json_object *strings(const char *const *v, unsigned n)
{
	struct json_object *a = json_object_new_array();

	for (unsigned i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

/* Do two definitions describe the same A/B? If not, the first key that
 * differs, as "KEY: X here, Y in the state dir". */
static bool same(struct json_object *a, struct json_object *b, char *what, size_t n)
{
	json_object_object_foreach(a, k, va) {
		struct json_object *vb = rb_plan_get(b, k);

		if (!vb || strcmp(json_object_to_json_string(va), json_object_to_json_string(vb))) {
			snprintf(what, n, "%s: %s here, %s in the state dir", k, json_object_to_json_string(va),
				 vb ? json_object_to_json_string(vb) : "absent");
			return false;
		}
	}
	json_object_object_foreach(b, k2, vb2) {
		(void)vb2;
		if (!rb_plan_get(a, k2)) {
			snprintf(what, n, "%s: absent here, set in the state dir", k2);
			return false;
		}
	}
	return true;
}

/* the A/B as init checked it: the plan's settings and its two kernels */
static int definition(const struct host_opts *o, const char *repo, const char *state, struct json_object **sp,
		      struct json_object **kp)
{
	struct json_object *s = json_object_new_object(), *orig = json_object_new_object(), *ks;
	char err[2048], suite[PATH_MAX], img[PATH_MAX], path[PATH_MAX + 80], dir[PATH_MAX + 32];
	struct this_boot t;

	*sp = s;
	*kp = ks = json_object_new_array();
	snprintf(dir, sizeof(dir), "%s/configs/suites", repo);
	rb_suite_path(dir, o->suite ? o->suite : HOST_SUITE_DEFAULT, path, sizeof(path));
	if (access(path, R_OK))
		return rb_plan_error("host-ab", "suite '%s' not found (%s)", o->suite ? o->suite : HOST_SUITE_DEFAULT,
				     path);
	if (abs_path(path, suite, sizeof(suite), "--suite") || this_boot(&t))
		return RB_EXIT_FAIL;
	rb_plan_set_str(s, "state", state);
	rb_plan_set_str(s, "out", state);
	rb_plan_set_str(s, "suite", suite);
	rb_plan_set_int(s, "rounds", o->rounds ? o->rounds : HOST_ROUNDS_DEFAULT);
	json_object_object_add(s, "fsdax", strings(o->fsdax, o->nfsdax));
	json_object_object_add(s, "devdax", strings(o->devdax, o->ndevdax));
	/* what every boot's `refbench run` gets besides suite and pmem */
	rb_plan_set_str(s, "run_args", o->run_args ? o->run_args : "");
	if (o->orig_image) {
		if (abs_path(o->orig_image, img, sizeof(img), "--original-image"))
			return RB_EXIT_USAGE;
	} else {
		snprintf(img, sizeof(img), "/boot/vmlinuz-%s", t.release);
	}
	if (access(img, R_OK))
		return USAGE("the running kernel's image %s: %s; host-ab kexecs back into it at the end: give "
			     "--original-image FILE", img, strerror(errno));
	rb_plan_set_str(orig, "image", img);
	snprintf(path, sizeof(path), "/boot/initrd.img-%s", t.release);
	rb_plan_set_str(orig, "initrd", o->orig_image || access(path, R_OK) ? "" : path);
	rb_plan_set_str(orig, "release", t.release);
	rb_plan_set_str(orig, "cmdline", t.cmdline);
	json_object_object_add(s, "original", orig);
	for (int i = 0; i < 2; i++) {
		struct json_object *k = kernel_json(o->kernel[i], o->append[i], o->label[i], err, sizeof(err));

		if (!k)
			return USAGE("kernel %c: %s", 'A' + i, err);
		rb_plan_set_str(k, "label", i ? "B" : "A");
		/* the initramfs the host's own tool makes, kept with the plan */
		if (rb_json_get_str(k, "modules") && !*rb_json_get_str(k, "initrd")) {
			snprintf(path, sizeof(path), "%s/boot/initrd.img-%s", state, rb_json_get_str(k, "release"));
			rb_plan_set_str(k, "initrd", path);
			rb_plan_set_str(k, "initrd_make", path);
		}
		json_object_array_add(ks, k);
	}
	return 0;
}

/* --resume STATE: the plan of a host-ab job, to go on with */
static int resume(const char *given)
{
	char state[PATH_MAX], err[RB_ERR_LEN];
	struct json_object *plan;
	int rc = 0;

	if (abs_path(given, state, sizeof(state), "--resume"))
		return RB_EXIT_USAGE;
	if (rb_plan_load(state, &plan, err, sizeof(err)))
		return rb_plan_error("host-ab", "%s", err);
	if (strcmp(rb_json_get_str(plan, "job"), "host-ab"))
		rc = rb_plan_error("host-ab", "%s is the plan of a %s job, not of host-ab", state,
				   rb_json_get_str(plan, "job"));
	else
		printf("%s\n", state);
	json_object_put(plan);
	return rc;
}

int rb_plan_host_init(int argc, char **argv)
{
	struct host_opts o = { 0 };
	struct json_object *s = NULL, *ks = NULL, *plan = NULL, *old = NULL;
	char repo[PATH_MAX], state[PATH_MAX], id[128], path[PATH_MAX + 16], err[RB_ERR_LEN], what[1024];
	int rc;

	if ((rc = parse(argc, argv, &o)))
		return RB_EXIT_USAGE;
	if (o.help) {
		fputs(host_usage, stdout);
		return 0;
	}
	if (o.resume)
		return resume(o.resume);
	if (!o.repo || !realpath(o.repo, repo))
		return rb_plan_error("host-ab", "--repo DIR (the checkout; the scripts pass it) is missing or does not exist");
	if (!o.kernel[0] || !o.kernel[1])
		return USAGE("give --kernel-a DIR and --kernel-b DIR");
	if (!o.nfsdax && !o.ndevdax)
		return USAGE("name the pmem to use: --fsdax DIR (a file system mounted -o dax) and/or --devdax "
			     "/dev/daxX.Y; host mode never picks a namespace itself");
	{
		char d[PATH_MAX];

		rb_strlcpy(id, strrchr(rb_result_dir("host", d, sizeof(d)), '/') + 1, sizeof(id));
	}
	if (o.state) {
		if (mkdir(o.state, 0755) && errno != EEXIST)
			return rb_plan_error("host-ab", "creating %s: %s", o.state, strerror(errno));
		if (abs_path(o.state, state, sizeof(state), "--state"))
			return RB_EXIT_FAIL;
	} else {
		snprintf(state, sizeof(state), "%s/results/%s", repo, id);
	}
	if (strpbrk(state, " \t\n"))
		return USAGE("%s: the state directory goes on the kernel command line (refbench.host=STATE): choose "
			     "a path without blanks", state);
	if ((rc = definition(&o, repo, state, &s, &ks))) {
		json_object_put(s);
		json_object_put(ks);
		if (o.state && !access(state, F_OK))
			rmdir(state);	/* only if it is still empty */
		return rc;
	}
	snprintf(path, sizeof(path), "%s/%s", state, RB_PLAN_FILE);
	if (!access(path, F_OK)) {
		rc = RB_EXIT_USAGE;
		if (rb_plan_load(state, &old, err, sizeof(err)))
			rb_plan_error("host-ab", "%s; it is left as it is: give another state directory", err);
		else if (strcmp(rb_json_get_str(old, "job"), "host-ab") ||
			 !same(s, rb_plan_get(old, "settings"), what, sizeof(what)) ||
			 !same(json_object_array_get_idx(ks, 0), rb_plan_kernel(old, 0), what, sizeof(what)) ||
			 !same(json_object_array_get_idx(ks, 1), rb_plan_kernel(old, 1), what, sizeof(what)))
			rb_plan_error("host-ab", "%s holds another plan (%s; it differs in %s): give a new state "
				      "directory, or continue that plan with make ab TARGET=host RESUME=%s", state,
				      rb_json_get_str(old, "id"), strcmp(rb_json_get_str(old, "job"), "host-ab") ?
				      "job" : what, state);
		else
			rc = 0, printf("%s\n", state);
		json_object_put(s);
		json_object_put(ks);
		json_object_put(old);
		return rc;
	}
	if (mkdir(state, 0755) && errno != EEXIST) {
		json_object_put(s);
		json_object_put(ks);
		return rb_plan_error("host-ab", "creating %s: %s", state, strerror(errno));
	}
	plan = rb_host_new(s, ks, id);
	rc = rb_plan_save(state, plan, err, sizeof(err)) ? rb_plan_error("host-ab", "%s", err) : 0;
	json_object_put(plan);
	if (!rc)
		printf("%s\n", state);
	return rc;
}

/* ---- next ---- */

static struct json_object *kernel_of(struct json_object *plan, struct json_object *b)
{
	return rb_plan_kernel(plan, (size_t)rb_plan_int(b, "kernel", 0));
}

static struct json_object *boot_at(struct json_object *plan, size_t i)
{
	return json_object_array_get_idx(rb_plan_get(plan, "boots"), i);
}

/* runs of the done boots of kernel k, comma-separated */
static void runs_of(struct json_object *plan, long k, char *buf, size_t n)
{
	*buf = '\0';
	for (size_t i = 0; i < json_object_array_length(rb_plan_get(plan, "boots")); i++) {
		struct json_object *b = boot_at(plan, i);

		if (rb_plan_int(b, "kernel", -1) == k && !strcmp(rb_json_get_str(b, "status"), "done") &&
		    rb_json_get_str(b, "run"))
			snprintf(buf + strlen(buf), n - strlen(buf), "%s%s", *buf ? "," : "", rb_json_get_str(b, "run"));
	}
}

void rb_plan_host_show(FILE *f, struct json_object *plan)
{
	size_t n = json_object_array_length(rb_plan_get(plan, "boots"));
	unsigned failed = 0, done = 0;

	fprintf(f, "plan %s: phase %s\n", rb_json_get_str(plan, "id"), rb_json_get_str(plan, "phase"));
	for (size_t i = 0; i < n; i++) {
		struct json_object *b = boot_at(plan, i);
		const char *st = rb_json_get_str(b, "status"), *run = rb_json_get_str(b, "run");

		fprintf(f, "  %-4s %-10s %-9s %s\n", rb_json_get_str(b, "label"),
			rb_json_get_str(kernel_of(plan, b), "release"), st,
			!strcmp(st, "failed") ? rb_json_get_str(b, "reason") : run ? run : "");
		failed += !strcmp(st, "failed");
		done += !strcmp(st, "done");
	}
	fprintf(f, "%u of %zu rounds done, %u failed (missing from the comparison)\n", done, n, failed);
}

static void show_into(struct json_object *plan, const char *dir)
{
	char path[PATH_MAX + 16];
	FILE *f;

	snprintf(path, sizeof(path), "%s/rounds.txt", dir);
	if ((f = fopen(path, "we"))) {
		rb_plan_host_show(f, plan);
		fclose(f);
	}
}

static void cat(const char *path)
{
	char *buf, err[256];
	size_t len;

	if (!rb_user_file_read(path, 64u << 20, &buf, &len, err, sizeof(err))) {
		fwrite(buf, 1, len, stderr);
		free(buf);
	}
}

/* The comparison of the done boots, the failed ones named missing (compare
 * reads them from this plan): into STATE/report, when both arms have one. */
static bool compare_step(const char *state, struct json_object *plan)
{
	char a[16384], b[16384], report[PATH_MAX + 16];

	runs_of(plan, 0, a, sizeof(a));
	runs_of(plan, 1, b, sizeof(b));
	snprintf(report, sizeof(report), "%s/report", state);
	if (!*a || !*b || rb_plan_get(plan, "result") || !access(report, F_OK))
		return false;
	printf("compare\ncompare\n--allow-missing\n--no-plots\n-o\n%s\n--command\nscripts/host-ab --show %s\n%s\n%s\n",
	       report, state, a, b);
	return true;
}

/* the plan is over: rounds.txt, the report, and the end once */
static int end_step(const char *state, struct json_object *plan, bool *dirty)
{
	char report[PATH_MAX + 32];
	int ki;

	if (strcmp(rb_json_get_str(plan, "phase"), "compared")) {
		snprintf(report, sizeof(report), "%s/report/report.txt", state);
		if (!access(report, F_OK)) {
			report[strlen(report) - strlen("/report.txt")] = '\0';
			show_into(plan, report);
			rb_host_compared(plan, report);
		} else {
			if (rb_plan_get(plan, "result"))
				rb_warn("refbench compare failed; the runs are kept in %s/runs", state);
			rb_host_compared(plan, NULL);
			rb_warn("no comparison: an arm has no complete round (see %s/rounds.txt)", state);
		}
		show_into(plan, state);
		*dirty = true;
	}
	if ((ki = rb_host_uninstall_due(plan)) >= 0) {
		struct json_object *k = rb_plan_kernel(plan, (size_t)ki);

		rb_plan_say(plan, "%s: removing its modules and initramfs", rb_json_get_str(k, "release"));
		printf("uninstall\n%s\n%s\n", rb_json_get_str(k, "release"),
		       rb_json_get_str(k, "initrd_make") ? rb_json_get_str(k, "initrd_make") : "");
		return 0;
	}
	if (rb_plan_bool(plan, "ended")) {
		rb_plan_say(plan, "plan in %s is complete", state);
		printf("done\n0\n%s\n", state);
		return 0;
	}
	snprintf(report, sizeof(report), "%s/rounds.txt", state);
	cat(report);
	snprintf(report, sizeof(report), "%s/report/report.txt", state);
	if (rb_json_get_str(plan, "report"))
		cat(report);
	printf("end\n0\n%s\n", state);
	return 0;
}

static void print_words(const char *s)
{
	char *copy = strdup(s ? s : ""), *save = NULL;

	for (char *w = strtok_r(copy, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save))
		printf("%s\n", w);
	free(copy);
}

int rb_plan_host_next(const char *state, struct json_object *plan, bool *dirty)
{
	struct json_object *s = rb_plan_get(plan, "settings"), *b = NULL, *k;
	struct rb_host_step step;
	struct this_boot t;
	char err[RB_ERR_LEN], cmdline[8192], run[PATH_MAX + 64];
	int ki;

	if (this_boot(&t))
		return RB_EXIT_FAIL;
	/* a boot of the machine not seen yet: what the last one left first */
	if (!rb_json_get_str(plan, "seen_boot") || strcmp(rb_json_get_str(plan, "seen_boot"), t.id)) {
		printf("evidence\n%s/evidence.txt\n", state);
		return 0;
	}
	step = rb_host_next(plan, &t.b);
	if (step.boot >= 0)
		b = boot_at(plan, (size_t)step.boot);
	switch (step.action) {
	case RB_HOST_BUSY:
		return rb_plan_error("host-ab", "round %s is running in this boot already (another host-ab?)",
				     rb_json_get_str(b, "label"));
	case RB_HOST_RUN:
		snprintf(run, sizeof(run), "%s/runs/%s", state, rb_json_get_str(b, "label"));
		if (rb_host_start(plan, step.boot, &t.b, run, err, sizeof(err)))
			return rb_plan_error("host-ab", "%s", err);
		*dirty = true;
		printf("run\n%s\n%s\nrun\n--suite\n%s\n-o\n%s\n", rb_json_get_str(b, "label"), run,
		       rb_json_get_str(s, "suite"), run);
		for (int i = 0; i < 2; i++) {
			struct json_object *ns = rb_plan_get(s, i ? "devdax" : "fsdax");

			for (size_t j = 0; j < json_object_array_length(ns); j++)
				printf("--%s\n%s\n", i ? "devdax" : "fsdax",
				       json_object_get_string(json_object_array_get_idx(ns, j)));
		}
		print_words(rb_json_get_str(s, "run_args"));
		rb_plan_say(plan, "round %s: refbench run --suite %s into %s", rb_json_get_str(b, "label"),
			    rb_json_get_str(s, "suite"), run);
		return 0;
	case RB_HOST_SWITCH:
		if ((ki = rb_host_install_due(plan)) >= 0) {
			k = rb_plan_kernel(plan, (size_t)ki);
			rb_plan_say(plan, "%s: installing its modules beside the running kernel's%s",
				    rb_json_get_str(k, "release"), rb_json_get_str(k, "initrd_make") ?
				    ", then its initramfs with the host's tool" : "");
			printf("install\n%s\n%s\n%s\n%s/.config\n", rb_json_get_str(k, "release"), rb_json_get_str(k, "modules"),
			       rb_json_get_str(k, "initrd_make") ? rb_json_get_str(k, "initrd_make") : "",
			       rb_json_get_str(k, "dir"));
			return 0;
		}
		/* fall through */
	case RB_HOST_RETURN: {
		struct rb_watchdog w;
		char wargs[256];

		/* a hardware watchdog armed here must stay armed in the next kernel */
		rb_watchdog_probe(sysfs(), &w);
		rb_watchdog_kexec_args(&w, wargs, sizeof(wargs));
		if (rb_host_cmdline(plan, step.boot, state, wargs, cmdline, sizeof(cmdline)))
			return rb_plan_error("host-ab", "the kernel command line for %s is too long",
					     b ? rb_json_get_str(b, "label") : "the original kernel");
		k = b ? kernel_of(plan, b) : rb_plan_get(s, "original");
		rb_plan_say(plan, "%s: kexec -l %s --append '%s'", b ? rb_json_get_str(b, "label") : "original",
			    rb_json_get_str(k, "image"), cmdline);
		printf("kexec\n%s\n%s\n%s\n%s\n", b ? rb_json_get_str(b, "label") : "original", rb_json_get_str(k, "image"),
		       cmdline, rb_json_get_str(k, "initrd") ? rb_json_get_str(k, "initrd") : "");
		return 0;
	}
	case RB_HOST_COMPARE:
		if (compare_step(state, plan))
			return 0;
		break;	/* nothing (more) to compare */
	case RB_HOST_DONE:
		break;
	}
	return end_step(state, plan, dirty);
}

/* ---- record ---- */

static int boot_arg(struct json_object *plan, int argc, char **argv)
{
	int i = argc ? rb_host_boot_index(plan, argv[0]) : -1;

	if (i < 0)
		rb_plan_error("host-ab", "no round %s in this plan", argc ? argv[0] : "(none given)");
	return i;
}

/* one line of a file's text, its control characters as blanks */
static void flat_text(const char *file, char *buf, size_t n)
{
	*buf = '\0';
	if (file && rb_read_text(file, buf, n) < 0)
		*buf = '\0';
	for (char *c = buf; *c; c++)
		if ((unsigned char)*c < 0x20 && (c[1] || *c != '\n'))
			*c = ' ';
	buf[strcspn(buf, "\n")] = '\0';
}

int rb_plan_host_record(const char *state, struct json_object *plan, const char *what, int argc, char **argv,
			bool *dirty)
{
	struct this_boot t;
	char err[RB_ERR_LEN], text[2048] = "";
	int i;

	if (this_boot(&t))
		return RB_EXIT_FAIL;
	*dirty = true;
	if (!strcmp(what, "booted")) {
		/* booted [EVIDENCE]: what the last boot left (pstore, journal) */
		struct rb_watchdog w;
		char reset[512];
		int n;

		rb_watchdog_probe(sysfs(), &w);
		rb_watchdog_reset_note(&w, reset, sizeof(reset));
		if (rb_watchdog_reset_last_boot(&w))
			rb_plan_say(plan, "watchdog: this boot began with its reset (/dev/%s, %s: bootstatus %ld): the last "
				    "boot hung", w.name, w.identity, w.bootstatus);
		*text = '\0';
		if (argc && rb_read_text(argv[0], text, sizeof(text)) >= 0)
			for (char *c = text; *c; c++)
				if ((unsigned char)*c < 0x20 && *c != '\n')
					*c = ' ';
		if ((n = rb_host_reconcile(plan, &t.b, text, reset)))
			rb_plan_say(plan, "%d round(s) changed by this boot", n);
		rb_plan_set_str(plan, "seen_boot", t.id);
		return 0;
	}
	if (!strcmp(what, "boot")) {
		/* boot LABEL RC: the boot's suite ended */
		if ((i = boot_arg(plan, argc, argv)) < 0 || argc < 2)
			return RB_EXIT_FAIL;
		if (atoi(argv[1]))
			snprintf(text, sizeof(text), "refbench run exited %s (see %s/meta.json)", argv[1],
				 rb_json_get_str(boot_at(plan, (size_t)i), "run"));
		if (rb_host_finish(plan, i, !atoi(argv[1]), text, err, sizeof(err)))
			return rb_plan_error("host-ab", "%s", err);
		return 0;
	}
	if (!strcmp(what, "kexec")) {
		/* kexec LABEL|original RC [ERRFILE]: kexec -l loaded it, or refused */
		bool back = argc && !strcmp(argv[0], "original");

		if (argc < 2)
			return rb_plan_error("host-ab", "record kexec LABEL|original RC [ERRFILE]");
		flat_text(argc > 2 ? argv[2] : NULL, text, sizeof(text));
		if (back && atoi(argv[1])) {
			*dirty = false;
			return rb_plan_error("host-ab", "kexec -l of the original kernel failed: %s; reboot into it by hand, "
					     "then make ab TARGET=host RESUME=%s", text, state);
		}
		if (back) {
			rb_host_returning(plan, &t.b);
			return 0;
		}
		if ((i = boot_arg(plan, argc, argv)) < 0)
			return RB_EXIT_FAIL;
		if (!atoi(argv[1]))
			i = rb_host_switch(plan, i, &t.b, err, sizeof(err));
		else {
			char why[2200];

			snprintf(why, sizeof(why), "kexec -l refused its kernel: %s", text);
			i = rb_host_finish(plan, i, false, why, err, sizeof(err));
		}
		return i ? rb_plan_error("host-ab", "%s", err) : 0;
	}
	if (!strcmp(what, "install") || !strcmp(what, "uninstall")) {
		/* install|uninstall RELEASE RC [ERRFILE] */
		bool ok, in = !strcmp(what, "install");

		if (argc < 2)
			return rb_plan_error("host-ab", "record %s RELEASE RC [ERRFILE]", what);
		ok = !atoi(argv[1]);
		if (!ok)
			flat_text(argc > 2 ? argv[2] : NULL, text, sizeof(text));
		if (!(in ? rb_host_installed(plan, argv[0], ok, text) : rb_host_uninstalled(plan, argv[0], ok, text)))
			return rb_plan_error("host-ab", "no kernel of release %s with modules in this plan", argv[0]);
		if (!ok)
			rb_plan_say(plan, "%s %s failed: %s", what, argv[0], text);
		return 0;
	}
	if (!strcmp(what, "compare")) {
		struct json_object *res = json_object_new_object();

		rb_plan_set_int(res, "rc", argc ? atol(argv[0]) : 1);
		json_object_object_add(plan, "result", res);
		return 0;
	}
	if (!strcmp(what, "ended")) {
		json_object_object_add(plan, "ended", json_object_new_boolean(true));
		return 0;
	}
	*dirty = false;
	return rb_plan_error("host-ab", "record: unknown outcome '%s' (booted, boot, kexec, install, uninstall, compare, ended)", what);
}

/* ---- the plan as LAVA jobs ---- */

/* A YAML scalar in double quotes (JSON's string syntax is YAML's too) */
static void yput(const char *fmt, const char *val)
{
	struct json_object *o = json_object_new_string(val ? val : "");

	printf(fmt, json_object_to_json_string_ext(o, JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

/* One LAVA job per boot: a scheduler boots each kernel itself, so the
 * boots become jobs in plan order, and the plan's runs are their results
 * (docs/plan.md "LAVA"). */
static void lava(struct json_object *plan, const char *url)
{
	struct json_object *s = rb_plan_get(plan, "settings"), *boots = rb_plan_get(plan, "boots");
	struct json_object *ns[2] = { rb_plan_get(s, "fsdax"), rb_plan_get(s, "devdax") };
	const char *id = rb_json_get_str(plan, "id");

	for (size_t i = 0; i < json_object_array_length(boots); i++) {
		struct json_object *r = json_object_array_get_idx(boots, i), *k = kernel_of(plan, r);
		const char *label = rb_json_get_str(r, "label");
		char buf[PATH_MAX + 256], cmd[8192];
		size_t len;

		printf("---\n");
		snprintf(buf, sizeof(buf), "refbench %s round %s", id, label);
		yput("job_name: %s\n", buf);
		printf("device_type: pmem-x86_64   # the lab's device type for its pmem machines\n");
		printf("visibility: public\npriority: medium\n");
		printf("timeouts:\n  job: {minutes: 90}\n  action: {minutes: 45}\n");
		yput("metadata:\n  refbench.plan: %s\n", id);
		yput("  refbench.round: %s\n", label);
		yput("  refbench.kernel: %s\n", rb_json_get_str(k, "release"));
		if (*rb_json_get_str(k, "append"))
			yput("context:\n  extra_kernel_args: %s\n", rb_json_get_str(k, "append"));
		printf("actions:\n- deploy:\n    to: tftp\n    os: debian\n    timeout: {minutes: 10}\n");
		snprintf(buf, sizeof(buf), "%s%s", url, rb_json_get_str(k, "image"));
		/* no `type`: LAVA's tftp schema knows image, uimage and zimage
		 * (U-Boot's boot commands); an x86 ipxe boot takes the bzImage as is */
		yput("    kernel: {url: %s}\n", buf);
		if (*rb_json_get_str(k, "initrd")) {
			snprintf(buf, sizeof(buf), "%s%s", url, rb_json_get_str(k, "initrd"));
			yput("    ramdisk: {url: %s}\n", buf);
		}
		printf("- boot:\n    method: ipxe\n    commands: ramdisk\n    timeout: {minutes: 15}\n");
		printf("    prompts: ['root@']\n");
		printf("- test:\n    timeout: {minutes: 45}\n    definitions:\n    - from: inline\n");
		yput("      name: %s\n      path: inline/refbench.yaml\n", label);
		yput("      repository:\n        metadata: {format: Lava-Test Test Definition 1.0, name: %s}\n", label);
		printf("        run:\n          steps:\n");
		len = (size_t)snprintf(cmd, sizeof(cmd), "if bench/refbench run --suite %s -o results/%s/%s",
				       rb_json_get_str(s, "suite"), id, label);
		for (int t = 0; t < 2; t++)
			for (size_t j = 0; j < json_object_array_length(ns[t]) && len < sizeof(cmd); j++)
				len += (size_t)snprintf(cmd + len, sizeof(cmd) - len, " --%s %s", t ? "devdax" : "fsdax",
							json_object_get_string(json_object_array_get_idx(ns[t], j)));
		if (len < sizeof(cmd) && *rb_json_get_str(s, "run_args"))
			len += (size_t)snprintf(cmd + len, sizeof(cmd) - len, " %s", rb_json_get_str(s, "run_args"));
		if (len < sizeof(cmd))
			snprintf(cmd + len, sizeof(cmd) - len, "; then lava-test-case %s --result pass; "
				 "else lava-test-case %s --result fail; fi", label, label);
		yput("          - %s\n", cmd);
	}
}

/* refbench plan host-lava STATE [--url-base URL] */
int rb_plan_host_lava(int argc, char **argv)
{
	struct json_object *plan;
	char err[RB_ERR_LEN];
	const char *url = "file://";

	if (argc == 4 && !strcmp(argv[2], "--url-base"))
		url = argv[3];
	else if (argc != 2)
		return rb_error(RB_EXIT_USAGE, "usage: refbench plan host-lava STATE [--url-base URL]");
	if (rb_plan_load(argv[1], &plan, err, sizeof(err)))
		return rb_error(RB_EXIT_FAIL, "%s", err);
	if (strcmp(rb_json_get_str(plan, "job"), "host-ab")) {
		json_object_put(plan);
		return rb_error(RB_EXIT_FAIL, "%s is the plan of a %s job, not of host-ab", argv[1], rb_json_get_str(plan, "job"));
	}
	for (size_t i = 0; rb_plan_kernel(plan, i); i++) {
		struct json_object *k = rb_plan_kernel(plan, i);

		if (!rb_json_get_str(k, "modules"))
			continue;
		rb_error(RB_EXIT_FAIL, "kernel %s (%s) has modules: these jobs deploy a kernel and a ramdisk only, and "
			 "host-ab installs modules on the machine itself; use kernels without modules here, or make ab "
			 "TARGET=host", rb_json_get_str(k, "label"), rb_json_get_str(k, "release"));
		json_object_put(plan);
		return RB_EXIT_FAIL;
	}
	lava(plan, url);
	json_object_put(plan);
	return 0;
}
