// SPDX-License-Identifier: GPL-2.0
/*
 * hmm-migrate: lib/test_hmm's fake device (/dev/hmm_dmirror0) moves anon
 * memory into ZONE_DEVICE private pages and back. Three phases, each in its
 * own window, on a fresh mapping of the kind (anon 4K or THP):
 *
 *   to-dev      HMM_DMIRROR_MIGRATE_TO_DEV (MIGRATE before 6.0):
 *               migrate_vma_setup/pages/finalize into device-private pages.
 *               The driver then copies every migrated page into cmd.ptr;
 *               that copy is part of the measured time.
 *   fault-back  a CPU load from every page: each device-private entry
 *               faults and dmirror_devmem_fault (migrate_to_ram) brings it
 *               back to system memory.
 *   to-sys      on a second fresh mapping migrated to the device untimed:
 *               HMM_DMIRROR_MIGRATE_TO_SYS (6.0+; not measured before).
 *
 * Each phase reports ns (insn in deterministic mode) per 4K page, and GB/s
 * where time is wall time. Checks: the first touch of each mapping matches
 * the kind; MIGRATE_TO_DEV read back every page; the fault-back took one
 * fault per device page and MIGRATE_TO_SYS counted every page, each as this
 * kernel's test_hmm counts them (bench/kabi: per 4K page, or a device THP
 * once); no page is left on the device after to-sys.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kabi/test_hmm.h"
#include "lib/refbench.h"
#include "mem/mem.h"

struct hmm_migrate {
	struct rb_mem mem;
	int fd;
	const struct rb_hmm_abi *abi;
	size_t page_size;
	uint64_t npages;
	void *bounce;			/* MIGRATE_TO_DEV copies the data here */
	size_t bounce_size;
};

static const struct rb_param_def hmm_migrate_params[] = {
	{ "size", "32M", "bytes migrated per phase" },
	{ "device", RB_HMM_DEVICE, "dmirror device (0 and 1 are device-private)" },
	{ NULL, NULL, NULL },
};

static int hmm_migrate_probe(const struct rb_env *env, char *why, size_t n)
{
	char rel[128], detail[256];
	const struct rb_hmm_abi *abi;
	int fd;

	(void)env;
	if (access(RB_HMM_DEVICE, F_OK)) {
		struct rb_hmm_absence a = { .device = RB_HMM_DEVICE, .chrdev_major = -1 };
		char val[16], *devs = NULL;
		size_t cap = 0;
		FILE *f = fopen("/proc/devices", "re");

		if (f) {
			ssize_t len = getdelim(&devs, &cap, '\0', f);

			if (len > 0)
				a.chrdev_major = rb_hmm_chrdev_major(devs);
			free(devs);
			fclose(f);
		}
		a.config_test_hmm = rb_kconfig("TEST_HMM", val, sizeof(val), &a.config_source);
		if (a.config_test_hmm == 1 && !strcmp(val, "m"))
			a.config_test_hmm = 2;
		a.config_device_private = rb_kconfig("DEVICE_PRIVATE", val, sizeof(val), NULL);
		rb_hmm_absent_reason(&a, why, n);
		return RB_SKIP;
	}
	fd = rb_hmm_open_detect(RB_HMM_DEVICE, rb_kernel_release(rel, sizeof(rel)), &abi,
				detail, sizeof(detail));
	if (fd < 0) {
		snprintf(why, n, "%s%s", detail, fd == -EACCES || fd == -EPERM ? " (needs root)" : "");
		return RB_SKIP;
	}
	close(fd);
	return RB_OK;
}

static void hmm_migrate_free(struct hmm_migrate *h)
{
	if (!h)
		return;
	if (h->bounce)
		munmap(h->bounce, h->bounce_size);
	if (h->fd >= 0)
		close(h->fd);
	rb_mem_teardown(&h->mem);
	free(h);
}

static int hmm_migrate_setup(struct rb_point *pt)
{
	const char *device = rb_param_str(&pt->params, "device");
	const char *size_s = rb_param_str(&pt->params, "size");
	char rel[128], err[256];
	struct hmm_migrate *h;
	uint64_t size;
	int r;

	if (!device || !*device)
		device = RB_HMM_DEVICE;
	if (!size_s || rb_parse_size(size_s, &size) || !size)
		return rb_point_fail(pt, RB_ERR, "hmm-migrate: size=%s is not a size (e.g. 32M)",
				     size_s ? size_s : "(missing)");
	h = calloc(1, sizeof(*h));
	if (!h)
		return rb_point_fail(pt, RB_ERR, "hmm-migrate: out of memory");
	h->fd = -1;
	h->mem.fd = -1;
	h->page_size = (size_t)sysconf(_SC_PAGESIZE);

	h->fd = rb_hmm_open_detect(device, rb_kernel_release(rel, sizeof(rel)), &h->abi, err,
				   sizeof(err));
	if (h->fd < 0) {
		r = rb_point_fail(pt, RB_SKIP, "hmm-migrate: %s", err);
		goto fail;
	}
	r = rb_mem_setup(&h->mem, pt->kind, pt->env, size, err, sizeof(err));
	if (r != RB_OK) {
		r = rb_point_fail(pt, r, "%s", err);
		goto fail;
	}
	h->npages = h->mem.size / h->page_size;

	/* npages pages or the driver's copy_to_user fails with EFAULT; touched
	 * now, so that copy never faults inside the to-dev window. */
	h->bounce_size = h->mem.size;
	h->bounce = mmap(NULL, h->bounce_size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (h->bounce == MAP_FAILED) {
		h->bounce = NULL;
		r = rb_point_fail(pt, RB_ERR, "hmm-migrate: bounce buffer of %zu bytes: %s",
				  h->bounce_size, strerror(errno));
		goto fail;
	}
	memset(h->bounce, 0, h->bounce_size);

	if (h->abi->migrate_to_sys < 0)
		rb_warn("hmm-migrate: %s has no HMM_DMIRROR_MIGRATE_TO_SYS (added in 6.0): "
			"measuring to-dev and fault-back only", h->abi->name);
	pt->priv = h;
	return RB_OK;

fail:
	hmm_migrate_free(h);
	return r;
}

/* Map a fresh region of the kind and prove its page size by the first touch. */
static bool map_and_touch(struct rb_iter *it, struct hmm_migrate *h, bool check_smaps)
{
	volatile char *p;
	char err[256];
	uint64_t f0;
	int r = rb_mem_map(&h->mem, err, sizeof(err));

	if (r != RB_OK) {
		if (r == RB_SKIP)
			rb_skip(it, "%s", err);
		else
			rb_reject(it, "%s", err);
		return false;
	}
	p = h->mem.addr;
	f0 = rb_minflt_thread();
	for (size_t off = 0; off < h->mem.size; off += h->page_size)
		p[off] = (char)(off / h->page_size + 1);
	if (!rb_mem_check_faults(it, &h->mem, rb_minflt_thread() - f0))
		return false;
	return !check_smaps || rb_mem_check_mapping(it, &h->mem);
}

/* One CPU load per base page; the number of faults it took. */
static uint64_t load_pages(const struct hmm_migrate *h)
{
	const volatile char *p = h->mem.addr;
	uint64_t f0 = rb_minflt_thread();

	for (size_t off = 0; off < h->mem.size; off += h->page_size)
		(void)p[off];
	return rb_minflt_thread() - f0;
}

static int dmirror(struct hmm_migrate *h, int nr, struct rb_hmm_dmirror_cmd *cmd)
{
	*cmd = (struct rb_hmm_dmirror_cmd){
		.addr = (uintptr_t)h->mem.addr, .ptr = (uintptr_t)h->bounce, .npages = h->npages,
	};
	return ioctl(h->fd, rb_hmm_ioctl(nr), cmd) ? errno : 0;
}

static int migrate_failed(struct rb_iter *it, const char *what, int e)
{
	const char *hint =
		e == ENOENT ? ": a page did not reach the device (the driver's read-back "
			      "found it missing)" :
		e == EFAULT ? ": the driver could not copy into the bounce buffer" :
		e == ENOMEM ? ": the driver could not allocate device memory" : "";

	return rb_reject(it, "%s failed: %s%s", what, strerror(e), hint);
}

static void emit_phase(struct rb_iter *it, const struct hmm_migrate *h, const char *name,
		       const struct rb_window *w)
{
	char bw[32];

	rb_emit_window(it, name, "page", h->npages, w);
	/* GB/s of guest instructions means nothing: only in wall time */
	if (it->pt->env->clock == RB_CLOCK_NS) {
		snprintf(bw, sizeof(bw), "%s-bw", name);
		rb_emit_value(it, bw, "GB/s", rb_hmm_gbps(h->mem.size, rb_window_ns(w)),
			      h->npages, NULL);
	}
}

/* The count to expect: the one seen when this kernel's counting explains
 * it, else the per-page count (and the check fails with why). */
static uint64_t explained(enum rb_hmm_count how, bool thp, uint64_t npages, uint64_t count,
			  uint64_t pmd_pages, const char *what, char *why, size_t n)
{
	return rb_hmm_count_explain(how, thp, npages, count, pmd_pages, what, why, n) >= 0 ?
		count : npages;
}

static int hmm_migrate_iterate(struct rb_iter *it)
{
	struct hmm_migrate *h = it->pt->priv;
	struct rb_window w_dev, w_back, w_sys;
	struct rb_hmm_dmirror_cmd cmd;
	uint64_t faults, pmd_pages = (2u << 20) / h->page_size;
	bool thp = it->pt->kind == RB_KIND_THP;
	char why[256];
	int e;

	/* to-dev, then fault-back, on one fresh mapping */
	if (!map_and_touch(it, h, true))
		goto out;
	rb_window_begin(it->ctr, &w_dev);
	e = dmirror(h, h->abi->migrate_to_dev, &cmd);
	rb_window_end(it->ctr, &w_dev);
	if (e) {
		migrate_failed(it, "MIGRATE_TO_DEV", e);
		goto out;
	}
	if (!rb_check_counts(it, "to-dev", "hmm_dmirror_cmd.cpages", h->npages, cmd.cpages,
			     "%" PRIu64 " of %" PRIu64 " pages on the device (%s)", cmd.cpages,
			     h->npages, h->abi->name))
		goto out;

	rb_window_begin(it->ctr, &w_back);
	faults = load_pages(h);
	rb_window_end(it->ctr, &w_back);
	if (!rb_check_counts(it, "fault-back", "rusage.ru_minflt",
			     explained(h->abi->faultback, thp, h->npages, faults, pmd_pages,
				       "faults", why, sizeof(why)), faults, "%s (%s)", why,
			     h->abi->name))
		goto out;
	rb_mem_unmap(&h->mem);

	/* to-sys on a second fresh mapping, put on the device untimed */
	if (h->abi->migrate_to_sys >= 0) {
		if (!map_and_touch(it, h, false))
			goto out;
		if ((e = dmirror(h, h->abi->migrate_to_dev, &cmd))) {
			migrate_failed(it, "MIGRATE_TO_DEV before to-sys", e);
			goto out;
		}
		if (!rb_check_counts(it, "to-dev-2", "hmm_dmirror_cmd.cpages", h->npages,
				     cmd.cpages, "%" PRIu64 " of %" PRIu64 " pages on the device "
				     "before to-sys", cmd.cpages, h->npages))
			goto out;
		rb_window_begin(it->ctr, &w_sys);
		e = dmirror(h, h->abi->migrate_to_sys, &cmd);
		rb_window_end(it->ctr, &w_sys);
		if (e) {
			migrate_failed(it, "MIGRATE_TO_SYS", e);
			goto out;
		}
		if (h->abi->to_sys_counts_cpages &&
		    !rb_check_counts(it, "to-sys", "hmm_dmirror_cmd.cpages",
				     explained(h->abi->to_sys_count, thp, h->npages, cmd.cpages,
					       pmd_pages, "cpages", why, sizeof(why)),
				     cmd.cpages, "back in system memory: %s (%s)", why, h->abi->name))
			goto out;
		/* a page still on the device would fault on this load */
		faults = load_pages(h);
		if (!rb_check_counts(it, "to-sys-left", "rusage.ru_minflt", 0, faults,
				     "%" PRIu64 " pages were still on the device after "
				     "MIGRATE_TO_SYS", faults))
			goto out;
		rb_mem_unmap(&h->mem);
	}

	emit_phase(it, h, "to-dev", &w_dev);
	emit_phase(it, h, "fault-back", &w_back);
	if (h->abi->migrate_to_sys >= 0)
		emit_phase(it, h, "to-sys", &w_sys);
out:
	rb_mem_unmap(&h->mem);
	return it->status;
}

static void hmm_migrate_teardown(struct rb_point *pt)
{
	hmm_migrate_free(pt->priv);
	pt->priv = NULL;
}

const struct rb_case rb_case_hmm_migrate = {
	.name = "hmm-migrate",
	.summary = "test_hmm: migrate to device (incl. the driver's copy into the bounce "
		   "buffer), CPU fault back, migrate to system; ns/page and GB/s",
	.kernel_paths = "migrate_vma_setup/pages/finalize, device-private page refcount, "
			"do_swap_page -> dmirror_devmem_fault (migrate_to_ram), "
			"dmirror_migrate_to_system",
	.kinds = RB_KIND_BIT(RB_KIND_ANON) | RB_KIND_BIT(RB_KIND_THP),
	.params = hmm_migrate_params,
	.probe = hmm_migrate_probe,
	.setup = hmm_migrate_setup,
	.iterate = hmm_migrate_iterate,
	.teardown = hmm_migrate_teardown,
};
