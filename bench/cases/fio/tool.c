// SPDX-License-Identifier: GPL-2.0
/* fio the program: in PATH, its version, a job it can set up here, the
 * engines it has. Asked once per process. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/fio/fio.h"
#include "lib/exec.h"
#include "lib/refbench.h"

bool rb_fio_enghelp_lists(const char *enghelp, const char *engine)
{
	const char *p = enghelp ? strstr(enghelp, "Available IO engines:") : NULL;

	if (!p)
		return false;
	p = strchr(p, '\n');
	while (p && *p) {
		const char *s = p + 1, *e;

		while (*s == ' ' || *s == '\t')
			s++;
		e = s;
		while (*e && *e != '\n' && !isspace((unsigned char)*e))
			e++;
		if ((size_t)(e - s) == strlen(engine) && !strncmp(s, engine, (size_t)(e - s)))
			return true;
		p = strchr(s, '\n');
	}
	return false;
}

bool rb_fio_enghelp_missing(const char *t)
{
	return !t || strstr(t, "not found") || strstr(t, "not loadable");
}

bool rb_fio_parse_version(const char *text, char *out, size_t n)
{
	size_t len = 0;

	if (!text)
		return false;
	while (*text == ' ' || *text == '\n')
		text++;
	if (strncmp(text, "fio-", 4))
		return false;
	while (text[len] && !isspace((unsigned char)text[len]))
		len++;
	if (len <= 4 || !isdigit((unsigned char)text[4]))
		return false;
	snprintf(out, n, "%.*s", (int)len, text);
	return true;
}

static struct {
	bool probed;
	int status;
	char why[256];
	char version[32];
	char *enghelp;
} fio_cache;

/* fio's one-line questions: --version, --enghelp */
static const struct rb_exec_opts probe_opts = { .timeout_s = 30 };

/* Can fio set up any job on this kernel? A template that fails later is
 * then the template's fault, not the system's. */
static void probe_parse(void)
{
	static char *const argv[] = { "fio", "--parse-only", "-", NULL };
	struct rb_exec ex;
	char err[256], msg[160];

	if (rb_exec(argv, &(struct rb_exec_opts){ .stdin_text = "[probe]\nioengine=null\nsize=1M\n",
		    .timeout_s = 30 }, &ex, err, sizeof(err))) {
		fio_cache.status = RB_SKIP;
		snprintf(fio_cache.why, sizeof(fio_cache.why), "cannot run fio: %s", err);
		return;
	}
	if (rb_exec_code(&ex)) {
		rb_fio_first_line(*ex.errtext ? ex.errtext : ex.out, msg, sizeof(msg));
		fio_cache.status = RB_UNSUPPORTED;
		/* fio keeps its job table in SysV shared memory */
		snprintf(fio_cache.why, sizeof(fio_cache.why), "fio cannot set up a job on this "
			 "system: %s%s", msg, strstr(msg, "shmget") ? " (the kernel needs "
			 "CONFIG_SYSVIPC=y: fio keeps its jobs in SysV shared memory)" : "");
	}
	rb_exec_free(&ex);
}

int rb_fio_probe(char *why, size_t n)
{
	static char *const argv[] = { "fio", "--version", NULL };
	struct rb_exec ex;
	char err[256];

	if (!fio_cache.probed) {
		fio_cache.probed = true;
		fio_cache.status = RB_OK;
		if (rb_exec(argv, &probe_opts, &ex, err, sizeof(err))) {
			fio_cache.status = RB_SKIP;
			snprintf(fio_cache.why, sizeof(fio_cache.why), "cannot run fio: %s", err);
		} else if (rb_exec_code(&ex) == 127) {
			fio_cache.status = RB_SKIP;
			snprintf(fio_cache.why, sizeof(fio_cache.why), "fio is not installed (not in "
				 "PATH): apt-get install fio, or `make deps`");
		} else if (!rb_fio_parse_version(ex.out, fio_cache.version, sizeof(fio_cache.version))) {
			fio_cache.status = RB_SKIP;
			snprintf(fio_cache.why, sizeof(fio_cache.why), "`fio --version` printed '%.60s', "
				 "not a fio version", ex.out ? ex.out : "");
		}
		rb_exec_free(&ex);	/* zeroed when exec failed */
		if (fio_cache.status == RB_OK)
			probe_parse();
	}
	if (fio_cache.status)
		snprintf(why, n, "%s", fio_cache.why);
	return fio_cache.status;
}

int rb_fio_case_probe(const struct rb_env *env, char *why, size_t n)
{
	(void)env;
	return rb_fio_probe(why, n);
}

const char *rb_fio_version(void)
{
	return fio_cache.version[0] ? fio_cache.version : "unknown";
}

int rb_fio_need_engine(const char *engine, char *why, size_t n)
{
	struct rb_exec ex;
	char err[256];
	int r = rb_fio_probe(why, n);

	if (r != RB_OK)
		return r;
	if (!fio_cache.enghelp) {
		char *const argv[] = { "fio", "--enghelp", NULL };

		if (rb_exec(argv, &probe_opts, &ex, err, sizeof(err))) {
			snprintf(why, n, "fio --enghelp: %s", err);
			return RB_SKIP;
		}
		fio_cache.enghelp = ex.out;
		ex.out = NULL;
		rb_exec_free(&ex);
	}
	if (rb_fio_enghelp_lists(fio_cache.enghelp, engine))
		return RB_OK;
	/* Not built in: a loadable engine (fio --dynamic-libengines) still
	 * answers --enghelp=NAME. */
	{
		char arg[64];
		char *const argv[] = { "fio", arg, NULL };
		bool missing;

		snprintf(arg, sizeof(arg), "--enghelp=%s", engine);
		if (rb_exec(argv, &probe_opts, &ex, err, sizeof(err))) {
			snprintf(why, n, "fio %s: %s", arg, err);
			return RB_SKIP;
		}
		missing = rb_fio_enghelp_missing(ex.out) || (ex.errtext && strstr(ex.errtext, "not loadable"));
		rb_exec_free(&ex);
		if (!missing)
			return RB_OK;
	}
	snprintf(why, n, "fio lacks the %s engine (%s, `fio --enghelp` does not list it): "
		 "install a fio built with it", engine, rb_fio_version());
	return RB_SKIP;
}

void rb_fio_first_line(const char *s, char *out, size_t n)
{
	const char *p = s;

	/* the first line that says something */
	while (p && *p) {
		size_t l = strcspn(p, "\n");

		if (l && strncmp(p, "fio: job", 8)) {
			snprintf(out, n, "%.*s", (int)l, p);
			return;
		}
		p += l + (p[l] ? 1 : 0);
	}
	snprintf(out, n, "%s", s && *s ? s : "(no message)");
}
