/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for the report renderers: exact text, JSON and folded output
 * of a small hand-built profile, filters and several events in the header,
 * hostile names sanitized, ';' kept out of folded frames, and the empty
 * profile.
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

#include <cmocka.h>

#include "flametop/profile.h"
#include "flametop/report.h"

#define APP "/usr/bin/app"
#define LIBC "/usr/lib/x86_64-linux-gnu/libc.so.6"
#define KERNEL "[kernel.kallsyms]"

struct fr {
	const char *name, *module;
	enum profile_frame_kind kind;
};

/* Interns a stack given outermost first, ending with a NULL name. */
static uint32_t stack(struct profile *p, const struct fr *frames)
{
	uint32_t node = PROFILE_ROOT;

	for (; frames->name; frames++)
		node = profile_intern_node(
			p, node,
			profile_intern_frame(p, frames->name, frames->module, frames->kind));
	return node;
}

static void add(struct profile *p, uint32_t node, uint64_t time, uint64_t weight, uint32_t pid,
		uint32_t tid, uint16_t event)
{
	struct profile_sample s = { .time = time, .weight = weight, .node = node, .pid = pid,
				    .tid = tid, .event = event };

	profile_add_sample(p, &s);
}

/*
 *   app (pid 1, tid 1):    main;compute;memcpy  4   main;compute  3
 *   worker (pid 1, tid 2): start_thread;worker;do_syscall_64  2
 *   tid 3, no name known:  main;compute  1
 */
static struct profile *build(void)
{
	static const struct fr s1[] = { { "main", APP, 0 },
					{ "compute", APP, 0 },
					{ "memcpy", LIBC, 0 },
					{ NULL, NULL, 0 } };
	static const struct fr s2[] = { { "start_thread", LIBC, 0 },
					{ "worker", APP, 0 },
					{ "do_syscall_64", KERNEL, PROFILE_FRAME_KERNEL },
					{ NULL, NULL, 0 } };
	struct profile *p = profile_new();
	uint32_t leaf, compute;

	profile_add_event(p, "cycles", "cycles");
	p->meta.frequency = 99;
	p->meta.duration_ns = 2500000000u;
	p->meta.lost = 3;
	profile_set_thread(p, 1, 1, "app");
	profile_set_thread(p, 1, 2, "worker");
	leaf = stack(p, s1);
	compute = p->nodes[leaf].parent;
	add(p, leaf, 100000000u, 4, 1, 1, 0);
	add(p, compute, 1200000000u, 3, 1, 1, 0);
	add(p, stack(p, s2), 1500000000u, 2, 1, 2, 0);
	add(p, compute, 2400000000u, 1, 9, 3, 0);
	return p;
}

/* Caller frees: what report_write() printed; *ret gets its result. */
static char *render(const struct profile *p, const struct report_options *o, int *ret)
{
	struct ft_error err = { .msg = "" };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	*ret = report_write(f, p, o, &err);
	fclose(f);
	return buf;
}

static char *render_ok(const struct profile *p, const struct report_options *o)
{
	int ret;
	char *s = render(p, o, &ret);

	assert_int_equal(ret, 0);
	return s;
}

static void options(struct report_options *o, enum report_format format)
{
	memset(o, 0, sizeof(*o));
	o->format = format;
	o->source = "run.ftsession";
	profile_filter_init(&o->filter);
}

static void test_parse_format(void **state)
{
	enum report_format f = REPORT_TEXT;

	assert_int_equal(report_parse_format("json", &f), 0);
	assert_int_equal(f, REPORT_JSON);
	assert_int_equal(report_parse_format("folded", &f), 0);
	assert_int_equal(f, REPORT_FOLDED);
	assert_int_equal(report_parse_format("text", &f), 0);
	assert_int_equal(f, REPORT_TEXT);
	assert_int_equal(report_parse_format("svg", &f), -EINVAL);
	assert_int_equal(report_parse_format("", &f), -EINVAL);
	assert_int_equal(f, REPORT_TEXT);
}

static void test_text(void **state)
{
	struct profile *p = build();
	struct report_options o;
	char *s;

	options(&o, REPORT_TEXT);
	s = render_ok(p, &o);
	assert_string_equal(s, "# source: run.ftsession\n"
			       "# event: cycles (unit: cycles), frequency 99 Hz\n"
			       "# samples: 4, duration: 2.50 s, lost: 3\n"
			       "   Self    Total  Function       Module\n"
			       " 40.00%   80.00%  compute        app\n"
			       " 40.00%   40.00%  memcpy         libc.so.6\n"
			       " 20.00%   20.00%  do_syscall_64  [kernel.kallsyms]\n"
			       "  0.00%   80.00%  main           app\n"
			       "  0.00%   20.00%  start_thread   libc.so.6\n"
			       "  0.00%   20.00%  worker         app\n");
	free(s);

	o.top = 2;
	o.source = NULL;
	p->meta.throttled = 5;
	s = render_ok(p, &o);
	assert_string_equal(s, "# event: cycles (unit: cycles), frequency 99 Hz\n"
			       "# samples: 4, duration: 2.50 s, lost: 3, throttled: 5\n"
			       "   Self    Total  Function  Module\n"
			       " 40.00%   80.00%  compute   app\n"
			       " 40.00%   40.00%  memcpy    libc.so.6\n");
	free(s);
	profile_free(p);
}

static void test_text_filters(void **state)
{
	struct profile *p = build();
	struct report_options o;
	char *s;

	options(&o, REPORT_TEXT);
	o.filter.pid = 1;
	o.filter.tid = 1;
	o.filter.from = 1000000000u;
	o.filter.to = 2000000000u;
	s = render_ok(p, &o);
	assert_string_equal(s, "# source: run.ftsession\n"
			       "# event: cycles (unit: cycles), frequency 99 Hz\n"
			       "# samples: 1, duration: 1.00 s, lost: 3\n"
			       "# filters: pid 1, tid 1, from 1.00 s, to 2.00 s\n"
			       "   Self    Total  Function  Module\n"
			       "100.00%  100.00%  compute   app\n"
			       "  0.00%  100.00%  main      app\n");
	free(s);

	/* No match: the header, then one line saying so. */
	o.filter.pid = 77;
	p->meta.frequency = 0;
	s = render_ok(p, &o);
	assert_string_equal(s, "# source: run.ftsession\n"
			       "# event: cycles (unit: cycles), sampled by period\n"
			       "# samples: 0, duration: 1.00 s, lost: 3\n"
			       "# filters: pid 77, tid 1, from 1.00 s, to 2.00 s\n"
			       "no matching samples\n");
	free(s);
	profile_free(p);
}

static void test_several_events(void **state)
{
	static const struct fr s[] = { { "spin", APP, 0 }, { NULL, NULL, 0 } };
	struct profile *p = build();
	struct report_options o;
	char *out;
	int ret;

	profile_add_event(p, "cpu-clock", "ns");
	add(p, stack(p, s), 5, 1000000, 1, 1, 1);

	options(&o, REPORT_TEXT);
	o.top = 1;
	out = render_ok(p, &o);
	assert_string_equal(out, "# source: run.ftsession\n"
				 "# event: cycles (unit: cycles), frequency 99 Hz\n"
				 "# 2 events recorded; showing the first (choose with --event)\n"
				 "# samples: 4, duration: 2.50 s, lost: 3\n"
				 "   Self    Total  Function  Module\n"
				 " 40.00%   80.00%  compute   app\n");
	free(out);

	o.filter.event = 1;
	out = render_ok(p, &o);
	assert_string_equal(out, "# source: run.ftsession\n"
				 "# event: cpu-clock (unit: ns), frequency 99 Hz\n"
				 "# samples: 1, duration: 2.50 s, lost: 3\n"
				 "# filters: event cpu-clock\n"
				 "   Self    Total  Function  Module\n"
				 "100.00%  100.00%  spin      app\n");
	free(out);

	options(&o, REPORT_JSON);
	out = render_ok(p, &o);
	assert_string_equal(out, "{\"total\": 10, \"unit\": \"cycles\", \"functions\": ["
				 "{\"name\": \"compute\", \"module\": \"" APP "\", \"self\": 4, "
				 "\"total\": 8}, "
				 "{\"name\": \"memcpy\", \"module\": \"" LIBC "\", \"self\": 4, "
				 "\"total\": 4}, "
				 "{\"name\": \"do_syscall_64\", \"module\": \"" KERNEL "\", "
				 "\"self\": 2, \"total\": 2}, "
				 "{\"name\": \"main\", \"module\": \"" APP "\", \"self\": 0, "
				 "\"total\": 8}, "
				 "{\"name\": \"start_thread\", \"module\": \"" LIBC "\", \"self\": 0, "
				 "\"total\": 2}, "
				 "{\"name\": \"worker\", \"module\": \"" APP "\", \"self\": 0, "
				 "\"total\": 2}]}\n");
	free(out);

	o.filter.event = 1;
	out = render_ok(p, &o);
	assert_string_equal(out, "{\"total\": 1000000, \"unit\": \"ns\", \"functions\": ["
				 "{\"name\": \"spin\", \"module\": \"" APP "\", \"self\": 1000000, "
				 "\"total\": 1000000}]}\n");
	free(out);

	/* An event the session doesn't have is an error, not an empty report. */
	o.filter.event = 2;
	out = render(p, &o, &ret);
	assert_int_equal(ret, -EINVAL);
	free(out);
	profile_free(p);
}

static void test_json(void **state)
{
	struct profile *p = build();
	struct report_options o;
	char *s;

	options(&o, REPORT_JSON);
	o.top = 2;
	s = render_ok(p, &o);
	assert_string_equal(s, "{\"total\": 10, \"unit\": \"cycles\", \"functions\": ["
			       "{\"name\": \"compute\", \"module\": \"" APP "\", \"self\": 4, "
			       "\"total\": 8}, "
			       "{\"name\": \"memcpy\", \"module\": \"" LIBC "\", \"self\": 4, "
			       "\"total\": 4}]}\n");
	free(s);

	o.filter.tid = 2;
	o.top = 0;
	s = render_ok(p, &o);
	assert_string_equal(s, "{\"total\": 2, \"unit\": \"cycles\", \"functions\": ["
			       "{\"name\": \"do_syscall_64\", \"module\": \"" KERNEL "\", "
			       "\"self\": 2, \"total\": 2}, "
			       "{\"name\": \"start_thread\", \"module\": \"" LIBC "\", \"self\": 0, "
			       "\"total\": 2}, "
			       "{\"name\": \"worker\", \"module\": \"" APP "\", \"self\": 0, "
			       "\"total\": 2}]}\n");
	free(s);
	profile_free(p);
}

static void test_folded(void **state)
{
	struct profile *p = build();
	struct report_options o;
	char *s;

	options(&o, REPORT_FOLDED);
	s = render_ok(p, &o);
	assert_string_equal(s, "[unknown];main;compute 1\n"
			       "app;main;compute 3\n"
			       "app;main;compute;memcpy 4\n"
			       "worker;start_thread;worker;do_syscall_64 2\n");
	free(s);

	o.filter.from = 1000000000u;
	o.filter.pid = 1;
	s = render_ok(p, &o);
	assert_string_equal(s, "app;main;compute 3\n"
			       "worker;start_thread;worker;do_syscall_64 2\n");
	free(s);
	profile_free(p);
}

static void test_folded_escaping_and_merge(void **state)
{
	static const struct fr op[] = { { "main", APP, 0 },
					{ "std::map<a;b>::find", APP, 0 },
					{ NULL, NULL, 0 } };
	static const struct fr nl[] = { { "bad\nname", APP, 0 }, { "", APP, 0 }, { NULL, NULL, 0 } };
	static const struct fr m1[] = { { "dup", "liba.so", 0 }, { NULL, NULL, 0 } };
	static const struct fr m2[] = { { "dup", "libb.so", 0 }, { NULL, NULL, 0 } };
	struct profile *p = profile_new();
	struct report_options o;
	char *s;

	profile_set_thread(p, 5, 5, "my;comm with space");
	add(p, stack(p, op), 1, 2, 5, 5, 0);
	add(p, stack(p, nl), 2, 1, 5, 5, 0);
	/* Same name in two modules renders the same: one line, summed. */
	add(p, stack(p, m1), 3, 1, 5, 5, 0);
	add(p, stack(p, m2), 4, 6, 5, 5, 0);
	add(p, stack(p, m2), 5, 0, 5, 5, 0);
	options(&o, REPORT_FOLDED);
	s = render_ok(p, &o);
	assert_string_equal(s, "my:comm with space;bad?name;[unknown] 1\n"
			       "my:comm with space;dup 7\n"
			       "my:comm with space;main;std::map<a:b>::find 2\n");
	free(s);
	profile_free(p);
}

static void test_sanitized(void **state)
{
	static const struct fr evil[] = { { "x\x1b]0;pwned\x07", "/tmp/\x1b[2Jlib.so", 0 },
					  { NULL, NULL, 0 } };
	struct profile *p = profile_new();
	struct report_options o;
	enum report_format formats[] = { REPORT_TEXT, REPORT_JSON, REPORT_FOLDED };
	size_t i;
	char *s;

	profile_add_event(p, "cyc\x1b[31mles", "cycles");
	profile_set_thread(p, 1, 1, "evil\x9b\x1b[H");
	add(p, stack(p, evil), 1, 1, 1, 1, 0);
	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		options(&o, formats[i]);
		o.source = "/tmp/\x1b]0;title\x07.ft";
		s = render_ok(p, &o);
		assert_null(strchr(s, '\x1b'));
		assert_null(strchr(s, '\x07'));
		assert_null(strchr(s, '\x9b'));
		assert_null(strstr(s, "\\u001b"));
		assert_null(strstr(s, "\\u0007"));
		if (formats[i] == REPORT_TEXT) {
			assert_non_null(strstr(s, "# source: /tmp/?]0;title?.ft\n"));
			assert_non_null(strstr(s, "x?]0;pwned?  ?[2Jlib.so\n"));
			assert_non_null(strstr(s, "# event: cyc?[31mles"));
		}
		if (formats[i] == REPORT_FOLDED)
			assert_string_equal(s, "evil??[H;x?]0:pwned? 1\n");
		free(s);
	}
	profile_free(p);
}

/* Where a session came from: target, host, kernel and start time, sanitized. */
static void test_text_provenance(void **state)
{
	struct profile *p = build();
	struct report_options o;
	char *s;

	profile_meta_set(&p->meta.target, "command: ./evil\x1b]2;x\x07 5");
	profile_meta_set(&p->meta.host, "db1");
	profile_meta_set(&p->meta.kernel, "Linux 6.1.0 x86_64");
	p->meta.start_wall_ns = 1u; /* 1970, in whatever zone the test runs */
	options(&o, REPORT_TEXT);
	s = render_ok(p, &o);
	assert_non_null(strstr(s, "# target: command: ./evil?]2;x? 5\n"));
	assert_non_null(strstr(s, "# recorded 19"));
	assert_non_null(strstr(s, " on db1 (Linux 6.1.0 x86_64)\n"));
	free(s);
	profile_free(p);
}

static void test_empty(void **state)
{
	struct profile *p = profile_new();
	struct report_options o;
	char *s;

	options(&o, REPORT_TEXT);
	s = render_ok(p, &o);
	assert_string_equal(s, "# source: run.ftsession\n"
			       "# event: none, sampled by period\n"
			       "# samples: 0, duration: 0.00 s, lost: 0\n"
			       "no matching samples\n");
	free(s);

	options(&o, REPORT_JSON);
	s = render_ok(p, &o);
	assert_string_equal(s, "{\"total\": 0, \"unit\": \"samples\", \"functions\": []}\n");
	free(s);

	options(&o, REPORT_FOLDED);
	s = render_ok(p, &o);
	assert_string_equal(s, "");
	free(s);
	profile_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_format),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_text_filters),
		cmocka_unit_test(test_several_events),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_folded),
		cmocka_unit_test(test_folded_escaping_and_merge),
		cmocka_unit_test(test_sanitized),
		cmocka_unit_test(test_text_provenance),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
