/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The session reader: rebuilds a profile from a session file, trusting
 * nothing in it. Every length is checked against the file and a ceiling
 * before anything is allocated, every chunk's checksum before it is
 * inflated, every JSON value's type and every id's range before the
 * profile sees it, so any input gives either a profile or one line saying
 * what is wrong, and never a crash. Ids in the file are mapped to the
 * profile's own (interning may merge duplicates), which also keeps the
 * profile's invariants whatever the file says.
 *
 * A file cut short (a recorder killed, a machine that lost power) loads
 * up to its last whole chunk; see doc/session-format.md for the rules.
 *
 * A regular file's chunks are inflated ahead, on a thread (ahead.c),
 * and its samples chunks' columns decoded there (block.c), while this one
 * applies the chunk before: every check stays here, the thread only saves
 * the inflating and the decoding, which are pure functions of the bytes.
 *
 * A pipe given to session_reader_open() is first copied to an unlinked
 * temporary file (spool_pipe) and read from there as a regular file: so
 * that it can be read again (a first pass for the session's length and
 * names, a replay saved), and a batch at a time, in the memory a file
 * takes, rather than held whole. Where no temporary file can be made, the
 * pipe is read as it comes, as it always was.
 */
#include "config.h"

#include "flametop/session.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libdeflate.h>

#include "flametop/profile.h"
#include "flametop/util.h"
#include "ahead.h"
#include "block.h"
#include "format.h"

/*
 * File ids to profile ids. A file read into a new profile usually maps
 * each id to itself: then nothing is stored (a day's call tree and
 * location chains would take megabytes of it) and `ids` stays NULL until
 * the first id that moves, when the identity so far is written out.
 */
struct id_map {
	uint32_t *ids; /* when moved: the profile id of each file id */
	uint32_t len, cap;
	bool moved; /* some file id maps to another profile id */
};

/*
 * Where the chunks come from: a buffer (session_read_mem) or a descriptor
 * read sequentially (a regular file or a pipe), a chunk at a time.
 */
struct source {
	const unsigned char *mem; /* the whole file, or NULL */
	size_t mem_size;
	int fd; /* when mem is NULL */
	bool regular; /* fd is a regular file of `file_size` bytes */
	uint64_t file_size;
	uint64_t pos; /* bytes consumed */
	unsigned char *buf; /* fd: the bytes of the last source_get() */
	size_t buf_cap;
	int error; /* fd: errno of a failed read; 0 */
};

struct reader {
	struct source src;
	unsigned char file_header[SESSION_FILE_HEADER_LEN];
	const char *name;
	struct ft_error *err;
	struct profile *p;

	struct id_map strings, frames, nodes, locations, chains;

	unsigned chunk_no; /* 1-based, of the chunk being read */
	size_t chunk_off;
	unsigned loaded; /* chunks loaded */
	unsigned data_chunks;
	bool have_header, have_end;
	/* Scanning (session_reader_scan): chunks are framed and checksummed,
	 * but only the header and end chunks read; the end chunk's duration,
	 * if it has one, is end_duration. */
	bool scan, end_has_duration;
	/* session_reader_skip_samples(): samples chunks framed and
	 * checksummed only. */
	bool skip_samples;

	uint64_t time; /* of the previous sample, ns since the start */
	uint64_t max_time;
	uint64_t nsamples;
	uint64_t weight_total; /* of every sample, at most INT64_MAX */
	uint64_t inflated; /* JSON bytes inflated so far */
	uint64_t values; /* JSON values parsed so far */
	uint64_t string_bytes; /* heap bytes of the strings interned */
	uint64_t lost, throttled;
	uint64_t end_duration, end_lost, end_throttled, end_peak_rss, end_folded;

	struct libdeflate_decompressor *inflater; /* raw deflate, made at the first chunk */
	/* The chunks after the header chunk of a regular file, inflated
	 * ahead on a thread (ahead.c), started at the first; NULL: none. */
	struct ahead *ahead;
	bool ahead_tried;

	/* The samples chunk being read's columns, decoded ahead (block.h);
	 * NULL: none. */
	struct block_decoded *decoded;
	uint64_t *vals; /* a samples chunk's column, decoded here */
	size_t vals_cap;
	uint64_t *block_threads; /* its thread table: pid << 32 | tid */
	size_t block_threads_cap;
	uint32_t *block_nodes; /* its samples' nodes, as the file's ids */
	size_t block_nodes_cap;
	/* Column 9's state (format.h): each node's recent chains, by the
	 * file's node ids and chain ids, and the largest chain so far. */
	struct session_recent recent;
	uint32_t chain_max;
	/* Column 11's state (format.h): one past the largest node named by
	 * a sample so far. */
	uint32_t node_next;
	/* Column 13's state (format.h): the leaves named so far. */
	struct session_leaves leaves;
	/* The chains chunks' state (format.h), and each node's parent and
	 * frame by the file's ids, which their codes name (node_info()):
	 * the profile's own while no node or frame was a repeat (every file
	 * a writer makes), else kept here from the first repeat on. */
	struct session_chains_state chains_state;
	uint32_t *node_parent, *node_frame;
	size_t node_info_cap;
	/* Column 10's state (format.h), made at the first block that has
	 * it; and, per event, whether its unit is "ns" (for the first
	 * `nevents_ns` events). */
	struct session_times *times;
	bool *event_ns;
	uint32_t nevents_ns;
};

/* The profile id of file id `id` (below m->len). */
static inline uint32_t id_map_get(const struct id_map *m, uint64_t id)
{
	return m->moved ? m->ids[id] : (uint32_t)id;
}

static void id_map_push(struct id_map *m, uint32_t id)
{
	uint32_t i;

	if (!m->moved && id == m->len) {
		m->len++;
		return;
	}
	if (!m->moved) {
		m->cap = 256;
		while (m->cap <= m->len)
			m->cap *= 2;
		m->ids = xreallocarray(NULL, m->cap, sizeof(*m->ids));
		for (i = 0; i < m->len; i++)
			m->ids[i] = i;
		m->moved = true;
	}
	if (m->len == m->cap) {
		m->cap *= 2;
		m->ids = xreallocarray(m->ids, m->cap, sizeof(*m->ids));
	}
	m->ids[m->len++] = id;
}

/* "NAME: chunk N at offset O: <what>". Returns -1. */
static int chunk_error(struct reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int chunk_error(struct reader *r, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	error_set(r->err, "%s: chunk %u at offset %zu: %s", r->name, r->chunk_no, r->chunk_off,
		  what);
	return -1;
}

/* "NAME: chunk N at offset O is corrupt (<why>)". Returns -1. */
static int chunk_corrupt(struct reader *r, const char *why)
{
	error_set(r->err, "%s: chunk %u at offset %zu is corrupt (%s)", r->name, r->chunk_no,
		  r->chunk_off, why);
	return -1;
}

/*
 * Typed access to JSON values. Each returns 0, or -1 with the error set
 * (naming `what`). An absent key is allowed where noted.
 */
static int get_uint(struct reader *r, json_t *v, const char *what, uint64_t max, uint64_t *out)
{
	json_int_t i;

	if (!json_is_integer(v))
		return chunk_error(r, "%s is not an integer", what);
	i = json_integer_value(v);
	if (i < 0 || (uint64_t)i > max)
		return chunk_error(r, "%s is out of range (%lld)", what, (long long)i);
	*out = (uint64_t)i;
	return 0;
}

/* Optional key: leaves *out alone when absent or null. */
static int get_opt_uint(struct reader *r, json_t *obj, const char *key, uint64_t max,
			uint64_t *out)
{
	json_t *v = json_object_get(obj, key);
	char what[64];

	if (!v || json_is_null(v))
		return 0;
	snprintf(what, sizeof(what), "\"%s\"", key);
	return get_uint(r, v, what, max, out);
}

/* Optional string key into a metadata field. */
static int get_opt_meta(struct reader *r, json_t *obj, const char *key, char **field)
{
	json_t *v = json_object_get(obj, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return chunk_error(r, "\"%s\" is not a string", key);
	profile_meta_set(field, json_string_value(v));
	return 0;
}

/* Optional array key: *out is NULL when absent. */
static int get_opt_array(struct reader *r, json_t *obj, const char *key, json_t **out)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return chunk_error(r, "\"%s\" is not an array", key);
	*out = v;
	return 0;
}

/*
 * Reads an array of `n` integers (a frame, node or thread entry) into
 * `vals`; each must lie in [0, INT64_MAX]. 0, or -1 when `v` has another
 * shape (no error set: the caller names the entry).
 */
static int get_tuple(json_t *v, size_t n, uint64_t *vals)
{
	size_t i;

	if (!json_is_array(v) || json_array_size(v) != n)
		return -1;
	for (i = 0; i < n; i++) {
		json_t *e = json_array_get(v, i);

		if (!json_is_integer(e) || json_integer_value(e) < 0)
			return -1;
		vals[i] = (uint64_t)json_integer_value(e);
	}
	return 0;
}

static int read_header_chunk(struct reader *r, json_t *obj)
{
	struct profile *p = r->p;
	struct profile_meta *m = &p->meta;
	json_t *format = json_object_get(obj, "format"), *events;
	uint64_t freq = 0;
	size_t i;

	if (!json_is_string(format) || strcmp(json_string_value(format), SESSION_FORMAT_NAME))
		return chunk_error(r, "not a %s header", SESSION_FORMAT_NAME);
	if (get_opt_meta(r, obj, "host", &m->host) < 0 ||
	    get_opt_meta(r, obj, "kernel", &m->kernel) < 0 ||
	    get_opt_meta(r, obj, "flametop_version", &m->flametop_version) < 0 ||
	    get_opt_meta(r, obj, "command_line", &m->command_line) < 0 ||
	    get_opt_meta(r, obj, "target", &m->target) < 0 ||
	    get_opt_meta(r, obj, "call_graph", &m->call_graph) < 0 ||
	    get_opt_uint(r, obj, "start_wall_ns", INT64_MAX, &m->start_wall_ns) < 0 ||
	    get_opt_uint(r, obj, "start_mono_ns", INT64_MAX, &m->start_mono_ns) < 0 ||
	    get_opt_uint(r, obj, "frequency", UINT32_MAX, &freq) < 0)
		return -1;
	m->frequency = (uint32_t)freq;

	events = json_object_get(obj, "events");
	if (!json_is_array(events))
		return chunk_error(r, "\"events\" is not an array");
	if (json_array_size(events) > SESSION_MAX_EVENTS)
		return chunk_error(r, "too many events (%zu)", json_array_size(events));
	for (i = 0; i < json_array_size(events); i++) {
		json_t *e = json_array_get(events, i);
		json_t *name = json_object_get(e, "name"), *unit = json_object_get(e, "unit");
		json_t *leader = json_object_get(e, "leader");
		uint64_t period = PROFILE_PERIOD_UNKNOWN;
		uint32_t id;

		if (!json_is_string(name) || !json_is_string(unit))
			return chunk_error(r, "event %zu is not {\"name\", \"unit\"}", i);
		if (leader && (!json_is_integer(leader) || json_integer_value(leader) < 0 ||
			       (size_t)json_integer_value(leader) >= i))
			return chunk_error(r, "event %zu: \"leader\" is not an earlier event", i);
		if (get_opt_uint(r, e, "period", INT64_MAX, &period) < 0)
			return -1;
		id = profile_add_event(p, json_string_value(name), json_string_value(unit));
		if (leader)
			p->events[id].leader = (int)json_integer_value(leader);
		p->events[id].period = period;
	}
	r->have_header = true;
	return 0;
}

/*
 * The tables' entries, one at a time, from jansson's values or from the
 * data chunk's own parser (parse_data_chunk): each checks the entry's ids
 * against what the file defined so far and interns it. 0, or -1 with the
 * error set.
 */
static int add_string(struct reader *r, const char *s, size_t len)
{
	uint32_t before = r->p->strings.len;

	if (r->strings.len >= SESSION_MAX_IDS)
		return chunk_error(r, "too many strings");
	id_map_push(&r->strings, profile_intern_string(r->p, s));
	/* A new string: its copy and malloc's header. */
	if (r->p->strings.len != before)
		r->string_bytes += len + 1 + 16;
	return 0;
}

static int add_frame(struct reader *r, const uint64_t f[3])
{
	uint32_t id = r->frames.len;

	if (f[0] >= r->strings.len)
		return chunk_error(r, "frame %" PRIu32 " has name %" PRIu64 " out of range", id,
				   f[0]);
	if (f[1] >= r->strings.len)
		return chunk_error(r, "frame %" PRIu32 " has module %" PRIu64 " out of range", id,
				   f[1]);
	if (f[2] > PROFILE_FRAME_KERNEL)
		return chunk_error(r, "frame %" PRIu32 " has unknown kind %" PRIu64, id, f[2]);
	if (id >= SESSION_MAX_IDS)
		return chunk_error(r, "too many frames");
	id_map_push(&r->frames, profile_intern_frame_ids(r->p, id_map_get(&r->strings, f[0]),
							 id_map_get(&r->strings, f[1]),
							 (enum profile_frame_kind)f[2]));
	return 0;
}

/*
 * Keeps node `id`'s parent and frame `n` by the file's ids, once the
 * profile's ids are no longer the file's (a node or a frame repeated):
 * the nodes before it, added while they were, from the profile.
 */
static void keep_node_info(struct reader *r, uint32_t id, const uint64_t n[2])
{
	uint32_t i;

	if (id >= r->node_info_cap) {
		bool first = r->node_info_cap == 0;
		size_t cap = first ? 1024 : r->node_info_cap;

		while (cap <= id)
			cap *= 2;
		r->node_parent = xreallocarray(r->node_parent, cap, sizeof(*r->node_parent));
		r->node_frame = xreallocarray(r->node_frame, cap, sizeof(*r->node_frame));
		/* The nodes before the first repeat: the profile's ids were the file's. */
		for (i = 0; first && i < id; i++) {
			r->node_parent[i] = r->p->nodes[i].parent;
			r->node_frame[i] = r->p->nodes[i].frame;
		}
		r->node_info_cap = cap;
	}
	r->node_parent[id] = (uint32_t)n[0];
	r->node_frame[id] = (uint32_t)n[1];
}

/* The parent (`frame` false) or the frame of node `id`, by the file's ids. */
static uint32_t node_info(const struct reader *r, uint32_t id, bool frame)
{
	if (id < r->node_info_cap && r->node_parent)
		return frame ? r->node_frame[id] : r->node_parent[id];
	return frame ? r->p->nodes[id].frame : r->p->nodes[id].parent;
}

static int add_node(struct reader *r, const uint64_t n[2])
{
	uint32_t id = r->nodes.len;

	if (n[0] >= id)
		return chunk_error(r, "node %" PRIu32 " has parent %" PRIu64 " out of range", id,
				   n[0]);
	if (n[1] >= r->frames.len)
		return chunk_error(r, "node %" PRIu32 " has frame %" PRIu64 " out of range", id,
				   n[1]);
	if (id >= SESSION_MAX_IDS)
		return chunk_error(r, "too many nodes");
	id_map_push(&r->nodes, profile_intern_node(r->p, id_map_get(&r->nodes, n[0]),
						   id_map_get(&r->frames, n[1])));
	if (r->nodes.moved || r->frames.moved)
		keep_node_info(r, id, n);
	return 0;
}

static int add_location(struct reader *r, const uint64_t l[2])
{
	uint32_t id = r->locations.len;

	if (l[0] >= r->frames.len)
		return chunk_error(r, "location %" PRIu32 " has frame %" PRIu64 " out of range", id,
				   l[0]);
	if (id >= SESSION_MAX_IDS)
		return chunk_error(r, "too many locations");
	id_map_push(&r->locations,
		    profile_intern_location(r->p, id_map_get(&r->frames, l[0]), l[1]));
	return 0;
}

static int add_chain(struct reader *r, const uint64_t c[2])
{
	uint32_t id = r->chains.len;

	if (c[0] >= id)
		return chunk_error(r, "chain %" PRIu32 " has parent %" PRIu64 " out of range", id,
				   c[0]);
	if (c[1] == 0 || c[1] >= r->locations.len)
		return chunk_error(r, "chain %" PRIu32 " has location %" PRIu64 " out of range", id,
				   c[1]);
	if (id >= SESSION_MAX_IDS)
		return chunk_error(r, "too many chains");
	id_map_push(&r->chains, profile_intern_chain(r->p, id_map_get(&r->chains, c[0]),
						     id_map_get(&r->locations, c[1])));
	return 0;
}

/*
 * Entry `i` of a chunk's "threads": an upsert, except that a thread
 * written again as "[unknown]" with the pid it had keeps its name (a
 * recorder that forgot it found /proc empty: no rename).
 */
static int add_thread(struct reader *r, size_t i, const uint64_t t[3])
{
	const struct profile_thread *had;
	const char *comm;

	if (t[0] > UINT32_MAX || t[1] > UINT32_MAX)
		return chunk_error(r, "thread %zu has pid or tid out of range", i);
	if (t[2] >= r->strings.len)
		return chunk_error(r, "thread %zu has comm %" PRIu64 " out of range", i, t[2]);
	comm = profile_string(r->p, id_map_get(&r->strings, t[2]));
	had = profile_find_thread(r->p, (uint32_t)t[1]);
	if (had && had->pid == t[0] && strcmp(comm, PROFILE_UNKNOWN_THREAD_NAME) == 0)
		return 0;
	profile_set_thread(r->p, (uint32_t)t[0], (uint32_t)t[1], comm);
	return 0;
}

static int read_strings(struct reader *r, json_t *arr)
{
	size_t i;

	for (i = 0; i < json_array_size(arr); i++) {
		json_t *s = json_array_get(arr, i);

		if (!json_is_string(s))
			return chunk_error(r, "string %" PRIu32 " is not a string", r->strings.len);
		if (add_string(r, json_string_value(s), json_string_length(s)) < 0)
			return -1;
	}
	return 0;
}

static int read_frames(struct reader *r, json_t *arr)
{
	size_t i;

	for (i = 0; i < json_array_size(arr); i++) {
		uint64_t f[3];

		if (get_tuple(json_array_get(arr, i), 3, f) < 0)
			return chunk_error(r, "frame %" PRIu32 " is not [name, module, kind]",
					   r->frames.len);
		if (add_frame(r, f) < 0)
			return -1;
	}
	return 0;
}

static int read_nodes(struct reader *r, json_t *arr)
{
	size_t i;

	for (i = 0; i < json_array_size(arr); i++) {
		uint64_t n[2];

		if (get_tuple(json_array_get(arr, i), 2, n) < 0)
			return chunk_error(r, "node %" PRIu32 " is not [parent, frame]",
					   r->nodes.len);
		if (add_node(r, n) < 0)
			return -1;
	}
	return 0;
}

static int read_locations(struct reader *r, json_t *arr)
{
	size_t i;

	for (i = 0; i < json_array_size(arr); i++) {
		uint64_t l[2];

		if (get_tuple(json_array_get(arr, i), 2, l) < 0)
			return chunk_error(r, "location %" PRIu32 " is not [frame, offset]",
					   r->locations.len);
		if (add_location(r, l) < 0)
			return -1;
	}
	return 0;
}

static int read_chains(struct reader *r, json_t *arr)
{
	size_t i;

	for (i = 0; i < json_array_size(arr); i++) {
		uint64_t c[2];

		if (get_tuple(json_array_get(arr, i), 2, c) < 0)
			return chunk_error(r, "chain %" PRIu32 " is not [parent, location]",
					   r->chains.len);
		if (add_chain(r, c) < 0)
			return -1;
	}
	return 0;
}

static int read_threads(struct reader *r, json_t *arr)
{
	size_t i;

	for (i = 0; i < json_array_size(arr); i++) {
		uint64_t t[3];

		if (get_tuple(json_array_get(arr, i), 3, t) < 0)
			return chunk_error(r, "thread %zu is not [pid, tid, comm]", i);
		if (add_thread(r, i, t) < 0)
			return -1;
	}
	return 0;
}

enum { COL_TIME, COL_WEIGHT, COL_NODE, COL_PID, COL_TID, COL_CPU, COL_EVENT, NCOLS };
static const char *const col_names[NCOLS] = { "time", "weight", "node", "pid",
					      "tid",  "cpu",    "event" };

/* `*col`, a column of ids of `n` samples, or NULL where absent or null. */
static int get_id_column(struct reader *r, const char *name, size_t n, json_t **col)
{
	if (!*col || json_is_null(*col)) {
		*col = NULL;
		return 0;
	}
	if (!json_is_array(*col))
		return chunk_error(r, "\"samples\" has a \"%s\" that is not an array", name);
	if (json_array_size(*col) != n)
		return chunk_error(r, "\"samples\" columns differ in length");
	return 0;
}

/* Sample `i`'s id in `col`, one of `ids`, as the profile's id in *out. */
static int get_id(struct reader *r, json_t *col, size_t i, const char *name,
		  const struct id_map *ids, uint32_t *out)
{
	json_t *e = json_array_get(col, i);
	json_int_t v = json_integer_value(e);

	if (!json_is_integer(e))
		return chunk_error(r, "sample %zu has a non-integer \"%s\"", i, name);
	if (v < 0 || (uint64_t)v >= ids->len)
		return chunk_error(r, "sample %zu has %s %lld out of range", i, name, (long long)v);
	*out = id_map_get(ids, (uint64_t)v);
	return 0;
}

static int read_samples(struct reader *r, json_t *obj)
{
	const uint64_t max[NCOLS] = {
		[COL_WEIGHT] = INT64_MAX, [COL_NODE] = UINT32_MAX, [COL_PID] = UINT32_MAX,
		[COL_TID] = UINT32_MAX,	  [COL_CPU] = UINT16_MAX,  [COL_EVENT] = UINT16_MAX,
	};
	json_t *cols[NCOLS], *locs = json_object_get(obj, "location"),
			     *chains = json_object_get(obj, "chain");
	size_t n = 0, i, k;

	if (!json_is_object(obj))
		return chunk_error(r, "\"samples\" is not an object");
	for (k = 0; k < NCOLS; k++) {
		cols[k] = json_object_get(obj, col_names[k]);
		if (!json_is_array(cols[k]))
			return chunk_error(r, "\"samples\" has no \"%s\" array", col_names[k]);
		if (k == 0)
			n = json_array_size(cols[k]);
		else if (json_array_size(cols[k]) != n)
			return chunk_error(r, "\"samples\" columns differ in length");
	}
	/* Absent (before 1.2 and 1.4, or no sample has one): all unknown. */
	if (get_id_column(r, "location", n, &locs) < 0 || get_id_column(r, "chain", n, &chains) < 0)
		return -1;
	if (n > SESSION_CHUNK_MAX_SAMPLES)
		return chunk_error(r, "too many samples (%zu)", n);

	for (i = 0; i < n; i++) {
		struct profile_sample s;
		int64_t v[NCOLS], t;

		for (k = 0; k < NCOLS; k++) {
			json_t *e = json_array_get(cols[k], i);

			if (!json_is_integer(e))
				return chunk_error(r, "sample %zu has a non-integer \"%s\"", i,
						   col_names[k]);
			v[k] = json_integer_value(e);
			if (k != COL_TIME && (v[k] < 0 || (uint64_t)v[k] > max[k]))
				return chunk_error(r, "sample %zu has %s %lld out of range", i,
						   col_names[k], (long long)v[k]);
		}
		if (__builtin_add_overflow((int64_t)r->time, v[COL_TIME], &t) || t < 0)
			return chunk_error(r, "sample %zu has a time before the session start", i);
		if ((uint64_t)v[COL_NODE] >= r->nodes.len)
			return chunk_error(r, "sample %zu has node %lld out of range", i,
					   (long long)v[COL_NODE]);
		if ((uint64_t)v[COL_EVENT] >= r->p->nevents)
			return chunk_error(r, "sample %zu has event %lld out of range", i,
					   (long long)v[COL_EVENT]);
		memset(&s, 0, sizeof(s));
		if ((locs && get_id(r, locs, i, "location", &r->locations, &s.location) < 0) ||
		    (chains && get_id(r, chains, i, "chain", &r->chains, &s.chain) < 0))
			return -1;
		/* Every sum of weights a query makes stays below 2^63. */
		if (__builtin_add_overflow(r->weight_total, (uint64_t)v[COL_WEIGHT], &r->weight_total) ||
		    r->weight_total > INT64_MAX)
			return chunk_error(r, "sample %zu: the weights of the samples add up past "
					   "2^63 - 1", i);
		s.time = (uint64_t)t;
		s.weight = (uint64_t)v[COL_WEIGHT];
		s.node = id_map_get(&r->nodes, v[COL_NODE]);
		s.pid = (uint32_t)v[COL_PID];
		s.tid = (uint32_t)v[COL_TID];
		s.cpu = (uint16_t)v[COL_CPU];
		s.event = (uint16_t)v[COL_EVENT];
		profile_add_sample(r->p, &s);
		r->time = s.time;
		if (s.time > r->max_time)
			r->max_time = s.time;
		r->nsamples++;
	}
	return 0;
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

static int read_data_chunk(struct reader *r, json_t *obj)
{
	json_t *strings, *frames, *nodes, *locations, *chains, *threads, *samples;
	uint64_t lost = 0, throttled = 0;

	if (r->have_end)
		return chunk_error(r, "a data chunk after the end chunk");
	if (get_opt_array(r, obj, "strings", &strings) < 0 ||
	    get_opt_array(r, obj, "frames", &frames) < 0 ||
	    get_opt_array(r, obj, "nodes", &nodes) < 0 ||
	    get_opt_array(r, obj, "locations", &locations) < 0 ||
	    get_opt_array(r, obj, "chains", &chains) < 0 ||
	    get_opt_array(r, obj, "threads", &threads) < 0 ||
	    get_opt_uint(r, obj, "lost", INT64_MAX, &lost) < 0 ||
	    get_opt_uint(r, obj, "throttled", INT64_MAX, &throttled) < 0)
		return -1;
	if ((strings && read_strings(r, strings) < 0) || (frames && read_frames(r, frames) < 0) ||
	    (nodes && read_nodes(r, nodes) < 0) ||
	    (locations && read_locations(r, locations) < 0) ||
	    (chains && read_chains(r, chains) < 0) ||
	    (threads && read_threads(r, threads) < 0))
		return -1;
	samples = json_object_get(obj, "samples");
	if (samples && !json_is_null(samples) && read_samples(r, samples) < 0)
		return -1;
	r->lost = add_sat(r->lost, lost);
	r->throttled = add_sat(r->throttled, throttled);
	r->data_chunks++;
	return 0;
}

static int read_end_chunk(struct reader *r, json_t *obj)
{
	uint64_t samples = r->nsamples;

	if (r->have_end)
		return chunk_error(r, "a second end chunk");
	r->end_duration = r->max_time;
	r->end_lost = r->lost;
	r->end_throttled = r->throttled;
	if (get_opt_uint(r, obj, "duration_ns", INT64_MAX, &r->end_duration) < 0 ||
	    get_opt_uint(r, obj, "samples", INT64_MAX, &samples) < 0 ||
	    get_opt_uint(r, obj, "lost", INT64_MAX, &r->end_lost) < 0 ||
	    get_opt_uint(r, obj, "throttled", INT64_MAX, &r->end_throttled) < 0 ||
	    get_opt_uint(r, obj, "recorder_peak_rss", INT64_MAX, &r->end_peak_rss) < 0 ||
	    get_opt_uint(r, obj, "folded", INT64_MAX, &r->end_folded) < 0)
		return -1;
	r->end_has_duration = json_object_get(obj, "duration_ns") != NULL;
	/* A scan counts no samples: they are checked when read. */
	if (samples != r->nsamples && !r->scan && !r->skip_samples)
		return chunk_error(r, "the end chunk counts %" PRIu64 " samples, the file holds %" PRIu64,
				   samples, r->nsamples);
	r->have_end = true;
	return 0;
}

/*
 * Heap bytes the reader holds now: the profile it builds (counted from
 * what is used, which is what is resident), its id maps, the chunk buffer.
 * An estimate, but one that errs high.
 */
static uint64_t reader_memory(const struct reader *r)
{
	const struct profile *p = r->p;
	uint64_t m = r->src.buf_cap + r->string_bytes;

	m += (uint64_t)p->strings.len * 16 + (uint64_t)p->strings.nslots * 4;
	m += (uint64_t)p->nframes * sizeof(*p->frames) + (uint64_t)p->frame_map.cap * 12;
	m += (uint64_t)p->nnodes * sizeof(*p->nodes) + (uint64_t)p->node_map.cap * 4;
	m += (uint64_t)p->nlocations * sizeof(*p->locations) + (uint64_t)p->location_map.cap * 4;
	m += (uint64_t)p->nchains * sizeof(*p->chains) + (uint64_t)p->chain_map.cap * 4;
	m += (uint64_t)p->nsamples * sizeof(*p->samples);
	m += (uint64_t)p->nthreads * sizeof(*p->threads) + (uint64_t)p->thread_map.cap * 12;
	m += ((uint64_t)r->strings.cap + r->frames.cap + r->nodes.cap + r->locations.cap +
	      r->chains.cap) * 4;
	m += (uint64_t)r->vals_cap * sizeof(*r->vals) +
	     (uint64_t)r->block_threads_cap * sizeof(*r->block_threads) +
	     (uint64_t)r->block_nodes_cap * sizeof(*r->block_nodes);
	m += session_recent_memory(&r->recent) + session_leaves_memory(&r->leaves);
	m += session_chains_memory(&r->chains_state) + r->node_info_cap * 2 * sizeof(uint32_t);
	if (r->times)
		m += session_times_memory(r->times) + r->nevents_ns * sizeof(*r->event_ns);
	return m;
}

/* The budgets for a file of which `pos` bytes have been read (format.h). */
static uint64_t inflate_budget(uint64_t pos)
{
	return SESSION_READ_INFLATE_BASE + SESSION_READ_INFLATE_RATIO * pos;
}

static uint64_t values_budget(uint64_t pos)
{
	return SESSION_READ_VALUES_BASE + SESSION_READ_VALUES_RATIO * pos;
}

static uint64_t samples_budget(uint64_t pos)
{
	return SESSION_READ_SAMPLES_BASE + SESSION_READ_SAMPLES_RATIO * pos;
}

static uint64_t memory_budget(uint64_t pos)
{
	return SESSION_READ_MEMORY_BASE + SESSION_READ_MEMORY_RATIO * pos;
}

/* "NAME: chunk N at offset O: loading it would take more than M MiB ...". -1. */
static int memory_error(struct reader *r)
{
	return chunk_error(r, "loading it would take more than %" PRIu64 " MiB of memory for "
			   "the first %" PRIu64 " bytes of the session (a hostile file?)",
			   memory_budget(r->src.pos) >> 20, r->src.pos);
}

/*
 * What jansson will build from `text`: its values (scalars, strings,
 * arrays, objects, keys counted as strings), arrays and objects, found in
 * one pass without parsing. Malformed text gives some count; the parser
 * rejects it afterwards anyway.
 */
static void count_json(const char *text, size_t len, uint64_t *values, uint64_t *arrays,
		       uint64_t *objects)
{
	bool in_string = false, in_scalar = false;
	size_t i;

	*values = *arrays = *objects = 0;
	for (i = 0; i < len; i++) {
		char c = text[i];

		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = false;
			continue;
		}
		if (c == '"') {
			in_string = true;
			in_scalar = false;
			(*values)++;
		} else if (c == '[' || c == '{') {
			in_scalar = false;
			(*values)++;
			if (c == '[')
				(*arrays)++;
			else
				(*objects)++;
		} else if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '-' ||
			   c == '+' || c == '.' || (c >= 'A' && c <= 'Z')) {
			if (!in_scalar)
				(*values)++;
			in_scalar = true;
		} else {
			in_scalar = false;
		}
	}
}

/*
 * Memory that parsing a text of `len` bytes holding these values and
 * loading the result take, at most: the JSON tree (jansson's value, its
 * slot in an array and malloc's rounding: 64 bytes a value, more for an
 * array's table and an object's hash table, plus string contents, at most
 * the text) and what the profile grows by (a string, a node or a sample
 * costs at most 48 bytes per JSON value it is made of, plus string
 * contents).
 */
static uint64_t parse_cost(size_t len, uint64_t values, uint64_t arrays, uint64_t objects)
{
	return (64 + 48) * values + 128 * arrays + 256 * objects + 2 * (uint64_t)len;
}

/*
 * Inflates a chunk's payload (ahead_inflate), with a decompressor kept for
 * the whole file (libdeflate: about 1.6 times as fast as zlib's inflate on
 * sessions). Returns a malloc'd buffer of ulen + 1 bytes (caller frees) or
 * NULL with the error set.
 */
static char *inflate_payload(struct reader *r, const unsigned char *src, uint32_t clen,
			     uint32_t ulen)
{
	const char *why;
	char *out;

	if (!r->inflater) {
		r->inflater = libdeflate_alloc_decompressor();
		if (!r->inflater) {
			chunk_corrupt(r, "cannot start the inflater: out of memory");
			return NULL;
		}
	}
	out = ahead_inflate(r->inflater, src, clen, ulen, &why);
	if (!out)
		chunk_corrupt(r, why);
	return out;
}


static int block_cut(struct reader *r)
{
	return chunk_corrupt(r, "samples block cut short");
}

/* The memory a samples chunk of `n` samples takes to load: 136 bytes a
 * sample (doc/session-format.md). */
static uint64_t block_cost(uint64_t n)
{
	/* The samples in the profile, which may double as it grows, a
	 * column's values and the thread table; and the room of a decoded
	 * copy of the block, which the reader no longer makes (the samples
	 * are decoded in place), so that the budget stays the format's. */
	return n * (sizeof(struct profile_sample) * 3 + sizeof(uint64_t) * 2);
}

static const char *const block_col_names[SESSION_COL_LAST + 1] = {
	[SESSION_COL_TIME] = "time",	 [SESSION_COL_WEIGHT] = "weight",
	[SESSION_COL_NODE] = "node",	 [SESSION_COL_THREAD] = "thread",
	[SESSION_COL_CPU] = "cpu",	 [SESSION_COL_EVENT] = "event",
	[SESSION_COL_LOCATION] = "location", [SESSION_COL_CHAIN] = "chain",
	[SESSION_COL_CHAIN_RECENT] = "chain", [SESSION_COL_TIME_US] = "time",
	[SESSION_COL_NODE_NEW] = "node", [SESSION_COL_LOCATION_BY_CHAIN] = "location",
	[SESSION_COL_NODE_LEAF] = "node",
};

/*
 * Column 13 (format.h): the nodes coded as the `n` values `v`, in their
 * place; the codes' nodes are checked against the nodes defined by the
 * caller (apply_column()). 0 or -1.
 */
static int apply_leaves(struct reader *r, uint64_t *v, size_t n)
{
	struct session_leaves *l = &r->leaves;
	uint64_t more, len;
	size_t i;

	/* Room for every node, and at worst a new leaf for each sample (the
	 * list doubling), weighed as the profile is. */
	len = l->len + (n < r->nodes.len - l->len ? n : r->nodes.len - l->len);
	more = (r->nodes.len - l->nnodes) * sizeof(*l->named);
	if (len > l->cap)
		more += (2 * len - l->cap) * sizeof(*l->list);
	if (reader_memory(r) + more > memory_budget(r->src.pos))
		return memory_error(r);
	session_leaves_nodes(l, r->nodes.len);
	for (i = 0; i < n; i++) {
		uint64_t k = v[i] >> 1, node;

		if (!(v[i] & 1)) {
			node = l->next + k; /* below 2^32 + 2^63: no overflow */
		} else if (k < l->len) {
			v[i] = l->list[k];
			continue;
		} else {
			node = k - l->len;
		}
		if (node >= r->nodes.len)
			return chunk_error(r, "sample %zu has node %" PRIu64 " out of range", i,
					   node);
		if (l->named[node])
			return chunk_error(r, "sample %zu names node %" PRIu64 " as a new leaf again",
					   i, node);
		session_leaves_add(l, (uint32_t)node);
		v[i] = node;
	}
	return 0;
}

/*
 * Column 9 (format.h): the chains coded as the `n` values `v` of the
 * block whose nodes are r->block_nodes, put into the samples `b`, ids
 * mapped to the profile's. 0 or -1.
 */
static int apply_recent_chains(struct reader *r, const uint64_t *v, struct profile_sample *b,
			       size_t n)
{
	uint32_t max = r->chain_max;
	uint64_t lists, more;
	size_t i;

	/* Room for every node, and at worst a new list for each sample's
	 * node (the lists' array doubling), weighed as the profile is. */
	lists = r->recent.nlists +
		(n < r->nodes.len - r->recent.nlists ? n : r->nodes.len - r->recent.nlists);
	more = (r->nodes.len - r->recent.nnodes) * sizeof(*r->recent.at);
	if (lists > r->recent.lists_cap)
		more += (2 * lists - r->recent.lists_cap) * SESSION_RECENT_CHAINS *
			sizeof(*r->recent.lists);
	if (reader_memory(r) + more > memory_budget(r->src.pos))
		return memory_error(r);
	session_recent_nodes(&r->recent, r->nodes.len);
	for (i = 0; i < n; i++) {
		uint32_t *list = session_recent_list(&r->recent, r->block_nodes[i]);
		uint64_t chain;
		unsigned at;

		if (v[i] < SESSION_RECENT_CHAINS) {
			at = (unsigned)v[i];
			chain = list[at];
		} else {
			int64_t d = session_unzigzag(v[i] - SESSION_RECENT_CHAINS);

			/* max + 1 + d, in [0, the chains defined). */
			if (d < -(int64_t)max - 1 || d >= (int64_t)r->chains.len - (int64_t)max - 1)
				return chunk_error(r, "sample %zu has a chain out of range", i);
			chain = (uint64_t)((int64_t)max + 1 + d);
			at = SESSION_RECENT_CHAINS - 1;
		}
		session_recent_use(list, at, (uint32_t)chain);
		if (chain > max)
			max = (uint32_t)chain;
		b[i].chain = id_map_get(&r->chains, chain);
	}
	r->chain_max = max;
	return 0;
}

/*
 * Column 10 (format.h): the times coded as the `n` values `v`, put into
 * the samples `b`, whose weights, cpus and events are in. 0 or -1.
 */
static int apply_times_us(struct reader *r, const uint64_t *v, struct profile_sample *b,
			  size_t n)
{
	uint64_t prev = r->time / 1000;
	size_t i;

	if (!r->times) {
		/* what its CPUs' times may take, the most */
		if (reader_memory(r) + sizeof(*r->times) + SESSION_TIMES_MAX_BYTES >
		    memory_budget(r->src.pos))
			return memory_error(r);
		r->times = xcalloc(1, sizeof(*r->times));
	}
	if (r->nevents_ns != r->p->nevents) {
		r->event_ns = xreallocarray(r->event_ns, r->p->nevents ? r->p->nevents : 1,
					    sizeof(*r->event_ns));
		for (i = 0; i < r->p->nevents; i++)
			r->event_ns[i] = session_times_unit_ns(r->p->events[i].unit);
		r->nevents_ns = r->p->nevents;
	}
	session_times_begin(r->times);
	for (i = 0; i < n; i++) {
		uint64_t wus = r->event_ns[b[i].event] ? b[i].weight / 1000 : 0;
		int64_t us, ns;

		/* The prediction is below 2^55 (format.h). */
		if (__builtin_add_overflow(
			    (int64_t)session_times_predict(r->times, b[i].cpu, wus, prev),
			    session_unzigzag(v[i]), &us) ||
		    us < 0)
			return chunk_error(r, "sample %zu has a time before the session start",
					   i);
		if (__builtin_mul_overflow(us, 1000, &ns))
			return chunk_error(r, "sample %zu has a time past 2^63 - 1 ns", i);
		session_times_seen(r->times, b[i].cpu, (uint64_t)us);
		prev = (uint64_t)us;
		b[i].time = (uint64_t)ns;
	}
	return 0;
}

/*
 * Checks the `n` values `v` of column `id` and puts them into the
 * samples `b`, ids mapped to the profile's (column 11's values are
 * replaced by the nodes they code). 0 or -1.
 */
static int apply_column(struct reader *r, uint64_t *v, struct profile_sample *b, unsigned id,
			size_t n, uint32_t nthreads)
{
	uint64_t time = r->time, total = r->weight_total;
	size_t i;

	switch (id) {
	case SESSION_COL_TIME:
		for (i = 0; i < n; i++) {
			int64_t t;

			if (__builtin_add_overflow((int64_t)time, session_unzigzag(v[i]), &t) || t < 0)
				return chunk_error(r, "sample %zu has a time before the session start",
						   i);
			b[i].time = time = (uint64_t)t;
		}
		break;
	case SESSION_COL_WEIGHT:
		for (i = 0; i < n; i++) {
			/* Every sum of weights a query makes stays below 2^63. */
			if (v[i] > INT64_MAX || __builtin_add_overflow(total, v[i], &total) ||
			    total > INT64_MAX)
				return chunk_error(r, "sample %zu: the weights of the samples add up "
						   "past 2^63 - 1", i);
			b[i].weight = v[i];
		}
		r->weight_total = total;
		break;
	case SESSION_COL_NODE_LEAF:
		if (apply_leaves(r, v, n) < 0)
			return -1;
		goto nodes;
	case SESSION_COL_NODE_NEW:
		/* Column 11 (format.h): the nodes from their codes, first. */
		for (i = 0; i < n; i++) {
			uint64_t node = v[i] & 1 ? v[i] >> 1 : r->node_next + (v[i] >> 1);

			/* Below: refused past the nodes defined. */
			if (node < r->nodes.len && node >= r->node_next)
				r->node_next = (uint32_t)node + 1;
			v[i] = node;
		}
		/* fall through */
	case SESSION_COL_NODE:
	nodes:
		for (i = 0; i < n; i++) {
			if (v[i] >= r->nodes.len)
				return chunk_error(r, "sample %zu has node %" PRIu64 " out of range", i,
						   v[i]);
			b[i].node = id_map_get(&r->nodes, v[i]);
			r->block_nodes[i] = (uint32_t)v[i];
		}
		break;
	case SESSION_COL_THREAD:
		for (i = 0; i < n; i++) {
			if (v[i] >= nthreads)
				return chunk_error(r, "sample %zu has thread %" PRIu64 " out of range",
						   i, v[i]);
			b[i].pid = (uint32_t)(r->block_threads[v[i]] >> 32);
			b[i].tid = (uint32_t)r->block_threads[v[i]];
		}
		break;
	case SESSION_COL_CPU:
		for (i = 0; i < n; i++) {
			if (v[i] > UINT16_MAX)
				return chunk_error(r, "sample %zu has cpu %" PRIu64 " out of range", i,
						   v[i]);
			b[i].cpu = (uint16_t)v[i];
		}
		break;
	case SESSION_COL_EVENT:
		for (i = 0; i < n; i++) {
			if (v[i] >= r->p->nevents)
				return chunk_error(r, "sample %zu has event %" PRIu64 " out of range", i,
						   v[i]);
			b[i].event = (uint16_t)v[i];
		}
		break;
	case SESSION_COL_LOCATION_BY_CHAIN:
		/* Column 12 (1.10): 0 the sample's chain's own location (the
		 * chain columns come before), else the location + 1. A chain
		 * folded past the limits takes its location with it. */
		for (i = 0; i < n; i++) {
			if (v[i] > 0)
				continue;
			if (b[i].chain == PROFILE_NO_CHAIN && !r->p->folded)
				return chunk_error(r, "sample %zu has its chain's location and no "
						   "chain", i);
			b[i].location = b[i].chain == PROFILE_NO_CHAIN
						? PROFILE_NO_LOCATION
						: r->p->chains[b[i].chain].location;
		}
		for (i = 0; i < n; i++) {
			if (v[i] == 0)
				continue;
			if (v[i] - 1 >= r->locations.len)
				return chunk_error(r, "sample %zu has location %" PRIu64
						   " out of range", i, v[i] - 1);
			b[i].location = id_map_get(&r->locations, v[i] - 1);
		}
		break;
	case SESSION_COL_LOCATION:
		for (i = 0; i < n; i++) {
			if (v[i] >= r->locations.len)
				return chunk_error(r, "sample %zu has location %" PRIu64
						   " out of range", i, v[i]);
			b[i].location = id_map_get(&r->locations, v[i]);
		}
		break;
	case SESSION_COL_CHAIN_RECENT:
		return apply_recent_chains(r, v, b, n);
	case SESSION_COL_TIME_US:
		return apply_times_us(r, v, b, n);
	default: /* SESSION_COL_CHAIN */
		for (i = 0; i < n; i++) {
			if (v[i] >= r->chains.len)
				return chunk_error(r, "sample %zu has chain %" PRIu64 " out of range", i,
						   v[i]);
			b[i].chain = id_map_get(&r->chains, v[i]);
		}
		break;
	}
	return 0;
}

/*
 * The `n` values of the column stored in `enc` at `c` of the samples
 * block at `data`: decoded ahead (r->decoded), or decoded here into
 * r->vals. 0 and *v, or -1.
 */
static int column_values(struct reader *r, const unsigned char *data, uint64_t enc,
			 struct block_cursor *c, size_t n, uint64_t **v)
{
	struct block_column *col = block_find(r->decoded, (uint64_t)(c->p - data),
					      (uint64_t)(c->end - c->p), enc, n);
	const char *why;

	if (col) {
		*v = col->vals;
		return col->why ? chunk_corrupt(r, col->why) : 0;
	}
	why = block_decode_column(enc, c, n, r->vals);
	*v = r->vals;
	return why ? chunk_corrupt(r, why) : 0;
}

/* Whether the columns of a samples block from `c` on hold column `id`;
 * if so, its encoding and values in *enc and *col when not NULL (framing
 * errors are left to the caller's reading). */
static bool find_column(struct block_cursor c, uint64_t id, uint64_t *enc, struct block_cursor *col)
{
	uint64_t k, len;

	while (c.p < c.end) {
		if (block_varint(&c, &k) < 0 || c.p == c.end)
			return false;
		if (enc)
			*enc = *c.p;
		c.p++;
		if (block_varint(&c, &len) < 0 || len > (uint64_t)(c.end - c.p))
			return false;
		if (k == id) {
			if (col) {
				col->p = c.p;
				col->end = c.p + len;
			}
			return true;
		}
		c.p += len;
	}
	return false;
}

/*
 * A samples chunk (1.5): the block of `len` bytes at `data`
 * (doc/session-format.md, "Samples chunk"), decoded column by column
 * straight into the profile's room for them, then added. 0 or -1.
 */
static int read_samples_chunk(struct reader *r, const unsigned char *data, size_t len)
{
	struct block_cursor c = { data, data + len };
	uint64_t n, nthreads, v, k, enc, have = 0, prev = 0, *vals;
	unsigned node_id;
	struct profile_sample *b;
	struct block_cursor node_col;
	bool times_us;
	size_t i;

	if (r->have_end)
		return chunk_error(r, "a samples chunk after the end chunk");
	if (block_varint(&c, &n) < 0 || block_varint(&c, &nthreads) < 0)
		return block_cut(r);
	if (n > SESSION_CHUNK_MAX_SAMPLES)
		return chunk_error(r, "too many samples (%" PRIu64 ")", n);
	if (nthreads > n)
		return chunk_corrupt(r, "samples block has more threads than samples");
	if (reader_memory(r) + block_cost(n) > memory_budget(r->src.pos))
		return memory_error(r);
	if (r->nsamples + n > samples_budget(r->src.pos))
		return chunk_error(r, "the session holds more than %" PRIu64 " samples in its "
				   "first %" PRIu64 " bytes (a sample bomb?)",
				   samples_budget(r->src.pos), r->src.pos);
	b = profile_reserve_samples(r->p, (size_t)n);
	if (n > r->vals_cap) {
		r->vals = xreallocarray(r->vals, n, sizeof(*r->vals));
		r->vals_cap = n;
	}
	if (n > r->block_nodes_cap) {
		r->block_nodes = xreallocarray(r->block_nodes, n, sizeof(*r->block_nodes));
		r->block_nodes_cap = n;
	}
	if (nthreads > r->block_threads_cap) {
		r->block_threads = xreallocarray(r->block_threads, nthreads,
						 sizeof(*r->block_threads));
		r->block_threads_cap = nthreads;
	}
	for (k = 0; k < nthreads; k++) {
		uint64_t pid, tid;

		if (block_varint(&c, &pid) < 0 || block_varint(&c, &tid) < 0)
			return block_cut(r);
		if (pid > UINT32_MAX || tid > UINT32_MAX)
			return chunk_error(r, "samples block thread %" PRIu64
					   " has pid or tid out of range", k);
		r->block_threads[k] = pid << 32 | tid;
	}
	times_us = find_column(c, SESSION_COL_TIME_US, NULL, NULL);
	/* Column 11 or 13, which column 9 reads, comes after it: read first. */
	node_id = SESSION_COL_NODE_LEAF;
	if (!find_column(c, node_id, &enc, &node_col))
		node_id = SESSION_COL_NODE_NEW;
	if (find_column(c, node_id, &enc, &node_col)) {
		if (find_column(c, SESSION_COL_NODE, NULL, NULL) ||
		    (node_id == SESSION_COL_NODE_LEAF &&
		     find_column(c, SESSION_COL_NODE_NEW, NULL, NULL)))
			return chunk_corrupt(r, "samples block has two node columns");
		if (column_values(r, data, enc, &node_col, (size_t)n, &vals) < 0 ||
		    apply_column(r, vals, b, node_id, (size_t)n, (uint32_t)nthreads) < 0)
			return -1;
		have |= UINT64_C(1) << SESSION_COL_NODE;
	}
	/* The columns, up to the end of the block. */
	while (c.p < c.end) {
		struct block_cursor col;
		uint64_t id;

		if (block_varint(&c, &id) < 0 || c.p == c.end)
			return block_cut(r);
		enc = *c.p++;
		if (block_varint(&c, &v) < 0 || v > (uint64_t)(c.end - c.p))
			return block_cut(r);
		if (id <= prev)
			return chunk_corrupt(r, "samples block columns out of order");
		prev = id;
		col.p = c.p;
		col.end = c.p + v;
		c.p += v;
		/* Later minor versions' columns, and columns 11 and 13
		 * (read before): skipped. */
		if (id > SESSION_COL_LAST || id == SESSION_COL_NODE_NEW ||
		    id == SESSION_COL_NODE_LEAF)
			continue;
		/* Column 9 reads the nodes' column, and stands for column 8. */
		if (id == SESSION_COL_CHAIN_RECENT && !(have & UINT64_C(1) << SESSION_COL_NODE))
			return chunk_error(r, "samples block has no \"node\" column");
		if (id == SESSION_COL_CHAIN_RECENT && (have & UINT64_C(1) << SESSION_COL_CHAIN))
			return chunk_corrupt(r, "samples block has two chain columns");
		if (id == SESSION_COL_LOCATION_BY_CHAIN) {
			if (have & UINT64_C(1) << SESSION_COL_LOCATION)
				return chunk_corrupt(r, "samples block has two location columns");
			/* The chains, when no column gave them: none. */
			if (!(have & (UINT64_C(1) << SESSION_COL_CHAIN |
				      UINT64_C(1) << SESSION_COL_CHAIN_RECENT)))
				for (i = 0; i < n; i++)
					b[i].chain = PROFILE_NO_CHAIN;
			have |= UINT64_C(1) << SESSION_COL_LOCATION;
		}
		/* Column 10 reads the weights, cpus and events; a column 1
		 * beside it (flametop's first 1.9 writer kept one for older
		 * readers) is skipped. */
		if (id == SESSION_COL_TIME && times_us) {
			have |= UINT64_C(1) << id;
			continue;
		}
		if (id == SESSION_COL_TIME_US)
			for (k = SESSION_COL_WEIGHT; k <= SESSION_COL_EVENT; k++)
				if (k != SESSION_COL_NODE && k != SESSION_COL_THREAD &&
				    !(have & UINT64_C(1) << k))
					return chunk_error(r, "samples block has no \"%s\" column",
							   block_col_names[k]);
		if (column_values(r, data, enc, &col, (size_t)n, &vals) < 0 ||
		    apply_column(r, vals, b, (unsigned)id, (size_t)n, (uint32_t)nthreads) < 0)
			return -1;
		have |= UINT64_C(1) << id;
	}
	if (have & UINT64_C(1) << SESSION_COL_TIME_US)
		have |= UINT64_C(1) << SESSION_COL_TIME;
	for (k = SESSION_COL_TIME; k <= SESSION_COL_EVENT; k++)
		if (!(have & UINT64_C(1) << k))
			return chunk_error(r, "samples block has no \"%s\" column",
					   block_col_names[k]);
	/* The optional columns' defaults; the others were all there. */
	for (i = 0; i < n; i++) {
		if (!(have & UINT64_C(1) << SESSION_COL_LOCATION))
			b[i].location = PROFILE_NO_LOCATION;
		if (!(have & (UINT64_C(1) << SESSION_COL_CHAIN |
			      UINT64_C(1) << SESSION_COL_CHAIN_RECENT)))
			b[i].chain = PROFILE_NO_CHAIN;
		if (b[i].time > r->max_time)
			r->max_time = b[i].time;
	}
	profile_add_reserved_samples(r->p, (size_t)n);
	if (n > 0)
		r->time = b[n - 1].time;
	r->nsamples += n;
	r->data_chunks++;
	return 0;
}

static int tables_cut(struct reader *r, const char *block)
{
	char why[64];

	snprintf(why, sizeof(why), "%s block cut short", block);
	return chunk_corrupt(r, why);
}

/* The memory a table entry takes to load (its profile entry and map
 * slots, its id map entry), and what it counts against the values
 * budget: as its JSON [a, b] would (doc/session-format.md). */
#define TABLE_ENTRY_COST 64u
#define TABLE_ENTRY_VALUES 3u

/*
 * Reads a tables or chains block's (`block`) count of entries of `kind`
 * and its `ncols` columns of that many varints into r->vals (column k at
 * r->vals + k * n), after weighing what loading them costs. 0 or -1.
 */
static int tables_section(struct reader *r, struct block_cursor *c, const char *block,
			  const struct id_map *ids, const char *kind, unsigned ncols, uint64_t *n)
{
	uint64_t k;

	if (block_varint(c, n) < 0)
		return tables_cut(r, block);
	/* Each entry takes a byte of each column at least. */
	if (*n > (uint64_t)(c->end - c->p) / ncols)
		return tables_cut(r, block);
	if (ids->len + *n > SESSION_MAX_IDS)
		return chunk_error(r, "too many %s", kind);
	if (r->values + *n * TABLE_ENTRY_VALUES > values_budget(r->src.pos))
		return chunk_error(r, "the session holds more than %" PRIu64 " table entries in its "
				   "first %" PRIu64 " bytes (a hostile file?)",
				   values_budget(r->src.pos) / TABLE_ENTRY_VALUES, r->src.pos);
	r->values += *n * TABLE_ENTRY_VALUES;
	if (reader_memory(r) + *n * (TABLE_ENTRY_COST + ncols * sizeof(uint64_t)) >
	    memory_budget(r->src.pos))
		return memory_error(r);
	if (*n * ncols > r->vals_cap) {
		r->vals = xreallocarray(r->vals, *n * ncols, sizeof(*r->vals));
		r->vals_cap = *n * ncols;
	}
	for (k = 0; k < *n * ncols; k++)
		if (block_varint_fast(c, &r->vals[k]) < 0)
			return tables_cut(r, block);
	return 0;
}

/* The running value `*prev` moved by the zigzag delta `z`; false when it
 * leaves [0, max]. */
static bool add_delta(uint64_t *prev, uint64_t z, uint64_t max)
{
	int64_t v;

	if (__builtin_add_overflow((int64_t)*prev, session_unzigzag(z), &v) || v < 0 ||
	    (uint64_t)v > max)
		return false;
	*prev = (uint64_t)v;
	return true;
}

/* Values kept for the next chunk: a samples chunk's column of 65,536. */
#define VALS_KEEP 65536

/*
 * A tables chunk (1.6): the block of `len` bytes at `data`
 * (doc/session-format.md, "Tables chunk"): nodes, locations and chains,
 * appended as a data chunk's would be. 0 or -1.
 */
static int read_tables_chunk(struct reader *r, const unsigned char *data, size_t len)
{
	struct block_cursor c = { data, data + len };
	uint64_t n, i, back, v[2];

	if (r->have_end)
		return chunk_error(r, "a tables chunk after the end chunk");

	/* Each entry as a data chunk's JSON [a, b] would be, through the same checks. */
	if (tables_section(r, &c, "tables", &r->nodes, "nodes", 2, &n) < 0)
		return -1;
	for (i = 0, v[1] = 0; i < n; i++) {
		back = r->vals[i];
		if (back > r->nodes.len)
			return chunk_error(r, "node %" PRIu32 " has parent -%" PRIu64 " out of range",
					   r->nodes.len, back - r->nodes.len);
		v[0] = r->nodes.len - back;
		if (!add_delta(&v[1], r->vals[n + i], INT64_MAX))
			return chunk_error(r, "node %" PRIu32 " has a negative frame", r->nodes.len);
		if (add_node(r, v) < 0)
			return -1;
	}

	if (tables_section(r, &c, "tables", &r->locations, "locations", 2, &n) < 0)
		return -1;
	for (i = 0, v[0] = 0, v[1] = 0; i < n; i++) {
		if (!add_delta(&v[0], r->vals[i], INT64_MAX))
			return chunk_error(r, "location %" PRIu32 " has a negative frame",
					   r->locations.len);
		if (!add_delta(&v[1], r->vals[n + i], INT64_MAX))
			return chunk_error(r, "location %" PRIu32 " has its offset out of range",
					   r->locations.len);
		if (add_location(r, v) < 0)
			return -1;
	}

	if (tables_section(r, &c, "tables", &r->chains, "chains", 2, &n) < 0)
		return -1;
	for (i = 0, v[1] = 0; i < n; i++) {
		back = r->vals[i];
		if (back > r->chains.len)
			return chunk_error(r, "chain %" PRIu32 " has parent -%" PRIu64 " out of range",
					   r->chains.len, back - r->chains.len);
		v[0] = r->chains.len - back;
		if (!add_delta(&v[1], r->vals[n + i], INT64_MAX))
			return chunk_error(r, "chain %" PRIu32 " has a negative location", r->chains.len);
		if (add_chain(r, v) < 0)
			return -1;
	}
	if (c.p != c.end)
		return chunk_corrupt(r, "tables block has bytes left after its chains");
	/* The values of a long session's first tables (its whole call tree,
	 * megabytes) are not kept for the samples chunks, which need less. */
	if (r->vals_cap > VALS_KEEP) {
		free(r->vals);
		r->vals = NULL;
		r->vals_cap = 0;
	}
	return 0;
}

/* A chains block's code: what names chain `id` out of range. Returns -1. */
static int chains_range(struct reader *r, uint32_t id, const char *what, int64_t v)
{
	return chunk_error(r, "chain %" PRIu32 " names %s %" PRId64 " out of range", id, what, v);
}

/*
 * The node of chain `id` by its code `v` (doc/session-format.md, "Chains
 * chunk"), `cur` moved on; -1 with the error set when it names a node
 * the file has not defined.
 */
static int64_t chain_node(struct reader *r, uint32_t id, uint64_t v)
{
	struct session_chains_state *st = &r->chains_state;
	uint64_t at;
	int64_t n;

	if (v == 0) {
		if (st->cur >= r->nodes.len)
			return chains_range(r, id, "node", st->cur);
		n = st->cur++;
	} else if (v <= SESSION_CHAINS_SKIP_MAX) {
		at = st->cur + v - 1;
		if (at >= r->nodes.len)
			return chains_range(r, id, "node", (int64_t)at);
		n = node_info(r, (uint32_t)at, false);
		st->cur = (uint32_t)at;
	} else {
		if (__builtin_add_overflow((int64_t)st->cur,
					   session_unzigzag(v - SESSION_CHAINS_SKIP_MAX - 1), &n) ||
		    n < 0 || (uint64_t)n >= r->nodes.len)
			return chains_range(r, id, "node", n);
		if (n >= st->cur)
			st->cur = (uint32_t)n + 1;
	}
	return n;
}

/*
 * A chains chunk (1.12): the block of `len` bytes at `data`
 * (doc/session-format.md, "Chains chunk"): chains coded by the call
 * tree's nodes, appended as a tables chunk's would be. 0 or -1.
 */
static int read_chains_chunk(struct reader *r, const unsigned char *data, size_t len)
{
	struct session_chains_state *st = &r->chains_state;
	struct block_cursor c = { data, data + len };
	uint64_t n, i, e = 0, v[2];

	if (r->have_end)
		return chunk_error(r, "a chains chunk after the end chunk");
	if (tables_section(r, &c, "chains", &r->chains, "chains", 3, &n) < 0)
		return -1;
	if (c.p != c.end)
		return chunk_corrupt(r, "chains block has bytes left after its locations");
	/* The lists: a slot per node and per frame, and at most three lists a chain. */
	if (reader_memory(r) + ((uint64_t)r->nodes.len + r->frames.len) * sizeof(uint32_t) +
		    n * 3 * SESSION_RECENT_CHAINS * sizeof(uint32_t) >
	    memory_budget(r->src.pos))
		return memory_error(r);
	session_lists_keys(&st->by_node, r->nodes.len);
	session_lists_keys(&st->by_frame, r->frames.len);
	for (i = 0; i < n; i++) {
		uint64_t u = r->vals[n + i], w = r->vals[2 * n + i];
		uint32_t id = r->chains.len, list[SESSION_RECENT_CHAINS];
		int64_t node = chain_node(r, id, r->vals[i]);

		if (node < 0)
			return -1;
		if (node == 0 && (u < SESSION_RECENT_CHAINS || w < SESSION_RECENT_CHAINS))
			return chunk_error(r, "chain %" PRIu32 " has no node but names a list entry",
					   id);
		/* The parent: an entry of its node's parent's list, or how far back. */
		if (node)
			session_lists_get(&st->by_node, node_info(r, (uint32_t)node, false), list);
		if (u < SESSION_RECENT_CHAINS) {
			v[0] = list[u];
		} else {
			if (u - SESSION_RECENT_CHAINS >= id)
				return chains_range(r, id, "parent",
						    (int64_t)id - 1 - (int64_t)(u - SESSION_RECENT_CHAINS));
			v[0] = id - 1 - (u - SESSION_RECENT_CHAINS);
		}
		if (node)
			session_lists_use(&st->by_node, node_info(r, (uint32_t)node, false),
					  u < SESSION_RECENT_CHAINS ? (unsigned)u
								    : SESSION_RECENT_CHAINS - 1,
					  (uint32_t)v[0]);
		/* The location: an entry of its node's frame's list, or outright. */
		if (node)
			session_lists_get(&st->by_frame, node_info(r, (uint32_t)node, true), list);
		if (w < SESSION_RECENT_CHAINS) {
			v[1] = list[w];
		} else {
			if (!add_delta(&e, w - SESSION_RECENT_CHAINS, INT64_MAX))
				return chunk_error(r, "chain %" PRIu32 " has a negative location", id);
			v[1] = e;
		}
		if (v[1] == 0 || v[1] >= r->locations.len)
			return chains_range(r, id, "location", (int64_t)v[1]);
		if (node) {
			session_lists_use(&st->by_frame, node_info(r, (uint32_t)node, true),
					  w < SESSION_RECENT_CHAINS ? (unsigned)w
								    : SESSION_RECENT_CHAINS - 1,
					  (uint32_t)v[1]);
			session_lists_use(&st->by_node, (uint32_t)node, SESSION_RECENT_CHAINS - 1, id);
		}
		if (add_chain(r, v) < 0)
			return -1;
	}
	if (r->vals_cap > VALS_KEEP) {
		free(r->vals);
		r->vals = NULL;
		r->vals_cap = 0;
	}
	return 0;
}

/*
 * A data chunk's JSON, read without jansson, which builds a value (and an
 * array with its table for every tuple) for each entry: for a session of
 * many call-tree nodes, most of the time to open it. Only the shape the
 * writer gives a data chunk is taken here: one object of the tables and
 * "lost" and "throttled", each at most once, the tables arrays of tuples
 * of plain non-negative integers (or of strings of printable ASCII
 * without escapes), the counts integers, any of them null, with any JSON
 * whitespace. Anything else (an escape or a byte outside printable ASCII
 * in a string, a number jansson would read otherwise, another member such
 * as the JSON samples before 1.5, anything malformed) is left to jansson,
 * as every chunk was before: this only makes the common case cheaper, and
 * the same text loads the same profile, or fails with the same error,
 * either way.
 */
enum { DC_STRINGS, DC_FRAMES, DC_NODES, DC_LOCATIONS, DC_CHAINS, DC_THREADS, DC_NTABLES };

/* The members, in the order read_data_chunk loads them; then the counts. */
static const struct {
	const char *key;
	unsigned width; /* integers per tuple; 0: strings */
} dc_members[DC_NTABLES + 2] = {
	{ "strings", 0 }, { "frames", 3 },  { "nodes", 2 }, { "locations", 2 },
	{ "chains", 2 },  { "threads", 3 }, { "lost", 0 },  { "throttled", 0 },
};

struct data_chunk {
	uint64_t *vals[DC_NTABLES]; /* per entry, its integers; a string's offset and length */
	size_t n[DC_NTABLES], cap[DC_NTABLES];
	uint64_t lost, throttled;
};

/* Reads the text at p up to end. */
struct json_cursor {
	const char *start, *p, *end;
};

static void jc_space(struct json_cursor *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\n' || *c->p == '\r' || *c->p == '\t'))
		c->p++;
}

/* Whether `ch` comes next (after whitespace), consumed if so. */
static bool jc_char(struct json_cursor *c, char ch)
{
	jc_space(c);
	if (c->p < c->end && *c->p == ch) {
		c->p++;
		return true;
	}
	return false;
}

static bool jc_null(struct json_cursor *c)
{
	jc_space(c);
	if (c->end - c->p >= 4 && memcmp(c->p, "null", 4) == 0) {
		c->p += 4;
		return true;
	}
	return false;
}

/* An integer of 1 to 18 digits without a leading zero: below 2^63. */
static bool jc_uint(struct json_cursor *c, uint64_t *v)
{
	uint64_t x = 0;
	size_t k;

	jc_space(c);
	for (k = 0; k <= 18 && k < (size_t)(c->end - c->p) && c->p[k] >= '0' && c->p[k] <= '9'; k++)
		x = x * 10 + (uint64_t)(c->p[k] - '0');
	if (k == 0 || k > 18 || (k > 1 && c->p[0] == '0'))
		return false;
	c->p += k;
	*v = x;
	return true;
}

/* A string of printable ASCII without escapes: its offset and length. */
static bool jc_string(struct json_cursor *c, uint64_t *off, uint64_t *len)
{
	const char *q;

	jc_space(c);
	if (c->p == c->end || *c->p != '"')
		return false;
	for (q = c->p + 1; q < c->end && *q != '"'; q++)
		if (*q < 0x20 || *q > 0x7e || *q == '\\')
			return false;
	if (q == c->end)
		return false;
	*off = (uint64_t)(c->p + 1 - c->start);
	*len = (uint64_t)(q - c->p - 1);
	c->p = q + 1;
	return true;
}

/* Room for one more entry of table `t` (`w` values). */
static uint64_t *dc_room(struct data_chunk *d, unsigned t, unsigned w)
{
	if (d->n[t] == d->cap[t]) {
		d->cap[t] = d->cap[t] ? d->cap[t] * 2 : 64;
		d->vals[t] = xreallocarray(d->vals[t], d->cap[t], w * sizeof(*d->vals[t]));
	}
	return d->vals[t] + d->n[t] * w;
}

/* Table `t`: an array of tuples (or strings). */
static bool jc_table(struct json_cursor *c, struct data_chunk *d, unsigned t)
{
	unsigned width = dc_members[t].width, k;

	if (!jc_char(c, '['))
		return false;
	if (jc_char(c, ']'))
		return true;
	do {
		uint64_t *v = dc_room(d, t, width ? width : 2);

		if (!width) {
			if (!jc_string(c, &v[0], &v[1]))
				return false;
		} else {
			if (!jc_char(c, '['))
				return false;
			for (k = 0; k < width; k++)
				if ((k && !jc_char(c, ',')) || !jc_uint(c, &v[k]))
					return false;
			if (!jc_char(c, ']'))
				return false;
		}
		d->n[t]++;
	} while (jc_char(c, ','));
	return jc_char(c, ']');
}

/* Whether `text` is a data chunk of the writer's shape, read into d. */
static bool parse_data_chunk(const char *text, size_t len, struct data_chunk *d)
{
	struct json_cursor c = { text, text, text + len };
	unsigned seen = 0, m;

	if (!jc_char(&c, '{'))
		return false;
	if (!jc_char(&c, '}')) {
		do {
			uint64_t off, klen;

			if (!jc_string(&c, &off, &klen) || !jc_char(&c, ':'))
				return false;
			for (m = 0; m < ARRAY_SIZE(dc_members); m++)
				if (strlen(dc_members[m].key) == klen &&
				    memcmp(dc_members[m].key, text + off, klen) == 0)
					break;
			if (m == ARRAY_SIZE(dc_members) || (seen & 1u << m))
				return false; /* another member, or one twice */
			seen |= 1u << m;
			if (jc_null(&c))
				continue;
			if (m < DC_NTABLES) {
				if (!jc_table(&c, d, m))
					return false;
			} else if (!jc_uint(&c, m == DC_NTABLES ? &d->lost : &d->throttled)) {
				return false;
			}
		} while (jc_char(&c, ','));
		if (!jc_char(&c, '}'))
			return false;
	}
	jc_space(&c);
	return c.p == c.end;
}

/*
 * Loads a data chunk parse_data_chunk read, as read_data_chunk would;
 * its strings are ended in `text` in place. 0 or -1.
 */
static int load_data_chunk(struct reader *r, char *text, const struct data_chunk *d)
{
	unsigned t;
	size_t i;

	if (r->have_end)
		return chunk_error(r, "a data chunk after the end chunk");
	for (t = 0; t < DC_NTABLES; t++) {
		for (i = 0; i < d->n[t]; i++) {
			const uint64_t *v =
				d->vals[t] + i * (dc_members[t].width ? dc_members[t].width : 2);
			int ret;

			switch (t) {
			case DC_STRINGS:
				text[v[0] + v[1]] = '\0'; /* the closing quote */
				ret = add_string(r, text + v[0], (size_t)v[1]);
				break;
			case DC_FRAMES:
				ret = add_frame(r, v);
				break;
			case DC_NODES:
				ret = add_node(r, v);
				break;
			case DC_LOCATIONS:
				ret = add_location(r, v);
				break;
			case DC_CHAINS:
				ret = add_chain(r, v);
				break;
			default:
				ret = add_thread(r, i, v);
				break;
			}
			if (ret < 0)
				return -1;
		}
	}
	r->lost = add_sat(r->lost, d->lost);
	r->throttled = add_sat(r->throttled, d->throttled);
	r->data_chunks++;
	return 0;
}

/*
 * Loads a JSON chunk (header, data, end) from its inflated `text` of
 * `ulen` bytes, after weighing what parsing it would cost. 0 or -1.
 */
static int read_json_chunk(struct reader *r, uint32_t type, char *text, uint32_t ulen)
{
	uint64_t values, arrays, objects;
	json_error_t jerr;
	json_t *obj;
	int ret;

	/* JSON that takes long to parse, or expands in the parser. */
	count_json(text, ulen, &values, &arrays, &objects);
	if (r->values + values > values_budget(r->src.pos))
		return chunk_error(r, "the session holds more than %" PRIu64 " JSON values in its "
				   "first %" PRIu64 " bytes (a hostile file?)",
				   values_budget(r->src.pos), r->src.pos);
	r->values += values;
	if (reader_memory(r) + ulen + parse_cost(ulen, values, arrays, objects) >
	    memory_budget(r->src.pos))
		return memory_error(r);
	if (type == SESSION_CHUNK_DATA) {
		struct data_chunk d;
		unsigned t;

		memset(&d, 0, sizeof(d));
		ret = parse_data_chunk(text, ulen, &d) ? load_data_chunk(r, text, &d) : 1;
		for (t = 0; t < DC_NTABLES; t++)
			free(d.vals[t]);
		if (ret <= 0)
			return ret;
	}
	obj = json_loadb(text, ulen, JSON_REJECT_DUPLICATES, &jerr);
	if (!obj) {
		char why[64];

		snprintf(why, sizeof(why), "invalid JSON at byte %d", jerr.position);
		return chunk_corrupt(r, why);
	}
	if (!json_is_object(obj)) {
		ret = chunk_corrupt(r, "not a JSON object");
		goto out_json;
	}
	switch (type) {
	case SESSION_CHUNK_HEADER:
		ret = read_header_chunk(r, obj);
		break;
	case SESSION_CHUNK_DATA:
		ret = read_data_chunk(r, obj);
		break;
	default:
		ret = read_end_chunk(r, obj);
		break;
	}
out_json:
	json_decref(obj);
	return ret;
}

/* Decodes one known chunk at r->chunk_off, of checksum `crc`, and loads it. 0 or -1. */
static int read_chunk(struct reader *r, uint32_t type, const unsigned char *payload,
		      uint32_t clen, uint32_t ulen, uint32_t crc)
{
	char *text;
	int ret;

	if (ulen > SESSION_CHUNK_MAX_BYTES) {
		error_set(r->err, "%s: chunk %u at offset %zu is too large (%" PRIu32
			  " bytes uncompressed, the limit is %u)",
			  r->name, r->chunk_no, r->chunk_off, ulen, SESSION_CHUNK_MAX_BYTES);
		return -1;
	}
	if (ulen < 2 || (uint64_t)ulen > (uint64_t)clen * SESSION_MAX_RATIO)
		return chunk_corrupt(r, "length mismatch");
	/* A decompression bomb is found before it goes off. */
	if (r->inflated + ulen > inflate_budget(r->src.pos))
		return chunk_error(r, "the session inflates to more than %" PRIu64 " MiB "
				   "from its first %" PRIu64 " bytes (a decompression bomb?)",
				   inflate_budget(r->src.pos) >> 20, r->src.pos);
	r->inflated += ulen;
	if (reader_memory(r) + ulen > memory_budget(r->src.pos))
		return memory_error(r);
	/* The chunks after this one inflate ahead, where it pays: a regular
	 * file read whole (not a scan), past its header chunk. */
	if (!r->ahead_tried && !r->scan && type != SESSION_CHUNK_HEADER && r->src.fd >= 0 &&
	    r->src.regular) {
		struct ahead_budget b = { r->inflated, SESSION_READ_INFLATE_BASE,
					  SESSION_READ_INFLATE_RATIO };

		/* The known types but the samples a pass skips. */
		uint32_t types = ((UINT32_C(2) << SESSION_CHUNK_LAST) - 2) &
				 ~(r->skip_samples ? UINT32_C(1) << SESSION_CHUNK_SAMPLES : 0);

		r->ahead_tried = true;
		r->ahead = ahead_start(r->src.fd, r->src.pos, types, &b);
	}
	text = r->ahead ? ahead_take(r->ahead, r->chunk_off, type, clen, ulen, crc, &r->decoded)
			: NULL;
	if (!text)
		text = inflate_payload(r, payload, clen, ulen);
	if (!text)
		return -1;
	if (type == SESSION_CHUNK_SAMPLES)
		ret = read_samples_chunk(r, (const unsigned char *)text, ulen);
	else if (type == SESSION_CHUNK_TABLES)
		ret = read_tables_chunk(r, (const unsigned char *)text, ulen);
	else if (type == SESSION_CHUNK_CHAINS)
		ret = read_chains_chunk(r, (const unsigned char *)text, ulen);
	else
		ret = read_json_chunk(r, type, text, ulen);
	block_decoded_free(r->decoded);
	r->decoded = NULL;
	free(text);
	if (ret == 0)
		r->loaded++;
	return ret;
}

static bool all_zero(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* Reads up to `n` bytes of `fd` into `buf`; fewer only at its end. -errno. */
static ssize_t read_full(int fd, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t k = read(fd, (char *)buf + got, n - got);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		if (k == 0)
			break;
		got += (size_t)k;
	}
	return (ssize_t)got;
}

/*
 * The next `n` bytes of the file: *out points at them (into the buffer
 * for session_read_mem, into the source's buffer for a descriptor, valid
 * until the next call). Returns how many there are, fewer than `n` only at
 * the end of the file (or after a read error, in src.error). A descriptor's
 * buffer grows only as bytes actually arrive, so a length in a chunk
 * header that lies costs nothing.
 */
static size_t source_get(struct reader *r, size_t n, const unsigned char **out)
{
	struct source *s = &r->src;
	size_t got = 0;

	if (s->mem) {
		size_t left = s->mem_size - (size_t)s->pos;

		got = n < left ? n : left;
		*out = s->mem + s->pos;
		s->pos += got;
		return got;
	}
	s->buf = xbuf_shrink(s->buf, &s->buf_cap, n);
	while (got < n) {
		size_t want = n - got < (1u << 20) ? n - got : (1u << 20);
		ssize_t k;

		if (got + want > s->buf_cap) {
			size_t cap = s->buf_cap ? s->buf_cap : 4096;

			while (cap < got + want)
				cap *= 2;
			s->buf = xrealloc(s->buf, cap);
			s->buf_cap = cap;
		}
		k = read_full(s->fd, s->buf + got, want);
		if (k < 0) {
			s->error = (int)-k;
			break;
		}
		got += (size_t)k;
		if ((size_t)k < want)
			break;
	}
	*out = s->buf;
	s->pos += got;
	return got;
}

/* Bytes left after the current position, when the source knows. */
static bool source_left(const struct reader *r, uint64_t *left)
{
	const struct source *s = &r->src;

	if (s->mem)
		*left = s->mem_size - s->pos;
	else if (s->regular)
		*left = s->file_size > s->pos ? s->file_size - s->pos : 0;
	else
		return false;
	return true;
}

/* Whether the file ends here (a descriptor: reads one byte to see). */
static bool source_at_end(struct reader *r)
{
	const unsigned char *p;

	return source_get(r, 1, &p) == 0;
}

/*
 * Whether everything after the current position is zero bytes. A regular
 * file's holes are skipped with SEEK_DATA, so a sparse giant costs only
 * the bytes it stores.
 */
static bool source_zero_tail(struct reader *r)
{
	struct source *s = &r->src;
	unsigned char block[1 << 16];

	if (s->mem)
		return all_zero(s->mem + s->pos, s->mem_size - s->pos);
	for (;;) {
		ssize_t k;

		if (s->regular) {
			off_t data = lseek(s->fd, (off_t)s->pos, SEEK_DATA);

			if (data < 0)
				return errno == ENXIO; /* only holes up to the end */
			s->pos = (uint64_t)data;
			k = pread(s->fd, block, sizeof(block), data);
		} else {
			k = read_full(s->fd, block, sizeof(block));
		}
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k == 0;
		if (!all_zero(block, (size_t)k))
			return false;
		s->pos += (uint64_t)k;
	}
}

/* The size of the whole file, reading a pipe to its end (bytes dropped). */
static uint64_t source_total(struct reader *r)
{
	struct source *s = &r->src;
	unsigned char block[1 << 16];
	struct stat st;
	ssize_t k;

	if (s->mem)
		return s->mem_size;
	if (s->regular && fstat(s->fd, &st) == 0)
		return (uint64_t)st.st_size > s->pos ? (uint64_t)st.st_size : s->pos;
	while ((k = read_full(s->fd, block, sizeof(block))) > 0)
		s->pos += (uint64_t)k;
	return s->pos;
}

enum walk_result { WALK_ERROR = -1, WALK_EOF = 0, WALK_CUT = 1, WALK_MORE = 2 };

/*
 * Reads the next chunk after the file header. Returns WALK_MORE when it
 * read one, WALK_EOF when the file ended after a whole chunk, WALK_CUT
 * (with *cut at the bad chunk's offset) when its tail is cut off or torn,
 * WALK_ERROR with the error set.
 */
static enum walk_result walk_chunk(struct reader *r, uint64_t *cut)
{
	unsigned char h[SESSION_CHUNK_HEADER_LEN];
	const unsigned char *p;
	uint32_t type, clen, ulen, crc;
	uint64_t left;
	size_t got;

	*cut = r->src.pos;
	got = source_get(r, SESSION_CHUNK_HEADER_LEN, &p);
	if (r->src.error)
		goto out_read_error;
	if (got == 0)
		return WALK_EOF;
	r->chunk_no++;
	r->chunk_off = (size_t)*cut;
	if (got < SESSION_CHUNK_HEADER_LEN)
		return WALK_CUT;
	if (r->chunk_no > SESSION_MAX_CHUNKS)
		return chunk_error(r, "more than %u chunks in one file", SESSION_MAX_CHUNKS);
	memcpy(h, p, sizeof(h));
	type = session_get_u32(h);
	clen = session_get_u32(h + 4);
	ulen = session_get_u32(h + 8);
	crc = session_get_u32(h + 12);
	if (source_left(r, &left) && clen > left)
		return WALK_CUT;
	if (type == SESSION_CHUNK_INVALID) {
		if (all_zero(h, sizeof(h)) && source_zero_tail(r))
			return WALK_CUT; /* unwritten blocks after a power loss */
		return chunk_corrupt(r, "invalid chunk type 0");
	}
	got = source_get(r, clen, &p);
	if (r->src.error)
		goto out_read_error;
	if (got < clen)
		return WALK_CUT;
	if (libdeflate_crc32(0, p, clen) != crc) {
		if (source_at_end(r))
			return WALK_CUT; /* the last chunk, torn */
		return chunk_corrupt(r, "checksum mismatch");
	}
	if (!r->have_header && type != SESSION_CHUNK_HEADER)
		return chunk_error(r, "the first chunk is not a header chunk (type %" PRIu32 ")",
				   type);
	if (r->have_header && type == SESSION_CHUNK_HEADER)
		return chunk_error(r, "a second header chunk");
	/* A scan reads only the header and end chunks, a pass that skips
	 * samples all but samples chunks. */
	if ((r->scan && type != SESSION_CHUNK_HEADER && type != SESSION_CHUNK_END) ||
	    (r->skip_samples && type == SESSION_CHUNK_SAMPLES)) {
		r->data_chunks += type == SESSION_CHUNK_DATA || type == SESSION_CHUNK_SAMPLES;
		return WALK_MORE;
	}
	/* Unknown types are a later minor version's: skipped. */
	if (type <= SESSION_CHUNK_LAST && read_chunk(r, type, p, clen, ulen, crc) < 0)
		return WALK_ERROR;
	return WALK_MORE;
out_read_error:
	error_set(r->err, "%s: %s", r->name, strerror(r->src.error));
	return WALK_ERROR;
}

/* Whether a writer holds its lock on the regular file `fd` (is writing it
 * now). Takes no lock and never waits. */
static bool being_written(int fd)
{
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		flock(fd, LOCK_UN);
		return false;
	}
	return errno == EWOULDBLOCK;
}

/* Sets the error for a file that holds too little to read (`what`: cut
 * short so), or, when its writer is still at it, says it is being
 * recorded and has written nothing to show yet. */
static void too_little(struct reader *r, const char *what)
{
	if (r->src.regular && being_written(r->src.fd))
		error_set(r->err,
			  "%s: still being recorded, and nothing written yet (the first "
			  "samples come a second or so after it starts)",
			  r->name);
	else
		error_set(r->err, "%s: %s", r->name, what);
}

/* Reads and checks the 16-byte file header. 0, or -1 with the error set. */
static int read_file_header(struct reader *r)
{
	const unsigned char *p;
	size_t got = source_get(r, SESSION_FILE_HEADER_LEN, &p);
	size_t n = got < SESSION_MAGIC_LEN ? got : SESSION_MAGIC_LEN;
	unsigned major, minor;

	if (r->src.error) {
		error_set(r->err, "%s: %s", r->name, strerror(r->src.error));
		return -1;
	}
	if (got == 0) {
		too_little(r, "empty file");
		return -1;
	}
	if (memcmp(p, SESSION_MAGIC, n) != 0) {
		error_set(r->err, "%s: not a flametop session (bad magic)", r->name);
		return -1;
	}
	if (got < SESSION_FILE_HEADER_LEN) {
		too_little(r, "truncated in the file header");
		return -1;
	}
	memcpy(r->file_header, p, SESSION_FILE_HEADER_LEN);
	major = session_get_u16(r->file_header + 8);
	minor = session_get_u16(r->file_header + 10);
	if (major != SESSION_VERSION_MAJOR) {
		error_set(r->err,
			  "%s: unsupported session format version %u.%u (this flametop reads %u.x)",
			  r->name, major, minor, SESSION_VERSION_MAJOR);
		return -1;
	}
	/* The flags word is reserved: written as 0, ignored on reading. */
	return 0;
}

/* Reads the file header and readies the profile. 0, or -1 with the error set. */
static int reader_begin(struct reader *r)
{
	if (read_file_header(r) < 0)
		return -1;
	r->p = profile_new();
	id_map_push(&r->nodes, PROFILE_ROOT);
	id_map_push(&r->locations, PROFILE_NO_LOCATION);
	id_map_push(&r->chains, PROFILE_NO_CHAIN);
	return 0;
}

/*
 * After the walk ended with `walk` (WALK_EOF or WALK_CUT at `cut`): checks
 * that the file held something, and fills the profile's metadata from the
 * end chunk (or from what was read, for a file cut short) and `info`. 0,
 * or -1 with the error set.
 */
static int reader_end(struct reader *r, enum walk_result walk, uint64_t cut,
		      struct session_read_info *info)
{
	if (!r->have_header) {
		too_little(r, "truncated in the header chunk");
		return -1;
	}
	if (!r->have_end && r->data_chunks == 0) {
		too_little(r, "truncated before any data was saved");
		return -1;
	}
	r->p->meta.duration_ns = r->have_end ? r->end_duration : r->max_time;
	r->p->meta.lost = r->have_end ? r->end_lost : r->lost;
	r->p->meta.throttled = r->have_end ? r->end_throttled : r->throttled;
	r->p->meta.recorder_peak_rss = r->end_peak_rss; /* 0 without an end chunk, or before 1.1 */
	r->p->folded = r->end_folded; /* the recorder's folds (1.3); 0 without an end chunk */
	if (info) {
		info->version_major = session_get_u16(r->file_header + 8);
		info->version_minor = session_get_u16(r->file_header + 10);
		info->chunks = r->loaded;
		info->complete = r->have_end;
		info->recording = !r->have_end && r->src.regular && being_written(r->src.fd);
		info->skipped_bytes = walk == WALK_CUT ? source_total(r) - cut : 0;
	}
	return 0;
}

/* Frees what the reader holds but its profile. */
static void reader_release(struct reader *r)
{
	free(r->strings.ids);
	free(r->frames.ids);
	free(r->nodes.ids);
	free(r->locations.ids);
	free(r->chains.ids);
	free(r->vals);
	free(r->block_threads);
	free(r->block_nodes);
	session_recent_free(&r->recent);
	session_leaves_free(&r->leaves);
	session_chains_free(&r->chains_state);
	free(r->node_parent);
	free(r->node_frame);
	session_times_free(r->times);
	free(r->event_ns);
	ahead_stop(r->ahead);
	libdeflate_free_decompressor(r->inflater);
	free(r->src.buf);
}

/* Reads the session from `r->src`. The profile (caller frees) or NULL. */
static struct profile *read_session(struct reader *r, struct session_read_info *info)
{
	struct profile *p = NULL;
	enum walk_result walk = WALK_ERROR;
	uint64_t cut = 0;

	if (reader_begin(r) == 0) {
		do
			walk = walk_chunk(r, &cut);
		while (walk == WALK_MORE);
	}
	if (walk != WALK_ERROR && reader_end(r, walk, cut, info) == 0) {
		p = r->p;
		r->p = NULL;
	}
	profile_free(r->p);
	reader_release(r);
	return p;
}

struct profile *session_read_mem(const void *data, size_t size, const char *name,
				 struct session_read_info *info, struct ft_error *err)
{
	struct reader r;

	memset(&r, 0, sizeof(r));
	session_chains_init(&r.chains_state);
	r.src.mem = size ? data : (const unsigned char *)"";
	r.src.mem_size = size;
	r.src.fd = -1;
	r.name = name;
	r.err = err;
	return read_session(&r, info);
}

/* Opens `path` for reading a session: a regular file or a pipe. The
 * descriptor, or -1 with `err` set; *st is its fstat. */
static int open_session(const char *path, struct stat *st, struct ft_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0) {
		error_set(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, st) < 0) {
		error_set(err, "%s: %s", path, strerror(errno));
		goto out_fd;
	}
	if (S_ISDIR(st->st_mode)) {
		error_set(err, "%s: is a directory", path);
		goto out_fd;
	}
	/* A device such as /dev/zero never ends; pipes are fine. */
	if (!S_ISREG(st->st_mode) && !S_ISFIFO(st->st_mode)) {
		error_set(err, "%s: not a regular file", path);
		goto out_fd;
	}
	return fd;
out_fd:
	close(fd);
	return -1;
}

/* `r` reading descriptor `fd` (of stat `st`), named `name` in messages. */
static void reader_init_fd(struct reader *r, int fd, const struct stat *st, const char *name,
			   struct ft_error *err)
{
	memset(r, 0, sizeof(*r));
	session_chains_init(&r->chains_state);
	r->src.fd = fd;
	r->src.regular = S_ISREG(st->st_mode);
	r->src.file_size = (uint64_t)st->st_size;
	r->name = name;
	r->err = err;
}

struct profile *session_read(const char *path, struct session_read_info *info,
			     struct ft_error *err)
{
	struct profile *p;
	struct reader r;
	struct stat st;
	int fd = open_session(path, &st, err);

	if (fd < 0)
		return NULL;
	reader_init_fd(&r, fd, &st, path, err);
	p = read_session(&r, info);
	close(fd);
	return p;
}

struct session_reader {
	struct reader r;
	char *name;
	int fd;
	dev_t dev;
	ino_t ino;
	bool regular;
	bool spooled; /* fd is the temporary copy of the pipe `name` */
	enum walk_result walk; /* of the last chunk: WALK_MORE until the end */
	uint64_t cut;
	bool taken; /* the profile is the caller's */
};

/* A reader of descriptor `fd` (of stat `st`), its header chunk read; NULL
 * with `err` set (the descriptor is closed in every case but success). */
static struct session_reader *reader_start(int fd, const struct stat *st, const char *path,
					   struct ft_error *err)
{
	struct session_reader *sr = xcalloc(1, sizeof(*sr));

	sr->name = xstrdup(path);
	sr->fd = fd;
	sr->dev = st->st_dev;
	sr->ino = st->st_ino;
	sr->regular = S_ISREG(st->st_mode);
	reader_init_fd(&sr->r, fd, st, sr->name, err);
	if (reader_begin(&sr->r) < 0)
		goto out_fail;
	/* The header chunk (walk_chunk wants it first). */
	sr->walk = walk_chunk(&sr->r, &sr->cut);
	if (sr->walk == WALK_ERROR)
		goto out_fail;
	if (!sr->r.have_header) {
		too_little(&sr->r, "truncated in the header chunk");
		goto out_fail;
	}
	return sr;
out_fail:
	session_reader_free(sr);
	return NULL;
}

/* The most of a pipe copied to a temporary file (more is refused), and
 * what it is copied by. */
#define SPOOL_MAX ((uint64_t)64 << 30)
#define SPOOL_BUF (64u << 10)

/*
 * Copies the rest of the pipe `in` (named `path`) to `tmp`, a temporary
 * file, and rewinds it; closes `in`. Past the first bytes, only a flametop
 * session is copied: anything else stops there (the reader then says what
 * it is), so that an endless stream of something else never fills the
 * disk. 0, or -1 with `err` set.
 */
static int spool_pipe(int in, int tmp, const char *path, struct ft_error *err)
{
	char *buf = xmalloc(SPOOL_BUF);
	uint64_t total = 0;
	bool session = true;
	int ret = -1;

	while (session) {
		ssize_t n = read(in, buf, SPOOL_BUF), w;
		size_t off = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			error_set(err, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		if (total < SESSION_MAGIC_LEN) {
			size_t k = SESSION_MAGIC_LEN - (size_t)total;

			session = memcmp(buf, SESSION_MAGIC + total,
					 (size_t)n < k ? (size_t)n : k) == 0;
		}
		if (total + (uint64_t)n > SPOOL_MAX) {
			error_set(err, "%s: a pipe of more than %llu GiB: save it to a file first",
				  path, (unsigned long long)(SPOOL_MAX >> 30));
			goto out;
		}
		while (off < (size_t)n) {
			w = write(tmp, buf + off, (size_t)n - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				error_set(err,
					  "%s: cannot copy the pipe to a temporary file in %s: %s "
					  "(TMPDIR chooses the directory)",
					  path, ft_tmpdir(),
					  w < 0 ? strerror(errno) : "short write");
				goto out;
			}
			off += (size_t)w;
		}
		total += (uint64_t)n;
	}
	if (lseek(tmp, 0, SEEK_SET) != 0) {
		error_set(err, "%s: cannot read back its copy: %s", path, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	free(buf);
	close(in);
	return ret;
}

struct session_reader *session_reader_open(const char *path, struct ft_error *err)
{
	struct session_reader *sr;
	struct stat st;
	int fd = open_session(path, &st, err), tmp;

	if (fd < 0)
		return NULL;
	if (!S_ISFIFO(st.st_mode) || (tmp = ft_tmpfile("pipe")) < 0)
		return reader_start(fd, &st, path, err);
	if (spool_pipe(fd, tmp, path, err) < 0) {
		close(tmp);
		return NULL;
	}
	if (fstat(tmp, &st) < 0) {
		error_set(err, "%s: cannot read back its copy: %s", path, strerror(errno));
		close(tmp);
		return NULL;
	}
	sr = reader_start(tmp, &st, path, err);
	if (sr)
		sr->spooled = true;
	return sr;
}

struct session_reader *session_reader_reopen(const struct session_reader *played,
					     struct ft_error *err)
{
	struct session_reader *sr;
	struct stat st;
	int fd;

	if (!played->regular) {
		error_set(err, "%s is not a regular file: it could be read only once",
			  played->name);
		return NULL;
	}
	if (played->spooled) {
		/* The copy of the pipe, opened anew (an offset of its own). */
		char again[64];

		snprintf(again, sizeof(again), "/proc/self/fd/%d", played->fd);
		fd = open(again, O_RDONLY | O_CLOEXEC);
	} else {
		/* Non-blocking: a FIFO put at the name since must not block us. */
		fd = open(played->name, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	}
	if (fd < 0) {
		error_set(err, "%s: %s", played->name, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_dev != played->dev ||
	    st.st_ino != played->ino) {
		error_set(err, "%s was replaced since it was opened", played->name);
		close(fd);
		return NULL;
	}
	sr = reader_start(fd, &st, played->name, err);
	if (sr)
		sr->spooled = played->spooled;
	return sr;
}

int session_reader_scan(const struct session_reader *played, uint64_t *duration,
			struct ft_error *err)
{
	struct session_reader *sr = session_reader_reopen(played, err);
	int ret;

	*duration = 0;
	if (!sr)
		return -1;
	sr->r.scan = true;
	while (sr->walk == WALK_MORE)
		sr->walk = walk_chunk(&sr->r, &sr->cut);
	ret = sr->walk == WALK_ERROR ? -1 : 0;
	if (sr->walk == WALK_EOF && sr->r.have_end && sr->r.end_has_duration) {
		*duration = sr->r.end_duration;
		ret = 1;
	}
	session_reader_free(sr);
	return ret;
}

int session_reader_step(struct session_reader *sr, size_t min_samples, struct ft_error *err)
{
	sr->r.err = err;
	while (sr->walk == WALK_MORE) {
		if (sr->r.p->nsamples >= min_samples)
			return 1;
		sr->walk = walk_chunk(&sr->r, &sr->cut);
	}
	return sr->walk == WALK_ERROR ? -1 : 0;
}

struct profile *session_reader_profile(struct session_reader *sr)
{
	return sr->r.p;
}

struct profile *session_reader_take(struct session_reader *sr)
{
	sr->taken = true;
	return sr->r.p;
}

int session_reader_end(struct session_reader *sr, struct session_read_info *info,
		       struct ft_error *err)
{
	sr->r.err = err;
	assert(sr->walk == WALK_EOF || sr->walk == WALK_CUT);
	return reader_end(&sr->r, sr->walk, sr->cut, info);
}

void session_reader_skip_samples(struct session_reader *sr)
{
	sr->r.skip_samples = true;
}

bool session_reader_regular(const struct session_reader *sr)
{
	return sr->regular;
}

void session_reader_free(struct session_reader *sr)
{
	if (!sr)
		return;
	if (!sr->taken)
		profile_free(sr->r.p);
	reader_release(&sr->r);
	close(sr->fd);
	free(sr->name);
	free(sr);
}

void session_read_notice(struct ft_notice *n, const char *name,
			 const struct session_read_info *info)
{
	if (info->complete)
		return;
	if (info->recording) {
		notice_say(n, NULL,
			   "%s: the session is still being recorded; showing the %u chunks written "
			   "so far",
			   name, info->chunks);
		return;
	}
	notice_say(n, NULL,
		   "%s: the recording did not finish (the recorder was killed?); loaded %u chunks, "
		   "skipped %llu bytes at the end",
		   name, info->chunks, (unsigned long long)info->skipped_bytes);
}
