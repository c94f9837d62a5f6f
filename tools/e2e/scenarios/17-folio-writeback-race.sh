# A NODATACOW file's folio is under writeback of one block while an unreserved write copies
# into its other blocks. Each of ATTEMPTS files has one 512 KiB disk extent: its first block
# written, the rest preallocated, i_size 68k. With exactly 96 KiB of data space free, another
# task stores a block at 64k through a shared mapping (page_mkwrite reserves it) and starts
# its writeback with sync_file_range every 300 ms, each write held 300 ms in dm-delay, while
# a write of 128 KiB at 68k fails its reservation and goes NOCOW, unreserved (with 16 KiB
# pages all but its last block: the buffered write takes 8 pages at a time here, 124 KiB
# from 68k, and the last block's own reservation fits). Then that task is stopped, the first
# block (same disk extent, another folio) is cloned, the last free space is used up, and the
# file is fsynced: the unreserved blocks must have been written in place before the share.
# With 64 KiB or 16 KiB pages the folio at 64k holds the unreserved blocks from 68k to its
# end and is found under writeback and dirty at the clone: WB_SYNC_NONE writeback
# (upstream's filemap_flush()) skips it, and its writeback after the share must COW them
# with no space (fsync ENOSPC). With 4 KiB pages no folio holds both, and upstream keeps the
# data.
# proof: fails on 1-no-flush 4-upstream@64k 4-upstream@16k
ATTEMPTS=8

scenario() {
	local i f pool child

	make_fs delay
	run touch "$MNT/dst"
	run chattr +C "$MNT/dst"
	for i in $(seq 1 "$ATTEMPTS"); do
		f=$MNT/f$i
		run touch "$f"
		# NODATACOW: no stable writes, so a block of a folio under writeback can be
		# written to; and a clone needs both files alike.
		run chattr +C "$f"
		run xfs_io -c "falloc -k 0 512k" "$f"
		run e2e-io write "$f" 0 4k $((100 + i))
		run xfs_io -c "truncate 68k" "$f"
	done
	# Blocks of their own (direct 4 KiB writes), to give back 96 KiB at a time.
	pool=$((ATTEMPTS * 96))
	run xfs_io -f -d -c "pwrite -q -b 4k 0 ${pool}k" "$MNT/pool"
	sync
	disk_extent "$MNT/f1" 0 regular
	[ "$DISK_LEN" = "$(bytes 512k)" ] || fail "layout: f1's disk extent is $DISK_LEN bytes, not 512k"
	for i in 64k 68k 192k; do
		expect_block "$MNT/f1" "$i" unwritten in-extent
	done
	fill_fs
	RANDOM=17
	for i in $(seq 1 "$ATTEMPTS"); do
		f=$MNT/f$i
		# Exactly 96 KiB free: enough for page_mkwrite's reservation of a folio (at most
		# 64 KiB), not for the 128 KiB write.
		run e2e-io fill "$MNT/eat" direct
		pool=$((pool - 96))
		run truncate -s "${pool}k" "$MNT/pool"
		run e2e-io commit "$MNT"
		write_delay 300
		e2e-io mmap-writer "$f" 64k 4k $((500 + i)) 300 &
		child=$!
		sleep "0.$((3 + RANDOM % 7))"
		kill -0 "$child" 2>/dev/null || fail "attempt $i: the mmap writer ended early"
		run e2e-io write "$f" 68k 128k $((900 + i))
		# A writer that ended (its sync_file_range failed) would leave the race out.
		kill -0 "$child" 2>/dev/null || fail "attempt $i: the mmap writer ended during the write"
		kill "$child"
		wait "$child" 2>/dev/null
		run e2e-io clone "$f" 0 "$MNT/dst" $((4 * i))k 4k
		write_delay 0
		# No space for a COW of what was not written in place before the share: allocated
		# by direct writes, which leave no reservation that a COW could take it from.
		run e2e-io fill "$MNT/eat" direct
		run e2e-io fsync "$f"
		echo "attempt $i: fsync passed"
	done
	run e2e-io fsync "$MNT/dst"
	power_cut
	for i in $(seq 1 "$ATTEMPTS"); do
		f=$MNT/f$i
		run e2e-io verify "$f" 0 4k $((100 + i))
		run e2e-io verify "$f" 64k 4k $((500 + i))
		run e2e-io verify "$f" 68k 128k $((900 + i))
		run e2e-io same "$f" 0 "$MNT/dst" $((4 * i))k 4k
	done
}
