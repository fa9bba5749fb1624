# tests/tap.sh: TAP output for the shell tests (sourced; bash). Each check is
# a test point; the plan comes at exit, so a test need not count ahead.
#   ok TEXT       "ok N - TEXT"
#   not_ok TEXT   "not ok N - TEXT"; the test goes on, and fails at exit
#   fail TEXT     "not ok N - TEXT", exit 1
#   skip REASON   "1..0 # SKIP REASON", exit 77 (tests/run counts a skip)
#   at_exit CMD   run CMD at exit (temp dirs, child processes), the last added first
# A test that stops on its own (set -e) without a point says so: "not ok".
TAP_N=0 TAP_BAD=0 TAP_PLANNED=0 TAP_CLEAN=()
ok() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $*"; }
not_ok() { TAP_N=$((TAP_N + 1)); TAP_BAD=$((TAP_BAD + 1)); echo "not ok $TAP_N - $*"; }
fail() { not_ok "$*"; exit 1; }
skip() { echo "1..0 # SKIP $*"; TAP_PLANNED=1; exit 77; }
at_exit() { TAP_CLEAN=("$1" "${TAP_CLEAN[@]}"); }
tap_exit() {
	local rc=$? c
	for c in "${TAP_CLEAN[@]}"; do eval "$c" || true; done
	[ "$rc" = 0 ] || [ "$rc" = 77 ] || [ "$TAP_BAD" -gt 0 ] || not_ok "stopped with exit $rc (log above)"
	[ "$rc" != 0 ] || [ "$TAP_BAD" = 0 ] || rc=1
	[ "$TAP_N" -gt 0 ] || [ "$rc" != 0 ] || ok "$(basename "$0")"
	[ "$TAP_PLANNED" = 1 ] || echo "1..$TAP_N"
	exit "$rc"
}
trap tap_exit EXIT
