/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host kexec A/B as a plan job, "host-ab" (refbench-plan/1, plan.h,
 * docs/plan.md): kernels A and B take turns on one machine by kexec, and
 * STATE/plan.json is the one file that survives each kexec, panic or
 * power cut between the boots. host.c is the state machine, hostcmd.c
 * its part of `refbench plan` (init, next, record, show, host-lava);
 * scripts/host-ab carries out the steps.
 *
 * A boot of the plan ("A1", "B2") is one boot of the machine into kernel
 * A or B. Its status moves
 *   pending -> switching (kexec issued from boot X) -> booted (this boot is
 *   its kernel) -> running (the suite started) -> done | failed
 * and a boot of the machine reconciles what the previous one left: a boot
 * "switching" whose kernel is not the one running, or one "booted" or
 * "running" in an earlier boot, did not finish and is failed with the
 * reason (and what the previous boot left: pstore, journal). Boots of the
 * machine are told apart by the kernel's boot_id, kernels by their release
 * and refbench.round=LABEL on the command line host-ab gives them.
 */
#ifndef REFBENCH_PLAN_HOST_H
#define REFBENCH_PLAN_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <json-c/json.h>

/* What this boot of the machine is: /proc, or RB_BOOT_ID, RB_BOOT_RELEASE
 * and RB_BOOT_CMDLINE where a test plays the boots. */
struct rb_host_boot {
	const char *boot_id;	/* /proc/sys/kernel/random/boot_id */
	const char *release;	/* uname -r */
	const char *cmdline;	/* /proc/cmdline */
};

enum rb_host_action {
	RB_HOST_RUN,		/* this boot is boot .boot's kernel: run the suite */
	RB_HOST_SWITCH,		/* kexec into boot .boot's kernel */
	RB_HOST_RETURN,		/* every boot is over: kexec into the original kernel */
	RB_HOST_COMPARE,	/* back in the original kernel: compare */
	RB_HOST_DONE,		/* compared: nothing left */
	RB_HOST_BUSY,		/* a boot's suite is running in this very boot (another host-ab?) */
};

struct rb_host_step {
	enum rb_host_action action;
	int boot;		/* index into "boots", or -1 */
};

/* A new host-ab plan: settings (suite, rounds, fsdax, devdax, run_args,
 * original, state) and kernels [A, B] are taken; boots A1 B1 A2 B2 ... */
struct json_object *rb_host_new(struct json_object *settings, struct json_object *kernels, const char *id);
/* Is a kernel .config able to kexec (CONFIG_KEXEC or CONFIG_KEXEC_FILE)? */
int rb_host_config_kexec(const char *config, char *err, size_t n);

/* After a boot of the machine: fail what the previous boot left
 * unfinished; mark the boot this one came up for as booted; returns how
 * many changed. evidence (may be NULL) is kept with each boot failed
 * here; reset (may be NULL or "") says the watchdog reset the last boot,
 * and is added to each such boot's reason. */
int rb_host_reconcile(struct json_object *plan, const struct rb_host_boot *b, const char *evidence,
		      const char *reset);
struct rb_host_step rb_host_next(struct json_object *plan, const struct rb_host_boot *b);

/* Transitions; each returns 0 or -EINVAL with err when the boot is not in
 * the state the transition starts from. */
int rb_host_switch(struct json_object *plan, int i, const struct rb_host_boot *b, char *err, size_t n);
int rb_host_start(struct json_object *plan, int i, const struct rb_host_boot *b, const char *run,
		  char *err, size_t n);
int rb_host_finish(struct json_object *plan, int i, bool ok, const char *reason, char *err, size_t n);
void rb_host_returning(struct json_object *plan, const struct rb_host_boot *b);
void rb_host_compared(struct json_object *plan, const char *report);

/* A kernel with modules (build-info.json's "modules": kernels/build of a
 * config with CONFIG_MODULES=y) has "modules" (its staged
 * lib/modules/RELEASE) and, unless its directory had an initrd.img,
 * "initrd_make" (where the host's mkinitramfs or dracut writes one).
 * Before the first switch into it, its modules are installed beside the
 * running kernel's and the initramfs made ("install"); when the plan is
 * over they are removed ("uninstall"). A and B of one release share it.
 * Index of the kernel whose step is due, or -1. */
int rb_host_install_due(struct json_object *plan);
int rb_host_uninstall_due(struct json_object *plan);
/* The install of release rel ended: ok, or every round of its kernels not
 * yet begun fails with why. The uninstall: ok, or what is left is named
 * in an event. Returns how many kernels changed. */
int rb_host_installed(struct json_object *plan, const char *rel, bool ok, const char *why);
int rb_host_uninstalled(struct json_object *plan, const char *rel, bool ok, const char *why);

/* The command line boot i's kernel boots with: the original's, without
 * earlier refbench.host/refbench.round/panic settings and without the
 * keys extra sets, plus the kernel's "append", extra (the watchdog's
 * arguments, may be NULL), "panic=10 refbench.host=STATE
 * refbench.round=LABEL". i -1: the original kernel's own command line. */
int rb_host_cmdline(struct json_object *plan, int i, const char *state, const char *extra, char *buf, size_t n);
/* Boot index by label ("A1", "B2"), or -1. */
int rb_host_boot_index(struct json_object *plan, const char *label);

/* hostcmd.c: `refbench plan init host-ab`, and next, record, show for a
 * host-ab plan (plan.json loaded and locked by the caller; *dirty: it
 * changed) */
int rb_plan_host_init(int argc, char **argv);
int rb_plan_host_next(const char *state, struct json_object *plan, bool *dirty);
int rb_plan_host_record(const char *state, struct json_object *plan, const char *what, int argc, char **argv,
			bool *dirty);
void rb_plan_host_show(FILE *f, struct json_object *plan);
int rb_plan_host_lava(int argc, char **argv);

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
/* that, as a sentence for a failed boot's reason; "" when not */
void rb_watchdog_reset_note(const struct rb_watchdog *w, char *buf, size_t n);
/* what a kernel kexec'd into needs on its command line to keep the
 * watchdog armed: "" unless it is hardware */
void rb_watchdog_kexec_args(const struct rb_watchdog *w, char *buf, size_t n);
struct json_object *rb_watchdog_json(const struct rb_watchdog *w);
/* refbench plan watchdog */
int rb_cmd_watchdog(int argc, char **argv);

#endif
