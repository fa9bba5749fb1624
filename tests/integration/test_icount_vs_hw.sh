#!/bin/bash
# refbench icount-vs-hw on synthetic runs of known counts: a lab boot (its
# run, attribution.jsonl beside it with REP iterations, interrupts and other
# tasks) and a host run with hardware counters. The arithmetic is checked to
# the hundredth; every refusal names its fix.
. "$(dirname "$0")/lib.sh"

# lab DIR REP_FIELD: DIR/run (3 fault samples, windows 0-2, 256 pages each;
# one gup-fast sample without a window) and DIR/attribution.jsonl
lab() {
	mkdir -p "$1/run"
	jq -n '{status: "complete", clock: "icount (guest ns = instructions)",
		kernel: {release: "6.1.192", config_sha256: "90cfd74e6c64aaaa"}}' >"$1/run/meta.json"
	for w in 0 1 2; do
		jq -nc --argjson w "$w" '{type: "sample", case: "fault", kind: "anon",
			params: {size: "1M", access: "write"}, metric: "fault", unit: "insn/page",
			value: 0, ops: 256, window: $w}'
	done >"$1/run/samples.jsonl"
	jq -nc '{type: "sample", case: "gup-fast", kind: "anon", params: {cmd: "gup"}, metric: "get",
		unit: "insn/page", value: 80, ops: 256}' >>"$1/run/samples.jsonl"
	jq -nc '{type: "sample", case: "fault", kind: "anon", params: {size: "1M", access: "write"},
		metric: "zap", unit: "insn/page", value: 480, ops: 256, window: 0}' >>"$1/run/samples.jsonl"
	# window w: T = 1,100,000 + 256 w; R 256; REP 1,052,672 (4112 a page); 5000
	# in interrupts, 2000 in other tasks (10 restarts, 100 REP iterations of
# them); user 10,256 (of them 256 restarts)
	for w in 0 1 2; do
		jq -nc --argjson w "$w" --argjson rep "$2" '{w: $w, insns: (1100000 + 256 * $w), restarts: 256,
			syms: {"[user]": 10256, clear_page_erms: 1057728, handle_mm_fault: (32016 + 256 * $w)},
			ctx: {interrupts: 5000, interrupts_restarts: 0, other: 2000, other_restarts: 10,
			      irq_entries: 2, switches: 2},
			interrupts_syms: {}, other_syms: {}}
			+ (if $rep then {rep: {insns: 257, extra: 1052672, extra_interrupts: 0, extra_other: 100},
					 rep_syms: {clear_page_erms: 1052672}} else {} end)'
	done >"$1/attribution.jsonl"
}
# hw DIR SOURCE: 3 fault samples, instructions:uk 179, 180, 181 and :k 139-141
hw() {
	mkdir -p "$1"
	jq -n --arg s "$2" '{status: "complete", clock: "CLOCK_MONOTONIC ns",
		kernel: {release: "6.1.192", config_sha256: "90cfd74e6c64aaaa"},
		host: {cpu_model: "Intel(R) Xeon(R) Gold 6338"},
		counters: {source: $s, fallback: (if $s == "hw" then null else "hardware events unavailable: ENOENT" end)}}' \
		>"$1/meta.json"
	for v in 179 180 181; do
		jq -nc --argjson v "$v" '{type: "sample", case: "fault", kind: "anon",
			params: {size: "1M", access: "write"}, metric: "fault", unit: "ns/page", value: 900, ops: 256,
			counters: {source: "hw", values: {"instructions:uk": {per_op: $v}, "instructions:k": {per_op: ($v - 40)}}}}'
	done >"$1/samples.jsonl"
}
has() { grep -qF -- "$2" "$TMP/so" && ok "$1" || not_ok "$1: no '$2' in: $(cat "$TMP/so")"; }

lab "$TMP/lab" true
hw "$TMP/hw" hw
rc_of "$RB" icount-vs-hw "$TMP/lab/run" "$TMP/hw"
[ "$RC" = 0 ] || fail "exit $RC: $(cat "$TMP/se")"
# the median window (w = 1): icount (1,100,256 - 256) / 256 = 4296.875;
# rep (1,052,672 - 100) / 256 = 4111.61; other (2000 - 10) / 256 = 7.77;
# lab (1,100,000 - 1,052,572 - 1990) / 256 = 177.4922
has "lab: icount less REP iterations and other tasks" "lab  4296.88 icount - 4111.61 rep - 7.77 other = 177.49 (irq 19.53)"
has "hw: instructions:uk and the difference" "hw   180.00 instructions:uk: hw - lab +2.51 (+1.4%)"
# user: (10,256 - 246 of the thread's restarts) / 256 = 39.1016; kernel
# 177.4922 - 39.1016 = 138.39
has "kernel: lab less user, against instructions:k" "kernel: lab 138.39, hw 140.00 instructions:k: +1.61 (+1.2%)"
has "where the REP iterations ran" "REP iterations mostly in clear_page_erms (4112.00 per op)"
has "the samples each side" "(medians of 3 lab, 3 hw samples)"
has "the kernel-timed samples are said" "1 metric in both runs (4 lab samples with a window; 1 without one"
has "what remains is said" "What remains in hw - lab: the host's interrupts"
grep -qF "only in the lab run: fault anon zap size=1M access=write" "$TMP/se" && ok "a metric only in the lab run: on stderr" ||
	not_ok "stderr: $(cat "$TMP/se")"

# refusals
refuse() {
	rc_of "$RB" icount-vs-hw "$@"
	[ "$RC" = 2 ] && grep -qF -- "$WANT" "$TMP/se" && ok "refused: $WANT" ||
		not_ok "exit $RC for $*, stderr: $(cat "$TMP/se") (wanted '$WANT')"
}
WANT="must be deterministic" refuse "$TMP/hw" "$TMP/hw"
hw "$TMP/sw" sw
WANT="counted no hardware events (counters.source sw: hardware events unavailable: ENOENT): run it where the PMU counts (scripts/hwcheck" \
	refuse "$TMP/lab/run" "$TMP/sw"
lab "$TMP/old" false
WANT="windows without \"rep\": its plugin predates the REP count" refuse "$TMP/old/run" "$TMP/hw"
lab "$TMP/noattr" true
rm "$TMP/noattr/attribution.jsonl"
WANT="boot it with scripts/lab --mode deterministic --attribute" refuse "$TMP/noattr/run" "$TMP/hw"
jq -c '.params.size = "16M"' "$TMP/hw/samples.jsonl" >"$TMP/hw/s" && mv "$TMP/hw/s" "$TMP/hw/samples.jsonl"
WANT="run the same suite in both" refuse "$TMP/lab/run" "$TMP/hw"
WANT="give LAB_RUN HW_RUN" refuse "$TMP/lab/run"
WANT="give a run directory" refuse "$TMP/nowhere" "$TMP/hw"
lab "$TMP/cut" true
echo '{"type": "sample", "case"' >>"$TMP/cut/run/samples.jsonl"
WANT="line 6 is not JSON (refbench validate" refuse "$TMP/cut/run" "$TMP/hw"
