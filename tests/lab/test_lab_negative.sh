#!/bin/bash
# Negative lab test: fsdax on an xfs made WITHOUT 2 MiB stripe alignment.
# The fsdax-PMD case must be refused with the reason and never reported as
# PMD; fsdax-PTE on the same file system still measures.
. "$(dirname "$0")/lib.sh"
lab_needs qemu-system-x86_64 jq
lab_kernel
lab_tmp lab-neg

"$REPO/scripts/lab" --kernel "$KERNEL" --accel tcg --negative-fs --devdax1g-size 0 --devdax2m-size 0 \
	--timeout 600 -o "$TMP/run" --guest-cmd '
	"$RB_REPO/bench/refbench" run --case fault --kind fsdax-pmd,fsdax-pte -p size=16M -p access=write \
		--repeat 2 --fsdax "$RB_FSDAX" -o "$RB_RUN" --lab "$RB_LAB_JSON" --quiet' >"$TMP/out" 2>"$TMP/err" ||
	{ tail -20 "$TMP/err"; fail "lab run failed"; }
S=$TMP/run/run/samples.jsonl
jq -e '.guest.pmem.fsdax.negative_fs or (.pmem.negative_fs == true)' "$TMP/run/lab.json" >/dev/null ||
	fail "the lab did not make the unaligned file system"
echo "# records: $(jq -c '{type, kind, reason}' "$S" | cut -c1-200)"
jq -se '[.[] | select(.kind == "fsdax-pmd" and .type == "sample")] | length == 0' "$S" >/dev/null ||
	fail "an fsdax-pmd sample was reported on an unaligned file system"
jq -se '[.[] | select(.kind == "fsdax-pmd" and .type == "rejected" and
	(.reason | test("not 2 MiB aligned|fell back to PTE")))] | length > 0' "$S" >/dev/null ||
	fail "fsdax-pmd not refused with the reason"
jq -se '[.[] | select(.kind == "fsdax-pte" and .type == "sample" and .verify.ok)] | length > 0' "$S" >/dev/null ||
	fail "fsdax-pte did not measure on the same file system"
ok "fsdax-pmd refused: $(jq -r 'select(.kind == "fsdax-pmd") | .reason' "$S" | head -1 | cut -c1-160)"
