// SPDX-License-Identifier: GPL-2.0
/*
 * Proof that a mapping is what its kind claims: the fault count of a first
 * touch, and the provider's own check where the kernel reports the page
 * size (smaps, the device's alignment).
 */
#include <inttypes.h>
#include <stdio.h>

#include "mem/kind.h"

const char *rb_mem_fault_diagnosis(enum rb_kind kind, size_t size, size_t gran,
				   uint64_t faults, char *buf, size_t n)
{
	const struct rb_mem_fallback *fb = &rb_mem_kinds[kind].fallback;
	uint64_t want = gran ? size / gran : 0;

	if (faults == want) {
		snprintf(buf, n, "%" PRIu64 " faults = size / %zu KiB", faults, gran >> 10);
		return buf;
	}
	if (fb->what && faults == size / fb->to) {
		snprintf(buf, n, "%s (%" PRIu64 " faults, want %" PRIu64 "): %s", fb->what, faults,
			 want, fb->why);
		return buf;
	}
	if (gran > 4096 && faults == size / 4096) {
		snprintf(buf, n, "fell back to 4K (%" PRIu64 " faults, want %" PRIu64 ")", faults, want);
		return buf;
	}
	if (gran == 4096 && faults == size / (2u << 20)) {
		snprintf(buf, n, "got 2M pages where 4K was claimed (%" PRIu64 " faults, want %"
			 PRIu64 "): MADV_NOHUGEPAGE not honoured (CONFIG_ADVISE_SYSCALLS?)",
			 faults, want);
		return buf;
	}
	if (faults < want)
		snprintf(buf, n, "%" PRIu64 " faults, fewer than the %" PRIu64 " expected: pages "
			 "were already present (prefault, fault-around or a reused mapping)",
			 faults, want);
	else
		snprintf(buf, n, "%" PRIu64 " faults, more than the %" PRIu64 " expected: mixed "
			 "page sizes or extra faults in the timed loop", faults, want);
	return buf;
}

uint64_t rb_mem_touch(const struct rb_mem *m, size_t stride)
{
	volatile char *p = m->addr;
	uint64_t f0 = rb_minflt_thread();

	if (!stride)
		stride = m->gran;
	for (size_t off = 0; off < m->size; off += stride)
		p[off] = 1;
	return rb_minflt_thread() - f0;
}

bool rb_mem_check_faults(struct rb_iter *it, const struct rb_mem *m, uint64_t faults)
{
	char why[256];

	rb_mem_fault_diagnosis(m->kind, m->size, m->gran, faults, why, sizeof(why));
	return rb_check_counts(it, "faults", "rusage.ru_minflt", m->size / m->gran, faults,
			       "%s", why);
}

bool rb_mem_check_mapping(struct rb_iter *it, const struct rb_mem *m)
{
	const struct rb_mem_ops *ops = rb_mem_kinds[m->kind].ops;

	return !ops->check_mapping || ops->check_mapping(it, m);
}
