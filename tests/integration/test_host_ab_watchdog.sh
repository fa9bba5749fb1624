#!/bin/bash
# Which watchdog scripts/host-ab arms (--seam systemd), without QEMU: the
# machine is played by fakes as in test_host_ab_systemd.sh, and watchdog0
# by a fake sysfs (RB_SYSFS: class/watchdog/watchdog0/{identity,bootstatus},
# module/watchdog/parameters/stop_on_reboot).
#   - hardware (identity from sysfs): systemd's watchdog set up, the next
#     kernel's command line keeps it armed, no warning;
#   - a boot that began with its reset (bootstatus WDIOF_CARDRESET): the
#     round that did not come up is failed naming the watchdog;
#   - softdog: armed as the fallback, with the warning that it does not
#     survive a kexec, and nothing added to the next kernel's command line;
#   - a running kernel that would stop it at its kexec: said, with the fix.
. "$(dirname "$0")/lib.sh"
fake_host '-- No entries --'
mkdir -p "$TMP/units" "$TMP/conf"
export RB_SYSTEMD_UNIT_DIR=$TMP/units RB_SYSTEMD_CONF_DIR=$TMP/conf
ORIG='BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro watchdog.stop_on_reboot=0'
conf=$TMP/conf/refbench-host-ab.conf
last_append() { sed -n 's/^kexec -l .* --append=//p' "$FAKE_LOG" | tail -n 1; }
# sysfs NAME IDENTITY BOOTSTATUS STOP_ON_REBOOT: a fake /sys with watchdog0
sysfs() {
	export RB_SYSFS=$TMP/$1
	mkdir -p "$RB_SYSFS/kernel" "$RB_SYSFS/class/watchdog/watchdog0" "$RB_SYSFS/module/watchdog/parameters"
	: >"$RB_SYSFS/kernel/kexec_loaded"
	echo "$2" >"$RB_SYSFS/class/watchdog/watchdog0/identity"
	echo "$3" >"$RB_SYSFS/class/watchdog/watchdog0/bootstatus"
	echo "$4" >"$RB_SYSFS/module/watchdog/parameters/stop_on_reboot"
}
# start NAME: a new plan of one round each, from the original kernel
start() {
	export FAKE_LOG=$TMP/$1.calls
	: >"$FAKE_LOG"
	rm -f "$conf"
	boot "$1-b0" 6.0-orig "$ORIG"
	rc_of "$HAB" --kernel-a "$TMP/k/a" --kernel-b "$TMP/k/b" --fsdax "$TMP/pmem" --rounds 1 \
		--suite host-smoke --state "$TMP/$1.state" --original-image "$TMP/k/orig"
	[ "$RC" = 0 ] || fail "$1: start: $(cat "$TMP/se")"
}

# hardware: systemd holds it, the next kernel keeps it armed
sysfs hw 'i6300ESB timer' 0 0
start hw
grep -q 'watchdog: arming /dev/watchdog0 (i6300ESB timer, hardware), 60s' "$TMP/se" ||
	fail "no word of the arming: $(cat "$TMP/se")"
! grep -q 'warning' "$TMP/se" || fail "a warning with a hardware watchdog: $(cat "$TMP/se")"
grep -qx 'WatchdogDevice=/dev/watchdog0' "$conf" && grep -qx 'RuntimeWatchdogSec=60s' "$conf" &&
	grep -qx 'KExecWatchdogSec=600s' "$conf" || fail "the systemd drop-in: $(cat "$conf" 2>&1)"
grep -qx 'systemctl daemon-reexec' "$FAKE_LOG" || fail "systemd was not told: $(cat "$FAKE_LOG")"
[ "$(last_append)" = "BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro watchdog.stop_on_reboot=0 watchdog.open_timeout=300 panic=10 refbench.host=$TMP/hw.state refbench.round=A1" ] ||
	fail "A1's command line: $(last_append)"
ok "hardware watchdog0 (identity from sysfs): systemd drop-in (WatchdogDevice, RuntimeWatchdogSec, KExecWatchdogSec), the next kernel gets watchdog.stop_on_reboot=0 watchdog.open_timeout=300 once"

# A1 hung: the watchdog reset the machine into the original kernel
echo 32 >"$RB_SYSFS/class/watchdog/watchdog0/bootstatus"
boot hw-b1 6.0-orig "$ORIG"
rc_of "$HAB" --continue "$TMP/hw.state"
[ "$RC" = 0 ] || fail "the boot after the reset: $(cat "$TMP/se")"
grep -q 'watchdog: this boot began with its reset (/dev/watchdog0, i6300ESB timer: bootstatus 32): the last boot hung' "$TMP/se" ||
	fail "no word of the reset: $(cat "$TMP/se")"
jq -e '.boots[0].status == "failed" and (.boots[0].reason |
	test("did not come up") and test("watchdog0 \\(i6300ESB timer\\) reset the machine: its bootstatus has WDIOF_CARDRESET \\(0x20\\)"))' \
	"$TMP/hw.state/plan.json" >/dev/null || fail "A1: $(jq -c .boots[0] "$TMP/hw.state/plan.json")"
case $(last_append) in *"watchdog.open_timeout=300 panic=10 refbench.host=$TMP/hw.state refbench.round=B1") ;;
*) fail "no switch into B1 after A1's failure: $(cat "$FAKE_LOG")" ;; esac
ok "a boot that began with the watchdog's reset (bootstatus 0x20): the round that did not come up is failed naming it; the plan goes on (kexec into B1)"

# softdog: the fallback, said to be one
sysfs soft 'Software Watchdog' 0 -1
start soft
grep -q 'warning: watchdog0 is softdog ("Software Watchdog"), the fallback: a kernel timer that ends with its kernel at the kexec' "$TMP/se" ||
	fail "no softdog warning: $(cat "$TMP/se")"
grep -q 'watchdog: arming /dev/watchdog0 (Software Watchdog, software)' "$TMP/se" && grep -qx 'WatchdogDevice=/dev/watchdog0' "$conf" ||
	fail "softdog not armed as the fallback: $(cat "$TMP/se")"
case $(last_append) in *watchdog.open_timeout*) fail "softdog's next kernel got watchdog arguments: $(last_append)" ;; esac
ok "softdog: armed as the fallback, with the warning that it does not survive a kexec; no watchdog arguments for the next kernel"

# a hardware watchdog the running kernel would stop at its kexec
sysfs stop 'iTCO_wdt' 0 -1
start stop
grep -q "warning: the running kernel stops watchdog0 (iTCO_wdt) at its kexec (watchdog.stop_on_reboot is -1, the driver's choice).*boot it with watchdog.stop_on_reboot=0" "$TMP/se" ||
	fail "no stop_on_reboot warning: $(cat "$TMP/se")"
ok "a running kernel that would stop the watchdog at its kexec is named, with the fix"

# no watchdog at all: the warning and the way back by hand
rm -rf "$TMP/none"; mkdir -p "$TMP/none/kernel"; : >"$TMP/none/kernel/kexec_loaded"; export RB_SYSFS=$TMP/none
start none
grep -q "warning: no hardware watchdog (/dev/watchdog0).*make ab TARGET=host RESUME=$TMP/none.state" "$TMP/se" &&
	[ ! -e "$conf" ] || fail "no watchdog: $(cat "$TMP/se")"
ok "no watchdog: nothing armed, the warning says how to go on after a hang"
