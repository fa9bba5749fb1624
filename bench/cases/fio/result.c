// SPDX-License-Identifier: GPL-2.0
/* fio's --output-format=json, parsed with json-c into the few numbers a
 * sample needs; pure (text in, struct out), so unit tests check it
 * against output stored from real runs. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cases/fio/fio.h"

static struct json_object *jget(struct json_object *o, const char *k)
{
	struct json_object *v = NULL;

	return o && json_object_object_get_ex(o, k, &v) ? v : NULL;
}

static double jnum(struct json_object *o, const char *k, bool *ok)
{
	struct json_object *v = jget(o, k);

	if (!v || !(json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double))) {
		*ok = false;
		return 0;
	}
	return json_object_get_double(v);
}

/* A count: a number in [0, 2^63) (a cast of anything else is undefined). */
static uint64_t jcount(struct json_object *o, const char *k, bool *ok)
{
	double v = jnum(o, k, ok);

	if (!(v >= 0 && v < 9.2e18)) {	/* also false for NaN */
		*ok = false;
		return 0;
	}
	return (uint64_t)v;
}

static int add_dir(struct json_object *d, struct rb_fio_dir *acc, double *lat_w,
		   const char *which, char *err, size_t n)
{
	struct json_object *lat = jget(d, "lat_ns"), *pct;
	bool ok = true;
	uint64_t ios = jcount(d, "total_ios", &ok), bytes = jcount(d, "io_bytes", &ok);
	double iops = jnum(d, "iops", &ok), bw = jnum(d, "bw_bytes", &ok);
	double lat_n, lat_mean;

	if (!ok || !lat) {
		snprintf(err, n, "fio JSON: %s lacks total_ios or io_bytes (counts), iops, bw_bytes "
			 "or lat_ns (not fio 3.x JSON output?)", which);
		return -EINVAL;
	}
	acc->ios += ios;
	acc->bytes += bytes;
	acc->iops += iops;
	acc->bw_bytes += bw;
	lat_n = jnum(lat, "N", &ok);
	lat_mean = jnum(lat, "mean", &ok);
	if (ok && lat_n > 0) {
		acc->lat_mean_ns = (acc->lat_mean_ns * *lat_w + lat_mean * lat_n) / (*lat_w + lat_n);
		*lat_w += lat_n;
	}
	pct = jget(lat, "percentile");
	if (pct && jget(pct, "99.000000")) {
		double p99 = json_object_get_double(jget(pct, "99.000000"));

		if (p99 > acc->lat_p99_ns)
			acc->lat_p99_ns = p99;
	}
	return 0;
}

int rb_fio_parse(const char *text, struct rb_fio_result *r, char *err, size_t n)
{
	const char *start = text;
	struct json_tokener *tok;
	struct json_object *jobs;
	double wr = 0, ww = 0;
	size_t nj;

	memset(r, 0, sizeof(*r));
	r->rd.lat_p99_ns = r->wr.lat_p99_ns = -1;
	/* fio may print notes before the JSON: start at a line opening '{' */
	while (start && *start && *start != '{') {
		start = strchr(start, '\n');
		if (start)
			start++;
	}
	if (!start || !*start) {
		snprintf(err, n, "fio printed no JSON object (first bytes: '%.80s')", text ? text : "");
		return -EINVAL;
	}
	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	r->root = json_tokener_parse_ex(tok, start, (int)strlen(start));
	if (!r->root || json_tokener_get_error(tok) != json_tokener_success) {
		snprintf(err, n, "fio JSON does not parse: %s",
			 json_tokener_error_desc(json_tokener_get_error(tok)));
		json_tokener_free(tok);
		rb_fio_result_free(r);
		return -EINVAL;
	}
	json_tokener_free(tok);
	if (jget(r->root, "fio version"))
		snprintf(r->version, sizeof(r->version), "%s",
			 json_object_get_string(jget(r->root, "fio version")));
	jobs = jget(r->root, "jobs");
	nj = jobs && json_object_is_type(jobs, json_type_array) ? json_object_array_length(jobs) : 0;
	if (!nj) {
		snprintf(err, n, "fio JSON has no jobs[] (did every job fail to start?)");
		rb_fio_result_free(r);
		return -EINVAL;
	}
	r->entries = (unsigned)nj;
	for (size_t i = 0; i < nj; i++) {
		struct json_object *j = json_object_array_get_idx(jobs, i);
		bool ok = true;
		uint64_t ev;
		int e;

		if (add_dir(jget(j, "read"), &r->rd, &wr, "read", err, n) ||
		    add_dir(jget(j, "write"), &r->wr, &ww, "write", err, n)) {
			rb_fio_result_free(r);
			return -EINVAL;
		}
		r->minf += jcount(j, "minf", &ok);
		r->majf += jcount(j, "majf", &ok);
		ev = jcount(j, "error", &ok);
		e = ev > INT_MAX ? INT_MAX : (int)ev;	/* an errno; any non-zero is an error */
		if (!ok) {
			snprintf(err, n, "fio JSON: job %zu lacks minf, majf or error (counts)", i);
			rb_fio_result_free(r);
			return -EINVAL;
		}
		if (e && !r->error) {
			r->error = e;
			snprintf(r->error_job, sizeof(r->error_job), "%s",
				 jget(j, "jobname") ? json_object_get_string(jget(j, "jobname")) : "?");
		}
	}
	return 0;
}

void rb_fio_result_free(struct rb_fio_result *r)
{
	if (r->root)
		json_object_put(r->root);
	r->root = NULL;
}

const char *rb_fio_opt(const struct rb_fio_result *r, const char *key)
{
	struct json_object *jobs = jget(r->root, "jobs"), *v;

	if (jobs && json_object_is_type(jobs, json_type_array) && json_object_array_length(jobs)) {
		v = jget(jget(json_object_array_get_idx(jobs, 0), "job options"), key);
		if (v)
			return json_object_get_string(v);
	}
	v = jget(jget(r->root, "global options"), key);
	return v ? json_object_get_string(v) : NULL;
}

uint64_t rb_fio_ios(const struct rb_fio_result *r)
{
	return r->rd.ios + r->wr.ios;
}

double rb_fio_iops(const struct rb_fio_result *r)
{
	return r->rd.iops + r->wr.iops;
}

double rb_fio_bw_gbs(const struct rb_fio_result *r)
{
	return (r->rd.bw_bytes + r->wr.bw_bytes) / 1e9;
}

double rb_fio_lat_mean(const struct rb_fio_result *r)
{
	uint64_t n = r->rd.ios + r->wr.ios;

	if (!n)
		return 0;
	return (r->rd.lat_mean_ns * (double)r->rd.ios + r->wr.lat_mean_ns * (double)r->wr.ios) / (double)n;
}

double rb_fio_lat_p99(const struct rb_fio_result *r)
{
	return r->rd.lat_p99_ns > r->wr.lat_p99_ns ? r->rd.lat_p99_ns : r->wr.lat_p99_ns;
}

bool rb_fio_faults_ok(uint64_t expected, unsigned jobs, uint64_t buf_pages, uint64_t observed,
		      uint64_t *slack)
{
	uint64_t per_job = jobs ? expected / jobs : expected, s = per_job / 2;

	if (s > 64)
		s = 64;
	*slack = (s + buf_pages) * (jobs ? jobs : 1);
	return observed >= expected && observed <= expected + *slack;
}
