/* SPDX-License-Identifier: GPL-2.0 */
/*
 * refbench's own declarations of the kernel's GUP benchmark ABI
 * (debugfs gup_test, formerly gup_benchmark). It is a private test ABI with
 * no uapi header, and the running kernel (not the build host) decides which
 * layout is live, so every known layout is declared here side by side and a
 * probe picks one at run time.
 *
 * The ioctl number encodes sizeof(struct): a layout mismatch is not silent,
 * the kernel answers -EINVAL. Sources read (torvalds/linux):
 *
 *   5.6 .. 5.10  mm/gup_benchmark.c  struct gup_benchmark, 120 bytes,
 *                GUP_FAST=1 GUP=2 PIN_FAST=3 PIN=4 PIN_LONGTERM=5;
 *                flags filtered to FOLL_WRITE ("use proper FOLL_WRITE flags").
 *   5.11, 5.12   mm/gup_test.h  struct gup_test, 72 bytes (one u32 `flags`
 *                shared by gup and test flags, filtered to FOLL_WRITE),
 *                GUP_FAST=1 PIN_FAST=2 PIN_LONGTERM=3 ...
 *   5.13 ..      `flags` split into gup_flags + test_flags: 80 bytes, raw
 *                gup_flags ("selftests/vm: gup_test: fix test flag").
 *   6.2 ..       same struct, plus PIN_LONGTERM_TEST_START/STOP/READ (7..9),
 *                which, unlike the benchmarks, return the pin's errno.
 *   < 5.6        gup_benchmark without PIN_*: refused (see rb_gup_abi_for).
 *
 * All benchmarks share one semantic: the kernel loops over [addr, addr+size)
 * in nr_pages_per_call steps, stops at the first call that returns <= 0, and
 * writes back size = the bytes it covered. The GUP errno is swallowed; a
 * shrunk size is the only trace of a failure (see rb_gup_truncation).
 */
#ifndef REFBENCH_KABI_GUP_TEST_H
#define REFBENCH_KABI_GUP_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Shared by gup_test.h and test_hmm.h: the running kernel's version and
 * config. A release string is "6.1.0-18-amd64", "5.14.0-362.el9.x86_64",
 * "6.15.0-rc3+": major.minor[.patch] and anything after.
 */
struct rb_kver { unsigned major, minor, patch; };
#define RB_KVER(a, b) ((struct rb_kver){ (a), (b), 0 })
int rb_kver_parse(const char *release, struct rb_kver *v);	/* 0 or -EINVAL */
int rb_kver_cmp(struct rb_kver a, struct rb_kver b);		/* <0, 0, >0 (major.minor only) */
/* uname -r of the running kernel into buf; "" on failure. */
const char *rb_kernel_release(char *buf, size_t n);

/*
 * Look CONFIG_<sym> up in the running kernel's config: /proc/config.gz
 * (CONFIG_IKCONFIG_PROC), else /boot/config-<release>. Returns 1 for y/m
 * (val holds it), 0 for "is not set" or absent, -1 when no config is
 * readable; source names the file that answered.
 */
int rb_kconfig(const char *sym, char *val, size_t n, const char **source);
/* The whole config text (malloc'd; gzip or plain): path, or with NULL the
 * running kernel's as above. NULL when unreadable; source names the file. */
char *rb_kconfig_text(const char *path, const char **source);
/* The same lookup over config text already in memory (pure, for tests). */
int rb_kconfig_lookup(const char *text, const char *sym, char *val, size_t n);

/* FOLL_WRITE is 0x01 in every version (include/linux/mm.h, later the
 * mm_types.h enum); the only gup flag refbench passes. */
#define RB_FOLL_WRITE 0x01u

#define RB_GUP_TEST_MAX_PAGES_TO_DUMP 8

/* 5.6 .. 5.10, /sys/kernel/debug/gup_benchmark */
struct rb_gup_benchmark_5_6 {
	uint64_t get_delta_usec;
	uint64_t put_delta_usec;
	uint64_t addr;
	uint64_t size;
	uint32_t nr_pages_per_call;
	uint32_t flags;
	uint64_t expansion[10];
};

/* 5.11, 5.12, /sys/kernel/debug/gup_test */
struct rb_gup_test_5_11 {
	uint64_t get_delta_usec;
	uint64_t put_delta_usec;
	uint64_t addr;
	uint64_t size;
	uint32_t nr_pages_per_call;
	uint32_t flags;
	uint32_t which_pages[RB_GUP_TEST_MAX_PAGES_TO_DUMP];
};

/* 5.13 .. today, /sys/kernel/debug/gup_test */
struct rb_gup_test_5_13 {
	uint64_t get_delta_usec;
	uint64_t put_delta_usec;
	uint64_t addr;
	uint64_t size;
	uint32_t nr_pages_per_call;
	uint32_t gup_flags;
	uint32_t test_flags;
	uint32_t which_pages[RB_GUP_TEST_MAX_PAGES_TO_DUMP];
};

/* 6.2 .. : argument of PIN_LONGTERM_TEST_START */
struct rb_pin_longterm_test {
	uint64_t addr;
	uint64_t size;
	uint32_t flags;
};
#define RB_PIN_LONGTERM_TEST_FLAG_USE_WRITE 1u
#define RB_PIN_LONGTERM_TEST_FLAG_USE_FAST  2u

/* The layouts are the 64-bit kernel's; a 32-bit build would pad differently
 * and every ioctl number would be wrong. */
_Static_assert(sizeof(void *) == 8, "refbench's kernel ABIs assume a 64-bit userland");
_Static_assert(sizeof(struct rb_gup_benchmark_5_6) == 120, "gup_benchmark 5.6 is 120 bytes");
_Static_assert(sizeof(struct rb_gup_test_5_11) == 72, "gup_test 5.11 is 72 bytes");
_Static_assert(sizeof(struct rb_gup_test_5_13) == 80, "gup_test 5.13+ is 80 bytes");
_Static_assert(sizeof(struct rb_pin_longterm_test) == 24, "pin_longterm_test is 24 bytes");

/* What refbench asks gup_test to do. */
enum rb_gup_cmd { RB_GUP_CMD_GUP_FAST, RB_GUP_CMD_PIN_FAST, RB_GUP_CMD_PIN_LONGTERM };

enum rb_gup_abi_id {
	RB_GUP_ABI_BENCHMARK_5_6,
	RB_GUP_ABI_TEST_5_11,
	RB_GUP_ABI_TEST_5_13,
	RB_GUP_ABI_TEST_6_2,
	RB_GUP_ABI__COUNT
};

struct rb_gup_abi {
	enum rb_gup_abi_id id;
	const char *name;		/* "gup_test 5.13+" */
	struct rb_kver since;		/* first mainline release with this layout */
	const char *path;		/* debugfs file */
	size_t struct_size;
	unsigned nr[3];			/* ioctl nr per enum rb_gup_cmd */
	bool flags_write_only;		/* kernel keeps only FOLL_WRITE of the flags */
	bool has_longterm_test;		/* PIN_LONGTERM_TEST_START/STOP (6.2+) */
};

/* The layout-neutral view of one benchmark call. */
struct rb_gup_args {
	uint64_t get_delta_usec, put_delta_usec;	/* out */
	uint64_t addr, size;				/* size: in and out */
	uint32_t nr_pages_per_call;
	uint32_t gup_flags;
};

#define RB_GUP_ARGS_MAX 120	/* the largest struct_size, for buffers */

extern const struct rb_gup_abi rb_gup_abis[RB_GUP_ABI__COUNT];

/* The variant a mainline kernel of this version has; NULL before 5.6, with
 * why saying which kernel and what refbench needs. */
const struct rb_gup_abi *rb_gup_abi_for(struct rb_kver v, char *why, size_t n);

/* The ioctl numbers, encoded with this architecture's _IOC. */
unsigned long rb_gup_ioctl(const struct rb_gup_abi *abi, enum rb_gup_cmd cmd);
unsigned long rb_gup_longterm_start_ioctl(void);	/* _IOW('g', 7, 24 bytes) */
unsigned long rb_gup_longterm_stop_ioctl(void);		/* _IO('g', 8) */

/* Marshal to and from the variant's layout; buf holds struct_size bytes. */
void rb_gup_encode(const struct rb_gup_abi *abi, const struct rb_gup_args *a, void *buf);
void rb_gup_decode(const struct rb_gup_abi *abi, const void *buf, struct rb_gup_args *a);

/* gup_flags for a read or write benchmark. */
uint32_t rb_gup_flags(const struct rb_gup_abi *abi, bool write);

/* "gup" | "pin" | "pin-longterm" -> enum, -1 if unknown. */
int rb_gup_cmd_parse(const char *s);
const char *rb_gup_cmd_name(enum rb_gup_cmd cmd);

/* Did the kernel stop short? True when returned < requested; why then says
 * how many pages were covered and where GUP stopped. */
bool rb_gup_truncation(uint64_t requested, uint64_t returned, uint64_t page_size,
		       char *why, size_t n);

/*
 * Repetitions: the kernel times get and put in whole microseconds per ioctl.
 * Given the sums seen over `calls_done` calibration calls, how many calls make
 * both sums reach min_us (with 25% headroom for run-to-run spread)?
 * Clamped to [1, max_calls]; a zero sum grows the count tenfold.
 */
unsigned rb_gup_plan_calls(uint64_t get_us_sum, uint64_t put_us_sum, unsigned calls_done,
			   uint64_t min_us, unsigned max_calls);
/* Worst-case error, in percent, of a sum of `calls` µs-truncated deltas. */
double rb_gup_tick_error_pct(unsigned calls, uint64_t sum_us);
/* ns per page from a µs sum over calls x pages. */
double rb_gup_ns_per_page(uint64_t sum_us, unsigned calls, uint64_t pages);

/*
 * Why the debugfs file is missing, from what could be observed.
 * debugfs_mounted and config_gup_test are tri-state: -1 unknown, 0 no, 1 yes
 * (config_gup_test: 1 for =y, 0 for "is not set"). benchmark_file: the old
 * gup_benchmark exists instead.
 */
struct rb_gup_absence {
	int debugfs_mounted;
	int config_gup_test;
	const char *config_source;	/* "/proc/config.gz", ... or NULL */
	bool benchmark_file;
	struct rb_kver kver;
};
const char *rb_gup_absent_reason(const struct rb_gup_absence *a, char *buf, size_t n);

/*
 * Find the live layout: the version's variant first, then the others whose
 * file exists, each tried with a one-page GUP_FAST_BENCHMARK on a private
 * buffer (a wrong size gives -EINVAL and does nothing). Returns the open fd
 * (O_RDWR) or -errno; *abi and `detail` say what was chosen and why.
 */
int rb_gup_open_detect(const char *release, const struct rb_gup_abi **abi,
		       char *detail, size_t n);

#endif
