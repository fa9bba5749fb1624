// SPDX-License-Identifier: GPL-2.0
/*
 * refbench compare RUNS_A RUNS_B: the A/B report.
 *
 * Each run is one boot (the unit of replication); its samples of a metric
 * are the within-boot repeats. Runs must be complete and their provenance
 * must match (host, suite, pmem set-up, mode, accel, counters), or the
 * comparison is refused, naming the difference (--force prints it in the
 * report instead). Everything is computed in memory and written at the end
 * into a fresh directory, so a refused comparison leaves nothing behind.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "compare.h"
#include "output.h"
#include "stats/stats.h"
#include "suite.h"
#include "validate.h"

const char *const rb_prov_match_paths[] = {
	"suite.sha256", "clock", "accel", "counters.source",
	"host.cpu_model", "host.cpus_online",
	"lab.mode", "lab.host.name", "lab.host.cpu_model", "lab.qemu.cpu", "lab.qemu.smp",
	"lab.qemu.mem_mib", "lab.pmem.profile", "lab.pmem.size_mib", "lab.pmem.fsdax_size",
	"lab.pmem.devdax_2m_size", "lab.pmem.devdax_1g_size", "lab.pmem.fs", "lab.pmem.negative_fs",
	"pmem.fsdax_dir", "pmem.devdax",
	NULL,
};
/* Within one arm, every boot must be the same kernel. */
const char *const rb_prov_arm_paths[] = {
	"kernel.release", "kernel.version", "kernel.config_sha256", NULL,
};

const char *rb_json_path_text(struct json_object *o, const char *path, char *buf, size_t n)
{
	char tmp[256], *save = NULL;

	rb_strlcpy(tmp, path, sizeof(tmp));
	for (char *t = strtok_r(tmp, ".", &save); t && o; t = strtok_r(NULL, ".", &save))
		if (!json_object_object_get_ex(o, t, &o))
			o = NULL;
	if (!o)
		return rb_strlcpy(buf, "(absent)", n), buf;
	rb_strlcpy(buf, json_object_is_type(o, json_type_string) ? json_object_get_string(o)
			: json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN), n);
	return buf;
}

static unsigned mismatch_set(struct rb_loaded_run *runs, size_t nr, struct rb_loaded_run *ref,
			     const char *const *paths, const char *what, char *out, size_t n)
{
	unsigned count = 0;
	size_t len = strlen(out);

	for (const char *const *p = paths; *p; p++) {
		char want[512], got[512];

		rb_json_path_text(ref->meta, *p, want, sizeof(want));
		for (size_t i = 0; i < nr; i++) {
			rb_json_path_text(runs[i].meta, *p, got, sizeof(got));
			if (strcmp(want, got)) {
				if (len < n)
					len += (size_t)snprintf(out + len, n - len, "%s %s: '%.120s' in %s vs "
								"'%.120s' in %s\n", what, *p, want, ref->dir,
								got, runs[i].dir);
				count++;
				break;
			}
		}
	}
	return count;
}

unsigned rb_prov_mismatches(struct rb_loaded_run *a, size_t na, struct rb_loaded_run *b,
			    size_t nb, char *out, size_t n)
{
	unsigned c = 0;

	out[0] = '\0';
	c += mismatch_set(a, na, &a[0], rb_prov_match_paths, "A/A", out, n);
	c += mismatch_set(b, nb, &a[0], rb_prov_match_paths, "A/B", out, n);
	c += mismatch_set(a, na, &a[0], rb_prov_arm_paths, "kernel within A:", out, n);
	c += mismatch_set(b, nb, &b[0], rb_prov_arm_paths, "kernel within B:", out, n);
	return c;
}

bool rb_unit_higher_is_better(const char *unit)
{
	size_t l = strlen(unit);

	return (l > 2 && !strcmp(unit + l - 2, "/s")) || (l > 6 && !strcmp(unit + l - 6, "/Ginsn")) ||
	       strstr(unit, "IOPS");
}

int rb_run_load(const char *dir, struct rb_loaded_run *r, char *err, size_t n)
{
	char path[4096 + 64], e2[512];
	size_t samples = 0;

	memset(r, 0, sizeof(*r));
	snprintf(path, sizeof(path), "%s/run/meta.json", dir);
	if (!access(path, F_OK))
		snprintf(r->dir, sizeof(r->dir), "%s/run", dir);
	else
		rb_strlcpy(r->dir, dir, sizeof(r->dir));
	if (rb_validate_dir(r->dir, true, &r->meta, &r->records, e2, sizeof(e2))) {
		snprintf(err, n, "run %s refused: %s", dir, e2);
		return -1;
	}
	for (size_t i = 0; i < json_object_array_length(r->records); i++)
		samples += !strcmp(json_object_get_string(json_object_object_get(
			json_object_array_get_idx(r->records, i), "type")), "sample");
	if (!samples) {
		snprintf(err, n, "run %s refused: it holds no samples (an empty run)", dir);
		rb_run_unload(r);
		return -1;
	}
	return 0;
}

void rb_run_unload(struct rb_loaded_run *r)
{
	json_object_put(r->meta);
	json_object_put(r->records);
	r->meta = r->records = NULL;
}

/* ---- grouping samples into series ------------------------------------ */

struct arm_series {
	unsigned nruns;
	double **x;
	unsigned *n, *cap;
};

struct series {
	char label[256];	/* "case kind k=v ..." */
	char metric[32], unit[24];
	char casename[32], kind[16];
	char params[512];		/* every parameter, as JSON, for report.json */
	char seedname[300];
	struct arm_series arm[2];
};

struct series_set {
	size_t n, cap;
	struct series *s;
};

/* " k=v ..." for the parameters that differ from the case's defaults: a
 * cover letter needs "cmd=pin size=16M", not "calls=auto min_us=1000".
 * report.json keeps every parameter. */
static void params_text(const char *casename, struct json_object *params, char *buf, size_t n)
{
	const struct rb_case *c = rb_case_find(casename);
	size_t len = 0;

	buf[0] = '\0';
	json_object_object_foreach(params, k, v) {
		const char *val = json_object_get_string(v);
		bool dflt = false;

		for (const struct rb_param_def *d = c ? c->params : NULL; d && d->key; d++)
			dflt |= !strcmp(d->key, k) && !strcmp(d->def, val);
		if (!dflt && len < n)
			len += (size_t)snprintf(buf + len, n - len, " %s=%s", k, val);
	}
}

static struct series *series_get(struct series_set *set, const char *label, const char *metric,
				 const char *unit, struct json_object *rec, unsigned nruns_a,
				 unsigned nruns_b)
{
	for (size_t i = 0; i < set->n; i++)
		if (!strcmp(set->s[i].label, label) && !strcmp(set->s[i].metric, metric) &&
		    !strcmp(set->s[i].unit, unit))
			return &set->s[i];
	if (set->n == set->cap) {
		set->cap = set->cap ? set->cap * 2 : 64;
		set->s = realloc(set->s, set->cap * sizeof(*set->s));
		if (!set->s)
			abort();
	}
	struct series *s = &set->s[set->n++];
	memset(s, 0, sizeof(*s));
	rb_strlcpy(s->label, label, sizeof(s->label));
	rb_strlcpy(s->metric, metric, sizeof(s->metric));
	rb_strlcpy(s->unit, unit, sizeof(s->unit));
	rb_strlcpy(s->casename, json_object_get_string(json_object_object_get(rec, "case")),
		   sizeof(s->casename));
	rb_strlcpy(s->kind, json_object_get_string(json_object_object_get(rec, "kind")), sizeof(s->kind));
	rb_strlcpy(s->params, json_object_to_json_string_ext(json_object_object_get(rec, "params"),
							     JSON_C_TO_STRING_PLAIN), sizeof(s->params));
	for (int a = 0; a < 2; a++) {
		unsigned nr = a ? nruns_b : nruns_a;
		s->arm[a].nruns = nr;
		s->arm[a].x = calloc(nr, sizeof(double *));
		s->arm[a].n = calloc(nr, sizeof(unsigned));
		s->arm[a].cap = calloc(nr, sizeof(unsigned));
	}
	return s;
}

static void series_add(struct series *s, int arm, unsigned run, double v)
{
	struct arm_series *a = &s->arm[arm];

	if (a->n[run] == a->cap[run]) {
		a->cap[run] = a->cap[run] ? a->cap[run] * 2 : 16;
		a->x[run] = realloc(a->x[run], a->cap[run] * sizeof(double));
		if (!a->x[run])
			abort();
	}
	a->x[run][a->n[run]++] = v;
}

static void collect(struct series_set *set, struct rb_loaded_run *runs, unsigned nr, int arm,
		    unsigned na, unsigned nb)
{
	for (unsigned r = 0; r < nr; r++)
		for (size_t i = 0; i < json_object_array_length(runs[r].records); i++) {
			struct json_object *rec = json_object_array_get_idx(runs[r].records, i);
			char label[256], params[200];

			if (strcmp(json_object_get_string(json_object_object_get(rec, "type")), "sample"))
				continue;
			params_text(json_object_get_string(json_object_object_get(rec, "case")),
				    json_object_object_get(rec, "params"), params, sizeof(params));
			snprintf(label, sizeof(label), "%s %s%s",
				 json_object_get_string(json_object_object_get(rec, "case")),
				 json_object_get_string(json_object_object_get(rec, "kind")), params);
			series_add(series_get(set, label,
					      json_object_get_string(json_object_object_get(rec, "metric")),
					      json_object_get_string(json_object_object_get(rec, "unit")), rec,
					      na, nb),
				   arm, r, json_object_get_double(json_object_object_get(rec, "value")));
		}
}

static bool series_complete(const struct series *s)
{
	for (int a = 0; a < 2; a++)
		for (unsigned r = 0; r < s->arm[a].nruns; r++)
			if (!s->arm[a].n[r])
				return false;
	return true;
}

static void series_free(struct series_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		for (int a = 0; a < 2; a++) {
			for (unsigned r = 0; r < set->s[i].arm[a].nruns; r++)
				free(set->s[i].arm[a].x[r]);
			free(set->s[i].arm[a].x);
			free(set->s[i].arm[a].n);
			free(set->s[i].arm[a].cap);
		}
	free(set->s);
}

/* ---- the report ------------------------------------------------------- */

#define COLS 72

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

static const char *verdict_short(enum rb_verdict v)
{
	switch (v) {
	case RB_VERDICT_FASTER: return "faster";
	case RB_VERDICT_SLOWER: return "SLOWER";
	case RB_VERDICT_EQUIVALENT: return "equiv";
	default: return "inconcl";
	}
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

struct cmp_opts {
	double margin, alpha;
	uint64_t seed;
	unsigned iters;
	bool force, plots;
	const char *out, *label_a, *label_b, *command;
};

static void write_report(FILE *f, const struct cmp_opts *o, struct rb_loaded_run *a, unsigned na,
			 struct rb_loaded_run *b, unsigned nb, struct series **ss, size_t n,
			 const struct rb_ab_result *res, const char *mismatch, const char *missing,
			 unsigned samples_per_point)
{
	char buf[2048], t1[256], t2[256], t3[256];
	time_t now = time(NULL);
	struct tm tm;
	unsigned counts[4] = { 0 };

	gmtime_r(&now, &tm);
	strftime(t1, sizeof(t1), "%Y-%m-%d", &tm);
	fprintf(f, "refbench A/B report%*s\n", COLS - 19, t1);
	kernel_text(a[0].meta, buf, sizeof(buf));
	snprintf(t1, sizeof(t1), "A%s%s%s: ", o->label_a ? " (" : "", o->label_a ? o->label_a : "", o->label_a ? ")" : "");
	wrap(f, t1, 5, buf);
	kernel_text(b[0].meta, buf, sizeof(buf));
	snprintf(t1, sizeof(t1), "B%s%s%s: ", o->label_b ? " (" : "", o->label_b ? o->label_b : "", o->label_b ? ")" : "");
	wrap(f, t1, 5, buf);
	if (strcmp(rb_json_path_text(a[0].meta, "lab.pmem.profile", t1, sizeof(t1)), "(absent)"))
		snprintf(buf, sizeof(buf), "emulated, QEMU %s profile, %s MiB (fsdax %s on %s%s, "
			 "devdax 2M %s, devdax 1G %s)", t1,
			 rb_json_path_text(a[0].meta, "lab.pmem.size_mib", t2, sizeof(t2)),
			 rb_json_path_text(a[0].meta, "lab.pmem.fsdax_size", t3, sizeof(t3)),
			 json_object_get_string(json_object_object_get(json_object_object_get(
				 json_object_object_get(a[0].meta, "lab"), "pmem"), "fs")),
			 json_object_get_boolean(json_object_object_get(json_object_object_get(
				 json_object_object_get(a[0].meta, "lab"), "pmem"), "negative_fs")) ?
				 " WITHOUT 2M alignment" : "",
			 json_object_get_string(json_object_object_get(json_object_object_get(
				 json_object_object_get(a[0].meta, "lab"), "pmem"), "devdax_2m_size")),
			 json_object_get_string(json_object_object_get(json_object_object_get(
				 json_object_object_get(a[0].meta, "lab"), "pmem"), "devdax_1g_size")));
	else
		snprintf(buf, sizeof(buf), "real or host: fsdax %s, devdax %s",
			 rb_json_path_text(a[0].meta, "pmem.fsdax_dir", t2, sizeof(t2)),
			 rb_json_path_text(a[0].meta, "pmem.devdax", t3, sizeof(t3)));
	wrap(f, "pmem: ", 6, buf);
	rb_json_path_text(a[0].meta, "accel", t1, sizeof(t1));
	rb_json_path_text(a[0].meta, "lab.accel_why", t2, sizeof(t2));
	rb_json_path_text(a[0].meta, "lab.mode", t3, sizeof(t3));
	if (!strcmp(t3, "(absent)"))
		snprintf(buf, sizeof(buf), "none: ran on the host, not in the lab; clock %s",
			 json_object_get_string(json_object_object_get(a[0].meta, "clock")));
	else
		snprintf(buf, sizeof(buf), "%s (%s); mode %s; clock %s", t1, t2, t3,
			 json_object_get_string(json_object_object_get(a[0].meta, "clock")));
	wrap(f, "accel: ", 7, buf);
	snprintf(buf, sizeof(buf), "%u A + %u B boots (runs), about %u samples per point per boot; "
		 "suite %s", na, nb, samples_per_point,
		 rb_json_path_text(a[0].meta, "suite.name", t1, sizeof(t1)));
	wrap(f, "rounds: ", 8, buf);
	snprintf(buf, sizeof(buf), "+-%.1f%% (TOST on the %.0f%% CI); alpha %.2f, Holm over %zu "
		 "metrics; bootstrap %u x, seed %llu", o->margin * 100, (1 - 2 * o->alpha) * 100,
		 o->alpha, n, o->iters, (unsigned long long)o->seed);
	wrap(f, "margin: ", 8, buf);
	rb_json_path_text(a[0].meta, "counters.source", t1, sizeof(t1));
	rb_json_path_text(a[0].meta, "counters.fallback", t2, sizeof(t2));
	snprintf(buf, sizeof(buf), "%s%s%s", t1, strcmp(t2, "(absent)") ? " - " : "",
		 strcmp(t2, "(absent)") ? t2 : "");
	wrap(f, "counters: ", 10, buf);
	if (mismatch[0]) {
		fprintf(f, "\nWARNING: provenance differs (--force):\n");
		for (const char *p = mismatch; *p;) {
			size_t l = strcspn(p, "\n");
			snprintf(buf, sizeof(buf), "%.*s", (int)l, p);
			wrap(f, "  ", 4, buf);
			p += l + (p[l] == '\n');
		}
	}
	fprintf(f, "\n%-20s %9s %9s  %-19s %s\n", "metric [unit]", "A median", "B median",
		"B/A [95% CI]", "verdict");
	fprintf(f, "%.*s\n", COLS, "------------------------------------------------------------------------");
	const char *prev = "";
	for (size_t i = 0; i < n; i++) {
		const struct rb_ab_result *r = &res[i];
		enum rb_verdict v = r->verdict;
		char name[64], ratio[48];

		if (rb_unit_higher_is_better(ss[i]->unit) && (v == RB_VERDICT_FASTER || v == RB_VERDICT_SLOWER))
			v = v == RB_VERDICT_FASTER ? RB_VERDICT_SLOWER : RB_VERDICT_FASTER;
		counts[v]++;
		if (strcmp(prev, ss[i]->label)) {
			wrap(f, "", 2, ss[i]->label);
			prev = ss[i]->label;
		}
		snprintf(name, sizeof(name), "  %s [%s]", ss[i]->metric, ss[i]->unit);
		if (r->status)
			snprintf(ratio, sizeof(ratio), "n/a (%s)", strerror(-r->status));
		else
			snprintf(ratio, sizeof(ratio), "%.3f [%.3f,%.3f]", r->ratio, r->ci.lo, r->ci.hi);
		if (strlen(name) > 20) {
			fprintf(f, "%s\n", name);
			name[0] = '\0';
		}
		fprintf(f, "%-20s %9.4g %9.4g  %-19s %s\n", name, r->med_a, r->med_b, ratio, verdict_short(v));
	}
	fprintf(f, "%.*s\n", COLS, "------------------------------------------------------------------------");
	snprintf(buf, sizeof(buf), "%u slower, %u faster, %u equivalent, %u inconclusive, of %zu "
		 "metrics.", counts[RB_VERDICT_SLOWER], counts[RB_VERDICT_FASTER],
		 counts[RB_VERDICT_EQUIVALENT], counts[RB_VERDICT_INCONCLUSIVE], n);
	wrap(f, "", 0, buf);
	if (na == 1 || nb == 1)
		wrap(f, "", 0, "Note: one boot per kernel, so boot-to-boot spread is unknown and "
		     "the intervals assume there is none; use more rounds.");
	if (missing[0])
		wrap(f, "Not compared (absent from one side): ", 2, missing);
	snprintf(buf, sizeof(buf), "SLOWER/faster: the B/A 95%% CI excludes 1, and the pooled "
		 "Mann-Whitney test and the per-boot t-test agree (Holm-adjusted p < %.2f); equiv: the %.0f%% CI lies within 1 +- %.1f%%; "
		 "inconcl: neither. Times: B/A > 1 is slower; rates (/s): higher is better and the "
		 "verdict accounts for it.", o->alpha, (1 - 2 * o->alpha) * 100, o->margin * 100);
	wrap(f, "", 0, buf);
	if (o->command)
		wrap(f, "Reproduce: ", 4, o->command);
	snprintf(buf, sizeof(buf), "report.json, plots/ and runs/ beside this file; each run's "
		 "meta.json holds its full provenance.");
	wrap(f, "Data: ", 6, buf);
	wrap(f, "", 0, "Parameters at their defaults are not shown (refbench list -v); "
	     "report.json has all of them.");
}

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

static struct json_object *ci_json(struct rb_ci ci)
{
	struct json_object *a = json_object_new_array();

	json_object_array_add(a, json_object_new_double(ci.lo));
	json_object_array_add(a, json_object_new_double(ci.hi));
	return a;
}

static struct json_object *report_json(const struct cmp_opts *o, struct rb_loaded_run *a, unsigned na,
				       struct rb_loaded_run *b, unsigned nb, struct series **ss, size_t n,
				       const struct rb_ab_result *res, const char *mismatch)
{
	struct json_object *j = json_object_new_object(), *ms = json_object_new_array();

	json_object_object_add(j, "schema", json_object_new_int(RB_SCHEMA_VERSION));
	json_object_object_add(j, "a", arm_json(a, na));
	json_object_object_add(j, "b", arm_json(b, nb));
	json_object_object_add(j, "margin", json_object_new_double(o->margin));
	json_object_object_add(j, "alpha", json_object_new_double(o->alpha));
	json_object_object_add(j, "bootstrap_iters", json_object_new_int((int)o->iters));
	json_object_object_add(j, "seed", json_object_new_uint64(o->seed));
	json_object_object_add(j, "correction", json_object_new_string("holm"));
	json_object_object_add(j, "provenance_mismatch", mismatch[0] ? json_object_new_string(mismatch) : NULL);
	json_object_object_add(j, "command", o->command ? json_object_new_string(o->command) : NULL);
	for (size_t i = 0; i < n; i++) {
		const struct rb_ab_result *r = &res[i];
		struct json_object *m = json_object_new_object();
		enum rb_verdict v = r->verdict;
		bool hib = rb_unit_higher_is_better(ss[i]->unit);

		if (hib && (v == RB_VERDICT_FASTER || v == RB_VERDICT_SLOWER))
			v = v == RB_VERDICT_FASTER ? RB_VERDICT_SLOWER : RB_VERDICT_FASTER;
		json_object_object_add(m, "point", json_object_new_string(ss[i]->label));
		json_object_object_add(m, "case", json_object_new_string(ss[i]->casename));
		json_object_object_add(m, "kind", json_object_new_string(ss[i]->kind));
		json_object_object_add(m, "params", json_tokener_parse(ss[i]->params));
		json_object_object_add(m, "metric", json_object_new_string(ss[i]->metric));
		json_object_object_add(m, "unit", json_object_new_string(ss[i]->unit));
		json_object_object_add(m, "higher_is_better", json_object_new_boolean(hib));
		json_object_object_add(m, "status", r->status ? json_object_new_string(strerror(-r->status)) : NULL);
		json_object_object_add(m, "rounds_a", json_object_new_int((int)r->rounds_a));
		json_object_object_add(m, "rounds_b", json_object_new_int((int)r->rounds_b));
		json_object_object_add(m, "n_a", json_object_new_int((int)r->n_a));
		json_object_object_add(m, "n_b", json_object_new_int((int)r->n_b));
		json_object_object_add(m, "median_a", json_object_new_double(r->med_a));
		json_object_object_add(m, "median_b", json_object_new_double(r->med_b));
		json_object_object_add(m, "ratio", json_object_new_double(r->ratio));
		json_object_object_add(m, "ci95", ci_json(r->ci));
		json_object_object_add(m, "ci_tost", ci_json(r->ci_tost));
		json_object_object_add(m, "ci_bootstrap", ci_json(r->ci_boot));
		json_object_object_add(m, "ci_rounds", ci_json(r->ci_rounds));
		json_object_object_add(m, "mwu_p", json_object_new_double(r->mwu.p));
		json_object_object_add(m, "rounds_t_p", r->rounds.df > 0 ? json_object_new_double(r->rounds.p) : NULL);
		json_object_object_add(m, "p", json_object_new_double(r->p));
		json_object_object_add(m, "p_adj", json_object_new_double(r->p_adj));
		json_object_object_add(m, "equivalent", json_object_new_boolean(r->equivalent));
		json_object_object_add(m, "verdict", json_object_new_string(rb_verdict_name(v)));
		json_object_array_add(ms, m);
	}
	json_object_object_add(j, "metrics", ms);
	return j;
}

/* Data files for the gnuplot templates in scripts/plots/. */
static int write_plot_data(const char *dir, struct series **ss, size_t n, const struct rb_ab_result *res)
{
	char path[PATH_MAX + 32];
	FILE *f, *g;

	snprintf(path, sizeof(path), "%s/forest.dat", dir);
	if (!(f = fopen(path, "we")))
		return -errno;
	snprintf(path, sizeof(path), "%s/dist.dat", dir);
	if (!(g = fopen(path, "we"))) {
		fclose(f);
		return -errno;
	}
	fprintf(f, "# idx ratio lo hi verdict(0 inconcl,1 equiv,2 faster,3 slower) \"label\"\n");
	fprintf(g, "# idx arm(0=A,1=B) value/median(A) \"label\"\n");
	for (size_t i = 0; i < n; i++) {
		enum rb_verdict v = res[i].verdict;
		if (rb_unit_higher_is_better(ss[i]->unit) && (v == RB_VERDICT_FASTER || v == RB_VERDICT_SLOWER))
			v = v == RB_VERDICT_FASTER ? RB_VERDICT_SLOWER : RB_VERDICT_FASTER;
		if (res[i].status)
			continue;
		fprintf(f, "%zu %.6f %.6f %.6f %d \"%s %s\"\n", i, res[i].ratio, res[i].ci.lo,
			res[i].ci.hi, (int)v, ss[i]->label, ss[i]->metric);
		for (int a = 0; a < 2; a++)
			for (unsigned r = 0; r < ss[i]->arm[a].nruns; r++)
				for (unsigned k = 0; k < ss[i]->arm[a].n[r]; k++)
					fprintf(g, "%zu %d %.6f\n", i, a, res[i].med_a > 0 ?
						ss[i]->arm[a].x[r][k] / res[i].med_a : 0);
	}
	fclose(f);
	fclose(g);
	return 0;
}

static int run_gnuplot(const char *tmpl, const char *dir, double margin, size_t n)
{
	char exe[PATH_MAX], tpath[PATH_MAX + 64], args[PATH_MAX * 2];
	pid_t pid;
	int st;

	snprintf(tpath, sizeof(tpath), "%s/%s", rb_repo_path("scripts/plots", exe, sizeof(exe)), tmpl);
	snprintf(args, sizeof(args), "dir='%s'; margin=%g; nmetrics=%zu", dir, margin, n);
	pid = fork();
	if (pid == 0) {
		execlp("gnuplot", "gnuplot", "-e", args, tpath, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int split_runs(char *list, char **out, unsigned max)
{
	unsigned n = 0;
	char *save = NULL;

	for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (n == max)
			return -1;
		out[n++] = t;
	}
	return (int)n;
}

static const char compare_usage[] =
"usage: refbench compare [options] RUNS_A RUNS_B\n"
"  RUNS_X: run directories separated by commas (one per boot of that kernel)\n"
"  -o DIR          output directory (must not exist); default results/ab-<time>\n"
"  --margin M      equivalence margin, a fraction in (0, 1) (default 0.02)\n"
"  --alpha A       family error rate (default 0.05)\n"
"  --seed N        bootstrap seed (default fixed: the report is reproducible)\n"
"  --iters N       bootstrap resamples (default 10000)\n"
"  --label-a T, --label-b T   names for the header\n"
"  --command CMD   the command that reproduces this comparison (footer)\n"
"  --force         compare despite a provenance mismatch (printed in the report)\n"
"  --no-plots      skip gnuplot\n";

#define MAX_RUNS 64

int rb_cmd_compare(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "margin", required_argument, NULL, 'm' }, { "alpha", required_argument, NULL, 'a' },
		{ "seed", required_argument, NULL, 's' }, { "iters", required_argument, NULL, 'i' },
		{ "label-a", required_argument, NULL, 'A' }, { "label-b", required_argument, NULL, 'B' },
		{ "command", required_argument, NULL, 'c' }, { "force", no_argument, NULL, 'f' },
		{ "no-plots", no_argument, NULL, 'P' }, { "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	struct cmp_opts o = { .margin = RB_STATS_MARGIN_DEFAULT, .alpha = RB_STATS_ALPHA_DEFAULT,
			      .seed = RB_STATS_SEED_DEFAULT, .iters = RB_STATS_ITERS_DEFAULT, .plots = true };
	char *names[2][MAX_RUNS], err[2048], mismatch[8192], *missing = NULL, outbuf[PATH_MAX];
	char tmpdir[PATH_MAX + 32], path[PATH_MAX + 64], *end;
	struct rb_loaded_run runs[2][MAX_RUNS];
	int nr[2] = { 0, 0 }, opt, rc = RB_EXIT_FAIL;
	struct series_set set = { 0 };
	struct series **ss = NULL;
	struct rb_ab_metric *ms = NULL;
	struct rb_ab_result *res = NULL;
	size_t n = 0, mlen = 0;
	unsigned spp = 0;

	while ((opt = getopt_long(argc, argv, "o:h", lo, NULL)) != -1) {
		switch (opt) {
		case 'm':
			o.margin = strtod(optarg, &end);
			if (*end == '%')
				o.margin /= 100, end++;
			if (*end || !(o.margin > 0 && o.margin < 1))
				rb_die_usage("--margin %s: give a fraction in (0, 1), e.g. 0.02 or 2%%", optarg);
			break;
		case 'a':
			o.alpha = strtod(optarg, &end);
			if (*end || !(o.alpha > 0 && o.alpha < 0.5))
				rb_die_usage("--alpha %s: give a value in (0, 0.5)", optarg);
			break;
		case 's': o.seed = strtoull(optarg, NULL, 0); break;
		case 'i':
			o.iters = (unsigned)strtoul(optarg, &end, 10);
			if (*end || o.iters < 100)
				rb_die_usage("--iters %s: at least 100", optarg);
			break;
		case 'A': o.label_a = optarg; break;
		case 'B': o.label_b = optarg; break;
		case 'c': o.command = optarg; break;
		case 'f': o.force = true; break;
		case 'P': o.plots = false; break;
		case 'o': o.out = optarg; break;
		case 'h': fputs(compare_usage, stdout); return 0;
		default: fputs(compare_usage, stderr); return RB_EXIT_USAGE;
		}
	}
	if (argc - optind != 2) {
		fputs(compare_usage, stderr);
		return RB_EXIT_USAGE;
	}
	for (int a = 0; a < 2; a++) {
		nr[a] = split_runs(argv[optind + a], names[a], MAX_RUNS);
		if (nr[a] <= 0)
			rb_die_usage("RUNS_%c: give 1 to %d run directories, comma separated", 'A' + a, MAX_RUNS);
	}
	if (!o.out) {
		time_t t = time(NULL);
		struct tm tm;
		char stamp[32], dir[PATH_MAX];
		gmtime_r(&t, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
		snprintf(outbuf, sizeof(outbuf), "%s/ab-%s", rb_repo_path("results", dir, sizeof(dir)),
			 stamp);
		o.out = outbuf;
	}
	if (!access(o.out, F_OK))
		rb_die_usage("output %s exists; comparisons are never overwritten: choose a new -o DIR", o.out);
	for (int a = 0; a < 2; a++)
		for (int i = 0; i < nr[a]; i++)
			if (rb_run_load(names[a][i], &runs[a][i], err, sizeof(err))) {
				fprintf(stderr, "refbench: error: %s\n", err);
				for (int b = 0; b <= a; b++)
					for (int j = 0; j < (b == a ? i : nr[b]); j++)
						rb_run_unload(&runs[b][j]);
				return RB_EXIT_FAIL;
			}
	/* one boot counted twice: the same run (or a copy) in A and B, or twice in an arm */
	for (int a = 0; a < 2; a++)
		for (int i = 0; i < nr[a]; i++)
			for (int b = a; b < 2; b++)
				for (int j = b == a ? i + 1 : 0; j < nr[b]; j++)
					if (rb_runs_same(runs[a][i].dir, runs[a][i].meta, runs[b][j].dir, runs[b][j].meta)) {
						fprintf(stderr, "refbench: error: %s is the same run as %s: one boot "
							"cannot be counted twice\n", names[b][j], names[a][i]);
						goto out;
					}
	if (rb_prov_mismatches(runs[0], (size_t)nr[0], runs[1], (size_t)nr[1], mismatch, sizeof(mismatch))) {
		if (!o.force) {
			fprintf(stderr, "refbench: error: these runs do not share their provenance, so "
				"their numbers are not comparable:\n%s(use --force to compare anyway; the "
				"report then lists the differences)\n", mismatch);
			goto out;
		}
		fprintf(stderr, "refbench: warning: comparing despite:\n%s", mismatch);
	}
	collect(&set, runs[0], (unsigned)nr[0], 0, (unsigned)nr[0], (unsigned)nr[1]);
	collect(&set, runs[1], (unsigned)nr[1], 1, (unsigned)nr[0], (unsigned)nr[1]);
	ss = calloc(set.n + 1, sizeof(*ss));
	ms = calloc(set.n + 1, sizeof(*ms));
	missing = calloc(1, 8192);
	for (size_t i = 0; i < set.n; i++) {
		struct series *s = &set.s[i];
		if (!series_complete(s)) {
			if (mlen < 8000)
				mlen += (size_t)snprintf(missing + mlen, 8192 - mlen, "%s%s %s;", mlen ? " " : "",
							 s->label, s->metric);
			continue;
		}
		ss[n] = s;
		/* the name seeds the metric's bootstrap stream: stable across reports */
		snprintf(s->seedname, sizeof(s->seedname), "%s/%s", s->label, s->metric);
		ms[n].name = s->seedname;
		ms[n].a = (struct rb_arm){ s->arm[0].nruns, (const double *const *)s->arm[0].x, s->arm[0].n };
		ms[n].b = (struct rb_arm){ s->arm[1].nruns, (const double *const *)s->arm[1].x, s->arm[1].n };
		spp = s->arm[0].n[0] > spp ? s->arm[0].n[0] : spp;
		n++;
	}
	if (!n) {
		fprintf(stderr, "refbench: error: no metric has samples in every run of both arms "
			"(different suites or all samples rejected?)\n");
		goto out;
	}
	res = calloc(n, sizeof(*res));
	{
		struct rb_stats_opts so = RB_STATS_OPTS_INIT;
		so.margin = o.margin;
		so.alpha = o.alpha;
		so.seed = o.seed;
		so.iters = o.iters;
		int e = rb_stats_compare(ms, n, &so, res);
		if (e) {
			fprintf(stderr, "refbench: error: statistics failed: %s\n", strerror(-e));
			goto out;
		}
	}
	/* Everything is known: write into a temp dir, then rename into place. */
	snprintf(tmpdir, sizeof(tmpdir), "%s.tmp-XXXXXX", o.out);
	if (!mkdtemp(tmpdir)) {
		fprintf(stderr, "refbench: error: cannot create %s: %s\n", tmpdir, strerror(errno));
		goto out;
	}
	snprintf(path, sizeof(path), "%s/report.txt", tmpdir);
	FILE *f = fopen(path, "we");
	if (!f)
		goto out;
	write_report(f, &o, runs[0], (unsigned)nr[0], runs[1], (unsigned)nr[1], ss, n, res, mismatch,
		     missing, spp);
	fclose(f);
	struct json_object *rj = report_json(&o, runs[0], (unsigned)nr[0], runs[1], (unsigned)nr[1], ss, n,
					     res, mismatch);
	snprintf(path, sizeof(path), "%s/report.json", tmpdir);
	json_object_to_file_ext(path, rj, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	json_object_put(rj);
	snprintf(path, sizeof(path), "%s/runs", tmpdir);
	mkdir(path, 0755);
	for (int a = 0; a < 2; a++)
		for (int i = 0; i < nr[a]; i++) {
			char link[PATH_MAX + 96], *target = realpath(names[a][i], NULL);
			snprintf(link, sizeof(link), "%s/runs/%c%d", tmpdir, 'A' + a, i + 1);
			if (target && symlink(target, link))
				rb_warn("link %s: %s", link, strerror(errno));
			free(target);
		}
	snprintf(path, sizeof(path), "%s/plots", tmpdir);
	mkdir(path, 0755);
	if (write_plot_data(path, ss, n, res) == 0 && o.plots) {
		char final_plots[PATH_MAX + 16];
		snprintf(final_plots, sizeof(final_plots), "%s/plots", tmpdir);
		if (run_gnuplot("forest.gp", final_plots, o.margin, n) ||
		    run_gnuplot("dist.gp", final_plots, o.margin, n))
			rb_warn("gnuplot failed: plots are incomplete (install gnuplot-nox: make deps)");
	}
	if (rename(tmpdir, o.out)) {
		fprintf(stderr, "refbench: error: %s exists or cannot be created: %s\n", o.out, strerror(errno));
		goto out;
	}
	snprintf(path, sizeof(path), "%s/report.txt", o.out);
	fprintf(stderr, "refbench: report: %s\n", path);
	printf("%s\n", o.out);
	rc = 0;
out:
	for (int a = 0; a < 2; a++)
		for (int i = 0; i < nr[a]; i++)
			rb_run_unload(&runs[a][i]);
	series_free(&set);
	free(ss);
	free(ms);
	free(res);
	free(missing);
	return rc;
}
