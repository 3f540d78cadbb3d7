/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A sorted table of symbols, searched by address. Both ELF images and the
 * kernel's kallsyms end up in one of these: built once when a module is
 * first needed, then only searched (binary search), never changed. Names
 * live in one buffer (copied into it as symbols are added, or handed over
 * whole by a builder that has them in one buffer already) so that a table
 * with a hundred thousand symbols costs a few allocations, not a hundred
 * thousand. Sorting compares addresses only; aliases are ranked within
 * each run of one address.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"

void symbols_table_init(struct symbols_table *t)
{
	memset(t, 0, sizeof(*t));
}

void symbols_table_free(struct symbols_table *t)
{
	if (t->map) {
		munmap(t->map, t->map_len);
	} else {
		xbig_free(t->syms, t->cap, sizeof(*t->syms));
		xbig_free(t->names, t->names_cap, 1);
	}
	free(t->aliases);
	u64map_free(&t->pending);
	memset(t, 0, sizeof(*t));
}

void symbols_table_reserve(struct symbols_table *t, size_t n)
{
	if (n > t->cap) {
		t->syms = xbig_reallocarray(t->syms, t->cap, n, sizeof(*t->syms));
		t->cap = n;
	}
}

/* Appends a symbol whose name is at offset `name` of t->names. */
static void table_push(struct symbols_table *t, uint64_t start, uint64_t size, uint64_t max_end,
		       uint32_t name, uint16_t module, uint8_t prio)
{
	struct symbols_sym *sym;

	if (t->len == t->cap)
		symbols_table_reserve(t, t->cap ? t->cap * 2 : 256);
	sym = &t->syms[t->len++];
	sym->start = start;
	sym->sized = size != 0 && start + size > start;
	sym->end = sym->sized ? start + size : max_end;
	if (sym->end <= start)
		sym->end = start + 1;
	sym->name = name;
	sym->module = module;
	sym->prio = prio;
}

void symbols_table_add(struct symbols_table *t, uint64_t start, uint64_t size, uint64_t max_end,
		       const char *name, uint16_t module, uint8_t prio)
{
	size_t n = strlen(name) + 1;

	/* Offsets are 32-bit; a table that large is garbage, not symbols. */
	if (t->names_len + n > UINT32_MAX)
		return;
	if (t->names_len + n > t->names_cap) {
		size_t cap = t->names_cap;

		while (t->names_len + n > cap)
			cap = cap ? cap * 2 : 4096;
		t->names = xbig_reallocarray(t->names, t->names_cap, cap, 1);
		t->names_cap = cap;
	}
	memcpy(t->names + t->names_len, name, n);
	table_push(t, start, size, max_end, (uint32_t)t->names_len, module, prio);
	t->names_len += n;
}

void symbols_table_add_ref(struct symbols_table *t, uint64_t start, uint64_t size,
			   uint64_t max_end, size_t name, uint16_t module, uint8_t prio)
{
	if (name > UINT32_MAX)
		return;
	table_push(t, start, size, max_end, (uint32_t)name, module, prio);
}

void symbols_table_set_names(struct symbols_table *t, char *names, size_t len, size_t cap)
{
	xbig_free(t->names, t->names_cap, 1);
	t->names = names;
	t->names_len = len;
	t->names_cap = cap;
}

void symbols_table_adopt(struct symbols_table *t, const struct symbols_sym *syms, size_t n,
			 const char *names, size_t names_len, void *map, size_t map_len)
{
	symbols_table_free(t);
	/* Never written: a lookup only reads, and the mapping is read-only. */
	t->syms = (struct symbols_sym *)syms;
	t->len = t->cap = n;
	t->names = (char *)names;
	t->names_len = t->names_cap = names_len;
	t->map = map;
	t->map_len = map_len;
}

static size_t leading_underscores(const char *s)
{
	size_t n = 0;

	while (s[n] == '_')
		n++;
	return n;
}

/* Orders two aliases of one address by all but their names: sized, then higher prio. */
static int key_cmp(const struct symbols_sym *a, const struct symbols_sym *b)
{
	if (a->sized != b->sized)
		return a->sized ? -1 : 1;
	if (a->prio != b->prio)
		return a->prio > b->prio ? -1 : 1;
	return 0;
}

/*
 * Orders two aliases that tie on key_cmp() by name, as perf does: fewer
 * leading underscores, then the longer name, both as shown (`sh` NULL: as
 * stored). 0 on a tie: the one added first wins, which is the one first in
 * the run (the sort keeps the order of adding).
 */
static int name_cmp(const char *names, const struct symbols_sym *a, const struct symbols_sym *b,
		    const struct symbols_shown *sh)
{
	const char *na = names + a->name, *nb = names + b->name;
	char *fa = sh ? sh->get(sh->ctx, na) : NULL, *fb = sh ? sh->get(sh->ctx, nb) : NULL;
	size_t ua, ub, la, lb;

	if (fa)
		na = fa;
	if (fb)
		nb = fb;
	ua = leading_underscores(na);
	ub = leading_underscores(nb);
	la = strlen(na);
	lb = strlen(nb);
	free(fa);
	free(fb);
	if (ua != ub)
		return ua < ub ? -1 : 1;
	if (la != lb)
		return la > lb ? -1 : 1;
	return 0;
}

/*
 * Sorts syms[0, n) by start address, keeping the order in which they were
 * added among equal addresses (names are stored in that order: this is the
 * order of (start, name offset)). A stable LSD radix sort, one byte of the
 * address a pass, skipping the bytes every address shares (the high ones,
 * mostly): a few linear passes where a comparison sort of a large .symtab
 * made millions of calls through a function pointer.
 */
static void sort_by_start(struct symbols_sym *syms, size_t n)
{
	size_t (*counts)[256] = xcalloc(8, sizeof(*counts));
	struct symbols_sym *tmp = xreallocarray(NULL, n, sizeof(*tmp));
	struct symbols_sym *src = syms, *dst = tmp, *swap;
	size_t i;
	unsigned d;

	for (i = 0; i < n; i++)
		for (d = 0; d < 8; d++)
			counts[d][syms[i].start >> (8 * d) & 0xff]++;
	for (d = 0; d < 8; d++) {
		size_t *c = counts[d], sum = 0, k;
		unsigned b;

		if (c[src[0].start >> (8 * d) & 0xff] == n)
			continue; /* one value of this byte: nothing to reorder */
		for (b = 0; b < 256; b++) {
			k = c[b];
			c[b] = sum;
			sum += k;
		}
		for (i = 0; i < n; i++)
			dst[c[src[i].start >> (8 * d) & 0xff]++] = src[i];
		swap = src;
		src = dst;
		dst = swap;
	}
	if (src != syms)
		memcpy(syms, src, n * sizeof(*syms));
	free(tmp);
	free(counts);
}

void symbols_table_finish(struct symbols_table *t)
{
	symbols_table_finish_shown(t, NULL);
}

/* Gives an unsized symbol its end: the start of the next symbol, if sooner. */
static void cut_end(struct symbols_sym *sym, const struct symbols_sym *next)
{
	if (!sym->sized && next && sym->end > next->start)
		sym->end = next->start;
	sym->sized = 1;
}

void symbols_table_finish_shown(struct symbols_table *t, const struct symbols_shown *sh)
{
	size_t i, j, k, out, *deferred = NULL, ndeferred = 0;

	if (sh)
		t->shown = *sh;
	if (t->len == 0)
		return;
	/*
	 * Sort by address alone (kallsyms comes sorted already: then this is
	 * one pass), and compare aliases only within each run of one address.
	 */
	for (i = 1; i < t->len && t->syms[i - 1].start <= t->syms[i].start; i++)
		;
	if (i < t->len)
		sort_by_start(t->syms, t->len);

	/* One symbol per address: the best alias of each run. */
	for (i = 0, out = 0; i < t->len; i = j) {
		size_t best = i, tied = 0;
		bool differs = false;

		for (j = i + 1; j < t->len && t->syms[j].start == t->syms[i].start; j++)
			if (key_cmp(&t->syms[j], &t->syms[best]) < 0)
				best = j;
		for (k = best; k < j; k++) {
			if (key_cmp(&t->syms[k], &t->syms[best]) != 0)
				continue;
			tied++;
			if (sh && sh->differs(sh->ctx, t->names + t->syms[k].name))
				differs = true;
		}
		if (tied > 1 && differs) {
			/* Keep the candidates (in their order) for symbols_table_settle(). */
			if (t->aliases_len + tied > t->aliases_cap) {
				while (t->aliases_len + tied > t->aliases_cap)
					t->aliases_cap = t->aliases_cap ? t->aliases_cap * 2 : 64;
				t->aliases = xreallocarray(t->aliases, t->aliases_cap,
							   sizeof(*t->aliases));
			}
			if (ndeferred % 64 == 0)
				deferred = xreallocarray(deferred, ndeferred + 64, sizeof(*deferred));
			deferred[ndeferred++] = out;
			u64map_put(&t->pending, (uint64_t)out + 1, (uint32_t)t->aliases_len);
			for (k = best; k < j; k++)
				if (key_cmp(&t->syms[k], &t->syms[best]) == 0)
					t->aliases[t->aliases_len++] = t->syms[k];
		} else if (tied > 1) {
			for (k = best + 1; k < j; k++)
				if (key_cmp(&t->syms[k], &t->syms[best]) == 0 &&
				    name_cmp(t->names, &t->syms[k], &t->syms[best], NULL) < 0)
					best = k;
		}
		t->syms[out++] = t->syms[best];
	}
	t->len = out;

	for (i = 0; i < t->len; i++)
		cut_end(&t->syms[i], i + 1 < t->len ? &t->syms[i + 1] : NULL);
	/* An undecided run's candidates end as they would have, kept; the stand-in covers them all. */
	for (i = 0; i < ndeferred; i++) {
		size_t at = deferred[i];
		uint32_t a;
		struct symbols_sym *stand = &t->syms[at];

		u64map_get(&t->pending, (uint64_t)at + 1, &a);
		for (k = a; k < t->aliases_len && t->aliases[k].start == stand->start; k++) {
			cut_end(&t->aliases[k], at + 1 < t->len ? &t->syms[at + 1] : NULL);
			if (t->aliases[k].end > stand->end)
				stand->end = t->aliases[k].end;
		}
	}
	free(deferred);
}

const struct symbols_sym *symbols_table_settle(struct symbols_table *t,
					       const struct symbols_sym *sym)
{
	size_t at = (size_t)(sym - t->syms), k, best;
	uint32_t a;

	if (!t->pending.len || !u64map_get(&t->pending, (uint64_t)at + 1, &a) ||
	    a == SYMBOLS_SETTLED)
		return sym;
	best = a;
	for (k = a + 1; k < t->aliases_len && t->aliases[k].start == sym->start; k++)
		if (name_cmp(t->names, &t->aliases[k], &t->aliases[best], &t->shown) < 0)
			best = k;
	t->syms[at] = t->aliases[best];
	u64map_put(&t->pending, (uint64_t)at + 1, SYMBOLS_SETTLED);
	return &t->syms[at];
}

const struct symbols_sym *symbols_table_lookup(const struct symbols_table *t, uint64_t addr)
{
	size_t lo = 0, hi = t->len;
	const struct symbols_sym *sym;

	/* The last symbol starting at or below addr. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->syms[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	sym = &t->syms[lo - 1];
	return addr < sym->end ? sym : NULL;
}

const char *symbols_table_name(const struct symbols_table *t, const struct symbols_sym *sym)
{
	return t->names + sym->name;
}
