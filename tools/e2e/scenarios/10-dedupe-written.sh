# A dedupe agent's view of the seed: the first block of the 16 MiB write, written back by
# the time the write returns (a regular item over the preallocated extent's disk extent,
# the tail of the write still unreserved and dirty), is deduped against an identical block
# of another file.
# proof: fails on 1-no-flush 5-extent-type
scenario() {
	make_fs
	run xfs_io -f -c "falloc 8k 64m" "$MNT/file1"
	# The same pattern at the same offset: the same bytes as file1 will hold at 1m.
	write_pattern "$MNT/file2" 1m 4k 10
	fill_fs
	disk_extent "$MNT/file1" 8k prealloc
	write_pattern "$MNT/file1" 1m 16m 10
	expect_block "$MNT/file1" 1m written in-extent
	expect_block "$MNT/file1" $(($(bytes 17m) - 4096)) delalloc
	expect_block "$MNT/file1" 17m unwritten in-extent
	run e2e-io dedupe "$MNT/file1" 1m "$MNT/file2" 1m 4k
	run e2e-io fsync "$MNT/file1"
	run e2e-io fsync "$MNT/file2"
	power_cut
	verify_written
	run e2e-io same "$MNT/file1" 1m "$MNT/file2" 1m 4k
}
