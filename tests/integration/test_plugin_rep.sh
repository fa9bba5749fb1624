#!/bin/bash
# The plugin's REP counts against loops of known length: a 50-byte
# multiboot payload (as scripts/accel-probe builds it) runs, inside window
# markers, `rep stosb` with ecx = N, with ecx = 0, and `rep movsb` with
# ecx = M, under TCG -icount shift=0 as the lab does. Each window must show
# one REP instruction whose extra executions are ecx (TCG executes it ecx + 1
# times), and insns - extra must be the instructions the hardware retires.
. "$(dirname "$0")/lib.sh"
PLUGIN=$ROOT/build/plugin/insn_attr.so
QEMU=${QEMU:-qemu-system-x86_64}
command -v "$QEMU" >/dev/null || skip "no $QEMU (make deps)"
[ -f "$PLUGIN" ] || skip "no $PLUGIN (make plugin)"

le32() { printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($1 & 255)) $((($1 >> 8) & 255)) $((($1 >> 16) & 255)) $((($1 >> 24) & 255)); }
N=4096 M=300
BEGIN='\x0f\x1f\x80\x52\x42\x57\x31' END='\x0f\x1f\x80\x52\x42\x57\x30'
hdr="$(le32 0x1BADB002)$(le32 0x00010000)$(le32 0xE4514FFE)"
hdr+="$(le32 0x100000)$(le32 0x100000)$(le32 0)$(le32 0)$(le32 0x100020)"
# window 0: mov ecx,N; mov edi,0x200000; xor eax,eax; rep stosb
code="$BEGIN\\xb9$(le32 $N)\\xbf$(le32 0x200000)\\x31\\xc0\\xf3\\xaa$END"
# window 1: mov ecx,0; rep stosb (no iteration)
code+="$BEGIN\\xb9$(le32 0)\\xf3\\xaa$END"
# window 2: mov esi,0x200000; mov edi,0x300000; mov ecx,M; rep movsb
code+="$BEGIN\\xbe$(le32 0x200000)\\xbf$(le32 0x300000)\\xb9$(le32 $M)\\xf3\\xa4$END"
# outside the windows, what icount counts: rdtsc (icount's clock: 1 tick per
# instruction at shift=0) around `rep stosb` with ecx = A, then B; each
# delta goes out on the debug console as 4 bytes
tsc_rep() {
	code+="\\x0f\\x31\\x89\\xc3\\xb9$(le32 "$1")\\xbf$(le32 0x200000)\\xf3\\xaa\\x0f\\x31\\x29\\xd8"
	code+='\x66\xba\xe9\x00\xee\xc1\xe8\x08\xee\xc1\xe8\x08\xee\xc1\xe8\x08\xee'
}
A=1000 B=5000
tsc_rep $A
tsc_rep $B
# exit through isa-debug-exit: mov al,0x15; mov dx,0xf4; out dx,al; hlt; jmp
code+='\xb0\x15\x66\xba\xf4\x00\xee\xf4\xeb\xfd'
printf "$hdr$code" >"$TMP/payload"
echo 'ffffffff81000000 T _stext' >"$TMP/System.map"

set +e
timeout 60 "$QEMU" -machine pc,accel=tcg -cpu max -m 32 -smp 1 -icount shift=0,sleep=off \
	-nodefaults -no-user-config -display none -serial none \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 -debugcon "file:$TMP/debugcon" -kernel "$TMP/payload" \
	-plugin "$PLUGIN,map=$TMP/System.map,out=$TMP/attr.jsonl,info=$TMP/info.json" >"$TMP/qemu.out" 2>&1
rc=$?
set -e
[ "$rc" = 43 ] || fail "qemu exited $rc, not 43 (the payload's exit): $(cat "$TMP/qemu.out")"
[ "$(grep -c '' "$TMP/attr.jsonl")" = 3 ] || fail "3 windows expected: $(cat "$TMP/attr.jsonl")"

# window W INSNS REP_INSNS EXTRA HW: the plugin's counts, and the hardware's
window() {
	local got
	got=$(jq -r --argjson w "$1" 'select(.w == $w) |
		"\(.insns) \(.rep.insns) \(.rep.extra) \(.insns - .restarts - .rep.extra)"' "$TMP/attr.jsonl")
	[ "$got" = "$2 $3 $4 $5" ] && ok "window $1: $6: insns $2, rep $3, extra $4, hardware $5" ||
		not_ok "window $1: $6: got insns/rep/extra/hardware '$got', expected '$2 $3 $4 $5'"
}
# the begin marker counts in its window, the end marker does not
window 0 $((5 + N)) 1 $N 5 "rep stosb, ecx = $N: $((N + 1)) executions"
window 1 3 1 0 3 "rep stosb, ecx = 0: one execution"
window 2 $((5 + M)) 1 $M 5 "rep movsb, ecx = $M"
jq -e '.rep_syms["[user]"] == 4096' <(sed -n 1p "$TMP/attr.jsonl") >/dev/null &&
	ok "rep_syms names where the iterations ran" || not_ok "rep_syms: $(sed -n 1p "$TMP/attr.jsonl")"
# the firmware has its own REP instructions; the payload's 5 are among them
jq -e '.rep.sites >= 5 and .rep.lost == false' "$TMP/info.json" >/dev/null &&
	ok "info: $(jq .rep.sites "$TMP/info.json") REP sites translated" || not_ok "info.json: $(cat "$TMP/info.json")"
# icount counts every iteration: the two deltas differ by B - A
read -r ta tb < <(od -An -tu4 -N8 "$TMP/debugcon")
[ $((tb - ta)) = $((B - A)) ] && ok "icount: rep stosb with ecx = $B took $((tb - ta)) ticks more than with $A ($ta, $tb)" ||
	not_ok "icount: deltas $ta (ecx = $A) and $tb (ecx = $B) differ by $((tb - ta)), not $((B - A))"
