// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers for the btrfs KUnit suites, built on the sanity test helpers of
 * btrfs-tests.c. See btrfs_kunit.h.
 */

#include <kunit/test.h>
#include <linux/fs.h>
#include <linux/sizes.h>
#include "btrfs_kunit.h"
#include "btrfs-tests.h"
#include "../ctree.h"
#include "../btrfs_inode.h"
#include "../disk-io.h"
#include "../extent_io.h"
#include "../extent-io-tree.h"
#include "../file-item.h"
#include "../accessors.h"
#include "../space-info.h"
#include "../fs.h"

/*
 * The sanity test helpers put every dummy fs_info into the super block of one
 * pseudo mount, so a suite that uses them mounts it in .suite_init and its
 * cases run one after the other.
 */
int btrfs_kunit_suite_init(struct kunit_suite *suite)
{
	return btrfs_init_test_fs();
}

void btrfs_kunit_suite_exit(struct kunit_suite *suite)
{
	btrfs_destroy_test_fs();
}

KUNIT_DEFINE_ACTION_WRAPPER(free_fs_info_action, btrfs_free_dummy_fs_info,
			    struct btrfs_fs_info *);
KUNIT_DEFINE_ACTION_WRAPPER(free_root_action, btrfs_free_dummy_root,
			    struct btrfs_root *);

struct btrfs_fs_info *btrfs_kunit_alloc_fs_info(struct kunit *test,
						u32 nodesize, u32 sectorsize)
{
	struct btrfs_fs_info *fs_info;

	fs_info = btrfs_alloc_dummy_fs_info(nodesize, sectorsize);
	KUNIT_ASSERT_NOT_NULL_MSG(test, fs_info, "cannot allocate a dummy fs_info");
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, free_fs_info_action,
							fs_info), 0);
	return fs_info;
}

/* A dummy subvolume root whose tree is one empty leaf. */
struct btrfs_root *btrfs_kunit_alloc_root(struct kunit *test,
					  struct btrfs_fs_info *fs_info)
{
	struct btrfs_root *root;

	root = btrfs_alloc_dummy_root(fs_info);
	KUNIT_ASSERT_NOT_ERR_OR_NULL_MSG(test, root, "cannot allocate a dummy root");
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, free_root_action,
							root), 0);

	/* Freed with the root. */
	root->node = alloc_dummy_extent_buffer(fs_info, fs_info->nodesize);
	KUNIT_ASSERT_NOT_NULL_MSG(test, root->node, "cannot allocate a root node");
	btrfs_set_header_nritems(root->node, 0);
	btrfs_set_header_level(root->node, 0);
	return root;
}

static void release_inode(void *data)
{
	struct btrfs_inode *inode = data;

	clear_extent_bit(&inode->io_tree, 0, (u64)-1,
			 EXTENT_DELALLOC | EXTENT_DELALLOC_NEW |
			 EXTENT_NORESERVE | EXTENT_UPTODATE, NULL);
	iput(&inode->vfs_inode);
}

/*
 * A regular file of @i_size bytes in @root. Test inodes have no address space
 * operations: nothing may read, dirty or write back their pages.
 */
struct btrfs_inode *btrfs_kunit_new_inode(struct kunit *test,
					  struct btrfs_root *root, u64 i_size)
{
	struct inode *vfs_inode;
	struct btrfs_inode *inode;

	vfs_inode = btrfs_new_test_inode();
	KUNIT_ASSERT_NOT_NULL_MSG(test, vfs_inode, "cannot allocate a test inode");
	inode = BTRFS_I(vfs_inode);
	inode->root = root;
	i_size_write(vfs_inode, i_size);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, release_inode,
							inode), 0);
	return inode;
}

/* The usual setup: a dummy fs_info, a subvolume and a file of @i_size bytes. */
void btrfs_kunit_new_fs(struct kunit *test, struct btrfs_kunit_fs *fs,
			u32 sectorsize, u64 i_size)
{
	fs->fs_info = btrfs_kunit_alloc_fs_info(test, sectorsize, sectorsize);
	fs->root = btrfs_kunit_alloc_root(test, fs->fs_info);
	fs->inode = btrfs_kunit_new_inode(test, fs->root, i_size);
}

/* Make @inode NODATACOW, as "chattr +C" on an empty file does. */
void btrfs_kunit_set_nodatacow(struct btrfs_inode *inode)
{
	inode->flags |= BTRFS_INODE_NODATACOW | BTRFS_INODE_NODATASUM;
}

/*
 * Insert the file extent item that @desc describes for @inode into the leaf
 * that is the whole tree of its root, for btrfs_get_extent() to find. Items
 * go in file order: each one after the last item of the leaf.
 */
void btrfs_kunit_insert_file_extent(struct kunit *test, struct btrfs_inode *inode,
				    const struct btrfs_kunit_extent *desc)
{
	struct extent_buffer *leaf = inode->root->node;
	struct btrfs_file_extent_item *fi;
	struct btrfs_path path = { 0 };
	struct btrfs_key key;
	u32 nritems = btrfs_header_nritems(leaf);
	u64 ram_bytes = desc->ram_bytes ?: desc->disk_num_bytes;
	u64 disk_bytenr = desc->disk_bytenr;
	u64 disk_num_bytes = desc->disk_num_bytes;
	u64 offset = desc->offset;
	u8 type = BTRFS_FILE_EXTENT_REG;
	u8 compression = BTRFS_COMPRESS_NONE;
	u32 size = sizeof(*fi);

	KUNIT_ASSERT_EQ(test, btrfs_header_level(leaf), 0);
	key.objectid = btrfs_ino(inode);
	key.type = BTRFS_EXTENT_DATA_KEY;
	key.offset = desc->start;
	if (nritems) {
		struct btrfs_key last;

		btrfs_item_key_to_cpu(leaf, &last, nritems - 1);
		KUNIT_ASSERT_LT_MSG(test, btrfs_comp_cpu_keys(&last, &key), 0,
				    "file extent item at %llu inserted out of order",
				    desc->start);
	}

	switch (desc->type) {
	case BTRFS_KUNIT_HOLE:
		disk_bytenr = 0;
		disk_num_bytes = 0;
		offset = 0;
		ram_bytes = desc->len;
		break;
	case BTRFS_KUNIT_INLINE:
		KUNIT_ASSERT_EQ_MSG(test, desc->start, 0,
				    "inline extents only exist at file offset 0");
		type = BTRFS_FILE_EXTENT_INLINE;
		ram_bytes = desc->ram_bytes ?: desc->len;
		size = btrfs_file_extent_calc_inline_size(ram_bytes);
		break;
	case BTRFS_KUNIT_COMPRESSED:
		compression = BTRFS_COMPRESS_ZLIB;
		break;
	case BTRFS_KUNIT_PREALLOC:
		type = BTRFS_FILE_EXTENT_PREALLOC;
		break;
	case BTRFS_KUNIT_REG:
		break;
	}
	if (type != BTRFS_FILE_EXTENT_INLINE && desc->type != BTRFS_KUNIT_HOLE)
		KUNIT_ASSERT_LE_MSG(test, offset + desc->len, ram_bytes,
				    "file extent item [%llu, %llu) overruns its extent",
				    desc->start, desc->start + desc->len);
	KUNIT_ASSERT_GE_MSG(test, btrfs_leaf_free_space(leaf),
			    (int)(sizeof(struct btrfs_item) + size),
			    "no room in the leaf for the item at %llu", desc->start);

	/* No transaction: the leaf is a dummy extent buffer, the tree's root. */
	path.nodes[0] = leaf;
	path.slots[0] = nritems;
	btrfs_setup_item_for_insert(NULL, inode->root, &path, &key, size);
	fi = btrfs_item_ptr(leaf, nritems, struct btrfs_file_extent_item);
	btrfs_set_file_extent_generation(leaf, fi, 1);
	btrfs_set_file_extent_type(leaf, fi, type);
	btrfs_set_file_extent_ram_bytes(leaf, fi, ram_bytes);
	btrfs_set_file_extent_compression(leaf, fi, compression);
	btrfs_set_file_extent_encryption(leaf, fi, 0);
	btrfs_set_file_extent_other_encoding(leaf, fi, 0);
	if (type == BTRFS_FILE_EXTENT_INLINE) {
		memzero_extent_buffer(leaf, btrfs_file_extent_inline_start(fi),
				      ram_bytes);
		return;
	}
	btrfs_set_file_extent_disk_bytenr(leaf, fi, disk_bytenr);
	btrfs_set_file_extent_disk_num_bytes(leaf, fi, disk_num_bytes);
	btrfs_set_file_extent_offset(leaf, fi, offset);
	btrfs_set_file_extent_num_bytes(leaf, fi, desc->len);
}

void btrfs_kunit_insert_file_extents(struct kunit *test,
				     struct btrfs_inode *inode,
				     const struct btrfs_kunit_extent *descs,
				     unsigned int nr)
{
	for (unsigned int i = 0; i < nr; i++)
		btrfs_kunit_insert_file_extent(test, inode, &descs[i]);
}

struct data_resv {
	struct btrfs_fs_info *fs_info;
	u64 bytes;
};

static void release_data_resv(void *data)
{
	struct data_resv *resv = data;

	btrfs_space_info_free_bytes_may_use(resv->fs_info,
					    resv->fs_info->data_sinfo,
					    resv->bytes);
}

/*
 * Mark [@start, @start + @len) of @inode dirty as a buffered write does: with
 * a data reservation taken from the data space_info (@reserved), or without
 * one, as a write that can only be done in place (NOCOW), which leaves
 * EXTENT_NORESERVE in the io tree.
 */
void btrfs_kunit_dirty_range(struct kunit *test, struct btrfs_inode *inode,
			     u64 start, u64 len, bool reserved)
{
	struct btrfs_fs_info *fs_info = inode->root->fs_info;
	int ret;

	if (reserved) {
		struct data_resv *resv;

		KUNIT_ASSERT_NOT_NULL_MSG(test, fs_info->data_sinfo,
					  "a reserved write needs a data space_info");
		ret = btrfs_reserve_data_bytes(fs_info, len, BTRFS_RESERVE_NO_FLUSH);
		KUNIT_ASSERT_EQ_MSG(test, ret, 0,
				    "cannot reserve %llu bytes of data space", len);
		resv = kunit_kzalloc(test, sizeof(*resv), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, resv);
		resv->fs_info = fs_info;
		resv->bytes = len;
		KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
								release_data_resv,
								resv), 0);
	}

	ret = btrfs_set_extent_delalloc(inode, start, start + len - 1,
					reserved ? 0 : EXTENT_NORESERVE, NULL);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "cannot mark [%llu, %llu) delalloc",
			    start, start + len);
}

static void remove_space_info(void *data)
{
	struct btrfs_space_info *sinfo = data;

	list_del(&sinfo->list);
	if (sinfo->fs_info->data_sinfo == sinfo)
		sinfo->fs_info->data_sinfo = NULL;
	kfree(sinfo);
}

/*
 * Give @fs_info a data space_info of @total_bytes, of which @used_bytes are
 * used and @may_use_bytes reserved. With used + may_use == total it is full:
 * every data reservation fails with -ENOSPC.
 */
struct btrfs_space_info *
btrfs_kunit_add_data_space_info(struct kunit *test,
				struct btrfs_fs_info *fs_info, u64 total_bytes,
				u64 used_bytes, u64 may_use_bytes)
{
	struct btrfs_space_info *sinfo;

	KUNIT_ASSERT_NULL_MSG(test, fs_info->data_sinfo,
			      "the fs_info has a data space_info already");
	sinfo = kzalloc(sizeof(*sinfo), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, sinfo);
	btrfs_init_one_space_info(fs_info, sinfo, BTRFS_BLOCK_GROUP_DATA);
	sinfo->total_bytes = total_bytes;
	sinfo->disk_total = total_bytes;
	sinfo->bytes_used = used_bytes;
	sinfo->disk_used = used_bytes;
	sinfo->bytes_may_use = may_use_bytes;
	list_add(&sinfo->list, &fs_info->space_info);
	fs_info->data_sinfo = sinfo;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, remove_space_info,
							sinfo), 0);
	return sinfo;
}
