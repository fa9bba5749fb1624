# scripts/lib.sh: what the refbench scripts share. Sourced (after set -eu)
# by scripts/*, kernels/build and the lab tests; in a lab guest too, so it
# runs nothing when sourced (every exec costs a TCG guest 0.1-0.8 s).
#
#   REPO         the repository (this file's parent's parent)
#   RB_CACHE     the cache directory, as the Makefile sets it: $RB_CACHE,
#                else $REFBENCH_CACHE, else ~/.cache/refbench
#   RB_PROG      what messages start with (set it before sourcing; default:
#                the script's file name)
#   say, warn, die [CODE] MSG       messages on stderr; die exits CODE (1)
#   rb_run_id LABEL                 a new result directory's name
#   rb_cpuinfo FIELD, rb_cpu_has FLAG   the first CPU of /proc/cpuinfo
#   rb_pool JOBS DIR FN ARG...      FN ARG for each ARG, JOBS at a time
#   rb_extract_tree TARBALL DEST    a kernel source tarball, extracted once
#   rb_wait PID WHAT                wait for PID, saying WHAT every 10 s

REPO=$(cd "${BASH_SOURCE[0]%/*}/.." && pwd -P)
RB_CACHE=${RB_CACHE:-${REFBENCH_CACHE:-$HOME/.cache/refbench}}
RB_PROG=${RB_PROG:-${0##*/}}

say() { echo "$RB_PROG: $*" >&2; }
# hms SECONDS: a duration as the progress lines give it, "45s" or "1m05s"
hms() { local s=$1; if [ "$s" -ge 60 ]; then printf '%dm%02ds' $((s / 60)) $((s % 60)); else printf '%ds' "$s"; fi; }
warn() { echo "$RB_PROG: warning: $*" >&2; }
die() {
	local rc=1
	case ${1-} in [0-9] | [0-9][0-9] | [0-9][0-9][0-9]) rc=$1; shift ;; esac
	echo "$RB_PROG: error: $*" >&2
	exit "$rc"
}

# rb_run_id LABEL: YYYYmmdd-HHMMSS-LABEL-XXXX (UTC, 4 random hex digits),
# the form refbench gives its run and comparison directories too
rb_run_id() {
	printf '%s-%s-%s\n' "$(date -u +%Y%m%d-%H%M%S)" "$1" "$(od -An -N2 -tx1 /dev/urandom | tr -d ' \n')"
}

# rb_cpuinfo FIELD [VAR]: the value of FIELD ("flags", "model name") for
# the first CPU, as refbench reads it (lib/sysfacts.c); printed, or put in
# VAR (no subshell: builtins only)
rb_cpuinfo() {
	local k v
	while IFS=: read -r k v; do
		case $k in
		"$1"[[:space:]]* | "$1")
			if [ $# -ge 2 ]; then printf -v "$2" '%s' "${v# }"; else echo "${v# }"; fi
			return 0 ;;
		esac
	done </proc/cpuinfo
	return 1
}
# rb_cpu_has FLAG: is FLAG one of its flags (a whole word)? Read once.
rb_cpu_has() {
	[ -n "${RB_CPU_FLAGS+set}" ] || rb_cpuinfo flags RB_CPU_FLAGS || RB_CPU_FLAGS=''
	[[ " $RB_CPU_FLAGS " == *" $1 "* ]]
}

# rb_pool JOBS DIR FN ARG...: run "FN ARG" for every ARG, at most JOBS at
# once, and wait for all; the I-th one's stdout, stderr and exit status go
# to DIR/I.out, DIR/I.err and DIR/I.rc. Deterministic lab boots run side by
# side this way (their counts do not depend on the host's load).
rb_pool() {
	local jobs=$1 dir=$2 fn=$3 i=0 a
	shift 3
	for a in "$@"; do
		while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
		# FN in a subshell of its own: a set -e in it must not stop the
		# status from being written
		( set +e; ("$fn" "$a") >"$dir/$i.out" 2>"$dir/$i.err"; echo $? >"$dir/$i.rc" ) &
		i=$((i + 1))
	done
	wait
}

# rb_wait PID WHAT: wait for the background job PID and return its status,
# saying "WHAT (elapsed)" every RB_PROGRESS_INTERVAL (10) seconds while it
# runs, so that no long step leaves the screen silent
rb_wait() {
	local pid=$1 what=$2 t0=$SECONDS iv=${RB_PROGRESS_INTERVAL:-10} next s rc=0
	case $iv in '' | *[!0-9]* | 0) iv=10 ;; esac
	next=$((SECONDS + iv))
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		if [ "$SECONDS" -ge "$next" ] && kill -0 "$pid" 2>/dev/null; then
			s=$((SECONDS - t0))
			say "$what ($(hms "$s"))"
			next=$((SECONDS + iv))
		fi
	done
	wait "$pid" || rc=$?
	return "$rc"
}

# rb_extract_tree TARBALL DEST: extract a kernel source tarball (any
# compression tar knows) into a temporary directory beside DEST and move
# its tree (its one top directory, or all of it) to DEST. Refuses what is
# not a kernel tree; DEST must not exist.
rb_extract_tree() {
	local tb=$1 dest=$2 tmp top
	tmp=$(mktemp -d "$(dirname "$dest")/.extract.XXXXXX")
	if ! tar -C "$tmp" -xf "$tb"; then
		rm -rf "$tmp"
		die "extracting $tb failed (disk full?)"
	fi
	top=$(find "$tmp" -mindepth 1 -maxdepth 1)
	if [ "$(printf '%s\n' "$top" | wc -l)" != 1 ] || [ ! -d "$top" ]; then top=$tmp; fi
	if [ ! -f "$top/Makefile" ] || [ ! -f "$top/Kconfig" ] || [ ! -f "$top/scripts/kconfig/merge_config.sh" ]; then
		rm -rf "$tmp"
		die "$tb is not a kernel source tarball (no Makefile, Kconfig and scripts/kconfig at its top)"
	fi
	mv -T "$top" "$dest"
	rm -rf "$tmp"
}
