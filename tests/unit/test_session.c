/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for session files: a multi-chunk round trip, the writer's
 * file-safety rules (no overwrite without force, no symlinks, mode 0600,
 * ENOSPC on a tiny tmpfs), and the reader against damaged files: every
 * truncation and every bit flip of a small session, absurd lengths, other
 * versions, unknown chunks. The reader must answer each with a profile or
 * one line of error, and never crash (run this under --enable-asan too).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include "flametop/profile.h"
#include "flametop/session.h"
#include "flametop/util.h"
#include "../../src/session/format.h"

static char tmpdir[] = "/tmp/test_session.XXXXXX";

/* A path inside the test's directory. Caller frees. */
static char *tmp_path(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

static struct profile *base_profile(void)
{
	struct profile *p = profile_new();
	struct profile_meta *m = &p->meta;

	profile_meta_set(&m->host, "testhost");
	profile_meta_set(&m->kernel, "6.1.0-test");
	profile_meta_set(&m->flametop_version, "0.1.0");
	profile_meta_set(&m->command_line, "flametop record -a -o x.session");
	profile_meta_set(&m->target, "system-wide");
	profile_meta_set(&m->call_graph, "fp");
	m->start_wall_ns = UINT64_C(1700000000123456789);
	m->start_mono_ns = UINT64_C(123456789012);
	m->frequency = 99;
	profile_add_event(p, "cycles", "cycles");
	profile_add_event(p, "cpu-clock", "ns");
	return p;
}

/* The samples a test wrote, in the order the reader gives them back. */
struct expect {
	struct profile_sample *samples;
	size_t n;
};

static int cmp_time(const void *a, const void *b)
{
	const struct profile_sample *x = a, *y = b;

	return x->time < y->time ? -1 : x->time > y->time;
}

/*
 * Adds one chunk's worth of data to `p`: stacks under new frames, threads,
 * samples in shuffled time order starting at `base` ns, lost counts.
 */
static void add_chunk_data(struct profile *p, unsigned chunk, uint64_t base, size_t nsamples,
			   struct expect *e)
{
	uint32_t leaves[8], leaf_frames[8];
	size_t i, first = e->n;
	char name[64];

	for (i = 0; i < ARRAY_SIZE(leaves); i++) {
		uint32_t main_fn = profile_intern_frame(p, "main", "/usr/bin/app", PROFILE_FRAME_USER);
		uint32_t node = profile_intern_node(p, PROFILE_ROOT, main_fn);
		uint32_t f;

		snprintf(name, sizeof(name), "fn_%u_%zu", chunk, i);
		f = profile_intern_frame(p, name, i % 2 ? "/usr/lib/libx.so.1" : "/usr/bin/app",
					 PROFILE_FRAME_USER);
		node = profile_intern_node(p, node, f);
		if (i % 3 == 0) {
			f = profile_intern_frame(p, "do_syscall_64", "[kernel.kallsyms]",
						 PROFILE_FRAME_KERNEL);
			node = profile_intern_node(p, node, f);
		}
		leaves[i] = node;
		leaf_frames[i] = f;
	}
	profile_set_thread(p, 100, 100, "app");
	profile_set_thread(p, 100, 101, chunk ? "worker-renamed" : "worker");
	snprintf(name, sizeof(name), "thread-%u", chunk);
	profile_set_thread(p, 100, 102 + chunk, name);

	e->samples = xreallocarray(e->samples, e->n + nsamples, sizeof(*e->samples));
	for (i = 0; i < nsamples; i++) {
		/* A permutation of 0..n-1, so samples arrive out of order. */
		size_t k = (i * 7 + 3) % nsamples;
		struct profile_sample s = {
			.time = base + k * 1000003 + chunk,
			.weight = 10000000 + (k % 17),
			.node = leaves[k % ARRAY_SIZE(leaves)],
			.pid = 100,
			.tid = 100 + (uint32_t)(k % 3),
			.cpu = (uint16_t)(k % 4),
			.event = (uint16_t)(k % 2),
		};

		/* User leaves get a code location (a few offsets each), except in
		 * chunk 1, which has none and so no "location" column; a chain
		 * of main's call site (one of two) and the leaf's, except in
		 * chunk 3, which has no "chain" column (a 1.3 writer's). */
		if (chunk != 1 && (k % ARRAY_SIZE(leaves)) % 3 != 0)
			s.location = profile_intern_location(p, leaf_frames[k % ARRAY_SIZE(leaves)],
							     0x1000 + (k % 5) * 16);
		if (chunk != 3 && s.location != PROFILE_NO_LOCATION) {
			uint32_t main_fn = profile_intern_frame(p, "main", "/usr/bin/app",
								PROFILE_FRAME_USER);
			uint32_t site = profile_intern_location(p, main_fn, 0x400 + (k % 2) * 8);

			s.chain = profile_intern_chain(p, profile_intern_chain(p, PROFILE_NO_CHAIN, site),
						       s.location);
		}
		profile_add_sample(p, &s);
		e->samples[e->n++] = s;
	}
	qsort(e->samples + first, nsamples, sizeof(*e->samples), cmp_time);
	p->meta.lost += 3;
	p->meta.throttled += 1;
}

/* Writes the samples `p` holds as a chunk of `w`, then drops them from `p`. */
static void flush_chunk(struct session_writer *w, struct profile *p)
{
	assert_int_equal(session_writer_flush(w, p), 0);
	profile_clear_samples(p);
}

/*
 * Writes a session of `nchunks` data chunks (each of `per_chunk` samples,
 * nsamples coprime with 7) to `path`, then closes it (or aborts, without
 * an end chunk). Returns the profile as the writer saw it (caller frees).
 */
static struct profile *write_session(const char *path, unsigned nchunks, size_t per_chunk,
				     bool finish, struct expect *e)
{
	struct session_writer *w;
	struct ft_error err = { 0 };
	struct profile *p = base_profile();
	unsigned c;

	w = session_writer_open(path, true, &err);
	assert_non_null(w);
	assert_int_equal(session_writer_begin(w, p), 0);
	for (c = 0; c < nchunks; c++) {
		/* Chunk 2 starts before chunk 1 ended: a negative delta. */
		add_chunk_data(p, c, c == 2 ? 500000 : (uint64_t)c * 50000000, per_chunk, e);
		flush_chunk(w, p);
	}
	p->meta.duration_ns = (uint64_t)nchunks * 50000000;
	if (finish)
		assert_int_equal(session_writer_close(w, p), 0);
	else
		session_writer_abort(w);
	return p;
}

static void assert_same_model(const struct profile *a, const struct profile *b)
{
	uint32_t i;

	assert_int_equal(a->strings.len, b->strings.len);
	for (i = 0; i < a->strings.len; i++)
		assert_string_equal(profile_string(a, i), profile_string(b, i));
	assert_int_equal(a->nframes, b->nframes);
	assert_memory_equal(a->frames, b->frames, a->nframes * sizeof(*a->frames));
	assert_int_equal(a->nnodes, b->nnodes);
	assert_memory_equal(a->nodes, b->nodes, a->nnodes * sizeof(*a->nodes));
	assert_int_equal(a->nlocations, b->nlocations);
	for (i = 0; i < a->nlocations; i++) {
		assert_int_equal(a->locations[i].frame, b->locations[i].frame);
		assert_int_equal(a->locations[i].offset, b->locations[i].offset);
	}
	assert_int_equal(a->nchains, b->nchains);
	assert_memory_equal(a->chains, b->chains, a->nchains * sizeof(*a->chains));
	assert_int_equal(a->nthreads, b->nthreads);
	for (i = 0; i < a->nthreads; i++) {
		assert_int_equal(a->threads[i].pid, b->threads[i].pid);
		assert_int_equal(a->threads[i].tid, b->threads[i].tid);
		assert_string_equal(profile_string(a, a->threads[i].comm),
				    profile_string(b, b->threads[i].comm));
	}
	assert_int_equal(a->nevents, b->nevents);
	for (i = 0; i < a->nevents; i++) {
		assert_string_equal(a->events[i].name, b->events[i].name);
		assert_string_equal(a->events[i].unit, b->events[i].unit);
	}
}

static void assert_same_meta(const struct profile_meta *a, const struct profile_meta *b)
{
	assert_string_equal(a->host, b->host);
	assert_string_equal(a->kernel, b->kernel);
	assert_string_equal(a->flametop_version, b->flametop_version);
	assert_string_equal(a->command_line, b->command_line);
	assert_string_equal(a->target, b->target);
	assert_string_equal(a->call_graph, b->call_graph);
	assert_int_equal(a->start_wall_ns, b->start_wall_ns);
	assert_int_equal(a->start_mono_ns, b->start_mono_ns);
	assert_int_equal(a->frequency, b->frequency);
	assert_int_equal(a->lost, b->lost);
	assert_int_equal(a->throttled, b->throttled);
	assert_int_equal(a->duration_ns, b->duration_ns);
}

static void assert_samples(const struct profile *p, const struct expect *e, size_t n)
{
	size_t i;

	assert_int_equal(p->nsamples, n);
	for (i = 0; i < n; i++) {
		const struct profile_sample *x = &p->samples[i], *y = &e->samples[i];

		/* Since 1.9 a session keeps times to the microsecond. */
		assert_int_equal(x->time, y->time / 1000 * 1000);
		assert_int_equal(x->weight, y->weight);
		assert_int_equal(x->node, y->node);
		assert_int_equal(x->pid, y->pid);
		assert_int_equal(x->tid, y->tid);
		assert_int_equal(x->cpu, y->cpu);
		assert_int_equal(x->event, y->event);
		assert_int_equal(x->location, y->location);
		assert_int_equal(x->chain, y->chain);
	}
}

/* The file's bytes. Caller frees. */
static unsigned char *slurp(const char *path, size_t *len)
{
	unsigned char *data = (unsigned char *)util_read_file(path, len);

	assert_non_null(data);
	return data;
}

/* Writes `len` bytes of `data` as the file `path`, replacing it. */
static void spill(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* Reads a buffer that must fail; returns the message (static). */
static const char *read_error(const void *data, size_t size)
{
	static struct ft_error err;
	struct profile *p;

	memset(&err, 0, sizeof(err));
	p = session_read_mem(data, size, "x.session", NULL, &err);
	if (p) {
		profile_free(p);
		fail_msg("expected an error, the session loaded");
	}
	return err.msg;
}

static void test_round_trip(void **state)
{
	struct session_read_info info;
	struct ft_error err = { 0 };
	struct expect e = { 0 };
	char *path = tmp_path("round.session");
	struct profile *w, *r;
	struct stat st;

	w = write_session(path, 4, 101, true, &e);
	r = session_read(path, &info, &err);
	assert_non_null(r);
	assert_same_model(w, r);
	assert_same_meta(&w->meta, &r->meta);
	assert_int_equal(r->meta.lost, 12);
	assert_int_equal(r->meta.throttled, 4);
	assert_samples(r, &e, e.n);
	assert_true(profile_has_chains(r));
	assert_true(r->nchains > 2);
	assert_true(info.complete);
	/* header, 4 x (data, tables, samples), end, and the chains chunks of
	 * the two flushes that make chains (not chunks 1 and 3) */
	assert_int_equal(info.chunks, 16);
	assert_int_equal(info.skipped_bytes, 0);
	assert_int_equal(info.version_major, SESSION_VERSION_MAJOR);
	assert_int_equal(info.version_minor, SESSION_VERSION_MINOR);

	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	profile_free(r);
	profile_free(w);
	free(e.samples);
	free(path);
}

/*
 * A pass that skips the samples (session_reader_skip_samples) builds the
 * whole model but the samples: the threads under their last names, the
 * tables, the end chunk's duration, without the end chunk's count of
 * samples held against it; a samples chunk is still checksummed.
 */
static void test_skip_samples(void **state)
{
	char *path = tmp_path("skip.session");
	struct session_read_info info;
	struct ft_error err = { 0 };
	struct expect e = { 0 };
	struct session_reader *sr;
	struct profile *w, *whole, *p;
	unsigned char *data;
	size_t len;

	w = write_session(path, 4, 101, true, &e);
	whole = session_read(path, NULL, &err);
	assert_non_null(whole);
	sr = session_reader_open(path, &err);
	assert_non_null(sr);
	session_reader_skip_samples(sr);
	p = session_reader_profile(sr);
	assert_int_equal(session_reader_step(sr, 1, &err), 0);
	assert_int_equal(p->nsamples, 0);
	assert_int_equal(session_reader_end(sr, &info, &err), 0);
	assert_true(info.complete);
	assert_int_equal(p->meta.duration_ns, whole->meta.duration_ns);
	assert_int_equal(p->nthreads, whole->nthreads);
	assert_int_equal(p->nnodes, whole->nnodes);
	assert_int_equal(p->nchains, whole->nchains);
	assert_string_equal(profile_string(p, p->threads[1].comm), "worker-renamed");
	session_reader_free(sr);

	/* A byte of the last samples chunk's payload flipped: refused. */
	data = slurp(path, &len);
	data[len - 200] ^= 0x10;
	spill(path, data, len);
	sr = session_reader_open(path, &err);
	assert_non_null(sr);
	session_reader_skip_samples(sr);
	assert_int_equal(session_reader_step(sr, 1, &err), -1);
	assert_non_null(strstr(err.msg, "checksum mismatch"));
	session_reader_free(sr);
	free(data);
	profile_free(whole);
	profile_free(w);
	free(e.samples);
	free(path);
}

/*
 * The reader a piece at a time (a replay's) gives what session_read()
 * gives: the same samples in the same order, step after step, the same
 * model and metadata at the end, for a complete file and one cut short.
 */
static void test_reader_steps(void **state)
{
	char *path = tmp_path("steps.session");
	int finish;

	for (finish = 0; finish < 2; finish++) {
		struct session_read_info info, sinfo;
		struct ft_error err = { 0 };
		struct expect e = { 0 };
		struct session_reader *sr;
		struct profile *w, *whole, *p;
		struct profile_sample *got = xreallocarray(NULL, 1000, sizeof(*got));
		size_t n = 0, steps = 0;
		int ret;

		w = write_session(path, 4, 101, finish, &e);
		whole = session_read(path, &info, &err);
		assert_non_null(whole);
		sr = session_reader_open(path, &err);
		assert_non_null(sr);
		/* The length without the samples: the end chunk's duration, or
		 * none for a recording that did not finish. */
		{
			uint64_t duration = 1;

			assert_int_equal(session_reader_scan(sr, &duration, &err), finish);
			assert_int_equal(duration, finish ? whole->meta.duration_ns : 0);
		}
		p = session_reader_profile(sr);
		/* The header chunk is read: the events and metadata are there. */
		assert_int_equal(p->nevents, whole->nevents);
		assert_string_equal(p->meta.host, whole->meta.host);
		assert_int_equal(p->nsamples, 0);
		do {
			ret = session_reader_step(sr, 50, &err);
			assert_true(ret >= 0);
			/* At least the 50 asked for, unless the file ended. */
			assert_true(ret == 0 || p->nsamples >= 50);
			assert_true(n + p->nsamples <= 1000);
			memcpy(got + n, p->samples, p->nsamples * sizeof(*got));
			n += p->nsamples;
			profile_clear_samples(p);
			steps++;
		} while (ret > 0);
		assert_true(steps >= 4);
		/* Past the end: nothing more. */
		assert_int_equal(session_reader_step(sr, 50, &err), 0);
		assert_int_equal(p->nsamples, 0);
		assert_int_equal(session_reader_end(sr, &sinfo, &err), 0);
		assert_int_equal(n, whole->nsamples);
		assert_memory_equal(got, whole->samples, n * sizeof(*got));
		assert_same_model(whole, p);
		assert_same_meta(&whole->meta, &p->meta);
		assert_int_equal(p->folded, whole->folded);
		assert_int_equal(sinfo.complete, finish);
		assert_int_equal(sinfo.complete, info.complete);
		assert_int_equal(sinfo.chunks, info.chunks);
		assert_true(session_reader_regular(sr));
		session_reader_free(sr);
		profile_free(whole);
		profile_free(w);
		free(got);
		free(e.samples);
	}
	/* A scan checks every chunk: a byte changed in the second chunk's
	 * payload (its checksum fails) is refused, said as a read says it. */
	{
		struct ft_error err = { 0 };
		struct session_reader *sr = session_reader_open(path, &err);
		size_t len;
		unsigned char *d = slurp(path, &len);
		char *bad = tmp_path("steps-bad.session");
		/* 16 bytes of file header, then chunks of a 16-byte header
		 * (type, clen, ulen, crc) and their payload. */
		size_t second;
		uint32_t clen;
		uint64_t duration;

		assert_non_null(sr);
		memcpy(&clen, d + 16 + 4, 4); /* the first chunk's (little-endian here) */
		second = 16 + 16 + clen;
		assert_true(second + 16 + 1 < len);
		d[second + 16] ^= 0x55;
		session_reader_free(sr);
		spill(bad, d, len);
		sr = session_reader_open(bad, &err);
		assert_non_null(sr);
		assert_int_equal(session_reader_scan(sr, &duration, &err), -1);
		assert_non_null(strstr(err.msg, "chunk 2 at offset"));
		assert_non_null(strstr(err.msg, "checksum mismatch"));
		session_reader_free(sr);
		free(d);
		free(bad);
	}
	/* Cut in its header chunk, or empty: refused at once, as by session_read(). */
	{
		struct ft_error err = { 0 };
		size_t len;
		unsigned char *d = slurp(path, &len);
		char *cut = tmp_path("steps-cut.session");

		spill(cut, d, 20);
		assert_null(session_reader_open(cut, &err));
		assert_non_null(strstr(err.msg, "truncated in the header chunk"));
		spill(cut, d, 0);
		assert_null(session_reader_open(cut, &err));
		assert_non_null(strstr(err.msg, "empty file"));
		free(d);
		free(cut);
	}
	free(path);
}

/* One flush of more samples than fit a chunk is split into several. */
static void test_big_flush(void **state)
{
	struct session_read_info info;
	struct ft_error err = { 0 };
	struct expect e = { 0 };
	char *path = tmp_path("big.session");
	struct profile *w, *r;

	w = write_session(path, 1, 150001, true, &e);
	r = session_read(path, &info, &err);
	assert_non_null(r);
	assert_same_model(w, r);
	assert_samples(r, &e, e.n);
	/* header, data, tables, chains, 3 samples chunks (65536 samples each at most), end */
	assert_int_equal(info.chunks, 8);
	profile_free(r);
	profile_free(w);
	free(e.samples);
	free(path);
}

/* Strings that are not UTF-8 (process names can be any bytes) still load. */
static void test_invalid_utf8(void **state)
{
	struct ft_error err = { 0 };
	char *path = tmp_path("utf8.session");
	struct session_writer *w;
	struct profile *p = base_profile(), *r;
	uint32_t f, n;
	struct profile_sample s = { .time = 1, .weight = 1 };

	f = profile_intern_frame(p, "bad\xff\xc0name", "caf\xc3\xa9", PROFILE_FRAME_USER);
	n = profile_intern_node(p, PROFILE_ROOT, f);
	s.node = n;
	profile_add_sample(p, &s);
	w = session_writer_open(path, false, &err);
	assert_non_null(w);
	assert_int_equal(session_writer_close(w, p), 0);
	r = session_read(path, NULL, &err);
	assert_non_null(r);
	assert_int_equal(r->nsamples, 1);
	assert_string_equal(profile_string(r, r->frames[r->nodes[r->samples[0].node].frame].name),
			    "bad\xef\xbf\xbd\xef\xbf\xbdname");
	assert_string_equal(profile_string(r, r->frames[0].module), "caf\xc3\xa9");
	profile_free(r);
	profile_free(p);
	free(path);
}

/*
 * Names with every character JSON must escape (quotes, backslashes, each
 * control character), slashes and DEL that it need not, and one longer
 * than a string may be (cut to 64 KiB), read back as they were written.
 */
static void test_escaped_strings(void **state)
{
	struct ft_error err = { 0 };
	char *path = tmp_path("escape.session");
	struct session_writer *w;
	struct profile *p = base_profile(), *r;
	struct profile_sample s = { .time = 1, .weight = 1 };
	char ctl[40], *longname = malloc(70000);
	const char *names[4];
	uint32_t f[4], node = PROFILE_ROOT, i;

	(void)state;
	assert_non_null(longname);
	for (i = 0; i < 31; i++)
		ctl[i] = (char)(i + 1);
	memcpy(ctl + 31, "\"\\/\x7f", 5);
	memset(longname, 'n', 69999);
	longname[69999] = '\0';
	names[0] = ctl;
	names[1] = "a \"quoted\" name\\ and C:\\path/to";
	names[2] = longname;
	names[3] = "";
	for (i = 0; i < 4; i++) {
		f[i] = profile_intern_frame(p, names[i], "/mod \"x\"", PROFILE_FRAME_USER);
		node = profile_intern_node(p, node, f[i]);
	}
	s.node = node;
	profile_add_sample(p, &s);
	profile_set_thread(p, 7, 7, "tab\there\nnl");
	w = session_writer_open(path, false, &err);
	assert_non_null(w);
	assert_int_equal(session_writer_close(w, p), 0);
	r = session_read(path, NULL, &err);
	assert_non_null(r);
	assert_int_equal(r->nframes, p->nframes);
	assert_string_equal(profile_string(r, r->frames[f[0]].name), ctl);
	assert_string_equal(profile_string(r, r->frames[f[1]].name), names[1]);
	assert_int_equal(strlen(profile_string(r, r->frames[f[2]].name)), 64 << 10);
	assert_string_equal(profile_string(r, r->frames[f[3]].name), "");
	assert_string_equal(profile_string(r, r->frames[f[0]].module), "/mod \"x\"");
	assert_string_equal(profile_string(r, profile_find_thread(r, 7)->comm), "tab\there\nnl");
	profile_free(r);
	profile_free(p);
	free(longname);
	free(path);
}

static void test_existing_file(void **state)
{
	struct ft_error err = { 0 };
	char *path = tmp_path("exists.session");
	struct session_writer *w;
	struct profile *p = base_profile(), *r;
	char *msg;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "precious", 8), 8);
	close(fd);

	assert_null(session_writer_open(path, false, &err));
	msg = xasprintf("%s: file exists (use --force to replace it)", path);
	assert_string_equal(err.msg, msg);
	free(msg);
	w = session_writer_open(path, true, &err);
	assert_non_null(w);
	assert_int_equal(session_writer_close(w, p), 0);
	r = session_read(path, NULL, &err);
	assert_non_null(r);
	profile_free(r);
	profile_free(p);
	free(path);
}

static void test_symlink_and_dir(void **state)
{
	struct ft_error err = { 0 };
	char *target = tmp_path("target"), *link = tmp_path("link.session");
	char *dangling = tmp_path("dangling.session"), *dir = tmp_path("dir.session");
	char *msg;
	struct stat st;

	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(symlink("nowhere", dangling), 0);
	assert_int_equal(mkdir(dir, 0700), 0);

	assert_null(session_writer_open(link, true, &err));
	msg = xasprintf("%s: is a symbolic link (refusing to follow it)", link);
	assert_string_equal(err.msg, msg);
	free(msg);
	assert_null(session_writer_open(dangling, false, &err));
	assert_null(session_writer_open(dangling, true, &err));
	assert_int_equal(lstat(target, &st), -1); /* nothing created through the link */
	assert_int_equal(lstat(dangling, &st), 0);
	assert_true(S_ISLNK(st.st_mode));

	assert_null(session_writer_open(dir, true, &err));
	msg = xasprintf("%s: is a directory", dir);
	assert_string_equal(err.msg, msg);
	free(msg);
	assert_null(session_writer_open("/nonexistent-dir/x.session", false, &err));
	assert_string_equal(err.msg, "/nonexistent-dir/x.session: No such file or directory");
	free(target);
	free(link);
	free(dangling);
	free(dir);
}

static void test_mode_0600(void **state)
{
	struct ft_error err = { 0 };
	char *path = tmp_path("mode.session");
	struct session_writer *w;
	mode_t old = umask(0);
	struct stat st;

	w = session_writer_open(path, false, &err);
	umask(old);
	assert_non_null(w);
	session_writer_abort(w);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	free(path);
}

static void test_read_errors(void **state)
{
	struct ft_error err = { 0 };
	unsigned char hdr[16] = "FLAMETOP";
	char *path = tmp_path("missing.session");
	char *msg = xasprintf("%s: No such file or directory", path);

	assert_string_equal(read_error("", 0), "x.session: empty file");
	assert_string_equal(read_error("hello world, not a session\n", 27),
			    "x.session: not a flametop session (bad magic)");
	assert_string_equal(read_error("FLAM", 4), "x.session: truncated in the file header");
	assert_string_equal(read_error("FLAMETOP\1", 9), "x.session: truncated in the file header");
	hdr[8] = 1;
	assert_string_equal(read_error(hdr, 16), "x.session: truncated in the header chunk");
	assert_null(session_read(path, NULL, &err));
	assert_string_equal(err.msg, msg);
	assert_null(session_read(tmpdir, NULL, &err));
	assert_non_null(strstr(err.msg, ": is a directory"));
	free(msg);
	free(path);
}

/* A file its writer still holds (the flock a session writer takes) that
 * has nothing to read yet: said to be still being recorded, not cut
 * short; once the lock is gone, cut short again. */
static void test_read_while_recorded(void **state)
{
	static const struct {
		const char *data;
		size_t len;
		const char *cut;
	} cases[] = {
		{ "", 0, "empty file" },
		{ "FLAMETOP\1", 9, "truncated in the file header" },
		{ "FLAMETOP\1\0\0\0\0\0\0\0", 16, "truncated in the header chunk" },
	};
	char *path = tmp_path("recorded.session"), *msg;
	struct ft_error err = { 0 };
	size_t i;
	int fd;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, cases[i].data, cases[i].len), (ssize_t)cases[i].len);
		assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
		assert_null(session_read(path, NULL, &err));
		msg = xasprintf("%s: still being recorded, and nothing written yet (the first "
				"samples come a second or so after it starts)",
				path);
		assert_string_equal(err.msg, msg);
		free(msg);
		close(fd);
		assert_null(session_read(path, NULL, &err));
		msg = xasprintf("%s: %s", path, cases[i].cut);
		assert_string_equal(err.msg, msg);
		free(msg);
	}
	unlink(path);
	free(path);
}

/* A small complete session in memory, for the damage tests. */
static unsigned char *small_session(size_t *len, struct expect *e)
{
	char *path = tmp_path("small.session");
	unsigned char *data;

	profile_free(write_session(path, 3, 5, true, e));
	data = slurp(path, len);
	free(path);
	return data;
}

/* The little-endian 32-bit value at `b`. */
static uint32_t get_le32(const unsigned char *b)
{
	return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
}

/*
 * The lengths in the 16-byte header of the chunk at `c`: its payload as
 * stored (compressed) in *stored, and decompressed in *plain.
 */
static void chunk_lengths(const unsigned char *c, uLong *stored, uLongf *plain)
{
	*stored = get_le32(c + 4);
	*plain = get_le32(c + 8);
}

/* Offsets of each chunk in a well-formed buffer; returns how many. */
static size_t chunk_offsets(const unsigned char *d, size_t len, size_t *offs, size_t max)
{
	size_t off = 16, n = 0;

	while (off + 16 <= len && n < max) {
		uint32_t clen = get_le32(d + off + 4);

		offs[n++] = off;
		off += 16 + clen;
	}
	return n;
}

/* An unsigned LEB128 varint at *p (within `end`), advancing *p. */
static uint64_t get_varint(const unsigned char **p, const unsigned char *end)
{
	uint64_t v = 0;
	unsigned shift = 0;

	while (*p < end && shift < 64) {
		unsigned char c = *(*p)++;

		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return v;
		shift += 7;
	}
	fail_msg("varint cut short");
	return 0;
}

/*
 * Column `col` of the samples block `b` (`len` bytes, decompressed): its
 * values' bytes, with their encoding in *enc and the block's sample count
 * in *n; NULL when the block has no such column.
 */
static const unsigned char *block_column(const unsigned char *b, size_t len, uint64_t col,
					 unsigned *enc, uint64_t *n)
{
	const unsigned char *q = b, *end = b + len;
	uint64_t i, nthreads;

	*n = get_varint(&q, end);
	nthreads = get_varint(&q, end);
	for (i = 0; i < 2 * nthreads; i++)
		get_varint(&q, end);
	while (q < end) {
		uint64_t id = get_varint(&q, end);
		unsigned e = *q++;
		uint64_t clen = get_varint(&q, end);

		if (id == col) {
			*enc = e;
			return q;
		}
		q += clen;
	}
	return NULL;
}

/*
 * The encoding (0 varints, 1 byte planes, 2 constant) of column `col` of
 * the first samples chunk of the file `path`; 99 when that block has no
 * such column.
 */
static unsigned column_encoding(const char *path, uint64_t col)
{
	size_t len, offs[64], n, k;
	unsigned char *d = slurp(path, &len);
	unsigned enc = 99;

	n = chunk_offsets(d, len, offs, ARRAY_SIZE(offs));
	for (k = 0; k < n; k++) {
		const unsigned char *c = d + offs[k];
		uLongf ulen;
		uLong clen;
		unsigned char *b;
		uint64_t nsamples;

		chunk_lengths(c, &clen, &ulen);
		if (c[0] != 4)
			continue;
		b = xmalloc(ulen);
		assert_int_equal(uncompress(b, &ulen, c + 16, clen), Z_OK);
		if (!block_column(b, ulen, col, &enc, &nsamples))
			enc = 99;
		free(b);
		break;
	}
	free(d);
	return enc;
}

/*
 * The `max` values at most of column `col` of the samples chunk `which`
 * (from 0) of the file `path`, stored as varints, into `out`; returns how
 * many.
 */
static size_t column_varints(const char *path, uint64_t col, size_t which, uint64_t *out,
			     size_t max)
{
	size_t len, offs[64], n, k, got = 0;
	unsigned char *d = slurp(path, &len);

	n = chunk_offsets(d, len, offs, ARRAY_SIZE(offs));
	for (k = 0; k < n; k++) {
		const unsigned char *c = d + offs[k], *q;
		uLongf ulen;
		uLong clen;
		unsigned char *b;
		uint64_t nsamples;
		unsigned enc;

		chunk_lengths(c, &clen, &ulen);
		if (c[0] != SESSION_CHUNK_SAMPLES || which-- > 0)
			continue;
		b = xmalloc(ulen);
		assert_int_equal(uncompress(b, &ulen, c + 16, clen), Z_OK);
		q = block_column(b, ulen, col, &enc, &nsamples);
		assert_non_null(q);
		assert_int_equal(enc, SESSION_ENC_VARINT);
		assert_true(nsamples <= max);
		for (got = 0; got < nsamples; got++)
			out[got] = get_varint(&q, b + ulen);
		free(b);
		break;
	}
	free(d);
	return got;
}

/* The encoding of the node column (13) of the first samples chunk of `path`. */
static unsigned node_column_encoding(const char *path)
{
	unsigned enc = column_encoding(path, SESSION_COL_NODE_LEAF);

	assert_int_not_equal(enc, 99);
	return enc;
}

/*
 * The node column (each sample's leaf; since 1.11 column 13's codes) is
 * stored as varints or as byte planes, whichever is smaller: planes for
 * leaves drawn at random from thousands, and for codes of one byte from
 * 128 up (varints take two); varints below 128 (the same bytes, and what
 * every reader knows). Every sample reads back as written.
 */
static void test_node_column(void **state)
{
	static const unsigned nleaves[] = { 4096, 200, 20 };
	static const unsigned expect_enc[] = { 1, 1, 0 };
	struct ft_error err = { 0 };
	char *path = tmp_path("nodes.session");
	unsigned t;

	for (t = 0; t < ARRAY_SIZE(nleaves); t++) {
		struct profile *p = base_profile(), *r;
		struct session_writer *w;
		uint32_t *leaf = xcalloc(nleaves[t], sizeof(*leaf));
		struct expect e = { 0 };
		uint64_t x = 12345;
		char name[32];
		size_t i;

		profile_set_thread(p, 7, 7, "app");
		for (i = 0; i < nleaves[t]; i++) {
			snprintf(name, sizeof(name), "fn_%zu", i);
			leaf[i] = profile_intern_node(
				p, PROFILE_ROOT,
				profile_intern_frame(p, name, "/bin/app", PROFILE_FRAME_USER));
		}
		e.samples = xcalloc(20000, sizeof(*e.samples));
		for (i = 0; i < 20000; i++) {
			struct profile_sample s = { .time = i * 1000 + 1, .weight = 1000,
						    .pid = 7, .tid = 7 };

			x = x * 6364136223846793005u + 1442695040888963407u;
			s.node = leaf[(x >> 33) % nleaves[t]];
			profile_add_sample(p, &s);
			e.samples[e.n++] = s;
		}
		w = session_writer_open(path, true, &err);
		assert_non_null(w);
		assert_int_equal(session_writer_begin(w, p), 0);
		assert_int_equal(session_writer_close(w, p), 0);
		assert_int_equal(node_column_encoding(path), expect_enc[t]);
		r = session_read(path, NULL, &err);
		assert_non_null(r);
		assert_samples(r, &e, e.n);
		profile_free(r);
		profile_free(p);
		free(e.samples);
		free(leaf);
	}
	free(path);
}

/*
 * Format 1.9's times: a system-wide cpu-clock recording at 999 Hz of two
 * busy CPUs, each sample some microseconds late on its timer (interrupt
 * latency, here drawn from 0 to 20 us), takes under 1.25 bytes a sample
 * in the file (1.8's column 1, nanosecond deltas between the CPUs'
 * interleaved samples, took over 2); the times come back to the
 * microsecond, in order.
 */
static void test_time_column_bytes(void **state)
{
	const uint64_t period = 1001001, n = 20000;
	struct ft_error err = { 0 };
	struct expect e = { 0 };
	char *path = tmp_path("times.session");
	struct profile *p = base_profile(), *r;
	struct session_writer *w;
	uint64_t x = 12345, i;
	uint32_t leaf;
	struct stat st;

	profile_set_thread(p, 7, 7, "app");
	leaf = profile_intern_node(p, PROFILE_ROOT,
				   profile_intern_frame(p, "spin", "/bin/app", PROFILE_FRAME_USER));
	e.samples = xcalloc(n, sizeof(*e.samples));
	for (i = 0; i < n; i++) {
		struct profile_sample s = { .weight = period, .node = leaf, .pid = 7, .tid = 7,
					    .cpu = (uint16_t)(i % 2), .event = 1 };

		x = x * 6364136223846793005u + 1442695040888963407u;
		/* CPU 1's timer half a period after CPU 0's. */
		s.time = i / 2 * period + i % 2 * (period / 2) + (x >> 33) % 20000;
		profile_add_sample(p, &s);
		e.samples[e.n++] = s;
	}
	w = session_writer_open(path, true, &err);
	assert_non_null(w);
	assert_int_equal(session_writer_begin(w, p), 0);
	assert_int_equal(session_writer_close(w, p), 0);
	assert_int_equal(stat(path, &st), 0);
	print_message("# %.2f bytes a sample\n", (double)st.st_size / (double)n);
	assert_true((uint64_t)st.st_size * 4 < n * 5);
	r = session_read(path, NULL, &err);
	assert_non_null(r);
	assert_samples(r, &e, e.n);
	profile_free(r);
	profile_free(p);
	free(e.samples);
	free(path);
}

/* The bytes of the session `p` written to `path`. */
static uint64_t written_size(struct profile *p, const char *path)
{
	struct ft_error err = { 0 };
	struct session_writer *w;
	struct stat st;

	w = session_writer_open(path, true, &err);
	assert_non_null(w);
	assert_int_equal(session_writer_begin(w, p), 0);
	assert_int_equal(session_writer_close(w, p), 0);
	assert_int_equal(stat(path, &st), 0);
	return (uint64_t)st.st_size;
}

/*
 * Issue 14: on many distinct stacks about half the samples name a leaf no
 * sample named before, whose id column 3 spells whole. 20,000 samples,
 * half of them on a new stack of 1 to 3 new frames, the others on a
 * random stack seen before: the node column (the file's size less that
 * of the same samples all on one leaf) takes under 1.27 bytes a sample
 * (column 3 took 1.62; column 11, which spells an old leaf's node id among
 * all the nodes, 1.31; column 13, its place among the leaves, 1.22).
 */
static void test_node_column_bytes(void **state)
{
	const uint64_t n = 20000;
	struct ft_error err = { 0 };
	struct expect e = { 0 };
	char *path = tmp_path("nodes.session");
	struct profile *p = base_profile(), *r;
	uint32_t *leaves = xcalloc(n, sizeof(*leaves)), nleaves = 0;
	uint64_t x = 12345, i, with, without;
	char name[32];

	profile_set_thread(p, 7, 7, "app");
	e.samples = xcalloc(n, sizeof(*e.samples));
	for (i = 0; i < n; i++) {
		struct profile_sample s = { .time = i * 1000000, .weight = 1000000, .pid = 7,
					    .tid = 7, .event = 1 };

		x = x * 6364136223846793005u + 1442695040888963407u;
		if (nleaves == 0 || (x >> 40) % 2) {
			uint32_t node = PROFILE_ROOT, d, depth = 1 + (uint32_t)(x >> 50) % 3;

			for (d = 0; d < depth; d++) {
				snprintf(name, sizeof(name), "f%u_%u", (unsigned)i, d);
				node = profile_intern_node(
					p, node,
					profile_intern_frame(p, name, "/bin/app", PROFILE_FRAME_USER));
			}
			leaves[nleaves++] = node;
			s.node = node;
		} else {
			s.node = leaves[(x >> 33) % nleaves];
		}
		profile_add_sample(p, &s);
		e.samples[e.n++] = s;
	}
	with = written_size(p, path);
	r = session_read(path, NULL, &err);
	assert_non_null(r);
	assert_samples(r, &e, e.n);
	profile_free(r);
	for (i = 0; i < n; i++)
		p->samples[i].node = leaves[0];
	without = written_size(p, path);
	print_message("# node column: %.2f bytes a sample\n",
		      (double)(with - without) / (double)n);
	assert_true(with > without && (with - without) * 100 < n * 127);
	profile_free(p);
	free(leaves);
	free(e.samples);
	free(path);
}

/*
 * Column 13 (1.11) codes each leaf as doc/session-format.md says: a node
 * past every one named as 2 (node - next), one named before as 2 k + 1 (k
 * its place among the leaves named, in the order first named), one below
 * `next` named for the first time (a caller before, or the root) as
 * 2 (leaves + node) + 1; the state carries on to the next block, and
 * every sample reads back on its node.
 */
static void test_leaf_column(void **state)
{
	static const uint64_t first[] = { 4, 1, 5, 0, 3, 7, 5 }, second[] = { 1, 3 };
	struct ft_error err = { 0 };
	char *path = tmp_path("leaves.session");
	struct session_writer *w;
	struct profile *p = base_profile(), *r;
	uint32_t main_fn, work_fn, idle_fn, m, wk, o;
	uint64_t codes[8];
	size_t i;

	main_fn = profile_intern_frame(p, "main", "/usr/bin/app", PROFILE_FRAME_USER);
	work_fn = profile_intern_frame(p, "work", "/usr/bin/app", PROFILE_FRAME_USER);
	idle_fn = profile_intern_frame(p, "idle", "/usr/bin/app", PROFILE_FRAME_USER);
	m = profile_intern_node(p, PROFILE_ROOT, main_fn);
	wk = profile_intern_node(p, m, work_fn);
	o = profile_intern_node(p, PROFILE_ROOT, idle_fn);
	assert_int_equal(m, 1);
	assert_int_equal(wk, 2);
	assert_int_equal(o, 3);
	profile_set_thread(p, 7, 7, "app");
	w = session_writer_open(path, true, &err);
	assert_non_null(w);
	assert_int_equal(session_writer_begin(w, p), 0);
	{
		/* work new (next 0): 4; again: leaf 0; main, a caller, below
		 * next 3 and new: 2 (1 + 1) + 1; idle, next: 0; main: leaf 1;
		 * the root: 2 (3 + 0) + 1; idle: leaf 2. */
		static const uint32_t nodes[] = { 2, 2, 1, 3, 1, 0, 3 };

		for (i = 0; i < ARRAY_SIZE(nodes); i++) {
			struct profile_sample s = { .time = (i + 1) * 1000000, .weight = 1,
						    .node = nodes[i], .pid = 7, .tid = 7 };

			profile_add_sample(p, &s);
		}
	}
	assert_int_equal(session_writer_flush(w, p), 0);
	profile_clear_samples(p);
	{
		/* The next block goes on from the leaves named: work, main. */
		struct profile_sample s = { .time = 9000000, .weight = 1, .node = wk, .pid = 7,
					    .tid = 7 };

		profile_add_sample(p, &s);
		s.time++;
		s.node = m;
		profile_add_sample(p, &s);
	}
	assert_int_equal(session_writer_close(w, p), 0);
	assert_int_equal(column_varints(path, SESSION_COL_NODE_LEAF, 0, codes, 8), 7);
	for (i = 0; i < ARRAY_SIZE(first); i++)
		assert_int_equal(codes[i], first[i]);
	assert_int_equal(column_varints(path, SESSION_COL_NODE_LEAF, 1, codes, 8), 2);
	for (i = 0; i < ARRAY_SIZE(second); i++)
		assert_int_equal(codes[i], second[i]);
	r = session_read(path, NULL, &err);
	assert_non_null(r);
	assert_int_equal(r->nsamples, 9);
	{
		static const char *const names[] = { "work", "work", "main", "idle", "main",
						     NULL,   "idle", "work", "main" };

		for (i = 0; i < 9; i++) {
			uint32_t f = r->nodes[r->samples[i].node].frame;

			if (!names[i])
				assert_int_equal(r->samples[i].node, PROFILE_ROOT);
			else
				assert_string_equal(profile_string(r, r->frames[f].name), names[i]);
		}
	}
	profile_free(r);
	profile_free(p);
	free(path);
}

/*
 * session_put_varints(), the writer's bulk encoder of a column, writes
 * the very bytes of session_put_varint() of each value in turn (the
 * format's varints): at the edges of each length, and in runs that mix
 * values of one byte with longer ones.
 */
static void test_put_varints(void **state)
{
	static const uint64_t edges[] = { 0,
					  1,
					  0x7f,
					  0x80,
					  0xff,
					  0x100,
					  0x3fff,
					  0x4000,
					  UINT64_C(0x1fffff),
					  UINT64_C(0x200000),
					  UINT64_C(0xffffffff),
					  UINT64_C(0x100000000),
					  INT64_MAX,
					  (uint64_t)INT64_MAX + 1,
					  UINT64_MAX };
	uint64_t v[600], x = 12345;
	unsigned char bulk[600 * SESSION_VARINT_MAX], each[600 * SESSION_VARINT_MAX];
	size_t n, i, len;

	for (n = 0; n <= ARRAY_SIZE(v); n += n < 20 ? 1 : 97) {
		for (i = 0; i < n; i++) {
			x = x * 6364136223846793005u + 1442695040888963407u;
			/* Edges, small values, and values of every length. */
			if (i < ARRAY_SIZE(edges))
				v[i] = edges[i];
			else if ((x >> 61) < 4)
				v[i] = (x >> 20) % 0x80;
			else
				v[i] = x >> (x >> 58);
		}
		len = 0;
		for (i = 0; i < n; i++)
			len += session_put_varint(each + len, v[i]);
		memset(bulk, 0xaa, sizeof(bulk));
		assert_int_equal(session_put_varints(bulk, v, n), len);
		if (len)
			assert_memory_equal(bulk, each, len);
	}
}

/*
 * How many byte planes of the weight column (2) of the samples block
 * `b` (`len` bytes) are stored in its chunk's compressed bytes `z` as
 * they are: the planes of noise (looks_random() in the writer), which
 * deflate would only spend time on.
 */
static unsigned stored_planes(const unsigned char *b, size_t len, const unsigned char *z,
			      size_t zlen)
{
	const unsigned char *col;
	unsigned enc = 99, found = 0;
	uint64_t n, i;

	col = block_column(b, len, SESSION_COL_WEIGHT, &enc, &n);
	assert_non_null(col);
	assert_int_equal(enc, SESSION_ENC_PLANES);
	for (i = 0; i < col[0]; i++)
		found += memmem(z, zlen, col + 1 + i * n, n) != NULL;
	return found;
}

/*
 * What the writer writes, byte for byte before compression (zlib still
 * counts: a trial deflate picks the node column's coding, and another
 * zlib may pick another), for a fixed recording that takes every coding of
 * a samples block: byte planes and varints for the node column (4096
 * leaves at random, then 40), planes with noisy low bytes for jittered
 * weights (their two noisy planes stored as they are, the third
 * deflated) and times, a constant event; and each leaf's code location
 * and chain, the chains following the call tree's paths (a chains
 * chunk's codes of every kind). A change that makes the writer faster
 * must not change these bytes; a deliberate change of the format updates
 * the checksum below.
 */
static void test_written_bytes(void **state)
{
	struct ft_error err = { 0 };
	char *path = tmp_path("bytes.session");
	struct profile *p = base_profile();
	struct session_writer *w;
	uint32_t *leaf = xcalloc(4096, sizeof(*leaf)), *chain = xcalloc(4096, sizeof(*chain));
	uint64_t x = 12345, t = 1000;
	size_t len, offs[256], n, k, i;
	unsigned char *d;
	uLong crc = crc32(0, Z_NULL, 0);
	char name[32];
	unsigned flush;

	profile_set_thread(p, 7, 7, "app");
	profile_set_thread(p, 7, 8, "worker");
	for (i = 0; i < 4096; i++) {
		uint32_t f;

		snprintf(name, sizeof(name), "fn_%zu", i);
		f = profile_intern_frame(p, name, "/bin/app", PROFILE_FRAME_USER);
		leaf[i] = profile_intern_node(p, i % 2 ? leaf[i / 2] : PROFILE_ROOT, f);
		chain[i] = profile_intern_chain(p, i % 2 ? chain[i / 2] : PROFILE_NO_CHAIN,
						profile_intern_location(p, f, 0x100 + i % 3 * 8));
	}
	w = session_writer_open(path, true, &err);
	assert_non_null(w);
	assert_int_equal(session_writer_begin(w, p), 0);
	for (flush = 0; flush < 2; flush++) {
		for (i = 0; i < 20000; i++) {
			struct profile_sample s = { .pid = 7,
						    .tid = 7 + (uint32_t)(i % 3 == 0),
						    .cpu = (uint16_t)(i % 2) };

			x = x * 6364136223846793005u + 1442695040888963407u;
			k = flush ? (x >> 33) % 40 * 100 : (x >> 33) % 4096;
			s.node = leaf[k];
			s.chain = chain[k];
			s.location = p->chains[chain[k]].location;
			s.weight = 1000000 + (x >> 20) % 65536;
			t += 500000 + (x >> 40) % 4096;
			s.time = t;
			profile_add_sample(p, &s);
		}
		flush_chunk(w, p);
	}
	assert_int_equal(session_writer_close(w, p), 0);
	d = slurp(path, &len);
	n = chunk_offsets(d, len, offs, ARRAY_SIZE(offs));
	for (k = 0; k < n; k++) {
		const unsigned char *c = d + offs[k];
		uLongf ulen;
		uLong clen;
		unsigned char *b;

		chunk_lengths(c, &clen, &ulen);
		b = xmalloc(ulen);
		assert_int_equal(uncompress(b, &ulen, c + 16, clen), Z_OK);
		crc = crc32(crc, c, 4); /* the chunk's type */
		crc = crc32(crc, b, (uInt)ulen);
		if (c[0] == SESSION_CHUNK_SAMPLES)
			assert_int_equal(stored_planes(b, ulen, c + 16, clen), 2);
		free(b);
	}
	print_message("# %zu chunks, payloads' crc32 %08lx\n", n, crc);
	assert_int_equal(n, 7); /* header, data, tables, chains, 2 samples, end */
	assert_int_equal(crc, 0x2bcd5256);
	free(d);
	free(leaf);
	free(chain);
	profile_free(p);
	free(path);
}

/*
 * Each samples column's zlib strategy follows what the column is like
 * (struct strategy_memo in the writer): threads at random, of which
 * matching makes more bytes than their two bits each, are coded with
 * Huffman codes alone, and back to matching within 16 chunks when the
 * same threads come in long runs, which matching shrinks far below a bit
 * each. Every other column is the same in each chunk, so a samples
 * chunk's bytes are the thread column's and about 180 more.
 */
static void test_column_strategy(void **state)
{
	struct ft_error err = { 0 };
	char *path = tmp_path("strategy.session");
	struct profile *p = base_profile();
	struct session_read_info info;
	struct session_writer *w;
	struct profile *rp;
	uint32_t leaf;
	uint64_t x = 4242, t = 1000;
	size_t len, offs[128], n, k, i, samples = 0, random_bytes = 0, runs_bytes = 0;
	unsigned char *d;
	unsigned flush;

	(void)state;
	for (i = 0; i < 4; i++)
		profile_set_thread(p, 7, 7 + (uint32_t)i, "app");
	leaf = profile_intern_node(p, PROFILE_ROOT,
				   profile_intern_frame(p, "main", "/bin/app", PROFILE_FRAME_USER));
	w = session_writer_open(path, true, &err);
	assert_non_null(w);
	assert_int_equal(session_writer_begin(w, p), 0);
	/* 20 chunks of threads at random, then 40 of runs of 512. */
	for (flush = 0; flush < 60; flush++) {
		for (i = 0; i < 4096; i++) {
			struct profile_sample s = { .pid = 7, .node = leaf, .weight = 1000000 };

			x = x * 6364136223846793005u + 1442695040888963407u;
			s.tid = 7 + (uint32_t)(flush < 20 ? x >> 62 : (i / 512 + flush) % 4);
			t += 1000000;
			s.time = t;
			profile_add_sample(p, &s);
		}
		flush_chunk(w, p);
	}
	assert_int_equal(session_writer_close(w, p), 0);
	d = slurp(path, &len);
	n = chunk_offsets(d, len, offs, ARRAY_SIZE(offs));
	for (k = 0; k < n; k++) {
		const unsigned char *c = d + offs[k];
		size_t clen = get_le32(c + 4);

		if (c[0] != SESSION_CHUNK_SAMPLES)
			continue;
		/* The random ones after the first, which sets the
		 * strategy (as every 16th checks it again), and the runs
		 * after the strategy changed back (at most 16 in). */
		if (samples >= 1 && samples < 20)
			random_bytes += clen;
		else if (samples >= 20 + 16)
			runs_bytes += clen;
		samples++;
	}
	print_message("# random threads %zu bytes a chunk, runs %zu\n", random_bytes / 19,
		      runs_bytes / 24);
	assert_int_equal(samples, 60);
	/* Huffman codes: 1024 bytes of two bits each, the rest about 180
	 * (level 1's chance matches made 1450; Z_FILTERED 1235). */
	assert_true(random_bytes / 19 < 1300);
	/* Matching: far less than a bit each (Huffman codes' least). */
	assert_true(runs_bytes / 24 < 4096 / 8 / 2);
	/* And they read back, whatever their strategy. */
	rp = session_read(path, &info, &err);
	assert_non_null(rp);
	assert_int_equal(rp->nsamples, 60 * 4096);
	x = 4242;
	for (flush = 0, k = 0; flush < 60; flush++) {
		for (i = 0; i < 4096; i++, k++) {
			x = x * 6364136223846793005u + 1442695040888963407u;
			assert_int_equal(rp->samples[k].tid,
					 7 + (flush < 20 ? x >> 62 : (i / 512 + flush) % 4));
		}
	}
	profile_free(rp);
	free(d);
	profile_free(p);
	free(path);
}

/*
 * Adds counts[0] nodes (each under a node before it, or the root, in one
 * of counts[3] functions), counts[1] locations and counts[2] chains (each
 * under a chain before it) at random, as a recording of many distinct
 * stacks makes them, and 2000 samples of nodes at random, of jittered
 * weights (a samples block of several parts).
 */
static void add_random_tables(struct profile *p, uint64_t *x, const uint32_t *counts)
{
	struct profile_sample s = { .pid = 7, .tid = 7, .time = (uint64_t)p->nnodes * 1000000000 };
	uint32_t nodes = counts[0], locations = counts[1], chains = counts[2], names = counts[3];
	uint32_t node = PROFILE_ROOT, i, from;
	char name[32];

	for (from = p->nnodes, i = 0; p->nnodes < from + nodes; i++) {
		*x = *x * 6364136223846793005u + 1442695040888963407u;
		snprintf(name, sizeof(name), "fn_%u", (unsigned)(*x >> 40) % names);
		node = profile_intern_node(p, i % 4 ? node : (uint32_t)((*x >> 20) % p->nnodes),
					   profile_intern_frame(p, name,
								i % 3 ? "/bin/app"
								      : "/lib/libc.so.6",
								PROFILE_FRAME_USER));
	}
	for (from = p->nlocations; p->nlocations < from + locations;) {
		*x = *x * 6364136223846793005u + 1442695040888963407u;
		profile_intern_location(p, (uint32_t)((*x >> 33) % p->nframes),
					(*x >> 40) % 100000);
	}
	for (from = p->nchains; p->nchains < from + chains;) {
		*x = *x * 6364136223846793005u + 1442695040888963407u;
		profile_intern_chain(p,
				     p->nchains > 1 && *x >> 63
					     ? (uint32_t)((*x >> 20) % p->nchains)
					     : 0,
				     1 + (uint32_t)((*x >> 40) % (p->nlocations - 1)));
	}
	for (i = 0; i < 2000; i++) {
		*x = *x * 6364136223846793005u + 1442695040888963407u;
		s.time += 500000 + (*x >> 40) % 4096;
		s.weight = 1000000 + (*x >> 20) % 65536;
		s.node = (uint32_t)((*x >> 33) % p->nnodes);
		profile_add_sample(p, &s);
	}
}

/* The bytes of the zlib stream of `b` (`len` bytes) deflated whole. */
static size_t deflated_size(const unsigned char *b, size_t len, int level, int strategy)
{
	unsigned char out[1 << 16];
	z_stream zs = { 0 };
	size_t n = 0;
	int zr;

	assert_int_equal(deflateInit2(&zs, level, Z_DEFLATED, 15, 8, strategy), Z_OK);
	zs.next_in = (Bytef *)b;
	zs.avail_in = (uInt)len;
	do {
		zs.next_out = out;
		zs.avail_out = sizeof(out);
		zr = deflate(&zs, Z_FINISH);
		assert_true(zr == Z_OK || zr == Z_STREAM_END);
		n += sizeof(out) - zs.avail_out;
	} while (zr != Z_STREAM_END);
	deflateEnd(&zs);
	return n;
}

/*
 * The tables and names read back as written, though the writer deflates
 * each column of a tables block on its own (encode_tables() in
 * writer.c), and a data chunk's strings, frames and threads each in
 * parts of their own (plan_chunk()): in flushes that make every kind,
 * nodes alone (no locations or chains: empty columns), chains alone,
 * nothing, new names, and a few nodes, after samples blocks of parts of
 * their own. A small tables block (the few nodes) is deflated whole.
 */
static void test_tables_round_trip(void **state)
{
	/* Nodes, locations, chains, and functions they are in. */
	static const uint32_t flushes[][4] = {
		{ 6000, 3000, 6000, 500 }, { 2000, 0, 0, 500 },	    { 0, 0, 3000, 500 },
		{ 0, 0, 0, 500 },	   { 3000, 100, 10, 2000 }, { 30, 0, 0, 2000 },
	};
	struct ft_error err = { 0 };
	char *path = tmp_path("columns.session");
	struct profile *p = base_profile(), *r;
	struct session_writer *w;
	uint64_t x = 99;
	size_t len, offs[64], n, k, i, tables = 0, data = 0, chains = 0;
	unsigned char *d;

	profile_set_thread(p, 7, 7, "app");
	w = session_writer_open(path, true, &err);
	assert_non_null(w);
	assert_int_equal(session_writer_begin(w, p), 0);
	for (i = 0; i < ARRAY_SIZE(flushes); i++) {
		add_random_tables(p, &x, flushes[i]);
		flush_chunk(w, p);
	}
	assert_int_equal(session_writer_close(w, p), 0);

	r = session_read(path, NULL, &err);
	assert_non_null(r);
	assert_same_model(p, r);
	assert_int_equal(r->nsamples, ARRAY_SIZE(flushes) * 2000);

	d = slurp(path, &len);
	n = chunk_offsets(d, len, offs, ARRAY_SIZE(offs));
	for (k = 0; k < n; k++) {
		const unsigned char *c = d + offs[k];
		uLongf ulen, whole;
		uLong clen;
		unsigned char *b;
		size_t filtered = 0;

		chunk_lengths(c, &clen, &ulen);
		chains += c[0] == SESSION_CHUNK_CHAINS;
		if (c[0] != SESSION_CHUNK_TABLES && c[0] != SESSION_CHUNK_DATA)
			continue;
		b = xmalloc(ulen);
		assert_int_equal(uncompress(b, &ulen, c + 16, clen), Z_OK);
		if (c[0] == SESSION_CHUNK_TABLES)
			filtered = deflated_size(b, ulen, SESSION_TABLES_ZLIB_LEVEL, Z_FILTERED);
		whole = deflated_size(b, ulen,
				      c[0] == SESSION_CHUNK_DATA ? SESSION_JSON_ZLIB_LEVEL
								 : SESSION_TABLES_ZLIB_LEVEL,
				      Z_DEFAULT_STRATEGY);
		print_message("# %s chunk %zu: %lu of %lu bytes, %lu deflated whole, %zu filtered\n",
			      c[0] == SESSION_CHUNK_DATA ? "data" : "tables",
			      c[0] == SESSION_CHUNK_DATA ? data : tables, clen, ulen, whole,
			      filtered);
		c[0] == SESSION_CHUNK_DATA ? data++ : tables++;
		/*
		 * A small block is one part (its columns' codes would cost
		 * more): exactly the whole deflate at that level and strategy.
		 * Larger ones save 1-2 % here, printed above, not asserted:
		 * another zlib (zlib-ng) may spend its bytes otherwise.
		 */
		if (c[0] == SESSION_CHUNK_TABLES && ulen < 1024)
			assert_int_equal(clen, filtered);
		free(b);
	}
	/* The flushes of chains alone or of nothing new write no tables chunk;
	 * those of new chains a chains chunk. */
	assert_int_equal(tables, 4);
	assert_int_equal(chains, 3);
	free(d);
	profile_free(r);
	profile_free(p);
	free(path);
}

/*
 * Writes a recording of 6 phases of 20 flushes of 2000 samples each (the
 * node column coded by estimate, struct coding_memo in writer.c, or
 * always by trial when `exact`): leaves drawn from 4096 skewed (a few
 * often, as a real profile's: varints win), 4096 evenly (planes win),
 * 40 far apart, 32768 evenly (3 bytes a node), in an order that moves
 * from each kind to another. Returns the file's bytes; caller frees.
 */
static unsigned char *estimate_recording(const char *name, bool exact, size_t *len)
{
	static const unsigned phases[] = { 0, 1, 0, 2, 3, 1 };
	struct ft_error err = { 0 };
	char *path = tmp_path(name);
	struct profile *p = base_profile();
	struct session_writer *w;
	uint32_t *leaf = xcalloc(32768, sizeof(*leaf));
	uint64_t x = 777, t = 1000;
	unsigned char *d;
	size_t i, k;
	char fn[32];
	unsigned flush;

	profile_set_thread(p, 7, 7, "app");
	for (i = 0; i < 32768; i++) {
		snprintf(fn, sizeof(fn), "fn_%zu", i);
		leaf[i] = profile_intern_node(p, i % 2 ? leaf[i / 2] : PROFILE_ROOT,
					      profile_intern_frame(p, fn, "/bin/app",
								   PROFILE_FRAME_USER));
	}
	w = session_writer_open(path, true, &err);
	assert_non_null(w);
	if (exact)
		session_writer_exact(w);
	assert_int_equal(session_writer_begin(w, p), 0);
	for (k = 0; k < ARRAY_SIZE(phases); k++) {
		for (flush = 0; flush < 20; flush++) {
			for (i = 0; i < 2000; i++) {
				struct profile_sample s = { .pid = 7, .tid = 7, .weight = 1 };
				uint64_t r;

				x = x * 6364136223846793005u + 1442695040888963407u;
				r = x >> 33;
				if (phases[k] == 0) /* 1 in 2^12 to 1 in 2 */
					s.node = leaf[r % ((4096 >> (x >> 20) % 12) + 1)];
				else if (phases[k] == 1)
					s.node = leaf[r % 4096];
				else if (phases[k] == 2)
					s.node = leaf[r % 40 * 100];
				else
					s.node = leaf[r % 32768];
				s.cpu = (uint16_t)(i % 2);
				t += 500000;
				s.time = t;
				profile_add_sample(p, &s);
			}
			flush_chunk(w, p);
		}
	}
	assert_int_equal(session_writer_close(w, p), 0);
	d = slurp(path, len);
	free(leaf);
	profile_free(p);
	free(path);
	return d;
}

/*
 * The node column coded by estimate writes the same bytes as coded by
 * trial, through each change of kind: the estimate is a shortcut, never
 * a change of format.
 */
static void test_estimate_bytes(void **state)
{
	size_t len, exact_len, i;
	unsigned char *d = estimate_recording("estimate.session", false, &len);
	unsigned char *e = estimate_recording("exact.session", true, &exact_len);

	for (i = 0; i < len && i < exact_len && d[i] == e[i]; i++)
		;
	if (i < len || i < exact_len)
		print_message("# by estimate, %zu bytes; by trial, %zu; the first difference at %zu\n",
			      len, exact_len, i);
	assert_int_equal(len, exact_len);
	assert_memory_equal(d, e, len);
	free(d);
	free(e);
}

static void test_version(void **state)
{
	struct session_read_info info;
	struct ft_error err = { 0 };
	struct expect e = { 0 };
	unsigned char *d;
	struct profile *p;
	size_t len;

	d = small_session(&len, &e);
	assert_int_equal(d[10], SESSION_VERSION_MINOR);
	/* Files of 1.0, before the end chunk's "recorder_peak_rss", load. */
	d[10] = 0;
	p = session_read_mem(d, len, "x.session", &info, &err);
	assert_non_null(p);
	assert_int_equal(info.version_minor, 0);
	assert_samples(p, &e, e.n);
	profile_free(p);
	d[8] = 2;
	assert_string_equal(read_error(d, len), "x.session: unsupported session format version "
						"2.0 (this flametop reads 1.x)");
	d[8] = 0;
	d[10] = 3;
	assert_string_equal(read_error(d, len), "x.session: unsupported session format version "
						"0.3 (this flametop reads 1.x)");
	/* A newer minor version of major 1 loads. */
	d[8] = 1;
	d[10] = 7;
	p = session_read_mem(d, len, "x.session", &info, &err);
	assert_non_null(p);
	assert_int_equal(info.version_minor, 7);
	assert_samples(p, &e, e.n);
	profile_free(p);
	free(d);
	free(e.samples);
}

/*
 * A recorder that reached its interning limits (profile.h) saves how much
 * it folded into "[other]" in the end chunk (1.3), so that report and
 * replay say so; the "[other]" frame itself is an ordinary frame of the
 * file.
 */
static void test_folded(void **state)
{
	static const struct profile_limits lim = { .frames = 8 };
	struct ft_error err = { 0 };
	char *path = tmp_path("folded.session");
	struct session_writer *w;
	struct profile *p = base_profile(), *r;
	uint32_t i, fr, other = PROFILE_NO_FRAME;
	char name[32];

	profile_set_limits(p, &lim);
	profile_set_thread(p, 1, 1, "app");
	for (i = 0; i < 40; i++) {
		struct profile_sample s = { .time = i, .weight = 1, .pid = 1, .tid = 1 };

		snprintf(name, sizeof(name), "fn_%u", i);
		fr = profile_intern_frame(p, name, "/bin/app", PROFILE_FRAME_USER);
		s.node = profile_intern_node(p, PROFILE_ROOT, fr);
		profile_add_sample(p, &s);
	}
	assert_true(p->folded > 0);
	w = session_writer_open(path, false, &err);
	assert_non_null(w);
	assert_int_equal(session_writer_begin(w, p), 0);
	assert_int_equal(session_writer_close(w, p), 0);
	r = session_read(path, NULL, &err);
	assert_non_null(r);
	assert_int_equal(r->folded, p->folded);
	for (i = 0; i < r->nframes; i++)
		if (strcmp(profile_string(r, r->frames[i].name), PROFILE_OTHER_NAME) == 0)
			other = i;
	assert_int_not_equal(other, PROFILE_NO_FRAME);
	assert_int_equal(r->nsamples, 40);
	profile_free(r);
	profile_free(p);
	free(path);
}

/* The recorder's peak memory goes through the end chunk, and only there. */
static void test_peak_rss(void **state)
{
	struct ft_error err = { 0 };
	char *path = tmp_path("rss.session"), *cut = tmp_path("rss-cut.session");
	struct expect e = { 0 };
	struct session_writer *w;
	struct profile *p = base_profile(), *r;

	add_chunk_data(p, 0, 0, 11, &e);
	p->meta.recorder_peak_rss = UINT64_C(12345678) * 1024;
	w = session_writer_open(path, false, &err);
	assert_non_null(w);
	assert_int_equal(session_writer_close(w, p), 0);
	r = session_read(path, NULL, &err);
	assert_non_null(r);
	assert_int_equal(r->meta.recorder_peak_rss, UINT64_C(12345678) * 1024);
	profile_free(r);

	/* No end chunk: unknown. */
	add_chunk_data(p, 1, 0, 11, &e);
	w = session_writer_open(cut, false, &err);
	assert_non_null(w);
	assert_int_equal(session_writer_flush(w, p), 0);
	session_writer_abort(w);
	r = session_read(cut, NULL, &err);
	assert_non_null(r);
	assert_int_equal(r->meta.recorder_peak_rss, 0);
	profile_free(r);
	profile_free(p);
	free(e.samples);
	free(path);
	free(cut);
}

/* Adds a sample of thread (pid, tid) at `time`, the stack the root. */
static void add_thread_sample(struct profile *p, uint32_t pid, uint32_t tid, uint64_t time)
{
	struct profile_sample s = { .time = time, .weight = 1, .pid = pid, .tid = tid };

	profile_add_sample(p, &s);
}

/*
 * record forgets the threads it wrote once they exited, and writes one
 * again when it shows up again: the reader takes a thread written twice
 * as a rename, so a thread written again under its name keeps it, and a
 * tid reused by another process (written with its pid and name) has
 * those; every sample keeps its pid and tid.
 */
static void test_thread_written_again(void **state)
{
	struct ft_error err = { 0 };
	char *path = tmp_path("again.session");
	struct session_writer *w;
	struct profile *p = base_profile(), *r;
	const struct profile_thread *t;
	int k;

	(void)state;
	w = session_writer_open(path, false, &err);
	assert_non_null(w);
	assert_int_equal(session_writer_begin(w, p), 0);
	profile_set_thread(p, 10, 10, "a");
	profile_set_thread(p, 10, 11, "b");
	add_thread_sample(p, 10, 10, 1000);
	add_thread_sample(p, 10, 11, 1000);
	profile_thread_exited(p, 10);
	profile_thread_exited(p, 11);
	/* Two flushes, as record's: written, then forgotten. */
	for (k = 0; k < 2; k++) {
		assert_int_equal(session_writer_flush(w, p), 0);
		profile_forget_written_threads(p, 0, UINT64_MAX);
		profile_clear_samples(p);
	}
	assert_int_equal(p->nthreads, 0);
	profile_set_thread(p, 10, 10, "a");
	profile_set_thread(p, 20, 11, "c");
	add_thread_sample(p, 10, 10, 2000);
	add_thread_sample(p, 20, 11, 2000);
	p->meta.duration_ns = 3000;
	assert_int_equal(session_writer_close(w, p), 0);

	r = session_read(path, NULL, &err);
	assert_non_null(r);
	assert_int_equal(r->nthreads, 2);
	t = profile_find_thread(r, 10);
	assert_non_null(t);
	assert_int_equal(t->pid, 10);
	assert_string_equal(profile_string(r, t->comm), "a");
	t = profile_find_thread(r, 11);
	assert_non_null(t);
	assert_int_equal(t->pid, 20);
	assert_string_equal(profile_string(r, t->comm), "c");
	assert_int_equal(r->nsamples, 4);
	for (k = 0; k < 4; k++) {
		const struct profile_sample *s = &r->samples[k];

		assert_int_equal(s->time, k < 2 ? 1000 : 2000);
		assert_int_equal(s->pid, s->tid == 11 && k >= 2 ? 20 : 10);
	}
	profile_free(r);
	profile_free(p);
	free(path);
}

/*
 * A thread record forgot (idle) that wakes and exits before its sample is
 * read has no name left in /proc: it is written again as "[unknown]". The
 * reader keeps the name the file gave it before, for its earlier samples
 * and its new ones; a tid another process took is that process's, even
 * unnamed.
 */
static void test_thread_unknown_again(void **state)
{
	struct ft_error err = { 0 };
	char *path = tmp_path("unknown-again.session");
	struct session_writer *w;
	struct profile *p = base_profile(), *r;
	const struct profile_thread *t;

	(void)state;
	w = session_writer_open(path, false, &err);
	assert_non_null(w);
	assert_int_equal(session_writer_begin(w, p), 0);
	profile_set_thread(p, 10, 12, "worker");
	profile_set_thread(p, 10, 13, "old");
	add_thread_sample(p, 10, 12, 1000);
	add_thread_sample(p, 10, 13, 1000);
	assert_int_equal(session_writer_flush(w, p), 0);
	/* Idle since: forgotten, as record forgets after a flush. */
	profile_forget_written_threads(p, 2000, UINT64_MAX);
	profile_clear_samples(p);
	assert_int_equal(p->nthreads, 0);
	profile_set_thread(p, 10, 12, PROFILE_UNKNOWN_THREAD_NAME);
	profile_set_thread(p, 30, 13, PROFILE_UNKNOWN_THREAD_NAME);
	add_thread_sample(p, 10, 12, 2000);
	add_thread_sample(p, 30, 13, 2000);
	p->meta.duration_ns = 3000;
	assert_int_equal(session_writer_close(w, p), 0);

	r = session_read(path, NULL, &err);
	assert_non_null(r);
	t = profile_find_thread(r, 12);
	assert_non_null(t);
	assert_int_equal(t->pid, 10);
	assert_string_equal(profile_string(r, t->comm), "worker");
	t = profile_find_thread(r, 13);
	assert_non_null(t);
	assert_int_equal(t->pid, 30);
	assert_string_equal(profile_string(r, t->comm), PROFILE_UNKNOWN_THREAD_NAME);
	assert_int_equal(r->nsamples, 4);
	profile_free(r);
	profile_free(p);
	free(path);
}

/* Whether `dir` holds a file whose name contains ".partial-". */
static bool partial_left(const char *dir)
{
	char *cmd = xasprintf("ls -a '%s' | grep -q '\\.partial-'", dir);
	int rc = system(cmd);

	free(cmd);
	return rc == 0;
}

static char *file_text(const char *path)
{
	size_t len;
	char *d = util_read_file(path, &len);

	assert_non_null(d);
	return d;
}

/*
 * --force: the old file stays whole until the new session is put in place
 * with a rename; a recording that never started leaves it as it was.
 */
static void test_force_replace(void **state)
{
	struct ft_error err = { 0 };
	char *path = tmp_path("replace.session"), *text;
	struct session_read_info info;
	struct expect e = { 0 };
	struct session_writer *w;
	struct profile *p = base_profile(), *r;
	struct stat st;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "precious", 8), 8);
	close(fd);

	/* Discarded: untouched, no temporary file left. */
	w = session_writer_open(path, true, &err);
	assert_non_null(w);
	assert_int_equal(session_writer_begin(w, p), 0);
	session_writer_discard(w);
	text = file_text(path);
	assert_string_equal(text, "precious");
	free(text);
	assert_false(partial_left(tmpdir));

	/* While recording, the old file is intact; closing replaces it. */
	w = session_writer_open(path, true, &err);
	assert_non_null(w);
	add_chunk_data(p, 0, 0, 11, &e);
	flush_chunk(w, p);
	text = file_text(path);
	assert_string_equal(text, "precious");
	free(text);
	assert_true(partial_left(tmpdir));
	assert_int_equal(session_writer_close(w, p), 0);
	assert_false(partial_left(tmpdir));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	r = session_read(path, &info, &err);
	assert_non_null(r);
	assert_true(info.complete);
	profile_free(r);

	/* Aborted before any data chunk (the first one hit ENOSPC): the
	 * new session would not load, so the old file stays. */
	w = session_writer_open(path, true, &err);
	assert_non_null(w);
	assert_int_equal(session_writer_begin(w, p), 0);
	assert_true(session_writer_keeps_old(w));
	session_writer_abort(w);
	assert_false(partial_left(tmpdir));
	r = session_read(path, &info, &err);
	assert_non_null(r);
	assert_true(info.complete);
	profile_free(r);

	/* Aborted after a flush (a write error): the partial session is put in place. */
	w = session_writer_open(path, true, &err);
	assert_non_null(w);
	add_chunk_data(p, 1, 0, 11, &e);
	assert_int_equal(session_writer_flush(w, p), 0);
	assert_false(session_writer_keeps_old(w));
	session_writer_abort(w);
	assert_false(partial_left(tmpdir));
	r = session_read(path, &info, &err);
	assert_non_null(r);
	assert_false(info.complete);
	assert_int_equal(r->nsamples, 11);
	profile_free(r);

	profile_free(p);
	free(e.samples);
	free(path);
}

/* Where the first data (tables) chunk of the session at `path` ends. */
static long tables_end(const char *path)
{
	size_t len, at = 16;
	unsigned char *d = (unsigned char *)util_read_file(path, &len);

	assert_non_null(d);
	while (at + 16 <= len) {
		uint32_t type = d[at] | d[at + 1] << 8 | d[at + 2] << 16 | (uint32_t)d[at + 3] << 24;
		uint32_t clen = d[at + 4] | d[at + 5] << 8 | d[at + 6] << 16 |
				(uint32_t)d[at + 7] << 24;

		at += 16 + clen;
		if (type == 2) {
			free(d);
			return (long)at;
		}
	}
	free(d);
	fail_msg("%s has no data chunk", path);
	return -1;
}

/* In a child: a file-size limit that lets a flush's tables chunk through
 * but not its samples chunk (a disk filling between the two). 0: the old
 * session at `path` was kept whole. */
static int tables_only_child(const char *path, const char *probe)
{
	struct ft_error err = { 0 };
	struct expect e = { 0 };
	struct profile *p = base_profile();
	struct session_writer *w;
	struct rlimit rl;
	long limit;
	int ret;

	signal(SIGXFSZ, SIG_IGN);
	/* The same flush into a probe file, to learn the chunks' sizes. */
	w = session_writer_open(probe, true, &err);
	if (!w)
		return 1;
	add_chunk_data(p, 0, 0, 500, &e);
	if (session_writer_flush(w, p) < 0)
		return 2;
	session_writer_abort(w);
	limit = tables_end(probe);
	unlink(probe);

	rl.rlim_cur = rl.rlim_max = (rlim_t)limit + 8;
	if (setrlimit(RLIMIT_FSIZE, &rl) < 0)
		return 3;
	w = session_writer_open(path, true, &err);
	if (!w)
		return 4;
	ret = session_writer_flush(w, p);
	if (ret >= 0)
		return 5; /* the samples chunk should not have fit */
	if (!session_writer_keeps_old(w))
		return 6;
	session_writer_abort(w);
	return 0;
}

/* --force and a disk that fills after a flush's tables, before its
 * samples: the old session stays, whole, and nothing is left beside it. */
static void test_force_tables_only(void **state)
{
	struct ft_error err = { 0 };
	char *path = tmp_path("tables.session"), *probe = tmp_path("probe.session");
	struct session_read_info info;
	struct expect e = { 0 };
	struct profile *p = base_profile(), *r;
	struct session_writer *w;
	int status;
	pid_t pid;

	w = session_writer_open(path, false, &err);
	assert_non_null(w);
	add_chunk_data(p, 0, 0, 11, &e);
	flush_chunk(w, p);
	assert_int_equal(session_writer_close(w, p), 0);

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(tables_only_child(path, probe));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_false(partial_left(tmpdir));
	r = session_read(path, &info, &err);
	assert_non_null(r);
	assert_true(info.complete);
	assert_int_equal(r->nsamples, 11);
	profile_free(r);
	profile_free(p);
	free(e.samples);
	free(path);
	free(probe);
}

/* Every prefix of the file: an error, or a load of whole chunks. */
static void test_truncation(void **state)
{
	struct expect e = { 0 };
	unsigned char *d;
	size_t len, cut, offs[16], nchunks;

	d = small_session(&len, &e);
	nchunks = chunk_offsets(d, len, offs, ARRAY_SIZE(offs));
	/* header, data, tables, chains, samples, the same without chains
	 * (chunk 1 has no locations), again with them, end */
	assert_int_equal(nchunks, 13);
	for (cut = 0; cut <= len; cut++) {
		struct session_read_info info;
		struct ft_error err = { 0 };
		unsigned char *copy = xmalloc(cut ? cut : 1);
		struct profile *p;

		memcpy(copy, d, cut);
		p = session_read_mem(copy, cut, "x.session", &info, &err);
		if (!p) {
			assert_true(strncmp(err.msg, "x.session: ", 11) == 0);
			assert_null(strchr(err.msg, '\n'));
			/* Only a file without one whole data chunk fails. */
			assert_true(cut < offs[2]);
		} else {
			size_t whole = 0;

			assert_true(cut >= offs[2]);
			while (whole + 1 < nchunks && offs[whole + 1] <= cut)
				whole++;
			/* Chunks 4, 7 and 11 are samples chunks of 5 samples each. */
			assert_int_equal(p->nsamples,
					 5 * ((whole > 4) + (whole > 7) + (whole > 11)));
			assert_samples(p, &e, p->nsamples);
			assert_int_equal(info.complete, cut == len);
			assert_int_equal(info.skipped_bytes,
					 cut == len ? 0 : cut - offs[whole]);
			profile_free(p);
		}
		free(copy);
	}
	free(d);
	free(e.samples);
}

/* Every bit of the file flipped in turn: an error or a load, never a crash. */
static void test_bit_flips(void **state)
{
	struct expect e = { 0 };
	unsigned char *d;
	size_t len, i, loads = 0, errors = 0;
	int bit;

	d = small_session(&len, &e);
	for (i = 0; i < len; i++) {
		for (bit = 0; bit < 8; bit++) {
			struct ft_error err = { 0 };
			struct profile *p;

			d[i] ^= (unsigned char)(1u << bit);
			p = session_read_mem(d, len, "x.session", NULL, &err);
			d[i] ^= (unsigned char)(1u << bit);
			if (p) {
				assert_true(p->nsamples <= e.n);
				loads++;
				profile_free(p);
			} else {
				assert_true(strncmp(err.msg, "x.session: ", 11) == 0);
				assert_null(strchr(err.msg, '\n'));
				errors++;
			}
		}
	}
	assert_true(errors > 0);
	print_message("# %zu bytes: %zu flips loaded, %zu rejected\n", len, loads, errors);
	free(d);
	free(e.samples);
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static void test_huge_lengths(void **state)
{
	struct expect e = { 0 };
	unsigned char *d;
	size_t len, offs[16];
	struct ft_error err = { 0 };
	struct session_read_info info;
	struct profile *p;
	char msg[256];

	d = small_session(&len, &e);
	chunk_offsets(d, len, offs, ARRAY_SIZE(offs));

	/* An uncompressed length past the limit (the CRC covers only the payload). */
	put32(d + offs[2] + 8, UINT32_MAX);
	snprintf(msg, sizeof(msg), "x.session: chunk 3 at offset %zu is too large (4294967295 "
		 "bytes uncompressed, the limit is 268435456)", offs[2]);
	assert_string_equal(read_error(d, len), msg);
	/* Under the limit, but more than deflate can expand to. */
	put32(d + offs[2] + 8, 200u << 20);
	snprintf(msg, sizeof(msg), "x.session: chunk 3 at offset %zu is corrupt (length mismatch)",
		 offs[2]);
	assert_string_equal(read_error(d, len), msg);
	free(d);

	/* A compressed length past the end of the file reads as a cut tail. */
	d = small_session(&len, &e);
	put32(d + offs[5] + 4, UINT32_MAX); /* the second flush's data chunk */
	p = session_read_mem(d, len, "x.session", &info, &err);
	assert_non_null(p);
	assert_int_equal(p->nsamples, 5);
	assert_false(info.complete);
	assert_int_equal(info.skipped_bytes, len - offs[5]);
	profile_free(p);
	free(d);
	free(e.samples);
}

/* Builds a chunk of `type` around `json` (compressed properly). Caller frees. */
static unsigned char *make_chunk(uint32_t type, const char *json, size_t *len)
{
	uLongf clen = compressBound(strlen(json));
	unsigned char *c = xmalloc(16 + clen);

	assert_int_equal(compress2(c + 16, &clen, (const Bytef *)json, strlen(json), 6), Z_OK);
	put32(c, type);
	put32(c + 4, (uint32_t)clen);
	put32(c + 8, (uint32_t)strlen(json));
	put32(c + 12, (uint32_t)crc32(0, c + 16, (uInt)clen));
	*len = 16 + clen;
	return c;
}

/* A file of version 1.`minor`: its header, the header chunk `h` and the
 * data chunk `d`, *flen bytes. Caller frees. */
static unsigned char *file_of(unsigned minor, const unsigned char *h, size_t hlen,
			      const unsigned char *d, size_t dlen, size_t *flen)
{
	unsigned char *file;

	*flen = 16 + hlen + dlen;
	file = xmalloc(*flen);
	memcpy(file, "FLAMETOP\1\0\0\0\0\0\0\0", 16);
	file[10] = (unsigned char)minor;
	memcpy(file + 16, h, hlen);
	memcpy(file + 16 + hlen, d, dlen);
	return file;
}

/* `d` with `chunk` inserted at `at`. Caller frees. */
static unsigned char *insert_chunk(const unsigned char *d, size_t len, size_t at,
			     const unsigned char *chunk, size_t clen)
{
	unsigned char *out = xmalloc(len + clen);

	memcpy(out, d, at);
	memcpy(out + at, chunk, clen);
	memcpy(out + at + clen, d + at, len - at);
	return out;
}

static void test_unknown_chunk(void **state)
{
	struct session_read_info info;
	struct ft_error err = { 0 };
	struct expect e = { 0 };
	unsigned char *d, *c, *spliced;
	size_t len, clen, offs[16];
	struct profile *p;

	d = small_session(&len, &e);
	chunk_offsets(d, len, offs, ARRAY_SIZE(offs));
	c = make_chunk(99, "{\"future\":[1,2,3]}", &clen);
	spliced = insert_chunk(d, len, offs[2], c, clen);
	p = session_read_mem(spliced, len + clen, "x.session", &info, &err);
	assert_non_null(p);
	assert_samples(p, &e, e.n);
	assert_true(info.complete);
	assert_int_equal(info.chunks, 13);
	profile_free(p);
	free(spliced);
	free(c);
	free(d);
	free(e.samples);
}

/* Well-framed chunks with bad contents: each a precise error. */
static void test_bad_contents(void **state)
{
	static const struct {
		const char *json;
		const char *error;
	} cases[] = {
		{ "{\"strings\":[\"a\"],\"frames\":[[0,0,0]],\"nodes\":[[0,0],[9,0]]}",
		  "node 2 has parent 9 out of range" },
		{ "{\"nodes\":[[0,999]]}", "node 1 has frame 999 out of range" },
		{ "{\"nodes\":[[0]]}", "node 1 is not [parent, frame]" },
		{ "{\"strings\":[\"a\"],\"frames\":[[0,77,0]]}",
		  "frame 0 has module 77 out of range" },
		{ "{\"strings\":[\"a\"],\"frames\":[[0,0,2]]}", "frame 0 has unknown kind 2" },
		{ "{\"threads\":[[1,1,5]]}", "thread 0 has comm 5 out of range" },
		{ "{\"samples\":{\"time\":[1],\"weight\":[1],\"node\":[3],\"pid\":[1],\"tid\":[1],"
		  "\"cpu\":[0],\"event\":[0]}}",
		  "sample 0 has node 3 out of range" },
		{ "{\"samples\":{\"time\":[1],\"weight\":[1],\"node\":[0],\"pid\":[1],\"tid\":[1],"
		  "\"cpu\":[0],\"event\":[1]}}",
		  "sample 0 has event 1 out of range" },
		{ "{\"samples\":{\"time\":[-1],\"weight\":[1],\"node\":[0],\"pid\":[1],\"tid\":[1],"
		  "\"cpu\":[0],\"event\":[0]}}",
		  "sample 0 has a time before the session start" },
		{ "{\"samples\":{\"time\":[1],\"weight\":[1],\"node\":[0],\"pid\":[1],\"tid\":[1],"
		  "\"cpu\":[70000],\"event\":[0]}}",
		  "sample 0 has cpu 70000 out of range" },
		{ "{\"samples\":{\"time\":[1,2],\"weight\":[1],\"node\":[0],\"pid\":[1],\"tid\":[1],"
		  "\"cpu\":[0],\"event\":[0]}}",
		  "\"samples\" columns differ in length" },
		{ "{\"samples\":{\"time\":[1]}}", "\"samples\" has no \"weight\" array" },
		{ "{\"samples\":{\"time\":[1.5],\"weight\":[1],\"node\":[0],\"pid\":[1],\"tid\":[1],"
		  "\"cpu\":[0],\"event\":[0]}}",
		  "sample 0 has a non-integer \"time\"" },
		{ "{\"strings\":{}}", "\"strings\" is not an array" },
		{ "{\"lost\":-4}", "\"lost\" is out of range (-4)" },
		{ "{\"locations\":[[0,16]]}", "location 1 has frame 0 out of range" },
		{ "{\"strings\":[\"a\"],\"frames\":[[0,0,0]],\"locations\":[[0]]}",
		  "location 1 is not [frame, offset]" },
		{ "{\"strings\":[\"a\"],\"frames\":[[0,0,0]],\"locations\":[[0,-16]]}",
		  "location 1 is not [frame, offset]" },
		{ "{\"locations\":{}}", "\"locations\" is not an array" },
		{ "{\"strings\":[\"a\"],\"frames\":[[0,0,0]],\"locations\":[[0,16]],"
		  "\"samples\":{\"time\":[1],\"weight\":[1],\"node\":[0],\"pid\":[1],\"tid\":[1],"
		  "\"cpu\":[0],\"event\":[0],\"location\":[2]}}",
		  "sample 0 has location 2 out of range" },
		{ "{\"samples\":{\"time\":[1],\"weight\":[1],\"node\":[0],\"pid\":[1],\"tid\":[1],"
		  "\"cpu\":[0],\"event\":[0],\"location\":[-1]}}",
		  "sample 0 has location -1 out of range" },
		{ "{\"samples\":{\"time\":[1],\"weight\":[1],\"node\":[0],\"pid\":[1],\"tid\":[1],"
		  "\"cpu\":[0],\"event\":[0],\"location\":[0,0]}}",
		  "\"samples\" columns differ in length" },
		{ "{\"samples\":{\"time\":[1],\"weight\":[1],\"node\":[0],\"pid\":[1],\"tid\":[1],"
		  "\"cpu\":[0],\"event\":[0],\"location\":3}}",
		  "\"samples\" has a \"location\" that is not an array" },
		{ "{\"samples\":{\"time\":[1],\"weight\":[1],\"node\":[0],\"pid\":[1],\"tid\":[1],"
		  "\"cpu\":[0],\"event\":[0],\"location\":[\"x\"]}}",
		  "sample 0 has a non-integer \"location\"" },
		{ "{\"strings\":[\"a\"],\"frames\":[[0,0,0]],\"locations\":[[0,16]],"
		  "\"chains\":[[0,1],[2,1]]}",
		  "chain 2 has parent 2 out of range" },
		{ "{\"strings\":[\"a\"],\"frames\":[[0,0,0]],\"locations\":[[0,16]],"
		  "\"chains\":[[0,0]]}",
		  "chain 1 has location 0 out of range" },
		{ "{\"chains\":[[0,1]]}", "chain 1 has location 1 out of range" },
		{ "{\"chains\":[[0]]}", "chain 1 is not [parent, location]" },
		{ "{\"chains\":3}", "\"chains\" is not an array" },
		/* Spaced out: read without jansson, the same errors. */
		{ "{ \"nodes\" : [ [ 0 , 5 ] ] }\n", "node 1 has frame 5 out of range" },
		{ "{\"threads\":[[1,1,0]],\"strings\":null}", "thread 0 has comm 0 out of range" },
		/* A number of 19 digits is jansson's to read. */
		{ "{\"nodes\":[[0,1234567890123456789]]}",
		  "node 1 has frame 1234567890123456789 out of range" },
		{ "{\"strings\":[\"a\"],\"frames\":[[0,0,0]],\"locations\":[[0,16]],"
		  "\"chains\":[[0,1]],"
		  "\"samples\":{\"time\":[1],\"weight\":[1],\"node\":[0],\"pid\":[1],\"tid\":[1],"
		  "\"cpu\":[0],\"event\":[0],\"chain\":[2]}}",
		  "sample 0 has chain 2 out of range" },
		{ "{\"samples\":{\"time\":[1],\"weight\":[1],\"node\":[0],\"pid\":[1],\"tid\":[1],"
		  "\"cpu\":[0],\"event\":[0],\"chain\":[0,0]}}",
		  "\"samples\" columns differ in length" },
		{ "{\"samples\":{\"time\":[1],\"weight\":[1],\"node\":[0],\"pid\":[1],\"tid\":[1],"
		  "\"cpu\":[0],\"event\":[0],\"chain\":{}}}",
		  "\"samples\" has a \"chain\" that is not an array" },
	};
	unsigned char *c, *file;
	size_t i, clen, hlen, flen;

	c = make_chunk(1, "{\"format\":\"flametop-session\",\"version\":[1,0],"
			  "\"events\":[{\"name\":\"cycles\",\"unit\":\"cycles\"}]}", &hlen);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		unsigned char *data = make_chunk(2, cases[i].json, &clen);
		char msg[256];

		file = file_of(0, c, hlen, data, clen, &flen);
		snprintf(msg, sizeof(msg), "x.session: chunk 2 at offset %zu: %s", 16 + hlen,
			 cases[i].error);
		assert_string_equal(read_error(file, flen), msg);
		free(data);
		free(file);
	}
	free(c);

	/* A header that is no header, and JSON that is no JSON. */
	c = make_chunk(1, "{\"format\":\"something-else\"}", &hlen);
	file = insert_chunk((const unsigned char *)"FLAMETOP\1\0\0\0\0\0\0\0", 16, 16, c, hlen);
	assert_string_equal(read_error(file, 16 + hlen),
			    "x.session: chunk 1 at offset 16: not a flametop-session header");
	free(file);
	free(c);
	c = make_chunk(1, "{\"format\":", &hlen);
	file = insert_chunk((const unsigned char *)"FLAMETOP\1\0\0\0\0\0\0\0", 16, 16, c, hlen);
	assert_string_equal(read_error(file, 16 + hlen),
			    "x.session: chunk 1 at offset 16 is corrupt (invalid JSON at byte 10)");
	free(file);
	free(c);
	c = make_chunk(2, "{}", &hlen);
	file = insert_chunk((const unsigned char *)"FLAMETOP\1\0\0\0\0\0\0\0", 16, 16, c, hlen);
	assert_string_equal(read_error(file, 16 + hlen),
			    "x.session: chunk 1 at offset 16: the first chunk is not a header "
			    "chunk (type 2)");
	free(file);
	free(c);
}

/*
 * A data chunk in the writer's shape is read without jansson; spaced out,
 * with null members, an escape or a member of a later version, it loads
 * the same tables (the last two through jansson).
 */
static void test_data_chunk_shapes(void **state)
{
	static const char *const cases[] = {
		"{\"lost\":3,\"strings\":[\"main\",\"libc\"],\"frames\":[[0,1,0]],\"nodes\":[[0,0]],"
		"\"threads\":[[5,6,0]]}",
		" {\n\t\"threads\" : [ [ 5 , 6 , 0 ] ] , \"chains\" : null , \"lost\" : 3 ,\r\n"
		"\"strings\":[ \"main\" ,\"libc\"],\"frames\":[[0,1,0]],\"nodes\":[[0,0]]} ",
		"{\"lost\":3,\"strings\":[\"ma\\u0069n\",\"libc\"],\"frames\":[[0,1,0]],"
		"\"nodes\":[[0,0]],\"threads\":[[5,6,0]]}",
		"{\"lost\":3,\"strings\":[\"main\",\"libc\"],\"frames\":[[0,1,0]],\"nodes\":[[0,0]],"
		"\"threads\":[[5,6,0]],\"future\":{\"x\":[1]}}",
	};
	struct ft_error err = { 0 };
	unsigned char *c, *file;
	size_t i, clen, hlen, flen;
	struct profile *p;

	(void)state;
	c = make_chunk(1,
		       "{\"format\":\"flametop-session\",\"version\":[1,0],"
		       "\"events\":[{\"name\":\"cycles\",\"unit\":\"cycles\"}]}",
		       &hlen);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		unsigned char *data = make_chunk(2, cases[i], &clen);

		file = file_of(0, c, hlen, data, clen, &flen);
		p = session_read_mem(file, flen, "x.session", NULL, &err);
		assert_non_null(p);
		assert_int_equal(p->nframes, 1);
		assert_string_equal(profile_string(p, p->frames[0].name), "main");
		assert_string_equal(profile_string(p, p->frames[0].module), "libc");
		assert_int_equal(p->nnodes, 2);
		assert_int_equal(p->nodes[1].frame, 0);
		assert_string_equal(profile_string(p, profile_find_thread(p, 6)->comm), "main");
		assert_int_equal(profile_find_thread(p, 6)->pid, 5);
		assert_int_equal(p->meta.lost, 3);
		profile_free(p);
		free(data);
		free(file);
	}
	free(c);
}

/*
 * Entries a file defines twice (a string, a frame, a node, a location, a
 * chain): each copy is the same profile entry, and every later id of the
 * file moves down by one. The samples after them must still reach the
 * entries they name: the reader maps the file's ids once they stop being
 * the profile's own.
 */
static void test_duplicate_entries(void **state)
{
	static const char data[] =
		"{\"strings\":[\"main\",\"libc\",\"main\",\"work\"],"
		"\"frames\":[[0,1,0],[2,1,0],[3,1,0]],"
		"\"nodes\":[[0,0],[0,1],[2,2]],"
		"\"locations\":[[2,64],[2,64],[1,16]],"
		"\"chains\":[[0,1],[0,2],[2,3]],"
		"\"threads\":[[5,6,0]],"
		"\"samples\":{\"time\":[1,2],\"weight\":[10,20],\"node\":[3,2],\"pid\":[5,5],"
		"\"tid\":[6,6],\"cpu\":[0,0],\"event\":[0,0],\"location\":[3,2],\"chain\":[3,2]}}";
	struct ft_error err = { 0 };
	unsigned char *h, *d, *file;
	size_t hlen, dlen, flen;
	const struct profile_sample *s;
	struct profile *p;

	(void)state;
	h = make_chunk(1, "{\"format\":\"flametop-session\",\"version\":[1,4],"
			  "\"events\":[{\"name\":\"cycles\",\"unit\":\"cycles\"}]}", &hlen);
	d = make_chunk(2, data, &dlen);
	file = file_of(4, h, hlen, d, dlen, &flen);
	p = session_read_mem(file, flen, "x.session", NULL, &err);
	assert_non_null(p);
	/* main and work; root, main, main > work; the two locations and chains. */
	assert_int_equal(p->nframes, 2);
	assert_int_equal(p->nnodes, 3);
	assert_int_equal(p->nlocations, 3);
	assert_int_equal(p->nchains, 3);
	assert_int_equal(p->nsamples, 2);
	s = &p->samples[0];
	assert_string_equal(profile_string(p, p->frames[p->nodes[s->node].frame].name), "work");
	assert_string_equal(profile_string(p, p->frames[p->nodes[p->nodes[s->node].parent].frame].name),
			    "main");
	assert_int_equal(p->locations[s->location].offset, 16);
	assert_string_equal(profile_string(p, p->frames[p->locations[s->location].frame].name),
			    "main");
	assert_int_equal(p->chains[s->chain].location, s->location);
	assert_int_equal(p->locations[p->chains[p->chains[s->chain].parent].location].offset, 64);
	s = &p->samples[1];
	assert_int_equal(s->weight, 20);
	assert_string_equal(profile_string(p, p->frames[p->nodes[s->node].frame].name), "main");
	assert_int_equal(p->nodes[s->node].parent, PROFILE_ROOT);
	assert_int_equal(p->locations[s->location].offset, 64);
	assert_string_equal(profile_string(p, p->frames[p->locations[s->location].frame].name),
			    "work");
	assert_int_equal(p->chains[p->chains[s->chain].parent].location, PROFILE_NO_LOCATION);
	assert_int_equal(p->chains[s->chain].location, s->location);
	profile_free(p);
	free(file);
	free(d);
	free(h);
}

/* Builds a chunk of `type` around the `len` bytes at `data`. Caller frees. */
static unsigned char *make_block_chunk(uint32_t type, const unsigned char *data, size_t len,
				       size_t *clen_out)
{
	uLongf clen = compressBound(len);
	unsigned char *c = xmalloc(16 + clen);

	assert_int_equal(compress2(c + 16, &clen, data, len, 6), Z_OK);
	put32(c, type);
	put32(c + 4, (uint32_t)clen);
	put32(c + 8, (uint32_t)len);
	put32(c + 12, (uint32_t)crc32(0, c + 16, (uInt)clen));
	*clen_out = 16 + clen;
	return c;
}

/*
 * A regular file's samples chunks are decoded on the read-ahead thread
 * (ahead.c, block.c): every sample comes back once and in order, as a
 * buffer read (decoded on the reader's own thread) gives it. A column that
 * does not decode, in the fifth samples chunk, is reported as the buffer
 * read reports it, with the chunks before it read.
 */
static void test_decoded_ahead(void **state)
{
	char *path = tmp_path("ahead.session"), *bad = tmp_path("ahead-bad.session");
	struct session_read_info info;
	struct ft_error err = { 0 };
	struct expect e = { 0 };
	struct session_reader *sr;
	struct profile *w, *f, *m;
	size_t len, blen = 0, clen, offs[64], n, k, seen = 0, before = 0;
	unsigned char *d, *b = NULL, *chunk, *out;
	const char *merr;
	char want[128];
	int ret;

	w = write_session(path, 12, 101, true, &e);
	f = session_read(path, &info, &err);
	assert_non_null(f);
	assert_samples(f, &e, e.n);
	d = slurp(path, &len);
	m = session_read_mem(d, len, "x.session", NULL, &err);
	assert_non_null(m);
	assert_int_equal(m->nsamples, f->nsamples);
	assert_memory_equal(m->samples, f->samples, f->nsamples * sizeof(*f->samples));

	/* The fifth samples chunk's weight column, in an unknown encoding. */
	n = chunk_offsets(d, len, offs, ARRAY_SIZE(offs));
	for (k = 0; k < n; k++) {
		const unsigned char *c = d + offs[k], *q;
		uLongf ulen;
		uLong zlen;
		uint64_t ns, nthreads, i;

		chunk_lengths(c, &zlen, &ulen);
		if (c[0] != SESSION_CHUNK_SAMPLES)
			continue;
		b = xmalloc(ulen);
		assert_int_equal(uncompress(b, &ulen, c + 16, zlen), Z_OK);
		q = b;
		ns = get_varint(&q, b + ulen);
		if (++seen < 5) {
			before += ns;
			free(b);
			continue;
		}
		nthreads = get_varint(&q, b + ulen);
		for (i = 0; i < 2 * nthreads; i++)
			get_varint(&q, b + ulen);
		for (;;) {
			uint64_t id = get_varint(&q, b + ulen), vlen;
			size_t at = (size_t)(q - b);

			q++;
			vlen = get_varint(&q, b + ulen);
			if (id == SESSION_COL_WEIGHT) {
				b[at] = 7;
				break;
			}
			q += vlen;
		}
		blen = ulen;
		break;
	}
	assert_true(k < n && before > 0 && before < e.n);
	chunk = make_block_chunk(SESSION_CHUNK_SAMPLES, b, blen, &clen);
	{
		uint32_t old = d[offs[k] + 4] | d[offs[k] + 5] << 8 | d[offs[k] + 6] << 16 |
			       (uint32_t)d[offs[k] + 7] << 24;
		size_t rest = len - offs[k] - 16 - old;

		out = xmalloc(offs[k] + clen + rest);
		memcpy(out, d, offs[k]);
		memcpy(out + offs[k], chunk, clen);
		memcpy(out + offs[k] + clen, d + offs[k] + 16 + old, rest);
		len = offs[k] + clen + rest;
	}
	spill(bad, out, len);
	snprintf(want, sizeof(want),
		 ": chunk %zu at offset %zu is corrupt (samples block has a column of unknown "
		 "encoding)",
		 k + 1, offs[k]);
	merr = read_error(out, len);
	assert_non_null(strstr(merr, want));

	/* A file read a step at a time: the samples before it, then the
	 * same error. */
	sr = session_reader_open(bad, &err);
	assert_non_null(sr);
	profile_free(m);
	m = session_reader_profile(sr);
	seen = 0;
	do {
		ret = session_reader_step(sr, 1, &err);
		if (ret < 0)
			break;
		assert_true(seen + m->nsamples <= before);
		assert_memory_equal(m->samples, f->samples + seen, m->nsamples * sizeof(*f->samples));
		seen += m->nsamples;
		profile_clear_samples(m);
	} while (ret > 0);
	assert_int_equal(ret, -1);
	assert_int_equal(seen + m->nsamples, before);
	assert_string_equal(strstr(err.msg, ": chunk"), strstr(merr, ": chunk"));
	assert_string_equal(err.msg + strlen(bad), strstr(merr, ": chunk"));
	session_reader_free(sr);

	profile_free(f);
	profile_free(w);
	free(chunk);
	free(out);
	free(b);
	free(d);
	free(e.samples);
	free(bad);
	free(path);
}

/*
 * Since 1.10 a sample's code location is column 12: 0 where it is the
 * innermost location of the sample's chain (nearly always: the chain
 * ends where the sample was), else the location + 1. A block whose
 * samples all have their chain's location holds the column as a
 * constant (no column 7 beside it); every location reads back as
 * written: the chain's own, another than the chain's, one without a
 * chain, and none with a chain.
 */
static void test_location_by_chain(void **state)
{
	struct ft_error err = { 0 };
	char *path = tmp_path("locations.session");
	struct session_writer *w;
	struct profile *p = base_profile(), *r;
	uint32_t main_fn, work_fn, node, site, leaf, other, chain, i;
	struct profile_sample s = { .weight = 1, .pid = 7, .tid = 7 };
	uint32_t want[2][4];
	unsigned pass;

	main_fn = profile_intern_frame(p, "main", "/usr/bin/app", PROFILE_FRAME_USER);
	work_fn = profile_intern_frame(p, "work", "/usr/bin/app", PROFILE_FRAME_USER);
	node = profile_intern_node(p, profile_intern_node(p, PROFILE_ROOT, main_fn), work_fn);
	site = profile_intern_location(p, main_fn, 0x40);
	leaf = profile_intern_location(p, work_fn, 0x10);
	other = profile_intern_location(p, work_fn, 0x20);
	chain = profile_intern_chain(p, profile_intern_chain(p, PROFILE_NO_CHAIN, site), leaf);
	profile_set_thread(p, 7, 7, "app");
	w = session_writer_open(path, true, &err);
	assert_non_null(w);
	assert_int_equal(session_writer_begin(w, p), 0);
	for (pass = 0; pass < 2; pass++) {
		/* Pass 0: every sample at its chain's location; pass 1: the
		 * four cases. */
		for (i = 0; i < 4; i++) {
			s.time = (uint64_t)(pass * 4 + i + 1) * 1000000;
			s.node = node;
			s.chain = pass == 0 || i < 2 || i == 3 ? chain : PROFILE_NO_CHAIN;
			s.location = pass == 0 || i == 0 ? leaf
				     : i == 1		   ? other
				     : i == 2		   ? other
							   : PROFILE_NO_LOCATION;
			want[pass][i] = s.location;
			profile_add_sample(p, &s);
		}
		assert_int_equal(session_writer_flush(w, p), 0);
		if (pass == 0) {
			assert_int_equal(column_encoding(path, 12), 2);
			assert_int_equal(column_encoding(path, 7), 99);
		}
		profile_clear_samples(p);
	}
	assert_int_equal(session_writer_close(w, p), 0);
	r = session_read(path, NULL, &err);
	assert_non_null(r);
	assert_int_equal(r->nsamples, 8);
	for (i = 0; i < 8; i++) {
		const struct profile_sample *x = &r->samples[i];
		uint32_t loc = want[i / 4][i % 4];

		if (loc == PROFILE_NO_LOCATION) {
			assert_int_equal(x->location, PROFILE_NO_LOCATION);
			continue;
		}
		assert_int_not_equal(x->location, PROFILE_NO_LOCATION);
		assert_int_equal(r->locations[x->location].offset, p->locations[loc].offset);
		assert_string_equal(profile_string(r, r->frames[r->locations[x->location].frame].name),
				    "work");
	}
	profile_free(r);
	profile_free(p);
	free(path);
}

/*
 * Since 1.9 a samples block holds its times once, in microseconds
 * (column 10): no column 1 of nanoseconds beside it, which no reader
 * needs (readers before 1.9 refuse the block for want of column 3), and
 * each sample's time reads back to the microsecond.
 */
static void test_time_one_column(void **state)
{
	struct ft_error err = { 0 };
	struct expect e = { 0 };
	char *path = tmp_path("times.session");
	struct profile *r;
	size_t i;

	profile_free(write_session(path, 4, 101, true, &e));
	assert_int_equal(column_encoding(path, 1), 99);
	assert_int_not_equal(column_encoding(path, 10), 99);
	r = session_read(path, NULL, &err);
	assert_non_null(r);
	assert_int_equal(r->nsamples, e.n);
	for (i = 0; i < e.n; i++)
		assert_int_equal(r->samples[i].time / 1000, e.samples[i].time / 1000);
	profile_free(r);
	free(e.samples);
	free(path);
}

/*
 * Column 10 keeps each CPU's last time for the CPUs its samples named, not
 * for all 65,536: samples on CPUs from 0 to 65535, the high ones first
 * met in a later chunk, in a cpu-clock recording (a time is predicted
 * from the CPU's last one plus the weight), read back to the microsecond.
 */
static void test_time_many_cpus(void **state)
{
	static const uint16_t cpus[] = { 0, 1, 63, 64, 65, 1000, 4095, 65535 };
	struct ft_error err = { 0 };
	char *path = tmp_path("cpus.session");
	struct profile *p = profile_new(), *r;
	struct session_writer *w;
	uint64_t times[3 * 64], t = 5000000000;
	uint32_t f, node;
	size_t i, n = 0;

	(void)state;
	profile_add_event(p, "cpu-clock", "ns");
	profile_set_thread(p, 7, 7, "app");
	f = profile_intern_frame(p, "work", "/bin/app", PROFILE_FRAME_USER);
	node = profile_intern_node(p, PROFILE_ROOT, f);
	w = session_writer_open(path, true, &err);
	assert_non_null(w);
	assert_int_equal(session_writer_begin(w, p), 0);
	for (size_t chunk = 0; chunk < 3; chunk++) {
		for (i = 0; i < 64; i++) {
			/* chunk 0: CPUs 0 and 1 alone; then every one */
			uint16_t cpu = cpus[chunk ? (i * 5 + chunk) % ARRAY_SIZE(cpus) : i % 2];
			struct profile_sample s = { .pid = 7, .tid = 7, .cpu = cpu, .node = node,
						    .location = PROFILE_NO_LOCATION,
						    .chain = PROFILE_NO_CHAIN, .weight = 1001000 };

			t += 250000 + i * 37 % 11 * 1000;
			s.time = t;
			times[n++] = t;
			profile_add_sample(p, &s);
		}
		flush_chunk(w, p);
	}
	assert_int_equal(session_writer_close(w, p), 0);
	profile_free(p);
	r = session_read(path, NULL, &err);
	assert_non_null(r);
	assert_int_equal(r->nsamples, n);
	for (i = 0; i < n; i++)
		assert_int_equal(r->samples[i].time / 1000, times[i] / 1000);
	assert_int_equal(r->samples[n - 1].cpu, cpus[(63 * 5 + 2) % ARRAY_SIZE(cpus)]);
	profile_free(r);
	free(path);
}

/*
 * Tables chunks (1.6) with bad contents, after a data chunk of one frame:
 * each a precise error. A block is the nodes' count, parent distances and
 * frame deltas, the locations' count, frame and offset deltas, the chains'
 * count, parent distances and location deltas (deltas zigzag-coded).
 */
static void test_bad_tables(void **state)
{
	static const struct {
		unsigned char block[16];
		size_t len;
		const char *error;
	} cases[] = {
		{ { 2, 1, 9, 0, 0, 0, 0 }, 7, ": node 2 has parent -7 out of range" },
		{ { 1, 0, 0, 0, 0 }, 5, ": node 1 has parent 1 out of range" },
		{ { 1, 1, 2, 0, 0 }, 5, ": node 1 has frame 1 out of range" },
		{ { 1, 1, 1, 0, 0 }, 5, ": node 1 has a negative frame" },
		{ { 0, 1, 2, 0, 0 }, 5, ": location 1 has frame 1 out of range" },
		{ { 0, 1, 0, 31, 0 }, 5, ": location 1 has its offset out of range" },
		{ { 0, 1, 0, 32, 1, 1, 0 }, 7, ": chain 1 has location 0 out of range" },
		{ { 0, 1, 0, 32, 1, 1, 4 }, 7, ": chain 1 has location 2 out of range" },
		{ { 0, 1, 0, 32, 2, 1, 3, 2, 0 }, 9, ": chain 2 has parent -1 out of range" },
		{ { 0, 1, 0, 32, 1, 1, 1 }, 7, ": chain 1 has a negative location" },
		{ { 5, 1, 1 }, 3, " is corrupt (tables block cut short)" },
		{ { 0, 0 }, 2, " is corrupt (tables block cut short)" },
		{ { 0, 0, 0, 7 }, 4, " is corrupt (tables block has bytes left after its chains)" },
	};
	unsigned char *h, *d, *t, *file;
	size_t i, hlen, dlen, tlen, flen;

	h = make_chunk(1, "{\"format\":\"flametop-session\",\"version\":[1,6],"
			  "\"events\":[{\"name\":\"cycles\",\"unit\":\"cycles\"}]}", &hlen);
	d = make_chunk(2, "{\"strings\":[\"a\"],\"frames\":[[0,0,0]]}", &dlen);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char msg[256];

		t = make_block_chunk(5, cases[i].block, cases[i].len, &tlen);
		flen = 16 + hlen + dlen + tlen;
		file = xmalloc(flen);
		memcpy(file, "FLAMETOP\1\0\6\0\0\0\0\0", 16);
		memcpy(file + 16, h, hlen);
		memcpy(file + 16 + hlen, d, dlen);
		memcpy(file + 16 + hlen + dlen, t, tlen);
		snprintf(msg, sizeof(msg), "x.session: chunk 3 at offset %zu%s", 16 + hlen + dlen,
			 cases[i].error);
		assert_string_equal(read_error(file, flen), msg);
		free(t);
		free(file);
	}
	free(d);
	free(h);
}

/*
 * A sample bomb: samples chunks of a million samples each in some 40
 * bytes (every column constant). A reader that holds its samples runs
 * out of memory budget; one that drops them as it goes (a replay,
 * report) is stopped by the samples budget, 4,194,304 + 4 per byte read,
 * in the fifth chunk, not after decoding them all.
 */
static void test_sample_bomb(void **state)
{
	/* n = 1,000,000; one thread (pid 1, tid 1); columns 1 to 6, each
	 * constant (encoding 2) of one byte: time delta 0, weight 1, node 0
	 * (the root), thread 0, cpu 0, event 0. */
	static const unsigned char block[] = { 0xc0, 0x84, 0x3d, 1, 1, 1,    1, 2, 1, 0,
					       2,    2,	   1,	 1, 3, 2, 1, 0, 4, 2,
					       1,    0,	   5,	 2, 1, 0, 6, 2, 1, 0 };
	struct ft_error err = { 0 };
	char *path = tmp_path("bomb.session");
	unsigned char *h, *c, *file;
	size_t hlen, clen, flen, k;
	struct session_reader *sr;
	struct profile *p;
	uint64_t decoded = 0;
	int ret;

	(void)state;
	h = make_chunk(1, "{\"format\":\"flametop-session\",\"version\":[1,6],"
			  "\"events\":[{\"name\":\"cycles\",\"unit\":\"cycles\"}]}", &hlen);
	c = make_block_chunk(4, block, sizeof(block), &clen);
	flen = 16 + hlen + 64 * clen;
	file = xmalloc(flen);
	memcpy(file, "FLAMETOP\1\0\6\0\0\0\0\0", 16);
	memcpy(file + 16, h, hlen);
	for (k = 0; k < 64; k++)
		memcpy(file + 16 + hlen + k * clen, c, clen);
	spill(path, file, flen);
	sr = session_reader_open(path, &err);
	assert_non_null(sr);
	p = session_reader_profile(sr);
	do {
		ret = session_reader_step(sr, 1, &err);
		decoded += p->nsamples;
		profile_clear_samples(p);
	} while (ret > 0);
	assert_int_equal(ret, -1);
	assert_int_equal(decoded, 4000000);
	assert_non_null(strstr(err.msg, "chunk 6 at offset"));
	assert_non_null(strstr(err.msg, "(a sample bomb?)"));
	session_reader_free(sr);
	/* Read whole, it is refused too (by the memory its samples take). */
	assert_non_null(strstr(read_error(file, flen), "chunk "));
	free(file);
	free(c);
	free(h);
	free(path);
}

/* A checksum failure in the middle is an error; in the last chunk, a torn tail. */
/*
 * A file of a header chunk and a data chunk whose payload is `z` (`zlen`
 * bytes), its CRC made right. Caller frees.
 */
static unsigned char *file_with_payload(const unsigned char *z, size_t zlen, uint32_t ulen,
					size_t *flen)
{
	unsigned char *c, *file;
	size_t hlen;

	c = make_chunk(1,
		       "{\"format\":\"flametop-session\",\"version\":[1,0],"
		       "\"events\":[{\"name\":\"cycles\",\"unit\":\"cycles\"}]}",
		       &hlen);
	*flen = 16 + hlen + 16 + zlen;
	file = xmalloc(*flen);
	memcpy(file, "FLAMETOP\1\0\0\0\0\0\0\0", 16);
	memcpy(file + 16, c, hlen);
	put32(file + 16 + hlen, 2);
	put32(file + 16 + hlen + 4, (uint32_t)zlen);
	put32(file + 16 + hlen + 8, ulen);
	put32(file + 16 + hlen + 12, (uint32_t)crc32(0, z, (uInt)zlen));
	memcpy(file + 16 + hlen + 16, z, zlen);
	free(c);
	return file;
}

/* Sets the zlib header's check bits (FCHECK) right for its other bits. */
static void fix_fcheck(unsigned char *z)
{
	z[1] &= 0xe0;
	z[1] |= (unsigned char)((31 - (z[0] << 8 | z[1]) % 31) % 31);
}

/*
 * A payload is one zlib stream: the reader checks its header and wants
 * exactly the 4-byte trailer after the deflate data, but leaves the
 * trailer's Adler-32 to the chunk's CRC-32, which covers it
 * (doc/session-format.md).
 */
static void test_zlib_stream(void **state)
{
	static const char json[] = "{\"strings\":[\"main\",\"a.out\"]}";
	unsigned char z[256], *file;
	uLongf zlen = sizeof(z);
	struct ft_error err = { 0 };
	struct profile *p;
	char msg[256];
	size_t flen, at;
	uint32_t nstrings;

	assert_int_equal(compress2(z, &zlen, (const Bytef *)json, strlen(json), 6), Z_OK);
	file = file_with_payload(z, zlen, strlen(json), &flen);
	at = flen - 16 - zlen;
	snprintf(msg, sizeof(msg),
		 "x.session: chunk 2 at offset %zu is corrupt (bad compressed data)", at);
	p = session_read_mem(file, flen, "x.session", NULL, &err);
	assert_non_null(p);
	nstrings = p->strings.len; /* the two, and what a new profile holds */
	assert_true(nstrings >= 2);
	profile_free(p);
	free(file);

	/* A wrong Adler-32 under a right CRC (made so on purpose) still loads. */
	z[zlen - 1] ^= 1;
	file = file_with_payload(z, zlen, strlen(json), &flen);
	p = session_read_mem(file, flen, "x.session", NULL, &err);
	assert_non_null(p);
	assert_int_equal(p->strings.len, nstrings);
	profile_free(p);
	free(file);
	z[zlen - 1] ^= 1;

	/* A trailer a byte short, a byte after it. */
	file = file_with_payload(z, zlen - 1, strlen(json), &flen);
	assert_string_equal(read_error(file, flen), msg);
	free(file);
	z[zlen] = 0;
	file = file_with_payload(z, zlen + 1, strlen(json), &flen);
	assert_string_equal(read_error(file, flen), msg);
	free(file);

	/* Headers zlib refuses: not deflate, a window past 32 KiB, a preset
	 * dictionary, wrong check bits; and no header at all. */
	z[0] = 0x79;
	fix_fcheck(z);
	file = file_with_payload(z, zlen, strlen(json), &flen);
	assert_string_equal(read_error(file, flen), msg);
	free(file);
	z[0] = 0x88;
	fix_fcheck(z);
	file = file_with_payload(z, zlen, strlen(json), &flen);
	assert_string_equal(read_error(file, flen), msg);
	free(file);
	z[0] = 0x78;
	z[1] |= 0x20;
	fix_fcheck(z);
	file = file_with_payload(z, zlen, strlen(json), &flen);
	assert_string_equal(read_error(file, flen), msg);
	free(file);
	z[1] &= (unsigned char)~0x20;
	fix_fcheck(z);
	z[1] ^= 1;
	file = file_with_payload(z, zlen, strlen(json), &flen);
	assert_string_equal(read_error(file, flen), msg);
	free(file);
	file = file_with_payload(z, 1, strlen(json), &flen);
	assert_string_equal(read_error(file, flen), msg);
	free(file);
}

static void test_checksum(void **state)
{
	struct session_read_info info;
	struct ft_error err = { 0 };
	struct expect e = { 0 };
	unsigned char *d;
	size_t len, offs[16];
	struct profile *p;
	char msg[256];

	d = small_session(&len, &e);
	chunk_offsets(d, len, offs, ARRAY_SIZE(offs));
	d[offs[2] + 20] ^= 0x40;
	snprintf(msg, sizeof(msg), "x.session: chunk 3 at offset %zu is corrupt (checksum mismatch)",
		 offs[2]);
	assert_string_equal(read_error(d, len), msg);
	d[offs[2] + 20] ^= 0x40;

	d[len - 3] ^= 1;
	p = session_read_mem(d, len, "x.session", &info, &err);
	assert_non_null(p);
	assert_false(info.complete);
	assert_int_equal(info.skipped_bytes, len - offs[12]);
	assert_samples(p, &e, e.n);
	profile_free(p);
	d[len - 3] ^= 1;

	/* Zeroed blocks past the last whole chunk (a power loss) are a cut too. */
	memset(d + offs[8], 0, len - offs[8]); /* from the third flush's data chunk */
	p = session_read_mem(d, len, "x.session", &info, &err);
	assert_non_null(p);
	assert_int_equal(p->nsamples, 10);
	assert_int_equal(info.skipped_bytes, len - offs[8]);
	profile_free(p);
	free(d);
	free(e.samples);
}

/*
 * In a child with its own mount namespace: fills a 64 KiB tmpfs, expects
 * -ENOSPC, and checks what was flushed before still loads. Exit 0 pass,
 * 77 skip (no permission to mount), 1 fail.
 */
static int enospc_child(void)
{
	char dir[] = "/tmp/test_session_tmpfs.XXXXXX";
	struct session_read_info info;
	struct ft_error err = { 0 };
	struct session_writer *w;
	struct profile *p, *r;
	uint64_t flushed = 0;
	char *path;
	int ret = 1, rc = 0, i, k;

	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return 77;
	if (!mkdtemp(dir))
		return 1;
	if (mount("none", dir, "tmpfs", 0, "size=64k") < 0) {
		rmdir(dir);
		return 77;
	}
	path = xasprintf("%s/full.session", dir);
	p = base_profile();
	w = session_writer_open(path, false, &err);
	if (!w)
		goto out;
	srand(1);
	for (i = 0; i < 1000 && rc == 0; i++) {
		/* New random names: data that does not compress. */
		for (k = 0; k < 200; k++) {
			char name[40];
			struct profile_sample s = { .time = (uint64_t)i * 1000 + k, .weight = 1 };
			uint32_t f;

			snprintf(name, sizeof(name), "f%08x%08x%08x", rand(), rand(), rand());
			f = profile_intern_frame(p, name, "/lib/x.so", PROFILE_FRAME_USER);
			s.node = profile_intern_node(p, PROFILE_ROOT, f);
			profile_add_sample(p, &s);
		}
		rc = session_writer_flush(w, p);
		if (rc == 0) {
			flushed += p->nsamples;
			profile_clear_samples(p);
		}
	}
	session_writer_abort(w);
	if (rc != -ENOSPC) {
		fprintf(stderr, "# expected -ENOSPC, got %d\n", rc);
		goto out;
	}
	r = session_read(path, &info, &err);
	if (!r || r->nsamples != flushed || info.complete) {
		fprintf(stderr, "# after ENOSPC: %s (%zu of %llu samples)\n", r ? "loaded" : err.msg,
			r ? r->nsamples : 0, (unsigned long long)flushed);
		profile_free(r);
		goto out;
	}
	fprintf(stderr, "# ENOSPC after %llu samples in %u chunks; they all load\n",
		(unsigned long long)flushed, info.chunks);
	profile_free(r);
	ret = 0;
out:
	profile_free(p);
	unlink(path);
	free(path);
	umount(dir);
	rmdir(dir);
	return ret;
}

static void test_enospc(void **state)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(enospc_child());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77) {
		print_message("# skipped: cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN)\n");
		skip();
	}
	assert_int_equal(WEXITSTATUS(status), 0);
}

/*
 * In a child (SIGXFSZ ignored): flushes `w` under file size limits from
 * `from` up by `step` until the flush no longer fails for its size,
 * counting the failures in *failed. The flush's result, or -1 when the
 * limit cannot be set. The limit stays as it was last.
 */
static int flush_rising(struct session_writer *w, struct profile *p, rlim_t from, rlim_t step,
			unsigned *failed)
{
	struct rlimit rl = { from, RLIM_INFINITY };
	int rc;

	for (;; rl.rlim_cur += step) {
		if (setrlimit(RLIMIT_FSIZE, &rl) < 0)
			return -1;
		rc = session_writer_flush(w, p);
		if (rc != -EFBIG)
			return rc;
		(*failed)++;
	}
}

/*
 * In a child: flushes four batches of samples with chains, each under file
 * size limits that rise a few bytes at a time from the file's size, so
 * that the flush fails at each of its chunks in turn (the samples chunk
 * many times) before one fits; then reads the file back. 0: every sample
 * came back as added; 1 otherwise.
 */
static int resume_child(const char *path)
{
	struct ft_error err = { 0 };
	struct expect e = { 0 };
	struct session_writer *w;
	struct profile *p = base_profile(), *r;
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	unsigned c, failed = 0;
	struct stat st;
	size_t i;

	signal(SIGXFSZ, SIG_IGN);
	w = session_writer_open(path, true, &err);
	if (!w || session_writer_begin(w, p) < 0)
		return 1;
	for (c = 0; c < 4; c++) {
		int rc;

		add_chunk_data(p, c, (uint64_t)c * 50000000, 101, &e);
		if (stat(path, &st) < 0)
			return 1;
		rc = flush_rising(w, p, (rlim_t)st.st_size, 97, &failed);
		if (rc < 0)
			return 1;
		profile_clear_samples(p);
	}
	rl.rlim_cur = RLIM_INFINITY;
	if (setrlimit(RLIMIT_FSIZE, &rl) < 0 || session_writer_close(w, p) < 0)
		return 1;
	r = session_read(path, NULL, &err);
	if (!r || r->nsamples != e.n || !profile_has_chains(r)) {
		fprintf(stderr, "# %s\n", r ? "not every sample came back" : err.msg);
		return 1;
	}
	for (i = 0; i < e.n; i++) {
		const struct profile_sample *x = &r->samples[i], *y = &e.samples[i];

		if (x->time != y->time / 1000 * 1000 || x->node != y->node ||
		    x->location != y->location || x->chain != y->chain) {
			fprintf(stderr, "# sample %zu: node %u chain %u, expected node %u chain %u\n",
				i, x->node, x->chain, y->node, y->chain);
			return 1;
		}
	}
	fprintf(stderr, "# %u flushes failed on the way; all %zu samples read back\n", failed,
		e.n);
	profile_free(r);
	profile_free(p);
	free(e.samples);
	return 0;
}

/*
 * Runs `child` on a session file `name` in the temporary directory, in a
 * child process (its write limit does not reach this one); the child's
 * exit status must be 0.
 */
static void run_in_child(int (*child)(const char *path), const char *name)
{
	char *path = tmp_path(name);
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child(path));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	free(path);
}

/*
 * A flush that fails part way leaves the writer where the file is: the
 * chunks that failed are cut off, the next flush writes them again, and
 * the samples' chains, coded by what the samples before them had (format
 * 1.7's column 9), decode as they were recorded.
 */
static void test_flush_fails_then_resumes(void **state)
{
	run_in_child(resume_child, "resume.session");
}

/* The node main -> `name`, a leaf of /usr/bin/app. */
static uint32_t app_leaf(struct profile *p, const char *name)
{
	uint32_t main_fn = profile_intern_frame(p, "main", "/usr/bin/app", PROFILE_FRAME_USER);

	return profile_intern_node(p, profile_intern_node(p, PROFILE_ROOT, main_fn),
				   profile_intern_frame(p, name, "/usr/bin/app", PROFILE_FRAME_USER));
}

#define LATE_LEAVES 60

/*
 * In a child: a first batch written whole, with the nodes of a second
 * (eight leaves) and LATE_LEAVES more, all above them; then the second
 * batch flushed under file size limits rising 13 bytes at a time from the
 * file's size, so that its samples chunk fails many times. After each
 * failure a late sample comes in, as a recorder's would (read late from
 * another CPU's ring): a leaf no sample named yet, above every leaf the
 * failed chunk named, timed before the batch's samples, so that the retry
 * starts with it (the nodes are written already: the retry is the samples
 * chunk alone). The failed chunk must take back what it moved in column
 * 13's state (format 1.11), as it does column 9's: the reader, which never
 * saw it, decodes every sample's leaf as added. 0: every sample came
 * back as added; 1 otherwise.
 */
static int late_leaf_child(const char *path)
{
	struct ft_error err = { 0 };
	struct expect e = { 0 };
	struct session_writer *w;
	struct profile *p = base_profile(), *r;
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	uint32_t leaves[8], late[LATE_LEAVES];
	unsigned failed = 0, nlate = 0;
	char name[32];
	struct stat st;
	size_t i;
	int rc;

	signal(SIGXFSZ, SIG_IGN);
	alarm(120); /* a flush that never fits fails the test, not hangs it */
	w = session_writer_open(path, true, &err);
	if (!w || session_writer_begin(w, p) < 0)
		return 1;
	add_chunk_data(p, 0, 0, 101, &e);
	for (i = 0; i < ARRAY_SIZE(leaves); i++) {
		snprintf(name, sizeof(name), "batch_%zu", i);
		leaves[i] = app_leaf(p, name);
	}
	for (i = 0; i < LATE_LEAVES; i++) {
		snprintf(name, sizeof(name), "late_%zu", i);
		late[i] = app_leaf(p, name);
	}
	if (session_writer_flush(w, p) < 0)
		return 1;
	profile_clear_samples(p);
	e.samples = xreallocarray(e.samples, e.n + 101 + LATE_LEAVES, sizeof(*e.samples));
	for (i = 0; i < 101; i++) {
		size_t k = (i * 7 + 3) % 101;
		struct profile_sample s = { .time = 300000000 + k * 1000003,
					    .weight = 1 + k,
					    .node = leaves[k % ARRAY_SIZE(leaves)],
					    .location = PROFILE_NO_LOCATION,
					    .chain = PROFILE_NO_CHAIN,
					    .pid = 100,
					    .tid = 100,
					    .cpu = (uint16_t)(k % 4) };

		profile_add_sample(p, &s);
		e.samples[e.n++] = s;
	}
	if (stat(path, &st) < 0)
		return 1;
	for (rl.rlim_cur = (rlim_t)st.st_size;; rl.rlim_cur += 13) {
		struct profile_sample s = { .weight = 1,
					    .location = PROFILE_NO_LOCATION,
					    .chain = PROFILE_NO_CHAIN,
					    .pid = 100,
					    .tid = 100 };

		if (setrlimit(RLIMIT_FSIZE, &rl) < 0)
			return 1;
		rc = session_writer_flush(w, p);
		if (rc != -EFBIG)
			break;
		failed++;
		if (nlate == LATE_LEAVES)
			continue;
		s.node = late[nlate++];
		s.time = 200000000 - (uint64_t)nlate * 1000;
		profile_add_sample(p, &s);
		e.samples[e.n++] = s;
	}
	if (rc < 0 || nlate < 2)
		return 1;
	profile_clear_samples(p);
	rl.rlim_cur = RLIM_INFINITY;
	if (setrlimit(RLIMIT_FSIZE, &rl) < 0 || session_writer_close(w, p) < 0)
		return 1;
	qsort(e.samples, e.n, sizeof(*e.samples), cmp_time);
	r = session_read(path, NULL, &err);
	if (!r || r->nsamples != e.n) {
		fprintf(stderr, "# %s\n", r ? "not every sample came back" : err.msg);
		return 1;
	}
	for (i = 0; i < e.n; i++) {
		const struct profile_sample *x = &r->samples[i], *y = &e.samples[i];

		if (x->time != y->time / 1000 * 1000 || x->node != y->node) {
			fprintf(stderr, "# sample %zu at %llu: node %u, expected node %u at %llu\n", i,
				(unsigned long long)x->time, x->node, y->node,
				(unsigned long long)y->time);
			return 1;
		}
	}
	fprintf(stderr, "# %u flushes failed, %u late leaves; all %zu samples read back\n", failed,
		nlate, e.n);
	profile_free(r);
	profile_free(p);
	free(e.samples);
	return 0;
}

/*
 * The codes of the first chains chunk of the file at `path`: its chains'
 * node, parent and location codes in codes[0], codes[1] and codes[2]
 * (up to `max` each). Returns how many chains it holds.
 */
static size_t chains_codes(const char *path, uint64_t (*codes)[16], size_t max)
{
	size_t len, offs[64], n, k, i, j, count = 0;
	unsigned char *d = slurp(path, &len);

	n = chunk_offsets(d, len, offs, ARRAY_SIZE(offs));
	for (k = 0; k < n; k++) {
		const unsigned char *c = d + offs[k], *p, *end;
		unsigned char *b;
		uLongf ulen;
		uLong clen;

		if (c[0] != SESSION_CHUNK_CHAINS)
			continue;
		chunk_lengths(c, &clen, &ulen);
		b = xmalloc(ulen);
		assert_int_equal(uncompress(b, &ulen, c + 16, clen), Z_OK);
		p = b;
		end = b + ulen;
		count = (size_t)get_varint(&p, end);
		assert_true(count <= max);
		for (j = 0; j < 3; j++)
			for (i = 0; i < count; i++)
				codes[j][i] = get_varint(&p, end);
		assert_ptr_equal(p, end);
		free(b);
		break;
	}
	free(d);
	return count;
}

/*
 * A chains chunk's codes (1.12) are the specification's, of every kind,
 * and read back as the chains they code. The call tree: main (node 1) ->
 * a (2) -> b (3) -> a kernel frame (4, no chain), then main -> c (5) ->
 * d (6). The chains, in order:
 *   1 main at site 1, 2 a, 3 b: nodes cur 1, 2, 3 (code 0), parents first
 *     in their node's parent's list (0), locations new (4 + zigzag delta
 *     from the last location coded outright);
 *   4 main at site 2: node 1, the parent of node 5 (cur 4 + 1: code 2,
 *     the kernel node skipped), its parent (the empty chain) first in the
 *     root's list, its location new;
 *   5 c, 6 d: nodes cur 5 and 6 (0), parents first (0), locations new;
 *   7 b at another offset under chain 2: node 3 outright (cur 7: 8 + 1 +
 *     zigzag(3 - 7)), parent chain 2 first in node 2's list, location new;
 *   8 a under chain 4: node 2 outright, parent chain 4 first in node 1's
 *     list, location a's first in frame a's list (0);
 *   9 d's location under chain 1: no node has that path (d is not
 *     main's child): node 0 outright (8 + 1 + zigzag(0 - 7)), parent 1
 *     outright (4 + 9 - 1 - 1) and location outright.
 */
static void test_chains_codes(void **state)
{
	static const uint64_t want[3][9] = {
		{ 0, 0, 0, 2, 0, 0, 8 + 1 + 7, 8 + 1 + 9, 8 + 1 + 13 },
		{ 0, 0, 0, 0, 0, 0, 0, 0, 4 + 9 - 1 - 1 },
		{ 4 + 2, 4 + 2, 4 + 2, 4 + 2, 4 + 2, 4 + 2, 4 + 2, 0, 4 + 1 },
	};
	struct ft_error err = { 0 };
	char *path = tmp_path("chains.session");
	struct profile *p = base_profile(), *r;
	struct session_writer *w;
	uint32_t f[5], node[7], loc[9], chain[10];
	uint64_t codes[3][16];
	size_t i;
	static const char *const names[] = { "main", "a", "b", "c", "d" };

	for (i = 0; i < 5; i++)
		f[i] = profile_intern_frame(p, names[i], "/usr/bin/app", PROFILE_FRAME_USER);
	node[1] = profile_intern_node(p, PROFILE_ROOT, f[0]);
	node[2] = profile_intern_node(p, node[1], f[1]);
	node[3] = profile_intern_node(p, node[2], f[2]);
	node[4] = profile_intern_node(p, node[3], profile_intern_frame(p, "do_syscall_64",
									"[kernel.kallsyms]",
									PROFILE_FRAME_KERNEL));
	node[5] = profile_intern_node(p, node[1], f[3]);
	node[6] = profile_intern_node(p, node[5], f[4]);
	for (i = 1; i <= 6; i++)
		assert_int_equal(node[i], i);
	/* Locations 1 to 7, each coded outright 1 past the one before
	 * (zigzag 2), but a's again (0) and d's again, 1 back (zigzag 1). */
	loc[1] = profile_intern_location(p, f[0], 0x400); /* main, site 1 */
	loc[2] = profile_intern_location(p, f[1], 0x500); /* a */
	loc[3] = profile_intern_location(p, f[2], 0x600); /* b */
	loc[4] = profile_intern_location(p, f[0], 0x408); /* main, site 2 */
	loc[5] = profile_intern_location(p, f[3], 0x700); /* c */
	loc[6] = profile_intern_location(p, f[4], 0x800); /* d */
	loc[7] = profile_intern_location(p, f[2], 0x610); /* b, elsewhere */
	for (i = 1; i <= 7; i++)
		assert_int_equal(loc[i], i);
	chain[1] = profile_intern_chain(p, PROFILE_NO_CHAIN, loc[1]);
	chain[2] = profile_intern_chain(p, chain[1], loc[2]);
	chain[3] = profile_intern_chain(p, chain[2], loc[3]);
	chain[4] = profile_intern_chain(p, PROFILE_NO_CHAIN, loc[4]);
	chain[5] = profile_intern_chain(p, chain[4], loc[5]);
	chain[6] = profile_intern_chain(p, chain[5], loc[6]);
	chain[7] = profile_intern_chain(p, chain[2], loc[7]);
	chain[8] = profile_intern_chain(p, chain[4], loc[2]);
	chain[9] = profile_intern_chain(p, chain[1], loc[6]);
	for (i = 1; i <= 9; i++)
		assert_int_equal(chain[i], i);
	profile_set_thread(p, 7, 7, "app");
	for (i = 1; i <= 9; i++) {
		struct profile_sample s = { .time = i * 1000000,
					    .weight = 1,
					    .node = node[i == 9 ? 6 : i <= 3 ? i : i == 7 ? 3 : 5],
					    .location = p->chains[chain[i]].location,
					    .chain = chain[i],
					    .pid = 7,
					    .tid = 7 };

		profile_add_sample(p, &s);
	}
	w = session_writer_open(path, true, &err);
	assert_non_null(w);
	assert_int_equal(session_writer_begin(w, p), 0);
	assert_int_equal(session_writer_flush(w, p), 0);
	assert_int_equal(session_writer_close(w, p), 0);
	assert_int_equal(chains_codes(path, codes, ARRAY_SIZE(codes[0])), 9);
	for (i = 0; i < 9; i++) {
		print_message("# chain %zu: node %" PRIu64 ", parent %" PRIu64 ", location %" PRIu64
			      "\n",
			      i + 1, codes[0][i], codes[1][i], codes[2][i]);
		assert_int_equal(codes[0][i], want[0][i]);
		assert_int_equal(codes[1][i], want[1][i]);
		assert_int_equal(codes[2][i], want[2][i]);
	}
	r = session_read(path, NULL, &err);
	assert_non_null(r);
	assert_same_model(p, r);
	profile_free(r);
	profile_free(p);
	free(path);
}

/*
 * A samples chunk that fails takes back its column 13 state: a retry
 * that starts with a new leaf (timed before the failed chunk's samples)
 * decodes as written.
 */
static void test_flush_fails_new_leaf(void **state)
{
	run_in_child(late_leaf_child, "late-leaf.session");
}

/*
 * For the children below, after `failed` flushes failed: 0 when the
 * session at `path` reads back with `p`'s chains (p freed), else 1.
 */
static int chains_read_back(const char *path, struct profile *p, unsigned failed)
{
	struct ft_error err = { 0 };
	struct profile *r = session_read(path, NULL, &err);

	if (!r || r->nchains != p->nchains ||
	    memcmp(r->chains, p->chains, p->nchains * sizeof(*p->chains)) != 0) {
		fprintf(stderr, "# %s\n", r ? "the chains read back are not those added" : err.msg);
		return 1;
	}
	fprintf(stderr, "# %u flushes failed; all %u chains read back\n", failed, p->nchains - 1);
	profile_free(r);
	profile_free(p);
	return failed > 0 ? 0 : 1;
}

/*
 * In a child: a first flush written whole, with chains along the call
 * tree's paths (main -> fn_i), then a second of more such chains, and
 * more again after each failure, flushed under file size limits rising
 * 13 bytes at a time from the file's size, so that its tables and then
 * its chains chunk fail many times. A chains chunk that failed had moved
 * the chains state (format 1.12) as if written: the writer must make it
 * again from the chains the file holds, or the reader, which never saw
 * the failed chunk, decodes other chains than were added. 0: the file
 * reads back with every chain as added; 1 otherwise.
 */
static int chains_fail_child(const char *path)
{
	struct ft_error err = { 0 };
	struct session_writer *w;
	struct profile *p = base_profile();
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	uint32_t main_fn, main_node;
	unsigned failed = 0, added = 0;
	struct stat st;
	int rc;

	signal(SIGXFSZ, SIG_IGN);
	alarm(120); /* a flush that never fits fails the test, not hangs it */
	main_fn = profile_intern_frame(p, "main", "/usr/bin/app", PROFILE_FRAME_USER);
	main_node = profile_intern_node(p, PROFILE_ROOT, main_fn);
	profile_set_thread(p, 7, 7, "app");
	w = session_writer_open(path, true, &err);
	if (!w || session_writer_begin(w, p) < 0)
		return 1;
	/*
	 * main at one of three call sites, then fn_i at one of five offsets:
	 * 40 chains written whole, 40 more, then one more after every eighth
	 * failure (a new function costs the flush more bytes than the 13 the
	 * limit rises by).
	 */
	for (;;) {
		char name[32];
		uint32_t f, site;

		snprintf(name, sizeof(name), "fn_%u", added);
		f = profile_intern_frame(p, name, "/usr/bin/app", PROFILE_FRAME_USER);
		profile_intern_node(p, main_node, f);
		site = profile_intern_location(p, main_fn, 0x400 + added % 3 * 8);
		profile_intern_chain(p, profile_intern_chain(p, PROFILE_NO_CHAIN, site),
				     profile_intern_location(p, f, 0x100 + added % 5 * 4));
		added++;
		if (added == 40) {
			if (session_writer_flush(w, p) < 0 || stat(path, &st) < 0)
				return 1;
			rl.rlim_cur = (rlim_t)st.st_size;
		}
		while (added >= 80) {
			if (setrlimit(RLIMIT_FSIZE, &rl) < 0)
				return 1;
			rc = session_writer_flush(w, p);
			if (rc == 0)
				goto written;
			if (rc != -EFBIG)
				return 1;
			rl.rlim_cur += 13;
			if (++failed % 8 == 0)
				break;
		}
	}
written:
	rl.rlim_cur = RLIM_INFINITY;
	if (setrlimit(RLIMIT_FSIZE, &rl) < 0 || session_writer_close(w, p) < 0)
		return 1;
	return chains_read_back(path, p, failed);
}

/*
 * A chains chunk that fails leaves the chains state as the file has it:
 * the chains after it decode as written.
 */
static void test_flush_fails_chains(void **state)
{
	run_in_child(chains_fail_child, "chains-fail.session");
}

/*
 * In a child: a first flush whose last chain is a new call site of main
 * while the last node is a kernel frame under main's callee (no node past
 * it for the site's chain to branch to: coded outright); then a new callee
 * of main and its chain, flushed under file size limits rising a byte at a
 * time, so that the chains chunk fails at least once and the writer makes
 * its state again. It must code the first flush's chains with the nodes
 * the file had then: with the callee's node made since, the site's chain
 * would be coded as branching to it, and the state (the node cursor)
 * would differ from the reader's. 0: every chain read back as added.
 */
static int chains_late_node_child(const char *path)
{
	struct ft_error err = { 0 };
	struct session_writer *w;
	struct profile *p = base_profile();
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	uint32_t main_fn, f0, f1, m, site1;
	unsigned failed = 0;
	struct stat st;
	int rc;

	signal(SIGXFSZ, SIG_IGN);
	alarm(120);
	main_fn = profile_intern_frame(p, "main", "/usr/bin/app", PROFILE_FRAME_USER);
	f0 = profile_intern_frame(p, "f0", "/usr/bin/app", PROFILE_FRAME_USER);
	f1 = profile_intern_frame(p, "f1", "/usr/bin/app", PROFILE_FRAME_USER);
	m = profile_intern_node(p, PROFILE_ROOT, main_fn);
	profile_intern_node(p, profile_intern_node(p, m, f0),
			    profile_intern_frame(p, "do_syscall_64", "[kernel.kallsyms]",
						 PROFILE_FRAME_KERNEL));
	profile_intern_chain(p, profile_intern_chain(p, PROFILE_NO_CHAIN,
						     profile_intern_location(p, main_fn, 0x400)),
			     profile_intern_location(p, f0, 0x500));
	site1 = profile_intern_chain(p, PROFILE_NO_CHAIN, profile_intern_location(p, main_fn, 0x408));
	profile_set_thread(p, 7, 7, "app");
	w = session_writer_open(path, true, &err);
	if (!w || session_writer_begin(w, p) < 0 || session_writer_flush(w, p) < 0 ||
	    stat(path, &st) < 0)
		return 1;
	profile_intern_node(p, m, f1);
	profile_intern_chain(p, site1, profile_intern_location(p, f1, 0x600));
	rc = flush_rising(w, p, (rlim_t)st.st_size, 1, &failed);
	rl.rlim_cur = RLIM_INFINITY;
	if (rc < 0 || setrlimit(RLIMIT_FSIZE, &rl) < 0 || session_writer_close(w, p) < 0)
		return 1;
	return chains_read_back(path, p, failed);
}

/*
 * The chains state made again after a failed chains chunk is the one the
 * file's chains left, whatever nodes came since.
 */
static void test_flush_fails_chains_late_node(void **state)
{
	run_in_child(chains_late_node_child, "chains-late.session");
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int setup(void **state)
{
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	return nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_node_column),
		cmocka_unit_test(test_time_column_bytes),
		cmocka_unit_test(test_node_column_bytes),
		cmocka_unit_test(test_leaf_column),
		cmocka_unit_test(test_chains_codes),
		cmocka_unit_test(test_time_one_column),
		cmocka_unit_test(test_time_many_cpus),
		cmocka_unit_test(test_location_by_chain),
		cmocka_unit_test(test_put_varints),
		cmocka_unit_test(test_written_bytes),
		cmocka_unit_test(test_column_strategy),
		cmocka_unit_test(test_tables_round_trip),
		cmocka_unit_test(test_estimate_bytes),
		cmocka_unit_test(test_reader_steps),
		cmocka_unit_test(test_decoded_ahead),
		cmocka_unit_test(test_skip_samples),
		cmocka_unit_test(test_big_flush),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_escaped_strings),
		cmocka_unit_test(test_existing_file),
		cmocka_unit_test(test_symlink_and_dir),
		cmocka_unit_test(test_mode_0600),
		cmocka_unit_test(test_read_errors),
		cmocka_unit_test(test_read_while_recorded),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_peak_rss),
		cmocka_unit_test(test_thread_written_again),
		cmocka_unit_test(test_thread_unknown_again),
		cmocka_unit_test(test_folded),
		cmocka_unit_test(test_force_replace),
		cmocka_unit_test(test_force_tables_only),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_bit_flips),
		cmocka_unit_test(test_huge_lengths),
		cmocka_unit_test(test_unknown_chunk),
		cmocka_unit_test(test_bad_contents),
		cmocka_unit_test(test_data_chunk_shapes),
		cmocka_unit_test(test_duplicate_entries),
		cmocka_unit_test(test_bad_tables),
		cmocka_unit_test(test_sample_bomb),
		cmocka_unit_test(test_zlib_stream),
		cmocka_unit_test(test_checksum),
		cmocka_unit_test(test_enospc),
		cmocka_unit_test(test_flush_fails_then_resumes),
		cmocka_unit_test(test_flush_fails_new_leaf),
		cmocka_unit_test(test_flush_fails_chains),
		cmocka_unit_test(test_flush_fails_chains_late_node),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
