/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the session writer and reader agree on and nobody else needs: the
 * magic, the chunk types, the size limits, and little-endian byte order
 * for the binary file and chunk headers. doc/session-format.md is the
 * specification; this header is its C transcription.
 */
#ifndef FLAMETOP_SESSION_FORMAT_H
#define FLAMETOP_SESSION_FORMAT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flametop/util.h"

#define SESSION_MAGIC "FLAMETOP"
#define SESSION_MAGIC_LEN 8
#define SESSION_FILE_HEADER_LEN 16
#define SESSION_CHUNK_HEADER_LEN 16
#define SESSION_FORMAT_NAME "flametop-session"

enum session_chunk_type {
	SESSION_CHUNK_INVALID = 0, /* never written: a zeroed tail is not a chunk */
	SESSION_CHUNK_HEADER = 1,
	SESSION_CHUNK_DATA = 2,
	SESSION_CHUNK_END = 3,
	SESSION_CHUNK_SAMPLES = 4, /* since 1.5: a binary block of sample columns */
	SESSION_CHUNK_TABLES = 5, /* since 1.6: nodes, locations and chains, binary */
	SESSION_CHUNK_CHAINS = 6, /* since 1.12: chains, coded by the call tree's nodes */
	SESSION_CHUNK_LAST = SESSION_CHUNK_CHAINS,
};

/*
 * The columns of a samples chunk (1.5), by id. A block lists its columns
 * in increasing id order; the first six are required (a time as column 1
 * or 10: a column 1 beside column 10, which flametop's first 1.9 writer
 * kept for older readers, is skipped; a node as column 3 or 11, not
 * both), location and
 * chain optional (a block has at most one of the two chain columns and
 * one of the two location columns, 7 and 12), and
 * ids above SESSION_COL_LAST are a later minor version's (skipped). A
 * block has at most one node column: 3, 11 or 13.
 */
enum session_column {
	SESSION_COL_TIME = 1, /* zigzag delta from the previous sample of the file */
	SESSION_COL_WEIGHT = 2,
	SESSION_COL_NODE = 3,
	SESSION_COL_THREAD = 4, /* index into the block's thread table */
	SESSION_COL_CPU = 5,
	SESSION_COL_EVENT = 6,
	SESSION_COL_LOCATION = 7,
	SESSION_COL_CHAIN = 8, /* the chain's id (1.5, 1.6) */
	SESSION_COL_CHAIN_RECENT = 9, /* since 1.7: coded by the node's recent chains, below */
	SESSION_COL_TIME_US = 10, /* since 1.9: microseconds, by the CPU's sample before, below */
	SESSION_COL_NODE_NEW = 11, /* since 1.9: the node, coded by the nodes named before, below */
	SESSION_COL_LOCATION_BY_CHAIN = 12, /* since 1.10: 0 the chain's own, else location + 1 */
	SESSION_COL_NODE_LEAF = 13, /* since 1.11: the node, coded by the leaves named before, below */
	SESSION_COL_LAST = SESSION_COL_NODE_LEAF,
};
/* How a column's values are stored (1.5). */
enum session_encoding {
	SESSION_ENC_VARINT = 0, /* n LEB128 varints */
	SESSION_ENC_PLANES = 1, /* a width w (1..8), then w planes of n bytes */
	SESSION_ENC_CONSTANT = 2, /* one varint, every sample's value */
};
/* Bytes of an LEB128 varint of 64 bits, at most. */
#define SESSION_VARINT_MAX 10
/* The zlib level of the parts of a samples block that are not stored
 * (but for the columns writer.c's column_zlib puts at the next level):
 * level 1 is several times faster than the default and, on the node
 * column, as small within 1%. */
#define SESSION_SAMPLES_ZLIB_LEVEL 1
/* The zlib level of a samples block's columns of small values that
 * writer.c's column_zlib deflates at Z_FILTERED (times, threads, CPUs):
 * level 6 saves 0.01 bytes a sample more for a fifth more write time. */
#define SESSION_COLUMNS_ZLIB_LEVEL 4
/* The zlib level of JSON payloads (strings, frames, header, end): on a
 * system-wide recording's names, level 5 takes some 5% fewer bytes than
 * level 4 for a fifth more time; the default (6) takes 0.5% fewer still,
 * for 1.7 times level 4's. */
#define SESSION_JSON_ZLIB_LEVEL 5
/* The zlib level of tables blocks' columns (at Z_FILTERED, each its own
 * part: writer.c's encode_tables): level 4 deflates a recording's tables
 * a little over twice as fast as the default (6); at Z_FILTERED and per
 * column the default saves under 0.5% more of them. */
#define SESSION_TABLES_ZLIB_LEVEL 4
/* The zlib level of chains blocks' columns (writer.c's encode_chains):
 * their blocks are small (a byte a chain or less), and level 6 takes 6 %
 * fewer bytes of them than level 4. */
#define SESSION_CHAINS_ZLIB_LEVEL 6

/* No chunk's payload, compressed or not, may exceed this. */
#define SESSION_CHUNK_MAX_BYTES (256u << 20)
/* zlib's deflate never expands better than about 1032:1. */
#define SESSION_MAX_RATIO 1032u
/* Per-file ceilings on ids, so a small hostile file cannot make the
 * reader's id maps huge. */
#define SESSION_MAX_IDS (UINT32_C(1) << 26)
/* Per-chunk ceiling on samples; the writer stays far below it. */
#define SESSION_CHUNK_MAX_SAMPLES (UINT32_C(1) << 22)
#define SESSION_MAX_EVENTS 65535u
/* Chunks in one file: 48 days at one a second. */
#define SESSION_MAX_CHUNKS (1u << 22)

/*
 * What reading a file may cost, as a base plus a multiple of the bytes
 * read so far (pos), so that a big real session loads while a small
 * hostile one is refused early. Real sessions inflate 3:1 to 11:1, hold
 * about 2 JSON values per byte of file, and take about 4 bytes of memory
 * per byte (a sample is 40 bytes in memory and 4 to 14 in the file); a
 * very regular one may do several times that. An attacker's deflate does
 * 1032:1, a 2-byte JSON value costs 60 in a parser's tree, and jansson
 * parses some ten million values a second.
 *
 * Inflated JSON, summed over the chunks: at most BASE + RATIO * pos bytes.
 */
#define SESSION_READ_INFLATE_BASE (UINT64_C(32) << 20)
#define SESSION_READ_INFLATE_RATIO 32u
/*
 * JSON values parsed, summed over the chunks (counted before a chunk is
 * parsed): at most BASE + RATIO * pos. This bounds the time a file takes:
 * a hostile file of 1 MB is refused within about a second. A real
 * session of several hundred thousand perfectly periodic samples (the
 * same delta, weight, stack and thread each time: only a synthetic one)
 * can compress past it too.
 */
#define SESSION_READ_VALUES_BASE (UINT64_C(1) << 21)
#define SESSION_READ_VALUES_RATIO 8u
/*
 * The reader's memory (the profile so far, a chunk's text and its JSON
 * tree, estimated before parsing): at most BASE + RATIO * pos bytes. A
 * hostile file of S bytes is refused before it takes 192 MiB + 32 S.
 */
#define SESSION_READ_MEMORY_BASE (UINT64_C(192) << 20)
#define SESSION_READ_MEMORY_RATIO 32u
/*
 * Samples decoded, summed over the samples chunks (counted before a
 * chunk is decoded): at most BASE + RATIO * pos. A reader that drops
 * samples as it goes (a replay, report) holds little memory, so the
 * memory budget no longer bounds them: a samples chunk of constant
 * columns declares up to a million samples in some 40 bytes. This bounds
 * the time a file takes, as the values budget does for JSON: a hostile
 * file of 1 MB decodes at most 8 million samples (about a second). Real
 * sessions take 1 to 14 bytes a sample.
 */
#define SESSION_READ_SAMPLES_BASE (UINT64_C(1) << 22)
#define SESSION_READ_SAMPLES_RATIO 4u

/*
 * Column 9 (1.7): a sample's chain, coded by the chains of the samples of
 * its node before it in the file. Each node has a list of the
 * SESSION_RECENT_CHAINS chains it had last, at first all 0 (the empty
 * chain). A value v below SESSION_RECENT_CHAINS is the list's entry v;
 * any other value is the chain m + 1 + unzigzag(v - SESSION_RECENT_CHAINS),
 * m the largest chain of the samples before (0 at first): a chain not
 * seen with the node is most often one just made. Either way the chain
 * then moves to the front of its node's list (session_recent_use). Only
 * column 9's samples count, from block to block in file order. A sample
 * of a busy system takes about 0.4 bytes here where column 8 took 2.
 */
#define SESSION_RECENT_CHAINS 4u

/* Moves `chain`, the node list `list`'s entry `at` (or a new one, at the
 * last entry, which it drops), to the list's front. */
static inline void session_recent_use(uint32_t *list, unsigned at, uint32_t chain)
{
	for (; at > 0; at--)
		list[at] = list[at - 1];
	list[0] = chain;
}

/*
 * Every node's list, kept by the writer and the reader. Most nodes of a
 * call tree are never a sample's leaf, so a node's list is made when a
 * sample first names it: 4 bytes a node and 16 a leaf, not 16 a node (a
 * day of 119,190 nodes and 10,000 leaves: 0.6 MB, not 1.9).
 */
struct session_recent {
	uint32_t *at; /* per node: the index of its list + 1; 0: none yet */
	size_t nnodes; /* nodes `at` has room for */
	uint32_t *lists; /* SESSION_RECENT_CHAINS chains each */
	size_t nlists, lists_cap;
};

/* Room for the nodes below `n`, their lists still all 0. */
static inline void session_recent_nodes(struct session_recent *r, size_t n)
{
	if (n <= r->nnodes)
		return;
	r->at = xreallocarray(r->at, n, sizeof(*r->at));
	memset(r->at + r->nnodes, 0, (n - r->nnodes) * sizeof(*r->at));
	r->nnodes = n;
}

/* The list of `node` (below r->nnodes), made all 0 at its first use;
 * valid until a list is made for another node. */
static inline uint32_t *session_recent_list(struct session_recent *r, uint32_t node)
{
	uint32_t *list;

	if (r->at[node])
		return r->lists + (size_t)(r->at[node] - 1) * SESSION_RECENT_CHAINS;
	if (r->nlists == r->lists_cap) {
		r->lists_cap = r->lists_cap ? r->lists_cap * 2 : 64;
		r->lists = xreallocarray(r->lists, r->lists_cap,
					 SESSION_RECENT_CHAINS * sizeof(*r->lists));
	}
	list = r->lists + r->nlists * SESSION_RECENT_CHAINS;
	memset(list, 0, SESSION_RECENT_CHAINS * sizeof(*list));
	r->at[node] = (uint32_t)++r->nlists;
	return list;
}

/* Heap bytes it holds. */
static inline size_t session_recent_memory(const struct session_recent *r)
{
	return r->nnodes * sizeof(*r->at) + r->lists_cap * SESSION_RECENT_CHAINS * sizeof(*r->lists);
}

static inline void session_recent_free(struct session_recent *r)
{
	free(r->at);
	free(r->lists);
	memset(r, 0, sizeof(*r));
}

/*
 * A chains chunk's codes (1.12, doc/session-format.md "Chains chunk"):
 * each chain names its node first, as the node `cur` (the path goes on,
 * code 0), the parent of node `cur` + v - 1 (a path branching off, codes
 * 1 to SESSION_CHAINS_SKIP_MAX), or outright; then its parent among its
 * node's parent's list and its location among its node's frame's list
 * (SESSION_RECENT_CHAINS entries each, as column 9's lists), else
 * outright. The state carries on from block to block; the writer and the
 * reader keep the same.
 */
#define SESSION_CHAINS_SKIP_MAX 8u

/*
 * The chains chunks' lists of SESSION_RECENT_CHAINS ids (chains, locations)
 * by key (a node, a frame), at first all 0, as column 9's lists are. Most
 * nodes of a call tree have one chain, so a list that is one id and zeros
 * takes only its key's slot: `at` holds the id with SESSION_LIST_ONE set.
 * Any other list is made in `lists` when it first is one. (A day of
 * 119,190 nodes and 139,186 chains: 0.8 MB of lists, not 2.6.)
 */
#define SESSION_LIST_ONE (UINT32_C(1) << 31)
struct session_lists {
	uint32_t *at; /* per key: 0 all 0, id | SESSION_LIST_ONE, or a list's index + 1 */
	size_t nkeys; /* keys `at` has room for */
	uint32_t *lists; /* SESSION_RECENT_CHAINS ids each */
	size_t nlists, lists_cap;
};

/* Room for the keys below `n`, their lists all 0. */
static inline void session_lists_keys(struct session_lists *l, size_t n)
{
	if (n <= l->nkeys)
		return;
	l->at = xreallocarray(l->at, n, sizeof(*l->at));
	memset(l->at + l->nkeys, 0, (n - l->nkeys) * sizeof(*l->at));
	l->nkeys = n;
}

/* The list of `key` (below l->nkeys), copied to out[]. */
static inline void session_lists_get(const struct session_lists *l, uint32_t key,
				     uint32_t out[SESSION_RECENT_CHAINS])
{
	uint32_t a = l->at[key];

	memset(out, 0, SESSION_RECENT_CHAINS * sizeof(*out));
	if (a & SESSION_LIST_ONE)
		out[0] = a & ~SESSION_LIST_ONE;
	else if (a)
		memcpy(out, l->lists + (size_t)(a - 1) * SESSION_RECENT_CHAINS,
		       SESSION_RECENT_CHAINS * sizeof(*out));
}

/* session_recent_use() on the list of `key`: entry `at` (or a new one) to its front as `id`. */
static inline void session_lists_use(struct session_lists *l, uint32_t key, unsigned at,
				     uint32_t id)
{
	uint32_t list[SESSION_RECENT_CHAINS], a = l->at[key];
	unsigned k;
	bool one = true;

	session_lists_get(l, key, list);
	session_recent_use(list, at, id);
	for (k = 1; k < SESSION_RECENT_CHAINS; k++)
		one = one && list[k] == 0;
	if (a == 0 || (a & SESSION_LIST_ONE)) {
		if (one && list[0] < SESSION_LIST_ONE) {
			l->at[key] = list[0] ? list[0] | SESSION_LIST_ONE : 0;
			return;
		}
		if (l->nlists == l->lists_cap) {
			l->lists_cap = l->lists_cap ? l->lists_cap * 2 : 64;
			l->lists = xreallocarray(l->lists, l->lists_cap,
						 SESSION_RECENT_CHAINS * sizeof(*l->lists));
		}
		a = l->at[key] = (uint32_t)++l->nlists;
	}
	memcpy(l->lists + (size_t)(a - 1) * SESSION_RECENT_CHAINS, list, sizeof(list));
}

static inline size_t session_lists_memory(const struct session_lists *l)
{
	return l->nkeys * sizeof(*l->at) + l->lists_cap * SESSION_RECENT_CHAINS * sizeof(*l->lists);
}

static inline void session_lists_free(struct session_lists *l)
{
	free(l->at);
	free(l->lists);
	memset(l, 0, sizeof(*l));
}

struct session_chains_state {
	uint32_t cur; /* at first 1 */
	struct session_lists by_node; /* each node's chains */
	struct session_lists by_frame; /* each frame's locations */
};

static inline void session_chains_init(struct session_chains_state *s)
{
	memset(s, 0, sizeof(*s));
	s->cur = 1;
}

static inline size_t session_chains_memory(const struct session_chains_state *s)
{
	return session_lists_memory(&s->by_node) + session_lists_memory(&s->by_frame);
}

static inline void session_chains_free(struct session_chains_state *s)
{
	session_lists_free(&s->by_node);
	session_lists_free(&s->by_frame);
	session_chains_init(s);
}

/*
 * Column 10 (1.9): sample times kept to the microsecond (a cpu-clock
 * sample's time is the timer's, give or take some 10 us of interrupt
 * latency: its nanoseconds are noise, and cost 1.4 bytes a sample), each
 * predicted from the sample before it of its CPU in the same block: that
 * sample's time plus, for an event whose unit is "ns" (a clock: its
 * weight is the time its period took), the sample's weight in whole
 * microseconds. The first sample of a CPU in a block is predicted by the
 * sample before it in the file (its time in whole microseconds; 0 at
 * first). The value is the zigzag difference of the sample's time (in
 * whole microseconds, rounded down) from its prediction: on a busy system
 * mostly a few microseconds of jitter, 0.75 bytes a sample where column 1
 * took 2.15. Writer and reader both keep, per CPU, the time of its last
 * sample and the block that set it: for the CPUs seen so far, not for
 * every CPU number a sample could name (0.8 MB).
 */
struct session_times {
	uint64_t *last; /* per CPU: its last sample's time, us */
	uint32_t *block; /* the block that set it; 0: none */
	uint32_t ncpus; /* CPUs below this have room in `last` and `block` */
	uint32_t blocks; /* blocks begun, the current one's number */
};

/* The most the arrays take: every CPU number a sample can name. */
#define SESSION_TIMES_MAX_BYTES ((UINT16_MAX + 1) * (sizeof(uint64_t) + sizeof(uint32_t)))

/* A new block: no CPU has a sample in it yet. */
static inline void session_times_begin(struct session_times *t)
{
	t->blocks++;
}

/* The prediction of a sample of `cpu` with weight `weight_us` (0 unless
 * its event's unit is "ns") in the current block, when the sample before
 * it in the file was at `prev_us`: below 2^55 when the times and weights
 * are below 2^63 ns. */
static inline uint64_t session_times_predict(const struct session_times *t, uint16_t cpu,
					     uint64_t weight_us, uint64_t prev_us)
{
	if (cpu >= t->ncpus || t->block[cpu] != t->blocks)
		return prev_us;
	return t->last[cpu] + weight_us;
}

/* A sample of `cpu` at `us` in the current block. */
static inline void session_times_seen(struct session_times *t, uint16_t cpu, uint64_t us)
{
	if (cpu >= t->ncpus) {
		uint32_t n = t->ncpus ? t->ncpus : 64;

		while (n <= cpu)
			n *= 2;
		t->last = xreallocarray(t->last, n, sizeof(*t->last));
		t->block = xreallocarray(t->block, n, sizeof(*t->block));
		memset(t->last + t->ncpus, 0, (n - t->ncpus) * sizeof(*t->last));
		memset(t->block + t->ncpus, 0, (n - t->ncpus) * sizeof(*t->block));
		t->ncpus = n;
	}
	t->last[cpu] = us;
	t->block[cpu] = t->blocks;
}

/* The bytes `t` holds. */
static inline size_t session_times_memory(const struct session_times *t)
{
	return sizeof(*t) + (size_t)t->ncpus * (sizeof(*t->last) + sizeof(*t->block));
}

/* Frees `t` (NULL: nothing). */
static inline void session_times_free(struct session_times *t)
{
	if (!t)
		return;
	free(t->last);
	free(t->block);
	free(t);
}

/*
 * Column 11 (1.9, 1.10; read, no longer written): each sample's leaf node,
 * coded by `next`, one past the largest node named by a sample of the
 * file before it (0 at first): a node from `next` on (a new leaf; on many
 * distinct stacks about half the samples) is 2 * (node - next), a few
 * bits where column 3 spells its whole id; a node below `next` is
 * 2 * node + 1. Then `next` moves past a new node. On 4096 distinct
 * stacks 1.03 bytes a sample, where column 3 took 1.37. The reader keeps
 * `next` from block to block (reader.c).
 */

/*
 * Column 13 (1.11): each sample's leaf node, coded by the leaves that
 * samples of the file named before it. Writer and reader keep the list
 * of those leaves, in the order they were first named, and `next`, one
 * past the largest of them (0 at first). A value v is:
 *  - even: node next + v / 2, a node past every one named (a new leaf,
 *    most often one just made: a few bits, as column 11's);
 *  - odd, k = (v - 1) / 2 below the list's length: the list's entry k;
 *  - odd, k from the length on: node k - length, one below `next` that
 *    no sample named yet (a node that was a caller before it was a leaf).
 * A node named for the first time joins the list's end, and `next` moves
 * past it. A leaf named before costs the bits of its place among the
 * leaves, where column 11 spells its node id among all the nodes (most
 * of them callers, never a leaf): on 4096 distinct stacks 0.15 bytes a
 * sample fewer. Only column 13's samples change the list, from block to
 * block in file order.
 */
struct session_leaves {
	uint32_t *named; /* per node: its index in `list` + 1; 0: not named yet */
	size_t nnodes; /* nodes `named` has room for */
	uint32_t *list; /* the nodes named, in the order first named */
	size_t len, cap;
	uint32_t next; /* one past the largest node in `list` */
};

/* Room for the nodes below `n`, none of them named. */
static inline void session_leaves_nodes(struct session_leaves *l, size_t n)
{
	if (n <= l->nnodes)
		return;
	l->named = xreallocarray(l->named, n, sizeof(*l->named));
	memset(l->named + l->nnodes, 0, (n - l->nnodes) * sizeof(*l->named));
	l->nnodes = n;
}

/* Names `node` (below l->nnodes, not named yet) for the first time. */
static inline void session_leaves_add(struct session_leaves *l, uint32_t node)
{
	if (l->len == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		l->list = xreallocarray(l->list, l->cap, sizeof(*l->list));
	}
	l->list[l->len++] = node;
	l->named[node] = (uint32_t)l->len; /* below 2^26 + 1 nodes: no overflow */
	if (node >= l->next)
		l->next = node + 1;
}

/* The code of `node` (below l->nnodes), which it names (the writer's). */
static inline uint64_t session_leaf_code(struct session_leaves *l, uint32_t node)
{
	uint64_t c;

	if (l->named[node])
		return 2 * (uint64_t)(l->named[node] - 1) + 1;
	if (node >= l->next)
		c = 2 * (uint64_t)(node - l->next);
	else
		c = 2 * ((uint64_t)l->len + node) + 1;
	session_leaves_add(l, node);
	return c;
}

/* Forgets the leaves named after the first `len` (and sets `next` back). */
static inline void session_leaves_truncate(struct session_leaves *l, size_t len, uint32_t next)
{
	while (l->len > len)
		l->named[l->list[--l->len]] = 0;
	l->next = next;
}

/* Heap bytes it holds. */
static inline size_t session_leaves_memory(const struct session_leaves *l)
{
	return (l->nnodes + l->cap) * sizeof(uint32_t);
}

static inline void session_leaves_free(struct session_leaves *l)
{
	free(l->named);
	free(l->list);
	memset(l, 0, sizeof(*l));
}

/* Whether the weights of events of unit `unit` are times in ns. */
static inline bool session_times_unit_ns(const char *unit)
{
	return unit && strcmp(unit, "ns") == 0;
}

/* Appends `v` as an LEB128 varint at `p`; returns the bytes written. */
static inline unsigned session_put_varint(unsigned char *p, uint64_t v)
{
	unsigned n = 0;

	while (v >= 0x80) {
		p[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (unsigned char)v;
	return n;
}

/*
 * Appends the `n` values at `v` as LEB128 varints at `p` (room for
 * n * SESSION_VARINT_MAX bytes); returns the bytes written: the same as
 * session_put_varint() of each in turn, the values below 128 (most of a
 * column's, mostly) a byte at a time without the loop.
 */
static inline size_t session_put_varints(unsigned char *p, const uint64_t *v, size_t n)
{
	size_t i, len = 0;

	for (i = 0; i < n; i++) {
		if (v[i] < 0x80)
			p[len++] = (unsigned char)v[i];
		else
			len += session_put_varint(p + len, v[i]);
	}
	return len;
}

static inline uint64_t session_zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t session_unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static inline void session_put_u16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static inline void session_put_u32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static inline uint16_t session_get_u16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t session_get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

#endif
