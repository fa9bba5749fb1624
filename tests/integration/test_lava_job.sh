#!/bin/bash
# refbench plan lava-job and lava-log (docs/lava.md) without QEMU or LAVA:
# the job made of a lab command line (and, where lava-dispatcher is
# installed, LAVA's own schema check of it), the command lines it refuses,
# and the run's files and console brought back from synthetic job logs,
# in lava-run's form and the server's ('- ' before each line): whole, cut
# off, without files, damaged; and scripts/plan-lava's server path
# (lavacli submit, show, logs, cancel) against a stub lavacli.
. "$(dirname "$0")/lib.sh"

touch "$TMP/bzImage" "$TMP/initrd"
echo kernel >"$TMP/bzImage"
mkdir -p "$TMP/out"
q=(/usr/bin/qemu-system-x86_64 -name refbench-lab-x -machine pc,nvdimm=on,accel=tcg -cpu max,-rdrand,-rdseed -smp 1
	-m 2048M,slots=2,maxmem=8192M -icount shift=0,sleep=off
	-object memory-backend-file,id=pm0,share=on,prealloc=on,mem-path=/dev/shm/refbench-pmem-x.AB,size=4098M,align=1G
	-device nvdimm,id=nv0,memdev=pm0,label-size=2M -kernel "$TMP/bzImage"
	-append 'console=ttyS0 panic=-1 rdinit=/rb/repo/scripts/guest-init nokaslr' -nodefaults -no-user-config
	-display none -monitor none -serial "file:$TMP/out/serial.log" -no-reboot -initrd "$TMP/initrd"
	-fsdev "local,id=out,path=$TMP/out,security_model=none,multidevs=remap" -device virtio-9p-pci,fsdev=out,mount_tag=rbout)

rc_of "$RB" plan lava-job --locals "$TMP/locals" -- "${q[@]}"
[ "$RC" = 0 ] || fail "lava-job exited $RC: $(cat "$TMP/se")"
cp "$TMP/so" "$TMP/job.yaml"
grep -q '^job_name: "refbench-lab-x"$' "$TMP/job.yaml" || fail "the job is not named after QEMU's -name"
grep -qF -- '- "-serial stdio"' "$TMP/job.yaml" || fail "the console does not go to LAVA"
grep -qF -- 'mem-path=/dev/shm,size=4098M' "$TMP/job.yaml" || fail "the pmem backing is not a fresh file in /dev/shm"
grep -qF -- 'path=/var/lib/lava/dispatcher/tmp,security_model=none,multidevs=remap,readonly=on"' "$TMP/job.yaml" ||
	fail "the run share is not read-only on the worker"
grep -qF -- "- \"-append 'console=ttyS0 panic=-1 rdinit=/rb/repo/scripts/guest-init nokaslr'\"" "$TMP/job.yaml" ||
	fail "the kernel command line is not one quoted word"
grep -qF "url: \"file://$TMP/bzImage\"" "$TMP/job.yaml" && grep -qF "sha256sum: \"$(sha256sum <"$TMP/bzImage" | cut -c1-64)\"" "$TMP/job.yaml" ||
	fail "the kernel is not deployed by path with its sha256"
! grep -q '@[A-Z_]*@' "$TMP/job.yaml" || fail "a placeholder is left: $(grep -o '@[A-Z_]*@' "$TMP/job.yaml" | head -1)"
grep -qx "serial $TMP/out/serial.log" "$TMP/locals" && grep -qx "out $TMP/out" "$TMP/locals" ||
	fail "--locals does not name serial.log and the run share: $(cat "$TMP/locals")"
ok "lava-job: the lab's command as a job (console to LAVA, fresh pmem, read-only share, images by sha256)"

rc_of "$RB" plan lava-job --artifacts-url https://files.example/rb --pmem-dir lab -- "${q[@]/\/dev\/shm\//$TMP/}"
grep -qE 'url: "https://files.example/rb/[0-9a-f]{16}-bzImage"' "$TMP/so" || fail "--artifacts-url is not the images' URL"
grep -qF -- "mem-path=$TMP,size=4098M" "$TMP/so" || fail "--pmem-dir lab is not the lab's directory: $(grep mem-path "$TMP/so")"
ok "lava-job --artifacts-url: the images by URL; --pmem-dir lab: the lab's directory"

if /usr/bin/python3 -c 'import lava_common.schemas' 2>/dev/null; then
	/usr/bin/python3 -c 'import sys, yaml
from lava_common.schemas import validate
validate(yaml.safe_load(open(sys.argv[1])), strict=True)' "$TMP/job.yaml" 2>"$TMP/schema.err" ||
		fail "LAVA's schema refuses the job: $(tail -n 1 "$TMP/schema.err")"
	ok "the job passes LAVA's own schema check (lava_common.schemas, strict)"
else
	ok "# SKIP LAVA's schema check: lava-dispatcher is not installed (scripts/deps --lava)"
fi

# command lines a job cannot carry
without() { local a; for a in "${q[@]}"; do [ "$a" = "$1" ] || printf '%s\n' "$a"; done; }
mapfile -t noicount < <(without -icount | grep -vx 'shift=0,sleep=off')
rc_of "$RB" plan lava-job -- "${noicount[@]}"
expect 2 "deterministic mode only"
rc_of "$RB" plan lava-job -- "${q[@]}" -plugin /x/insn_attr.so,out=/x/a.jsonl
expect 2 "boot those in the lab"
rc_of "$RB" plan lava-job -- "${q[@]}" -fsdev local,id=root,path=/,readonly=on
expect 2 "scripts/lab --root initramfs"
rc_of "$RB" plan lava-job -- /usr/bin/qemu-system-aarch64 "${q[@]:1}"
expect 2 "not qemu-system-x86_64"
mapfile -t noinitrd < <(without -initrd | grep -vx "$TMP/initrd")
rc_of "$RB" plan lava-job -- "${noinitrd[@]}"
expect 2 "lacks -initrd"
ok "lava-job refuses timed mode, the plugin, a 9p root, another QEMU, no initrd (exit 2, the fix named)"

# a job log: console lines around the files a guest prints (publish_console)
mkdir -p "$TMP/guest/run"
echo '{"x": 1}' >"$TMP/guest/run/meta.json"
echo 0 >"$TMP/guest/guest-exit"
tar -C "$TMP/guest" -czf "$TMP/files.tgz" .
line() { printf '{"dt": "2026-12-07T00:00:00.000000", "lvl": "%s", "msg": "%s"}\n' "$1" "$2"; }
mklog() {	# mklog SUM: the log, the files' sha256 said as SUM
	line info "Boot command: qemu-system-x86_64 ..."
	line target '[    0.000000] Linux version 6.1.192 \"quoted\"'
	line target 'refbench-lab: exit 0, uptime 2.94 s'
	line target 'refbench-lab: files begin (tar.gz, base64)'
	base64 -w 76 "$TMP/files.tgz" | while read -r l; do line target "$l"; done
	line target "refbench-lab: files end $(stat -c %s "$TMP/files.tgz") bytes sha256 $1"
	printf '{"dt": "2026-12-07T00:00:01.000000", "lvl": "results", "msg": {"case": "job", "result": "pass"}}\n'
}
sum=$(sha256sum "$TMP/files.tgz" | cut -c1-64)
mklog "$sum" >"$TMP/lava.log"
rc_of "$RB" plan lava-log "$TMP/lava.log" --serial "$TMP/serial" --files "$TMP/got.tgz"
[ "$RC" = 0 ] || fail "lava-log exited $RC: $(cat "$TMP/se")"
cmp -s "$TMP/files.tgz" "$TMP/got.tgz" || fail "the files decode to other bytes"
[ "$(sed -n 2p "$TMP/serial")" = 'refbench-lab: exit 0, uptime 2.94 s' ] && [ "$(wc -l <"$TMP/serial")" = 3 ] ||
	fail "serial.log is not the console without the files: $(cat "$TMP/serial")"
grep -qF '6.1.192 "quoted"' "$TMP/serial" || fail "a quoted console line is not unescaped"
sed 's/^/- /' "$TMP/lava.log" >"$TMP/server.log"
rc_of "$RB" plan lava-log "$TMP/server.log" --serial "$TMP/serial2" --files "$TMP/got2.tgz"
[ "$RC" = 0 ] && cmp -s "$TMP/files.tgz" "$TMP/got2.tgz" && cmp -s "$TMP/serial" "$TMP/serial2" ||
	fail "the server's form of the log decodes otherwise (exit $RC)"
ok "lava-log: the files (size and sha256 checked) and serial.log, from lava-run's log and the server's"

grep -v 'files end' "$TMP/lava.log" >"$TMP/cut.log"
rc_of "$RB" plan lava-log "$TMP/cut.log" --serial "$TMP/s" --files "$TMP/f"
expect 1 "cut off"
grep -v 'refbench-lab: files\|"[A-Za-z0-9+/=]*"}$' "$TMP/lava.log" >"$TMP/none.log"
rc_of "$RB" plan lava-log "$TMP/none.log" --serial "$TMP/s" --files "$TMP/f"
expect 3 "holds no files"
grep -q 'exit 0' "$TMP/s" || fail "a log without files still gives its console"
mklog "$(printf '%064d' 0)" >"$TMP/badsum.log"
rc_of "$RB" plan lava-log "$TMP/badsum.log" --serial "$TMP/s" --files "$TMP/f"
expect 1 "the guest sent"
awk '/files begin/ { print; print "{\"dt\": \"x\", \"lvl\": \"target\", \"msg\": \"[   3.1] a kernel message\"}"; next } { print }' \
	"$TMP/lava.log" >"$TMP/mixed.log"
rc_of "$RB" plan lava-log "$TMP/mixed.log" --serial "$TMP/s" --files "$TMP/f"
expect 1 "not base64"
ok "lava-log: cut off, without files (exit 3, console kept), a wrong sha256, a console line inside: refused"

# scripts/plan-lava as QEMU, against a server: a stub lavacli that answers
# each `jobs show` with the next line of states
mkdir -p "$TMP/bin" "$TMP/stub"
cat >"$TMP/bin/lavacli" <<'STUB'
#!/bin/bash
echo "$*" >>"$STUB/calls"
shift 2
case "$1 $2" in
"jobs submit") cp "$3" "$STUB/submitted.yaml"; echo 42 ;;
"jobs show") n=$(($(cat "$STUB/n" 2>/dev/null || echo 0) + 1)); echo "$n" >"$STUB/n"
	sed -n "$n{p;q}; \${p}" "$STUB/states" | tail -n 1 ;;
"jobs logs") cat "$STUB/log" ;;
"jobs cancel") echo "$3" >>"$STUB/canceled" ;;
esac
STUB
chmod +x "$TMP/bin/lavacli"
mklog "$sum" >"$TMP/stub/log"
lava_qemu=(env PATH="$TMP/bin:$PATH" STUB="$TMP/stub" RB_LAVA_AS_QEMU=1 RB_LAVA_URL=https://me:SECRET@lava.example/RPC2
	RB_LAVA_POLL=0.1 RB_LAB_STATUS="$TMP/status" "$ROOT/scripts/plan-lava")
states() { rm -f "$TMP/stub/n" "$TMP/stub/calls"; printf '{"state": "%s", "health": "%s"}\n' "$@" >"$TMP/stub/states"; }
states Submitted Unknown Running Unknown Running Unknown Finished Complete
rm -rf "$TMP/out" && mkdir -p "$TMP/out"
rc_of "${lava_qemu[@]}" "${q[@]:1}"
[ "$RC" = 0 ] || fail "plan-lava (server, stub lavacli) exited $RC: $(cat "$TMP/se")"
grep -q 'LAVA job 42: Running' "$TMP/se" && grep -q 'LAVA job 42: Finished Complete' "$TMP/se" ||
	fail "no progress line per state: $(cat "$TMP/se")"
[ "$(cat "$TMP/out/guest-exit")" = 0 ] && [ -f "$TMP/out/run/meta.json" ] && [ "$(cat "$TMP/out/lava-job.id")" = 42 ] ||
	fail "the guest's files are not in the run share: $(ls "$TMP/out")"
grep -q '^refbench-lab: exit 0' "$TMP/out/serial.log" || fail "serial.log is not the job's console"
cmp -s "$TMP/stub/submitted.yaml" "$TMP/out/lava-job.yaml" || fail "the job kept is not the job submitted"
grep -qx -- '--uri https://me:SECRET@lava.example/RPC2 jobs logs --raw --no-follow 42' "$TMP/stub/calls" || fail "the log was not fetched"
rc_of "${lava_qemu[@]}" --version
grep -q 'lava.example/RPC2' "$TMP/so" && ! grep -q SECRET "$TMP/so" || fail "--version: $(cat "$TMP/so")"
ok "plan-lava, server path (stub lavacli): submitted, a line per state, log fetched, files home; the token never shown"

states Submitted Unknown Running Unknown Finished Incomplete
rm -rf "$TMP/out" && mkdir -p "$TMP/out"
rc_of "${lava_qemu[@]}" "${q[@]:1}"
[ "$RC" = 1 ] || fail "plan-lava exited $RC for a job LAVA ended Incomplete, expected 1"
states Submitted Unknown Running Unknown
rm -rf "$TMP/out" && mkdir -p "$TMP/out"
"${lava_qemu[@]}" "${q[@]:1}" >/dev/null 2>"$TMP/se" &
pid=$!
for _ in $(seq 100); do grep -q Running "$TMP/se" 2>/dev/null && break; sleep 0.1; done
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
[ "$rc" = 143 ] && [ "$(cat "$TMP/stub/canceled" 2>/dev/null)" = 42 ] ||
	fail "SIGTERM (the lab's watchdog) did not cancel job 42 (exit $rc): $(cat "$TMP/se")"
ok "plan-lava: a job LAVA ends Incomplete fails the boot (exit 1); SIGTERM cancels the job (lavacli jobs cancel)"

# the lab's watchdog (RB_LAB_TIMEOUT, kept by plan-lava with a server)
# counts from the job's start: 3 s in the queue pass a 1 s watchdog, 3 s
# running do not (exit 124, timeout(1)'s, the job canceled)
states $(for _ in $(seq 30); do echo Submitted Unknown; done) Running Unknown Finished Complete
rm -rf "$TMP/out" && mkdir -p "$TMP/out"
rc_of env RB_LAB_TIMEOUT=1 "${lava_qemu[@]}" "${q[@]:1}"
[ "$RC" = 0 ] || fail "a job queued longer than the lab's watchdog: plan-lava exited $RC: $(cat "$TMP/se")"
grep -q 'job: *{minutes: 6}\|minutes: 6' "$TMP/stub/submitted.yaml" || fail "the job's timeout is not the watchdog's 1 s + 5 min: $(grep -n minutes "$TMP/stub/submitted.yaml")"
states Submitted Unknown $(for _ in $(seq 30); do echo Running Unknown; done)
rm -f "$TMP/stub/canceled"; rm -rf "$TMP/out" && mkdir -p "$TMP/out"
rc_of env RB_LAB_TIMEOUT=1 "${lava_qemu[@]}" "${q[@]:1}"
[ "$RC" = 124 ] && [ "$(cat "$TMP/stub/canceled" 2>/dev/null)" = 42 ] && grep -q "ran past the lab's watchdog" "$TMP/se" ||
	fail "a job running past the lab's watchdog: exit $RC (expected 124), canceled: $(cat "$TMP/stub/canceled" 2>/dev/null)"
ok "plan-lava: the lab's watchdog counts from the job's start: 3 s queued pass a 1 s watchdog, running past it cancels the job (exit 124); LAVA's timeout is the watchdog + 5 min"
