/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xz decompression, for MiniDebugInfo (the .gnu_debugdata section, an
 * xz-compressed ELF file holding the symbols a stripped binary dropped).
 * Only when flametop was built with liblzma (HAVE_LIBLZMA); otherwise the
 * stub below says so, and callers never need an #ifdef.
 */
#ifndef FLAMETOP_SYMBOLS_XZ_H
#define FLAMETOP_SYMBOLS_XZ_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

/* The most a compressed section may expand to: a bound against xz bombs. */
#define SYMBOLS_XZ_MAX_OUT (256u << 20)
/* Bytes decoded between two looks at `late` (symbols_xz_decode). */
#define SYMBOLS_XZ_STEP (4u << 20)

/* Whether the reading is past its deadline (the caller's clock). */
typedef bool symbols_xz_late_fn(void *ctx);

#ifdef HAVE_LIBLZMA
/*
 * Decompresses the xz stream `in` (`in_len` bytes) into a new buffer,
 * stored in *out (caller frees) with its length in *out_len. Returns 0,
 * -EINVAL for data that is not a valid xz stream, or -EFBIG when the
 * result would exceed SYMBOLS_XZ_MAX_OUT or the decoder would need more
 * than SYMBOLS_XZ_MEMLIMIT bytes of memory, or -ETIMEDOUT when `late`
 * (if not NULL), asked after each SYMBOLS_XZ_STEP bytes of output, says
 * the time is up (a bomb may take seconds to reach the bound).
 */
int symbols_xz_decode(const void *in, size_t in_len, void **out, size_t *out_len,
		      symbols_xz_late_fn *late, void *ctx);
#else
static inline int symbols_xz_decode(const void *in, size_t in_len, void **out, size_t *out_len,
				    symbols_xz_late_fn *late, void *ctx)
{
	return -ENOTSUP;
}
#endif

#endif
