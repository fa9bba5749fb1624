# Synthetic runs for the compare tests (sourced after lib.sh). One real
# run supplies a genuine meta.json; samples are generated with jq.
"$RB" run --case null --kind - -p loops=10 --repeat 1 --warmup 0 -o "$TMP/seed" --quiet >/dev/null

# spec METRIC BASE [SEED [N [REL [OVERRIDES]]]]: one metric's samples, N
# values of BASE times (1 + noise), the noise a fixed pattern in
# [-REL, REL] shifted by SEED; OVERRIDES (JSON) replaces case, kind,
# params or unit (default gup-fast thp cmd=pin, insn/page).
spec() {
	jq -nc --arg m "$1" --argjson base "$2" --argjson seed "${3:-0}" --argjson n "${4:-10}" \
		--argjson rel "${5:-0.0005}" --argjson over "${6:-{\}}" '
	  def noise(i): ((i * 7919 + $seed * 104729) % 101 - 50) / 50 * $rel;
	  {case: "gup-fast", kind: "thp", params: {cmd: "pin"}, metric: $m, unit: "insn/page",
	   values: [range(0; $n) as $i | $base * (1 + noise($i))]} + $over'
}

# mk_run DIR CLOCK SPEC...: a complete run; CLOCK ns (timed) or icount
# (deterministic); META_JQ (env) edits meta.json further. A spec with
# "window": W gives sample i the window W + i.
mk_run() {
	local dir=$1 clock=$2
	shift 2
	mkdir -p "$dir"
	jq --arg clock "$clock" "(.clock = (if \$clock == \"icount\" then \"icount (guest ns = instructions)\"
	    else \"CLOCK_MONOTONIC ns\" end)) | ${META_JQ:-.}" "$TMP/seed/meta.json" >"$dir/meta.json"
	printf '%s\n' "$@" | jq -c --arg clock "$clock" '. as $m | $m.values | to_entries[] |
	  {schema: 1, type: "sample", case: $m.case, kind: $m.kind, params: $m.params, iter: .key,
	   metric: $m.metric, unit: $m.unit, value: .value, ops: 1000, clock: $clock,
	   counters: {source: "sw", values: {}},
	   verify: {ok: true, checks: [{what: "faults", method: "synthetic", ok: true}]}}
	  + (if $m.resolution then {resolution: $m.resolution} else {} end)
	  + (if $m.window != null then {window: ($m.window + .key)} else {} end)' >"$dir/samples.jsonl"
	certify "$dir"
}

# v REPORT_DIR METRIC [FIELD]: a metric's field (default verdict) from report.json
v() { jq -r --arg m "$2" ".metrics[] | select(.metric == \$m) | .${3:-verdict}" "$1/report.json"; }

# refuse "expected text" compare-args...: exit != 0, the text on stderr, nothing written
refuse() {
	local want=$1; shift
	local out=$TMP/out-$RANDOM
	set +e; "$RB" compare -o "$out" "$@" >/dev/null 2>"$TMP/err"; local rc=$?; set -e
	[ $rc -ne 0 ] || fail "exit 0 for: $*"
	grep -qF -- "$want" "$TMP/err" || fail "for '$*': stderr lacks '$want': $(cat "$TMP/err")"
	[ ! -e "$out" ] && ! ls -d "$out".tmp-* >/dev/null 2>&1 || fail "for '$*': output written"
	ok "refused ($want)"
}

# the report.txt of DIR fits a cover letter
narrow() {
	awk 'length > 72 { bad = 1; print "too long: " $0 } END { exit bad }' "$1/report.txt" ||
		fail "$1/report.txt wider than 72 columns"
}
