/* SPDX-License-Identifier: GPL-2.0 */
/*
 * refbench hwcheck: what a machine offers for measuring with hardware
 * counters, in one screen (scripts/hwcheck gathers the inputs: the accel
 * probe, ndctl/daxctl, a host-mode run). refbench icount-vs-hw: a lab
 * run's instruction counts beside a host run's hardware counts.
 */
#ifndef REFBENCH_HWCHECK_H
#define REFBENCH_HWCHECK_H

int rb_cmd_hwcheck(int argc, char **argv);
int rb_cmd_icount_vs_hw(int argc, char **argv);

#endif
