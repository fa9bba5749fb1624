// SPDX-License-Identifier: GPL-2.0
/* The host-mode A/B plan and its state machine (plan.h, docs/plan.md). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/hostplan/hostplan.h"
#include "app/rundir/rundir.h"
#include "lib/refbench.h"
#include "lib/userfile.h"

static const char *const statuses[] = { "pending", "switching", "booted", "running", "done",
					"failed", NULL };
static const char *const phases[] = { "rounds", "returning", "returned", "compared", NULL };

static bool one_of(const char *s, const char *const *list)
{
	for (; s && *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

static const char *str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static struct json_object *get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	json_object_object_get_ex(o, key, &v);
	return v;
}

static struct json_object *round_at(struct json_object *plan, int i)
{
	return json_object_array_get_idx(get(plan, "rounds"), (size_t)i);
}

static int nrounds(struct json_object *plan)
{
	return (int)json_object_array_length(get(plan, "rounds"));
}

static void set_str(struct json_object *o, const char *key, const char *val)
{
	json_object_object_add(o, key, val ? json_object_new_string(val) : NULL);
}

/* events: what happened, in order, for whoever reads the plan later */
static void event(struct json_object *plan, const struct rb_hostplan_boot *b, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void event(struct json_object *plan, const struct rb_hostplan_boot *b, const char *fmt, ...)
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

struct json_object *rb_hostplan_new(struct json_object *def, const char *id)
{
	struct json_object *p = json_object_new_object(), *rounds = json_object_new_array();
	int n = json_object_get_int(get(def, "rounds"));
	char t[32], label[16];

	json_object_object_add(p, "schema", json_object_new_int(RB_HOSTPLAN_SCHEMA));
	set_str(p, "format", RB_HOSTPLAN_FORMAT);
	set_str(p, "id", id);
	set_str(p, "created", rb_iso_time(t, sizeof(t)));
	json_object_object_add(p, "plan", json_object_get(def));
	set_str(p, "phase", "rounds");
	/* A B A B ...: drift in the machine over time hits both arms alike */
	for (int r = 1; r <= n; r++)
		for (const char *arm = "A"; *arm; arm = *arm == 'A' ? "B" : "") {
			struct json_object *o = json_object_new_object();

			snprintf(label, sizeof(label), "%s%d", arm, r);
			set_str(o, "label", label);
			set_str(o, "arm", arm);
			json_object_object_add(o, "n", json_object_new_int(r));
			set_str(o, "status", "pending");
			json_object_array_add(rounds, o);
		}
	json_object_object_add(p, "rounds", rounds);
	json_object_object_add(p, "events", json_object_new_array());
	event(p, NULL, "plan %s created: %d rounds of A and B", id, n);
	return p;
}

#define BAD(...) do { snprintf(err, n, __VA_ARGS__); return -EINVAL; } while (0)

static int validate_kernel(struct json_object *k, const char *what, char *err, size_t n)
{
	if (!json_object_is_type(k, json_type_object))
		BAD("plan.%s: missing or not an object", what);
	if (!str(k, "image") || !str(k, "release"))
		BAD("plan.%s: needs \"image\" and \"release\" (strings)", what);
	return 0;
}

int rb_hostplan_validate(struct json_object *p, char *err, size_t n)
{
	struct json_object *def = get(p, "plan"), *rounds = get(p, "rounds"), *v;
	int e;

	if (!json_object_is_type(p, json_type_object))
		BAD("not a JSON object");
	if (!str(p, "format") || strcmp(str(p, "format"), RB_HOSTPLAN_FORMAT))
		BAD("\"format\" is not \"%s\": not a refbench host plan", RB_HOSTPLAN_FORMAT);
	v = get(p, "schema");
	if (!json_object_is_type(v, json_type_int) || json_object_get_int(v) != RB_HOSTPLAN_SCHEMA)
		BAD("schema %s; this refbench reads schema %d (use the refbench that made the plan)",
		    v ? json_object_get_string(v) : "missing", RB_HOSTPLAN_SCHEMA);
	if (!str(p, "id") || !one_of(str(p, "phase"), phases))
		BAD("needs \"id\" and a \"phase\" (rounds, returning, returned, compared)");
	if (!json_object_is_type(def, json_type_object) || !str(def, "suite") ||
	    !json_object_is_type(get(def, "rounds"), json_type_int) ||
	    !json_object_is_type(get(def, "fsdax"), json_type_array) ||
	    !json_object_is_type(get(def, "devdax"), json_type_array) || !str(def, "run_args"))
		BAD("\"plan\" needs suite, rounds, fsdax [], devdax [] and run_args");
	if ((e = validate_kernel(get(def, "original"), "original", err, n)) ||
	    (e = validate_kernel(get(get(def, "kernels"), "A"), "kernels.A", err, n)) ||
	    (e = validate_kernel(get(get(def, "kernels"), "B"), "kernels.B", err, n)))
		return e;
	if (!str(get(def, "original"), "cmdline"))
		BAD("plan.original needs \"cmdline\"");
	if (!json_object_is_type(rounds, json_type_array) ||
	    (int)json_object_array_length(rounds) != 2 * json_object_get_int(get(def, "rounds")))
		BAD("\"rounds\" must list 2 x plan.rounds boots");
	for (size_t i = 0; i < json_object_array_length(rounds); i++) {
		struct json_object *r = json_object_array_get_idx(rounds, i);
		const char *arm = str(r, "arm");

		if (!str(r, "label") || !arm || (strcmp(arm, "A") && strcmp(arm, "B")) ||
		    !one_of(str(r, "status"), statuses))
			BAD("rounds[%zu]: needs label, arm A or B, and a status (%s ...)", i, statuses[0]);
	}
	return 0;
}

int rb_hostplan_load(const char *state, struct json_object **plan, char *err, size_t n)
{
	char path[PATH_MAX + 16], why[512];

	snprintf(path, sizeof(path), "%s/%s", state, RB_HOSTPLAN_FILE);
	*plan = rb_json_load(path, RB_USER_JSON_MAX, true, why, sizeof(why));
	if (!*plan) {
		int e = errno;

		snprintf(err, n, "%s: %s", path, e == ENOENT ? "no plan here (start one with "
			 "scripts/host-ab, or give the state directory it printed)" : why);
		return -e;
	}
	if (rb_hostplan_validate(*plan, why, sizeof(why))) {
		snprintf(err, n, "%s: %s", path, why);
		json_object_put(*plan);
		*plan = NULL;
		return -EINVAL;
	}
	return 0;
}

int rb_hostplan_save(const char *state, struct json_object *plan, char *err, size_t n)
{
	char path[PATH_MAX + 16];
	const char *txt;
	int e;

	snprintf(path, sizeof(path), "%s/%s", state, RB_HOSTPLAN_FILE);
	txt = json_object_to_json_string_ext(plan, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	e = rb_write_atomic(path, txt, strlen(txt));
	if (e)
		snprintf(err, n, "writing %s: %s (the plan is as it was)", path, strerror(-e));
	return e;
}

bool rb_hostplan_same(struct json_object *a, struct json_object *b, char *what, size_t n)
{
	/* the definition is compared whole: a key added, removed or changed is
	 * another plan; the first differing key is named */
	json_object_object_foreach(a, k, va) {
		struct json_object *vb = get(b, k);

		if (!vb || strcmp(json_object_to_json_string(va), json_object_to_json_string(vb))) {
			snprintf(what, n, "%s: %s here, %s in the state dir", k,
				 json_object_to_json_string(va), vb ? json_object_to_json_string(vb) : "absent");
			return false;
		}
	}
	json_object_object_foreach(b, k2, vb2) {
		(void)vb2;
		if (!get(a, k2)) {
			snprintf(what, n, "%s: absent here, set in the state dir", k2);
			return false;
		}
	}
	return true;
}

int rb_hostplan_config_kexec(const char *config, char *err, size_t n)
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
	return get(get(get(plan, "plan"), "kernels"), str(r, "arm"));
}

static void fail(struct json_object *plan, struct json_object *r, const struct rb_hostplan_boot *b,
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

int rb_hostplan_reconcile(struct json_object *plan, const struct rb_hostplan_boot *b, const char *evidence,
			  const char *reset)
{
	int changed = 0;
	char why[1024], full[2048];

	for (int i = 0; i < nrounds(plan); i++) {
		struct json_object *r = round_at(plan, i), *k = kernel_of(plan, r);
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
		      strcmp(b->release, str(get(get(plan, "plan"), "original"), "release")) ?
		      " (not the original kernel's release!)" : " (the original kernel)");
		changed++;
	}
	return changed;
}

struct rb_hostplan_step rb_hostplan_next(struct json_object *plan, const struct rb_hostplan_boot *b)
{
	const char *phase = str(plan, "phase");
	int pending = -1;

	if (!strcmp(phase, "compared"))
		return (struct rb_hostplan_step){ RB_STEP_DONE, -1 };
	for (int i = 0; i < nrounds(plan); i++) {
		struct json_object *r = round_at(plan, i);
		const char *st = str(r, "status"), *bid = str(r, "boot_id");
		bool same_boot = bid && !strcmp(bid, b->boot_id);

		if (same_boot && !strcmp(st, "booted"))
			return (struct rb_hostplan_step){ RB_STEP_RUN, i };
		if (same_boot && !strcmp(st, "running"))
			return (struct rb_hostplan_step){ RB_STEP_BUSY, i };
		if (same_boot && !strcmp(st, "switching"))	/* the kexec is still to come */
			return (struct rb_hostplan_step){ RB_STEP_SWITCH, i };
		if (pending < 0 && !strcmp(st, "pending"))
			pending = i;
	}
	if (pending >= 0)
		return (struct rb_hostplan_step){ RB_STEP_SWITCH, pending };
	/* every round is over: back to the original kernel, unless already there */
	if (!strcmp(phase, "returned") || !has_key(b->cmdline, "refbench.round"))
		return (struct rb_hostplan_step){ RB_STEP_COMPARE, -1 };
	return (struct rb_hostplan_step){ RB_STEP_RETURN, -1 };
}

const char *rb_hostplan_action_name(enum rb_hostplan_action a)
{
	static const char *const names[] = {
		[RB_STEP_RUN] = "run", [RB_STEP_SWITCH] = "switch", [RB_STEP_RETURN] = "return",
		[RB_STEP_COMPARE] = "compare", [RB_STEP_DONE] = "done", [RB_STEP_BUSY] = "busy",
	};
	return names[a];
}

static struct json_object *round_in(struct json_object *plan, int i, const char *want,
				    char *err, size_t n)
{
	struct json_object *r = i >= 0 && i < nrounds(plan) ? round_at(plan, i) : NULL;

	if (!r)
		snprintf(err, n, "no round %d in the plan", i);
	else if (!rb_word_in(want, str(r, "status"))) {
		snprintf(err, n, "round %s is %s, not %s", str(r, "label"), str(r, "status"), want);
		r = NULL;
	}
	return r;
}

int rb_hostplan_switch(struct json_object *plan, int i, const struct rb_hostplan_boot *b, char *err, size_t n)
{
	struct json_object *r = round_in(plan, i, "pending switching", err, n);

	if (!r)
		return -EINVAL;
	set_str(r, "status", "switching");
	set_str(r, "boot_id", b->boot_id);
	event(plan, b, "round %s: kexec into %s", str(r, "label"), str(kernel_of(plan, r), "release"));
	return 0;
}

int rb_hostplan_start(struct json_object *plan, int i, const struct rb_hostplan_boot *b, const char *run,
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

int rb_hostplan_finish(struct json_object *plan, int i, bool ok, const char *reason, char *err, size_t n)
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

int rb_hostplan_returning(struct json_object *plan, const struct rb_hostplan_boot *b)
{
	set_str(plan, "phase", "returning");
	set_str(plan, "return_boot_id", b->boot_id);
	event(plan, b, "every round is over: kexec into the original kernel %s",
	      str(get(get(plan, "plan"), "original"), "release"));
	return 0;
}

int rb_hostplan_compared(struct json_object *plan, const char *report)
{
	set_str(plan, "phase", "compared");
	set_str(plan, "report", report);
	event(plan, NULL, "compared: %s", report ? report : "no report (an arm has no complete round)");
	return 0;
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

int rb_hostplan_cmdline(struct json_object *plan, int i, const char *state, const char *extra,
			char *buf, size_t n)
{
	struct json_object *def = get(plan, "plan"), *r = i >= 0 ? round_at(plan, i) : NULL;
	char panic[PATH_MAX + 96];
	size_t len = 0;

	buf[0] = '\0';
	if (i >= 0 && !r)
		return -EINVAL;
	if (!add_words(buf, n, &len, str(get(def, "original"), "cmdline"), r ? 2 : 1, extra))
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

int rb_hostplan_round_index(struct json_object *plan, const char *label)
{
	for (int i = 0; i < nrounds(plan); i++)
		if (!strcmp(str(round_at(plan, i), "label"), label))
			return i;
	return -1;
}
