// SPDX-License-Identifier: GPL-2.0
/*
 * devdax: a /dev/daxX.Y character device (--devdax, repeatable). The kind
 * names the fault size (4K/2M/1G) and refbench picks the given device whose
 * alignment matches; the device's own alignment decides the fault size, so
 * a 1G kind on a 2M device is impossible by construction. Mapped through
 * libpmem2, which knows device-dax alignment rules.
 */
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <libpmem2.h>

#include "lib/sysfacts.h"
#include "mem/kind.h"

/* Is it a dax character device? Answer from sysfs, as libdaxctl does. */
static int devdax_sysfs(const char *devpath, const char *attr, char *buf, size_t n,
			char *err, size_t errlen)
{
	struct stat st;
	char path[256], link[256];
	ssize_t len;

	if (stat(devpath, &st)) {
		snprintf(err, errlen, "--devdax %s: %s (create one with: ndctl create-namespace "
			 "-m devdax -a 2M)", devpath, strerror(errno));
		return -1;
	}
	if (!S_ISCHR(st.st_mode)) {
		snprintf(err, errlen, "--devdax %s is not a character device: give /dev/daxX.Y "
			 "(ndctl list -X shows them); fsdax mounts go to --fsdax", devpath);
		return -1;
	}
	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/subsystem",
		 major(st.st_rdev), minor(st.st_rdev));
	len = readlink(path, link, sizeof(link) - 1);
	if (len < 0 || (link[len] = '\0', !strstr(link, "dax"))) {
		snprintf(err, errlen, "--devdax %s is a character device but not device-dax "
			 "(%s does not point to the dax subsystem)", devpath, path);
		return -1;
	}
	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/%s",
		 major(st.st_rdev), minor(st.st_rdev), attr);
	if (rb_read_text(path, buf, n)) {
		snprintf(err, errlen, "--devdax %s: cannot read %s", devpath, path);
		return -1;
	}
	return 0;
}

uint64_t rb_devdax_align(const char *devpath, char *err, size_t errlen)
{
	char buf[64];

	if (devdax_sysfs(devpath, "align", buf, sizeof(buf), err, errlen))
		return 0;
	return strtoull(buf, NULL, 0);
}

static uint64_t devdax_size(const char *devpath)
{
	char buf[64], err[8];

	if (devdax_sysfs(devpath, "size", buf, sizeof(buf), err, sizeof(err)))
		return 0;
	return strtoull(buf, NULL, 0);
}

struct devdax_state {
	struct pmem2_source *src;
	struct pmem2_config *cfg;
	struct pmem2_map *map;
};

/* The given device whose alignment is the kind's page size. */
int rb_devdax_pick(enum rb_kind kind, const struct rb_env *env, const char **out,
		   char *err, size_t n)
{
	size_t gran = rb_kind_gran(kind), len = 0;
	char seen[512] = "", e2[256];
	const char *dev = NULL;

	if (!env || !env->n_devdax) {
		snprintf(err, n, "no device-dax given: pass --devdax /dev/daxX.Y (align %zu KiB "
			 "for %s)", gran >> 10, rb_kind_name(kind));
		return RB_SKIP;
	}
	for (unsigned i = 0; i < env->n_devdax; i++) {
		uint64_t align = rb_devdax_align(env->devdax[i], e2, sizeof(e2));

		if (!align) {
			snprintf(err, n, "%s", e2);
			return RB_ERR;
		}
		if (align == gran && !dev)
			dev = env->devdax[i];
		if (len < sizeof(seen))
			len += (size_t)snprintf(seen + len, sizeof(seen) - len, "%s%s (align %llu)",
						i ? ", " : "", env->devdax[i],
						(unsigned long long)align);
	}
	if (kind == RB_KIND_DEVDAX_1G && !rb_cpu_has("pdpe1gb")) {
		snprintf(err, n, "unsupported: CPU lacks pdpe1gb, so no 1 GiB (PUD) mappings "
			 "(under QEMU use -cpu max, or a host CPU with pdpe1gb)");
		return RB_UNSUPPORTED;
	}
	if (!dev) {
		snprintf(err, n, "no device-dax with align %zu among %s: create one with "
			 "'ndctl create-namespace -m devdax -a %s'", gran, seen,
			 gran == (1u << 30) ? "1G" : gran == (2u << 20) ? "2M" : "4K");
		return RB_SKIP;
	}
	*out = dev;
	return RB_OK;
}

static int devdax_setup(struct rb_mem *m, const struct rb_env *env, char *err, size_t n)
{
	const char *dev = NULL;
	struct devdax_state *s;
	int r = rb_devdax_pick(m->kind, env, &dev, err, n);

	if (r != RB_OK)
		return r;
	if (devdax_size(dev) < m->size) {
		snprintf(err, n, "size %zu MiB exceeds %s (%llu MiB): use a smaller size",
			 m->size >> 20, dev, (unsigned long long)(devdax_size(dev) >> 20));
		return RB_ERR;
	}
	rb_strlcpy(m->path, dev, sizeof(m->path));
	m->fd = open(dev, O_RDWR | O_CLOEXEC);
	if (m->fd < 0) {
		snprintf(err, n, "open %s: %s", dev, strerror(errno));
		return RB_ERR;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return RB_ERR;
	m->impl = s;
	if (pmem2_source_from_fd(&s->src, m->fd) || pmem2_config_new(&s->cfg) ||
	    pmem2_config_set_required_store_granularity(s->cfg, PMEM2_GRANULARITY_PAGE) ||
	    pmem2_config_set_length(s->cfg, m->size)) {
		snprintf(err, n, "libpmem2 on %s: %s", dev, pmem2_errormsg());
		return RB_ERR;
	}
	return RB_OK;
}

static int devdax_map(struct rb_mem *m, char *err, size_t n)
{
	struct devdax_state *s = m->impl;

	if (pmem2_map_new(&s->map, s->cfg, s->src)) {
		snprintf(err, n, "pmem2_map_new %s: %s", m->path, pmem2_errormsg());
		return RB_ERR;
	}
	m->addr = pmem2_map_get_address(s->map);
	return RB_OK;
}

static int devdax_unmap(struct rb_mem *m)
{
	struct devdax_state *s = m->impl;

	return pmem2_map_delete(&s->map) ? -EIO : 0;
}

static void devdax_teardown(struct rb_mem *m)
{
	struct devdax_state *s = m->impl;

	if (!s)
		return;
	if (s->cfg)
		pmem2_config_delete(&s->cfg);
	if (s->src)
		pmem2_source_delete(&s->src);
	free(s);
	m->impl = NULL;
}

static int devdax_validate(enum rb_kind kind, const struct rb_env *env, size_t size,
			   char *err, size_t n)
{
	const char *dev;

	int r = rb_devdax_pick(kind, env, &dev, err, n);

	(void)size;
	if (r == RB_OK)
		snprintf(err, n, "%s", dev);
	return r;
}

/*
 * Not smaps: its page walk has no pud_entry, so walk_pud_range() calls
 * split_huge_pud(), which zaps a device-dax PUD (seen on 6.1: every smaps
 * read cost the next GUP a fault). smaps' KernelPageSize for device-dax
 * is the device's alignment anyway.
 */
static bool devdax_check_mapping(struct rb_iter *it, const struct rb_mem *m)
{
	char err[256];
	uint64_t align = rb_devdax_align(m->path, err, sizeof(err));

	return rb_check_counts(it, "page-size", "sysfs dax align", m->gran, align,
			       "%s align %" PRIu64 " (what smaps' KernelPageSize reports)",
			       m->path, align);
}

const struct rb_mem_ops rb_mem_devdax_ops = {
	.validate = devdax_validate,
	.setup = devdax_setup,
	.map = devdax_map,
	.unmap = devdax_unmap,
	.teardown = devdax_teardown,
	.check_mapping = devdax_check_mapping,
};
