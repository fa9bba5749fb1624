// SPDX-License-Identifier: GPL-2.0
/*
 * kconfig-query: what the kernel's own Kconfig parser says about symbols.
 *
 * kernels/lib/kconfig-verify links this file against the scripts/kconfig
 * objects that `make olddefconfig` just built in the objdir, so it parses
 * the tree exactly as kbuild did (if-blocks, menus, choices, selects,
 * per-arch sourcing). It uses only the interface that the in-tree config
 * front ends (conf, mconf, nconf) use too.
 *
 * usage: kconfig-query KCONFIG DOTCONFIG < names
 *   (run in the objdir with srctree, ARCH, SRCARCH, CC, ... as kbuild sets)
 * For each symbol name on stdin (with or without CONFIG_), one line:
 *   NAME \t defined|undefined|transitional \t TYPE \t VALUE \t WHY_NOT_Y \t WHY_ON
 * WHY_NOT_Y: the unmet part of what keeps it from being y, values in [=..].
 * WHY_ON:    what holds it on (selects, or a hidden prompt with a default).
 */
#include <stdio.h>
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

static void query(const char *name)
{
	struct symbol *sym = sym_find(name);
	struct property *prompt;
	struct buf why = { .n = 0 }, on = { .n = 0 }, tmp = { .n = 0 };
	int count = 0;

	why.s[0] = on.s[0] = tmp.s[0] = '\0';
	if (!sym || sym->type == S_UNKNOWN) {
		printf("%s\tundefined\t-\t-\t\t\n", name);
		return;
	}
#ifdef SYMBOL_TRANS
	/* Newer kconfig: an old name kept only to carry .config values over to
	 * its new name; it is never written to .config. */
	if (sym->flags & SYMBOL_TRANS) {
		printf("%s\ttransitional\t-\t-\t\t\n", name);
		return;
	}
#endif
	prompt = prompt_of(sym);
	if (prompt) {
		unmet(prompt->visible.expr, yes, &tmp);
		if (tmp.n) {
			put(&why, "depends on ");
			put(&why, tmp.s);
		}
		if (expr_calc_value(prompt->visible.expr) == no && tmp.n) {
			put(&on, "its prompt is hidden (");
			put(&on, tmp.s);
			put(&on, "), so its default applies");
		}
	} else {
		unmet(sym->dir_dep.expr, yes, &tmp);
		if (tmp.n) {
			put(&why, "depends on ");
			put(&why, tmp.s);
			put(&why, "; ");
		}
		put(&why, "has no prompt: only a select or a default sets it");
		tmp.n = 0;
		tmp.s[0] = '\0';
		terms(sym->rev_dep.expr, no, &tmp, &count);
		if (tmp.n) {
			put(&why, "; selected by ");
			put(&why, tmp.s);
		}
		if (!on.n)
			put(&on, "it has no prompt: its default or a select sets it");
	}
	tmp.n = 0;
	tmp.s[0] = '\0';
	count = 0;
	terms(sym->rev_dep.expr, mod, &tmp, &count);
	if (tmp.n) {
		on.n = 0;
		on.s[0] = '\0';
		put(&on, "selected by ");
		put(&on, tmp.s);
	}
	range_of(sym, &why);
	clean(why.s);
	clean(on.s);
	printf("%s\tdefined\t%s\t%s\t%s\t%s\n", name, sym_type_name(sym->type),
	       sym_get_string_value(sym), why.s, on.s);
}

int main(int argc, char **argv)
{
	char line[512];

	if (argc != 3) {
		fprintf(stderr, "usage: %s KCONFIG DOTCONFIG < names\n", argv[0]);
		return 2;
	}
	conf_parse(argv[1]);
	if (conf_read(argv[2])) {
		fprintf(stderr, "%s: cannot read %s\n", argv[0], argv[2]);
		return 1;
	}
	while (fgets(line, sizeof(line), stdin)) {
		char *s = line;

		line[strcspn(line, " \t\r\n")] = '\0';
		if (!strncmp(s, "CONFIG_", 7))
			s += 7;
		if (*s)
			query(s);
	}
	return ferror(stdout) ? 1 : 0;
}
