#!/bin/bash
# Host mode end to end, inside a lab guest that plays the pmem server: the
# guest has the emulated NVDIMM and its named namespaces, and
# scripts/host-ab --seam lab runs there, kexec'ing between kernel A and
# kernel B (the default lab kernel: it has configs/kernel/kexec.config),
# resuming from
# guest-init's boot hook after each switch, its state on the run's 9p
# share. Two guests:
#   1. A1 B1 A2 B2, the return to the original kernel, refbench compare:
#      four runs and a report of the lab's shape;
#   2. a kernel B that panics on boot (init= that does not exist): QEMU
#      reboots, as a bootloader's default entry would, into the original
#      kernel (panic=10, scripts/lab --reboot); B1 is failed with the
#      reason and the plan says which rounds are missing.
# A running kernel without kexec is refused before anything is written:
# tests/integration/test_host_ab_systemd.sh (a fake /sys without
# kernel/kexec_loaded), since every lab kernel now has kexec.
# Exit 0 pass, 1 fail, 77 skip. RB_KEEP_TEST_RUNS=1 keeps the guests' dirs.
#   RB_LAB_KERNEL=DIR   boot this kernel (it must have CONFIG_KEXEC)
. "$(dirname "$0")/lib.sh"

lab_needs qemu-system-x86_64 jq kexec
lab_built
lab_kernel
K=$KERNEL
grep -qx 'CONFIG_KEXEC=y' "$K/.config" || fail "$K has no CONFIG_KEXEC"
lab_tmp host-ab

# guest NAME ROUNDS APPEND_B: one lab guest running host-ab to the end
guest() {
	local cmd
	cmd="$REPO/scripts/host-ab --seam lab --kernel-a $K --kernel-b $K --rounds $2"
	cmd+=" --suite $REPO/configs/suites/host-ab-smoke.suite --state \$RB_OUT/state"
	cmd+=" --fsdax \$RB_FSDAX --devdax \$RB_DEVDAX_2M --original-image $K/bzImage"
	cmd+=" --run-args '--clock ns --accel tcg'"
	[ -z "$3" ] || cmd+=" --append-b '$3'"
	set +e
	# one vCPU: with two, a 6.1 guest under TCG once took an int3 oops in
	# __schedule while the other vCPU patched a static key there
	# (text_poke_bp; CI check of 2026-12-07); host mode needs no second CPU
	"$REPO/scripts/lab" --kernel "$K" --accel tcg --smp 1 --reboot --timeout 900 \
		--pmem-size 2G --devdax1g-size 0 -o "$TMP/$1" --guest-cmd "$cmd" \
		>"$TMP/$1.out" 2>"$TMP/$1.err"
	RC=$?
	set -e
	S=$TMP/$1/state
	[ -f "$S/plan.json" ] || { tail -n 30 "$TMP/$1.err" | sed "s/^/# /"; fail "$1: no plan.json (scripts/lab exit $RC)"; }
}
boots() { grep -ac 'refbench-lab: init started' "$TMP/$1/serial.log"; }
statuses() { jq -r '[.boots[] | .label + ":" + .status] | join(" ")' "$S/plan.json"; }

t0=$(date +%s)
guest e2e 2 ''
[ "$RC" = 0 ] || { tail -n 20 "$TMP/e2e.err" | sed "s/^/# /"; fail "e2e: scripts/lab exited $RC"; }
[ "$(statuses)" = "A1:done B1:done A2:done B2:done" ] || fail "e2e rounds: $(statuses); $(jq -c '[.boots[].reason]' "$S/plan.json")"
jq -e '.phase == "compared" and (.events | map(.what) | any(test("back in .* \\(the original kernel\\)")))' \
	"$S/plan.json" >/dev/null || fail "e2e did not return to the original kernel: $(jq -c '.events | map(.what)' "$S/plan.json")"
n=$(boots e2e)
[ "$n" = 6 ] || fail "e2e: $n boots in serial.log, expected 6 (original, A1, B1, A2, B2, original)"
for l in A1 B1 A2 B2; do
	"$REPO/bench/refbench" validate "$S/runs/$l" >/dev/null || fail "run $l does not validate"
	grep -aq "refbench.round=$l" "$TMP/e2e/serial.log" || fail "no boot with refbench.round=$l"
done
[ -f "$S/report/report.txt" ] && [ -f "$S/report/report.json" ] || fail "e2e: no report ($(ls "$S"))"
grep -q 'fault' "$S/report/report.txt" || fail "e2e report has no fault rows"
[ ! -e "$TMP/e2e/boot-hook" ] || fail "e2e: the unit (boot hook) is still enabled"
ok "A1 B1 A2 B2 by kexec in one guest ($n boots), back in the original kernel, report: $(jq -r '.rows // .metrics | length' "$S/report/report.json" 2>/dev/null) rows ($(( $(date +%s) - t0 ))s)"

t0=$(date +%s)
guest panic 1 'init=/refbench-no-such-init'
[ "$(statuses)" = "A1:done B1:failed" ] || fail "panic rounds: $(statuses)"
jq -e '.boots[1].reason | test("did not come up")' "$S/plan.json" >/dev/null ||
	fail "B1's reason: $(jq .boots[1].reason "$S/plan.json")"
grep -aq 'Kernel panic - not syncing' "$TMP/panic/serial.log" || fail "kernel B did not panic"
jq -e '.phase == "compared" and .report == null' "$S/plan.json" >/dev/null || fail "panic phase: $(jq -c '{phase, report}' "$S/plan.json")"
grep -q '^1 of 2 rounds done, 1 failed' "$S/rounds.txt" && grep -q 'B1 .* failed .*did not come up' "$S/rounds.txt" ||
	fail "rounds.txt: $(cat "$S/rounds.txt")"
ok "kernel B panicked on boot, QEMU rebooted into the original kernel, B1 failed: $(jq -r .boots[1].reason "$S/plan.json" | cut -c1-60)... ($(( $(date +%s) - t0 ))s)"
