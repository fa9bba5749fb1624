#!/bin/bash
# A report says what its runs recorded, not what today's case table says:
# a refbench whose cases changed (a default, a kernel path's text) reports
# the committed cross-6.12-7.2 example (runs from before meta.json had
# "cases") byte for byte as the committed report.txt, and reports runs
# that record their cases by that record.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/compare_lib.sh"

# The variant: this tree's objects and sources, two cases changed, relinked
# (only the changed files compile: cp -a keeps the objects' times).
[ -d "$ROOT/build/rel/bench" ] && [ -f "$ROOT/build/.deps-ok" ] ||
	skip "no release build here (make bench/refbench first)"
V=$TMP/tree
mkdir -p "$V/build"
cp -a "$ROOT/bench" "$ROOT/plugin" "$ROOT/Makefile" "$V/"
mkdir -p "$V/scripts" && cp -a "$ROOT/scripts/deps" "$V/scripts/"
cp -a "$ROOT/build/rel" "$ROOT/build/.deps-ok" "$V/build/"
sed -i 's/{ "cmd", "gup", /{ "cmd", "pin", /; s|\.kernel_paths = "get_user_pages_fast/pin_user_pages_fast: |.kernel_paths = "CHANGED: |' \
	"$V/bench/cases/gup_fast.c"
sed -i 's/{ .key = "access", .def = "write",/{ .key = "access", .def = "read",/' "$V/bench/cases/fault.c"
make -s -C "$V" bench/refbench >"$TMP/make.log" 2>&1 || fail "variant build: $(tail -5 "$TMP/make.log")"
RBV=$V/bench/refbench
"$RBV" list -v | grep -q 'cmd=pin ' && "$RBV" list -v | grep -q 'kernel: CHANGED: ' ||
	fail "the variant's cases did not change: $("$RBV" list -v | grep -A12 '^gup-fast')"
ok "a refbench whose gup-fast and fault defaults and kernel paths changed"

# 1. old runs: the same report from both, and it is the committed one
E=$ROOT/results/examples/cross-6.12-7.2
cmd="make ab BASE='6.12' PATCHED='7.2' MODE=deterministic SUITE=/tmp/exp3/quick-nofio.suite ROUNDS=2 MARGIN=0.02"
for b in "$RB" "$RBV"; do
	out=$TMP/cross-$([ "$b" = "$RBV" ] && echo variant || echo this)
	"$b" compare --no-plots --margin 0.02 --label-a 6.12 --label-b 7.2 --command "$cmd" -o "$out" \
		"$E/runs/A1,$E/runs/A2" "$E/runs/B1,$E/runs/B2" >/dev/null 2>"$TMP/err" ||
		fail "compare with $b: $(cat "$TMP/err")"
	# the first line is the date the report was made
	diff <(sed 1d "$E/report.txt") <(sed 1d "$out/report.txt") >"$TMP/diff" ||
		fail "$b: report.txt differs from the committed one: $(head -20 "$TMP/diff")"
done
ok "old runs: the committed report.txt, whatever the case table says now"

# 2. runs that record their cases: the variant's record holds, in this
# refbench too (cmd=pin is gup-fast's default there, so no label shows it)
RB=$RBV
"$RB" run --case null --kind - -p loops=10 --repeat 1 --warmup 0 -o "$TMP/vseed" --quiet >/dev/null
jq -e '.cases["gup-fast"].params.cmd == "pin"' "$TMP/vseed/meta.json" >/dev/null ||
	fail "the run did not record its cases: $(jq -c '.cases["gup-fast"]' "$TMP/vseed/meta.json")"
RB=$ROOT/build/asan/refbench
[ -x "$RB" ] || RB=$ROOT/bench/refbench
cp "$TMP/vseed/meta.json" "$TMP/seed/meta.json"
mk_run "$TMP/a1" icount "$(spec get 81.6 0 5 0)"
mk_run "$TMP/b1" icount "$(spec get 82.6 0 5 0)"
"$RB" compare --no-plots -o "$TMP/rec" "$TMP/a1" "$TMP/b1" >/dev/null 2>"$TMP/err" || fail "compare: $(cat "$TMP/err")"
[ "$(jq -r '.metrics[0].point' "$TMP/rec/report.json")" = "gup-fast thp" ] ||
	fail "point not labelled by the recorded defaults: $(jq -r '.metrics[0].point' "$TMP/rec/report.json")"
grep -q '^gup-fast (CHANGED: ' "$TMP/rec/report.txt" ||
	fail "header not the recorded kernel paths: $(grep '^gup-fast' "$TMP/rec/report.txt")"
ok "recorded runs: labels and headers from meta.json's cases"
