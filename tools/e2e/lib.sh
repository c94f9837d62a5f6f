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

# The device under dm-flakey: the disk, or with make_fs delay a dm-delay device over it.
LOWER=/dev/ubda

# make_fs [delay]: a 512 MiB btrfs on dm-flakey over /dev/ubda, mounted on $MNT. With delay,
# dm-delay sits between them (e2e-delay, no delay until write_delay sets one).
make_fs() {
	local sectors
	sectors=$(blockdev --getsz /dev/ubda) || fail "no /dev/ubda"
	if [ "${1:-}" = delay ]; then
		run dmsetup create e2e-delay --table "0 $sectors delay /dev/ubda 0 0"
		LOWER=/dev/mapper/e2e-delay
	fi
	run dmsetup create e2e --table "0 $sectors flakey $LOWER 0 180 0"
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

# write_delay MS: from now on each write and flush of the filesystem's IO takes MS ms in
# dm-delay, reads none (make_fs delay).
write_delay() {
	local sectors
	sectors=$(blockdev --getsz /dev/ubda)
	run dmsetup suspend e2e-delay
	run dmsetup load e2e-delay --table "0 $sectors delay /dev/ubda 0 0 /dev/ubda 0 $1"
	run dmsetup resume e2e-delay
}

# power_cut: drop every write from now on (as a power cut would), unmount, then mount
# again: only what was made durable (fsync, transaction commits) is still there.
power_cut() {
	local sectors
	sectors=$(blockdev --getsz /dev/ubda)
	run dmsetup suspend e2e
	run dmsetup load e2e --table "0 $sectors flakey $LOWER 0 0 180 1 drop_writes"
	run dmsetup resume e2e
	run umount "$MNT"
	run dmsetup suspend e2e
	run dmsetup load e2e --table "0 $sectors linear $LOWER 0"
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

# bytes SIZE: SIZE (with a k, m or g suffix) in bytes.
bytes() {
	local n=${1%[kmg]}

	case $1 in
	*k) echo $((n << 10)) ;;
	*m) echo $((n << 20)) ;;
	*g) echo $((n << 30)) ;;
	*) echo $(($1)) ;;
	esac
}

# disk_extent FILE OFFSET TYPE: fail unless the file extent item over OFFSET of FILE, in
# the tree last committed to disk (sync first), is of TYPE (regular or prealloc); set
# DISK_BYTENR and DISK_LEN to the disk extent it points to.
disk_extent() {
	local ino off item

	ino=$(stat -c %i "$1") || fail "no $1"
	off=$(bytes "$2")
	run blockdev --flushbufs "$DEV"
	# An item: "item N key (INO EXTENT_DATA OFFSET) ...", "generation G type T (NAME)",
	# "(extent|prealloc) data disk byte BYTENR nr LEN", "... data offset O nr LEN ...".
	item=$(btrfs inspect-internal dump-tree -t 5 "$DEV" 2>/dev/null | awk -v ino="$ino" -v off="$off" '
		$1 == "item" { key = ($4 == "(" ino && $5 == "EXTENT_DATA") ? $6 + 0 : -1; next }
		key < 0 { next }
		/ data disk byte / { type = $1 == "prealloc" ? "prealloc" : "regular"; b = $5; l = $7 }
		/ data offset / && off >= key && off < key + $6 { print type, b, l; exit }')
	[ -n "$item" ] || fail "layout: no file extent item over $2 of $1 on disk"
	read -r type DISK_BYTENR DISK_LEN <<<"$item"
	[ "$type" = "$3" ] ||
		fail "layout: the item over $2 of $1 is $type (disk extent $DISK_BYTENR, $DISK_LEN bytes), not $3"
	echo "layout: $1 at $2: $type item, disk extent $DISK_BYTENR, $DISK_LEN bytes"
}

# expect_block FILE OFFSET STATE [in-extent]: fail unless the block at OFFSET of FILE is
# STATE now (written, unwritten or delalloc, as FIEMAP without sync tells, which writes
# nothing back); with in-extent, unless its data also lies in the disk extent that the
# last disk_extent found.
expect_block() {
	local got state phys

	got=$(e2e-io map "$1" "$2" 2>&1) || fail "e2e-io map $1 $2: $got"
	read -r state phys <<<"$got"
	[ "$state" = "$3" ] || fail "layout: the block at $2 of $1 is $got, not $3"
	if [ "${4:-}" = in-extent ] &&
		! { [ "$phys" -ge "$DISK_BYTENR" ] && [ "$phys" -lt $((DISK_BYTENR + DISK_LEN)) ]; }; then
		fail "layout: the block at $2 of $1 is at $phys, outside the disk extent $DISK_BYTENR ($DISK_LEN bytes)"
	fi
	echo "layout: $1 at $2: $got"
}
