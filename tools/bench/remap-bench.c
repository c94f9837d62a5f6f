// SPDX-License-Identifier: GPL-2.0
/*
 * remap-bench: the workloads of the clone/dedupe benchmark. Each timed sample
 * is the FICLONERANGE, FIDEDUPERANGE or FICLONE ioctl alone, measured with
 * CLOCK_MONOTONIC; everything the sample needs is done before the clock
 * starts, and the filesystem is synced after it stops. Each sample prints
 *
 *   RESULT <workload> <param> <nanoseconds>
 *
 * and some print a count too, as RESULT <workload>-<what> <param> <count>.
 *
 *   remap-bench setup DIR                    the files of clone, dedupe, whole
 *   remap-bench clone DIR DIRTY_MIB          4 KiB clone of a clean block of a
 *                                            file with DIRTY_MIB dirty elsewhere
 *   remap-bench dedupe DIR DIRTY_MIB         the same with a 128 KiB dedupe
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
 *
 * Any failure prints the failing step with strerror() and exits with 1.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
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
	t0 = now_ns();
	clone_range(src, 0, dst, 0, CLONE_LEN, "clone");
	t1 = now_ns();
	result("clone-4k", dirty / MIB, t1 - t0);
	sync_fs(src, "src");
	return 0;
}

/* 128 KiB dedupe of the clean head of src, with @dirty dirty bytes after it. */
static int do_dedupe(const char *dir, uint64_t dirty)
{
	int src = open_or_die(path(0, dir, "src"), O_RDWR);
	int same = open_or_die(path(1, dir, "same"), O_RDWR);
	uint64_t t0, t1;

	write_range(src, "src", CLEAN_LEN, dirty);
	t0 = now_ns();
	dedupe_range(src, 0, same, 0, DEDUPE_LEN, "dedupe");
	t1 = now_ns();
	result("dedupe-128k", dirty / MIB, t1 - t0);
	/* Give the target its own extent again for the next sample. */
	write_range(same, "same", 0, DEDUPE_LEN);
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
	t0 = now_ns();
	if (ioctl(dst, FICLONE, src))
		die("whole: FICLONE of %" PRIu64 " bytes", size);
	t1 = now_ns();
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
	t0 = now_ns();
	clone_range(fd, 0, dst, 0, CLONE_LEN, "unsafe");
	t1 = now_ns();
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
	t0 = now_ns();
	if (ioctl(dst, FICLONE, src))
		err = errno;
	t1 = now_ns();
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
		"       remap-bench many FILE N\n");
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
	return usage();
}
