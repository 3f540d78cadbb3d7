/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for the profile model: interning of strings, frames and call
 * tree nodes (checked against a naive reference on thousands of random
 * stacks), threads and events, the top-list query with its filters,
 * including recursion counted once per stack, the trees the views draw
 * (call tree, bottom-up, callers, callees), and where samples hit (per
 * code location, from samples and from the store kept by time).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "flametop/profile.h"

static void test_new_root(void **state)
{
	struct profile *p = profile_new();

	assert_int_equal(p->nnodes, 1);
	assert_int_equal(p->nodes[PROFILE_ROOT].parent, PROFILE_ROOT);
	assert_int_equal(p->nodes[PROFILE_ROOT].frame, PROFILE_NO_FRAME);
	assert_int_equal(profile_node_depth(p, PROFILE_ROOT), 0);
	assert_int_equal(p->nsamples, 0);
	assert_true(profile_memory(p) >= sizeof(*p));
	profile_free(p);
	profile_free(NULL);
}

static void test_intern_strings_frames(void **state)
{
	struct profile *p = profile_new();
	uint32_t a = profile_intern_string(p, "main");
	uint32_t b = profile_intern_string(p, "/usr/bin/app");
	uint32_t f1, f2, f3, f4, f5;

	assert_int_not_equal(a, b);
	assert_int_equal(profile_intern_string(p, "main"), a);
	assert_string_equal(profile_string(p, a), "main");
	assert_string_equal(profile_string(p, b), "/usr/bin/app");
	assert_string_equal(profile_string(p, 999999), "");

	f1 = profile_intern_frame(p, "main", "/usr/bin/app", PROFILE_FRAME_USER);
	f2 = profile_intern_frame(p, "main", "/usr/bin/app", PROFILE_FRAME_USER);
	f3 = profile_intern_frame(p, "main", "/usr/lib/libc.so.6", PROFILE_FRAME_USER);
	f4 = profile_intern_frame(p, "main", "/usr/bin/app", PROFILE_FRAME_KERNEL);
	f5 = profile_intern_frame_ids(p, a, b, PROFILE_FRAME_USER);
	assert_int_equal(f1, f2);
	assert_int_equal(f1, f5);
	assert_int_not_equal(f1, f3);
	assert_int_not_equal(f1, f4);
	assert_int_not_equal(f3, f4);
	assert_int_equal(p->nframes, 3);
	assert_int_equal(p->frames[f4].kind, PROFILE_FRAME_KERNEL);
	assert_int_equal(p->frames[f3].name, a);
	/* Name and module ids swapped are a different frame. */
	assert_int_not_equal(profile_intern_frame_ids(p, b, a, PROFILE_FRAME_USER), f1);
	profile_free(p);
}

/* Random stacks, each a list of frame ids; the reference is the path text. */
#define NSTACKS 5000
#define MAXDEPTH 24
#define NFRAMES 40

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_intern_nodes_random(void **state)
{
	struct profile *p = profile_new();
	uint32_t frames[NFRAMES], i, d, n;
	char **ref = NULL, **prefixes = NULL, path[MAXDEPTH * 8];
	size_t nprefixes = 0, distinct = 0, k;
	uint32_t refcap = 0;

	srand(12345);
	for (i = 0; i < NFRAMES; i++) {
		char name[32];

		snprintf(name, sizeof(name), "fn%u", i);
		frames[i] = profile_intern_frame(p, name, i % 2 ? "libx.so" : "app",
						 PROFILE_FRAME_USER);
	}
	prefixes = calloc((size_t)NSTACKS * MAXDEPTH, sizeof(*prefixes));
	for (i = 0; i < NSTACKS; i++) {
		uint32_t depth = 1 + (uint32_t)rand() % MAXDEPTH, node = PROFILE_ROOT;
		size_t len = 0;

		for (d = 0; d < depth; d++) {
			/* Few distinct choices near the root, so prefixes are shared. */
			uint32_t f = (uint32_t)rand() % (d < 3 ? 3 : NFRAMES);
			uint32_t before = p->nnodes, child;

			child = profile_intern_node(p, node, frames[f]);
			assert_true(child < p->nnodes);
			assert_true(child > node);
			assert_int_equal(p->nodes[child].parent, node);
			assert_int_equal(p->nodes[child].frame, frames[f]);
			assert_int_equal(profile_intern_node(p, node, frames[f]), child);
			assert_true(p->nnodes == before || p->nnodes == before + 1);
			node = child;
			len += (size_t)sprintf(path + len, "%u,", f);
			assert_int_equal(profile_node_depth(p, node), d + 1);

			if (node >= refcap) {
				uint32_t old = refcap;

				refcap = (node + 1) * 2;
				ref = realloc(ref, refcap * sizeof(*ref));
				memset(ref + old, 0, (refcap - old) * sizeof(*ref));
			}
			/* One id never stands for two paths. */
			if (ref[node])
				assert_string_equal(ref[node], path);
			else
				ref[node] = strdup(path);
			prefixes[nprefixes++] = strdup(path);
		}
	}
	/* One path never has two ids: as many nodes as distinct paths. */
	qsort(prefixes, nprefixes, sizeof(*prefixes), cmp_str);
	for (k = 0; k < nprefixes; k++)
		if (k == 0 || strcmp(prefixes[k], prefixes[k - 1]) != 0)
			distinct++;
	assert_int_equal(p->nnodes - 1, distinct);
	for (n = 1; n < p->nnodes; n++) {
		assert_non_null(ref[n]);
		assert_true(p->nodes[n].parent < n);
	}
	/* Tens of thousands of nodes: the maps and arrays are accounted for. */
	assert_true(profile_memory(p) > p->nnodes * sizeof(struct profile_node) * 2);

	for (k = 0; k < nprefixes; k++)
		free(prefixes[k]);
	free(prefixes);
	for (n = 0; n < refcap; n++)
		free(ref[n]);
	free(ref);
	profile_free(p);
}

static void test_threads_events_meta(void **state)
{
	struct profile *p = profile_new();
	const struct profile_thread *t;

	assert_null(profile_find_thread(p, 10));
	profile_set_thread(p, 10, 10, "server");
	profile_set_thread(p, 10, 11, "worker");
	profile_set_thread(p, 0, 0, "swapper");
	t = profile_find_thread(p, 11);
	assert_non_null(t);
	assert_int_equal(t->pid, 10);
	assert_string_equal(profile_string(p, t->comm), "worker");
	assert_true(t->dirty);
	p->threads[1].dirty = false;
	profile_set_thread(p, 10, 11, "worker-2");
	t = profile_find_thread(p, 11);
	assert_string_equal(profile_string(p, t->comm), "worker-2");
	assert_true(t->dirty);
	assert_int_equal(p->nthreads, 3);
	assert_string_equal(profile_string(p, profile_find_thread(p, 0)->comm), "swapper");

	assert_int_equal(profile_find_event(p, "cycles"), -1);
	assert_int_equal(profile_add_event(p, "cycles", "cycles"), 0);
	assert_int_equal(profile_add_event(p, "cpu-clock", "ns"), 1);
	assert_int_equal(profile_find_event(p, "cpu-clock"), 1);
	assert_string_equal(p->events[1].unit, "ns");

	profile_meta_set(&p->meta.host, "box");
	profile_meta_set(&p->meta.host, "box2");
	assert_string_equal(p->meta.host, "box2");
	profile_meta_set(&p->meta.kernel, "6.1");
	profile_meta_set(&p->meta.kernel, NULL);
	assert_null(p->meta.kernel);
	profile_free(p);
}

/* Interns `names` (outermost first) as a stack of user frames in module m. */
static uint32_t stack(struct profile *p, const char *m, const char *const *names)
{
	uint32_t node = PROFILE_ROOT;

	for (; *names; names++)
		node = profile_intern_node(
			p, node, profile_intern_frame(p, *names, m, PROFILE_FRAME_USER));
	return node;
}

static void add(struct profile *p, uint32_t node, uint64_t time, uint64_t weight, uint32_t pid,
		uint32_t tid, uint16_t event)
{
	struct profile_sample s = { .time = time, .weight = weight, .node = node, .pid = pid,
				    .tid = tid, .event = event };

	profile_add_sample(p, &s);
}

static const struct profile_fn_stat *find_fn(const struct profile *p,
					     const struct profile_top *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->nfns; i++)
		if (strcmp(profile_string(p, p->frames[t->fns[i].frame].name), name) == 0)
			return &t->fns[i];
	return NULL;
}

/*
 *   main;a;b     3   (pid 1 tid 1, t=100)
 *   main;a       1   (pid 1 tid 2, t=200)
 *   main;a;b;a   2   (pid 2 tid 3, t=300)   recursion: a once in total
 *   main;c       4   (pid 2 tid 3, t=400)
 */
static struct profile *build(void)
{
	static const char *const s1[] = { "main", "a", "b", NULL };
	static const char *const s2[] = { "main", "a", NULL };
	static const char *const s3[] = { "main", "a", "b", "a", NULL };
	static const char *const s4[] = { "main", "c", NULL };
	struct profile *p = profile_new();

	profile_add_event(p, "cycles", "cycles");
	add(p, stack(p, "app", s1), 100, 3, 1, 1, 0);
	add(p, stack(p, "app", s2), 200, 1, 1, 2, 0);
	add(p, stack(p, "app", s3), 300, 2, 2, 3, 0);
	add(p, stack(p, "app", s4), 400, 4, 2, 3, 0);
	return p;
}

static void assert_fn(const struct profile *p, const struct profile_top *t, const char *name,
		      uint64_t self, uint64_t total)
{
	const struct profile_fn_stat *s = find_fn(p, t, name);

	assert_non_null(s);
	assert_int_equal(s->self, self);
	assert_int_equal(s->total, total);
}

static void test_query_self_total(void **state)
{
	struct profile *p = build();
	struct profile_filter f;
	struct profile_top *t;

	profile_filter_init(&f);
	t = profile_query_top(p, &f);
	assert_int_equal(t->nsamples, 4);
	assert_int_equal(t->total_weight, 10);
	assert_int_equal(t->first_time, 100);
	assert_int_equal(t->last_time, 400);
	assert_int_equal(t->nfns, 4);
	assert_int_equal(t->nnodes, p->nnodes);
	assert_fn(p, t, "main", 0, 10);
	assert_fn(p, t, "a", 3, 6);
	assert_fn(p, t, "b", 3, 5);
	assert_fn(p, t, "c", 4, 4);
	/* Sorted: self desc, then total desc. */
	assert_string_equal(profile_string(p, p->frames[t->fns[0].frame].name), "c");
	assert_string_equal(profile_string(p, p->frames[t->fns[1].frame].name), "a");
	assert_string_equal(profile_string(p, p->frames[t->fns[2].frame].name), "b");
	assert_string_equal(profile_string(p, p->frames[t->fns[3].frame].name), "main");
	/* node_self holds each leaf's weight. */
	{
		static const char *const s4[] = { "main", "c", NULL };

		assert_int_equal(t->node_self[stack(p, "app", s4)], 4);
		assert_int_equal(t->node_self[PROFILE_ROOT], 0);
	}
	profile_top_free(t);
	profile_free(p);
}

static void test_query_deep_recursion(void **state)
{
	static const char *const rec[] = { "main", "f", "f", "f", "g", "f", NULL };
	struct profile *p = profile_new();
	struct profile_filter f;
	struct profile_top *t;

	add(p, stack(p, "app", rec), 1, 7, 1, 1, 0);
	add(p, stack(p, "app", rec + 1), 2, 1, 1, 1, 0); /* a different stack: f;f;f;g;f */
	profile_filter_init(&f);
	t = profile_query_top(p, &f);
	assert_fn(p, t, "f", 8, 8);
	assert_fn(p, t, "g", 0, 8);
	assert_fn(p, t, "main", 0, 7);
	profile_top_free(t);
	profile_free(p);
}

/*
 * The top-list against a naive reference on random trees full of
 * recursion (few functions, deep stacks): per function, self is the
 * weight of the nodes of that function, total the weight of every
 * weighted node whose path holds the function at least once; node_total
 * is each subtree's weight. The children lists hold exactly each node's
 * children, and a node is flagged outermost when no ancestor has its
 * frame.
 */
static void test_top_against_reference(void **state)
{
	struct profile *p = profile_new();
	uint32_t frames[6], i, n, c, round;
	uint64_t *node_self, *self, *total, *sub;
	struct profile_top *t;

	srand(4242);
	for (i = 0; i < 6; i++) {
		char name[16];

		snprintf(name, sizeof(name), "r%u", i);
		frames[i] = profile_intern_frame(p, name, "app", PROFILE_FRAME_USER);
	}
	for (i = 0; i < 3000; i++) {
		uint32_t depth = 1 + (uint32_t)rand() % 40, node = PROFILE_ROOT, d;

		for (d = 0; d < depth; d++)
			node = profile_intern_node(p, node, frames[rand() % 6]);
	}
	for (n = 0; n < p->nnodes; n++) {
		uint32_t count = 0;

		for (c = p->first_child[n]; c != PROFILE_NO_NODE; c = p->next_sibling[c]) {
			assert_int_equal(p->nodes[c].parent, n);
			count++;
		}
		for (c = 1; c < p->nnodes; c++)
			count -= p->nodes[c].parent == n;
		assert_int_equal(count, 0);
	}
	/* Outermost: no ancestor has the node's frame. */
	for (n = 1; n < p->nnodes; n++) {
		uint32_t m, above = 0;

		for (m = p->nodes[n].parent; m != PROFILE_ROOT; m = p->nodes[m].parent)
			above += p->nodes[m].frame == p->nodes[n].frame;
		assert_int_equal(p->outermost[n], above == 0);
	}
	for (round = 0; round < 3; round++) {
		node_self = calloc(p->nnodes, sizeof(*node_self));
		self = calloc(p->nframes, sizeof(*self));
		total = calloc(p->nframes, sizeof(*total));
		sub = calloc(p->nnodes, sizeof(*sub));
		for (n = 1; n < p->nnodes; n++)
			if (rand() % (round + 2) == 0)
				node_self[n] = 1 + (uint64_t)(rand() % 100);
		for (n = 1; n < p->nnodes; n++) {
			uint8_t seen[6] = { 0 };
			uint32_t m;

			self[p->nodes[n].frame] += node_self[n];
			for (m = n; m != PROFILE_ROOT; m = p->nodes[m].parent) {
				sub[m] += node_self[n];
				if (!seen[p->nodes[m].frame]++)
					total[p->nodes[m].frame] += node_self[n];
			}
		}
		t = profile_top_build(p, node_self, p->nnodes);
		for (n = 1; n < p->nnodes; n++)
			assert_int_equal(t->node_total[n], sub[n]);
		for (i = 0; i < t->nfns; i++) {
			assert_int_equal(t->fns[i].self, self[t->fns[i].frame]);
			assert_int_equal(t->fns[i].total, total[t->fns[i].frame]);
		}
		for (i = 0, c = 0; i < p->nframes; i++)
			c += total[i] != 0;
		assert_int_equal(t->nfns, c);
		profile_top_free(t);
		free(sub);
		free(total);
		free(self);
	}
	profile_free(p);
}

static void test_query_ties_by_name(void **state)
{
	static const char *const z[] = { "zeta", NULL };
	static const char *const a[] = { "alpha", NULL };
	struct profile *p = profile_new();
	struct profile_filter f;
	struct profile_top *t;

	add(p, stack(p, "app", z), 1, 5, 1, 1, 0);
	add(p, stack(p, "app", a), 2, 5, 1, 1, 0);
	add(p, stack(p, "other", a), 3, 5, 1, 1, 0); /* same name, other module */
	profile_filter_init(&f);
	t = profile_query_top(p, &f);
	assert_int_equal(t->nfns, 3);
	assert_string_equal(profile_string(p, p->frames[t->fns[0].frame].name), "alpha");
	assert_string_equal(profile_string(p, p->frames[t->fns[0].frame].module), "app");
	assert_string_equal(profile_string(p, p->frames[t->fns[1].frame].module), "other");
	assert_string_equal(profile_string(p, p->frames[t->fns[2].frame].name), "zeta");
	profile_top_free(t);
	profile_free(p);
}

/*
 * A top-list built with a kept frame order is the one built by comparing
 * names, as the profile grows between builds (new frames ordered among the
 * old ones, in bursts of one and of hundreds): random names from a small
 * set (so names tie across modules and ids) and weights from a tiny range
 * (so most functions tie on self and total). The order itself lists every
 * frame once, by name, module, id; the call tree's (by name, id) agrees.
 */
static void test_top_frame_order(void **state)
{
	struct profile *p = profile_new();
	struct profile_frame_order order = { NULL, NULL, 0, true };
	struct profile_tree *tree = profile_tree_new();
	struct profile_top tr = { 0 }; /* rebuilt each round */
	struct profile_top tn = { 0 }; /* its nodes rebuilt each round, functions every other */
	uint32_t round, i, n;

	srand(77);
	for (round = 0; round < 12; round++) {
		uint32_t add_nodes = round % 3 == 0 ? 400 : 1 + (uint32_t)rand() % 3;
		uint64_t *a, *b;
		struct profile_top *ta, *tb;

		for (i = 0; i < add_nodes; i++) {
			char name[16], module[16];
			uint32_t parent = (uint32_t)rand() % p->nnodes;

			snprintf(name, sizeof(name), "f%u", (unsigned)(rand() % 300));
			snprintf(module, sizeof(module), "m%u", (unsigned)(rand() % 3));
			profile_intern_node(p, parent,
					    profile_intern_frame(p, name, module, PROFILE_FRAME_USER));
		}
		a = calloc(p->nnodes, sizeof(*a));
		b = calloc(p->nnodes, sizeof(*b));
		/* The newest nodes weigh nothing: a rebuild is given the others. */
		for (n = 1; n + 3 < p->nnodes; n++)
			a[n] = b[n] = rand() % 2 ? 0 : 1 + (uint64_t)(rand() % 2);
		ta = profile_top_build(p, a, p->nnodes);
		tb = profile_top_build_ordered(p, b, p->nnodes, &order);
		profile_top_rebuild(&tr, p, b, p->nnodes - 3, &order);
		assert_int_equal(ta->nfns, tb->nfns);
		assert_int_equal(ta->nfns, tr.nfns);
		assert_true(ta->nfns > 50);
		for (i = 0; i < ta->nfns; i++) {
			assert_int_equal(ta->fns[i].frame, tb->fns[i].frame);
			assert_int_equal(ta->fns[i].self, tb->fns[i].self);
			assert_int_equal(ta->fns[i].total, tb->fns[i].total);
			assert_int_equal(ta->fns[i].frame, tr.fns[i].frame);
			assert_int_equal(ta->fns[i].self, tr.fns[i].self);
			assert_int_equal(ta->fns[i].total, tr.fns[i].total);
		}
		assert_int_equal(tr.nnodes, p->nnodes);
		assert_memory_equal(tr.node_self, a, p->nnodes * sizeof(*a));
		assert_memory_equal(tr.node_total, ta->node_total, p->nnodes * sizeof(*a));
		/* The nodes alone: the same node sums, the functions left until asked for. */
		profile_top_rebuild_nodes(&tn, p, b, p->nnodes - 3);
		assert_int_equal(tn.nnodes, p->nnodes);
		assert_true(tn.fns_later);
		assert_int_equal(tn.nfns, 0);
		assert_memory_equal(tn.node_self, a, p->nnodes * sizeof(*a));
		assert_memory_equal(tn.node_total, ta->node_total, p->nnodes * sizeof(*a));
		if (round % 2) {
			profile_top_functions(&tn, p, &order);
			assert_false(tn.fns_later);
			assert_int_equal(tn.nfns, ta->nfns);
			for (i = 0; i < ta->nfns; i++) {
				assert_int_equal(ta->fns[i].frame, tn.fns[i].frame);
				assert_int_equal(ta->fns[i].self, tn.fns[i].self);
				assert_int_equal(ta->fns[i].total, tn.fns[i].total);
			}
			profile_top_functions(&tn, p, &order); /* nothing left: the same */
			assert_int_equal(tn.nfns, ta->nfns);
		}
		assert_int_equal(order.n, p->nframes);
		for (i = 0; i < order.n; i++) {
			assert_int_equal(order.rank[order.by[i]], i);
			if (i) {
				const struct profile_frame *x = &p->frames[order.by[i - 1]],
							   *y = &p->frames[order.by[i]];
				int c = strcmp(profile_string(p, x->name), profile_string(p, y->name));

				if (!c)
					c = strcmp(profile_string(p, x->module),
						   profile_string(p, y->module));
				assert_true(c < 0 || (c == 0 && order.by[i - 1] < order.by[i]));
			}
		}
		/* The tree's order: by name, then id. */
		profile_tree_calls(tree, p, tb);
		for (i = 1; i < tree->order.n; i++) {
			uint32_t fx = tree->order.by[i - 1], fy = tree->order.by[i];
			int c = strcmp(profile_string(p, p->frames[fx].name),
				       profile_string(p, p->frames[fy].name));

			assert_true(c < 0 || (c == 0 && fx < fy));
		}
		profile_top_free(ta);
		profile_top_free(tb);
	}
	profile_tree_free(tree);
	profile_frame_order_free(&order);
	free(tr.fns);
	free(tr.node_self);
	free(tr.node_total);
	free(tn.fns);
	free(tn.node_self);
	free(tn.node_total);
	profile_free(p);
}

static void test_filters(void **state)
{
	struct profile *p = build();
	struct profile_filter f;
	struct profile_top *t;
	static const char *const s4[] = { "main", "c", NULL };

	profile_filter_init(&f);
	f.pid = 1;
	t = profile_query_top(p, &f);
	assert_int_equal(t->nsamples, 2);
	assert_int_equal(t->total_weight, 4);
	assert_fn(p, t, "a", 1, 4);
	assert_fn(p, t, "b", 3, 3);
	assert_null(find_fn(p, t, "c"));
	profile_top_free(t);

	profile_filter_init(&f);
	f.tid = 3;
	t = profile_query_top(p, &f);
	assert_int_equal(t->total_weight, 6);
	assert_fn(p, t, "a", 2, 2);
	assert_fn(p, t, "c", 4, 4);
	profile_top_free(t);

	/* [200, 400): the sample at 400 is out. */
	profile_filter_init(&f);
	f.from = 200;
	f.to = 400;
	t = profile_query_top(p, &f);
	assert_int_equal(t->nsamples, 2);
	assert_int_equal(t->total_weight, 3);
	assert_int_equal(t->first_time, 200);
	assert_int_equal(t->last_time, 300);
	assert_null(find_fn(p, t, "c"));
	profile_top_free(t);

	/* A zeroed filter's window is open at both ends; its ids must be set. */
	memset(&f, 0, sizeof(f));
	f.pid = f.tid = -1;
	f.event = -1;
	f.from = 101;
	t = profile_query_top(p, &f);
	assert_int_equal(t->nsamples, 3);
	profile_top_free(t);

	/* Events. */
	profile_add_event(p, "cpu-clock", "ns");
	add(p, stack(p, "app", s4), 500, 1000, 2, 3, 1);
	profile_filter_init(&f);
	f.event = 1;
	t = profile_query_top(p, &f);
	assert_int_equal(t->nsamples, 1);
	assert_int_equal(t->total_weight, 1000);
	assert_fn(p, t, "c", 1000, 1000);
	profile_top_free(t);
	f.event = 0;
	t = profile_query_top(p, &f);
	assert_int_equal(t->total_weight, 10);
	profile_top_free(t);

	/* Nothing matches. */
	profile_filter_init(&f);
	f.pid = 42;
	t = profile_query_top(p, &f);
	assert_int_equal(t->nsamples, 0);
	assert_int_equal(t->nfns, 0);
	assert_int_equal(t->total_weight, 0);
	profile_top_free(t);
	profile_free(p);
}

static void test_filter_match(void **state)
{
	struct profile_filter f;
	struct profile_sample s = { .time = 50, .pid = 7, .tid = 8, .event = 2 };

	profile_filter_init(&f);
	assert_true(profile_filter_match(&f, &s));
	f.from = 50;
	assert_true(profile_filter_match(&f, &s));
	f.to = 50;
	assert_false(profile_filter_match(&f, &s));
	f.to = 51;
	assert_true(profile_filter_match(&f, &s));
	f.event = 1;
	assert_false(profile_filter_match(&f, &s));
	f.event = 2;
	f.tid = 7;
	assert_false(profile_filter_match(&f, &s));
	f.tid = 8;
	f.pid = 8;
	assert_false(profile_filter_match(&f, &s));
}

/* --include / --exclude / --comm through the matcher, on a growing profile. */
static void test_matcher_patterns(void **state)
{
	static const char *const late[] = { "main", "b", "zz", NULL };
	struct profile *p = build();
	struct profile_filter f;
	struct profile_matcher m;
	struct profile_top *t;
	regex_t inc, exc;

	profile_set_thread(p, 1, 1, "app");
	profile_set_thread(p, 1, 2, "app");
	profile_set_thread(p, 2, 3, "worker");
	assert_int_equal(regcomp(&inc, "^b$", REG_EXTENDED | REG_NOSUB), 0);
	assert_int_equal(regcomp(&exc, "^a$", REG_EXTENDED | REG_NOSUB), 0);

	/* Stacks with b anywhere: main;a;b (3) and main;a;b;a (2). */
	profile_filter_init(&f);
	f.include = &inc;
	t = profile_query_top(p, &f);
	assert_int_equal(t->nsamples, 2);
	assert_int_equal(t->total_weight, 5);
	assert_fn(p, t, "b", 3, 5);
	assert_null(find_fn(p, t, "c"));
	profile_top_free(t);

	/* No stack with a: only main;c (4). */
	f.include = NULL;
	f.exclude = &exc;
	t = profile_query_top(p, &f);
	assert_int_equal(t->nsamples, 1);
	assert_int_equal(t->total_weight, 4);
	assert_fn(p, t, "c", 4, 4);
	profile_top_free(t);

	/* Both: b but not a: nothing here. */
	f.include = &inc;
	t = profile_query_top(p, &f);
	assert_int_equal(t->nsamples, 0);
	profile_top_free(t);

	/* By thread name; a name nobody has matches nothing. */
	profile_filter_init(&f);
	f.comm = "worker";
	t = profile_query_top(p, &f);
	assert_int_equal(t->nsamples, 2);
	assert_int_equal(t->total_weight, 6);
	profile_top_free(t);
	f.comm = "nobody";
	t = profile_query_top(p, &f);
	assert_int_equal(t->nsamples, 0);
	profile_top_free(t);

	/* A matcher keeps up with nodes and names added after it started. */
	profile_filter_init(&f);
	f.include = &inc;
	f.comm = "late";
	profile_matcher_init(&m, p, &f);
	{
		struct profile_sample s = { .time = 500, .weight = 1, .pid = 3, .tid = 9 };

		s.node = stack(p, "app", late);
		assert_false(profile_matcher_match(&m, p, &s)); /* no thread "late" yet */
		profile_set_thread(p, 3, 9, "late");
		assert_true(profile_matcher_match(&m, p, &s));
		assert_true(profile_matcher_node(&m, p, s.node));
		assert_false(profile_matcher_node(&m, p, p->nodes[p->nodes[s.node].parent].parent));
	}
	profile_matcher_free(&m);
	regfree(&inc);
	regfree(&exc);
	profile_free(p);
}

static void test_empty_and_clear(void **state)
{
	struct profile *p = profile_new();
	struct profile_filter f;
	struct profile_top *t;
	static const char *const s[] = { "main", NULL };

	profile_filter_init(&f);
	t = profile_query_top(p, &f);
	assert_int_equal(t->nsamples, 0);
	assert_int_equal(t->nfns, 0);
	profile_top_free(t);

	/* A sample at the root (no frames) counts but credits no function. */
	add(p, PROFILE_ROOT, 1, 2, 1, 1, 0);
	add(p, stack(p, "app", s), 2, 3, 1, 1, 0);
	t = profile_query_top(p, &f);
	assert_int_equal(t->nsamples, 2);
	assert_int_equal(t->total_weight, 5);
	assert_int_equal(t->nfns, 1);
	profile_top_free(t);

	profile_clear_samples(p);
	assert_int_equal(p->nsamples, 0);
	assert_int_equal(p->nnodes, 2);
	t = profile_query_top(p, &f);
	assert_int_equal(t->nsamples, 0);
	profile_top_free(t);
	profile_free(p);
}

/* Locations are unique by (frame, offset), never 0, and count their samples. */
static void test_locations(void **state)
{
	struct profile *p = profile_new();
	uint32_t fa = profile_intern_frame(p, "a", "/bin/a", PROFILE_FRAME_USER);
	uint32_t fb = profile_intern_frame(p, "b", "/bin/a", PROFILE_FRAME_USER);
	uint32_t la, lb, *ids, i;

	assert_int_equal(p->nlocations, 1);
	assert_int_equal(p->locations[PROFILE_NO_LOCATION].frame, PROFILE_NO_FRAME);
	la = profile_intern_location(p, fa, 0x1000);
	lb = profile_intern_location(p, fb, 0x1000);
	assert_int_not_equal(la, PROFILE_NO_LOCATION);
	assert_int_not_equal(la, lb);
	assert_int_equal(profile_intern_location(p, fa, 0x1000), la);
	assert_int_equal(p->locations[lb].frame, fb);
	assert_int_equal(p->locations[lb].offset, 0x1000);

	/* Many, with offsets that differ in high bits too; each found again. */
	ids = calloc(20000, sizeof(*ids));
	assert_non_null(ids);
	for (i = 0; i < 20000; i++)
		ids[i] = profile_intern_location(p, i % 2 ? fa : fb,
						 (uint64_t)i << (i % 3 ? 4 : 40) | i % 7);
	assert_int_equal(p->nlocations, 3 + 20000);
	for (i = 0; i < 20000; i++) {
		assert_int_equal(profile_intern_location(p, i % 2 ? fa : fb,
							 (uint64_t)i << (i % 3 ? 4 : 40) | i % 7),
				 ids[i]);
		assert_int_equal(p->locations[ids[i]].frame, i % 2 ? fa : fb);
	}
	free(ids);

	assert_true(profile_memory(p) > 20000 * sizeof(*p->locations));
	profile_free(p);
}

/*
 * Location chains: unique by (parent, location), parents first, folded
 * to the empty chain past the limit; a query for a function sums the
 * weight of the chains through it, each chain once, recursion or not.
 */
static void test_chains(void **state)
{
	static const struct profile_limits lim = { .chains = 6 };
	struct profile *p = profile_new();
	uint32_t fm = profile_intern_frame(p, "main", "/bin/a", PROFILE_FRAME_USER);
	uint32_t ff = profile_intern_frame(p, "f", "/bin/a", PROFILE_FRAME_USER);
	uint32_t fg = profile_intern_frame(p, "g", "/bin/a", PROFILE_FRAME_USER);
	uint32_t main_call = profile_intern_location(p, fm, 0x100);
	uint32_t f_loop = profile_intern_location(p, ff, 0x200);
	uint32_t f_call = profile_intern_location(p, ff, 0x210);
	uint32_t g_loop = profile_intern_location(p, fg, 0x300);
	uint32_t nm = profile_intern_node(p, PROFILE_ROOT, fm), nf = profile_intern_node(p, nm, ff);
	uint32_t ng = profile_intern_node(p, nf, fg), nff = profile_intern_node(p, nf, ff);
	uint32_t cm, cf, cfg, cff, cffl, i;
	struct profile_filter flt;
	struct profile_locs *l;

	assert_false(profile_has_chains(p));
	cm = profile_intern_chain(p, PROFILE_NO_CHAIN, main_call);
	cf = profile_intern_chain(p, cm, f_loop);
	cfg = profile_intern_chain(p, profile_intern_chain(p, cm, f_call), g_loop);
	cff = profile_intern_chain(p, cm, f_call);
	cffl = profile_intern_chain(p, cff, f_loop); /* f called f from f_call */
	assert_true(profile_has_chains(p));
	assert_int_equal(profile_intern_chain(p, cm, f_loop), cf);
	assert_int_equal(p->chains[cfg].location, g_loop);
	assert_int_equal(p->chains[p->chains[cfg].parent].parent, cm);
	for (i = 1; i < p->nchains; i++)
		assert_true(p->chains[i].parent < i);

	/* 3 in f's loop, 1 in g called from f, 1 in f's loop under f. */
	for (i = 0; i < 5; i++) {
		struct profile_sample s = { .time = i, .weight = 10 };

		s.node = i < 3 ? nf : i == 3 ? ng : nff;
		s.location = i == 3 ? g_loop : f_loop;
		s.chain = i < 3 ? cf : i == 3 ? cfg : cffl;
		profile_add_sample(p, &s);
	}
	profile_filter_init(&flt);
	l = profile_query_locations(p, &flt, ff);
	assert_int_equal(l->frame, ff);
	assert_int_equal(l->total, 40); /* f's leaf samples */
	assert_int_equal(l->n, 1);
	assert_int_equal(l->v[0].weight, 40);
	assert_int_equal(l->nchains, 3); /* cf, cfg, cffl: each through f */
	assert_int_equal(l->chained, 50);
	profile_locs_free(l);
	l = profile_query_locations(p, &flt, fg);
	assert_int_equal(l->nchains, 1);
	assert_int_equal(l->chains[0].chain, cfg);
	assert_int_equal(l->chained, 10);
	profile_locs_free(l);

	/* The hits store gives the same. */
	{
		struct profile_hits *h = profile_hits_new(1000, 1 << 20);

		profile_hits_add(h, p->samples, p->nsamples);
		l = profile_hits_query(h, p, &flt, ff);
		assert_int_equal(l->nchains, 3);
		assert_int_equal(l->chained, 50);
		assert_int_equal(l->located, 40);
		profile_locs_free(l);
		profile_hits_free(h);
	}

	/* Past the limit: the empty chain, counted as folded. */
	profile_set_limits(p, &lim);
	assert_int_equal(p->nchains, 6);
	assert_int_equal(profile_intern_chain(p, cf, g_loop), PROFILE_NO_CHAIN);
	assert_int_equal(p->folded, 1);
	assert_int_equal(profile_intern_chain(p, cm, f_loop), cf); /* known ones still */
	profile_free(p);
}

/*
 * Threads renaming themselves (thousands of names a second: a pool naming
 * each job) take at most their share of the strings: afterwards a new
 * function still gets its name, and a thread renamed past the share is
 * "[other]", counted as a fold.
 */
/*
 * The live limits scaled to a memory budget (the explorer's --max-memory):
 * the live profile's own at PROFILE_LIVE_BYTES, in proportion between, an
 * eighth of them at least and 16 times at most.
 */
static void test_limits_scaled(void **state)
{
	const struct profile_limits *l = &profile_live_limits;
	struct profile_limits s;

	(void)state;
	/* record's profile has no thread limit: it never forgets threads. */
	assert_int_equal(l->threads, 0);
	profile_limits_scaled(PROFILE_LIVE_BYTES, &s);
	assert_int_equal(s.threads, PROFILE_LIVE_THREADS);
	s.threads = 0;
	assert_memory_equal(&s, l, sizeof(s));
	profile_limits_scaled(PROFILE_LIVE_BYTES / 4, &s);
	assert_int_equal(s.strings, l->strings / 4);
	assert_int_equal(s.frames, l->frames / 4);
	assert_int_equal(s.nodes, l->nodes / 4);
	assert_int_equal(s.locations, l->locations / 4);
	assert_int_equal(s.chains, l->chains / 4);
	assert_int_equal(s.threads, PROFILE_LIVE_THREADS / 4);
	profile_limits_scaled((size_t)5 << 20, &s); /* --max-memory 2M */
	assert_int_equal(s.nodes, l->nodes / 8);
	assert_int_equal(s.threads, PROFILE_LIVE_THREADS / 8);
	assert_int_equal(s.strings, l->strings / 8);
	profile_limits_scaled((size_t)1 << 40, &s);
	assert_int_equal(s.nodes, l->nodes * 16);
	assert_int_equal(s.chains, l->chains * 16);
}

/*
 * The thread limit: a fork storm's threads stop at it, their samples go
 * to "[other threads]" (counted, none lost), and the threads no retained
 * sample is of are forgotten, making room, the table shrinking with them.
 */
static void test_limits_threads(void **state)
{
	static const struct profile_limits lim = { .threads = 64 };
	struct profile *p = profile_new();
	const struct profile_thread *th;
	uint64_t other = 0, max_cap = 0;
	uint32_t i, tid;
	size_t j;

	(void)state;
	profile_set_limits(p, &lim);
	for (i = 0; i < 1000; i++) {
		struct profile_sample s = { .time = i, .weight = 1, .pid = 1000 + i, .tid = 1000 + i };

		profile_set_thread(p, s.pid, s.tid, "storm");
		profile_add_sample(p, &s);
	}
	assert_int_equal(p->nthreads, lim.threads + 1);
	assert_true(p->threads_cap <= 2 * lim.threads + 2);
	assert_true(p->thread_map.cap <= 8 * lim.threads);
	assert_int_equal(p->nsamples, 1000);
	for (j = 0; j < p->nsamples; j++) {
		if (p->samples[j].tid == PROFILE_OTHER_TID) {
			assert_int_equal(p->samples[j].pid, PROFILE_OTHER_TID);
			other++;
		} else {
			assert_int_equal(p->samples[j].tid, p->samples[j].pid);
			assert_true(p->samples[j].tid < 1000 + lim.threads);
		}
	}
	assert_int_equal(other, 1000 - lim.threads);
	assert_int_equal(p->threads_folded, other);
	th = profile_find_thread(p, PROFILE_OTHER_TID);
	assert_non_null(th);
	assert_string_equal(profile_string(p, th->comm), PROFILE_OTHER_THREADS_NAME);
	assert_null(profile_find_thread(p, 1999));
	assert_non_null(profile_find_thread(p, 1000 + lim.threads - 1));

	/* Only "[other threads]" has a sample from 990 on. */
	assert_int_equal(profile_forget_threads(p, 990), lim.threads);
	assert_int_equal(p->nthreads, 1);
	assert_true(p->threads_cap <= 2);
	assert_null(profile_find_thread(p, 1000));
	th = profile_find_thread(p, PROFILE_OTHER_TID);
	assert_non_null(th);
	assert_string_equal(profile_string(p, th->comm), PROFILE_OTHER_THREADS_NAME);
	/* Room again: a new thread is itself. */
	profile_set_thread(p, 5000, 5000, "late");
	assert_non_null(profile_find_thread(p, 5000));

	/* A storm whose old threads are forgotten as it goes (what the
	 * timeline drops): the table stays at the limit. */
	for (i = 0; i < 100000; i++) {
		struct profile_sample s = { .time = 2000 + i, .weight = 1 };

		tid = 10000 + i;
		s.pid = s.tid = tid;
		profile_set_thread(p, tid, tid, "storm");
		profile_add_sample(p, &s);
		if (i % 32 == 31)
			profile_forget_threads(p, s.time - 16);
		if (p->threads_cap > max_cap)
			max_cap = p->threads_cap;
		assert_true(p->nthreads <= lim.threads + 1);
	}
	assert_true(max_cap <= 2 * lim.threads + 2);
	assert_true(p->thread_map.cap <= 8 * lim.threads);
	/* 32 threads between forgettings: none had to be folded. */
	assert_int_equal(p->threads_folded, other);
	assert_non_null(profile_find_thread(p, 10000 + 99999));
	profile_free(p);
}

/*
 * profile_forget_threads()'s contract, over rounds of new threads and
 * forgettings: the threads whose newest sample is before the cut are not
 * found, the others are, with their pid, name and newest sample; each
 * kept thread is found at its index, and the map holds nothing else.
 */
static void test_forget_threads_contract(void **state)
{
	enum { ROUND = 400, ROUNDS = 5 };
	static const struct profile_limits lim = { .threads = 4096 };
	struct profile *p = profile_new();
	uint64_t last[ROUND * ROUNDS] = { 0 }, base = 0, cut;
	uint32_t tid, i, round, expect, n;
	char name[32];

	(void)state;
	profile_set_limits(p, &lim);
	for (round = 0; round < ROUNDS; round++) {
		/* New threads, named in tid order, then sampled in another:
		 * the cut falls among them, the older rounds' all before it. */
		for (tid = round * ROUND; tid < (round + 1) * ROUND; tid++) {
			snprintf(name, sizeof(name), "t%" PRIu32, tid);
			profile_set_thread(p, tid / 4 + 1, tid + 1, name);
		}
		for (tid = round * ROUND; tid < (round + 1) * ROUND; tid++) {
			struct profile_sample s = { .weight = 1, .pid = tid / 4 + 1, .tid = tid + 1 };

			s.time = base + 1 + (tid * 7919u) % ROUND;
			profile_add_sample(p, &s);
			last[tid] = s.time;
		}
		cut = base + 1 + ROUND / 2;
		base += ROUND;
		expect = 0;
		for (tid = 0; tid < (round + 1) * ROUND; tid++)
			expect += last[tid] && last[tid] < cut;
		assert_true(expect >= ROUND / 2);
		assert_int_equal(profile_forget_threads(p, cut), expect);
		for (tid = 0; tid < (round + 1) * ROUND; tid++) {
			const struct profile_thread *t = profile_find_thread(p, tid + 1);

			if (!last[tid] || last[tid] < cut) {
				assert_null(t);
				last[tid] = 0;
				continue;
			}
			assert_non_null(t);
			assert_int_equal(t->tid, tid + 1);
			assert_int_equal(t->pid, tid / 4 + 1);
			assert_int_equal(t->last, last[tid]);
			snprintf(name, sizeof(name), "t%" PRIu32, tid);
			assert_string_equal(profile_string(p, t->comm), name);
		}
		assert_int_equal(p->nthreads, ROUND - ROUND / 2);
		for (i = 0; i < p->nthreads; i++)
			assert_ptr_equal(profile_find_thread(p, p->threads[i].tid), &p->threads[i]);
		assert_int_equal(p->thread_map.len, p->nthreads);
	}
	/* All forgotten: none found; one seen again is added again. */
	n = p->nthreads;
	assert_int_equal(profile_forget_threads(p, UINT64_MAX), n);
	assert_int_equal(p->nthreads, 0);
	assert_int_equal(p->thread_map.len, 0);
	assert_null(profile_find_thread(p, (ROUNDS - 1) * ROUND + 1));
	profile_set_thread(p, 7, 7, "again");
	assert_non_null(profile_find_thread(p, 7));
	profile_free(p);
}

/* What a session writer's flush does to the threads: all written, none dirty. */
static void written(struct profile *p)
{
	uint32_t i;

	for (i = 0; i < p->nthreads; i++)
		p->threads[i].dirty = false;
}

/* Adds a sample of thread `tid` (pid 1) at `time`. */
static void thread_sample(struct profile *p, uint32_t tid, uint64_t time)
{
	struct profile_sample s = { .time = time, .weight = 1, .pid = 1, .tid = tid };

	profile_add_sample(p, &s);
}

/*
 * A process's main thread (tid == pid) names the process: push labels an
 * upload with it. A recorder keeps it while any thread of its process
 * stays, however idle it is, exited or not; it goes with the last of them.
 */
static void test_forget_written_keeps_process(void **state)
{
	struct profile *p = profile_new();

	(void)state;
	profile_set_thread(p, 1, 1, "server");
	profile_set_thread(p, 1, 2, "worker");
	profile_set_thread(p, 7, 7, "other");
	thread_sample(p, 1, 100);
	thread_sample(p, 2, 100);
	written(p);
	profile_clear_samples(p);
	/* Only the worker runs; the main thread and another process idle. */
	thread_sample(p, 2, 5000);
	assert_int_equal(profile_forget_written_threads(p, 1000, UINT64_MAX), 1);
	profile_clear_samples(p);
	assert_null(profile_find_thread(p, 7));
	assert_non_null(profile_find_thread(p, 2));
	assert_non_null(profile_find_thread(p, 1));
	assert_string_equal(profile_string(p, profile_find_thread(p, 1)->comm), "server");
	/* The main thread exits (pthread_exit), the worker runs on, its
	 * samples held by a feed: the name stays. */
	profile_thread_exited(p, 1);
	profile_thread_exited(p, 2);
	thread_sample(p, 2, 6000);
	assert_int_equal(profile_forget_written_threads(p, 1000, 6000), 0);
	profile_clear_samples(p);
	assert_int_equal(profile_forget_written_threads(p, 1000, 6000), 0);
	assert_non_null(profile_find_thread(p, 1));
	/* The feed lets the worker go: the process goes whole. */
	assert_int_equal(profile_forget_written_threads(p, 1000, UINT64_MAX), 2);
	assert_int_equal(p->nthreads, 0);
	profile_free(p);
}

/*
 * A recorder's threads (no thread limit): forgotten only once written
 * out (not dirty) and either exited before the previous call (samples
 * read late from another ring come in between) or idle; never while a
 * sample the caller holds elsewhere (a push feed) is theirs. A thread
 * forgotten and seen again is added again, dirty, to be written again.
 * A storm of short-lived threads keeps the table at what one flush sees.
 */
static void test_forget_written_threads(void **state)
{
	struct profile *p = profile_new();
	uint32_t i, max_threads = 0, max_cap = 0;

	(void)state;
	profile_set_thread(p, 1, 1, "main");
	profile_set_thread(p, 1, 2, "worker");
	profile_set_thread(p, 1, 3, "idle");
	thread_sample(p, 1, 100);
	thread_sample(p, 2, 100);
	thread_sample(p, 3, 100);
	profile_thread_exited(p, 2);
	assert_int_equal(profile_find_thread(p, 2)->exited, PROFILE_THREAD_EXITED);
	profile_thread_exited(p, 99); /* unknown: nothing */
	assert_null(profile_find_thread(p, 99));

	/* Not written yet: kept, however often asked. */
	assert_int_equal(profile_forget_written_threads(p, 0, UINT64_MAX), 0);
	assert_int_equal(profile_forget_written_threads(p, 0, UINT64_MAX), 0);
	assert_int_equal(p->nthreads, 3);
	profile_clear_samples(p);

	/* Written, exited: kept while a feed still holds its sample... */
	written(p);
	assert_int_equal(profile_forget_written_threads(p, 0, 100), 0);
	assert_int_equal(profile_find_thread(p, 2)->exited, PROFILE_THREAD_EXITED_BEFORE);
	/* ...then gone; the running ones stay. */
	assert_int_equal(profile_forget_written_threads(p, 0, UINT64_MAX), 1);
	assert_int_equal(p->nthreads, 2);
	assert_null(profile_find_thread(p, 2));
	assert_non_null(profile_find_thread(p, 1));
	assert_non_null(profile_find_thread(p, 3));

	/* Exited at the last flush: one more call for late samples. */
	profile_set_thread(p, 1, 4, "short");
	thread_sample(p, 4, 200);
	profile_thread_exited(p, 4);
	written(p);
	assert_int_equal(profile_forget_written_threads(p, 0, UINT64_MAX), 0);
	profile_clear_samples(p);
	assert_int_equal(profile_forget_written_threads(p, 0, UINT64_MAX), 1);
	assert_null(profile_find_thread(p, 4));

	/* Idle: no sample since `idle_before`; a sample held counts. */
	thread_sample(p, 1, 5000);
	assert_int_equal(profile_forget_written_threads(p, 1000, UINT64_MAX), 1);
	profile_clear_samples(p);
	assert_null(profile_find_thread(p, 3));
	assert_non_null(profile_find_thread(p, 1));
	assert_int_equal(profile_find_thread(p, 1)->last, 5000);

	/* Seen again: itself, dirty, not exited, newest as its last. */
	profile_set_thread(p, 1, 2, "worker");
	assert_non_null(profile_find_thread(p, 2));
	assert_true(profile_find_thread(p, 2)->dirty);
	assert_int_equal(profile_find_thread(p, 2)->exited, 0);
	assert_string_equal(profile_string(p, profile_find_thread(p, 2)->comm), "worker");
	/* Idle but not written again: kept; and so "main", idle and
	 * written, is kept too: it names their process. */
	assert_int_equal(profile_forget_written_threads(p, 6000, UINT64_MAX), 0);
	assert_non_null(profile_find_thread(p, 2));
	assert_non_null(profile_find_thread(p, 1));
	assert_int_equal(p->threads_peak, 3);

	/* A storm: each flush sees 100 threads that ran and exited. */
	for (i = 0; i < 100000; i++) {
		uint32_t tid = 1000 + i;

		profile_set_thread(p, tid, tid, "storm");
		thread_sample(p, tid, 10000 + i);
		profile_thread_exited(p, tid);
		if (i % 100 == 99) {
			written(p);
			profile_forget_written_threads(p, 0, UINT64_MAX);
			profile_clear_samples(p);
		}
		if (p->nthreads > max_threads)
			max_threads = p->nthreads;
		if (p->threads_cap > max_cap)
			max_cap = p->threads_cap;
	}
	/* Two flushes' threads and the worker, which stays, with its main thread. */
	assert_true(p->threads_peak <= 202);
	assert_true(p->threads_peak >= max_threads);
	assert_true(max_cap <= 2 * 202);
	assert_true(p->thread_map.cap <= 8 * 202);
	assert_non_null(profile_find_thread(p, 2));
	assert_non_null(profile_find_thread(p, 1));
	profile_free(p);
}

static void test_limits_thread_names(void **state)
{
	static const struct profile_limits lim = { .strings = 64 };
	struct profile *p = profile_new();
	const struct profile_thread *th;
	uint32_t i, fr;
	char name[32];

	(void)state;
	profile_set_limits(p, &lim);
	for (i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "worker-%u", i);
		profile_set_thread(p, 7, 7 + i % 10, name);
	}
	assert_true(p->strings.len <= lim.strings / PROFILE_THREAD_NAME_SHARE + 1);
	th = profile_find_thread(p, 7 + 999 % 10);
	assert_non_null(th);
	assert_string_equal(profile_string(p, th->comm), PROFILE_OTHER_NAME);
	assert_true(p->folded >= 1000 - lim.strings / PROFILE_THREAD_NAME_SHARE);
	/* A name seen before is still given. */
	profile_set_thread(p, 7, 8, "worker-1");
	assert_string_equal(profile_string(p, profile_find_thread(p, 8)->comm), "worker-1");
	fr = profile_intern_frame(p, "ft_new_function", "/bin/app", PROFILE_FRAME_USER);
	assert_string_equal(profile_string(p, p->frames[fr].name), "ft_new_function");
	profile_free(p);
}

/*
 * Limits: a profile fed ever new functions and stacks (as a live run on a
 * changing system is) stops growing at its limits, folds the rest into
 * "[other]", counts it, and loses no sample's weight.
 */
static void test_limits(void **state)
{
	static const struct profile_limits lim = { .strings = 50, .frames = 40, .nodes = 100,
						   .locations = 30 };
	struct profile *p = profile_new();
	struct profile_filter f;
	struct profile_top *t;
	uint64_t total = 0;
	uint32_t i, k, other = PROFILE_NO_FRAME, nframes = 0, nnodes = 0, nstrings = 0, nlocs = 0;
	char name[32];
	size_t j;

	profile_set_limits(p, &lim);
	for (i = 0; i < 20000; i++) {
		struct profile_sample s = { .time = i, .weight = 1 + i % 7 };
		uint32_t node = PROFILE_ROOT, fr = 0;

		/* Stacks 1 to 6 deep of names drawn from a growing pool. */
		for (k = 0; k <= i % 6; k++) {
			snprintf(name, sizeof(name), "fn_%u", (i * 7919 + k * 104729) % (i / 10 + 5));
			fr = profile_intern_frame(p, name, k % 2 ? "/lib/a.so" : "/bin/app",
						  PROFILE_FRAME_USER);
			node = profile_intern_node(p, node, fr);
		}
		s.node = node;
		s.location = profile_intern_location(p, fr, i % 97);
		profile_add_sample(p, &s);
		total += s.weight;
		if (i == 10000) {
			nframes = p->nframes;
			nnodes = p->nnodes;
			nstrings = p->strings.len;
			nlocs = p->nlocations;
		}
	}
	/* Bounded: the limits, plus one "[other]" per frame or node at most. */
	assert_true(p->strings.len <= lim.strings + 1);
	assert_true(p->nframes <= lim.frames + 1);
	assert_true(p->nnodes <= 2 * lim.nodes + 1);
	assert_true(p->nlocations <= lim.locations + p->nframes);
	/* And it stopped growing well before the end. */
	assert_int_equal(p->nframes, nframes);
	assert_int_equal(p->strings.len, nstrings);
	assert_true(p->nnodes <= nnodes + lim.nodes);
	assert_true(p->nlocations <= nlocs + p->nframes);
	assert_true(p->folded > 1000);
	/* Still a tree: parents before children, "[other]" never under itself. */
	for (k = 1; k < p->nnodes; k++) {
		assert_true(p->nodes[k].parent < k);
		if (strcmp(profile_string(p, p->frames[p->nodes[k].frame].name), PROFILE_OTHER_NAME) == 0)
			other = p->nodes[k].frame;
		if (p->nodes[k].frame == other && p->nodes[k].parent)
			assert_int_not_equal(p->nodes[p->nodes[k].parent].frame, other);
	}
	assert_int_not_equal(other, PROFILE_NO_FRAME);
	/* No weight lost; "[other]" holds some of it. */
	profile_filter_init(&f);
	t = profile_query_top(p, &f);
	assert_int_equal(t->total_weight, total);
	for (j = 0; j < t->nfns && t->fns[j].frame != other; j++)
		;
	assert_true(j < t->nfns && t->fns[j].total > 0);
	profile_top_free(t);

	/* Without limits (a session being read), nothing folds. */
	profile_set_limits(p, NULL);
	k = p->nframes;
	profile_intern_frame(p, "brand_new", "/bin/app", PROFILE_FRAME_USER);
	assert_int_equal(p->nframes, k + 1);
	profile_free(p);
}

/* ------------------------------------------------------------------------
 * Trees of a query (tree.c).
 */

/* The CALLS tree of per-node weights (copied), as a query gives it. */
/* The query result the tree of calls_of() borrows: one tree at a time. */
static struct profile_top *kept_top;

static struct profile_tree *calls_of(struct profile *p, const uint64_t *self)
{
	uint64_t *copy = calloc(p->nnodes, sizeof(*copy));
	struct profile_tree *t = profile_tree_new();
	struct profile_top *top;

	memcpy(copy, self, p->nnodes * sizeof(*copy));
	top = profile_top_build(p, copy, p->nnodes);
	profile_tree_calls(t, p, top);
	kept_top = top; /* the tree's weights: freed with it */
	return t;
}

static void calls_free(struct profile_tree *t)
{
	profile_tree_free(t);
	profile_top_free(kept_top);
	kept_top = NULL;
}

/*
 *   main -> a -> leaf      10
 *   main -> b -> leaf      20
 *   main -> b               5 (self)
 *   main -> a -> c          7
 *   main -> a -> a -> leaf  3 (recursion)
 * b is interned before a, so the order by name is not the order by id.
 */
static struct profile *tree_profile(uint64_t **self)
{
	static const char *const s1[] = { "main", "b", "leaf", NULL };
	static const char *const s2[] = { "main", "a", "leaf", NULL };
	static const char *const s3[] = { "main", "b", NULL };
	static const char *const s4[] = { "main", "a", "c", NULL };
	static const char *const s5[] = { "main", "a", "a", "leaf", NULL };
	struct profile *p = profile_new();
	uint32_t n1 = stack(p, "app", s1), n2 = stack(p, "app", s2), n3 = stack(p, "app", s3);
	uint32_t n4 = stack(p, "app", s4), n5 = stack(p, "app", s5);

	*self = calloc(p->nnodes, sizeof(**self));
	(*self)[n1] = 20;
	(*self)[n2] = 10;
	(*self)[n3] = 5;
	(*self)[n4] = 7;
	(*self)[n5] = 3;
	return p;
}

static uint32_t frame_of(struct profile *p, const char *name)
{
	return profile_intern_frame(p, name, "app", PROFILE_FRAME_USER);
}

/* The child of `node` named `name`, checking the children are in name order. */
static uint32_t child(struct profile_tree *t, uint32_t node, const char *name)
{
	const struct profile *p = t->p;
	uint32_t c, found = PROFILE_NO_NODE;
	const char *prev = "";

	for (c = profile_tree_child(t, node); c != PROFILE_NO_NODE; c = profile_tree_sibling(t, c)) {
		const char *n = profile_string(p, p->frames[profile_tree_frame(t, c)].name);

		assert_true(strcmp(prev, n) <= 0);
		assert_int_equal(profile_tree_parent(t, c), node);
		assert_true(t->total[c] > 0);
		prev = n;
		if (strcmp(n, name) == 0)
			found = c;
	}
	if (found == PROFILE_NO_NODE)
		fail_msg("no child %s", name);
	return found;
}

static size_t nchildren(struct profile_tree *t, uint32_t node)
{
	size_t n = 0;
	uint32_t c;

	for (c = profile_tree_child(t, node); c != PROFILE_NO_NODE; c = profile_tree_sibling(t, c))
		n++;
	return n;
}

static void test_tree_calls(void **state)
{
	uint64_t *self;
	struct profile *p = tree_profile(&self);
	struct profile_tree *t = calls_of(p, self);
	uint32_t main_, a, b, path[8];
	size_t n;

	assert_int_equal(t->kind, PROFILE_TREE_CALLS);
	assert_int_equal(t->total[PROFILE_ROOT], 45);
	main_ = child(t, PROFILE_ROOT, "main");
	assert_int_equal(t->total[main_], 45);
	/* a before b by name, though b has the smaller id. */
	assert_int_equal(profile_tree_child(t, main_), child(t, main_, "a"));
	a = child(t, main_, "a");
	b = child(t, main_, "b");
	assert_true(b < a);
	assert_int_equal(t->total[a], 20);
	assert_int_equal(t->total[b], 25);
	assert_int_equal(t->self[b], 5);
	assert_int_equal(nchildren(t, a), 3);
	assert_int_equal(profile_tree_depth(t, child(t, a, "c")), 3);
	assert_true(profile_tree_is_ancestor(t, main_, child(t, a, "c")));
	assert_false(profile_tree_is_ancestor(t, b, child(t, a, "c")));
	/* A place as a path of frames, and back; a path that no longer has
	 * weight ends at its longest prefix that does. */
	n = profile_tree_path(t, child(t, child(t, a, "a"), "leaf"), path, 8);
	assert_int_equal(n, 4);
	assert_int_equal(path[0], frame_of(p, "main"));
	assert_int_equal(path[3], frame_of(p, "leaf"));
	assert_int_equal(profile_tree_find(t, path, n), child(t, child(t, a, "a"), "leaf"));
	path[2] = frame_of(p, "c");
	assert_int_equal(profile_tree_find(t, path, n), child(t, a, "c"));
	assert_int_equal(profile_tree_path(t, child(t, a, "c"), path, 1), 1);
	assert_int_equal(path[0], frame_of(p, "main"));
	calls_free(t);
	free(self);
	profile_free(p);
}

/* Rebuilds `t` from new weights (copied), as the next query does. */
static void calls_again(struct profile_tree *t, struct profile *p, const uint64_t *self)
{
	uint64_t *copy = calloc(p->nnodes, sizeof(*copy));
	struct profile_top *top;

	memcpy(copy, self, p->nnodes * sizeof(*copy));
	top = profile_top_build(p, copy, p->nnodes);
	profile_tree_calls(t, p, top);
	profile_top_free(kept_top);
	kept_top = top;
}

/* The names of `node`'s children, in order, space-separated. */
static const char *names_of(struct profile_tree *t, uint32_t node)
{
	static char out[256];
	uint32_t c;

	out[0] = '\0';
	for (c = profile_tree_child(t, node); c != PROFILE_NO_NODE; c = profile_tree_sibling(t, c)) {
		const struct profile *p = t->p;

		assert_true(t->total[c] > 0);
		if (out[0])
			strcat(out, " ");
		strcat(out, profile_string(p, p->frames[profile_tree_frame(t, c)].name));
	}
	return out;
}

/*
 * A tree rebuilt for new weights keeps the children it listed only where
 * they are still right: a child that lost all weight leaves its parent's
 * list, one that got some (old, or new to the profile, of a new frame
 * ranked among the old ones) joins it in name order.
 */
static void test_tree_calls_again(void **state)
{
	static const char *const s6[] = { "main", "aa", NULL };
	static const char *const s7[] = { "main", "a", "b", NULL };
	uint64_t *self, *more;
	struct profile *p = tree_profile(&self);
	struct profile_tree *t = calls_of(p, self);
	uint32_t main_ = child(t, PROFILE_ROOT, "main"), a = child(t, main_, "a");
	uint32_t b = child(t, main_, "b"), c = child(t, a, "c"), n6, n7;
	uint32_t leaf_b = child(t, b, "leaf");

	(void)state;
	assert_string_equal(names_of(t, main_), "a b");
	assert_string_equal(names_of(t, a), "a c leaf");
	assert_string_equal(names_of(t, b), "leaf");

	/* b's calls and c stop: b and c leave their parents' lists. */
	self[leaf_b] = 0;
	self[b] = 0;
	self[c] = 0;
	calls_again(t, p, self);
	assert_int_equal(t->total[main_], 13);
	assert_string_equal(names_of(t, main_), "a");
	assert_string_equal(names_of(t, a), "a leaf");
	assert_string_equal(names_of(t, b), "");

	/* Unchanged weights: the same lists. */
	calls_again(t, p, self);
	assert_string_equal(names_of(t, main_), "a");
	assert_string_equal(names_of(t, a), "a leaf");

	/* b comes back, with a new call under a, and a new function aa
	 * ranked between a and b. */
	n6 = stack(p, "app", s6);
	n7 = stack(p, "app", s7);
	more = calloc(p->nnodes, sizeof(*more));
	memcpy(more, self, (size_t)n6 * sizeof(*more));
	more[b] = 5;
	more[n6] = 1;
	more[n7] = 2;
	calls_again(t, p, more);
	assert_string_equal(names_of(t, main_), "a aa b");
	assert_string_equal(names_of(t, a), "a b leaf");
	assert_string_equal(names_of(t, b), "");
	assert_int_equal(t->total[main_], 21);

	/* Everything stops: the root's list goes too. */
	memset(more, 0, p->nnodes * sizeof(*more));
	calls_again(t, p, more);
	assert_string_equal(names_of(t, PROFILE_ROOT), "");
	calls_free(t);
	free(more);
	free(self);
	profile_free(p);
}

static void test_tree_inverted(void **state)
{
	uint64_t *self;
	struct profile *p = tree_profile(&self);
	struct profile_tree *calls = calls_of(p, self), *t = profile_tree_new();
	uint32_t leaf, la, laa, lb, b;

	profile_tree_inverted(t, calls);
	assert_int_equal(t->kind, PROFILE_TREE_INVERTED);
	assert_int_equal(t->total[PROFILE_ROOT], 45);
	/* First row: where samples ended (b's own 5, c, and leaf merged from
	 * its three stacks); then their callers. */
	assert_int_equal(nchildren(t, PROFILE_ROOT), 3);
	leaf = child(t, PROFILE_ROOT, "leaf");
	assert_int_equal(t->total[leaf], 33);
	assert_int_equal(t->self[leaf], 0);
	assert_int_equal(t->total[child(t, PROFILE_ROOT, "c")], 7);
	b = child(t, PROFILE_ROOT, "b");
	assert_int_equal(t->total[b], 5);
	assert_int_equal(t->total[child(t, b, "main")], 5);
	assert_int_equal(t->self[child(t, b, "main")], 5);
	/* leaf's callers: a (10 + 3 through the recursion) and b (20). */
	assert_int_equal(nchildren(t, leaf), 2);
	la = child(t, leaf, "a");
	lb = child(t, leaf, "b");
	assert_int_equal(t->total[la], 13);
	assert_int_equal(t->total[lb], 20);
	assert_int_equal(t->total[child(t, lb, "main")], 20);
	/* a's callers: main (10, where the stack starts) and a (3). */
	assert_int_equal(t->total[child(t, la, "main")], 10);
	assert_int_equal(t->self[child(t, la, "main")], 10);
	laa = child(t, la, "a");
	assert_int_equal(t->total[laa], 3);
	assert_int_equal(t->total[child(t, laa, "main")], 3);
	assert_int_equal(nchildren(t, child(t, laa, "main")), 0);
	assert_int_equal(profile_tree_depth(t, child(t, laa, "main")), 4);
	/* Rebuilt, the same path finds the same place (ids may differ). */
	{
		uint32_t path[8];
		size_t n = profile_tree_path(t, laa, path, 8);

		profile_tree_inverted(t, calls);
		assert_int_equal(t->total[profile_tree_find(t, path, n)], 3);
		assert_int_equal(profile_tree_depth(t, profile_tree_find(t, path, n)), 3);
	}
	profile_tree_free(t);
	calls_free(calls);
	free(self);
	profile_free(p);
}

/* Appends `node`'s subtree to `out` as "name total/self (children)",
 * listing every node: what a graph of the tree would show, whatever the
 * ids. */
static void dump(struct profile_tree *t, uint32_t node, char *out, size_t size)
{
	const struct profile *p = t->p;
	uint32_t f = profile_tree_frame(t, node), c;
	size_t at = strlen(out);

	snprintf(out + at, size - at, "%s %llu/%llu (",
		 f == PROFILE_NO_FRAME ? "-" : profile_string(p, p->frames[f].name),
		 (unsigned long long)t->total[node], (unsigned long long)t->self[node]);
	for (c = profile_tree_child(t, node); c != PROFILE_NO_NODE; c = profile_tree_sibling(t, c))
		dump(t, c, out, size);
	at = strlen(out);
	snprintf(out + at, size - at, ") ");
}

/* Builds the inverted tree of `calls` again into `t` (kept from the query
 * before) and checks it shows, in full, what a new tree shows. */
static void inverted_again(struct profile_tree *t, const struct profile_tree *calls)
{
	struct profile_tree *fresh = profile_tree_new();
	char kept[1024] = "", want[1024] = "";

	profile_tree_inverted(t, calls);
	profile_tree_inverted(fresh, calls);
	dump(fresh, PROFILE_ROOT, want, sizeof(want));
	dump(t, PROFILE_ROOT, kept, sizeof(kept));
	assert_string_equal(kept, want);
	profile_tree_free(fresh);
}

/*
 * The bottom-up tree built again for the next query, as the bottom-up
 * view does every frame, shows what a new one would: when only weights
 * moved (on listed nodes and on nodes not listed yet), when a stack
 * loses all weight, when a new one gets some, and when as many stacks
 * come as go (the same count of stacks with weight, not the same ones).
 */
static void test_tree_inverted_again(void **state)
{
	static const char *const s6[] = { "main", "b", "c", NULL };
	uint64_t *self, *more;
	struct profile *p = tree_profile(&self);
	struct profile_tree *calls = calls_of(p, self), *t = profile_tree_new();
	uint32_t leaf, n1 = 3, n2 = 5, n4 = 6, n6; /* tree_profile()'s ids */

	(void)state;
	profile_tree_inverted(t, calls);
	leaf = child(t, PROFILE_ROOT, "leaf"); /* the first row only is listed */
	assert_int_equal(p->nodes[n1].frame, frame_of(p, "leaf"));
	assert_int_equal(p->nodes[n2].frame, frame_of(p, "leaf"));
	assert_int_equal(p->nodes[n4].frame, frame_of(p, "c"));

	/* New weights on the same stacks: listed and unlisted nodes. */
	self[n1] = 2;
	self[n2] = 40;
	calls_again(calls, p, self);
	inverted_again(t, calls);
	assert_int_equal(child(t, PROFILE_ROOT, "leaf"), leaf); /* kept */
	assert_int_equal(t->total[leaf], 45);
	assert_int_equal(t->total[child(t, leaf, "b")], 2);

	/* Again, everything listed now. */
	self[n1] = 20;
	calls_again(calls, p, self);
	inverted_again(t, calls);

	/* Unchanged weights. */
	calls_again(calls, p, self);
	inverted_again(t, calls);

	/* c's stack stops. */
	self[n4] = 0;
	calls_again(calls, p, self);
	inverted_again(t, calls);
	assert_int_equal(nchildren(t, PROFILE_ROOT), 2);

	/* A new stack, ending in c again: as many stacks with weight as
	 * before the last step, but not the same ones. */
	self[n4] = 7;
	calls_again(calls, p, self);
	inverted_again(t, calls);
	n6 = stack(p, "app", s6);
	more = calloc(p->nnodes, sizeof(*more));
	memcpy(more, self, (size_t)n6 * sizeof(*more));
	more[n4] = 0;
	more[n6] = 9;
	calls_again(calls, p, more);
	inverted_again(t, calls);
	assert_int_equal(t->total[child(t, child(t, PROFILE_ROOT, "c"), "b")], 9);

	/* Everything stops. */
	memset(more, 0, p->nnodes * sizeof(*more));
	calls_again(calls, p, more);
	inverted_again(t, calls);
	assert_int_equal(nchildren(t, PROFILE_ROOT), 0);
	profile_tree_free(t);
	calls_free(calls);
	free(more);
	free(self);
	profile_free(p);
}

static void test_tree_callers_callees(void **state)
{
	uint64_t *self;
	struct profile *p = tree_profile(&self);
	struct profile_tree *calls = calls_of(p, self), *t = profile_tree_new();
	uint32_t aa;

	/* Callers of leaf: a and b, as in the inverted tree under leaf. */
	profile_tree_callers(t, calls, frame_of(p, "leaf"));
	assert_int_equal(profile_tree_frame(t, PROFILE_ROOT), frame_of(p, "leaf"));
	assert_int_equal(t->total[PROFILE_ROOT], 33);
	assert_int_equal(nchildren(t, PROFILE_ROOT), 2);
	assert_int_equal(t->total[child(t, PROFILE_ROOT, "a")], 13);
	assert_int_equal(t->total[child(t, PROFILE_ROOT, "b")], 20);
	/* Callers of a: the outermost a only, so main with all of a's 20. */
	profile_tree_callers(t, calls, frame_of(p, "a"));
	assert_int_equal(t->total[PROFILE_ROOT], 20);
	assert_int_equal(nchildren(t, PROFILE_ROOT), 1);
	assert_int_equal(t->total[child(t, PROFILE_ROOT, "main")], 20);
	assert_int_equal(t->self[child(t, PROFILE_ROOT, "main")], 20);
	/* Callees of a: a (the recursion, 3), c (7), leaf (10). */
	profile_tree_callees(t, calls, frame_of(p, "a"));
	assert_int_equal(t->total[PROFILE_ROOT], 20);
	assert_int_equal(nchildren(t, PROFILE_ROOT), 3);
	aa = child(t, PROFILE_ROOT, "a");
	assert_int_equal(t->total[aa], 3);
	assert_int_equal(t->total[child(t, aa, "leaf")], 3);
	assert_int_equal(t->self[child(t, aa, "leaf")], 3);
	assert_int_equal(t->total[child(t, PROFILE_ROOT, "c")], 7);
	assert_int_equal(t->self[child(t, PROFILE_ROOT, "leaf")], 10);
	/* Callees of main merge nothing: the call tree under main. */
	profile_tree_callees(t, calls, frame_of(p, "main"));
	assert_int_equal(t->total[PROFILE_ROOT], 45);
	assert_int_equal(t->total[child(t, PROFILE_ROOT, "b")], 25);
	assert_int_equal(t->self[child(t, PROFILE_ROOT, "b")], 5);
	/* A function without weight: the root alone, empty. */
	profile_tree_callers(t, calls, p->nframes + 5);
	assert_int_equal(t->total[PROFILE_ROOT], 0);
	assert_int_equal(nchildren(t, PROFILE_ROOT), 0);
	profile_tree_free(t);
	calls_free(calls);
	free(self);
	profile_free(p);
}

static void test_tree_neighbours(void **state)
{
	uint64_t *self;
	struct profile *p = tree_profile(&self);
	struct profile_tree *t = calls_of(p, self);
	struct profile_edge *in, *out;
	size_t nin, nout;

	/* Callers of leaf: b (20) then a (13); its recursion is no caller. */
	profile_tree_neighbours(t, frame_of(p, "leaf"), &in, &nin, &out, &nout);
	assert_int_equal(nin, 2);
	assert_int_equal(in[0].frame, frame_of(p, "b"));
	assert_int_equal(in[0].weight, 20);
	assert_int_equal(in[1].frame, frame_of(p, "a"));
	assert_int_equal(in[1].weight, 13);
	assert_int_equal(nout, 0);
	free(in);
	free(out);
	/* a: called by main only (20, its outermost occurrence); calls
	 * leaf 10, c 7, a 3. */
	profile_tree_neighbours(t, frame_of(p, "a"), &in, &nin, &out, &nout);
	assert_int_equal(nin, 1);
	assert_int_equal(in[0].weight, 20);
	assert_int_equal(nout, 3);
	assert_int_equal(out[0].frame, frame_of(p, "leaf"));
	assert_int_equal(out[0].weight, 10);
	assert_int_equal(out[2].frame, frame_of(p, "a"));
	free(in);
	free(out);
	/* main's caller is the root. */
	profile_tree_neighbours(t, frame_of(p, "main"), &in, &nin, &out, &nout);
	assert_int_equal(nin, 1);
	assert_int_equal(in[0].frame, PROFILE_NO_FRAME);
	assert_int_equal(nout, 2);
	free(in);
	free(out);
	calls_free(t);
	free(self);
	profile_free(p);
}

/* ------------------------------------------------------------------------
 * Where samples hit (hits.c).
 */

/* The weight at `location` in `l`, 0 when absent; checks the list is sorted. */
static uint64_t loc_weight(const struct profile_locs *l, uint32_t location)
{
	uint64_t w = 0;
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (i)
			assert_true(l->v[i - 1].location < l->v[i].location);
		if (l->v[i].location == location)
			w = l->v[i].weight;
	}
	return w;
}

/*
 * Two functions: hot (two addresses) and cold (one), sampled at times 0.5 s
 * to 3.5 s by two processes, plus samples without an address.
 */
static struct profile *located(uint32_t loc[3], uint32_t fr[2])
{
	static const char *const hot[] = { "main", "hot", NULL };
	static const char *const cold[] = { "main", "cold", NULL };
	struct profile *p = profile_new();
	uint32_t nh = stack(p, "app", hot), nc = stack(p, "app", cold), sec;

	fr[0] = p->nodes[nh].frame;
	fr[1] = p->nodes[nc].frame;
	loc[0] = profile_intern_location(p, fr[0], 0x100);
	loc[1] = profile_intern_location(p, fr[0], 0x104);
	loc[2] = profile_intern_location(p, fr[1], 0x200);
	for (sec = 0; sec < 4; sec++) {
		uint64_t t = sec * 1000000000ull + 500000000ull;
		struct profile_sample s = { .time = t, .weight = 10, .node = nh, .pid = 1, .tid = 1 };

		s.location = loc[0];
		profile_add_sample(p, &s);
		s.location = loc[1];
		s.weight = 5;
		profile_add_sample(p, &s);
		s = (struct profile_sample){ .time = t, .weight = 3, .node = nc, .pid = 2, .tid = 2,
					     .location = loc[2] };
		profile_add_sample(p, &s);
		s.location = PROFILE_NO_LOCATION; /* no address: counts in total only */
		profile_add_sample(p, &s);
	}
	return p;
}

static void test_query_locations(void **state)
{
	uint32_t loc[3], fr[2];
	struct profile *p = located(loc, fr);
	struct profile_filter f;
	struct profile_locs *l;

	profile_filter_init(&f);
	l = profile_query_locations(p, &f, PROFILE_NO_FRAME);
	assert_int_equal(l->n, 3);
	assert_int_equal(loc_weight(l, loc[0]), 40);
	assert_int_equal(loc_weight(l, loc[1]), 20);
	assert_int_equal(loc_weight(l, loc[2]), 12);
	assert_int_equal(l->located, 72);
	assert_int_equal(l->total, 84);
	profile_locs_free(l);
	/* One function; a window; a process. */
	l = profile_query_locations(p, &f, fr[1]);
	assert_int_equal(l->n, 1);
	assert_int_equal(l->located, 12);
	assert_int_equal(l->total, 24);
	profile_locs_free(l);
	f.from = 1000000000ull;
	f.to = 3000000000ull;
	f.pid = 1;
	l = profile_query_locations(p, &f, PROFILE_NO_FRAME);
	assert_int_equal(loc_weight(l, loc[0]), 20);
	assert_int_equal(loc_weight(l, loc[2]), 0);
	profile_locs_free(l);
	profile_free(p);
}

static void test_hits_store(void **state)
{
	uint32_t loc[3], fr[2], i;
	struct profile *p = located(loc, fr);
	struct profile_hits *h = profile_hits_new(1000000000ull, 1u << 20);
	struct profile_filter f;
	struct profile_locs *l;

	/* Out of order, and twice: the same sums as the samples. */
	for (i = p->nsamples; i-- > 0;)
		profile_hits_add(h, &p->samples[i], 1);
	profile_hits_add(h, p->samples, p->nsamples);
	profile_filter_init(&f);
	l = profile_hits_query(h, p, &f, PROFILE_NO_FRAME);
	assert_int_equal(loc_weight(l, loc[0]), 80);
	assert_int_equal(loc_weight(l, loc[2]), 24);
	assert_int_equal(l->located, 144);
	assert_int_equal(l->total, l->located); /* samples without an address are not kept */
	profile_locs_free(l);
	/* A window from 1.2 s to 2.1 s: the buckets [1, 2) and [2, 3) whole. */
	f.from = 1200000000ull;
	f.to = 2100000000ull;
	l = profile_hits_query(h, p, &f, fr[0]);
	assert_int_equal(loc_weight(l, loc[0]), 40);
	assert_int_equal(loc_weight(l, loc[1]), 20);
	assert_int_equal(loc_weight(l, loc[2]), 0);
	profile_locs_free(l);
	/* The filter's process. */
	f.pid = 2;
	l = profile_hits_query(h, p, &f, PROFILE_NO_FRAME);
	assert_int_equal(l->n, 1);
	assert_int_equal(loc_weight(l, loc[2]), 12);
	profile_locs_free(l);
	assert_int_equal(profile_hits_since(h), 0);
	/* Forgotten: the first two seconds. */
	profile_hits_forget(h, 2000000000ull);
	assert_int_equal(profile_hits_since(h), 2000000000ull);
	profile_filter_init(&f);
	l = profile_hits_query(h, p, &f, fr[0]);
	assert_int_equal(loc_weight(l, loc[0]), 40);
	profile_locs_free(l);
	/* Samples older than that are refused. */
	profile_hits_add(h, p->samples, 1);
	l = profile_hits_query(h, p, &f, fr[0]);
	assert_int_equal(loc_weight(l, loc[0]), 40);
	profile_locs_free(l);
	profile_hits_free(h);

	/* A ceiling: with room for little, the oldest buckets go first and
	 * the newest stays. */
	h = profile_hits_new(1000000000ull, 1);
	for (i = 0; i < 100; i++) {
		struct profile_sample s = p->samples[0];

		s.time = i * 1000000000ull;
		s.location = profile_intern_location(p, fr[0], 0x1000 + i);
		profile_hits_add(h, &s, 1);
	}
	assert_int_equal(profile_hits_since(h), 99000000000ull);
	assert_true(profile_hits_memory(h) < 4096);
	l = profile_hits_query(h, p, &f, PROFILE_NO_FRAME);
	assert_int_equal(l->n, 1);
	assert_int_equal(l->located, 10);
	profile_locs_free(l);
	profile_hits_free(h);
	profile_free(p);
}

/*
 * A bucket that time has moved past is cut to its entries: its array grew
 * by doubling (128 for 100 entries), and memory, which the ceiling counts,
 * goes down when the next second starts. A late sample still gets in, and
 * its bucket is cut to its entries again.
 */
/* Samples with neither a location nor a chain (a session recorded
 * without addresses: every sample of a replay of one) take no room in
 * the store and show in no query. */
static void test_hits_no_address(void **state)
{
	struct profile *p = profile_new();
	struct profile_hits *h = profile_hits_new(1000000000ull, 1u << 20);
	size_t empty = profile_hits_memory(h);
	struct profile_sample s[1000];
	struct profile_filter f;
	struct profile_locs *l;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(s); i++)
		s[i] = (struct profile_sample){ .time = (uint64_t)i * 10000000ull, .weight = 1,
						.location = PROFILE_NO_LOCATION,
						.chain = PROFILE_NO_CHAIN, .pid = 1, .tid = 1 };
	profile_hits_add(h, s, ARRAY_SIZE(s));
	assert_int_equal(profile_hits_memory(h), empty);
	profile_filter_init(&f);
	l = profile_hits_query(h, p, &f, PROFILE_NO_FRAME);
	assert_int_equal(l->n, 0);
	assert_int_equal(l->total, 0);
	profile_locs_free(l);
	profile_hits_free(h);
	profile_free(p);
}

static void test_hits_settle(void **state)
{
	uint32_t loc[3], fr[2], i;
	struct profile *p = located(loc, fr);
	struct profile_hits *h = profile_hits_new(1000000000ull, 1u << 20);
	struct profile_sample s = p->samples[0];
	struct profile_filter f;
	struct profile_locs *l;
	size_t full;

	(void)state;
	s.weight = 1;
	for (i = 0; i < 100; i++) {
		s.time = i;
		s.location = profile_intern_location(p, fr[0], 0x1000 + i);
		profile_hits_add(h, &s, 1);
	}
	full = profile_hits_memory(h);
	s.time = 1000000000ull;
	profile_hits_add(h, &s, 1);
	/* 28 entries of 32 bytes freed, 16 made for the new second. */
	assert_int_equal(profile_hits_memory(h), full - 28 * 32 + 16 * 32);
	s.time = 5;
	profile_hits_add(h, &s, 1);
	assert_int_equal(profile_hits_memory(h), full - 28 * 32 + 16 * 32);
	/* A new address: one entry more. */
	s.location = profile_intern_location(p, fr[0], 0x2000);
	profile_hits_add(h, &s, 1);
	assert_int_equal(profile_hits_memory(h), full - 27 * 32 + 16 * 32);
	s.location = profile_intern_location(p, fr[0], 0x1000 + 99);
	profile_filter_init(&f);
	l = profile_hits_query(h, p, &f, PROFILE_NO_FRAME);
	assert_int_equal(l->n, 101);
	assert_int_equal(l->located, 103);
	assert_int_equal(loc_weight(l, s.location), 3);
	profile_locs_free(l);

	/* One call's samples in turn between two past seconds and a new one:
	 * each second they went to is cut to its entries at the end (103 and
	 * 2; the new one's array is 16). */
	{
		static const uint64_t t[] = { 7, 2000000000ull, 8, 1000000005ull, 9 };
		static const uint32_t off[] = { 0x3000, 0x3008, 0x3010, 0x3018, 0x1000 + 99 };
		struct profile_sample in[5];
		size_t before = profile_hits_memory(h);

		for (i = 0; i < 5; i++) {
			in[i] = s;
			in[i].time = t[i];
			in[i].location = profile_intern_location(p, fr[0], off[i]);
		}
		profile_hits_add(h, in, 5);
		assert_int_equal(profile_hits_memory(h), before + (2 - 14 + 16) * 32);
		l = profile_hits_query(h, p, &f, PROFILE_NO_FRAME);
		assert_int_equal(l->n, 105);
		assert_int_equal(l->located, 108);
		assert_int_equal(loc_weight(l, s.location), 4);
		profile_locs_free(l);
	}
	profile_hits_free(h);
	profile_free(p);
}

/* ------------------------------------------------------------------------
 * Diff.
 */

static const struct profile_diff_fn *find_diff(const struct profile_diff *d, const char *name)
{
	size_t i;

	for (i = 0; i < d->nfns; i++)
		if (strcmp(profile_diff_name(d, &d->fns[i]), name) == 0)
			return &d->fns[i];
	return NULL;
}

/*
 * Phases: main;one for the first second (100 samples of weight 10), then
 * main;two for the next second (100 samples), main;both;one in both halves
 * (10 samples each). The split of work, not timing, gives the shares.
 */
static struct profile *build_phases(const char *module)
{
	static const char *const one[] = { "main", "one", NULL };
	static const char *const two[] = { "main", "two", NULL };
	static const char *const both[] = { "main", "both", "one", NULL };
	struct profile *p = profile_new();
	uint32_t n1, n2, nb;
	uint64_t i;

	profile_add_event(p, "cpu-clock", "ns");
	n1 = stack(p, module, one);
	n2 = stack(p, module, two);
	nb = stack(p, module, both);
	for (i = 0; i < 100; i++) {
		add(p, n1, i * 10000000ull, 10, 1, 1, 0);
		add(p, n2, 1000000000ull + i * 10000000ull, 10, 1, 1, 0);
	}
	for (i = 0; i < 10; i++) {
		add(p, nb, i * 100000000ull + 5, 10, 1, 1, 0);
		add(p, nb, 1000000000ull + i * 100000000ull + 5, 10, 1, 1, 0);
	}
	return p;
}

static struct profile_top *window(const struct profile *p, uint64_t from, uint64_t to)
{
	struct profile_filter f;

	profile_filter_init(&f);
	f.event = 0;
	f.from = from;
	f.to = to;
	return profile_query_top(p, &f);
}

/* The second half against the first, in one profile: signs and magnitudes. */
static void test_diff_windows(void **state)
{
	struct profile *p = build_phases("/usr/bin/app");
	struct profile_top *first = window(p, 0, 1000000000ull);
	struct profile_top *second = window(p, 1000000000ull, 2000000000ull);
	struct profile_diff *d = profile_diff_new(p, second, p, first);
	const struct profile_diff_fn *one = find_diff(d, "one"), *two = find_diff(d, "two");
	const struct profile_diff_fn *both = find_diff(d, "both"), *m = find_diff(d, "main");
	uint32_t f_two = profile_intern_frame(p, "two", "/usr/bin/app", PROFILE_FRAME_USER);
	uint32_t n_two = profile_find_node(p, profile_find_node(p, PROFILE_ROOT, m->frame), f_two);

	assert_int_equal(d->total, 1100);
	assert_int_equal(d->base_total, 1100);
	/* one: 110 of 1100 now (via both), 1100 of 1100 before. */
	assert_non_null(one);
	assert_int_equal(one->self, 100);
	assert_int_equal(one->base_self, 1100);
	assert_true(one->delta < -0.9 && one->delta > -0.91);
	/* two: all but both's tenth now, absent before. */
	assert_non_null(two);
	assert_int_equal(two->self, 1000);
	assert_int_equal(two->base_self, 0);
	assert_int_not_equal(two->frame, PROFILE_NO_FRAME);
	assert_true(two->delta > 0.9 && two->delta < 0.91);
	/* both and main did not change. */
	assert_true(both->delta_total > -1e-9 && both->delta_total < 1e-9);
	assert_true(m->delta_total > -1e-9 && m->delta_total < 1e-9);
	/* Most changed first: two (+) and one (-) ahead of the unchanged. */
	assert_true(&d->fns[0] == two || &d->fns[0] == one);
	/* The stack main;two: its share went from 0 to 10/11. */
	assert_int_not_equal(n_two, PROFILE_NO_NODE);
	assert_int_equal(d->base_node_total[n_two], 0);
	assert_true(profile_diff_node_delta(d, n_two, second->node_total[n_two]) > 0.9);
	assert_true(profile_diff_node_delta(d, PROFILE_ROOT, second->node_total[PROFILE_ROOT]) ==
		    0.0);
	profile_diff_sort(d, PROFILE_DIFF_BY_SELF);
	assert_string_equal(profile_diff_name(d, &d->fns[0]), "two"); /* 1000 now */
	assert_string_equal(profile_diff_name(d, &d->fns[1]), "one"); /* 100 now */
	profile_diff_free(d);
	profile_top_free(first);
	profile_top_free(second);
	profile_free(p);
}

/* Functions that changed alike (here none did: a profile against itself)
 * come hottest first, not in the order of their names; the cached diff's
 * sort agrees. */
static void test_diff_unchanged_by_self(void **state)
{
	struct profile *p = build_phases("/usr/bin/app");
	struct profile_top *all = window(p, 0, 2000000000ull);
	struct profile_diff_cache c = { 0 };
	struct profile_diff *d = profile_diff_new(p, all, p, all);
	struct profile_diff *cached = profile_diff_new_cached(p, all, p, all, &c, 1);

	assert_true(d->nfns >= 2);
	assert_string_equal(profile_diff_name(d, &d->fns[0]), "one"); /* 1200 */
	assert_string_equal(profile_diff_name(d, &d->fns[1]), "two"); /* 1000 */
	assert_string_equal(profile_diff_name(cached, &cached->fns[0]), "one");
	assert_string_equal(profile_diff_name(cached, &cached->fns[1]), "two");
	profile_diff_free(cached);
	profile_diff_cache_free(&c);
	profile_diff_free(d);
	profile_top_free(all);
	profile_free(p);
}

/*
 * A baseline from another profile (another machine): other ids, another
 * path for the module, another length. Shares are per side: a tenth of the
 * data against all of it compares as the same picture.
 */
static void test_diff_other_profile(void **state)
{
	static const char *const extra[] = { "main", "gone", NULL };
	struct profile *p = build_phases("/usr/bin/app");
	struct profile *bp = profile_new();
	struct profile_top *now, *base;
	struct profile_diff *d;
	const struct profile_diff_fn *fn;
	uint32_t i, node;

	/* The baseline: frames interned in another order, module in /opt,
	 * ten times the samples; "gone" only there; "one" also in another
	 * module, which is another function. */
	profile_add_event(bp, "task-clock", "ns");
	node = stack(bp, "/opt/x/app", extra);
	for (i = 0; i < 10; i++)
		add(bp, node, i, 100, 1, 1, 0);
	{
		struct profile *tmp = build_phases("/opt/x/app");

		for (i = 0; i < tmp->nsamples; i++) {
			const struct profile_sample *s = &tmp->samples[i];
			static const char *names[8];
			uint32_t n = s->node, depth = 0, k;

			for (; n != PROFILE_ROOT; n = tmp->nodes[n].parent)
				names[depth++] = profile_string(tmp, tmp->frames[tmp->nodes[n].frame].name);
			node = PROFILE_ROOT;
			for (k = depth; k-- > 0;)
				node = profile_intern_node(bp, node,
							   profile_intern_frame(bp, names[k], "/opt/x/app",
										PROFILE_FRAME_USER));
			add(bp, node, s->time, s->weight * 10, 1, 1, 0);
		}
		profile_free(tmp);
	}
	node = stack(bp, "/lib/other.so", (const char *const[]){ "one", NULL });
	add(bp, node, 0, 1000, 1, 1, 0);

	now = window(p, 0, 0);
	base = window(bp, 0, 0);
	d = profile_diff_new(p, now, bp, base);
	assert_int_equal(d->total, 2200);
	assert_int_equal(d->base_total, 22000 + 1000 + 1000);
	fn = find_diff(d, "gone");
	assert_non_null(fn);
	assert_int_equal(fn->frame, PROFILE_NO_FRAME);
	assert_int_equal(fn->self, 0);
	assert_int_equal(fn->base_self, 1000);
	assert_string_equal(profile_diff_module(d, fn), "/opt/x/app");
	/* main: matched across paths, 100% now, 23/24 before. */
	fn = find_diff(d, "main");
	assert_int_not_equal(fn->frame, PROFILE_NO_FRAME);
	assert_int_not_equal(fn->base_frame, PROFILE_NO_FRAME);
	assert_int_equal(fn->total, 2200);
	assert_int_equal(fn->base_total, 23000);
	/* "one" twice: app's matched, other.so's its own. */
	for (i = 0, node = 0; i < d->nfns; i++)
		if (strcmp(profile_diff_name(d, &d->fns[i]), "one") == 0) {
			node++;
			if (strcmp(profile_diff_module(d, &d->fns[i]), "/lib/other.so") == 0) {
				assert_int_equal(d->fns[i].frame, PROFILE_NO_FRAME);
				assert_int_equal(d->fns[i].base_self, 1000);
			} else {
				assert_int_equal(d->fns[i].self, 1200);
				assert_int_equal(d->fns[i].base_self, 12000);
			}
		}
	assert_int_equal(node, 2);
	/* Stacks matched frame by frame: main;two has 10x the weight there. */
	{
		uint32_t m = profile_intern_frame(p, "main", "/usr/bin/app", PROFILE_FRAME_USER);
		uint32_t t = profile_intern_frame(p, "two", "/usr/bin/app", PROFILE_FRAME_USER);
		uint32_t n = profile_find_node(p, profile_find_node(p, PROFILE_ROOT, m), t);

		assert_int_equal(d->base_node_total[n], 10000);
		assert_int_equal(d->base_node_total[PROFILE_ROOT], 24000);
	}
	profile_diff_free(d);
	profile_top_free(now);
	profile_top_free(base);
	profile_free(bp);
	profile_free(p);
}

/* Two diffs are the same: functions, frames, weights, deltas, order, nodes;
 * `b` only in its `parts`, and empty in the others. */
static void assert_same_diff(const struct profile_diff *a, const struct profile_diff *b,
			     unsigned parts)
{
	size_t i;

	assert_int_equal(a->total, b->total);
	assert_int_equal(a->base_total, b->base_total);
	assert_int_equal(b->nfns, parts & PROFILE_DIFF_FNS ? a->nfns : 0);
	for (i = 0; i < b->nfns; i++) {
		assert_int_equal(a->fns[i].frame, b->fns[i].frame);
		assert_int_equal(a->fns[i].base_frame, b->fns[i].base_frame);
		assert_int_equal(a->fns[i].self, b->fns[i].self);
		assert_int_equal(a->fns[i].total, b->fns[i].total);
		assert_int_equal(a->fns[i].base_self, b->fns[i].base_self);
		assert_int_equal(a->fns[i].base_total, b->fns[i].base_total);
		assert_true(a->fns[i].delta == b->fns[i].delta);
		assert_true(a->fns[i].delta_total == b->fns[i].delta_total);
	}
	assert_int_equal(b->nnodes, parts & PROFILE_DIFF_NODES ? a->nnodes : 0);
	if (b->nnodes)
		assert_memory_equal(a->base_node_total, b->base_node_total,
				    a->nnodes * sizeof(*a->base_node_total));
}

/*
 * Diffs of a profile against itself through a cache, as the explorer makes
 * one a second while the profile grows: the same as without it. Random
 * stacks of few names, so that many functions tie on their change (and
 * are ordered by name, then module); the same name in modules of the same
 * base name in other directories (one function), in another module and as
 * a kernel frame (another frame of the same function when the module's
 * base name is the same); new frames between diffs, interned in no order.
 */
static void test_diff_cached(void **state)
{
	static const char *const modules[] = { "/usr/lib/libc.so.6", "/opt/lib/libc.so.6",
					       "/usr/bin/app", "[kernel.kallsyms]" };
	struct profile *p = profile_new();
	struct profile_diff_cache c = { 0 };
	uint32_t round, i, d, nnames = 6;
	unsigned parts;

	profile_add_event(p, "cpu-clock", "ns");
	srand(4242);
	for (round = 0; round < 8; round++) {
		struct profile_top *now, *base;
		struct profile_diff *plain, *cached;
		uint64_t from = round * 1000u, mid, to;

		/* A thousand stacks, each a sample in this round's second. */
		for (i = 0; i < 1000; i++) {
			uint32_t depth = 1 + (uint32_t)rand() % 6, node = PROFILE_ROOT;

			for (d = 0; d < depth; d++) {
				char name[16];
				unsigned m = (unsigned)rand() % 4;

				snprintf(name, sizeof(name), "f%u", (unsigned)rand() % nnames);
				node = profile_intern_node(
					p, node,
					profile_intern_frame(p, name, modules[m],
							     m == 3 || rand() % 8 == 0
								     ? PROFILE_FRAME_KERNEL
								     : PROFILE_FRAME_USER));
			}
			add(p, node, from + (uint64_t)rand() % 1000u, 1 + (uint64_t)rand() % 3, 1,
			    1, 0);
		}
		nnames += 5; /* new names for the next round */
		/* The round against everything before, and its halves. */
		mid = from + 500u;
		to = from + 1000u;
		for (i = 0; i < 3; i++) {
			now = window(p, i == 2 ? mid : from, i == 1 ? mid : to);
			base = i == 0 ? window(p, 0, from ? from : to) : window(p, from, mid);
			plain = profile_diff_new(p, now, p, base);
			assert_true(plain->nfns > 10);
			for (parts = 1; parts <= 3; parts++) {
				cached = profile_diff_new_cached(p, now, p, base, &c, parts);
				assert_same_diff(plain, cached, parts);
				profile_diff_free(cached);
			}
			cached = profile_diff_new_cached(p, now, p, base, NULL, PROFILE_DIFF_NODES);
			assert_same_diff(plain, cached, PROFILE_DIFF_NODES);
			profile_diff_free(cached);
			profile_diff_free(plain);
			profile_top_free(now);
			profile_top_free(base);
		}
	}
	/* Another profile: the cache starts over; a baseline of another
	 * profile goes the uncached way. */
	{
		struct profile *q = build_phases("/usr/bin/app");
		struct profile_top *a = window(q, 0, 1000000000ull);
		struct profile_top *b = window(q, 1000000000ull, 2000000000ull);
		struct profile_top *pa = window(p, 0, 0);
		struct profile_diff *plain = profile_diff_new(q, b, q, a);
		struct profile_diff *cached =
			profile_diff_new_cached(q, b, q, a, &c,
						PROFILE_DIFF_FNS | PROFILE_DIFF_NODES);

		assert_same_diff(plain, cached, PROFILE_DIFF_FNS | PROFILE_DIFF_NODES);
		profile_diff_free(plain);
		profile_diff_free(cached);
		plain = profile_diff_new(q, b, p, pa);
		cached = profile_diff_new_cached(q, b, p, pa, &c, PROFILE_DIFF_NODES);
		assert_same_diff(plain, cached, PROFILE_DIFF_FNS | PROFILE_DIFF_NODES);
		profile_diff_free(plain);
		profile_diff_free(cached);
		profile_top_free(a);
		profile_top_free(b);
		profile_top_free(pa);
		profile_free(q);
	}
	profile_diff_cache_free(&c);
	profile_free(p);
}

static void test_diff_units(void **state)
{
	struct ft_error err = { { 0 }, 0, 0 };

	assert_int_equal(profile_diff_check_units("ns", "ns", &err), 0);
	assert_int_equal(profile_diff_check_units("ns", "bytes", &err), -EINVAL);
	assert_string_equal(err.msg, "the baseline's weights are in bytes and this profile's in ns: "
				     "different units cannot be compared");
	assert_int_equal(profile_diff_check_units("cycles", "instructions", &err), -EINVAL);
	assert_null(strchr(err.msg, '\n'));
}

/* ------------------------------------------------------------------------
 * Heatmap.
 */

/*
 * Ten seconds: in each, main;burst every 10 ms from 400 to 500 ms (10
 * samples, weight 3), and main;steady every 100 ms (10 samples, weight 1).
 */
static struct profile *build_bursts(void)
{
	static const char *const burst[] = { "main", "burst", NULL };
	static const char *const steady[] = { "main", "steady", NULL };
	struct profile *p = profile_new();
	uint32_t nb, ns;
	uint64_t sec, i;

	profile_add_event(p, "cpu-clock", "ns");
	nb = stack(p, "app", burst);
	ns = stack(p, "app", steady);
	for (sec = 0; sec < 10; sec++)
		for (i = 0; i < 10; i++) {
			add(p, nb, sec * 1000000000ull + 400000000ull + i * 10000000ull + 1, 3, 1, 1,
			    0);
			add(p, ns, sec * 1000000000ull + i * 100000000ull + 5, 1, 1, 1, 0);
		}
	return p;
}

static void test_heatmap_rows(void **state)
{
	struct profile *p = build_bursts();
	struct ft_error err = { { 0 }, 0, 0 };
	struct profile_filter f;
	struct profile_heatmap *h;
	regex_t re;
	uint64_t c, r, hot = 0;

	profile_filter_init(&f);
	f.event = 0;
	h = profile_query_heatmap(p, &f, PROFILE_HEATMAP_DEFAULT_ROW_NS, &err);
	assert_non_null(h);
	assert_int_equal(h->rows, 50);
	assert_int_equal(h->first, 0);
	assert_int_equal(h->ncols, 10);
	assert_int_equal(h->total, 10 * (10 * 3 + 10));
	/* Rows 20-24 (400-500 ms): the burst's 30 and steady's 1 at 400 ms. */
	for (c = 0; c < h->ncols; c++)
		for (r = 0; r < h->rows; r++) {
			uint64_t v = h->cells[c * h->rows + r];

			if (r >= 20 && r < 25)
				hot += v;
			else
				assert_true(v == 0 || v == 1);
		}
	assert_int_equal(hot, 10 * 31);
	assert_int_equal(h->max, 7); /* two bursts of 3 and steady's 1 at 400 ms */
	profile_heatmap_free(h);

	/* A function filter: only the burst, all in its rows. */
	assert_int_equal(regcomp(&re, "^burst$", REG_EXTENDED | REG_NOSUB), 0);
	f.include = &re;
	f.from = 2000000000ull;
	f.to = 4000000000ull;
	h = profile_query_heatmap(p, &f, 100000000ull, &err);
	assert_non_null(h);
	assert_int_equal(h->rows, 10);
	assert_int_equal(h->first, 2);
	assert_int_equal(h->ncols, 2);
	assert_int_equal(h->total, 2 * 30);
	assert_int_equal(h->cells[0 * 10 + 4], 30);
	assert_int_equal(h->cells[1 * 10 + 4], 30);
	profile_heatmap_free(h);
	regfree(&re);

	/* Bad sizes. */
	assert_null(profile_heatmap_new(500000, 0, 1000000000ull, &err));
	assert_non_null(strstr(err.msg, "1 ms to 1 s"));
	assert_null(profile_heatmap_new(1000000, 0, 100000ull * 1000000000ull, &err));
	assert_non_null(strstr(err.msg, "too large"));
	/* 3 rows of 400 ms: the last is 200 ms. */
	h = profile_heatmap_new(400000000ull, 0, 1, &err);
	assert_int_equal(h->rows, 3);
	profile_heatmap_free(h);
	profile_free(p);
}

static void test_heatmap_span(void **state)
{
	struct ft_error err = { { 0 }, 0, 0 };
	struct profile_heatmap *h = profile_heatmap_new(20000000ull, 5000000000ull, 9000000000ull,
							&err);
	uint64_t from, to;

	assert_int_equal(h->first, 5);
	profile_heatmap_span(h, 1, 20, 2, 4, &from, &to);
	assert_int_equal(from, 6400000000ull);
	assert_int_equal(to, 7100000000ull);
	profile_heatmap_span(h, 2, 4, 1, 20, &from, &to); /* either order */
	assert_int_equal(from, 6400000000ull);
	assert_int_equal(to, 7100000000ull);
	profile_heatmap_free(h);
	h = profile_heatmap_new(400000000ull, 0, 1000000000ull, &err);
	profile_heatmap_span(h, 0, 2, 0, 2, &from, &to); /* the short last row */
	assert_int_equal(from, 800000000ull);
	assert_int_equal(to, 1000000000ull);
	profile_heatmap_free(h);
}

/*
 * The queries count without dividing (a multiply by the row height's
 * inverse): every row height gives the cells plain division gives, at the
 * edges of rows too; the matcher's path (a pid filter) the same as the
 * plain one; samples after the session's duration add columns, as far as
 * the cell cap allows.
 */
/*
 * A tally fed batch by batch while the profile grows (new stacks,
 * functions, locations between batches, samples after the session's
 * duration, out of time order) sums what the queries sum of the whole
 * profile, and what it holds does not grow with the samples it counts.
 */
static void test_tally_batches(void **state)
{
	struct profile *p = build_bursts();
	struct ft_error err = { { 0 }, 0, 0 };
	struct profile_tally_spec spec = {
		.parts = PROFILE_TALLY_NODES | PROFILE_TALLY_THREADS | PROFILE_TALLY_LOCATIONS |
			 PROFILE_TALLY_HEATMAP,
		.frame = PROFILE_NO_FRAME,
		.row_ns = 50000000ull,
	};
	struct profile_filter f;
	struct profile_tally *t;
	struct profile_top *whole, *fed;
	struct profile_heatmap *hw, *hf;
	struct profile_locs *lw, *lf;
	const struct profile_sample *merged;
	uint64_t x = 99, sum = 0, want = 0;
	size_t done = 0, k, n, mem = 0;
	unsigned round;

	profile_filter_init(&f);
	f.event = 0;
	t = profile_tally_new(p, &f, &spec);
	for (round = 0; round < 40; round++) {
		char name[32];
		const char *const names[] = { "main", "grown", name, NULL };
		uint32_t node, loc;

		snprintf(name, sizeof(name), "fn_%u", round % 13);
		node = stack(p, "app", names);
		loc = profile_intern_location(p, p->nodes[node].frame, 0x10 * (round % 13 % 5));
		for (k = 0; k < 500; k++) {
			struct profile_sample smp = { .weight = 1 + k % 3, .node = node, .pid = 1,
						      .tid = 1 + round % 13 % 3, .location = loc };

			x = x * 6364136223846793005ull + 1442695040888963407ull;
			smp.time = (x >> 11) % 14000000000ull; /* past the 12 s below */
			profile_add_sample(p, &smp);
		}
		profile_tally_add(t, p->samples + done, p->nsamples - done);
		done = p->nsamples;
		if (round == 20)
			mem = profile_tally_memory(t);
	}
	/* Nothing new after round 12 (13 functions, each its thread and
	 * location): only the samples went on. */
	assert_int_equal(profile_tally_memory(t), mem);
	p->meta.duration_ns = 12000000000ull;
	whole = profile_query_top(p, &f);
	fed = profile_tally_top(t);
	assert_int_equal(fed->total_weight, whole->total_weight);
	assert_int_equal(fed->nsamples, whole->nsamples);
	assert_int_equal(fed->first_time, whole->first_time);
	assert_int_equal(fed->last_time, whole->last_time);
	assert_int_equal(fed->nfns, whole->nfns);
	for (k = 0; k < whole->nfns; k++) {
		assert_int_equal(fed->fns[k].frame, whole->fns[k].frame);
		assert_int_equal(fed->fns[k].self, whole->fns[k].self);
		assert_int_equal(fed->fns[k].total, whole->fns[k].total);
	}
	merged = profile_tally_threads(t, &n);
	for (k = 0; k < n; k++)
		sum += merged[k].weight;
	assert_int_equal(sum, whole->total_weight);
	for (k = 0; k < n; k++) /* one per (node, thread) */
		for (done = k + 1; done < n; done++)
			assert_false(merged[k].node == merged[done].node &&
				     merged[k].tid == merged[done].tid);
	hw = profile_query_heatmap(p, &f, spec.row_ns, &err);
	hf = profile_tally_heatmap(t, &err);
	assert_non_null(hw);
	assert_non_null(hf);
	assert_int_equal(hf->ncols, 14); /* to the last sample, past the duration */
	assert_int_equal(hf->ncols, hw->ncols);
	assert_int_equal(hf->total, hw->total);
	assert_int_equal(hf->max, hw->max);
	assert_memory_equal(hf->cells, hw->cells, hw->ncols * hw->rows * sizeof(*hw->cells));
	lw = profile_query_locations(p, &f, PROFILE_NO_FRAME);
	lf = profile_tally_locations(t);
	assert_int_equal(lf->n, lw->n);
	assert_int_equal(lf->total, lw->total);
	assert_int_equal(lf->located, lw->located);
	for (k = 0; k < lw->n; k++) {
		assert_int_equal(lf->v[k].location, lw->v[k].location);
		assert_int_equal(lf->v[k].weight, lw->v[k].weight);
		want += lw->v[k].weight;
	}
	assert_int_equal(want, lw->located);
	profile_locs_free(lw);
	profile_locs_free(lf);
	profile_heatmap_free(hw);
	profile_heatmap_free(hf);
	profile_top_free(fed);
	profile_top_free(whole);
	profile_tally_free(t);
	profile_free(p);
	(void)state;
}

static void test_heatmap_exact(void **state)
{
	static const uint64_t heights[] = { 1000000ull,   3000000ull,   7000000ull,
					    20000000ull,  333333333ull, 400000000ull,
					    999999999ull, 1000000000ull };
	struct profile *p = build_bursts();
	struct ft_error err = { { 0 }, 0, 0 };
	uint64_t i, x = 12345, *want;
	uint32_t node = p->samples[0].node;
	struct profile_filter f;
	size_t k;

	/* Times at and beside the edges of rows, and random ones, in 11 s
	 * (the session says 10 s: the 11th second is after its end). */
	for (k = 0; k < ARRAY_SIZE(heights); k++)
		for (i = 1; i * heights[k] < 1000000000ull; i++) {
			add(p, node, 3000000000ull + i * heights[k] - 1, 2, 1, 1, 0);
			add(p, node, 4000000000ull + i * heights[k], 5, 1, 1, 0);
		}
	for (i = 0; i < 20000; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		add(p, node, (x >> 11) % 11000000000ull, 1 + (x & 7), 1, 1, 0);
	}
	p->meta.duration_ns = 10000000000ull;
	profile_filter_init(&f);
	f.event = 0;
	for (k = 0; k < ARRAY_SIZE(heights); k++) {
		uint64_t rows = (1000000000ull + heights[k] - 1) / heights[k], max = 0;
		struct profile_heatmap *h, *by_pid;

		want = calloc(11 * rows, sizeof(*want));
		for (i = 0; i < p->nsamples; i++) {
			uint64_t t = p->samples[i].time, *cell;

			cell = &want[t / 1000000000ull * rows + t % 1000000000ull / heights[k]];
			*cell += p->samples[i].weight;
			if (*cell > max)
				max = *cell;
		}
		h = profile_query_heatmap(p, &f, heights[k], &err);
		assert_non_null(h);
		assert_int_equal(h->ncols, 11); /* to the last sample, past the duration */
		assert_int_equal(h->rows, rows);
		assert_int_equal(h->max, max);
		for (i = 0; i < 11 * rows; i++)
			if (h->cells[i] != want[i])
				fail_msg("rows of %llu ns: cell %llu is %llu, not %llu",
					 (unsigned long long)heights[k], (unsigned long long)i,
					 (unsigned long long)h->cells[i], (unsigned long long)want[i]);
		f.pid = 1;
		by_pid = profile_query_heatmap(p, &f, heights[k], &err);
		f.pid = -1;
		assert_non_null(by_pid);
		assert_int_equal(by_pid->total, h->total);
		assert_memory_equal(by_pid->cells, h->cells, 11 * rows * sizeof(*want));
		profile_heatmap_free(by_pid);
		profile_heatmap_free(h);
		free(want);
	}
	/* A sample far after the end: too many columns, said with the count. */
	add(p, node, 100000ull * 1000000000ull, 1, 1, 1, 0);
	assert_null(profile_query_heatmap(p, &f, 1000000ull, &err));
	assert_non_null(strstr(err.msg, "a heatmap of 100001 seconds in rows of 1.0 ms is too large"));
	profile_free(p);
}

/* The live store gives the same matrix as the samples, and forgets. */
static void test_heatstore(void **state)
{
	struct profile *p = build_bursts();
	struct profile_heatstore *hs = profile_heatstore_new(10000000ull, 1 << 20);
	struct ft_error err = { { 0 }, 0, 0 };
	struct profile_heatmap *a, *b;
	struct profile_filter f;
	uint64_t i;

	profile_filter_init(&f);
	f.event = 0;
	profile_heatstore_add(hs, p->samples, p->nsamples);
	a = profile_query_heatmap(p, &f, 20000000ull, &err);
	b = profile_heatstore_query(hs, p, &f, 20000000ull, &err);
	assert_non_null(b);
	assert_int_equal(a->ncols, b->ncols);
	assert_int_equal(a->total, b->total);
	for (i = 0; i < a->ncols * a->rows; i++)
		assert_int_equal(a->cells[i], b->cells[i]);
	profile_heatmap_free(b);
	/* Rows are whole slices: 15 ms becomes 20 ms. */
	b = profile_heatstore_query(hs, p, &f, 15000000ull, &err);
	assert_int_equal(b->row_ns, 20000000ull);
	profile_heatmap_free(b);
	profile_heatmap_free(a);

	profile_heatstore_forget(hs, 5000000000ull);
	assert_int_equal(profile_heatstore_since(hs), 5000000000ull);
	f.from = 5000000000ull;
	a = profile_query_heatmap(p, &f, 20000000ull, &err);
	f.from = 0;
	b = profile_heatstore_query(hs, p, &f, 20000000ull, &err);
	assert_int_equal(b->total, a->total);
	assert_true(profile_heatstore_memory(hs) > 0);
	profile_heatmap_free(a);
	profile_heatmap_free(b);
	profile_heatstore_free(hs);

	/* Past its size the oldest go. */
	hs = profile_heatstore_new(10000000ull, 1);
	for (i = 0; i < 20; i++)
		profile_heatstore_add(hs, p->samples, p->nsamples);
	assert_true(profile_heatstore_memory(hs) < 200000);
	profile_heatstore_free(hs);
	profile_free(p);
}

/*
 * A store at its size ceiling keeps taking samples, one by one or in
 * batches, and always holds the newest: its array, at its largest, is
 * filled up to the end after a dead prefix too short to compact (it once
 * wrote past the end there; ASan sees it).
 */
static void test_heatstore_full(void **state)
{
	struct profile *p = build_bursts();
	struct profile_heatstore *hs = profile_heatstore_new(1000000ull, 1 << 20);
	struct ft_error err = { { 0 }, 0, 0 };
	struct profile_sample *s = xcalloc(4096, sizeof(*s));
	struct profile_heatmap *m;
	struct profile_filter f;
	uint64_t i, k, t = 0, since;

	(void)state;
	for (k = 0; k < 100; k++) {
		size_t n = k % 2 ? 4096 : 1;

		for (i = 0; i < n; i++) {
			s[i] = p->samples[0];
			s[i].time = t++ * 1000000ull;
			s[i].weight = 1;
		}
		profile_heatstore_add(hs, s, n);
	}
	assert_true(profile_heatstore_memory(hs) <= (1u << 20) * 2);
	since = profile_heatstore_since(hs);
	assert_true(since > 0);
	profile_filter_init(&f);
	f.event = p->samples[0].event;
	f.from = since;
	m = profile_heatstore_query(hs, p, &f, 1000000ull, &err);
	assert_non_null(m);
	/* Every sample since `since`, one a millisecond: none lost, and the
	 * store full to its ceiling (16 bytes an entry). */
	assert_int_equal(m->total, t - since / 1000000ull);
	assert_int_equal(m->total, (1u << 20) / 16);
	profile_heatmap_free(m);
	/* A filter that is not only times and events (a thread) over the
	 * same entries, which wrap around the end of the store's array. */
	f.tid = (int64_t)p->samples[0].tid;
	m = profile_heatstore_query(hs, p, &f, 1000000ull, &err);
	assert_non_null(m);
	assert_int_equal(m->total, t - since / 1000000ull);
	profile_heatmap_free(m);
	f.tid = -1;
	/* Forgetting the older half (also across the wrap). */
	since += (t - since / 1000000ull) / 2 * 1000000ull;
	profile_heatstore_forget(hs, since);
	assert_int_equal(profile_heatstore_since(hs), since);
	f.from = 0;
	m = profile_heatstore_query(hs, p, &f, 1000000ull, &err);
	assert_non_null(m);
	assert_int_equal(m->total, t - since / 1000000ull);
	profile_heatmap_free(m);
	profile_heatstore_free(hs);
	free(s);
	profile_free(p);
}

/*
 * A run of samples of one stack, thread and event in one slice is one
 * entry, with their weight: a hot loop's second costs what one sample
 * does. Any difference starts a new entry.
 */
static void test_heatstore_runs(void **state)
{
	struct profile *p = build_bursts();
	struct profile_heatstore *one = profile_heatstore_new(10000000ull, 1 << 20);
	struct profile_heatstore *hs = profile_heatstore_new(10000000ull, 1 << 20);
	struct ft_error err = { { 0 }, 0, 0 };
	struct profile_sample s = p->samples[0];
	struct profile_heatmap *m;
	struct profile_filter f;
	uint64_t i;

	(void)state;
	s.time = 0;
	s.weight = 3;
	profile_heatstore_add(one, &s, 1);
	for (i = 0; i < 1000; i++) {
		s.time = i * 9000; /* all in the first 10 ms */
		profile_heatstore_add(hs, &s, 1);
	}
	assert_int_equal(profile_heatstore_memory(hs), profile_heatstore_memory(one));
	profile_filter_init(&f);
	f.event = s.event;
	m = profile_heatstore_query(hs, p, &f, 10000000ull, &err);
	assert_non_null(m);
	assert_int_equal(m->total, 3000);
	profile_heatmap_free(m);
	/* Another thread, then the first again: three entries more. */
	s.tid++;
	profile_heatstore_add(hs, &s, 1);
	s.tid--;
	profile_heatstore_add(hs, &s, 1);
	s.time = 10000000ull; /* the next slice */
	profile_heatstore_add(hs, &s, 1);
	assert_int_equal(profile_heatstore_memory(hs), profile_heatstore_memory(one) + 3 * 16);
	m = profile_heatstore_query(hs, p, &f, 10000000ull, &err);
	assert_int_equal(m->total, 3009);
	profile_heatmap_free(m);
	profile_heatstore_free(one);
	profile_heatstore_free(hs);
	profile_free(p);
}

/*
 * Samples added many at a time make the store that adding them one at a
 * time makes: times either side of a slice's edge in turn, late ones into
 * older slices, runs of one stack, other threads and events.
 */
static void test_heatstore_batch(void **state)
{
	struct profile *p = build_bursts();
	struct profile_heatstore *one = profile_heatstore_new(1000000ull, 1 << 20);
	struct profile_heatstore *many = profile_heatstore_new(1000000ull, 1 << 20);
	struct ft_error err = { { 0 }, 0, 0 };
	struct profile_sample *s = xcalloc(3000, sizeof(*s));
	struct profile_heatmap *a, *b;
	struct profile_filter f;
	uint64_t i;

	(void)state;
	for (i = 0; i < 3000; i++) {
		s[i] = p->samples[i % p->nsamples];
		s[i].time = (i / 6 + 1) * 1000000ull;
		if (i % 6 == 0) /* the last ns of the slice before */
			s[i].time -= 1;
		else if (i % 6 == 3 && i > 60) /* a late one, ten slices back */
			s[i].time -= 10000000ull + 7;
		s[i].tid += (uint32_t)(i % 5 == 0);
		s[i].event = (uint16_t)(i % 7 == 0);
		s[i].weight = 1 + i % 4;
	}
	for (i = 0; i < 3000; i++)
		profile_heatstore_add(one, &s[i], 1);
	profile_heatstore_add(many, s, 3000);
	assert_int_equal(profile_heatstore_memory(many), profile_heatstore_memory(one));
	profile_filter_init(&f);
	for (i = 0; i < 3; i++) {
		f.event = (int)i - 1;
		a = profile_heatstore_query(one, p, &f, 1000000ull, &err);
		b = profile_heatstore_query(many, p, &f, 1000000ull, &err);
		assert_non_null(a);
		assert_non_null(b);
		assert_true(a->total > 0);
		assert_int_equal(a->total, b->total);
		assert_int_equal(a->ncols, b->ncols);
		assert_int_equal(a->rows, b->rows);
		assert_memory_equal(a->cells, b->cells, a->ncols * a->rows * sizeof(*a->cells));
		profile_heatmap_free(a);
		profile_heatmap_free(b);
	}
	free(s);
	profile_heatstore_free(one);
	profile_heatstore_free(many);
	profile_free(p);
}

/* heat_total: the store's total for `event` (-1: all) over all its time. */
static uint64_t heat_total(const struct profile_heatstore *hs, const struct profile *p, int event,
			   uint64_t row_ns)
{
	struct ft_error err = { { 0 }, 0, 0 };
	struct profile_heatmap *m;
	struct profile_filter f;
	uint64_t total;

	profile_filter_init(&f);
	f.event = event;
	m = profile_heatstore_query(hs, p, &f, row_ns, &err);
	assert_non_null(m);
	total = m->total;
	profile_heatmap_free(m);
	return total;
}

/*
 * What a 16-byte entry cannot hold whole: a weight over 32 bits takes
 * several entries and keeps its sum; a slice is kept as its low 24 bits,
 * so entries 2^24 slices older than the newest go (the store is complete
 * after them); events from 255 on count among all events only.
 */
static void test_heatstore_limits(void **state)
{
	struct profile *p = build_bursts();
	struct profile_heatstore *hs = profile_heatstore_new(1000000ull, 1 << 20);
	struct profile_sample s = p->samples[0];
	uint64_t span = (1ull << 24) * 1000000ull; /* 2^24 slices of 1 ms */

	(void)state;
	s.time = 0;
	s.weight = 10000000000ull; /* 10 s of off-CPU time, in ns */
	profile_heatstore_add(hs, &s, 1);
	assert_int_equal(heat_total(hs, p, s.event, 500000000ull), 10000000000ull);
	/* The last slice that keeps it: 2^24 - 1 slices on; its time is right. */
	s.weight = 1;
	s.time = span - 1000000ull;
	profile_heatstore_add(hs, &s, 1);
	assert_int_equal(heat_total(hs, p, s.event, 500000000ull), 10000000001ull);
	assert_int_equal(profile_heatstore_since(hs), 0);
	/* One slice more and the first goes; what stays is in its own slice. */
	s.time = span;
	profile_heatstore_add(hs, &s, 1);
	assert_int_equal(heat_total(hs, p, s.event, 500000000ull), 2);
	assert_int_equal(profile_heatstore_since(hs), 1000000ull);
	{
		struct ft_error err = { { 0 }, 0, 0 };
		struct profile_heatmap *m;
		struct profile_filter f;

		profile_filter_init(&f);
		f.event = s.event;
		f.from = span - 1000000ull;
		f.to = span;
		m = profile_heatstore_query(hs, p, &f, 1000000ull, &err);
		assert_int_equal(m->total, 1);
		profile_heatmap_free(m);
	}
	profile_heatstore_free(hs);
	/* A sample older than the window is refused, even where nothing was
	 * dropped yet (it would alias to the newest slice). */
	hs = profile_heatstore_new(1000000ull, 1 << 20);
	s.time = span + 5000000ull;
	profile_heatstore_add(hs, &s, 1);
	s.time = 0;
	profile_heatstore_add(hs, &s, 1);
	assert_int_equal(heat_total(hs, p, s.event, 500000000ull), 1);
	profile_heatstore_free(hs);

	/* Events 255 and 300 (an import's): among all events, not alone. */
	hs = profile_heatstore_new(1000000ull, 1 << 20);
	s.time = 0;
	s.weight = 5;
	s.event = 300;
	profile_heatstore_add(hs, &s, 1);
	s.event = 2;
	profile_heatstore_add(hs, &s, 1);
	assert_int_equal(heat_total(hs, p, -1, 500000000ull), 10);
	assert_int_equal(heat_total(hs, p, 2, 500000000ull), 5);
	assert_int_equal(heat_total(hs, p, 300, 500000000ull), 0);
	assert_int_equal(heat_total(hs, p, 255, 500000000ull), 0);
	profile_heatstore_free(hs);
	profile_free(p);
}

/* Decay: a sample counts half per half-life of age; the filter applies. */
static void test_decay(void **state)
{
	static const char *const sa[] = { "main", "a", NULL };
	static const char *const sb[] = { "main", "b", NULL };
	struct profile *p = profile_new();
	struct profile_decay *d = profile_decay_new(1000000000ull);
	struct profile_filter f;
	struct profile_matcher m;
	struct profile_top *t;
	uint32_t na, nb;

	profile_add_event(p, "cpu-clock", "ns");
	na = stack(p, "app", sa);
	nb = stack(p, "app", sb);
	add(p, na, 0, 1024000, 1, 1, 0);
	add(p, nb, 1000000000ull, 1024000, 1, 1, 0);
	add(p, nb, 1000000000ull, 1024000, 2, 2, 0); /* another process */
	profile_filter_init(&f);
	f.pid = 1;
	profile_matcher_init(&m, p, &f);
	profile_decay_add(d, p, &m, p->samples, p->nsamples);
	profile_matcher_free(&m);
	assert_int_equal(profile_decay_half_life(d), 1000000000ull);

	t = profile_decay_top(d, p, 1000000000ull);
	assert_fn(p, t, "a", 512000, 512000);
	assert_fn(p, t, "b", 1024000, 1024000);
	assert_int_equal(t->total_weight, 1536000);
	assert_int_equal(t->nsamples, 2); /* 0.5 + 1, rounded */
	assert_int_equal(t->last_time, 1000000000ull);
	profile_top_free(t);
	/* Two seconds on: a quarter of each. */
	t = profile_decay_top(d, p, 3000000000ull);
	assert_fn(p, t, "a", 128000, 128000);
	assert_fn(p, t, "b", 256000, 256000);
	assert_fn(p, t, "main", 0, 384000);
	profile_top_free(t);
	/* Seeded weight at a time counts like a sample then; a much later
	 * one still adds up (the sums are rescaled, not overflowed). */
	profile_decay_add_node(d, na, 1024000, 1, 3000000000ull);
	profile_decay_add_node(d, nb, 1024000, 1, 100000000000ull);
	t = profile_decay_top(d, p, 100000000000ull);
	assert_fn(p, t, "b", 1024000, 1024000);
	assert_null(find_fn(p, t, "a")); /* 97 half-lives old: nothing left */
	profile_top_free(t);
	profile_decay_free(d);
	profile_decay_free(NULL);
	profile_free(p);
}

/* --- a perf event group's ratios --- */

static struct profile_top *ratio_query(void *ctx, int e)
{
	struct profile_filter f;

	profile_filter_init(&f);
	f.event = e;
	return profile_query_top(ctx, &f);
}

/*
 * Which ratios a group gets, from its names and units, whichever of its
 * events is shown; and their values per function and node: the members'
 * weights over the leader's (or over instructions), NAN without weight.
 */
static void test_group_ratios(void **state)
{
	static const char *const hot[] = { "main", "hot", NULL };
	static const char *const cold[] = { "main", "cold", NULL };
	struct profile_ratio r[PROFILE_MAX_RATIOS];
	struct profile_ratio_set *rs;
	struct profile *p = profile_new();
	uint32_t nh, nc, main_frame, hot_frame;
	char buf[32];

	(void)state;
	profile_add_event(p, "cycles", "count");
	profile_add_event(p, "instructions", "count");
	profile_add_event(p, "cache-misses", "count");
	profile_add_event(p, "bus-cycles", "count");
	profile_add_event(p, "task-clock", "ns");
	profile_add_event(p, "page-faults", "count");
	profile_add_event(p, "alone", "count");
	p->events[1].leader = p->events[2].leader = p->events[3].leader = 0;
	p->events[5].leader = 4;

	assert_int_equal(profile_ratios(p, 0, r), 3);
	assert_string_equal(r[0].label, "IPC");
	assert_int_equal(r[0].num, 1);
	assert_int_equal(r[0].den, 0);
	assert_string_equal(r[1].label, "cache-misses/1k-ins");
	assert_int_equal(r[1].num, 2);
	assert_int_equal(r[1].den, 1);
	assert_true(r[1].scale == 1000);
	assert_string_equal(r[2].label, "bus-cycles/cycles");
	/* A member shown: the same ratios. */
	assert_int_equal(profile_ratios(p, 2, r), 3);
	assert_string_equal(r[0].label, "IPC");
	assert_int_equal(profile_ratios(p, 5, r), 1);
	assert_string_equal(r[0].label, "page-faults/ms");
	assert_true(r[0].scale == 1e6);
	assert_int_equal(profile_ratios(p, 6, r), 0);
	assert_int_equal(profile_ratios(p, -1, r), 0);
	assert_null(profile_ratio_set_new(p, 6, ratio_query, p));

	/* hot: 1000 cycles, 3000 instructions, 6 misses; cold: 1000 cycles,
	 * 500 instructions, no miss. */
	nh = stack(p, "app", hot);
	nc = stack(p, "app", cold);
	add(p, nh, 10, 1000, 1, 1, 0);
	add(p, nh, 10, 3000, 1, 1, 1);
	add(p, nh, 10, 6, 1, 1, 2);
	add(p, nc, 20, 1000, 1, 1, 0);
	add(p, nc, 20, 500, 1, 1, 1);
	rs = profile_ratio_set_new(p, 0, ratio_query, p);
	assert_non_null(rs);
	assert_int_equal(rs->n, 3);
	hot_frame = p->nodes[nh].frame;
	main_frame = p->nodes[p->nodes[nh].parent].frame;
	assert_true(profile_ratio_fn(rs, 0, hot_frame, false) == 3.0);
	assert_true(profile_ratio_fn(rs, 0, hot_frame, true) == 3.0);
	assert_true(profile_ratio_fn(rs, 0, p->nodes[nc].frame, true) == 0.5);
	assert_true(profile_ratio_fn(rs, 0, main_frame, true) == 1.75);
	assert_true(isnan(profile_ratio_fn(rs, 0, main_frame, false))); /* no self cycles */
	assert_true(profile_ratio_fn(rs, 1, hot_frame, true) == 2.0); /* 6 per 3000 */
	assert_true(profile_ratio_fn(rs, 1, p->nodes[nc].frame, true) == 0);
	assert_true(profile_ratio_node(rs, 0, nh) == 3.0);
	assert_true(profile_ratio_node(rs, 0, PROFILE_ROOT) == 1.75);
	assert_true(isnan(profile_ratio_fn(rs, 7, hot_frame, true)));
	profile_ratio_format(1.75, buf, sizeof(buf));
	assert_string_equal(buf, "1.75");
	profile_ratio_format(NAN, buf, sizeof(buf));
	assert_string_equal(buf, "-");
	profile_ratio_format(593.4, buf, sizeof(buf));
	assert_string_equal(buf, "593");
	profile_ratio_set_free(rs);
	profile_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_root),
		cmocka_unit_test(test_intern_strings_frames),
		cmocka_unit_test(test_intern_nodes_random),
		cmocka_unit_test(test_threads_events_meta),
		cmocka_unit_test(test_query_self_total),
		cmocka_unit_test(test_group_ratios),
		cmocka_unit_test(test_query_deep_recursion),
		cmocka_unit_test(test_top_against_reference),
		cmocka_unit_test(test_query_ties_by_name),
		cmocka_unit_test(test_top_frame_order),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_filter_match),
		cmocka_unit_test(test_matcher_patterns),
		cmocka_unit_test(test_empty_and_clear),
		cmocka_unit_test(test_locations),
		cmocka_unit_test(test_chains),
		cmocka_unit_test(test_tree_calls),
		cmocka_unit_test(test_tree_calls_again),
		cmocka_unit_test(test_tree_inverted),
		cmocka_unit_test(test_tree_inverted_again),
		cmocka_unit_test(test_tree_callers_callees),
		cmocka_unit_test(test_tree_neighbours),
		cmocka_unit_test(test_query_locations),
		cmocka_unit_test(test_hits_store),
		cmocka_unit_test(test_hits_no_address),
		cmocka_unit_test(test_hits_settle),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_limits_thread_names),
		cmocka_unit_test(test_limits_threads),
		cmocka_unit_test(test_forget_threads_contract),
		cmocka_unit_test(test_forget_written_threads),
		cmocka_unit_test(test_forget_written_keeps_process),
		cmocka_unit_test(test_limits_scaled),
		cmocka_unit_test(test_diff_windows),
		cmocka_unit_test(test_diff_unchanged_by_self),
		cmocka_unit_test(test_diff_other_profile),
		cmocka_unit_test(test_diff_cached),
		cmocka_unit_test(test_diff_units),
		cmocka_unit_test(test_heatmap_rows),
		cmocka_unit_test(test_heatmap_span),
		cmocka_unit_test(test_heatmap_exact),
		cmocka_unit_test(test_tally_batches),
		cmocka_unit_test(test_heatstore),
		cmocka_unit_test(test_heatstore_full),
		cmocka_unit_test(test_heatstore_runs),
		cmocka_unit_test(test_heatstore_batch),
		cmocka_unit_test(test_heatstore_limits),
		cmocka_unit_test(test_decay),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
