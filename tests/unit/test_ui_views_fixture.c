/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writes the session the view tests open (tests/golden/tui/views.session),
 * with the real session writer and no randomness: a call structure every
 * view must show the same way, whatever the machine.
 *
 *   test_ui_views_fixture FILE
 *
 * Thirty seconds at 99 Hz of one process, "app" (pid 300). Of every ten
 * ticks:
 *   4  _start -> main -> ft_caller_a -> ft_leaf
 *   4  _start -> main -> ft_caller_b -> ft_leaf   (the last 15 s only)
 *   1  _start -> main -> ft_caller_b -> ft_work
 *   1  _start -> main -> ft_other
 * So over the whole session ft_leaf has two callers, ft_caller_a (twice
 * ft_caller_b's weight) and ft_caller_b, and is the widest box of the
 * bottom-up graph; over the first half only ft_caller_a calls it.
 * Built with make check, not run by it: the fixture is committed.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flametop/profile.h"
#include "flametop/session.h"
#include "flametop/util.h"

#define SECONDS 30
#define PERIOD_NS 10101010ull /* 99 Hz */

/* Interns a stack of /usr/bin/app, outermost first. */
static uint32_t stack(struct profile *p, const char *const *fns)
{
	uint32_t node = PROFILE_ROOT;

	for (; *fns; fns++)
		node = profile_intern_node(
			p, node, profile_intern_frame(p, *fns, "/usr/bin/app", PROFILE_FRAME_USER));
	return node;
}

#define S(...) ((const char *const[]){ __VA_ARGS__, NULL })

int main(int argc, char **argv)
{
	struct ft_error err;
	struct session_writer *sw;
	struct profile *p;
	struct profile_meta *m;
	uint32_t via_a, via_b, work, other;
	uint64_t t = 0;
	int sec, i;

	if (argc != 2) {
		fprintf(stderr, "usage: test_ui_views_fixture FILE\n");
		return 2;
	}
	p = profile_new();
	m = &p->meta;
	profile_meta_set(&m->host, "fixture-host");
	profile_meta_set(&m->kernel, "6.1.0-fixture");
	profile_meta_set(&m->flametop_version, "0.1.0");
	profile_meta_set(&m->command_line, "flametop record -p 300 -F 99 -o views.session");
	profile_meta_set(&m->target, "pid 300");
	profile_meta_set(&m->call_graph, "fp");
	m->start_wall_ns = UINT64_C(1700000000000000000);
	m->start_mono_ns = UINT64_C(5000000000);
	m->frequency = 99;
	profile_add_event(p, "cpu-clock", "ns");
	profile_set_thread(p, 300, 300, "app");

	via_a = stack(p, S("_start", "main", "ft_caller_a", "ft_leaf"));
	via_b = stack(p, S("_start", "main", "ft_caller_b", "ft_leaf"));
	work = stack(p, S("_start", "main", "ft_caller_b", "ft_work"));
	other = stack(p, S("_start", "main", "ft_other"));

	sw = session_writer_open(argv[1], true, &err);
	if (!sw) {
		fprintf(stderr, "test_ui_views_fixture: %s\n", err.msg);
		return 1;
	}
	if (session_writer_begin(sw, p) < 0)
		goto fail;
	for (sec = 0; sec < SECONDS; sec++) {
		for (i = 0; i < 99; i++, t += PERIOD_NS) {
			struct profile_sample s = { .time = t, .weight = PERIOD_NS, .pid = 300,
						    .tid = 300 };
			int r = i % 10;

			if (r < 4)
				s.node = via_a;
			else if (r < 8 && sec >= SECONDS / 2)
				s.node = via_b;
			else if (r == 8)
				s.node = work;
			else if (r == 9)
				s.node = other;
			else
				continue;
			profile_add_sample(p, &s);
		}
		if (session_writer_flush(sw, p) < 0)
			goto fail;
		profile_clear_samples(p);
	}
	m->duration_ns = t;
	if (session_writer_close(sw, p) < 0) {
		sw = NULL;
		goto fail;
	}
	profile_free(p);
	return 0;
fail:
	fprintf(stderr, "test_ui_views_fixture: cannot write %s\n", argv[1]);
	if (sw)
		session_writer_abort(sw);
	profile_free(p);
	return 1;
}
