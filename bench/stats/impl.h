/* SPDX-License-Identifier: GPL-2.0 */
/* Internal to bench/stats: what the timed and the exact rule share. */
#ifndef RB_STATS_IMPL_H
#define RB_STATS_IMPL_H

#include "stats/stats.h"

/* Clears r (every estimate NaN), then fills rounds, n, the pooled
 * medians, ratio, delta and pct_change. 0, -EINVAL (bad arm), -EDOM
 * (median of A is 0) or -ENOMEM. */
int rb__result_init(const struct rb_ab_metric *m, struct rb_ab_result *r);
/* -EINVAL unless every DERIVED metric names a parent that is not DERIVED. */
int rb__check_parents(const struct rb_ab_metric *m, size_t n);
/* A derived metric was not tested: it shows its parent's decision. */
void rb__copy_derived(const struct rb_ab_metric *m, size_t n, struct rb_ab_result *res);
/* delta_ci from ci: med_a (ci - 1). */
void rb__delta_ci(struct rb_ab_result *r);

#endif
