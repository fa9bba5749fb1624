#!/bin/bash
# refbench compare: points lost from one arm, primary/secondary/derived
# families, --normalize and --sequential.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/compare_lib.sh"

fio() { spec "$1" "$2" "$3" 10 0.0005 '{"case":"fio-dio-daxbuf","kind":"anon","params":{"rw":"read"},"unit":"'"$4"'"}'; }
for i in 1 2; do
	mk_run "$TMP/a$i" ns "$(spec get 118 $i)" "$(spec put 131 $i)" "$(fio lat 5300 $i ns/io)" "$(fio iops 188000 $i io/s)"
	mk_run "$TMP/b$i" ns "$(spec get 118 $((i + 2)))" "$(fio lat 6000 $i ns/io)" "$(fio iops 166000 $i io/s)"
done
# B2 says why put is missing; B1 just lacks it
jq -c '{schema, type: "skipped", case, kind, params, reason: "gup_test: no /sys/kernel/debug/gup_test"}' \
	<(head -1 "$TMP/b2/samples.jsonl") >>"$TMP/b2/samples.jsonl"
certify "$TMP/b2"

# 1. a point present in one arm only: written, loud, and exit 1
set +e; "$RB" compare -o "$TMP/lost" "$TMP/a1,$TMP/a2" "$TMP/b1,$TMP/b2" >/dev/null 2>"$TMP/err"; rc=$?; set -e
[ $rc -eq 1 ] || fail "a lost metric exited $rc"
grep -q "1 metrics were measured in one arm .* --allow-missing" "$TMP/err" || fail "stderr: $(cat "$TMP/err")"
j=$TMP/lost/report.json
jq -e '.complete == false and .summary.lost == 1 and (.lost[0] | .metric == "put" and
	(.missing | test("B run 1: absent; B run 2: skipped: gup_test: no /sys/kernel/debug/gup_test")))' "$j" >/dev/null ||
	fail "report.json lost: $(jq -c '.lost' "$j")"
grep -q "^LOST: 1 metrics were measured in one arm" "$TMP/lost/report.txt" && grep -q "^LOST: 1 metrics present" "$TMP/lost/report.txt" &&
	grep -q "^LOST (not compared):" "$TMP/lost/report.txt" || fail "report.txt is not loud about it"
narrow "$TMP/lost"
"$RB" compare --allow-missing -o "$TMP/allowed" "$TMP/a1,$TMP/a2" "$TMP/b1,$TMP/b2" >/dev/null 2>&1 ||
	fail "--allow-missing still failed"
grep -q "(--allow-missing)" "$TMP/allowed/report.txt" || fail "--allow-missing not stated"
ok "a lost point is listed with its reason; exit 1 unless --allow-missing"

# 2. the rate at the fio point is derived from lat: shown, not tested twice
jq -e '.metrics[] | select(.metric == "iops") | .family == "derived" and .derived_from == "lat" and
	.verdict == "slower" and .p == null and .higher_is_better' "$j" >/dev/null ||
	fail "iops: $(jq -c '.metrics[] | select(.metric == "iops")' "$j")"
jq -e '.metrics[] | select(.metric == "lat") | .verdict == "slower" and .family_size == 2' "$j" >/dev/null ||
	fail "lat: $(jq -c '.metrics[] | select(.metric == "lat")' "$j")"
grep -qE '^  iops \[io/s\] .* as lat$' "$TMP/lost/report.txt" || fail "iops row: $(grep iops "$TMP/lost/report.txt")"
grep -q "^Derived (1 rates" "$TMP/lost/report.txt" || fail "no derived line"
ok "a rate from a time metric's window is derived: its verdict is lat's, untested"

# 3. primary= in the suite: get is the headline, put secondary
for i in 1 2; do
	META_JQ='.suite.text = "gup-fast thp cmd=pin primary=get\n"' mk_run "$TMP/pa$i" ns "$(spec get 118 $i)" "$(spec put 131 $i)"
	META_JQ='.suite.text = "gup-fast thp cmd=pin primary=get\n"' mk_run "$TMP/pb$i" ns "$(spec get 118 $((i + 2)))" "$(spec put 140 $i)"
done
"$RB" compare -o "$TMP/prim" "$TMP/pa1,$TMP/pa2" "$TMP/pb1,$TMP/pb2" >/dev/null 2>&1 || fail "primary compare"
j=$TMP/prim/report.json
jq -e '(.metrics[] | select(.metric == "put") | .family == "secondary" and .verdict == "slower" and .family_size == 1)
	and (.metrics[] | select(.metric == "get") | .family == "primary" and .family_size == 1)
	and .summary.primary.n == 1 and .summary.secondary.slower == 1' "$j" >/dev/null ||
	fail "families: $(jq -c '[.metrics[] | {metric, family, verdict}], .summary' "$j")"
grep -q "^  put\* " "$TMP/prim/report.txt" && grep -q "^Secondary (\*" "$TMP/prim/report.txt" ||
	fail "report.txt does not mark the secondary metric"
grep -q "of 1 primary metrics (marked primary= in the suite)" "$TMP/prim/report.txt" || fail "headline family"
ok "primary= makes the other metrics of its line secondary"

# 4. --normalize anon: a DAX kind's B/A over anon's, paired within each boot
norm() { spec get "$1" "$2" 10 0.0002 '{"kind":"'"$3"'","params":{"cmd":"gup"}}'; }
for i in 1 2 3; do
	f=$(awk -v i=$i 'BEGIN { print 1 + 0.01 * i }')	# this boot's luck, shared by both kinds
	mk_run "$TMP/na$i" ns "$(norm "$(awk -v f=$f 'BEGIN { print 100 * f }')" $i anon)" \
		"$(norm "$(awk -v f=$f 'BEGIN { print 50 * f }')" $i fsdax-pmd)"
	mk_run "$TMP/nb$i" ns "$(norm "$(awk -v f=$f 'BEGIN { print 120 * f }')" $i anon)" \
		"$(norm "$(awk -v f=$f 'BEGIN { print 30 * f }')" $i fsdax-pmd)"
done
"$RB" compare --normalize anon -o "$TMP/norm" "$TMP/na1,$TMP/na2,$TMP/na3" "$TMP/nb1,$TMP/nb2,$TMP/nb3" >/dev/null 2>&1 ||
	fail "--normalize compare"
jq -e '.normalize == "anon" and (.metrics[] | select(.kind == "fsdax-pmd") | .normalized |
	.baseline == "anon" and (.ratio - 0.5 | fabs) < 0.001 and .ci[0] <= .ratio and .ratio <= .ci[1])' \
	"$TMP/norm/report.json" >/dev/null || fail "normalized: $(jq -c '.metrics[] | .normalized' "$TMP/norm/report.json")"
grep -q "^Normalised: B/A of each DAX kind divided by B/A of anon" "$TMP/norm/report.txt" &&
	grep -qE "^  gup-fast fsdax-pmd get +0\.5" "$TMP/norm/report.txt" || fail "report.txt lacks the normalised section"
narrow "$TMP/norm"
ok "--normalize anon: fsdax-pmd 0.6 / anon 1.2 = 0.5"

# 5. --sequential: the look's alpha, and whether to stop
"$RB" compare --sequential 3/6 -o "$TMP/seq" "$TMP/na1,$TMP/na2,$TMP/na3" "$TMP/nb1,$TMP/nb2,$TMP/nb3" >/dev/null 2>&1 ||
	fail "--sequential compare"
j=$TMP/seq/report.json
# spend(3/6) - spend(2/6) = 2 Phi(-z sqrt 2) - 2 Phi(-z sqrt 3), z = z_0.975
# ([py] with math.erfc: 0.004887701812560381)
jq -e '.sequential | .look == 3 and .max_looks == 6 and .first_look == 2 and
	(.alpha_look - 0.004887701812560381 | fabs) < 1e-12 and .stop == true and .undecided == 0' "$j" >/dev/null ||
	fail "sequential: $(jq -c '.sequential' "$j")"
jq -e '.alpha_used == .sequential.alpha_look' "$j" >/dev/null || fail "the look's alpha is not the one used"
grep -q "^sequential: look 3 of at most 6" "$TMP/seq/report.txt" || fail "report.txt lacks the look"
"$RB" compare --sequential 2/6 -o "$TMP/seq2" "$TMP/pa1,$TMP/pa2" "$TMP/c-none" >/dev/null 2>&1 &&
	fail "a missing run was accepted"
for i in 1 2; do
	mk_run "$TMP/u$i" ns "$(spec get "$((100 + 3 * i))" $i)"
	mk_run "$TMP/w$i" ns "$(spec get "$((101 + 3 * i))" $i)"
done
"$RB" compare --sequential 2/6 -o "$TMP/seq3" "$TMP/u1,$TMP/u2" "$TMP/w1,$TMP/w2" >/dev/null 2>&1 || fail "look 2"
jq -e '.sequential | .stop == false and .undecided == 1' "$TMP/seq3/report.json" >/dev/null ||
	fail "an undecided look says stop: $(jq -c '.sequential' "$TMP/seq3/report.json")"
ok "--sequential decides at the look's spent alpha and says continue or stop"
