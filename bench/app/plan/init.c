// SPDX-License-Identifier: GPL-2.0
/*
 * `refbench plan init JOB ...`: a job's command line (scripts/ab,
 * scripts/series, scripts/bounds pass theirs through unread) checked
 * whole, before anything is built or booted, and written as a new plan;
 * or, with --resume, the plan of a job that stopped, made ready to go on.
 * Prints the plan's STATE directory.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app/compare/bounds.h"
#include "app/plan/plan.h"
#include "app/plan/state.h"
#include "app/run/suite.h"
#include "app/rundir/rundir.h"
#include "lib/refbench.h"
#include "lib/userfile.h"
#include "stats/stats.h"

static const char ab_usage[] =
"usage: scripts/ab [--base SPEC] [--patched SPEC] [--ksrc TREE]\n"
"                  [--mode timed|deterministic] [--suite NAME] [--rounds N|auto]\n"
"                  [--budget 30m] [--margin M] [--bounds FILE|none] [--allow-missing]\n"
"                  [--jobs N|auto] [-o DIR] [--lab-args 'ARGS'] [--attribute] [--cost] [--demo]\n"
"                  [--targets HOST,...]\n"
"       scripts/ab --resume DIR [--jobs N|auto] [--targets HOST,...]\n"
"  (make ab BASE=... PATCHED=... [KSRC=tree] [MODE=...] [SUITE=...] [ROUNDS=n|auto]\n"
"   [BUDGET=30m] [MARGIN=m] [BOUNDS=file] [ALLOW_MISSING=1] [JOBS=n] [ATTRIBUTE=1] [COST=1];\n"
"   make ab RESUME=results/ab-...)\n"
"\n"
"SPEC names a kernel:\n"
"  stock or empty     Debian's linux-source-6.1 (the default tree)\n"
"  X.Y                Debian's linux-source-X.Y (6.12, 7.2, ...; scripts/ksrc)\n"
"  REF                a git ref in the --ksrc tree (e.g. v6.14)\n"
"  FILE.tar.xz        a source tarball\n"
"  DIR                an extracted source tree; or a kernel kernels/build made\n"
"                     (bzImage and build-info.json in it), booted as it is:\n"
"                     e.g. two builds of one source under other configs\n"
"  X+PATCHES          X plus a directory of *.patch files or an mbox\n"
"                     (e.g. v6.14+series.mbox); +PATCHES alone patches the\n"
"                     default tree\n"
"--demo    A = stock 6.1, B = 6.1 + kernels/patches/example (see its text);\n"
"          deterministic, with --attribute unless --mode timed\n"
"--mode    timed (default where KVM runs guests at native speed) or\n"
"          deterministic (TCG icount: values are instruction counts;\n"
"          the default where KVM is unusable)\n"
"--rounds  boots per kernel (default 5 timed; deterministic 1 when the suite\n"
"          has bounds for kernel A's version, configs/bounds/SUITE-X.Y.bounds\n"
"          or SUITE.bounds, else 2), or auto:\n"
"          interleaved rounds until every primary metric is decided or the\n"
"          budget runs out; after each round `refbench compare --sequential`\n"
"          decides at that look's share of alpha (O'Brien-Fleming spending),\n"
"          so looking every round keeps the error rate\n"
"--budget  time for ROUNDS=auto, e.g. 30m, 2h, 900s (default 30m); the\n"
"          most rounds it allows is fixed after the first round\n"
"--margin  equivalence margin, a fraction (default 0.02)\n"
"--bounds  deterministic mode: a refbench bounds file (the A/A bound);\n"
"          default configs/bounds/SUITE-X.Y.bounds (X.Y: kernel A's\n"
"          version) or SUITE.bounds when one exists; none: no file\n"
"--allow-missing  a metric measured in only one arm is listed, not an error\n"
"--jobs    deterministic mode: boots at once (default auto: one per core, as\n"
"          many as fit in memory); timed mode boots one at a time, A B A B\n"
"--attribute  deterministic mode: every boot counts each window's\n"
"          instructions per kernel function (scripts/lab --attribute, the TCG\n"
"          plugin); the report names, under each changed metric, where\n"
"--cost    deterministic mode: --attribute, and each window's cost vector\n"
"          (atomics, loads, stores, struct-page accesses, distinct lines per\n"
"          op; docs/cost.md) compared as metrics of their own\n"
"--targets the boots run on these ssh targets ([ssh://][user@]host[:port],\n"
"          comma-separated; TARGETS=), each round on one target, a target\n"
"          one boot at a time (scripts/remote); deterministic mode unless\n"
"          --mode timed with one target. A target that cannot be reached\n"
"          gives its boots to the others; --resume may name new targets\n"
"--resume  continue an A/B that stopped (a failed boot, a signal, a reboot):\n"
"          DIR is the ab dir it named; its plan (DIR.plan/plan.json) holds the\n"
"          settings and the boots done; a boot whose run is complete and passes\n"
"          `refbench validate` is reused, the others are booted again, and\n"
"          the report names the reused ones\n"
"\n"
"Deterministic boots of one kernel are identical, so round r of both arms\n"
"boots with --perturb (r-1)*999983: the instruction stream is shifted and\n"
"the RNG reseeded, and the spread between an arm's boots is how far each\n"
"metric moves when nothing but timing changes, the A/A bound of the run.\n";

static const char series_usage[] =
"usage: scripts/series --series DIR|MBOX [--base SPEC] [--ksrc TREE]\n"
"                      [--suite NAME|FILE] [--bounds FILE|none] [--attribute] [--cost]\n"
"                      [--jobs N|auto] [-o DIR] [--lab-args 'ARGS'] [--targets HOST,...]\n"
"       scripts/series --resume DIR [--jobs N|auto] [--targets HOST,...]\n"
"  (make series BASE=SPEC SERIES=DIR|MBOX [SUITE=ab-smoke] [ATTRIBUTE=1] [JOBS=n];\n"
"   make series RESUME=results/...-series-...)\n"
"\n"
"--base    the kernel the series applies to, as scripts/ab takes it (stock,\n"
"          X.Y, a git ref with --ksrc, a tarball, a tree); without +PATCHES\n"
"--series  a directory of *.patch (sorted; or of X.Y/ subdirectories, picked\n"
"          by the base's version) or an mbox (git format-patch, b4 am)\n"
"--suite   the suite every kernel runs (default ab-smoke)\n"
"--bounds  the A/A bounds the steps are judged by (default the suite's own,\n"
"          configs/bounds/SUITE-X.Y.bounds or SUITE.bounds; none: no file,\n"
"          then only identical numbers are decided: \"?\" cells)\n"
"--attribute  boot with the QEMU plugin: each cell's top symbols (make plugin)\n"
"--cost    --attribute, and every window's cost vector as metrics of their own\n"
"          (atomics, loads, stores, struct-page accesses, lines; docs/cost.md)\n"
"--jobs    boots at once (default auto: one per core, as many as fit in memory)\n"
"--targets the kernels boot on these ssh targets, as scripts/ab --help says\n"
"--resume  continue a walk that stopped: its kernels and verified boots are reused\n"
"Every kernel boots once, unperturbed (--perturb 0): deterministic boots of\n"
"one kernel are identical, and the bounds say how far a metric moves when\n"
"nothing but timing changes.\n";

static const char bounds_usage[] =
"usage: scripts/bounds --suite NAME [--kernel DIR]... [--boots N] [--factor K]\n"
"                      [--across] [--jobs N|auto] (--check FILE | -o FILE)\n"
"                      [--lab-args 'ARGS']\n"
"                      [--targets HOST,...]\n"
"       scripts/bounds --resume FILE [--jobs N|auto] [--targets HOST,...]\n"
"                      (FILE: an -o FILE that stopped)\n"
"\n"
"Measures a suite's A/A bounds for deterministic mode. Two deterministic boots\n"
"of one kernel are identical, so the bound is measured against perturbed\n"
"boots: the same kernel booted N times with --perturb 0, 999983, 2*999983, ...\n"
"(instruction stream shifted, RNG reseeded, up to 4 MiB of pages held), the\n"
"way a patch, another kernel size or another checkout moves everything after\n"
"it. For every metric, the spread of its per-boot medians, the largest over\n"
"the kernels given, is its bound; compare's exact rule calls a difference a\n"
"change only beyond it. `make ab` uses configs/bounds/SUITE-X.Y.bounds by\n"
"default (measure one file per kernel version: the noise differs).\n"
"\n"
"--kernel  a kernel directory from kernels/build (default: the default lab kernel)\n"
"--boots   boots per kernel (default 6, at least 2); a few boots see the range\n"
"          of the noise, not its extremes, so the bound written is --factor\n"
"          (default 3) times the spread seen\n"
"--across  the kernels are images of one source (the source, and the source\n"
"          plus a patch no window crosses, e.g. kernels/patches/off-path): the\n"
"          spread is taken over all their boots together, so the bound holds\n"
"          what moves between two images, not only between boots of one\n"
"--jobs    boots at once (default auto: one per core, as many as fit in memory)\n"
"-o        write a new bounds file (never over an existing one)\n"
"--targets the boots run on these ssh targets, as scripts/ab --help says\n"
"--check   measure and compare with FILE instead: exit 1 naming each metric\n"
"          whose spread exceeds its bound (what make check does)\n";

#define MAXK 16

struct init_opts {
	const char *repo, *base, *patched, *ksrc, *mode, *suite, *rounds, *budget, *margin, *bounds;
	const char *jobs, *out, *lab_args, *resume, *series, *check, *boots, *factor, *targets;
	const char *kernels[MAXK];
	unsigned nkernels;
	bool allow_missing, demo, attribute, cost, across, help;
};

static bool exists(const char *p)
{
	return !access(p, F_OK);
}

static bool is_file(const char *p)
{
	struct stat st;

	return !stat(p, &st) && S_ISREG(st.st_mode);
}

/* an absolute path for one that may not exist yet (realpath -m) */
static const char *absolute(const char *p, char *buf, size_t n)
{
	char cwd[PATH_MAX];

	if (p[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		snprintf(buf, n, "%s", p);
	else
		snprintf(buf, n, "%s/%s", cwd, p);
	/* no trailing slashes: OUT.plan sits beside OUT */
	for (size_t l = strlen(buf); l > 1 && buf[l - 1] == '/'; l--)
		buf[l - 1] = '\0';
	return buf;
}

static long count_arg(const char *job, const char *opt, const char *v, bool allow_auto, long min)
{
	char *end;
	long x;

	if (allow_auto && !strcmp(v, "auto"))
		return 0;
	errno = 0;
	x = strtol(v, &end, 10);
	if (!*v || *end || errno || x < min) {
		rb_plan_error(job, "%s %s: a count >= %ld%s", opt, v, min, allow_auto ? ", or auto" : "");
		return -1;
	}
	return x;
}

static struct json_object *words(const char *s)
{
	struct json_object *a = json_object_new_array();
	char *copy = strdup(s ? s : ""), *save = NULL;

	for (char *w = strtok_r(copy, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save))
		json_object_array_add(a, json_object_new_string(w));
	free(copy);
	return a;
}

static bool has_word(struct json_object *a, const char *w)
{
	for (size_t i = 0; i < json_object_array_length(a); i++)
		if (!strcmp(json_object_get_string(json_object_array_get_idx(a, i)), w))
			return true;
	return false;
}

/* a kernel of the plan: label, spec, kernels/build's arguments */
static int add_kernel(struct json_object *plan, const char *job, const char *label, const char *spec,
		      const char *ksrc)
{
	char *argv[16], err[RB_ERR_LEN];
	struct json_object *args;

	if (rb_plan_build_args(spec, ksrc, argv, 16, err, sizeof(err)))
		return rb_plan_error(job, "%s", err);
	args = json_object_new_array();
	for (char **a = argv; *a; a++) {
		json_object_array_add(args, json_object_new_string(*a));
		free(*a);
	}
	rb_plan_add_kernel(plan, label, spec, args);
	return 0;
}

/* make ab's A or B: a SPEC, or a kernel kernels/build made (its directory,
 * booted as it is: two builds of one source under other configs) */
static int add_ab_kernel(struct json_object *plan, const char *job, const char *label, const char *spec,
			 const char *ksrc)
{
	char kd[PATH_MAX], ver[64];
	struct json_object *k;

	if (strchr(spec, '+') || !rb_plan_kernel_dir(spec, ver, sizeof(ver)))
		return add_kernel(plan, job, label, spec, ksrc);
	if (!realpath(spec, kd))
		return rb_plan_error(job, "%s: %s", spec, strerror(errno));
	k = rb_plan_add_kernel(plan, label, kd, json_object_new_array());
	rb_plan_set_str(k, "dir", kd);
	rb_plan_set_str(k, "status", "built");
	if (*ver)
		rb_plan_set_str(k, "version", ver);
	return 0;
}

/* writes the plan, and prints STATE for the executor */
static int save_state(const char *job, const char *state, struct json_object *plan)
{
	char err[RB_ERR_LEN];

	if (rb_plan_save(state, plan, err, sizeof(err)))
		return rb_plan_error(job, "%s", err);
	printf("%s\n", state);
	return 0;
}

static int suite_file(const char *job, const char *repo, const char *suite, char *buf, size_t n)
{
	char dir[PATH_MAX], given[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/configs/suites", repo);
	rb_suite_path(dir, strchr(suite, '/') ? absolute(suite, given, sizeof(given)) : suite, buf, n);
	if (!is_file(buf))
		return rb_plan_error(job, "suite '%s' not found (%s)", suite, buf);
	return 0;
}

static int bounds_arg(const char *job, const char *b, char *buf, size_t n)
{
	struct rb_bounds bb;
	char err[RB_ERR_LEN];

	if (!b || !*b || !strcmp(b, "none")) {
		snprintf(buf, n, "%s", b ? b : "");
		return 0;
	}
	if (!exists(b))
		return rb_plan_error(job, "--bounds %s: no such file (make one with scripts/bounds)", b);
	if (rb_bounds_load(b, &bb, err, sizeof(err)))
		return rb_plan_error(job, "--bounds %s: not a refbench bounds file (schema %s; make one with "
			    "scripts/bounds -o): %s", b, RB_BOUNDS_SCHEMA, err);
	rb_bounds_free(&bb);
	absolute(b, buf, n);
	return 0;
}

/* The Subject lines of the demo's 6.1 patches, for its banner. */
static void say_subjects(const char *dir)
{
	char sub[PATH_MAX + 8], line[1024];
	DIR *d;
	struct dirent *e;

	snprintf(sub, sizeof(sub), "%s/6.1", dir);
	if (!(d = opendir(sub)))
		return;
	while ((e = readdir(d))) {
		char path[PATH_MAX + 300];
		FILE *f;

		if (!strstr(e->d_name, ".patch"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", sub, e->d_name);
		if (!(f = fopen(path, "re")))
			continue;
		for (int i = 0; i < 64 && fgets(line, sizeof(line), f); i++)
			if (!strncmp(line, "Subject: ", 9)) {
				char *s = strchr(line, ']');

				fprintf(stderr, "  %s", s && s[1] == ' ' ? s + 2 : line + 9);
				break;
			}
		fclose(f);
	}
	closedir(d);
}

/* mkdir -p */
static int mkdir_p(const char *path)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s", path);
	for (char *c = p + 1; *c; c++)
		if (*c == '/') {
			*c = '\0';
			if (mkdir(p, 0755) && errno != EEXIST)
				return -1;
			*c = '/';
		}
	return mkdir(p, 0755) && errno != EEXIST ? -1 : 0;
}

static int parse(const char *job, int argc, char **argv, struct init_opts *o, struct json_object *given)
{
	enum { O_BASE = 256, O_PATCHED, O_KSRC, O_MODE, O_SUITE, O_ROUNDS, O_BUDGET, O_MARGIN, O_BOUNDS,
	       O_ALLOW, O_JOBS, O_LABARGS, O_ATTR, O_COST, O_DEMO, O_RESUME, O_SERIES, O_CHECK, O_BOOTS,
	       O_FACTOR, O_KERNEL, O_REPO, O_TARGETS, O_ACROSS };
	static const struct option lo[] = {
		{ "base", required_argument, NULL, O_BASE }, { "patched", required_argument, NULL, O_PATCHED },
		{ "ksrc", required_argument, NULL, O_KSRC }, { "mode", required_argument, NULL, O_MODE },
		{ "suite", required_argument, NULL, O_SUITE }, { "rounds", required_argument, NULL, O_ROUNDS },
		{ "budget", required_argument, NULL, O_BUDGET }, { "margin", required_argument, NULL, O_MARGIN },
		{ "bounds", required_argument, NULL, O_BOUNDS }, { "allow-missing", no_argument, NULL, O_ALLOW },
		{ "jobs", required_argument, NULL, O_JOBS }, { "lab-args", required_argument, NULL, O_LABARGS },
		{ "attribute", no_argument, NULL, O_ATTR }, { "cost", no_argument, NULL, O_COST },
		{ "demo", no_argument, NULL, O_DEMO }, { "resume", required_argument, NULL, O_RESUME },
		{ "series", required_argument, NULL, O_SERIES }, { "check", required_argument, NULL, O_CHECK },
		{ "boots", required_argument, NULL, O_BOOTS }, { "factor", required_argument, NULL, O_FACTOR },
		{ "kernel", required_argument, NULL, O_KERNEL }, { "repo", required_argument, NULL, O_REPO },
		{ "targets", required_argument, NULL, O_TARGETS }, { "across", no_argument, NULL, O_ACROSS },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	/* which options each job takes */
	static const struct { const char *job; const char *opts; } takes[] = {
		{ "ab", "base patched ksrc mode suite rounds budget margin bounds allow-missing jobs lab-args "
			"attribute cost demo resume targets o" },
		{ "series", "base series ksrc suite bounds attribute cost jobs lab-args resume targets o" },
		{ "bounds", "suite kernel boots factor across jobs check lab-args resume targets o" },
	};
	const char *allowed = NULL;
	int c, idx;

	for (size_t i = 0; i < sizeof(takes) / sizeof(takes[0]); i++)
		if (!strcmp(job, takes[i].job))
			allowed = takes[i].opts;
	if (!allowed)
		return rb_plan_error("plan", "unknown job '%s' (ab, series, bounds)", job);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", lo, &idx)) != -1) {
		const char *name = c == 'o' ? "o" : c >= 256 ? lo[idx].name : NULL;

		if (c == '?' || c == ':')
			return rb_plan_error(job, "%s argument '%s'%s", c == ':' ? "a value is missing after the" : "unknown",
				    argv[optind - 1], c == ':' ? "" : " (--help lists them)");
		if (name && strcmp(name, "repo") && !rb_word_in(allowed, name))
			return rb_plan_error(job, "unknown argument '%s%s' (--help lists them)", c == 'o' ? "-" : "--", name);
		if (given && name && strcmp(name, "repo") && strcmp(name, "resume") && strcmp(name, "jobs") &&
		    strcmp(name, "targets")) {
			char w[64];

			snprintf(w, sizeof(w), "%s%s", c == 'o' ? "-" : "--", name);
			json_object_array_add(given, json_object_new_string(w));
		}
		switch (c) {
		case 'h': o->help = true; break;
		case 'o': o->out = optarg; break;
		case O_BASE: o->base = optarg; break;
		case O_PATCHED: o->patched = optarg; break;
		case O_KSRC: o->ksrc = optarg; break;
		case O_MODE: o->mode = optarg; break;
		case O_SUITE: o->suite = optarg; break;
		case O_ROUNDS: o->rounds = optarg; break;
		case O_BUDGET: o->budget = optarg; break;
		case O_MARGIN: o->margin = optarg; break;
		case O_BOUNDS: o->bounds = optarg; break;
		case O_ALLOW: o->allow_missing = true; break;
		case O_JOBS: o->jobs = optarg; break;
		case O_LABARGS: o->lab_args = optarg; break;
		case O_ATTR: o->attribute = true; break;
		case O_COST: o->cost = true; break;
		case O_DEMO: o->demo = true; break;
		case O_RESUME: o->resume = optarg; break;
		case O_SERIES: o->series = optarg; break;
		case O_CHECK: o->check = optarg; break;
		case O_BOOTS: o->boots = optarg; break;
		case O_FACTOR: o->factor = optarg; break;
		case O_REPO: o->repo = optarg; break;
		case O_TARGETS: o->targets = optarg; break;
		case O_ACROSS: o->across = true; break;
		case O_KERNEL:
			if (o->nkernels >= MAXK)
				return rb_plan_error(job, "at most %d --kernel", MAXK);
			o->kernels[o->nkernels++] = optarg;
			break;
		}
	}
	if (optind < argc)
		return rb_plan_error(job, "unknown argument '%s' (--help lists them)", argv[optind]);
	return 0;
}

/* --targets A,B,...: the ssh targets that share the boots, each in the one
 * form the plan records; NULL after an error. */
static struct json_object *targets_arg(const char *job, const char *list)
{
	struct json_object *a = json_object_new_array();
	char *copy = strdup(list), *save = NULL, url[512], err[RB_ERR_LEN];

	for (char *t = strtok_r(copy, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
		if (rb_plan_target_url(t, url, sizeof(url), err, sizeof(err))) {
			rb_plan_error(job, "--targets (TARGETS=): %s", err);
			goto bad;
		}
		if (has_word(a, url)) {
			rb_plan_error(job, "--targets (TARGETS=): %s is named twice", url);
			goto bad;
		}
		if (json_object_array_length(a) >= RB_PLAN_MAX_TARGETS) {
			rb_plan_error(job, "--targets (TARGETS=): at most %d targets", RB_PLAN_MAX_TARGETS);
			goto bad;
		}
		json_object_array_add(a, json_object_new_string(url));
	}
	if (!json_object_array_length(a)) {
		rb_plan_error(job, "--targets (TARGETS=) names no target: give host1,host2 or ssh://user@host:port,...");
		goto bad;
	}
	free(copy);
	return a;
bad:
	free(copy);
	json_object_put(a);
	return NULL;
}

/* The resume of a job that stopped: its plan, made ready to go on. */
static int resume(const char *job, const struct init_opts *o, struct json_object *given)
{
	char dir[PATH_MAX], state[PATH_MAX + 8], done[PATH_MAX + 32], err[RB_ERR_LEN];
	struct json_object *plan, *boots;
	int lock, rc = RB_EXIT_FAIL;
	long jobs = 0;

	if (json_object_array_length(given)) {
		char list[1024] = "";

		for (size_t i = 0; i < json_object_array_length(given); i++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), " %s",
				 json_object_get_string(json_object_array_get_idx(given, i)));
		return rb_plan_error(job, "--resume takes every setting from the plan; drop%s (only --jobs and --targets may "
				     "change)", list);
	}
	absolute(o->resume, dir, sizeof(dir));
	if (strlen(dir) > 5 && !strcmp(dir + strlen(dir) - 5, ".plan"))
		dir[strlen(dir) - 5] = '\0';
	snprintf(state, sizeof(state), "%s.plan", dir);
	snprintf(done, sizeof(done), "%s/%s", dir, !strcmp(job, "series") ? "series.txt" : "report.txt");
	if (!strcmp(job, "ab") || !strcmp(job, "series"))
		if (exists(done))
			return rb_plan_error(job, "%s is complete (%s is there): nothing to resume", dir, strrchr(done, '/') + 1);
	snprintf(done, sizeof(done), "%s/%s", state, RB_PLAN_FILE);
	if (!exists(done))
		return rb_plan_error(job, "no plan %s: --resume (RESUME=) takes the directory an interrupted %s named",
			    done, !strcmp(job, "ab") ? "make ab" : !strcmp(job, "series") ? "make series" :
			    "scripts/bounds -o");
	if (o->jobs && (jobs = count_arg(job, "--jobs", o->jobs, true, 1)) < 0)
		return RB_EXIT_FAIL;
	if ((lock = rb_plan_lock(state)) < 0)
		return rb_plan_error(job, "locking %s: %s", state, strerror(-lock));
	if (rb_plan_load(state, &plan, err, sizeof(err))) {
		rb_plan_error(job, "%s", err);
		goto out;
	}
	if (strcmp(rb_json_get_str(plan, "job"), job)) {
		rb_plan_error(job, "%s is the plan of a %s job, not of %s", state, rb_json_get_str(plan, "job"), job);
		goto put;
	}
	if (o->jobs)
		rb_plan_set_int(rb_plan_get(plan, "settings"), "jobs", jobs);
	/* every target is up again; new targets take the boots still to do */
	json_object_object_del(plan, "targets_down");
	if (o->targets) {
		struct json_object *t = targets_arg(job, o->targets);

		if (!t || !rb_plan_get(rb_plan_get(plan, "settings"), "targets")) {
			if (t)
				rb_plan_error(job, "--targets: %s boots here; a plan's boots go to ssh targets from its start",
					      state);
			json_object_put(t);
			goto put;
		}
		/* the pending boots of a target no longer named go to the others
		 * (next); a done boot keeps the target it ran on */
		json_object_object_add(rb_plan_get(plan, "settings"), "targets", t);
	}
	boots = rb_plan_get(plan, "boots");
	rb_plan_say(plan, "resuming %s: %zu boot(s) recorded in its plan", rb_json_get_str(rb_plan_get(plan, "settings"), "out"),
		    json_object_array_length(boots));
	/* a kernel whose directory is gone is built again */
	for (size_t i = 0; rb_plan_kernel(plan, i); i++) {
		struct json_object *k = rb_plan_kernel(plan, i);
		char img[PATH_MAX + 16];

		snprintf(img, sizeof(img), "%s/bzImage", rb_json_get_str(k, "dir") ? rb_json_get_str(k, "dir") : "");
		if (!strcmp(rb_json_get_str(k, "status"), "built") && !exists(img) &&
		    !json_object_array_length(rb_plan_get(k, "build")) && rb_json_get_str(k, "spec") &&
		    *rb_json_get_str(k, "spec") == '/') {
			rb_plan_error(job, "kernel %s: %s is gone (a kernel directory given as it was built; "
				      "build it again with kernels/build, or start a new plan)",
				      rb_json_get_str(k, "label"), img);
			goto put;
		}
		if (!strcmp(rb_json_get_str(k, "status"), "failed") ||
		    (!strcmp(rb_json_get_str(k, "status"), "built") && !exists(img)))
			rb_plan_set_str(k, "status", "pending");
	}
	/* a boot whose run is complete and verifies is reused; the rest boot again */
	for (size_t i = 0; i < json_object_array_length(boots); i++) {
		struct json_object *b = json_object_array_get_idx(boots, i);
		const char *run = rb_json_get_str(b, "run");

		if (run && rb_plan_run_reusable(run)) {
			if (strcmp(rb_json_get_str(b, "status"), "done") || !rb_plan_bool(b, "reused"))
				rb_plan_say(plan, "boot %s: reusing %s (complete, checksums verified)",
					    rb_json_get_str(b, "label"), run);
			rb_plan_set_str(b, "status", "done");
			json_object_object_add(b, "reused", json_object_new_boolean(true));
			continue;
		}
		if (run)
			rb_plan_say(plan, "boot %s: its run %s is not complete or does not verify: booting it again",
				    rb_json_get_str(b, "label"), run);
		rb_plan_set_str(b, "status", "pending");
		json_object_object_add(b, "run", NULL);
		json_object_object_add(b, "reused", NULL);
	}
	/* a walk stopped by a boot goes on past it when it boots now */
	if (rb_plan_get(plan, "stop") && !strcmp(rb_json_get_str(rb_plan_get(plan, "stop"), "kind") ?
						  rb_json_get_str(rb_plan_get(plan, "stop"), "kind") : "", "boot"))
		json_object_object_del(plan, "stop");
	/* the result is made again from the boots */
	json_object_object_del(plan, "result");
	json_object_object_del(plan, "looks_done");
	rc = save_state(job, state, plan);
put:
	json_object_put(plan);
out:
	close(lock);
	return rc;
}

static void stamp_id(const char *label, const char *repo, char *buf, size_t n)
{
	char tmp[PATH_MAX];
	const char *base;

	rb_result_dir(label, tmp, sizeof(tmp));
	base = strrchr(tmp, '/') ? strrchr(tmp, '/') + 1 : tmp;
	snprintf(buf, n, "%s/results/%s", repo, base);
}

int rb_plan_init(const char *job, int argc, char **argv)
{
	struct init_opts o = { 0 };
	struct json_object *given = json_object_new_array(), *plan, *s, *lab;
	char repo[PATH_MAX], out[PATH_MAX], state[PATH_MAX + 8], suite[PATH_MAX + 64], bounds[PATH_MAX];
	char demo_patches[PATH_MAX + 64], created[64];
	long jobs = 0, rounds = -1, budget = 1800, boots = 6;
	double margin = RB_STATS_MARGIN_DEFAULT;
	int rc;

	if ((rc = parse(job, argc, argv, &o, given))) {
		json_object_put(given);
		return rc;
	}
	if (o.help) {
		fputs(!strcmp(job, "ab") ? ab_usage : !strcmp(job, "series") ? series_usage : bounds_usage, stdout);
		json_object_put(given);
		return 0;	/* not a STATE path: the executor shows it and stops */
	}
	if (!o.repo || !realpath(o.repo, repo)) {
		json_object_put(given);
		return rb_plan_error(job, "--repo DIR (the checkout; the scripts pass it) is missing or does not exist");
	}
	if (o.resume) {
		rc = resume(job, &o, given);
		json_object_put(given);
		return rc;
	}
	plan = json_object_new_object();
	s = json_object_new_object();
	rb_plan_set_int(plan, "schema", RB_PLAN_SCHEMA);
	rb_plan_set_str(plan, "format", RB_PLAN_FORMAT);
	rb_plan_set_str(plan, "job", job);
	rb_plan_set_str(plan, "created", rb_iso_time(created, sizeof(created)));
	json_object_object_add(plan, "given", given);
	json_object_object_add(plan, "settings", s);
	json_object_object_add(plan, "kernels", json_object_new_array());
	json_object_object_add(plan, "boots", json_object_new_array());
	json_object_object_add(plan, "mode", NULL);
	rb_plan_set_str(s, "repo", repo);
	rc = RB_EXIT_FAIL;

	if (o.jobs && (jobs = count_arg(job, "--jobs", o.jobs, true, 1)) < 0)
		goto put;
	rb_plan_set_int(s, "jobs", jobs);
	if (o.targets) {
		struct json_object *t = targets_arg(job, o.targets);

		if (!t)
			goto put;
		json_object_object_add(s, "targets", t);
		/* a timed run is a clock of one host: runs of two hosts do not
		 * compare (deterministic ones do: rb_prov_mismatches) */
		if (json_object_array_length(t) > 1 && o.mode && !strcmp(o.mode, "timed")) {
			rb_plan_error(job, "--targets with %zu targets: timed runs of different hosts do not compare "
				      "(their clocks differ); use --mode deterministic, or one target",
				      json_object_array_length(t));
			goto put;
		}
		/* the accel probe would judge this machine, not the targets */
		if (!o.mode)
			o.mode = "deterministic";
	}
	/* the demo is the exact A/B: deterministic, each window the measured
	 * task's own count (a tick that lands elsewhere in B moves no verdict) */
	if (!strcmp(job, "ab") && o.demo) {
		if (!o.mode)
			o.mode = "deterministic";
		if (!strcmp(o.mode, "deterministic"))
			o.attribute = true;
	}
	lab = words(o.lab_args);
	if (o.cost && !has_word(lab, "--cost"))
		json_object_array_add(lab, json_object_new_string("--cost"));
	else if (o.attribute && !has_word(lab, "--attribute"))
		json_object_array_add(lab, json_object_new_string("--attribute"));
	json_object_object_add(s, "lab_args", lab);
	if (o.mode && !strcmp(o.mode, "timed") && (has_word(lab, "--attribute") || has_word(lab, "--cost"))) {
		rb_plan_error(job, "--attribute (ATTRIBUTE=1) and --cost (COST=1) count in the TCG plugin: each needs "
		     "--mode deterministic");
		goto put;
	}
	if (has_word(lab, "--attribute") || has_word(lab, "--cost")) {
		char so[PATH_MAX + 64];

		snprintf(so, sizeof(so), "%s/build/plugin/insn_attr.so", repo);
		if (!is_file(so)) {
			rb_plan_error(job, "--attribute/--cost (ATTRIBUTE=1, COST=1): %s is not built: run 'make plugin'", so);
			goto put;
		}
	}

	if (!strcmp(job, "ab")) {
		if (o.demo) {
			snprintf(demo_patches, sizeof(demo_patches), "+%s/kernels/patches/example", repo);
			o.base = "stock";
			o.patched = demo_patches;
			fprintf(stderr, "ab: demo: A = Debian linux-source-6.1, B = the same + kernels/patches/example:\n");
			say_subjects(demo_patches + 1);
		}
		if (!o.patched) {
			rb_plan_error(job, "give --patched SPEC (the kernel with your series), or --demo");
			goto put;
		}
		if (o.mode && strcmp(o.mode, "timed") && strcmp(o.mode, "deterministic")) {
			rb_plan_error(job, "--mode %s: use timed or deterministic", o.mode);
			goto put;
		}
		if (o.mode)
			rb_plan_set_str(plan, "mode", o.mode);
		if (o.rounds && strcmp(o.rounds, "auto") && (rounds = count_arg(job, "--rounds", o.rounds, true, 1)) < 0)
			goto put;
		if (o.rounds && !strcmp(o.rounds, "auto"))
			rounds = 0;
		if (o.budget && (budget = rb_plan_duration(o.budget)) < 0) {
			rb_plan_error(job, "--budget %s: a duration such as 900s, 30m or 2h", o.budget);
			goto put;
		}
		if (o.margin && rb_stats_parse_fraction(o.margin, 1, &margin)) {
			rb_plan_error(job, "--margin %s: give a fraction in (0, 1), e.g. 0.02 or 2%%", o.margin);
			goto put;
		}
		if (o.bounds && strcmp(o.bounds, "none") && o.mode && !strcmp(o.mode, "timed")) {
			rb_plan_error(job, "--bounds is for deterministic mode (the A/A bound of instruction counts)");
			goto put;
		}
		if (bounds_arg(job, o.bounds, bounds, sizeof(bounds)))
			goto put;
		rb_plan_set_str(s, "bounds", bounds);
		rb_plan_set_int(s, "rounds", rounds);	/* -1: the default, 0: auto */
		rb_plan_set_int(s, "budget_s", budget);
		rb_plan_set_str(s, "budget", o.budget ? o.budget : "30m");
		json_object_object_add(s, "margin", json_object_new_double(margin));
		{
			char m[32];

			snprintf(m, sizeof(m), "%g", margin);
			rb_plan_set_str(s, "margin_text", o.margin ? o.margin : m);
		}
		json_object_object_add(s, "allow_missing", json_object_new_boolean(o.allow_missing));
		json_object_object_add(s, "demo", json_object_new_boolean(o.demo));
		rb_plan_set_str(s, "base", o.base ? o.base : "stock");
		rb_plan_set_str(s, "patched", o.patched);
		rb_plan_set_str(s, "ksrc", o.ksrc);
		rb_plan_set_str(s, "suite_given", o.suite ? o.suite : "quick");
		if (suite_file(job, repo, o.suite ? o.suite : "quick", suite, sizeof(suite)))
			goto put;
		if (add_ab_kernel(plan, job, "A", o.base ? o.base : "stock", o.ksrc) ||
		    add_ab_kernel(plan, job, "B", o.patched, o.ksrc))
			goto put;
		if (o.out)
			absolute(o.out, out, sizeof(out));
		else
			stamp_id("ab", repo, out, sizeof(out));
	} else if (!strcmp(job, "series")) {
		char ser[PATH_MAX];

		if (!o.series) {
			rb_plan_error(job, "give --series DIR|MBOX (SERIES= for make series): the patches to walk");
			rc = RB_EXIT_USAGE;
			goto put;
		}
		if (!exists(o.series) || !realpath(o.series, ser)) {
			rb_plan_error(job, "--series %s: no such file or directory", o.series);
			rc = RB_EXIT_USAGE;
			goto put;
		}
		if (o.base && strchr(o.base, '+')) {
			rb_plan_error(job, "--base %s: the walk's base carries no patches; put them first in the series, or "
			     "build the base from a tree that has them", o.base);
			rc = RB_EXIT_USAGE;
			goto put;
		}
		rb_plan_set_str(plan, "mode", "deterministic");
		if (bounds_arg(job, o.bounds, bounds, sizeof(bounds)))
			goto put;
		rb_plan_set_str(s, "bounds", bounds);
		rb_plan_set_str(s, "series", ser);
		rb_plan_set_str(s, "base", o.base ? o.base : "stock");
		rb_plan_set_str(s, "ksrc", o.ksrc);
		rb_plan_set_str(s, "suite_given", o.suite ? o.suite : "ab-smoke");
		json_object_object_add(s, "attribute", json_object_new_boolean(o.attribute || o.cost));
		if (suite_file(job, repo, o.suite ? o.suite : "ab-smoke", suite, sizeof(suite)))
			goto put;
		if (add_kernel(plan, job, "0", o.base ? o.base : "stock", o.ksrc))
			goto put;
		if (o.out)
			absolute(o.out, out, sizeof(out));
		else
			stamp_id("series", repo, out, sizeof(out));
	} else {
		if (!o.suite) {
			rb_plan_error(job, "give --suite NAME (configs/suites/NAME.suite) or a suite file");
			goto put;
		}
		if (suite_file(job, repo, o.suite, suite, sizeof(suite)))
			goto put;
		if (o.boots && (boots = count_arg(job, "--boots", o.boots, false, 2)) < 0) {
			fprintf(stderr, "bounds: (a spread needs two boots)\n");
			goto put;
		}
		if (o.across && o.nkernels < 2) {
			rb_plan_error(job, "--across takes the spread over several images of one source: give "
				      ">= 2 --kernel (e.g. the kernel and the kernel + kernels/patches/off-path/X.Y)");
			goto put;
		}
		if (!o.out == !o.check) {
			rb_plan_error(job, o.out ? "-o and --check: one or the other" :
			     "give -o FILE (write bounds) or --check FILE (compare with them)");
			goto put;
		}
		if (o.out && exists(o.out)) {
			rb_plan_error(job, "%s exists: bounds files are never overwritten", o.out);
			goto put;
		}
		if (o.check && !is_file(o.check)) {
			rb_plan_error(job, "--check %s: no such file", o.check);
			goto put;
		}
		rb_plan_set_str(plan, "mode", "deterministic");
		rb_plan_set_int(s, "boots", boots);
		rb_plan_set_str(s, "factor", o.factor ? o.factor : "3");
		json_object_object_add(s, "across", json_object_new_boolean(o.across));
		if (o.check)
			rb_plan_set_str(s, "check", absolute(o.check, bounds, sizeof(bounds)));
		for (unsigned i = 0; i < o.nkernels; i++) {
			char kd[PATH_MAX], img[PATH_MAX + 16], label[16];
			struct json_object *k;

			snprintf(img, sizeof(img), "%s/bzImage", o.kernels[i]);
			if (!is_file(img) || !realpath(o.kernels[i], kd)) {
				rb_plan_error(job, "--kernel %s: no bzImage there (a kernels/build directory)", o.kernels[i]);
				goto put;
			}
			snprintf(label, sizeof(label), "%u", i);
			add_kernel(plan, job, label, "stock", NULL);
			k = rb_plan_kernel(plan, i);
			rb_plan_set_str(k, "spec", kd);
			rb_plan_set_str(k, "dir", kd);
			rb_plan_set_str(k, "status", "built");
		}
		if (!o.nkernels && add_kernel(plan, job, "0", "stock", NULL))
			goto put;
		if (o.out)
			absolute(o.out, out, sizeof(out));
		else	/* --check: the state lives in a directory of its own */
			snprintf(out, sizeof(out), "%s/rb-bounds-check.%d", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
				 (int)getpid());
	}
	rb_plan_set_str(s, "suite", suite);
	{
		const char *b = strrchr(suite, '/') + 1;
		char name[256];

		snprintf(name, sizeof(name), "%s", b);
		if (strstr(name, ".suite"))
			*strstr(name, ".suite") = '\0';
		rb_plan_set_str(s, "suite_name", name);
	}
	rb_plan_set_str(s, "out", out);
	rb_plan_set_str(plan, "id", strrchr(out, '/') + 1);
	snprintf(state, sizeof(state), "%s.plan", out);
	if (exists(state)) {
		rb_plan_error(job, "%s exists: a job stopped there; continue it with --resume %s (RESUME=)", state, out);
		goto put;
	}
	if (strcmp(job, "bounds") && exists(out)) {
		rb_plan_error(job, "%s exists; results are never overwritten", out);
		goto put;
	}
	{
		char parent[PATH_MAX];
		char *slash;

		snprintf(parent, sizeof(parent), "%s", out);
		if ((slash = strrchr(parent, '/')) && slash != parent) {
			*slash = '\0';
			if (mkdir_p(parent)) {
				rb_plan_error(job, "cannot create %s: %s", parent, strerror(errno));
				goto put;
			}
		}
	}
	if (mkdir(state, 0755)) {
		rb_plan_error(job, "cannot create %s: %s", state, strerror(errno));
		goto put;
	}
	rc = save_state(job, state, plan);
put:
	json_object_put(plan);
	return rc;
}
