// SPDX-License-Identifier: GPL-2.0
/*
 * The runs of a comparison, loaded only when they are valid, complete and
 * hold samples, and whether their provenance lets them be compared.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/compare/cost.h"
#include "app/compare/load.h"
#include "app/rundir/read.h"
#include "lib/json.h"
#include "lib/refbench.h"

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

bool rb_prov_host_free(const struct rb_loaded_run *r)
{
	const char *mode = rb_json_get_str(rb_json_path(r->meta, "lab"), "mode");

	return rb_run_exact(r) && mode && !strcmp(mode, "deterministic");
}

unsigned rb_prov_mismatches(struct rb_loaded_run *a, size_t na, struct rb_loaded_run *b,
			    size_t nb, char *out, size_t n)
{
	const char *const *host = rb_prov_det_paths;
	unsigned c = 0;

	out[0] = '\0';
	/* deterministic lab runs may come from several hosts with one QEMU;
	 * any other run is its host's (rb_prov_det_paths) */
	for (size_t i = 0; i < na + nb; i++)
		if (!rb_prov_host_free(i < na ? &a[i] : &b[i - na]))
			host = rb_prov_host_paths;
	c += mismatch_set(a, na, &a[0], rb_prov_match_paths, "A/A", out, n);
	c += mismatch_set(b, nb, &a[0], rb_prov_match_paths, "A/B", out, n);
	c += mismatch_set(a, na, &a[0], host, "A/A", out, n);
	c += mismatch_set(b, nb, &a[0], host, "A/B", out, n);
	c += mismatch_set(a, na, &a[0], rb_prov_arm_paths, "kernel within A:", out, n);
	c += mismatch_set(b, nb, &b[0], rb_prov_arm_paths, "kernel within B:", out, n);
	return c;
}

bool rb_run_exact(const struct rb_loaded_run *r)
{
	const char *c = json_object_get_string(json_object_object_get(r->meta, "clock"));

	return c && !strncmp(c, "icount", 6);
}

bool rb_runs_exact(struct rb_loaded_run *runs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!rb_run_exact(&runs[i]))
			return false;
	return n > 0;
}

unsigned rb_runs_warn_unproven(struct rb_loaded_run *runs, size_t n)
{
	unsigned bad = 0;

	for (size_t i = 0; i < n; i++) {
		struct json_object *lab = json_object_object_get(runs[i].meta, "lab");
		const char *mode = json_object_get_string(json_object_object_get(lab, "mode"));

		if (json_object_object_get(runs[i].meta, "clock_proof") ||
		    (mode && !strcmp(mode, "deterministic")))
			continue;
		rb_warn("warning: %s is labelled clock icount, but nothing in it proves that: no "
			"clock_proof (refbench measures one since it refuses an unproven icount) and no "
			"lab.mode deterministic; on a host such a run counts nanoseconds", runs[i].dir);
		bad++;
	}
	return bad;
}

int rb_run_load(const char *dir, struct rb_loaded_run *r, char *err, size_t n)
{
	char path[4096 + 64], e2[RB_ERR_LEN];
	size_t samples = 0;
	struct rb_cost_note cost;

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
		samples += !strcmp(rb_json_text(json_object_array_get_idx(r->records, i), "type"), "sample");
	if (!samples) {
		snprintf(err, n, "run %s refused: it holds no samples (an empty run)", dir);
		rb_run_unload(r);
		return -1;
	}
	if (rb_run_exact(r) && rb_cost_expand(r, &cost))
		fprintf(stderr, "refbench: run %s: its plugin counts are not used (the run is compared as "
			"measured): %s\n", dir, cost.skipped);
	if (rb_run_exact(r) && cost.ctx_seen && !cost.own)
		fprintf(stderr, "refbench: run %s: its windows count interrupts and other tasks in: %s\n", dir,
			cost.why_not_own);
	if (rb_run_exact(r) && cost.expanded && !cost.split)
		fprintf(stderr, "refbench: run %s: the kernel ran without nokaslr, so the vmemmap may not be "
			"at its fixed base: its page-struct components are not reported\n", dir);
	return 0;
}

void rb_run_unload(struct rb_loaded_run *r)
{
	json_object_put(r->meta);
	json_object_put(r->records);
	r->meta = r->records = NULL;
}

int rb_runs_load(const char *list, struct rb_loaded_run *runs, unsigned *n, char *err, size_t errn)
{
	char *copy = strdup(list), *save = NULL;
	int rc = 0;

	*n = 0;
	if (!copy)
		abort();
	for (char *t = strtok_r(copy, ",", &save); t && !rc; t = strtok_r(NULL, ",", &save)) {
		if (*n == RB_MAX_RUNS) {
			snprintf(err, errn, "more than %d runs in '%.200s'", RB_MAX_RUNS, list);
			rc = -1;
		} else if (rb_run_load(t, &runs[*n], err, errn)) {
			rc = -1;
		} else {
			(*n)++;
		}
	}
	if (!rc && !*n) {
		snprintf(err, errn, "no run directory in '%s'", list);
		rc = -1;
	}
	if (rc) {
		rb_runs_unload(runs, *n);
		*n = 0;
	}
	free(copy);
	return rc;
}

void rb_runs_unload(struct rb_loaded_run *runs, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		rb_run_unload(&runs[i]);
}
