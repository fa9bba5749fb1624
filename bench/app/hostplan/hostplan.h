/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A host-mode A/B plan (scripts/host-ab): STATE/plan.json, the one file
 * that survives each kexec, panic or power cut between the rounds. This
 * folder owns the format (docs/plan.md): plan.c loads, validates and
 * changes it, cmd.c is `refbench host-plan`. Every change is written atomically
 * (temp file, fsync, rename, directory fsync) under an flock on STATE, so a
 * cut at any moment leaves the previous plan or the next one, never half.
 *
 * A round is one boot of kernel A or B. Its status moves
 *   pending -> switching (kexec issued from boot X) -> booted (this boot is
 *   its kernel) -> running (the suite started) -> done | failed
 * and a boot reconciles what the previous one left: a round "switching"
 * whose kernel is not the one running, or one "booted"/"running" in an
 * earlier boot, did not finish and is failed with the reason (and what the
 * previous boot left: pstore, journal). Boots are told apart by the
 * kernel's boot_id, kernels by their release and refbench.round=LABEL on
 * the command line host-ab gives them.
 */
#ifndef REFBENCH_HOSTPLAN_H
#define REFBENCH_HOSTPLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>

#define RB_HOSTPLAN_SCHEMA 1
#define RB_HOSTPLAN_FORMAT "refbench-host-plan"
#define RB_HOSTPLAN_FILE "plan.json"

/* What this boot is; read from /proc unless a test says otherwise. */
struct rb_hostplan_boot {
	const char *boot_id;	/* /proc/sys/kernel/random/boot_id */
	const char *release;	/* uname -r */
	const char *cmdline;	/* /proc/cmdline */
};

enum rb_hostplan_action {
	RB_STEP_RUN,		/* this boot is round .round's kernel: run the suite */
	RB_STEP_SWITCH,		/* kexec into round .round's kernel */
	RB_STEP_RETURN,		/* every round is over: kexec into the original kernel */
	RB_STEP_COMPARE,	/* back in the original kernel: compare, disable the unit */
	RB_STEP_DONE,		/* compared: nothing left */
	RB_STEP_BUSY,		/* a round is running in this very boot (another host-ab?) */
};

struct rb_hostplan_step {
	enum rb_hostplan_action action;
	int round;		/* index into "rounds", or -1 */
};

/* A new plan object from its definition (the "plan" part: kernels,
 * rounds, suite, namespaces, original kernel); id and created are set. */
struct json_object *rb_hostplan_new(struct json_object *def, const char *id);
/* Loads STATE/plan.json and validates it: 0, or -errno with err. */
int rb_hostplan_load(const char *state, struct json_object **plan, char *err, size_t n);
/* Validates a plan object (schema, format, fields and their types). */
int rb_hostplan_validate(struct json_object *plan, char *err, size_t n);
int rb_hostplan_save(const char *state, struct json_object *plan, char *err, size_t n);
/* Do two definitions describe the same A/B? If not, what differs. */
bool rb_hostplan_same(struct json_object *def_a, struct json_object *def_b, char *what, size_t n);
/* Is a kernel .config able to kexec (CONFIG_KEXEC or CONFIG_KEXEC_FILE)? */
int rb_hostplan_config_kexec(const char *config, char *err, size_t n);

/* After a boot: fail what the previous boot left unfinished; mark the
 * round this boot came up for as booted; returns how many rounds changed.
 * evidence (may be NULL) is kept with each round failed here; reset (may
 * be NULL or "") says the watchdog reset the last boot, and is added to
 * each such round's reason. */
int rb_hostplan_reconcile(struct json_object *plan, const struct rb_hostplan_boot *b, const char *evidence,
			  const char *reset);
struct rb_hostplan_step rb_hostplan_next(struct json_object *plan, const struct rb_hostplan_boot *b);
const char *rb_hostplan_action_name(enum rb_hostplan_action a);

/* Transitions; each returns 0 or -EINVAL with err when the round is not in
 * the state the transition starts from. */
int rb_hostplan_switch(struct json_object *plan, int round, const struct rb_hostplan_boot *b, char *err, size_t n);
int rb_hostplan_start(struct json_object *plan, int round, const struct rb_hostplan_boot *b, const char *run,
		  char *err, size_t n);
int rb_hostplan_finish(struct json_object *plan, int round, bool ok, const char *reason,
		   char *err, size_t n);
int rb_hostplan_returning(struct json_object *plan, const struct rb_hostplan_boot *b);
int rb_hostplan_compared(struct json_object *plan, const char *report);

/* The command line round's kernel boots with: the original's, without
 * earlier refbench.host/refbench.round/panic settings and without the
 * keys extra sets, plus the kernel's "append", extra (the watchdog's
 * arguments, may be NULL), "panic=10 refbench.host=STATE
 * refbench.round=LABEL". round -1: the original kernel's own command line. */
int rb_hostplan_cmdline(struct json_object *plan, int round, const char *state, const char *extra,
			char *buf, size_t n);
/* Round index by label ("A1", "B2"), or -1. */
int rb_hostplan_round_index(struct json_object *plan, const char *label);

int rb_cmd_hostplan(int argc, char **argv);

/* The watchdog host mode arms (watchdog.c): watchdog0 from sysfs, and the
 * watchdog core's parameters. */
enum rb_watchdog_kind { RB_WD_NONE, RB_WD_SOFTWARE, RB_WD_HARDWARE };
struct rb_watchdog {
	enum rb_watchdog_kind kind;	/* softdog ("Software Watchdog") is software */
	char name[16], identity[64], state[16];
	long bootstatus, timeout;	/* -1: unknown */
	int nowayout;			/* -1: unknown */
	int stop_on_reboot;		/* watchdog.stop_on_reboot: -1 the driver's choice, -2 unknown */
	long open_timeout;
};
int rb_watchdog_probe(const char *sysfs, struct rb_watchdog *w);
/* did this boot begin with the watchdog's reset (WDIOF_CARDRESET)? */
bool rb_watchdog_reset_last_boot(const struct rb_watchdog *w);
/* that, as a sentence for a failed round's reason; "" when not */
void rb_watchdog_reset_note(const struct rb_watchdog *w, char *buf, size_t n);
/* what a kernel kexec'd into needs on its command line to keep the
 * watchdog armed: "" unless it is hardware */
void rb_watchdog_kexec_args(const struct rb_watchdog *w, char *buf, size_t n);
struct json_object *rb_watchdog_json(const struct rb_watchdog *w);
int rb_cmd_watchdog(int argc, char **argv);

#endif
