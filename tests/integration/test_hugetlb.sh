#!/bin/bash
# The hugetlb kinds on this host: a point whose huge pages are not
# reserved is skipped with the fix (never measured as something else),
# and --dry-run --boot-args prints the reservation a suite needs.
. "$(dirname "$0")/lib.sh"

# 64 GiB of each: more than any pool here holds
rc_of "$RB" run --case fault --kind hugetlb-2m,hugetlb-1g -p size=64G --repeat 1 --warmup 0 \
	-o "$TMP/run" --quiet
[ "$RC" = 0 ] || fail "a run of unreserved hugetlb points exited $RC: $(cat "$TMP/se")"
"$RB" validate "$TMP/run" >/dev/null || fail "the run does not validate"
S=$TMP/run/samples.jsonl
jq -se 'length == 2 and all(.[]; .type == "skipped" or .type == "unsupported")' "$S" >/dev/null ||
	fail "unreserved hugetlb points were not skipped: $(jq -c '{kind, type}' "$S")"
jq -se '.[] | select(.kind == "hugetlb-2m") | .reason |
	test("echo 32768 > /proc/sys/vm/nr_hugepages|hugepagesz=2M hugepages=|CONFIG_HUGETLBFS")' "$S" >/dev/null ||
	fail "hugetlb-2m skip does not name the fix: $(jq -r 'select(.kind == "hugetlb-2m") | .reason' "$S")"
jq -se '.[] | select(.kind == "hugetlb-1g") | .reason |
	test("hugepagesz=1G hugepages=64|lacks pdpe1gb|CONFIG_HUGETLBFS|no 1 GiB huge pages")' "$S" >/dev/null ||
	fail "hugetlb-1g skip does not name the fix: $(jq -r 'select(.kind == "hugetlb-1g") | .reason' "$S")"

# what a suite's boot must reserve: the largest point of each pool
cat >"$TMP/h.suite" <<'SUITE'
fault     hugetlb-2m,anon   size=16M,128M
gup-fast  hugetlb-2m        size=64M
fault     hugetlb-1g        size=2G
SUITE
rc_of "$RB" run --suite "$TMP/h.suite" --dry-run --boot-args
[ "$RC" = 0 ] || fail "--boot-args exited $RC: $(cat "$TMP/se")"
[ "$(cat "$TMP/so")" = "hugepagesz=2M hugepages=64 hugepagesz=1G hugepages=2" ] ||
	fail "--boot-args printed '$(cat "$TMP/so")'"
rc_of "$RB" run --suite host-smoke --dry-run --boot-args
[ "$RC" = 0 ] && [ "$(cat "$TMP/so")" = "" ] || fail "a suite without hugetlb reserves '$(cat "$TMP/so")'"
rc_of "$RB" run --suite "$TMP/h.suite" --boot-args
expect 2 "--boot-args goes with --dry-run"
ok "unreserved hugetlb points skipped with the fix; boot args from the plan"
