/* SPDX-License-Identifier: GPL-2.0 */
#ifndef REFBENCH_CLI_H
#define REFBENCH_CLI_H

int rb_cmd_list(int argc, char **argv);
int rb_cmd_info(int argc, char **argv);
int rb_cmd_run(int argc, char **argv);
int rb_cmd_validate(int argc, char **argv);
int rb_cmd_mark(int argc, char **argv);
int rb_cmd_compare(int argc, char **argv);
int rb_cmd_bounds(int argc, char **argv);

#endif
