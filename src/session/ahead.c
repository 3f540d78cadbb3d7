/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inflating a session's chunks ahead of the reader. Inflating is a
 * quarter of what replaying a session costs, and it needs nothing the
 * reader learns from the chunks before: so while the reader decodes one
 * chunk's samples, a thread reads the next chunks of the file (pread: the
 * reader's own position is untouched) and inflates them into a small
 * queue. The reader still reads and checks every chunk itself, framing,
 * checksum and budgets, exactly as without the thread; it only takes the
 * inflated bytes instead of inflating them, when the thread has the same
 * chunk at the same offset. Anything unusual (a torn tail, a bad
 * checksum, a chunk over the budget or too big to keep ready) stops the
 * thread there, and the reader does the rest alone, as it always did.
 *
 * A samples chunk's columns are decoded there too (block.c): a pure
 * function of its bytes, the same code the reader runs where the thread
 * did not, so the reader's checks, errors and results are the same; it
 * only maps the values through its tables and adds the samples.
 *
 * The thread holds at most AHEAD_QUEUE_BYTES inflated and decoded (and
 * one chunk more), and inflates no more than the reader's own budget
 * allows, so a hostile file costs it no more than it costs the reader.
 */
#include "config.h"

#include "ahead.h"

#include <errno.h>
#include <libdeflate.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "block.h"
#include "flametop/util.h"
#include "format.h"

/* Inflated bytes kept ready: some tens of chunks of a recording. */
#define AHEAD_QUEUE_BYTES (UINT64_C(1) << 20)
/* Bigger chunks (one flush of a huge import) are left to the reader. */
#define AHEAD_MAX_CHUNK (UINT32_C(16) << 20)
/* A samples chunk's columns bigger than this decoded are left to the
 * reader to decode. */
#define AHEAD_MAX_DECODED (UINT64_C(8) << 20)
/* The thread's stack: inflating and reading need a few KiB of it. */
#define AHEAD_STACK_BYTES (256u << 10)

char *ahead_inflate(struct libdeflate_decompressor *d, const unsigned char *src, uint32_t clen,
		    uint32_t ulen, const char **why)
{
	enum libdeflate_result lr;
	size_t in = 0, out_len = 0;
	char *out;

	/* Deflate (CM 8), a window of at most 32 KiB (CINFO 7), the check
	 * bits right, no preset dictionary (FDICT), room for the trailer. */
	if (clen < 6 || (src[0] & 0x0f) != 8 || src[0] >> 4 > 7 ||
	    (src[0] << 8 | src[1]) % 31 != 0 || (src[1] & 0x20)) {
		*why = "bad compressed data";
		return NULL;
	}
	/* One spare byte, for a terminator (a JSON payload's). */
	out = xmalloc((size_t)ulen + 1);
	lr = libdeflate_deflate_decompress_ex(d, src + 2, clen - 2, out, ulen, &in, &out_len);
	if (lr == LIBDEFLATE_SUCCESS && in == clen - 6 && out_len == ulen)
		return out;
	if ((lr == LIBDEFLATE_SUCCESS && in == clen - 6) || lr == LIBDEFLATE_INSUFFICIENT_SPACE)
		*why = "length mismatch";
	else
		*why = "bad compressed data";
	free(out);
	return NULL;
}

/* A chunk inflated, waiting for the reader. */
struct ahead_chunk {
	uint64_t off;
	uint32_t type, clen, ulen, crc;
	char *text;
	struct block_decoded *decoded; /* a samples chunk's columns, or NULL */
	uint64_t bytes; /* text's and decoded's */
	struct ahead_chunk *next;
};

struct ahead {
	int fd;
	uint64_t start;
	uint32_t types; /* bit t: type t is inflated */
	struct ahead_budget budget;
	pthread_t thread;

	/* Shared with the thread, under `lock`. */
	pthread_mutex_t lock;
	pthread_cond_t cond; /* the queue or `next`, `done`, `stop` changed */
	struct ahead_chunk *head, *tail;
	uint64_t queued; /* inflated and decoded bytes in the queue */
	uint64_t next; /* the offset of the chunk the thread reads next */
	bool done; /* the thread reads no more */
	bool stop; /* the reader wants it to end */
};

/* Reads `n` bytes of `fd` at `off`; fewer only at its end or on an error. */
static size_t pread_full(int fd, void *buf, size_t n, uint64_t off)
{
	size_t got = 0;

	while (got < n) {
		ssize_t k = pread(fd, (char *)buf + got, n - got, (off_t)(off + got));

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	return got;
}

/* The thread has gone past the chunk that ends at `end` (queued `c`, or
 * skipped when NULL). */
static void ahead_advance(struct ahead *a, uint64_t end, struct ahead_chunk *c)
{
	pthread_mutex_lock(&a->lock);
	if (c) {
		if (a->tail)
			a->tail->next = c;
		else
			a->head = c;
		a->tail = c;
		a->queued += c->bytes;
	}
	a->next = end;
	pthread_cond_broadcast(&a->cond);
	pthread_mutex_unlock(&a->lock);
}

/*
 * Reads, checks and inflates the chunk at *off and queues it (or skips
 * it: a type the reader skips, a chunk too big to keep ready), moving *off
 * past it. False where the thread stops: the reader will find out why.
 */
static bool ahead_one(struct ahead *a, struct libdeflate_decompressor *d, uint64_t *off,
		      unsigned char **buf, size_t *cap)
{
	unsigned char h[SESSION_CHUNK_HEADER_LEN];
	struct ahead_chunk *c;
	uint32_t type, clen, ulen, crc;
	uint64_t end;
	const char *why;
	char *text;

	if (pread_full(a->fd, h, sizeof(h), *off) != sizeof(h))
		return false;
	type = session_get_u32(h);
	clen = session_get_u32(h + 4);
	ulen = session_get_u32(h + 8);
	crc = session_get_u32(h + 12);
	end = *off + SESSION_CHUNK_HEADER_LEN + clen;
	if (type == SESSION_CHUNK_INVALID)
		return false;
	if (type > 31 || !(a->types & UINT32_C(1) << type)) {
		/* Skipped by the reader, after its checksum. */
		ahead_advance(a, end, NULL);
		*off = end;
		return true;
	}
	/* The reader's limits, in its order. */
	if (ulen > SESSION_CHUNK_MAX_BYTES || ulen < 2 ||
	    (uint64_t)ulen > (uint64_t)clen * SESSION_MAX_RATIO ||
	    a->budget.inflated + ulen > a->budget.base + a->budget.ratio * end)
		return false;
	a->budget.inflated += ulen;
	if (clen > AHEAD_MAX_CHUNK || ulen > AHEAD_MAX_CHUNK) {
		ahead_advance(a, end, NULL);
		*off = end;
		return true;
	}
	*buf = xbuf_shrink(*buf, cap, clen);
	if (clen > *cap) {
		*buf = xrealloc(*buf, clen);
		*cap = clen;
	}
	if (pread_full(a->fd, *buf, clen, *off + SESSION_CHUNK_HEADER_LEN) != clen ||
	    libdeflate_crc32(0, *buf, clen) != crc)
		return false;
	text = ahead_inflate(d, *buf, clen, ulen, &why);
	if (!text)
		return false;
	c = xcalloc(1, sizeof(*c));
	c->off = *off;
	c->type = type;
	c->clen = clen;
	c->ulen = ulen;
	c->crc = crc;
	c->text = text;
	c->bytes = ulen;
	/* Decoded here, the reader only checks and applies the values. */
	if (type == SESSION_CHUNK_SAMPLES) {
		c->decoded = block_decode((const unsigned char *)text, ulen, AHEAD_MAX_DECODED);
		if (c->decoded)
			c->bytes += c->decoded->bytes;
	}
	ahead_advance(a, end, c);
	*off = end;
	return true;
}

static void *ahead_main(void *arg)
{
	struct ahead *a = arg;
	struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
	unsigned char *buf = NULL;
	uint64_t off = a->start;
	size_t cap = 0;

	for (;;) {
		bool stop;

		pthread_mutex_lock(&a->lock);
		while (!a->stop && a->queued >= AHEAD_QUEUE_BYTES)
			pthread_cond_wait(&a->cond, &a->lock);
		stop = a->stop;
		pthread_mutex_unlock(&a->lock);
		if (stop || !d || !ahead_one(a, d, &off, &buf, &cap))
			break;
	}
	free(buf);
	libdeflate_free_decompressor(d);
	pthread_mutex_lock(&a->lock);
	a->done = true;
	pthread_cond_broadcast(&a->cond);
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

struct ahead *ahead_start(int fd, uint64_t off, uint32_t types,
			  const struct ahead_budget *budget)
{
	struct ahead *a = xcalloc(1, sizeof(*a));
	pthread_attr_t attr;
	sigset_t all, old;
	int ret;

	a->fd = fd;
	a->start = off;
	a->next = off;
	a->types = types;
	a->budget = *budget;
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->cond, NULL);
	/* A small stack: the default reserves 8 MiB of address space, which
	 * a reader under `ulimit -v` (report's tests: 96 MiB) cannot spare
	 * twice (report --baseline reads two files). */
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, AHEAD_STACK_BYTES);
	/* Signals are the main thread's: the thread blocks them all. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = pthread_create(&a->thread, &attr, ahead_main, a);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (ret != 0) {
		pthread_cond_destroy(&a->cond);
		pthread_mutex_destroy(&a->lock);
		free(a);
		return NULL;
	}
	return a;
}

/* Frees the queue's first chunk. Under the lock. */
static void ahead_drop(struct ahead *a)
{
	struct ahead_chunk *c = a->head;

	a->head = c->next;
	if (!a->head)
		a->tail = NULL;
	a->queued -= c->bytes;
	block_decoded_free(c->decoded);
	free(c->text);
	free(c);
	pthread_cond_broadcast(&a->cond);
}

char *ahead_take(struct ahead *a, uint64_t off, uint32_t type, uint32_t clen, uint32_t ulen,
		 uint32_t crc, struct block_decoded **decoded)
{
	char *text = NULL;

	*decoded = NULL;
	pthread_mutex_lock(&a->lock);
	for (;;) {
		struct ahead_chunk *c;

		while (a->head && a->head->off < off)
			ahead_drop(a);
		c = a->head;
		if (c) {
			/* The file changed under us, or the thread skipped it. */
			if (c->off != off || c->type != type || c->clen != clen || c->ulen != ulen ||
			    c->crc != crc)
				break;
			text = c->text;
			c->text = NULL;
			*decoded = c->decoded;
			c->decoded = NULL;
			ahead_drop(a);
			break;
		}
		if (a->done || a->next > off)
			break;
		pthread_cond_wait(&a->cond, &a->lock);
	}
	pthread_mutex_unlock(&a->lock);
	return text;
}

void ahead_stop(struct ahead *a)
{
	if (!a)
		return;
	pthread_mutex_lock(&a->lock);
	a->stop = true;
	pthread_cond_broadcast(&a->cond);
	pthread_mutex_unlock(&a->lock);
	pthread_join(a->thread, NULL);
	while (a->head)
		ahead_drop(a);
	pthread_cond_destroy(&a->cond);
	pthread_mutex_destroy(&a->lock);
	free(a);
}
