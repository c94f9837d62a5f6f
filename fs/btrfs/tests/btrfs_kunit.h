/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the btrfs KUnit suites: a dummy filesystem built from the
 * sanity test helpers, fake file extent items, fake delalloc ranges and a
 * fake data space_info. Everything a helper creates is released by a KUnit
 * cleanup action, so a case that fails half way leaks nothing.
 */

#ifndef BTRFS_TESTS_KUNIT_H
#define BTRFS_TESTS_KUNIT_H

#include <kunit/test.h>
#include <linux/types.h>

struct btrfs_fs_info;
struct btrfs_inode;
struct btrfs_root;
struct btrfs_space_info;

/* The kind of a file extent item. */
enum btrfs_kunit_extent_type {
	/* A regular, uncompressed extent. */
	BTRFS_KUNIT_REG,
	/* A preallocated extent (fallocate), written in place. */
	BTRFS_KUNIT_PREALLOC,
	/* A regular extent compressed with zlib. */
	BTRFS_KUNIT_COMPRESSED,
	/* A hole: an explicit hole item. */
	BTRFS_KUNIT_HOLE,
	/* Data inline in the item, at file offset 0. */
	BTRFS_KUNIT_INLINE,
};

/**
 * struct btrfs_kunit_extent - description of a fake file extent
 * @type:		the kind of extent
 * @start:		file offset of the extent (the key offset of its item)
 * @len:		length of the extent in the file (for an inline
 *			extent, of the range btrfs_get_extent() maps)
 * @disk_bytenr:	start of the extent on disk (ignored for holes and
 *			inline extents)
 * @disk_num_bytes:	size of the whole extent on disk (for a compressed
 *			extent, the compressed size)
 * @offset:		where in the extent the file range starts, so that the
 *			extent begins at file offset @start - @offset
 * @ram_bytes:		uncompressed size of the whole extent (for an inline
 *			extent, of its data); 0 means @disk_num_bytes (@len
 *			for an inline extent)
 *
 * It describes a file extent item (btrfs_kunit_insert_file_extent()).
 * Several of them with the same @disk_bytenr describe one extent on disk that
 * writes into parts of it have split, as btrfs_mark_extent_written() splits
 * a preallocated extent.
 */
struct btrfs_kunit_extent {
	enum btrfs_kunit_extent_type type;
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
struct btrfs_inode *btrfs_kunit_new_inode(struct kunit *test,
					  struct btrfs_root *root,
					  u64 i_size);
void btrfs_kunit_new_fs(struct kunit *test, struct btrfs_kunit_fs *fs,
			u32 sectorsize, u64 i_size);

void btrfs_kunit_set_nodatacow(struct btrfs_inode *inode);
void btrfs_kunit_insert_file_extent(struct kunit *test, struct btrfs_inode *inode,
				    const struct btrfs_kunit_extent *desc);
void btrfs_kunit_insert_file_extents(struct kunit *test,
				     struct btrfs_inode *inode,
				     const struct btrfs_kunit_extent *descs,
				     unsigned int nr);

void btrfs_kunit_dirty_range(struct kunit *test, struct btrfs_inode *inode,
			     u64 start, u64 len, bool reserved);

struct btrfs_space_info *
btrfs_kunit_add_data_space_info(struct kunit *test,
				struct btrfs_fs_info *fs_info, u64 total_bytes,
				u64 used_bytes, u64 may_use_bytes);

#endif
