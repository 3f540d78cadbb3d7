/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Exporters: a query result written in another tool's format, for
 * flamegraph.pl and its kin (folded stacks), speedscope (its JSON file
 * format), pprof and Pyroscope (gzipped profile.proto), or a browser (an
 * interactive SVG flame graph). `flametop export`, report's folded
 * output, the explorer's export key and the Pyroscope pusher all go
 * through here.
 *
 * What an exporter reads is an export_input: the samples a query selected
 * (one event, one window), borrowed from the profile or made from a query's
 * per-node weights. Exporters are a const table (export.c): a name, the
 * file extension that implies it, a summary and a write function; adding
 * a format is one file and one table line.
 *
 * Every string that came from a profiled program or a session file passes
 * util_sanitize() before it is written, whatever the format: a flame graph
 * opened in a browser or a folded file shown in a terminal cannot be
 * driven by what a hostile process named itself.
 */
#ifndef FLAMETOP_EXPORT_H
#define FLAMETOP_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "flametop/profile.h"
#include "flametop/util.h"

/*
 * The samples to export. All are of one event (`event`, an index of
 * p->events; -1 when the profile has none) and lie in [from, to) (ns
 * since the session's start). Samples are in time order. When `threads`
 * is false the samples are merged across threads (a query's per-node
 * weights, as the explorer holds them): pid and tid are 0 and mean
 * nothing, and times are all `from`.
 */
struct export_runs;
struct export_input {
	const struct profile *p; /* borrowed */
	struct profile_sample *samples; /* owned */
	size_t nsamples;
	/* Owned; NULL: each sample is one. Else the samples are merged, one
	 * per (thread, stack, leaf address), counts[i] of them in samples[i]
	 * (its weight their sum, its pid its earliest's): an export tally's
	 * groups, ordered as export_tally_input() says. */
	uint64_t *counts;
	/* Owned; NULL: none. An export tally's per-thread stacks in time
	 * order, which speedscope writes instead of the samples. */
	struct export_runs *runs;
	int event;
	uint64_t from, to;
	bool threads;
	/* The number of samples is not known, only their weights (a query's
	 * per-node weights, which the explorer keeps without counts): each
	 * sample stands for an unknown number of them, so pprof writes no
	 * samples/count. */
	bool no_counts;
	/* Folded: each line's weight is its number of samples (what perf's
	 * stackcollapse writes and import reads back as samples), not the sum
	 * of their weights in the event's unit. A sample stands for `counts`'
	 * samples, or for its weight where the event's weights count samples
	 * (profile_event_counts_samples()), else for one. */
	bool sample_weights;
	/* Folded: a kernel frame's name ends in "_[k]", FlameGraph's
	 * annotation, which import reads back as a kernel frame. */
	bool annotate_kernel;
	/* Folded: the thread's name at a stack's head is "comm-PID/TID", as
	 * FlameGraph's stackcollapse-perf.pl --tid writes it, which import
	 * reads back as the sample's thread; a line per thread, not per name. */
	bool thread_ids;
	const char *title; /* what the data is ("prog.session"): borrowed, may be NULL */
	/* pprof: the samples are of every event of the profile (an export
	 * tally with EXPORT_TALLY_EVENTS), each a sample type of its own,
	 * `event` (the first) the default. Only pprof, whose samples hold a
	 * value per type, reads them so; the other formats write one event. */
	bool all_events;
	/* pprof: functions without source files and lines. Looking lines up
	 * reads each module's DWARF (megabytes once a debug package is
	 * installed), which a recorder pushing as it samples does not carry. */
	bool no_lines;
};

/*
 * The samples of `p` that `f` selects (profile_matcher semantics: pid,
 * tid, event, comm, include, exclude, window), of f's event or, when f
 * says any, the first. The window's end is f->to, else the session's
 * duration, else the last sample's time. `p` and `title` are borrowed.
 * Caller frees with export_input_free().
 */
struct export_input *export_input_from_profile(const struct profile *p,
					       const struct profile_filter *f, const char *title);
/*
 * A query result's per-node weights (top->node_self) as samples merged
 * across threads, one per node with weight, of `event`, over [from, to);
 * how many samples each node had is not known (no_counts). Caller frees
 * with export_input_free().
 */
struct export_input *export_input_from_top(const struct profile *p, const struct profile_top *top,
					   int event, uint64_t from, uint64_t to,
					   const char *title);
void export_input_free(struct export_input *in);

/*
 * An export tally: what the exporters write of the samples a filter
 * selects, summed a batch at a time (tally.c), so that a reader of a
 * session (export, push) counts each chunk's samples and drops them, as
 * report does with profile_tally. What it holds grows with the model and
 * the distinct (thread, stack, leaf address) groups; with RUNS, with the
 * runs of one stack in each thread's time order too (speedscope's file
 * holds every one): those past a cap go to an unlinked temporary file,
 * so that memory stays bounded however long the session. The exporters
 * write the same bytes of its input as of export_input_from_profile()'s
 * with the same filter.
 */
#define EXPORT_TALLY_GROUPS 1u /* folded, svg, pprof: per (thread, stack, leaf address) */
#define EXPORT_TALLY_PER_PID 2u /* groups per process too (push --per-process) */
#define EXPORT_TALLY_RUNS 4u /* speedscope: per thread, its stacks in time order */
/* With GROUPS, of a filter of no event (-1) on a profile of several: the
 * samples of every event, grouped per event too (the input's all_events). */
#define EXPORT_TALLY_EVENTS 8u

struct export_tally;
/*
 * A tally of `p`'s samples that `f` selects (as export_input_from_profile()
 * selects them: f's event or the first). `p` (which may grow while the
 * tally lives: a session being read) and the filter's patterns and name
 * are borrowed for the tally's life; `f` is copied. Never NULL.
 */
struct export_tally *export_tally_new(const struct profile *p, const struct profile_filter *f,
				      unsigned parts);
void export_tally_free(struct export_tally *t);

/*
 * What a RUNS tally holds in memory. A thread's samples within `lag_ns` of
 * the latest time the tally saw (at most `window_samples` of them) wait,
 * sorted, in a reorder window, so that a sample read late (a CPU's ring
 * drained late, a chunk's sample in the next) still finds its place; older
 * ones are collapsed into runs. Runs past `runs_memory` bytes in all are
 * written to a temporary file in $TMPDIR (else /tmp), a thread's in blocks
 * of about `block` bytes. The defaults (export_tally_new()'s) are
 * EXPORT_TALLY_LIMITS; tests set smaller ones.
 */
struct export_tally_limits {
	uint64_t lag_ns;
	uint32_t window_samples;
	size_t runs_memory, block;
};
#define EXPORT_TALLY_LIMITS                                                                        \
	((struct export_tally_limits){ .lag_ns = UINT64_C(4000000000),                             \
				       .window_samples = 16384,                                    \
				       .runs_memory = (size_t)16 << 20,                            \
				       .block = (size_t)16 << 10 })
/* Before the first export_tally_add(). */
void export_tally_set_limits(struct export_tally *t, const struct export_tally_limits *l);
/* Adds a batch of `p`'s samples (borrowed for the call), in the order they came. */
void export_tally_add(struct export_tally *t, const struct profile_sample *s, size_t n);
/* The samples selected so far. */
uint64_t export_tally_count(const struct export_tally *t);
/* RUNS: false when a thread's sample came later than its reorder window
 * (earlier than a sample already in its runs): the runs are then not its,
 * and the session must be read whole (export_input_from_profile()). */
bool export_tally_ordered(const struct export_tally *t);
/* RUNS: NULL, or why the runs could not be kept (the temporary file could
 * not be made or written: a full disk), one line; the tally is then of no
 * use. */
const char *export_tally_error(const struct export_tally *t);
/* Bytes of memory the tally holds (not what it wrote to its file). */
size_t export_tally_memory(const struct export_tally *t);
/*
 * The exporters' input (caller frees with export_input_free()) once every
 * sample was added and `p` is complete (its duration, its thread names):
 * GROUPS as merged samples (counts), ordered by where in time order each
 * group's weight was complete; RUNS as the input's runs. `t` is then
 * spent: only export_tally_free() is left.
 */
struct export_input *export_tally_input(struct export_tally *t, const char *title);

/* The unit of the input's weights: "ns", "bytes", "count" or "samples". */
const char *export_input_unit(const struct export_input *in);
/* Whether the input holds no sample (an export of it is empty). */
bool export_input_empty(const struct export_input *in);

struct exporter {
	const char *name; /* as --format takes it */
	const char *ext; /* the file extension that implies it (".svg") */
	const char *summary; /* a few words for --help */
	bool binary; /* not for a terminal */
	/* Writes `in` to `out`. 0, or -1 with `err` filled (one line). */
	int (*write)(FILE *out, const struct export_input *in, struct ft_error *err);
};

/* Borrowed (static): the exporters, in --help's order. */
const struct exporter *export_exporters(size_t *n);
/* The exporter called `name`, or NULL. */
const struct exporter *export_find(const char *name);
/* The exporter whose extension ends `path` (".pb.gz" before ".gz"), or NULL. */
const struct exporter *export_for_path(const char *path);

/*
 * Writes `in` with `ex` to `path` atomically: a temporary file beside it,
 * renamed over `path` once complete, so a failed export leaves no partial
 * file and an existing one as it was. The file is the user's alone
 * (mode 0600, as sessions are): profiles say what other processes do. 0, or -1 with `err` filled
 * ("PATH: reason").
 */
int export_to_file(const struct exporter *ex, const struct export_input *in, const char *path,
		   struct ft_error *err);

/*
 * The pprof encoding (pprof.c), also what the pusher sends: gzipped
 * profile.proto bytes into *data (malloc'd, caller frees) and *len. 0, or
 * -1 with `err` filled.
 */
int export_pprof_encode(const struct export_input *in, unsigned char **data, size_t *len,
			struct ft_error *err);
/* The sample type pprof and Pyroscope call the input's event ("cpu" for
 * the CPU clock and cycles; else the event's name), borrowed. */
const char *export_pprof_type(const struct export_input *in);
/* pprof's word for the input's unit: "nanoseconds", "bytes" or "count". */
const char *export_pprof_unit(const struct export_input *in);
/* A profile of several events: the sample type "T_samples" in "count"
 * before each event's type T is how many samples of that event a pprof
 * sample stands for (a sample of one event is no sample of another, so
 * no one samples/count holds them all). Import reads it back so. */
#define EXPORT_PPROF_COUNT_SUFFIX "_samples"

/* Each exporter's write (its table line uses it; tests too). */
int export_folded_write(FILE *out, const struct export_input *in, struct ft_error *err);
/* "stack BASELINE NOW" lines: the differential folded format. */
int export_folded_diff_write(FILE *out, const struct export_input *now,
			     const struct export_input *base, struct ft_error *err);
int export_speedscope_write(FILE *out, const struct export_input *in, struct ft_error *err);
int export_pprof_write(FILE *out, const struct export_input *in, struct ft_error *err);
int export_svg_write(FILE *out, const struct export_input *in, struct ft_error *err);

#endif
