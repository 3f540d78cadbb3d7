/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The rolling timeline: what was sampled, by time, aggregated into
 * buckets of (call-tree node, thread, event) -> (weight, samples). Recent
 * data is fine (1 s buckets), older data coarser (10 s after 15 minutes,
 * 1 min after 2 hours, 5 min after 6 hours: a day of a busy box fits the
 * default ceiling), data past the retention is dropped, and a memory
 * ceiling is kept by coarsening the oldest data further: memory stays
 * bounded and old data gets blurrier instead of lost.
 *
 * Queries take a window and a filter and give a top-list (and per-node
 * weights, the call tree the views draw). A live window keeps "the last N
 * seconds" current incrementally. A rate series tells where activity was.
 *
 * The timeline borrows the profile for its frames, nodes, strings and
 * threads (tid -> pid, comm); it never holds samples, only aggregates.
 * Times are ns since the session's start, as in profile samples.
 */
#ifndef FLAMETOP_TIMELINE_H
#define FLAMETOP_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flametop/profile.h"

#define TIMELINE_MAX_TIERS 4

/*
 * Data older than `age_ns` (behind the newest time) lives in buckets
 * `width_ns` wide. timeline_new() rounds each width up to a multiple of the
 * one before (the resolution first), so coarser buckets are exact unions of
 * finer ones.
 */
struct timeline_tier {
	uint64_t age_ns;
	uint64_t width_ns;
};

struct timeline_config {
	uint64_t resolution_ns; /* the finest buckets; default 1 s */
	struct timeline_tier tiers[TIMELINE_MAX_TIERS]; /* by increasing age */
	size_t ntiers; /* default: {15 min, 10 s}, {2 h, 60 s}, {6 h, 5 min} */
	uint64_t retention_ns; /* drop older data; 0: keep everything. Default 24 h */
	size_t max_memory; /* bytes; default 64 MiB */
};

void timeline_config_default(struct timeline_config *c);

struct timeline;

/*
 * `p` is borrowed and must outlive the timeline; it may grow (nodes,
 * threads, events) while the timeline is in use. `c` is copied; NULL means
 * the defaults. Not thread-safe: one thread adds, advances and queries.
 * Caller frees. Never NULL.
 */
struct timeline *timeline_new(const struct timeline_config *c, const struct profile *p);
void timeline_free(struct timeline *t);

/*
 * Adds samples (borrowed: only aggregates are kept). Samples may arrive
 * somewhat out of time order; one older than the retained data is counted
 * in stats.dropped and ignored.
 */
void timeline_add(struct timeline *t, const struct profile_sample *s, size_t n);

/*
 * Moves the timeline's clock to `now` (ns since the start; the clock is
 * also pushed by newer sample times, and never goes back): merges buckets
 * that aged into a coarser tier, drops data past the retention, and
 * coarsens the oldest data while memory is above the ceiling, dropping the
 * oldest buckets only when coarsening cannot help, and never the newest
 * (which may leave memory above a ceiling the tables alone outgrow). Call about once a
 * second; cheap when there is nothing to do.
 */
void timeline_advance(struct timeline *t, uint64_t now);

struct timeline_stats {
	size_t memory; /* bytes allocated (arrays at their capacity), what max_memory bounds */
	size_t buckets;
	uint64_t first, last; /* retained span, ns since the start */
	uint64_t samples; /* samples retained */
	uint64_t dropped; /* samples dropped: too old, or aged out */
};
void timeline_stats(const struct timeline *t, struct timeline_stats *out);

/*
 * How finely the data in [from, to) is kept (to 0: no upper bound): the
 * narrowest and the widest of the buckets overlapping the window, in ns,
 * both 0 when there are none. A window's edges and any step through it
 * are exact to the widest; the tiers and the memory ceiling make older
 * data coarser.
 */
void timeline_resolution(const struct timeline *t, uint64_t from, uint64_t to, uint64_t *finest,
			 uint64_t *coarsest);

/*
 * The span a query of [*from, *to) counts, as queries count whole buckets:
 * *from moved back to the start of the bucket holding it, *to forward to
 * the end of the bucket holding *to - 1; an edge no bucket holds (no data
 * there) is left as it is.
 */
void timeline_span(const struct timeline *t, uint64_t *from, uint64_t *to);

/*
 * The top-list of the samples in f's window [from, to) that pass `f`
 * (profile_matcher semantics: pid, tid, event, comm, include, exclude).
 * Buckets only partly inside the window count whole; the result's
 * first_time/last_time give the span actually covered: the start of the
 * first and the end (exclusive) of the last bucket with a matching sample,
 * both 0 when none matched. f->to == 0 means no upper bound. The thread
 * name is the thread's name now, as in profile_query_top(). A window that
 * takes in every bucket costs the keys, not the entries (per-key sums of
 * everything are kept); one that takes in most entries reads those
 * outside it, taken out of the sums, so no query reads more than half of
 * the entries. Caller frees.
 */
struct profile_top *timeline_query(struct timeline *t, const struct profile_filter *f);

/*
 * A live window over the last `span_ns` before the timeline's clock (the
 * newest sample time or advance() time), kept current as samples are
 * added: refreshing costs the new data and the buckets leaving the window,
 * not the history. Its top-list equals timeline_query() with from = clock -
 * span_ns (UINT64_MAX: everything retained; buckets merged into coarser
 * ones cost it nothing). `f`'s from/to are ignored; `f` is copied, its comm and regexes
 * are borrowed. timeline_free() frees the live windows still open (do not
 * free them after it).
 */
struct timeline_live;
struct timeline_live *timeline_live_new(struct timeline *t, const struct profile_filter *f,
					uint64_t span_ns);
void timeline_live_free(struct timeline_live *l);
/*
 * The window's top-list now: always the same pointer, its contents
 * rebuilt in place (profile_top_rebuild) when something changed.
 * Borrowed, valid until the next call or free.
 */
const struct profile_top *timeline_live_top(struct timeline_live *l);
/*
 * The same for a reader of the call tree alone (node_self, node_total,
 * the totals and times): the functions may be left unlisted (fns_later,
 * nfns 0; profile_top_rebuild_nodes()), which costs the nodes only. The
 * same pointer as timeline_live_top(); a later timeline_live_top() lists
 * them.
 */
const struct profile_top *timeline_live_nodes(struct timeline_live *l);

/*
 * Samples (counts, not weights) of `event` (-1: all) in `n` equal steps of
 * [from, to), for the timeline strip and heatmap. Steps finer than the
 * data's buckets are filled from a sub-second series kept for recent data
 * (100 ms) where available, else spread evenly over the bucket; a bucket
 * or a slot the clock is inside is spread up to the clock, after which no
 * sample is (all at one time: one step holds them). Counts are
 * whole numbers: over a range made of whole buckets they sum exactly to the
 * samples in it.
 */
void timeline_rate(const struct timeline *t, uint64_t from, uint64_t to, int event,
		   uint64_t *counts, size_t n);

/*
 * timeline_rate() of the samples `f` passes (its threads, process, thread
 * name, event and function patterns; its window is ignored). With only an
 * event in `f` it is timeline_rate() of that event; otherwise each bucket's
 * samples that pass are spread evenly over it (the newest bucket: up to the
 * clock), as the sub-second series does not know threads or stacks.
 * Counting reads every entry of every bucket in [from, to); with a cache
 * `c` (NULL: none), a bucket counted before and unchanged since (its span
 * and its number of samples) is not read again, so a live view that
 * redraws its strip each second reads only the newest buckets.
 */
struct timeline_count_cache;
struct timeline_count_cache *timeline_count_cache_new(void);
/* Forgets every count: call it when the filter changes. */
void timeline_count_cache_reset(struct timeline_count_cache *c);
void timeline_count_cache_free(struct timeline_count_cache *c);
void timeline_rate_filter(const struct timeline *t, uint64_t from, uint64_t to,
			  const struct profile_filter *f, struct timeline_count_cache *c,
			  uint64_t *counts, size_t n);

#endif
