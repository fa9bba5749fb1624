/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The window markers: refbench executes one of these no-op instructions
 * where a measurement window begins and ends; the QEMU plugin
 * (plugin/insn_attr.c) recognises them when it translates the code, so it
 * needs no channel to the guest. Each is `nopl DISP32(%rax)`
 * (0f 1f 80 + disp32): one instruction, architecturally a no-op, with a
 * displacement no compiler emits ("RBW1", "RBW0").
 */
#ifndef REFBENCH_WINDOW_MARKER_H
#define REFBENCH_WINDOW_MARKER_H

#define RB_MARKER_LEN 7
#define RB_MARKER_BEGIN_DISP 0x31574252u	/* "RBW1" */
#define RB_MARKER_END_DISP 0x30574252u		/* "RBW0" */

/*
 * Validation canaries (kernels/patches/canary): the kernel executes
 * `nopl 0x3N434252(%rax)` ("RBCN", N = 1..9) at one spot per canary; the
 * plugin counts each one's executions per window, so the expected change
 * of a metric is known exactly.
 */
#define RB_CANARY_DISP(n) (0x30434252u + ((unsigned)(n) << 24))
#define RB_CANARY_MAX 9

#if defined(__x86_64__) && !defined(RB_MARKER_NO_ASM)
#define RB_MARKER_STR(d) ".byte 0x0f, 0x1f, 0x80; .long " #d
#define RB_MARKER_XSTR(d) RB_MARKER_STR(d)
#define rb_marker_begin() __asm__ volatile(RB_MARKER_XSTR(0x31574252) ::: "memory")
#define rb_marker_end() __asm__ volatile(RB_MARKER_XSTR(0x30574252) ::: "memory")
#else
#define rb_marker_begin() do { } while (0)
#define rb_marker_end() do { } while (0)
#endif

#endif
