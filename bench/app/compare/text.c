// SPDX-License-Identifier: GPL-2.0
/* report.txt: the A/B report in 72 columns, for a cover letter. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/compare/compare.h"
#include "app/compare/cost.h"
#include "app/compare/text72.h"
#include "app/rundir/cases.h"
#include "lib/refbench.h"
#include "mem/mem.h"

#define RULE "------------------------------------------------------------------------"

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
		snprintf(buf, n, "as %s", r->ss[p]->id.metric);
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

static void tally_text(const struct rb_tally *t, const char *m, char *buf, size_t n)
{
	snprintf(buf, n, "%u slower (%u in %s), %u faster (%u in %s), %u equivalent, %u inconclusive",
		 t->slower, t->slower_in, m, t->faster, t->faster_in, m, t->equivalent, t->inconclusive);
}

/* ---- attribution ---------------------------------------------------------- */

/* The counters line. A lab boot under KVM says whether its guest had a
 * working vPMU: hardware counts there are the guest's, through KVM's
 * perf events on the host, and a guest without one falls back silently
 * otherwise (docs/hardware.md). */
static void counters_line(struct json_object *meta, char *buf, size_t n)
{
	char src[64], fb[512], accel[32], mode[64], cpu[128], sc[256];
	bool kvm_lab, fallback;

	rb_json_path_text(meta, "counters.source", src, sizeof(src));
	rb_json_path_text(meta, "counters.fallback", fb, sizeof(fb));
	rb_json_path_text(meta, "accel", accel, sizeof(accel));
	rb_json_path_text(meta, "lab.mode", mode, sizeof(mode));
	rb_json_path_text(meta, "lab.cpu", cpu, sizeof(cpu));
	rb_json_path_text(meta, "counters.selfcheck.verdict", sc, sizeof(sc));
	kvm_lab = !strcmp(accel, "kvm") && strcmp(mode, "(absent)");
	fallback = strcmp(fb, "(absent)") != 0;
	if (kvm_lab && !strcmp(src, "hw"))
		snprintf(buf, n, "hw through the vPMU (KVM guest, -cpu %s); self-check: %s%s%s", cpu,
			 strcmp(sc, "(absent)") ? sc : "not run", fallback ? " - " : "", fallback ? fb : "");
	else if (kvm_lab)
		snprintf(buf, n, "%s: no working vPMU in the KVM guest (-cpu %s%s)%s%s", src, cpu,
			 strstr(cpu, "pmu=off") ? ": the PMU was turned off" : "", fallback ? " - " : "",
			 fallback ? fb : "");
	else
		snprintf(buf, n, "%s%s%s", src, fallback ? " - " : "", fallback ? fb : "");
}

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
	rb_text_wrap(f, "attribution: ", 6, buf);
	for (int a = 0; a < 2; a++)
		for (unsigned i = 0; i < at->nr[a]; i++) {
			const struct rb_attr_run *ar = &at->run[a][i];

			if (ar->present && !ar->usable) {
				snprintf(buf, sizeof(buf), "%c run %u's file is NOT USED: %s", 'A' + a, i + 1, ar->why);
				rb_text_wrap(f, "      ", 8, buf);
			}
		}
	if (!at->runs[0] || !at->runs[1])
		rb_text_wrap(f, "      ", 8, "no metric is attributed: an arm has no usable attribution "
		     "(scripts/lab --attribute on every boot)");
	if (r->code) {
		snprintf(buf, sizeof(buf), "%zu functions the patch changed and %zu it added, %zu they "
			 "call (kernels/code-diff: code-diff.json beside this file)", r->code->changed,
			 r->code->added, r->code->callees);
		rb_text_wrap(f, "code: ", 6, buf);
	}
}

/* [p] patched, [c] called by patched code, [-] neither; "" without --code-diff */
static const char *code_mark(const struct rb_report *r, enum rb_code_kind kind)
{
	if (!r->code)
		return "";
	switch (kind) {
	case RB_CODE_PATCHED: return " [p]";
	case RB_CODE_CALLEE: return " [c]";
	default: return " [-]";
	}
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
	const char *per = rb_text_unit_per(r->ss[i]->id.unit);
	/* moved: by 1% of the metric's change, or by 0.01 per op */
	double min = fmin(0.01 * fabs(r->res[i].delta), 0.01);
	char buf[1024], prefix[64], d[48];
	size_t len = 0;
	unsigned shown = 0, in_code = 0;

	if (!m || !m->has || !(r->res[i].significant || v == RB_VERDICT_SLOWER || v == RB_VERDICT_FASTER))
		return;
	for (size_t k = 0; k < m->nsym && shown < 5; k++) {
		enum rb_code_kind kind = rb_code_diff_kind(r->code, m->sym[k].name);

		if (fabs(m->sym[k].delta) < min)
			break;		/* sorted by |delta| */
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s %s%s%s", shown ? ", " : "",
					m->sym[k].name, rb_text_per_op(d, sizeof(d), m->sym[k].delta, r->ss[i]->id.unit),
					within_spread(&m->sym[k]) ? "~" : "", code_mark(r, kind));
		in_code += kind != RB_CODE_OTHER;
		shown++;
	}
	if (!shown)
		len = (size_t)snprintf(buf, sizeof(buf), "no symbol's count moved by 1%% of B-A or by "
				       "0.01/%s", per);
	else if (r->code && !in_code && len < sizeof(buf))
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "; NONE in the patch's code or "
					"what it calls");
	/* a validation canary says what the change should be, exactly */
	for (size_t k = 0; k < m->ncan && len < sizeof(buf); k++)
		if (m->can[k].delta != 0)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "; canary %s %s", m->can[k].name,
						rb_text_per_op(d, sizeof(d), m->can[k].delta, r->ss[i]->id.unit));
	snprintf(prefix, sizeof(prefix), "    where%s%s%s: ", m->window_of ? " (" : "",
		 m->window_of ? m->window_of : "", m->window_of ? " window)" : "");
	rb_text_wrap(f, prefix, 6, buf);
}

/* ---- report.txt ---------------------------------------------------------- */

static bool has_split(const struct rb_report *r)
{
	int k;

	for (size_t i = 0; i < r->n; i++)
		if (rb_split_unit(r->ss[i]->id.unit, &k))
			return true;
	return false;
}

static bool has_cost(const struct rb_report *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (rb_cost_component(r->ss[i]->id.unit) >= 0)
			return true;
	return false;
}

static void header(FILE *f, const struct rb_report *r)
{
	struct json_object *meta = r->run[0][0].meta;
	const struct rb_cmp_opts *o = r->o;
	char buf[2048], t1[512], t2[512], t3[256];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(t1, sizeof(t1), "%Y-%m-%d", &tm);
	fprintf(f, "refbench A/B report%*s\n", RB_TEXT_COLS - 19, t1);
	for (int a = 0; a < 2; a++) {
		const char *label = a ? o->label_b : o->label_a;

		rb_report_kernel_text(r->run[a][0].meta, buf, sizeof(buf));
		snprintf(t1, sizeof(t1), "%c%s%s%s: ", 'A' + a, label ? " (" : "", label ? label : "",
			 label ? ")" : "");
		rb_text_wrap(f, t1, 5, buf);
	}
	kernel_config_text(r->run[0][0].meta, t1, sizeof(t1));
	kernel_config_text(r->run[1][0].meta, t2, sizeof(t2));
	if (!strcmp(t1, t2) && t1[0])
		rb_text_wrap(f, "kernel: ", 8, t1);
	else if (t1[0] || t2[0]) {
		rb_text_wrap(f, "kernel A: ", 10, t1[0] ? t1 : "(not recorded)");
		rb_text_wrap(f, "kernel B: ", 10, t2[0] ? t2 : "(not recorded)");
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
	rb_text_wrap(f, "pmem: ", 6, buf);
	rb_json_path_text(meta, "accel", t1, sizeof(t1));
	rb_json_path_text(meta, "lab.accel_why", t2, sizeof(t2));
	rb_json_path_text(meta, "lab.mode", t3, sizeof(t3));
	if (!strcmp(t3, "(absent)"))
		snprintf(buf, sizeof(buf), "none: ran on the host, not in the lab; clock %s",
			 json_object_get_string(json_object_object_get(meta, "clock")));
	else
		snprintf(buf, sizeof(buf), "%s (%s); mode %s; clock %s", t1, t2, t3,
			 json_object_get_string(json_object_object_get(meta, "clock")));
	rb_text_wrap(f, "accel: ", 7, buf);
	snprintf(buf, sizeof(buf), "%u A + %u B boots (runs), about %u samples per point per boot; "
		 "suite %s", r->nr[0], r->nr[1], r->spp, rb_json_path_text(meta, "suite.name", t1, sizeof(t1)));
	rb_text_wrap(f, "rounds: ", 8, buf);
	if (r->o->resumed && *r->o->resumed) {
		unsigned n = 1;

		for (const char *c = r->o->resumed; *c; c++)
			n += *c == ',';
		snprintf(buf, sizeof(buf), "%u of %u boots reused from the interrupted A/B (checksums "
			 "verified): %s", n, r->nr[0] + r->nr[1], r->o->resumed);
		rb_text_wrap(f, "resumed: ", 9, buf);
	}
	if (!r->exact && (r->nr[0] < 2 || r->nr[1] < 2))
		rb_text_wrap(f, "        ", 8, "NO BETWEEN-BOOT REPLICATION: timed mode needs >= 2 boots per "
		     "kernel to decide anything; every metric is inconclusive");
	if (r->exact) {
		snprintf(buf, sizeof(buf), "exact (deterministic mode: instruction counts; no p-values): "
			 "a change is |B-A| beyond the A/A bound; margin %s",
			 margin_text(t1, sizeof(t1), o->margin));
	} else {
		struct rb_tally p = rb_report_tally(r, RB_FAMILY_PRIMARY), s = rb_report_tally(r, RB_FAMILY_SECONDARY);

		snprintf(buf, sizeof(buf), "timed: the per-boot t-test decides (%s over %u primary "
			 "metrics%s%.0u%s); alpha %.3g, intervals %.4g%%, margin %s; bootstrap %u x, "
			 "seed %llu (descriptive)", o->correction == RB_CORR_BH ? "BH" :
			 o->correction == RB_CORR_HOLM ? "Holm" : "no correction", p.n,
			 s.n ? ", and over " : "", s.n, s.n ? " secondary" : "", o->look_alpha,
			 100 * (1 - o->look_alpha), margin_text(t1, sizeof(t1), o->margin), o->iters,
			 (unsigned long long)o->seed);
	}
	rb_text_wrap(f, "rule: ", 6, buf);
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
		rb_text_wrap(f, "A/A bound: ", 6, buf);
		if (src[RB_BOUND_BOOTS]) {
			snprintf(buf, sizeof(buf), "%u metrics are judged against the spread between %u boots "
				 "of A and %u of B: %s. Declare bounds for this suite and kernel version: "
				 "scripts/bounds (docs/deterministic.md).", src[RB_BOUND_BOOTS], r->nr[0],
				 r->nr[1], RB_WEAK_BOUND_WHY);
			rb_text_wrap(f, "WEAK BOUND: ", 6, buf);
		}
	}
	if (o->max_looks) {
		snprintf(buf, sizeof(buf), "look %u of at most %u (Lan-DeMets O'Brien-Fleming alpha "
			 "spending, looks every round from %u): this look decides at alpha %.3g of %.3g; %s",
			 o->look, o->max_looks, o->first_look, o->look_alpha, o->alpha,
			 r->stop ? "stop: every primary metric is decided" :
				   "continue: primary metrics left undecided");
		rb_text_wrap(f, "sequential: ", 6, buf);
	}
	counters_line(meta, buf, sizeof(buf));
	rb_text_wrap(f, "counters: ", 10, buf);
	attribution_header(f, r);
	if (r->mismatch[0]) {
		fprintf(f, "\nWARNING: provenance differs (--force):\n");
		for (const char *p = r->mismatch; *p;) {
			size_t l = strcspn(p, "\n");
			snprintf(buf, sizeof(buf), "%.*s", (int)l, p);
			rb_text_wrap(f, "  ", 4, buf);
			p += l + (p[l] == '\n');
		}
	}
	if (r->nlost) {
		snprintf(buf, sizeof(buf), "%zu metrics were measured in one arm (or some boots) only and "
			 "are not compared; they are listed after the table.", r->nlost);
		rb_text_wrap(f, "\nLOST: ", 6, buf);
	}
}

/* Do all metrics of metric i's point share its unit? */
static bool point_unit_shared(const struct rb_report *r, size_t i)
{
	for (size_t j = 0; j < r->n; j++)
		if (!strcmp(r->ss[j]->label, r->ss[i]->label) && strcmp(r->ss[j]->id.unit, r->ss[i]->id.unit))
			return false;
	return true;
}

/* One metric row: name [unit], A, B, B-A, +-, %change, verdict; the unit
 * is on the point's line when the point has only one. */
static void row(FILE *f, const struct rb_report *r, size_t i)
{
	const struct rb_samples *s = r->ss[i];
	const struct rb_ab_result *x = &r->res[i];
	char name[96], a[24], b[24], d[24], pm[24], pc[24], v[48], unit[40] = "";
	double half = fmax(x->delta_ci.hi - x->delta, x->delta - x->delta_ci.lo);

	if (half < 1e-9 * fabs(x->med_a))	/* exp(log) rounding, not a spread */
		half = 0;
	if (!point_unit_shared(r, i))
		snprintf(unit, sizeof(unit), " [%s]", s->id.unit);
	snprintf(name, sizeof(name), "  %s%s%s", s->id.metric, unit,
		 s->family == RB_FAMILY_SECONDARY ? "*" : "");
	if (strlen(name) > 17) {
		fprintf(f, "%s\n", name);
		name[0] = '\0';
	}
	if (x->status) {
		snprintf(v, sizeof(v), "n/a: %s", strerror(-x->status));
		fprintf(f, "%-17s %7s %7s %s\n", name, rb_text_num(a, sizeof(a), x->med_a, 7, false),
			rb_text_num(b, sizeof(b), x->med_b, 7, false), v);
		return;
	}
	fprintf(f, "%-17s %7s %7s %7s %5s %7s %s\n", name, rb_text_num(a, sizeof(a), x->med_a, 7, false),
		rb_text_num(b, sizeof(b), x->med_b, 7, false), rb_text_num(d, sizeof(d), x->delta, 7, x->delta != 0),
		rb_text_num(pm, sizeof(pm), half, 5, false), pct(pc, sizeof(pc), x->pct_change),
		verdict_text(r, i, v, sizeof(v)));
}

static void table(FILE *f, const struct rb_report *r)
{
	const char *prev_case = "", *prev_point = "";

	fprintf(f, "\n%-17s %7s %7s %7s %5s %7s %s\n", "metric [unit]", "A", "B", "B-A", "+-",
		"%change", "verdict");
	fprintf(f, "%s\n", RULE);
	for (size_t i = 0; i < r->n; i++) {
		const struct rb_samples *s = r->ss[i];

		if (strcmp(prev_case, s->id.casename)) {
			const char *kp = rb_run_case_kernel_paths(r->cases, s->id.casename);
			char buf[512];

			snprintf(buf, sizeof(buf), "%s%s%s%s", s->id.casename, kp ? " (" : "", kp ? kp : "",
				 kp ? ")" : "");
			if (i)
				fputc('\n', f);
			rb_text_wrap(f, "", 4, buf);
			prev_case = s->id.casename;
		}
		if (strcmp(prev_point, s->label)) {
			char buf[320];

			snprintf(buf, sizeof(buf), "%s%s%s%s", s->label + strlen(s->id.casename) + 1,
				 point_unit_shared(r, i) ? " [" : "", point_unit_shared(r, i) ? s->id.unit : "",
				 point_unit_shared(r, i) ? "]" : "");
			rb_text_wrap(f, " ", 3, buf);
			prev_point = s->label;
		}
		row(f, r, i);
		where_line(f, r, i);
	}
	fprintf(f, "%s\n", RULE);
}

static void summary(FILE *f, const struct rb_report *r)
{
	struct rb_tally p = rb_report_tally(r, RB_FAMILY_PRIMARY), s = rb_report_tally(r, RB_FAMILY_SECONDARY);
	struct rb_tally d = rb_report_tally(r, RB_FAMILY_DERIVED);
	char buf[1024], t[512], m[32];

	margin_text(m, sizeof(m), r->o->margin);
	tally_text(&p, m, t, sizeof(t));
	snprintf(buf, sizeof(buf), "%s, of %u primary metrics%s.", t, p.n,
		 r->primaries_marked > 0 ? " (marked primary= in the suite)" : "");
	rb_text_wrap(f, "", 0, buf);
	if (s.n) {
		tally_text(&s, m, t, sizeof(t));
		snprintf(buf, sizeof(buf), "Secondary (*, a family of their own, not in the headline): %s, "
			 "of %u.", t, s.n);
		rb_text_wrap(f, "", 0, buf);
	}
	if (d.n) {
		snprintf(buf, sizeof(buf), "Derived (%u rates from the window of a time metric): shown with "
			 "that metric's verdict, not tested twice.", d.n);
		rb_text_wrap(f, "", 0, buf);
	}
	if (r->nlost) {
		snprintf(buf, sizeof(buf), "LOST: %zu metrics present in one arm or some boots only, not "
			 "compared%s.", r->nlost, r->o->allow_missing ? " (--allow-missing)" : "");
		rb_text_wrap(f, "", 0, buf);
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
		rb_text_wrap(f, "Note: ", 6, buf);
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
	rb_text_wrap(f, "\nBoot plan: ", 2, buf);
	for (size_t i = 0; i < r->n && shown < 20; i++) {
		const struct rb_ab_result *x = &r->res[i];

		if (!x->plan_rounds)
			continue;
		snprintf(buf, sizeof(buf), "%s %s: %u (boot sd %.2g%%, within-boot sd %.2g%%)",
			 r->ss[i]->label, r->ss[i]->id.metric, x->plan_rounds, 100 * x->sd_rounds,
			 100 * x->sd_within);
		rb_text_wrap(f, "  ", 4, buf);
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
	rb_text_wrap(f, "\nNormalised: ", 2, buf);
	for (size_t i = 0; i < r->n; i++) {
		const struct rb_norm *q = &r->norm[i];
		char name[320];

		if (!q->has) {
			int k = rb_kind_parse(r->ss[i]->id.kind);
			none += k >= 0 && (RB_KIND_BIT(k) & rb_kind_mask(RB_CLASS_DAX));
			continue;
		}
		snprintf(name, sizeof(name), "  %s %s", r->ss[i]->label, r->ss[i]->id.metric);
		if (strlen(name) > 46) {
			rb_text_wrap(f, "  ", 4, name + 2);
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
		snprintf(buf, sizeof(buf), "%s %s: %s", r->lost[i]->label, r->lost[i]->id.metric,
			 r->lost[i]->missing);
		rb_text_wrap(f, "  ", 4, buf);
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
	rb_text_wrap(f, "", 0, buf);
	rb_text_wrap(f, "", 0, "%change: 100 (B/A - 1), as lkp prints it. Rates (/s, /Ginsn): higher is "
	     "better and the verdict accounts for it. * secondary metric; \"as X\": derived from "
	     "metric X's window.");
	if (r->attr && r->attr->m)
		rb_text_wrap(f, "", 0, "where: the kernel symbols whose instructions per op moved most, B-A of "
		     "the pooled medians of each window's count per symbol over its ops (QEMU plugin "
		     "insn_attr; report.json has every symbol that moved). Inlined code counts toward "
		     "the function it was inlined into. ~: no larger than that symbol's spread between the "
		     "boots of one kernel. \"(X window)\": a metric without a window of its own is "
		     "attributed through its iteration's X window, all of it.");
	if (r->code)
		rb_text_wrap(f, "", 0, "[p]: a function the patch changed or added; [c]: one that code "
		     "calls, directly or by a tail jump; [-]: neither, so moved by something else (or "
		     "reached through an indirect call, which kernels/code-diff does not follow).");
	if (has_split(r))
		rb_text_wrap(f, "", 0, "irq-insn, other-insn: the instructions that interrupts, and other tasks "
		     "with the scheduler, ran inside the metric's window, per op, counted apart by the TCG "
		     "plugin; the metric itself is the measured task's own count (docs/attribution.md).");
	if (has_cost(r))
		rb_text_wrap(f, "", 0, "atomic, loads, stores, page-struct, lines, page-struct-lines: the cost "
		     "vector of the metric's window per op, counted by the TCG plugin (docs/cost.md): "
		     "atomic read-modify-writes as an SMP machine runs them (LOCK sites from vmlinux's "
		     ".smp_locks), data accesses (an RMW is one load and one store), those whose address "
		     "is in the vmemmap (struct page), distinct 64-byte lines of guest physical memory "
		     "touched in the window, and of them those reached through the vmemmap. Exact, like "
		     "the instruction count; TCG has no caches, so lines are lines touched, not misses.");
	for (unsigned i = 0; i < r->o->nmissing; i++)
		rb_text_wrap(f, i ? "         " : "Missing: ", 9, r->o->missing[i]);
	if (r->o->command)
		rb_text_wrap(f, "Reproduce: ", 4, r->o->command);
	rb_text_wrap(f, "Data: ", 6, "report.json, plots/ and runs/ beside this file; each run's meta.json "
	     "holds its full provenance.");
	rb_text_wrap(f, "", 0, "Parameters at their defaults are not shown (refbench list -v); report.json "
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

