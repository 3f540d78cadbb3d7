/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading perf mmap ring buffers. The kernel writes records and advances
 * data_head; we read up to it and publish data_tail as each record is
 * done, which is what lets the kernel reuse the space. The load of
 * data_head is an acquire (records before it are visible) and the store
 * of data_tail a release (we are done reading before the kernel may
 * overwrite). A record that wraps around the end of the buffer is copied
 * out whole, so the decoder always sees contiguous bytes.
 *
 * The rings of several CPUs are read together in time order: a process
 * that execs on one CPU and runs on another has its exec (COMM, MMAP) in
 * the first ring and its samples in the second, and the samples mean
 * nothing before the exec. Each ring is about in time order (a record
 * written from an interrupt may go before one stamped just earlier), so a
 * merge of their next records (a min-heap by time) is enough for that:
 * nothing is copied. Rules that pair records a few microseconds apart
 * copy them out and release them in rounds instead (sampler_rounds).
 */
#include "config.h"

#include "flametop/sampler.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "flametop/util.h"

uint64_t sampler_record_time(const struct perf_event_header *h)
{
	uint64_t t = 0;

	if (h->type == PERF_RECORD_SAMPLE) {
		if (h->size >= sizeof(*h) + 32)
			memcpy(&t, (const unsigned char *)h + sizeof(*h) + 24, 8);
	} else if (h->size >= sizeof(*h) + 32) {
		memcpy(&t, (const unsigned char *)h + h->size - 24, 8);
	}
	return t;
}

static void cursor_begin(struct sampler_ring_cursor *c)
{
	c->head = __atomic_load_n(&c->r->meta->data_head, __ATOMIC_ACQUIRE);
	c->tail = c->r->meta->data_tail;
	c->h = NULL;
}

static void cursor_publish(struct sampler_ring_cursor *c)
{
	__atomic_store_n(&c->r->meta->data_tail, c->tail, __ATOMIC_RELEASE);
}

/*
 * Points c->h at the record at c->tail (copied out if it wraps) with its
 * time, or at NULL when none is left. A record whose header size is
 * impossible skips the rest of the ring: NULL and -EBADMSG.
 */
static int cursor_peek(struct sampler_ring_cursor *c)
{
	struct sampler_ring *r = c->r;
	struct perf_event_header hdr;
	uint64_t off = c->tail & (r->size - 1);

	c->h = NULL;
	if (c->tail >= c->head)
		return 0;
	if (c->head - c->tail < sizeof(hdr))
		goto bad;
	/* The header itself may wrap (records are 8-byte aligned, so only in
	 * a corrupt buffer, but never read past the end). */
	if (off + sizeof(hdr) <= r->size) {
		memcpy(&hdr, r->data + off, sizeof(hdr));
	} else {
		size_t first = r->size - off;

		memcpy(&hdr, r->data + off, first);
		memcpy((unsigned char *)&hdr + first, r->data, sizeof(hdr) - first);
	}
	if (hdr.size < sizeof(hdr) || hdr.size > c->head - c->tail)
		goto bad;
	if (off + hdr.size <= r->size) {
		c->h = (const struct perf_event_header *)(r->data + off);
	} else {
		size_t first = r->size - off;

		memcpy(r->copy, r->data + off, first);
		memcpy(r->copy + first, r->data, hdr.size - first);
		c->h = (const struct perf_event_header *)r->copy;
	}
	c->time = sampler_record_time(c->h);
	return 0;
bad:
	c->tail = c->head;
	cursor_publish(c);
	return -EBADMSG;
}

/* The record at c->h is done: its space goes back to the kernel. */
static void cursor_next(struct sampler_ring_cursor *c)
{
	c->tail += c->h->size;
	c->h = NULL;
	cursor_publish(c);
}

int sampler_ring_read(struct sampler_ring *r,
		      int (*fn)(const struct perf_event_header *h, void *ctx), void *ctx)
{
	struct sampler_ring_cursor c = { .r = r };
	int ret;

	cursor_begin(&c);
	while ((ret = cursor_peek(&c)) == 0 && c.h) {
		ret = fn(c.h, ctx);
		cursor_next(&c);
		if (ret)
			break;
	}
	return ret;
}

/* Whether a's next record goes before b's: the earlier, or the lower ring. */
static bool before(const struct sampler_ring_cursor *a, const struct sampler_ring_cursor *b)
{
	return a->time != b->time ? a->time < b->time : a->order < b->order;
}

static void sift_down(struct sampler_ring_cursor *c, size_t n, size_t i)
{
	for (;;) {
		size_t least = i, l = 2 * i + 1, r = l + 1;
		struct sampler_ring_cursor t;

		if (l < n && before(&c[l], &c[least]))
			least = l;
		if (r < n && before(&c[r], &c[least]))
			least = r;
		if (least == i)
			return;
		t = c[i];
		c[i] = c[least];
		c[least] = t;
		i = least;
	}
}

int sampler_ring_merge(struct sampler_ring_cursor *c, size_t n,
		       int (*fn)(const struct perf_event_header *h, void *ctx), void *ctx,
		       uint64_t *malformed)
{
	bool more;

	return sampler_ring_merge_until(c, n, fn, ctx, malformed, UINT64_MAX, &more);
}

int sampler_ring_merge_until(struct sampler_ring_cursor *c, size_t n,
			     int (*fn)(const struct perf_event_header *h, void *ctx), void *ctx,
			     uint64_t *malformed, uint64_t until, bool *more)
{
	size_t i, live = 0, done = 0;
	int ret = 0;

	*more = false;
	for (i = 0; i < n; i++) {
		c[i].order = i;
		cursor_begin(&c[i]);
		if (cursor_peek(&c[i]) == -EBADMSG)
			(*malformed)++;
		if (c[i].h)
			c[live++] = c[i];
	}
	for (i = live / 2; i-- > 0;)
		sift_down(c, live, i);
	while (live > 0) {
		ret = fn(c[0].h, ctx);
		cursor_next(&c[0]);
		if (ret)
			break;
		if (cursor_peek(&c[0]) == -EBADMSG)
			(*malformed)++;
		if (!c[0].h)
			c[0] = c[--live];
		sift_down(c, live, 0);
		if (until != UINT64_MAX && ++done % SAMPLER_RING_CLOCK_EVERY == 0 && live > 0 &&
		    util_now_ns() >= until) {
			*more = true;
			break;
		}
	}
	return ret;
}

/* ------------------------------------------------------------------------
 * Rounds
 */

int sampler_rounds_add(const struct perf_event_header *h, void *ctx)
{
	struct sampler_rounds *o = ctx;
	struct sampler_rounds_entry *e;

	if (o->len + h->size > o->cap) {
		o->cap = (o->len + h->size) * 2;
		o->buf = xrealloc(o->buf, o->cap);
	}
	if (o->n == o->ecap) {
		o->ecap = o->ecap ? o->ecap * 2 : 1024;
		o->e = xreallocarray(o->e, o->ecap, sizeof(*o->e));
	}
	e = &o->e[o->n++];
	e->time = sampler_record_time(h);
	e->offset = o->len;
	e->seq = o->seq++;
	if (e->time > o->newest)
		o->newest = e->time;
	/* Records are 8-byte multiples: the copies stay aligned. */
	memcpy(o->buf + o->len, h, h->size);
	o->len += h->size;
	return 0;
}

static int by_time_seq(const void *a, const void *b)
{
	const struct sampler_rounds_entry *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int sampler_rounds_release(struct sampler_rounds *o, bool all,
			   int (*fn)(const struct perf_event_header *h, void *ctx), void *ctx)
{
	bool more;

	return sampler_rounds_release_until(o, all, UINT64_MAX, &more, fn, ctx);
}

int sampler_rounds_release_until(struct sampler_rounds *o, bool all, uint64_t until, bool *more,
				 int (*fn)(const struct perf_event_header *h, void *ctx), void *ctx)
{
	size_t i, k, len;
	int ret;

	*more = false;
	qsort(o->e, o->n, sizeof(*o->e), by_time_seq);
	for (k = 0; k < o->n && (all || o->e[k].time <= o->limit); k++) {
		if (!all && until != UINT64_MAX && k && k % SAMPLER_RING_CLOCK_EVERY == 0 &&
		    util_now_ns() >= until) {
			*more = true;
			break;
		}
		ret = fn((const struct perf_event_header *)(o->buf + o->e[k].offset), ctx);
		if (ret) {
			o->n = o->len = 0;
			return ret;
		}
	}
	/* Stopped short, the records up to the same time are still due. */
	if (!*more)
		o->limit = o->newest;
	/* The records kept go to the front, in time order, through the room
	 * past the ones held (a record may have to move over another). */
	for (i = k, len = 0; i < o->n; i++)
		len += ((const struct perf_event_header *)(o->buf + o->e[i].offset))->size;
	if (o->len + len > o->cap) {
		o->cap = o->len + len;
		o->buf = xrealloc(o->buf, o->cap);
	}
	for (i = k, len = 0; i < o->n; i++) {
		const struct perf_event_header *h =
			(const struct perf_event_header *)(o->buf + o->e[i].offset);
		size_t size = h->size;

		memcpy(o->buf + o->len + len, h, size);
		o->e[i - k] = o->e[i];
		o->e[i - k].offset = len;
		len += size;
	}
	memmove(o->buf, o->buf + o->len, len);
	o->n -= k;
	o->len = len;
	/* A burst's room goes back once the drains are small again (the
	 * records kept, and as much again for the next drain's). */
	if (o->cap > UTIL_BUF_KEEP && o->cap / 4 > len) {
		o->cap = 2 * len > UTIL_BUF_KEEP ? 2 * len : UTIL_BUF_KEEP;
		o->buf = xrealloc(o->buf, o->cap);
	}
	return 0;
}

void sampler_rounds_free(struct sampler_rounds *o)
{
	free(o->buf);
	free(o->e);
	memset(o, 0, sizeof(*o));
}
