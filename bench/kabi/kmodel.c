// SPDX-License-Identifier: GPL-2.0
/* The booted kernel's paging depth, preemption model and NR_CPUS (kmodel.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kabi/gup_test.h"	/* rb_kconfig_lookup */
#include "kabi/kmodel.h"

static bool kset(const char *config, const char *sym)
{
	char v[8];

	return config && rb_kconfig_lookup(config, sym, v, sizeof(v)) == 1 && !strcmp(v, "y");
}

int rb_kmodel_pgtable_levels(const char *config, bool cpu_la57, char *why, size_t n)
{
	char v[8] = "";
	int cfg = config && rb_kconfig_lookup(config, "PGTABLE_LEVELS", v, sizeof(v)) == 1 ?
		atoi(v) : 0;

	if (cfg && cfg < 5) {
		snprintf(why, n, "CONFIG_PGTABLE_LEVELS=%d", cfg);
		return cfg;
	}
	snprintf(why, n, "%s%s la57 in /proc/cpuinfo%s", cfg ? "CONFIG_PGTABLE_LEVELS=5, " : "",
		 cpu_la57 ? "CPU flag" : "no", cpu_la57 ? "" : " (4-level: no5lvl, or no CPU support)");
	return cpu_la57 ? 5 : 4;
}

/* The config's preemption choice, as the kernel's default mode. */
static const char *config_model(const char *config)
{
	if (kset(config, "PREEMPT_RT"))
		return "rt";
	if (kset(config, "PREEMPT_LAZY"))
		return "lazy";
	if (kset(config, "PREEMPT"))
		return "full";
	if (kset(config, "PREEMPT_VOLUNTARY"))
		return "voluntary";
	if (kset(config, "PREEMPT_NONE"))
		return "none";
	return NULL;
}

const char *rb_kmodel_preempt(const char *config, const char *cmdline,
			      const char *sched_preempt, char *buf, size_t n,
			      const char **source)
{
	const char *open = sched_preempt ? strchr(sched_preempt, '(') : NULL;
	const char *close = open ? strchr(open, ')') : NULL;
	const char *model = config_model(config), *p;

	if (open && close && close - open > 1 && close - open < 16) {
		snprintf(buf, n, "dynamic(%.*s)", (int)(close - open - 1), open + 1);
		*source = "/sys/kernel/debug/sched/preempt";
		return buf;
	}
	if (!config || !model) {
		snprintf(buf, n, "unknown");
		*source = config ? "the config names no preemption model" : "no kernel config";
		return buf;
	}
	if (strcmp(model, "rt") && kset(config, "PREEMPT_DYNAMIC")) {
		/* preempt=MODE on the command line overrides the config default */
		for (p = cmdline; p && (p = strstr(p, "preempt=")); p += 8)
			if (p == cmdline || p[-1] == ' ') {
				size_t l = strcspn(p + 8, " \n");

				snprintf(buf, n, "dynamic(%.*s)", (int)(l < 16 ? l : 16), p + 8);
				*source = "CONFIG_PREEMPT_DYNAMIC and preempt= on the command line";
				return buf;
			}
		snprintf(buf, n, "dynamic(%s)", model);
		*source = "CONFIG_PREEMPT_DYNAMIC with the config's default mode";
		return buf;
	}
	snprintf(buf, n, "%s", model);
	*source = "the kernel config";
	return buf;
}

long rb_kmodel_nr_cpus(const char *config)
{
	char v[16];

	if (!config || rb_kconfig_lookup(config, "NR_CPUS", v, sizeof(v)) != 1)
		return -1;
	return strtol(v, NULL, 10);
}
