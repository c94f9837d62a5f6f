# SPDX-License-Identifier: GPL-2.0
# Shared by the scripts in tools/: paths, messages, timing and failure handling.
# Source it; it sets no shell options of its own.

REPO=${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
BUILD=${BUILD:-$REPO/build}
TREE=${TREE:-$BUILD/linux}
SOURCE_PKG=linux-source-6.12
SOURCE_TARBALL=/usr/src/$SOURCE_PKG.tar.xz
PRISTINE_TAG=pristine
SERIES=$REPO/patches/series

_t0=$(date +%s)

# step MESSAGE: announce a step of the current job.
step() {
	printf '==> %s\n' "$*"
}

# info MESSAGE: a detail under the current step.
info() {
	printf '    %s\n' "$*"
}

# die MESSAGE [HINT]: one clear line on what failed, one on what to do, exit 1.
die() {
	printf 'error: %s\n' "$1" >&2
	[ -n "${2:-}" ] && printf 'hint: %s\n' "$2" >&2
	exit 1
}

# elapsed: seconds since the script started.
elapsed() {
	echo $(($(date +%s) - _t0))
}

# timed NAME CMD...: run CMD, then report how long NAME took.
timed() {
	local name=$1 start rc
	shift
	start=$(date +%s)
	"$@"
	rc=$?
	info "$name took $(($(date +%s) - start)) s"
	return $rc
}

# need_tree: fail unless the kernel tree was prepared.
need_tree() {
	[ -d "$TREE/.git" ] && git -C "$TREE" rev-parse -q --verify "refs/tags/$PRISTINE_TAG" >/dev/null ||
		die "no prepared kernel tree at $TREE" "run 'make prepare' first"
}

# kernel_version DIR: VERSION.PATCHLEVEL.SUBLEVEL of the kernel source in DIR.
kernel_version() {
	awk -F' *= *' '/^VERSION/ {v=$2} /^PATCHLEVEL/ {p=$2} /^SUBLEVEL/ {s=$2}
		/^EXTRAVERSION/ {print v "." p "." s $2; exit}' "$1/Makefile"
}

# series_patches: the patch file names of patches/series, in order.
series_patches() {
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$SERIES" | awk '{print $1}'
}

# series_new_files PATCH: the new kernel files that PATCH's commit adds.
series_new_files() {
	sed -e 's/#.*//' "$SERIES" | awk -v p="$1" '$1 == p {for (i = 2; i <= NF; i++) print $i}'
}

# jobs: parallel make jobs for this machine.
jobs() {
	nproc 2>/dev/null || echo 2
}
