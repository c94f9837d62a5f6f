// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of what a clone or dedupe writes back before it shares extents.
 *
 * A buffered write that finds no data space is accepted without a reservation
 * (EXTENT_NORESERVE) when it can go in place: into a preallocated extent, or a
 * regular extent of a NODATACOW inode. Back references are per disk extent, so
 * once a remap shares a disk extent, such data in any part of it, whatever the
 * file extent items over that part look like, can only be written by COW, and
 * there is no space to do it. The expectations come from the layout alone:
 * the disk extents that the file extent items of the source range point into
 * (bytenr and length), the ranges dirtied without and with a reservation.
 *
 * Writeback cannot run on test inodes (they have no pages):
 * btrfs_wait_ordered_range() is replaced by a static stub that records the
 * range and clears EXTENT_DELALLOC on it, which also clears EXTENT_NORESERVE,
 * as writeback of the range does.
 */

#include <kunit/test.h>
#include <kunit/static_stub.h>
#include <linux/sizes.h>
#include "btrfs-kunit.h"
#include "../ctree.h"
#include "../btrfs_inode.h"
#include "../extent_map.h"
#include "../extent-io-tree.h"
#include "../ordered-data.h"
#include "../reflink.h"
#include "../space-info.h"
#include "../accessors.h"
#include "../fs.h"

#define SECTORSIZE	SZ_4K
#define NODESIZE	SZ_16K
#define MAX_ITEMS	6
#define MAX_CACHED	2
#define MAX_RANGES	3
#define MAX_WRITEBACKS	16

/* Disk addresses of the extents of a layout, far apart. */
#define DISK(n)		((u64)(n) * SZ_1G)

/* A file range [start, start + len), or the end of a list when len is 0. */
struct file_range {
	u64 start;
	u64 len;
};

/**
 * struct remap_layout - a file, its dirty data and the source of a remap
 * @name:	what the layout shows, for the KTAP line
 * @i_size:	file size
 * @nodatacow:	the inode is NODATACOW
 * @items:	the file extent items, in file order; no item reads as a hole
 * @cached:	extent maps that only the cache holds, added over the items:
 *		merged maps, pinned maps of NOCOW writes in flight
 * @noreserve:	ranges dirtied without a data reservation
 * @reserved:	ranges dirtied with a data reservation
 * @dedupe:	the remap is a dedupe (a clone otherwise)
 * @pos:	start of the remap's source range
 * @len:	length of the source range; 0 clones up to EOF
 */
struct remap_layout {
	const char *name;
	u64 i_size;
	bool nodatacow;
	struct btrfs_kunit_extent items[MAX_ITEMS];
	struct btrfs_kunit_extent cached[MAX_CACHED];
	struct file_range noreserve[MAX_RANGES];
	struct file_range reserved[MAX_RANGES];
	bool dedupe;
	u64 pos;
	u64 len;
};

#define EXTENT(t, s, l, bytenr, size, off)				\
	{ .type = (t), .start = (s), .len = (l), .disk_bytenr = (bytenr), \
	  .disk_num_bytes = (size), .offset = (off) }
#define PREALLOC(s, l, bytenr, size, off)				\
	EXTENT(BTRFS_KUNIT_PREALLOC, s, l, bytenr, size, off)
#define REG(s, l, bytenr, size, off)					\
	EXTENT(BTRFS_KUNIT_REG, s, l, bytenr, size, off)
/* The pinned regular extent map of a NOCOW write in flight. */
#define IO_EM(s, l, bytenr, size, off)					\
	{ .type = BTRFS_KUNIT_REG, .start = (s), .len = (l),		\
	  .disk_bytenr = (bytenr), .disk_num_bytes = (size),		\
	  .offset = (off), .pinned = true }
#define COMPRESSED(s, l, bytenr, size, ram)				\
	{ .type = BTRFS_KUNIT_COMPRESSED, .start = (s), .len = (l),	\
	  .disk_bytenr = (bytenr), .disk_num_bytes = (size),		\
	  .ram_bytes = (ram) }
#define HOLE(s, l)	{ .type = BTRFS_KUNIT_HOLE, .start = (s), .len = (l) }
#define INLINE(size)							\
	{ .type = BTRFS_KUNIT_INLINE, .start = 0, .len = SECTORSIZE,	\
	  .ram_bytes = (size) }

/*
 * Most layouts are a 1M preallocated extent at file offset 0, DISK(1), part
 * of which was written and synced: prealloc and regular items over the one
 * disk extent, each at its own offset in it. COW_TAIL follows, a 256K extent
 * of its own.
 */
#define COW_TAIL		REG(SZ_1M, SZ_256K, DISK(2), SZ_256K, 0)

static const struct remap_layout remap_layouts[] = {
	{
		.name = "clone from the written middle of a prealloc extent",
		.i_size = SZ_1M + SZ_256K,
		.items = {
			PREALLOC(0, SZ_256K, DISK(1), SZ_1M, 0),
			REG(SZ_256K, SZ_128K, DISK(1), SZ_1M, SZ_256K),
			PREALLOC(SZ_256K + SZ_128K, SZ_512K + SZ_128K, DISK(1), SZ_1M,
				 SZ_256K + SZ_128K),
			COW_TAIL,
		},
		.noreserve = { { SZ_64K, SZ_16K }, { SZ_512K + SZ_256K, SZ_32K } },
		.reserved = { { SZ_1M + SZ_64K, SZ_64K } },
		.pos = SZ_256K + SECTORSIZE, .len = SECTORSIZE,
	},
	{
		.name = "dedupe from the written middle of a prealloc extent",
		.i_size = SZ_1M + SZ_256K,
		.items = {
			PREALLOC(0, SZ_256K, DISK(1), SZ_1M, 0),
			REG(SZ_256K, SZ_128K, DISK(1), SZ_1M, SZ_256K),
			PREALLOC(SZ_256K + SZ_128K, SZ_512K + SZ_128K, DISK(1), SZ_1M,
				 SZ_256K + SZ_128K),
			COW_TAIL,
		},
		.noreserve = { { SZ_64K, SZ_16K }, { SZ_512K + SZ_256K, SZ_32K } },
		.reserved = { { SZ_1M + SZ_64K, SZ_64K } },
		.dedupe = true, .pos = SZ_256K, .len = SZ_64K,
	},
	{
		.name = "clone from the written start of a prealloc extent",
		.i_size = SZ_1M + SZ_256K,
		.items = {
			REG(0, SZ_128K, DISK(1), SZ_1M, 0),
			PREALLOC(SZ_128K, SZ_1M - SZ_128K, DISK(1), SZ_1M, SZ_128K),
			COW_TAIL,
		},
		.noreserve = { { SZ_1M - SZ_16K, SZ_16K } },
		.reserved = { { SZ_1M + SZ_64K, SZ_64K } },
		.pos = 0, .len = SECTORSIZE,
	},
	{
		.name = "dedupe from the written start of a prealloc extent",
		.i_size = SZ_1M + SZ_256K,
		.items = {
			REG(0, SZ_128K, DISK(1), SZ_1M, 0),
			PREALLOC(SZ_128K, SZ_1M - SZ_128K, DISK(1), SZ_1M, SZ_128K),
			COW_TAIL,
		},
		.noreserve = { { SZ_1M - SZ_16K, SZ_16K } },
		.reserved = { { SZ_1M + SZ_64K, SZ_64K } },
		.dedupe = true, .pos = 0, .len = SZ_128K,
	},
	{
		.name = "clone from the written end of a prealloc extent",
		.i_size = SZ_1M + SZ_256K,
		.items = {
			PREALLOC(0, SZ_1M - SZ_128K, DISK(1), SZ_1M, 0),
			REG(SZ_1M - SZ_128K, SZ_128K, DISK(1), SZ_1M, SZ_1M - SZ_128K),
			COW_TAIL,
		},
		.noreserve = { { SZ_8K, SZ_8K } },
		.reserved = { { SZ_1M + SZ_64K, SZ_64K } },
		.pos = SZ_1M - SECTORSIZE, .len = SECTORSIZE,
	},
	{
		.name = "dedupe from the written end of a prealloc extent",
		.i_size = SZ_1M + SZ_256K,
		.items = {
			PREALLOC(0, SZ_1M - SZ_128K, DISK(1), SZ_1M, 0),
			REG(SZ_1M - SZ_128K, SZ_128K, DISK(1), SZ_1M, SZ_1M - SZ_128K),
			COW_TAIL,
		},
		.noreserve = { { SZ_8K, SZ_8K } },
		.reserved = { { SZ_1M + SZ_64K, SZ_64K } },
		.dedupe = true, .pos = SZ_1M - SZ_128K, .len = SZ_128K,
	},
	{
		/*
		 * The reproducer: falloc 8k 2m, a write at 1m whose first
		 * 256K reached disk while its tail is still dirty without a
		 * reservation, and a clone of its first block to offset 0 of
		 * the same file, over data dirtied before the disk filled.
		 */
		.name = "clone within the file of the first written block of a write",
		.i_size = SZ_2M + SZ_8K,
		.items = {
			PREALLOC(SZ_8K, SZ_1M - SZ_8K, DISK(1), SZ_2M, 0),
			REG(SZ_1M, SZ_256K, DISK(1), SZ_2M, SZ_1M - SZ_8K),
			PREALLOC(SZ_1M + SZ_256K, SZ_1M - SZ_256K + SZ_8K,
				 DISK(1), SZ_2M, SZ_1M + SZ_256K - SZ_8K),
		},
		.noreserve = { { SZ_1M + SZ_256K, SZ_128K } },
		.reserved = { { 0, SZ_8K } },
		.pos = SZ_1M, .len = SECTORSIZE,
	},
	{
		.name = "clone from a NOCOW write in flight into a prealloc extent",
		.i_size = SZ_1M + SZ_256K,
		.items = {
			PREALLOC(0, SZ_1M, DISK(1), SZ_1M, 0),
			COW_TAIL,
		},
		.cached = { IO_EM(SZ_256K, SZ_128K, DISK(1), SZ_1M, SZ_256K) },
		.noreserve = { { SZ_512K + SZ_256K, SZ_32K } },
		.reserved = { { SZ_1M + SZ_64K, SZ_64K } },
		.pos = SZ_256K + SECTORSIZE, .len = SECTORSIZE,
	},
	{
		.name = "clone from one of two prealloc extents merged in the cache",
		.i_size = SZ_512K + SZ_256K,
		.items = {
			PREALLOC(0, SZ_256K, DISK(1), SZ_256K, 0),
			PREALLOC(SZ_256K, SZ_256K, DISK(1) + SZ_256K, SZ_256K, 0),
			REG(SZ_512K, SZ_256K, DISK(2), SZ_256K, 0),
		},
		.cached = {
			PREALLOC(0, SZ_256K, DISK(1), SZ_256K, 0),
			PREALLOC(SZ_256K, SZ_256K, DISK(1) + SZ_256K, SZ_256K, 0),
		},
		.noreserve = { { SZ_64K, SZ_16K }, { SZ_256K + SZ_128K + SZ_64K, SZ_16K } },
		.reserved = { { SZ_512K + SZ_64K, SZ_64K } },
		.pos = SZ_256K + SECTORSIZE, .len = SECTORSIZE,
	},
	{
		.name = "clone from a regular extent of a NODATACOW file",
		.i_size = SZ_1M,
		.nodatacow = true,
		.items = {
			REG(0, SZ_512K, DISK(1), SZ_512K, 0),
			REG(SZ_512K, SZ_512K, DISK(2), SZ_512K, 0),
		},
		.noreserve = { { SZ_256K, SZ_64K }, { SZ_512K + SZ_256K, SZ_16K } },
		.reserved = { { SZ_512K, SZ_64K } },
		.pos = SECTORSIZE, .len = SECTORSIZE,
	},
	{
		.name = "clone of inline, hole and compressed extents and a prealloc block",
		.i_size = SZ_256K + SZ_128K + SZ_64K,
		.items = {
			INLINE(1000),
			HOLE(SECTORSIZE, SZ_64K - SECTORSIZE),
			COMPRESSED(SZ_64K, SZ_128K, DISK(1), SZ_16K, SZ_128K),
			PREALLOC(SZ_128K + SZ_64K, SZ_256K, DISK(2), SZ_256K, 0),
		},
		.noreserve = { { SZ_256K + SZ_128K, SZ_16K } },
		.reserved = { { SZ_64K, SZ_16K } },
		.pos = 0, .len = SZ_128K + SZ_64K + SECTORSIZE,
	},
	{
		.name = "clone of inline, hole and compressed extents only",
		.i_size = SZ_256K + SZ_128K + SZ_64K,
		.items = {
			INLINE(1000),
			HOLE(SECTORSIZE, SZ_64K - SECTORSIZE),
			COMPRESSED(SZ_64K, SZ_128K, DISK(1), SZ_16K, SZ_128K),
			PREALLOC(SZ_128K + SZ_64K, SZ_256K, DISK(2), SZ_256K, 0),
		},
		.noreserve = { { SZ_256K + SZ_128K, SZ_16K } },
		.reserved = { { SZ_64K, SZ_16K } },
		.pos = 0, .len = SZ_128K + SZ_64K,
	},
	{
		.name = "len 0 clones from the written part of a prealloc extent to EOF",
		.i_size = SZ_1M + SZ_256K,
		.items = {
			PREALLOC(0, SZ_256K, DISK(1), SZ_1M, 0),
			REG(SZ_256K, SZ_256K, DISK(1), SZ_1M, SZ_256K),
			PREALLOC(SZ_512K, SZ_512K, DISK(1), SZ_1M, SZ_512K),
			COW_TAIL,
		},
		.noreserve = { { SZ_64K, SZ_16K } },
		.reserved = { { SZ_1M + SZ_64K, SZ_64K } },
		.pos = SZ_256K, .len = 0,
	},
	{
		/* fallocate -k: the extent goes on past EOF. */
		.name = "clone up to an unaligned EOF inside a prealloc extent",
		.i_size = SZ_512K + 100,
		.items = {
			PREALLOC(0, SZ_256K, DISK(1), SZ_512K + SZ_64K, 0),
			REG(SZ_256K, SZ_256K, DISK(1), SZ_512K + SZ_64K, SZ_256K),
			PREALLOC(SZ_512K, SZ_64K, DISK(1), SZ_512K + SZ_64K, SZ_512K),
		},
		.noreserve = { { SZ_64K, SZ_16K }, { SZ_512K, SECTORSIZE } },
		.reserved = { { SZ_256K + SZ_64K, SZ_16K } },
		.pos = SZ_256K, .len = SZ_256K + 100,
	},
	{
		.name = "len 0 clones the last block up to an unaligned EOF",
		.i_size = SZ_512K + 100,
		.items = {
			PREALLOC(0, SZ_512K, DISK(1), SZ_512K, 0),
			PREALLOC(SZ_512K, SZ_64K, DISK(2), SZ_64K, 0),
		},
		.noreserve = { { SZ_64K, SZ_16K }, { SZ_512K, SECTORSIZE } },
		.pos = SZ_512K + 50, .len = 0,
	},
};

static void remap_layout_desc(const struct remap_layout *layout, char *desc)
{
	strscpy(desc, layout->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(remap_layout, remap_layouts, remap_layout_desc);

/*
 * The oracle: which disk extents the remap shares, from the layout's file
 * extent items alone.
 */

static u64 range_end(const struct file_range *r)
{
	return r->start + r->len;
}

static bool overlap(u64 start1, u64 end1, u64 start2, u64 end2)
{
	return start1 < end2 && start2 < end1;
}

static bool item_has_disk_extent(const struct btrfs_kunit_extent *item)
{
	return item->len && item->type != BTRFS_KUNIT_HOLE &&
	       item->type != BTRFS_KUNIT_INLINE;
}

/* The source range of the remap, in whole blocks; len 0 goes up to EOF. */
static struct file_range source_range(const struct remap_layout *layout)
{
	u64 start = round_down(layout->pos, SECTORSIZE);
	u64 end = layout->len ? layout->pos + layout->len : layout->i_size;

	return (struct file_range){ start, round_up(end, SECTORSIZE) - start };
}

/* Does the remap share the disk extent that @item points into? */
static bool disk_extent_is_shared(const struct remap_layout *layout,
				  const struct btrfs_kunit_extent *item)
{
	const struct file_range src = source_range(layout);

	if (!item_has_disk_extent(item))
		return false;
	for (unsigned int i = 0; i < MAX_ITEMS; i++) {
		const struct btrfs_kunit_extent *ref = &layout->items[i];

		if (item_has_disk_extent(ref) &&
		    overlap(ref->start, ref->start + ref->len, src.start, range_end(&src)) &&
		    overlap(ref->disk_bytenr, ref->disk_bytenr + ref->disk_num_bytes,
			    item->disk_bytenr, item->disk_bytenr + item->disk_num_bytes))
			return true;
	}
	return false;
}

/* Does the remap share a disk extent that holds unreserved data? */
static bool shares_unreserved_data(const struct remap_layout *layout)
{
	for (unsigned int i = 0; i < MAX_ITEMS; i++) {
		const struct btrfs_kunit_extent *item = &layout->items[i];

		if (!disk_extent_is_shared(layout, item))
			continue;
		for (const struct file_range *r = layout->noreserve; r->len; r++)
			if (overlap(item->start, item->start + item->len,
				    r->start, range_end(r)))
				return true;
	}
	return false;
}

static const void *shared_unreserved_gen_params(const void *prev, char *desc)
{
	const struct remap_layout *layout = prev;

	do {
		layout = remap_layout_gen_params(layout, desc);
	} while (layout && !shares_unreserved_data(layout));
	return layout;
}

static const void *reserved_gen_params(const void *prev, char *desc)
{
	const struct remap_layout *layout = prev;

	do {
		layout = remap_layout_gen_params(layout, desc);
	} while (layout && !layout->reserved[0].len);
	return layout;
}

/* What the stubbed btrfs_wait_ordered_range() was called for, as [start, end]. */
struct writeback_log {
	unsigned int nr;
	struct {
		u64 start;
		u64 end;
	} range[MAX_WRITEBACKS];
	int error;
};

static int fake_writeback(struct btrfs_inode *inode, u64 start, u64 len)
{
	struct kunit *test = kunit_get_current_test();
	struct writeback_log *log = test->priv;
	u64 end = start + len < start ? (u64)-1 : start + len - 1;

	if (log->nr < MAX_WRITEBACKS) {
		log->range[log->nr].start = start;
		log->range[log->nr].end = end;
	}
	log->nr++;
	if (log->error)
		return log->error;
	/* Writeback runs delalloc, which clears EXTENT_NORESERVE too. */
	return clear_extent_bit(&inode->io_tree, start, end, EXTENT_DELALLOC, NULL);
}

static int reflink_test_init(struct kunit *test)
{
	test->priv = kunit_kzalloc(test, sizeof(struct writeback_log), GFP_KERNEL);
	if (!test->priv)
		return -ENOMEM;
	kunit_activate_static_stub(test, btrfs_wait_ordered_range, fake_writeback);
	return 0;
}

/* The flush of the source inode, as btrfs_remap_file_range_prep() calls it. */
static int flush_before_remap(struct btrfs_inode *inode, u64 pos, u64 len)
{
	return btrfs_remap_flush_noreserve(inode);
}

static u64 total_len(const struct file_range *ranges)
{
	u64 total = 0;

	for (; ranges->len; ranges++)
		total += ranges->len;
	return total;
}

/* Can a write into @r have been accepted without a reservation? */
static bool takes_unreserved_writes(const struct remap_layout *layout,
				    const struct file_range *r)
{
	for (u64 cur = r->start; cur < range_end(r); cur += SECTORSIZE) {
		const struct btrfs_kunit_extent *item = NULL;

		for (unsigned int i = 0; i < MAX_ITEMS && !item; i++)
			if (layout->items[i].len && cur >= layout->items[i].start &&
			    cur < layout->items[i].start + layout->items[i].len)
				item = &layout->items[i];
		if (!item)
			return false;
		if (item->type != BTRFS_KUNIT_PREALLOC &&
		    !(item->type == BTRFS_KUNIT_REG && layout->nodatacow))
			return false;
		for (unsigned int i = 0; i < MAX_CACHED; i++)
			if (layout->cached[i].pinned && cur >= layout->cached[i].start &&
			    cur < layout->cached[i].start + layout->cached[i].len)
				return false;
	}
	return true;
}

/*
 * Build @layout in a new dummy filesystem whose data space the reserved
 * ranges leave full, as it is when writes go without a reservation.
 */
static struct btrfs_inode *build_layout(struct kunit *test,
					const struct remap_layout *layout,
					struct btrfs_space_info **sinfo)
{
	struct btrfs_fs_info *fs_info;
	struct btrfs_root *root;
	struct btrfs_inode *inode;
	const struct file_range *r;
	u64 reserved = total_len(layout->reserved);

	KUNIT_ASSERT_TRUE_MSG(test, !layout->dedupe || layout->len,
			      "a dedupe of length 0 never reaches btrfs");
	fs_info = btrfs_kunit_alloc_fs_info(test, NODESIZE, SECTORSIZE);
	root = btrfs_kunit_alloc_root(test, fs_info);
	inode = btrfs_kunit_new_inode(test, root, layout->i_size);
	if (layout->nodatacow)
		btrfs_kunit_set_nodatacow(inode);
	for (unsigned int i = 0; i < MAX_ITEMS; i++)
		if (layout->items[i].len)
			btrfs_kunit_insert_file_extent(test, inode, &layout->items[i]);
	for (unsigned int i = 0; i < MAX_CACHED && layout->cached[i].len; i++)
		btrfs_kunit_add_extent_map(test, inode, &layout->cached[i]);

	*sinfo = btrfs_kunit_add_data_space_info(test, fs_info, SZ_1G,
						 SZ_1G - reserved, 0);
	for (r = layout->reserved; r->len; r++)
		btrfs_kunit_dirty_range(test, inode, r->start, r->len, true);
	for (r = layout->noreserve; r->len; r++) {
		KUNIT_ASSERT_TRUE_MSG(test, takes_unreserved_writes(layout, r),
				      "no write into [%llu, %llu) goes without a reservation",
				      r->start, range_end(r));
		btrfs_kunit_dirty_range(test, inode, r->start, r->len, false);
	}
	KUNIT_ASSERT_EQ_MSG(test, (*sinfo)->bytes_may_use + (*sinfo)->bytes_used,
			    (*sinfo)->total_bytes, "the data space_info is not full");
	return inode;
}

/* Was every byte of [start, end] written back? */
static bool written_back(const struct writeback_log *log, u64 start, u64 end)
{
	u64 cur = start;
	bool found;

	do {
		found = false;
		for (unsigned int i = 0; i < min(log->nr, MAX_WRITEBACKS); i++) {
			if (log->range[i].start <= cur && log->range[i].end >= cur) {
				if (log->range[i].end >= end)
					return true;
				cur = log->range[i].end + 1;
				found = true;
			}
		}
	} while (found);
	return false;
}

/*
 * Before the remap shares a disk extent, every byte of it that was dirtied
 * without a reservation is written back, whatever the items over it are.
 */
static void flush_writes_back_unreserved_data_of_shared_disk_extents(struct kunit *test)
{
	const struct remap_layout *layout = test->param_value;
	struct writeback_log *log = test->priv;
	struct btrfs_space_info *sinfo;
	struct btrfs_inode *inode;

	inode = build_layout(test, layout, &sinfo);

	KUNIT_ASSERT_EQ(test, flush_before_remap(inode, layout->pos, layout->len), 0);

	KUNIT_EXPECT_LE_MSG(test, log->nr, MAX_WRITEBACKS, "too many writebacks to check");
	for (unsigned int i = 0; i < MAX_ITEMS; i++) {
		const struct btrfs_kunit_extent *item = &layout->items[i];
		u64 item_end = item->start + item->len;

		if (!disk_extent_is_shared(layout, item))
			continue;
		for (const struct file_range *r = layout->noreserve; r->len; r++) {
			u64 start = max(r->start, item->start);
			u64 end = min(range_end(r), item_end);

			if (start >= end)
				continue;
			KUNIT_EXPECT_TRUE_MSG(test, written_back(log, start, end - 1),
					      "unreserved [%llu, %llu) of the shared disk extent at %llu was not written back",
					      start, end, item->disk_bytenr);
		}
		KUNIT_EXPECT_FALSE_MSG(test, test_range_bit_exists(&inode->io_tree, item->start,
								   item_end - 1,
								   EXTENT_NORESERVE),
				       "unreserved data left in [%llu, %llu), in the shared disk extent at %llu",
				       item->start, item_end, item->disk_bytenr);
	}
}

/* Data dirtied with a reservation can be COWed: it is left to writeback. */
static void flush_writes_back_no_reserved_data(struct kunit *test)
{
	const struct remap_layout *layout = test->param_value;
	struct writeback_log *log = test->priv;
	struct btrfs_space_info *sinfo;
	struct btrfs_inode *inode;
	u64 may_use;

	inode = build_layout(test, layout, &sinfo);
	may_use = sinfo->bytes_may_use;

	KUNIT_ASSERT_EQ(test, flush_before_remap(inode, layout->pos, layout->len), 0);

	for (unsigned int i = 0; i < min(log->nr, MAX_WRITEBACKS); i++)
		for (const struct file_range *r = layout->reserved; r->len; r++)
			KUNIT_EXPECT_FALSE_MSG(test, overlap(log->range[i].start,
							     log->range[i].end + 1,
							     r->start, range_end(r)),
					       "writeback of [%llu, %llu] covers reserved data at [%llu, %llu)",
					       log->range[i].start, log->range[i].end,
					       r->start, range_end(r));
	for (const struct file_range *r = layout->reserved; r->len; r++)
		KUNIT_EXPECT_TRUE_MSG(test, test_range_bit(&inode->io_tree, r->start,
							   range_end(r) - 1,
							   EXTENT_DELALLOC, NULL),
				      "reserved data at [%llu, %llu) is no longer dirty",
				      r->start, range_end(r));
	KUNIT_EXPECT_EQ_MSG(test, sinfo->bytes_may_use, may_use,
			    "the flush changed the data reservations");
}

static void flush_returns_writeback_errors(struct kunit *test)
{
	const struct remap_layout *layout = &remap_layouts[0];
	struct writeback_log *log = test->priv;
	struct btrfs_space_info *sinfo;
	struct btrfs_inode *inode;

	inode = build_layout(test, layout, &sinfo);
	log->error = -EIO;

	KUNIT_EXPECT_EQ(test, flush_before_remap(inode, layout->pos, layout->len), -EIO);
	KUNIT_EXPECT_EQ_MSG(test, log->nr, 1, "writeback went on after an error");
}

/*
 * A file with as many extents as a 64K leaf holds and no unreserved data:
 * nothing is written back and no extent is looked at, so that a clone of a
 * file with any number of extents pays nothing for the flush.
 */
static void flush_without_unreserved_data_looks_at_no_extent(struct kunit *test)
{
	const int item_size = sizeof(struct btrfs_item) +
			      sizeof(struct btrfs_file_extent_item);
	struct writeback_log *log = test->priv;
	struct btrfs_fs_info *fs_info;
	struct btrfs_root *root;
	struct btrfs_inode *inode;
	unsigned int nr = 0;

	fs_info = btrfs_kunit_alloc_fs_info(test, BTRFS_MAX_METADATA_BLOCKSIZE,
					    SECTORSIZE);
	root = btrfs_kunit_alloc_root(test, fs_info);
	inode = btrfs_kunit_new_inode(test, root, 0);
	while (btrfs_leaf_free_space(root->node) >= item_size) {
		/* Every other block, so that no two extents are adjacent. */
		const struct btrfs_kunit_extent item =
			REG((u64)nr * SZ_8K, SECTORSIZE, DISK(1) + (u64)nr * SZ_8K,
			    SECTORSIZE, 0);

		btrfs_kunit_insert_file_extent(test, inode, &item);
		nr++;
	}
	i_size_write(&inode->vfs_inode, (u64)nr * SZ_8K);
	KUNIT_ASSERT_GT(test, nr, BTRFS_MAX_METADATA_BLOCKSIZE / SZ_128);

	KUNIT_EXPECT_EQ(test, flush_before_remap(inode, 0, 0), 0);
	KUNIT_EXPECT_EQ_MSG(test, log->nr, 0, "writeback of a file without unreserved data");
	KUNIT_EXPECT_TRUE_MSG(test, RB_EMPTY_ROOT(&inode->extent_tree.root),
			      "extent maps of a file with %u extents were loaded", nr);
}

static struct kunit_case btrfs_reflink_flush_noreserve_cases[] = {
	KUNIT_CASE_PARAM(flush_writes_back_unreserved_data_of_shared_disk_extents,
			 shared_unreserved_gen_params),
	KUNIT_CASE_PARAM(flush_writes_back_no_reserved_data, reserved_gen_params),
	KUNIT_CASE(flush_returns_writeback_errors),
	KUNIT_CASE(flush_without_unreserved_data_looks_at_no_extent),
	{}
};

static struct kunit_suite btrfs_reflink_flush_noreserve_suite = {
	.name = "btrfs_reflink_flush_noreserve",
	.suite_init = btrfs_kunit_suite_init,
	.suite_exit = btrfs_kunit_suite_exit,
	.init = reflink_test_init,
	.test_cases = btrfs_reflink_flush_noreserve_cases,
};

kunit_test_suite(btrfs_reflink_flush_noreserve_suite);
