/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Decoding a samples chunk's block (doc/session-format.md, "Samples
 * chunk") into its columns' raw values: the file's ids and deltas, before
 * the reader checks them and maps them through its tables. A pure
 * function of the block's bytes, so that the read-ahead thread (ahead.c)
 * can decode a chunk while the reader applies the one before, and the
 * reader decodes with the same code where the thread did not. Internal to
 * src/session.
 */
#ifndef FLAMETOP_SESSION_BLOCK_H
#define FLAMETOP_SESSION_BLOCK_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "format.h"

/*
 * A samples chunk's block (1.5), or a tables chunk's, is read through a
 * cursor that stops at the end of the block, or of the column being read.
 */
struct block_cursor {
	const unsigned char *p, *end;
};

/* The next LEB128 varint, at most 10 bytes and 64 bits. 0, or -1 when
 * it runs past the end or is too long. */
static inline int block_varint(struct block_cursor *c, uint64_t *out)
{
	const unsigned char *p = c->p;
	uint64_t v = 0;
	unsigned shift;

	/* The common case, a byte or two, first. */
	if (p < c->end && p[0] < 0x80) {
		*out = p[0];
		c->p = p + 1;
		return 0;
	}
	for (shift = 0; p < c->end; shift += 7) {
		unsigned char b = *p++;

		if (shift == 63 && b > 1)
			return -1; /* past 64 bits, or longer than 10 bytes */
		v |= (uint64_t)(b & 0x7f) << shift;
		if (b < 0x80) {
			*out = v;
			c->p = p;
			return 0;
		}
	}
	return -1;
}

/*
 * block_varint, for a loop over many: where 10 bytes are left (a varint's
 * most), a varint of 2 to 8 bytes is read as one word, without a branch
 * on its length (a column of node ids mixes lengths unpredictably). The
 * same values, the same refusals.
 */
static inline int block_varint_fast(struct block_cursor *c, uint64_t *out)
{
	const unsigned char *p = c->p;
	uint64_t x, stops, v;

	if (c->end - p < 10)
		return block_varint(c, out);
	/* A column of one-byte values (threads, cpus) predicts this well. */
	if (p[0] < 0x80) {
		*out = p[0];
		c->p = p + 1;
		return 0;
	}
	memcpy(&x, p, sizeof(x));
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	x = __builtin_bswap64(x);
#endif
	stops = ~x & UINT64_C(0x8080808080808080); /* the bytes without the high bit */
	if (!stops)
		return block_varint(c, out); /* 9 or 10 bytes, or too long */
	x &= stops ^ (stops - 1); /* up to the first of them */
	v = (x & 0x7f) | (x >> 1 & UINT64_C(0x7f) << 7) | (x >> 2 & UINT64_C(0x7f) << 14) |
	    (x >> 3 & UINT64_C(0x7f) << 21) | (x >> 4 & UINT64_C(0x7f) << 28) |
	    (x >> 5 & UINT64_C(0x7f) << 35) | (x >> 6 & UINT64_C(0x7f) << 42) |
	    (x >> 7 & UINT64_C(0x7f) << 49);
	*out = v;
	c->p = p + __builtin_ctzll(stops) / 8 + 1;
	return 0;
}

/*
 * Decodes the `n` values of a column stored in `enc` from `c`, which must
 * hold exactly them, into `v` (room for n). NULL, or why not: a reason for
 * the reader's "chunk N at offset O is corrupt (<why>)".
 */
const char *block_decode_column(uint64_t enc, struct block_cursor *c, size_t n, uint64_t *v);

/* A column of a decoded block: where its bytes lie in the block, and its
 * values or why they could not be decoded. */
struct block_column {
	uint64_t id;
	uint64_t off, len; /* its values' bytes, from the start of the block */
	uint64_t enc;
	uint64_t *vals; /* n values, or NULL and `why` */
	const char *why;
};

/* A samples block's columns, decoded ahead of the reader. */
struct block_decoded {
	uint64_t n; /* samples */
	uint64_t bytes; /* the memory this takes */
	size_t ncols;
	struct block_column cols[SESSION_COL_LAST];
};

/*
 * Decodes the columns of the samples block of `len` bytes at `data` that
 * the reader decodes (ids 1 to SESSION_COL_LAST, in order, column 1 not
 * beside column 10), up to the first one framed wrong: caller frees with
 * block_decoded_free(). NULL when there is nothing to decode ahead (a
 * header cut short or over the limits, no column) or the values would
 * take more than `max_bytes`: the reader finds out why, and decodes
 * itself what it needs.
 */
struct block_decoded *block_decode(const unsigned char *data, size_t len, uint64_t max_bytes);

/*
 * The column of `d` whose values lie at `off`, `len` bytes, in `enc`, for
 * `n` samples; borrowed, valid until `d` is freed. NULL when `d` did not
 * decode it (the caller decodes it with block_decode_column). NULL `d`
 * is fine.
 */
struct block_column *block_find(struct block_decoded *d, uint64_t off, uint64_t len, uint64_t enc,
				uint64_t n);

/* Frees `d`. NULL is fine. */
void block_decoded_free(struct block_decoded *d);

#endif
