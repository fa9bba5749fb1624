#!/bin/bash
# refbench mark: the one way anything outside the runner changes a run's
# meta.json (scripts/lab's failure path). It keeps the certified samples and
# their checksums, records who marked what, and a stub it writes for a run
# without meta.json passes validate as a failed run.
. "$(dirname "$0")/lib.sh"

"$RB" run --case null --kind - -p loops=10 --repeat 2 --warmup 0 -o "$TMP/run" --quiet >/dev/null
"$RB" run --case null --kind - -p loops=10 --repeat 2 --warmup 0 -o "$TMP/run2" --quiet >/dev/null
m=$TMP/run/meta.json
echo '{"status": "failed", "qemu_exit": 0}' >"$TMP/outcome.json"
echo '{"lab": "its own"}' >"$TMP/lab.json"
before=$(jq -c .integrity "$m")

# a complete run marked failed (e.g. a kernel oops after the suite ended)
rc_of "$RB" mark "$TMP/run" --status failed --reason "kernel oops in serial.log" \
	--merge-json lab_outcome="$TMP/outcome.json"
[ "$RC" = 0 ] || fail "mark: $(cat "$TMP/se")"
jq -e --argjson i "$before" '.status == "failed" and .reason == "kernel oops in serial.log" and
	.integrity == $i and .lab_outcome.qemu_exit == 0 and (.marks | length) == 1 and
	.marks[0].status == "failed" and .marks[0].previous_status == "complete" and
	(.marks[0].at | length) > 0' "$m" >/dev/null || fail "marked meta: $(jq -c '{status, reason, marks, integrity}' "$m")"
rc_of "$RB" validate "$TMP/run"
[ "$RC" = 0 ] && grep -q "valid, failed: kernel oops in serial.log" "$TMP/so" || fail "validate: $(cat "$TMP/so" "$TMP/se")"
ok "complete -> failed; checksums kept, outcome merged, validate: $(cat "$TMP/so")"

# marked again: the first reason (the cause) stays, every mark is listed
rc_of "$RB" mark "$TMP/run" --status interrupted --reason "interrupted by SIGINT"
[ "$RC" = 0 ] || fail "second mark: $(cat "$TMP/se")"
jq -e '.status == "interrupted" and .reason == "kernel oops in serial.log" and (.marks | length) == 2 and
	.marks[1].previous_status == "failed" and .marks[1].reason == "interrupted by SIGINT"' "$m" >/dev/null ||
	fail "second mark: $(jq -c '{status, reason, marks}' "$m")"
ok "a second mark keeps the first reason and lists both"

# a key the run already recorded is kept as the run wrote it
jq '.lab = {"recorded": "by refbench"}' "$m" >"$TMP/x"
mkdir "$TMP/withlab"; cp "$TMP/run/samples.jsonl" "$TMP/withlab/"; mv "$TMP/x" "$TMP/withlab/meta.json"
rc_of "$RB" mark "$TMP/withlab" --status failed --reason r --merge-json lab="$TMP/lab.json"
[ "$RC" = 0 ] || fail "withlab: $(cat "$TMP/se")"
grep -q "kept the run's own 'lab'" "$TMP/se" || fail "withlab: no note: $(cat "$TMP/se")"
jq -e '.lab.recorded == "by refbench"' "$TMP/withlab/meta.json" >/dev/null || fail "withlab: lab replaced"
ok "--merge-json never replaces what the run recorded"

# a deterministic boot's guest has no lab.json: merging it on the host fills
# kernel.profile from the kernel build it records (and adds nothing else)
echo '{"kernel": {"build_info": {"config": {"profile": "minimal"}}}}' >"$TMP/labk.json"
rc_of "$RB" mark "$TMP/run2" --merge-json lab="$TMP/labk.json"
[ "$RC" = 0 ] || fail "merge lab: $(cat "$TMP/se")"
jq -e '.kernel.profile == "minimal" and .status == "complete" and (.marks | not)' "$TMP/run2/meta.json" >/dev/null ||
	fail "merge lab: $(jq -c '{k: .kernel.profile, status, marks}' "$TMP/run2/meta.json")"
rc_of "$RB" validate "$TMP/run2"
[ "$RC" = 0 ] || fail "merge lab validate: $(cat "$TMP/so" "$TMP/se")"
ok "merging lab.json fills kernel.profile (minimal) of a run that had none"

# refbench wrote no meta.json (a guest that died before it started): a stub
# that validate accepts as failed; stray bytes in samples.jsonl are not
# certified and not read
mkdir "$TMP/stub"; echo '{"i":1}' >"$TMP/stub/samples.jsonl"
rc_of "$RB" mark "$TMP/stub" --status failed --reason "watchdog fired" --merge-json lab="$TMP/lab.json" \
	--merge-json lab_outcome="$TMP/outcome.json"
[ "$RC" = 0 ] || fail "stub: $(cat "$TMP/se")"
jq -e '.status == "failed" and .reason == "watchdog fired" and .schema == 1 and .stub and
	.integrity.records == 0 and .lab.lab == "its own" and .lab_outcome.status == "failed"' \
	"$TMP/stub/meta.json" >/dev/null || fail "stub: $(cat "$TMP/stub/meta.json")"
[ "$(cat "$TMP/stub/samples.jsonl")" = '{"i":1}' ] || fail "stub: samples.jsonl changed"
rc_of "$RB" validate "$TMP/stub"
[ "$RC" = 0 ] && grep -q "valid, failed: watchdog fired (0 records of 0 points certified" "$TMP/so" &&
	grep -q "8 bytes of samples.jsonl not certified" "$TMP/so" || fail "stub validate: $(cat "$TMP/so" "$TMP/se")"
rc_of "$RB" compare -o "$TMP/cmp" "$TMP/run2" "$TMP/stub"
[ "$RC" != 0 ] || fail "compare took a stub"
ok "stub for a run without meta.json: $(cat "$TMP/so")"

# a meta.json refbench cannot read is kept aside, never lost
mkdir "$TMP/bad"; echo '{"status":"running","schema":"stand-in"}' >"$TMP/bad/meta.json"
rc_of "$RB" mark "$TMP/bad" --status failed --reason "guest kernel panic"
[ "$RC" = 0 ] || fail "bad: $(cat "$TMP/se")"
[ "$(cat "$TMP/bad/meta.json.invalid")" = '{"status":"running","schema":"stand-in"}' ] || fail "bad: old meta.json not kept"
jq -e '.stub and (.stub | test("meta.json.invalid"))' "$TMP/bad/meta.json" >/dev/null || fail "bad: stub does not say: $(cat "$TMP/bad/meta.json")"
"$RB" validate "$TMP/bad" >/dev/null || fail "bad: stub invalid"
ok "an unreadable meta.json is kept as meta.json.invalid"

# bad input: exit 2, the fix named, the run unchanged
cp "$m" "$TMP/meta.before"
refuse() {	# refuse TEXT ARGS...
	local want=$1; shift
	rc_of "$RB" mark "$@"
	expect 2 "$want"
	cmp -s "$m" "$TMP/meta.before" || fail "'$*' changed meta.json"
	ok "mark $* -> $(head -c 120 "$TMP/se")"
}
echo 'not json' >"$TMP/notjson"
refuse "--status complete: use failed or interrupted" "$TMP/run" --status complete --reason x
refuse "--reason TEXT is required" "$TMP/run" --status failed
refuse "--merge-json lab: use KEY=FILE" "$TMP/run" --status failed --reason x --merge-json lab
refuse "--merge-json x=$TMP/nowhere: No such file" "$TMP/run" --status failed --reason x --merge-json x="$TMP/nowhere"
refuse "--merge-json x=$TMP/notjson: not JSON" "$TMP/run" --status failed --reason x --merge-json x="$TMP/notjson"
refuse "--merge-json integrity=: 'integrity' belongs to refbench" "$TMP/run" --status failed --reason x --merge-json integrity="$TMP/lab.json"
refuse "$TMP/nowhere: No such file or directory" "$TMP/nowhere" --status failed --reason x
refuse "usage: refbench mark DIR" --status failed --reason x

# a run a live refbench is writing is not marked
mkdir "$TMP/live"; cp "$TMP/meta.before" "$TMP/live/meta.json"
flock "$TMP/live" sleep 60 &
holder=$!
for i in $(seq 100); do ! flock -n "$TMP/live" true 2>/dev/null && break; sleep 0.05; done
rc_of "$RB" mark "$TMP/live" --status failed --reason x
kill "$holder"; wait "$holder" 2>/dev/null || true
expect 2 "another refbench is writing a run into $TMP/live"
cmp -s "$TMP/live/meta.json" "$TMP/meta.before" || fail "live: meta.json changed"
ok "a run being written is not marked"
