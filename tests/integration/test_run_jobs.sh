#!/bin/bash
# tests/run itself, on a tree of fake lab tests that record when they ran:
# -j 2 runs two at once and reports them in the tests' order with the
# summary line; a test marked `# refbench: boots 2` runs alone; a test
# marked `# refbench: full -- WHY` is a skip naming WHY, run by --full;
# -j 1 runs one at a time; a bad -j is refused; SIGTERM stops the tests.
. "$(dirname "$0")/lib.sh"
T=$TMP/tree
mkdir -p "$T/tests/lab" "$T/build" "$TMP/t"
cp "$ROOT/tests/run" "$T/tests/run"
# fake NAME SECONDS RC [MARKER...]: a lab test that records its start and end
fake() {
	local f=$T/tests/lab/test_$1.sh m
	{
		echo '#!/bin/bash'
		for m in "${@:4}"; do echo "# refbench: $m"; done
		echo "date +%s.%N >$TMP/t/$1.start; echo 'ok 1 - $1'; sleep $2; date +%s.%N >$TMP/t/$1.end; exit $3"
	} >"$f"
	chmod +x "$f"
}
fake a 2 0
fake b 0.2 0
fake c 0.5 1 'boots 2'
fake d 0.5 0
fake e 0.1 0 'full -- test_d covers it'
fake f 1 0
export RB_TEST_BOOT_MIB=1
# overlap X Y: X and Y ran at the same time
overlap() {
	awk -v a0="$(cat "$TMP/t/$1.start")" -v a1="$(cat "$TMP/t/$1.end")" \
		-v b0="$(cat "$TMP/t/$2.start")" -v b1="$(cat "$TMP/t/$2.end")" 'BEGIN { exit !(a0 < b1 && b0 < a1) }'
}
points() { grep -E '^(not )?ok ' "$TMP/so" | sed -E 's/ \([0-9]+s.*//; s/ # SKIP.*/ SKIP/'; }
want_points='ok 1 - lab/test_a.sh
ok 2 - lab/test_b.sh
not ok 3 - lab/test_c.sh
ok 4 - lab/test_d.sh
ok 5 - lab/test_e.sh SKIP
ok 6 - lab/test_f.sh'

if [ "$(nproc)" -ge 2 ]; then
	rc_of "$T/tests/run" -j 2
	[ "$RC" = 1 ] || fail "-j 2: exit $RC (test c fails): $(cat "$TMP/so" "$TMP/se")"
	[ "$(points)" = "$want_points" ] || fail "-j 2: the points, in order: $(points)"
	tail -n 1 "$TMP/so" | grep -qx '4 passed, 1 failed, 1 skipped' || fail "-j 2 summary: $(tail -n 3 "$TMP/so")"
	grep -q '^1\.\.6$' "$TMP/so" || fail "-j 2: no plan 1..6"
	overlap a b || fail "-j 2: a and b did not run at once"
	for x in a b d f; do ! overlap c "$x" || fail "-j 2: c (boots 2) ran beside $x"; done
	[ ! -e "$TMP/t/e.start" ] || fail "the full-only test ran without --full"
	grep -qx 'ok 5 - lab/test_e.sh # SKIP make check-full runs it: test_d covers it' "$TMP/so" ||
		fail "the full-only test's skip: $(grep test_e "$TMP/so")"
	ok "-j 2: two at once, a boots-2 test alone, points in the tests' order, the summary line"
fi

rm -f "$TMP"/t/*
rc_of "$T/tests/run" -j 1 --full
[ "$(points)" = "${want_points/ SKIP/}" ] || fail "-j 1 --full: $(points)"
tail -n 1 "$TMP/so" | grep -qx '5 passed, 1 failed, 0 skipped' || fail "-j 1 --full summary: $(tail -n 3 "$TMP/so")"
for x in b c d e f; do ! overlap a "$x" || fail "-j 1: a ran beside $x"; done
ok "-j 1 --full: one at a time, the full-only test runs"

rc_of "$T/tests/run" -j x
expect 2 "-j needs a positive number or auto, not 'x'"
ok "a bad -j is refused"

fake a 60 0
rm -f "$TMP"/t/*
"$T/tests/run" -j 1 >"$TMP/so" 2>&1 &
run=$!
for _ in $(seq 100); do [ -e "$TMP/t/a.start" ] && break; sleep 0.1; done
[ -e "$TMP/t/a.start" ] || fail "test a never started"
kill -TERM "$run"
rc=0; wait "$run" || rc=$?
[ "$rc" = 130 ] || fail "SIGTERM: tests/run exited $rc"
sleep 0.5
! pgrep -f "$T/tests/lab/test_a.sh" >/dev/null || fail "SIGTERM left test a running"
ok "SIGTERM stops the running lab tests"
