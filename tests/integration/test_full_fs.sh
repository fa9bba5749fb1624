#!/bin/bash
# A full file system as -o (a 64 KiB tmpfs): the run closes "failed" with
# the reason, exits != 0, and keeps only what it could write whole; nothing
# is presented as complete.
. "$(dirname "$0")/lib.sh"

mnt=$TMP/small
mkdir "$mnt"
mount -t tmpfs -o size=64k tmpfs "$mnt" 2>"$TMP/se" ||
	skip "cannot mount a tmpfs (needs root): $(cat "$TMP/se")"
at_exit 'umount "$mnt"'

# the issue's case: 800 samples do not fit; before, "complete", exit 0, an
# empty samples.jsonl and meta.json left "running"
rc_of "$RB" run --case null --kind - -p loops=10 --repeat 400 --warmup 0 -o "$mnt/r"
expect 1 "No space left on device"
grep -q "complete" "$TMP/se" && ! grep -q "not complete" "$TMP/se" && fail "stderr says complete: $(cat "$TMP/se")"
jq -e '.status == "failed" and (.reason | test("samples.jsonl.*No space left on device")) and
	.integrity.records == 0 and .summary.samples == 0' "$mnt/r/meta.json" >/dev/null ||
	fail "meta: $(jq -c '{status, reason, integrity, summary}' "$mnt/r/meta.json")"
rc_of "$RB" validate --complete "$mnt/r"
expect 1 "not complete"
ls "$mnt/r" | grep -q tmp- && fail "a temporary file was left: $(ls "$mnt/r")"
ok "full at the first point -> failed, 0 records, exit 1: $(jq -r .reason "$mnt/r/meta.json")"
rm -rf "$mnt/r"

# full after some points: the points before stay, whole and verified
rc_of "$RB" run --case null --kind - -p loops=10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29 \
	--repeat 8 --warmup 0 -o "$mnt/r"
expect 1 "No space left on device"
jq -e '.status == "failed" and .integrity.records > 0 and .integrity.records < 320 and
	([.points_done[].records] | add) == .integrity.records' "$mnt/r/meta.json" >/dev/null ||
	fail "meta: $(jq -c '{status, reason, integrity}' "$mnt/r/meta.json")"
rc_of "$RB" validate "$mnt/r"
[ "$RC" = 0 ] && grep -q "valid, failed" "$TMP/so" || fail "validate: $(cat "$TMP/so" "$TMP/se")"
[ "$(wc -l <"$mnt/r/samples.jsonl")" = "$(jq .integrity.records "$mnt/r/meta.json")" ] ||
	fail "samples.jsonl does not hold exactly the certified records"
ok "full after $(jq '.points_done | length' "$mnt/r/meta.json") points -> those kept and verified, run failed"
rm -rf "$mnt/r"

# no room even for meta.json: nothing is written, exit != 0
dd if=/dev/zero of="$mnt/fill" bs=4k count=64 status=none 2>/dev/null || true
rc_of "$RB" run --case null --kind - -p loops=10 --repeat 1 --warmup 0 -o "$mnt/r"
expect 1 "No space left on device"
[ ! -e "$mnt/r/meta.json" ] || fail "a meta.json was left on a full disk: $(cat "$mnt/r/meta.json")"
ok "no room for meta.json -> refused, nothing left behind"
