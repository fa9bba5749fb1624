/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the running system offers, read in one place: /proc/cpuinfo, the
 * kernel config, THP, debugfs, /proc/vmstat and small sysfs/procfs files.
 * `refbench info`, the case probes, the memory kinds and provenance all
 * ask here.
 */
#ifndef REFBENCH_SYSFACTS_H
#define REFBENCH_SYSFACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A small file's text without its trailing newlines: 0 or -errno. */
int rb_read_text(const char *path, char *buf, size_t n);
/* The same, malloc'ed (up to max bytes); NULL when unreadable. */
char *rb_read_file(const char *path, size_t max);

/* A field of the first CPU in /proc/cpuinfo ("flags", "model name"),
 * malloc'ed; NULL when absent. */
char *rb_cpuinfo_field(const char *field);
/* Is flag one of the CPU's flags ("pdpe1gb", "la57", "hypervisor")? */
bool rb_cpu_has(const char *flag);

/* The THP mode the kernel uses ("always", "madvise", "never"): 0, or
 * -errno when it has no THP (CONFIG_TRANSPARENT_HUGEPAGE off). */
int rb_thp_mode(char *mode, size_t n);

/* A /proc/vmstat counter; -ENOENT if this kernel lacks it. Writes
 * /proc/sys/vm/stat_refresh first when it can (*exact), so per-cpu
 * deltas are folded in. */
int rb_vmstat_read(const char *key, uint64_t *val, bool *exact);

/* 'y', 'm', 'n' (CONFIG_ prefix optional), or 0 when no config is readable. */
int rb_kconfig_opt(const char *sym);
/* 1: debugfs is mounted on /sys/kernel/debug, 0: it is not, -1: cannot tell. */
int rb_debugfs_mounted(void);
/* For a debugfs file the kernel creates when CONFIG_<sym> is on: fills why
 * with the fix (mount debugfs, or enable the option) and returns false. */
bool rb_debugfs_feature(const char *path, const char *sym, char *why, size_t n);

#endif
