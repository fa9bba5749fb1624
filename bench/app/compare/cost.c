// SPDX-License-Identifier: GPL-2.0
/*
 * The plugin's window counts as metrics, made when a deterministic lab
 * boot is loaded (so compare, bounds, plots and the series walk judge them
 * like any metric; the plugin's files, attribution.h, are their record):
 *  - whose work: where the plugin split the window (x86_context.h) and its
 *    plugin.json shows the split could be followed, a windowed sample's
 *    value becomes the measured task's own count per op ("value_total"
 *    keeps what the clock measured), and two samples beside it hold the
 *    interrupts' and the other tasks' ("irq-insn/page", "other-insn/page");
 *  - the cost vector (scripts/lab --cost): one sample per component
 *    ("atomic/page" beside "insn/page"), the own part where split; lines
 *    are the window's, all of it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/compare/cost.h"
#include "app/compare/samples.h"
#include "lib/refbench.h"
#include "lib/userfile.h"

void rb_window_syms(const char *unit, bool own, char sub[64], char minus[2][64])
{
	static const char *const ctx[2] = { "interrupts", "other" };
	int c = rb_cost_component(unit), k;
	const char *comp = c >= 0 ? rb_cost_components[c] : NULL;

	minus[0][0] = minus[1][0] = '\0';
	if (rb_split_unit(unit, &k)) {
		snprintf(sub, 64, "%s_syms", ctx[k]);
		return;
	}
	if (c > RB_COST_PSTRUCT) {
		snprintf(sub, 64, "-");		/* lines: the window's, no symbol's */
		return;
	}
	snprintf(sub, 64, "%s%ssyms", comp ? comp : "", comp ? "_" : "");
	for (int x = 0; own && x < 2; x++)
		snprintf(minus[x], 64, "%s%s%s_syms", ctx[x], comp ? "_" : "", comp ? comp : "");
}

/* One window's counts; has[c] false where the plugin wrote null. */
struct cost_win {
	uint64_t w, v[RB_COST_NR];
	bool has[RB_COST_NR], cost;
	bool split;			/* "ctx" present */
	uint64_t insns, restarts;
	uint64_t x[2], xr[2];		/* interrupts, other: instructions, restarts */
	uint64_t xc[2][RB_COST_NR];	/* their cost components (the first four) */
};

static const char *const ctx_keys[2] = { "interrupts", "other" };

static uint64_t count_at(struct json_object *o, const char *k)
{
	struct json_object *v;

	return o && json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_int) &&
	       json_object_get_int64(v) > 0 ? (uint64_t)json_object_get_int64(v) : 0;
}

static int cmp_w(const void *pa, const void *pb)
{
	const struct cost_win *a = pa, *b = pb;

	return a->w < b->w ? -1 : a->w > b->w;
}

/* The windows of the file that carry "cost"; -errno with err on a bad file. */
static int read_windows(const char *path, struct cost_win **out, size_t *nout, char *err, size_t n)
{
	FILE *f;
	char *line = NULL, why[512];
	int fd;
	size_t cap = 0, lineno = 0, nw = 0, wcap = 0;
	ssize_t len;
	struct cost_win *w = NULL;
	int rc = 0;

	*out = NULL;
	*nout = 0;
	if ((fd = rb_user_file_open(path, RB_SAMPLES_MAX, why, sizeof(why))) == -ENOENT)
		return 0;
	if (fd < 0 || !(f = fdopen(fd, "re"))) {
		snprintf(err, n, "%s: %s", path, fd < 0 ? why : strerror(errno));
		if (fd >= 0)
			close(fd);
		return fd < 0 ? fd : -errno;
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		struct json_object *o = json_tokener_parse(line), *c, *v;
		int64_t wn;

		struct json_object *ctx = NULL;

		lineno++;
		c = NULL;
		if (!o || (!json_object_object_get_ex(o, "cost", &c) && !json_object_object_get_ex(o, "ctx", &ctx))) {
			json_object_put(o);
			continue;	/* the instruction counts alone; attribution.c judges the line */
		}
		json_object_object_get_ex(o, "ctx", &ctx);
		if ((c && !json_object_is_type(c, json_type_object)) || (ctx && !json_object_is_type(ctx, json_type_object)) ||
		    !json_object_object_get_ex(o, "w", &v) || (wn = json_object_get_int64(v)) < 0) {
			snprintf(err, n, "%s line %zu: \"cost\" or \"ctx\" without its window", path, lineno);
			json_object_put(o);
			rc = -EINVAL;
			break;
		}
		if (nw == wcap) {
			wcap = wcap ? 2 * wcap : 256;
			if (!(w = realloc(w, wcap * sizeof(*w))))
				abort();
		}
		memset(&w[nw], 0, sizeof(*w));
		w[nw].w = (uint64_t)wn;
		w[nw].cost = c != NULL;
		for (int k = 0; c && k < RB_COST_NR; k++)
			if (json_object_object_get_ex(c, rb_cost_components[k], &v) &&
			    json_object_is_type(v, json_type_int) && json_object_get_int64(v) >= 0) {
				w[nw].v[k] = (uint64_t)json_object_get_int64(v);
				w[nw].has[k] = true;
			}
		w[nw].insns = count_at(o, "insns");
		w[nw].restarts = count_at(o, "restarts");
		for (int x = 0; ctx && x < 2; x++) {
			char key[64];
			struct json_object *xc;

			w[nw].split = true;
			w[nw].x[x] = count_at(ctx, ctx_keys[x]);
			snprintf(key, sizeof(key), "%s_restarts", ctx_keys[x]);
			w[nw].xr[x] = count_at(ctx, key);
			snprintf(key, sizeof(key), "%s_cost", ctx_keys[x]);
			xc = json_object_object_get(ctx, key);
			for (int k = 0; k < RB_COST_PSTRUCT + 1; k++)
				w[nw].xc[x][k] = count_at(xc, rb_cost_components[k]);
		}
		nw++;
		json_object_put(o);
	}
	free(line);
	fclose(f);
	if (rc) {
		free(w);
		return rc;
	}
	if (nw)
		qsort(w, nw, sizeof(*w), cmp_w);
	*out = w;
	*nout = nw;
	return 0;
}

/* A passed check of the plugin's: {what, method "tcg-plugin", ok, detail}. */
static struct json_object *plugin_check(const char *what, const char *detail)
{
	struct json_object *chk = json_object_new_object();

	json_object_object_add(chk, "what", json_object_new_string(what));
	json_object_object_add(chk, "method", json_object_new_string("tcg-plugin"));
	json_object_object_add(chk, "ok", json_object_new_boolean(1));
	json_object_object_add(chk, "detail", json_object_new_string(detail));
	return chk;
}

/* A sample beside rec, the same point and iteration: count per op in unit. */
static struct json_object *window_sample(struct json_object *rec, const char *unit, uint64_t count,
					 double ops, uint64_t w, const char *what)
{
	struct json_object *s = json_object_new_object(), *v, *checks, *verify;
	char detail[200];
	static const char *const keep[] = { "schema", "type", "case", "kind", "params", "iter",
					    "interrupts", "preempted", NULL };

	for (const char *const *k = keep; *k; k++)
		if (json_object_object_get_ex(rec, *k, &v))
			json_object_object_add(s, *k, json_object_get(v));
	json_object_object_add(s, "metric", json_object_get(json_object_object_get(rec, "metric")));
	json_object_object_add(s, "unit", json_object_new_string(unit));
	json_object_object_add(s, "value", json_object_new_double((double)count / ops));
	json_object_object_add(s, "ops", json_object_get(json_object_object_get(rec, "ops")));
	json_object_object_add(s, "resolution", json_object_new_double(1.0 / ops));
	json_object_object_add(s, "window", json_object_new_int64((int64_t)w));
	json_object_object_add(s, "clock", json_object_new_string("icount"));
	json_object_object_add(s, "count", json_object_new_int64((int64_t)count));
	snprintf(detail, sizeof(detail), "counted by the TCG plugin in window %" PRIu64 ": %" PRIu64 " %s",
		 w, count, what);
	checks = json_object_new_array();
	json_object_array_add(checks, plugin_check("window", detail));
	verify = json_object_new_object();
	json_object_object_add(verify, "ok", json_object_new_boolean(1));
	json_object_object_add(verify, "checks", checks);
	json_object_object_add(s, "verify", verify);
	return s;
}

/* The sample's value becomes the measured task's own count per op. */
static void own_value(struct json_object *rec, const struct cost_win *x, uint64_t own, double ops)
{
	struct json_object *verify = json_object_object_get(rec, "verify"), *checks;
	char detail[300];

	json_object_object_add(rec, "value_total", json_object_get(json_object_object_get(rec, "value")));
	json_object_object_add(rec, "value", json_object_new_double((double)own / ops));
	json_object_object_add(rec, "own", json_object_new_int64((int64_t)own));
	/* One instruction per window: between two images the own count moves
	 * by that much more than between boots of one image (docs/attribution.md,
	 * "The residual"), the resolution the components' samples declare. */
	if (!(json_object_get_double(json_object_object_get(rec, "resolution")) >= 1.0 / ops))
		json_object_object_add(rec, "resolution", json_object_new_double(1.0 / ops));
	if (!verify || !json_object_object_get_ex(verify, "checks", &checks) ||
	    !json_object_is_type(checks, json_type_array))
		return;
	snprintf(detail, sizeof(detail), "the measured task's own instructions in window %" PRIu64 ": %" PRIu64
		 " of %" PRIu64 " (interrupts %" PRIu64 ", other tasks %" PRIu64 ", restarts apart)", x->w, own,
		 x->insns - x->restarts, x->x[0] - x->xr[0], x->x[1] - x->xr[1]);
	json_object_array_add(checks, plugin_check("own", detail));
}

/* plugin.json beside attribution.jsonl: could the plugin follow whose work it was? */
static bool split_followed(const char *attr_path, char *err, size_t n)
{
	char path[4200], why[512];
	const char *slash = strrchr(attr_path, '/');
	struct json_object *o, *c;
	bool ok;

	snprintf(path, sizeof(path), "%.*s/plugin.json", slash ? (int)(slash - attr_path) : 1,
		 slash ? attr_path : ".");
	if (!(o = rb_json_load(path, RB_USER_JSON_MAX, true, why, sizeof(why)))) {
		snprintf(err, n, "%s: %s", path, why);
		return false;
	}
	c = json_object_object_get(o, "context");
	/* new_task_sites: where new tasks begin (a plugin before it had none) */
	ok = c && count_at(c, "switch_loads") && count_at(c, "irq_entry_sites") &&
	     (!json_object_object_get_ex(c, "new_task_sites", NULL) || count_at(c, "new_task_sites")) &&
	     !count_at(c, "switch_mismatches") && !count_at(c, "sched_unmatched") &&
	     !json_object_get_boolean(json_object_object_get(c, "lost"));
	if (!ok)
		snprintf(err, n, "%s: the plugin could not follow interrupts and task switches (%s)", path,
			 c ? json_object_to_json_string(c) : "no \"context\"");
	json_object_put(o);
	return ok;
}

static bool kaslr_off(struct json_object *meta)
{
	char cmd[4096];

	rb_json_path_text(meta, "kernel.cmdline", cmd, sizeof(cmd));
	for (char *p = strstr(cmd, "nokaslr"); p; p = strstr(p + 1, "nokaslr"))
		if ((p == cmd || p[-1] == ' ') && (!p[7] || p[7] == ' ' || p[7] == '\n'))
			return true;
	return false;
}

/* One pass over the run's samples: checking (every window there, its
 * counts consistent), then, with apply, adding and changing samples. */
static int expand_pass(struct rb_loaded_run *r, struct rb_cost_note *note, const struct cost_win *w,
		       size_t nw, const char *path, bool split, bool apply, char *err, size_t n)
{
	char unit[64];
	size_t nrec = json_object_array_length(r->records);

	for (size_t i = 0; i < nrec; i++) {
		struct json_object *rec = json_object_array_get_idx(r->records, i), *v;
		const char *unit0 = json_object_get_string(json_object_object_get(rec, "unit")), *per;
		double ops = json_object_get_double(json_object_object_get(rec, "ops"));
		struct cost_win key;
		const struct cost_win *x;
		uint64_t total, own = 0, other[2];

		if (strcmp(json_object_get_string(json_object_object_get(rec, "type")) ?: "", "sample") ||
		    !unit0 || !rb_unit_is_time(unit0) || !strchr(unit0, '/') || !(ops > 0) ||
		    !json_object_object_get_ex(rec, "window", &v) || !json_object_is_type(v, json_type_int))
			continue;
		key.w = (uint64_t)json_object_get_int64(v);
		if (!(x = bsearch(&key, w, nw, sizeof(*w), cmp_w))) {
			snprintf(err, n, "%s: no counts for window %" PRIu64 " of a sample: the file is not this "
				 "run's", path, key.w);
			return -EINVAL;
		}
		per = strchr(unit0, '/') + 1;
		note->ctx_seen |= x->split;
		if (split && x->split) {
			total = x->insns - x->restarts;
			for (int k = 0; k < 2; k++)
				other[k] = x->x[k] - x->xr[k];
			if (x->insns < x->restarts || total < other[0] + other[1]) {
				snprintf(err, n, "%s: window %" PRIu64 ": its interrupts and other tasks (%" PRIu64 ", %"
					 PRIu64 ") exceed its %" PRIu64 " instructions", path, x->w, other[0], other[1],
					 total);
				return -EINVAL;
			}
			if (!apply)
				continue;
			own = total - other[0] - other[1];
			for (int k = 0; k < 2; k++) {
				snprintf(unit, sizeof(unit), "%s-insn/%s", k ? "other" : "irq", per);
				json_object_array_add(r->records, window_sample(rec, unit, other[k], ops, x->w,
					k ? "instructions of other tasks" : "instructions in interrupts"));
			}
			own_value(rec, x, own, ops);
			note->own++;
		}
		for (int c = 0; apply && x->cost && c < RB_COST_NR; c++) {
			bool ps = c == RB_COST_PSTRUCT || c == RB_COST_PSTRUCT_LINES;
			uint64_t count = x->v[c];

			note->expanded = true;
			if (!x->has[c] || (ps && !note->split)) {
				note->withheld++;
				continue;
			}
			struct json_object *cs;
			bool own_part = split && x->split && c <= RB_COST_PSTRUCT;	/* lines: the window's */

			if (own_part)
				count -= x->xc[0][c] + x->xc[1][c];
			snprintf(unit, sizeof(unit), "%s/%s", rb_cost_components[c], per);
			cs = window_sample(rec, unit, count, ops, x->w, rb_cost_components[c]);
			if (own_part)
				json_object_object_add(cs, "own", json_object_new_boolean(1));
			json_object_array_add(r->records, cs);
			note->samples++;
		}
	}
	return 0;
}

bool rb_attr_path(const char *rundir, char *out, size_t n)
{
	size_t l = strlen(rundir);

	while (l > 1 && rundir[l - 1] == '/')
		l--;
	if (l < 4 || strncmp(rundir + l - 4, "/run", 4) || l - 4 + sizeof("/" RB_ATTR_FILE) > n)
		return false;
	snprintf(out, n, "%.*s/%s", (int)(l - 4), rundir, RB_ATTR_FILE);
	return true;
}

int rb_cost_expand(struct rb_loaded_run *r, struct rb_cost_note *note)
{
	char path[4160];
	struct cost_win *w;
	size_t nw;
	bool split;
	int rc;

	memset(note, 0, sizeof(*note));
	if (!rb_attr_path(r->dir, path, sizeof(path)))
		return 0;
	/* a file that cannot be used leaves the run as it was measured; attribution.c flags it */
	if ((rc = read_windows(path, &w, &nw, note->skipped, sizeof(note->skipped))) || !nw) {
		free(w);
		return rc;
	}
	note->split = kaslr_off(r->meta);
	split = split_followed(path, note->why_not_own, sizeof(note->why_not_own));
	rc = expand_pass(r, note, w, nw, path, split, false, note->skipped, sizeof(note->skipped));
	if (!rc)
		rc = expand_pass(r, note, w, nw, path, split, true, note->skipped, sizeof(note->skipped));
	free(w);
	return rc;
}
