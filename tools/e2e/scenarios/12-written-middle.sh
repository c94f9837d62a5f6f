# A block written and fsynced earlier in the middle of a preallocated extent (prealloc,
# regular and prealloc items over one disk extent) is cloned into another file, after
# unreserved data was written last into the preallocated part after it.
# proof: fails on 1-no-flush 5-extent-type
scenario() {
	make_fs
	run xfs_io -f -c "falloc 0 64m" "$MNT/file1"
	run touch "$MNT/file2"
	write_pattern "$MNT/file1" 32m 1m 12
	run e2e-io fsync "$MNT/file1"
	fill_fs
	local off bytenr=
	for off in 0:prealloc 32m:regular 48m:prealloc; do
		disk_extent "$MNT/file1" "${off%:*}" "${off#*:}"
		[ "${bytenr:=$DISK_BYTENR}" = "$DISK_BYTENR" ] ||
			fail "layout: the items at 0, 32m and 48m are not over one disk extent"
	done
	write_pattern "$MNT/file1" 48m 1m 13
	expect_block "$MNT/file1" 32m written in-extent
	expect_block "$MNT/file1" $(($(bytes 49m) - 4096)) delalloc
	expect_block "$MNT/file1" 49m unwritten in-extent
	run e2e-io clone "$MNT/file1" 32m "$MNT/file2" 0 4k
	run e2e-io fsync "$MNT/file1"
	run e2e-io fsync "$MNT/file2"
	power_cut
	verify_written
	run e2e-io same "$MNT/file1" 32m "$MNT/file2" 0 4k
}
