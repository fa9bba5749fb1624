# Shared helpers for the integration tests (sourced).
set -eu
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# The sanitizer build when present (make check builds it), else the release one.
RB=${RB:-$ROOT/build/asan/refbench}
[ -x "$RB" ] || RB=$ROOT/bench/refbench
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
. "$ROOT/tests/tap.sh"
TMP=$(mktemp -d /tmp/rbtest.XXXXXX)
at_exit '[ -n "${KEEP_TMP:-}" ] || rm -rf "$TMP"'

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
# fake_host JOURNAL: the machine scripts/host-ab --seam systemd drives,
# played by fakes on PATH ($TMP/bin): kexec and systemctl record their
# calls in $FAKE_LOG, journalctl prints JOURNAL (the previous boot's last
# lines), findmnt calls $TMP/pmem a DAX mount; kernel directories
# $TMP/k/a and $TMP/k/b (6.1.192, KEXEC) and an original image $TMP/k/orig.
# Sets HAB and the environment; each "boot" is boot ID RELEASE CMDLINE.
fake_host() {
	HAB=$ROOT/scripts/host-ab
	local F=$TMP/bin k
	mkdir -p "$F" "$TMP/pmem" "$TMP/k/a" "$TMP/k/b"
	for k in a b; do
		: >"$TMP/k/$k/bzImage"; echo CONFIG_KEXEC=y >"$TMP/k/$k/.config"
		echo '{"kernelrelease": "6.1.192"}' >"$TMP/k/$k/build-info.json"
	done
	: >"$TMP/k/orig"
	printf '#!/bin/bash\necho "kexec $*" >>"$FAKE_LOG"\n' >"$F/kexec"
	printf '#!/bin/bash\necho "systemctl $*" >>"$FAKE_LOG"\n' >"$F/systemctl"
	printf '#!/bin/bash\necho %q\n' "$1" >"$F/journalctl"
	printf '#!/bin/bash\n[ "${@: -1}" = "$FAKE_DAX" ] && echo rw,relatime,dax=always || exit 1\n' >"$F/findmnt"
	chmod +x "$F"/*
	export PATH=$F:$PATH FAKE_DAX=$TMP/pmem
}
boot() { export RB_BOOT_ID=$1 RB_BOOT_RELEASE=$2 RB_BOOT_CMDLINE=$3; }
