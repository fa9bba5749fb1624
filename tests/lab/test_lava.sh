#!/bin/bash
# One lab boot as a LAVA job (docs/lava.md), without a server: the job that
# refbench plan lava-job makes of the lab's QEMU command passes LAVA's own
# checks (lava_common.schemas strict, lava-run --validate), lava-run (the dispatcher
# alone, with the refbench-qemu device type as its device) runs it
# (scripts/plan-lava, RB_LAVA_URL=local), the run it brings home from the
# job's log validates, and its samples are byte-identical to those of the
# same boot run by scripts/lab (deterministic mode); a job LAVA ends
# Incomplete (a kernel that panics) leaves a failed run that says why, as
# a failed lab boot does (the plan boots it again on resume). Skips without
# lava-dispatcher (scripts/deps --lava). Exit 0 pass, 1 fail, 77 skip.
. "$(dirname "$0")/lib.sh"

[ -x /usr/bin/lava-run ] || skip "lava-dispatcher is not installed (scripts/deps --lava): no lava-run"
lab_needs qemu-system-x86_64 jq
lab_built
lab_kernel
lab_tmp lava
echo 'gup-fast anon cmd=gup size=16M repeat=1 warmup=0' >"$TMP/lava.suite"
args=(--kernel "$KERNEL" --mode deterministic --suite "$TMP/lava.suite")

# the job, from the lab's own command line (a stand-in initrd: the real one
# exists only while scripts/lab boots)
mapfile -t qcmd < <("$REPO/scripts/lab" "${args[@]}" --dry-run 2>/dev/null | tail -n 1 | xargs -n 1 printf '%s\n')
[ "${#qcmd[@]}" -gt 10 ] || fail "scripts/lab --dry-run printed no QEMU command"
: >"$TMP/initrd"
for i in "${!qcmd[@]}"; do [ "${qcmd[$i]}" != -initrd ] || qcmd[$((i + 1))]=$TMP/initrd; done
"$RB" plan lava-job -- "${qcmd[@]}" >"$TMP/job.yaml" || fail "refbench plan lava-job failed"
"$REPO/scripts/plan-lava" --validate "$TMP/job.yaml" 2>"$TMP/validate.err" ||
	fail "LAVA refuses the job: $(tail -n 3 "$TMP/validate.err")"
ok "the job passes LAVA's own checks (lava_common.schemas strict, lava-run --validate)"

t0=$SECONDS
rc=0
RB_LAVA_URL=local "$REPO/scripts/plan-lava" "${args[@]}" -o "$TMP/lava" >"$TMP/lava.out" 2>"$TMP/lava.err" || rc=$?
t_lava=$((SECONDS - t0))
RUN=$TMP/lava
[ "$rc" = 0 ] || { tail -n 20 "$TMP/lava.err"; fail "scripts/plan-lava exited $rc"; }
[ "$(tail -n 1 "$TMP/lava.out")" = "$RUN" ] || fail "scripts/plan-lava did not print its run last"
grep -q -- '-serial stdio' "$RUN/lava-job.yaml" && grep -q 'readonly=on' "$RUN/lava-job.yaml" ||
	fail "the job kept with the run is not the LAVA form of the lab's command"
grep -q '"lvl": "target"' "$RUN/lava.log" || fail "the job's log kept with the run has no console lines"
"$RB" validate "$RUN/run" >/dev/null || fail "the run brought home from the LAVA job does not validate"
jq -e '.outcome.status == "complete" and .outcome.guest_exit == 0' "$RUN/lab.json" >/dev/null ||
	fail "lab.json's outcome: $(jq -c .outcome "$RUN/lab.json")"
grep -q '^refbench-lab: exit 0' "$RUN/serial.log" || fail "serial.log (from the job's log) lacks the guest's exit"
ok "lava-run ran the job in ${t_lava}s; its run validates, complete"

t0=$SECONDS
rc=0
RUN=$TMP/lab
"$REPO/scripts/lab" "${args[@]}" -o "$RUN" >"$TMP/lab.out" 2>"$TMP/lab.err" || rc=$?
t_lab=$((SECONDS - t0))
[ "$rc" = 0 ] || { tail -n 20 "$TMP/lab.err"; fail "scripts/lab exited $rc"; }
"$RB" validate "$RUN/run" >/dev/null || fail "the lab's run does not validate"
ok "scripts/lab booted the same in ${t_lab}s"

[ "$(jq -s 'map(select(.type == "sample")) | length' "$TMP/lab/run/samples.jsonl")" -gt 0 ] ||
	fail "the lab's boot has no accepted sample to compare"
cmp -s "$TMP/lava/run/samples.jsonl" "$TMP/lab/run/samples.jsonl" ||
	fail "samples differ: $(diff <(jq -c .value "$TMP/lab/run/samples.jsonl") <(jq -c .value "$TMP/lava/run/samples.jsonl") | head -4 | tr '\n' ' ')"
ok "the LAVA job's samples are byte-identical to the lab's"

# a job LAVA ends Incomplete: no init, so the kernel panics and QEMU exits
# (the least memory the lab allows: it panics before pmem is set up)
RUN=$TMP/panic
rc=0
RB_LAVA_URL=local "$REPO/scripts/plan-lava" "${args[@]}" --append rdinit=/nonexistent --mem 512M --pmem-size 1G \
	--fsdax-size 512M --devdax2m-size 0 --devdax1g-size 0 -o "$RUN" \
	>"$TMP/panic.out" 2>"$TMP/panic.err" || rc=$?
[ "$rc" = 1 ] || { tail -n 20 "$TMP/panic.err"; fail "scripts/plan-lava exited $rc for a kernel that panics, expected 1"; }
grep -q '"lvl": "results".*"result": "fail"' "$RUN/lava.log" || fail "LAVA did not end the job failed"
jq -e '.outcome.status == "failed" and (.outcome.reason | test("panic"))' "$RUN/lab.json" >/dev/null ||
	fail "the failed job's run: $(jq -c .outcome "$RUN/lab.json")"
"$RB" validate "$RUN/run" >"$TMP/validate.out" 2>&1 && grep -q "valid, failed" "$TMP/validate.out" ||
	fail "the failed boot's run: validate says $(cat "$TMP/validate.out")"
ok "a job LAVA ends failed (kernel panic) is a failed boot: $(jq -r .outcome.reason "$RUN/lab.json" | cut -c1-60)"
