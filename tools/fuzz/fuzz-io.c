// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz-io: the steps of a randomized end-to-end case that xfs_io cannot report
 * exactly, and the scan that tells what a file holds after the power cut.
 *
 *   fuzz-io pwrite FILE OFFSET LEN SEED PATOFF   buffered pattern write, no sync
 *   fuzz-io clone SRC SRCOFF DST DSTOFF LEN      FICLONERANGE (LEN 0: to EOF)
 *   fuzz-io dedupe SRC SRCOFF DST DSTOFF LEN     FIDEDUPERANGE
 *   fuzz-io fsync FILE
 *   fuzz-io fill FILE                            write until the filesystem is full
 *   fuzz-io scan FILE                            describe what FILE holds
 *
 * pwrite prints "wrote DONE/LEN bytes at offset OFFSET" as xfs_io does, but
 * also when a write stops early (ENOSPC, a short count): DONE is what the
 * kernel accepted, and the exit status is 1 unless all of it was.
 *
 * Pattern: every 8-byte word of a pattern write is an invertible mix of its
 * seed (1..2^24-1) and of its pattern offset PATOFF + i (offsets are multiples
 * of 8), never zero. Two writes with the same seed and PATOFF write the same
 * bytes (what a dedupe needs). scan inverts the mix, so it can say which seed
 * and pattern offset each word holds: it prints "size N", then runs
 * "START END zero", "START END pat SEED DELTA" (word at offset o holds pattern
 * offset o + DELTA) or "START END junk" covering [0, N).
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "remap-io.h"

#define CHUNK		(1 << 20)
#define SEED_BITS	24
#define IDX_BITS	(64 - SEED_BITS)
/* single words that chain to nothing, in a row, before a run is called junk */
#define JUNK_WORDS	4

static uint64_t word(uint64_t seed, uint64_t patoff)
{
	return pattern_mix(seed << IDX_BITS | ((patoff / 8) & ((1ULL << IDX_BITS) - 1)));
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
	if (*end || s == end) {
		fprintf(stderr, "fuzz-io: bad number '%s'\n", s);
		exit(2);
	}
	return v;
}

static int open_or_die(const char *path, int flags)
{
	int fd = open(path, flags, 0644);

	if (fd < 0) {
		fprintf(stderr, "fuzz-io: cannot open %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return fd;
}

static int do_pwrite(const char *path, uint64_t off, uint64_t len, uint64_t seed,
		     uint64_t patoff)
{
	static uint64_t buf[CHUNK / 8];
	int fd = open_or_die(path, O_WRONLY | O_CREAT);
	uint64_t done = 0;
	int err = 0;

	if (off % 8 || len % 8 || patoff % 8 || !seed || seed >> SEED_BITS) {
		fprintf(stderr, "fuzz-io: pwrite: offsets and lengths are multiples of 8, seeds 1..%llu\n",
			(1ULL << SEED_BITS) - 1);
		return 2;
	}
	while (done < len) {
		size_t n = len - done < CHUNK ? len - done : CHUNK;
		ssize_t got;

		for (size_t i = 0; i < n / 8; i++)
			buf[i] = word(seed, patoff + done + i * 8);
		got = pwrite(fd, buf, n, off + done);
		if (got < 0) {
			err = errno;
			break;
		}
		done += got;
		if ((size_t)got < n)
			break;
	}
	printf("wrote %" PRIu64 "/%" PRIu64 " bytes at offset %" PRIu64 "\n", done, len, off);
	if (err)
		fprintf(stderr, "fuzz-io: pwrite %s: %s\n", path, strerror(err));
	else if (done < len)
		fprintf(stderr, "fuzz-io: pwrite %s: short write\n", path);
	if (close(fd) && !err) {
		fprintf(stderr, "fuzz-io: close %s: %s\n", path, strerror(errno));
		return 1;
	}
	return done == len ? 0 : 1;
}

static int do_remap(int dedupe, char **argv)
{
	int src = open_or_die(argv[0], O_RDONLY);
	int dst = open_or_die(argv[2], dedupe ? O_RDONLY : O_WRONLY);

	return remap_cmd("fuzz-io", dedupe, src, size_arg(argv[1]), dst, size_arg(argv[3]),
			 size_arg(argv[4]));
}

/*
 * Fill the filesystem: preallocate all data space that is left, in ever smaller
 * pieces down to one block, then write blocks until ENOSPC. Preallocation
 * takes data space as writes do, without writing it: faster in UML.
 */
static int do_fill(const char *path)
{
	static uint64_t buf[CHUNK / 8];
	int fd = open_or_die(path, O_WRONLY | O_CREAT | O_APPEND);
	uint64_t len = 1ULL << 30, off = 0;
	int64_t total;

	while (len >= 4096) {
		if (!fallocate(fd, 0, off, len)) {
			off += len;
			continue;
		}
		if (errno != ENOSPC) {
			fprintf(stderr, "fuzz-io: fill %s: fallocate: %s\n", path, strerror(errno));
			return 1;
		}
		len /= 2;
	}
	for (size_t i = 0; i < CHUNK / 8; i++)
		buf[i] = word((1ULL << SEED_BITS) - 1, i * 8);
	total = fill_until_enospc(fd, buf, 4096);
	if (total < 0) {
		fprintf(stderr, "fuzz-io: fill %s: %s\n", path, strerror(-total));
		return 1;
	}
	fsync(fd);	/* may fail with ENOSPC too: the filesystem is full */
	close(fd);
	printf("filled %s: %" PRIu64 " bytes preallocated, %" PRId64 " written\n", path, off, total);
	return 0;
}

struct run {
	uint64_t start, end;
	int kind;	/* 0 zero, 1 pattern, 2 junk */
	uint64_t seed;
	int64_t delta;
};

static void emit(const struct run *r)
{
	if (r->end == r->start)
		return;
	if (r->kind == 0)
		printf("%" PRIu64 " %" PRIu64 " zero\n", r->start, r->end);
	else if (r->kind == 1)
		printf("%" PRIu64 " %" PRIu64 " pat %" PRIu64 " %" PRId64 "\n", r->start, r->end,
		       r->seed, r->delta);
	else
		printf("%" PRIu64 " %" PRIu64 " junk\n", r->start, r->end);
}

/* Completed runs go through here: short pattern runs count as junk, junk merges. */
static void push(struct run *pend, struct run r)
{
	if (r.kind == 1 && r.end - r.start < JUNK_WORDS * 8)
		r.kind = 2;
	if (pend->end == r.start && pend->kind == 2 && r.kind == 2) {
		pend->end = r.end;
		return;
	}
	emit(pend);
	*pend = r;
}

/*
 * Runs of words: zeros, words that continue one pattern, anything else. A
 * pattern run of fewer than JUNK_WORDS words is junk: random bytes decode to
 * words that continue nothing.
 */
static int do_scan(const char *path)
{
	static uint64_t buf[CHUNK / 8];
	int fd = open_or_die(path, O_RDONLY);
	struct run cur = { 0 }, pend = { 0 };
	struct stat st;
	uint64_t off = 0, size;

	if (fstat(fd, &st)) {
		fprintf(stderr, "fuzz-io: stat %s: %s\n", path, strerror(errno));
		return 1;
	}
	size = st.st_size;
	printf("size %" PRIu64 "\n", size);
	while (off < size) {
		size_t n = size - off < CHUNK ? size - off : CHUNK;
		ssize_t got = pread(fd, buf, n, off);

		if (got != (ssize_t)n) {
			fprintf(stderr, "fuzz-io: %s: short read at %" PRIu64 ": %s\n", path, off,
				got < 0 ? strerror(errno) : "end of file");
			return 1;
		}
		if (n % 8)	/* a tail shorter than a word: zero or junk */
			memset((char *)buf + n, 0, 8 - n % 8);
		for (size_t i = 0; i < (n + 7) / 8; i++) {
			uint64_t o = off + i * 8, x, s;
			struct run w = { o, o + 8 < size ? o + 8 : size, 0, 0, 0 };

			if (buf[i]) {
				x = pattern_unmix(buf[i]);
				s = x >> IDX_BITS;
				w.kind = 2;
				if (s && w.end - w.start == 8) {
					w.kind = 1;
					w.seed = s;
					w.delta = (int64_t)((x & ((1ULL << IDX_BITS) - 1)) * 8) -
						  (int64_t)o;
				}
			}
			if (cur.end == w.start && cur.kind == w.kind &&
			    (w.kind != 1 || (cur.seed == w.seed && cur.delta == w.delta))) {
				cur.end = w.end;
				continue;
			}
			push(&pend, cur);
			cur = w;
		}
		off += n;
	}
	push(&pend, cur);
	emit(&pend);
	close(fd);
	return 0;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: fuzz-io pwrite FILE OFFSET LEN SEED PATOFF\n"
		"       fuzz-io clone|dedupe SRC SRCOFF DST DSTOFF LEN\n"
		"       fuzz-io fsync FILE | fill FILE | scan FILE\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return usage();
	if (!strcmp(argv[1], "pwrite") && argc == 7)
		return do_pwrite(argv[2], size_arg(argv[3]), size_arg(argv[4]),
				 size_arg(argv[5]), size_arg(argv[6]));
	if ((!strcmp(argv[1], "clone") || !strcmp(argv[1], "dedupe")) && argc == 7)
		return do_remap(argv[1][0] == 'd', argv + 2);
	if (!strcmp(argv[1], "fill") && argc == 3)
		return do_fill(argv[2]);
	if (!strcmp(argv[1], "scan") && argc == 3)
		return do_scan(argv[2]);
	if (!strcmp(argv[1], "fsync") && argc == 3) {
		int fd = open_or_die(argv[2], O_RDWR);

		if (fsync(fd)) {
			fprintf(stderr, "fuzz-io: fsync %s: %s\n", argv[2], strerror(errno));
			return 1;
		}
		return close(fd) ? 1 : 0;
	}
	return usage();
}
