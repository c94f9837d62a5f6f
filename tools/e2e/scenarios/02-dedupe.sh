# As the seed, but FIDEDUPERANGE shares the block: the hole at 0 and the untouched
# preallocated block at 8k both read as zeros, so they dedupe.
# proof: fails on 1-no-flush
scenario() {
	make_fs
	run xfs_io -f -c "falloc 8k 64m" "$MNT/file1"
	fill_fs
	write_pattern "$MNT/file1" 1m 16m 2
	run e2e-io dedupe "$MNT/file1" 8k "$MNT/file1" 0 4k
	run e2e-io fsync "$MNT/file1"
	power_cut
	verify_written
	run e2e-io same "$MNT/file1" 0 "$MNT/file1" 8k 4k
}
