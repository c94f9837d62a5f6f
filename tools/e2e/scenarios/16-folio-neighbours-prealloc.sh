# The layout of folio-neighbours in a preallocated extent: 1 MiB preallocated, its first
# block written and fsynced (a regular item over the same disk extent), the filesystem
# full; an unreserved write at 68k, then 12 KiB come free (a commit that writes no dirty
# data back) and reserved writes at 64k and 72k-80k use them up. Then the written first
# block is cloned. The unreserved block must be written in place before the share: after
# it, the writeback of [64k, 80k) must COW 16 KiB with 12 KiB of free space.
# proof: fails on 1-no-flush
scenario() {
	make_fs
	run xfs_io -f -c "falloc 0 1m" "$MNT/file1"
	run touch "$MNT/file2"
	write_pattern "$MNT/file1" 0 4k 160
	run e2e-io fsync "$MNT/file1"
	# Not with write_pattern: it is gone before the check.
	run e2e-io write "$MNT/spare" 0 12k 161
	sync
	disk_extent "$MNT/file1" 0 regular
	local bytenr=$DISK_BYTENR
	disk_extent "$MNT/file1" 4k prealloc
	[ "$DISK_BYTENR" = "$bytenr" ] || fail "layout: the items at 0 and 4k are not over one disk extent"
	fill_fs
	write_pattern "$MNT/file1" 68k 4k 162
	run rm "$MNT/spare"
	run e2e-io commit "$MNT"
	write_pattern "$MNT/file1" 64k 4k 163
	write_pattern "$MNT/file1" 72k 8k 163
	local off
	for off in 64k 68k 72k 76k; do
		expect_block "$MNT/file1" "$off" delalloc
	done
	expect_block "$MNT/file1" 0 written in-extent
	expect_block "$MNT/file1" 80k unwritten in-extent
	run e2e-io clone "$MNT/file1" 0 "$MNT/file2" 0 4k
	run e2e-io fsync "$MNT/file1"
	run e2e-io fsync "$MNT/file2"
	power_cut
	verify_written
	run e2e-io same "$MNT/file1" 0 "$MNT/file2" 0 4k
}
