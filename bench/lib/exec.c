// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/exec.h"
#include "lib/refbench.h"

struct sink {
	char *buf;
	size_t len, cap;
};

static int sink_read(int fd, struct sink *s)
{
	char tmp[8192];
	ssize_t r = read(fd, tmp, sizeof(tmp));

	if (r <= 0)
		return r < 0 && errno == EINTR ? 1 : 0;	/* 0: EOF or error */
	if (s->len + (size_t)r + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 16384;
		char *nb;

		while (s->len + (size_t)r + 1 > cap)
			cap *= 2;
		nb = realloc(s->buf, cap);
		if (!nb)
			return 0;
		s->buf = nb;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, tmp, (size_t)r);
	s->len += (size_t)r;
	s->buf[s->len] = '\0';
	return 1;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

int rb_exec(char *const argv[], const struct rb_exec_opts *o, struct rb_exec *ex,
	    char *err, size_t n)
{
	const char *stdin_text = o ? o->stdin_text : NULL;
	unsigned timeout_s = o ? o->timeout_s : 0;
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, errp[2] = { -1, -1 }, go[2] = { -1, -1 };
	struct sink so = { 0 }, se = { 0 };
	size_t in_off = 0, in_len = stdin_text ? strlen(stdin_text) : 0;
	uint64_t t0 = rb_now_ns(), deadline = timeout_s ? t0 + (uint64_t)timeout_s * 1000000000ull :
							     UINT64_MAX;
	bool reaped = false, termed = false;
	pid_t pid;
	int status = 0;
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_pipe;

	memset(ex, 0, sizeof(*ex));
	/* a child that exits before reading its stdin must not kill us */
	sigaction(SIGPIPE, &ign, &old_pipe);
	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(errp, O_CLOEXEC) ||
	    pipe2(go, O_CLOEXEC)) {
		snprintf(err, n, "pipe: %s", strerror(errno));
		goto fail;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(err, n, "fork: %s", strerror(errno));
		goto fail;
	}
	if (pid == 0) {
		char c;

		signal(SIGPIPE, SIG_DFL);	/* SIG_IGN would survive exec */
		setpgid(0, 0);	/* one group: a timeout kills its children too */
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(errp[1], 2);
		/* Wait until the parent has run its hook (counters attached). */
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(126);
		execvp(argv[0], argv);
		_exit(127);
	}
	setpgid(pid, pid);	/* also here: no race with the kill below */
	close_fd(&in[0]);
	close_fd(&out[1]);
	close_fd(&errp[1]);
	close_fd(&go[0]);
	if (o && o->started)
		o->started(pid, o->arg);
	if (write(go[1], "g", 1) != 1) {
		snprintf(err, n, "starting %s: %s", argv[0], strerror(errno));
		kill(-pid, SIGKILL);
		waitpid(pid, NULL, 0);
		goto fail;
	}
	close_fd(&go[1]);
	if (!in_len)
		close_fd(&in[1]);
	else
		fcntl(in[1], F_SETFL, O_NONBLOCK);

	while (!reaped) {
		struct pollfd p[3];
		int np = 0;
		uint64_t now = rb_now_ns(), wait_ms;

		if (now >= deadline) {
			/* SIGTERM lets it stop (fio its jobs); SIGKILL 5 s later */
			kill(-pid, termed ? SIGKILL : SIGTERM);
			ex->timed_out = true;
			deadline = now + 5000000000ull;
			termed = true;
		}
		if (in[1] >= 0)
			p[np++] = (struct pollfd){ .fd = in[1], .events = POLLOUT };
		if (out[0] >= 0)
			p[np++] = (struct pollfd){ .fd = out[0], .events = POLLIN };
		if (errp[0] >= 0)
			p[np++] = (struct pollfd){ .fd = errp[0], .events = POLLIN };
		wait_ms = (deadline - now) / 1000000 + 1;
		if (!np) {
			/* output closed: reap, polling so the deadline still holds */
			pid_t w = waitpid(pid, &status, WNOHANG);

			if (w == pid) {
				reaped = true;
				break;
			}
			usleep(10000);
			continue;
		}
		if (poll(p, (nfds_t)np, wait_ms < 1000 ? (int)wait_ms : 1000) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < np; i++) {
			if (!p[i].revents)
				continue;
			if (p[i].fd == in[1]) {
				ssize_t w = write(in[1], stdin_text + in_off, in_len - in_off);

				if (w > 0)
					in_off += (size_t)w;
				if ((w < 0 && errno != EAGAIN) || in_off == in_len)
					close_fd(&in[1]);
			} else if (p[i].fd == out[0]) {
				if (!sink_read(out[0], &so))
					close_fd(&out[0]);
			} else if (!sink_read(errp[0], &se)) {
				close_fd(&errp[0]);
			}
		}
	}
	if (!reaped)
		waitpid(pid, &status, 0);
	ex->wall_ns = rb_now_ns() - t0;
	ex->status = status;
	close_fd(&in[1]);
	close_fd(&out[0]);
	close_fd(&errp[0]);
	ex->out = so.buf ? so.buf : strdup("");
	ex->errtext = se.buf ? se.buf : strdup("");
	sigaction(SIGPIPE, &old_pipe, NULL);
	return 0;
fail:
	sigaction(SIGPIPE, &old_pipe, NULL);
	for (int *fd = &in[0]; fd <= &in[1]; fd++) close_fd(fd);
	for (int *fd = &out[0]; fd <= &out[1]; fd++) close_fd(fd);
	for (int *fd = &errp[0]; fd <= &errp[1]; fd++) close_fd(fd);
	for (int *fd = &go[0]; fd <= &go[1]; fd++) close_fd(fd);
	return -EIO;
}

void rb_exec_free(struct rb_exec *ex)
{
	free(ex->out);
	free(ex->errtext);
	ex->out = ex->errtext = NULL;
}

int rb_exec_code(const struct rb_exec *ex)
{
	return WIFEXITED(ex->status) ? WEXITSTATUS(ex->status) : 128 + WTERMSIG(ex->status);
}
