/* SPDX-License-Identifier: GPL-2.0 */
/*
 * REP string instructions, which TCG executes once per iteration: each
 * iteration ends the translation block and jumps back to the instruction,
 * so an instruction callback (and icount) sees rcx + 1 executions of a
 * `rep stosb` with rcx = N (the last one finds rcx = 0 and leaves; icount
 * mode never takes the shortcut that skips it), where the hardware retires
 * the instruction once. The plugin counts a REP instruction's executions
 * after the first one that continue it (plugin/insn_attr.c: "rep").
 */
#ifndef REFBENCH_X86_REP_H
#define REFBENCH_X86_REP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * An F2/F3-prefixed string instruction: movs, cmps, stos, lods, scas, ins,
 * outs (a4-a7, aa-af, 6c-6f), after any legacy prefixes and one REX.
 * Other F3 forms (pause f3 90, endbr64 f3 0f 1e fa, popcnt f3 0f b8,
 * `rep ret` f3 c3) are not: they execute once.
 */
static inline bool rb_x86_rep_string(const uint8_t *d, size_t n)
{
	bool rep = false;
	size_t i = 0;

	for (; i < n; i++) {
		if (d[i] == 0xf2 || d[i] == 0xf3)
			rep = true;
		else if (d[i] != 0xf0 && d[i] != 0x2e && d[i] != 0x36 && d[i] != 0x3e && d[i] != 0x26 &&
			 d[i] != 0x64 && d[i] != 0x65 && d[i] != 0x66 && d[i] != 0x67)
			break;
	}
	if (i < n && (d[i] & 0xf0) == 0x40)	/* REX */
		i++;
	if (!rep || i >= n)
		return false;
	return (d[i] >= 0xa4 && d[i] <= 0xa7) || (d[i] >= 0xaa && d[i] <= 0xaf) ||
	       (d[i] >= 0x6c && d[i] <= 0x6f);
}

#endif
