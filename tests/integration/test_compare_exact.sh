#!/bin/bash
# refbench compare in deterministic mode (clock icount): the exact rule
# with a declared, an in-run and an unknown A/A bound; refbench bounds
# (write, --check pass and fail, bad input); lab runs of two hosts.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/compare_lib.sh"

# Instruction counts: "get" 81.6 per page, +1 per page in B (the
# one-instruction patch); "put" identical; "munmap" with a 0.5% spread
# between boots.
get() { spec get "$1" 0 5 0; }
put() { spec put 14.9 0 5 0; }
mun() { spec munmap "$1" 0 5 0 '{"case":"fault","kind":"anon","params":{"size":"16M"}}'; }
mk_run "$TMP/a1" icount "$(get 81.6)" "$(put)" "$(mun 480)"
mk_run "$TMP/a2" icount "$(get 81.6)" "$(put)" "$(mun 482.4)"
mk_run "$TMP/b1" icount "$(get 82.6)" "$(put)" "$(mun 481)"
mk_run "$TMP/b2" icount "$(get 82.6)" "$(put)" "$(mun 481.5)"

# 1. one boot per kernel, no bound: only identical numbers are decided
"$RB" compare -o "$TMP/unk" "$TMP/a1" "$TMP/b1" >/dev/null 2>"$TMP/err" || fail "compare: $(cat "$TMP/err")"
j=$TMP/unk/report.json
jq -e '.rule == "exact" and .correction == null' "$j" >/dev/null || fail "not the exact rule"
[ "$(v "$TMP/unk" get)" = inconclusive ] || fail "unknown bound, get: $(v "$TMP/unk" get)"
[ "$(v "$TMP/unk" get reason)" = "no A/A bound: give --bounds or >= 2 boots of one arm" ] || fail "reason: $(v "$TMP/unk" get reason)"
[ "$(v "$TMP/unk" put)" = equivalent ] && [ "$(v "$TMP/unk" put bound_source)" = identical ] ||
	fail "identical put: $(jq -c '.metrics[1]' "$j")"
grep -q "unknown for 2" "$TMP/unk/report.txt" || fail "header does not count unknown bounds"
grep -q "no A/A bound" "$TMP/unk/report.txt" || fail "report.txt does not say why"
narrow "$TMP/unk"
ok "exact, unknown bound: identical is equivalent, the rest inconclusive with the reason"

# 2. two boots each: the between-boot spread here is the bound
"$RB" compare -o "$TMP/inrun" "$TMP/a1,$TMP/a2" "$TMP/b1,$TMP/b2" >/dev/null 2>&1 || fail "in-run compare"
j=$TMP/inrun/report.json
jq -e '.metrics[] | select(.metric == "get") | .verdict == "slower" and .within_margin and .bound == 0 and
	.bound_source == "boots" and (.delta - 1 | fabs) < 1e-9 and .delta_ci == [.delta, .delta]' "$j" >/dev/null ||
	fail "get: $(v "$TMP/inrun" get)"
jq -e '.metrics[] | select(.metric == "munmap") | .verdict == "equivalent" and (.bound - 2.4 | fabs) < 1e-9' \
	"$j" >/dev/null || fail "munmap: $(jq -c '.metrics[] | select(.metric == "munmap")' "$j")"
grep -qE '^  get +81\.6 +82\.6 +\+1 +0 +\+1\.2% slower \(in \+-2%\)$' "$TMP/inrun/report.txt" ||
	fail "get row: $(grep '^  get' "$TMP/inrun/report.txt")"
grep -q "1 slower (1 in +-2%)" "$TMP/inrun/report.txt" || fail "summary"
narrow "$TMP/inrun"
ok "exact, in-run A/A: +1 insn/page is 'slower (in +-2%)', exactly +1"
# a bound from the boots compared here is weaker than a declared one: the
# header says so, with the boots it came from
grep -q "^WEAK BOUND: 3 metrics are judged against the spread between 2 boots" "$TMP/inrun/report.txt" ||
	fail "no weak-bound line in the header: $(sed -n '/^A\/A bound/,/^$/p' "$TMP/inrun/report.txt")"
jq -e '.weak_bound | .metrics == 3 and .boots_a == 2 and .boots_b == 2 and (.why | test("3 x the spread of >= 6"))' \
	"$j" >/dev/null || fail "report.json weak_bound: $(jq -c .weak_bound "$j")"
ok "a bound from this comparison's own boots is flagged weak, with how many boots it came from"

# 3. refbench bounds: A/A of two kernels, 2 boots each
mk_run "$TMP/k1" icount "$(get 90)" "$(put)" "$(mun 490)"
mk_run "$TMP/k2" icount "$(get 90)" "$(put)" "$(mun 491)"
"$RB" bounds -o "$TMP/b.json" --label "test A/A" --slack 0.01 "$TMP/a1,$TMP/a2" "$TMP/k1,$TMP/k2" >/dev/null 2>"$TMP/err" ||
	fail "bounds: $(cat "$TMP/err")"
jq -e '.schema == "refbench-bounds/1" and (.kernels | length) == 2 and (.how | test("test A/A: A/A of 2, 2 boots"))
	and (.metrics | length) == 3 and (.created | test("^20"))' "$TMP/b.json" >/dev/null ||
	fail "bounds file: $(jq -c 'del(.metrics)' "$TMP/b.json")"
jq -e '.metrics[] | select(.metric == "munmap") | (.seen - 2.4 | fabs) < 1e-9 and (.bound - 2.41 | fabs) < 1e-9
	and .params == {"size": "16M"} and .kind == "anon" and .unit == "insn/page"' "$TMP/b.json" >/dev/null ||
	fail "munmap bound: $(jq -c '.metrics' "$TMP/b.json")"
set +e; "$RB" bounds -o "$TMP/b.json" "$TMP/a1,$TMP/a2" >/dev/null 2>"$TMP/err"; rc=$?; set -e
[ $rc -ne 0 ] && grep -q "never overwritten" "$TMP/err" || fail "existing bounds file not refused"
"$RB" bounds --check "$TMP/b.json" "$TMP/a1,$TMP/a2" >"$TMP/check.out" 2>&1 || fail "check failed: $(cat "$TMP/check.out")"
grep -q "3 within their bound, 0 exceed it" "$TMP/check.out" || fail "check table: $(cat "$TMP/check.out")"
mk_run "$TMP/w0" icount "$(get 81.6)" "$(put)" "$(mun 480)" "$(spec new 5 0 5 0)"
mk_run "$TMP/w1" icount "$(get 81.6)" "$(put)" "$(mun 470)" "$(spec new 5 0 5 0)"
set +e; "$RB" bounds --check "$TMP/b.json" "$TMP/w0,$TMP/w1" >"$TMP/check.out" 2>&1; rc=$?; set -e
[ $rc -eq 1 ] || fail "check of a wider spread exited $rc"
grep -q "fault anon size=16M munmap \[insn/page\] .* EXCEEDS" "$TMP/check.out" &&
	grep -q "gup-fast thp cmd=pin new .* NOT IN FILE" "$TMP/check.out" || fail "check does not name them: $(cat "$TMP/check.out")"
ok "refbench bounds writes once; --check passes, and fails naming what exceeds or is missing"

# --across: two images of one source (the second with a patch no window
# crosses), whose medians differ by more than the boots of either
mk_run "$TMP/i1" icount "$(get 81.6)" "$(put)" "$(mun 483)"
mk_run "$TMP/i2" icount "$(get 81.6)" "$(put)" "$(mun 481)"
"$RB" bounds -o "$TMP/bx.json" "$TMP/a1,$TMP/a2" "$TMP/i1,$TMP/i2" >/dev/null 2>"$TMP/err" || fail "bounds: $(cat "$TMP/err")"
"$RB" bounds -o "$TMP/ba.json" --across "$TMP/a1,$TMP/a2" "$TMP/i1,$TMP/i2" >/dev/null 2>"$TMP/err" ||
	fail "bounds --across: $(cat "$TMP/err")"
jq -e '.metrics[] | select(.metric == "munmap") | (.seen - 2.4 | fabs) < 1e-9' "$TMP/bx.json" >/dev/null &&
	jq -e '(.metrics[] | select(.metric == "munmap") | (.seen - 3 | fabs) < 1e-9) and (.how | test("every kernel together: images of one source"))' \
	"$TMP/ba.json" >/dev/null || fail "--across: $(jq -c '[.how, (.metrics[] | select(.metric == "munmap"))]' "$TMP/ba.json")"
set +e; "$RB" bounds -o "$TMP/b1.json" --across "$TMP/a1,$TMP/a2" >/dev/null 2>"$TMP/err"; rc=$?; set -e
[ "$rc" = 2 ] && grep -q -- '--across needs >= 2 kernels' "$TMP/err" && [ ! -e "$TMP/b1.json" ] ||
	fail "--across with one kernel: exit $rc, $(cat "$TMP/err")"
"$RB" bounds --check "$TMP/bx.json" --across "$TMP/a1,$TMP/a2" "$TMP/i1,$TMP/i2" >"$TMP/check.out" 2>&1 && fail "--check --across passed a spread of 3 against 2.4"
grep -q "fault anon size=16M munmap \[insn/page\] .* EXCEEDS" "$TMP/check.out" || fail "check --across: $(cat "$TMP/check.out")"
ok "refbench bounds --across: the spread over two images together (3), not the wider of each (2.4); one kernel refused"

# 4. one boot per kernel with the declared bound
"$RB" compare --bounds "$TMP/b.json" -o "$TMP/decl" "$TMP/a1" "$TMP/b1" >/dev/null 2>&1 || fail "declared compare"
j=$TMP/decl/report.json
jq -e '.bounds.how | test("test A/A")' "$j" >/dev/null || fail "report.json lacks the bounds file"
jq -e '.metrics[] | select(.metric == "get") | .verdict == "slower" and .within_margin and .bound_source == "declared"
	and (.bound - 0.01 | fabs) < 1e-9 and (.delta_ci[0] - 0.99 | fabs) < 1e-9' "$j" >/dev/null ||
	fail "declared get: $(jq -c '.metrics[0]' "$j")"
grep -q "^A/A bound: declared in $TMP/b.json (test A/A" "$TMP/decl/report.txt" || fail "header lacks the declared bound"
! grep -q "WEAK BOUND" "$TMP/decl/report.txt" && jq -e '.weak_bound == null' "$j" >/dev/null ||
	fail "a declared bound is flagged weak"
narrow "$TMP/decl"
ok "exact, declared bound: one boot per kernel decides"

# 5. a sample resolution widens the bound
r() { spec get "$1" 0 5 0 '{"resolution": 2}'; }
mk_run "$TMP/r1" icount "$(r 81.6)"
mk_run "$TMP/r2" icount "$(r 82.6)"
"$RB" compare --bounds "$TMP/b.json" -o "$TMP/res" "$TMP/r1" "$TMP/r2" >/dev/null 2>&1 || fail "resolution compare"
[ "$(v "$TMP/res" get bound_source)" = resolution ] && [ "$(v "$TMP/res" get verdict)" = inconclusive ] ||
	fail "resolution: $(jq -c '.metrics[0]' "$TMP/res/report.json")"
ok "a sample resolution of 2 insn/page sets the bound"

# Bad input
printf 'not json' >"$TMP/bad.json"
refuse "is not JSON" --bounds "$TMP/bad.json" "$TMP/a1" "$TMP/b1"
jq '.schema = "refbench-bounds/0"' "$TMP/b.json" >"$TMP/bad2.json"
refuse "schema is not refbench-bounds/1" --bounds "$TMP/bad2.json" "$TMP/a1" "$TMP/b1"
jq '.metrics[0].bound = -1' "$TMP/b.json" >"$TMP/bad3.json"
refuse "bound must be a number >= 0" --bounds "$TMP/bad3.json" "$TMP/a1" "$TMP/b1"
refuse "No such file" --bounds "$TMP/none.json" "$TMP/a1" "$TMP/b1"
mk_run "$TMP/t1" ns "$(get 81.6)"
mk_run "$TMP/t2" ns "$(get 81.6)"
for args in "-o $TMP/x1.json $TMP/a1|needs >= 2 boots" "-o $TMP/x2.json $TMP/t1,$TMP/t2|deterministic mode" \
	    "$TMP/a1,$TMP/a2|give -o FILE" "-o $TMP/x3.json --slack -1 $TMP/a1,$TMP/a2|give a number >= 0" \
	    "-o $TMP/x4.json $TMP/a1,$TMP/nonexistent|meta.json missing"; do
	set +e; eval "\"$RB\" bounds ${args%|*}" >/dev/null 2>"$TMP/err"; rc=$?; set -e
	[ $rc -ne 0 ] && grep -q "${args#*|}" "$TMP/err" || fail "bounds ${args%|*}: exit $rc: $(cat "$TMP/err")"
	! ls "$TMP"/x[0-9].json* >/dev/null 2>&1 || fail "bounds ${args%|*} wrote a file"
	ok "bounds refused (${args#*|})"
done

# Hosts: a deterministic lab run counts the guest's instructions, so lab
# runs of two hosts compare when their QEMU matches; timed lab runs of two
# hosts, or deterministic ones of two QEMUs, do not
lab() { jq --arg h "$2" --arg v "$3" --arg m "${4:-deterministic}" \
	'.lab.mode = $m | .lab.host.name = $h | .lab.qemu.version = $v' "$1/meta.json" >"$TMP/x" && mv "$TMP/x" "$1/meta.json"; }
for r in a1 a2 b1 b2; do cp -r "$TMP/$r" "$TMP/h$r"; done
lab "$TMP/ha1" a 8.2.2; lab "$TMP/ha2" b 8.2.2; lab "$TMP/hb1" a 8.2.2; lab "$TMP/hb2" b 8.2.2
"$RB" compare -o "$TMP/hosts" "$TMP/ha1,$TMP/ha2" "$TMP/hb1,$TMP/hb2" >/dev/null 2>"$TMP/err" ||
	fail "lab runs of two hosts: $(cat "$TMP/err")"
[ "$(v "$TMP/hosts" get)" = slower ] || fail "two hosts, get: $(v "$TMP/hosts" get)"
ok "deterministic lab runs of two hosts with one QEMU compare"
lab "$TMP/hb2" b 9.0.0
refuse "lab.qemu.version" "$TMP/ha1,$TMP/ha2" "$TMP/hb1,$TMP/hb2"
mk_run "$TMP/ta1" ns "$(get 81.6)"; mk_run "$TMP/tb1" ns "$(get 82.6)"
lab "$TMP/ta1" a 8.2.2 timed; lab "$TMP/tb1" b 8.2.2 timed
refuse "lab.host.name" "$TMP/ta1" "$TMP/tb1"
