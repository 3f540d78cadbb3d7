/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The exporters' table and what they share: the inputs they read (the
 * samples a query selected, from a profile or from a query's per-node
 * weights) and the atomic write of an export to a file.
 */
#include "config.h"

#include "flametop/export.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flametop/util.h"
#include "internal.h"

static const struct exporter exporters[] = {
	{ .name = "folded",
	  .ext = ".folded",
	  .summary = "collapsed stacks (flamegraph.pl, inferno)",
	  .write = export_folded_write },
	{ .name = "speedscope",
	  .ext = ".speedscope.json",
	  .summary = "speedscope JSON, a profile per thread",
	  .write = export_speedscope_write },
	{ .name = "pprof",
	  .ext = ".pb.gz",
	  .summary = "gzipped protobuf (go tool pprof)",
	  .binary = true,
	  .write = export_pprof_write },
	{ .name = "svg",
	  .ext = ".svg",
	  .summary = "a flame graph a browser explores",
	  .write = export_svg_write },
};

const struct exporter *export_exporters(size_t *n)
{
	*n = ARRAY_SIZE(exporters);
	return exporters;
}

const struct exporter *export_find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(exporters); i++)
		if (strcmp(exporters[i].name, name) == 0)
			return &exporters[i];
	return NULL;
}

static bool ends_with(const char *s, const char *end)
{
	size_t n = strlen(s), m = strlen(end);

	return n >= m && strcmp(s + n - m, end) == 0;
}

const struct exporter *export_for_path(const char *path)
{
	static const struct {
		const char *ext, *format;
	} more[] = {
		{ ".pprof", "pprof" }, { ".pb", "pprof" },	    { ".json", "speedscope" },
		{ ".txt", "folded" },  { ".collapsed", "folded" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(exporters); i++)
		if (ends_with(path, exporters[i].ext))
			return &exporters[i];
	for (i = 0; i < ARRAY_SIZE(more); i++)
		if (ends_with(path, more[i].ext))
			return export_find(more[i].format);
	return NULL;
}

/* --- Inputs ----------------------------------------------------------------- */

static int by_time(const void *a, const void *b)
{
	const struct profile_sample *x = a, *y = b;

	return x->time < y->time ? -1 : x->time > y->time;
}

struct export_input *export_input_from_profile(const struct profile *p,
					       const struct profile_filter *filter,
					       const char *title)
{
	struct export_input *in = xcalloc(1, sizeof(*in));
	struct profile_filter f = *filter;
	struct profile_matcher m;
	size_t i, cap = 0;
	bool sorted = true;

	if (f.event < 0 && p->nevents)
		f.event = 0; /* weights of different events don't add up */
	in->p = p;
	in->event = f.event < 0 || (uint32_t)f.event >= p->nevents ? -1 : f.event;
	in->threads = true;
	in->title = title;
	in->from = f.from;
	profile_matcher_init(&m, p, &f);
	for (i = 0; i < p->nsamples; i++) {
		const struct profile_sample *s = &p->samples[i];

		if (s->node >= p->nnodes || !profile_matcher_match(&m, p, s))
			continue;
		if (in->nsamples == cap) {
			cap = cap ? cap * 2 : 1024;
			in->samples = xreallocarray(in->samples, cap, sizeof(*in->samples));
		}
		if (in->nsamples && s->time < in->samples[in->nsamples - 1].time)
			sorted = false;
		in->samples[in->nsamples++] = *s;
	}
	profile_matcher_free(&m);
	if (!sorted) /* qsort is not stable, but equal times have no order to keep */
		qsort(in->samples, in->nsamples, sizeof(*in->samples), by_time);
	if (f.to && f.to != UINT64_MAX)
		in->to = f.to;
	else if (p->meta.duration_ns > in->from)
		in->to = p->meta.duration_ns;
	else
		in->to = in->nsamples ? in->samples[in->nsamples - 1].time + 1 : in->from;
	if (in->to < in->from)
		in->to = in->from;
	return in;
}

struct export_input *export_input_from_top(const struct profile *p, const struct profile_top *top,
					   int event, uint64_t from, uint64_t to,
					   const char *title)
{
	struct export_input *in = xcalloc(1, sizeof(*in));
	uint32_t n, count = 0;

	if (event < 0 && p->nevents)
		event = 0; /* the explorer's "any" of a profile of one event */
	in->p = p;
	in->event = event < 0 || (uint32_t)event >= p->nevents ? -1 : event;
	in->from = from;
	in->to = to > from ? to : from;
	in->title = title;
	in->no_counts = true;
	for (n = 0; n < top->nnodes && n < p->nnodes; n++)
		if (top->node_self[n])
			count++;
	in->samples = xcalloc(count ? count : 1, sizeof(*in->samples));
	for (n = 0; n < top->nnodes && n < p->nnodes; n++) {
		if (!top->node_self[n])
			continue;
		in->samples[in->nsamples++] = (struct profile_sample){
			.time = from,
			.weight = top->node_self[n],
			.node = n,
			.event = (uint16_t)(in->event < 0 ? 0 : in->event),
		};
	}
	return in;
}

void export_input_free(struct export_input *in)
{
	if (!in)
		return;
	free(in->samples);
	free(in->counts);
	if (in->runs) {
		export_runs_free(in->runs);
		free(in->runs);
	}
	free(in);
}

bool export_input_empty(const struct export_input *in)
{
	return in->nsamples == 0 && (!in->runs || in->runs->nnodes == 0);
}

const char *export_input_unit(const struct export_input *in)
{
	if (in->event < 0)
		return "samples";
	return in->p->events[in->event].unit;
}

/* --- What the exporters share ------------------------------------------------ */

const char *export_clean(struct export_clean *b, const char *in)
{
	size_t need = UTIL_SANITIZE_SIZE(strlen(in)); /* escapes lengthen it */

	if (!*in)
		return "[unknown]";
	if (need > b->cap) {
		b->s = xrealloc(b->s, need);
		b->cap = need;
	}
	return util_sanitize(in, b->s, b->cap);
}

const char *export_frame_name(struct export_clean *b, const struct profile *p, uint32_t frame)
{
	if (frame >= p->nframes)
		return "[unknown]";
	return export_clean(b, profile_string(p, p->frames[frame].name));
}

size_t export_stack(const struct profile *p, uint32_t node, uint32_t **frames, size_t *cap)
{
	size_t depth = 0, i;

	for (; node != PROFILE_ROOT && node < p->nnodes; node = p->nodes[node].parent) {
		if (depth == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			*frames = xreallocarray(*frames, *cap, sizeof(**frames));
		}
		(*frames)[depth++] = p->nodes[node].frame;
	}
	for (i = 0; i < depth / 2; i++) {
		uint32_t t = (*frames)[i];

		(*frames)[i] = (*frames)[depth - 1 - i];
		(*frames)[depth - 1 - i] = t;
	}
	return depth;
}

const char *export_comm(const struct profile *p, uint32_t tid)
{
	const struct profile_thread *th = profile_find_thread(p, tid);

	return th ? profile_string(p, th->comm) : "[unknown]";
}

/* --- Writing a file ------------------------------------------------------------ */

int export_to_file(const struct exporter *ex, const struct export_input *in, const char *path,
		   struct ft_error *err)
{
	struct ft_outdir d;
	char *tmp = NULL;
	FILE *out = NULL;
	int fd, ret = -1;

	/* The directory as ft_outdir_open() walks it: never steered elsewhere
	 * by a link a user swaps in, and the file is the user's under sudo. */
	if (ft_outdir_open(&d, path, err) < 0)
		return -1;
	/* A regular file is replaced whole; /dev/null, a FIFO or a link would
	 * be replaced by a file (as root, /dev/null itself). */
	if (ft_outdir_existing(&d, path, err) < 0)
		goto out_close;
	fd = ft_outdir_create_partial(&d, d.name, 0600, &tmp);
	if (fd < 0) {
		error_set(err, "%s: cannot create a file beside it: %s", path, strerror(-fd));
		goto out_close;
	}
	out = fdopen(fd, "w");
	if (!out) {
		error_set(err, "%s: %s", path, strerror(errno));
		close(fd);
		goto out_unlink;
	}
	if (ex->write(out, in, err) < 0)
		goto out_unlink;
	if (fflush(out) != 0 || ferror(out) || fsync(fileno(out)) != 0) {
		error_set(err, "%s: cannot write: %s", path, strerror(errno));
		goto out_unlink;
	}
	ret = fclose(out);
	out = NULL;
	if (ret != 0) {
		error_set(err, "%s: cannot write: %s", path, strerror(errno));
		ret = -1;
		goto out_unlink;
	}
	if (renameat(d.fd, tmp, d.fd, d.name) != 0) {
		error_set(err, "%s: %s", path, strerror(errno));
		ret = -1;
		goto out_unlink;
	}
	ft_outdir_sync(&d);
	goto out_close;
out_unlink:
	if (out)
		fclose(out);
	unlinkat(d.fd, tmp, 0);
	ret = -1;
out_close:
	free(tmp);
	ft_outdir_close(&d);
	return ret;
}
