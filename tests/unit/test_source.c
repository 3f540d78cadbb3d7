/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for the sources behind the live views: a session replayed
 * unpaced, paced, paused, sought forwards and backwards, and cut short;
 * and the live source on a real command (skipped, with the reason, where
 * perf events are not permitted).
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "flametop/cli.h"
#include "flametop/session.h"
#include "flametop/source.h"

#define MS 1000000ull

static char path[64];

/* A session of 200 samples, one every 10 ms over 2 s, written in 4 chunks. */
static int write_session(void **state)
{
	struct ft_error err = { { 0 }, 0, 0 };
	struct session_writer *w;
	struct profile *p = profile_new();
	uint32_t node;
	int i, fd;

	snprintf(path, sizeof(path), "/tmp/test_source.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	w = session_writer_open(path, true, &err);
	assert_non_null(w);
	profile_add_event(p, "task-clock", "ns");
	p->meta.duration_ns = 2000 * MS;
	assert_int_equal(session_writer_begin(w, p), 0);
	node = profile_intern_node(p, PROFILE_ROOT, profile_intern_frame(p, "main", "app", 0));
	node = profile_intern_node(p, node, profile_intern_frame(p, "spin", "app", 0));
	profile_set_thread(p, 7, 7, "app");
	for (i = 0; i < 200; i++) {
		struct profile_sample s = { .time = (uint64_t)i * 10 * MS, .weight = 10 * MS,
					    .node = node, .pid = 7, .tid = 7 };

		profile_add_sample(p, &s);
		if (i % 50 == 49) {
			assert_int_equal(session_writer_flush(w, p), 0);
			profile_clear_samples(p);
		}
	}
	assert_int_equal(session_writer_close(w, p), 0);
	profile_free(p);
	return 0;
}

static int remove_session(void **state)
{
	unlink(path);
	return 0;
}

static void test_replay_unpaced(void **state)
{
	struct ft_error err = { { 0 }, 0, 0 };
	struct source *s = source_replay_new(path, SOURCE_UNPACED, &err);

	assert_non_null(s);
	assert_false(s->live);
	assert_int_equal(s->duration_ns, 2000 * MS);
	assert_string_equal(s->notice, "");
	assert_int_equal(s->profile->nsamples, 0);
	assert_int_equal(s->ops->poll(s->ctx, 0, &err), SOURCE_ENDED);
	assert_int_equal(s->profile->nsamples, 200);
	assert_int_equal(s->profile->samples[199].time, 1990 * MS);
	/* The profile's tree and names came with it. */
	assert_int_equal(s->profile->nevents, 1);
	assert_non_null(profile_find_thread(s->profile, 7));
	source_free(s);
}

static void test_replay_paced_pause_seek(void **state)
{
	struct ft_error err = { { 0 }, 0, 0 };
	uint64_t t0 = util_now_ns(), elapsed, pos;
	struct source *s = source_replay_new(path, 2.0, &err);
	size_t n;

	assert_non_null(s);
	/* 2x: after >= 50 ms of wall time, >= 100 ms of session have played,
	 * and no more than 2x the wall time that really passed. The session
	 * lasts a second of wall time at 2x, room for a busy machine. */
	usleep(50000);
	assert_int_equal(s->ops->poll(s->ctx, 0, &err), SOURCE_RUNNING);
	pos = s->ops->now(s->ctx);
	elapsed = util_now_ns() - t0;
	n = s->profile->nsamples;
	assert_in_range(pos, 100 * MS, elapsed * 2);
	assert_true(n >= 11);
	assert_true(s->profile->samples[n - 1].time <= pos);

	/* Paused: time stands still, nothing more arrives. */
	s->ops->set_speed(s->ctx, 0);
	pos = s->ops->now(s->ctx);
	profile_clear_samples(s->profile);
	usleep(30000);
	assert_int_equal(s->ops->poll(s->ctx, 10, &err), SOURCE_RUNNING);
	assert_int_equal(s->profile->nsamples, 0);
	assert_int_equal(s->ops->now(s->ctx), pos);

	/* Backwards (it is at 100 ms or more): starts over, every sample up to
	 * the position again. */
	s->ops->seek(s->ctx, 50 * MS);
	assert_int_equal(s->ops->poll(s->ctx, 0, &err), SOURCE_RUNNING);
	assert_int_equal(s->profile->nsamples, 6);
	assert_int_equal(s->ops->now(s->ctx), 50 * MS);

	/* Forwards: exactly the samples after the position, up to the new one. */
	s->ops->seek(s->ctx, 1500 * MS);
	assert_int_equal(s->ops->poll(s->ctx, 0, &err), SOURCE_RUNNING);
	assert_int_equal(s->profile->samples[s->profile->nsamples - 1].time, 1500 * MS);
	assert_int_equal(s->profile->nsamples, 151);

	/* Played to the end it ends. */
	s->ops->set_speed(s->ctx, SOURCE_UNPACED);
	assert_int_equal(s->ops->poll(s->ctx, 0, &err), SOURCE_ENDED);
	assert_int_equal(s->profile->nsamples, 200);
	source_free(s);
}

static void test_replay_bad_file(void **state)
{
	struct ft_error err = { { 0 }, 0, 0 };

	assert_null(source_replay_new("/nonexistent/x.session", 1.0, &err));
	assert_string_equal(err.msg, "/nonexistent/x.session: No such file or directory");
}

static void test_replay_cut_short(void **state)
{
	struct ft_error err = { { 0 }, 0, 0 };
	char cut[80];
	struct source *s;
	FILE *in, *out;
	long size, i;

	/* Drop the end chunk and part of the last data chunk. */
	snprintf(cut, sizeof(cut), "%s.cut", path);
	in = fopen(path, "rb");
	out = fopen(cut, "wb");
	assert_non_null(in);
	assert_non_null(out);
	fseek(in, 0, SEEK_END);
	size = ftell(in);
	rewind(in);
	for (i = 0; i < size - 200; i++)
		fputc(fgetc(in), out);
	fclose(in);
	fclose(out);
	s = source_replay_new(cut, SOURCE_UNPACED, &err);
	unlink(cut);
	assert_non_null(s);
	assert_non_null(strstr(s->notice, "did not finish"));
	assert_int_equal(s->ops->poll(s->ctx, 0, &err), SOURCE_ENDED);
	assert_in_range(s->profile->nsamples, 100, 199);
	source_free(s);
}

static void test_live_command(void **state)
{
	char *argv[] = { "sh", "-c", "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done", NULL };
	struct ft_error err = { { 0 }, 0, 0 };
	struct cli_target t;
	struct source *s;
	size_t samples = 0, i;
	uint64_t give_up = util_now_ns() + 60000 * MS;
	int state_;

	memset(&t, 0, sizeof(t));
	t.target = SAMPLER_COMMAND;
	t.argv = argv;
	t.frequency = 999;
	t.command_line = "test";
	s = source_live_new(&t, NULL, NULL, &err);
	if (!s && (strstr(err.msg, "no permission") || strstr(err.msg, "no perf events")))
		skip();
	assert_non_null(s);
	assert_true(s->live);
	assert_int_equal(s->profile->nevents, 1);
	do {
		state_ = s->ops->poll(s->ctx, 100, &err);
		assert_true(state_ >= 0);
		for (i = 0; i < s->profile->nsamples; i++)
			assert_int_equal(s->profile->samples[i].pid, s->profile->samples[0].pid);
		samples += s->profile->nsamples;
		profile_clear_samples(s->profile);
		/* The command takes a second or so; a busy machine, longer. */
	} while (state_ == SOURCE_RUNNING && util_now_ns() < give_up);
	assert_int_equal(state_, SOURCE_ENDED);
	assert_true(samples > 10);
	assert_true(s->ops->now(s->ctx) > 0);
	source_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay_unpaced),
		cmocka_unit_test(test_replay_paced_pause_seek),
		cmocka_unit_test(test_replay_bad_file),
		cmocka_unit_test(test_replay_cut_short),
		cmocka_unit_test(test_live_command),
	};

	return cmocka_run_group_tests(tests, write_session, remove_session);
}
