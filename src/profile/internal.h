/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the profile module's files share and nothing outside it sees: the
 * sums a tally (tally.c) keeps for the location and heatmap queries,
 * whose code lives with those queries (hits.c, heatmap.c), so that a
 * query over a whole profile and one fed a batch at a time are one code.
 */
#ifndef FLAMETOP_PROFILE_INTERNAL_H
#define FLAMETOP_PROFILE_INTERNAL_H

#include "flametop/profile.h"

/* hits.c: weights per location and per chain (the lines' self and total). */
struct locs_acc {
	const struct profile *p; /* borrowed; may grow between additions */
	struct profile_locs *l;
	struct u64map index, chain_index;
	size_t cap, chains_cap;
};
void locs_acc_init(struct locs_acc *a, const struct profile *p, uint32_t frame);
/* Adds a sample the filter selected (its node in the tree). */
void locs_acc_sample(struct locs_acc *a, const struct profile_sample *s);
/* The sums, sorted by id (caller frees with profile_locs_free()); `a` is then spent. */
struct profile_locs *locs_acc_done(struct locs_acc *a);
/* Frees what a spent or unused `a` holds. */
void locs_acc_free(struct locs_acc *a);

/* heatmap.c: counting samples into cells (see there). */
struct heat_count {
	struct profile_heatmap *h;
	uint64_t inv; /* UINT64_MAX / row_ns + 1 */
	uint64_t total;
};

/*
 * A heatmap counted a batch at a time. With an open window (f->to 0 or
 * UINT64_MAX) its columns grow with the samples' times, and reach the
 * session's duration at the end (as the profile's meta says then), so
 * the duration need not be known before the samples are.
 */
struct heat_acc {
	struct profile_filter f;
	uint64_t row_ns;
	bool open, plain;
	struct profile_heatmap *h; /* NULL until the first batch */
	struct heat_count k;
	uint64_t cap, limit;
	bool failed, overflow; /* too large: err, or a sample's column (overflow) */
	uint64_t last; /* overflow: the latest sample time from the one that failed on */
	struct ft_error err;
};
void heat_acc_init(struct heat_acc *a, const struct profile_filter *f, uint64_t row_ns);
/* Counts the samples `m` (a matcher of `p` with a's filter) selects. */
void heat_acc_add(struct heat_acc *a, const struct profile *p, struct profile_matcher *m,
		  const struct profile_sample *s, size_t n);
/* The heatmap (caller frees), or NULL with `err` filled; `a` is then spent. */
struct profile_heatmap *heat_acc_done(struct heat_acc *a, const struct profile *p,
				      struct ft_error *err);
void heat_acc_free(struct heat_acc *a);

#endif
