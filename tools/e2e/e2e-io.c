// SPDX-License-Identifier: GPL-2.0
/*
 * e2e-io: the data steps of the end-to-end scenarios that xfs_io cannot
 * express, with an exit status that tells whether they worked.
 *
 *   e2e-io write FILE OFFSET LEN SEED    buffered pattern write, no sync
 *   e2e-io verify FILE OFFSET LEN SEED   check every byte of the pattern
 *   e2e-io same FILE1 OFF1 FILE2 OFF2 LEN  the two ranges hold the same bytes
 *   e2e-io fill FILE [direct]            write until the filesystem is full;
 *                                        direct: O_DIRECT 4 KiB writes, so
 *                                        that the space is allocated before
 *                                        each returns, none of it only
 *                                        reserved, and the first that fails
 *                                        finds no space left
 *   e2e-io clone SRC SRCOFF DST DSTOFF LEN   FICLONERANGE (LEN 0: to EOF)
 *   e2e-io dedupe SRC SRCOFF DST DSTOFF LEN  FIDEDUPERANGE
 *   e2e-io fsync FILE
 *   e2e-io map FILE OFFSET               what the block at OFFSET is now:
 *                                        written PHYS, unwritten PHYS,
 *                                        delalloc or hole
 *   e2e-io extents FILE                  the number of extents of FILE
 *   e2e-io commit DIR                    commit the transaction of DIR's
 *                                        btrfs and wait for it, without
 *                                        writing back dirty data first (as
 *                                        sync and BTRFS_IOC_SYNC would):
 *                                        BTRFS_IOC_START_SYNC, WAIT_SYNC
 *   e2e-io mmap-writer FILE OFFSET LEN SEED GAP_MS
 *                                        until killed: store the pattern
 *                                        through a shared mapping (LEN
 *                                        bytes, in one page), start its
 *                                        writeback (sync_file_range), sleep
 *                                        GAP_MS; a store that faults with
 *                                        SIGBUS (no data space) is skipped
 *
 * map and extents use FIEMAP without FIEMAP_FLAG_SYNC, so they write nothing
 * back: they show the file as the next step will find it. PHYS is the
 * filesystem's address of the block (for btrfs: in its logical address space,
 * the disk bytenr of the extent plus the offset into it).
 *
 * Sizes take k, m and g suffixes. Each 8-byte word of a pattern holds its own
 * file offset mixed with the seed, so data that lands at the wrong offset, a
 * stale block or a block of zeros are all told apart from the right data.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/btrfs.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "remap-io.h"

#define CHUNK	(1 << 20)

static uint64_t word(uint64_t seed, uint64_t off)
{
	uint64_t x = off ^ (seed * 0x9e3779b97f4a7c15ULL);

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 29;
	return x | 1;	/* never zero: a hole never passes for data */
}

static uint64_t size_arg(const char *s)
{
	char *end;
	uint64_t v = strtoull(s, &end, 0);

	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	}
	if (*end) {
		fprintf(stderr, "e2e-io: bad size '%s'\n", s);
		exit(2);
	}
	return v;
}

static int open_or_die(const char *path, int flags)
{
	int fd = open(path, flags, 0644);

	if (fd < 0) {
		fprintf(stderr, "e2e-io: cannot open %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return fd;
}

static void fill_pattern(uint64_t *buf, uint64_t off, size_t len, uint64_t seed)
{
	for (size_t i = 0; i < len / 8; i++)
		buf[i] = word(seed, off + i * 8);
}

static int do_write(const char *path, uint64_t off, uint64_t len, uint64_t seed)
{
	static uint64_t buf[CHUNK / 8];
	int fd = open_or_die(path, O_WRONLY | O_CREAT);

	while (len) {
		size_t n = len < CHUNK ? len : CHUNK;
		ssize_t done;

		fill_pattern(buf, off, n, seed);
		done = pwrite(fd, buf, n, off);
		if (done < 0) {
			fprintf(stderr, "e2e-io: write of %zu bytes at %" PRIu64 " to %s: %s\n",
				n, off, path, strerror(errno));
			return 1;
		}
		off += done;
		len -= done;
	}
	return close(fd) ? 1 : 0;
}

static int do_verify(const char *path, uint64_t off, uint64_t len, uint64_t seed)
{
	static uint64_t buf[CHUNK / 8], want[CHUNK / 8];
	int fd = open_or_die(path, O_RDONLY);
	uint64_t bad = 0, first_bad = 0;

	while (len) {
		size_t n = len < CHUNK ? len : CHUNK;
		ssize_t got = pread(fd, buf, n, off);

		if (got != (ssize_t)n) {
			fprintf(stderr, "e2e-io: %s: short read at %" PRIu64 ": %s\n", path, off,
				got < 0 ? strerror(errno) : "end of file");
			return 1;
		}
		fill_pattern(want, off, n, seed);
		for (size_t i = 0; i < n / 8; i++) {
			if (buf[i] != want[i]) {
				if (!bad)
					first_bad = off + i * 8;
				bad += 8;
			}
		}
		off += n;
		len -= n;
	}
	close(fd);
	if (bad) {
		fprintf(stderr, "e2e-io: %s: %" PRIu64 " bytes differ from the pattern, the first at offset %" PRIu64 "\n",
			path, bad, first_bad);
		return 1;
	}
	return 0;
}

static int do_same(const char *p1, uint64_t o1, const char *p2, uint64_t o2, uint64_t len)
{
	static char a[CHUNK], b[CHUNK];
	int f1 = open_or_die(p1, O_RDONLY), f2 = open_or_die(p2, O_RDONLY);

	while (len) {
		size_t n = len < CHUNK ? len : CHUNK;

		if (pread(f1, a, n, o1) != (ssize_t)n || pread(f2, b, n, o2) != (ssize_t)n) {
			fprintf(stderr, "e2e-io: short read comparing %s and %s\n", p1, p2);
			return 1;
		}
		if (memcmp(a, b, n)) {
			fprintf(stderr, "e2e-io: %s at %" PRIu64 " differs from %s at %" PRIu64 "\n",
				p1, o1, p2, o2);
			return 1;
		}
		o1 += n;
		o2 += n;
		len -= n;
	}
	return 0;
}

/*
 * O_DIRECT 4 KiB appends to @fd until ENOSPC: bytes written. One block at a
 * time, so that the reservation that fails (and flushes delalloc) comes when no
 * block is left, not while a larger write does not fit.
 */
static int64_t fill_direct(int fd)
{
	static uint64_t buf[4096 / 8] __attribute__((aligned(4096)));
	off_t end = lseek(fd, 0, SEEK_END);
	int64_t total = 0;

	fill_pattern(buf, 0, sizeof(buf), 0xf111);
	for (;;) {
		ssize_t done = pwrite(fd, buf, sizeof(buf), end);

		if (done < 0 && errno == ENOSPC)
			return total;
		if (done < 0)
			return -errno;
		end += done;
		total += done;
	}
}

/* Fill the filesystem: no data space is left. */
static int do_fill(const char *path, int direct)
{
	static uint64_t buf[CHUNK / 8];
	int fd = open_or_die(path, direct ? O_WRONLY | O_CREAT | O_DIRECT :
				 O_WRONLY | O_CREAT | O_APPEND);
	int64_t total;

	fill_pattern(buf, 0, CHUNK, 0xf111);
	total = direct ? fill_direct(fd) : fill_until_enospc(fd, buf, CHUNK);
	if (total < 0) {
		fprintf(stderr, "e2e-io: fill %s: %s\n", path, strerror(-total));
		return 1;
	}
	fsync(fd);	/* may fail with ENOSPC too: the filesystem is full */
	close(fd);
	printf("filled %s with %" PRId64 " bytes\n", path, total);
	return 0;
}

static int do_remap(int dedupe, char **argv)
{
	int src = open_or_die(argv[0], O_RDONLY);
	int dst = open_or_die(argv[2], dedupe ? O_RDONLY : O_WRONLY);

	return remap_cmd("e2e-io", dedupe, src, size_arg(argv[1]), dst, size_arg(argv[3]),
			 size_arg(argv[4]));
}

/* Print what the block at @off of @path is, without writing anything back. */
static int do_map(const char *path, uint64_t off)
{
	/* The range of one block may start in the extents before it: take a few. */
	enum { SLOTS = 16 };
	union {
		struct fiemap fm;
		char room[sizeof(struct fiemap) + SLOTS * sizeof(struct fiemap_extent)];
	} arg;
	int fd = open_or_die(path, O_RDONLY);

	memset(&arg, 0, sizeof(arg));
	arg.fm.fm_start = off;
	arg.fm.fm_length = 4096;
	arg.fm.fm_extent_count = SLOTS;
	if (ioctl(fd, FS_IOC_FIEMAP, &arg.fm)) {
		fprintf(stderr, "e2e-io: FIEMAP of %s: %s\n", path, strerror(errno));
		return 1;
	}
	close(fd);
	for (unsigned int i = 0; i < arg.fm.fm_mapped_extents; i++) {
		struct fiemap_extent *fe = &arg.fm.fm_extents[i];

		if (fe->fe_logical > off || fe->fe_logical + fe->fe_length <= off)
			continue;
		if (fe->fe_flags & FIEMAP_EXTENT_DELALLOC)
			printf("delalloc\n");
		else
			printf("%s %" PRIu64 "\n",
			       fe->fe_flags & FIEMAP_EXTENT_UNWRITTEN ? "unwritten" : "written",
			       (uint64_t)(fe->fe_physical + off - fe->fe_logical));
		return 0;
	}
	printf("hole\n");
	return 0;
}

/* Print the number of extents of @path, without writing anything back. */
static int do_extents(const char *path)
{
	struct fiemap fm = {
		.fm_start = 0, .fm_length = FIEMAP_MAX_OFFSET, .fm_extent_count = 0,
	};
	int fd = open_or_die(path, O_RDONLY);

	if (ioctl(fd, FS_IOC_FIEMAP, &fm)) {
		fprintf(stderr, "e2e-io: FIEMAP of %s: %s\n", path, strerror(errno));
		return 1;
	}
	close(fd);
	printf("%u\n", fm.fm_mapped_extents);
	return 0;
}

/*
 * Commit the running transaction of the btrfs that @path is on and wait for
 * it. BTRFS_IOC_START_SYNC commits without flushing delalloc (unless the
 * filesystem is mounted with flushoncommit), so what is dirty stays dirty;
 * space freed in the transaction is free once it returns.
 */
static int do_commit(const char *path)
{
	int fd = open_or_die(path, O_RDONLY | O_DIRECTORY);
	__u64 transid = 0;

	if (ioctl(fd, BTRFS_IOC_START_SYNC, &transid) ||
	    ioctl(fd, BTRFS_IOC_WAIT_SYNC, &transid)) {
		fprintf(stderr, "e2e-io: commit of %s: %s\n", path, strerror(errno));
		return 1;
	}
	return close(fd) ? 1 : 0;
}

static sigjmp_buf bus_env;

static void on_sigbus(int sig)
{
	(void)sig;
	siglongjmp(bus_env, 1);
}

/*
 * Until killed: store the pattern at @off (@len bytes, all in one page) through
 * a shared mapping of that page, so that page_mkwrite dirties it with a data
 * reservation, start its writeback with sync_file_range(SYNC_FILE_RANGE_WRITE)
 * and sleep @gap_ms. A store that faults with SIGBUS (page_mkwrite found no
 * data space) is skipped, and the loop goes on.
 */
static int do_mmap_writer(const char *path, uint64_t off, uint64_t len, uint64_t seed,
			  unsigned int gap_ms)
{
	static uint64_t buf[65536 / 8];
	uint64_t page = sysconf(_SC_PAGESIZE), base = off / page * page;
	struct sigaction sa = { .sa_handler = on_sigbus };
	int fd = open_or_die(path, O_RDWR);
	char *map;

	if (len == 0 || len > sizeof(buf) || off + len > base + page || len % 8) {
		fprintf(stderr, "e2e-io: mmap-writer: %" PRIu64 " bytes at %" PRIu64
			" are not within one page of %" PRIu64 "\n", len, off, page);
		return 2;
	}
	map = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, base);
	if (map == MAP_FAILED) {
		fprintf(stderr, "e2e-io: mmap of %s: %s\n", path, strerror(errno));
		return 1;
	}
	fill_pattern(buf, off, len, seed);
	sigaction(SIGBUS, &sa, NULL);
	for (;;) {
		if (!sigsetjmp(bus_env, 1)) {
			memcpy(map + (off - base), buf, len);
			if (sync_file_range(fd, off, len, SYNC_FILE_RANGE_WRITE)) {
				fprintf(stderr, "e2e-io: sync_file_range of %s: %s\n", path,
					strerror(errno));
				return 1;
			}
		}
		usleep(gap_ms * 1000);
	}
}

static int usage(void)
{
	fprintf(stderr,
		"usage: e2e-io write|verify FILE OFFSET LEN SEED\n"
		"       e2e-io same FILE1 OFF1 FILE2 OFF2 LEN\n"
		"       e2e-io fill FILE [direct] | fsync FILE | extents FILE | commit DIR\n"
		"       e2e-io map FILE OFFSET\n"
		"       e2e-io clone|dedupe SRC SRCOFF DST DSTOFF LEN\n"
		"       e2e-io mmap-writer FILE OFFSET LEN SEED GAP_MS\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return usage();
	if (!strcmp(argv[1], "write") && argc == 6)
		return do_write(argv[2], size_arg(argv[3]), size_arg(argv[4]), size_arg(argv[5]));
	if (!strcmp(argv[1], "verify") && argc == 6)
		return do_verify(argv[2], size_arg(argv[3]), size_arg(argv[4]), size_arg(argv[5]));
	if (!strcmp(argv[1], "same") && argc == 7)
		return do_same(argv[2], size_arg(argv[3]), argv[4], size_arg(argv[5]),
			       size_arg(argv[6]));
	if (!strcmp(argv[1], "fill") && argc == 3)
		return do_fill(argv[2], 0);
	if (!strcmp(argv[1], "fill") && argc == 4 && !strcmp(argv[3], "direct"))
		return do_fill(argv[2], 1);
	if ((!strcmp(argv[1], "clone") || !strcmp(argv[1], "dedupe")) && argc == 7)
		return do_remap(argv[1][0] == 'd', argv + 2);
	if (!strcmp(argv[1], "map") && argc == 4)
		return do_map(argv[2], size_arg(argv[3]));
	if (!strcmp(argv[1], "extents") && argc == 3)
		return do_extents(argv[2]);
	if (!strcmp(argv[1], "commit") && argc == 3)
		return do_commit(argv[2]);
	if (!strcmp(argv[1], "mmap-writer") && argc == 7)
		return do_mmap_writer(argv[2], size_arg(argv[3]), size_arg(argv[4]),
				      size_arg(argv[5]), size_arg(argv[6]));
	if (!strcmp(argv[1], "fsync") && argc == 3) {
		int fd = open_or_die(argv[2], O_RDWR);

		if (fsync(fd)) {
			fprintf(stderr, "e2e-io: fsync %s: %s\n", argv[2], strerror(errno));
			return 1;
		}
		return close(fd) ? 1 : 0;
	}
	return usage();
}
