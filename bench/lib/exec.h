/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running another program (fio, gnuplot, ndctl): fork and exec it in its
 * own process group with text on its stdin, collect its stdout and
 * stderr, and wait for it. After a timeout the group gets SIGTERM, then
 * SIGKILL 5 s later. A hook runs in refbench once the child exists and
 * before it execs, so counters can be attached to it (tracepoint.h).
 */
#ifndef REFBENCH_EXEC_H
#define REFBENCH_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct rb_exec_opts {
	const char *stdin_text;		/* NULL: stdin is closed at once */
	unsigned timeout_s;		/* 0: none */
	void (*started)(pid_t child, void *arg);
	void *arg;
};

struct rb_exec {
	char *out, *errtext;	/* malloc'ed stdout / stderr of the child */
	int status;		/* wait status */
	bool timed_out;
	uint64_t wall_ns;
};

/* 0 (ex filled, whatever the child did), or -errno with err when the
 * child could not be started (ex zeroed). */
int rb_exec(char *const argv[], const struct rb_exec_opts *o, struct rb_exec *ex,
	    char *err, size_t n);
void rb_exec_free(struct rb_exec *ex);
/* The exit status, or 128 + the signal that ended it. */
int rb_exec_code(const struct rb_exec *ex);

#endif
