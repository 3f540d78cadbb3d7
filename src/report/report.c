/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The `report` renderers: a text table of the hottest functions under a
 * header describing the session, the JSON object DESIGN.md promises, and
 * Brendan Gregg's folded (collapsed stack) format (the folded exporter's,
 * src/export/folded.c), and the FlameScope heatmap. A report keeps the
 * tallies (profile_tally) its format reads, fed the samples a batch at a
 * time as a session is read, so nothing holds every sample; it is written
 * from them and the model once the session is read (with --lines, also
 * the hottest source lines, report_lines_build()). Every string that came
 * from a profiled program or a session file passes util_sanitize() before
 * it is written, so nothing printed can drive the user's terminal.
 */
#include "config.h"

#include "flametop/report.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "flametop/export.h"
#include "flametop/profile.h"
#include "flametop/sampler.h"
#include "flametop/util.h"

/* Function names wider than this don't widen the text table's column. */
#define REPORT_NAME_COLUMN_MAX 60

/*
 * A report being counted: the tallies its format reads, fed as the
 * sessions are read (report_add), written once they are whole.
 */
struct report {
	struct report_options o; /* o.baseline: set by report_baseline() */
	const struct profile *p; /* borrowed */
	struct profile_filter f, bf; /* the report's, with its event; the baseline's */
	bool event_chosen;
	struct profile_tally *now, *base;
	/* Text and JSON without a baseline: per event a ratio reads (NULL else),
	 * its top-list in the window (profile_ratio_set_new()'s queries). */
	struct profile_tally **ratio;
	/* Samples of each event read, in any window (NULL before the first):
	 * what to say when the event shown by default has none. */
	uint64_t *event_samples;
	uint32_t nevent_samples;
};

static const struct {
	const char *name;
	enum report_format format;
} report_formats[] = {
	{ .name = "text", .format = REPORT_TEXT },
	{ .name = "json", .format = REPORT_JSON },
	{ .name = "folded", .format = REPORT_FOLDED },
	{ .name = "heatmap", .format = REPORT_HEATMAP },
};

uint64_t report_event_period(const struct profile *p, int event)
{
	const struct profile_event *e;

	if (event < 0 || (uint32_t)event >= p->nevents)
		return 0;
	e = &p->events[event];
	if (e->leader >= 0 && e->leader < event)
		return report_event_period(p, e->leader);
	if (e->period != PROFILE_PERIOD_UNKNOWN)
		return e->period;
	return p->meta.frequency && sampler_event_every(e->name) ? 1 : 0;
}

bool report_any_at_frequency(const struct profile *p)
{
	uint32_t i;

	for (i = 0; p->meta.frequency && i < p->nevents; i++)
		if (report_event_period(p, (int)i) == 0)
			return true;
	return false;
}

bool report_total_estimated(const struct profile *p, int event)
{
	return p->meta.frequency && event >= 0 && (uint32_t)event < p->nevents &&
	       p->events[event].leader < 0 && report_event_period(p, event) == 0 &&
	       sampler_event_soft_count(p->events[event].name);
}

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

/* Whether the code point `c` takes two columns in a terminal: the East
 * Asian wide and fullwidth blocks (CJK, Hangul, fullwidth forms, emoji). */
static bool is_wide(uint32_t c)
{
	static const uint32_t wide[][2] = {
		{ 0x1100, 0x115f },   { 0x2e80, 0x303e },   { 0x3041, 0x33ff },
		{ 0x3400, 0x4dbf },   { 0x4e00, 0x9fff },   { 0xa000, 0xa4cf },
		{ 0xac00, 0xd7a3 },   { 0xf900, 0xfaff },   { 0xfe30, 0xfe4f },
		{ 0xff00, 0xff60 },   { 0xffe0, 0xffe6 },   { 0x1f300, 0x1f64f },
		{ 0x1f900, 0x1f9ff }, { 0x20000, 0x2fffd }, { 0x30000, 0x3fffd },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(wide); i++)
		if (c >= wide[i][0] && c <= wide[i][1])
			return true;
	return false;
}

/* Display columns of sanitized (valid UTF-8) text: one per code point,
 * two for a wide one (so that a CJK name keeps the columns aligned). */
static size_t text_width(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t w = 0;

	while (*u) {
		uint32_t c = *u;
		int more = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;

		if (more)
			c &= 0x3fu >> more;
		for (u++; more > 0 && (*u & 0xc0) == 0x80; more--, u++)
			c = c << 6 | (*u & 0x3f);
		w += is_wide(c) ? 2 : 1;
	}
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
	uint64_t period = 0;
	bool counted = false;

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
		period = report_event_period(p, f->event);
		/* Weights that count samples (an import without periods:
		 * perf script without the period field, folded stacks) are
		 * no period's. */
		counted = !m->frequency && strcmp(e->unit, "samples") == 0;
	} else {
		fprintf(out, "# event: none");
	}
	if (period && p->events[f->event].leader >= 0) {
		/* A group member: its leader's period, in the leader's unit. */
		const struct profile_event *l = &p->events[p->events[f->event].leader];

		fprintf(out, ", counted at each sample of %s, every %" PRIu64 " %s\n",
			clean(b, l->name), period, strcmp(l->unit, "ns") == 0 ? "ns" : "events");
	} else if (period == 1) {
		fprintf(out, ", each event sampled\n");
	} else if (period) {
		fprintf(out, ", sampled every %" PRIu64 " %s\n", period,
			strcmp(p->events[f->event].unit, "ns") == 0 ? "ns" : "events");
	} else if (counted) {
		fprintf(out, ", counted in samples\n");
	} else if (report_total_estimated(p, f->event)) {
		fprintf(out, ", frequency %" PRIu32 " Hz: its totals are estimates (sums of "
			     "the kernel's sampling periods)\n", m->frequency);
	} else if (m->frequency) {
		fprintf(out, ", frequency %" PRIu32 " Hz\n", m->frequency);
	} else {
		fprintf(out, ", sampled by period\n");
	}
	if (!event_chosen && p->nevents > 1)
		fprintf(out, "# %" PRIu32 " events recorded; showing the first (choose with --event)\n",
			p->nevents);
	fprintf(out, "# samples: %" PRIu64 ", duration: %.2f s, lost: %" PRIu64,
		profile_top_samples(p, f->event, t), seconds(window_ns(p, f, t)), m->lost);
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
	if (!r->totals_known)
		fprintf(out, "# line totals are unknown: the session has no call sites (recorded "
			     "before format 1.4, or imported)\n");
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
	fprintf(out, "%7s  %7s  %-*s  %-*s  %s\n", "Self", "Total", (int)lwidth, "Line",
		(int)nwidth, "Function", "Module");
	for (i = 0; i < rows; i++) {
		const struct report_line *l = &r->lines[i];
		const struct profile_frame *fr = &p->frames[l->frame];
		const char *lb, *n;
		char total[16] = "      -";
		size_t lw, nw;

		if (r->totals_known)
			snprintf(total, sizeof(total), "%6.2f%%", percent(l->total, r->total));
		line_label(buf, sizeof(buf), l);
		lb = clean(&label, buf);
		lw = text_width(lb);
		n = clean(&name, profile_string(p, fr->name));
		nw = text_width(n);
		fprintf(out, "%6.2f%%  %s  %s%*s  %s%*s  %s\n", percent(l->self, r->total), total, lb,
			lw < lwidth ? (int)(lwidth - lw) : 0, "", n,
			nw < nwidth ? (int)(nwidth - nw) : 0, "",
			clean(&module, frame_module_short(p, fr)));
	}
	free(label.s);
	free(module.s);
	free(name.s);
}

static struct profile_top *ratio_top(void *ctx, int e)
{
	const struct report *r = ctx;

	return profile_tally_top(r->ratio[e]);
}

/* The ratios of the report's event (a perf event group's) in its window, or NULL.
 * Caller frees. */
static struct profile_ratio_set *query_ratios(const struct report *r)
{
	return r->ratio ? profile_ratio_set_new(r->p, r->f.event, ratio_top, (void *)r) : NULL;
}

/* Whether ratio `r`'s label already says what it is ("faults/cs": one over the other). */
static bool label_is_definition(const struct profile *p, const struct profile_ratio *r)
{
	const char *num = p->events[r->num].name, *den = p->events[r->den].name;
	size_t n = strlen(num);

	return r->scale == 1 && strncmp(r->label, num, n) == 0 && r->label[n] == '/' &&
	       strcmp(r->label + n + 1, den) == 0;
}

/* "# ratios: IPC = instructions/cycles, ...": what the ratio columns are. */
static void write_text_ratios(FILE *out, const struct profile *p,
			      const struct profile_ratio_set *rs, struct clean_buf *b)
{
	size_t i;

	fprintf(out, "# ratios of each function's total weights (itself and its callees):");
	for (i = 0; i < rs->n; i++) {
		const struct profile_ratio *r = &rs->r[i];

		fprintf(out, "%s %s", i ? "," : "", clean(b, r->label));
		if (label_is_definition(p, r))
			continue;
		fprintf(out, " = %s", clean(b, p->events[r->num].name));
		if (r->scale == 1e6)
			fprintf(out, " per ms of ");
		else if (r->scale == 1000)
			fprintf(out, " per 1000 ");
		else
			fprintf(out, "/");
		fprintf(out, "%s", clean(b, p->events[r->den].name));
	}
	fputc('\n', out);
}

/* The hottest lines of the samples counted; caller frees (once only). */
static struct report_lines *query_lines(struct report *r, struct symbols_lines **sl)
{
	struct profile_locs *locs = profile_tally_locations(r->now);
	struct report_lines *l;

	*sl = symbols_lines_new();
	symbols_lines_set_notice(*sl, r->o.notice);
	l = report_lines_build(r->p, locs, *sl);
	profile_locs_free(locs);
	return l;
}

/* The first event with samples, when the event the report shows (the
 * first, not chosen) has none in the whole session; -1 otherwise. */
static int other_event(const struct report *r)
{
	const uint64_t *n = r->event_samples;
	uint32_t i;

	if (r->event_chosen || !n || r->f.event < 0 || (uint32_t)r->f.event >= r->nevent_samples ||
	    n[r->f.event])
		return -1;
	for (i = 0; i < r->nevent_samples; i++)
		if (n[i] && r->p->events[i].leader < 0)
			return (int)i;
	return -1;
}

/* "no matching samples", and why when the window starts past the end
 * (--from 10 of a 3 s session: seconds meant as a percentage?) or when
 * the event shown by default has none and another has some. */
static void no_samples(FILE *out, const struct report *r, struct clean_buf *b)
{
	const struct profile *p = r->p;
	const struct profile_filter *f = &r->f;
	int other = other_event(r);

	if (f->from && p->meta.duration_ns && f->from >= p->meta.duration_ns) {
		fprintf(out, "no matching samples: the window starts at %.2f s, after the session's "
			     "end at %.2f s\n",
			(double)f->from / 1e9, (double)p->meta.duration_ns / 1e9);
	} else if (other >= 0) {
		fprintf(out, "no matching samples: %s has none",
			clean(b, p->events[f->event].name));
		fprintf(out, "; %s has %" PRIu64 " (--event %s)\n",
			clean(b, p->events[other].name), r->event_samples[other],
			clean(b, p->events[other].name));
	} else {
		fprintf(out, "no matching samples\n");
	}
}

static void write_text(FILE *out, struct report *r)
{
	const struct profile *p = r->p;
	const struct report_options *o = &r->o;
	const struct profile_filter *f = &r->f;
	bool event_chosen = r->event_chosen;
	struct profile_top *t = profile_tally_top(r->now);
	struct clean_buf name = { 0 }, module = { 0 };
	size_t rows = t->nfns, width = strlen("Function"), i, k;
	struct profile_ratio_set *rs = o->lines ? NULL : query_ratios(r);
	int rw[PROFILE_MAX_RATIOS];

	write_text_header(out, p, o, f, t, event_chosen, &name);
	if (rs)
		write_text_ratios(out, p, rs, &name);
	if (!t->nsamples || !t->total_weight) {
		no_samples(out, r, &name);
		goto out_free;
	}
	if (o->lines) {
		struct symbols_lines *sl;
		struct report_lines *l = query_lines(r, &sl);

		write_text_lines(out, p, o, l);
		report_lines_free(l);
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
	fprintf(out, "%7s  %7s  ", "Self", "Total");
	for (k = 0; rs && k < rs->n; k++) {
		const char *l = clean(&name, rs->r[k].label);

		rw[k] = (int)text_width(l) > 8 ? (int)text_width(l) : 8;
		fprintf(out, "%*s%s  ", rw[k] - (int)text_width(l), "", l);
	}
	fprintf(out, "%-*s  %s\n", (int)width, "Function", "Module");
	for (i = 0; i < rows; i++) {
		const struct profile_fn_stat *s = &t->fns[i];
		const struct profile_frame *fr = &p->frames[s->frame];
		const char *n;
		size_t w;

		fprintf(out, "%6.2f%%  %6.2f%%  ", percent(s->self, t->total_weight),
			percent(s->total, t->total_weight));
		for (k = 0; rs && k < rs->n; k++) {
			char v[32];

			profile_ratio_format(profile_ratio_fn(rs, k, s->frame, true), v, sizeof(v));
			fprintf(out, "%*s  ", rw[k], v);
		}
		n = clean(&name, profile_string(p, fr->name));
		w = text_width(n);
		fprintf(out, "%s%*s  %s\n", n, w < width ? (int)(width - w) : 0, "",
			clean(&module, frame_module_short(p, fr)));
	}
out_free:
	profile_ratio_set_free(rs);
	free(module.s);
	free(name.s);
	profile_top_free(t);
}

/* The baseline's line of the text header. */
static void write_baseline_header(FILE *out, const struct report_options *o,
				  const struct profile_filter *bf, const struct profile_top *bt,
				  struct clean_buf *b)
{
	const struct profile *bp = o->baseline;

	fprintf(out, "# baseline: %s", clean(b, o->baseline_source ? o->baseline_source : "?"));
	if (bf->event >= 0 && (uint32_t)bf->event < bp->nevents)
		fprintf(out, ", event %s", clean(b, bp->events[bf->event].name));
	fprintf(out, ", samples: %" PRIu64 ", duration: %.2f s",
		profile_top_samples(bp, bf->event, bt), seconds(window_ns(bp, bf, bt)));
	if (bf->from)
		fprintf(out, ", from %.2f s", seconds(bf->from));
	if (bf->to && bf->to != UINT64_MAX)
		fprintf(out, ", to %.2f s", seconds(bf->to));
	fputc('\n', out);
	fprintf(out, "# shares of each side's total; Change: the self share now minus the "
		     "baseline's, in points\n");
}

/* The diff top-list: functions by change of self share, both shares and the change. */
static void write_text_diff(FILE *out, const struct report *r)
{
	const struct profile *p = r->p;
	const struct report_options *o = &r->o;
	const struct profile_filter *f = &r->f, *bf = &r->bf;
	bool event_chosen = r->event_chosen;
	struct profile_top *t = profile_tally_top(r->now);
	struct profile_top *bt = profile_tally_top(r->base);
	struct profile_diff *d = profile_diff_new(p, t, o->baseline, bt);
	struct clean_buf name = { 0 }, module = { 0 };
	size_t rows = d->nfns, width = strlen("Function"), i;

	write_text_header(out, p, o, f, t, event_chosen, &name);
	write_baseline_header(out, o, bf, bt, &name);
	if (!d->total && !d->base_total) {
		fprintf(out, "no matching samples\n");
		goto out_free;
	}
	if (o->top && o->top < rows)
		rows = o->top;
	for (i = 0; i < rows; i++) {
		size_t w = text_width(clean(&name, profile_diff_name(d, &d->fns[i])));

		if (w > width)
			width = w < REPORT_NAME_COLUMN_MAX ? w : REPORT_NAME_COLUMN_MAX;
	}
	fprintf(out, "%7s  %7s  %7s  %7s  %7s  %-*s  %s\n", "Self", "Base", "Change", "Total",
		"Base", (int)width, "Function", "Module");
	for (i = 0; i < rows; i++) {
		const struct profile_diff_fn *e = &d->fns[i];
		const char *n = clean(&name, profile_diff_name(d, e)), *m = profile_diff_module(d, e);
		size_t w = text_width(n);

		fprintf(out, "%6.2f%%  %6.2f%%  %+7.2f  %6.2f%%  %6.2f%%  %s%*s  %s\n",
			percent(e->self, d->total), percent(e->base_self, d->base_total),
			100.0 * e->delta, percent(e->total, d->total),
			percent(e->base_total, d->base_total), n, w < width ? (int)(width - w) : 0, "",
			clean(&module, !*m ? "[unknown]" : m[0] == '[' ? m : util_basename(m)));
	}
out_free:
	free(module.s);
	free(name.s);
	profile_diff_free(d);
	profile_top_free(bt);
	profile_top_free(t);
}

/* Sets `key` in `obj`, consuming `value`. Returns 0 or -ENOMEM. */
static int json_put(json_t *obj, const char *key, json_t *value)
{
	return value && json_object_set_new(obj, key, value) == 0 ? 0 : -ENOMEM;
}

/*
 * Adds "lines": [{"file", "line", "name", "module", "self", "total"} ...],
 * the hottest source lines ("file" null when unknown, "total" null when
 * the session has no call sites), as many as --top says.
 */
static int put_json_lines(json_t *root, struct report *rep, struct clean_buf *b)
{
	const struct profile *p = rep->p;
	const struct report_options *o = &rep->o;
	struct symbols_lines *sl;
	struct report_lines *r = query_lines(rep, &sl);
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
		    json_put(row, "self", json_integer((json_int_t)l->self)) ||
		    json_put(row, "total", r->totals_known ? json_integer((json_int_t)l->total)
							   : json_null()))
			goto out_free;
	}
	ret = json_object_set(root, "lines", arr) ? -ENOMEM : 0;
out_free:
	json_decref(arr);
	report_lines_free(r);
	symbols_lines_free(sl);
	return ret;
}

/* A ratio's value in JSON: a number, or null where it is undefined. */
static json_t *json_ratio(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

/* "ratios": {"LABEL": {"self", "total"}, ...} of function `frame`. */
static int put_json_fn_ratios(json_t *fn, const struct profile_ratio_set *rs, uint32_t frame,
			      struct clean_buf *b)
{
	json_t *obj = json_object();
	size_t k;

	if (!obj || json_object_set_new(fn, "ratios", obj))
		return -ENOMEM;
	for (k = 0; k < rs->n; k++) {
		json_t *r = json_object();

		if (!r || json_object_set_new(obj, clean(b, rs->r[k].label), r) ||
		    json_put(r, "self", json_ratio(profile_ratio_fn(rs, k, frame, false))) ||
		    json_put(r, "total", json_ratio(profile_ratio_fn(rs, k, frame, true))))
			return -ENOMEM;
	}
	return 0;
}

/* "ratios": [{"name", "num", "den", "scale"}]: what each function's ratios are. */
static int put_json_ratios(json_t *root, const struct profile *p,
			   const struct profile_ratio_set *rs, struct clean_buf *b)
{
	json_t *arr = json_array();
	size_t k;

	if (!arr || json_object_set_new(root, "ratios", arr))
		return -ENOMEM;
	for (k = 0; k < rs->n; k++) {
		json_t *r = json_object();

		if (!r || json_array_append_new(arr, r) ||
		    json_put(r, "name", json_string(clean(b, rs->r[k].label))) ||
		    json_put(r, "num", json_string(clean(b, p->events[rs->r[k].num].name))) ||
		    json_put(r, "den", json_string(clean(b, p->events[rs->r[k].den].name))) ||
		    json_put(r, "scale", json_real(rs->r[k].scale)))
			return -ENOMEM;
	}
	return 0;
}

/* One function of the JSON output; `d` and `e` for a diff, else `s`. */
static int put_json_fn(json_t *fns, const struct profile *p, const struct profile_fn_stat *s,
		       const struct profile_diff *d, const struct profile_diff_fn *e,
		       struct clean_buf *b)
{
	json_t *fn = json_object();
	const char *name, *module;

	if (!fn || json_array_append_new(fns, fn))
		return -ENOMEM;
	name = e ? profile_diff_name(d, e) : profile_string(p, p->frames[s->frame].name);
	module = e ? profile_diff_module(d, e) : profile_string(p, p->frames[s->frame].module);
	if (json_put(fn, "name", json_string(clean(b, name))) ||
	    json_put(fn, "module", json_string(clean(b, module))) ||
	    json_put(fn, "self", json_integer((json_int_t)(e ? e->self : s->self))) ||
	    json_put(fn, "total", json_integer((json_int_t)(e ? e->total : s->total))))
		return -ENOMEM;
	if (e && (json_put(fn, "baseline_self", json_integer((json_int_t)e->base_self)) ||
		  json_put(fn, "baseline_total", json_integer((json_int_t)e->base_total))))
		return -ENOMEM;
	return 0;
}

/* With a baseline (`bf` set): "baseline": {"total"}, and per function its weights there. */
static int write_json(FILE *out, struct report *r, struct ft_error *err)
{
	const struct profile *p = r->p;
	const struct report_options *o = &r->o;
	const struct profile_filter *f = &r->f;
	struct profile_top *t = profile_tally_top(r->now);
	struct profile_top *bt = r->base ? profile_tally_top(r->base) : NULL;
	struct profile_diff *d = bt ? profile_diff_new(p, t, o->baseline, bt) : NULL;
	struct profile_ratio_set *rs = d ? NULL : query_ratios(r);
	struct clean_buf b = { 0 };
	json_t *root = json_object(), *fns = json_array(), *base = NULL;
	size_t rows = d ? d->nfns : t->nfns, i;
	const char *unit = "samples";
	int ret = -ENOMEM;

	if (f->event >= 0 && (uint32_t)f->event < p->nevents)
		unit = p->events[f->event].unit;
	if (!root || !fns)
		goto out_free;
	if (json_put(root, "total", json_integer((json_int_t)t->total_weight)) ||
	    json_put(root, "unit", json_string(clean(&b, unit))))
		goto out_free;
	if (report_total_estimated(p, f->event) && json_put(root, "estimated", json_true()))
		goto out_free;
	if (d) {
		profile_diff_sort(d, PROFILE_DIFF_BY_SELF);
		base = json_object();
		if (!base || json_put(base, "total", json_integer((json_int_t)d->base_total)) ||
		    json_object_set(root, "baseline", base))
			goto out_free;
	}
	if (rs && put_json_ratios(root, p, rs, &b) < 0)
		goto out_free;
	if (o->top && o->top < rows)
		rows = o->top;
	for (i = 0; i < rows; i++) {
		if (put_json_fn(fns, p, d ? NULL : &t->fns[i], d, d ? &d->fns[i] : NULL, &b) < 0)
			goto out_free;
		if (rs && put_json_fn_ratios(json_array_get(fns, i), rs, t->fns[i].frame, &b) < 0)
			goto out_free;
	}
	ret = json_object_set(root, "functions", fns) ? -ENOMEM : 0;
	if (ret)
		goto out_free;
	if (o->lines && (ret = put_json_lines(root, r, &b)) < 0)
		goto out_free;
	if (json_dumpf(root, out, JSON_PRESERVE_ORDER) || fputc('\n', out) == EOF)
		ret = -EIO;
out_free:
	if (ret == -ENOMEM)
		error_set(err, "report: cannot build the JSON output");
	json_decref(base);
	json_decref(fns);
	json_decref(root);
	free(b.s);
	profile_diff_free(d);
	profile_ratio_set_free(rs);
	profile_top_free(bt);
	profile_top_free(t);
	return ret;
}

/*
 * The folded exporter's input from a tally's (node, thread) sums: what
 * it writes of the samples (a line per thread name and stack, weights
 * summed) is the same from these as from every sample. Caller frees.
 */
static struct export_input *folded_input(const struct report *r, const struct profile *p,
					 const struct profile_tally *t,
					 const struct profile_filter *f)
{
	struct export_input *in = xcalloc(1, sizeof(*in));
	const struct profile_sample *s = profile_tally_threads(t, &in->nsamples);
	size_t n = in->nsamples ? in->nsamples : 1;

	in->p = p;
	in->event = f->event < 0 || (uint32_t)f->event >= p->nevents ? -1 : f->event;
	in->threads = true;
	in->sample_weights = r->o.sample_weights;
	in->annotate_kernel = r->o.annotate_kernel;
	in->samples = xcalloc(n, sizeof(*in->samples));
	in->counts = xcalloc(n, sizeof(*in->counts));
	if (in->nsamples) {
		memcpy(in->samples, s, in->nsamples * sizeof(*s));
		memcpy(in->counts, profile_tally_thread_counts(t),
		       in->nsamples * sizeof(*in->counts));
	}
	return in;
}

/* The folded exporter's output of the samples counted. */
static int write_folded(FILE *out, const struct report *r, struct ft_error *err)
{
	struct export_input *in = folded_input(r, r->p, r->now, &r->f);
	int ret = export_folded_write(out, in, err) < 0 ? -EIO : 0;

	export_input_free(in);
	return ret;
}

/*
 * The differential folded format (difffolded.pl's output, flamegraph.pl's
 * input): "stack BASELINE NOW", every stack of either side once, 0 where
 * a side lacks it, sorted by the stack's text.
 */
static int write_folded_diff(FILE *out, const struct report *r, struct ft_error *err)
{
	struct export_input *now = folded_input(r, r->p, r->now, &r->f);
	struct export_input *base = folded_input(r, r->o.baseline, r->base, &r->bf);
	int ret = export_folded_diff_write(out, now, base, err) < 0 ? -EIO : 0;

	export_input_free(now);
	export_input_free(base);
	return ret;
}

/* Writes `v` in decimal at `at` (20 bytes at most, no NUL); returns the end. */
static char *put_u64(char *at, uint64_t v)
{
	char tmp[20];
	size_t n = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n)
		*at++ = tmp[--n];
	return at;
}

/*
 * The FlameScope matrix as JSON: {"unit", "row_ms", "seconds": [{"t": S,
 * "counts": [weight per row]}]}, a column for every second of the window.
 */
static int write_heatmap(FILE *out, struct report *rep, struct ft_error *err)
{
	const struct profile *p = rep->p;
	const struct profile_filter *f = &rep->f;
	uint64_t row_ns = rep->o.row_ns ? rep->o.row_ns : PROFILE_HEATMAP_DEFAULT_ROW_NS, c;
	struct profile_heatmap *h = profile_tally_heatmap(rep->now, err);
	const char *unit = "samples";
	struct clean_buf b = { 0 };
	char *line;
	uint32_t r;
	int ret = 0;

	if (!h)
		return -EINVAL;
	if (f->event >= 0 && (uint32_t)f->event < p->nevents)
		unit = p->events[f->event].unit;
	/* Written as it goes: an hour is 3600 columns, no need for a tree. */
	if (fprintf(out, "{\"unit\": ") < 0)
		ret = -EIO;
	{
		json_t *js = json_string(clean(&b, unit));
		char *text = js ? json_dumps(js, JSON_ENCODE_ANY) : NULL;

		if (!text) {
			json_decref(js);
			error_set(err, "report: cannot build the JSON output");
			free(b.s);
			profile_heatmap_free(h);
			return -ENOMEM;
		}
		fputs(text, out);
		free(text);
		json_decref(js);
	}
	fprintf(out, ", \"row_ms\": %g, \"seconds\": [", (double)row_ns / 1e6);
	/* A column a write: an hour of 20 ms rows is 180,000 numbers, which
	 * printf() one by one took as long as counting them. */
	line = xmalloc(64 + (size_t)h->rows * 22);
	for (c = 0; c < h->ncols; c++) {
		char *at = line;

		at += sprintf(at, "%s{\"t\": %" PRIu64 ", \"counts\": [", c ? ", " : "",
			      h->first + c);
		for (r = 0; r < h->rows; r++) {
			if (r) {
				*at++ = ',';
				*at++ = ' ';
			}
			at = put_u64(at, h->cells[c * h->rows + r]);
		}
		*at++ = ']';
		*at++ = '}';
		fwrite(line, 1, (size_t)(at - line), out);
	}
	free(line);
	if (fprintf(out, "]}\n") < 0 || ferror(out))
		ret = -EIO;
	free(b.s);
	profile_heatmap_free(h);
	return ret;
}

/* The unit of event `e` of `p` ("samples" when it has none). */
static const char *event_unit(const struct profile *p, int e)
{
	return e >= 0 && (uint32_t)e < p->nevents ? p->events[e].unit : "samples";
}

/* The baseline's filter: its event the one named as the report's, else its first. */
static int baseline_filter(const struct profile *p, const struct profile_filter *f,
			   const struct profile *bp, const struct profile_filter *given,
			   struct profile_filter *bf, struct ft_error *err)
{
	*bf = *given;
	if (bf->event >= 0 && (uint32_t)bf->event >= bp->nevents) {
		error_set(err, "report: no event %d in the baseline", bf->event);
		return -EINVAL;
	}
	if (bf->event < 0 && bp->nevents) {
		int same = f->event >= 0 ? profile_find_event(bp, p->events[f->event].name) : -1;

		bf->event = same >= 0 ? same : 0;
	}
	return profile_diff_check_units(event_unit(p, f->event), event_unit(bp, bf->event), err);
}

/* What the format reads of the samples (PROFILE_TALLY_*). */
static unsigned tally_parts(const struct report_options *o)
{
	switch (o->format) {
	case REPORT_FOLDED:
		return PROFILE_TALLY_THREADS;
	case REPORT_HEATMAP:
		return PROFILE_TALLY_HEATMAP;
	default:
		return PROFILE_TALLY_NODES | (o->lines ? PROFILE_TALLY_LOCATIONS : 0);
	}
}

/* Text and JSON without a baseline show the event's ratios: a tally for
 * each event they read. */
static void ratio_tallies(struct report *r)
{
	struct profile_ratio ratios[PROFILE_MAX_RATIOS];
	struct profile_tally_spec spec = { .parts = PROFILE_TALLY_NODES };
	size_t n = profile_ratios(r->p, r->f.event, ratios), i, k;

	if (!n)
		return;
	r->ratio = xcalloc(r->p->nevents, sizeof(*r->ratio));
	for (i = 0; i < n; i++) {
		uint32_t evs[2] = { ratios[i].num, ratios[i].den };

		for (k = 0; k < 2; k++) {
			struct profile_filter f = r->f;

			if (r->ratio[evs[k]])
				continue;
			f.event = (int)evs[k];
			r->ratio[evs[k]] = profile_tally_new(r->p, &f, &spec);
		}
	}
}

struct report *report_new(const struct profile *p, const struct report_options *o,
			  struct ft_error *err)
{
	struct profile_tally_spec spec = { .parts = tally_parts(o), .frame = PROFILE_NO_FRAME };
	struct report *r;

	if (o->filter.event >= 0 && (uint32_t)o->filter.event >= p->nevents) {
		error_set(err, "report: no event %d in this session (it has %" PRIu32 ")",
			  o->filter.event, p->nevents);
		return NULL;
	}
	if ((o->baseline || o->baseline_source) && (o->lines || o->format == REPORT_HEATMAP)) {
		error_set(err, "report: --baseline works with --format text, json or folded, "
			       "without --lines");
		return NULL;
	}
	if (o->lines && o->format == REPORT_FOLDED) {
		error_set(err, "report: --lines works with --format text or json");
		return NULL;
	}
	if ((unsigned)o->format >= ARRAY_SIZE(report_formats)) {
		error_set(err, "report: unknown format %d", (int)o->format);
		return NULL;
	}
	r = xcalloc(1, sizeof(*r));
	r->o = *o;
	r->o.baseline = NULL;
	r->p = p;
	r->f = o->filter;
	r->event_chosen = r->f.event >= 0;
	/* Weights of different events don't add up: default to the first. */
	if (!r->event_chosen && p->nevents)
		r->f.event = 0;
	spec.row_ns = o->row_ns ? o->row_ns : PROFILE_HEATMAP_DEFAULT_ROW_NS;
	r->now = profile_tally_new(p, &r->f, &spec);
	/* Text shows them without --lines, JSON with it too. */
	if (((o->format == REPORT_TEXT && !o->lines) || o->format == REPORT_JSON) &&
	    !o->baseline && !o->baseline_source)
		ratio_tallies(r);
	return r;
}

int report_baseline(struct report *r, const struct profile *bp, const struct profile_filter *bf,
		    struct ft_error *err)
{
	struct profile_tally_spec spec = { .parts = tally_parts(&r->o) };

	if (baseline_filter(r->p, &r->f, bp, bf, &r->bf, err) < 0)
		return -EINVAL;
	r->o.baseline = bp;
	r->base = profile_tally_new(bp, &r->bf, &spec);
	return 0;
}

void report_add(struct report *r, const struct profile_sample *s, size_t n)
{
	uint32_t e;
	size_t i;

	if (!r->event_samples && r->p->nevents) {
		r->nevent_samples = r->p->nevents;
		r->event_samples = xcalloc(r->nevent_samples, sizeof(*r->event_samples));
	}
	for (i = 0; i < n; i++)
		if (s[i].event < r->nevent_samples)
			r->event_samples[s[i].event]++;
	profile_tally_add(r->now, s, n);
	for (e = 0; r->ratio && e < r->p->nevents; e++)
		if (r->ratio[e])
			profile_tally_add(r->ratio[e], s, n);
}

void report_add_baseline(struct report *r, const struct profile_sample *s, size_t n)
{
	profile_tally_add(r->base, s, n);
}

size_t report_memory(const struct report *r)
{
	size_t m = sizeof(*r) + profile_tally_memory(r->now);
	uint32_t e;

	if (r->base)
		m += profile_tally_memory(r->base);
	for (e = 0; r->ratio && e < r->p->nevents; e++)
		if (r->ratio[e])
			m += profile_tally_memory(r->ratio[e]);
	return m;
}

int report_finish(FILE *out, struct report *r, struct ft_error *err)
{
	int ret = 0;

	switch (r->o.format) {
	case REPORT_TEXT:
		if (r->base)
			write_text_diff(out, r);
		else
			write_text(out, r);
		break;
	case REPORT_JSON:
		ret = write_json(out, r, err);
		break;
	case REPORT_FOLDED:
		ret = r->base ? write_folded_diff(out, r, err) : write_folded(out, r, err);
		break;
	case REPORT_HEATMAP:
		ret = write_heatmap(out, r, err);
		break;
	}
	if (!ret && (fflush(out) || ferror(out)))
		ret = -EIO;
	if (ret == -EIO)
		error_set(err, "report: cannot write the output");
	return ret;
}

void report_free(struct report *r)
{
	uint32_t e;

	if (!r)
		return;
	for (e = 0; r->ratio && e < r->p->nevents; e++)
		profile_tally_free(r->ratio[e]);
	free(r->ratio);
	profile_tally_free(r->base);
	profile_tally_free(r->now);
	free(r->event_samples);
	free(r);
}

int report_write(FILE *out, const struct profile *p, const struct report_options *o,
		 struct ft_error *err)
{
	struct report *r = report_new(p, o, err);
	int ret;

	if (!r)
		return -EINVAL;
	report_add(r, p->samples, p->nsamples);
	if (o->baseline) {
		if (report_baseline(r, o->baseline, &o->baseline_filter, err) < 0) {
			report_free(r);
			return -EINVAL;
		}
		report_add_baseline(r, o->baseline->samples, o->baseline->nsamples);
	}
	ret = report_finish(out, r, err);
	report_free(r);
	return ret;
}
