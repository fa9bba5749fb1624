// SPDX-License-Identifier: GPL-2.0
/*
 * refbench bounds: the A/A bound of every metric, measured from several
 * boots of one or more kernels (deterministic mode), written once; and
 * --check, which measures again and says which metric left its bound.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/compare/bounds.h"
#include "app/compare/cost.h"
#include "app/rundir/rundir.h"
#include "lib/json.h"
#include "lib/refbench.h"
#include "lib/userfile.h"

#define BAD(...) do { snprintf(err, n, __VA_ARGS__); goto bad; } while (0)

int rb_bounds_load(const char *path, struct rb_bounds *b, char *err, size_t n)
{
	struct json_object *ms, *ks;

	memset(b, 0, sizeof(*b));
	rb_strlcpy(b->path, path, sizeof(b->path));
	{
		char why[512];

		if (!(b->root = rb_json_load(path, RB_USER_JSON_MAX, true, why, sizeof(why))))
			BAD("bounds file %s%s%s%s", path, strncmp(why, "not JSON", 8) ? ": " : " is ", why,
			    errno == ENOENT ?
			    " (make one with refbench bounds -o FILE RUNS...)" : "");
	}
	if (!rb_json_get_str(b->root, "schema") || strcmp(rb_json_get_str(b->root, "schema"), RB_BOUNDS_SCHEMA))
		BAD("bounds file %s: schema is not %s", path, RB_BOUNDS_SCHEMA);
	b->suite = rb_json_get_str(b->root, "suite");
	b->suite_sha256 = rb_json_get_str(b->root, "suite_sha256");
	b->created = rb_json_get_str(b->root, "created");
	b->how = rb_json_get_str(b->root, "how");
	if (!b->created || !b->how)
		BAD("bounds file %s: no created or how", path);
	if (json_object_object_get_ex(b->root, "kernels", &ks) && json_object_is_type(ks, json_type_array))
		for (size_t i = 0, len = 0; i < json_object_array_length(ks) && len < sizeof(b->kernels); i++)
			len += (size_t)snprintf(b->kernels + len, sizeof(b->kernels) - len, "%s%s",
						i ? ", " : "",
						json_object_get_string(json_object_array_get_idx(ks, i)));
	if (!json_object_object_get_ex(b->root, "metrics", &ms) || !json_object_is_type(ms, json_type_array))
		BAD("bounds file %s: no metrics array", path);
	b->n = json_object_array_length(ms);
	b->e = calloc(b->n ? b->n : 1, sizeof(*b->e));
	if (!b->e)
		abort();
	for (size_t i = 0; i < b->n; i++) {
		struct json_object *m = json_object_array_get_idx(ms, i);
		const struct rb_metric_id *id = &b->e[i].id;

		b->e[i].o = m;
		b->e[i].seen = b->e[i].seen_own = b->e[i].bound_own = NAN;
		rb_json_get_num(m, "seen", &b->e[i].seen);
		rb_json_get_num(m, "seen_own", &b->e[i].seen_own);
		if (json_object_object_get_ex(m, "bound_own", NULL) &&
		    (!rb_json_get_num(m, "bound_own", &b->e[i].bound_own) || !(b->e[i].bound_own >= 0) ||
		     !isfinite(b->e[i].bound_own)))
			BAD("bounds file %s: metric %zu (%s %s %s): bound_own must be a number >= 0", path,
			    i + 1, id->casename, id->kind, id->metric);
		if (rb_metric_id_read(m, &b->e[i].id))
			BAD("bounds file %s: metric %zu lacks case, kind, params, metric or unit", path, i + 1);
		if (!rb_json_get_num(m, "bound", &b->e[i].bound) || !(b->e[i].bound >= 0) || !isfinite(b->e[i].bound))
			BAD("bounds file %s: metric %zu (%s %s %s): bound must be a number >= 0", path, i + 1,
			    id->casename, id->kind, id->metric);
	}
	return 0;
bad:
	rb_bounds_free(b);
	return -1;
}

void rb_bounds_free(struct rb_bounds *b)
{
	json_object_put(b->root);
	free(b->e);
	memset(b, 0, sizeof(*b));
}

const struct rb_bound_entry *rb_bounds_find(const struct rb_bounds *b, const struct rb_samples *s)
{
	for (size_t i = 0; b && i < b->n; i++)
		if (rb_metric_id_equal(&b->e[i].id, &s->id))
			return &b->e[i];
	return NULL;
}

double rb_bound_for(const struct rb_bound_entry *e, const struct rb_samples *s)
{
	return rb_samples_own(s) && !isnan(e->bound_own) ? e->bound_own : e->bound;
}

/* ---- measuring ---------------------------------------------------------- */

struct kernels {
	unsigned k;				/* groups: one kernel each */
	unsigned nr[RB_SAMPLES_MAX_GROUPS];
	struct rb_loaded_run *runs[RB_SAMPLES_MAX_GROUPS];
	struct rb_samples_set set;
	struct rb_samples_set totals;		/* the same, on what the clock measured */
};

static void kernels_free(struct kernels *ks)
{
	for (unsigned g = 0; g < ks->k; g++) {
		rb_runs_unload(ks->runs[g], ks->nr[g]);
		free(ks->runs[g]);
	}
	rb_samples_free(&ks->set);
	rb_samples_free(&ks->totals);
}

/* Loads each RUNS_K, checks that they are A/A material, groups the samples. */
static int kernels_load(struct kernels *ks, char **lists, unsigned k, char *err, size_t n)
{
	char mismatch[4096];

	memset(ks, 0, sizeof(*ks));
	if (k > RB_SAMPLES_MAX_GROUPS)
		BAD("at most %d kernels (RUNS_K lists)", RB_SAMPLES_MAX_GROUPS);
	for (unsigned g = 0; g < k; g++) {
		ks->runs[g] = calloc(RB_MAX_RUNS, sizeof(struct rb_loaded_run));
		if (!ks->runs[g])
			abort();
		ks->k = g + 1;
		if (rb_runs_load(lists[g], ks->runs[g], &ks->nr[g], err, n))
			goto bad;
		if (ks->nr[g] < 2)
			BAD("kernel %u (%s): an A/A bound needs >= 2 boots of each kernel", g + 1, lists[g]);
		if (!rb_runs_exact(ks->runs[g], ks->nr[g]))
			BAD("kernel %u (%s): bounds are for deterministic mode (clock icount); these runs "
			    "are timed, where compare decides by the per-boot test instead", g + 1, lists[g]);
		rb_runs_warn_unproven(ks->runs[g], ks->nr[g]);
		/* kernels may differ; nothing else may, and each group is one kernel */
		if (rb_prov_mismatches(ks->runs[0], ks->nr[0], ks->runs[g], ks->nr[g], mismatch,
				       sizeof(mismatch)))
			BAD("kernel %u (%s): the runs do not share their provenance:\n%s", g + 1, lists[g],
			    mismatch);
	}
	rb_samples_collect(&ks->set, ks->runs, ks->nr, k);
	ks->totals.totals = true;
	rb_samples_collect(&ks->totals, ks->runs, ks->nr, k);
	return 0;
bad:
	kernels_free(ks);
	return -1;
}

/* max over kernels of (max - min of the boot medians), or with across the
 * max - min over the boots of every kernel together; pooled median too */
static int spread(const struct rb_samples *s, bool across, double *seen, double *median)
{
	double all_lo = INFINITY, all_hi = -INFINITY;

	*seen = 0;
	*median = NAN;
	for (unsigned g = 0; g < s->ngroups; g++) {
		struct rb_arm a = rb_samples_arm(s, g);
		double *med = malloc(a.n_rounds * sizeof(*med)), lo = INFINITY, hi = -INFINITY;

		if (!med || rb_stats_round_medians(&a, med)) {
			free(med);
			return -EINVAL;
		}
		for (unsigned r = 0; r < a.n_rounds; r++) {
			lo = fmin(lo, med[r]);
			hi = fmax(hi, med[r]);
		}
		*seen = fmax(*seen, hi - lo);
		all_lo = fmin(all_lo, lo);
		all_hi = fmax(all_hi, hi);
		if (g == 0)
			*median = rb_stats_pooled_median(&a);
		free(med);
	}
	if (across && s->ngroups)	/* never narrower than one kernel's */
		*seen = all_hi - all_lo;
	return 0;
}

/* s's metric in ks->totals: what the clock measured where s holds own counts */
static const struct rb_samples *totals_of(const struct kernels *ks, const struct rb_samples *s)
{
	for (size_t i = 0; i < ks->totals.n; i++)
		if (!strcmp(ks->totals.s[i].label, s->label) && rb_metric_id_equal(&ks->totals.s[i].id, &s->id))
			return &ks->totals.s[i];
	return NULL;
}

/* Writes text to path, atomically, and only if path does not exist. */
static int write_new(const char *path, const char *text, char *err, size_t n)
{
	char tmp[PATH_MAX + 16];
	int fd, e = 0;
	size_t len = strlen(text);

	snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, n, "cannot create %s: %s", tmp, strerror(errno));
		return -1;
	}
	for (size_t off = 0; off < len && !e;) {
		ssize_t w = write(fd, text + off, len - off);

		if (w < 0)
			e = errno;
		else
			off += (size_t)w;
	}
	if (!e && (fsync(fd) || fchmod(fd, 0644)))
		e = errno;
	close(fd);
	/* link() refuses an existing name, where rename() would replace it */
	if (!e && link(tmp, path))
		e = errno;
	unlink(tmp);
	if (e) {
		snprintf(err, n, "cannot write %s: %s%s", path, strerror(e),
			 e == EEXIST ? " (bounds files are never overwritten: choose a new -o FILE)" : "");
		return -1;
	}
	return 0;
}

static const char bounds_usage[] =
"usage: refbench bounds -o FILE [--label TEXT] [--factor K] [--slack X] [--slack-rel F]\n"
"                      [--across] RUNS_K1 [RUNS_K2 ...]\n"
"       refbench bounds --check FILE RUNS_K1 [RUNS_K2 ...]\n"
"  RUNS_K: >= 2 run directories (boots of one kernel), comma separated;\n"
"          deterministic mode (clock icount) only\n"
"  -o FILE        write the bounds file (refbench-bounds/1); never overwritten\n"
"  --label TEXT   what this A/A is, for the file's \"how\"\n"
"  --factor K     bound = K x the measured spread (default 1): a handful of\n"
"                 perturbed boots sees the noise's range, not its extremes;\n"
"                 never below the samples' resolution\n"
"  --slack X      add X (in each metric's unit) to every bound\n"
"  --slack-rel F  add F times the metric's median (e.g. 0.0005)\n"
"  --not-below FILE   no bound tighter than FILE's for the same metric (an\n"
"                 earlier measurement of the suite on this version: a handful of\n"
"                 perturbed boots may not see the noise another handful saw);\n"
"                 FILE's metrics these runs do not measure are kept as they are\n"
"  --across       the kernels are images of one source (the source, and the\n"
"                 source with a patch no window crosses): the spread is taken\n"
"                 over the boots of all of them together, so the bound holds\n"
"                 what moves between two images, not only between boots of one\n"
"  --check FILE   measure again; exit 1 naming each metric whose spread exceeds\n"
"                 its declared bound or that FILE lacks, else 0\n";

static int do_check(const char *path, bool across, struct kernels *ks)
{
	struct rb_bounds b;
	char err[RB_ERR_LEN];
	unsigned over = 0, absent = 0, ok = 0;

	if (rb_bounds_load(path, &b, err, sizeof(err))) {
		fprintf(stderr, "refbench: error: %s\n", err);
		return RB_EXIT_FAIL;
	}
	printf("%-44s %9s %9s\n", "metric [unit]", "declared", "measured");
	for (size_t i = 0; i < ks->set.n; i++) {
		const struct rb_samples *s = &ks->set.s[i];
		const struct rb_bound_entry *e = rb_bounds_find(&b, s);
		char name[300];
		double seen, med;

		snprintf(name, sizeof(name), "%s %s [%s]", s->label, s->id.metric, s->id.unit);
		if (!rb_samples_complete(s) || spread(s, across, &seen, &med)) {
			printf("%-44s %9s %9s  not in every boot: not checked\n", name, "-", "-");
			continue;
		}
		if (!e && !rb_unit_is_time(s->id.unit) && rb_window_unit(s->id.unit)) {
			/* a window's split or cost component, where the file declares none */
			printf("%-44s %9s %9.4g  not declared: not checked\n", name, "-", seen);
		} else if (!e) {
			printf("%-44s %9s %9.4g  NOT IN FILE\n", name, "-", seen);
			absent++;
		} else {
			double bound = rb_bound_for(e, s);

			printf("%-44s %9.4g %9.4g%s\n", name, bound, seen, seen > bound ? "  EXCEEDS" : "");
			over += seen > bound;
			ok += seen <= bound;
		}
	}
	printf("%u within their bound, %u exceed it, %u not in %s\n", ok, over, absent, path);
	if (over || absent)
		fprintf(stderr, "refbench: error: %u metrics exceed their declared A/A bound and %u are "
			"missing from %s (listed above)\n", over, absent, path);
	rb_bounds_free(&b);
	return over || absent ? RB_EXIT_FAIL : 0;
}

/*
 * What one timer tick can add to a window in these guests, in
 * instructions: tick_sched_timer, run_timer_softirq, rcu_core and the
 * entry and exit around them came to 1500-6200 in the plugin's counts of
 * 6.1 and 7.2 lab windows, and samples of one gup-fast point that took one
 * and two interrupts differ by 9300-9400 (6.1: anon pin ioctl 0.38
 * insn/page x 24576 pages, THP 0.048 x 196608). The number of ticks a long
 * window takes is set by its length and the tick's phase, so a fresh boot
 * may see one more; a metric timed inside the window (get, put) may get
 * any of them.
 */
#define RB_BOUNDS_TICK 10000
/* the runner's RB_IRQ_RETRY_NS: shorter windows are retried when hit */
#define RB_BOUNDS_LONG_WINDOW 2e6

/* bound, or the earlier file's bound where that is wider */
static double not_below(double bound, const struct rb_bound_entry *e, bool own, unsigned *raised)
{
	double was = !e ? NAN : own ? e->bound_own : e->bound;

	if (isnan(was) || was <= bound)
		return bound;
	++*raised;
	return was;
}

static int do_write(const char *path, const char *label, double factor, double slack,
		    double slack_rel, bool across, const struct rb_bounds *earlier, struct kernels *ks)
{
	struct json_object *root = json_object_new_object(), *ms = json_object_new_array();
	struct json_object *kern = json_object_new_array(), *meta = ks->runs[0][0].meta;
	char how[1024], t[64], err[PATH_MAX + 128], boots[128];
	size_t len = 0;
	unsigned skipped = 0, n_own = 0, n_split = 0, raised = 0, kept = 0;
	int rc = 0, other;
	bool *measured = NULL;	/* the earlier file's metrics these runs measure */

	const char *suite = json_object_get_string(json_object_object_get(json_object_object_get(meta, "suite"), "name"));

	if (earlier && (!earlier->suite || !suite || strcmp(earlier->suite, suite))) {
		fprintf(stderr, "refbench: error: --not-below %s is of suite %s, these runs of %s\n", earlier->path,
			earlier->suite ? earlier->suite : "(none)", suite ? suite : "(none)");
		json_object_put(root);
		json_object_put(ms);
		json_object_put(kern);
		return RB_EXIT_FAIL;
	}
	if (earlier && earlier->n && !(measured = calloc(earlier->n, sizeof(*measured)))) {
		json_object_put(root);
		json_object_put(ms);
		json_object_put(kern);
		return RB_EXIT_FAIL;
	}
	for (unsigned g = 0; g < ks->k; g++) {
		json_object_array_add(kern, json_object_new_string(json_object_get_string(
			json_object_object_get(json_object_object_get(ks->runs[g][0].meta, "kernel"),
					       "release"))));
		len += (size_t)snprintf(boots + len, sizeof(boots) - len, "%s%u", g ? ", " : "", ks->nr[g]);
	}
	snprintf(how, sizeof(how), "%s%sA/A of %s boots on %u kernel%s; bound = %.6g x %s + %.6g + %.6g x "
		 "median", label ? label : "", label ? ": " : "", boots, ks->k, ks->k > 1 ? "s" : "", factor,
		 across ? "(max - min of the boot medians of every kernel together: images of one source)" :
			  "the max over kernels of (max - min of the boot medians)", slack, slack_rel);
	json_object_object_add(root, "schema", json_object_new_string(RB_BOUNDS_SCHEMA));
	json_object_object_add(root, "suite", json_object_get(json_object_object_get(
		json_object_object_get(meta, "suite"), "name")));
	json_object_object_add(root, "suite_sha256", json_object_get(json_object_object_get(
		json_object_object_get(meta, "suite"), "sha256")));
	json_object_object_add(root, "created", json_object_new_string(rb_iso_time(t, sizeof(t))));
	json_object_object_add(root, "how", json_object_new_string(how));
	json_object_object_add(root, "kernels", kern);
	for (size_t i = 0; i < ks->set.n; i++) {
		const struct rb_samples *s = &ks->set.s[i];
		struct json_object *m;
		double seen, med;

		/* the interrupts' and the other tasks' work is the noise itself:
		 * judged against a bound from one image, it differs in the next */
		if (rb_split_unit(s->id.unit, &other)) {
			n_split++;
			continue;
		}
		if (!rb_samples_complete(s) || spread(s, across, &seen, &med)) {
			fprintf(stderr, "refbench: warning: %s %s: not in every boot, no bound\n", s->label,
				s->id.metric);
			skipped++;
			continue;
		}
		m = json_object_new_object();
		rb_metric_id_write(&s->id, m);
		/* never below the samples' own resolution (gup_test's
		 * microseconds: a perturbation moves that by a whole step),
		 * nor, for windows that take timer ticks, one more or one fewer
		 * tick than any boot saw (RB_BOUNDS_TICK instructions), nor, for
		 * a metric timed inside such a window, all of its ticks */
		/* (shorter windows are measured again when a tick hits them) */
		bool is_long = s->ops_min && med * (double)s->ops_min >= RB_BOUNDS_LONG_WINDOW;
		double tick = 0;

		if (s->windowed && s->interrupts && is_long)
			tick = (double)RB_BOUNDS_TICK / (double)s->ops_min;
		else if (!s->windowed && s->interrupts && s->ops_min)
			tick = (double)(s->interrupts * RB_BOUNDS_TICK) / (double)s->ops_min;

		const struct rb_samples *t = rb_samples_own(s) ? totals_of(ks, s) : NULL;
		const struct rb_bound_entry *was = earlier ? rb_bounds_find(earlier, s) : NULL;
		double seen_t, med_t;

		if (was && measured)
			measured[was - earlier->e] = true;

		if (t && rb_samples_complete(t) && !spread(t, across, &seen_t, &med_t)) {
			/* the total, for runs without the split; ticks are in it */
			json_object_object_add(m, "bound", json_object_new_double(not_below(
				fmax(fmax(factor * seen_t + slack + slack_rel * med_t, t->resolution), tick), was,
				false, &raised)));
			json_object_object_add(m, "seen", json_object_new_double(seen_t));
			/* the own count holds no tick; its resolution holds the
			 * one instruction per window it moves between images */
			json_object_object_add(m, "bound_own", json_object_new_double(not_below(
				fmax(factor * seen + slack + slack_rel * med, s->resolution), was, true, &raised)));
			json_object_object_add(m, "seen_own", json_object_new_double(seen));
			n_own++;
		} else {
			json_object_object_add(m, "bound", json_object_new_double(not_below(
				fmax(fmax(factor * seen + slack + slack_rel * med, s->resolution), tick), was,
				false, &raised)));
			json_object_object_add(m, "seen", json_object_new_double(seen));
		}
		json_object_array_add(ms, m);
	}
	/* not below the earlier file means its metrics these boots did not
	 * measure (another suite's arguments, --cost components) stay too */
	for (size_t i = 0; measured && i < earlier->n; i++)
		if (!measured[i]) {
			json_object_array_add(ms, json_object_get(earlier->e[i].o));
			kept++;
		}
	free(measured);
	json_object_object_add(root, "metrics", ms);
	if (earlier)
		snprintf(how + strlen(how), sizeof(how) - strlen(how), "; never below %s (%s): %u bounds "
			 "kept from it, wider than these boots showed, and %u metrics these boots did not "
			 "measure kept as it has them",
			 strrchr(earlier->path, '/') ? strrchr(earlier->path, '/') + 1 : earlier->path,
			 earlier->created ? earlier->created : "undated", raised, kept);
	if (n_own) {
		snprintf(how + strlen(how), sizeof(how) - strlen(how), "; %u windowed metrics measured with "
			 "the plugin's split: bound on the total, bound_own on the task's own count; their "
			 "%u irq-insn and other-insn rows are left undeclared (the noise itself)", n_own, n_split);
		json_object_object_add(root, "how", json_object_new_string(how));
	}
	if (write_new(path, json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
							   JSON_C_TO_STRING_NOSLASHESCAPE), err, sizeof(err))) {
		fprintf(stderr, "refbench: error: %s\n", err);
		rc = RB_EXIT_FAIL;
	} else {
		fprintf(stderr, "refbench: bounds of %zu metrics written to %s%s\n",
			json_object_array_length(ms), path, skipped ? " (some left out, see above)" : "");
		printf("%s\n", path);
	}
	json_object_put(root);
	return rc;
}

static double number_arg(const char *opt, const char *arg)
{
	char *end;
	double v = strtod(arg, &end);

	if (*end || !(v >= 0) || !isfinite(v))
		rb_die_usage("%s %s: give a number >= 0", opt, arg);
	return v;
}

int rb_cmd_bounds(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "output", required_argument, NULL, 'o' }, { "label", required_argument, NULL, 'l' },
		{ "slack", required_argument, NULL, 's' }, { "slack-rel", required_argument, NULL, 'r' },
		{ "factor", required_argument, NULL, 'k' },
		{ "check", required_argument, NULL, 'c' }, { "help", no_argument, NULL, 'h' },
		{ "not-below", required_argument, NULL, 'n' }, { "across", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *label = NULL, *check = NULL, *below = NULL;
	struct rb_bounds earlier;
	double slack = 0, slack_rel = 0, factor = 1;
	bool across = false;
	struct kernels ks;
	char err[8192];
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "o:h", lo, NULL)) != -1) {
		switch (opt) {
		case 'o': out = optarg; break;
		case 'l': label = optarg; break;
		case 's': slack = number_arg("--slack", optarg); break;
		case 'r': slack_rel = number_arg("--slack-rel", optarg); break;
		case 'k':
			factor = number_arg("--factor", optarg);
			if (factor < 1)
				rb_die_usage("--factor %s: at least 1 (a bound below what was seen is no bound)", optarg);
			break;
		case 'c': check = optarg; break;
		case 'n': below = optarg; break;
		case 'a': across = true; break;
		case 'h': fputs(bounds_usage, stdout); return 0;
		default: fputs(bounds_usage, stderr); return RB_EXIT_USAGE;
		}
	}
	if (!out == !check || optind == argc) {
		fputs(bounds_usage, stderr);
		rb_die_usage("give -o FILE (write) or --check FILE, and at least one RUNS_K list");
	}
	if (out && !access(out, F_OK))
		rb_die_usage("%s exists; bounds files are never overwritten: choose a new -o FILE", out);
	if (below && check)
		rb_die_usage("--not-below goes with -o (writing a file), not --check");
	if (across && argc - optind < 2)
		rb_die_usage("--across needs >= 2 kernels (RUNS_K lists): the images whose spread it takes together");
	if (below && rb_bounds_load(below, &earlier, err, sizeof(err))) {
		fprintf(stderr, "refbench: error: --not-below: %s\n", err);
		return RB_EXIT_FAIL;
	}
	if (kernels_load(&ks, argv + optind, (unsigned)(argc - optind), err, sizeof(err))) {
		fprintf(stderr, "refbench: error: %s\n", err);
		if (below)
			rb_bounds_free(&earlier);
		return RB_EXIT_FAIL;
	}
	rc = check ? do_check(check, across, &ks) :
		     do_write(out, label, factor, slack, slack_rel, across, below ? &earlier : NULL, &ks);
	kernels_free(&ks);
	if (below)
		rb_bounds_free(&earlier);
	return rc;
}
