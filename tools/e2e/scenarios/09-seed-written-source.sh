# The seed reproducer with the clone source at 1m, the first block of the 16 MiB write.
# Each write that fails its data reservation flushes delalloc first, so by the clone that
# block is written back: a regular file extent item over the same disk extent as the
# preallocated items after it, while the tail of the write is still unreserved dirty data
# in the preallocated part. Sharing the regular block shares the whole disk extent.
# proof: fails on 1-no-flush 5-extent-type
scenario() {
	make_fs
	run xfs_io -f -c "falloc 8k 64m" "$MNT/file1"
	fill_fs
	disk_extent "$MNT/file1" 8k prealloc
	[ "$DISK_LEN" = "$(bytes 64m)" ] || fail "layout: falloc 8k 64m made a disk extent of $DISK_LEN bytes"
	write_pattern "$MNT/file1" 1m 16m 9
	expect_block "$MNT/file1" 1m written in-extent
	expect_block "$MNT/file1" $(($(bytes 17m) - 4096)) delalloc
	expect_block "$MNT/file1" 17m unwritten in-extent
	run xfs_io -c "reflink $MNT/file1 1m 0 4k" -c "fsync" "$MNT/file1"
	power_cut
	verify_written
	run e2e-io same "$MNT/file1" 0 "$MNT/file1" 1m 4k
}
