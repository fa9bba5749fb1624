#!/bin/bash
# tests/lab/test_kconfig.sh: the kernel config check of kernels/build.
#
# Fast (about 20 s) and builds no kernel: one `kernels/build --config-only`
# against the kernel tree (tinyconfig + a crafted fragment), then
# kernels/lib/kconfig-check on crafted fragments on top of that .config.
# Checks that
#   - an option whose dependency is off is named, with that dependency
#     (GUP_TEST without DEBUG_FS, TEST_HMM without RUNTIME_TESTING_MENU);
#   - the notation works: a symbol the tree lacks is "not in this tree" and
#     no error; "optional" downgrades to a warning; "required" makes an
#     absent symbol an error; "any-of" accepts one met alternative and
#     fails when none is; bad directives are syntax errors;
#   - the shipped fragments (configs/kernel/*.config) name no symbol this
#     tree lacks unless it is marked optional or is in an any-of (typos);
#   - a value Kconfig replaced (NR_CPUS outside its range) is named with the
#     range;
#   - on every Debian tree in the cache (6.1, 6.12, 7.2), the minimal
#     profile (and distro: on 6.1, or on all with RB_KCONFIG_ALL=1) passes
#     the check with NR_CPUS, split PTE locks, PREEMPT_DYNAMIC and 5-level
#     support (about 40 s per tree and profile on 2 cores; at once when a
#     config of the same inputs passed the same check before, in the
#     shared cache: a lab kernel's build or an earlier run; a second call
#     must answer so).
# The tree is $KSRC, else the default one (scripts/ksrc --path); without it
# the test is skipped (exit 77). Exit 0 pass, 1 fail.
. "$(dirname "$0")/lib.sh"
set +e	# every check is a TAP point: the others still run after one fails
ROOT=$REPO
tree=${KSRC:-$("$ROOT/scripts/ksrc" --path 2>/dev/null)}
[ -n "$tree" ] && [ -f "$tree/scripts/kconfig/merge_config.sh" ] ||
	skip "no kernel tree at '${tree}' (run 'scripts/ksrc --extract', or set KSRC)"
lab_needs make gcc flex bison jq

lab_tmp kconfig
tmp=$TMP
# bad NAME [FILE]: a failed point, with FILE's first lines as comments
bad() { not_ok "$1"; [ -z "${2-}" ] || sed 's/^/#   /' "$2" | head -n 20; }
expect_rc() {	# name want got output-file
	if [ "$3" = "$2" ]; then ok "$1 (exit $3)"; else bad "$1: exit $3, want $2" "$4"; fi
}
expect_grep() {	# name regex file
	if grep -Eq -- "$2" "$3"; then ok "$1"; else bad "$1: no line matches /$2/" "$3"; fi
}
expect_no_grep() {	# name regex file
	if grep -Eq -- "$2" "$3"; then bad "$1: a line matches /$2/" "$3"; else ok "$1"; fi
}

# ---- 1. the real path: merge_config.sh + olddefconfig + check, no build
cat >"$tmp/deps.config" <<'EOF'
# gup_test needs debugfs, which this fragment turns off
# CONFIG_DEBUG_FS is not set
CONFIG_GUP_TEST=y
# tinyconfig has no RUNTIME_TESTING_MENU: TEST_HMM cannot be enabled
CONFIG_TRANSPARENT_HUGEPAGE=y
# refbench: optional -- tested as a warning
CONFIG_TEST_HMM=y
CONFIG_REFBENCH_TEST_NO_SUCH_SYMBOL=y
EOF
rc=0
RB_CACHE=$tmp/cache "$ROOT/kernels/build" --cache "$tmp/cache" --src "$tree" --base tinyconfig \
	--fragment "$tmp/deps.config" --config-only --keep-objdir -j 2 >"$tmp/out1" 2>"$tmp/err1" || rc=$?
expect_rc "missing dependency fails the config check" 4 "$rc" "$tmp/err1"
expect_grep "names GUP_TEST and its unmet dependency DEBUG_FS" \
	'MISSING +CONFIG_GUP_TEST=y requested but missing: depends on DEBUG_FS \[=n\]' "$tmp/err1"
expect_grep "optional TEST_HMM is a warning naming RUNTIME_TESTING_MENU" \
	'warning +CONFIG_TEST_HMM=y .*optional, unmet.*RUNTIME_TESTING_MENU \[=n\]' "$tmp/err1"
expect_grep "a symbol the tree lacks is reported as not in this tree" \
	'note +CONFIG_REFBENCH_TEST_NO_SUCH_SYMBOL=y .*not in this tree' "$tmp/err1"
expect_no_grep "...and is not an error" 'MISSING +CONFIG_REFBENCH_TEST_NO_SUCH_SYMBOL' "$tmp/err1"
expect_grep "the summary counts one missing option" '1 missing$' "$tmp/err1"
if [ -s "$tmp/out1" ]; then bad "nothing on stdout when the check fails" "$tmp/out1"; else ok "nothing on stdout when the check fails"; fi
if ls "$tmp"/cache/kernels/*/bzImage >/dev/null 2>&1; then bad "no kernel in the cache"; else ok "no kernel in the cache"; fi

obj=$(sed -n 's/^kernels\/build: objdir kept: //p' "$tmp/err1")
if [ -z "$obj" ] || [ ! -f "$obj/.config" ]; then
	bad "the objdir with the merged .config was kept" "$tmp/err1"
	exit 1
fi
ok "the objdir with the merged .config was kept"
# each check below merges its fragment on top of this .config (merge_config.sh
# replaces the objdir's .config)
cp "$obj/.config" "$tmp/final.config"
check() {	# kconfig-check FRAGMENT... on top of final.config
	"$ROOT/kernels/lib/kconfig-check" --tree "$tree" --obj "$obj" --base "$tmp/final.config" "$@"
}

# ---- 2. the notation, on top of that .config (kernels/lib/kconfig-check)
verify() {	# name want-rc fragment-text -> $tmp/v.out
	printf '%s\n' "$3" >"$tmp/v.config"
	local rc=0
	check --status "$tmp/v.tsv" "$tmp/v.config" >"$tmp/v.out" 2>&1 || rc=$?
	expect_rc "$1" "$2" "$rc" "$tmp/v.out"
}

verify "an option met and an option off as asked pass" 0 \
'CONFIG_MMU=y
# CONFIG_DEBUG_FS is not set'

verify "optional: an unmet option is a warning" 0 \
'# refbench: optional -- why: free text
CONFIG_GUP_TEST=y'
expect_grep "...that names the reason" 'warning +CONFIG_GUP_TEST=y .*depends on DEBUG_FS' "$tmp/v.out"

verify "not in this tree: no error by default" 0 'CONFIG_REFBENCH_OLD_NAME=y'
expect_grep "...reported as not in this tree" 'CONFIG_REFBENCH_OLD_NAME=y .*not in this tree' "$tmp/v.out"

verify "required: a symbol the tree lacks is an error" 1 \
'# refbench: required
CONFIG_REFBENCH_OLD_NAME=y'
expect_grep "...named as required" 'MISSING +CONFIG_REFBENCH_OLD_NAME=y .*required, but not in this tree' "$tmp/v.out"

verify "any-of: a rename passes when one name is met" 0 \
'# refbench: any-of CONFIG_MMU CONFIG_REFBENCH_OLD_NAME
CONFIG_MMU=y
CONFIG_REFBENCH_OLD_NAME=y'

verify "any-of: fails when no alternative is met" 1 \
'# refbench: any-of CONFIG_GUP_TEST CONFIG_GUP_BENCHMARK
CONFIG_GUP_TEST=y
CONFIG_GUP_BENCHMARK=y'
expect_grep "...naming the alternatives" 'CONFIG_GUP_TEST=y requested but missing: depends on DEBUG_FS.*no alternative \(CONFIG_GUP_BENCHMARK\)' "$tmp/v.out"

verify "a forced-on option requested off is named with what selects it" 1 \
'# CONFIG_MMU is not set'

verify "an unknown directive is a syntax error" 2 \
'# refbench: optionl
CONFIG_MMU=y'

verify "a directive followed by a blank line is a syntax error" 2 \
'# refbench: optional

CONFIG_MMU=y'

verify "an any-of member without a request is a syntax error" 2 \
'# refbench: any-of CONFIG_MMU CONFIG_REFBENCH_OLD_NAME
CONFIG_MMU=y'

# An int Kconfig replaced (NR_CPUS with SMP off: range 1..1) is named with its range.
verify "a value outside the symbol's range is missing" 1 'CONFIG_NR_CPUS=64'
expect_grep "...named with the range Kconfig applied" \
	'MISSING +CONFIG_NR_CPUS=64 requested but missing: .*its range here is 1\.\.1 \(range NR_CPUS_RANGE_BEGIN \[=1\] NR_CPUS_RANGE_END \[=1\]\).*\(now 1\)' "$tmp/v.out"

# Later fragments override earlier ones, as in merge_config.sh.
printf 'CONFIG_GUP_TEST=y\n' >"$tmp/a.config"
printf '# CONFIG_GUP_TEST is not set\n' >"$tmp/b.config"
rc=0
check "$tmp/a.config" "$tmp/b.config" >"$tmp/v.out" 2>&1 || rc=$?
expect_rc "a later fragment overrides an earlier one" 0 "$rc" "$tmp/v.out"
expect_grep "...with a note" 'b.config:1 overrides a.config:1' "$tmp/v.out"

# ---- 3. lint of the shipped fragments against this tree
frags=("$ROOT"/configs/kernel/*.config)
check --status "$tmp/lint.tsv" "${frags[@]}" >"$tmp/lint.out" 2>&1
rc=$?
if [ "$rc" -eq 2 ]; then
	bad "the shipped fragments parse" "$tmp/lint.out"
else
	ok "the shipped fragments parse"
fi
awk -F'\t' '$9 == 0 && $7 != "optional" && $8 == "" { print $1 " (" $5 ")" }' "$tmp/lint.tsv" >"$tmp/lint.bad"
if [ -s "$tmp/lint.bad" ]; then
	bad "every symbol in configs/kernel/ exists in this tree, or is optional or any-of (typo?)" "$tmp/lint.bad"
else
	ok "every symbol in configs/kernel/ exists in this tree, or is optional or any-of"
fi

# ---- 4. every Debian tree in the cache: both profiles pass the check,
# with the lab's must-haves (NR_CPUS, split PTE locks, the preemption model)
for v in 6.1 6.12 7.2; do
	t=$("$ROOT/scripts/ksrc" --version "$v" --path)
	if [ ! -f "$t/Makefile" ]; then
		echo "# $v: no tree at $t (scripts/ksrc --version $v --extract): not checked"
		continue
	fi
	profs=(minimal)
	[ "$v" != 6.1 ] && [ "${RB_KCONFIG_ALL:-0}" != 1 ] || profs+=(distro)
	for prof in "${profs[@]}"; do
		rc=0
		# the shared cache: a config of these inputs that passed this check
		# before (a lab kernel's build, an earlier run) answers at once
		"$ROOT/kernels/build" --src "$t" --profile "$prof" --config-only -j 2 >"$tmp/p.out" 2>"$tmp/p.err" || rc=$?
		expect_rc "$v $prof: every required option met" 0 "$rc" "$tmp/p.err"
		[ "$rc" = 0 ] || continue
		cfg=$(tail -n1 "$tmp/p.out")
		want=64; [ "$prof" = minimal ] || want=8192
		expect_grep "$v $prof: NR_CPUS=$want" "^CONFIG_NR_CPUS=$want\$" "$cfg"
		expect_grep "$v $prof: split PTE locks" '^CONFIG_SPLIT_PTE_PTLOCKS=y$|^CONFIG_SPLIT_PTLOCK_CPUS=4$' "$cfg"
		expect_grep "$v $prof: PREEMPT_DYNAMIC" '^CONFIG_PREEMPT_DYNAMIC=y$' "$cfg"
		expect_grep "$v $prof: 5-level paging compiled in" '^CONFIG_PGTABLE_LEVELS=5$' "$cfg"
	done
done
# the same inputs again: the config that passed, not the check again
t=$("$ROOT/scripts/ksrc" --version 6.1 --path)
rc=0
"$ROOT/kernels/build" --src "$t" --profile minimal --config-only -j 2 >"$tmp/p2.out" 2>"$tmp/p2.err" || rc=$?
expect_rc "6.1 minimal again: answered from the config checked before" 0 "$rc" "$tmp/p2.err"
expect_grep "...which it names" '^kernels/build: config checked before \(the same inputs and check\): .*/configs/6\.1\.192-[0-9a-f]{16}\.config$' "$tmp/p2.err"
expect_no_grep "...without running make or the check" 'config: make|kconfig: [0-9]+ options' "$tmp/p2.err"

