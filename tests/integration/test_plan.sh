#!/bin/bash
# The plan (refbench plan) and its lab executor (scripts/plan-run) for a
# series walk and a bounds measurement, without QEMU: a scratch tree holds
# the real scripts and refbench, with kernels/build and scripts/lab
# replaced by stubs that return synthetic deterministic runs. (The A/B's
# own loop: test_ab_loop.sh.) Checks a walk from a directory, from an mbox
# and from a per-version layout, a patch that does not apply, a kernel
# that does not boot, a walk resumed after a signal, bounds -o and
# --check, and the decisions the plan owns (SPEC, suites, patch layouts).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/compare_lib.sh"

F=$TMP/tree
mkdir -p "$F/scripts" "$F/kernels" "$F/bench" "$F/configs/suites" "$F/configs/bounds" "$F/results"
cp "$ROOT/scripts/series" "$ROOT/scripts/bounds" "$ROOT/scripts/plan-run" "$ROOT/scripts/lib.sh" "$F/scripts/"
ln -s "$ROOT/bench/refbench" "$F/bench/refbench"
cp "$ROOT/configs/suites/ab-smoke.suite" "$F/configs/suites/"
# stub kernels/build: kernel N = the base + N patches (the files in
# --patches DIR); a patch named *broken* does not apply (exit 3, as
# kernels/build says it)
cat >"$F/kernels/build" <<'STUB'
#!/bin/bash
n=0 pat=''
while [ $# -gt 0 ]; do case $1 in --patches) pat=$2; shift 2 ;; *) shift ;; esac; done
if [ -n "$pat" ]; then
	n=$(find "$pat" -maxdepth 1 -name '*.patch' | wc -l)
	if find "$pat" -maxdepth 1 -name '*broken*' | grep -q .; then
		echo "kernels/build: error: patch $(basename "$(find "$pat" -name '*broken*')") does not apply" >&2
		exit 3
	fi
fi
d=$(dirname "$0")/../k$n
mkdir -p "$d"; : >"$d/bzImage"
echo '{"kernelversion": "6.1.192"}' >"$d/build-info.json"
echo "kernels/build: built k$n" >&2
echo "$d"
STUB
# stub lab: kernel N adds 1 insn/page to get from N >= 1 and to put from
# N >= 2; its meta carries the walk's build info; FAIL_KERNEL=N fails
# kernel N's boot; SLOW_KERNEL=N makes kernel N's boot take 30 s
cat >"$F/scripts/lab" <<STUB
#!/bin/bash
set -eu
case " \$* " in *" --dry-run "*)
	echo '{"qemu": {"mem_mib": 64}, "pmem": {"size_mib": 64, "label_size_mib": 2}, "root": {"kind": "initramfs"}}'
	echo "qemu-system-x86_64 ..."; exit 0 ;; esac
k=\$(basename "\$(sed -n 's/.*--kernel \([^ ]*\).*/\1/p' <<<"\$*")")
n=\${k#k}
p=\$(sed -n 's/.*--perturb \([0-9]*\).*/\1/p' <<<"\$*")
exec 9>"$F/boots.lock"; flock 9
b=\$(( \$(cat "$F/boots" 2>/dev/null || echo 0) + 1 )); echo \$b >"$F/boots"
flock -u 9
[ "\$n" != "\${FAIL_KERNEL:-}" ] || { echo "stub: kernel \$n failed to boot" >&2; exit 1; }
[ "\$n" != "\${SLOW_KERNEL:-}" ] || sleep 30
TMP=$TMP
spec() { $(declare -f spec | tail -n +2)
}
$(declare -f mk_run certify)
bi=\$(jq -nc --argjson k "\$n" '{source: {path: "/usr/src/linux-source-6.1.tar.xz", sha256: "5eed"},
	patches: [range(0; \$k) as \$i | {subject: ("patch " + (\$i + 1 | tostring)), sha256: ("sha" + (\$i | tostring))}]}')
export META_JQ=".lab.kernel.build_info = \$bi | .stub_boot = \$b"
get=\$(( n >= 1 )); put=\$(( n >= 2 ))
mun=480; [ "\${p:-0}" = 0 ] || mun=480.\${p:0:1}
mk_run "$F/runs/\$b" icount "\$(spec get \$(echo "81.6 + \$get" | bc) 0 5 0)" "\$(spec put \$(echo "14.9 + \$put" | bc) 0 5 0)" \
	"\$(spec munmap \$mun 0 5 0)"
echo "$F/runs/\$b"
STUB
chmod +x "$F/kernels/build" "$F/scripts/lab" "$F/scripts/"*
command -v bc >/dev/null || skip "bc is not installed"

mkpatch() {	# mkpatch FILE SUBJECT: a one-line patch mail
	printf 'From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\nFrom: t <t@t>\nSubject: [PATCH] %s\n\n---\ndiff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n' "$2" >"$1"
}
mkdir -p "$TMP/s3" "$TMP/layout/6.1" "$TMP/layout/7.2" "$TMP/broken"
for i in 1 2 3; do mkpatch "$TMP/s3/000$i-p$i.patch" "patch $i"; cp "$TMP/s3/000$i-p$i.patch" "$TMP/layout/6.1/"; done
cat "$TMP/s3"/*.patch >"$TMP/s3.mbox"

# 1. bounds: -o writes a file from perturbed boots, --check passes with it
rm -f "$F/boots"
mkdir -p "$TMP/one" && cp "$TMP/s3/0001-p1.patch" "$TMP/one/"
"$F/kernels/build" >/dev/null 2>&1 && "$F/kernels/build" --patches "$TMP/one" >/dev/null 2>&1
"$F/scripts/bounds" --suite ab-smoke --kernel "$F/k0" --kernel "$F/k1" --boots 3 -o "$TMP/b.bounds" \
	>/dev/null 2>"$TMP/b.err" || fail "bounds -o: $(tail -5 "$TMP/b.err")"
[ "$(cat "$F/boots")" = 6 ] || fail "$(cat "$F/boots") boots, not 2 kernels x 3"
jq -e '.schema == "refbench-bounds/1" and (.metrics | length) == 3 and
	(.metrics[] | select(.metric == "munmap") | .seen > 0)' "$TMP/b.bounds" >/dev/null ||
	fail "bounds file: $(jq -c '.metrics | map({metric, seen, bound})' "$TMP/b.bounds")"
[ ! -e "$TMP/b.bounds.plan" ] || fail "the state dir was left"
"$F/scripts/bounds" --suite ab-smoke --kernel "$F/k0" --boots 2 --check "$TMP/b.bounds" >/dev/null 2>"$TMP/c.err" ||
	fail "bounds --check: $(tail -5 "$TMP/c.err")"
# the suite's bounds for 6.1, as make series finds them (configs/bounds/SUITE-X.Y.bounds)
cp "$TMP/b.bounds" "$F/configs/bounds/ab-smoke-6.1.bounds"
ok "bounds: 2 kernels x 3 perturbed boots written, then --check passes"
# --across: the two kernels as images of one source, their boots together
"$F/scripts/bounds" --suite ab-smoke --kernel "$F/k0" --kernel "$F/k1" --boots 2 --across -o "$TMP/ba.bounds" \
	>/dev/null 2>"$TMP/ba.err" || fail "bounds --across: $(tail -5 "$TMP/ba.err")"
jq -e '(.how | test("images of one source")) and (.metrics[] | select(.metric == "get") | (.seen - 1 | fabs) < 1e-9)' \
	"$TMP/ba.bounds" >/dev/null || fail "bounds --across: $(jq -c '[.how, (.metrics[] | select(.metric == "get"))]' "$TMP/ba.bounds")"
! "$F/scripts/bounds" --suite ab-smoke --kernel "$F/k0" --across -o "$TMP/b1.bounds" >/dev/null 2>"$TMP/b1.err" &&
	grep -q -- "--across takes the spread over several images" "$TMP/b1.err" && [ ! -e "$TMP/b1.bounds" ] ||
	fail "bounds --across with one kernel: $(cat "$TMP/b1.err")"
ok "bounds --across: two images' boots together (get moves by 1 between them); one kernel refused"

# 2. a walk of three patches from a directory: four kernels, four boots,
# the table, the plan kept beside it, the result dir the last stdout line
rm -f "$F/boots"
"$F/scripts/series" --series "$TMP/s3" --suite ab-smoke -o "$TMP/w1" >"$TMP/w1.out" 2>"$TMP/w1.err" ||
	fail "walk: $(tail -5 "$TMP/w1.err")"
[ "$(tail -1 "$TMP/w1.out")" = "$TMP/w1" ] || fail "last stdout line: $(tail -1 "$TMP/w1.out")"
[ "$(cat "$F/boots")" = 4 ] || fail "$(cat "$F/boots") boots, not 4"
grep -qE '^  get +\+1 +\. +\.$' "$TMP/w1/series.txt" && grep -qE '^  put +\. +\+1 +\.$' "$TMP/w1/series.txt" ||
	fail "table: $(cat "$TMP/w1/series.txt")"
jq -e '.format == "refbench-plan" and .job == "series" and (.kernels | length) == 4 and
	([.boots[].status] | unique) == ["done"] and (.patches | length) == 3' "$TMP/w1/plan.json" >/dev/null ||
	fail "plan: $(jq -c 'del(.settings)' "$TMP/w1/plan.json")"
[ ! -e "$TMP/w1.plan" ] || fail "the plan's state dir was left"
grep -q "bounds: .*ab-smoke-6.1.bounds" "$TMP/w1/series.txt" || fail "bounds not found by version: $(head -5 "$TMP/w1/series.txt")"
grep -q "booting 4 kernels, [12] at once" "$TMP/w1.err" || fail "no boots line: $(cat "$TMP/w1.err")"
ok "a three-patch walk: 4 kernels, 4 boots, get +1 at [1], put +1 at [2], the plan kept in the result"

# 3. the same series as an mbox, and as a per-version layout (6.1/, 7.2/)
rm -f "$F/boots"
"$F/scripts/series" --series "$TMP/s3.mbox" --suite ab-smoke -o "$TMP/w2" >/dev/null 2>"$TMP/w2.err" ||
	fail "mbox walk: $(tail -5 "$TMP/w2.err")"
cmp -s <(sed -n '/^  get/,/^  put/p' "$TMP/w1/series.txt") <(sed -n '/^  get/,/^  put/p' "$TMP/w2/series.txt") ||
	fail "the mbox walk differs: $(cat "$TMP/w2/series.txt")"
mkpatch "$TMP/layout/7.2/0001-other.patch" "for 7.2"
"$F/scripts/series" --series "$TMP/layout" --suite ab-smoke -o "$TMP/w3" >/dev/null 2>"$TMP/w3.err" ||
	fail "layout walk: $(tail -5 "$TMP/w3.err")"
grep -q "series: $TMP/layout/6.1/ (per-version layout; the base is 6.1.192)" "$TMP/w3.err" ||
	fail "no layout line: $(cat "$TMP/w3.err")"
jq -e '(.patches | length) == 3' "$TMP/w3/plan.json" >/dev/null || fail "layout picked: $(jq -c .patches "$TMP/w3/plan.json")"
ok "the walk from an mbox (git mailsplit) and from a per-version layout (6.1/ of 6.1.192)"

# 4. a patch that does not apply ends the walk there, exit 1, table kept
rm -f "$F/boots"
mkpatch "$TMP/broken/0001-p1.patch" "patch 1"
mkpatch "$TMP/broken/0002-broken.patch" "patch 2"
mkpatch "$TMP/broken/0003-p3.patch" "patch 3"
set +e; "$F/scripts/series" --series "$TMP/broken" --suite ab-smoke -o "$TMP/w4" >"$TMP/w4.out" 2>"$TMP/w4.err"; rc=$?; set -e
[ "$rc" = 1 ] && [ "$(tail -1 "$TMP/w4.out")" = "$TMP/w4" ] || fail "stopped walk: exit $rc, $(tail -3 "$TMP/w4.err")"
grep -q "error: the walk stopped at patch 2: patch 2 does not apply: patch 0002-broken.patch does not apply" "$TMP/w4.err" ||
	fail "stop message: $(tail -3 "$TMP/w4.err")"
grep -qF 'STOPPED: the walk stopped at patch [2]' "$TMP/w4/series.txt" || fail "no STOPPED line: $(cat "$TMP/w4/series.txt")"
[ "$(cat "$F/boots")" = 2 ] || fail "$(cat "$F/boots") boots, not 2 (base and patch 1)"
ok "a patch that does not apply stops the walk there: exit 1, the table up to it"

# 5. a kernel that does not boot ends the walk there too
rm -f "$F/boots"
set +e; FAIL_KERNEL=2 "$F/scripts/series" --series "$TMP/s3" --suite ab-smoke --jobs 1 -o "$TMP/w5" >/dev/null 2>"$TMP/w5.err"; rc=$?; set -e
[ "$rc" = 1 ] && grep -q "the walk stopped at patch 2: the kernel with patch 2 failed its lab boot" "$TMP/w5.err" ||
	fail "boot failure: exit $rc, $(tail -3 "$TMP/w5.err")"
jq -e '.stopped.patch == 2 and (.patches | length) == 1' "$TMP/w5/series.json" >/dev/null || fail "w5: $(jq -c .stopped "$TMP/w5/series.json")"
ok "a kernel that fails its boot stops the walk at its patch"

# 6. a walk stopped by a signal resumes: the boots done are reused
rm -f "$F/boots"
SLOW_KERNEL=3 "$F/scripts/series" --series "$TMP/s3" --suite ab-smoke --jobs 1 -o "$TMP/w6" >/dev/null 2>"$TMP/w6.err" &
pid=$!
for _ in $(seq 60); do [ "$(cat "$F/boots" 2>/dev/null)" = 4 ] && break; sleep 0.5; done
kill -TERM -- "$pid" 2>/dev/null || true
pkill -TERM -f "$F/scripts/lab" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
[ -f "$TMP/w6.plan/plan.json" ] && [ ! -e "$TMP/w6/series.txt" ] || fail "after the signal: $(ls "$TMP")"
grep -q "continues" "$TMP/w6.err" || fail "no resume hint: $(tail -3 "$TMP/w6.err")"
"$F/scripts/series" --resume "$TMP/w6" >"$TMP/w6b.out" 2>"$TMP/w6b.err" || fail "resume: $(tail -5 "$TMP/w6b.err")"
[ "$(grep -c '^series: boot [0-9]: reusing' "$TMP/w6b.err")" = 3 ] || fail "reused: $(grep reusing "$TMP/w6b.err")"
[ "$(cat "$F/boots")" = 5 ] || fail "$(cat "$F/boots") boots in all, not 4 + 1"
grep -qE '^  put +\. +\+1 +\.$' "$TMP/w6/series.txt" || fail "resumed table: $(cat "$TMP/w6/series.txt")"
set +e; "$F/scripts/series" --resume "$TMP/w6" >/dev/null 2>"$TMP/err"; rc=$?; set -e
[ "$rc" != 0 ] && grep -q "is complete (series.txt is there): nothing to resume" "$TMP/err" || fail "resume of a done walk: $(cat "$TMP/err")"
ok "a walk stopped by SIGTERM resumes: 3 verified boots reused, 1 booted"

# 7. refused before anything is built or booted
rm -f "$F/boots"
for args in "series|--series" "series --series $TMP/none|no such file" "series --series $TMP/s3 --base 6.1+x|carries no patches" \
	    "series --series $TMP/s3 --suite nosuch|suite 'nosuch' not found" "series --series $TMP/s3 --jobs 0|a count >= 1" \
	    "series --series $TMP/s3 --rounds 2|unknown argument '--rounds'" \
	    "bounds --suite ab-smoke|give -o FILE" "bounds --suite ab-smoke --boots 1 -o $TMP/x|a count >= 2" \
	    "bounds --suite ab-smoke -o $TMP/b.bounds|never overwritten" "bounds --suite ab-smoke --kernel $TMP -o $TMP/y|no bzImage"; do
	job=${args%% *} a=${args#* }
	set +e; eval "\"$F/scripts/$job\" ${a%|*}" >/dev/null 2>"$TMP/err"; rc=$?; set -e
	[ $rc -ne 0 ] && grep -q -- "${a#*|}" "$TMP/err" || fail "$job ${a%|*}: exit $rc: $(cat "$TMP/err")"
	[ ! -e "$F/boots" ] || fail "$job ${a%|*} booted"
done
ok "bad input refused before any build or boot (10 cases)"

# 8. the decisions the plan owns, one owner each
[ "$("$RB" plan patch-dir "$TMP/layout" 6.1.192)" = "$TMP/layout/6.1" ] || fail "patch-dir 6.1"
set +e; "$RB" plan patch-dir "$TMP/layout" 6.12.5 >/dev/null 2>"$TMP/err"; rc=$?; set -e
[ "$rc" != 0 ] && grep -q "has patches for 6.1, 7.2, not for this tree's 6.12 (6.12.5)\|has patches for 7.2, 6.1, not for this tree's 6.12" "$TMP/err" ||
	fail "patch-dir 6.12: $(cat "$TMP/err")"
ok "patch layouts: 6.1.192 picks 6.1/, 6.12.5 is refused naming what there is"

