#!/bin/bash
# scripts/hwcheck and refbench hwcheck: on this machine as it is (a run
# directory with its counters and what they fell back to), then on machines
# made of files (RB_HWCHECK_ROOT): a PMU that perf_event_paranoid keeps
# from this process, a capability or sysctl that allows it, pmem, kexec and
# a watchdog; and a run that counted hardware events.
. "$(dirname "$0")/lib.sh"

# has TEXT: the last output says TEXT (whitespace as one space: it wraps)
has() { tr -s ' \n' '  ' <"$TMP/so" | grep -qF -- "$1"; }
check() { if has "$2"; then ok "$1"; else not_ok "$1: no '$2' in: $(cat "$TMP/so")"; fi; }

# ---- this machine: the run and what its counters were
rc_of env RB="$RB" "$ROOT/scripts/hwcheck" -o "$TMP/hw" --no-probe
[ "$RC" = 0 ] && ok "scripts/hwcheck exits 0" || fail "scripts/hwcheck exited $RC: $(cat "$TMP/se" "$TMP/so")"
[ "$(jq -r .status "$TMP/hw/run/meta.json")" = complete ] && ok "it leaves a complete run" ||
	not_ok "run status: $(jq -c .status "$TMP/hw/run/meta.json")"
grep -q '"type":"sample"' "$TMP/hw/run/samples.jsonl" && ok "the run has samples" || not_ok "no samples"
cmp -s "$TMP/so" "$TMP/hw/hwcheck.txt" && ok "hwcheck.txt keeps the screen" || not_ok "hwcheck.txt differs"
check "KVM: not probed with --no-probe" "kvm - not probed"
lines=$(grep -c '' "$TMP/so")
[ "$lines" -le 50 ] && ok "one screen: $lines lines" || not_ok "$lines lines"
src=$(jq -r .counters.source "$TMP/hw/run/meta.json")
case $src in
hw) check "hardware counters: named, self-check shown" "counters ok hardware: cycles:k" ;;
*) check "no hardware counters: the fallback and the clock are said" "Fallback: "
   check "... every value is the clock's" "every value is the clock's ($(jq -r .clock "$TMP/hw/run/meta.json"))"
   check "... the self-check did not run" "selfcheck - not run: no hardware events" ;;
esac

# ---- machines made of files
fake() {
	F=$TMP/root-$1
	mkdir -p "$F/proc/sys/kernel" "$F/proc/self" "$F/sys/bus/event_source/devices/software" "$F/dev"
	printf 'Name:\tx\nCapEff:\t%s\n' "${CAPS:-0000000000000000}" >"$F/proc/self/status"
	echo "${PARANOID:-3}" >"$F/proc/sys/kernel/perf_event_paranoid"
	echo "${NMI:-0}" >"$F/proc/sys/kernel/nmi_watchdog"
}
pmu() {
	mkdir -p "$F/sys/bus/event_source/devices/cpu/events" "$F/sys/bus/event_source/devices/cpu/caps"
	echo skylake >"$F/sys/bus/event_source/devices/cpu/caps/pmu_name"
	touch "$F/sys/bus/event_source/devices/cpu/events/"{cpu-cycles,instructions,branch-misses}
}

PARANOID=3 NMI=1 fake debian; pmu
rc_of env RB_HWCHECK_ROOT="$F" "$RB" hwcheck
[ "$RC" = 0 ] || fail "hwcheck exited $RC: $(cat "$TMP/se")"
check "a PMU: named with its events" "pmu ok cpu (skylake): 3 events: branch-misses, cpu-cycles, instructions"
check "paranoid 3 without a capability: refused, the sysctl named" "paranoid no kernel.perf_event_paranoid = 3"
check "... the fix: the sysctl" "sysctl -w kernel.perf_event_paranoid=1"
check "... the fix: the capability" "setcap cap_perfmon+ep bench/refbench (CAP_PERFMON"
check "nmi_watchdog with a PMU holds a counter" "nmi_wd warn kernel.nmi_watchdog = 1"
check "not root: what root would add" "root no as root refbench would also have"
check "the verdict names paranoid" "hardware counts: not here: perf_event_paranoid"

PARANOID=1 fake open; pmu
rc_of env RB_HWCHECK_ROOT="$F" "$RB" hwcheck
check "paranoid 1: allowed to every user" "paranoid ok kernel.perf_event_paranoid = 1"
check "... hardware counts possible" "hardware counts: possible here"

PARANOID=2 CAPS=0000004000000000 fake perfmon; pmu
rc_of env RB_HWCHECK_ROOT="$F" "$RB" hwcheck
check "paranoid 2 with CAP_PERFMON: allowed" "but this process has CAP_PERFMON"

PARANOID=2 fake nopmu
rc_of env RB_HWCHECK_ROOT="$F" "$RB" hwcheck
check "no PMU: said" "pmu no no CPU PMU in /sys/bus/event_source/devices (only software)"
check "... and the verdict says so" "hardware counts: not here: no PMU"

# pmem, kexec, watchdog; root's capabilities (CAP_SYS_ADMIN, CAP_SYS_BOOT)
CAPS=0000000000600000 PARANOID=2 fake full; pmu
mkdir -p "$F/sys/bus/nd/devices/region0" "$F/sys/bus/nd/devices/namespace0.0/block/pmem0" \
	"$F/sys/bus/dax/devices/dax1.0" "$F/sys/class/watchdog/watchdog0" "$F/usr/sbin"
echo fsdax >"$F/sys/bus/nd/devices/namespace0.0/mode"
echo 4294967296 >"$F/sys/bus/nd/devices/namespace0.0/size"
printf '#!/bin/sh\n' >"$F/usr/sbin/kexec"; chmod +x "$F/usr/sbin/kexec"
echo 0 >"$F/proc/sys/kernel/kexec_load_disabled"
touch "$F/dev/watchdog" "$F/dev/watchdog0"
echo iTCO_wdt >"$F/sys/class/watchdog/watchdog0/identity"
echo 30 >"$F/sys/class/watchdog/watchdog0/timeout"
echo inactive >"$F/sys/class/watchdog/watchdog0/state"
rc_of env RB_HWCHECK_ROOT="$F" "$RB" hwcheck
check "pmem: the region, namespace and dax device" "pmem ok 1 NVDIMM region: namespace0.0 fsdax 4.0 GiB (/dev/pmem0); dax: dax1.0"
check "kexec possible" "kexec ok /usr/sbin/kexec, kexec_load_disabled = 0"
check "the watchdog and its identity" "watchdog ok /dev/watchdog0: iTCO_wdt, timeout 30 s, inactive"
check "root" "root ok CAP_SYS_ADMIN"
check "CAP_SYS_ADMIN counts the kernel" "but this process has CAP_SYS_ADMIN"

CAPS=0000000000000000 fake nokexec
rc_of env RB_HWCHECK_ROOT="$F" "$RB" hwcheck
check "no kexec: the package and the kernel named" "no kexec program (apt install kexec-tools); this kernel cannot kexec"

# ---- a run that counted hardware events (written by hand), and a failed one
D=$TMP/hwrun
mkdir -p "$D/run"
jq -n '{status: "complete", clock: "CLOCK_MONOTONIC ns", suite: {name: "hwcheck"},
	counters: {source: "hw", fallback: null, events: ["cycles:k", "instructions:k"],
	selfcheck: {ran: true, verdict: "ok", loop_instructions: 10000000, user_instructions: 10000312,
	kernel_instructions: 1200, error: 0.0000312, multiplexed: false}}}' >"$D/run/meta.json"
for v in 100 110 120; do
	jq -nc --argjson v "$v" '{type: "sample", case: "fault", kind: "anon", params: {access: "write"},
		metric: "fault", unit: "ns/page", value: ($v * 3), ops: 2048,
		counters: {source: "hw", values: {"instructions:k": {per_op: $v}}}}'
done >"$D/run/samples.jsonl"
echo '{"missing": true}' >"$D/ndctl.json"
echo '{"error": "accel-probe: qemu-system-x86_64 not found"}' >"$D/accel.json"
rc_of env RB_HWCHECK_ROOT="$TMP/root-open" "$RB" hwcheck "$D"
[ "$RC" = 0 ] || not_ok "hwcheck DIR exited $RC: $(cat "$TMP/se")"
check "hw run: the events" "counters ok hardware: cycles:k, instructions:k"
check "hw run: the self-check" "selfcheck ok ok: a loop of 10000000 instructions counted 10000312 user, 1200 kernel"
check "hw run: medians of the clock and of instructions:k" "fault anon fault access=write 330 ns/page hw 110.0 insn:k"
check "a failed probe is said" "kvm no scripts/accel-probe failed: accel-probe: qemu-system-x86_64 not found"
check "a missing ndctl is said" "ndctl not installed (apt install ndctl)"
jq '.status = "failed"' "$D/run/meta.json" >"$D/m" && mv "$D/m" "$D/run/meta.json"
rc_of "$RB" hwcheck "$D"
[ "$RC" = 1 ] && check "a run that did not complete: exit 1" "run $D/run: failed" || not_ok "exit $RC, not 1"
rc_of "$RB" hwcheck "$TMP/nowhere"
expect 2 "give the folder scripts/hwcheck made" && ok "a DIR that is not there: exit 2, said"
rc_of "$ROOT/scripts/hwcheck" -o "$TMP/hw" --no-probe
expect 1 "exists; give another -o DIR" && ok "an -o DIR that exists is refused"
