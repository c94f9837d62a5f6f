# FICLONE of a NODATACOW file (chattr +C) with 270,000 extents must work as upstream's
# does, with no allocation that grows with the extents. One 4 KiB block, then clones of
# the whole file after its own end double it (each extent is that block and a 4 KiB
# hole), then the file is cloned whole into another.
# 5-extent-type fails it with ENOMEM only with 4 KiB pages: its array of the extents,
# doubled to 2^19 entries of 16 bytes, 8 MiB, is above what one kmalloc() gives there
# (KMALLOC_MAX_SIZE, 2^(MAX_PAGE_ORDER + PAGE_SHIFT): 4 MiB), below it on arm64 with
# 16 KiB pages (32 MiB) and 64 KiB pages (512 MiB).
# proof: fails on 5-extent-type@4k
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
