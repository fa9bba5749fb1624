// SPDX-License-Identifier: GPL-2.0
/*
 * insn_attr: a QEMU TCG plugin that counts the guest instructions executed
 * inside each refbench measurement window, per kernel symbol.
 *
 *   -plugin PATH/insn_attr.so,map=System.map,out=FILE[,cost=1,vmlinux=PATH,info=FILE]
 *
 * Every instruction is counted (an inline add, chosen at translation time,
 * into the counter of the kernel text symbol that holds it, or of "[user]"
 * or "[kernel-other]"); the window markers (window_marker.h) snapshot the
 * counters, and each window's differences go to FILE as one JSON line:
 *   {"w":N,"insns":T,"restarts":R,"syms":{"name":count,...},"canaries":{"K":n,...}}
 * N counts windows from 0 in the order the guest executed them. A faulting
 * instruction is counted when it faults and again when it is restarted,
 * while icount counts it once: R counts entries to the page-fault handler,
 * so T - R is the exact count. "canaries" counts the executions of each
 * validation canary (window_marker.h) in the window, when there were any.
 * The boot runs without KASLR, so System.map's
 * addresses are the running kernel's.
 *
 * cost=1 adds the cost vector (docs/cost.md) to each line:
 *   "cost":{"atomic":A,"loads":L,"stores":S,"page-struct":P,"lines":N,
 *           "page-struct-lines":M},
 *   "atomic_syms":{...},"loads_syms":{...},"stores_syms":{...},
 *   "page-struct_syms":{...}
 * atomics are counted at translation from the instruction bytes and the
 * kernel's LOCK sites (vmlinux's .smp_locks: a one-CPU guest rewrote their
 * LOCK prefixes to DS), accesses by a callback on every data access in a
 * window, an RMW once as a load and once as a store (QEMU reports both);
 * lines are distinct 64-byte lines of guest physical memory. info=FILE
 * gets, at exit, what the plugin saw of the kernel's LOCK sites.
 *
 * Each line also splits the window by whose work it was (x86_context.h):
 *   "ctx":{"interrupts":I,"interrupts_restarts":RI,"other":O,
 *          "other_restarts":RO,"irq_entries":E,"switches":S
 *          [,"interrupts_cost":{...},"other_cost":{...}]},
 *   "interrupts_syms":{...},"other_syms":{...}
 *   [,"interrupts_<component>_syms":{...},"other_<component>_syms":{...}]
 * The measured task's own count is the total less I and O.
 *
 * And the REP string instructions (x86_rep.h), which TCG, and icount,
 * count once per iteration where the hardware retires them once:
 *   "rep":{"insns":N,"extra":X,"extra_interrupts":XI,"extra_other":XO},
 *   "rep_syms":{"name":extra,...}
 * N counts the REP instructions executed (each one instruction retired on
 * hardware), X their executions after the first (the iterations icount
 * counts beyond that one: rcx of them for `rep stosb`), XI and XO the part
 * of X in interrupts and other tasks. T - R - X is what the hardware's
 * instructions-retired counter would count. An execution continues an
 * instruction when it is the same instruction, first in its block, and the
 * block before it ended with it. An interrupt or a page fault between two
 * iterations makes the rest a new one: after a fault, R takes the
 * instruction off again; after an interrupt it stays one more, where the
 * hardware may count the resumed instruction once (not measured here: at
 * most one per interrupt).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu_plugin_abi.h"
#include "window_marker.h"
#include "x86_context.h"
#include "x86_cost.h"
#include "x86_rep.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

struct sym {
	uint64_t addr;
	char *name;
};

enum { B_USER, B_KOTHER, B_FIRST_SYM };

static struct sym *syms;
static size_t nsyms;
static uint64_t *counts, *snap;	/* B_FIRST_SYM + nsyms buckets */
static size_t nbuckets;
static uint64_t pf_entry_addr, restarts, restarts_snap;
static uint64_t canary[RB_CANARY_MAX + 1], canary_snap[RB_CANARY_MAX + 1];
static uint64_t window_seq;
static bool in_window;
static FILE *out;

/* cost=1: per bucket, like counts; snapshots at each window's begin */
enum { C_ATOMIC, C_LOADS, C_STORES, C_PSTRUCT, C_NR };
static const char *const cost_name[C_NR] = { "atomic", "loads", "stores", "page-struct" };
static bool cost;
static uint64_t *ccount[C_NR], *csnap[C_NR];
static uint64_t *locks;		/* the kernel's LOCK sites, sorted */
static size_t nlocks;
static uint64_t lock_seen[3];	/* translated LOCK sites found as f0, 3e (DS), other */
static struct rb_lineset lines;
static bool lines_lost;		/* the line set could not grow: the window's lines are wrong */
static const char *info_path;

/*
 * Whose work it is (x86_context.h): inside a window, the counts since the
 * last change of context are added to that context's; the own count is the
 * total less the others. Outside windows only the state is followed.
 */
enum { X_IRQ, X_OTHER, X_NR };	/* the contexts kept apart */
static const char *const ctx_name[X_NR] = { "interrupts", "other" };
static struct rb_tasks tasks;
static struct rb_task *cur;		/* the running task's frames */
static uint64_t own_task;		/* the measured task, at the window's begin */
static enum rb_ctx ctx_cur;
static uint64_t *mark, *acc[X_NR];	/* instructions per bucket */
static uint64_t *cmark[C_NR], *cacc[X_NR][C_NR];
static uint64_t restarts_mark, restarts_acc[X_NR];
static uint64_t win_irqs, win_switches;	/* interrupt entries and task switches in the window */
static uint64_t sites[RB_EDGE_NR];	/* translated, per edge kind */
static uint64_t ret_thunk;		/* __x86_return_thunk, where the kernel has one */
static uint64_t switch_mismatch;	/* a stack store that did not name the running task */
static bool tasks_lost;			/* out of memory: the split is not reported */

/* REP string instructions (x86_rep.h): the sites translated, and per window
 * the instructions and their continuing executions (per bucket, per context) */
struct rep_site {
	uint64_t va;
	size_t b;
};
static struct rep_site *rep_sites;
static size_t nrep_sites, rep_cap;
static uint64_t tb_execs;			/* blocks executed, counted inline */
static uint64_t rep_last_va, rep_last_tb;	/* the last REP execution: where, in which block */
static uint64_t rep_insns, rep_insns_snap, rep_extra_ctx[X_NR];
static uint64_t *repx, *repx_snap;		/* continuing executions per bucket */
static bool rep_lost;				/* a site could not be kept: "rep" is not reported */

static int cmp_sym(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int load_map(const char *path)
{
	FILE *f = fopen(path, "re");
	char line[512], name[400], type;
	unsigned long long addr;
	size_t cap = 0;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %399s", &addr, &type, name) != 3)
			continue;
		if (type != 't' && type != 'T' && type != 'W' && type != 'w')
			continue;
		if (nsyms == cap) {
			cap = cap ? cap * 2 : 4096;
			syms = realloc(syms, cap * sizeof(*syms));
			if (!syms)
				return -ENOMEM;
		}
		syms[nsyms].addr = addr;
		syms[nsyms].name = strdup(name);
		if (!strcmp(name, "asm_exc_page_fault"))
			pf_entry_addr = addr;
		if (!strcmp(name, "__x86_return_thunk"))
			ret_thunk = addr;
		nsyms++;
	}
	fclose(f);
	qsort(syms, nsyms, sizeof(*syms), cmp_sym);
	return nsyms ? 0 : -ENOENT;
}

/* The symbol whose text holds addr: the last one at or below it. */
static size_t bucket_of(uint64_t va)
{
	size_t lo = 0, hi = nsyms;

	if (!(va >> 63))
		return B_USER;
	if (!nsyms || va < syms[0].addr)
		return B_KOTHER;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (syms[mid].addr <= va)
			lo = mid;
		else
			hi = mid;
	}
	return B_FIRST_SYM + lo;
}

static const char *bucket_name(size_t b)
{
	if (b == B_USER)
		return "[user]";
	if (b == B_KOTHER)
		return "[kernel-other]";
	return syms[b - B_FIRST_SYM].name;
}

/* Counts since the last change go to the context that ran them. */
static void ctx_flush(void)
{
	int x = ctx_cur == RB_CTX_IRQ ? X_IRQ : ctx_cur == RB_CTX_OTHER ? X_OTHER : -1;

	if (x >= 0) {
		for (size_t b = 0; b < nbuckets; b++)
			acc[x][b] += counts[b] - mark[b];
		restarts_acc[x] += restarts - restarts_mark;
		for (int c = 0; cost && c < C_NR; c++)
			for (size_t b = 0; b < nbuckets; b++)
				cacc[x][c][b] += ccount[c][b] - cmark[c][b];
	}
	memcpy(mark, counts, nbuckets * sizeof(*counts));
	restarts_mark = restarts;
	for (int c = 0; cost && c < C_NR; c++)
		memcpy(cmark[c], ccount[c], nbuckets * sizeof(**ccount));
}

/* After the state changed: a new context takes over from here. */
static void ctx_changed(void)
{
	enum rb_ctx now = cur ? rb_task_ctx(cur, own_task) : RB_CTX_OTHER;

	if (in_window && now != ctx_cur)
		ctx_flush();
	ctx_cur = now;
}

/* ,"key":{"symbol":count,...}: v less base (NULL: 0) per bucket, nonzero ones only */
static void emit_syms(const char *key, const uint64_t *v, const uint64_t *base)
{
	fprintf(out, ",\"%s\":{", key);
	for (size_t b = 0, first = 1; b < nbuckets; b++) {
		uint64_t d = v[b] - (base ? base[b] : 0);

		if (!d)
			continue;
		fprintf(out, "%s\"%s\":%llu", first ? "" : ",", bucket_name(b), (unsigned long long)d);
		first = 0;
	}
	fprintf(out, "}");
}

/* "<ctx>_syms", "<ctx>_<component>_syms" */
static void emit_ctx_syms(int x, int c, const uint64_t *v)
{
	char key[64];

	snprintf(key, sizeof(key), "%s%s%s_syms", ctx_name[x], c >= 0 ? "_" : "", c >= 0 ? cost_name[c] : "");
	emit_syms(key, v, NULL);
}

static void emit_split(void)
{
	fprintf(out, ",\"ctx\":{");
	for (int x = 0; x < X_NR; x++) {
		uint64_t t = 0;

		for (size_t b = 0; b < nbuckets; b++)
			t += acc[x][b];
		fprintf(out, "\"%s\":%llu,\"%s_restarts\":%llu,", ctx_name[x], (unsigned long long)t,
			ctx_name[x], (unsigned long long)restarts_acc[x]);
	}
	fprintf(out, "\"irq_entries\":%llu,\"switches\":%llu", (unsigned long long)win_irqs,
		(unsigned long long)win_switches);
	for (int x = 0; cost && x < X_NR; x++) {
		fprintf(out, ",\"%s_cost\":{", ctx_name[x]);
		for (int c = 0; c < C_NR; c++) {
			uint64_t t = 0;

			for (size_t b = 0; b < nbuckets; b++)
				t += cacc[x][c][b];
			fprintf(out, "%s\"%s\":%llu", c ? "," : "", cost_name[c], (unsigned long long)t);
		}
		fprintf(out, "}");
	}
	fprintf(out, "}");
	for (int x = 0; x < X_NR; x++) {
		emit_ctx_syms(x, -1, acc[x]);
		for (int c = 0; cost && c < C_NR; c++)
			emit_ctx_syms(x, c, cacc[x][c]);
	}
}

static void emit_cost(void)
{
	fprintf(out, ",\"cost\":{");
	for (int c = 0; c < C_NR; c++) {
		uint64_t t = 0;

		for (size_t b = 0; b < nbuckets; b++)
			t += ccount[c][b] - csnap[c][b];
		fprintf(out, "\"%s\":%llu,", cost_name[c], (unsigned long long)t);
	}
	/* a set that could not grow counted too few: no number rather than a wrong one */
	if (lines_lost)
		fprintf(out, "\"lines\":null,\"page-struct-lines\":null}");
	else
		fprintf(out, "\"lines\":%zu,\"page-struct-lines\":%zu}", lines.n, lines.n_pstruct);
	for (int c = 0; c < C_NR; c++) {
		char key[64];

		snprintf(key, sizeof(key), "%s_syms", cost_name[c]);
		emit_syms(key, ccount[c], csnap[c]);
	}
}

static void emit_rep(void)
{
	uint64_t extra = 0;

	for (size_t b = 0; b < nbuckets; b++)
		extra += repx[b] - repx_snap[b];
	fprintf(out, ",\"rep\":{\"insns\":%llu,\"extra\":%llu,\"extra_interrupts\":%llu,"
		"\"extra_other\":%llu}", (unsigned long long)(rep_insns - rep_insns_snap),
		(unsigned long long)extra, (unsigned long long)rep_extra_ctx[X_IRQ],
		(unsigned long long)rep_extra_ctx[X_OTHER]);
	emit_syms("rep_syms", repx, repx_snap);
}

static void emit_window(void)
{
	uint64_t total = 0;

	fprintf(out, "{\"w\":%llu,", (unsigned long long)window_seq);
	for (size_t b = 0; b < nbuckets; b++)
		total += counts[b] - snap[b];
	fprintf(out, "\"insns\":%llu,\"restarts\":%llu", (unsigned long long)total,
		(unsigned long long)(restarts - restarts_snap));
	emit_syms("syms", counts, snap);
	for (int k = 1, first = 1; k <= RB_CANARY_MAX; k++) {
		uint64_t d = canary[k] - canary_snap[k];

		if (!d)
			continue;
		fprintf(out, "%s\"%d\":%llu", first ? ",\"canaries\":{" : ",", k, (unsigned long long)d);
		first = 0;
	}
	if (memcmp(canary, canary_snap, sizeof(canary)))
		fprintf(out, "}");
	if (cost)
		emit_cost();
	if (!tasks_lost)
		emit_split();
	if (!rep_lost)
		emit_rep();
	fprintf(out, "}\n");
}

static void on_marker(unsigned int vcpu, void *udata)
{
	bool begin = (uintptr_t)udata == 1;

	(void)vcpu;
	if (in_window)		/* the end, or a begin without its end: close that one */
		ctx_flush();
	if (begin) {
		if (in_window)
			emit_window(), window_seq++;
		memcpy(snap, counts, nbuckets * sizeof(*counts));
		memcpy(canary_snap, canary, sizeof(canary));
		restarts_snap = restarts;
		memcpy(repx_snap, repx, nbuckets * sizeof(*repx));
		rep_insns_snap = rep_insns;
		memset(rep_extra_ctx, 0, sizeof(rep_extra_ctx));
		for (int c = 0; cost && c < C_NR; c++)
			memcpy(csnap[c], ccount[c], nbuckets * sizeof(**ccount));
		if (cost)
			rb_lineset_next(&lines), lines_lost = false;
		/* the task that runs the marker is the measured one */
		own_task = cur ? cur->id : 0;
		ctx_cur = cur ? rb_task_ctx(cur, own_task) : RB_CTX_OTHER;
		for (int x = 0; x < X_NR; x++) {
			memset(acc[x], 0, nbuckets * sizeof(**acc));
			restarts_acc[x] = 0;
			for (int c = 0; cost && c < C_NR; c++)
				memset(cacc[x][c], 0, nbuckets * sizeof(***cacc));
		}
		win_irqs = win_switches = 0;
		in_window = true;
		ctx_flush();	/* marks = now */
	} else if (in_window) {
		emit_window();
		window_seq++;
		in_window = false;
	}
}

/*
 * Every execution of a REP string instruction (udata: its site << 1, and 1
 * when it is first in its block). Iterations after the first re-enter the
 * instruction from the block it ended, as the first instruction of a new
 * block: that is a continuing execution; anything else starts one.
 */
static void on_rep(unsigned int vcpu, void *udata)
{
	const struct rep_site *r = &rep_sites[(uintptr_t)udata >> 1];
	bool cont = ((uintptr_t)udata & 1) && r->va == rep_last_va && tb_execs == rep_last_tb + 1;

	(void)vcpu;
	rep_last_va = r->va;
	rep_last_tb = tb_execs;
	if (!in_window)
		return;
	if (!cont) {
		rep_insns++;
		return;
	}
	repx[r->b]++;
	if (ctx_cur == RB_CTX_IRQ || ctx_cur == RB_CTX_OTHER)
		rep_extra_ctx[ctx_cur == RB_CTX_IRQ ? X_IRQ : X_OTHER]++;
}

/* The site of a REP instruction at va: its index, added when new; -1 out of memory */
static long rep_site(uint64_t va, size_t b)
{
	for (size_t i = 0; i < nrep_sites; i++)
		if (rep_sites[i].va == va)
			return (long)i;
	if (nrep_sites == rep_cap) {
		size_t cap = rep_cap ? rep_cap * 2 : 256;
		struct rep_site *n = realloc(rep_sites, cap * sizeof(*n));

		if (!n)
			return -1;
		rep_sites = n;
		rep_cap = cap;
	}
	rep_sites[nrep_sites] = (struct rep_site){ .va = va, .b = b };
	return (long)nrep_sites++;
}

/* The displacement of a `nopl disp32(%rax)`, the form of every marker and
 * canary; 0 for any other instruction. */
static uint32_t nopl_disp(const struct qemu_plugin_insn *insn)
{
	const unsigned char *d = qemu_plugin_insn_data(insn);
	uint32_t disp;

	if (qemu_plugin_insn_size(insn) != RB_MARKER_LEN || d[0] != 0x0f || d[1] != 0x1f || d[2] != 0x80)
		return 0;
	memcpy(&disp, d + 3, 4);
	return disp;
}

/* 1..RB_CANARY_MAX for a validation canary, else 0 */
static int canary_of(uint32_t disp)
{
	for (int k = 1; k <= RB_CANARY_MAX; k++)
		if (disp == RB_CANARY_DISP(k))
			return k;
	return 0;
}

/* 1 begin, 2 end, else 0 */
static int marker_kind(uint32_t disp)
{
	return disp == RB_MARKER_BEGIN_DISP ? 1 : disp == RB_MARKER_END_DISP ? 2 : 0;
}

static bool lock_site(uint64_t va)
{
	return rb_u64_find(locks, nlocks, va);
}

static void add_line(uint64_t pa, bool pstruct)
{
	if (!lines_lost && rb_lineset_add(&lines, pa >> RB_LINE_SHIFT, pstruct))
		lines_lost = true;
}

/* Every data access; only those inside a window are counted. */
static void on_mem(unsigned int vcpu, qemu_plugin_meminfo_t info, uint64_t va, void *udata)
{
	size_t b = (uintptr_t)udata;
	bool ps = rb_in_vmemmap(va);
	struct qemu_plugin_hwaddr *hw;
	uint64_t pa = va, last = va + (1u << qemu_plugin_mem_size_shift(info)) - 1;

	(void)vcpu;
	if (!in_window)
		return;
	ccount[qemu_plugin_mem_is_store(info) ? C_STORES : C_LOADS][b]++;
	ccount[C_PSTRUCT][b] += ps;
	/* a cache line is physical: an alias (user and direct map) is one line */
	hw = qemu_plugin_get_hwaddr(info, va);
	if (hw && !qemu_plugin_hwaddr_is_io(hw))
		pa = qemu_plugin_hwaddr_phys_addr(hw);
	else
		pa = va | (1ull << 63);	/* I/O or unknown: its own space */
	add_line(pa, ps);
	if ((va >> RB_LINE_SHIFT) != (last >> RB_LINE_SHIFT))	/* split across two lines */
		add_line(pa + (last - va), ps);
}

/* Counts what the guest's text holds at a LOCK site (for info=). */
static void note_lock_site(const uint8_t *d, size_t n, uint64_t va)
{
	for (size_t k = 0; k < n && k < 4; k++)
		if (lock_site(va + k))
			lock_seen[d[k] == 0xf0 ? 0 : d[k] == 0x3e ? 1 : 2]++;
}

/* udata of an edge's callback: the kind, and the bucket the instruction counts in */
#define EDGE_UDATA(e, b) ((void *)(((uintptr_t)(b) << 4) | (uintptr_t)(e)))

/*
 * An entry or an exit, which the callback counts itself (no inline add):
 * an entry's first instruction is the new context's, an iretq the
 * context's it ends.
 */
static void on_edge(unsigned int vcpu, void *udata)
{
	enum rb_edge e = (uintptr_t)udata & 15;
	size_t b = (uintptr_t)udata >> 4;

	(void)vcpu;
	if (e == RB_EDGE_NEW_TASK) {
		if (cur) {
			rb_task_begin(&tasks, cur);
			ctx_changed();
		}
		counts[b]++;
		return;
	}
	if (e == RB_EDGE_EXIT || e == RB_EDGE_SCHED_EXIT) {
		counts[b]++;
		if (cur && (e == RB_EDGE_EXIT ? rb_task_pop(cur) : rb_task_pop_sched(&tasks, cur)))
			ctx_changed();
		return;
	}
	if (cur) {
		rb_task_push(&tasks, cur, e == RB_EDGE_IRQ_ENTRY ? RB_FRAME_IRQ :
				    e == RB_EDGE_SCHED_ENTER ? RB_FRAME_SCHED : RB_FRAME_INHERIT);
		win_irqs += in_window && e == RB_EDGE_IRQ_ENTRY;
		ctx_changed();
	}
	counts[b]++;
}

/* __switch_to_asm's stack load: the address is the next task's thread.sp. */
static void on_switch(unsigned int vcpu, qemu_plugin_meminfo_t info, uint64_t va, void *udata)
{
	(void)vcpu, (void)udata;
	if (qemu_plugin_mem_is_store(info)) {
		switch_mismatch += cur && cur->id && cur->id != va;
		if (cur == &tasks.boot && !tasks_lost) {
			/* the first switch names the task that booted: its frames go with it */
			struct rb_task *t = rb_task_get(&tasks, va);

			if (!t) {
				tasks_lost = true;
				return;
			}
			*t = tasks.boot;
			t->id = va;
			memset(&tasks.boot, 0, sizeof(tasks.boot));
			cur = t;
		}
		return;
	}
	if (cur && cur->id == va)
		return;
	if (!(cur = rb_task_get(&tasks, va))) {
		tasks_lost = true;	/* no split rather than a wrong one */
		return;
	}
	win_switches += in_window;
	ctx_changed();
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb);
	bool after_endbr = false;

	(void)id;
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &tb_execs, 1);
	for (size_t i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		uint64_t va = qemu_plugin_insn_vaddr(insn);
		uint32_t disp = nopl_disp(insn);
		int mk = disp && !(va >> 63) ? marker_kind(disp) : 0;
		int ck = disp && va >> 63 ? canary_of(disp) : 0;
		size_t b0 = bucket_of(va);
		const uint8_t *bytes = qemu_plugin_insn_data(insn);
		size_t len = qemu_plugin_insn_size(insn);
		bool sym = b0 >= B_FIRST_SYM;
		enum rb_edge e = va >> 63 ? rb_x86_edge(sym ? bucket_name(b0) : NULL,
							 sym && syms[b0 - B_FIRST_SYM].addr == va,
							 after_endbr, bytes, len, va, ret_thunk) : RB_EDGE_NONE;

		after_endbr = rb_x86_endbr64(bytes, len);
		sites[e]++;
		if (mk)
			qemu_plugin_register_vcpu_insn_exec_cb(insn, on_marker, QEMU_PLUGIN_CB_NO_REGS,
							       (void *)(uintptr_t)mk);
		if (e == RB_EDGE_IRQ_ENTRY || e == RB_EDGE_ENTRY || e == RB_EDGE_EXIT ||
		    e == RB_EDGE_SCHED_ENTER || e == RB_EDGE_SCHED_EXIT || e == RB_EDGE_NEW_TASK)
			qemu_plugin_register_vcpu_insn_exec_cb(insn, on_edge, QEMU_PLUGIN_CB_NO_REGS,
							       EDGE_UDATA(e, b0));
		else
			qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64,
								   &counts[b0], 1);
		/* RW, and the callback tells load from store: QEMU 7.2 never calls a
		 * callback registered for loads alone (seen: the stores came, no load) */
		if (e == RB_EDGE_SWITCH_LOAD || e == RB_EDGE_SWITCH_STORE)
			qemu_plugin_register_vcpu_mem_cb(insn, on_switch, QEMU_PLUGIN_CB_NO_REGS,
							 QEMU_PLUGIN_MEM_RW, NULL);
		if (ck)
			qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64,
								   &canary[ck], 1);
		if (rb_x86_rep_string(bytes, len)) {
			long r = rep_site(va, b0);

			if (r < 0)
				rep_lost = true;
			else
				qemu_plugin_register_vcpu_insn_exec_cb(insn, on_rep, QEMU_PLUGIN_CB_NO_REGS,
								       (void *)(((uintptr_t)r << 1) | !i));
		}
		if (va == pf_entry_addr && pf_entry_addr)
			qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64,
								   &restarts, 1);
		if (cost) {
			const uint8_t *d = qemu_plugin_insn_data(insn);
			size_t len = qemu_plugin_insn_size(insn), b = bucket_of(va);

			if (va >> 63)
				note_lock_site(d, len, va);
			if (rb_x86_atomic(d, len, va, va >> 63 ? lock_site : NULL))
				qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64,
									   &ccount[C_ATOMIC][b], 1);
			qemu_plugin_register_vcpu_mem_cb(insn, on_mem, QEMU_PLUGIN_CB_NO_REGS,
							 QEMU_PLUGIN_MEM_RW, (void *)(uintptr_t)b);
		}
	}
}

/* info=FILE: what the cost vector rests on, written whole (temp + rename). */
static void write_info(void)
{
	char tmp[4200];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", info_path);
	if (!(f = fopen(tmp, "we")))
		return;
	fprintf(f, "{\"plugin\":\"insn_attr\",\"cost\":%s,\"smp_locks\":%zu,"
		"\"lock_sites_translated\":{\"lock\":%llu,\"ds\":%llu,\"other\":%llu},"
		"\"vmemmap\":[[\"0x%llx\",\"0x%llx\"],[\"0x%llx\",\"0x%llx\"]],"
		"\"line_bytes\":%d,\"windows\":%llu,\"context\":{\"irq_entry_sites\":%llu,"
		"\"entry_sites\":%llu,\"exit_sites\":%llu,\"switch_loads\":%llu,\"switch_stores\":%llu,"
		"\"switch_mismatches\":%llu,\"sched_entries\":%llu,\"sched_exits\":%llu,"
		"\"sched_unmatched\":%llu,\"new_task_sites\":%llu,\"reused_records\":%llu,"
		"\"tasks\":%zu,\"deep_frames\":%llu,\"lost\":%s},"
		"\"rep\":{\"sites\":%zu,\"lost\":%s}}\n",
		cost ? "true" : "false", nlocks,
		(unsigned long long)lock_seen[0], (unsigned long long)lock_seen[1],
		(unsigned long long)lock_seen[2], RB_VMEMMAP_L4_BASE, RB_VMEMMAP_L4_BASE + RB_VMEMMAP_L4_SIZE,
		RB_VMEMMAP_L5_BASE, RB_VMEMMAP_L5_BASE + RB_VMEMMAP_L5_SIZE, 1 << RB_LINE_SHIFT,
		(unsigned long long)window_seq, (unsigned long long)sites[RB_EDGE_IRQ_ENTRY],
		(unsigned long long)sites[RB_EDGE_ENTRY], (unsigned long long)sites[RB_EDGE_EXIT],
		(unsigned long long)sites[RB_EDGE_SWITCH_LOAD], (unsigned long long)sites[RB_EDGE_SWITCH_STORE],
		(unsigned long long)switch_mismatch, (unsigned long long)sites[RB_EDGE_SCHED_ENTER],
		(unsigned long long)sites[RB_EDGE_SCHED_EXIT], (unsigned long long)tasks.unmatched,
		(unsigned long long)sites[RB_EDGE_NEW_TASK], (unsigned long long)tasks.reused, tasks.n + 1, (unsigned long long)tasks.overflow,
		tasks_lost ? "true" : "false", nrep_sites, rep_lost ? "true" : "false");
	if (fclose(f) || rename(tmp, info_path))
		unlink(tmp);
}

static void at_exit(qemu_plugin_id_t id, void *p)
{
	(void)id;
	(void)p;
	if (out)
		fflush(out);
	if (info_path)
		write_info();
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
					   int argc, char **argv)
{
	const char *map = NULL, *outp = NULL, *vmlinux = NULL, *why;
	char msg[512];
	int e;

	if (!info->system_emulation || strcmp(info->target_name, "x86_64")) {
		qemu_plugin_outs("insn_attr: needs qemu-system-x86_64\n");
		return -1;
	}
	if (info->system.smp_vcpus != 1) {
		qemu_plugin_outs("insn_attr: counts one vCPU only (deterministic mode, -smp 1)\n");
		return -1;
	}
	for (int i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "map=", 4))
			map = argv[i] + 4;
		else if (!strncmp(argv[i], "out=", 4))
			outp = argv[i] + 4;
		else if (!strcmp(argv[i], "cost=1") || !strcmp(argv[i], "cost=0"))
			cost = argv[i][5] == '1';
		else if (!strncmp(argv[i], "vmlinux=", 8))
			vmlinux = argv[i] + 8;
		else if (!strncmp(argv[i], "info=", 5))
			info_path = argv[i] + 5;
		else {
			snprintf(msg, sizeof(msg), "insn_attr: unknown argument '%s' (map=, out=, cost=0|1, "
				 "vmlinux=, info=)\n", argv[i]);
			qemu_plugin_outs(msg);
			return -1;
		}
	}
	if (!map || !outp) {
		qemu_plugin_outs("insn_attr: give map=System.map and out=FILE\n");
		return -1;
	}
	if ((e = load_map(map))) {
		snprintf(msg, sizeof(msg), "insn_attr: %s: %s\n", map, strerror(-e));
		qemu_plugin_outs(msg);
		return -1;
	}
	if (cost && !vmlinux) {
		qemu_plugin_outs("insn_attr: cost=1 needs vmlinux=PATH (its .smp_locks: a one-CPU guest "
				 "patches LOCK prefixes away, so atomics are not in the running text)\n");
		return -1;
	}
	if (cost && (e = rb_smp_locks_read(vmlinux, &locks, &nlocks, &why))) {
		snprintf(msg, sizeof(msg), "insn_attr: %s: %s: %s%s\n", vmlinux, why, strerror(-e),
			 e == -ENOENT ? " (a CONFIG_SMP=n kernel: its atomic_t operations have no LOCK "
			 "prefix, so atomics cannot be counted; build it with CONFIG_SMP=y)" : "");
		qemu_plugin_outs(msg);
		return -1;
	}
	nbuckets = B_FIRST_SYM + nsyms;
	for (int c = 0; cost && c < C_NR; c++)
		if (!(ccount[c] = calloc(nbuckets, sizeof(**ccount))) ||
		    !(csnap[c] = calloc(nbuckets, sizeof(**csnap))))
			return qemu_plugin_outs("insn_attr: out of memory\n"), -1;
	if (cost && rb_lineset_init(&lines, 1 << 16))
		return qemu_plugin_outs("insn_attr: out of memory\n"), -1;
	mark = calloc(nbuckets, sizeof(*mark));
	for (int x = 0; x < X_NR; x++) {
		acc[x] = calloc(nbuckets, sizeof(**acc));
		for (int c = 0; cost && c < C_NR; c++)
			if (!(cacc[x][c] = calloc(nbuckets, sizeof(***cacc))))
				return qemu_plugin_outs("insn_attr: out of memory\n"), -1;
		if (!acc[x])
			return qemu_plugin_outs("insn_attr: out of memory\n"), -1;
	}
	for (int c = 0; cost && c < C_NR; c++)
		if (!(cmark[c] = calloc(nbuckets, sizeof(**cmark))))
			return qemu_plugin_outs("insn_attr: out of memory\n"), -1;
	if (!mark || rb_tasks_init(&tasks, 256))
		return qemu_plugin_outs("insn_attr: out of memory\n"), -1;
	cur = &tasks.boot;
	counts = calloc(nbuckets, sizeof(*counts));
	snap = calloc(nbuckets, sizeof(*snap));
	repx = calloc(nbuckets, sizeof(*repx));
	repx_snap = calloc(nbuckets, sizeof(*repx_snap));
	if (!repx || !repx_snap)
		return qemu_plugin_outs("insn_attr: out of memory\n"), -1;
	out = fopen(outp, "we");
	if (!counts || !snap || !out) {
		snprintf(msg, sizeof(msg), "insn_attr: %s: %s\n", outp, strerror(errno));
		qemu_plugin_outs(msg);
		return -1;
	}
	setvbuf(out, NULL, _IOFBF, 1 << 20);
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
