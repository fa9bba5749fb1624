// SPDX-License-Identifier: GPL-2.0
#include <math.h>
#include <string.h>

#include "app/compare/text72.h"
#include "lib/refbench.h"

void rb_text_wrap(FILE *f, const char *first, int indent, const char *text)
{
	int col = fprintf(f, "%s", first);
	bool line_start = true;
	const char *p = text;

	while (*p == ' ')
		p++;
	while (*p) {
		int w = (int)strcspn(p, " ");

		if (!line_start && col + 1 + w > RB_TEXT_COLS) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
			line_start = true;
		}
		if (!line_start)
			col += fprintf(f, " ");
		col += fprintf(f, "%.*s", w, p);
		line_start = false;
		p += w;
		while (*p == ' ')
			p++;
	}
	fputc('\n', f);
}

const char *rb_text_num(char *buf, size_t n, double v, int width, bool sign)
{
	if (isnan(v))
		return rb_strlcpy(buf, "-", n), buf;
	/* large counts read best whole: 2103456, not 2.1e+06 */
	if (fabs(v) >= 1e4 && fabs(v) < 1e15) {
		snprintf(buf, n, sign ? "%+.0f" : "%.0f", v);
		if ((int)strlen(buf) <= width)
			return buf;
	}
	for (int p = 6; p >= 1; p--) {
		snprintf(buf, n, sign ? "%+.*g" : "%.*g", p, v);
		if ((int)strlen(buf) <= width)
			return buf;
	}
	for (int p = 2; p >= 0; p--) {		/* 0.0002 -> 2e-04 */
		snprintf(buf, n, sign ? "%+.*e" : "%.*e", p, v);
		if ((int)strlen(buf) <= width)
			break;
	}
	return buf;
}

const char *rb_text_unit_per(const char *unit)
{
	const char *p = strrchr(unit, '/');

	return p && p[1] ? p + 1 : "op";
}

const char *rb_text_per_op(char *buf, size_t n, double d, const char *unit)
{
	snprintf(buf, n, fabs(d) >= 0.001 ? "%+.3f/%s" : "%+.2g/%s", d, rb_text_unit_per(unit));
	return buf;
}
