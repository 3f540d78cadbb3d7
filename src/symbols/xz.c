/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xz decompression with liblzma's stream decoder, for MiniDebugInfo. The
 * input comes from a file we do not trust, so the output is bounded
 * (SYMBOLS_XZ_MAX_OUT), so is the decoder's memory (SYMBOLS_XZ_MEMLIMIT:
 * a stream can ask for a dictionary of gigabytes), and a truncated or
 * corrupt stream is an error, not a partial result.
 */
#include "config.h"

#include "xz.h"

#include <lzma.h>
#include <stdint.h>
#include <stdlib.h>

#include "flametop/symbols.h"
#include "flametop/util.h"

int symbols_xz_decode(const void *in, size_t in_len, void **out, size_t *out_len,
		      symbols_xz_late_fn *late, void *ctx)
{
	lzma_stream strm = LZMA_STREAM_INIT;
	size_t cap = in_len * 4 + 4096, used = 0;
	uint8_t *buf;
	lzma_ret r;
	int ret = -EINVAL;

	if (cap > SYMBOLS_XZ_MAX_OUT)
		cap = SYMBOLS_XZ_MAX_OUT;
	if (lzma_stream_decoder(&strm, SYMBOLS_XZ_MEMLIMIT, 0) != LZMA_OK)
		return -ENOMEM;
	buf = xmalloc(cap);
	strm.next_in = in;
	strm.avail_in = in_len;
	for (;;) {
		/* A step at a time, so that `late` is asked as it goes. */
		strm.next_out = buf + used;
		strm.avail_out = cap - used > SYMBOLS_XZ_STEP ? SYMBOLS_XZ_STEP : cap - used;
		r = lzma_code(&strm, LZMA_FINISH);
		used = (size_t)(strm.next_out - buf);
		if (r == LZMA_STREAM_END) {
			ret = 0;
			break;
		}
		if (r == LZMA_MEMLIMIT_ERROR) {
			ret = -EFBIG;
			break;
		}
		if (r != LZMA_OK && r != LZMA_BUF_ERROR)
			break;
		if (strm.avail_out > 0 && r == LZMA_BUF_ERROR)
			break; /* no progress possible: the input is truncated */
		if (late && late(ctx)) {
			ret = -ETIMEDOUT;
			break;
		}
		if (used == cap) {
			if (cap >= SYMBOLS_XZ_MAX_OUT) {
				ret = -EFBIG;
				break;
			}
			cap = cap * 2 > SYMBOLS_XZ_MAX_OUT ? SYMBOLS_XZ_MAX_OUT : cap * 2;
			buf = xrealloc(buf, cap);
		}
	}
	if (ret == 0) {
		*out = buf;
		*out_len = used;
	} else {
		free(buf);
	}
	lzma_end(&strm);
	return ret;
}
