// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "output.h"

int rb_write_atomic(const char *path, const char *data, size_t len)
{
	char tmp[PATH_MAX + 16];
	int fd, err = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0) {
			err = -errno;
			break;
		}
		off += (size_t)w;
	}
	if (!err && fsync(fd))
		err = -errno;
	if (!err && fchmod(fd, 0644))
		err = -errno;
	close(fd);
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

char *rb_iso_time(char *buf, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

int rb_run_check_dir(const char *dir, char *err, size_t n)
{
	char p[PATH_MAX + 32];
	struct stat st;

	if (stat(dir, &st)) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, n, "output directory %s: %s", dir, strerror(errno));
		return -errno;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, n, "output %s exists and is not a directory: choose a new -o DIR", dir);
		return -ENOTDIR;
	}
	for (const char *const *f = (const char *const[]){ "meta.json", "samples.jsonl", NULL }; *f; f++) {
		snprintf(p, sizeof(p), "%s/%s", dir, *f);
		if (!access(p, F_OK)) {
			snprintf(err, n, "output directory %s already holds a run (%s); runs are "
				 "never overwritten: choose a new -o DIR", dir, *f);
			return -EEXIST;
		}
	}
	return 0;
}

static int mkdir_p(const char *dir)
{
	char tmp[PATH_MAX];

	rb_strlcpy(tmp, dir, sizeof(tmp));
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

static int write_json(const char *dir, const char *name, struct json_object *o)
{
	char path[PATH_MAX + 32];
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
						       JSON_C_TO_STRING_NOSLASHESCAPE);
	char *buf;
	int err;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (asprintf(&buf, "%s\n", s) < 0)
		return -ENOMEM;
	err = rb_write_atomic(path, buf, strlen(buf));
	free(buf);
	return err;
}

int rb_run_create(struct rb_run *r, const char *dir, struct json_object *meta,
		  char *err, size_t n)
{
	int e;

	memset(r, 0, sizeof(*r));
	if ((e = rb_run_check_dir(dir, err, n)))
		return e;
	if ((e = mkdir_p(dir))) {
		snprintf(err, n, "cannot create output directory %s: %s", dir, strerror(-e));
		return e;
	}
	rb_strlcpy(r->dir, dir, sizeof(r->dir));
	r->meta = meta;
	r->records = json_object_new_array();
	json_object_object_add(meta, "status", json_object_new_string("running"));
	if ((e = write_json(dir, "meta.json", meta)) || (e = rb_run_flush(r))) {
		snprintf(err, n, "writing to %s: %s", dir, strerror(-e));
		return e;
	}
	return 0;
}

void rb_run_add(struct rb_run *r, struct json_object *rec)
{
	const char *type = json_object_get_string(json_object_object_get(rec, "type"));

	if (!strcmp(type, "sample")) r->samples++;
	else if (!strcmp(type, "rejected")) r->rejected++;
	else if (!strcmp(type, "skipped")) r->skipped++;
	else if (!strcmp(type, "unsupported")) r->unsupported++;
	else r->errors++;
	json_object_array_add(r->records, rec);
}

int rb_run_flush(struct rb_run *r)
{
	size_t cap = 1 << 16, len = 0, nrec = json_object_array_length(r->records);
	char *buf = malloc(cap), path[PATH_MAX + 32];
	int err;

	if (!buf)
		return -ENOMEM;
	buf[0] = '\0';
	for (size_t i = 0; i < nrec; i++) {
		const char *s = json_object_to_json_string_ext(json_object_array_get_idx(r->records, i),
							       JSON_C_TO_STRING_PLAIN |
							       JSON_C_TO_STRING_NOSLASHESCAPE);
		size_t sl = strlen(s);

		while (len + sl + 2 > cap) {
			char *nb = realloc(buf, cap *= 2);
			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
		}
		memcpy(buf + len, s, sl);
		len += sl;
		buf[len++] = '\n';
	}
	snprintf(path, sizeof(path), "%s/samples.jsonl", r->dir);
	err = rb_write_atomic(path, buf, len);
	free(buf);
	return err;
}

int rb_run_finish(struct rb_run *r, const char *status, const char *reason)
{
	struct json_object *sum = json_object_new_object();
	char t[32];
	int err;

	json_object_object_add(sum, "samples", json_object_new_int((int)r->samples));
	json_object_object_add(sum, "rejected", json_object_new_int((int)r->rejected));
	json_object_object_add(sum, "skipped", json_object_new_int((int)r->skipped));
	json_object_object_add(sum, "unsupported", json_object_new_int((int)r->unsupported));
	json_object_object_add(sum, "errors", json_object_new_int((int)r->errors));
	json_object_object_add(r->meta, "summary", sum);
	json_object_object_add(r->meta, "finished", json_object_new_string(rb_iso_time(t, sizeof(t))));
	json_object_object_add(r->meta, "status", json_object_new_string(status));
	if (reason)
		json_object_object_add(r->meta, "reason", json_object_new_string(reason));
	err = rb_run_flush(r);
	if (!err)
		err = write_json(r->dir, "meta.json", r->meta);
	return err;
}

void rb_run_free(struct rb_run *r)
{
	if (r->records)
		json_object_put(r->records);
	r->records = NULL;
}

static struct json_object *params_json(const struct rb_params *p)
{
	struct json_object *o = json_object_new_object();

	for (unsigned i = 0; i < p->n; i++)
		json_object_object_add(o, p->kv[i].key, json_object_new_string(p->kv[i].val));
	return o;
}

struct json_object *rb_record_point(const struct rb_point *pt, const char *type,
				    const char *reason)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "schema", json_object_new_int(RB_SCHEMA_VERSION));
	json_object_object_add(o, "type", json_object_new_string(type));
	json_object_object_add(o, "case", json_object_new_string(pt->c->name));
	json_object_object_add(o, "kind", json_object_new_string(rb_kind_name(pt->kind)));
	json_object_object_add(o, "params", params_json(&pt->params));
	if (reason)
		json_object_object_add(o, "reason", json_object_new_string(reason));
	return o;
}

struct json_object *rb_json_checks(const struct rb_iter *it)
{
	struct json_object *v = json_object_new_object(), *arr = json_object_new_array();
	bool ok = it->n_checks > 0;

	for (unsigned i = 0; i < it->n_checks; i++) {
		const struct rb_check *c = &it->checks[i];
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "what", json_object_new_string(c->what));
		json_object_object_add(o, "method", json_object_new_string(c->method));
		json_object_object_add(o, "ok", json_object_new_boolean(c->ok));
		if (c->has_counts) {
			json_object_object_add(o, "expected", json_object_new_uint64(c->expected));
			json_object_object_add(o, "observed", json_object_new_uint64(c->observed));
		}
		if (c->detail[0])
			json_object_object_add(o, "detail", json_object_new_string(c->detail));
		json_object_array_add(arr, o);
		ok &= c->ok;
	}
	json_object_object_add(v, "ok", json_object_new_boolean(ok));
	json_object_object_add(v, "checks", arr);
	return v;
}

static struct json_object *counters_json(const struct rb_metric *m, const struct rb_counters *ctr)
{
	struct json_object *o = json_object_new_object();

	for (unsigned i = 0; i < m->counters.n && ctr && i < ctr->n; i++) {
		const struct rb_ctr_def *d = ctr->defs[i];
		struct json_object *c = json_object_new_object();
		double per;
		bool ran = rb_ctr_per_op(&m->counters, i, m->ops, &per);

		json_object_object_add(c, "source", json_object_new_string(rb_ctr_source_name(d->src)));
		json_object_object_add(c, "scope", json_object_new_string(d->scope));
		json_object_object_add(c, "total", json_object_new_uint64(m->counters.val[i]));
		json_object_object_add(c, "per_op", ran ? json_object_new_double(per) : NULL);
		json_object_object_add(c, "running",
				       json_object_new_double(m->counters.ena[i] ?
					       (double)m->counters.run[i] / (double)m->counters.ena[i] : 0));
		json_object_object_add(o, d->name, c);
	}
	return o;
}

void rb_records_from_iter(struct rb_run *r, const struct rb_iter *it,
			  const struct rb_counters *ctr)
{
	const struct rb_point *pt = it->pt;
	const char *type;

	switch (it->status) {
	case RB_OK: type = "sample"; break;
	case RB_REJECT: type = "rejected"; break;
	case RB_SKIP: type = "skipped"; break;
	case RB_UNSUPPORTED: type = "unsupported"; break;
	default: type = "error"; break;
	}
	if (it->status != RB_OK) {
		struct json_object *o = rb_record_point(pt, type, it->reason[0] ? it->reason : "unknown");

		json_object_object_add(o, "iter", json_object_new_int((int)it->index));
		if (it->n_checks)
			json_object_object_add(o, "verify", rb_json_checks(it));
		rb_run_add(r, o);
		return;
	}
	for (unsigned i = 0; i < it->n_metrics; i++) {
		const struct rb_metric *m = &it->metrics[i];
		struct json_object *o = rb_record_point(pt, type, NULL);
		struct json_object *cs = json_object_new_object();

		json_object_object_add(o, "iter", json_object_new_int((int)it->index));
		json_object_object_add(o, "metric", json_object_new_string(m->name));
		json_object_object_add(o, "unit", json_object_new_string(m->unit));
		json_object_object_add(o, "value", json_object_new_double(m->value));
		json_object_object_add(o, "ops", json_object_new_uint64(m->ops));
		if (m->has_window) {
			json_object_object_add(o, "window", json_object_new_uint64(m->window));
			json_object_object_add(o, "interrupts", json_object_new_uint64(m->irqs));
		}
		if (m->resolution > 0)
			json_object_object_add(o, "resolution", json_object_new_double(m->resolution));
		if (it->retries)
			json_object_object_add(o, "retries", json_object_new_int((int)it->retries));
		json_object_object_add(o, "clock", json_object_new_string(
			pt->env->clock == RB_CLOCK_ICOUNT ? "icount" : "CLOCK_MONOTONIC"));
		json_object_object_add(cs, "source", json_object_new_string(
			m->has_window && m->counters.n && ctr ? rb_ctr_source_name(ctr->source) : "none"));
		json_object_object_add(cs, "values", m->has_window ? counters_json(m, ctr)
								  : json_object_new_object());
		json_object_object_add(o, "counters", cs);
		json_object_object_add(o, "verify", rb_json_checks(it));
		rb_run_add(r, o);
	}
}

void rb_prov_note(const struct rb_env *env, const char *section, const char *key,
		  const char *field, const char *value)
{
	struct json_object *root = env ? env->prov : NULL, *sec, *ent;

	if (!root)
		return;
	if (!json_object_object_get_ex(root, section, &sec)) {
		sec = json_object_new_object();
		json_object_object_add(root, section, sec);
	}
	if (!json_object_object_get_ex(sec, key, &ent)) {
		ent = json_object_new_object();
		json_object_object_add(sec, key, ent);
	}
	json_object_object_add(ent, field, value ? json_object_new_string(value) : NULL);
}
