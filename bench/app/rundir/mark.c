// SPDX-License-Identifier: GPL-2.0
/*
 * refbench mark DIR: the one way anything but the runner changes a run's
 * meta.json (the lab does, when a boot fails or to add its record). See
 * rundir.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/rundir/read.h"
#include "app/rundir/rundir.h"
#include "lib/userfile.h"

/* The config profile kernels/build used (minimal, distro): null outside the lab. A
 * deterministic boot's guest has no lab.json (nothing per-run enters the guest), so
 * refbench mark fills it in on the host when it merges lab.json. */
void rb_kernel_profile_from_lab(struct json_object *meta, struct json_object *lab)
{
	struct json_object *k = NULL, *bi = NULL, *c = NULL, *p = NULL, *kl = NULL, *cur = NULL;

	if (!json_object_object_get_ex(meta, "kernel", &k) ||
	    (json_object_object_get_ex(k, "profile", &cur) && cur))
		return;
	if (lab && json_object_object_get_ex(lab, "kernel", &kl) &&
	    json_object_object_get_ex(kl, "build_info", &bi) &&
	    json_object_object_get_ex(bi, "config", &c) &&
	    json_object_object_get_ex(c, "profile", &p) && p)
		json_object_object_add(k, "profile", json_object_get(p));
}

/* meta.json keys only refbench writes */
static const char *const own_keys[] = { "schema", "status", "reason", "integrity", "points_done",
					"marks", "summary", "started", "finished", "stub", "clock_proof",
					NULL };

bool rb_run_own_key(const char *key)
{
	for (const char *const *k = own_keys; *k; k++)
		if (!strcmp(*k, key))
			return true;
	return false;
}

/* For a run that wrote no usable meta.json: the least validate accepts. */
static struct json_object *stub_meta(const char *why)
{
	struct json_object *m = json_object_new_object(), *o;

	json_object_object_add(m, "schema", json_object_new_int(RB_SCHEMA_VERSION));
	json_object_object_add(m, "stub", json_object_new_string(why));
	o = json_object_new_object();
	json_object_object_add(o, "release", json_object_new_string("unknown (the run wrote no meta.json)"));
	json_object_object_add(m, "kernel", o);
	json_object_object_add(m, "host", json_object_new_object());
	json_object_object_add(m, "pmem", json_object_new_object());
	o = json_object_new_object();
	json_object_object_add(o, "source", json_object_new_string("none"));
	json_object_object_add(m, "counters", o);
	json_object_object_add(m, "suite", json_object_new_object());
	o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string("refbench"));
	json_object_object_add(o, "git", json_object_new_string(RB_GIT_SHA));
	json_object_object_add(m, "refbench", o);
	json_object_object_add(m, "status", json_object_new_string("none"));
	/* it certifies nothing: whatever samples.jsonl holds is not read */
	json_object_object_add(m, "integrity", rb_integrity_json("", 0, 0));
	json_object_object_add(m, "points_done", json_object_new_array());
	return m;
}

int rb_run_mark(const char *dir, const char *status, const char *reason,
		const struct rb_mark_merge *merge, unsigned nmerge, char *err, size_t n)
{
	char path[PATH_MAX + 32], aside[PATH_MAX + 40], why[512], t[32];
	struct rb_run r = { .lock_fd = -1 };
	struct json_object *meta, *marks, *mk;
	const char *prev, *prev_reason;
	struct stat st;
	int e;

	if (stat(dir, &st)) {
		snprintf(err, n, "%s: %s", dir, strerror(errno));
		return -ENOENT;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, n, "%s: not a directory (mark takes a run directory)", dir);
		return -ENOTDIR;
	}
	rb_strlcpy(r.dir, dir, sizeof(r.dir));
	if ((r.lock_fd = rb_run_lock(dir, err, n)) < 0)
		return r.lock_fd;
	snprintf(path, sizeof(path), "%s/meta.json", dir);
	/* why: the file's own fault (missing, not a regular file, not JSON,
	 * not an object, invalid UTF-8, ...), with the errno where one is */
	meta = rb_json_load(path, RB_USER_JSON_MAX, true, why, sizeof(why));
	if (!status && (!meta || rb_validate_meta(meta, why, sizeof(why)))) {
		snprintf(err, n, "%s: %s; only --status can mark such a run", path, why);
		json_object_put(meta);
		rb_run_free(&r);
		return -EINVAL;
	}
	if (faccessat(AT_FDCWD, path, F_OK, AT_SYMLINK_NOFOLLOW) == 0 &&
	    (!meta || rb_validate_meta(meta, why, sizeof(why)))) {
		/* never lost: kept beside the stub, which says so */
		snprintf(aside, sizeof(aside), "%s.invalid", path);
		if (!access(aside, F_OK) || rename(path, aside)) {
			snprintf(err, n, "%s is not a valid refbench meta.json (%s) and cannot be kept "
				 "aside as %s: %s", path, why, aside, access(aside, F_OK) ?
				 strerror(errno) : "it exists");
			json_object_put(meta);
			rb_run_free(&r);
			return -EEXIST;
		}
		json_object_put(meta);
		meta = NULL;
		snprintf(aside, sizeof(aside), "refbench mark: the run's meta.json was not valid (%s); "
			 "it is kept as meta.json.invalid", why);
		meta = stub_meta(aside);
	} else if (!meta) {
		meta = stub_meta("refbench mark: the run wrote no meta.json");
	}
	r.meta = meta;
	if (!status)	/* only adding records: the status stays as the run left it */
		goto merge;
	prev = json_object_get_string(json_object_object_get(meta, "status"));
	prev_reason = json_object_get_string(json_object_object_get(meta, "reason"));
	mk = json_object_new_object();
	json_object_object_add(mk, "at", json_object_new_string(rb_iso_time(t, sizeof(t))));
	json_object_object_add(mk, "status", json_object_new_string(status));
	json_object_object_add(mk, "reason", json_object_new_string(reason));
	json_object_object_add(mk, "previous_status", json_object_new_string(prev));
	if (!json_object_object_get_ex(meta, "marks", &marks)) {
		marks = json_object_new_array();
		json_object_object_add(meta, "marks", marks);
	}
	json_object_array_add(marks, mk);
	/* the first failure's reason is the cause; later marks are listed */
	if (!prev_reason || (strcmp(prev, "failed") && strcmp(prev, "interrupted")))
		json_object_object_add(meta, "reason", json_object_new_string(reason));
	json_object_object_add(meta, "status", json_object_new_string(status));
merge:
	for (unsigned i = 0; i < nmerge; i++) {
		if (json_object_object_get_ex(meta, merge[i].key, NULL)) {
			rb_warn("mark: kept the run's own '%s' (--merge-json adds, never replaces)",
				merge[i].key);
			continue;
		}
		json_object_object_add(meta, merge[i].key, json_object_get(merge[i].value));
		if (!strcmp(merge[i].key, "lab"))
			rb_kernel_profile_from_lab(meta, merge[i].value);
	}
	e = rb_run_write_meta(&r);
	if (e)
		snprintf(err, n, "writing %s: %s (the run is as it was)", path, strerror(-e));
	json_object_put(meta);
	rb_run_free(&r);
	return e;
}

static const char mark_usage[] =
"usage: refbench mark DIR --status failed|interrupted --reason TEXT\n"
"                     [--merge-json KEY=FILE]...\n"
"       refbench mark DIR --merge-json KEY=FILE...\n"
"\n"
"The one way anything outside the runner changes a run's meta.json (the lab\n"
"does after every boot): with --status, sets the status and, unless an\n"
"earlier failure gave one, the reason, and lists the mark in \"marks\"; adds\n"
"FILE's JSON as KEY when the run did not record KEY (without --status that\n"
"is all it does, to a valid run). The certified samples and checksums stay\n"
"as they are. With --status, a DIR without a valid meta.json gets a stub\n"
"that validates as failed.\n";

int rb_cmd_mark(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "status", required_argument, NULL, 's' },
		{ "reason", required_argument, NULL, 'r' },
		{ "merge-json", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct rb_mark_merge merge[16];
	const char *status = NULL, *reason = NULL;
	unsigned nm = 0;
	char err[RB_ERR_LEN], why[512];
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		char *eq;

		switch (opt) {
		case 's': status = optarg; break;
		case 'r': reason = optarg; break;
		case 'm':
			if (nm == sizeof(merge) / sizeof(merge[0]))
				rb_die_usage("at most %zu --merge-json", sizeof(merge) / sizeof(merge[0]));
			if (!(eq = strchr(optarg, '=')) || eq == optarg || !eq[1])
				rb_die_usage("--merge-json %s: use KEY=FILE", optarg);
			*eq = '\0';
			if (rb_run_own_key(optarg))
				rb_die_usage("--merge-json %s=: '%s' belongs to refbench (choose another KEY)",
					     optarg, optarg);
			merge[nm].key = optarg;
			if (!(merge[nm].value = rb_json_load(eq + 1, RB_USER_JSON_MAX, false, why,
							     sizeof(why))))
				rb_die_usage("--merge-json %s=%s: %s", optarg, eq + 1, why);
			nm++;
			break;
		case 'h': fputs(mark_usage, stdout); return 0;
		default: fputs(mark_usage, stderr); return RB_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fputs(mark_usage, stderr);
		return RB_EXIT_USAGE;
	}
	if (!status && !nm)
		rb_die_usage("give --status (and --reason), or --merge-json KEY=FILE to add a record");
	if (!status && reason)
		rb_die_usage("--reason goes with --status");
	if (status && strcmp(status, "failed") && strcmp(status, "interrupted"))
		rb_die_usage("--status %s: use failed or interrupted (only the runner closes a run "
			     "complete)", status);
	if (status && (!reason || !*reason))
		rb_die_usage("--reason TEXT is required: say why the run is %s", status);
	rc = rb_run_mark(argv[optind], status, reason, merge, nm, err, sizeof(err));
	for (unsigned i = 0; i < nm; i++)
		json_object_put(merge[i].value);
	if (rc) {
		fprintf(stderr, "refbench: error: %s\n", err);
		return rc == -EWOULDBLOCK || rc == -ENOENT || rc == -ENOTDIR ? RB_EXIT_USAGE : RB_EXIT_FAIL;
	}
	return 0;
}
