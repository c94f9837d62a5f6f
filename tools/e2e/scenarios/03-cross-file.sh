# Clone one block of the preallocated extent from the dirty file into another file.
# proof: fails on 1-no-flush
scenario() {
	make_fs
	run xfs_io -f -c "falloc 8k 64m" "$MNT/file1"
	run touch "$MNT/file2"
	fill_fs
	write_pattern "$MNT/file1" 1m 16m 3
	run e2e-io clone "$MNT/file1" 8k "$MNT/file2" 0 4k
	run e2e-io fsync "$MNT/file1"
	run e2e-io fsync "$MNT/file2"
	power_cut
	verify_written
	run e2e-io same "$MNT/file1" 8k "$MNT/file2" 0 4k
}
