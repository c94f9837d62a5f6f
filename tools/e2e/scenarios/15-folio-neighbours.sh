# In a NODATACOW file on a full filesystem, one block at 68k gets an unreserved overwrite;
# then a small file's 12 KiB come free (a commit that writes no dirty data back) and the
# blocks around it, 64k and 72k-80k, get reserved overwrites, which use up those 12 KiB. So
# [64k, 80k) is dirty, one block of it without a reservation: with 64 KiB pages all in the
# folio [64k, 128k), with 16 KiB pages the folio [64k, 80k) whole, with 4 KiB pages four
# folios. Then a block of the same disk extent in another folio is cloned. The unreserved
# block must be written in place before the share: after it, its writeback must COW the
# whole dirty range with 12 KiB of free space for 16 KiB.
# proof: fails on 1-no-flush
scenario() {
	make_fs
	run touch "$MNT/file1" "$MNT/file2"
	# Both NODATACOW: a clone cannot mix checksummed and unchecksummed data.
	run chattr +C "$MNT/file1" "$MNT/file2"
	write_pattern "$MNT/file1" 0 1m 150
	# Not with write_pattern: it is gone before the check.
	run e2e-io write "$MNT/spare" 0 12k 151
	sync
	disk_extent "$MNT/file1" 0 regular
	fill_fs
	write_pattern "$MNT/file1" 68k 4k 152
	run rm "$MNT/spare"
	run e2e-io commit "$MNT"
	write_pattern "$MNT/file1" 64k 4k 153
	write_pattern "$MNT/file1" 72k 8k 153
	# FIEMAP shows an overwrite of a written block as written, dirty or not.
	local off
	for off in 0 64k 68k 72k 76k 128k; do
		expect_block "$MNT/file1" "$off" written in-extent
	done
	run e2e-io clone "$MNT/file1" 0 "$MNT/file2" 0 4k
	run e2e-io fsync "$MNT/file1"
	run e2e-io fsync "$MNT/file2"
	power_cut
	run e2e-io verify "$MNT/file1" 0 64k 150
	run e2e-io verify "$MNT/file1" 64k 4k 153
	run e2e-io verify "$MNT/file1" 68k 4k 152
	run e2e-io verify "$MNT/file1" 72k 8k 153
	run e2e-io verify "$MNT/file1" 80k $((1024 - 80))k 150
	run e2e-io same "$MNT/file1" 0 "$MNT/file2" 0 4k
}
