/* SPDX-License-Identifier: GPL-2.0 */
/* refbench plan lava-job / lava-log (lava.c, docs/lava.md) */
#ifndef REFBENCH_PLAN_LAVA_H
#define REFBENCH_PLAN_LAVA_H

/* argv[0] is "lava-job" or "lava-log" */
int rb_plan_lava(int argc, char **argv);

#endif
