/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a patch changed in the kernel's code, for compare's "where:" lines:
 * kernels/code-diff (the owner and only writer of the format) reads both
 * images' disassembly and prints
 *   {"changed": [FUNC...], "added": [...], "removed": [...],
 *    "markers": [...], "callees": [FUNC...], "functions": {"a": N, "b": N}}
 * A symbol a metric's instructions moved in is then "patched" (a function
 * the patch changed or added), "callee" (one that code reaches by direct
 * calls and tail jumps) or neither: moved by something other than the
 * patch's code, or reached through an indirect call, which code-diff does
 * not follow.
 */
#ifndef REFBENCH_CODEDIFF_H
#define REFBENCH_CODEDIFF_H

#include <stddef.h>

#include <json-c/json.h>

enum rb_code_kind { RB_CODE_OTHER, RB_CODE_PATCHED, RB_CODE_CALLEE };

struct rb_code_sym {
	char *name;
	enum rb_code_kind kind;
};

struct rb_code_diff {
	char path[512];
	struct json_object *root;	/* as read: compare keeps a copy beside its report */
	size_t n;
	struct rb_code_sym *sym;	/* sorted by name; a name both patched and a callee: patched */
	size_t changed, added, callees;
};

/* 0, or -1 with err naming the file and what is wrong with it */
int rb_code_diff_load(const char *path, struct rb_code_diff *cd, char *err, size_t n);
enum rb_code_kind rb_code_diff_kind(const struct rb_code_diff *cd, const char *name);
const char *rb_code_kind_name(enum rb_code_kind k);
void rb_code_diff_free(struct rb_code_diff *cd);

#endif
