#!/bin/bash
# refbench compare on runs whose plugin split each window by whose work it
# was and counted its cost vector (docs/cost.md): the metric is the task's
# own count, so interrupts that differ between two images move only the
# secondary irq-insn row; each cost component is a metric of its own, +1
# atomic per page attributed to the function that took it; without
# plugin.json the split is not used (and compare says so); without
# nokaslr the struct-page components are withheld.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/compare_lib.sh"

# win DIR IRQ ATOMIC_GRAB IRQ_ATOMIC: DIR/attribution.jsonl (cost=1) and
# DIR/plugin.json for the run DIR/run. Every window counts value x ops
# instructions, IRQ of them in an interrupt; atomics: ATOMIC_GRAB in
# try_grab_folio, 1000 in put_page, IRQ_ATOMIC in the interrupt.
win() {
	jq -c --argjson irq "$2" --argjson ag "$3" --argjson ia "$4" '
	  select(.window != null) | (.value * .ops | round) as $t |
	  {w: .window, insns: $t, restarts: 0,
	   syms: {try_grab_folio: 20000, gup_fast_pte_range: 30000, apic_timer_interrupt: $irq,
	          "[user]": ($t - 50000 - $irq)},
	   cost: {atomic: ($ag + 1000 + $ia), loads: 5000, stores: 3000, "page-struct": 2000,
	          lines: 1500, "page-struct-lines": 1000},
	   atomic_syms: {try_grab_folio: $ag, put_page: 1000, apic_timer_interrupt: $ia},
	   loads_syms: {"[user]": 5000}, stores_syms: {"[user]": 3000},
	   "page-struct_syms": {try_grab_folio: 2000},
	   ctx: {interrupts: $irq, interrupts_restarts: 0, other: 0, other_restarts: 0,
	         irq_entries: 1, switches: 0,
	         interrupts_cost: {atomic: $ia, loads: 0, stores: 0, "page-struct": 0},
	         other_cost: {atomic: 0, loads: 0, stores: 0, "page-struct": 0}},
	   interrupts_syms: {apic_timer_interrupt: $irq}, other_syms: {},
	   interrupts_atomic_syms: {apic_timer_interrupt: $ia}}' "$1/run/samples.jsonl" >"$1/attribution.jsonl"
	echo '{"plugin":"insn_attr","cost":true,"smp_locks":12000,"context":{"irq_entry_sites":40,
	  "entry_sites":30,"exit_sites":12,"switch_loads":1,"switch_stores":1,"switch_mismatches":0,
	  "tasks":20,"deep_frames":0,"lost":false}}' >"$1/plugin.json"
}
runs() {	# DIR IOCTL
	META_JQ=".started = \"$1\" | .kernel.cmdline = \"console=ttyS0 nokaslr norandmaps\"" \
		mk_run "$1/run" icount "$(spec ioctl "$2" 0 4 0 '{"window": 0}')"
}
# A: 105 per page, 2 of them an interrupt's, 2 atomics; B: 106, 3 of them
# an interrupt's, 3 atomics: one more in the grab
for d in a1 a2; do runs "$TMP/$d" 105; win "$TMP/$d" 2000 1000 10; done
for d in b1 b2; do runs "$TMP/$d" 106; win "$TMP/$d" 3000 2000 25; done
row() { jq -c --arg u "$2" ".metrics[] | select(.metric == \"ioctl\" and .unit == \$u) | ${3:-[.median_a, .median_b, .verdict, .family]}" "$1/report.json"; }

"$RB" compare --no-plots -o "$TMP/c" "$TMP/a1,$TMP/a2" "$TMP/b1,$TMP/b2" >/dev/null 2>"$TMP/err" ||
	fail "compare: $(cat "$TMP/err")"
narrow "$TMP/c"
[ -z "${RB_SHOW_REPORT:-}" ] || cat "$TMP/c/report.txt" >&2
[ "$(row "$TMP/c" insn/page)" = '[103,103,"equivalent","primary"]' ] ||
	fail "insn/page is not the own count: $(row "$TMP/c" insn/page)"
[ "$(row "$TMP/c" irq-insn/page)" = '[2,3,"slower","secondary"]' ] ||
	fail "irq-insn/page: $(row "$TMP/c" irq-insn/page)"
[ "$(row "$TMP/c" other-insn/page)" = '[0,0,"equivalent","secondary"]' ] ||
	fail "other-insn/page (0 in both: a value, not an error): $(row "$TMP/c" other-insn/page)"
ok "the metric is the task's own count (103 = 105 - 2 in an interrupt; B 106 - 3): equivalent; the interrupts' +1 is a secondary row"
# between two images the own count moves by up to one instruction per
# window more than between boots of one: each own-count sample declares
# that resolution (1 / ops), which the exact rule's bound never goes below
[ "$(row "$TMP/c" insn/page '.resolution')" = 0.001 ] ||
	fail "the own count's resolution is not one instruction per window (1/1000): $(row "$TMP/c" insn/page '.resolution')"
ok "the own count declares one instruction per window as its resolution"

[ "$(row "$TMP/c" atomic/page)" = '[2,3,"slower","primary"]' ] || fail "atomic/page: $(row "$TMP/c" atomic/page)"
[ "$(row "$TMP/c" atomic/page '.attribution.symbols')" = '[{"name":"try_grab_folio","a":1,"b":2,"delta":1,"spread":0}]' ] ||
	fail "atomic/page attribution: $(row "$TMP/c" atomic/page '.attribution.symbols')"
grep -q '^  ioctl \[atomic/page\]' "$TMP/c/report.txt" && grep -q 'where: try_grab_folio +1.000/page' "$TMP/c/report.txt" ||
	fail "report.txt: no atomic/page row with its where line: $(cat "$TMP/c/report.txt")"
for u in loads/page stores/page page-struct/page lines/page page-struct-lines/page; do
	[ "$(row "$TMP/c" "$u" '.verdict')" = '"equivalent"' ] || fail "$u: $(row "$TMP/c" "$u")"
done
grep -q 'atomic, loads, stores, page-struct, lines, page-struct-lines: the cost' "$TMP/c/report.txt" ||
	fail "report.txt does not say what the components are"
grep -q '^irq-insn, other-insn: the instructions that interrupts' "$TMP/c/report.txt" ||
	fail "report.txt does not say what the irq-insn and other-insn rows are"
ok "the cost vector: atomic/page +1 in try_grab_folio (the interrupt's atomics apart), the other five components equivalent"

# the interrupts' symbols are named under their own row
[ "$(row "$TMP/c" irq-insn/page '.attribution.symbols[0].name')" = '"apic_timer_interrupt"' ] ||
	fail "irq-insn attribution: $(row "$TMP/c" irq-insn/page '.attribution')"
ok "irq-insn/page is attributed to the interrupt's symbols"

# without plugin.json the split is not trusted: the total, and a warning
rm "$TMP/b2/plugin.json"
"$RB" compare --no-plots --allow-missing -o "$TMP/n" "$TMP/a1,$TMP/a2" "$TMP/b1,$TMP/b2" >/dev/null 2>"$TMP/err" ||
	fail "compare without plugin.json: $(cat "$TMP/err")"
grep -q 'count interrupts and other tasks in: .*plugin.json' "$TMP/err" || fail "no warning: $(cat "$TMP/err")"
[ "$(row "$TMP/n" insn/page '.median_b')" = 104.5 ] || fail "B without split: $(row "$TMP/n" insn/page)"
ok "a run without plugin.json keeps the total, and compare says why"

# a kernel booted without nokaslr: no struct-page components
rm -rf "$TMP/k"; cp -r "$TMP/a1" "$TMP/k"
jq '.kernel.cmdline = "console=ttyS0"' "$TMP/a1/run/meta.json" >"$TMP/k/run/meta.json"
"$RB" compare --no-plots -o "$TMP/kk" "$TMP/k,$TMP/a2" "$TMP/b1,$TMP/a2" >/dev/null 2>"$TMP/err" || true
grep -q 'without nokaslr' "$TMP/err" || fail "no KASLR warning: $(cat "$TMP/err")"
ok "without nokaslr the struct-page split is withheld, and compare says so"

# a file whose windows are not the run's: that run is compared as measured, and both say why
rm -rf "$TMP/x"; cp -r "$TMP/a1" "$TMP/x"
jq -c '.w += 100' "$TMP/a1/attribution.jsonl" >"$TMP/x/attribution.jsonl"
"$RB" compare --no-plots --allow-missing -o "$TMP/xx" "$TMP/x,$TMP/a2" "$TMP/b1,$TMP/b2" >/dev/null 2>"$TMP/err" ||
	fail "compare with a foreign file: $(cat "$TMP/err")"
grep -q "its plugin counts are not used (the run is compared as measured): .*no counts for window 0" "$TMP/err" ||
	fail "no warning: $(cat "$TMP/err")"
grep -q "A run 1's file is NOT USED" "$TMP/xx/report.txt" || fail "report.txt does not flag it"
ok "a file that is not the run's leaves the run as measured: compare warns and the report flags it"

# bounds from runs with the split: "bound" on the total (ticks move it),
# "bound_own" on the own count; compare takes the one its samples are
for d in a3 a4; do runs "$TMP/$d" 106; win "$TMP/$d" 3000 1000 10; done	# 106 = 103 + 3 in an interrupt
"$RB" bounds -o "$TMP/bo.json" "$TMP/a1,$TMP/a3" >/dev/null 2>"$TMP/err" || fail "bounds: $(cat "$TMP/err")"
jq -e '.metrics[] | select(.metric == "ioctl" and .unit == "insn/page") |
	.seen == 1 and .bound >= 1 and .seen_own == 0 and .bound_own == 0.001' "$TMP/bo.json" >/dev/null ||
	fail "bounds file: $(jq -c '.metrics[] | select(.metric == "ioctl" and .unit == "insn/page")' "$TMP/bo.json")"
jq -e '.how | test("bound on the total, bound_own on the task.s own count; their [0-9]+ irq-insn and other-insn rows are left undeclared")' "$TMP/bo.json" >/dev/null ||
	fail "how: $(jq -r .how "$TMP/bo.json")"
jq -e '[.metrics[] | select(.unit | test("^(irq|other)-insn/"))] | length == 0' "$TMP/bo.json" >/dev/null ||
	fail "irq-insn or other-insn rows declared: $(jq -c '[.metrics[] | select(.unit | test("^(irq|other)-insn/")) | .unit]' "$TMP/bo.json")"
# --not-below: an earlier file's wider bound is kept (a handful of boots
# may not see the noise another saw); one of another suite is refused
# and a metric these boots did not measure (a --cost component, another
# point) is kept as the earlier file has it
jq '(.metrics[] | select(.metric == "ioctl" and .unit == "insn/page") | .bound) = 7 |
	.metrics += [{case: "fault", kind: "anon", params: {size: "16M"}, metric: "zap", unit: "lines/page", bound: 3, seen: 1}]' \
	"$TMP/bo.json" >"$TMP/wide.json"
"$RB" bounds -o "$TMP/bo2.json" --not-below "$TMP/wide.json" "$TMP/a1,$TMP/a3" >/dev/null 2>"$TMP/err" ||
	fail "bounds --not-below: $(cat "$TMP/err")"
jq -e '(.metrics[] | select(.metric == "ioctl" and .unit == "insn/page") | .bound == 7 and .bound_own == 0.001)
	and ([.metrics[] | select(.case == "fault" and .unit == "lines/page" and .bound == 3)] | length == 1)
	and (.metrics | length) == ($n + 1)
	and (.how | test("never below wide.json \\([^)]*\\): 1 bounds kept from it, wider than these boots showed, and 1 metrics these boots did not measure kept"))' \
	--argjson n "$(jq '.metrics | length' "$TMP/bo.json")" "$TMP/bo2.json" >/dev/null ||
	fail "--not-below: $(jq -c '[.how, (.metrics[] | select(.metric == "ioctl" and .unit == "insn/page"))]' "$TMP/bo2.json")"
jq '.suite = "quick"' "$TMP/wide.json" >"$TMP/other.json"
! "$RB" bounds -o "$TMP/bo3.json" --not-below "$TMP/other.json" "$TMP/a1,$TMP/a3" >/dev/null 2>"$TMP/err" &&
	grep -q 'is of suite quick' "$TMP/err" && [ ! -e "$TMP/bo3.json" ] || fail "--not-below of another suite: $(cat "$TMP/err")"
ok "bounds --not-below keeps an earlier file's wider bound and the metrics these boots did not measure, refuses another suite's file"
"$RB" bounds --check "$TMP/bo.json" "$TMP/a2,$TMP/a4" >/dev/null 2>&1 || fail "--check of own counts against bound_own"
"$RB" compare --no-plots --bounds "$TMP/bo.json" -o "$TMP/bown" "$TMP/a2" "$TMP/a4" >/dev/null 2>"$TMP/err" ||
	fail "compare: $(cat "$TMP/err")"
[ "$(row "$TMP/bown" insn/page '[.bound, .bound_source, .verdict]')" = '[0.001,"declared","equivalent"]' ] ||
	fail "own counts not judged against bound_own: $(row "$TMP/bown" insn/page)"
for d in a2 a4; do rm -rf "$TMP/t$d"; cp -r "$TMP/$d" "$TMP/t$d"; rm "$TMP/t$d/plugin.json"; done
"$RB" compare --no-plots --bounds "$TMP/bo.json" -o "$TMP/btot" "$TMP/ta2" "$TMP/ta4" >/dev/null 2>"$TMP/err" ||
	fail "compare of totals: $(cat "$TMP/err")"
row "$TMP/btot" insn/page '.bound >= 1 and .bound_source == "declared" and .verdict != "slower"' | grep -qx true ||
	fail "totals not judged against the total's bound: $(row "$TMP/btot" insn/page)"
ok "bounds declare the total and the own count apart: own counts equal across a tick (bound_own 0.001), totals against the total's bound"
