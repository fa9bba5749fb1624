#!/bin/bash
# Lab fault handling. Exit 0 pass, 1 fail, 77 skip.
#  1. panic: the guest panics (sysrq-c) after the run wrote samples -> run kept,
#     marked failed (reason names the panic), samples intact, serial.log kept,
#     scripts/lab exits non-zero.
#  2. hang: the guest command sleeps forever; a short watchdog cuts the boot ->
#     marked failed with "watchdog" in the reason. This boot also uses a CPU
#     without pdpe1gb (-cpu max,pdpe1gb=off): the 1G devdax must be recorded as
#     "unsupported: guest CPU lacks pdpe1gb", never silently absent.
#   RB_LAB_KERNEL=DIR|bzImage   boot this kernel instead of kernels/build's
#   RB_KEEP_TEST_RUNS=1         keep the run directories
#   RB_LAB_HANG_TIMEOUT=N       watchdog for case 2 (default 40 s)
. "$(dirname "$0")/lib.sh"
T0=$(date +%s)

lab_needs qemu-system-x86_64 jq
lab_kernel
lab_tmp lab-faults

# lab NAME ARGS...: run scripts/lab into $TMP/NAME; sets RC and RUN
lab() {
	local name=$1; shift
	RC=0
	"$REPO/scripts/lab" --kernel "$KERNEL" --accel tcg -o "$TMP/$name" "$@" \
		>"$TMP/$name.stdout" 2>"$TMP/$name.stderr" || RC=$?
	RUN=$(tail -n 1 "$TMP/$name.stdout")
	[ "$RUN" = "$TMP/$name" ] || { tail -n 20 "$TMP/$name.stderr"; fail "$name: last stdout line '$RUN', expected $TMP/$name (exit $RC)"; }
	[ -d "$RUN" ] || fail "$name: run dir missing"
}

# common_failed NAME: the checks every failed run must pass
common_failed() {
	[ "$RC" != 0 ] || fail "$1: scripts/lab exited 0"
	[ -s "$RUN/serial.log" ] || fail "$1: serial.log missing"
	jq -e '.status == "failed" and (.reason | length > 0) and .marks[-1].status == "failed"' "$RUN/run/meta.json" >/dev/null ||
		fail "$1: meta.json not marked failed: $(cat "$RUN/run/meta.json" 2>/dev/null)"
	jq -e '.outcome.status == "failed"' "$RUN/lab.json" >/dev/null || fail "$1: lab.json outcome not failed"
	# refbench's own check accepts it as a failed run (a stub when it wrote none)
	"$REPO/bench/refbench" validate "$RUN/run" >"$TMP/validate.out" 2>&1 &&
		grep -q "valid, failed" "$TMP/validate.out" || fail "$1: validate: $(cat "$TMP/validate.out")"
	[ ! -e "$RUN/guest-exit" ] || fail "$1: a guest exit status exists"
	ok "$1: exit $RC, marked failed: $(jq -r '.marks[-1].reason' "$RUN/run/meta.json")"
}

# ---- 1. panic mid-run
if [ -x "$REPO/bench/refbench" ] && [ -f "$REPO/configs/suites/lab-smoke.suite" ]; then
	how="refbench lab-smoke"
	cmd='"$RB_REPO/bench/refbench" run --suite lab-smoke -o "$RB_RUN" --fsdax "$RB_FSDAX" \
		--devdax "$RB_DEVDAX_2M" --clock "$RB_CLOCK" --lab "$RB_LAB_JSON" &
	while ! [ -s "$RB_RUN/samples.jsonl" ]; do kill -0 $! || exit 3; sleep 0.2; done
	# refbench replaces samples.jsonl by rename after each point: retry the copy
	until cp "$RB_RUN/samples.jsonl" "$RB_OUT/before-panic.jsonl" 2>/dev/null; do sleep 0.1; done
	echo c >/proc/sysrq-trigger'
else
	how="stand-in"
	cmd='set -e; mkdir -p "$RB_RUN"
	echo "{\"status\":\"running\",\"schema\":\"stand-in\"}" >"$RB_RUN/meta.json"
	printf "{\"i\":1}\n{\"i\":2}\n" >"$RB_RUN/samples.tmp"; mv "$RB_RUN/samples.tmp" "$RB_RUN/samples.jsonl"
	cp "$RB_RUN/samples.jsonl" "$RB_OUT/before-panic.jsonl"
	echo c >/proc/sysrq-trigger'
fi
lab panic --pmem-size 2G --devdax1g-size 0 --timeout 300 --guest-cmd "$cmd"
common_failed panic
grep -q 'Kernel panic - not syncing' "$RUN/serial.log" || fail "panic: no panic in serial.log"
jq -e '.marks[-1].reason | test("panic")' "$RUN/run/meta.json" >/dev/null || fail "panic: reason does not name the panic"
jq -e '.outcome.watchdog_fired == false' "$RUN/lab.json" >/dev/null || fail "panic: the watchdog fired instead"
[ -s "$RUN/before-panic.jsonl" ] || fail "panic: the guest command did not get to write samples ($how)"
n=$(wc -l <"$RUN/before-panic.jsonl")
head -n "$n" "$RUN/run/samples.jsonl" | cmp -s - "$RUN/before-panic.jsonl" || fail "panic: samples written before the panic were lost"
jq -e . "$RUN/run/samples.jsonl" >/dev/null || fail "panic: samples.jsonl is damaged"
ok "panic ($how): $n sample line(s) from before the panic intact, serial.log kept"

# ---- 2. hang cut off by the watchdog
HT=${RB_LAB_HANG_TIMEOUT:-40}
lab hang --timeout "$HT" --cpu max,pdpe1gb=off \
	--guest-cmd 'mkdir -p "$RB_RUN"; echo "{\"i\":1}" >"$RB_RUN/samples.jsonl"; sleep 100000'
common_failed hang
grep -q '^refbench-lab: running' "$RUN/serial.log" || fail "hang: the guest command never started within ${HT}s (raise RB_LAB_HANG_TIMEOUT)"
jq -e '.marks[-1].reason | test("watchdog")' "$RUN/run/meta.json" >/dev/null || fail "hang: reason does not say watchdog"
jq -e '.outcome.watchdog_fired' "$RUN/lab.json" >/dev/null || fail "hang: outcome.watchdog_fired is not true"
[ "$(cat "$RUN/run/samples.jsonl")" = '{"i":1}' ] || fail "hang: samples.jsonl lost"
ok "hang: cut off after ${HT}s, samples intact"
jq -e '.devdax_1g.status == "unsupported: guest CPU lacks pdpe1gb" and (.devdax_1g.chardev == null)
	and (.cpu_flags.pdpe1gb | not)' "$RUN/pmem.json" >/dev/null ||
	fail "hang: 1G devdax not recorded unsupported: $(jq -c .devdax_1g "$RUN/pmem.json" 2>/dev/null)"
jq -e '.guest.pmem.devdax_1g.status == "unsupported: guest CPU lacks pdpe1gb"' "$RUN/lab.json" >/dev/null ||
	fail "hang: lab.json lacks the 1G unsupported record"
ok "no pdpe1gb: devdax-1G recorded 'unsupported: guest CPU lacks pdpe1gb' in pmem.json and lab.json"
echo "# lab faults ($(($(date +%s) - T0)) s)"
