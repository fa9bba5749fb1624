#!/bin/bash
# A plan's boots on several ssh targets (--targets, docs/plan.md) without
# QEMU or sshd: a scratch tree (a git checkout) holds the real scripts and
# refbench, with kernels/build and scripts/lab replaced by stubs as in
# test_ab_loop.sh; a fake ssh on PATH runs each command in $TMP/hosts/HOST
# (that host's home, where scripts/remote copies the tree). Checks: the
# rounds spread over both targets (fixed, ROUNDS=auto, a series walk's
# kernels), a round on one target, a target that
# goes down gives its boots to the other and the plan says why, every
# target down stops with the reason, an interrupted plan resumes, and an
# unparsable target is refused before anything is written.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/compare_lib.sh"
command -v git >/dev/null || skip "git is not installed"

F=$TMP/tree H=$TMP/hosts
mkdir -p "$F/scripts" "$F/kernels" "$F/bench" "$F/configs/suites" "$F/results" "$TMP/cache/kA" "$TMP/cache/kB" \
	"$TMP/bin" "$H/a" "$H/b"
cp "$ROOT/scripts/ab" "$ROOT/scripts/series" "$ROOT/scripts/plan-run" "$ROOT/scripts/remote" "$ROOT/scripts/lib.sh" "$F/scripts/"
ln -s "$ROOT/bench/refbench" "$F/bench/refbench"
cp "$ROOT/configs/suites/ab-smoke.suite" "$F/configs/suites/"
# the kernels lie outside the tree, as kernels/build's cache does: the
# plan has them copied to kernels/pushed/ on each target
: >"$TMP/cache/kA/bzImage"
: >"$TMP/cache/kB/bzImage"
cat >"$F/kernels/build" <<STUB
#!/bin/bash
case " \$* " in *" --patches "*) echo "$TMP/cache/kB" ;; *) echo "$TMP/cache/kA" ;; esac
STUB
# stub lab, run on a host in the tree copied there: one run per boot in
# that tree's results/ (B adds one instruction per page to get); each run
# names its host (lab.host.name), the runs count instructions
# (deterministic), so runs of two hosts compare. STUB_KILL_WHEN=N: the
# boot that starts once N boots are done stops the executor by SIGTERM
cat >"$F/scripts/lab" <<STUB
#!/bin/bash
set -eu
kdir=\$(sed -n 's/.*--kernel \([^ ]*\).*/\1/p' <<<"\$*")
case \$kdir in kernels/pushed/k?) ;; *) echo "stub: kernel \$kdir is not one pushed" >&2; exit 1 ;; esac
[ -f "\$kdir/bzImage" ] || { echo "stub: \$kdir/bzImage was not copied here" >&2; exit 1; }
host=\$(basename "\$HOME")
exec 9>"$TMP/boots.lock"; flock 9
n=\$(( \$(cat "$TMP/boots" 2>/dev/null || echo 0) + 1 )); echo \$n >"$TMP/boots"
echo "\$n \$host \$(basename "\$kdir")" >>"$TMP/boots.log"
flock -u 9
if [ -n "\${STUB_KILL_WHEN:-}" ] && [ "\$n" = \$((STUB_KILL_WHEN + 1)) ]; then
	for _ in \$(seq 100); do
		[ "\$(jq '[.boots[] | select(.status == "done")] | length' "\$STUB_PLAN")" -lt "\$STUB_KILL_WHEN" ] || break
		sleep 0.1
	done
	kill -TERM "\$(cat "$TMP/executor.pid")"
	sleep 2
	exit 1
fi
TMP=$TMP	# for the seed run's meta.json
spec() { $(declare -f spec | tail -n +2)
}
$(declare -f mk_run certify)
export META_JQ=".stub_boot = \$n | .lab.mode = \"deterministic\" | .lab.host.name = \"\$host\""
get=81.6; [ "\$(basename "\$kdir")" = kA ] || get=82.6
mk_run "\$PWD/results/run-\$n-\$host" icount "\$(spec get \$get 0 5 0)" "\$(spec put 14.9 0 5 0)"
echo "\$PWD/results/run-\$n-\$host"
STUB
# fake ssh: ssh [-p PORT] [-o OPT]... [USER@]HOST COMMAND runs COMMAND in
# $H/HOST. FAKE_SSH_DOWN="HOST...": these cannot be reached;
# FAKE_SSH_LABS=HOST:N: HOST runs N lab boots, then cannot be reached
cat >"$TMP/bin/ssh" <<'FAKE'
#!/bin/bash
set -eu
while [ $# -gt 0 ]; do case $1 in -p | -o | -i) shift 2 ;; -*) shift ;; *) break ;; esac; done
host=${1#*@}
shift
refuse() { echo "ssh: connect to host $host port 22: Connection refused" >&2; exit 255; }
case " ${FAKE_SSH_DOWN:-} " in *" $host "*) refuse ;; esac
[ ! -e "$FAKE_HOSTS/$host.down" ] || refuse
if [ "${FAKE_SSH_LABS:-}" ] && [ "${FAKE_SSH_LABS%%:*}" = "$host" ]; then
	case $* in *scripts/lab*)
		labs=$(cat "$FAKE_HOSTS/$host.labs" 2>/dev/null || echo 0)
		[ "$labs" -lt "${FAKE_SSH_LABS#*:}" ] || { : >"$FAKE_HOSTS/$host.down"; refuse; }
		echo $((labs + 1)) >"$FAKE_HOSTS/$host.labs" ;;
	esac
fi
[ -d "$FAKE_HOSTS/$host" ] || { echo "ssh: Could not resolve hostname $host" >&2; exit 255; }
cd "$FAKE_HOSTS/$host"
HOME=$FAKE_HOSTS/$host exec bash -c "$*"
FAKE
chmod +x "$F/kernels/build" "$F/scripts/lab" "$F/scripts/"* "$TMP/bin/ssh"
git -C "$F" init -q && git -C "$F" add -A
export PATH=$TMP/bin:$PATH FAKE_HOSTS=$H
AB=("$F/scripts/ab" --patched "+$F/kernels" --suite ab-smoke --targets "a, ssh://b:22/")

# fresh: new hosts, no boots counted
reset() { rm -rf "$H" "$TMP/boots" "$TMP/boots.log" "$F"/results/run-*; mkdir -p "$H/a" "$H/b"; }
# target_of PLAN LABEL
target_of() { jq -r --arg l "$2" '.boots[] | select(.label == $l) | .target' "$1"; }

# 1. two targets: round r on one target, the rounds spread over both
"${AB[@]}" --rounds 4 -o "$TMP/ab1" >"$TMP/ab1.out" 2>"$TMP/ab1.err" || fail "two targets: $(tail -5 "$TMP/ab1.err")"
P=$TMP/ab1/plan.json
[ -f "$TMP/ab1/report.txt" ] || fail "no report: $(tail -5 "$TMP/ab1.err")"
[ "$(jq -c .settings.targets "$P")" = '["ssh://a","ssh://b"]' ] || fail "targets: $(jq -c .settings.targets "$P")"
[ "$(jq -r .mode "$P")" = deterministic ] || fail "mode $(jq -r .mode "$P"), not deterministic"
for r in 1 2 3 4; do
	[ "$(target_of "$P" "A$r")" = "$(target_of "$P" "B$r")" ] ||
		fail "round $r on $(target_of "$P" "A$r") and $(target_of "$P" "B$r")"
done
[ "$(jq '[.boots[] | select(.target == "ssh://a")] | length' "$P")" = 4 ] &&
	[ "$(jq '[.boots[] | select(.target == "ssh://b")] | length' "$P")" = 4 ] || fail "spread: $(jq -c '[.boots[].target]' "$P")"
[ "$(grep -c ' a ' "$TMP/boots.log")" = 4 ] && [ "$(grep -c ' b ' "$TMP/boots.log")" = 4 ] ||
	fail "boots per host: $(cat "$TMP/boots.log")"
jq -e '[.boots[] | .status == "done" and (.run | startswith("'"$F"'/results/run-"))] | all' "$P" >/dev/null ||
	fail "the runs did not come home: $(jq -c '[.boots[].run]' "$P")"
[ "$(v "$TMP/ab1" get)" = slower ] || fail "get: $(v "$TMP/ab1" get)"
[ -f "$H/a/.cache/refbench/remote/unknown/kernels/pushed/kB/bzImage" ] || fail "kB was not copied to a"
ok "two targets: 4 rounds, 2 on each, a round's A and B on one target, the runs home and compared"

# ROUNDS=auto adds a round at a time: each goes to the target that booted least
reset
"${AB[@]}" --rounds auto --budget 10m -o "$TMP/auto" >/dev/null 2>"$TMP/auto.err" || fail "auto: $(tail -5 "$TMP/auto.err")"
P=$TMP/auto/plan.json
[ "$(jq -c '[.boots[] | .label + "@" + .target]' "$P")" = '["A1@ssh://a","B1@ssh://a","A2@ssh://b","B2@ssh://b"]' ] ||
	fail "auto: $(jq -c '[.boots[] | .label + "@" + .target]' "$P")"
ok "ROUNDS=auto: round 1 on a, round 2 on b"

# a series walk: base and base + 1 patch, one kernel on each target
reset
mkdir -p "$TMP/s1"
printf 'From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\nFrom: t <t@t>\nSubject: [PATCH] p\n\n---\ndiff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n' \
	>"$TMP/s1/0001-p.patch"
"$F/scripts/series" --series "$TMP/s1" --suite ab-smoke --targets a,b -o "$TMP/w1" >/dev/null 2>"$TMP/w1.err" ||
	fail "series: $(tail -5 "$TMP/w1.err")"
[ "$(jq -c '[.boots[].target]' "$TMP/w1/plan.json")" = '["ssh://a","ssh://b"]' ] ||
	fail "series targets: $(jq -c '[.boots[].target]' "$TMP/w1/plan.json")"
ok "a series walk: its two kernels on the two targets"

# 2. b goes down after its first boot: its boots go to a, the plan says why
reset
FAKE_SSH_LABS=b:1 "${AB[@]}" --rounds 4 -o "$TMP/ab2" >/dev/null 2>"$TMP/ab2.err" || fail "b down: $(tail -5 "$TMP/ab2.err")"
P=$TMP/ab2/plan.json
[ -f "$TMP/ab2/report.txt" ] || fail "no report after b went down"
jq -e '.targets_down | length == 1 and .[0].target == "ssh://b" and (.[0].reason | test("Connection refused"))' "$P" \
	>/dev/null || fail "targets_down: $(jq -c .targets_down "$P")"
[ "$(jq '[.boots[] | select(.target == "ssh://b")] | length' "$P")" = 1 ] &&
	[ "$(jq '[.boots[] | select(.target == "ssh://a")] | length' "$P")" = 7 ] || fail "moved: $(jq -c '[.boots[].target]' "$P")"
jq -e '[.boots[].status == "done"] | all' "$P" >/dev/null || fail "not every boot done: $(jq -c '[.boots[].status]' "$P")"
grep -q "ssh://b is down (ssh: connect to host b port 22: Connection refused): its boots go to the other targets" \
	"$TMP/ab2.err" || fail "no down message: $(grep -i down "$TMP/ab2.err")"
ok "a target that goes down: its 3 pending boots move to the other, targets_down records why"

# 3. every target down: the plan stops, naming each target and its reason
reset
rc_of env FAKE_SSH_DOWN="a b" "${AB[@]}" --rounds 4 -o "$TMP/ab3"
expect 1 "no target is left to boot on"
grep -q "ssh://a: .*Connection refused" "$TMP/se" && grep -q "ssh://b: .*Connection refused" "$TMP/se" &&
	grep -q "make ab RESUME=$TMP/ab3" "$TMP/se" || fail "all down: $(cat "$TMP/se")"
[ ! -e "$TMP/boots" ] || fail "a boot ran with every target down"
ok "every target down: exit 1, each target's reason and the resume command"

# 4. an interrupted plan resumes: 3 boots done, the 4th cut by SIGTERM
reset
STUB_KILL_WHEN=3 STUB_PLAN=$TMP/ab4.plan/plan.json "${AB[@]}" --rounds 2 -o "$TMP/ab4" \
	>/dev/null 2>"$TMP/ab4.err" &
echo $! >"$TMP/executor.pid"
set +e; wait "$(cat "$TMP/executor.pid")"; rc=$?; set -e
[ "$rc" = 143 ] || fail "interrupted: exit $rc: $(tail -5 "$TMP/ab4.err")"
[ "$(jq '[.boots[] | select(.status == "done")] | length' "$TMP/ab4.plan/plan.json")" = 3 ] ||
	fail "after the signal: $(jq -c '[.boots[].status]' "$TMP/ab4.plan/plan.json")"
sleep 2	# the cut boot's stub ends
"$F/scripts/ab" --resume "$TMP/ab4" >/dev/null 2>"$TMP/ab4b.err" || fail "resume: $(tail -5 "$TMP/ab4b.err")"
[ -f "$TMP/ab4/report.txt" ] || fail "no report after the resume"
[ "$(grep -c 'reusing' "$TMP/ab4b.err")" = 3 ] || fail "reused: $(grep reusing "$TMP/ab4b.err")"
[ "$(cat "$TMP/boots")" = 5 ] || fail "$(cat "$TMP/boots") boots in all, not 4 + 1"
ok "an interrupted plan with targets resumes: 3 boots reused, 1 booted again"

# 5. refused before anything is written: the target's accepted form
reset
for t in "a,/srv/lab" "ssh://a:notaport" "a:70000" "a b@" "" " , " "a,a:22"; do
	rc_of "$F/scripts/ab" --patched "+$F/kernels" --suite ab-smoke --targets "$t" -o "$TMP/bad"
	[ "$RC" != 0 ] || fail "--targets '$t' was taken"
	grep -qE '\[ssh://\]\[user@\]host\[:port\]|ssh://user@host:port|named twice' "$TMP/se" ||
		fail "--targets '$t': $(cat "$TMP/se")"
	[ ! -e "$TMP/bad" ] && [ ! -e "$TMP/bad.plan" ] || fail "--targets '$t' wrote $(ls -d "$TMP"/bad*)"
done
rc_of "$F/scripts/ab" --patched "+$F/kernels" --suite ab-smoke --mode timed --targets a,b -o "$TMP/bad"
expect 1 "timed runs of different hosts do not compare"
[ ! -e "$TMP/bad.plan" ] || fail "timed with two targets wrote a plan"
[ ! -e "$TMP/boots" ] || fail "a refused plan booted"
ok "an unparsable target, a target named twice, timed with two targets: refused, nothing written"
