#!/bin/bash
# Host mode's plan (refbench host-plan, scripts/host-ab): the state machine a
# real pmem machine walks through kexecs, panics and power cuts, driven
# here with simulated boots (--boot-id/--release/--cmdline), and the
# refusals, each before anything is written.
. "$(dirname "$0")/lib.sh"

K=$TMP/k
mk_kernel() {	# mk_kernel DIR RELEASE KEXEC(y|n)
	mkdir -p "$1"
	: >"$1/bzImage"
	if [ "$3" = y ]; then echo CONFIG_KEXEC=y; else echo '# CONFIG_KEXEC is not set'; fi >"$1/.config"
	echo "{\"kernelrelease\": \"$2\"}" >"$1/build-info.json"
}
mk_kernel "$K/a" 6.1.192 y
mk_kernel "$K/b" 6.1.192-canary y
mk_kernel "$K/nokexec" 6.1.192 n
: >"$K/orig"
S=$TMP/state
ORIG='console=ttyS0 panic=-1 init=/sbin/init'
BOOT=(--boot-id boot0 --release 6.0-orig --cmdline "$ORIG")
plan() { "$RB" host-plan "$@" "${BOOT[@]}"; }
boot() {	# boot ID RELEASE CMDLINE: what the next plan command sees
	BOOT=(--boot-id "$1" --release "$2" --cmdline "$3")
}
field() { jq -r ".$1 // empty" "$TMP/so"; }
status_of() { jq -r --arg l "$1" ".rounds[] | select(.label == \$l) | .status" "${2:-$S}/plan.json"; }
INIT=(--kernel-a "$K/a" --kernel-b "$K/b" --rounds 2 --suite "$ROOT/configs/suites/host-smoke.suite"
	--fsdax /mnt/pmem0 --devdax /dev/dax0.0 --append-b 'mitigations=off' --original-image "$K/orig")

# ---- refusals: nothing is written
rc_of plan init "$S" --kernel-a "$K/a" --kernel-b "$K/b" --rounds 2 --suite "$ROOT/configs/suites/host-smoke.suite" --original-image "$K/orig"
expect 2 "name the pmem to use"
rc_of plan init "$S" "${INIT[@]/#$K\/b/$K/nokexec}"
expect 2 "kernel B: $K/nokexec/.config has neither CONFIG_KEXEC=y nor CONFIG_KEXEC_FILE=y"
grep -qF -- "--add-fragment kexec" "$TMP/se" || fail "the KEXEC refusal names no fix: $(cat "$TMP/se")"
[ ! -e "$S/plan.json" ] || fail "a refused plan was written"
ok "refused: no namespace named, a kernel without CONFIG_KEXEC (nothing written)"

# ---- a new plan: A1 B1 A2 B2, and the same init again is a no-op
rc_of plan init "$S" "${INIT[@]}"
[ "$RC" = 0 ] || fail "init: $(cat "$TMP/se")"
id=$(cat "$TMP/so")
jq -e '.schema == 1 and .format == "refbench-host-plan" and .phase == "rounds" and
	([.rounds[].label] == ["A1", "B1", "A2", "B2"]) and ([.rounds[].status] | unique) == ["pending"] and
	.plan.original.release == "6.0-orig" and .plan.kernels.B.append == "mitigations=off" and
	.plan.fsdax == ["/mnt/pmem0"] and .plan.devdax == ["/dev/dax0.0"]' "$S/plan.json" >/dev/null ||
	fail "new plan: $(cat "$S/plan.json")"
rc_of plan init "$S" "${INIT[@]}"
[ "$RC" = 0 ] && [ "$(cat "$TMP/so")" = "$id" ] || fail "the same plan again: $(cat "$TMP/se")"
rc_of plan init "$S" "${INIT[@]/#2/3}"
expect 2 "holds another plan ($id; it differs in rounds: 3 here, 2 in the state dir)"
grep -qF "RESUME=$S" "$TMP/se" || fail "another plan: no RESUME hint"
ok "plan $id written; the same plan again continues it, another one is refused"

# ---- A1: switch, boot, run, done
rc_of plan next "$S"
[ "$(field action)/$(field round)" = switch/A1 ] || fail "first step: $(cat "$TMP/so")"
[ "$(field cmdline)" = "console=ttyS0 init=/sbin/init panic=10 refbench.host=$S refbench.round=A1" ] ||
	fail "A1 cmdline: $(field cmdline)"
[ "$(field image)" = "$K/a/bzImage" ] || fail "A1 image: $(field image)"
plan switch "$S" A1
boot boot1 6.1.192 "$(field cmdline)"
plan boot "$S" 2>/dev/null
[ "$(status_of A1)" = booted ] || fail "A1 after its boot: $(status_of A1)"
rc_of plan next "$S"
[ "$(field action)/$(field round)/$(field run)" = "run/A1/$S/runs/A1" ] || fail "A1 step: $(cat "$TMP/so")"
jq -e '.suite and .fsdax == ["/mnt/pmem0"] and .devdax == ["/dev/dax0.0"]' "$TMP/so" >/dev/null ||
	fail "run step lacks the suite or the named pmem: $(cat "$TMP/so")"
plan start "$S" A1 --run "$S/runs/A1"
rc_of plan next "$S"
[ "$(field action)" = busy ] || fail "a running round in this boot: $(cat "$TMP/so")"
plan finish "$S" A1 --status done
ok "A1: switch -> booted -> running -> done"

# ---- B1: the kernel panics on boot; panic=10 reboots into the default kernel
rc_of plan next "$S"
[ "$(field round)" = B1 ] || fail "after A1: $(cat "$TMP/so")"
case $(field cmdline) in *" mitigations=off panic=10 refbench.host=$S refbench.round=B1") ;;
*) fail "B1 cmdline lacks its append: $(field cmdline)" ;; esac
plan switch "$S" B1
boot boot2 6.0-orig "$ORIG"
echo 'Kernel panic - not syncing: VFS: Unable to mount root fs' >"$TMP/pstore"
rc_of plan boot "$S" --evidence "$TMP/pstore"
[ "$(status_of B1)" = failed ] || fail "B1 after a panic: $(status_of B1)"
jq -e '.rounds[1].reason | test("round B1.s kernel \\(6.1.192-canary\\) did not come up: this boot is 6.0-orig")' \
	"$S/plan.json" >/dev/null || fail "B1 reason: $(jq .rounds[1].reason "$S/plan.json")"
jq -e '.rounds[1].evidence | test("Unable to mount root")' "$S/plan.json" >/dev/null ||
	fail "B1 keeps no evidence: $(jq .rounds[1] "$S/plan.json")"
ok "B1: a kernel that never came up is failed, with the previous boot's pstore text"

# ---- A2: a power cut while the suite runs
rc_of plan next "$S"
[ "$(field action)/$(field round)" = switch/A2 ] || fail "after B1: $(cat "$TMP/so")"
plan switch "$S" A2
boot boot3 6.1.192 "$(field cmdline)"
plan boot "$S" 2>/dev/null
plan start "$S" A2 --run "$S/runs/A2"
boot boot4 6.0-orig "$ORIG"
plan boot "$S" 2>/dev/null
[ "$(status_of A2)" = failed ] || fail "A2 after a power cut: $(status_of A2)"
jq -e '.rounds[2].reason | test("ended before the round finished")' "$S/plan.json" >/dev/null ||
	fail "A2 reason: $(jq .rounds[2].reason "$S/plan.json")"
ok "A2: a round running when the boot ended is failed at the next boot"

# ---- B2: booted the wrong release (the image was replaced)
rc_of plan next "$S"
plan switch "$S" B2
boot boot5 6.1.999 "$(field cmdline)"
plan boot "$S" 2>/dev/null
jq -e '.rounds[3].status == "failed" and (.rounds[3].reason | test("booted release 6.1.999, but its kernel is 6.1.192-canary"))' \
	"$S/plan.json" >/dev/null || fail "B2: $(jq .rounds[3] "$S/plan.json")"
ok "B2: a boot of another release than the round's kernel is failed"

# ---- every round over, still in a plan kernel: return, then compare
rc_of plan next "$S"
[ "$(field action)" = return ] || fail "after the last round, in B2's boot: $(cat "$TMP/so")"
plan switch "$S" original
boot boot6 6.0-orig "$ORIG"
plan boot "$S" 2>/dev/null
rc_of plan next "$S"
[ "$(field action)" = compare ] || fail "back in the original kernel: $(cat "$TMP/so")"
rc_of plan runs "$S" A
[ "$(cat "$TMP/so")" = "$S/runs/A1" ] || fail "runs A: $(cat "$TMP/so")"
rc_of plan runs "$S" B
[ -z "$(cat "$TMP/so")" ] || fail "runs B: $(cat "$TMP/so")"
rc_of plan show "$S"
grep -q '^1 of 4 rounds done, 3 failed' "$TMP/so" && grep -q 'B1 .*failed .*did not come up' "$TMP/so" ||
	fail "show: $(cat "$TMP/so")"
plan compared "$S"
rc_of plan next "$S"
[ "$(field action)" = done ] || fail "after compared: $(cat "$TMP/so")"
ok "after the last round: return to the original kernel, compare, done; show names the missing rounds"

# ---- a panic in the last round ends in the original kernel: no return trip
S3=$TMP/state3
boot c0 6.0-orig "$ORIG"
plan init "$S3" "${INIT[@]/#2/1}" >/dev/null
rc_of plan next "$S3"; plan switch "$S3" A1
boot c1 6.1.192 "$(field cmdline)"; plan boot "$S3" 2>/dev/null
plan start "$S3" A1 --run "$S3/runs/A1"; plan finish "$S3" A1 --status done
rc_of plan next "$S3"; plan switch "$S3" B1
boot c2 6.0-orig "$ORIG"; plan boot "$S3" 2>/dev/null
rc_of plan next "$S3"
[ "$(field action)" = compare ] && [ "$(status_of B1 "$S3")" = failed ] ||
	fail "a panic in the last round: $(cat "$TMP/so")"
ok "a panic in the last round: the default kernel is the original, compare at once"

# ---- the return trip: the last round ends in a plan kernel
S2=$TMP/state2
boot b0 6.0-orig "$ORIG"
plan init "$S2" "${INIT[@]/#2/1}" >/dev/null
for l in A1 B1; do
	rc_of plan next "$S2"
	plan switch "$S2" "$l"
	boot "b$l" "$([ $l = A1 ] && echo 6.1.192 || echo 6.1.192-canary)" "$(field cmdline)"
	plan boot "$S2" 2>/dev/null
	plan start "$S2" "$l" --run "$S2/runs/$l"
	plan finish "$S2" "$l" --status done
done
rc_of plan next "$S2"
[ "$(field action)" = return ] && [ "$(field image)" = "$K/orig" ] && [ "$(field cmdline)" = "$ORIG" ] ||
	fail "return step: $(cat "$TMP/so")"
plan switch "$S2" original
boot b-back 6.0-orig "$ORIG"
plan boot "$S2" 2>/dev/null
jq -e '.phase == "returned"' "$S2/plan.json" >/dev/null || fail "after the return: $(jq .phase "$S2/plan.json")"
rc_of plan next "$S2"
[ "$(field action)" = compare ] || fail "after the return: $(cat "$TMP/so")"
rc_of plan runs "$S2" B
[ "$(cat "$TMP/so")" = "$S2/runs/B1" ] || fail "runs B: $(cat "$TMP/so")"
ok "after the last round, the original kernel's own command line (panic=-1 kept), then compare"

# ---- the failed rounds, one line each, into the report
rc_of plan missing "$S"
[ "$(wc -l <"$TMP/so")" = 3 ] && grep -q '^B1 (6.1.192-canary): round B1.s kernel' "$TMP/so" &&
	grep -q '^A2 (6.1.192): the boot that ran round A2 ended' "$TMP/so" || fail "missing: $(cat "$TMP/so")"
for r in ra rb; do
	"$RB" run --case null --kind - -p loops=10 --repeat 3 --warmup 0 -o "$TMP/$r" --quiet >/dev/null
done
mapfile -t miss <"$TMP/so"
rc_of "$RB" compare --no-plots -o "$TMP/cmp" "${miss[@]/#/--missing=}" "$TMP/ra" "$TMP/rb"
[ -f "$TMP/cmp/report.txt" ] || fail "compare --missing: $(cat "$TMP/se")"
grep -q '^Missing: B1 (6.1.192-canary): round B1' "$TMP/cmp/report.txt" &&
	jq -e '.missing_boots | length == 3' "$TMP/cmp/report.json" >/dev/null ||
	fail "the report does not name the missing rounds: $(grep -A6 Missing "$TMP/cmp/report.txt")"
awk 'length > 72 { exit 1 }' "$TMP/cmp/report.txt" || fail "report.txt is wider than 72 columns"
ok "host-plan missing: the failed rounds with their reasons, listed in report.txt and report.json"

# ---- host-plan compare: the done rounds compared, the plan over
for l in $(jq -r '.rounds[] | select(.status == "done") | .label' "$S2/plan.json"); do
	"$RB" run --case null --kind - -p loops=10 --repeat 3 --warmup 0 -o "$S2/runs/$l" --quiet >/dev/null
done
rc_of plan compare "$S2"
[ -f "$S2/report/report.txt" ] && [ -f "$S2/report/rounds.txt" ] && [ -f "$S2/rounds.txt" ] ||
	fail "host-plan compare: $(cat "$TMP/se"); $(ls "$S2")"
jq -e --arg r "$S2/report" '.phase == "compared" and .report == $r' "$S2/plan.json" >/dev/null ||
	fail "after compare: $(jq -c '{phase, report}' "$S2/plan.json")"
grep -q "^Reproduce: scripts/host-ab --show $S2" "$S2/report/report.txt" || fail "reproduce line: $(grep -i reproduce "$S2/report/report.txt")"
ok "host-plan compare: the done rounds compared into STATE/report, rounds.txt beside it, the plan compared"

# ---- the plan as LAVA jobs: one per round, in plan order, valid YAML
rc_of "$RB" host-plan lava "$S" --url-base http://lab.example/k "${BOOT[@]}"
[ "$RC" = 0 ] || fail "lava: $(cat "$TMP/se")"
[ "$(grep -c '^job_name: ' "$TMP/so")" = 4 ] || fail "lava: not 4 jobs: $(cat "$TMP/so")"
grep -q "kernel: {url: \"http://lab.example/k$K/b/bzImage\", type: bzimage}" "$TMP/so" &&
	grep -q 'extra_kernel_args: "mitigations=off"' "$TMP/so" &&
	grep -q -- '--fsdax /mnt/pmem0 --devdax /dev/dax0.0; then lava-test-case B2 --result pass' "$TMP/so" ||
	fail "lava jobs: $(cat "$TMP/so")"
if python3 -c 'import yaml' 2>/dev/null; then
	python3 -c 'import sys, yaml; d = list(yaml.safe_load_all(open(sys.argv[1])));
assert [j["metadata"]["refbench.round"] for j in d] == ["A1", "B1", "A2", "B2"], d' "$TMP/so" ||
		fail "lava jobs are not the rounds in YAML"
fi
ok "host-plan lava: one LAVA job per round, A1 B1 A2 B2, kernel URL, extra args, the named pmem"

# ---- a damaged or foreign plan file is refused, and left as it is
echo '{"format": "something-else"}' >"$S2/plan.json"
rc_of plan next "$S2"
expect 1 "not a refbench host plan"
jq '.schema = 99' "$S/plan.json" >"$TMP/p" && cp "$TMP/p" "$S/plan.json"
rc_of plan boot "$S"
expect 1 "schema 99; this refbench reads schema 1"
jq -e '.schema == 99' "$S/plan.json" >/dev/null || fail "a refused plan was changed"
ok "a foreign format or schema is refused and not changed"

# ---- host-ab's refusals, before anything is written
HAB=$ROOT/scripts/host-ab
rc_of "$HAB" --kernel-a "$K/a" --kernel-b "$K/b" --state "$TMP/s3"
expect 2 "name the pmem to use"
rc_of env PATH=/usr/bin:/bin "$HAB" --kernel-a "$K/a" --kernel-b "$K/b" --fsdax / --state "$TMP/s3"
expect 1 "kexec not found: install kexec-tools"
if command -v kexec >/dev/null; then
	rc_of "$HAB" --kernel-a "$K/a" --kernel-b "$K/b" --fsdax "$TMP" --state "$TMP/s3"
	expect 2 "--fsdax $TMP: not a mount point"
	rc_of "$HAB" --kernel-a "$K/a" --kernel-b "$K/b" --fsdax / --state "$TMP/s3"
	expect 2 "--fsdax / is mounted without DAX"
	rc_of "$HAB" --kernel-a "$K/a" --kernel-b "$K/b" --devdax /dev/null --state "$TMP/s3"
	expect 2 "--devdax /dev/null: not a device-DAX character device"
fi
[ ! -e "$TMP/s3" ] || fail "host-ab wrote a state dir while refusing"
ok "host-ab refuses an unnamed namespace, a missing kexec, a non-DAX mount, a non-DAX device"
