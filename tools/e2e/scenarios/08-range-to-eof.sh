# A clone whose range ends at an unaligned EOF (the last block is shared whole); the
# unreserved dirty data lies in the same preallocated extent, before the range.
# proof: fails on 1-no-flush
scenario() {
	make_fs
	run xfs_io -f -c "falloc 0 8m" -c "truncate 8388508" "$MNT/file1"
	run touch "$MNT/file2"
	fill_fs
	write_pattern "$MNT/file1" 1m 1m 8
	run e2e-io clone "$MNT/file1" 4m "$MNT/file2" 0 4194204
	run e2e-io fsync "$MNT/file1"
	run e2e-io fsync "$MNT/file2"
	power_cut
	verify_written
	run e2e-io same "$MNT/file1" 4m "$MNT/file2" 0 4194204
}
