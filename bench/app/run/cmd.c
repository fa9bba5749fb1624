// SPDX-License-Identifier: GPL-2.0
/* refbench run: a suite (or one case) measured into a new run directory. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/run/cmd.h"
#include "app/run/provenance.h"
#include "app/run/resume.h"
#include "app/run/runner.h"
#include "app/run/suite.h"
#include "app/rundir/rundir.h"
#include "lib/counters.h"
#include "lib/digest.h"
#include "lib/icount.h"
#include "lib/selfcheck.h"
#include "mem/mem.h"

enum { OPT_CPU = RB_OPT_ENV_END, OPT_LAB, OPT_KCONFIG, OPT_ACCEL, OPT_REPEAT, OPT_WARMUP,
       OPT_RESUME, OPT_BOOT_ARGS };

bool rb_env_option(struct rb_env *env, int opt, const char *arg)
{
	switch (opt) {
	case RB_OPT_FSDAX: env->fsdax_dir = arg; return true;
	case RB_OPT_DEVDAX:
		if (env->n_devdax == RB_MAX_DEVDAX)
			rb_die_usage("at most %d --devdax", RB_MAX_DEVDAX);
		env->devdax[env->n_devdax++] = arg;
		return true;
	case RB_OPT_DIO: env->dio_target = arg; return true;
	case RB_OPT_CLOCK:
		if (!strcmp(arg, "ns")) env->clock = RB_CLOCK_NS;
		else if (!strcmp(arg, "icount")) env->clock = RB_CLOCK_ICOUNT;
		else rb_die_usage("--clock %s: use ns or icount (icount: deterministic lab mode, "
				  "guest ns = instructions)", arg);
		return true;
	case RB_OPT_COUNTERS:
		if ((env->counters_mode = rb_ctr_mode_parse(arg)) < 0)
			rb_die_usage("--counters %s: use auto, hw, sw or off", arg);
		return true;
	}
	return false;
}

/* Bad pmem paths are errors whatever the suite uses. */
static void validate_env(const struct rb_env *env)
{
	char err[512];

	if (env->fsdax_dir && rb_mem_validate(RB_KIND_FSDAX_PTE, env, 4096, err, sizeof(err)) == RB_ERR)
		rb_die_usage("%s", err);
	for (unsigned i = 0; i < env->n_devdax; i++)
		if (!rb_devdax_align(env->devdax[i], err, sizeof(err)))
			rb_die_usage("%s", err);
}

static const char run_usage[] =
"usage: refbench run [--suite NAME|FILE | --case C [--kind K]... [-p key=value]...]\n"
"                    [-o DIR] [--resume DIR] [--fsdax DIR] [--devdax /dev/daxX.Y]...\n"
"                    [--dio-target PATH] [--repeat N] [--warmup N] [--cpu N]\n"
"                    [--clock ns|icount] [--counters auto|hw|sw|off]\n"
"                    [--kernel-config FILE|BUILD_DIR] [--lab lab.json] [--accel NAME]\n"
"                    [--quiet] [--dry-run [--boot-args]]\n"
"\n"
"Runs every point of the suite (case x kind x parameter sweep) and writes\n"
"DIR/meta.json (provenance) and DIR/samples.jsonl (one record per sample).\n"
"DIR defaults to results/<run-id>; an existing run is never overwritten.\n"
"--resume DIR: a new run that reuses DIR's verified, measured points and\n"
"runs the rest (the suite is DIR's unless given; it must be the same).\n"
"--dry-run --boot-args: print only the kernel command-line arguments that\n"
"reserve at boot what the plan needs (huge pages), e.g. for a lab guest.\n"
"SIGINT, SIGTERM, SIGHUP: the run closes as interrupted (exit 130, 143, 129)\n"
"with every finished point kept; a second signal exits at once.\n"
"Suites: configs/suites/*.suite. Kinds (or all, baseline, dax):\n";

static void run_help(FILE *f)
{
	char kinds[256];

	fprintf(f, "%s  %s\n", run_usage, rb_kind_names(kinds, sizeof(kinds)));
}

/* "0-3,5,8-9" (sysfs cpu lists) holds cpu? */
static bool cpu_in_list(const char *list, long cpu)
{
	const char *p = list;

	while (*p) {
		char *end;
		long a = strtol(p, &end, 10), b = a;

		if (end == p)
			return false;
		if (*end == '-')
			b = strtol(end + 1, &end, 10);
		if (cpu >= a && cpu <= b)
			return true;
		p = end + (*end == ',');
		if (*end != ',')
			break;
	}
	return false;
}

/* --cpu N: a number, an online CPU, and one this process may run on. */
static int parse_cpu(const char *arg)
{
	char online[256] = "", *end;
	long cpu = strtol(arg, &end, 10);
	FILE *f = fopen("/sys/devices/system/cpu/online", "re");
	cpu_set_t set;

	if (f) {
		if (!fgets(online, sizeof(online), f))
			online[0] = '\0';
		fclose(f);
	}
	online[strcspn(online, "\n")] = '\0';
	if (end == arg || *end || cpu < 0 || cpu >= CPU_SETSIZE)
		rb_die_usage("--cpu %s: not a CPU number (online: %s)", arg, online[0] ? online : "?");
	if (online[0] && !cpu_in_list(online, cpu))
		rb_die_usage("--cpu %ld: CPU %ld is not online (online: %s)", cpu, cpu, online);
	if (!sched_getaffinity(0, sizeof(set), &set) && !CPU_ISSET(cpu, &set))
		rb_die_usage("--cpu %ld: this process may not run on CPU %ld (its affinity mask "
			     "excludes it: taskset, cgroup cpuset)", cpu, cpu);
	return (int)cpu;
}

/* --repeat/--warmup N: a decimal count in range, said in those words */
static const char *count_arg(const char *opt, const char *arg, unsigned lo)
{
	size_t len = strspn(arg, "0123456789");
	unsigned long v = strtoul(arg, NULL, 10);

	if (!len || arg[len] || (arg[0] == '0' && len > 1) || len > 6 || v < lo || v > RB_MAX_REPEAT)
		rb_die_usage("%s %s: give a decimal number from %u to %u", opt, arg, lo, RB_MAX_REPEAT);
	return arg;
}

/* The repeat/warmup counts of the command line replace the suite's. */
static void apply_overrides(struct rb_suite *suite, const char *repeat, const char *warmup)
{
	for (unsigned i = 0; i < suite->n; i++)
		for (const char *const *k = (const char *const[]){ "repeat", "warmup", NULL }; *k; k++) {
			const char *v = !strcmp(*k, "repeat") ? repeat : warmup;
			struct rb_suite_entry *e = &suite->e[i];
			unsigned j;
			if (!v)
				continue;
			for (j = 0; j < e->n_keys && strcmp(e->sweep[j].key, *k); j++)
				;
			if (j == e->n_keys) {
				if (j == RB_MAX_PARAMS)
					rb_die_usage("suite line %u has too many parameters", e->line);
				e->n_keys++;
			}
			rb_strlcpy(e->sweep[j].key, *k, sizeof(e->sweep[j].key));
			rb_strlcpy(e->sweep[j].vals, v, sizeof(e->sweep[j].vals));
		}
}

static struct json_object *suite_json(const struct rb_suite *suite, unsigned points,
				      const char *repeat, const char *warmup)
{
	struct json_object *sj = json_object_new_object(), *ov = json_object_new_object();

	json_object_object_add(sj, "name", json_object_new_string(suite->name));
	json_object_object_add(sj, "path", suite->path[0] ? json_object_new_string(suite->path) : NULL);
	json_object_object_add(sj, "sha256", suite->sha256[0] ? json_object_new_string(suite->sha256) : NULL);
	json_object_object_add(sj, "text", json_object_new_string(suite->text ? suite->text : ""));
	json_object_object_add(sj, "points", json_object_new_int((int)points));
	/* --repeat/--warmup: what resume needs to rebuild the same plan */
	json_object_object_add(ov, "repeat", repeat ? json_object_new_string(repeat) : NULL);
	json_object_object_add(ov, "warmup", warmup ? json_object_new_string(warmup) : NULL);
	json_object_object_add(sj, "overrides", ov);
	return sj;
}

static struct json_object *selfcheck_json(const struct rb_selfcheck *sc)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "ran", json_object_new_boolean(sc->ran));
	if (!sc->ran) {
		json_object_object_add(o, "skipped", json_object_new_string(sc->skipped));
		return o;
	}
	json_object_object_add(o, "verdict", json_object_new_string(sc->verdict));
	json_object_object_add(o, "loop_instructions", json_object_new_int64((int64_t)sc->expected));
	json_object_object_add(o, "user_instructions", json_object_new_double(sc->user_insn));
	json_object_object_add(o, "kernel_instructions", json_object_new_double(sc->kernel_insn));
	json_object_object_add(o, "error", json_object_new_double(sc->error));
	json_object_object_add(o, "counting", json_object_new_boolean(sc->counting));
	json_object_object_add(o, "kernel_only", json_object_new_boolean(sc->kernel_only));
	json_object_object_add(o, "multiplexed", json_object_new_boolean(sc->multiplexed));
	json_object_object_add(o, "least_running", json_object_new_double(sc->least_running));
	json_object_object_add(o, "least_running_event", sc->least_running_event ?
			       json_object_new_string(sc->least_running_event) : NULL);
	return o;
}

static struct json_object *counters_json(const struct rb_env *env, const struct rb_counters *ctr,
					 const struct rb_selfcheck *sc)
{
	struct json_object *cj = json_object_new_object(), *ev = json_object_new_array();

	json_object_object_add(cj, "mode", json_object_new_string(rb_ctr_mode_name(env->counters_mode)));
	json_object_object_add(cj, "source", json_object_new_string(rb_ctr_source_name(ctr->source)));
	json_object_object_add(cj, "fallback", ctr->fallback[0] ? json_object_new_string(ctr->fallback) : NULL);
	for (unsigned i = 0; i < ctr->n; i++)
		json_object_array_add(ev, json_object_new_string(ctr->defs[i]->name));
	json_object_object_add(cj, "events", ev);
	json_object_object_add(cj, "selfcheck", selfcheck_json(sc));
	return cj;
}

static const char *signame(int sig)
{
	return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : sig == SIGHUP ? "SIGHUP" : "a signal";
}

/* Closes the run from how it went; returns the exit status. */
static int close_run(struct rb_run *run, const struct rb_runner_result *res, bool progress)
{
	char reason[RB_ERR_LEN], err[RB_ERR_LEN];
	const char *status = "complete";
	int rc = RB_EXIT_OK;

	reason[0] = '\0';
	if (res->write_err) {
		status = "failed";
		snprintf(reason, sizeof(reason), "%s", res->why);
		rc = RB_EXIT_FAIL;
	} else if (res->signal && res->why[0]) {
		status = "interrupted";
		snprintf(reason, sizeof(reason), "interrupted by %s %s", signame(res->signal), res->why);
		rc = 128 + res->signal;
	} else if (res->point_errors) {
		status = "failed";
		snprintf(reason, sizeof(reason), "one or more points failed with an error (type \"error\" "
			 "in samples.jsonl)");
		rc = RB_EXIT_FAIL;
	} else if (res->signal) {
		rb_warn("%s arrived after the last point: the run is complete", signame(res->signal));
	}
	if (rb_run_finish(run, status, reason[0] ? reason : NULL, err, sizeof(err))) {
		fprintf(stderr, "refbench: error: %s%s%s\n", err, reason[0] ? "; the run had: " : "", reason);
		return RB_EXIT_FAIL;
	}
	if (progress || rc)
		fprintf(stderr, "refbench: %s: %u samples, %u rejected, %u skipped, %u unsupported, "
			"%u errors (%u records of %u points kept)\n", status, run->done.samples,
			run->done.rejected, run->done.skipped, run->done.unsupported, run->done.errors,
			run->records, run->points);
	if (reason[0])
		fprintf(stderr, "refbench: %s: %s\n", status, reason);
	return rc;
}

/* What refbench run was told to run: a suite, one case, or the resumed run's. */
struct run_choice {
	const char *suite_name, *case_name, *resume_dir;
	const char *repeat, *warmup;	/* --repeat/--warmup; NULL: the suite's */
	char kinds[256], params[1024];	/* --kind K,K; --param " k=v k=v" */
};

/* The suite of the choice into suite (exits on bad input); a->repeat and
 * a->warmup become the overrides that apply to it. */
static void choose_suite(struct run_choice *a, struct rb_resume *rs, struct rb_suite *suite)
{
	char err[RB_ERR_LEN], line[1400];

	if (a->suite_name) {
		if (a->kinds[0] || a->params[0])
			rb_die_usage("--kind and --param go with --case, not --suite");
		if (rb_suite_load(a->suite_name, suite, err, sizeof(err)))
			rb_die_usage("%s", err);
	} else if (a->case_name) {
		snprintf(line, sizeof(line), "%s %s%s%s%s%s%s", a->case_name, a->kinds[0] ? a->kinds : "all",
			 a->params, a->repeat ? " repeat=" : "", a->repeat ? a->repeat : "",
			 a->warmup ? " warmup=" : "", a->warmup ? a->warmup : "");
		if (rb_suite_add_entry(suite, line, "command line", err, sizeof(err)))
			rb_die_usage("%s", err);
		rb_strlcpy(suite->name, "(command line)", sizeof(suite->name));
		suite->text = strdup(line);
		a->repeat = a->warmup = NULL;
	} else {
		/* the resumed run's suite, as it ran */
		if (a->kinds[0] || a->params[0])
			rb_die_usage("--kind and --param go with --case");
		if (rb_suite_parse(rb_resume_suite_text(rs), "the resumed run's suite", suite, err, sizeof(err)))
			rb_die_usage("--resume %s: %s", a->resume_dir, err);
		suite->text = strdup(rb_resume_suite_text(rs));
		rb_strlcpy(suite->name, rb_resume_suite_name(rs) ? rb_resume_suite_name(rs) : "",
			   sizeof(suite->name));
		rb_sha256_buf(suite->text, strlen(suite->text), suite->sha256);
		if (!strcmp(suite->name, "(command line)"))
			suite->sha256[0] = '\0';
		if (!a->repeat && !a->warmup) {
			a->repeat = rb_resume_override(rs, "repeat");
			a->warmup = rb_resume_override(rs, "warmup");
		}
	}
}

/* --dry-run: every input checked; show the points, write nothing. */
static void dry_run(const struct rb_plan *plan, const struct rb_resume *rs)
{
	for (unsigned i = 0; i < plan->n; i++) {
		const struct rb_point *pt = &plan->p[i].pt;
		printf("%s %s", pt->c->name, rb_kind_name(pt->kind));
		for (unsigned k = 0; k < pt->params.n; k++)
			printf(" %s=%s", pt->params.kv[k].key, pt->params.kv[k].val);
		printf(" repeat=%u warmup=%u%s\n", plan->p[i].repeat, plan->p[i].warmup,
		       plan->p[i].reuse ? " (reused)" : "");
	}
	if (rs)
		fprintf(stderr, "refbench: %u points, %u reused; dry run, nothing written\n",
			plan->n, rs->reused);
	else
		fprintf(stderr, "refbench: %u points; dry run, nothing written\n", plan->n);
}

int rb_cmd_run(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "suite", required_argument, NULL, 's' },
		{ "case", required_argument, NULL, 'c' },
		{ "kind", required_argument, NULL, 'k' },
		{ "param", required_argument, NULL, 'p' },
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "cpu", required_argument, NULL, OPT_CPU },
		{ "lab", required_argument, NULL, OPT_LAB },
		{ "kernel-config", required_argument, NULL, OPT_KCONFIG },
		{ "accel", required_argument, NULL, OPT_ACCEL },
		{ "repeat", required_argument, NULL, OPT_REPEAT },
		{ "warmup", required_argument, NULL, OPT_WARMUP },
		{ "resume", required_argument, NULL, OPT_RESUME },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "boot-args", no_argument, NULL, OPT_BOOT_ARGS },
		RB_ENV_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct rb_env env = { .counters_mode = RB_CTR_AUTO };
	struct rb_prov_opts prov = { .argc = argc, .argv = argv };
	struct run_choice ch = { .suite_name = NULL };
	const char *outdir = NULL, *resume_dir, *repeat, *warmup;
	char err[RB_ERR_LEN], outbuf[PATH_MAX], line[1400];
	struct rb_runner_opts ro = { .env = &env, .progress = true };
	struct rb_runner_result res;
	struct rb_suite suite = { .n = 0 };
	struct rb_resume rs = { .meta = NULL };
	struct rb_counters ctr;
	struct rb_selfcheck sc;
	struct rb_plan plan;
	struct rb_run run;
	struct rb_icount_proof icp = { .ok = false };
	struct json_object *meta;
	int opt, rc, cpu = -1;
	bool dry = false, boot_args = false;

	while ((opt = getopt_long(argc, argv, "s:c:k:p:o:qhn", lo, NULL)) != -1) {
		if (rb_env_option(&env, opt, optarg))
			continue;
		switch (opt) {
		case 's': ch.suite_name = optarg; break;
		case 'c': ch.case_name = optarg; break;
		case 'k':
			if (strlen(ch.kinds) + strlen(optarg) + 2 >= sizeof(ch.kinds))
				rb_die_usage("too many --kind");
			if (ch.kinds[0])
				strcat(ch.kinds, ",");
			strcat(ch.kinds, optarg);
			break;
		case 'p':
			if (strlen(ch.params) + strlen(optarg) + 2 >= sizeof(ch.params))
				rb_die_usage("too many --param");
			strcat(ch.params, " ");
			strcat(ch.params, optarg);
			break;
		case 'o': outdir = optarg; break;
		case 'q': ro.progress = false; break;
		case 'n': dry = true; break;
		case OPT_CPU: cpu = parse_cpu(optarg); break;
		case OPT_LAB: prov.lab_json = optarg; break;
		case OPT_KCONFIG: prov.kconfig = optarg; break;
		case OPT_ACCEL: prov.accel = optarg; break;
		case OPT_REPEAT: ch.repeat = count_arg("--repeat", optarg, 1); break;
		case OPT_WARMUP: ch.warmup = count_arg("--warmup", optarg, 0); break;
		case OPT_RESUME: ch.resume_dir = optarg; break;
		case OPT_BOOT_ARGS: boot_args = true; break;
		case 'h': run_help(stdout); return 0;
		default: run_help(stderr); return RB_EXIT_USAGE;
		}
	}
	if (optind < argc)
		rb_die_usage("unexpected argument '%s' (see refbench run --help)", argv[optind]);
	resume_dir = ch.resume_dir;
	if (ch.suite_name && ch.case_name)
		rb_die_usage("give either --suite NAME or --case NAME (see refbench run --help)");
	if (resume_dir && rb_resume_open(resume_dir, &rs, err, sizeof(err)))
		rb_die_usage("%s", err);
	if (!ch.suite_name && !ch.case_name && !resume_dir)
		rb_die_usage("give either --suite NAME or --case NAME (see refbench run --help)");
	choose_suite(&ch, &rs, &suite);
	repeat = ch.repeat;
	warmup = ch.warmup;
	apply_overrides(&suite, repeat, warmup);
	validate_env(&env);
	/* a clock is labelled icount only when it is seen to count instructions */
	if (env.clock == RB_CLOCK_ICOUNT && !rb_icount_prove(&icp))
		rb_die_usage("--clock icount: this clock does not count instructions: %s. icount exists "
			     "only in deterministic mode, a QEMU TCG guest under -icount shift=0,sleep=off "
			     "(scripts/lab --mode deterministic, make ab MODE=deterministic); elsewhere "
			     "use --clock ns", icp.why);
	if (boot_args && !dry)
		rb_die_usage("--boot-args goes with --dry-run: it prints what a boot must reserve");
	if (rb_plan_build(&suite, &env, &plan, err, sizeof(err)))
		rb_die_usage("%s", err);
	if (boot_args) {
		printf("%s\n", rb_plan_boot_args(&plan, line, sizeof(line)));
		rb_resume_close(&rs);
		rb_plan_free(&plan);
		rb_suite_free(&suite);
		return 0;
	}
	if (rb_plan_preflight(&plan, err, sizeof(err)))
		rb_die_usage("%s", err);

	rb_counters_open(&ctr, env.counters_mode, NULL);
	if (env.counters_mode == RB_CTR_HW && ctr.source != RB_SRC_HW)
		rb_die_usage("--counters hw: %s", ctr.fallback);
	meta = rb_provenance(&env, &prov, err, sizeof(err));
	if (!meta)
		rb_die_usage("%s", err);
	/* hardware events say here whether they can be trusted (lib/selfcheck.h) */
	rb_selfcheck_run(&ctr, &sc);
	if (sc.ran)
		fprintf(stderr, "refbench: counters self-check: %s (loop of %llu instructions: %.0f "
			"user, %.0f kernel; %s)\n", sc.verdict, (unsigned long long)sc.expected,
			sc.user_insn, sc.kernel_insn, sc.multiplexed ? "multiplexed: values are scaled" :
			"not multiplexed");
	json_object_object_add(meta, "counters", counters_json(&env, &ctr, &sc));
	if (icp.ok)
		json_object_object_add(meta, "clock_proof", json_object_new_string(icp.why));
	json_object_object_add(meta, "suite", suite_json(&suite, plan.n, repeat, warmup));
	if (resume_dir) {
		if (rb_resume_check(&rs, meta, err, sizeof(err)))
			rb_die_usage("--resume %s: %s", resume_dir, err);
		if (rb_resume_attach(&rs, &plan, meta, err, sizeof(err)))
			rb_die_usage("%s", err);
	}
	if (dry) {
		dry_run(&plan, resume_dir ? &rs : NULL);
		json_object_put(meta);
		rb_counters_close(&ctr);
		rb_resume_close(&rs);
		rb_plan_free(&plan);
		rb_suite_free(&suite);
		return 0;
	}
	if (!outdir) {
		char host[64] = "host";

		gethostname(host, sizeof(host) - 1);
		host[strcspn(host, ".")] = '\0';
		outdir = rb_default_output(host, "the run", outbuf, sizeof(outbuf));
	}
	if (rb_run_check_dir(outdir, err, sizeof(err)))
		rb_die_usage("%s", err);
	/* the measuring thread is this one; pinned before anything is written */
	if (cpu >= 0 && rb_pin_cpu(cpu))
		rb_die_usage("--cpu %d: cannot pin to it: %s", cpu, strerror(errno));

	rb_runner_catch_signals();
	if ((rc = rb_run_create(&run, outdir, meta, err, sizeof(err)))) {
		/* another run there: choose another -o; anything else failed writing */
		if (rc == -EEXIST || rc == -EWOULDBLOCK || rc == -ENOTDIR)
			rb_die_usage("%s", err);
		fprintf(stderr, "refbench: error: %s\n", err);
		return RB_EXIT_FAIL;
	}
	if (ro.progress)
		fprintf(stderr, "refbench: %u points -> %s (counters: %s%s%s)\n", plan.n, outdir,
			rb_ctr_source_name(ctr.source), ctr.fallback[0] ? "; " : "", ctr.fallback);
	if (ro.progress && resume_dir)
		fprintf(stderr, "refbench: resuming %s: %u of %u points reused (%u records)\n", rs.dir,
			rs.reused, plan.n, rs.records_reused);
	env.prov = json_object_new_object();
	rb_runner_run(&plan, &run, &ctr, &ro, &res);
	json_object_object_foreach((struct json_object *)env.prov, sec, val)
		json_object_object_add(meta, sec, json_object_get(val));
	json_object_put(env.prov);
	env.prov = NULL;
	rc = close_run(&run, &res, ro.progress);
	printf("%s\n", outdir);
	rb_run_free(&run);
	json_object_put(meta);
	rb_counters_close(&ctr);
	rb_resume_close(&rs);
	rb_plan_free(&plan);
	rb_suite_free(&suite);
	return rc;
}
