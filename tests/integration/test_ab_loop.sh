#!/bin/bash
# scripts/ab's loop without QEMU: a scratch tree holds the real
# scripts/ab and refbench, with kernels/build and scripts/lab replaced by
# stubs that return synthetic deterministic runs. Checks ROUNDS=auto
# (looks until compare says stop) and ALLOW_MISSING. Nothing here
# depends on timing: the budget only caps the rounds.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/compare_lib.sh"

F=$TMP/tree
mkdir -p "$F/scripts" "$F/kernels" "$F/bench" "$F/configs/suites" "$F/results" "$F/kA" "$F/kB"
cp "$ROOT/scripts/ab" "$ROOT/scripts/plan-run" "$ROOT/scripts/lib.sh" "$F/scripts/"
ln -s "$ROOT/bench/refbench" "$F/bench/refbench"
cp "$ROOT/configs/suites/ab-smoke.suite" "$F/configs/suites/"
: >"$F/kA/bzImage"
: >"$F/kB/bzImage"
cat >"$F/kernels/build" <<'STUB'
#!/bin/bash
# stub: +PATCHES builds kernel B, anything else kernel A
case " $* " in *" --patches "*) echo "$(dirname "$0")/../kB" ;; *) echo "$(dirname "$0")/../kA" ;; esac
STUB
# stub lab: one run per boot; B adds one instruction per page to get;
# the munmap of kernel A differs between its boots (the perturbed one);
# LOSE_PUT drops put in B
cat >"$F/scripts/lab" <<STUB
#!/bin/bash
set -eu
# --dry-run: the lab record scripts/ab sizes its parallel boots from
case " \$* " in *" --dry-run "*)
	echo '{"qemu": {"mem_mib": 64}, "pmem": {"size_mib": 64, "label_size_mib": 2}, "root": {"kind": "initramfs"}}'
	echo "qemu-system-x86_64 ..."; exit 0 ;; esac
k=\$(basename "\$(sed -n 's/.*--kernel \([^ ]*\).*/\1/p' <<<"\$*")")
# boots run side by side: count them under a lock, and tell the rounds
# apart by the perturbation scripts/ab gives every round after the first
exec 9>"$F/boots.lock"; flock 9
n=\$(( \$(cat "$F/boots" 2>/dev/null || echo 0) + 1 )); echo \$n >"$F/boots"
flock -u 9
case " \$* " in *" --perturb "*) perturbed=1 ;; *) perturbed=0 ;; esac
# STUB_SLOW=1: a boot that takes 4 s and says its phases, as scripts/lab does
if [ -n "\${STUB_SLOW:-}" ] && [ -n "\${RB_LAB_STATUS:-}" ]; then
	echo "pmem set-up" >"\$RB_LAB_STATUS"; sleep 2
	echo "case 1/3 get pin" >"\$RB_LAB_STATUS"; sleep 2
fi
# the lab arguments a boot got
echo "\$*" >>"$F/lab-args"
# STUB_SQUEEZE=FILE: another job takes the memory once this boot runs
[ -z "\${STUB_SQUEEZE:-}" ] || echo 'MemAvailable:       1024 kB' >"\$STUB_SQUEEZE"
# FAIL_BOOT=N: boot N fails, as a lab boot whose QEMU was killed does
[ "\$n" != "\${FAIL_BOOT:-}" ] || { echo "stub: boot \$n failed" >&2; exit 1; }
TMP=$TMP	# for the seed run's meta.json
spec() { $(declare -f spec | tail -n +2)
}
$(declare -f mk_run certify)
export META_JQ=".stub_boot = \$n"	# each boot its own record, as the lab's run ids make it
get=81.6; mun=480; [ \$k = kA ] && [ \$perturbed = 1 ] && mun=480.5
[ \$k = kA ] || get=82.6
if [ \$k = kB ] && [ -n "\${LOSE_PUT:-}" ]; then
	mk_run "$F/runs/\$n" icount "\$(spec get \$get 0 5 0)" "\$(spec munmap \$mun 0 5 0)"
else
	mk_run "$F/runs/\$n" icount "\$(spec get \$get 0 5 0)" "\$(spec put 14.9 0 5 0)" "\$(spec munmap \$mun 0 5 0)"
fi
echo "$F/runs/\$n"
STUB
chmod +x "$F/kernels/build" "$F/scripts/lab" "$F/scripts/ab"

# ROUNDS=auto: after round 1 get differs and has no bound (no --bounds,
# one boot each); after round 2 the boots give one, so look 2 says stop
"$F/scripts/ab" --patched "+$F/kernels" --mode deterministic --suite ab-smoke --rounds auto --budget 10m \
	-o "$TMP/auto" >"$TMP/auto.out" 2>"$TMP/auto.err" || fail "ROUNDS=auto: $(tail -5 "$TMP/auto.err")"
[ "$(cat "$F/boots")" = 4 ] || fail "ROUNDS=auto booted $(cat "$F/boots") times, not 2 rounds"
[ "$(tail -1 "$TMP/auto.out")" = "$TMP/auto" ] || fail "last stdout line is not the ab dir"
jq -e '.sequential | .look == 2 and .stop and .undecided == 0' "$TMP/auto/report.json" >/dev/null ||
	fail "final look: $(jq -c '.sequential' "$TMP/auto/report.json")"
jq -e '.sequential.stop == false and .sequential.undecided == 1' "$TMP/auto/looks/1/report.json" >/dev/null ||
	fail "look 1: $(jq -c '.sequential' "$TMP/auto/looks/1/report.json")"
grep -q "look 2: every primary metric is decided" "$TMP/auto.err" || fail "no stop message"
grep -q "ROUNDS=2" "$TMP/auto/report.txt" || fail "the reproduce line does not give the rounds run"
[ "$(v "$TMP/auto" get)" = slower ] || fail "get: $(v "$TMP/auto" get)"
ok "ROUNDS=auto stops at the look where every primary metric is decided"

# A lost metric: the report is printed, and ab fails unless ALLOW_MISSING
rm -f "$F/boots"
set +e
LOSE_PUT=1 "$F/scripts/ab" --patched "+$F/kernels" --mode deterministic --suite ab-smoke --rounds 2 \
	-o "$TMP/lost" >"$TMP/lost.out" 2>"$TMP/lost.err"
rc=$?
set -e
[ $rc -ne 0 ] || fail "a lost metric did not fail ab"
grep -q "ALLOW_MISSING=1 accepts it" "$TMP/lost.err" && grep -q "^LOST (not compared):" "$TMP/lost.err" ||
	fail "ab's message: $(tail -5 "$TMP/lost.err")"
[ -f "$TMP/lost/report.txt" ] || fail "the report of a lost metric was not kept"
LOSE_PUT=1 "$F/scripts/ab" --patched "+$F/kernels" --mode deterministic --suite ab-smoke --rounds 2 --allow-missing \
	-o "$TMP/allowed" >/dev/null 2>"$TMP/allowed.err" || fail "--allow-missing: $(tail -3 "$TMP/allowed.err")"
jq -e '.summary.lost == 1' "$TMP/allowed/report.json" >/dev/null || fail "allowed report lost count"
ok "a lost metric fails ab unless --allow-missing (ALLOW_MISSING=1)"

# --attribute: before the compare, the plan asks which code the patch
# changed (kernels/code-diff, a stub here) and compare gets it; a code-diff
# that fails leaves the where: lines unmarked, and the A/B still completes
cat >"$F/kernels/code-diff" <<'STUB'
#!/bin/bash
echo "$*" >>"$(dirname "$0")/../code-diff.calls"
[ -z "${FAIL_CODE_DIFF:-}" ] || { echo "code-diff: error: stub failure" >&2; exit 1; }
echo '{"changed": ["try_grab_folio"], "added": [], "removed": [], "markers": [], "callees": [], "functions": {"a": 1, "b": 1}}'
STUB
chmod +x "$F/kernels/code-diff"
mkdir -p "$F/build/plugin" && : >"$F/build/plugin/insn_attr.so"	# checked for, never loaded by the stub lab
"$F/scripts/ab" --patched "+$F/kernels" --mode deterministic --suite ab-smoke --rounds 1 --attribute \
	-o "$TMP/cd" >/dev/null 2>"$TMP/cd.err" || fail "--attribute: $(tail -5 "$TMP/cd.err")"
[ "$(cat "$F/code-diff.calls")" = "$F/kernels/../kA $F/kernels/../kB" ] ||
	fail "code-diff called as: $(cat "$F/code-diff.calls")"
jq -e --arg f "$TMP/cd/code-diff.json" '.code_diff == $f' "$TMP/cd/plan.json" >/dev/null &&
	jq -e '.changed == ["try_grab_folio"]' "$TMP/cd/code-diff.json" >/dev/null ||
	fail "plan: $(jq -c '.code_diff' "$TMP/cd/plan.json"); $(ls "$TMP/cd")"
FAIL_CODE_DIFF=1 "$F/scripts/ab" --patched "+$F/kernels" --mode deterministic --suite ab-smoke --rounds 1 --attribute \
	-o "$TMP/cdf" >/dev/null 2>"$TMP/cdf.err" || fail "--attribute, code-diff failing: $(tail -5 "$TMP/cdf.err")"
grep -q "kernels/code-diff failed (exit 1): the where: lines are not marked" "$TMP/cdf.err" ||
	fail "no word of the failed code-diff: $(tail -5 "$TMP/cdf.err")"
[ -f "$TMP/cdf/report.txt" ] || fail "no report after a failed code-diff"
ok "--attribute: the plan runs kernels/code-diff before compare; its failure costs the marks, not the report"
rm -f "$F/build/plugin/insn_attr.so" "$F/kernels/code-diff"

# Resume: boot 3 (A2) fails, the others finish, the A/B stops and says how
# to continue; RESUME reuses the three complete boots, boots A2 again, and
# the report names the reused ones; a run that no longer verifies is
# booted again
rm -f "$F/boots"
set +e
FAIL_BOOT=3 "$F/scripts/ab" --patched "+$F/kernels" --mode deterministic --suite ab-smoke --rounds 2 --jobs 1 \
	-o "$TMP/res" >"$TMP/res.out" 2>"$TMP/res.err"
rc=$?
set -e
[ $rc -ne 0 ] && [ ! -e "$TMP/res" ] && [ -f "$TMP/res.plan/plan.json" ] || fail "failed A/B: exit $rc, $(ls "$TMP")"
grep -q "make ab RESUME=$TMP/res continues" "$TMP/res.err" || fail "no resume hint: $(tail -3 "$TMP/res.err")"
jq -e '.format == "refbench-plan" and .job == "ab" and .rounds == 2 and
	([.boots[] | select(.status == "done") | .label] | sort) == ["A1", "B1", "B2"]' \
	"$TMP/res.plan/plan.json" >/dev/null || fail "plan: $(cat "$TMP/res.plan/plan.json")"
set +e; "$F/scripts/ab" --resume "$TMP/res" --rounds 3 >/dev/null 2>"$TMP/err"; rc=$?; set -e
[ $rc -ne 0 ] && grep -q "takes every setting from the plan; drop --rounds" "$TMP/err" || fail "resume with --rounds: $(cat "$TMP/err")"
"$F/scripts/ab" --resume "$TMP/res" >"$TMP/res2.out" 2>"$TMP/res2.err" || fail "resume: $(tail -5 "$TMP/res2.err")"
[ "$(cat "$F/boots")" = 5 ] || fail "resume booted $(( $(cat "$F/boots") - 4 )) times, not 1"
[ "$(tail -1 "$TMP/res2.out")" = "$TMP/res" ] && [ -f "$TMP/res/plan.json" ] && [ ! -e "$TMP/res.plan" ] ||
	fail "resumed A/B: $(tail -1 "$TMP/res2.out"), $(ls "$TMP/res")"
jq -e '(.resumed | length) == 3 and ([.resumed[] | test("/runs/[124]$")] | all)' "$TMP/res/report.json" >/dev/null ||
	fail "report.json resumed: $(jq -c .resumed "$TMP/res/report.json")"
grep -q "^resumed: 3 of 4 boots reused" "$TMP/res/report.txt" || fail "report header: $(head -20 "$TMP/res/report.txt")"
set +e; "$F/scripts/ab" --resume "$TMP/res" >/dev/null 2>"$TMP/err"; rc=$?; set -e
[ $rc -ne 0 ] && grep -q "is complete (report.txt is there): nothing to resume" "$TMP/err" || fail "resume of a complete A/B: $(cat "$TMP/err")"
ok "RESUME: a stopped A/B reuses its 3 verified boots, boots the failed one, and the report names them"

rm -f "$F/boots"
set +e
FAIL_BOOT=2 "$F/scripts/ab" --patched "+$F/kernels" --mode deterministic --suite ab-smoke --rounds 1 --jobs 1 \
	-o "$TMP/res3" >/dev/null 2>&1
set -e
a1=$(jq -r '.boots[] | select(.label == "A1") | .run' "$TMP/res3.plan/plan.json")
echo '{"damaged": 1}' >>"$a1/samples.jsonl"
"$F/scripts/ab" --resume "$TMP/res3" >/dev/null 2>"$TMP/res3.err" || fail "resume 3: $(tail -5 "$TMP/res3.err")"
grep -q "boot A1: its run $a1 is not complete or does not verify: booting it again" "$TMP/res3.err" ||
	fail "damaged run: $(cat "$TMP/res3.err")"
[ "$(cat "$F/boots")" = 4 ] && jq -e '.resumed == []' "$TMP/res3/report.json" >/dev/null ||
	fail "damaged run reused: boots $(cat "$F/boots"), $(jq -c .resumed "$TMP/res3/report.json")"
ok "RESUME: a run that no longer verifies is booted again, not reused"

# The boots of a round share one status line, each boot's phase as its lab
# run says it (not a terminal here: printed every RB_PROGRESS_INTERVAL s)
rm -f "$F/boots"
STUB_SLOW=1 RB_PROGRESS_INTERVAL=1 "$F/scripts/ab" --patched "+$F/kernels" --mode deterministic --suite ab-smoke \
	--rounds 1 --jobs 2 -o "$TMP/status" >/dev/null 2>"$TMP/status.err" || fail "status: $(tail -5 "$TMP/status.err")"
grep -q '^ab: boots ([0-9]s): A1 \(pmem set-up\|case 1/3 get pin\) | B1 \(pmem set-up\|case 1/3 get pin\)$' "$TMP/status.err" ||
	fail "no shared status line with both boots' phases: $(grep 'boots (' "$TMP/status.err" | head -5)"
grep -q '^ab: boots (.*): A1 case 1/3 get pin' "$TMP/status.err" || fail "no case phase: $(grep 'boots (' "$TMP/status.err")"
ok "parallel boots share one status line with each boot's phase"

# bad input, refused before anything boots
rm -f "$F/boots"
for args in "--patched +$TMP/nonexistent|not found"  "--rounds 0|a count >= 1, or auto" "--budget soon|a duration" \
	    "--bounds $TMP/nonexistent|no such file" "--mode timed --bounds $TMP/auto/report.json|for deterministic mode" \
	    "--mode timed --attribute|needs --mode deterministic" \
	    "--mode deterministic --attribute|insn_attr.so is not built: run 'make plugin'" \
	    "--mode deterministic --bounds $TMP/auto/report.json|not a refbench bounds file"; do
	set +e; eval "\"$F/scripts/ab\" --patched "+$F/kernels" ${args%|*}" >/dev/null 2>"$TMP/err"; rc=$?; set -e
	[ $rc -ne 0 ] && grep -q "${args#*|}" "$TMP/err" || fail "ab ${args%|*}: exit $rc: $(cat "$TMP/err")"
	[ ! -e "$F/boots" ] || fail "ab ${args%|*} booted"
	ok "ab refused (${args#*|})"
done

# Boots on a LAVA server's workers (scripts/plan-run with a server URL,
# docs/lava.md): this machine's memory holds none of them back; here the
# same memory refuses the boots
echo 'MemAvailable:       1024 kB' >"$TMP/meminfo"
rm -f "$F/boots"
RB_PLAN_MEMINFO=$TMP/meminfo RB_PLAN_MEM_WAIT=0 RB_PLAN_BOOTS_ELSEWHERE=1 "$F/scripts/ab" --patched "+$F/kernels" \
	--mode deterministic --suite ab-smoke --rounds 2 -o "$TMP/away" >/dev/null 2>"$TMP/away.err" ||
	fail "boots elsewhere: $(tail -5 "$TMP/away.err")"
grep -q 'rounds 1-2 of 2: 4 boots, 4 at once' "$TMP/away.err" && [ "$(cat "$F/boots")" = 4 ] ||
	fail "boots elsewhere: $(grep 'at once' "$TMP/away.err")"
rm -f "$F/boots"
set +e
RB_PLAN_MEMINFO=$TMP/meminfo RB_PLAN_MEM_WAIT=0 "$F/scripts/ab" --patched "+$F/kernels" --mode deterministic \
	--suite ab-smoke --rounds 2 -o "$TMP/here" >/dev/null 2>"$TMP/here.err"
rc=$?
set -e
[ $rc -ne 0 ] && grep -q 'MiB are available' "$TMP/here.err" && [ ! -e "$F/boots" ] ||
	fail "boots here with 1 MiB: exit $rc, $(tail -3 "$TMP/here.err")"
ok "boots on a server's workers: 4 at once whatever this machine's memory (here: refused)"

# Memory is asked again before each boot after a batch's first: another
# job's boots may have taken it meanwhile. The boot that finds none is
# recorded failed, not started, and a resume boots it
echo 'MemAvailable:   100000000 kB' >"$TMP/meminfo"
rm -f "$F/boots"
set +e
STUB_SQUEEZE=$TMP/meminfo RB_PLAN_MEMINFO=$TMP/meminfo RB_PLAN_MEM_WAIT=5 "$F/scripts/ab" --patched "+$F/kernels" \
	--mode deterministic --suite ab-smoke --rounds 1 --jobs 1 -o "$TMP/sq" >/dev/null 2>"$TMP/sq.err"
rc=$?
set -e
[ $rc -ne 0 ] && [ "$(cat "$F/boots")" = 1 ] && grep -q 'waiting for memory before the next boot' "$TMP/sq.err" &&
	grep -q 'not booted: one boot needs [0-9]* MiB, 1 MiB are available after 5s' "$TMP/sq.err" ||
	fail "a squeezed second boot: exit $rc, $(cat "$F/boots") boots, $(grep -v '^ab: boots (' "$TMP/sq.err" | tail -4)"
echo 'MemAvailable:   100000000 kB' >"$TMP/meminfo"
RB_PLAN_MEMINFO=$TMP/meminfo "$F/scripts/ab" --resume "$TMP/sq" >/dev/null 2>"$TMP/sq2.err" ||
	fail "resume after the squeeze: $(tail -4 "$TMP/sq2.err")"
[ "$(cat "$F/boots")" = 2 ] && [ -f "$TMP/sq/report.txt" ] || fail "resume: $(cat "$F/boots") boots, no report"
ok "a boot after the batch's first waits for memory, is left pending when none comes, and a resume boots it"

# make demo: the exact A/B, so with the plugin's own counts; refused
# before anything boots when the plugin is not built
mkdir -p "$F/kernels/patches/example/6.1"
cp "$ROOT/configs/suites/quick.suite" "$F/configs/suites/"
cp "$ROOT"/kernels/patches/example/6.1/*.patch "$F/kernels/patches/example/6.1/"
rm -f "$F/boots" "$F/lab-args"
set +e
"$F/scripts/ab" --demo --rounds 1 -o "$TMP/demo0" >/dev/null 2>"$TMP/demo0.err"
rc=$?
set -e
[ $rc -ne 0 ] && grep -q 'insn_attr.so is not built' "$TMP/demo0.err" && [ ! -e "$F/boots" ] ||
	fail "demo without the plugin: exit $rc, $(tail -3 "$TMP/demo0.err")"
mkdir -p "$F/build/plugin" && : >"$F/build/plugin/insn_attr.so"
"$F/scripts/ab" --demo --rounds 1 -o "$TMP/demo1" >/dev/null 2>"$TMP/demo1.err" ||
	fail "demo: $(tail -3 "$TMP/demo1.err")"
[ "$(grep -c -- '--attribute' "$F/lab-args")" = 2 ] && grep -q -- '--mode deterministic' "$F/lab-args" ||
	fail "demo boots without --attribute: $(cat "$F/lab-args")"
ok "make demo: deterministic with the plugin (--attribute), refused at once without it"
