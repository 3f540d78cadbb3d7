/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Two small hash tables that interning is built on: u64map (nonzero 64-bit
 * key -> 32-bit value) and strtab (string -> dense id). Both use open
 * addressing with linear probing and grow at 50% load, so a lookup is a
 * couple of cache lines and never allocates.
 */
#include "config.h"

#include "flametop/util.h"

#include <stdlib.h>
#include <string.h>

void u64map_init(struct u64map *m)
{
	memset(m, 0, sizeof(*m));
}

void u64map_free(struct u64map *m)
{
	free(m->keys);
	free(m->values);
	memset(m, 0, sizeof(*m));
}

int u64map_get(const struct u64map *m, uint64_t key, uint32_t *value)
{
	size_t mask, i;

	if (!m->cap)
		return 0;
	mask = m->cap - 1;
	for (i = util_hash_u64(key) & mask; m->keys[i]; i = (i + 1) & mask) {
		if (m->keys[i] == key) {
			*value = m->values[i];
			return 1;
		}
	}
	return 0;
}

static void u64map_insert(uint64_t *keys, uint32_t *values, size_t cap, uint64_t key,
			  uint32_t value, size_t *len)
{
	size_t mask = cap - 1, i;

	for (i = util_hash_u64(key) & mask; keys[i]; i = (i + 1) & mask) {
		if (keys[i] == key) {
			values[i] = value;
			return;
		}
	}
	keys[i] = key;
	values[i] = value;
	(*len)++;
}

void u64map_put(struct u64map *m, uint64_t key, uint32_t value)
{
	if ((m->len + 1) * 2 > m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64, i, len = 0;
		uint64_t *keys = xcalloc(cap, sizeof(*keys));
		uint32_t *values = xcalloc(cap, sizeof(*values));

		for (i = 0; i < m->cap; i++)
			if (m->keys[i])
				u64map_insert(keys, values, cap, m->keys[i], m->values[i], &len);
		free(m->keys);
		free(m->values);
		m->keys = keys;
		m->values = values;
		m->cap = cap;
		m->len = len;
	}
	u64map_insert(m->keys, m->values, m->cap, key, value, &m->len);
}

/*
 * Linear probing without tombstones: the entries after the hole, up to
 * the next empty slot, move back into it unless their home slot lies
 * after the hole (cyclically), so every probe still finds its key.
 */
int u64map_del(struct u64map *m, uint64_t key)
{
	size_t mask, i, j, home;

	if (!m->cap)
		return 0;
	mask = m->cap - 1;
	for (i = util_hash_u64(key) & mask; m->keys[i] != key; i = (i + 1) & mask) {
		if (!m->keys[i])
			return 0;
	}
	for (j = (i + 1) & mask; m->keys[j]; j = (j + 1) & mask) {
		home = util_hash_u64(m->keys[j]) & mask;
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		m->keys[i] = m->keys[j];
		m->values[i] = m->values[j];
		i = j;
	}
	m->keys[i] = 0;
	m->len--;
	return 1;
}

void idmap_init(struct idmap *m)
{
	memset(m, 0, sizeof(*m));
}

void idmap_free(struct idmap *m)
{
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

static void idmap_place(uint32_t *slots, size_t cap, uint64_t hash, uint32_t id)
{
	size_t i;

	for (i = (size_t)hash & (cap - 1); slots[i]; i = (i + 1) & (cap - 1))
		;
	slots[i] = id + 1;
}

void idmap_add(struct idmap *m, uint64_t hash, uint32_t id,
	       uint64_t (*hash_of)(const void *ctx, uint32_t id), const void *ctx)
{
	/* At most half full: probe sequences stay short. */
	if ((m->len + 1) * 2 > m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64, i;
		uint32_t *slots = xcalloc(cap, sizeof(*slots));

		for (i = 0; i < m->cap; i++)
			if (m->slots[i])
				idmap_place(slots, cap, hash_of(ctx, m->slots[i] - 1),
					    m->slots[i] - 1);
		free(m->slots);
		m->slots = slots;
		m->cap = cap;
	}
	idmap_place(m->slots, m->cap, hash, id);
	m->len++;
}

void strtab_init(struct strtab *t)
{
	memset(t, 0, sizeof(*t));
}

void strtab_free(struct strtab *t)
{
	uint32_t i;

	for (i = 0; i < t->len; i++)
		free(t->strs[i]);
	free(t->strs);
	free(t->hashes);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

static void strtab_place(uint32_t *slots, size_t nslots, uint64_t hash, uint32_t id)
{
	size_t mask = nslots - 1, i;

	for (i = hash & mask; slots[i]; i = (i + 1) & mask)
		;
	slots[i] = id + 1;
}

static int strtab_lookup(const struct strtab *t, const char *s, uint64_t hash, uint32_t *id)
{
	size_t mask, i;

	if (!t->nslots)
		return 0;
	mask = t->nslots - 1;
	for (i = hash & mask; t->slots[i]; i = (i + 1) & mask) {
		uint32_t cand = t->slots[i] - 1;

		if (t->hashes[cand] == hash && strcmp(t->strs[cand], s) == 0) {
			*id = cand;
			return 1;
		}
	}
	return 0;
}

int strtab_find(const struct strtab *t, const char *s, uint32_t *id)
{
	return strtab_lookup(t, s, util_hash_bytes(s, strlen(s)), id);
}

uint32_t strtab_intern(struct strtab *t, const char *s)
{
	uint64_t hash = util_hash_bytes(s, strlen(s));
	uint32_t id;

	if (strtab_lookup(t, s, hash, &id))
		return id;
	if (t->len == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->strs = xreallocarray(t->strs, t->cap, sizeof(*t->strs));
		t->hashes = xreallocarray(t->hashes, t->cap, sizeof(*t->hashes));
	}
	if ((size_t)(t->len + 1) * 2 > t->nslots) {
		size_t nslots = t->nslots ? t->nslots * 2 : 128;
		uint32_t *slots = xcalloc(nslots, sizeof(*slots)), i;

		for (i = 0; i < t->len; i++)
			strtab_place(slots, nslots, t->hashes[i], i);
		free(t->slots);
		t->slots = slots;
		t->nslots = nslots;
	}
	id = t->len++;
	t->strs[id] = xstrdup(s);
	t->hashes[id] = hash;
	strtab_place(t->slots, t->nslots, hash, id);
	return id;
}

const char *strtab_get(const struct strtab *t, uint32_t id)
{
	return id < t->len ? t->strs[id] : NULL;
}
