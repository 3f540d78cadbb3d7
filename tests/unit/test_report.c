/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for the report renderers: exact text, JSON and folded output
 * of a small hand-built profile, filters and several events in the header,
 * hostile names sanitized, ';' kept out of folded frames, the empty
 * profile, and source lines (--lines): rows merged per line, ?:0 and one
 * notice for a module that is not there, and a real line from this test's
 * own DWARF.
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

/* An imported event whose weights count samples (no period) says so, not
 * that it was sampled by period. */
static void test_counted_in_samples(void **state)
{
	static const struct fr s[] = { { "spin", APP, 0 }, { NULL, NULL, 0 } };
	struct profile *p = profile_new();
	struct report_options o;
	char *out;

	profile_add_event(p, "cpu-clock", "samples");
	p->meta.duration_ns = 1000000000u;
	add(p, stack(p, s), 5, 1, 1, 1, 0);
	options(&o, REPORT_TEXT);
	out = render_ok(p, &o);
	assert_non_null(strstr(out, "# event: cpu-clock (unit: samples), counted in samples\n"));
	free(out);
	profile_free(p);
}

/* A CJK name takes two columns a character: the module column stays
 * aligned after it (it was two columns short a character). */
static void test_wide_names(void **state)
{
	static const struct fr wide[] = { { "\xe6\x97\xa5\xe6\x9c\xac", APP, 0 },
					  { NULL, NULL, 0 } };
	static const struct fr narrow[] = { { "plain", APP, 0 }, { NULL, NULL, 0 } };
	struct profile *p = profile_new();
	struct report_options o;
	char *out;

	profile_add_event(p, "cpu-clock", "ns");
	p->meta.duration_ns = 1000000000u;
	add(p, stack(p, wide), 5, 3, 1, 1, 0);
	add(p, stack(p, narrow), 6, 1, 1, 1, 0);
	options(&o, REPORT_TEXT);
	out = render_ok(p, &o);
	assert_non_null(strstr(out, "   Self    Total  Function  Module\n"
				    " 75.00%   75.00%  \xe6\x97\xa5\xe6\x9c\xac      app\n"
				    " 25.00%   25.00%  plain     app\n"));
	free(out);
	profile_free(p);
}

/* The first event, shown by default, has no samples and the second has:
 * the report says which has, and how to show it. */
static void test_first_event_empty(void **state)
{
	static const struct fr s[] = { { "spin", APP, 0 }, { NULL, NULL, 0 } };
	struct profile *p = profile_new();
	struct report_options o;
	char *out;

	profile_add_event(p, "cpu-clock", "ns");
	profile_add_event(p, "page-faults", "count");
	p->meta.duration_ns = 1000000000u;
	add(p, stack(p, s), 5, 3, 1, 1, 1);
	add(p, stack(p, s), 6, 4, 1, 1, 1);
	options(&o, REPORT_TEXT);
	out = render_ok(p, &o);
	assert_string_equal(out, "# source: run.ftsession\n"
				 "# event: cpu-clock (unit: ns), sampled by period\n"
				 "# 2 events recorded; showing the first (choose with --event)\n"
				 "# samples: 0, duration: 1.00 s, lost: 0\n"
				 "no matching samples: cpu-clock has none; page-faults has 2 "
				 "(--event page-faults)\n");
	free(out);
	/* Chosen, it is what was asked for: no more said. */
	o.filter.event = 0;
	out = render_ok(p, &o);
	assert_non_null(strstr(out, "\nno matching samples\n"));
	free(out);
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

/* Counts and keeps the notices the lines reader gives. */
struct notices {
	unsigned n;
	char last[512];
};

static void count_notice(void *ctx, const char *msg)
{
	struct notices *c = ctx;

	c->n++;
	snprintf(c->last, sizeof(c->last), "%s", msg);
}

static void add_at(struct profile *p, uint32_t node, uint32_t loc, uint64_t weight)
{
	struct profile_sample s = { .time = 1, .weight = weight, .node = node, .pid = 1, .tid = 1,
				    .location = loc };

	profile_add_sample(p, &s);
}

/* Modules that cannot be read: one ?:0 row per function, one notice per module. */
static void test_lines_unknown(void **state)
{
	static const struct fr s1[] = { { "main", "/nonexistent/app", 0 },
					{ "hot", "/nonexistent/app", 0 },
					{ NULL, NULL, 0 } };
	static const struct fr s2[] = { { "main", "/nonexistent/app", 0 },
					{ "cold", "/nonexistent/libx.so", 0 },
					{ NULL, NULL, 0 } };
	struct profile *p = profile_new();
	struct report_options o;
	struct notices notes = { 0 };
	struct ft_notice sink;
	uint32_t hot, cold;
	char *s;

	profile_add_event(p, "cycles", "cycles");
	hot = stack(p, s1);
	cold = stack(p, s2);
	add_at(p, hot, profile_intern_location(p, p->nodes[hot].frame, 0x1000), 5);
	add_at(p, hot, profile_intern_location(p, p->nodes[hot].frame, 0x1004), 2);
	add_at(p, cold, profile_intern_location(p, p->nodes[cold].frame, 0x2000), 2);
	add_at(p, cold, PROFILE_NO_LOCATION, 1); /* a kernel leaf, say */

	options(&o, REPORT_JSON);
	o.lines = true;
	notice_init(&sink, count_notice, &notes);
	o.notice = &sink;
	s = render_ok(p, &o);
	assert_string_equal(s, "{\"total\": 10, \"unit\": \"cycles\", \"functions\": ["
			       "{\"name\": \"hot\", \"module\": \"/nonexistent/app\", \"self\": 7, "
			       "\"total\": 7}, "
			       "{\"name\": \"cold\", \"module\": \"/nonexistent/libx.so\", "
			       "\"self\": 3, \"total\": 3}, "
			       "{\"name\": \"main\", \"module\": \"/nonexistent/app\", \"self\": 0, "
			       "\"total\": 10}], "
			       "\"lines\": ["
			       "{\"file\": null, \"line\": 0, \"name\": \"hot\", "
			       "\"module\": \"/nonexistent/app\", \"self\": 7, \"total\": null}, "
			       "{\"file\": null, \"line\": 0, \"name\": \"cold\", "
			       "\"module\": \"/nonexistent/libx.so\", \"self\": 2, \"total\": null}]}\n");
	free(s);
	/* One notice per module, whatever the number of addresses in it. */
	assert_int_equal(notes.n, 2);
	assert_non_null(strstr(notes.last, "/nonexistent/libx.so"));
	assert_non_null(strstr(notes.last, "?:0"));

	options(&o, REPORT_TEXT);
	o.lines = true;
	s = render_ok(p, &o);
	assert_non_null(strstr(s, "# 10.00% of these samples have no code location"));
	assert_non_null(strstr(s, "# line totals are unknown"));
	assert_non_null(strstr(s, "   Self    Total  Line  Function  Module\n"
				  " 70.00%        -  ?:0   hot       app\n"
				  " 20.00%        -  ?:0   cold      libx.so\n"));
	free(s);

	/* Folded has no lines. */
	options(&o, REPORT_FOLDED);
	o.lines = true;
	{
		int ret;

		s = render(p, &o, &ret);
		assert_int_equal(ret, -EINVAL);
		free(s);
	}
	notice_free(&sink);
	profile_free(p);
}

/*
 * Line totals from location chains: a line counts each chain once, even
 * when the chain is on it twice (recursion, or two calls of one line).
 * The module cannot be read, so each function has the one line ?:0.
 */
static void test_lines_totals(void **state)
{
	static const struct fr s1[] = { { "main", "/nonexistent/app", 0 },
					{ "hot", "/nonexistent/app", 0 },
					{ NULL, NULL, 0 } };
	struct profile *p = profile_new();
	struct profile_filter f;
	struct symbols_lines *sl = symbols_lines_new();
	struct report_lines *r;
	uint32_t hot = stack(p, s1), fmain = p->nodes[p->nodes[hot].parent].frame;
	uint32_t m1 = profile_intern_location(p, fmain, 0x500);
	uint32_t m2 = profile_intern_location(p, fmain, 0x504);
	uint32_t h1 = profile_intern_location(p, p->nodes[hot].frame, 0x1000);
	uint32_t c1 = profile_intern_chain(p, PROFILE_NO_CHAIN, m1);
	struct profile_sample a = { .time = 1, .weight = 5, .node = hot, .location = h1 };
	struct profile_sample b = a;
	size_t i;

	a.chain = profile_intern_chain(p, c1, h1);
	b.weight = 2;
	b.chain = profile_intern_chain(p, profile_intern_chain(p, c1, m2), h1);
	profile_add_sample(p, &a);
	profile_add_sample(p, &b);
	profile_filter_init(&f);
	r = report_lines_query(p, &f, fmain, sl);
	assert_true(r->totals_known);
	assert_int_equal(r->nlines, 1);
	assert_int_equal(r->lines[0].frame, fmain);
	assert_int_equal(r->lines[0].self, 0);
	assert_int_equal(r->lines[0].total, 7); /* b once, though on it at m1 and m2 */
	assert_int_equal(r->nlocs, 2);
	for (i = 0; i < r->nlocs; i++)
		assert_int_equal(r->locs[i].total, r->locs[i].location == m1 ? 7 : 2);
	report_lines_free(r);
	r = report_lines_query(p, &f, PROFILE_NO_FRAME, sl);
	assert_int_equal(r->nlines, 2);
	assert_int_equal(r->lines[0].frame, p->nodes[hot].frame); /* self first */
	assert_int_equal(r->lines[0].self, 7);
	assert_int_equal(r->lines[0].total, 7);
	assert_int_equal(r->lines[1].total, 7);
	report_lines_free(r);
	symbols_lines_free(sl);
	profile_free(p);
}

/* Where report_line_here() was called from: an address and its line. */
struct here {
	uintptr_t addr;
	int line;
};

static __attribute__((noinline)) struct here report_line_here(int line)
{
	struct here h = { (uintptr_t)__builtin_return_address(0) - 1, line };

	return h;
}

/* The file offset of `addr` in this program's executable; 0 if not found. */
static uint64_t self_offset(uintptr_t addr)
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long long start, end, off;
	char line[512];
	uint64_t found = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx-%llx %*s %llx", &start, &end, &off) == 3 && addr >= start &&
		    addr < end)
			found = addr - start + off;
	fclose(f);
	return found;
}

/* A real line: this file's, through its own DWARF (skipped without -g). */
static void test_lines_dwarf(void **state)
{
	struct here h = report_line_here(__LINE__);
	struct profile *p = profile_new();
	struct symbols_lines *sl = symbols_lines_new();
	struct report_lines *r;
	struct profile_filter f;
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	uint32_t frame, node;
	const char *file;
	unsigned line;

	assert_true(n > 0);
	exe[n] = '\0';
	if (symbols_lines_find(sl, exe, self_offset(h.addr), NULL, &file, &line) == -ENODATA) {
		symbols_lines_free(sl);
		profile_free(p);
		skip();
	}
	profile_add_event(p, "cycles", "cycles");
	frame = profile_intern_frame(p, "test_lines_dwarf", exe, PROFILE_FRAME_USER);
	node = profile_intern_node(p, PROFILE_ROOT, frame);
	add_at(p, node, profile_intern_location(p, frame, self_offset(h.addr)), 7);
	add_at(p, node, profile_intern_location(p, frame, self_offset(h.addr)), 7);
	add_at(p, node, profile_intern_location(p, frame, 0), 1); /* the ELF header: no line */

	/* One function's lines, by weight. */
	profile_filter_init(&f);
	r = report_lines_query(p, &f, frame, sl);
	assert_int_equal(r->total, 15);
	assert_int_equal(r->located, 15);
	assert_int_equal(r->nlines, 2);
	assert_non_null(r->lines[0].file);
	assert_string_equal(strrchr(r->lines[0].file, '/') + 1, "test_report.c");
	assert_int_equal(r->lines[0].line, h.line);
	assert_int_equal(r->lines[0].self, 14);
	assert_null(r->lines[1].file);
	assert_int_equal(r->lines[1].self, 1);
	/* A relative file name is relative to its unit's directory: joined,
	 * they name this test's source. */
	{
		const char *dir = symbols_lines_comp_dir(sl, exe, self_offset(h.addr));
		char path[8192];

		if (r->lines[0].file[0] != '/') {
			assert_non_null(dir);
			snprintf(path, sizeof(path), "%s/%s", dir, r->lines[0].file);
		} else {
			snprintf(path, sizeof(path), "%s", r->lines[0].file);
		}
		assert_int_equal(access(path, R_OK), 0);
		assert_null(symbols_lines_comp_dir(sl, "/nonexistent/module", 0));
	}
	report_lines_free(r);

	/* Another function has none of these lines. */
	r = report_lines_query(p, &f, profile_intern_frame(p, "other", exe, PROFILE_FRAME_USER), sl);
	assert_int_equal(r->nlines, 0);
	assert_int_equal(r->total, 0);
	report_lines_free(r);
	symbols_lines_free(sl);
	profile_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_format),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_text_filters),
		cmocka_unit_test(test_several_events),
		cmocka_unit_test(test_first_event_empty),
		cmocka_unit_test(test_wide_names),
		cmocka_unit_test(test_counted_in_samples),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_folded),
		cmocka_unit_test(test_folded_escaping_and_merge),
		cmocka_unit_test(test_sanitized),
		cmocka_unit_test(test_text_provenance),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_lines_unknown),
		cmocka_unit_test(test_lines_totals),
		cmocka_unit_test(test_lines_dwarf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
