// SPDX-License-Identifier: GPL-2.0
/*
 * stress: threads that race remaps against unreserved writers on a full btrfs,
 * and the check of every byte against the program's own record.
 *
 *   stress run MNT SEED SECONDS RECORD OPSLOG   set up, fill, race, fsync all
 *   stress check MNT RECORD                     every byte after the power cut
 *
 * run makes its files in the fresh filesystem mounted on MNT: preallocated
 * extents with a written block each (p0, p1), NODATACOW files of regular
 * extents (n0, n1), one file a worker for clones to EOF (e0..), one a worker
 * whose unaligned EOF block a clone past EOF zeroes (t0..), and a ballast that
 * the syncer punches and preallocates again; then it fills the filesystem. For
 * SECONDS, WORKERS worker threads write into preallocated and NODATACOW extents
 * (accepted without a data reservation when no data space is left), write
 * where a reservation is needed, punch and zero sub-block ranges
 * (btrfs_truncate_block() dirties a block without a reservation), clone and
 * dedupe written parts of the same disk extents within a file and across
 * files (to EOF too), make units fresh again, fsync and read their own units
 * back, while a syncer thread runs sync, syncfs, fsync and drop_caches.
 * Each unit of each file belongs to one worker, so the record of what each
 * successful call wrote and shared is exact whatever the interleaving. Every
 * worker's schedule comes from the seed alone (the results of the calls never
 * decide what comes next), so a failure can be run again. At the end every
 * file is fsynced, every byte read back, and the record is written to RECORD,
 * each call with its result to OPSLOG.
 *
 * check reads every file again (after the power cut) and compares it with
 * RECORD. Both print "fail: ..." for each problem (at most a few of a kind,
 * then a count) and "stat: ..." lines; they exit 1 if anything failed.
 *
 * Data: each 8-byte word written holds (write id, file offset) mixed, never
 * zero, so a differing range is told as zeros, another write's data (and where
 * it was written), or other bytes.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "remap-io.h"

#define BS		4096u
#define UNIT_BLOCKS	16u
#define UNIT		(UNIT_BLOCKS * BS)
#define WORKERS		4
#define UNITS		16		/* units of a worker in each shared file */
#define BALLAST		(8u << 20)
#define EOF_WRITTEN	3u		/* the last blocks of an EOF file, written */
#define MAX_REPORTS	12		/* fail: lines of one kind */
#define RECORD_MAGIC	0x3273736572747331ULL

/* What a byte of the record allows after a failed call. */
enum { EXACT, OR_ZERO, ANY };

/* The files: two of each kind shared by all workers, an EOF and a tail file a worker. */
enum { P0, P1, N0, N1, E0, T0 = E0 + WORKERS, NFILES = T0 + WORKERS };

struct file {
	char name[8];
	int fd;
	int nocow;
	uint64_t size;	/* the size it must have */
	uint64_t cap;	/* the bytes of the record: the largest size it can get */
	int lost;	/* a tail file: a failed call left its size unknown, until it is 0 */
	uint8_t *want;	/* the bytes the file must hold */
	uint8_t *may;	/* EXACT, OR_ZERO or ANY, a byte */
};

static struct file files[NFILES];
static int ballast_fd = -1;
static uint64_t ballast_end;	/* the ballast's preallocated space ends here */
static struct timespec t_start;
static uint64_t deadline_ns;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

/* Kinds of calls, for the counts. */
enum { C_WRITE, C_CLONE, C_CLONE_EOF, C_DEDUPE, C_PUNCH, C_ZERO, C_FALLOC, C_TRUNCATE,
	C_FSYNC, C_SYNC, C_SYNCFS, C_DROP, C_VERIFY, C_TIDE, NCALLS };
static const char *const call_name[NCALLS] = {
	"write", "clone", "clone-to-eof", "dedupe", "punch", "zero-range", "falloc", "truncate",
	"fsync", "sync", "syncfs", "drop_caches", "read-back", "ballast",
};
/*
 * Results: done, ENOSPC (a short write included), the ranges differ (dedupe), and
 * EAGAIN from a buffered write: 6.12's can_nocow_extent() returns -EAGAIN for a
 * preallocated extent of a COW inode with delalloc in the range it checks, and
 * btrfs_buffered_write() returns it when the data reservation failed too; upstream
 * 6.12 does it under this stress as well. Nothing was written then, or the count
 * says what was: no data is lost, and the record follows what the call said.
 */
enum { RES_DONE, RES_NOSPC, RES_DIFFER, RES_AGAIN, NRES };
static unsigned long counts[NCALLS][NRES];
static unsigned long fail_count[NCALLS];
static unsigned long failures;

struct thread {
	int id;			/* 0..WORKERS-1; WORKERS is the syncer */
	uint64_t rng;
	uint32_t writes;	/* write ids handed out */
	unsigned long op;
	uint64_t *buf;		/* a unit of pattern or read-back data */
	char *log;
	size_t log_len, log_size;
	unsigned long counts[NCALLS][NRES];
};

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)(t.tv_sec - t_start.tv_sec) * 1000000000ULL + t.tv_nsec -
	       t_start.tv_nsec;
}

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "stress: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(2);
}

/* fail KIND FMT...: a problem; the first MAX_REPORTS of each kind are printed. */
static void fail(int kind, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&out_lock);
	failures++;
	if (fail_count[kind]++ < MAX_REPORTS) {
		va_start(ap, fmt);
		printf("fail: ");
		vprintf(fmt, ap);
		printf("\n");
		va_end(ap);
		fflush(stdout);
	}
	pthread_mutex_unlock(&out_lock);
}

/* The thread's log of its calls: "T#OP SECONDS what: result". */
static void trace(struct thread *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->log_size - t->log_len < 256) {
		t->log_size = t->log_size ? t->log_size * 2 : 1 << 16;
		t->log = realloc(t->log, t->log_size);
		if (!t->log)
			die("out of memory for the log");
	}
	n = snprintf(t->log + t->log_len, t->log_size - t->log_len, "%c%d#%lu %.3f ",
		     t->id < WORKERS ? 'w' : 's', t->id, t->op, now_ns() / 1e9);
	t->log_len += n;
	va_start(ap, fmt);
	n = vsnprintf(t->log + t->log_len, t->log_size - t->log_len - 1, fmt, ap);
	va_end(ap);
	if (n > (int)(t->log_size - t->log_len - 2))
		n = t->log_size - t->log_len - 2;
	t->log_len += n;
	t->log[t->log_len++] = '\n';
}

/* splitmix64: each thread's schedule comes from its own stream. */
static uint64_t rnd(struct thread *t)
{
	uint64_t z = (t->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t pick(struct thread *t, uint64_t n)
{
	return rnd(t) % n;
}

/* Data words: an invertible mix of (write id, offset / 8); never zero. */
#define OFF_BITS 40

static uint64_t word(uint32_t id, uint64_t off)
{
	return pattern_mix((uint64_t)id << OFF_BITS | off / 8);
}

/* A write id: the writer (1..WORKERS) in 5 bits, its count in 19. */
static uint32_t new_id(struct thread *t)
{
	t->writes++;
	return (uint32_t)(t->id + 1) << 19 | (t->writes & 0x7ffff);
}

/* describe WORD: what an 8-byte word holds, as text. */
static void describe(uint64_t w, char *s, size_t n)
{
	uint64_t x = pattern_unmix(w);
	uint32_t id = x >> OFF_BITS;

	if (!w)
		snprintf(s, n, "zeros");
	else if (id >> 19 >= 1 && id >> 19 <= WORKERS)
		snprintf(s, n, "data of write w%u#%u written at %" PRIu64, (id >> 19) - 1,
			 id & 0x7ffff, (uint64_t)(x & ((1ULL << OFF_BITS) - 1)) * 8);
	else
		snprintf(s, n, "other bytes (%016" PRIx64 ")", w);
}

/*
 * The layout. A unit is UNIT bytes of one worker. p0 and n0: each worker's
 * units one after the other, each unit a disk extent of its own (n0 leaves a
 * hole of one block between units, so their writes do not merge into one
 * extent). p1 and n1: the units of the workers interleaved, and each disk
 * extent made for two units of two workers, so a remap by one shares the
 * other's data too.
 */
static uint64_t unit_off(int f, int w, int k)
{
	int idx = k * WORKERS + w;

	switch (f) {
	case P0:
		return (uint64_t)(w * UNITS + k) * UNIT;
	case N0:
		return (uint64_t)(w * UNITS + k) * (UNIT + BS);
	case P1:
	case N1:
		return (uint64_t)(idx / 2) * (2 * UNIT + BS) + (idx % 2) * UNIT;
	default:
		return 0;	/* an EOF file is one unit */
	}
}

static uint64_t file_size(int f)
{
	switch (f) {
	case P0:
		return (uint64_t)WORKERS * UNITS * UNIT;
	case N0:
		return (uint64_t)WORKERS * UNITS * (UNIT + BS);
	case P1:
	case N1:
		return (uint64_t)WORKERS * UNITS / 2 * (2 * UNIT + BS);
	default:
		return UNIT;	/* an EOF file; a tail file grows up to 2 * UNIT */
	}
}

static void set_exact(struct file *f, uint64_t off, const void *data, uint64_t len)
{
	if (data)
		memcpy(f->want + off, data, len);
	else
		memset(f->want + off, 0, len);
	memset(f->may + off, EXACT, len);
}

/* After a failed call: the bytes may also be zeros (OR_ZERO) or anything (ANY). */
static void set_loose(struct file *f, uint64_t off, uint64_t len, int how)
{
	for (uint64_t i = off; i < off + len; i++)
		if (f->may[i] < how)
			f->may[i] = how;
}

static int ok_byte(const struct file *f, uint64_t i, uint8_t got)
{
	return f->may[i] == ANY || got == f->want[i] || (f->may[i] == OR_ZERO && !got);
}

static void count(struct thread *t, int call, int res)
{
	t->counts[call][res]++;
}

/*
 * An errno that a call may return here: ENOSPC (no data space; a write may be
 * short), or EDQUOT. Anything else is a failure.
 */
static int expected_err(int err)
{
	return err == ENOSPC || err == EDQUOT;
}

/* Pattern write of [off, off + len) of file f; updates the record. */
static void do_write(struct thread *t, int fi, uint64_t off, uint64_t len)
{
	struct file *f = &files[fi];
	uint32_t id = new_id(t);
	ssize_t got;

	for (uint64_t i = 0; i < len / 8; i++)
		t->buf[i] = word(id, off + i * 8);
	got = pwrite(f->fd, t->buf, len, off);
	if (got > 0) {
		set_exact(f, off, t->buf, got);
		if (off + got > f->size)
			f->size = off + got;
	}
	if (got == (ssize_t)len || (got >= 0 && got < (ssize_t)len)) {
		count(t, C_WRITE, got == (ssize_t)len ? RES_DONE : RES_NOSPC);
		trace(t, "write %s %" PRIu64 "+%" PRIu64 " id w%d#%u: %zd", f->name, off, len,
		      t->id, id & 0x7ffff, got);
		return;
	}
	trace(t, "write %s %" PRIu64 "+%" PRIu64 ": %s", f->name, off, len, strerror(errno));
	if (expected_err(errno) || errno == EAGAIN) {
		count(t, C_WRITE, errno == EAGAIN ? RES_AGAIN : RES_NOSPC);
		return;
	}
	fail(C_WRITE, "w%d#%lu: write %s %" PRIu64 "+%" PRIu64 ": %s", t->id, t->op, f->name,
	     off, len, strerror(errno));
}

/* Write the bytes the record holds for src into dst: a dedupe's destination. */
static void copy_write(struct thread *t, int sfi, uint64_t soff, int dfi, uint64_t doff,
		       uint64_t len)
{
	struct file *d = &files[dfi];
	ssize_t got;

	memcpy(t->buf, files[sfi].want + soff, len);
	got = pwrite(d->fd, t->buf, len, doff);
	if (got > 0)
		set_exact(d, doff, t->buf, got);
	trace(t, "copy %s %" PRIu64 " to %s %" PRIu64 "+%" PRIu64 ": %zd%s%s", files[sfi].name,
	      soff, d->name, doff, len, got, got < 0 ? " " : "", got < 0 ? strerror(errno) : "");
	if (got >= 0) {
		count(t, C_WRITE, got == (ssize_t)len ? RES_DONE : RES_NOSPC);
	} else if (expected_err(errno) || errno == EAGAIN) {
		count(t, C_WRITE, errno == EAGAIN ? RES_AGAIN : RES_NOSPC);
	} else {
		fail(C_WRITE, "w%d#%lu: write %s %" PRIu64 "+%" PRIu64 ": %s", t->id, t->op,
		     d->name, doff, len, strerror(errno));
	}
}

/* Clone (len 0: to EOF) or dedupe; the record follows what the kernel says it did. */
static void do_remap(struct thread *t, int dedupe, int sfi, uint64_t soff, int dfi,
		     uint64_t doff, uint64_t len)
{
	struct file *s = &files[sfi], *d = &files[dfi];
	uint64_t n = len ? len : s->size - soff;
	int call = dedupe ? C_DEDUPE : len ? C_CLONE : C_CLONE_EOF;
	int ret = dedupe ? remap_dedupe(s->fd, soff, d->fd, doff, len) :
			   remap_clone(s->fd, soff, d->fd, doff, len);

	trace(t, "%s %s %" PRIu64 " to %s %" PRIu64 " len %" PRIu64 ": %s", call_name[call],
	      s->name, soff, d->name, doff, len, ret ? remap_strerror(ret) : "ok");
	if (!ret) {
		count(t, call, RES_DONE);
		if (!dedupe) {
			memcpy(d->want + doff, s->want + soff, n);
			memcpy(d->may + doff, s->may + soff, n);
		}
		return;
	}
	if (dedupe && ret == -EBADE) {
		count(t, call, RES_DIFFER);
		return;
	}
	/* A clone that failed part way may have replaced some of the destination. */
	if (!dedupe)
		set_loose(d, doff, n, ANY);
	if (expected_err(-ret)) {
		count(t, call, RES_NOSPC);
		return;
	}
	fail(call, "w%d#%lu: %s %s %" PRIu64 " to %s %" PRIu64 " len %" PRIu64 ": %s", t->id,
	     t->op, call_name[call], s->name, soff, d->name, doff, len, remap_strerror(ret));
}

/* fallocate(): PUNCH_HOLE or ZERO_RANGE zero the range; mode 0 changes no byte. */
static void do_falloc(struct thread *t, int fi, int mode, uint64_t off, uint64_t len)
{
	struct file *f = &files[fi];
	int call = mode & FALLOC_FL_PUNCH_HOLE ? C_PUNCH :
		   mode & FALLOC_FL_ZERO_RANGE ? C_ZERO : C_FALLOC;
	int ret = fallocate(f->fd, mode | FALLOC_FL_KEEP_SIZE, off, len) ? errno : 0;

	trace(t, "%s %s %" PRIu64 "+%" PRIu64 ": %s", call_name[call], f->name, off, len,
	      ret ? strerror(ret) : "ok");
	if (!ret) {
		count(t, call, RES_DONE);
		if (call != C_FALLOC)
			set_exact(f, off, NULL, len);
		return;
	}
	if (call != C_FALLOC)
		set_loose(f, off, len, OR_ZERO);
	if (expected_err(ret)) {
		count(t, call, RES_NOSPC);
		return;
	}
	fail(call, "w%d#%lu: %s %s %" PRIu64 "+%" PRIu64 ": %s", t->id, t->op, call_name[call],
	     f->name, off, len, strerror(ret));
}

/* Every fsync must succeed. */
static void do_fsync(struct thread *t, int fi)
{
	int ret = fsync(files[fi].fd) ? errno : 0;

	trace(t, "fsync %s: %s", files[fi].name, ret ? strerror(ret) : "ok");
	count(t, C_FSYNC, RES_DONE);
	if (ret)
		fail(C_FSYNC, "%c%d#%lu: fsync %s: %s", t->id < WORKERS ? 'w' : 's', t->id, t->op,
		     files[fi].name, strerror(ret));
}

/* ftruncate() of a tail file; the record drops what lies beyond the new size. */
static void do_truncate(struct thread *t, int fi, uint64_t size)
{
	struct file *f = &files[fi];
	int ret = ftruncate(f->fd, size) ? errno : 0;

	trace(t, "truncate %s %" PRIu64 ": %s", f->name, size, ret ? strerror(ret) : "ok");
	if (ret) {
		/* btrfs_setsize() may leave the size it had on disk: lost until truncated to 0. */
		f->lost = 1;
		count(t, C_TRUNCATE, RES_NOSPC);
		if (!expected_err(ret))
			fail(C_TRUNCATE, "w%d#%lu: truncate %s %" PRIu64 ": %s", t->id, t->op,
			     f->name, size, strerror(ret));
		return;
	}
	count(t, C_TRUNCATE, RES_DONE);
	if (size < f->size)
		set_exact(f, size, NULL, f->size - size);
	f->size = size;
	if (!size)
		f->lost = 0;
}

/*
 * The tail file of a worker: a preallocated extent whose first block is written,
 * truncated to a size within a block of it that is still preallocated. A clone to
 * EOF of its last block to past its EOF makes btrfs_clone_files() zero the rest
 * of that block first (btrfs_cont_expand(), btrfs_truncate_block(): without a
 * reservation on a full filesystem, in place), after the remap's writeback of the
 * unreserved data has run, and then share the disk extent that block is in.
 */
static void tail_step(struct thread *t, uint64_t r_new, uint64_t r_blk, uint64_t r_nblk,
		      uint64_t r_off, uint64_t r_gap)
{
	int fi = T0 + t->id;
	struct file *f = &files[fi];
	uint64_t size = (8 + r_blk % 8) * BS + 1 + r_off % (BS - 1);
	uint64_t end, dst, n;
	int ret;

	if (r_new < 4) {
		/* Made fresh: truncated to 0 and preallocated again, its first block written. */
		do_truncate(t, fi, 0);
		ret = fallocate(f->fd, 0, 0, UNIT) ? errno : 0;
		trace(t, "falloc %s 0+%u: %s", f->name, UNIT, ret ? strerror(ret) : "ok");
		count(t, C_FALLOC, ret ? RES_NOSPC : RES_DONE);
		if (!ret && f->size < UNIT)
			f->size = UNIT;
		else if (ret && !expected_err(ret))
			fail(C_FALLOC, "w%d#%lu: falloc %s: %s", t->id, t->op, f->name, strerror(ret));
		do_write(t, fi, 0, BS);
		do_fsync(t, fi);
		do_truncate(t, fi, size);
		return;
	}
	/* Unreserved data in blocks 1-7, then the last block cloned to past EOF. */
	do_write(t, fi, (1 + r_blk % 7) * BS, (r_nblk < 7 - r_blk % 7 ? r_nblk : 1) * BS);
	end = f->size;
	dst = (end + BS - 1) / BS * BS + (r_gap % 3) * BS;
	n = end - (end - 1) / BS * BS;
	if (!end || dst + n > f->cap) {
		trace(t, "tail %s: size %" PRIu64 ", no clone", f->name, end);
		return;
	}
	ret = remap_clone(f->fd, end - n, f->fd, dst, 0);
	trace(t, "clone-to-eof %s %" PRIu64 " to %s %" PRIu64 " len 0: %s", f->name, end - n,
	      f->name, dst, ret ? remap_strerror(ret) : "ok");
	if (ret) {
		f->lost = 1;
		count(t, C_CLONE_EOF, RES_NOSPC);
		if (!expected_err(-ret))
			fail(C_CLONE_EOF, "w%d#%lu: clone-to-eof %s %" PRIu64 " to %" PRIu64 ": %s",
			     t->id, t->op, f->name, end - n, dst, remap_strerror(ret));
		return;
	}
	count(t, C_CLONE_EOF, RES_DONE);
	/* [end, dst) reads as zeros: the record beyond the size always holds them. */
	memcpy(f->want + dst, f->want + end - n, n);
	memcpy(f->may + dst, f->may + end - n, n);
	f->size = dst + n;
}

/*
 * compare F OFF LEN GOT WHEN: report the ranges of [off, off + len) where GOT
 * differs from the record; returns the bytes that differ.
 */
static uint64_t compare(const struct file *f, uint64_t off, uint64_t len, const uint8_t *got,
			const char *when)
{
	uint64_t bad = 0, i = 0;
	int shown = 0;

	while (i < len) {
		uint64_t s, last, n = 0, w, want, have;
		char exp[96], found[96];

		if (ok_byte(f, off + i, got[i])) {
			i++;
			continue;
		}
		/* A range: bad bytes less than 64 bytes apart (a byte of data may match). */
		s = last = i;
		for (; i < len && i - last <= 64; i++) {
			if (!ok_byte(f, off + i, got[i])) {
				last = i;
				n++;
			}
		}
		bad += n;
		if (shown++ >= 4)
			continue;
		/* Describe the first whole word of the range, or the one it starts in. */
		w = (off + s + 7) & ~7ULL;
		if (w + 8 > off + last + 1)
			w = (off + s) & ~7ULL;
		memcpy(&want, f->want + w, 8);
		memcpy(&have, got + (w - off), 8);
		describe(want, exp, sizeof(exp));
		describe(have, found, sizeof(found));
		fail(C_VERIFY, "%s: %s [%" PRIu64 ", %" PRIu64 ") (%" PRIu64
		     " bytes differ): expected %s, found %s", when, f->name, off + s,
		     off + last + 1, n, exp, found);
	}
	if (shown > 4)
		fail(C_VERIFY, "%s: %s: %d more differing ranges in [%" PRIu64 ", %" PRIu64 ")",
		     when, f->name, shown - 4, off, off + len);
	return bad;
}

/* Read [off, off + len) of f back and compare it with the record. */
static void do_verify(struct thread *t, int fi, uint64_t off, uint64_t len)
{
	struct file *f = &files[fi];
	ssize_t got = pread(f->fd, t->buf, len, off);
	char when[64];
	uint64_t bad;

	if (got != (ssize_t)len) {
		trace(t, "read %s %" PRIu64 "+%" PRIu64 ": %zd", f->name, off, len, got);
		fail(C_VERIFY, "w%d#%lu: read %s %" PRIu64 "+%" PRIu64 ": %s", t->id, t->op, f->name,
		     off, len, got < 0 ? strerror(errno) : "short read");
		return;
	}
	snprintf(when, sizeof(when), "read back by w%d#%lu", t->id, t->op);
	bad = compare(f, off, len, (uint8_t *)t->buf, when);
	count(t, C_VERIFY, RES_DONE);
	trace(t, "read %s %" PRIu64 "+%" PRIu64 ": %" PRIu64 " bytes differ", f->name, off, len,
	      bad);
}

/*
 * One step of a worker. Every value is drawn whatever the results were, so the
 * calls a worker makes depend on the seed alone.
 */
static void worker_step(struct thread *t)
{
	/* the draws of every step */
	uint64_t r_kind = pick(t, 100), r_file = pick(t, 2), r_unit = pick(t, UNITS);
	uint64_t r_blk = pick(t, UNIT_BLOCKS), r_nblk = 1 + pick(t, 3), r_sub = pick(t, 4);
	uint64_t r_soff = pick(t, BS / 8) * 8, r_slen = 8 + pick(t, BS / 8) * 8;
	uint64_t r_src = pick(t, 10), r_dfile = pick(t, 2), r_dunit = pick(t, UNITS);
	uint64_t r_dblk = pick(t, UNIT_BLOCKS), r_remap = pick(t, 10), r_fsync = pick(t, 4);
	uint64_t r_any = pick(t, NFILES), r_byte = pick(t, 2 * BS), r_blen = 1 + pick(t, 2 * BS);
	int nocow = r_kind >= 30 && r_kind < 48;	/* n0, n1 */
	int fi = (nocow ? N0 : P0) + r_file, k = (int)r_unit;
	uint64_t u = unit_off(fi, t->id, k), woff, wlen, sblk, nblk, dblk;
	int dfi, dk;
	int e = E0 + t->id;

	/* The write: blocks 1.. of the unit (block 0 is its written part), or a sub-block. */
	nblk = r_nblk;
	if (r_blk == 0)
		r_blk = 1;
	if (r_blk + nblk > UNIT_BLOCKS)
		nblk = UNIT_BLOCKS - r_blk;
	woff = u + r_blk * BS;
	wlen = nblk * BS;
	if (r_sub == 0) {
		woff += r_soff;
		wlen = r_slen;
		if (r_soff + r_slen > UNIT - r_blk * BS)
			wlen = UNIT - r_blk * BS - r_soff;
	}
	/* The remap: the source in the same unit, block 0 mostly; a destination of the kind. */
	sblk = r_src < 7 ? 0 : r_blk;
	nblk = r_nblk;
	if (sblk + nblk > UNIT_BLOCKS)
		nblk = UNIT_BLOCKS - sblk;
	dfi = (nocow ? N0 : P0) + r_dfile;
	dk = (int)r_dunit;
	dblk = r_dblk;
	if (dblk + nblk > UNIT_BLOCKS)
		dblk = UNIT_BLOCKS - nblk;
	if (dfi == fi && dk == k && dblk < sblk + nblk && sblk < dblk + nblk) {
		/* No overlap within one file: the block after the source, or the next unit. */
		if (sblk + 2 * nblk <= UNIT_BLOCKS)
			dblk = sblk + nblk;
		else
			dk = (k + 1) % UNITS;
	}

	if (r_kind < 30 || nocow) {
		/* Unreserved data, then a remap of a written part of the same disk extent. */
		do_write(t, fi, woff, wlen);
		if (r_remap < 7) {
			do_remap(t, 0, fi, u + sblk * BS, dfi, unit_off(dfi, t->id, dk) + dblk * BS,
				 nblk * BS);
		} else {
			copy_write(t, fi, u + sblk * BS, dfi, unit_off(dfi, t->id, dk) + dblk * BS,
				   nblk * BS);
			do_remap(t, 1, fi, u + sblk * BS, dfi, unit_off(dfi, t->id, dk) + dblk * BS,
				 nblk * BS);
		}
		if (r_fsync == 0)
			do_fsync(t, fi);
	} else if (r_kind < 56 && r_remap >= 7) {
		tail_step(t, r_fsync * 2 + r_src % 2, r_blk, r_nblk, r_soff + r_slen, r_dblk);
	} else if (r_kind < 56) {
		/* The EOF file: unreserved data before its written end, clone to EOF. */
		uint64_t last = UNIT_BLOCKS - 1 - pick(t, EOF_WRITTEN);

		if (woff - u + wlen > last * BS)
			wlen = woff - u < last * BS ? last * BS - (woff - u) : 0;
		if (wlen)
			do_write(t, e, woff - u, wlen);
		dblk = r_dblk;
		if (dblk + (UNIT_BLOCKS - last) > UNIT_BLOCKS)
			dblk = last;
		do_remap(t, 0, e, last * BS, P0 + r_dfile,
			 unit_off(P0 + (int)r_dfile, t->id, dk) + dblk * BS, 0);
	} else if (r_kind < 64) {
		/* Data that needs a reservation: the written part, then maybe a remap. */
		do_write(t, fi, u + (r_blk % 3) * BS, BS);
		if (r_remap < 5)
			do_remap(t, 0, fi, u + (3 + r_blk % 4) * BS, dfi,
				 unit_off(dfi, t->id, (k + 1 + dk % (UNITS - 1)) % UNITS) + dblk * BS,
				 BS);
	} else if (r_kind < 72) {
		/* A write left dirty for the others' writeback, sync and remaps to meet. */
		do_write(t, r_remap < 5 ? fi : N0 + (int)r_file, (r_remap < 5 ? u :
			 unit_off(N0 + (int)r_file, t->id, k)) + (woff - u), wlen);
	} else if (r_kind < 82) {
		/* Sub-block punch or zero range, or one across a block boundary. */
		uint64_t off = r_byte, len = r_blen;

		if (off + len > UNIT)
			len = UNIT - off;
		if (r_remap < 3)
			fi = N0 + (int)r_file;
		u = unit_off(fi, t->id, k);
		do_falloc(t, fi, r_remap & 1 ? FALLOC_FL_ZERO_RANGE : FALLOC_FL_PUNCH_HOLE,
			  u + off + (r_remap < 5 ? 0 : r_blk * BS) % (UNIT - off - len + 1), len);
	} else if (r_kind < 90) {
		/* A unit made fresh: a new preallocated extent and its written part. */
		int ri = r_remap < 3 ? e : r_remap < 6 ? fi : N0 + (int)r_file;
		uint64_t ru = ri == e ? 0 : unit_off(ri, t->id, k);

		do_falloc(t, ri, FALLOC_FL_PUNCH_HOLE, ru, UNIT);
		do_falloc(t, ri, 0, ru, UNIT);
		if (ri == e)
			do_write(t, ri, (UNIT_BLOCKS - EOF_WRITTEN) * BS, EOF_WRITTEN * BS);
		else
			do_write(t, ri, ru, files[ri].nocow ? UNIT : BS);
		do_fsync(t, ri);
	} else if (r_kind < 95) {
		do_fsync(t, (int)r_any);
	} else {
		/* Read a unit back: what the page cache or the disk gives must be the record. */
		do_verify(t, fi, u, UNIT);
		do_verify(t, e, 0, UNIT);
	}
}

static void *worker(void *arg)
{
	struct thread *t = arg;

	while (now_ns() < deadline_ns) {
		t->op++;
		worker_step(t);
	}
	return NULL;
}

/*
 * Take all data space that is free into the ballast, beyond what it has: preallocate
 * ever smaller pieces down to a block until none fits. Returns the bytes it took.
 */
static uint64_t grab(void)
{
	uint64_t len = 1 << 20, took = 0;

	while (len >= BS) {
		if (!fallocate(ballast_fd, FALLOC_FL_KEEP_SIZE, ballast_end, len)) {
			ballast_end += len;
			took += len;
			continue;
		}
		len /= 2;
	}
	return took;
}

/*
 * The syncer: sync, syncfs, fsync, drop_caches, and the ballast, at random times: it
 * gives back some space now and then and takes all free space again, so that the
 * filesystem is full but for short whiles, in which writes get a reservation.
 */
static void *syncer(void *arg)
{
	struct thread *t = arg;
	int drop = open("/proc/sys/vm/drop_caches", O_WRONLY);

	while (now_ns() < deadline_ns) {
		uint64_t r = pick(t, 100), f = pick(t, NFILES), wait = pick(t, 20000);
		uint64_t b, blen = (1 + pick(t, 64)) * BS;
		struct timespec ts = { 0, (long)wait * 1000 };
		int ret = 0;

		t->op++;
		if (r < 20) {
			sync();
			trace(t, "sync");
			count(t, C_SYNC, RES_DONE);
		} else if (r < 30) {
			ret = syncfs(files[f].fd) ? errno : 0;
			trace(t, "syncfs: %s", ret ? strerror(ret) : "ok");
			count(t, C_SYNCFS, RES_DONE);
			if (ret)
				fail(C_SYNCFS, "s#%lu: syncfs: %s", t->op, strerror(ret));
		} else if (r < 50) {
			do_fsync(t, (int)f);
		} else if (r < 65) {
			const char *v = r & 1 ? "3" : "1";

			ret = drop < 0 || pwrite(drop, v, 1, 0) != 1;
			trace(t, "drop_caches %s: %s", v, ret ? "failed" : "ok");
			count(t, C_DROP, RES_DONE);
			if (ret)
				fail(C_DROP, "s#%lu: drop_caches: cannot write", t->op);
		} else if (r < 75) {
			/*
			 * Space comes free (after the next commit) for a while: the end of the
			 * ballast, which is all preallocated, so that each punch frees space...
			 */
			if (blen > ballast_end)
				blen = ballast_end;
			b = ballast_end - blen;
			ret = !blen ? ENOSPC : fallocate(ballast_fd, FALLOC_FL_PUNCH_HOLE |
							 FALLOC_FL_KEEP_SIZE, b, blen) ? errno : 0;
			if (!ret)
				ballast_end = b;
			trace(t, "ballast punch %" PRIu64 "+%" PRIu64 ": %s", b, blen,
			      ret ? strerror(ret) : "ok");
			count(t, C_TIDE, ret ? RES_NOSPC : RES_DONE);
		} else if (r < 95) {
			/* ... until all space that is free is taken again. */
			uint64_t took = grab();

			trace(t, "ballast grab: %" PRIu64 " bytes", took);
			count(t, C_TIDE, took ? RES_DONE : RES_NOSPC);
		}
		nanosleep(&ts, NULL);
	}
	if (drop >= 0)
		close(drop);
	return NULL;
}

static int open_file(const char *mnt, const char *name, int flags)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", mnt, name);
	fd = open(path, flags, 0644);
	if (fd < 0)
		die("cannot open %s: %s", path, strerror(errno));
	return fd;
}

static void alloc_record(struct file *f)
{
	f->want = calloc(f->cap, 1);
	f->may = calloc(f->cap, 1);
	if (!f->want || !f->may)
		die("out of memory for the record of %s", f->name);
}

/* Fill the filesystem: preallocate what is left, halving down to a block, then write. */
static void fill(const char *mnt)
{
	static uint64_t buf[BS / 8];
	int fd = open_file(mnt, "padding", O_WRONLY | O_CREAT | O_APPEND);
	uint64_t len = 1ULL << 30, off = 0;
	int64_t total;

	while (len >= BS) {
		if (!fallocate(fd, 0, off, len)) {
			off += len;
			continue;
		}
		if (errno != ENOSPC)
			die("fill: fallocate: %s", strerror(errno));
		len /= 2;
	}
	for (size_t i = 0; i < BS / 8; i++)
		buf[i] = ~0ULL;
	total = fill_until_enospc(fd, buf, BS);
	if (total < 0)
		die("fill: %s", strerror(-total));
	fsync(fd);	/* may fail with ENOSPC: the filesystem is full */
	close(fd);
	printf("stat: filled: %" PRIu64 " bytes preallocated, %" PRId64 " written\n", off,
	       total);
}

/*
 * Setup, one thread a worker's units at a time: the files, their extents and
 * written parts, made durable; the ballast; the fill.
 */
static void setup(const char *mnt, struct thread *th)
{
	for (int i = 0; i < NFILES; i++) {
		struct file *f = &files[i];
		int fl = FS_NOCOW_FL;

		if (i < E0)
			snprintf(f->name, sizeof(f->name), "%c%d", i < N0 ? 'p' : 'n', i % 2);
		else
			snprintf(f->name, sizeof(f->name), "%c%d", i < T0 ? 'e' : 't',
				 (i - E0) % WORKERS);
		f->nocow = i == N0 || i == N1;
		f->size = file_size(i);
		f->cap = i < T0 ? f->size : 2 * UNIT;
		f->fd = open_file(mnt, f->name, O_RDWR | O_CREAT | O_TRUNC);
		if (f->nocow && ioctl(f->fd, FS_IOC_SETFLAGS, &fl))
			die("chattr +C %s: %s", f->name, strerror(errno));
		if (ftruncate(f->fd, f->size))
			die("truncate %s: %s", f->name, strerror(errno));
		alloc_record(f);
	}
	ballast_fd = open_file(mnt, "ballast", O_RDWR | O_CREAT | O_TRUNC);
	if (fallocate(ballast_fd, FALLOC_FL_KEEP_SIZE, 0, BALLAST))
		die("fallocate ballast: %s", strerror(errno));
	ballast_end = BALLAST;
	for (int w = 0; w < WORKERS; w++) {
		struct thread *t = &th[w];

		for (int k = 0; k < UNITS; k++) {
			uint64_t p0 = unit_off(P0, w, k), p1 = unit_off(P1, w, k);
			uint64_t n1 = unit_off(N1, w, k);

			if (fallocate(files[P0].fd, 0, p0, UNIT))
				die("fallocate p0: %s", strerror(errno));
			/* The first of each pair of units preallocates the extent of both. */
			if ((k * WORKERS + w) % 2 == 0 &&
			    fallocate(files[P1].fd, 0, p1, 2 * UNIT))
				die("fallocate p1: %s", strerror(errno));
			do_write(t, P0, p0, BS);
			do_write(t, P1, p1, BS);
			do_write(t, N0, unit_off(N0, w, k), UNIT);
			do_write(t, N1, n1, UNIT);
		}
		if (fallocate(files[E0 + w].fd, 0, 0, UNIT))
			die("fallocate e%d: %s", w, strerror(errno));
		do_write(t, E0 + w, (UNIT_BLOCKS - EOF_WRITTEN) * BS, EOF_WRITTEN * BS);
		if (fallocate(files[T0 + w].fd, 0, 0, UNIT))
			die("fallocate t%d: %s", w, strerror(errno));
		do_write(t, T0 + w, 0, BS);
	}
	if (failures)
		die("the setup's writes failed");
	sync();
	/* The tail files end within a preallocated block. */
	for (int w = 0; w < WORKERS; w++)
		do_truncate(&th[w], T0 + w, UNIT - 100);
	fill(mnt);
	sync();
}

static void dump_log(const char *path, struct thread *th, int n)
{
	FILE *f = fopen(path, "w");

	if (!f)
		die("cannot write %s: %s", path, strerror(errno));
	for (int i = 0; i < n; i++)
		fwrite(th[i].log, 1, th[i].log_len, f);
	if (fclose(f))
		die("cannot write %s: %s", path, strerror(errno));
}

static void write_record(const char *path)
{
	FILE *f = fopen(path, "w");
	uint64_t magic = RECORD_MAGIC, n = NFILES;

	if (!f)
		die("cannot write %s: %s", path, strerror(errno));
	fwrite(&magic, 8, 1, f);
	fwrite(&n, 8, 1, f);
	for (int i = 0; i < NFILES; i++) {
		uint64_t lost = files[i].lost;

		fwrite(files[i].name, sizeof(files[i].name), 1, f);
		fwrite(&files[i].cap, 8, 1, f);
		fwrite(&files[i].size, 8, 1, f);
		fwrite(&lost, 8, 1, f);
		fwrite(files[i].want, 1, files[i].cap, f);
		fwrite(files[i].may, 1, files[i].cap, f);
	}
	if (fclose(f))
		die("cannot write %s: %s", path, strerror(errno));
}

static void read_record(const char *path)
{
	FILE *f = fopen(path, "r");
	uint64_t magic = 0, n = 0;

	if (!f)
		die("cannot read %s: %s", path, strerror(errno));
	if (fread(&magic, 8, 1, f) != 1 || magic != RECORD_MAGIC ||
	    fread(&n, 8, 1, f) != 1 || n != NFILES)
		die("%s is not a record of this program", path);
	for (int i = 0; i < NFILES; i++) {
		struct file *fl = &files[i];
		uint64_t lost;

		if (fread(fl->name, sizeof(fl->name), 1, f) != 1 ||
		    fread(&fl->cap, 8, 1, f) != 1 || fl->cap > (1ULL << 32) ||
		    fread(&fl->size, 8, 1, f) != 1 || fl->size > fl->cap ||
		    fread(&lost, 8, 1, f) != 1)
			die("%s is cut short", path);
		fl->name[sizeof(fl->name) - 1] = 0;
		fl->lost = lost;
		alloc_record(fl);
		if (fread(fl->want, 1, fl->cap, f) != fl->cap ||
		    fread(fl->may, 1, fl->cap, f) != fl->cap)
			die("%s is cut short", path);
	}
	fclose(f);
}

/* Every byte of every file, read through fd, against the record. */
static uint64_t check_all(const char *mnt, const char *when)
{
	uint64_t bad = 0;

	for (int i = 0; i < NFILES; i++) {
		struct file *f = &files[i];
		int fd;
		uint8_t *buf;
		struct stat st;
		ssize_t got;

		if (f->lost) {
			printf("stat: %s: not checked %s: a failed call left its size unknown\n",
			       f->name, when);
			continue;
		}
		fd = mnt ? open_file(mnt, f->name, O_RDONLY) : f->fd;
		buf = malloc(f->size ? f->size : 1);
		if (!buf)
			die("out of memory");
		if (fstat(fd, &st))
			fail(C_VERIFY, "%s: %s: stat: %s", when, f->name, strerror(errno));
		else if ((uint64_t)st.st_size != f->size)
			fail(C_VERIFY, "%s: %s: size %lld, not %" PRIu64, when, f->name,
			     (long long)st.st_size, f->size);
		got = pread(fd, buf, f->size, 0);
		if (got != (ssize_t)f->size)
			fail(C_VERIFY, "%s: %s: read %zd of %" PRIu64 " bytes", when, f->name, got,
			     f->size);
		else
			bad += compare(f, 0, f->size, buf, when);
		free(buf);
		if (mnt)
			close(fd);
	}
	return bad;
}

/* How many failures of each kind were not printed. */
static void print_unshown(void)
{
	for (int c = 0; c < NCALLS; c++)
		if (fail_count[c] > MAX_REPORTS)
			printf("fail: %lu more %s failures\n", fail_count[c] - MAX_REPORTS,
			       call_name[c]);
}

static void print_counts(void)
{
	printf("stat: calls (done/ENOSPC/ranges differ/EAGAIN):");
	for (int c = 0; c < NCALLS; c++)
		if (counts[c][RES_DONE] + counts[c][RES_NOSPC] + counts[c][RES_DIFFER] +
		    counts[c][RES_AGAIN])
			printf(" %s %lu/%lu/%lu/%lu", call_name[c], counts[c][RES_DONE],
			       counts[c][RES_NOSPC], counts[c][RES_DIFFER], counts[c][RES_AGAIN]);
	printf("\n");
}

static int run(const char *mnt, uint64_t seed, uint64_t secs, const char *record,
	       const char *opslog)
{
	struct thread th[WORKERS + 1];
	pthread_t tid[WORKERS + 1];
	uint64_t bad, ops = 0, t_setup;

	clock_gettime(CLOCK_MONOTONIC, &t_start);
	memset(th, 0, sizeof(th));
	for (int i = 0; i <= WORKERS; i++) {
		th[i].id = i;
		th[i].rng = pattern_mix(seed * (WORKERS + 1) + i + 1);
		th[i].buf = malloc(UNIT);
		if (!th[i].buf)
			die("out of memory");
	}
	printf("stat: seed %" PRIu64 ", %d workers and a syncer, %" PRIu64 " s\n", seed,
	       WORKERS, secs);
	setup(mnt, th);
	t_setup = now_ns();
	printf("stat: setup took %.1f s\n", t_setup / 1e9);
	fflush(stdout);
	deadline_ns = t_setup + secs * 1000000000ULL;
	for (int i = 0; i <= WORKERS; i++) {
		th[i].op = 0;
		if (pthread_create(&tid[i], NULL, i < WORKERS ? worker : syncer, &th[i]))
			die("cannot start a thread");
	}
	for (int i = 0; i <= WORKERS; i++)
		pthread_join(tid[i], NULL);
	printf("stat: the threads ran %.1f s\n", (now_ns() - t_setup) / 1e9);
	for (int i = 0; i <= WORKERS; i++) {
		for (int c = 0; c < NCALLS; c++)
			for (int r = 0; r < NRES; r++)
				counts[c][r] += th[i].counts[c][r];
		ops += th[i].op;
		memset(th[i].counts, 0, sizeof(th[i].counts));
	}
	/* The end: every file fsynced, every byte read back, the record written. */
	th[0].op = 0;
	for (int i = 0; i < NFILES; i++)
		do_fsync(&th[0], i);
	bad = check_all(NULL, "before the power cut");
	printf("stat: %" PRIu64 " steps; before the power cut %" PRIu64 " bytes differ\n", ops,
	       bad);
	print_counts();
	write_record(record);
	dump_log(opslog, th, WORKERS + 1);
	print_unshown();
	printf("stat: %lu failures\n", failures);
	return failures ? 1 : 0;
}

static int check(const char *mnt, const char *record)
{
	uint64_t bad;

	read_record(record);
	bad = check_all(mnt, "after the power cut");
	print_unshown();
	printf("stat: after the power cut %" PRIu64 " bytes differ; %lu failures\n", bad,
	       failures);
	return failures ? 1 : 0;
}

static uint64_t num(const char *s)
{
	char *end;
	uint64_t v = strtoull(s, &end, 10);

	if (!*s || *end)
		die("not a number: '%s'", s);
	return v;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 7 && !strcmp(argv[1], "run"))
		return run(argv[2], num(argv[3]), num(argv[4]), argv[5], argv[6]);
	if (argc == 4 && !strcmp(argv[1], "check"))
		return check(argv[2], argv[3]);
	fprintf(stderr, "usage: stress run MNT SEED SECONDS RECORD OPSLOG\n"
		"       stress check MNT RECORD\n");
	return 2;
}
