/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * alloc: bytes allocated, by the stack that asked, through uprobes on the
 * target's libc: malloc (its first argument is the size), calloc (the
 * product of its two) and realloc (its second). operator new and the C++
 * containers reach malloc through libstdc++, so they are counted there.
 * alloc-objects: the number of those allocations, by the same stacks, from
 * the same probes (so -e alloc,alloc-objects costs what one does).
 *
 * Every call traps into the kernel and takes a stack (several microseconds
 * each: bench/types-overhead.sh): opt-in, and the man page says so. A
 * statically linked target has no libc to probe: the type then says so
 * and does not start.
 *
 * With --alloc-sample BYTES the rule keeps one allocation about every
 * BYTES bytes, as Go's runtime and jemalloc sample: the bytes until the
 * next sample are drawn from an exponential distribution of mean BYTES, so
 * an allocation of s bytes is kept with probability p = 1 - e^(-s/BYTES),
 * and is weighted s/p bytes (alloc) or 1/p allocations (alloc-objects):
 * the expected totals are the true ones. The kernel still traps on every
 * call (a uprobe cannot choose): sampling saves what comes after, the
 * recorder's work on each sample (unwinding, symbols, the session).
 */
#include "config.h"

#include "types.h"

#include <math.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

enum { ALLOC_MALLOC, ALLOC_CALLOC, ALLOC_REALLOC };

void type_alloc_sampler_init(struct type_alloc_sampler *a, uint64_t rate, uint64_t seed)
{
	a->rate = rate;
	a->rng = seed ? seed : 0x9e3779b97f4a7c15ull;
	a->left = 0;
	if (rate)
		a->left = (int64_t)type_alloc_sampler_draw(a);
}

/* A uniform number in [0, 1): xorshift64*, plenty for choosing which allocations to keep. */
static double uniform(struct type_alloc_sampler *a)
{
	a->rng ^= a->rng >> 12;
	a->rng ^= a->rng << 25;
	a->rng ^= a->rng >> 27;
	return (double)((a->rng * 0x2545f4914f6cdd1dull) >> 11) / 9007199254740992.0;
}

/* `x` rounded up or down at random, so that the expected result is `x`:
 * weights such as 1/p = 1.58 must not all become 2. */
static uint64_t round_unbiased(struct type_alloc_sampler *a, double x)
{
	double whole = floor(x);

	if (x >= 1.8e19)
		return UINT64_MAX;
	return (uint64_t)whole + (uniform(a) < x - whole);
}

uint64_t type_alloc_sampler_draw(struct type_alloc_sampler *a)
{
	double d = -log1p(-uniform(a)) * (double)a->rate;

	return d < 1 ? 1 : d > 9e18 ? (uint64_t)9e18 : (uint64_t)d;
}

bool type_alloc_sampler_take(struct type_alloc_sampler *a, uint64_t size, uint64_t *bytes,
			     uint64_t *objects)
{
	double p;

	if (!a->rate) {
		*bytes = size;
		*objects = 1;
		return true;
	}
	if (size > INT64_MAX / 2)
		size = INT64_MAX / 2;
	a->left -= (int64_t)size;
	if (a->left > 0)
		return false;
	a->left = (int64_t)type_alloc_sampler_draw(a);
	p = -expm1(-(double)size / (double)a->rate);
	if (p <= 0)
		p = 1e-18;
	*bytes = round_unbiased(a, (double)size / p);
	*objects = round_unbiased(a, 1.0 / p);
	if (*objects < 1)
		*objects = 1;
	if (*bytes < size)
		*bytes = size;
	return true;
}

struct alloc_state {
	bool objects; /* alloc-objects: weigh allocations, not bytes */
	struct type_alloc_sampler sampler;
};

static int alloc_members(const struct sampler_type_target *t, struct sampler_type_member *m,
			 struct ft_error *err)
{
	static const char *const funcs[] = { "malloc", "calloc", "realloc" };
	static const uint64_t regs[] = { TYPE_REG_DI, TYPE_REG_DI | TYPE_REG_SI, TYPE_REG_SI };
	int i, r;

	for (i = 0; i < 3; i++) {
		r = type_uprobe_member(&m[i], t, "libc.so", "libc.so.6", funcs[i], false, err);
		if (r < 0)
			return r;
		m[i].regs = regs[i];
		m[i].entry = true;
		m[i].role = (uint32_t)i;
	}
	return 3;
}

static struct alloc_state *state_new(const struct sampler_type_target *t, bool objects)
{
	struct alloc_state *a = xcalloc(1, sizeof(*a));
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	a->objects = objects;
	type_alloc_sampler_init(&a->sampler, t->alloc_sample,
				(uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^
					((uint64_t)getpid() << 48) ^ (objects ? 0x5555 : 0));
	return a;
}

static void *alloc_state_new(const struct sampler_type_target *t)
{
	return state_new(t, false);
}

static void *alloc_objects_state_new(const struct sampler_type_target *t)
{
	return state_new(t, true);
}

static void alloc_state_free(void *st)
{
	free(st);
}

static int alloc_sample(void *st, uint32_t role, const struct pipeline_sample *s,
			const struct type_hit *hit, const struct pipeline_sink *sink)
{
	struct alloc_state *a = st;
	uint64_t size = 0, bytes, objects;

	switch (role) {
	case ALLOC_MALLOC:
		size = hit->regs[TYPE_R_DI];
		break;
	case ALLOC_CALLOC:
		/* An overflowing product fails in calloc: nothing allocated. */
		if (__builtin_mul_overflow(hit->regs[TYPE_R_DI], hit->regs[TYPE_R_SI], &size))
			size = 0;
		break;
	case ALLOC_REALLOC:
		size = hit->regs[TYPE_R_SI];
		break;
	}
	if (!size || !type_alloc_sampler_take(&a->sampler, size, &bytes, &objects))
		return 0;
	return type_emit(sink, s, a->objects ? objects : bytes);
}

const struct sampler_type sampler_type_alloc = {
	.name = "alloc",
	.every = true,
	.unit = "bytes",
	.summary = "bytes allocated by malloc, calloc, realloc (uprobes: us per call)",
	.members = alloc_members,
	.state_new = alloc_state_new,
	.state_free = alloc_state_free,
	.sample = alloc_sample,
};

const struct sampler_type sampler_type_alloc_objects = {
	.name = "alloc-objects",
	.every = true,
	.unit = "count",
	.summary = "allocations by malloc, calloc, realloc, each one (alloc's probes)",
	.members = alloc_members,
	.state_new = alloc_objects_state_new,
	.state_free = alloc_state_free,
	.sample = alloc_sample,
};
