# The first block of the 16 MiB write, written back by the time the write returns, is
# cloned to another offset of the same file: a still-preallocated block of the same
# extent, at 40m. The tail of the write is still unreserved dirty data in that extent.
# proof: fails on 1-no-flush 5-extent-type
scenario() {
	make_fs
	run xfs_io -f -c "falloc 8k 64m" "$MNT/file1"
	fill_fs
	disk_extent "$MNT/file1" 8k prealloc
	write_pattern "$MNT/file1" 1m 16m 11
	expect_block "$MNT/file1" 1m written in-extent
	expect_block "$MNT/file1" $(($(bytes 17m) - 4096)) delalloc
	expect_block "$MNT/file1" 40m unwritten in-extent
	run e2e-io clone "$MNT/file1" 1m "$MNT/file1" 40m 4k
	run e2e-io fsync "$MNT/file1"
	power_cut
	verify_written
	run e2e-io same "$MNT/file1" 1m "$MNT/file1" 40m 4k
}
