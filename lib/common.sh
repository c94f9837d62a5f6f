# SPDX-License-Identifier: GPL-2.0
# Shared by the scripts in tools/: paths, messages, timing and failure handling.
# Source it; it sets no shell options of its own, but traps INT, TERM and HUP (on_signal).

# Physical paths: the UML guests look them up in the host's / themselves, symlinks and all.
REPO=${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)}
BUILD=$(realpath -m "${BUILD:-$REPO/build}")
TREE=${TREE:-$BUILD/linux}
SOURCE_PKG=linux-source-6.12
SOURCE_TARBALL=/usr/src/$SOURCE_PKG.tar.xz
PRISTINE_TAG=pristine
SERIES=$REPO/patches/series

# The committer of the commits the workbench makes in kernel trees.
GIT_ID=(-c user.name="btrfs KUnit workbench" -c user.email="workbench@localhost"
	-c core.autocrlf=false -c advice.detachedHead=false)

# Kernel messages that mean btrfs, or the kernel, got into trouble: btrfs's errors and
# assertions, WARN and BUG (KASAN's reports start "BUG: KASAN:"; lockdep's "WARNING:", as
# "WARNING: possible circular locking dependency detected", and one that starts "INFO:"),
# a sleep in atomic context ("BUG: sleeping function called from invalid context"), a
# corrupted stack end, a panic, and the delalloc failures of a lost NOCOW write.
KERNEL_TROUBLE='BTRFS (error|critical)|WARNING:|BUG:|BUG at|Oops|Call Trace|assertion failed'
KERNEL_TROUBLE+='|KASAN:|UBSAN:|possible circular locking|possible recursive locking'
KERNEL_TROUBLE+='|inconsistent lock state|INFO: trying to register non-static key'
KERNEL_TROUBLE+='|turning off the locking correctness validator|corrupted stack end|Kernel panic'
KERNEL_TROUBLE+='|failed to run delalloc|cow_file_range failed|run_delalloc_nocow failed'

# kernel_trouble DMESG: the first three lines of KERNEL_TROUBLE in the kernel log DMESG of a
# guest, from the guest's start on ("guest: start of", lib/guest-init): what the boot itself
# logs belongs to no scenario or workload.
kernel_trouble() {
	sed -n '/guest: start of/,$p' "$1" | grep -E -m3 "$KERNEL_TROUBLE"
}

_t0=$(date +%s)

# step MESSAGE: announce a step of the current job.
step() {
	printf '==> %s\n' "$*"
}

# info MESSAGE: a detail under the current step.
info() {
	printf '    %s\n' "$*"
}

# die MESSAGE [HINT]: one clear line on what failed, one on what to do, exit 1.
die() {
	printf 'error: %s\n' "$1" >&2
	[ -n "${2:-}" ] && printf 'hint: %s\n' "$2" >&2
	exit 1
}

# elapsed: seconds since the script started.
elapsed() {
	echo $(($(date +%s) - _t0))
}

# timed NAME CMD...: run CMD, then report how long NAME took.
timed() {
	local name=$1 start rc
	shift
	start=$(date +%s)
	"$@"
	rc=$?
	info "$name took $(($(date +%s) - start)) s"
	return $rc
}

# merge_fragments FRAGMENT...: the options that the Kconfig fragments set, one a line, as
# kunit.py reads them: "# CONFIG_X is not set" is an option too, CONFIG_X=n, and an option
# set twice takes its last value (a later fragment wins, as in kunit.py's merge).
merge_fragments() {
	cat "$@" | sed -E -e 's/^# (CONFIG_[A-Za-z0-9_]+) is not set$/\1=n/' -e 's/#.*//' \
		-e '/^[[:space:]]*$/d' |
		awk -F= '!($1 in v) { k[++n] = $1 } { v[$1] = $0 }
			END { for (i = 1; i <= n; i++) print v[k[i]] }'
}

# need_tree: fail unless the kernel tree was prepared.
need_tree() {
	[ -d "$TREE/.git" ] && git -C "$TREE" rev-parse -q --verify "refs/tags/$PRISTINE_TAG" >/dev/null ||
		die "no prepared kernel tree at $TREE" "run 'make prepare' first"
}

# kernel_version DIR: VERSION.PATCHLEVEL.SUBLEVEL of the kernel source in DIR.
kernel_version() {
	awk -F' *= *' '/^VERSION/ {v=$2} /^PATCHLEVEL/ {p=$2} /^SUBLEVEL/ {s=$2}
		/^EXTRAVERSION/ {print v "." p "." s $2; exit}' "$1/Makefile"
}

# series_patches: the patch file names of patches/series, in order.
series_patches() {
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$SERIES" | awk '{print $1}'
}

# series_new_files PATCH: the new kernel files that PATCH's commit adds.
series_new_files() {
	sed -e 's/#.*//' "$SERIES" | awk -v p="$1" '$1 == p {for (i = 2; i <= NF; i++) print $i}'
}

# jobs: parallel make jobs for this machine.
jobs() {
	nproc 2>/dev/null || echo 2
}

# bounded SECONDS COMMAND...: run COMMAND, and if it still runs after SECONDS, INT it and
# all it started (kunit.py stops its UML on INT, not on TERM), then KILL them 5 s later;
# returns COMMAND's exit status (124 after a timeout). timeout(1) puts COMMAND in a process
# group of its own, which a Ctrl-C at the terminal does not reach: so bounded records each
# timeout in $BUILD/.bounded while it runs, and an INT, TERM or HUP to the script stops them
# (on_signal). Else an interrupted run would leave its guests and builds running until their
# timeout, writing on into the run directories of the next run. A record is "PID STARTTIME"
# (a PID is used again one day), written before timeout starts: the subshell that writes it
# execs timeout, which keeps its PID and start time.
bounded() {
	local secs=$1 pid rc f

	shift
	mkdir -p "$BUILD/.bounded"
	# Records of scripts that died without stop_bounded (a KILL, a reboot) go.
	for f in "$BUILD/.bounded"/*; do
		[ -s "$f" ] && ! proc_is "$(cat "$f" 2>/dev/null)" && rm -f "$f"
	done
	(
		me=$BASHPID
		read -r _ start < <(proc_state "$me")
		echo "$me $start" >"$BUILD/.bounded/.new.$me" &&
			mv "$BUILD/.bounded/.new.$me" "$BUILD/.bounded/$$.$me"
		exec timeout -s INT --kill-after=5 "$secs" "$@"
	) &
	pid=$!
	wait "$pid"
	rc=$?
	rm -f "$BUILD/.bounded/$$.$pid"
	return $rc
}

# proc_state PID: "STATE STARTTIME" of process PID (fields 3 and 22 of /proc/PID/stat; the
# start time in clock ticks since boot); fails if there is no such process.
proc_state() {
	local stat f

	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	read -r -a f <<<"${stat##*) }"
	echo "${f[0]} ${f[19]}"
}

# proc_is "PID STARTTIME": PID is still the process recorded, and not a zombie (timeout(1)
# ends only after what it ran: a zombie timeout waiting to be reaped is done).
proc_is() {
	local pid start state now

	read -r pid start <<<"$1"
	[ -n "$start" ] && read -r state now < <(proc_state "$pid") &&
		[ "$state" != Z ] && [ "$now" = "$start" ]
}

# stop_bounded: stop every timeout that bounded runs for this script (its subshells
# included), and what they run: an INT first (timeout passes it on; kunit.py stops its UML
# on INT, not on TERM, and UML runs in a session of its own), the KILL of timeout's own
# --kill-after 5 s later, and a KILL from here after 10 s. Prints what it stopped.
stop_bounded() {
	local f rec recs=() running _

	for f in "$BUILD/.bounded/$$".*; do
		[ -e "$f" ] || continue
		rec=$(cat "$f" 2>/dev/null)
		if proc_is "$rec"; then
			recs+=("$rec")
		else
			rm -f "$f"
		fi
	done
	[ ${#recs[@]} -gt 0 ] || return 0
	printf 'interrupted: stopping the %s guest(s) or build(s) that %s is running\n' \
		"${#recs[@]}" "${0#"$REPO"/}" >&2
	for rec in "${recs[@]}"; do
		# Not yet a process group of its own: the subshell that is to exec timeout.
		kill -INT -- "-${rec%% *}" 2>/dev/null || kill -TERM "${rec%% *}" 2>/dev/null
	done
	for _ in $(seq 50); do
		running=0
		for rec in "${recs[@]}"; do
			proc_is "$rec" && running=1
		done
		[ "$running" = 1 ] || break
		sleep 0.2
	done
	for rec in "${recs[@]}"; do
		proc_is "$rec" && kill -KILL -- "-${rec%% *}" 2>/dev/null
		rm -f "$BUILD/.bounded/$$.${rec%% *}"
	done
}

# on_signal SIG: TERM the script's background jobs (not what they run in the foreground:
# that stops with them only if it is bounded), stop what bounded runs, run the script's
# EXIT trap, then die of SIG, so that the caller (make, a shell) sees the signal and stops
# too. SIGPIPE is ignored from here on: under make test the stage's tee may be gone already.
# The EXIT trap runs with $? at 128 + the signal's number, as bash would run it; it should
# not call exit (the script would exit instead of dying of SIG). INT, TERM and HUP are
# ignored until then: make passes a TERM on to its children, so a TERM to the process group
# of make reaches the script twice.
on_signal() {
	local _sig=$1 _exit_trap _pids

	trap '' PIPE INT TERM HUP
	_pids=$(builtin jobs -p)
	# shellcheck disable=SC2086 # one PID a word
	[ -z "$_pids" ] || kill -TERM $_pids 2>/dev/null
	stop_bounded
	# trap -p prints: trap -- 'COMMAND' EXIT
	_exit_trap=$(trap -p EXIT)
	trap - EXIT
	if [ -n "$_exit_trap" ]; then
		eval "set -- ${_exit_trap#trap -- }"
		(exit $((128 + $(kill -l "$_sig"))))
		eval "$1"
	fi
	trap - "$_sig"
	kill -s "$_sig" $$
}
trap 'on_signal INT' INT
trap 'on_signal TERM' TERM
trap 'on_signal HUP' HUP

# PRIVATE_NS COMMAND...: runs COMMAND in a mount namespace of its own, where it may mount.
# Root needs no more; anyone else needs user namespaces.
PRIVATE_NS=(unshare --mount --propagation private)
[ "$(id -u)" = 0 ] || PRIVATE_NS=(unshare --user --map-root-user --mount --propagation private)
# CONFINE DIR COMMAND...: runs COMMAND in a mount namespace of its own where every host
# filesystem is read-only but DIR (see lib/confine).
CONFINE=("${PRIVATE_NS[@]}" "$REPO/lib/confine")

# compile_tool OUT CC ARG...: compile a tool of the guests with CC ARG... -o into a file of
# its own beside OUT, then rename it to OUT unless OUT is the same already: a guest that runs
# OUT keeps the file it started, and two runs that compile at once never write into one file.
compile_tool() {
	local out=$1 cc=$2 tmp

	shift 2
	tmp=$(dirname "$out")/.$(basename "$out").$BASHPID
	if ! "$cc" "$@" -o "$tmp"; then
		rm -f "$tmp"
		return 1
	fi
	if cmp -s "$tmp" "$out"; then
		rm -f "$tmp"
	else
		mv -f "$tmp" "$out"
	fi
}

# need_confine DIR: fail unless CONFINE works here, with DIR (under $BUILD) writable.
need_confine() {
	local err hint="run as root, or allow user namespaces"

	hint+=" (sysctl kernel.unprivileged_userns_clone=1): tools/e2e/README.md"
	mkdir -p "$1"
	err=$("${CONFINE[@]}" "$1" true 2>&1) ||
		die "cannot run the guests with only their run directory writable: ${err:-unshare failed}" \
			"$hint"
}

# boot_guest KERNEL DIR SECONDS ARG...: boot the UML KERNEL with the host's / as its
# read-only root and lib/guest-init as PID 1; DIR, under $BUILD, is the only host directory
# the guest can write (see lib/guest-init), and the only one UML itself can write (see
# CONFINE). The guest sees the repository and $BUILD wherever they are, also below the
# directories it mounts a tmpfs on (/tmp, /run, /var/tmp...). ARGs add kernel parameters:
# mem=, disks (ubdN=FILE) and guest-init's GUEST_BIN, GUEST_SOURCE and GUEST_MAIN, and any
# variable the guest's scripts read. The console goes to DIR/console.log; a guest still
# running after SECONDS is killed. Returns the kernel's exit status (124 after a timeout,
# 125 if it could not be confined).
boot_guest() {
	local kernel=$1 dir=$2 secs=$3

	shift 3
	mkdir -p "$dir/uml"
	TMPDIR=$dir bounded "$secs" "${CONFINE[@]}" "$dir" "$kernel" root=/dev/root \
		rootfstype=hostfs rootflags=/ ro init="$REPO/lib/guest-init" con=null \
		con0=fd:0,fd:1 kunit.enable=0 uml_dir="$dir/uml" GUEST_RW="$dir" GUEST_RO="$REPO:$BUILD" \
		"$@" </dev/null >"$dir/console.log" 2>&1
}

# kunit_kernel: build the project's UML kernel (.kunitconfig) with kunit.py in
# $BUILD/kunit, incrementally, as 'make kunit' does, and print the path of the binary. The
# KUnit suites, the end-to-end scenarios and the proof's fixed kernel all run this one build.
# KUNIT_KERNEL_BUILT=1 says that it was just built from the tree as it is (tools/test sets it
# after its KUnit stage): then kbuild's pass over the whole tree is skipped.
kunit_kernel() {
	if [ "${KUNIT_KERNEL_BUILT:-}" != 1 ] || [ ! -x "$BUILD/kunit/linux" ]; then
		"$REPO/tools/kunit" --build-only >&2 || return 1
	fi
	echo "$BUILD/kunit/linux"
}

# e2e_identity KERNEL: what the results of every end-to-end scenario on KERNEL depend on:
# the kernel binary, the scenarios, what the guest runs them with, and how the runner
# judges them.
e2e_identity() {
	{
		sha1sum <"$1"
		cat "$REPO"/tools/e2e/run "$REPO"/lib/common.sh "$REPO"/tools/e2e/lib.sh "$REPO"/tools/e2e/e2e-io.c "$REPO"/tools/e2e/scenarios/*.sh \
			"$REPO"/lib/guest-init "$REPO"/lib/remap-io.h | sha1sum
	} | sha1sum | cut -c1-40
}

# guest_lost DIR: what the guest booted in DIR said it could not see, if it said so (see
# lost() in lib/guest-init).
guest_lost() {
	grep -a -m1 -o 'guest: cannot see .*' "$1/console.log" 2>/dev/null | tr -d '\r' | sed 's/^guest: //'
}

# check_location: fail unless the UML kernel command line can carry the paths of this
# repository and of the build directory. boot_guest puts them there (init=, ubd0=, uml_dir=,
# GUEST_*): whitespace or a '"' would split or quote the line, a ',' or ':' splits ubd's
# file names and guest-init's lists, and a '\' is an escape in mount options.
check_location() {
	local p

	for p in "$REPO" "$BUILD"; do
		case $p in
		*[[:space:][:cntrl:]\",:\\]*)
			die "the path '$p' has a character the UML kernel command line cannot carry" \
				"clone the repository to a path without whitespace, quotes, commas, colons or backslashes"
			;;
		esac
	done
}
check_location
