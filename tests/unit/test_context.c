// SPDX-License-Identifier: GPL-2.0
/* Whose work an instruction is (plugin/x86_context.h): the entry and exit
 * instructions the plugin follows, and the frames kept per task. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "x86_context.h"

/* the edges outside __schedule's returns need no address */
static enum rb_edge rb_x86_edge_t(const char *sym, bool at_start, bool after_endbr, const uint8_t *d, size_t n)
{
	return rb_x86_edge(sym, at_start, after_endbr, d, n, 0x1000, 0);
}

static void test_edges(void **st)
{
	static const uint8_t iretq[] = { 0x48, 0xcf }, sysretq[] = { 0x48, 0x0f, 0x07 };
	static const uint8_t endbr[] = { 0xf3, 0x0f, 0x1e, 0xfa }, push_vec[] = { 0x6a, 0x20 };
	static const uint8_t ld_sp[] = { 0x48, 0x8b, 0xa6, 0x58, 0x14, 0x00, 0x00 };
	static const uint8_t st_sp[] = { 0x48, 0x89, 0xa7, 0x58, 0x14, 0x00, 0x00 };
	static const uint8_t nop[] = { 0x90 };

	(void)st;
	assert_int_equal(rb_x86_edge_t("native_iret", false, false, iretq, 2), RB_EDGE_EXIT);
	assert_int_equal(rb_x86_edge_t("entry_SYSCALL_64", false, false, sysretq, 3), RB_EDGE_EXIT);
	assert_int_equal(rb_x86_edge_t(NULL, false, false, iretq, 2), RB_EDGE_EXIT);
	assert_int_equal(rb_x86_edge_t("asm_sysvec_apic_timer_interrupt", true, false, endbr, 4), RB_EDGE_IRQ_ENTRY);
	assert_int_equal(rb_x86_edge_t("asm_sysvec_apic_timer_interrupt", false, false, nop, 1), RB_EDGE_NONE);
	assert_int_equal(rb_x86_edge_t("asm_exc_page_fault", true, false, nop, 1), RB_EDGE_ENTRY);
	assert_int_equal(rb_x86_edge_t("entry_SYSCALL_64", true, false, nop, 1), RB_EDGE_ENTRY);
	assert_int_equal(rb_x86_edge_t("entry_SYSCALL_64_after_hwframe", true, false, nop, 1), RB_EDGE_NONE);
	/* the vector stubs: push $vector, or the endbr64 before it */
	assert_int_equal(rb_x86_edge_t("irq_entries_start", false, false, push_vec, 2), RB_EDGE_IRQ_ENTRY);
	assert_int_equal(rb_x86_edge_t("irq_entries_start", false, true, push_vec, 2), RB_EDGE_NONE);
	assert_int_equal(rb_x86_edge_t("spurious_entries_start", false, false, endbr, 4), RB_EDGE_IRQ_ENTRY);
	assert_int_equal(rb_x86_edge_t("__switch_to_asm", false, false, ld_sp, 7), RB_EDGE_SWITCH_LOAD);
	assert_int_equal(rb_x86_edge_t("__switch_to_asm", false, false, st_sp, 7), RB_EDGE_SWITCH_STORE);
	assert_int_equal(rb_x86_edge_t("__switch_to", false, false, ld_sp, 7), RB_EDGE_NONE);
	assert_int_equal(rb_x86_edge_t("do_anonymous_page", true, false, nop, 1), RB_EDGE_NONE);
	/* a new task's first instruction, 6.1 and 6.6+ */
	assert_int_equal(rb_x86_edge_t("ret_from_fork", true, false, nop, 1), RB_EDGE_NEW_TASK);
	assert_int_equal(rb_x86_edge_t("ret_from_fork_asm", true, false, endbr, 4), RB_EDGE_NEW_TASK);
	assert_int_equal(rb_x86_edge_t("ret_from_fork", false, false, nop, 1), RB_EDGE_NONE);
	/* the scheduler: its first instruction, its ret or its return thunk */
	static const uint8_t ret[] = { 0xc3 }, jmp_thunk[] = { 0xe9, 0xfb, 0x0f, 0x00, 0x00 };
	assert_int_equal(rb_x86_edge_t("__schedule", true, false, nop, 1), RB_EDGE_SCHED_ENTER);
	assert_int_equal(rb_x86_edge_t("__schedule", false, false, ret, 1), RB_EDGE_SCHED_EXIT);
	assert_int_equal(rb_x86_edge_t("schedule", false, false, ret, 1), RB_EDGE_NONE);
	/* jmp rel32 at 0x1000 to 0x1000 + 5 + 0xffb = 0x2000 */
	assert_int_equal(rb_x86_edge("__schedule", false, false, jmp_thunk, 5, 0x1000, 0x2000), RB_EDGE_SCHED_EXIT);
	assert_int_equal(rb_x86_edge("__schedule", false, false, jmp_thunk, 5, 0x1000, 0x3000), RB_EDGE_NONE);
}

static void test_frames(void **st)
{
	struct rb_tasks ts;
	struct rb_task *a, *b;
	const uint64_t A = 0xffff888001234000ull, B = 0xffff888005678000ull;

	(void)st;
	assert_int_equal(rb_tasks_init(&ts, 2), 0);
	a = rb_task_get(&ts, A);
	assert_int_equal(rb_task_ctx(a, A), RB_CTX_OWN);
	rb_task_push(&ts, a, RB_FRAME_INHERIT);	/* a system call */
	assert_int_equal(rb_task_ctx(a, A), RB_CTX_OWN);
	rb_task_push(&ts, a, RB_FRAME_IRQ);	/* a tick inside it */
	assert_int_equal(rb_task_ctx(a, A), RB_CTX_IRQ);
	rb_task_push(&ts, a, RB_FRAME_INHERIT);	/* a fault inside the tick */
	assert_int_equal(rb_task_ctx(a, A), RB_CTX_IRQ);
	assert_true(rb_task_pop(a));
	assert_int_equal(rb_task_ctx(a, A), RB_CTX_IRQ);
	/* switched out inside the tick: B runs, its own frames */
	for (uint64_t k = 1; k < 100; k++)	/* grows the table; records move */
		rb_task_get(&ts, B + 64 * k);
	b = rb_task_get(&ts, B);
	assert_int_equal(rb_task_ctx(b, A), RB_CTX_OTHER);
	assert_false(rb_task_pop(b));		/* a new task's first return: no frame */
	a = rb_task_get(&ts, A);
	assert_int_equal(a->depth, 2);		/* A comes back inside its tick */
	assert_int_equal(rb_task_ctx(a, A), RB_CTX_IRQ);
	assert_true(rb_task_pop(a));
	assert_int_equal(rb_task_ctx(a, A), RB_CTX_OWN);
	assert_true(rb_task_pop(a));
	assert_false(rb_task_pop(a));
	/* the boot task before any switch */
	assert_true(rb_task_get(&ts, 0) == &ts.boot);
	for (int k = 0; k < 40; k++)
		rb_task_push(&ts, a, k == 0 ? RB_FRAME_IRQ : RB_FRAME_INHERIT);
	assert_int_equal(ts.overflow, 8);
	for (int k = 0; k < 40; k++)
		assert_true(rb_task_pop(a));
	assert_int_equal(a->irqs, 0);
	/* the scheduler's work in the measured task is not its own */
	rb_task_push(&ts, a, RB_FRAME_INHERIT);	/* a system call that sleeps */
	rb_task_push(&ts, a, RB_FRAME_SCHED);
	assert_int_equal(rb_task_ctx(a, A), RB_CTX_OTHER);
	rb_task_push(&ts, a, RB_FRAME_IRQ);	/* a tick in the scheduler */
	assert_int_equal(rb_task_ctx(a, A), RB_CTX_IRQ);
	assert_false(rb_task_pop_sched(&ts, a));	/* not the innermost: refused, counted */
	assert_int_equal(ts.unmatched, 1);
	assert_true(rb_task_pop(a));
	assert_true(rb_task_pop_sched(&ts, a));
	assert_int_equal(rb_task_ctx(a, A), RB_CTX_OWN);
	assert_true(rb_task_pop(a));
	/* A task exits inside its exit system call's last __schedule; a new
	 * task reuses its task_struct (the same thread.sp address): it starts
	 * with no frames, however many times that happens */
	for (int k = 0; k < 100; k++) {
		b = rb_task_get(&ts, B);
		rb_task_push(&ts, b, RB_FRAME_INHERIT);	/* exit_group() */
		rb_task_push(&ts, b, RB_FRAME_SCHED);	/* do_task_dead() */
		rb_task_begin(&ts, b);			/* ret_from_fork of the next one */
		assert_int_equal(rb_task_ctx(b, B), RB_CTX_OWN);
		rb_task_push(&ts, b, RB_FRAME_SCHED);
		assert_true(rb_task_pop_sched(&ts, b));
		assert_false(rb_task_pop(b));		/* its first return to user space */
	}
	assert_int_equal(ts.reused, 100);
	assert_int_equal(ts.unmatched, 1);
	assert_int_equal(ts.overflow, 8);
	rb_tasks_free(&ts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_frames),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
