/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The booted kernel's model where it changes what a hot path costs: the
 * paging depth (a 5-level walk has one more level in every GUP-fast and
 * fault), the preemption model (preempt_count and resched checks), and
 * NR_CPUS (cpumask sizes; split page-table locks need >= 4). Pure rules
 * over text the caller read (config, cmdline, debugfs), so tests can feed
 * them; meta.json's kernel.{pgtable_levels,preempt,nr_cpus} come from here.
 */
#ifndef REFBENCH_KABI_KMODEL_H
#define REFBENCH_KABI_KMODEL_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Page-table levels as booted. x86-64 clears la57 from the CPU flags unless
 * it runs 5 levels (no5lvl, no CPU support, or not compiled in), so the
 * flag decides; CONFIG_PGTABLE_LEVELS (config may be NULL) bounds it.
 * why says what decided.
 */
int rb_kmodel_pgtable_levels(const char *config, bool cpu_la57, char *why, size_t n);

/*
 * The preemption model: "none", "voluntary", "full", "lazy", "rt", or with
 * PREEMPT_DYNAMIC "dynamic(<mode>)". sched_preempt is the text of
 * /sys/kernel/debug/sched/preempt ("none (voluntary) full lazy": the mode in
 * use is in parentheses), or NULL; without it the mode is the command
 * line's preempt=, else the config's default. "unknown" without a config.
 */
const char *rb_kmodel_preempt(const char *config, const char *cmdline,
			      const char *sched_preempt, char *buf, size_t n,
			      const char **source);

/* CONFIG_NR_CPUS, or -1 when the config lacks it or there is none. */
long rb_kmodel_nr_cpus(const char *config);

#endif
