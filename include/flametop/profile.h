/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The profile model: interned strings, frames and call-tree nodes, the
 * samples that point into that tree, thread names, events and metadata.
 * Plain C, no I/O: the recorder builds it, the session reader rebuilds it,
 * and report, exporters and the UI read it.
 *
 * Invariants readers rely on:
 *  - node 0 is the root of the call tree; it has no frame (frame ==
 *    PROFILE_NO_FRAME) and is its own parent;
 *  - every other node's parent id is smaller than its own id, so a pass in
 *    id order visits parents before children;
 *  - a node's frame is one level of a stack: the root's children are the
 *    outermost frames (main, or the kernel entry), leaves are where the
 *    sample hit;
 *  - frames are unique by (name, module, kind); that is a "function";
 *  - location 0 is "unknown" (frame == PROFILE_NO_FRAME); every other
 *    location is unique by (frame, offset).
 */
#ifndef FLAMETOP_PROFILE_H
#define FLAMETOP_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <regex.h>
#include <stdint.h>

#include "flametop/util.h"

#define PROFILE_ROOT 0u
#define PROFILE_NO_FRAME UINT32_MAX
#define PROFILE_NO_LOCATION 0u

enum profile_frame_kind {
	PROFILE_FRAME_USER = 0,
	PROFILE_FRAME_KERNEL = 1,
};

struct profile_frame {
	uint32_t name; /* string id */
	uint32_t module; /* string id: a path, "[kernel.kallsyms]", "[vdso]", ... */
	uint32_t kind; /* enum profile_frame_kind */
};

struct profile_node {
	uint32_t parent;
	uint32_t frame;
};

/*
 * A code location: the address a sample hit, as its leaf frame and the
 * address's file offset in that frame's module, so that a source line can
 * be found for it later (report --lines). Kept for user-space leaves only.
 */
struct profile_location {
	uint32_t frame;
	uint64_t offset; /* file offset of the address in the frame's module */
	uint64_t hits; /* samples added at this location, whatever their filter */
};

struct profile_sample {
	uint64_t time; /* ns since the session's start */
	uint64_t weight; /* the sample's period, in the event's unit */
	uint32_t node; /* leaf of the sample's stack */
	uint32_t location; /* where the leaf was hit; PROFILE_NO_LOCATION: unknown */
	uint32_t pid, tid;
	uint16_t cpu;
	uint16_t event; /* index into profile.events */
};

struct profile_thread {
	uint32_t pid, tid;
	uint32_t comm; /* string id */
	bool dirty; /* changed since the session writer last saw it */
};

struct profile_event {
	char *name; /* as the user named it, or the fallback chosen */
	char *unit; /* "ns" for clock events, else the event's name */
};

struct profile_meta {
	char *host;
	char *kernel;
	char *flametop_version;
	char *command_line;
	char *target; /* "system-wide", "pid 123,456", "command: make -j2" */
	char *call_graph; /* "fp" or "dwarf" */
	uint64_t start_wall_ns; /* wall clock at the start, ns since the epoch */
	uint64_t start_mono_ns; /* CLOCK_MONOTONIC time that sample time 0 is */
	uint64_t duration_ns;
	uint32_t frequency; /* -F; 0 when sampling by period */
	uint64_t lost; /* samples the kernel dropped */
	uint64_t throttled; /* throttle events seen */
	uint64_t recorder_peak_rss; /* the recorder's peak resident memory, bytes; 0: unknown */
};

/*
 * How much a profile interns before it folds (0: no limit). A profile that
 * lives for days (the live explorer, record) would otherwise grow with
 * every new function and stack a changing system shows it. Past a limit,
 * a new string becomes "[other]", a new frame the frame "[other]", a new
 * node the child "[other]" of its parent (which takes in the rest of the
 * stack), a new location the frame's one "[other]" location (offset
 * PROFILE_OTHER_OFFSET); the profile counts each such fold in `folded`.
 * The folds' own entries may exceed the limits, at most by one per frame
 * or node. Sessions read from files use no limits (the reader has its own).
 */
struct profile_limits {
	uint32_t strings, frames, nodes, locations;
};
/* The limits of a live profile: about 130 MiB when all are reached. */
extern const struct profile_limits profile_live_limits;
#define PROFILE_OTHER_NAME "[other]"
#define PROFILE_OTHER_OFFSET UINT64_MAX

struct profile {
	struct strtab strings;

	struct profile_frame *frames;
	uint32_t nframes, frames_cap;
	struct u64map frame_map;

	struct profile_node *nodes;
	uint32_t nnodes, nodes_cap;
	struct u64map node_map;

	struct profile_location *locations; /* [0] is the unknown location */
	uint32_t nlocations, locations_cap;
	struct u64map location_map;

	struct profile_sample *samples;
	size_t nsamples, samples_cap;
	uint64_t samples_total; /* samples ever added, cleared ones included */

	struct profile_thread *threads;
	uint32_t nthreads, threads_cap;
	struct u64map thread_map; /* tid + 1 -> index */

	struct profile_event *events;
	uint32_t nevents;

	struct profile_meta meta;

	struct profile_limits limits; /* zero: none (profile_new's default) */
	uint64_t folded; /* new strings, frames, nodes, locations folded past the limits */
	uint32_t other_string, other_frame; /* PROFILE_NO_FRAME until the first fold */
};

/* Caller frees with profile_free(). Never NULL. */
struct profile *profile_new(void);
/* Sets the interning limits (see struct profile_limits); NULL: none. */
void profile_set_limits(struct profile *p, const struct profile_limits *limits);
void profile_free(struct profile *p);

uint32_t profile_intern_string(struct profile *p, const char *s);
/* Borrowed, valid until the profile is freed. */
const char *profile_string(const struct profile *p, uint32_t id);

uint32_t profile_intern_frame(struct profile *p, const char *name, const char *module,
			      enum profile_frame_kind kind);
uint32_t profile_intern_frame_ids(struct profile *p, uint32_t name, uint32_t module,
				  enum profile_frame_kind kind);
/* The child of `parent` for `frame`, created if new. */
uint32_t profile_intern_node(struct profile *p, uint32_t parent, uint32_t frame);
/* Number of frames from the root to `node` (the root has depth 0). */
uint32_t profile_node_depth(const struct profile *p, uint32_t node);

/*
 * The location of `offset` in `frame`'s module, created if new (never
 * PROFILE_NO_LOCATION; past the location limit, the frame's "[other]"
 * location). `frame` must exist.
 */
uint32_t profile_intern_location(struct profile *p, uint32_t frame, uint64_t offset);

/* `s->location`, when set, must exist; it counts one hit there. */
void profile_add_sample(struct profile *p, const struct profile_sample *s);
/* Drops the samples held in memory (after they were written out). */
void profile_clear_samples(struct profile *p);

/* Adds or renames a thread; marks it dirty. */
void profile_set_thread(struct profile *p, uint32_t pid, uint32_t tid, const char *comm);
/* Borrowed, or NULL when unknown. */
const struct profile_thread *profile_find_thread(const struct profile *p, uint32_t tid);

/* Appends an event; returns its index. */
uint32_t profile_add_event(struct profile *p, const char *name, const char *unit);
/* Index of the event called `name`, or -1. */
int profile_find_event(const struct profile *p, const char *name);

/* Sets a metadata string field (copies `value`; NULL clears). */
void profile_meta_set(char **field, const char *value);

/* Bytes of memory the profile holds. */
size_t profile_memory(const struct profile *p);

/*
 * Queries. A filter selects samples; zeroed fields mean "any" except as
 * noted. Use profile_filter_init() and then narrow.
 */
struct profile_filter {
	int64_t pid; /* -1: any */
	int64_t tid; /* -1: any */
	int event; /* event index; -1: any (only meaningful with one event) */
	uint64_t from, to; /* [from, to) in ns since the start */
	const char *comm; /* only threads of this name; NULL: any */
	const regex_t *include; /* only stacks with a function matching; NULL: all */
	const regex_t *exclude; /* no stacks with a function matching; NULL: none */
};
void profile_filter_init(struct profile_filter *f);
/* The sample's own fields only (pid, tid, event, time); see profile_matcher. */
bool profile_filter_match(const struct profile_filter *f, const struct profile_sample *s);

/*
 * A filter bound to a profile, to test many samples fast: the include and
 * exclude patterns are run once per frame and folded into one flag per
 * call-tree node, and the thread name is compared as a string id. It
 * follows a profile that grows (new nodes, threads) while in use.
 */
struct profile_matcher {
	const struct profile_filter *f;
	uint8_t *frame_state; /* per frame: 0 unknown, 1 plain, 2 include, 4 exclude */
	uint32_t nframes;
	uint8_t *node_state; /* per node: bit 0 include seen, bit 1 exclude seen */
	uint32_t nnodes;
	int64_t comm_id; /* -1 while the name is not (yet) in the profile */
};
/* `f` and `p` are borrowed for the matcher's life. Free with profile_matcher_free(). */
void profile_matcher_init(struct profile_matcher *m, const struct profile *p,
			  const struct profile_filter *f);
void profile_matcher_free(struct profile_matcher *m);
bool profile_matcher_match(struct profile_matcher *m, const struct profile *p,
			   const struct profile_sample *s);
/* Whether the stack ending at `node` passes the include/exclude patterns. */
bool profile_matcher_node(struct profile_matcher *m, const struct profile *p, uint32_t node);

struct profile_fn_stat {
	uint32_t frame;
	uint64_t self; /* weight of samples whose leaf is this function */
	uint64_t total; /* weight of samples with this function anywhere on the stack */
};

struct profile_top {
	struct profile_fn_stat *fns; /* sorted by self, then total, descending */
	size_t nfns;
	uint64_t total_weight;
	uint64_t nsamples;
	uint64_t first_time, last_time; /* of the matching samples */
	uint64_t *node_self; /* per node id: weight of samples ending there */
	uint32_t nnodes;
};
/* Caller frees with profile_top_free(). */
struct profile_top *profile_query_top(const struct profile *p, const struct profile_filter *f);
/*
 * The per-function stats of per-node weights, for queries that aggregate
 * elsewhere (the timeline). Takes `node_self` (nnodes entries, malloc'd);
 * the caller fills total_weight, nsamples and the times. Caller frees.
 */
struct profile_top *profile_top_build(const struct profile *p, uint64_t *node_self,
				      uint32_t nnodes);
void profile_top_free(struct profile_top *t);

#endif
