/* SPDX-License-Identifier: GPL-2.0 */
/* Internal: the provider ops behind rb_mem_*. */
#ifndef REFBENCH_MEM_IMPL_H
#define REFBENCH_MEM_IMPL_H

#include "mem/mem.h"

struct rb_mem_ops {
	int (*setup)(struct rb_mem *m, const struct rb_env *env, char *err, size_t n);
	int (*map)(struct rb_mem *m, char *err, size_t n);
	int (*unmap)(struct rb_mem *m);
	void (*teardown)(struct rb_mem *m);
};

extern const struct rb_mem_ops rb_mem_fsdax_ops;
extern const struct rb_mem_ops rb_mem_devdax_ops;

void *rb_mem_aligned_anon(size_t size, size_t align, int prot, int flags);
int rb_mem_check_size(enum rb_kind kind, size_t size, char *err, size_t n);

int rb_fsdax_validate(const struct rb_env *env, char *err, size_t n);

#endif
