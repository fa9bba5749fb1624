#!/bin/bash
# A/B validation in deterministic mode (TCG icount: exact and fast):
#  - canary (fixed work per page in GUP grab and unpin) vs stock: slower
#    on every metric that crosses those paths, equivalent on the rest;
#  - A/A (stock vs stock): nothing faster or slower;
#  - a patch that does not apply: a clear error, exit != 0, nothing written.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TMP=$(mktemp -d /tmp/rbab.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v qemu-system-x86_64 >/dev/null || { echo "skip: no qemu (make deps)"; exit 77; }
[ -f /usr/src/linux-source-6.1.tar.xz ] || { echo "skip: no linux-source-6.1 (make deps)"; exit 77; }

# 1. canary vs stock, 2 rounds, through the same script users run
"$ROOT/scripts/ab" --base stock --patched "+$ROOT/kernels/patches/canary" --mode deterministic \
	--rounds 2 --suite ab-smoke -o "$TMP/canary" --lab-args "--results $TMP/runs" >"$TMP/ab.out" 2>"$TMP/ab.err" ||
	{ tail -30 "$TMP/ab.err"; fail "scripts/ab (canary) failed"; }
j=$TMP/canary/report.json
echo "--- canary report"; cat "$TMP/canary/report.txt"
# v CASE METRIC [JQ-FILTER on .params]: the distinct verdicts of that metric
v() { jq -r --arg c "$1" --arg m "$2" "[.metrics[] | select(.case == \$c and .metric == \$m) |
	select(.params | ${3:-true}) | .verdict] | unique | join(\",\")" "$j"; }
# crosses the canary: GUP-fast grab (gup and pin), unpin, vmsplice get
[ "$(v gup-fast get '.cmd == "gup"')" = slower ] || fail "gup-fast gup get: $(v gup-fast get '.cmd == "gup"')"
[ "$(v gup-fast get '.cmd == "pin"')" = slower ] || fail "gup-fast pin get: $(v gup-fast get '.cmd == "pin"')"
[ "$(v gup-fast put '.cmd == "pin"')" = slower ] || fail "gup-fast pin put (unpin): $(v gup-fast put '.cmd == "pin"')"
[ "$(v gup-user get)" = slower ] || fail "vmsplice get: $(v gup-user get)"
# does not cross it: faults, munmap, put_page
[ "$(v fault fault)" = equivalent ] || fail "fault: $(v fault fault)"
[ "$(v fault munmap)" = equivalent ] || fail "munmap: $(v fault munmap)"
[ "$(v gup-fast put '.cmd == "gup"')" = equivalent ] || fail "gup-fast gup put (put_page): $(v gup-fast put '.cmd == "gup"')"
# nothing judged faster, and every metric has a verdict
[ -z "$(jq -r '.metrics[] | select(.verdict == "faster") | .point' "$j")" ] || fail "a metric judged faster"
echo "ok: canary slower where it adds work, equivalent elsewhere"

# 2. A/A: two more boots of the stock kernel against the canary run's A boots
runs_a=$(jq -r '.a.runs | join(",")' "$j")
ka=$(readlink -f "${RB_CACHE:-$HOME/.cache/refbench}/kernels/default")
runs_c=
for i in 1 2; do
	r=$("$ROOT/scripts/lab" --kernel "$ka" --mode deterministic --suite "$ROOT/configs/suites/ab-smoke.suite" \
		--results "$TMP/runs" 2>>"$TMP/aa.err" | tail -1) || fail "A/A boot $i failed"
	runs_c=${runs_c:+$runs_c,}$r
done
"$ROOT/bench/refbench" compare -o "$TMP/aa" "$runs_a" "$runs_c" >/dev/null 2>>"$TMP/aa.err" || fail "A/A compare"
echo "--- A/A report"; cat "$TMP/aa/report.txt"
jq -e 'all(.metrics[]; .verdict == "equivalent" or .verdict == "inconclusive")' "$TMP/aa/report.json" >/dev/null ||
	fail "A/A judged a difference"
jq -e '[.metrics[] | .ci95[1] / .ci95[0] - 1] | max < 0.005' "$TMP/aa/report.json" >/dev/null ||
	echo "note: A/A spread above 0.5% on some metric: $(jq -c '[.metrics[] | .ci95]' "$TMP/aa/report.json")"
echo "ok: A/A equivalent or inconclusive"

# 3. a patch that does not apply
mkdir -p "$TMP/bad"
printf 'Subject: [PATCH] refbench test: does not apply\n---\n--- a/mm/gup.c\n+++ b/mm/gup.c\n@@ -1,3 +1,3 @@\n-no such line\n+still no such line\n context\n' >"$TMP/bad/0001-broken.patch"
set +e
"$ROOT/scripts/ab" --base stock --patched "+$TMP/bad" --mode deterministic --rounds 1 \
	-o "$TMP/badab" --lab-args "--results $TMP/runs" >/dev/null 2>"$TMP/bad.err"
rc=$?
set -e
[ $rc -ne 0 ] || fail "a broken patch did not fail the A/B"
grep -q "0001-broken.patch" "$TMP/bad.err" || fail "the failing patch is not named: $(tail -5 "$TMP/bad.err")"
[ ! -e "$TMP/badab" ] || fail "output written for a broken patch"
echo "ok: a patch that does not apply is named and nothing is written"
