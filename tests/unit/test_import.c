/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for the import plumbing: the input's lines across buffer
 * refills, from memory and from a file, CRLF and a last line without a
 * newline, a NUL or an overlong line refused, gzip inflated on the fly (several
 * members; a cut stream refused), peek that consumes nothing, a whole
 * read's cap; the sink's events joined by name and unit, stacks and the
 * spool that holds samples beyond a batch with their times rebased per
 * input, and the total of the weights it holds below 2^63 over all inputs,
 * for every importer; speedscope's times below 2^63 ns, refused from
 * there; perf script's sample lines in the forms perf prints,
 * and a time that is not a number refused; and detection, which must pick
 * each format from its first bytes and nothing from text that is none of
 * them.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include "flametop/import.h"
#include "flametop/session.h"

/* `len` bytes of `data` as one gzip member. Caller frees; sets *out_len. */
static unsigned char *gzip_member(const void *data, size_t len, size_t *out_len)
{
	z_stream z;
	unsigned char *out = malloc(len + 1024);

	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
			 Z_OK);
	z.next_in = (unsigned char *)data;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)(len + 1024);
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	*out_len = z.total_out;
	deflateEnd(&z);
	return out;
}

/* Lines of lengths 0..999 repeating, "L<n>:xxx...", 5 MB of them. */
static char *many_lines(size_t *len, unsigned *nlines)
{
	size_t cap = 6u << 20, at = 0;
	char *buf = malloc(cap);
	unsigned n = 0;

	while (at < (5u << 20)) {
		unsigned width = n % 1000;

		at += (size_t)sprintf(buf + at, "L%u:", n);
		memset(buf + at, 'x', width);
		at += width;
		buf[at++] = '\n';
		n++;
	}
	*len = at;
	*nlines = n;
	return buf;
}

static void check_lines(struct import_input *in, unsigned nlines)
{
	struct ft_error err;
	unsigned n = 0;
	size_t len;
	char *line;
	int r;

	while ((r = import_input_line(in, &line, &len, &err)) > 0) {
		char want[32];
		int head = sprintf(want, "L%u:", n);

		assert_int_equal(len, (size_t)head + n % 1000);
		assert_memory_equal(line, want, (size_t)head);
		assert_int_equal(line[len], '\0');
		n++;
		assert_int_equal(import_input_lineno(in), n);
	}
	assert_int_equal(r, 0);
	assert_int_equal(n, nlines);
}

static void test_lines_across_refills(void **state)
{
	unsigned nlines;
	size_t len;
	char *data = many_lines(&len, &nlines);
	struct import_input *in = import_input_mem(data, len, "mem");

	check_lines(in, nlines);
	assert_false(import_input_gzipped(in));
	import_input_free(in);
	free(data);
}

static void test_lines_from_a_file(void **state)
{
	char path[] = "/tmp/test_import.XXXXXX";
	struct ft_error err;
	struct import_input *in;
	unsigned nlines;
	size_t len;
	char *data = many_lines(&len, &nlines);
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	in = import_input_open(path, &err);
	assert_non_null(in);
	check_lines(in, nlines);
	import_input_free(in);
	unlink(path);
	free(data);

	assert_null(import_input_open("/nonexistent/file", &err));
	assert_string_equal(err.msg, "/nonexistent/file: No such file or directory");
	assert_null(import_input_open("/tmp", &err));
	assert_string_equal(err.msg, "/tmp: is a directory");
	assert_null(import_input_open("/dev/null", &err));
	assert_string_equal(err.msg, "/dev/null: not a regular file or a pipe");
}

static void test_crlf_last_line_nul(void **state)
{
	static const char text[] = "one\r\n\ntwo\nthree";
	static const char nul[] = "ok\nbad\0line\n";
	struct ft_error err;
	struct import_input *in = import_input_mem(text, sizeof(text) - 1, "t");
	size_t len;
	char *line;

	assert_int_equal(import_input_line(in, &line, &len, &err), 1);
	assert_string_equal(line, "one");
	assert_int_equal(len, 3);
	assert_int_equal(import_input_line(in, &line, &len, &err), 1);
	assert_int_equal(len, 0);
	assert_int_equal(import_input_line(in, &line, &len, &err), 1);
	assert_string_equal(line, "two");
	assert_int_equal(import_input_line(in, &line, &len, &err), 1);
	assert_string_equal(line, "three");
	assert_int_equal(import_input_line(in, &line, &len, &err), 0);
	assert_int_equal(import_input_line(in, &line, &len, &err), 0);
	import_input_free(in);

	in = import_input_mem(nul, sizeof(nul) - 1, "n");
	assert_int_equal(import_input_line(in, &line, &len, &err), 1);
	assert_int_equal(import_input_line(in, &line, &len, &err), -1);
	assert_string_equal(err.msg, "n:2: a NUL byte (not text)");
	import_input_free(in);
}

static void test_long_line(void **state)
{
	size_t n = IMPORT_MAX_LINE + 10;
	char *data = malloc(n + 6);
	struct ft_error err;
	struct import_input *in;
	size_t len;
	char *line;

	memcpy(data, "short\n", 6);
	memset(data + 6, 'a', n);
	in = import_input_mem(data, n + 6, "long");
	assert_int_equal(import_input_line(in, &line, &len, &err), 1);
	assert_int_equal(import_input_line(in, &line, &len, &err), -1);
	assert_string_equal(err.msg, "long:2: line longer than 1048576 bytes");
	import_input_free(in);
	free(data);
}

static void test_gzip(void **state)
{
	unsigned nlines;
	size_t len, g1, g2;
	char *data = many_lines(&len, &nlines);
	unsigned char *a = gzip_member(data, len / 2 + 3, &g1); /* cut mid-line */
	unsigned char *b = gzip_member(data + len / 2 + 3, len - len / 2 - 3, &g2);
	unsigned char *both = malloc(g1 + g2);
	struct import_input *in;
	struct ft_error err;
	const char *head;
	size_t hlen;
	char *line;

	memcpy(both, a, g1);
	memcpy(both + g1, b, g2);
	in = import_input_mem(both, g1 + g2, "gz");
	assert_int_equal(import_input_peek(in, 4, &head, &hlen, &err), 0);
	assert_int_equal(hlen, 4);
	assert_memory_equal(head, "L0:\n", 4);
	assert_true(import_input_gzipped(in));
	check_lines(in, nlines); /* the peek consumed nothing */
	import_input_free(in);

	in = import_input_mem(both, g1 - 5, "cut.gz");
	while (import_input_line(in, &line, &hlen, &err) > 0)
		;
	assert_non_null(strstr(err.msg, "cut.gz: truncated gzip data"));
	import_input_free(in);
	free(both);
	free(b);
	free(a);
	free(data);
}

static void test_read_all_cap(void **state)
{
	static const char text[] = "0123456789";
	struct import_input *in = import_input_mem(text, 10, "ten");
	struct ft_error err;
	char *all;
	size_t len;

	assert_int_equal(import_input_all(in, 9, &all, &len, &err), -1);
	assert_string_equal(err.msg,
			    "ten: larger than 9 bytes (the limit for a profile read whole)");
	import_input_free(in);
	in = import_input_mem(text, 10, "ten");
	assert_int_equal(import_input_all(in, 10, &all, &len, &err), 0);
	assert_int_equal(len, 10);
	assert_string_equal(all, text);
	free(all);
	import_input_free(in);
}

/* import_sink_event() of an event, its index in *id (asserted to work). */
static uint32_t event_ok(struct import_sink *s, const char *name, const char *unit)
{
	struct ft_error err;
	uint32_t id = UINT32_MAX;

	assert_int_equal(import_sink_event(s, name, unit, &id, &err), 0);
	return id;
}

static void test_sink_events_stacks(void **state)
{
	struct import_sink *s = import_sink_new(NULL, "out");
	struct profile *p = import_sink_profile(s);
	uint32_t f[3], a, b, c;

	a = event_ok(s, "cpu", "ns");
	b = event_ok(s, "cpu", "ns");
	c = event_ok(s, "cpu", "count");
	assert_int_equal(a, b);
	assert_int_not_equal(a, c);
	assert_string_equal(p->events[c].name, "cpu (count)");
	assert_int_equal(event_ok(s, "cpu", "count"), c);

	f[0] = profile_intern_frame(p, "main", "app", PROFILE_FRAME_USER);
	f[1] = profile_intern_frame(p, "run", "app", PROFILE_FRAME_USER);
	f[2] = profile_intern_frame(p, "leaf", "app", PROFILE_FRAME_USER);
	assert_int_equal(import_sink_stack(s, f, 0), PROFILE_ROOT);
	a = import_sink_stack(s, f, 3);
	assert_int_equal(profile_node_depth(p, a), 3);
	assert_int_equal(p->nodes[a].frame, f[2]);
	assert_int_equal(import_sink_stack(s, f, 3), a);
	import_sink_free(s);
}

/*
 * A sink writing a session to a new file named from `path` (a mkstemp
 * template, filled in); the writer in *w.
 */
static struct import_sink *sink_to_file(char *path, struct session_writer **w)
{
	struct ft_error err;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	*w = session_writer_open(path, false, &err);
	assert_non_null(*w);
	return import_sink_new(*w, path);
}

/* Samples beyond a batch go to the spool and come back rebased per input. */
static void test_sink_spool_and_rebase(void **state)
{
	char path[] = "/tmp/test_import_session.XXXXXX";
	struct profile_sample smp = { 0 };
	struct session_writer *w;
	struct import_sink *s;
	struct ft_error err;
	struct profile *p, *back;
	uint64_t i, n = 200000, sum = 0, max0 = 0, max1 = 0;
	uint32_t f, node;

	s = sink_to_file(path, &w);
	p = import_sink_profile(s);
	f = profile_intern_frame(p, "work", "app", PROFILE_FRAME_USER);
	node = import_sink_stack(s, &f, 1);
	smp.node = node;
	import_sink_begin_input(s, "first");
	smp.event = (uint16_t)event_ok(s, "cpu", "ns");
	for (i = 0; i < n; i++) {
		smp.time = 5000000000u + i * 1000; /* a clock that starts at 5 s */
		smp.weight = i % 7;
		smp.tid = smp.pid = 1;
		sum += smp.weight;
		assert_int_equal(import_sink_sample(s, &smp, &err), 0);
	}
	import_sink_begin_input(s, "second");
	smp.event = (uint16_t)event_ok(s, "faults", "count");
	for (i = 0; i < 10; i++) {
		smp.time = 100000 + i * 1000; /* a session keeps times to the us */
		smp.weight = 1;
		smp.tid = smp.pid = 2;
		assert_int_equal(import_sink_sample(s, &smp, &err), 0);
	}
	assert_int_equal(import_sink_samples(s), n + 10);
	assert_int_equal(import_sink_finish(s, &err), 0);
	import_sink_free(s);

	back = session_read(path, NULL, &err);
	assert_non_null(back);
	assert_int_equal(back->nevents, 2);
	assert_int_equal(back->nsamples, n + 10);
	for (i = 0, sum = 0; i < back->nsamples; i++) {
		const struct profile_sample *b = &back->samples[i];

		if (b->event == 0) {
			sum += b->weight;
			if (b->time > max0)
				max0 = b->time;
		} else if (b->time > max1) {
			max1 = b->time;
		}
	}
	assert_int_equal(max0, (n - 1) * 1000); /* each input starts at 0 */
	assert_int_equal(max1, 9000);
	assert_int_equal(back->meta.duration_ns, (n - 1) * 1000);
	for (i = 0, max0 = 0; i < n; i++)
		max0 += i % 7;
	assert_int_equal(sum, max0);
	profile_free(back);
	unlink(path);
}

/* import_run() of `len` bytes at `data`, named `name`, as `format` (NULL:
 * detected), into `s`. */
static int import_mem(struct import_sink *s, const char *format, const void *data, size_t len,
		      const char *name, struct ft_error *err)
{
	struct import_input *in = import_input_mem(data, len, name);
	int r = import_run(in, format ? import_find(format) : NULL, s, err);

	import_input_free(in);
	return r;
}

/* A session's reader refuses weights that add up past 2^63 - 1, so every
 * importer refuses them, naming the place of the sample that goes past. */
static void test_weight_total(void **state)
{
	/* Two pprof samples of the value 2^62 each (a varint of 9 bytes). */
	static const char pprof[] =
		"\x0a\x04\x08\x01\x10\x02" /* sample_type: samples, count */
		"\x12\x0e\x0a\x01\x01\x12\x09\x80\x80\x80\x80\x80\x80\x80\x80\x40" /* 2^62 */
		"\x12\x0e\x0a\x01\x01\x12\x09\x80\x80\x80\x80\x80\x80\x80\x80\x40" /* again */
		"\x22\x06\x08\x01\x22\x02\x08\x01" /* location 1: function 1 */
		"\x2a\x04\x08\x01\x10\x03" /* function 1: "main" */
		"\x32\x00\x32\x07samples\x32\x05\x63ount\x32\x04main"; /* "", ..., "main" */
	static const struct {
		const char *format, *name, *text, *error;
	} cases[] = {
		{ "folded", "two.folded", "a;b;c 9223372036854775807\nx 9223372036854775807\n",
		  "two.folded:2: the weights of the samples add up past 2^63 - 1" },
		{ "folded", "three.folded", "a 9223372036854775800\n\nb 7\nc 1\n",
		  "three.folded:4: the weights of the samples add up past 2^63 - 1" },
		{ "perf-script", "p.txt",
		  "x 1 1.0: 9223372036854775807 cycles:\n\t 1 main (/bin/x)\n\n"
		  "x 1 2.0: 1 cycles:\n\t 1 main (/bin/x)\n",
		  "p.txt:4: the weights of the samples add up past 2^63 - 1" },
		/* 9.3e9 s is 9.3e18 ns: past 2^63 ns, though perf script allows it. */
		{ "perf-script", "late.txt",
		  "x 1 1.0: 1 cycles:\n\t 1 main (/bin/x)\n\n"
		  "x 1 9300000000.0: 1 cycles:\n\t 1 main (/bin/x)\n",
		  "late.txt:4: a time of 2^63 ns or more (the limit)" },
		{ "speedscope", "s.json",
		  "{\"shared\": {\"frames\": [{\"name\": \"f\"}]}, \"profiles\": [{\"type\": "
		  "\"sampled\", \"unit\": \"none\", \"startValue\": 0, \"endValue\": 2, "
		  "\"samples\": [[0], [0], [0]], \"weights\": [1, 5e18, 5e18]}]}",
		  "s.json: profiles[0].weights[2]: the weights of the samples add up past 2^63 - 1" },
		/* 1e12 s is 1e21 ns, past what a uint64_t holds. */
		{ "speedscope", "secs.json",
		  "{\"shared\": {\"frames\": [{\"name\": \"f\"}]}, \"profiles\": [{\"type\": "
		  "\"sampled\", \"unit\": \"seconds\", \"startValue\": 0, \"endValue\": 2, "
		  "\"samples\": [[0]], \"weights\": [1e12]}]}",
		  "secs.json: profiles[0].weights[0]: the weights of the samples add up past "
		  "2^63 - 1" },
		{ "speedscope", "ev.json",
		  "{\"shared\": {\"frames\": [{\"name\": \"f\"}]}, \"profiles\": [{\"type\": "
		  "\"evented\", \"unit\": \"seconds\", \"startValue\": 0, \"endValue\": 1e10, "
		  "\"events\": [{\"type\": \"O\", \"at\": 0, \"frame\": 0}]}]}",
		  "ev.json: profiles[0].endValue: the weights of the samples add up past 2^63 - 1" },
	};
	struct import_sink *s;
	struct ft_error err;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		s = import_sink_new(NULL, "out");
		assert_int_equal(import_mem(s, cases[i].format, cases[i].text,
					    strlen(cases[i].text), cases[i].name, &err),
				 -1);
		assert_string_equal(err.msg, cases[i].error);
		import_sink_free(s);
	}
	s = import_sink_new(NULL, "out");
	assert_int_equal(import_mem(s, NULL, pprof, sizeof(pprof) - 1, "p.pb", &err), -1);
	assert_string_equal(err.msg, "p.pb: at byte 22: sample 1: the weights of the samples add "
				     "up past 2^63 - 1");
	import_sink_free(s);
}

/* The total is over all inputs; 2^63 - 1 itself is a session's reader reads. */
static void test_weight_total_over_inputs(void **state)
{
	static const char first[] = "a 9223372036854775800\n", second[] = "b 7\n",
			  third[] = "\nc 1\n";
	char path[] = "/tmp/test_import_weights.XXXXXX";
	struct session_writer *w;
	struct import_sink *s;
	struct ft_error err;
	struct profile *back;
	uint64_t sum = 0;
	size_t i;

	s = sink_to_file(path, &w);
	assert_int_equal(import_mem(s, NULL, first, strlen(first), "first", &err), 0);
	assert_int_equal(import_mem(s, NULL, second, strlen(second), "second", &err), 0);
	assert_int_equal(import_sink_finish(s, &err), 0);
	import_sink_free(s);
	back = session_read(path, NULL, &err);
	assert_non_null(back);
	for (i = 0; i < back->nsamples; i++)
		sum += back->samples[i].weight;
	assert_int_equal(sum, INT64_MAX);
	profile_free(back);
	unlink(path);

	s = import_sink_new(NULL, "out");
	assert_int_equal(import_mem(s, NULL, first, strlen(first), "first", &err), 0);
	assert_int_equal(import_mem(s, NULL, second, strlen(second), "second", &err), 0);
	assert_int_equal(import_mem(s, "folded", third, strlen(third), "third", &err), -1);
	assert_string_equal(err.msg, "third:2: the weights of the samples add up past 2^63 - 1 "
				     "(with the inputs before it)");
	import_sink_free(s);
}

/* speedscope's times in ns stay below 2^63, as a session's do: a startValue,
 * a sample's start (startValue plus the weights before it) or an event's "at"
 * from 2^63 ns on is refused, naming its place; times just below are read
 * back as they were, to the microsecond (a session's precision). */
static void test_speedscope_times(void **state)
{
	static const struct {
		const char *name, *text, *error;
	} refused[] = {
		/* 1e21 ns, past what a uint64_t holds. */
		{ "big.json",
		  "{\"shared\": {\"frames\": [{\"name\": \"f\"}]}, \"profiles\": [{\"type\": "
		  "\"sampled\", \"unit\": \"seconds\", \"startValue\": 1e12, \"endValue\": 0, "
		  "\"samples\": [[0], [0]], \"weights\": [1, 1]}]}",
		  "big.json: profiles[0].startValue: 2^63 ns or more (the limit)" },
		/* Exactly 2^63 ns. */
		{ "bound.json",
		  "{\"shared\": {\"frames\": [{\"name\": \"f\"}]}, \"profiles\": [{\"type\": "
		  "\"sampled\", \"unit\": \"microseconds\", \"startValue\": 9223372036854775, "
		  "\"endValue\": 0, \"samples\": [[0]], \"weights\": [1]}]}",
		  "bound.json: profiles[0].startValue: 2^63 ns or more (the limit)" },
		{ "sum.json",
		  "{\"shared\": {\"frames\": [{\"name\": \"f\"}]}, \"profiles\": [{\"type\": "
		  "\"sampled\", \"unit\": \"nanoseconds\", \"startValue\": 9e18, \"endValue\": 0, "
		  "\"samples\": [[0], [0]], \"weights\": [3e17, 1]}]}",
		  "sum.json: profiles[0].samples[1]: startValue plus the weights before it come "
		  "to 2^63 ns or more (the limit)" },
		{ "ev.json",
		  "{\"shared\": {\"frames\": [{\"name\": \"f\"}]}, \"profiles\": [{\"type\": "
		  "\"evented\", \"unit\": \"seconds\", \"startValue\": 0, \"endValue\": 0, "
		  "\"events\": [{\"type\": \"O\", \"at\": 1, \"frame\": 0}, {\"type\": \"C\", "
		  "\"at\": 2, \"frame\": 0}, {\"type\": \"O\", \"at\": 1e10, \"frame\": 0}, "
		  "{\"type\": \"C\", \"at\": 10000000001, \"frame\": 0}]}]}",
		  "ev.json: profiles[0].events[2].at: 2^63 ns or more (the limit)" },
	};
	/* The first profile, from 0, keeps the others' times as they are (an
	 * input's times are rebased to its earliest). */
	static const char valid[] =
		"{\"shared\": {\"frames\": [{\"name\": \"f\"}]}, \"profiles\": ["
		"{\"type\": \"sampled\", \"unit\": \"nanoseconds\", \"startValue\": 0, "
		"\"endValue\": 0, \"samples\": [[0]], \"weights\": [1]}, "
		"{\"type\": \"sampled\", \"unit\": \"microseconds\", \"startValue\": "
		"9223372036854774, \"endValue\": 0, \"samples\": [[0]], \"weights\": [1]}, "
		"{\"type\": \"sampled\", \"unit\": \"nanoseconds\", \"startValue\": 9e18, "
		"\"endValue\": 0, \"samples\": [[0], [0]], \"weights\": [2e17, 1]}, "
		"{\"type\": \"evented\", \"unit\": \"seconds\", \"startValue\": 0, \"endValue\": "
		"9.2e9, \"events\": [{\"type\": \"O\", \"at\": 9.1e9, \"frame\": 0}]}]}";
	/* Each profile's samples' times in ns, by tid (1, 2, ...), rounded
	 * down to the microsecond. */
	static const uint64_t times[][2] = {
		{ 0 },
		{ 9223372036854773000u },
		{ 9000000000000000000u, 9200000000000000000u },
		{ 9100000000000000000u },
	};
	static const size_t ntimes[] = { 1, 1, 2, 1 };
	char path[] = "/tmp/test_import_times.XXXXXX";
	struct session_writer *w;
	struct import_sink *s;
	struct ft_error err;
	struct profile *back;
	size_t i, seen[ARRAY_SIZE(ntimes)] = { 0 };

	for (i = 0; i < ARRAY_SIZE(refused); i++) {
		s = import_sink_new(NULL, "out");
		assert_int_equal(import_mem(s, "speedscope", refused[i].text,
					    strlen(refused[i].text), refused[i].name, &err),
				 -1);
		assert_string_equal(err.msg, refused[i].error);
		import_sink_free(s);
	}

	s = sink_to_file(path, &w);
	assert_int_equal(import_mem(s, NULL, valid, strlen(valid), "valid.json", &err), 0);
	assert_int_equal(import_sink_finish(s, &err), 0);
	import_sink_free(s);
	back = session_read(path, NULL, &err);
	assert_non_null(back);
	assert_int_equal(back->nsamples, 5);
	for (i = 0; i < back->nsamples; i++) {
		const struct profile_sample *b = &back->samples[i];
		size_t k = b->tid - 1;

		assert_true(k < ARRAY_SIZE(ntimes) && seen[k] < ntimes[k]);
		assert_int_equal(b->time, times[k][seen[k]++]);
	}
	/* the end of tid 2's sample, 1 us after its start */
	assert_int_equal(back->meta.duration_ns, 9223372036854774760u);
	profile_free(back);
	unlink(path);
}

/* In time, a speedscope sample of no stack ([], as export writes a gap) is
 * time its thread did not run: no sample, but the next one starts after it
 * (10 ms, 3 s idle, 10 ms from 0: samples at 0 and 3.01 s). */
static void test_speedscope_idle(void **state)
{
	static const char timed[] =
		"{\"shared\": {\"frames\": [{\"name\": \"f\"}]}, \"profiles\": ["
		"{\"type\": \"sampled\", \"unit\": \"milliseconds\", \"startValue\": 0, "
		"\"endValue\": 3020, \"samples\": [[0], [], [0]], \"weights\": [10, 3000, 10]}]}";
	char path[] = "/tmp/test_import_idle.XXXXXX";
	struct session_writer *w;
	struct import_sink *s;
	struct ft_error err;
	struct profile *back;

	(void)state;
	s = sink_to_file(path, &w);
	assert_int_equal(import_mem(s, NULL, timed, strlen(timed), "idle.json", &err), 0);
	assert_int_equal(import_sink_finish(s, &err), 0);
	import_sink_free(s);
	back = session_read(path, NULL, &err);
	assert_non_null(back);
	assert_int_equal(back->nsamples, 2);
	assert_int_equal(back->samples[0].time, 0);
	assert_int_equal(back->samples[1].time, 3010000000u);
	assert_int_equal(back->samples[0].weight + back->samples[1].weight, 20000000);
	assert_int_equal(back->meta.duration_ns, 3020000000u);
	profile_free(back);
	unlink(path);
}

/* A speedscope profile lasts until its last sample's end, not its start:
 * sampled 10 + 10 + 30 ms from startValue 5 ms ends at 55 ms, and a count's
 * samples (bytes) are at 0 and take no time; a profile from 5 to 6 ms and
 * an evented one, a frame open from 100 to 170 ms, last 165 ms. */
static void test_speedscope_duration(void **state)
{
	static const struct {
		const char *text;
		uint64_t duration_ns;
	} cases[] = {
		{ "{\"shared\": {\"frames\": [{\"name\": \"f\"}, {\"name\": \"g\"}]}, "
		  "\"profiles\": [{\"type\": \"sampled\", \"unit\": \"milliseconds\", "
		  "\"startValue\": 5, \"endValue\": 55, \"samples\": [[0], [0, 1], [0]], "
		  "\"weights\": [10, 10, 30]}, {\"type\": \"sampled\", \"unit\": \"bytes\", "
		  "\"startValue\": 0, \"endValue\": 0, \"samples\": [[1]], "
		  "\"weights\": [4096]}]}",
		  55000000 },
		{ "{\"shared\": {\"frames\": [{\"name\": \"f\"}]}, \"profiles\": ["
		  "{\"type\": \"sampled\", \"unit\": \"milliseconds\", \"startValue\": 5, "
		  "\"endValue\": 6, \"samples\": [[0]], \"weights\": [1]}, "
		  "{\"type\": \"evented\", \"unit\": \"milliseconds\", \"startValue\": 100, "
		  "\"endValue\": 170, \"events\": [{\"type\": \"O\", \"at\": 100, "
		  "\"frame\": 0}, {\"type\": \"C\", \"at\": 170, \"frame\": 0}]}]}",
		  165000000 },
	};
	char path[] = "/tmp/test_import_duration.XXXXXX";
	struct session_writer *w;
	struct import_sink *s;
	struct ft_error err;
	struct profile *back;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		strcpy(path, "/tmp/test_import_duration.XXXXXX");
		s = sink_to_file(path, &w);
		assert_int_equal(import_mem(s, "speedscope", cases[i].text, strlen(cases[i].text),
					    "d.json", &err),
				 0);
		assert_int_equal(import_sink_finish(s, &err), 0);
		import_sink_free(s);
		back = session_read(path, NULL, &err);
		assert_non_null(back);
		assert_int_equal(back->meta.duration_ns, cases[i].duration_ns);
		profile_free(back);
		unlink(path);
	}
}

/* A session holds at most IMPORT_MAX_EVENTS events, over all inputs: one
 * more, in a perf script's samples or header, or in a pprof profile's
 * sample types after another input's, is refused (it was an abort, after
 * seconds, at 65535). */
static void test_too_many_events(void **state)
{
	/* A pprof profile of one sample type, "other" in "count". */
	static const char pprof[] = "\x0a\x04\x08\x01\x10\x02" /* sample_type: other, count */
				    "\x32\x00\x32\x05other\x32\x05\x63ount";
	size_t size = (IMPORT_MAX_EVENTS + 1) * 64, len = 0, i;
	char *samples = xmalloc(size), *header = xmalloc(size);
	struct import_sink *s;
	struct ft_error err;

	for (i = 0; i <= IMPORT_MAX_EVENTS; i++)
		len += (size_t)snprintf(samples + len, size - len,
					"x 1 1.%06zu: 1 ev%zu:\n\t 1 main (/bin/x)\n\n", i, i);
	s = import_sink_new(NULL, "out");
	assert_int_equal(import_mem(s, "perf-script", samples, len, "s.txt", &err), -1);
	assert_string_equal(err.msg, "s.txt: more than 4096 events (the limit)");
	assert_int_equal(import_sink_profile(s)->nevents, IMPORT_MAX_EVENTS);
	import_sink_free(s);

	for (i = len = 0; i <= IMPORT_MAX_EVENTS; i++)
		len += (size_t)snprintf(header + len, size - len,
					"# event : name = ev%zu, type = 1\n", i);
	s = import_sink_new(NULL, "out");
	import_sink_begin_input(s, "h.txt");
	assert_int_equal(import_mem(s, "perf-script", header, len, "h.txt", &err), -1);
	assert_string_equal(err.msg, "h.txt: more than 4096 events (the limit)");
	import_sink_free(s);

	/* All the events a session holds from one input (the header's first
	 * 4096 and a sample); one more from the next. */
	len = (size_t)(strstr(header, "# event : name = ev4096,") - header);
	len += (size_t)snprintf(header + len, size - len, "x 1 1.0: 1 ev0:\n\t 1 main (/bin/x)\n");
	s = import_sink_new(NULL, "out");
	import_sink_begin_input(s, "first");
	assert_int_equal(import_mem(s, "perf-script", header, len, "first", &err), 0);
	assert_int_equal(import_sink_profile(s)->nevents, IMPORT_MAX_EVENTS);
	import_sink_begin_input(s, "p.pb");
	assert_int_equal(import_mem(s, "pprof", pprof, sizeof(pprof) - 1, "p.pb", &err), -1);
	assert_string_equal(err.msg, "p.pb: more than 4096 events (the limit)");
	import_sink_free(s);
	free(samples);
	free(header);
}

/* perf script --show-lost-events: the records perf says were lost are the
 * session's lost count (as perf report's "Total Lost Samples"), over all
 * inputs, stopping at 2^63 - 1; other side-band records count none. */
static void test_perf_script_lost(void **state)
{
	static const char text[] =
		":6284  6284 [000] 83348.827816: PERF_RECORD_LOST lost 259\n"
		"x 1 [001] 83348.8278: 1 cycles:\n\t 1 f (/x)\n\n"
		"perf-exec  6216 [001] 83348.827831: PERF_RECORD_LOST lost 324\n"
		"x 1 [001] 83348.8279: PERF_RECORD_LOST_SAMPLES lost 7\n"
		"x 1 [001] 83348.8280: PERF_RECORD_COMM: x:1/1\n";
	static const char huge[] = "x 1 1.5: PERF_RECORD_LOST lost 9223372036854775000\n"
				   "x 1 1.6: 1 cycles:\n\t 1 f (/x)\n";
	struct import_sink *s = import_sink_new(NULL, "out");
	struct profile *p = import_sink_profile(s);
	struct ft_error err;

	assert_int_equal(import_mem(s, "perf-script", text, strlen(text), "l.txt", &err), 0);
	assert_int_equal(p->meta.lost, 259 + 324 + 7);
	assert_int_equal(p->nsamples, 1);
	assert_int_equal(import_mem(s, "perf-script", huge, strlen(huge), "h.txt", &err), 0);
	assert_int_equal(import_mem(s, "perf-script", huge, strlen(huge), "h.txt", &err), 0);
	assert_int_equal(p->meta.lost, INT64_MAX);
	import_sink_free(s);
}

/* perf scripts from several hosts: the session names each host and kernel
 * once, in the order first seen, not the first input's alone; a few, then
 * "and others". */
static void test_meta_over_inputs(void **state)
{
	static const char *const hosts[] = { "vm", "db1", "vm", "db2 ", "db3", "db4", "db5" };
	struct import_sink *s = import_sink_new(NULL, "out");
	struct profile *p = import_sink_profile(s);
	struct ft_error err;
	char text[256], name[16];
	size_t i;
	int len;

	for (i = 0; i < ARRAY_SIZE(hosts); i++) {
		len = snprintf(text, sizeof(text),
			       "# ========\n# hostname : %s\n# os release : 6.%zu\n# ========\n"
			       "x 1 1.5: 1 cycles:\n\t 1 f (/x)\n",
			       hosts[i], i < 3 ? (size_t)1 : i);
		snprintf(name, sizeof(name), "%zu.txt", i);
		import_sink_begin_input(s, name);
		assert_int_equal(import_mem(s, "perf-script", text, (size_t)len, name, &err), 0);
		if (i == 0) {
			assert_string_equal(p->meta.host, "vm");
			assert_string_equal(p->meta.kernel, "6.1");
		}
		if (i == 2) {
			assert_string_equal(p->meta.host, "vm, db1");
			assert_string_equal(p->meta.kernel, "6.1");
		}
	}
	assert_string_equal(p->meta.host, "vm, db1, db2, db3 and others");
	assert_string_equal(p->meta.kernel, "6.1, 6.3, 6.4, 6.5 and others");
	import_sink_free(s);
}

/* Inputs from different runs reuse thread IDs: a thread ID an earlier
 * input named for another thread is given a new one, with its samples
 * (all were the latest name's); the same thread again keeps its ID. */
static void test_thread_ids_over_inputs(void **state)
{
	static const char *const inputs[] = {
		"a 7/8 1.0: 1 cycles:\n\t 1 f (/x)\n",
		"b 7/8 1.0: 1 cycles:\n\t 1 f (/x)\n\nb 7/8 1.5: 1 cycles:\n\t 1 f (/x)\n",
		"a 7/8 1.0: 1 cycles:\n\t 1 f (/x)\n",
		"c 9 1.0: 1 cycles:\n\t 1 f (/x)\n",
	};
	static const uint32_t tids[] = { 8, IMPORT_FIRST_NEW_ID, IMPORT_FIRST_NEW_ID, 8, 9 };
	struct import_sink *s = import_sink_new(NULL, "out");
	struct profile *p = import_sink_profile(s);
	const struct profile_thread *t;
	struct ft_error err;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(inputs); i++) {
		import_sink_begin_input(s, "in.txt");
		assert_int_equal(import_mem(s, "perf-script", inputs[i], strlen(inputs[i]),
					    "in.txt", &err),
				 0);
	}
	t = profile_find_thread(p, 8);
	assert_non_null(t);
	assert_string_equal(profile_string(p, t->comm), "a");
	t = profile_find_thread(p, IMPORT_FIRST_NEW_ID);
	assert_non_null(t);
	assert_int_equal(t->pid, 7);
	assert_string_equal(profile_string(p, t->comm), "b");
	assert_int_equal(p->nsamples, ARRAY_SIZE(tids));
	for (i = 0; i < ARRAY_SIZE(tids); i++) {
		assert_int_equal(p->samples[i].tid, tids[i]);
		assert_int_equal(p->samples[i].pid, tids[i] == 9 ? 9 : 7);
	}
	import_sink_free(s);
}

/* perf script's sample lines, in the forms perf prints, and a time that is
 * not a number refused (not read as the event). */
static void test_perf_script_sample_lines(void **state)
{
	static const struct {
		const char *text, *event, *comm;
		uint32_t tid;
	} valid[] = {
		{ "split 31108   602.058538:    1001001 cpu-clock: \n\t 1446 main (/x)\n",
		  "cpu-clock", "split", 31108 },
		{ "libcsort 23465/23466  1371.880407:    1001001 cpu-clock: \n\t 135a f (/x)\n",
		  "cpu-clock", "libcsort", 23466 },
		{ "kworker/0:1 H    17 [001] cpu-clock:\n\t ffffffff81000000 worker ([kernel.x])\n",
		  "cpu-clock", "kworker/0:1 H", 17 },
		{ "app 7 [002] 250000 cycles:\n\t 1 f (/x)\n", "cycles", "app", 7 },
		{ "Thread 2 7/8 [003] 5.000001: 10 cycles:u:\n\t 1 f (/x)\n", "cycles", "Thread 2",
		  8 },
		{ "bash  1001 [000]   100.000100:     250000 cpu-clock:u:      55d0000010a0 "
		  "parse_line+0x20 (/usr/bin/bash)\n",
		  "cpu-clock", "bash", 1001 },
		{ "swapper     0 [001]   100.000700:          1 sched:sched_switch: "
		  "prev_comm=swapper/1 prev_pid=0 ==> next_comm=bash next_pid=1001\n",
		  "sched:sched_switch", "swapper", 0 },
		{ "cat 5 [000] syscalls:sys_enter_read: fd: 0x00000003, count: 0x00020000\n",
		  "syscalls:sys_enter_read", "cat", 5 },
		/* perf script -F without the event field, with or without the period */
		{ "split 17944 72837.074257: \n\t 118b main (/x)\n", "unknown-event", "split",
		  17944 },
		{ "split 17944/17945 [001] 72837.074257:    1001001 \n\t 118b main (/x)\n",
		  "unknown-event", "split", 17945 },
		/* ... the event then the one perf's header names */
		{ "# event : name = cpu-clock:ppp, , id = { 5 }, type = 1\n"
		  "split 17944 72837.074257:    1001001 \n\t 118b main (/x)\n",
		  "cpu-clock", "split", 17944 },
		/* ... or without the period: the header's event, counting samples
		 * (it was a second event, the first left empty) */
		{ "# event : name = cpu-clock, , id = { 5 }, type = 1\n"
		  "split 17944 72837.074257: \n\t 118b main (/x)\n",
		  "cpu-clock", "split", 17944 },
	};
	static const struct {
		const char *text, *error;
	} invalid[] = {
		{ "burn  1234 [000]  notatime:   10 cpu-clock: \n\tzzz\n",
		  "x.txt:1: time 'notatime' is not a number of the form SECONDS.FRACTION" },
		{ "burn 1234 602: 10 cpu-clock:\n\t 1 f (/x)\n",
		  "x.txt:1: time '602' is not a number of the form SECONDS.FRACTION" },
		{ "a 1 1.5: 1 cycles:\n\t 1 f (/x)\n\nburn 9/10 [001] 12x.5: 10 cycles:\n",
		  "x.txt:4: time '12x.5' is not a number of the form SECONDS.FRACTION" },
	};
	struct import_sink *s;
	struct ft_error err;
	struct profile *p;
	const struct profile_thread *t;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(valid); i++) {
		s = import_sink_new(NULL, "out");
		p = import_sink_profile(s);
		if (import_mem(s, "perf-script", valid[i].text, strlen(valid[i].text), "x.txt",
			       &err) < 0)
			fail_msg("'%s' refused: %s", valid[i].text, err.msg);
		assert_int_equal(p->nevents, 1);
		assert_string_equal(p->events[0].name, valid[i].event);
		t = profile_find_thread(p, valid[i].tid);
		assert_non_null(t);
		assert_string_equal(profile_string(p, t->comm), valid[i].comm);
		import_sink_free(s);
	}
	for (i = 0; i < ARRAY_SIZE(invalid); i++) {
		s = import_sink_new(NULL, "out");
		assert_int_equal(import_mem(s, "perf-script", invalid[i].text,
					    strlen(invalid[i].text), "x.txt", &err),
				 -1);
		assert_string_equal(err.msg, invalid[i].error);
		import_sink_free(s);
	}
}

static void test_detect(void **state)
{
	static const struct {
		const char *head;
		const char *format; /* NULL: none */
	} cases[] = {
		{ "# ========\n# captured on: x\n", "perf-script" },
		{ "split 31108   602.058538:    1001001 cpu-clock: \n\t 1446 main (/x)\n",
		  "perf-script" },
		{ "           bash  1001 [000]   100.000100:     250000 cpu-clock:u:  55d0 f (/b)\n",
		  "perf-script" },
		{ "kworker/0:1 H    17 [001] cpu-clock:\n", "perf-script" },
		{ "split 17944 72837.074257: \n\t 118b main (/x)\n", "perf-script" },
		{ "main;a;b 30\nmain;c 1\n", "folded" },
		{ "main;a;b 30.5\n", "folded" },
		{ "\n\nmain;a;b\n", "folded" },
		{ "java 12\n", "folded" },
		{ "{\"$schema\": \"https://www.speedscope.app/file-format-schema.json\"}",
		  "speedscope" },
		{ " {\"shared\": {\"frames\": []}, \"profiles\": []}", "speedscope" },
		/* the head of a file whose first key is long: its frames, its profiles */
		{ "{\"shared\": {\"frames\": [{\"name\": \"f0\"}, {\"name\": \"f1\"}, ",
		  "speedscope" },
		{ "{\"profiles\": [{\"type\": \"sampled\", \"name\": \"a\", \"unit\": \"none\", "
		  "\"samples\": [[0], [0], ",
		  "speedscope" },
		{ "{\"shared\": 1}", NULL },
		{ "hello world\n", NULL },
		{ "# a comment\n", NULL },
		{ "{\"not\": \"speedscope\"}", NULL },
		{ "\x7f" "ELF\x02\x01\x01", NULL },
	};
	static const unsigned char pprof[] = { 0x0a, 0x04, 0x08, 0x01, 0x10, 0x02, 0x32, 0x00 };
	const struct importer *imp;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		imp = import_detect(cases[i].head, strlen(cases[i].head));
		if (cases[i].format) {
			assert_non_null(imp);
			assert_string_equal(imp->name, cases[i].format);
		} else if (imp) {
			fail_msg("'%s' detected as %s", cases[i].head, imp->name);
		}
	}
	imp = import_detect((const char *)pprof, sizeof(pprof));
	assert_non_null(imp);
	assert_string_equal(imp->name, "pprof");
	assert_non_null(import_find("folded"));
	assert_null(import_find("svg"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_across_refills),
		cmocka_unit_test(test_lines_from_a_file),
		cmocka_unit_test(test_crlf_last_line_nul),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_gzip),
		cmocka_unit_test(test_read_all_cap),
		cmocka_unit_test(test_sink_events_stacks),
		cmocka_unit_test(test_sink_spool_and_rebase),
		cmocka_unit_test(test_weight_total),
		cmocka_unit_test(test_weight_total_over_inputs),
		cmocka_unit_test(test_speedscope_times),
		cmocka_unit_test(test_speedscope_idle),
		cmocka_unit_test(test_speedscope_duration),
		cmocka_unit_test(test_too_many_events),
		cmocka_unit_test(test_meta_over_inputs),
		cmocka_unit_test(test_perf_script_lost),
		cmocka_unit_test(test_thread_ids_over_inputs),
		cmocka_unit_test(test_perf_script_sample_lines),
		cmocka_unit_test(test_detect),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
