/* SPDX-License-Identifier: GPL-2.0 */
/*
 * refbench run (cmd.c), and the options that say where the pmem is and
 * how to count, which refbench info (app/cli.c) takes too.
 */
#ifndef REFBENCH_RUN_CMD_H
#define REFBENCH_RUN_CMD_H

#include <getopt.h>
#include <stdbool.h>

#include "lib/refbench.h"

enum { RB_OPT_FSDAX = 1000, RB_OPT_DEVDAX, RB_OPT_DIO, RB_OPT_CLOCK, RB_OPT_COUNTERS,
       RB_OPT_ENV_END };

#define RB_ENV_LONGOPTS \
	{ "fsdax", required_argument, NULL, RB_OPT_FSDAX }, \
	{ "devdax", required_argument, NULL, RB_OPT_DEVDAX }, \
	{ "dio-target", required_argument, NULL, RB_OPT_DIO }, \
	{ "clock", required_argument, NULL, RB_OPT_CLOCK }, \
	{ "counters", required_argument, NULL, RB_OPT_COUNTERS }

/* One of RB_ENV_LONGOPTS into env (exits on a bad value); false for any
 * other option. */
bool rb_env_option(struct rb_env *env, int opt, const char *arg);

/* refbench run [--suite NAME|FILE | --case C ...] ...: see its --help */
int rb_cmd_run(int argc, char **argv);

/* refbench expect --suite NAME|FILE ...: the lab's ETA (expect.c) */
int rb_cmd_expect(int argc, char **argv);

#endif
