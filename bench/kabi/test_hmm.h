/* SPDX-License-Identifier: GPL-2.0 */
/*
 * refbench's own declarations of lib/test_hmm's ioctl ABI (/dev/hmm_dmirrorN,
 * CONFIG_TEST_HMM). The struct never changed; the numbering did. Sources
 * read (torvalds/linux lib/test_hmm_uapi.h and lib/test_hmm.c):
 *
 *   5.8 .. 5.13  READ=0 WRITE=1 MIGRATE=2 SNAPSHOT=3. MIGRATE moves to the
 *                device only; the way back is a CPU fault (migrate_to_ram).
 *   5.14 .. 5.19 + EXCLUSIVE=4 CHECK_EXCLUSIVE=5 (device exclusive access).
 *   6.0          MIGRATE becomes MIGRATE_TO_DEV=2, MIGRATE_TO_SYS=3 is new,
 *                SNAPSHOT=4 EXCLUSIVE=5 CHECK_EXCLUSIVE=6 (device coherent
 *                series): every number from 3 up moved.
 *   6.1 ..       + RELEASE=7 (evicts the whole device: never used here).
 *   device-private THP (read in 7.2; 6.12 still has the 6.1 driver):
 *                + FLAGS=8 (FAIL_ALLOC fault injection); 0..7 unchanged.
 *                Migration selects whole folios (MIGRATE_VMA_SELECT_COMPOUND):
 *                a THP goes to the device as one device THP where the driver
 *                has one free (else as 4K device pages), comes back on one
 *                CPU fault, and MIGRATE_TO_SYS's cpages counts migrate
 *                entries: a device THP once (8 MiB of THPs: 4, not 2048).
 *                refbench calls FLAGS only as a probe, on a file of its own,
 *                with 2 (no bit the driver tests; npages 0 is -EINVAL).
 *   7.3          + READ_UNLOCKED=9 (a device read without the mmap lock);
 *                migration and its counts as in 7.2; never called here.
 *
 * Behaviour that matters for timing (6.1 source):
 *   MIGRATE_TO_DEV migrates, then reads every page back from the device's
 *   page table into a vmalloc bounce buffer and copy_to_user()s it to
 *   cmd.ptr: cmd.ptr must hold npages pages (else -EFAULT), and that copy
 *   is inside the measured call. cpages = pages read back; a page that did
 *   not migrate makes the read-back fail with -ENOENT.
 *   MIGRATE_TO_SYS ignores cmd.ptr; cpages = pages migrated (6.1+), or
 *   migrate entries with device THPs (see above).
 *   Every command rejects an unaligned addr or npages == 0 with -EINVAL,
 *   and an unknown command with -EINVAL.
 *
 * Kernels newer than RB_HMM_KNOWN_UNTIL have no row: the case skips and
 * says so rather than guess what their driver reports.
 */
#ifndef REFBENCH_KABI_TEST_HMM_H
#define REFBENCH_KABI_TEST_HMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kabi/gup_test.h"	/* struct rb_kver, rb_kconfig */

#define RB_HMM_DEVICE "/dev/hmm_dmirror0"

struct rb_hmm_dmirror_cmd {
	uint64_t addr;		/* in: start, page aligned */
	uint64_t ptr;		/* in: bounce buffer (READ/WRITE/MIGRATE_TO_DEV/SNAPSHOT) */
	uint64_t npages;	/* in */
	uint64_t cpages;	/* out: pages copied / migrated */
	uint64_t faults;	/* out: device faults seen (READ/WRITE) */
};
_Static_assert(sizeof(struct rb_hmm_dmirror_cmd) == 40, "hmm_dmirror_cmd is 40 bytes");
_Static_assert(offsetof(struct rb_hmm_dmirror_cmd, cpages) == 24, "cpages at 24");

/* HMM_DMIRROR_PROT_* bytes that SNAPSHOT writes to ptr (all versions). */
#define RB_HMM_PROT_ERROR 0xFF
#define RB_HMM_PROT_NONE  0x00
#define RB_HMM_PROT_READ  0x01
#define RB_HMM_PROT_WRITE 0x02

enum rb_hmm_abi_id {
	RB_HMM_ABI_5_8,
	RB_HMM_ABI_5_14,
	RB_HMM_ABI_6_0,
	RB_HMM_ABI_6_1,
	RB_HMM_ABI_THP,
	RB_HMM_ABI__COUNT
};

/* The newest kernel series whose lib/test_hmm.c was read for this table. */
#define RB_HMM_KNOWN_UNTIL RB_KVER(7, 3)
#define RB_HMM_KNOWN_TEXT "5.8 .. 7.3 (sources read: 5.8, 5.14, 6.0, 6.1, 6.12, 7.2, 7.3)"

/* What a count (cpages, CPU faults) covers of a THP-backed range. */
enum rb_hmm_count {
	RB_HMM_COUNT_PAGES,	/* one per 4K page: THPs are split on the way */
	RB_HMM_COUNT_ENTRIES,	/* one per migrate entry: a device THP counts once */
};

/* ioctl nr of each command, -1 when the variant lacks it. */
struct rb_hmm_abi {
	enum rb_hmm_abi_id id;
	const char *name;
	struct rb_kver since;
	int read, write, migrate_to_dev, migrate_to_sys, snapshot;
	int exclusive, check_exclusive, release, flags;
	bool to_sys_counts_cpages;	/* MIGRATE_TO_SYS fills cpages (6.1 source) */
	enum rb_hmm_count to_sys_count;	/* what that cpages counts */
	enum rb_hmm_count faultback;	/* CPU faults that bring the range back */
	const char *kernels;		/* the versions this row is declared for */
};

extern const struct rb_hmm_abi rb_hmm_abis[RB_HMM_ABI__COUNT];

/* The mainline row of this version (5.8 numbering for anything older);
 * NULL with why for a version newer than RB_HMM_KNOWN_UNTIL. */
const struct rb_hmm_abi *rb_hmm_abi_for(struct rb_kver v, char *why, size_t n);
/* _IOWR('H', nr, struct hmm_dmirror_cmd) with this architecture's _IOC. */
unsigned long rb_hmm_ioctl(int nr);

/*
 * The behavioural probe: ioctl nr 3 on one present, written anon page with
 * ptr -> a byte holding `sentinel`. SNAPSHOT (before 6.0) writes a PROT byte
 * there and counts 1 page; MIGRATE_TO_SYS (6.0+) leaves ptr alone and
 * migrates nothing (the page is not device memory). Both are harmless.
 */
enum rb_hmm_nr3 { RB_HMM_NR3_UNKNOWN, RB_HMM_NR3_SNAPSHOT, RB_HMM_NR3_MIGRATE_TO_SYS };
enum rb_hmm_nr3 rb_hmm_nr3_verdict(int ioctl_ret, uint8_t sentinel, uint8_t after,
				   uint64_t cpages);
/*
 * Combine the version's row with what nr 3 turned out to be and whether
 * FLAGS (nr 8) was accepted: it exists only in the THP driver, so
 * it tells the 6.1 row from the THP one whatever the version says. v must
 * have a row (rb_hmm_abi_for non-NULL).
 */
const struct rb_hmm_abi *rb_hmm_abi_resolve(struct rb_kver v, enum rb_hmm_nr3 nr3,
					    bool flags_accepted);

/*
 * Does `count` (MIGRATE_TO_SYS's cpages, or the CPU faults of the fault-back)
 * account for exactly npages pages, counted as `how`? Per page: count ==
 * npages. Per entry (THP driver, THP source): count = base + thps where base
 * + thps * pmd_pages == npages, thps <= npages / pmd_pages. Returns the
 * number of device THPs the count implies (0 when counted per page), or -1
 * when nothing explains it; why says what was seen, in words.
 */
long rb_hmm_count_explain(enum rb_hmm_count how, bool thp_source, uint64_t npages,
			  uint64_t count, uint64_t pmd_pages, const char *what, char *why,
			  size_t n);

/* Bytes per nanosecond == decimal GB/s. */
double rb_hmm_gbps(uint64_t bytes, uint64_t ns);

/* Why the device node is missing, from what could be observed. */
struct rb_hmm_absence {
	const char *device;
	int chrdev_major;		/* "HMM_DMIRROR" in /proc/devices, or -1 */
	int config_test_hmm;		/* -1 unknown, 0 not set, 1 =y, 2 =m */
	int config_device_private;	/* -1 unknown, 0 not set, 1 y */
	const char *config_source;
};
const char *rb_hmm_absent_reason(const struct rb_hmm_absence *a, char *buf, size_t n);
/* The major of "HMM_DMIRROR" in /proc/devices text, or -1 (pure). */
int rb_hmm_chrdev_major(const char *proc_devices);

/*
 * Open the device and find its numbering: version table, then the nr 3
 * probe. Returns the fd (O_RDWR) or -errno; detail says what was chosen.
 */
int rb_hmm_open_detect(const char *device, const char *release,
		       const struct rb_hmm_abi **abi, char *detail, size_t n);

#endif
