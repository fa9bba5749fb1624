#!/bin/bash
# Two runs on the same -o: one wins, the other is refused by the run lock
# (flock on the run directory), not by luck.
. "$(dirname "$0")/lib.sh"

# the lock itself: a directory another process holds locked is refused,
# and nothing is written into it
mkdir "$TMP/held"
flock "$TMP/held" sleep 60 &
holder=$!
for i in $(seq 100); do ! flock -n "$TMP/held" true 2>/dev/null && break; sleep 0.05; done
rc_of "$RB" run --case null --kind - -p loops=10 --repeat 1 -o "$TMP/held" --quiet
kill "$holder"; wait "$holder" 2>/dev/null || true
expect 2 "another refbench is writing a run into $TMP/held"
[ -z "$(ls -A "$TMP/held")" ] || fail "files written into a locked directory: $(ls -A "$TMP/held")"
ok "a locked run directory is refused: $(cat "$TMP/se")"

# two at once: exactly one completes, the other exits 1 naming why
for i in 1 2; do
	"$RB" run --case null --kind - -p loops=1000,1001,1002 --repeat 3 -o "$TMP/both" --quiet >"$TMP/so$i" 2>"$TMP/se$i" &
	eval "pid$i=\$!"
done
set +e; wait "$pid1"; rc1=$?; wait "$pid2"; rc2=$?; set -e
[ "$((rc1 + rc2))" = 2 ] && [ "$((rc1 * rc2))" = 0 ] || fail "exits $rc1 and $rc2: $(cat "$TMP/se1" "$TMP/se2")"
loser=1; [ "$rc1" = 0 ] && loser=2
grep -qE "another refbench is writing a run into|already holds a run" "$TMP/se$loser" ||
	fail "the refused run does not say why: $(cat "$TMP/se$loser")"
"$RB" validate --complete "$TMP/both" >/dev/null || fail "the winner's run is not complete and valid"
ok "two runs on one -o: one complete, the other refused: $(head -c 120 "$TMP/se$loser")"
