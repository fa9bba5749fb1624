#!/bin/bash
# The quick host suite end to end: run it, validate every record against the
# schema, and check that each claimed mapping carries its proof.
. "$(dirname "$0")/lib.sh"

out=$TMP/run
"$RB" run --suite host-smoke -o "$out" --quiet >"$TMP/stdout" 2>"$TMP/stderr" ||
	{ cat "$TMP/stderr"; fail "refbench run exited $?"; }
[ "$(tail -1 "$TMP/stdout")" = "$out" ] || fail "last stdout line is not the run dir"
"$RB" validate "$out" || fail "schema validation"

m=$out/meta.json s=$out/samples.jsonl
jq -e '.status == "complete" and .schema == 1' "$m" >/dev/null || fail "meta status/schema"
jq -e '.kernel.release and .kernel.cmdline and .host.cpu_model and .host.cpus_online and
       .suite.sha256 and .refbench.git and .started and .finished' "$m" >/dev/null || fail "provenance fields"
# counters: the source is stated, and a fallback says why
jq -e '.counters.source as $s | ($s == "hw") or (($s == "sw" or $s == "none") and (.counters.fallback | length > 0))' \
	"$m" >/dev/null || fail "counter source/fallback not stated"
jq -se 'all(.[]; .schema == 1)' "$s" >/dev/null || fail "record schema"
jq -se '[.[] | select(.type == "error")] | length == 0' "$s" >/dev/null || fail "error records"
# every sample: verified, a unit, counters with a source
jq -se '[.[] | select(.type == "sample")] | length > 40 and
        all(.[]; .verify.ok and (.verify.checks | length > 0) and (.unit | test("/")) and
                 (.counters.source | length > 0))' "$s" >/dev/null || fail "sample fields"
# each kind's fault samples prove their page size by the fault count
for k in anon:4096 thp:2097152 shmem:4096; do
	kind=${k%%:*} gran=${k#*:}
	jq -se --arg k "$kind" --argjson g "$gran" '
	  [.[] | select(.type == "sample" and .case == "fault" and .kind == $k and .metric == "fault")] as $f |
	  ($f | length) >= 6 and
	  all($f[]; .verify.checks | any(.what == "faults" and .ok and .expected == .observed and
	                                 .expected == (8 * 1048576 / $g)))' "$s" >/dev/null ||
		fail "fault samples for $kind lack a fault-count proof"
done
# gup-user: the timed loop took no faults (GUP-fast served it)
jq -se '[.[] | select(.type == "sample" and .case == "gup-user")] | length > 0 and
        all(.[]; .verify.checks | any(.what == "gup-fast" and .observed == 0))' "$s" >/dev/null ||
	fail "gup-user without the no-fault proof"
# rejected records (THP can fall back under memory pressure) carry a reason
jq -se 'all(.[] | select(.type != "sample"); .reason | length > 0)' "$s" >/dev/null || fail "reasons"
ok "$(jq -s '[.[] | select(.type == "sample")] | length' "$s") samples validated"
