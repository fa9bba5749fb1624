// SPDX-License-Identifier: GPL-2.0
/*
 * What report.txt, report.json and the plots say alike: the verdict as a
 * reader means it, the tallies, the name of a kernel. compare.h has the
 * struct rb_report they are all given; nothing here decides.
 */
#include <stdio.h>
#include <string.h>

#include "app/compare/compare.h"

size_t rb_report_parent(const struct rb_report *r, size_t i)
{
	if (r->ss[i]->family != RB_FAMILY_DERIVED)
		return i;
	for (size_t j = 0; j < r->n; j++)
		if (!strcmp(r->ss[j]->label, r->ss[i]->label) && !strcmp(r->ss[j]->id.metric, r->ss[i]->parent))
			return j;
	return i;
}

enum rb_verdict rb_report_verdict(const struct rb_report *r, size_t i)
{
	enum rb_verdict v = r->res[i].verdict;
	size_t p = rb_report_parent(r, i);

	if (p != i)
		return rb_report_verdict(r, p);
	if (rb_unit_higher_is_better(r->ss[i]->id.unit) && (v == RB_VERDICT_FASTER || v == RB_VERDICT_SLOWER))
		v = v == RB_VERDICT_FASTER ? RB_VERDICT_SLOWER : RB_VERDICT_FASTER;
	return v;
}

struct rb_tally rb_report_tally(const struct rb_report *r, enum rb_family fam)
{
	struct rb_tally t = { 0 };

	for (size_t i = 0; i < r->n; i++) {
		enum rb_verdict v = rb_report_verdict(r, i);
		bool in = r->res[i].within_margin;

		if (r->ss[i]->family != fam)
			continue;
		t.n++;
		t.slower += v == RB_VERDICT_SLOWER;
		t.slower_in += v == RB_VERDICT_SLOWER && in;
		t.faster += v == RB_VERDICT_FASTER;
		t.faster_in += v == RB_VERDICT_FASTER && in;
		t.equivalent += v == RB_VERDICT_EQUIVALENT;
		t.inconclusive += v == RB_VERDICT_INCONCLUSIVE;
	}
	return t;
}

unsigned rb_report_weak_bounds(const struct rb_report *r)
{
	unsigned n = 0;

	for (size_t i = 0; r->exact && i < r->n; i++)
		n += r->ss[i]->family != RB_FAMILY_DERIVED && !r->res[i].status &&
		     r->res[i].bound_source == RB_BOUND_BOOTS;
	return n;
}

/* Name a kernel from lab build-info when there is one, else uname. */
void rb_report_kernel_text(struct json_object *meta, char *buf, size_t n)
{
	struct json_object *bi = NULL, *patches = NULL, *src = NULL;
	char rel[128], tmp[256];
	size_t len;

	rb_json_path_text(meta, "kernel.release", rel, sizeof(rel));
	len = (size_t)snprintf(buf, n, "Linux %s", rel);
	if (json_object_object_get_ex(meta, "lab", &bi) && json_object_object_get_ex(bi, "kernel", &bi) &&
	    json_object_object_get_ex(bi, "build_info", &bi) && json_object_is_type(bi, json_type_object)) {
		if (json_object_object_get_ex(bi, "source", &src)) {
			const char *s = json_object_get_string(json_object_object_get(src, "path"));
			const char *sha = json_object_get_string(json_object_object_get(src, "sha"));
			if (!sha)
				sha = json_object_get_string(json_object_object_get(src, "sha256"));
			const char *ref = json_object_get_string(json_object_object_get(src, "ref"));
			const char *base = s ? strrchr(s, '/') : NULL;
			len += (size_t)snprintf(buf + len, n - len, " from %s%s%s%s%.12s", base ? base + 1 : s ? s : "?",
						ref ? " " : "", ref ? ref : "", sha ? " " : "", sha ? sha : "");
		}
		if (json_object_object_get_ex(bi, "patches", &patches) &&
		    json_object_is_type(patches, json_type_array) && json_object_array_length(patches)) {
			size_t np = json_object_array_length(patches);
			len += (size_t)snprintf(buf + len, n - len, " + %zu patch%s:", np, np > 1 ? "es" : "");
			for (size_t i = 0; i < np && len < n; i++) {
				struct json_object *p = json_object_array_get_idx(patches, i);
				snprintf(tmp, sizeof(tmp), "%s", json_object_get_string(json_object_object_get(p, "subject")));
				len += (size_t)snprintf(buf + len, n - len, " [%zu] %s", i + 1, tmp);
			}
		} else {
			len += (size_t)snprintf(buf + len, n - len, ", no patches");
		}
	}
}
