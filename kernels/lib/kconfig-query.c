// SPDX-License-Identifier: GPL-2.0
/*
 * kconfig-query: the config check of kernels/build, with the reasons the
 * kernel's own Kconfig parser gives.
 *
 * kernels/build links this file against the scripts/kconfig objects that
 * merge_config.sh's make just built in the objdir, so it parses the tree
 * exactly as kbuild did (if-blocks, menus, choices, selects, per-arch
 * sourcing). It uses only the interface the in-tree front ends (conf,
 * mconf, nconf) use too.
 *
 * usage: kconfig-query MERGE_LOG STATUS KCONFIG DOTCONFIG FRAGMENT...
 *   (run in the objdir with srctree, ARCH, SRCARCH, CC, ... as kbuild sets)
 *
 * merge_config.sh decides what did not make it: its report ("Value
 * requested for CONFIG_X not in final .config", "CONFIG_X differs") in
 * MERGE_LOG. This adds what that report cannot say: the fragments'
 * notation (kernels/README.md: "# refbench: optional", "required",
 * "any-of A B"), that =m is met by y and "is not set" by an absent
 * symbol, that a symbol this tree lacks is no error unless required,
 * and for each option that is missing the reason: the unmet part of its
 * dependencies with their values, what selects it, its range.
 *
 * Prints one line per option that is not plainly met, and a summary, on
 * stdout; writes STATUS, one line per option (tab-separated): CONFIG_X
 * STATUS WANT GOT WHERE MESSAGE MODE GROUP DEFINED, STATUS one of ok,
 * missing, optional-unmet, not-in-tree, alternative. Exit 0: every
 * required option met, 1: some missing, 2: a fragment's notation is
 * wrong, 3: usage or I/O.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lkc.h"

struct buf {
	char s[1536];
	size_t n;
};

static void put(struct buf *b, const char *s)
{
	size_t l = strlen(s);

	if (b->n + l + 4 >= sizeof(b->s)) {
		if (b->n + 4 < sizeof(b->s) && strcmp(b->s + b->n - 3, "..."))
			b->n += (size_t)sprintf(b->s + b->n, "...");
		return;
	}
	memcpy(b->s + b->n, s, l);
	b->n += l;
	b->s[b->n] = '\0';
}

/* expr_print() callback: NAME [=value], as menuconfig prints it. */
static void put_sym(void *data, struct symbol *sym, const char *str)
{
	struct buf *b = data;

	put(b, str);
	if (sym && sym->type != S_UNKNOWN && !(sym->flags & SYMBOL_CONST)) {
		put(b, " [=");
		put(b, sym_get_string_value(sym));
		put(b, "]");
	}
}

/* The conjuncts of e that evaluate below need, joined by " && ". */
static void unmet(struct expr *e, tristate need, struct buf *b)
{
	if (!e)
		return;
	if (e->type == E_AND) {
		unmet(e->left.expr, need, b);
		unmet(e->right.expr, need, b);
		return;
	}
	if (expr_calc_value(e) >= need)
		return;
	if (b->n)
		put(b, " && ");
	expr_print(e, put_sym, b, E_AND);
}

/* The terms of an OR (a reverse dependency) whose value is at least min;
 * at most five, then "...". */
static void terms(struct expr *e, tristate min, struct buf *b, int *count)
{
	if (!e || *count > 5)
		return;
	if (e->type == E_OR) {
		terms(e->left.expr, min, b, count);
		terms(e->right.expr, min, b, count);
		return;
	}
	if (expr_calc_value(e) < min)
		return;
	if (++*count > 5) {
		put(b, ", ...");
		return;
	}
	if (b->n)
		put(b, ", ");
	expr_print(e, put_sym, b, E_OR);
}

static struct property *prompt_of(struct symbol *sym)
{
	struct property *p;

	for (p = sym->prop; p; p = p->next)
		if (p->type == P_PROMPT || p->type == P_MENU)
			return p;
	return NULL;
}

/* An int or hex symbol's active range, bounds with their values: a value
 * outside it is replaced silently (NR_CPUS 64 -> 2 when the range is 2..2). */
static void range_of(struct symbol *sym, struct buf *b)
{
	struct property *r;
	struct symbol *lo, *hi;

	if (sym->type != S_INT && sym->type != S_HEX)
		return;
	r = sym_get_range_prop(sym);
	if (!r || !r->expr || r->expr->type != E_RANGE)
		return;
	lo = r->expr->left.sym;
	hi = r->expr->right.sym;
	if (b->n)
		put(b, "; ");
	put(b, "its range here is ");
	put(b, sym_get_string_value(lo));
	put(b, "..");
	put(b, sym_get_string_value(hi));
	if (!(lo->flags & SYMBOL_CONST) || !(hi->flags & SYMBOL_CONST)) {
		put(b, " (range ");
		put_sym(b, lo, lo->name);
		put(b, " ");
		put_sym(b, hi, hi->name);
		put(b, ")");
	}
	put(b, ", and Kconfig replaces a value outside it without a word");
}

static void clean(char *s)
{
	for (; *s; s++)
		if (*s == '\t' || *s == '\n' || *s == '\r')
			*s = ' ';
}

/* What the tree says of a symbol. */
struct sym_info {
	const char *defined;	/* "defined", "undefined", "transitional" */
	const char *type;	/* "bool", "tristate", "int", ...; NULL when undefined */
	struct buf why;		/* the unmet part of what keeps it from being y */
	struct buf on;		/* what holds it on: selects, a hidden prompt's default */
};

static void explain(const char *name, struct sym_info *q)
{
	struct symbol *sym = sym_find(name);
	struct property *prompt;
	struct buf tmp = { .n = 0 };
	int count = 0;

	memset(q, 0, sizeof(*q));
	q->defined = "undefined";
	if (!sym || sym->type == S_UNKNOWN)
		return;
#ifdef SYMBOL_TRANS
	/* Newer kconfig: an old name kept only to carry .config values over to
	 * its new name; it is never written to .config. */
	if (sym->flags & SYMBOL_TRANS) {
		q->defined = "transitional";
		return;
	}
#endif
	q->defined = "defined";
	q->type = sym_type_name(sym->type);
	prompt = prompt_of(sym);
	if (prompt) {
		unmet(prompt->visible.expr, yes, &tmp);
		if (tmp.n) {
			put(&q->why, "depends on ");
			put(&q->why, tmp.s);
		}
		if (expr_calc_value(prompt->visible.expr) == no && tmp.n) {
			put(&q->on, "its prompt is hidden (");
			put(&q->on, tmp.s);
			put(&q->on, "), so its default applies");
		}
	} else {
		unmet(sym->dir_dep.expr, yes, &tmp);
		if (tmp.n) {
			put(&q->why, "depends on ");
			put(&q->why, tmp.s);
			put(&q->why, "; ");
		}
		put(&q->why, "has no prompt: only a select or a default sets it");
		tmp.n = 0;
		tmp.s[0] = '\0';
		terms(sym->rev_dep.expr, no, &tmp, &count);
		if (tmp.n) {
			put(&q->why, "; selected by ");
			put(&q->why, tmp.s);
		}
		if (!q->on.n)
			put(&q->on, "it has no prompt: its default or a select sets it");
	}
	tmp.n = 0;
	tmp.s[0] = '\0';
	count = 0;
	terms(sym->rev_dep.expr, mod, &tmp, &count);
	if (tmp.n) {
		q->on.n = 0;
		q->on.s[0] = '\0';
		put(&q->on, "selected by ");
		put(&q->on, tmp.s);
	}
	range_of(sym, &q->why);
	clean(q->why.s);
	clean(q->on.s);
}

/* ---- the fragments' requests ------------------------------------------ */

#define MAX_REQ 1024
#define MAX_GROUPS 64
#define MAX_MEMBERS 8

struct request {
	char name[128];		/* CONFIG_X */
	char want[256];		/* "y", "m", "64", "n" for "is not set" */
	char where[160];	/* fragment:line */
	const char *mode;	/* "default", "optional", "required" */
	int group;		/* any-of group + 1, or 0 */
	const char *st;		/* the verdict */
	char got[256];		/* the final .config's value, "" when absent */
	bool candidate;		/* merge_config.sh reported it */
	struct sym_info q;
};

static struct request req[MAX_REQ];
static unsigned nreq;
static struct { char where[160]; unsigned n; char m[MAX_MEMBERS][128]; int ok; } grp[MAX_GROUPS];
static unsigned ngrp;
static bool syntax_err;

static void syntax(const char *where, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void syntax(const char *where, const char *fmt, ...)
{
	va_list ap;

	printf("kconfig: %s: ", where);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	syntax_err = true;
}

static struct request *find(const char *name)
{
	for (unsigned i = 0; i < nreq; i++)
		if (!strcmp(req[i].name, name))
			return &req[i];
	return NULL;
}

/* A later fragment overrides an earlier one, value and directive, as
 * merge_config.sh does for values (and says so itself). */
static void request(const char *name, size_t len, const char *want, const char *mode,
		    const char *where)
{
	char n[128];
	struct request *r;

	snprintf(n, sizeof(n), "%.*s", (int)len, name);
	r = find(n);
	if (r && strcmp(r->want, want))
		printf("kconfig: note     %s: %s overrides %s (%s -> %s)\n", n, where, r->where,
		       r->want, want);
	if (!r) {
		if (nreq == MAX_REQ)
			return;
		r = &req[nreq++];
		snprintf(r->name, sizeof(r->name), "%s", n);
	}
	snprintf(r->want, sizeof(r->want), "%s", want);
	snprintf(r->where, sizeof(r->where), "%s", where);
	r->mode = mode;
}

static bool is_name(const char *s, size_t len)
{
	if (len <= 7 || strncmp(s, "CONFIG_", 7))
		return false;
	for (size_t i = 7; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

static size_t name_len(const char *s)
{
	size_t l = 0;

	while (isalnum((unsigned char)s[l]) || s[l] == '_')
		l++;
	return l;
}

static void read_fragment(const char *path)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	const char *pending = NULL;
	char line[1024], where[160];
	unsigned lineno = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		printf("kconfig: %s: cannot read it\n", path);
		syntax_err = true;
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *e = line + strcspn(line, "\r\n");

		*e = '\0';
		snprintf(where, sizeof(where), "%s:%u", base, ++lineno);
		if (!strncmp(p, "# refbench:", 11) || (p[0] == '#' && strstr(p, "refbench:") &&
		    strspn(p + 1, " \t") == (size_t)(strstr(p, "refbench:") - p - 1))) {
			char *d = strstr(p, "refbench:") + 9, *why = strstr(d, " --");
			char kind[32] = "";

			if (why)
				*why = '\0';
			sscanf(d, "%31s", kind);
			if (!strcmp(kind, "optional") || !strcmp(kind, "required")) {
				if (pending)
					syntax(where, "two directives in a row for one option");
				pending = !strcmp(kind, "optional") ? "optional" : "required";
			} else if (!strcmp(kind, "any-of")) {
				char *m = strstr(d, "any-of") + 6, *save = NULL;
				unsigned g = ngrp, cnt = 0;

				if (ngrp == MAX_GROUPS)
					continue;
				snprintf(grp[g].where, sizeof(grp[g].where), "%s", where);
				for (char *t = strtok_r(m, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
					char n[128];

					snprintf(n, sizeof(n), "%s%s", strncmp(t, "CONFIG_", 7) ? "CONFIG_" : "", t);
					cnt++;
					if (!is_name(n, strlen(n))) {
						syntax(where, "any-of: '%s' is not an option name", t);
						continue;
					}
					if (grp[g].n < MAX_MEMBERS)
						snprintf(grp[g].m[grp[g].n++], sizeof(grp[g].m[0]), "%s", n);
				}
				if (cnt < 2)
					syntax(where, "any-of needs at least two options");
				else
					ngrp++;
			} else {
				syntax(where, "unknown refbench directive '%s' (optional, required, any-of)", kind);
			}
			continue;
		}
		if (!strncmp(p, "CONFIG_", 7) && strchr(p, '=') && is_name(p, (size_t)(strchr(p, '=') - p))) {
			char *eq = strchr(p, '=');
			size_t vl = strlen(eq + 1);

			while (vl && (eq[vl] == ' ' || eq[vl] == '\t'))
				eq[vl--] = '\0';
			request(p, (size_t)(eq - p), eq + 1, pending ? pending : "default", where);
			pending = NULL;
			continue;
		}
		if (!strncmp(p, "# CONFIG_", 9) && strstr(p, " is not set")) {
			size_t l = name_len(p + 9);

			if (!strncmp(p + 9 + l, " is not set", 11) && !p[9 + l + 11 + strspn(p + 9 + l + 11, " \t")]) {
				request(p + 2, l + 7, "n", pending ? pending : "default", where);
				pending = NULL;
				continue;
			}
		}
		if (!p[strspn(p, " \t")]) {
			if (pending)
				syntax(where, "the '%s' directive above is followed by a blank line, not by an "
				       "option", pending);
			pending = NULL;
			continue;
		}
		if (p[strspn(p, " \t")] != '#')
			syntax(where, "not an option line: %s", p);
	}
	fclose(f);
	if (pending) {
		snprintf(where, sizeof(where), "%s:%u", base, lineno);
		syntax(where, "a refbench directive at the end of the file applies to nothing");
	}
}

/* ---- the verdicts ------------------------------------------------------ */

/* merge_config.sh's report: the options whose requested value is not what
 * the final .config holds (6.1: "Value requested for X not in final
 * .config"; 7.x adds "WARNING: " and "X differs:"). */
static void read_report(const char *path)
{
	char line[1024];
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "Value requested for "), *n;
		struct request *r;

		if (p)
			n = p + 20;
		else if ((p = strstr(line, "WARNING: CONFIG_")) && strstr(line, " differs:"))
			n = p + 9;
		else
			continue;
		n[name_len(n)] = '\0';
		if ((r = find(n)))
			r->candidate = true;
	}
	fclose(f);
}

static void read_config(const char *path)
{
	char line[1024];
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *eq = strchr(line, '=');
		struct request *r;

		line[strcspn(line, "\r\n")] = '\0';
		if (!strncmp(line, "CONFIG_", 7) && eq) {
			*eq = '\0';
			if ((r = find(line)))
				snprintf(r->got, sizeof(r->got), "%s", eq + 1);
		} else if (!strncmp(line, "# CONFIG_", 9) && strstr(line, " is not set")) {
			line[9 + name_len(line + 9)] = '\0';
			if ((r = find(line + 2)))
				snprintf(r->got, sizeof(r->got), "n");
		}
	}
	fclose(f);
}

/* The fragment notation's idea of met, for what merge_config reported. */
static bool met(const struct request *r)
{
	if (!r->candidate)
		return true;	/* merge_config.sh found it as requested */
	if (!strcmp(r->want, "n"))
		return !r->got[0] || !strcmp(r->got, "n");
	if (!strcmp(r->want, "m"))
		return !strcmp(r->got, "m") || !strcmp(r->got, "y");
	return !strcmp(r->got, r->want);
}

static bool in_tree(const struct request *r)
{
	return !strcmp(r->q.defined, "defined");
}

static const char *got_text(const struct request *r)
{
	if (r->got[0])
		return r->got;
	if (!r->q.type || !strcmp(r->q.type, "bool") || !strcmp(r->q.type, "tristate"))
		return "n";
	return "unset";
}

static const char *req_text(const struct request *r, char *buf, size_t n)
{
	if (!strcmp(r->want, "n"))
		snprintf(buf, n, "# %s is not set", r->name);
	else
		snprintf(buf, n, "%s=%s", r->name, r->want);
	return buf;
}

static const char *absent_text(const struct request *r)
{
	return !strcmp(r->q.defined, "transitional") ?
	       "not in this tree (only as a transitional name: it was renamed)" : "not in this tree";
}

/* Why a requested option is not met, from the tree's Kconfig. */
static const char *why(const struct request *r, char *buf, size_t n)
{
	if (!strcmp(r->want, "n"))
		snprintf(buf, n, "%s", r->q.on.n ? r->q.on.s : "something selects it or defaults it on");
	else if (r->q.why.n)
		snprintf(buf, n, "%s", r->q.why.s);
	else if (strcmp(r->want, "y") && strcmp(r->want, "m"))
		snprintf(buf, n, "kconfig chose %s (out of range, or a choice or another fragment won)",
			 got_text(r));
	else
		snprintf(buf, n, "its dependencies are met, so the base config or another fragment set "
			 "it to %s, or a choice picked another member", got_text(r));
	return buf;
}

static int check(const char *report, const char *status)
{
	unsigned nok = 0, nabs = 0, nalt = 0, nopt = 0, nmiss = 0;
	FILE *st = fopen(status, "w");

	if (!st) {
		fprintf(stderr, "kconfig-query: cannot write %s\n", status);
		return 3;
	}
	read_report(report);
	for (unsigned g = 0; g < ngrp; g++)
		for (unsigned i = 0; i < grp[g].n; i++) {
			struct request *r = find(grp[g].m[i]);

			if (!r) {
				printf("kconfig: %s: any-of lists %s, but no fragment requests a value for "
				       "it\n", grp[g].where, grp[g].m[i]);
				syntax_err = true;
			} else {
				r->group = (int)g + 1;
			}
		}
	if (syntax_err) {
		fclose(st);
		return 2;
	}
	for (unsigned i = 0; i < nreq; i++) {
		struct request *r = &req[i];

		explain(r->name + 7, &r->q);
		if (met(r))
			r->st = "ok";
		else if (!in_tree(r))
			r->st = !strcmp(r->mode, "required") ? "missing" : "not-in-tree";
		else
			r->st = !strcmp(r->mode, "optional") ? "optional-unmet" : "missing";
	}
	/* an any-of group is met by one member: the others are alternatives */
	for (unsigned g = 0; g < ngrp; g++) {
		grp[g].ok = -1;
		for (unsigned i = 0; i < grp[g].n; i++)
			if (!strcmp(find(grp[g].m[i])->st, "ok"))
				grp[g].ok = (int)i;
		for (unsigned i = 0; i < grp[g].n; i++) {
			struct request *r = find(grp[g].m[i]);

			if (strcmp(r->st, "ok"))
				r->st = grp[g].ok >= 0 ? "alternative" : "group-missing";
		}
	}
	for (unsigned i = 0; i < nreq; i++) {
		struct request *r = &req[i];
		char msg[2048], rt[400], w[1600];
		const char *s = r->st;

		msg[0] = '\0';
		req_text(r, rt, sizeof(rt));
		if (!strcmp(s, "ok")) {
			nok++;
		} else if (!strcmp(s, "not-in-tree")) {
			nabs++;
			snprintf(msg, sizeof(msg), "%s%s", absent_text(r),
				 !strcmp(r->mode, "optional") ? " (optional)" : "");
			printf("kconfig: note     %s  [%s]: %s\n", rt, r->where, msg);
		} else if (!strcmp(s, "optional-unmet")) {
			nopt++;
			snprintf(msg, sizeof(msg), "optional, unmet (now %s): %s", got_text(r),
				 why(r, w, sizeof(w)));
			printf("kconfig: warning  %s  [%s]: %s\n", rt, r->where, msg);
		} else if (!strcmp(s, "alternative")) {
			const char *alt = grp[r->group - 1].m[grp[r->group - 1].ok];

			nalt++;
			if (in_tree(r))
				snprintf(msg, sizeof(msg), "unmet (now %s); its alternative %s is met",
					 got_text(r), alt);
			else
				snprintf(msg, sizeof(msg), "%s; its alternative %s is met", absent_text(r), alt);
			if (in_tree(r))
				printf("kconfig: note     %s  [%s]: %s\n", rt, r->where, msg);
		} else if (!strcmp(s, "group-missing")) {
			char alts[1024] = "";
			size_t len = 0;

			nmiss++;
			for (unsigned k = 0; k < grp[r->group - 1].n; k++)
				if (strcmp(grp[r->group - 1].m[k], r->name))
					len += (size_t)snprintf(alts + len, sizeof(alts) - len, "%s%s", len ? ", " : "",
								grp[r->group - 1].m[k]);
			if (in_tree(r))
				snprintf(msg, sizeof(msg), "%s (now %s); no alternative (%s) is met either",
					 why(r, w, sizeof(w)), got_text(r), alts);
			else
				snprintf(msg, sizeof(msg), "%s; no alternative (%s) is met either",
					 absent_text(r), alts);
			printf("kconfig: MISSING  %s requested but missing: %s  [%s]\n", rt, msg, r->where);
			s = "missing";
		} else {
			nmiss++;
			if (!in_tree(r))
				snprintf(msg, sizeof(msg), "required, but %s", absent_text(r));
			else
				snprintf(msg, sizeof(msg), "%s (now %s)", why(r, w, sizeof(w)), got_text(r));
			printf("kconfig: MISSING  %s requested but missing: %s  [%s]\n", rt, msg, r->where);
		}
		fprintf(st, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\n", r->name, s, r->want, got_text(r),
			r->where, msg, r->mode, r->group ? "any-of" : "", in_tree(r));
	}
	printf("kconfig: %u options met, %u not in this tree, %u alternatives unused, %u optional "
	       "unmet, %u missing\n", nok, nabs, nalt, nopt, nmiss);
	if (fclose(st)) {
		fprintf(stderr, "kconfig-query: writing %s failed\n", status);
		return 3;
	}
	return nmiss ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 6) {
		fprintf(stderr, "usage: %s MERGE_LOG STATUS KCONFIG DOTCONFIG FRAGMENT...\n", argv[0]);
		return 3;
	}
	for (int i = 5; i < argc; i++)
		read_fragment(argv[i]);
	conf_parse(argv[3]);
	if (conf_read(argv[4])) {
		fprintf(stderr, "%s: cannot read %s\n", argv[0], argv[4]);
		return 3;
	}
	read_config(argv[4]);
	return check(argv[1], argv[2]);
}
