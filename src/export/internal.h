/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the exporters share inside src/export/: a buffer for sanitized
 * strings and the walk from a leaf node up to the root.
 */
#ifndef FLAMETOP_EXPORT_INTERNAL_H
#define FLAMETOP_EXPORT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flametop/export.h"

/* A reusable buffer holding the sanitized copy of one string. */
struct export_clean {
	char *s;
	size_t cap;
};

/* Borrowed, valid until the next call on `b`; "[unknown]" for "". */
const char *export_clean(struct export_clean *b, const char *in);

/* A frame's name, sanitized (borrowed as export_clean()). */
const char *export_frame_name(struct export_clean *b, const struct profile *p, uint32_t frame);

/*
 * The frames of the stack ending at `node`, OUTERMOST first, into *frames
 * (grown as needed; caller frees). Returns the number of frames.
 */
size_t export_stack(const struct profile *p, uint32_t node, uint32_t **frames, size_t *cap);

/* The thread name of a sample's thread, or "[unknown]"; raw (unsanitized). */
const char *export_comm(const struct profile *p, uint32_t tid);

/*
 * speedscope's data (speedscope.c): per thread, its stacks in time order,
 * a run of samples of one stack (node) as one run (their number and summed
 * weight); and the stacks in the order they first appear, which numbers the
 * frames. Made from an input's samples, or by a tally (tally.c), which
 * may have written a thread's first runs to a file (`fd`) in blocks: its
 * runs are then its blocks' in order, then its buffer's.
 */
struct export_runs_block {
	uint64_t off; /* in the file */
	size_t len;
};

struct export_runs_thread {
	uint32_t tid, pid; /* pid: its earliest sample's */
	uint64_t first_time; /* the tally's: its earliest sample */
	uint64_t total; /* its weight */
	unsigned char *buf; /* the runs, closed: (node, weight, count) as varints */
	size_t len, cap;
	struct export_runs_block *blocks; /* runs before buf's, in the file */
	size_t nblocks, blocks_cap;
	uint32_t node; /* the open run, while `open` */
	uint64_t weight, count;
	bool open;
	uint64_t last_time; /* the latest sample's, while `timed` */
	bool timed;
};

/* A run's node that is no stack: time the thread did not run (its weight,
 * in ns), between two of its samples at least EXPORT_RUNS_IDLE_MIN apart
 * more than the later one's weight. Shorter gaps are the sampling's
 * jitter (at 99 Hz a busy thread's samples are 10 ms apart). */
#define EXPORT_RUNS_IDLE UINT32_MAX
#define EXPORT_RUNS_IDLE_MIN UINT64_C(100000000)

struct export_runs {
	struct export_runs_thread *threads; /* by tid; one, tid 0, when merged across threads */
	size_t nthreads;
	uint32_t *nodes; /* each sample's node once, in the order they first appear */
	size_t nnodes;
	int fd; /* the blocks' file (unlinked), while `spilled` */
	bool spilled;
};

/* Adds a sample of `node` and `weight` at `time` after the thread's
 * others; with `gaps` (weights in ns, times the samples'), an idle run
 * (EXPORT_RUNS_IDLE) before it where the thread did not run. */
void export_runs_append(struct export_runs_thread *th, uint32_t node, uint64_t weight,
			uint64_t time, bool gaps);
/* Closes the open run: the thread's runs are then all in its buffer. */
void export_runs_close(struct export_runs_thread *th);
void export_runs_free(struct export_runs *r);

#endif
