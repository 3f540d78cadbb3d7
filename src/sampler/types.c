/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The table of profile types, and what their weight rules share: a copy of
 * a sample kept until its pair arrives, and a bounded table of threads
 * holding such copies. See types.h for what a type is.
 */
#include "config.h"

#include "types.h"

#include <stdlib.h>
#include <string.h>

const struct sampler_type *const sampler_types[] = {
	&sampler_type_wall,
	&sampler_type_offcpu,
	&sampler_type_lock,
	&sampler_type_lock_waits,
	&sampler_type_alloc,
	&sampler_type_inuse,
	&sampler_type_faults,
	&sampler_type_exceptions,
	NULL,
};

const struct sampler_type *sampler_type_find(const char *name)
{
	size_t i;

	for (i = 0; sampler_types[i]; i++)
		if (strcmp(sampler_types[i]->name, name) == 0)
			return sampler_types[i];
	return NULL;
}

int type_emit(const struct pipeline_sink *sink, const struct pipeline_sample *s, uint64_t weight)
{
	struct pipeline_sample out = *s;

	if (!sink->ops->sample)
		return 0;
	out.period = weight;
	return sink->ops->sample(sink->ctx, &out);
}

void type_hold(struct type_held *h, const struct pipeline_sample *s)
{
	size_t nregs = s->user_regs ? (size_t)__builtin_popcountll(s->user_regs_mask) : 0;

	h->s = *s;
	if (s->nr_ips > h->ips_cap) {
		h->ips_cap = s->nr_ips;
		h->ips = xreallocarray(h->ips, h->ips_cap, sizeof(*h->ips));
	}
	if (s->nr_ips)
		memcpy(h->ips, s->ips, s->nr_ips * sizeof(*h->ips));
	h->s.ips = h->ips;
	if (nregs) {
		h->regs = xreallocarray(h->regs, 64, sizeof(*h->regs));
		memcpy(h->regs, s->user_regs, nregs * sizeof(*h->regs));
		h->s.user_regs = h->regs;
	}
	if (s->user_stack && s->user_stack_size) {
		if (s->user_stack_size > h->stack_cap) {
			h->stack_cap = (size_t)s->user_stack_size;
			h->stack = xrealloc(h->stack, h->stack_cap);
		}
		memcpy(h->stack, s->user_stack, (size_t)s->user_stack_size);
		h->s.user_stack = h->stack;
	}
	h->valid = true;
}

void type_held_free(struct type_held *h)
{
	free(h->ips);
	free(h->regs);
	free(h->stack);
	memset(h, 0, sizeof(*h));
}

void type_threads_init(struct type_threads *t)
{
	memset(t, 0, sizeof(*t));
	u64map_init(&t->index);
}

void type_threads_free(struct type_threads *t)
{
	size_t i;

	for (i = 0; i < t->nslots; i++)
		type_held_free(&t->slots[i].held);
	free(t->slots);
	u64map_free(&t->index);
	memset(t, 0, sizeof(*t));
}

struct type_thread *type_threads_find(struct type_threads *t, uint32_t tid)
{
	uint32_t slot;

	return u64map_get(&t->index, (uint64_t)tid + 1, &slot) ? &t->slots[slot] : NULL;
}

struct type_thread *type_threads_get(struct type_threads *t, uint32_t tid)
{
	uint32_t slot;

	if (u64map_get(&t->index, (uint64_t)tid + 1, &slot))
		return &t->slots[slot];
	if (t->nslots == TYPE_MAX_THREADS) {
		t->dropped++;
		return NULL;
	}
	if (t->nslots == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->slots = xreallocarray(t->slots, t->cap, sizeof(*t->slots));
	}
	memset(&t->slots[t->nslots], 0, sizeof(t->slots[t->nslots]));
	u64map_put(&t->index, (uint64_t)tid + 1, (uint32_t)t->nslots);
	return &t->slots[t->nslots++];
}
