// SPDX-License-Identifier: GPL-2.0
/*
 * refbench hwcheck [DIR]: what this machine offers for measuring, in one
 * screen: KVM, the PMU and who may count with it, pmem/CXL/dax devices,
 * kexec, the watchdog, and, from DIR (scripts/hwcheck fills it), the accel
 * probe's verdict, ndctl/daxctl's lists and a host-mode run with its
 * counters and their self-check. Everything is read, nothing is opened
 * that acts (a /dev/watchdog is never opened: that arms it).
 *
 * RB_HWCHECK_ROOT=DIR reads /proc, /sys, /dev and /sbin under DIR: the
 * tests give it a machine with a PMU, or one that refuses counting.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "app/hwcheck.h"
#include "lib/refbench.h"
#include "lib/sysfacts.h"
#include "lib/userfile.h"

#define CAP_SYS_ADMIN_BIT 21
#define CAP_SYS_BOOT_BIT 22
#define CAP_PERFMON_BIT 38

static const char *root = "";

/* path under the root */
static const char *at(const char *path)
{
	static char buf[4][PATH_MAX];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s%s", root, path);
	return buf[k];
}

static bool rd(const char *path, char *buf, size_t n)
{
	buf[0] = '\0';
	return !rb_read_text(at(path), buf, n);
}

static bool rd_long(const char *path, long *v)
{
	char buf[64], *end;

	if (!rd(path, buf, sizeof(buf)))
		return false;
	*v = strtol(buf, &end, 10);
	return end != buf;
}

/* The names in a folder that start with prefix ("" every one), sorted,
 * joined by ", " into out; their count. */
static int names(const char *dir, const char *prefix, char *out, size_t n)
{
	struct dirent **ents;
	int k = scandir(at(dir), &ents, NULL, alphasort), count = 0;
	size_t len = 0;

	out[0] = '\0';
	for (int i = 0; i < k; i++) {
		const char *nm = ents[i]->d_name;

		if (nm[0] != '.' && !strncmp(nm, prefix, strlen(prefix))) {
			if (len < n)
				len += (size_t)snprintf(out + len, n - len, "%s%s", count ? ", " : "", nm);
			count++;
		}
		free(ents[i]);
	}
	if (k > 0)
		free(ents);
	if (len >= n && n > 4)
		strcpy(out + n - 4, "...");
	return count;
}

/* "  what  state  detail", the detail wrapped under itself */
static void line(const char *what, const char *state, const char *fmt, ...)
{
	char detail[2048], *p = detail;
	int col = 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	printf("  %-10s %-4s ", what, state);
	while (*p) {
		size_t w = strcspn(p, " ");

		if (col && col + 1 + (int)w > 61) {
			printf("\n%18s", "");
			col = 0;
		} else if (col) {
			putchar(' ');
			col++;
		}
		printf("%.*s", (int)w, p);
		col += (int)w;
		p += w;
		p += strspn(p, " ");
	}
	putchar('\n');
}

/* CapEff of this process (under the root: a test's), or 0 */
static unsigned long long cap_eff(void)
{
	char st[8192], *c;

	if (!rd("/proc/self/status", st, sizeof(st)) || !(c = strstr(st, "CapEff:")))
		return 0;
	return strtoull(c + 7, NULL, 16);
}

static bool has_cap(unsigned long long caps, int bit)
{
	return caps >> bit & 1;
}

static void check_kvm(const char *dir)
{
	char path[PATH_MAX], err[256];
	struct json_object *o, *x;

	if (!dir) {
		line("kvm", "-", "not probed (scripts/hwcheck runs scripts/accel-probe)");
		return;
	}
	snprintf(path, sizeof(path), "%s/accel.json", dir);
	if (!(o = rb_json_load(path, RB_USER_JSON_MAX, true, err, sizeof(err)))) {
		line("kvm", "-", "not probed: %s: %s (scripts/hwcheck writes it)", path, err);
		return;
	}
	if (json_object_object_get_ex(o, "error", &x)) {
		line("kvm", "no", "scripts/accel-probe failed: %s", json_object_get_string(x));
	} else {
		const char *accel = json_object_get_string(json_object_object_get(o, "accel"));
		const char *why = json_object_get_string(json_object_object_get(o, "why"));
		struct json_object *tcg = json_object_object_get(o, "tcg"), *ns;
		char t[96] = "", w[120];

		if (tcg && json_object_object_get_ex(tcg, "ns_per_iter", &ns))
			snprintf(t, sizeof(t), "; TCG: %.2f ns per loop iteration", json_object_get_double(ns));
		/* QEMU's own words can run long: the first of them, the rest in the file */
		snprintf(w, sizeof(w), "%s", why ? why : "(no verdict)");
		if (why && strlen(why) >= sizeof(w))
			strcpy(w + sizeof(w) - 5, "...");
		line("kvm", accel && !strcmp(accel, "kvm") ? "ok" : "no", "%s%s", w, t);
	}
	json_object_put(o);
}

/* The CPU's PMU in sysfs: "cpu" (x86), "cpu_core"/"cpu_atom" (hybrid), "armv*" */
static bool find_pmu(char *name, size_t n)
{
	static const char *const cand[] = { "cpu", "cpu_core", "cpu_atom" };
	char all[1024], *p;

	for (size_t i = 0; i < sizeof(cand) / sizeof(cand[0]); i++) {
		char d[128];

		snprintf(d, sizeof(d), "/sys/bus/event_source/devices/%s", cand[i]);
		if (!access(at(d), F_OK)) {
			rb_strlcpy(name, cand[i], n);
			return true;
		}
	}
	if (names("/sys/bus/event_source/devices", "armv", all, sizeof(all)) > 0) {
		p = all + strcspn(all, ",");
		*p = '\0';
		rb_strlcpy(name, all, n);
		return true;
	}
	return false;
}

static bool check_pmu(void)
{
	char pmu[64], d[256], ev[1024], model[64], all[512];
	int n;

	if (!find_pmu(pmu, sizeof(pmu))) {
		n = names("/sys/bus/event_source/devices", "", all, sizeof(all));
		line("pmu", "no", "no CPU PMU in /sys/bus/event_source/devices (%s%s): a VM without a "
		     "virtual PMU, or TCG: no cycles or instructions here", n ? "only " : "empty", all);
		return false;
	}
	snprintf(d, sizeof(d), "/sys/bus/event_source/devices/%s/caps/pmu_name", pmu);
	rd(d, model, sizeof(model));
	snprintf(d, sizeof(d), "/sys/bus/event_source/devices/%s/events", pmu);
	n = names(d, "", ev, sizeof(ev));
	line("pmu", "ok", "%s%s%s%s: %d events: %s", pmu, model[0] ? " (" : "", model, model[0] ? ")" : "",
	     n, n ? ev : "(none listed)");
	return true;
}

/* kernel.perf_event_paranoid against what refbench's kernel-only events need */
static bool check_paranoid(bool pmu, unsigned long long caps)
{
	long p;
	const char *who = has_cap(caps, CAP_PERFMON_BIT) ? "CAP_PERFMON" :
			  has_cap(caps, CAP_SYS_ADMIN_BIT) ? "CAP_SYS_ADMIN" : NULL;

	if (!rd_long("/proc/sys/kernel/perf_event_paranoid", &p)) {
		line("paranoid", "no", "no /proc/sys/kernel/perf_event_paranoid: this kernel has no perf "
		     "events (CONFIG_PERF_EVENTS)");
		return false;
	}
	if (p <= 1) {
		line("paranoid", "ok", "kernel.perf_event_paranoid = %ld: counting the kernel in one's own "
		     "threads is allowed to every user", p);
		return true;
	}
	if (who) {
		line("paranoid", "ok", "kernel.perf_event_paranoid = %ld, but this process has %s: it may "
		     "count the kernel", p, who);
		return true;
	}
	line("paranoid", "no", "kernel.perf_event_paranoid = %ld (%s) refuses the kernel-only events "
	     "refbench counts (instructions:k, cycles:k...) to this process, which has neither CAP_PERFMON "
	     "nor CAP_SYS_ADMIN%s. Fix, one of: sysctl -w kernel.perf_event_paranoid=1 (as root; "
	     "/etc/sysctl.d/ keeps it), setcap cap_perfmon+ep bench/refbench (CAP_PERFMON, Linux >= 5.8), "
	     "or run as root", p, p == 2 ? "2: user space only" : p >= 3 ? "Debian's default: no "
	     "perf_event_open at all without a capability" : "?", pmu ? "" : " (and there is no PMU anyway)");
	return false;
}

static void check_nmi_watchdog(bool pmu)
{
	long v;

	if (!rd_long("/proc/sys/kernel/nmi_watchdog", &v))
		line("nmi_wd", "ok", "no /proc/sys/kernel/nmi_watchdog (no hard-lockup detector): it holds "
		     "no counter");
	else if (!v)
		line("nmi_wd", "ok", "kernel.nmi_watchdog = 0: it holds no counter");
	else if (!pmu)
		line("nmi_wd", "-", "kernel.nmi_watchdog = %ld, but without a PMU it holds no counter", v);
	else
		line("nmi_wd", "warn", "kernel.nmi_watchdog = %ld: the hard-lockup detector holds one PMU "
		     "counter (cycles) for good, so refbench's 8 events may be multiplexed (the self-check "
		     "says); free it: sysctl -w kernel.nmi_watchdog=0 (as root)", v);
}

/* a namespace's "mode size (blockdev)" from sysfs */
static void ns_desc(const char *ns, char *out, size_t n)
{
	char p[256], mode[32] = "?", size[32] = "0", dev[64] = "";
	long long sz;

	snprintf(p, sizeof(p), "/sys/bus/nd/devices/%s/mode", ns);
	rd(p, mode, sizeof(mode));
	snprintf(p, sizeof(p), "/sys/bus/nd/devices/%s/size", ns);
	rd(p, size, sizeof(size));
	snprintf(p, sizeof(p), "/sys/bus/nd/devices/%s/block", ns);
	names(p, "", dev, sizeof(dev));
	sz = strtoll(size, NULL, 10);
	snprintf(out, n, "%s %s %.1f GiB%s%s%s", ns, mode, (double)sz / (1 << 30), dev[0] ? " (/dev/" : "",
		 dev, dev[0] ? ")" : "");
}

/* Objects in a JSON tree that have key, counted */
static int json_count_key(struct json_object *o, const char *key)
{
	int n = 0;

	if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(o); i++)
			n += json_count_key(json_object_array_get_idx(o, i), key);
	} else if (json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, k, v) {
			if (!strcmp(k, key))
				n++;
			else
				n += json_count_key(v, key);
		}
	}
	return n;
}

/* what ndctl/daxctl listed (DIR/ndctl.json, DIR/daxctl.json), in words */
static void tool_list(const char *dir, const char *tool, const char *key, const char *what, char *out, size_t n)
{
	char path[PATH_MAX], err[256];
	struct json_object *o, *x;
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s.json", dir ? dir : "", tool);
	if (!dir || stat(path, &st)) {
		snprintf(out, n, "%s not run", tool);
		return;
	}
	if (!st.st_size) {
		/* an empty list is no output at all */
		snprintf(out, n, "%s lists no %s", tool, what);
		return;
	}
	if (!(o = rb_json_load(path, RB_USER_JSON_MAX, false, err, sizeof(err)))) {
		snprintf(out, n, "%s: %s", path, err);
		return;
	}
	if (json_object_object_get_ex(o, "missing", NULL))
		snprintf(out, n, "%s not installed (apt install %s)", tool, tool);
	else if (json_object_object_get_ex(o, "error", &x))
		snprintf(out, n, "%s failed: %s", tool, json_object_get_string(x));
	else
		snprintf(out, n, "%s lists %d %s", tool, json_count_key(o, key), what);
	json_object_put(o);
}

static void check_pmem(const char *dir)
{
	char ns[1024], regions[512], dax[512], cxl[512], desc[1500] = "", one[160], nd[128], dc[128];
	int nr = names("/sys/bus/nd/devices", "region", regions, sizeof(regions));
	int nn = names("/sys/bus/nd/devices", "namespace", ns, sizeof(ns));
	int nd_ = names("/sys/bus/dax/devices", "dax", dax, sizeof(dax));
	int nc = names("/sys/bus/cxl/devices", "mem", cxl, sizeof(cxl));
	size_t len = 0;

	for (char *s = strtok(ns, ", "); s && len < sizeof(desc); s = strtok(NULL, ", ")) {
		ns_desc(s, one, sizeof(one));
		if (strstr(one, " 0.0 GiB"))
			continue;	/* the idle seed namespace of a region */
		len += (size_t)snprintf(desc + len, sizeof(desc) - len, "%s%s", len ? "; " : "", one);
	}
	tool_list(dir, "ndctl", "dev", "devices", nd, sizeof(nd));
	tool_list(dir, "daxctl", "chardev", "dax devices", dc, sizeof(dc));
	if (!nr && !nd_ && !nc) {
		line("pmem", "no", "no NVDIMM region (/sys/bus/nd), dax device (/sys/bus/dax) or CXL "
		     "memdev (/sys/bus/cxl): no fsdax/devdax kinds here (the lab emulates them); %s, %s", nd, dc);
		return;
	}
	line("pmem", "ok", "%d NVDIMM region%s%s%s; dax: %s; CXL memdevs: %s; %s, %s", nr, nr == 1 ? "" : "s",
	     nn && desc[0] ? ": " : "", desc, nd_ ? dax : "none", nc ? cxl : "none", nd, dc);
	(void)nn;
}

static void check_kexec(unsigned long long caps)
{
	char why[512] = "", lock[128];
	long dis;
	size_t len = 0;
	const char *bin = !access(at("/usr/sbin/kexec"), X_OK) ? "/usr/sbin/kexec" :
			  !access(at("/sbin/kexec"), X_OK) ? "/sbin/kexec" : NULL;

#define WHY(...) (len += (size_t)snprintf(why + len, sizeof(why) - len, "%s", len ? "; " : ""), \
		  len += (size_t)snprintf(why + len, sizeof(why) - len, __VA_ARGS__))
	if (!bin)
		WHY("no kexec program (apt install kexec-tools)");
	if (!rd_long("/proc/sys/kernel/kexec_load_disabled", &dis))
		WHY("this kernel cannot kexec (no /proc/sys/kernel/kexec_load_disabled: built without CONFIG_KEXEC_CORE)");
	else if (dis)
		WHY("kernel.kexec_load_disabled = 1 (set once, until reboot)");
	if (rd("/sys/kernel/security/lockdown", lock, sizeof(lock)) && !strstr(lock, "[none]"))
		WHY("lockdown %s: only signed kernels (kexec_file_load)", lock);
	if (!has_cap(caps, CAP_SYS_BOOT_BIT))
		WHY("needs CAP_SYS_BOOT (root)");
#undef WHY
	if (why[0])
		line("kexec", "no", "%s: make ab TARGET=host cannot switch kernels here", why);
	else
		line("kexec", "ok", "%s, kexec_load_disabled = 0: make ab TARGET=host can switch kernels", bin);
}

static void check_watchdog(void)
{
	char devs[256], wd[256], desc[1024] = "";
	size_t len = 0;

	if (!names("/dev", "watchdog", devs, sizeof(devs))) {
		line("watchdog", "no", "no /dev/watchdog*: nothing reboots a hung host in host mode but a "
		     "person or a BMC (softdog covers a hung user space only)");
		return;
	}
	names("/sys/class/watchdog", "watchdog", wd, sizeof(wd));
	for (char *s = strtok(wd, ", "); s && len < sizeof(desc); s = strtok(NULL, ", ")) {
		char p[128], id[64] = "?", to[32] = "?", st[32] = "?";

		snprintf(p, sizeof(p), "/sys/class/watchdog/%s/identity", s);
		rd(p, id, sizeof(id));
		snprintf(p, sizeof(p), "/sys/class/watchdog/%s/timeout", s);
		rd(p, to, sizeof(to));
		snprintf(p, sizeof(p), "/sys/class/watchdog/%s/state", s);
		rd(p, st, sizeof(st));
		len += (size_t)snprintf(desc + len, sizeof(desc) - len, "%s/dev/%s: %s, timeout %s s, %s",
					len ? "; " : "", s, id, to, st);
	}
	line("watchdog", "ok", "%s", desc[0] ? desc : devs);
}

static void check_root(unsigned long long caps, bool paranoid_ok)
{
	if (has_cap(caps, CAP_SYS_ADMIN_BIT)) {
		line("root", "ok", "CAP_SYS_ADMIN: gup_test (debugfs), kexec and the sysctls above are "
		     "within reach");
		return;
	}
	line("root", "no", "as root refbench would also have: the gup-fast case (gup_test is in debugfs, "
	     "root's), kexec for host A/Bs, the nmi_watchdog switch%s", paranoid_ok ? "" :
	     ", and the kernel's hardware counts (perf_event_paranoid)");
}

/* One group of a run's samples: a metric of a point */
struct grp {
	char key[400];
	char unit[32];
	double v[64], hw[64];
	unsigned n, nhw;
};

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), cmp_d);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Reads DIR/run/samples.jsonl: counts per record type, medians per metric. */
static void run_samples(const char *path, bool hw)
{
	FILE *f = fopen(path, "re");
	char *l = NULL;
	size_t cap = 0, ng = 0;
	unsigned types[5] = { 0 };
	char skip[240] = "";
	static const char *const tn[5] = { "sample", "skipped", "unsupported", "rejected", "error" };
	struct grp *g = calloc(48, sizeof(*g));

	if (!f || !g) {
		line("samples", "no", "%s: %s", path, strerror(errno));
		free(g);
		if (f)
			fclose(f);
		return;
	}
	while (getline(&l, &cap, f) > 0) {
		struct json_object *o = json_tokener_parse(l), *x, *c;
		const char *type = o ? json_object_get_string(json_object_object_get(o, "type")) : NULL;
		char key[400];
		size_t i;

		for (int t = 0; type && t < 5; t++)
			types[t] += !strcmp(type, tn[t]);
		if (type && strcmp(type, "sample") && !skip[0]) {
			const char *why = json_object_get_string(json_object_object_get(o, "reason"));

			/* its first clause: the rest is in the file */
			snprintf(skip, sizeof(skip), " (first: %s %s: %.*s)",
				 json_object_get_string(json_object_object_get(o, "case")), type,
				 why ? (int)strcspn(why, ";") : 1, why ? why : "?");
		}
		if (!type || strcmp(type, "sample")) {
			json_object_put(o);
			continue;
		}
		snprintf(key, sizeof(key), "%s %s %s", json_object_get_string(json_object_object_get(o, "case")),
			 json_object_get_string(json_object_object_get(o, "kind")),
			 json_object_get_string(json_object_object_get(o, "metric")));
		if (json_object_object_get_ex(o, "params", &x)) {
			json_object_object_foreach(x, k, v) {
				/* the parameters a reader tells points apart by */
				if (!strcmp(k, "cmd") || !strcmp(k, "access") || !strcmp(k, "method") ||
				    !strcmp(k, "threads") || !strcmp(k, "mode"))
					snprintf(key + strlen(key), sizeof(key) - strlen(key), " %s=%s", k,
						 json_object_get_string(v));
			}
		}
		for (i = 0; i < ng && strcmp(g[i].key, key); i++)
			;
		if (i == ng && ng < 48) {
			rb_strlcpy(g[ng].key, key, sizeof(g[ng].key));
			rb_strlcpy(g[ng].unit, json_object_get_string(json_object_object_get(o, "unit")) ?: "?",
				   sizeof(g[ng].unit));
			ng++;
		}
		if (i < ng && g[i].n < 64) {
			g[i].v[g[i].n++] = json_object_get_double(json_object_object_get(o, "value"));
			if (hw && json_object_object_get_ex(o, "counters", &c) &&
			    json_object_object_get_ex(c, "values", &c) &&
			    json_object_object_get_ex(c, "instructions:k", &c) &&
			    json_object_object_get_ex(c, "per_op", &c))
				g[i].hw[g[i].nhw++] = json_object_get_double(c);
		}
		json_object_put(o);
	}
	free(l);
	fclose(f);
	line("samples", types[0] ? "ok" : "no", "%u samples, %u skipped, %u unsupported, %u rejected, %u "
	     "errors%s", types[0], types[1], types[2], types[3], types[4], skip);
	printf("    medians%s:\n", hw ? " (hw: instructions:k per op)" : "");
	for (size_t i = 0; i < ng && i < 8; i++) {
		char h[64] = "";

		if (g[i].nhw)
			snprintf(h, sizeof(h), "  hw %.1f insn:k", median(g[i].hw, g[i].nhw));
		printf("    %-46s %10.4g %s%s\n", g[i].key, median(g[i].v, g[i].n), g[i].unit, h);
	}
	if (ng > 8)
		printf("    (%zu more in %s)\n", ng - 8, path);
	free(g);
}

/* The host-mode run: its status, counters, self-check and medians; false when it did not complete */
static bool check_run(const char *dir)
{
	char path[PATH_MAX], ev[512] = "", err[256];
	struct json_object *m, *c, *sc, *x;
	const char *status, *src, *fb, *clock;
	bool hw, ok;

	snprintf(path, sizeof(path), "%s/run/meta.json", dir);
	if (!(m = rb_json_load(path, RB_USER_JSON_MAX, true, err, sizeof(err)))) {
		printf("\nrun: %s: %s: no host-mode run (scripts/hwcheck runs one)\n", path, err);
		return false;
	}
	status = json_object_get_string(json_object_object_get(m, "status"));
	clock = json_object_get_string(json_object_object_get(m, "clock"));
	ok = status && !strcmp(status, "complete");
	printf("\nrun %s/run: %s (suite %s)\n", dir, status ? status : "?",
	       json_object_get_string(json_object_object_get(json_object_object_get(m, "suite"), "name")));
	c = json_object_object_get(m, "counters");
	src = json_object_get_string(json_object_object_get(c, "source"));
	fb = json_object_get_string(json_object_object_get(c, "fallback"));
	hw = src && !strcmp(src, "hw");
	if (json_object_object_get_ex(c, "events", &x))
		for (size_t i = 0, len = 0; i < json_object_array_length(x) && len < sizeof(ev); i++)
			len += (size_t)snprintf(ev + len, sizeof(ev) - len, "%s%s", i ? ", " : "",
						json_object_get_string(json_object_array_get_idx(x, i)));
	if (hw)
		line("counters", "ok", "hardware: %s", ev);
	else
		line("counters", "no", "%s. Fallback: %s%s; every value is the clock's (%s), "
		     "no instruction or cycle counts", fb ? fb : "no hardware events",
		     src && !strcmp(src, "sw") ? "software events only: " : "no counters at all",
		     src && !strcmp(src, "sw") ? ev : "", clock ? clock : "?");
	sc = json_object_object_get(c, "selfcheck");
	if (sc && json_object_get_boolean(json_object_object_get(sc, "ran"))) {
		const char *v = json_object_get_string(json_object_object_get(sc, "verdict"));

		line("selfcheck", v && !strcmp(v, "ok") ? "ok" : "no", "%s: a loop of %lld instructions counted "
		     "%.0f user, %.0f kernel (error %+.3f%%)%s", v ? v : "?",
		     (long long)json_object_get_int64(json_object_object_get(sc, "loop_instructions")),
		     json_object_get_double(json_object_object_get(sc, "user_instructions")),
		     json_object_get_double(json_object_object_get(sc, "kernel_instructions")),
		     100 * json_object_get_double(json_object_object_get(sc, "error")),
		     json_object_get_boolean(json_object_object_get(sc, "multiplexed")) ?
		     "; multiplexed: values scaled" : "");
	} else if (!hw) {
		line("selfcheck", "-", "not run: no hardware events to check");
	} else {
		line("selfcheck", "no", "not run: %s", sc ? json_object_get_string(json_object_object_get(sc,
		     "skipped")) : "no counters.selfcheck in meta.json");
	}
	snprintf(path, sizeof(path), "%s/run/samples.jsonl", dir);
	run_samples(path, hw);
	json_object_put(m);
	return ok;
}

static void header(void)
{
	char host[64] = "?", rel[128] = "?", tbuf[32];
	char *model = rb_cpuinfo_field("model name");
	time_t now = time(NULL);

	gethostname(host, sizeof(host) - 1);
	rd("/proc/sys/kernel/osrelease", rel, sizeof(rel));
	strftime(tbuf, sizeof(tbuf), "%Y-%m-%d %H:%M UTC", gmtime(&now));
	printf("refbench hwcheck: %s, Linux %s, %s, %ld CPUs, %s\n", host, rel, model ? model : "?",
	       sysconf(_SC_NPROCESSORS_ONLN), tbuf);
	free(model);
}

int rb_cmd_hwcheck(int argc, char **argv)
{
	const char *dir = NULL, *r = getenv("RB_HWCHECK_ROOT");
	unsigned long long caps;
	bool pmu, par, ran = true;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("usage: refbench hwcheck [DIR]\n"
			       "  what this machine offers for measuring: KVM, the PMU, who may count with it,\n"
			       "  pmem/CXL/dax, kexec, the watchdog; with DIR (scripts/hwcheck fills it) also\n"
			       "  DIR/accel.json (scripts/accel-probe), DIR/ndctl.json, DIR/daxctl.json and the\n"
			       "  host-mode run DIR/run with its counters and their self-check.\n"
			       "  Exit 1 when DIR/run did not complete. RB_HWCHECK_ROOT=D reads /proc, /sys,\n"
			       "  /dev and /sbin under D.\n");
			return 0;
		}
		if (argv[i][0] == '-' || dir)
			rb_die_usage("hwcheck: unexpected argument '%s' (refbench hwcheck [DIR])", argv[i]);
		dir = argv[i];
	}
	if (dir && access(dir, F_OK))
		rb_die_usage("hwcheck: %s: %s (give the folder scripts/hwcheck made)", dir, strerror(errno));
	if (r && *r)
		root = r;
	caps = cap_eff();
	header();
	check_kvm(dir);
	pmu = check_pmu();
	par = check_paranoid(pmu, caps);
	check_nmi_watchdog(pmu);
	check_pmem(dir);
	check_kexec(caps);
	check_watchdog();
	check_root(caps, par);
	if (dir)
		ran = check_run(dir);
	printf("\nhardware counts: %s\n", pmu && par ? "possible here" : !pmu ?
	       "not here: no PMU (the runs time with the clock)" :
	       "not here: perf_event_paranoid (the fix is above)");
	return ran ? RB_EXIT_OK : RB_EXIT_FAIL;
}
