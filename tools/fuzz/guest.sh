# SPDX-License-Identifier: GPL-2.0
# The guest side of tools/fuzz/run; sourced by lib/guest-init inside the UML guest. Runs
# the cases named in FUZZ_CASES (directories of GUEST_RW, separated by ':'), one after the
# other, each on a fresh btrfs of FUZZ_FS_SIZE on dm-flakey over /dev/ubda: the steps of
# its case.sh (each result recorded, none judged here), a power cut, then a scan of every
# file it made. The host judges the results against its model of the steps (tools/fuzz/fuzz.py).
#
# A case directory gets: started, results ("STEP<TAB>STATUS<TAB>OUTPUT" a step), ran,
# scan.FILE (fuzz-io scan after the power cut), dmesg (the kernel log of this case only),
# failures (what went wrong outside the steps), done.

DEV=/dev/mapper/fuzz
MNT=$GUEST_RW/mnt

# step N CMD...: step N of a case: run it, record its exit status and its output.
step() {
	local n=$1 out rc t0

	shift
	t0=${EPOCHREALTIME/./}
	out=$("$@" 2>&1)
	rc=$?
	out=${out//$'\t'/ }
	printf '%s\t%s\t%s\t%d ms\n' "$n" "$rc" "${out//$'\n'/|}" \
		$(((${EPOCHREALTIME/./} - t0) / 1000)) >>"$CASE/results"
}

# must CMD...: a step of the harness itself; if it fails, record why and return 1.
must() {
	local out

	out=$("$@" 2>&1) && return 0
	echo "$*: ${out:-exit status $?}" >>"$CASE/failures"
	return 1
}

. "$(dirname "${BASH_SOURCE[0]}")/../../lib/guest-flakey.sh"

# fuzz_case NAME: one case, from a fresh filesystem to the scan after the power cut.
fuzz_case() {
	local f

	CASE=$GUEST_RW/$1
	dmesg -C
	echo "fuzz: start of $1" >/dev/kmsg
	echo "$EPOCHREALTIME" >"$CASE/started"
	echo "guest: $EPOCHREALTIME making the filesystem" >>"$CASE/log"
	: >"$CASE/results"
	if must dmsetup create fuzz --table "$(flakey_table)" &&
		must mkfs.btrfs -q -f -K -b "$FUZZ_FS_SIZE" "$DEV" &&
		must mkdir -p "$MNT" && must mount "$DEV" "$MNT"; then
		# The case's steps, with MNT and step() as above.
		. "$CASE/case.sh"
		touch "$CASE/ran"
		echo "guest: $EPOCHREALTIME power cut" >>"$CASE/log"
		if power_cut fuzz; then
			for f in "$MNT"/*; do
				[ -f "$f" ] && [ "$(basename "$f")" != padding ] || continue
				fuzz-io scan "$f" >"$CASE/scan.$(basename "$f")" 2>&1 ||
					echo "fuzz-io scan $f: $(tail -n 1 "$CASE/scan.$(basename "$f")")" >>"$CASE/failures"
			done
		fi
	fi
	mountpoint -q "$MNT" && must umount "$MNT"
	dmsetup info fuzz >/dev/null 2>&1 && must dmsetup remove fuzz
	echo "guest: $EPOCHREALTIME end" >>"$CASE/log"
	dmesg >"$CASE/dmesg"
	echo "$EPOCHREALTIME" >"$CASE/done"
}

fuzz_main() {
	local c cases

	IFS=: read -r -a cases <<<"$FUZZ_CASES"
	for c in "${cases[@]}"; do
		fuzz_case "$c"
	done
}
