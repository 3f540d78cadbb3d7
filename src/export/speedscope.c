/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * speedscope's file format (https://www.speedscope.app/
 * file-format-schema.json), "sampled" profiles: the frames every profile
 * shares ({"name", "file"}: the function and its module), and one profile
 * per thread, whose samples are its stacks in time order (frame indices,
 * outermost first) with their weights, one for each sample, so that an
 * import of the file counts the samples there were. A run of samples with
 * the same stack is kept as one (its number and summed weight) until it is
 * written, as that many samples sharing its weight: the stacks, their
 * order and each function's weight are the session's. Samples merged across
 * threads (the explorer's) make a single profile. In nanoseconds, a
 * thread's profile starts (startValue) at its first sample's time, ns
 * since the session's start, so that threads keep where in the session
 * they ran, and import puts them back there; time its thread did not run
 * between two samples (EXPORT_RUNS_IDLE_MIN or more) is a sample of no
 * stack ([]) weighing that time, so that what follows is drawn where it
 * ran and speedscope's total (endValue - startValue) is the thread's span,
 * as the schema's sampled profiles allow no time but weights. What is written is made
 * of runs (struct export_runs): an export tally's, or the input samples'.
 * A tally's may be partly in a temporary file, read back a block at a
 * time, twice per thread (its stacks, then its weights).
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
#include <unistd.h>

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

/* --- Runs ----------------------------------------------------------------- */

static void put_varint(struct export_runs_thread *th, uint64_t v)
{
	if (th->len + 10 > th->cap) {
		th->cap = th->cap ? 2 * th->cap : 256;
		th->buf = xrealloc(th->buf, th->cap);
	}
	while (v >= 0x80) {
		th->buf[th->len++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	th->buf[th->len++] = (unsigned char)v;
}

static uint64_t get_varint(const unsigned char *b, size_t *at)
{
	uint64_t v = 0;
	unsigned shift = 0;

	do
		v |= (uint64_t)(b[*at] & 0x7f) << shift, shift += 7;
	while (b[(*at)++] & 0x80);
	return v;
}

void export_runs_close(struct export_runs_thread *th)
{
	if (!th->open)
		return;
	put_varint(th, th->node);
	put_varint(th, th->weight);
	put_varint(th, th->count);
	th->open = false;
}

void export_runs_append(struct export_runs_thread *th, uint32_t node, uint64_t weight,
			uint64_t time, bool gaps)
{
	if (gaps && th->timed && time > th->last_time && time - th->last_time > weight &&
	    time - th->last_time - weight >= EXPORT_RUNS_IDLE_MIN) {
		export_runs_close(th);
		put_varint(th, EXPORT_RUNS_IDLE);
		put_varint(th, time - th->last_time - weight);
		put_varint(th, 1);
		th->total += time - th->last_time - weight;
	}
	if (gaps && (!th->timed || time > th->last_time)) {
		th->last_time = time;
		th->timed = true;
	}
	th->total += weight;
	if (th->open && th->node == node) {
		th->weight += weight;
		th->count++;
		return;
	}
	export_runs_close(th);
	th->node = node;
	th->weight = weight;
	th->count = 1;
	th->open = true;
}

void export_runs_free(struct export_runs *r)
{
	size_t i;

	for (i = 0; i < r->nthreads; i++) {
		free(r->threads[i].buf);
		free(r->threads[i].blocks);
	}
	free(r->threads);
	free(r->nodes);
	if (r->spilled)
		close(r->fd);
	memset(r, 0, sizeof(*r));
}

/*
 * Reading a thread's runs in order: its blocks in the file, then its
 * buffer. `err` is the errno of a block that could not be read back (the
 * runs then end early, and the export fails).
 */
struct runs_reader {
	const struct export_runs *r;
	const struct export_runs_thread *th; /* NULL: none */
	size_t block; /* the next block to read */
	const unsigned char *at, *end;
	unsigned char *buf; /* the block read */
	size_t cap;
	int err;
};

/* Reads the thread's block `b` into rr->buf. 0, or -1 with rr->err set. */
static int read_block(struct runs_reader *rr, const struct export_runs_block *b)
{
	size_t got = 0;

	if (b->len > rr->cap) {
		rr->cap = b->len;
		rr->buf = xrealloc(rr->buf, rr->cap);
	}
	while (got < b->len) {
		ssize_t n = pread(rr->r->fd, rr->buf + got, b->len - got, (off_t)(b->off + got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rr->err = n < 0 ? errno : EIO;
			return -1;
		}
		got += (size_t)n;
	}
	rr->at = rr->buf;
	rr->end = rr->buf + b->len;
	return 0;
}

/* The next run into *node, *weight and *count; false at the end (or an error). */
static bool runs_next(struct runs_reader *rr, uint32_t *node, uint64_t *weight, uint64_t *count)
{
	const struct export_runs_thread *th = rr->th;
	size_t at = 0;

	while (th && rr->at == rr->end) {
		if (rr->block < th->nblocks) {
			if (read_block(rr, &th->blocks[rr->block++]) < 0)
				return false;
		} else if (rr->block++ == th->nblocks && th->len) {
			rr->at = th->buf;
			rr->end = th->buf + th->len;
		} else {
			return false;
		}
	}
	if (!th)
		return false;
	*node = (uint32_t)get_varint(rr->at, &at);
	*weight = get_varint(rr->at, &at);
	*count = get_varint(rr->at, &at);
	rr->at += at;
	return true;
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

/* The runs of the input's samples (in time order): per thread, or one
 * merged across threads. */
static void runs_of_samples(const struct export_input *in, struct export_runs *r)
{
	const struct profile *p = in->p;
	const struct profile_sample **order;
	uint8_t *seen = xcalloc(p->nnodes ? p->nnodes : 1, 1);
	bool gaps = in->threads && strcmp(export_input_unit(in), "ns") == 0;
	size_t i, j;

	memset(r, 0, sizeof(*r));
	r->nodes = xcalloc(in->nsamples ? in->nsamples : 1, sizeof(*r->nodes));
	for (i = 0; i < in->nsamples; i++) {
		uint32_t node = in->samples[i].node;

		if (node < p->nnodes && !seen[node]) {
			seen[node] = 1;
			r->nodes[r->nnodes++] = node;
		}
	}
	free(seen);
	order = xcalloc(in->nsamples ? in->nsamples : 1, sizeof(*order));
	for (i = 0; i < in->nsamples; i++)
		order[i] = &in->samples[i];
	if (in->threads && in->nsamples)
		qsort(order, in->nsamples, sizeof(*order), by_thread);
	for (i = 0, j = 1; in->threads && i < in->nsamples; i++)
		j += i && order[i]->tid != order[i - 1]->tid;
	r->threads = xcalloc(in->threads ? j : 1, sizeof(*r->threads));
	if (!in->threads)
		r->nthreads = 1;
	for (i = 0; i < in->nsamples; i = j) {
		struct export_runs_thread *th = &r->threads[in->threads ? r->nthreads++ : 0];

		for (j = i; j < in->nsamples && (!in->threads || order[j]->tid == order[i]->tid);
		     j++)
			export_runs_append(th, order[j]->node, order[j]->weight, order[j]->time,
					   gaps);
		export_runs_close(th);
		th->tid = order[i]->tid;
		th->pid = order[i]->pid;
		th->first_time = order[i]->time;
	}
	free(order);
}

/* --- Writing ---------------------------------------------------------------- */

struct ss {
	FILE *out;
	const struct export_input *in;
	struct u64map frame_index; /* frame id + 1 (keys are nonzero) -> shared index */
	uint32_t nshared;
	uint32_t *chain;
	size_t chain_cap;
	char *line; /* a stack as written */
	size_t line_cap;
	struct export_clean b;
};

/*
 * `v` in decimal, ending at `end` (which it does not write): returns where
 * it starts. The numbers are most of a speedscope file, and printf's
 * parsing of its format was most of the time spent writing one.
 */
static char *decimal(char *end, uint64_t v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

/* ",V" (or "V" for the first), V in decimal. */
static void put_number(FILE *out, bool comma, uint64_t v)
{
	char buf[24], *at = decimal(buf + sizeof(buf), v);

	if (comma)
		*--at = ',';
	fwrite(at, 1, (size_t)(buf + sizeof(buf) - at), out);
}

/* The stack of `node` as shared frame indices, outermost first: built in
 * ss->line and written at once. */
static void put_stack(struct ss *ss, uint32_t node)
{
	size_t n, i, len = 0;
	uint32_t idx;

	if (node == EXPORT_RUNS_IDLE) { /* no stack: the thread did not run */
		fputs("[]", ss->out);
		return;
	}
	n = export_stack(ss->in->p, node, &ss->chain, &ss->chain_cap);

	if (ss->line_cap < 2 + n * 11) {
		ss->line_cap = 2 + n * 11; /* "[", each index and its comma, "]" */
		ss->line = xrealloc(ss->line, ss->line_cap);
	}
	ss->line[len++] = '[';
	for (i = 0; i < n; i++) {
		char num[10], *at;

		if (!u64map_get(&ss->frame_index, (uint64_t)ss->chain[i] + 1, &idx))
			idx = 0; /* listed in put_frames(): cannot happen */
		if (i)
			ss->line[len++] = ',';
		at = decimal(num + sizeof(num), idx);
		memcpy(ss->line + len, at, (size_t)(num + sizeof(num) - at));
		len += (size_t)(num + sizeof(num) - at);
	}
	ss->line[len++] = ']';
	fwrite(ss->line, 1, len, ss->out);
}

/* "shared": {"frames": [...]}: every frame of every stack, once, in the
 * order the samples' stacks (outermost first) first have them. */
static void put_frames(struct ss *ss, const struct export_runs *r)
{
	const struct profile *p = ss->in->p;
	struct export_clean mb = { 0 };
	size_t i, n, k;

	fputs("\"shared\":{\"frames\":[", ss->out);
	for (i = 0; i < r->nnodes; i++) {
		n = export_stack(p, r->nodes[i], &ss->chain, &ss->chain_cap);
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

/* One profile of a thread's runs (or all threads', merged; NULL: none):
 * their stacks, then their weights, each a pass over the runs. 0, or the
 * errno of runs that could not be read back. */
static int put_profile(struct ss *ss, const struct export_runs *r,
		       const struct export_runs_thread *th, const char *name, const char *unit,
		       bool first)
{
	struct runs_reader rr = { .r = r, .th = th };
	uint64_t w, n, c, start = 0;
	uint32_t node;
	size_t k = 0;

	/* In time, a thread's samples start at its first one's time. */
	if (th && ss->in->threads && strcmp(unit, "nanoseconds") == 0)
		start = th->first_time;
	fputs(first ? "{\"type\":\"sampled\",\"name\":" : ",{\"type\":\"sampled\",\"name\":",
	      ss->out);
	put_string(ss->out, name);
	fprintf(ss->out,
		",\"unit\":\"%s\",\"startValue\":%" PRIu64 ",\"endValue\":%" PRIu64
		",\"samples\":[",
		unit, start, start + (th ? th->total : 0));
	while (runs_next(&rr, &node, &w, &n))
		for (c = 0; c < n; c++) {
			if (k++)
				fputc(',', ss->out);
			put_stack(ss, node);
		}
	fputs("],\"weights\":[", ss->out);
	rr = (struct runs_reader){ .r = r, .th = th, .buf = rr.buf, .cap = rr.cap, .err = rr.err };
	/* A run's samples share its weight, the first taking what does not divide. */
	for (k = 0; !rr.err && runs_next(&rr, &node, &w, &n); k++)
		for (c = 0; c < n; c++)
			put_number(ss->out, k > 0 || c > 0, w / n + (c ? 0 : w % n));
	fputs("]}", ss->out);
	free(rr.buf);
	return rr.err;
}

int export_speedscope_write(FILE *out, const struct export_input *in, struct ft_error *err)
{
	const struct profile *p = in->p;
	const char *unit = speedscope_unit(export_input_unit(in));
	struct ss ss = { .out = out, .in = in };
	struct export_clean nb = { 0 };
	struct export_runs own, *r = in->runs;
	size_t i, nprofiles = 0;
	int rerr = 0;
	char *name;

	if (!r) {
		runs_of_samples(in, &own);
		r = &own;
	}
	u64map_init(&ss.frame_index);
	fputs("{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\",", out);
	fprintf(out, "\"exporter\":\"flametop %s\",\"name\":", PACKAGE_VERSION);
	put_string(out, export_clean(&nb, in->title ? in->title : "flametop"));
	fputs(",\"activeProfileIndex\":0,", out);
	put_frames(&ss, r);
	fputs(",\"profiles\":[", out);
	if (!in->threads) {
		rerr = put_profile(&ss, r, r->nthreads ? &r->threads[0] : NULL, "all threads", unit,
				   true);
		nprofiles = 1;
	}
	for (i = 0; in->threads && i < r->nthreads && !rerr; i++) {
		const struct export_runs_thread *th = &r->threads[i];

		name = xasprintf("%s (pid %" PRIu32 ", tid %" PRIu32 ")",
				 export_clean(&nb, export_comm(p, th->tid)), th->pid, th->tid);
		rerr = put_profile(&ss, r, th, name, unit, nprofiles++ == 0);
		free(name);
	}
	if (!nprofiles) /* nothing matched: still a file speedscope opens */
		put_profile(&ss, r, NULL, "no samples", unit, true);
	fputs("]}\n", out);
	if (r == &own)
		export_runs_free(&own);
	free(ss.chain);
	free(ss.line);
	free(ss.b.s);
	free(nb.s);
	u64map_free(&ss.frame_index);
	if (rerr) {
		error_set(err, "cannot read back speedscope's runs from their temporary file: %s",
			  strerror(rerr));
		return -1;
	}
	if (ferror(out)) {
		error_set(err, "cannot write the speedscope file: %s", strerror(errno));
		return -1;
	}
	return 0;
}
