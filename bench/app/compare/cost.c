// SPDX-License-Identifier: GPL-2.0
/*
 * The cost vector as metrics: for a deterministic lab boot whose plugin ran
 * with cost=1 (scripts/lab --cost), every sample that has a measurement
 * window gets one sample per component beside it, in the same point and
 * iteration: the window's count divided by the sample's ops, in a unit of
 * the component's ("atomic/page" beside "insn/page"). They are made when a
 * run is loaded, so compare, bounds, plots and the series walk judge them
 * like any metric; the plugin's file (attribution.h) is their record.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app/compare/attribution.h"
#include "app/compare/cost.h"
#include "app/compare/series.h"
#include "lib/refbench.h"

const char *const rb_cost_components[RB_COST_NR] = {
	"atomic", "loads", "stores", "page-struct", "lines", "page-struct-lines",
};

/* The component of a unit ("page-struct" of "page-struct/page"), or -1. */
int rb_cost_component(const char *unit)
{
	size_t l = strcspn(unit, "/");

	for (int c = 0; c < RB_COST_NR; c++)
		if (strlen(rb_cost_components[c]) == l && !strncmp(unit, rb_cost_components[c], l) && unit[l])
			return c;
	return -1;
}

/* One window's components; has[c] false where the plugin wrote null. */
struct cost_win {
	uint64_t w, v[RB_COST_NR];
	bool has[RB_COST_NR];
};

static int cmp_w(const void *pa, const void *pb)
{
	const struct cost_win *a = pa, *b = pb;

	return a->w < b->w ? -1 : a->w > b->w;
}

/* The windows of the file that carry "cost"; -errno with err on a bad file. */
static int read_windows(const char *path, struct cost_win **out, size_t *nout, char *err, size_t n)
{
	FILE *f;
	struct stat st;
	char *line = NULL;
	size_t cap = 0, lineno = 0, nw = 0, wcap = 0;
	ssize_t len;
	struct cost_win *w = NULL;
	int rc = 0;

	*out = NULL;
	*nout = 0;
	if (!(f = fopen(path, "re")))
		return errno == ENOENT ? 0 : (snprintf(err, n, "%s: %s", path, strerror(errno)), -errno);
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode) || st.st_size > RB_COST_FILE_MAX) {
		snprintf(err, n, "%s: not a regular file of at most %d MiB", path, RB_COST_FILE_MAX >> 20);
		fclose(f);
		return -EFBIG;
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		struct json_object *o = json_tokener_parse(line), *c, *v;
		int64_t wn;

		lineno++;
		if (!o || !json_object_object_get_ex(o, "cost", &c)) {
			json_object_put(o);
			continue;	/* the instruction counts alone; attribution.c judges the line */
		}
		if (!json_object_is_type(c, json_type_object) ||
		    !json_object_object_get_ex(o, "w", &v) || (wn = json_object_get_int64(v)) < 0) {
			snprintf(err, n, "%s line %zu: \"cost\" without its window", path, lineno);
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
		for (int k = 0; k < RB_COST_NR; k++)
			if (json_object_object_get_ex(c, rb_cost_components[k], &v) &&
			    json_object_is_type(v, json_type_int) && json_object_get_int64(v) >= 0) {
				w[nw].v[k] = (uint64_t)json_object_get_int64(v);
				w[nw].has[k] = true;
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

/* A component's sample beside rec: the same point and iteration. */
static struct json_object *component_sample(struct json_object *rec, int c, uint64_t count,
					    double ops, uint64_t w, const char *per)
{
	struct json_object *s = json_object_new_object(), *v, *checks, *chk, *verify;
	char unit[64], detail[160];
	static const char *const keep[] = { "schema", "type", "case", "kind", "params", "iter",
					    "interrupts", "preempted", NULL };

	for (const char *const *k = keep; *k; k++)
		if (json_object_object_get_ex(rec, *k, &v))
			json_object_object_add(s, *k, json_object_get(v));
	json_object_object_add(s, "metric", json_object_get(json_object_object_get(rec, "metric")));
	snprintf(unit, sizeof(unit), "%s/%s", rb_cost_components[c], per);
	json_object_object_add(s, "unit", json_object_new_string(unit));
	json_object_object_add(s, "value", json_object_new_double((double)count / ops));
	json_object_object_add(s, "ops", json_object_get(json_object_object_get(rec, "ops")));
	json_object_object_add(s, "resolution", json_object_new_double(1.0 / ops));
	json_object_object_add(s, "window", json_object_new_int64((int64_t)w));
	json_object_object_add(s, "clock", json_object_new_string("icount"));
	json_object_object_add(s, "count", json_object_new_int64((int64_t)count));
	chk = json_object_new_object();
	json_object_object_add(chk, "what", json_object_new_string("window"));
	json_object_object_add(chk, "method", json_object_new_string("tcg-plugin"));
	json_object_object_add(chk, "ok", json_object_new_boolean(1));
	snprintf(detail, sizeof(detail), "counted by the TCG plugin in window %" PRIu64 ": %" PRIu64 " %s",
		 w, count, rb_cost_components[c]);
	json_object_object_add(chk, "detail", json_object_new_string(detail));
	checks = json_object_new_array();
	json_object_array_add(checks, chk);
	verify = json_object_new_object();
	json_object_object_add(verify, "ok", json_object_new_boolean(1));
	json_object_object_add(verify, "checks", checks);
	json_object_object_add(s, "verify", verify);
	return s;
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

int rb_cost_expand(struct rb_loaded_run *r, struct rb_cost_note *note, char *err, size_t n)
{
	char path[4160];
	struct cost_win *w;
	size_t nw, nrec;
	int rc;

	memset(note, 0, sizeof(*note));
	if (!rb_attr_path(r->dir, path, sizeof(path)))
		return 0;
	if ((rc = read_windows(path, &w, &nw, err, n)) || !nw) {
		free(w);
		return rc;
	}
	note->expanded = true;
	note->split = kaslr_off(r->meta);
	nrec = json_object_array_length(r->records);
	for (size_t i = 0; i < nrec; i++) {
		struct json_object *rec = json_object_array_get_idx(r->records, i), *v;
		const char *unit = json_object_get_string(json_object_object_get(rec, "unit"));
		double ops = json_object_get_double(json_object_object_get(rec, "ops"));
		struct cost_win key, *x;

		if (strcmp(json_object_get_string(json_object_object_get(rec, "type")) ?: "", "sample") ||
		    !unit || !rb_unit_is_time(unit) || !strchr(unit, '/') || !(ops > 0) ||
		    !json_object_object_get_ex(rec, "window", &v) || !json_object_is_type(v, json_type_int))
			continue;
		key.w = (uint64_t)json_object_get_int64(v);
		if (!(x = bsearch(&key, w, nw, sizeof(*w), cmp_w))) {
			snprintf(err, n, "%s: no cost for window %" PRIu64 " of a sample: the file is not this "
				 "run's", path, key.w);
			free(w);
			return -EINVAL;
		}
		for (int c = 0; c < RB_COST_NR; c++) {
			bool ps = c == RB_COST_PSTRUCT || c == RB_COST_PSTRUCT_LINES;

			if (!x->has[c] || (ps && !note->split)) {
				note->withheld++;
				continue;
			}
			json_object_array_add(r->records, component_sample(rec, c, x->v[c], ops, x->w,
									   strchr(unit, '/') + 1));
			note->samples++;
		}
	}
	free(w);
	return 0;
}
