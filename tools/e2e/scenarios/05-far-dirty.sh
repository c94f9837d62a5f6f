# The clone shares the first block of a 64 MiB preallocated extent while the unreserved
# dirty data sits at the extent's end, 63 MiB away.
# proof: fails on 1-no-flush
scenario() {
	make_fs
	run xfs_io -f -c "falloc 0 64m" "$MNT/file1"
	run touch "$MNT/file2"
	fill_fs
	write_pattern "$MNT/file1" 63m 1m 5
	run e2e-io clone "$MNT/file1" 0 "$MNT/file2" 0 4k
	run e2e-io fsync "$MNT/file1"
	run e2e-io fsync "$MNT/file2"
	power_cut
	verify_written
	run e2e-io same "$MNT/file1" 0 "$MNT/file2" 0 4k
}
