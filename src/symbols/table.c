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

/*
 * Orders by address, then best alias first, as perf chooses among aliases
 * (so that names match perf's): sized, then higher prio (global, local,
 * weak), fewer leading underscores, the longer name, and at last the one
 * added first (names are stored in the order they were added). `names` is
 * the table's name buffer.
 */
static int sym_cmp(const struct symbols_sym *a, const struct symbols_sym *b,
		   const char *sort_names)
{
	const char *na, *nb;
	size_t ua, ub, la, lb;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	if (a->sized != b->sized)
		return a->sized ? -1 : 1;
	if (a->prio != b->prio)
		return a->prio > b->prio ? -1 : 1;
	na = sort_names + a->name;
	nb = sort_names + b->name;
	ua = leading_underscores(na);
	ub = leading_underscores(nb);
	if (ua != ub)
		return ua < ub ? -1 : 1;
	la = strlen(na);
	lb = strlen(nb);
	if (la != lb)
		return la > lb ? -1 : 1;
	return a->name < b->name ? -1 : a->name > b->name;
}

/* Orders by address alone, then by insertion (name offset), for qsort. */
static int start_cmp(const void *pa, const void *pb)
{
	const struct symbols_sym *a = pa, *b = pb;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return a->name < b->name ? -1 : a->name > b->name;
}

void symbols_table_finish(struct symbols_table *t)
{
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
		qsort(t->syms, t->len, sizeof(*t->syms), start_cmp);

	/* One symbol per address: the best alias of each run. */
	for (i = 0, out = 0; i < t->len; i = j) {
		size_t best = i;

		for (j = i + 1; j < t->len && t->syms[j].start == t->syms[i].start; j++)
			if (sym_cmp(&t->syms[j], &t->syms[best], t->names) < 0)
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
