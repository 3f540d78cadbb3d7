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
 *    location is unique by (frame, offset);
 *  - chain 0 is the empty chain (nothing known); every other chain is
 *    unique by (parent, location), its parent's id is smaller than its own
 *    and its location is never PROFILE_NO_LOCATION.
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
#define PROFILE_NO_NODE UINT32_MAX
#define PROFILE_NO_CHAIN 0u

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
};

/*
 * A location chain: where on each of its functions a stack was, as code
 * locations, innermost first: the address the leaf was hit at, then each
 * caller's call site (its return address - 1, the call instruction). Only
 * frames with a known location are in it (user-space code in a known
 * mapping; kernel frames are not), and each location names its frame, so
 * a chain says for any function on the stack at which of its lines the
 * sample was: what a line's total weight is summed from. Chains are
 * interned as a trie like the call tree, outermost first: a chain is its
 * innermost location and the chain of the callers above it (`parent`,
 * PROFILE_NO_CHAIN at the outermost).
 */
struct profile_chain {
	uint32_t parent; /* the callers' chain; PROFILE_NO_CHAIN: none */
	uint32_t location; /* never PROFILE_NO_LOCATION */
};

struct profile_sample {
	uint64_t time; /* ns since the session's start */
	uint64_t weight; /* the sample's period, in the event's unit */
	uint32_t node; /* leaf of the sample's stack */
	uint32_t location; /* where the leaf was hit; PROFILE_NO_LOCATION: unknown */
	uint32_t chain; /* the stack's locations; PROFILE_NO_CHAIN: unknown */
	uint32_t pid, tid;
	uint16_t cpu;
	uint16_t event; /* index into profile.events */
};

struct profile_thread {
	uint32_t pid, tid;
	uint32_t comm; /* string id */
	bool dirty; /* changed since the session writer last saw it */
	/* PROFILE_THREAD_EXITED once its EXIT record came (0: running, as
	 * far as the profile knows); see profile_forget_written_threads(). */
	uint8_t exited;
	/* With a thread limit, or in a recorder that forgets threads: the time
	 * of its newest sample, or the newest sample's of the profile when it
	 * was named (profile_forget_threads, profile_forget_written_threads). */
	uint64_t last;
};

/* profile_thread.exited: since the last profile_forget_written_threads(), or before it. */
#define PROFILE_THREAD_EXITED 1
#define PROFILE_THREAD_EXITED_BEFORE 2

struct profile_event {
	char *name; /* as the user named it, or the fallback chosen */
	char *unit; /* "ns" for clock events, else the event's name */
	/*
	 * The event leading this one's perf event group (-e '{a,b}'): this
	 * one's samples are the leader's, each weighted by what this event
	 * counted since the one before, so their ratio per function means
	 * something (instructions per cycle). -1: in no group, or a leader.
	 */
	int leader;
	/*
	 * How it was sampled: every `period` events (1: each event, a
	 * tracepoint or a profile type that samples each; more: -c), or 0:
	 * at the profile's frequency. PROFILE_PERIOD_UNKNOWN when its source
	 * did not say (a session before format 1.8, an import): readers then
	 * guess from its name (report_event_period()). A group member's is
	 * its leader's.
	 */
	uint64_t period;
	/*
	 * Samples of this event added by profile_add_sample() (not stored;
	 * what record counts). Samples added through
	 * profile_add_reserved_samples() (a session's reader) are not
	 * counted: 0 in a profile read from a file.
	 */
	uint64_t samples;
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
	uint32_t frequency; /* -F; 0 when every event is sampled by period (-c) */
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
 * or node. Thread names (profile_set_thread) may take at most
 * 1/PROFILE_THREAD_NAME_SHARE of the strings: a thread renamed past that
 * is named "[other]", so threads renaming themselves cannot use up the
 * strings new functions need. Past the thread limit, a new thread is not
 * added: its samples are given to the thread "[other threads]" (pid and
 * tid PROFILE_OTHER_TID, which may exceed the limit by one) and counted
 * in `threads_folded`; profile_forget_threads() makes room again.
 * Sessions read from files use no limits (the reader has its own).
 */
struct profile_limits {
	uint32_t strings, frames, nodes, locations, chains, threads;
};
/* The limits of a live profile: about PROFILE_LIVE_BYTES when all are
 * reached. No thread limit (record's: it never forgets threads). */
extern const struct profile_limits profile_live_limits;
#define PROFILE_LIVE_BYTES ((size_t)160 << 20)
/* The explorer's thread limit at PROFILE_LIVE_BYTES: 24 bytes a thread
 * and about 24 in the map, 12 MiB. */
#define PROFILE_LIVE_THREADS (UINT32_C(1) << 18)
/*
 * The live limits scaled to a profile of about `bytes` when all are
 * reached: each limit times bytes / PROFILE_LIVE_BYTES, but no less than
 * an eighth of it (20 MiB of profile) and no more than 16 times; the
 * thread limit is PROFILE_LIVE_THREADS scaled the same way.
 */
void profile_limits_scaled(size_t bytes, struct profile_limits *out);
#define PROFILE_OTHER_NAME "[other]"
#define PROFILE_THREAD_NAME_SHARE 4
#define PROFILE_OTHER_OFFSET UINT64_MAX
/* The pid and tid of "[other threads]": above any pid_max (2^22), and a pid_t. */
#define PROFILE_OTHER_TID UINT32_C(0x7fffffff)
#define PROFILE_OTHER_THREADS_NAME "[other threads]"
/* A thread whose name nobody could tell (its /proc entry was gone when it
 * was first seen). Not a rename: session readers keep a name they had for
 * the same pid and tid (doc/session-format.md, `threads`). */
#define PROFILE_UNKNOWN_THREAD_NAME "[unknown]"
/* profile_event.period when the source did not say. */
#define PROFILE_PERIOD_UNKNOWN UINT64_MAX

struct profile {
	struct strtab strings;

	struct profile_frame *frames;
	uint32_t nframes, frames_cap;
	struct u64map frame_map;

	struct profile_node *nodes;
	uint32_t nnodes, nodes_cap;
	struct idmap node_map;
	/* Each node's children as a list, newest first (PROFILE_NO_NODE ends
	 * it), kept by profile_intern_node(): queries walk the tree down. */
	uint32_t *first_child, *next_sibling;
	/* Per node: 1 when no ancestor has its frame (the outermost call of
	 * a recursive function), so totals count recursion once. */
	uint8_t *outermost;

	struct profile_location *locations; /* [0] is the unknown location */
	uint32_t nlocations, locations_cap;
	struct idmap location_map;

	struct profile_chain *chains; /* [0] is the empty chain */
	uint32_t nchains, chains_cap;
	struct idmap chain_map;

	struct profile_sample *samples;
	size_t nsamples, samples_cap;

	struct profile_thread *threads;
	uint32_t nthreads, threads_cap;
	struct u64map thread_map; /* tid + 1 -> index */

	struct profile_event *events;
	uint32_t nevents;

	struct profile_meta meta;

	struct profile_limits limits; /* zero: none (profile_new's default) */
	uint64_t folded; /* new strings, frames, nodes, locations, chains folded past the limits */
	uint32_t other_string, other_frame; /* PROFILE_NO_FRAME until the first fold */
	uint32_t thread_names; /* strings first interned as a thread's name */
	uint64_t threads_folded; /* samples given to "[other threads]" past the thread limit */
	/* With a thread limit, or profile_forget_written_threads: the newest sample's time. */
	uint64_t newest;
	uint32_t threads_peak; /* the most threads held at once */
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
/* The child of `parent` for `frame`, created if new (which costs a walk
 * up its ancestors, once, to know whether its frame is among them). */
uint32_t profile_intern_node(struct profile *p, uint32_t parent, uint32_t frame);
/* The child of `parent` for `frame`, or PROFILE_NO_NODE when there is none. */
uint32_t profile_find_node(const struct profile *p, uint32_t parent, uint32_t frame);
/* Number of frames from the root to `node` (the root has depth 0). */
uint32_t profile_node_depth(const struct profile *p, uint32_t node);

/*
 * The location of `offset` in `frame`'s module, created if new (never
 * PROFILE_NO_LOCATION; past the location limit, the frame's "[other]"
 * location). `frame` must exist.
 */
uint32_t profile_intern_location(struct profile *p, uint32_t frame, uint64_t offset);

/*
 * The chain of `location` (not PROFILE_NO_LOCATION) called from `parent`
 * (PROFILE_NO_CHAIN: the outermost), created if new; both must exist.
 * PROFILE_NO_CHAIN past the chain limit: the caller drops what it was
 * building (a chain without its outer part would be one without them).
 */
uint32_t profile_intern_chain(struct profile *p, uint32_t parent, uint32_t location);
/* Whether any sample may have a chain: false for a session recorded
 * before chains were (format 1.4), an import, a profile of kernel code. */
bool profile_has_chains(const struct profile *p);

/* `s->location` and `s->chain`, when set, must exist; a location counts one hit. */
void profile_add_sample(struct profile *p, const struct profile_sample *s);
/*
 * Room for `n` more samples after the ones held, for a caller that fills
 * them in place (a reader decoding a block of samples column by column):
 * returns where they go (never NULL; borrowed, valid until samples are
 * next added or reserved). They count as added only once
 * profile_add_reserved_samples() says so; until then the profile is as it
 * was.
 */
struct profile_sample *profile_reserve_samples(struct profile *p, size_t n);
/*
 * Adds the first `n` samples reserved, filled in as profile_add_sample()
 * wants them: their locations and chains are the caller's to check (a
 * reader maps each id through its own table), not checked again here.
 */
void profile_add_reserved_samples(struct profile *p, size_t n);
/* Drops the samples held in memory (after they were written out). */
void profile_clear_samples(struct profile *p);
/* Keeps, in order, only the samples held whose time is at most `t`. */
void profile_keep_samples_until(struct profile *p, uint64_t t);
/*
 * Exchanges the profile's samples array (its samples, count and capacity)
 * with the caller's: no copy. With an empty one (NULL, 0, 0) it takes the
 * samples out and leaves the profile with none and no room; the caller
 * then owns them and frees them with xbig_free(samples, cap, size). The
 * samples given must fit the profile's tables, as profile_add_sample()
 * wants; nothing is counted again.
 */
void profile_swap_samples(struct profile *p, struct profile_sample **samples, size_t *n,
			  size_t *cap);

/* Adds or renames a thread; marks it dirty. Past its share of the strings
 * limit, a new name is "[other]" (struct profile_limits). */
void profile_set_thread(struct profile *p, uint32_t pid, uint32_t tid, const char *comm);
/* Borrowed, or NULL when unknown. */
const struct profile_thread *profile_find_thread(const struct profile *p, uint32_t tid);
/* Whether the thread limit leaves no room: a new thread's name would go unused. */
bool profile_threads_full(const struct profile *p);
/*
 * Forgets the threads whose `last` is before `before` (no sample the
 * caller still holds is theirs: the timeline's oldest bucket starts
 * there), so that new threads find room under the thread limit; a thread
 * forgotten and seen again is added again. Only with a thread limit (it
 * keeps `last`); returns how many were forgotten. Pointers to threads are
 * invalid after it.
 */
uint32_t profile_forget_threads(struct profile *p, uint64_t before);
/* Thread `tid` exited (its EXIT record), if known: see below. */
void profile_thread_exited(struct profile *p, uint32_t tid);
/*
 * For a recorder that writes its threads to a session and keeps no
 * samples once written (record), so that its thread table is bounded by
 * the threads running or recently sampled, not by all it ever saw. Call
 * after a flush that wrote everything (no thread dirty) and before the
 * samples are cleared: takes each thread's `last` from the samples held,
 * then forgets the threads written out (not dirty), with no sample at or
 * after `held_from` (the oldest the caller still holds elsewhere, such as
 * a push feed's; UINT64_MAX: none), that either exited before the previous
 * call (samples read late from another CPU's ring were read since) or
 * have no sample since `idle_before`; a process's main thread (tid ==
 * pid: its name the process's, which push labels uploads with) stays
 * while any other thread of its process does. A thread forgotten and seen again
 * (an idle one wakes, a tid is reused) is named again and so written
 * again, which a session reader takes as a rename (not one to
 * PROFILE_UNKNOWN_THREAD_NAME with the same pid). Returns how many were
 * forgotten; pointers to threads are invalid after it.
 */
uint32_t profile_forget_written_threads(struct profile *p, uint64_t idle_before,
					uint64_t held_from);

/* Appends an event; returns its index. */
uint32_t profile_add_event(struct profile *p, const char *name, const char *unit);
/* Index of the event called `name`, or -1. */
int profile_find_event(const struct profile *p, const char *name);
/*
 * Whether the weights of event `event` (an index; -1: any, which is the
 * profile's one event when it has one) count samples:
 * its unit is "samples", as an import without periods has it (a folded
 * stack's count of 12 is 12 samples, flamegraph.pl's reading).
 */
bool profile_event_counts_samples(const struct profile *p, int event);

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

/*
 * A profile's frames ordered by name, then (with `module`) by module, then
 * by frame id, kept up to date as frames are added (src/profile/order.c).
 * Zero-initialize it, set `module`, and update it before reading; free
 * with profile_frame_order_free(). It is of one profile: reset it before
 * using it with another.
 */
struct profile_frame_order {
	uint32_t *by; /* frame ids in order */
	uint32_t *rank; /* per frame id: its place in `by` */
	uint32_t n; /* frames ordered: the profile's nframes at the last update */
	bool module; /* names that tie are ordered by module before frame id */
};
/* Orders the frames added to `p` since the last update. Costs the sort of
 * the new frames and a binary search among the old for each, plus a copy
 * of both arrays; nothing when no frame was added. */
void profile_frame_order_update(struct profile_frame_order *o, const struct profile *p);
/* Forgets every frame (keeps the memory and `module`): for another profile. */
void profile_frame_order_reset(struct profile_frame_order *o);
void profile_frame_order_free(struct profile_frame_order *o);

struct profile_top {
	struct profile_fn_stat *fns; /* sorted by self, then total, descending */
	size_t nfns;
	uint64_t total_weight;
	uint64_t nsamples;
	uint64_t first_time, last_time; /* of the matching samples */
	uint64_t *node_self; /* per node id: weight of samples ending there */
	uint64_t *node_total; /* per node id: node_self of it and its descendants */
	uint32_t nnodes;
	/* fns not listed yet (nfns 0): profile_top_rebuild_nodes() left them
	 * for profile_top_functions(). */
	bool fns_later;
	uint32_t self_cap, total_cap; /* node_self's and node_total's entries (rebuilds) */
};
/* Caller frees with profile_top_free(). */
struct profile_top *profile_query_top(const struct profile *p, const struct profile_filter *f);
/*
 * The per-function stats of per-node weights, for queries that aggregate
 * elsewhere (the timeline). Takes `node_self` (nnodes entries, malloc'd);
 * the caller fills total_weight, nsamples and the times. Caller frees.
 * Costs passes over the nodes (up for node_total, then crediting each
 * outermost occurrence of a function with its subtree) plus a sort of
 * the functions.
 */
struct profile_top *profile_top_build(const struct profile *p, uint64_t *node_self,
				      uint32_t nnodes);
/*
 * The same, the ties of weight ordered by `order` (updated here first; its
 * `module` must be set) instead of by comparing names: for a caller that
 * builds top-lists of one profile again and again (the timeline), where
 * the names compared were most of the cost.
 */
struct profile_top *profile_top_build_ordered(const struct profile *p, uint64_t *node_self,
					      uint32_t nnodes, struct profile_frame_order *order);
/*
 * profile_top_build_ordered() again into `t` (one it made or rebuilt, or
 * zeroed), its memory reused: a top-list of every node of `p`, whose
 * node_self is copied from `node_self` (borrowed; `have` entries, the
 * nodes past them weigh 0). The caller fills total_weight, nsamples and
 * the times again (zeroed here). For a caller that keeps one top-list
 * current (a live window): no allocation per rebuild once sizes settle.
 */
void profile_top_rebuild(struct profile_top *t, const struct profile *p, const uint64_t *node_self,
			 uint32_t have, struct profile_frame_order *order);
/*
 * profile_top_rebuild() of the nodes alone: node_self and node_total, for
 * a reader of the call tree (a flame graph) that never looks at the
 * functions. Listing and ordering them is most of a rebuild's cost; it is
 * left for profile_top_functions(): fns_later is set and nfns is 0 until
 * then.
 */
void profile_top_rebuild_nodes(struct profile_top *t, const struct profile *p,
			       const uint64_t *node_self, uint32_t have);
/* Lists and orders the functions profile_top_rebuild_nodes() left (as
 * profile_top_rebuild() would have); nothing when none were left. */
void profile_top_functions(struct profile_top *t, const struct profile *p,
			   struct profile_frame_order *order);
void profile_top_free(struct profile_top *t);
/* The samples `t`, a query of event `event` of `p`, stands for: its total
 * weight where the event's weights count samples
 * (profile_event_counts_samples()), else its nsamples. */
uint64_t profile_top_samples(const struct profile *p, int event, const struct profile_top *t);

/* ------------------------------------------------------------------------
 * Tallies (tally.c): what the queries sum, of the samples a filter selects
 * (profile_matcher semantics), fed a batch of samples at a time, so that a
 * caller reading a session chunk by chunk can count each batch and drop it:
 * what a tally holds grows with the model (nodes, locations, threads) and
 * the heatmap's seconds, never with the samples. The whole-profile queries
 * (profile_query_top, profile_query_locations, profile_query_heatmap) are
 * a tally fed every sample of the profile.
 */
#define PROFILE_TALLY_NODES 1u /* weight per node: profile_tally_top() */
#define PROFILE_TALLY_THREADS 2u /* weight per (node, thread): profile_tally_threads() */
#define PROFILE_TALLY_LOCATIONS 4u /* per location and chain: profile_tally_locations() */
#define PROFILE_TALLY_HEATMAP 8u /* per heatmap cell: profile_tally_heatmap() */

struct profile_tally_spec {
	unsigned parts; /* PROFILE_TALLY_* */
	uint32_t frame; /* LOCATIONS: as profile_query_locations()'s */
	uint64_t row_ns; /* HEATMAP: as profile_query_heatmap()'s */
};
struct profile_tally;
/*
 * A tally of `p`'s samples that `f` selects. `p` (which may grow while the
 * tally lives: a session being read) and the filter's patterns and name
 * are borrowed for the tally's life; `f` itself is copied. Never NULL;
 * free with profile_tally_free().
 */
struct profile_tally *profile_tally_new(const struct profile *p, const struct profile_filter *f,
					const struct profile_tally_spec *spec);
void profile_tally_free(struct profile_tally *t);
/* Counts `n` samples of the profile (borrowed for the call only: the caller
 * may drop them after). Any order, any batch size: the sums are the same. */
void profile_tally_add(struct profile_tally *t, const struct profile_sample *s, size_t n);
/* NODES: the top-list of the samples counted so far. Caller frees. */
struct profile_top *profile_tally_top(const struct profile_tally *t);
/*
 * THREADS: one sample per (leaf node, thread) counted, the first one seen
 * with the weights of all summed: what folded stacks are made of (their
 * thread names looked up when written). Borrowed, valid until the next
 * profile_tally_add() or the tally is freed.
 */
const struct profile_sample *profile_tally_threads(const struct profile_tally *t, size_t *n);
/* THREADS: how many samples each of profile_tally_threads()'s sums, in
 * its order. Borrowed as it is. */
const uint64_t *profile_tally_thread_counts(const struct profile_tally *t);
/* LOCATIONS: as profile_query_locations(). Caller frees; once only. */
struct profile_locs *profile_tally_locations(struct profile_tally *t);
/*
 * HEATMAP: as profile_query_heatmap(), its open window ending at the
 * profile's duration as it is now (read the session to its end first).
 * Caller frees; once only. NULL with `err` filled as there.
 */
struct profile_heatmap *profile_tally_heatmap(struct profile_tally *t, struct ft_error *err);
/* Bytes of memory the tally holds. */
size_t profile_tally_memory(const struct profile_tally *t);

/* ------------------------------------------------------------------------
 * Trees of one query result, as the views draw them and exporters walk
 * them (src/profile/tree.c). Four kinds, one shape: node 0 is the root,
 * every node has a parent, a function (frame), self and total weights, and
 * children with weight ordered by function name (then frame id), as
 * flamegraph.pl orders them, so a live graph keeps its shape while
 * weights move.
 *
 *  - CALLS: the call tree itself; node ids are the profile's, so a node
 *    keeps its id from one query to the next.
 *  - INVERTED: bottom-up. The root's children are the functions samples
 *    ended in, each merged across all its stacks; below a function, its
 *    callers, merged again; below them theirs. Self is the weight of the
 *    stacks that start there (nothing called it).
 *  - CALLERS: one function's callers, merged, the function at the root
 *    (its outermost occurrences, so recursion counts once).
 *  - CALLEES: one function's callees, merged, the function at the root.
 *
 * Merged trees (all but CALLS) are derived from a CALLS tree and list a
 * node's children the first time they are asked for, so building one
 * costs what is looked at (a layout asks only for boxes wide enough to
 * draw), not the size of the profile. Their node ids depend on that
 * order: keep a place across rebuilds as a path of frames
 * (profile_tree_path(), profile_tree_find()). Read the fields; change
 * them only through the functions.
 */
enum profile_tree_kind {
	PROFILE_TREE_CALLS,
	PROFILE_TREE_INVERTED,
	PROFILE_TREE_CALLERS,
	PROFILE_TREE_CALLEES,
};

/* A set of functions (search matches): in[frame] != 0 for each member. */
struct profile_marks {
	uint8_t *in;
	uint32_t n; /* frames covered; frames past it are not members */
};

struct profile_tree_item; /* a merged node's sources (tree.c) */
struct profile_tree_group; /* children being made (tree.c) */

struct profile_tree {
	enum profile_tree_kind kind;
	const struct profile *p; /* borrowed */
	const struct profile_tree *calls; /* merged trees: their source, borrowed */
	uint32_t frame; /* CALLERS, CALLEES: the function at the root */
	uint32_t nnodes;
	/* Per node: the weight of the node itself, and with its descendants.
	 * CALLS: the query result's, borrowed (see profile_tree_calls). */
	const uint64_t *self;
	const uint64_t *total;
	const struct profile_marks *marks; /* borrowed; NULL: nothing matches */

	/* Private to tree.c. */
	uint32_t cap;
	uint64_t *own_self, *own_total; /* merged trees: what self and total point to */
	struct profile_node *own; /* merged trees: parent and frame per node */
	uint32_t *first_child, *next_sibling;
	uint8_t *listed; /* per node: children linked yet */
	uint8_t *weighed; /* CALLS, per node: total was not 0 at the last build */
	size_t weighed_cap;
	uint32_t seen_nnodes; /* CALLS: the profile's nodes at the last build */
	uint32_t *item_first, *item_count; /* merged trees: per node */
	struct profile_tree_item *items;
	size_t nitems, items_cap;
	struct profile_frame_order order; /* CALLS: the frames by name, then frame id */
	uint32_t *scratch, *slot; /* listing children */
	size_t scratch_cap;
	uint32_t nslot;
	struct profile_tree_group *groups;
	size_t groups_cap;
	struct profile_tree_item *step;
	size_t step_cap;
	uint64_t *keys; /* sorting children */
	size_t keys_cap;
};

/* An empty CALLS tree (the root alone, no profile), for the builders
 * below to fill. Caller frees with profile_tree_free(). */
struct profile_tree *profile_tree_new(void);
void profile_tree_free(struct profile_tree *t);
/*
 * Rebuilds `t` (reusing its memory) as the call tree of a query result.
 * Both are borrowed for the tree's life: `p`, and `top`, whose node_self
 * and node_total are the tree's self and total (a day's call tree would
 * hold megabytes of copies), so `top` must stay as it is until the tree
 * is rebuilt or freed. Costs a sort of the frames by name when new frames
 * appeared. Rebuilt for the same profile, it keeps the children it listed
 * for a node none of whose children got or lost all weight since.
 */
void profile_tree_calls(struct profile_tree *t, const struct profile *p,
			const struct profile_top *top);
/*
 * Rebuilds `t` as a merged tree of `calls` (a CALLS tree, borrowed: `t` is
 * valid until `calls` is rebuilt or freed). `frame` is the function of
 * CALLERS and CALLEES; a function with no weight gives a root of weight 0.
 * An INVERTED tree rebuilt from the same `calls` (rebuilt in between, as
 * the next query does) whose stacks with self weight are still the same
 * nodes keeps its nodes, ids and lists and is only weighed again: what it
 * shows is what a new tree would show, for a pass over the nodes' self
 * weights and the depth of each stack whose weight moved, instead of
 * listing and sorting again.
 */
void profile_tree_inverted(struct profile_tree *t, const struct profile_tree *calls);
void profile_tree_callers(struct profile_tree *t, const struct profile_tree *calls,
			  uint32_t frame);
void profile_tree_callees(struct profile_tree *t, const struct profile_tree *calls,
			  uint32_t frame);

/* Parent (the root's is itself) and frame (PROFILE_NO_FRAME at the root;
 * for CALLERS and CALLEES the root's is the function). */
uint32_t profile_tree_parent(const struct profile_tree *t, uint32_t node);
uint32_t profile_tree_frame(const struct profile_tree *t, uint32_t node);
/*
 * The first child with weight (by name), PROFILE_NO_NODE when none; lists
 * the node's children the first time (merged trees create them then, so
 * nnodes may grow). Then profile_tree_sibling() gives the next.
 */
uint32_t profile_tree_child(struct profile_tree *t, uint32_t node);
uint32_t profile_tree_sibling(const struct profile_tree *t, uint32_t node);
/* Frames from the root to `node` (0 for the root). */
uint32_t profile_tree_depth(const struct profile_tree *t, uint32_t node);
/* Whether `anc` is `node` or one of its ancestors. */
bool profile_tree_is_ancestor(const struct profile_tree *t, uint32_t anc, uint32_t node);
/*
 * The frames on the way from the root's children down to `node` into
 * `frames` (at most `max`; a deeper path keeps its outer part). Returns
 * the path's length.
 */
size_t profile_tree_path(const struct profile_tree *t, uint32_t node, uint32_t *frames,
			 size_t max);
/* The node at the end of the longest prefix of a path that has weight
 * (the root when none does). */
uint32_t profile_tree_find(struct profile_tree *t, const uint32_t *frames, size_t n);

/* Search marks: a node matches when its frame is in `m` (borrowed; NULL clears). */
void profile_tree_set_marks(struct profile_tree *t, const struct profile_marks *m);
bool profile_tree_match(const struct profile_tree *t, uint32_t node);
/*
 * CALLS trees: the weight of the stacks with a matching frame (each
 * counted once however many frames match) and the number of matching
 * nodes with weight.
 */
void profile_tree_match_weight(const struct profile_tree *t, uint64_t *weight, uint32_t *nodes);

/*
 * Callers and callees of a function, from a CALLS tree: summed over the
 * function's outermost occurrences (recursion counts once). A caller
 * PROFILE_NO_FRAME is the root: the function started the stack. Fills
 * malloc'd arrays sorted by weight, descending, then frame (caller frees).
 */
struct profile_edge {
	uint32_t frame;
	uint64_t weight;
};
void profile_tree_neighbours(const struct profile_tree *t, uint32_t frame,
			     struct profile_edge **callers, size_t *ncallers,
			     struct profile_edge **callees, size_t *ncallees);

/* ------------------------------------------------------------------------
 * Where samples hit (hits.c): weight per code location, of the samples a
 * filter selects, from which source lines are found (report --lines, the
 * lines view). From the samples a profile holds, or from a store that
 * keeps them by time for a live view, whose samples leave the profile for
 * the timeline once counted.
 */
struct profile_loc_weight {
	uint32_t location;
	uint64_t weight;
};

struct profile_chain_weight {
	uint32_t chain;
	uint64_t weight;
};

struct profile_locs {
	uint32_t frame; /* the function asked about; PROFILE_NO_FRAME: any */
	struct profile_loc_weight *v; /* by location id, each once, weight > 0 */
	size_t n;
	uint64_t located; /* the weights' sum */
	uint64_t total; /* of the samples asked about, with a location or not */
	/*
	 * The samples whose chain has a location in `frame` (any chain when
	 * PROFILE_NO_FRAME), summed per chain: by chain id, each once, weight
	 * > 0. A line's total is the weight of the chains with a location of
	 * `frame` on it, each chain counted once however many (recursion).
	 */
	struct profile_chain_weight *chains;
	size_t nchains;
	uint64_t chained; /* the chains' weights' sum */
};

/*
 * The locations of the samples `f` selects whose leaf is function `frame`
 * (PROFILE_NO_FRAME: any), and the chains of those with `frame` anywhere
 * on their chain. Caller frees with profile_locs_free().
 */
struct profile_locs *profile_query_locations(const struct profile *p,
					     const struct profile_filter *f, uint32_t frame);
void profile_locs_free(struct profile_locs *l);

/*
 * The store: samples with a location or a chain, summed per (time bucket
 * of `bucket_ns`, location, chain, leaf node, pid, tid, event), so that a query
 * over a window and filters costs the distinct entries in it, not the
 * samples. It holds at most about `max_bytes`: past that the oldest
 * buckets go, and profile_hits_since() says from when it is complete.
 * Caller frees with profile_hits_free(). Never NULL.
 */
struct profile_hits;
struct profile_hits *profile_hits_new(uint64_t bucket_ns, size_t max_bytes);
void profile_hits_free(struct profile_hits *h);
/* Adds the samples that have a location or a chain (borrowed: only sums are kept). */
void profile_hits_add(struct profile_hits *h, const struct profile_sample *s, size_t n);
/* Drops what is older than `before` (the timeline's retention). */
void profile_hits_forget(struct profile_hits *h, uint64_t before);
/* The start of the data it still holds complete (0: everything so far). */
uint64_t profile_hits_since(const struct profile_hits *h);
size_t profile_hits_memory(const struct profile_hits *h);
/*
 * As profile_query_locations(), over the buckets that overlap f's window
 * (partly covered ones count whole, as in the timeline). `total` is the
 * located weight: samples without a location are not kept. Caller frees.
 */
struct profile_locs *profile_hits_query(struct profile_hits *h, const struct profile *p,
					const struct profile_filter *f, uint32_t frame);

/* ------------------------------------------------------------------------
 * Diff (diff.c): a query result ("now") against a baseline, another
 * window of the same profile or a query of another profile (a baseline
 * session, maybe from another machine). Each side is taken as shares of
 * its own total, so a 10 s window and a 60 s baseline compare fairly.
 * Functions are matched by name and module, the module by its last path
 * component (a library in /usr/lib on one machine and /lib on another is
 * one module); a stack is matched frame by frame the same way.
 */

/*
 * Whether two event units can be compared: 0, or -EINVAL with a one-line
 * reason in `err` ("ns" against "bytes", cycles against instructions).
 * Units are profile_event.unit ("samples" where a side has no event).
 */
int profile_diff_check_units(const char *unit, const char *base_unit, struct ft_error *err);

struct profile_diff_fn {
	uint32_t frame; /* in the profile of now; PROFILE_NO_FRAME: only in the baseline */
	uint32_t base_frame; /* in the baseline's profile; PROFILE_NO_FRAME: only now */
	uint64_t self, total; /* now, as profile_fn_stat */
	uint64_t base_self, base_total; /* in the baseline */
	double delta; /* share of self now minus share of self in the baseline, -1 to 1 */
	double delta_total; /* the same for total */
};

struct profile_diff {
	const struct profile *p, *bp; /* borrowed: now's profile, the baseline's */
	uint64_t total, base_total; /* each side's total weight */
	struct profile_diff_fn *fns; /* by |delta| descending, then name; see profile_diff_sort */
	size_t nfns;
	/* Per node of p (nnodes entries): the baseline's total weight of the
	 * same stack (0 where the baseline has no such stack). */
	uint64_t *base_node_total;
	uint32_t nnodes;
};

/*
 * The diff of `now` (a query of `p`) against `base` (a query of `bp`,
 * which may be `p`). Every function with weight on either side is listed
 * once. All four are borrowed for the call only. Costs the functions of
 * both sides plus the nodes of `p` (once more per frame of `p` when `bp`
 * is another profile). Caller frees with profile_diff_free().
 */
struct profile_diff *profile_diff_new(const struct profile *p, const struct profile_top *now,
				      const struct profile *bp, const struct profile_top *base);
void profile_diff_free(struct profile_diff *d);
/*
 * What diffs of one profile against itself (a window against another
 * window of the same data, as the explorer compares, once a second) keep
 * from one to the next: per frame, the function it is (the first frame of
 * its name and module base name), and the frames in order of name, then
 * module; both are kept up to date as frames are added. Zero-initialize;
 * free with profile_diff_cache_free(). It is of the profile it was first
 * used with: another resets it.
 */
struct profile_diff_cache {
	const struct profile *p; /* borrowed */
	uint32_t *fn; /* per frame: the first frame of its function */
	uint32_t n; /* frames known: the profile's nframes at the last diff */
	struct u64map map; /* a function's hash -> its first frame */
	struct profile_frame_order order; /* module set */
	uint32_t *entry; /* per frame: a function's entry in the diff being built */
	uint32_t entry_cap;
};
/* What of a diff profile_diff_new_cached() makes (bits). */
#define PROFILE_DIFF_FNS 1u /* fns, nfns: the functions */
#define PROFILE_DIFF_NODES 2u /* base_node_total, nnodes: the stacks */
/*
 * profile_diff_new(), the same diff, for a caller that diffs the same
 * profile again and again: when `bp` is `p`, functions are matched and
 * their ties ordered through `c` (updated here first) instead of by
 * hashing and comparing names, and sorted without a comparison function;
 * and only the `parts` asked for are made (the others are empty: no
 * functions, nnodes 0); `c` may be NULL without PROFILE_DIFF_FNS. Another
 * `bp` gets profile_diff_new()'s whole diff.
 * Costs the functions of both sides (with PROFILE_DIFF_FNS), the nodes of
 * `p` (with PROFILE_DIFF_NODES), and the frames new since the last call.
 */
struct profile_diff *profile_diff_new_cached(const struct profile *p, const struct profile_top *now,
					     const struct profile *bp,
					     const struct profile_top *base,
					     struct profile_diff_cache *c, unsigned parts);
void profile_diff_cache_free(struct profile_diff_cache *c);
/* `part` as a share (0 to 1) of `whole`; 0 when `whole` is 0. */
double profile_diff_share(uint64_t part, uint64_t whole);
/*
 * The change of share of node `node` of `p` whose total weight now is
 * `total_now` (the call tree's total[node]): now's share minus the
 * baseline's share of the same stack.
 */
double profile_diff_node_delta(const struct profile_diff *d, uint32_t node, uint64_t total_now);

enum profile_diff_order {
	PROFILE_DIFF_BY_CHANGE, /* |delta| descending: most changed first */
	PROFILE_DIFF_BY_SELF, /* self now, then self in the baseline, descending */
};
/* Reorders d->fns; ties go by name, then module, then frame ids. */
void profile_diff_sort(struct profile_diff *d, enum profile_diff_order order);
/* A diff function's name and module (from whichever side has it). Borrowed. */
const char *profile_diff_name(const struct profile_diff *d, const struct profile_diff_fn *f);
const char *profile_diff_module(const struct profile_diff *d, const struct profile_diff_fn *f);

/* ------------------------------------------------------------------------
 * The subsecond heatmap (heatmap.c), as FlameScope draws it: a column per
 * second, a row per slice of the second, each cell the weight of the
 * samples whose time falls in it. Where in each second does the work
 * happen (a burst every second at the same offset is a hot row).
 */
#define PROFILE_HEATMAP_MAX_CELLS (8u << 20)
#define PROFILE_HEATMAP_MIN_ROW_NS 1000000ull /* 1 ms */
#define PROFILE_HEATMAP_DEFAULT_ROW_NS 20000000ull /* 20 ms */

struct profile_heatmap {
	uint64_t row_ns; /* the height of a row */
	uint32_t rows; /* rows per second: 1 s / row_ns, rounded up (the last may be shorter) */
	uint64_t first; /* column 0's second, seconds since the session's start */
	uint64_t ncols;
	uint64_t *cells; /* ncols * rows: cells[col * rows + row] */
	uint64_t max; /* the largest cell */
	uint64_t total; /* the cells' sum */
};

/*
 * An empty heatmap of the seconds [from / 1 s, to / 1 s rounded up) in
 * rows of `row_ns` (PROFILE_HEATMAP_MIN_ROW_NS to 1 s). NULL with `err`
 * when the row height is out of range or it would exceed
 * PROFILE_HEATMAP_MAX_CELLS cells. Caller frees with profile_heatmap_free().
 */
struct profile_heatmap *profile_heatmap_new(uint64_t row_ns, uint64_t from, uint64_t to,
					    struct ft_error *err);
void profile_heatmap_free(struct profile_heatmap *h);
/* Adds `weight` at `time` (ns since the start); a time outside it is ignored. */
void profile_heatmap_add(struct profile_heatmap *h, uint64_t time, uint64_t weight);
/* The time window a cell range covers: [*from, *to) of columns c0..c1 and rows r0..r1
 * (inclusive, in any order). */
void profile_heatmap_span(const struct profile_heatmap *h, uint64_t c0, uint32_t r0, uint64_t c1,
			  uint32_t r1, uint64_t *from, uint64_t *to);
/*
 * The heatmap of the samples `f` selects (profile_matcher semantics),
 * over f's window, or from the start to the last sample (or the
 * session's duration) when f->to is 0. NULL with `err` as above.
 */
struct profile_heatmap *profile_query_heatmap(const struct profile *p,
					      const struct profile_filter *f, uint64_t row_ns,
					      struct ft_error *err);

/*
 * The store a live heatmap reads (the samples leave the profile for the
 * timeline once counted): each sample's slice of `slice_ns`, leaf node,
 * thread and event, with its weight; 24 bytes a sample (the process is
 * the thread's, as the profile knows it), at most
 * about `max_bytes` (past that the oldest go, and
 * profile_heatstore_since() says from when it is complete). Samples may
 * come somewhat out of time order. Caller frees with
 * profile_heatstore_free(). Never NULL.
 */
struct profile_heatstore;
struct profile_heatstore *profile_heatstore_new(uint64_t slice_ns, size_t max_bytes);
void profile_heatstore_free(struct profile_heatstore *h);
/* Adds samples (borrowed: their fields are copied). */
void profile_heatstore_add(struct profile_heatstore *h, const struct profile_sample *s, size_t n);
/* Drops what is older than `before`. */
void profile_heatstore_forget(struct profile_heatstore *h, uint64_t before);
uint64_t profile_heatstore_since(const struct profile_heatstore *h);
size_t profile_heatstore_memory(const struct profile_heatstore *h);
/*
 * As profile_query_heatmap(), over the seconds [f->from, f->to) (f->to 0:
 * to the newest sample), from the store; `row_ns` is rounded up to a
 * multiple of the store's slice. Costs a pass over the samples it holds.
 */
struct profile_heatmap *profile_heatstore_query(const struct profile_heatstore *h,
						const struct profile *p,
						const struct profile_filter *f, uint64_t row_ns,
						struct ft_error *err);

/* ------------------------------------------------------------------------
 * The decayed view (decay.c), as `perf top` shows: every sample counts
 * with a weight halved for each half-life of age, so the picture follows
 * what runs now without a hard window edge.
 */
struct profile_decay;
/* Caller frees with profile_decay_free(). Never NULL. */
struct profile_decay *profile_decay_new(uint64_t half_life_ns);
void profile_decay_free(struct profile_decay *d);
uint64_t profile_decay_half_life(const struct profile_decay *d);
/* Adds the samples `m` (a matcher of `p`) passes; samples older than the
 * newest time seen count less, as they will when queried. */
void profile_decay_add(struct profile_decay *d, const struct profile *p,
		       struct profile_matcher *m, const struct profile_sample *s, size_t n);
/* Adds the weight and samples of `node` as seen at `time` (seeding from aggregates). */
void profile_decay_add_node(struct profile_decay *d, uint32_t node, uint64_t weight,
			    uint64_t samples, uint64_t time);
/*
 * The top-list of the decayed weights at time `now` (each weight times
 * 2^-(now - its time) / half-life, rounded; nsamples the decayed count;
 * first_time one of 8 half-lives before `now`, last_time `now`). Costs the
 * nodes. Caller frees with profile_top_free().
 */
struct profile_top *profile_decay_top(struct profile_decay *d, const struct profile *p,
				      uint64_t now);

/* ------------------------------------------------------------------------
 * Ratios of a perf event group (ratio.c): a group's events (-e '{cycles,
 * instructions,cache-misses}') share their samples, each weighted by its
 * own count, so per function one event's weight over another's means
 * something: instructions per cycle, misses per 1000 instructions, page
 * faults per millisecond of a clock.
 */
#define PROFILE_MAX_RATIOS 8

struct profile_ratio {
	uint32_t num, den; /* event indices */
	double scale; /* the value is scale * num / den */
	char label[64]; /* "IPC", "cache-misses/1k-ins", "page-faults/ms", "a/b" */
};

/*
 * The ratios to show with event `event` of `p`, into `out`
 * (PROFILE_MAX_RATIOS entries): none when it is in no group; else one per
 * member of its group (whichever of the group it is): instructions over
 * cycles ("IPC"); an event whose name says "miss" per 1000 instructions
 * when the group counts instructions ("X/1k-ins"); over a clock leader
 * (unit ns), per millisecond ("X/ms"); else the member over the leader
 * ("X/LEADER"). Returns how many.
 */
size_t profile_ratios(const struct profile *p, int event, struct profile_ratio *out);

/*
 * The ratios of event `event`, over one window: the weights of every event
 * they read, per function and per call-tree node. `query(ctx, e)` gives
 * event e's top-list in the window (the caller's filter with its event
 * set to e; caller frees). NULL when `event` has no ratios. Caller frees
 * with profile_ratio_set_free(); `p` is borrowed for its life.
 */
struct profile_ratio_set {
	size_t n;
	struct profile_ratio r[PROFILE_MAX_RATIOS];
	const struct profile *p;
	uint32_t nevents;
	struct profile_top **tops; /* per event: its top-list, or NULL when no ratio reads it */
	uint64_t **fn_self, **fn_total; /* per event read, per frame (nframes entries) */
	uint32_t nframes;
};
struct profile_ratio_set *profile_ratio_set_new(const struct profile *p, int event,
						struct profile_top *(*query)(void *ctx, int event),
						void *ctx);
void profile_ratio_set_free(struct profile_ratio_set *s);
/* Ratio `i` of function `frame`, of its self or total weights; NAN when the
 * denominator is 0. */
double profile_ratio_fn(const struct profile_ratio_set *s, size_t i, uint32_t frame, bool total);
/* Ratio `i` of call-tree node `node` (the profile's node ids), of its total
 * weights; NAN when the denominator is 0. */
double profile_ratio_node(const struct profile_ratio_set *s, size_t i, uint32_t node);
/* Writes ratio value `v` in at most 8 columns ("1.23", "0.00412", "-" for NAN). */
void profile_ratio_format(double v, char *buf, size_t size);

#endif
