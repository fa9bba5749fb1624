// SPDX-License-Identifier: GPL-2.0
/*
 * The shared fio runner (see fio.h): templates, fork/exec with a
 * timeout, the JSON parser, engine and version probes, tracepoint counts on
 * the fio process tree, and /proc/vmstat.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>
#include <linux/perf_event.h>

#include "cases/fio/fio.h"
#include "lib/digest.h"
#include "lib/refbench.h"

/* ---- templates ------------------------------------------------------- */

static bool is_name_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* Length of the placeholder name at p (just after an '@'), 0 if none. */
static size_t placeholder_len(const char *p)
{
	size_t len = 0;

	while (is_name_char(p[len]))
		len++;
	return len && p[len] == '@' ? len : 0;
}

static const struct rb_fio_var *find_var(const struct rb_fio_var *vars, unsigned nvars,
					 const char *name, size_t len)
{
	for (unsigned i = 0; i < nvars; i++)
		if (strlen(vars[i].name) == len && !strncmp(vars[i].name, name, len))
			return &vars[i];
	return NULL;
}

int rb_fio_render(const char *tmpl, const struct rb_fio_var *vars, unsigned nvars,
		  const char *const *required, char **out, char *err, size_t n)
{
	size_t cap = strlen(tmpl) + 1, len = 0;
	char *buf;

	*out = NULL;
	for (unsigned i = 0; i < nvars; i++) {
		if (!vars[i].value || strpbrk(vars[i].value, "\n\r")) {
			snprintf(err, n, "value of @%s@ is %s", vars[i].name,
				 vars[i].value ? "multi-line (it would add job options)" : "missing");
			return -EINVAL;
		}
		cap += strlen(vars[i].value);	/* enough even if each is used once */
	}
	for (const char *const *r = required; r && *r; r++) {
		char pat[64];

		snprintf(pat, sizeof(pat), "@%s@", *r);
		if (!strstr(tmpl, pat)) {
			snprintf(err, n, "job template lacks %s, which this case needs (the job "
				 "would not measure what the case claims): restore it", pat);
			return -EINVAL;
		}
	}
	buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	for (const char *p = tmpl; *p;) {
		size_t pl = *p == '@' ? placeholder_len(p + 1) : 0;
		const struct rb_fio_var *v;
		size_t vl;

		if (!pl) {
			buf[len++] = *p++;
			continue;
		}
		v = find_var(vars, nvars, p + 1, pl);
		if (!v) {
			size_t k = 0;

			k += (size_t)snprintf(err, n, "job template uses @%.*s@, which this case "
					      "does not fill; it knows:", (int)pl, p + 1);
			for (unsigned i = 0; i < nvars && k < n; i++)
				k += (size_t)snprintf(err + k, n - k, " @%s@", vars[i].name);
			free(buf);
			return -EINVAL;
		}
		vl = strlen(v->value);
		if (len + vl + strlen(p) + 1 > cap) {	/* a value used more than once */
			char *nb = realloc(buf, cap = cap * 2 + vl);
			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
		}
		memcpy(buf + len, v->value, vl);
		len += vl;
		p += pl + 2;
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

int rb_fio_template_load(const char *name_or_path, char **text, char *path, size_t pathlen,
			 char *err, size_t n)
{
	char dir[PATH_MAX];
	FILE *f;
	long len;

	*text = NULL;
	if (!name_or_path || !*name_or_path) {
		snprintf(err, n, "job= is empty: give a template name (configs/fio/NAME.fio) or a path");
		return -EINVAL;
	}
	if (strchr(name_or_path, '/'))
		snprintf(path, pathlen, "%s", name_or_path);
	else
		snprintf(path, pathlen, "%s/%s.fio", rb_repo_path("configs/fio", dir, sizeof(dir)), name_or_path);
	f = fopen(path, "re");
	if (!f) {
		int e = errno;

		snprintf(err, n, "job template '%s': %s (%s); templates live in "
			 "configs/fio/NAME.fio, or give job=/path/to/file.fio", name_or_path,
			 strerror(e), path);
		return -e;
	}
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || len > (1 << 20)) {
		fclose(f);
		snprintf(err, n, "job template %s: not a regular file of at most 1 MiB", path);
		return -EINVAL;
	}
	rewind(f);
	*text = calloc(1, (size_t)len + 1);
	if (!*text || fread(*text, 1, (size_t)len, f) != (size_t)len) {
		fclose(f);
		free(*text);
		*text = NULL;
		snprintf(err, n, "reading job template %s failed", path);
		return -EIO;
	}
	fclose(f);
	return 0;
}

bool rb_fio_param_jobs(const struct rb_params *p, unsigned *jobs)
{
	const char *v = rb_param_str(p, "jobs");
	uint64_t n;

	if (v && !strcmp(v, "nproc")) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);

		n = c > 0 ? (uint64_t)c : 1;
	} else if (rb_param_u64(p, "jobs", &n)) {
		return false;
	}
	if (!n || n > 256)
		return false;
	*jobs = (unsigned)n;
	return true;
}

int rb_fio_path_check(struct rb_point *pt, const char *what, const char *path)
{
	if (strpbrk(path, ":\n\r"))
		return rb_point_fail(pt, RB_ERR, "%s %s: fio reads ':' as a file separator; use "
				     "a path without ':' or line breaks", what, path);
	return RB_OK;
}

/* ---- engine list and version ---------------------------------------- */

bool rb_fio_enghelp_lists(const char *enghelp, const char *engine)
{
	const char *p = enghelp ? strstr(enghelp, "Available IO engines:") : NULL;

	if (!p)
		return false;
	p = strchr(p, '\n');
	while (p && *p) {
		const char *s = p + 1, *e;

		while (*s == ' ' || *s == '\t')
			s++;
		e = s;
		while (*e && *e != '\n' && !isspace((unsigned char)*e))
			e++;
		if ((size_t)(e - s) == strlen(engine) && !strncmp(s, engine, (size_t)(e - s)))
			return true;
		p = strchr(s, '\n');
	}
	return false;
}

bool rb_fio_enghelp_missing(const char *t)
{
	return !t || strstr(t, "not found") || strstr(t, "not loadable");
}

bool rb_fio_parse_version(const char *text, char *out, size_t n)
{
	size_t len = 0;

	if (!text)
		return false;
	while (*text == ' ' || *text == '\n')
		text++;
	if (strncmp(text, "fio-", 4))
		return false;
	while (text[len] && !isspace((unsigned char)text[len]))
		len++;
	if (len <= 4 || !isdigit((unsigned char)text[4]))
		return false;
	snprintf(out, n, "%.*s", (int)len, text);
	return true;
}

static struct {
	bool probed;
	int status;
	char why[256];
	char version[32];
	char *enghelp;
} fio_cache;

static void first_line(const char *s, char *out, size_t n);

/* Can fio set up any job on this kernel? A template that fails later is
 * then the template's fault, not the system's. */
static void probe_parse(void)
{
	static char *const argv[] = { "fio", "--parse-only", "-", NULL };
	struct rb_fio_exec ex;
	char err[256], msg[160];

	if (rb_fio_exec(argv, "[probe]\nioengine=null\nsize=1M\n", 30, NULL, 0, &ex, err,
			sizeof(err))) {
		fio_cache.status = RB_SKIP;
		snprintf(fio_cache.why, sizeof(fio_cache.why), "cannot run fio: %s", err);
		return;
	}
	if (!WIFEXITED(ex.status) || WEXITSTATUS(ex.status)) {
		first_line(*ex.errtext ? ex.errtext : ex.out, msg, sizeof(msg));
		fio_cache.status = RB_UNSUPPORTED;
		/* fio keeps its job table in SysV shared memory */
		snprintf(fio_cache.why, sizeof(fio_cache.why), "fio cannot set up a job on this "
			 "system: %s%s", msg, strstr(msg, "shmget") ? " (the kernel needs "
			 "CONFIG_SYSVIPC=y: fio keeps its jobs in SysV shared memory)" : "");
	}
	rb_fio_exec_free(&ex);
}

int rb_fio_probe(char *why, size_t n)
{
	static char *const argv[] = { "fio", "--version", NULL };
	struct rb_fio_exec ex;
	char err[256];

	if (!fio_cache.probed) {
		fio_cache.probed = true;
		fio_cache.status = RB_OK;
		if (rb_fio_exec(argv, NULL, 30, NULL, 0, &ex, err, sizeof(err))) {
			fio_cache.status = RB_SKIP;
			snprintf(fio_cache.why, sizeof(fio_cache.why), "cannot run fio: %s", err);
		} else if (WIFEXITED(ex.status) && WEXITSTATUS(ex.status) == 127) {
			fio_cache.status = RB_SKIP;
			snprintf(fio_cache.why, sizeof(fio_cache.why), "fio is not installed (not in "
				 "PATH): apt-get install fio, or `make deps`");
		} else if (!rb_fio_parse_version(ex.out, fio_cache.version, sizeof(fio_cache.version))) {
			fio_cache.status = RB_SKIP;
			snprintf(fio_cache.why, sizeof(fio_cache.why), "`fio --version` printed '%.60s', "
				 "not a fio version", ex.out ? ex.out : "");
		}
		rb_fio_exec_free(&ex);	/* zeroed when exec failed */
		if (fio_cache.status == RB_OK)
			probe_parse();
	}
	if (fio_cache.status)
		snprintf(why, n, "%s", fio_cache.why);
	return fio_cache.status;
}

int rb_fio_case_probe(const struct rb_env *env, char *why, size_t n)
{
	(void)env;
	return rb_fio_probe(why, n);
}

const char *rb_fio_version(void)
{
	return fio_cache.version[0] ? fio_cache.version : "unknown";
}

int rb_fio_need_engine(const char *engine, char *why, size_t n)
{
	struct rb_fio_exec ex;
	char err[256];
	int r = rb_fio_probe(why, n);

	if (r != RB_OK)
		return r;
	if (!fio_cache.enghelp) {
		char *const argv[] = { "fio", "--enghelp", NULL };

		if (rb_fio_exec(argv, NULL, 30, NULL, 0, &ex, err, sizeof(err))) {
			snprintf(why, n, "fio --enghelp: %s", err);
			return RB_SKIP;
		}
		fio_cache.enghelp = ex.out;
		ex.out = NULL;
		rb_fio_exec_free(&ex);
	}
	if (rb_fio_enghelp_lists(fio_cache.enghelp, engine))
		return RB_OK;
	/* Not built in: a loadable engine (fio --dynamic-libengines) still
	 * answers --enghelp=NAME. */
	{
		char arg[64];
		char *const argv[] = { "fio", arg, NULL };
		bool missing;

		snprintf(arg, sizeof(arg), "--enghelp=%s", engine);
		if (rb_fio_exec(argv, NULL, 30, NULL, 0, &ex, err, sizeof(err))) {
			snprintf(why, n, "fio %s: %s", arg, err);
			return RB_SKIP;
		}
		missing = rb_fio_enghelp_missing(ex.out) || (ex.errtext && strstr(ex.errtext, "not loadable"));
		rb_fio_exec_free(&ex);
		if (!missing)
			return RB_OK;
	}
	snprintf(why, n, "fio lacks the %s engine (%s, `fio --enghelp` does not list it): "
		 "install a fio built with it", engine, rb_fio_version());
	return RB_SKIP;
}

/* ---- tracepoints ------------------------------------------------------ */

static int tp_id(const char *event, char *why, size_t n)
{
	static const char *const roots[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char path[256];

	for (unsigned i = 0; i < 2; i++) {
		FILE *f;
		int id;

		snprintf(path, sizeof(path), "%s/events/%s/id", roots[i], event);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fscanf(f, "%d", &id) != 1)
			id = -1;
		fclose(f);
		if (id >= 0)
			return id;
	}
	snprintf(why, n, "tracepoint %s not found (mount tracefs on /sys/kernel/tracing; the "
		 "kernel needs CONFIG_FTRACE and CONFIG_EVENT_TRACING)", event);
	return -1;
}

bool rb_fio_tp_available(const char *event, char *why, size_t n)
{
	return tp_id(event, why, n) >= 0;
}

static int tp_open(struct rb_fio_tp *tp, pid_t pid)
{
	struct perf_event_attr a;
	char why[8];
	int id = tp_id(tp->event, why, sizeof(why));

	tp->fd = -1;
	tp->ok = false;
	tp->count = 0;
	tp->err = -ENOENT;
	if (id < 0)
		return -ENOENT;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_TRACEPOINT;
	a.config = (uint64_t)id;
	a.inherit = 1;		/* fio's job threads and processes */
	tp->fd = (int)syscall(SYS_perf_event_open, &a, pid, -1, -1, PERF_FLAG_FD_CLOEXEC);
	tp->err = tp->fd < 0 ? -errno : 0;
	return tp->err;
}

/* ---- exec ------------------------------------------------------------- */

struct sink {
	char *buf;
	size_t len, cap;
};

static int sink_read(int fd, struct sink *s)
{
	char tmp[8192];
	ssize_t r = read(fd, tmp, sizeof(tmp));

	if (r <= 0)
		return r < 0 && errno == EINTR ? 1 : 0;	/* 0: EOF or error */
	if (s->len + (size_t)r + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 16384;
		char *nb;

		while (s->len + (size_t)r + 1 > cap)
			cap *= 2;
		nb = realloc(s->buf, cap);
		if (!nb)
			return 0;
		s->buf = nb;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, tmp, (size_t)r);
	s->len += (size_t)r;
	s->buf[s->len] = '\0';
	return 1;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

int rb_fio_exec(char *const argv[], const char *stdin_text, unsigned timeout_s,
		struct rb_fio_tp *tps, unsigned ntps, struct rb_fio_exec *ex,
		char *err, size_t n)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, errp[2] = { -1, -1 }, go[2] = { -1, -1 };
	struct sink so = { 0 }, se = { 0 };
	size_t in_off = 0, in_len = stdin_text ? strlen(stdin_text) : 0;
	uint64_t t0 = rb_now_ns(), deadline = t0 + (uint64_t)timeout_s * 1000000000ull;
	bool reaped = false, termed = false;
	pid_t pid;
	int status = 0;
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_pipe;

	memset(ex, 0, sizeof(*ex));
	/* a child that exits before reading its stdin must not kill us */
	sigaction(SIGPIPE, &ign, &old_pipe);
	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(errp, O_CLOEXEC) ||
	    pipe2(go, O_CLOEXEC)) {
		snprintf(err, n, "pipe: %s", strerror(errno));
		goto fail;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(err, n, "fork: %s", strerror(errno));
		goto fail;
	}
	if (pid == 0) {
		char c;

		signal(SIGPIPE, SIG_DFL);	/* SIG_IGN would survive exec */
		setpgid(0, 0);	/* one group: a timeout kills fio's jobs too */
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(errp[1], 2);
		/* Wait until the parent has attached its counters. */
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(126);
		execvp(argv[0], argv);
		_exit(127);
	}
	setpgid(pid, pid);	/* also here: no race with the kill below */
	close_fd(&in[0]);
	close_fd(&out[1]);
	close_fd(&errp[1]);
	close_fd(&go[0]);
	for (unsigned i = 0; i < ntps; i++)
		tp_open(&tps[i], pid);	/* a failed one just reads as !ok */
	if (write(go[1], "g", 1) != 1) {
		snprintf(err, n, "starting %s: %s", argv[0], strerror(errno));
		kill(-pid, SIGKILL);
		waitpid(pid, NULL, 0);
		goto fail;
	}
	close_fd(&go[1]);
	if (!in_len)
		close_fd(&in[1]);
	else
		fcntl(in[1], F_SETFL, O_NONBLOCK);

	while (!reaped) {
		struct pollfd p[3];
		int np = 0, timeout_ms;
		uint64_t now = rb_now_ns();

		if (now >= deadline) {
			/* SIGTERM lets fio stop its jobs; SIGKILL 5 s later */
			kill(-pid, termed ? SIGKILL : SIGTERM);
			ex->timed_out = true;
			deadline = now + 5000000000ull;
			termed = true;
		}
		if (in[1] >= 0)
			p[np++] = (struct pollfd){ .fd = in[1], .events = POLLOUT };
		if (out[0] >= 0)
			p[np++] = (struct pollfd){ .fd = out[0], .events = POLLIN };
		if (errp[0] >= 0)
			p[np++] = (struct pollfd){ .fd = errp[0], .events = POLLIN };
		timeout_ms = (int)((deadline - now) / 1000000) + 1;
		if (!np) {
			/* output closed: reap, polling so the deadline still holds */
			pid_t w = waitpid(pid, &status, WNOHANG);

			if (w == pid) {
				reaped = true;
				break;
			}
			usleep(10000);
			continue;
		}
		if (poll(p, (nfds_t)np, timeout_ms < 1000 ? timeout_ms : 1000) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < np; i++) {
			if (!p[i].revents)
				continue;
			if (p[i].fd == in[1]) {
				ssize_t w = write(in[1], stdin_text + in_off, in_len - in_off);

				if (w > 0)
					in_off += (size_t)w;
				if ((w < 0 && errno != EAGAIN) || in_off == in_len)
					close_fd(&in[1]);
			} else if (p[i].fd == out[0]) {
				if (!sink_read(out[0], &so))
					close_fd(&out[0]);
			} else if (!sink_read(errp[0], &se)) {
				close_fd(&errp[0]);
			}
		}
	}
	if (!reaped)
		waitpid(pid, &status, 0);
	ex->wall_ns = rb_now_ns() - t0;
	ex->status = status;
	for (unsigned i = 0; i < ntps; i++) {
		uint64_t v;

		if (tps[i].fd >= 0) {
			if (read(tps[i].fd, &v, sizeof(v)) == (ssize_t)sizeof(v)) {
				tps[i].count = v;
				tps[i].ok = true;
			} else {
				tps[i].err = -EIO;
			}
		}
		close_fd(&tps[i].fd);
	}
	close_fd(&in[1]);
	close_fd(&out[0]);
	close_fd(&errp[0]);
	ex->out = so.buf ? so.buf : strdup("");
	ex->errtext = se.buf ? se.buf : strdup("");
	sigaction(SIGPIPE, &old_pipe, NULL);
	return 0;
fail:
	sigaction(SIGPIPE, &old_pipe, NULL);
	for (int *fd = &in[0]; fd <= &in[1]; fd++) close_fd(fd);
	for (int *fd = &out[0]; fd <= &out[1]; fd++) close_fd(fd);
	for (int *fd = &errp[0]; fd <= &errp[1]; fd++) close_fd(fd);
	for (int *fd = &go[0]; fd <= &go[1]; fd++) close_fd(fd);
	return -EIO;
}

void rb_fio_exec_free(struct rb_fio_exec *ex)
{
	free(ex->out);
	free(ex->errtext);
	ex->out = ex->errtext = NULL;
}

/* ---- JSON ------------------------------------------------------------- */

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

bool rb_fio_check_counted(struct rb_iter *it, const char *what, const char *method, bool ok,
			  uint64_t expected, uint64_t observed, const char *fmt, ...)
{
	char detail[256];
	struct rb_check *c;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	rb_check(it, what, method, ok, "%s", detail);
	c = &it->checks[it->n_checks - 1];	/* the one just recorded */
	c->has_counts = true;
	c->expected = expected;
	c->observed = observed;
	return ok;
}

/* ---- prepared jobs ---------------------------------------------------- */

static void first_line(const char *s, char *out, size_t n)
{
	const char *p = s;

	/* the first line that says something */
	while (p && *p) {
		size_t l = strcspn(p, "\n");

		if (l && strncmp(p, "fio: job", 8)) {
			snprintf(out, n, "%.*s", (int)l, p);
			return;
		}
		p += l + (p[l] ? 1 : 0);
	}
	snprintf(out, n, "%s", s && *s ? s : "(no message)");
}

int rb_fio_job_prepare(struct rb_point *pt, struct rb_fio_job *job, const char *tmpl,
		       const struct rb_fio_var *vars, unsigned nvars, const char *const *required)
{
	char *const argv[] = { "fio", "--parse-only", "-", NULL };
	char err[512], msg[200], *t = NULL;
	struct rb_fio_exec ex;
	int r;

	r = rb_fio_template_load(tmpl, &t, job->template_path, sizeof(job->template_path),
				 err, sizeof(err));
	if (r)
		return rb_point_fail(pt, RB_ERR, "%s", err);
	rb_sha256_buf(t, strlen(t), job->template_sha256);
	r = rb_fio_render(t, vars, nvars, required, &job->text, err, sizeof(err));
	free(t);
	if (r)
		return rb_point_fail(pt, RB_ERR, "%s: %s", job->template_path, err);
	rb_sha256_buf(job->text, strlen(job->text), job->sha256);
	/* the job file as run, in meta.json: a number can be reproduced */
	rb_prov_note(pt->env, "fio_jobs", job->sha256, "case", pt->c->name);
	rb_prov_note(pt->env, "fio_jobs", job->sha256, "template", job->template_path);
	rb_prov_note(pt->env, "fio_jobs", job->sha256, "template_sha256", job->template_sha256);
	rb_prov_note(pt->env, "fio_jobs", job->sha256, "text", job->text);
	rb_prov_note(pt->env, "tools", "fio", "version", rb_fio_version());
	/* fio's own parser, before anything runs: a bad option is an error
	 * here, with no sample written */
	if (rb_fio_exec(argv, job->text, 60, NULL, 0, &ex, err, sizeof(err)))
		return rb_point_fail(pt, RB_ERR, "fio --parse-only: %s", err);
	if (ex.timed_out || !WIFEXITED(ex.status) || WEXITSTATUS(ex.status)) {
		first_line(ex.errtext && *ex.errtext ? ex.errtext : ex.out, msg, sizeof(msg));
		rb_fio_exec_free(&ex);
		return rb_point_fail(pt, RB_ERR, "job template %s is malformed, fio says: %s",
				     job->template_path, msg);
	}
	rb_fio_exec_free(&ex);
	return RB_OK;
}

void rb_fio_job_free(struct rb_fio_job *job)
{
	free(job->text);
	job->text = NULL;
}

void rb_fio_job_count(struct rb_fio_job *job, const char *event)
{
	if (job->ntps < sizeof(job->tps) / sizeof(job->tps[0]))
		job->tps[job->ntps++] = (struct rb_fio_tp){ .event = event, .fd = -1 };
}

int rb_fio_job_count_dax(struct rb_point *pt, struct rb_fio_job *job, const char *claim)
{
	char why[256];

	if (!rb_fio_tp_available(RB_TP_DAX_PMD, why, sizeof(why)) ||
	    !rb_fio_tp_available(RB_TP_DAX_PTE, why, sizeof(why)))
		return rb_point_fail(pt, RB_SKIP, "cannot prove %s: %s", claim, why);
	rb_fio_job_count(job, RB_TP_DAX_PMD);
	rb_fio_job_count(job, RB_TP_DAX_PTE);
	return RB_OK;
}

bool rb_fio_check_dax_faults(struct rb_iter *it, const struct rb_fio_job *job, bool pmd,
			     uint64_t min_faults, const char *note)
{
	const char *method = "fs_dax tracepoints on fio's threads";
	const struct rb_fio_tp *tp[2] = { NULL, NULL };

	for (unsigned i = 0; i < job->ntps; i++) {
		if (!strcmp(job->tps[i].event, RB_TP_DAX_PMD))
			tp[0] = &job->tps[i];
		else if (!strcmp(job->tps[i].event, RB_TP_DAX_PTE))
			tp[1] = &job->tps[i];
	}
	for (unsigned i = 0; i < 2; i++)
		if (!tp[i] || !tp[i]->ok)
			return rb_check(it, "page-size", method, false, "could not count %s on fio: "
					"%s (perf_event_open needs root or perf_event_paranoid <= 1)",
					i ? RB_TP_DAX_PTE : RB_TP_DAX_PMD,
					tp[i] ? strerror(-tp[i]->err) : "not requested");
	if (pmd)
		return rb_fio_check_counted(it, "page-size", method,
					    tp[0]->count >= min_faults && !tp[1]->count, min_faults,
					    tp[0]->count, "%llu dax_pmd_fault_done (want >= %llu), "
					    "%llu dax_pte_fault_done (want 0)%s%s",
					    (unsigned long long)tp[0]->count,
					    (unsigned long long)min_faults,
					    (unsigned long long)tp[1]->count, note ? "; " : "",
					    note ? note : "");
	return rb_fio_check_counted(it, "page-size", method, tp[1]->count >= min_faults,
				    min_faults, tp[1]->count, "%llu dax_pte_fault_done (want >= %llu)"
				    "%s%s", (unsigned long long)tp[1]->count,
				    (unsigned long long)min_faults, note ? "; " : "", note ? note : "");
}

/* An iteration that could not run at all: an error record, the point stops. */
static int iter_error(struct rb_iter *it, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int iter_error(struct rb_iter *it, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(it->reason, sizeof(it->reason), fmt, ap);
	va_end(ap);
	it->status = RB_ERR;
	return RB_ERR;
}

int rb_fio_job_run(struct rb_iter *it, struct rb_fio_job *job, struct rb_fio_result *r)
{
	char *const argv[] = { "fio", "--output-format=json", "--eta=never", "-", NULL };
	char err[512], msg[200];
	struct rb_fio_exec ex;
	int code;

	memset(r, 0, sizeof(*r));
	if (rb_fio_exec(argv, job->text, job->timeout_s, job->tps, job->ntps, &ex, err, sizeof(err)))
		return iter_error(it, "running fio: %s", err);
	if (ex.timed_out) {
		rb_fio_exec_free(&ex);
		return iter_error(it, "fio did not finish within %u s and was killed (job %s)",
				  job->timeout_s, job->template_path);
	}
	code = WIFEXITED(ex.status) ? WEXITSTATUS(ex.status) : 128 + WTERMSIG(ex.status);
	if (code) {
		first_line(ex.errtext && *ex.errtext ? ex.errtext : ex.out, msg, sizeof(msg));
		rb_fio_exec_free(&ex);
		return iter_error(it, "fio exited with %d: %s", code, msg);
	}
	if (rb_fio_parse(ex.out, r, err, sizeof(err))) {
		rb_fio_exec_free(&ex);
		return iter_error(it, "%s", err);
	}
	if (r->error) {
		first_line(ex.errtext, msg, sizeof(msg));
		rb_fio_exec_free(&ex);
		iter_error(it, "fio job %s failed: %s (%s)", r->error_job, strerror(r->error), msg);
		rb_fio_result_free(r);
		return RB_ERR;
	}
	rb_fio_exec_free(&ex);
	{
		const char *base = strrchr(job->template_path, '/');

		rb_check(it, "fio", "fio --output-format=json", rb_fio_ios(r) > 0,
			 "%s; template %s sha256 %s; job sha256 %s; exit 0; %llu I/Os; wall %.2f s",
			 r->version[0] ? r->version : rb_fio_version(), base ? base + 1 : job->template_path,
			 job->template_sha256, job->sha256, (unsigned long long)rb_fio_ios(r),
			 (double)ex.wall_ns / 1e9);
	}
	rb_check(it, "counters", "none: fio is another process", true,
		 "refbench's perf group counts its own thread and cannot see fio's; the "
		 "values are fio's own clock (clocksource=clock_gettime)");
	return RB_OK;
}

void rb_fio_head_release(struct rb_fio_head *h)
{
	rb_fio_job_free(&h->job);
	rb_mem_teardown(&h->mem);
}

void rb_fio_case_teardown(struct rb_point *pt)
{
	struct rb_fio_head *h = pt->priv;

	if (!h)
		return;
	rb_fio_head_release(h);
	free(h);
	pt->priv = NULL;
}
