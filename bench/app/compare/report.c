// SPDX-License-Identifier: GPL-2.0
/*
 * The A/B report: report.txt (72 columns, for a cover letter),
 * report.json (every number, versioned) and the data the gnuplot
 * templates in scripts/plots/ draw. Nothing here decides: compare.c
 * hands over a struct rb_report and this file formats it.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/compare/compare.h"
#include "lib/exec.h"
#include "lib/refbench.h"
#include "mem/mem.h"

#define COLS 72
#define RULE "------------------------------------------------------------------------"

size_t rb_report_parent(const struct rb_report *r, size_t i)
{
	if (r->ss[i]->family != RB_FAMILY_DERIVED)
		return i;
	for (size_t j = 0; j < r->n; j++)
		if (!strcmp(r->ss[j]->label, r->ss[i]->label) && !strcmp(r->ss[j]->metric, r->ss[i]->parent))
			return j;
	return i;
}

enum rb_verdict rb_report_verdict(const struct rb_report *r, size_t i)
{
	enum rb_verdict v = r->res[i].verdict;
	size_t p = rb_report_parent(r, i);

	if (p != i)
		return rb_report_verdict(r, p);
	if (rb_unit_higher_is_better(r->ss[i]->unit) && (v == RB_VERDICT_FASTER || v == RB_VERDICT_SLOWER))
		v = v == RB_VERDICT_FASTER ? RB_VERDICT_SLOWER : RB_VERDICT_FASTER;
	return v;
}

/* ---- text helpers ------------------------------------------------------- */

/* Prints text wrapped at COLS, continuation lines indented by `indent`. */
static void wrap(FILE *f, const char *first, int indent, const char *text)
{
	int col = fprintf(f, "%s", first);
	bool line_start = true;
	const char *p = text;

	while (*p == ' ')
		p++;
	while (*p) {
		int w = (int)strcspn(p, " ");

		if (!line_start && col + 1 + w > COLS) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
			line_start = true;
		}
		if (!line_start)
			col += fprintf(f, " ");
		col += fprintf(f, "%.*s", w, p);
		line_start = false;
		p += w;
		while (*p == ' ')
			p++;
	}
	fputc('\n', f);
}

/* v in at most width characters, with as many significant digits as fit. */
static const char *num(char *buf, size_t n, double v, int width, bool sign)
{
	if (isnan(v))
		return rb_strlcpy(buf, "-", n), buf;
	/* large counts read best whole: 2103456, not 2.1e+06 */
	if (fabs(v) >= 1e4 && fabs(v) < 1e15) {
		snprintf(buf, n, sign ? "%+.0f" : "%.0f", v);
		if ((int)strlen(buf) <= width)
			return buf;
	}
	for (int p = 6; p >= 1; p--) {
		snprintf(buf, n, sign ? "%+.*g" : "%.*g", p, v);
		if ((int)strlen(buf) <= width)
			return buf;
	}
	for (int p = 2; p >= 0; p--) {		/* 0.0002 -> 2e-04 */
		snprintf(buf, n, sign ? "%+.*e" : "%.*e", p, v);
		if ((int)strlen(buf) <= width)
			break;
	}
	return buf;
}

/* lkp's %change: "+2.4%", "-0.1%", "0.0%" */
static const char *pct(char *buf, size_t n, double p)
{
	if (isnan(p))
		snprintf(buf, n, "-");
	else if (p == 0)
		snprintf(buf, n, "0.0%%");
	else if (fabs(p) < 1000)
		snprintf(buf, n, "%+.1f%%", p);
	else
		snprintf(buf, n, "%+.0e%%", p);
	return buf;
}

static const char *margin_text(char *buf, size_t n, double m)
{
	snprintf(buf, n, "+-%g%%", m * 100);
	return buf;
}

static const char *verdict_text(const struct rb_report *r, size_t i, char *buf, size_t n)
{
	enum rb_verdict v = rb_report_verdict(r, i);
	size_t p = rb_report_parent(r, i);
	char m[32];

	if (p != i) {
		snprintf(buf, n, "as %s", r->ss[p]->metric);
		return buf;
	}
	switch (v) {
	case RB_VERDICT_SLOWER:
	case RB_VERDICT_FASTER:
		if (r->res[i].within_margin) {
			snprintf(buf, n, "%s (in %s)", v == RB_VERDICT_SLOWER ? "slower" : "faster",
				 margin_text(m, sizeof(m), r->o->margin));
			if (strlen(buf) > 16)	/* an odd margin: the legend says which */
				snprintf(buf, n, "%s (in m)", v == RB_VERDICT_SLOWER ? "slower" : "faster");
		} else {
			snprintf(buf, n, "%s", v == RB_VERDICT_SLOWER ? "SLOWER" : "FASTER");
		}
		break;
	case RB_VERDICT_EQUIVALENT:
		snprintf(buf, n, "equivalent");
		break;
	default:
		snprintf(buf, n, "inconclusive");
	}
	return buf;
}

/* Name a kernel from lab build-info when there is one, else uname. */
static void kernel_text(struct json_object *meta, char *buf, size_t n)
{
	struct json_object *bi = NULL, *patches = NULL, *src = NULL;
	char rel[128], tmp[256];
	size_t len;

	rb_json_path_text(meta, "kernel.release", rel, sizeof(rel));
	len = (size_t)snprintf(buf, n, "Linux %s", rel);
	if (json_object_object_get_ex(meta, "lab", &bi) && json_object_object_get_ex(bi, "kernel", &bi) &&
	    json_object_object_get_ex(bi, "build_info", &bi) && json_object_is_type(bi, json_type_object)) {
		if (json_object_object_get_ex(bi, "source", &src)) {
			const char *s = json_object_get_string(json_object_object_get(src, "path"));
			const char *sha = json_object_get_string(json_object_object_get(src, "sha"));
			if (!sha)
				sha = json_object_get_string(json_object_object_get(src, "sha256"));
			const char *ref = json_object_get_string(json_object_object_get(src, "ref"));
			const char *base = s ? strrchr(s, '/') : NULL;
			len += (size_t)snprintf(buf + len, n - len, " from %s%s%s%s%.12s", base ? base + 1 : s ? s : "?",
						ref ? " " : "", ref ? ref : "", sha ? " " : "", sha ? sha : "");
		}
		if (json_object_object_get_ex(bi, "patches", &patches) &&
		    json_object_is_type(patches, json_type_array) && json_object_array_length(patches)) {
			size_t np = json_object_array_length(patches);
			len += (size_t)snprintf(buf + len, n - len, " + %zu patch%s:", np, np > 1 ? "es" : "");
			for (size_t i = 0; i < np && len < n; i++) {
				struct json_object *p = json_object_array_get_idx(patches, i);
				snprintf(tmp, sizeof(tmp), "%s", json_object_get_string(json_object_object_get(p, "subject")));
				len += (size_t)snprintf(buf + len, n - len, " [%zu] %s", i + 1, tmp);
			}
		} else {
			len += (size_t)snprintf(buf + len, n - len, ", no patches");
		}
	}
}

/* "minimal profile, 4-level paging, preempt none, NR_CPUS 64"; "" when
 * the kernel records none of it. */
static void kernel_config_text(struct json_object *meta, char *buf, size_t n)
{
	static const struct { const char *path, *fmt; } parts[] = {
		{ "kernel.profile", "%s profile" }, { "kernel.pgtable_levels", "%s-level paging" },
		{ "kernel.preempt", "preempt %s" }, { "kernel.nr_cpus", "NR_CPUS %s" },
	};
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]) && len < n; i++) {
		char v[128], part[160];

		if (!strcmp(rb_json_path_text(meta, parts[i].path, v, sizeof(v)), "(absent)"))
			continue;
		snprintf(part, sizeof(part), parts[i].fmt, v);
		len += (size_t)snprintf(buf + len, n - len, "%s%s", len ? ", " : "", part);
	}
}

/* ---- counting ------------------------------------------------------------ */

struct tally {
	unsigned n, slower, slower_in, faster, faster_in, equivalent, inconclusive;
};

static struct tally tally(const struct rb_report *r, enum rb_family fam)
{
	struct tally t = { 0 };

	for (size_t i = 0; i < r->n; i++) {
		enum rb_verdict v = rb_report_verdict(r, i);
		bool in = r->res[i].within_margin;

		if (r->ss[i]->family != fam)
			continue;
		t.n++;
		t.slower += v == RB_VERDICT_SLOWER;
		t.slower_in += v == RB_VERDICT_SLOWER && in;
		t.faster += v == RB_VERDICT_FASTER;
		t.faster_in += v == RB_VERDICT_FASTER && in;
		t.equivalent += v == RB_VERDICT_EQUIVALENT;
		t.inconclusive += v == RB_VERDICT_INCONCLUSIVE;
	}
	return t;
}

static void tally_text(const struct tally *t, const char *m, char *buf, size_t n)
{
	snprintf(buf, n, "%u slower (%u in %s), %u faster (%u in %s), %u equivalent, %u inconclusive",
		 t->slower, t->slower_in, m, t->faster, t->faster_in, m, t->equivalent, t->inconclusive);
}

/* ---- attribution ---------------------------------------------------------- */

static void attribution_header(FILE *f, const struct rb_report *r)
{
	const struct rb_attr *at = r->attr;
	char buf[2048];
	size_t len;

	if (!at)
		return;
	len = (size_t)snprintf(buf, sizeof(buf), "per-symbol instruction counts of every window "
			       "(QEMU plugin insn_attr) from %u of %u A and %u of %u B boots", at->runs[0],
			       at->nr[0], at->runs[1], at->nr[1]);
	if (at->checked)
		snprintf(buf + len, sizeof(buf) - len, "; %zu samples checked, each within %.0f "
			 "instructions of its window's count", at->checked, at->worst);
	wrap(f, "attribution: ", 6, buf);
	for (int a = 0; a < 2; a++)
		for (unsigned i = 0; i < at->nr[a]; i++) {
			const struct rb_attr_run *ar = &at->run[a][i];

			if (ar->present && !ar->usable) {
				snprintf(buf, sizeof(buf), "%c run %u's file is NOT USED: %s", 'A' + a, i + 1, ar->why);
				wrap(f, "      ", 8, buf);
			}
		}
	if (!at->runs[0] || !at->runs[1])
		wrap(f, "      ", 8, "no metric is attributed: an arm has no usable attribution "
		     "(scripts/lab --attribute on every boot)");
}

/* "page" of "insn/page": what a per-op count is per */
static const char *unit_per(const char *unit)
{
	const char *p = strrchr(unit, '/');

	return p && p[1] ? p + 1 : "op";
}

static const char *per_op_text(char *buf, size_t n, double d, const char *per)
{
	snprintf(buf, n, fabs(d) >= 0.001 ? "%+.3f/%s" : "%+.2g/%s", d, per);
	return buf;
}

/* No larger than its spread between the boots of one kernel: the change
 * may be the boots', not the patch's. */
static bool within_spread(const struct rb_attr_count *c)
{
	return !isnan(c->spread) && fabs(c->delta) <= c->spread;
}

/* Under a metric that changed: the symbols whose count per op moved most. */
static void where_line(FILE *f, const struct rb_report *r, size_t i)
{
	const struct rb_attr_metric *m = r->attr && r->attr->m ? &r->attr->m[i] : NULL;
	enum rb_verdict v = rb_report_verdict(r, i);
	const char *per = unit_per(r->ss[i]->unit);
	/* moved: by 1% of the metric's change, or by 0.01 per op */
	double min = fmin(0.01 * fabs(r->res[i].delta), 0.01);
	char buf[1024], prefix[64], d[48];
	size_t len = 0;
	unsigned shown = 0;

	if (!m || !m->has || !(r->res[i].significant || v == RB_VERDICT_SLOWER || v == RB_VERDICT_FASTER))
		return;
	for (size_t k = 0; k < m->nsym && shown < 5; k++) {
		if (fabs(m->sym[k].delta) < min)
			break;		/* sorted by |delta| */
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s %s%s", shown ? ", " : "",
					m->sym[k].name, per_op_text(d, sizeof(d), m->sym[k].delta, per),
					within_spread(&m->sym[k]) ? "~" : "");
		shown++;
	}
	if (!shown)
		len = (size_t)snprintf(buf, sizeof(buf), "no symbol's count moved by 1%% of B-A or by "
				       "0.01/%s", per);
	/* a validation canary says what the change should be, exactly */
	for (size_t k = 0; k < m->ncan && len < sizeof(buf); k++)
		if (m->can[k].delta != 0)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "; canary %s %s", m->can[k].name,
						per_op_text(d, sizeof(d), m->can[k].delta, per));
	snprintf(prefix, sizeof(prefix), "    where%s%s%s: ", m->window_of ? " (" : "",
		 m->window_of ? m->window_of : "", m->window_of ? " window)" : "");
	wrap(f, prefix, 6, buf);
}

/* ---- report.txt ---------------------------------------------------------- */

static void header(FILE *f, const struct rb_report *r)
{
	struct json_object *meta = r->run[0][0].meta;
	const struct rb_cmp_opts *o = r->o;
	char buf[2048], t1[512], t2[512], t3[256];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(t1, sizeof(t1), "%Y-%m-%d", &tm);
	fprintf(f, "refbench A/B report%*s\n", COLS - 19, t1);
	for (int a = 0; a < 2; a++) {
		const char *label = a ? o->label_b : o->label_a;

		kernel_text(r->run[a][0].meta, buf, sizeof(buf));
		snprintf(t1, sizeof(t1), "%c%s%s%s: ", 'A' + a, label ? " (" : "", label ? label : "",
			 label ? ")" : "");
		wrap(f, t1, 5, buf);
	}
	kernel_config_text(r->run[0][0].meta, t1, sizeof(t1));
	kernel_config_text(r->run[1][0].meta, t2, sizeof(t2));
	if (!strcmp(t1, t2) && t1[0])
		wrap(f, "kernel: ", 8, t1);
	else if (t1[0] || t2[0]) {
		wrap(f, "kernel A: ", 10, t1[0] ? t1 : "(not recorded)");
		wrap(f, "kernel B: ", 10, t2[0] ? t2 : "(not recorded)");
	}
	if (strcmp(rb_json_path_text(meta, "lab.pmem.profile", t1, sizeof(t1)), "(absent)")) {
		struct json_object *pm = json_object_object_get(json_object_object_get(meta, "lab"), "pmem");

		snprintf(buf, sizeof(buf), "emulated, QEMU %s profile, %s MiB (fsdax %s on %s%s, "
			 "devdax 2M %s, devdax 1G %s)", t1,
			 rb_json_path_text(meta, "lab.pmem.size_mib", t2, sizeof(t2)),
			 rb_json_path_text(meta, "lab.pmem.fsdax_size", t3, sizeof(t3)),
			 json_object_get_string(json_object_object_get(pm, "fs")),
			 json_object_get_boolean(json_object_object_get(pm, "negative_fs")) ?
				 " WITHOUT 2M alignment" : "",
			 json_object_get_string(json_object_object_get(pm, "devdax_2m_size")),
			 json_object_get_string(json_object_object_get(pm, "devdax_1g_size")));
	} else {
		snprintf(buf, sizeof(buf), "real or host: fsdax %s, devdax %s",
			 rb_json_path_text(meta, "pmem.fsdax_dir", t2, sizeof(t2)),
			 rb_json_path_text(meta, "pmem.devdax", t3, sizeof(t3)));
	}
	wrap(f, "pmem: ", 6, buf);
	rb_json_path_text(meta, "accel", t1, sizeof(t1));
	rb_json_path_text(meta, "lab.accel_why", t2, sizeof(t2));
	rb_json_path_text(meta, "lab.mode", t3, sizeof(t3));
	if (!strcmp(t3, "(absent)"))
		snprintf(buf, sizeof(buf), "none: ran on the host, not in the lab; clock %s",
			 json_object_get_string(json_object_object_get(meta, "clock")));
	else
		snprintf(buf, sizeof(buf), "%s (%s); mode %s; clock %s", t1, t2, t3,
			 json_object_get_string(json_object_object_get(meta, "clock")));
	wrap(f, "accel: ", 7, buf);
	snprintf(buf, sizeof(buf), "%u A + %u B boots (runs), about %u samples per point per boot; "
		 "suite %s", r->nr[0], r->nr[1], r->spp, rb_json_path_text(meta, "suite.name", t1, sizeof(t1)));
	wrap(f, "rounds: ", 8, buf);
	if (!r->exact && (r->nr[0] < 2 || r->nr[1] < 2))
		wrap(f, "        ", 8, "NO BETWEEN-BOOT REPLICATION: timed mode needs >= 2 boots per "
		     "kernel to decide anything; every metric is inconclusive");
	if (r->exact) {
		snprintf(buf, sizeof(buf), "exact (deterministic mode: instruction counts; no p-values): "
			 "a change is |B-A| beyond the A/A bound; margin %s",
			 margin_text(t1, sizeof(t1), o->margin));
	} else {
		struct tally p = tally(r, RB_FAMILY_PRIMARY), s = tally(r, RB_FAMILY_SECONDARY);

		snprintf(buf, sizeof(buf), "timed: the per-boot t-test decides (%s over %u primary "
			 "metrics%s%.0u%s); alpha %.3g, intervals %.4g%%, margin %s; bootstrap %u x, "
			 "seed %llu (descriptive)", o->correction == RB_CORR_BH ? "BH" :
			 o->correction == RB_CORR_HOLM ? "Holm" : "no correction", p.n,
			 s.n ? ", and over " : "", s.n, s.n ? " secondary" : "", o->look_alpha,
			 100 * (1 - o->look_alpha), margin_text(t1, sizeof(t1), o->margin), o->iters,
			 (unsigned long long)o->seed);
	}
	wrap(f, "rule: ", 6, buf);
	if (r->exact) {
		unsigned src[5] = { 0 }, zero = 0, small = 0, large = 0;

		for (size_t i = 0; i < r->n; i++) {
			const struct rb_ab_result *x = &r->res[i];

			if (r->ss[i]->family == RB_FAMILY_DERIVED || x->status)
				continue;
			src[x->bound_source]++;
			if (x->bound_source == RB_BOUND_NONE)
				continue;
			zero += x->bound == 0;
			small += x->bound > 0 && x->bound <= 0.001 * fabs(x->med_a);
			large += x->bound > 0.001 * fabs(x->med_a);
		}
		size_t len = 0;
		if (r->bounds)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "declared in %s (%s; measured %s "
						"on %s) for %u metrics; ", r->bounds->path, r->bounds->how,
						r->bounds->created, r->bounds->kernels[0] ? r->bounds->kernels : "?",
						src[RB_BOUND_DECLARED]);
		static const char *const what[] = {
			[RB_BOUND_BOOTS] = "the between-boot spread here",
			[RB_BOUND_RESOLUTION] = "the samples' resolution",
			[RB_BOUND_IDENTICAL] = "none needed (identical samples)",
			[RB_BOUND_NONE] = "unknown",
		};
		static const enum rb_bound_source order[] = { RB_BOUND_BOOTS, RB_BOUND_RESOLUTION,
							      RB_BOUND_IDENTICAL, RB_BOUND_NONE };
		for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++)
			if (src[order[k]])
				len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s for %u metric%s; ",
							what[order[k]], src[order[k]], src[order[k]] > 1 ? "s" : "");
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "bound 0 on %u, <= 0.1%% of A on "
					"%u, larger on %u", zero, small, large);
		wrap(f, "A/A bound: ", 6, buf);
	}
	if (o->max_looks) {
		snprintf(buf, sizeof(buf), "look %u of at most %u (Lan-DeMets O'Brien-Fleming alpha "
			 "spending, looks every round from %u): this look decides at alpha %.3g of %.3g; %s",
			 o->look, o->max_looks, o->first_look, o->look_alpha, o->alpha,
			 r->stop ? "stop: every primary metric is decided" :
				   "continue: primary metrics left undecided");
		wrap(f, "sequential: ", 6, buf);
	}
	rb_json_path_text(meta, "counters.source", t1, sizeof(t1));
	rb_json_path_text(meta, "counters.fallback", t2, sizeof(t2));
	snprintf(buf, sizeof(buf), "%s%s%s", t1, strcmp(t2, "(absent)") ? " - " : "",
		 strcmp(t2, "(absent)") ? t2 : "");
	wrap(f, "counters: ", 10, buf);
	attribution_header(f, r);
	if (r->mismatch[0]) {
		fprintf(f, "\nWARNING: provenance differs (--force):\n");
		for (const char *p = r->mismatch; *p;) {
			size_t l = strcspn(p, "\n");
			snprintf(buf, sizeof(buf), "%.*s", (int)l, p);
			wrap(f, "  ", 4, buf);
			p += l + (p[l] == '\n');
		}
	}
	if (r->nlost) {
		snprintf(buf, sizeof(buf), "%zu metrics were measured in one arm (or some boots) only and "
			 "are not compared; they are listed after the table.", r->nlost);
		wrap(f, "\nLOST: ", 6, buf);
	}
}

/* Do all metrics of metric i's point share its unit? */
static bool point_unit_shared(const struct rb_report *r, size_t i)
{
	for (size_t j = 0; j < r->n; j++)
		if (!strcmp(r->ss[j]->label, r->ss[i]->label) && strcmp(r->ss[j]->unit, r->ss[i]->unit))
			return false;
	return true;
}

/* One metric row: name [unit], A, B, B-A, +-, %change, verdict; the unit
 * is on the point's line when the point has only one. */
static void row(FILE *f, const struct rb_report *r, size_t i)
{
	const struct rb_series *s = r->ss[i];
	const struct rb_ab_result *x = &r->res[i];
	char name[96], a[24], b[24], d[24], pm[24], pc[24], v[48], unit[40] = "";
	double half = fmax(x->delta_ci.hi - x->delta, x->delta - x->delta_ci.lo);

	if (half < 1e-9 * fabs(x->med_a))	/* exp(log) rounding, not a spread */
		half = 0;
	if (!point_unit_shared(r, i))
		snprintf(unit, sizeof(unit), " [%s]", s->unit);
	snprintf(name, sizeof(name), "  %s%s%s", s->metric, unit,
		 s->family == RB_FAMILY_SECONDARY ? "*" : "");
	if (strlen(name) > 17) {
		fprintf(f, "%s\n", name);
		name[0] = '\0';
	}
	if (x->status) {
		snprintf(v, sizeof(v), "n/a: %s", strerror(-x->status));
		fprintf(f, "%-17s %7s %7s %s\n", name, num(a, sizeof(a), x->med_a, 7, false),
			num(b, sizeof(b), x->med_b, 7, false), v);
		return;
	}
	fprintf(f, "%-17s %7s %7s %7s %5s %7s %s\n", name, num(a, sizeof(a), x->med_a, 7, false),
		num(b, sizeof(b), x->med_b, 7, false), num(d, sizeof(d), x->delta, 7, x->delta != 0),
		num(pm, sizeof(pm), half, 5, false), pct(pc, sizeof(pc), x->pct_change),
		verdict_text(r, i, v, sizeof(v)));
}

static void table(FILE *f, const struct rb_report *r)
{
	const char *prev_case = "", *prev_point = "";

	fprintf(f, "\n%-17s %7s %7s %7s %5s %7s %s\n", "metric [unit]", "A", "B", "B-A", "+-",
		"%change", "verdict");
	fprintf(f, "%s\n", RULE);
	for (size_t i = 0; i < r->n; i++) {
		const struct rb_series *s = r->ss[i];

		if (strcmp(prev_case, s->casename)) {
			const struct rb_case *c = rb_case_find(s->casename);
			char buf[512];

			snprintf(buf, sizeof(buf), "%s%s%s%s", s->casename, c ? " (" : "",
				 c ? c->kernel_paths : "", c ? ")" : "");
			if (i)
				fputc('\n', f);
			wrap(f, "", 4, buf);
			prev_case = s->casename;
		}
		if (strcmp(prev_point, s->label)) {
			char buf[320];

			snprintf(buf, sizeof(buf), "%s%s%s%s", s->label + strlen(s->casename) + 1,
				 point_unit_shared(r, i) ? " [" : "", point_unit_shared(r, i) ? s->unit : "",
				 point_unit_shared(r, i) ? "]" : "");
			wrap(f, " ", 3, buf);
			prev_point = s->label;
		}
		row(f, r, i);
		where_line(f, r, i);
	}
	fprintf(f, "%s\n", RULE);
}

static void summary(FILE *f, const struct rb_report *r)
{
	struct tally p = tally(r, RB_FAMILY_PRIMARY), s = tally(r, RB_FAMILY_SECONDARY);
	struct tally d = tally(r, RB_FAMILY_DERIVED);
	char buf[1024], t[512], m[32];

	margin_text(m, sizeof(m), r->o->margin);
	tally_text(&p, m, t, sizeof(t));
	snprintf(buf, sizeof(buf), "%s, of %u primary metrics%s.", t, p.n,
		 r->primaries_marked > 0 ? " (marked primary= in the suite)" : "");
	wrap(f, "", 0, buf);
	if (s.n) {
		tally_text(&s, m, t, sizeof(t));
		snprintf(buf, sizeof(buf), "Secondary (*, a family of their own, not in the headline): %s, "
			 "of %u.", t, s.n);
		wrap(f, "", 0, buf);
	}
	if (d.n) {
		snprintf(buf, sizeof(buf), "Derived (%u rates from the window of a time metric): shown with "
			 "that metric's verdict, not tested twice.", d.n);
		wrap(f, "", 0, buf);
	}
	if (r->nlost) {
		snprintf(buf, sizeof(buf), "LOST: %zu metrics present in one arm or some boots only, not "
			 "compared%s.", r->nlost, r->o->allow_missing ? " (--allow-missing)" : "");
		wrap(f, "", 0, buf);
	}
	/* the reasons a metric could not be decided, once each */
	for (size_t i = 0; i < r->n; i++) {
		const char *why = r->res[i].reason;
		unsigned cnt = 0;
		bool first = true;

		if (!why || r->ss[i]->family == RB_FAMILY_DERIVED)
			continue;
		for (size_t j = 0; j < r->n; j++) {
			if (r->res[j].reason == why && r->ss[j]->family != RB_FAMILY_DERIVED) {
				first &= j >= i;
				cnt++;
			}
		}
		if (!first)
			continue;
		snprintf(buf, sizeof(buf), "%u metric%s inconclusive: %s.", cnt, cnt > 1 ? "s" : "", why);
		wrap(f, "Note: ", 6, buf);
	}
}

static void boot_plan(FILE *f, const struct rb_report *r)
{
	unsigned shown = 0, total = 0;
	char buf[512], m[32];

	for (size_t i = 0; i < r->n; i++)
		total += r->res[i].plan_rounds > 0;
	if (!total)
		return;
	snprintf(buf, sizeof(buf), "boots per kernel that would decide each inconclusive metric at %s "
		 "with %.0f%% power (per-boot t-test and TOST, from the boot and within-boot spread seen "
		 "here; bench/stats/README.md):", margin_text(m, sizeof(m), r->o->margin),
		 100 * RB_STATS_POWER_DEFAULT);
	wrap(f, "\nBoot plan: ", 2, buf);
	for (size_t i = 0; i < r->n && shown < 20; i++) {
		const struct rb_ab_result *x = &r->res[i];

		if (!x->plan_rounds)
			continue;
		snprintf(buf, sizeof(buf), "%s %s: %u (boot sd %.2g%%, within-boot sd %.2g%%)",
			 r->ss[i]->label, r->ss[i]->metric, x->plan_rounds, 100 * x->sd_rounds,
			 100 * x->sd_within);
		wrap(f, "  ", 4, buf);
		shown++;
	}
	if (total > shown)
		fprintf(f, "  ... and %u more (report.json: plan_boots)\n", total - shown);
}

static void normalized(FILE *f, const struct rb_report *r)
{
	char buf[512];
	unsigned none = 0;

	if (!r->norm)
		return;
	char level[64];

	if (r->exact)
		snprintf(level, sizeof(level), "the interval of the two A/A bounds");
	else
		snprintf(level, sizeof(level), "its %.4g%% interval", 100 * (1 - r->o->look_alpha));
	snprintf(buf, sizeof(buf), "B/A of each DAX kind divided by B/A of %s at the same case, "
		 "metric and parameters, with %s:", rb_kind_name(r->o->normalize), level);
	wrap(f, "\nNormalised: ", 2, buf);
	for (size_t i = 0; i < r->n; i++) {
		const struct rb_norm *q = &r->norm[i];
		char name[320];

		if (!q->has) {
			int k = rb_kind_parse(r->ss[i]->kind);
			none += k >= 0 && (RB_KIND_BIT(k) & rb_kind_mask(RB_CLASS_DAX));
			continue;
		}
		snprintf(name, sizeof(name), "  %s %s", r->ss[i]->label, r->ss[i]->metric);
		if (strlen(name) > 46) {
			wrap(f, "  ", 4, name + 2);
			name[0] = '\0';
		}
		fprintf(f, "%-46s %7.4g [%.4g,%.4g]\n", name, q->ratio, q->ci.lo, q->ci.hi);
	}
	if (none)
		fprintf(f, "  (%u DAX metrics have no %s point with the same parameters)\n", none,
			rb_kind_name(r->o->normalize));
}

static void lost(FILE *f, const struct rb_report *r)
{
	char buf[768];

	if (!r->nlost)
		return;
	fprintf(f, "\nLOST (not compared):\n");
	for (size_t i = 0; i < r->nlost; i++) {
		snprintf(buf, sizeof(buf), "%s %s: %s", r->lost[i]->label, r->lost[i]->metric,
			 r->lost[i]->missing);
		wrap(f, "  ", 4, buf);
	}
}

static void legend(FILE *f, const struct rb_report *r)
{
	char buf[2048], m[32];
	double a = r->o->look_alpha;

	margin_text(m, sizeof(m), r->o->margin);
	fputc('\n', f);
	if (r->exact)
		snprintf(buf, sizeof(buf), "A, B: pooled medians; B-A in the metric's unit (instructions "
			 "per op: exact); +-: the A/A bound b. SLOWER/FASTER: |B-A| > b; \"(in %s)\": also "
			 "|B-A| + b <= %g%% of A (\"in m\": in the margin). equivalent: |B-A| <= b and "
			 "|B-A| + b <= %g%% of A. inconclusive: otherwise, or no bound known.", m,
			 100 * r->o->margin, 100 * r->o->margin);
	else
		snprintf(buf, sizeof(buf), "A, B: pooled medians; B-A in the metric's unit, +-: the "
			 "half-width of its %.4g%% interval. SLOWER/FASTER: the per-boot t-test (log boot "
			 "medians) rejects at alpha %.3g within its family; \"(in %s)\": its %.4g%% interval "
			 "also lies inside %s (\"in m\": in the margin). equivalent: no difference detected "
			 "and that interval inside %s. inconclusive: neither. The pooled Mann-Whitney test "
			 "and the hierarchical bootstrap interval (report.json) are descriptive only: the "
			 "samples of one boot are not independent.", 100 * (1 - a), a, m, 100 * (1 - 2 * a),
			 m, m);
	wrap(f, "", 0, buf);
	wrap(f, "", 0, "%change: 100 (B/A - 1), as lkp prints it. Rates (/s, /Ginsn): higher is "
	     "better and the verdict accounts for it. * secondary metric; \"as X\": derived from "
	     "metric X's window.");
	if (r->attr && r->attr->m)
		wrap(f, "", 0, "where: the kernel symbols whose instructions per op moved most, B-A of "
		     "the pooled medians of each window's count per symbol over its ops (QEMU plugin "
		     "insn_attr; report.json has every symbol that moved). Inlined code counts toward "
		     "the function it was inlined into. ~: no larger than that symbol's spread between the "
		     "boots of one kernel. \"(X window)\": a metric without a window of its own is "
		     "attributed through its iteration's X window, all of it.");
	if (r->o->command)
		wrap(f, "Reproduce: ", 4, r->o->command);
	wrap(f, "Data: ", 6, "report.json, plots/ and runs/ beside this file; each run's meta.json "
	     "holds its full provenance.");
	wrap(f, "", 0, "Parameters at their defaults are not shown (refbench list -v); report.json "
	     "has all of them.");
}

void rb_report_txt(FILE *f, const struct rb_report *r)
{
	header(f, r);
	table(f, r);
	summary(f, r);
	boot_plan(f, r);
	normalized(f, r);
	lost(f, r);
	legend(f, r);
}

/* ---- report.json --------------------------------------------------------- */

static struct json_object *arm_json(struct rb_loaded_run *r, unsigned n)
{
	struct json_object *o = json_object_new_object(), *runs = json_object_new_array();
	char buf[2048];

	for (unsigned i = 0; i < n; i++)
		json_object_array_add(runs, json_object_new_string(r[i].dir));
	json_object_object_add(o, "runs", runs);
	kernel_text(r[0].meta, buf, sizeof(buf));
	json_object_object_add(o, "kernel", json_object_new_string(buf));
	json_object_object_add(o, "kernel_meta", json_object_get(json_object_object_get(r[0].meta, "kernel")));
	return o;
}

static struct json_object *num_json(double v)
{
	return isnan(v) ? NULL : json_object_new_double(v);
}

static struct json_object *ci_json(struct rb_ci ci)
{
	struct json_object *a;

	if (isnan(ci.lo) || isnan(ci.hi))
		return NULL;
	a = json_object_new_array();
	json_object_array_add(a, json_object_new_double(ci.lo));
	json_object_array_add(a, json_object_new_double(ci.hi));
	return a;
}

static struct json_object *tally_json(const struct tally *t)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "n", json_object_new_int((int)t->n));
	json_object_object_add(o, "slower", json_object_new_int((int)t->slower));
	json_object_object_add(o, "slower_within_margin", json_object_new_int((int)t->slower_in));
	json_object_object_add(o, "faster", json_object_new_int((int)t->faster));
	json_object_object_add(o, "faster_within_margin", json_object_new_int((int)t->faster_in));
	json_object_object_add(o, "equivalent", json_object_new_int((int)t->equivalent));
	json_object_object_add(o, "inconclusive", json_object_new_int((int)t->inconclusive));
	return o;
}

static struct json_object *series_id_json(const struct rb_series *s)
{
	struct json_object *m = json_object_new_object();

	json_object_object_add(m, "point", json_object_new_string(s->label));
	json_object_object_add(m, "case", json_object_new_string(s->casename));
	json_object_object_add(m, "kind", json_object_new_string(s->kind));
	json_object_object_add(m, "params", json_tokener_parse(s->params));
	json_object_object_add(m, "metric", json_object_new_string(s->metric));
	json_object_object_add(m, "unit", json_object_new_string(s->unit));
	return m;
}

static struct json_object *count_json(const struct rb_attr_count *c, bool name)
{
	struct json_object *o = json_object_new_object();

	if (name)
		json_object_object_add(o, "name", json_object_new_string(c->name));
	json_object_object_add(o, "a", json_object_new_double(c->a));
	json_object_object_add(o, "b", json_object_new_double(c->b));
	json_object_object_add(o, "delta", json_object_new_double(c->delta));
	json_object_object_add(o, "spread", num_json(c->spread));
	return o;
}

/* Per metric: where its change went, per op, in the metric's unit. */
static struct json_object *attribution_json(const struct rb_attr_metric *m)
{
	struct json_object *o, *syms, *cans;

	if (!m || !m->has)
		return NULL;
	o = json_object_new_object();
	syms = json_object_new_array();
	cans = json_object_new_object();
	json_object_object_add(o, "window_of", m->window_of ? json_object_new_string(m->window_of) : NULL);
	for (size_t k = 0; k < m->nsym; k++)
		json_object_array_add(syms, count_json(&m->sym[k], true));
	json_object_object_add(o, "symbols", syms);
	for (size_t k = 0; k < m->ncan; k++)
		json_object_object_add(cans, m->can[k].name, count_json(&m->can[k], false));
	json_object_object_add(o, "canaries", cans);
	json_object_object_add(o, "restarts", count_json(&m->restarts, false));
	json_object_object_add(o, "sum_delta", json_object_new_double(m->sum_delta));
	json_object_object_add(o, "unattributed", json_object_new_double(m->unattributed));
	return o;
}

/* Top level: whose counts were used, and why not the others'. */
static struct json_object *attribution_runs_json(const struct rb_attr *at)
{
	struct json_object *o, *runs;

	if (!at)
		return NULL;
	o = json_object_new_object();
	runs = json_object_new_array();
	json_object_object_add(o, "runs_a", json_object_new_int((int)at->runs[0]));
	json_object_object_add(o, "runs_b", json_object_new_int((int)at->runs[1]));
	json_object_object_add(o, "note", json_object_new_string(
		"inlined code counts toward the function it was inlined into"));
	json_object_object_add(o, "source", json_object_new_string(
		"QEMU plugin insn_attr: each window's instructions per kernel symbol "
		"(attribution.jsonl beside each run); a symbol's a and b are pooled medians of "
		"count / ops, as the metric's are"));
	json_object_object_add(o, "check", json_object_new_string(
		"every windowed sample: |(insns - restarts) - value x ops| <= max(0.1% of value x ops, 200)"));
	json_object_object_add(o, "checked_samples", json_object_new_uint64(at->checked));
	json_object_object_add(o, "max_difference", json_object_new_double(at->worst));
	for (int a = 0; a < 2; a++)
		for (unsigned i = 0; i < at->nr[a]; i++) {
			const struct rb_attr_run *ar = &at->run[a][i];
			struct json_object *x = json_object_new_object();
			char arm[2] = { (char)('A' + a), 0 };

			json_object_object_add(x, "arm", json_object_new_string(arm));
			json_object_object_add(x, "run", json_object_new_int((int)i + 1));
			json_object_object_add(x, "file", ar->present ? json_object_new_string(ar->path) : NULL);
			json_object_object_add(x, "used", json_object_new_boolean(ar->usable));
			json_object_object_add(x, "flagged", ar->present && !ar->usable ?
					       json_object_new_string(ar->why) : NULL);
			json_object_object_add(x, "windows", json_object_new_uint64(ar->windows));
			json_object_object_add(x, "checked_samples", json_object_new_uint64(ar->checked));
			json_object_array_add(runs, x);
		}
	json_object_object_add(o, "runs", runs);
	return o;
}

static struct json_object *metric_json(const struct rb_report *r, size_t i)
{
	const struct rb_series *s = r->ss[i];
	const struct rb_ab_result *x = &r->res[i];
	struct json_object *m = series_id_json(s);
	size_t p = rb_report_parent(r, i);
	double level = 1 - r->o->look_alpha;

	json_object_object_add(m, "higher_is_better", json_object_new_boolean(rb_unit_higher_is_better(s->unit)));
	json_object_object_add(m, "family", json_object_new_string(rb_family_name(s->family)));
	json_object_object_add(m, "family_size", s->family == RB_FAMILY_DERIVED || r->exact ? NULL :
			       json_object_new_int((int)x->family_size));
	json_object_object_add(m, "derived_from", p != i ? json_object_new_string(r->ss[p]->metric) : NULL);
	json_object_object_add(m, "status", x->status ? json_object_new_string(strerror(-x->status)) : NULL);
	json_object_object_add(m, "reason", x->reason ? json_object_new_string(x->reason) : NULL);
	json_object_object_add(m, "rounds_a", json_object_new_int((int)x->rounds_a));
	json_object_object_add(m, "rounds_b", json_object_new_int((int)x->rounds_b));
	json_object_object_add(m, "n_a", json_object_new_int((int)x->n_a));
	json_object_object_add(m, "n_b", json_object_new_int((int)x->n_b));
	json_object_object_add(m, "median_a", num_json(x->med_a));
	json_object_object_add(m, "median_b", num_json(x->med_b));
	json_object_object_add(m, "delta", num_json(x->delta));
	json_object_object_add(m, "delta_ci", ci_json(x->delta_ci));
	json_object_object_add(m, "pct_change", num_json(x->pct_change));
	json_object_object_add(m, "ratio", num_json(x->ratio));
	json_object_object_add(m, "ci", ci_json(x->ci));
	json_object_object_add(m, "ci_level", r->exact ? NULL : json_object_new_double(level));
	/* kept for readers of the first report format, at its level only */
	if (!r->exact && fabs(level - 0.95) < 1e-12)
		json_object_object_add(m, "ci95", ci_json(x->ci));
	json_object_object_add(m, "ci_tost", ci_json(x->ci_tost));
	if (r->exact) {
		json_object_object_add(m, "bound", num_json(x->bound));
		json_object_object_add(m, "bound_source", json_object_new_string(rb_bound_source_name(x->bound_source)));
		json_object_object_add(m, "resolution", s->resolution > 0 ? json_object_new_double(s->resolution) : NULL);
	} else {
		json_object_object_add(m, "ci_bootstrap", ci_json(x->ci_boot));
		json_object_object_add(m, "ci_rounds", ci_json(x->ci_rounds));
		json_object_object_add(m, "mwu_p", num_json(x->mwu.p));
		json_object_object_add(m, "rounds_t_p", x->rounds.df > 0 ? num_json(x->rounds.p) : NULL);
		json_object_object_add(m, "p", num_json(x->p));
		json_object_object_add(m, "p_adj", num_json(x->p_adj));
		json_object_object_add(m, "sd_rounds", num_json(x->sd_rounds));
		json_object_object_add(m, "sd_within", num_json(x->sd_within));
		json_object_object_add(m, "plan_boots", x->plan_rounds ? json_object_new_int((int)x->plan_rounds) : NULL);
	}
	json_object_object_add(m, "significant", json_object_new_boolean(x->significant));
	json_object_object_add(m, "equivalent", json_object_new_boolean(x->equivalent));
	json_object_object_add(m, "within_margin", json_object_new_boolean(x->within_margin));
	json_object_object_add(m, "verdict", json_object_new_string(rb_verdict_name(rb_report_verdict(r, i))));
	if (r->norm && r->norm[i].has) {
		struct json_object *q = json_object_new_object();

		json_object_object_add(q, "baseline", json_object_new_string(rb_kind_name(r->o->normalize)));
		json_object_object_add(q, "ratio", json_object_new_double(r->norm[i].ratio));
		json_object_object_add(q, "ci", ci_json(r->norm[i].ci));
		json_object_object_add(m, "normalized", q);
	}
	if (r->attr)
		json_object_object_add(m, "attribution", attribution_json(r->attr->m ? &r->attr->m[i] : NULL));
	return m;
}

struct json_object *rb_report_json(const struct rb_report *r)
{
	const struct rb_cmp_opts *o = r->o;
	struct json_object *j = json_object_new_object(), *ms = json_object_new_array();
	struct json_object *ls = json_object_new_array(), *sum = json_object_new_object();
	struct tally p = tally(r, RB_FAMILY_PRIMARY), s = tally(r, RB_FAMILY_SECONDARY);
	struct tally d = tally(r, RB_FAMILY_DERIVED);

	json_object_object_add(j, "schema", json_object_new_int(RB_SCHEMA_VERSION));
	json_object_object_add(j, "rule", json_object_new_string(r->exact ? "exact" : "timed"));
	json_object_object_add(j, "a", arm_json(r->run[0], r->nr[0]));
	json_object_object_add(j, "b", arm_json(r->run[1], r->nr[1]));
	json_object_object_add(j, "margin", json_object_new_double(o->margin));
	json_object_object_add(j, "alpha", json_object_new_double(o->alpha));
	json_object_object_add(j, "alpha_used", json_object_new_double(o->look_alpha));
	json_object_object_add(j, "correction", r->exact ? NULL :
			       json_object_new_string(rb_correction_name(o->correction)));
	json_object_object_add(j, "bootstrap_iters", r->exact ? NULL : json_object_new_int((int)o->iters));
	json_object_object_add(j, "seed", r->exact ? NULL : json_object_new_uint64(o->seed));
	if (r->bounds) {
		struct json_object *b = json_object_new_object();

		json_object_object_add(b, "file", json_object_new_string(r->bounds->path));
		json_object_object_add(b, "created", json_object_new_string(r->bounds->created));
		json_object_object_add(b, "how", json_object_new_string(r->bounds->how));
		json_object_object_add(b, "kernels", json_object_new_string(r->bounds->kernels));
		json_object_object_add(j, "bounds", b);
	}
	if (o->max_looks) {
		struct json_object *q = json_object_new_object();

		json_object_object_add(q, "look", json_object_new_int((int)o->look));
		json_object_object_add(q, "max_looks", json_object_new_int((int)o->max_looks));
		json_object_object_add(q, "first_look", json_object_new_int((int)o->first_look));
		json_object_object_add(q, "spending", json_object_new_string("Lan-DeMets O'Brien-Fleming"));
		json_object_object_add(q, "alpha_look", json_object_new_double(o->look_alpha));
		json_object_object_add(q, "undecided", json_object_new_int((int)r->undecided));
		json_object_object_add(q, "stop", json_object_new_boolean(r->stop));
		json_object_object_add(j, "sequential", q);
	}
	json_object_object_add(j, "normalize", r->norm ? json_object_new_string(rb_kind_name(o->normalize)) : NULL);
	json_object_object_add(j, "provenance_mismatch", r->mismatch[0] ? json_object_new_string(r->mismatch) : NULL);
	json_object_object_add(j, "command", o->command ? json_object_new_string(o->command) : NULL);
	json_object_object_add(sum, "primary", tally_json(&p));
	json_object_object_add(sum, "secondary", tally_json(&s));
	json_object_object_add(sum, "derived", json_object_new_int((int)d.n));
	json_object_object_add(sum, "lost", json_object_new_int((int)r->nlost));
	json_object_object_add(j, "summary", sum);
	json_object_object_add(j, "complete", json_object_new_boolean(!r->nlost));
	json_object_object_add(j, "attribution", attribution_runs_json(r->attr));
	for (size_t i = 0; i < r->n; i++)
		json_object_array_add(ms, metric_json(r, i));
	json_object_object_add(j, "metrics", ms);
	for (size_t i = 0; i < r->nlost; i++) {
		struct json_object *m = series_id_json(r->lost[i]);

		json_object_object_add(m, "missing", json_object_new_string(r->lost[i]->missing));
		json_object_array_add(ls, m);
	}
	json_object_object_add(j, "lost", ls);
	return j;
}

/* ---- plots --------------------------------------------------------------- */

/* 0 inconclusive, 1 equivalent, 2 faster, 3 slower, 4 faster within
 * the margin, 5 slower within the margin (scripts/plots/forest.gp) */
static int plot_code(const struct rb_report *r, size_t i)
{
	enum rb_verdict v = rb_report_verdict(r, i);
	bool in = r->res[i].within_margin;

	if (v == RB_VERDICT_FASTER || v == RB_VERDICT_SLOWER)
		return (int)v + (in ? 2 : 0);
	return (int)v;
}

/* One forest/dist data pair: the metrics of one case (casename) or all
 * of them ordered by effect (NULL). Returns the rows written, -errno. */
static int plot_data(const char *dir, const char *tag, const struct rb_report *r, const char *casename)
{
	char path[PATH_MAX + 64];
	size_t *idx = calloc(r->n + 1, sizeof(*idx)), k = 0;
	FILE *f, *g;

	if (!idx)
		abort();
	for (size_t i = 0; i < r->n; i++)
		if (!r->res[i].status && !isnan(r->res[i].ci.lo) &&
		    (!casename || !strcmp(r->ss[i]->casename, casename)))
			idx[k++] = i;
	if (!casename)	/* the overview: the largest effects first */
		for (size_t a = 1; a < k; a++)
			for (size_t b = a; b > 0 && fabs(log(r->res[idx[b]].ratio)) >
						    fabs(log(r->res[idx[b - 1]].ratio)); b--) {
				size_t t = idx[b];
				idx[b] = idx[b - 1];
				idx[b - 1] = t;
			}
	snprintf(path, sizeof(path), "%s/forest%s.dat", dir, tag);
	f = fopen(path, "we");
	snprintf(path, sizeof(path), "%s/dist%s.dat", dir, tag);
	g = fopen(path, "we");
	if (!f || !g) {
		int e = -errno;
		if (f)
			fclose(f);
		if (g)
			fclose(g);
		free(idx);
		return e;
	}
	fprintf(f, "# idx ratio lo hi verdict(0 inconcl,1 equiv,2 faster,3 slower,4/5 faster/slower "
		"within the margin) \"label\"\n");
	fprintf(g, "# idx arm(0=A,1=B) value/median(A)\n");
	for (size_t row = 0; row < k; row++) {
		size_t i = idx[row];
		const struct rb_series *s = r->ss[i];

		fprintf(f, "%zu %.6f %.6f %.6f %d \"%s %s\"\n", row, r->res[i].ratio, r->res[i].ci.lo,
			r->res[i].ci.hi, plot_code(r, i), casename ? s->label + strlen(s->casename) + 1 :
			s->label, s->metric);
		for (int a = 0; a < 2; a++)
			for (unsigned run = 0; run < s->g[a].nruns; run++)
				for (unsigned x = 0; x < s->g[a].n[run]; x++)
					fprintf(g, "%zu %d %.6f\n", row, a, r->res[i].med_a > 0 ?
						s->g[a].x[run][x] / r->res[i].med_a : 0);
	}
	fclose(f);
	fclose(g);
	free(idx);
	return (int)k;
}

static int run_gnuplot(const char *tmpl, const char *dir, const char *tag, const char *title,
		       double margin, int rows)
{
	char exe[PATH_MAX], tpath[PATH_MAX + 64], args[PATH_MAX * 2], err[256];
	char *const argv[] = { "gnuplot", "-e", args, tpath, NULL };
	struct rb_exec ex;
	int rc;

	snprintf(tpath, sizeof(tpath), "%s/%s", rb_repo_path("scripts/plots", exe, sizeof(exe)), tmpl);
	snprintf(args, sizeof(args), "dir='%s'; tag='%s'; what='%s'; margin=%g; nmetrics=%d", dir, tag,
		 title, margin, rows);
	if (rb_exec(argv, &(struct rb_exec_opts){ .timeout_s = 300 }, &ex, err, sizeof(err)))
		return -1;
	/* gnuplot's complaints belong on stderr, as before */
	fputs(ex.errtext, stderr);
	rc = rb_exec_code(&ex);
	rb_exec_free(&ex);
	return rc;
}

int rb_report_plots(const char *dir, const struct rb_report *r)
{
	bool failed = false;
	int rows = plot_data(dir, "", r, NULL);

	if (rows < 0)
		return rows;
	if (r->o->plots && rows > 0)
		failed |= run_gnuplot("forest.gp", dir, "", "all metrics, largest effect first", r->o->margin, rows) ||
			  run_gnuplot("dist.gp", dir, "", "all metrics, largest effect first", r->o->margin, rows);
	for (size_t i = 0; i < r->n; i++) {
		char tag[64];

		if (i && !strcmp(r->ss[i]->casename, r->ss[i - 1]->casename))
			continue;
		snprintf(tag, sizeof(tag), "-%s", r->ss[i]->casename);
		rows = plot_data(dir, tag, r, r->ss[i]->casename);
		if (rows < 0)
			return rows;
		if (r->o->plots && rows > 0)
			failed |= run_gnuplot("forest.gp", dir, tag, r->ss[i]->casename, r->o->margin, rows) ||
				  run_gnuplot("dist.gp", dir, tag, r->ss[i]->casename, r->o->margin, rows);
	}
	if (failed)
		rb_warn("gnuplot failed: plots are incomplete (install gnuplot-nox: make deps)");
	return 0;
}
