# Shared helpers for the integration tests (sourced).
set -eu
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# The sanitizer build when present (make check builds it), else the release one.
RB=${RB:-$ROOT/build/asan/refbench}
[ -x "$RB" ] || RB=$ROOT/bench/refbench
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
TMP=$(mktemp -d /tmp/rbtest.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
