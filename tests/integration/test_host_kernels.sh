#!/bin/bash
# Host mode's kernels with modules, without a kernel build or a reboot:
#   - kernels/build --host refuses a running kernel that shows no config
#     (neither /proc/config.gz nor /boot/config-RELEASE, under a fake root),
#     a file that is no config, and --lsmod without --host, before building;
#   - scripts/host-ab (systemd seam, the machine played by fakes as in
#     test_host_ab_systemd.sh) with kernels whose build-info.json names
#     staged modules: before the first kexec each release's modules go to
#     /lib/modules/RELEASE (RB_MODULES_ROOT here) with the plan's mark and
#     an initramfs is made (a fake mkinitramfs), kexec -l gets --initrd;
#     at the end both are removed and nothing else is; a release whose
#     directory exists without the mark is refused and its rounds fail.
# The real build, initramfs and kexec: tests/lab/test_host_modules.sh.
. "$(dirname "$0")/lib.sh"

KB=$ROOT/kernels/build
mkdir -p "$TMP/noconf/proc" "$TMP/noconf/boot" "$TMP/cache"
rc_of env RB_HOST_ROOT="$TMP/noconf" RB_CACHE="$TMP/cache" "$KB" --host
expect 1 "neither $TMP/noconf/proc/config.gz (CONFIG_IKCONFIG_PROC) nor $TMP/noconf/boot/config-$(uname -r) exists; give it with --host-config FILE"
[ -z "$(ls "$TMP/cache/kernels" 2>/dev/null)" ] || fail "the refusal built something: $(ls "$TMP/cache/kernels")"
ok "--host on a kernel that shows no config: refused, naming /proc/config.gz and /boot/config-RELEASE"

echo 'not a config' >"$TMP/bad.config"
rc_of env RB_CACHE="$TMP/cache" "$KB" --host-config "$TMP/bad.config"
expect 1 "$TMP/bad.config is not a kernel .config (no CONFIG_ line)"
rc_of env RB_CACHE="$TMP/cache" "$KB" --lsmod "$TMP/bad.config"
expect 2 "--lsmod goes with --host"
rc_of env RB_CACHE="$TMP/cache" "$KB" --host --base defconfig
expect 2 "--host starts from the running kernel's config: drop --base defconfig"
ok "--host-config that is no config, --lsmod without --host, --host with --base: refused"

# kernels with staged modules: A and B of two releases
fake_host 'Kernel panic - not syncing: Attempted to kill init!'
mkdir -p "$TMP/units" "$TMP/sys/kernel" "$TMP/lib/modules/6.0-orig"
: >"$TMP/sys/kernel/kexec_loaded"
echo keep >"$TMP/lib/modules/6.0-orig/modules.dep"
for k in a b; do
	rel=6.1.192-rb0000000$k
	mkdir -p "$TMP/k/$k/modules/lib/modules/$rel/kernel"
	echo "nd_pmem of $k" >"$TMP/k/$k/modules/lib/modules/$rel/kernel/nd_pmem.ko"
	jq -n --arg r "$rel" '{kernelrelease: $r, modules: {release: $r, path: ("modules/lib/modules/" + $r), count: 1}}' \
		>"$TMP/k/$k/build-info.json"
done
printf '#!/bin/bash\necho "mkinitramfs $*" >>"$FAKE_LOG"\n[ "$1" = -o ] && [ -d "%s/$3" ] && echo "initramfs of $3" >"$2"\n' \
	"$TMP/lib/modules" >"$TMP/bin/mkinitramfs"
chmod +x "$TMP/bin/mkinitramfs"
mkdir -p "$TMP/boot"
for k in a b; do printf 'CONFIG_KEXEC=y\n# kernel %s\n' "$k" >"$TMP/k/$k/.config"; done
export FAKE_LOG=$TMP/calls RB_SYSTEMD_UNIT_DIR=$TMP/units RB_SYSFS=$TMP/sys RB_MODULES_ROOT=$TMP/lib/modules RB_BOOT_DIR=$TMP/boot
S=$TMP/state ORIG='BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro quiet'
last_append() { sed -n 's/^kexec -l .* --append=//p' "$FAKE_LOG" | tail -n 1; }

boot b0 6.0-orig "$ORIG"
rc_of "$HAB" --kernel-a "$TMP/k/a" --kernel-b "$TMP/k/b" --fsdax "$TMP/pmem" --rounds 1 \
	--suite host-smoke --state "$S" --original-image "$TMP/k/orig"
[ "$RC" = 0 ] || fail "start: $(cat "$TMP/se")"
for k in a b; do
	rel=6.1.192-rb0000000$k
	cmp -s "$TMP/k/$k/modules/lib/modules/$rel/kernel/nd_pmem.ko" "$TMP/lib/modules/$rel/kernel/nd_pmem.ko" &&
		[ "$(cat "$TMP/lib/modules/$rel/.refbench-host-ab")" = "$S" ] || fail "$rel's modules: $(ls -R "$TMP/lib/modules")"
	[ "$(cat "$S/boot/initrd.img-$rel")" = "initramfs of $rel" ] || fail "no initramfs of $rel: $(ls -R "$S")"
	cmp -s "$TMP/k/$k/.config" "$TMP/boot/config-$rel" || fail "no /boot/config-$rel for mkinitramfs: $(ls "$TMP/boot")"
done
grep -q "^kexec -l $TMP/k/a/bzImage --initrd=$S/boot/initrd.img-6.1.192-rb0000000a --append=" "$FAKE_LOG" ||
	fail "kexec -l without the initramfs: $(cat "$FAKE_LOG")"
ok "start: each release's modules in /lib/modules/RELEASE with the plan's mark, its config in /boot, mkinitramfs, kexec -l --initrd"

boot b1 6.1.192-rb0000000a "$(last_append)"
rc_of "$HAB" --continue "$S"
[ "$RC" = 0 ] || fail "boot 1: $(cat "$TMP/se")"
grep -q "^kexec -l $TMP/k/b/bzImage --initrd=$S/boot/initrd.img-6.1.192-rb0000000b " "$FAKE_LOG" || fail "B1's kexec: $(cat "$FAKE_LOG")"
[ "$(grep -c '^mkinitramfs' "$FAKE_LOG")" = 2 ] || fail "the initramfs made again: $(cat "$FAKE_LOG")"
boot b2 6.1.192-rb0000000b "$(last_append)"
rc_of "$HAB" --continue "$S"
[ "$RC" = 0 ] || fail "boot 2: $(cat "$TMP/se")"
boot b3 6.0-orig "$(last_append)"
rc_of "$HAB" --continue "$S"
[ "$RC" = 0 ] || fail "boot 3: $(cat "$TMP/se")"
[ "$(ls "$TMP/lib/modules")" = 6.0-orig ] && [ "$(cat "$TMP/lib/modules/6.0-orig/modules.dep")" = keep ] ||
	fail "after the end: $(ls -R "$TMP/lib/modules")"
[ -z "$(ls "$S/boot")" ] && [ -z "$(ls "$TMP/boot")" ] || fail "initramfs or config left: $(ls "$S/boot" "$TMP/boot")"
jq -e '[.kernels[].installed] == ["removed", "removed"] and .phase == "compared"' "$S/plan.json" >/dev/null ||
	fail "the plan's end: $(jq -c '[.kernels[].installed], .phase' "$S/plan.json")"
ok "the end, back in the original kernel: both releases' modules and initramfs removed, the running kernel's left"

# another kernel's directory (no mark) under A's release: refused, A's
# rounds fail with the reason, B goes on
mkdir -p "$TMP/lib/modules/6.1.192-rb0000000a"
echo theirs >"$TMP/lib/modules/6.1.192-rb0000000a/modules.dep"
: >"$FAKE_LOG"
S=$TMP/state2
boot c0 6.0-orig "$ORIG"
rc_of "$HAB" --kernel-a "$TMP/k/a" --kernel-b "$TMP/k/b" --fsdax "$TMP/pmem" --rounds 1 \
	--suite host-smoke --state "$S" --original-image "$TMP/k/orig"
[ "$RC" = 0 ] || fail "start 2: $(cat "$TMP/se")"
jq -e '.boots[0].status == "failed" and (.boots[0].reason | test("6.1.192-rb0000000a could not be installed: .* exists and is not this plan.s"))' \
	"$S/plan.json" >/dev/null || fail "A1: $(jq -c .boots[0] "$S/plan.json")"
[ "$(cat "$TMP/lib/modules/6.1.192-rb0000000a/modules.dep")" = theirs ] || fail "another kernel's modules were touched"
case $(last_append) in *" refbench.round=B1") ;; *) fail "no switch into B1: $(cat "$FAKE_LOG")" ;; esac
ok "a release whose /lib/modules directory is not the plan's: left alone, A1 failed with the reason, on to B1"

# --base/--patched (make ab TARGET=host BASE= PATCHED=): both or neither,
# and not with built kernels; a SPEC the plan cannot read stops it before
# any build or plan
boot d0 6.0-orig "$ORIG"
S=$TMP/state3
rc_of "$HAB" --base 6.1 --fsdax "$TMP/pmem" --state "$S"
expect 2 "--base and --patched go together (or give --kernel-a and --kernel-b)"
rc_of "$HAB" --base 6.1 --patched 6.1+/nonexistent --kernel-a "$TMP/k/a" --fsdax "$TMP/pmem" --state "$S"
expect 2 "--base/--patched build the kernels: drop --kernel-a/--kernel-b"
rc_of "$HAB" --base 6.1 --patched 6.1+/nonexistent --fsdax "$TMP/pmem" --state "$S"
expect 2 "--patched 6.1+/nonexistent"
grep -qF "patches '/nonexistent' (in '6.1+/nonexistent') not found" "$TMP/se" || fail "the spec's error: $(cat "$TMP/se")"
[ ! -e "$S" ] || fail "a refusal left $S"
ok "--base without --patched, with --kernel-a, or a SPEC whose patches do not exist: refused before building"

# the plan as LAVA jobs cannot carry modules: refused, naming the kernel
rc_of "$HAB" --lava "$TMP/state"
expect 1 "kernel A (6.1.192-rb0000000a) has modules: these jobs deploy a kernel and a ramdisk only"
ok "host-ab --lava of a plan whose kernels have modules: refused"
