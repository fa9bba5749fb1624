// SPDX-License-Identifier: GPL-2.0
/* fio's job templates (configs/fio/NAME.fio): @NAME@ placeholders filled
 * from a case's parameters, and the parameters that go into them. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cases/fio/fio.h"
#include "lib/refbench.h"
#include "lib/userfile.h"

static bool is_name_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* Length of the placeholder name at p (just after an '@'), 0 if none. */
static size_t placeholder_len(const char *p)
{
	size_t len = 0;

	while (is_name_char(p[len]))
		len++;
	return len && p[len] == '@' ? len : 0;
}

static const struct rb_fio_var *find_var(const struct rb_fio_var *vars, unsigned nvars,
					 const char *name, size_t len)
{
	for (unsigned i = 0; i < nvars; i++)
		if (strlen(vars[i].name) == len && !strncmp(vars[i].name, name, len))
			return &vars[i];
	return NULL;
}

int rb_fio_render(const char *tmpl, const struct rb_fio_var *vars, unsigned nvars,
		  const char *const *required, char **out, char *err, size_t n)
{
	size_t cap = strlen(tmpl) + 1, len = 0;
	char *buf;

	*out = NULL;
	for (unsigned i = 0; i < nvars; i++) {
		if (!vars[i].value || strpbrk(vars[i].value, "\n\r")) {
			snprintf(err, n, "value of @%s@ is %s", vars[i].name,
				 vars[i].value ? "multi-line (it would add job options)" : "missing");
			return -EINVAL;
		}
		cap += strlen(vars[i].value);	/* enough even if each is used once */
	}
	for (const char *const *r = required; r && *r; r++) {
		char pat[64];

		snprintf(pat, sizeof(pat), "@%s@", *r);
		if (!strstr(tmpl, pat)) {
			snprintf(err, n, "job template lacks %s, which this case needs (the job "
				 "would not measure what the case claims): restore it", pat);
			return -EINVAL;
		}
	}
	buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	for (const char *p = tmpl; *p;) {
		size_t pl = *p == '@' ? placeholder_len(p + 1) : 0;
		const struct rb_fio_var *v;
		size_t vl;

		if (!pl) {
			buf[len++] = *p++;
			continue;
		}
		v = find_var(vars, nvars, p + 1, pl);
		if (!v) {
			size_t k = 0;

			k += (size_t)snprintf(err, n, "job template uses @%.*s@, which this case "
					      "does not fill; it knows:", (int)pl, p + 1);
			for (unsigned i = 0; i < nvars && k < n; i++)
				k += (size_t)snprintf(err + k, n - k, " @%s@", vars[i].name);
			free(buf);
			return -EINVAL;
		}
		vl = strlen(v->value);
		if (len + vl + strlen(p) + 1 > cap) {	/* a value used more than once */
			char *nb = realloc(buf, cap = cap * 2 + vl);
			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
		}
		memcpy(buf + len, v->value, vl);
		len += vl;
		p += pl + 2;
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

int rb_fio_template_load(const char *name_or_path, char **text, char *path, size_t pathlen,
			 char *err, size_t n)
{
	char dir[PATH_MAX], why[512];
	size_t len;
	int r;

	*text = NULL;
	if (!name_or_path || !*name_or_path) {
		snprintf(err, n, "job= is empty: give a template name (configs/fio/NAME.fio) or a path");
		return -EINVAL;
	}
	if (strchr(name_or_path, '/'))
		snprintf(path, pathlen, "%s", name_or_path);
	else
		snprintf(path, pathlen, "%s/%s.fio", rb_repo_path("configs/fio", dir, sizeof(dir)), name_or_path);
	if ((r = rb_user_file_read(path, RB_USER_TEXT_MAX, text, &len, why, sizeof(why)))) {
		if (r == -ENOENT || r == -EACCES)
			snprintf(err, n, "job template '%s': %s (%s); templates live in "
				 "configs/fio/NAME.fio, or give job=/path/to/file.fio", name_or_path,
				 why, path);
		else
			snprintf(err, n, "job template %s: %s", path, why);
		return r;
	}
	return 0;
}

bool rb_fio_param_jobs(const struct rb_params *p, unsigned *jobs)
{
	const char *v = rb_param_str(p, "jobs");
	uint64_t n;

	if (v && !strcmp(v, "nproc")) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);

		n = c > 0 ? (uint64_t)c : 1;
	} else if (rb_param_u64(p, "jobs", &n)) {
		return false;
	}
	if (!n || n > 256)
		return false;
	*jobs = (unsigned)n;
	return true;
}

bool rb_fio_param_runtime(const struct rb_params *p, unsigned *secs, char *fio, size_t n)
{
	uint64_t ms;

	if (rb_param_ms(p, "runtime", &ms) || !ms || ms > 3600000)
		return false;
	*secs = (unsigned)(ms / 1000 + 1);
	snprintf(fio, n, "%llums", (unsigned long long)ms);
	return true;
}

int rb_fio_path_check(struct rb_point *pt, const char *what, const char *path)
{
	if (strpbrk(path, ":\n\r"))
		return rb_point_fail(pt, RB_ERR, "%s %s: fio reads ':' as a file separator; use "
				     "a path without ':' or line breaks", what, path);
	return RB_OK;
}
