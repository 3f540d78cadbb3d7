/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The rolling timeline: samples aggregated by time into buckets, kept
 * bounded in memory by making old data coarser, then dropping it.
 *
 * Layout. A bucket covers [start, start + width) and holds entries of 12
 * bytes: (key, weight:count). A key is an index into a per-timeline table
 * of (node, stream) pairs, a stream an index into a table of (pid, tid,
 * event) triples; the weight (44 bits) and sample count (20 bits) share
 * one word. Interning the pair costs a table the size of the distinct
 * pairs seen (a few thousand, counted in the memory) and saves a quarter
 * of every entry, where nearly all the memory is. A sum that would
 * not fit is kept as a second entry with the same key, so totals stay
 * exact whatever the data; a sample heavier than 2^44 becomes several
 * entries, one carrying the count. A bucket's entries are in two parts:
 * the packed part, sorted by key and combined, and the pending part,
 * appended as samples arrive (in or out of time order), one 12-byte entry
 * per key for each run of samples in the bucket (timeline_add sums a
 * run by key first: struct tl_aggs), and folded into the packed part at
 * the next timeline_advance(), or sooner when they outnumber it. Queries sum both
 * parts alike, so nothing is ever "not yet visible". The packed part is
 * a bit stream of Rice codes (bucket_pack): key deltas, counts, and
 * weights as the difference from count times the bucket's mean weight per
 * sample, a few bits an entry to 3.5 bytes (cycle-like weights) instead of
 * 12, which is what lets a day of history at the default tiers fit the
 * default ceiling. Entries are sorted by key
 * (the order keys were first seen: any fixed order makes merging work).
 * Buckets live in one array ordered by time, with gaps where nothing was
 * sampled.
 *
 * Widths form one chain: the resolution, each tier's width (rounded up to
 * a multiple of the one before), then doublings of the last. Every bucket
 * is aligned to its width, so two buckets either nest or are disjoint and
 * a coarser bucket is always the union of the finer ones it replaces:
 * merging buckets is merging sorted arrays, and totals stay exact.
 * New buckets always start at the resolution; timeline_advance() merges
 * the buckets of each aligned slot once the whole slot is older than its
 * tier's age.
 *
 * Memory. timeline_stats().memory is what the timeline allocated: packed
 * entries, pending arrays at their capacity, the bucket array, the
 * stream and key tables and the sub-second ring. When it is above max_memory,
 * advance() coarsens old data first: the finest buckets in the older half
 * of the retained span go up one width of the chain (the new slot within
 * the span), again and again, so resolution ends up about proportional to
 * age. When that is no longer possible, or a pass saved almost nothing
 * (a flood of distinct stacks), the oldest bucket is dropped and its
 * samples counted in stats.dropped; never the newest, which stays even
 * when its own keys and streams outgrow the ceiling (a fork storm under a
 * tiny one). Above the ceiling, the keys and then the streams (threads)
 * that only dropped buckets used are forgotten and the rest renumbered, so
 * a box that starts processes all day keeps its tables to what is retained. Retention drops whole buckets that ended before
 * now - retention. Samples older than what was dropped are refused (and
 * counted) so that nothing reappears in a window that was dropped.
 *
 * Queries select the buckets overlapping the window (partly covered ones
 * count whole) and add each entry to a per-node array, which
 * profile_top_build() turns into the top-list. The filter is the
 * profile_matcher: a stream passes or fails once per query (a fake sample
 * with its pid, tid and event, checked by a matcher without patterns) and
 * a node through profile_matcher_node(), so the cost is a look-up of the
 * key and one array lookup per entry. A window that takes in every bucket
 * (the whole retained span, the commonest wide query) reads per-key sums
 * of everything instead, kept as samples are added and buckets dropped
 * (16 bytes a key, in the memory figure): its cost is the keys, not the
 * day of entries.
 *
 * A live window counts the buckets whose end is after its cut (now - span)
 * in its own per-node array. Each sample added to such a bucket is added to
 * every live window as it arrives; when the cut moves, the buckets it
 * passed are subtracted entry by entry. A merge or drop that touches a
 * bucket ending after a window's cut marks that window stale, and it is
 * rebuilt from the buckets in its span (never the whole history). "now" is
 * the newest of the sample times and the clock given to advance().
 *
 * Rates come from per-bucket counts per event and, for recent data, a ring
 * of 100 ms slots (per event) that covers the finest tier's age; a bucket
 * some of whose samples missed the ring (they came too late) falls back to
 * its own count spread evenly.
 */
#include "config.h"

#include "flametop/timeline.h"

#include <stdlib.h>
#include <string.h>

#include "flametop/profile.h"
#include "flametop/util.h"

#define NS_PER_SEC UINT64_C(1000000000)
#define SUB_NS (NS_PER_SEC / 10)
#define COUNT_BITS 20
#define COUNT_MAX ((UINT64_C(1) << COUNT_BITS) - 1)
#define WEIGHT_MAX ((UINT64_C(1) << (64 - COUNT_BITS)) - 1)
/* Pending entries are sorted in once they outnumber the sorted ones and this. */
#define PENDING_MIN 4096

/* Packed to 12 bytes (x86-64 and arm64 read the unaligned word fine). */
struct tl_entry {
	uint32_t key; /* index into timeline.keys */
	uint64_t wc; /* weight << COUNT_BITS | count */
} __attribute__((packed, aligned(4)));
_Static_assert(sizeof(struct tl_entry) == 12, "timeline entries are 12 bytes");

/* What a key stands for. */
struct tl_key {
	uint32_t node;
	uint32_t stream;
};

struct tl_stream {
	uint32_t pid, tid;
	uint32_t event;
};

struct tl_bucket {
	uint64_t start, width;
	uint8_t *packed; /* the sorted entries, encoded (see bucket_pack) */
	uint32_t packed_len, npacked;
	uint64_t unit; /* the weight per sample the encoding predicts from */
	uint8_t kd, kc, kr; /* the encoding's Rice parameters (see bucket_pack) */
	bool rscale; /* the residual's parameter widens with the count */
	uint32_t off_count; /* where the counts' stream starts in packed */
	struct tl_entry *e; /* pending entries, in arrival order */
	uint32_t n, cap;
	uint32_t nev; /* entries in ev */
	uint32_t off_resid; /* where the residuals' stream starts in packed */
	uint64_t *ev; /* samples per event */
	uint64_t samples;
	bool sub_missed; /* some samples are not in the sub-second ring */
};

struct timeline {
	struct timeline_config c;
	const struct profile *p;
	uint64_t widths[TIMELINE_MAX_TIERS + 1]; /* resolution, then each tier's */
	size_t nwidths;

	struct tl_bucket *b;
	size_t nb, bcap;
	size_t pending_buckets; /* buckets with pending entries (an upper bound) */
	/* How many pending entries a bucket gets (the last one sorted held,
	 * or the last one grown to): a new bucket's pending array starts that
	 * big (samples come at a steady rate), instead of growing to it by a
	 * dozen copies. */
	uint32_t pending_hint;

	struct tl_stream *streams;
	uint32_t nstreams, streams_cap;
	uint32_t *stream_slots; /* open addressing, index + 1, 0 = empty */
	uint32_t nslots;

	/* Hints that spare most samples the hash tables: a stream of the
	 * thread by tid, a key of the node by node id (low bits), + 1, 0 for
	 * none; checked before use. */
	uint32_t stream_hint[64];
	uint32_t key_hint[4096];

	struct tl_key *keys;
	uint32_t nkeys, keys_cap;
	uint32_t *key_slots; /* open addressing, index + 1, 0 = empty */
	uint32_t nkey_slots;
	bool keys_dirty; /* buckets were dropped since the keys were last compacted */
	/* Per key (keys_cap long): the weight and the samples of every bucket
	 * there is, kept as samples come and buckets go, so that a query of
	 * the whole retained span reads these instead of every bucket. */
	uint64_t *all_w, *all_n;

	/* The sub-second ring: slot s (time / sub_ns) lives at s % sub_len. */
	uint64_t sub_ns;
	uint32_t sub_len, sub_nev;
	uint64_t *sub_tag; /* s + 1 of the slot held, 0 = none */
	uint32_t *sub_count; /* [slot * sub_nev + event] */
	uint64_t sub_hi; /* one past the newest slot written */
	/* The slot of the last sample counted, its start and its place in
	 * the ring: the next sample is nearly always in it (no division). */
	uint64_t sub_last, sub_last_start;
	uint32_t sub_last_at;

	/*
	 * Scratch space for packing, unpacking and merging, reused through
	 * one advance (or one early sort) and freed at its end: an array per
	 * operation between the long-lived packed ones left the heap full of
	 * holes (the process's RSS a third above what the timeline holds).
	 * Transient, like a query's arrays: not in the memory figure.
	 */
	struct tl_entry *scr[2];
	size_t scr_cap[2];
	uint8_t *pack_buf;
	size_t pack_cap;
	/* Sums by key (sums_add): a word per key, and a bit per key of
	 * those holding one, all clear between uses. */
	uint64_t *sum_wc, *sum_mark;
	size_t sum_cap; /* keys */

	uint64_t now;
	uint64_t horizon; /* samples before this are refused */
	uint64_t samples, dropped;
	size_t entry_bytes; /* entry and per-event arrays of all buckets */

	struct timeline_live *lives;
	/* The profile's frames by name, module and id: the top-lists' ties,
	 * ordered once per new frame instead of by name at every query. */
	struct profile_frame_order order;
};

/* A filter bound to the timeline: streams decided once, nodes by the matcher. */
struct tl_match {
	struct profile_filter fs; /* the thread part: no patterns, no window */
	struct profile_matcher ms, mn;
	bool patterns;
	uint8_t *stream_state; /* 0 unknown, 1 fails, 2 passes */
	uint32_t nstate;
};

struct timeline_live {
	struct timeline *t;
	struct timeline_live *next;
	struct profile_filter f;
	struct tl_match m;
	uint32_t *stream_comm; /* comm id each stream's thread had when last checked */
	uint32_t ncomm;
	uint64_t span, cut;
	uint64_t *node_self;
	uint32_t nnodes;
	uint64_t total, nsamples;
	bool stale, changed;
	struct profile_top *top;
};

/* ------------------------------------------------------------------------
 * Configuration and parsing
 */

void timeline_config_default(struct timeline_config *c)
{
	memset(c, 0, sizeof(*c));
	c->resolution_ns = NS_PER_SEC;
	c->tiers[0].age_ns = 15 * 60 * NS_PER_SEC;
	c->tiers[0].width_ns = 10 * NS_PER_SEC;
	c->tiers[1].age_ns = 2 * 3600 * NS_PER_SEC;
	c->tiers[1].width_ns = 60 * NS_PER_SEC;
	c->tiers[2].age_ns = 6 * 3600 * NS_PER_SEC;
	c->tiers[2].width_ns = 5 * 60 * NS_PER_SEC;
	c->ntiers = 3;
	c->retention_ns = 24 * 3600 * NS_PER_SEC;
	c->max_memory = 64u << 20;
}

/* ------------------------------------------------------------------------
 * Entries
 */

static inline uint32_t entry_key(const struct tl_entry *e)
{
	return e->key;
}

static inline uint64_t wc_weight(uint64_t wc)
{
	return wc >> COUNT_BITS;
}

static inline uint64_t wc_count(uint64_t wc)
{
	return wc & COUNT_MAX;
}

/* Appends `e` to out[0, *n), combined with the last entry when keys match and it fits. */
static inline void push_combine(struct tl_entry *out, size_t *n, const struct tl_entry *e)
{
	if (*n) {
		struct tl_entry *l = &out[*n - 1];

		if (l->key == e->key &&
		    wc_weight(l->wc) + wc_weight(e->wc) <= WEIGHT_MAX &&
		    wc_count(l->wc) + wc_count(e->wc) <= COUNT_MAX) {
			l->wc += e->wc;
			return;
		}
	}
	out[(*n)++] = *e;
}

/* Merges sorted a and b into out (room for na + nb); returns the length. */
static size_t merge_sorted(const struct tl_entry *a, size_t na, const struct tl_entry *b, size_t nb,
			   struct tl_entry *out)
{
	size_t i = 0, j = 0, n = 0;

	while (i < na && j < nb) {
		if (entry_key(&a[i]) <= entry_key(&b[j]))
			push_combine(out, &n, &a[i++]);
		else
			push_combine(out, &n, &b[j++]);
	}
	while (i < na)
		push_combine(out, &n, &a[i++]);
	while (j < nb)
		push_combine(out, &n, &b[j++]);
	return n;
}

/* ------------------------------------------------------------------------
 * Buckets
 */

static inline uint64_t bucket_end(const struct tl_bucket *b)
{
	return b->start + b->width;
}

/*
 * Bit streams for the packed entries. Bits go into each byte from the low
 * end up, and a stream is followed by BITS_PAD zero bytes so that the
 * reader can always load a whole 64-bit word (57 usable bits at least).
 */
#define BITS_PAD 8

struct tl_bitw {
	uint8_t *p; /* where the next byte goes; 8 bytes of room past it */
	uint64_t acc; /* bits not yet stored, the first in bit 0 */
	unsigned n; /* how many: fewer than 8 between calls */
};

struct tl_bitr {
	const uint8_t *buf;
	uint64_t pos; /* in bits */
};

static inline unsigned bitlen(uint64_t v)
{
	return v ? 64 - (unsigned)__builtin_clzll(v) : 0;
}

/*
 * Appends the low `nbits` bits of v (at most 56), storing the whole bytes:
 * always 8 of them, of which the next call overwrites those not complete.
 */
static inline void bits_put(struct tl_bitw *w, uint64_t v, unsigned nbits)
{
	w->acc |= (v & ((UINT64_C(1) << nbits) - 1)) << w->n;
	w->n += nbits;
	w->p[0] = (uint8_t)w->acc;
	w->p[1] = (uint8_t)(w->acc >> 8);
	w->p[2] = (uint8_t)(w->acc >> 16);
	w->p[3] = (uint8_t)(w->acc >> 24);
	w->p[4] = (uint8_t)(w->acc >> 32);
	w->p[5] = (uint8_t)(w->acc >> 40);
	w->p[6] = (uint8_t)(w->acc >> 48);
	w->p[7] = (uint8_t)(w->acc >> 56);
	w->p += w->n >> 3;
	w->acc >>= w->n & ~7u;
	w->n &= 7;
}

/* Appends the low `nbits` bits of v (at most 64). */
static inline void bits_put_long(struct tl_bitw *w, uint64_t v, unsigned nbits)
{
	if (nbits > 32) {
		bits_put(w, v, 32);
		v >>= 32;
		nbits -= 32;
	}
	bits_put(w, v, nbits);
}

/* Stores the bits still held; w->p is then one past the last byte. */
static void bits_flush(struct tl_bitw *w)
{
	if (w->n) {
		*w->p++ = (uint8_t)w->acc;
		w->acc = 0;
		w->n = 0;
	}
}

/* The next 57 bits at least, the first in bit 0. */
static inline uint64_t bits_peek(const struct tl_bitr *r)
{
	const uint8_t *p = r->buf + (r->pos >> 3);
	uint64_t v = (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
		     (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 |
		     (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;

	return v >> (r->pos & 7);
}

/* Reads `nbits` bits (at most 64). */
static inline uint64_t bits_get(struct tl_bitr *r, unsigned nbits)
{
	uint64_t v;

	if (nbits > 32) {
		v = bits_peek(r) & UINT32_MAX;
		r->pos += 32;
		return v | bits_get(r, nbits - 32) << 32;
	}
	v = bits_peek(r) & ((UINT64_C(1) << nbits) - 1);
	r->pos += nbits;
	return v;
}

/*
 * Rice codes: v >> k in unary (that many 1 bits, then a 0), then the low
 * k bits of v. A quotient of RICE_ESCAPE or more (an outlier) is written
 * as RICE_ESCAPE 1 bits, v's length less one in 6 bits, and v's bits.
 */
#define RICE_ESCAPE 24
/* The longest code: the escape, the length, 64 bits. */
#define RICE_MAX_BITS (RICE_ESCAPE + 6 + 64)

static void rice_put_long(struct tl_bitw *w, uint64_t v, unsigned k)
{
	uint64_t q = v >> k;

	if (q < RICE_ESCAPE) {
		bits_put(w, (UINT64_C(1) << q) - 1, (unsigned)q + 1);
		bits_put_long(w, v, k);
	} else {
		bits_put(w, (UINT64_C(1) << RICE_ESCAPE) - 1, RICE_ESCAPE);
		bits_put(w, bitlen(v) - 1, 6);
		bits_put_long(w, v, bitlen(v));
	}
}

/* The common case in one write: a code of at most 56 bits. */
static inline void rice_put(struct tl_bitw *w, uint64_t v, unsigned k)
{
	uint64_t q = v >> k;

	if (q < RICE_ESCAPE && q + 1 + k <= 56)
		bits_put(w, ((UINT64_C(1) << q) - 1) | (v & ((UINT64_C(1) << k) - 1)) << (q + 1),
			 (unsigned)(q + 1 + k));
	else
		rice_put_long(w, v, k);
}

/* A value read and where the stream goes on. */
struct rice_read {
	uint64_t v, pos;
};

/*
 * Any code, at `pos` in `buf`. It takes and gives the position by value:
 * a reader whose address is taken would live in memory in the loops that
 * decode, not in registers.
 */
static struct rice_read __attribute__((noinline)) rice_get_long(const uint8_t *buf, uint64_t pos,
							       unsigned k)
{
	struct tl_bitr r = { buf, pos };
	uint64_t q = (uint64_t)__builtin_ctzll(~bits_peek(&r) | UINT64_C(1) << RICE_ESCAPE);
	struct rice_read out;

	if (q < RICE_ESCAPE) {
		r.pos += q + 1;
		out.v = q << k | bits_get(&r, k);
	} else {
		r.pos += RICE_ESCAPE;
		out.v = bits_get(&r, (unsigned)bits_get(&r, 6) + 1);
	}
	out.pos = r.pos;
	return out;
}

/* The common case from one load: the quotient and the low bits both in it. */
static inline __attribute__((always_inline)) uint64_t rice_get(struct tl_bitr *r, unsigned k)
{
	uint64_t word = bits_peek(r);
	unsigned q = (unsigned)__builtin_ctzll(~word | UINT64_C(1) << RICE_ESCAPE);

	if (q + 1 + k > 57 || q == RICE_ESCAPE) {
		struct rice_read x = rice_get_long(r->buf, r->pos, k);

		r->pos = x.pos;
		return x.v;
	}
	r->pos += q + 1 + k;
	return (uint64_t)q << k | (word >> (q + 1) & ((UINT64_C(1) << k) - 1));
}

/*
 * The Rice parameter that codes values of these lengths (hist[L]: how
 * many are L bits long) in the fewest bits, and that many bits in *cost.
 * A value of L bits is taken as 1.5 * 2^(L-1), which is close enough:
 * the choice only sets the size, never what is read back.
 */
static unsigned rice_param(const uint64_t hist[65], uint64_t *cost)
{
	unsigned lo = 65, hi = 0, k, l, best = 0;
	uint64_t best_cost = UINT64_MAX;

	for (l = 0; l <= 64; l++) {
		if (hist[l]) {
			lo = l < lo ? l : lo;
			hi = l;
		}
	}
	if (lo > hi) {
		*cost = 0;
		return 0;
	}
	for (k = lo ? lo - 1 : 0; k <= hi; k++) {
		uint64_t c = 0;

		for (l = lo; l <= hi; l++) {
			uint64_t q = l <= k ? 0 : l == k + 1 ? 1 : UINT64_C(3) << (l - k - 2);

			c += hist[l] * (q < RICE_ESCAPE ? q + 1 + k : RICE_ESCAPE + 6 + l);
		}
		if (c < best_cost) {
			best_cost = c;
			best = k;
		}
	}
	*cost = best_cost;
	return best;
}

/* The largest count whose predicted weight (count * unit) is not capped at WEIGHT_MAX. */
static inline uint64_t predict_count_max(uint64_t unit)
{
	return unit ? WEIGHT_MAX / unit : UINT64_MAX;
}

/*
 * The weight an entry of `count` samples is expected to have: count *
 * unit, at most WEIGHT_MAX. `count_max` is predict_count_max(unit), kept
 * out of the loops.
 */
static inline uint64_t predict_weight(uint64_t count, uint64_t unit, uint64_t count_max)
{
	return count > count_max ? WEIGHT_MAX : count * unit;
}

/*
 * How much wider than the bucket's the residual's Rice parameter is for an
 * entry of `count` samples, when the bucket scales it (rscale): half the
 * count's bits, as a sum of `count` independent weights strays about
 * sqrt(count) times as far from its prediction as one weight does.
 */
static inline unsigned residual_shift(uint64_t count)
{
	return count > 1 ? (bitlen(count) - 1) / 2 : 0;
}

/* An entry's weight less count * unit, zigzagged (0, -1, 1, -2, ... to 0, 1, 2, 3, ...). */
static inline uint64_t residual_zigzag(uint64_t wc, uint64_t unit, uint64_t count_max)
{
	int64_t r = (int64_t)wc_weight(wc) - (int64_t)predict_weight(wc_count(wc), unit, count_max);

	return (uint64_t)r << 1 ^ (uint64_t)(r >> 63);
}

/* Frees the scratch arrays. */
static void scratch_release(struct timeline *t)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t->scr); i++) {
		free(t->scr[i]);
		t->scr[i] = NULL;
		t->scr_cap[i] = 0;
	}
	free(t->pack_buf);
	t->pack_buf = NULL;
	t->pack_cap = 0;
	free(t->sum_wc);
	free(t->sum_mark);
	t->sum_wc = t->sum_mark = NULL;
	t->sum_cap = 0;
}

/*
 * Scratch array `i` with room for `n` entries (borrowed: valid until it is
 * asked for more, or scratch_release()).
 */
static struct tl_entry *scratch(struct timeline *t, int i, size_t n)
{
	if (n > t->scr_cap[i]) {
		size_t cap = n + n / 4 + 64;

		free(t->scr[i]);
		t->scr[i] = xreallocarray(NULL, cap, sizeof(*t->scr[i]));
		t->scr_cap[i] = cap;
	}
	return t->scr[i];
}

/*
 * Replaces b's packed entries with `e` (sorted by key, combined), encoded
 * as three Rice codes an entry, in three bit streams one after the other
 * (a reader decodes the three at once, not one code after another): the
 * key's distance from the previous key, the count less one (modulo
 * 2^COUNT_BITS: a count of 0, which only the split of a huge weight makes,
 * wraps to the top), and the weight's difference from count * unit,
 * zigzagged, where unit is the bucket's mean weight per sample. Each
 * stream's parameter is chosen for the
 * bucket; the residual's may widen with the count (rscale, where that
 * codes it shorter). Keys are dense and sorted, counts small, and samples
 * of one event weigh about the same: an entry whose samples all weigh the
 * same period takes a few bits, one with cycle-like weights (a spread of
 * a million) about 3 bytes, against 12 unpacked. The packed array is
 * exactly its length plus BITS_PAD.
 */
static void bucket_pack(struct timeline *t, struct tl_bucket *b, const struct tl_entry *e, size_t n)
{
	uint64_t hd[65] = { 0 }, hc[65] = { 0 }, hr[65] = { 0 }, hs[65] = { 0 };
	uint64_t csum = 0, unit = 0, cmax, sbits = 0, cost, cost_s;
	unsigned __int128 wsum = 0;
	struct tl_bitw wd = { 0 }, wc = { 0 }, wr = { 0 };
	uint8_t *buf = NULL;
	size_t k, len = 0, stride = n / 512 + 1;
	uint32_t prev;

	for (k = 0; k < n; k++) {
		wsum += wc_weight(e[k].wc);
		csum += wc_count(e[k].wc);
	}
	if (csum)
		unit = (uint64_t)(wsum / csum);
	cmax = predict_count_max(unit);
	/* The parameters from 512 entries or so, spread over the bucket. */
	for (k = 0; k < n; k += stride) {
		uint64_t c = wc_count(e[k].wc), v = residual_zigzag(e[k].wc, unit, cmax);

		hd[bitlen(e[k].key - (k ? e[k - 1].key : 0))]++;
		hc[bitlen((c - 1) & COUNT_MAX)]++;
		hr[bitlen(v)]++;
		hs[bitlen(v >> residual_shift(c))]++;
		sbits += residual_shift(c);
	}
	b->kd = (uint8_t)rice_param(hd, &cost);
	b->kc = (uint8_t)rice_param(hc, &cost);
	b->kr = (uint8_t)rice_param(hr, &cost);
	k = rice_param(hs, &cost_s);
	b->rscale = cost_s + sbits < cost;
	if (b->rscale)
		b->kr = (uint8_t)k;
	if (n) {
		/* room for a stream of n of the longest codes, and a store past it */
		size_t room = n * ((RICE_MAX_BITS + 7) / 8) + 16, ld, lc, lr;

		if (3 * room > t->pack_cap) {
			t->pack_cap = 3 * room + 4096;
			free(t->pack_buf);
			t->pack_buf = xmalloc(t->pack_cap);
		}
		wd.p = t->pack_buf;
		wc.p = t->pack_buf + room;
		wr.p = t->pack_buf + 2 * room;
		for (prev = 0, k = 0; k < n; k++) {
			uint64_t c = wc_count(e[k].wc);

			rice_put(&wd, e[k].key - prev, b->kd);
			rice_put(&wc, (c - 1) & COUNT_MAX, b->kc);
			rice_put(&wr, residual_zigzag(e[k].wc, unit, cmax),
				 b->kr + (b->rscale ? residual_shift(c) : 0));
			prev = e[k].key;
		}
		bits_flush(&wd);
		bits_flush(&wc);
		bits_flush(&wr);
		ld = (size_t)(wd.p - t->pack_buf);
		lc = (size_t)(wc.p - (t->pack_buf + room));
		lr = (size_t)(wr.p - (t->pack_buf + 2 * room));
		len = ld + lc + lr;
		buf = xmalloc(len + BITS_PAD);
		memcpy(buf, t->pack_buf, ld);
		memcpy(buf + ld, t->pack_buf + room, lc);
		memcpy(buf + ld + lc, t->pack_buf + 2 * room, lr);
		memset(buf + len, 0, BITS_PAD);
		b->off_count = (uint32_t)ld;
		b->off_resid = (uint32_t)(ld + lc);
		len += BITS_PAD;
	}
	if (!n)
		b->off_count = b->off_resid = 0;
	t->entry_bytes -= b->packed_len;
	free(b->packed);
	b->packed = buf;
	b->packed_len = (uint32_t)len;
	b->npacked = (uint32_t)n;
	b->unit = unit;
	t->entry_bytes += b->packed_len;
}

/* Reads b's packed entries, in order: the three streams side by side. */
struct tl_cursor {
	struct tl_bitr rd, rc, rr;
	uint32_t left, key;
	uint64_t unit, count_max;
	unsigned kd, kc, kr;
	bool rscale;
};

static inline void cursor_init(struct tl_cursor *c, const struct tl_bucket *b)
{
	c->rd.buf = b->packed;
	c->rc.buf = b->packed + b->off_count;
	c->rr.buf = b->packed + b->off_resid;
	c->rd.pos = c->rc.pos = c->rr.pos = 0;
	c->left = b->npacked;
	c->key = 0;
	c->unit = b->unit;
	c->count_max = predict_count_max(b->unit);
	c->kd = b->kd;
	c->kc = b->kc;
	c->kr = b->kr;
	c->rscale = b->rscale;
}

/* The next entry's key, weight and count; false at the end. */
static inline __attribute__((always_inline)) bool
cursor_next(struct tl_cursor *c, uint32_t *key, uint64_t *weight, uint64_t *count)
{
	uint64_t r;

	if (!c->left)
		return false;
	c->left--;
	c->key += (uint32_t)rice_get(&c->rd, c->kd);
	*key = c->key;
	*count = (rice_get(&c->rc, c->kc) + 1) & COUNT_MAX;
	r = rice_get(&c->rr, c->kr + (c->rscale ? residual_shift(*count) : 0));
	*weight = predict_weight(*count, c->unit, c->count_max) +
		  (uint64_t)(int64_t)(r >> 1 ^ -(r & 1));
	return true;
}

/* Decodes b's packed entries into `e` (room for npacked), in order. */
static void bucket_unpack_to(const struct tl_bucket *b, struct tl_entry *e)
{
	struct tl_cursor c;
	uint64_t w, n;
	uint32_t k = 0, key;

	cursor_init(&c, b);
	while (cursor_next(&c, &key, &w, &n)) {
		e[k].key = key;
		e[k++].wc = w << COUNT_BITS | n;
	}
}

/* b's packed entries as an array (npacked long): scratch array `i`. */
static struct tl_entry *bucket_unpack(struct timeline *t, const struct tl_bucket *b, int i)
{
	struct tl_entry *e = scratch(t, i, b->npacked);

	bucket_unpack_to(b, e);
	return e;
}

static void bucket_drop_pending(struct timeline *t, struct tl_bucket *b)
{
	t->entry_bytes -= (size_t)b->cap * sizeof(*b->e);
	free(b->e);
	b->e = NULL;
	b->n = b->cap = 0;
}

/*
 * Sorts `e` by key, stably: entries of equal keys keep their order, so
 * that combining them afterwards gives what merging the runs they came
 * from in that order would (the same sums; the same entries where a sum
 * had to be split). Short arrays by insertion, longer ones by an LSD
 * radix sort, a byte of the key a pass, through scratch array 1: the
 * bytes' counts are taken in one pass, and a byte that is the same in
 * every key needs no pass.
 */
static void sort_by_key(struct timeline *t, struct tl_entry *e, size_t n)
{
	struct tl_entry *src = e, *dst;
	size_t count[4][256], k;
	unsigned byte;

	if (n < 64) {
		for (k = 1; k < n; k++) {
			struct tl_entry x = e[k];
			size_t j = k;

			for (; j > 0 && entry_key(&e[j - 1]) > entry_key(&x); j--)
				e[j] = e[j - 1];
			e[j] = x;
		}
		return;
	}
	memset(count, 0, sizeof(count));
	for (k = 0; k < n; k++) {
		uint32_t key = entry_key(&e[k]);

		count[0][key & 0xff]++;
		count[1][key >> 8 & 0xff]++;
		count[2][key >> 16 & 0xff]++;
		count[3][key >> 24]++;
	}
	dst = scratch(t, 1, n);
	for (byte = 0; byte < 4; byte++) {
		size_t *c = count[byte], at = 0;
		unsigned shift = 8 * byte, d;
		struct tl_entry *swap;

		if (c[entry_key(&e[0]) >> shift & 0xff] == n)
			continue; /* the same byte in every key */
		for (d = 0; d < 256; d++) {
			size_t m = c[d];

			c[d] = at;
			at += m;
		}
		for (k = 0; k < n; k++)
			dst[c[entry_key(&src[k]) >> shift & 0xff]++] = src[k];
		swap = src;
		src = dst;
		dst = swap;
	}
	if (src != e)
		memcpy(e, src, n * sizeof(*e));
}

/*
 * Summing by key without sorting: entries are added into a word per key
 * (the scratch sum_wc, as many as there are keys) and marked in a bitmap,
 * then read out in key order by walking the bitmap. This gives exactly
 * what sorting stably and combining gives whenever every key's sum fits
 * one entry (weights and counts only grow, so then every partial sum fits
 * too, in any order); when one does not, sums_add() says so and the
 * caller sorts instead, which splits the sum as it always did. Worth it
 * where the entries are not much fewer than the keys (SUMS_KEYS_PER_ENTRY):
 * a bucket's second or a merge of seconds, not a handful of entries among
 * a million keys, whose bitmap walk and sum words would cost more than
 * sorting them.
 */
#define SUMS_KEYS_PER_ENTRY 16

/* Whether `n` entries are summed by key (sums_begin) rather than sorted. */
static inline bool sums_worth(const struct timeline *t, size_t n)
{
	return n >= 64 && t->nkeys <= SUMS_KEYS_PER_ENTRY * n;
}

/* Room for every key's sum, all of them clear. */
static void sums_begin(struct timeline *t)
{
	if (t->nkeys > t->sum_cap) {
		size_t cap = (size_t)t->nkeys + t->nkeys / 4 + 64;

		cap = (cap + 63) / 64 * 64;
		free(t->sum_wc);
		free(t->sum_mark);
		t->sum_wc = xreallocarray(NULL, cap, sizeof(*t->sum_wc));
		t->sum_mark = xcalloc(cap / 64, sizeof(*t->sum_mark));
		t->sum_cap = cap;
	}
}

/* Adds the entry (key, wc) to its key's sum; false, adding nothing, when the
 * sum would not fit one entry. */
static inline bool sums_add(struct timeline *t, uint32_t key, uint64_t wc)
{
	uint64_t *mark = &t->sum_mark[key / 64], bit = UINT64_C(1) << (key % 64), l;

	if (!(*mark & bit)) {
		*mark |= bit;
		t->sum_wc[key] = wc;
		return true;
	}
	l = t->sum_wc[key];
	if (wc_weight(l) + wc_weight(wc) > WEIGHT_MAX || wc_count(l) + wc_count(wc) > COUNT_MAX)
		return false;
	t->sum_wc[key] = l + wc;
	return true;
}

/*
 * The sums, in key order, into `out` (room for one per key added), the
 * marks cleared; `out` NULL only clears them (a sum did not fit). Returns
 * how many.
 */
static size_t sums_take(struct timeline *t, struct tl_entry *out)
{
	size_t w, n = 0, words = ((size_t)t->nkeys + 63) / 64;

	for (w = 0; w < words; w++) {
		uint64_t m = t->sum_mark[w];

		if (!m)
			continue;
		t->sum_mark[w] = 0;
		if (!out)
			continue;
		do {
			uint32_t key = (uint32_t)(w * 64 + (unsigned)__builtin_ctzll(m));

			out[n].key = key;
			out[n++].wc = t->sum_wc[key];
			m &= m - 1;
		} while (m);
	}
	return n;
}

/*
 * Folds b's pending entries into its packed ones by sums_add(): true, or
 * false with b unchanged when a key's sum would not fit one entry.
 */
static bool bucket_sort_sums(struct timeline *t, struct tl_bucket *b)
{
	struct tl_entry *out;
	struct tl_cursor c;
	uint64_t w, cnt;
	uint32_t k, key;

	sums_begin(t);
	cursor_init(&c, b);
	while (cursor_next(&c, &key, &w, &cnt))
		if (!sums_add(t, key, w << COUNT_BITS | cnt))
			goto out_split;
	for (k = 0; k < b->n; k++)
		if (!sums_add(t, b->e[k].key, b->e[k].wc))
			goto out_split;
	out = scratch(t, 1, (size_t)b->npacked + b->n);
	bucket_pack(t, b, out, sums_take(t, out));
	bucket_drop_pending(t, b);
	return true;
out_split:
	sums_take(t, NULL);
	return false;
}

/* Folds the pending entries into the packed ones. */
static void bucket_sort(struct timeline *t, struct tl_bucket *b)
{
	struct tl_entry *old, *out;
	size_t np = b->n, k, n = 0;

	if (!np) {
		if (b->cap)
			bucket_drop_pending(t, b);
		return;
	}
	t->pending_hint = np < 2 * PENDING_MIN ? (uint32_t)np : 2 * PENDING_MIN;
	if (sums_worth(t, np + b->npacked) && bucket_sort_sums(t, b))
		return;
	sort_by_key(t, b->e, np);
	/* combine the pending run in place, then merge it with the packed run */
	for (k = 0; k < np; k++)
		push_combine(b->e, &n, &b->e[k]);
	if (!b->npacked) {
		/* nothing to merge with: a new bucket's first sort */
		bucket_pack(t, b, b->e, n);
		bucket_drop_pending(t, b);
		return;
	}
	old = bucket_unpack(t, b, 0);
	out = scratch(t, 1, (size_t)b->npacked + n);
	n = merge_sorted(old, b->npacked, b->e, n, out);
	bucket_pack(t, b, out, n);
	bucket_drop_pending(t, b);
}

static void bucket_free(struct timeline *t, struct tl_bucket *b)
{
	t->entry_bytes -=
		(size_t)b->cap * sizeof(*b->e) + (size_t)b->nev * sizeof(*b->ev) + b->packed_len;
	free(b->e);
	free(b->packed);
	free(b->ev);
}

/* Room for one more pending entry in b: half as many again, or a new
 * bucket's first room (pending_hint). */
static void __attribute__((noinline)) bucket_grow(struct timeline *t, struct tl_bucket *b)
{
	uint32_t cap = b->cap ? b->cap + b->cap / 2 : t->pending_hint < 16 ? 16 : t->pending_hint;

	/* A bucket that outgrew its first room tells the next how big to start. */
	if (b->cap && cap > t->pending_hint)
		t->pending_hint = cap < 2 * PENDING_MIN ? cap : 2 * PENDING_MIN;
	b->e = xreallocarray(b->e, cap, sizeof(*b->e));
	t->entry_bytes += (size_t)(cap - b->cap) * sizeof(*b->e);
	b->cap = cap;
}

static inline void bucket_push(struct timeline *t, struct tl_bucket *b, const struct tl_entry *e)
{
	if (b->n == b->cap)
		bucket_grow(t, b);
	b->e[b->n++] = *e;
}

/* Room in b's per-event counts for `event`. */
static void __attribute__((noinline))
bucket_grow_events(struct timeline *t, struct tl_bucket *b, uint32_t event)
{
	b->ev = xreallocarray(b->ev, (size_t)event + 1, sizeof(*b->ev));
	memset(b->ev + b->nev, 0, (event + 1 - b->nev) * sizeof(*b->ev));
	t->entry_bytes += (event + 1 - b->nev) * sizeof(*b->ev);
	b->nev = event + 1;
}

static inline void bucket_count_event(struct timeline *t, struct tl_bucket *b, uint32_t event,
				      uint64_t n)
{
	if (event >= b->nev)
		bucket_grow_events(t, b, event);
	b->ev[event] += n;
}

/* Index of the first bucket whose end is after `time` (nb when none). */
static size_t first_ending_after(const struct timeline *t, uint64_t time)
{
	size_t lo = 0, hi = t->nb;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (bucket_end(&t->b[mid]) > time)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static void live_mark_stale(struct timeline *t, uint64_t end);
static void live_mark_merged(struct timeline *t, uint64_t start, uint64_t end);

/* The bucket holding `time`, created (at the resolution) when there is none. */
static struct tl_bucket *bucket_for(struct timeline *t, uint64_t time)
{
	size_t i;

	if (t->nb && time >= t->b[t->nb - 1].start) {
		if (time < bucket_end(&t->b[t->nb - 1]))
			return &t->b[t->nb - 1];
		i = t->nb;
	} else {
		i = first_ending_after(t, time);
		if (i < t->nb && t->b[i].start <= time)
			return &t->b[i];
	}
	if (t->nb == t->bcap) {
		t->bcap = t->bcap ? t->bcap * 2 : 64;
		t->b = xreallocarray(t->b, t->bcap, sizeof(*t->b));
	}
	memmove(&t->b[i + 1], &t->b[i], (t->nb - i) * sizeof(*t->b));
	t->nb++;
	memset(&t->b[i], 0, sizeof(t->b[i]));
	t->b[i].width = t->c.resolution_ns;
	t->b[i].start = time / t->b[i].width * t->b[i].width;
	return &t->b[i];
}

/* ------------------------------------------------------------------------
 * Streams: (pid, tid, event) -> small index
 */

static uint32_t stream_hash(uint32_t pid, uint32_t tid, uint32_t event)
{
	return (uint32_t)util_hash_u64(((uint64_t)pid << 32 | tid) ^ ((uint64_t)event << 48) ^ event);
}

/* Rebuilds the slots for the streams there are, at most half full with one more. */
static void stream_rehash(struct timeline *t)
{
	uint32_t nslots = 64, mask, h, i;

	while (nslots < (t->nstreams + 1) * 2)
		nslots *= 2;
	free(t->stream_slots);
	t->stream_slots = xcalloc(nslots, sizeof(*t->stream_slots));
	t->nslots = nslots;
	mask = nslots - 1;
	for (i = 0; i < t->nstreams; i++) {
		const struct tl_stream *st = &t->streams[i];

		for (h = stream_hash(st->pid, st->tid, st->event) & mask; t->stream_slots[h];
		     h = (h + 1) & mask)
			;
		t->stream_slots[h] = i + 1;
	}
}

static uint32_t stream_find(struct timeline *t, const struct profile_sample *s)
{
	uint32_t h, mask, i;

	if (t->nslots) {
		mask = t->nslots - 1;
		for (h = stream_hash(s->pid, s->tid, s->event) & mask;; h = (h + 1) & mask) {
			uint32_t v = t->stream_slots[h];

			if (!v)
				break;
			if (t->streams[v - 1].pid == s->pid && t->streams[v - 1].tid == s->tid &&
			    t->streams[v - 1].event == s->event)
				return v - 1;
		}
	}
	if ((t->nstreams + 1) * 2 > t->nslots)
		stream_rehash(t);
	if (t->nstreams == t->streams_cap) {
		t->streams_cap = t->streams_cap ? t->streams_cap * 2 : 16;
		t->streams = xreallocarray(t->streams, t->streams_cap, sizeof(*t->streams));
	}
	i = t->nstreams++;
	t->streams[i].pid = s->pid;
	t->streams[i].tid = s->tid;
	t->streams[i].event = s->event;
	mask = t->nslots - 1;
	for (h = stream_hash(s->pid, s->tid, s->event) & mask; t->stream_slots[h]; h = (h + 1) & mask)
		;
	t->stream_slots[h] = i + 1;
	return i;
}

/* The stream of s's (pid, tid, event), made when there is none. */
static inline uint32_t stream_of(struct timeline *t, const struct profile_sample *s)
{
	uint32_t *hint = &t->stream_hint[s->tid % ARRAY_SIZE(t->stream_hint)];
	const struct tl_stream *st;

	if (*hint) {
		st = &t->streams[*hint - 1];
		if (st->tid == s->tid && st->pid == s->pid && st->event == s->event)
			return *hint - 1;
	}
	*hint = stream_find(t, s) + 1;
	return *hint - 1;
}

/* ------------------------------------------------------------------------
 * Keys: (node, stream) -> index
 */

static uint32_t key_hash(uint32_t node, uint32_t stream)
{
	return (uint32_t)util_hash_u64((uint64_t)node << 32 | stream);
}

static void key_slot_put(uint32_t *slots, uint32_t nslots, const struct tl_key *k, uint32_t i)
{
	uint32_t mask = nslots - 1, h;

	for (h = key_hash(k->node, k->stream) & mask; slots[h]; h = (h + 1) & mask)
		;
	slots[h] = i + 1;
}

/* Rebuilds the slots for the keys there are, at most half full. */
static void key_rehash(struct timeline *t)
{
	uint32_t nslots = 1024, i;

	while (nslots < t->nkeys * 2 + 2)
		nslots *= 2;
	free(t->key_slots);
	t->key_slots = xcalloc(nslots, sizeof(*t->key_slots));
	t->nkey_slots = nslots;
	for (i = 0; i < t->nkeys; i++)
		key_slot_put(t->key_slots, nslots, &t->keys[i], i);
}

static uint32_t key_find(struct timeline *t, uint32_t node, uint32_t stream)
{
	uint32_t h, mask, i;

	if (t->nkey_slots) {
		mask = t->nkey_slots - 1;
		for (h = key_hash(node, stream) & mask;; h = (h + 1) & mask) {
			uint32_t v = t->key_slots[h];

			if (!v)
				break;
			if (t->keys[v - 1].node == node && t->keys[v - 1].stream == stream)
				return v - 1;
		}
	}
	if ((t->nkeys + 1) * 2 > t->nkey_slots)
		key_rehash(t);
	if (t->nkeys == t->keys_cap) {
		t->keys_cap = t->keys_cap ? t->keys_cap * 2 : 512;
		t->keys = xreallocarray(t->keys, t->keys_cap, sizeof(*t->keys));
		t->all_w = xreallocarray(t->all_w, t->keys_cap, sizeof(*t->all_w));
		t->all_n = xreallocarray(t->all_n, t->keys_cap, sizeof(*t->all_n));
	}
	i = t->nkeys++;
	t->keys[i].node = node;
	t->keys[i].stream = stream;
	t->all_w[i] = t->all_n[i] = 0;
	key_slot_put(t->key_slots, t->nkey_slots, &t->keys[i], i);
	return i;
}

/* The key of (node, stream), made when there is none. */
static inline uint32_t key_of(struct timeline *t, uint32_t node, uint32_t stream)
{
	uint32_t *hint = &t->key_hint[node % ARRAY_SIZE(t->key_hint)];
	const struct tl_key *k;

	if (*hint) {
		k = &t->keys[*hint - 1];
		if (k->node == node && k->stream == stream)
			return *hint - 1;
	}
	*hint = key_find(t, node, stream) + 1;
	return *hint - 1;
}

/*
 * Moves what is kept per stream (n of them) to the streams' new numbers
 * (remap: new number + 1, 0 for gone); returns how many are kept.
 */
static uint32_t remap_bytes(uint8_t *v, uint32_t n, const uint32_t *remap)
{
	uint32_t i, kept = 0;

	for (i = 0; i < n; i++)
		if (remap[i])
			v[kept++] = v[i]; /* remap[i] - 1 == kept: numbers keep their order */
	return kept;
}

static uint32_t remap_u32(uint32_t *v, uint32_t n, const uint32_t *remap)
{
	uint32_t i, kept = 0;

	for (i = 0; i < n; i++)
		if (remap[i])
			v[kept++] = v[i];
	return kept;
}

/*
 * Forgets the streams no key uses any more (the threads of dropped
 * buckets: a fork storm's, or a day of short-lived processes), renumbering
 * the others in the same order, in the keys and in what each live window
 * decided per stream. Called once the keys are compacted.
 */
static void streams_compact(struct timeline *t)
{
	uint32_t *remap, i, n = 0;
	struct timeline_live *l;

	if (!t->nstreams)
		return;
	remap = xcalloc(t->nstreams, sizeof(*remap)); /* new index + 1; 0: unused */
	for (i = 0; i < t->nkeys; i++)
		remap[t->keys[i].stream] = 1;
	for (i = 0; i < t->nstreams; i++) {
		if (remap[i]) {
			t->streams[n] = t->streams[i];
			remap[i] = ++n;
		}
	}
	if (n == t->nstreams) {
		free(remap);
		return;
	}
	for (i = 0; i < t->nkeys; i++)
		t->keys[i].stream = remap[t->keys[i].stream] - 1;
	for (l = t->lives; l; l = l->next) {
		l->m.nstate = remap_bytes(l->m.stream_state, l->m.nstate, remap);
		l->ncomm = remap_u32(l->stream_comm, l->ncomm, remap);
	}
	free(remap);
	memset(t->stream_hint, 0, sizeof(t->stream_hint)); /* the streams are renumbered */
	t->nstreams = n;
	t->streams_cap = n ? n : 1;
	t->streams = xreallocarray(t->streams, t->streams_cap, sizeof(*t->streams));
	stream_rehash(t);
}

/*
 * Forgets the keys no entry uses any more (their buckets were dropped),
 * renumbering the others in the same order, so that sorted entries stay
 * sorted; then the streams no key uses. O(entries). Returns whether it
 * freed anything.
 */
static bool keys_compact(struct timeline *t)
{
	uint32_t *remap, i, n = 0, k;
	size_t j;

	t->keys_dirty = false;
	if (!t->nkeys)
		return false;
	remap = xcalloc(t->nkeys, sizeof(*remap)); /* new index + 1; 0: unused */
	for (j = 0; j < t->nb; j++) {
		struct tl_cursor c;
		uint64_t w, cnt;
		uint32_t key;

		cursor_init(&c, &t->b[j]);
		while (cursor_next(&c, &key, &w, &cnt))
			remap[key] = 1;
		for (k = 0; k < t->b[j].n; k++)
			remap[t->b[j].e[k].key] = 1;
	}
	for (i = 0; i < t->nkeys; i++) {
		if (remap[i]) {
			t->keys[n] = t->keys[i];
			t->all_w[n] = t->all_w[i];
			t->all_n[n] = t->all_n[i];
			remap[i] = ++n;
		}
	}
	if (n == t->nkeys) {
		free(remap);
		return false;
	}
	/* the order of keys stays: packed entries stay sorted, only their deltas change */
	for (j = 0; j < t->nb; j++) {
		struct tl_bucket *b = &t->b[j];
		struct tl_entry *e = bucket_unpack(t, b, 0);

		for (k = 0; k < b->npacked; k++)
			e[k].key = remap[e[k].key] - 1;
		bucket_pack(t, b, e, b->npacked);
		for (k = 0; k < b->n; k++)
			b->e[k].key = remap[b->e[k].key] - 1;
	}
	free(remap);
	memset(t->key_hint, 0, sizeof(t->key_hint)); /* the keys are renumbered */
	t->nkeys = n;
	t->keys_cap = n ? n : 1;
	t->keys = xreallocarray(t->keys, t->keys_cap, sizeof(*t->keys));
	t->all_w = xreallocarray(t->all_w, t->keys_cap, sizeof(*t->all_w));
	t->all_n = xreallocarray(t->all_n, t->keys_cap, sizeof(*t->all_n));
	streams_compact(t);
	key_rehash(t);
	return true;
}

/* ------------------------------------------------------------------------
 * Matching entries: the profile_matcher, with a verdict cached per stream
 */

static void match_init(struct tl_match *m, const struct profile *p, const struct profile_filter *f)
{
	memset(m, 0, sizeof(*m));
	m->fs = *f;
	m->fs.include = m->fs.exclude = NULL;
	m->fs.from = 0;
	m->fs.to = 0;
	m->patterns = f->include || f->exclude;
	profile_matcher_init(&m->ms, p, &m->fs);
	profile_matcher_init(&m->mn, p, f);
}

static void match_free(struct tl_match *m)
{
	profile_matcher_free(&m->ms);
	profile_matcher_free(&m->mn);
	free(m->stream_state);
}

static bool match_stream(struct tl_match *m, const struct timeline *t, uint32_t stream)
{
	if (stream >= m->nstate) {
		m->stream_state = xreallocarray(m->stream_state, t->nstreams, 1);
		memset(m->stream_state + m->nstate, 0, t->nstreams - m->nstate);
		m->nstate = t->nstreams;
	}
	if (!m->stream_state[stream]) {
		const struct tl_stream *st = &t->streams[stream];
		struct profile_sample s = {
			.pid = st->pid,
			.tid = st->tid,
			.event = (uint16_t)st->event,
			.node = PROFILE_ROOT,
		};

		m->stream_state[stream] = profile_matcher_match(&m->ms, t->p, &s) ? 2 : 1;
	}
	return m->stream_state[stream] == 2;
}

static inline bool match_key(struct tl_match *m, const struct timeline *t, const struct tl_key *k)
{
	if (k->node >= t->p->nnodes)
		return false;
	if (k->stream < m->nstate && m->stream_state[k->stream]) {
		if (m->stream_state[k->stream] != 2)
			return false;
	} else if (!match_stream(m, t, k->stream)) {
		return false;
	}
	return !m->patterns || profile_matcher_node(&m->mn, t->p, k->node);
}

/* ------------------------------------------------------------------------
 * Life cycle, adding
 */

static uint64_t round_up(uint64_t v, uint64_t m)
{
	return (v + m - 1) / m * m;
}

struct timeline *timeline_new(const struct timeline_config *c, const struct profile *p)
{
	struct timeline *t = xcalloc(1, sizeof(*t));
	uint64_t prev, fine_age;
	size_t i;

	if (c)
		t->c = *c;
	else
		timeline_config_default(&t->c);
	if (!t->c.resolution_ns)
		t->c.resolution_ns = NS_PER_SEC;
	if (t->c.ntiers > TIMELINE_MAX_TIERS)
		t->c.ntiers = TIMELINE_MAX_TIERS;
	t->p = p;
	t->order.module = true;
	prev = t->c.resolution_ns;
	t->widths[t->nwidths++] = prev;
	for (i = 0; i < t->c.ntiers; i++) {
		uint64_t w = round_up(t->c.tiers[i].width_ns ? t->c.tiers[i].width_ns : prev, prev);

		t->c.tiers[i].width_ns = w;
		if (i && t->c.tiers[i].age_ns < t->c.tiers[i - 1].age_ns)
			t->c.tiers[i].age_ns = t->c.tiers[i - 1].age_ns;
		t->widths[t->nwidths++] = w;
		prev = w;
	}

	t->sub_ns = t->c.resolution_ns % SUB_NS == 0 ? SUB_NS : t->c.resolution_ns;
	fine_age = t->c.ntiers ? t->c.tiers[0].age_ns : 15 * 60 * NS_PER_SEC;
	fine_age = fine_age / t->sub_ns + 2;
	t->sub_len = (uint32_t)(fine_age > 36000 ? 36000 : fine_age);
	t->sub_nev = 1;
	t->sub_tag = xcalloc(t->sub_len, sizeof(*t->sub_tag));
	t->sub_count = xcalloc((size_t)t->sub_len * t->sub_nev, sizeof(*t->sub_count));
	return t;
}

void timeline_free(struct timeline *t)
{
	size_t i;

	if (!t)
		return;
	while (t->lives)
		timeline_live_free(t->lives);
	for (i = 0; i < t->nb; i++)
		bucket_free(t, &t->b[i]);
	free(t->b);
	free(t->streams);
	free(t->stream_slots);
	free(t->keys);
	free(t->all_w);
	free(t->all_n);
	scratch_release(t);
	free(t->key_slots);
	free(t->sub_tag);
	free(t->sub_count);
	profile_frame_order_free(&t->order);
	free(t);
}

static void sub_grow_events(struct timeline *t, uint32_t nev)
{
	uint32_t *c = xcalloc((size_t)t->sub_len * nev, sizeof(*c));
	uint32_t s, e;

	for (s = 0; s < t->sub_len; s++)
		for (e = 0; e < t->sub_nev; e++)
			c[(size_t)s * nev + e] = t->sub_count[(size_t)s * t->sub_nev + e];
	free(t->sub_count);
	t->sub_count = c;
	t->sub_nev = nev;
}

/* Counts a sample in the sub-second ring; false when it is too old for it. */
static bool sub_add(struct timeline *t, uint64_t time, uint32_t event)
{
	uint64_t slot;
	uint32_t i;

	if (time - t->sub_last_start < t->sub_ns) {
		slot = t->sub_last;
		i = t->sub_last_at;
	} else {
		slot = time / t->sub_ns;
		i = (uint32_t)(slot % t->sub_len);
		t->sub_last = slot;
		t->sub_last_start = slot * t->sub_ns;
		t->sub_last_at = i;
	}
	if (slot + t->sub_len < t->sub_hi)
		return false;
	if (event >= t->sub_nev)
		sub_grow_events(t, event + 1);
	if (slot >= t->sub_hi)
		t->sub_hi = slot + 1;
	if (t->sub_tag[i] != slot + 1) {
		t->sub_tag[i] = slot + 1;
		memset(&t->sub_count[(size_t)i * t->sub_nev], 0, t->sub_nev * sizeof(*t->sub_count));
	}
	t->sub_count[(size_t)i * t->sub_nev + event]++;
	return true;
}

static void live_add(struct timeline_live *l, const struct tl_key *k, uint64_t weight,
		     uint64_t count);

/*
 * Samples of one bucket summed by (node, stream), in the order their
 * first sample came: a run of samples in one bucket costs the key table,
 * the per-key sums, the pending array and the live windows once per
 * distinct pair instead of once per sample (a busy second repeats its hot
 * stacks hundreds of times). Entries of one key in one bucket are summed
 * by the next sort anyway, and a sum is kept below WEIGHT_MAX and
 * COUNT_MAX, so what a bucket holds, the per-key sums and the live
 * windows' figures are what adding the samples one by one gives.
 * Transient: made and freed by each timeline_add().
 */
#define AGG_MAX 1024
#define AGG_SLOTS (2 * AGG_MAX)
#define AGG_AHEAD 8

struct tl_agg {
	uint32_t node, stream;
	uint64_t weight;
	uint32_t count;
	uint32_t slot; /* its place in slots, emptied by agg_flush() */
	uint32_t key; /* its key, found by agg_flush() */
};

struct tl_aggs {
	struct tl_bucket *b; /* the bucket of the run (borrowed) */
	uint32_t n;
	uint16_t slots[AGG_SLOTS]; /* open addressing, index + 1, 0 = empty */
	struct tl_agg a[AGG_MAX];
};

/*
 * Adds `count` samples of (key->node, key->stream), key `k`, weighing
 * `weight` in all, to b's pending entries (a weight past WEIGHT_MAX as
 * entries of WEIGHT_MAX without a count, then the rest with the count),
 * the per-key sums and the live windows whose span b reaches into.
 */
static void pair_add(struct timeline *t, struct tl_bucket *b, const struct tl_key *key, uint32_t k,
		     uint64_t weight, uint64_t count)
{
	struct timeline_live *l;
	struct tl_entry e;
	uint64_t w = weight;

	e.key = k;
	if (!b->n)
		t->pending_buckets++;
	while (w > WEIGHT_MAX) {
		e.wc = WEIGHT_MAX << COUNT_BITS;
		bucket_push(t, b, &e);
		w -= WEIGHT_MAX;
	}
	e.wc = w << COUNT_BITS | count;
	bucket_push(t, b, &e);
	t->all_w[k] += weight;
	t->all_n[k] += count;
	for (l = t->lives; l; l = l->next) {
		if (bucket_end(b) <= l->cut)
			continue;
		live_add(l, key, weight, count);
	}
}

/*
 * Adds g's sums to its bucket, the per-key sums and the live windows, and
 * empties g; the bucket's pending entries are sorted in once they
 * outnumber the sorted ones. Nothing here moves the bucket array.
 */
static void agg_flush(struct timeline *t, struct tl_aggs *g)
{
	struct tl_bucket *b = g->b;
	struct timeline_live *l;
	uint32_t i;

	/*
	 * Two passes, each fetching the memory of the pair AGG_AHEAD on while
	 * it works on this one: the sums' pairs are scattered over the tables
	 * (a key's slot, its per-key sums, its node in the live windows), and
	 * fetched together their misses overlap instead of following one
	 * another.
	 */
	for (i = 0; i < g->n; i++) {
		struct tl_agg *a = &g->a[i];

		if (i + AGG_AHEAD < g->n && t->nkey_slots) {
			const struct tl_agg *next = &g->a[i + AGG_AHEAD];
			uint32_t hint = t->key_hint[next->node % ARRAY_SIZE(t->key_hint)];

			if (hint)
				__builtin_prefetch(&t->keys[hint - 1]);
			__builtin_prefetch(&t->key_slots[key_hash(next->node, next->stream) &
							 (t->nkey_slots - 1)]);
		}
		a->key = key_of(t, a->node, a->stream);
	}
	for (i = 0; i < g->n; i++) {
		const struct tl_agg *a = &g->a[i];
		struct tl_key key = { .node = a->node, .stream = a->stream };

		if (i + AGG_AHEAD < g->n) {
			const struct tl_agg *next = &g->a[i + AGG_AHEAD];

			__builtin_prefetch(&t->all_w[next->key], 1);
			__builtin_prefetch(&t->all_n[next->key], 1);
			for (l = t->lives; l; l = l->next)
				if (next->node < l->nnodes)
					__builtin_prefetch(&l->node_self[next->node], 1);
		}
		pair_add(t, b, &key, a->key, a->weight, a->count);
		g->slots[a->slot] = 0;
	}
	g->n = 0;
	if (b->n > PENDING_MIN && b->n > b->npacked) {
		bucket_sort(t, b);
		scratch_release(t);
	}
}

/*
 * Sums a sample of `weight` (at most WEIGHT_MAX) of (node, stream) into g,
 * flushing g first when it is full or the sum would not fit an entry.
 */
static void agg_add(struct timeline *t, struct tl_aggs *g, uint32_t node, uint32_t stream,
		    uint64_t weight)
{
	uint32_t mask = AGG_SLOTS - 1, h = key_hash(node, stream) & mask;
	struct tl_agg *a;

	for (; g->slots[h]; h = (h + 1) & mask) {
		a = &g->a[g->slots[h] - 1];
		if (a->node != node || a->stream != stream)
			continue;
		if (a->weight + weight <= WEIGHT_MAX && a->count < COUNT_MAX) {
			a->weight += weight;
			a->count++;
			return;
		}
		break;
	}
	if (g->slots[h] || g->n == AGG_MAX) {
		agg_flush(t, g);
		h = key_hash(node, stream) & mask;
	}
	a = &g->a[g->n];
	a->node = node;
	a->stream = stream;
	a->weight = weight;
	a->count = 1;
	a->slot = h;
	g->slots[h] = (uint16_t)++g->n;
}

void timeline_add(struct timeline *t, const struct profile_sample *s, size_t n)
{
	struct tl_aggs *g;
	size_t k;

	if (!n)
		return;
	g = xmalloc(sizeof(*g));
	g->b = NULL;
	g->n = 0;
	memset(g->slots, 0, sizeof(g->slots));
	for (k = 0; k < n; k++) {
		const struct profile_sample *x = &s[k];
		struct tl_bucket *b = g->b;
		uint32_t stream;

		if (x->time < t->horizon) {
			t->dropped++;
			continue;
		}
		/* bucket_for() may move the buckets: g's run is added first */
		if (!b || x->time < b->start || x->time >= bucket_end(b)) {
			if (b)
				agg_flush(t, g);
			b = g->b = bucket_for(t, x->time);
		}
		if (x->time > t->now)
			t->now = x->time;
		stream = stream_of(t, x);
		if (x->weight > WEIGHT_MAX) {
			/* alone, after the pairs before it (keys made in order) */
			struct tl_key key = { .node = x->node, .stream = stream };

			agg_flush(t, g);
			pair_add(t, b, &key, key_of(t, key.node, key.stream), x->weight, 1);
		} else {
			agg_add(t, g, x->node, stream, x->weight);
		}
		b->samples++;
		t->samples++;
		bucket_count_event(t, b, x->event, 1);
		if (!sub_add(t, x->time, x->event))
			b->sub_missed = true;
	}
	if (g->b)
		agg_flush(t, g);
	free(g);
}

/* ------------------------------------------------------------------------
 * Advancing: sorting, tiers, retention, the memory ceiling
 */

static size_t timeline_memory(const struct timeline *t)
{
	return sizeof(*t) + t->entry_bytes + t->bcap * sizeof(*t->b) +
	       t->streams_cap * sizeof(*t->streams) + t->nslots * sizeof(*t->stream_slots) +
	       t->keys_cap * (sizeof(*t->keys) + sizeof(*t->all_w) + sizeof(*t->all_n)) +
	       t->nkey_slots * sizeof(*t->key_slots) +
	       t->sub_len * (sizeof(*t->sub_tag) + (size_t)t->sub_nev * sizeof(*t->sub_count));
}

/* The next width of the chain after `w`. */
static uint64_t next_width(const struct timeline *t, uint64_t w)
{
	size_t i;

	for (i = 0; i < t->nwidths; i++)
		if (t->widths[i] > w)
			return t->widths[i];
	return w * 2;
}

/* Removes buckets [i, j) from the array (their storage already freed or moved). */
static void bucket_remove(struct timeline *t, size_t i, size_t j)
{
	memmove(&t->b[i], &t->b[j], (t->nb - j) * sizeof(*t->b));
	t->nb -= j - i;
}

/* Adds b's packed entries to the sums (sums_add): false when one did not fit. */
static bool bucket_sum(struct timeline *t, const struct tl_bucket *b)
{
	struct tl_cursor c;
	uint64_t w, cnt;
	uint32_t key;

	cursor_init(&c, b);
	while (cursor_next(&c, &key, &w, &cnt))
		if (!sums_add(t, key, w << COUNT_BITS | cnt))
			return false;
	return true;
}

/* Merges buckets [i, j) into one bucket [start, start + width) at index i. */
static void bucket_merge(struct timeline *t, size_t i, size_t j, uint64_t start, uint64_t width)
{
	struct tl_bucket *d = &t->b[i];
	struct tl_entry *acc = NULL;
	size_t k, n = 0, nacc = 0;

	for (k = i; k < j; k++) {
		bucket_sort(t, &t->b[k]); /* uses the scratch arrays: before acc is in one */
		n += t->b[k].npacked;
	}
	/*
	 * The runs summed by key (sums_add) where they are worth it and fit,
	 * else one after the other (scratch 0), sorted stably (through
	 * scratch 1) and combined: either is what merging them in turn would
	 * give, in a pass or two over them rather than one per bucket.
	 */
	if (j > i + 1 && sums_worth(t, n)) {
		sums_begin(t);
		for (k = i; k < j && bucket_sum(t, &t->b[k]); k++)
			;
		if (k == j) {
			acc = scratch(t, 0, n);
			nacc = sums_take(t, acc);
		} else {
			sums_take(t, NULL);
		}
	}
	if (j > i + 1 && !acc) {
		acc = scratch(t, 0, n);
		for (k = i, n = 0; k < j; k++) {
			bucket_unpack_to(&t->b[k], acc + n);
			n += t->b[k].npacked;
		}
		sort_by_key(t, acc, n);
		for (k = 0; k < n; k++)
			push_combine(acc, &nacc, &acc[k]);
	}
	for (k = i + 1; k < j; k++) {
		struct tl_bucket *s = &t->b[k];
		uint32_t e;

		for (e = 0; e < s->nev; e++)
			if (s->ev[e])
				bucket_count_event(t, d, e, s->ev[e]);
		d->samples += s->samples;
		d->sub_missed |= s->sub_missed;
		bucket_free(t, s);
	}
	if (j > i + 1)
		bucket_pack(t, d, acc, nacc);
	bucket_remove(t, i + 1, j);
	d->start = start;
	d->width = width;
	live_mark_merged(t, start, start + width);
}

/* Merges the buckets inside the aligned slot of `width` that holds bucket i. */
static void merge_slot(struct timeline *t, size_t i, uint64_t width)
{
	uint64_t start = t->b[i].start / width * width;
	size_t j = i + 1;

	while (j < t->nb && t->b[j].start < start + width)
		j++;
	bucket_merge(t, i, j, start, width);
}

/* Takes bucket b's entries out of per-key sums: weights kw, counts kn. */
static void __attribute__((noinline)) bucket_unsum_keys(const struct tl_bucket *b, uint64_t *kw,
							uint64_t *kn)
{
	uint64_t w, cnt;
	struct tl_cursor c;
	uint32_t k, ki;

	cursor_init(&c, b);
	while (cursor_next(&c, &ki, &w, &cnt)) {
		kw[ki] -= w;
		kn[ki] -= cnt;
	}
	for (k = 0; k < b->n; k++) {
		kw[b->e[k].key] -= wc_weight(b->e[k].wc);
		kn[b->e[k].key] -= wc_count(b->e[k].wc);
	}
}

/* Takes bucket b's entries out of the sums of everything (all_w, all_n). */
static void bucket_unsum(struct timeline *t, const struct tl_bucket *b)
{
	bucket_unsum_keys(b, t->all_w, t->all_n);
}

static void drop_buckets(struct timeline *t, size_t n)
{
	size_t k;

	if (n)
		t->keys_dirty = true;
	for (k = 0; k < n; k++) {
		bucket_unsum(t, &t->b[k]);
		t->dropped += t->b[k].samples;
		t->samples -= t->b[k].samples;
		if (bucket_end(&t->b[k]) > t->horizon)
			t->horizon = bucket_end(&t->b[k]);
		live_mark_stale(t, bucket_end(&t->b[k]));
		bucket_free(t, &t->b[k]);
	}
	bucket_remove(t, 0, n);
}

/* The width bucket i should have by its tier: the coarsest whose age its whole slot passed. */
static uint64_t tier_width(const struct timeline *t, const struct tl_bucket *b)
{
	size_t k;

	for (k = t->c.ntiers; k-- > 0;) {
		uint64_t w = t->c.tiers[k].width_ns, age = t->c.tiers[k].age_ns;
		uint64_t slot_end = b->start / w * w + w;

		if (t->now >= age && slot_end <= t->now - age)
			return w;
	}
	return t->c.resolution_ns;
}

/*
 * One step of the memory ceiling: the finest buckets that start in the
 * older half of the retained span go up one width of the chain (each with
 * whatever else is in its new slot), as long as that slot ends within the
 * retained span. Repeated, resolution ends up about proportional to age.
 * Returns the bytes of entries it merged (0: it could change nothing).
 */
static size_t coarsen_older_half(struct timeline *t)
{
	uint64_t first = t->b[0].start, last = bucket_end(&t->b[t->nb - 1]);
	uint64_t mid = first + (last - first) / 2;
	uint64_t finest = UINT64_MAX;
	size_t i, j, merged = 0;

	for (i = 0; i < t->nb && t->b[i].start < mid; i++)
		if (t->b[i].width < finest)
			finest = t->b[i].width;
	for (i = 0; i < t->nb && t->b[i].start < mid; i++) {
		uint64_t w = next_width(t, t->b[i].width), start = t->b[i].start / w * w;

		if (t->b[i].width != finest || start + w > last)
			continue;
		for (j = i; j < t->nb && t->b[j].start < start + w; j++)
			merged += t->b[j].packed_len + (size_t)t->b[j].n * sizeof(*t->b[j].e) + 1;
		merge_slot(t, i, w);
	}
	return merged;
}

void timeline_advance(struct timeline *t, uint64_t now)
{
	bool coarsen = true;
	size_t i;

	if (now > t->now)
		t->now = now;

	if (t->pending_buckets) {
		for (i = 0; i < t->nb; i++)
			if (t->b[i].n)
				bucket_sort(t, &t->b[i]);
		t->pending_buckets = 0;
	}

	if (t->c.retention_ns && t->now > t->c.retention_ns) {
		uint64_t cut = t->now - t->c.retention_ns;

		i = 0;
		while (i < t->nb && bucket_end(&t->b[i]) <= cut)
			i++;
		drop_buckets(t, i);
		if (cut > t->horizon)
			t->horizon = cut;
	}

	/* Tiers: oldest first; target widths only shrink towards the present. */
	for (i = 0; i < t->nb; i++) {
		uint64_t w = tier_width(t, &t->b[i]);

		if (w == t->c.resolution_ns)
			break;
		if (t->b[i].width < w)
			merge_slot(t, i, w);
	}

	while (timeline_memory(t) > t->c.max_memory) {
		size_t before = timeline_memory(t), merged;

		if (t->nb && coarsen && (merged = coarsen_older_half(t))) {
			/*
			 * A pass that saved under 1/128 of what it merged (all
			 * distinct stacks) is not repeated: dropping is what helps.
			 */
			if (timeline_memory(t) + merged / 128 > before)
				coarsen = false;
		} else if (t->keys_dirty && keys_compact(t)) {
			continue; /* the keys of dropped buckets go first: they are pure loss */
		} else if (t->nb > 1) {
			/* Never the newest: when the tables alone outgrow the
			 * ceiling, the present stays in view. */
			drop_buckets(t, 1);
		} else {
			break;
		}
	}
	scratch_release(t);
}

void timeline_stats(const struct timeline *t, struct timeline_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->memory = timeline_memory(t);
	out->buckets = t->nb;
	if (t->nb) {
		out->first = t->b[0].start;
		out->last = bucket_end(&t->b[t->nb - 1]);
	}
	out->samples = t->samples;
	out->dropped = t->dropped;
}

void timeline_resolution(const struct timeline *t, uint64_t from, uint64_t to, uint64_t *finest,
			 uint64_t *coarsest)
{
	uint64_t lo = 0, hi = 0;
	size_t i;

	if (!to)
		to = UINT64_MAX;
	for (i = first_ending_after(t, from); i < t->nb && t->b[i].start < to; i++) {
		uint64_t w = t->b[i].width;

		if (!lo || w < lo)
			lo = w;
		if (w > hi)
			hi = w;
	}
	*finest = lo;
	*coarsest = hi;
}

void timeline_span(const struct timeline *t, uint64_t *from, uint64_t *to)
{
	size_t i = first_ending_after(t, *from);

	if (i < t->nb && t->b[i].start < *from)
		*from = t->b[i].start;
	if (*to <= *from)
		return;
	i = first_ending_after(t, *to - 1);
	if (i < t->nb && t->b[i].start < *to && bucket_end(&t->b[i]) > *to)
		*to = bucket_end(&t->b[i]);
}

/* ------------------------------------------------------------------------
 * Queries
 */

/* Adds bucket b's matching entries into node_self (nnodes long), times `sign`. */
static void bucket_accumulate(const struct timeline *t, const struct tl_bucket *b,
			      struct tl_match *m, uint64_t *node_self, uint32_t nnodes, int sign,
			      uint64_t *total, uint64_t *nsamples)
{
	uint64_t tw = 0, tn = 0, w, cnt;
	struct tl_cursor c;
	uint32_t k, ki;

	cursor_init(&c, b);
	for (k = 0;; k++) {
		const struct tl_key *key;

		if (!cursor_next(&c, &ki, &w, &cnt)) {
			if (k >= b->npacked + b->n)
				break;
			ki = b->e[k - b->npacked].key;
			w = wc_weight(b->e[k - b->npacked].wc);
			cnt = wc_count(b->e[k - b->npacked].wc);
		}
		key = &t->keys[ki];
		if (key->node >= nnodes || !match_key(m, t, key))
			continue;
		if (sign > 0)
			node_self[key->node] += w;
		else
			node_self[key->node] -= w;
		tw += w;
		tn += cnt;
	}
	if (sign > 0) {
		*total += tw;
		*nsamples += tn;
	} else {
		*total -= tw;
		*nsamples -= tn;
	}
}

/* Whether `key` passes the verdicts decided beforehand (node_ok NULL: all nodes pass). */
static inline bool key_ok(const struct tl_key *key, const uint8_t *stream_ok,
			  const uint8_t *node_ok, uint32_t nnodes)
{
	return key->node < nnodes && stream_ok[key->stream] && (!node_ok || node_ok[key->node]);
}

/*
 * A query's inner loop: b's entries summed per key, weights into kw and
 * counts into kn (nkeys long). The filter is applied per key afterwards,
 * so the loop only decodes and adds into arrays that stay in cache.
 */
static void __attribute__((noinline)) bucket_sum_keys(const struct tl_bucket *b, uint64_t *kw, uint64_t *kn)
{
	uint64_t w, cnt;
	struct tl_cursor c;
	uint32_t k, ki;

	cursor_init(&c, b);
	while (cursor_next(&c, &ki, &w, &cnt)) {
		kw[ki] += w;
		kn[ki] += cnt;
	}
	for (k = 0; k < b->n; k++) {
		kw[b->e[k].key] += wc_weight(b->e[k].wc);
		kn[b->e[k].key] += wc_count(b->e[k].wc);
	}
}

/* The entries, packed and pending, of buckets [lo, hi). */
static uint64_t bucket_entries(const struct timeline *t, size_t lo, size_t hi)
{
	uint64_t n = 0;

	for (; lo < hi; lo++)
		n += (uint64_t)t->b[lo].npacked + t->b[lo].n;
	return n;
}

/* Whether b holds a sample (an entry with a count) whose key passes the verdicts. */
static bool bucket_matches(const struct tl_bucket *b, const struct tl_key *keys,
			   const uint8_t *stream_ok, const uint8_t *node_ok, uint32_t nnodes)
{
	uint64_t w, cnt;
	struct tl_cursor c;
	uint32_t k, ki;

	cursor_init(&c, b);
	while (cursor_next(&c, &ki, &w, &cnt))
		if (cnt && key_ok(&keys[ki], stream_ok, node_ok, nnodes))
			return true;
	for (k = 0; k < b->n; k++)
		if (wc_count(b->e[k].wc) && key_ok(&keys[b->e[k].key], stream_ok, node_ok, nnodes))
			return true;
	return false;
}

struct profile_top *timeline_query(struct timeline *t, const struct profile_filter *f)
{
	uint32_t nnodes = t->p->nnodes, n;
	uint64_t *node_self = xcalloc(nnodes ? nnodes : 1, sizeof(*node_self));
	uint64_t total = 0, nsamples = 0, first = 0, last = 0, to = f->to ? f->to : UINT64_MAX;
	uint8_t *stream_ok = xcalloc(t->nstreams ? t->nstreams : 1, 1), *node_ok = NULL;
	uint64_t *kw = NULL, *kn = NULL;
	const uint64_t *sw, *sn;
	struct profile_top *top;
	struct tl_match m;
	size_t i, lo, hi;
	uint32_t k;

	match_init(&m, t->p, f);
	for (n = 0; n < t->nstreams; n++)
		stream_ok[n] = match_stream(&m, t, n);
	if (m.patterns) {
		node_ok = xcalloc(nnodes ? nnodes : 1, 1);
		for (n = 0; n < nnodes; n++)
			node_ok[n] = profile_matcher_node(&m.mn, t->p, n);
	}
	lo = hi = first_ending_after(t, f->from);
	while (hi < t->nb && t->b[hi].start < to)
		hi++;
	if (lo == 0 && hi == t->nb) {
		/* Every bucket: their sums are kept. */
		sw = t->all_w;
		sn = t->all_n;
	} else if (2 * bucket_entries(t, lo, hi) > bucket_entries(t, 0, t->nb)) {
		/* Most entries: the sums of everything, less the buckets outside. */
		kw = xreallocarray(NULL, t->nkeys ? t->nkeys : 1, sizeof(*kw));
		kn = xreallocarray(NULL, t->nkeys ? t->nkeys : 1, sizeof(*kn));
		memcpy(kw, t->all_w, t->nkeys * sizeof(*kw));
		memcpy(kn, t->all_n, t->nkeys * sizeof(*kn));
		for (i = 0; i < t->nb; i++)
			if (i < lo || i >= hi)
				bucket_unsum_keys(&t->b[i], kw, kn);
		sw = kw;
		sn = kn;
	} else {
		kw = xcalloc(t->nkeys ? t->nkeys : 1, sizeof(*kw));
		kn = xcalloc(t->nkeys ? t->nkeys : 1, sizeof(*kn));
		for (i = lo; i < hi; i++)
			bucket_sum_keys(&t->b[i], kw, kn);
		sw = kw;
		sn = kn;
	}
	for (k = 0; k < t->nkeys; k++) {
		const struct tl_key *key = &t->keys[k];

		if ((sw[k] || sn[k]) && key_ok(key, stream_ok, node_ok, nnodes)) {
			node_self[key->node] += sw[k];
			total += sw[k];
			nsamples += sn[k];
		}
	}
	/* the span covered: the first and the last bucket with a matching sample */
	for (i = lo; nsamples && i < hi; i++) {
		if (bucket_matches(&t->b[i], t->keys, stream_ok, node_ok, nnodes)) {
			first = t->b[i].start;
			break;
		}
	}
	for (i = hi; nsamples && i-- > lo;) {
		if (bucket_matches(&t->b[i], t->keys, stream_ok, node_ok, nnodes)) {
			last = bucket_end(&t->b[i]);
			break;
		}
	}
	free(kw);
	free(kn);
	free(node_ok);
	free(stream_ok);
	match_free(&m);
	top = profile_top_build_ordered(t->p, node_self, nnodes, &t->order);
	top->total_weight = total;
	top->nsamples = nsamples;
	top->first_time = first;
	top->last_time = last;
	return top;
}

/* ------------------------------------------------------------------------
 * Live windows
 */

static void live_grow(struct timeline_live *l, uint32_t node)
{
	uint32_t n = l->t->p->nnodes > node ? l->t->p->nnodes : node + 1;

	l->node_self = xreallocarray(l->node_self, n, sizeof(*l->node_self));
	memset(l->node_self + l->nnodes, 0, (size_t)(n - l->nnodes) * sizeof(*l->node_self));
	l->nnodes = n;
}

/* `count` samples weighing `weight` in all (a plain sum here, not weight:count). */
static void live_add(struct timeline_live *l, const struct tl_key *k, uint64_t weight,
		     uint64_t count)
{
	if (k->node >= l->t->p->nnodes || !match_key(&l->m, l->t, k))
		return;
	if (k->node >= l->nnodes)
		live_grow(l, k->node);
	l->node_self[k->node] += weight;
	l->total += weight;
	l->nsamples += count;
	l->changed = true;
}

static void live_mark_stale(struct timeline *t, uint64_t end)
{
	struct timeline_live *l;

	for (l = t->lives; l; l = l->next)
		if (end > l->cut)
			l->stale = true;
}

/*
 * Buckets merged into [start, end): a window that held all of them holds
 * the same samples (a merge is their union) and only lists them again; one
 * the merge straddles now holds more, and starts over.
 */
static void live_mark_merged(struct timeline *t, uint64_t start, uint64_t end)
{
	struct timeline_live *l;

	for (l = t->lives; l; l = l->next) {
		if (end <= l->cut)
			continue;
		if (start < l->cut)
			l->stale = true;
		else
			l->changed = true;
	}
}

static uint64_t live_cut(const struct timeline_live *l)
{
	return l->t->now > l->span ? l->t->now - l->span : 0;
}

static void live_rebuild(struct timeline_live *l)
{
	struct timeline *t = l->t;
	size_t i;

	match_free(&l->m);
	match_init(&l->m, t->p, &l->f);
	l->cut = live_cut(l);
	if (l->nnodes < t->p->nnodes)
		live_grow(l, t->p->nnodes - 1);
	memset(l->node_self, 0, (size_t)l->nnodes * sizeof(*l->node_self));
	l->total = l->nsamples = 0;
	for (i = first_ending_after(t, l->cut); i < t->nb; i++)
		bucket_accumulate(t, &t->b[i], &l->m, l->node_self, l->nnodes, 1, &l->total,
				  &l->nsamples);
	l->stale = false;
	l->changed = true;
}

/* With a comm filter: whether a stream's thread was renamed since it was decided. */
static bool live_renamed(struct timeline_live *l)
{
	const struct timeline *t = l->t;
	uint32_t i, n = t->nstreams;
	bool renamed = false;

	if (!l->f.comm)
		return false;
	l->stream_comm = xreallocarray(l->stream_comm, n ? n : 1, sizeof(*l->stream_comm));
	for (i = 0; i < n; i++) {
		const struct profile_thread *th = profile_find_thread(t->p, t->streams[i].tid);
		uint32_t comm = th ? th->comm : UINT32_MAX;

		if (i < l->ncomm && l->stream_comm[i] != comm)
			renamed = true;
		l->stream_comm[i] = comm;
	}
	l->ncomm = n;
	return renamed;
}

struct timeline_live *timeline_live_new(struct timeline *t, const struct profile_filter *f,
					uint64_t span_ns)
{
	struct timeline_live *l = xcalloc(1, sizeof(*l));

	l->t = t;
	l->f = *f;
	l->f.from = 0;
	l->f.to = 0;
	l->span = span_ns;
	match_init(&l->m, t->p, &l->f);
	l->next = t->lives;
	t->lives = l;
	live_rebuild(l);
	live_renamed(l);
	return l;
}

void timeline_live_free(struct timeline_live *l)
{
	struct timeline_live **pp;

	if (!l)
		return;
	for (pp = &l->t->lives; *pp; pp = &(*pp)->next) {
		if (*pp == l) {
			*pp = l->next;
			break;
		}
	}
	match_free(&l->m);
	profile_top_free(l->top);
	free(l->node_self);
	free(l->stream_comm);
	free(l);
}

/* timeline_live_top(), its functions listed only if `functions`. */
static const struct profile_top *live_top(struct timeline_live *l, bool functions)
{
	struct timeline *t = l->t;
	uint64_t cut = live_cut(l);
	size_t i;

	if (live_renamed(l))
		l->stale = true;
	if (l->stale) {
		live_rebuild(l);
		live_renamed(l);
	} else if (cut > l->cut) {
		for (i = first_ending_after(t, l->cut); i < t->nb && bucket_end(&t->b[i]) <= cut;
		     i++) {
			bucket_accumulate(t, &t->b[i], &l->m, l->node_self, l->nnodes, -1, &l->total,
					  &l->nsamples);
			l->changed = true;
		}
		l->cut = cut;
	}
	if (l->top && !l->changed && l->top->nnodes == t->p->nnodes) {
		if (functions)
			profile_top_functions(l->top, t->p, &t->order);
		return l->top;
	}

	if (!l->top)
		l->top = xcalloc(1, sizeof(*l->top));
	if (functions)
		profile_top_rebuild(l->top, t->p, l->node_self, l->nnodes, &t->order);
	else
		profile_top_rebuild_nodes(l->top, t->p, l->node_self, l->nnodes);
	l->top->total_weight = l->total;
	l->top->nsamples = l->nsamples;
	i = first_ending_after(t, l->cut);
	if (l->nsamples && i < t->nb) {
		l->top->first_time = t->b[i].start;
		l->top->last_time = bucket_end(&t->b[t->nb - 1]);
	}
	l->changed = false;
	return l->top;
}

const struct profile_top *timeline_live_top(struct timeline_live *l)
{
	return live_top(l, true);
}

const struct profile_top *timeline_live_nodes(struct timeline_live *l)
{
	return live_top(l, false);
}

/* ------------------------------------------------------------------------
 * Rates
 */

struct rate_steps {
	uint64_t from, to;
	size_t n;
	uint64_t *counts;
};

/* The start of step i. */
static uint64_t step_start(const struct rate_steps *r, size_t i)
{
	return r->from + (uint64_t)((unsigned __int128)(r->to - r->from) * i / r->n);
}

/*
 * Spreads `count` samples evenly over [a, b) and adds the part inside each
 * step; the shares of a span wholly inside [from, to) sum to `count`.
 */
static void spread(const struct rate_steps *r, uint64_t a, uint64_t b, uint64_t count)
{
	uint64_t lo = a > r->from ? a : r->from, hi = b < r->to ? b : r->to;
	size_t i;

	if (!count || lo >= hi)
		return;
	i = (size_t)((unsigned __int128)(lo - r->from) * r->n / (r->to - r->from));
	for (; i < r->n; i++) {
		uint64_t s0 = step_start(r, i), s1 = step_start(r, i + 1);
		uint64_t x0 = s0 > lo ? s0 : lo, x1 = s1 < hi ? s1 : hi;

		if (s0 >= hi)
			break;
		if (x0 >= x1)
			continue;
		r->counts[i] += (uint64_t)((unsigned __int128)count * (x1 - a) / (b - a)) -
				(uint64_t)((unsigned __int128)count * (x0 - a) / (b - a));
	}
}

/* The end of [start, end) where the clock cuts it: no sample is later
 * than the clock (t->now), so the newest span holds data up to it only. */
static uint64_t clock_end(const struct timeline *t, uint64_t start, uint64_t end)
{
	return end > t->now + 1 && t->now >= start ? t->now + 1 : end;
}

static uint64_t sub_slot_count(const struct timeline *t, uint64_t slot, int event)
{
	uint32_t i = (uint32_t)(slot % t->sub_len), e;
	uint64_t n = 0;

	if (t->sub_tag[i] != slot + 1)
		return 0;
	if (event >= 0)
		return (uint32_t)event < t->sub_nev ? t->sub_count[(size_t)i * t->sub_nev + event] :
						      0;
	for (e = 0; e < t->sub_nev; e++)
		n += t->sub_count[(size_t)i * t->sub_nev + e];
	return n;
}

void timeline_rate(const struct timeline *t, uint64_t from, uint64_t to, int event,
		   uint64_t *counts, size_t n)
{
	struct rate_steps r = { from, to, n, counts };
	uint64_t step, sub_lo;
	size_t i;

	if (!n)
		return;
	memset(counts, 0, n * sizeof(*counts));
	if (to <= from)
		return;
	step = (to - from) / n;
	sub_lo = t->sub_hi > t->sub_len ? t->sub_hi - t->sub_len : 0;
	for (i = first_ending_after(t, from); i < t->nb && t->b[i].start < to; i++) {
		const struct tl_bucket *b = &t->b[i];
		uint64_t c;

		if (step < b->width && !b->sub_missed && b->start / t->sub_ns >= sub_lo) {
			uint64_t s;

			for (s = b->start / t->sub_ns; s < bucket_end(b) / t->sub_ns; s++) {
				uint64_t s0 = s * t->sub_ns;

				spread(&r, s0, clock_end(t, s0, s0 + t->sub_ns),
				       sub_slot_count(t, s, event));
			}
			continue;
		}
		if (event < 0)
			c = b->samples;
		else
			c = (uint32_t)event < b->nev ? b->ev[event] : 0;
		spread(&r, b->start, clock_end(t, b->start, bucket_end(b)), c);
	}
}

/* The samples of b's entries that `m` passes. */
static uint64_t bucket_count(const struct timeline *t, const struct tl_bucket *b,
			     struct tl_match *m)
{
	uint64_t n = 0, w, cnt;
	struct tl_cursor c;
	uint32_t k, ki;

	cursor_init(&c, b);
	while (cursor_next(&c, &ki, &w, &cnt))
		if (cnt && match_key(m, t, &t->keys[ki]))
			n += cnt;
	for (k = 0; k < b->n; k++)
		if (wc_count(b->e[k].wc) && match_key(m, t, &t->keys[b->e[k].key]))
			n += wc_count(b->e[k].wc);
	return n;
}

/* A bucket's count as a cache keeps it: valid while its span and samples are. */
struct tl_count {
	uint64_t width, samples, count;
};

struct timeline_count_cache {
	struct u64map at; /* a bucket's start + 1 -> its index in `counts` */
	struct tl_count *counts;
	uint32_t n, cap;
};

struct timeline_count_cache *timeline_count_cache_new(void)
{
	struct timeline_count_cache *c = xcalloc(1, sizeof(*c));

	u64map_init(&c->at);
	return c;
}

void timeline_count_cache_reset(struct timeline_count_cache *c)
{
	if (!c)
		return;
	u64map_free(&c->at);
	u64map_init(&c->at);
	c->n = 0;
}

void timeline_count_cache_free(struct timeline_count_cache *c)
{
	if (!c)
		return;
	u64map_free(&c->at);
	free(c->counts);
	free(c);
}

/* bucket_count(), from `c` when it holds b's count as b is now. */
static uint64_t cached_count(const struct timeline *t, const struct tl_bucket *b,
			     struct tl_match *m, struct timeline_count_cache *c)
{
	uint32_t k;

	if (!c)
		return bucket_count(t, b, m);
	if (u64map_get(&c->at, b->start + 1, &k)) {
		if (c->counts[k].width == b->width && c->counts[k].samples == b->samples)
			return c->counts[k].count;
	} else {
		if (c->n == c->cap) {
			c->cap = c->cap ? c->cap * 2 : 256;
			c->counts = xreallocarray(c->counts, c->cap, sizeof(*c->counts));
		}
		k = c->n++;
		u64map_put(&c->at, b->start + 1, k);
	}
	c->counts[k].width = b->width;
	c->counts[k].samples = b->samples;
	c->counts[k].count = bucket_count(t, b, m);
	return c->counts[k].count;
}

void timeline_rate_filter(const struct timeline *t, uint64_t from, uint64_t to,
			  const struct profile_filter *f, struct timeline_count_cache *c,
			  uint64_t *counts, size_t n)
{
	struct rate_steps r = { from, to, n, counts };
	struct profile_filter fw = *f;
	struct tl_match m;
	size_t i;

	if (f->pid < 0 && f->tid < 0 && !f->comm && !f->include && !f->exclude) {
		timeline_rate(t, from, to, f->event, counts, n);
		return;
	}
	if (!n)
		return;
	memset(counts, 0, n * sizeof(*counts));
	if (to <= from)
		return;
	fw.from = fw.to = 0;
	match_init(&m, t->p, &fw);
	/* Buckets merged into coarser ones leave counts no bucket starts at. */
	if (c && c->n > 2 * t->nb + 256)
		timeline_count_cache_reset(c);
	for (i = first_ending_after(t, from); i < t->nb && t->b[i].start < to; i++) {
		spread(&r, t->b[i].start, clock_end(t, t->b[i].start, bucket_end(&t->b[i])),
		       cached_count(t, &t->b[i], &m, c));
	}
	match_free(&m);
}
