/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Importers: profiles that other tools wrote (perf script text, folded
 * stacks, pprof, speedscope JSON) read into the profile model and written
 * out as a normal session file, so that replay, report, diff and export
 * work on them as on a recording.
 *
 * The pieces, each its own file under src/import/:
 *  - an input (input.c): one file, a pipe or stdin, read through a buffer
 *    with caps, gunzipped on the fly when it starts with gzip's magic;
 *    text formats read it a line at a time, binary and JSON formats
 *    whole, up to a cap;
 *  - a sink (sink.c): where importers put what they read: events with
 *    their units, threads, samples whose stacks they interned into the
 *    sink's profile. It keeps memory bounded however large the input:
 *    samples beyond a batch go to an unlinked spool file, and the session
 *    is written when every input is read (only then are all the events,
 *    which the session's header lists, known);
 *  - the importers, a const table (import.c): a name, a test of the first
 *    bytes of an input, and the function that reads it. Adding a format is
 *    one file and one line of that table.
 *
 * Every importer treats its input as hostile: lines, frames per stack,
 * names, distinct stacks and whole-file sizes are capped (the IMPORT_MAX_*
 * below), and a malformed, truncated or oversized input is refused with
 * one line naming the file and the line (text) or byte offset (binary).
 */
#ifndef FLAMETOP_IMPORT_H
#define FLAMETOP_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flametop/profile.h"
#include "flametop/session.h"
#include "flametop/util.h"

/* Longest line of a text format, newline excluded. */
#define IMPORT_MAX_LINE (1u << 20)
/* Most frames in one stack. */
#define IMPORT_MAX_FRAMES 4096u
/* Longest function or module name. */
#define IMPORT_MAX_NAME (64u << 10)
/* Most events (profile types) of a session, over all its inputs. */
#define IMPORT_MAX_EVENTS 4096u
/* Most distinct strings, frames, and call-tree nodes (stack prefixes). */
#define IMPORT_MAX_NODES (1u << 23)
/* Largest input read whole (pprof, speedscope), after gunzipping. */
#define IMPORT_MAX_WHOLE ((size_t)256 << 20)
/* Most memory a decoder (protobuf-c, jansson) may take for one input read whole. */
#define IMPORT_MAX_DECODED ((size_t)1 << 30)
/* Largest total of everything gunzipped from one input (a gzipped text). */
#define IMPORT_MAX_INFLATED ((uint64_t)64 << 30)

/* --- Inputs (input.c) ------------------------------------------------------ */

struct import_input;

/* Called as an input is read: bytes read from the file so far, and its
 * size (0 when unknown: a pipe). */
typedef void (*import_progress_fn)(void *ctx, uint64_t done, uint64_t total);

/*
 * Opens `path` ("-": standard input) for import: a regular file, a pipe or
 * a FIFO, nothing else (a directory or a device is refused). Returns NULL
 * with `err` filled ("PATH: reason"). Caller frees with
 * import_input_free().
 */
struct import_input *import_input_open(const char *path, struct ft_error *err);
/* An input over `size` bytes at `data` (borrowed while the input lives);
 * `name` stands for the file in messages. For tests and fuzzers. */
struct import_input *import_input_mem(const void *data, size_t size, const char *name);
void import_input_free(struct import_input *in);
void import_input_set_progress(struct import_input *in, import_progress_fn fn, void *ctx);

/* The name messages use: the path as given, "stdin" for "-". Borrowed. */
const char *import_input_name(const struct import_input *in);
/* Whether the bytes came gunzipped. */
bool import_input_gzipped(const struct import_input *in);

/*
 * Up to `want` of the first bytes of the input, without consuming them:
 * sets *data (borrowed until the next read) and *len (less than `want`
 * only at the end of the input). 0, or -1 with `err` filled.
 */
int import_input_peek(struct import_input *in, size_t want, const char **data, size_t *len,
		      struct ft_error *err);

/*
 * The next line: *line points at it (NUL-terminated in place of its
 * newline; a "\r" before the newline is dropped too), *len is its length;
 * both borrowed until the next read. Returns 1, 0 at the end of the input,
 * or -1 with `err` filled: a read error, bad gzip data, or a line longer
 * than IMPORT_MAX_LINE ("NAME:LINE: ..."). A NUL byte inside a line is
 * refused too: no text format has one.
 */
int import_input_line(struct import_input *in, char **line, size_t *len, struct ft_error *err);
/* The number of the line import_input_line() returned last (from 1). */
uint64_t import_input_lineno(const struct import_input *in);

/*
 * Everything left in the input, at most `cap` bytes: *data (malloc'd,
 * caller frees, followed by a NUL not counted in *len). 0, or -1 with
 * `err` filled ("NAME: larger than CAP bytes ...").
 */
int import_input_all(struct import_input *in, size_t cap, char **data, size_t *len,
		     struct ft_error *err);

/* --- The sink (sink.c) ----------------------------------------------------- */

struct import_sink;

/*
 * A sink that writes to `w`, which it owns from now on (closed by
 * import_sink_finish(), discarded by import_sink_free() before that);
 * `out_name` names the session file in messages (copied). With `w` NULL
 * the sink only builds the profile (tests, fuzzers: nothing to finish).
 * The profile starts empty; the caller may fill its `meta`. Caller frees
 * with import_sink_free().
 */
struct import_sink *import_sink_new(struct session_writer *w, const char *out_name);
void import_sink_free(struct import_sink *s);

/* The profile importers intern strings, frames and nodes into. Borrowed
 * until the sink is freed. Samples go through import_sink_sample(). */
struct profile *import_sink_profile(struct import_sink *s);

/*
 * Starts the next input, named `name` (copied) in messages. Its samples'
 * times are on the input's own clock: the sink moves each input to start
 * at the session's time 0, so inputs from different runs overlay.
 */
void import_sink_begin_input(struct import_sink *s, const char *name);

/* Metadata an input may state about where it was recorded. */
enum import_meta {
	IMPORT_META_HOST,
	IMPORT_META_KERNEL,
	IMPORT_META__COUNT,
};
/* Longest metadata value kept (bytes); a longer one is cut. */
#define IMPORT_MAX_META 256u
/* Most distinct values of one metadata field named; more are counted. */
#define IMPORT_META_VALUES 4u

/*
 * An input states `value` for the metadata `field` (perf's header names a
 * host). The session's field lists every distinct value stated over all
 * inputs, in the order first seen, joined with ", " ("vm, db1"), the
 * first IMPORT_META_VALUES of them, then "and others": inputs that
 * disagree are not made to agree, and one that states nothing adds
 * nothing. An empty value is none.
 */
void import_sink_meta(struct import_sink *s, enum import_meta field, const char *value);

/* The index of the event `name` with `unit` ("ns", "bytes", "count",
 * "samples") in *id, added when new. The same name with another unit is
 * another event, named "NAME (UNIT)". 0, or -1 with `err` filled when a
 * new one would be more than IMPORT_MAX_EVENTS ("NAME: more than N
 * events (the limit)", NAME the current input's). */
int import_sink_event(struct import_sink *s, const char *name, const char *unit, uint32_t *id,
		      struct ft_error *err);

/* Adds `n` records the input says were lost (perf's PERF_RECORD_LOST) to
 * the session's count, which stops at 2^63 - 1 (a session's limit). */
void import_sink_lost(struct import_sink *s, uint64_t n);

/* The first ID given to a thread or process whose ID another input used
 * for another one (above Linux's PID_MAX_LIMIT, so none is a real one). */
#define IMPORT_FIRST_NEW_ID (1u << 22)

/*
 * Names a thread (the latest name wins, as in a recording). A thread ID
 * that an earlier input named for another thread (of another process, or
 * named otherwise) is not that thread: the current input's thread and its
 * samples get a new ID, from IMPORT_FIRST_NEW_ID up (a new main thread's
 * process too), so that filters by thread, process or name count each
 * input's threads as they were.
 */
void import_sink_thread(struct import_sink *s, uint32_t pid, uint32_t tid, const char *comm);

/*
 * The node of the stack `frames[0..n)` (frame ids of the sink's profile,
 * OUTERMOST first), interned. 0 (the root) for an empty stack.
 */
uint32_t import_sink_stack(struct import_sink *s, const uint32_t *frames, size_t n);

/*
 * Writes where in its input the sample being added comes from into `buf`
 * (`size` bytes), as the importer's messages name a place: "NAME:LINE"
 * (text), "NAME: at byte N" (binary), "NAME: profiles[1].weights[7]".
 */
typedef void (*import_where_fn)(const void *ctx, char *buf, size_t size);

/*
 * Sets how the sink names the place of a sample it refuses, until it is set
 * again or the next import_sink_begin_input(); `ctx` is borrowed until then.
 * An importer sets it as it starts and clears it (NULL) before it returns.
 * Without it, the message names the input alone.
 */
void import_sink_set_where(struct import_sink *s, import_where_fn fn, const void *ctx);

/*
 * Adds a sample: `sample->node` is a node of the sink's profile, `event`
 * an index from import_sink_event(), `time` ns on the input's clock,
 * `location` PROFILE_NO_LOCATION. 0, or -1 with `err` filled when the
 * profile outgrew IMPORT_MAX_NODES, when the weights of every sample so
 * far, over all inputs, would add up past 2^63 - 1 or its time is 2^63
 * ns or more (a session's limits; the message names the place
 * import_sink_set_where() says), or when the spool could not be written.
 */
int import_sink_sample(struct import_sink *s, const struct profile_sample *sample,
		       struct ft_error *err);

/* Samples added so far, over all inputs. */
uint64_t import_sink_samples(const struct import_sink *s);
/* The samples those stand for: a sample of an event whose weights count
 * samples (profile_event_counts_samples(): a folded stack's count) as its
 * weight, any other as 1. */
uint64_t import_sink_counted(const struct import_sink *s);
/*
 * For an input whose records each hold several events' values at one
 * stack (pprof's sample types): while `by_record`, the samples added are
 * not counted, and the importer counts the samples each record stands
 * for with import_sink_count(), so that a record is counted once, not
 * once per event.
 */
void import_sink_count_by_record(struct import_sink *s, bool by_record);
void import_sink_count(struct import_sink *s, uint64_t n);

/*
 * Writes the session: the header (metadata, every event), the profile and
 * every sample, in chunks, then closes the writer, in every case. 0, or -1
 * with `err` filled. The sink is still to be freed.
 */
int import_sink_finish(struct import_sink *s, struct ft_error *err);

/* --- Importers (import.c and one file each) -------------------------------- */

/* Bytes of an input's start that detection looks at (fewer at its end). */
#define IMPORT_DETECT_BYTES 4096u

struct importer {
	const char *name; /* as --format takes it */
	const char *summary; /* a few words for --help */
	/* Whether `head` (the first `len` bytes of an input, gunzipped, followed
	 * by a NUL) looks like this format. */
	bool (*detect)(const char *head, size_t len);
	/* Reads all of `in` into `sink`. 0, or -1 with `err` filled: one line,
	 * "NAME:LINE: what" (text) or "NAME: at byte N: what" (binary). */
	int (*run)(struct import_input *in, struct import_sink *sink, struct ft_error *err);
};

/* Borrowed (static): the importers, in the order detection tries them. */
const struct importer *import_importers(size_t *n);
/* The importer called `name`, or NULL. */
const struct importer *import_find(const char *name);
/* The first importer whose detect() accepts `head`, or NULL. */
const struct importer *import_detect(const char *head, size_t len);

/*
 * Imports `in` with `imp`, or with the importer its first bytes call for
 * when `imp` is NULL ("NAME: not a format flametop imports (...)" when
 * none does). 0, or -1 with `err` filled.
 */
int import_run(struct import_input *in, const struct importer *imp, struct import_sink *sink,
	       struct ft_error *err);

/* Each importer's entry points (its table line uses them; tests too). */
bool import_perf_script_detect(const char *head, size_t len);
int import_perf_script_run(struct import_input *in, struct import_sink *sink,
			   struct ft_error *err);
bool import_folded_detect(const char *head, size_t len);
int import_folded_run(struct import_input *in, struct import_sink *sink, struct ft_error *err);
bool import_pprof_detect(const char *head, size_t len);
int import_pprof_run(struct import_input *in, struct import_sink *sink, struct ft_error *err);
bool import_speedscope_detect(const char *head, size_t len);
int import_speedscope_run(struct import_input *in, struct import_sink *sink,
			  struct ft_error *err);

#endif
