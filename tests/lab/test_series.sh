#!/bin/bash
# make series end to end on Debian's linux-source-6.1, in deterministic
# mode with the plugin, on a three-patch validation series: canary 1 (one
# instruction in the FOLL_GET grab), canary 3 (one in the unpin) and
# kernels/patches/off-path (one in fixup_user_fault(), which no window
# crosses). The table must be exactly that: each patch's column moves the
# metrics its canary crosses by the count the plugin saw (1 per page), and
# nothing else beyond its A/A bound; the third column is empty. Then a
# walk whose second patch does not apply stops there, names it, keeps the
# table up to there and exits non-zero. Suite series-smoke (one line), so
# the five boots take about a minute each, two at a time; the kernels are
# ccache rebuilds of mm/gup.c. Exit 0 pass, 1 fail, 77 skip.
#   RB_KEEP_TEST_RUNS=1   keep the walks' files
# refbench: boots 2
. "$(dirname "$0")/lib.sh"
lab_needs qemu-system-x86_64 jq objdump
lab_built --plugin
lab_tmp series
ROOT=$REPO
C=$ROOT/kernels/patches/canary/6.1
mkdir "$TMP/series" "$TMP/broken"
cp "$C"/0001-*.patch "$C"/0003-*.patch "$ROOT"/kernels/patches/off-path/6.1/0001-*.patch "$TMP/series/"
mv "$TMP/series/0001-refbench-canary-7-off-the-measured-paths.patch" "$TMP/series/0007-off-path.patch"
canary=(1 3 7)	# the canary each patch adds, in walk order
# the lab as the bounds were measured (configs/bounds/series-smoke-6.1.bounds)
LAB_ARGS=''

"$ROOT/scripts/series" --series "$TMP/series" --suite series-smoke --attribute --lab-args "$LAB_ARGS" -o "$TMP/walk" \
	>"$TMP/walk.out" 2>"$TMP/walk.err" || { tail -n 30 "$TMP/walk.err"; fail "make series failed"; }
j=$TMP/walk/series.json
sed "s|^|# |" "$TMP/walk/series.txt"
awk 'length > 72 { bad = 1; print "too long: " $0 } END { exit bad }' "$TMP/walk/series.txt" || fail "series.txt wider than 72 columns"
jq -e '.schema == "refbench-series/1" and .rule == "exact" and .provenance_checked and .stopped == null and
	(.bounds | test("series-smoke-6.1.bounds$")) and (.patches | length) == 3 and all(.patches[]; .attributed)' "$j" >/dev/null ||
	fail "series.json: $(jq -c 'del(.metrics)' "$j")"
ok "three kernels walked: $(jq -r '[.patches[] | "[\(.patch)] \(.subject)"] | join("; ")' "$j")"

# every cell is what the plugin counted for that step's canary, on the
# functions the metric crosses (get: the grab's canaries 1 and 2, put: the
# unpin's, 3; a whole window, ioctl: any): B-A within its bound of that
# count per op, changed exactly where the count is beyond the bound
# (primary metrics: configs/suites/series-smoke.suite says why ioctl is not)
bad=$(jq -c --argjson can "$(printf '%s\n' "${canary[@]}" | jq -s 'map(tostring)')" '
	.metrics[] | select(.family == "primary") | . as $m | .steps[] | select(.measured) | $can[.patch - 1] as $k |
	(if ($m.metric == "get" and ($k == "1" or $k == "2")) or ($m.metric == "put" and $k == "3") or
	    ($m.metric != "get" and $m.metric != "put")
	 then .attribution.canaries[$k] // 0 else 0 end) as $c |
	select((.delta - $c | fabs) > .bound + 1e-6 or .changed != (($c | fabs) > .bound)) |
	{label: $m.label, metric: $m.metric, patch, delta, canary: $c, bound, changed}' "$j")
[ -z "$bad" ] || fail "cells that are not their canary's count: $bad"
# and that is the table: the grab patch moves gup get, the unpin patch pin put, the third nothing
changed() { jq -r --argjson p "$1" '[.metrics[] | select(.family == "primary" and .steps[$p - 1].changed) | "\(.params.cmd) \(.metric)"] | sort | join(", ")' "$j"; }
jq -r '.metrics[] | select(.family != "primary") | . as $m | .steps[] | select(.changed) |
	"# note: secondary \($m.label) \($m.metric) moved in step \(.patch): \(.delta) (bound \(.bound)): \([.attribution.symbols[]?.name][0:3] | join(", "))"' "$j"
[[ "$(changed 1)" == *"gup get"* ]] && [[ "$(changed 1)" != *"pin"* ]] || fail "patch 1 (the grab) changed: $(changed 1)"
[[ "$(changed 2)" == *"pin put"* ]] && [[ "$(changed 2)" != *"gup"* ]] || fail "patch 2 (the unpin) changed: $(changed 2)"
[ -z "$(changed 3)" ] || fail "patch 3 (off the paths) changed: $(changed 3)"
jq -e '[.metrics[] | .steps[2].attribution.canaries["7"] // 0] | all(. == 0)' "$j" >/dev/null ||
	fail "canary 7 ran in a window"
grep -qE '^  get +\+[0-9.]+ +\. +\.$' "$TMP/walk/series.txt" && grep -qE '^  put +\. +\+[0-9.]+ +\.$' "$TMP/walk/series.txt" ||
	fail "the table's get and put rows are not +x . . and . +x ."
grep -qF 'canary 1 +1.000/page' "$TMP/walk/series.txt" || fail "no attribution of patch 1 to canary 1"
for k in 01 02 03; do [ -f "$TMP/walk/steps/$k/report.txt" ] || fail "steps/$k/report.txt missing"; done
[ -f "$TMP/walk/plots/heatmap.png" ] && [ -f "$TMP/walk/plots/heatmap.svg" ] || fail "no heat map"
ok "[1] gup get and ioctl +1/page (canary 1), [2] pin put and ioctl +1/page (canary 3), [3] nothing; heat map drawn"

# canary 7 is compiled in, in the function named, and ran in no window
k3=$(jq -r '.lab.kernel.dir' "$(jq -r '.patches[2].runs[0]' "$j")/run/meta.json")
k0=$(jq -r '.lab.kernel.dir' "$(jq -r '.base.runs[0]' "$j")/run/meta.json")
"$ROOT/kernels/canary-check" "$k0" "$k3" >"$TMP/check.json" || true
jq -e '.canaries["7"].functions | has("fixup_user_fault")' "$TMP/check.json" >/dev/null ||
	fail "canary-check does not find canary 7 in fixup_user_fault: $(jq -c .canaries "$TMP/check.json")"
ok "canary 7 is in fixup_user_fault() and off every measured path"

# a patch that does not apply (canary 1 again, after canary 1) stops the walk
cp "$C"/0001-*.patch "$TMP/broken/0001-grab.patch"
cp "$C"/0001-*.patch "$TMP/broken/0002-grab-again.patch"
set +e
"$ROOT/scripts/series" --series "$TMP/broken" --suite series-smoke --lab-args "$LAB_ARGS" -o "$TMP/stop" >"$TMP/stop.out" 2>"$TMP/stop.err"
rc=$?
set -e
[ "$rc" != 0 ] || fail "a walk that stopped exited 0"
grep -qF "the walk stopped at patch 2: patch 2 does not apply" "$TMP/stop.err" || fail "no reason on stderr: $(tail -n 5 "$TMP/stop.err")"
grep -qF 'STOPPED: the walk stopped at patch [2]' "$TMP/stop/series.txt" || fail "series.txt does not say where it stopped"
grep -qE '^  get +\+[0-9.]+$' "$TMP/stop/series.txt" || fail "the table up to the stop lacks patch 1's get: $(cat "$TMP/stop/series.txt")"
jq -e '.stopped.patch == 2 and (.stopped.reason | test("grab-again|FOLL_GET")) and (.patches | length) == 1' \
	"$TMP/stop/series.json" >/dev/null || fail "series.json: $(jq -c '.stopped, (.patches | length)' "$TMP/stop/series.json")"
ok "a patch that does not apply stops the walk, named, with the table up to it (exit $rc)"
