/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Decoding a samples block's columns into their raw values (block.h): the
 * one code the reader and the read-ahead thread share. Nothing here knows
 * the reader's tables: the values are the file's, checked and mapped by
 * the reader when it applies them.
 */
#include "config.h"

#include "block.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "flametop/util.h"

#define BLOCK_CUT "samples block cut short"

/*
 * Byte planes: `w` planes of `n` bytes at `p` into the values `v`, in one
 * pass for the widths written (times and weights take 2 to 4 bytes).
 */
static void decode_planes(const unsigned char *p, size_t w, size_t n, uint64_t *v)
{
	const unsigned char *p1 = p + n, *p2 = p + 2 * n, *p3 = p + 3 * n;
	size_t i, k;

	switch (w) {
	case 1:
		for (i = 0; i < n; i++)
			v[i] = p[i];
		return;
	case 2:
		for (i = 0; i < n; i++)
			v[i] = p[i] | (uint64_t)p1[i] << 8;
		return;
	case 3:
		for (i = 0; i < n; i++)
			v[i] = p[i] | (uint64_t)p1[i] << 8 | (uint64_t)p2[i] << 16;
		return;
	default:
		for (i = 0; i < n; i++)
			v[i] = p[i] | (uint64_t)p1[i] << 8 | (uint64_t)p2[i] << 16 |
			       (uint64_t)p3[i] << 24;
		for (k = 4; k < w; k++) {
			const unsigned char *plane = p + k * n;

			for (i = 0; i < n; i++)
				v[i] |= (uint64_t)plane[i] << (8 * k);
		}
		return;
	}
}

const char *block_decode_column(uint64_t enc, struct block_cursor *c, size_t n, uint64_t *v)
{
	uint64_t k;
	size_t i, w;

	switch (enc) {
	case SESSION_ENC_VARINT:
		for (i = 0; i < n; i++)
			if (block_varint_fast(c, &v[i]) < 0)
				return BLOCK_CUT;
		break;
	case SESSION_ENC_PLANES:
		if (c->p == c->end)
			return BLOCK_CUT;
		w = *c->p++;
		if (w < 1 || w > 8)
			return "samples block has a column of planes of width 0 or past 8";
		if ((size_t)(c->end - c->p) < w * n)
			return BLOCK_CUT;
		decode_planes(c->p, w, n, v);
		c->p += w * n;
		break;
	case SESSION_ENC_CONSTANT:
		if (block_varint(c, &k) < 0)
			return BLOCK_CUT;
		for (i = 0; i < n; i++)
			v[i] = k;
		break;
	default:
		return "samples block has a column of unknown encoding";
	}
	if (c->p != c->end)
		return "samples block has bytes left in a column";
	return NULL;
}

struct block_decoded *block_decode(const unsigned char *data, size_t len, uint64_t max_bytes)
{
	struct block_cursor c = { data, data + len };
	uint64_t n, nthreads, k, x, id, enc, clen, prev = 0;
	struct block_decoded *d;
	bool times_us = false;
	size_t i, j;

	/* The header and the thread table, as the reader reads them. */
	if (block_varint(&c, &n) < 0 || block_varint(&c, &nthreads) < 0 ||
	    n > SESSION_CHUNK_MAX_SAMPLES || nthreads > n || n == 0)
		return NULL;
	for (k = 0; k < 2 * nthreads; k++)
		if (block_varint(&c, &x) < 0)
			return NULL;
	d = xcalloc(1, sizeof(*d));
	d->n = n;
	/* The columns' framing, up to the first one out of place. */
	while (c.p < c.end && d->ncols < SESSION_COL_LAST) {
		if (block_varint(&c, &id) < 0 || c.p == c.end)
			break;
		enc = *c.p++;
		if (block_varint(&c, &clen) < 0 || clen > (uint64_t)(c.end - c.p) || id <= prev)
			break;
		prev = id;
		if (id <= SESSION_COL_LAST) {
			d->cols[d->ncols].off = (uint64_t)(c.p - data);
			d->cols[d->ncols].len = clen;
			d->cols[d->ncols].enc = enc;
			d->cols[d->ncols].id = id;
			d->ncols++;
		}
		if (id == SESSION_COL_TIME_US)
			times_us = true;
		c.p += clen;
	}
	/* Column 1 beside column 10 is not read: dropped. */
	for (i = j = 0; i < d->ncols; i++)
		if (!(times_us && d->cols[i].id == SESSION_COL_TIME))
			d->cols[j++] = d->cols[i];
	d->ncols = j;
	d->bytes = sizeof(*d) + d->ncols * n * sizeof(uint64_t);
	if (d->ncols == 0 || d->bytes > max_bytes) {
		free(d);
		return NULL;
	}
	/* The columns' values in one allocation with the block: one malloc
	 * here and one free on the reader's thread, which share an arena. */
	d = xrealloc(d, (size_t)d->bytes);
	for (i = 0; i < d->ncols; i++) {
		struct block_column *col = &d->cols[i];
		struct block_cursor cc = { data + col->off, data + col->off + col->len };

		col->vals = (uint64_t *)(d + 1) + i * n;
		col->why = block_decode_column(col->enc, &cc, (size_t)n, col->vals);
		if (col->why)
			col->vals = NULL;
	}
	return d;
}

struct block_column *block_find(struct block_decoded *d, uint64_t off, uint64_t len, uint64_t enc,
				uint64_t n)
{
	size_t i;

	if (!d || d->n != n)
		return NULL;
	for (i = 0; i < d->ncols; i++)
		if (d->cols[i].off == off)
			return d->cols[i].len == len && d->cols[i].enc == enc ? &d->cols[i] : NULL;
	return NULL;
}

void block_decoded_free(struct block_decoded *d)
{
	free(d);
}
