#!/bin/bash
# The plugin's REP count on a real boot: the default 6.1 lab kernel in
# deterministic mode with --attribute, a two-point suite (gup-fast and an
# anonymous write fault of 256 pages). Every window has "rep", its symbols
# add up to its extra iterations, the fault window clears every page with
# `rep stosb` of 4096 (clear_page_erms: -cpu max has ERMS), and what is left
# for the hardware (insns - restarts - rep.extra) is below the clock's count
# by exactly those iterations. A REP count that moved any other count is
# caught by the canary and cost tests (byte-identical plugin counts).
. "$(dirname "$0")/lib.sh"
lab_needs qemu-system-x86_64 jq
lab_built --plugin
lab_kernel
lab_tmp rep
printf '%s\n' 'gup-fast anon cmd=gup size=1M repeat=1 warmup=0' \
	'fault anon size=1M access=write teardown=dontneed repeat=1 warmup=0' >"$TMP/tiny.suite"
rc=0
"$REPO/scripts/lab" --kernel "$KERNEL" --mode deterministic --attribute --suite "$TMP/tiny.suite" \
	--timeout 900 -o "$TMP/boot" >"$TMP/stdout" 2>"$TMP/stderr" || rc=$?
RUN=$TMP/boot
[ "$rc" = 0 ] || { tail -n 20 "$TMP/stderr"; fail "scripts/lab exited $rc"; }
A=$RUN/attribution.jsonl
n=$(grep -c '' "$A")
jq -se 'all(.[]; (.rep | has("insns") and has("extra") and has("extra_interrupts") and has("extra_other"))
	and ([.rep_syms[]] | add // 0) == .rep.extra
	and .rep.extra >= .rep.extra_interrupts + .rep.extra_other)' "$A" >/dev/null &&
	ok "$n windows: each has rep, its rep_syms add up to rep.extra" || fail "rep fields: $(head -c 600 "$A")"
jq -e '.rep.sites > 0 and .rep.lost == false' "$RUN/plugin.json" >/dev/null &&
	ok "plugin.json: $(jq .rep.sites "$RUN/plugin.json") REP sites translated" || fail "plugin.json: $(jq -c .rep "$RUN/plugin.json")"
s=$(jq -c 'select(.type == "sample" and .metric == "fault")' "$RUN/run/samples.jsonl")
[ -n "$s" ] || fail "no fault sample in $RUN/run/samples.jsonl"
w=$(jq .window <<<"$s") ops=$(jq .ops <<<"$s")
line=$(jq -c --argjson w "$w" 'select(.w == $w)' "$A")
cp=$(jq '.rep_syms.clear_page_erms // 0' <<<"$line")
if [ "$cp" = 0 ]; then
	ok "the kernel cleared pages without clear_page_erms (no ERMS in the guest CPU): $(jq -c .rep_syms <<<"$line")"
else
	[ $((cp % 4096)) = 0 ] && [ "$cp" -ge $((4096 * ops)) ] &&
		ok "fault window: clear_page_erms iterated $cp times: $((cp / 4096)) pages of 4096 for $ops faults" ||
		fail "clear_page_erms: $cp iterations for $ops pages"
fi
jq -e --argjson s "$s" '(.insns - .restarts) - .rep.extra < ($s.value * $s.ops) and
	((.insns - .restarts) - ($s.value * $s.ops) | fabs) <= 200' <<<"$line" >/dev/null &&
	ok "fault: $(jq -r --argjson s "$s" '"\($s.value) insn/page by icount, \((.insns - .restarts - .rep.extra) / $s.ops * 10 | round / 10) as the hardware retires them"' <<<"$line")" ||
	fail "fault window against its sample: $(jq -c '{insns,restarts,rep}' <<<"$line") value $(jq .value <<<"$s")"
