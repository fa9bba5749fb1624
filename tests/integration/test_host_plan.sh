#!/bin/bash
# Host mode's plan (refbench plan, job host-ab; scripts/host-ab carries it
# out): the state machine a real pmem machine walks through kexecs, panics
# and power cuts, driven here with simulated boots (RB_BOOT_ID,
# RB_BOOT_RELEASE, RB_BOOT_CMDLINE), step by step as `plan next` names
# them; the refusals, each before anything is written; and compare taking
# the resumed and missing boots from the plan beside the runs.
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
mkdir -p "$S"
S=$(cd "$S" && pwd -P)
ORIG='console=ttyS0 panic=-1 init=/sbin/init'
boot() { export RB_BOOT_ID=$1 RB_BOOT_RELEASE=$2 RB_BOOT_CMDLINE=$3; }
boot boot0 6.0-orig "$ORIG"
init() { "$RB" plan init host-ab --repo "$ROOT" "$@"; }
rec() { "$RB" plan record "$@" 2>/dev/null; }
# next STATE: the next step into STEP[] (one word a line), the exit in RC
next() { rc_of "$RB" plan next "$1"; mapfile -t STEP <"$TMP/so"; }
# seen STATE [FILE]: this boot's first step (the previous boot's evidence), taken
seen() {
	next "$1"
	[ "${STEP[0]}" = evidence ] || fail "a new boot's first step: ${STEP[*]}"
	rec "$1" booted "${2:-/dev/null}"
}
status_of() { jq -r --arg l "$1" '.boots[] | select(.label == $l) | .status' "${2:-$S}/plan.json"; }
INIT=(--kernel-a "$K/a" --kernel-b "$K/b" --rounds 2 --suite "$ROOT/configs/suites/host-smoke.suite"
	--fsdax /mnt/pmem0 --devdax /dev/dax0.0 --append-b 'mitigations=off' --original-image "$K/orig")

# ---- refusals: nothing is written
rc_of init --state "$S" --kernel-a "$K/a" --kernel-b "$K/b" --rounds 2 --original-image "$K/orig"
expect 2 "name the pmem to use"
rc_of init --state "$S" "${INIT[@]/#$K\/b/$K/nokexec}"
expect 2 "kernel B: $K/nokexec/.config has neither CONFIG_KEXEC=y nor CONFIG_KEXEC_FILE=y"
grep -qF -- "--add-fragment kexec" "$TMP/se" || fail "the KEXEC refusal names no fix: $(cat "$TMP/se")"
[ ! -e "$S/plan.json" ] || fail "a refused plan was written"
ok "refused: no namespace named, a kernel without CONFIG_KEXEC (nothing written)"

# ---- a new plan: A1 B1 A2 B2, and the same init again is a no-op
rc_of init --state "$S" "${INIT[@]}"
[ "$RC" = 0 ] && [ "$(cat "$TMP/so")" = "$S" ] || fail "init: $(cat "$TMP/so") $(cat "$TMP/se")"
id=$(jq -r .id "$S/plan.json")
jq -e '.schema == 1 and .format == "refbench-plan" and .job == "host-ab" and .phase == "rounds" and
	([.boots[].label] == ["A1", "B1", "A2", "B2"]) and ([.boots[].status] | unique) == ["pending"] and
	.settings.original.release == "6.0-orig" and .kernels[1].append == "mitigations=off" and
	.settings.fsdax == ["/mnt/pmem0"] and .settings.devdax == ["/dev/dax0.0"] and .rounds == 2' "$S/plan.json" >/dev/null ||
	fail "new plan: $(cat "$S/plan.json")"
rc_of init --state "$S" "${INIT[@]}"
[ "$RC" = 0 ] && [ "$(cat "$TMP/so")" = "$S" ] || fail "the same plan again: $(cat "$TMP/se")"
rc_of init --state "$S" "${INIT[@]/#2/3}"
expect 2 "holds another plan ($id; it differs in rounds: 3 here, 2 in the state dir)"
grep -qF "RESUME=$S" "$TMP/se" || fail "another plan: no RESUME hint"
rc_of "$RB" plan init host-ab --resume "$S"
[ "$RC" = 0 ] && [ "$(cat "$TMP/so")" = "$S" ] || fail "--resume: $(cat "$TMP/se")"
ok "plan $id written (refbench-plan/1, job host-ab); the same plan again continues it, another one is refused"

# ---- A1: switch, boot, run, done
seen "$S"
next "$S"
[ "${STEP[0]}/${STEP[1]}" = kexec/A1 ] || fail "first step: ${STEP[*]}"
[ "${STEP[3]}" = "console=ttyS0 init=/sbin/init panic=10 refbench.host=$S refbench.round=A1" ] ||
	fail "A1 cmdline: ${STEP[3]}"
[ "${STEP[2]}" = "$K/a/bzImage" ] || fail "A1 image: ${STEP[2]}"
rec "$S" kexec A1 0
boot boot1 6.1.192 "${STEP[3]}"
seen "$S"
[ "$(status_of A1)" = booted ] || fail "A1 after its boot: $(status_of A1)"
next "$S"
[ "${STEP[*]:0:3}" = "run A1 $S/runs/A1" ] || fail "A1 step: ${STEP[*]}"
[ "${STEP[*]:3}" = "run --suite $ROOT/configs/suites/host-smoke.suite -o $S/runs/A1 --fsdax /mnt/pmem0 --devdax /dev/dax0.0" ] ||
	fail "run step lacks the suite or the named pmem: ${STEP[*]}"
[ "$(status_of A1)" = running ] || fail "A1 while its suite runs: $(status_of A1)"
next "$S"
[ "$RC" = 1 ] && grep -q "round A1 is running in this boot already" "$TMP/se" || fail "a running round in this boot: $(cat "$TMP/se")"
rec "$S" boot A1 0
ok "A1: kexec -> booted -> running -> done"

# ---- B1: the kernel panics on boot; panic=10 reboots into the default kernel
next "$S"
[ "${STEP[1]}" = B1 ] || fail "after A1: ${STEP[*]}"
case ${STEP[3]} in *" mitigations=off panic=10 refbench.host=$S refbench.round=B1") ;;
*) fail "B1 cmdline lacks its append: ${STEP[3]}" ;; esac
rec "$S" kexec B1 0
boot boot2 6.0-orig "$ORIG"
echo 'Kernel panic - not syncing: VFS: Unable to mount root fs' >"$TMP/pstore"
seen "$S" "$TMP/pstore"
[ "$(status_of B1)" = failed ] || fail "B1 after a panic: $(status_of B1)"
jq -e '.boots[1].reason | test("round B1.s kernel \\(6.1.192-canary\\) did not come up: this boot is 6.0-orig")' \
	"$S/plan.json" >/dev/null || fail "B1 reason: $(jq .boots[1].reason "$S/plan.json")"
jq -e '.boots[1].evidence | test("Unable to mount root")' "$S/plan.json" >/dev/null ||
	fail "B1 keeps no evidence: $(jq .boots[1] "$S/plan.json")"
ok "B1: a kernel that never came up is failed, with the previous boot's pstore text"

# ---- A2: a power cut while the suite runs
next "$S"
[ "${STEP[0]}/${STEP[1]}" = kexec/A2 ] || fail "after B1: ${STEP[*]}"
rec "$S" kexec A2 0
boot boot3 6.1.192 "${STEP[3]}"
seen "$S"
next "$S"
boot boot4 6.0-orig "$ORIG"
seen "$S"
[ "$(status_of A2)" = failed ] || fail "A2 after a power cut: $(status_of A2)"
jq -e '.boots[2].reason | test("ended before the round finished")' "$S/plan.json" >/dev/null ||
	fail "A2 reason: $(jq .boots[2].reason "$S/plan.json")"
ok "A2: a round running when the boot ended is failed at the next boot"

# ---- B2: booted the wrong release (the image was replaced)
next "$S"
rec "$S" kexec B2 0
boot boot5 6.1.999 "${STEP[3]}"
seen "$S"
jq -e '.boots[3].status == "failed" and (.boots[3].reason | test("booted release 6.1.999, but its kernel is 6.1.192-canary"))' \
	"$S/plan.json" >/dev/null || fail "B2: $(jq .boots[3] "$S/plan.json")"
ok "B2: a boot of another release than the round's kernel is failed"

# ---- every round over, still in a plan kernel: return, then the end
next "$S"
[ "${STEP[0]}/${STEP[1]}" = kexec/original ] || fail "after the last round, in B2's boot: ${STEP[*]}"
rec "$S" kexec original 0
boot boot6 6.0-orig "$ORIG"
seen "$S"
jq -e '.phase == "returned"' "$S/plan.json" >/dev/null || fail "after the return: $(jq .phase "$S/plan.json")"
next "$S"
[ "${STEP[*]}" = "end 0 $S" ] || fail "back in the original kernel, B without a run: ${STEP[*]}"
grep -q '^1 of 4 rounds done, 3 failed' "$S/rounds.txt" && grep -q 'B1 .*failed .*did not come up' "$S/rounds.txt" ||
	fail "rounds.txt: $(cat "$S/rounds.txt")"
grep -q '1 of 4 rounds done' "$TMP/se" || fail "the end does not show the rounds: $(cat "$TMP/se")"
rc_of "$RB" plan show "$S"
grep -q '^1 of 4 rounds done, 3 failed' "$TMP/so" || fail "show: $(cat "$TMP/so")"
jq -e '.phase == "compared" and .report == null' "$S/plan.json" >/dev/null || fail "phase: $(jq -c '{phase, report}' "$S/plan.json")"
rec "$S" ended
next "$S"
[ "${STEP[*]}" = "done 0 $S" ] && grep -q "plan in $S is complete" "$TMP/se" || fail "after the end: ${STEP[*]} $(cat "$TMP/se")"
ok "after the last round: return to the original kernel, the end (no comparison: B has no run), then done"

# ---- a panic in the last round ends in the original kernel: no return trip
S3=$TMP/state3
boot c0 6.0-orig "$ORIG"
S3=$(init --state "$S3" "${INIT[@]/#2/1}")
seen "$S3"; next "$S3"; rec "$S3" kexec A1 0
boot c1 6.1.192 "${STEP[3]}"; seen "$S3"; next "$S3"; rec "$S3" boot A1 0
next "$S3"; rec "$S3" kexec B1 0
boot c2 6.0-orig "$ORIG"; seen "$S3"
next "$S3"
[ "${STEP[0]}" = end ] && [ "$(status_of B1 "$S3")" = failed ] || fail "a panic in the last round: ${STEP[*]}"
ok "a panic in the last round: the default kernel is the original, no return trip"

# ---- the return trip, then the comparison of the done rounds
S2=$TMP/state2
boot b0 6.0-orig "$ORIG"
S2=$(init --state "$S2" "${INIT[@]/#2/1}")
seen "$S2"
for l in A1 B1; do
	next "$S2"
	rec "$S2" kexec "$l" 0
	boot "b$l" "$([ $l = A1 ] && echo 6.1.192 || echo 6.1.192-canary)" "${STEP[3]}"
	seen "$S2"
	next "$S2"
	[ "${STEP[0]}/${STEP[1]}" = "run/$l" ] || fail "$l: ${STEP[*]}"
	"$RB" run --case null --kind - -p loops=10 --repeat 3 --warmup 0 -o "${STEP[2]}" --quiet >/dev/null
	rec "$S2" boot "$l" 0
done
next "$S2"
[ "${STEP[0]}/${STEP[1]}/${STEP[2]}/${STEP[3]}" = "kexec/original/$K/orig/$ORIG" ] || fail "return step: ${STEP[*]}"
rec "$S2" kexec original 0
boot b-back 6.0-orig "$ORIG"
seen "$S2"
jq -e '.phase == "returned"' "$S2/plan.json" >/dev/null || fail "after the return: $(jq .phase "$S2/plan.json")"
next "$S2"
[ "${STEP[0]}" = compare ] || fail "after the return: ${STEP[*]}"
[ "${STEP[-2]}/${STEP[-1]}" = "$S2/runs/A1/$S2/runs/B1" ] || fail "compare's runs: ${STEP[*]}"
rc_of "$RB" "${STEP[@]:1}"
[ "$RC" = 0 ] || fail "the compare step: $(cat "$TMP/se")"
rec "$S2" compare 0
next "$S2"
[ "${STEP[0]}" = end ] && [ -f "$S2/report/report.txt" ] && [ -f "$S2/report/rounds.txt" ] && [ -f "$S2/rounds.txt" ] ||
	fail "the end: ${STEP[*]}; $(ls "$S2")"
jq -e --arg r "$S2/report" '.phase == "compared" and .report == $r' "$S2/plan.json" >/dev/null ||
	fail "after compare: $(jq -c '{phase, report}' "$S2/plan.json")"
grep -q "^Reproduce: scripts/host-ab --show $S2" "$S2/report/report.txt" || fail "reproduce line: $(grep -i reproduce "$S2/report/report.txt")"
ok "after the last round, the original kernel's own command line (panic=-1 kept); the done rounds compared into STATE/report"

# ---- compare reads the plan beside the runs: the failed rounds are missing
S4=$TMP/state4
boot d0 6.0-orig "$ORIG"
S4=$(init --state "$S4" "${INIT[@]}")
seen "$S4"
for l in A1 B1 A2 B2; do
	next "$S4"
	[ "${STEP[0]}/${STEP[1]}" = "kexec/$l" ] || fail "S4 $l: ${STEP[*]}"
	if [ "$l" = A2 ]; then
		echo 'kexec_load failed: Invalid argument' >"$TMP/kexec.err"
		rec "$S4" kexec A2 1 "$TMP/kexec.err"
		continue
	fi
	rec "$S4" kexec "$l" 0
	boot "d$l" "$([ ${l:0:1} = A ] && echo 6.1.192 || echo 6.1.192-canary)" "${STEP[3]}"
	seen "$S4"
	next "$S4"
	"$RB" run --case null --kind - -p loops=10 --repeat 3 --warmup 0 -o "${STEP[2]}" --quiet >/dev/null
	rec "$S4" boot "$l" 0
done
[ "$(status_of A2 "$S4")" = failed ] || fail "A2 with kexec -l refused: $(status_of A2 "$S4")"
rc_of "$RB" compare --no-plots -o "$TMP/cmp4" "$S4/runs/A1" "$S4/runs/B1,$S4/runs/B2"
[ "$RC" = 0 ] || fail "compare of a plan's runs: $(cat "$TMP/se")"
grep -q '^Missing: A2 (6.1.192): kexec -l refused its kernel: kexec_load failed' "$TMP/cmp4/report.txt" &&
	jq -e '.missing_boots | length == 1' "$TMP/cmp4/report.json" >/dev/null ||
	fail "the plan's failed round is not missing: $(grep -A3 Missing "$TMP/cmp4/report.txt")"
rc_of "$RB" compare --no-plots -o "$TMP/cmp5" --plan "$S4" "$S4/runs/A1" "$S4/runs/B1"
grep -q '^Missing: A2 (6.1.192)' "$TMP/cmp5/report.txt" || fail "--plan STATE: $(cat "$TMP/se")"
rc_of "$RB" compare --no-plots -o "$TMP/cmp6" --plan "$S4" --missing x "$S4/runs/A1" "$S4/runs/B1"
expect 2 "names the resumed and missing boots itself: drop --resumed and --missing"
rc_of "$RB" compare --no-plots -o "$TMP/cmp6" --plan "$S4/plan.json" "$S2/runs/A1" "$S4/runs/B1"
expect 2 "$S2/runs/A1 is not a boot's run in the plan $S4/plan.json"
ok "compare takes the missing rounds from the plan beside the runs (or --plan), and refuses runs not in it"

# ---- runs made before the plan existed: --missing says it, as before
printf 'B1 (6.1.192-canary): round B1 did not come up\nA2 (6.1.192): the boot ended\n' >"$TMP/miss"
for r in ra rb; do
	"$RB" run --case null --kind - -p loops=10 --repeat 3 --warmup 0 -o "$TMP/$r" --quiet >/dev/null
done
mapfile -t miss <"$TMP/miss"
rc_of "$RB" compare --no-plots -o "$TMP/cmp" "${miss[@]/#/--missing=}" "$TMP/ra" "$TMP/rb"
[ -f "$TMP/cmp/report.txt" ] || fail "compare --missing: $(cat "$TMP/se")"
grep -q '^Missing: B1 (6.1.192-canary): round B1' "$TMP/cmp/report.txt" &&
	jq -e '.missing_boots | length == 2' "$TMP/cmp/report.json" >/dev/null ||
	fail "the report does not name the missing rounds: $(grep -A6 Missing "$TMP/cmp/report.txt")"
awk 'length > 72 { exit 1 }' "$TMP/cmp/report.txt" || fail "report.txt is wider than 72 columns"
ok "runs without a plan: compare --missing lists the boots in report.txt and report.json"

# ---- the plan as LAVA jobs: one per round, in plan order, valid YAML
rc_of "$RB" plan host-lava "$S" --url-base http://lab.example/k
[ "$RC" = 0 ] || fail "lava: $(cat "$TMP/se")"
[ "$(grep -c '^job_name: ' "$TMP/so")" = 4 ] || fail "lava: not 4 jobs: $(cat "$TMP/so")"
grep -q "kernel: {url: \"http://lab.example/k$K/b/bzImage\"}" "$TMP/so" &&
	grep -q 'extra_kernel_args: "mitigations=off"' "$TMP/so" &&
	grep -q -- '--fsdax /mnt/pmem0 --devdax /dev/dax0.0; then lava-test-case B2 --result pass' "$TMP/so" ||
	fail "lava jobs: $(cat "$TMP/so")"
if python3 -c 'import yaml' 2>/dev/null; then
	python3 -c 'import sys, yaml; d = list(yaml.safe_load_all(open(sys.argv[1])));
assert [j["metadata"]["refbench.round"] for j in d] == ["A1", "B1", "A2", "B2"], d' "$TMP/so" ||
		fail "lava jobs are not the rounds in YAML"
fi
schema=''
if /usr/bin/python3 -c 'import lava_common.schemas' 2>/dev/null; then
	# LAVA's own check, the one a server makes at submission (strict)
	/usr/bin/python3 -c 'import sys, yaml
from lava_common.schemas import validate
for job in yaml.safe_load_all(open(sys.argv[1])):
    validate(job, strict=True)' "$TMP/so" 2>"$TMP/schema.err" || fail "LAVA's schema refuses a host-lava job: $(tail -n 1 "$TMP/schema.err")"
	schema=", each valid by LAVA's schema (strict)"
fi
ok "plan host-lava: one LAVA job per round, A1 B1 A2 B2, kernel URL, extra args, the named pmem$schema"

# ---- a damaged, foreign or old-format plan file is refused, and left as it is
echo '{"format": "something-else"}' >"$S2/plan.json"
next "$S2"
expect 1 "is not a plan of this refbench"
printf '{"schema": 1, "format": "refbench-host-plan", "id": "x", "phase": "rounds"}\n' >"$S3/plan.json"
next "$S3"
expect 1 "is a host plan of the old format refbench-host-plan, which this refbench no longer reads"
grep -qF "start it again with scripts/host-ab" "$TMP/se" || fail "the old format's refusal says not what to do: $(cat "$TMP/se")"
rc_of "$ROOT/scripts/host-ab" --continue "$S3"
expect 1 "old format refbench-host-plan"
jq -e '.format == "refbench-host-plan"' "$S3/plan.json" >/dev/null || fail "a refused plan was changed"
ok "a foreign format, or host mode's old refbench-host-plan, is refused with what to do, and not changed"

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
