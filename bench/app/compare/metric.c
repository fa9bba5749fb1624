// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/compare/metric.h"
#include "lib/json.h"
#include "lib/refbench.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The parameters as sorted "k=v" pairs, so that key order never matters. */
static void params_key(struct json_object *params, char *buf, size_t n)
{
	char pair[RB_MAX_PARAMS * 4][160];
	const char *sorted[RB_MAX_PARAMS * 4];
	size_t np = 0, len = 0;

	buf[0] = '\0';
	json_object_object_foreach(params, k, v) {
		if (np == sizeof(sorted) / sizeof(sorted[0]))
			break;
		snprintf(pair[np], sizeof(pair[np]), "%s=%s", k, json_object_get_string(v));
		sorted[np] = pair[np];
		np++;
	}
	qsort(sorted, np, sizeof(sorted[0]), cmp_str);
	for (size_t i = 0; i < np && len < n; i++)
		len += (size_t)snprintf(buf + len, n - len, "%s\x1f", sorted[i]);
}

int rb_metric_id_read(struct json_object *o, struct rb_metric_id *id)
{
	struct json_object *p = rb_json_get(o, "params", json_type_object);
	const char *f[] = { rb_json_get_str(o, "case"), rb_json_get_str(o, "kind"),
			    rb_json_get_str(o, "metric"), rb_json_get_str(o, "unit") };

	memset(id, 0, sizeof(*id));
	rb_strlcpy(id->casename, f[0] ? f[0] : "", sizeof(id->casename));
	rb_strlcpy(id->kind, f[1] ? f[1] : "", sizeof(id->kind));
	rb_strlcpy(id->metric, f[2] ? f[2] : "", sizeof(id->metric));
	rb_strlcpy(id->unit, f[3] ? f[3] : "", sizeof(id->unit));
	if (p) {
		rb_strlcpy(id->params, json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN),
			   sizeof(id->params));
		params_key(p, id->params_key, sizeof(id->params_key));
	} else {
		rb_strlcpy(id->params, "{}", sizeof(id->params));
	}
	return f[0] && f[1] && f[2] && f[3] && p ? 0 : -1;
}

void rb_metric_id_write(const struct rb_metric_id *id, struct json_object *o)
{
	json_object_object_add(o, "case", json_object_new_string(id->casename));
	json_object_object_add(o, "kind", json_object_new_string(id->kind));
	json_object_object_add(o, "params", json_tokener_parse(id->params));
	json_object_object_add(o, "metric", json_object_new_string(id->metric));
	json_object_object_add(o, "unit", json_object_new_string(id->unit));
}

bool rb_metric_id_same_params(const struct rb_metric_id *a, const struct rb_metric_id *b)
{
	return !strcmp(a->params_key, b->params_key);
}

bool rb_metric_id_equal(const struct rb_metric_id *a, const struct rb_metric_id *b)
{
	return !strcmp(a->casename, b->casename) && !strcmp(a->kind, b->kind) &&
	       !strcmp(a->metric, b->metric) && !strcmp(a->unit, b->unit) &&
	       rb_metric_id_same_params(a, b);
}
