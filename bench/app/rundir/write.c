// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app/rundir/rundir.h"
#include "mem/mem.h"

/* A rename is durable once the directory is synced; file systems that
 * cannot sync a directory say EINVAL, which leaves nothing to do. */
static int sync_dir_of(const char *path)
{
	char dir[PATH_MAX];
	char *slash;
	int fd, err = 0;

	rb_strlcpy(dir, path, sizeof(dir));
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) && errno != EINVAL)
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

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
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			err = w < 0 ? -errno : -EIO;
			break;
		}
		off += (size_t)w;
	}
	if (!err && fsync(fd))
		err = -errno;
	if (!err && fchmod(fd, 0644))
		err = -errno;
	/* close reports write-back errors on network file systems (9p) */
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	else
		err = sync_dir_of(path);
	return err;
}

const char *rb_result_dir(const char *label, char *buf, size_t n)
{
	char dir[PATH_MAX], stamp[32];
	time_t t = time(NULL);
	unsigned short rnd;
	struct tm tm;
	FILE *f = fopen("/dev/urandom", "re");

	if (!f || fread(&rnd, sizeof(rnd), 1, f) != 1)
		rnd = (unsigned short)(getpid() ^ t);
	if (f)
		fclose(f);
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	snprintf(buf, n, "%s/%s-%s-%04x", rb_repo_path("results", dir, sizeof(dir)), stamp, label, rnd);
	return buf;
}

const char *rb_default_output(const char *label, const char *what, char *buf, size_t n)
{
	rb_result_dir(label, buf, n);
	rb_warn("no -o given: %s goes to %s (results/ of the checkout this refbench belongs "
		"to, not the current directory)", what, buf);
	return buf;
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

int rb_run_lock(const char *dir, char *err, size_t n)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(err, n, "%s: %s", dir, strerror(errno));
		return -errno;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		int e = errno;

		close(fd);
		if (e == EWOULDBLOCK)
			snprintf(err, n, "another refbench is writing a run into %s (it holds the "
				 "directory's lock): wait for it, or choose a new -o DIR", dir);
		else
			snprintf(err, n, "cannot lock %s: %s", dir, strerror(e));
		return -e;
	}
	return fd;
}

bool rb_run_locked(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	bool held;

	if (fd < 0)
		return false;
	held = flock(fd, LOCK_SH | LOCK_NB) && errno == EWOULDBLOCK;
	close(fd);
	return held;
}

/* 1 when it made the last component, 0 when it existed, -errno */
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
	if (!mkdir(tmp, 0755))
		return 1;
	return errno == EEXIST ? 0 : -errno;
}

static int write_file(const struct rb_run *r, const char *name, const char *data, size_t len)
{
	char path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/%s", r->dir, name);
	return rb_write_atomic(path, data, len);
}

static int write_meta(const struct rb_run *r)
{
	const char *s = json_object_to_json_string_ext(r->meta, JSON_C_TO_STRING_PRETTY |
						       JSON_C_TO_STRING_NOSLASHESCAPE);
	char *buf;
	int err;

	if (asprintf(&buf, "%s\n", s) < 0)
		return -ENOMEM;
	err = write_file(r, "meta.json", buf, strlen(buf));
	free(buf);
	return err;
}

/* The "integrity" record: what meta.json certifies of samples.jsonl. */
static struct json_object *integrity(const char *hex, size_t len, unsigned records)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "file", json_object_new_string("samples.jsonl"));
	json_object_object_add(o, "records", json_object_new_int64(records));
	json_object_object_add(o, "bytes", json_object_new_int64((int64_t)len));
	json_object_object_add(o, "sha256", json_object_new_string(hex));
	return o;
}

struct json_object *rb_integrity_json(const char *buf, size_t len, unsigned records)
{
	char hex[65] = "";

	rb_sha256_buf(buf, len, hex);
	return integrity(hex, len, records);
}

static void certify(struct rb_run *r)
{
	char hex[65];

	rb_sha256_peek(r->sha, hex);
	json_object_object_add(r->meta, "integrity", integrity(hex, r->len, r->records));
}

/* A second signal exits at once (the runner's handler): not between a
 * temp file and its rename. */
static void hold_signals(sigset_t *old)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, SIGINT);
	sigaddset(&s, SIGTERM);
	sigaddset(&s, SIGHUP);
	sigprocmask(SIG_BLOCK, &s, old);
}

int rb_run_write_meta(const struct rb_run *r)
{
	sigset_t old;
	int e;

	hold_signals(&old);
	e = write_meta(r);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return e;
}

int rb_run_create(struct rb_run *r, const char *dir, struct json_object *meta,
		  char *err, size_t n)
{
	int made, e;
	sigset_t old;

	memset(r, 0, sizeof(*r));
	r->lock_fd = -1;
	if ((e = rb_run_check_dir(dir, err, n)))
		return e;
	if ((made = mkdir_p(dir)) < 0) {
		snprintf(err, n, "cannot create output directory %s: %s", dir, strerror(-made));
		return made;
	}
	rb_strlcpy(r->dir, dir, sizeof(r->dir));
	if ((r->lock_fd = rb_run_lock(dir, err, n)) < 0)
		return r->lock_fd;
	/* checked again under the lock: whoever held it may have written a run */
	if ((e = rb_run_check_dir(dir, err, n)))
		goto fail;
	r->meta = meta;
	r->sha = rb_sha256_new();
	if (!r->sha) {
		e = -ENOMEM;
		snprintf(err, n, "sha256: out of memory");
		goto fail;
	}
	json_object_object_add(meta, "status", json_object_new_string("running"));
	json_object_object_add(meta, "points_done", json_object_new_array());
	certify(r);
	hold_signals(&old);
	e = write_file(r, "samples.jsonl", "", 0);
	if (!e && (e = write_meta(r))) {
		char p[PATH_MAX + 32];

		snprintf(p, sizeof(p), "%s/samples.jsonl", dir);
		unlink(p);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (e) {
		snprintf(err, n, "cannot start a run in %s: %s", dir, strerror(-e));
		goto fail;
	}
	return 0;
fail:
	if (made == 1)
		rmdir(dir);
	rb_run_free(r);
	return e;
}

void rb_run_add(struct rb_run *r, struct json_object *rec)
{
	const char *type = json_object_get_string(json_object_object_get(rec, "type"));
	const char *s = json_object_to_json_string_ext(rec, JSON_C_TO_STRING_PLAIN |
						       JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t sl = strlen(s), need = r->len + r->pending + sl + 1;

	if (need > r->cap) {
		size_t cap = r->cap ? r->cap : 1 << 16;
		char *nt;

		while (cap < need)
			cap *= 2;
		if (!(nt = realloc(r->text, cap))) {
			r->add_err = -ENOMEM;
			json_object_put(rec);
			return;
		}
		r->text = nt;
		r->cap = cap;
	}
	memcpy(r->text + r->len + r->pending, s, sl);
	r->text[r->len + r->pending + sl] = '\n';
	r->pending += sl + 1;
	r->pending_records++;
	if (!type) r->cur.errors++;
	else if (!strcmp(type, "sample")) r->cur.samples++;
	else if (!strcmp(type, "rejected")) r->cur.rejected++;
	else if (!strcmp(type, "skipped")) r->cur.skipped++;
	else if (!strcmp(type, "unsupported")) r->cur.unsupported++;
	else r->cur.errors++;
	json_object_put(rec);
}

void rb_run_drop_point(struct rb_run *r)
{
	r->pending = 0;
	r->pending_records = 0;
	r->add_err = 0;
	memset(&r->cur, 0, sizeof(r->cur));
}

static const char *outcome(const struct rb_run_counts *c)
{
	return c->errors ? "error" : c->samples ? "measured" : c->rejected ? "rejected" :
	       c->unsupported ? "unsupported" : c->skipped ? "skipped" : "empty";
}

int rb_run_commit_point(struct rb_run *r, struct json_object *point, char *err, size_t n)
{
	sigset_t old;
	int e = r->add_err;

	if (e) {
		snprintf(err, n, "keeping the records of a point: %s", strerror(-e));
		goto out;
	}
	hold_signals(&old);
	e = write_file(r, "samples.jsonl", r->text ? r->text : "", r->len + r->pending);
	if (e) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		snprintf(err, n, "writing %s/samples.jsonl: %s (this point's %u records are lost; "
			 "the %u records of %u points before it are kept)", r->dir, strerror(-e),
			 r->pending_records, r->records, r->points);
		goto out;
	}
	rb_sha256_add(r->sha, r->text + r->len, r->pending);
	r->len += r->pending;
	r->records += r->pending_records;
	r->points++;
	r->done.samples += r->cur.samples;
	r->done.rejected += r->cur.rejected;
	r->done.skipped += r->cur.skipped;
	r->done.unsupported += r->cur.unsupported;
	r->done.errors += r->cur.errors;
	json_object_object_add(point, "records", json_object_new_int64(r->pending_records));
	json_object_object_add(point, "outcome", json_object_new_string(outcome(&r->cur)));
	json_object_array_add(json_object_object_get(r->meta, "points_done"), point);
	point = NULL;
	rb_run_drop_point(r);
	certify(r);
	e = write_meta(r);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (e)
		snprintf(err, n, "writing %s/meta.json: %s (samples.jsonl holds %u records; meta.json "
			 "certifies those of the points before)", r->dir, strerror(-e), r->records);
out:
	json_object_put(point);
	rb_run_drop_point(r);
	return e;
}

int rb_run_finish(struct rb_run *r, const char *status, const char *reason, char *err, size_t n)
{
	struct json_object *sum = json_object_new_object();
	char t[32];
	int e;

	rb_run_drop_point(r);
	json_object_object_add(sum, "samples", json_object_new_int((int)r->done.samples));
	json_object_object_add(sum, "rejected", json_object_new_int((int)r->done.rejected));
	json_object_object_add(sum, "skipped", json_object_new_int((int)r->done.skipped));
	json_object_object_add(sum, "unsupported", json_object_new_int((int)r->done.unsupported));
	json_object_object_add(sum, "errors", json_object_new_int((int)r->done.errors));
	json_object_object_add(r->meta, "summary", sum);
	json_object_object_add(r->meta, "finished", json_object_new_string(rb_iso_time(t, sizeof(t))));
	json_object_object_add(r->meta, "status", json_object_new_string(status));
	if (reason)
		json_object_object_add(r->meta, "reason", json_object_new_string(reason));
	certify(r);
	e = rb_run_write_meta(r);
	if (e)
		snprintf(err, n, "closing the run: writing %s/meta.json: %s; it stays \"running\" on "
			 "disk, which validate reports as incomplete", r->dir, strerror(-e));
	return e;
}

void rb_run_free(struct rb_run *r)
{
	if (r->lock_fd >= 0)
		close(r->lock_fd);
	r->lock_fd = -1;
	rb_sha256_free(r->sha);
	r->sha = NULL;
	free(r->text);
	r->text = NULL;
	r->len = r->cap = r->pending = 0;
}

struct json_object *rb_params_json(const struct rb_params *p)
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
	json_object_object_add(o, "params", rb_params_json(&pt->params));
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
			if (m->window != RB_WINDOW_NONE)
				json_object_object_add(o, "window", json_object_new_uint64(m->window));
			json_object_object_add(o, "interrupts", json_object_new_uint64(m->irqs));
			json_object_object_add(o, "preempted", json_object_new_uint64(m->csws));
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
