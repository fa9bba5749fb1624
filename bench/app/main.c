// SPDX-License-Identifier: GPL-2.0
/* refbench: benchmarks for the kernel's page-refcount hot paths. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "app/cli.h"
#include "app/compare/bounds.h"
#include "app/compare/compare.h"
#include "app/hwcheck.h"
#include "app/plan/plan.h"
#include "app/run/cmd.h"
#include "app/rundir/read.h"
#include "app/rundir/rundir.h"
#include "app/walk/walk.h"
#include "lib/refbench.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "run", rb_cmd_run, "run a suite or one case; writes results/<run-id>/" },
	{ "list", rb_cmd_list, "list cases, their kinds and parameters" },
	{ "info", rb_cmd_info, "what this machine can run, and what is missing" },
	{ "compare", rb_cmd_compare, "A/B statistics and report of two sets of runs" },
	{ "series", rb_cmd_series, "what each patch of a series changed: one table of the steps" },
	{ "bounds", rb_cmd_bounds, "A/A bounds for deterministic mode: measure or --check" },
	{ "validate", rb_cmd_validate, "check a run against the schema and its checksums" },
	{ "plan", rb_cmd_plan, "the plan of an A/B, a series walk, a bounds run or a host kexec A/B" },
	{ "hwcheck", rb_cmd_hwcheck, "what this machine offers for measuring (scripts/hwcheck)" },
	{ "icount-vs-hw", rb_cmd_icount_vs_hw, "a lab run's icount beside a host run's hardware counts" },
	{ "expect", rb_cmd_expect, "how far into a suite each point should end (the lab's ETA)" },
	{ "mark", rb_cmd_mark, "mark a run failed or interrupted (the lab's failure path)" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: refbench COMMAND [options]   (refbench COMMAND --help)\n\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\nrefbench %s\n", RB_GIT_SHA);
}

int main(int argc, char **argv)
{
	/* a file-size limit (ulimit -f) must reach the writer as EFBIG, which
	 * fails the write like ENOSPC and leaves what was written before
	 * intact, not kill the process with nothing said and a temp file left */
	signal(SIGXFSZ, SIG_IGN);
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? RB_EXIT_USAGE : RB_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("refbench %s\n", RB_GIT_SHA);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name)) {
			int rc = commands[i].fn(argc - 1, argv + 1);

			/* what scripts read (the run directory) must not be lost either */
			if (fflush(stdout) || ferror(stdout)) {
				fprintf(stderr, "refbench: error: writing to stdout: %s\n", strerror(errno));
				return rc ? rc : RB_EXIT_FAIL;
			}
			return rc;
		}
	fprintf(stderr, "refbench: error: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return RB_EXIT_USAGE;
}
