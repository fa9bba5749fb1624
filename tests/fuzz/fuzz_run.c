// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the loaders compare and validate trust, rb_validate_meta
 * and rb_validate_samples. The first byte picks what the rest is:
 *   odd:  a meta.json (its integrity then certifies an empty samples.jsonl)
 *   even: a samples.jsonl, certified by a meta.json built here so that the
 *         record parser is reached (a random sha256 would stop it at once);
 *         bits 1-2 pick the status, bit 3 whether the last line is left out
 *         of the certified bytes (an uncertified tail).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/rundir/read.h"
#include "app/rundir/rundir.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char base_meta[] =
	"{\"schema\":1,\"kernel\":{\"release\":\"6.1\"},\"host\":{},\"pmem\":{},"
	"\"counters\":{\"source\":\"sw\"},\"suite\":{},\"refbench\":{}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const statuses[] = { "complete", "failed", "interrupted", "running" };
	struct json_object *meta, *records = NULL;
	struct rb_run_check c;
	const char *buf = (const char *)data + 1;
	size_t len = size ? size - 1 : 0, certified = len;
	unsigned lines = 0;
	char err[1024];

	if (!size)
		return 0;
	if (data[0] & 1) {
		char *text = malloc(len + 1);

		if (!text)
			return 0;
		memcpy(text, buf, len);
		text[len] = '\0';
		meta = json_tokener_parse(text);
		free(text);
		if (!rb_validate_meta(meta, err, sizeof(err)))
			rb_validate_samples(meta, "", 0, true, &records, &c, err, sizeof(err));
		json_object_put(records);
		json_object_put(meta);
		return 0;
	}
	if (data[0] & 8)	/* leave the last line uncertified */
		while (certified && buf[certified - 1] != '\n')
			certified--;
	for (size_t i = 0; i < certified; i++)
		lines += buf[i] == '\n';
	meta = json_tokener_parse(base_meta);
	json_object_object_add(meta, "status", json_object_new_string(statuses[(data[0] >> 1) & 3]));
	json_object_object_add(meta, "integrity", rb_integrity_json(buf, certified, lines));
	if (!rb_validate_meta(meta, err, sizeof(err)))
		rb_validate_samples(meta, buf, len, !((data[0] >> 1) & 3), &records, &c, err, sizeof(err));
	json_object_put(records);
	json_object_put(meta);
	return 0;
}
