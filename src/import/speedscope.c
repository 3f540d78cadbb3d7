/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * speedscope's JSON file format (https://www.speedscope.app/
 * file-format-schema.json): frames shared by every profile ("shared":
 * {"frames": [{"name", "file", "line", "col"}]}), and "profiles", each
 * "sampled" (stacks of frame indices, outermost first, with a weight
 * each) or "evented" (frames opened "O" and closed "C" at values "at").
 *
 * Each profile becomes a thread named after the profile (tid 1, 2, ...
 * in file order; a name as flametop's export writes it, "COMM (pid P, tid
 * T)", is thread T of process P named COMM, so that a round trip keeps
 * them), and its unit an event: time units ("nanoseconds",
 * "microseconds", "milliseconds", "seconds") are the event "time" in ns,
 * "bytes" the event "bytes", "none" the event "samples". A sampled
 * profile's samples follow each other from its startValue, each as long
 * as its weight (for time units; others are at time 0), one of no stack
 * ([], as export writes a gap) being time the thread did not run; an evented
 * profile's stack, between two events, is a sample weighing the time
 * between them. The session lasts from the earliest sample's start to the
 * latest one's end (its start plus its weight), as speedscope draws it, not
 * to the last start. A frame is named by its name, in the module of its
 * file; a file "[kernel..." (the kernel's, as export names it) makes it a
 * kernel frame, as the pprof importer reads a mapping of that name.
 * Times in ns stay below 2^63, as a session's do: a startValue, an event's
 * "at" or a sample's start at 2^63 ns or more is refused.
 *
 * The file is parsed whole by jansson, which is capped: the input at
 * IMPORT_MAX_WHOLE bytes, jansson's allocations at IMPORT_MAX_DECODED.
 * Errors name the file and, for bad JSON, the line and column; for a bad
 * value, its place in the document ("profiles[1].samples[7][2]").
 */
#include "config.h"

#include "flametop/import.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flametop/util.h"


struct speedscope {
	struct import_sink *sink;
	struct profile *p;
	const char *name;
	uint32_t *frames; /* shared frame index -> frame id */
	size_t nframes;
	uint32_t *stack;
	/* The place of the sample being added: profiles[profile].list[index],
	 * or its endValue when `list` is NULL. */
	size_t profile, index;
	const char *list;
	uint32_t pid; /* the process of the profile being read */
	/* The samples' extent in ns, while `any`: the earliest start, the
	 * latest end (a start plus its weight, for time units). */
	uint64_t first, end;
	bool any;
};

static const struct {
	const char *unit, *event, *model;
	double scale; /* to the model's unit */
} units[] = {
	{ "nanoseconds", "time", "ns", 1 },	    { "microseconds", "time", "ns", 1e3 },
	{ "milliseconds", "time", "ns", 1e6 },	    { "seconds", "time", "ns", 1e9 },
	{ "bytes", "bytes", "bytes", 1 },	    { "none", "samples", "samples", 1 },
};

/* --- jansson's allocations, counted ---------------------------------------- */

static size_t json_used;

static void *counted_malloc(size_t size)
{
	if (size > IMPORT_MAX_DECODED - json_used)
		return NULL;
	json_used += size;
	return malloc(size);
}

bool import_speedscope_detect(const char *head, size_t len)
{
	const char *s = head;

	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	if (*s != '{')
		return false;
	/* Without "$schema", a file's first key may hold all of the head: the
	 * shared frames (then "frames" is in it) or the profiles (then their
	 * type is). */
	return strstr(s, "speedscope.app/file-format-schema.json") ||
	       (strstr(s, "\"shared\"") &&
		(strstr(s, "\"profiles\"") || strstr(s, "\"frames\""))) ||
	       (strstr(s, "\"profiles\"") &&
		(strstr(s, "\"sampled\"") || strstr(s, "\"evented\"")));
}

/* A number that is finite and at least 0. */
static bool get_number(const json_t *v, double *out)
{
	if (!json_is_number(v))
		return false;
	*out = json_number_value(v);
	return isfinite(*out) && *out >= 0 && *out < 9.2e18;
}

/* A frame index within the shared frames. */
static bool get_frame(const struct speedscope *ss, const json_t *v, size_t *out)
{
	double d;

	if (!get_number(v, &d) || d >= (double)ss->nframes || d != (double)(size_t)d)
		return false;
	*out = (size_t)d;
	return true;
}

static int read_frames(struct speedscope *ss, const json_t *root, struct ft_error *err)
{
	const json_t *shared = json_object_get(root, "shared");
	const json_t *frames = json_object_get(shared, "frames");
	size_t i;

	if (!json_is_object(shared) || !json_is_array(frames)) {
		error_set(err, "%s: no \"shared\": {\"frames\": [...]} (not a speedscope file?)",
			  ss->name);
		return -1;
	}
	ss->nframes = json_array_size(frames);
	if (ss->nframes > IMPORT_MAX_NODES) {
		error_set(err, "%s: shared.frames: more than %u frames (the limit)", ss->name,
			  IMPORT_MAX_NODES);
		return -1;
	}
	ss->frames = xreallocarray(NULL, ss->nframes ? ss->nframes : 1, sizeof(*ss->frames));
	for (i = 0; i < ss->nframes; i++) {
		const json_t *f = json_array_get(frames, i);
		const json_t *name = json_object_get(f, "name"), *file = json_object_get(f, "file");

		if (!json_is_object(f) || !json_is_string(name) || (file && !json_is_string(file))) {
			error_set(err, "%s: shared.frames[%zu]: not {\"name\": string, \"file\"?: "
				       "string}",
				  ss->name, i);
			return -1;
		}
		if (json_string_length(name) > IMPORT_MAX_NAME ||
		    (file && json_string_length(file) > IMPORT_MAX_NAME)) {
			error_set(err, "%s: shared.frames[%zu]: a name longer than %u bytes",
				  ss->name, i, IMPORT_MAX_NAME);
			return -1;
		}
		/* A frame of the kernel's core ("[kernel.kallsyms]", as export
		 * names it) is a kernel frame, as the pprof importer has it. */
		ss->frames[i] = profile_intern_frame(
			ss->p, *json_string_value(name) ? json_string_value(name) : "[unknown]",
			file ? json_string_value(file) : "",
			file && strncmp(json_string_value(file), "[kernel", 7) == 0
				? PROFILE_FRAME_KERNEL
				: PROFILE_FRAME_USER);
	}
	return 0;
}

/* "NAME: profiles[1].weights[7]" of the sample being added (an import_where_fn). */
static void where_sample(const void *ctx, char *buf, size_t size)
{
	const struct speedscope *ss = ctx;

	if (ss->list)
		snprintf(buf, size, "%s: profiles[%zu].%s[%zu]", ss->name, ss->profile, ss->list,
			 ss->index);
	else
		snprintf(buf, size, "%s: profiles[%zu].endValue", ss->name, ss->profile);
}

/* Widens the samples' extent to the sample `s`, which lasts its weight in
 * ns when `timed`. */
static void extend(struct speedscope *ss, const struct profile_sample *s, bool timed)
{
	uint64_t end = s->time;

	if (timed) /* s->time is below 2^63 and a weight the sink took at most 2^63 - 1 */
		end = s->weight > (uint64_t)INT64_MAX - s->time ? (uint64_t)INT64_MAX
								: s->time + s->weight;
	if (!ss->any || s->time < ss->first)
		ss->first = s->time;
	if (!ss->any || end > ss->end)
		ss->end = end;
	ss->any = true;
}

/* Adds one sample of the stack `stack[0..n)` (outermost first), at `at` ns
 * (from 0 to below 2^63: the callers check) when `timed`, else at 0. */
static int add(struct speedscope *ss, size_t n, uint32_t tid, uint32_t event, bool timed,
	       double at, double weight, struct ft_error *err)
{
	struct profile_sample s = { 0 };

	if (weight < 0.5)
		return 0;
	s.node = import_sink_stack(ss->sink, ss->stack, n);
	s.tid = tid;
	s.pid = ss->pid;
	s.event = (uint16_t)event;
	s.time = timed ? (uint64_t)at : 0;
	/* Past 2^63 - 1 the sink refuses it; past 2^64 a cast is undefined. */
	s.weight = weight < 0x1p63 ? (uint64_t)(weight + 0.5) : UINT64_MAX;
	if (import_sink_sample(ss->sink, &s, err) < 0)
		return -1;
	extend(ss, &s, timed);
	return 0;
}

static int read_sampled(struct speedscope *ss, const json_t *prof, size_t pi, uint32_t tid,
			uint32_t event, double scale, bool timed, double start,
			struct ft_error *err)
{
	const json_t *samples = json_object_get(prof, "samples");
	const json_t *weights = json_object_get(prof, "weights");
	double at = start * scale;
	size_t i, j;

	if (!json_is_array(samples) || !json_is_array(weights)) {
		error_set(err, "%s: profiles[%zu]: a sampled profile needs \"samples\" and "
			       "\"weights\" arrays",
			  ss->name, pi);
		return -1;
	}
	if (json_array_size(samples) != json_array_size(weights)) {
		error_set(err, "%s: profiles[%zu]: %zu samples but %zu weights", ss->name, pi,
			  json_array_size(samples), json_array_size(weights));
		return -1;
	}
	for (i = 0; i < json_array_size(samples); i++) {
		const json_t *stack = json_array_get(samples, i);
		double w;

		if (!json_is_array(stack)) {
			error_set(err, "%s: profiles[%zu].samples[%zu]: not an array of frames",
				  ss->name, pi, i);
			return -1;
		}
		if (json_array_size(stack) > IMPORT_MAX_FRAMES) {
			error_set(err, "%s: profiles[%zu].samples[%zu]: more than %u frames",
				  ss->name, pi, i, IMPORT_MAX_FRAMES);
			return -1;
		}
		if (!get_number(json_array_get(weights, i), &w)) {
			error_set(err, "%s: profiles[%zu].weights[%zu]: not a number of at least 0",
				  ss->name, pi, i);
			return -1;
		}
		for (j = 0; j < json_array_size(stack); j++) {
			size_t f;

			if (!get_frame(ss, json_array_get(stack, j), &f)) {
				error_set(err, "%s: profiles[%zu].samples[%zu][%zu]: not a frame "
					       "index (there are %zu frames)",
					  ss->name, pi, i, j, ss->nframes);
				return -1;
			}
			ss->stack[j] = ss->frames[f];
		}
		if (timed && at >= 0x1p63) {
			error_set(err,
				  "%s: profiles[%zu].samples[%zu]: startValue plus the weights "
				  "before it come to 2^63 ns or more (the limit)",
				  ss->name, pi, i);
			return -1;
		}
		w *= scale;
		ss->profile = pi;
		ss->list = "weights";
		ss->index = i;
		/* In time, a sample of no stack is time the thread did not run. */
		if ((!timed || json_array_size(stack)) &&
		    add(ss, json_array_size(stack), tid, event, timed, at, w, err) < 0)
			return -1;
		at += w;
	}
	return 0;
}

static int read_evented(struct speedscope *ss, const json_t *prof, size_t pi, uint32_t tid,
			uint32_t event, double scale, bool timed, double start, double end,
			struct ft_error *err)
{
	const json_t *events = json_object_get(prof, "events");
	size_t *open = xreallocarray(NULL, IMPORT_MAX_FRAMES, sizeof(*open));
	double last = start;
	size_t depth = 0, i;
	int ret = -1;

	if (!json_is_array(events)) {
		error_set(err, "%s: profiles[%zu]: an evented profile needs an \"events\" array",
			  ss->name, pi);
		goto out;
	}
	for (i = 0; i <= json_array_size(events); i++) {
		const json_t *e = json_array_get(events, i);
		const char *type = json_string_value(json_object_get(e, "type"));
		double at;
		size_t f;

		if (i == json_array_size(events)) { /* what is still open ends at endValue */
			at = end > last ? end : last;
			type = NULL;
		} else if (!json_is_object(e) || !type || (strcmp(type, "O") && strcmp(type, "C")) ||
			   !get_number(json_object_get(e, "at"), &at) ||
			   !get_frame(ss, json_object_get(e, "frame"), &f)) {
			error_set(err, "%s: profiles[%zu].events[%zu]: not {\"type\": \"O\" or \"C\", "
				       "\"at\": number, \"frame\": frame index}",
				  ss->name, pi, i);
			goto out;
		}
		if (timed && type && at * scale >= 0x1p63) {
			error_set(err,
				  "%s: profiles[%zu].events[%zu].at: 2^63 ns or more (the limit)",
				  ss->name, pi, i);
			goto out;
		}
		if (at < last) {
			error_set(err, "%s: profiles[%zu].events[%zu]: at %g, before the event "
				       "before it (%g)",
				  ss->name, pi, i, at, last);
			goto out;
		}
		ss->profile = pi;
		ss->list = type ? "events" : NULL; /* NULL: the endValue */
		ss->index = i;
		if (depth > 0 &&
		    add(ss, depth, tid, event, timed, last * scale, (at - last) * scale, err) < 0)
			goto out;
		last = at;
		if (!type)
			break;
		if (*type == 'O') {
			if (depth == IMPORT_MAX_FRAMES) {
				error_set(err, "%s: profiles[%zu].events[%zu]: more than %u frames "
					       "open",
					  ss->name, pi, i, IMPORT_MAX_FRAMES);
				goto out;
			}
			open[depth] = f;
			ss->stack[depth++] = ss->frames[f];
		} else {
			if (depth == 0 || open[depth - 1] != f) {
				error_set(err, "%s: profiles[%zu].events[%zu]: closes frame %zu, "
					       "which is not the innermost open frame",
					  ss->name, pi, i, f);
				goto out;
			}
			depth--;
		}
	}
	ret = 0;
out:
	free(open);
	return ret;
}

/*
 * Whether `name` is a profile's name as flametop's export writes it, "COMM
 * (pid P, tid T)": then COMM's length in *len, P and T.
 */
static bool flametop_name(const char *name, size_t *len, uint32_t *pid, uint32_t *tid)
{
	const char *open = strrchr(name, '(');
	unsigned long long p, t;
	int end = -1;

	if (!open || open == name || open[-1] != ' ')
		return false;
	if (sscanf(open, "(pid %llu, tid %llu)%n", &p, &t, &end) != 2 || end < 0 ||
	    open[end] != '\0' || p > UINT32_MAX || t > UINT32_MAX - 1)
		return false;
	*len = (size_t)(open - 1 - name);
	*pid = (uint32_t)p;
	*tid = (uint32_t)t;
	return true;
}

/* The profile's thread: its name (NULL: none) and ids, as the thread of
 * index `i` (tid i + 1) or, for a name flametop's export wrote, its own. */
static void profile_thread(struct speedscope *ss, const char *pname, size_t i, uint32_t *tid)
{
	size_t len;
	char *comm;

	*tid = (uint32_t)i + 1;
	ss->pid = *tid;
	if (!pname)
		return;
	if (!flametop_name(pname, &len, &ss->pid, tid)) {
		import_sink_thread(ss->sink, ss->pid, *tid, pname);
		return;
	}
	comm = xstrndup(pname, len);
	import_sink_thread(ss->sink, ss->pid, *tid, comm);
	free(comm);
}

int import_speedscope_run(struct import_input *in, struct import_sink *sink, struct ft_error *err)
{
	json_malloc_t old_malloc;
	json_free_t old_free;
	struct speedscope ss;
	json_error_t jerr;
	json_t *root = NULL;
	const json_t *profiles;
	char *data = NULL;
	size_t len, i;
	int ret = -1;

	memset(&ss, 0, sizeof(ss));
	ss.sink = sink;
	ss.p = import_sink_profile(sink);
	ss.name = import_input_name(in);
	if (import_input_all(in, IMPORT_MAX_WHOLE, &data, &len, err) < 0)
		goto out;
	/* Plain malloc underneath, so what jansson frees later is freed right. */
	json_get_alloc_funcs(&old_malloc, &old_free);
	json_used = 0;
	json_set_alloc_funcs(counted_malloc, free);
	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	json_set_alloc_funcs(old_malloc, old_free);
	if (!root) {
		if (json_used + (1u << 20) >= IMPORT_MAX_DECODED)
			error_set(err, "%s: takes more than %zu MiB of memory once parsed (the limit)",
				  ss.name, IMPORT_MAX_DECODED >> 20);
		else
			error_set(err, "%s:%d:%d: %s", ss.name, jerr.line, jerr.column, jerr.text);
		goto out;
	}
	if (!json_is_object(root)) {
		error_set(err, "%s: not a JSON object (not a speedscope file)", ss.name);
		goto out;
	}
	if (read_frames(&ss, root, err) < 0)
		goto out;
	profiles = json_object_get(root, "profiles");
	if (!json_is_array(profiles)) {
		error_set(err, "%s: no \"profiles\" array", ss.name);
		goto out;
	}
	ss.stack = xreallocarray(NULL, IMPORT_MAX_FRAMES, sizeof(*ss.stack));
	import_sink_set_where(sink, where_sample, &ss);
	for (i = 0; i < json_array_size(profiles); i++) {
		const json_t *prof = json_array_get(profiles, i);
		const char *type = json_string_value(json_object_get(prof, "type"));
		const char *unit = json_string_value(json_object_get(prof, "unit"));
		const char *pname = json_string_value(json_object_get(prof, "name"));
		double start, end;
		uint32_t event, tid;
		bool timed;
		size_t u;
		int r;

		if (!json_is_object(prof) || !type || !unit) {
			error_set(err, "%s: profiles[%zu]: not {\"type\", \"unit\", ...}", ss.name, i);
			goto out;
		}
		for (u = 0; u < ARRAY_SIZE(units); u++)
			if (strcmp(unit, units[u].unit) == 0)
				break;
		if (u == ARRAY_SIZE(units)) {
			error_set(err, "%s: profiles[%zu]: unknown unit '%.40s'", ss.name, i, unit);
			goto out;
		}
		if (!get_number(json_object_get(prof, "startValue"), &start) ||
		    !get_number(json_object_get(prof, "endValue"), &end)) {
			error_set(err, "%s: profiles[%zu]: no \"startValue\" and \"endValue\" of at "
				       "least 0",
				  ss.name, i);
			goto out;
		}
		timed = strcmp(units[u].model, "ns") == 0;
		if (timed && start * units[u].scale >= 0x1p63) {
			error_set(err, "%s: profiles[%zu].startValue: 2^63 ns or more (the limit)",
				  ss.name, i);
			goto out;
		}
		if (i >= UINT32_MAX - 1) {
			error_set(err, "%s: too many profiles", ss.name);
			goto out;
		}
		if (import_sink_event(sink, units[u].event, units[u].model, &event, err) < 0)
			goto out;
		profile_thread(&ss, pname, i, &tid);
		if (strcmp(type, "sampled") == 0)
			r = read_sampled(&ss, prof, i, tid, event, units[u].scale, timed, start,
					 err);
		else if (strcmp(type, "evented") == 0)
			r = read_evented(&ss, prof, i, tid, event, units[u].scale, timed, start,
					 end, err);
		else {
			error_set(err, "%s: profiles[%zu]: unknown type '%.40s' (not sampled or "
				       "evented)",
				  ss.name, i, type);
			goto out;
		}
		if (r < 0)
			goto out;
	}
	/* The sink takes the last start for the end; speedscope's last sample
	 * lasts its weight (the sink rebases times to the earliest, `first`). */
	if (ss.any && ss.end - ss.first > ss.p->meta.duration_ns)
		ss.p->meta.duration_ns = ss.end - ss.first;
	ret = 0;
out:
	import_sink_set_where(sink, NULL, NULL);
	free(ss.stack);
	free(ss.frames);
	json_decref(root);
	free(data);
	return ret;
}
