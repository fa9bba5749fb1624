// SPDX-License-Identifier: GPL-2.0
/* Whose work an instruction is (plugin/x86_context.h): the entry and exit
 * instructions the plugin follows, and the frames kept per task. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "x86_context.h"

static void test_edges(void **st)
{
	static const uint8_t iretq[] = { 0x48, 0xcf }, sysretq[] = { 0x48, 0x0f, 0x07 };
	static const uint8_t endbr[] = { 0xf3, 0x0f, 0x1e, 0xfa }, push_vec[] = { 0x6a, 0x20 };
	static const uint8_t ld_sp[] = { 0x48, 0x8b, 0xa6, 0x58, 0x14, 0x00, 0x00 };
	static const uint8_t st_sp[] = { 0x48, 0x89, 0xa7, 0x58, 0x14, 0x00, 0x00 };
	static const uint8_t nop[] = { 0x90 };

	(void)st;
	assert_int_equal(rb_x86_edge("native_iret", false, false, iretq, 2), RB_EDGE_EXIT);
	assert_int_equal(rb_x86_edge("entry_SYSCALL_64", false, false, sysretq, 3), RB_EDGE_EXIT);
	assert_int_equal(rb_x86_edge(NULL, false, false, iretq, 2), RB_EDGE_EXIT);
	assert_int_equal(rb_x86_edge("asm_sysvec_apic_timer_interrupt", true, false, endbr, 4), RB_EDGE_IRQ_ENTRY);
	assert_int_equal(rb_x86_edge("asm_sysvec_apic_timer_interrupt", false, false, nop, 1), RB_EDGE_NONE);
	assert_int_equal(rb_x86_edge("asm_exc_page_fault", true, false, nop, 1), RB_EDGE_ENTRY);
	assert_int_equal(rb_x86_edge("entry_SYSCALL_64", true, false, nop, 1), RB_EDGE_ENTRY);
	assert_int_equal(rb_x86_edge("entry_SYSCALL_64_after_hwframe", true, false, nop, 1), RB_EDGE_NONE);
	/* the vector stubs: push $vector, or the endbr64 before it */
	assert_int_equal(rb_x86_edge("irq_entries_start", false, false, push_vec, 2), RB_EDGE_IRQ_ENTRY);
	assert_int_equal(rb_x86_edge("irq_entries_start", false, true, push_vec, 2), RB_EDGE_NONE);
	assert_int_equal(rb_x86_edge("spurious_entries_start", false, false, endbr, 4), RB_EDGE_IRQ_ENTRY);
	assert_int_equal(rb_x86_edge("__switch_to_asm", false, false, ld_sp, 7), RB_EDGE_SWITCH_LOAD);
	assert_int_equal(rb_x86_edge("__switch_to_asm", false, false, st_sp, 7), RB_EDGE_SWITCH_STORE);
	assert_int_equal(rb_x86_edge("__switch_to", false, false, ld_sp, 7), RB_EDGE_NONE);
	assert_int_equal(rb_x86_edge("do_anonymous_page", true, false, nop, 1), RB_EDGE_NONE);
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
	rb_task_push(&ts, a, false);		/* a system call */
	assert_int_equal(rb_task_ctx(a, A), RB_CTX_OWN);
	rb_task_push(&ts, a, true);		/* a tick inside it */
	assert_int_equal(rb_task_ctx(a, A), RB_CTX_IRQ);
	rb_task_push(&ts, a, false);		/* a fault inside the tick */
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
	for (int k = 0; k < 70; k++)
		rb_task_push(&ts, a, k == 0);
	assert_int_equal(ts.overflow, 6);
	for (int k = 0; k < 70; k++)
		assert_true(rb_task_pop(a));
	assert_int_equal(a->irqs, 0);
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
