/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the C tools (tools/e2e/e2e-io.c, tools/fuzz/fuzz-io.c,
 * tools/stress/stress.c, tools/bench/remap-bench.c) share: clone, dedupe, and
 * fill a filesystem up, each returning 0 (or a count) or a negative errno for
 * the caller to report; and the invertible mixer of the fuzz and stress data
 * patterns.
 */

#ifndef REMAP_IO_H
#define REMAP_IO_H

#include <errno.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* FICLONERANGE of [soff, soff + len) of @src to @doff of @dst; len 0: to EOF. */
static inline int remap_clone(int src, uint64_t soff, int dst, uint64_t doff,
			      uint64_t len)
{
	struct file_clone_range r = {
		.src_fd = src, .src_offset = soff, .src_length = len,
		.dest_offset = doff,
	};

	return ioctl(dst, FICLONERANGE, &r) ? -errno : 0;
}

/*
 * FIDEDUPERANGE of [soff, soff + len) of @src with @doff of @dst: 0 when all
 * of it was deduped, -EBADE when the two ranges differ.
 */
static inline int remap_dedupe(int src, uint64_t soff, int dst, uint64_t doff,
			       uint64_t len)
{
	union {
		struct file_dedupe_range r;
		char room[sizeof(struct file_dedupe_range) +
			  sizeof(struct file_dedupe_range_info)];
	} arg;
	struct file_dedupe_range_info *info = &arg.r.info[0];

	memset(&arg, 0, sizeof(arg));
	arg.r.src_offset = soff;
	arg.r.src_length = len;
	arg.r.dest_count = 1;
	info->dest_fd = dst;
	info->dest_offset = doff;
	if (ioctl(src, FIDEDUPERANGE, &arg.r))
		return -errno;
	if (info->status < 0)
		return info->status;
	if (info->status != FILE_DEDUPE_RANGE_SAME || info->bytes_deduped != len)
		return -EBADE;
	return 0;
}

/* strerror() for the errors above, with -EBADE told in words. */
static inline const char *remap_strerror(int err)
{
	return err == -EBADE ? "the ranges differ" : strerror(-err);
}

/*
 * Append @buf to @fd, @size bytes at a time, then 4 KiB at a time, until
 * ENOSPC: no data space is left. Returns the bytes written or a negative errno.
 */
/*
 * Clone or dedupe [soff, soff + len) of src to doff of dst; on failure, say so on
 * stderr as "TOOL: clone|dedupe: reason". Returns 0 or 1, a command's exit status.
 */
static inline int remap_cmd(const char *tool, int dedupe, int src, uint64_t soff,
			    int dst, uint64_t doff, uint64_t len)
{
	int ret = dedupe ? remap_dedupe(src, soff, dst, doff, len) :
			   remap_clone(src, soff, dst, doff, len);

	if (ret) {
		fprintf(stderr, "%s: %s: %s\n", tool, dedupe ? "dedupe" : "clone",
			remap_strerror(ret));
		return 1;
	}
	return 0;
}

static inline int64_t fill_until_enospc(int fd, const void *buf, size_t size)
{
	int64_t total = 0;

	for (;;) {
		ssize_t done = write(fd, buf, size);

		if (done < 0 && errno == ENOSPC) {
			if (size <= 4096)
				return total;
			size = 4096;
			continue;
		}
		if (done < 0)
			return -errno;
		total += done;
	}
}

/*
 * The data pattern's mixer (the finalizer of MurmurHash3): an invertible map of
 * 64-bit words, so that a word read back tells what was written there.
 */
#define PATTERN_M1	0xff51afd7ed558ccdULL
#define PATTERN_M2	0xc4ceb9fe1a85ec53ULL

/* The inverse of odd @a modulo 2^64: Newton's iteration, correct to 3 bits, doubling. */
static inline uint64_t pattern_inverse(uint64_t a)
{
	uint64_t x = a;

	for (int i = 0; i < 6; i++)
		x *= 2 - a * x;
	return x;
}

static inline uint64_t pattern_mix(uint64_t x)
{
	x ^= x >> 33;
	x *= PATTERN_M1;
	x ^= x >> 33;
	x *= PATTERN_M2;
	x ^= x >> 33;
	return x;
}

static inline uint64_t pattern_unmix(uint64_t x)
{
	x ^= x >> 33;
	x *= pattern_inverse(PATTERN_M2);
	x ^= x >> 33;
	x *= pattern_inverse(PATTERN_M1);
	x ^= x >> 33;
	return x;
}

#endif
