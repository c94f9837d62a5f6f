// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of what a reflink (clone) or dedupe writes back before it shares
 * extents: the data dirtied without a data reservation (NOCOW writes on a
 * full filesystem) anywhere in the whole extents that the source range
 * references, and nothing else.
 */

#include <kunit/test.h>
#include <kunit/static_stub.h>
#include <linux/sizes.h>
#include "btrfs-kunit.h"
#include "../ctree.h"
#include "../btrfs_inode.h"
#include "../extent-io-tree.h"
#include "../reflink.h"
#include "../space-info.h"
#include "../fs.h"

#define SECTORSIZE	SZ_4K
#define MAX_EMS		6
#define MAX_RANGES	6

/* A file range [start, start + len), or the end of a list when len is 0. */
struct file_range {
	u64 start;
	u64 len;
};

/**
 * struct remap_layout - a file, its dirty data and a remap of part of it
 * @name:	what the layout shows, for the KTAP line
 * @i_size:	file size
 * @nodatacow:	the inode has the NODATACOW flag
 * @ems:	the file's extent maps; ranges without one read as holes
 * @noreserve:	ranges dirtied without a data reservation (NOCOW writes)
 * @reserved:	ranges dirtied with a data reservation
 * @pos:	start of the remap's source range
 * @len:	length of the source range, 0 meaning up to EOF
 * @shared:	the whole extents that can take NOCOW writes and that the
 *		remap shares, merged: nothing outside them may be written back
 * @expect:	the ranges that must be written back, sorted and merged
 */
struct remap_layout {
	const char *name;
	u64 i_size;
	bool nodatacow;
	struct btrfs_kunit_em ems[MAX_EMS];
	struct file_range noreserve[MAX_RANGES];
	struct file_range reserved[MAX_RANGES];
	u64 pos;
	u64 len;
	struct file_range shared[MAX_RANGES];
	struct file_range expect[MAX_RANGES];
};

#define PREALLOC(s, l, bytenr, size, off)				\
	{ .type = BTRFS_KUNIT_EM_PREALLOC, .start = (s), .len = (l),	\
	  .disk_bytenr = (bytenr), .disk_num_bytes = (size), .offset = (off) }
#define REG(s, l, bytenr, size, off)					\
	{ .type = BTRFS_KUNIT_EM_REG, .start = (s), .len = (l),		\
	  .disk_bytenr = (bytenr), .disk_num_bytes = (size), .offset = (off) }

static const struct remap_layout remap_layouts[] = {
	{
		.name = "seed: one block cloned, unreserved data far inside the extent",
		.i_size = SZ_1M + SZ_8K,
		.ems = { PREALLOC(SZ_8K, SZ_1M, SZ_1G, SZ_1M, 0) },
		.noreserve = { { SZ_256K, SZ_512K } },
		.pos = SZ_8K, .len = SECTORSIZE,
		.shared = { { SZ_8K, SZ_1M } },
		.expect = { { SZ_256K, SZ_512K } },
	},
	{
		.name = "split prealloc extent, unreserved data before, inside and after the range",
		.i_size = SZ_1M,
		.ems = {
			PREALLOC(0, SZ_256K, SZ_1G, SZ_1M, 0),
			REG(SZ_256K, SZ_128K, SZ_1G, SZ_1M, SZ_256K),
			PREALLOC(SZ_256K + SZ_128K, SZ_512K + SZ_128K, SZ_1G,
				 SZ_1M, SZ_256K + SZ_128K),
		},
		.noreserve = {
			{ SZ_64K, SZ_64K },
			{ SZ_256K + SZ_128K + SZ_16K, SZ_16K },
			{ SZ_512K + SZ_256K, SZ_32K },
		},
		.pos = SZ_256K + SZ_128K, .len = SZ_64K,
		.shared = { { 0, SZ_1M } },
		.expect = {
			{ SZ_64K, SZ_64K },
			{ SZ_256K + SZ_128K + SZ_16K, SZ_16K },
			{ SZ_512K + SZ_256K, SZ_32K },
		},
	},
	{
		.name = "range starts inside an extent and ends in a COW extent",
		.i_size = SZ_1M,
		.ems = {
			PREALLOC(0, SZ_512K, SZ_1G, SZ_512K, 0),
			REG(SZ_512K, SZ_512K, SZ_2G, SZ_512K, 0),
		},
		.noreserve = { { 0, SZ_64K } },
		.reserved = { { SZ_512K + SZ_64K, SZ_64K } },
		.pos = SZ_128K, .len = SZ_512K,
		.shared = { { 0, SZ_512K } },
		.expect = { { 0, SZ_64K } },
	},
	{
		.name = "range ends inside an extent",
		.i_size = SZ_1M,
		.ems = {
			PREALLOC(0, SZ_256K, SZ_1G, SZ_256K, 0),
			PREALLOC(SZ_256K, SZ_512K, SZ_2G, SZ_512K, 0),
			PREALLOC((SZ_512K + SZ_256K), SZ_256K, SZ_2G + SZ_1M, SZ_256K, 0),
		},
		.noreserve = {
			{ 0, SZ_16K },
			{ SZ_512K + SZ_128K, SZ_128K },
			{ (SZ_512K + SZ_256K) + SZ_64K, SZ_16K },
		},
		.pos = SZ_128K, .len = SZ_256K,
		.shared = { { 0, (SZ_512K + SZ_256K) } },
		.expect = { { 0, SZ_16K }, { SZ_512K + SZ_128K, SZ_128K } },
	},
	{
		.name = "several extents, only the touched one is flushed",
		.i_size = SZ_1M,
		.ems = {
			PREALLOC(0, SZ_256K, SZ_1G, SZ_256K, 0),
			PREALLOC(SZ_256K, SZ_256K, SZ_2G, SZ_256K, 0),
			PREALLOC(SZ_512K, SZ_256K, SZ_1G + SZ_1M, SZ_256K, 0),
			REG((SZ_512K + SZ_256K), SZ_256K, SZ_2G + SZ_1M, SZ_256K, 0),
		},
		.noreserve = {
			{ SZ_16K, SZ_16K },
			{ SZ_256K + SZ_128K, SZ_16K },
			{ SZ_512K + SZ_16K, SZ_16K },
		},
		.reserved = { { (SZ_512K + SZ_256K), SZ_16K } },
		.pos = SZ_256K + SECTORSIZE, .len = SECTORSIZE,
		.shared = { { SZ_256K, SZ_256K } },
		.expect = { { SZ_256K + SZ_128K, SZ_16K } },
	},
	{
		.name = "adjacent extents merged in the extent map cache are flushed together",
		.i_size = SZ_512K,
		.ems = {
			PREALLOC(0, SZ_256K, SZ_1G, SZ_256K, 0),
			PREALLOC(SZ_256K, SZ_256K, SZ_1G + SZ_256K, SZ_256K, 0),
		},
		.noreserve = { { SZ_256K + SZ_128K, SZ_32K } },
		.pos = 0, .len = SECTORSIZE,
		.shared = { { 0, SZ_512K } },
		.expect = { { SZ_256K + SZ_128K, SZ_32K } },
	},
	{
		.name = "regular extent of a NODATACOW inode",
		.i_size = SZ_512K,
		.nodatacow = true,
		.ems = { REG(0, SZ_512K, SZ_1G, SZ_512K, 0) },
		.noreserve = { { SZ_256K, SZ_64K } },
		.pos = 0, .len = SECTORSIZE,
		.shared = { { 0, SZ_512K } },
		.expect = { { SZ_256K, SZ_64K } },
	},
	{
		.name = "regular extent of a COW inode: nothing to flush",
		.i_size = SZ_512K,
		.ems = { REG(0, SZ_512K, SZ_1G, SZ_512K, 0) },
		.noreserve = { { SZ_256K, SZ_64K } },
		.reserved = { { 0, SZ_64K } },
		.pos = 0, .len = SZ_128K,
	},
	{
		.name = "compressed extent of a NODATACOW inode: nothing to flush",
		.i_size = SZ_128K,
		.nodatacow = true,
		.ems = {
			{ .type = BTRFS_KUNIT_EM_COMPRESSED, .start = 0,
			  .len = SZ_128K, .disk_bytenr = SZ_1G,
			  .disk_num_bytes = SZ_16K, .ram_bytes = SZ_128K },
		},
		.noreserve = { { SZ_64K, SZ_16K } },
		.pos = 0, .len = SECTORSIZE,
	},
	{
		.name = "hole and inline extents: nothing to flush",
		.i_size = SZ_256K,
		.nodatacow = true,
		.ems = {
			{ .type = BTRFS_KUNIT_EM_INLINE, .start = 0,
			  .len = SECTORSIZE, .ram_bytes = 1000 },
			{ .type = BTRFS_KUNIT_EM_HOLE, .start = SECTORSIZE,
			  .len = SZ_256K - SECTORSIZE },
		},
		.noreserve = { { SZ_64K, SZ_16K } },
		.pos = 0, .len = 0,
	},
	{
		.name = "len 0 clones from the offset up to EOF",
		.i_size = SZ_1M - 100,
		.ems = {
			PREALLOC(0, SZ_512K, SZ_1G, SZ_512K, 0),
			PREALLOC(SZ_512K, SZ_512K, SZ_2G, SZ_512K, 0),
			PREALLOC(SZ_1M, SZ_1M, SZ_2G + SZ_1M, SZ_1M, 0),
		},
		.noreserve = {
			{ SZ_16K, SZ_16K },
			{ SZ_1M - SECTORSIZE, SECTORSIZE },
		},
		.pos = SZ_512K, .len = 0,
		.shared = { { SZ_512K, SZ_512K } },
		.expect = { { SZ_1M - SECTORSIZE, SECTORSIZE } },
	},
	{
		.name = "range ending at an unaligned EOF shares the last block",
		.i_size = SZ_512K + 100,
		.ems = {
			PREALLOC(0, SZ_512K, SZ_1G, SZ_512K, 0),
			PREALLOC(SZ_512K, SZ_64K, SZ_2G, SZ_64K, 0),
		},
		.noreserve = { { SZ_512K, SECTORSIZE } },
		.pos = SZ_256K, .len = SZ_256K + 100,
		.shared = { { 0, SZ_512K + SZ_64K } },
		.expect = { { SZ_512K, SECTORSIZE } },
	},
	{
		.name = "dedupe of part of a prealloc extent",
		.i_size = SZ_1M,
		.ems = {
			REG(0, SZ_256K, SZ_2G, SZ_256K, 0),
			PREALLOC(SZ_256K, (SZ_512K + SZ_256K), SZ_1G, (SZ_512K + SZ_256K), 0),
		},
		.noreserve = { { SZ_64K, SZ_16K }, { SZ_1M - SZ_16K, SZ_16K } },
		.reserved = { { SZ_256K, SZ_16K } },
		.pos = SZ_256K + SZ_128K, .len = SZ_128K,
		.shared = { { SZ_256K, (SZ_512K + SZ_256K) } },
		.expect = { { SZ_1M - SZ_16K, SZ_16K } },
	},
	{
		.name = "extent whose start was overwritten reaches back over others",
		.i_size = SZ_512K,
		.ems = {
			PREALLOC(0, SZ_64K, SZ_1G, SZ_64K, 0),
			REG(SZ_64K, SZ_64K, SZ_2G, SZ_64K, 0),
			PREALLOC(SZ_128K, SZ_64K, SZ_1G + SZ_1M, SZ_64K, 0),
			PREALLOC(SZ_256K, SZ_64K, SZ_2G + SZ_1M, SZ_256K + SZ_32K,
				 SZ_256K - SZ_32K),
		},
		.noreserve = { { SZ_16K, SZ_256K } },
		.pos = 0, .len = SZ_512K,
		.shared = { { 0, SZ_256K + SZ_64K } },
		.expect = { { SZ_16K, SZ_256K } },
	},
};

static void remap_layout_desc(const struct remap_layout *layout, char *desc)
{
	strscpy(desc, layout->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(remap_layout, remap_layouts, remap_layout_desc);

/* The layouts in which the remap shares at least one extent that takes NOCOW writes. */
static const void *sharing_layout_gen_params(const void *prev, char *desc)
{
	const struct remap_layout *layout = prev;

	do {
		layout = remap_layout_gen_params(layout, desc);
	} while (layout && !layout->shared[0].len);
	return layout;
}

/* The ranges a walk or a writeback reported, as [start, end]. */
struct range_log {
	unsigned int nr;
	struct {
		u64 start;
		u64 end;
	} range[16];
	int error;
};

static struct range_log *new_range_log(struct kunit *test)
{
	struct range_log *log = kunit_kzalloc(test, sizeof(*log), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, log);
	return log;
}

static int log_range(struct btrfs_inode *inode, u64 start, u64 end, void *ctx)
{
	struct range_log *log = ctx;

	if (log->nr == ARRAY_SIZE(log->range))
		return -E2BIG;
	log->range[log->nr].start = start;
	log->range[log->nr].end = end;
	log->nr++;
	return log->error;
}

static u64 total_len(const struct file_range *ranges)
{
	u64 total = 0;

	for (; ranges->len; ranges++)
		total += ranges->len;
	return total;
}

/*
 * Build @layout in a new dummy filesystem, with a data space_info that the
 * dirty data leaves full.
 */
static struct btrfs_inode *build_layout(struct kunit *test,
					const struct remap_layout *layout,
					struct btrfs_space_info **sinfo)
{
	struct btrfs_kunit_fs fs;
	const struct file_range *r;
	u64 reserved = total_len(layout->reserved);

	btrfs_kunit_new_fs(test, &fs, SECTORSIZE, layout->i_size);
	if (layout->nodatacow)
		fs.inode->flags |= BTRFS_INODE_NODATACOW | BTRFS_INODE_NODATASUM;
	for (unsigned int i = 0; i < MAX_EMS && layout->ems[i].len; i++)
		btrfs_kunit_add_extent_map(test, fs.inode, &layout->ems[i]);
	*sinfo = btrfs_kunit_add_data_space_info(test, fs.fs_info, SZ_1G,
						 SZ_1G - reserved, 0);
	for (r = layout->reserved; r->len; r++)
		btrfs_kunit_dirty_range(test, fs.inode, r->start, r->len, true);
	for (r = layout->noreserve; r->len; r++)
		btrfs_kunit_dirty_range(test, fs.inode, r->start, r->len, false);
	KUNIT_ASSERT_EQ_MSG(test, (*sinfo)->bytes_may_use + (*sinfo)->bytes_used,
			    (*sinfo)->total_bytes, "the data space_info is not full");
	return fs.inode;
}

static bool inside(const struct file_range *spans, u64 start, u64 end)
{
	for (; spans->len; spans++)
		if (start >= spans->start && end < spans->start + spans->len)
			return true;
	return false;
}

/* Expect @log to hold exactly the ranges of @layout->expect, in order. */
static void expect_ranges(struct kunit *test, const struct remap_layout *layout,
			  const struct range_log *log)
{
	unsigned int nr = 0;

	for (unsigned int i = 0; i < log->nr; i++)
		KUNIT_EXPECT_TRUE_MSG(test, inside(layout->shared, log->range[i].start,
						   log->range[i].end),
				      "[%llu, %llu] was written back, outside the shared extents",
				      log->range[i].start, log->range[i].end);
	while (nr < MAX_RANGES && layout->expect[nr].len)
		nr++;
	KUNIT_EXPECT_EQ_MSG(test, log->nr, nr, "wrong number of ranges written back");
	for (unsigned int i = 0; i < min(nr, log->nr); i++) {
		const struct file_range *want = &layout->expect[i];

		KUNIT_EXPECT_EQ_MSG(test, log->range[i].start, want->start,
				    "range %u starts at the wrong offset", i);
		KUNIT_EXPECT_EQ_MSG(test, log->range[i].end,
				    want->start + want->len - 1,
				    "range %u ends at the wrong offset", i);
	}
}

static void walk_finds_exactly_the_unreserved_data_of_shared_extents(struct kunit *test)
{
	const struct remap_layout *layout = test->param_value;
	struct btrfs_space_info *sinfo;
	struct btrfs_inode *inode;
	struct range_log *log;
	int ret;

	log = new_range_log(test);
	inode = build_layout(test, layout, &sinfo);

	ret = btrfs_remap_find_noreserve_ranges(inode, layout->pos, layout->len,
						log_range, log);
	KUNIT_ASSERT_EQ(test, ret, 0);
	expect_ranges(test, layout, log);
}

static void walk_stops_at_the_first_error(struct kunit *test)
{
	const struct remap_layout *layout = &remap_layouts[1];
	struct btrfs_space_info *sinfo;
	struct btrfs_inode *inode;
	struct range_log *log;
	int ret;

	log = new_range_log(test);
	log->error = -EIO;
	inode = build_layout(test, layout, &sinfo);

	ret = btrfs_remap_find_noreserve_ranges(inode, layout->pos, layout->len,
						log_range, log);
	KUNIT_EXPECT_EQ(test, ret, -EIO);
	KUNIT_EXPECT_EQ(test, log->nr, 1);
}

static void walk_of_unaligned_range_covers_its_blocks(struct kunit *test)
{
	const struct btrfs_kunit_em ems[] = {
		PREALLOC(0, SZ_64K, SZ_1G, SZ_64K, 0),
		PREALLOC(SZ_64K, SZ_64K, SZ_2G, SZ_64K, 0),
	};
	struct btrfs_kunit_fs fs;
	struct range_log *log;
	int ret;

	log = new_range_log(test);
	btrfs_kunit_new_fs(test, &fs, SECTORSIZE, SZ_128K);
	btrfs_kunit_add_extent_maps(test, fs.inode, ems, ARRAY_SIZE(ems));
	btrfs_kunit_dirty_range(test, fs.inode, SZ_64K + SZ_16K, SECTORSIZE, false);

	/* One byte into the second extent: it is shared. */
	ret = btrfs_remap_find_noreserve_ranges(fs.inode, SZ_64K - 1, 2,
						log_range, log);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_ASSERT_EQ(test, log->nr, 1);
	KUNIT_EXPECT_EQ(test, log->range[0].start, SZ_64K + SZ_16K);
	KUNIT_EXPECT_EQ(test, log->range[0].end, SZ_64K + SZ_16K + SECTORSIZE - 1);
}

static void walk_of_empty_file_finds_nothing(struct kunit *test)
{
	struct btrfs_kunit_fs fs;
	struct range_log *log;
	int ret;

	log = new_range_log(test);
	btrfs_kunit_new_fs(test, &fs, SECTORSIZE, 0);

	ret = btrfs_remap_find_noreserve_ranges(fs.inode, 0, 0, log_range, log);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, log->nr, 0);
}

static struct kunit_case btrfs_reflink_flush_ranges_cases[] = {
	KUNIT_CASE_PARAM(walk_finds_exactly_the_unreserved_data_of_shared_extents,
			 remap_layout_gen_params),
	KUNIT_CASE(walk_stops_at_the_first_error),
	KUNIT_CASE(walk_of_unaligned_range_covers_its_blocks),
	KUNIT_CASE(walk_of_empty_file_finds_nothing),
	{}
};

static struct kunit_suite btrfs_reflink_flush_ranges_suite = {
	.name = "btrfs_reflink_flush_ranges",
	.suite_init = btrfs_kunit_suite_init,
	.suite_exit = btrfs_kunit_suite_exit,
	.test_cases = btrfs_reflink_flush_ranges_cases,
};

/*
 * Writeback of test inodes cannot run: they have no pages. This stand-in does
 * what writeback does to the io tree when the data goes in place (NOCOW): the
 * delalloc range is gone, and no data space is taken for it.
 */
static int fake_nocow_writeback(struct btrfs_inode *inode, u64 start, u64 end)
{
	struct kunit *test = kunit_get_current_test();
	struct range_log *log = test->priv;
	int ret;

	ret = log_range(inode, start, end, log);
	if (ret)
		return ret;
	return clear_extent_bit(&inode->io_tree, start, end,
				EXTENT_DELALLOC | EXTENT_NORESERVE, NULL);
}

static int nocow_writeback_test_init(struct kunit *test)
{
	struct range_log *log;

	log = new_range_log(test);
	test->priv = log;
	kunit_activate_static_stub(test, btrfs_remap_writeback_range,
				   fake_nocow_writeback);
	return 0;
}

/*
 * After the flush, every byte of a shared extent that is still dirty must be
 * writable by COW: it has a data reservation. On a full filesystem no new one
 * can be had, so no EXTENT_NORESERVE range may be left in a shared extent.
 */
static void flush_leaves_no_unreserved_data_in_shared_extents(struct kunit *test)
{
	const struct remap_layout *layout = test->param_value;
	struct btrfs_space_info *sinfo;
	struct btrfs_inode *inode;
	const struct file_range *r;
	u64 may_use;

	inode = build_layout(test, layout, &sinfo);
	may_use = sinfo->bytes_may_use;

	KUNIT_ASSERT_EQ(test, btrfs_remap_flush_noreserve(inode, layout->pos,
							  layout->len), 0);

	for (r = layout->shared; r->len; r++) {
		u64 left = r->start;

		KUNIT_EXPECT_EQ_MSG(test,
				    count_range_bits(&inode->io_tree, &left,
						     r->start + r->len - 1, r->len,
						     EXTENT_NORESERVE, 0, NULL), 0,
				    "unreserved data left at %llu in the extent at [%llu, %llu), which will be shared",
				    left, r->start, r->start + r->len);
		KUNIT_EXPECT_EQ_MSG(test, btrfs_reserve_data_bytes(inode->root->fs_info,
								   SECTORSIZE,
								   BTRFS_RESERVE_NO_FLUSH),
				    -ENOSPC, "the filesystem is not full");
	}
	/* Reserved dirty data keeps its reservation; the flush takes none. */
	for (r = layout->reserved; r->len; r++)
		KUNIT_EXPECT_TRUE_MSG(test, test_range_bit(&inode->io_tree, r->start,
							   r->start + r->len - 1,
							   EXTENT_DELALLOC, NULL),
				      "reserved data at [%llu, %llu) was written back",
				      r->start, r->start + r->len);
	KUNIT_EXPECT_EQ(test, sinfo->bytes_may_use, may_use);
}

/* Unreserved data outside the shared extents is not written back. */
static void flush_leaves_other_unreserved_data_alone(struct kunit *test)
{
	const struct remap_layout *layout = test->param_value;
	struct btrfs_space_info *sinfo;
	struct btrfs_inode *inode;
	const struct file_range *r;

	inode = build_layout(test, layout, &sinfo);

	KUNIT_ASSERT_EQ(test, btrfs_remap_flush_noreserve(inode, layout->pos,
							  layout->len), 0);

	for (r = layout->noreserve; r->len; r++) {
		u64 end = r->start + r->len - 1;

		if (inside(layout->shared, r->start, end))
			continue;
		KUNIT_EXPECT_TRUE_MSG(test, test_range_bit(&inode->io_tree, r->start, end,
							   EXTENT_NORESERVE, NULL),
				      "[%llu, %llu) is outside the shared extents but was written back",
				      r->start, r->start + r->len);
	}
	expect_ranges(test, layout, test->priv);
}

static void flush_returns_writeback_errors(struct kunit *test)
{
	const struct remap_layout *layout = &remap_layouts[1];
	struct range_log *log = test->priv;
	struct btrfs_space_info *sinfo;
	struct btrfs_inode *inode;

	inode = build_layout(test, layout, &sinfo);
	log->error = -EIO;

	KUNIT_EXPECT_EQ(test, btrfs_remap_flush_noreserve(inode, layout->pos,
							  layout->len), -EIO);
	KUNIT_EXPECT_EQ_MSG(test, log->nr, 1, "writeback went on after an error");
}

static void flush_without_unreserved_data_writes_nothing(struct kunit *test)
{
	const struct btrfs_kunit_em ems[] = {
		PREALLOC(0, SZ_1M, SZ_1G, SZ_1M, 0),
	};
	struct range_log *log = test->priv;
	struct btrfs_kunit_fs fs;

	btrfs_kunit_new_fs(test, &fs, SECTORSIZE, SZ_1M);
	btrfs_kunit_add_extent_maps(test, fs.inode, ems, ARRAY_SIZE(ems));
	btrfs_kunit_add_data_space_info(test, fs.fs_info, SZ_1G, 0, 0);
	btrfs_kunit_dirty_range(test, fs.inode, SZ_64K, SZ_64K, true);

	KUNIT_EXPECT_EQ(test, btrfs_remap_flush_noreserve(fs.inode, 0, SECTORSIZE), 0);
	KUNIT_EXPECT_EQ(test, log->nr, 0);
}

static struct kunit_case btrfs_reflink_nocow_writeback_cases[] = {
	KUNIT_CASE_PARAM(flush_leaves_no_unreserved_data_in_shared_extents,
			 sharing_layout_gen_params),
	KUNIT_CASE_PARAM(flush_leaves_other_unreserved_data_alone,
			 remap_layout_gen_params),
	KUNIT_CASE(flush_returns_writeback_errors),
	KUNIT_CASE(flush_without_unreserved_data_writes_nothing),
	{}
};

static struct kunit_suite btrfs_reflink_nocow_writeback_suite = {
	.name = "btrfs_reflink_nocow_writeback",
	.suite_init = btrfs_kunit_suite_init,
	.suite_exit = btrfs_kunit_suite_exit,
	.init = nocow_writeback_test_init,
	.test_cases = btrfs_reflink_nocow_writeback_cases,
};

kunit_test_suites(&btrfs_reflink_flush_ranges_suite,
		  &btrfs_reflink_nocow_writeback_suite);
