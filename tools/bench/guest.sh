# SPDX-License-Identifier: GPL-2.0
# The workloads of one benchmark boot; sourced by lib/guest-init inside the UML guest. Every
# workload runs BENCH_SAMPLES times, in rounds, so that slow drifts hit all of them alike.
# remap-bench prints the RESULT lines, which go to $BENCH_OUT/results; the first failed
# step ends the boot.

MNT=$BENCH_OUT/mnt
FULL=$BENCH_OUT/full
MANY=$BENCH_OUT/many
SPACE=$BENCH_OUT/space
RESULTS=$BENCH_OUT/results
# Dirty data, in MiB, elsewhere in the source of the small clones and dedupes.
DIRTY_SIZES="0 16 64 256"
# What the writer appends while its MiBs are remapped, and the whole-file clone's size.
WRITER_MIB=128
WHOLE_MIB=256
# What each unsafe clone writes, without a data reservation, into its preallocated extent,
# in MiB. Each write that finds no data space flushes the delalloc before it, so only the
# tail of the write is still dirty at the clone: remap-bench reports how much.
UNSAFE_SIZES="16 64"
# The extents of the files that are cloned whole with FICLONE, COW and NODATACOW: more
# than 2^18, so that anything that kept 16 bytes an extent would need more than the
# 4 MiB that one kmalloc() can give.
MANY_EXTENTS=270000
# The reserved dirty data, in MiB, in the source's disk extent (one MiB more) of the space
# rows: a 4 KiB clone or dedupe of a clean block of a preallocated or NODATACOW extent.
SPACE_DIRTY_MIB=64
# The separate 4 KiB reserved dirty ranges (io tree states) in the file of the states row:
# upstream writes them all back inside the clone, in about a second. Each is an
# outstanding extent that holds 256 KiB of metadata reservation (16 KiB nodes), 16 GiB in
# all: the disk of tools/bench/run is large enough that this makes btrfs flush no delalloc
# (remap-bench fails if anything writes the data back before the clone).
STATES=65536
# The groups of workloads to run (tools/bench/run --only): all by default.
BENCH_ONLY=${BENCH_ONLY:-small,unsafe,many,space}

# run CMD...: a step; its output goes to the results, its failure ends the boot.
run() {
	local err
	err=$("$@" 2>&1 >>"$RESULTS") || fail "$*: ${err:-exit status $?}"
	[ -z "$err" ] || fail "$*: $err"
	return 0
}

# want GROUP: the group of workloads GROUP is to run.
want() {
	case ,$BENCH_ONLY, in
	*,"$1",*) return 0 ;;
	esac
	return 1
}

# make_fs DEV DIR [OPTION...]: a fresh btrfs on DEV, mounted on DIR; OPTIONs go to mkfs.btrfs.
make_fs() {
	local err dev=$1 dir=$2
	shift 2
	err=$(mkfs.btrfs -q -f "$@" "$dev" 2>&1 >/dev/null) || fail "mkfs.btrfs $dev: $err"
	mkdir -p "$dir"
	run mount -o commit=300 "$dev" "$dir"
}

workloads() {
	: >"$RESULTS"
	# Dirty data stays dirty until something writes it back on purpose: no background
	# writeback, no expiry, no throttling of the writers below a few hundred MiB.
	# The flusher's period is an hour, not 0: with 0, the first inode dirtied on a clean
	# filesystem wakes the flusher at once (wb_wakeup_delayed()), which then writes back
	# while that filesystem's dirty pages pass its share of the background threshold, a
	# share that follows its part of the writeback done lately: on a filesystem just
	# mounted after others did all the writeback, megabytes of the first sample's dirty
	# data went to disk before its remap.
	echo 80 >/proc/sys/vm/dirty_background_ratio
	echo 90 >/proc/sys/vm/dirty_ratio
	echo 360000 >/proc/sys/vm/dirty_expire_centisecs
	echo 360000 >/proc/sys/vm/dirty_writeback_centisecs
	echo "# $(uname -r), $(nproc) CPU, $(awk '/MemTotal/ {print $2 " kB"}' /proc/meminfo)" >>"$RESULTS"

	want small && group_small
	want unsafe && group_unsafe
	want many && group_many
	want space && group_space
	return 0
}

# group_*: the groups of workloads (tools/bench/run --only), each on a filesystem of its own.
# The small clones and dedupes, the whole-file clone and the writers, on the first disk.
group_small() {
	local r d
	make_fs /dev/ubda "$MNT"
	run remap-bench setup "$MNT"
	for r in $(seq "$BENCH_SAMPLES"); do
		for d in $DIRTY_SIZES; do
			run remap-bench clone "$MNT" "$d"
			run remap-bench dedupe "$MNT" "$d"
		done
		run remap-bench whole "$MNT" "$WHOLE_MIB"
		run remap-bench writer "$MNT" "$WRITER_MIB" clone
		run remap-bench writer "$MNT" "$WRITER_MIB" dedupe
	done
	run umount "$MNT"
}

group_unsafe() {
	local r n
	# The unsafe clones fill their filesystem: their own, on the second disk. All the
	# preallocated extents first, then the fill, then one sample after another, each
	# writing its unreserved data as the last step before its clone.
	make_fs /dev/ubdb "$FULL"
	for r in $(seq "$BENCH_SAMPLES"); do
		for n in $UNSAFE_SIZES; do
			run remap-bench prealloc "$FULL/prealloc-$n-$r" "$n"
		done
	done
	run remap-bench fill "$FULL/padding"
	for r in $(seq "$BENCH_SAMPLES"); do
		for n in $UNSAFE_SIZES; do
			run remap-bench unsafe "$FULL/prealloc-$n-$r" "$n"
		done
	done
	run umount "$FULL"
}

group_many() {
	local r
	# FICLONE of a whole file with many extents and no dirty data, COW and NODATACOW, on
	# a third disk: each sample clones the file into a new one, which is deleted after.
	make_fs /dev/ubdc "$MANY"
	run remap-bench extents "$MANY/cow" "$MANY_EXTENTS" cow
	run remap-bench extents "$MANY/nocow" "$MANY_EXTENTS" nocow
	for r in $(seq "$BENCH_MANY_SAMPLES"); do
		run remap-bench many "$MANY/cow" "$MANY_EXTENTS"
		run remap-bench many "$MANY/nocow" "$MANY_EXTENTS"
	done
	run umount "$MANY"
}

# The space rows and the states row, on a fourth disk, large (and sparse) for the metadata
# reservations of the states row.
group_space() {
	local r k op
	# No discard of the whole disk by mkfs.btrfs: on this large disk it takes minutes.
	make_fs /dev/ubdd "$SPACE" --nodiscard
	# Fresh files each sample. A sample whose data was written back too soon (its dirty
	# data before its remap, or its NODATACOW extent while it was written: it would
	# measure nothing) is done again, up to 3 tries, and noted in the results.
	for r in $(seq "$BENCH_SAMPLES"); do
		for k in prealloc nocow; do
			for op in clone dedupe; do
				run remap-bench space "$SPACE" "$k" "$op" "$SPACE_DIRTY_MIB"
			done
		done
	done
	# A sample of states takes seconds (its sync writes back all those ranges): as many
	# as of the clones of the files with many extents.
	run remap-bench states-setup "$SPACE/states" "$STATES"
	for r in $(seq "$BENCH_MANY_SAMPLES"); do
		run remap-bench states "$SPACE/states" "$STATES"
	done
	run umount "$SPACE"
}
