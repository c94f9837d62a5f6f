// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the helpers that the btrfs KUnit suites build their fake
 * filesystems with: if a helper does not build what it says, every suite on
 * top of it tests the wrong thing.
 */

#include <kunit/test.h>
#include <linux/sizes.h>
#include "btrfs_kunit.h"
#include "../ctree.h"
#include "../btrfs_inode.h"
#include "../extent_map.h"
#include "../extent-io-tree.h"
#include "../space-info.h"
#include "../fs.h"

#define SECTORSIZE	SZ_4K

KUNIT_DEFINE_ACTION_WRAPPER(free_extent_map_action, btrfs_free_extent_map,
			    struct extent_map *);

static struct extent_map *get_extent(struct kunit *test,
				     struct btrfs_inode *inode, u64 start)
{
	struct extent_map *em;

	em = btrfs_get_extent(inode, NULL, start, SECTORSIZE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, em);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, free_extent_map_action,
							em), 0);
	return em;
}

static void dummy_fs_has_a_file_in_a_subvolume(struct kunit *test)
{
	struct btrfs_kunit_fs fs;

	btrfs_kunit_new_fs(test, &fs, SECTORSIZE, SZ_1M);

	KUNIT_EXPECT_TRUE(test, btrfs_is_testing(fs.fs_info));
	KUNIT_EXPECT_EQ(test, fs.fs_info->sectorsize, SECTORSIZE);
	KUNIT_EXPECT_PTR_EQ(test, fs.root->fs_info, fs.fs_info);
	KUNIT_EXPECT_PTR_EQ(test, fs.inode->root, fs.root);
	KUNIT_EXPECT_EQ(test, i_size_read(&fs.inode->vfs_inode), SZ_1M);
	KUNIT_EXPECT_TRUE(test, S_ISREG(fs.inode->vfs_inode.i_mode));
	KUNIT_EXPECT_EQ(test, btrfs_header_nritems(fs.root->node), 0);
	KUNIT_EXPECT_NULL(test, fs.fs_info->data_sinfo);
}

static void file_extent_items_are_read_back_by_get_extent(struct kunit *test)
{
	/*
	 * Inline data, an explicit hole, a compressed extent, and a 64K
	 * preallocated extent whose second 16K were written: prealloc,
	 * regular, prealloc items over one disk extent.
	 */
	const struct btrfs_kunit_extent items[] = {
		{ .type = BTRFS_KUNIT_INLINE, .start = 0, .len = SECTORSIZE,
		  .ram_bytes = 100 },
		{ .type = BTRFS_KUNIT_HOLE, .start = SECTORSIZE,
		  .len = SZ_16K - SECTORSIZE },
		{ .type = BTRFS_KUNIT_COMPRESSED, .start = SZ_16K,
		  .len = SZ_128K, .disk_bytenr = SZ_1M,
		  .disk_num_bytes = SZ_8K, .ram_bytes = SZ_128K },
		{ .type = BTRFS_KUNIT_PREALLOC, .start = SZ_128K + SZ_16K,
		  .len = SZ_16K, .disk_bytenr = SZ_2M, .disk_num_bytes = SZ_64K },
		{ .type = BTRFS_KUNIT_REG, .start = SZ_128K + SZ_32K,
		  .len = SZ_16K, .disk_bytenr = SZ_2M, .disk_num_bytes = SZ_64K,
		  .offset = SZ_16K },
		{ .type = BTRFS_KUNIT_PREALLOC, .start = SZ_128K + SZ_32K + SZ_16K,
		  .len = SZ_32K, .disk_bytenr = SZ_2M, .disk_num_bytes = SZ_64K,
		  .offset = SZ_32K },
	};
	struct btrfs_kunit_fs fs;
	struct extent_map *em;

	btrfs_kunit_new_fs(test, &fs, SECTORSIZE, SZ_256K);
	btrfs_kunit_insert_file_extents(test, fs.inode, items, ARRAY_SIZE(items));
	KUNIT_EXPECT_EQ(test, btrfs_header_nritems(fs.root->node), ARRAY_SIZE(items));

	em = get_extent(test, fs.inode, 0);
	KUNIT_EXPECT_EQ(test, em->disk_bytenr, EXTENT_MAP_INLINE);
	KUNIT_EXPECT_EQ(test, em->ram_bytes, 100);
	em = get_extent(test, fs.inode, SZ_8K);
	KUNIT_EXPECT_EQ(test, em->disk_bytenr, EXTENT_MAP_HOLE);
	KUNIT_EXPECT_EQ(test, em->start, SECTORSIZE);
	KUNIT_EXPECT_EQ(test, em->len, SZ_16K - SECTORSIZE);
	em = get_extent(test, fs.inode, SZ_64K);
	KUNIT_EXPECT_TRUE(test, extent_map_is_compressed(em));
	KUNIT_EXPECT_EQ(test, em->start, SZ_16K);
	KUNIT_EXPECT_EQ(test, em->disk_num_bytes, SZ_8K);
	KUNIT_EXPECT_EQ(test, em->ram_bytes, SZ_128K);

	em = get_extent(test, fs.inode, SZ_128K + SZ_16K);
	KUNIT_EXPECT_TRUE(test, em->flags & EXTENT_FLAG_PREALLOC);
	KUNIT_EXPECT_EQ(test, em->len, SZ_16K);
	KUNIT_EXPECT_EQ(test, em->disk_bytenr, SZ_2M);
	em = get_extent(test, fs.inode, SZ_128K + SZ_32K);
	KUNIT_EXPECT_FALSE_MSG(test, em->flags & EXTENT_FLAG_PREALLOC,
			       "the written part of the extent is regular");
	KUNIT_EXPECT_EQ(test, em->disk_bytenr, SZ_2M);
	KUNIT_EXPECT_EQ(test, em->disk_num_bytes, SZ_64K);
	KUNIT_EXPECT_EQ(test, em->offset, SZ_16K);
	em = get_extent(test, fs.inode, SZ_128K + SZ_32K + SZ_16K);
	KUNIT_EXPECT_TRUE(test, em->flags & EXTENT_FLAG_PREALLOC);
	KUNIT_EXPECT_EQ(test, em->start, SZ_128K + SZ_32K + SZ_16K);
	KUNIT_EXPECT_EQ(test, em->len, SZ_32K);
	KUNIT_EXPECT_EQ(test, em->offset, SZ_32K);
}

static void nodatacow_inode_has_the_flags_of_chattr_c(struct kunit *test)
{
	struct btrfs_kunit_fs fs;

	btrfs_kunit_new_fs(test, &fs, SECTORSIZE, 0);
	KUNIT_EXPECT_FALSE(test, fs.inode->flags & BTRFS_INODE_NODATACOW);
	btrfs_kunit_set_nodatacow(fs.inode);
	KUNIT_EXPECT_TRUE(test, fs.inode->flags & BTRFS_INODE_NODATACOW);
	KUNIT_EXPECT_TRUE(test, fs.inode->flags & BTRFS_INODE_NODATASUM);
}

static void dirty_range_without_reservation_is_marked_noreserve(struct kunit *test)
{
	struct btrfs_kunit_fs fs;
	struct btrfs_space_info *sinfo;
	struct extent_io_tree *io_tree;
	u64 start, end;

	btrfs_kunit_new_fs(test, &fs, SECTORSIZE, SZ_1M);
	sinfo = btrfs_kunit_add_data_space_info(test, fs.fs_info, SZ_1G, SZ_1G, 0);
	io_tree = &fs.inode->io_tree;

	btrfs_kunit_dirty_range(test, fs.inode, SZ_64K, SZ_16K, false);

	KUNIT_EXPECT_TRUE(test, test_range_bit(io_tree, SZ_64K, SZ_64K + SZ_16K - 1,
					       EXTENT_DELALLOC, NULL));
	KUNIT_EXPECT_TRUE(test, test_range_bit(io_tree, SZ_64K, SZ_64K + SZ_16K - 1,
					       EXTENT_NORESERVE, NULL));
	KUNIT_ASSERT_TRUE(test, find_first_extent_bit(io_tree, 0, &start, &end,
						      EXTENT_DELALLOC, NULL));
	KUNIT_EXPECT_EQ(test, start, SZ_64K);
	KUNIT_EXPECT_EQ(test, end, SZ_64K + SZ_16K - 1);
	KUNIT_EXPECT_EQ_MSG(test, sinfo->bytes_may_use, 0,
			    "a write without a reservation reserved data space");
}

static void dirty_range_with_reservation_takes_data_space(struct kunit *test)
{
	struct btrfs_kunit_fs fs;
	struct btrfs_space_info *sinfo;
	struct extent_io_tree *io_tree;

	btrfs_kunit_new_fs(test, &fs, SECTORSIZE, SZ_1M);
	sinfo = btrfs_kunit_add_data_space_info(test, fs.fs_info, SZ_1G, 0, 0);
	io_tree = &fs.inode->io_tree;

	btrfs_kunit_dirty_range(test, fs.inode, 0, SZ_32K, true);

	KUNIT_EXPECT_TRUE(test, test_range_bit(io_tree, 0, SZ_32K - 1,
					       EXTENT_DELALLOC, NULL));
	KUNIT_EXPECT_FALSE(test, test_range_bit_exists(io_tree, 0, SZ_32K - 1,
						       EXTENT_NORESERVE));
	KUNIT_EXPECT_EQ(test, sinfo->bytes_may_use, SZ_32K);
}

static void full_data_space_info_refuses_reservations(struct kunit *test)
{
	struct btrfs_kunit_fs fs;
	struct btrfs_space_info *sinfo;

	btrfs_kunit_new_fs(test, &fs, SECTORSIZE, SZ_1M);
	sinfo = btrfs_kunit_add_data_space_info(test, fs.fs_info, SZ_1G,
						SZ_1G - SZ_1M, SZ_1M);

	KUNIT_EXPECT_PTR_EQ(test, fs.fs_info->data_sinfo, sinfo);
	KUNIT_EXPECT_EQ(test, btrfs_reserve_data_bytes(fs.fs_info, SECTORSIZE,
						       BTRFS_RESERVE_NO_FLUSH),
			-ENOSPC);
	KUNIT_EXPECT_EQ(test, sinfo->bytes_may_use, SZ_1M);
}

static void data_space_info_with_room_grants_reservations(struct kunit *test)
{
	struct btrfs_kunit_fs fs;
	struct btrfs_space_info *sinfo;

	btrfs_kunit_new_fs(test, &fs, SECTORSIZE, SZ_1M);
	sinfo = btrfs_kunit_add_data_space_info(test, fs.fs_info, SZ_1G,
						SZ_1G - SZ_1M, 0);

	KUNIT_ASSERT_EQ(test, btrfs_reserve_data_bytes(fs.fs_info, SZ_1M,
						       BTRFS_RESERVE_NO_FLUSH), 0);
	KUNIT_EXPECT_EQ(test, sinfo->bytes_may_use, SZ_1M);
	KUNIT_EXPECT_EQ(test, btrfs_reserve_data_bytes(fs.fs_info, SECTORSIZE,
						       BTRFS_RESERVE_NO_FLUSH),
			-ENOSPC);
	btrfs_space_info_free_bytes_may_use(fs.fs_info, sinfo, SZ_1M);
}

static struct kunit_case btrfs_test_helpers_cases[] = {
	KUNIT_CASE(dummy_fs_has_a_file_in_a_subvolume),
	KUNIT_CASE(file_extent_items_are_read_back_by_get_extent),
	KUNIT_CASE(nodatacow_inode_has_the_flags_of_chattr_c),
	KUNIT_CASE(dirty_range_without_reservation_is_marked_noreserve),
	KUNIT_CASE(dirty_range_with_reservation_takes_data_space),
	KUNIT_CASE(full_data_space_info_refuses_reservations),
	KUNIT_CASE(data_space_info_with_room_grants_reservations),
	{}
};

static struct kunit_suite btrfs_test_helpers_suite = {
	.name = "btrfs_test_helpers",
	.suite_init = btrfs_kunit_suite_init,
	.suite_exit = btrfs_kunit_suite_exit,
	.test_cases = btrfs_test_helpers_cases,
};

kunit_test_suite(btrfs_test_helpers_suite);
