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

# ---- measured, not believed (docs/bad-input.md) --------------------------
REL=$ROOT/bench/refbench	# without ASan: prlimit --as and ASan's shadow map do not mix
# nothing_left DIR: no DIR, no DIR.tmp-*, no meta.json.tmp-* under DIR's parent
nothing_left() {
	[ ! -e "$1" ] || fail "$1 was written"
	! ls -d "$1".tmp-* "$(dirname "$1")"/*/*.tmp-* >/dev/null 2>&1 || fail "a *.tmp-* was left: $(ls -d "$1".tmp-* "$(dirname "$1")"/*/*.tmp-* 2>/dev/null)"
}

# 1. the clock is labelled icount only when it is seen to count instructions
#    (on this host it is not: refused, pointing at deterministic mode)
for extra in "" "--dry-run"; do
	rc_of "$RB" run --case null --kind - --clock icount --repeat 2 -o "$TMP/ic" $extra
	expect 2 "--clock icount: this clock does not count instructions"
	grep -qF "scripts/lab --mode deterministic" "$TMP/se" || fail "icount refusal does not name deterministic mode: $(cat "$TMP/se")"
	nothing_left "$TMP/ic"
	ok "--clock icount ${extra:+$extra }on a host refused: $(head -c 160 "$TMP/se")"
done

# a real run to edit (two points, so one can be spoilt)
"$RB" run --case null --kind - -p loops=10,11 --repeat 2 --warmup 0 -o "$TMP/good" --quiet >/dev/null
"$RB" run --case null --kind - -p loops=10,11 --repeat 2 --warmup 0 -o "$TMP/good2" --quiet >/dev/null
# the same as deterministic runs (--bounds is for those): clock icount, certified again
for r in good good2; do
	cp -r "$TMP/$r" "$TMP/$r-ic"
	jq -c '.clock = "icount" | .unit |= sub("^ns/"; "insn/")' "$TMP/$r/samples.jsonl" >"$TMP/$r-ic/samples.jsonl"
	jq '.clock = "icount (guest ns = instructions)"' "$TMP/$r/meta.json" >"$TMP/$r-ic/meta.json"
	certify "$TMP/$r-ic"
done
# runs an older refbench labelled icount without proof: compare warns of
# them (not when they hold a clock_proof or lab.mode deterministic)
WARN="is labelled clock icount, but nothing in it proves that"
rc_of "$RB" compare --no-plots -o "$TMP/cmp-unproven" "$TMP/good-ic" "$TMP/good2-ic"
[ "$RC" = 0 ] && [ "$(grep -c "$WARN" "$TMP/se")" = 2 ] || fail "unproven icount: exit $RC $(cat "$TMP/se")"
for r in good good2; do
	jq '.clock_proof = "measured"' "$TMP/$r-ic/meta.json" >"$TMP/m" && mv "$TMP/m" "$TMP/$r-ic/meta.json"
	certify "$TMP/$r-ic"
done
rc_of "$RB" compare --no-plots -o "$TMP/cmp-proven" "$TMP/good-ic" "$TMP/good2-ic"
[ "$RC" = 0 ] && ! grep -q "$WARN" "$TMP/se" || fail "proven icount: exit $RC $(cat "$TMP/se")"
ok "compare warns of runs labelled icount with no clock_proof, and only of those"

# spoilt NAME JQ-ON-SAMPLES | JQ-ON-META: a copy of the good run, edited and
# certified again, so only the edit can make it invalid
spoilt() {
	rm -rf "$TMP/$1"; cp -r "$TMP/good" "$TMP/$1"
	[ -z "$2" ] || { jq -c "$2" "$TMP/good/samples.jsonl" >"$TMP/$1/samples.jsonl"; certify "$TMP/$1"; }
	[ -z "${3:-}" ] || { certify "$TMP/$1"; jq "$3" "$TMP/$1/meta.json" >"$TMP/m" && mv "$TMP/m" "$TMP/$1/meta.json"; }
}
# invalid NAME TEXT: validate (exit 1) and compare (exit 1, no report) refuse it, naming TEXT
invalid() {
	rc_of "$RB" validate "$TMP/$1"
	expect 1 "$2"
	rc_of "$RB" compare -o "$TMP/cmp-$1" "$TMP/good" "$TMP/$1"
	expect 1 "$2"
	nothing_left "$TMP/cmp-$1"
	ok "$1: validate and compare refuse it: $(head -c 160 "$TMP/se")"
}

# 2. a value that cannot be: negative, or zero in a unit of time
spoilt negative 'if .iter == 1 and .metric == "clock-read" then .value = -3 else . end'
invalid negative "sample clock-read: value -3 ns/read is negative"
spoilt zero 'if .iter == 0 and .metric == "empty-window" then .value = 0 else . end'
invalid zero "value 0 ns/window: a time cannot be zero"

# 3. a failure of the harness (here: no memory for the mapping, under an
#    address-space limit) is an error, never a rejection; resume runs it again
if command -v prlimit >/dev/null; then
	rc_of prlimit --as=100000000 "$REL" run --case fault --kind anon -p size=256M --repeat 3 -o "$TMP/oom" --quiet
	expect 1 "one or more points failed with an error"
	[ "$(jq -r .type "$TMP/oom/samples.jsonl" | sort -u)" = error ] || fail "oom: records are $(jq -r .type "$TMP/oom/samples.jsonl" | sort -u | paste -sd,)"
	grep -q "Cannot allocate memory" "$TMP/oom/samples.jsonl" || fail "oom: the error does not say ENOMEM"
	[ "$(jq -r .status "$TMP/oom/meta.json")" = failed ] || fail "oom: run not failed"
	rc_of "$REL" run --resume "$TMP/oom" -o "$TMP/oom2" --quiet
	[ "$RC" = 0 ] && [ "$(jq -r '.points_done[0].outcome' "$TMP/oom2/meta.json")" = measured ] ||
		fail "oom: resume did not run the point again: rc $RC $(cat "$TMP/se")"
	ok "ENOMEM in the harness is an error, and resume runs that point again"
else
	echo "note: prlimit missing, the ENOMEM row not run"
fi

# 4. compare --iters is bounded
for it in 99999999999 1000001 99 1e5 0x100; do
	rc_of "$RB" compare -o "$TMP/cmp-iters" --iters "$it" "$TMP/good" "$TMP/good"
	expect 2 "--iters $it: give a number of resamples from 100 to 1000000"
	nothing_left "$TMP/cmp-iters"
done
ok "compare --iters out of 100..1000000 refused, with the range"

# 5. every file the user names: a regular file of bounded size
mkfifo "$TMP/fifo"
ln -s /dev/zero "$TMP/zero-link"
truncate -s 17M "$TMP/huge.json"
cp -r "$TMP/good" "$TMP/marked"; cp "$TMP/marked/meta.json" "$TMP/marked.before"
for f in /dev/zero "$TMP/zero-link" "$TMP/fifo" "$TMP/huge.json"; do
	case $f in *fifo) want="not a regular file (a FIFO (pipe))" ;; *huge*) want="17825792 bytes, more than the" ;;
	*) want="not a regular file (a character device)" ;; esac
	rc_of timeout 20 "$RB" mark "$TMP/marked" --merge-json k="$f"
	expect 2 "--merge-json k=$f: $want"
	cmp -s "$TMP/marked/meta.json" "$TMP/marked.before" || fail "mark --merge-json $f changed meta.json"
	rc_of timeout 20 "$RB" compare -o "$TMP/cmp-b" --bounds "$f" "$TMP/good-ic" "$TMP/good2-ic"
	expect 1 "bounds file $f: $want"
	nothing_left "$TMP/cmp-b"
	rc_of timeout 20 "$RB" run --case null --kind - --lab "$f" -o "$TMP/lab-run" --quiet
	expect 2 "--lab $f: $want"
	nothing_left "$TMP/lab-run"
	rc_of timeout 20 "$RB" run --case null --kind - --kernel-config "$f" -o "$TMP/kc-run" --quiet
	expect 2 "--kernel-config $f: $f: $want"
	nothing_left "$TMP/kc-run"
	rc_of timeout 20 "$RB" run --suite "$f" -o "$TMP/suite-run" --quiet
	expect 2 "$want"
	nothing_left "$TMP/suite-run"
	ok "$(basename "$f") refused by mark --merge-json, --bounds, --lab, --kernel-config, --suite: $want"
done
# a run whose meta.json is a symlink to /dev/zero
cp -r "$TMP/good" "$TMP/zero-run"; ln -sf /dev/zero "$TMP/zero-run/meta.json"
rc_of timeout 20 "$RB" validate "$TMP/zero-run"
expect 1 "meta.json: not a regular file (a character device)"
rc_of timeout 20 "$RB" run --resume "$TMP/zero-run" -o "$TMP/zero-resumed" --quiet
expect 2 "not a regular file (a character device)"
nothing_left "$TMP/zero-resumed"
ok "a meta.json that is a symlink to /dev/zero: validate and resume refuse it, at once"

# 6. a file-size limit: EFBIG reaches the writer, as ENOSPC would; the run
#    closes failed, nothing half-written, what was committed resumes
rc_of bash -c "ulimit -f 24; exec '$RB' run --case null --kind - -p loops=1000,1001,1002,1003,1004,1005 --repeat 20 --warmup 0 -o '$TMP/fsize' --quiet"
expect 1 "File too large"
[ "$(jq -r .status "$TMP/fsize/meta.json")" = failed ] || fail "fsize: status $(jq -r .status "$TMP/fsize/meta.json")"
! ls "$TMP/fsize"/*.tmp-* >/dev/null 2>&1 || fail "fsize: temp files left: $(ls "$TMP/fsize")"
"$RB" validate "$TMP/fsize" >/dev/null 2>"$TMP/se" || fail "fsize: the failed run does not validate: $(cat "$TMP/se")"
"$RB" run --resume "$TMP/fsize" -o "$TMP/fsize2" --quiet >/dev/null 2>"$TMP/se" || fail "fsize: resume: $(cat "$TMP/se")"
ok "ulimit -f: the run says 'File too large', closes failed, leaves no *.tmp-*, and resumes"
rc_of bash -c "ulimit -f 1; exec '$RB' compare -o '$TMP/cmp-fsize' '$TMP/good' '$TMP/good2'"
expect 1 "File too large"
nothing_left "$TMP/cmp-fsize"
ok "ulimit -f: compare names the errno and leaves no *.tmp-*"

# suites: a directory, and a line of a megabyte (refused by its length,
# not echoed back whole)
check "suite '$TMP' ($TMP): not a regular file (a directory)" --suite "$TMP"
head -c 1000000 /dev/zero | tr '\0' x >"$TMP/mb.suite"; echo >>"$TMP/mb.suite"
check "mb.suite line 1: 1000000 bytes long, more than the 4096 a suite line may be" --suite "$TMP/mb.suite"
[ "$(wc -c <"$TMP/se")" -lt 400 ] || fail "a 1 MB suite line: a $(wc -c <"$TMP/se")-byte message"

# 7. sizes are decimal with a unit
for s in 010M 0x800000 08M; do
	check "size=$s is not a size (e.g. 64M, 1G): sizes are decimal" --case fault --kind anon -p size=$s
done

# 8. a NUL inside a provenance string; 9. invalid UTF-8 in meta.json
spoilt nul "" '.host.cpu_model = "Intel\u0000 but really something else"'
invalid nul 'a NUL (\u0000) inside a string'
spoilt utf8 "" '.kernel.release = "6.1.0-XX"'
sed -i 's/6\.1\.0-XX/6.1.0-\xff\xfe/' "$TMP/utf8/meta.json"
invalid utf8 "invalid UTF-8 at byte"
spoilt utf8s 'if .iter == 0 then .reason = "x" else . end' ""
sed -i '1s/"reason":"x"/"reason":"\xc0\xaf"/' "$TMP/utf8s/samples.jsonl"; certify "$TMP/utf8s"
invalid utf8s "samples.jsonl line 1: invalid UTF-8"

# ---- the unclear classes ----------------------------------------------------
# which error it is, with its errno (was: "missing or not JSON" for all)
mkdir -p "$TMP/which"
for c in missing loop array; do
	rm -rf "$TMP/which/$c"; cp -r "$TMP/good" "$TMP/which/$c"
done
rm "$TMP/which/missing/meta.json" "$TMP/which/loop/meta.json"
ln -s meta.json "$TMP/which/loop/meta.json"
echo '[1, 2]' >"$TMP/which/array/meta.json"
for c in "missing|No such file or directory" "loop|Too many levels of symbolic links" \
	 "array|JSON, but an array where an object is meant"; do
	d=$TMP/which/${c%%|*}
	rc_of "$RB" validate "$d"
	expect 1 "$d/meta.json"
	expect 1 "${c#*|}"
	rc_of "$RB" mark "$d" --merge-json k="$TMP/good/meta.json"
	expect 1 "$d/meta.json: ${c#*|}; only --status can mark such a run"
done
ok "validate and mark say which: missing, a symlink loop, not an object (with the errno)"

# a long path never cuts the reason off (messages were cut at 512 B to 2 KiB)
long=$TMP
for i in $(seq 14); do long=$long/$(printf 'd%.0s' $(seq 200)); done
mkdir -p "$long"; cp -r "$TMP/negative" "$long/run"
rc_of "$RB" validate "$long/run"
expect 1 "value -3 ns/read is negative: no measured quantity is"
rc_of "$RB" compare -o "$TMP/cmp-long" "$TMP/good" "$long/run"
expect 1 "value -3 ns/read is negative: no measured quantity is"
nothing_left "$TMP/cmp-long"
ok "a ${#long}-byte run path: validate and compare still end with the reason"

# no -o: it says where the run goes (the checkout's results/, not the cwd)
rc_of bash -c "cd '$TMP' && exec '$RB' run --case null --kind - -p loops=10 --repeat 1 --warmup 0 --quiet"
out=$(cat "$TMP/so")
case $out in "$ROOT"/results/*) at_exit "rm -rf '$out'" ;; *) fail "no -o: the run went to '$out'" ;; esac
[ "$RC" = 0 ] && grep -qF "no -o given: the run goes to $out" "$TMP/se" || fail "no -o: exit $RC $(cat "$TMP/se")"
ok "no -o: says where the run went, on stderr, even with --quiet"

# two compares on one -o at once: one report, the other refused, no *.tmp-*
for i in 1 2; do
	( set +e; "$RB" compare --no-plots -o "$TMP/cmp-race" "$TMP/good" "$TMP/good2" >/dev/null 2>"$TMP/race$i.err"
	  echo $? >"$TMP/race$i.rc" ) &
done
wait
rcs=$(cat "$TMP/race1.rc" "$TMP/race2.rc" | sort | paste -sd,)
case $rcs in 0,1|0,2) ;; *) fail "two compares on one -o: exits $rcs: $(cat "$TMP"/race?.err)" ;; esac
cat "$TMP"/race?.err | grep -qE "appeared while this compare ran|comparisons are never overwritten" ||
	fail "two compares on one -o: $(cat "$TMP"/race?.err)"
jq -e . "$TMP/cmp-race/report.json" >/dev/null || fail "two compares on one -o: no valid report"
! ls -d "$TMP"/cmp-race.tmp-* >/dev/null 2>&1 || fail "two compares on one -o: a *.tmp-* was left"
ok "two compares on one -o at once: exits $rcs, one report, nothing left over"

# gnuplot: "install" only when it is not installed
if command -v gnuplot >/dev/null; then
	mkdir -p "$TMP/fakebin"
	printf '#!/bin/sh\necho "gnuplot: broken on purpose" >&2\nexit 3\n' >"$TMP/fakebin/gnuplot"
	chmod +x "$TMP/fakebin/gnuplot"
	rc_of env PATH="$TMP/fakebin:$PATH" "$RB" compare -o "$TMP/cmp-gp" "$TMP/good" "$TMP/good2"
	[ "$RC" = 0 ] || fail "compare with a failing gnuplot: exit $RC $(cat "$TMP/se")"
	grep -qF "plots are incomplete: gnuplot exited 3" "$TMP/se" && ! grep -q "install gnuplot" "$TMP/se" ||
		fail "a failing gnuplot: $(cat "$TMP/se")"
	ok "a gnuplot that fails is reported with its exit code, not as missing"
fi
mkdir -p "$TMP/nobin"
for t in jq sh; do ln -sf "$(command -v $t)" "$TMP/nobin/$t"; done
rc_of env PATH="$TMP/nobin" "$RB" compare -o "$TMP/cmp-nogp" "$TMP/good" "$TMP/good2"
[ "$RC" = 0 ] && grep -qF "gnuplot is not installed (install gnuplot-nox" "$TMP/se" ||
	fail "no gnuplot: exit $RC $(cat "$TMP/se")"
ok "no gnuplot on PATH: says to install it"

# --help of every subcommand: usage on stdout, exit 0, nothing on stderr
for c in run list info compare series bounds validate plan mark; do
	rc_of "$RB" "$c" --help
	[ "$RC" = 0 ] && [ -s "$TMP/so" ] && [ ! -s "$TMP/se" ] && grep -q "usage: refbench $c" "$TMP/so" ||
		fail "refbench $c --help: exit $RC, stdout $(head -c 80 "$TMP/so"), stderr $(cat "$TMP/se")"
done
ok "every subcommand's --help: usage on stdout, exit 0"
