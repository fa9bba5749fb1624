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
 *   later        + FLAGS=8 (FAIL_ALLOC fault injection, with the 2025
 *                device-private THP work); 0..7 unchanged, refbench never
 *                calls it, so it needs no variant of its own.
 *
 * Behaviour that matters for timing (6.1 source):
 *   MIGRATE_TO_DEV migrates, then reads every page back from the device's
 *   page table into a vmalloc bounce buffer and copy_to_user()s it to
 *   cmd.ptr: cmd.ptr must hold npages pages (else -EFAULT), and that copy
 *   is inside the measured call. cpages = pages read back; a page that did
 *   not migrate makes the read-back fail with -ENOENT.
 *   MIGRATE_TO_SYS ignores cmd.ptr; cpages = pages migrated (6.1+).
 *   Every command rejects an unaligned addr or npages == 0 with -EINVAL.
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
	RB_HMM_ABI__COUNT
};

/* ioctl nr of each command, -1 when the variant lacks it. */
struct rb_hmm_abi {
	enum rb_hmm_abi_id id;
	const char *name;
	struct rb_kver since;
	int read, write, migrate_to_dev, migrate_to_sys, snapshot;
	int exclusive, check_exclusive, release;
	bool to_sys_counts_cpages;	/* MIGRATE_TO_SYS fills cpages (6.1 source) */
};

extern const struct rb_hmm_abi rb_hmm_abis[RB_HMM_ABI__COUNT];

/* The mainline numbering of this version (5.8 numbering for anything older). */
const struct rb_hmm_abi *rb_hmm_abi_for(struct rb_kver v);
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
/* Combine the version's variant with what nr 3 turned out to be. */
const struct rb_hmm_abi *rb_hmm_abi_resolve(struct rb_kver v, enum rb_hmm_nr3 nr3);

/*
 * Fault-back verification: touching every 4K page of npages device-private
 * pages took `faults` CPU faults. Each fault migrates one device page back:
 * 4K, or 2M where the driver keeps THPs whole on the device (newer kernels).
 * Returns the pages per fault that explains the count (1 or pmd_pages), or 0
 * when nothing does; why says what was seen.
 */
uint64_t rb_hmm_faultback_gran(uint64_t npages, uint64_t faults, bool thp_source,
			       uint64_t pmd_pages, char *why, size_t n);

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
