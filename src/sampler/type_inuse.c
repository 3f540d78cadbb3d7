/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * inuse: bytes allocated while sampling ran and still live when it
 * stopped, by the stack that allocated them. Uprobes on the target's libc
 * (see type_alloc.c): at malloc, calloc and realloc's entry the size and
 * the stack are kept per thread; at their return (uretprobes) the address
 * joins a table of live blocks; free's entry, and realloc's of its old
 * block, take it out. When sampling stops, each block still in the table
 * is one sample weighing its size. So inuse shows once recording ends (in
 * record, report and replay); live, the explorer shows it when sampling
 * stops. The table holds at most INUSE_MAX_BLOCKS blocks; later ones are
 * not followed, and a notice says so.
 */
#include "config.h"

#include "types.h"

#include <stdlib.h>
#include <string.h>

#define INUSE_MAX_BLOCKS (1u << 20)
#define INUSE_BUCKETS (1u << 16)
#define NONE UINT32_MAX

enum {
	INUSE_MALLOC,
	INUSE_CALLOC,
	INUSE_REALLOC,
	INUSE_MALLOC_RET,
	INUSE_CALLOC_RET,
	INUSE_REALLOC_RET,
	INUSE_FREE,
};

struct block {
	uint64_t addr, size;
	struct type_held held;
	uint32_t next; /* in its bucket, or in the free list */
};

struct inuse {
	struct type_threads threads; /* a call's size and stack, until it returns */
	uint64_t *pending_size; /* per thread slot */
	size_t pending_cap;
	uint32_t buckets[INUSE_BUCKETS];
	struct block *blocks;
	uint32_t nblocks, cap, free_list;
	uint64_t dropped;
	char notice[160];
};

static uint32_t bucket_of(uint64_t addr)
{
	return (uint32_t)(util_hash_u64(addr) & (INUSE_BUCKETS - 1));
}

static void *inuse_new(const struct sampler_type_target *t)
{
	struct inuse *u = xcalloc(1, sizeof(*u));

	(void)t; /* --alloc-sample: alloc's, not inuse's (every block is followed) */
	type_threads_init(&u->threads);
	memset(u->buckets, 0xff, sizeof(u->buckets));
	u->free_list = NONE;
	return u;
}

static void inuse_free(void *st)
{
	struct inuse *u = st;
	uint32_t i;

	if (!u)
		return;
	for (i = 0; i < u->nblocks; i++)
		type_held_free(&u->blocks[i].held);
	free(u->blocks);
	free(u->pending_size);
	type_threads_free(&u->threads);
	free(u);
}

/* Takes block `addr` out of the table (a free, or realloc's old block). */
static void forget(struct inuse *u, uint64_t addr)
{
	uint32_t *link = &u->buckets[bucket_of(addr)];

	while (*link != NONE) {
		struct block *b = &u->blocks[*link];

		if (b->addr == addr) {
			uint32_t i = *link;

			*link = b->next;
			b->addr = 0;
			b->held.valid = false;
			b->next = u->free_list;
			u->free_list = i;
			return;
		}
		link = &b->next;
	}
}

static void remember(struct inuse *u, uint64_t addr, uint64_t size, const struct type_held *h)
{
	uint32_t i, b = bucket_of(addr);

	forget(u, addr); /* a block freed without our seeing it, reused */
	if (u->free_list != NONE) {
		i = u->free_list;
		u->free_list = u->blocks[i].next;
	} else if (u->nblocks < INUSE_MAX_BLOCKS) {
		if (u->nblocks == u->cap) {
			u->cap = u->cap ? u->cap * 2 : 1024;
			u->blocks = xreallocarray(u->blocks, u->cap, sizeof(*u->blocks));
		}
		i = u->nblocks++;
		memset(&u->blocks[i], 0, sizeof(u->blocks[i]));
	} else {
		u->dropped++;
		return;
	}
	u->blocks[i].addr = addr;
	u->blocks[i].size = size;
	type_hold(&u->blocks[i].held, &h->s);
	u->blocks[i].next = u->buckets[b];
	u->buckets[b] = i;
}

static uint64_t *pending_of(struct inuse *u, struct type_thread *th)
{
	size_t slot = (size_t)(th - u->threads.slots);

	if (slot >= u->pending_cap) {
		size_t cap = u->threads.cap;

		u->pending_size = xreallocarray(u->pending_size, cap, sizeof(*u->pending_size));
		memset(u->pending_size + u->pending_cap, 0,
		       (cap - u->pending_cap) * sizeof(*u->pending_size));
		u->pending_cap = cap;
	}
	return &u->pending_size[slot];
}

static int inuse_sample(void *st, uint32_t role, const struct pipeline_sample *s,
			const struct type_hit *hit, const struct pipeline_sink *sink)
{
	struct inuse *u = st;
	struct type_thread *th;
	uint64_t size = 0;

	(void)sink;
	switch (role) {
	case INUSE_FREE:
		if (hit->regs[TYPE_R_DI])
			forget(u, hit->regs[TYPE_R_DI]);
		return 0;
	case INUSE_MALLOC:
		size = hit->regs[TYPE_R_DI];
		break;
	case INUSE_CALLOC:
		if (__builtin_mul_overflow(hit->regs[TYPE_R_DI], hit->regs[TYPE_R_SI], &size))
			size = 0;
		break;
	case INUSE_REALLOC:
		if (hit->regs[TYPE_R_DI])
			forget(u, hit->regs[TYPE_R_DI]);
		size = hit->regs[TYPE_R_SI];
		break;
	default: /* a return: the block's address */
		th = type_threads_get(&u->threads, s->tid, s->time);
		if (!th)
			return 0;
		if (!th->held.valid || th->held.s.time > s->time) {
			/* Its entry may still be in another CPU's ring. */
			th->since = s->time;
			th->value = hit->regs[TYPE_R_AX];
			return 0;
		}
		th->held.valid = false;
		if (hit->regs[TYPE_R_AX] && *pending_of(u, th))
			remember(u, hit->regs[TYPE_R_AX], *pending_of(u, th), &th->held);
		return 0;
	}
	th = type_threads_get(&u->threads, s->tid, s->time);
	if (!th)
		return 0;
	if (th->since > s->time) {
		/* Its return was read first: the pair is complete. */
		struct type_held h = { .s = *s, .valid = true };

		th->since = 0;
		if (th->value && size)
			remember(u, th->value, size, &h);
		return 0;
	}
	/* A pending return older than this call stays for its own call. */
	type_hold(&th->held, s);
	*pending_of(u, th) = size;
	return 0;
}

static int inuse_flush(void *st, uint64_t now, const struct pipeline_sink *sink)
{
	struct inuse *u = st;
	uint32_t i;
	int ret;

	for (i = 0; i < u->nblocks; i++) {
		struct block *b = &u->blocks[i];
		struct pipeline_sample s;

		if (!b->addr || !b->held.valid)
			continue;
		s = b->held.s;
		s.time = now;
		ret = type_emit(sink, &s, b->size);
		if (ret)
			return ret;
		b->held.valid = false;
	}
	return 0;
}

static const char *inuse_notice(void *st)
{
	struct inuse *u = st;

	if (!u->dropped && !u->threads.dropped)
		return NULL;
	snprintf(u->notice, sizeof(u->notice),
		 "inuse: more than %u live blocks (or %d threads); later ones are not followed",
		 INUSE_MAX_BLOCKS, TYPE_MAX_THREADS);
	return u->notice;
}

static int inuse_members(const struct sampler_type_target *t, struct sampler_type_member *m,
			 struct ft_error *err)
{
	static const struct {
		const char *func;
		bool ret;
		uint64_t regs;
	} probes[] = {
		[INUSE_MALLOC] = { "malloc", false, TYPE_REG_DI },
		[INUSE_CALLOC] = { "calloc", false, TYPE_REG_DI | TYPE_REG_SI },
		[INUSE_REALLOC] = { "realloc", false, TYPE_REG_DI | TYPE_REG_SI },
		[INUSE_MALLOC_RET] = { "malloc", true, TYPE_REG_AX },
		[INUSE_CALLOC_RET] = { "calloc", true, TYPE_REG_AX },
		[INUSE_REALLOC_RET] = { "realloc", true, TYPE_REG_AX },
		[INUSE_FREE] = { "free", false, TYPE_REG_DI },
	};
	int i, r;

	for (i = 0; i < (int)(sizeof(probes) / sizeof(probes[0])); i++) {
		r = type_uprobe_member(&m[i], t, "libc.so", "libc.so.6", probes[i].func,
				       probes[i].ret, err);
		if (r < 0)
			return r;
		m[i].regs = probes[i].regs;
		m[i].entry = !probes[i].ret && i != INUSE_FREE;
		/* A return and a free only give an address: no stack. */
		m[i].bare = probes[i].ret || i == INUSE_FREE;
		m[i].role = (uint32_t)i;
	}
	return i;
}

/* A thread that exited returns from no call: its slot is free. */
static void inuse_exit(void *st, uint32_t tid, uint64_t time)
{
	struct inuse *u = st;

	(void)time;
	type_threads_release(&u->threads, tid);
}

const struct sampler_type sampler_type_inuse = {
	.name = "inuse",
	.every = true,
	.unit = "bytes",
	.summary = "bytes allocated and still live when sampling stops (uprobes: us per call)",
	.members = inuse_members,
	.state_new = inuse_new,
	.state_free = inuse_free,
	.sample = inuse_sample,
	.flush = inuse_flush,
	.exit = inuse_exit,
	.notice = inuse_notice,
};
