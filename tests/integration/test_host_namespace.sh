#!/bin/bash
# scripts/host-ab --setup-namespace: only the named namespace is ever
# reconfigured, only after its name is typed back (or named again with
# --yes-reconfigure where there is no terminal), never one holding a
# mounted file system. ndctl is a fake on PATH that records its calls.
. "$(dirname "$0")/lib.sh"
HAB=$ROOT/scripts/host-ab
mkdir -p "$TMP/bin"
cat >"$TMP/bin/ndctl" <<'FAKE'
#!/bin/bash
echo "ndctl $*" >>"$NDCTL_LOG"
case $1 in
list) [ "$3" = namespace0.0 ] && echo "{\"dev\":\"namespace0.0\",\"mode\":\"fsdax\",\"blockdev\":\"$FAKE_BLOCKDEV\"}" || echo '[]' ;;
create-namespace) echo '{"dev":"namespace0.0","mode":"devdax"}' ;;
esac
FAKE
chmod +x "$TMP/bin/ndctl"
export PATH=$TMP/bin:$PATH NDCTL_LOG=$TMP/ndctl.log FAKE_BLOCKDEV=pmem9
created() { grep -c '^ndctl create-namespace' "$NDCTL_LOG" 2>/dev/null || true; }
# no controlling terminal, as under make check or a systemd unit
notty() { rc_of setsid -w "$@" </dev/null; }

notty "$HAB" --setup-namespace all --mode devdax --align 2M
expect 2 "name the namespace, namespaceX.Y"
notty "$HAB" --setup-namespace namespace0.0 --mode raw
expect 2 "--mode 'raw': fsdax or devdax"
notty "$HAB" --setup-namespace namespace0.7 --mode devdax --yes-reconfigure namespace0.7
expect 1 "no namespace namespace0.7"
notty "$HAB" --setup-namespace namespace0.0 --mode devdax --align 1G
expect 2 "no terminal to confirm on: add --yes-reconfigure namespace0.0"
notty "$HAB" --setup-namespace namespace0.0 --mode devdax --yes-reconfigure namespace1.0
expect 2 "--yes-reconfigure namespace1.0 does not name namespace0.0"
[ "$(created)" = 0 ] || fail "a refused setup ran create-namespace: $(cat "$NDCTL_LOG")"
ok "refused without a name, a mode, an existing namespace, a terminal or the same name again"

# a namespace whose block device is mounted (here: the root's) is refused
root_dev=$(findmnt -rn -o SOURCE / | sed -n 's#^/dev/##p')
if [ -n "$root_dev" ]; then
	FAKE_BLOCKDEV=$root_dev notty "$HAB" --setup-namespace namespace0.0 --mode devdax --yes-reconfigure namespace0.0
	expect 1 "namespace0.0 (/dev/$root_dev) holds a mounted file system (/)"
	[ "$(created)" = 0 ] || fail "a mounted namespace was reconfigured"
	ok "a namespace holding a mounted file system is refused"
else
	echo "# skip: the root is not on a /dev block device; the mounted case is not checked"
fi

notty "$HAB" --setup-namespace namespace0.0 --mode devdax --align 1G --yes-reconfigure namespace0.0
[ "$RC" = 0 ] || fail "setup: $(cat "$TMP/se")"
grep -qx 'ndctl create-namespace -f -e namespace0.0 -m devdax -a 1G' "$NDCTL_LOG" ||
	fail "create-namespace call: $(cat "$NDCTL_LOG")"
ok "--yes-reconfigure: ndctl create-namespace -f -e namespace0.0 -m devdax -a 1G"

# typed back on a terminal (script(1) gives the command one)
if command -v script >/dev/null; then
	: >"$NDCTL_LOG"
	rc_of script -qec "$HAB --setup-namespace namespace0.0 --mode fsdax" /dev/null <<<"namespace0.1"
	[ "$RC" != 0 ] && grep -q "'namespace0.1' is not namespace0.0: nothing changed" "$TMP/so" ||
		fail "a mistyped name: rc $RC: $(cat "$TMP/so" "$TMP/se")"
	[ "$(created)" = 0 ] || fail "a mistyped name reconfigured it"
	rc_of script -qec "$HAB --setup-namespace namespace0.0 --mode fsdax" /dev/null <<<"namespace0.0"
	[ "$RC" = 0 ] || fail "typed back: rc $RC: $(cat "$TMP/so" "$TMP/se")"
	grep -qx 'ndctl create-namespace -f -e namespace0.0 -m fsdax -a 2M -M mem' "$NDCTL_LOG" ||
		fail "fsdax call: $(cat "$NDCTL_LOG")"
	ok "on a terminal: a mistyped name changes nothing, the name typed back reconfigures (fsdax -M mem)"
else
	echo "# skip: no script(1) for a pseudo-terminal; the typed-back path is not checked"
fi
