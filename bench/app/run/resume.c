// SPDX-License-Identifier: GPL-2.0
/* refbench run --resume DIR: see resume.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/run/provenance.h"
#include "app/run/resume.h"
#include "lib/json.h"

int rb_resume_open(const char *dir, struct rb_resume *rs, char *err, size_t n)
{
	char e2[RB_ERR_LEN];

	char rd[PATH_MAX];

	memset(rs, 0, sizeof(*rs));
	if (!realpath(rb_run_resolve(dir, rd, sizeof(rd)), rs->dir)) {
		snprintf(err, n, "--resume %s: %s", dir, strerror(errno));
		return -1;
	}
	if (rb_validate_run(rs->dir, &rs->c, &rs->meta, &rs->records, e2, sizeof(e2))) {
		snprintf(err, n, "--resume %s: cannot be resumed: %s", dir, e2);
		return -1;
	}
	if (!strcmp(rs->c.status, "complete"))
		snprintf(err, n, "--resume %s: the run is complete: nothing to resume (compare it as it is)", dir);
	else if (rs->c.live)
		snprintf(err, n, "--resume %s: a live refbench is still writing it: stop it first", dir);
	else if (!rb_json_path(rs->meta, "points_done") || !rb_resume_suite_text(rs))
		snprintf(err, n, "--resume %s: its meta.json has no points_done or suite text (an older "
			 "run, or a stub): start a new run", dir);
	else
		return 0;
	rb_resume_close(rs);
	return -1;
}

const char *rb_resume_suite_text(const struct rb_resume *rs)
{
	return rb_json_get_str(rb_json_path(rs->meta, "suite"), "text");
}

const char *rb_resume_suite_name(const struct rb_resume *rs)
{
	return rb_json_get_str(rb_json_path(rs->meta, "suite"), "name");
}

const char *rb_resume_override(const struct rb_resume *rs, const char *key)
{
	struct json_object *o = rb_json_path(rs->meta, "suite.overrides");

	return o ? rb_json_get_str(o, key) : NULL;
}

int rb_resume_check(const struct rb_resume *rs, struct json_object *meta, char *err, size_t n)
{
	static const char *const suite_paths[] = { "suite.text", "suite.overrides", NULL };
	const char *const *lists[] = { suite_paths, rb_prov_match_paths, rb_prov_arm_paths, rb_prov_host_paths };
	size_t len = 0;

	err[0] = '\0';
	for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++)
		for (const char *const *p = lists[l]; *p; p++) {
			char was[512], now[512];

			rb_json_path_text(rs->meta, *p, was, sizeof(was));
			rb_json_path_text(meta, *p, now, sizeof(now));
			if (strcmp(was, now) && len < n)
				len += (size_t)snprintf(err + len, n - len, "%s%s: '%.100s' in the resumed run, "
							"'%.100s' here", len ? "; " : "", *p, was, now);
		}
	if (!len)
		return 0;
	if (strstr(err, "suite.") == err) {
		char tmp[2048];

		snprintf(tmp, sizeof(tmp), "the suite differs from the resumed run's (%s): resume with "
			 "its suite and --repeat/--warmup, or start a new run", err);
		rb_strlcpy(err, tmp, n);
	} else {
		char tmp[2048];

		snprintf(tmp, sizeof(tmp), "%s was measured elsewhere, so its points cannot join this run: %s",
			 rs->dir, err);
		rb_strlcpy(err, tmp, n);
	}
	return -1;
}

static bool same_point(struct json_object *done, struct json_object *planned)
{
	static const char *const keys[] = { "case", "kind", "params", "repeat", "warmup", NULL };

	for (const char *const *k = keys; *k; k++)
		if (!json_object_equal(json_object_object_get(done, *k), json_object_object_get(planned, *k)))
			return false;
	return true;
}

int rb_resume_attach(struct rb_resume *rs, struct rb_plan *plan, struct json_object *meta,
		     char *err, size_t n)
{
	struct json_object *pd = rb_json_path(rs->meta, "points_done"), *note;
	const char *sha = rb_json_get_str(rb_json_path(rs->meta, "integrity"), "sha256");
	size_t off = 0;
	int last = -1;

	for (size_t j = 0; j < json_object_array_length(pd); j++) {
		struct json_object *d = json_object_array_get_idx(pd, j), *planned, *from;
		int idx = json_object_get_int(rb_json_path(d, "index"));
		int64_t nrec = json_object_get_int64(rb_json_path(d, "records"));
		const char *outcome = rb_json_get_str(d, "outcome");
		struct rb_plan_point *pp;

		if (!rb_json_path(d, "index") || idx <= last || idx >= (int)plan->n) {
			snprintf(err, n, "--resume %s: points_done[%zu] has no index after %d within the "
				 "%u points of the plan", rs->dir, j, last, plan->n);
			return -1;
		}
		last = idx;
		pp = &plan->p[idx];
		planned = rb_plan_point_json(plan, (unsigned)idx);
		if (!same_point(d, planned)) {
			snprintf(err, n, "--resume %s: points_done[%zu] is not point %d of this plan (%s)",
				 rs->dir, j, idx, json_object_to_json_string(planned));
			json_object_put(planned);
			return -1;
		}
		json_object_put(planned);
		if (strcmp(outcome, "measured") && strcmp(outcome, "rejected")) {
			off += (size_t)nrec;	/* skipped, unsupported, error: run it again */
			continue;
		}
		pp->reuse = json_object_new_array();
		for (int64_t i = 0; i < nrec; i++)
			json_object_array_add(pp->reuse, json_object_get(
				json_object_array_get_idx(rs->records, off + (size_t)i)));
		off += (size_t)nrec;
		/* where it was measured: kept along a chain of resumes */
		if ((from = rb_json_path(d, "from")) && json_object_is_type(from, json_type_object)) {
			pp->from = json_object_get(from);
		} else {
			pp->from = json_object_new_object();
			json_object_object_add(pp->from, "dir", json_object_new_string(rs->dir));
			json_object_object_add(pp->from, "sha256", json_object_new_string(sha));
		}
		rs->reused++;
		rs->records_reused += (unsigned)nrec;
	}
	note = json_object_new_object();
	json_object_object_add(note, "dir", json_object_new_string(rs->dir));
	json_object_object_add(note, "sha256", json_object_new_string(sha));
	json_object_object_add(note, "status", json_object_new_string(rs->c.status));
	json_object_object_add(note, "reason", rs->c.reason ? json_object_new_string(rs->c.reason) : NULL);
	json_object_object_add(note, "points_reused", json_object_new_int((int)rs->reused));
	json_object_object_add(note, "records_reused", json_object_new_int((int)rs->records_reused));
	json_object_object_add(meta, "resumed_from", note);
	return 0;
}

void rb_resume_close(struct rb_resume *rs)
{
	json_object_put(rs->meta);
	json_object_put(rs->records);
	rs->meta = rs->records = NULL;
}
