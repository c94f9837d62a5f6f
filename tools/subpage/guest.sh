# SPDX-License-Identifier: GPL-2.0
# Sourced by tools/subpage/guest-init in the arm64 guests: what makes a btrfs there subpage,
# and the check of it.

# The sector size of every btrfs the guests make: below the page size (64 or 16 KiB).
SECTORSIZE=4096

# subpage_is MNT: whether the btrfs mounted on MNT has SECTORSIZE sectors, below the page
# size; if not, says so on stderr.
subpage_is() {
	local page sector

	page=$(getconf PAGESIZE)
	sector=$(stat -f -c %S "$1")
	echo "guest: page size $page, btrfs sector size $sector"
	[ "$sector" = "$SECTORSIZE" ] && [ "$sector" -lt "$page" ] && return 0
	echo "not subpage: btrfs sector size $sector, page size $page" >&2
	return 1
}

# subpage_check MNT: fail the run unless the btrfs mounted on MNT is subpage.
subpage_check() {
	local why

	why=$(subpage_is "$1" 2>&1 >/dev/null) || fail "$why"
}

# smoke: a btrfs with SECTORSIZE sectors on /dev/vda, mounted; a 1 MiB write, fsynced, reads
# back the same after a remount.
smoke() {
	local mnt=$GUEST_RW/mnt out sum

	out=$(mkfs.btrfs -f -s "$SECTORSIZE" /dev/vda 2>&1) || fail "mkfs.btrfs -s $SECTORSIZE /dev/vda: $out"
	echo "$out" | grep -i -E 'sector ?size|node ?size'
	mkdir -p "$mnt"
	mount /dev/vda "$mnt" || fail "mount /dev/vda failed"
	subpage_check "$mnt"
	out=$(xfs_io -f -c "pwrite -S 0x5a 4k 1m" -c fsync "$mnt/file" 2>&1) || fail "xfs_io pwrite: $out"
	sum=$(md5sum <"$mnt/file")
	umount "$mnt" || fail "umount failed"
	mount /dev/vda "$mnt" || fail "mount /dev/vda failed again"
	[ "$(md5sum <"$mnt/file")" = "$sum" ] || fail "the file changed across a remount"
	echo "guest: smoke passed"
}
