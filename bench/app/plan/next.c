// SPDX-License-Identifier: GPL-2.0
/*
 * `refbench plan next` and `refbench plan record` (plan.h): the job's
 * decisions, one step at a time. A step is printed one word per line (the
 * verb first) so that the executor passes each on unchanged.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app/plan/host.h"
#include "app/plan/plan.h"
#include "app/plan/state.h"
#include "app/rundir/rundir.h"
#include "lib/refbench.h"
#include "lib/userfile.h"

/* the state of one `next` or `record`: the plan under its lock */
struct job {
	const char *state;
	struct json_object *plan, *s;	/* the plan, its settings */
	const char *name;		/* ab | series | bounds */
	int lock;
	bool dirty;
};

static int open_job(struct job *j, const char *state)
{
	char err[RB_ERR_LEN];

	memset(j, 0, sizeof(*j));
	j->state = state;
	j->name = "plan";
	if ((j->lock = rb_plan_lock(state)) < 0)
		return rb_plan_error(j->name, "locking %s: %s (is it a plan's directory?)", state, strerror(-j->lock));
	if (rb_plan_load(state, &j->plan, err, sizeof(err))) {
		close(j->lock);
		return rb_plan_error(j->name, "%s", err);
	}
	j->s = rb_plan_get(j->plan, "settings");
	j->name = rb_json_get_str(j->plan, "job");
	return 0;
}

static int close_job(struct job *j, int rc)
{
	char err[RB_ERR_LEN];

	if (j->dirty && rb_plan_save(j->state, j->plan, err, sizeof(err)))
		rc = rb_plan_error(j->name, "%s", err);
	json_object_put(j->plan);
	close(j->lock);
	return rc;
}

static long now(void)
{
	return (long)time(NULL);
}

static bool is_job(const struct job *j, const char *name)
{
	return !strcmp(j->name, name);
}

static size_t nboots(const struct job *j)
{
	return json_object_array_length(rb_plan_get(j->plan, "boots"));
}

static struct json_object *boot_at(const struct job *j, size_t i)
{
	return json_object_array_get_idx(rb_plan_get(j->plan, "boots"), i);
}

static bool status_is(struct json_object *o, const char *st)
{
	return o && rb_json_get_str(o, "status") && !strcmp(rb_json_get_str(o, "status"), st);
}

static const char *out_dir(const struct job *j)
{
	return rb_json_get_str(j->s, "out");
}

/* The boots load the TCG plugin (--attribute or --cost in the lab's arguments). */
static bool with_plugin(struct json_object *s)
{
	struct json_object *lab = rb_plan_get(s, "lab_args");
	bool plugin = rb_plan_bool(s, "attribute");

	for (size_t i = 0; lab && i < json_object_array_length(lab); i++) {
		const char *w = json_object_get_string(json_object_array_get_idx(lab, i));

		plugin |= !strcmp(w, "--attribute") || !strcmp(w, "--cost");
	}
	return plugin;
}

/* The code-diff compare marks where: lines from; NULL: none (not run, or failed) */
static const char *code_diff_file(const struct job *j)
{
	const char *f = rb_json_get_str(j->plan, "code_diff");

	return f && *f ? f : NULL;
}

/* ---- kernels ---- */

static void print_build(struct job *j, size_t i)
{
	struct json_object *k = rb_plan_kernel(j->plan, i), *args = rb_plan_get(k, "build");

	printf("build\n%s\n", rb_json_get_str(k, "label"));
	for (size_t a = 0; a < json_object_array_length(args); a++)
		printf("%s\n", json_object_get_string(json_object_array_get_idx(args, a)));
}

static const char *kernel_version(const char *dir, char *buf, size_t n)
{
	return rb_plan_kernel_dir(dir, buf, n) && *buf ? buf : NULL;
}

/* ---- the series: its patches, numbered, and a kernel per prefix ---- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* the regular files of dir ending in suffix (any, when NULL), sorted as C */
static int list_files(const char *dir, const char *suffix, char ***out, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL, p[PATH_MAX + 300];
	size_t c = 0;
	struct stat st;

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);

		if (e->d_name[0] == '.' || (suffix && (l < strlen(suffix) || strcmp(e->d_name + l - strlen(suffix),
										   suffix))))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (stat(p, &st) || !S_ISREG(st.st_mode))
			continue;
		v = realloc(v, (c + 1) * sizeof(*v));
		v[c++] = strdup(p);
	}
	closedir(d);
	qsort(v, c, sizeof(*v), cmp_str);
	*out = v;
	*n = c;
	return 0;
}

static int copy_file(const char *from, const char *to)
{
	char *buf, err[256];
	size_t len;
	int r;

	if ((r = rb_user_file_read(from, 64u << 20, &buf, &len, err, sizeof(err))))
		return r;
	r = rb_write_atomic(to, buf, len);
	free(buf);
	return r;
}

static bool is_mbox(const char *path)
{
	char head[8] = "";
	FILE *f = fopen(path, "re");
	size_t got;

	if (!f)
		return false;
	got = fread(head, 1, 5, f);
	fclose(f);
	return got == 5 && !strncmp(head, "From ", 5);
}

/* After the base is built: the series' patches as STATE/series/NNNN-*.patch
 * and one kernel per prefix, each built from STATE/prefix/K/. Returns 1
 * when the executor must split an mbox first (the step is printed). */
static int series_patches(struct job *j)
{
	const char *src = rb_json_get_str(j->s, "series"), *ver;
	struct json_object *k0 = rb_plan_kernel(j->plan, 0), *list;
	char dir[PATH_MAX], err[RB_ERR_LEN], split[PATH_MAX + 16], path[PATH_MAX + 64], **files = NULL;
	size_t n = 0;
	struct stat st;

	if (rb_plan_get(j->plan, "patches"))
		return 0;
	ver = rb_json_get_str(k0, "version");
	if (!stat(src, &st) && S_ISDIR(st.st_mode)) {
		if (!rb_plan_patch_dir(src, ver ? ver : "", dir, sizeof(dir), err, sizeof(err)))
			return -rb_plan_error(j->name, "--series %s", err);
		if (strcmp(dir, src))
			rb_plan_say(j->plan, "series: %s/ (per-version layout; the base is %s)", dir, ver);
		list_files(dir, ".patch", &files, &n);
	} else {
		if (!is_mbox(src)) {
			rb_plan_error(j->name, "--series %s: neither a directory of *.patch nor an mbox (it does not start with 'From ')",
				src);
			return -2;
		}
		snprintf(split, sizeof(split), "%s/split", j->state);
		if (!rb_plan_bool(j->plan, "split_done")) {
			mkdir(split, 0755);
			printf("mailsplit\n%s\n%s\n", src, split);
			return 1;
		}
		list_files(split, NULL, &files, &n);
		if (!n) {
			rb_plan_error(j->name, "--series %s: the mbox holds no messages", src);
			return -2;
		}
	}
	snprintf(path, sizeof(path), "%s/series", j->state);
	mkdir(path, 0755);
	list = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		const char *base = strrchr(files[i], '/') + 1;
		char name[PATH_MAX], to[PATH_MAX + 128];

		snprintf(name, sizeof(name), "%s", base);
		if (strlen(name) > 6 && !strcmp(name + strlen(name) - 6, ".patch"))
			name[strlen(name) - 6] = '\0';
		/* NNNN-name.patch: every prefix directory sorts as the series does */
		snprintf(to, sizeof(to), "%s/%04zu-%s.patch", path, i + 1,
			 strlen(name) > 5 && name[4] == '-' && strspn(name, "0123456789") == 4 ? name + 5 : name);
		if (copy_file(files[i], to)) {
			rb_plan_error(j->name, "copying %s to %s: %s", files[i], to, strerror(errno));
			return -2;
		}
		json_object_array_add(list, json_object_new_string(to));
		free(files[i]);
	}
	free(files);
	if (!n) {
		json_object_put(list);
		rb_plan_error(j->name, "--series %s: no *.patch files in it", src);
		return -2;
	}
	json_object_object_add(j->plan, "patches", list);
	rb_plan_say(j->plan, "series: %zu patches on %s", n, strrchr(rb_json_get_str(k0, "dir"), '/') + 1);
	/* kernel k = base + patches 1..k */
	for (size_t k = 1; k <= n; k++) {
		struct json_object *args = json_object_new_array(), *bargs = rb_plan_get(k0, "build");
		char label[16], pre[PATH_MAX + 32];

		snprintf(pre, sizeof(pre), "%s/prefix/%zu", j->state, k);
		snprintf(label, sizeof(label), "%zu", k);
		for (size_t a = 0; a < json_object_array_length(bargs); a++)
			json_object_array_add(args, json_object_get(json_object_array_get_idx(bargs, a)));
		json_object_array_add(args, json_object_new_string("--patches"));
		json_object_array_add(args, json_object_new_string(pre));
		rb_plan_add_kernel(j->plan, label, pre, args);
	}
	j->dirty = true;
	return 0;
}

/* the prefix directory of kernel k, filled just before it is built */
static int series_prefix(struct job *j, size_t k)
{
	struct json_object *list = rb_plan_get(j->plan, "patches");
	char pre[PATH_MAX + 32], to[PATH_MAX + 64];

	snprintf(pre, sizeof(pre), "%s/prefix", j->state);
	mkdir(pre, 0755);
	snprintf(pre, sizeof(pre), "%s/prefix/%zu", j->state, k);
	mkdir(pre, 0755);
	for (size_t i = 0; i < k && i < json_object_array_length(list); i++) {
		const char *p = json_object_get_string(json_object_array_get_idx(list, i));

		snprintf(to, sizeof(to), "%s/%s", pre, strrchr(p, '/') + 1);
		if (access(to, F_OK) && copy_file(p, to))
			return rb_plan_error(j->name, "copying %s to %s: %s", p, to, strerror(errno));
	}
	return 0;
}

/* ---- bounds file and rounds ---- */

static void resolve_bounds(struct job *j)
{
	const char *b = rb_json_get_str(j->s, "bounds"), *ver, *repo = rb_json_get_str(j->s, "repo");
	const char *name = rb_json_get_str(j->s, "suite_name");
	char series[32], path[PATH_MAX + 256] = "";

	if (rb_plan_get(j->plan, "bounds") || is_job(j, "bounds"))
		return;
	j->dirty = true;
	if (b && !strcmp(b, "none")) {
		rb_plan_set_str(j->plan, "bounds", "");
		return;
	}
	if (b && *b) {
		rb_plan_set_str(j->plan, "bounds", b);
		return;
	}
	if (strcmp(rb_json_get_str(j->plan, "mode"), "deterministic")) {
		rb_plan_set_str(j->plan, "bounds", "");
		return;
	}
	/* the suite's own measured A/A bounds for kernel A's (the base's)
	 * version: configs/bounds/SUITE-X.Y.bounds, else SUITE.bounds */
	ver = rb_json_get_str(rb_plan_kernel(j->plan, 0), "version");
	rb_plan_series_of(ver ? ver : "", series, sizeof(series));
	if (*series)
		snprintf(path, sizeof(path), "%s/configs/bounds/%s-%s.bounds", repo, name, series);
	if (!*path || access(path, F_OK))
		snprintf(path, sizeof(path), "%s/configs/bounds/%s.bounds", repo, name);
	if (access(path, F_OK))
		*path = '\0';
	rb_plan_set_str(j->plan, "bounds", path);
	if (!*path && is_job(j, "series"))
		fprintf(stderr, "series: warning: no bounds file for suite %s on %s: with one boot per kernel only "
			"identical numbers are decided (\"?\" cells); measure them with scripts/bounds\n",
			rb_json_get_str(j->s, "suite_given"), *series ? series : "this version");
}

static const char *rel(const struct job *j, const char *p)
{
	size_t l = strlen(rb_json_get_str(j->s, "repo"));

	return !strncmp(p, rb_json_get_str(j->s, "repo"), l) && p[l] == '/' ? p + l + 1 : p;
}

static void add_round(struct job *j, long r)
{
	char label[32];
	long perturb = strcmp(rb_json_get_str(j->plan, "mode"), "deterministic") ? 0 : (r - 1) * RB_PLAN_PERTURB;

	snprintf(label, sizeof(label), "A%ld", r);
	rb_plan_add_boot(j->plan, label, 0, r, perturb);
	snprintf(label, sizeof(label), "B%ld", r);
	rb_plan_add_boot(j->plan, label, 1, r, perturb);
	j->dirty = true;
}

static void make_boots(struct job *j)
{
	struct json_object *kernels = rb_plan_get(j->plan, "kernels");

	if (nboots(j) || rb_plan_get(j->plan, "rounds"))
		return;
	j->dirty = true;
	if (is_job(j, "ab")) {
		long rounds = rb_plan_int(j->s, "rounds", -1);
		const char *bounds = rb_json_get_str(j->plan, "bounds");

		if (rounds < 0) {
			if (!strcmp(rb_json_get_str(j->plan, "mode"), "timed")) {
				rounds = 5;
			} else if (bounds && *bounds) {
				rounds = 1;
				rb_plan_say(j->plan, "A/A bounds: %s; one boot per kernel", rel(j, bounds));
			} else {
				rounds = 2;
				rb_plan_say(j->plan, "no bounds file for suite %s on this version: 2 rounds, so the run "
					    "measures its own A/A bound", rb_json_get_str(j->s, "suite_given"));
			}
		}
		rb_plan_set_int(j->plan, "rounds", rounds);
		if (!strcmp(rb_json_get_str(rb_plan_kernel(j->plan, 0), "dir"), rb_json_get_str(rb_plan_kernel(j->plan, 1), "dir")))
			rb_plan_say(j->plan, "note: A and B are the same kernel build (an A/A comparison)");
		for (long r = 1; r <= (rounds ? rounds : 1); r++)
			add_round(j, r);
	} else if (is_job(j, "series")) {
		rb_plan_set_int(j->plan, "rounds", 1);
		for (size_t k = 0; k < json_object_array_length(kernels); k++) {
			char label[16];

			if (!status_is(json_object_array_get_idx(kernels, k), "built"))
				break;
			snprintf(label, sizeof(label), "%zu", k);
			rb_plan_add_boot(j->plan, label, (long)k, 1, 0);
		}
	} else {
		long boots = rb_plan_int(j->s, "boots", 6);

		rb_plan_set_int(j->plan, "rounds", boots);
		for (size_t k = 0; k < json_object_array_length(kernels); k++)
			for (long i = 0; i < boots; i++) {
				char label[32];

				snprintf(label, sizeof(label), "%zu.%ld", k, i);
				rb_plan_add_boot(j->plan, label, (long)k, i + 1, i * RB_PLAN_PERTURB);
			}
	}
}

/* runs of the done boots of kernel k (ab: arm), comma-separated */
static void runs_of(const struct job *j, long kernel, char *buf, size_t n)
{
	*buf = '\0';
	for (size_t i = 0; i < nboots(j); i++) {
		struct json_object *b = boot_at(j, i);

		if (rb_plan_int(b, "kernel", -1) == kernel && status_is(b, "done") && rb_json_get_str(b, "run"))
			snprintf(buf + strlen(buf), n - strlen(buf), "%s%s", *buf ? "," : "", rb_json_get_str(b, "run"));
	}
}

/* ---- the step after the boots ---- */

static long last_round(const struct job *j)
{
	long r = 0;

	for (size_t i = 0; i < nboots(j); i++)
		if (rb_plan_int(boot_at(j, i), "round", 0) > r)
			r = rb_plan_int(boot_at(j, i), "round", 0);
	return r;
}

static void print_ab_compare(struct job *j, bool look)
{
	char a[16384], b[16384], cmd[8192];
	const char *bounds = rb_json_get_str(j->plan, "bounds"), *repo = rb_json_get_str(j->s, "repo");
	long r = last_round(j), rmax = rb_plan_int(j->plan, "rmax", 0);
	bool seq = rb_plan_int(j->s, "rounds", -1) == 0;

	runs_of(j, 0, a, sizeof(a));
	runs_of(j, 1, b, sizeof(b));
	printf("%s\n", look ? "look" : "compare");
	if (look)
		printf("%ld\n", r);
	printf("compare\n--margin\n%s\n", rb_json_get_str(j->s, "margin_text"));
	if (bounds && *bounds)
		printf("--bounds\n%s\n", bounds);
	if (!look && code_diff_file(j))
		printf("--code-diff\n%s\n", code_diff_file(j));
	if (rb_plan_bool(j->s, "allow_missing") || look)
		printf("--allow-missing\n");
	if (seq && (look || r >= 1) && rmax)
		printf("--sequential\n%ld/%ld\n", r, rmax);
	if (look) {
		printf("--no-plots\n-o\n%s/looks/%ld\n%s\n%s\n", j->state, r, a, b);
		return;
	}
	/* compare reads the boots a resume reused from the plan */
	printf("--plan\n%s\n", j->state);
	if (rb_plan_bool(j->s, "demo")) {
		snprintf(cmd, sizeof(cmd), "make demo");
	} else {
		const char *ksrc = rb_json_get_str(j->s, "ksrc");

		snprintf(cmd, sizeof(cmd), "make ab BASE='%s' PATCHED='%s'%s%s%s MODE=%s SUITE=%s ROUNDS=%ld MARGIN=%s%s%s%s",
			 rb_json_get_str(j->s, "base"), rb_json_get_str(j->s, "patched"), ksrc ? " KSRC='" : "",
			 ksrc ? ksrc : "", ksrc ? "'" : "", rb_json_get_str(j->plan, "mode"),
			 rb_json_get_str(j->s, "suite_given"), r, rb_json_get_str(j->s, "margin_text"),
			 bounds && *bounds ? " BOUNDS='" : "", bounds && *bounds ? bounds : "",
			 bounds && *bounds ? "'" : "");
	}
	{
		const char *pb = rb_json_get_str(j->s, "patched");
		char lb[PATH_MAX * 2];
		const char *at = strstr(pb, repo);

		/* the repository's own paths shortened, as a reader knows them */
		if (at && at[strlen(repo)] == '/')
			snprintf(lb, sizeof(lb), "%.*s%s", (int)(at - pb), pb, at + strlen(repo) + 1);
		else
			snprintf(lb, sizeof(lb), "%s", pb);
		printf("-o\n%s\n--label-a\n%s\n--label-b\n%s\n--command\n%s\n%s\n%s\n", out_dir(j),
		       rel(j, rb_json_get_str(j->s, "base")), lb, cmd, a, b);
	}
}

static void print_series_compare(struct job *j)
{
	const char *bounds = rb_json_get_str(j->plan, "bounds"), *ksrc = rb_json_get_str(j->s, "ksrc");
	struct json_object *stop = rb_plan_get(j->plan, "stop");

	printf("compare\nseries\n");
	if (bounds && *bounds)
		printf("--bounds\n%s\n", bounds);
	printf("--command\nmake series BASE='%s' SERIES='%s'%s%s%s SUITE=%s%s\n", rb_json_get_str(j->s, "base"),
	       rb_json_get_str(j->s, "series"), ksrc ? " KSRC='" : "", ksrc ? ksrc : "", ksrc ? "'" : "",
	       rb_json_get_str(j->s, "suite_given"), rb_plan_bool(j->s, "attribute") ? " ATTRIBUTE=1" : "");
	if (stop)
		printf("--stopped\n%ld\n--stop-reason\n%s\n", rb_plan_int(stop, "at", 0), rb_json_get_str(stop, "reason"));
	printf("-o\n%s\n", out_dir(j));
	for (size_t i = 0; i < nboots(j); i++)
		if (status_is(boot_at(j, i), "done"))
			printf("%s\n", rb_json_get_str(boot_at(j, i), "run"));
}

static void print_bounds_compare(struct job *j)
{
	char runs[16384];

	printf("compare\nbounds\n");
	if (rb_plan_bool(j->s, "across"))
		printf("--across\n");
	if (rb_json_get_str(j->s, "check"))
		printf("--check\n%s\n", rb_json_get_str(j->s, "check"));
	else {
		struct json_object *lab = rb_plan_get(j->s, "lab_args");
		char with[1024] = "";

		/* the lab's own arguments change what is measured (--cost: the
		 * components and the own count): the file says which */
		for (size_t i = 0; i < json_object_array_length(lab); i++)
			snprintf(with + strlen(with), sizeof(with) - strlen(with), "%s%s", *with ? " " : ", scripts/lab ",
				 json_object_get_string(json_object_array_get_idx(lab, i)));
		printf("-o\n%s\n--label\nscripts/bounds: %ld perturbed deterministic boots (--perturb 0, %ld, ...) per "
		       "kernel%s\n--factor\n%s\n", out_dir(j), rb_plan_int(j->s, "boots", 6), RB_PLAN_PERTURB, with,
		       rb_json_get_str(j->s, "factor"));
	}
	for (size_t k = 0; rb_plan_kernel(j->plan, k); k++) {
		runs_of(j, (long)k, runs, sizeof(runs));
		printf("%s\n", runs);
	}
}

static int copy_to_stderr(const char *path)
{
	char *buf, err[256];
	size_t len;

	if (rb_user_file_read(path, 64u << 20, &buf, &len, err, sizeof(err)))
		return -1;
	fwrite(buf, 1, len, stderr);
	free(buf);
	return 0;
}

/* The result is written: the plan goes beside it (ab, series) and STATE
 * is removed; messages, the table, the exit status. */
static int finish(struct job *j)
{
	struct json_object *res = rb_plan_get(j->plan, "result");
	long rc = rb_plan_int(res, "rc", 1), t0 = rb_plan_int(j->plan, "boots_started", now());
	const char *out = out_dir(j);
	char path[PATH_MAX + 64], from[PATH_MAX + 64], err[RB_ERR_LEN];
	char a[16384], b[16384];

	if (is_job(j, "bounds")) {
		if (!rb_json_get_str(j->s, "check") && !rc)
			rb_plan_say(j->plan, "wrote %s", out);
		j->dirty = false;
		rb_remove_tree(j->state);
		printf("done\n%ld\n\n", rc);
		return 0;
	}
	snprintf(path, sizeof(path), "%s/%s", out, is_job(j, "ab") ? "report.txt" : "series.txt");
	if (access(path, F_OK)) {
		if (is_job(j, "ab")) {
			runs_of(j, 0, a, sizeof(a));
			runs_of(j, 1, b, sizeof(b));
			return rb_plan_error(j->name, "refbench compare failed (exit %ld); the runs are kept: %s %s", rc, a, b);
		}
		return rb_plan_error(j->name, "refbench series failed (exit %ld); the runs are kept (%s)", rc, j->state);
	}
	/* the plan is kept with the result it made */
	rb_plan_set_str(j->plan, "finished", rb_iso_time(from, sizeof(from)));
	snprintf(path, sizeof(path), "%s/looks", j->state);
	snprintf(from, sizeof(from), "%s/looks", out);
	if (!access(path, F_OK) && rename(path, from))
		rb_warn("keeping the looks: %s", strerror(errno));
	/* compare keeps the code-diff it marked the where: lines from */
	snprintf(from, sizeof(from), "%s/code-diff.json", out);
	if (code_diff_file(j) && !access(from, F_OK))
		rb_plan_set_str(j->plan, "code_diff", from);
	j->dirty = false;
	if (rb_plan_save(out, j->plan, err, sizeof(err)))
		return rb_plan_error(j->name, "%s", err);
	rb_remove_tree(j->state);
	rb_plan_say(j->plan, "done in %lds after the builds", now() - t0);
	if (is_job(j, "ab")) {
		rb_plan_say(j->plan, "report: %s/report.txt", out);
		rb_plan_say(j->plan, "plots:  %s/plots/forest.png %s/plots/dist.png, per case forest-CASE.png (and .svg)",
			    out, out);
		snprintf(path, sizeof(path), "%s/report.txt", out);
		copy_to_stderr(path);
		if (rc)
			return rb_plan_error(j->name, "the comparison is incomplete (see LOST in the report); ALLOW_MISSING=1 accepts it");
		printf("done\n0\n%s\n", out);
		return 0;
	}
	rb_plan_say(j->plan, "table: %s/series.txt; data: %s/series.json; plot: %s/plots/heatmap.png; steps: %s/steps/",
		    out, out, out, out);
	snprintf(path, sizeof(path), "%s/series.txt", out);
	copy_to_stderr(path);
	if (rb_plan_get(j->plan, "stop")) {
		struct json_object *stop = rb_plan_get(j->plan, "stop");

		printf("done\n1\n%s\n", out);
		rb_plan_error(j->name, "the walk stopped at patch %ld: %s", rb_plan_int(stop, "at", 0), rb_json_get_str(stop, "reason"));
		return 0;
	}
	printf("done\n0\n%s\n", out);
	return 0;
}

/* After the boots: a look (ROUNDS=auto), another round, or the result. */
static int after_boots(struct job *j)
{
	if (is_job(j, "ab") && rb_plan_int(j->s, "rounds", -1) == 0) {
		long r = last_round(j), el = now() - rb_plan_int(j->plan, "boots_started", now());
		long first = strcmp(rb_json_get_str(j->plan, "mode"), "timed") ? 1 : 2;
		long budget = rb_plan_int(j->s, "budget_s", 1800), rmax = rb_plan_int(j->plan, "rmax", 0);
		struct json_object *looks = rb_plan_get(j->plan, "looks");
		struct json_object *last = looks ? json_object_array_get_idx(looks, json_object_array_length(looks) - 1)
						 : NULL;

		if (!rmax) {	/* fixed once, from the first round's time only */
			rmax = budget / (el > 0 ? el : 1);
			rmax = rmax < 2 ? 2 : rmax > 50 ? 50 : rmax;
			rb_plan_set_int(j->plan, "rmax", rmax);
			j->dirty = true;
			rb_plan_say(j->plan, "ROUNDS=auto: at most %ld rounds in the budget of %s (a round took %lds)", rmax,
				    rb_json_get_str(j->s, "budget"), el);
		}
		if (r >= first && (!last || rb_plan_int(last, "round", 0) != r)) {
			print_ab_compare(j, true);
			return 0;
		}
		if (r >= first && !rb_plan_bool(j->plan, "looks_done")) {
			if (rb_plan_bool(last, "stop")) {
				rb_plan_say(j->plan, "look %ld: every primary metric is decided", r);
			} else if (el / r * (r + 1) > budget || r >= rmax) {
				rb_plan_say(j->plan, "look %ld: the budget of %s runs out; %ld primary metrics stay undecided", r,
					    rb_json_get_str(j->s, "budget"), rb_plan_int(last, "undecided", 0));
			} else {
				add_round(j, r + 1);
				return -1;	/* boot it */
			}
			json_object_object_add(j->plan, "looks_done", json_object_new_boolean(true));
			j->dirty = true;
		} else if (r < first) {
			add_round(j, r + 1);
			return -1;
		}
	}
	if (!rb_plan_get(j->plan, "result")) {
		/* with the plugin's per-symbol counts: which code the patch changed,
		 * so that compare can tell a where: line's symbols apart */
		if (is_job(j, "ab") && with_plugin(j->s) && !rb_plan_get(j->plan, "code_diff")) {
			printf("code-diff\n%s\n%s\n%s/code-diff.json\n",
			       rb_json_get_str(rb_plan_kernel(j->plan, 0), "dir"),
			       rb_json_get_str(rb_plan_kernel(j->plan, 1), "dir"), j->state);
			return 0;
		}
		if (is_job(j, "ab"))
			print_ab_compare(j, false);
		else if (is_job(j, "series"))
			print_series_compare(j);
		else
			print_bounds_compare(j);
		return 0;
	}
	return finish(j) ? 2 : 0;
}

/* ---- ssh targets sharing the boots (settings.targets) ---- */

static const char *down_reason(const struct job *j, const char *url)
{
	struct json_object *down = rb_plan_get(j->plan, "targets_down");

	for (size_t i = 0; down && i < json_object_array_length(down); i++) {
		struct json_object *d = json_object_array_get_idx(down, i);

		if (!strcmp(rb_json_get_str(d, "target"), url))
			return rb_json_get_str(d, "reason") ? rb_json_get_str(d, "reason") : "unreachable";
	}
	return NULL;
}

/* The pending boots go to the targets (rb_plan_assign), and the step
 * names, for the executor, each kernel directory the targets need, here
 * and there (rb_plan_target_path), then each target's boots in the order
 * it boots them, one at a time:
 *   remote NKERNELS (DIR TARGET_DIR)... TARGET LABEL... TARGET LABEL...
 * (a line that starts with ssh:// opens a target's list). */
static int remote_step(struct job *j, struct json_object *targets)
{
	size_t nt = json_object_array_length(targets), n = nboots(j), nk = 0;
	size_t nkern = json_object_array_length(rb_plan_get(j->plan, "kernels"));
	struct rb_plan_slot *slots = calloc(n, sizeof(*slots));
	const char *repo = rb_json_get_str(j->s, "repo"), *suite = rb_json_get_str(j->s, "suite");
	bool up[RB_PLAN_MAX_TARGETS], *need = calloc(nkern + 1, sizeof(*need));
	char hint[PATH_MAX + 64], there[PATH_MAX];
	int rc = -1;

	if (!slots || !need)
		abort();
	for (size_t t = 0; t < nt; t++)
		up[t] = !down_reason(j, json_object_get_string(json_object_array_get_idx(targets, t)));
	for (size_t i = 0; i < n; i++) {
		struct json_object *b = boot_at(j, i);
		const char *tg = rb_json_get_str(b, "target");

		slots[i].group = is_job(j, "series") ? rb_plan_int(b, "kernel", 0) : rb_plan_int(b, "round", 0);
		slots[i].pending = status_is(b, "pending");
		slots[i].target = -1;
		for (size_t t = 0; tg && t < nt; t++)
			if (!strcmp(tg, json_object_get_string(json_object_array_get_idx(targets, t))))
				slots[i].target = (int)t;
	}
	if (rb_plan_assign(slots, n, up, nt)) {
		rb_plan_error(j->name, "no target is left to boot on:");
		for (size_t t = 0; t < nt; t++) {
			const char *url = json_object_get_string(json_object_array_get_idx(targets, t));

			fprintf(stderr, "  %s: %s\n", url, down_reason(j, url));
		}
		rc = -rb_plan_error(j->name, "the boots done are in %s: %s continues (it tries every target again; "
				    "--targets names others)", j->state,
				    rb_plan_resume_cmd(j->name, out_dir(j), hint, sizeof(hint)));
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *b = boot_at(j, i);
		long k = rb_plan_int(b, "kernel", 0);

		if (!slots[i].pending)
			continue;
		rb_plan_set_str(b, "target", json_object_get_string(json_object_array_get_idx(targets, (size_t)slots[i].target)));
		if (k >= 0 && (size_t)k < nkern)
			need[k] = true;
	}
	j->dirty = true;
	/* a target holds the tree and the kernels it boots, nothing else */
	if (!rb_plan_target_path(repo, suite, false, there, sizeof(there))) {
		rc = -rb_plan_error(j->name, "the suite %s is outside the tree %s: a target gets the tree only (put the "
				    "suite in configs/suites/)", suite, repo);
		goto out;
	}
	for (size_t k = 0; k < nkern; k++) {
		const char *dir = need[k] ? rb_json_get_str(rb_plan_kernel(j->plan, k), "dir") : NULL;

		if (!dir)
			continue;
		if (!rb_plan_target_path(repo, dir, true, there, sizeof(there))) {
			rc = -rb_plan_error(j->name, "kernel %s: its directory %s has no name a target can hold it under",
					    rb_json_get_str(rb_plan_kernel(j->plan, k), "label"), dir);
			goto out;
		}
		nk++;
	}
	if (!rb_plan_get(j->plan, "boots_started"))
		rb_plan_set_int(j->plan, "boots_started", now());
	printf("remote\n%zu\n", nk);
	for (size_t k = 0; k < nkern; k++) {
		const char *dir = need[k] ? rb_json_get_str(rb_plan_kernel(j->plan, k), "dir") : NULL;

		if (dir)
			printf("%s\n%s\n", dir, rb_plan_target_path(repo, dir, true, there, sizeof(there)));
	}
	for (size_t t = 0; t < nt; t++) {
		size_t c = 0;

		for (size_t i = 0; i < n; i++)
			c += slots[i].pending && slots[i].target == (int)t;
		if (!c)
			continue;
		rb_plan_say(j->plan, "%s: %zu boot(s)", json_object_get_string(json_object_array_get_idx(targets, t)), c);
		printf("%s\n", json_object_get_string(json_object_array_get_idx(targets, t)));
		for (size_t i = 0; i < n; i++)
			if (slots[i].pending && slots[i].target == (int)t)
				printf("%s\n", rb_json_get_str(boot_at(j, i), "label"));
	}
	rc = 0;
out:
	free(slots);
	free(need);
	return rc;
}

/* The boots: those pending, as many at once as cores and memory allow. */
static int boots_step(struct job *j)
{
	size_t pending = 0, first = SIZE_MAX, last = 0;
	long need = rb_plan_int(j->plan, "need_mib", 0), jobs = rb_plan_int(j->s, "jobs", 0), n = 1;
	long most = 0, free_mib, waited = rb_plan_int(j->plan, "mem_waited", 0);
	long wait_max = rb_plan_mem_wait_s();
	char err[RB_ERR_LEN];

	for (size_t i = 0; i < nboots(j); i++)
		if (status_is(boot_at(j, i), "pending")) {
			pending++;
			first = first < i ? first : i;
			last = i;
		}
	if (!pending)
		return 1;
	if (rb_plan_get(j->s, "targets"))
		return remote_step(j, rb_plan_get(j->s, "targets"));
	if (rb_plan_boots_elsewhere()) {
		/* a LAVA server's workers boot them (docs/lava.md): this machine's
		 * memory bounds nothing; the round's boots at once, or --jobs */
		n = jobs ? jobs : is_job(j, "ab") && rb_plan_int(j->plan, "rounds", 0) ? 2 * rb_plan_int(j->plan, "rounds", 0)
									      : (long)pending;
	} else if (!strcmp(rb_json_get_str(j->plan, "mode"), "deterministic")) {
		if (!need) {
			/* the memory one boot needs, from the lab's own dry run */
			struct json_object *b = boot_at(j, first);

			printf("size\n%s/size.json\n", j->state);
			rb_plan_lab_argv(j->plan, b, stdout);
			printf("--dry-run\n");
			return 0;
		}
		free_mib = rb_plan_mem_available_mib();
		if (free_mib < need && waited < wait_max) {
			/* other jobs' boots come and go: wait a while for room for one */
			if (!waited)
				rb_plan_say(j->plan, "waiting for memory: one boot needs %ld MiB, %ld MiB are available (at "
					    "most %lds)", need, free_mib, wait_max);
			printf("wait\n10\n");
			return 0;
		}
		most = (long)pending;	/* no more at once than there are boots to run */
		if ((n = rb_plan_njobs(jobs, sysconf(_SC_NPROCESSORS_ONLN), most, need, free_mib, err, sizeof(err))) < 0)
			return -rb_plan_error(j->name, "%s", err);
		if (!rb_plan_get(j->plan, "njobs_said")) {
			if (is_job(j, "series"))
				rb_plan_say(j->plan, "booting %zu kernels, %ld at once (%ld MiB each, %ld MiB available)", pending,
					    n, need, free_mib);
			else
				rb_plan_say(j->plan, "deterministic: %ld boot(s) at once (%ld MiB each, %ld MiB available)", n,
					    need, free_mib);
			json_object_object_add(j->plan, "njobs_said", json_object_new_boolean(true));
		}
	}
	if (!rb_plan_get(j->plan, "boots_started"))
		rb_plan_set_int(j->plan, "boots_started", now());
	j->dirty = true;
	if (is_job(j, "ab")) {
		char of[32] = "auto";

		if (rb_plan_int(j->plan, "rounds", 0))
			snprintf(of, sizeof(of), "%ld", rb_plan_int(j->plan, "rounds", 0));
		rb_plan_say(j->plan, "rounds %ld-%ld of %s: %zu boots, %ld at once (%lds elapsed)",
			    rb_plan_int(boot_at(j, first), "round", 0), rb_plan_int(boot_at(j, last), "round", 0),
			    of, pending, n, now() - rb_plan_int(j->plan, "boots_started", now()));
	}
	printf("boots\n%ld\n", n);
	for (size_t i = 0; i < nboots(j); i++)
		if (status_is(boot_at(j, i), "pending"))
			printf("%s\n", rb_json_get_str(boot_at(j, i), "label"));
	return 0;
}

/* What failed boots mean: the job stops (ab, bounds), or the walk ends
 * at the first (series; the base's own failure stops it). */
static int failed_boots(struct job *j)
{
	char hint[PATH_MAX + 64];

	for (size_t i = 0; i < nboots(j); i++) {
		struct json_object *b = boot_at(j, i);
		const char *run = rb_json_get_str(b, "run");

		if (!status_is(b, "failed"))
			continue;
		if (is_job(j, "ab")) {
			return rb_plan_error(j->name, "round %ld, kernel %s: the lab run failed; it is kept, marked failed: %s. The boots "
				       "done are in %s: %s continues", rb_plan_int(b, "round", 0),
				       rb_plan_int(b, "kernel", 0) ? "B" : "A", run ? run : "see above", j->state,
				       rb_plan_resume_cmd(j->name, out_dir(j), hint, sizeof(hint)));
		}
		if (is_job(j, "bounds"))
			return rb_plan_error(j->name, "boot %ld of %s failed (above); its run is kept, marked failed%s%s",
				       rb_plan_int(b, "round", 1) - 1,
				       rb_json_get_str(rb_plan_kernel(j->plan, (size_t)rb_plan_int(b, "kernel", 0)), "dir"),
				       run ? ": " : "", run ? run : "");
		if (!rb_plan_int(b, "kernel", 0))
			return rb_plan_error(j->name, "the base kernel's lab boot failed; its run is kept, marked failed: %s",
				       run ? run : "see above");
		if (!rb_plan_get(j->plan, "stop")) {
			struct json_object *stop = json_object_new_object();
			char why[PATH_MAX + 128];

			snprintf(why, sizeof(why), "the kernel with patch %ld failed its lab boot (run %s, kept, marked failed)",
				 rb_plan_int(b, "kernel", 0), run ? run : "?");
			rb_plan_set_int(stop, "at", rb_plan_int(b, "kernel", 0));
			rb_plan_set_str(stop, "reason", why);
			rb_plan_set_str(stop, "kind", "boot");
			json_object_object_add(j->plan, "stop", stop);
			fprintf(stderr, "series: warning: the walk stops at patch %ld: %s\n", rb_plan_int(b, "kernel", 0), why);
		}
		/* the boots after the stop are not part of the walk */
		for (size_t k = i + 1; k < nboots(j); k++)
			rb_plan_set_str(boot_at(j, k), "status", "dropped");
		rb_plan_set_str(b, "status", "dropped");
		j->dirty = true;
	}
	return 0;
}

int rb_plan_next(const char *state)
{
	struct job j;
	int rc;

	if ((rc = open_job(&j, state)))
		return rc;
	if (is_job(&j, "host-ab"))
		return close_job(&j, rb_plan_host_next(state, j.plan, &j.dirty));
	rc = 0;
	/* 1. the mode, where it was not given: the accel probe decides */
	if (!rb_json_get_str(j.plan, "mode")) {
		printf("probe\n%s/probe.json\n", j.state);
		return close_job(&j, 0);
	}
	/* 2. the kernels, in order */
	for (;;) {
		bool building = false;

		for (size_t i = 0; rb_plan_kernel(j.plan, i); i++) {
			struct json_object *k = rb_plan_kernel(j.plan, i);

			if (status_is(k, "failed"))
				return close_job(&j, rb_plan_error(j.name, "building %s (%s) failed (exit %ld); see the messages above",
							     rb_json_get_str(k, "label"), rb_json_get_str(k, "spec"),
							     rb_plan_int(k, "rc", 1)));
			if (status_is(k, "pending") && !rb_plan_get(j.plan, "stop")) {
				if (is_job(&j, "series") && i && series_prefix(&j, i))
					return close_job(&j, RB_EXIT_FAIL);
				if (is_job(&j, "series") && i)
					rb_plan_say(j.plan, "kernel %zu of %zu: base + patches 1..%zu", i,
						    json_object_array_length(rb_plan_get(j.plan, "patches")), i);
				print_build(&j, i);
				building = true;
				break;
			}
		}
		if (building)
			return close_job(&j, 0);
		if (!is_job(&j, "series"))
			break;
		rc = series_patches(&j);
		if (rc == 1)
			return close_job(&j, 0);
		if (rc < 0)
			return close_job(&j, RB_EXIT_FAIL);
		if (!rb_plan_get(j.plan, "patches") || rb_plan_get(j.plan, "kernels_said"))
			break;
		/* the new kernels are built on the next pass */
		bool more = false;

		for (size_t i = 0; rb_plan_kernel(j.plan, i); i++)
			more |= status_is(rb_plan_kernel(j.plan, i), "pending");
		if (!more || rb_plan_get(j.plan, "stop")) {
			json_object_object_add(j.plan, "kernels_said", json_object_new_boolean(true));
			j.dirty = true;
			break;
		}
	}
	/* 3. the bounds and the boots */
	resolve_bounds(&j);
	make_boots(&j);
	if ((rc = failed_boots(&j)))
		return close_job(&j, rc);
	for (;;) {
		rc = boots_step(&j);
		if (rc <= 0)
			return close_job(&j, rc < 0 ? RB_EXIT_FAIL : 0);
		rc = after_boots(&j);
		if (rc >= 0)
			return close_job(&j, rc ? RB_EXIT_FAIL : 0);
	}
}

/* ---- record ---- */

static const char *last_error_line(const char *file, char *buf, size_t n)
{
	char *text, err[256], *line, *save = NULL;
	size_t len;

	*buf = '\0';
	if (!file || rb_user_file_read(file, 16u << 20, &text, &len, err, sizeof(err)))
		return buf;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, "kernels/build: error: ", 22))
			snprintf(buf, n, "%s", line + 22);
	free(text);
	return buf;
}

static int record_build(struct job *j, int argc, char **argv)
{
	struct json_object *k = NULL;
	long rc;
	char ver[64], img[PATH_MAX + 16], why[1024];

	if (argc < 3)
		return rb_plan_error(j->name, "record build LABEL RC DIR [ERRFILE]");
	for (size_t i = 0; rb_plan_kernel(j->plan, i); i++)
		if (!strcmp(rb_json_get_str(rb_plan_kernel(j->plan, i), "label"), argv[0]))
			k = rb_plan_kernel(j->plan, i);
	if (!k)
		return rb_plan_error(j->name, "no kernel %s in the plan", argv[0]);
	rc = atol(argv[1]);
	snprintf(img, sizeof(img), "%s/bzImage", argv[2]);
	j->dirty = true;
	rb_plan_set_int(k, "rc", rc);
	if (!rc && *argv[2] && !access(img, F_OK)) {
		rb_plan_set_str(k, "status", "built");
		rb_plan_set_str(k, "dir", argv[2]);
		rb_plan_set_str(k, "version", kernel_version(argv[2], ver, sizeof(ver)));
		return 0;
	}
	last_error_line(argc > 3 ? argv[3] : NULL, why, sizeof(why));
	/* a series walk ends at a patch that does not apply or build */
	if (is_job(j, "series") && strcmp(argv[0], "0") && (rc == 3 || rc == 4 || rc == 5)) {
		struct json_object *stop = json_object_new_object();
		char reason[2048];

		snprintf(reason, sizeof(reason), rc == 3 ? "patch %s does not apply: %s" :
			 "the kernel with patch %s does not build: %s", argv[0],
			 *why ? why : "see the messages of kernels/build above");
		rb_plan_set_int(stop, "at", atol(argv[0]));
		rb_plan_set_str(stop, "reason", reason);
		rb_plan_set_str(stop, "kind", "build");
		json_object_object_add(j->plan, "stop", stop);
		rb_plan_set_str(k, "status", "stopped");
		fprintf(stderr, "series: warning: the walk stops at patch %s: %s\n", argv[0], reason);
		return 0;
	}
	rb_plan_set_str(k, "status", "failed");
	rb_plan_set_str(k, "reason", *why ? why : NULL);
	return 0;
}

int rb_plan_record(const char *state, const char *what, int argc, char **argv)
{
	struct job j;
	int rc;

	if ((rc = open_job(&j, state)))
		return rc;
	if (is_job(&j, "host-ab"))
		return close_job(&j, rb_plan_host_record(state, j.plan, what, argc, argv, &j.dirty));
	j.dirty = true;
	if (!strcmp(what, "probe")) {
		/* {"accel": "kvm"|"tcg", ...} from scripts/accel-probe */
		char why[256];
		struct json_object *p = argc ? rb_json_load(argv[0], 1u << 20, true, why, sizeof(why)) : NULL;
		const char *accel = p && rb_json_get_str(p, "accel") ? rb_json_get_str(p, "accel") : "tcg";
		bool kvm = !strcmp(accel, "kvm");
		bool plugin = with_plugin(j.s);

		rb_plan_set_str(j.plan, "mode", kvm ? "timed" : "deterministic");
		rb_plan_say(j.plan, "mode %s (accel probe: %s)", kvm ? "timed" : "deterministic", accel);
		json_object_put(p);
		if (kvm && plugin)
			rc = rb_plan_error(j.name, "--attribute (ATTRIBUTE=1) and --cost (COST=1) count in the TCG plugin: each needs "
				     "--mode deterministic");
		else if (kvm && rb_json_get_str(j.s, "bounds") && *rb_json_get_str(j.s, "bounds") &&
			 strcmp(rb_json_get_str(j.s, "bounds"), "none"))
			rc = rb_plan_error(j.name, "--bounds is for deterministic mode (the A/A bound of instruction counts)");
		if (rc)
			j.dirty = false;
	} else if (!strcmp(what, "build")) {
		rc = record_build(&j, argc, argv);
	} else if (!strcmp(what, "mailsplit")) {
		if (argc < 1 || atol(argv[0]))
			rc = rb_plan_error(j.name, "--series %s: git mailsplit cannot split it", rb_json_get_str(j.s, "series"));
		else
			json_object_object_add(j.plan, "split_done", json_object_new_boolean(true));
	} else if (!strcmp(what, "size")) {
		char why[512];
		struct json_object *dry = argc >= 2 && !atol(argv[0]) ? rb_json_load(argv[1], 1u << 20, true, why,
										     sizeof(why)) : NULL;
		long mib = dry ? rb_plan_boot_mib(dry, why, sizeof(why)) : -1;

		json_object_put(dry);
		if (mib < 0)
			rc = rb_plan_error(j.name, "scripts/lab --dry-run failed for %s: run it by hand to see why",
				     rb_json_get_str(rb_plan_kernel(j.plan, 0), "dir"));
		else
			rb_plan_set_int(j.plan, "need_mib", mib);
	} else if (!strcmp(what, "waited")) {
		rb_plan_set_int(j.plan, "mem_waited", rb_plan_int(j.plan, "mem_waited", 0) + (argc ? atol(argv[0]) : 10));
	} else if (!strcmp(what, "boot")) {
		struct json_object *b = argc >= 2 ? rb_plan_boot(j.plan, argv[0], NULL) : NULL;

		if (!b) {
			rc = rb_plan_error(j.name, "record boot LABEL RC [RUN]: no boot %s in the plan", argc ? argv[0] : "");
		} else {
			rb_plan_set_str(b, "status", atol(argv[1]) ? "failed" : "done");
			rb_plan_set_str(b, "run", argc > 2 && *argv[2] ? argv[2] : NULL);
			rb_plan_set_str(b, "finished", NULL);
		}
	} else if (!strcmp(what, "target")) {
		/* record target TARGET RC [REASON]: a target that cannot be
		 * reached; its boots go to the others (next) */
		struct json_object *down = rb_plan_get(j.plan, "targets_down"), *d;

		if (argc < 2) {
			rc = rb_plan_error(j.name, "record target TARGET RC [REASON]");
		} else if (atol(argv[1]) && !down_reason(&j, argv[0])) {
			if (!down) {
				down = json_object_new_array();
				json_object_object_add(j.plan, "targets_down", down);
			}
			d = json_object_new_object();
			rb_plan_set_str(d, "target", argv[0]);
			rb_plan_set_str(d, "reason", argc > 2 && *argv[2] ? argv[2] : "unreachable");
			json_object_array_add(down, d);
			rb_plan_say(j.plan, "%s is down (%s): its boots go to the other targets", argv[0],
				    argc > 2 && *argv[2] ? argv[2] : "unreachable");
		}
	} else if (!strcmp(what, "look")) {
		char path[PATH_MAX + 64], why[512];
		long r = argc >= 2 ? atol(argv[0]) : 0;
		struct json_object *rep, *seq, *look, *looks = rb_plan_get(j.plan, "looks");

		snprintf(path, sizeof(path), "%s/looks/%ld/report.json", j.state, r);
		if (argc < 2 || atol(argv[1]) || !(rep = rb_json_load(path, 64u << 20, true, why, sizeof(why)))) {
			rc = rb_plan_error(j.name, "compare at look %ld failed (%s/looks/%ld.log says why)", r, j.state, r);
		} else {
			seq = rb_plan_get(rep, "sequential");
			look = json_object_new_object();
			rb_plan_set_int(look, "round", r);
			json_object_object_add(look, "stop", json_object_new_boolean(rb_plan_bool(seq, "stop")));
			rb_plan_set_int(look, "undecided", rb_plan_int(seq, "undecided", 0));
			if (!looks) {
				looks = json_object_new_array();
				json_object_object_add(j.plan, "looks", looks);
			}
			json_object_array_add(looks, look);
			json_object_put(rep);
		}
	} else if (!strcmp(what, "code-diff")) {
		/* a failure costs the where: lines their marks, not the comparison */
		if (argc >= 2 && !atol(argv[0]) && !access(argv[1], R_OK)) {
			rb_plan_set_str(j.plan, "code_diff", argv[1]);
		} else {
			rb_plan_set_str(j.plan, "code_diff", "");
			rb_plan_say(j.plan, "kernels/code-diff failed (exit %s): the where: lines are not marked "
				    "[p]/[c]/[-]", argc ? argv[0] : "?");
		}
	} else if (!strcmp(what, "compare")) {
		struct json_object *res = json_object_new_object();

		rb_plan_set_int(res, "rc", argc ? atol(argv[0]) : 1);
		json_object_object_add(j.plan, "result", res);
	} else {
		rc = rb_plan_error(j.name, "record: unknown outcome '%s'", what);
		j.dirty = false;
	}
	return close_job(&j, rc);
}
