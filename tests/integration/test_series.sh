#!/bin/bash
# refbench series on synthetic deterministic runs with known answers: a
# three-patch walk (one adds 1 insn/page to get, one to put, one touches
# neither) gives exactly that table; the walk's provenance is checked
# (order, one patch per step, same source); a stopped walk says where; a
# wide series wraps in 72 columns.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/compare_lib.sh"

get() { spec get "$1" 0 5 0; }
put() { spec put "$1" 0 5 0; }
mun() { spec munmap "$1" 0 5 0 '{"case":"fault","kind":"anon","params":{"size":"16M"}}'; }
# bi K: kernel K's build-info, the base + patches 1..K of the series
bi() {
	jq -nc --argjson k "$1" '{source: {path: "/usr/src/linux-source-6.1.tar.xz", sha256: "5eed"},
	  patches: [range(0; $k) as $i | {subject: (["grab: one more", "put: one more", "a comment",
	    "p4", "p5", "p6", "p7", "p8"][$i]), sha256: ("sha" + ($i | tostring))}]}'
}
# kernel K GET PUT: two boots of kernel K (munmap differs by 2.4 between them)
kernel() {
	META_JQ=".lab.kernel.build_info = $(bi "$1")" mk_run "$TMP/k$1a" icount "$(get "$2")" "$(put "$3")" "$(mun 480)"
	META_JQ=".lab.kernel.build_info = $(bi "$1")" mk_run "$TMP/k$1b" icount "$(get "$2")" "$(put "$3")" "$(mun 482.4)"
	echo "$TMP/k$1a,$TMP/k$1b"
}
K0=$(kernel 0 81.6 14.9) K1=$(kernel 1 82.6 14.9) K2=$(kernel 2 82.6 15.9) K3=$(kernel 3 82.6 15.9)

"$RB" series -o "$TMP/s" --no-plots "$K0" "$K1" "$K2" "$K3" >"$TMP/so" 2>"$TMP/se" || fail "series: $(cat "$TMP/se")"
[ "$(cat "$TMP/so")" = "$TMP/s" ] || fail "stdout is not the output dir: $(cat "$TMP/so")"
t=$TMP/s/series.txt j=$TMP/s/series.json
grep -qE '^  get +\+1 +\. +\.$' "$t" || fail "get row: $(cat "$t")"
grep -qE '^  put +\. +\+1 +\.$' "$t" || fail "put row: $(cat "$t")"
! grep -q munmap "$t" || fail "munmap (within its bound) is a row: $(cat "$t")"
grep -qF '[1] grab: one more' "$t" && grep -qF '[3] a comment' "$t" || fail "subjects: $(cat "$t")"
grep -qF '[1] 1 [2] 1 [3] 0' "$t" || fail "per patch counts: $(cat "$t")"
awk 'length > 72 { print "too long: " $0; bad = 1 } END { exit bad }' "$t" || fail "series.txt wider than 72"
jq -e '.schema == "refbench-series/1" and .rule == "exact" and .stopped == null and
	.provenance_checked and (.patches | map(.subject)) == ["grab: one more", "put: one more", "a comment"] and
	(.patches | map(.changed)) == [1, 1, 0] and (.patches[0].runs | length) == 2 and
	(.metrics | length) == 3 and ([.metrics[] | select(.in_table) | .metric] | sort) == ["get", "put"]' "$j" >/dev/null ||
	fail "series.json: $(jq -c 'del(.metrics)' "$j")"
jq -e '.metrics[] | select(.metric == "get") | .steps | map(.changed) == [true, false, false] and
	(.[0].delta - 1 | fabs) < 1e-9 and .[0].bound == 0 and .[1].delta == 0' "$j" >/dev/null ||
	fail "get steps: $(jq -c '.metrics[] | select(.metric == "get")' "$j")"
jq -e '.metrics[] | select(.metric == "munmap") | .steps | map(.changed) == [false, false, false] and
	all(.bound - 2.4 | fabs < 1e-9)' "$j" >/dev/null || fail "munmap steps: $(jq -c '.metrics[] | select(.metric == "munmap")' "$j")"
for k in 01 02 03; do [ -f "$TMP/s/steps/$k/report.txt" ] && [ -L "$TMP/s/steps/$k/runs/A1" ] || fail "steps/$k missing"; done
[ -f "$TMP/s/plots/heatmap.dat" ] && [ "$(grep -vc '^#' "$TMP/s/plots/heatmap.dat")" = 6 ] || fail "heatmap.dat"
ok "three patches: get +1 in [1], put +1 in [2], nothing in [3]; munmap within its bound"

# the walk's provenance: order, one patch per step, one source
rc_of "$RB" series -o "$TMP/x1" "$K0" "$K2" "$K1"
expect 1 "carries 2 patches, not 1"
META_JQ=".lab.kernel.build_info = $(bi 2 | jq -c '.patches[0].sha256 = "other"')" mk_run "$TMP/k2x" icount "$(get 82.6)" "$(put 15.9)" "$(mun 480)"
rc_of "$RB" series -o "$TMP/x2" "$K0" "$K1" "$TMP/k2x"
expect 1 "differs from kernel 1 in patch 1"
META_JQ=".lab.kernel.build_info = $(bi 1 | jq -c '.source.sha256 = "beef"')" mk_run "$TMP/k1x" icount "$(get 82.6)" "$(put 14.9)" "$(mun 480)"
rc_of "$RB" series -o "$TMP/x3" "$K0" "$TMP/k1x"
expect 1 "not built from the base's source"
rc_of "$RB" series -o "$TMP/s" "$K0" "$K1"
expect 2 "never overwritten"
rc_of "$RB" series -o "$TMP/x4" --stopped 3 "$K0" "$K1"
expect 2 "--stopped 2"
for x in x1 x2 x3 x4; do [ ! -e "$TMP/$x" ] && ! ls -d "$TMP/$x".tmp-* >/dev/null 2>&1 || fail "$x written"; done
ok "refused: out of order, another patch, another source, existing output, --stopped past the end"

# a walk that stopped: the table up to there, and where it stopped
"$RB" series -o "$TMP/st" --no-plots --stopped 3 --stop-reason 'patch 3/3 does not apply: "a comment"' \
	"$K0" "$K1" "$K2" >/dev/null 2>"$TMP/se" || fail "stopped series: $(cat "$TMP/se")"
grep -qE '^  put +\. +\+1$' "$TMP/st/series.txt" || fail "stopped table: $(cat "$TMP/st/series.txt")"
grep -qF 'STOPPED: the walk stopped at patch [3]: patch 3/3 does not apply' "$TMP/st/series.txt" ||
	fail "no STOPPED line: $(cat "$TMP/st/series.txt")"
jq -e '.stopped.patch == 3 and (.stopped.reason | test("does not apply")) and (.patches | length) == 2' \
	"$TMP/st/series.json" >/dev/null || fail "stopped json: $(jq -c .stopped "$TMP/st/series.json")"
ok "a stopped walk keeps the table up to there and names the patch"

# eight patches wrap into two blocks of one table
ks=("$K0" "$K1" "$K2" "$K3")
for k in 4 5 6 7 8; do ks+=("$(kernel "$k" 82.6 $((12 + k)).9)"); done
"$RB" series -o "$TMP/w" --no-plots "${ks[@]}" >/dev/null 2>"$TMP/se" || fail "wide series: $(cat "$TMP/se")"
grep -qE '^metric \[unit\] +\[1\] .* \[6\]$' "$TMP/w/series.txt" && grep -qE '^metric \[unit\] +\[7\] +\[8\]$' "$TMP/w/series.txt" ||
	fail "no wrap: $(cat "$TMP/w/series.txt")"
grep -qE '^  put +\. +\+1 +\. +\+1 +\+1 +\+1$' "$TMP/w/series.txt" || fail "wide put row: $(cat "$TMP/w/series.txt")"
awk 'length > 72 { bad = 1 } END { exit bad }' "$TMP/w/series.txt" || fail "wide series.txt wider than 72"
ok "eight patches wrap, six to a block, within 72 columns"
