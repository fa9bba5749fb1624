// SPDX-License-Identifier: GPL-2.0
/*
 * refbench icount-vs-hw LAB_RUN HW_RUN: a lab run's instruction counts
 * (TCG icount, deterministic mode, the plugin's attribution.jsonl beside
 * it) next to a host run's hardware counts (instructions:uk and :k), per
 * metric, after what TCG counts that the hardware does not:
 *
 *   icount     (T - R) / ops: the window's instructions, less its page-fault
 *              restarts (the clock's value)
 *   - rep      (X - XO) / ops: REP string iterations after the first (the
 *              plugin's "rep.extra", less other tasks' "extra_other"); TCG
 *              and icount count each, the hardware retires the instruction once
 *   - other    (O - RO) / ops: other tasks that ran in the window, less their
 *              restarts, which R took off already (a per-thread hardware
 *              counter does not see them)
 *   = lab      what the measured thread's instructions:uk would count on
 *              hardware, were the two machines the same; its interrupts are
 *              in it (irq: I / ops), as they are in the hardware's count
 *
 * The kernel line splits off user space: lab user = [user] of the window
 * less other tasks' user, the thread's restarts (a restarted faulting
 * instruction is the user's in these cases) and user REP iterations.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "app/compare/attribution.h"
#include "app/compare/cost.h"
#include "app/hwcheck.h"
#include "lib/refbench.h"
#include "lib/userfile.h"

#define MAXS 256	/* samples kept per metric and side */

enum { L_ICOUNT, L_REP, L_OTHER, L_IRQ, L_USER, L_NR };
enum { H_UK, H_K, H_NR };

struct row {
	char key[600];		/* "case kind metric params" */
	char unit[32];
	double lab[L_NR][MAXS], hw[H_NR][MAXS];
	unsigned nlab, nhw;
	char repsym[96];	/* the symbol with most REP iterations, in the first window */
	double repsym_v;
};

/* One window's counts, as the comparison wants them */
struct win {
	bool have;
	uint64_t t, r, x, xo, xu, i, o, ro, ou, u;
	bool rep, split;
	char repsym[96];
	uint64_t repsym_n;
};

struct table {
	struct row *r;
	size_t n, cap;
};

static uint64_t cnt(struct json_object *o, const char *k)
{
	struct json_object *v;

	return o && json_object_object_get_ex(o, k, &v) ? (uint64_t)json_object_get_int64(v) : 0;
}

/* params as "k=v k=v", sorted as json-c keeps them (insertion: both runs write the same order) */
static void row_key(struct json_object *s, char *key, size_t n)
{
	struct json_object *p;
	size_t len;

	snprintf(key, n, "%s %s %s", json_object_get_string(json_object_object_get(s, "case")),
		 json_object_get_string(json_object_object_get(s, "kind")),
		 json_object_get_string(json_object_object_get(s, "metric")));
	len = strlen(key);
	if (json_object_object_get_ex(s, "params", &p) && json_object_is_type(p, json_type_object)) {
		json_object_object_foreach(p, k, v) {
			if (len < n)
				len += (size_t)snprintf(key + len, n - len, " %s=%s", k, json_object_get_string(v));
		}
	}
}

static struct row *row_of(struct table *t, struct json_object *s)
{
	char key[600];

	row_key(s, key, sizeof(key));
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->r[i].key, key))
			return &t->r[i];
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct row *r = realloc(t->r, cap * sizeof(*r));

		if (!r)
			return NULL;
		t->r = r;
		t->cap = cap;
	}
	memset(&t->r[t->n], 0, sizeof(t->r[t->n]));
	rb_strlcpy(t->r[t->n].key, key, sizeof(t->r[t->n].key));
	rb_strlcpy(t->r[t->n].unit, json_object_get_string(json_object_object_get(s, "unit")) ?: "?",
		   sizeof(t->r[t->n].unit));
	return &t->r[t->n++];
}

/* meta.json of a run, or exit 2 saying why */
static struct json_object *meta_of(const char *run)
{
	char path[4200], err[256];
	struct json_object *m;

	snprintf(path, sizeof(path), "%s/meta.json", run);
	if (!(m = rb_json_load(path, RB_USER_JSON_MAX, true, err, sizeof(err))))
		rb_die_usage("icount-vs-hw: %s: %s (give a run directory: refbench run's, or a lab boot's "
			     "DIR/run)", path, err);
	return m;
}

/* Calls fn for each sample record of run/samples.jsonl */
static void each_sample(const char *run, void (*fn)(struct json_object *s, void *ctx), void *ctx)
{
	char path[4200], err[256], *l = NULL;
	size_t cap = 0;
	int fd;
	FILE *f;

	snprintf(path, sizeof(path), "%s/samples.jsonl", run);
	if ((fd = rb_user_file_open(path, RB_SAMPLES_MAX, err, sizeof(err))) < 0 || !(f = fdopen(fd, "re")))
		rb_die_usage("icount-vs-hw: %s: %s", path, fd < 0 ? err : strerror(errno));
	for (size_t n = 1; getline(&l, &cap, f) > 0; n++) {
		struct json_object *s = json_tokener_parse(l), *t;

		if (!s)
			rb_die_usage("icount-vs-hw: %s line %zu is not JSON (refbench validate %s says more)",
				     path, n, run);
		if (json_object_object_get_ex(s, "type", &t) && !strcmp(json_object_get_string(t), "sample"))
			fn(s, ctx);
		json_object_put(s);
	}
	free(l);
	fclose(f);
}

struct lab_ctx {
	struct table *t;
	struct win *w;
	size_t nw;
	size_t used, unwindowed, missing;
};

static void lab_sample(struct json_object *s, void *p)
{
	struct lab_ctx *c = p;
	struct json_object *wj;
	uint64_t ops = cnt(s, "ops"), w;
	struct row *r;
	struct win *x;

	if (!json_object_object_get_ex(s, "window", &wj) || !ops) {
		c->unwindowed++;	/* timed by the kernel: no window of its own */
		return;
	}
	w = (uint64_t)json_object_get_int64(wj);
	if (w >= c->nw || !c->w[w].have) {
		c->missing++;
		return;
	}
	x = &c->w[w];
	if (!(r = row_of(c->t, s)) || r->nlab == MAXS)
		return;
	r->lab[L_ICOUNT][r->nlab] = (double)(x->t - x->r) / (double)ops;
	/* the measured thread's (and its interrupts') REP iterations; other tasks'
	 * share of T - R whole, theirs included */
	r->lab[L_REP][r->nlab] = (double)(x->x - x->xo) / (double)ops;
	r->lab[L_OTHER][r->nlab] = (double)(x->o - x->ro) / (double)ops;
	r->lab[L_IRQ][r->nlab] = (double)x->i / (double)ops;
	r->lab[L_USER][r->nlab] = ((double)x->u - (double)x->ou - (double)(x->r - x->ro) - (double)x->xu) /
				  (double)ops;
	if (!r->nlab && x->repsym[0]) {
		rb_strlcpy(r->repsym, x->repsym, sizeof(r->repsym));
		r->repsym_v = (double)x->repsym_n / (double)ops;
	}
	r->nlab++;
	c->used++;
}

/* The windows the samples name, from attribution.jsonl */
static void need_window(struct json_object *s, void *p)
{
	struct lab_ctx *c = p;
	struct json_object *wj;
	uint64_t w;

	if (!json_object_object_get_ex(s, "window", &wj))
		return;
	w = (uint64_t)json_object_get_int64(wj);
	if (w >= c->nw && w < (1u << 26)) {
		struct win *n = realloc(c->w, (w + 1) * sizeof(*n));

		if (!n)
			rb_die_usage("icount-vs-hw: out of memory");
		memset(n + c->nw, 0, (w + 1 - c->nw) * sizeof(*n));
		c->w = n;
		c->nw = w + 1;
	}
}

static void read_windows(const char *path, struct lab_ctx *c)
{
	char err[256], *l = NULL;
	size_t cap = 0, lines = 0, norep = 0;
	int fd = rb_user_file_open(path, RB_SAMPLES_MAX, err, sizeof(err));
	FILE *f;

	if (fd < 0 || !(f = fdopen(fd, "re")))
		rb_die_usage("icount-vs-hw: %s: %s: the lab run's REP iterations are counted by the plugin: "
			     "boot it with scripts/lab --mode deterministic --attribute", path,
			     fd < 0 ? err : strerror(errno));
	while (getline(&l, &cap, f) > 0) {
		struct json_object *o = json_tokener_parse(l), *rep, *ctx, *syms;
		uint64_t w;
		struct win *x;

		lines++;
		if (!o || !json_object_object_get_ex(o, "w", NULL)) {
			json_object_put(o);
			rb_die_usage("icount-vs-hw: %s line %zu is not the plugin's (no \"w\")", path, lines);
		}
		w = cnt(o, "w");
		if (w >= c->nw) {
			json_object_put(o);
			continue;
		}
		x = &c->w[w];
		x->have = true;
		x->t = cnt(o, "insns");
		x->r = cnt(o, "restarts");
		x->u = cnt(json_object_object_get(o, "syms"), "[user]");
		if ((x->rep = json_object_object_get_ex(o, "rep", &rep))) {
			x->x = cnt(rep, "extra");
			x->xo = cnt(rep, "extra_other");
			syms = json_object_object_get(o, "rep_syms");
			x->xu = cnt(syms, "[user]");
			if (syms && json_object_is_type(syms, json_type_object)) {
				json_object_object_foreach(syms, k, v) {
					if ((uint64_t)json_object_get_int64(v) > x->repsym_n) {
						x->repsym_n = (uint64_t)json_object_get_int64(v);
						rb_strlcpy(x->repsym, k, sizeof(x->repsym));
					}
				}
			}
		} else {
			norep++;
		}
		if ((x->split = json_object_object_get_ex(o, "ctx", &ctx))) {
			x->i = cnt(ctx, "interrupts");
			x->o = cnt(ctx, "other");
			x->ro = cnt(ctx, "other_restarts");
			x->ou = cnt(json_object_object_get(o, "other_syms"), "[user]");
		}
		json_object_put(o);
	}
	free(l);
	fclose(f);
	if (norep)
		rb_die_usage("icount-vs-hw: %s: %zu windows without \"rep\": its plugin predates the REP count; "
			     "boot the lab run again with this tree's plugin (make plugin; scripts/lab "
			     "--attribute)", path, norep);
}

static void hw_sample(struct json_object *s, void *p)
{
	struct table *t = p;
	struct json_object *v;
	double uk = NAN, k = NAN;
	struct row *r;

	if (json_object_object_get_ex(s, "counters", &v) && json_object_object_get_ex(v, "values", &v)) {
		struct json_object *e, *po;

		if (json_object_object_get_ex(v, "instructions:uk", &e) && json_object_object_get_ex(e, "per_op", &po))
			uk = json_object_get_double(po);
		if (json_object_object_get_ex(v, "instructions:k", &e) && json_object_object_get_ex(e, "per_op", &po))
			k = json_object_get_double(po);
	}
	if (isnan(uk) || !(r = row_of(t, s)) || r->nhw == MAXS)
		return;
	r->hw[H_UK][r->nhw] = uk;
	r->hw[H_K][r->nhw] = k;
	r->nhw++;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double med(double *v, unsigned n)
{
	if (!n)
		return NAN;
	qsort(v, n, sizeof(*v), cmp_d);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static const char *kernel_of(struct json_object *m, char *buf, size_t n)
{
	struct json_object *k = json_object_object_get(m, "kernel");
	const char *sha = json_object_get_string(json_object_object_get(k, "config_sha256"));

	snprintf(buf, n, "%s (config %.12s)", json_object_get_string(json_object_object_get(k, "release")) ?: "?",
		 sha ? sha : "?");
	return buf;
}

int rb_cmd_icount_vs_hw(int argc, char **argv)
{
	struct json_object *ml, *mh;
	const char *clock, *src, *lab, *hw;
	char apath[4200], kl[128], kh[128];
	struct table t = { 0 }, th = { 0 };
	struct lab_ctx c = { .t = &t };
	size_t both = 0;
	bool split = true;

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: refbench icount-vs-hw LAB_RUN HW_RUN\n"
		       "  a lab run's instruction counts (deterministic mode, booted with --attribute:\n"
		       "  LAB_RUN is DIR/run, DIR/attribution.jsonl beside it) next to a host run's\n"
		       "  hardware counts (instructions:uk, :k), per metric of the same case, kind and\n"
		       "  parameters, after REP iterations and other tasks; what remains is said\n");
		return 0;
	}
	if (argc != 3)
		rb_die_usage("icount-vs-hw: give LAB_RUN HW_RUN (refbench icount-vs-hw --help)");
	lab = argv[1];
	hw = argv[2];
	ml = meta_of(lab);
	mh = meta_of(hw);
	clock = json_object_get_string(json_object_object_get(ml, "clock"));
	if (!clock || strncmp(clock, "icount", 6))
		rb_die_usage("icount-vs-hw: %s was timed with %s, not icount: the lab run must be "
			     "deterministic (scripts/lab --mode deterministic --attribute)", lab, clock ? clock : "?");
	src = json_object_get_string(json_object_object_get(json_object_object_get(mh, "counters"), "source"));
	if (!src || strcmp(src, "hw"))
		rb_die_usage("icount-vs-hw: %s counted no hardware events (counters.source %s: %s): run it "
			     "where the PMU counts (scripts/hwcheck says what a machine lacks)", hw, src ? src : "?",
			     json_object_get_string(json_object_object_get(json_object_object_get(mh, "counters"),
									   "fallback")) ?: "no fallback recorded");
	if (!rb_attr_path(lab, apath, sizeof(apath)))
		rb_die_usage("icount-vs-hw: %s: a lab boot's run is DIR/run, its attribution DIR/%s", lab,
			     RB_ATTR_FILE);
	each_sample(lab, need_window, &c);
	read_windows(apath, &c);
	each_sample(lab, lab_sample, &c);
	each_sample(hw, hw_sample, &th);
	for (size_t i = 0; i < c.nw; i++)
		split &= !c.w[i].have || c.w[i].split;

	printf("icount vs hardware: %s\n  lab %s: TCG icount, kernel %s\n  hw  %s: instructions:uk/:k, "
	       "kernel %s, %s\n", RB_GIT_SHA, lab, kernel_of(ml, kl, sizeof(kl)), hw, kernel_of(mh, kh, sizeof(kh)),
	       json_object_get_string(json_object_object_get(json_object_object_get(mh, "host"), "cpu_model")) ?: "?");
	if (strcmp(kl, kh))
		printf("  the kernels differ: what follows compares different code as well\n");
	printf("  lab = icount - rep (REP iterations after the first) - other (other tasks); its\n"
	       "  interrupts (irq) stay in it, as the host's stay in its count\n");
	for (size_t i = 0; i < t.n; i++) {
		struct row *r = &t.r[i], *h = NULL;
		double ic, rep, oth, irq, usr, l, uk, k;

		for (size_t j = 0; j < th.n && !h; j++)
			if (!strcmp(th.r[j].key, r->key))
				h = &th.r[j];
		if (!h || !h->nhw)
			continue;
		both++;
		ic = med(r->lab[L_ICOUNT], r->nlab);
		rep = med(r->lab[L_REP], r->nlab);
		oth = med(r->lab[L_OTHER], r->nlab);
		irq = med(r->lab[L_IRQ], r->nlab);
		usr = med(r->lab[L_USER], r->nlab);
		l = ic - rep - oth;
		uk = med(h->hw[H_UK], h->nhw);
		k = med(h->hw[H_K], h->nhw);
		printf("\n%s [%s] (medians of %u lab, %u hw samples)\n", r->key, r->unit, r->nlab, h->nhw);
		printf("  lab  %.2f icount - %.2f rep - %.2f other = %.2f (irq %.2f)\n", ic, rep, oth, l, irq);
		printf("  hw   %.2f instructions:uk: hw - lab %+.2f (%+.1f%%)\n", uk, uk - l, 100 * (uk - l) / l);
		if (!isnan(k))
			printf("  kernel: lab %.2f, hw %.2f instructions:k: %+.2f (%+.1f%%)\n", l - usr, k,
			       k - (l - usr), 100 * (k - (l - usr)) / (l - usr));
		if (r->repsym[0] && rep > 0)
			printf("  REP iterations mostly in %s (%.2f per op)\n", r->repsym, r->repsym_v);
	}
	for (size_t i = 0; i < t.n; i++) {
		bool m = false;

		for (size_t j = 0; j < th.n; j++)
			m |= !strcmp(th.r[j].key, t.r[i].key) && th.r[j].nhw;
		if (!m)
			fprintf(stderr, "refbench: icount-vs-hw: only in the lab run: %s\n", t.r[i].key);
	}
	printf("\n%zu metric%s in both runs (%zu lab samples with a window; %zu without one, timed by the "
	       "kernel, are not compared%s).\n", both, both == 1 ? "" : "s", c.used, c.unwindowed,
	       c.missing ? "; some windows are missing from attribution.jsonl" : "");
	if (!split)
		printf("The lab plugin did not split the windows by context: other tasks are not taken off.\n");
	printf("What remains in hw - lab: the host's interrupts (its count has them, the lab's irq\n"
	       "column has the lab's own); the kernel's alternatives, patched at boot for the CPU\n"
	       "(TCG's -cpu max and the host pick other clear_page/copy_user/memset variants: a\n"
	       "REP loop on one, a plain loop on the other); other kernels or configs; a\n"
	       "faulting instruction the kernel restarts (taken off the lab's user side).\n");
	json_object_put(ml);
	json_object_put(mh);
	free(t.r);
	free(th.r);
	free(c.w);
	if (!both)
		rb_die_usage("icount-vs-hw: no metric of the same case, kind and parameters with a window in "
			     "%s and hardware counts in %s: run the same suite in both", lab, hw);
	return 0;
}
