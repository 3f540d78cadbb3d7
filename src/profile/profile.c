/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The profile model: every string, frame and stack is interned once, so a
 * sample is a fixed-size record pointing at a leaf of one call tree. The
 * recorder interns a whole callchain per sample, which makes
 * profile_intern_node() the hot path: a hash lookup keyed on (parent, frame)
 * that allocates only when a stack is seen for the first time (and then
 * links the node into its parent's list of children, so queries can walk
 * the tree down as well as up). Frames are
 * keyed on (name id, module id, kind) the same way, and the locations
 * samples hit (a leaf frame and a file offset: what a source line is found
 * from) on (frame, offset), and the chains of locations a stack passes
 * through (what a line's total is found from) on (parent, location) as
 * nodes are. The session reader, the report and the timeline all read
 * this one structure.
 *
 * A profile that lives for days may be given limits (profile.h); past
 * them, what is new folds into "[other]" entries, so memory stays bounded
 * whatever a system shows it, and `folded` says how much was folded.
 */
#include "config.h"

#include "flametop/profile.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "flametop/util.h"

/*
 * Map keys must be nonzero. A frame key packs name + 1 in the high half and
 * (module << 1 | kind) in the low half, which holds while string ids stay
 * below 2^31 (billions of strings would not fit in memory anyway). A node
 * key packs frame + 1 in the high half and the parent id in the low half.
 */
static uint64_t frame_key(uint32_t name, uint32_t module, uint32_t kind)
{
	assert(module < (UINT32_C(1) << 31) && kind <= 1);
	return ((uint64_t)name + 1) << 32 | (uint64_t)module << 1 | kind;
}

/*
 * Nodes, locations and chains are found through idmaps (util.h), whose
 * slots hold ids only: the keys are the arrays' own fields. Their hashes:
 */
static uint64_t node_hash(uint32_t parent, uint32_t frame)
{
	return util_hash_u64((uint64_t)frame << 32 | parent);
}

static uint64_t node_hash_of(const void *ctx, uint32_t id)
{
	const struct profile_node *n = &((const struct profile *)ctx)->nodes[id];

	return node_hash(n->parent, n->frame);
}

static uint64_t location_hash(uint32_t frame, uint64_t offset)
{
	return util_hash_u64(util_hash_u64(offset) ^ frame);
}

static uint64_t location_hash_of(const void *ctx, uint32_t id)
{
	const struct profile_location *l = &((const struct profile *)ctx)->locations[id];

	return location_hash(l->frame, l->offset);
}

static uint64_t chain_hash(uint32_t parent, uint32_t location)
{
	return util_hash_u64((uint64_t)location << 32 | parent);
}

static uint64_t chain_hash_of(const void *ctx, uint32_t id)
{
	const struct profile_chain *c = &((const struct profile *)ctx)->chains[id];

	return chain_hash(c->parent, c->location);
}

static uint32_t find_node(const struct profile *p, uint32_t parent, uint32_t frame)
{
	const struct idmap *m = &p->node_map;
	uint32_t id;
	size_t i;

	for (i = idmap_first(m, node_hash(parent, frame)); (id = idmap_at(m, i)) != IDMAP_NONE;
	     i = idmap_next(m, i))
		if (p->nodes[id].parent == parent && p->nodes[id].frame == frame)
			return id;
	return PROFILE_NO_NODE;
}

/* Grows `*arr` (of `*cap` elements of `size` bytes) to hold `need`. */
static void grow(void **arr, size_t size, size_t *cap, size_t need)
{
	size_t n = *cap ? *cap : 64;

	if (need <= *cap)
		return;
	while (n < need)
		n *= 2;
	*arr = xreallocarray(*arr, n, size);
	*cap = n;
}

static void grow32(void **arr, size_t size, uint32_t *cap, size_t need)
{
	size_t c = *cap;

	grow(arr, size, &c, need);
	assert(c <= UINT32_MAX);
	*cap = (uint32_t)c;
}

const struct profile_limits profile_live_limits = {
	.strings = UINT32_C(1) << 19,
	.frames = UINT32_C(1) << 19,
	.nodes = UINT32_C(1) << 20,
	.locations = UINT32_C(1) << 20,
	.chains = UINT32_C(1) << 20,
	/* None: record writes its threads out but cannot tell when one is
	 * done with, so a limit would only fold a long recording's new
	 * processes. The explorer's scaled limits have one (it forgets). */
	.threads = 0,
};

/* `limit` scaled by bytes / PROFILE_LIVE_BYTES, within [limit / 8, limit * 16]. */
static uint32_t scale_limit(uint32_t limit, size_t bytes)
{
	uint64_t v = (uint64_t)((double)limit * ((double)bytes / (double)PROFILE_LIVE_BYTES));

	if (v < limit / 8)
		v = limit / 8;
	if (v > (uint64_t)limit * 16)
		v = (uint64_t)limit * 16;
	return v > UINT32_MAX / 2 ? UINT32_MAX / 2 : (uint32_t)v;
}

void profile_limits_scaled(size_t bytes, struct profile_limits *out)
{
	const struct profile_limits *l = &profile_live_limits;

	out->strings = scale_limit(l->strings, bytes);
	out->frames = scale_limit(l->frames, bytes);
	out->nodes = scale_limit(l->nodes, bytes);
	out->locations = scale_limit(l->locations, bytes);
	out->chains = scale_limit(l->chains, bytes);
	out->threads = scale_limit(PROFILE_LIVE_THREADS, bytes);
}

/* Room for `need` samples: a big array (an hour holds hundreds of MiB of them). */
static void grow_samples(struct profile *p, size_t need)
{
	size_t n = p->samples_cap ? p->samples_cap : 64;

	if (need <= p->samples_cap)
		return;
	while (n < need)
		n *= 2;
	p->samples = xbig_reallocarray(p->samples, p->samples_cap, n, sizeof(*p->samples));
	p->samples_cap = n;
}

/* Room for `need` nodes, with their children lists. */
static void grow_nodes(struct profile *p, size_t need)
{
	uint32_t cap = p->nodes_cap;

	grow32((void **)&p->nodes, sizeof(*p->nodes), &p->nodes_cap, need);
	if (p->nodes_cap == cap)
		return;
	p->first_child = xreallocarray(p->first_child, p->nodes_cap, sizeof(*p->first_child));
	p->next_sibling = xreallocarray(p->next_sibling, p->nodes_cap, sizeof(*p->next_sibling));
	p->outermost = xreallocarray(p->outermost, p->nodes_cap, sizeof(*p->outermost));
}

struct profile *profile_new(void)
{
	struct profile *p = xcalloc(1, sizeof(*p));

	p->other_string = p->other_frame = PROFILE_NO_FRAME;

	strtab_init(&p->strings);
	u64map_init(&p->frame_map);
	idmap_init(&p->node_map);
	u64map_init(&p->thread_map);

	grow_nodes(p, 1);
	p->nodes[PROFILE_ROOT].parent = PROFILE_ROOT;
	p->nodes[PROFILE_ROOT].frame = PROFILE_NO_FRAME;
	p->first_child[PROFILE_ROOT] = PROFILE_NO_NODE;
	p->next_sibling[PROFILE_ROOT] = PROFILE_NO_NODE;
	p->outermost[PROFILE_ROOT] = 0;
	p->nnodes = 1;

	idmap_init(&p->location_map);
	grow32((void **)&p->locations, sizeof(*p->locations), &p->locations_cap, 1);
	p->locations[PROFILE_NO_LOCATION].frame = PROFILE_NO_FRAME;
	p->locations[PROFILE_NO_LOCATION].offset = 0;
	p->nlocations = 1;

	idmap_init(&p->chain_map);
	grow32((void **)&p->chains, sizeof(*p->chains), &p->chains_cap, 1);
	p->chains[PROFILE_NO_CHAIN].parent = PROFILE_NO_CHAIN;
	p->chains[PROFILE_NO_CHAIN].location = PROFILE_NO_LOCATION;
	p->nchains = 1;
	return p;
}

void profile_free(struct profile *p)
{
	struct profile_meta *m;
	uint32_t i;

	if (!p)
		return;
	m = &p->meta;
	free(m->host);
	free(m->kernel);
	free(m->flametop_version);
	free(m->command_line);
	free(m->target);
	free(m->call_graph);
	for (i = 0; i < p->nevents; i++) {
		free(p->events[i].name);
		free(p->events[i].unit);
	}
	free(p->events);
	u64map_free(&p->thread_map);
	free(p->threads);
	xbig_free(p->samples, p->samples_cap, sizeof(*p->samples));
	idmap_free(&p->chain_map);
	free(p->chains);
	idmap_free(&p->location_map);
	free(p->locations);
	idmap_free(&p->node_map);
	free(p->first_child);
	free(p->next_sibling);
	free(p->outermost);
	free(p->nodes);
	u64map_free(&p->frame_map);
	free(p->frames);
	strtab_free(&p->strings);
	free(p);
}

void profile_set_limits(struct profile *p, const struct profile_limits *limits)
{
	if (limits)
		p->limits = *limits;
	else
		memset(&p->limits, 0, sizeof(p->limits));
}

/* Whether a table of `n` entries is at `limit` (0: none). */
static bool full(uint32_t n, uint32_t limit)
{
	return limit && n >= limit;
}

/* The string "[other]", for a fold (counted). */
static uint32_t fold_string(struct profile *p)
{
	p->folded++;
	if (p->other_string == PROFILE_NO_FRAME)
		p->other_string = strtab_intern(&p->strings, PROFILE_OTHER_NAME);
	return p->other_string;
}

uint32_t profile_intern_string(struct profile *p, const char *s)
{
	uint32_t id;

	if (!s)
		s = "";
	if (!full(p->strings.len, p->limits.strings) || strtab_find(&p->strings, s, &id))
		return strtab_intern(&p->strings, s);
	return fold_string(p);
}

/*
 * A thread's name as a string id: a new one counts against the thread
 * names' share of the strings limit, and past it folds.
 */
static uint32_t intern_thread_name(struct profile *p, const char *comm)
{
	uint32_t id, len = p->strings.len;

	if (strtab_find(&p->strings, comm, &id))
		return id;
	if (p->limits.strings &&
	    p->thread_names >= p->limits.strings / PROFILE_THREAD_NAME_SHARE)
		return fold_string(p);
	id = profile_intern_string(p, comm);
	if (p->strings.len != len)
		p->thread_names++;
	return id;
}

/* The frame "[other]", made on the first fold (past any limit). */
static uint32_t other_frame(struct profile *p)
{
	if (p->other_frame == PROFILE_NO_FRAME) {
		uint32_t name = strtab_intern(&p->strings, PROFILE_OTHER_NAME);
		struct profile_limits saved = p->limits;

		p->limits.frames = 0;
		p->other_frame = profile_intern_frame_ids(p, name, name, PROFILE_FRAME_USER);
		p->limits = saved;
	}
	return p->other_frame;
}

/* Borrowed, valid until the profile is freed; "" for an unknown id. */
const char *profile_string(const struct profile *p, uint32_t id)
{
	if (id >= p->strings.len)
		return "";
	return strtab_get(&p->strings, id);
}

/* `name` and `module` must be ids from profile_intern_string(). */
uint32_t profile_intern_frame_ids(struct profile *p, uint32_t name, uint32_t module,
				  enum profile_frame_kind kind)
{
	uint64_t key = frame_key(name, module, kind);
	uint32_t id;

	if (u64map_get(&p->frame_map, key, &id))
		return id;
	if (full(p->nframes, p->limits.frames)) {
		p->folded++;
		return other_frame(p);
	}
	grow32((void **)&p->frames, sizeof(*p->frames), &p->frames_cap, (size_t)p->nframes + 1);
	id = p->nframes++;
	p->frames[id].name = name;
	p->frames[id].module = module;
	p->frames[id].kind = kind;
	u64map_put(&p->frame_map, key, id);
	return id;
}

uint32_t profile_intern_frame(struct profile *p, const char *name, const char *module,
			      enum profile_frame_kind kind)
{
	return profile_intern_frame_ids(p, profile_intern_string(p, name),
					profile_intern_string(p, module), kind);
}

/*
 * `parent` must be an existing node and `frame` an existing frame (callers
 * rebuilding a tree from untrusted input check both first). Allocates only
 * when the (parent, frame) pair is new.
 */
uint32_t profile_intern_node(struct profile *p, uint32_t parent, uint32_t frame)
{
	uint32_t id, anc;

	assert(parent < p->nnodes && frame < p->nframes);
	if ((id = find_node(p, parent, frame)) != PROFILE_NO_NODE)
		return id;
	/* "[other]" takes in what follows it on a stack. */
	if (frame == p->other_frame && p->nodes[parent].frame == frame)
		return parent;
	if (full(p->nnodes, p->limits.nodes)) {
		/* Under the parent's "[other]": at most one such node per node. */
		p->folded++;
		if (p->other_frame != PROFILE_NO_FRAME && p->nodes[parent].frame == p->other_frame)
			return parent;
		frame = other_frame(p);
		if ((id = find_node(p, parent, frame)) != PROFILE_NO_NODE)
			return id;
	}
	grow_nodes(p, (size_t)p->nnodes + 1);
	id = p->nnodes++;
	p->nodes[id].parent = parent;
	p->nodes[id].frame = frame;
	p->outermost[id] = 1;
	for (anc = parent; anc != PROFILE_ROOT; anc = p->nodes[anc].parent) {
		if (p->nodes[anc].frame == frame) {
			p->outermost[id] = 0;
			break;
		}
	}
	p->first_child[id] = PROFILE_NO_NODE;
	p->next_sibling[id] = p->first_child[parent];
	p->first_child[parent] = id;
	idmap_add(&p->node_map, node_hash(parent, frame), id, node_hash_of, p);
	return id;
}

uint32_t profile_find_node(const struct profile *p, uint32_t parent, uint32_t frame)
{
	if (parent >= p->nnodes || frame >= p->nframes)
		return PROFILE_NO_NODE;
	return find_node(p, parent, frame);
}

uint32_t profile_node_depth(const struct profile *p, uint32_t node)
{
	uint32_t depth = 0;

	if (node >= p->nnodes)
		return 0;
	while (node != PROFILE_ROOT) {
		node = p->nodes[node].parent;
		depth++;
	}
	return depth;
}

uint32_t profile_intern_location(struct profile *p, uint32_t frame, uint64_t offset)
{
	const struct idmap *m = &p->location_map;
	uint64_t hash = location_hash(frame, offset);
	uint32_t id;
	size_t i;

	assert(frame < p->nframes);
	for (i = idmap_first(m, hash); (id = idmap_at(m, i)) != IDMAP_NONE; i = idmap_next(m, i))
		if (p->locations[id].frame == frame && p->locations[id].offset == offset)
			return id;
	if (full(p->nlocations, p->limits.locations) && offset != PROFILE_OTHER_OFFSET) {
		/* The frame's one "[other]" location: at most one per frame. */
		p->folded++;
		return profile_intern_location(p, frame, PROFILE_OTHER_OFFSET);
	}
	grow32((void **)&p->locations, sizeof(*p->locations), &p->locations_cap,
	       (size_t)p->nlocations + 1);
	id = p->nlocations++;
	p->locations[id].frame = frame;
	p->locations[id].offset = offset;
	idmap_add(&p->location_map, hash, id, location_hash_of, p);
	return id;
}

uint32_t profile_intern_chain(struct profile *p, uint32_t parent, uint32_t location)
{
	const struct idmap *m = &p->chain_map;
	uint64_t hash = chain_hash(parent, location);
	uint32_t id;
	size_t i;

	assert(parent < p->nchains && location != PROFILE_NO_LOCATION &&
	       location < p->nlocations);
	for (i = idmap_first(m, hash); (id = idmap_at(m, i)) != IDMAP_NONE; i = idmap_next(m, i))
		if (p->chains[id].parent == parent && p->chains[id].location == location)
			return id;
	if (full(p->nchains, p->limits.chains)) {
		p->folded++;
		return PROFILE_NO_CHAIN;
	}
	grow32((void **)&p->chains, sizeof(*p->chains), &p->chains_cap, (size_t)p->nchains + 1);
	id = p->nchains++;
	p->chains[id].parent = parent;
	p->chains[id].location = location;
	idmap_add(&p->chain_map, hash, id, chain_hash_of, p);
	return id;
}

bool profile_has_chains(const struct profile *p)
{
	return p->nchains > 1;
}

static void thread_sampled(struct profile *p, struct profile_sample *s);

void profile_add_sample(struct profile *p, const struct profile_sample *s)
{
	assert(s->location < p->nlocations && s->chain < p->nchains);
	grow_samples(p, p->nsamples + 1);
	p->samples[p->nsamples++] = *s;
	if (p->limits.threads)
		thread_sampled(p, &p->samples[p->nsamples - 1]);
	if (s->event < p->nevents)
		p->events[s->event].samples++;
}

struct profile_sample *profile_reserve_samples(struct profile *p, size_t n)
{
	/* Room for one at least: never NULL, even for none. */
	grow_samples(p, p->nsamples + (n ? n : 1));
	return p->samples + p->nsamples;
}

void profile_add_reserved_samples(struct profile *p, size_t n)
{
	/* No check per sample: the callers add millions a second, each
	 * block checked already by whoever filled it (the header says). */
	assert(n <= p->samples_cap - p->nsamples);
	p->nsamples += n;
}

/* Keeps the array's capacity: the recorder refills it at the same rate. */
void profile_clear_samples(struct profile *p)
{
	p->nsamples = 0;
}

void profile_keep_samples_until(struct profile *p, uint64_t t)
{
	size_t i, k = 0;

	for (i = 0; i < p->nsamples; i++)
		if (p->samples[i].time <= t)
			p->samples[k++] = p->samples[i];
	p->nsamples = k;
}

void profile_swap_samples(struct profile *p, struct profile_sample **samples, size_t *n,
			  size_t *cap)
{
	struct profile_sample *s = p->samples;
	size_t held = p->nsamples, room = p->samples_cap;

	assert(*n <= *cap);
	p->samples = *samples;
	p->nsamples = *n;
	p->samples_cap = *cap;
	*samples = s;
	*n = held;
	*cap = room;
}

/* The index of thread `tid`, added (unnamed) when new. */
static uint32_t add_thread(struct profile *p, uint32_t tid)
{
	uint64_t key = (uint64_t)tid + 1;
	uint32_t idx;

	if (!u64map_get(&p->thread_map, key, &idx)) {
		grow32((void **)&p->threads, sizeof(*p->threads), &p->threads_cap,
		       (size_t)p->nthreads + 1);
		idx = p->nthreads++;
		u64map_put(&p->thread_map, key, idx);
		memset(&p->threads[idx], 0, sizeof(p->threads[idx]));
		p->threads[idx].tid = tid;
		if (p->nthreads > p->threads_peak)
			p->threads_peak = p->nthreads;
	}
	return idx;
}

bool profile_threads_full(const struct profile *p)
{
	return full(p->nthreads, p->limits.threads);
}

/* The thread "[other threads]", made on the first fold. */
static void other_threads(struct profile *p)
{
	uint64_t key = (uint64_t)PROFILE_OTHER_TID + 1;
	struct profile_limits saved;
	struct profile_thread *t;
	uint32_t idx;

	if (u64map_get(&p->thread_map, key, &idx))
		return;
	idx = add_thread(p, PROFILE_OTHER_TID);
	t = &p->threads[idx];
	t->pid = PROFILE_OTHER_TID;
	/* Its name even past the strings limit, as "[other]"'s. */
	saved = p->limits;
	p->limits.strings = 0;
	t->comm = profile_intern_string(p, PROFILE_OTHER_THREADS_NAME);
	p->limits = saved;
	t->dirty = true;
	t->last = p->newest;
}

void profile_set_thread(struct profile *p, uint32_t pid, uint32_t tid, const char *comm)
{
	struct profile_thread *t;
	uint32_t idx;

	if (!u64map_get(&p->thread_map, (uint64_t)tid + 1, &idx)) {
		if (profile_threads_full(p)) {
			/* Its samples go to "[other threads]" (profile_add_sample). */
			other_threads(p);
			return;
		}
		idx = add_thread(p, tid);
		p->threads[idx].last = p->newest;
	}
	t = &p->threads[idx];
	t->pid = pid;
	t->tid = tid;
	t->comm = intern_thread_name(p, comm ? comm : "");
	t->dirty = true;
	t->exited = 0; /* a tid reused after an exit is a new thread */
}

void profile_thread_exited(struct profile *p, uint32_t tid)
{
	uint32_t idx;

	if (u64map_get(&p->thread_map, (uint64_t)tid + 1, &idx) && !p->threads[idx].exited)
		p->threads[idx].exited = PROFILE_THREAD_EXITED;
}

/*
 * Sample `s` (added) with a thread limit: its thread's newest, or given
 * to "[other threads]" when its thread found no room (a thread unknown
 * while there is room stays unknown, as without a limit).
 */
static void thread_sampled(struct profile *p, struct profile_sample *s)
{
	uint32_t idx;

	if (s->time > p->newest)
		p->newest = s->time;
	if (!u64map_get(&p->thread_map, (uint64_t)s->tid + 1, &idx)) {
		if (!profile_threads_full(p))
			return; /* a thread never named stays unknown */
		other_threads(p);
		u64map_get(&p->thread_map, (uint64_t)PROFILE_OTHER_TID + 1, &idx);
		s->pid = s->tid = PROFILE_OTHER_TID;
		p->threads_folded++;
	}
	if (s->time > p->threads[idx].last)
		p->threads[idx].last = s->time;
}

/*
 * Forgets the threads `gone` says go: those go from the map where they
 * are, the threads after them move down and are put again at their new
 * index. The explorer calls it at each refresh and record after each
 * flush, and most forget a few threads of many, so nothing is rebuilt or
 * reallocated then; both tables shrink once mostly empty, so a storm's
 * are not kept at their peak. Returns how many went.
 */
static uint32_t forget_threads_if(struct profile *p,
				  bool (*gone)(struct profile_thread *t, const void *ctx),
				  const void *ctx)
{
	uint32_t i, n = 0, went;

	for (i = 0; i < p->nthreads; i++) {
		uint64_t key = (uint64_t)p->threads[i].tid + 1;

		if (gone(&p->threads[i], ctx)) {
			u64map_del(&p->thread_map, key);
			continue;
		}
		if (i != n) {
			p->threads[n] = p->threads[i];
			u64map_put(&p->thread_map, key, n);
		}
		n++;
	}
	went = p->nthreads - n;
	if (!went)
		return 0;
	p->nthreads = n;
	if ((size_t)n * 4 <= p->threads_cap) {
		p->threads_cap = n ? 2 * n : 1;
		p->threads = xreallocarray(p->threads, p->threads_cap, sizeof(*p->threads));
	}
	if (p->thread_map.cap > 64 && p->thread_map.len * 8 < p->thread_map.cap) {
		u64map_free(&p->thread_map);
		u64map_init(&p->thread_map);
		for (i = 0; i < n; i++)
			u64map_put(&p->thread_map, (uint64_t)p->threads[i].tid + 1, i);
	}
	return went;
}

/* Whether profile_forget_threads() lets thread `t` go: no sample since `*before`. */
static bool idle_since(struct profile_thread *t, const void *before)
{
	return t->last < *(const uint64_t *)before;
}

uint32_t profile_forget_threads(struct profile *p, uint64_t before)
{
	if (!p->limits.threads)
		return 0;
	return forget_threads_if(p, idle_since, &before);
}

/* What profile_forget_written_threads() goes by. */
struct written_bounds {
	uint64_t idle_before, held_from;
	/* pid + 1 of each process with a thread other than its main one kept */
	struct u64map kept;
};

/* Whether thread `t`, on its own, is done with: written, no sample held, exited or idle. */
static bool written_done(const struct profile_thread *t, const struct written_bounds *b)
{
	return !t->dirty && t->last < b->held_from &&
	       (t->exited == PROFILE_THREAD_EXITED_BEFORE || t->last < b->idle_before);
}

/*
 * Whether profile_forget_written_threads() lets thread `t` go: done with,
 * and, for a process's main thread (its name the process's: push's
 * label), no other thread of its process kept. A thread that exited since
 * the last call may still have samples in the rings: it is marked, and
 * goes at the next.
 */
static bool written_and_done(struct profile_thread *t, const void *ctx)
{
	const struct written_bounds *b = ctx;
	uint32_t unused;

	if (written_done(t, b) &&
	    (t->tid != t->pid || !u64map_get(&b->kept, (uint64_t)t->pid + 1, &unused)))
		return true;
	if (t->exited == PROFILE_THREAD_EXITED)
		t->exited = PROFILE_THREAD_EXITED_BEFORE;
	return false;
}

uint32_t profile_forget_written_threads(struct profile *p, uint64_t idle_before, uint64_t held_from)
{
	struct written_bounds b = { .idle_before = idle_before, .held_from = held_from };
	uint32_t idx, went;
	size_t j;

	for (j = 0; j < p->nsamples; j++) {
		const struct profile_sample *s = &p->samples[j];

		if (s->time > p->newest)
			p->newest = s->time;
		if (u64map_get(&p->thread_map, (uint64_t)s->tid + 1, &idx) &&
		    s->time > p->threads[idx].last)
			p->threads[idx].last = s->time;
	}
	u64map_init(&b.kept);
	for (idx = 0; idx < p->nthreads; idx++) {
		const struct profile_thread *t = &p->threads[idx];

		if (t->tid != t->pid && !written_done(t, &b))
			u64map_put(&b.kept, (uint64_t)t->pid + 1, 1);
	}
	went = forget_threads_if(p, written_and_done, &b);
	u64map_free(&b.kept);
	return went;
}

const struct profile_thread *profile_find_thread(const struct profile *p, uint32_t tid)
{
	uint32_t idx;

	if (!u64map_get(&p->thread_map, (uint64_t)tid + 1, &idx))
		return NULL;
	return &p->threads[idx];
}

/* At most UINT16_MAX events fit a sample's event field. */
uint32_t profile_add_event(struct profile *p, const char *name, const char *unit)
{
	uint32_t id = p->nevents;

	assert(id < UINT16_MAX);
	p->events = xreallocarray(p->events, (size_t)id + 1, sizeof(*p->events));
	p->events[id].name = xstrdup(name ? name : "");
	p->events[id].unit = xstrdup(unit ? unit : "");
	p->events[id].leader = -1;
	p->events[id].period = PROFILE_PERIOD_UNKNOWN;
	p->events[id].samples = 0;
	p->nevents++;
	return id;
}

int profile_find_event(const struct profile *p, const char *name)
{
	uint32_t i;

	for (i = 0; i < p->nevents; i++)
		if (strcmp(p->events[i].name, name) == 0)
			return (int)i;
	return -1;
}

bool profile_event_counts_samples(const struct profile *p, int event)
{
	if (event < 0 && p->nevents == 1)
		event = 0;
	return event >= 0 && (uint32_t)event < p->nevents &&
	       strcmp(p->events[event].unit, "samples") == 0;
}

void profile_meta_set(char **field, const char *value)
{
	free(*field);
	*field = value ? xstrdup(value) : NULL;
}

static size_t str_bytes(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

static size_t map_bytes(const struct u64map *m)
{
	return m->cap * (sizeof(*m->keys) + sizeof(*m->values));
}

/*
 * Heap bytes held by the profile's arrays, maps and strings, counted from
 * capacities (what is allocated, not what is used); malloc's own overhead
 * is not included. Walks the string table, so O(strings).
 */
size_t profile_memory(const struct profile *p)
{
	const struct strtab *t = &p->strings;
	const struct profile_meta *m = &p->meta;
	size_t n = sizeof(*p);
	uint32_t i;

	n += (size_t)t->cap * (sizeof(*t->strs) + sizeof(*t->hashes));
	n += t->nslots * sizeof(*t->slots);
	for (i = 0; i < t->len; i++)
		n += str_bytes(t->strs[i]);

	n += (size_t)p->frames_cap * sizeof(*p->frames) + map_bytes(&p->frame_map);
	n += (size_t)p->nodes_cap * (sizeof(*p->nodes) + 2 * sizeof(*p->first_child) +
				     sizeof(*p->outermost)) +
	     p->node_map.cap * sizeof(*p->node_map.slots);
	n += (size_t)p->locations_cap * sizeof(*p->locations) +
	     p->location_map.cap * sizeof(*p->location_map.slots);
	n += (size_t)p->chains_cap * sizeof(*p->chains) +
	     p->chain_map.cap * sizeof(*p->chain_map.slots);
	n += p->samples_cap * sizeof(*p->samples);
	n += (size_t)p->threads_cap * sizeof(*p->threads) + map_bytes(&p->thread_map);

	n += (size_t)p->nevents * sizeof(*p->events);
	for (i = 0; i < p->nevents; i++)
		n += str_bytes(p->events[i].name) + str_bytes(p->events[i].unit);

	n += str_bytes(m->host) + str_bytes(m->kernel) + str_bytes(m->flametop_version);
	n += str_bytes(m->command_line) + str_bytes(m->target) + str_bytes(m->call_graph);
	return n;
}
