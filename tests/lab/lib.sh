# tests/lab/lib.sh: what every lab test starts with (sourced, bash).
#   REPO, RB          the checkout and its bench/refbench
#   TAP               ok / not_ok / fail / skip / at_exit (tests/tap.sh)
#   lab_needs T...    skip unless each tool is on PATH (qemu-system-x86_64,
#                     jq, ...): a missing tool is a skip, naming make deps
#   lab_built         skip unless bench/refbench (and the plugin) are built
#   lab_kernel [A..]  set KERNEL, the kernel to boot: RB_LAB_KERNEL, else
#                     kernels/build A... (the cache has it in 0.1 s); a
#                     kernel that does not build is a FAILURE, never a skip
#   lab_tmp NAME      make TMP, removed at exit unless the test failed or
#                     RB_KEEP_TEST_RUNS=1 (then kept, and named)
# Exit: 0 pass, 1 fail, 77 skip.
set -eu
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
RB=$REPO/bench/refbench
. "$REPO/tests/tap.sh"
KEEP=${RB_KEEP_TEST_RUNS:-0}
# a failed test keeps its files, and names the run it was looking at
fail() { KEEP=1; not_ok "$*${RUN:+ (run dir: $RUN)}"; exit 1; }

lab_needs() {
	local t
	for t in "$@"; do command -v "$t" >/dev/null || skip "$t is missing (make deps)"; done
}
lab_built() {
	[ -x "$RB" ] || skip "bench/refbench is not built (make)"
	[ "${1:-}" != --plugin ] || [ -f "$REPO/build/plugin/insn_attr.so" ] ||
		skip "the plugin build/plugin/insn_attr.so is not built (make)"
}
lab_kernel() {
	KERNEL=${RB_LAB_KERNEL:-}
	[ -z "$KERNEL" ] || return 0
	KERNEL=$(set -o pipefail; "$REPO/kernels/build" "$@" | tail -n 1) || fail "kernels/build $* failed (above)"
	[ -n "$KERNEL" ] || fail "kernels/build $* printed no kernel"
}
lab_tmp() {
	TMP=$(mktemp -d "${TMPDIR:-/tmp}/rb-$1.XXXXXX")
	at_exit 'if [ "$KEEP" = 1 ]; then echo "# kept $TMP"; else rm -rf "$TMP"; fi'
}
