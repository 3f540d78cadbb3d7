/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading a perf mmap ring buffer. The kernel writes records and advances
 * data_head; we read up to it and publish data_tail when done, which is
 * what lets the kernel reuse the space. The load of data_head is an
 * acquire (records before it are visible) and the store of data_tail a
 * release (we are done reading before the kernel may overwrite). A record
 * that wraps around the end of the buffer is copied out whole, so the
 * decoder always sees contiguous bytes.
 */
#include "config.h"

#include "flametop/sampler.h"

#include <errno.h>
#include <string.h>

int sampler_ring_read(struct sampler_ring *r,
		      int (*fn)(const struct perf_event_header *h, void *ctx), void *ctx)
{
	uint64_t head = __atomic_load_n(&r->meta->data_head, __ATOMIC_ACQUIRE);
	uint64_t tail = r->meta->data_tail;
	uint64_t mask = r->size - 1;
	int ret = 0;

	while (tail < head) {
		struct perf_event_header hdr;
		const struct perf_event_header *h;
		uint64_t off = tail & mask;

		if (head - tail < sizeof(hdr)) {
			ret = -EBADMSG;
			tail = head;
			break;
		}
		/* The header itself may wrap (records are 8-byte aligned, so
		 * only in a corrupt buffer, but never read past the end). */
		if (off + sizeof(hdr) <= r->size) {
			memcpy(&hdr, r->data + off, sizeof(hdr));
		} else {
			size_t first = r->size - off;

			memcpy(&hdr, r->data + off, first);
			memcpy((unsigned char *)&hdr + first, r->data, sizeof(hdr) - first);
		}
		if (hdr.size < sizeof(hdr) || hdr.size > head - tail) {
			ret = -EBADMSG;
			tail = head;
			break;
		}
		if (off + hdr.size <= r->size) {
			h = (const struct perf_event_header *)(r->data + off);
		} else {
			size_t first = r->size - off;

			memcpy(r->copy, r->data + off, first);
			memcpy(r->copy + first, r->data, hdr.size - first);
			h = (const struct perf_event_header *)r->copy;
		}
		tail += hdr.size;
		ret = fn(h, ctx);
		if (ret)
			break;
	}
	__atomic_store_n(&r->meta->data_tail, tail, __ATOMIC_RELEASE);
	return ret;
}
