/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The subsecond heatmap (FlameScope's view of a profile): seconds as
 * columns, slices of a second as rows, weight per cell. A periodic
 * problem (a timer, a GC every second, a burst at a fixed offset) shows as
 * a hot row; a one-off as a hot spot. Plain counting over sample times, so
 * report --format heatmap and the heatmap view read the same matrix, and
 * a rectangle of cells is a time window for every other view.
 */
#include "config.h"

#include "flametop/profile.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "flametop/util.h"
#include "internal.h"

#define SECOND 1000000000ull

static void too_large(struct ft_error *err, uint64_t seconds, uint64_t row_ns)
{
	error_set(err,
		  "a heatmap of %" PRIu64 " seconds in rows of %.1f ms is too large: "
		  "choose a shorter window or taller rows",
		  seconds, (double)row_ns / 1e6);
}

struct profile_heatmap *profile_heatmap_new(uint64_t row_ns, uint64_t from, uint64_t to,
					    struct ft_error *err)
{
	struct profile_heatmap *h;
	uint64_t first = from / SECOND, end = to / SECOND + (to % SECOND != 0), rows;

	if (row_ns < PROFILE_HEATMAP_MIN_ROW_NS || row_ns > SECOND) {
		error_set(err, "a heatmap row is 1 ms to 1 s high, not %.3f ms", (double)row_ns / 1e6);
		return NULL;
	}
	rows = (SECOND + row_ns - 1) / row_ns;
	if (end < first)
		end = first;
	if ((end - first) > PROFILE_HEATMAP_MAX_CELLS / rows) {
		too_large(err, end - first, row_ns);
		return NULL;
	}
	h = xcalloc(1, sizeof(*h));
	h->row_ns = row_ns;
	h->rows = (uint32_t)rows;
	h->first = first;
	h->ncols = end - first;
	h->cells = xcalloc(h->ncols ? h->ncols * rows : 1, sizeof(*h->cells));
	return h;
}

void profile_heatmap_free(struct profile_heatmap *h)
{
	if (!h)
		return;
	free(h->cells);
	free(h);
}

void profile_heatmap_add(struct profile_heatmap *h, uint64_t time, uint64_t weight)
{
	uint64_t sec = time / SECOND, *cell;

	if (sec < h->first || sec - h->first >= h->ncols)
		return;
	cell = &h->cells[(sec - h->first) * h->rows + (time - sec * SECOND) / h->row_ns];
	*cell += weight;
	h->total += weight;
	if (*cell > h->max)
		h->max = *cell;
}

void profile_heatmap_span(const struct profile_heatmap *h, uint64_t c0, uint32_t r0, uint64_t c1,
			  uint32_t r1, uint64_t *from, uint64_t *to)
{
	uint64_t a = (h->first + c0) * SECOND + (uint64_t)r0 * h->row_ns;
	uint64_t b = (h->first + c1) * SECOND + (uint64_t)r1 * h->row_ns;
	uint64_t hi = a > b ? a : b;
	uint64_t row_end = (hi % SECOND) + h->row_ns > SECOND ? hi - hi % SECOND + SECOND
							      : hi + h->row_ns;

	*from = a < b ? a : b;
	*to = row_end;
}

/*
 * Counting many samples (the queries below): a pass over up to millions,
 * so per sample no call, no division and no write but the cell's. The row
 * is the offset in the second times the row height's inverse (Lemire's
 * fastdiv, exact for 32-bit numerators and divisors: the offset is under
 * 1e9 < 2^32); the second's division is by a constant, which the compiler
 * makes a multiply. The total and the largest cell are summed at the end.
 */

static void count_init(struct heat_count *k, struct profile_heatmap *h)
{
	k->h = h;
	k->inv = UINT64_MAX / h->row_ns + 1;
	k->total = 0;
}

static inline uint32_t row_of(const struct heat_count *k, uint32_t off)
{
#ifdef __SIZEOF_INT128__
	return (uint32_t)(((unsigned __int128)k->inv * off) >> 64);
#else
	return (uint32_t)(off / k->h->row_ns);
#endif
}

/* Adds `weight` at `time`, if in the heatmap's seconds. */
static inline void count(struct heat_count *k, uint64_t time, uint64_t weight)
{
	uint64_t sec = time / SECOND, c = sec - k->h->first; /* before first: wraps, skipped */

	if (c >= k->h->ncols)
		return;
	k->h->cells[c * k->h->rows + row_of(k, (uint32_t)(time - sec * SECOND))] += weight;
	k->total += weight;
}

static void count_end(struct heat_count *k)
{
	struct profile_heatmap *h = k->h;
	uint64_t i, n = h->ncols * h->rows;

	h->total += k->total;
	for (i = 0; i < n; i++)
		if (h->cells[i] > h->max)
			h->max = h->cells[i];
}

/* Whether `f` selects by the sample's time and event alone (no matcher needed). */
static bool plain_filter(const struct profile_filter *f)
{
	return f->pid < 0 && f->tid < 0 && !f->comm && !f->include && !f->exclude;
}

/*
 * Columns up to second `sec` (a sample after the session's duration), the
 * capacity doubling. False when that passes PROFILE_HEATMAP_MAX_CELLS.
 */
static bool grow_to(struct profile_heatmap *h, uint64_t *cap, uint64_t sec)
{
	uint64_t c = sec - h->first, limit = PROFILE_HEATMAP_MAX_CELLS / h->rows, want;

	if (c >= limit)
		return false;
	if (c >= *cap) {
		want = *cap * 2 > c + 1 ? *cap * 2 : c + 1;
		if (want > limit)
			want = limit;
		h->cells = xreallocarray(h->cells, want * h->rows, sizeof(*h->cells));
		memset(h->cells + *cap * h->rows, 0, (want - *cap) * h->rows * sizeof(*h->cells));
		*cap = want;
	}
	h->ncols = c + 1;
	return true;
}

void heat_acc_init(struct heat_acc *a, const struct profile_filter *f, uint64_t row_ns)
{
	memset(a, 0, sizeof(*a));
	a->f = *f;
	a->row_ns = row_ns;
	a->open = !f->to || f->to == UINT64_MAX;
	a->plain = plain_filter(f);
}

/* The heatmap's columns once the window is known: f's, or from f->from on. */
static bool heat_acc_start(struct heat_acc *a, struct ft_error *err)
{
	a->h = profile_heatmap_new(a->row_ns, a->f.from, a->open ? a->f.from : a->f.to, err);
	if (!a->h)
		return false;
	a->cap = a->h->ncols;
	a->limit = a->open ? (a->h->first + a->h->ncols) * SECOND : UINT64_MAX;
	count_init(&a->k, a->h);
	return true;
}

void heat_acc_add(struct heat_acc *a, const struct profile *p, struct profile_matcher *m,
		  const struct profile_sample *s, size_t n)
{
	const struct profile_sample *end = s + n;
	const struct profile_filter *f = &a->f;

	if (!a->h && !a->failed && !heat_acc_start(a, &a->err))
		a->failed = true;
	for (; s < end; s++) {
		if (a->failed) {
			/* Too large: what it would take is up to the last sample. */
			if (s->time > a->last)
				a->last = s->time;
			continue;
		}
		if (s->time >= a->limit) {
			if (!grow_to(a->h, &a->cap, s->time / SECOND)) {
				a->failed = a->overflow = true;
				a->last = s->time;
				continue;
			}
			a->limit = (a->h->first + a->h->ncols) * SECOND;
		}
		if (s->node >= p->nnodes)
			continue;
		if (a->plain ? (f->event >= 0 && (int)s->event != f->event) || s->time < f->from ||
				       (f->to && s->time >= f->to)
			     : !profile_matcher_match(m, p, s))
			continue;
		count(&a->k, s->time, s->weight);
	}
}

struct profile_heatmap *heat_acc_done(struct heat_acc *a, const struct profile *p,
				      struct ft_error *err)
{
	struct profile_heatmap *h;
	uint64_t to = p->meta.duration_ns, end;

	if (!a->h && !a->failed && !heat_acc_start(a, &a->err))
		a->failed = true;
	if (a->failed && !a->overflow) {
		*err = a->err;
		return NULL;
	}
	/* Open-ended: to the session's end, or its last sample if any came
	 * after (the columns grew as such samples came). */
	if (a->open) {
		if (to < a->f.from)
			to = a->f.from;
		end = to / SECOND + (to % SECOND != 0);
		if (end - a->h->first > PROFILE_HEATMAP_MAX_CELLS / a->h->rows) {
			too_large(err, end - a->h->first, a->row_ns);
			return NULL;
		}
		if (a->overflow) {
			too_large(err, a->last / SECOND + 1 - a->h->first, a->row_ns);
			return NULL;
		}
		if (end > a->h->first + a->h->ncols)
			grow_to(a->h, &a->cap, end - 1);
	}
	count_end(&a->k);
	h = a->h;
	a->h = NULL;
	return h;
}

void heat_acc_free(struct heat_acc *a)
{
	profile_heatmap_free(a->h);
	a->h = NULL;
}

struct profile_heatmap *profile_query_heatmap(const struct profile *p,
					      const struct profile_filter *f, uint64_t row_ns,
					      struct ft_error *err)
{
	struct profile_tally_spec spec = { .parts = PROFILE_TALLY_HEATMAP, .row_ns = row_ns };
	struct profile_tally *t = profile_tally_new(p, f, &spec);
	struct profile_heatmap *h;

	profile_tally_add(t, p->samples, p->nsamples);
	h = profile_tally_heatmap(t, err);
	profile_tally_free(t);
	return h;
}

/* ------------------------------------------------------------------------
 * The store for live data.
 */

/*
 * 16 bytes: a sample, or a run of them of one stack, thread and event in
 * one slice. The process is the thread's, looked up when a filter asks.
 * A slice (time / slice_ns) is kept as its low 24 bits: the store's newest
 * slice says which 2^24 slices they are in (466 hours of 100 ms, 46 of
 * 10 ms), and older entries are dropped. Events from HEAT_EVENT_OTHER on
 * share that value: they count when all events are asked for, and a query
 * for one of them finds nothing (only an import has so many).
 */
#define HEAT_SLICE_BITS 24
#define HEAT_SLICE_MASK ((UINT32_C(1) << HEAT_SLICE_BITS) - 1)
#define HEAT_EVENT_OTHER 255
struct heat_entry {
	uint32_t weight; /* a heavier sample takes several entries */
	uint32_t node;
	uint32_t tid;
	uint32_t slice_event; /* slice & HEAT_SLICE_MASK | event << HEAT_SLICE_BITS */
};

/*
 * A ring of max_entries: the oldest entry is v[head], the newest
 * v[(head + n - 1) % cap]. It is allocated at its full size on the first
 * add, so it never grows by copies nor compacts; its pages are touched as
 * it first fills (`used` counts them), then reused. A big array (util.h):
 * in huge pages where the kernel gives them, 8 faults for 16 MiB instead
 * of 4,096, each of which costs microseconds in a VM.
 */
struct profile_heatstore {
	uint64_t slice_ns;
	struct heat_entry *v;
	size_t cap; /* max_entries */
	size_t head, n;
	size_t used; /* entries ever written: the array's resident part */
	uint64_t since; /* complete from here */
	uint64_t newest; /* the latest sample time + 1 */
	uint64_t top; /* the newest entry's slice: entries are within 2^24 below */
};

static uint64_t entry_slice(const struct profile_heatstore *h, const struct heat_entry *e)
{
	return h->top - ((h->top - e->slice_event) & HEAT_SLICE_MASK);
}

static unsigned entry_event(const struct heat_entry *e)
{
	return e->slice_event >> HEAT_SLICE_BITS;
}

struct profile_heatstore *profile_heatstore_new(uint64_t slice_ns, size_t max_bytes)
{
	struct profile_heatstore *h = xcalloc(1, sizeof(*h));

	h->slice_ns = slice_ns ? slice_ns : PROFILE_HEATMAP_MIN_ROW_NS;
	h->cap = max_bytes / sizeof(struct heat_entry);
	if (h->cap < 1024)
		h->cap = 1024;
	return h;
}

void profile_heatstore_free(struct profile_heatstore *h)
{
	if (!h)
		return;
	xbig_free(h->v, h->cap, sizeof(*h->v));
	free(h);
}

/* Drops the oldest `k` entries (in arrival order, which is about time
 * order); the store is complete after the newest slice dropped. */
static void heat_drop(struct profile_heatstore *h, size_t k)
{
	if (k > h->n)
		k = h->n;
	for (; k; k--) {
		uint64_t end = (entry_slice(h, &h->v[h->head]) + 1) * h->slice_ns;

		if (end > h->since)
			h->since = end;
		h->head = h->head + 1 == h->cap ? 0 : h->head + 1;
		h->n--;
	}
}

/* A newer slice than any: the entries 2^24 slices or more below it go. */
static void heat_raise(struct profile_heatstore *h, uint64_t slice)
{
	if (!h->n || slice - h->top > HEAT_SLICE_MASK) {
		heat_drop(h, h->n);
	} else {
		while (h->n && entry_slice(h, &h->v[h->head]) + HEAT_SLICE_MASK < slice)
			heat_drop(h, 1);
	}
	h->top = slice;
}

/* The ring's entry `k` places after the oldest (k < cap), without a division. */
static inline struct heat_entry *heat_at(const struct profile_heatstore *h, size_t k)
{
	size_t i = h->head + k;

	return &h->v[i < h->cap ? i : i - h->cap];
}

/* Appends an entry at the ring's end, dropping the oldest when full. */
static void heat_put(struct profile_heatstore *h, uint32_t weight, const struct profile_sample *s,
		     uint32_t slice_event)
{
	struct heat_entry *e;

	if (h->n == h->cap) {
		/* Full: the oldest goes (heat_drop(h, 1), without its loop),
		 * and the entry takes its place. */
		uint64_t end = (entry_slice(h, &h->v[h->head]) + 1) * h->slice_ns;

		if (end > h->since)
			h->since = end;
		e = &h->v[h->head];
		h->head = h->head + 1 == h->cap ? 0 : h->head + 1;
	} else {
		e = heat_at(h, h->n);
		h->n++;
	}
	e->weight = weight;
	e->node = s->node;
	e->tid = s->tid;
	e->slice_event = slice_event;
}

void profile_heatstore_add(struct profile_heatstore *h, const struct profile_sample *s, size_t n)
{
	/* The slice of the last sample and its start: the next sample is
	 * nearly always in it (no division). An earlier time wraps the
	 * difference past slice_ns. */
	uint64_t slice = 0, slice_start = 0;
	size_t i;

	if (!n)
		return;
	if (!h->v)
		h->v = xbig_reallocarray(NULL, 0, h->cap, sizeof(*h->v));
	for (i = 0; i < n; i++) {
		uint64_t w = s[i].weight;
		uint32_t event = s[i].event < HEAT_EVENT_OTHER ? s[i].event : HEAT_EVENT_OTHER;
		uint32_t tag;
		struct heat_entry *e;

		if (s[i].time - slice_start >= h->slice_ns) {
			slice = s[i].time / h->slice_ns;
			slice_start = slice * h->slice_ns;
		}
		tag = (uint32_t)(slice & HEAT_SLICE_MASK) | event << HEAT_SLICE_BITS;
		if (s[i].time < h->since || (h->n && slice + HEAT_SLICE_MASK < h->top))
			continue;
		if (s[i].time + 1 > h->newest)
			h->newest = s[i].time + 1;
		if (!h->n || slice > h->top)
			heat_raise(h, slice);
		/* The same stack again in the same slice: one entry (a hot loop's
		 * samples come in runs). */
		e = h->n ? heat_at(h, h->n - 1) : NULL;
		if (e && e->slice_event == tag && e->node == s[i].node && e->tid == s[i].tid &&
		    e->weight <= UINT32_MAX - w) {
			e->weight += (uint32_t)w;
			continue;
		}
		for (; w > UINT32_MAX; w -= UINT32_MAX)
			heat_put(h, UINT32_MAX, &s[i], tag);
		heat_put(h, (uint32_t)w, &s[i], tag);
	}
	if (h->used < h->cap)
		h->used = h->n > h->used ? h->n : h->used;
}

void profile_heatstore_forget(struct profile_heatstore *h, uint64_t before)
{
	size_t k = 0;

	while (k < h->n && entry_slice(h, heat_at(h, k)) * h->slice_ns < before)
		k++;
	if (k)
		heat_drop(h, k);
	if (before > h->since)
		h->since = before;
}

uint64_t profile_heatstore_since(const struct profile_heatstore *h)
{
	return h->since;
}

size_t profile_heatstore_memory(const struct profile_heatstore *h)
{
	return sizeof(*h) + h->used * sizeof(*h->v);
}

/* Counts the entries e[0 .. n) that f selects into k. */
static void heat_count_entries(const struct profile_heatstore *h, const struct profile *p,
			       const struct profile_filter *f, struct profile_matcher *pm,
			       const struct heat_entry *e, size_t n, struct heat_count *k)
{
	const struct heat_entry *end = e + n;

	for (; e < end; e++) {
		struct profile_sample s = { .time = entry_slice(h, e) * h->slice_ns,
					    .weight = e->weight,
					    .node = e->node,
					    .tid = e->tid,
					    .event = (uint16_t)entry_event(e) };

		if (e->node >= p->nnodes)
			continue;
		if (!pm) {
			if ((f->event < 0 || (int)s.event == f->event) && s.time >= f->from &&
			    (!f->to || s.time < f->to))
				count(k, s.time, s.weight);
			continue;
		}
		if (f->pid >= 0) {
			const struct profile_thread *th = profile_find_thread(p, e->tid);

			s.pid = th ? th->pid : UINT32_MAX;
		}
		if (profile_matcher_match(pm, p, &s))
			count(k, s.time, s.weight);
	}
}

struct profile_heatmap *profile_heatstore_query(const struct profile_heatstore *h,
						const struct profile *p,
						const struct profile_filter *f, uint64_t row_ns,
						struct ft_error *err)
{
	struct profile_heatmap *m;
	struct profile_matcher pm;
	struct heat_count k;
	uint64_t to = f->to && f->to != UINT64_MAX ? f->to : h->newest;
	bool plain = plain_filter(f);
	size_t first = h->n < h->cap - h->head ? h->n : h->cap - h->head;

	row_ns = (row_ns + h->slice_ns - 1) / h->slice_ns * h->slice_ns;
	m = profile_heatmap_new(row_ns, f->from, to < f->from ? f->from : to, err);
	if (!m)
		return NULL;
	count_init(&k, m);
	if (!plain)
		profile_matcher_init(&pm, p, f);
	/* The ring's two parts, oldest first. */
	if (h->n && f->event < HEAT_EVENT_OTHER) {
		heat_count_entries(h, p, f, plain ? NULL : &pm, h->v + h->head, first, &k);
		heat_count_entries(h, p, f, plain ? NULL : &pm, h->v, h->n - first, &k);
	}
	if (!plain)
		profile_matcher_free(&pm);
	count_end(&k);
	return m;
}
