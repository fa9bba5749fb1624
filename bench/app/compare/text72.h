/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The 72-column text of refbench's reports (compare's report.txt, the
 * walk's series.txt): paragraphs wrapped at 72 columns, numbers in a fixed
 * width, a change per op.
 */
#ifndef REFBENCH_TEXT72_H
#define REFBENCH_TEXT72_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define RB_TEXT_COLS 72

/* first, then text wrapped at 72 columns, continuation lines indented. */
void rb_text_wrap(FILE *f, const char *first, int indent, const char *text);
/* v in at most width characters, with as many significant digits as fit. */
const char *rb_text_num(char *buf, size_t n, double v, int width, bool sign);
/* "page" of "insn/page": what a per-op count is per ("op" when none). */
const char *rb_text_unit_per(const char *unit);
/* "+1.000/page" for d in unit "insn/page". */
const char *rb_text_per_op(char *buf, size_t n, double d, const char *unit);

#endif
