/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the session writer and reader agree on and nobody else needs: the
 * magic, the chunk types, the size limits, and little-endian byte order
 * for the binary file and chunk headers. doc/session-format.md is the
 * specification; this header is its C transcription.
 */
#ifndef FLAMETOP_SESSION_FORMAT_H
#define FLAMETOP_SESSION_FORMAT_H

#include <stdint.h>

#define SESSION_MAGIC "FLAMETOP"
#define SESSION_MAGIC_LEN 8
#define SESSION_FILE_HEADER_LEN 16
#define SESSION_CHUNK_HEADER_LEN 16
#define SESSION_FORMAT_NAME "flametop-session"

enum session_chunk_type {
	SESSION_CHUNK_INVALID = 0, /* never written: a zeroed tail is not a chunk */
	SESSION_CHUNK_HEADER = 1,
	SESSION_CHUNK_DATA = 2,
	SESSION_CHUNK_END = 3,
};

/* No chunk's payload, compressed or not, may exceed this. */
#define SESSION_CHUNK_MAX_BYTES (256u << 20)
/* zlib's deflate never expands better than about 1032:1. */
#define SESSION_MAX_RATIO 1032u
/* Per-file ceilings on ids, so a small hostile file cannot make the
 * reader's id maps huge. */
#define SESSION_MAX_IDS (UINT32_C(1) << 26)
/* Per-chunk ceiling on samples; the writer stays far below it. */
#define SESSION_CHUNK_MAX_SAMPLES (UINT32_C(1) << 22)
#define SESSION_MAX_EVENTS 65535u

static inline void session_put_u16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static inline void session_put_u32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static inline uint16_t session_get_u16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t session_get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

#endif
