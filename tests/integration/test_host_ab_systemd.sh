#!/bin/bash
# scripts/host-ab as a real host runs it (--seam systemd), boot by boot,
# with the machine played by fakes on PATH: kexec and systemctl record
# their calls, journalctl returns the previous boot's last lines, findmnt
# calls the named directory a DAX mount; each "boot" is RB_BOOT_ID,
# RB_BOOT_RELEASE and RB_BOOT_CMDLINE (what refbench plan would read
# from /proc), taken from the command line the fake kexec was given.
. "$(dirname "$0")/lib.sh"
fake_host 'Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)'
mkdir -p "$TMP/units" "$TMP/sys/kernel"
: >"$TMP/sys/kernel/kexec_loaded"
export FAKE_LOG=$TMP/calls RB_SYSTEMD_UNIT_DIR=$TMP/units RB_SYSFS=$TMP/sys
S=$TMP/state ORIG='BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro quiet'
last_append() { sed -n 's/^kexec -l .* --append=//p' "$FAKE_LOG" | tail -n 1; }
unit=$TMP/units/refbench-host-ab.service

# a running kernel without kexec (no /sys/kernel/kexec_loaded: a kernel
# without CONFIG_KEXEC_CORE has no such file) is refused before anything
# is written: no state dir, no unit, no kexec
boot b0 6.0-orig "$ORIG"
mkdir -p "$TMP/sys-nokexec/kernel"
RB_SYSFS=$TMP/sys-nokexec rc_of "$HAB" --kernel-a "$TMP/k/a" --kernel-b "$TMP/k/b" --fsdax "$TMP/pmem" --rounds 1 \
	--suite host-smoke --state "$S" --original-image "$TMP/k/orig"
expect 1 "host-ab: error: the running kernel has no kexec (CONFIG_KEXEC): host-ab cannot switch from it"
[ ! -e "$S" ] && [ ! -e "$unit" ] && [ ! -e "$FAKE_LOG" ] || fail "the refusal left a state dir, a unit or a call behind: $(ls "$TMP"; cat "$FAKE_LOG" 2>/dev/null)"
ok "a running kernel without kexec is refused before anything is written"

# boot 0, the original kernel: the plan, the unit, the switch into A1
boot b0 6.0-orig "$ORIG"
rc_of "$HAB" --kernel-a "$TMP/k/a" --kernel-b "$TMP/k/b" --fsdax "$TMP/pmem" --rounds 1 \
	--suite host-smoke --state "$S" --original-image "$TMP/k/orig"
[ "$RC" = 0 ] || fail "start: $(cat "$TMP/se")"
grep -qx "ExecStart=$HAB --continue $S --seam systemd " "$unit" &&
	grep -qx "RequiresMountsFor=$S $TMP/pmem" "$unit" && grep -qx 'Type=oneshot' "$unit" &&
	grep -qx 'WantedBy=multi-user.target' "$unit" || fail "the unit: $(cat "$unit")"
grep -qx 'systemctl enable refbench-host-ab.service' "$FAKE_LOG" || fail "not enabled: $(cat "$FAKE_LOG")"
[ "$(tail -n 2 "$FAKE_LOG" | head -n 1)" = "kexec -l $TMP/k/a/bzImage --append=BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro quiet panic=10 refbench.host=$S refbench.round=A1" ] &&
	[ "$(tail -n 1 "$FAKE_LOG")" = 'systemctl kexec' ] || fail "the switch: $(cat "$FAKE_LOG")"
grep -q 'no hardware watchdog (/dev/watchdog0)' "$TMP/se" || fail "no word on the watchdog: $(cat "$TMP/se")"
ok "start: plan, a oneshot unit after the named mounts, enabled; kexec -l A with panic=10 refbench.round=A1; systemctl kexec"

# boot 1, kernel A: the suite cannot run (the fake DAX mount is not DAX to
# refbench): A1 fails with that reason; then the switch into B1
boot b1 6.1.192 "$(last_append)"
rc_of "$HAB" --continue "$S"
[ "$RC" = 0 ] || fail "boot 1: $(cat "$TMP/se")"
jq -e '.boots[0].status == "failed" and (.boots[0].reason | test("refbench run exited 2"))' "$S/plan.json" >/dev/null ||
	fail "A1: $(jq -c .boots[0] "$S/plan.json")"
case $(last_append) in *" refbench.round=B1") ;; *) fail "no switch into B1: $(cat "$FAKE_LOG")" ;; esac
ok "boot 1 (A1): the suite's failure is the round's, with its exit; kexec into B1"

# boot 2: B1 panicked, the bootloader's default (the original) came up
boot b2 6.0-orig "$ORIG"
rc_of "$HAB" --continue "$S"
[ "$RC" = 0 ] || fail "boot 2: $(cat "$TMP/se")"
jq -e '.boots[1].status == "failed" and (.boots[1].evidence | test("Unable to mount root fs")) and
	.phase == "compared" and .report == null' "$S/plan.json" >/dev/null || fail "B1: $(jq -c '.boots[1], .phase' "$S/plan.json")"
grep -qx 'systemctl disable refbench-host-ab.service' "$FAKE_LOG" && [ ! -e "$unit" ] ||
	fail "the unit is still enabled: $(cat "$FAKE_LOG")"
[ "$(grep -c '^kexec -l' "$FAKE_LOG")" = 2 ] || fail "a return kexec from the original kernel: $(cat "$FAKE_LOG")"
[ "$(tail -n 1 "$TMP/so")" = "$S" ] && grep -q '0 of 2 rounds done, 2 failed' "$S/rounds.txt" ||
	fail "the end: $(cat "$TMP/so") / $(cat "$S/rounds.txt")"
ok "boot 2 (default kernel after B1's panic): B1 failed with the journal's last lines, no return trip, unit disabled"

rc_of "$HAB" --continue "$S"
[ "$RC" = 0 ] && grep -q "plan in $S is complete" "$TMP/se" || fail "again after the end: $(cat "$TMP/se")"
ok "--continue after the end: nothing left to do"
