# SPDX-License-Identifier: GPL-2.0
#
# The proof's variants of the fix (tools/proof/variants/VARIANT.patch, each against the
# prepared tree): built incrementally in a copy of a build of the tree. Sourced after
# lib/common.sh by tools/proof/run and tools/fstests/run.

# variant_patch VARIANT: the patch of VARIANT; stops, listing the variants, if there is none.
variant_patch() {
	local d=$REPO/tools/proof/variants

	[ -f "$d/$1.patch" ] ||
		die "no variant $1" "the variants, in $d: $(cd "$d" && ls -- *.patch | sed 's/\.patch$//' | paste -sd' ' -)"
	echo "$d/$1.patch"
}

# proof_const NAME: a constant of lib/proof_report.py (UPSTREAM, FUZZ_CATCHES,
# STRESS_CATCHES), its variants separated by spaces: the report checks what the runners run.
proof_const() {
	python3 -c "import sys; sys.path.insert(0, '$REPO/lib'); import proof_report as p
v = p.$1; print(v if isinstance(v, str) else ' '.join(v))" ||
		die "cannot read $1 of lib/proof_report.py"
}

# variant_files: every file that some variant changes, one a line. Each variant build gets
# a fresh copy of each of them (patched or not), so nothing compiled for one variant stays
# in the next.
variant_files() {
	local patch

	for patch in "$REPO"/tools/proof/variants/*.patch; do
		git apply --numstat "$patch" | cut -f3
	done | sed '/^$/d' | sort -u
}

# build_variant VARIANT OBJ OUT [IMAGE MAKE_ARG...]: build the tree with VARIANT applied in
# OBJ, a copy of a build directory of the tree, and copy the kernel, OBJ/IMAGE (default:
# linux, with ARCH=um; tools/subpage/proof: arch/arm64/boot/Image.gz with the arm64
# arguments and target), to OUT; prints its path. The files
# the variants change are patched copies in OUT/src, bind-mounted over the tree's own in a
# mount namespace of the build's own (lib/overlay): the tree is never changed, and only those
# files (and what includes them) are compiled again.
build_variant() {
	local v=$1 obj=$2 out=$3 src=$3/src image=${4:-linux} patch f start inodes
	local files=() make_args=(ARCH=um)

	[ $# -le 4 ] || make_args=("${@:5}")

	patch=$(variant_patch "$v") || exit 1
	mapfile -t files < <(variant_files)
	rm -rf "$src"
	mkdir -p "$src"
	for f in "${files[@]}"; do
		[ -f "$TREE/$f" ] || die "a variant changes $f, which is not in the tree" \
			"variants may only change files of the tree, not add any"
		mkdir -p "$src/$(dirname "$f")"
		cp "$TREE/$f" "$src/$f"
	done
	git -C "$src" init -q && git -C "$src" apply "$patch" ||
		die "variant $v does not apply to the tree" "refresh $patch against the tree"
	start=$(date +%s)
	# A tree file that is replaced while the build runs (git checkout, rebase) takes the
	# bind mount over it away, and the build reads the tree's file: see that its inode stayed.
	inodes=$(cd "$TREE" && stat -c %i "${files[@]}")
	if ! bounded "${BUILD_TIMEOUT:-1800}" "${PRIVATE_NS[@]}" "$REPO/lib/overlay" "$src" "$TREE" \
		"${files[@]}" -- make -C "$TREE" "${make_args[@]}" O="$obj" -j"$(jobs)" \
		>"$out/build.log" 2>&1; then
		die "the build of variant $v failed: $(grep -m1 -E ': (error|fatal error):|Error [0-9]+|lib/overlay:' "$out/build.log")" \
			"see $out/build.log"
	fi
	[ "$(cd "$TREE" && stat -c %i "${files[@]}")" = "$inodes" ] ||
		die "a file of the tree that variant $v changes was replaced during its build" \
			"leave $TREE alone during a build, then run again (tools/proof/README.md)"
	cp "$obj/$image" "$out/$(basename "$image")" ||
		die "no kernel in $obj after the build of $v" "see $out/build.log"
	info "built variant $v in $(($(date +%s) - start)) s" >&2
	echo "$out/$(basename "$image")"
}
