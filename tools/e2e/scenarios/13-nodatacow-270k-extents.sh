# FICLONE of a NODATACOW file (chattr +C) with 270,000 extents must work as upstream's
# does, with no allocation that grows with the extents. One 4 KiB block, then clones of
# the whole file after its own end double it (each extent is that block and a 4 KiB
# hole), then the file is cloned whole into another.
# proof: fails on 5-extent-type
EXTENTS=270000

scenario() {
	local n=1 got

	make_fs
	run touch "$MNT/file1" "$MNT/file2"
	# Both NODATACOW: a clone cannot mix checksummed and unchecksummed data.
	run chattr +C "$MNT/file1" "$MNT/file2"
	case $(lsattr "$MNT/file1" | cut -d' ' -f1) in
	*C*) ;;
	*) fail "layout: chattr +C did not make file1 NODATACOW" ;;
	esac
	write_pattern "$MNT/file1" 0 4k 14
	run xfs_io -c "truncate 8k" -c "fsync" "$MNT/file1"
	while [ $((n * 2)) -le $EXTENTS ]; do
		run e2e-io clone "$MNT/file1" 0 "$MNT/file1" $((n * 8192)) $((n * 8192))
		n=$((n * 2))
	done
	run e2e-io clone "$MNT/file1" 0 "$MNT/file1" $((n * 8192)) $(((EXTENTS - n) * 8192))
	got=$(e2e-io extents "$MNT/file1")
	[ "$got" = $EXTENTS ] || fail "layout: file1 has $got extents, not $EXTENTS"
	echo "layout: file1 has $got extents"
	expect_block "$MNT/file1" $(((EXTENTS - 1) * 8192)) written
	run e2e-io clone "$MNT/file1" 0 "$MNT/file2" 0 0
	sync
	power_cut
	verify_written
	expect_block "$MNT/file2" $(((EXTENTS - 1) * 8192)) written
	run e2e-io same "$MNT/file1" 0 "$MNT/file2" $(((EXTENTS - 1) * 8192)) 8k
}
