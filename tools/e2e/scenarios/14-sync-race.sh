# Writeback racing with the remaps: sync (every 0.2 s) and drop_caches loop in the
# background while, in each of 40 preallocated extents, unreserved data is written into the
# preallocated part and then the extent's first block, written and fsynced before the
# filesystem was filled (a regular item over the same disk extent), is cloned. A sync that
# writes the data back before the clone saves it; the clone must not depend on that. With
# sync in a loop without a pause, every clone came after such a sync and no kernel failed.
# proof: fails on 1-no-flush 5-extent-type
scenario() {
	local i pid1 pid2 cmds=()

	make_fs
	for i in $(seq 1 40); do cmds+=(-c "falloc $((i * 1024))k 512k"); done
	run xfs_io -f "${cmds[@]}" "$MNT/file1"
	run touch "$MNT/file2"
	for i in $(seq 1 40); do
		write_pattern "$MNT/file1" $((i * 1024))k 4k $((300 + i))
	done
	run e2e-io fsync "$MNT/file1"
	fill_fs
	disk_extent "$MNT/file1" 1024k regular
	[ "$DISK_LEN" = "$(bytes 512k)" ] ||
		fail "layout: the written block at 1024k is in a disk extent of $DISK_LEN bytes, not 512k"
	expect_block "$MNT/file1" 1152k unwritten in-extent
	(while :; do sync; sleep 0.2; done) &
	pid1=$!
	(while :; do echo 1 >/proc/sys/vm/drop_caches; sleep 0.05; done) &
	pid2=$!
	for i in $(seq 1 40); do
		write_pattern "$MNT/file1" $((i * 1024 + 128))k 256k $((200 + i))
		run e2e-io clone "$MNT/file1" $((i * 1024))k "$MNT/file2" $((i * 4))k 4k
	done
	kill "$pid1" "$pid2"
	wait
	run e2e-io fsync "$MNT/file1"
	run e2e-io fsync "$MNT/file2"
	power_cut
	verify_written
	for i in $(seq 1 40); do
		run e2e-io same "$MNT/file1" $((i * 1024))k "$MNT/file2" $((i * 4))k 4k
	done
}
