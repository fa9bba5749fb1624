// SPDX-License-Identifier: GPL-2.0
/*
 * refbench host-plan SUBCOMMAND STATE: the host-mode A/B plan (plan.h). Every
 * decision scripts/host-ab takes comes from here: which round this boot
 * is, what to do next, the kernel and command line to kexec, and the
 * record of each round. host-ab only carries it out.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app/compare/compare.h"
#include "app/hostplan/hostplan.h"
#include "app/run/suite.h"
#include "app/rundir/rundir.h"
#include "lib/refbench.h"
#include "lib/userfile.h"
#include "lib/sysfacts.h"

static const char plan_usage[] =
"usage: refbench host-plan SUBCOMMAND STATE [options]   (docs/plan.md)\n"
"  init STATE --kernel-a DIR --kernel-b DIR --rounds N --suite FILE\n"
"       (--fsdax DIR | --devdax DEV)... [--append-a ARGS] [--append-b ARGS]\n"
"       [--label-a T] [--label-b T] [--original-image FILE] [--id ID]\n"
"       [--run-args 'ARGS']  (more arguments for every round's refbench run)\n"
"                 a new plan in STATE/plan.json (DIR: a kernels/build\n"
"                 directory: bzImage, .config with KEXEC, build-info.json);\n"
"                 the same plan again is a no-op, another one is refused\n"
"  boot STATE [--evidence FILE] [--sysfs DIR]   after a boot: fail what the\n"
"                 last boot left unfinished (keeping FILE's text; a reason\n"
"                 that names the watchdog when watchdog0's bootstatus says it\n"
"                 reset the machine), mark this boot's round\n"
"  next STATE [--sysfs DIR]   what to do now, as JSON: {action: run|switch|\n"
"                 return|compare|done|busy, round, arm, image, cmdline, run};\n"
"                 with a hardware watchdog the cmdline keeps it armed\n"
"                 (watchdog.stop_on_reboot=0 watchdog.open_timeout=300)\n"
"  watchdog [--sysfs DIR]   the watchdog host-ab arms, as JSON (kind:\n"
"                 hardware|software|none, identity, kexec_args, warning)\n"
"  watchdog --keep SECONDS [--dev FILE]   arm it and ping it (a lab guest)\n"
"  switch STATE LABEL|original    record the kexec about to happen\n"
"  start STATE LABEL --run DIR    the suite starts, into DIR\n"
"  finish STATE LABEL --status done|failed [--reason TEXT]\n"
"  compared STATE [--report DIR]  the comparison is written: the plan is over\n"
"  compare STATE  refbench compare of the done rounds into STATE/report, the\n"
"                 failed ones named missing; STATE/rounds.txt; then compared\n"
"  runs STATE A|B comma-separated run directories of the done rounds\n"
"  missing STATE  one line per failed round: LABEL (RELEASE): reason\n"
"  show STATE     one line per round: label, kernel, status, run or reason\n"
"  lava STATE [--url-base URL]   the plan as LAVA jobs (YAML, one document\n"
"                 per round, A B A B ...): deploy the round's kernel (URL +\n"
"                 its image path), boot it, run the suite on the named pmem\n"
"What this boot is comes from /proc (boot_id, uname -r, cmdline); tests\n"
"give --boot-id ID --release R --cmdline TEXT (or RB_BOOT_ID, RB_BOOT_RELEASE,\n"
"RB_BOOT_CMDLINE in the environment) instead.\n";

struct plan_opts {
	const char *kernel[2], *append[2], *label[2], *suite, *orig_image, *id, *evidence;
	const char *run, *status, *reason, *report, *run_args, *url_base, *sysfs;
	const char *fsdax[16], *devdax[16];
	unsigned nfsdax, ndevdax;
	int rounds;
	char boot_id[64], release[128], cmdline[4096];
	struct rb_hostplan_boot boot;
};

static void read_line(const char *path, char *buf, size_t n)
{
	if (rb_read_text(path, buf, n) < 0)
		rb_die_usage("cannot read %s: %s", path, strerror(errno));
	buf[strcspn(buf, "\n")] = '\0';
}

static void parse(int argc, char **argv, struct plan_opts *o)
{
	static const struct option lo[] = {
		{ "kernel-a", required_argument, NULL, 'a' }, { "kernel-b", required_argument, NULL, 'b' },
		{ "append-a", required_argument, NULL, 'x' }, { "append-b", required_argument, NULL, 'y' },
		{ "label-a", required_argument, NULL, 'X' }, { "label-b", required_argument, NULL, 'Y' },
		{ "rounds", required_argument, NULL, 'n' }, { "suite", required_argument, NULL, 's' },
		{ "fsdax", required_argument, NULL, 'f' }, { "devdax", required_argument, NULL, 'd' },
		{ "original-image", required_argument, NULL, 'O' }, { "id", required_argument, NULL, 'i' },
		{ "evidence", required_argument, NULL, 'e' }, { "run", required_argument, NULL, 'r' },
		{ "status", required_argument, NULL, 'S' }, { "reason", required_argument, NULL, 'R' },
		{ "report", required_argument, NULL, 'P' }, { "boot-id", required_argument, NULL, 'I' },
		{ "release", required_argument, NULL, 'L' }, { "cmdline", required_argument, NULL, 'C' },
		{ "run-args", required_argument, NULL, 'A' }, { "url-base", required_argument, NULL, 'U' },
		{ "sysfs", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	const char *bid = NULL, *rel = NULL, *cmd = NULL;
	char *end;
	int opt;

	while ((opt = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (opt) {
		case 'a': o->kernel[0] = optarg; break;
		case 'b': o->kernel[1] = optarg; break;
		case 'x': o->append[0] = optarg; break;
		case 'y': o->append[1] = optarg; break;
		case 'X': o->label[0] = optarg; break;
		case 'Y': o->label[1] = optarg; break;
		case 'n':
			o->rounds = (int)strtol(optarg, &end, 10);
			if (*end || o->rounds < 1 || o->rounds > 100)
				rb_die_usage("--rounds %s: a count from 1 to 100", optarg);
			break;
		case 's': o->suite = optarg; break;
		case 'f':
			if (o->nfsdax == 16)
				rb_die_usage("at most 16 --fsdax");
			o->fsdax[o->nfsdax++] = optarg;
			break;
		case 'd':
			if (o->ndevdax == 16)
				rb_die_usage("at most 16 --devdax");
			o->devdax[o->ndevdax++] = optarg;
			break;
		case 'O': o->orig_image = optarg; break;
		case 'i': o->id = optarg; break;
		case 'e': o->evidence = optarg; break;
		case 'r': o->run = optarg; break;
		case 'S': o->status = optarg; break;
		case 'R': o->reason = optarg; break;
		case 'P': o->report = optarg; break;
		case 'I': bid = optarg; break;
		case 'L': rel = optarg; break;
		case 'C': cmd = optarg; break;
		case 'A': o->run_args = optarg; break;
		case 'U': o->url_base = optarg; break;
		case 'F': o->sysfs = optarg; break;
		case 'h': fputs(plan_usage, stdout); exit(0);
		default: fputs(plan_usage, stderr); exit(RB_EXIT_USAGE);
		}
	}
	/* the same from the environment: how a test plays the boots host-ab sees */
	bid = bid ? bid : getenv("RB_BOOT_ID");
	rel = rel ? rel : getenv("RB_BOOT_RELEASE");
	cmd = cmd ? cmd : getenv("RB_BOOT_CMDLINE");
	if (bid)
		rb_strlcpy(o->boot_id, bid, sizeof(o->boot_id));
	else
		read_line("/proc/sys/kernel/random/boot_id", o->boot_id, sizeof(o->boot_id));
	if (rel) {
		rb_strlcpy(o->release, rel, sizeof(o->release));
	} else {
		struct utsname u;

		uname(&u);
		rb_strlcpy(o->release, u.release, sizeof(o->release));
	}
	if (cmd)
		rb_strlcpy(o->cmdline, cmd, sizeof(o->cmdline));
	else
		read_line("/proc/cmdline", o->cmdline, sizeof(o->cmdline));
	o->boot = (struct rb_hostplan_boot){ o->boot_id, o->release, o->cmdline };
}

static char *abs_path(const char *p, char *buf, size_t n, const char *what)
{
	char *r = realpath(p, NULL);

	if (!r)
		rb_die_usage("%s %s: %s", what, p, strerror(errno));
	rb_strlcpy(buf, r, n);
	free(r);
	return buf;
}

/* A kernels/build directory as the plan records it; refused when that
 * kernel could not kexec out again. */
static struct json_object *kernel_json(const char *dir, const char *append, const char *label,
				       char *err, size_t n)
{
	char d[PATH_MAX], p[PATH_MAX + 32], why[512];
	struct json_object *info, *k, *rel;
	int e;

	abs_path(dir, d, sizeof(d), "--kernel-a/-b");
	snprintf(p, sizeof(p), "%s/bzImage", d);
	if (access(p, R_OK)) {
		snprintf(err, n, "%s: %s (give a kernels/build directory)", p, strerror(errno));
		return NULL;
	}
	snprintf(p, sizeof(p), "%s/.config", d);
	if ((e = rb_hostplan_config_kexec(p, err, n)))
		return NULL;
	snprintf(p, sizeof(p), "%s/build-info.json", d);
	info = rb_json_load(p, RB_USER_JSON_MAX, true, why, sizeof(why));
	if (!info || !json_object_object_get_ex(info, "kernelrelease", &rel)) {
		snprintf(err, n, "%s: %s (give a kernels/build directory)", p,
			 info ? "no kernelrelease" : why);
		json_object_put(info);
		return NULL;
	}
	k = json_object_new_object();
	json_object_object_add(k, "label", json_object_new_string(label ? label : d));
	json_object_object_add(k, "dir", json_object_new_string(d));
	snprintf(p, sizeof(p), "%s/bzImage", d);
	json_object_object_add(k, "image", json_object_new_string(p));
	json_object_object_add(k, "release", json_object_get(rel));
	/* a distribution-config kernel finds its root through an initramfs */
	snprintf(p, sizeof(p), "%s/initrd.img", d);
	json_object_object_add(k, "initrd", json_object_new_string(access(p, R_OK) ? "" : p));
	json_object_object_add(k, "append", json_object_new_string(append ? append : ""));
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

static int cmd_init(const char *state, struct plan_opts *o)
{
	struct json_object *def, *kernels, *orig, *old = NULL, *plan;
	char err[2048], what[1024], suite[PATH_MAX], img[PATH_MAX], path[PATH_MAX + 16], id[128];
	int e;

	if (!o->kernel[0] || !o->kernel[1] || !o->rounds || !o->suite)
		rb_die_usage("host-plan init needs --kernel-a, --kernel-b, --rounds and --suite");
	if (!o->nfsdax && !o->ndevdax)
		rb_die_usage("name the pmem to use: --fsdax DIR (a file system mounted -o dax) and/or "
			     "--devdax /dev/daxX.Y; host mode never picks a namespace itself");
	if (strpbrk(state, " \t\n"))
		rb_die_usage("%s: the state directory goes on the kernel command line "
			     "(refbench.host=STATE): choose a path without blanks", state);
	{
		/* a name is configs/suites/NAME.suite, as for refbench run */
		char dir[PATH_MAX], file[PATH_MAX + 80];

		rb_suite_path(rb_repo_path("configs/suites", dir, sizeof(dir)), o->suite, file, sizeof(file));
		if (access(file, R_OK))
			rb_die_usage("suite '%s' not found (%s)", o->suite, file);
		abs_path(file, suite, sizeof(suite), "--suite");
	}
	def = json_object_new_object();
	json_object_object_add(def, "suite", json_object_new_string(suite));
	json_object_object_add(def, "rounds", json_object_new_int(o->rounds));
	json_object_object_add(def, "fsdax", strings(o->fsdax, o->nfsdax));
	json_object_object_add(def, "devdax", strings(o->devdax, o->ndevdax));
	/* what every round's `refbench run` gets besides suite and pmem */
	json_object_object_add(def, "run_args", json_object_new_string(o->run_args ? o->run_args : ""));
	orig = json_object_new_object();
	if (o->orig_image)
		abs_path(o->orig_image, img, sizeof(img), "--original-image");
	else
		snprintf(img, sizeof(img), "/boot/vmlinuz-%s", o->release);
	if (access(img, R_OK)) {
		json_object_put(def);
		json_object_put(orig);
		return rb_error(RB_EXIT_USAGE, "the running kernel's image %s: %s; host-ab kexecs back into "
			   "it at the end: give --original-image FILE", img, strerror(errno));
	}
	json_object_object_add(orig, "image", json_object_new_string(img));
	snprintf(path, sizeof(path), "/boot/initrd.img-%s", o->release);
	json_object_object_add(orig, "initrd", json_object_new_string(o->orig_image || access(path, R_OK) ?
								      "" : path));
	json_object_object_add(orig, "release", json_object_new_string(o->release));
	json_object_object_add(orig, "cmdline", json_object_new_string(o->cmdline));
	json_object_object_add(def, "original", orig);
	kernels = json_object_new_object();
	json_object_object_add(def, "kernels", kernels);
	for (int i = 0; i < 2; i++) {
		struct json_object *k = kernel_json(o->kernel[i], o->append[i], o->label[i], err, sizeof(err));

		if (!k) {
			json_object_put(def);
			return rb_error(RB_EXIT_USAGE, "kernel %c: %s", 'A' + i, err);
		}
		json_object_object_add(kernels, i ? "B" : "A", k);
	}
	if (mkdir(state, 0755) && errno != EEXIST) {
		json_object_put(def);
		return rb_error(RB_EXIT_FAIL, "creating %s: %s", state, strerror(errno));
	}
	snprintf(path, sizeof(path), "%s/%s", state, RB_HOSTPLAN_FILE);
	if (!access(path, F_OK)) {
		if ((e = rb_hostplan_load(state, &old, err, sizeof(err)))) {
			json_object_put(def);
			return rb_error(RB_EXIT_FAIL, "%s; it is left as it is: give another state directory", err);
		}
		struct json_object *odef = NULL;

		json_object_object_get_ex(old, "plan", &odef);
		if (!rb_hostplan_same(def, odef, what, sizeof(what))) {
			rb_error(0, "%s holds another plan (%s; it differs in %s): give a new state "
				 "directory, or continue that plan with make ab TARGET=host RESUME=%s", state,
				 json_object_get_string(json_object_object_get(old, "id")), what, state);
			json_object_put(def);
			json_object_put(old);
			return RB_EXIT_USAGE;
		}
		printf("%s\n", json_object_get_string(json_object_object_get(old, "id")));
		json_object_put(def);
		json_object_put(old);
		return 0;
	}
	if (o->id) {
		rb_strlcpy(id, o->id, sizeof(id));
	} else {
		char d[PATH_MAX];

		rb_strlcpy(id, strrchr(rb_result_dir("host", d, sizeof(d)), '/') + 1, sizeof(id));
	}
	plan = rb_hostplan_new(def, id);
	json_object_put(def);
	e = rb_hostplan_save(state, plan, err, sizeof(err));
	json_object_put(plan);
	if (e)
		return rb_error(RB_EXIT_FAIL, "%s", err);
	printf("%s\n", id);
	return 0;
}

static const char *kstr(struct json_object *o, const char *k1, const char *k2, const char *k3)
{
	struct json_object *v = o;

	for (const char *k = k1; k && v; k = k == k1 ? k2 : k == k2 ? k3 : NULL)
		if (!json_object_object_get_ex(v, k, &v))
			return NULL;
	return v ? json_object_get_string(v) : NULL;
}

static struct json_object *kernel_obj(struct json_object *plan, const char *arm)
{
	struct json_object *v = NULL;

	json_object_object_get_ex(json_object_object_get(json_object_object_get(plan, "plan"), "kernels"),
				  arm, &v);
	return v;
}

static int cmd_next(const char *state, struct json_object *plan, struct plan_opts *o)
{
	struct rb_hostplan_step s = rb_hostplan_next(plan, &o->boot);
	struct json_object *out = json_object_new_object(), *r = NULL;
	char cmdline[8192];

	json_object_object_add(out, "action", json_object_new_string(rb_hostplan_action_name(s.action)));
	if (s.round >= 0) {
		r = json_object_array_get_idx(json_object_object_get(plan, "rounds"), (size_t)s.round);
		json_object_object_add(out, "round", json_object_get(json_object_object_get(r, "label")));
		json_object_object_add(out, "arm", json_object_get(json_object_object_get(r, "arm")));
	}
	if (s.action == RB_STEP_SWITCH || s.action == RB_STEP_RETURN) {
		const char *arm = r ? json_object_get_string(json_object_object_get(r, "arm")) : NULL;

		struct rb_watchdog w;
		char wargs[256];

		/* a hardware watchdog armed here must stay armed in the next kernel */
		rb_watchdog_probe(o->sysfs ? o->sysfs : "/sys", &w);
		rb_watchdog_kexec_args(&w, wargs, sizeof(wargs));
		if (rb_hostplan_cmdline(plan, s.round, state, wargs, cmdline, sizeof(cmdline))) {
			json_object_put(out);
			return rb_error(RB_EXIT_FAIL, "the kernel command line for %s is too long",
				   arm ? arm : "the original kernel");
		}
		json_object_object_add(out, "image", json_object_new_string(
			arm ? kstr(kernel_obj(plan, arm), "image", NULL, NULL) :
			kstr(plan, "plan", "original", "image")));
		json_object_object_add(out, "initrd", json_object_new_string(
			arm ? kstr(kernel_obj(plan, arm), "initrd", NULL, NULL) ?: "" :
			kstr(plan, "plan", "original", "initrd") ?: ""));
		json_object_object_add(out, "cmdline", json_object_new_string(cmdline));
	}
	if (s.action == RB_STEP_RUN) {
		char run[PATH_MAX + 64];

		snprintf(run, sizeof(run), "%s/runs/%s", state,
			 json_object_get_string(json_object_object_get(r, "label")));
		json_object_object_add(out, "run", json_object_new_string(run));
		for (const char *const *k = (const char *const[]){ "suite", "fsdax", "devdax", "run_args", NULL };
		     *k; k++)
			json_object_object_add(out, *k, json_object_get(json_object_object_get(
				json_object_object_get(plan, "plan"), *k)));
	}
	printf("%s\n", json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(out);
	return 0;
}

static int round_arg(struct json_object *plan, int argc, char **argv)
{
	int i;

	if (optind + 1 >= argc)
		rb_die_usage("give the round's label (A1, B1, ...)");
	if ((i = rb_hostplan_round_index(plan, argv[optind + 1])) < 0)
		rb_die_usage("no round %s in this plan", argv[optind + 1]);
	return i;
}

static void join_runs(FILE *f, struct json_object *plan, const char *arm, bool done)
{
	struct json_object *rounds = json_object_object_get(plan, "rounds");
	bool first = true;

	for (size_t i = 0; i < json_object_array_length(rounds); i++) {
		struct json_object *r = json_object_array_get_idx(rounds, i);

		if (strcmp(kstr(r, "arm", NULL, NULL), arm) || strcmp(kstr(r, "status", NULL, NULL), "done") != !done)
			continue;
		fprintf(f, "%s%s", first ? "" : ",", kstr(r, done ? "run" : "label", NULL, NULL));
		first = false;
	}
	fprintf(f, "\n");
}

static void missing(FILE *f, struct json_object *plan)
{
	struct json_object *rounds = json_object_object_get(plan, "rounds");

	for (size_t i = 0; i < json_object_array_length(rounds); i++) {
		struct json_object *r = json_object_array_get_idx(rounds, i);

		if (strcmp(kstr(r, "status", NULL, NULL), "failed"))
			continue;
		/* one line each: the reason's own newlines would split it */
		fprintf(f, "%s (%s): ", kstr(r, "label", NULL, NULL),
		       kstr(kernel_obj(plan, kstr(r, "arm", NULL, NULL)), "release", NULL, NULL));
		for (const char *c = kstr(r, "reason", NULL, NULL); c && *c; c++)
			fputc(*c == '\n' ? ' ' : *c, f);
		fputc('\n', f);
	}
}

static void show(FILE *f, struct json_object *plan)
{
	struct json_object *rounds = json_object_object_get(plan, "rounds");
	unsigned failed = 0, done = 0;

	fprintf(f, "plan %s: phase %s\n", kstr(plan, "id", NULL, NULL), kstr(plan, "phase", NULL, NULL));
	for (size_t i = 0; i < json_object_array_length(rounds); i++) {
		struct json_object *r = json_object_array_get_idx(rounds, i);
		const char *st = kstr(r, "status", NULL, NULL), *arm = kstr(r, "arm", NULL, NULL);

		fprintf(f, "  %-4s %-10s %-9s %s\n", kstr(r, "label", NULL, NULL),
		       kstr(kernel_obj(plan, arm), "release", NULL, NULL), st,
		       !strcmp(st, "failed") ? kstr(r, "reason", NULL, NULL) :
		       kstr(r, "run", NULL, NULL) ? kstr(r, "run", NULL, NULL) : "");
		failed += !strcmp(st, "failed");
		done += !strcmp(st, "done");
	}
	fprintf(f, "%u of %zu rounds done, %u failed (missing from the comparison)\n", done,
	       json_object_array_length(rounds), failed);
}

/* host-plan compare: the comparison of the done rounds, the failed ones
 * named as missing, into STATE/report (with STATE/rounds.txt), and the
 * plan marked compared. compare runs in a child: its refusals exit. */
static int compare_rounds(const char *state, struct json_object *plan)
{
	char *a = NULL, *b = NULL, *miss = NULL, rounds[PATH_MAX + 16], report[PATH_MAX + 16];
	char cmdline[PATH_MAX + 64], copy[PATH_MAX + 32];
	size_t la = 0, lb = 0, lm = 0;
	FILE *fa = open_memstream(&a, &la), *fb = open_memstream(&b, &lb), *fm = open_memstream(&miss, &lm), *f;
	int rc = 0;

	if (!fa || !fb || !fm)
		return rb_error(RB_EXIT_FAIL, "out of memory");
	join_runs(fa, plan, "A", true);
	join_runs(fb, plan, "B", true);
	missing(fm, plan);
	fclose(fa);
	fclose(fb);
	fclose(fm);
	a[strcspn(a, "\n")] = b[strcspn(b, "\n")] = '\0';
	snprintf(rounds, sizeof(rounds), "%s/rounds.txt", state);
	snprintf(report, sizeof(report), "%s/report", state);
	if ((f = fopen(rounds, "we"))) {
		show(f, plan);
		fclose(f);
	}
	if (*a && *b && access(report, F_OK)) {
		char *argv[64] = { "compare", "--allow-missing", "--no-plots", "-o", report, "--command", cmdline };
		int argc = 7, st = 0;
		pid_t pid;

		snprintf(cmdline, sizeof(cmdline), "scripts/host-ab --show %s", state);
		for (char *line = strtok(miss, "\n"); line && argc < 60; line = strtok(NULL, "\n")) {
			argv[argc++] = "--missing";
			argv[argc++] = line;
		}
		argv[argc++] = a;
		argv[argc++] = b;
		fflush(NULL);
		if ((pid = fork()) == 0) {
			/* what compare prints on stdout is its output dir: not ours */
			int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);

			if (devnull >= 0)
				dup2(devnull, STDOUT_FILENO);
			optind = 0;	/* getopt starts afresh for compare's options */
			_exit(rb_cmd_compare(argc, argv));
		}
		if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			rb_warn("refbench compare failed; the runs are kept in %s/runs", state);
	}
	snprintf(copy, sizeof(copy), "%s/report.txt", report);
	if (!access(copy, F_OK)) {
		snprintf(copy, sizeof(copy), "%s/rounds.txt", report);
		if ((f = fopen(copy, "we"))) {
			show(f, plan);
			fclose(f);
		}
		rb_hostplan_compared(plan, report);
	} else {
		rb_hostplan_compared(plan, NULL);
		rb_warn("no comparison: an arm has no complete round (see %s)", rounds);
	}
	free(a);
	free(b);
	free(miss);
	return rc;
}

/* A YAML scalar in double quotes (JSON's string syntax is YAML's too) */
static void yput(const char *fmt, const char *val)
{
	struct json_object *o = json_object_new_string(val ? val : "");

	printf(fmt, json_object_to_json_string_ext(o, JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

/* One LAVA job per round: a scheduler boots each kernel itself, so the
 * rounds become jobs in plan order, and the plan's runs are their results
 * (docs/plan.md "LAVA"). */
static void lava(struct json_object *plan, const char *url)
{
	struct json_object *def = json_object_object_get(plan, "plan"), *rounds = json_object_object_get(plan, "rounds");
	struct json_object *ns[2] = { json_object_object_get(def, "fsdax"), json_object_object_get(def, "devdax") };
	const char *id = kstr(plan, "id", NULL, NULL);

	for (size_t i = 0; i < json_object_array_length(rounds); i++) {
		struct json_object *r = json_object_array_get_idx(rounds, i), *k;
		const char *label = kstr(r, "label", NULL, NULL);
		char buf[PATH_MAX + 256], cmd[8192];
		size_t len;

		k = kernel_obj(plan, kstr(r, "arm", NULL, NULL));
		printf("---\n");
		snprintf(buf, sizeof(buf), "refbench %s round %s", id, label);
		yput("job_name: %s\n", buf);
		printf("device_type: pmem-x86_64   # the lab's device type for its pmem machines\n");
		printf("visibility: public\npriority: medium\n");
		printf("timeouts:\n  job: {minutes: 90}\n  action: {minutes: 45}\n");
		yput("metadata:\n  refbench.plan: %s\n", id);
		yput("  refbench.round: %s\n", label);
		yput("  refbench.kernel: %s\n", kstr(k, "release", NULL, NULL));
		if (*kstr(k, "append", NULL, NULL))
			yput("context:\n  extra_kernel_args: %s\n", kstr(k, "append", NULL, NULL));
		printf("actions:\n- deploy:\n    to: tftp\n    os: debian\n    timeout: {minutes: 10}\n");
		snprintf(buf, sizeof(buf), "%s%s", url, kstr(k, "image", NULL, NULL));
		yput("    kernel: {url: %s, type: bzimage}\n", buf);
		if (*kstr(k, "initrd", NULL, NULL)) {
			snprintf(buf, sizeof(buf), "%s%s", url, kstr(k, "initrd", NULL, NULL));
			yput("    ramdisk: {url: %s}\n", buf);
		}
		printf("- boot:\n    method: ipxe\n    commands: ramdisk\n    timeout: {minutes: 15}\n");
		printf("    prompts: ['root@']\n");
		printf("- test:\n    timeout: {minutes: 45}\n    definitions:\n    - from: inline\n");
		yput("      name: %s\n      path: inline/refbench.yaml\n", label);
		yput("      repository:\n        metadata: {format: Lava-Test Test Definition 1.0, name: %s}\n",
		     label);
		printf("        run:\n          steps:\n");
		len = (size_t)snprintf(cmd, sizeof(cmd), "if bench/refbench run --suite %s -o results/%s/%s",
				       kstr(def, "suite", NULL, NULL), id, label);
		for (int t = 0; t < 2; t++)
			for (size_t j = 0; j < json_object_array_length(ns[t]) && len < sizeof(cmd); j++)
				len += (size_t)snprintf(cmd + len, sizeof(cmd) - len, " --%s %s", t ? "devdax" : "fsdax",
							json_object_get_string(json_object_array_get_idx(ns[t], j)));
		if (len < sizeof(cmd) && *kstr(def, "run_args", NULL, NULL))
			len += (size_t)snprintf(cmd + len, sizeof(cmd) - len, " %s", kstr(def, "run_args", NULL, NULL));
		if (len < sizeof(cmd))
			snprintf(cmd + len, sizeof(cmd) - len, "; then lava-test-case %s --result pass; "
				 "else lava-test-case %s --result fail; fi", label, label);
		yput("          - %s\n", cmd);
	}
}

static int lock_state(const char *state)
{
	int fd = open(state, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return rb_error(-1, "%s: %s", state, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		close(fd);
		return rb_error(-1, "another refbench is changing the plan in %s; wait for it", state);
	}
	return fd;
}

int rb_cmd_hostplan(int argc, char **argv)
{
	struct plan_opts o = { 0 };
	struct json_object *plan;
	const char *sub, *state;
	char err[2048], *ev = NULL;
	int rc = 0, fd, i;
	bool changes;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(plan_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? RB_EXIT_USAGE : 0;
	}
	sub = argv[1];
	if (!strcmp(sub, "watchdog"))
		return rb_cmd_watchdog(argc - 1, argv + 1);
	parse(argc - 1, argv + 1, &o);
	optind++;	/* argv[optind] is now STATE, in the full argv */
	if (optind >= argc)
		rb_die_usage("host-plan %s: give the state directory", sub);
	state = argv[optind];
	if (!strcmp(sub, "init"))
		return cmd_init(state, &o);
	changes = !strcmp(sub, "boot") || !strcmp(sub, "switch") || !strcmp(sub, "start") ||
		  !strcmp(sub, "finish") || !strcmp(sub, "compared") || !strcmp(sub, "compare");
	if (!changes && strcmp(sub, "next") && strcmp(sub, "runs") && strcmp(sub, "show") &&
	    strcmp(sub, "lava") && strcmp(sub, "missing"))
		rb_die_usage("host-plan %s: unknown subcommand (refbench host-plan --help)", sub);
	if ((fd = changes ? lock_state(state) : 0) < 0)
		return RB_EXIT_FAIL;
	if (rb_hostplan_load(state, &plan, err, sizeof(err))) {
		rc = rb_error(RB_EXIT_FAIL, "%s", err);
		goto out;
	}
	if (!strcmp(sub, "next")) {
		rc = cmd_next(state, plan, &o);
	} else if (!strcmp(sub, "runs")) {
		if (optind + 1 >= argc || (strcmp(argv[optind + 1], "A") && strcmp(argv[optind + 1], "B")))
			rb_die_usage("host-plan runs STATE A|B");
		join_runs(stdout, plan, argv[optind + 1], true);
	} else if (!strcmp(sub, "show")) {
		show(stdout, plan);
	} else if (!strcmp(sub, "missing")) {
		missing(stdout, plan);
	} else if (!strcmp(sub, "compare")) {
		rc = compare_rounds(state, plan);
	} else if (!strcmp(sub, "lava")) {
		lava(plan, o.url_base ? o.url_base : "file://");
	} else if (!strcmp(sub, "boot")) {
		if (o.evidence) {
			char buf[2048];

			/* what the last boot left: the start of it says most */
			if (rb_read_text(o.evidence, buf, sizeof(buf)) >= 0 && (ev = strdup(buf)))
				for (char *c = ev; *c; c++)
					if ((unsigned char)*c < 0x20 && *c != '\n')
						*c = ' ';
		}
		struct rb_watchdog w;
		char reset[512];

		/* a boot that began with the watchdog's reset: the last one hung */
		rb_watchdog_probe(o.sysfs ? o.sysfs : "/sys", &w);
		rb_watchdog_reset_note(&w, reset, sizeof(reset));
		int n = rb_hostplan_reconcile(plan, &o.boot, ev, reset);

		if (n)
			fprintf(stderr, "refbench: host-plan: %d round(s) changed by this boot\n", n);
	} else if (!strcmp(sub, "switch")) {
		if (optind + 1 < argc && !strcmp(argv[optind + 1], "original"))
			rc = rb_hostplan_returning(plan, &o.boot);
		else if ((rc = rb_hostplan_switch(plan, round_arg(plan, argc, argv), &o.boot, err, sizeof(err))))
			rc = rb_error(RB_EXIT_FAIL, "%s", err);
	} else if (!strcmp(sub, "start")) {
		i = round_arg(plan, argc, argv);
		if (!o.run)
			rb_die_usage("host-plan start needs --run DIR");
		if (rb_hostplan_start(plan, i, &o.boot, o.run, err, sizeof(err)))
			rc = rb_error(RB_EXIT_FAIL, "%s", err);
	} else if (!strcmp(sub, "finish")) {
		i = round_arg(plan, argc, argv);
		if (!o.status || (strcmp(o.status, "done") && strcmp(o.status, "failed")))
			rb_die_usage("host-plan finish needs --status done|failed");
		if (!strcmp(o.status, "failed") && (!o.reason || !*o.reason))
			rb_die_usage("--status failed needs --reason TEXT: say why");
		if (rb_hostplan_finish(plan, i, !strcmp(o.status, "done"), o.reason, err, sizeof(err)))
			rc = rb_error(RB_EXIT_FAIL, "%s", err);
	} else {
		rb_hostplan_compared(plan, o.report);
	}
	if (!rc && changes && rb_hostplan_save(state, plan, err, sizeof(err)))
		rc = rb_error(RB_EXIT_FAIL, "%s", err);
	json_object_put(plan);
out:
	free(ev);
	if (fd > 0)
		close(fd);
	return rc;
}
