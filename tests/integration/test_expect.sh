#!/bin/bash
# refbench expect, what the lab's ETA scales by: the host seconds at
# which the lab saw each point end, else each point's elapsed_ns, from the
# newest complete run of the same suite text, as running sums in ms. Runs that cannot say are passed over, newest first: another suite,
# another clock, one still running, one from before elapsed_ns; with none
# left it exits 1 and says so.
. "$(dirname "$0")/lib.sh"

R=$TMP/results
printf 'null - loops=1000 repeat=2 warmup=0\nnull - loops=4000 repeat=2 warmup=0\n' >"$TMP/s.suite"
run() { "$RB" run --suite "$1" --clock ns -o "$R/$2" >/dev/null 2>"$TMP/run.err" || fail "run $2: $(cat "$TMP/run.err")"; }
run "$TMP/s.suite" 20261208-000001-run-a
jq -e '[.points_done[].elapsed_ns | numbers | select(. > 0)] | length == 2' "$R/20261208-000001-run-a/meta.json" >/dev/null ||
	fail "points_done without elapsed_ns: $(jq -c '.points_done' "$R/20261208-000001-run-a/meta.json")"
"$RB" validate --complete "$R/20261208-000001-run-a" >/dev/null || fail "a run with elapsed_ns does not validate"
rc_of "$RB" expect --suite "$TMP/s.suite" --results "$R"
[ "$RC" = 0 ] || fail "expect: exit $RC: $(cat "$TMP/se")"
want=$(jq -r '.points_done | .[0].elapsed_ns as $a | .[1].elapsed_ns as $b |
	"\(($a / 1e6) | floor)\n\((($a + $b) / 1e6) | floor)"' "$R/20261208-000001-run-a/meta.json")
[ "$(cat "$TMP/so")" = "$want" ] || fail "expect printed '$(tr '\n' ' ' <"$TMP/so")', not '$(echo $want)'"
grep -qF "2 points" "$TMP/se" && grep -qF "20261208-000001-run-a" "$TMP/se" || fail "no word of the run used: $(cat "$TMP/se")"
ok "each point's elapsed_ns in meta.json; expect prints their running sums in ms and names the run"

# the lab's own view of the same run wins: the host seconds it saw each
# point end (scripts/lab's outcome.seconds, merged by refbench mark)
cp -r "$R/20261208-000001-run-a" "$TMP/host-run"
jq '.lab.outcome.seconds = {command_start: 10.2, points: [10.7, 13.4]}' "$TMP/host-run/meta.json" >"$TMP/m" &&
	mv "$TMP/m" "$TMP/host-run/meta.json"
mkdir -p "$TMP/hres" && mv "$TMP/host-run" "$TMP/hres/20261208-000009-lab-h"
rc_of "$RB" expect --suite "$TMP/s.suite" --results "$TMP/hres"
[ "$RC" = 0 ] && [ "$(tr '\n' ' ' <"$TMP/so")" = "500 3200 " ] && grep -qF "host seconds" "$TMP/se" ||
	fail "the lab's seconds: exit $RC, '$(tr '\n' ' ' <"$TMP/so")', $(cat "$TMP/se")"
jq '.lab.outcome.seconds.points = [10.7]' "$TMP/hres/20261208-000009-lab-h/meta.json" >"$TMP/m" &&
	mv "$TMP/m" "$TMP/hres/20261208-000009-lab-h/meta.json"
rc_of "$RB" expect --suite "$TMP/s.suite" --results "$TMP/hres"
[ "$RC" = 0 ] && [ "$(cat "$TMP/so")" = "$want" ] && grep -qF "its own clock" "$TMP/se" ||
	fail "the lab missed a point: exit $RC, '$(tr '\n' ' ' <"$TMP/so")', $(cat "$TMP/se")"
ok "the lab's host seconds of each point when it saw them all, else the run's own clock"

# newer runs that cannot say: another suite, another clock, still running,
# no elapsed_ns (a run from before it), a directory that is no run id
cp "$TMP/s.suite" "$TMP/t.suite" && echo 'null - loops=10 repeat=1 warmup=0' >>"$TMP/t.suite"
run "$TMP/t.suite" 20261208-000002-run-b
"$RB" run --suite "$TMP/s.suite" --clock icount -o "$R/20261208-000003-run-c" >/dev/null 2>&1 || true
cp -r "$R/20261208-000001-run-a" "$R/20261208-000004-run-d"
jq '.status = "running"' "$R/20261208-000004-run-d/meta.json" >"$TMP/m" && mv "$TMP/m" "$R/20261208-000004-run-d/meta.json"
cp -r "$R/20261208-000001-run-a" "$R/20261208-000005-run-e"
jq 'del(.points_done[1].elapsed_ns)' "$R/20261208-000005-run-e/meta.json" >"$TMP/m" && mv "$TMP/m" "$R/20261208-000005-run-e/meta.json"
mkdir -p "$R/zz-not-a-run" && cp "$R/20261208-000001-run-a/meta.json" "$R/zz-not-a-run/"
rc_of "$RB" expect --suite "$TMP/s.suite" --results "$R" --clock ns
[ "$RC" = 0 ] && [ "$(cat "$TMP/so")" = "$want" ] && grep -qF "20261208-000001-run-a" "$TMP/se" ||
	fail "expect past runs that cannot say: exit $RC, '$(tr '\n' ' ' <"$TMP/so")', $(cat "$TMP/se")"
ok "another suite, another clock, a running run, one without elapsed_ns: passed over for the newest that can say"

rc_of "$RB" expect --suite "$TMP/s.suite" --results "$R" --clock icount
[ "$RC" = 1 ] && [ ! -s "$TMP/so" ] || fail "--clock icount: exit $RC, printed '$(cat "$TMP/so")'"
grep -qF "no complete run of suite" "$TMP/se" || fail "no word why: $(cat "$TMP/se")"
rc_of "$RB" expect --suite "$TMP/s.suite" --results "$TMP/nowhere"
expect 1 "no complete run of suite"
rc_of "$RB" expect --results "$R"
expect 2 "usage: refbench expect"
rc_of "$RB" expect --suite "$TMP/missing.suite"
expect 2 "missing.suite"
rc_of "$RB" expect --suite "$TMP/s.suite" --clock wall
expect 2 "use ns or icount"
ok "no run that can say, no results, no suite, a missing suite, a wrong clock: exit 1 or 2 with the reason"
