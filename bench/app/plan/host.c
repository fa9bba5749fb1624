// SPDX-License-Identifier: GPL-2.0
/* The host-ab job's state machine (host.h, docs/plan.md): which boot of
 * the plan this boot of the machine is, what the last one left unfinished,
 * the command lines to kexec with. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/plan/host.h"
#include "app/plan/plan.h"
#include "app/plan/state.h"
#include "app/rundir/rundir.h"
#include "lib/refbench.h"
#include "lib/userfile.h"

static const char *str(struct json_object *o, const char *key)
{
	return rb_json_get_str(o, key);
}

static struct json_object *get(struct json_object *o, const char *key)
{
	return rb_plan_get(o, key);
}

static struct json_object *boot_at(struct json_object *plan, int i)
{
	return json_object_array_get_idx(get(plan, "boots"), (size_t)i);
}

static int nboots(struct json_object *plan)
{
	return (int)json_object_array_length(get(plan, "boots"));
}

static void set_str(struct json_object *o, const char *key, const char *val)
{
	rb_plan_set_str(o, key, val);
}

static struct json_object *original(struct json_object *plan)
{
	return get(get(plan, "settings"), "original");
}

/* events: what happened, in order, for whoever reads the plan later */
static void event(struct json_object *plan, const struct rb_host_boot *b, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void event(struct json_object *plan, const struct rb_host_boot *b, const char *fmt, ...)
{
	struct json_object *e = json_object_new_object(), *ev = get(plan, "events");
	char what[2048], t[32];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	set_str(e, "at", rb_iso_time(t, sizeof(t)));
	set_str(e, "boot_id", b ? b->boot_id : NULL);
	set_str(e, "what", what);
	if (!ev) {
		ev = json_object_new_array();
		json_object_object_add(plan, "events", ev);
	}
	json_object_array_add(ev, e);
}

struct json_object *rb_host_new(struct json_object *settings, struct json_object *kernels, const char *id)
{
	struct json_object *p = json_object_new_object();
	long n = rb_plan_int(settings, "rounds", 1);
	char t[32], label[32];

	rb_plan_set_int(p, "schema", RB_PLAN_SCHEMA);
	set_str(p, "format", RB_PLAN_FORMAT);
	set_str(p, "job", "host-ab");
	set_str(p, "id", id);
	set_str(p, "created", rb_iso_time(t, sizeof(t)));
	json_object_object_add(p, "settings", settings);
	set_str(p, "mode", "host");
	json_object_object_add(p, "kernels", kernels);
	rb_plan_set_int(p, "rounds", n);
	json_object_object_add(p, "boots", json_object_new_array());
	set_str(p, "phase", "rounds");
	/* A B A B ...: drift in the machine over time hits both arms alike */
	for (long r = 1; r <= n; r++)
		for (long k = 0; k < 2; k++) {
			snprintf(label, sizeof(label), "%c%ld", k ? 'B' : 'A', r);
			rb_plan_add_boot(p, label, k, r, 0);
		}
	json_object_object_add(p, "events", json_object_new_array());
	event(p, NULL, "plan %s created: %ld rounds of A and B", id, n);
	return p;
}

int rb_host_config_kexec(const char *config, char *err, size_t n)
{
	char why[512], *text, *save = NULL;
	size_t len;
	bool yes = false;
	int r = rb_user_file_read(config, RB_KCONFIG_MAX, &text, &len, why, sizeof(why));

	if (r) {
		snprintf(err, n, "%s: %s (host-ab needs the kernel's .config to check it can kexec)",
			 config, why);
		return r;
	}
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (!strcmp(l, "CONFIG_KEXEC=y") || !strcmp(l, "CONFIG_KEXEC_FILE=y"))
			yes = true;
	free(text);
	if (!yes) {
		snprintf(err, n, "%s has neither CONFIG_KEXEC=y nor CONFIG_KEXEC_FILE=y: host-ab could "
			 "not switch out of that kernel; build it with the kexec fragment "
			 "(kernels/build --add-fragment kexec)", config);
		return -ENOEXEC;
	}
	return 0;
}

/* Does the command line carry KEY=VAL as one word? */
static bool has_word(const char *cmdline, const char *key, const char *val)
{
	char w[PATH_MAX + 64];

	snprintf(w, sizeof(w), "%s=%s", key, val);
	return rb_word_in(cmdline, w);
}

static bool has_key(const char *cmdline, const char *key)
{
	size_t k = strlen(key);

	for (const char *p = cmdline; p && (p = strstr(p, key)); p += k)
		if ((p == cmdline || p[-1] == ' ') && p[k] == '=')
			return true;
	return false;
}

static struct json_object *kernel_of(struct json_object *plan, struct json_object *r)
{
	return rb_plan_kernel(plan, (size_t)rb_plan_int(r, "kernel", 0));
}

static void fail(struct json_object *plan, struct json_object *r, const struct rb_host_boot *b,
		 const char *reason, const char *evidence)
{
	char t[32];

	set_str(r, "status", "failed");
	set_str(r, "reason", reason);
	set_str(r, "finished", rb_iso_time(t, sizeof(t)));
	if (evidence && *evidence)
		set_str(r, "evidence", evidence);
	event(plan, b, "round %s failed: %s", str(r, "label"), reason);
}

int rb_host_reconcile(struct json_object *plan, const struct rb_host_boot *b, const char *evidence,
			  const char *reset)
{
	int changed = 0;
	char why[1024], full[2048];

	for (int i = 0; i < nboots(plan); i++) {
		struct json_object *r = boot_at(plan, i), *k = kernel_of(plan, r);
		const char *st = str(r, "status"), *bid = str(r, "boot_id"), *label = str(r, "label");
		bool same_boot = bid && !strcmp(bid, b->boot_id);

		if (same_boot || (strcmp(st, "switching") && strcmp(st, "booted") && strcmp(st, "running")))
			continue;
		changed++;
		if (!strcmp(st, "running")) {
			snprintf(why, sizeof(why), "the boot that ran round %s ended before the round "
				 "finished (power cut, panic or hang); now in %s", label, b->release);
		} else if (!strcmp(st, "booted")) {
			snprintf(why, sizeof(why), "round %s's kernel came up but its boot ended before "
				 "the suite started; now in %s", label, b->release);
		} else if (!has_word(b->cmdline, "refbench.round", label)) {
			snprintf(why, sizeof(why), "round %s's kernel (%s) did not come up: this boot "
				 "is %s without refbench.round=%s, so the switch or that kernel's boot "
				 "ended in a reboot into the default kernel (panic=10, watchdog, power cut)",
				 label, str(k, "release"), b->release, label);
		} else if (strcmp(b->release, str(k, "release"))) {
			snprintf(why, sizeof(why), "round %s booted release %s, but its kernel is %s "
				 "(was the image replaced?)", label, b->release, str(k, "release"));
		} else {
			set_str(r, "status", "booted");
			set_str(r, "boot_id", b->boot_id);
			event(plan, b, "round %s: booted %s", label, b->release);
			continue;
		}
		if (reset && *reset) {
			snprintf(full, sizeof(full), "%s; %s", why, reset);
			fail(plan, r, b, full, evidence);
		} else {
			fail(plan, r, b, why, evidence);
		}
	}
	if (!strcmp(str(plan, "phase"), "returning") && strcmp(str(plan, "return_boot_id"), b->boot_id)) {
		set_str(plan, "phase", "returned");
		event(plan, b, "back in %s%s", b->release,
		      strcmp(b->release, str(original(plan), "release")) ?
		      " (not the original kernel's release!)" : " (the original kernel)");
		changed++;
	}
	return changed;
}

struct rb_host_step rb_host_next(struct json_object *plan, const struct rb_host_boot *b)
{
	const char *phase = str(plan, "phase");
	int pending = -1;

	if (!strcmp(phase, "compared"))
		return (struct rb_host_step){ RB_HOST_DONE, -1 };
	for (int i = 0; i < nboots(plan); i++) {
		struct json_object *r = boot_at(plan, i);
		const char *st = str(r, "status"), *bid = str(r, "boot_id");
		bool same_boot = bid && !strcmp(bid, b->boot_id);

		if (same_boot && !strcmp(st, "booted"))
			return (struct rb_host_step){ RB_HOST_RUN, i };
		if (same_boot && !strcmp(st, "running"))
			return (struct rb_host_step){ RB_HOST_BUSY, i };
		if (same_boot && !strcmp(st, "switching"))	/* the kexec is still to come */
			return (struct rb_host_step){ RB_HOST_SWITCH, i };
		if (pending < 0 && !strcmp(st, "pending"))
			pending = i;
	}
	if (pending >= 0)
		return (struct rb_host_step){ RB_HOST_SWITCH, pending };
	/* every round is over: back to the original kernel, unless already there */
	if (!strcmp(phase, "returned") || !has_key(b->cmdline, "refbench.round"))
		return (struct rb_host_step){ RB_HOST_COMPARE, -1 };
	return (struct rb_host_step){ RB_HOST_RETURN, -1 };
}

static struct json_object *round_in(struct json_object *plan, int i, const char *want,
				    char *err, size_t n)
{
	struct json_object *r = i >= 0 && i < nboots(plan) ? boot_at(plan, i) : NULL;

	if (!r)
		snprintf(err, n, "no round %d in the plan", i);
	else if (!rb_word_in(want, str(r, "status"))) {
		snprintf(err, n, "round %s is %s, not %s", str(r, "label"), str(r, "status"), want);
		r = NULL;
	}
	return r;
}

int rb_host_switch(struct json_object *plan, int i, const struct rb_host_boot *b, char *err, size_t n)
{
	struct json_object *r = round_in(plan, i, "pending switching", err, n);

	if (!r)
		return -EINVAL;
	set_str(r, "status", "switching");
	set_str(r, "boot_id", b->boot_id);
	event(plan, b, "round %s: kexec into %s", str(r, "label"), str(kernel_of(plan, r), "release"));
	return 0;
}

int rb_host_start(struct json_object *plan, int i, const struct rb_host_boot *b, const char *run,
		  char *err, size_t n)
{
	struct json_object *r = round_in(plan, i, "booted", err, n);
	char t[32];

	if (!r)
		return -EINVAL;
	if (strcmp(str(r, "boot_id"), b->boot_id)) {
		snprintf(err, n, "round %s was booted in another boot (%s), not this one", str(r, "label"),
			 str(r, "boot_id"));
		return -EINVAL;
	}
	set_str(r, "status", "running");
	set_str(r, "run", run);
	set_str(r, "started", rb_iso_time(t, sizeof(t)));
	event(plan, b, "round %s: suite started, run %s", str(r, "label"), run);
	return 0;
}

int rb_host_finish(struct json_object *plan, int i, bool ok, const char *reason, char *err, size_t n)
{
	/* a round can fail from any state but done (kexec -l refused, say) */
	struct json_object *r = round_in(plan, i, ok ? "running" : "pending switching booted running",
					 err, n);
	char t[32];

	if (!r)
		return -EINVAL;
	if (!ok) {
		fail(plan, r, NULL, reason, NULL);
		return 0;
	}
	set_str(r, "status", "done");
	set_str(r, "finished", rb_iso_time(t, sizeof(t)));
	event(plan, NULL, "round %s: done", str(r, "label"));
	return 0;
}

static int nkernels(struct json_object *plan)
{
	struct json_object *ks = get(plan, "kernels");

	return ks ? (int)json_object_array_length(ks) : 0;
}

/* "installed": absent (not yet), "yes", "failed", "removed", "left" */
static const char *installed(struct json_object *k)
{
	const char *s = str(k, "installed");

	return s ? s : "";
}

int rb_host_install_due(struct json_object *plan)
{
	if (strcmp(str(plan, "phase"), "rounds"))
		return -1;
	for (int i = 0; i < nkernels(plan); i++) {
		struct json_object *k = rb_plan_kernel(plan, (size_t)i);

		if (str(k, "modules") && !*installed(k))
			return i;
	}
	return -1;
}

int rb_host_uninstall_due(struct json_object *plan)
{
	if (strcmp(str(plan, "phase"), "compared"))
		return -1;
	for (int i = 0; i < nkernels(plan); i++)
		if (!strcmp(installed(rb_plan_kernel(plan, (size_t)i)), "yes"))
			return i;
	return -1;
}

static int mark_release(struct json_object *plan, const char *rel, const char *state)
{
	int n = 0;

	for (int i = 0; i < nkernels(plan); i++) {
		struct json_object *k = rb_plan_kernel(plan, (size_t)i);

		if (str(k, "modules") && rel && !strcmp(str(k, "release"), rel)) {
			set_str(k, "installed", state);
			n++;
		}
	}
	return n;
}

int rb_host_installed(struct json_object *plan, const char *rel, bool ok, const char *why)
{
	int n = mark_release(plan, rel, ok ? "yes" : "failed");
	char reason[2048];

	if (ok) {
		event(plan, NULL, "%s: modules installed beside the running kernel's, initramfs made", rel);
		return n;
	}
	snprintf(reason, sizeof(reason), "the modules or the initramfs of %s could not be installed: %s", rel,
		 why && *why ? why : "(no message)");
	event(plan, NULL, "%s", reason);
	for (int i = 0; i < nboots(plan); i++) {
		struct json_object *r = boot_at(plan, i);

		if (!strcmp(str(r, "status"), "pending") && !strcmp(str(kernel_of(plan, r), "release"), rel))
			fail(plan, r, NULL, reason, NULL);
	}
	return n;
}

int rb_host_uninstalled(struct json_object *plan, const char *rel, bool ok, const char *why)
{
	int n = mark_release(plan, rel, ok ? "removed" : "left");

	if (ok)
		event(plan, NULL, "%s: its modules and initramfs removed", rel);
	else
		event(plan, NULL, "%s: its modules or initramfs could not be removed (%s): remove them by hand", rel,
		      why && *why ? why : "no message");
	return n;
}

void rb_host_returning(struct json_object *plan, const struct rb_host_boot *b)
{
	set_str(plan, "phase", "returning");
	set_str(plan, "return_boot_id", b->boot_id);
	event(plan, b, "every round is over: kexec into the original kernel %s",
	      str(original(plan), "release"));
}

void rb_host_compared(struct json_object *plan, const char *report)
{
	set_str(plan, "phase", "compared");
	set_str(plan, "report", report);
	event(plan, NULL, "compared: %s", report ? report : "no report (an arm has no complete round)");
}

/* appends word to buf (space-separated); false when it does not fit */
static bool add_word(char *buf, size_t n, size_t *len, const char *w, size_t wl)
{
	if (*len + wl + 2 > n)
		return false;
	if (*len)
		buf[(*len)++] = ' ';
	memcpy(buf + *len, w, wl);
	*len += wl;
	buf[*len] = '\0';
	return true;
}

/* does the word w (wl bytes, KEY=VALUE) set a key that one of words sets? */
static bool key_in(const char *w, size_t wl, const char *words)
{
	const char *eq = memchr(w, '=', wl);
	size_t kl = eq ? (size_t)(eq - w) + 1 : 0;	/* "KEY=" */

	for (const char *p = words; kl && p && *p; p += strcspn(p, " ")) {
		p += strspn(p, " ");
		if (!strncmp(p, w, kl))
			return true;
	}
	return false;
}

/* strip: 0 keeps every word; 1 drops host-ab's own refbench.host= and
 * refbench.round=; 2 drops panic= too (host-ab sets it), and every key
 * that drop sets */
static bool add_words(char *buf, size_t n, size_t *len, const char *s, int strip, const char *drop)
{
	while (s && *s) {
		size_t wl;

		s += strspn(s, " \n\t");
		wl = strcspn(s, " \n\t");
		if (!wl)
			break;
		bool ours = (strip >= 1 && (!strncmp(s, "refbench.host=", 14) ||
					    !strncmp(s, "refbench.round=", 15))) ||
			    (strip >= 2 && (!strncmp(s, "panic=", 6) || key_in(s, wl, drop)));
		if (!ours && !add_word(buf, n, len, s, wl))
			return false;
		s += wl;
	}
	return true;
}

int rb_host_cmdline(struct json_object *plan, int i, const char *state, const char *extra,
			char *buf, size_t n)
{
	struct json_object *r = i >= 0 ? boot_at(plan, i) : NULL;
	char panic[PATH_MAX + 96];
	size_t len = 0;

	buf[0] = '\0';
	if (i >= 0 && !r)
		return -EINVAL;
	if (!add_words(buf, n, &len, str(original(plan), "cmdline"), r ? 2 : 1, extra))
		return -E2BIG;
	if (!r)
		return 0;
	/* panic=10: a kernel that panics reboots into the bootloader's default */
	snprintf(panic, sizeof(panic), "panic=10 refbench.host=%s refbench.round=%s", state, str(r, "label"));
	if (!add_words(buf, n, &len, str(kernel_of(plan, r), "append"), 0, NULL) ||
	    !add_words(buf, n, &len, extra, 0, NULL) ||
	    !add_words(buf, n, &len, panic, 0, NULL))
		return -E2BIG;
	return 0;
}

int rb_host_boot_index(struct json_object *plan, const char *label)
{
	for (int i = 0; i < nboots(plan); i++)
		if (!strcmp(str(boot_at(plan, i), "label"), label))
			return i;
	return -1;
}
