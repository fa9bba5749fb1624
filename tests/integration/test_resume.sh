#!/bin/bash
# refbench run --resume DIR: reuses the points of DIR that are complete and
# verified, runs only what is left, into a new run directory whose meta.json
# says which points came from which run. DIR is never changed.
. "$(dirname "$0")/lib.sh"
long_suite 2000
# two kinds of point at the end: gup-fast is skipped on a host without
# gup_test (then it must run again on resume, never be reused as a skip)
echo "gup-fast anon size=2M repeat=1 warmup=0" >>"$TMP/long.suite"

old=$TMP/old
"$RB" run --suite "$TMP/long.suite" -o "$old" --quiet >/dev/null 2>"$TMP/se" &
pid=$!
wait_records "$old" 12
kill -STOP "$pid"; kill -TERM "$pid"; kill -CONT "$pid"
set +e; wait "$pid"; rc=$?; set -e
[ "$rc" = 143 ] || fail "interrupting the first run: exit $rc: $(cat "$TMP/se")"
kept=$(jq '.points_done | length' "$old/meta.json")
sums=$(sha256sum "$old"/*)

rc_of "$RB" run --resume "$old" -o "$TMP/new" --quiet
[ "$RC" = 0 ] || fail "resume: exit $RC: $(cat "$TMP/se")"
n=$TMP/new/meta.json
jq -e --arg old "$(realpath "$old")" --argjson kept "$kept" '
	.status == "complete" and (.points_done | length) == 31 and
	.resumed_from.dir == $old and .resumed_from.status == "interrupted" and
	.resumed_from.points_reused == $kept and (.resumed_from.sha256 | length) == 64 and
	([.points_done[:$kept][] | .from.dir] | unique) == [$old] and
	all(.points_done[$kept:][]; .from == null)' "$n" >/dev/null ||
	fail "resumed meta: $(jq -c '{status, resumed_from, from: [.points_done[].from.dir]}' "$n")"
# the reused records are the old ones, in the same order
k=$(jq .integrity.records "$old/meta.json")
cmp -s <(head -n "$k" "$TMP/new/samples.jsonl") "$old/samples.jsonl" || fail "reused records differ from the old run's"
"$RB" validate --complete "$TMP/new" >/dev/null || fail "resumed run does not validate as complete"
[ "$sums" = "$(sha256sum "$old"/*)" ] || fail "the resumed run was changed"
rc_of "$RB" run --resume "$TMP/new" -o "$TMP/refused" --quiet
expect 2 "is complete: nothing to resume"
[ ! -e "$TMP/refused" ] || fail "resume of a complete run wrote $TMP/refused"
ok "resumed: $kept of 31 points reused from the interrupted run, the rest run, complete"

# a skipped point is run again, not reused
if jq -e '.points_done[] | select(.case == "gup-fast") | .outcome == "skipped"' "$TMP/new/meta.json" >/dev/null; then
	"$RB" mark "$TMP/new" --status interrupted --reason "test: resume again" >/dev/null
	rc_of "$RB" run --resume "$TMP/new" -o "$TMP/again" --quiet
	[ "$RC" = 0 ] || fail "second resume: $(cat "$TMP/se")"
	jq -e --arg old "$(realpath "$old")" --arg new "$(realpath "$TMP/new")" --argjson kept "$kept" '
		(.points_done[:$kept] | all(.from.dir == $old)) and
		(.points_done[$kept:30] | all(.from.dir == $new)) and .points_done[30].from == null and
		.points_done[30].outcome == "skipped"' "$TMP/again/meta.json" >/dev/null ||
		fail "second resume: $(jq -c '[.points_done[] | [.outcome, .from.dir]]' "$TMP/again/meta.json")"
	ok "a resumed run resumes again; points keep the run they were measured in; a skip runs again"
fi

# refused, with nothing written
refuse() {	# refuse TEXT ARGS...
	local want=$1; shift
	rc_of "$RB" run -o "$TMP/refused" --quiet "$@"
	[ "$RC" != 0 ] || fail "exit 0 for: $*"
	expect "$RC" "$want"
	[ ! -e "$TMP/refused" ] || fail "'$*' wrote $TMP/refused"
	ok "resume refused: $(head -c 150 "$TMP/se")"
}
cp -a "$old" "$TMP/half"; head -n 3 "$old/samples.jsonl" >"$TMP/half/samples.jsonl"
refuse "samples.jsonl is truncated" --resume "$TMP/half"
echo "null - loops=5 repeat=3 warmup=0" >"$TMP/other.suite"
refuse "the suite differs from the resumed run's" --resume "$old" --suite "$TMP/other.suite"
cp -a "$old" "$TMP/elsewhere"; jq '.host.cpu_model = "another CPU"' "$old/meta.json" >"$TMP/elsewhere/meta.json"
refuse "host.cpu_model: 'another CPU' in the resumed run" --resume "$TMP/elsewhere"
refuse "--resume $TMP/nowhere" --resume "$TMP/nowhere"
refuse "the suite differs from the resumed run's" --resume "$old" --repeat 9
rc_of "$RB" run --resume "$old" -o "$TMP/new" --quiet
expect 2 "never overwritten"
ok "resume into an existing run refused"

# a run killed with SIGKILL never closed: its certified points are reused
"$RB" run --suite "$TMP/long.suite" -o "$TMP/killed" --quiet >/dev/null 2>&1 &
pid=$!
wait_records "$TMP/killed" 6
kill -KILL "$pid"; wait "$pid" 2>/dev/null || true
rc_of "$RB" run --resume "$TMP/killed" -o "$TMP/fromkilled" --quiet
[ "$RC" = 0 ] || fail "resume of a killed run: $(cat "$TMP/se")"
jq -e '.resumed_from.status == "running" and .resumed_from.points_reused > 0 and .status == "complete"' \
	"$TMP/fromkilled/meta.json" >/dev/null || fail "killed: $(jq -c .resumed_from "$TMP/fromkilled/meta.json")"
ok "a killed run's certified points are reused ($(jq '.resumed_from.points_reused' "$TMP/fromkilled/meta.json"))"
