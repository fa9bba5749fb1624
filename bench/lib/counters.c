// SPDX-License-Identifier: GPL-2.0
/*
 * Counter groups: the policy (which events, hardware or software, why) is
 * here; the perf calls go through rb_perf_ops so tests can fake a PMU.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/perf_event.h>

#include "lib/counters.h"
#include "lib/refbench.h"

#define HW(n, cfg, excl, grp, sc) { .name = n, .type = PERF_TYPE_HARDWARE, .config = cfg, \
	.exclude_user = excl, .grouped = grp, .scope = sc, .src = RB_SRC_HW }
#define HWC(n, cache, op, res) { .name = n, .type = PERF_TYPE_HW_CACHE, \
	.config = (cache) | ((op) << 8) | ((res) << 16), .exclude_user = true, \
	.grouped = true, .scope = "kernel", .src = RB_SRC_HW }
#define SW(n, cfg, grp) { .name = n, .type = PERF_TYPE_SOFTWARE, .config = cfg, \
	.grouped = grp, .scope = "all", .src = RB_SRC_SW }

/*
 * Kernel-only events form one group (leader first): the hot paths are in the
 * kernel, and a group is scheduled as a unit, so the ratios are consistent.
 * Six events fit the usual 2 fixed + 4 general counters. cycles and
 * instructions counted user+kernel stand alone (they may be multiplexed; the
 * running ratio is recorded).
 */
const struct rb_ctr_def rb_ctr_hw_defs[] = {
	HW("cycles:k", PERF_COUNT_HW_CPU_CYCLES, true, true, "kernel"),
	HW("instructions:k", PERF_COUNT_HW_INSTRUCTIONS, true, true, "kernel"),
	HW("branches:k", PERF_COUNT_HW_BRANCH_INSTRUCTIONS, true, true, "kernel"),
	HW("branch-misses:k", PERF_COUNT_HW_BRANCH_MISSES, true, true, "kernel"),
	HW("cache-misses:k", PERF_COUNT_HW_CACHE_MISSES, true, true, "kernel"),
	HWC("dTLB-load-misses:k", PERF_COUNT_HW_CACHE_DTLB, PERF_COUNT_HW_CACHE_OP_READ,
	    PERF_COUNT_HW_CACHE_RESULT_MISS),
	HW("cycles:uk", PERF_COUNT_HW_CPU_CYCLES, false, false, "user+kernel"),
	HW("instructions:uk", PERF_COUNT_HW_INSTRUCTIONS, false, false, "user+kernel"),
};
const unsigned rb_ctr_hw_n = sizeof(rb_ctr_hw_defs) / sizeof(rb_ctr_hw_defs[0]);

/* The fallback: what the kernel counts without a PMU. */
const struct rb_ctr_def rb_ctr_sw_defs[] = {
	SW("task-clock", PERF_COUNT_SW_TASK_CLOCK, true),
	SW("page-faults", PERF_COUNT_SW_PAGE_FAULTS, true),
	SW("minor-faults", PERF_COUNT_SW_PAGE_FAULTS_MIN, true),
	SW("major-faults", PERF_COUNT_SW_PAGE_FAULTS_MAJ, true),
	SW("context-switches", PERF_COUNT_SW_CONTEXT_SWITCHES, true),
	SW("cpu-migrations", PERF_COUNT_SW_CPU_MIGRATIONS, true),
};
const unsigned rb_ctr_sw_n = sizeof(rb_ctr_sw_defs) / sizeof(rb_ctr_sw_defs[0]);

const char *rb_ctr_source_name(enum rb_ctr_source s)
{
	switch (s) {
	case RB_SRC_HW: return "hw";
	case RB_SRC_SW: return "sw";
	default: return "none";
	}
}

static const char *const mode_names[] = {
	[RB_CTR_AUTO] = "auto", [RB_CTR_HW] = "hw", [RB_CTR_SW] = "sw", [RB_CTR_OFF] = "off",
};

const char *rb_ctr_mode_name(int mode)
{
	return mode >= 0 && mode <= RB_CTR_OFF ? mode_names[mode] : "?";
}

int rb_ctr_mode_parse(const char *s)
{
	for (int m = 0; m <= RB_CTR_OFF; m++)
		if (!strcmp(s, mode_names[m]))
			return m;
	return -1;
}

static int open_set(struct rb_counters *c, const struct rb_ctr_def *defs, unsigned n)
{
	const struct rb_ctr_def *ptrs[RB_MAX_CTRS];
	int err;

	for (unsigned i = 0; i < n; i++)
		ptrs[i] = &defs[i];
	err = c->ops->open(c, ptrs, n);
	if (err)
		return err;
	c->n = n;
	memcpy(c->defs, ptrs, n * sizeof(ptrs[0]));
	return 0;
}

/*
 * A hardware group can open and still never count: another user (often the
 * NMI watchdog) holds the counters it needs. Run it once and look.
 */
static int hw_group_counts(struct rb_counters *c)
{
	struct rb_ctr_set a, b;
	volatile unsigned spin = 0;

	if (c->ops->read(c, &a))
		return -EIO;
	c->ops->enable(c);
	for (unsigned i = 0; i < 100000; i++)
		spin += i;
	c->ops->disable(c);
	if (c->ops->read(c, &b))
		return -EIO;
	return b.run[0] > a.run[0] ? 0 : -EBUSY;
}

int rb_counters_open(struct rb_counters *c, int mode, const struct rb_perf_ops *ops)
{
	int err = 0;

	memset(c, 0, sizeof(*c));
	c->ops = ops ? ops : &rb_perf_libperf_ops;
	c->source = RB_SRC_NONE;
	if (mode == RB_CTR_OFF) {
		snprintf(c->fallback, sizeof(c->fallback), "counters off (--counters off)");
		return 0;
	}
	if (mode == RB_CTR_AUTO || mode == RB_CTR_HW) {
		err = open_set(c, rb_ctr_hw_defs, rb_ctr_hw_n);
		if (!err) {
			err = hw_group_counts(c);
			if (!err) {
				c->source = RB_SRC_HW;
				return 0;
			}
			c->ops->close(c);
			c->n = 0;
			snprintf(c->fallback, sizeof(c->fallback),
				 "hardware group opened but never counted (counters busy: "
				 "nmi_watchdog or another perf user; try "
				 "'echo 0 > /proc/sys/kernel/nmi_watchdog')");
		} else if (err == -EACCES || err == -EPERM) {
			/* a PMU that this process may not use for the kernel */
			snprintf(c->fallback, sizeof(c->fallback),
				 "hardware events refused: %s (kernel.perf_event_paranoid: "
				 "sysctl -w kernel.perf_event_paranoid=1, or CAP_PERFMON; "
				 "whether there is a PMU at all: refbench hwcheck)",
				 strerror(-err));
		} else {
			snprintf(c->fallback, sizeof(c->fallback),
				 "hardware events unavailable: %s (no PMU, as in a VM "
				 "without vPMU or under TCG)", strerror(-err));
		}
		if (mode == RB_CTR_HW)
			return err;
	} else {
		snprintf(c->fallback, sizeof(c->fallback), "software counters requested (--counters sw)");
	}
	err = open_set(c, rb_ctr_sw_defs, rb_ctr_sw_n);
	if (!err) {
		c->source = RB_SRC_SW;
		return 0;
	}
	size_t len = strlen(c->fallback);
	snprintf(c->fallback + len, sizeof(c->fallback) - len,
		 "; software events unavailable too: %s (perf_event_paranoid?)", strerror(-err));
	return 0;
}

void rb_counters_close(struct rb_counters *c)
{
	if (c->n && c->ops)
		c->ops->close(c);
	c->n = 0;
	c->source = RB_SRC_NONE;
}

void rb_counters_start(struct rb_counters *c, struct rb_ctr_set *snap)
{
	snap->n = 0;
	if (!c || !c->n)
		return;
	if (c->ops->read(c, snap))
		snap->n = 0;
	c->ops->enable(c);
}

/* On entry delta holds the snapshot from start; on return the difference. */
void rb_counters_stop(struct rb_counters *c, struct rb_ctr_set *delta)
{
	struct rb_ctr_set now;

	if (!c || !c->n || !delta->n) {
		delta->n = 0;
		return;
	}
	c->ops->disable(c);
	if (c->ops->read(c, &now) || now.n != delta->n) {
		delta->n = 0;
		return;
	}
	for (unsigned i = 0; i < now.n; i++) {
		delta->val[i] = now.val[i] - delta->val[i];
		delta->ena[i] = now.ena[i] - delta->ena[i];
		delta->run[i] = now.run[i] - delta->run[i];
	}
}

bool rb_ctr_per_op(const struct rb_ctr_set *s, unsigned i, uint64_t ops, double *out)
{
	double v;

	if (i >= s->n || !ops || !s->run[i])
		return false;
	v = (double)s->val[i];
	if (s->run[i] < s->ena[i])	/* multiplexed: scale to the enabled time */
		v = v * (double)s->ena[i] / (double)s->run[i];
	*out = v / (double)ops;
	return true;
}
