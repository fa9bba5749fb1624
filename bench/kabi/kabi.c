// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel test ABIs: the per-version variants of gup_test and test_hmm, the
 * probes that find the live one, and the pure rules the cases use to read
 * their answers (truncation, repetition sizing, fault-back counts).
 *
 * Self-contained on purpose (libc and zlib only): the unit test links this
 * file alone.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zlib.h>

#include "kabi/gup_test.h"
#include "kabi/test_hmm.h"

/* ------------------------------------------------------------------ */
/* kernel version and config                                          */

int rb_kver_parse(const char *release, struct rb_kver *v)
{
	unsigned a, b, c = 0;
	int used = 0;

	if (!release || sscanf(release, "%u.%u%n", &a, &b, &used) != 2)
		return -EINVAL;
	if (release[used] == '.')
		sscanf(release + used + 1, "%u", &c);
	v->major = a;
	v->minor = b;
	v->patch = c;
	return 0;
}

int rb_kver_cmp(struct rb_kver a, struct rb_kver b)
{
	if (a.major != b.major)
		return a.major < b.major ? -1 : 1;
	if (a.minor != b.minor)
		return a.minor < b.minor ? -1 : 1;
	return 0;
}

const char *rb_kernel_release(char *buf, size_t n)
{
	struct utsname u;

	if (!n)
		return buf;
	buf[0] = '\0';
	if (!uname(&u))
		snprintf(buf, n, "%s", u.release);
	return buf;
}

int rb_kconfig_lookup(const char *text, const char *sym, char *val, size_t n)
{
	char key[96], unset[112];
	size_t klen;

	if (n)
		val[0] = '\0';
	if (!strncmp(sym, "CONFIG_", 7))
		sym += 7;
	snprintf(key, sizeof(key), "CONFIG_%s=", sym);
	snprintf(unset, sizeof(unset), "# CONFIG_%s is not set", sym);
	klen = strlen(key);
	for (const char *l = text; l && *l; ) {
		const char *eol = strchr(l, '\n');
		size_t len = eol ? (size_t)(eol - l) : strlen(l);

		if (len >= klen && !strncmp(l, key, klen)) {
			size_t vl = len - klen;

			if (n) {
				if (vl >= n)
					vl = n - 1;
				memcpy(val, l + klen, vl);
				val[vl] = '\0';
			}
			/* =n is legal in a hand-written config and means off */
			return !(len - klen == 1 && l[klen] == 'n');
		}
		if (len == strlen(unset) && !strncmp(l, unset, len))
			return 0;
		l = eol ? eol + 1 : NULL;
	}
	return 0;	/* absent: its dependencies are off, or it does not exist here */
}

/* Whole file, through zlib so .gz and plain text read alike; a config
 * is far smaller than this, so more is not a config (callers check that
 * a path the user names is a regular file: lib/userfile.h) */
#define KCONFIG_TEXT_MAX (64u << 20)
static char *slurp_maybe_gz(const char *path)
{
	gzFile f = gzopen(path, "rb");
	size_t cap = 1 << 16, len = 0;
	char *buf;
	int r;

	if (!f)
		return NULL;
	buf = malloc(cap);
	while (buf) {
		if (len + 1 == cap) {
			char *nb = cap < KCONFIG_TEXT_MAX ? realloc(buf, cap * 2) : NULL;

			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		r = gzread(f, buf + len, (unsigned)(cap - 1 - len));
		if (r <= 0) {
			if (r < 0) {
				free(buf);
				buf = NULL;
			}
			break;
		}
		len += (size_t)r;
	}
	gzclose(f);
	if (buf)
		buf[len] = '\0';
	return buf;
}

char *rb_kconfig_text(const char *path, const char **source)
{
	static char boot_path[300];
	char rel[256];
	const char *paths[2] = { "/proc/config.gz", boot_path };

	if (source)
		*source = NULL;
	if (path) {
		char *text = slurp_maybe_gz(path);

		if (text && source)
			*source = path;
		return text;
	}
	snprintf(boot_path, sizeof(boot_path), "/boot/config-%s",
		 rb_kernel_release(rel, sizeof(rel)));
	for (unsigned i = 0; i < 2; i++) {
		char *text = slurp_maybe_gz(paths[i]);

		if (!text)
			continue;
		if (source)
			*source = paths[i];
		return text;
	}
	return NULL;
}

int rb_kconfig(const char *sym, char *val, size_t n, const char **source)
{
	char *text = rb_kconfig_text(NULL, source);
	int r;

	if (n)
		val[0] = '\0';
	if (!text)
		return -1;
	r = rb_kconfig_lookup(text, sym, val, n);
	free(text);
	return r;
}

/* ------------------------------------------------------------------ */
/* gup_test                                                           */

const struct rb_gup_abi rb_gup_abis[RB_GUP_ABI__COUNT] = {
	[RB_GUP_ABI_BENCHMARK_5_6] = {
		.id = RB_GUP_ABI_BENCHMARK_5_6, .name = "gup_benchmark 5.6-5.10",
		.since = RB_KVER(5, 6), .path = "/sys/kernel/debug/gup_benchmark",
		.struct_size = sizeof(struct rb_gup_benchmark_5_6),
		/* GUP_FAST=1 GUP=2 PIN_FAST=3 PIN=4 PIN_LONGTERM=5 */
		.nr = { [RB_GUP_CMD_GUP_FAST] = 1, [RB_GUP_CMD_PIN_FAST] = 3,
			[RB_GUP_CMD_PIN_LONGTERM] = 5 },
		.flags_write_only = true,
	},
	[RB_GUP_ABI_TEST_5_11] = {
		.id = RB_GUP_ABI_TEST_5_11, .name = "gup_test 5.11-5.12",
		.since = RB_KVER(5, 11), .path = "/sys/kernel/debug/gup_test",
		.struct_size = sizeof(struct rb_gup_test_5_11),
		.nr = { [RB_GUP_CMD_GUP_FAST] = 1, [RB_GUP_CMD_PIN_FAST] = 2,
			[RB_GUP_CMD_PIN_LONGTERM] = 3 },
		.flags_write_only = true,
	},
	[RB_GUP_ABI_TEST_5_13] = {
		.id = RB_GUP_ABI_TEST_5_13, .name = "gup_test 5.13-6.1",
		.since = RB_KVER(5, 13), .path = "/sys/kernel/debug/gup_test",
		.struct_size = sizeof(struct rb_gup_test_5_13),
		.nr = { [RB_GUP_CMD_GUP_FAST] = 1, [RB_GUP_CMD_PIN_FAST] = 2,
			[RB_GUP_CMD_PIN_LONGTERM] = 3 },
	},
	[RB_GUP_ABI_TEST_6_2] = {
		.id = RB_GUP_ABI_TEST_6_2, .name = "gup_test 6.2+",
		.since = RB_KVER(6, 2), .path = "/sys/kernel/debug/gup_test",
		.struct_size = sizeof(struct rb_gup_test_5_13),
		.nr = { [RB_GUP_CMD_GUP_FAST] = 1, [RB_GUP_CMD_PIN_FAST] = 2,
			[RB_GUP_CMD_PIN_LONGTERM] = 3 },
		.has_longterm_test = true,
	},
};

const struct rb_gup_abi *rb_gup_abi_for(struct rb_kver v, char *why, size_t n)
{
	if (rb_kver_cmp(v, RB_KVER(5, 6)) < 0) {
		/* 4.15-5.5 gup_benchmark numbers GUP_LONGTERM=2 GUP=3 and has no
		 * PIN_*: "pin" would silently run something else. */
		snprintf(why, n, "kernel %u.%u has the pre-5.6 gup_benchmark ABI (no "
			 "PIN_FAST_BENCHMARK, different numbering): gup-fast needs Linux 5.6 "
			 "or later (gup_test from 5.11)", v.major, v.minor);
		return NULL;
	}
	for (int i = RB_GUP_ABI__COUNT - 1; i >= 0; i--)
		if (rb_kver_cmp(v, rb_gup_abis[i].since) >= 0)
			return &rb_gup_abis[i];
	return NULL;	/* unreachable: 5.6 is the oldest */
}

unsigned long rb_gup_ioctl(const struct rb_gup_abi *abi, enum rb_gup_cmd cmd)
{
	return _IOC(_IOC_READ | _IOC_WRITE, 'g', abi->nr[cmd], abi->struct_size);
}

unsigned long rb_gup_longterm_start_ioctl(void)
{
	return _IOC(_IOC_WRITE, 'g', 7, sizeof(struct rb_pin_longterm_test));
}

unsigned long rb_gup_longterm_stop_ioctl(void)
{
	return _IOC(_IOC_NONE, 'g', 8, 0);
}

void rb_gup_encode(const struct rb_gup_abi *abi, const struct rb_gup_args *a, void *buf)
{
	memset(buf, 0, abi->struct_size);
	switch (abi->id) {
	case RB_GUP_ABI_BENCHMARK_5_6: {
		struct rb_gup_benchmark_5_6 s = {
			.addr = a->addr, .size = a->size,
			.nr_pages_per_call = a->nr_pages_per_call, .flags = a->gup_flags,
		};
		memcpy(buf, &s, sizeof(s));
		break;
	}
	case RB_GUP_ABI_TEST_5_11: {
		struct rb_gup_test_5_11 s = {
			.addr = a->addr, .size = a->size,
			.nr_pages_per_call = a->nr_pages_per_call, .flags = a->gup_flags,
		};
		memcpy(buf, &s, sizeof(s));
		break;
	}
	default: {
		struct rb_gup_test_5_13 s = {
			.addr = a->addr, .size = a->size,
			.nr_pages_per_call = a->nr_pages_per_call, .gup_flags = a->gup_flags,
		};
		memcpy(buf, &s, sizeof(s));
		break;
	}
	}
}

void rb_gup_decode(const struct rb_gup_abi *abi, const void *buf, struct rb_gup_args *a)
{
	switch (abi->id) {
	case RB_GUP_ABI_BENCHMARK_5_6: {
		struct rb_gup_benchmark_5_6 s;

		memcpy(&s, buf, sizeof(s));
		*a = (struct rb_gup_args){ s.get_delta_usec, s.put_delta_usec, s.addr, s.size,
					   s.nr_pages_per_call, s.flags };
		break;
	}
	case RB_GUP_ABI_TEST_5_11: {
		struct rb_gup_test_5_11 s;

		memcpy(&s, buf, sizeof(s));
		*a = (struct rb_gup_args){ s.get_delta_usec, s.put_delta_usec, s.addr, s.size,
					   s.nr_pages_per_call, s.flags };
		break;
	}
	default: {
		struct rb_gup_test_5_13 s;

		memcpy(&s, buf, sizeof(s));
		*a = (struct rb_gup_args){ s.get_delta_usec, s.put_delta_usec, s.addr, s.size,
					   s.nr_pages_per_call, s.gup_flags };
		break;
	}
	}
}

uint32_t rb_gup_flags(const struct rb_gup_abi *abi, bool write)
{
	/* Same bit in every variant; the older ones mask everything else away,
	 * 5.13+ passes gup_flags raw, so nothing but FOLL_WRITE is ever sent. */
	(void)abi;
	return write ? RB_FOLL_WRITE : 0;
}

static const char *const gup_cmd_names[] = {
	[RB_GUP_CMD_GUP_FAST] = "gup",
	[RB_GUP_CMD_PIN_FAST] = "pin",
	[RB_GUP_CMD_PIN_LONGTERM] = "pin-longterm",
};

int rb_gup_cmd_parse(const char *s)
{
	for (unsigned i = 0; s && i < sizeof(gup_cmd_names) / sizeof(gup_cmd_names[0]); i++)
		if (!strcmp(s, gup_cmd_names[i]))
			return (int)i;
	return -1;
}

const char *rb_gup_cmd_name(enum rb_gup_cmd cmd)
{
	return (unsigned)cmd < 3 ? gup_cmd_names[cmd] : "?";
}

bool rb_gup_truncation(uint64_t requested, uint64_t returned, uint64_t page_size,
		       char *why, size_t n)
{
	uint64_t ps = page_size ? page_size : 4096;

	if (returned == requested) {
		if (n)
			why[0] = '\0';
		return false;
	}
	if (returned > requested)
		snprintf(why, n, "the kernel returned size %llu, larger than the %llu requested: "
			 "ABI mismatch?", (unsigned long long)returned,
			 (unsigned long long)requested);
	else
		snprintf(why, n, "the kernel shrank size from %llu to %llu bytes: GUP stopped "
			 "after %llu of %llu pages (a call returned <= 0 at offset %llu or "
			 "pinned fewer pages than asked)", (unsigned long long)requested,
			 (unsigned long long)returned, (unsigned long long)(returned / ps),
			 (unsigned long long)(requested / ps), (unsigned long long)returned);
	return true;
}

unsigned rb_gup_plan_calls(uint64_t get_us_sum, uint64_t put_us_sum, unsigned calls_done,
			   uint64_t min_us, unsigned max_calls)
{
	uint64_t least = get_us_sum < put_us_sum ? get_us_sum : put_us_sum;
	/* aim at twice the floor: timing under TCG jitters by tens of % */
	uint64_t target = 2 * min_us;
	uint64_t calls;

	if (!max_calls)
		max_calls = 1;
	if (!calls_done)
		return 1;
	if (!least)
		calls = (uint64_t)calls_done * 10;
	else
		calls = (target * calls_done + least - 1) / least;
	if (calls < 1)
		calls = 1;
	return calls > max_calls ? max_calls : (unsigned)calls;
}

double rb_gup_tick_error_pct(unsigned calls, uint64_t sum_us)
{
	/* each delta is truncated to whole µs: under 1 µs lost per call */
	if (!sum_us)
		return 100.0;
	return 100.0 * (double)calls / (double)sum_us;
}

double rb_gup_ns_per_page(uint64_t sum_us, unsigned calls, uint64_t pages)
{
	if (!calls || !pages)
		return 0.0;
	return (double)sum_us * 1000.0 / ((double)calls * (double)pages);
}

const char *rb_gup_absent_reason(const struct rb_gup_absence *a, char *buf, size_t n)
{
	static const char mount_fix[] = "mount -t debugfs none /sys/kernel/debug";
	const char *src = a->config_source ? a->config_source : "the kernel config";

	if (a->debugfs_mounted == 0 && a->config_gup_test == 0)
		snprintf(buf, n, "no /sys/kernel/debug/gup_test: CONFIG_GUP_TEST is not set (%s): "
			 "rebuild with CONFIG_GUP_TEST=y; debugfs is not mounted either (%s)",
			 src, mount_fix);
	else if (a->debugfs_mounted == 0)
		snprintf(buf, n, "no /sys/kernel/debug/gup_test: debugfs is not mounted (%s)%s%s",
			 mount_fix, a->config_gup_test == 1 ? "; CONFIG_GUP_TEST=y per " : "",
			 a->config_gup_test == 1 ? src : "");
	else if (a->config_gup_test == 0)
		snprintf(buf, n, "no /sys/kernel/debug/gup_test: CONFIG_GUP_TEST is not set (%s): "
			 "rebuild with CONFIG_GUP_TEST=y (it needs CONFIG_DEBUG_FS)", src);
	else if (a->debugfs_mounted == 1 && a->config_gup_test == 1)
		snprintf(buf, n, "no /sys/kernel/debug/gup_test although debugfs is mounted and "
			 "CONFIG_GUP_TEST=y (%s): is debugfs restricted (debugfs= boot option, "
			 "lockdown)?", src);
	else if (a->debugfs_mounted == 1)
		snprintf(buf, n, "no /sys/kernel/debug/gup_test: CONFIG_GUP_TEST is off (debugfs "
			 "is mounted): rebuild with CONFIG_GUP_TEST=y");
	else
		snprintf(buf, n, "no /sys/kernel/debug/gup_test: CONFIG_GUP_TEST is off or debugfs "
			 "is not mounted (%s)", mount_fix);
	return buf;
}

/* One page of our own, written so it is present: the probe's target. */
static void *probe_page(size_t ps)
{
	char *p = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	memset(p, 0x5a, ps);
	return p;
}

/* 0: this layout answered; -EINVAL: the kernel does not know this ioctl
 * number (wrong struct size); other -errno: a real failure. */
static int gup_try_layout(int fd, const struct rb_gup_abi *abi, void *page, size_t ps)
{
	unsigned char buf[RB_GUP_ARGS_MAX];
	struct rb_gup_args a = { .addr = (uintptr_t)page, .size = ps, .nr_pages_per_call = 1 };

	rb_gup_encode(abi, &a, buf);
	if (ioctl(fd, rb_gup_ioctl(abi, RB_GUP_CMD_GUP_FAST), buf))
		return -errno;
	rb_gup_decode(abi, buf, &a);
	return a.size == ps ? 0 : -EIO;
}

int rb_gup_open_detect(const char *release, const struct rb_gup_abi **abi,
		       char *detail, size_t n)
{
	size_t ps = (size_t)sysconf(_SC_PAGESIZE);
	const struct rb_gup_abi *want, *order[RB_GUP_ABI__COUNT + 1];
	struct rb_kver v = { 0, 0, 0 };
	unsigned n_order = 0;
	char why[256] = "";
	void *page;
	int err = -ENOENT;

	*abi = NULL;
	if (rb_kver_parse(release, &v)) {
		snprintf(detail, n, "cannot parse kernel release \"%s\"", release);
		v = RB_KVER(99, 0);	/* unknown: try the newest layout first */
	}
	want = rb_gup_abi_for(v, why, sizeof(why));
	if (!want) {
		snprintf(detail, n, "%s", why);
		return -EOPNOTSUPP;
	}
	/* The version's layout first, then the others, newest first. */
	order[n_order++] = want;
	for (int i = RB_GUP_ABI__COUNT - 1; i >= 0; i--) {
		bool same = false;

		/* 5.13 and 6.2 share file and layout: one try covers both */
		for (unsigned j = 0; j < n_order; j++)
			same |= order[j]->struct_size == rb_gup_abis[i].struct_size &&
				!strcmp(order[j]->path, rb_gup_abis[i].path);
		if (!same)
			order[n_order++] = &rb_gup_abis[i];
	}

	page = probe_page(ps);
	if (!page) {
		snprintf(detail, n, "mmap of a probe page failed: %s", strerror(errno));
		return -ENOMEM;
	}
	for (unsigned i = 0; i < n_order; i++) {
		const struct rb_gup_abi *c = order[i];
		int fd = open(c->path, O_RDWR | O_CLOEXEC);

		if (fd < 0) {
			if (errno != ENOENT) {
				err = -errno;
				snprintf(detail, n, "open %s: %s%s", c->path, strerror(errno),
					 errno == EACCES || errno == EPERM ?
					 " (needs root; under kernel lockdown debugfs is closed)" : "");
				break;
			}
			continue;
		}
		err = gup_try_layout(fd, c, page, ps);
		if (!err) {
			/* 5.13 and 6.2 share a layout: the version tells them apart. */
			if (c->struct_size == sizeof(struct rb_gup_test_5_13))
				c = &rb_gup_abis[rb_kver_cmp(v, RB_KVER(6, 2)) >= 0 ?
						 RB_GUP_ABI_TEST_6_2 : RB_GUP_ABI_TEST_5_13];
			*abi = c;
			if (c == want)
				snprintf(detail, n, "%s (%zu-byte struct, ioctl 0x%lx) for %s",
					 c->name, c->struct_size,
					 rb_gup_ioctl(c, RB_GUP_CMD_GUP_FAST), release);
			else
				snprintf(detail, n, "%s: the kernel answered to the %zu-byte layout, "
					 "not the %zu-byte one its version %s suggests (a backport?)",
					 c->name, c->struct_size, want->struct_size, release);
			munmap(page, ps);
			return fd;
		}
		close(fd);
		if (err != -EINVAL) {
			snprintf(detail, n, "%s: one-page GUP_FAST_BENCHMARK probe failed: %s",
				 c->path, strerror(-err));
			break;
		}
		snprintf(detail, n, "%s: no known layout answered (tried up to %s); the "
			 "struct changed: update bench/kabi/gup_test.h", c->path, c->name);
	}
	munmap(page, ps);
	if (err == -ENOENT)
		snprintf(detail, n, "neither %s nor %s exists", rb_gup_abis[RB_GUP_ABI_TEST_6_2].path,
			 rb_gup_abis[RB_GUP_ABI_BENCHMARK_5_6].path);
	return err;
}

/* ------------------------------------------------------------------ */
/* test_hmm                                                           */

const struct rb_hmm_abi rb_hmm_abis[RB_HMM_ABI__COUNT] = {
	[RB_HMM_ABI_5_8] = {
		.id = RB_HMM_ABI_5_8, .name = "test_hmm 5.8-5.13", .since = RB_KVER(5, 8),
		.read = 0, .write = 1, .migrate_to_dev = 2, .migrate_to_sys = -1,
		.snapshot = 3, .exclusive = -1, .check_exclusive = -1, .release = -1, .flags = -1,
		.faultback = RB_HMM_COUNT_PAGES, .kernels = "5.8-5.13",
	},
	[RB_HMM_ABI_5_14] = {
		.id = RB_HMM_ABI_5_14, .name = "test_hmm 5.14-5.19", .since = RB_KVER(5, 14),
		.read = 0, .write = 1, .migrate_to_dev = 2, .migrate_to_sys = -1,
		.snapshot = 3, .exclusive = 4, .check_exclusive = 5, .release = -1, .flags = -1,
		.faultback = RB_HMM_COUNT_PAGES, .kernels = "5.14-5.19",
	},
	[RB_HMM_ABI_6_0] = {
		.id = RB_HMM_ABI_6_0, .name = "test_hmm 6.0", .since = RB_KVER(6, 0),
		.read = 0, .write = 1, .migrate_to_dev = 2, .migrate_to_sys = 3,
		.snapshot = 4, .exclusive = 5, .check_exclusive = 6, .release = -1, .flags = -1,
		.faultback = RB_HMM_COUNT_PAGES, .kernels = "6.0",
	},
	/* read in 6.1 and 6.12: THPs are split into 4K device pages */
	[RB_HMM_ABI_6_1] = {
		.id = RB_HMM_ABI_6_1, .name = "test_hmm 6.1 (4K device pages)", .since = RB_KVER(6, 1),
		.read = 0, .write = 1, .migrate_to_dev = 2, .migrate_to_sys = 3,
		.snapshot = 4, .exclusive = 5, .check_exclusive = 6, .release = 7, .flags = -1,
		.to_sys_counts_cpages = true, .to_sys_count = RB_HMM_COUNT_PAGES,
		.faultback = RB_HMM_COUNT_PAGES, .kernels = "6.1-6.18 (read: 6.1, 6.12)",
	},
	/* read in 7.2 and 7.3. It came with the device-private THP series; the FLAGS
	 * probe, not this `since`, decides between it and the 6.1 row. */
	[RB_HMM_ABI_THP] = {
		.id = RB_HMM_ABI_THP, .name = "test_hmm device-private THP", .since = RB_KVER(6, 19),
		.read = 0, .write = 1, .migrate_to_dev = 2, .migrate_to_sys = 3,
		.snapshot = 4, .exclusive = 5, .check_exclusive = 6, .release = 7, .flags = 8,
		.to_sys_counts_cpages = true, .to_sys_count = RB_HMM_COUNT_ENTRIES,
		.faultback = RB_HMM_COUNT_ENTRIES, .kernels = "6.19-7.3 (read: 7.2, 7.3)",
	},
};

const struct rb_hmm_abi *rb_hmm_abi_for(struct rb_kver v, char *why, size_t n)
{
	if (rb_kver_cmp(v, RB_HMM_KNOWN_UNTIL) > 0) {
		snprintf(why, n, "test_hmm (/dev/hmm_dmirror0): refbench declares what its ioctls "
			 "report for kernels %s; %u.%u is newer: read its lib/test_hmm.c and "
			 "add a row to bench/kabi (test_hmm.h, kabi.c)", RB_HMM_KNOWN_TEXT,
			 v.major, v.minor);
		return NULL;
	}
	for (int i = RB_HMM_ABI__COUNT - 1; i > 0; i--)
		if (rb_kver_cmp(v, rb_hmm_abis[i].since) >= 0)
			return &rb_hmm_abis[i];
	return &rb_hmm_abis[RB_HMM_ABI_5_8];
}

unsigned long rb_hmm_ioctl(int nr)
{
	return _IOC(_IOC_READ | _IOC_WRITE, 'H', (unsigned)nr, sizeof(struct rb_hmm_dmirror_cmd));
}

enum rb_hmm_nr3 rb_hmm_nr3_verdict(int ioctl_ret, uint8_t sentinel, uint8_t after,
				   uint64_t cpages)
{
	if (ioctl_ret)
		return RB_HMM_NR3_UNKNOWN;
	if (after != sentinel)
		return RB_HMM_NR3_SNAPSHOT;	/* it wrote a PROT byte */
	if (cpages == 0)
		return RB_HMM_NR3_MIGRATE_TO_SYS;	/* a system page: nothing to move */
	return RB_HMM_NR3_UNKNOWN;
}

const struct rb_hmm_abi *rb_hmm_abi_resolve(struct rb_kver v, enum rb_hmm_nr3 nr3,
					    bool flags_accepted)
{
	char why[8];
	const struct rb_hmm_abi *base = rb_hmm_abi_for(v, why, sizeof(why));

	if (!base)
		base = &rb_hmm_abis[RB_HMM_ABI_THP];
	/* 6.1 and THP drivers number alike; only the THP one knows FLAGS */
	if (base->id == RB_HMM_ABI_6_1 || base->id == RB_HMM_ABI_THP)
		base = &rb_hmm_abis[flags_accepted ? RB_HMM_ABI_THP : RB_HMM_ABI_6_1];
	switch (nr3) {
	case RB_HMM_NR3_SNAPSHOT:
		if (base->migrate_to_sys < 0)
			return base;
		return &rb_hmm_abis[RB_HMM_ABI_5_14];	/* newest numbering with SNAPSHOT=3 */
	case RB_HMM_NR3_MIGRATE_TO_SYS:
		if (base->migrate_to_sys >= 0)
			return base;
		/* a backport: trust the numbering, not the cpages of 6.1 */
		return &rb_hmm_abis[RB_HMM_ABI_6_0];
	default:
		return base;
	}
}

long rb_hmm_count_explain(enum rb_hmm_count how, bool thp_source, uint64_t npages,
			  uint64_t count, uint64_t pmd_pages, const char *what, char *why,
			  size_t n)
{
	unsigned long long N = npages, c = count, P = pmd_pages, thps;

	if (npages && count == npages) {
		snprintf(why, n, "%s %llu for %llu pages: one per 4K page", what, c, N);
		return 0;
	}
	if (how == RB_HMM_COUNT_ENTRIES && thp_source && P > 1 && c < N && (N - c) % (P - 1) == 0 &&
	    (thps = (N - c) / (P - 1)) <= N / P) {
		snprintf(why, n, "%s %llu for %llu pages: %llu device THPs (counted once each) "
			 "and %llu 4K pages", what, c, N, thps, N - thps * P);
		return (long)thps;
	}
	if (how == RB_HMM_COUNT_ENTRIES && thp_source && P > 1)
		snprintf(why, n, "%s %llu for %llu pages: no mix of %llu-page device THPs "
			 "(counted once) and 4K pages gives that; expected %llu to %llu",
			 what, c, N, P, N / P + N % P, N);
	else
		snprintf(why, n, "%s %llu for %llu pages: expected one per 4K page%s", what, c, N,
			 c < N ? "; some pages were not moved" : "; pages were counted twice");
	return -1;
}

double rb_hmm_gbps(uint64_t bytes, uint64_t ns)
{
	return ns ? (double)bytes / (double)ns : 0.0;
}

int rb_hmm_chrdev_major(const char *text)
{
	bool chr = false;

	for (const char *l = text; l && *l; ) {
		const char *eol = strchr(l, '\n');
		char name[64];
		int major;

		if (!strncmp(l, "Character devices:", 18))
			chr = true;
		else if (!strncmp(l, "Block devices:", 14))
			chr = false;
		else if (chr && sscanf(l, "%d %63s", &major, name) == 2 &&
			 !strcmp(name, "HMM_DMIRROR"))
			return major;
		l = eol ? eol + 1 : NULL;
	}
	return -1;
}

const char *rb_hmm_absent_reason(const struct rb_hmm_absence *a, char *buf, size_t n)
{
	const char *dev = a->device ? a->device : RB_HMM_DEVICE;
	const char *src = a->config_source ? a->config_source : "the kernel config";

	if (a->chrdev_major >= 0)
		snprintf(buf, n, "no %s: test_hmm is loaded (HMM_DMIRROR, major %d) but the node "
			 "is missing: mount devtmpfs on /dev, or mknod %s c %d 0", dev,
			 a->chrdev_major, dev, a->chrdev_major);
	else if (a->config_test_hmm == 0)
		snprintf(buf, n, "no %s: CONFIG_TEST_HMM is not set (%s): rebuild with "
			 "CONFIG_TEST_HMM=m (it needs CONFIG_RUNTIME_TESTING_MENU and "
			 "CONFIG_DEVICE_PRIVATE%s)", dev, src,
			 a->config_device_private == 0 ? ", which is off too" : "");
	else if (a->config_test_hmm == 2)
		snprintf(buf, n, "no %s: CONFIG_TEST_HMM=m but test_hmm is not loaded: "
			 "modprobe test_hmm", dev);
	else if (a->config_test_hmm == 1)
		snprintf(buf, n, "no %s: CONFIG_TEST_HMM=y (%s) but no HMM_DMIRROR in "
			 "/proc/devices: the driver failed to initialise (see dmesg)", dev, src);
	else
		snprintf(buf, n, "no %s: CONFIG_TEST_HMM is off or test_hmm is not loaded "
			 "(modprobe test_hmm; it needs CONFIG_DEVICE_PRIVATE)", dev);
	return buf;
}

int rb_hmm_open_detect(const char *device, const char *release,
		       const struct rb_hmm_abi **abi, char *detail, size_t n)
{
	size_t ps = (size_t)sysconf(_SC_PAGESIZE);
	const uint8_t sentinel = 0xa5;	/* no PROT_* combination has this value */
	struct rb_kver v = { 0, 0, 0 };
	struct rb_hmm_dmirror_cmd cmd;
	enum rb_hmm_nr3 nr3;
	uint8_t *page, *out;
	int fd, pfd, ret, e = 0;
	bool flags_ok;

	*abi = NULL;
	fd = open(device, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		snprintf(detail, n, "open %s: %s", device, strerror(e));
		return -e;
	}
	if (rb_kver_parse(release, &v) || !rb_hmm_abi_for(v, detail, n)) {
		if (rb_kver_parse(release, &v))
			snprintf(detail, n, "test_hmm: kernel release '%s' has no version number; "
				 "refbench declares test_hmm's answers for kernels %s only",
				 release ? release : "", RB_HMM_KNOWN_TEXT);
		close(fd);
		return -EPROTONOSUPPORT;
	}
	page = probe_page(ps);
	out = probe_page(ps);
	if (!page || !out) {
		snprintf(detail, n, "mmap of probe pages failed");
		if (page)
			munmap(page, ps);
		if (out)
			munmap(out, ps);
		close(fd);
		return -ENOMEM;
	}
	memset(out, sentinel, ps);
	cmd = (struct rb_hmm_dmirror_cmd){ .addr = (uintptr_t)page, .ptr = (uintptr_t)out,
					   .npages = 1 };
	ret = ioctl(fd, rb_hmm_ioctl(3), &cmd);
	if (ret)
		e = errno;
	nr3 = rb_hmm_nr3_verdict(ret, sentinel, out[0], cmd.cpages);
	/* FLAGS (nr 8) sets the open file's flags to npages, which must be >= 1:
	 * 2 sets no bit the driver tests (FAIL_ALLOC is bit 0), and on a file
	 * of its own that is closed at once. Before the THP driver nr 8 is
	 * unknown: -EINVAL. */
	flags_ok = false;
	if ((pfd = open(device, O_RDWR | O_CLOEXEC)) >= 0) {
		cmd = (struct rb_hmm_dmirror_cmd){ .addr = (uintptr_t)page, .npages = 2 };
		flags_ok = ioctl(pfd, rb_hmm_ioctl(8), &cmd) == 0;
		close(pfd);
	}
	*abi = rb_hmm_abi_resolve(v, nr3, flags_ok);
	if (nr3 == RB_HMM_NR3_UNKNOWN)
		snprintf(detail, n, "%s for %s (ioctl nr 3 acted as neither SNAPSHOT nor "
			 "MIGRATE_TO_SYS%s%s: the version table decides)", (*abi)->name, release,
			 ret ? ": " : "", ret ? strerror(e) : "");
	else
		snprintf(detail, n, "%s for %s (ioctl nr 3 acted as %s; FLAGS %s)", (*abi)->name,
			 release, nr3 == RB_HMM_NR3_SNAPSHOT ? "SNAPSHOT" : "MIGRATE_TO_SYS",
			 flags_ok ? "accepted" : "unknown");
	munmap(page, ps);
	munmap(out, ps);
	return fd;
}
