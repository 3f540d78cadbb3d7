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

#include "internal.h"

void symbols_table_init(struct symbols_table *t)
{
	memset(t, 0, sizeof(*t));
}

void symbols_table_free(struct symbols_table *t)
{
	free(t->syms);
	free(t->names);
	memset(t, 0, sizeof(*t));
}

void symbols_table_reserve(struct symbols_table *t, size_t n)
{
	if (n > t->cap) {
		t->syms = xreallocarray(t->syms, n, sizeof(*t->syms));
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
		while (t->names_len + n > t->names_cap)
			t->names_cap = t->names_cap ? t->names_cap * 2 : 4096;
		t->names = xrealloc(t->names, t->names_cap);
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

void symbols_table_set_names(struct symbols_table *t, char *names, size_t len)
{
	free(t->names);
	t->names = names;
	t->names_len = t->names_cap = len;
}

static size_t leading_underscores(const char *s)
{
	size_t n = 0;

	while (s[n] == '_')
		n++;
	return n;
}

/* How aliases are told apart by name: the names they are shown by. */
struct ranking {
	const char *names; /* the table's name buffer */
	char *(*shown)(void *ctx, const char *name);
	void *ctx;
};

/* The name `sym` is shown by; *freeme is what to free after use. */
static const char *shown_name(const struct ranking *rk, const struct symbols_sym *sym,
			      char **freeme)
{
	const char *stored = rk->names + sym->name;

	*freeme = rk->shown ? rk->shown(rk->ctx, stored) : NULL;
	return *freeme ? *freeme : stored;
}

/*
 * Orders by address, then best alias first, as perf chooses among aliases
 * (so that names match perf's): sized, then higher prio (global, local,
 * weak), fewer leading underscores, the longer name (both as shown), and
 * at last the one added first (names are stored in the order they were
 * added).
 */
static int sym_cmp(const struct symbols_sym *a, const struct symbols_sym *b,
		   const struct ranking *rk)
{
	const char *na, *nb;
	char *fa, *fb;
	size_t ua, ub, la, lb;
	int r;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	if (a->sized != b->sized)
		return a->sized ? -1 : 1;
	if (a->prio != b->prio)
		return a->prio > b->prio ? -1 : 1;
	na = shown_name(rk, a, &fa);
	nb = shown_name(rk, b, &fb);
	ua = leading_underscores(na);
	ub = leading_underscores(nb);
	la = strlen(na);
	lb = strlen(nb);
	free(fa);
	free(fb);
	if (ua != ub)
		r = ua < ub ? -1 : 1;
	else if (la != lb)
		r = la > lb ? -1 : 1;
	else
		r = a->name < b->name ? -1 : a->name > b->name;
	return r;
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
	symbols_table_finish_shown(t, NULL, NULL);
}

void symbols_table_finish_shown(struct symbols_table *t,
				char *(*shown)(void *ctx, const char *name), void *ctx)
{
	const struct ranking rk = { t->names, shown, ctx };
	size_t i, j, out;

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
		size_t best = i;

		for (j = i + 1; j < t->len && t->syms[j].start == t->syms[i].start; j++)
			if (sym_cmp(&t->syms[j], &t->syms[best], &rk) < 0)
				best = j;
		t->syms[out++] = t->syms[best];
	}
	t->len = out;

	for (i = 0; i + 1 < t->len; i++) {
		struct symbols_sym *sym = &t->syms[i];

		if (!sym->sized && sym->end > t->syms[i + 1].start)
			sym->end = t->syms[i + 1].start;
		sym->sized = 1;
	}
	t->syms[t->len - 1].sized = 1;
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
