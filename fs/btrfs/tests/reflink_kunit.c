// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of what a clone or dedupe writes back before it shares extents:
 * btrfs_remap_start_nocow_writeback().
 *
 * A buffered write that finds no data space is accepted without a reservation
 * (EXTENT_NORESERVE) when it can go in place: into a preallocated extent, or a
 * regular extent of a NODATACOW inode. Back references are per disk extent, so
 * once a remap shares a disk extent, such data in any part of it can only be
 * written by COW, and there is no space to do it. Reserved dirty data in a
 * disk extent that the remap shares is safe, but goes to new space if it is
 * written back after the share, and in place if before.
 *
 * Each layout is a set of file extent items in the test root, which the code
 * under test reads, and ranges dirtied with and without a reservation. The
 * expectations come from the layout's disk extents and their back references:
 * a disk extent is shared by the remap if an item of the source range points
 * into it (by disk bytenr), and it takes writes in place only while it has a
 * single back reference, (inode, file offset of the extent's start).
 *
 * Writeback cannot run on test inodes (they have no pages):
 * btrfs_remap_writeback_range() is replaced by a static stub that records each
 * range and its sync mode, and clears the delalloc of the range as writeback
 * does, but for the folios that the layout has under writeback when it is
 * asked for writeback without data integrity (WB_SYNC_NONE), which skips them.
 */

#include <kunit/test.h>
#include <kunit/static_stub.h>
#include <linux/sizes.h>
#include <linux/writeback.h>
#include "btrfs_kunit.h"
#include "../ctree.h"
#include "../btrfs_inode.h"
#include "../extent-io-tree.h"
#include "../reflink.h"
#include "../space-info.h"
#include "../fs.h"

#define SECTORSIZE	SZ_4K
#define NODESIZE	SZ_16K
#define MAX_ITEMS	6
#define MAX_RANGES	4
#define MAX_WRITEBACKS	16

/* Disk addresses of the extents of a layout, far apart. */
#define DISK(n)		((u64)(n) * SZ_1G)

/* A file range [start, start + len), or the end of a list when len is 0. */
struct file_range {
	u64 start;
	u64 len;
};

/*
 * The file range of the folio at file offset @s. btrfs data folios are one
 * page here, so with 64K pages it holds 16 sectors, and writeback without data
 * integrity skips all of them.
 */
#define FOLIO_RANGE(s)	{ round_down((u64)(s), PAGE_SIZE), PAGE_SIZE }

/**
 * struct remap_layout - a file, its dirty data and the source of a remap
 * @name:	what the layout shows, for the KTAP line
 * @i_size:	file size
 * @nodatacow:	the inode is NODATACOW ("chattr +C" on the empty file)
 * @cloned_in:	the preallocated items were cloned in: the inode was never
 *		fallocated and has no BTRFS_INODE_PREALLOC
 * @items:	the file extent items, in file order; a gap reads as a hole
 * @noreserve:	ranges dirtied without a data reservation
 * @reserved:	ranges dirtied with a data reservation
 * @busy:	folios under writeback (FOLIO_RANGE()), in file order: a state
 *		that the rule is tested under. A running kernel only has a
 *		folio that is dirty and under writeback at once in a NODATASUM
 *		inode (others have stable writes) with sectors below the page
 *		size, where a clean sector of the folio is under writeback
 * @pos:	start of the remap's source range
 * @len:	length of the source range; 0 clones up to EOF
 */
struct remap_layout {
	const char *name;
	u64 i_size;
	bool nodatacow;
	bool cloned_in;
	struct btrfs_kunit_extent items[MAX_ITEMS];
	struct file_range noreserve[MAX_RANGES];
	struct file_range reserved[MAX_RANGES];
	struct file_range busy[MAX_RANGES];
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
 * of its own that the remap does not share.
 */
#define COW_TAIL		REG(SZ_1M, SZ_256K, DISK(2), SZ_256K, 0)
#define TAIL_DIRTY		{ SZ_1M + SZ_64K, SZ_64K }

static const struct remap_layout remap_layouts[] = {
	{
		.name = "4K from the written middle of a prealloc extent",
		.i_size = SZ_1M + SZ_256K,
		.items = {
			PREALLOC(0, SZ_256K, DISK(1), SZ_1M, 0),
			REG(SZ_256K, SZ_128K, DISK(1), SZ_1M, SZ_256K),
			PREALLOC(SZ_256K + SZ_128K, SZ_512K + SZ_128K, DISK(1), SZ_1M,
				 SZ_256K + SZ_128K),
			COW_TAIL,
		},
		.noreserve = { { SZ_64K, SZ_16K }, { SZ_512K + SZ_256K, SZ_32K } },
		.reserved = { { SZ_512K, SZ_64K }, TAIL_DIRTY },
		/* Not on a running kernel: stable writes (see @busy). */
		.busy = { FOLIO_RANGE(SZ_64K + SECTORSIZE), FOLIO_RANGE(SZ_512K) },
		.pos = SZ_256K + SECTORSIZE, .len = SECTORSIZE,
	},
	{
		.name = "4K from the written start of a prealloc extent",
		.i_size = SZ_1M + SZ_256K,
		.items = {
			REG(0, SZ_128K, DISK(1), SZ_1M, 0),
			PREALLOC(SZ_128K, SZ_1M - SZ_128K, DISK(1), SZ_1M, SZ_128K),
			COW_TAIL,
		},
		.noreserve = { { SZ_1M - SZ_16K, SZ_16K } },
		.reserved = { { SZ_512K, SZ_64K }, TAIL_DIRTY },
		.pos = 0, .len = SECTORSIZE,
	},
	{
		.name = "128K from the written end of a prealloc extent",
		.i_size = SZ_1M + SZ_256K,
		.items = {
			PREALLOC(0, SZ_1M - SZ_128K, DISK(1), SZ_1M, 0),
			REG(SZ_1M - SZ_128K, SZ_128K, DISK(1), SZ_1M, SZ_1M - SZ_128K),
			COW_TAIL,
		},
		.noreserve = { { SZ_8K, SZ_8K } },
		.reserved = { { SZ_256K, SZ_64K }, TAIL_DIRTY },
		.pos = SZ_1M - SZ_128K, .len = SZ_128K,
	},
	{
		/*
		 * The reproducer: falloc 8k 2m, a write at 1m whose first
		 * 256K reached disk while its tail is still dirty without a
		 * reservation, and a clone of its first block.
		 */
		.name = "4K of the first written block of a write",
		.i_size = SZ_2M + SZ_8K,
		.items = {
			PREALLOC(SZ_8K, SZ_1M - SZ_8K, DISK(1), SZ_2M, 0),
			REG(SZ_1M, SZ_256K, DISK(1), SZ_2M, SZ_1M - SZ_8K),
			PREALLOC(SZ_1M + SZ_256K, SZ_1M - SZ_256K + SZ_8K,
				 DISK(1), SZ_2M, SZ_1M + SZ_256K - SZ_8K),
		},
		.noreserve = { { SZ_1M + SZ_256K, SZ_128K } },
		.reserved = { { SZ_64K, SZ_64K } },
		/* Not on a running kernel: stable writes (see @busy). */
		.busy = { FOLIO_RANGE(SZ_1M + SZ_256K + SZ_64K) },
		.pos = SZ_1M, .len = SECTORSIZE,
	},
	{
		.name = "4K from a regular extent of a NODATACOW file",
		.i_size = SZ_1M,
		.nodatacow = true,
		.items = {
			REG(0, SZ_512K, DISK(1), SZ_512K, 0),
			REG(SZ_512K, SZ_512K, DISK(2), SZ_512K, 0),
		},
		.noreserve = { { SZ_256K, SZ_64K }, { SZ_512K + SZ_256K, SZ_16K } },
		.reserved = { { SZ_128K, SZ_64K }, { SZ_512K + SZ_64K, SZ_64K } },
		.busy = { FOLIO_RANGE(SZ_512K + SZ_256K + SZ_16K - SECTORSIZE) },
		.pos = SECTORSIZE, .len = SECTORSIZE,
	},
	{
		/*
		 * With 64K pages, [64K, 128K) is one folio, under writeback of
		 * a clean sector (a NODATASUM folio has no stable writes), that
		 * holds an unreserved sector among reserved ones; with 16K
		 * pages [64K, 80K), whose last sector is clean. Another
		 * unreserved sector is in a folio not under writeback, and the
		 * source in a third folio of the same disk extent. (A source
		 * in the first folio would make no other calls here: the
		 * caller's btrfs_wait_ordered_range() of the source range then
		 * writes that folio whole with WB_SYNC_ALL.) With 4K pages
		 * each sector is a folio of its own.
		 */
		.name = "unreserved and reserved sectors, folio under writeback, 4K at 192K",
		.i_size = SZ_512K,
		.nodatacow = true,
		.items = {
			REG(0, SZ_256K, DISK(1), SZ_256K, 0),
			REG(SZ_256K, SZ_256K, DISK(2), SZ_256K, 0),
		},
		.noreserve = { { SZ_64K + SECTORSIZE, SECTORSIZE },
			       { SZ_128K + SZ_32K, SECTORSIZE } },
		.reserved = { { SZ_64K, SECTORSIZE }, { SZ_64K + SZ_8K, SECTORSIZE },
			      { SZ_256K + SZ_64K, SECTORSIZE } },
		.busy = { FOLIO_RANGE(SZ_64K + SECTORSIZE) },
		.pos = SZ_128K + SZ_64K, .len = SECTORSIZE,
	},
	{
		.name = "inline, hole and compressed extents and a prealloc block",
		.i_size = SZ_256K + SZ_128K + SZ_64K,
		.items = {
			INLINE(1000),
			HOLE(SECTORSIZE, SZ_64K - SECTORSIZE),
			COMPRESSED(SZ_64K, SZ_128K, DISK(1), SZ_16K, SZ_128K),
			PREALLOC(SZ_128K + SZ_64K, SZ_256K, DISK(2), SZ_256K, 0),
		},
		.noreserve = { { SZ_256K + SZ_128K, SZ_16K } },
		.reserved = { { SZ_64K, SZ_16K }, { SZ_256K, SZ_16K } },
		.pos = 0, .len = SZ_128K + SZ_64K + SECTORSIZE,
	},
	{
		.name = "inline, hole and compressed extents only",
		.i_size = SZ_256K + SZ_128K + SZ_64K,
		.items = {
			INLINE(1000),
			HOLE(SECTORSIZE, SZ_64K - SECTORSIZE),
			COMPRESSED(SZ_64K, SZ_128K, DISK(1), SZ_16K, SZ_128K),
			PREALLOC(SZ_128K + SZ_64K, SZ_256K, DISK(2), SZ_256K, 0),
		},
		.noreserve = { { SZ_256K + SZ_128K, SZ_16K } },
		.reserved = { { SZ_64K, SZ_16K }, { SZ_256K, SZ_16K } },
		.pos = 0, .len = SZ_128K + SZ_64K,
	},
	{
		.name = "len 0 from the written part of a prealloc extent to EOF",
		.i_size = SZ_1M + SZ_256K,
		.items = {
			PREALLOC(0, SZ_256K, DISK(1), SZ_1M, 0),
			REG(SZ_256K, SZ_256K, DISK(1), SZ_1M, SZ_256K),
			PREALLOC(SZ_512K, SZ_512K, DISK(1), SZ_1M, SZ_512K),
			COW_TAIL,
		},
		.noreserve = { { SZ_64K, SZ_16K } },
		.reserved = { { SZ_128K, SZ_64K }, TAIL_DIRTY },
		.pos = SZ_256K, .len = 0,
	},
	{
		/* fallocate -k: the extent goes on past EOF. */
		.name = "up to an unaligned EOF inside a prealloc extent",
		.i_size = SZ_512K + 100,
		.items = {
			PREALLOC(0, SZ_256K, DISK(1), SZ_512K + SZ_64K, 0),
			REG(SZ_256K, SZ_256K, DISK(1), SZ_512K + SZ_64K, SZ_256K),
			PREALLOC(SZ_512K, SZ_64K, DISK(1), SZ_512K + SZ_64K, SZ_512K),
		},
		.noreserve = { { SZ_64K, SZ_16K }, { SZ_512K, SECTORSIZE } },
		.reserved = { { SZ_128K, SZ_16K } },
		.pos = SZ_256K, .len = SZ_256K + 100,
	},
	{
		.name = "prealloc items cloned into a file never fallocated",
		.i_size = SZ_1M + SZ_256K,
		.cloned_in = true,
		.items = {
			PREALLOC(0, SZ_1M, DISK(1), SZ_1M, 0),
			COW_TAIL,
		},
		.reserved = { { SZ_64K, SZ_64K }, TAIL_DIRTY },
		.pos = SZ_512K, .len = SECTORSIZE,
	},
};

static void remap_layout_desc(const struct remap_layout *layout, char *desc)
{
	strscpy(desc, layout->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(remap_layout, remap_layouts, remap_layout_desc);

/*
 * The oracle: which disk extents the remap shares and which of them take
 * writes in place, from the layout's file extent items alone.
 */

static u64 range_end(const struct file_range *r)
{
	return r->start + r->len;
}

static bool overlap(u64 start1, u64 end1, u64 start2, u64 end2)
{
	return start1 < end2 && start2 < end1;
}

static bool has_disk_extent(const struct btrfs_kunit_extent *item)
{
	return item->len && item->type != BTRFS_KUNIT_HOLE &&
	       item->type != BTRFS_KUNIT_INLINE;
}

static bool same_disk_extent(const struct btrfs_kunit_extent *a,
			     const struct btrfs_kunit_extent *b)
{
	return has_disk_extent(a) && has_disk_extent(b) &&
	       a->disk_bytenr == b->disk_bytenr;
}

/* The source range as btrfs_remap_file_range_prep() passes it. */
static struct file_range source_range(const struct remap_layout *layout)
{
	u64 start = round_down(layout->pos, SECTORSIZE);
	u64 end = layout->len ? layout->pos + layout->len : layout->i_size;

	return (struct file_range){ start, round_up(end, SECTORSIZE) - start };
}

/* Does the remap share the disk extent that @item points into? */
static bool shared_by_remap(const struct remap_layout *layout,
			    const struct btrfs_kunit_extent *item)
{
	const struct file_range src = source_range(layout);

	for (unsigned int i = 0; i < MAX_ITEMS; i++) {
		const struct btrfs_kunit_extent *ref = &layout->items[i];

		if (same_disk_extent(ref, item) &&
		    overlap(ref->start, ref->start + ref->len, src.start,
			    range_end(&src)))
			return true;
	}
	return false;
}

/*
 * Does the disk extent of @item have a single back reference? A data back
 * reference is (root, inode, file offset of the extent's start), so items of
 * the one inode that map the extent at different places are several.
 */
static bool single_reference(const struct remap_layout *layout,
			     const struct btrfs_kunit_extent *item)
{
	for (unsigned int i = 0; i < MAX_ITEMS; i++) {
		const struct btrfs_kunit_extent *ref = &layout->items[i];

		if (same_disk_extent(ref, item) &&
		    ref->start - ref->offset != item->start - item->offset)
			return false;
	}
	return true;
}

/* Would writeback put data over @item in place (can_nocow_file_extent())? */
static bool goes_in_place(const struct remap_layout *layout,
			  const struct btrfs_kunit_extent *item)
{
	if (layout->cloned_in)
		return false;
	if (item->type != BTRFS_KUNIT_PREALLOC &&
	    !(item->type == BTRFS_KUNIT_REG && layout->nodatacow))
		return false;
	return single_reference(layout, item);
}

/* Is every disk extent of the layout referenced at one place only? */
static bool linear_layout(const struct remap_layout *layout)
{
	for (unsigned int i = 0; i < MAX_ITEMS; i++)
		if (has_disk_extent(&layout->items[i]) &&
		    !single_reference(layout, &layout->items[i]))
			return false;
	return true;
}

/* Does a reserved range overlap @item? */
static bool reserved_over(const struct remap_layout *layout,
			  const struct btrfs_kunit_extent *item)
{
	for (const struct file_range *r = layout->reserved; r->len; r++)
		if (overlap(r->start, range_end(r), item->start,
			    item->start + item->len))
			return true;
	return false;
}

/* Is there reserved data in a shared disk extent that takes it in place? */
static bool reserved_in_shared_extent(const struct remap_layout *layout)
{
	for (unsigned int i = 0; i < MAX_ITEMS; i++) {
		const struct btrfs_kunit_extent *item = &layout->items[i];

		if (has_disk_extent(item) && shared_by_remap(layout, item) &&
		    goes_in_place(layout, item) && reserved_over(layout, item))
			return true;
	}
	return false;
}

/* Is there reserved data in a disk extent that the remap does not share? */
static bool reserved_in_unshared_extent(const struct remap_layout *layout)
{
	for (unsigned int i = 0; i < MAX_ITEMS; i++) {
		const struct btrfs_kunit_extent *item = &layout->items[i];

		if (has_disk_extent(item) && !shared_by_remap(layout, item) &&
		    reserved_over(layout, item))
			return true;
	}
	return false;
}

/* The part of @r over @item, as [*start, *end); false if there is none. */
static bool part_over(const struct file_range *r,
		      const struct btrfs_kunit_extent *item, u64 *start, u64 *end)
{
	*start = max(r->start, item->start);
	*end = min(range_end(r), item->start + item->len);
	return *start < *end;
}

/* Is a folio of @r under writeback? */
static bool busy_over(const struct remap_layout *layout,
		      const struct file_range *r)
{
	for (const struct file_range *b = layout->busy; b->len; b++)
		if (overlap(b->start, range_end(b), r->start, range_end(r)))
			return true;
	return false;
}

/* Is there unreserved data in a folio under writeback, or in none? */
static bool unreserved_busy(const struct remap_layout *layout, bool busy)
{
	for (const struct file_range *r = layout->noreserve; r->len; r++)
		if (busy_over(layout, r) == busy)
			return true;
	return false;
}

/*
 * Is there unreserved data over an item whose disk extent the remap shares
 * (and, if @busy, in a folio under writeback)?
 */
static bool unreserved_in_shared_extent(const struct remap_layout *layout,
					bool busy)
{
	for (unsigned int i = 0; i < MAX_ITEMS; i++) {
		const struct btrfs_kunit_extent *item = &layout->items[i];

		if (!has_disk_extent(item) || !shared_by_remap(layout, item))
			continue;
		for (const struct file_range *r = layout->noreserve; r->len; r++) {
			struct file_range part;
			u64 end;

			if (!part_over(r, item, &part.start, &end))
				continue;
			part.len = end - part.start;
			if (!busy || busy_over(layout, &part))
				return true;
		}
	}
	return false;
}

static const void *noreserve_shared_gen_params(const void *prev, char *desc)
{
	const struct remap_layout *layout = prev;

	do {
		layout = remap_layout_gen_params(layout, desc);
	} while (layout && !unreserved_in_shared_extent(layout, false));
	return layout;
}

static const void *noreserve_busy_gen_params(const void *prev, char *desc)
{
	const struct remap_layout *layout = prev;

	do {
		layout = remap_layout_gen_params(layout, desc);
	} while (layout && !unreserved_in_shared_extent(layout, true));
	return layout;
}

static const void *noreserve_idle_gen_params(const void *prev, char *desc)
{
	const struct remap_layout *layout = prev;

	do {
		layout = remap_layout_gen_params(layout, desc);
	} while (layout && !unreserved_busy(layout, false));
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

static const void *reserved_shared_gen_params(const void *prev, char *desc)
{
	const struct remap_layout *layout = prev;

	do {
		layout = remap_layout_gen_params(layout, desc);
	} while (layout && !reserved_in_shared_extent(layout));
	return layout;
}

/*
 * Only layouts whose disk extents each have a single back reference: the
 * file range of a disk extent that is mapped at several places is not one
 * range that writeback can be asked for.
 */
static const void *reserved_unshared_gen_params(const void *prev, char *desc)
{
	const struct remap_layout *layout = prev;

	do {
		layout = remap_layout_gen_params(layout, desc);
	} while (layout && (!linear_layout(layout) ||
			    !reserved_in_unshared_extent(layout)));
	return layout;
}

/* What the stubbed btrfs_remap_writeback_range() was asked for. */
struct writeback_log {
	unsigned int nr;
	struct {
		u64 start;
		u64 end;
		enum writeback_sync_modes sync_mode;
	} range[MAX_WRITEBACKS];
	int error;
	unsigned int fail_at;
	const struct file_range *busy;
	struct btrfs_inode *inode;
};

static int fake_writeback_range(struct btrfs_inode *inode, u64 start, u64 end,
				enum writeback_sync_modes sync_mode)
{
	struct kunit *test = kunit_get_current_test();
	struct writeback_log *log = test->priv;

	if (log->nr < MAX_WRITEBACKS) {
		log->range[log->nr].start = start;
		log->range[log->nr].end = end;
		log->range[log->nr].sync_mode = sync_mode;
	}
	log->nr++;
	if (log->error && (!log->fail_at || log->nr == log->fail_at))
		return log->error;
	/*
	 * Writeback runs delalloc, which clears EXTENT_DELALLOC, and
	 * EXTENT_NORESERVE with it. Without data integrity it skips the folios
	 * under writeback.
	 */
	for (const struct file_range *b = log->busy;
	     sync_mode == WB_SYNC_NONE && b && b->len; b++) {
		int ret;

		if (range_end(b) <= start || b->start > end)
			continue;
		if (b->start > start) {
			ret = clear_extent_bit(&inode->io_tree, start,
					       b->start - 1, EXTENT_DELALLOC, NULL);
			if (ret)
				return ret;
		}
		if (range_end(b) - 1 >= end)
			return 0;
		start = range_end(b);
	}
	return clear_extent_bit(&inode->io_tree, start, end, EXTENT_DELALLOC,
				NULL);
}

static int reflink_test_init(struct kunit *test)
{
	test->priv = kunit_kzalloc(test, sizeof(struct writeback_log), GFP_KERNEL);
	if (!test->priv)
		return -ENOMEM;
	kunit_activate_static_stub(test, btrfs_remap_writeback_range,
				   fake_writeback_range);
	return 0;
}

/* The call in btrfs_remap_file_range_prep(), with the inode locked. */
static int writeback_before_remap(struct btrfs_inode *inode,
				  const struct remap_layout *layout)
{
	const struct file_range src = source_range(layout);
	int ret;

	inode_lock(&inode->vfs_inode);
	ret = btrfs_remap_start_nocow_writeback(inode, src.start, src.len);
	inode_unlock(&inode->vfs_inode);
	return ret;
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
		if (!item || !goes_in_place(layout, item))
			return false;
	}
	return true;
}

/*
 * Build @layout in a new dummy filesystem whose data space the reserved
 * ranges leave full, as it is when writes go without a reservation.
 */
static struct btrfs_inode *build_layout(struct kunit *test,
					const struct remap_layout *layout)
{
	struct btrfs_space_info *sinfo;
	struct btrfs_fs_info *fs_info;
	struct btrfs_root *root;
	struct btrfs_inode *inode;
	const struct file_range *r;
	u64 reserved = total_len(layout->reserved);

	fs_info = btrfs_kunit_alloc_fs_info(test, NODESIZE, SECTORSIZE);
	root = btrfs_kunit_alloc_root(test, fs_info);
	inode = btrfs_kunit_new_inode(test, root, layout->i_size);
	if (layout->nodatacow)
		btrfs_kunit_set_nodatacow(inode);
	for (unsigned int i = 0; i < MAX_ITEMS; i++) {
		if (!layout->items[i].len)
			continue;
		btrfs_kunit_insert_file_extent(test, inode, &layout->items[i]);
		/* fallocate() sets it, and nothing clears it. */
		if (layout->items[i].type == BTRFS_KUNIT_PREALLOC &&
		    !layout->cloned_in)
			inode->flags |= BTRFS_INODE_PREALLOC;
	}

	((struct writeback_log *)test->priv)->busy = layout->busy;
	((struct writeback_log *)test->priv)->inode = inode;
	sinfo = btrfs_kunit_add_data_space_info(test, fs_info, SZ_1G,
						SZ_1G - reserved, 0);
	for (r = layout->reserved; r->len; r++)
		btrfs_kunit_dirty_range(test, inode, r->start, r->len, true);
	for (r = layout->noreserve; r->len; r++) {
		KUNIT_ASSERT_TRUE_MSG(test, takes_unreserved_writes(layout, r),
				      "no write into [%llu, %llu) goes without a reservation",
				      r->start, range_end(r));
		btrfs_kunit_dirty_range(test, inode, r->start, r->len, false);
	}
	KUNIT_ASSERT_EQ_MSG(test, sinfo->bytes_may_use + sinfo->bytes_used,
			    sinfo->total_bytes, "the data space_info is not full");
	return inode;
}

/* Was every byte of [start, end] asked for, with @sync_mode (or any if -1)? */
static bool written_back(const struct writeback_log *log, u64 start, u64 end,
			 int sync_mode)
{
	u64 cur = start;
	bool found;

	do {
		found = false;
		for (unsigned int i = 0; i < min(log->nr, MAX_WRITEBACKS); i++) {
			if (sync_mode >= 0 && log->range[i].sync_mode != sync_mode)
				continue;
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

/* Was any byte of [start, end] asked for, with @sync_mode (or any if -1)? */
static bool any_written_back(const struct writeback_log *log, u64 start,
			     u64 end, int sync_mode)
{
	for (unsigned int i = 0; i < min(log->nr, MAX_WRITEBACKS); i++)
		if ((sync_mode < 0 || log->range[i].sync_mode == sync_mode) &&
		    log->range[i].start <= end && start <= log->range[i].end)
			return true;
	return false;
}

/*
 * Build @layout, make the call of btrfs_remap_file_range_prep() on it, and
 * return what was written back.
 */
static const struct writeback_log *
writeback_of_layout(struct kunit *test, const struct remap_layout *layout)
{
	struct writeback_log *log = test->priv;
	struct btrfs_inode *inode = build_layout(test, layout);

	KUNIT_ASSERT_EQ(test, writeback_before_remap(inode, layout), 0);
	KUNIT_ASSERT_LE_MSG(test, log->nr, MAX_WRITEBACKS, "too many writebacks to check");
	return log;
}

/*
 * The rule, from what is on disk: a remap shares whole disk extents, so every
 * range dirtied without a reservation over an item whose disk extent the remap
 * shares, wherever that item is in the inode, is written back before the share,
 * and none of it keeps EXTENT_NORESERVE (which writeback without data
 * integrity leaves on a folio under writeback that it skipped). Unreserved data
 * in other disk extents may be written back or not.
 */
static void unreserved_data_in_shared_disk_extents_is_written_back(struct kunit *test)
{
	const struct remap_layout *layout = test->param_value;
	const struct writeback_log *log = writeback_of_layout(test, layout);

	for (unsigned int i = 0; i < MAX_ITEMS; i++) {
		const struct btrfs_kunit_extent *item = &layout->items[i];

		if (!has_disk_extent(item) || !shared_by_remap(layout, item))
			continue;
		for (const struct file_range *r = layout->noreserve; r->len; r++) {
			u64 start, end;

			if (!part_over(r, item, &start, &end))
				continue;
			KUNIT_EXPECT_TRUE_MSG(test, written_back(log, start, end - 1, -1),
					      "unreserved [%llu, %llu) of the shared disk extent at %llu was not written back",
					      start, end, item->disk_bytenr);
			KUNIT_EXPECT_FALSE_MSG(test,
					       test_range_bit_exists(&log->inode->io_tree,
								     start, end - 1,
								     EXTENT_NORESERVE),
					       "unreserved [%llu, %llu) of the shared disk extent at %llu keeps EXTENT_NORESERVE",
					       start, end, item->disk_bytenr);
		}
	}
}

/*
 * Writeback without data integrity (WB_SYNC_NONE) skips a folio under
 * writeback (extent_write_cache_pages()), which in a NODATASUM inode with
 * sectors below the page size can still hold dirty unreserved sectors: such
 * data in a disk extent that the remap shares gets data integrity writeback,
 * which waits for the folio and writes it.
 */
static void unreserved_data_under_writeback_gets_data_integrity_writeback(struct kunit *test)
{
	const struct remap_layout *layout = test->param_value;
	const struct writeback_log *log = writeback_of_layout(test, layout);

	for (unsigned int i = 0; i < MAX_ITEMS; i++) {
		const struct btrfs_kunit_extent *item = &layout->items[i];

		if (!has_disk_extent(item) || !shared_by_remap(layout, item))
			continue;
		for (const struct file_range *r = layout->noreserve; r->len; r++) {
			for (const struct file_range *b = layout->busy; b->len; b++) {
				struct file_range part;
				u64 start, end;

				if (!part_over(r, item, &part.start, &end))
					continue;
				part.len = end - part.start;
				start = max(part.start, b->start);
				end = min(range_end(&part), range_end(b));
				if (start >= end)
					continue;
				KUNIT_EXPECT_TRUE_MSG(test,
						      written_back(log, start, end - 1,
								   WB_SYNC_ALL),
						      "unreserved [%llu, %llu) under writeback got no WB_SYNC_ALL writeback",
						      start, end);
			}
		}
	}
}

/*
 * Unreserved data with no folio under writeback is written back without
 * waiting for folios under writeback: no data integrity writeback.
 */
static void unreserved_data_not_under_writeback_gets_no_wait(struct kunit *test)
{
	const struct remap_layout *layout = test->param_value;
	const struct writeback_log *log = writeback_of_layout(test, layout);

	for (const struct file_range *r = layout->noreserve; r->len; r++) {
		if (busy_over(layout, r))
			continue;
		KUNIT_EXPECT_FALSE_MSG(test, any_written_back(log, r->start,
							      range_end(r) - 1,
							      WB_SYNC_ALL),
				       "unreserved [%llu, %llu) got WB_SYNC_ALL writeback",
				       r->start, range_end(r));
	}
}

/*
 * Data dirtied with a reservation can be COWed: no data integrity writeback is
 * asked for it (writeback of an unreserved sector still writes the other dirty
 * sectors of its folio).
 */
static void reserved_data_gets_no_data_integrity_writeback(struct kunit *test)
{
	const struct remap_layout *layout = test->param_value;
	const struct writeback_log *log = writeback_of_layout(test, layout);

	for (const struct file_range *r = layout->reserved; r->len; r++)
		KUNIT_EXPECT_FALSE_MSG(test, any_written_back(log, r->start,
							      range_end(r) - 1,
							      WB_SYNC_ALL),
				       "reserved [%llu, %llu) got WB_SYNC_ALL writeback",
				       r->start, range_end(r));
}

/*
 * Writeback is asked for reserved dirty data in a disk extent that the remap
 * shares and that would take it in place, so that it does not go to new space
 * after the share. (It is WB_SYNC_NONE: a folio under writeback is skipped.)
 */
static void dirty_data_of_shared_disk_extents_is_written_back(struct kunit *test)
{
	const struct remap_layout *layout = test->param_value;
	const struct writeback_log *log = writeback_of_layout(test, layout);

	for (unsigned int i = 0; i < MAX_ITEMS; i++) {
		const struct btrfs_kunit_extent *item = &layout->items[i];

		if (!has_disk_extent(item) || !shared_by_remap(layout, item) ||
		    !goes_in_place(layout, item))
			continue;
		for (const struct file_range *r = layout->reserved; r->len; r++) {
			u64 start, end;

			if (!part_over(r, item, &start, &end))
				continue;
			KUNIT_EXPECT_TRUE_MSG(test, written_back(log, start, end - 1, -1),
					      "dirty [%llu, %llu) of the shared disk extent at %llu was not written back",
					      start, end, item->disk_bytenr);
		}
	}
}

/* Dirty data of the disk extents that the remap does not share is left alone. */
static void dirty_data_of_other_disk_extents_is_left_alone(struct kunit *test)
{
	const struct remap_layout *layout = test->param_value;
	const struct writeback_log *log = writeback_of_layout(test, layout);

	for (unsigned int i = 0; i < MAX_ITEMS; i++) {
		const struct btrfs_kunit_extent *item = &layout->items[i];

		if (!has_disk_extent(item) || shared_by_remap(layout, item))
			continue;
		for (const struct file_range *r = layout->reserved; r->len; r++) {
			u64 start, end;

			if (!part_over(r, item, &start, &end))
				continue;
			KUNIT_EXPECT_FALSE_MSG(test, any_written_back(log, start, end - 1, -1),
					       "dirty [%llu, %llu) of the unshared disk extent at %llu was written back",
					       start, end, item->disk_bytenr);
		}
	}
}

/*
 * A file that was never fallocated nor made NODATACOW holds no unreserved
 * data, and its writeback COWs whatever is shared: nothing is written back,
 * not even the dirty data of preallocated extents that were cloned into it.
 */
static void file_without_prealloc_or_nodatacow_is_not_written_back(struct kunit *test)
{
	const struct remap_layout *layout = &remap_layouts[ARRAY_SIZE(remap_layouts) - 1];
	struct writeback_log *log = test->priv;
	struct btrfs_inode *inode;

	KUNIT_ASSERT_TRUE(test, layout->cloned_in);
	inode = build_layout(test, layout);
	KUNIT_ASSERT_FALSE(test, inode->flags & (BTRFS_INODE_PREALLOC |
						 BTRFS_INODE_NODATACOW));

	KUNIT_EXPECT_EQ(test, writeback_before_remap(inode, layout), 0);
	KUNIT_EXPECT_EQ_MSG(test, log->nr, 0,
			    "writeback asked for a file that can take no NOCOW write");
}

/*
 * An error from writeback is returned, and nothing more is written back after
 * it: the remap must not share extents whose unreserved data is still in the
 * page cache. The first layout has two unreserved ranges, one of them in a
 * folio under writeback, and reserved data in its shared disk extent; this
 * implementation asks for four writebacks there (two for the range under
 * writeback), and each of the four fails in turn. An implementation that asks
 * for fewer fails the later ones: they check this implementation's error path,
 * not a rule from the disk.
 */
static const unsigned int writeback_errors[] = { 1, 2, 3, 4 };

static void writeback_error_desc(const unsigned int *fail_at, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "error from writeback %u", *fail_at);
}

KUNIT_ARRAY_PARAM(writeback_error, writeback_errors, writeback_error_desc);

static unsigned int nr_ranges(const struct file_range *ranges)
{
	unsigned int nr = 0;

	for (; ranges->len; ranges++)
		nr++;
	return nr;
}

static void writeback_error_is_returned(struct kunit *test)
{
	const struct remap_layout *layout = &remap_layouts[0];
	const unsigned int *fail_at = test->param_value;
	struct writeback_log *log = test->priv;
	struct btrfs_inode *inode;

	KUNIT_ASSERT_TRUE(test, unreserved_busy(layout, true));
	KUNIT_ASSERT_TRUE(test, reserved_in_shared_extent(layout));
	KUNIT_ASSERT_LE(test, *fail_at, nr_ranges(layout->noreserve) + 2);
	inode = build_layout(test, layout);
	log->error = -EIO;
	log->fail_at = *fail_at;

	KUNIT_EXPECT_EQ_MSG(test, writeback_before_remap(inode, layout), -EIO,
			    "the error of writeback %u was not returned", *fail_at);
	KUNIT_EXPECT_EQ_MSG(test, log->nr, *fail_at, "writeback went on after an error");
}

static struct kunit_case btrfs_reflink_nocow_writeback_cases[] = {
	KUNIT_CASE_PARAM(unreserved_data_in_shared_disk_extents_is_written_back,
			 noreserve_shared_gen_params),
	KUNIT_CASE_PARAM(unreserved_data_under_writeback_gets_data_integrity_writeback,
			 noreserve_busy_gen_params),
	KUNIT_CASE_PARAM(unreserved_data_not_under_writeback_gets_no_wait,
			 noreserve_idle_gen_params),
	KUNIT_CASE_PARAM(reserved_data_gets_no_data_integrity_writeback,
			 reserved_gen_params),
	KUNIT_CASE_PARAM(dirty_data_of_shared_disk_extents_is_written_back,
			 reserved_shared_gen_params),
	KUNIT_CASE_PARAM(dirty_data_of_other_disk_extents_is_left_alone,
			 reserved_unshared_gen_params),
	KUNIT_CASE(file_without_prealloc_or_nodatacow_is_not_written_back),
	KUNIT_CASE_PARAM(writeback_error_is_returned, writeback_error_gen_params),
	{}
};

static struct kunit_suite btrfs_reflink_nocow_writeback_suite = {
	.name = "btrfs_reflink_nocow_writeback",
	.suite_init = btrfs_kunit_suite_init,
	.suite_exit = btrfs_kunit_suite_exit,
	.init = reflink_test_init,
	.test_cases = btrfs_reflink_nocow_writeback_cases,
};

kunit_test_suite(btrfs_reflink_nocow_writeback_suite);
