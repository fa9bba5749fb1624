// SPDX-License-Identifier: GPL-2.0
/*
 * refbench plan SUBCOMMAND: the one plan of every job of several lab boots
 * (plan.h, docs/plan.md). scripts/plan-run is its executor.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/plan/host.h"
#include "app/plan/lava.h"
#include "app/plan/plan.h"
#include "app/plan/state.h"
#include "lib/refbench.h"

static const char usage[] =
"usage: refbench plan SUBCOMMAND ...   (docs/plan.md; scripts/plan-run carries it out)\n"
"  init ab|series|bounds|host-ab --repo DIR [the job's options]   check them, write a\n"
"                 new plan (or --resume DIR: the plan of one that stopped);\n"
"                 prints its STATE directory (with --help: the job's usage)\n"
"  next STATE     the next step, one word per line: probe FILE | build LABEL\n"
"                 ARGS... | mailsplit MBOX DIR | size FILE LAB-ARGS... | wait S |\n"
"                 boots N LABEL... | look R ARGS... | code-diff DIR_A DIR_B FILE |\n"
"                 compare ARGS... | done RC OUT;\n"
"                 host-ab: evidence FILE | run LABEL RUN ARGS... | kexec LABEL|original\n"
"                 IMAGE CMDLINE INITRD | install RELEASE MODULES INITRD CONFIG |\n"
"                 uninstall RELEASE INITRD | compare ARGS... | end RC OUT | done RC OUT\n"
"  record STATE probe FILE | build LABEL RC DIR [ERRFILE] | mailsplit RC |\n"
"                 size RC FILE | waited S | boot LABEL RC [RUN] | look R RC |\n"
"                 code-diff RC FILE | compare RC; host-ab: booted [FILE] | boot LABEL RC |\n"
"                 kexec LABEL|original RC [ERRFILE] | install|uninstall RELEASE RC\n"
"                 [ERRFILE] | compare RC | ended\n"
"                 what a step gave\n"
"  argv STATE LABEL   the lab's arguments for boot LABEL, one per line\n"
"  room STATE     before each boot after a batch's first: wait until the\n"
"                 memory one boot needs is available (RB_PLAN_MEM_WAIT s at\n"
"                 most, default 600); exit 75 if it never is\n"
"  interrupted STATE  what a stop by signal leaves, and how to go on\n"
"  show STATE     one line per kernel and per boot\n"
"  build-args SPEC [KSRC]   kernels/build's arguments for a kernel SPEC (X.Y,\n"
"                 a tree, a tarball, a git ref of KSRC; +PATCHES), one per line\n"
"  patch-dir DIR VERSION   which directory holds VERSION's patches (a\n"
"                 per-version layout DIR/X.Y/), as kernels/build takes them\n"
"  lava-job, lava-log   a lab boot as a LAVA job, its run from the job's log\n"
"                 (docs/lava.md; --help each)\n"
"  host-lava STATE [--url-base URL]   a host-ab plan as LAVA jobs, one per boot\n"
"  watchdog [--sysfs DIR] | watchdog --keep S ...   the watchdog host-ab arms\n"
"                 (JSON), or arm and ping it (--help)\n";

static int argv_of(const char *state, const char *label)
{
	struct json_object *plan, *b;
	char err[RB_ERR_LEN];
	int lock = rb_plan_lock(state), rc;

	if (lock < 0)
		return rb_error(RB_EXIT_FAIL, "locking %s: %s", state, strerror(-lock));
	if (rb_plan_load(state, &plan, err, sizeof(err))) {
		close(lock);
		return rb_error(RB_EXIT_FAIL, "%s", err);
	}
	b = rb_plan_boot(plan, label, NULL);
	rc = b && !rb_plan_lab_argv(plan, b, stdout) ? 0 : rb_error(RB_EXIT_FAIL, "no boot %s (with a built kernel) in %s",
								   label, state);
	json_object_put(plan);
	close(lock);
	return rc;
}

/* The batch's size was decided from the memory free when it began; other
 * jobs' boots come and go while it runs, so each later boot asks again. */
static int room(const char *state)
{
	struct json_object *plan;
	char err[RB_ERR_LEN];
	long need, waited = 0, free_mib;
	long wait_max = rb_plan_mem_wait_s();

	if (rb_plan_load(state, &plan, err, sizeof(err)))
		return rb_error(RB_EXIT_FAIL, "%s", err);
	need = rb_plan_int(plan, "need_mib", 0);
	json_object_put(plan);
	if (!need || rb_plan_boots_elsewhere())
		return 0;	/* timed boots run one at a time; a LAVA worker's memory is not ours */
	while ((free_mib = rb_plan_mem_available_mib()) < need) {
		if (waited >= wait_max) {
			fprintf(stderr, "refbench plan: not booted: one boot needs %ld MiB, %ld MiB are available "
				"after %lds (other jobs' boots?); the plan keeps it pending for a resume\n",
				need, free_mib, waited);
			return 75;
		}
		if (!waited)
			fprintf(stderr, "refbench plan: waiting for memory before the next boot: one needs %ld MiB, "
				"%ld MiB are available (at most %lds)\n", need, free_mib, wait_max);
		sleep(5);
		waited += 5;
	}
	return 0;
}

static int show(const char *state, bool interrupted)
{
	struct json_object *plan;
	char err[RB_ERR_LEN];
	size_t done = 0, n;

	if (rb_plan_load(state, &plan, err, sizeof(err)))
		return rb_error(RB_EXIT_FAIL, "%s", err);
	if (!strcmp(rb_json_get_str(plan, "job"), "host-ab") && !interrupted) {
		rb_plan_host_show(stdout, plan);
		json_object_put(plan);
		return 0;
	}
	n = json_object_array_length(rb_plan_get(plan, "boots"));
	for (size_t i = 0; i < n; i++) {
		struct json_object *b = json_object_array_get_idx(rb_plan_get(plan, "boots"), i);

		done += !strcmp(rb_json_get_str(b, "status"), "done");
		if (!interrupted)
			printf("boot %-6s kernel %-3ld %-8s %s\n", rb_json_get_str(b, "label"), rb_plan_int(b, "kernel", 0),
			       rb_json_get_str(b, "status"), rb_json_get_str(b, "run") ? rb_json_get_str(b, "run") : "");
	}
	if (interrupted) {
		char how[4200];

		rb_plan_say(plan, "stopped: the %zu boot(s) done so far are kept in %s; %s continues", done, state,
			    rb_plan_resume_cmd(rb_json_get_str(plan, "job"),
					       rb_json_get_str(rb_plan_get(plan, "settings"), "out"), how, sizeof(how)));
	} else {
		for (size_t i = 0; rb_plan_kernel(plan, i); i++) {
			struct json_object *k = rb_plan_kernel(plan, i);

			printf("kernel %-3s %-8s %s\n", rb_json_get_str(k, "label"), rb_json_get_str(k, "status"),
			       rb_json_get_str(k, "dir") ? rb_json_get_str(k, "dir") : rb_json_get_str(k, "spec"));
		}
		printf("%zu of %zu boots done\n", done, n);
	}
	json_object_put(plan);
	return 0;
}

int rb_cmd_plan(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;

	if (!sub || !strcmp(sub, "-h") || !strcmp(sub, "--help")) {
		fputs(usage, sub ? stdout : stderr);
		return sub ? 0 : RB_EXIT_USAGE;
	}
	if (!strcmp(sub, "init") && argc >= 3 && !strcmp(argv[2], "host-ab"))
		return rb_plan_host_init(argc - 2, argv + 2);
	if (!strcmp(sub, "init") && argc >= 3)
		return rb_plan_init(argv[2], argc - 2, argv + 2);
	if (!strcmp(sub, "next") && argc == 3)
		return rb_plan_next(argv[2]);
	if (!strcmp(sub, "record") && argc >= 4)
		return rb_plan_record(argv[2], argv[3], argc - 4, argv + 4);
	if (!strcmp(sub, "argv") && argc == 4)
		return argv_of(argv[2], argv[3]);
	if (!strcmp(sub, "room") && argc == 3)
		return room(argv[2]);
	if ((!strcmp(sub, "show") || !strcmp(sub, "interrupted")) && argc == 3)
		return show(argv[2], !strcmp(sub, "interrupted"));
	if (!strcmp(sub, "host-lava"))
		return rb_plan_host_lava(argc - 1, argv + 1);
	if (!strcmp(sub, "watchdog"))
		return rb_cmd_watchdog(argc - 1, argv + 1);
	if (!strcmp(sub, "lava-job") || !strcmp(sub, "lava-log"))
		return rb_plan_lava(argc - 1, argv + 1);
	if (!strcmp(sub, "build-args") && (argc == 3 || argc == 4)) {
		char *args[16], err[RB_ERR_LEN];

		if (rb_plan_build_args(argv[2], argc == 4 ? argv[3] : NULL, args, 16, err, sizeof(err)))
			return rb_error(RB_EXIT_USAGE, "%s", err);
		for (char **a = args; *a; a++) {
			printf("%s\n", *a);
			free(*a);
		}
		return 0;
	}
	if (!strcmp(sub, "patch-dir") && argc == 4) {
		char dir[4096], err[RB_ERR_LEN];

		if (!rb_plan_patch_dir(argv[2], argv[3], dir, sizeof(dir), err, sizeof(err)))
			return rb_error(RB_EXIT_FAIL, "--patches %s", err);
		printf("%s\n", dir);
		return 0;
	}
	fputs(usage, stderr);
	return RB_EXIT_USAGE;
}
