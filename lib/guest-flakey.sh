# SPDX-License-Identifier: GPL-2.0
# dm-flakey over /dev/ubda inside a UML guest, and the power cut it makes: sourced by the
# guest sides of tools/fuzz and tools/stress, which define must (a harness step that
# records why it failed), MNT and DEV (the mount point, and /dev/mapper/NAME).

# flakey_table [drop_writes]: dm-flakey over all of /dev/ubda, up, or dropping every write.
flakey_table() {
	local sectors

	sectors=$(blockdev --getsz /dev/ubda)
	if [ $# -eq 0 ]; then
		echo "0 $sectors flakey /dev/ubda 0 180 0"
	else
		echo "0 $sectors flakey /dev/ubda 0 0 180 1 drop_writes"
	fi
}

# power_cut NAME: drop every write to the dm device NAME from now on, unmount, put the disk
# back, mount: only what was made durable is still there (as tools/e2e/lib.sh does).
power_cut() {
	must dmsetup suspend "$1" &&
		must dmsetup load "$1" --table "$(flakey_table drop_writes)" &&
		must dmsetup resume "$1" &&
		must umount "$MNT" &&
		must dmsetup suspend "$1" &&
		must dmsetup load "$1" --table "0 $(blockdev --getsz /dev/ubda) linear /dev/ubda 0" &&
		must dmsetup resume "$1" &&
		must mount "$DEV" "$MNT"
}
