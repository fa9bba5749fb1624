// SPDX-License-Identifier: GPL-2.0
/* shmem: a memfd mapped shared, 4K forced (MADV_NOHUGEPAGE). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mem/kind.h"

static int shmem_map(struct rb_mem *m, char *err, size_t n)
{
	void *p;
	int r;

	/* A fresh memfd per mapping: cached pages would turn first-touch
	 * faults into fault-around and the counts would lie. */
	m->fd = memfd_create("refbench-shmem", MFD_CLOEXEC);
	if (m->fd < 0 || ftruncate(m->fd, (off_t)m->size)) {
		snprintf(err, n, "memfd_create/ftruncate: %s (CONFIG_MEMFD_CREATE, "
			 "CONFIG_SHMEM)", strerror(errno));
		if (m->fd >= 0)
			close(m->fd);
		m->fd = -1;
		return RB_ERR;
	}
	p = mmap(NULL, m->size, PROT_READ | PROT_WRITE, MAP_SHARED, m->fd, 0);
	if (p == MAP_FAILED) {
		snprintf(err, n, "mmap %zu bytes: %s", m->size, strerror(errno));
		close(m->fd);
		m->fd = -1;
		return RB_ERR;
	}
	m->addr = p;
	r = rb_mem_force_page_size(m, false, err, n);
	if (r != RB_OK) {
		munmap(m->addr, m->size);
		m->addr = NULL;
		close(m->fd);
		m->fd = -1;
	}
	return r;
}

static int shmem_unmap(struct rb_mem *m)
{
	int r = munmap(m->addr, m->size);

	close(m->fd);
	m->fd = -1;
	return r ? -errno : 0;
}

static bool shmem_check_mapping(struct rb_iter *it, const struct rb_mem *m)
{
	struct rb_smaps_vma v;

	if (!rb_smaps_of(it, m, &v))
		return false;
	return rb_check_counts(it, "smaps", "smaps.ShmemPmdMapped", 0, v.shmem_pmd_kb,
			       "ShmemPmdMapped %" PRIu64 " kB (4K claimed)", v.shmem_pmd_kb);
}

const struct rb_mem_ops rb_mem_shmem_ops = {
	.map = shmem_map,
	.unmap = shmem_unmap,
	.check_mapping = shmem_check_mapping,
};
