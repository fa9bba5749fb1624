// SPDX-License-Identifier: GPL-2.0
/*
 * Attribution for compare: attribution.jsonl (attribution.h) joined to a
 * run's samples, checked, and summarised per metric and arm.
 *
 * A run's attribution is all or nothing: one sample that disagrees with
 * its window (or a window that is missing, or a line that is not the
 * plugin's) means the join cannot be trusted, so that run's file is
 * flagged with the first thing wrong and none of it is used.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/compare/attribution.h"
#include "app/compare/cost.h"
#include "app/rundir/cases.h"
#include "lib/json.h"
#include "lib/refbench.h"
#include "lib/userfile.h"

/* One sample of a time metric and the window its counts come from. */
struct rb_attr_join {
	struct json_object *rec;
	char label[256];
	const char *metric, *unit;
	int64_t iter;
	bool own;		/* the sample's own window (else window_of's) */
	bool of_window;		/* a cost component's or the split's sample (cost.c): the window's */
	bool joined;		/* has a window at all */
	uint64_t w;
	const char *window_of;	/* the metric whose window it is */
	struct json_object *win;	/* its line, once loaded */
};

struct rb_attr_win {
	uint64_t w;
	struct json_object *o;
};

static void flag(struct rb_attr_run *ar, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void flag(struct rb_attr_run *ar, const char *fmt, ...)
{
	va_list ap;

	if (!ar->usable)
		return;		/* the first problem is the one named */
	ar->usable = false;
	va_start(ap, fmt);
	vsnprintf(ar->why, sizeof(ar->why), fmt, ap);
	va_end(ap);
}

static void sample_text(const struct rb_attr_join *j, char *buf, size_t n)
{
	snprintf(buf, n, "%s iter %" PRId64 " %s", j->label, j->iter, j->metric);
}

/* Samples of time metrics, each with its window: its own, or that of the
 * windowed metric nearest it in the file with the same point and iter
 * (an iteration's records are written together). */
static void join_samples(struct rb_attr_run *ar, struct json_object *records, struct json_object *cases)
{
	size_t nrec = json_object_array_length(records);

	ar->j = calloc(nrec + 1, sizeof(*ar->j));
	if (!ar->j)
		abort();
	for (size_t i = 0; i < nrec; i++) {
		struct json_object *rec = json_object_array_get_idx(records, i), *w;
		struct rb_attr_join *j = &ar->j[ar->nj];

		if (strcmp(rb_json_text(rec, "type"), "sample") || !rb_window_unit(rb_json_text(rec, "unit")))
			continue;
		j->rec = rec;
		/* a component's or the split's samples: the window's, not checked against it */
		j->of_window = !rb_unit_is_time(rb_json_text(rec, "unit"));
		rb_samples_label(rec, cases, j->label, sizeof(j->label));
		j->metric = rb_json_text(rec, "metric");
		j->unit = rb_json_text(rec, "unit");
		j->iter = json_object_get_int64(json_object_object_get(rec, "iter"));
		if (json_object_object_get_ex(rec, "window", &w) && json_object_is_type(w, json_type_int)) {
			j->own = !j->of_window;
			j->joined = true;
			j->w = (uint64_t)json_object_get_int64(w);
			j->window_of = j->metric;
		}
		ar->nj++;
	}
	for (size_t i = 0; i < ar->nj; i++) {
		struct rb_attr_join *j = &ar->j[i];

		for (size_t d = 1; !j->own && !j->joined && d < ar->nj; d++)
			for (int side = 0; side < 2 && !j->joined; side++) {
				const struct rb_attr_join *o;

				if (side ? i + d >= ar->nj : d > i)
					continue;
				o = &ar->j[side ? i + d : i - d];
				if (o->own && !j->of_window && o->iter == j->iter && !strcmp(o->label, j->label)) {
					j->joined = true;
					j->w = o->w;
					j->window_of = o->metric;
				}
			}
	}
}

static int cmp_win(const void *pa, const void *pb)
{
	const struct rb_attr_win *a = pa, *b = pb;

	return a->w < b->w ? -1 : a->w > b->w;
}

static struct rb_attr_win *find_win(const struct rb_attr_run *ar, uint64_t w)
{
	struct rb_attr_win key = { .w = w };

	return ar->nw ? bsearch(&key, ar->w, ar->nw, sizeof(*ar->w), cmp_win) : NULL;
}

/* The windows the samples refer to, sorted and unique, without lines yet. */
static void referenced_windows(struct rb_attr_run *ar)
{
	ar->w = calloc(ar->nj + 1, sizeof(*ar->w));
	if (!ar->w)
		abort();
	for (size_t i = 0; i < ar->nj; i++)
		if (ar->j[i].joined)
			ar->w[ar->nw++].w = ar->j[i].w;
	qsort(ar->w, ar->nw, sizeof(*ar->w), cmp_win);
	size_t u = 0;
	for (size_t i = 0; i < ar->nw; i++)
		if (!u || ar->w[i].w != ar->w[u - 1].w)
			ar->w[u++] = ar->w[i];
	ar->nw = u;
}

/* An object whose every value is a count ("syms", "canaries"). */
static bool counts_object(struct json_object *o)
{
	uint64_t c;

	if (!json_object_is_type(o, json_type_object))
		return false;
	json_object_object_foreach(o, k, v) {
		(void)v;
		if (!rb_json_get_count(o, k, &c))
			return false;
	}
	return true;
}

/* One line of the plugin's: the fields compare uses, of the right types. */
static bool line_ok(struct json_object *o, uint64_t *w, uint64_t *insns, uint64_t *restarts,
		    const char **bad)
{
	struct json_object *x;

	*bad = "not a JSON object";
	if (!o || !json_object_is_type(o, json_type_object))
		return false;
	*bad = "no count \"w\", \"insns\" or \"restarts\"";
	if (!rb_json_get_count(o, "w", w) || !rb_json_get_count(o, "insns", insns) || !rb_json_get_count(o, "restarts", restarts))
		return false;
	*bad = "\"syms\" is not an object of counts";
	if (!json_object_object_get_ex(o, "syms", &x) || !counts_object(x))
		return false;
	*bad = "\"canaries\" is not an object of counts";
	return !json_object_object_get_ex(o, "canaries", &x) || counts_object(x);
}

/* Reads the file, keeping the lines of referenced windows. */
static void read_lines(struct rb_attr_run *ar)
{
	char why[512], *line = NULL;
	int fd = rb_user_file_open(ar->path, RB_SAMPLES_MAX, why, sizeof(why));
	FILE *f = fd >= 0 ? fdopen(fd, "re") : NULL;
	size_t cap = 0;
	ssize_t len;

	if (!f) {
		flag(ar, "%s", fd < 0 ? why : strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	while (ar->usable && (len = getline(&line, &cap, f)) >= 0) {
		struct json_object *o;
		uint64_t w, insns, restarts;
		const char *bad;
		struct rb_attr_win *x;

		ar->windows++;
		if (len == 0 || line[len - 1] != '\n') {
			flag(ar, "line %zu is cut short (the boot ended while the plugin wrote it?)",
			     ar->windows);
			break;
		}
		o = json_tokener_parse(line);
		if (!line_ok(o, &w, &insns, &restarts, &bad)) {
			flag(ar, "line %zu: %s; it is not insn_attr's", ar->windows, bad);
			json_object_put(o);
			break;
		}
		if (w != ar->windows - 1)
			flag(ar, "line %zu is window %" PRIu64 ", not %zu: windows are missing or out of "
			     "order", ar->windows, w, ar->windows - 1);
		if ((x = find_win(ar, w)) && ar->usable) {
			x->o = o;
			continue;
		}
		json_object_put(o);
	}
	if (ferror(f))
		flag(ar, "%s", strerror(errno));
	free(line);
	fclose(f);
}

/* A component's symbols add up to the window's count of it. */
static void check_component_sum(struct rb_attr_run *ar, const struct rb_attr_win *x, int c)
{
	char sub[64];
	struct json_object *cost = json_object_object_get(x->o, "cost"), *syms;
	uint64_t total, sum = 0;

	snprintf(sub, sizeof(sub), "%s_syms", rb_cost_components[c]);
	if (!cost || !json_object_object_get_ex(x->o, sub, &syms))
		return;		/* lines: a property of the window, not of a symbol */
	if (!counts_object(syms) || !rb_json_get_count(cost, rb_cost_components[c], &total)) {
		flag(ar, "window %" PRIu64 ": \"%s\" or its \"cost\" is not counts", x->w, sub);
		return;
	}
	json_object_object_foreach(syms, k, v) {
		(void)k;
		sum += (uint64_t)json_object_get_int64(v);
	}
	if (sum != total)
		flag(ar, "window %" PRIu64 ": its symbols' %s add up to %" PRIu64 ", not to its %" PRIu64,
		     x->w, rb_cost_components[c], sum, total);
}

/* Every sample against its window; the first disagreement flags the run. */
static void check_samples(struct rb_attr_run *ar)
{
	char what[400];

	for (size_t i = 0; i < ar->nw && ar->usable; i++) {
		struct json_object *syms = json_object_object_get(ar->w[i].o, "syms");
		uint64_t insns = 0, sum = 0;

		if (!ar->w[i].o)
			continue;	/* named below, with the sample that wants it */
		rb_json_get_count(ar->w[i].o, "insns", &insns);
		json_object_object_foreach(syms, k, v) {
			(void)k;
			sum += (uint64_t)json_object_get_int64(v);
		}
		if (sum != insns)
			flag(ar, "window %" PRIu64 ": its symbols' counts add up to %" PRIu64 ", not to its "
			     "%" PRIu64 " instructions", ar->w[i].w, sum, insns);
		for (int c = 0; c < RB_COST_NR && ar->usable; c++)
			check_component_sum(ar, &ar->w[i], c);
	}
	for (size_t i = 0; i < ar->nj && ar->usable; i++) {
		struct rb_attr_join *j = &ar->j[i];
		struct rb_attr_win *x = j->joined ? find_win(ar, j->w) : NULL;
		uint64_t insns = 0, restarts = 0;
		double v, exact, tol;

		if (!j->joined)
			continue;
		sample_text(j, what, sizeof(what));
		if (!x || !x->o) {
			flag(ar, "sample %s has window %" PRIu64 ", which is not in the file (%zu windows): "
			     "the file is not this run's", what, j->w, ar->windows);
			break;
		}
		j->win = x->o;
		if (!j->own)
			continue;	/* its window is checked with the sample that owns it */
		rb_json_get_count(x->o, "insns", &insns);
		rb_json_get_count(x->o, "restarts", &restarts);
		/* what the clock measured: the total, where the value became the own count */
		v = json_object_get_double(json_object_object_get(j->rec, json_object_object_get_ex(
			j->rec, "value_total", NULL) ? "value_total" : "value")) *
		    (double)json_object_get_int64(json_object_object_get(j->rec, "ops"));
		exact = (double)insns - (double)restarts;
		tol = fmax(RB_ATTR_CHECK_REL * fabs(v), RB_ATTR_CHECK_ABS);
		if (fabs(exact - v) > tol) {
			flag(ar, "sample %s measured %.0f instructions, its window %" PRIu64 " counted %.0f "
			     "(%" PRIu64 " less %" PRIu64 " restarts): more than %.0f apart, so its counts "
			     "are not that sample's", what, v, j->w, exact, insns, restarts, tol);
			break;
		}
		ar->checked++;
		ar->worst = fmax(ar->worst, fabs(exact - v));
	}
}

static void load_run(struct rb_attr_run *ar, const struct rb_loaded_run *run, struct json_object *cases,
		     bool exact)
{
	FILE *f;

	if (!rb_attr_path(run->dir, ar->path, sizeof(ar->path)))
		return;
	if (!(f = fopen(ar->path, "re")) && errno == ENOENT)
		return;
	if (f)
		fclose(f);
	ar->present = ar->usable = true;
	if (!exact) {
		flag(ar, "the runs are timed; per-symbol instruction counts attribute deterministic "
		     "runs (clock icount) only");
		return;
	}
	join_samples(ar, run->records, cases);
	referenced_windows(ar);
	read_lines(ar);
	check_samples(ar);
}

static void free_run(struct rb_attr_run *ar)
{
	for (size_t i = 0; i < ar->nw; i++)
		json_object_put(ar->w[i].o);
	free(ar->w);
	free(ar->j);
}

struct rb_attr *rb_attr_load(struct rb_loaded_run *const *runs, const unsigned *nr, bool exact)
{
	struct rb_attr *at = calloc(1, sizeof(*at));
	bool any = false;

	if (!at)
		abort();
	for (int a = 0; a < 2; a++) {
		at->nr[a] = nr[a];
		at->run[a] = calloc(nr[a] + 1, sizeof(*at->run[a]));
		if (!at->run[a])
			abort();
		for (unsigned i = 0; i < nr[a]; i++) {
			struct rb_attr_run *ar = &at->run[a][i];

			load_run(ar, &runs[a][i], rb_run_cases(runs[0][0].meta), exact);
			any |= ar->present;
			if (!ar->usable)
				continue;
			at->runs[a]++;
			at->checked += ar->checked;
			at->worst = fmax(at->worst, ar->worst);
		}
	}
	if (!any) {
		rb_attr_free(at);
		return NULL;
	}
	return at;
}

/* ---- per metric --------------------------------------------------------- */

/* The samples of one metric in one arm: per usable run, their windows. */
struct arm_samples {
	unsigned nruns;
	size_t total;
	struct json_object **win;	/* total, run after run */
	double *ops;
	unsigned *n;			/* per run */
	const char *window_of;
	bool own;			/* the samples hold own counts (cost.c) */
};

static void arm_collect(const struct rb_attr *at, int a, const struct rb_samples *s, struct arm_samples *as)
{
	size_t cap = 0;

	memset(as, 0, sizeof(*as));
	as->n = calloc(at->nr[a] + 1, sizeof(*as->n));
	if (!as->n)
		abort();
	for (unsigned r = 0; r < at->nr[a]; r++) {
		const struct rb_attr_run *ar = &at->run[a][r];
		unsigned got = 0;

		if (!ar->usable)
			continue;
		for (size_t i = 0; i < ar->nj; i++) {
			const struct rb_attr_join *j = &ar->j[i];

			if (!j->win || strcmp(j->metric, s->id.metric) || strcmp(j->unit, s->id.unit) ||
			    strcmp(j->label, s->label))
				continue;
			if (as->total == cap) {
				cap = cap ? cap * 2 : 16;
				as->win = realloc(as->win, cap * sizeof(*as->win));
				as->ops = realloc(as->ops, cap * sizeof(*as->ops));
				if (!as->win || !as->ops)
					abort();
			}
			as->win[as->total] = j->win;
			as->ops[as->total++] = (double)json_object_get_int64(json_object_object_get(j->rec, "ops"));
			as->window_of = as->window_of ? as->window_of : j->window_of;
			as->own |= json_object_object_get_ex(j->rec, "own", NULL);
			got++;
		}
		if (got)
			as->n[as->nruns++] = got;
	}
}

static void arm_free(struct arm_samples *as)
{
	free(as->win);
	free(as->ops);
	free(as->n);
}

/* What one count is per op in each sample: a field of a window's
 * sub-object ("syms", "canaries"), or of the window itself (sub NULL). */
struct count_of {
	const char *sub, *key;
	const char *minus[2];	/* sub-objects whose counts of key are taken away (the own part) */
};

static double count_per_op(struct json_object *win, struct count_of c, double ops)
{
	struct json_object *o = c.sub ? json_object_object_get(win, c.sub) : win, *v;
	int64_t n;

	if (!o || !json_object_object_get_ex(o, c.key, &v) || !(ops > 0))
		return 0;
	n = json_object_get_int64(v);
	for (int k = 0; k < 2 && c.minus[k]; k++)
		if (json_object_object_get_ex(json_object_object_get(win, c.minus[k]), c.key, &v))
			n -= json_object_get_int64(v);
	return (double)n / ops;
}

/* The pooled median per op in the arm, and its boots' spread (NAN: one boot). */
static double arm_median(const struct arm_samples *as, struct count_of c, double *buf,
			 const double **rows, double *spread)
{
	struct rb_arm arm = { .n_rounds = as->nruns, .x = rows, .n = as->n };
	double med[RB_MAX_RUNS];
	size_t k = 0;

	for (unsigned r = 0; r < as->nruns; k += as->n[r], r++)
		rows[r] = buf + k;
	for (size_t i = 0; i < as->total; i++)
		buf[i] = count_per_op(as->win[i], c, as->ops[i]);
	*spread = NAN;
	if (as->nruns >= 2 && !rb_stats_round_medians(&arm, med)) {
		double lo = med[0], hi = med[0];
		for (unsigned r = 1; r < as->nruns; r++)
			lo = fmin(lo, med[r]), hi = fmax(hi, med[r]);
		*spread = hi - lo;
	}
	return rb_stats_pooled_median(&arm);
}

static struct rb_attr_count count_both(const struct arm_samples as[2], struct count_of c, double *buf,
				       const double **rows)
{
	struct rb_attr_count x = { .name = NULL };
	double sa, sb;

	x.a = arm_median(&as[0], c, buf, rows, &sa);
	x.b = arm_median(&as[1], c, buf, rows, &sb);
	x.delta = x.b - x.a;
	x.spread = isnan(sa) ? sb : isnan(sb) ? sa : fmax(sa, sb);
	return x;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		abort();
	return d;
}

static int cmp_sym(const void *pa, const void *pb)
{
	const struct rb_attr_count *a = pa, *b = pb;

	if (fabs(a->delta) != fabs(b->delta))
		return fabs(a->delta) > fabs(b->delta) ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* Every key of sub across both arms' windows, as a set (a JSON object). */
static struct json_object *key_union(const struct arm_samples as[2], const char *sub)
{
	struct json_object *set = json_object_new_object();

	for (int a = 0; a < 2; a++)
		for (size_t i = 0; i < as[a].total; i++) {
			struct json_object *o = json_object_object_get(as[a].win[i], sub);

			if (!o)
				continue;	/* "canaries" only where one ran */
			json_object_object_foreach(o, k, v) {
				(void)v;
				if (!json_object_object_get_ex(set, k, NULL))
					json_object_object_add(set, k, NULL);
			}
		}
	return set;
}

/* Did cost.c make the arm's samples own counts? (all or none of a run's) */
static bool own_split(const struct arm_samples *as)
{
	return as->total && as->own;
}

static void summarise_metric(const struct rb_attr *at, const struct rb_samples *s, double delta,
			     struct rb_attr_metric *m)
{
	struct arm_samples as[2];
	const double *rows[RB_MAX_RUNS];
	struct json_object *syms, *cans;
	double *buf;
	size_t cap;
	char sub[64], minus[2][64];
	bool insns;	/* an instruction metric: it has canaries and restarts */

	memset(m, 0, sizeof(*m));
	arm_collect(at, 0, s, &as[0]);
	arm_collect(at, 1, s, &as[1]);
	if (!as[0].total || !as[1].total) {
		arm_free(&as[0]);
		arm_free(&as[1]);
		return;
	}
	m->has = true;
	m->window_of = strcmp(as[0].window_of, s->id.metric) ? as[0].window_of : NULL;
	buf = calloc(as[0].total + as[1].total, sizeof(*buf));
	/* which of the window's per-symbol counts are the metric's (cost.h);
	 * canaries count instructions */
	insns = rb_unit_is_time(s->id.unit);
	rb_window_syms(s->id.unit, own_split(&as[0]), sub, minus);
	syms = key_union(as, sub);
	cans = key_union(as, insns ? "canaries" : "-");
	cap = (size_t)json_object_object_length(syms);
	m->sym = calloc(cap + 1, sizeof(*m->sym));
	m->can = calloc((size_t)json_object_object_length(cans) + 1, sizeof(*m->can));
	if (!buf || !m->sym || !m->can)
		abort();
	json_object_object_foreach(syms, name, v) {
		struct rb_attr_count x = count_both(as, (struct count_of){ .sub = sub, .key = name,
						    .minus = { minus[0][0] ? minus[0] : NULL, minus[1][0] ? minus[1] : NULL } },
						    buf, rows);

		(void)v;
		if (x.delta == 0)
			continue;
		x.name = xstrdup(name);
		m->sum_delta += x.delta;
		m->sym[m->nsym++] = x;
	}
	qsort(m->sym, m->nsym, sizeof(*m->sym), cmp_sym);
	json_object_object_foreach(cans, k, v2) {
		(void)v2;
		m->can[m->ncan] = count_both(as, (struct count_of){ .sub = "canaries", .key = k }, buf, rows);
		m->can[m->ncan++].name = xstrdup(k);
	}
	for (size_t a = 1; a < m->ncan; a++)	/* "1".."9": by number */
		for (size_t b = a; b > 0 && strcmp(m->can[b].name, m->can[b - 1].name) < 0; b--) {
			struct rb_attr_count t = m->can[b];
			m->can[b] = m->can[b - 1];
			m->can[b - 1] = t;
		}
	if (insns)
		m->restarts = count_both(as, (struct count_of){ .key = "restarts" }, buf, rows);
	m->unattributed = delta - m->sum_delta;
	json_object_put(syms);
	json_object_put(cans);
	free(buf);
	arm_free(&as[0]);
	arm_free(&as[1]);
}

void rb_attr_summarise(struct rb_attr *at, struct rb_samples *const *ss,
		       const struct rb_ab_result *res, size_t n)
{
	if (!at->runs[0] || !at->runs[1])
		return;
	at->n = n;
	at->m = calloc(n + 1, sizeof(*at->m));
	if (!at->m)
		abort();
	for (size_t i = 0; i < n; i++)
		if (rb_window_unit(ss[i]->id.unit) && !res[i].status)
			summarise_metric(at, ss[i], res[i].delta, &at->m[i]);
}

static void free_counts(struct rb_attr_count *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(c[i].name);
	free(c);
}

void rb_attr_free(struct rb_attr *at)
{
	if (!at)
		return;
	for (size_t i = 0; i < at->n; i++) {
		free_counts(at->m[i].sym, at->m[i].nsym);
		free_counts(at->m[i].can, at->m[i].ncan);
	}
	free(at->m);
	for (int a = 0; a < 2; a++) {
		for (unsigned i = 0; at->run[a] && i < at->nr[a]; i++)
			free_run(&at->run[a][i]);
		free(at->run[a]);
	}
	free(at);
}
