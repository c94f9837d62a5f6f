/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the btrfs KUnit suites: a dummy filesystem built from the
 * sanity test helpers, fake extent maps, fake delalloc ranges and a fake
 * data space_info. Everything a helper creates is released by a KUnit cleanup
 * action, so a case that fails half way leaks nothing.
 */

#ifndef BTRFS_TESTS_KUNIT_H
#define BTRFS_TESTS_KUNIT_H

#include <kunit/test.h>
#include <linux/types.h>

struct btrfs_fs_info;
struct btrfs_inode;
struct btrfs_root;
struct btrfs_space_info;
struct extent_buffer;

/* The kind of file extent that a fake extent map describes. */
enum btrfs_kunit_em_type {
	/* A regular, uncompressed extent. */
	BTRFS_KUNIT_EM_REG,
	/* A preallocated extent (fallocate), written in place. */
	BTRFS_KUNIT_EM_PREALLOC,
	/* A regular extent compressed with zlib. */
	BTRFS_KUNIT_EM_COMPRESSED,
	BTRFS_KUNIT_EM_HOLE,
	BTRFS_KUNIT_EM_INLINE,
};

/**
 * struct btrfs_kunit_em - description of a fake extent map
 * @type:		the kind of extent
 * @start:		file offset of the extent map
 * @len:		length of the extent map
 * @disk_bytenr:	start of the extent on disk (ignored for holes and
 *			inline extents)
 * @disk_num_bytes:	size of the whole extent on disk (for a compressed
 *			extent, the compressed size)
 * @offset:		where in the extent the extent map starts, so that the
 *			extent begins at file offset @start - @offset
 * @ram_bytes:		uncompressed size of the whole extent; 0 means
 *			@disk_num_bytes
 *
 * Several extent maps with the same @disk_bytenr describe one extent that
 * was split by writes into parts of it, as btrfs_get_extent() would load
 * them from split file extent items.
 */
struct btrfs_kunit_em {
	enum btrfs_kunit_em_type type;
	u64 start;
	u64 len;
	u64 disk_bytenr;
	u64 disk_num_bytes;
	u64 offset;
	u64 ram_bytes;
};

/**
 * struct btrfs_kunit_fs - a dummy filesystem with one subvolume and one file
 * @fs_info:	dummy fs_info
 * @root:	dummy subvolume root, with an empty leaf as its tree
 * @inode:	a regular file in @root
 */
struct btrfs_kunit_fs {
	struct btrfs_fs_info *fs_info;
	struct btrfs_root *root;
	struct btrfs_inode *inode;
};

int btrfs_kunit_suite_init(struct kunit_suite *suite);
void btrfs_kunit_suite_exit(struct kunit_suite *suite);

struct btrfs_fs_info *btrfs_kunit_alloc_fs_info(struct kunit *test,
						u32 nodesize, u32 sectorsize);
struct btrfs_root *btrfs_kunit_alloc_root(struct kunit *test,
					  struct btrfs_fs_info *fs_info);
struct extent_buffer *btrfs_kunit_alloc_leaf(struct kunit *test,
					     struct btrfs_fs_info *fs_info,
					     u64 start);
struct btrfs_inode *btrfs_kunit_new_inode(struct kunit *test,
					  struct btrfs_root *root,
					  u64 i_size);
void btrfs_kunit_new_fs(struct kunit *test, struct btrfs_kunit_fs *fs,
			u32 sectorsize, u64 i_size);

void btrfs_kunit_add_extent_map(struct kunit *test, struct btrfs_inode *inode,
				const struct btrfs_kunit_em *desc);
void btrfs_kunit_add_extent_maps(struct kunit *test, struct btrfs_inode *inode,
				 const struct btrfs_kunit_em *descs,
				 unsigned int nr);

void btrfs_kunit_dirty_range(struct kunit *test, struct btrfs_inode *inode,
			     u64 start, u64 len, bool reserved);

struct btrfs_space_info *
btrfs_kunit_add_data_space_info(struct kunit *test,
				struct btrfs_fs_info *fs_info, u64 total_bytes,
				u64 used_bytes, u64 may_use_bytes);

#endif
