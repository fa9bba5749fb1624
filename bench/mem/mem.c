// SPDX-License-Identifier: GPL-2.0
/*
 * The life cycle of a mapping (mem.h), dispatched through the kind's row
 * (kinds.c) to its provider.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mem/kind.h"

static const struct rb_mem_ops *ops_of(enum rb_kind k)
{
	return (unsigned)k < RB_KIND__COUNT ? rb_mem_kinds[k].ops : NULL;
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

static int check_size(enum rb_kind kind, size_t size, char *err, size_t n)
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
	if (!ops) {
		snprintf(err, errlen, "kind %s has no memory", rb_kind_name(kind));
		return RB_ERR;
	}
	r = check_size(kind, size, err, errlen);
	if (r != RB_OK)
		return r;
	r = ops->setup ? ops->setup(m, env, err, errlen) : RB_OK;
	if (r != RB_OK)
		rb_mem_teardown(m);
	return r;
}

int rb_mem_validate(enum rb_kind kind, const struct rb_env *env, size_t size,
		    char *why, size_t n)
{
	const struct rb_mem_ops *ops = ops_of(kind);
	int r = check_size(kind, size, why, n);

	if (r != RB_OK || !ops || !ops->validate)
		return r;
	return ops->validate(kind, env, size, why, n);
}

int rb_mem_map(struct rb_mem *m, char *err, size_t errlen)
{
	return rb_mem_kinds[m->kind].ops->map(m, err, errlen);
}

/* Inside the munmap window: the row's unmap and nothing else. */
int rb_mem_unmap(struct rb_mem *m)
{
	int r = 0;

	if (m->addr)
		r = rb_mem_kinds[m->kind].ops->unmap(m);
	m->addr = NULL;
	return r;
}

void rb_mem_teardown(struct rb_mem *m)
{
	const struct rb_mem_ops *ops = ops_of(m->kind);

	if (!ops)	/* never set up (zeroed state): nothing to release */
		return;
	rb_mem_unmap(m);
	if (ops->teardown)
		ops->teardown(m);
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
}

const char *rb_mem_boot_args(const size_t need[RB_KIND__COUNT], char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int k = RB_KIND_NONE + 1; k < RB_KIND__COUNT && len < n; k++) {
		const struct rb_mem_ops *ops = rb_mem_kinds[k].ops;
		char arg[128];

		if (!need[k] || !ops->boot_arg)
			continue;
		ops->boot_arg(k, need[k], arg, sizeof(arg));
		len += (size_t)snprintf(buf + len, n - len, "%s%s", len ? " " : "", arg);
	}
	return buf;
}
