/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Session files: a profile on disk, written as it is recorded and read
 * back whole (session_read) or a piece at a time (session_reader, for a
 * replay). The format (doc/session-format.md) is a small binary file
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
#define SESSION_VERSION_MINOR 12

struct session_writer;

/*
 * Creates `path` for writing, mode 0600, never following a symlink. Refuses
 * an existing file unless `force`, and then only a regular file, which it
 * does not touch yet: the new session goes to a temporary file beside it
 * ("PATH.partial-XXXXXX") that replaces `path` in one rename when the
 * writer is closed or aborted, so `path` holds the old session or the new
 * one, never a mix, and a recorder killed before that leaves the old one
 * in place. A new session that holds no data yet (a write failed before
 * its first data chunk: ENOSPC) never replaces the old one: closing or
 * aborting then removes it and `path` stays as it was. Call this before sampling starts, so a bad path fails early.
 * The writer holds an advisory lock (flock, exclusive) on the file it
 * writes until it is closed, aborted or discarded, or its process dies,
 * so that a reader can tell a recording under way from one that was
 * killed (session_read_info.recording); the format does not change.
 * Returns NULL with `err` filled ("PATH: reason"). Caller closes with
 * session_writer_close(), session_writer_abort() or
 * session_writer_discard().
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
/*
 * Flushes, writes the end chunk (duration, totals, p->meta's
 * recorder_peak_rss and p->folded when set) in one write, fsyncs, puts the file in place
 * (the rename of a replacement) and fsyncs its directory. Frees `w` in
 * every case. 0 or -errno; on an error the chunks written before stay
 * readable at the path.
 */
int session_writer_close(struct session_writer *w, struct profile *p);
/* Closes without an end chunk (what is written stays readable, at the
 * path: a replacement is renamed into place). Frees `w`. */
void session_writer_abort(struct session_writer *w);
/*
 * Makes the writer choose every samples block's coding by trial, never by
 * estimate (the node column's, planes or varints: see writer.c): the same
 * bytes where the estimate is right, and it is on every recording tested,
 * in about 1.5 times the writer's time (bench/timeline's hour). For tests
 * and benches that check the estimate; call it before the first flush.
 */
void session_writer_exact(struct session_writer *w);
/* Whether `path` still holds the file `force` would replace, and would
 * keep it if the writer were aborted now (no data written yet). */
bool session_writer_keeps_old(const struct session_writer *w);
/* Closes and removes what this writer created; a file that `force` would
 * have replaced is left as it was. For a recording that never started.
 * Frees `w`. */
void session_writer_discard(struct session_writer *w);

struct session_read_info {
	unsigned version_major, version_minor;
	unsigned chunks; /* chunks loaded */
	bool complete; /* the end chunk was present */
	bool recording; /* not complete, and its writer (its lock) is still there */
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
/*
 * A session read a piece at a time, for a consumer that need not hold all
 * its samples at once (a replay plays them as they are read): the same
 * file checks and rules as session_read(), the samples appended to the
 * profile chunk by chunk, for the caller to take and clear between steps.
 *
 * Opens `path` (a regular file or a pipe) and reads its header chunk: the
 * profile then has the session's events and metadata. NULL with `err`
 * set. Free with session_reader_free(). A pipe is first copied whole to
 * an unlinked temporary file (ft_tmpfile), then read as a regular file
 * is; if none can be made, it is read as it comes, once. Only a session
 * is copied: anything else stops at its first bytes.
 */
struct session_reader;
struct session_reader *session_reader_open(const char *path, struct ft_error *err);
/*
 * Reads chunks until the profile holds at least `min_samples` samples or
 * the file has been read to its end. Returns 1 while there is more to
 * read, 0 once the end was reached (then session_reader_end()), -1 with
 * `err` set (a chunk is corrupt or hostile: nothing more is read). The
 * samples read are in the profile in every case.
 */
int session_reader_step(struct session_reader *r, size_t min_samples, struct ft_error *err);
/* The profile being read into (borrowed: the reader's until taken). */
struct profile *session_reader_profile(struct session_reader *r);
/* Hands the profile to the caller, who frees it after the reader; the
 * reader still reads into it. */
struct profile *session_reader_take(struct session_reader *r);
/*
 * After a step returned 0: checks that the file held data and fills the
 * profile's duration, lost and throttled counts, peak RSS and folds (from
 * the end chunk, else from what was read) and `info` (may be NULL). 0, or
 * -1 with `err` set.
 */
int session_reader_end(struct session_reader *r, struct session_read_info *info,
		       struct ft_error *err);
/*
 * From now on (before the first step), samples chunks are checked
 * (framing, checksum) but not decoded, and the end chunk's count of
 * samples is not checked against them: for a pass that wants the rest of
 * a file cheaply (its threads' names, its duration), in a small part of
 * the time reading it takes. Samples in older files' JSON data chunks
 * still come.
 */
void session_reader_skip_samples(struct session_reader *r);
/* Whether the reader reads a regular file, or a pipe's copy (a pipe not
 * copied can be read only once). */
bool session_reader_regular(const struct session_reader *r);
/*
 * A new reader of the file `played` reads, from its start: the same file
 * (device and inode), not one put at its name since, which is refused
 * without blocking, whatever it is; a pipe's copy again. A pipe not
 * copied cannot be read again. NULL with `err` set.
 */
struct session_reader *session_reader_reopen(const struct session_reader *played,
					     struct ft_error *err);
/*
 * Reads the file `played` reads again (as session_reader_reopen()) for
 * its length without decoding its samples: every chunk's framing and
 * checksum are checked, the header and end chunks read. Returns 1 with
 * `duration` set to the end chunk's duration, 0 when the file has none (a
 * recording that did not finish, cut short, or an end chunk without one:
 * only reading every sample tells its length), -1 with `err` set when a
 * chunk is corrupt. Reads every byte, but decodes a few: for a long
 * session, a small part of reading it.
 */
int session_reader_scan(const struct session_reader *played, uint64_t *duration,
			struct ft_error *err);
/* Closes the file and frees the reader, and its profile unless taken. */
void session_reader_free(struct session_reader *r);

/*
 * Says on `n`, when `info` tells of a session cut short, what was loaded
 * and what skipped, or, for one still being recorded, that it is and how
 * much was loaded so far: the one wording `report` and replay share.
 * `name` stands for the file.
 */
void session_read_notice(struct ft_notice *n, const char *name,
			 const struct session_read_info *info);

#endif
