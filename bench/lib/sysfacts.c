// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kabi/gup_test.h"
#include "lib/refbench.h"
#include "lib/sysfacts.h"

/* One kernel-config reader serves refbench: kabi's (it also knows
 * /boot/config-<release>). This is its short form for probes. */
int rb_kconfig_opt(const char *sym)
{
	char val[8];
	int r = rb_kconfig(sym, val, sizeof(val), NULL);

	if (r < 0)
		return 0;
	return r ? val[0] : 'n';
}

int rb_debugfs_mounted(void)
{
	FILE *f = fopen("/proc/mounts", "re");
	char dev[256], dir[256], type[64];
	int found = 0;

	if (!f)
		return -1;
	while (fscanf(f, "%255s %255s %63s %*[^\n]", dev, dir, type) == 3)
		if (!strcmp(dir, "/sys/kernel/debug") && !strcmp(type, "debugfs"))
			found = 1;
	fclose(f);
	return found;
}

bool rb_debugfs_feature(const char *path, const char *sym, char *why, size_t n)
{
	int k;

	if (!access(path, F_OK))
		return true;
	if (rb_debugfs_mounted() != 1) {
		snprintf(why, n, "no %s: debugfs is not mounted (mount -t debugfs none "
			 "/sys/kernel/debug)%s", path,
			 rb_kconfig_opt(sym) == 'n' ? "; and CONFIG_" : "");
		if (rb_kconfig_opt(sym) == 'n') {
			size_t l = strlen(why);
			snprintf(why + l, n - l, "%s is off", sym);
		}
		return false;
	}
	k = rb_kconfig_opt(sym);
	if (k == 'n')
		snprintf(why, n, "no %s: CONFIG_%s is off in this kernel (rebuild with it, "
			 "e.g. the lab kernel)", path, sym);
	else if (k == 'm')
		snprintf(why, n, "no %s: CONFIG_%s=m but not loaded (modprobe)", path, sym);
	else
		snprintf(why, n, "no %s: CONFIG_%s is off or debugfs is not mounted at "
			 "/sys/kernel/debug", path, sym);
	return false;
}
