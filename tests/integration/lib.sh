# Shared helpers for the integration tests (sourced).
set -eu
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# The sanitizer build when present (make check builds it), else the release one.
RB=${RB:-$ROOT/build/asan/refbench}
[ -x "$RB" ] || RB=$ROOT/bench/refbench
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
. "$ROOT/tests/tap.sh"
TMP=$(mktemp -d /tmp/rbtest.XXXXXX)
at_exit 'rm -rf "$TMP"'

# rc_of CMD...: run CMD with stdout/stderr in $TMP/so and $TMP/se; sets RC
rc_of() { set +e; "$@" >"$TMP/so" 2>"$TMP/se"; RC=$?; set -e; }
# expect RC TEXT: the last rc_of exited RC and said TEXT on stderr
expect() {
	[ "$RC" = "$1" ] || fail "exit $RC, expected $1: $(cat "$TMP/se")"
	grep -qF -- "$2" "$TMP/se" || fail "stderr lacks '$2': $(cat "$TMP/se")"
}
# wait_records DIR N: until meta.json certifies at least N records (a run in
# progress commits each point); fails after 30 s so a broken run cannot hang
wait_records() {
	local i
	for i in $(seq 300); do
		[ "$(jq -r '.integrity.records // 0' "$1/meta.json" 2>/dev/null || echo 0)" -ge "$2" ] && return 0
		sleep 0.1
	done
	fail "$1: no $2 records certified within 30 s"
}
# long_suite [LOOPS]: 30 points without memory, each of 3 samples of LOOPS
# empty windows (default 5000, ~0.1 s a point): long enough to interrupt
long_suite() {
	local l=${1:-5000}
	printf 'null - loops=%s repeat=3 warmup=0\n' "$(seq -s, "$l" $((l + 29)))" >"$TMP/long.suite"
}
# certify DIR: a run whose samples.jsonl a test wrote by hand gets the
# integrity record refbench would have written (one point per record set
# is not claimed: points_done is dropped)
certify() {
	local s=$1/samples.jsonl
	jq --argjson records "$(grep -c '' "$s")" --argjson bytes "$(stat -c %s "$s")" \
		--arg sha "$(sha256sum "$s" | cut -d' ' -f1)" \
		'.integrity = {file: "samples.jsonl", records: $records, bytes: $bytes, sha256: $sha} |
		 del(.points_done)' "$1/meta.json" >"$1/meta.json.new"
	mv "$1/meta.json.new" "$1/meta.json"
}
