// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/run/suite.h"
#include "lib/digest.h"
#include "lib/userfile.h"

static bool runner_key(const char *k)
{
	return !strcmp(k, "repeat") || !strcmp(k, "warmup");
}

static bool case_has_param(const struct rb_case *c, const char *k)
{
	for (const struct rb_param_def *p = c->params; p && p->key; p++)
		if (!strcmp(p->key, k))
			return true;
	return false;
}

static void list_params(const struct rb_case *c, char *buf, size_t n)
{
	size_t len = (size_t)snprintf(buf, n, "repeat, warmup, primary");

	for (const struct rb_param_def *p = c->params; p && p->key && len < n; p++)
		len += (size_t)snprintf(buf + len, n - len, ", %s", p->key);
}

static void list_kinds(uint32_t mask, char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int k = 0; k < RB_KIND__COUNT && len < n; k++)
		if (mask & RB_KIND_BIT(k))
			len += (size_t)snprintf(buf + len, n - len, "%s%s", len ? "," : "", rb_kind_name(k));
}

static int add_kinds(struct rb_suite_entry *e, const char *spec, const char *where,
		     char *err, size_t n)
{
	char buf[256], *save = NULL, names[256];
	uint32_t mask = e->c ? e->c->kinds : RB_KINDS_ALL | RB_KIND_BIT(RB_KIND_NONE), want = 0;

	if (!strcmp(spec, "-")) {
		if (!(mask & RB_KIND_BIT(RB_KIND_NONE))) {
			list_kinds(mask, names, sizeof(names));
			snprintf(err, n, "%s: case %s needs memory kinds (one of: %s)", where,
				 e->casename, names);
			return -EINVAL;
		}
		e->kinds[e->n_kinds++] = RB_KIND_NONE;
		return 0;
	}
	rb_strlcpy(buf, spec, sizeof(buf));
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int k;

		if (!strcmp(tok, "all") || !strcmp(tok, "baseline") || !strcmp(tok, "dax")) {
			want = mask & (!strcmp(tok, "all") ? ~RB_KIND_BIT(RB_KIND_NONE) :
				       rb_kind_mask(!strcmp(tok, "baseline") ? RB_CLASS_BASELINE : RB_CLASS_DAX));
			/* a selection of nothing is an error, not an empty run */
			if (!want && mask == RB_KIND_BIT(RB_KIND_NONE)) {
				snprintf(err, n, "%s: case %s takes no memory: '%s' selects no kind (use "
					 "--kind -, or - in a suite)", where, e->casename, tok);
				return -EINVAL;
			}
			if (!want) {
				list_kinds(mask, names, sizeof(names));
				snprintf(err, n, "%s: '%s' selects no kind that case %s supports (it "
					 "supports: %s)", where, tok, e->casename, names);
				return -EINVAL;
			}
		} else if ((k = rb_kind_parse(tok)) >= 0) {
			if (!(mask & RB_KIND_BIT(k))) {
				list_kinds(mask, names, sizeof(names));
				snprintf(err, n, "%s: case %s does not support kind %s (it supports: %s)",
					 where, e->casename, tok, names);
				return -EINVAL;
			}
			want = RB_KIND_BIT(k);
		} else {
			list_kinds(RB_KINDS_ALL, names, sizeof(names));
			snprintf(err, n, "%s: unknown kind '%s' (kinds: %s; or all, baseline, dax, -)",
				 where, tok, names);
			return -EINVAL;
		}
		for (int k2 = 0; k2 < RB_KIND__COUNT; k2++) {
			bool dup = false;
			if (!(want & RB_KIND_BIT(k2)))
				continue;
			for (unsigned i = 0; i < e->n_kinds; i++)
				dup |= e->kinds[i] == (enum rb_kind)k2;
			if (!dup)
				e->kinds[e->n_kinds++] = k2;
		}
	}
	return 0;
}

/* A suite line is short; a longer one is refused by its length, before
 * any of it is echoed back in a message. */
#define RB_SUITE_LINE_MAX 4096

/* A word of the user's for a message: at most 64 bytes of it. */
static const char *word(const char *w, char *buf, size_t n)
{
	size_t len = strlen(w);

	if (len <= 64)
		return w;
	snprintf(buf, n, "%.48s... (%zu bytes)", w, len);
	return buf;
}

static int parse_line(struct rb_suite *s, char *line, const char *where, unsigned lineno,
		      char *err, size_t n)
{
	char wb[96];

	char *save = NULL, *tok, names[512];
	struct rb_suite_entry e = { .line = lineno };
	struct rb_suite_entry *ne;
	const char *cname = strtok_r(line, " \t", &save);
	const char *kinds = strtok_r(NULL, " \t", &save);

	e.c = s->stored ? NULL : rb_case_find(cname);
	if (strlen(cname) >= sizeof(e.casename)) {
		snprintf(err, n, "%s: case name '%s' is too long", where, word(cname, wb, sizeof(wb)));
		return -EINVAL;
	}
	rb_strlcpy(e.casename, cname, sizeof(e.casename));
	if (!e.c && !s->stored) {
		size_t nc, len = 0;
		const struct rb_case *const *cs = rb_cases(&nc);
		for (size_t i = 0; i < nc && len < sizeof(names); i++)
			len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s", i ? ", " : "", cs[i]->name);
		snprintf(err, n, "%s: unknown case '%s' (cases: %s; see 'refbench list')", where,
			 word(cname, wb, sizeof(wb)), names);
		return -EINVAL;
	}
	if (!kinds) {
		snprintf(err, n, "%s: missing kinds column after '%s' (e.g. 'anon,thp' or '-')", where,
			 word(cname, wb, sizeof(wb)));
		return -EINVAL;
	}
	if (add_kinds(&e, kinds, where, err, n))
		return -EINVAL;
	while ((tok = strtok_r(NULL, " \t", &save))) {
		char *eq = strchr(tok, '=');

		if (!eq || eq == tok || !eq[1]) {
			snprintf(err, n, "%s: '%s' is not key=value", where, word(tok, wb, sizeof(wb)));
			return -EINVAL;
		}
		*eq = '\0';
		if (!strcmp(tok, "primary")) {
			if (e.primary[0] || strlen(eq + 1) >= sizeof(e.primary)) {
				snprintf(err, n, "%s: primary= given twice or too long", where);
				return -EINVAL;
			}
			rb_strlcpy(e.primary, eq + 1, sizeof(e.primary));
			continue;
		}
		if (!runner_key(tok) && e.c && !case_has_param(e.c, tok)) {
			list_params(e.c, names, sizeof(names));
			snprintf(err, n, "%s: unknown parameter '%s' for case %s (valid: %s)", where,
				 word(tok, wb, sizeof(wb)), e.casename, names);
			return -EINVAL;
		}
		if (e.n_keys == RB_MAX_PARAMS || strlen(tok) >= sizeof(e.sweep[0].key) ||
		    strlen(eq + 1) >= sizeof(e.sweep[0].vals)) {
			snprintf(err, n, "%s: too many or too long parameters", where);
			return -EINVAL;
		}
		for (unsigned i = 0; i < e.n_keys; i++)
			if (!strcmp(e.sweep[i].key, tok)) {
				snprintf(err, n, "%s: parameter '%s' given twice", where, word(tok, wb, sizeof(wb)));
				return -EINVAL;
			}
		rb_strlcpy(e.sweep[e.n_keys].key, tok, sizeof(e.sweep[0].key));
		rb_strlcpy(e.sweep[e.n_keys].vals, eq + 1, sizeof(e.sweep[0].vals));
		e.n_keys++;
	}
	ne = realloc(s->e, (s->n + 1) * sizeof(*s->e));
	if (!ne)
		return -ENOMEM;
	s->e = ne;
	s->e[s->n++] = e;
	return 0;
}

int rb_suite_parse(const char *text, const char *origin, struct rb_suite *s, char *err, size_t n)
{
	char *copy = strdup(text), *save = NULL, where[PATH_MAX + 32];
	unsigned lineno = 0;
	int r = 0;

	if (!copy)
		return -ENOMEM;
	/* strtok_r on "\n" would skip empty lines; count them by hand */
	for (char *line = copy, *next; line && !r; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		line[strcspn(line, "#")] = '\0';
		(void)save;
		char *p = line + strspn(line, " \t\r");
		p[strcspn(p, "\r")] = '\0';
		if (!*p)
			continue;
		snprintf(where, sizeof(where), "%s line %u", origin, lineno);
		if (strlen(p) > RB_SUITE_LINE_MAX) {
			snprintf(err, n, "%s: %zu bytes long, more than the %d a suite line may be",
				 where, strlen(p), RB_SUITE_LINE_MAX);
			r = -EINVAL;
			break;
		}
		r = parse_line(s, p, where, lineno, err, n);
	}
	free(copy);
	if (!r && !s->n) {
		snprintf(err, n, "%s: no entries (a suite needs at least one 'case kinds key=value' line)", origin);
		r = -EINVAL;
	}
	return r;
}

int rb_suite_parse_stored(const char *text, const char *origin, struct rb_suite *s, char *err,
			  size_t n)
{
	s->stored = true;
	return rb_suite_parse(text, origin, s, err, n);
}

int rb_suite_add_entry(struct rb_suite *s, const char *line, const char *origin, char *err, size_t n)
{
	char *copy = strdup(line);
	int r;

	if (!copy)
		return -ENOMEM;
	r = parse_line(s, copy, origin, 0, err, n);
	free(copy);
	return r;
}

const char *rb_suite_path(const char *suites_dir, const char *name_or_path, char *buf, size_t n)
{
	if (strchr(name_or_path, '/'))
		rb_strlcpy(buf, name_or_path, n);
	else
		snprintf(buf, n, "%s/%s.suite", suites_dir, name_or_path);
	return buf;
}

int rb_suite_load(const char *name_or_path, struct rb_suite *s, char *err, size_t n)
{
	char dir[PATH_MAX], path[PATH_MAX + 80], why[512];
	size_t len;
	int r;

	memset(s, 0, sizeof(*s));
	rb_suite_path(rb_repo_path("configs/suites", dir, sizeof(dir)), name_or_path, path, sizeof(path));
	if ((r = rb_user_file_read(path, RB_USER_TEXT_MAX, &s->text, &len, why, sizeof(why)))) {
		snprintf(err, n, "suite '%s' (%s): %s%s", name_or_path, path, why, r == -ENOENT ?
			 "; suites live in configs/suites/NAME.suite" : "");
		return r;
	}
	rb_strlcpy(s->path, path, sizeof(s->path));
	{
		const char *b = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
		rb_strlcpy(s->name, b, sizeof(s->name));
		char *dot = strstr(s->name, ".suite");
		if (dot)
			*dot = '\0';
	}
	rb_sha256_buf(s->text, len, s->sha256);
	r = rb_suite_parse(s->text, path, s, err, n);
	return r;
}

void rb_suite_free(struct rb_suite *s)
{
	free(s->e);
	free(s->text);
	memset(s, 0, sizeof(*s));
}

/* Is word one of the comma-separated values of list? */
static bool in_list(const char *list, const char *word)
{
	size_t w = strlen(word);

	for (const char *p = list; *p; p += strcspn(p, ","), p += *p == ',') {
		size_t l = strcspn(p, ",");

		if (l == w && !strncmp(p, word, w))
			return true;
	}
	return false;
}

const struct rb_suite_entry *rb_suite_entry_of(const struct rb_suite *s, const char *casename,
					       int kind, const struct rb_params *p)
{
	for (unsigned i = 0; i < s->n; i++) {
		const struct rb_suite_entry *e = &s->e[i];
		bool ok = !strcmp(e->casename, casename), kind_ok = false;

		for (unsigned k = 0; ok && k < e->n_kinds; k++)
			kind_ok |= (int)e->kinds[k] == kind;
		ok &= kind_ok;
		for (unsigned k = 0; ok && k < e->n_keys; k++) {
			const char *v = runner_key(e->sweep[k].key) ? NULL :
					rb_param_str(p, e->sweep[k].key);

			ok = runner_key(e->sweep[k].key) || (v && in_list(e->sweep[k].vals, v));
		}
		if (ok)
			return e;
	}
	return NULL;
}

bool rb_suite_entry_primary(const struct rb_suite_entry *e, const char *metric)
{
	return !e->primary[0] || in_list(e->primary, metric);
}
