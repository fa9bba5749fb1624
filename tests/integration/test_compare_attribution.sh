#!/bin/bash
# refbench compare with attribution.jsonl beside the runs (the QEMU plugin's
# per-symbol counts of each window): a canary-like change of +1 per page in
# one symbol is named under the metrics that cross it, metrics without a
# window are attributed through their iteration's window, a file that does
# not agree with its run is flagged and not used, and runs without one give
# the report they always gave.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/compare_lib.sh"

# attr DIR SYMS [CANARIES [RESTARTS]]: DIR/attribution.jsonl for the run
# DIR/run, as insn_attr writes it: one line per window, from 0 to the last
# one a sample names. A sample's window counts value x ops - 70 (the clock
# read is in the value, not in the window) + RESTARTS[metric]
# instructions: SYMS[metric] of them in the symbols named, the rest in
# "[user]"; CANARIES[metric] are its canaries. A window no sample names
# (an iteration measured again) counts 100.
attr() {
	jq -sc --argjson syms "$2" --argjson can "${3:-{\}}" --argjson rs "${4:-{\}}" '
	  map(select(.window != null)) as $s | ($s | map(.window) | max) as $last |
	  range(0; $last + 1) as $w | ($s | map(select(.window == $w)) | first) as $x |
	  if $x == null then {w: $w, insns: 100, restarts: 0, syms: {"[user]": 100}}
	  else ($rs[$x.metric] // 0) as $r | ($x.value * $x.ops - 70 + $r | round) as $t |
	    ($syms[$x.metric] // {}) as $named |
	    {w: $w, insns: $t, restarts: $r, syms: ($named + {"[user]": ($t - ($named | add // 0))})}
	    + (if $can[$x.metric] then {canaries: $can[$x.metric]} else {} end)
	  end' "$1/run/samples.jsonl" >"$1/attribution.jsonl"
}

# Per page: the grab 81.6 (B 82.6), the put 14.9, both measured by the
# kernel's timer and without a window; the ioctl around them 105 (B 106),
# with a window from 1 on (window 0 was measured again); a fault, 1216,
# with its own windows and one restart per page.
runs() {	# DIR GET IOCTL; boots differ in their meta.json only
	META_JQ=".started = \"$1\"" mk_run "$1/run" "${CLOCK:-icount}" "$(spec get "$2" 0 5 0)" "$(spec put 14.9 0 5 0)" \
		"$(spec ioctl "$3" 0 5 0 '{"window": 1}')" \
		"$(spec fault 1216 0 5 0 '{"case":"fault","kind":"anon","params":{"size":"16M"},"window":10}')"
}
SYMS_A='{"ioctl":{"try_grab_folio":20000,"gup_fast_pte_range":30000},"fault":{"handle_mm_fault":500000}}'
SYMS_B='{"ioctl":{"try_grab_folio":21000,"gup_fast_pte_range":30000},"fault":{"handle_mm_fault":500000}}'
CAN_B='{"ioctl":{"1":1000}}'
RS='{"fault":1000}'
for d in a1 a2; do runs "$TMP/$d" 81.6 105; attr "$TMP/$d" "$SYMS_A" '{}' "$RS"; done
for d in b1 b2; do runs "$TMP/$d" 82.6 106; attr "$TMP/$d" "$SYMS_B" "$CAN_B" "$RS"; done
m() { jq -c --arg m "$2" ".metrics[] | select(.metric == \$m) | .attribution${3:-}" "$1/report.json"; }
# where_of REPORT_DIR METRIC: the where line under the metric's row, unwrapped
where_of() {
	awk -v m="$2" '$1 == m && /^  [^ ]/ { row = 1; next } row && /^    where/ { w = $0; next }
		row && w != "" && /^      / { sub(/^ +/, ""); w = w " " $0; next }
		row { print w; exit }' "$1/report.txt"
}
near() { jq -e -n --argjson x "$1" --argjson y "$2" '($x - $y | fabs) < 1e-9' >/dev/null; }

# 1. the canary-like change: +1 per page in try_grab_folio, canary 1 once a page
"$RB" compare --no-plots -o "$TMP/c" "$TMP/a1,$TMP/a2" "$TMP/b1,$TMP/b2" >/dev/null 2>"$TMP/err" ||
	fail "compare: $(cat "$TMP/err")"
t=$TMP/c/report.txt
[ "$(v "$TMP/c" ioctl)" = slower ] || fail "ioctl: $(v "$TMP/c" ioctl)"
jq -e '.attribution | .runs_a == 2 and .runs_b == 2 and .checked_samples == 40 and
	.max_difference == 70 and (.note | test("inlined code counts toward the function"))' \
	"$TMP/c/report.json" >/dev/null || fail "top level: $(jq -c .attribution "$TMP/c/report.json")"
[ "$(m "$TMP/c" ioctl)" = '{"window_of":null,"symbols":[{"name":"try_grab_folio","a":20,"b":21,"delta":1,"spread":0}],"canaries":{"1":{"a":0,"b":1,"delta":1,"spread":0}},"restarts":{"a":0,"b":0,"delta":0,"spread":0},"sum_delta":1,"unattributed":0}' ] ||
	fail "ioctl attribution: $(m "$TMP/c" ioctl)"
[ "$(where_of "$TMP/c" ioctl)" = '    where: try_grab_folio +1.000/page; canary 1 +1.000/page' ] ||
	fail "ioctl where: $(where_of "$TMP/c" ioctl)"
narrow "$TMP/c"
ok "+1/page in one symbol is named under the metric, with the canary's +1"

# a symbol that moves between the boots of one kernel as much as between A and B is marked ~
rm -rf "$TMP/bn"; cp -r "$TMP/b2" "$TMP/bn"
jq -c 'if .syms.try_grab_folio then .syms["[user]"] -= 500 | .syms.rcu_core = 500 else . end' \
	"$TMP/b2/attribution.jsonl" >"$TMP/bn/attribution.jsonl"
"$RB" compare --no-plots -o "$TMP/n" "$TMP/a1,$TMP/a2" "$TMP/b1,$TMP/bn" >/dev/null 2>&1 || fail "compare (noise)"
[ "$(where_of "$TMP/n" ioctl)" = '    where: try_grab_folio +1.000/page, [user] -0.250/page~, rcu_core +0.250/page~; canary 1 +1.000/page' ] ||
	fail "noise where: $(where_of "$TMP/n" ioctl)"
ok "a symbol that moves within the boots' own spread is marked ~"

# 2. metrics without a window: through the window of their iteration's ioctl
[ "$(m "$TMP/c" get .window_of)" = '"ioctl"' ] && [ "$(m "$TMP/c" put .window_of)" = '"ioctl"' ] ||
	fail "window_of: $(m "$TMP/c" get) / $(m "$TMP/c" put)"
[ "$(where_of "$TMP/c" get)" = '    where (ioctl window): try_grab_folio +1.000/page; canary 1 +1.000/page' ] ||
	fail "get where: $(where_of "$TMP/c" get)"
near "$(m "$TMP/c" get .unattributed)" 0 && near "$(m "$TMP/c" put .unattributed)" -1 ||
	fail "unattributed: get $(m "$TMP/c" get .unattributed), put $(m "$TMP/c" put .unattributed)"
[ "$(v "$TMP/c" put)" = equivalent ] && [ -z "$(where_of "$TMP/c" put)" ] ||
	fail "an unchanged metric has a where line: $(where_of "$TMP/c" put)"
[ "$(m "$TMP/c" fault .symbols)" = '[]' ] && [ "$(m "$TMP/c" fault .restarts.a)" = 1 ] ||
	fail "fault: $(m "$TMP/c" fault)"
tr '\n' ' ' <"$t" | grep -q 'Inlined code counts toward the function it was inlined into' ||
	fail "report.txt lacks the inlining footer"
ok "get and put are attributed through the ioctl window; unchanged metrics get no where line"

# 3. a window that does not match its sample flags that run's attribution
flagged() {	# WHAT EDIT: B run 2's file edited by EDIT (a command on FILE) is flagged saying WHAT
	rm -rf "$TMP/bx" "$TMP/f"
	cp -r "$TMP/b2" "$TMP/bx"
	(f=$TMP/bx/attribution.jsonl; eval "$2")
	"$RB" compare --no-plots -o "$TMP/f" "$TMP/a1,$TMP/a2" "$TMP/b1,$TMP/bx" >/dev/null 2>"$TMP/err" ||
		fail "compare ($1): $(cat "$TMP/err")"
	jq -e --arg w "$1" '.attribution | .runs_b == 1 and .runs[3].used == false and
		(.runs[3].flagged | contains($w))' "$TMP/f/report.json" >/dev/null ||
		fail "not flagged ($1): $(jq -c .attribution.runs[3] "$TMP/f/report.json")"
	grep -q "^      B run 2's file is NOT USED: " "$TMP/f/report.txt" || fail "report.txt does not flag it ($1)"
	narrow "$TMP/f"
	ok "flagged: $1"
}
insns() { jq -c --argjson d "$1" 'if .w == 3 then .insns += $d | .syms["[user]"] += $d else . end' "$f" >"$f.new" && mv "$f.new" "$f"; }
flagged "sample gup-fast thp cmd=pin iter 2 ioctl measured 106000 instructions, its window 3 counted 105799" "insns -131"
flagged "line 15 is cut short" 'truncate -s -1 "$f"'
flagged "sample fault anon size=16M iter 4 fault has window 14, which is not in the file (14 windows)" \
	'sed -i \$d "$f"'
flagged "line 4: not a JSON object" 'sed -i "4s/.*/{\"w\":3,/" "$f"'
flagged "line 2 is window 5, not 1" 'sed -i "2s/\"w\":1,/\"w\":5,/" "$f"'
flagged "window 2: its symbols' counts add up to" 'sed -i "3s/\"try_grab_folio\":21000/\"try_grab_folio\":1/" "$f"'
# a file that is not one (a link to /dev/zero) is flagged at once, not read for ever
flagged "not a regular file (a character device)" 'ln -sf /dev/zero "$f"'
# 200 instructions apart is still the same window
rm -rf "$TMP/bx" "$TMP/f"; cp -r "$TMP/b2" "$TMP/bx"; f=$TMP/bx/attribution.jsonl; insns -130
"$RB" compare --no-plots -o "$TMP/f" "$TMP/a1,$TMP/a2" "$TMP/b1,$TMP/bx" >/dev/null 2>&1 || fail "compare (200 apart)"
jq -e '.attribution | .runs_b == 2 and .max_difference == 200' "$TMP/f/report.json" >/dev/null ||
	fail "200 apart: $(jq -c .attribution "$TMP/f/report.json")"
ok "a window 200 instructions from its sample is accepted, 201 is flagged"

# 4. only one arm has attribution: said, and no metric is attributed
for d in b1 b2; do rm -rf "$TMP/n$d"; cp -r "$TMP/$d" "$TMP/n$d"; rm "$TMP/n$d/attribution.jsonl"; done
"$RB" compare --no-plots -o "$TMP/one" "$TMP/a1,$TMP/a2" "$TMP/nb1,$TMP/nb2" >/dev/null 2>&1 || fail "compare (one arm)"
jq -e '.attribution.runs_a == 2 and .attribution.runs_b == 0 and ([.metrics[].attribution] | all(. == null))' \
	"$TMP/one/report.json" >/dev/null || fail "one arm: $(jq -c .attribution "$TMP/one/report.json")"
grep -q "no metric is attributed: an arm has no usable attribution" "$TMP/one/report.txt" &&
	! grep -q "where" "$TMP/one/report.txt" || fail "one arm: report.txt"
ok "attribution in one arm only is named and not used"

# 5. runs without attribution: the report is the one compare always wrote
for d in a1 a2 b1 b2; do mv "$TMP/$d/attribution.jsonl" "$TMP/$d.attr"; done
"$RB" compare --no-plots -o "$TMP/none" "$TMP/a1,$TMP/a2" "$TMP/b1,$TMP/b2" >/dev/null 2>&1 || fail "compare (none)"
for d in a1 a2 b1 b2; do mv "$TMP/$d.attr" "$TMP/$d/attribution.jsonl"; done
jq -e '.attribution == null and ([.metrics[] | has("attribution")] | any | not)' "$TMP/none/report.json" >/dev/null ||
	fail "none: report.json has attribution"
! grep -qE "attribution|where|inlined" "$TMP/none/report.txt" || fail "none: report.txt mentions attribution"
# and it is the report with attribution, less the attribution
jq -S 'del(.attribution, .metrics[].attribution)' "$TMP/c/report.json" >"$TMP/c.json"
jq -S 'del(.attribution)' "$TMP/none/report.json" | diff - "$TMP/c.json" >"$TMP/diff" ||
	fail "report.json differs beyond attribution: $(cat "$TMP/diff")"
awk '/^attribution: |^    where/ { skip = 1; next } skip && /^      / { next } { skip = 0 }
     /^where: / { foot = 1; next } foot && !/^(Data|Reproduce): / { next } { foot = 0; print }' \
	"$TMP/c/report.txt" | diff "$TMP/none/report.txt" - >"$TMP/diff" ||
	fail "report.txt differs beyond attribution: $(cat "$TMP/diff")"
ok "runs without attribution: report.txt and report.json as before"

# 6. timed runs: instruction counts do not attribute nanoseconds
for d in t1 t2; do CLOCK=ns runs "$TMP/$d" 81.6 105; attr "$TMP/$d" "$SYMS_A"; done
"$RB" compare --no-plots -o "$TMP/timed" "$TMP/t1" "$TMP/t2" >/dev/null 2>&1 || fail "compare (timed)"
jq -e '.attribution.runs_a == 0 and (.attribution.runs[0].flagged | test("the runs are timed"))' \
	"$TMP/timed/report.json" >/dev/null || fail "timed: $(jq -c .attribution "$TMP/timed/report.json")"
ok "a timed run's attribution is flagged"

# 7. --code-diff marks each where: symbol: try_grab_folio in the patch's
# code, rcu_core a callee of it, [user] neither; a where: line with no
# symbol in that code says so; a file not code-diff's, and timed runs, are refused
cat >"$TMP/code.json" <<'J'
{"changed": ["try_grab_folio#2"], "added": [], "removed": [], "markers": [], "callees": ["rcu_core"], "functions": {"a": 3, "b": 3}}
J
"$RB" compare --no-plots --code-diff "$TMP/code.json" -o "$TMP/cd" "$TMP/a1,$TMP/a2" "$TMP/b1,$TMP/bn" >/dev/null 2>"$TMP/err" ||
	fail "compare --code-diff: $(cat "$TMP/err")"
[ "$(where_of "$TMP/cd" ioctl)" = '    where: try_grab_folio +1.000/page [p], [user] -0.250/page~ [-], rcu_core +0.250/page~ [c]; canary 1 +1.000/page' ] ||
	fail "code-diff where: $(where_of "$TMP/cd" ioctl)"
[ "$(m "$TMP/cd" ioctl '.symbols | map(.code) | join(",")')" = '"patched,other,callee"' ] ||
	fail "report.json codes: $(m "$TMP/cd" ioctl .symbols)"
jq -e '.attribution.code_diff | .changed == 1 and .callees == 1' "$TMP/cd/report.json" >/dev/null ||
	fail "report.json code_diff: $(jq -c .attribution.code_diff "$TMP/cd/report.json")"
cmp -s <(jq -S . "$TMP/code.json") <(jq -S . "$TMP/cd/code-diff.json") && grep -q '^code: 1 functions the patch changed and 0 it added, 1 they call' "$TMP/cd/report.txt" ||
	fail "no code: header line"
echo '{"changed": [], "added": [], "removed": [], "markers": [], "callees": [], "functions": {"a": 3, "b": 3}}' >"$TMP/none.json"
"$RB" compare --no-plots --code-diff "$TMP/none.json" -o "$TMP/cd0" "$TMP/a1,$TMP/a2" "$TMP/b1,$TMP/b2" >/dev/null 2>&1 ||
	fail "compare --code-diff (nothing changed)"
[ "$(where_of "$TMP/cd0" ioctl)" = "    where: try_grab_folio +1.000/page [-]; NONE in the patch's code or what it calls; canary 1 +1.000/page" ] ||
	fail "a change outside the patch's code: $(where_of "$TMP/cd0" ioctl)"
ok "--code-diff: [p], [c] and [-] on where: lines and in report.json; a change outside the patch's code says so"
echo '{"changed": "try_grab_folio"}' >"$TMP/bad.json"
rc_of "$RB" compare --no-plots --code-diff "$TMP/bad.json" -o "$TMP/cdb" "$TMP/a1,$TMP/a2" "$TMP/b1,$TMP/b2"
expect 1 "not kernels/code-diff's output (it needs the arrays changed, added and callees, of function names)"
rc_of "$RB" compare --no-plots --code-diff "$TMP/code.json" -o "$TMP/cdt" "$TMP/t1" "$TMP/t2"
expect 1 "--code-diff marks the symbols of where: lines, which only deterministic runs with the plugin have"
[ ! -e "$TMP/cdb" ] && [ ! -e "$TMP/cdt" ] || fail "a refused compare wrote its output"
ok "--code-diff refuses a file that is not code-diff's and timed runs, writing nothing"
