/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Text renderers of the profile model: the `report` subcommand's text,
 * JSON and folded (collapsed stack) formats. The TUI and tests read the
 * same model; this is the plain-text view of it.
 */
#ifndef FLAMETOP_REPORT_H
#define FLAMETOP_REPORT_H

#include <stdio.h>

#include "flametop/profile.h"
#include "flametop/symbols.h"
#include "flametop/util.h"

enum report_format {
	REPORT_TEXT,
	REPORT_JSON,
	REPORT_FOLDED,
	REPORT_HEATMAP,
};

struct report_options {
	enum report_format format;
	unsigned top; /* functions listed in text (0: all) */
	struct profile_filter filter;
	const char *source; /* shown in the text header: the session's path */
	const char *include, *exclude; /* the filter's patterns as typed, for the header */
	bool lines; /* text: the hottest source lines instead of functions; json: adds "lines" */
	/* Where --lines says why a module has no lines; NULL: quiet. */
	struct ft_notice *notice;
	/*
	 * --baseline: the profile to compare with (borrowed; NULL: none) and
	 * its window and filters. Its event -1 means the event of the same
	 * name as the report's, else its first; its unit must be the
	 * report's (profile_diff_check_units). Text lists functions by change
	 * of self share, JSON adds "baseline" and per function
	 * "baseline_self", "baseline_total", folded writes each stack's two
	 * weights, the baseline's first (flamegraph.pl's differential input).
	 */
	const struct profile *baseline;
	struct profile_filter baseline_filter;
	const char *baseline_source;
	/* --format folded: each stack's number of samples, not its weights
	 * summed in the event's unit (--weight samples). */
	bool sample_weights;
	/* --format folded: kernel frames end in "_[k]" (--annotate-kernel). */
	bool annotate_kernel;
	/* --format heatmap: the height of a row, ns (0: 20 ms). */
	uint64_t row_ns;
};

/* 0, or -EINVAL when `name` is no format. */
int report_parse_format(const char *name, enum report_format *out);
/*
 * How event `event` (an index into p->events) was sampled: every that
 * many events (1: each), or 0 at p->meta.frequency (or, where that is 0,
 * by a period not known). A group member's is its leader's. Where the
 * session did not say (before format 1.8, an import), guessed from the
 * name (sampler_event_every), which depends on this machine's tracefs.
 */
uint64_t report_event_period(const struct profile *p, int event);
/* Whether an event of `p` is sampled at -F, not every so many of its
 * events: whether a frequency means anything for it. */
bool report_any_at_frequency(const struct profile *p);
/*
 * Whether the totals of event `event` (an index into p->events) are
 * estimates: a software count sampled at -F (sampler_event_soft_count),
 * not a group's member, whose counts are read.
 */
bool report_total_estimated(const struct profile *p, int event);
/*
 * Writes the report of the whole profile `p` (and of o->baseline): a
 * report fed all their samples. 0 or -errno (with `err` filled).
 */
int report_write(FILE *out, const struct profile *p, const struct report_options *o,
		 struct ft_error *err);

/*
 * A report counted as a session is read, a batch of samples at a time, so
 * that the samples need not all be held: it keeps the sums its format
 * reads (profile_tally), written once the sessions are read whole.
 *
 * report_new() takes the profile being read (borrowed for the report's
 * life; it may grow: events and metadata are needed now, the rest as it
 * comes) and the options (copied; the pointers in them borrowed); NULL
 * with `err` for options that do not go together or an event the profile
 * lacks. With o->baseline_source set, a baseline follows: report_baseline()
 * with its profile and filter (read the same way; borrowed likewise) before its
 * samples. Every batch of samples is added once, in any order, and may be
 * dropped after. report_finish() writes the report, once both profiles
 * are whole (their durations known: read to the end); 0 or -errno.
 * Free with report_free().
 */
struct report;
struct report *report_new(const struct profile *p, const struct report_options *o,
			  struct ft_error *err);
/* The baseline's window and filters (`bf`, as o->baseline_filter; copied),
 * its event chosen and its unit checked. 0, or -EINVAL with `err`. */
int report_baseline(struct report *r, const struct profile *bp, const struct profile_filter *bf,
		    struct ft_error *err);
void report_add(struct report *r, const struct profile_sample *s, size_t n);
void report_add_baseline(struct report *r, const struct profile_sample *s, size_t n);
int report_finish(FILE *out, struct report *r, struct ft_error *err);
/* Bytes of memory the report's sums hold. */
size_t report_memory(const struct report *r);
void report_free(struct report *r);

/*
 * Source lines (lines.c): the samples' leaf locations, summed per source
 * line and function (self), and the location chains of the samples whose
 * stack passed through the function, summed the same way (total: the
 * line where the function was, the hit address when it was the leaf, the
 * call when it called). A location that has no line (its module is gone
 * or has no DWARF, or the compiler said nothing) counts under its
 * function with `file` NULL, shown as "?:0".
 */
struct report_line {
	const char *file; /* borrowed from the symbols_lines asked; NULL: unknown */
	unsigned line;
	uint32_t frame; /* the function */
	uint64_t self; /* weight of the samples hit on this line */
	/* weight of the samples whose stack was on this line of the function,
	 * each once however often (recursion); 0 when !totals_known */
	uint64_t total;
};

/* One location of the rows, with its line: for a view that lists addresses. */
struct report_loc {
	uint32_t location;
	const char *file; /* as report_line */
	unsigned line;
	uint64_t self, total; /* as report_line, for this address alone */
};

struct report_lines {
	struct report_line *lines; /* by self, then total, descending, then file, line, frame */
	size_t nlines;
	struct report_loc *locs; /* the locations merged into the lines, by location id */
	size_t nlocs;
	uint64_t total; /* weight of all the samples asked about */
	uint64_t located; /* of which samples with a recorded location */
	/* The profile has location chains: the totals are known (else the
	 * session is older than format 1.4, or an import). */
	bool totals_known;
	uint64_t chained; /* weight of the samples the totals are of */
};

/*
 * The rows of per-location weights (from profile_query_locations() or
 * profile_hits_query(); borrowed): each location's line, the locations of
 * one line and function merged. Caller frees with report_lines_free().
 */
struct report_lines *report_lines_build(const struct profile *p, const struct profile_locs *locs,
					struct symbols_lines *sl);
/*
 * The hottest lines among the samples `f` selects; only those of `frame`
 * unless that is PROFILE_NO_FRAME. Lines are found through `sl`
 * (which owns the file names). Caller frees with report_lines_free().
 */
struct report_lines *report_lines_query(const struct profile *p, const struct profile_filter *f,
					uint32_t frame, struct symbols_lines *sl);
void report_lines_free(struct report_lines *r);

#endif
