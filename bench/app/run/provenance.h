/* SPDX-License-Identifier: GPL-2.0 */
#ifndef REFBENCH_PROVENANCE_H
#define REFBENCH_PROVENANCE_H

#include <json-c/json.h>

#include "lib/refbench.h"

struct rb_prov_opts {
	const char *kconfig;	/* --kernel-config FILE or build dir; else /proc/config.gz */
	const char *lab_json;	/* --lab FILE from the lab host */
	const char *accel;	/* --accel NAME when not from the lab */
	int argc;
	char **argv;
};

/* meta.json content, without status and summary. NULL + err on bad input. */
struct json_object *rb_provenance(const struct rb_env *env, const struct rb_prov_opts *o,
				  char *err, size_t n);
/* meta's kernel.profile from lab.json's kernel build, unless the run has one */
void rb_kernel_profile_from_lab(struct json_object *meta, struct json_object *lab);
/* sha256 hex of a file; gzip files are hashed decompressed. */
int rb_sha256_file(const char *path, char hex[65]);
int rb_sha256_buf(const void *buf, size_t len, char hex[65]);

#endif
