/* SPDX-License-Identifier: GPL-2.0 */
/* What the running kernel offers, for `refbench info` and case probes. */
#ifndef REFBENCH_SYSFACTS_H
#define REFBENCH_SYSFACTS_H

#include <stdbool.h>
#include <stddef.h>

/* 'y', 'm', 'n' (CONFIG_ prefix optional), or 0 when no config is readable. */
int rb_kconfig_opt(const char *sym);
/* 1: debugfs is mounted on /sys/kernel/debug, 0: it is not, -1: cannot tell. */
int rb_debugfs_mounted(void);
/* For a debugfs file the kernel creates when CONFIG_<sym> is on: fills why
 * with the fix (mount debugfs, or enable the option) and returns false. */
bool rb_debugfs_feature(const char *path, const char *sym, char *why, size_t n);

#endif
