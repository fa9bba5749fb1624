#!/bin/bash
# tests/lab/cost.sh [X.Y]: the cost vector end to end (docs/cost.md), on
# Debian's linux-source-X.Y (default 6.1).
#  1. The cost plugin changes no instruction count: a boot with --cost and
#     one with --attribute give the same samples, byte for byte; two --cost
#     boots give the same plugin counts, cost vector included.
#  2. Atomics are seen although the one-CPU guest patched its LOCK
#     prefixes to DS: plugin.json names the LOCK sites it translated, and a
#     4 KiB GUP-fast get takes at least one atomic and one struct-page
#     access per page.
#  3. Between the two images, the measured task's own count of every
#     windowed metric moved by exactly what the canaries added (each is two
#     instructions: its nopl and its operation), to within RESIDUAL
#     instructions a window (docs/attribution.md: the scheduler's wrappers
#     around a switch), however differently the ticks fell.
#  4. Kernel B = A + kernels/patches/cost-canary/X.Y: one atomic in the
#     FOLL_GET grab (canary 7), one struct-page load in the unpin (8), one
#     store in the anonymous fault (9). In every window, the functions that
#     hold canary k (kernels/canary-check) changed their component by
#     exactly the count of canary k's executions, and windows no canary
#     crossed are unchanged in those functions; compare reports the change
#     on the components per page, attributed to those functions.
#  5. Kernel N = A + kernels/patches/off-path/X.Y (one instruction in
#     fixup_user_fault(), which no window crosses): a no-op for every
#     measured path. compare flags nothing on any component; atomics and
#     struct-page accesses are equal on every metric but in the scheduler's
#     switch wrappers; insn, loads and stores differ by no more than
#     RESIDUAL a window (distinct lines: compare's verdict alone).
# Called by tests/lab/test_cost_<X.Y>.sh. Exit 0 pass, 1 fail, 77 skip.
. "$(dirname "$0")/lib.sh"
KVER=${1:-6.1}
lab_needs qemu-system-x86_64 jq objdump
lab_built --plugin
PATCHES=$REPO/kernels/patches/cost-canary/$KVER
[ -d "$PATCHES" ] || fail "$PATCHES missing"
lab_tmp cost

src=(); [ "$KVER" = 6.1 ] || src=(--src "$KVER")
RB_LAB_KERNEL='' lab_kernel "${src[@]}"; KA=$KERNEL
RB_LAB_KERNEL='' lab_kernel "${src[@]}" --patches "$PATCHES"; KB=$KERNEL
RB_LAB_KERNEL='' lab_kernel "${src[@]}" --patches "$REPO/kernels/patches/off-path/$KVER"; KN=$KERNEL
"$REPO/kernels/canary-check" "$KA" "$KB" >"$TMP/check.json" || true	# codegen changes: an atomic is more than a nopl
for k in 7 8 9; do
	jq -e --arg k "$k" '.canaries[$k].functions | length > 0' "$TMP/check.json" >/dev/null ||
		fail "kernel B has no canary $k: $(jq -c .canaries "$TMP/check.json")"
done
ok "cost canaries in B: $(jq -r '.canaries | to_entries | map("\(.key) in \(.value.functions | keys | join("+"))") | join(", ")' "$TMP/check.json")"

SUITE=$REPO/configs/suites/cost-smoke.suite
boot() {	# boot NAME KERNEL PLUGIN-FLAG
	"$REPO/scripts/lab" --kernel "$2" --mode deterministic --suite "$SUITE" "$3" \
		-o "$TMP/$1" >"$TMP/$1.out" 2>"$TMP/$1.err" ||
		{ tail -n 20 "$TMP/$1.err"; echo "boot $1 failed" >"$TMP/$1.failed"; }
}
boot A "$KA" --cost & boot B "$KB" --cost & wait
boot A2 "$KA" --cost & boot I "$KA" --attribute & wait
boot N "$KN" --cost
for b in A B A2 I N; do [ ! -e "$TMP/$b.failed" ] || fail "$(cat "$TMP/$b.failed")"; done

# 1. no instruction count moved; the cost vector repeats exactly
values() { jq -c 'select(.type == "sample") | [.case, .kind, .params, .iter, .metric, .value]' "$1/run/samples.jsonl"; }
cmp -s <(values "$TMP/A") <(values "$TMP/I") ||
	fail "--cost changed the samples: $(diff <(values "$TMP/A") <(values "$TMP/I") | head -4)"
insns() { jq -c '[.w, .insns, .syms]' "$1/attribution.jsonl"; }
cmp -s <(insns "$TMP/A") <(insns "$TMP/I") || fail "--cost changed the plugin's instruction counts"
cmp -s "$TMP/A/attribution.jsonl" "$TMP/A2/attribution.jsonl" || fail "two --cost boots of one kernel differ"
ok "cost A/A: $(values "$TMP/A" | wc -l) samples as with --attribute alone; $(wc -l <"$TMP/A/attribution.jsonl") windows' cost vectors identical in two boots"

# 2. the LOCK sites, and atomics where a refcount is taken
P=$TMP/A/plugin.json
jq -e '.cost and .smp_locks > 1000 and .lock_sites_translated.ds > 0' "$P" >/dev/null ||
	fail "plugin.json: $(cat "$P")"
"$RB" compare --no-plots -o "$TMP/aa" "$TMP/A" "$TMP/A2" >/dev/null 2>"$TMP/aa.err" ||
	{ cat "$TMP/aa.err"; fail "compare A A2 failed"; }
get() {	# get UNIT: anon 4 KiB gup ioctl per page, A's median
	jq -r --arg u "$1" '[.metrics[] | select((.point | startswith("gup-fast anon")) and (.point | contains("cmd=pin") | not)
		and .metric == "ioctl" and .unit == $u) | .median_a] | first // "none"' "$TMP/aa/report.json"
}
atomic=$(get atomic/page) ps=$(get page-struct/page)
awk -v a="$atomic" -v p="$ps" 'BEGIN { exit !(a + 0 >= 1 && p + 0 >= 1) }' ||
	fail "anon gup ioctl: atomic/page $atomic, page-struct/page $ps: a get and a put take a reference on each page"
ok "LOCK sites: $(jq -r '"\(.smp_locks) in .smp_locks; translated: \(.lock_sites_translated.ds) as DS (uniproc-patched), \(.lock_sites_translated.lock) as LOCK"' "$P"); anon gup ioctl: $atomic atomic/page, $ps page-struct/page"

# 3. each canary, window by window, in the functions that hold it. Atomics
# and struct-page accesses are exact. Loads and stores carry one residual,
# named in docs/cost.md: QEMU 7.2 reports the CPU's own accesses when it
# delivers an interrupt (the IDT gate and TSS read, the frame pushed: 5
# loads and 5 stores here) through the callbacks of the last instruction
# that called a QEMU helper (a pushf or popf of an irqsave, most often), so
# they land on that instruction's function, wherever the interrupt fell:
# up to DELIVERY of each per interrupt entry in the window.
DELIVERY=6
# Windows pair through the samples that name them (.window), not by index:
# "calls auto" calibrates on guest time, so B's slower canaries can change
# how many calls (ops) a window holds and how many calibration windows come
# before it. A's count is scaled to B's ops: a function's count in a window
# is per call, and ops are calls x pages.
winpairs() {
	jq -s -c --slurpfile b "$TMP/B/run/samples.jsonl" '
		def wins: map(select(.type == "sample" and .window != null) |
			{key: ([.case, .kind, .params, .iter, .metric] | tostring), value: {w: .window, ops: .ops}}) | from_entries;
		(wins) as $a | ($b | wins) as $b |
		[$a | keys[] as $k | select($b[$k]) | {a: $a[$k], b: $b[$k]}] | unique_by(.a.w)' "$TMP/A/run/samples.jsonl"
}
pairs=$(winpairs)
[ "$(jq length <<<"$pairs")" -gt 10 ] || fail "A and B share $(jq length <<<"$pairs") sampled windows"
declare -A comp=([7]=atomic [8]=page-struct [9]=stores)
for k in 7 8 9; do
	fns=$(jq -c --arg k "$k" '.canaries[$k].functions | keys' "$TMP/check.json")
	tol=0; [ "${comp[$k]}" != stores ] || tol=$DELIVERY
	res=$(jq -n -c --arg k "$k" --arg c "${comp[$k]}" --argjson f "$fns" --argjson tol "$tol" --argjson p "$pairs" \
		--slurpfile a "$TMP/A/attribution.jsonl" --slurpfile b "$TMP/B/attribution.jsonl" '
		def in_f($w): [$f[] as $n | ($w[$c + "_syms"][$n] // 0)] | add;
		($a | map({key: (.w | tostring), value: .}) | from_entries) as $aw |
		($b | map({key: (.w | tostring), value: .}) | from_entries) as $bw |
		[$p[] | $aw[.a.w | tostring] as $x | $bw[.b.w | tostring] as $y | (.b.ops / .a.ops) as $s |
		 {wa: .a.w, wb: .b.w, ops_a: .a.ops, ops_b: .b.ops, n: ($y.canaries[$k] // 0),
		  d: (in_f($y) - in_f($x) * $s),
		  irqs: (($x.ctx.irq_entries // 0) + ($y.ctx.irq_entries // 0))} |
		 .off = (.d - .n | fabs)] |
		{bad: map(select(.off > $tol * .irqs)) | .[0:4], exact: map(select(.off == 0)) | length,
		 n: length, scaled: map(select(.ops_a != .ops_b)) | length, worst: (map(.off) | max)}')
	[ "$(jq -c .bad <<<"$res")" = "[]" ] ||
		fail "canary $k: ${comp[$k]} in $fns moved by other than its executions: $(jq -c .bad <<<"$res")"
	n=$(jq -s --arg k "$k" '[.[] | .canaries[$k] // 0] | add' "$TMP/B/attribution.jsonl")
	[ "$n" -gt 0 ] || fail "canary $k never ran in a window"
	ok "canary $k: ${comp[$k]} in $(jq -r 'join("+")' <<<"$fns") +1 per execution ($n executions), 0 where it did not run: exact in $(jq -r '"\(.exact) of \(.n) sampled windows (\(.scaled) with other calls in B, A scaled), off by at most \(.worst)"' <<<"$res")"
done

# the same through compare: the components per page, attributed
"$RB" compare --no-plots -o "$TMP/ab" "$TMP/A" "$TMP/B" >/dev/null 2>"$TMP/ab.err" ||
	{ cat "$TMP/ab.err"; fail "compare A B failed"; }
{ echo "--- cost canary report ($KVER)"; cat "$TMP/ab/report.txt"; } | sed 's/^/# /'
row() {	# row POINT-PREFIX METRIC UNIT: "delta canary-delta" from report.json
	jq -r --arg p "$1" --arg m "$2" --arg u "$3" --arg k "$4" '[.metrics[] | select((.point | startswith($p)) and .metric == $m and .unit == $u)
		| "\(.delta) \(.attribution.symbols // [] | map(.delta) | add // 0)"] | first // "none"' "$TMP/ab/report.json"
}
# own counts across images: B-A is the canaries' two instructions, exactly
# but for the scheduler's wrappers (schedule, exit_to_user_mode_prepare,
# switch_fpu_return: 30 instructions in a fsdax PMD window on 6.1; on 7.2,
# 79.5 in an anonymous fault window whose preemption came from an interrupt
# in one boot and not in the other: __schedule, rcu_note_context_switch,
# preempt_schedule_irq, migrate_disable_switch). Beyond that a window must
# show the scheduler at work in one image and not the other, among the
# symbols compare attributes its B-A to: a __cond_resched that switched
# inside a 6.12 anonymous zap (the zap then walks its PTE table again:
# 161 instructions), or RCU's deferred quiescent state waking its kthread
# from inside a 7.2 zap (rcu_preempt_deferred_qs_irqrestore,
# try_to_wake_up, enqueue_task_fair: 721). The task runs those itself, so
# its own count holds them (docs/attribution.md); they are listed, and a
# residual without them fails.
case $KVER in 6.1) RESIDUAL=64 ;; *) RESIDUAL=128 ;; esac
SCHED='["schedule","__schedule","preempt_schedule_common","preempt_schedule_irq","__cond_resched","switch_fpu_return","try_to_wake_up","rcu_preempt_deferred_qs_irqrestore"]'
res=$(jq -c --argjson r "$RESIDUAL" --argjson sched "$SCHED" '
	(.metrics | map(select(.unit == "atomic/page")) | map({key: "\(.point) \(.metric)", value: .resolution}) |
	 from_entries) as $per_op |
	[.metrics[] | select(.unit == "insn/page" and $per_op["\(.point) \(.metric)"] != null) |
	 {m: "\(.point) \(.metric)", d: .delta, want: (2 * ([.attribution.canaries[]?.delta] | add // 0)),
	  ops: (1 / $per_op["\(.point) \(.metric)"]),
	  sched: [.attribution.symbols[]? | select(.delta != 0 and (.name as $n | $sched | index($n))) | .name]} |
	 .off = ((.d - .want) * .ops | fabs | . * 1000 | round / 1000)] |
	{bad: map(select(.off > $r and (.sched | length) == 0)),
	 sched: map(select(.off > $r and (.sched | length) > 0) | "\(.m) \(.off) (\(.sched | join(", ")))"),
	 n: length, exact: map(select(.off < 0.5)) | length,
	 worst: (map(select(.off <= $r)) | max_by(.off) | "\(.m): \(.off)")}' "$TMP/ab/report.json")
[ "$(jq -c .bad <<<"$res")" = "[]" ] ||
	fail "own counts across the two images moved by more than the canaries (+$RESIDUAL a window) without the scheduler at work: $(jq -c .bad <<<"$res")"
ok "own counts across two images: $(jq -r '"\(.exact) of \(.n) windowed metrics moved by exactly the canaries, the largest residual \(.worst) instructions a window\(if (.sched | length) > 0 then "; beyond it, the scheduler at work in one image: \(.sched | join("; "))" else "" end)"' <<<"$res")"
for spec in "gup-fast anon size|ioctl|atomic/page|7" "gup-fast anon cmd=pin|ioctl|page-struct/page|8" \
	"fault anon|fault|stores/page|9"; do
	IFS='|' read -r p m u k <<<"$spec"
	r=$(row "$p" "$m" "$u" "$k")
	[ "$r" != none ] || fail "report.json has no $p $m [$u]"
	awk -v r="$r" 'BEGIN { split(r, x, " "); exit !(x[1] > 0 && x[1] - x[2] < 1e-9 && x[2] - x[1] < 1e-9) }' ||
		fail "$p $m [$u]: B-A and its attribution (delta, sum of symbols) are $r"
	ok "compare: $p $m [$u] B-A $(cut -d' ' -f1 <<<"$r"), all of it in the symbols' deltas"
done

# 5. a patch off every measured path moves no component. Across two
# images a window can still hold a preemption in one and not the other: the
# scheduler's wrappers around the switch run as the task's own code (an
# atomic in switch_fpu_return on 6.1), so atomics and struct-page accesses
# may differ there and nowhere else. Distinct lines, struct-page ones
# included, are a property of the window, not of a function: they depend
# on which free pages the allocator hands out, which differs between images
# (137 lines in a 4096-page anonymous zap window, one struct-page line in a
# fsdax PMD pin window on 6.1): compare's verdict judges them. So is the
# vmstat counters' spill: a CPU's count of a zone's or a node's pages goes
# to the global one (an atomic add) when it crosses its threshold, and
# where that happens depends on every page counted before the window
# (7.2: one atomic in the anonymous fault window and one in its zap, in
# __mod_zone_page_state and mod_node_page_state). A window where the task
# woke another in one image only (RCU's deferred quiescent state, above:
# the wakeup takes the runqueue's locks, atomics of their own) is listed,
# not failed.
WAKE='["try_to_wake_up","rcu_preempt_deferred_qs_irqrestore"]'
SWITCH_OR_SPILL='["schedule","__schedule","preempt_schedule_common","preempt_schedule_irq","__cond_resched","exit_to_user_mode_prepare","switch_fpu_return","rcu_note_context_switch","migrate_disable_switch","finish_task_switch","__mod_zone_page_state","mod_zone_page_state","__mod_node_page_state","mod_node_page_state"]'
"$RB" compare --no-plots -o "$TMP/an" "$TMP/A" "$TMP/N" >/dev/null 2>"$TMP/an.err" ||
	{ cat "$TMP/an.err"; fail "compare A N failed"; }
res=$(jq -c --argjson r "$RESIDUAL" --argjson sw "$SWITCH_OR_SPILL" --argjson wake "$WAKE" '
	def refcount: . == "atomic/page" or . == "page-struct/page";
	def lines: . == "lines/page" or . == "page-struct-lines/page";
	def noise: . == "irq-insn/page" or . == "other-insn/page";
	# a window woke a task when any of its rows names a wakeup (the
	# atomics row names only the locks it took)
	([.metrics[] | select(any(.attribution.symbols[]?; .delta != 0 and (.name as $n | $wake | index($n)))) |
	  "\(.point) \(.metric)"] | unique) as $woke |
	[.metrics[] | select(.unit | noise | not) | {m: "\(.point) \(.metric) [\(.unit)]", u: .unit, d: .delta, v: .verdict,
	  s: .significant, off: (if .resolution > 0 then (.delta / .resolution | fabs) else null end),
	  syms: [.attribution.symbols[]? | select(.delta != 0) | .name], un: (.attribution.unattributed // 0),
	  woke: ("\(.point) \(.metric)" as $w | $woke | index($w) != null)}] |
	{flagged: map(select(.s or (.v | test("^(faster|slower)")))) | .[0:4],
	 refcount: map(select((.u | refcount) and .d != 0 and (.woke | not) and
		((.un | fabs) > 1e-9 or (.syms | length) == 0 or any(.syms[]; . as $n | $sw | index($n) | not)))) | .[0:4],
	 switch: map(select((.u | refcount) and .d != 0)) | length,
	 residual: map(select((.u | refcount or lines | not) and (.woke | not) and (.off == null or .off > $r))) | .[0:4],
	 woke: map(select(.woke and .d != 0 and (.u | lines | not)) | .m),
	 n: length, zero: map(select(.d == 0)) | length,
	 worst: (map(select(.u | lines | not)) | max_by(.off // 0) | "\(.m): \(.off // 0 | . * 1000 | round / 1000)"),
	 lines: (map(select(.u | lines)) | max_by(.off // 0) | "\(.off // 0 | . * 1000 | round / 1000)")}' "$TMP/an/report.json")
[ "$(jq -c .flagged <<<"$res")" = "[]" ] || fail "off-path patch: compare flagged $(jq -c .flagged <<<"$res")"
[ "$(jq -c .refcount <<<"$res")" = "[]" ] ||
	fail "off-path patch moved atomics or struct-page accesses outside the scheduler's switch and the vmstat spill: $(jq -c .refcount <<<"$res")"
[ "$(jq -c .residual <<<"$res")" = "[]" ] ||
	fail "off-path patch moved an own count by more than $RESIDUAL a window: $(jq -c .residual <<<"$res")"
ok "off-path patch (fixup_user_fault): nothing flagged; $(jq -r '"\(.zero) of \(.n) rows B-A = 0; atomics and struct-page accesses equal but for \(.switch) rows moved in the scheduler'"'"'s switch or the vmstat spill alone; the largest other residual \(.worst) a window, distinct lines (all, or struct-page) up to \(.lines) a window\(if (.woke | length) > 0 then "; a wakeup in one image: \(.woke | join("; "))" else "" end)"' <<<"$res")"
