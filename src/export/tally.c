/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An export tally: what the exporters read of the samples a filter
 * selects, summed a batch at a time, so that `export` and `push` read a
 * session a chunk at a time and drop its samples, as report does. What
 * the exporters write of these sums is what they write of every sample,
 * byte for byte:
 *
 * - groups, one per (thread, stack, leaf address) (per process too for
 *   push --per-process; per event too, with EXPORT_TALLY_EVENTS): their
 *   count and summed weight, the process of their earliest sample, and
 *   where in time order their weight was
 *   complete (their last sample of weight, else their first), by which
 *   they are ordered, so that pprof's choice of the main mapping (the
 *   module whose weight first reaches the most) comes out the same.
 *   Folded stacks, the SVG and pprof read these.
 * - runs, per thread: its stacks in time order, a run of samples of one
 *   stack as one (stack, summed weight), as speedscope writes them; and
 *   the order in which stacks first appear. Runs need the samples of a
 *   thread in time order, which a session's need not be: a CPU's ring
 *   drained late puts its samples after later ones of other CPUs, in the
 *   same chunk or the next. So a thread's latest samples (within the
 *   limits' lag of the latest time seen, at most so many) wait in a
 *   reorder window, sorted, and only older ones become runs; a sample
 *   older than the thread's runs already made is out of reach, and the
 *   tally says so (the caller reads the session whole). Runs past the
 *   limits' memory go to an unlinked temporary file, a thread's in blocks
 *   whose offsets it keeps, so that a day-long session's runs (about 5
 *   bytes each) do not have to fit in memory.
 *
 * "Time order" is the samples' times, ties in the order they came, which
 * is the order a stable sort of the whole session gives them.
 */
#include "config.h"

#include "flametop/export.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flametop/util.h"
#include "internal.h"

/* One group: samples of one (pid,) tid, node and location. */
struct group {
	struct profile_sample s; /* its earliest sample; weight: their sum */
	uint64_t count;
	uint64_t first_time, first_seq; /* its earliest sample */
	uint64_t key_time, key_seq; /* its last sample of weight, else its earliest */
	bool weighed;
};

/* A sample waiting in a thread's reorder window. */
struct pending {
	uint64_t time, seq, weight;
	uint32_t node;
};

/* A thread's samples not yet in its runs, sorted by (time, seq): s[head..n). */
struct window {
	struct pending *s;
	size_t head, n, cap;
	uint64_t made; /* the time of its latest run's last sample, while `any` */
	bool any;
};

struct export_tally {
	const struct profile *p;
	struct profile_filter f;
	unsigned parts;
	struct profile_matcher m;
	uint64_t seq; /* samples seen, matched or not: their order */
	uint64_t count, last; /* matched: how many, the latest time */

	/* EXPORT_TALLY_GROUPS */
	struct group *groups;
	size_t ngroups, groups_cap;
	uint32_t *slots; /* open addressing: group index + 1, 0: empty */
	size_t nslots;

	/* EXPORT_TALLY_RUNS */
	struct export_tally_limits lim;
	struct export_runs_thread *threads;
	struct window *windows; /* per thread, as threads */
	size_t nthreads, threads_cap;
	struct u64map thread_of; /* tid + 1 (keys are nonzero) -> index */
	uint64_t *node_first; /* per node: seq + 1 of its first sample, 0: none */
	uint64_t *node_first_time;
	uint32_t nnodes;
	bool unordered;
	size_t runs_bytes; /* closed runs in the threads' buffers */
	int fd; /* the runs' file, once made (else -1) */
	uint64_t fd_end;
	bool failed; /* the file could not be made or written: `err` says why */
	struct ft_error err;
};

struct export_tally *export_tally_new(const struct profile *p, const struct profile_filter *f,
				      unsigned parts)
{
	struct export_tally *t = xcalloc(1, sizeof(*t));

	t->p = p;
	t->f = *f;
	if (!(parts & EXPORT_TALLY_EVENTS) && t->f.event < 0 && p->nevents)
		t->f.event = 0; /* weights of different events don't add up */
	t->parts = parts;
	profile_matcher_init(&t->m, p, &t->f);
	u64map_init(&t->thread_of);
	t->lim = EXPORT_TALLY_LIMITS;
	t->fd = -1;
	return t;
}

void export_tally_set_limits(struct export_tally *t, const struct export_tally_limits *l)
{
	t->lim = *l;
}

void export_tally_free(struct export_tally *t)
{
	size_t i;

	if (!t)
		return;
	profile_matcher_free(&t->m);
	free(t->groups);
	free(t->slots);
	for (i = 0; i < t->nthreads; i++) {
		free(t->threads[i].buf);
		free(t->threads[i].blocks);
		free(t->windows[i].s);
	}
	free(t->threads);
	free(t->windows);
	if (t->fd >= 0)
		close(t->fd);
	u64map_free(&t->thread_of);
	free(t->node_first);
	free(t->node_first_time);
	free(t);
}

static uint64_t group_hash(const struct profile_sample *s, bool pid)
{
	uint64_t h = ((uint64_t)s->node << 32 | s->tid) * 0x9e3779b97f4a7c15ull;

	h ^= ((uint64_t)s->location << 32 | (pid ? s->pid : 0)) + 0xbf58476d1ce4e5b9ull + (h << 6) +
	     (h >> 2) + s->event;
	h ^= h >> 31;
	h *= 0x94d049bb133111ebull;
	return h ^ (h >> 29);
}

static bool group_is(const struct group *g, const struct profile_sample *s, bool pid)
{
	return g->s.node == s->node && g->s.tid == s->tid && g->s.location == s->location &&
	       g->s.event == s->event && (!pid || g->s.pid == s->pid);
}

static void groups_grow(struct export_tally *t)
{
	bool pid = t->parts & EXPORT_TALLY_PER_PID;
	size_t i, k;

	t->nslots = t->nslots ? 2 * t->nslots : 1024;
	free(t->slots);
	t->slots = xcalloc(t->nslots, sizeof(*t->slots));
	for (i = 0; i < t->ngroups; i++) {
		for (k = group_hash(&t->groups[i].s, pid) & (t->nslots - 1); t->slots[k];
		     k = (k + 1) & (t->nslots - 1))
			;
		t->slots[k] = (uint32_t)i + 1;
	}
}

static void add_group(struct export_tally *t, const struct profile_sample *s)
{
	bool pid = t->parts & EXPORT_TALLY_PER_PID;
	struct group *g;
	size_t k;

	if (2 * (t->ngroups + 1) > t->nslots)
		groups_grow(t);
	for (k = group_hash(s, pid) & (t->nslots - 1); t->slots[k]; k = (k + 1) & (t->nslots - 1))
		if (group_is(&t->groups[t->slots[k] - 1], s, pid))
			break;
	if (!t->slots[k]) {
		if (t->ngroups == t->groups_cap) {
			t->groups_cap = t->groups_cap ? 2 * t->groups_cap : 256;
			t->groups = xreallocarray(t->groups, t->groups_cap, sizeof(*t->groups));
		}
		g = &t->groups[t->ngroups];
		*g = (struct group){ .s = *s,
				     .first_time = s->time,
				     .first_seq = t->seq,
				     .key_time = s->time,
				     .key_seq = t->seq };
		g->s.weight = 0;
		t->slots[k] = (uint32_t)++t->ngroups;
	}
	g = &t->groups[t->slots[k] - 1];
	if (s->time < g->first_time) { /* a later sample of an earlier time */
		uint64_t w = g->s.weight;

		g->s = *s;
		g->s.weight = w;
		g->first_time = s->time;
		g->first_seq = t->seq;
		if (!g->weighed) {
			g->key_time = s->time;
			g->key_seq = t->seq;
		}
	}
	if (s->weight && (!g->weighed || s->time >= g->key_time)) {
		g->key_time = s->time;
		g->key_seq = t->seq;
		g->weighed = true;
	}
	g->s.weight += s->weight;
	g->count++;
}

/* --- Runs ----------------------------------------------------------------- */

/* The runs' file (ft_tmpfile: unlinked, mode 0600, made exclusively, so
 * that no other user of a shared $TMPDIR can open it, or plant a name for
 * root to write through). */
static int open_spill(struct export_tally *t)
{
	t->fd = ft_tmpfile("runs");
	if (t->fd < 0) {
		error_set(&t->err, "cannot make a temporary file for speedscope's runs in %s: %s",
			  ft_tmpdir(), strerror(-t->fd));
		t->fd = -1;
		return -1;
	}
	return 0;
}

/* Writes the thread's buffered runs to the file as its next block, and
 * empties (and shrinks) the buffer. -1 with `err` said. */
static int spill(struct export_tally *t, struct export_runs_thread *th)
{
	const unsigned char *at = th->buf;
	size_t left = th->len;
	uint64_t off = t->fd_end;

	if (t->fd < 0 && open_spill(t) < 0)
		return -1;
	while (left > 0) {
		ssize_t n = pwrite(t->fd, at, left, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			error_set(&t->err,
				  "cannot write speedscope's runs to a temporary file in %s: %s",
				  ft_tmpdir(), n < 0 ? strerror(errno) : "short write");
			return -1;
		}
		at += n;
		off += (uint64_t)n;
		left -= (size_t)n;
	}
	if (th->nblocks == th->blocks_cap) {
		th->blocks_cap = th->blocks_cap ? 2 * th->blocks_cap : 16;
		th->blocks = xreallocarray(th->blocks, th->blocks_cap, sizeof(*th->blocks));
	}
	th->blocks[th->nblocks++] = (struct export_runs_block){ t->fd_end, th->len };
	t->fd_end = off;
	t->runs_bytes -= th->len;
	th->len = 0;
	if (th->cap > 2 * t->lim.block + 64) { /* it grew while under the cap */
		free(th->buf);
		th->buf = NULL;
		th->cap = 0;
	}
	return 0;
}

/* A sample into the thread's runs; its buffer to the file when the runs
 * in memory are past the cap and this one holds a block's worth. */
static void make_run(struct export_tally *t, struct export_runs_thread *th, const struct pending *o)
{
	size_t len = th->len;

	export_runs_append(th, o->node, o->weight, o->time,
			   t->f.event >= 0 && (uint32_t)t->f.event < t->p->nevents &&
				   strcmp(t->p->events[t->f.event].unit, "ns") == 0);
	t->runs_bytes += th->len - len;
	if (th->len >= t->lim.block && t->runs_bytes > t->lim.runs_memory && !t->failed &&
	    spill(t, th) < 0)
		t->failed = true;
}

/* Makes runs of the thread's window's oldest samples: those more than the
 * lag before `now` (the latest time seen), any past the window's count,
 * every one with `all`. */
static void window_flush(struct export_tally *t, size_t idx, uint64_t now, bool all)
{
	struct window *w = &t->windows[idx];

	for (; w->head < w->n; w->head++) {
		const struct pending *o = &w->s[w->head];

		if (!all && w->n - w->head <= t->lim.window_samples &&
		    now - o->time <= t->lim.lag_ns)
			break;
		make_run(t, &t->threads[idx], o);
		w->made = o->time;
		w->any = true;
	}
	if (w->head == w->n)
		w->head = w->n = 0;
}

/* Puts a sample (the latest to come: `seq` above all others) into the
 * thread's window, after those of its time or earlier. */
static void window_insert(struct window *w, const struct profile_sample *s, uint64_t seq)
{
	size_t k;

	if (w->n == w->cap && w->head) {
		memmove(w->s, w->s + w->head, (w->n - w->head) * sizeof(*w->s));
		w->n -= w->head;
		w->head = 0;
	}
	if (w->n == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 64;
		w->s = xreallocarray(w->s, w->cap, sizeof(*w->s));
	}
	for (k = w->n; k > w->head && w->s[k - 1].time > s->time; k--)
		;
	if (k < w->n) /* a late one: most come after all */
		memmove(w->s + k + 1, w->s + k, (w->n - k) * sizeof(*w->s));
	w->s[k] = (struct pending){
		.time = s->time, .seq = seq, .weight = s->weight, .node = s->node
	};
	w->n++;
}

/* The index of the sample's thread, added when new. */
static uint32_t thread_index(struct export_tally *t, const struct profile_sample *s)
{
	uint32_t idx;

	if (u64map_get(&t->thread_of, (uint64_t)s->tid + 1, &idx))
		return idx;
	if (t->nthreads == t->threads_cap) {
		t->threads_cap = t->threads_cap ? 2 * t->threads_cap : 16;
		t->threads = xreallocarray(t->threads, t->threads_cap, sizeof(*t->threads));
		t->windows = xreallocarray(t->windows, t->threads_cap, sizeof(*t->windows));
	}
	idx = (uint32_t)t->nthreads++;
	t->threads[idx] =
		(struct export_runs_thread){ .tid = s->tid, .pid = s->pid, .first_time = s->time };
	t->windows[idx] = (struct window){ 0 };
	u64map_put(&t->thread_of, (uint64_t)s->tid + 1, idx);
	return idx;
}

static void add_run(struct export_tally *t, const struct profile_sample *s)
{
	struct export_runs_thread *th;
	struct window *w;
	uint32_t idx;

	if (t->nnodes < t->p->nnodes) {
		t->node_first = xreallocarray(t->node_first, t->p->nnodes, sizeof(*t->node_first));
		t->node_first_time = xreallocarray(t->node_first_time, t->p->nnodes,
						   sizeof(*t->node_first_time));
		memset(t->node_first + t->nnodes, 0,
		       (t->p->nnodes - t->nnodes) * sizeof(*t->node_first));
		t->nnodes = t->p->nnodes;
	}
	if (!t->node_first[s->node] || s->time < t->node_first_time[s->node]) {
		t->node_first[s->node] = t->seq + 1;
		t->node_first_time[s->node] = s->time;
	}
	idx = thread_index(t, s);
	th = &t->threads[idx];
	w = &t->windows[idx];
	if (s->time < th->first_time) { /* the thread's earliest names its process */
		th->first_time = s->time;
		th->pid = s->pid;
	}
	if (w->any && s->time < w->made) {
		t->unordered = true; /* its place is in runs made: the caller reads it whole */
		return;
	}
	window_insert(w, s, t->seq);
	window_flush(t, idx, t->last, false);
}

void export_tally_add(struct export_tally *t, const struct profile_sample *s, size_t n)
{
	const struct profile *p = t->p;
	size_t i;

	for (i = 0; i < n; i++, t->seq++) {
		if (s[i].node >= p->nnodes || !profile_matcher_match(&t->m, p, &s[i]))
			continue;
		if (!t->count || s[i].time > t->last)
			t->last = s[i].time;
		t->count++;
		if (t->parts & EXPORT_TALLY_GROUPS)
			add_group(t, &s[i]);
		if ((t->parts & EXPORT_TALLY_RUNS) && !t->unordered && !t->failed)
			add_run(t, &s[i]);
	}
	/* threads that had no sample of late: their windows age too */
	for (i = 0; i < t->nthreads && !t->unordered && !t->failed; i++)
		window_flush(t, i, t->last, false);
}

uint64_t export_tally_count(const struct export_tally *t)
{
	return t->count;
}

bool export_tally_ordered(const struct export_tally *t)
{
	return !t->unordered;
}

const char *export_tally_error(const struct export_tally *t)
{
	return t->failed ? t->err.msg : NULL;
}

size_t export_tally_memory(const struct export_tally *t)
{
	size_t m = sizeof(*t) + t->groups_cap * sizeof(*t->groups) + t->nslots * sizeof(*t->slots);
	size_t i;

	m += t->threads_cap * sizeof(*t->threads) + t->thread_of.cap * 12;
	m += (size_t)t->nnodes * (sizeof(*t->node_first) + sizeof(*t->node_first_time));
	m += t->threads_cap * sizeof(*t->windows);
	for (i = 0; i < t->nthreads; i++)
		m += t->threads[i].cap + t->threads[i].blocks_cap * sizeof(*t->threads[i].blocks) +
		     t->windows[i].cap * sizeof(*t->windows[i].s);
	return m;
}

static int by_key(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	if (x->key_time != y->key_time)
		return x->key_time < y->key_time ? -1 : 1;
	return x->key_seq < y->key_seq ? -1 : x->key_seq > y->key_seq;
}

static int by_tid(const void *a, const void *b)
{
	const struct export_runs_thread *x = a, *y = b;

	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

/* Nodes by their first sample: time, then the order they came. */
struct first {
	uint64_t time, seq;
	uint32_t node;
};

static int by_first(const void *a, const void *b)
{
	const struct first *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

struct export_input *export_tally_input(struct export_tally *t, const char *title)
{
	const struct profile *p = t->p;
	struct export_input *in = xcalloc(1, sizeof(*in));
	struct export_runs *r;
	struct first *firsts;
	size_t i, n;

	in->p = p;
	in->event = t->f.event < 0 || (uint32_t)t->f.event >= p->nevents ? -1 : t->f.event;
	if (t->f.event < 0 && p->nevents) { /* EXPORT_TALLY_EVENTS */
		in->event = 0;
		in->all_events = p->nevents > 1;
	}
	in->threads = true;
	in->title = title;
	in->from = t->f.from;
	if (t->parts & EXPORT_TALLY_GROUPS) {
		if (t->ngroups)
			qsort(t->groups, t->ngroups, sizeof(*t->groups), by_key);
		in->samples = xcalloc(t->ngroups ? t->ngroups : 1, sizeof(*in->samples));
		in->counts = xcalloc(t->ngroups ? t->ngroups : 1, sizeof(*in->counts));
		for (i = 0; i < t->ngroups; i++) {
			in->samples[i] = t->groups[i].s;
			in->samples[i].time = t->groups[i].key_time;
			in->counts[i] = t->groups[i].count;
		}
		in->nsamples = t->ngroups;
	}
	if (t->parts & EXPORT_TALLY_RUNS) {
		r = xcalloc(1, sizeof(*r));
		/* the windows' last samples stay in memory: their file's errors
		 * would come after the caller asked for them */
		t->lim.runs_memory = SIZE_MAX;
		for (i = 0; i < t->nthreads; i++) {
			window_flush(t, i, t->last, true);
			export_runs_close(&t->threads[i]);
			free(t->windows[i].s);
			t->windows[i] = (struct window){ 0 };
		}
		r->fd = t->fd;
		r->spilled = t->fd >= 0;
		t->fd = -1;
		if (t->nthreads)
			qsort(t->threads, t->nthreads, sizeof(*t->threads), by_tid);
		r->threads = t->threads;
		r->nthreads = t->nthreads;
		t->threads = NULL;
		t->nthreads = t->threads_cap = 0;
		for (i = n = 0; i < t->nnodes; i++)
			n += t->node_first[i] != 0;
		firsts = xcalloc(n ? n : 1, sizeof(*firsts));
		for (i = n = 0; i < t->nnodes; i++)
			if (t->node_first[i])
				firsts[n++] = (struct first){ t->node_first_time[i],
							      t->node_first[i], (uint32_t)i };
		if (n)
			qsort(firsts, n, sizeof(*firsts), by_first);
		r->nodes = xcalloc(n ? n : 1, sizeof(*r->nodes));
		for (i = 0; i < n; i++)
			r->nodes[i] = firsts[i].node;
		r->nnodes = n;
		free(firsts);
		in->runs = r;
	}
	if (t->f.to && t->f.to != UINT64_MAX)
		in->to = t->f.to;
	else if (p->meta.duration_ns > in->from)
		in->to = p->meta.duration_ns;
	else
		in->to = t->count ? t->last + 1 : in->from;
	if (in->to < in->from)
		in->to = in->from;
	return in;
}
