/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading a session a batch of samples at a time, for the subcommands
 * that sum what they read (report, export, push): each batch is handed to
 * a consumer, then dropped, so memory holds the model and the consumer's
 * sums, not the samples. What a query needs from a session's end before
 * it can count (shares of its duration, the names its threads end with)
 * a first pass learns, reading it through without keeping samples.
 */
#include "config.h"

#include "flametop/cli.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flametop/session.h"

/* A thread's name as the session ends. */
struct cli_read_thread {
	uint32_t pid, tid;
	char *comm;
};

void cli_read_free(struct cli_read *s)
{
	uint32_t i;

	for (i = 0; i < s->nthreads; i++)
		free(s->threads[i].comm);
	free(s->threads);
	session_reader_free(s->sr);
	memset(s, 0, sizeof(*s));
}

const char *cli_read_path(const char *arg)
{
	return strcmp(arg, "-") == 0 ? "/dev/stdin" : arg;
}

int cli_read_open(struct cli_read *s, const char *path, const char *prefix)
{
	struct ft_error err = { { 0 }, 0, 0 };

	s->path = path;
	s->prefix = prefix;
	s->sr = session_reader_open(path, &err);
	if (!s->sr) {
		cli_error("%s%s", prefix, err.msg);
		return -1;
	}
	s->p = session_reader_profile(s->sr);
	return 0;
}

/* The final thread names over the ones the reader knows so far, so that
 * --comm selects a sample by the name its thread ends with, as it did
 * when the session was read whole. */
static void end_threads(struct cli_read *s)
{
	uint32_t i;

	for (i = 0; i < s->nthreads; i++)
		profile_set_thread(s->p, s->threads[i].pid, s->threads[i].tid, s->threads[i].comm);
}

int cli_read_samples(struct cli_read *s, cli_read_fn *add, void *ctx, struct ft_notice *notices)
{
	struct ft_error err = { { 0 }, 0, 0 };
	struct session_read_info info;
	size_t batch = s->hold ? SIZE_MAX : CLI_READ_BATCH;
	int step = 1;

	while (step > 0) {
		if (!s->whole)
			step = session_reader_step(s->sr, batch, &err);
		else
			step = 0;
		if (step < 0) {
			cli_error("%s%s", s->prefix, err.msg);
			return -1;
		}
		end_threads(s);
		if (s->hold)
			continue;
		if (add)
			add(ctx, s->p->samples, s->p->nsamples);
		profile_clear_samples(s->p);
	}
	if (session_reader_end(s->sr, &info, &err) < 0) {
		cli_error("%s%s", s->prefix, err.msg);
		return -1;
	}
	if (s->peeked && s->p->meta.duration_ns != s->span) {
		/* The end chunk read ahead was not the one the reader came to. */
		cli_error("%s%s: its end changed while it was read", s->prefix, s->path);
		return -1;
	}
	session_read_notice(notices, s->path, &info);
	return 0;
}

int cli_read_start(struct cli_read *s, const char *path, struct cli_query *q,
		   struct ft_notice *notices)
{
	struct ft_error err = { { 0 }, 0, 0 };
	int r;

	if (cli_read_open(s, path, "") < 0)
		return CLI_EXIT_ERROR;
	if (cli_query_needs_end(q) && cli_read_learn_end(s, q->filter.comm != NULL) < 0)
		return CLI_EXIT_ERROR;
	r = cli_query_resolve_in(q, s->p, s->span, &err);
	if (!r)
		return 0;
	if (cli_read_samples(s, NULL, NULL, notices) < 0)
		return CLI_EXIT_ERROR;
	cli_error("%s", err.msg);
	return r;
}

int cli_read_learn_end(struct cli_read *s, bool threads)
{
	struct ft_error err = { { 0 }, 0, 0 };
	struct session_reader *again;
	uint64_t last = 0;
	size_t k, batch;
	uint32_t i;
	int step;

	/* A scan that finds no end, or a damaged one, leaves it to the read
	 * through, which says what reading the session says. */
	if (session_reader_regular(s->sr) && session_reader_scan(s->sr, &s->span, &err) == 1 &&
	    s->span) {
		s->peeked = true;
		if (!threads)
			return 0;
		/* The names alone: its samples need not be decoded. */
		session_reader_skip_samples(s->sr);
	}
	/* A pipe not copied to a temporary file is read whole, in one step. */
	batch = session_reader_regular(s->sr) ? CLI_READ_BATCH : SIZE_MAX;
	do {
		step = session_reader_step(s->sr, batch, &err);
		if (step < 0) {
			cli_error("%s%s", s->prefix, err.msg);
			return -1;
		}
		for (k = 0; k < s->p->nsamples; k++)
			if (s->p->samples[k].time > last)
				last = s->p->samples[k].time;
		if (session_reader_regular(s->sr))
			profile_clear_samples(s->p);
	} while (step > 0);
	if (session_reader_end(s->sr, NULL, &err) < 0) {
		cli_error("%s%s", s->prefix, err.msg);
		return -1;
	}
	if (!s->peeked)
		s->span = s->p->meta.duration_ns ? s->p->meta.duration_ns : last;
	s->threads = xcalloc(s->p->nthreads ? s->p->nthreads : 1, sizeof(*s->threads));
	s->nthreads = s->p->nthreads;
	for (i = 0; i < s->nthreads; i++) {
		s->threads[i].pid = s->p->threads[i].pid;
		s->threads[i].tid = s->p->threads[i].tid;
		s->threads[i].comm = xstrdup(profile_string(s->p, s->p->threads[i].comm));
	}
	if (!session_reader_regular(s->sr)) {
		/* Read to its end, its samples held: counted as one batch. */
		s->whole = true;
		return 0;
	}
	again = session_reader_reopen(s->sr, &err);
	if (!again) {
		cli_error("%s%s", s->prefix, err.msg);
		return -1;
	}
	session_reader_free(s->sr);
	s->sr = again;
	s->p = session_reader_profile(again);
	return 0;
}
