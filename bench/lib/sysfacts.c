// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kabi/gup_test.h"
#include "lib/refbench.h"
#include "lib/sysfacts.h"

char *rb_read_file(const char *path, size_t max)
{
	FILE *f = fopen(path, "re");
	char *buf;
	size_t len;

	if (!f)
		return NULL;
	buf = malloc(max + 1);
	len = buf ? fread(buf, 1, max, f) : 0;
	fclose(f);
	if (!buf)
		return NULL;
	buf[len] = '\0';
	while (len && buf[len - 1] == '\n')
		buf[--len] = '\0';
	return buf;
}

int rb_read_text(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "re");
	size_t len;

	if (!f)
		return -errno;
	len = fread(buf, 1, n - 1, f);
	fclose(f);
	buf[len] = '\0';
	while (len && buf[len - 1] == '\n')
		buf[--len] = '\0';
	return 0;
}

char *rb_cpuinfo_field(const char *field)
{
	FILE *f = fopen("/proc/cpuinfo", "re");
	char line[8192], *v = NULL;
	size_t fl = strlen(field);

	if (!f)
		return NULL;
	while (!v && fgets(line, sizeof(line), f)) {
		char *c = strchr(line, ':');
		if (strncmp(line, field, fl) || !c)
			continue;
		c++;
		while (*c == ' ')
			c++;
		c[strcspn(c, "\n")] = '\0';
		v = strdup(c);
	}
	fclose(f);
	return v;
}

bool rb_cpu_has(const char *flag)
{
	char *flags = rb_cpuinfo_field("flags");
	bool has = flags && rb_word_in(flags, flag);

	free(flags);
	return has;
}

/* "always [madvise] never" -> "madvise" */
int rb_thp_mode(char *mode, size_t n)
{
	char buf[128], *l, *r;
	int err = rb_read_text("/sys/kernel/mm/transparent_hugepage/enabled", buf, sizeof(buf));

	if (err)
		return err;
	l = strchr(buf, '[');
	r = l ? strchr(l, ']') : NULL;
	if (!r)
		return -EINVAL;
	*r = '\0';
	rb_strlcpy(mode, l + 1, n);
	return 0;
}

int rb_vmstat_read(const char *key, uint64_t *val, bool *exact)
{
	size_t kl = strlen(key);
	char line[256];
	FILE *f;
	int fd, r = -ENOENT;

	/* Fold the per-cpu deltas (root only; harmless when it fails). */
	*exact = false;
	fd = open("/proc/sys/vm/stat_refresh", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		*exact = write(fd, "1\n", 2) == 2;
		close(fd);
	}
	f = fopen("/proc/vmstat", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, kl) && line[kl] == ' ') {
			*val = strtoull(line + kl + 1, NULL, 10);
			r = 0;
			break;
		}
	fclose(f);
	return r;
}

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
