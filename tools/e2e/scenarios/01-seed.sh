# The reproducer of the seed report, step by step: a 64 MiB preallocated extent, the rest of
# the filesystem filled, a 16 MiB buffered write into the extent (NOCOW, no reservation), a
# 4 KiB reflink of another block of the extent within the file, then fsync.
# proof: fails on 1-no-flush
scenario() {
	make_fs
	run xfs_io -f -c "falloc 8k 64m" "$MNT/file1"
	fill_fs
	write_pattern "$MNT/file1" 1m 16m 1
	run xfs_io -c "reflink $MNT/file1 8k 0 4k" -c "fsync" "$MNT/file1"
	power_cut
	verify_written
	run e2e-io same "$MNT/file1" 0 "$MNT/file1" 8k 4k
}
