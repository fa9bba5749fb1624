#!/bin/bash
# scripts/remote against an sshd on loopback: its own host key, port and
# authorized_keys, in a temporary directory. Two runs there, brought home,
# validated and compared here. Skips (77) without root or sshd.
. "$(dirname "$0")/lib.sh"
SSHD=$(command -v sshd || echo /usr/sbin/sshd)
[ "$(id -u)" = 0 ] || skip "sshd on loopback needs root (it logs in as this user)"
[ -x "$SSHD" ] || skip "no sshd (apt-get install openssh-server)"
[ -x "$ROOT/bench/refbench" ] || skip "bench/refbench missing (make)"

D=$TMP/ssh
mkdir -p "$D" /run/sshd
ssh-keygen -q -t ed25519 -N '' -f "$D/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$D/id"
cp "$D/id.pub" "$D/authorized_keys"
PORT=$(( 20000 + $$ % 20000 ))
cat >"$D/sshd_config" <<CFG
Port $PORT
ListenAddress 127.0.0.1
HostKey $D/host_key
AuthorizedKeysFile $D/authorized_keys
PidFile $D/sshd.pid
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
CFG
"$SSHD" -f "$D/sshd_config" -E "$D/sshd.log"
for _ in $(seq 50); do [ -s "$D/sshd.pid" ] && break; sleep 0.1; done
SSHD_PID=$(cat "$D/sshd.pid")
at_exit 'kill "$SSHD_PID" 2>/dev/null'
export RB_SSH_OPTS="-i $D/id -o UserKnownHostsFile=$D/known_hosts -o StrictHostKeyChecking=accept-new"
export RB_REMOTE_DIR=$TMP/remote-tree
URL=ssh://root@127.0.0.1:$PORT

rc_of "$ROOT/scripts/remote" ssh://127.0.0.1:notaport run
expect 2 "give the target as ssh://[user@]host[:port]"
rc_of "$ROOT/scripts/remote" "ssh://root@127.0.0.1:$((PORT + 1))" run --case null
expect 1 "ssh root@127.0.0.1 -p $((PORT + 1)):"
ok "a malformed target and an unreachable one are refused with the reason"

runs=()
for i in 1 2; do
	rc_of "$ROOT/scripts/remote" "$URL" run --case null --kind - -p loops=10 --repeat 3 --warmup 0
	[ "$RC" = 0 ] || fail "remote run $i: $(cat "$TMP/se")"
	run=$(tail -n 1 "$TMP/so")
	case $run in "$ROOT"/results/*-remote-*) ;; *) fail "remote run $i came home as '$run'" ;; esac
	[ -f "$RB_REMOTE_DIR/results/$(basename "$run")/meta.json" ] || fail "the run was not made in the remote tree"
	runs+=("$run")
done
at_exit 'rm -rf "${runs[@]}"'
[ -x "$RB_REMOTE_DIR/bench/refbench" ] && [ -f "$RB_REMOTE_DIR/configs/suites/quick.suite" ] ||
	fail "the tree was not copied"
ok "two runs over ssh ($URL), copied tree, brought home into results/ and validated"

rc_of "$RB" compare --no-plots -o "$TMP/cmp" "${runs[0]}" "${runs[1]}"
[ -f "$TMP/cmp/report.txt" ] || fail "compare of the remote runs: $(cat "$TMP/se")"
ok "the remote runs compare here: $(grep -c . "$TMP/cmp/report.txt") report lines"
