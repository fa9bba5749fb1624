// SPDX-License-Identifier: GPL-2.0
/*
 * fsdax: a file refbench creates on a DAX mount (--fsdax DIR).
 *
 * PMD faults need three things: the file on a DAX mount, its extents
 * 2 MiB-aligned (mkfs.xfs -d su=2m,sw=1), and a mapping whose virtual
 * address and file offset agree modulo 2 MiB. The PTE kind breaks the last
 * one on purpose (VA offset by 4K), so it measures PTE faults on the same
 * file. The file is fully written once at setup, so faults measure the
 * mapping path, not unwritten-extent conversion and zeroing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/fiemap.h>
#include <linux/fs.h>
#include <linux/magic.h>

#include "mem/kind.h"

#ifndef STATX_ATTR_DAX
#define STATX_ATTR_DAX 0x00200000
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif

#define SZ_2M (2u << 20)

int rb_statx_dax(int fd, bool *is_dax)
{
	struct statx stx;

	if (statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx))
		return -errno;
	/* Kernels before 5.8 do not report the attribute at all. */
	if (!(stx.stx_attributes_mask & STATX_ATTR_DAX))
		return -EOPNOTSUPP;
	*is_dax = stx.stx_attributes & STATX_ATTR_DAX;
	return 0;
}

int rb_fiemap(int fd, struct rb_extent *out, unsigned max, unsigned *n)
{
	size_t len = sizeof(struct fiemap) + max * sizeof(struct fiemap_extent);
	struct fiemap *fm = calloc(1, len);
	int err = 0;

	if (!fm)
		return -ENOMEM;
	fm->fm_start = 0;
	fm->fm_length = FIEMAP_MAX_OFFSET;
	fm->fm_flags = FIEMAP_FLAG_SYNC;
	fm->fm_extent_count = max;
	if (ioctl(fd, FS_IOC_FIEMAP, fm)) {
		err = -errno;
		goto out;
	}
	*n = fm->fm_mapped_extents;
	for (unsigned i = 0; i < *n; i++) {
		out[i].logical = fm->fm_extents[i].fe_logical;
		out[i].physical = fm->fm_extents[i].fe_physical;
		out[i].length = fm->fm_extents[i].fe_length;
	}
out:
	free(fm);
	return err;
}

/* A PMD at file offset X needs [X, X+2M) in one extent starting on a 2M
 * physical boundary: extents must begin and end on the alignment. */
int rb_extents_misaligned(const struct rb_extent *e, unsigned n, uint64_t align)
{
	for (unsigned i = 0; i < n; i++)
		if (e[i].logical % align || e[i].physical % align || e[i].length % align)
			return (int)i;
	return -1;
}

static const char *fs_name(long type)
{
	switch (type) {
	case 0x58465342: return "xfs";		/* XFS_SUPER_MAGIC */
	case EXT4_SUPER_MAGIC: return "ext4";
	default: return "other";
	}
}

#define MAX_EXTENTS 512

/* Create refbench's own file in DIR and prove the mount is DAX. */
static int fsdax_create(struct rb_mem *m, const struct rb_env *env, char *err, size_t n)
{
	struct statfs sfs;
	struct stat st;
	bool dax = false;
	int r;

	if (!env || !env->fsdax_dir) {
		snprintf(err, n, "no fsdax mount given: pass --fsdax DIR (a directory on a "
			 "file system mounted with -o dax)");
		return RB_SKIP;
	}
	if (stat(env->fsdax_dir, &st) || !S_ISDIR(st.st_mode)) {
		snprintf(err, n, "--fsdax %s: not a directory (give a directory on a DAX mount; "
			 "refbench creates and removes its own file there)", env->fsdax_dir);
		return RB_ERR;
	}
	snprintf(m->path, sizeof(m->path), "%s/.refbench-XXXXXX", env->fsdax_dir);
	m->fd = mkostemp(m->path, O_CLOEXEC);
	if (m->fd < 0) {
		snprintf(err, n, "--fsdax %s: cannot create a file: %s", env->fsdax_dir,
			 strerror(errno));
		return RB_ERR;
	}
	m->created = true;
	if (!fstatfs(m->fd, &sfs))
		rb_strlcpy(m->fs, fs_name(sfs.f_type), sizeof(m->fs));
	r = rb_statx_dax(m->fd, &dax);
	if (r == -EOPNOTSUPP) {
		snprintf(err, n, "--fsdax %s: this kernel's statx has no DAX attribute (< 5.8); "
			 "cannot prove the mount is DAX", env->fsdax_dir);
		return RB_ERR;
	}
	if (r || !dax) {
		snprintf(err, n, "--fsdax %s is not on a DAX mount (statx shows no "
			 "STATX_ATTR_DAX; fs %s): mount a pmem device with -o dax there",
			 env->fsdax_dir, m->fs);
		return RB_ERR;
	}
	return RB_OK;
}

static int fsdax_validate(enum rb_kind kind, const struct rb_env *env, size_t size,
			  char *err, size_t n)
{
	struct rb_mem m = { .fd = -1 };
	int r = fsdax_create(&m, env, err, n);

	(void)kind;
	(void)size;
	if (m.fd >= 0)
		close(m.fd);
	if (m.created)
		unlink(m.path);
	if (r == RB_OK)
		snprintf(err, n, "%s is on a DAX mount (%s)", env->fsdax_dir, m.fs);
	return r;
}

static int fsdax_setup(struct rb_mem *m, const struct rb_env *env, char *err, size_t n)
{
	int r = fsdax_create(m, env, err, n);

	if (r != RB_OK)
		return r;
	if (fallocate(m->fd, 0, 0, (off_t)m->size)) {
		snprintf(err, n, "fallocate %zu MiB in %s: %s", m->size >> 20, env->fsdax_dir,
			 strerror(errno));
		return RB_ERR;
	}
	/* Convert unwritten extents: write faults must not measure zeroing. */
	{
		static const char zero[1 << 16];
		for (size_t off = 0; off < m->size; off += sizeof(zero))
			if (pwrite(m->fd, zero, sizeof(zero), (off_t)off) != (ssize_t)sizeof(zero)) {
				snprintf(err, n, "writing %s: %s", m->path, strerror(errno));
				return RB_ERR;
			}
		if (fsync(m->fd)) {
			snprintf(err, n, "fsync %s: %s", m->path, strerror(errno));
			return RB_ERR;
		}
	}
	if (m->kind == RB_KIND_FSDAX_PMD) {
		struct rb_extent *e = calloc(MAX_EXTENTS, sizeof(*e));
		unsigned ne = 0;
		int bad;

		if (!e)
			return RB_ERR;
		r = rb_fiemap(m->fd, e, MAX_EXTENTS, &ne);
		if (r) {
			free(e);
			snprintf(err, n, "FIEMAP on %s: %s; cannot prove 2 MiB extents", m->path,
				 strerror(-r));
			return RB_REJECT;
		}
		bad = rb_extents_misaligned(e, ne, SZ_2M);
		if (bad >= 0) {
			snprintf(err, n, "PMD impossible, would fall back to PTE: extent %d at "
				 "file offset %llu (device offset %llu, length %llu) is not "
				 "2 MiB aligned; make the file system with 2 MiB alignment "
				 "(mkfs.xfs -d su=2m,sw=1 or mkfs.ext4 -E stride=512)",
				 bad, (unsigned long long)e[bad].logical,
				 (unsigned long long)e[bad].physical,
				 (unsigned long long)e[bad].length);
			free(e);
			return RB_REJECT;
		}
		free(e);
	}
	return RB_OK;
}

static int fsdax_map(struct rb_mem *m, char *err, size_t n)
{
	/* PMD: VA 2M-aligned like file offset 0. PTE: VA off by 4K. */
	size_t skew = m->kind == RB_KIND_FSDAX_PTE ? 4096 : 0;
	char *base = rb_mem_aligned_anon(m->size + skew, SZ_2M, PROT_NONE,
					 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE);
	int flags = (m->map_flags_extra ? MAP_SHARED_VALIDATE : MAP_SHARED) |
		    MAP_FIXED | m->map_flags_extra;
	void *p;

	if (base == MAP_FAILED) {
		snprintf(err, n, "reserving address space: %s", strerror(errno));
		return RB_ERR;
	}
	if (skew)
		munmap(base, skew);
	p = mmap(base + skew, m->size, PROT_READ | PROT_WRITE, flags, m->fd, 0);
	if (p == MAP_FAILED) {
		int e = errno;
		munmap(base + skew, m->size);
		snprintf(err, n, "mmap %s%s: %s", m->path,
			 m->map_flags_extra ? " with MAP_SYNC" : "", strerror(e));
		return e == EOPNOTSUPP ? RB_UNSUPPORTED : RB_ERR;
	}
	m->addr = p;
	return RB_OK;
}

static void fsdax_teardown(struct rb_mem *m)
{
	if (m->created && m->path[0])
		unlink(m->path);
	m->created = false;
}

/* smaps does not count DAX PMDs: the fault count and the extent check at
 * setup are the proof; smaps only has to list the mapping. */
static bool fsdax_check_mapping(struct rb_iter *it, const struct rb_mem *m)
{
	struct rb_smaps_vma v;

	return rb_smaps_of(it, m, &v);
}

const struct rb_mem_ops rb_mem_fsdax_ops = {
	.validate = fsdax_validate,
	.setup = fsdax_setup,
	.map = fsdax_map,
	.unmap = rb_mem_munmap,
	.teardown = fsdax_teardown,
	.check_mapping = fsdax_check_mapping,
};
