# A NODATACOW file (chattr +C) with regular extents, no preallocation: with the filesystem
# full, a buffered overwrite goes NOCOW without a reservation; then one block of the same
# extent is cloned into another file.
# proof: fails on 1-no-flush
scenario() {
	make_fs
	run touch "$MNT/file1" "$MNT/file2"
	# Both NODATACOW: a clone cannot mix checksummed and unchecksummed data.
	run chattr +C "$MNT/file1" "$MNT/file2"
	write_pattern "$MNT/file1" 0 4m 40
	sync
	fill_fs
	write_pattern "$MNT/file1" 1m 1m 41
	run e2e-io clone "$MNT/file1" 0 "$MNT/file2" 0 4k
	run e2e-io fsync "$MNT/file1"
	run e2e-io fsync "$MNT/file2"
	power_cut
	# The overwrite replaced the first pattern in [1m, 2m).
	run e2e-io verify "$MNT/file1" 0 1m 40
	run e2e-io verify "$MNT/file1" 1m 1m 41
	run e2e-io verify "$MNT/file1" 2m 2m 40
	run e2e-io same "$MNT/file1" 0 "$MNT/file2" 0 4k
}
