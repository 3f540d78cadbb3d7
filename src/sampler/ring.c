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
 * sort whole drains instead (sampler.c).
 */
#include "config.h"

#include "flametop/sampler.h"

#include <errno.h>
#include <string.h>

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
	size_t i, live = 0;
	int ret = 0;

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
	}
	return ret;
}
