# SPDX-License-Identifier: GPL-2.0
#
# Sourced by lib/guest-init in an fstests guest (tools/fstests/run); defines fstests_guest.
# The runner left in GUEST_RW: local.config, the list of tests (tests), and the passwd and
# group files the guest uses instead of the host's (the host's with fstests' users added).
# /dev/ubda is TEST_DEV, /dev/ubdb SCRATCH_DEV; FSTESTS_SRC is the built fstests tree,
# read-only here: fstests writes its results to RESULT_BASE, under GUEST_RW.

fstests_guest() {
	local f

	# fstests' users exist in this guest only: bind mounts over the guest's view of /etc.
	for f in passwd group; do
		mount --bind "$GUEST_RW/$f" "/etc/$f" || fail "cannot bind $GUEST_RW/$f over /etc/$f"
	done
	id fsgqa >/dev/null 2>&1 || fail "the user fsgqa does not exist in the guest"
	mkdir -p /tmp/test /tmp/scratch
	mkfs.btrfs -q -f /dev/ubda >"$GUEST_RW/mkfs-test.log" 2>&1 ||
		fail "mkfs.btrfs of TEST_DEV failed: $(tail -n 1 "$GUEST_RW/mkfs-test.log")"
	cd "$FSTESTS_SRC" || fail "no fstests at $FSTESTS_SRC"
	echo "guest: fstests starts" >/dev/kmsg
	# No -R xunit: check rewrites the xunit report before every test, some 300 process
	# starts that take about 20 s in UML, as long as a short test. check.out and the
	# results directory say the same (tools/fstests/report.py).
	# shellcheck disable=SC2046 # one test name a word
	HOST_OPTIONS=$GUEST_RW/local.config ./check $(cat "$GUEST_RW/tests") \
		>"$GUEST_RW/check.out" 2>&1
	echo $? >"$GUEST_RW/check.rc"
	cd /
	umount /tmp/test /tmp/scratch 2>/dev/null
}
