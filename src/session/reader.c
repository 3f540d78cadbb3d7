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
 */
#include "config.h"

#include "flametop/session.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "flametop/profile.h"
#include "flametop/util.h"
#include "format.h"

/* File ids -> profile ids, for one kind of id. */
struct id_map {
	uint32_t *ids;
	uint32_t len, cap;
};

struct reader {
	const unsigned char *data;
	size_t size;
	const char *name;
	struct ft_error *err;
	struct profile *p;

	struct id_map strings, frames, nodes, locations;

	unsigned chunk_no; /* 1-based, of the chunk being read */
	size_t chunk_off;
	unsigned loaded; /* chunks loaded */
	unsigned data_chunks;
	bool have_header, have_end;

	uint64_t time; /* of the previous sample, ns since the start */
	uint64_t max_time;
	uint64_t nsamples;
	uint64_t lost, throttled;
	uint64_t end_duration, end_lost, end_throttled, end_peak_rss;
};

static void id_map_push(struct id_map *m, uint32_t id)
{
	if (m->len == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 256;
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

		if (!json_is_string(name) || !json_is_string(unit))
			return chunk_error(r, "event %zu is not {\"name\", \"unit\"}", i);
		profile_add_event(p, json_string_value(name), json_string_value(unit));
	}
	r->have_header = true;
	return 0;
}

static int read_strings(struct reader *r, json_t *arr)
{
	size_t i;

	for (i = 0; i < json_array_size(arr); i++) {
		json_t *s = json_array_get(arr, i);

		if (!json_is_string(s))
			return chunk_error(r, "string %" PRIu32 " is not a string", r->strings.len);
		if (r->strings.len >= SESSION_MAX_IDS)
			return chunk_error(r, "too many strings");
		id_map_push(&r->strings, profile_intern_string(r->p, json_string_value(s)));
	}
	return 0;
}

static int read_frames(struct reader *r, json_t *arr)
{
	size_t i;

	for (i = 0; i < json_array_size(arr); i++) {
		uint32_t id = r->frames.len;
		uint64_t f[3];

		if (get_tuple(json_array_get(arr, i), 3, f) < 0)
			return chunk_error(r, "frame %" PRIu32 " is not [name, module, kind]", id);
		if (f[0] >= r->strings.len)
			return chunk_error(r, "frame %" PRIu32 " has name %" PRIu64 " out of range",
					   id, f[0]);
		if (f[1] >= r->strings.len)
			return chunk_error(r, "frame %" PRIu32 " has module %" PRIu64
					   " out of range", id, f[1]);
		if (f[2] > PROFILE_FRAME_KERNEL)
			return chunk_error(r, "frame %" PRIu32 " has unknown kind %" PRIu64, id,
					   f[2]);
		if (id >= SESSION_MAX_IDS)
			return chunk_error(r, "too many frames");
		id_map_push(&r->frames,
			    profile_intern_frame_ids(r->p, r->strings.ids[f[0]],
						     r->strings.ids[f[1]],
						     (enum profile_frame_kind)f[2]));
	}
	return 0;
}

static int read_nodes(struct reader *r, json_t *arr)
{
	size_t i;

	for (i = 0; i < json_array_size(arr); i++) {
		uint32_t id = r->nodes.len;
		uint64_t n[2];

		if (get_tuple(json_array_get(arr, i), 2, n) < 0)
			return chunk_error(r, "node %" PRIu32 " is not [parent, frame]", id);
		if (n[0] >= id)
			return chunk_error(r, "node %" PRIu32 " has parent %" PRIu64 " out of range",
					   id, n[0]);
		if (n[1] >= r->frames.len)
			return chunk_error(r, "node %" PRIu32 " has frame %" PRIu64 " out of range",
					   id, n[1]);
		if (id >= SESSION_MAX_IDS)
			return chunk_error(r, "too many nodes");
		id_map_push(&r->nodes, profile_intern_node(r->p, r->nodes.ids[n[0]],
							   r->frames.ids[n[1]]));
	}
	return 0;
}

static int read_locations(struct reader *r, json_t *arr)
{
	size_t i;

	for (i = 0; i < json_array_size(arr); i++) {
		uint32_t id = r->locations.len;
		uint64_t l[2];

		if (get_tuple(json_array_get(arr, i), 2, l) < 0)
			return chunk_error(r, "location %" PRIu32 " is not [frame, offset]", id);
		if (l[0] >= r->frames.len)
			return chunk_error(r, "location %" PRIu32 " has frame %" PRIu64
					   " out of range", id, l[0]);
		if (id >= SESSION_MAX_IDS)
			return chunk_error(r, "too many locations");
		id_map_push(&r->locations,
			    profile_intern_location(r->p, r->frames.ids[l[0]], l[1]));
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
		if (t[0] > UINT32_MAX || t[1] > UINT32_MAX)
			return chunk_error(r, "thread %zu has pid or tid out of range", i);
		if (t[2] >= r->strings.len)
			return chunk_error(r, "thread %zu has comm %" PRIu64 " out of range", i,
					   t[2]);
		profile_set_thread(r->p, (uint32_t)t[0], (uint32_t)t[1],
				   profile_string(r->p, r->strings.ids[t[2]]));
	}
	return 0;
}

enum { COL_TIME, COL_WEIGHT, COL_NODE, COL_PID, COL_TID, COL_CPU, COL_EVENT, NCOLS };
static const char *const col_names[NCOLS] = { "time", "weight", "node", "pid",
					      "tid",  "cpu",    "event" };

static int read_samples(struct reader *r, json_t *obj)
{
	const uint64_t max[NCOLS] = {
		[COL_WEIGHT] = INT64_MAX, [COL_NODE] = UINT32_MAX, [COL_PID] = UINT32_MAX,
		[COL_TID] = UINT32_MAX,	  [COL_CPU] = UINT16_MAX,  [COL_EVENT] = UINT16_MAX,
	};
	json_t *cols[NCOLS], *locs = json_object_get(obj, "location");
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
	if (locs && !json_is_null(locs)) {
		if (!json_is_array(locs))
			return chunk_error(r, "\"samples\" has a \"location\" that is not an array");
		if (json_array_size(locs) != n)
			return chunk_error(r, "\"samples\" columns differ in length");
	} else {
		locs = NULL; /* before 1.2, or no sample with a location */
	}
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
		if (locs) {
			json_t *e = json_array_get(locs, i);
			json_int_t l = json_integer_value(e);

			if (!json_is_integer(e))
				return chunk_error(r, "sample %zu has a non-integer \"location\"", i);
			if (l < 0 || (uint64_t)l >= r->locations.len)
				return chunk_error(r, "sample %zu has location %lld out of range", i,
						   (long long)l);
			s.location = r->locations.ids[l];
		}
		s.time = (uint64_t)t;
		s.weight = (uint64_t)v[COL_WEIGHT];
		s.node = r->nodes.ids[v[COL_NODE]];
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
	json_t *strings, *frames, *nodes, *locations, *threads, *samples;
	uint64_t lost = 0, throttled = 0;

	if (r->have_end)
		return chunk_error(r, "a data chunk after the end chunk");
	if (get_opt_array(r, obj, "strings", &strings) < 0 ||
	    get_opt_array(r, obj, "frames", &frames) < 0 ||
	    get_opt_array(r, obj, "nodes", &nodes) < 0 ||
	    get_opt_array(r, obj, "locations", &locations) < 0 ||
	    get_opt_array(r, obj, "threads", &threads) < 0 ||
	    get_opt_uint(r, obj, "lost", INT64_MAX, &lost) < 0 ||
	    get_opt_uint(r, obj, "throttled", INT64_MAX, &throttled) < 0)
		return -1;
	if ((strings && read_strings(r, strings) < 0) || (frames && read_frames(r, frames) < 0) ||
	    (nodes && read_nodes(r, nodes) < 0) ||
	    (locations && read_locations(r, locations) < 0) ||
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
	    get_opt_uint(r, obj, "recorder_peak_rss", INT64_MAX, &r->end_peak_rss) < 0)
		return -1;
	if (samples != r->nsamples)
		return chunk_error(r, "the end chunk counts %" PRIu64 " samples, the file holds %" PRIu64,
				   samples, r->nsamples);
	r->have_end = true;
	return 0;
}

/*
 * Inflates a chunk's payload, which must be one zlib stream of exactly
 * `clen` bytes giving exactly `ulen`. Returns a malloc'd buffer (caller
 * frees) or NULL with the error set.
 */
static char *inflate_payload(struct reader *r, const unsigned char *src, uint32_t clen,
			     uint32_t ulen)
{
	z_stream zs;
	char *out;
	int zr;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit(&zs) != Z_OK) {
		chunk_corrupt(r, "cannot start zlib");
		return NULL;
	}
	/* One spare byte, so a stream longer than promised is caught. */
	out = xmalloc((size_t)ulen + 1);
	zs.next_in = (Bytef *)src;
	zs.avail_in = clen;
	zs.next_out = (Bytef *)out;
	zs.avail_out = ulen + 1;
	zr = inflate(&zs, Z_FINISH);
	if (zr == Z_STREAM_END && zs.avail_in == 0 && zs.total_out == ulen) {
		inflateEnd(&zs);
		return out;
	}
	if (zr == Z_STREAM_END && zs.avail_in == 0)
		chunk_corrupt(r, "length mismatch");
	else if (zr == Z_BUF_ERROR && zs.avail_out == 0)
		chunk_corrupt(r, "length mismatch");
	else
		chunk_corrupt(r, "bad compressed data");
	inflateEnd(&zs);
	free(out);
	return NULL;
}

/* Decodes one known chunk at r->chunk_off and loads it. 0 or -1. */
static int read_chunk(struct reader *r, uint32_t type, const unsigned char *payload,
		      uint32_t clen, uint32_t ulen)
{
	json_error_t jerr;
	json_t *obj;
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
	text = inflate_payload(r, payload, clen, ulen);
	if (!text)
		return -1;
	obj = json_loadb(text, ulen, JSON_REJECT_DUPLICATES, &jerr);
	free(text);
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
	if (ret == 0)
		r->loaded++;
out_json:
	json_decref(obj);
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

enum walk_result { WALK_ERROR = -1, WALK_EOF = 0, WALK_CUT = 1 };

/*
 * Reads chunks from offset 16 on. Returns WALK_EOF when the file ended
 * after a whole chunk, WALK_CUT (with *cut at the bad chunk's offset) when
 * its tail is cut off or torn, WALK_ERROR with the error set.
 */
static enum walk_result walk_chunks(struct reader *r, size_t *cut)
{
	size_t off = SESSION_FILE_HEADER_LEN;

	while (off < r->size) {
		const unsigned char *h = r->data + off;
		size_t left = r->size - off;
		uint32_t type, clen, ulen, crc;

		r->chunk_no++;
		r->chunk_off = off;
		*cut = off;
		if (left < SESSION_CHUNK_HEADER_LEN)
			return WALK_CUT;
		type = session_get_u32(h);
		clen = session_get_u32(h + 4);
		ulen = session_get_u32(h + 8);
		crc = session_get_u32(h + 12);
		left -= SESSION_CHUNK_HEADER_LEN;
		if (clen > left)
			return WALK_CUT;
		if (type == SESSION_CHUNK_INVALID) {
			if (all_zero(h, r->size - off))
				return WALK_CUT; /* unwritten blocks after a power loss */
			return chunk_corrupt(r, "invalid chunk type 0");
		}
		if (crc32(crc32(0, Z_NULL, 0), h + SESSION_CHUNK_HEADER_LEN, clen) != crc) {
			if (clen == left)
				return WALK_CUT; /* the last chunk, torn */
			return chunk_corrupt(r, "checksum mismatch");
		}
		if (!r->have_header && type != SESSION_CHUNK_HEADER)
			return chunk_error(r, "the first chunk is not a header chunk (type %" PRIu32
					   ")", type);
		if (r->have_header && type == SESSION_CHUNK_HEADER)
			return chunk_error(r, "a second header chunk");
		if (type <= SESSION_CHUNK_END &&
		    read_chunk(r, type, h + SESSION_CHUNK_HEADER_LEN, clen, ulen) < 0)
			return WALK_ERROR;
		/* Unknown types are a later minor version's: skipped. */
		off += SESSION_CHUNK_HEADER_LEN + (size_t)clen;
	}
	return WALK_EOF;
}

/* Checks the 16-byte file header. 0, or -1 with the error set. */
static int read_file_header(struct reader *r)
{
	size_t n = r->size < SESSION_MAGIC_LEN ? r->size : SESSION_MAGIC_LEN;
	unsigned major, minor;

	if (r->size == 0) {
		error_set(r->err, "%s: empty file", r->name);
		return -1;
	}
	if (memcmp(r->data, SESSION_MAGIC, n) != 0) {
		error_set(r->err, "%s: not a flametop session (bad magic)", r->name);
		return -1;
	}
	if (r->size < SESSION_FILE_HEADER_LEN) {
		error_set(r->err, "%s: truncated in the file header", r->name);
		return -1;
	}
	major = session_get_u16(r->data + 8);
	minor = session_get_u16(r->data + 10);
	if (major != SESSION_VERSION_MAJOR) {
		error_set(r->err,
			  "%s: unsupported session format version %u.%u (this flametop reads %u.x)",
			  r->name, major, minor, SESSION_VERSION_MAJOR);
		return -1;
	}
	/* The flags word is reserved: written as 0, ignored on reading. */
	return 0;
}

struct profile *session_read_mem(const void *data, size_t size, const char *name,
				 struct session_read_info *info, struct ft_error *err)
{
	struct reader r;
	struct profile *p = NULL;
	enum walk_result walk;
	size_t cut = size;

	memset(&r, 0, sizeof(r));
	r.data = data;
	r.size = size;
	r.name = name;
	r.err = err;
	if (read_file_header(&r) < 0)
		return NULL;

	r.p = profile_new();
	id_map_push(&r.nodes, PROFILE_ROOT);
	id_map_push(&r.locations, PROFILE_NO_LOCATION);
	walk = walk_chunks(&r, &cut);
	if (walk == WALK_ERROR)
		goto out_fail;
	if (!r.have_header) {
		error_set(err, "%s: truncated in the header chunk", name);
		goto out_fail;
	}
	if (!r.have_end && r.data_chunks == 0) {
		error_set(err, "%s: truncated before any data was saved", name);
		goto out_fail;
	}

	r.p->meta.duration_ns = r.have_end ? r.end_duration : r.max_time;
	r.p->meta.lost = r.have_end ? r.end_lost : r.lost;
	r.p->meta.throttled = r.have_end ? r.end_throttled : r.throttled;
	r.p->meta.recorder_peak_rss = r.end_peak_rss; /* 0 without an end chunk, or before 1.1 */
	if (info) {
		info->version_major = session_get_u16(r.data + 8);
		info->version_minor = session_get_u16(r.data + 10);
		info->chunks = r.loaded;
		info->complete = r.have_end;
		info->skipped_bytes = walk == WALK_CUT ? size - cut : 0;
	}
	p = r.p;
	r.p = NULL;
out_fail:
	profile_free(r.p);
	free(r.strings.ids);
	free(r.frames.ids);
	free(r.nodes.ids);
	free(r.locations.ids);
	return p;
}

/* Reads all of `fd`. Returns a malloc'd buffer (caller frees) or NULL with errno. */
static unsigned char *read_all(int fd, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	unsigned char *buf = xmalloc(cap);

	for (;;) {
		ssize_t got;

		if (n == cap) {
			if (cap > SIZE_MAX / 2) {
				free(buf);
				errno = EFBIG;
				return NULL;
			}
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		got = read(fd, buf + n, cap - n);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			free(buf);
			return NULL;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	*len = n;
	return buf;
}

struct profile *session_read(const char *path, struct session_read_info *info,
			     struct ft_error *err)
{
	struct profile *p = NULL;
	unsigned char *data;
	struct stat st;
	size_t len;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		error_set(err, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0) {
		error_set(err, "%s: %s", path, strerror(errno));
		goto out_fd;
	}
	if (S_ISDIR(st.st_mode)) {
		error_set(err, "%s: is a directory", path);
		goto out_fd;
	}
	/* A device such as /dev/zero never ends; pipes are fine. */
	if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
		error_set(err, "%s: not a regular file", path);
		goto out_fd;
	}
	data = read_all(fd, &len);
	if (!data) {
		error_set(err, "%s: %s", path, strerror(errno));
		goto out_fd;
	}
	p = session_read_mem(data, len, path, info, err);
	free(data);
out_fd:
	close(fd);
	return p;
}

void session_read_notice(struct ft_notice *n, const char *name,
			 const struct session_read_info *info)
{
	if (info->complete)
		return;
	notice_say(n, NULL,
		   "%s: the recording did not finish (the recorder was killed?); loaded %u chunks, "
		   "skipped %llu bytes at the end",
		   name, info->chunks, (unsigned long long)info->skipped_bytes);
}
