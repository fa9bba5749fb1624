#!/bin/bash
# Run integrity: meta.json certifies samples.jsonl (records, bytes, sha256);
# validate and compare check it and name what is wrong; a compare whose A
# and B share a run is refused.
. "$(dirname "$0")/lib.sh"

run=$TMP/run
"$RB" run --case null --kind - -p loops=10,11 --repeat 3 --warmup 0 -o "$run" --quiet >/dev/null
m=$run/meta.json s=$run/samples.jsonl
jq -e --argjson lines "$(wc -l <"$s")" --argjson bytes "$(stat -c %s "$s")" \
	--arg sha "$(sha256sum "$s" | cut -d' ' -f1)" '
	.status == "complete" and .integrity.records == $lines and $lines == 18 and
	.integrity.bytes == $bytes and .integrity.sha256 == $sha and
	(.points_done | length) == 2 and ([.points_done[].records] | add) == $lines and
	all(.points_done[]; .outcome == "measured" and .case == "null" and .repeat == 3)' "$m" >/dev/null ||
	fail "integrity fields: $(jq -c '{integrity, points_done}' "$m")"
rc_of "$RB" validate "$run"
[ "$RC" = 0 ] && grep -q "valid, complete: 18 records (2 points)" "$TMP/so" || fail "validate: $(cat "$TMP/so" "$TMP/se")"
ok "meta.json certifies 18 records, their bytes and sha256"

# copy RUN NAME: a damaged copy to test
copy() { rm -rf "$TMP/$1"; cp -a "$run" "$TMP/$1"; }
# refused NAME TEXT: validate and compare both refuse the copy, naming TEXT
refused() {
	rc_of "$RB" validate "$TMP/$1"
	expect 1 "$2"
	grep -q valid "$TMP/so" && fail "$1: validate printed valid: $(cat "$TMP/so")"
	local out=$TMP/cmp-$1
	rc_of "$RB" compare -o "$out" "$run" "$TMP/$1"
	expect 1 "$2"
	[ ! -e "$out" ] || fail "$1: compare wrote $out"
	ok "$1 refused by validate and compare: $(head -c 160 "$TMP/se")"
}

# the issue's case: samples.jsonl lost its second half at a line boundary
copy half; head -n 9 "$s" >"$TMP/half/samples.jsonl"
refused half "samples.jsonl is truncated: 9 of 18 certified records"
copy gone; rm "$TMP/gone/samples.jsonl"
refused gone "samples.jsonl is missing"
copy edited; sed -i '3s/"iter":[0-9]*/"iter":7/' "$TMP/edited/samples.jsonl"
cmp -s "$s" "$TMP/edited/samples.jsonl" && fail "sed changed nothing"
refused edited "does not match the sha256 meta.json certifies"
copy longer; tail -n 1 "$s" >>"$TMP/longer/samples.jsonl"
refused longer "bytes after the 18 certified records"
copy nointegrity; jq 'del(.integrity)' "$m" >"$TMP/x"; mv "$TMP/x" "$TMP/nointegrity/meta.json"
refused nointegrity "meta.json has no integrity record"
copy miscount; jq '.integrity.records = 17' "$m" >"$TMP/x"; mv "$TMP/x" "$TMP/miscount/meta.json"
refused miscount "records"

# the same run as A and B, under any name, or a copy of it: refused
for b in "$run" "$run/" "$TMP/./run" "$TMP/samecopy"; do
	[ "$b" != "$TMP/samecopy" ] || copy samecopy
	rc_of "$RB" compare -o "$TMP/cmp-same" "$run" "$b"
	expect 1 "is the same run as"
	[ ! -e "$TMP/cmp-same" ] || fail "compare of a run with itself wrote a report"
done
"$RB" run --case null --kind - -p loops=10,11 --repeat 3 --warmup 0 -o "$TMP/run2" --quiet >/dev/null
rc_of "$RB" compare -o "$TMP/cmp-same" "$run,$TMP/samecopy" "$TMP/run2"
expect 1 "is the same run as"
ok "a compare whose A and B (or one arm) share a run is refused"
