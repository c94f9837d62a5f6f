# SPDX-License-Identifier: GPL-2.0
# Sourced after tools/fuzz/guest.sh and tools/subpage/guest.sh in the arm64 guests of
# tools/fuzz/run --pages: the fuzz cases, unchanged, on a btrfs with 4 KiB sectors below the
# page size.

# The cases' dm-flakey sits on the disk as UML calls it.
ln -sf vda /dev/ubda

# mkfs.btrfs makes SECTORSIZE sectors: btrfs-progs 6.2 makes them as large as the page.
mkfs.btrfs() {
	command mkfs.btrfs -s "$SECTORSIZE" "$@"
}

# Each mount of a case's filesystem (after mkfs, and after the power cut) fails unless the
# filesystem is subpage: the case then fails with the reason (must, in tools/fuzz/guest.sh),
# and cannot silently stop testing subpage.
mount() {
	command mount "$@" || return
	[ "${*: -1}" != "$MNT" ] || subpage_is "$MNT" >>"$CASE/log"
}
