# SPDX-License-Identifier: GPL-2.0
# Shared by the scripts of tools/subpage/ that boot arm64 guests under QEMU; source it after
# lib/common.sh.

SUBPAGE=$BUILD/subpage
ROOTFS=$SUBPAGE/rootfs

# subpage_sizes SIZE...: fail unless each SIZE is a page size we build (64k, 16k).
subpage_sizes() {
	local s

	for s in "$@"; do
		case $s in
		64k | 16k) ;;
		*) die "unknown page size '$s'" "the page sizes are 64k and 16k" ;;
		esac
	done
}

# subpage_tools: cross-compile our C tools for the guests (e2e-io, fuzz-io), static, into
# $SUBPAGE/tools; prints that directory.
subpage_tools() {
	local bin=$SUBPAGE/tools src

	mkdir -p "$bin"
	for src in tools/e2e/e2e-io.c tools/fuzz/fuzz-io.c; do
		compile_tool "$bin/$(basename "$src" .c)" aarch64-linux-gnu-gcc -static -O2 -Wall \
			-Wextra -Werror -I"$REPO/lib" "$REPO/$src" >&2 ||
			die "cannot cross-compile $src" \
				"run tools/install-deps lib/packages-subpage (as root) for the arm64 cross compiler"
	done
	echo "$bin"
}

# qemu_guest IMAGE DIR SECONDS DISK ARG...: boot the arm64 kernel IMAGE under QEMU (virt
# machine, TCG) with the root filesystem of tools/subpage/rootfs (read-only) and
# tools/subpage/guest-init as PID 1. The repository and the build directory are shared
# read-only, DIR, under $BUILD, read-write: the only host directory the guest can write, and
# the only one QEMU itself can write (see CONFINE). DISK, if not empty, is the guest's
# /dev/vda. ARGs add kernel parameters: guest-init's GUEST_BIN, GUEST_SOURCE, GUEST_MAIN, and
# any variable the guest's scripts read. The console goes to DIR/console.log; a guest still
# running after SECONDS is killed. Returns QEMU's exit status (124 after a timeout, 125 if it
# could not be confined).
# shellcheck disable=SC2054 # QEMU's options separate their fields with commas
qemu_guest() {
	local image=$1 dir=$2 secs=$3 disk=$4 ro i=0 p shown qemu=()

	shift 4
	[ -x "$ROOTFS/bin/bash" ] || die "no arm64 root filesystem in $ROOTFS" "run tools/subpage/rootfs"
	mkdir -p "$dir"
	# The guest's init, always the repository's; swapped in whole (other guests may be
	# booting from the same root filesystem, and installing it at the same time: each
	# through a file of its own, $BASHPID, which differs between the subshells of one
	# script where $$ does not).
	if ! cmp -s "$REPO/tools/subpage/guest-init" "$ROOTFS/sbin/guest-init"; then
		cp "$REPO/tools/subpage/guest-init" "$ROOTFS/sbin/.guest-init.$BASHPID" &&
			chmod 755 "$ROOTFS/sbin/.guest-init.$BASHPID" &&
			mv "$ROOTFS/sbin/.guest-init.$BASHPID" "$ROOTFS/sbin/guest-init" ||
			die "cannot install tools/subpage/guest-init into $ROOTFS"
	fi
	ro=$(printf '%s\n' "$REPO" "$BUILD" | sort -u | paste -sd:)
	IFS=: read -r -a shown <<<"$ro"
	for p in "${shown[@]}"; do
		# A mount point in the root filesystem for each shared directory.
		mkdir -p "$ROOTFS$p"
		qemu+=(-fsdev "local,id=ro$i,path=$p,security_model=none,readonly=on"
			-device "virtio-9p-device,fsdev=ro$i,mount_tag=ro$i")
		i=$((i + 1))
	done
	qemu+=(-fsdev "local,id=rw,path=$dir,security_model=none"
		-device virtio-9p-device,fsdev=rw,mount_tag=rw)
	[ -z "$disk" ] ||
		qemu+=(-drive "file=$disk,format=raw,if=none,id=vda" -device virtio-blk-device,drive=vda)
	TMPDIR=$dir bounded "$secs" "${CONFINE[@]}" "$dir" qemu-system-aarch64 -M virt \
		-cpu max,pauth-impdef=on -smp 1 -m 1G -nodefaults -display none -serial stdio -no-reboot \
		-kernel "$image" \
		-fsdev "local,id=rootfs,path=$ROOTFS,security_model=none,readonly=on" \
		-device virtio-9p-device,fsdev=rootfs,mount_tag=rootfs "${qemu[@]}" \
		-append "console=ttyAMA0 root=rootfs rootfstype=9p rootflags=trans=virtio,version=9p2000.L ro init=/sbin/guest-init panic=-1 kunit.enable=0 GUEST_RW=$dir GUEST_RO=$ro $*" \
		</dev/null >"$dir/console.log" 2>&1
}

# guest_verdict DIR SECONDS: why the guest booted in DIR failed, one reason a line; nothing
# when it passed. SECONDS is its timeout, for the message.
guest_verdict() {
	local dir=$1 secs=$2 lost bad

	if [ ! -f "$dir/done" ]; then
		lost=$(guest_lost "$dir")
		if [ -n "$lost" ]; then
			echo "the guest $lost"
		elif [ "$(cat "$dir/exit" 2>/dev/null)" = 124 ]; then
			echo "QEMU hung: killed after $secs s"
		else
			echo "the guest ended before its run did (QEMU exit status $(cat "$dir/exit" 2>/dev/null))"
		fi
	fi
	[ -s "$dir/failures" ] && cat "$dir/failures"
	if [ -f "$dir/dmesg" ]; then
		bad=$(kernel_trouble "$dir/dmesg")
		[ -z "$bad" ] || echo "kernel log: $(echo "$bad" | sed 's/^\[[^]]*\] //' | paste -sd'|' -)"
	fi
	grep -qs "only $dir writable" "$dir/confined" ||
		echo "QEMU did not run with only $dir writable (no record in $dir/confined)"
}
