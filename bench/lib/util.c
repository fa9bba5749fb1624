// SPDX-License-Identifier: GPL-2.0
/* Small shared helpers: parameters, clocks, rusage, messages. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "lib/refbench.h"

size_t rb_strlcpy(char *dst, const char *src, size_t n)
{
	size_t len = strlen(src);

	if (n) {
		size_t c = len < n - 1 ? len : n - 1;
		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return len;
}

int rb_parse_size(const char *s, uint64_t *out)
{
	char *end;
	uint64_t v, mul = 1;

	/* decimal digits only: "010M" is not octal nor "0x800000" hex, and a
	 * leading zero (what C would read as octal) is refused, not guessed */
	if (!s || !isdigit((unsigned char)*s) || (s[0] == '0' && isdigit((unsigned char)s[1])))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return errno == ERANGE ? -ERANGE : -EINVAL;
	switch (*end) {
	case '\0': break;
	case 'k': case 'K': mul = 1ull << 10; end++; break;
	case 'm': case 'M': mul = 1ull << 20; end++; break;
	case 'g': case 'G': mul = 1ull << 30; end++; break;
	default: return -EINVAL;
	}
	if (*end == 'i' || *end == 'B')	/* accept 2MiB, 2MB */
		end += (*end == 'i' && end[1] == 'B') ? 2 : 1;
	if (*end)
		return -EINVAL;
	if (v && mul > UINT64_MAX / v)
		return -ERANGE;
	*out = v * mul;
	return 0;
}

const char *rb_param_str(const struct rb_params *p, const char *key)
{
	for (unsigned i = 0; i < p->n; i++)
		if (!strcmp(p->kv[i].key, key))
			return p->kv[i].val;
	return NULL;
}

int rb_param_u64(const struct rb_params *p, const char *key, uint64_t *out)
{
	const char *s = rb_param_str(p, key);

	if (!s)
		return -ENOENT;
	return rb_parse_size(s, out);
}

int rb_parse_ms(const char *s, uint64_t *ms)
{
	size_t n = strspn(s, "0123456789");
	uint64_t v;
	char num[24];
	int r;

	if (!n || n >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, n);
	num[n] = 0;
	if ((r = rb_parse_size(num, &v)))
		return r;
	if (!strcmp(s + n, "ms"))
		*ms = v;
	else if (!s[n] || !strcmp(s + n, "s"))
		*ms = v > UINT64_MAX / 1000 ? UINT64_MAX : v * 1000;
	else
		return -EINVAL;
	return 0;
}

int rb_param_ms(const struct rb_params *p, const char *key, uint64_t *ms)
{
	const char *s = rb_param_str(p, key);

	return s ? rb_parse_ms(s, ms) : -ENOENT;
}

int rb_params_set(struct rb_params *p, const char *key, const char *val)
{
	unsigned i;

	if (strlen(key) >= sizeof(p->kv[0].key) || strlen(val) >= sizeof(p->kv[0].val))
		return -ENAMETOOLONG;
	for (i = 0; i < p->n; i++)
		if (!strcmp(p->kv[i].key, key))
			break;
	if (i == p->n) {
		if (p->n == RB_MAX_PARAMS)
			return -ENOSPC;
		p->n++;
	}
	rb_strlcpy(p->kv[i].key, key, sizeof(p->kv[i].key));
	rb_strlcpy(p->kv[i].val, val, sizeof(p->kv[i].val));
	return 0;
}

uint64_t rb_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t rb_preempted_thread(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return (uint64_t)ru.ru_nivcsw;
}

uint64_t rb_minflt_thread(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return (uint64_t)ru.ru_minflt;
}

uint64_t rb_majflt_thread(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return (uint64_t)ru.ru_majflt;
}

int rb_pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

void rb_warn(const char *fmt, ...)
{
	va_list ap;

	fputs("refbench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void verror(const char *fmt, va_list ap)
{
	fputs("refbench: error: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int rb_error(int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(fmt, ap);
	va_end(ap);
	return rc;
}

void rb_die_usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(fmt, ap);
	va_end(ap);
	exit(RB_EXIT_USAGE);
}

const char *rb_time_unit(const struct rb_env *env, const char *per, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s", env && env->clock == RB_CLOCK_ICOUNT ? "insn" : "ns", per);
	return buf;
}

const char *rb_rate_unit(const struct rb_env *env, const char *what, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s", what, env && env->clock == RB_CLOCK_ICOUNT ? "Ginsn" : "s");
	return buf;
}

const char *rb_repo_path(const char *sub, char *buf, size_t n)
{
	char exe[PATH_MAX], probe[PATH_MAX + 16], *root = NULL;
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (len > 0) {
		exe[len] = '\0';
		/* <repo>/bench/refbench: two levels up, if it holds configs/ */
		for (int up = 0; up < 2; up++) {
			char *slash = strrchr(exe, '/');
			if (slash)
				*slash = '\0';
		}
		snprintf(probe, sizeof(probe), "%s/configs", exe);
		if (!access(probe, R_OK))
			root = realpath(exe, NULL);
	}
	snprintf(buf, n, "%s/%s", root ? root : RB_SRCDIR, sub);
	free(root);
	return buf;
}

bool rb_word_in(const char *list, const char *word)
{
	size_t wl = strlen(word);

	for (const char *p = list; p && (p = strstr(p, word)); p += wl)
		if ((p == list || p[-1] == ' ' || p[-1] == '\t') &&
		    (p[wl] == '\0' || p[wl] == ' ' || p[wl] == '\t' || p[wl] == '\n'))
			return true;
	return false;
}
