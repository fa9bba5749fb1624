/* SPDX-License-Identifier: GPL-2.0 */
#ifndef REFBENCH_PROVENANCE_H
#define REFBENCH_PROVENANCE_H

#include <json-c/json.h>

#include "lib/json.h"
#include "lib/refbench.h"

struct rb_prov_opts {
	const char *kconfig;	/* --kernel-config FILE or build dir; else /proc/config.gz */
	const char *lab_json;	/* --lab FILE from the lab host */
	const char *accel;	/* --accel NAME when not from the lab */
	int argc;
	char **argv;
};

/* meta.json content, without status and summary. NULL + err on bad input. */
/* meta.json's clock: how a run's times are to be read */
const char *rb_clock_label(enum rb_clock_unit c);

struct json_object *rb_provenance(const struct rb_env *env, const struct rb_prov_opts *o,
				  char *err, size_t n);

/* The provenance fields that must agree between the groups of a
 * comparison (and within one), and those that must agree within one
 * group (the same kernel): dotted paths into meta.json. A resumed run
 * must match on both. */
extern const char *const rb_prov_match_paths[];
extern const char *const rb_prov_arm_paths[];
/* The host of a run: must agree too, unless every run is a deterministic
 * lab run, which must agree on rb_prov_det_paths instead (the QEMU) and may
 * come from any host (rb_prov_host_free). */
extern const char *const rb_prov_host_paths[];
extern const char *const rb_prov_det_paths[];

#endif
