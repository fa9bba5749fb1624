#!/bin/bash
# End-to-end lab boot: the default lab kernel under TCG, nvdimm profile (4G),
# pmem set up in the guest (fsdax + devdax 2M + devdax 1G), a small guest
# command, and the run brought home. Exit 0 pass, 1 fail, 77 skip.
#   RB_LAB_KERNEL=DIR|bzImage   boot this kernel instead of kernels/build's
#   RB_LAB_KVER=X.Y             build and boot Debian's linux-source-X.Y
#                               (kernels/build --src X.Y) instead of 6.1
#   RB_KEEP_TEST_RUNS=1         keep the run directory
# The guest command is the real `refbench run --suite lab-smoke` when
# bench/refbench and configs/suites/lab-smoke.suite exist, else a stand-in that
# checks the devices from inside the guest.
. "$(dirname "$0")/lib.sh"
T0=$(date +%s)

lab_needs qemu-system-x86_64 jq
lab_kernel ${RB_LAB_KVER:+--src "$RB_LAB_KVER"}
lab_tmp lab-boot

REAL=0
if [ -x "$REPO/bench/refbench" ] && [ -f "$REPO/configs/suites/lab-smoke.suite" ]; then
	REAL=1
	args=(--suite lab-smoke)
else
	# Stand-in: check the devices from inside, write a sample the way refbench would.
	args=(--guest-cmd 'set -e
		test -b "$RB_FSDAX_DEV"; test -c "$RB_DEVDAX_2M"; test -c "$RB_DEVDAX_1G"
		grep -E " $RB_FSDAX (xfs|ext4) .*dax" /proc/mounts
		fallocate -l 64M "$RB_FSDAX/f"
		mkdir -p "$RB_RUN"
		{ echo "fsdax $RB_FSDAX_DEV $(cat /sys/block/${RB_FSDAX_DEV#/dev/}/size)"
		  for d in $RB_DEVDAX_2M $RB_DEVDAX_1G; do n=${d#/dev/}
		    echo "devdax $d $(cat /sys/bus/dax/devices/$n/size) $(cat /sys/bus/dax/devices/$n/align)"; done
		} >"$RB_OUT/devices.txt"
		cat "$RB_OUT/devices.txt"')
fi

rc=0
"$REPO/scripts/lab" --kernel "$KERNEL" --accel tcg --profile nvdimm --timeout 600 \
	-o "$TMP/run" "${args[@]}" >"$TMP/stdout" 2>"$TMP/stderr" || rc=$?
RUN=$(tail -n 1 "$TMP/stdout")
[ "$rc" = 0 ] || { tail -n 30 "$TMP/stderr"; fail "scripts/lab exited $rc"; }
[ "$RUN" = "$TMP/run" ] || fail "last stdout line is '$RUN', expected $TMP/run"
ok "scripts/lab exit 0, run dir printed last"
[ -d "$RUN" ] || fail "no run dir"
for d in "$TMP"/.staging*; do [ ! -e "$d" ] || fail "staging dir $d left behind"; done

[ -s "$RUN/serial.log" ] || fail "serial.log missing or empty"
grep -q 'refbench-lab: pmem ready' "$RUN/serial.log" || fail "serial.log lacks the pmem-ready marker"
ok "serial.log kept"
[ -s "$RUN/qemu.cmdline" ] && grep -q 'nvdimm,id=nv0' "$RUN/qemu.cmdline" || fail "qemu.cmdline missing or without the nvdimm"
[ "$(cat "$RUN/guest-exit")" = 0 ] || fail "guest exit status is '$(cat "$RUN/guest-exit" 2>/dev/null)'"
ok "guest exit status 0"

L=$RUN/lab.json
jq -e . "$L" >/dev/null || fail "lab.json is not JSON"
jq -e '.accel == "tcg" and (.accel_why | length > 0) and .mode == "timed" and .clock == "ns"' "$L" >/dev/null ||
	fail "lab.json accel/mode wrong: $(jq -c '{accel,accel_why,mode,clock}' "$L")"
jq -e '.pmem.profile == "nvdimm" and .pmem.size_mib == 4096 and (.qemu.cmdline | length > 10) and (.qemu.version | test("QEMU"))' "$L" >/dev/null ||
	fail "lab.json pmem/qemu record wrong"
jq -e '.outcome.status == "complete" and .outcome.guest_exit == 0 and .outcome.watchdog_fired == false' "$L" >/dev/null ||
	fail "lab.json outcome: $(jq -c .outcome "$L")"
ok "lab.json: $(jq -r '.accel + " (" + .accel_why + ")"' "$L")"
ok "lab.json: boot $(jq .outcome.seconds.boot "$L") s, pmem ready $(jq .outcome.seconds.pmem_ready "$L") s, total $(jq .outcome.seconds.total "$L") s"

P=.guest.pmem
jq -e "$P.fsdax.status == \"ok\" and ($P.fsdax.blockdev | test(\"^/dev/pmem\")) and $P.fsdax.mode == \"fsdax\" and $P.fsdax.map == \"mem\"" "$L" >/dev/null ||
	fail "no fsdax namespace: $(jq -c "$P.fsdax" "$L")"
jq -e "$P.fsdax.fs == \"xfs\" and ($P.fsdax.mkfs | test(\"su=2m\")) and ($P.fsdax.mount_options | test(\"dax\"))" "$L" >/dev/null ||
	fail "fsdax file system not xfs su=2m mounted with dax: $(jq -c "$P.fsdax" "$L")"
ok "fsdax: $(jq -r "$P.fsdax | .blockdev + \" \" + (.size|tostring) + \" B, \" + .fs + \", \" + .mount_options" "$L")"
jq -e "$P.devdax_2m.status == \"ok\" and ($P.devdax_2m.chardev | test(\"^/dev/dax\")) and $P.devdax_2m.align == 2097152" "$L" >/dev/null ||
	fail "no devdax 2M: $(jq -c "$P.devdax_2m" "$L")"
ok "devdax-2M: $(jq -r "$P.devdax_2m | .chardev + \" \" + (.size|tostring) + \" B\"" "$L")"
if jq -e '.guest.cpu_flags.pdpe1gb' "$L" >/dev/null; then
	jq -e "$P.devdax_1g.status == \"ok\" and $P.devdax_1g.align == 1073741824 and $P.devdax_1g.size >= 1073741824" "$L" >/dev/null ||
		fail "guest has pdpe1gb but no 1G devdax: $(jq -c "$P.devdax_1g" "$L")"
	ok "devdax-1G: $(jq -r "$P.devdax_1g | .chardev + \" \" + (.size|tostring) + \" B\"" "$L")"
else
	jq -e "$P.devdax_1g.status == \"unsupported: guest CPU lacks pdpe1gb\"" "$L" >/dev/null ||
		fail "1G devdax neither present nor recorded unsupported"
	ok "devdax-1G: unsupported: guest CPU lacks pdpe1gb"
fi
cmp -s <(jq -S . "$RUN/pmem.json") <(jq -S "$P" "$L") || fail "pmem.json and lab.json .guest.pmem differ"

if [ "$REAL" = 1 ]; then
	M=$RUN/run/meta.json
	jq -e '.status == "complete"' "$M" >/dev/null || fail "meta.json status: $(jq -r .status "$M" 2>/dev/null)"
	[ -s "$RUN/run/samples.jsonl" ] || fail "no samples"
	ok "refbench lab-smoke: meta.json complete, $(wc -l <"$RUN/run/samples.jsonl") samples"
	S=$RUN/run/samples.jsonl
	"$REPO/bench/refbench" validate "$RUN/run" >/dev/null || fail "refbench validate rejects the run"
	jq -se '[.[] | select(.type == "error")] | length == 0' "$S" >/dev/null || fail "error records in the run"
	# every kernel path x kind of the smoke suite produced verified samples
	# (hugetlb-1g, like devdax-1g, where the guest CPU has pdpe1gb)
	want1g=()
	! jq -e '.guest.cpu_flags.pdpe1gb' "$L" >/dev/null || want1g=(gup-fast:hugetlb-1g:get fault:hugetlb-1g:fault)
	for want in gup-fast:hugetlb-2m:get gup-fast:hugetlb-2m:put fault:hugetlb-2m:fault "${want1g[@]}" \
		    gup-fast:anon:get gup-fast:anon:put gup-fast:thp:get gup-fast:fsdax-pmd:get \
		    gup-fast:fsdax-pmd:put gup-fast:devdax-2m:get gup-fast:devdax-1g:get \
		    fault:anon:fault fault:thp:fault fault:fsdax-pte:fault fault:fsdax-pmd:fault \
		    fault:devdax-2m:fault fault:devdax-1g:fault fault:fsdax-pmd:munmap \
		    hmm-migrate:anon:to-dev hmm-migrate:anon:fault-back hmm-migrate:anon:to-sys \
		    hmm-migrate:thp:to-dev hmm-migrate:thp:fault-back hmm-migrate:thp:to-sys \
		    gup-user:fsdax-pmd:get gup-user:thp:dio-read \
		    fio-dio-daxbuf:fsdax-pmd:iops fio-devdax:devdax-2m:bw fio-mmap-fault:fsdax-pmd:fault; do
		IFS=: read -r c k m <<<"$want"
		jq -se --arg c "$c" --arg k "$k" --arg m "$m" '[.[] | select(.type == "sample" and .case == $c and
			.kind == $k and .metric == $m and .verify.ok and (.verify.checks | length > 0))] | length > 0' \
			"$S" >/dev/null || fail "no verified $c/$k/$m sample: $(jq -c --arg c "$c" --arg k "$k" \
			'select(.case == $c and .kind == $k) | {type, reason}' "$S" | head -3)"
	done
	ok "verified samples for gup-fast, fault (PTE, PMD, PUD), hmm-migrate and gup-user on every kind (hugetlb: boot args $(jq -r '.kernel.cmdline' "$L" | grep -o 'hugepage[^ ]*' | tr '\n' ' '))"
	# the claimed page sizes are proven by fault counts: fsdax PMD 2M, devdax PUD 1G
	jq -se '[.[] | select(.type == "sample" and .case == "fault" and .kind == "fsdax-pmd" and .metric == "fault")
		| .verify.checks[] | select(.what == "faults") | .expected == .observed and .expected == 2] | all and length > 0' \
		"$S" >/dev/null || fail "fsdax-pmd fault samples lack the 2 MiB fault-count proof"
	jq -se '[.[] | select(.type == "sample" and .case == "fault" and .kind == "devdax-1g" and .metric == "fault")
		| .verify.checks[] | select(.what == "faults") | .expected == 1 and .observed == 1] | all and length > 0' \
		"$S" >/dev/null || fail "devdax-1g fault samples lack the 1 GiB fault-count proof"
	jq -se '[.[] | select(.type == "sample" and .case == "fault" and .kind == "hugetlb-2m" and .metric == "fault")
		| .verify.checks[] | select(.what == "faults" or .what == "smaps") | .expected == .observed] | all and length > 0' \
		"$S" >/dev/null || fail "hugetlb-2m fault samples lack the 2 MiB fault-count and KernelPageSize proof"
	ok "fault counts prove PMD (fsdax, hugetlb-2m) and PUD (devdax) mappings"
	# fio: each sample names the fio run it came from; the job text is in meta.json
	jq -se '[.[] | select(.type == "sample" and (.case | startswith("fio-")))] | length > 0 and
		all(.[]; .verify.checks | any(.what == "fio" and .ok))' "$S" >/dev/null ||
		fail "fio samples without their fio check"
	jq -e '.tools.fio.version and ([.fio_jobs[] | .text | length > 0] | all and length > 0)' "$M" >/dev/null ||
		fail "meta.json lacks the fio version or job files"
	ok "fio cases verified; fio version and job files in meta.json"
	jq -e '.lab.accel == "tcg" and .counters.source and .kernel.config_sha256' "$M" >/dev/null ||
		fail "meta.json lacks lab accel, counter source or config hash"
	# the kernel as booted: 4 levels (the lab's default), Debian's preemption,
	# NR_CPUS of the minimal profile, and the paths its metrics cross
	jq -e '.kernel.pgtable_levels == 4 and (.kernel.preempt | startswith("dynamic(")) and
		.kernel.nr_cpus >= 64 and .kernel.profile == "minimal"' "$M" >/dev/null ||
		fail "meta.json kernel model: $(jq -c '.kernel | {pgtable_levels, preempt, nr_cpus, profile}' "$M")"
	jq -e '(.kernel_paths["gup-fast"].get | length > 0) and (.kernel_paths.fault.fault | length > 0) and
		(.kernel_paths["hmm-migrate"]["to-dev"] | index("migrate_vma_setup"))' "$M" >/dev/null ||
		fail "meta.json kernel_paths: $(jq -c '.kernel_paths_source' "$M")"
	ok "kernel $(jq -r '.kernel.release + ": " + (.kernel.pgtable_levels|tostring) + " levels, " + .kernel.preempt + ", NR_CPUS " + (.kernel.nr_cpus|tostring)' "$M"); kernel_paths from $(jq -r .kernel_paths_source "$M")"
else
	grep -q '^fsdax /dev/pmem' "$RUN/devices.txt" && grep -c '^devdax /dev/dax' "$RUN/devices.txt" | grep -q 2 ||
		fail "stand-in did not see the devices: $(cat "$RUN/devices.txt" 2>/dev/null)"
	ok "stand-in guest command saw: $(tr '\n' ';' <"$RUN/devices.txt")"
fi
echo "# lab boot ($(($(date +%s) - T0)) s)"
