/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * speedscope's file format (https://www.speedscope.app/
 * file-format-schema.json), "sampled" profiles: the frames every profile
 * shares ({"name", "file"}: the function and its module), and one profile
 * per thread, whose samples are its stacks in time order (frame indices,
 * outermost first) with their weights; a run of samples with the same
 * stack is one sample of their summed weight, which keeps the file small
 * and speedscope's time-order view the same. Samples merged across
 * threads (the explorer's) make a single profile.
 *
 * The JSON is written as it goes, not built in memory: strings were
 * sanitized (valid UTF-8, no control characters), so escaping '"' and
 * '\\' is all they need.
 */
#include "config.h"

#include "flametop/export.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "flametop/util.h"
#include "internal.h"

static void put_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

static const char *speedscope_unit(const char *unit)
{
	if (strcmp(unit, "ns") == 0)
		return "nanoseconds";
	if (strcmp(unit, "bytes") == 0)
		return "bytes";
	return "none";
}

static int by_thread(const void *a, const void *b)
{
	const struct profile_sample *x = *(const struct profile_sample *const *)a;
	const struct profile_sample *y = *(const struct profile_sample *const *)b;

	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x < y ? -1 : x > y; /* stable: the input's order */
}

struct ss {
	FILE *out;
	const struct export_input *in;
	struct u64map frame_index; /* frame id + 1 (keys are nonzero) -> shared index */
	uint32_t nshared;
	uint32_t *chain;
	size_t chain_cap;
	struct export_clean b;
};

/* The stack of `node` as shared frame indices, outermost first. */
static void put_stack(struct ss *ss, uint32_t node)
{
	size_t n = export_stack(ss->in->p, node, &ss->chain, &ss->chain_cap), i;
	uint32_t idx;

	fputc('[', ss->out);
	for (i = 0; i < n; i++) {
		if (!u64map_get(&ss->frame_index, (uint64_t)ss->chain[i] + 1, &idx))
			idx = 0; /* listed in put_frames(): cannot happen */
		fprintf(ss->out, "%s%" PRIu32, i ? "," : "", idx);
	}
	fputc(']', ss->out);
}

/* "shared": {"frames": [...]}: every frame of every stack, once. */
static void put_frames(struct ss *ss)
{
	const struct profile *p = ss->in->p;
	struct export_clean mb = { 0 };
	size_t i, n, k;

	fputs("\"shared\":{\"frames\":[", ss->out);
	for (i = 0; i < ss->in->nsamples; i++) {
		n = export_stack(p, ss->in->samples[i].node, &ss->chain, &ss->chain_cap);
		for (k = 0; k < n; k++) {
			uint32_t f = ss->chain[k], idx;

			if (u64map_get(&ss->frame_index, (uint64_t)f + 1, &idx))
				continue;
			u64map_put(&ss->frame_index, (uint64_t)f + 1, ss->nshared);
			fputs(ss->nshared++ ? ",{\"name\":" : "{\"name\":", ss->out);
			put_string(ss->out, export_frame_name(&ss->b, p, f));
			if (f < p->nframes && *profile_string(p, p->frames[f].module)) {
				fputs(",\"file\":", ss->out);
				put_string(ss->out, export_clean(&mb, profile_string(p, p->frames[f].module)));
			}
			fputc('}', ss->out);
		}
	}
	fputs("]}", ss->out);
	free(mb.s);
}

/* One profile of samples[0..n) (one thread's, or all merged). */
static void put_profile(struct ss *ss, const struct profile_sample *const *samples, size_t n,
			const char *name, const char *unit, bool first)
{
	uint64_t total = 0, w;
	size_t i, j;

	for (i = 0; i < n; i++)
		total += samples[i]->weight;
	fputs(first ? "{\"type\":\"sampled\",\"name\":" : ",{\"type\":\"sampled\",\"name\":",
	      ss->out);
	put_string(ss->out, name);
	fprintf(ss->out, ",\"unit\":\"%s\",\"startValue\":0,\"endValue\":%" PRIu64 ",\"samples\":[",
		unit, total);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && samples[j]->node == samples[i]->node; j++)
			;
		if (i)
			fputc(',', ss->out);
		put_stack(ss, samples[i]->node);
	}
	fputs("],\"weights\":[", ss->out);
	for (i = 0; i < n; i = j) {
		for (w = samples[i]->weight, j = i + 1; j < n && samples[j]->node == samples[i]->node;
		     j++)
			w += samples[j]->weight;
		fprintf(ss->out, "%s%" PRIu64, i ? "," : "", w);
	}
	fputs("]}", ss->out);
}

int export_speedscope_write(FILE *out, const struct export_input *in, struct ft_error *err)
{
	const struct profile *p = in->p;
	const char *unit = speedscope_unit(export_input_unit(in));
	const struct profile_sample **order;
	struct ss ss = { .out = out, .in = in };
	struct export_clean nb = { 0 };
	size_t i, j, nprofiles = 0;
	char *name;

	u64map_init(&ss.frame_index);
	order = xcalloc(in->nsamples ? in->nsamples : 1, sizeof(*order));
	for (i = 0; i < in->nsamples; i++)
		order[i] = &in->samples[i];
	if (in->threads && in->nsamples)
		qsort(order, in->nsamples, sizeof(*order), by_thread);
	fputs("{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\",", out);
	fprintf(out, "\"exporter\":\"flametop %s\",\"name\":", PACKAGE_VERSION);
	put_string(out, export_clean(&nb, in->title ? in->title : "flametop"));
	fputs(",\"activeProfileIndex\":0,", out);
	put_frames(&ss);
	fputs(",\"profiles\":[", out);
	if (!in->threads) {
		put_profile(&ss, order, in->nsamples, "all threads", unit, true);
		nprofiles = 1;
	}
	for (i = 0; in->threads && i < in->nsamples; i = j) {
		const struct profile_sample *s = order[i];

		for (j = i + 1; j < in->nsamples && order[j]->tid == s->tid; j++)
			;
		name = xasprintf("%s (pid %" PRIu32 ", tid %" PRIu32 ")",
				 export_clean(&nb, export_comm(p, s->tid)), s->pid, s->tid);
		put_profile(&ss, order + i, j - i, name, unit, nprofiles++ == 0);
		free(name);
	}
	if (!nprofiles) /* nothing matched: still a file speedscope opens */
		put_profile(&ss, order, 0, "no samples", unit, true);
	fputs("]}\n", out);
	free(order);
	free(ss.chain);
	free(ss.b.s);
	free(nb.s);
	u64map_free(&ss.frame_index);
	if (ferror(out)) {
		error_set(err, "cannot write the speedscope file: %s", strerror(errno));
		return -1;
	}
	return 0;
}
