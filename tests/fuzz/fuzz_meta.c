// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the meta.json loader (lib/userfile.h rb_json_parse,
 * what rb_json_load does after its bounded read, then rb_validate_meta),
 * with what it must never let through: text that is not UTF-8, a NUL inside
 * a string (a "\u0000" escape would hide the rest of it from every reader
 * in C) and a value that is not an object. The first byte picks whether an
 * object is required (bit 0); the rest is the file.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/rundir/read.h"
#include "lib/userfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Is s (len bytes) valid UTF-8? Written apart from the loader's own check. */
static int utf8_ok(const unsigned char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		unsigned c = s[i], need, cp;

		if (c < 0x80) { i++; continue; }
		if ((c & 0xe0) == 0xc0) need = 1, cp = c & 0x1f;
		else if ((c & 0xf0) == 0xe0) need = 2, cp = c & 0x0f;
		else if ((c & 0xf8) == 0xf0) need = 3, cp = c & 0x07;
		else return 0;
		for (unsigned k = 1; k <= need; k++) {
			if (i + k >= len || (s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((need == 1 && cp < 0x80) || (need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += need + 1;
	}
	return 1;
}

/* No string (key or value) holds a NUL. */
static int no_nul(struct json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_string:
		return strlen(json_object_get_string(o)) == (size_t)json_object_get_string_len(o);
	case json_type_array:
		for (size_t i = 0; i < json_object_array_length(o); i++)
			if (!no_nul(json_object_array_get_idx(o, i)))
				return 0;
		return 1;
	case json_type_object: {
		json_object_object_foreach(o, k, v) {
			(void)k;
			if (!no_nul(v))
				return 0;
		}
		return 1;
	}
	default:
		return 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data + 1;
	size_t len = size ? size - 1 : 0;
	struct json_object *o;
	char err[512];
	int want_object;

	if (!size)
		return 0;
	want_object = data[0] & 1;
	o = rb_json_parse(buf, len, want_object, err, sizeof(err));
	if (!o) {
		if (!err[0])
			abort();	/* a refusal always says why */
		return 0;
	}
	if (!utf8_ok((const unsigned char *)buf, len) || memchr(buf, '\0', len) || !no_nul(o) ||
	    (want_object && !json_object_is_type(o, json_type_object)))
		abort();
	if (json_object_is_type(o, json_type_object))
		rb_validate_meta(o, err, sizeof(err));
	json_object_put(o);
	return 0;
}
