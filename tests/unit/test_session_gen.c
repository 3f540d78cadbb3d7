/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Makes session files on purpose, with the real writer: the golden cases
 * under tests/golden/session/ (valid sessions, and invalid ones damaged in
 * one precise way each; not the version-1.x cases, which are real files
 * those versions wrote), and a realistic synthetic recording whose
 * size per sample it prints, the figure the format is judged by.
 *
 *   test_session_gen golden DIR    writes DIR/{valid,invalid}/CASE/input
 *   test_session_gen size [SECONDS] prints bytes per sample and timings
 *   test_session_gen samples PATH N writes N samples (a session too large
 *                                  to hold whole under a memory limit)
 *   test_session_gen late PATH N [CHUNK]
 *                                  the same in chunks of CHUNK (1,000),
 *                                  the first sample of each put in the
 *                                  next: after later samples of its
 *                                  thread, CHUNK ms later
 *
 * Built with `make check` but not run by it: the golden inputs are checked
 * in, and regenerating them is a deliberate act (their expected outputs
 * must then be reviewed).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "flametop/profile.h"
#include "flametop/session.h"
#include "flametop/util.h"

/* A deterministic generator (xorshift64*), so outputs never change. */
static uint64_t rng_state = 88172645463325252ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

static void die(const char *what)
{
	fprintf(stderr, "test_session_gen: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* `period`: the event's (profile_event.period), PROFILE_PERIOD_UNKNOWN to say none. */
static void set_meta(struct profile *p, const char *event, const char *unit, uint64_t period)
{
	struct profile_meta *m = &p->meta;
	uint32_t e;

	profile_meta_set(&m->host, "golden-host");
	profile_meta_set(&m->kernel, "6.1.0-golden");
	profile_meta_set(&m->flametop_version, "0.1.0");
	profile_meta_set(&m->command_line, "flametop record -F 99 -o golden.session -- ./app");
	profile_meta_set(&m->target, "command: ./app");
	profile_meta_set(&m->call_graph, "fp");
	m->start_wall_ns = UINT64_C(1700000000000000000);
	m->start_mono_ns = UINT64_C(5000000000);
	m->frequency = 99;
	e = profile_add_event(p, event, unit);
	p->events[e].period = period;
}

/* Interns the stack `fns` (outermost first, "module:name" or "name"). */
static uint32_t stack(struct profile *p, const char *const *fns, size_t n)
{
	uint32_t node = PROFILE_ROOT;
	size_t i;

	for (i = 0; i < n; i++) {
		const char *colon = strchr(fns[i], ':');
		char module[64];
		uint32_t f;

		if (colon) {
			snprintf(module, sizeof(module), "%.*s", (int)(colon - fns[i]), fns[i]);
			f = profile_intern_frame(p, colon + 1, module,
						 module[0] == '[' ? PROFILE_FRAME_KERNEL
								  : PROFILE_FRAME_USER);
		} else {
			f = profile_intern_frame(p, fns[i], "/usr/bin/app", PROFILE_FRAME_USER);
		}
		node = profile_intern_node(p, node, f);
	}
	return node;
}

/* The chain of `node`'s callers' call sites (user frames, each called at
 * 0x1000 + 16 * its frame id), outermost first. */
static uint32_t call_sites(struct profile *p, uint32_t node)
{
	uint32_t chain, frame;

	if (node == PROFILE_ROOT)
		return PROFILE_NO_CHAIN;
	chain = call_sites(p, p->nodes[node].parent);
	frame = p->nodes[node].frame;
	if (p->frames[frame].kind != PROFILE_FRAME_USER)
		return chain;
	return profile_intern_chain(p, chain,
				    profile_intern_location(p, frame, 0x1000 + 16 * (uint64_t)frame));
}

/* `offset` nonzero: the sample's leaf was hit at that offset (1.2), and
 * with `chains` (1.4) its stack's call sites are known too. */
static void add(struct profile *p, uint64_t time, uint32_t node, uint32_t tid, uint64_t offset,
		bool chains)
{
	struct profile_sample s = {
		.time = time, .weight = 10101010, .node = node, .pid = 4242, .tid = tid,
	};

	if (offset)
		s.location = profile_intern_location(p, p->nodes[node].frame, offset);
	if (offset && chains)
		s.chain = profile_intern_chain(p, call_sites(p, p->nodes[node].parent), s.location);
	s.cpu = (uint16_t)(tid % 2);
	profile_add_sample(p, &s);
}

/*
 * The golden recording: two threads, a known split between two functions,
 * a kernel frame, three data chunks (a thread renamed in the second). With
 * `locations` (1.2), user leaves carry code locations: compute_hot at
 * three offsets, hash_block at one, but none in the first chunk; with
 * `chains` (1.4), those samples' call sites too. Its one event is
 * cpu-clock at 99 Hz, or `event` (a count) sampled every `period` events.
 */
static void write_golden(const char *path, bool finish, uint64_t peak_rss, bool locations,
			 bool chains, const char *event, uint64_t period)
{
	static const char *const a[] = { "main", "run", "compute_hot" };
	static const char *const b[] = { "main", "run", "compute_cold" };
	static const char *const k[] = { "main", "write_log", "/lib/libc.so.6:write",
					 "[kernel.kallsyms]:ksys_write" };
	static const char *const w[] = { "start_thread", "worker_loop", "hash_block" };
	struct ft_error err;
	struct session_writer *sw;
	struct profile *p = profile_new();
	uint64_t t = 0;
	int chunk, i;

	if (event)
		set_meta(p, event, "count", period);
	else
		set_meta(p, "cpu-clock", "ns", 0);
	sw = session_writer_open(path, true, &err);
	if (!sw) {
		fprintf(stderr, "test_session_gen: %s\n", err.msg);
		exit(1);
	}
	if (session_writer_begin(sw, p) < 0)
		die(path);
	for (chunk = 0; chunk < 3; chunk++) {
		profile_set_thread(p, 4242, 4242, "app");
		profile_set_thread(p, 4242, 4243, chunk ? "app-hasher" : "app");
		for (i = 0; i < 10; i++) {
			t += 10101010;
			bool loc = locations && chunk > 0;

			add(p, t, stack(p, i < 6 ? a : i < 9 ? b : k, i < 9 ? 3 : 4), 4242,
			    loc && i < 6 ? 0x1130 + (uint64_t)(i % 3) * 4 : 0, chains);
			add(p, t + 5000, stack(p, w, 3), 4243, loc ? 0x2040 : 0, chains);
		}
		p->meta.lost += chunk == 1 ? 2 : 0;
		if (session_writer_flush(sw, p) < 0)
			die(path);
		profile_clear_samples(p);
	}
	p->meta.duration_ns = t + 10101010;
	p->meta.recorder_peak_rss = peak_rss;
	if (finish) {
		if (session_writer_close(sw, p) < 0)
			die(path);
	} else {
		session_writer_abort(sw);
	}
	profile_free(p);
}

static unsigned char *read_whole(const char *path, size_t *len)
{
	unsigned char *d = (unsigned char *)util_read_file(path, len);

	if (!d)
		die(path);
	return d;
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Offset of chunk `n` (0-based) of a well-formed file. */
static size_t chunk_at(const unsigned char *d, unsigned n)
{
	size_t off = 16;

	while (n--)
		off += 16 + get32(d + off + 4);
	return off;
}

/* A chunk of `type` holding the `len` bytes at `data`, written at `out`
 * (room for 16 + bound). */
static size_t make_chunk(unsigned char *out, uint32_t type, const void *data, size_t len)
{
	uLongf clen = compressBound(len);

	if (compress2(out + 16, &clen, (const Bytef *)data, len, 6) != Z_OK)
		abort();
	put32(out, type);
	put32(out + 4, (uint32_t)clen);
	put32(out + 8, (uint32_t)len);
	put32(out + 12, (uint32_t)crc32(0, out + 16, (uInt)clen));
	return 16 + clen;
}

/* Writes DIR/KIND/NAME/input from `len` bytes of `d`. */
static void put_case(const char *dir, const char *kind, const char *name,
		     const unsigned char *d, size_t len)
{
	char *path = xasprintf("%s/%s", dir, kind);
	FILE *f;

	mkdir(path, 0755);
	free(path);
	path = xasprintf("%s/%s/%s", dir, kind, name);
	mkdir(path, 0755);
	free(path);
	path = xasprintf("%s/%s/%s/input", dir, kind, name);
	f = fopen(path, "wb");
	if (!f || fwrite(d, 1, len, f) != len || fclose(f) != 0)
		die(path);
	free(path);
}

/* The good file with one chunk (of the `size` bytes at `data`) put in
 * before chunk `before`. */
static void put_with_bytes(const char *dir, const char *kind, const char *name,
			   const unsigned char *good, size_t len, unsigned before, uint32_t type,
			   const void *data, size_t size)
{
	unsigned char *d = xmalloc(len + 16 + compressBound(size));
	size_t at = chunk_at(good, before), clen;

	memcpy(d, good, at);
	clen = make_chunk(d + at, type, data, size);
	memcpy(d + at + clen, good + at, len - at);
	put_case(dir, kind, name, d, len + clen);
	free(d);
}

/* The same with a chunk of `json`. */
static void put_with_chunk(const char *dir, const char *kind, const char *name,
			   const unsigned char *good, size_t len, unsigned before, uint32_t type,
			   const char *json)
{
	put_with_bytes(dir, kind, name, good, len, before, type, json, strlen(json));
}

/* The same with a samples chunk (1.5) of the block in `block`. */
#define PUT_WITH_BLOCK(dir, kind, name, good, len, before, block)                          \
	put_with_bytes(dir, kind, name, good, len, before, 4, block, sizeof(block))

/*
 * Samples blocks (doc/session-format.md, "Samples chunk"): n, the thread
 * table, then columns of (id, encoding, length, data). One sample at time
 * 1 (zigzag 2), weight 1, thread 0 (4242, 4242), cpu 0, event 0, and:
 */
#define BLOCK_HEAD 1, 1, 0x92, 0x21, 0x92, 0x21, 1, 0, 1, 2, 2, 0, 1, 1
#define BLOCK_TAIL 4, 0, 1, 0, 5, 0, 1, 0, 6, 2, 1, 0
/* node 999, out of range */
static const unsigned char block_node[] = { BLOCK_HEAD, 3, 0, 2, 0xe7, 0x07, BLOCK_TAIL };
/* thread 3 of a table of 1 */
static const unsigned char block_thread[] = { BLOCK_HEAD, 3, 0, 1, 1, 4, 0, 1, 3,
					      5, 0, 1, 0, 6, 0, 1, 0 };
/* a node column of 5 bytes in a block that ends after 2 */
static const unsigned char block_cut[] = { BLOCK_HEAD, 3, 0, 5, 1, 1 };
/* no weight column */
static const unsigned char block_no_weight[] = { 1, 1, 0x92, 0x21, 0x92, 0x21, 1, 0, 1, 2,
						 3, 0, 1, 1, BLOCK_TAIL };
/* node 1, and a chain (column 9, 1.7) coded 999: the largest chain so
 * far, 0, plus 1 minus 498 */
static const unsigned char block_chain[] = { BLOCK_HEAD, 3, 0, 1, 1, BLOCK_TAIL,
					     9, 0, 2, 0xe7, 0x07 };
/* both chain columns, 8 and 9 */
static const unsigned char block_two_chains[] = { BLOCK_HEAD, 3, 0, 1, 1, BLOCK_TAIL,
						  8, 0, 1, 0, 9, 0, 1, 0 };
/* times as column 10 (1.9), without column 1: weight 1, node 1, thread
 * 0, cpu 0 and event 0 (BLOCK_TAIL), and a time in us, from the sample
 * before it in the file, of -2^63 (zigzag 2^64 - 1) */
#define BLOCK_US_HEAD 1, 1, 0x92, 0x21, 0x92, 0x21, 2, 0, 1, 1, 3, 0, 1, 1
static const unsigned char block_us_negative[] = { BLOCK_US_HEAD, BLOCK_TAIL, 10, 0, 10,
						   0xff, 0xff, 0xff, 0xff, 0xff,
						   0xff, 0xff, 0xff, 0xff, 0x01 };
/* of 2^62 (zigzag 2^63): past 2^63 ns */
static const unsigned char block_us_past[] = { BLOCK_US_HEAD, BLOCK_TAIL, 10, 0, 10,
					       0x80, 0x80, 0x80, 0x80, 0x80,
					       0x80, 0x80, 0x80, 0x80, 0x01 };
/* column 10 without the cpu column it reads */
static const unsigned char block_us_no_cpu[] = { BLOCK_US_HEAD, 4, 0, 1, 0, 6, 2, 1, 0,
						 10, 0, 1, 0 };
/* the node as column 11 (1.9), coded 1998: the nodes named before, none,
 * plus 999 */
static const unsigned char block_node_new[] = { BLOCK_HEAD, BLOCK_TAIL, 11, 0, 2, 0xce, 0x0f };
/* coded 2^64 - 2: plus 2^63 - 1 */
static const unsigned char block_node_new_huge[] = { BLOCK_HEAD, BLOCK_TAIL, 11, 0, 10,
						     0xfe, 0xff, 0xff, 0xff, 0xff,
						     0xff, 0xff, 0xff, 0xff, 0x01 };
/* both node columns, 3 and 11 */
static const unsigned char block_two_nodes[] = { BLOCK_HEAD, 3, 0, 1, 1, BLOCK_TAIL,
						 11, 0, 1, 1 };
/* the node as column 13 (1.11), coded 1998: past the leaves named
 * before, none, by 999 */
static const unsigned char block_node_leaf[] = { BLOCK_HEAD, BLOCK_TAIL, 13, 0, 2, 0xce, 0x0f };
/* coded 2^64 - 1: node 2^63 - 1, below the next node and not named yet */
static const unsigned char block_node_leaf_huge[] = { BLOCK_HEAD, BLOCK_TAIL, 13, 0, 10,
						      0xff, 0xff, 0xff, 0xff, 0xff,
						      0xff, 0xff, 0xff, 0xff, 0x01 };
/* two samples (time 1 and 2, the other columns constant) whose nodes as
 * column 13 are coded 2, node 1 (a new leaf past the none named), then 5,
 * node 2 - 1 = 1 again as one not named yet */
static const unsigned char block_node_leaf_twice[] = {
	2, 1, 0x92, 0x21, 0x92, 0x21, /* two samples, one thread */
	1, 2, 1, 2, /* times: the constant delta 1 */
	2, 2, 1, 1, 4, 2, 1, 0, 5, 2, 1, 0, 6, 2, 1, 0, /* weight 1; thread, cpu, event 0 */
	13, 0, 2, 2, 5 /* nodes: 2, 5 */
};
/* both node columns, 11 and 13 */
static const unsigned char block_two_nodes_leaf[] = { BLOCK_HEAD, BLOCK_TAIL, 11, 0, 1, 1,
						      13, 0, 1, 1 };
/* node 1, and its location as its chain's (column 12 at 0, 1.10) with no
 * chain column */
static const unsigned char block_location_no_chain[] = { BLOCK_HEAD, 3, 0, 1, 1, BLOCK_TAIL,
							 12, 0, 1, 0 };
/* node 1, and location 999 as column 12 (1000), out of range */
static const unsigned char block_location_new[] = { BLOCK_HEAD, 3, 0, 1, 1, BLOCK_TAIL,
						    12, 0, 2, 0xe8, 0x07 };
/* both location columns, 7 and 12 */
static const unsigned char block_two_locations[] = { BLOCK_HEAD, 3, 0, 1, 1, BLOCK_TAIL,
						     7, 0, 1, 0, 12, 0, 1, 1 };
/* no samples, and a column 20 in an encoding of a later version */
static const unsigned char block_future[] = { 0, 0, 1, 0, 0, 2, 0, 0, 3, 0, 0, 4, 0, 0,
					      5, 0, 0, 6, 0, 0, 20, 9, 3, 'n', 'e', 'w' };

/*
 * The invalid samples blocks put before chunk 3 of the good file (its first
 * samples chunk, after the tables chunk that defines the nodes they name).
 */
static const struct block_case {
	const char *name;
	const unsigned char *block;
	size_t size;
} invalid_blocks[] = {
#define BLOCK_CASE(name, block) { name, block, sizeof(block) }
	BLOCK_CASE("samples-node-out-of-range", block_node),
	BLOCK_CASE("samples-thread-out-of-range", block_thread),
	BLOCK_CASE("samples-cut-short", block_cut),
	BLOCK_CASE("samples-no-weight", block_no_weight),
	BLOCK_CASE("samples-chain-out-of-range", block_chain),
	BLOCK_CASE("samples-two-chain-columns", block_two_chains),
	BLOCK_CASE("samples-time-us-negative", block_us_negative),
	BLOCK_CASE("samples-time-us-past-2-63", block_us_past),
	BLOCK_CASE("samples-time-us-no-cpu", block_us_no_cpu),
	BLOCK_CASE("samples-node-new-out-of-range", block_node_new),
	BLOCK_CASE("samples-node-new-huge", block_node_new_huge),
	BLOCK_CASE("samples-two-node-columns", block_two_nodes),
	BLOCK_CASE("samples-node-leaf-out-of-range", block_node_leaf),
	BLOCK_CASE("samples-node-leaf-huge", block_node_leaf_huge),
	BLOCK_CASE("samples-node-leaf-twice", block_node_leaf_twice),
	BLOCK_CASE("samples-two-node-columns-leaf", block_two_nodes_leaf),
	BLOCK_CASE("samples-location-by-chain-no-chain", block_location_no_chain),
	BLOCK_CASE("samples-location-by-chain-out-of-range", block_location_new),
	BLOCK_CASE("samples-two-location-columns", block_two_locations),
#undef BLOCK_CASE
};

/*
 * Tables blocks (doc/session-format.md, "Tables chunk"): the nodes' count,
 * parent distances and frame deltas, then the locations' and the chains'.
 * A node whose parent would be 5 nodes before it, the first; three nodes
 * in a block that ends after the first.
 */
static const unsigned char tables_parent[] = { 1, 5, 0, 0, 0 };
static const unsigned char tables_cut[] = { 3, 1, 1 };
/*
 * Chains blocks (1.12) of one chain each, put after the first flush's
 * tables (nodes and locations defined, no chain yet: the chain is 1):
 * node codes, parent codes and location codes that name what the file
 * does not have. Varints: 2009 = 9 + zigzag(1000) is 0xd9 0x0f.
 */
static const struct {
	const char *name;
	unsigned char block[8];
	size_t size;
} invalid_chains[] = {
	/* node cur + 1000 */
	{ "chains-node-out-of-range", { 1, 0xd9, 0x0f, 0, 6 }, 5 },
	/* the parent 50 back from chain 1 */
	{ "chains-parent-out-of-range", { 1, 0, 4 + 50, 6 }, 4 },
	/* a location list's first entry, still 0 */
	{ "chains-location-zero", { 1, 0, 0, 0 }, 4 },
	/* node 0 (9 + zigzag(0 - 1)), then a list entry */
	{ "chains-no-node-list-entry", { 1, 10, 0, 6 }, 4 },
	{ "chains-cut-short", { 3, 0, 0 }, 3 },
	{ "chains-bytes-after", { 1, 0, 0, 6, 0 }, 5 },
};

static int golden(const char *dir)
{
	char *tmp = xasprintf("%s/.golden.tmp", dir);
	unsigned char *good, *d, *tp, random[512];
	size_t len, tp_len, i, off;

	/* valid/version-1.0, 1.1, 1.3 to 1.11 and 1.9-ns are not made here: they are real
	 * files written by those versions, kept byte for byte (their `origin`
	 * files say how they were recorded). */
	write_golden(tmp, true, UINT64_C(12) << 20, true, true, NULL, 0);
	good = read_whole(tmp, &len);
	d = xmalloc(len);

	/* chunks: 0 header; 1 data, 2 tables, 3 samples (no code locations,
	 * no chains); 4 data, 5 tables, 6 chains, 7 samples; 8 data,
	 * 9 samples (nothing new for the tables); 10 end */
	put_case(dir, "valid", "basic", good, len);
	off = chunk_at(good, 9);
	put_case(dir, "valid", "truncated-mid-data", good, off + (chunk_at(good, 10) - off) / 2);
	put_case(dir, "valid", "killed-between-chunks", good, chunk_at(good, 10));
	memcpy(d, good, len);
	d[10] = 12; /* minor version 1.12 */
	put_case(dir, "valid", "newer-minor-version", d, len);
	put_with_chunk(dir, "valid", "unknown-chunk-type", good, len, 2, 77,
		       "{\"from_the_future\":true}");
	/* A samples block of no samples with a column of a later version. */
	PUT_WITH_BLOCK(dir, "valid", "samples-unknown-column", good, len, 2, block_future);
	/* 1.8: the header says how its event was sampled, each hit of a
	 * tracepoint this machine may not have (report trusts the file). */
	write_golden(tmp, true, UINT64_C(12) << 20, true, true, "sched:golden_gone", 1);
	tp = read_whole(tmp, &tp_len);
	put_case(dir, "valid", "event-period", tp, tp_len);
	free(tp);

	put_case(dir, "invalid", "empty", good, 0);
	for (i = 0; i < sizeof(random); i++)
		random[i] = (unsigned char)(rng() >> 56);
	put_case(dir, "invalid", "random-bytes", random, sizeof(random));
	put_case(dir, "invalid", "not-a-session",
		 (const unsigned char *)"flametop session? no, just text\n", 33);
	memcpy(d, good, len);
	d[8] = 2;
	put_case(dir, "invalid", "wrong-major-version", d, len);
	put_case(dir, "invalid", "truncated-file-header", good, 12);
	put_case(dir, "invalid", "truncated-header-chunk", good, chunk_at(good, 1) - 7);
	put_case(dir, "invalid", "truncated-before-data", good, chunk_at(good, 1) + 9);
	memcpy(d, good, len);
	d[chunk_at(good, 1) + 16 + 5] ^= 0x10;
	put_case(dir, "invalid", "bad-checksum", d, len);
	memcpy(d, good, len);
	put32(d + chunk_at(good, 2) + 8, 0xfffffff0u);
	put_case(dir, "invalid", "huge-length", d, len);
	put_with_chunk(dir, "invalid", "bad-json", good, len, 2, 2,
		       "{\"strings\":[\"unterminated]}");
	put_with_chunk(dir, "invalid", "node-out-of-range", good, len, 2, 2,
		       "{\"nodes\":[[0,0],[1,1],[40,2]]}");
	/* Samples' cases after the first tables chunk, where their nodes are defined. */
	put_with_chunk(dir, "invalid", "sample-node-out-of-range", good, len, 3, 2,
		       "{\"samples\":{\"time\":[1],\"weight\":[1],\"node\":[999],\"pid\":[1],"
		       "\"tid\":[1],\"cpu\":[0],\"event\":[0]}}");
	put_with_chunk(dir, "invalid", "data-before-header", good, len, 0, 2, "{}");
	put_with_chunk(dir, "invalid", "location-frame-out-of-range", good, len, 2, 2,
		       "{\"locations\":[[77,4096]]}");
	put_with_chunk(dir, "invalid", "sample-location-out-of-range", good, len, 3, 2,
		       "{\"samples\":{\"time\":[1],\"weight\":[1],\"node\":[1],\"pid\":[1],"
		       "\"tid\":[1],\"cpu\":[0],\"event\":[0],\"location\":[999]}}");
	for (i = 0; i < ARRAY_SIZE(invalid_blocks); i++)
		put_with_bytes(dir, "invalid", invalid_blocks[i].name, good, len, 3, 4,
			       invalid_blocks[i].block, invalid_blocks[i].size);
	PUT_WITH_BLOCK(dir, "invalid", "samples-after-end", good, len, 11, block_future);
	for (i = 0; i < ARRAY_SIZE(invalid_chains); i++)
		put_with_bytes(dir, "invalid", invalid_chains[i].name, good, len, 3,
			       6 /* chains */, invalid_chains[i].block, invalid_chains[i].size);
	put_with_bytes(dir, "invalid", "tables-parent-out-of-range", good, len, 2, 5,
		       tables_parent, sizeof(tables_parent));
	put_with_bytes(dir, "invalid", "tables-cut-short", good, len, 2, 5, tables_cut,
		       sizeof(tables_cut));

	free(d);
	free(good);
	unlink(tmp);
	free(tmp);
	return 0;
}

static double seconds(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/*
 * A realistic recording: `secs` seconds of 2 CPUs at 999 Hz (cpu-clock,
 * periods near 1001001 ns with jitter), 10,000 distinct stacks 5-30 deep
 * over 2,000 functions in 12 modules, drawn with a skewed distribution,
 * 24 threads of 3 processes, one chunk per second.
 */
static int size_bench(unsigned secs)
{
	enum { NSTACKS = 10000, NFUNCS = 2000, NTHREADS = 24 };
	const char *path = "/tmp/test_session_gen.size.session";
	uint32_t *leaves = xcalloc(NSTACKS, sizeof(*leaves));
	struct timespec t0, t1, t2;
	struct session_writer *w;
	struct profile *p = profile_new(), *r;
	struct ft_error err;
	uint64_t next[2] = { 0, 500000 }, n = 0;
	unsigned s, i;
	struct stat st;

	set_meta(p, "cpu-clock", "ns", 0);
	for (i = 0; i < NSTACKS; i++) {
		unsigned depth = 5 + (unsigned)(rng() % 26), d;
		uint32_t node = PROFILE_ROOT;

		for (d = 0; d < depth; d++) {
			/* Shallow frames are shared; deep ones spread out. */
			unsigned fn = d < 3 ? d : (unsigned)(rng() % (d < 8 ? 50 : NFUNCS));
			char name[64], module[64];

			snprintf(name, sizeof(name), "namespace::Class%u::method_%u(int, char const*)",
				 fn / 10, fn);
			snprintf(module, sizeof(module), "/usr/lib/x86_64-linux-gnu/libmod%u.so.1",
				 fn % 12);
			node = profile_intern_node(p, node,
						   profile_intern_frame(p, name, module,
									PROFILE_FRAME_USER));
		}
		leaves[i] = node;
	}
	for (i = 0; i < NTHREADS; i++) {
		char comm[16];

		snprintf(comm, sizeof(comm), "worker-%u", i);
		profile_set_thread(p, 1000 + i / 8 * 100, 1000 + i / 8 * 100 + i % 8, comm);
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	w = session_writer_open(path, true, &err);
	if (!w || session_writer_begin(w, p) < 0) {
		fprintf(stderr, "%s\n", w ? "begin failed" : err.msg);
		return 1;
	}
	for (s = 1; s <= secs; s++) {
		uint64_t end = (uint64_t)s * 1000000000;

		for (;;) {
			int cpu = next[0] <= next[1] ? 0 : 1;
			uint64_t x = rng(), period = 1001001 + x % 2001 - 1000;
			unsigned th = (unsigned)(x >> 16) % NTHREADS;
			/* Skewed: a few hot stacks, a long tail. */
			unsigned stk = (unsigned)((x >> 32) % 100 < 60 ? (x >> 40) % 50
								       : (x >> 40) % NSTACKS);
			struct profile_sample smp = {
				.time = next[cpu], .weight = period, .node = leaves[stk],
				.pid = 1000 + th / 8 * 100, .tid = 1000 + th / 8 * 100 + th % 8,
				.cpu = (uint16_t)cpu,
			};

			if (next[cpu] >= end)
				break;
			profile_add_sample(p, &smp);
			next[cpu] += period + (x >> 52) % 20000;
			n++;
		}
		if (session_writer_flush(w, p) < 0)
			return 1;
		profile_clear_samples(p);
	}
	if (session_writer_close(w, p) < 0)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	r = session_read(path, NULL, &err);
	clock_gettime(CLOCK_MONOTONIC, &t2);
	if (!r) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	stat(path, &st);
	printf("%u s, %llu samples, %u nodes, %u frames: %lld bytes, %.2f bytes/sample\n", secs,
	       (unsigned long long)n, p->nnodes, p->nframes, (long long)st.st_size,
	       (double)st.st_size / (double)n);
	printf("write %.3f s (%.0f ns/sample), read %.3f s (%.0f ns/sample)\n", seconds(&t0, &t1),
	       seconds(&t0, &t1) * 1e9 / (double)n, seconds(&t1, &t2),
	       seconds(&t1, &t2) * 1e9 / (double)n);
	profile_free(r);
	profile_free(p);
	free(leaves);
	unlink(path);
	return 0;
}

/*
 * A session of `n` samples at 1 kHz over 64 stacks of 8 frames and 4
 * threads, 65,536 samples a chunk: what a reader that holds every sample
 * needs 40 bytes a sample for, and one that counts them as it reads
 * needs nothing for (tests/e2e/report-memory.sh).
 */
static int many_samples(const char *path, uint64_t n, uint64_t late)
{
	uint64_t chunk = late ? late : 65536;
	struct profile_sample held = { 0 };
	bool holding = false;
	struct profile *p = profile_new();
	struct session_writer *w;
	struct ft_error err;
	uint32_t leaves[64];
	uint64_t i;
	unsigned k, d;
	int ret = 1;

	set_meta(p, "cpu-clock", "ns", 0);
	for (k = 0; k < 64; k++) {
		uint32_t node = PROFILE_ROOT;

		for (d = 0; d < 8; d++) {
			char name[32];

			snprintf(name, sizeof(name), "fn_%u_%u", d, d < 4 ? k % 4 : k);
			node = profile_intern_node(p, node,
						   profile_intern_frame(p, name, "/usr/bin/many",
									PROFILE_FRAME_USER));
		}
		leaves[k] = node;
	}
	for (k = 0; k < 4; k++)
		profile_set_thread(p, 100, 100 + k, k % 2 ? "odd" : "even");
	w = session_writer_open(path, true, &err);
	if (!w || session_writer_begin(w, p) < 0) {
		fprintf(stderr, "%s\n", w ? "begin failed" : err.msg);
		goto out;
	}
	for (i = 0; i < n; i++) {
		uint64_t x = rng();
		struct profile_sample smp = {
			.time = i * 1000000, .weight = 1000000, .node = leaves[x % 64],
			.pid = 100, .tid = 100 + (uint32_t)(x >> 8) % 4,
		};

		if (late && i % chunk == 0 && i + 1 < n) {
			held = smp; /* into the next chunk */
			holding = true;
			continue;
		}
		profile_add_sample(p, &smp);
		if (i % chunk == chunk - 1 || i + 1 == n) {
			if (session_writer_flush(w, p) < 0) {
				session_writer_abort(w);
				goto out;
			}
			profile_clear_samples(p);
			if (holding)
				profile_add_sample(p, &held);
			holding = false;
		}
	}
	if (session_writer_close(w, p) == 0)
		ret = 0;
out:
	profile_free(p);
	return ret;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "golden") == 0)
		return golden(argv[2]);
	if ((argc == 2 || argc == 3) && strcmp(argv[1], "size") == 0)
		return size_bench(argc == 3 ? (unsigned)atoi(argv[2]) : 60);
	if (argc == 4 && strcmp(argv[1], "samples") == 0)
		return many_samples(argv[2], strtoull(argv[3], NULL, 10), 0);
	if ((argc == 4 || argc == 5) && strcmp(argv[1], "late") == 0)
		return many_samples(argv[2], strtoull(argv[3], NULL, 10),
				    argc == 5 && strtoull(argv[4], NULL, 10) ? strtoull(argv[4], NULL, 10)
									   : 1000);
	fprintf(stderr, "usage: test_session_gen golden DIR | size [SECONDS] | samples PATH N | "
			"late PATH N [CHUNK]\n");
	return 2;
}
