// SPDX-License-Identifier: GPL-2.0
/*
 * insn_attr: a QEMU TCG plugin that counts the guest instructions executed
 * inside each refbench measurement window, per kernel symbol.
 *
 *   -plugin PATH/insn_attr.so,map=System.map,out=FILE
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
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu_plugin_abi.h"
#include "window_marker.h"

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

static void emit_window(void)
{
	uint64_t total = 0;

	fprintf(out, "{\"w\":%llu,", (unsigned long long)window_seq);
	for (size_t b = 0; b < nbuckets; b++)
		total += counts[b] - snap[b];
	fprintf(out, "\"insns\":%llu,\"restarts\":%llu,\"syms\":{", (unsigned long long)total,
		(unsigned long long)(restarts - restarts_snap));
	for (size_t b = 0, first = 1; b < nbuckets; b++) {
		uint64_t d = counts[b] - snap[b];
		if (!d)
			continue;
		fprintf(out, "%s\"%s\":%llu", first ? "" : ",", bucket_name(b), (unsigned long long)d);
		first = 0;
	}
	fprintf(out, "}");
	for (int k = 1, first = 1; k <= RB_CANARY_MAX; k++) {
		uint64_t d = canary[k] - canary_snap[k];

		if (!d)
			continue;
		fprintf(out, "%s\"%d\":%llu", first ? ",\"canaries\":{" : ",", k, (unsigned long long)d);
		first = 0;
	}
	if (memcmp(canary, canary_snap, sizeof(canary)))
		fprintf(out, "}");
	fprintf(out, "}\n");
}

static void on_marker(unsigned int vcpu, void *udata)
{
	bool begin = (uintptr_t)udata == 1;

	(void)vcpu;
	if (begin) {
		if (in_window)	/* a begin without its end: close that one */
			emit_window(), window_seq++;
		memcpy(snap, counts, nbuckets * sizeof(*counts));
		memcpy(canary_snap, canary, sizeof(canary));
		restarts_snap = restarts;
		in_window = true;
	} else if (in_window) {
		emit_window();
		window_seq++;
		in_window = false;
	}
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

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb);

	(void)id;
	for (size_t i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		uint64_t va = qemu_plugin_insn_vaddr(insn);
		uint32_t disp = nopl_disp(insn);
		int mk = disp && !(va >> 63) ? marker_kind(disp) : 0;
		int ck = disp && va >> 63 ? canary_of(disp) : 0;

		if (mk)
			qemu_plugin_register_vcpu_insn_exec_cb(insn, on_marker, QEMU_PLUGIN_CB_NO_REGS,
							       (void *)(uintptr_t)mk);
		qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64,
							   &counts[bucket_of(va)], 1);
		if (ck)
			qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64,
								   &canary[ck], 1);
		if (va == pf_entry_addr && pf_entry_addr)
			qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64,
								   &restarts, 1);
	}
}

static void at_exit(qemu_plugin_id_t id, void *p)
{
	(void)id;
	(void)p;
	if (out)
		fflush(out);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
					   int argc, char **argv)
{
	const char *map = NULL, *outp = NULL;
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
		else {
			snprintf(msg, sizeof(msg), "insn_attr: unknown argument '%s' (map=, out=)\n", argv[i]);
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
	nbuckets = B_FIRST_SYM + nsyms;
	counts = calloc(nbuckets, sizeof(*counts));
	snap = calloc(nbuckets, sizeof(*snap));
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
