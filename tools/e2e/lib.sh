# SPDX-License-Identifier: GPL-2.0
# Helpers for the end-to-end scenarios; sourced by lib/guest-init inside the UML guest.
# A scenario defines scenario() and uses these; the first failed step ends it.

DEV=/dev/mapper/e2e
MNT=$E2E_OUT/mnt
WRITTEN=/tmp/written

# run CMD...: run a step; if it fails (or prints an error), fail with its output.
run() {
	local out
	out=$("$@" 2>&1) || fail "$(basename "$1") ${*:2}: ${out:-exit status $?}"
	case $out in
	*"No space left"* | *"Input/output error"* | *"error"*) fail "$(basename "$1") ${*:2}: $out" ;;
	esac
	[ -n "$out" ] && echo "$out"
	return 0
}

# make_fs: a 512 MiB btrfs on dm-flakey over /dev/ubda, mounted on $MNT.
make_fs() {
	local sectors
	sectors=$(blockdev --getsz /dev/ubda) || fail "no /dev/ubda"
	run dmsetup create e2e --table "0 $sectors flakey /dev/ubda 0 180 0"
	run mkfs.btrfs -q -f -b 512M "$DEV"
	mkdir -p "$MNT"
	run mount "$DEV" "$MNT"
}

# fill_fs: use up all data space with a padding file.
fill_fs() {
	run e2e-io fill "$MNT/padding"
	sync
	local df
	df=$(btrfs filesystem df "$MNT" | grep '^Data')
	echo "after fill: $df"
}

# write_pattern FILE OFFSET LEN SEED: a buffered write, remembered for verify_written.
write_pattern() {
	run e2e-io write "$@"
	echo "$*" >>"$WRITTEN"
}

# power_cut: drop every write from now on (as a power cut would), unmount, then mount
# again: only what was made durable (fsync, transaction commits) is still there.
power_cut() {
	local sectors
	sectors=$(blockdev --getsz /dev/ubda)
	run dmsetup suspend e2e
	run dmsetup load e2e --table "0 $sectors flakey /dev/ubda 0 0 180 1 drop_writes"
	run dmsetup resume e2e
	run umount "$MNT"
	run dmsetup suspend e2e
	run dmsetup load e2e --table "0 $sectors linear /dev/ubda 0"
	run dmsetup resume e2e
	run mount "$DEV" "$MNT"
}

# verify_written: every byte written with write_pattern reads back as written.
verify_written() {
	local f o l s
	while read -r f o l s; do
		run e2e-io verify "$f" "$o" "$l" "$s"
	done <"$WRITTEN"
}
