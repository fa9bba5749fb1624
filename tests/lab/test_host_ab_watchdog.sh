#!/bin/bash
# Host mode's hardware watchdog, in a lab guest that plays the pmem server
# with one (scripts/lab --watchdog i6300esb: QEMU's i6300esb, reset on
# expiry; the guest's kernels boot with watchdog.stop_on_reboot=0 and
# i6300esb.nowayout=1, so no later kernel's driver stops it). host-ab
# arms it before every kexec (plan watchdog --keep: what systemd does
# on a host), round A1 runs, then kernel B hangs after the kexec: its PID 1
# (tests/lab/hang-init) never opens /dev/watchdog and never finishes, and
# its driver's 20 s heartbeat (i6300esb.heartbeat=20) runs out. Asserts:
#   - the guest was reset by the watchdog: kernel B came up and hung, the
#     next boot is the original kernel (QEMU's --reboot, as a bootloader's
#     default entry), and its i6300esb reports WDIOF_CARDRESET;
#   - B1 is failed with a reason that names the watchdog's reset;
#   - the plan goes on from there (compare: A has its run, B none) and the
#     guest powers off with host-ab's exit 0.
# Exit 0 pass, 1 fail, 77 skip. RB_KEEP_TEST_RUNS=1 keeps the guest's dir.
#   RB_LAB_KERNEL=DIR   boot this kernel (default: the default lab kernel,
#                       whose kexec fragment has KEXEC, I6300ESB_WDT)
. "$(dirname "$0")/lib.sh"

lab_needs qemu-system-x86_64 jq kexec
lab_built
lab_kernel
K=$KERNEL
for o in KEXEC I6300ESB_WDT WATCHDOG_SYSFS; do
	grep -qx "CONFIG_$o=y" "$K/.config" || fail "$K has no CONFIG_$o (configs/kernel/kexec.config, a default fragment of kernels/build)"
done
lab_tmp host-ab-wd

t0=$(date +%s)
cmd="$REPO/scripts/host-ab --seam lab --kernel-a $K --kernel-b $K --rounds 1"
cmd+=" --suite $REPO/configs/suites/host-ab-smoke.suite --state \$RB_OUT/state"
cmd+=" --fsdax \$RB_FSDAX --devdax \$RB_DEVDAX_2M --original-image $K/bzImage"
cmd+=" --run-args '--clock ns --accel tcg'"
cmd+=" --append-b 'i6300esb.heartbeat=20 init=$REPO/tests/lab/hang-init'"
set +e
"$REPO/scripts/lab" --kernel "$K" --accel tcg --reboot --watchdog i6300esb --timeout 1500 \
	--pmem-size 2G --devdax1g-size 0 -o "$TMP/wd" --guest-cmd "$cmd" >"$TMP/wd.out" 2>"$TMP/wd.err"
RC=$?
set -e
G=$TMP/wd S=$TMP/wd/state
[ -f "$S/plan.json" ] || { tail -n 30 "$TMP/wd.err" | sed "s/^/# /"; fail "no plan.json (scripts/lab exit $RC)"; }
statuses=$(jq -r '[.boots[] | .label + ":" + .status] | join(" ")' "$S/plan.json")
[ "$statuses" = "A1:done B1:failed" ] || fail "rounds: $statuses; $(jq -c '[.boots[].reason]' "$S/plan.json")"
jq -e '.qemu.watchdog.device == "i6300esb" and .qemu.watchdog.action == "reset"' "$G/lab.json" >/dev/null ||
	fail "lab.json does not record the watchdog: $(jq -c .qemu.watchdog "$G/lab.json")"

# serial.log, in order: the arm in the original kernel, A1's boot and run,
# B1's kernel (its driver finds the watchdog locked on), its PID 1 hanging,
# then a cold boot of the original kernel whose host-ab sees the reset
log=$G/serial.log
grep -aq 'host-ab: watchdog: arming /dev/watchdog0 (i6300ESB timer, hardware)' "$log" ||
	fail "host-ab did not arm the i6300esb: $(grep -a 'watchdog' "$log" | head -5)"
grep -aq 'refbench.round=B1' "$log" || fail "kernel B1 never booted"
grep -aq 'refbench-test: hang-init: PID 1 hangs here' "$log" || fail "kernel B1 did not reach its hanging PID 1"
after=$(sed -n '/refbench-test: hang-init/,$p' "$log")
grep -aq 'nowayout already set' <<<"$(sed -n '/refbench.round=B1/,/refbench-test: hang-init/p' "$log")" ||
	fail "B1's i6300esb driver did not find the watchdog running (no 'nowayout already set')"
grep -aq 'Kernel panic' <<<"$after" && fail "a panic after the hang: the reset was not the watchdog's"
grep -aq 'Linux version' <<<"$after" || fail "no boot after B1's hang: the watchdog did not reset the guest"
grep -aq 'refbench.round=' <<<"$(grep -a 'Command line' <<<"$after")" &&
	fail "the boot after the hang is not the original kernel: $(grep -a 'Command line' <<<"$after")"
grep -aq 'host-ab: watchdog: this boot began with its reset' <<<"$after" ||
	fail "the original kernel's host-ab did not see the watchdog's reset: $(grep -a 'host-ab' <<<"$after" | head -5)"
n=$(grep -ac 'refbench-lab: init started' "$log")
[ "$n" = 3 ] || fail "$n boots ran guest-init, expected 3 (original, A1, original after the reset)"

# the plan: B1 failed for the watchdog's reset; A1's run kept; compared
jq -e '.boots[1].reason | test("did not come up") and test("watchdog0 \\(i6300ESB timer\\) reset the machine")' \
	"$S/plan.json" >/dev/null || fail "B1's reason: $(jq .boots[1].reason "$S/plan.json")"
"$RB" validate "$S/runs/A1" >/dev/null || fail "run A1 does not validate"
jq -e '.phase == "compared"' "$S/plan.json" >/dev/null || fail "phase: $(jq -r .phase "$S/plan.json")"
grep -q '^1 of 2 rounds done, 1 failed' "$S/rounds.txt" || fail "rounds.txt: $(cat "$S/rounds.txt")"
[ "$RC" = 0 ] || { tail -n 20 "$TMP/wd.err" | sed "s/^/# /"; fail "scripts/lab exited $RC"; }
# how long B1 took from its kexec to the failure the original kernel
# recorded: kexec, boot, the 20 s heartbeat, the reset, a cold boot
sw=$(jq -r '.events[] | select(.what | test("round B1: kexec")) | .at' "$S/plan.json")
fl=$(jq -r '.events[] | select(.what | test("round B1 failed")) | .at' "$S/plan.json")
window=$(( $(date -d "$fl" +%s) - $(date -d "$sw" +%s) ))
ok "kernel B hung after the kexec; the i6300esb reset the guest into the original kernel (B1's kexec to its failure: ${window}s); B1 failed: $(jq -r .boots[1].reason "$S/plan.json" | sed 's/.*; //' | cut -c1-70)...; compared ($(( $(date +%s) - t0 ))s)"
