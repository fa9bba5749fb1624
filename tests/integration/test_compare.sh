#!/bin/bash
# refbench compare on runs with known answers, and its bad-input table.
. "$(dirname "$0")/lib.sh"

# One real run supplies a genuine meta.json; samples are then synthesised:
# metric "get" is +40% in B (the canary), "put" is unchanged, both with
# 0.05% noise, 2 boots x 10 samples per arm, as in deterministic mode.
"$RB" run --case null --kind - -p loops=10 --repeat 1 --warmup 0 -o "$TMP/seed" --quiet >/dev/null
mk_run() {	# mk_run DIR GET_SCALE BOOT_SEED
	mkdir -p "$1"
	cp "$TMP/seed/meta.json" "$1/meta.json"
	jq -nc --argjson scale "$2" --argjson seed "$3" '
	  def noise(i): ((i * 7919 + $seed * 104729) % 101 - 50) / 100000;
	  range(0; 10) as $i |
	  ({metric: "get", base: 118}, {metric: "put", base: 131}) as $m |
	  {schema: 1, type: "sample", case: "gup-fast", kind: "thp", params: {cmd: "pin"},
	   iter: $i, metric: $m.metric, unit: "insn/page",
	   value: ($m.base * (if $m.metric == "get" then $scale else 1 end) * (1 + noise($i))),
	   ops: 1000, clock: "icount", counters: {source: "sw", values: {}},
	   verify: {ok: true, checks: [{what: "faults", method: "synthetic", ok: true}]}}' >"$1/samples.jsonl"
	certify "$1"
}
mk_run "$TMP/a1" 1 1; mk_run "$TMP/a2" 1 2; mk_run "$TMP/b1" 1.4 3; mk_run "$TMP/b2" 1.4 4
mk_run "$TMP/c1" 1 5; mk_run "$TMP/c2" 1 6

"$RB" compare -o "$TMP/canary" --command "test" "$TMP/a1,$TMP/a2" "$TMP/b1,$TMP/b2" >/dev/null 2>"$TMP/err" ||
	fail "compare failed: $(cat "$TMP/err")"
j=$TMP/canary/report.json
jq -e '.metrics[] | select(.metric == "get") | .verdict == "slower" and .ratio > 1.39 and .ratio < 1.41' "$j" >/dev/null ||
	fail "canary metric not judged slower: $(jq -c '.metrics[]' "$j")"
jq -e '.metrics[] | select(.metric == "put") | .verdict == "equivalent"' "$j" >/dev/null ||
	fail "unchanged metric not equivalent: $(jq -c '.metrics[]' "$j")"
grep -q "SLOWER" "$TMP/canary/report.txt" || fail "report.txt lacks SLOWER"
awk 'length > 72 { bad = 1; print "too long: " $0 } END { exit bad }' "$TMP/canary/report.txt" ||
	fail "report.txt wider than 72 columns"
grep -q "^Reproduce: test" "$TMP/canary/report.txt" || fail "no reproduce footer"
for f in forest.png forest.svg dist.png dist.svg; do
	[ -s "$TMP/canary/plots/$f" ] || fail "plot $f missing"
done
[ -L "$TMP/canary/runs/A1" ] && [ -L "$TMP/canary/runs/B2" ] || fail "run links missing"
echo "ok: canary slower, unchanged equivalent, report and plots written"

# A/A: nothing faster or slower
"$RB" compare -o "$TMP/aa" "$TMP/a1,$TMP/a2" "$TMP/c1,$TMP/c2" >/dev/null 2>&1 || fail "A/A compare failed"
jq -e 'all(.metrics[]; .verdict == "equivalent" or .verdict == "inconclusive")' "$TMP/aa/report.json" >/dev/null ||
	fail "A/A judged a difference: $(jq -c '[.metrics[] | .verdict]' "$TMP/aa/report.json")"
echo "ok: A/A equivalent or inconclusive"

# Bad input: exit != 0, a message naming the problem, nothing written.
refuse() {	# refuse "expected text" args...
	local want=$1; shift
	local out=$TMP/out-$RANDOM
	set +e; "$RB" compare -o "$out" "$@" >/dev/null 2>"$TMP/err"; local rc=$?; set -e
	[ $rc -ne 0 ] || fail "exit 0 for: $*"
	grep -qF -- "$want" "$TMP/err" || fail "for '$*': stderr lacks '$want': $(cat "$TMP/err")"
	[ ! -e "$out" ] && ! ls -d "$out".tmp-* >/dev/null 2>&1 || fail "for '$*': output written"
	echo "ok: refused ($want)"
}
mk_run "$TMP/mis" 1 7
jq '.suite.sha256 = "0000"' "$TMP/mis/meta.json" >"$TMP/x" && mv "$TMP/x" "$TMP/mis/meta.json"
refuse "suite.sha256" "$TMP/a1,$TMP/a2" "$TMP/mis"
mk_run "$TMP/inc" 1 8
jq '.status = "running"' "$TMP/inc/meta.json" >"$TMP/x" && mv "$TMP/x" "$TMP/inc/meta.json"
refuse "not complete" "$TMP/a1" "$TMP/inc"
mk_run "$TMP/failed" 1 9
jq '.status = "failed" | .reason = "watchdog fired"' "$TMP/failed/meta.json" >"$TMP/x" && mv "$TMP/x" "$TMP/failed/meta.json"
refuse "watchdog fired" "$TMP/a1" "$TMP/failed"
mk_run "$TMP/empty" 1 10
: >"$TMP/empty/samples.jsonl"; certify "$TMP/empty"
refuse "empty run" "$TMP/a1" "$TMP/empty"
refuse "meta.json missing" "$TMP/a1" "$TMP/nonexistent"
refuse "--margin 0" --margin 0 "$TMP/a1" "$TMP/c1"
refuse "--margin -0.02" --margin -0.02 "$TMP/a1" "$TMP/c1"
refuse "--margin 1" --margin 1 "$TMP/a1" "$TMP/c1"
set +e; "$RB" compare -o "$TMP/canary" "$TMP/a1" "$TMP/c1" 2>"$TMP/err"; rc=$?; set -e
[ $rc -ne 0 ] && grep -q "never overwritten" "$TMP/err" || fail "existing output not refused"
echo "ok: existing output refused"

# --force compares across a mismatch and prints it in the report
"$RB" compare --force -o "$TMP/forced" "$TMP/a1,$TMP/a2" "$TMP/mis" >/dev/null 2>&1 || fail "--force failed"
grep -q "WARNING: provenance differs" "$TMP/forced/report.txt" || fail "--force report lacks the mismatch"
echo "ok: --force reports the mismatch"
