// SPDX-License-Identifier: GPL-2.0
/* kernels/code-diff's JSON, read for compare's "where:" lines (codediff.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "app/compare/codediff.h"
#include "lib/refbench.h"
#include "lib/userfile.h"

/* by name, and of equal names the patched one first */
static int by_name(const void *a, const void *b)
{
	const struct rb_code_sym *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->kind == RB_CODE_PATCHED ? 0 : 1) - (y->kind == RB_CODE_PATCHED ? 0 : 1);
}

/* Appends root's array `key` with kind k; -1 when it is not an array of strings. */
static int add_list(struct rb_code_diff *cd, struct json_object *root, const char *key,
		    enum rb_code_kind k, size_t *count)
{
	struct json_object *a;
	size_t len;

	if (!json_object_object_get_ex(root, key, &a) || !json_object_is_type(a, json_type_array))
		return -1;
	len = json_object_array_length(a);
	if (!(cd->sym = realloc(cd->sym, (cd->n + len + 1) * sizeof(*cd->sym))))
		abort();
	for (size_t i = 0; i < len; i++) {
		struct json_object *s = json_object_array_get_idx(a, i);
		char *hash;

		if (!json_object_is_type(s, json_type_string))
			return -1;
		if (!(cd->sym[cd->n].name = strdup(json_object_get_string(s))))
			abort();
		/* a name that recurs in the image (static functions) is counted: FUNC#2 */
		if ((hash = strchr(cd->sym[cd->n].name, '#')))
			*hash = '\0';
		cd->sym[cd->n++].kind = k;
	}
	*count = len;
	return 0;
}

int rb_code_diff_load(const char *path, struct rb_code_diff *cd, char *err, size_t n)
{
	struct json_object *root;
	char why[512];

	memset(cd, 0, sizeof(*cd));
	rb_strlcpy(cd->path, path, sizeof(cd->path));
	if (!(root = rb_json_load(path, RB_USER_JSON_MAX, true, why, sizeof(why)))) {
		snprintf(err, n, "--code-diff %s: %s%s", path, why,
			 errno == ENOENT ? " (make it with kernels/code-diff KERNEL_A KERNEL_B >FILE)" : "");
		return -1;
	}
	if (add_list(cd, root, "changed", RB_CODE_PATCHED, &cd->changed) ||
	    add_list(cd, root, "added", RB_CODE_PATCHED, &cd->added) ||
	    add_list(cd, root, "callees", RB_CODE_CALLEE, &cd->callees)) {
		cd->root = root;
		rb_code_diff_free(cd);
		snprintf(err, n, "--code-diff %s: not kernels/code-diff's output (it needs the arrays "
			 "changed, added and callees, of function names)", path);
		return -1;
	}
	cd->root = root;
	qsort(cd->sym, cd->n, sizeof(*cd->sym), by_name);
	return 0;
}

enum rb_code_kind rb_code_diff_kind(const struct rb_code_diff *cd, const char *name)
{
	size_t lo = 0, hi = cd ? cd->n : 0;

	if (!name)
		return RB_CODE_OTHER;
	while (lo < hi) {	/* the first of equal names: the patched one, if any */
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(cd->sym[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return cd && lo < cd->n && !strcmp(cd->sym[lo].name, name) ? cd->sym[lo].kind : RB_CODE_OTHER;
}

const char *rb_code_kind_name(enum rb_code_kind k)
{
	return k == RB_CODE_PATCHED ? "patched" : k == RB_CODE_CALLEE ? "callee" : "other";
}

void rb_code_diff_free(struct rb_code_diff *cd)
{
	for (size_t i = 0; i < cd->n; i++)
		free(cd->sym[i].name);
	free(cd->sym);
	if (cd->root)
		json_object_put(cd->root);
	memset(cd, 0, sizeof(*cd));
}
