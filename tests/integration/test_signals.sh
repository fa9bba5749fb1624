#!/bin/bash
# SIGINT, SIGTERM and SIGHUP close a run as "interrupted" (exit 130, 143,
# 129), keeping every point committed so far; a second signal exits at
# once; a run killed with SIGKILL never closes and validate says so.
. "$(dirname "$0")/lib.sh"
long_suite

# start NAME: a long run in the background; PID, DIR
start() {
	DIR=$TMP/$1
	"$RB" run --suite "$TMP/long.suite" -o "$DIR" --quiet >"$TMP/$1.so" 2>"$TMP/$1.se" &
	PID=$!
	wait_records "$DIR" 1
}
# stopped PID: until the kernel has stopped it (state T)
stopped() {
	local i
	for i in $(seq 100); do [ "$(awk '{ print $3 }' "/proc/$1/stat")" = T ] && return 0; sleep 0.02; done
	fail "$1 did not stop"
}
# finish NAME: wait for it; RC
finish() { set +e; wait "$PID"; RC=$?; set -e; cp "$TMP/$1.se" "$TMP/se"; }

for sig in INT:130 TERM:143 HUP:129; do
	name=${sig%%:*} code=${sig#*:}
	start "$name"
	# stopped, it cannot finish before the signal: the test does not race
	kill -STOP "$PID"; stopped "$PID"
	jq -e '.status == "running"' "$DIR/meta.json" >/dev/null || fail "$name: the run ended before the signal"
	kill -"$name" "$PID"; kill -CONT "$PID"
	finish "$name"
	expect "$code" "SIG$name: closing the run as interrupted"
	jq -e --arg s "SIG$name" '.status == "interrupted" and (.reason | test("interrupted by " + $s)) and
		.integrity.records > 0 and .integrity.records < 135 and
		([.points_done[].records] | add) == .integrity.records and
		all(.points_done[]; .records == 9)' "$DIR/meta.json" >/dev/null ||
		fail "$name: $(jq -c '{status, reason, integrity}' "$DIR/meta.json")"
	[ "$(wc -l <"$DIR/samples.jsonl")" = "$(jq .integrity.records "$DIR/meta.json")" ] ||
		fail "$name: samples.jsonl does not hold the certified records"
	rc_of "$RB" validate "$DIR"
	[ "$RC" = 0 ] && grep -q "valid, interrupted: interrupted by SIG$name" "$TMP/so" ||
		fail "$name: validate: $(cat "$TMP/so" "$TMP/se")"
	rc_of "$RB" validate --complete "$DIR"
	expect 1 "not complete"
	rc_of "$RB" compare -o "$TMP/cmp-$name" "$DIR" "$DIR"
	expect 1 "interrupted"
	ok "SIG$name -> exit $code, interrupted, $(jq .integrity.records "$DIR/meta.json") records kept and valid"
done

# two signals: the second exits at once, without closing the run. Both are
# pending when it resumes; the lower-numbered (INT) is delivered first.
start twice
kill -STOP "$PID"; stopped "$PID"; kill -TERM "$PID"; kill -INT "$PID"; kill -CONT "$PID"
finish twice
second=$(sed -n 's/^refbench: second signal (SIG\([A-Z]*\)): exiting at once$/\1/p' "$TMP/se")
case $second:$RC in INT:130|TERM:143) code=$RC ;; *) fail "twice: exit $RC: $(cat "$TMP/se")" ;; esac
jq -e '.status == "running" and .integrity.records > 0' "$DIR/meta.json" >/dev/null ||
	fail "twice: $(jq -c '{status, integrity}' "$DIR/meta.json")"
rc_of "$RB" validate "$DIR"
expect 1 "never closed"
ls "$DIR" | grep -q tmp- && fail "twice: a temporary file was left: $(ls "$DIR")"
ok "a second signal (SIG$second) exits at once ($code); validate: $(head -c 150 "$TMP/se")"

# SIGKILL: no close record; the certified points are still verified
start killed
kill -KILL "$PID"
finish killed
[ "$RC" = 137 ] || fail "killed: exit $RC"
rc_of "$RB" validate "$DIR"
expect 1 "incomplete: $DIR: never closed (status 'running', no close record)"
grep -qE "[0-9]+ records of [0-9]+ points certified" "$TMP/se" || fail "killed: validate does not say what is kept: $(cat "$TMP/se")"
ok "SIGKILL -> validate: $(head -c 200 "$TMP/se")"
