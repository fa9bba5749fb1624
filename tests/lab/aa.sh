#!/bin/bash
# tests/lab/aa.sh X.Y: an A/A in deterministic mode on Debian's
# linux-source-X.Y: the same lab kernel as A and B, 2 + 2 boots of the
# ab-smoke suite through scripts/ab. Nothing may be judged faster or
# slower. Called by tests/lab/test_lab_aa_<X.Y>.sh. Exit 0 pass, 1 fail,
# 77 skip.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
KVER=${1:?usage: tests/lab/aa.sh X.Y}
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v qemu-system-x86_64 >/dev/null || { echo "SKIP: no qemu (make deps)"; exit 77; }
[ -x "$ROOT/bench/refbench" ] || { echo "SKIP: bench/refbench missing (make)"; exit 77; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/rb-aa.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# a kernel that does not build is a failure: CI must see it
"$ROOT/scripts/ab" --base "$KVER" --patched "$KVER" --mode deterministic --rounds 2 \
	--suite ab-smoke -o "$TMP/aa" --lab-args "--results $TMP/runs" >"$TMP/ab.out" 2>"$TMP/ab.err" ||
	{ tail -30 "$TMP/ab.err"; fail "scripts/ab A/A on $KVER failed"; }
j=$TMP/aa/report.json
echo "--- A/A report ($KVER)"; cat "$TMP/aa/report.txt"
jq -e '.metrics | length > 0' "$j" >/dev/null || fail "the A/A report has no metric"
jq -e 'all(.metrics[]; .verdict == "equivalent" or .verdict == "inconclusive")' "$j" >/dev/null ||
	fail "A/A on $KVER judged a difference: $(jq -c '[.metrics[] | select(.verdict != "equivalent" and .verdict != "inconclusive") | {point, metric, verdict}]' "$j")"
for r in $(jq -r '.a.runs[], .b.runs[]' "$j"); do
	m=$r/meta.json
	[ -f "$m" ] || m=$r/run/meta.json
	jq -e --arg v "$KVER" '.kernel.release | startswith($v + ".")' "$m" >/dev/null ||
		fail "run $r booted $(jq -r .kernel.release "$m"), not $KVER"
done
echo "ok: A/A on $KVER: $(jq -r '[.metrics[] | .verdict] | group_by(.) | map("\(length) \(.[0])") | join(", ")' "$j")"
