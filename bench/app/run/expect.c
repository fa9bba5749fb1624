// SPDX-License-Identifier: GPL-2.0
/*
 * refbench expect --suite NAME|FILE [--results DIR] [--clock C]: how far
 * into a suite each point should end, for the lab's ETA. The newest
 * complete run in DIR of the same suite text (and clock) says: the host
 * seconds at which its lab saw each point end (lab.outcome.seconds.points),
 * else each point's elapsed_ns in points_done, on the clock of the machine
 * that ran it (a deterministic guest's: one instruction per ns). Printed as
 * running sums in ms, one line per point; the run used and which of the two
 * go to stderr. Exit 1 when no run there has them:
 * none of this suite, or only runs from before elapsed_ns, resumed or
 * unfinished ones. Only what a user could not get wrong is read: the run
 * ids refbench and the lab make, each meta.json through the bounded reader.
 */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/run/cmd.h"
#include "app/run/provenance.h"
#include "app/run/suite.h"
#include "lib/json.h"
#include "lib/userfile.h"

/* meta.json of a run: the lab's keep it in run/ */
#define EXPECT_META_MAX (64u << 20)
/* the newest ones only: an ETA is not worth a long scan */
#define EXPECT_SCAN_MAX 64

static int newest_first(const struct dirent **a, const struct dirent **b)
{
	return -alphasort(a, b);
}

/* A run id: YYYYMMDD-HHMMSS-..., as refbench and scripts/lab name them */
static int run_id(const struct dirent *d)
{
	const char *s = d->d_name;

	for (int i = 0; i < 15; i++)
		if (i == 8 ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
			return 0;
	return s[15] == '-';
}

/* The lab's view (scripts/lab: outcome.seconds), when it saw every point
 * end: the host seconds into the suite, in ns. On the host the points do
 * not take what they take in the guest (code run once costs its
 * translation too), so the host's own times predict the host's best. */
static bool host_sums(struct json_object *meta, size_t n, int64_t *sum)
{
	struct json_object *sec = rb_json_path(meta, "lab.outcome.seconds");
	struct json_object *pts = rb_json_get(sec, "points", json_type_array);
	struct json_object *t0 = json_object_object_get(sec, "command_start");
	double prev = 0;

	if (!pts || json_object_array_length(pts) != n || !t0)
		return false;
	for (size_t i = 0; i < n; i++) {
		double t = json_object_get_double(json_object_array_get_idx(pts, i)) -
			   json_object_get_double(t0);

		if (t < prev)
			return false;
		sum[i] = (int64_t)(t * 1e9);
		prev = t;
	}
	return true;
}

/* The running sums of run meta's point times, or NULL when it has none to
 * give: not complete, another suite or clock, a point without elapsed_ns */
static int64_t *sums_of(struct json_object *meta, const char *sha, const char *clock, size_t *n,
		       bool *host)
{
	struct json_object *pd = rb_json_get(meta, "points_done", json_type_array);
	const char *st = rb_json_get_str(meta, "status");
	const char *s = rb_json_get_str(rb_json_path(meta, "suite"), "sha256");
	const char *c = rb_json_get_str(meta, "clock");
	int64_t *sum, t = 0;

	if (!pd || !st || strcmp(st, "complete") || !s || strcmp(s, sha) ||
	    (clock && (!c || strcmp(c, clock))) || !(*n = json_object_array_length(pd)))
		return NULL;
	if (!(sum = calloc(*n, sizeof(*sum))))
		return NULL;
	for (size_t i = 0; i < *n; i++) {
		struct json_object *e = rb_json_get(json_object_array_get_idx(pd, i), "elapsed_ns",
						    json_type_int);
		int64_t ns = e ? json_object_get_int64(e) : -1;

		if (ns < 0) {
			free(sum);
			return NULL;
		}
		sum[i] = (t += ns);
	}
	*host = host_sums(meta, *n, sum);
	return sum;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: refbench expect --suite NAME|FILE [--results DIR] [--clock C]\n"
		   "The running sum, in ms, of the time each point of the suite took in\n"
		   "the newest complete run of the same suite text in DIR (default\n"
		   "results), one line per point; with --clock, only runs on that clock\n"
		   "(icount, ns). The lab's ETA. Exit 1: no run there has them.\n");
}

int rb_cmd_expect(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "suite", required_argument, NULL, 's' },
		{ "results", required_argument, NULL, 'r' },
		{ "clock", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *suite_name = NULL, *results = "results", *clock = NULL;
	struct rb_env env = { .counters_mode = RB_CTR_AUTO };
	struct rb_suite suite = { 0 };
	struct dirent **ents = NULL;
	char err[RB_ERR_LEN];
	int o, k, rc = 1;

	while ((o = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (o) {
		case 's': suite_name = optarg; break;
		case 'r': results = optarg; break;
		case 'c':
			rb_env_option(&env, RB_OPT_CLOCK, optarg);	/* exits on a bad one */
			clock = rb_clock_label(env.clock);
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!suite_name || optind < argc) {
		usage(stderr);
		return 2;
	}
	if (rb_suite_load(suite_name, &suite, err, sizeof(err))) {
		fprintf(stderr, "refbench expect: %s\n", err);
		return 2;
	}
	k = scandir(results, &ents, run_id, newest_first);
	for (int i = 0; i < k && i < EXPECT_SCAN_MAX && rc; i++) {
		static const char *const where[] = { "%s/%s/run/meta.json", "%s/%s/meta.json" };

		for (size_t w = 0; w < 2 && rc; w++) {
			char path[4096];
			struct json_object *meta;
			int64_t *sum;
			bool host;
			size_t n;

			snprintf(path, sizeof(path), where[w], results, ents[i]->d_name);
			if (!(meta = rb_json_load(path, EXPECT_META_MAX, true, err, sizeof(err))))
				continue;
			if ((sum = sums_of(meta, suite.sha256, clock, &n, &host))) {
				for (size_t j = 0; j < n; j++)
					printf("%lld\n", (long long)(sum[j] / 1000000));
				fprintf(stderr, "refbench expect: %zu points, %.1f s (%s), as %s ran them\n",
					n, sum[n - 1] / 1e9, host ? "host seconds, as its lab saw them end"
					: "its own clock", path);
				free(sum);
				rc = 0;
			}
			json_object_put(meta);
		}
	}
	if (rc)
		fprintf(stderr, "refbench expect: no complete run of suite %s%s%s in %s records the "
			"time of its points\n", suite.name, clock ? " on the clock " : "", clock ? clock : "",
			results);
	for (int i = 0; i < k; i++)
		free(ents[i]);
	free(ents);
	rb_suite_free(&suite);
	return rc;
}
