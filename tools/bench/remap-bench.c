// SPDX-License-Identifier: GPL-2.0
/*
 * remap-bench: the workloads of the clone/dedupe benchmark. Each timed sample
 * is the FICLONERANGE, FIDEDUPERANGE or FICLONE ioctl alone, measured with
 * CLOCK_MONOTONIC, the caller at SCHED_FIFO while the clock runs (see
 * clock_start()); everything the sample needs is done before the clock
 * starts, and the filesystem is synced after it stops. Each sample prints
 *
 *   RESULT <workload> <param> <nanoseconds>
 *
 * and some print a count too, as RESULT <workload>-<what> <param> <count>.
 *
 *   remap-bench setup DIR                    the files of clone, dedupe, whole
 *   remap-bench clone DIR DIRTY_MIB          4 KiB clone of a clean block of a
 *                                            file with DIRTY_MIB dirty elsewhere
 *   remap-bench dedupe DIR DIRTY_MIB         the same with a 4 KiB dedupe
 *   remap-bench whole DIR MIB                FICLONE of a MIB file, dirty but
 *                                            for its first 16 MiB
 *   remap-bench writer DIR MIB clone|dedupe  a child appends MIB in 1 MiB
 *                                            writes; each MiB written gets a
 *                                            4 KiB clone or a 128 KiB dedupe
 *   remap-bench prealloc FILE MIB            preallocate MIB + 1 MiB for unsafe
 *   remap-bench fill FILE                    write until the filesystem is full
 *   remap-bench unsafe FILE MIB              MIB of unreserved data into the
 *                                            preallocated extent of FILE, then a
 *                                            4 KiB clone of its first block
 *   remap-bench extents FILE N cow|nocow     a file of N extents, NODATACOW
 *                                            (chattr +C) or not, all clean
 *   remap-bench many FILE N                  FICLONE of such a file into a new
 *                                            one; a failed FICLONE is counted,
 *                                            not fatal
 *   remap-bench space DIR prealloc|nocow clone|dedupe MIB
 *                                            a fresh file of one MIB + 1 MiB disk
 *                                            extent, preallocated or NODATACOW;
 *                                            MIB of reserved dirty data in it,
 *                                            then a 4 KiB clone or dedupe of its
 *                                            clean first block; also the data
 *                                            space the sync after it allocates
 *                                            and the file's extents
 *   remap-bench states-setup FILE N          a NODATACOW file: a block of its
 *                                            own, then 2 N blocks, all clean
 *   remap-bench states FILE N                N separate 4 KiB reserved dirty
 *                                            ranges (every other block of the
 *                                            2 N), then a 4 KiB clone of the
 *                                            first block
 *
 * Any failure prints the failing step with strerror() and exits with 1.
 * space and states check that their data was not written back too soon (by
 * anything but the remap); a sample where it was measures nothing: it is
 * noted as "# WORKLOAD: try N of 3 spoiled: ..." and done again, and the
 * third such try is a failure.
 */

#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/btrfs.h>
#include <linux/btrfs_tree.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "remap-io.h"

#define KIB		((uint64_t)1024)
#define MIB		(1024 * KIB)
#define CLEAN_LEN	MIB		/* the clean head of the source file */
#define DIRTY_MAX	(256 * MIB)	/* the most dirty data clone and dedupe take */
#define DEDUPE_LEN	(128 * KIB)
#define CLONE_LEN	(4 * KIB)
#define WHOLE_CLEAN	(16 * MIB)	/* the part of the whole-file clone left clean */
#define SPREAD		(8 * KIB)	/* each extent of extents: 4 KiB of data, a 4 KiB hole */
#define SPACE_EXTRA	MIB		/* the extent of space: its dirty MiBs and this */
#define BLOCK		(4 * KIB)
/*
 * What nr_dirty, nr_writeback and nr_written of /proc/vmstat may be off by
 * (per-CPU counters not yet folded: at most 12 pages a CPU with a 2 GiB guest).
 */
#define DIRTY_SLACK_KIB	128
/* Tries of a sample of space or states whose dirty data was written back too soon. */
#define SPOILED_TRIES	3

static char buf[MIB];
static char path_buf[3][4096];

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;
	int err = errno;

	fprintf(stderr, "remap-bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(err));
	exit(1);
}

static const char *path(int slot, const char *dir, const char *name)
{
	snprintf(path_buf[slot], sizeof(path_buf[slot]), "%s/%s", dir, name);
	return path_buf[slot];
}

static uint64_t mib_arg(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || end == s || v > 1024 * 1024) {
		fprintf(stderr, "remap-bench: bad size in MiB '%s'\n", s);
		exit(2);
	}
	return v * MIB;
}

static uint64_t count_arg(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || end == s || v < 1 || v > 16 * 1024 * 1024) {
		fprintf(stderr, "remap-bench: bad count '%s'\n", s);
		exit(2);
	}
	return v;
}

static int open_or_die(const char *p, int flags)
{
	int fd = open(p, flags, 0644);

	if (fd < 0)
		die("open %s", p);
	return fd;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		die("clock_gettime");
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * The clock of one timed ioctl, which runs at SCHED_FIFO: the guest has one
 * CPU, and a kernel thread woken by the ioctl (the workers that checksum and
 * submit WB_SYNC_NONE writeback, should_async_write() in fs/btrfs/bio.c)
 * would otherwise preempt it or not, at the scheduler's whim, and put that
 * work inside the sample or after it. At SCHED_FIFO such work runs when the
 * ioctl sleeps or after it ends, as it would on another CPU.
 */
static uint64_t clock_start(void)
{
	struct sched_param fifo = { .sched_priority = 1 };

	if (sched_setscheduler(0, SCHED_FIFO, &fifo))
		die("sched_setscheduler SCHED_FIFO");
	return now_ns();
}

static uint64_t clock_stop(void)
{
	struct sched_param other = { .sched_priority = 0 };
	uint64_t t = now_ns();

	if (sched_setscheduler(0, SCHED_OTHER, &other))
		die("sched_setscheduler SCHED_OTHER");
	return t;
}

/* Data that no compression would shrink; the same for every MiB written. */
static void fill_buf(void)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	for (size_t i = 0; i < sizeof(buf); i += 8) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memcpy(buf + i, &x, 8);
	}
}

/* Buffered writes of buf over [off, off + len), which leave the range dirty. */
static void write_range(int fd, const char *name, uint64_t off, uint64_t len)
{
	while (len) {
		size_t n = len < MIB ? len : MIB;
		ssize_t done = pwrite(fd, buf, n, off);

		if (done < 0)
			die("write of %zu bytes at %" PRIu64 " to %s", n, off, name);
		off += done;
		len -= done;
	}
}

static void sync_fs(int fd, const char *name)
{
	if (syncfs(fd))
		die("syncfs of the filesystem of %s", name);
}

static void result(const char *workload, uint64_t param, uint64_t value)
{
	printf("RESULT %s %" PRIu64 " %" PRIu64 "\n", workload, param, value);
	fflush(stdout);
}

/* The same for a value that may be negative (a difference). */
static void result_signed(const char *workload, uint64_t param, int64_t value)
{
	printf("RESULT %s %" PRIu64 " %" PRId64 "\n", workload, param, value);
	fflush(stdout);
}

static void clone_range(int src, uint64_t soff, int dst, uint64_t doff, uint64_t len,
			const char *what)
{
	int ret = remap_clone(src, soff, dst, doff, len);

	if (ret) {
		errno = -ret;
		die("%s: FICLONERANGE of %" PRIu64 " bytes at %" PRIu64, what, len, soff);
	}
}

static void dedupe_range(int src, uint64_t soff, int dst, uint64_t doff, uint64_t len,
			 const char *what)
{
	int ret = remap_dedupe(src, soff, dst, doff, len);

	if (ret) {
		fprintf(stderr, "remap-bench: %s: FIDEDUPERANGE of %" PRIu64 " bytes at %" PRIu64
			": %s\n", what, len, soff, remap_strerror(ret));
		exit(1);
	}
}

/* The number of extents of the file, after writing back its dirty data. */
static uint64_t extent_count(int fd, const char *name)
{
	struct fiemap fm = {
		.fm_start = 0, .fm_length = FIEMAP_MAX_OFFSET,
		.fm_flags = FIEMAP_FLAG_SYNC, .fm_extent_count = 0,
	};

	if (ioctl(fd, FS_IOC_FIEMAP, &fm))
		die("FIEMAP of %s", name);
	return fm.fm_mapped_extents;
}

/*
 * Whether the file extent items of the file (BTRFS_IOC_TREE_SEARCH of its
 * subvolume's tree) cover [0, @size) with no gap, all of them regular or
 * preallocated and of one disk extent: FIEMAP cannot tell, as it merges the
 * extents that are next to each other on disk. Written back first. If not,
 * says so on stdout (a comment line of the results: the caller does the
 * sample again).
 */
static int one_extent(int fd, const char *name, const char *what, uint64_t size, int try)
{
	static struct btrfs_ioctl_search_args args;
	struct btrfs_ioctl_search_key *key = &args.key;
	struct stat st;
	uint64_t logical = 0, disk = 0;
	unsigned int items = 0, bad = 0;

	if (fsync(fd) || fstat(fd, &st))
		die("fsync and fstat of %s", name);
	memset(&args, 0, sizeof(args));
	key->tree_id = 0;
	key->min_objectid = key->max_objectid = st.st_ino;
	key->min_type = key->max_type = BTRFS_EXTENT_DATA_KEY;
	key->max_offset = (uint64_t)-1;
	key->max_transid = (uint64_t)-1;
	for (;;) {
		size_t pos = 0;

		key->nr_items = 4096;
		if (ioctl(fd, BTRFS_IOC_TREE_SEARCH, &args))
			die("BTRFS_IOC_TREE_SEARCH of the file extent items of %s", name);
		if (!key->nr_items)
			break;
		for (unsigned int i = 0; i < key->nr_items; i++) {
			struct btrfs_ioctl_search_header h;
			struct btrfs_file_extent_item fi;

			memcpy(&h, args.buf + pos, sizeof(h));
			pos += sizeof(h);
			memset(&fi, 0, sizeof(fi));
			memcpy(&fi, args.buf + pos, h.len < sizeof(fi) ? h.len : sizeof(fi));
			pos += h.len;
			key->min_offset = h.offset + 1;
			if (h.len < sizeof(fi) || h.offset != logical ||
			    (fi.type != BTRFS_FILE_EXTENT_REG &&
			     fi.type != BTRFS_FILE_EXTENT_PREALLOC) ||
			    (items && le64toh(fi.disk_bytenr) != disk)) {
				bad = 1;
				break;
			}
			disk = le64toh(fi.disk_bytenr);
			logical += le64toh(fi.num_bytes);
			items++;
		}
		if (bad || key->min_offset == 0)
			break;
	}
	if (!bad && items && logical == size)
		return 1;
	printf("# %s: try %d of %d spoiled: %s is not one disk extent of %" PRIu64 " bytes "
	       "(%u file extent items of one disk extent cover its first %" PRIu64 " bytes)\n",
	       what, try, SPOILED_TRIES, name, size, items, logical);
	fflush(stdout);
	return 0;
}

/*
 * The bytes that the data extents of the filesystem of @fd take: the sum of
 * used_bytes of its DATA block groups (BTRFS_IOC_SPACE_INFO; a block group's
 * used bytes change when a transaction commit runs the delayed references, so
 * sync the filesystem first). Not for a filesystem with mixed block groups:
 * there the sum would hold metadata too.
 */
static uint64_t data_used(int fd, const char *name)
{
	struct btrfs_ioctl_space_args count = { .space_slots = 0 };
	struct btrfs_ioctl_space_args *args;
	uint64_t used = 0, n;

	if (ioctl(fd, BTRFS_IOC_SPACE_INFO, &count))
		die("BTRFS_IOC_SPACE_INFO of the filesystem of %s", name);
	n = count.total_spaces;
	args = calloc(1, sizeof(*args) + n * sizeof(args->spaces[0]));
	if (!args)
		die("calloc");
	args->space_slots = n;
	if (ioctl(fd, BTRFS_IOC_SPACE_INFO, args))
		die("BTRFS_IOC_SPACE_INFO of the filesystem of %s", name);
	for (uint64_t i = 0; i < args->total_spaces; i++) {
		uint64_t flags = args->spaces[i].flags;

		if (!(flags & BTRFS_BLOCK_GROUP_DATA))
			continue;
		if (flags & BTRFS_BLOCK_GROUP_METADATA) {
			fprintf(stderr, "remap-bench: the filesystem of %s has mixed block groups\n",
				name);
			exit(1);
		}
		used += args->spaces[i].used_bytes;
	}
	free(args);
	return used;
}

/* What still_dirty compares: the counters of /proc/vmstat (nr_dirty: pages). */
#define VMSTAT_MAX	512
struct dirty_mark {
	unsigned int n;
	char name[VMSTAT_MAX][48];
	uint64_t value[VMSTAT_MAX];
};

static void dirty_mark(struct dirty_mark *m)
{
	FILE *f = fopen("/proc/vmstat", "r");
	unsigned long long v;
	char name[48];

	if (!f)
		die("open /proc/vmstat");
	m->n = 0;
	while (m->n < VMSTAT_MAX && fscanf(f, "%47s %llu", name, &v) == 2) {
		strcpy(m->name[m->n], name);
		m->value[m->n++] = v;
	}
	fclose(f);
}

static uint64_t mark_value(const struct dirty_mark *m, const char *name)
{
	for (unsigned int i = 0; i < m->n; i++) {
		if (!strcmp(m->name[i], name))
			return m->value[i];
	}
	errno = ENOENT;
	die("no %s in /proc/vmstat", name);
}

/*
 * Whether the dirty pages grew by @bytes since @before and none went to
 * writeback: the data just written is all still dirty, nothing wrote it back
 * before the remap that is to be timed (the flusher, a flush to get metadata
 * space...). If not, says so on stdout (a comment line of the results: the
 * caller does the sample again), with the counters of /proc/vmstat that
 * changed meanwhile.
 */
static int still_dirty(const struct dirty_mark *before, uint64_t bytes, const char *what,
		       int try)
{
	static struct dirty_mark now;
	uint64_t page_kib = sysconf(_SC_PAGESIZE) / KIB, was, is;
	int64_t started;

	dirty_mark(&now);
	was = mark_value(before, "nr_dirty") * page_kib;
	is = mark_value(&now, "nr_dirty") * page_kib;
	/* Pages written back since, or under writeback now, in KiB. */
	started = (int64_t)(mark_value(&now, "nr_written") - mark_value(before, "nr_written") +
			    mark_value(&now, "nr_writeback") -
			    mark_value(before, "nr_writeback")) * (int64_t)page_kib;
	if (is + DIRTY_SLACK_KIB >= was + bytes / KIB && started <= DIRTY_SLACK_KIB)
		return 1;
	printf("# %s: try %d of %d spoiled: %" PRIu64 " KiB written, but the dirty pages grew "
	       "by %" PRId64 " KiB (from %" PRIu64 " KiB) and %" PRId64 " KiB went to writeback: "
	       "something wrote the data back before the remap; changed in /proc/vmstat:", what,
	       try, SPOILED_TRIES, bytes / KIB, (int64_t)(is - was), was, started);
	for (unsigned int i = 0; i < now.n && i < before->n; i++) {
		static const char *const telling[] = {
			"nr_free_pages", "nr_dirt", "nr_writeback", "nr_written", "nr_vmscan",
			"pgscan", "pgsteal", "pgmigrate", "compact", "allocstall",
		};

		if (now.value[i] == before->value[i])
			continue;
		for (size_t t = 0; t < sizeof(telling) / sizeof(telling[0]); t++) {
			if (!strncmp(now.name[i], telling[t], strlen(telling[t]))) {
				printf(" %s %+" PRId64, now.name[i],
				       (int64_t)(now.value[i] - before->value[i]));
				break;
			}
		}
	}
	printf("\n");
	fflush(stdout);
	return 0;
}

/* Fail after SPOILED_TRIES spoiled tries of a sample. */
static void __attribute__((noreturn)) spoiled(const char *what)
{
	fprintf(stderr, "remap-bench: %s: in each of %d tries, the data was written back "
		"too soon (see the results)\n", what, SPOILED_TRIES);
	exit(1);
}

/*
 * src: a clean MiB at its head, written and synced apart from the rest, then
 * DIRTY_MAX more, which the samples dirty again; dst: the clone target;
 * same: a copy of the head of src, the dedupe target; whole: the source of
 * the whole-file clone.
 */
static int do_setup(const char *dir)
{
	int src = open_or_die(path(0, dir, "src"), O_RDWR | O_CREAT | O_TRUNC);
	int same = open_or_die(path(1, dir, "same"), O_RDWR | O_CREAT | O_TRUNC);
	int dst = open_or_die(path(2, dir, "dst"), O_RDWR | O_CREAT | O_TRUNC);
	int whole;

	write_range(src, "src", 0, CLEAN_LEN);
	if (fsync(src))
		die("fsync of src");
	write_range(src, "src", CLEAN_LEN, DIRTY_MAX);
	write_range(same, "same", 0, CLEAN_LEN);
	close(dst);
	close(same);
	close(src);
	whole = open_or_die(path(0, dir, "whole"), O_RDWR | O_CREAT | O_TRUNC);
	write_range(whole, "whole", 0, 256 * MIB);
	sync_fs(whole, "whole");
	close(whole);
	return 0;
}

/* 4 KiB clone of the clean head of src, with @dirty dirty bytes after it. */
static int do_clone(const char *dir, uint64_t dirty)
{
	int src = open_or_die(path(0, dir, "src"), O_RDWR);
	int dst = open_or_die(path(1, dir, "dst"), O_RDWR);
	uint64_t t0, t1;

	write_range(src, "src", CLEAN_LEN, dirty);
	t0 = clock_start();
	clone_range(src, 0, dst, 0, CLONE_LEN, "clone");
	t1 = clock_stop();
	result("clone-4k", dirty / MIB, t1 - t0);
	sync_fs(src, "src");
	return 0;
}

/* 4 KiB dedupe of the clean head of src, with @dirty dirty bytes after it. */
static int do_dedupe(const char *dir, uint64_t dirty)
{
	int src = open_or_die(path(0, dir, "src"), O_RDWR);
	int same = open_or_die(path(1, dir, "same"), O_RDWR);
	uint64_t t0, t1;

	write_range(src, "src", CLEAN_LEN, dirty);
	t0 = clock_start();
	dedupe_range(src, 0, same, 0, CLONE_LEN, "dedupe");
	t1 = clock_stop();
	result("dedupe-4k", dirty / MIB, t1 - t0);
	/* Give the target its own extent again for the next sample. */
	write_range(same, "same", 0, CLONE_LEN);
	sync_fs(src, "src");
	return 0;
}

/* FICLONE of all of whole, its first 16 MiB clean and the rest dirty. */
static int do_whole(const char *dir, uint64_t size)
{
	const char *p = path(1, dir, "whole.clone");
	int src = open_or_die(path(0, dir, "whole"), O_RDWR);
	int dst;
	uint64_t t0, t1;

	if (size <= WHOLE_CLEAN || size > 256 * MIB) {
		fprintf(stderr, "remap-bench: whole takes 17 to 256 MiB\n");
		return 2;
	}
	if (ftruncate(src, size))
		die("truncate of whole to %" PRIu64, size);
	write_range(src, "whole", WHOLE_CLEAN, size - WHOLE_CLEAN);
	dst = open_or_die(p, O_RDWR | O_CREAT | O_TRUNC);
	t0 = clock_start();
	if (ioctl(dst, FICLONE, src))
		die("whole: FICLONE of %" PRIu64 " bytes", size);
	t1 = clock_stop();
	result("clone-whole", size / MIB, t1 - t0);
	close(dst);
	if (unlink(p))
		die("unlink %s", p);
	sync_fs(src, "whole");
	return 0;
}

/* The child of writer: append @size bytes in 1 MiB writes, a byte to @pipe after each. */
static void __attribute__((noreturn)) appender(int fd, int pipe, uint64_t size)
{
	for (uint64_t off = 0; off < size; off += MIB) {
		ssize_t done = write(fd, buf, MIB);

		if (done != (ssize_t)MIB)
			die("writer: append of 1 MiB at %" PRIu64 "%s", off,
			    done < 0 ? "" : " (short write)");
		if (write(pipe, "", 1) != 1)
			die("writer: write to the pipe");
	}
	_exit(0);
}

/*
 * A child appends @size bytes to log in 1 MiB buffered writes while this
 * process remaps each MiB once it is written: 4 KiB of it cloned into
 * log.clone, or 128 KiB of it deduped against log.same. The time is from the
 * first write until the last remap, the writer's exit and an fsync of log.
 */
static int do_writer(const char *dir, uint64_t size, const char *mode)
{
	const char *lp = path(0, dir, "log"), *tp = path(1, dir, "log.target");
	int dedupe = !strcmp(mode, "dedupe");
	int log, target, p[2], status;
	uint64_t t0, t1, chunk = 0, n = size / MIB;
	int ahead, most_ahead = 0;
	pid_t pid;
	char c;

	if (!dedupe && strcmp(mode, "clone")) {
		fprintf(stderr, "remap-bench: writer takes clone or dedupe\n");
		return 2;
	}
	log = open_or_die(lp, O_RDWR | O_CREAT | O_TRUNC | O_APPEND);
	target = open_or_die(tp, O_RDWR | O_CREAT | O_TRUNC);
	if (dedupe) {
		for (uint64_t i = 0; i < n; i++)
			write_range(target, "log.target", i * DEDUPE_LEN, DEDUPE_LEN);
	}
	sync_fs(log, "log");
	if (pipe(p))
		die("pipe");

	t0 = now_ns();
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(p[0]);
		appender(log, p[1], n * MIB);
	}
	close(p[1]);
	for (;;) {
		ssize_t got = read(p[0], &c, 1);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			die("writer: read from the pipe");
		if (got == 0)
			break;
		/* How many MiB the writer is ahead of the remaps, this one included. */
		if (ioctl(p[0], FIONREAD, &ahead))
			die("writer: FIONREAD of the pipe");
		if (ahead + 1 > most_ahead)
			most_ahead = ahead + 1;
		if (dedupe) {
			dedupe_range(log, chunk * MIB, target, chunk * DEDUPE_LEN, DEDUPE_LEN,
				     "writer");
		} else {
			clone_range(log, chunk * MIB, target, chunk * CLONE_LEN, CLONE_LEN,
				    "writer");
		}
		chunk++;
	}
	if (waitpid(pid, &status, 0) < 0)
		die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "remap-bench: the writer failed\n");
		return 1;
	}
	if (chunk != n) {
		fprintf(stderr, "remap-bench: %" PRIu64 " of %" PRIu64 " MiB remapped\n", chunk, n);
		return 1;
	}
	if (fsync(log))
		die("fsync of log");
	t1 = now_ns();
	result(dedupe ? "writer-dedupe" : "writer-clone", size / MIB, t1 - t0);
	result(dedupe ? "writer-dedupe-extents" : "writer-clone-extents", size / MIB,
	       extent_count(log, "log"));
	printf("# writer %s: the writer was at most %d MiB ahead of the remaps\n", mode,
	       most_ahead);
	close(log);
	close(target);
	if (unlink(lp) || unlink(tp))
		die("unlink of log or log.target");
	sync(); /* no syncfs: the files are gone */
	return 0;
}

/* The extent that unsafe writes into, and an empty target for its clone. */
static int do_prealloc(const char *file, uint64_t size)
{
	char target[4096];
	int fd = open_or_die(file, O_RDWR | O_CREAT | O_TRUNC);

	if (fallocate(fd, 0, 0, size + MIB))
		die("fallocate of %" PRIu64 " bytes in %s", size + MIB, file);
	printf("# %s: %" PRIu64 " KiB preallocated in %" PRIu64 " extents\n", file,
	       (size + MIB) / KIB, extent_count(fd, file));
	close(fd);
	snprintf(target, sizeof(target), "%s.clone", file);
	close(open_or_die(target, O_RDWR | O_CREAT | O_TRUNC));
	return 0;
}

/* Fill the filesystem: no data space is left. */
static int do_fill(const char *file)
{
	int fd = open_or_die(file, O_WRONLY | O_CREAT | O_APPEND);
	int64_t total = fill_until_enospc(fd, buf, MIB);

	if (total < 0) {
		errno = -total;
		die("fill %s", file);
	}
	fsync(fd);	/* may fail with ENOSPC too: the filesystem is full */
	sync_fs(fd, file);
	close(fd);
	printf("# filled %s with %" PRId64 " KiB\n", file, total / (int64_t)KIB);
	return 0;
}

/* Dirty + Writeback of /proc/meminfo, in KiB. */
static uint64_t unwritten_kib(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	unsigned long long v, sum = 0;

	if (!f)
		die("open /proc/meminfo");
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Dirty: %llu kB", &v) == 1 ||
		    sscanf(line, "Writeback: %llu kB", &v) == 1)
			sum += v;
	}
	fclose(f);
	return sum;
}

/*
 * With the filesystem full, write @size bytes into the preallocated extent
 * of @file, from 1 MiB on: no data space can be reserved, so the writes are
 * accepted as NOCOW. Then clone the first block of the extent, which shares
 * all of it. The data must reach disk in place before that; whatever is
 * still dirty afterwards would have to be COWed, without space to do it.
 */
static int do_unsafe(const char *file, uint64_t size)
{
	char target[4096];
	int fd = open_or_die(file, O_RDWR), dst;
	uint64_t t0, t1, before, after;
	char *big;

	snprintf(target, sizeof(target), "%s.clone", file);
	dst = open_or_die(target, O_RDWR);
	/* One write call, so that no later write of ours flushes this data. */
	big = malloc(size);
	if (!big)
		die("malloc of %" PRIu64 " bytes", size);
	for (uint64_t i = 0; i < size; i += MIB)
		memcpy(big + i, buf, MIB);
	before = unwritten_kib();
	for (uint64_t off = 0; off < size; ) {
		ssize_t done = pwrite(fd, big + off, size - off, MIB + off);

		if (done < 0)
			die("unsafe: write of %" PRIu64 " bytes at %" PRIu64 " to %s",
			    size - off, MIB + off, file);
		off += done;
	}
	after = unwritten_kib();
	free(big);
	t0 = clock_start();
	clone_range(fd, 0, dst, 0, CLONE_LEN, "unsafe");
	t1 = clock_stop();
	result("unsafe-clone-4k", size / MIB, t1 - t0);
	result("unsafe-clone-4k-dirty-kib", size / MIB, after > before ? after - before : 0);
	if (fsync(fd))
		die("unsafe: fsync of %s after the clone", file);
	if (fsync(dst))
		die("unsafe: fsync of %s", target);
	return 0;
}

/* Set FS_NOCOW_FL (chattr +C) on the empty file @fd. */
static void set_nocow(int fd, const char *name)
{
	int flags;

	if (ioctl(fd, FS_IOC_GETFLAGS, &flags))
		die("FS_IOC_GETFLAGS of %s", name);
	flags |= FS_NOCOW_FL;
	if (ioctl(fd, FS_IOC_SETFLAGS, &flags))
		die("FS_IOC_SETFLAGS (chattr +C) of %s", name);
}

/*
 * A file of @n extents, each one 4 KiB block and a 4 KiB hole, all sharing
 * one disk extent: one block written, then clones of the whole file after its
 * own end double it, and a last clone makes up the rest. Synced.
 */
static int do_extents(const char *file, uint64_t n, const char *mode)
{
	int fd = open_or_die(file, O_RDWR | O_CREAT | O_TRUNC);
	uint64_t have = 1, t0 = now_ns(), got;

	if (strcmp(mode, "cow") && strcmp(mode, "nocow")) {
		fprintf(stderr, "remap-bench: extents takes cow or nocow\n");
		return 2;
	}
	if (!strcmp(mode, "nocow"))
		set_nocow(fd, file);
	write_range(fd, file, 0, 4 * KIB);
	if (ftruncate(fd, SPREAD) || fsync(fd))
		die("truncate and fsync of %s", file);
	while (have < n) {
		uint64_t more = have * 2 <= n ? have : n - have;

		clone_range(fd, 0, fd, have * SPREAD, more * SPREAD, "extents");
		have += more;
	}
	sync_fs(fd, file);
	got = extent_count(fd, file);
	if (got != n) {
		fprintf(stderr, "remap-bench: %s has %" PRIu64 " extents, not %" PRIu64 "\n",
			file, got, n);
		return 1;
	}
	printf("# %s: %" PRIu64 " extents (%s), made in %.1f s\n", file, got, mode,
	       (now_ns() - t0) / 1e9);
	close(fd);
	return 0;
}

/*
 * FICLONE of all of @file, made by extents with @n extents, into a new file of
 * the same kind.
 * Prints the time and whether it worked: a failure is a result here, and
 * the next sample runs.
 */
static int do_many(const char *file, uint64_t n)
{
	char target[4096];
	const char *kind = "cow";
	int src = open_or_die(file, O_RDWR), dst, flags, err = 0;
	uint64_t t0, t1;

	if (ioctl(src, FS_IOC_GETFLAGS, &flags))
		die("FS_IOC_GETFLAGS of %s", file);
	snprintf(target, sizeof(target), "%s.clone", file);
	dst = open_or_die(target, O_RDWR | O_CREAT | O_TRUNC);
	if (flags & FS_NOCOW_FL) {
		kind = "nocow";
		set_nocow(dst, target);
	}
	t0 = clock_start();
	if (ioctl(dst, FICLONE, src))
		err = errno;
	t1 = clock_stop();
	if (err) {
		printf("# many: FICLONE of %s (%" PRIu64 " extents): %s\n", file, n,
		       strerror(err));
	} else {
		result(!strcmp(kind, "cow") ? "many-cow" : "many-nocow", n, t1 - t0);
	}
	result(!strcmp(kind, "cow") ? "many-cow-failed" : "many-nocow-failed", n, !!err);
	close(dst);
	if (unlink(target))
		die("unlink %s", target);
	sync_fs(src, file);
	close(src);
	return 0;
}

/*
 * The data space that a 4 KiB clone or dedupe costs when its source's disk
 * extent holds reserved dirty data; 0 if its data was written back too soon
 * (try @try), and nothing is measured. In DIR, a fresh file src of one disk
 * extent of @dirty + 1 MiB: preallocated (fallocate) in a COW file, its first
 * block written, or written whole in a NODATACOW file (chattr +C); synced.
 * Then @dirty bytes of buffered writes into that extent after its first block,
 * with free space, so reserved, and not written back. The remap takes the
 * clean first block: a clone into an empty file, or a dedupe with the first
 * block of a file of two that holds the same data (its extent stays, for its
 * second block). Upstream writes the dirty data back in place before it
 * shares the extent; a kernel that leaves it dirty COWs it after the share,
 * into new extents. Prints the time of the ioctl, the growth of the data
 * used bytes (BTRFS_IOC_SPACE_INFO) from before the dirty writes to after the
 * remap and a syncfs, and the extents of src then.
 */
static int space_sample(const char *dir, int nocow, int dedupe, uint64_t dirty,
			const char *name, int try)
{
	const char *sp = path(0, dir, "space-src"), *tp = path(1, dir, "space-target");
	uint64_t size = dirty + SPACE_EXTRA, before, after, t0, t1;
	static struct dirty_mark dirty0;
	char what[96];
	int src, dst, done;

	src = open_or_die(sp, O_RDWR | O_CREAT | O_TRUNC);
	dst = open_or_die(tp, O_RDWR | O_CREAT | O_TRUNC);
	if (nocow) {
		set_nocow(src, sp);
		set_nocow(dst, tp);
		write_range(src, sp, 0, size);
	} else {
		if (fallocate(src, 0, 0, size))
			die("fallocate of %" PRIu64 " bytes in %s", size, sp);
		write_range(src, sp, 0, BLOCK);
	}
	if (fsync(src))
		die("fsync of %s", sp);
	/* Written, with the same data as the first block of src, and another block. */
	if (dedupe) {
		write_range(dst, tp, 0, 2 * BLOCK);
		if (fsync(dst))
			die("fsync of %s", tp);
	}
	done = one_extent(src, sp, name, size, try);
	if (done) {
		sync_fs(src, sp);
		before = data_used(src, sp);
		dirty_mark(&dirty0);
		write_range(src, sp, BLOCK, dirty);
		done = still_dirty(&dirty0, dirty, name, try);
	}
	if (done) {
		t0 = clock_start();
		if (dedupe)
			dedupe_range(src, 0, dst, 0, BLOCK, name);
		else
			clone_range(src, 0, dst, 0, BLOCK, name);
		t1 = clock_stop();
		sync_fs(src, sp);
		after = data_used(src, sp);

		result(name, dirty / MIB, t1 - t0);
		snprintf(what, sizeof(what), "%s-bytes", name);
		result_signed(what, dirty / MIB, (int64_t)(after - before));
		snprintf(what, sizeof(what), "%s-extents", name);
		result(what, dirty / MIB, extent_count(src, sp));
	}
	/* Closed first: the files go at their unlink, their space at this sync. */
	close(dst);
	close(src);
	if (unlink(sp) || unlink(tp))
		die("unlink of %s or %s", sp, tp);
	src = open_or_die(dir, O_RDONLY | O_DIRECTORY);
	sync_fs(src, dir);
	close(src);
	return done;
}

/* A sample of space_sample, tried again if its dirty data was written back too soon. */
static int do_space(const char *dir, const char *kind, const char *op, uint64_t dirty)
{
	int nocow = !strcmp(kind, "nocow"), dedupe = !strcmp(op, "dedupe");
	char name[64];

	if ((!nocow && strcmp(kind, "prealloc")) || (!dedupe && strcmp(op, "clone")) ||
	    !dirty) {
		fprintf(stderr, "remap-bench: space takes prealloc|nocow clone|dedupe MIB > 0\n");
		return 2;
	}
	snprintf(name, sizeof(name), "%s-%s-4k", kind, op);
	for (int try = 1; try <= SPOILED_TRIES; try++) {
		if (space_sample(dir, nocow, dedupe, dirty, name, try))
			return 0;
	}
	spoiled(name);
}

/*
 * The file of states: NODATACOW, its first block written and synced apart
 * (a disk extent of its own, which states clones), then 2 @n blocks more (other
 * disk extents), all synced.
 */
static int do_states_setup(const char *file, uint64_t n)
{
	int fd = open_or_die(file, O_RDWR | O_CREAT | O_TRUNC);

	set_nocow(fd, file);
	write_range(fd, file, 0, BLOCK);
	if (fsync(fd))
		die("fsync of %s", file);
	write_range(fd, file, BLOCK, 2 * n * BLOCK);
	sync_fs(fd, file);
	printf("# %s: %" PRIu64 " KiB, NODATACOW, %" PRIu64 " extents as FIEMAP merges them\n",
	       file, (2 * n + 1) * BLOCK / KIB, extent_count(fd, file));
	close(fd);
	return 0;
}

/*
 * A 4 KiB clone of the clean first block of the file of states_setup while
 * @n separate 4 KiB ranges of its other extents are reserved dirty data (a
 * buffered write to every other block of them): @n extent states in its io
 * tree. Upstream writes all of them back before the clone; a fix that looks
 * for the unreserved ones walks the @n states.
 */
static int do_states(const char *file, uint64_t n)
{
	char target[4096];
	int fd = open_or_die(file, O_RDWR), dst;
	static struct dirty_mark dirty0;
	uint64_t t0, t1;

	snprintf(target, sizeof(target), "%s.clone", file);
	dst = open_or_die(target, O_RDWR | O_CREAT | O_TRUNC);
	set_nocow(dst, target);
	for (int try = 1; ; try++) {
		dirty_mark(&dirty0);
		for (uint64_t i = 0; i < n; i++) {
			uint64_t off = (1 + 2 * i) * BLOCK;

			if (pwrite(fd, buf, BLOCK, off) != (ssize_t)BLOCK)
				die("states: write of 4 KiB at %" PRIu64 " to %s", off, file);
		}
		if (still_dirty(&dirty0, n * BLOCK, "states-clone-4k", try))
			break;
		if (try == SPOILED_TRIES)
			spoiled("states-clone-4k");
		sync_fs(fd, file);
	}
	t0 = clock_start();
	clone_range(fd, 0, dst, 0, BLOCK, "states");
	t1 = clock_stop();
	result("states-clone-4k", n, t1 - t0);
	close(dst);
	if (unlink(target))
		die("unlink %s", target);
	sync_fs(fd, file);
	close(fd);
	return 0;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: remap-bench setup DIR\n"
		"       remap-bench clone|dedupe DIR DIRTY_MIB\n"
		"       remap-bench whole DIR MIB\n"
		"       remap-bench writer DIR MIB clone|dedupe\n"
		"       remap-bench prealloc|unsafe FILE MIB\n"
		"       remap-bench fill FILE\n"
		"       remap-bench extents FILE N cow|nocow\n"
		"       remap-bench many FILE N\n"
		"       remap-bench space DIR prealloc|nocow clone|dedupe MIB\n"
		"       remap-bench states-setup|states FILE N\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return usage();
	signal(SIGPIPE, SIG_IGN);
	fill_buf();
	if (!strcmp(argv[1], "setup") && argc == 3)
		return do_setup(argv[2]);
	if ((!strcmp(argv[1], "clone") || !strcmp(argv[1], "dedupe")) && argc == 4) {
		uint64_t dirty = mib_arg(argv[3]);

		if (dirty > DIRTY_MAX) {
			fprintf(stderr, "remap-bench: at most %" PRIu64 " MiB dirty\n",
				DIRTY_MAX / MIB);
			return 2;
		}
		if (argv[1][0] == 'c')
			return do_clone(argv[2], dirty);
		return do_dedupe(argv[2], dirty);
	}
	if (!strcmp(argv[1], "whole") && argc == 4)
		return do_whole(argv[2], mib_arg(argv[3]));
	if (!strcmp(argv[1], "writer") && argc == 5)
		return do_writer(argv[2], mib_arg(argv[3]), argv[4]);
	if (!strcmp(argv[1], "prealloc") && argc == 4)
		return do_prealloc(argv[2], mib_arg(argv[3]));
	if (!strcmp(argv[1], "fill") && argc == 3)
		return do_fill(argv[2]);
	if (!strcmp(argv[1], "unsafe") && argc == 4)
		return do_unsafe(argv[2], mib_arg(argv[3]));
	if (!strcmp(argv[1], "extents") && argc == 5)
		return do_extents(argv[2], count_arg(argv[3]), argv[4]);
	if (!strcmp(argv[1], "many") && argc == 4)
		return do_many(argv[2], count_arg(argv[3]));
	if (!strcmp(argv[1], "space") && argc == 6)
		return do_space(argv[2], argv[3], argv[4], mib_arg(argv[5]));
	if (!strcmp(argv[1], "states-setup") && argc == 4)
		return do_states_setup(argv[2], count_arg(argv[3]));
	if (!strcmp(argv[1], "states") && argc == 4)
		return do_states(argv[2], count_arg(argv[3]));
	return usage();
}
