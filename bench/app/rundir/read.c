// SPDX-License-Identifier: GPL-2.0
/*
 * refbench validate DIR...: a run against the schema and what its meta.json
 * certifies. Only the certified bytes of samples.jsonl are read; they must
 * hash to integrity.sha256, hold integrity.records records in the points
 * points_done lists, and a complete run may hold nothing more. Every sample
 * must carry a unit, a finite value, counters with their source, and a
 * verification record whose checks all passed; every non-sample record a
 * reason. Used by the tests, by compare before it trusts a run and by
 * resume before it reuses one.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/rundir/read.h"
#include "app/rundir/rundir.h"
#include "lib/json.h"
#include "lib/userfile.h"

#define BAD(...) do { snprintf(err, n, __VA_ARGS__); return -1; } while (0)

int rb_validate_record(struct json_object *r, char *err, size_t n)
{
	struct json_object *v, *c, *vals;
	const char *type;

	if (!rb_json_get(r, "schema", json_type_int) || json_object_get_int(rb_json_get(r, "schema", json_type_int)) != RB_SCHEMA_VERSION)
		BAD("schema is not %d", RB_SCHEMA_VERSION);
	if (!(v = rb_json_get(r, "type", json_type_string)))
		BAD("no type");
	type = json_object_get_string(v);
	if (!rb_json_get(r, "case", json_type_string) || !rb_json_get(r, "kind", json_type_string) ||
	    !rb_json_get(r, "params", json_type_object))
		BAD("no case, kind or params");
	if (strcmp(type, "sample")) {
		if (strcmp(type, "rejected") && strcmp(type, "skipped") && strcmp(type, "unsupported") &&
		    strcmp(type, "error"))
			BAD("unknown type '%s'", type);
		if (!rb_json_get(r, "reason", json_type_string) || !*json_object_get_string(rb_json_get(r, "reason", json_type_string)))
			BAD("%s record without a reason", type);
		return 0;
	}
	if (!rb_json_get(r, "metric", json_type_string) || !rb_json_get(r, "unit", json_type_string))
		BAD("sample without metric or unit");
	v = json_object_object_get(r, "value");
	if (!v || !(json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)) ||
	    !isfinite(json_object_get_double(v)))
		BAD("sample value missing or not finite");
	{
		char why[160];

		if (!rb_value_possible(json_object_get_string(rb_json_get(r, "unit", json_type_string)),
				       json_object_get_double(v), why, sizeof(why)))
			BAD("sample %s: %s", json_object_get_string(rb_json_get(r, "metric", json_type_string)), why);
	}
	if (!(c = rb_json_get(r, "counters", json_type_object)) || !rb_json_get(c, "source", json_type_string) ||
	    !(vals = rb_json_get(c, "values", json_type_object)))
		BAD("sample without counters {source, values}");
	json_object_object_foreach(vals, name, cv) {
		if (!rb_json_get(cv, "source", json_type_string) || !rb_json_get(cv, "scope", json_type_string))
			BAD("counter %s without source or scope", name);
	}
	if (!rb_json_get(r, "clock", json_type_string))
		BAD("sample without clock source");
	if (!(v = rb_json_get(r, "verify", json_type_object)) || !rb_json_get(v, "ok", json_type_boolean) ||
	    !(c = rb_json_get(v, "checks", json_type_array)))
		BAD("sample without verification record");
	if (!json_object_get_boolean(rb_json_get(v, "ok", json_type_boolean)) || !json_object_array_length(c))
		BAD("sample reported although its verification failed or is empty");
	return 0;
}

const char *rb_run_resolve(const char *dir, char *buf, size_t n)
{
	char p[PATH_MAX + 32];

	snprintf(p, sizeof(p), "%s/meta.json", dir);
	if (access(p, F_OK)) {
		snprintf(p, sizeof(p), "%s/run/meta.json", dir);
		if (!access(p, F_OK)) {
			snprintf(buf, n, "%s/run", dir);
			return buf;
		}
	}
	rb_strlcpy(buf, dir, n);
	return buf;
}

static const char *const statuses[] = { "running", "complete", "failed", "interrupted", NULL };

static bool is_sha256(const char *s)
{
	size_t i;

	for (i = 0; s && s[i]; i++)
		if (!strchr("0123456789abcdef", s[i]))
			return false;
	return i == 64;
}

static bool count_of(struct json_object *o, const char *k, int64_t *v)
{
	struct json_object *j = rb_json_get(o, k, json_type_int);

	if (!j || json_object_get_int64(j) < 0)
		return false;
	*v = json_object_get_int64(j);
	return true;
}

int rb_validate_meta(struct json_object *m, char *err, size_t n)
{
	static const char *const objs[] = { "kernel", "host", "pmem", "counters", "suite", "refbench", NULL };
	struct json_object *in, *pd;
	const char *st;
	int64_t v, sum = 0;
	bool known = false;

	if (!m || !json_object_is_type(m, json_type_object))
		BAD("meta.json is not a JSON object");
	if (!rb_json_get(m, "schema", json_type_int) || json_object_get_int(rb_json_get(m, "schema", json_type_int)) != RB_SCHEMA_VERSION)
		BAD("meta.json schema is not %d", RB_SCHEMA_VERSION);
	for (const char *const *k = objs; *k; k++)
		if (!rb_json_get(m, *k, json_type_object))
			BAD("meta.json has no '%s' object", *k);
	if (!rb_json_get(m, "status", json_type_string))
		BAD("meta.json has no status");
	st = json_object_get_string(rb_json_get(m, "status", json_type_string));
	for (const char *const *s = statuses; *s; s++)
		known |= !strcmp(st, *s);
	if (!known)
		BAD("meta.json status '%s' is not one of running, complete, failed, interrupted", st);
	if (!rb_json_get(rb_json_get(m, "kernel", json_type_object), "release", json_type_string))
		BAD("meta.json kernel.release missing");
	if (!rb_json_get(rb_json_get(m, "counters", json_type_object), "source", json_type_string))
		BAD("meta.json counters.source missing");
	if (!(in = rb_json_get(m, "integrity", json_type_object)))
		BAD("meta.json has no integrity record (records, bytes and sha256 of samples.jsonl): "
		    "refbench writes one with every point; this run is older or was not written by it");
	if (!count_of(in, "records", &v) || !count_of(in, "bytes", &v) ||
	    !rb_json_get(in, "sha256", json_type_string) ||
	    !is_sha256(json_object_get_string(rb_json_get(in, "sha256", json_type_string))))
		BAD("meta.json integrity needs records and bytes (counts) and sha256 (64 hex digits)");
	if (!(pd = json_object_object_get(m, "points_done")))
		return 0;	/* optional: without it a run cannot be resumed */
	if (!json_object_is_type(pd, json_type_array))
		BAD("meta.json points_done is not an array");
	for (size_t i = 0; i < json_object_array_length(pd); i++) {
		struct json_object *p = json_object_array_get_idx(pd, i);

		if (!count_of(p, "records", &v) || !rb_json_get(p, "case", json_type_string) ||
		    !rb_json_get(p, "kind", json_type_string) || !rb_json_get(p, "params", json_type_object) ||
		    !rb_json_get(p, "outcome", json_type_string))
			BAD("meta.json points_done[%zu] needs case, kind, params, records and outcome", i);
		sum += v;
	}
	count_of(in, "records", &v);
	if (sum != v)
		BAD("meta.json points_done account for %lld records, integrity.records says %lld",
		    (long long)sum, (long long)v);
	return 0;
}

/* The record's point must be the one points_done says it belongs to. */
static int check_owner(struct json_object *rec, struct json_object *pd, unsigned line,
		       unsigned *pi, int64_t *left, char *err, size_t n)
{
	struct json_object *p;

	if (!pd)
		return 0;
	while (*left == 0 && *pi < json_object_array_length(pd))
		count_of(json_object_array_get_idx(pd, (*pi)++), "records", left);
	p = json_object_array_get_idx(pd, *pi - 1);
	(*left)--;
	if (strcmp(json_object_get_string(rb_json_get(rec, "case", json_type_string)),
		   json_object_get_string(rb_json_get(p, "case", json_type_string))) ||
	    strcmp(json_object_get_string(rb_json_get(rec, "kind", json_type_string)),
		   json_object_get_string(rb_json_get(p, "kind", json_type_string))) ||
	    !json_object_equal(rb_json_get(rec, "params", json_type_object), rb_json_get(p, "params", json_type_object)))
		BAD("samples.jsonl line %u is not a record of points_done[%u] (%s %s), as meta.json says",
		    line, *pi - 1, json_object_get_string(rb_json_get(p, "case", json_type_string)),
		    json_object_get_string(rb_json_get(p, "kind", json_type_string)));
	return 0;
}

static unsigned count_lines(const char *buf, size_t len)
{
	unsigned c = 0;

	for (const char *p = buf; p && (p = memchr(p, '\n', len - (size_t)(p - buf))); p++)
		c++;
	return c;
}

int rb_validate_samples(struct json_object *meta, const char *buf, size_t len, bool exact,
			struct json_object **records_out, struct rb_run_check *c,
			char *err, size_t n)
{
	struct json_object *in = rb_json_get(meta, "integrity", json_type_object);
	struct json_object *pd = rb_json_get(meta, "points_done", json_type_array), *records;
	struct json_tokener *tok;
	int64_t want_rec = 0, want_bytes = 0, left = 0;
	struct json_object *sha;
	unsigned line = 0, pi = 0;
	size_t off = 0;
	int r = 0;

	count_of(in, "records", &want_rec);
	count_of(in, "bytes", &want_bytes);
	if ((int64_t)len < want_bytes)
		BAD("samples.jsonl is truncated: %u of %lld certified records, %zu of %lld bytes",
		    count_lines(buf, len), (long long)want_rec, len, (long long)want_bytes);
	sha = rb_integrity_json(buf, (size_t)want_bytes, 0);
	if (strcmp(json_object_get_string(json_object_object_get(sha, "sha256")),
		   json_object_get_string(rb_json_get(in, "sha256", json_type_string)))) {
		json_object_put(sha);
		BAD("samples.jsonl does not match the sha256 meta.json certifies for its first %lld "
		    "bytes: it changed after refbench wrote it", (long long)want_bytes);
	}
	json_object_put(sha);
	if (exact && (int64_t)len > want_bytes)
		BAD("samples.jsonl has %lld bytes after the %lld certified records: written after "
		    "meta.json certified it, or appended later", (long long)len - want_bytes,
		    (long long)want_rec);
	if (!(tok = json_tokener_new()))
		BAD("out of memory");
	records = json_object_new_array();
	while (!r && off < (size_t)want_bytes) {
		const char *s = buf + off, *nl = memchr(s, '\n', (size_t)want_bytes - off);
		size_t ll = nl ? (size_t)(nl - s) : (size_t)want_bytes - off;
		struct json_object *rec;
		char e2[256];

		line++;
		json_tokener_reset(tok);
		/* the same text rules as every JSON file refbench reads */
		if (rb_json_text_check(s, ll, e2, sizeof(e2))) {
			snprintf(err, n, "samples.jsonl line %u: %s", line, e2);
			r = -1;
			break;
		}
		rec = ll ? json_tokener_parse_ex(tok, s, (int)ll) : NULL;
		if (!nl || !rec || json_tokener_get_parse_end(tok) != ll) {
			snprintf(err, n, "samples.jsonl line %u: %s", line,
				 !nl ? "the last certified line does not end in a newline" : "not one JSON object");
			r = -1;
		} else if (rb_validate_record(rec, e2, sizeof(e2))) {
			snprintf(err, n, "samples.jsonl line %u: %s", line, e2);
			r = -1;
		} else if ((int64_t)line > want_rec) {
			snprintf(err, n, "samples.jsonl: more lines in the certified bytes than the %lld "
				 "records meta.json certifies", (long long)want_rec);
			r = -1;
		} else {
			r = check_owner(rec, pd, line, &pi, &left, err, n);
		}
		if (r)
			json_object_put(rec);
		else
			json_object_array_add(records, rec);
		off += ll + 1;
	}
	json_tokener_free(tok);
	if (!r && (int64_t)line != want_rec) {
		snprintf(err, n, "samples.jsonl: %u records in the certified bytes, meta.json certifies "
			 "%lld records", line, (long long)want_rec);
		r = -1;
	}
	if (!r && c) {
		c->records = line;
		c->points = pd ? (unsigned)json_object_array_length(pd) : 0;
		c->tail = len - (size_t)want_bytes;
	}
	if (!r && records_out)
		*records_out = json_object_get(records);
	json_object_put(records);
	return r;
}

int rb_validate_run(const char *dir, struct rb_run_check *c, struct json_object **meta_out,
		    struct json_object **records_out, char *err, size_t n)
{
	char path[4096 + 32], e2[RB_ERR_LEN];
	struct json_object *meta;
	struct rb_run_check tmp;
	int64_t bytes = 0;
	char *buf;
	size_t len;
	int r;

	c = c ? c : &tmp;
	memset(c, 0, sizeof(*c));
	snprintf(path, sizeof(path), "%s/meta.json", dir);
	meta = rb_json_load(path, RB_USER_JSON_MAX, true, e2, sizeof(e2));
	if (!meta || rb_validate_meta(meta, e2, sizeof(e2))) {
		snprintf(err, n, "%s%s %s", path, !meta && errno == ENOENT ? " missing:" : ":", e2);
		json_object_put(meta);
		return -1;
	}
	c->status = json_object_get_string(rb_json_get(meta, "status", json_type_string));
	c->reason = rb_json_get(meta, "reason", json_type_string) ?
		    json_object_get_string(rb_json_get(meta, "reason", json_type_string)) : NULL;
	c->live = !strcmp(c->status, "running") && rb_run_locked(dir);
	snprintf(path, sizeof(path), "%s/samples.jsonl", dir);
	count_of(rb_json_get(meta, "integrity", json_type_object), "bytes", &bytes);
	r = rb_user_file_read(path, RB_SAMPLES_MAX, &buf, &len, e2, sizeof(e2));
	if (r && (r != -ENOENT || bytes || !strcmp(c->status, "complete"))) {
		snprintf(err, n, "%s: samples.jsonl %s%s", dir, r == -ENOENT ? "is missing: " : "", e2);
		json_object_put(meta);
		return -1;
	}
	r = rb_validate_samples(meta, buf ? buf : "", len, !strcmp(c->status, "complete"),
				records_out, c, e2, sizeof(e2));
	free(buf);
	if (r) {
		snprintf(err, n, "%s: %s", dir, e2);
		json_object_put(meta);
		return -1;
	}
	if (meta_out)
		*meta_out = meta;
	else
		json_object_put(meta);
	return 0;
}

int rb_validate_dir(const char *dir, bool need_complete, struct json_object **meta_out,
		    struct json_object **records_out, char *err, size_t n)
{
	struct json_object *meta = NULL, *records = NULL;
	struct rb_run_check c;

	if (rb_validate_run(dir, &c, &meta, &records, err, n))
		return -1;
	if (need_complete && strcmp(c.status, "complete")) {
		snprintf(err, n, "%s: run status is '%s', not complete%s%s", dir, c.status,
			 c.reason ? ": " : !strcmp(c.status, "running") ?
			 (c.live ? " (still being written)" : " (never closed: its refbench died or was killed)") : "",
			 c.reason ? c.reason : "");
		json_object_put(meta);
		json_object_put(records);
		return -1;
	}
	if (meta_out)
		*meta_out = json_object_get(meta);
	if (records_out)
		*records_out = json_object_get(records);
	json_object_put(meta);
	json_object_put(records);
	return 0;
}

bool rb_runs_same(const char *dir_a, struct json_object *meta_a, const char *dir_b,
		  struct json_object *meta_b)
{
	char ra[PATH_MAX], rb[PATH_MAX];

	if (realpath(dir_a, ra) && realpath(dir_b, rb) && !strcmp(ra, rb))
		return true;
	/* A copy carries the same meta.json, its integrity checksum included.
	 * The samples alone do not tell: two deterministic boots of one
	 * kernel give the same bytes, and their lab records still differ. */
	return meta_a && meta_b && json_object_equal(meta_a, meta_b);
}

static void certified(const char *dir, const struct rb_run_check *c, char *buf, size_t n)
{
	size_t len = (size_t)snprintf(buf, n, "%u records of %u points certified", c->records, c->points);

	if (c->tail && len < n)
		len += (size_t)snprintf(buf + len, n - len, "; %zu bytes of samples.jsonl not certified, "
					"not read", c->tail);
	if (strcmp(c->status, "failed") && len < n)
		snprintf(buf + len, n - len, "; resume: refbench run --resume %s", dir);
}

int rb_cmd_validate(int argc, char **argv)
{
	char err[RB_ERR_LEN], what[RB_ERR_LEN];
	bool complete = false;
	int bad = 0, first = 1;

	static const char usage[] = "usage: refbench validate [--complete] RUN_DIR...\n"
		"  checks each run against the schema and the checksums its meta.json\n"
		"  certifies; exit 0 when every run is valid and closed (with --complete:\n"
		"  and complete)\n";

	/* asked for: on stdout, exit 0; a wrong command line: stderr, exit 2 */
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "--complete"))
		complete = true, first = 2;
	if (argc <= first || argv[first][0] == '-') {
		fputs(usage, stderr);
		return RB_EXIT_USAGE;
	}
	for (int i = first; i < argc; i++) {
		struct rb_run_check c;
		struct json_object *meta = NULL;
		char rd[PATH_MAX];
		const char *d = rb_run_resolve(argv[i], rd, sizeof(rd));

		if (rb_validate_run(d, &c, &meta, NULL, err, sizeof(err))) {
			fprintf(stderr, "refbench: invalid: %s\n", err);
			bad = 1;
			continue;
		}
		certified(d, &c, what, sizeof(what));
		if (!strcmp(c.status, "running")) {
			fprintf(stderr, "refbench: incomplete: %s: %s; %s\n", d, c.live ?
				"still being written (a live refbench holds its lock)" :
				"never closed (status 'running', no close record): the refbench writing "
				"it died or was killed", what);
			bad = 1;
		} else if (!strcmp(c.status, "complete")) {
			printf("%s: valid, complete: %u records (%u points), sha256 ok\n", d, c.records, c.points);
		} else {
			printf("%s: valid, %s: %s (%s)\n", d, c.status, c.reason ? c.reason : "no reason given",
			       what);
			if (complete) {
				fprintf(stderr, "refbench: %s: not complete (%s)\n", d, c.status);
				bad = 1;
			}
		}
		json_object_put(meta);
	}
	return bad;
}
