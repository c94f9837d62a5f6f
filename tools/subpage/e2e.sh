# SPDX-License-Identifier: GPL-2.0
# Sourced after tools/e2e/lib.sh and tools/subpage/guest.sh in the arm64 guests: the
# end-to-end scenarios, unchanged, on a btrfs with 4 KiB sectors below the page size.

# The scenarios name their disk as UML calls it.
ln -sf vda /dev/ubda

# mkfs.btrfs makes SECTORSIZE sectors: btrfs-progs 6.2 makes them as large as the page.
mkfs.btrfs() {
	command mkfs.btrfs -s "$SECTORSIZE" "$@"
}

# make_fs of tools/e2e/lib.sh, then the check that the filesystem is subpage: a scenario
# cannot silently stop testing it.
eval "e2e_make_fs() $(declare -f make_fs | sed 1d)"
make_fs() {
	e2e_make_fs "$@"
	subpage_check "$MNT"
}
