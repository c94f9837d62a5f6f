# SPDX-License-Identifier: GPL-2.0
# The guest side of tools/stress/run; sourced by lib/guest-init inside the UML guest. Makes a
# btrfs of STRESS_FS_SIZE on dm-flakey over /dev/ubda, runs the stress program on it for
# STRESS_SECONDS with seed STRESS_SEED (its record of what the files must hold in guest
# memory), cuts the power, and checks every byte against that record. Judges nothing itself:
# the host reads what it leaves in GUEST_RW: started, run.out and run.rc (the run: setup,
# fill, threads, fsync of every file, read-back), ops.log (every call of every thread with
# its result), check.out and check.rc (after the power cut), failures (the harness's own
# steps that failed), and, from lib/guest-init, dmesg and done.

DEV=/dev/mapper/stress
MNT=$GUEST_RW/mnt
RECORD=/tmp/stress.record

# must CMD...: a step of the harness itself; if it fails, record why and return 1.
must() {
	local out

	out=$("$@" 2>&1) && return 0
	echo "$*: ${out:-exit status $?}" >>"$GUEST_RW/failures"
	return 1
}

. "$(dirname "${BASH_SOURCE[0]}")/../../lib/guest-flakey.sh"

stress_main() {
	echo "$EPOCHREALTIME" >"$GUEST_RW/started"
	# The flusher runs beside the threads too: every 0.5 s, data dirty for 1 s.
	echo 50 >/proc/sys/vm/dirty_writeback_centisecs
	echo 100 >/proc/sys/vm/dirty_expire_centisecs
	# drop_caches logs every call of the syncer's, unless told not to.
	echo 4 >/proc/sys/vm/drop_caches
	if must dmsetup create stress --table "$(flakey_table)" &&
		must mkfs.btrfs -q -f -K -b "$STRESS_FS_SIZE" "$DEV" &&
		must mkdir -p "$MNT" && must mount "$DEV" "$MNT"; then
		stress run "$MNT" "$STRESS_SEED" "$STRESS_SECONDS" "$RECORD" "$GUEST_RW/ops.log" \
			>"$GUEST_RW/run.out" 2>&1
		echo $? >"$GUEST_RW/run.rc"
		echo "stress: $EPOCHREALTIME power cut" >/dev/kmsg
		if power_cut stress; then
			stress check "$MNT" "$RECORD" >"$GUEST_RW/check.out" 2>&1
			echo $? >"$GUEST_RW/check.rc"
		fi
	fi
	mountpoint -q "$MNT" && must umount "$MNT"
	dmsetup info stress >/dev/null 2>&1 && must dmsetup remove stress
}
