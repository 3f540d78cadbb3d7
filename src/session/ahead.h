/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inflating a session's chunks: on the reader's thread (ahead_inflate),
 * and ahead of the reader on a thread of their own (ahead_start), so that
 * a replay or report of a regular file spends its time applying samples
 * while the next chunks inflate, and their samples' columns decode, on
 * another CPU. Internal to src/session.
 */
#ifndef FLAMETOP_SESSION_AHEAD_H
#define FLAMETOP_SESSION_AHEAD_H

#include <stdint.h>

struct block_decoded;
struct libdeflate_decompressor;

/*
 * Inflates a chunk's payload of `clen` bytes at `src`, which must be one
 * zlib stream (RFC 1950) giving exactly `ulen` bytes, with `d`. Returns a
 * malloc'd buffer of ulen + 1 bytes (caller frees), or NULL and *why: "bad
 * compressed data" or "length mismatch".
 *
 * The stream's 2-byte header is checked and its deflate data inflated
 * raw, whole: the data must end exactly 4 bytes before the payload does.
 * Its Adler-32 trailer is left unchecked: the chunk's CRC-32, which the
 * caller checked, covers every byte of the payload, the trailer included.
 */
char *ahead_inflate(struct libdeflate_decompressor *d, const unsigned char *src, uint32_t clen,
		    uint32_t ulen, const char **why);

/*
 * The budget a reader weighs each chunk's inflated bytes against, before
 * inflating it: at most base + ratio * (the file's bytes up to the end of
 * the chunk), summed over the chunks read. The thread keeps to it too.
 */
struct ahead_budget {
	uint64_t inflated; /* bytes inflated so far, before the first chunk the thread reads */
	uint64_t base, ratio;
};

/*
 * Starts a thread that reads the regular file `fd` from offset `off`, a
 * chunk at a time, and inflates the payloads of the chunk types the
 * reader inflates (bit t of `types` set for type t) whose framing,
 * limits, budget and checksum are right, and decodes the samples chunks'
 * columns, keeping at most about a MiB of them ready (inflated and
 * decoded bytes together). It stops at the first
 * chunk it cannot take (the end of the file, a torn or damaged chunk, one
 * over the budget) and leaves the rest to the reader. NULL when no thread
 * could be started: the reader does it all itself.
 */
struct ahead *ahead_start(int fd, uint64_t off, uint32_t types,
			  const struct ahead_budget *budget);

/*
 * The inflated payload of the chunk at `off` whose header says `type`,
 * `clen`, `ulen` and `crc`, if the thread has it (waiting while it
 * inflates it); caller frees. NULL when it does not have it and will not:
 * the caller inflates the chunk itself. Chunks before `off` that were not
 * taken are dropped.
 *
 * A samples chunk's columns are decoded too (block_decode), where they fit
 * the queue: *decoded is set to them (caller frees, block_decoded_free),
 * or to NULL when the payload comes without them or is NULL.
 */
char *ahead_take(struct ahead *a, uint64_t off, uint32_t type, uint32_t clen, uint32_t ulen,
		 uint32_t crc, struct block_decoded **decoded);

/* Stops the thread and frees what it holds. NULL is fine. */
void ahead_stop(struct ahead *a);

#endif
