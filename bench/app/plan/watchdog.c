// SPDX-License-Identifier: GPL-2.0
/*
 * The watchdog host mode arms (docs/plan.md "The watchdog"): which device
 * it is, whether it outlives a kexec, what the kernels kexec'd into need
 * on their command line, and whether this boot began with its reset.
 * `refbench plan watchdog` prints that as JSON for scripts/host-ab;
 * `--keep` holds the device and pings it where no systemd does (a lab
 * guest): SIGTERM leaves it armed (before a kexec), SIGUSR1 disarms it.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <linux/watchdog.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "app/plan/host.h"
#include "lib/refbench.h"
#include "lib/sysfacts.h"

/* what the kernels host-ab kexecs into get when the watchdog is hardware:
 * stop_on_reboot=0, or the watchdog core stops it at their own kexec (the
 * reboot notifiers run); open_timeout, or a kernel whose driver finds it
 * running pings it for ever when user space never opens it (a hang) */
#define WD_OPEN_TIMEOUT 300
#define WD_SOFTDOG "Software Watchdog"

static void read_attr(const char *dir, const char *name, char *buf, size_t n)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if (rb_read_text(p, buf, n) < 0)
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

static long num_attr(const char *dir, const char *name, long none)
{
	char buf[64], *end;
	long v;

	read_attr(dir, name, buf, sizeof(buf));
	v = strtol(buf, &end, 0);
	return buf[0] && !*end ? v : none;
}

int rb_watchdog_probe(const char *sysfs, struct rb_watchdog *w)
{
	char dir[PATH_MAX], params[PATH_MAX];

	memset(w, 0, sizeof(*w));
	snprintf(dir, sizeof(dir), "%s/class/watchdog/watchdog0", sysfs);
	snprintf(params, sizeof(params), "%s/module/watchdog/parameters", sysfs);
	w->bootstatus = w->timeout = -1;
	w->stop_on_reboot = num_attr(params, "stop_on_reboot", -2);
	w->open_timeout = num_attr(params, "open_timeout", -1);
	if (access(dir, F_OK)) {
		w->kind = RB_WD_NONE;
		return 0;
	}
	rb_strlcpy(w->name, "watchdog0", sizeof(w->name));
	read_attr(dir, "identity", w->identity, sizeof(w->identity));
	read_attr(dir, "state", w->state, sizeof(w->state));
	w->bootstatus = num_attr(dir, "bootstatus", -1);
	w->timeout = num_attr(dir, "timeout", -1);
	w->nowayout = (int)num_attr(dir, "nowayout", -1);
	/* softdog is a kernel timer: the kexec ends it with its kernel */
	w->kind = !strcmp(w->identity, WD_SOFTDOG) ? RB_WD_SOFTWARE : RB_WD_HARDWARE;
	return 0;
}

bool rb_watchdog_reset_last_boot(const struct rb_watchdog *w)
{
	return w->kind == RB_WD_HARDWARE && w->bootstatus > 0 && (w->bootstatus & WDIOF_CARDRESET);
}

void rb_watchdog_reset_note(const struct rb_watchdog *w, char *buf, size_t n)
{
	buf[0] = '\0';
	if (rb_watchdog_reset_last_boot(w))
		snprintf(buf, n, "%s (%s) reset the machine: its bootstatus has WDIOF_CARDRESET "
			 "(0x%lx), so the last boot hung until the watchdog fired", w->name,
			 w->identity, (unsigned long)w->bootstatus);
}

void rb_watchdog_kexec_args(const struct rb_watchdog *w, char *buf, size_t n)
{
	buf[0] = '\0';
	if (w->kind == RB_WD_HARDWARE)
		snprintf(buf, n, "watchdog.stop_on_reboot=0 watchdog.open_timeout=%d", WD_OPEN_TIMEOUT);
}

/* what host-ab says before it arms: NULL when nothing is amiss */
static const char *warning(const struct rb_watchdog *w, char *buf, size_t n)
{
	switch (w->kind) {
	case RB_WD_NONE:
		snprintf(buf, n, "no hardware watchdog (/dev/watchdog0): a hang in the next kernel needs a power cycle "
			 "by hand; a hardware watchdog's driver (iTCO_wdt, sp5100_tco, i6300esb, ipmi_watchdog) "
			 "would end it");
		return buf;
	case RB_WD_SOFTWARE:
		snprintf(buf, n, "watchdog0 is softdog (\"%s\"), the fallback: a kernel timer that ends with "
			 "its kernel at the kexec, so it cannot end a hang in the next kernel, only one in the "
			 "boot that armed it; load a hardware watchdog's driver (iTCO_wdt, sp5100_tco, i6300esb, "
			 "ipmi_watchdog) to have one that survives the switch", WD_SOFTDOG);
		return buf;
	case RB_WD_HARDWARE:
		if (w->stop_on_reboot == 0)
			return NULL;
		snprintf(buf, n, "the running kernel stops watchdog0 (%s) at its kexec (watchdog.stop_on_reboot "
			 "is %s): the switch out of this boot is not covered; boot it with "
			 "watchdog.stop_on_reboot=0 (host-ab gives that to every kernel it kexecs into)",
			 w->identity, w->stop_on_reboot == -1 ? "-1, the driver's choice" :
			 w->stop_on_reboot == -2 ? "unknown: no /sys/module/watchdog/parameters" : "1");
		return buf;
	}
	return NULL;
}

struct json_object *rb_watchdog_json(const struct rb_watchdog *w)
{
	static const char *const kinds[] = { [RB_WD_NONE] = "none", [RB_WD_SOFTWARE] = "software",
					     [RB_WD_HARDWARE] = "hardware" };
	struct json_object *o = json_object_new_object();
	char buf[1024];
	const char *warn;

	json_object_object_add(o, "kind", json_object_new_string(kinds[w->kind]));
	json_object_object_add(o, "device", w->kind == RB_WD_NONE ? NULL : json_object_new_string("/dev/watchdog0"));
	json_object_object_add(o, "identity", w->kind == RB_WD_NONE ? NULL : json_object_new_string(w->identity));
	json_object_object_add(o, "state", w->state[0] ? json_object_new_string(w->state) : NULL);
	json_object_object_add(o, "survives_kexec", json_object_new_boolean(w->kind == RB_WD_HARDWARE));
	json_object_object_add(o, "stop_on_reboot", w->stop_on_reboot == -2 ? NULL : json_object_new_int(w->stop_on_reboot));
	json_object_object_add(o, "bootstatus", w->bootstatus < 0 ? NULL : json_object_new_int64(w->bootstatus));
	json_object_object_add(o, "reset_last_boot", json_object_new_boolean(rb_watchdog_reset_last_boot(w)));
	rb_watchdog_kexec_args(w, buf, sizeof(buf));
	json_object_object_add(o, "kexec_args", json_object_new_string(buf));
	warn = warning(w, buf, sizeof(buf));
	json_object_object_add(o, "warning", warn ? json_object_new_string(warn) : NULL);
	return o;
}

/* --keep: hold the device, ping it; what systemd's RuntimeWatchdogSec does
 * on a real host, for a lab guest that has no systemd */
static volatile sig_atomic_t keep_sig;
static void on_keep_sig(int s) { keep_sig = s; }

static int keep(const char *dev, const char *sysfs, int timeout, int kexec_timeout)
{
	char sysdir[PATH_MAX], st[32];
	struct sigaction sa = { .sa_handler = on_keep_sig };
	int fd = open(dev, O_WRONLY | O_CLOEXEC), t = timeout;
	struct timespec ts = { .tv_sec = timeout / 4 ? timeout / 4 : 1 };

	snprintf(sysdir, sizeof(sysdir), "%s/class/watchdog/%s", sysfs, strrchr(dev, '/') ? strrchr(dev, '/') + 1 : dev);
	if (fd < 0)
		return rb_error(RB_EXIT_FAIL, "%s: %s: the watchdog cannot be armed", dev, strerror(errno));
	if (ioctl(fd, WDIOC_SETTIMEOUT, &t))
		fprintf(stderr, "refbench: watchdog: %s: WDIOC_SETTIMEOUT %d: %s; it keeps its own "
			"timeout\n", dev, timeout, strerror(errno));
	if (ioctl(fd, WDIOC_GETTIMEOUT, &t) == 0)
		fprintf(stderr, "refbench: watchdog: %s armed, timeout %d s, pinged every %ld s\n", dev, t,
			(long)ts.tv_sec);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	for (;;) {
		if (keep_sig == SIGTERM || keep_sig == SIGINT) {
			/* closed without the magic 'V': it stays armed, and the
			 * kernel kexec'd into next must take it over in time
			 * (systemd's KExecWatchdogSec) */
			t = kexec_timeout;
			if (t && ioctl(fd, WDIOC_SETTIMEOUT, &t))
				fprintf(stderr, "refbench: watchdog: %s: WDIOC_SETTIMEOUT %d: %s\n", dev,
					kexec_timeout, strerror(errno));
			ioctl(fd, WDIOC_KEEPALIVE, 0);
			close(fd);
			if (kexec_timeout)
				fprintf(stderr, "refbench: watchdog: %s left armed (no magic close), %d s for "
					"the next kernel to take it over\n", dev, t);
			else
				fprintf(stderr, "refbench: watchdog: %s left armed (no magic close)\n", dev);
			return 0;
		}
		if (keep_sig == SIGUSR1) {
			if (write(fd, "V", 1) != 1)
				fprintf(stderr, "refbench: watchdog: magic close: %s\n", strerror(errno));
			close(fd);
			/* a driver with nowayout cannot stop it: then keep it pinged
			 * until this machine goes down, or it would reset it */
			read_attr(sysdir, "state", st, sizeof(st));
			if (strcmp(st, "active") || (fd = open(dev, O_WRONLY | O_CLOEXEC)) < 0) {
				fprintf(stderr, "refbench: watchdog: %s disarmed (state: %s)\n", dev,
					st[0] ? st : "unknown");
				return 0;
			}
			keep_sig = 0;
			fprintf(stderr, "refbench: watchdog: %s cannot be stopped (nowayout): kept pinged until "
				"this machine powers off or reboots\n", dev);
			sigaction(SIGUSR1, &(struct sigaction){ .sa_handler = SIG_IGN }, NULL);
		}
		if (ioctl(fd, WDIOC_KEEPALIVE, 0))
			fprintf(stderr, "refbench: watchdog: ping %s: %s\n", dev, strerror(errno));
		nanosleep(&ts, NULL);
	}
}

int rb_cmd_watchdog(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "sysfs", required_argument, NULL, 's' }, { "keep", required_argument, NULL, 'k' },
		{ "dev", required_argument, NULL, 'd' }, { "kexec-timeout", required_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char usage[] =
		"usage: refbench plan watchdog [--sysfs DIR]   the watchdog host-ab arms, as JSON\n"
		"       refbench plan watchdog --keep SECONDS [--kexec-timeout SECONDS]\n"
		"                 [--dev FILE] [--sysfs DIR]\n"
		"                 arm it (default /dev/watchdog0) and ping it; SIGTERM: leave it armed,\n"
		"                 with the kexec timeout (a kexec follows), SIGUSR1: disarm (magic close)\n";
	const char *sysfs = "/sys", *dev = "/dev/watchdog0";
	struct rb_watchdog w;
	int opt, t = 0, kt = 0;
	char *end;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (opt) {
		case 's': sysfs = optarg; break;
		case 'd': dev = optarg; break;
		case 'k':
			t = (int)strtol(optarg, &end, 10);
			if (*end || t < 2 || t > 3600)
				rb_die_usage("--keep %s: a timeout in seconds, 2 to 3600", optarg);
			break;
		case 'K':
			kt = (int)strtol(optarg, &end, 10);
			if (*end || kt < 2 || kt > 3600)
				rb_die_usage("--kexec-timeout %s: seconds, 2 to 3600", optarg);
			break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return RB_EXIT_USAGE;
		}
	}
	if (t)
		return keep(dev, sysfs, t, kt);
	rb_watchdog_probe(sysfs, &w);
	struct json_object *o = rb_watchdog_json(&w);

	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return 0;
}
