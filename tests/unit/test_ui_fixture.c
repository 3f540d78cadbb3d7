/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writes the session the explorer's replay tests open
 * (tests/golden/tui/replay.session), with the real session writer and a
 * fixed random sequence, so the file and the screens drawn from it never
 * depend on the machine: no kernel symbols, no host name, no clock.
 *
 *   test_ui_fixture FILE
 *
 * Twenty seconds at 99 Hz of two processes: "app" (pid 100: a main thread
 * splitting its time 3:1 between compute_hot and compute_cold, some of it
 * in a kernel write, and a worker thread "app-worker" hashing) and "db"
 * (pid 200: scanning and sorting), so the picker has processes and threads
 * to pick from and a filter visibly removes functions. Built with make
 * check, not run by it: the fixture is committed, and regenerating it
 * means reviewing the golden screens again (GOLDEN_UPDATE=1).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flametop/profile.h"
#include "flametop/session.h"
#include "flametop/util.h"

#define SECONDS 20
#define PERIOD_NS 10101010ull /* 99 Hz */

static uint64_t rng_state = 88172645463325252ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

/* Interns a stack, outermost first: "module:name", or "name" in `bin`. */
static uint32_t stack(struct profile *p, const char *bin, const char *const *fns)
{
	uint32_t node = PROFILE_ROOT;

	for (; *fns; fns++) {
		const char *colon = strchr(*fns, ':');
		char module[64];
		uint32_t f;

		if (colon) {
			snprintf(module, sizeof(module), "%.*s", (int)(colon - *fns), *fns);
			f = profile_intern_frame(p, colon + 1, module,
						 module[0] == '[' ? PROFILE_FRAME_KERNEL
								  : PROFILE_FRAME_USER);
		} else {
			f = profile_intern_frame(p, *fns, bin, PROFILE_FRAME_USER);
		}
		node = profile_intern_node(p, node, f);
	}
	return node;
}

#define S(...) ((const char *const[]){ __VA_ARGS__, NULL })

int main(int argc, char **argv)
{
	const char *app = "/usr/bin/app", *db = "/usr/sbin/db";
	struct ft_error err;
	struct session_writer *sw;
	struct profile *p;
	struct profile_meta *m;
	uint32_t hot, cold, write_k, hash, scan, sort_n, idle;
	uint64_t t;
	int sec;

	if (argc != 2) {
		fprintf(stderr, "usage: test_ui_fixture FILE\n");
		return 2;
	}
	p = profile_new();
	m = &p->meta;
	profile_meta_set(&m->host, "fixture-host");
	profile_meta_set(&m->kernel, "6.1.0-fixture");
	profile_meta_set(&m->flametop_version, "0.1.0");
	profile_meta_set(&m->command_line, "flametop record -a -F 99 -o replay.session");
	profile_meta_set(&m->target, "system-wide");
	profile_meta_set(&m->call_graph, "fp");
	m->start_wall_ns = UINT64_C(1700000000000000000);
	m->start_mono_ns = UINT64_C(5000000000);
	m->frequency = 99;
	profile_add_event(p, "cpu-clock", "ns");
	profile_set_thread(p, 100, 100, "app");
	profile_set_thread(p, 100, 101, "app-worker");
	profile_set_thread(p, 200, 200, "db");

	hot = stack(p, app, S("_start", "main", "run_batch", "compute_hot"));
	cold = stack(p, app, S("_start", "main", "run_batch", "compute_cold"));
	write_k = stack(p, app, S("_start", "main", "flush_log", "/lib/libc.so.6:write",
				  "[kernel.kallsyms]:ksys_write", "[kernel.kallsyms]:vfs_write"));
	hash = stack(p, app, S("/lib/libc.so.6:start_thread", "worker_loop", "hash_block"));
	scan = stack(p, db, S("_start", "main", "db_query", "db_scan_table"));
	sort_n = stack(p, db, S("_start", "main", "db_query", "db_sort_rows"));
	idle = stack(p, db, S("_start", "main", "db_wait", "/lib/libc.so.6:epoll_wait",
			      "[kernel.kallsyms]:do_epoll_wait"));

	sw = session_writer_open(argv[1], true, &err);
	if (!sw) {
		fprintf(stderr, "test_ui_fixture: %s\n", err.msg);
		return 1;
	}
	if (session_writer_begin(sw, p) < 0)
		goto fail;
	t = 0;
	for (sec = 0; sec < SECONDS; sec++) {
		int i;

		for (i = 0; i < 99; i++, t += PERIOD_NS) {
			uint64_t r = rng() % 100;
			struct profile_sample s = { .time = t, .weight = PERIOD_NS, .pid = 100,
						    .tid = 100 };

			/* app's main thread: 60 hot, 20 cold, 5 in the kernel. */
			if (r < 85) {
				s.node = r < 60 ? hot : r < 80 ? cold : write_k;
				s.cpu = 0;
				profile_add_sample(p, &s);
			}
			/* app's worker, half the time; db, busier in the
			 * second half of the session. */
			if (rng() % 2) {
				s.tid = 101;
				s.node = hash;
				s.cpu = 1;
				s.time = t + 1000;
				profile_add_sample(p, &s);
			}
			r = rng() % 100;
			if (r < (sec < SECONDS / 2 ? 30u : 70u)) {
				s.pid = s.tid = 200;
				s.node = r % 3 ? scan : r % 2 ? sort_n : idle;
				s.cpu = 1;
				s.time = t + 2000;
				profile_add_sample(p, &s);
			}
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
	fprintf(stderr, "test_ui_fixture: cannot write %s\n", argv[1]);
	if (sw)
		session_writer_abort(sw);
	profile_free(p);
	return 1;
}
