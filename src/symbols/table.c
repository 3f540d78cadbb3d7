/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A sorted table of symbols, searched by address. Both ELF images and the
 * kernel's kallsyms end up in one of these: built once when a module is
 * first needed, then only searched (binary search), never changed. Names
 * are copied into one growing buffer so that a table with a hundred
 * thousand symbols costs a few allocations, not a hundred thousand.
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

void symbols_table_add(struct symbols_table *t, uint64_t start, uint64_t size, uint64_t max_end,
		       const char *name, uint16_t module, uint8_t prio)
{
	size_t n = strlen(name) + 1;
	struct symbols_sym *sym;

	/* Offsets are 32-bit; a table that large is garbage, not symbols. */
	if (t->names_len + n > UINT32_MAX)
		return;
	if (t->len == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->syms = xreallocarray(t->syms, t->cap, sizeof(*t->syms));
	}
	if (t->names_len + n > t->names_cap) {
		while (t->names_len + n > t->names_cap)
			t->names_cap = t->names_cap ? t->names_cap * 2 : 4096;
		t->names = xrealloc(t->names, t->names_cap);
	}
	memcpy(t->names + t->names_len, name, n);

	sym = &t->syms[t->len++];
	sym->start = start;
	sym->sized = size != 0 && start + size > start;
	sym->end = sym->sized ? start + size : max_end;
	if (sym->end <= start)
		sym->end = start + 1;
	sym->name = (uint32_t)t->names_len;
	sym->module = module;
	sym->prio = prio;
	t->names_len += n;
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
static int sym_cmp(const void *pa, const void *pb, void *names)
{
	const struct symbols_sym *a = pa, *b = pb;
	const char *sort_names = names;
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

void symbols_table_finish(struct symbols_table *t)
{
	size_t i, out;

	if (t->len == 0)
		return;
	qsort_r(t->syms, t->len, sizeof(*t->syms), sym_cmp, t->names);

	/* One symbol per address: the first of each run is the best alias. */
	for (i = 1, out = 1; i < t->len; i++) {
		if (t->syms[i].start != t->syms[out - 1].start)
			t->syms[out++] = t->syms[i];
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
