/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Ratios between the events of a perf event group. A group's members
 * carry the leader's samples, each weighted by what the member counted
 * since the one before (the sampler's group read), so a function's
 * instructions over its cycles is its IPC, its cache misses over its
 * instructions its miss rate. Which ratios a group gets is decided here
 * from the events' names and units, once, for the top-list, the report
 * and the flame graph's colours alike.
 */
#include "config.h"

#include "flametop/profile.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Whether event name `name`, without a ":modifier" or "pmu::" prefix, is `what`. */
static bool base_is(const char *name, const char *what)
{
	const char *p = strstr(name, "::");
	size_t n;

	if (p)
		name = p + 2;
	n = strcspn(name, ":");
	return strlen(what) == n && strncasecmp(name, what, n) == 0;
}

static bool is_instructions(const char *name)
{
	return base_is(name, "instructions") || base_is(name, "inst_retired") ||
	       base_is(name, "instructions_retired") || base_is(name, "inst_retired.any");
}

static bool is_cycles(const char *name)
{
	return base_is(name, "cycles") || base_is(name, "cpu-cycles") ||
	       base_is(name, "cpu_clk_unhalted") || base_is(name, "unhalted_core_cycles");
}

static bool says_miss(const char *name)
{
	const char *p;

	for (p = name; *p; p++)
		if (strncasecmp(p, "miss", 4) == 0)
			return true;
	return false;
}

static void put(struct profile_ratio *r, uint32_t num, uint32_t den, double scale,
		const char *label_a, const char *label_b)
{
	r->num = num;
	r->den = den;
	r->scale = scale;
	snprintf(r->label, sizeof(r->label), "%s%s", label_a, label_b);
}

size_t profile_ratios(const struct profile *p, int event, struct profile_ratio *out)
{
	uint32_t leader, i, ins = UINT32_MAX;
	size_t n = 0;

	if (event < 0 || (uint32_t)event >= p->nevents)
		return 0;
	leader = p->events[event].leader >= 0 ? (uint32_t)p->events[event].leader : (uint32_t)event;
	if (leader >= p->nevents)
		return 0;
	for (i = 0; i < p->nevents; i++)
		if ((i == leader || p->events[i].leader == (int)leader) &&
		    is_instructions(p->events[i].name))
			ins = i;
	for (i = leader + 1; i < p->nevents && n < PROFILE_MAX_RATIOS; i++) {
		const struct profile_event *m = &p->events[i], *l = &p->events[leader];

		if (m->leader != (int)leader)
			continue;
		if (is_instructions(m->name) && is_cycles(l->name))
			put(&out[n++], i, leader, 1, "IPC", "");
		else if (is_cycles(m->name) && is_instructions(l->name))
			put(&out[n++], leader, i, 1, "IPC", "");
		else if (says_miss(m->name) && ins != UINT32_MAX && ins != i)
			put(&out[n++], i, ins, 1000, m->name, "/1k-ins");
		else if (strcmp(l->unit, "ns") == 0)
			put(&out[n++], i, leader, 1e6, m->name, "/ms");
		else {
			put(&out[n], i, leader, 1, m->name, "/");
			snprintf(out[n].label + strlen(out[n].label),
				 sizeof(out[n].label) - strlen(out[n].label), "%s", l->name);
			n++;
		}
	}
	return n;
}

struct profile_ratio_set *profile_ratio_set_new(const struct profile *p, int event,
						struct profile_top *(*query)(void *ctx, int event),
						void *ctx)
{
	struct profile_ratio r[PROFILE_MAX_RATIOS];
	struct profile_ratio_set *s;
	size_t n = profile_ratios(p, event, r), i, k;
	uint32_t e;

	if (!n)
		return NULL;
	s = xcalloc(1, sizeof(*s));
	s->n = n;
	memcpy(s->r, r, n * sizeof(*r));
	s->p = p;
	s->nevents = p->nevents;
	s->nframes = p->nframes;
	s->tops = xcalloc(p->nevents, sizeof(*s->tops));
	s->fn_self = xcalloc(p->nevents, sizeof(*s->fn_self));
	s->fn_total = xcalloc(p->nevents, sizeof(*s->fn_total));
	for (i = 0; i < n; i++) {
		uint32_t evs[2] = { r[i].num, r[i].den };

		for (k = 0; k < 2; k++) {
			const struct profile_top *t;
			size_t f;

			e = evs[k];
			if (s->tops[e])
				continue;
			s->tops[e] = query(ctx, (int)e);
			t = s->tops[e];
			s->fn_self[e] = xcalloc(s->nframes ? s->nframes : 1, sizeof(uint64_t));
			s->fn_total[e] = xcalloc(s->nframes ? s->nframes : 1, sizeof(uint64_t));
			for (f = 0; f < t->nfns; f++) {
				if (t->fns[f].frame >= s->nframes)
					continue;
				s->fn_self[e][t->fns[f].frame] = t->fns[f].self;
				s->fn_total[e][t->fns[f].frame] = t->fns[f].total;
			}
		}
	}
	return s;
}

void profile_ratio_set_free(struct profile_ratio_set *s)
{
	uint32_t e;

	if (!s)
		return;
	for (e = 0; e < s->nevents; e++) {
		profile_top_free(s->tops[e]);
		free(s->fn_self[e]);
		free(s->fn_total[e]);
	}
	free(s->tops);
	free(s->fn_self);
	free(s->fn_total);
	free(s);
}

static double ratio_of(const struct profile_ratio *r, uint64_t num, uint64_t den)
{
	return den ? r->scale * (double)num / (double)den : NAN;
}

double profile_ratio_fn(const struct profile_ratio_set *s, size_t i, uint32_t frame, bool total)
{
	const struct profile_ratio *r;

	if (i >= s->n || frame >= s->nframes)
		return NAN;
	r = &s->r[i];
	if (total)
		return ratio_of(r, s->fn_total[r->num][frame], s->fn_total[r->den][frame]);
	return ratio_of(r, s->fn_self[r->num][frame], s->fn_self[r->den][frame]);
}

double profile_ratio_node(const struct profile_ratio_set *s, size_t i, uint32_t node)
{
	const struct profile_top *num, *den;

	if (i >= s->n)
		return NAN;
	num = s->tops[s->r[i].num];
	den = s->tops[s->r[i].den];
	if (node >= den->nnodes || !den->node_total)
		return NAN;
	return ratio_of(&s->r[i], node < num->nnodes && num->node_total ? num->node_total[node] : 0,
			den->node_total[node]);
}

void profile_ratio_format(double v, char *buf, size_t size)
{
	if (isnan(v))
		snprintf(buf, size, "-");
	else if (v >= 99999.5)
		snprintf(buf, size, "%.3g", v);
	else if (v >= 100)
		snprintf(buf, size, "%.0f", v);
	else if (v >= 1)
		snprintf(buf, size, "%.2f", v);
	else if (v == 0)
		snprintf(buf, size, "0");
	else if (v >= 0.001)
		snprintf(buf, size, "%.4f", v);
	else
		snprintf(buf, size, "%.2e", v);
}
