/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The replay source: a session file played back as if it were live. The
 * whole file is read up front (the reader checks all of it) and its
 * samples are taken out of the profile, not copied (an hour's are
 * hundreds of MiB). They are then handed out in time order as the play
 * clock passes them, paced by the speed (1.0 is real time), at most
 * REPLAY_BATCH a poll, so that the consumer's room for them stays small:
 * a poll that leaves more due says SOURCE_MORE. Pausing is speed 0;
 * SOURCE_UNPACED hands out everything, batch after batch. The samples
 * stay here once handed out: source_replay_save() writes those played.
 */
#include "config.h"

#include "flametop/source.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "flametop/session.h"

/* Samples handed out by one poll, at most: 2.5 MiB of them. */
#define REPLAY_BATCH 65536

struct replay {
	struct profile *profile;
	struct profile_sample *samples; /* the session's, by time */
	size_t nsamples, cap, next; /* next: the first not handed out */
	uint64_t end; /* the session's length, ns */
	double speed;
	uint64_t pos0; /* play position at wall0 */
	uint64_t wall0; /* CLOCK_MONOTONIC ns */
};

static uint64_t position(const struct replay *r)
{
	double pos;

	if (r->speed >= SOURCE_UNPACED)
		return r->end;
	pos = (double)r->pos0 + (double)(util_now_ns() - r->wall0) * r->speed;
	return pos >= (double)r->end ? r->end : (uint64_t)pos;
}

static int replay_poll(void *ctx, int timeout_ms, struct ft_error *err)
{
	struct replay *r = ctx;
	uint64_t pos = position(r);
	size_t before = r->next;
	size_t end = r->nsamples - r->next > REPLAY_BATCH ? r->next + REPLAY_BATCH : r->nsamples;

	(void)err;
	while (r->next < end && r->samples[r->next].time <= pos)
		profile_add_sample(r->profile, &r->samples[r->next++]);
	if (r->next < r->nsamples && r->samples[r->next].time <= pos)
		return SOURCE_MORE;
	if (r->next == r->nsamples && pos >= r->end)
		return SOURCE_ENDED;
	if (r->next == before && timeout_ms > 0) {
		/* Nothing due: sleep until the next sample is, or the timeout. */
		uint64_t wait_ms = (uint64_t)timeout_ms;

		if (r->speed > 0 && r->next < r->nsamples) {
			double due = (double)(r->samples[r->next].time - pos) / r->speed / 1e6;

			if (due < (double)wait_ms)
				wait_ms = (uint64_t)ceil(due);
		}
		poll(NULL, 0, (int)wait_ms);
	}
	return SOURCE_RUNNING;
}

static uint64_t replay_now(void *ctx)
{
	return position(ctx);
}

static void replay_set_speed(void *ctx, double speed)
{
	struct replay *r = ctx;

	r->pos0 = position(r);
	r->wall0 = util_now_ns();
	r->speed = speed > 0 ? speed : 0;
}

static void replay_seek(void *ctx, uint64_t t)
{
	struct replay *r = ctx;

	if (t > r->end)
		t = r->end;
	if (t < position(r))
		r->next = 0; /* start over: the caller rebuilds its timeline */
	r->pos0 = t;
	r->wall0 = util_now_ns();
}

static void replay_free(void *ctx)
{
	struct replay *r = ctx;

	if (!r)
		return;
	xbig_free(r->samples, r->cap, sizeof(*r->samples));
	free(r);
}

static const struct source_ops replay_ops = {
	.poll = replay_poll,
	.now = replay_now,
	.set_speed = replay_set_speed,
	.seek = replay_seek,
	.free = replay_free,
};

static int by_time(const void *a, const void *b)
{
	const struct profile_sample *x = a, *y = b;

	return x->time < y->time ? -1 : x->time > y->time;
}

struct source *source_replay_new(const char *path, double speed, struct ft_notice *notice,
				 struct ft_error *err)
{
	struct session_read_info info;
	struct source *src;
	struct replay *r;
	struct profile *p;
	bool sorted = true;
	size_t i;

	p = session_read(path, &info, err);
	if (!p)
		return NULL;
	src = xcalloc(1, sizeof(*src));
	r = xcalloc(1, sizeof(*r));
	src->ops = &replay_ops;
	src->ctx = r;
	src->profile = r->profile = p;
	session_read_notice(notice, path, &info);

	/* Take the samples out of the profile: they come back as played. */
	profile_swap_samples(p, &r->samples, &r->nsamples, &r->cap);
	/* A recorder writes them in time order: sorting is then for naught. */
	r->end = p->meta.duration_ns;
	for (i = 0; i < r->nsamples; i++) {
		if (i > 0 && r->samples[i - 1].time > r->samples[i].time)
			sorted = false;
		if (r->samples[i].time > r->end)
			r->end = r->samples[i].time;
	}
	if (!sorted)
		qsort(r->samples, r->nsamples, sizeof(*r->samples), by_time);
	src->duration_ns = r->end;
	r->speed = speed > 0 ? speed : 0;
	r->wall0 = util_now_ns();
	return src;
}

int source_replay_save(struct source *s, struct session_writer *w, size_t *saved)
{
	struct replay *r = s->ctx;
	struct profile *p = r->profile;
	uint64_t duration = p->meta.duration_ns;
	size_t n = r->next;
	uint32_t t;
	int ret;

	assert(s->ops == &replay_ops && p->nsamples == 0);
	/* A new file: every thread is new to its writer. */
	for (t = 0; t < p->nthreads; t++)
		p->threads[t].dirty = true;
	profile_swap_samples(p, &r->samples, &n, &r->cap);
	p->meta.duration_ns = position(r);
	ret = session_writer_begin(w, p);
	if (ret == 0)
		ret = session_writer_close(w, p);
	else
		session_writer_abort(w);
	p->meta.duration_ns = duration;
	profile_swap_samples(p, &r->samples, &n, &r->cap);
	*saved = r->next;
	return ret;
}
