# Four preallocated extents with unreserved dirty data in each; the clone touches the third.
# Its data is written last, so it is still dirty when the clone runs.
# proof: fails on 1-no-flush
scenario() {
	make_fs
	run xfs_io -f -c "falloc 0 4m" -c "falloc 8m 4m" -c "falloc 16m 4m" \
		-c "falloc 24m 4m" "$MNT/file1"
	run touch "$MNT/file2"
	fill_fs
	write_pattern "$MNT/file1" 1m 512k 60
	write_pattern "$MNT/file1" 9m 512k 61
	write_pattern "$MNT/file1" 25m 512k 63
	write_pattern "$MNT/file1" 18m 1m 62
	run e2e-io clone "$MNT/file1" 16m "$MNT/file2" 0 4k
	run e2e-io fsync "$MNT/file1"
	run e2e-io fsync "$MNT/file2"
	power_cut
	verify_written
	run e2e-io same "$MNT/file1" 16m "$MNT/file2" 0 4k
}
