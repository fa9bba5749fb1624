/* SPDX-License-Identifier: GPL-2.0 */
/* The commands of app/cli.c; the others are declared beside their files
 * (run/cmd.h, rundir/, compare/), and main.c lists them all. */
#ifndef REFBENCH_CLI_H
#define REFBENCH_CLI_H

int rb_cmd_list(int argc, char **argv);
int rb_cmd_info(int argc, char **argv);

#endif
