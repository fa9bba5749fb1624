#!/bin/bash
# A killed QEMU and an interrupted lab. Exit 0 pass, 1 fail, 77 skip.
#  1. QEMU is killed with SIGKILL while refbench runs in the guest: the run
#     is kept, marked failed with a reason naming the signal (not the
#     watchdog), the samples refbench certified verify, the pmem backing
#     file is gone, scripts/lab exits 1.
#  2. scripts/lab gets SIGTERM mid-run: QEMU is stopped, the run is marked
#     interrupted (validate says so), the backing file is gone, exit 143.
#   RB_LAB_KERNEL=DIR|bzImage   boot this kernel instead of kernels/build's
#   RB_KEEP_TEST_RUNS=1         keep the run directories
. "$(dirname "$0")/lib.sh"
T0=$(date +%s)

lab_needs qemu-system-x86_64 jq
lab_built
lab_kernel
lab_tmp lab-kill
LAB=''
at_exit '[ -z "$LAB" ] || kill "$LAB" 2>/dev/null'

# refbench in the guest: 30 points of an empty window, long enough to stop
cmd='"$RB_REPO/bench/refbench" run --case null --kind - -p loops=$(seq -s, 20000 20029) \
	--repeat 3 --warmup 0 -o "$RB_RUN" --quiet'

# start NAME: scripts/lab in the background until the guest's refbench has
# committed a point; LAB (its pid), STAGE (its staging dir)
start() {
	"$REPO/scripts/lab" --kernel "$KERNEL" --accel tcg --pmem-size 2G --devdax1g-size 0 \
		--timeout 600 -o "$TMP/$1" --guest-cmd "$cmd" >"$TMP/$1.stdout" 2>"$TMP/$1.stderr" &
	LAB=$!
	local i
	for i in $(seq 1200); do
		STAGE=$(ls -d "$TMP"/.staging-"$1".* 2>/dev/null | head -n 1)
		[ -n "$STAGE" ] && [ "$(jq -r '.integrity.records // 0' "$STAGE/run/meta.json" 2>/dev/null || echo 0)" -gt 0 ] && return 0
		kill -0 "$LAB" 2>/dev/null || { tail -n 20 "$TMP/$1.stderr"; fail "$1: scripts/lab ended before the guest committed a point"; }
		sleep 0.5
	done
	fail "$1: no point committed in the guest within 600 s"
}
# finish NAME: wait for scripts/lab; RC, RUN
finish() {
	RC=0; wait "$LAB" || RC=$?
	LAB=''
	RUN=$(tail -n 1 "$TMP/$1.stdout")
	[ "$RUN" = "$TMP/$1" ] || { tail -n 20 "$TMP/$1.stderr"; fail "$1: last stdout line '$RUN' (exit $RC)"; }
	local backing
	backing=$(jq -r '.pmem.backing.path' "$RUN/lab.json")
	[ -n "$backing" ] && [ ! -e "$backing" ] || fail "$1: the pmem backing file $backing is left"
	ok "$1: the pmem backing file is removed"
}

# ---- 1. QEMU killed with SIGKILL
start killed
tpid=$(pgrep -P "$LAB" -x timeout) || fail "killed: no timeout(1) under scripts/lab"
qpid=$(pgrep -P "$tpid") || fail "killed: no QEMU under timeout(1)"
kill -KILL "$qpid"
finish killed
[ "$RC" = 1 ] || fail "killed: scripts/lab exited $RC"
jq -e '.status == "failed" and (.reason | test("QEMU was killed by SIGKILL")) and
	.lab_outcome.watchdog_fired == false and .marks[-1].previous_status == "running"' \
	"$RUN/run/meta.json" >/dev/null || fail "killed: $(jq -c '{status, reason, marks}' "$RUN/run/meta.json")"
"$RB" validate "$RUN/run" >"$TMP/v" 2>&1 || fail "killed: validate: $(cat "$TMP/v")"
grep -q "valid, failed: QEMU was killed by SIGKILL" "$TMP/v" || fail "killed: validate says: $(cat "$TMP/v")"
ok "killed QEMU: exit 1, $(cat "$TMP/v")"

# ---- 2. scripts/lab interrupted
start term
kill -TERM "$LAB"
finish term
[ "$RC" = 143 ] || fail "term: scripts/lab exited $RC"
jq -e '.status == "interrupted" and (.reason | test("interrupted by SIGTERM"))' "$RUN/run/meta.json" >/dev/null ||
	fail "term: $(jq -c '{status, reason}' "$RUN/run/meta.json")"
jq -e '.outcome.status == "interrupted"' "$RUN/lab.json" >/dev/null || fail "term: lab.json outcome"
"$RB" validate "$RUN/run" >"$TMP/v" 2>&1 || fail "term: validate: $(cat "$TMP/v")"
grep -q "valid, interrupted: interrupted by SIGTERM" "$TMP/v" || fail "term: validate says: $(cat "$TMP/v")"
ok "SIGTERM to scripts/lab: exit 143, $(cat "$TMP/v")"
echo "# lab kill ($(($(date +%s) - T0)) s)"
