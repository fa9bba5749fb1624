#!/bin/bash
# Bad input: each exits != 0 with an error that names the fix, and writes
# no results.
. "$(dirname "$0")/lib.sh"

mkdir -p "$TMP/notdax" "$TMP/existing"
echo '{}' >"$TMP/existing/meta.json"
printf 'fault anon size=8M\nfault anon size\n' >"$TMP/malformed.suite"

n=0
check() {	# check "expected text" args...
	local want=$1; shift
	n=$((n + 1))
	local out=$TMP/out$n
	set +e
	"$RB" run -o "$out" --quiet "$@" >"$TMP/so" 2>"$TMP/se"
	local rc=$?
	set -e
	[ "$rc" -ne 0 ] || fail "exit 0 for: $* ($(cat "$TMP/se"))"
	grep -qF -- "$want" "$TMP/se" || fail "for '$*': stderr lacks '$want': $(cat "$TMP/se")"
	[ ! -e "$out" ] || fail "for '$*': $out was written"
	ok "$* -> $(head -c 150 "$TMP/se" | tr '\n' ' ')"
}

check "unknown case 'nosuch'" --case nosuch
check "unknown kind 'pmd'" --case fault --kind pmd
check "configs/suites/NAME.suite" --suite nosuch
check "is not on a DAX mount" --case fault --kind fsdax-pmd --fsdax "$TMP/notdax"
check "not a directory" --case fault --kind fsdax-pmd --fsdax /dev/null
check "is not a character device" --case fault --kind devdax-2m --devdax "$TMP/malformed.suite"
check "but not device-dax" --case fault --kind devdax-2m --devdax /dev/null
check "No such file" --case fault --kind devdax-2m --devdax /dev/dax9.9
check "not a multiple of the 2 MiB" --case fault --kind thp -p size=3M
check "is not a size" --case fault --kind anon -p size=lots
check "unknown parameter 'bogus'" --case fault --kind anon -p bogus=1
check "is not key=value" --suite "$TMP/malformed.suite"
check "does not support kind" --case null --kind anon
check "--clock fast" --case null --kind - --clock fast
check "give either --suite" --case null --suite quick
# a selection of 0 points: before, "0 points", a "complete" empty run, exit 0
check "case null takes no memory: 'all' selects no kind (use --kind -" --case null
check "'dax' selects no kind that case hmm-migrate supports" --case hmm-migrate --kind dax
printf 'null - loops=10\nhmm-migrate dax size=8M\n' >"$TMP/nokind.suite"
check "nokind.suite line 2: 'dax' selects no kind" --suite "$TMP/nokind.suite"
# --cpu that is not online: before, "running unpinned", exit 0
check "--cpu 99: CPU 99 is not online (online: " --case null --kind - --cpu 99
check "--cpu x: not a CPU number" --case null --kind - --cpu x
check "--cpu -1: not a CPU number" --case null --kind - --cpu -1

# an existing run is never overwritten (and left as it was)
set +e; "$RB" run --case null --kind - -o "$TMP/existing" --quiet 2>"$TMP/se"; rc=$?; set -e
[ $rc -ne 0 ] && grep -q "never overwritten" "$TMP/se" || fail "existing run: $(cat "$TMP/se")"
[ "$(cat "$TMP/existing/meta.json")" = '{}' ] || fail "existing run was modified"
[ ! -e "$TMP/existing/samples.jsonl" ] || fail "samples written into an existing run"
ok "existing run refused"

# pmem-setup reconfigures every namespace: outside a lab guest it refuses,
# even with --force, before touching anything
set +e; "$ROOT/scripts/pmem-setup" --force >"$TMP/so" 2>"$TMP/se"; rc=$?; set -e
[ $rc -ne 0 ] && grep -q "refusing: not a refbench lab guest" "$TMP/se" ||
	fail "pmem-setup ran outside the lab: rc $rc $(cat "$TMP/se")"
grep -q "ndctl" "$TMP/so" && fail "pmem-setup called ndctl before refusing"
ok "pmem-setup refuses outside the lab"

# every shipped suite parses and validates (a typo fails here, not in a lab)
for s in "$ROOT"/configs/suites/*.suite; do
	"$RB" run --suite "$s" --dry-run >/dev/null 2>"$TMP/se" || fail "suite $s: $(cat "$TMP/se")"
done
ok "every suite in configs/suites validates (--dry-run)"

# fio: a malformed job file and a wrong path are errors before anything is
# written (the cases' setups run as a preflight)
if command -v fio >/dev/null; then
	dd if=/dev/zero of="$TMP/dio-target" bs=1M count=4 status=none
	sed 's/^direct=1$/direct=1\nbogus_option_xyz=1/' "$ROOT/configs/fio/dio-daxbuf.fio" >"$TMP/bad.fio"
	check "is malformed, fio says: Bad option" --case fio-dio-daxbuf --kind anon -p job="$TMP/bad.fio" \
		--dio-target "$TMP/dio-target"
	check "--dio-target $TMP/nowhere" --case fio-dio-daxbuf --kind anon --dio-target "$TMP/nowhere"
else
	echo "note: fio missing, its bad-input rows not run"
fi
