// SPDX-License-Identifier: GPL-2.0
/* What a plan decides from its inputs alone (plan.h): SPEC -> kernels/build
 * arguments, the memory of a boot, boots at once, durations, patch layouts. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/plan/plan.h"
#include "lib/json.h"
#include "lib/refbench.h"
#include "lib/userfile.h"

static bool is_dir(const char *p)
{
	struct stat st;

	return !stat(p, &st) && S_ISDIR(st.st_mode);
}

static bool is_file(const char *p)
{
	struct stat st;

	return !stat(p, &st) && S_ISREG(st.st_mode);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

static bool is_tarball(const char *s)
{
	return ends_with(s, ".tar") || strstr(s, ".tar.") || ends_with(s, ".tgz");
}

/* "6.12": Debian's linux-source-6.12 (scripts/ksrc) */
static bool is_series(const char *s)
{
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return false;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p++ != '.' || !isdigit((unsigned char)*p))
		return false;
	while (isdigit((unsigned char)*p))
		p++;
	return !*p;
}

static int push(char **argv, size_t max, size_t *i, const char *s)
{
	if (*i + 1 >= max || !(argv[*i] = strdup(s)))
		return -1;
	argv[++*i] = NULL;
	return 0;
}

bool rb_plan_kernel_dir(const char *dir, char *ver, size_t n)
{
	char path[PATH_MAX + 32], why[256];
	struct json_object *bi;
	const char *v;

	*ver = '\0';
	snprintf(path, sizeof(path), "%s/bzImage", dir);
	if (!is_dir(dir) || !is_file(path))
		return false;
	snprintf(path, sizeof(path), "%s/build-info.json", dir);
	if (!is_file(path) || !(bi = rb_json_load(path, 1u << 20, true, why, sizeof(why))))
		return false;
	v = rb_json_get_str(bi, "kernelversion");
	snprintf(ver, n, "%s", v ? v : "");
	json_object_put(bi);
	return true;
}

int rb_plan_build_args(const char *spec, const char *ksrc, char **argv, size_t max, char *err, size_t n)
{
	char src[PATH_MAX], pat[PATH_MAX] = "", abs[PATH_MAX];
	const char *plus = strrchr(spec, '+');
	size_t i = 0;

	argv[0] = NULL;
	rb_strlcpy(src, spec, sizeof(src));
	if (plus) {
		src[plus - spec] = '\0';
		rb_strlcpy(pat, plus + 1, sizeof(pat));
		if (!*pat || access(pat, F_OK)) {
			snprintf(err, n, "patches '%s' (in '%s') not found", pat, spec);
			return -1;
		}
		if (!realpath(pat, abs)) {
			snprintf(err, n, "patches '%s': %s", pat, strerror(errno));
			return -1;
		}
		rb_strlcpy(pat, abs, sizeof(pat));
	}
	if (!*src || !strcmp(src, "stock")) {
		/* the default tree: Debian's linux-source-6.1 */
	} else if (is_tarball(src)) {
		if (!is_file(src)) {
			snprintf(err, n, "tarball '%s' not found", src);
			return -1;
		}
		if (push(argv, max, &i, "--src") || push(argv, max, &i, src))
			goto nomem;
	} else if (is_dir(src) || is_series(src)) {
		if (push(argv, max, &i, "--src") || push(argv, max, &i, src))
			goto nomem;
	} else if (ksrc && *ksrc) {
		if (push(argv, max, &i, "--src") || push(argv, max, &i, ksrc) ||
		    push(argv, max, &i, "--ref") || push(argv, max, &i, src))
			goto nomem;
	} else {
		snprintf(err, n, "'%s' is neither X.Y, a tarball nor a tree; for a git ref give --ksrc TREE (KSRC=)", src);
		return -1;
	}
	if (*pat && (push(argv, max, &i, "--patches") || push(argv, max, &i, pat)))
		goto nomem;
	return 0;
nomem:
	snprintf(err, n, "too many arguments for '%s'", spec);
	return -1;
}

static double num(struct json_object *o, const char *a, const char *b, bool *ok)
{
	struct json_object *x, *y;

	if (!json_object_object_get_ex(o, a, &x) || !json_object_object_get_ex(x, b, &y) ||
	    !(json_object_is_type(y, json_type_int) || json_object_is_type(y, json_type_double))) {
		*ok = false;
		return 0;
	}
	return json_object_get_double(y);
}

long rb_plan_boot_mib(struct json_object *dry, char *err, size_t n)
{
	bool ok = true, has_label = true;
	double mem = num(dry, "qemu", "mem_mib", &ok), pmem = num(dry, "pmem", "size_mib", &ok);
	double label = num(dry, "pmem", "label_size_mib", &has_label);
	struct json_object *root, *kind;
	long mib;

	if (!ok) {
		snprintf(err, n, "the lab's dry run gives no qemu.mem_mib or pmem.size_mib");
		return -1;
	}
	/* QEMU itself and its translation cache: 1 GiB */
	mib = (long)(mem + pmem + (has_label ? label : 0)) + 1024;
	if (json_object_object_get_ex(dry, "root", &root) && json_object_object_get_ex(root, "kind", &kind) &&
	    !strcmp(json_object_get_string(kind), "initramfs"))
		mib += 128;
	return mib;
}

int rb_plan_njobs(long jobs, long ncpu, long most_useful, long need, long free_mib, char *err, size_t n)
{
	long want = jobs;

	if (need <= 0) {
		snprintf(err, n, "a boot's memory is unknown");
		return -1;
	}
	if (!jobs) {
		want = ncpu > 0 ? ncpu : 1;
		if (most_useful > 0 && want > most_useful)
			want = most_useful;
		if (free_mib / need < want)
			want = free_mib / need;
	}
	if (want < 1 || want * need > free_mib) {
		snprintf(err, n, "%ld boot(s) at once need %ld MiB (%ld MiB each: guest RAM, pmem, QEMU), and "
			 "%ld MiB are available: free memory, or lower --jobs (JOBS=), --mem or --pmem-size (--lab-args)",
			 want > 0 ? want : 1, (want > 0 ? want : 1) * need, need, free_mib);
		return -1;
	}
	return (int)want;
}

long rb_plan_duration(const char *s)
{
	char *end;
	long v, mul = 1;

	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || v <= 0)
		return -1;
	if (*end == 's')
		end++;
	else if (*end == 'm')
		mul = 60, end++;
	else if (*end == 'h')
		mul = 3600, end++;
	if (*end || v > LONG_MAX / mul)
		return -1;
	return v * mul;
}

const char *rb_plan_series_of(const char *version, char *buf, size_t n)
{
	const char *dot = version ? strchr(version, '.') : NULL;
	size_t len;

	if (!dot) {
		snprintf(buf, n, "%s", version ? version : "");
		return buf;
	}
	len = strspn(dot + 1, "0123456789");
	snprintf(buf, n, "%.*s", (int)(dot + 1 + len - version), version);
	return buf;
}

static bool has_patch_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool any = false;
	char p[PATH_MAX + 256];

	if (!d)
		return false;
	while (!any && (e = readdir(d))) {
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		any = ends_with(e->d_name, ".patch") && is_file(p);
	}
	closedir(d);
	return any;
}

const char *rb_plan_patch_dir(const char *dir, const char *version, char *buf, size_t n, char *err, size_t en)
{
	char series[32], have[512] = "", p[PATH_MAX + 256];
	DIR *d;
	struct dirent *e;

	if (has_patch_files(dir)) {
		snprintf(buf, n, "%s", dir);
		return buf;
	}
	rb_plan_series_of(version, series, sizeof(series));
	snprintf(p, sizeof(p), "%s/%s", dir, series);
	if (*series && is_dir(p)) {
		snprintf(buf, n, "%s", p);
		return buf;
	}
	if ((d = opendir(dir))) {
		while ((e = readdir(d))) {
			snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
			if (is_series(e->d_name) && is_dir(p) && strlen(have) + strlen(e->d_name) + 3 < sizeof(have))
				snprintf(have + strlen(have), sizeof(have) - strlen(have), "%s%s", *have ? ", " : "",
					 e->d_name);
		}
		closedir(d);
	}
	if (*have)
		snprintf(err, en, "%s has patches for %s, not for this tree's %s (%s); add %s/%s/ or pick another "
			 "--src", dir, have, series, version, dir, series);
	else
		snprintf(err, en, "%s: no *.patch files in that directory%s%s%s", dir, *series ? " (nor in " : "",
			 *series ? series : "", *series ? "/)" : "");
	return NULL;
}

int rb_plan_target_url(const char *given, char *buf, size_t n, char *err, size_t en)
{
	const char *s = !strncmp(given, "ssh://", 6) ? given + 6 : given;
	size_t len = strlen(s), at = 0, colon = 0;
	long port = 22;

	while (len && s[len - 1] == '/')
		len--;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '@' && !at && !colon && i) {
			at = i + 1;
		} else if (c == ':' && !colon && i > at) {
			colon = i;
		} else if (colon ? !isdigit(c) : !(isalnum(c) || c == '.' || c == '-' || c == '_')) {
			goto bad;
		}
	}
	/* a user or host that starts with '-' would be an ssh option */
	if (!len || len == at || (colon && colon + 1 == len) || s[0] == '-' || s[at] == '-')
		goto bad;
	if (colon) {
		port = strtol(s + colon + 1, NULL, 10);
		if (colon + 6 < len || port < 1 || port > 65535) {
			snprintf(err, en, "target '%s': the port must be 1-65535 (give [ssh://][user@]host[:port])", given);
			return -1;
		}
	}
	/* one target, one name: ssh://h:22 is ssh://h */
	if (port == 22)
		snprintf(buf, n, "ssh://%.*s", (int)(colon ? colon : len), s);
	else
		snprintf(buf, n, "ssh://%.*s:%ld", (int)colon, s, port);
	return 0;
bad:
	snprintf(err, en, "target '%s': give [ssh://][user@]host[:port] (a host name, an optional user and port)",
		 given);
	return -1;
}

int rb_plan_assign(struct rb_plan_slot *boots, size_t n, const bool *up, size_t ntargets)
{
	size_t load[RB_PLAN_MAX_TARGETS] = { 0 }, done[RB_PLAN_MAX_TARGETS] = { 0 };
	bool live = false;

	if (ntargets > RB_PLAN_MAX_TARGETS)
		return -1;
	for (size_t t = 0; t < ntargets; t++)
		live |= up[t];
	/* a pending boot keeps a target that is up; the load is what each has to boot */
	for (size_t i = 0; i < n; i++) {
		if (!boots[i].pending) {
			if (boots[i].target >= 0 && (size_t)boots[i].target < ntargets)
				done[boots[i].target]++;
			continue;
		}
		if (boots[i].target >= 0 && (size_t)boots[i].target < ntargets && up[boots[i].target])
			load[boots[i].target]++;
		else
			boots[i].target = -1;
	}
	for (size_t i = 0; i < n; i++) {
		size_t best = SIZE_MAX;

		if (!boots[i].pending || boots[i].target >= 0)
			continue;
		if (!live)
			return -1;
		/* a group (an A/B's round) boots on one target: a boot joins its
		 * group's target where that is up */
		for (size_t k = 0; k < n && best == SIZE_MAX; k++)
			if (k != i && boots[k].group == boots[i].group && boots[k].target >= 0 &&
			    (size_t)boots[k].target < ntargets && up[boots[k].target])
				best = (size_t)boots[k].target;
		for (size_t t = 0; t < ntargets && best == SIZE_MAX; t++)
			if (up[t]) {
				best = t;
				/* of equals, the one that booted least: the rounds
				 * that ROUNDS=auto adds one at a time spread too */
				for (size_t u = t + 1; u < ntargets; u++)
					if (up[u] && (load[u] < load[best] || (load[u] == load[best] && done[u] < done[best])))
						best = u;
			}
		boots[i].target = (int)best;
		load[best]++;
	}
	return 0;
}
