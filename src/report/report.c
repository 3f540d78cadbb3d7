/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The `report` renderers: a text table of the hottest functions under a
 * header describing the session, the JSON object DESIGN.md promises, and
 * Brendan Gregg's folded (collapsed stack) format. All three read the model
 * through profile_query_top() or the samples (with --lines, also through
 * report_lines_query(): the hottest source lines), and every string that came
 * from a profiled program or a session file passes util_sanitize() before
 * it is written, so nothing printed can drive the user's terminal.
 */
#include "config.h"

#include "flametop/report.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "flametop/profile.h"
#include "flametop/util.h"

/* Function names wider than this don't widen the text table's column. */
#define REPORT_NAME_COLUMN_MAX 60

static const struct {
	const char *name;
	enum report_format format;
} report_formats[] = {
	{ .name = "text", .format = REPORT_TEXT },
	{ .name = "json", .format = REPORT_JSON },
	{ .name = "folded", .format = REPORT_FOLDED },
};

int report_parse_format(const char *name, enum report_format *out)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(report_formats); i++) {
		if (strcmp(report_formats[i].name, name) == 0) {
			*out = report_formats[i].format;
			return 0;
		}
	}
	return -EINVAL;
}

/* A reusable buffer holding the sanitized copy of one string. */
struct clean_buf {
	char *s;
	size_t cap;
};

/* Borrowed, valid until the next call on `b`. */
static const char *clean(struct clean_buf *b, const char *in)
{
	size_t need = UTIL_SANITIZE_SIZE(strlen(in));

	if (need > b->cap) {
		b->s = xrealloc(b->s, need);
		b->cap = need;
	}
	return util_sanitize(in, b->s, b->cap);
}

static const char *frame_module_short(const struct profile *p, const struct profile_frame *fr)
{
	const char *m = profile_string(p, fr->module);

	if (!*m)
		return "[unknown]";
	/* "[kernel.kallsyms]", "[vdso]", "[anon:...]" are names, not paths. */
	return m[0] == '[' ? m : util_basename(m);
}

/* Display columns of sanitized (valid UTF-8) text: one per code point. */
static size_t text_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

static double percent(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static double seconds(uint64_t ns)
{
	return (double)ns / 1e9;
}

static bool filter_active(const struct profile_filter *f, bool event_chosen)
{
	return f->pid >= 0 || f->tid >= 0 || (event_chosen && f->event >= 0) || f->from ||
	       (f->to && f->to != UINT64_MAX) || f->comm || f->include || f->exclude;
}

/* The part of the session a query's time window covers, in ns. */
static uint64_t window_ns(const struct profile *p, const struct profile_filter *f,
			  const struct profile_top *t)
{
	uint64_t end = p->meta.duration_ns, to = f->to ? f->to : UINT64_MAX;

	if (!end && t->nsamples)
		end = t->last_time;
	if (to < end)
		end = to;
	return end > f->from ? end - f->from : 0;
}

static void write_text_header(FILE *out, const struct profile *p, const struct report_options *o,
			      const struct profile_filter *f, const struct profile_top *t,
			      bool event_chosen, struct clean_buf *b)
{
	const struct profile_meta *m = &p->meta;
	const char *sep = "";

	if (o->source)
		fprintf(out, "# source: %s\n", clean(b, o->source));
	if (m->target)
		fprintf(out, "# target: %s\n", clean(b, m->target));
	if (m->host || m->start_wall_ns) {
		time_t when = (time_t)(m->start_wall_ns / 1000000000u);
		char date[32] = "";
		struct tm tm;

		if (m->start_wall_ns && localtime_r(&when, &tm))
			strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S %z", &tm);
		fprintf(out, "# recorded%s%s", *date ? " " : "", date);
		if (m->host && *m->host)
			fprintf(out, " on %s", clean(b, m->host));
		if (m->kernel && *m->kernel)
			fprintf(out, " (%s)", clean(b, m->kernel));
		fputc('\n', out);
	}
	if (m->recorder_peak_rss)
		fprintf(out, "# recorder: peak memory %.1f MiB\n",
			(double)m->recorder_peak_rss / (1024.0 * 1024.0));
	if (p->folded)
		fprintf(out,
			"# recorder: reached its limits; %" PRIu64 " new functions or stacks "
			"were folded into " PROFILE_OTHER_NAME "\n",
			p->folded);
	if (f->event >= 0 && (uint32_t)f->event < p->nevents) {
		const struct profile_event *e = &p->events[f->event];

		fprintf(out, "# event: %s", clean(b, e->name));
		fprintf(out, " (unit: %s)", clean(b, e->unit));
	} else {
		fprintf(out, "# event: none");
	}
	if (m->frequency)
		fprintf(out, ", frequency %" PRIu32 " Hz\n", m->frequency);
	else
		fprintf(out, ", sampled by period\n");
	if (!event_chosen && p->nevents > 1)
		fprintf(out, "# %" PRIu32 " events recorded; showing the first (choose with --event)\n",
			p->nevents);
	fprintf(out, "# samples: %" PRIu64 ", duration: %.2f s, lost: %" PRIu64, t->nsamples,
		seconds(window_ns(p, f, t)), m->lost);
	if (m->throttled)
		fprintf(out, ", throttled: %" PRIu64, m->throttled);
	fputc('\n', out);
	if (!filter_active(f, event_chosen))
		return;
	fprintf(out, "# filters:");
	if (f->pid >= 0) {
		fprintf(out, "%s pid %" PRId64, sep, f->pid);
		sep = ",";
	}
	if (f->tid >= 0) {
		fprintf(out, "%s tid %" PRId64, sep, f->tid);
		sep = ",";
	}
	if (event_chosen && f->event >= 0) {
		fprintf(out, "%s event %s", sep, clean(b, p->events[f->event].name));
		sep = ",";
	}
	if (f->from) {
		fprintf(out, "%s from %.2f s", sep, seconds(f->from));
		sep = ",";
	}
	if (f->to && f->to != UINT64_MAX) {
		fprintf(out, "%s to %.2f s", sep, seconds(f->to));
		sep = ",";
	}
	if (f->comm) {
		fprintf(out, "%s comm %s", sep, clean(b, f->comm));
		sep = ",";
	}
	if (f->include) {
		fprintf(out, "%s include /%s/", sep, clean(b, o->include ? o->include : "?"));
		sep = ",";
	}
	if (f->exclude)
		fprintf(out, "%s exclude /%s/", sep, clean(b, o->exclude ? o->exclude : "?"));
	fputc('\n', out);
}

/* "file:line" for a row, the file as its base name; "?:0" when unknown. */
static void line_label(char *buf, size_t size, const struct report_line *l)
{
	snprintf(buf, size, "%s:%u", l->file ? util_basename(l->file) : "?", l->line);
}

/* The text table of the hottest source lines (--lines). */
static void write_text_lines(FILE *out, const struct profile *p, const struct report_options *o,
			     const struct report_lines *r)
{
	struct clean_buf name = { 0 }, module = { 0 }, label = { 0 };
	size_t rows = r->nlines, lwidth = strlen("Line"), nwidth = strlen("Function"), i;
	char buf[512];

	if (r->located < r->total)
		fprintf(out, "# %.2f%% of these samples have no code location (kernel code, or a "
			     "session recorded before format 1.2)\n",
			percent(r->total - r->located, r->total));
	if (o->top && o->top < rows)
		rows = o->top;
	for (i = 0; i < rows; i++) {
		const struct profile_frame *fr = &p->frames[r->lines[i].frame];
		size_t w;

		line_label(buf, sizeof(buf), &r->lines[i]);
		w = text_width(clean(&label, buf));
		if (w > lwidth)
			lwidth = w < REPORT_NAME_COLUMN_MAX ? w : REPORT_NAME_COLUMN_MAX;
		w = text_width(clean(&name, profile_string(p, fr->name)));
		if (w > nwidth)
			nwidth = w < REPORT_NAME_COLUMN_MAX ? w : REPORT_NAME_COLUMN_MAX;
	}
	fprintf(out, "%7s  %-*s  %-*s  %s\n", "Self", (int)lwidth, "Line", (int)nwidth, "Function",
		"Module");
	for (i = 0; i < rows; i++) {
		const struct report_line *l = &r->lines[i];
		const struct profile_frame *fr = &p->frames[l->frame];
		const char *lb, *n;
		size_t lw, nw;

		line_label(buf, sizeof(buf), l);
		lb = clean(&label, buf);
		lw = text_width(lb);
		n = clean(&name, profile_string(p, fr->name));
		nw = text_width(n);
		fprintf(out, "%6.2f%%  %s%*s  %s%*s  %s\n", percent(l->self, r->total), lb,
			lw < lwidth ? (int)(lwidth - lw) : 0, "", n,
			nw < nwidth ? (int)(nwidth - nw) : 0, "",
			clean(&module, frame_module_short(p, fr)));
	}
	free(label.s);
	free(module.s);
	free(name.s);
}

/* The hottest lines of the samples `f` selects; caller frees. */
static struct report_lines *query_lines(const struct profile *p, const struct report_options *o,
					const struct profile_filter *f, struct symbols_lines **sl)
{
	*sl = symbols_lines_new();
	symbols_lines_set_notice(*sl, o->notice);
	return report_lines_query(p, f, PROFILE_NO_FRAME, *sl);
}

static void write_text(FILE *out, const struct profile *p, const struct report_options *o,
		       const struct profile_filter *f, bool event_chosen)
{
	struct profile_top *t = profile_query_top(p, f);
	struct clean_buf name = { 0 }, module = { 0 };
	size_t rows = t->nfns, width = strlen("Function"), i;

	write_text_header(out, p, o, f, t, event_chosen, &name);
	if (!t->nsamples || !t->total_weight) {
		fprintf(out, "no matching samples\n");
		goto out_free;
	}
	if (o->lines) {
		struct symbols_lines *sl;
		struct report_lines *r = query_lines(p, o, f, &sl);

		write_text_lines(out, p, o, r);
		report_lines_free(r);
		symbols_lines_free(sl);
		goto out_free;
	}
	if (o->top && o->top < rows)
		rows = o->top;
	for (i = 0; i < rows; i++) {
		const struct profile_frame *fr = &p->frames[t->fns[i].frame];
		size_t w = text_width(clean(&name, profile_string(p, fr->name)));

		if (w > width)
			width = w < REPORT_NAME_COLUMN_MAX ? w : REPORT_NAME_COLUMN_MAX;
	}
	fprintf(out, "%7s  %7s  %-*s  %s\n", "Self", "Total", (int)width, "Function", "Module");
	for (i = 0; i < rows; i++) {
		const struct profile_fn_stat *s = &t->fns[i];
		const struct profile_frame *fr = &p->frames[s->frame];
		const char *n = clean(&name, profile_string(p, fr->name));
		size_t w = text_width(n);

		fprintf(out, "%6.2f%%  %6.2f%%  %s%*s  %s\n", percent(s->self, t->total_weight),
			percent(s->total, t->total_weight), n, w < width ? (int)(width - w) : 0, "",
			clean(&module, frame_module_short(p, fr)));
	}
out_free:
	free(module.s);
	free(name.s);
	profile_top_free(t);
}

/* Sets `key` in `obj`, consuming `value`. Returns 0 or -ENOMEM. */
static int json_put(json_t *obj, const char *key, json_t *value)
{
	return value && json_object_set_new(obj, key, value) == 0 ? 0 : -ENOMEM;
}

/*
 * Adds "lines": [{"file", "line", "name", "module", "self"} ...], the
 * hottest source lines ("file" null when unknown), as many as --top says.
 */
static int put_json_lines(json_t *root, const struct profile *p, const struct report_options *o,
			  const struct profile_filter *f, struct clean_buf *b)
{
	struct symbols_lines *sl;
	struct report_lines *r = query_lines(p, o, f, &sl);
	json_t *arr = json_array();
	size_t rows = r->nlines, i;
	int ret = -ENOMEM;

	if (!arr)
		goto out_free;
	if (o->top && o->top < rows)
		rows = o->top;
	for (i = 0; i < rows; i++) {
		const struct report_line *l = &r->lines[i];
		const struct profile_frame *fr = &p->frames[l->frame];
		json_t *row = json_object();

		if (!row || json_array_append_new(arr, row))
			goto out_free;
		if (json_put(row, "file", l->file ? json_string(clean(b, l->file)) : json_null()) ||
		    json_put(row, "line", json_integer((json_int_t)l->line)) ||
		    json_put(row, "name", json_string(clean(b, profile_string(p, fr->name)))) ||
		    json_put(row, "module", json_string(clean(b, profile_string(p, fr->module)))) ||
		    json_put(row, "self", json_integer((json_int_t)l->self)))
			goto out_free;
	}
	ret = json_object_set(root, "lines", arr) ? -ENOMEM : 0;
out_free:
	json_decref(arr);
	report_lines_free(r);
	symbols_lines_free(sl);
	return ret;
}

static int write_json(FILE *out, const struct profile *p, const struct report_options *o,
		      const struct profile_filter *f, struct ft_error *err)
{
	struct profile_top *t = profile_query_top(p, f);
	struct clean_buf b = { 0 };
	json_t *root = json_object(), *fns = json_array();
	size_t rows = t->nfns, i;
	const char *unit = "samples";
	int ret = -ENOMEM;

	if (f->event >= 0 && (uint32_t)f->event < p->nevents)
		unit = p->events[f->event].unit;
	if (!root || !fns)
		goto out_free;
	if (json_put(root, "total", json_integer((json_int_t)t->total_weight)) ||
	    json_put(root, "unit", json_string(clean(&b, unit))))
		goto out_free;
	if (o->top && o->top < rows)
		rows = o->top;
	for (i = 0; i < rows; i++) {
		const struct profile_fn_stat *s = &t->fns[i];
		const struct profile_frame *fr = &p->frames[s->frame];
		json_t *fn = json_object();

		if (!fn || json_array_append_new(fns, fn))
			goto out_free;
		if (json_put(fn, "name", json_string(clean(&b, profile_string(p, fr->name)))) ||
		    json_put(fn, "module", json_string(clean(&b, profile_string(p, fr->module)))) ||
		    json_put(fn, "self", json_integer((json_int_t)s->self)) ||
		    json_put(fn, "total", json_integer((json_int_t)s->total)))
			goto out_free;
	}
	ret = json_object_set(root, "functions", fns) ? -ENOMEM : 0;
	if (ret)
		goto out_free;
	if (o->lines && (ret = put_json_lines(root, p, o, f, &b)) < 0)
		goto out_free;
	if (json_dumpf(root, out, JSON_PRESERVE_ORDER) || fputc('\n', out) == EOF)
		ret = -EIO;
out_free:
	if (ret == -ENOMEM)
		error_set(err, "report: cannot build the JSON output");
	json_decref(fns);
	json_decref(root);
	free(b.s);
	profile_top_free(t);
	return ret;
}

/* One distinct (thread name, stack) and its summed weight. */
struct folded_entry {
	uint32_t comm; /* string id + 1; 0 = no thread name */
	uint32_t node;
	uint64_t weight;
	char *line; /* the rendered stack, without the weight */
};

static int folded_cmp(const void *a, const void *b)
{
	const struct folded_entry *x = a, *y = b;

	return strcmp(x->line, y->line);
}

/* A growable string. */
struct sbuf {
	char *s;
	size_t len, cap;
};

static void sbuf_add(struct sbuf *sb, const char *s)
{
	size_t n = strlen(s);

	if (sb->len + n + 1 > sb->cap) {
		size_t cap = sb->cap ? sb->cap : 256;

		while (sb->len + n + 1 > cap)
			cap *= 2;
		sb->s = xrealloc(sb->s, cap);
		sb->cap = cap;
	}
	memcpy(sb->s + sb->len, s, n + 1);
	sb->len += n;
}

/* Appends one folded-format element: sanitized, ';' made ':', never empty. */
static void folded_add_name(struct sbuf *sb, struct clean_buf *b, const char *name)
{
	size_t start = sb->len, i;

	sbuf_add(sb, *name ? clean(b, name) : "[unknown]");
	for (i = start; i < sb->len; i++)
		if (sb->s[i] == ';')
			sb->s[i] = ':';
}

/* Caller frees: "comm;outermost;...;leaf" for an entry. */
static char *folded_line(const struct profile *p, const struct folded_entry *e,
			 uint32_t **chain, size_t *chain_cap, struct clean_buf *b)
{
	struct sbuf sb = { 0 };
	uint32_t node, depth = 0;

	for (node = e->node; node != PROFILE_ROOT; node = p->nodes[node].parent) {
		if (depth == *chain_cap) {
			*chain_cap = *chain_cap ? *chain_cap * 2 : 64;
			*chain = xreallocarray(*chain, *chain_cap, sizeof(**chain));
		}
		(*chain)[depth++] = p->nodes[node].frame;
	}
	folded_add_name(&sb, b, e->comm ? profile_string(p, e->comm - 1) : "[unknown]");
	while (depth--) {
		sbuf_add(&sb, ";");
		folded_add_name(&sb, b, profile_string(p, p->frames[(*chain)[depth]].name));
	}
	return sb.s;
}

/*
 * Lines are sorted by their text; distinct stacks that render the same
 * (one name in two modules) are merged so each line is unique.
 */
static int write_folded(FILE *out, const struct profile *p, const struct profile_filter *f)
{
	struct folded_entry *entries = NULL;
	size_t nentries = 0, cap = 0, chain_cap = 0, i, j;
	uint32_t *chain = NULL;
	struct clean_buf b = { 0 };
	struct u64map map;
	int ret = 0;

	u64map_init(&map);
	for (i = 0; i < p->nsamples; i++) {
		const struct profile_sample *s = &p->samples[i];
		const struct profile_thread *th;
		uint32_t comm, idx;
		uint64_t key;

		if (s->node >= p->nnodes || !profile_filter_match(f, s))
			continue;
		th = profile_find_thread(p, s->tid);
		comm = th ? th->comm + 1 : 0;
		key = ((uint64_t)s->node + 1) << 32 | comm;
		if (!u64map_get(&map, key, &idx)) {
			if (nentries == cap) {
				cap = cap ? cap * 2 : 64;
				entries = xreallocarray(entries, cap, sizeof(*entries));
			}
			idx = (uint32_t)nentries++;
			entries[idx] = (struct folded_entry){ .comm = comm, .node = s->node };
			u64map_put(&map, key, idx);
		}
		entries[idx].weight += s->weight;
	}
	for (i = 0; i < nentries; i++)
		entries[i].line = folded_line(p, &entries[i], &chain, &chain_cap, &b);
	if (nentries)
		qsort(entries, nentries, sizeof(*entries), folded_cmp);
	for (i = 0; i < nentries; i = j) {
		uint64_t w = entries[i].weight;

		for (j = i + 1; j < nentries && strcmp(entries[i].line, entries[j].line) == 0; j++)
			w += entries[j].weight;
		if (w && fprintf(out, "%s %" PRIu64 "\n", entries[i].line, w) < 0)
			ret = -EIO;
	}
	for (i = 0; i < nentries; i++)
		free(entries[i].line);
	free(entries);
	free(chain);
	free(b.s);
	u64map_free(&map);
	return ret;
}

int report_write(FILE *out, const struct profile *p, const struct report_options *o,
		 struct ft_error *err)
{
	struct profile_filter f = o->filter;
	bool event_chosen = f.event >= 0;
	int ret = 0;

	if (event_chosen && (uint32_t)f.event >= p->nevents) {
		error_set(err, "report: no event %d in this session (it has %" PRIu32 ")", f.event,
			  p->nevents);
		return -EINVAL;
	}
	/* Weights of different events don't add up: default to the first. */
	if (!event_chosen && p->nevents)
		f.event = 0;

	switch (o->format) {
	case REPORT_TEXT:
		write_text(out, p, o, &f, event_chosen);
		break;
	case REPORT_JSON:
		ret = write_json(out, p, o, &f, err);
		break;
	case REPORT_FOLDED:
		if (o->lines) {
			error_set(err, "report: --lines works with --format text or json");
			return -EINVAL;
		}
		ret = write_folded(out, p, &f);
		break;
	default:
		error_set(err, "report: unknown format %d", (int)o->format);
		return -EINVAL;
	}
	if (!ret && (fflush(out) || ferror(out)))
		ret = -EIO;
	if (ret == -EIO)
		error_set(err, "report: cannot write the output");
	return ret;
}
