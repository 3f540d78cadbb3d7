/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for the sources behind the live views: a session replayed
 * unpaced, paced, paused, in batches, saved as played so far (not from a
 * file replaced, nor from a pipe), from a pipe, corrupt, and cut short;
 * and the live source on a real command: ready before it runs, started,
 * stopped early, the command's status, a command not found (skipped, with
 * the reason, where perf events are not permitted).
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
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "flametop/session.h"
#include "flametop/source.h"

#define MS 1000000ull

static char path[64];

/* A notice sink that keeps what it is told. */
struct said {
	unsigned n;
	char last[512];
};

static void keep_notice(void *ctx, const char *text)
{
	struct said *said = ctx;

	said->n++;
	snprintf(said->last, sizeof(said->last), "%s", text);
}

/*
 * A new session at a fresh name from `pattern` (mkstemp's), its header
 * written: events task-clock, duration `duration`, thread 7 "app". Returns
 * the writer; *node is the stack main (in app).
 */
static struct session_writer *new_session(char *name, size_t size, const char *pattern,
					  struct profile *p, uint64_t duration, uint32_t *node)
{
	struct ft_error err = { { 0 }, 0, 0 };
	struct session_writer *w;
	int fd;

	snprintf(name, size, "%s", pattern);
	fd = mkstemp(name);
	assert_true(fd >= 0);
	close(fd);
	w = session_writer_open(name, true, &err);
	assert_non_null(w);
	profile_add_event(p, "task-clock", "ns");
	p->meta.duration_ns = duration;
	assert_int_equal(session_writer_begin(w, p), 0);
	*node = profile_intern_node(p, PROFILE_ROOT, profile_intern_frame(p, "main", "app", 0));
	profile_set_thread(p, 7, 7, "app");
	return w;
}

/* Copies file `from` to `to`. */
static void copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	int c;

	assert_non_null(in);
	assert_non_null(out);
	while ((c = fgetc(in)) != EOF)
		fputc(c, out);
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

/* A session of 200 samples, one every 10 ms over 2 s, written in 4 chunks. */
static int write_session(void **state)
{
	struct profile *p = profile_new();
	struct session_writer *w;
	uint32_t node;
	int i;

	w = new_session(path, sizeof(path), "/tmp/test_source.XXXXXX", p, 2000 * MS, &node);
	node = profile_intern_node(p, node, profile_intern_frame(p, "spin", "app", 0));
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
	struct said said = { 0, "" };
	struct ft_notice notices;
	struct source *s;

	notice_init(&notices, keep_notice, &said);
	s = source_replay_new(path, SOURCE_UNPACED, &notices, &err);
	assert_non_null(s);
	assert_false(s->live);
	/* Unpaced, the length is known once read; the events at once. */
	assert_int_equal(s->duration_ns, 0);
	assert_int_equal(s->profile->nevents, 1);
	assert_int_equal(s->profile->nsamples, 0);
	assert_int_equal(s->ops->poll(s->ctx, 0, &err), SOURCE_ENDED);
	assert_int_equal(s->duration_ns, 2000 * MS);
	assert_int_equal(s->profile->meta.duration_ns, 2000 * MS);
	assert_int_equal(said.n, 0); /* a complete session: nothing to say */
	assert_int_equal(s->profile->nsamples, 200);
	assert_int_equal(s->profile->samples[199].time, 1990 * MS);
	/* The profile's tree and names came with it. */
	assert_non_null(profile_find_thread(s->profile, 7));
	source_free(s);
	notice_free(&notices);
}

/* A file whose second flush is older than its first plays in time order. */
static void test_replay_out_of_order(void **state)
{
	struct ft_error err = { { 0 }, 0, 0 };
	struct profile *p = profile_new();
	struct session_writer *w;
	char later[64];
	struct source *s;
	uint32_t node;
	int i;

	w = new_session(later, sizeof(later), "/tmp/test_source.XXXXXX", p, 0, &node);
	for (i = 0; i < 100; i++) {
		/* 500..990 ms, then 0..490 ms */
		struct profile_sample x = { .time = (uint64_t)((i + 50) % 100) * 10 * MS,
					    .weight = (uint64_t)i + 1, .node = node, .pid = 7,
					    .tid = 7 };

		profile_add_sample(p, &x);
		if (i % 50 == 49) {
			assert_int_equal(session_writer_flush(w, p), 0);
			profile_clear_samples(p);
		}
	}
	assert_int_equal(session_writer_close(w, p), 0);
	profile_free(p);

	s = source_replay_new(later, SOURCE_UNPACED, NULL, &err);
	assert_non_null(s);
	assert_int_equal(s->ops->poll(s->ctx, 0, &err), SOURCE_ENDED);
	assert_int_equal(s->profile->nsamples, 100);
	for (i = 0; i < 100; i++) {
		assert_int_equal(s->profile->samples[i].time, (uint64_t)i * 10 * MS);
		assert_int_equal(s->profile->samples[i].weight, (uint64_t)(i + 50) % 100 + 1);
	}
	source_free(s);
	unlink(later);
}

static void test_replay_paced_pause(void **state)
{
	struct ft_error err = { { 0 }, 0, 0 };
	uint64_t t0 = util_now_ns(), elapsed, pos;
	struct source *s = source_replay_new(path, 1.0, NULL, &err);
	size_t n;

	assert_non_null(s);
	/* Paced, the file was read once ahead for its length. */
	assert_int_equal(s->duration_ns, 2000 * MS);
	/* 1x: after >= 50 ms of wall time, >= 50 ms of session have played,
	 * and no more than the wall time that really passed. The session lasts
	 * two seconds of wall time at 1x, room for a busy machine. */
	usleep(50000);
	assert_int_equal(s->ops->poll(s->ctx, 0, &err), SOURCE_RUNNING);
	pos = s->ops->now(s->ctx);
	elapsed = util_now_ns() - t0;
	n = s->profile->nsamples;
	assert_in_range(pos, 50 * MS, elapsed);
	assert_true(n >= 6);
	assert_true(s->profile->samples[n - 1].time <= pos);
	assert_int_equal(n, pos / (10 * MS) + 1);

	/* Paused: time stands still, nothing more arrives. */
	s->ops->set_speed(s->ctx, 0);
	pos = s->ops->now(s->ctx);
	profile_clear_samples(s->profile);
	usleep(30000);
	assert_int_equal(s->ops->poll(s->ctx, 10, &err), SOURCE_RUNNING);
	assert_int_equal(s->profile->nsamples, 0);
	assert_int_equal(s->ops->now(s->ctx), pos);

	/* Unpaced from there: exactly the rest, then the end. */
	s->ops->set_speed(s->ctx, SOURCE_UNPACED);
	assert_int_equal(s->ops->poll(s->ctx, 0, &err), SOURCE_ENDED);
	assert_int_equal(s->profile->nsamples, 200 - n);
	assert_int_equal(s->profile->samples[0].time, n * 10 * MS);
	source_free(s);
}

/*
 * A session of more samples than one poll hands out: unpaced, each poll
 * but the last says SOURCE_MORE, and the consumer's room for them stays
 * a batch, not the session.
 */
static void test_replay_batches(void **state)
{
	struct ft_error err = { { 0 }, 0, 0 };
	char big[64];
	struct profile *p = profile_new();
	struct session_writer *w;
	struct source *s;
	uint64_t last = 0;
	size_t total = 0, polls = 0;
	uint32_t node;
	int i, ret;

	w = new_session(big, sizeof(big), "/tmp/test_source_big.XXXXXX", p, 0, &node);
	for (i = 0; i < 150000; i++) {
		struct profile_sample x = { .time = (uint64_t)i * MS, .weight = 1, .node = node,
					    .pid = 7, .tid = 7 };

		profile_add_sample(p, &x);
	}
	assert_int_equal(session_writer_close(w, p), 0);
	profile_free(p);

	s = source_replay_new(big, SOURCE_UNPACED, NULL, &err);
	assert_non_null(s);
	do {
		ret = s->ops->poll(s->ctx, 0, &err);
		polls++;
		assert_true(ret == SOURCE_MORE || ret == SOURCE_ENDED);
		/* The end may come with none: the last batch came before the
		 * reader saw the end chunk. */
		assert_true(s->profile->nsamples > 0 || ret == SOURCE_ENDED);
		assert_true(s->profile->nsamples < 150000);
		for (i = 0; i < (int)s->profile->nsamples; i++) {
			assert_true(s->profile->samples[i].time >= last);
			last = s->profile->samples[i].time;
		}
		total += s->profile->nsamples;
		profile_clear_samples(s->profile);
	} while (ret == SOURCE_MORE && polls < 100);
	assert_int_equal(ret, SOURCE_ENDED);
	assert_true(polls > 1);
	assert_int_equal(total, 150000);
	assert_int_equal(last, 149999 * MS);
	assert_true(s->profile->samples_cap < 150000);
	source_free(s);
	unlink(big);
}

/* save_and_read NAME SOURCE: what source_replay_save writes, read back. */
static struct profile *save_and_read(const char *name, struct source *s, uint64_t *saved)
{
	struct ft_error err = { { 0 }, 0, 0 };
	struct profile *p;

	unlink(name);
	assert_int_equal(source_replay_save(s, name, saved, &err), 0);
	p = session_read(name, NULL, &err);
	assert_non_null(p);
	unlink(name);
	return p;
}

/*
 * `s` in a replay: the session as played so far (its samples up to the
 * play position, its threads and events, the position for a duration),
 * as often as asked; playing goes on after it. A file replaced since it
 * was opened (by another file, or a FIFO that would block) is not saved
 * from, nor is a pipe.
 */
static void test_replay_save(void **state)
{
	struct ft_error err = { { 0 }, 0, 0 };
	struct source *s = source_replay_new(path, 1.0, NULL, &err);
	char name[64], other[64];
	struct profile *p;
	uint64_t saved, pos;
	size_t i;
	int round;

	assert_non_null(s);
	usleep(100000);
	s->ops->set_speed(s->ctx, 0);
	pos = s->ops->now(s->ctx);
	assert_true(pos >= 100 * MS && pos < 2000 * MS);
	assert_int_equal(s->ops->poll(s->ctx, 0, &err), SOURCE_RUNNING);
	profile_clear_samples(s->profile);
	for (round = 0; round < 2; round++) {
		snprintf(name, sizeof(name), "/tmp/test_source_save.%d.%d", (int)getpid(), round);
		p = save_and_read(name, s, &saved);
		assert_int_equal(saved, pos / (10 * MS) + 1);
		assert_int_equal(p->nsamples, saved);
		for (i = 0; i < p->nsamples; i++)
			assert_true(p->samples[i].time <= pos);
		assert_int_equal(p->meta.duration_ns, pos);
		assert_int_equal(p->nevents, 1);
		assert_string_equal(p->events[0].name, "task-clock");
		assert_non_null(profile_find_thread(p, 7));
		assert_string_equal(profile_string(p, profile_find_thread(p, 7)->comm), "app");
		profile_free(p);
	}
	/* Never over an existing file. */
	snprintf(name, sizeof(name), "/tmp/test_source_save.%d.x", (int)getpid());
	unlink(name);
	p = profile_new();
	assert_int_equal(session_writer_close(session_writer_open(name, false, &err), p), 0);
	profile_free(p);
	assert_int_equal(source_replay_save(s, name, &saved, &err), -1);
	assert_non_null(strstr(err.msg, name));
	unlink(name);
	/* Playing goes on: the rest of the session. */
	s->ops->set_speed(s->ctx, SOURCE_UNPACED);
	assert_int_equal(s->ops->poll(s->ctx, 0, &err), SOURCE_ENDED);
	assert_int_equal(s->profile->nsamples, 200 - (pos / (10 * MS) + 1));
	source_free(s);

	/* The file replaced by another (a rename over it): not saved from. */
	snprintf(other, sizeof(other), "/tmp/test_source_other.%d", (int)getpid());
	snprintf(name, sizeof(name), "/tmp/test_source_copy.%d", (int)getpid());
	assert_int_equal(link(path, other), 0);
	s = source_replay_new(other, SOURCE_UNPACED, NULL, &err);
	assert_non_null(s);
	assert_int_equal(s->ops->poll(s->ctx, 0, &err), SOURCE_ENDED);
	copy_file(path, name);
	assert_int_equal(rename(name, other), 0);
	snprintf(name, sizeof(name), "/tmp/test_source_save.%d.r", (int)getpid());
	unlink(name);
	assert_int_equal(source_replay_save(s, name, &saved, &err), -1);
	assert_non_null(strstr(err.msg, "was replaced since it was opened"));
	assert_int_equal(access(name, F_OK), -1);
	/* Replaced by a FIFO no one writes: refused at once, never blocked on
	 * (the alarm ends the test if it blocks). */
	snprintf(name, sizeof(name), "/tmp/test_source_fifo2.%d", (int)getpid());
	unlink(name);
	assert_int_equal(mkfifo(name, 0600), 0);
	assert_int_equal(rename(name, other), 0);
	snprintf(name, sizeof(name), "/tmp/test_source_save.%d.f", (int)getpid());
	unlink(name);
	alarm(10);
	assert_int_equal(source_replay_save(s, name, &saved, &err), -1);
	alarm(0);
	assert_non_null(strstr(err.msg, "was replaced since it was opened"));
	assert_int_equal(access(name, F_OK), -1);
	source_free(s);
	unlink(other);
}

/*
 * A session from a pipe plays whole. It is copied to a temporary file
 * first, so it can be saved from like a file; where no temporary file
 * can be made (TMPDIR names no directory), it is read as it comes, whole
 * at the start, and cannot be saved from: it was read once.
 */
static void replay_pipe(bool spooled)
{
	struct ft_error err = { { 0 }, 0, 0 };
	char fifo[64], name[64];
	struct source *s;
	uint64_t saved;
	size_t total = 0;
	pid_t child;
	int ret;

	snprintf(fifo, sizeof(fifo), "/tmp/test_source_fifo.%d", (int)getpid());
	unlink(fifo);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		FILE *in = fopen(path, "rb"), *out = fopen(fifo, "wb");
		int c;

		if (!in || !out)
			_exit(1);
		while ((c = fgetc(in)) != EOF)
			fputc(c, out);
		_exit(fclose(out) == 0 ? 0 : 1);
	}
	if (!spooled)
		setenv("TMPDIR", "/nonexistent/flametop-test", 1);
	s = source_replay_new(fifo, 1.0, NULL, &err);
	unsetenv("TMPDIR");
	assert_non_null(s);
	assert_int_equal(s->duration_ns, 2000 * MS); /* its length known at the start */
	s->ops->set_speed(s->ctx, SOURCE_UNPACED);
	do {
		ret = s->ops->poll(s->ctx, 0, &err);
		total += s->profile->nsamples;
		profile_clear_samples(s->profile);
	} while (ret == SOURCE_MORE || ret == SOURCE_RUNNING);
	assert_int_equal(ret, SOURCE_ENDED);
	assert_int_equal(total, 200);
	assert_int_equal(s->duration_ns, 2000 * MS);
	snprintf(name, sizeof(name), "/tmp/test_source_save.%d.p", (int)getpid());
	unlink(name);
	if (spooled) {
		struct profile *p;

		assert_int_equal(source_replay_save(s, name, &saved, &err), 0);
		assert_int_equal(saved, 200);
		p = session_read(name, NULL, &err);
		assert_non_null(p);
		assert_int_equal(p->nsamples, 200);
		profile_free(p);
		unlink(name);
	} else {
		assert_int_equal(source_replay_save(s, name, &saved, &err), -1);
		assert_non_null(strstr(err.msg, "is not a regular file: it could be read only once"));
		assert_int_equal(access(name, F_OK), -1);
	}
	source_free(s);
	assert_int_equal(waitpid(child, &ret, 0), child);
	assert_true(WIFEXITED(ret) && WEXITSTATUS(ret) == 0);
	unlink(fifo);
}

static void test_replay_pipe(void **state)
{
	(void)state;
	replay_pipe(true);
}

static void test_replay_pipe_no_tmpdir(void **state)
{
	(void)state;
	replay_pipe(false);
}

/*
 * A chunk found corrupt while playing ends the replay there, saying why,
 * after the samples before it; paced, the read ahead finds it at once.
 */
static void test_replay_corrupt(void **state)
{
	struct ft_error err = { { 0 }, 0, 0 };
	char bad[80];
	struct source *s;
	FILE *f;
	long size;
	size_t total = 0;
	int ret;

	snprintf(bad, sizeof(bad), "%s.bad", path);
	copy_file(path, bad);
	/* A byte in the middle of the file (in a samples chunk's payload). */
	f = fopen(bad, "r+b");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, size * 3 / 4, SEEK_SET);
	ret = fgetc(f);
	fseek(f, size * 3 / 4, SEEK_SET);
	fputc(ret ^ 0x5a, f);
	fclose(f);

	s = source_replay_new(bad, SOURCE_UNPACED, NULL, &err);
	assert_non_null(s);
	do {
		ret = s->ops->poll(s->ctx, 0, &err);
		total += s->profile->nsamples;
		profile_clear_samples(s->profile);
	} while (ret == SOURCE_MORE || ret == SOURCE_RUNNING);
	assert_true(ret < 0);
	assert_non_null(strstr(err.msg, "is corrupt"));
	assert_true(total < 200);
	/* Asked again, it says it again, and reads nothing more. */
	err.msg[0] = '\0';
	assert_true(s->ops->poll(s->ctx, 0, &err) < 0);
	assert_non_null(strstr(err.msg, "is corrupt"));
	assert_int_equal(s->profile->nsamples, 0);
	source_free(s);

	err.msg[0] = '\0';
	assert_null(source_replay_new(bad, 1.0, NULL, &err));
	assert_non_null(strstr(err.msg, "is corrupt"));
	unlink(bad);
}

static void test_replay_bad_file(void **state)
{
	struct ft_error err = { { 0 }, 0, 0 };

	assert_null(source_replay_new("/nonexistent/x.session", 1.0, NULL, &err));
	assert_string_equal(err.msg, "/nonexistent/x.session: No such file or directory");
}

static void test_replay_cut_short(void **state)
{
	struct ft_error err = { { 0 }, 0, 0 };
	struct said said = { 0, "" };
	struct ft_notice notices;
	char cut[80], expect[160];
	struct source *s;
	FILE *in, *out;
	long size, i, at, last = 0, before_last = 0;
	unsigned char hdr[16];
	uint64_t paced_length;

	/* Drop the end chunk and part of the last samples chunk: walk the
	 * chunks (16-byte headers, the payload's length at offset 4) to find
	 * where the last two begin, and cut in the middle of the first. */
	snprintf(cut, sizeof(cut), "%s.cut", path);
	in = fopen(path, "rb");
	out = fopen(cut, "wb");
	assert_non_null(in);
	assert_non_null(out);
	fseek(in, 0, SEEK_END);
	size = ftell(in);
	for (at = 16; at + 16 <= size;) {
		fseek(in, at, SEEK_SET);
		assert_int_equal(fread(hdr, 1, 16, in), 16);
		before_last = last;
		last = at;
		at += 16 + (long)((uint32_t)hdr[4] | (uint32_t)hdr[5] << 8 |
				  (uint32_t)hdr[6] << 16 | (uint32_t)hdr[7] << 24);
	}
	assert_int_equal(at, size);
	assert_true(before_last > 16 && last > before_last);
	rewind(in);
	for (i = 0; i < before_last + (last - before_last) / 2; i++)
		fputc(fgetc(in), out);
	fclose(in);
	fclose(out);
	/* Paced, without an end chunk to say the length: the file is read
	 * once for it, to its last sample. */
	s = source_replay_new(cut, 1.0, NULL, &err);
	assert_non_null(s);
	paced_length = s->duration_ns;
	source_free(s);
	notice_init(&notices, keep_notice, &said);
	s = source_replay_new(cut, SOURCE_UNPACED, &notices, &err);
	unlink(cut);
	assert_non_null(s);
	assert_int_equal(said.n, 0); /* known once read to its end */
	assert_int_equal(s->ops->poll(s->ctx, 0, &err), SOURCE_ENDED);
	assert_in_range(s->profile->nsamples, 100, 199);
	assert_int_equal(paced_length, s->profile->samples[s->profile->nsamples - 1].time);
	/* Said once, in the words `report` uses. */
	assert_int_equal(said.n, 1);
	snprintf(expect, sizeof(expect),
		 "%s: the recording did not finish (the recorder was killed?)", cut);
	assert_memory_equal(said.last, expect, strlen(expect));
	source_free(s);
	notice_free(&notices);
}

/* The live source on `argv`, ready but not started; skips where perf
 * events are not permitted. */
static struct source *live_new(char **argv, struct ft_error *err)
{
	struct source_live_config cfg;
	struct source *s;

	memset(&cfg, 0, sizeof(cfg));
	cfg.target = SAMPLER_COMMAND;
	cfg.argv = argv;
	cfg.frequency = 999;
	cfg.command_line = "test";
	s = source_live_new(&cfg, NULL, err);
	if (!s && (strstr(err->msg, "no permission") || strstr(err->msg, "no perf events")))
		skip();
	assert_non_null(s);
	return s;
}

/* Polls until the source ends (at most 60 s of wall time, for a busy
 * machine); the samples it appended. */
static size_t poll_to_end(struct source *s)
{
	struct ft_error err = { { 0 }, 0, 0 };
	size_t samples = 0, i;
	uint64_t give_up = util_now_ns() + 60000 * MS;
	int state_;

	do {
		state_ = s->ops->poll(s->ctx, 100, &err);
		assert_true(state_ >= 0);
		for (i = 0; i < s->profile->nsamples; i++)
			assert_int_equal(s->profile->samples[i].pid, s->profile->samples[0].pid);
		samples += s->profile->nsamples;
		profile_clear_samples(s->profile);
	} while (state_ == SOURCE_RUNNING && util_now_ns() < give_up);
	assert_int_equal(state_, SOURCE_ENDED);
	return samples;
}

static void test_live_command(void **state)
{
	char *argv[] = { "sh", "-c", "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; exit 3",
			 NULL };
	struct ft_error err = { { 0 }, 0, 0 };
	struct source *s = live_new(argv, &err);

	/* Ready: the events are open, the metadata written, the command
	 * forked and waiting, nothing sampled. */
	assert_true(s->live);
	assert_int_equal(s->profile->nevents, 1);
	assert_string_equal(s->profile->meta.target, "command: sh -c i=0; while [ $i -lt 300000 ]; "
						     "do i=$((i+1)); done; exit 3");
	assert_string_equal(s->profile->meta.command_line, "test");
	assert_int_equal(s->profile->meta.frequency, 999);
	assert_true(s->profile->meta.start_mono_ns > 0);
	/* A live profile may run for days: it interns within limits. */
	assert_memory_equal(&s->profile->limits, &profile_live_limits, sizeof(profile_live_limits));
	assert_true(s->profile->limits.frames > 0 && s->profile->limits.nodes > 0);
	assert_true(s->child > 0);
	usleep(50000);
	assert_int_equal(s->ops->poll(s->ctx, 0, &err), SOURCE_RUNNING);
	assert_int_equal(s->profile->nsamples, 0);

	assert_int_equal(source_live_start(s, &err), 0);
	assert_true(poll_to_end(s) > 10);
	assert_true(s->ops->now(s->ctx) > 0);
	/* Reaped, with its status. */
	assert_int_equal(s->child, 0);
	assert_true(s->child_exited);
	assert_true(WIFEXITED(s->child_status));
	assert_int_equal(WEXITSTATUS(s->child_status), 3);
	assert_true(s->profile->meta.duration_ns > 0);
	source_free(s);
}

/* @pid's CPU time (user and system) in clock ticks; 0 if it cannot be read. */
static long cpu_ticks(pid_t pid)
{
	char name[64], buf[1024], *p;
	unsigned long utime, stime;
	size_t n;
	FILE *f;

	snprintf(name, sizeof(name), "/proc/%d/stat", (int)pid);
	f = fopen(name, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* The fields after the command name, which may hold anything. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime,
			 &stime) != 2)
		return 0;
	return (long)(utime + stime);
}

/* Stopped early (as record stops on a full disk): nothing more is appended,
 * and the end of the command is still seen. */
static void test_live_stop(void **state)
{
	char *argv[] = { "sh", "-c", "while :; do :; done", NULL };
	struct ft_error err = { { 0 }, 0, 0 };
	struct source *s = live_new(argv, &err);
	pid_t child = s->child;
	uint64_t give_up;

	assert_int_equal(source_live_start(s, &err), 0);
	/* Until the command has had a tenth of a second of CPU (some 100
	 * samples), however long a busy machine takes to give it that. */
	give_up = util_now_ns() + 60000 * MS;
	while (cpu_ticks(child) < sysconf(_SC_CLK_TCK) / 10 && util_now_ns() < give_up)
		usleep(10000);
	assert_true(cpu_ticks(child) >= sysconf(_SC_CLK_TCK) / 10);
	/* Stopping reads what is left: the busy command's samples so far. */
	assert_int_equal(s->ops->stop(s->ctx), 0);
	assert_true(s->profile->nsamples > 0);
	assert_true(s->profile->meta.duration_ns > 0);
	profile_clear_samples(s->profile);
	/* It still runs, and nothing more is sampled until it is ended. */
	usleep(100000);
	assert_int_equal(s->ops->poll(s->ctx, 10, &err), SOURCE_RUNNING);
	assert_int_equal(s->profile->nsamples, 0);
	assert_int_equal(s->child, child);
	kill(child, SIGTERM);
	assert_int_equal(poll_to_end(s), 0);
	assert_true(s->child_exited);
	assert_true(WIFSIGNALED(s->child_status));
	assert_int_equal(WTERMSIG(s->child_status), SIGTERM);
	source_free(s);
}

/* A command that is not there: start says so (record exits 127 on it). */
static void test_live_not_found(void **state)
{
	char *argv[] = { "/nonexistent/ft-no-such-command", NULL };
	struct ft_error err = { { 0 }, 0, 0 };
	struct source *s = live_new(argv, &err);

	assert_int_equal(source_live_start(s, &err), -ENOENT);
	assert_string_equal(err.msg, "command not found");
	assert_int_equal(s->child, 0);
	source_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay_unpaced),
		cmocka_unit_test(test_replay_out_of_order),
		cmocka_unit_test(test_replay_paced_pause),
		cmocka_unit_test(test_replay_batches),
		cmocka_unit_test(test_replay_save),
		cmocka_unit_test(test_replay_pipe),
		cmocka_unit_test(test_replay_pipe_no_tmpdir),
		cmocka_unit_test(test_replay_corrupt),
		cmocka_unit_test(test_replay_bad_file),
		cmocka_unit_test(test_replay_cut_short),
		cmocka_unit_test(test_live_command),
		cmocka_unit_test(test_live_stop),
		cmocka_unit_test(test_live_not_found),
	};

	return cmocka_run_group_tests(tests, write_session, remove_session);
}
