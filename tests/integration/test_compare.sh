#!/bin/bash
# refbench compare, timed mode (clock ns): known answers of the per-boot
# rule, the report's format, and its bad-input table.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/compare_lib.sh"

# The canary: "get" +40% in B, "put" unchanged, 0.05% noise, 2 boots x
# 10 samples per arm.
for i in 1 2; do
	mk_run "$TMP/a$i" ns "$(spec get 118 $i)" "$(spec put 131 $i)"
	mk_run "$TMP/b$i" ns "$(spec get 165.2 $((i + 2)))" "$(spec put 131 $((i + 2)))"
	mk_run "$TMP/c$i" ns "$(spec get 118 $((i + 4)))" "$(spec put 131 $((i + 4)))"
done
"$RB" compare -o "$TMP/canary" --command "test" "$TMP/a1,$TMP/a2" "$TMP/b1,$TMP/b2" >/dev/null 2>"$TMP/err" ||
	fail "compare failed: $(cat "$TMP/err")"
j=$TMP/canary/report.json
jq -e '.rule == "timed" and .correction == "holm"' "$j" >/dev/null || fail "not the timed rule: $(jq -c '{rule, correction}' "$j")"
jq -e '.metrics[] | select(.metric == "get") | .verdict == "slower" and .within_margin == false and
	.ratio > 1.39 and .ratio < 1.41 and (.delta - 47.2 | fabs) < 0.2 and (.pct_change - 40 | fabs) < 0.2 and
	.delta_ci[0] < .delta and .delta < .delta_ci[1] and .p == .rounds_t_p and .ci == .ci_rounds' "$j" >/dev/null ||
	fail "canary metric not judged slower by the per-boot test: $(jq -c '.metrics[0]' "$j")"
[ "$(v "$TMP/canary" put)" = equivalent ] || fail "unchanged metric: $(v "$TMP/canary" put)"
grep -qE '^  get +118\.[0-9]+ +165\.2[0-9]* +\+47\.2[0-9]* .* \+40\.0% SLOWER$' "$TMP/canary/report.txt" ||
	fail "canary row: $(grep '^  get' "$TMP/canary/report.txt")"
grep -q "^metric \[unit\] .* B-A .* %change verdict" "$TMP/canary/report.txt" || fail "no B-A/%change header"
grep -q "0 slower (0 in +-2%), 0 faster (0 in +-2%), 1 equivalent\|1 slower (0 in +-2%)" "$TMP/canary/report.txt" ||
	fail "summary line: $(grep -i 'primary metrics' "$TMP/canary/report.txt")"
grep -q "descriptive" "$TMP/canary/report.txt" || fail "footer does not say the pooled test is descriptive"
narrow "$TMP/canary"
grep -q "^Reproduce: test" "$TMP/canary/report.txt" || fail "no reproduce footer"
for f in forest.png forest.svg dist.png dist.svg forest-gup-fast.png dist-gup-fast.svg; do
	[ -s "$TMP/canary/plots/$f" ] || fail "plot $f missing"
done
[ -L "$TMP/canary/runs/A1" ] && [ -L "$TMP/canary/runs/B2" ] || fail "run links missing"
ok "canary slower by the per-boot test, unchanged equivalent, report and plots written"

# A/A: nothing faster or slower
"$RB" compare -o "$TMP/aa" "$TMP/a1,$TMP/a2" "$TMP/c1,$TMP/c2" >/dev/null 2>&1 || fail "A/A compare failed"
jq -e 'all(.metrics[]; .verdict == "equivalent" or .verdict == "inconclusive")' "$TMP/aa/report.json" >/dev/null ||
	fail "A/A judged a difference: $(jq -c '[.metrics[] | .verdict]' "$TMP/aa/report.json")"
ok "A/A equivalent or inconclusive"

# A real change inside the margin: +1%, three boots each, is slower, flagged
for i in 1 2 3; do
	mk_run "$TMP/s$i" ns "$(spec get 100 $i 10 0.0002)"
	mk_run "$TMP/t$i" ns "$(spec get 101 $((i + 3)) 10 0.0002)"
done
"$RB" compare -o "$TMP/small" "$TMP/s1,$TMP/s2,$TMP/s3" "$TMP/t1,$TMP/t2,$TMP/t3" >/dev/null 2>&1 || fail "small compare"
jq -e '.metrics[0] | .verdict == "slower" and .within_margin and .significant' "$TMP/small/report.json" >/dev/null ||
	fail "+1% not slower within the margin: $(jq -c '.metrics[0]' "$TMP/small/report.json")"
grep -q "slower (in +-2%)$" "$TMP/small/report.txt" || fail "no 'slower (in +-2%)' row"
grep -q "^1 slower (1 in +-2%)" "$TMP/small/report.txt" || fail "summary does not count it in the margin"
# --alpha sets the interval level; --correction bh is recorded
"$RB" compare --alpha 0.2 --correction bh -o "$TMP/a20" "$TMP/s1,$TMP/s2,$TMP/s3" "$TMP/t1,$TMP/t2,$TMP/t3" \
	>/dev/null 2>&1 || fail "--alpha 0.2"
jq -e '.correction == "bh" and .metrics[0].ci_level == 0.8 and (.metrics[0] | has("ci95") | not)' \
	"$TMP/a20/report.json" >/dev/null || fail "--alpha/--correction: $(jq -c '{correction, m: .metrics[0].ci_level}' "$TMP/a20/report.json")"
grep -q "intervals 80%" "$TMP/a20/report.txt" || fail "the header does not state the 80% level"
ok "a change inside the margin is slower (in +-2%); --alpha and --correction apply"

# One boot per kernel: no between-boot replication, nothing decided
"$RB" compare -o "$TMP/one" "$TMP/a1" "$TMP/b1" >/dev/null 2>&1 || fail "1-boot compare"
jq -e 'all(.metrics[]; .verdict == "inconclusive" and .reason == "needs >= 2 boots per kernel")' \
	"$TMP/one/report.json" >/dev/null || fail "1 boot decided something: $(jq -c '[.metrics[] | .verdict]' "$TMP/one/report.json")"
grep -q "NO BETWEEN-BOOT REPLICATION" "$TMP/one/report.txt" || fail "1 boot: not labelled"
grep -q "needs >= 2 boots per kernel" "$TMP/one/report.txt" || fail "1 boot: no reason"
ok "one boot per kernel in timed mode is inconclusive, and says why"

# Boot spread as large as the change: inconclusive, with a boot plan
for i in 1 2 3; do
	mk_run "$TMP/p$i" ns "$(spec get "$((100 + 2 * i))" $i 10 0.001)"
	mk_run "$TMP/q$i" ns "$(spec get "$((101 + 2 * i))" $((i + 3)) 10 0.001)"
done
"$RB" compare -o "$TMP/plan" "$TMP/p1,$TMP/p2,$TMP/p3" "$TMP/q1,$TMP/q2,$TMP/q3" >/dev/null 2>&1 || fail "plan compare"
jq -e '.metrics[0] | .verdict == "inconclusive" and .plan_boots > 3 and .sd_rounds > 0.01' \
	"$TMP/plan/report.json" >/dev/null || fail "no boot plan: $(jq -c '.metrics[0]' "$TMP/plan/report.json")"
grep -q "^Boot plan:" "$TMP/plan/report.txt" && grep -q "gup-fast thp cmd=pin get: [0-9]* (boot sd" "$TMP/plan/report.txt" ||
	fail "report.txt has no boot plan"
ok "an inconclusive metric gets a boot plan ($(v "$TMP/plan" get plan_boots) boots per kernel)"

# Bad input: exit != 0, a message naming the problem, nothing written.
mk_run "$TMP/mis" ns "$(spec get 118 7)" "$(spec put 131 7)"
jq '.suite.sha256 = "0000"' "$TMP/mis/meta.json" >"$TMP/x" && mv "$TMP/x" "$TMP/mis/meta.json"
refuse "suite.sha256" "$TMP/a1,$TMP/a2" "$TMP/mis"
mk_run "$TMP/inc" ns "$(spec get 118 8)"
jq '.status = "running"' "$TMP/inc/meta.json" >"$TMP/x" && mv "$TMP/x" "$TMP/inc/meta.json"
refuse "not complete" "$TMP/a1" "$TMP/inc"
mk_run "$TMP/failed" ns "$(spec get 118 9)"
jq '.status = "failed" | .reason = "watchdog fired"' "$TMP/failed/meta.json" >"$TMP/x" && mv "$TMP/x" "$TMP/failed/meta.json"
refuse "watchdog fired" "$TMP/a1" "$TMP/failed"
mk_run "$TMP/empty" ns "$(spec get 118 10)"
: >"$TMP/empty/samples.jsonl"; certify "$TMP/empty"
refuse "empty run" "$TMP/a1" "$TMP/empty"
refuse "meta.json missing" "$TMP/a1" "$TMP/nonexistent"
refuse "--margin 0" --margin 0 "$TMP/a1" "$TMP/c1"
refuse "--margin -0.02" --margin -0.02 "$TMP/a1" "$TMP/c1"
refuse "--margin 1" --margin 1 "$TMP/a1" "$TMP/c1"
refuse "--alpha 0.5" --alpha 0.5 "$TMP/a1" "$TMP/c1"
refuse "--correction none: use holm or bh" --correction none "$TMP/a1" "$TMP/c1"
refuse "--normalize devdax-2m: use anon or thp" --normalize devdax-2m "$TMP/a1" "$TMP/c1"
refuse "--sequential 3/2" --sequential 3/2 "$TMP/a1" "$TMP/c1"
refuse "--sequential 2/5: look 2 needs 2 boots of each kernel" --sequential 2/5 "$TMP/a1,$TMP/a2" "$TMP/c1"
refuse "timed mode decides from 2 boots" --sequential 1/5 "$TMP/a1" "$TMP/c1"
refuse "--bounds applies to deterministic runs" --bounds /dev/null "$TMP/a1" "$TMP/c1"
set +e; "$RB" compare -o "$TMP/canary" "$TMP/a1" "$TMP/c1" 2>"$TMP/err"; rc=$?; set -e
[ $rc -ne 0 ] && grep -q "never overwritten" "$TMP/err" || fail "existing output not refused"
ok "existing output refused"

# --force compares across a mismatch and prints it in the report
"$RB" compare --force -o "$TMP/forced" "$TMP/a1,$TMP/a2" "$TMP/mis" >/dev/null 2>&1 || fail "--force failed"
grep -q "WARNING: provenance differs" "$TMP/forced/report.txt" || fail "--force report lacks the mismatch"
ok "--force reports the mismatch"

# Kernel profile and paging depth: stated in the header, and must match
META_JQ='.kernel += {profile: "minimal", pgtable_levels: 4, preempt: "none", nr_cpus: 64}' \
	mk_run "$TMP/k4" ns "$(spec get 118 1)"
META_JQ='.kernel += {profile: "minimal", pgtable_levels: 4, preempt: "none", nr_cpus: 64}' \
	mk_run "$TMP/k4b" ns "$(spec get 118 2)"
META_JQ='.kernel += {profile: "minimal", pgtable_levels: 5, preempt: "lazy", nr_cpus: 2}' \
	mk_run "$TMP/k5" ns "$(spec get 118 3)"
"$RB" compare -o "$TMP/kp" "$TMP/k4" "$TMP/k4b" >/dev/null 2>&1 || fail "kernel profile compare"
grep -q "^kernel: minimal profile, 4-level paging, preempt none, NR_CPUS 64$" "$TMP/kp/report.txt" ||
	fail "no kernel line: $(grep '^kernel' "$TMP/kp/report.txt")"
META_JQ='del(.kernel.profile, .kernel.pgtable_levels, .kernel.preempt, .kernel.nr_cpus)' \
	mk_run "$TMP/k0" ns "$(spec get 118 1)"
META_JQ='del(.kernel.profile, .kernel.pgtable_levels, .kernel.preempt, .kernel.nr_cpus)' \
	mk_run "$TMP/k0b" ns "$(spec get 118 2)"
"$RB" compare -o "$TMP/k0r" "$TMP/k0" "$TMP/k0b" >/dev/null 2>&1 || fail "compare of runs without kernel fields"
! grep -q "^kernel" "$TMP/k0r/report.txt" || fail "a kernel line without the fields"
refuse "kernel.pgtable_levels" "$TMP/k4" "$TMP/k5"
ok "kernel profile line; paging depth must match"

# A lab boot under KVM: the counters line says whether the guest had a vPMU
KVM='.accel = "kvm" | .lab = {mode: "timed", cpu: "host,pmu=on", accel_why: "KVM: probed"}'
META_JQ="$KVM | .counters = {source: \"hw\", fallback: null, selfcheck: {ran: true, verdict: \"ok\"}}" \
	mk_run "$TMP/v1" ns "$(spec get 118 1)"
META_JQ="$KVM | .counters = {source: \"hw\", fallback: null, selfcheck: {ran: true, verdict: \"ok\"}}" \
	mk_run "$TMP/v2" ns "$(spec get 118 2)"
"$RB" compare --no-plots -o "$TMP/vp" "$TMP/v1" "$TMP/v2" >/dev/null 2>&1 || fail "compare of two KVM runs"
tr '\n' ' ' <"$TMP/vp/report.txt" | tr -s ' ' | grep -q 'counters: hw through the vPMU (KVM guest, -cpu host,pmu=on); self-check: ok' ||
	fail "vPMU line: $(grep -A1 '^counters' "$TMP/vp/report.txt")"
KVM='.accel = "kvm" | .lab = {mode: "timed", cpu: "host,pmu=off", accel_why: "KVM: probed"}'
for r in n1 n2; do
	META_JQ="$KVM | .counters = {source: \"sw\", fallback: \"hardware events unavailable: No such file or directory\", selfcheck: {ran: false, skipped: \"no hw\"}}" \
		mk_run "$TMP/$r" ns "$(spec get 118 ${r#n})"
done
"$RB" compare --no-plots -o "$TMP/np" "$TMP/n1" "$TMP/n2" >/dev/null 2>&1 || fail "compare of two KVM runs without vPMU"
tr '\n' ' ' <"$TMP/np/report.txt" | tr -s ' ' | grep -q 'counters: sw: no working vPMU in the KVM guest (-cpu host,pmu=off: the PMU was turned off) - hardware' ||
	fail "no-vPMU line: $(grep -A2 '^counters' "$TMP/np/report.txt")"
narrow "$TMP/vp"; narrow "$TMP/np"
ok "KVM guests: the counters line names the vPMU, or its absence and the fallback"
