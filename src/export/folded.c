/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Brendan Gregg's folded (collapsed stack) format, as flamegraph.pl,
 * inferno and speedscope read it: one line per distinct stack,
 * "thread;outermost;...;leaf WEIGHT", sorted by its text. The thread's
 * name leads when the samples know their thread: when the input keeps
 * threads apart and the session names any ("[unknown]" for a sample of a
 * thread it does not name); with the input's thread_ids it is
 * "comm-PID/TID" (stackcollapse-perf.pl --tid's head, which import reads
 * back as the thread), a line per thread. A session of no thread (folded stacks or a
 * pprof profile imported) has none, so that its stacks come back as they
 * went in. Names are sanitized and a ';' inside one becomes ':' so that it
 * cannot split the stack; a leaf that ends in a blank and a number
 * ("lambda 2") has that blank made '_' ("lambda_2"), since flamegraph.pl
 * (and import) would read "a;lambda 2 7" as a differential line of two
 * counts. WEIGHT is the stack's weights summed, in the
 * event's unit (ns of CPU time, bytes), or, with the input's
 * sample_weights, its number of samples, as perf's stackcollapse writes
 * it and as import reads every folded count back. With the input's
 * annotate_kernel, a kernel frame ends in "_[k]" (as perf's stackcollapse
 * --kernel writes it), which import reads back as a kernel frame.
 */
#include "config.h"

#include "flametop/export.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "flametop/util.h"
#include "internal.h"

/* One distinct (thread name, stack) and its summed weight. */
struct folded_entry {
	uint32_t comm; /* string id + 1; 0 = no thread name */
	uint32_t node;
	uint32_t pid, tid; /* with the input's thread_ids */
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

/* Appends one element: sanitized, ';' made ':', never empty. */
static void add_name(struct sbuf *sb, const char *name)
{
	size_t start = sb->len, i;

	sbuf_add(sb, name);
	for (i = start; i < sb->len; i++)
		if (sb->s[i] == ';')
			sb->s[i] = ':';
}

/*
 * A leaf (from sb->s[start]) that ends in a blank and a number, as
 * flamegraph.pl reads a count (digits, then perhaps '.' and digits), has
 * the blanks before the number made '_', so that no reader takes the
 * number for a count of its own.
 */
static void unambiguous_leaf(struct sbuf *sb, size_t start)
{
	size_t i = sb->len, digits;

	while (i > start && sb->s[i - 1] >= '0' && sb->s[i - 1] <= '9')
		i--;
	if (i > start && sb->s[i - 1] == '.') {
		size_t dot = i - 1;

		for (i = dot; i > start && sb->s[i - 1] >= '0' && sb->s[i - 1] <= '9'; i--)
			;
		if (i == dot) /* ".5": no digit before the point to start a number */
			return;
	}
	digits = sb->len - i;
	if (!digits)
		return;
	while (i > start && (sb->s[i - 1] == ' ' || sb->s[i - 1] == '\t'))
		sb->s[--i] = '_';
}

/* Whether lines lead with their thread's name (see the top of this file). */
static bool folded_threads(const struct export_input *in)
{
	return in->threads && in->p->nthreads > 0;
}

/* Caller frees: "comm;outermost;...;leaf" for an entry. */
static char *folded_line(const struct export_input *in, const struct folded_entry *e,
			 uint32_t **chain, size_t *chain_cap, struct export_clean *b)
{
	const struct profile *p = in->p;
	struct sbuf sb = { 0 };
	size_t depth = export_stack(p, e->node, chain, chain_cap), i, leaf = 0;

	if (folded_threads(in))
		add_name(&sb, export_clean(b, e->comm ? profile_string(p, e->comm - 1) : ""));
	if (folded_threads(in) && in->thread_ids) {
		char ids[32];

		snprintf(ids, sizeof(ids), "-%" PRIu32 "/%" PRIu32, e->pid, e->tid);
		sbuf_add(&sb, ids);
	}
	for (i = 0; i < depth; i++) {
		uint32_t f = (*chain)[i];

		if (sb.len)
			sbuf_add(&sb, ";");
		leaf = sb.len;
		add_name(&sb, export_frame_name(b, p, f));
		if (in->annotate_kernel && f < p->nframes &&
		    p->frames[f].kind == PROFILE_FRAME_KERNEL)
			sbuf_add(&sb, "_[k]");
	}
	if (!sb.s)
		sbuf_add(&sb, "[unknown]");
	unambiguous_leaf(&sb, leaf);
	return sb.s;
}

/* One line of output: a rendered stack and its summed weight. */
struct folded_line {
	char *line;
	uint64_t weight;
};

/*
 * The input's lines, sorted by their text. Distinct stacks that render
 * the same (one name in two modules) are merged so each line is unique.
 * Caller frees with folded_free().
 */
static struct folded_line *folded_collect(const struct export_input *in, size_t *nlines)
{
	const struct profile *p = in->p;
	struct folded_entry *entries = NULL;
	struct folded_line *lines;
	size_t nentries = 0, cap = 0, chain_cap = 0, n = 0, i, j;
	uint32_t *chain = NULL;
	struct export_clean b = { 0 };
	struct u64map map;
	bool counts_samples = profile_event_counts_samples(p, in->event);

	u64map_init(&map);
	for (i = 0; i < in->nsamples; i++) {
		const struct profile_sample *s = &in->samples[i];
		const struct profile_thread *th;
		uint32_t comm = 0, idx;
		uint64_t key;

		if (folded_threads(in)) {
			th = profile_find_thread(p, s->tid);
			comm = th ? th->comm + 1 : 0;
		}
		/* per thread with its ids, else per thread name */
		key = ((uint64_t)s->node + 1) << 32 | (in->thread_ids ? s->tid : comm);
		if (!u64map_get(&map, key, &idx)) {
			if (nentries == cap) {
				cap = cap ? cap * 2 : 64;
				entries = xreallocarray(entries, cap, sizeof(*entries));
			}
			idx = (uint32_t)nentries++;
			entries[idx] = (struct folded_entry){
				.comm = comm, .node = s->node, .pid = s->pid, .tid = s->tid
			};
			u64map_put(&map, key, idx);
		}
		entries[idx].weight += !in->sample_weights ? s->weight
				       : counts_samples	   ? s->weight
				       : in->counts	   ? in->counts[i]
							   : 1;
	}
	for (i = 0; i < nentries; i++)
		entries[i].line = folded_line(in, &entries[i], &chain, &chain_cap, &b);
	if (nentries)
		qsort(entries, nentries, sizeof(*entries), folded_cmp);
	lines = xcalloc(nentries ? nentries : 1, sizeof(*lines));
	for (i = 0; i < nentries; i = j) {
		uint64_t w = entries[i].weight;

		for (j = i + 1; j < nentries && strcmp(entries[i].line, entries[j].line) == 0; j++) {
			w += entries[j].weight;
			free(entries[j].line);
		}
		if (!w) {
			free(entries[i].line);
			continue;
		}
		lines[n].line = entries[i].line;
		lines[n++].weight = w;
	}
	free(entries);
	free(chain);
	free(b.s);
	u64map_free(&map);
	*nlines = n;
	return lines;
}

static void folded_free(struct folded_line *lines, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(lines[i].line);
	free(lines);
}

int export_folded_write(FILE *out, const struct export_input *in, struct ft_error *err)
{
	size_t n, i;
	struct folded_line *lines = folded_collect(in, &n);
	int ret = 0;

	for (i = 0; i < n; i++)
		if (fprintf(out, "%s %" PRIu64 "\n", lines[i].line, lines[i].weight) < 0)
			ret = -1;
	folded_free(lines, n);
	if (ret < 0)
		error_set(err, "cannot write the folded stacks: %s", strerror(errno));
	return ret;
}

/*
 * The differential folded format (difffolded.pl's output, flamegraph.pl's
 * input): "stack BASELINE NOW", every stack of either side once, 0 where
 * a side lacks it, sorted by the stack's text.
 */
int export_folded_diff_write(FILE *out, const struct export_input *now,
			     const struct export_input *base, struct ft_error *err)
{
	size_t n, bn, i = 0, j = 0;
	struct folded_line *a = folded_collect(now, &n);
	struct folded_line *b = folded_collect(base, &bn);
	int ret = 0;

	while (i < n || j < bn) {
		int c = i == n ? 1 : j == bn ? -1 : strcmp(a[i].line, b[j].line);
		const char *line = c <= 0 ? a[i].line : b[j].line;
		uint64_t w = c <= 0 ? a[i].weight : 0, bw = c >= 0 ? b[j].weight : 0;

		if (fprintf(out, "%s %" PRIu64 " %" PRIu64 "\n", line, bw, w) < 0)
			ret = -1;
		i += c <= 0;
		j += c >= 0;
	}
	folded_free(a, n);
	folded_free(b, bn);
	if (ret < 0)
		error_set(err, "cannot write the folded stacks: %s", strerror(errno));
	return ret;
}
