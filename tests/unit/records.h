/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Building synthetic perf records for the decoder's unit tests: a header,
 * then the body word by word, then the sample_id trailer that every
 * side-band record carries. Shared by test_sampler and test_unwind.
 */
#ifndef FLAMETOP_TESTS_RECORDS_H
#define FLAMETOP_TESTS_RECORDS_H

#include <linux/perf_event.h>
#include <stdint.h>
#include <string.h>

struct builder {
	union {
		uint64_t align;
		unsigned char bytes[1024];
	} u;
	size_t len;
};

static inline void b_start(struct builder *b, uint32_t type, uint16_t misc)
{
	struct perf_event_header h = { type, misc, 0 };

	memset(b, 0, sizeof(*b));
	memcpy(b->u.bytes, &h, sizeof(h));
	b->len = sizeof(h);
}

static inline void b_put(struct builder *b, const void *p, size_t n)
{
	memcpy(b->u.bytes + b->len, p, n);
	b->len += n;
}

static inline void b_u64(struct builder *b, uint64_t v)
{
	b_put(b, &v, 8);
}

static inline void b_u32x2(struct builder *b, uint32_t lo, uint32_t hi)
{
	b_put(b, &lo, 4);
	b_put(b, &hi, 4);
}

/* The sample_id trailer: pid/tid, time, cpu, identifier. */
static inline void b_trailer(struct builder *b, uint32_t pid, uint32_t tid, uint64_t time,
			     uint64_t id)
{
	b_u32x2(b, pid, tid);
	b_u64(b, time);
	b_u32x2(b, 1, 0);
	b_u64(b, id);
}

/* Pads the record to 8 bytes, sets its size and returns it. */
static inline const struct perf_event_header *b_done(struct builder *b)
{
	struct perf_event_header *h = (struct perf_event_header *)b->u.bytes;

	b->len = (b->len + 7) & ~(size_t)7;
	h->size = (uint16_t)b->len;
	return h;
}

#endif
