/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Session files: a profile on disk, written as it is recorded and read
 * back whole. The format (doc/session-format.md) is a small binary file
 * header followed by self-contained, checksummed, compressed chunks, so a
 * recorder that dies leaves a file that loads with all but its last chunk.
 */
#ifndef FLAMETOP_SESSION_H
#define FLAMETOP_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flametop/profile.h"
#include "flametop/util.h"

#define SESSION_VERSION_MAJOR 1
#define SESSION_VERSION_MINOR 0

struct session_writer;

/*
 * Creates `path` for writing, mode 0600, never following a symlink. Refuses
 * an existing file unless `force` (then replaces it, if it is a regular
 * file). Call this before sampling starts, so a bad path fails early.
 * Returns NULL with `err` filled ("PATH: reason"). Caller closes with
 * session_writer_close() or session_writer_abort().
 */
struct session_writer *session_writer_open(const char *path, bool force, struct ft_error *err);
/* Writes the header chunk (p->meta, p->events). 0 or -errno. */
int session_writer_begin(struct session_writer *w, const struct profile *p);
/*
 * Appends one data chunk with everything new in `p` since the last flush:
 * strings, frames, nodes, dirty threads (marked clean), the samples held in
 * memory, and the growth of p->meta.lost. Does not clear the samples; the
 * caller does (profile_clear_samples) once this returns 0. 0 or -errno
 * (-ENOSPC, -EIO, ...): then the chunks written before stay readable, and
 * a later flush, with the samples untouched, resumes where this one failed.
 * A very large flush is split into several chunks.
 */
int session_writer_flush(struct session_writer *w, struct profile *p);
/* Flushes, writes the end chunk (duration, totals), fsyncs and closes.
 * Frees `w` in every case. 0 or -errno. */
int session_writer_close(struct session_writer *w, struct profile *p);
/* Closes without an end chunk (what is written stays readable). Frees `w`. */
void session_writer_abort(struct session_writer *w);

struct session_read_info {
	unsigned version_major, version_minor;
	unsigned chunks; /* chunks loaded */
	bool complete; /* the end chunk was present */
	uint64_t skipped_bytes; /* bytes after the last good chunk */
};

/*
 * Reads a session. Returns a profile (caller frees) or NULL with `err` set
 * to one line naming the file and what is wrong. `info` may be NULL. A file
 * cut short after at least one good data chunk loads what is complete;
 * `info` says what was skipped.
 */
struct profile *session_read(const char *path, struct session_read_info *info,
			     struct ft_error *err);
/* The same over a buffer; `name` stands for the file in messages. */
struct profile *session_read_mem(const void *data, size_t size, const char *name,
				 struct session_read_info *info, struct ft_error *err);

#endif
