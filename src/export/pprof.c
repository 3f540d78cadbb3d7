/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pprof's profile.proto (src/pprof/profile.proto), encoded by protobuf-c
 * and gzipped by zlib, as `go tool pprof` and Pyroscope read it.
 *
 * Two sample types: "samples" (count), then the event's own, named as
 * pprof and Pyroscope name it ("cpu" in nanoseconds for the CPU clock and
 * cycles; else the event's name) in pprof's unit words, which is also the
 * period type; the period is the sampling interval when sampling by
 * frequency in time. An event that counts samples is the only type, and
 * so is the event's own where the input does not know how many samples
 * there were (no_counts: the explorer's per-node weights), rather than a
 * samples/count that would be wrong. An input of every event (all_events)
 * has two types per event: "T_samples" (count: EXPORT_PPROF_COUNT_SUFFIX),
 * how many samples of that event, then its own T, named and in its unit
 * as above; no one samples/count (a sample of one event is no sample of
 * another, so it would add up samples of events sampled apart). A
 * sample's values of each are that event's count and weight at its
 * stack; without counts (no_counts) only the weights.
 * Each module is a mapping (its path the file name),
 * each function (frame) a function, with the source file its code came
 * from when the module's DWARF says so. Each frame of a stack is a
 * location of its function; a leaf whose sampled address is known has a
 * location of its own, with the address (the file offset in the module)
 * and its source line. Samples with the same stack, leaf address and
 * thread are one sample, labelled "pid", "tid" and "thread_name" when the
 * input keeps threads apart and the sample has one (a session of no thread,
 * such as folded stacks imported, has none to label). time_nanos and
 * duration_nanos are the window's.
 */
#include "config.h"

#include "flametop/export.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "flametop/symbols.h"
#include "flametop/util.h"
#include "internal.h"
#include "src/pprof/profile.pb-c.h"

typedef Perftools__Profiles__Profile pb_profile;
typedef Perftools__Profiles__ValueType pb_value_type;
typedef Perftools__Profiles__Sample pb_sample;
typedef Perftools__Profiles__Label pb_label;
typedef Perftools__Profiles__Mapping pb_mapping;
typedef Perftools__Profiles__Location pb_location;
typedef Perftools__Profiles__Line pb_line;
typedef Perftools__Profiles__Function pb_function;

/* export_pprof_type() of event `event` of `p` (-1: none). */
static const char *type_of(const struct profile *p, int event)
{
	static const char *const cpu[] = { "cpu-clock", "task-clock", "cycles", "cpu",
					   "cpu-cycles", "ref-cycles" };
	const char *name;
	size_t i;

	if (event < 0)
		return "samples";
	name = p->events[event].name;
	for (i = 0; i < ARRAY_SIZE(cpu); i++)
		if (strcmp(name, cpu[i]) == 0)
			return "cpu";
	return name;
}

/* export_pprof_unit() of event `event` of `p` (-1: none). */
static const char *unit_of(const struct profile *p, int event)
{
	const char *unit = event < 0 ? "samples" : p->events[event].unit;

	if (strcmp(unit, "ns") == 0)
		return "nanoseconds";
	if (strcmp(unit, "bytes") == 0)
		return "bytes";
	return "count";
}

const char *export_pprof_type(const struct export_input *in)
{
	return type_of(in->p, in->event);
}

const char *export_pprof_unit(const struct export_input *in)
{
	return unit_of(in->p, in->event);
}

/* The encoder's tables: protobuf-c messages and what maps into them. */
struct enc {
	const struct export_input *in;
	pb_profile prof;
	struct strtab strings; /* [0] is "" */
	struct export_clean b;
	/* mappings, per module string id */
	pb_mapping *mappings;
	pb_mapping **mapping_ptrs;
	uint32_t nmappings, mappings_cap;
	struct u64map mapping_of;
	/* functions, per frame id */
	pb_function *functions;
	pb_function **function_ptrs;
	uint32_t nfunctions, functions_cap;
	struct u64map function_of;
	/* locations, per (frame, profile location) */
	pb_location *locations;
	pb_location **location_ptrs;
	pb_line *lines;
	pb_line **line_ptrs;
	uint32_t nlocations, locations_cap;
	struct u64map location_of;
	/* where source lines come from */
	struct symbols_lines *sl;
	uint32_t *frame_loc; /* per frame: a profile location of it, 0: none */
};

/* The string table index of `s`, sanitized. */
static int64_t str(struct enc *e, const char *s)
{
	return (int64_t)strtab_intern(&e->strings, *s ? export_clean(&e->b, s) : "");
}

#define GROW(arr, n, cap)                                                               \
	do {                                                                            \
		if ((n) == (cap)) {                                                     \
			(cap) = (cap) ? (cap) * 2 : 64;                                 \
			(arr) = xreallocarray((arr), (cap), sizeof(*(arr)));            \
		}                                                                       \
	} while (0)

static uint64_t mapping_id(struct enc *e, uint32_t module)
{
	const struct profile *p = e->in->p;
	pb_mapping *m;
	uint32_t idx;

	if (u64map_get(&e->mapping_of, module, &idx))
		return idx + 1;
	GROW(e->mappings, e->nmappings, e->mappings_cap);
	idx = e->nmappings++;
	m = &e->mappings[idx];
	*m = (pb_mapping)PERFTOOLS__PROFILES__MAPPING__INIT;
	m->id = idx + 1;
	m->filename = str(e, profile_string(p, module));
	m->has_functions = 1;
	u64map_put(&e->mapping_of, module, idx);
	return idx + 1;
}

/* The source line of a profile location, or -1 with *file NULL. */
static long source_line(struct enc *e, uint32_t loc, const char **file)
{
	const struct profile *p = e->in->p;
	const struct profile_location *l;
	const struct profile_frame *fr;
	unsigned line;

	*file = NULL;
	if (e->in->no_lines || !loc || loc >= p->nlocations)
		return -1;
	l = &p->locations[loc];
	fr = &p->frames[l->frame];
	if (fr->kind != PROFILE_FRAME_USER || profile_string(p, fr->module)[0] != '/')
		return -1;
	if (!e->sl)
		e->sl = symbols_lines_new();
	if (symbols_lines_find(e->sl, profile_string(p, fr->module), l->offset,
			       profile_string(p, fr->name), file, &line) < 0) {
		*file = NULL;
		return -1;
	}
	return (long)line;
}

static uint64_t function_id(struct enc *e, uint32_t frame)
{
	const struct profile *p = e->in->p;
	pb_function *f;
	const char *file;
	uint32_t idx;

	if (u64map_get(&e->function_of, frame, &idx))
		return idx + 1;
	GROW(e->functions, e->nfunctions, e->functions_cap);
	idx = e->nfunctions++;
	f = &e->functions[idx];
	*f = (pb_function)PERFTOOLS__PROFILES__FUNCTION__INIT;
	f->id = idx + 1;
	f->name = str(e, frame < p->nframes ? profile_string(p, p->frames[frame].name) : "");
	f->system_name = f->name;
	if (frame < p->nframes && source_line(e, e->frame_loc[frame], &file) >= 0 && file)
		f->filename = str(e, file);
	u64map_put(&e->function_of, frame, idx);
	return idx + 1;
}

/* The location of `frame`, at profile location `loc` (0: the function as a whole). */
static uint64_t location_id(struct enc *e, uint32_t frame, uint32_t loc)
{
	const struct profile *p = e->in->p;
	uint64_t key = (uint64_t)loc << 32 | frame;
	pb_location *l;
	pb_line *ln;
	const char *file;
	uint32_t idx;
	long line;

	if (u64map_get(&e->location_of, key, &idx))
		return idx + 1;
	if (e->nlocations == e->locations_cap) {
		e->locations_cap = e->locations_cap ? e->locations_cap * 2 : 256;
		e->locations = xreallocarray(e->locations, e->locations_cap, sizeof(*e->locations));
		e->lines = xreallocarray(e->lines, e->locations_cap, sizeof(*e->lines));
	}
	idx = e->nlocations++;
	l = &e->locations[idx];
	ln = &e->lines[idx];
	*l = (pb_location)PERFTOOLS__PROFILES__LOCATION__INIT;
	*ln = (pb_line)PERFTOOLS__PROFILES__LINE__INIT;
	l->id = idx + 1;
	if (frame < p->nframes)
		l->mapping_id = mapping_id(e, p->frames[frame].module);
	ln->function_id = function_id(e, frame);
	if (loc && loc < p->nlocations) {
		l->address = p->locations[loc].offset;
		line = source_line(e, loc, &file);
		if (line > 0)
			ln->line = line;
	}
	l->n_line = 1; /* the pointer is set once the array stops moving */
	u64map_put(&e->location_of, key, idx);
	return idx + 1;
}

/*
 * pprof takes the first mapping for the program's: make it the user
 * module where most of the weight hit (the leaf's), so `go tool pprof`
 * names the program rather than the dynamic loader.
 */
static void main_mapping_first(struct enc *e)
{
	const struct profile *p = e->in->p;
	uint64_t *weight = xcalloc(p->strings.len ? p->strings.len : 1, sizeof(*weight));
	uint32_t best = UINT32_MAX, m;
	size_t i;

	for (i = 0; i < e->in->nsamples; i++) {
		const struct profile_sample *s = &e->in->samples[i];
		const struct profile_frame *fr;

		if (s->node == PROFILE_ROOT || s->node >= p->nnodes ||
		    p->nodes[s->node].frame >= p->nframes)
			continue;
		fr = &p->frames[p->nodes[s->node].frame];
		if (fr->kind != PROFILE_FRAME_USER || fr->module >= p->strings.len ||
		    profile_string(p, fr->module)[0] != '/')
			continue;
		weight[fr->module] += s->weight;
		if (best == UINT32_MAX || weight[fr->module] > weight[best])
			best = fr->module;
	}
	for (m = 0; best == UINT32_MAX && m < p->nframes; m++) /* no user leaf: any user module */
		if (p->frames[m].kind == PROFILE_FRAME_USER &&
		    profile_string(p, p->frames[m].module)[0] == '/')
			best = p->frames[m].module;
	if (best != UINT32_MAX)
		mapping_id(e, best);
	free(weight);
}

/* Samples grouped by what makes a pprof sample: thread, stack, leaf address. */
static int sample_cmp(const void *a, const void *b)
{
	const struct profile_sample *x = *(const struct profile_sample *const *)a;
	const struct profile_sample *y = *(const struct profile_sample *const *)b;

	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	if (x->node != y->node)
		return x->node < y->node ? -1 : 1;
	if (x->location != y->location)
		return x->location < y->location ? -1 : 1;
	return 0;
}

/* Whether a sample of the input is labelled with its thread: it has one
 * when the session names its thread or its ids are not 0. */
static bool labelled(const struct export_input *in, const struct profile_sample *s)
{
	return in->threads && (s->pid || s->tid || profile_find_thread(in->p, s->tid));
}

static bool same_sample(const struct profile_sample *x, const struct profile_sample *y,
			bool threads)
{
	return x->node == y->node && x->location == y->location && (!threads || x->tid == y->tid);
}

int export_pprof_encode(const struct export_input *in, unsigned char **data, size_t *len,
			struct ft_error *err)
{
	const struct profile *p = in->p;
	struct enc e = { .in = in };
	const struct profile_sample **order = NULL;
	pb_value_type *types, **type_ptrs, period_type;
	pb_sample *samples = NULL;
	pb_sample **sample_ptrs = NULL;
	pb_label *labels = NULL;
	pb_label **label_ptrs = NULL;
	uint64_t *loc_ids = NULL;
	int64_t *values = NULL;
	uint32_t *chain = NULL;
	size_t chain_cap = 0, nsamples = 0, nloc = 0, nlabels = 0, i, j, k, depth;
	unsigned char *packed = NULL, *gz = NULL;
	size_t packed_len, gz_cap;
	int64_t key_pid, key_tid, key_thread;
	size_t ntypes, first;
	bool all, counted;
	z_stream z;
	int ret = -1;

	strtab_init(&e.strings);
	strtab_intern(&e.strings, "");
	u64map_init(&e.mapping_of);
	u64map_init(&e.function_of);
	u64map_init(&e.location_of);
	e.frame_loc = xcalloc(p->nframes ? p->nframes : 1, sizeof(*e.frame_loc));
	for (i = p->nlocations; i-- > 1;)
		if (p->locations[i].frame < p->nframes)
			e.frame_loc[p->locations[i].frame] = (uint32_t)i;

	e.prof = (pb_profile)PERFTOOLS__PROFILES__PROFILE__INIT;
	/* Every event's count of samples and weights, two types each: one
	 * number of samples of several events would add up samples of each. Else
	 * "samples" (count) first, unless the event is itself a count of
	 * samples, or the number of samples is not known: then the event's
	 * weights are the only values. */
	all = in->all_events && p->nevents > 1;
	if (all)
		ntypes = p->nevents * (in->no_counts ? 1 : 2);
	else if (strcmp(export_pprof_type(in), "samples") == 0 || in->no_counts)
		ntypes = 1;
	else
		ntypes = 2;
	types = xcalloc(ntypes, sizeof(*types));
	type_ptrs = xcalloc(ntypes, sizeof(*type_ptrs));
	for (i = 0; i < ntypes; i++) {
		int ev = all ? (int)(i * p->nevents / ntypes) : in->event;

		types[i] = (pb_value_type)PERFTOOLS__PROFILES__VALUE_TYPE__INIT;
		types[i].type = str(&e, type_of(p, ev));
		types[i].unit = str(&e, unit_of(p, ev));
		type_ptrs[i] = &types[i];
	}
	if (!all && ntypes == 2) {
		types[0].type = str(&e, "samples");
		types[0].unit = str(&e, "count");
	}
	for (i = 0; all && ntypes > p->nevents && i < p->nevents; i++) {
		char *name = xasprintf("%s%s", type_of(p, (int)i), EXPORT_PPROF_COUNT_SUFFIX);

		types[2 * i].type = str(&e, name);
		types[2 * i].unit = str(&e, "count");
		free(name);
	}
	counted = all && ntypes > p->nevents;
	/* the input's event's type */
	first = all ? (size_t)in->event * (counted ? 2 : 1) + counted : ntypes - 1;
	period_type = types[first];
	e.prof.sample_type = type_ptrs;
	e.prof.n_sample_type = ntypes;
	e.prof.default_sample_type = types[first].type;
	e.prof.period_type = &period_type;
	if (in->event >= 0 && p->events[in->event].leader < 0 && p->events[in->event].period &&
	    p->events[in->event].period != PROFILE_PERIOD_UNKNOWN)
		e.prof.period = (int64_t)p->events[in->event].period; /* -c, or each event */
	else if (p->meta.frequency && strcmp(export_input_unit(in), "ns") == 0)
		e.prof.period = (int64_t)(1000000000u / p->meta.frequency);
	e.prof.time_nanos = (int64_t)(p->meta.start_wall_ns + in->from);
	e.prof.duration_nanos = (int64_t)(in->to - in->from);
	main_mapping_first(&e);
	key_pid = str(&e, "pid");
	key_tid = str(&e, "tid");
	key_thread = str(&e, "thread_name");

	/* Group the samples, then size every array before pointing into it. */
	order = xcalloc(in->nsamples ? in->nsamples : 1, sizeof(*order));
	for (i = 0; i < in->nsamples; i++)
		order[i] = &in->samples[i];
	if (in->nsamples)
		qsort(order, in->nsamples, sizeof(*order), sample_cmp);
	for (i = 0; i < in->nsamples; i = j) {
		for (j = i + 1; j < in->nsamples && same_sample(order[i], order[j], in->threads); j++)
			;
		nsamples++;
		nloc += export_stack(p, order[i]->node, &chain, &chain_cap);
	}
	samples = xcalloc(nsamples ? nsamples : 1, sizeof(*samples));
	sample_ptrs = xcalloc(nsamples ? nsamples : 1, sizeof(*sample_ptrs));
	values = xcalloc(nsamples ? ntypes * nsamples : 1, sizeof(*values));
	loc_ids = xcalloc(nloc ? nloc : 1, sizeof(*loc_ids));
	if (in->threads) {
		labels = xcalloc(nsamples ? 3 * nsamples : 1, sizeof(*labels));
		label_ptrs = xcalloc(nsamples ? 3 * nsamples : 1, sizeof(*label_ptrs));
	}
	nsamples = nloc = 0;
	for (i = 0; i < in->nsamples; i = j) {
		const struct profile_sample *s = order[i];
		pb_sample *ps = &samples[nsamples];
		uint64_t count = 0, weight = 0;

		*ps = (pb_sample)PERFTOOLS__PROFILES__SAMPLE__INIT;
		sample_ptrs[nsamples] = ps;
		ps->value = &values[ntypes * nsamples];
		ps->n_value = ntypes;
		for (j = i; j < in->nsamples && same_sample(s, order[j], in->threads); j++) {
			count += in->counts ? in->counts[order[j] - in->samples] : 1;
			weight += order[j]->weight;
			if (all && order[j]->event < p->nevents && counted) {
				ps->value[2 * order[j]->event] +=
					(int64_t)(in->counts ? in->counts[order[j] - in->samples] : 1);
				ps->value[2 * order[j]->event + 1] += (int64_t)order[j]->weight;
			} else if (all && order[j]->event < p->nevents) {
				ps->value[order[j]->event] += (int64_t)order[j]->weight;
			}
		}
		if (!all) {
			ps->value[0] = (int64_t)count;
			ps->value[ntypes - 1] = (int64_t)weight;
		}
		depth = export_stack(p, s->node, &chain, &chain_cap);
		ps->location_id = &loc_ids[nloc];
		ps->n_location_id = depth;
		for (k = 0; k < depth; k++) /* leaf first */
			loc_ids[nloc + k] = location_id(&e, chain[depth - 1 - k],
						       k == 0 ? s->location : PROFILE_NO_LOCATION);
		nloc += depth;
		if (labelled(in, s)) {
			pb_label *l = &labels[nlabels];

			l[0] = (pb_label)PERFTOOLS__PROFILES__LABEL__INIT;
			l[1] = l[0];
			l[2] = l[0];
			l[0].key = key_pid;
			l[0].num = s->pid;
			l[1].key = key_tid;
			l[1].num = s->tid;
			l[2].key = key_thread;
			l[2].str = str(&e, export_comm(p, s->tid));
			for (k = 0; k < 3; k++)
				label_ptrs[nlabels + k] = &l[k];
			ps->label = &label_ptrs[nlabels];
			ps->n_label = 3;
			nlabels += 3;
		}
		nsamples++;
	}
	e.prof.sample = sample_ptrs;
	e.prof.n_sample = nsamples;
	e.mapping_ptrs = xcalloc(e.nmappings ? e.nmappings : 1, sizeof(*e.mapping_ptrs));
	for (i = 0; i < e.nmappings; i++)
		e.mapping_ptrs[i] = &e.mappings[i];
	e.prof.mapping = e.mapping_ptrs;
	e.prof.n_mapping = e.nmappings;
	e.function_ptrs = xcalloc(e.nfunctions ? e.nfunctions : 1, sizeof(*e.function_ptrs));
	for (i = 0; i < e.nfunctions; i++)
		e.function_ptrs[i] = &e.functions[i];
	e.prof.function = e.function_ptrs;
	e.prof.n_function = e.nfunctions;
	e.location_ptrs = xcalloc(e.nlocations ? e.nlocations : 1, sizeof(*e.location_ptrs));
	e.line_ptrs = xcalloc(e.nlocations ? e.nlocations : 1, sizeof(*e.line_ptrs));
	for (i = 0; i < e.nlocations; i++) {
		e.line_ptrs[i] = &e.lines[i];
		e.locations[i].line = &e.line_ptrs[i];
		e.location_ptrs[i] = &e.locations[i];
	}
	e.prof.location = e.location_ptrs;
	e.prof.n_location = e.nlocations;
	e.prof.string_table = e.strings.strs;
	e.prof.n_string_table = e.strings.len;

	packed_len = protobuf_c_message_get_packed_size(&e.prof.base);
	packed = xmalloc(packed_len ? packed_len : 1);
	protobuf_c_message_pack(&e.prof.base, packed);

	/* gzip it (deflate with a gzip wrapper: windowBits 15 + 16). */
	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK) {
		error_set(err, "pprof: cannot start zlib's deflate");
		goto out_free;
	}
	gz_cap = deflateBound(&z, packed_len) + 32;
	gz = xmalloc(gz_cap);
	z.next_in = packed;
	z.avail_in = (uInt)packed_len;
	z.next_out = gz;
	z.avail_out = (uInt)gz_cap;
	if (packed_len > UINT32_MAX || deflate(&z, Z_FINISH) != Z_STREAM_END) {
		deflateEnd(&z);
		error_set(err, "pprof: cannot compress %zu bytes", packed_len);
		goto out_free;
	}
	*len = gz_cap - z.avail_out;
	deflateEnd(&z);
	*data = gz;
	gz = NULL;
	ret = 0;
out_free:
	free(gz);
	free(packed);
	free(type_ptrs);
	free(types);
	free(e.line_ptrs);
	free(e.location_ptrs);
	free(e.function_ptrs);
	free(e.mapping_ptrs);
	free(label_ptrs);
	free(labels);
	free(loc_ids);
	free(values);
	free(sample_ptrs);
	free(samples);
	free(order);
	free(chain);
	free(e.frame_loc);
	free(e.lines);
	free(e.locations);
	free(e.functions);
	free(e.mappings);
	if (e.sl)
		symbols_lines_free(e.sl);
	u64map_free(&e.location_of);
	u64map_free(&e.function_of);
	u64map_free(&e.mapping_of);
	strtab_free(&e.strings);
	free(e.b.s);
	return ret;
}

int export_pprof_write(FILE *out, const struct export_input *in, struct ft_error *err)
{
	unsigned char *data;
	size_t len;
	int ret = 0;

	if (export_pprof_encode(in, &data, &len, err) < 0)
		return -1;
	if (fwrite(data, 1, len, out) != len) {
		error_set(err, "cannot write the pprof profile: %s", strerror(errno));
		ret = -1;
	}
	free(data);
	return ret;
}
