/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Exponentially decayed weights per call-tree node. A sample of weight w
 * at time t counts w * 2^-(now - t) / h at time `now`. Kept as per-node
 * sums scaled to a reference time, so adding is one multiply and a query
 * rescales once (and moves the reference, so the sums stay in range).
 */
#include "config.h"

#include "flametop/profile.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "flametop/util.h"

struct profile_decay {
	double h; /* half-life, ns */
	uint64_t ref; /* the time the sums are scaled to */
	double *self, *count; /* per node */
	uint32_t n;
};

struct profile_decay *profile_decay_new(uint64_t half_life_ns)
{
	struct profile_decay *d = xcalloc(1, sizeof(*d));

	d->h = half_life_ns ? (double)half_life_ns : 1e9;
	return d;
}

void profile_decay_free(struct profile_decay *d)
{
	if (!d)
		return;
	free(d->self);
	free(d->count);
	free(d);
}

uint64_t profile_decay_half_life(const struct profile_decay *d)
{
	return (uint64_t)d->h;
}

/* 2^((t - ref) / h): what a sample at t weighs at the reference time. */
static double factor(const struct profile_decay *d, uint64_t t)
{
	double dt = t >= d->ref ? (double)(t - d->ref) : -(double)(d->ref - t);

	return exp2(dt / d->h);
}

static void grow(struct profile_decay *d, uint32_t need)
{
	uint32_t n = d->n ? d->n : 256;

	if (need <= d->n)
		return;
	while (n < need)
		n *= 2;
	d->self = xreallocarray(d->self, n, sizeof(*d->self));
	d->count = xreallocarray(d->count, n, sizeof(*d->count));
	memset(d->self + d->n, 0, (n - d->n) * sizeof(*d->self));
	memset(d->count + d->n, 0, (n - d->n) * sizeof(*d->count));
	d->n = n;
}

/* Rescales the sums to reference time `t` (later than the current one). */
static void rebase(struct profile_decay *d, uint64_t t)
{
	double f;
	uint32_t i;

	if (t <= d->ref)
		return;
	f = exp2(-(double)(t - d->ref) / d->h);
	for (i = 0; i < d->n; i++) {
		d->self[i] *= f;
		d->count[i] *= f;
	}
	d->ref = t;
}

void profile_decay_add_node(struct profile_decay *d, uint32_t node, uint64_t weight,
			    uint64_t samples, uint64_t time)
{
	double f;

	/* Keep the factors near 1: a sample far after the reference moves it. */
	if (time > d->ref && (double)(time - d->ref) > 16 * d->h)
		rebase(d, time);
	grow(d, node + 1);
	f = factor(d, time);
	d->self[node] += (double)weight * f;
	d->count[node] += (double)samples * f;
}

void profile_decay_add(struct profile_decay *d, const struct profile *p,
		       struct profile_matcher *m, const struct profile_sample *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i].node < p->nnodes && profile_matcher_match(m, p, &s[i]))
			profile_decay_add_node(d, s[i].node, s[i].weight, 1, s[i].time);
}

struct profile_top *profile_decay_top(struct profile_decay *d, const struct profile *p,
				      uint64_t now)
{
	uint64_t *node_self = xcalloc(p->nnodes ? p->nnodes : 1, sizeof(*node_self));
	uint64_t total = 0, horizon = (uint64_t)(8 * d->h);
	double samples = 0;
	struct profile_top *t;
	uint32_t i;

	rebase(d, now);
	for (i = 0; i < d->n && i < p->nnodes; i++) {
		double f = factor(d, now);

		node_self[i] = (uint64_t)llround(d->self[i] * f);
		total += node_self[i];
		samples += d->count[i] * f;
	}
	t = profile_top_build(p, node_self, p->nnodes);
	t->total_weight = total;
	t->nsamples = (uint64_t)llround(samples);
	t->first_time = now > horizon ? now - horizon : 0;
	t->last_time = now;
	return t;
}
