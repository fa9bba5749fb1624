#!/bin/bash
# Host mode with kernels built "for this machine" (kernels/build --host),
# modules and an initramfs, in the lab guest that plays the pmem server:
#   1. kernel M, the machine's running kernel: the default lab kernel with
#      the pmem drivers as modules (tests/lab/modular-pmem.config);
#   2. kernel A: kernels/build --host from M's config and the modules M's
#      guest loads (nd_pmem, dax_pmem): localmodconfig, then bench, kexec
#      and host; its modules staged in its directory under its own release;
#   3. a guest boots M with a host directory as /lib/modules (scripts/lab
#      --modules-dir, holding M's modules) and runs host-ab --seam lab with
#      A as both arms: host-ab installs A's modules, makes the initramfs
#      with the host's mkinitramfs, kexecs into A through it (nd_pmem and
#      dax_pmem then load from the installed modules), runs A1 and B1,
#      returns to M and removes A's modules and initramfs.
# refbench: full -- two kernel builds of their own with modules (21 and 34 min cold on a 2-core VM beside other builds); make check's test_host_ab.sh runs host mode by kexec end to end, and tests/integration/test_host_kernels.sh the install, the removal and the refusals
. "$(dirname "$0")/lib.sh"

lab_needs qemu-system-x86_64 jq kexec mkinitramfs
lab_built
lab_tmp host-modules

t0=$(date +%s)
# its own kernel, whatever RB_LAB_KERNEL names
KM=$(set -o pipefail; "$REPO/kernels/build" --add-fragment "$REPO/tests/lab/modular-pmem.config" | tail -n 1) ||
	fail "kernels/build of kernel M failed (above)"
grep -qx 'CONFIG_MODULES=y' "$KM/.config" && grep -qx 'CONFIG_BLK_DEV_PMEM=m' "$KM/.config" ||
	fail "$KM: the pmem driver is not a module"
MREL=$(jq -r .modules.release "$KM/build-info.json")
[ -f "$KM/modules/lib/modules/$MREL/kernel/drivers/nvdimm/nd_pmem.ko" ] || fail "$KM: no staged nd_pmem.ko under $MREL"
printf 'Module                  Size  Used by\nnd_pmem 24576 0\ndax_pmem 16384 0\n' >"$TMP/lsmod"
KA=$(set -o pipefail; "$REPO/kernels/build" --host --host-config "$KM/.config" --lsmod "$TMP/lsmod" | tail -n 1) ||
	fail "kernels/build --host failed (above)"
AREL=$(jq -r .modules.release "$KA/build-info.json")
[ "$AREL" != "$MREL" ] && [ "$AREL" = "$(jq -r .kernelrelease "$KA/build-info.json")" ] ||
	fail "kernel A's release $AREL (M: $MREL)"
case $AREL in *-rb*) ;; *) fail "kernel A's release $AREL is not one of its own (-rbKEY)" ;; esac
grep -qx 'CONFIG_BLK_DEV_PMEM=m' "$KA/.config" && grep -qx 'CONFIG_TEST_HMM=y' "$KA/.config" &&
	grep -qx 'CONFIG_KEXEC=y' "$KA/.config" || fail "kernel A's config: $(grep -E 'PMEM=|TEST_HMM|KEXEC=' "$KA/.config")"
[ -f "$KA/modules/lib/modules/$AREL/kernel/drivers/nvdimm/nd_pmem.ko" ] &&
	[ -z "$(find "$KA/modules" -name 'test_hmm.ko*')" ] || fail "kernel A's modules: $(find "$KA/modules" -name '*.ko*')"
jq -e '.config.base == "host" and (.config.base_id | test("^host:[0-9a-f]{64}:[0-9a-f]{64}$"))' "$KA/build-info.json" >/dev/null ||
	fail "build-info.json: $(jq -c .config "$KA/build-info.json")"
ok "kernel M (pmem drivers as modules, $MREL) and kernel A for it: localmodconfig kept nd_pmem and dax_pmem as modules, bench built TEST_HMM in, release $AREL ($(( $(date +%s) - t0 ))s)"

t0=$(date +%s)
mkdir -p "$TMP/modules"
cp -a "$KM/modules/lib/modules/$MREL" "$TMP/modules/"
cmd="$REPO/scripts/host-ab --seam lab --kernel-a $KA --kernel-b $KA --rounds 1"
cmd+=" --suite $REPO/configs/suites/host-ab-smoke.suite --state \$RB_OUT/state"
cmd+=" --fsdax \$RB_FSDAX --devdax \$RB_DEVDAX_2M --original-image $KM/bzImage"
cmd+=" --run-args '--clock ns --accel tcg'"
set +e
"$REPO/scripts/lab" --kernel "$KM" --accel tcg --smp 1 --reboot --timeout 1500 \
	--pmem-size 2G --devdax1g-size 0 --modules-dir "$TMP/modules" -o "$TMP/guest" --guest-cmd "$cmd" \
	>"$TMP/guest.out" 2>"$TMP/guest.err"
rc=$?
set -e
S=$TMP/guest/state
SER=$TMP/guest/serial.log
[ -f "$S/plan.json" ] || { tail -n 30 "$TMP/guest.err" | sed 's/^/# /'; fail "no plan.json (scripts/lab exit $rc)"; }
st=$(jq -r '[.boots[] | .label + ":" + .status] | join(" ")' "$S/plan.json")
[ "$rc" = 0 ] && [ "$st" = "A1:done B1:done" ] ||
	fail "rounds: $st (scripts/lab exit $rc); $(jq -c '[.boots[].reason], [.events[].what]' "$S/plan.json")"
jq -e '.phase == "compared" and .kernels[0].installed == "removed" and
	(.events | map(.what) | any(test("modules installed beside"))) and
	(.events | map(.what) | any(test("back in .* \\(the original kernel\\)")))' "$S/plan.json" >/dev/null ||
	fail "the plan: $(jq -c '.phase, [.kernels[].installed], [.events[].what]' "$S/plan.json")"
# each of A1 and B1 came up through the initramfs-tools initramfs, and
# found the pmem drivers as modules of its own release
n=$(grep -ac 'Begin: Mounting root file system' "$SER" || true)
[ "$n" = 2 ] || fail "$n boots through the initramfs in serial.log, expected 2 (A1, B1)"
m=$(grep -a "refbench-lab: modules of $AREL:" "$SER" | grep -c ' nd_pmem' || true)
[ "$m" = 2 ] || fail "nd_pmem loaded in $m of A1 and B1: $(grep -a 'refbench-lab: modules' "$SER")"
grep -aq "refbench-lab: modules of $MREL:.* nd_pmem" "$SER" || fail "M's own boot did not load its nd_pmem"
[ "$(ls "$TMP/modules")" = "$MREL" ] || fail "/lib/modules after the end: $(ls "$TMP/modules")"
[ ! -e "$S/boot/initrd.img-$AREL" ] || fail "the initramfs is still there"
for l in A1 B1; do "$RB" validate "$S/runs/$l" >/dev/null || fail "run $l does not validate"; done
[ -f "$S/report/report.txt" ] || fail "no report"
ok "host-ab installed A's modules, mkinitramfs, A1 and B1 booted through it with nd_pmem a module, back in M, both removed ($(( $(date +%s) - t0 ))s)"
