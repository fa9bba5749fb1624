#!/bin/bash
# refbench: full -- its own LAVA server and 5 boots (make check-lava; see test_lava.sh)
# refbench: boots 2
# plan-lava's server path against a real server (docs/lava.md): a LAVA
# server on loopback (scripts/lava-server: lava-server 2023.01 on its own
# PostgreSQL, one worker with two refbench-qemu devices, lavacli with a
# user's token), started here and stopped at exit.
#  1. without a boot: the server refuses a port that is taken and a
#     missing PostgreSQL (exit 2, the fix named); a job waiting in LAVA's
#     queue (devices in maintenance) outlives the lab's watchdog (20 s; it
#     counts from the job's start) and is canceled on the server when the
#     lab boot is stopped (SIGTERM), and the run says interrupted.
#  2. make ab EXECUTOR=lava URL=(the server) on ab-smoke, the default 6.1
#     kernel as A and B, two rounds (two boots per kernel), a round's jobs
#     submitted at once (LAVA queues what the two devices cannot take
#     yet): the first job whose guest runs the suite is canceled on the
#     server; the A/B stops with that boot missing (failed, "Canceled"),
#     the other three done. RESUME boots the missing one again as a new
#     job; all four runs came home from the jobs' logs and validate, a
#     round's two samples are byte-identical (one kernel), and the report
#     has every metric at B-A = 0.
# Skips (77) where the server cannot start here: lava-server not installed
# (scripts/deps --lava-server), not root, a port taken.
#   RB_LAVA_SERVER_PORT, RB_LAVA_SERVER_PG_PORT   (18080, 15433)
#   RB_KEEP_TEST_RUNS=1   keep the server's directory (logs) and the A/B
# Exit 0 pass, 1 fail, 77 skip.
. "$(dirname "$0")/lib.sh"
T0=$SECONDS

[ -x /usr/bin/lava-server ] || skip "lava-server is not installed (scripts/deps --lava-server)"
lab_needs qemu-system-x86_64 jq lavacli
lab_built
lab_kernel
lab_tmp lava-server
PORT=${RB_LAVA_SERVER_PORT:-18080} PGPORT=${RB_LAVA_SERVER_PG_PORT:-15433}
SRV=$TMP/server
chmod o+x "$TMP"	# PostgreSQL runs as postgres, in $SRV/pg
LS=$REPO/scripts/lava-server
at_exit '"$LS" stop "$SRV" 2>/dev/null || true'

rc=0
"$LS" start "$SRV" --port "$PORT" --pg-port "$PGPORT" --devices 2 >"$TMP/start.out" 2>"$TMP/start.err" || rc=$?
[ "$rc" != 2 ] || skip "the LAVA server cannot start here: $(grep error: "$TMP/start.err" | tail -n 1)"
[ "$rc" = 0 ] || { tail -n 20 "$TMP/start.err"; fail "scripts/lava-server start exited $rc (logs: $SRV/logs)"; }
URL=$(tail -n 1 "$TMP/start.out")
lc() { lavacli --uri "$URL" "$@"; }
[ "$(lc system version)" = 2023.01 ] || fail "the server at $URL does not answer lavacli"
[ "$(lc devices list --json | jq -r '[.[] | select(.type == "refbench-qemu" and .health == "Good")] | length')" = 2 ] ||
	fail "devices: $(lc devices list)"
ok "LAVA server on 127.0.0.1:$PORT in $((SECONDS - T0))s: lava-server $(lc system version), PostgreSQL, worker online, 2 refbench-qemu devices"

# ---- 1. without a boot
rc=0
"$LS" start "$TMP/again" --port "$PORT" --pg-port "$((PGPORT + 1))" >/dev/null 2>"$TMP/again.err" || rc=$?
[ "$rc" = 2 ] && grep -q "port $PORT (lava-server's HTTP) is taken.*--port" "$TMP/again.err" ||
	fail "a second server on port $PORT: exit $rc, $(cat "$TMP/again.err")"
mkdir "$TMP/nopg"
rc=0
RB_PG_BIN=$TMP/nopg "$LS" start "$TMP/again" --port "$((PORT + 1))" --pg-port "$((PGPORT + 1))" >/dev/null 2>"$TMP/again.err" || rc=$?
[ "$rc" = 2 ] && grep -q "PostgreSQL is missing.*scripts/deps --lava-server" "$TMP/again.err" ||
	fail "without PostgreSQL: exit $rc, $(cat "$TMP/again.err")"
[ ! -e "$TMP/again" ] || fail "a refused start left $TMP/again"
ok "refused (exit 2, the fix named): a port taken, PostgreSQL missing"

health() { local d; for d in refbench-qemu-01 refbench-qemu-02; do lc devices update --health "$1" "$d"; done; }
health MAINTENANCE
echo 'gup-fast anon cmd=gup size=16M repeat=1 warmup=0' >"$TMP/one.suite"
RUN=$TMP/queued
tq=$SECONDS
RB_LAVA_URL=$URL RB_LAVA_POLL=1 "$REPO/scripts/plan-lava" --kernel "$KERNEL" --mode deterministic \
	--suite "$TMP/one.suite" --timeout 20 -o "$RUN" >"$TMP/queued.out" 2>"$TMP/queued.err" &
LAB=$!
at_exit '[ -z "${LAB:-}" ] || kill "$LAB" 2>/dev/null || true'
id=''
for i in $(seq 120); do
	id=$(lc jobs list --state SUBMITTED --json | jq -r '.[0].id // empty')
	[ -z "$id" ] || break
	kill -0 "$LAB" 2>/dev/null || { tail -n 20 "$TMP/queued.err"; fail "plan-lava ended before its job was queued"; }
	sleep 1
done
[ -n "$id" ] || fail "no job in LAVA's queue after 120 s"
# the lab's watchdog (--timeout 20) counts from the job's start, not its
# time in the queue: 30 s queued, still waiting
while [ $((SECONDS - tq)) -lt 30 ]; do sleep 1; done
kill -0 "$LAB" 2>/dev/null && [ "$(lc jobs show "$id" --json | jq -r .state)" = Submitted ] ||
	{ tail -n 20 "$TMP/queued.err"; fail "the lab's watchdog (20 s) fired while job $id was queued"; }
kill -TERM "$LAB"
rc=0; wait "$LAB" || rc=$?
LAB=''
[ "$rc" = 143 ] || { tail -n 20 "$TMP/queued.err"; fail "the stopped lab boot exited $rc, not 143"; }
[ "$(lc jobs show "$id" --json | jq -r '.state + " " + .health')" = "Finished Canceled" ] ||
	fail "job $id after SIGTERM: $(lc jobs show "$id")"
jq -e '.outcome.status == "interrupted"' "$RUN/lab.json" >/dev/null || fail "the run: $(jq -c .outcome "$RUN/lab.json")"
ok "a lab boot (watchdog 20 s) waits 30 s in LAVA's queue, then stopped (SIGTERM): job $id Canceled on the server, the run interrupted"
health GOOD

# ---- 2. make ab EXECUTOR=lava on the server, one job canceled mid-way, RESUME
ab=(env RB_EXECUTOR=lava RB_LAVA_URL="$URL" RB_LAVA_POLL=3 "$REPO/scripts/ab")
t0=$SECONDS
"${ab[@]}" --base stock --patched stock --mode deterministic --suite ab-smoke --rounds 2 --jobs 2 -o "$TMP/ab" \
	--lab-args "--results $TMP/runs" >"$TMP/ab.out" 2>"$TMP/ab.err" &
AB=$!
at_exit '[ -z "${AB:-}" ] || kill "$AB" 2>/dev/null || true'
# the first job whose guest runs the suite is canceled on the server
victim=''
for i in $(seq 900); do
	for id in $(lc jobs list --state RUNNING --json | jq -r '.[].id'); do
		lc jobs logs --raw --no-follow "$id" 2>/dev/null | grep -q 'refbench-lab: running:' && { victim=$id; break 2; }
	done
	kill -0 "$AB" 2>/dev/null || { tail -n 20 "$TMP/ab.err"; fail "the A/B ended before a job ran its suite"; }
	sleep 1
done
[ -n "$victim" ] || fail "no job ran the suite within 900 s"
lc jobs cancel "$victim"
rc=0; wait "$AB" || rc=$?
AB=''
t_ab=$((SECONDS - t0))
P=$TMP/ab.plan/plan.json
[ "$rc" != 0 ] && [ -f "$P" ] && [ ! -e "$TMP/ab/report.json" ] || { tail -n 20 "$TMP/ab.err"; fail "the A/B with a canceled job: exit $rc, $(ls "$TMP")"; }
[ "$(lc jobs show "$victim" --json | jq -r '.state + " " + .health')" = "Finished Canceled" ] ||
	fail "job $victim: $(lc jobs show "$victim")"
jq -e '[.boots[] | .status] | sort == ["done", "done", "done", "failed"]' "$P" >/dev/null || fail "plan: $(jq -c '[.boots[] | {label: .label, status: .status, reason: .reason}]' "$P")"
missing=$(jq -r '.boots[] | select(.status == "failed") | .label' "$P")
RUN=$(jq -r --arg l "$missing" '.boots[] | select(.label == $l) | .run // empty' "$P")
[ -z "$RUN" ] || jq -e '.outcome.status == "failed" and (.outcome.reason | test("Canceled"))' "$RUN/lab.json" >/dev/null ||
	fail "the canceled boot's run: $(jq -c .outcome "$RUN/lab.json")"
[ "$RUN" = '' ] || [ "$(cat "$RUN/lava-job.id")" = "$victim" ] || fail "the failed run is not job $victim's"
grep -q "make ab RESUME=$TMP/ab continues" "$TMP/ab.err" || fail "no resume hint: $(tail -n 3 "$TMP/ab.err")"
ok "A/B as LAVA jobs (2 rounds), job $victim canceled on the server mid-suite: boot $missing missing (failed, Canceled), the other three done (${t_ab}s)"

t0=$SECONDS
RUN=''
"${ab[@]}" --resume "$TMP/ab" >"$TMP/resume.out" 2>"$TMP/resume.err" || { tail -n 20 "$TMP/resume.err"; fail "RESUME failed"; }
t_res=$((SECONDS - t0))
[ "$(tail -n 1 "$TMP/resume.out")" = "$TMP/ab" ] && [ -f "$TMP/ab/plan.json" ] || fail "resumed A/B: $(tail -n 1 "$TMP/resume.out")"
P=$TMP/ab/plan.json
jq -e '[.boots[] | .status] | length == 4 and all(. == "done")' "$P" >/dev/null || fail "plan: $(jq -c '[.boots[] | {label: .label, status: .status}]' "$P")"
R=$TMP/ab/report.json
jq -e '(.resumed | length) == 3 and (.missing_boots | length) == 0' "$R" >/dev/null ||
	fail "report.json: $(jq -c '{resumed, missing_boots}' "$R")"
runs=()
for l in A1 B1 A2 B2; do
	RUN=$(jq -r --arg l "$l" '.boots[] | select(.label == $l) | .run' "$P")
	"$RB" validate "$RUN/run" >/dev/null || fail "$l's run does not validate"
	[ -s "$RUN/lava-job.id" ] && grep -q '"lvl": "target"' "$RUN/lava.log" || fail "$l's run did not come from a LAVA job"
	runs+=("$RUN")
done
RUN=''
[ "$(for r in "${runs[@]}"; do cat "$r/lava-job.id"; done | sort -u | wc -l)" = 4 ] || fail "two runs name one job"
cmp -s "${runs[0]}/run/samples.jsonl" "${runs[1]}/run/samples.jsonl" || fail "A1's and B1's samples differ (one kernel)"
cmp -s "${runs[2]}/run/samples.jsonl" "${runs[3]}/run/samples.jsonl" || fail "A2's and B2's samples differ (one kernel)"
jq -e '.summary.primary.slower == 0 and .summary.primary.faster == 0 and .summary.primary.n > 0 and
	all(.metrics[]; .delta == 0)' "$R" >/dev/null || fail "report: $(jq -c .summary "$R")"
ok "RESUME booted $missing again as job $(cat "$(jq -r --arg l "$missing" '.boots[] | select(.label == $l) | .run' "$P")/lava-job.id") (${t_res}s): all 4 runs validate, a round's samples byte-identical, $(jq .summary.primary.n "$R") primary metrics at B-A = 0"
echo "# wall time $((SECONDS - T0))s (server start, the queued job, the A/B with a canceled job, the resume)"
