/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pprof profiles (src/pprof/profile.proto), as Go's runtime/pprof, pprof
 * itself and Pyroscope write them, gzipped (the input inflates them) or
 * not. protobuf-c decodes the message, through an allocator that stops at
 * IMPORT_MAX_DECODED bytes; before that a walk over the wire format checks
 * every tag, length and wire type of the fields we read, so that a damaged
 * file is refused with the byte offset of the damage (which protobuf-c
 * does not say), and notes where each sample, location and function
 * starts, for the messages about what they refer to.
 *
 * Each sample type becomes a profile type (an event) named as pprof names
 * it ("cpu", "alloc_space", "delay"), its unit put in the profile model's
 * words: nanoseconds (and micro-, milli-, seconds, converted) are "ns",
 * bytes "bytes", count "count", but "samples" in count (how many samples
 * each stack had) "samples"; a pprof sample that stands for N samples is
 * N samples of each other type, sharing its value, so that every type
 * counts the samples there were (up to SPREAD_MAX in a profile); a type
 * "T_samples" in count beside a type T (flametop's export of several
 * events, EXPORT_PPROF_COUNT_SUFFIX) is no event: it is how many samples
 * of T alone a sample stands for, spread so. The default sample type (or, as pprof has
 * it, the last one) comes first, so that report shows it by default. A
 * sample's stack is its locations, leaf first, each expanded into its
 * lines (inlined calls, innermost first); a location without lines is
 * named by its address. Frames are named by the function's name and the
 * mapping's file. drop_frames/keep_frames are applied as pprof does.
 * Samples have no time in pprof: all are at time 0 of a session as long
 * as the profile's duration, which starts at the profile's wall time.
 * The labels "pid", "tid" (or "thread_id") and "thread_name" (or "comm"),
 * where a writer set them, become the sample's process and thread.
 */
#include "config.h"

#include "flametop/import.h"

#include <errno.h>
#include <inttypes.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flametop/export.h"
#include "flametop/util.h"
#include "src/pprof/profile.pb-c.h"


typedef Perftools__Profiles__Profile pb_profile;
typedef Perftools__Profiles__Sample pb_sample;
typedef Perftools__Profiles__Location pb_location;
typedef Perftools__Profiles__Function pb_function;
typedef Perftools__Profiles__Mapping pb_mapping;

/* --- The wire-format walk -------------------------------------------------- */

enum pb_msg { M_PROFILE, M_VALUE_TYPE, M_SAMPLE, M_LABEL, M_MAPPING, M_LOCATION, M_LINE, M_FUNCTION };
enum pb_kind { K_INT, K_STR, K_MSG };

struct pb_field {
	uint8_t msg; /* enum pb_msg: the message this is a field of */
	uint8_t number;
	uint8_t kind; /* enum pb_kind; K_INT also takes a packed repeated list */
	uint8_t sub; /* K_MSG: enum pb_msg of the field's type */
	const char *name;
};

/* The fields the importer reads, per profile.proto. Others are skipped. */
static const struct pb_field pb_fields[] = {
	{ M_PROFILE, 1, K_MSG, M_VALUE_TYPE, "sample_type" },
	{ M_PROFILE, 2, K_MSG, M_SAMPLE, "sample" },
	{ M_PROFILE, 3, K_MSG, M_MAPPING, "mapping" },
	{ M_PROFILE, 4, K_MSG, M_LOCATION, "location" },
	{ M_PROFILE, 5, K_MSG, M_FUNCTION, "function" },
	{ M_PROFILE, 6, K_STR, 0, "string_table" },
	{ M_PROFILE, 7, K_INT, 0, "drop_frames" },
	{ M_PROFILE, 8, K_INT, 0, "keep_frames" },
	{ M_PROFILE, 9, K_INT, 0, "time_nanos" },
	{ M_PROFILE, 10, K_INT, 0, "duration_nanos" },
	{ M_PROFILE, 11, K_MSG, M_VALUE_TYPE, "period_type" },
	{ M_PROFILE, 12, K_INT, 0, "period" },
	{ M_PROFILE, 13, K_INT, 0, "comment" },
	{ M_PROFILE, 14, K_INT, 0, "default_sample_type" },
	{ M_VALUE_TYPE, 1, K_INT, 0, "type" },
	{ M_VALUE_TYPE, 2, K_INT, 0, "unit" },
	{ M_SAMPLE, 1, K_INT, 0, "location_id" },
	{ M_SAMPLE, 2, K_INT, 0, "value" },
	{ M_SAMPLE, 3, K_MSG, M_LABEL, "label" },
	{ M_LABEL, 1, K_INT, 0, "key" },
	{ M_LABEL, 2, K_INT, 0, "str" },
	{ M_LABEL, 3, K_INT, 0, "num" },
	{ M_LABEL, 4, K_INT, 0, "num_unit" },
	{ M_MAPPING, 1, K_INT, 0, "id" },
	{ M_MAPPING, 5, K_INT, 0, "filename" },
	{ M_LOCATION, 1, K_INT, 0, "id" },
	{ M_LOCATION, 2, K_INT, 0, "mapping_id" },
	{ M_LOCATION, 3, K_INT, 0, "address" },
	{ M_LOCATION, 4, K_MSG, M_LINE, "line" },
	{ M_LINE, 1, K_INT, 0, "function_id" },
	{ M_LINE, 2, K_INT, 0, "line" },
	{ M_FUNCTION, 1, K_INT, 0, "id" },
	{ M_FUNCTION, 2, K_INT, 0, "name" },
	{ M_FUNCTION, 3, K_INT, 0, "system_name" },
	{ M_FUNCTION, 4, K_INT, 0, "filename" },
};

struct walk {
	const unsigned char *data;
	size_t len;
	/* Where each top-level sample, location and function starts. */
	uint64_t *sample_at, *location_at, *function_at;
	size_t nsample, nlocation, nfunction;
	size_t sample_cap, location_cap, function_cap;
};

static const struct pb_field *pb_field(enum pb_msg msg, uint64_t number)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(pb_fields); i++)
		if (pb_fields[i].msg == msg && pb_fields[i].number == number)
			return &pb_fields[i];
	return NULL;
}

/* A varint at data[*at, end); advances *at. Whether it is whole (at most
 * ten bytes, within the end). */
static bool varint(const unsigned char *data, size_t end, size_t *at, uint64_t *v)
{
	uint64_t x = 0;
	unsigned shift = 0;

	while (*at < end && shift < 64) {
		unsigned char b = data[(*at)++];

		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = x;
			return true;
		}
		shift += 7;
	}
	return false;
}

static void note_at(uint64_t **arr, size_t *n, size_t *cap, uint64_t at)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 256;
		*arr = xreallocarray(*arr, *cap, sizeof(**arr));
	}
	(*arr)[(*n)++] = at;
}

/*
 * Checks the message `msg` at data[start, end). 0, or -1 with `err`
 * filled ("at byte N: ..."); `top` says it is the profile itself, whose
 * samples, locations and functions are noted.
 */
static int walk_message(struct walk *w, enum pb_msg msg, size_t start, size_t end, bool top,
			const char *name, struct ft_error *err)
{
	size_t at = start;

	while (at < end) {
		size_t field_at = at, len;
		const struct pb_field *f;
		uint64_t tag, v, number;
		unsigned type;

		if (!varint(w->data, end, &at, &tag)) {
			error_set(err, "%s: at byte %zu: a truncated field tag", name, field_at);
			return -1;
		}
		number = tag >> 3;
		type = (unsigned)(tag & 7);
		if (number == 0 || number > 536870911u) {
			error_set(err, "%s: at byte %zu: field number %" PRIu64 " is invalid", name,
				  field_at, number);
			return -1;
		}
		f = pb_field(msg, number);
		switch (type) {
		case 0: /* varint */
			if (f && f->kind != K_INT)
				goto bad_type;
			if (!varint(w->data, end, &at, &v)) {
				error_set(err, "%s: at byte %zu: a truncated number (field %s)", name,
					  field_at, f ? f->name : "unknown");
				return -1;
			}
			break;
		case 1: /* 64 bits */
		case 5: /* 32 bits */
			if (f)
				goto bad_type;
			len = type == 1 ? 8 : 4;
			if (end - at < len) {
				error_set(err, "%s: at byte %zu: a truncated fixed-size field", name,
					  field_at);
				return -1;
			}
			at += len;
			break;
		case 2: /* length-delimited */
			if (!varint(w->data, end, &at, &v)) {
				error_set(err, "%s: at byte %zu: a truncated length (field %s)", name,
					  field_at, f ? f->name : "unknown");
				return -1;
			}
			if (v > end - at) {
				error_set(err,
					  "%s: at byte %zu: field %s is %" PRIu64 " bytes long, "
					  "past the end of its message (%zu bytes left)",
					  name, field_at, f ? f->name : "unknown", v, end - at);
				return -1;
			}
			len = (size_t)v;
			if (f && f->kind == K_MSG) {
				if (top && number == 2)
					note_at(&w->sample_at, &w->nsample, &w->sample_cap, field_at);
				else if (top && number == 4)
					note_at(&w->location_at, &w->nlocation, &w->location_cap,
						field_at);
				else if (top && number == 5)
					note_at(&w->function_at, &w->nfunction, &w->function_cap,
						field_at);
				if (walk_message(w, (enum pb_msg)f->sub, at, at + len, false, name,
						 err) < 0)
					return -1;
			} else if (f && f->kind == K_INT) { /* packed */
				size_t p = at;

				while (p < at + len)
					if (!varint(w->data, at + len, &p, &v)) {
						error_set(err,
							  "%s: at byte %zu: a truncated number in "
							  "the packed list %s",
							  name, p, f->name);
						return -1;
					}
			}
			at += len;
			break;
		default:
			error_set(err, "%s: at byte %zu: unknown wire type %u (field %" PRIu64 ")",
				  name, field_at, type, number);
			return -1;
		}
		continue;
bad_type:
		error_set(err, "%s: at byte %zu: field %s has wire type %u, not the one of its type",
			  name, field_at, f->name, type);
		return -1;
	}
	return 0;
}

/* --- A counting allocator for protobuf-c ----------------------------------- */

struct counted {
	size_t used;
	bool over;
};

static void *counted_alloc(void *data, size_t size)
{
	struct counted *c = data;

	if (size > IMPORT_MAX_DECODED - c->used) {
		c->over = true;
		return NULL;
	}
	c->used += size;
	return malloc(size);
}

static void counted_free(void *data, void *ptr)
{
	(void)data;
	free(ptr);
}

/* --- Reading the decoded profile ------------------------------------------- */

struct pprof {
	struct import_sink *sink;
	struct profile *p;
	const char *name;
	const pb_profile *pb;
	struct walk *w;
	struct u64map location_index; /* location id -> index + 1 */
	struct u64map function_index; /* function id -> index + 1 */
	struct u64map mapping_index; /* mapping id -> index + 1 */
	/* Per location: its frames, innermost first, in `frames`. */
	uint32_t *loc_first, *loc_count;
	uint32_t *frames;
	size_t nframes, frames_cap;
	bool *loc_done;
	regex_t drop, keep;
	bool have_drop, have_keep;
	size_t sample; /* the one being added */
};

/* The string `idx`, or NULL (with `err` filled, naming `what`) when out of range. */
static const char *pb_string(struct pprof *pp, int64_t idx, const char *what, uint64_t at,
			     struct ft_error *err)
{
	if (idx < 0 || (uint64_t)idx >= pp->pb->n_string_table) {
		error_set(err, "%s: at byte %" PRIu64 ": %s is string %" PRId64
			       ", past the string table (%zu strings)",
			  pp->name, at, what, idx, pp->pb->n_string_table);
		return NULL;
	}
	return pp->pb->string_table[idx];
}

/*
 * The model's unit for pprof's unit `unit` of sample type `type`, and the
 * factor to it. "samples" counted ("samples/count", the first type of Go's
 * and Pyroscope's CPU profiles, and flametop's) is a number of samples.
 */
static const char *model_unit(const char *type, const char *unit, uint64_t *scale)
{
	static const struct {
		const char *pprof, *model;
		uint64_t scale;
	} units[] = {
		{ "nanoseconds", "ns", 1 },	    { "microseconds", "ns", 1000 },
		{ "milliseconds", "ns", 1000000 }, { "seconds", "ns", 1000000000 },
		{ "bytes", "bytes", 1 },	    { "kilobytes", "bytes", 1024 },
		{ "megabytes", "bytes", 1048576 }, { "count", "count", 1 },
		{ "samples", "samples", 1 },
	};
	size_t i;

	*scale = 1;
	if (strcmp(type, "samples") == 0 && strcmp(unit, "count") == 0)
		return "samples";
	for (i = 0; i < ARRAY_SIZE(units); i++)
		if (strcmp(unit, units[i].pprof) == 0) {
			*scale = units[i].scale;
			return units[i].model;
		}
	return *unit ? unit : "count";
}

/*
 * Most samples made of pprof samples in one profile by spreading a value
 * over the samples its "samples" count says it stands for (4 Mi, some
 * 160 MiB of spooled samples); past that a pprof sample is one sample.
 */
#define SPREAD_MAX (UINT64_C(1) << 22)

/* Index of the id `id` in `m`, or -1. */
static int64_t lookup(const struct u64map *m, uint64_t id)
{
	uint32_t v;

	if (id == 0 || id == UINT64_MAX || !u64map_get(m, id + 1, &v))
		return -1;
	return (int64_t)v;
}

/* Builds an id -> index map of `n` items whose ids `id_of` gives. */
static int index_ids(struct pprof *pp, struct u64map *m, size_t n,
		     uint64_t (*id_of)(const pb_profile *, size_t), const uint64_t *at,
		     const char *what, struct ft_error *err)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t id = id_of(pp->pb, i);
		uint32_t old;

		if (id == 0 || id == UINT64_MAX) {
			error_set(err, "%s: at byte %" PRIu64 ": %s %zu has id %" PRIu64
				       " (ids are 1 and up)",
				  pp->name, at ? at[i] : 0, what, i, id);
			return -1;
		}
		if (u64map_get(m, id + 1, &old)) {
			error_set(err, "%s: at byte %" PRIu64 ": %s id %" PRIu64 " is used twice",
				  pp->name, at ? at[i] : 0, what, id);
			return -1;
		}
		u64map_put(m, id + 1, (uint32_t)i);
	}
	return 0;
}

static uint64_t location_id(const pb_profile *pb, size_t i)
{
	return pb->location[i]->id;
}

static uint64_t function_id(const pb_profile *pb, size_t i)
{
	return pb->function[i]->id;
}

static uint64_t mapping_id(const pb_profile *pb, size_t i)
{
	return pb->mapping[i]->id;
}

static void push_frame(struct pprof *pp, uint32_t frame)
{
	if (pp->nframes == pp->frames_cap) {
		pp->frames_cap = pp->frames_cap ? pp->frames_cap * 2 : 1024;
		pp->frames = xreallocarray(pp->frames, pp->frames_cap, sizeof(*pp->frames));
	}
	pp->frames[pp->nframes++] = frame;
}

/* Whether pprof's drop_frames/keep_frames drop the function `name`. */
static bool dropped(const struct pprof *pp, const char *name)
{
	if (!pp->have_drop || regexec(&pp->drop, name, 0, NULL, 0) != 0)
		return false;
	return !pp->have_keep || regexec(&pp->keep, name, 0, NULL, 0) != 0;
}

/* The frames of location `li` (interned on first use). 0 or -1. */
static int location_frames(struct pprof *pp, size_t li, struct ft_error *err)
{
	const pb_location *loc = pp->pb->location[li];
	const char *module = "";
	enum profile_frame_kind kind = PROFILE_FRAME_USER;
	uint64_t at = pp->w->location_at[li];
	uint32_t module_id;
	size_t i;

	if (pp->loc_done[li])
		return 0;
	if (loc->mapping_id) {
		int64_t mi = lookup(&pp->mapping_index, loc->mapping_id);

		if (mi < 0) {
			error_set(err, "%s: at byte %" PRIu64 ": location %" PRIu64
				       " has mapping %" PRIu64 ", which the profile does not define",
				  pp->name, at, loc->id, loc->mapping_id);
			return -1;
		}
		module = pb_string(pp, pp->pb->mapping[mi]->filename, "a mapping's file", at, err);
		if (!module)
			return -1;
		if (strncmp(module, "[kernel", 7) == 0)
			kind = PROFILE_FRAME_KERNEL;
	}
	module_id = profile_intern_string(pp->p, module);
	pp->loc_first[li] = (uint32_t)pp->nframes;
	for (i = 0; i < loc->n_line; i++) {
		const pb_function *fn;
		const char *name;
		int64_t fi = lookup(&pp->function_index, loc->line[i]->function_id);

		if (fi < 0) {
			error_set(err, "%s: at byte %" PRIu64 ": location %" PRIu64
				       " has function %" PRIu64 ", which the profile does not define",
				  pp->name, at, loc->id, loc->line[i]->function_id);
			return -1;
		}
		fn = pp->pb->function[fi];
		name = pb_string(pp, fn->name, "a function's name", pp->w->function_at[fi], err);
		if (!name || !pb_string(pp, fn->system_name, "a function's system name",
					pp->w->function_at[fi], err))
			return -1;
		if (!*name)
			name = pp->pb->string_table[fn->system_name];
		if (!*name)
			name = "[unknown]";
		if (strlen(name) > IMPORT_MAX_NAME) {
			error_set(err, "%s: at byte %" PRIu64 ": a function name longer than %u bytes",
				  pp->name, pp->w->function_at[fi], IMPORT_MAX_NAME);
			return -1;
		}
		/* A dropped frame is marked with PROFILE_NO_FRAME; the stack is cut there. */
		push_frame(pp, dropped(pp, name) ?
				       PROFILE_NO_FRAME :
				       profile_intern_frame_ids(
					       pp->p, profile_intern_string(pp->p, name), module_id, kind));
	}
	if (loc->n_line == 0) {
		char addr[32];

		snprintf(addr, sizeof(addr), "0x%" PRIx64, loc->address);
		push_frame(pp, profile_intern_frame_ids(pp->p, profile_intern_string(pp->p, addr),
							module_id, kind));
	}
	pp->loc_count[li] = (uint32_t)(pp->nframes - pp->loc_first[li]);
	pp->loc_done[li] = true;
	return 0;
}

/* Compiles a drop/keep pattern (string `idx`), anchored as pprof does. */
static int compile_pattern(struct pprof *pp, int64_t idx, regex_t *re, bool *have,
			   const char *what, struct ft_error *err)
{
	const char *pat;
	char *full;
	int r;

	if (idx == 0)
		return 0;
	pat = pb_string(pp, idx, what, 0, err);
	if (!pat)
		return -1;
	full = xasprintf("^(%s)$", pat);
	r = regcomp(re, full, REG_EXTENDED | REG_NOSUB);
	free(full);
	if (r != 0) {
		error_set(err, "%s: %s '%.100s' is not a regular expression flametop reads", pp->name,
			  what, pat);
		return -1;
	}
	*have = true;
	return 0;
}

/* The sample's process and thread from its labels. 0 or -1. */
static int sample_labels(struct pprof *pp, const pb_sample *s, uint64_t at,
			 struct profile_sample *out, struct ft_error *err)
{
	const char *comm = NULL;
	bool have_tid = false;
	size_t i;

	for (i = 0; i < s->n_label; i++) {
		const char *key = pb_string(pp, s->label[i]->key, "a label's key", at, err);
		const char *str = pb_string(pp, s->label[i]->str, "a label's value", at, err);
		int64_t num = s->label[i]->num;

		if (!key || !str)
			return -1;
		if (strcmp(key, "pid") == 0 && num > 0 && num <= UINT32_MAX)
			out->pid = (uint32_t)num;
		else if ((strcmp(key, "tid") == 0 || strcmp(key, "thread_id") == 0) && num > 0 &&
			 num <= UINT32_MAX)
			out->tid = (uint32_t)num, have_tid = true;
		else if ((strcmp(key, "thread_name") == 0 || strcmp(key, "comm") == 0) && *str)
			comm = str;
	}
	if (!have_tid)
		out->tid = out->pid;
	if (comm && (out->tid || out->pid))
		import_sink_thread(pp->sink, out->pid, out->tid, comm);
	return 0;
}

/* "NAME: at byte N: sample I" of the sample being added (an import_where_fn). */
static void where_sample(const void *ctx, char *buf, size_t size)
{
	const struct pprof *pp = ctx;

	snprintf(buf, size, "%s: at byte %" PRIu64 ": sample %zu", pp->name,
		 pp->w->sample_at[pp->sample], pp->sample);
}

/* Adds the profile's samples to the sink. 0 or -1. */
static int add_samples(struct pprof *pp, struct ft_error *err)
{
	const pb_profile *pb = pp->pb;
	uint32_t *events = xreallocarray(NULL, pb->n_sample_type, sizeof(*events));
	uint64_t *scale = xreallocarray(NULL, pb->n_sample_type, sizeof(*scale));
	uint32_t *stack = xreallocarray(NULL, IMPORT_MAX_FRAMES, sizeof(*stack));
	size_t *count_of = xreallocarray(NULL, pb->n_sample_type, sizeof(*count_of));
	bool *a_count = xcalloc(pb->n_sample_type ? pb->n_sample_type : 1, sizeof(*a_count));
	size_t i, j, k, first = pb->n_sample_type - 1, counted = SIZE_MAX;
	uint64_t spread_left = SPREAD_MAX;
	const char *def = "";
	int ret = -1;

	/* The default sample type first (pprof's default: the last one).
	 * Every type's name is checked here: the loop below reads them. */
	if (pb->default_sample_type &&
	    !(def = pb_string(pp, pb->default_sample_type, "default_sample_type", 0, err)))
		goto out;
	for (i = pb->n_sample_type; i-- > 0;) {
		const char *type =
			pb_string(pp, pb->sample_type[i]->type, "a sample type's name", 0, err);

		if (!type)
			goto out;
		if (*def && strcmp(type, def) == 0)
			first = i;
	}
	for (i = 0; i < pb->n_sample_type; i++) {
		if (!pb_string(pp, pb->sample_type[i]->unit, "a sample type's unit", 0, err))
			goto out;
		count_of[i] = SIZE_MAX;
	}
	/* "T_samples" in count beside a type T counts T's samples alone
	 * (flametop's export of several events): it is no event of its own. */
	for (i = 0; i < pb->n_sample_type; i++) {
		const char *type = pb->string_table[pb->sample_type[i]->type];
		size_t len = strlen(type), suffix = strlen(EXPORT_PPROF_COUNT_SUFFIX);

		if (len <= suffix || strcmp(type + len - suffix, EXPORT_PPROF_COUNT_SUFFIX) != 0 ||
		    strcmp(pb->string_table[pb->sample_type[i]->unit], "count") != 0)
			continue;
		for (j = 0; j < pb->n_sample_type; j++) {
			const char *of = pb->string_table[pb->sample_type[j]->type];

			if (j != i && !a_count[j] && count_of[j] == SIZE_MAX &&
			    strlen(of) == len - suffix && strncmp(of, type, len - suffix) == 0) {
				count_of[j] = i;
				a_count[i] = true;
				break;
			}
		}
	}
	if (a_count[first]) /* the default is a count: its type's instead */
		for (j = 0; j < pb->n_sample_type; j++)
			if (count_of[j] == first)
				first = j;
	for (k = 0; k < pb->n_sample_type; k++) {
		size_t t = k == 0 ? first : k <= first ? k - 1 : k;
		const char *type = pb->string_table[pb->sample_type[t]->type];
		const char *unit = pb->string_table[pb->sample_type[t]->unit];

		if (a_count[t])
			continue;
		if (import_sink_event(pp->sink, *type ? type : "samples",
				      model_unit(type, unit, &scale[t]), &events[t], err) < 0)
			goto out;
		if (counted == SIZE_MAX && strcmp(model_unit(type, unit, &scale[t]), "samples") == 0)
			counted = t;
	}

	import_sink_set_where(pp->sink, where_sample, pp);
	/* A pprof sample is counted once, not once per type it has a value of:
	 * as its "samples" says, else as one where it has any value. */
	import_sink_count_by_record(pp->sink, true);
	for (i = 0; i < pb->n_sample; i++) {
		const pb_sample *s = pb->sample[i];
		uint64_t at = pp->w->sample_at[i];
		struct profile_sample smp = { 0 };
		size_t n = 0, cut = 0;
		uint64_t spread = 1, stands_for = 0, own = 0, c;
		uint32_t node;

		if (s->n_value != pb->n_sample_type) {
			error_set(err, "%s: at byte %" PRIu64 ": sample %zu has %zu values for %zu "
				       "sample types",
				  pp->name, at, i, s->n_value, pb->n_sample_type);
			goto out;
		}
		for (j = 0; j < s->n_location_id; j++) {
			int64_t li = lookup(&pp->location_index, s->location_id[j]);

			if (li < 0) {
				error_set(err, "%s: at byte %" PRIu64 ": sample %zu has location %" PRIu64
					       ", which the profile does not define",
					  pp->name, at, i, s->location_id[j]);
				goto out;
			}
			if (location_frames(pp, (size_t)li, err) < 0)
				goto out;
			for (k = 0; k < pp->loc_count[li]; k++) {
				if (n == IMPORT_MAX_FRAMES) {
					error_set(err, "%s: at byte %" PRIu64 ": sample %zu has more "
						       "than %u frames",
						  pp->name, at, i, IMPORT_MAX_FRAMES);
					goto out;
				}
				stack[n++] = pp->frames[pp->loc_first[li] + k];
			}
		}
		/* Leaf first: the outermost dropped frame cuts it and what it called. */
		for (k = 0; k < n; k++)
			if (stack[k] == PROFILE_NO_FRAME)
				cut = k + 1;
		/* Outermost first for the sink. */
		for (j = cut, k = n; j < k--; j++) {
			uint32_t tmp = stack[j];

			stack[j] = stack[k];
			stack[k] = tmp;
		}
		node = import_sink_stack(pp->sink, stack + cut, n - cut);
		if (sample_labels(pp, s, at, &smp, err) < 0)
			goto out;
		smp.node = node;
		/* A sample that stands for N samples (its "samples") is N, each
		 * with an Nth of its other values, the first with what is left;
		 * a type with a count of its own ("T_samples") is as many. */
		if (counted != SIZE_MAX && s->value[counted] > 1 &&
		    (uint64_t)s->value[counted] - 1 <= spread_left) {
			spread = (uint64_t)s->value[counted];
			spread_left -= spread - 1;
		}
		for (j = 0; j < s->n_value; j++) {
			int64_t v = s->value[j];
			uint64_t parts = j == counted ? 1 : spread;

			if (v < 0) {
				error_set(err, "%s: at byte %" PRIu64 ": sample %zu has a negative "
					       "value (%" PRId64 "; a difference of profiles?)",
					  pp->name, at, i, v);
				goto out;
			}
			if (v == 0 || a_count[j])
				continue;
			if (count_of[j] != SIZE_MAX) {
				int64_t own_n = s->value[count_of[j]];

				parts = 1;
				if (own_n > 1 && (uint64_t)own_n - 1 <= spread_left) {
					parts = (uint64_t)own_n;
					spread_left -= parts - 1;
				}
				own += own_n > 0 ? (uint64_t)own_n : 1;
			} else if (!stands_for || j == counted) {
				stands_for = j == counted ? (uint64_t)v : 1;
			}
			if ((uint64_t)v > INT64_MAX / scale[j]) {
				error_set(err, "%s: at byte %" PRIu64 ": sample %zu has a value too "
					       "large (%" PRId64 ")",
					  pp->name, at, i, v);
				goto out;
			}
			smp.event = (uint16_t)events[j];
			pp->sample = i;
			for (c = 0; c < parts; c++) {
				uint64_t w = (uint64_t)v * scale[j];

				smp.weight = w / parts + (c ? 0 : w % parts);
				if (import_sink_sample(pp->sink, &smp, err) < 0)
					goto out;
			}
		}
		import_sink_count(pp->sink, stands_for + own);
	}
	ret = 0;
out:
	import_sink_count_by_record(pp->sink, false);
	import_sink_set_where(pp->sink, NULL, NULL);
	free(a_count);
	free(count_of);
	free(stack);
	free(scale);
	free(events);
	return ret;
}

bool import_pprof_detect(const char *head, size_t len)
{
	static const unsigned char tags[] = { 0x0a, 0x12, 0x1a, 0x22, 0x2a, 0x32, 0x38,
					      0x40, 0x48, 0x50, 0x5a, 0x60, 0x68, 0x6a,
					      0x70, 0x78 };
	const unsigned char *d = (const unsigned char *)head;
	struct walk w = { 0 };
	struct ft_error err;
	bool binary = false;
	size_t i;

	if (len < 2 || !memchr(tags, d[0], sizeof(tags)))
		return false;
	for (i = 0; i < len && !binary; i++)
		binary = d[i] < 0x09 || (d[i] > 0x0d && d[i] < 0x20);
	if (!binary)
		return false;
	/* The head must read as a profile, up to where it is cut. */
	w.data = d;
	w.len = len;
	if (len < IMPORT_DETECT_BYTES) {
		bool ok = walk_message(&w, M_PROFILE, 0, len, true, "", &err) == 0;

		free(w.sample_at);
		free(w.location_at);
		free(w.function_at);
		return ok;
	}
	/* A cut head: the first field must at least begin well. */
	{
		size_t at = 0;
		uint64_t tag, v;

		return varint(d, len, &at, &tag) && (tag & 7) == 2 && varint(d, len, &at, &v);
	}
}

int import_pprof_run(struct import_input *in, struct import_sink *sink, struct ft_error *err)
{
	struct counted counted = { 0, false };
	ProtobufCAllocator alloc = { counted_alloc, counted_free, &counted };
	struct pprof pp;
	struct walk w;
	pb_profile *pb = NULL;
	char *data = NULL;
	size_t len;
	int ret = -1;

	memset(&pp, 0, sizeof(pp));
	memset(&w, 0, sizeof(w));
	pp.name = import_input_name(in);
	pp.sink = sink;
	pp.p = import_sink_profile(sink);
	u64map_init(&pp.location_index);
	u64map_init(&pp.function_index);
	u64map_init(&pp.mapping_index);
	if (import_input_all(in, IMPORT_MAX_WHOLE, &data, &len, err) < 0)
		goto out;
	w.data = (const unsigned char *)data;
	w.len = len;
	if (walk_message(&w, M_PROFILE, 0, len, true, pp.name, err) < 0)
		goto out;
	pb = perftools__profiles__profile__unpack(&alloc, len, (const uint8_t *)data);
	if (!pb) {
		if (counted.over)
			error_set(err, "%s: takes more than %zu MiB of memory once decoded (the limit)",
				  pp.name, IMPORT_MAX_DECODED >> 20);
		else
			error_set(err, "%s: at byte 0: not a pprof profile (protobuf-c refused it)",
				  pp.name);
		goto out;
	}
	pp.pb = pb;
	pp.w = &w;
	if (pb->n_string_table == 0 || pb->string_table[0][0] != '\0') {
		error_set(err, "%s: not a pprof profile: its string table %s", pp.name,
			  pb->n_string_table ? "does not start with \"\"" : "is empty");
		goto out;
	}
	if (pb->n_sample_type == 0 || pb->n_sample_type > UINT16_MAX) {
		error_set(err, "%s: not a pprof profile: %zu sample types", pp.name,
			  pb->n_sample_type);
		goto out;
	}
	if (index_ids(&pp, &pp.location_index, pb->n_location, location_id, w.location_at,
		      "location", err) < 0 ||
	    index_ids(&pp, &pp.function_index, pb->n_function, function_id, w.function_at,
		      "function", err) < 0 ||
	    index_ids(&pp, &pp.mapping_index, pb->n_mapping, mapping_id, NULL, "mapping", err) < 0)
		goto out;
	if (compile_pattern(&pp, pb->drop_frames, &pp.drop, &pp.have_drop, "drop_frames", err) <
		    0 ||
	    compile_pattern(&pp, pb->keep_frames, &pp.keep, &pp.have_keep, "keep_frames", err) < 0)
		goto out;
	pp.loc_first = xcalloc(pb->n_location + 1, sizeof(*pp.loc_first));
	pp.loc_count = xcalloc(pb->n_location + 1, sizeof(*pp.loc_count));
	pp.loc_done = xcalloc(pb->n_location + 1, sizeof(*pp.loc_done));
	if (pb->time_nanos > 0 && !pp.p->meta.start_wall_ns)
		pp.p->meta.start_wall_ns = (uint64_t)pb->time_nanos;
	if (pb->duration_nanos > 0 && (uint64_t)pb->duration_nanos > pp.p->meta.duration_ns)
		pp.p->meta.duration_ns = (uint64_t)pb->duration_nanos;
	if (pb->period_type && pb->period > 0) {
		const char *unit = pb_string(&pp, pb->period_type->unit, "the period's unit", 0, err);
		uint64_t scale;

		if (!unit)
			goto out;
		/* Go's cpu profile: a period of 10 ms in ns is 100 Hz. */
		if (strcmp(model_unit("", unit, &scale), "ns") == 0 && !pp.p->meta.frequency &&
		    (uint64_t)pb->period * scale <= 1000000000u)
			pp.p->meta.frequency = (uint32_t)(1000000000u / ((uint64_t)pb->period * scale));
	}
	ret = add_samples(&pp, err);
out:
	if (pp.have_drop)
		regfree(&pp.drop);
	if (pp.have_keep)
		regfree(&pp.keep);
	free(pp.loc_first);
	free(pp.loc_count);
	free(pp.loc_done);
	free(pp.frames);
	u64map_free(&pp.location_index);
	u64map_free(&pp.function_index);
	u64map_free(&pp.mapping_index);
	if (pb)
		perftools__profiles__profile__free_unpacked(pb, &alloc);
	free(w.sample_at);
	free(w.location_at);
	free(w.function_at);
	free(data);
	return ret;
}
