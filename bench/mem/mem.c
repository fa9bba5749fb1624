// SPDX-License-Identifier: GPL-2.0
/*
 * Memory kinds, dispatch and the anonymous ones (anon 4K, THP, shmem).
 * fsdax.c and devdax.c hold the DAX kinds.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/sysfacts.h"
#include "mem/mem.h"
#include "mem/mem_impl.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

/* Reserve size + align of address space, then return an aligned start inside
 * it, releasing the slack, so a later MAP_FIXED lands on an aligned VA. */
void *rb_mem_aligned_anon(size_t size, size_t align, int prot, int flags)
{
	size_t len = size + align;
	char *p = mmap(NULL, len, prot, flags, -1, 0);
	char *a, *end;

	if (p == MAP_FAILED)
		return MAP_FAILED;
	a = (char *)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1));
	end = a + size;
	if (a > p)
		munmap(p, (size_t)(a - p));
	if (p + len > end)
		munmap(end, (size_t)(p + len - end));
	return a;
}

static int anon_setup(struct rb_mem *m, const struct rb_env *env, char *err, size_t n)
{
	char mode[32];

	(void)env;
	if (m->kind != RB_KIND_THP)
		return RB_OK;
	if (rb_thp_mode(mode, sizeof(mode))) {
		snprintf(err, n, "no /sys/kernel/mm/transparent_hugepage: kernel built without "
			 "CONFIG_TRANSPARENT_HUGEPAGE");
		return RB_SKIP;
	}
	if (!strcmp(mode, "never")) {
		snprintf(err, n, "THP is disabled: echo madvise > "
			 "/sys/kernel/mm/transparent_hugepage/enabled");
		return RB_SKIP;
	}
	return RB_OK;
}

static int anon_map(struct rb_mem *m, char *err, size_t n)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;
	void *p;

	if (m->kind == RB_KIND_SHMEM) {
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
	} else {
		p = rb_mem_aligned_anon(m->size, m->kind == RB_KIND_THP ? m->gran : 4096,
					PROT_READ | PROT_WRITE, flags);
	}
	if (p == MAP_FAILED) {
		snprintf(err, n, "mmap %zu bytes: %s", m->size, strerror(errno));
		return RB_ERR;
	}
	m->addr = p;
	/* anon and shmem claim 4K: forbid THP, or a THP-enabled system would
	 * quietly measure 2M faults. THP asks for huge pages explicitly. */
	if (madvise(p, m->size, m->kind == RB_KIND_THP ? MADV_HUGEPAGE : MADV_NOHUGEPAGE)) {
		snprintf(err, n, "madvise(%s): %s; the kernel lacks CONFIG_ADVISE_SYSCALLS "
			 "(or CONFIG_TRANSPARENT_HUGEPAGE), so the page size cannot be forced",
			 m->kind == RB_KIND_THP ? "MADV_HUGEPAGE" : "MADV_NOHUGEPAGE",
			 strerror(errno));
		/* Without THP support at all, 4K is what anon gets anyway. */
		if (errno != EINVAL || m->kind == RB_KIND_THP) {
			rb_mem_unmap(m);
			return m->kind == RB_KIND_THP ? RB_SKIP : RB_ERR;
		}
	}
	return RB_OK;
}

static int anon_unmap(struct rb_mem *m)
{
	int r = munmap(m->addr, m->size);

	if (m->fd >= 0) {
		close(m->fd);
		m->fd = -1;
	}
	return r ? -errno : 0;
}

static const struct rb_mem_ops anon_ops = {
	.setup = anon_setup,
	.map = anon_map,
	.unmap = anon_unmap,
};

static const struct rb_mem_ops *ops_of(enum rb_kind k)
{
	switch (k) {
	case RB_KIND_ANON: case RB_KIND_THP: case RB_KIND_SHMEM:
		return &anon_ops;
	case RB_KIND_FSDAX_PTE: case RB_KIND_FSDAX_PMD:
		return &rb_mem_fsdax_ops;
	case RB_KIND_DEVDAX_4K: case RB_KIND_DEVDAX_2M: case RB_KIND_DEVDAX_1G:
		return &rb_mem_devdax_ops;
	default:
		return NULL;
	}
}

static const char *human(size_t v, char *buf, size_t n)
{
	if (v >= (1u << 30) && !(v % (1u << 30)))
		snprintf(buf, n, "%zu GiB", v >> 30);
	else if (v >= (1u << 20) && !(v % (1u << 20)))
		snprintf(buf, n, "%zu MiB", v >> 20);
	else
		snprintf(buf, n, "%zu KiB", v >> 10);
	return buf;
}

int rb_mem_check_size(enum rb_kind kind, size_t size, char *err, size_t n)
{
	size_t gran = rb_kind_gran(kind);
	char a[32], b[32];

	if (!size) {
		snprintf(err, n, "size=0: give a size, e.g. size=64M");
		return RB_ERR;
	}
	if (gran && size % gran) {
		snprintf(err, n, "size %s is not a multiple of the %s mapping granularity of "
			 "%s: use a multiple, e.g. size=%zuM", human(size, a, sizeof(a)),
			 human(gran, b, sizeof(b)), rb_kind_name(kind),
			 ((size + gran - 1) / gran * gran) >> 20);
		return RB_ERR;
	}
	return RB_OK;
}

int rb_mem_setup(struct rb_mem *m, enum rb_kind kind, const struct rb_env *env,
		 size_t size, char *err, size_t errlen)
{
	const struct rb_mem_ops *ops = ops_of(kind);
	int r;

	memset(m, 0, sizeof(*m));
	m->kind = kind;
	m->size = size;
	m->gran = rb_kind_gran(kind);
	m->fd = -1;
	m->shared = kind != RB_KIND_ANON && kind != RB_KIND_THP;
	if (!ops) {
		snprintf(err, errlen, "kind %s has no memory", rb_kind_name(kind));
		return RB_ERR;
	}
	r = rb_mem_check_size(kind, size, err, errlen);
	if (r != RB_OK)
		return r;
	r = ops->setup ? ops->setup(m, env, err, errlen) : RB_OK;
	if (r != RB_OK)
		rb_mem_teardown(m);
	return r;
}

int rb_mem_validate(enum rb_kind kind, const struct rb_env *env, size_t size,
		    char *err, size_t errlen)
{
	const char *dev;
	int r = rb_mem_check_size(kind, size, err, errlen);

	if (r != RB_OK)
		return r;
	switch (kind) {
	case RB_KIND_FSDAX_PTE: case RB_KIND_FSDAX_PMD:
		return rb_fsdax_validate(env, err, errlen);
	case RB_KIND_DEVDAX_4K: case RB_KIND_DEVDAX_2M: case RB_KIND_DEVDAX_1G:
		return rb_devdax_pick(kind, env, &dev, err, errlen);
	default:
		return RB_OK;
	}
}

int rb_mem_map(struct rb_mem *m, char *err, size_t errlen)
{
	return ops_of(m->kind)->map(m, err, errlen);
}

int rb_mem_unmap(struct rb_mem *m)
{
	int r = 0;

	if (m->addr)
		r = ops_of(m->kind)->unmap(m);
	m->addr = NULL;
	return r;
}

void rb_mem_teardown(struct rb_mem *m)
{
	const struct rb_mem_ops *ops = ops_of(m->kind);

	if (!ops)	/* never set up (zeroed state): nothing to release */
		return;
	rb_mem_unmap(m);
	if (ops && ops->teardown)
		ops->teardown(m);
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
}
