// SPDX-License-Identifier: GPL-2.0
/*
 * null: the harness's own cost. "empty-window" is what one window costs
 * the run (draining the LRU batches, reading the interrupt count, counters
 * enabled, disabled and read, the clock twice); "window-bias" is what an
 * empty window measures: the part of that inside the clock reads, which
 * every other window carries too and which must stay below 1% of the
 * measured op.
 */
#include "lib/refbench.h"
#include "mem/mem.h"

static const struct rb_param_def null_params[] = {
	{ .key = "loops", .def = "1000", .help = "empty windows per sample" },
	{ NULL },
};

static int null_iterate(struct rb_iter *it)
{
	uint64_t loops, sum = 0, bias = 0, t0, t1;
	struct rb_window w;

	if (rb_param_u64(&it->pt->params, "loops", &loops) || !loops)
		return rb_reject(it, "loops must be a positive count");
	for (uint64_t i = 0; i < loops; i++) {
		uint64_t a = rb_now_ns();

		rb_window_begin(it->ctr, &w);
		rb_window_end(it->ctr, &w);
		sum += rb_now_ns() - a;
		bias += rb_window_ns(&w);
	}
	/* the clock alone, for reference */
	t0 = rb_now_ns();
	for (uint64_t i = 0; i < loops; i++)
		(void)rb_now_ns();
	t1 = rb_now_ns();
	rb_check(it, "self", "none", true, "harness overhead, nothing to verify");
	char unit[24];
	rb_emit_value(it, "empty-window", rb_time_unit(it->pt->env, "window", unit, sizeof(unit)),
		      (double)sum / (double)loops, loops, NULL);
	rb_emit_value(it, "window-bias", rb_time_unit(it->pt->env, "window", unit, sizeof(unit)),
		      (double)bias / (double)loops, loops, NULL);
	rb_emit_value(it, "clock-read", rb_time_unit(it->pt->env, "read", unit, sizeof(unit)),
		      (double)(t1 - t0) / (double)loops, loops, NULL);
	return RB_OK;
}

const struct rb_case rb_case_null = {
	.name = "null",
	.summary = "harness overhead: an empty window's cost and what it measures",
	.kernel_paths = "munmap (LRU drain), /proc/stat, perf_event ioctl enable/disable/read, "
			"clock_gettime (vDSO)",
	.kinds = RB_KIND_BIT(RB_KIND_NONE),
	.params = null_params,
	.iterate = null_iterate,
};
