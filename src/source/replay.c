/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The replay source: a session file played back as if it were live. A
 * regular file is read as it plays (session_reader), never held whole:
 * an hour's samples are hundreds of MiB, a day's gigabytes. Samples read
 * wait in a small pending array, by time, until the play clock passes
 * them, paced by the speed (1.0 is real time), and are handed out at most
 * REPLAY_BATCH a poll: a poll that leaves more due says SOURCE_MORE.
 * Pausing is speed 0; SOURCE_UNPACED plays everything as fast as it reads.
 *
 * A paced replay of a regular file reads the file once first, dropping
 * the samples, for the session's length (the header shows "of 1h00m");
 * unpaced, the length grows as the file is read. A pipe is copied whole
 * to a temporary file by the reader (session_reader_open), before the
 * terminal is touched, and then plays as a file does; one that could not
 * be copied is read whole at the start, its samples held (a writer that
 * stalls must not freeze the explorer). Saving (source_replay_save) reads
 * the file again: such a pipe cannot be saved from.
 */
#include "config.h"

#include "flametop/source.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flametop/session.h"

/* Samples read ahead, and handed out by one poll, at most: 160 KiB (the
 * pending array and the profile's, which trade places, each up to twice
 * that and a chunk). */
#define REPLAY_BATCH 4096

struct replay {
	struct source *src;
	struct session_reader *reader;
	struct profile *profile; /* the reader's, the source's */
	char *name; /* the file, for messages */
	struct ft_notice *notice; /* borrowed: the session cut short is said there */
	struct profile_sample *pending; /* read, by time; [next, npending) not handed out */
	size_t npending, pending_cap, next;
	bool read_all; /* the reader reached the end of the file */
	struct ft_error failed; /* why reading stopped, when it failed */
	bool has_failed;
	uint64_t end; /* the session's length (so far, until read_all), ns */
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

static int by_time(const void *a, const void *b)
{
	const struct profile_sample *x = a, *y = b;

	return x->time < y->time ? -1 : x->time > y->time;
}

/* The reader reached the end: the session's metadata, its length, and a
 * notice if it was cut short. 0 or -1 with `err` set. */
static int read_end(struct replay *r, struct ft_error *err)
{
	struct session_read_info info;

	if (session_reader_end(r->reader, &info, err) < 0)
		return -1;
	r->read_all = true;
	if (r->profile->meta.duration_ns > r->end)
		r->end = r->profile->meta.duration_ns;
	r->src->duration_ns = r->end;
	if (r->notice)
		session_read_notice(r->notice, r->name, &info);
	return 0;
}

/*
 * Reads the next `min` samples or more (or to the end) into the pending
 * array; the profile must hold none (the consumer took them). 0, or -1
 * with `err` set.
 */
static int refill(struct replay *r, size_t min, struct ft_error *err)
{
	const struct profile_sample *s;
	bool sorted = true;
	size_t i;
	int ret;

	assert(r->profile->nsamples == 0 && r->next == r->npending);
	ret = session_reader_step(r->reader, min, err);
	/* The latest time, and whether they came in order, in one pass. */
	s = r->profile->samples;
	for (i = 0; i < r->profile->nsamples; i++) {
		if (s[i].time > r->end)
			r->end = s[i].time;
		if (i && s[i - 1].time > s[i].time)
			sorted = false;
	}
	if (r->src->duration_ns < r->end)
		r->src->duration_ns = r->end;
	/* Those read before a bad chunk are handed out as they are. */
	if (ret < 0)
		return -1;
	/* The samples read go to the pending array; its old room becomes
	 * the profile's. */
	r->npending = r->next = 0;
	profile_swap_samples(r->profile, &r->pending, &r->npending, &r->pending_cap);
	/* A recorder writes them in time order: sorting is then for naught. */
	if (!sorted)
		qsort(r->pending, r->npending, sizeof(*r->pending), by_time);
	return ret == 0 ? read_end(r, err) : 0;
}

static int replay_poll(void *ctx, int timeout_ms, struct ft_error *err)
{
	struct replay *r = ctx;
	uint64_t pos = position(r);
	size_t handed = 0;

	if (r->has_failed) {
		*err = r->failed;
		return -EIO;
	}
	for (;;) {
		if (r->next < r->npending && r->pending[r->next].time <= pos) {
			/* The samples due, up to a batch, in one copy. */
			size_t k = 0, room = REPLAY_BATCH - handed;

			if (!room)
				return SOURCE_MORE;
			while (k < room && r->next + k < r->npending &&
			       r->pending[r->next + k].time <= pos)
				k++;
			memcpy(profile_reserve_samples(r->profile, k), r->pending + r->next,
			       k * sizeof(*r->pending));
			profile_add_reserved_samples(r->profile, k);
			r->next += k;
			handed += k;
			continue;
		}
		if (r->next < r->npending || r->read_all)
			break; /* the next is not due yet, or there is no next */
		/* Read on once the consumer has taken what this poll gave. */
		if (r->profile->nsamples > 0)
			return SOURCE_MORE;
		if (refill(r, REPLAY_BATCH, err) < 0) {
			/* Nothing more is read; the next polls say it again. */
			r->failed = *err;
			r->has_failed = true;
			return -EIO;
		}
		pos = position(r); /* unpaced, the end moved */
	}
	if (r->read_all && r->next == r->npending && pos >= r->end)
		return SOURCE_ENDED;
	if (handed == 0 && timeout_ms > 0) {
		/* Nothing due: sleep until the next sample is, or the timeout. */
		uint64_t wait_ms = (uint64_t)timeout_ms;

		if (r->speed > 0 && r->next < r->npending) {
			double due = (double)(r->pending[r->next].time - pos) / r->speed / 1e6;

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

static void replay_free(void *ctx)
{
	struct replay *r = ctx;

	if (!r)
		return;
	session_reader_free(r->reader);
	xbig_free(r->pending, r->pending_cap, sizeof(*r->pending));
	free(r->name);
	free(r);
}

static const struct source_ops replay_ops = {
	.poll = replay_poll,
	.now = replay_now,
	.set_speed = replay_set_speed,
	.free = replay_free,
};

/*
 * The session's length, read ahead: from its end chunk, its chunks
 * checked on the way; without one, from the whole file `played` reads,
 * once, the samples dropped as they come. 0, or -1 with `err` set.
 */
static int read_length(const struct session_reader *played, uint64_t *length,
		       struct ft_error *err)
{
	struct session_reader *sr;
	struct profile *p;
	int ret;

	ret = session_reader_scan(played, length, err);
	if (ret != 0)
		return ret < 0 ? -1 : 0;
	sr = session_reader_reopen(played, err);
	if (!sr)
		return -1;
	p = session_reader_profile(sr);
	*length = 0;
	while ((ret = session_reader_step(sr, REPLAY_BATCH, err)) >= 0) {
		size_t i;

		for (i = 0; i < p->nsamples; i++)
			if (p->samples[i].time > *length)
				*length = p->samples[i].time;
		profile_clear_samples(p);
		if (ret == 0)
			break;
	}
	if (ret == 0)
		ret = session_reader_end(sr, NULL, err);
	if (ret == 0 && p->meta.duration_ns > *length)
		*length = p->meta.duration_ns;
	session_reader_free(sr);
	return ret;
}

struct source *source_replay_new(const char *path, double speed, struct ft_notice *notice,
				 struct ft_error *err)
{
	struct session_reader *sr;
	struct source *src;
	struct replay *r;
	uint64_t length = 0;

	sr = session_reader_open(path, err);
	if (!sr)
		return NULL;
	/* Paced, the header shows the whole length from the start. */
	if (speed < SOURCE_UNPACED && session_reader_regular(sr) &&
	    read_length(sr, &length, err) < 0) {
		session_reader_free(sr);
		return NULL;
	}
	src = xcalloc(1, sizeof(*src));
	r = xcalloc(1, sizeof(*r));
	src->ops = &replay_ops;
	src->ctx = r;
	src->profile = r->profile = session_reader_take(sr);
	src->duration_ns = length;
	r->src = src;
	r->reader = sr;
	r->name = xstrdup(path);
	r->notice = notice;
	r->end = length;
	r->speed = speed > 0 ? speed : 0;
	/* A pipe not copied to a temporary file is read whole now, before the
	 * terminal is touched, its samples held: read as it plays, a writer
	 * that stalls would freeze the explorer in read(). */
	if (!session_reader_regular(sr) && refill(r, SIZE_MAX, err) < 0) {
		source_free(src);
		return NULL;
	}
	r->wall0 = util_now_ns();
	return src;
}

int source_replay_save(struct source *s, const char *path, uint64_t *saved, struct ft_error *err)
{
	struct replay *r = s->ctx;
	uint64_t until = position(r);
	struct session_writer *w;
	struct session_reader *sr;
	struct profile *p;
	int ret, step = 1;

	assert(s->ops == &replay_ops);
	*saved = 0;
	/* The file played, read again: the same one, or none. */
	sr = session_reader_reopen(r->reader, err);
	if (!sr)
		return -1;
	w = session_writer_open(path, false, err);
	if (!w)
		goto out_reader;
	p = session_reader_profile(sr);
	ret = session_writer_begin(w, p);
	/* Chunk by chunk, the samples up to the play position. */
	while (ret == 0 && step > 0) {
		step = session_reader_step(sr, REPLAY_BATCH, err);
		if (step < 0)
			goto out_discard;
		profile_keep_samples_until(p, until);
		*saved += p->nsamples;
		ret = session_writer_flush(w, p);
		profile_clear_samples(p);
	}
	if (ret == 0 && session_reader_end(sr, NULL, err) < 0)
		goto out_discard;
	if (ret < 0) {
		error_set(err, "%s: %s", path, strerror(-ret));
		goto out_discard;
	}
	p->meta.duration_ns = until;
	ret = session_writer_close(w, p);
	session_reader_free(sr);
	if (ret < 0) {
		error_set(err, "%s: %s", path, strerror(-ret));
		return -1;
	}
	return 0;
out_discard:
	session_writer_discard(w);
out_reader:
	session_reader_free(sr);
	*saved = 0;
	return -1;
}
