# SPDX-License-Identifier: GPL-2.0
# The workloads of one benchmark boot; sourced by lib/guest-init inside the UML guest. Every
# workload runs BENCH_SAMPLES times, in rounds, so that slow drifts hit all of them alike.
# remap-bench prints the RESULT lines, which go to $BENCH_OUT/results; the first failed
# step ends the boot.

MNT=$BENCH_OUT/mnt
FULL=$BENCH_OUT/full
MANY=$BENCH_OUT/many
RESULTS=$BENCH_OUT/results
# Dirty data, in MiB, elsewhere in the source of the small clones and dedupes.
DIRTY_SIZES="0 64 256"
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

# run CMD...: a step; its output goes to the results, its failure ends the boot.
run() {
	local err
	err=$("$@" 2>&1 >>"$RESULTS") || fail "$*: ${err:-exit status $?}"
	[ -z "$err" ] || fail "$*: $err"
	return 0
}

# make_fs DEV DIR: a fresh btrfs on DEV, mounted on DIR.
make_fs() {
	local err
	err=$(mkfs.btrfs -q -f "$1" 2>&1 >/dev/null) || fail "mkfs.btrfs $1: $err"
	mkdir -p "$2"
	run mount -o commit=300 "$1" "$2"
}

workloads() {
	local r d n
	: >"$RESULTS"
	# Dirty data stays dirty until something writes it back on purpose: no background
	# writeback, no expiry, no throttling of the writers below a few hundred MiB.
	echo 80 >/proc/sys/vm/dirty_background_ratio
	echo 90 >/proc/sys/vm/dirty_ratio
	echo 360000 >/proc/sys/vm/dirty_expire_centisecs
	echo 0 >/proc/sys/vm/dirty_writeback_centisecs
	echo "# $(uname -r), $(nproc) CPU, $(awk '/MemTotal/ {print $2 " kB"}' /proc/meminfo)" >>"$RESULTS"

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
