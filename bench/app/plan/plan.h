/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The plan of a job of several boots: an A/B in the lab (scripts/ab, make
 * ab, make demo), the walk of a patch series (scripts/series), an A/A
 * bounds measurement (scripts/bounds), and an A/B on a pmem machine by
 * kexec (scripts/host-ab, the job host-ab: host.h). This folder owns the
 * format refbench-plan/1 (STATE/plan.json, docs/plan.md) and every
 * decision of such a job: what each SPEC builds, the mode, the suite and
 * bounds files, the rounds, how many boots fit in memory at once, what an
 * interrupted job has left, what is missing at the end. The scripts only
 * carry out the steps `refbench plan next` names (scripts/plan-run; for
 * host-ab, scripts/host-ab: host.h):
 *
 *   probe      run scripts/accel-probe       (the mode was not given)
 *   build      run kernels/build ARGS        (one kernel)
 *   mailsplit  run git mailsplit             (a series given as an mbox)
 *   size       run scripts/lab ARGS --dry-run (the memory one boot needs)
 *   wait       sleep, for memory other jobs hold
 *   boots      run these lab boots, N at once (`plan argv` gives each)
 *   remote     copy the tree and these kernels to each ssh target, and run
 *              its boots there, one at a time (scripts/remote push, lab)
 *   look       run refbench compare --sequential (ROUNDS=auto)
 *   compare    run refbench compare|series|bounds ARGS (the result)
 *   done       nothing left: the exit status and the result's path
 *
 * and report each outcome with `refbench plan record`. Every change is
 * written atomically under an flock on STATE, so parallel boots record
 * side by side and a cut at any moment leaves the old plan or the new one.
 */
#ifndef REFBENCH_PLAN_H
#define REFBENCH_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>

#define RB_PLAN_SCHEMA 1
#define RB_PLAN_FORMAT "refbench-plan"
#define RB_PLAN_FILE "plan.json"
/* Round r of a deterministic A/B (and bounds boot r+1) is perturbed by
 * (r-1) x this many instructions: a prime, so no two rounds line up. */
#define RB_PLAN_PERTURB 999983L

int rb_cmd_plan(int argc, char **argv);

/* The pieces the tests check on their own (spec.c). */

/* SPEC (stock, X.Y, REF, FILE.tar.*, DIR, each +PATCHES) -> the arguments
 * of kernels/build, NULL-terminated in argv (strings are the caller's to
 * free; at most max-1 of them). 0, or -1 with err naming the fix. */
int rb_plan_build_args(const char *spec, const char *ksrc, char **argv, size_t max, char *err, size_t n);
/* A kernels/build output directory (bzImage and build-info.json in it):
 * make ab boots it as built; its kernelversion into ver (n bytes). */
bool rb_plan_kernel_dir(const char *dir, char *ver, size_t n);
/* The memory one lab boot needs, in MiB, from scripts/lab --dry-run's
 * record: guest RAM, pmem backing and labels, QEMU and its translation
 * cache (1 GiB), an initramfs (128 MiB). -1 with err if it lacks them. */
long rb_plan_boot_mib(struct json_object *dry, char *err, size_t n);
/* Boots at once: jobs (0 = auto: one per core, at most most_useful), as
 * many as fit in free_mib. -1 with err when not even one (or jobs) fits. */
int rb_plan_njobs(long jobs, long ncpu, long most_useful, long need_mib, long free_mib, char *err, size_t n);
/* "30m", "2h", "900s", "900" -> seconds; -1 if not a duration. */
long rb_plan_duration(const char *s);
/* The major.minor of a kernel version ("6.1" of "6.1.192"); buf. */
const char *rb_plan_series_of(const char *version, char *buf, size_t n);
/* A directory of *.patch, or one of X.Y/ subdirectories per version: the
 * directory that holds this version's patches (buf), or NULL with err.
 * kernels/build asks this too (`refbench plan patch-dir`). */
const char *rb_plan_patch_dir(const char *dir, const char *version, char *buf, size_t n, char *err, size_t en);

/* Several ssh targets sharing the boots of one plan (settings.targets). */
#define RB_PLAN_MAX_TARGETS 32
/* TARGET as given (host, user@host, host:port, ssh://...) -> the one form
 * the plan records, ssh://[user@]host[:port]; -1 with err if not a host. */
int rb_plan_target_url(const char *given, char *buf, size_t n, char *err, size_t en);
/* Where PATH lies in the tree copied to a target: relative to the tree
 * REPO when inside it; a kernel directory outside it (the kernel cache)
 * as kernels/pushed/NAME, which the executor copies there; NULL
 * otherwise (a suite outside the tree). */
const char *rb_plan_target_path(const char *repo, const char *path, bool kernel, char *buf, size_t n);
/* One boot, as the assignment sees it: its group (an A/B's or a bounds
 * measurement's round, a series walk's kernel), whether it is still to
 * boot, and its target (an index; -1: none yet). */
struct rb_plan_slot {
	long group;
	bool pending;
	int target;
};
/* The target of every pending boot: one that has a target still up keeps
 * it; the others go to the live target of their group (a boot of it, done
 * or not, has one), else to the live target with the fewest pending boots
 * (of equals, the one with the fewest done, then the first). Done boots
 * keep theirs. -1 when a boot needs a target and none is up. */
int rb_plan_assign(struct rb_plan_slot *boots, size_t n, const bool *up, size_t ntargets);

#endif
