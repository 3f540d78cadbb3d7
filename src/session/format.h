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
/* Chunks in one file: 48 days at one a second. */
#define SESSION_MAX_CHUNKS (1u << 22)

/*
 * What reading a file may cost, as a base plus a multiple of the bytes
 * read so far (pos), so that a big real session loads while a small
 * hostile one is refused early. Real sessions inflate 3:1 to 11:1, hold
 * about 2 JSON values per byte of file, and take about 4 bytes of memory
 * per byte (a sample is 40 bytes in memory and 4 to 14 in the file); a
 * very regular one may do several times that. An attacker's deflate does
 * 1032:1, a 2-byte JSON value costs 60 in a parser's tree, and jansson
 * parses some ten million values a second.
 *
 * Inflated JSON, summed over the chunks: at most BASE + RATIO * pos bytes.
 */
#define SESSION_READ_INFLATE_BASE (UINT64_C(32) << 20)
#define SESSION_READ_INFLATE_RATIO 32u
/*
 * JSON values parsed, summed over the chunks (counted before a chunk is
 * parsed): at most BASE + RATIO * pos. This bounds the time a file takes:
 * a hostile file of 1 MB is refused within about a second. A real
 * session of several hundred thousand perfectly periodic samples (the
 * same delta, weight, stack and thread each time: only a synthetic one)
 * can compress past it too.
 */
#define SESSION_READ_VALUES_BASE (UINT64_C(1) << 21)
#define SESSION_READ_VALUES_RATIO 8u
/*
 * The reader's memory (the profile so far, a chunk's text and its JSON
 * tree, estimated before parsing): at most BASE + RATIO * pos bytes. A
 * hostile file of S bytes is refused before it takes 192 MiB + 32 S.
 */
#define SESSION_READ_MEMORY_BASE (UINT64_C(192) << 20)
#define SESSION_READ_MEMORY_RATIO 32u

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
