// SPDX-License-Identifier: GPL-2.0
/*
 * gup-user: GUP-fast driven from plain user space, no CONFIG_GUP_TEST.
 *
 * vmsplice: the buffer goes into a pipe (iov_iter_get_pages2 ->
 *   get_user_pages_fast, a reference per page), then the pipe drains into
 *   /dev/null (pipe_buf_release -> put_page). get and put are timed apart.
 * dio: O_DIRECT reads into the buffer (the block layer pins the pages:
 *   FOLL_GET before 6.3, FOLL_PIN with iov_iter_extract_pages after, then
 *   releases them at completion). null_blk makes the I/O itself free.
 *
 * Pages are faulted in (and verified) first; the timed loop must take no
 * faults, which proves the GUP-fast path served it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "lib/refbench.h"
#include "mem/mem.h"

#define PIPE_BYTES (1u << 20)	/* 256 pages per vmsplice */

static const struct rb_param_def gup_user_params[] = {
	{ .key = "method", .def = "vmsplice", .help = "vmsplice | dio" },
	{ .key = "size", .def = "16M", .help = "buffer size" },
	{ .key = "chunk", .def = "1M", .help = "bytes per vmsplice or read call" },
	{ .key = "loops", .def = "4", .help = "passes over the buffer per sample" },
	{ NULL },
};

struct gup_user_state {
	struct rb_mem mem;
	bool dio;
	uint64_t chunk, loops;
	int pipe[2], devnull, target;
	char target_path[256];
	uint64_t prefault_faults;
};

static int open_dio_target(struct rb_point *pt, struct gup_user_state *s)
{
	const char *t = pt->env->dio_target;
	struct stat st;

	if (!t) {
		if (access("/dev/nullb0", R_OK))
			return rb_point_fail(pt, RB_SKIP, "no O_DIRECT target: load null_blk "
					     "(CONFIG_BLK_DEV_NULL_BLK; modprobe null_blk) or pass "
					     "--dio-target FILE|BLOCKDEV (read only)");
		t = "/dev/nullb0";
	}
	rb_strlcpy(s->target_path, t, sizeof(s->target_path));
	s->target = open(t, O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (s->target < 0)
		return rb_point_fail(pt, RB_ERR, "--dio-target %s: %s (it must support O_DIRECT; "
				     "tmpfs before 6.6 does not)", t, strerror(errno));
	if (fstat(s->target, &st) || (S_ISREG(st.st_mode) && (uint64_t)st.st_size < s->chunk))
		return rb_point_fail(pt, RB_ERR, "--dio-target %s is smaller than chunk=%llu", t,
				     (unsigned long long)s->chunk);
	return RB_OK;
}

static int gup_user_setup(struct rb_point *pt)
{
	struct gup_user_state *s = calloc(1, sizeof(*s));
	const char *method = rb_param_str(&pt->params, "method");
	uint64_t size;
	char err[256];
	int r;

	if (!s)
		return RB_ERR;
	s->pipe[0] = s->pipe[1] = s->devnull = s->target = -1;
	pt->priv = s;
	if (strcmp(method, "vmsplice") && strcmp(method, "dio"))
		return rb_point_fail(pt, RB_ERR, "method=%s: use vmsplice or dio", method);
	s->dio = !strcmp(method, "dio");
	if (rb_param_u64(&pt->params, "size", &size) || rb_param_u64(&pt->params, "chunk", &s->chunk) ||
	    rb_param_u64(&pt->params, "loops", &s->loops) || !s->loops || !s->chunk ||
	    s->chunk % 4096 || size % s->chunk)
		return rb_point_fail(pt, RB_ERR, "size, chunk and loops must be sizes; chunk a "
				     "multiple of 4K dividing size");
	if (!s->dio && s->chunk > PIPE_BYTES)
		return rb_point_fail(pt, RB_ERR, "chunk=%llu exceeds the %u-byte pipe",
				     (unsigned long long)s->chunk, PIPE_BYTES);
	if (s->dio && (r = open_dio_target(pt, s)) != RB_OK)
		return r;
	if (!s->dio) {
		if (pipe2(s->pipe, O_CLOEXEC) || fcntl(s->pipe[1], F_SETPIPE_SZ, PIPE_BYTES) < 0)
			return rb_point_fail(pt, RB_ERR, "pipe of %u bytes: %s (as non-root, raise "
					     "/proc/sys/fs/pipe-max-size)", PIPE_BYTES, strerror(errno));
		s->devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (s->devnull < 0)
			return rb_point_fail(pt, RB_ERR, "/dev/null: %s", strerror(errno));
	}
	r = rb_mem_setup(&s->mem, pt->kind, pt->env, size, pt->why, sizeof(pt->why));
	if (r != RB_OK)
		return r;
	r = rb_mem_map(&s->mem, err, sizeof(err));
	if (r != RB_OK)
		return rb_point_fail(pt, r, "%s", err);
	/* Fault everything in once, counting the faults: that count proves
	 * the page size every sample of this point claims. */
	s->prefault_faults = rb_mem_touch(&s->mem, 0);
	return RB_OK;
}

static int gup_user_iterate(struct rb_iter *it)
{
	struct gup_user_state *s = it->pt->priv;
	struct rb_mem *m = &s->mem;
	uint64_t get_ns = 0, put_ns = 0, f0, f1, pages = 0;
	struct rb_window all;
	char unit[24];

	/* The page size was proven by the fault count at setup. */
	rb_mem_check_faults(it, m, s->prefault_faults);
	rb_mem_check_mapping(it, m);

	f0 = rb_minflt_thread();
	rb_window_begin(it->ctr, &all);
	for (uint64_t l = 0; l < s->loops; l++)
		for (uint64_t off = 0; off < m->size; off += s->chunk) {
			struct iovec iov = { (char *)m->addr + off, s->chunk };
			uint64_t t0 = rb_now_ns(), t1, t2;
			ssize_t n;

			if (s->dio) {
				n = pread(s->target, iov.iov_base, s->chunk, 0);
				t1 = t2 = rb_now_ns();
			} else {
				n = vmsplice(s->pipe[1], &iov, 1, 0);
				t1 = rb_now_ns();
				if (n == (ssize_t)s->chunk &&
				    splice(s->pipe[0], NULL, s->devnull, NULL, s->chunk, 0) != (ssize_t)s->chunk)
					n = -1;
				t2 = rb_now_ns();
			}
			if (n != (ssize_t)s->chunk) {
				rb_window_end(it->ctr, &all);
				return rb_reject(it, "%s moved %zd of %llu bytes (%s)",
						 s->dio ? "pread(O_DIRECT)" : "vmsplice/splice", n,
						 (unsigned long long)s->chunk,
						 n < 0 ? strerror(errno) : "short transfer");
			}
			get_ns += t1 - t0;
			put_ns += t2 - t1;
			pages += s->chunk / 4096;
		}
	rb_window_end(it->ctr, &all);
	f1 = rb_minflt_thread();
	rb_check_counts(it, "gup-fast", "rusage.ru_minflt", 0, f1 - f0,
			"faults inside the timed loop (0 means GUP-fast found every page)");
	if (s->dio) {
		rb_emit_window(it, "dio-read", "page", pages, &all);
	} else {
		rb_emit_value(it, "get", rb_time_unit(it->pt->env, "page", unit, sizeof(unit)),
			      (double)get_ns / (double)pages, pages, NULL);
		rb_emit_value(it, "put", rb_time_unit(it->pt->env, "page", unit, sizeof(unit)),
			      (double)put_ns / (double)pages, pages, NULL);
		rb_emit_window(it, "get+put", "page", pages, &all);
	}
	return RB_OK;
}

static void gup_user_teardown(struct rb_point *pt)
{
	struct gup_user_state *s = pt->priv;

	if (!s)
		return;
	rb_mem_teardown(&s->mem);
	if (s->pipe[0] >= 0) close(s->pipe[0]);
	if (s->pipe[1] >= 0) close(s->pipe[1]);
	if (s->devnull >= 0) close(s->devnull);
	if (s->target >= 0) close(s->target);
	free(s);
	pt->priv = NULL;
}

const struct rb_case rb_case_gup_user = {
	.name = "gup-user",
	.summary = "GUP-fast from user space: vmsplice get/put, O_DIRECT pin/unpin",
	.kernel_paths = "iov_iter_get_pages2 -> get_user_pages_fast, pipe_buf_release -> "
			"put_page; bio pin/unpin (iov_iter_extract_pages)",
	.kinds = RB_KINDS_ALL,
	.params = gup_user_params,
	.setup = gup_user_setup,
	.iterate = gup_user_iterate,
	.teardown = gup_user_teardown,
};
