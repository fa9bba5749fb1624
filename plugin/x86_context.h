/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Whose work an instruction is: the measured task's own, an interrupt's, or
 * another task's. QEMU 7.2's plugin API has no interrupt callbacks and no
 * register reads, so the plugin follows what executes:
 *  - an interrupt begins at the first instruction of its entry stub (the
 *    kernel's asm_sysvec_* symbols and the irq_entries_start and
 *    spurious_entries_start stubs, each a `push $vector`, behind an
 *    endbr64 where IBT is built); an exception or a system call (asm_exc_*,
 *    entry_SYSCALL_64 and the compat entries) begins a frame that inherits
 *    the context it came from (a page fault in the window is the task's own
 *    work);
 *  - every frame ends at an iretq or sysretq; one without a frame (a new
 *    task's first return to user space) ends none;
 *  - a task switch is the stack load in __switch_to_asm,
 *    `mov TASK_threadsp(%rsi),%rsp`: the address it loads from is the next
 *    task's thread.sp, which names the task; the store before it,
 *    `mov %rsp,TASK_threadsp(%rdi)`, must name the task that was running
 *    (counted when it does not).
 *  - the scheduler runs from the first instruction of __schedule to its
 *    return (a ret, or the jmp to __x86_return_thunk of a RETHUNK build):
 *    its bookkeeping around a switch (perf events switched out and in, the
 *    load averages) depends on what else was runnable, so it is counted
 *    with the other tasks, not as the measured task's own work.
 *  - a new task's first instruction is ret_from_fork (ret_from_fork_asm
 *    from 6.6): it has no frames. A task that exits leaves its last
 *    __schedule frame (and its exit system call's) behind, and a new task
 *    whose task_struct reuses the slab object has the same thread.sp
 *    address: without this reset each reuse inherited the dead task's
 *    frames, a fork-heavy suite piled them past RB_FRAMES_MAX, and every
 *    scheduler return after that went unmatched.
 * Frames are kept per task, since a task switched out inside an interrupt
 * returns through that interrupt's iretq when it runs again.
 * Header-only: the plugin and tests/unit/test_context.c compile the same code.
 */
#ifndef REFBENCH_X86_CONTEXT_H
#define REFBENCH_X86_CONTEXT_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum rb_ctx { RB_CTX_OWN, RB_CTX_IRQ, RB_CTX_OTHER, RB_CTX_NR };

enum rb_edge {
	RB_EDGE_NONE,
	RB_EDGE_IRQ_ENTRY,	/* an interrupt's first instruction */
	RB_EDGE_ENTRY,		/* an exception's or a system call's */
	RB_EDGE_EXIT,		/* iretq, sysretq */
	RB_EDGE_SWITCH_LOAD,	/* mov disp32(%rsi),%rsp in __switch_to_asm */
	RB_EDGE_SWITCH_STORE,	/* mov %rsp,disp32(%rdi) in __switch_to_asm */
	RB_EDGE_SCHED_ENTER,	/* the first instruction of __schedule */
	RB_EDGE_SCHED_EXIT,	/* its return */
	RB_EDGE_NEW_TASK,	/* ret_from_fork: a new task's first instruction */
	RB_EDGE_NR
};

static inline bool rb_prefixed(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

static inline bool rb_x86_endbr64(const uint8_t *d, size_t n)
{
	return n == 4 && d[0] == 0xf3 && d[1] == 0x0f && d[2] == 0x1e && d[3] == 0xfa;
}

/* A return: ret, ret imm16, or (RETHUNK) jmp to __x86_return_thunk. */
static inline bool rb_x86_return(const uint8_t *d, size_t n, uint64_t va, uint64_t ret_thunk)
{
	int32_t rel;

	if ((n == 1 && d[0] == 0xc3) || (n == 3 && d[0] == 0xc2))
		return true;
	if (n != 5 || d[0] != 0xe9 || !ret_thunk)
		return false;
	memcpy(&rel, d + 1, 4);
	return va + 5 + (uint64_t)(int64_t)rel == ret_thunk;
}

/*
 * What an instruction is to the tracker: sym is the kernel symbol holding
 * it, at_start whether it is that symbol's first instruction, after_endbr
 * whether the instruction before it in its block was an endbr64, va its
 * address and ret_thunk that of __x86_return_thunk (0: none).
 */
static inline enum rb_edge rb_x86_edge(const char *sym, bool at_start, bool after_endbr,
				       const uint8_t *d, size_t n, uint64_t va, uint64_t ret_thunk)
{
	if (n == 2 && d[0] == 0x48 && d[1] == 0xcf)
		return RB_EDGE_EXIT;		/* iretq */
	if (n == 3 && d[0] == 0x48 && d[1] == 0x0f && d[2] == 0x07)
		return RB_EDGE_EXIT;		/* sysretq */
	if (!sym)
		return RB_EDGE_NONE;
	if (!strcmp(sym, "irq_entries_start") || !strcmp(sym, "spurious_entries_start")) {
		/* each stub: [endbr64;] push $vector; jmp */
		if (rb_x86_endbr64(d, n))
			return RB_EDGE_IRQ_ENTRY;
		return n == 2 && d[0] == 0x6a && !after_endbr ? RB_EDGE_IRQ_ENTRY : RB_EDGE_NONE;
	}
	if (!strcmp(sym, "__switch_to_asm") && n == 7 && d[0] == 0x48) {
		if (d[1] == 0x8b && d[2] == 0xa6)
			return RB_EDGE_SWITCH_LOAD;
		if (d[1] == 0x89 && d[2] == 0xa7)
			return RB_EDGE_SWITCH_STORE;
	}
	if (!strcmp(sym, "__schedule"))
		return at_start ? RB_EDGE_SCHED_ENTER :
		       rb_x86_return(d, n, va, ret_thunk) ? RB_EDGE_SCHED_EXIT : RB_EDGE_NONE;
	if (!at_start)
		return RB_EDGE_NONE;
	if (!strcmp(sym, "ret_from_fork") || !strcmp(sym, "ret_from_fork_asm"))
		return RB_EDGE_NEW_TASK;
	if (rb_prefixed(sym, "asm_sysvec_"))
		return RB_EDGE_IRQ_ENTRY;
	if (rb_prefixed(sym, "asm_exc_") || !strcmp(sym, "entry_SYSCALL_64") ||
	    !strcmp(sym, "entry_SYSCALL_compat") || !strcmp(sym, "entry_INT80_compat") ||
	    !strcmp(sym, "entry_SYSENTER_compat"))
		return RB_EDGE_ENTRY;
	return RB_EDGE_NONE;
}

/* A frame: its kind, 2 bits of a task's stack. */
enum rb_frame { RB_FRAME_INHERIT, RB_FRAME_IRQ, RB_FRAME_SCHED };
#define RB_FRAMES_MAX 32	/* kinds kept; deeper frames are counted, not told apart */

/* One task's frames, the innermost in the low bits. */
struct rb_task {
	uint64_t id;		/* the address of its thread.sp; 0: a free slot */
	uint64_t bits;
	uint32_t depth, irqs, scheds;
};

struct rb_tasks {
	struct rb_task *t;
	size_t cap, n;
	struct rb_task boot;	/* the task that runs before the first switch (id 0) */
	uint64_t overflow;	/* frames deeper than RB_FRAMES_MAX */
	uint64_t unmatched;	/* a scheduler return with no scheduler frame on top */
	uint64_t reused;	/* new tasks that found a dead task's frames */
};

static inline uint64_t rb_task_hash(uint64_t x)
{
	x ^= x >> 31;
	x *= 0x9e3779b97f4a7c15ull;
	return x ^ (x >> 29);
}

static inline int rb_tasks_init(struct rb_tasks *ts, size_t cap)
{
	memset(ts, 0, sizeof(*ts));
	ts->t = calloc(cap, sizeof(*ts->t));
	ts->cap = cap;
	return ts->t ? 0 : -ENOMEM;
}

static inline void rb_tasks_free(struct rb_tasks *ts)
{
	free(ts->t);
	memset(ts, 0, sizeof(*ts));
}

/* The task's record, made on first sight; NULL only when out of memory. */
static inline struct rb_task *rb_task_get(struct rb_tasks *ts, uint64_t id)
{
	size_t m, i;

	if (!id)
		return &ts->boot;
	if (2 * (ts->n + 1) > ts->cap) {
		struct rb_tasks g;

		if (rb_tasks_init(&g, ts->cap * 2))
			return NULL;
		for (size_t k = 0; k < ts->cap; k++)
			if (ts->t[k].id) {
				size_t j = rb_task_hash(ts->t[k].id) & (g.cap - 1);

				while (g.t[j].id)
					j = (j + 1) & (g.cap - 1);
				g.t[j] = ts->t[k];
			}
		g.n = ts->n;
		g.boot = ts->boot;
		g.overflow = ts->overflow;
		g.unmatched = ts->unmatched;
		g.reused = ts->reused;
		free(ts->t);
		*ts = g;
	}
	m = ts->cap - 1;
	for (i = rb_task_hash(id) & m; ts->t[i].id && ts->t[i].id != id; i = (i + 1) & m)
		;
	if (!ts->t[i].id) {
		ts->t[i].id = id;
		ts->n++;
	}
	return &ts->t[i];
}

static inline void rb_task_push(struct rb_tasks *ts, struct rb_task *t, enum rb_frame f)
{
	if (t->depth >= RB_FRAMES_MAX) {
		ts->overflow++;
		t->depth++;
		return;
	}
	t->bits = t->bits << 2 | f;
	t->depth++;
	t->irqs += f == RB_FRAME_IRQ;
	t->scheds += f == RB_FRAME_SCHED;
}

/* The innermost frame's kind (RB_FRAME_INHERIT for none or one too deep). */
static inline enum rb_frame rb_task_top(const struct rb_task *t)
{
	return t->depth && t->depth <= RB_FRAMES_MAX ? (enum rb_frame)(t->bits & 3) : RB_FRAME_INHERIT;
}

/* false: no frame to end (a first return to user space) */
static inline bool rb_task_pop(struct rb_task *t)
{
	enum rb_frame f = rb_task_top(t);

	if (!t->depth)
		return false;
	if (--t->depth < RB_FRAMES_MAX) {
		t->irqs -= f == RB_FRAME_IRQ;
		t->scheds -= f == RB_FRAME_SCHED;
		t->bits >>= 2;
	}
	return true;
}

/* The scheduler's return: ends its frame, which must be the innermost. */
static inline bool rb_task_pop_sched(struct rb_tasks *ts, struct rb_task *t)
{
	if (rb_task_top(t) != RB_FRAME_SCHED) {
		ts->unmatched++;
		return false;
	}
	return rb_task_pop(t);
}

/* A new task begins: whatever frames its record holds were a dead task's. */
static inline void rb_task_begin(struct rb_tasks *ts, struct rb_task *t)
{
	ts->reused += t->depth != 0;
	t->bits = 0;
	t->depth = t->irqs = t->scheds = 0;
}

static inline enum rb_ctx rb_task_ctx(const struct rb_task *t, uint64_t own)
{
	if (t->irqs)
		return RB_CTX_IRQ;
	return t->id == own && !t->scheds ? RB_CTX_OWN : RB_CTX_OTHER;
}

#endif
