#!/bin/bash
# kernels/code-diff on two small images linked at kernel addresses: one
# function changed (it now calls a new one), one added, one moved by the
# insertion but not changed, and the callees of the changed code. Then bad
# input: a directory without vmlinux.
. "$(dirname "$0")/lib.sh"
command -v gcc >/dev/null && command -v objdump >/dev/null || skip "no gcc or objdump"
mk() {	# mk NAME: $TMP/NAME/vmlinux from stdin, linked where a kernel's text is
	mkdir -p "$TMP/$1"
	gcc -x c -O2 -fno-pie -no-pie -nostdlib -static -mcmodel=kernel -fno-asynchronous-unwind-tables \
		-Wl,-Ttext=0xffffffff81000000 -o "$TMP/$1/vmlinux" - || fail "gcc failed"
}
mk a <<'C'
int counter;
__attribute__((noinline)) int leaf(int x) { return x * 3 + counter; }
__attribute__((noinline)) int grab(int x) { return leaf(x) + 1; }
__attribute__((noinline)) int other(int x) { counter += x; return counter; }
void _start(void) { counter = grab(2) + other(3); for (;;); }
C
mk b <<'C'
int counter, extra;
__attribute__((noinline)) int leaf(int x) { return x * 3 + counter; }
__attribute__((noinline)) int helper(int x) { extra++; return x; }
__attribute__((noinline)) int grab(int x) { return helper(leaf(x)) + 1; }
__attribute__((noinline)) int other(int x) { counter += x; return counter; }
void _start(void) { counter = grab(2) + other(3); for (;;); }
C
rc_of "$ROOT/kernels/code-diff" "$TMP/a" "$TMP/b"
[ "$RC" = 0 ] || fail "code-diff exit $RC: $(cat "$TMP/se")"
got=$(jq -c '[.changed, .added, .removed, .callees, .functions]' "$TMP/so")
[ "$got" = '[["grab"],["helper"],[],["leaf"],{"a":4,"b":5}]' ] || fail "code-diff said $(cat "$TMP/so")"
ok "grab changed, helper added, other moved but unchanged, leaf a callee: $got"

rc_of "$ROOT/kernels/code-diff" "$TMP/a" "$TMP/a"
[ "$RC" = 0 ] && [ "$(jq -c '[.changed, .added, .removed]' "$TMP/so")" = '[[],[],[]]' ] || fail "an image against itself: $(cat "$TMP/so" "$TMP/se")"
ok "an image against itself: nothing changed"

mkdir "$TMP/empty"
rc_of "$ROOT/kernels/code-diff" "$TMP/a" "$TMP/empty"
expect 2 "$TMP/empty/vmlinux missing (a kernels/build directory)"
ok "a directory without vmlinux is refused: $(cat "$TMP/se")"
