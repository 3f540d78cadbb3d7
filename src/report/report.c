/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The `report` renderers: a text table of the hottest functions under a
 * header describing the session, the JSON object DESIGN.md promises, and
 * Brendan Gregg's folded (collapsed stack) format (the folded exporter's,
 * src/export/folded.c). All three read the model
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

#include "flametop/export.h"
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
	{ .name = "heatmap", .format = REPORT_HEATMAP },
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

/* The baseline's line of the text header. */
static void write_baseline_header(FILE *out, const struct report_options *o,
				  const struct profile_filter *bf, const struct profile_top *bt,
				  struct clean_buf *b)
{
	const struct profile *bp = o->baseline;

	fprintf(out, "# baseline: %s", clean(b, o->baseline_source ? o->baseline_source : "?"));
	if (bf->event >= 0 && (uint32_t)bf->event < bp->nevents)
		fprintf(out, ", event %s", clean(b, bp->events[bf->event].name));
	fprintf(out, ", samples: %" PRIu64 ", duration: %.2f s", bt->nsamples,
		seconds(window_ns(bp, bf, bt)));
	if (bf->from)
		fprintf(out, ", from %.2f s", seconds(bf->from));
	if (bf->to && bf->to != UINT64_MAX)
		fprintf(out, ", to %.2f s", seconds(bf->to));
	fputc('\n', out);
	fprintf(out, "# shares of each side's total; Change: the self share now minus the "
		     "baseline's, in points\n");
}

/* The diff top-list: functions by change of self share, both shares and the change. */
static void write_text_diff(FILE *out, const struct profile *p, const struct report_options *o,
			    const struct profile_filter *f, const struct profile_filter *bf,
			    bool event_chosen)
{
	struct profile_top *t = profile_query_top(p, f);
	struct profile_top *bt = profile_query_top(o->baseline, bf);
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
static int write_json(FILE *out, const struct profile *p, const struct report_options *o,
		      const struct profile_filter *f, const struct profile_filter *bf,
		      struct ft_error *err)
{
	struct profile_top *t = profile_query_top(p, f);
	struct profile_top *bt = bf ? profile_query_top(o->baseline, bf) : NULL;
	struct profile_diff *d = bt ? profile_diff_new(p, t, o->baseline, bt) : NULL;
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
	if (d) {
		profile_diff_sort(d, PROFILE_DIFF_BY_SELF);
		base = json_object();
		if (!base || json_put(base, "total", json_integer((json_int_t)d->base_total)) ||
		    json_object_set(root, "baseline", base))
			goto out_free;
	}
	if (o->top && o->top < rows)
		rows = o->top;
	for (i = 0; i < rows; i++)
		if (put_json_fn(fns, p, d ? NULL : &t->fns[i], d, d ? &d->fns[i] : NULL, &b) < 0)
			goto out_free;
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
	json_decref(base);
	json_decref(fns);
	json_decref(root);
	free(b.s);
	profile_diff_free(d);
	profile_top_free(bt);
	profile_top_free(t);
	return ret;
}

/* The folded exporter's output of the samples `f` selects. */
static int write_folded(FILE *out, const struct profile *p, const struct profile_filter *f,
			struct ft_error *err)
{
	struct export_input *in = export_input_from_profile(p, f, NULL);
	int ret = export_folded_write(out, in, err) < 0 ? -EIO : 0;

	export_input_free(in);
	return ret;
}

/*
 * The differential folded format (difffolded.pl's output, flamegraph.pl's
 * input): "stack BASELINE NOW", every stack of either side once, 0 where
 * a side lacks it, sorted by the stack's text.
 */
static int write_folded_diff(FILE *out, const struct profile *p, const struct profile_filter *f,
			     const struct profile *bp, const struct profile_filter *bf,
			     struct ft_error *err)
{
	struct export_input *now = export_input_from_profile(p, f, NULL);
	struct export_input *base = export_input_from_profile(bp, bf, NULL);
	int ret = export_folded_diff_write(out, now, base, err) < 0 ? -EIO : 0;

	export_input_free(now);
	export_input_free(base);
	return ret;
}

/*
 * The FlameScope matrix as JSON: {"unit", "row_ms", "seconds": [{"t": S,
 * "counts": [weight per row]}]}, a column for every second of the window.
 */
static int write_heatmap(FILE *out, const struct profile *p, const struct report_options *o,
			 const struct profile_filter *f, struct ft_error *err)
{
	uint64_t row_ns = o->row_ns ? o->row_ns : PROFILE_HEATMAP_DEFAULT_ROW_NS, c;
	struct profile_heatmap *h = profile_query_heatmap(p, f, row_ns, err);
	const char *unit = "samples";
	struct clean_buf b = { 0 };
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
	for (c = 0; c < h->ncols; c++) {
		fprintf(out, "%s{\"t\": %" PRIu64 ", \"counts\": [", c ? ", " : "", h->first + c);
		for (r = 0; r < h->rows; r++)
			fprintf(out, "%s%" PRIu64, r ? ", " : "", h->cells[c * h->rows + r]);
		fputs("]}", out);
	}
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
			   const struct report_options *o, struct profile_filter *bf,
			   struct ft_error *err)
{
	const struct profile *bp = o->baseline;

	*bf = o->baseline_filter;
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

int report_write(FILE *out, const struct profile *p, const struct report_options *o,
		 struct ft_error *err)
{
	struct profile_filter f = o->filter, bf;
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
	if (o->baseline) {
		if (o->lines || o->format == REPORT_HEATMAP) {
			error_set(err, "report: --baseline works with --format text, json or folded, "
				       "without --lines");
			return -EINVAL;
		}
		if (baseline_filter(p, &f, o, &bf, err) < 0)
			return -EINVAL;
	}

	switch (o->format) {
	case REPORT_TEXT:
		if (o->baseline)
			write_text_diff(out, p, o, &f, &bf, event_chosen);
		else
			write_text(out, p, o, &f, event_chosen);
		break;
	case REPORT_JSON:
		ret = write_json(out, p, o, &f, o->baseline ? &bf : NULL, err);
		break;
	case REPORT_FOLDED:
		if (o->lines) {
			error_set(err, "report: --lines works with --format text or json");
			return -EINVAL;
		}
		if (o->baseline)
			ret = write_folded_diff(out, p, &f, o->baseline, &bf, err);
		else
			ret = write_folded(out, p, &f, err);
		break;
	case REPORT_HEATMAP:
		ret = write_heatmap(out, p, o, &f, err);
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
