/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The table of profile types, and what their weight rules share: a copy of
 * a sample kept until its pair arrives, and a bounded table of threads
 * holding such copies. See types.h for what a type is.
 */
#include "config.h"

#include "types.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct sampler_type *const sampler_types[] = {
	&sampler_type_wall,
	&sampler_type_offcpu,
	&sampler_type_lock,
	&sampler_type_lock_waits,
	&sampler_type_alloc,
	&sampler_type_alloc_objects,
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

/* Whether `s` may be a tracefs directory name: letters, digits and '_', 1 to 64 of them. */
static bool tracefs_name(const char *s)
{
	size_t n;

	for (n = 0; s[n]; n++)
		if (n == 64 || !(isalnum((unsigned char)s[n]) || s[n] == '_'))
			return false;
	return n > 0;
}

long type_tracepoint_id(const char *subsys, const char *name)
{
	static const char *const dirs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char path[256];
	size_t i;
	long id;

	if (!tracefs_name(subsys) || !tracefs_name(name))
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		snprintf(path, sizeof(path), "%s/events/%s/%s/id", dirs[i], subsys, name);
		if (util_read_long(path, &id) == 0 && id >= 0)
			return id;
	}
	return -ENOENT;
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
	t->max = TYPE_MAX_THREADS;
}

void type_threads_free(struct type_threads *t)
{
	size_t i;

	for (i = 0; i < t->nslots; i++)
		type_held_free(&t->slots[i].held);
	free(t->slots);
	free(t->free);
	u64map_free(&t->index);
	memset(t, 0, sizeof(*t));
}

struct type_thread *type_threads_find(struct type_threads *t, uint32_t tid)
{
	uint32_t slot;

	if (!u64map_get(&t->index, (uint64_t)tid + 1, &slot) || slot == TYPE_NO_SLOT)
		return NULL;
	return &t->slots[slot];
}

size_t type_threads_live(const struct type_threads *t)
{
	return t->nslots - t->nfree;
}

static void release_slot(struct type_threads *t, uint32_t slot)
{
	struct type_thread *th = &t->slots[slot];
	struct type_held keep = th->held; /* its buffers, for the next thread */

	u64map_put(&t->index, (uint64_t)th->tid + 1, TYPE_NO_SLOT);
	keep.valid = false;
	memset(th, 0, sizeof(*th));
	th->held = keep;
	t->free[t->nfree++] = slot; /* `free` has room for every slot */
}

void type_threads_release(struct type_threads *t, uint32_t tid)
{
	uint32_t slot;

	if (u64map_get(&t->index, (uint64_t)tid + 1, &slot) && slot != TYPE_NO_SLOT)
		release_slot(t, slot);
}

/* Releases the slots of threads that exited more than the grace before `now`. */
static void sweep_exited(struct type_threads *t, uint64_t now)
{
	size_t i;

	for (i = 0; i < t->nslots; i++) {
		struct type_thread *th = &t->slots[i];

		if (th->used && th->exited && th->exited + TYPE_EXIT_GRACE_NS < now)
			release_slot(t, (uint32_t)i);
	}
}

struct type_thread *type_threads_get(struct type_threads *t, uint32_t tid, uint64_t now)
{
	struct type_thread *th;
	uint32_t slot;

	if (u64map_get(&t->index, (uint64_t)tid + 1, &slot) && slot != TYPE_NO_SLOT)
		return &t->slots[slot];
	if (!t->nfree && t->nslots >= t->max)
		sweep_exited(t, now);
	if (t->nfree) {
		slot = t->free[--t->nfree];
	} else if (t->nslots < t->max) {
		if (t->nslots == t->cap) {
			t->cap = t->cap ? t->cap * 2 : 64;
			t->slots = xreallocarray(t->slots, t->cap, sizeof(*t->slots));
			t->free = xreallocarray(t->free, t->cap, sizeof(*t->free));
		}
		slot = (uint32_t)t->nslots++;
		memset(&t->slots[slot], 0, sizeof(t->slots[slot]));
	} else {
		t->dropped++;
		return NULL;
	}
	th = &t->slots[slot];
	th->tid = tid;
	th->used = true;
	u64map_put(&t->index, (uint64_t)tid + 1, slot);
	return th;
}
