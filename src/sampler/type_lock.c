/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lock: time threads wait in futex waits, attributed to the waiting stack,
 * in ns. A contended pthread mutex, condition variable, rwlock or
 * semaphore waits in the kernel with futex(FUTEX_WAIT*, FUTEX_LOCK_PI*);
 * an uncontended one never enters the kernel and costs nothing here.
 *
 * Two tracepoints, syscalls:sys_enter_futex and sys_exit_futex, sampled on
 * every hit. The entry's user registers hold the futex operation (the
 * second argument, rsi); a wait's entry sample is kept per thread and
 * emitted at the thread's exit from the call, weighted by the time
 * between (an exit read before its entry, from another CPU's ring, is kept
 * to pair with it). Tracepoint ids come from tracefs: when it is not mounted, the
 * type says how to mount it.
 */
#include "config.h"

#include "types.h"

#include <errno.h>
#include <linux/futex.h>
#include <stdlib.h>
#include <string.h>

enum { LOCK_ENTER, LOCK_EXIT };

static const char *const tracefs_dirs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };

/* The id of tracepoint syscalls:`name`, or -errno. */
static long tracepoint_id(const char *name)
{
	char path[128];
	size_t i;
	long id;

	for (i = 0; i < sizeof(tracefs_dirs) / sizeof(tracefs_dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/events/syscalls/%s/id", tracefs_dirs[i], name);
		if (util_read_long(path, &id) == 0 && id >= 0)
			return id;
	}
	return -ENOENT;
}

static int lock_members(const struct sampler_type_target *t, struct sampler_type_member *m,
			struct ft_error *err)
{
	long enter = tracepoint_id("sys_enter_futex"), leave = tracepoint_id("sys_exit_futex");

	(void)t;
	if (enter < 0 || leave < 0) {
		error_set(err,
			  "lock needs the syscalls:sys_enter_futex and sys_exit_futex tracepoints: "
			  "mount tracefs ('mount -t tracefs nodev /sys/kernel/tracing'; the kernel "
			  "needs CONFIG_FTRACE_SYSCALLS)");
		return -ENOENT;
	}
	memset(m, 0, 2 * sizeof(*m));
	m[0].attr.type = PERF_TYPE_TRACEPOINT;
	m[0].attr.config = (uint64_t)enter;
	m[0].attr.sample_period = 1;
	m[0].regs = TYPE_REG_SI;
	m[0].role = LOCK_ENTER;
	m[1].attr.type = PERF_TYPE_TRACEPOINT;
	m[1].attr.config = (uint64_t)leave;
	m[1].attr.sample_period = 1;
	m[1].role = LOCK_EXIT;
	return 2;
}

static bool is_wait(uint64_t op)
{
	switch (op & FUTEX_CMD_MASK) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
	case FUTEX_LOCK_PI:
	case FUTEX_WAIT_REQUEUE_PI:
#ifdef FUTEX_LOCK_PI2
	case FUTEX_LOCK_PI2:
#endif
		return true;
	default:
		return false;
	}
}

struct lock_state {
	struct type_threads threads;
	char notice[160];
};

static void *lock_state_new(void)
{
	struct lock_state *l = xcalloc(1, sizeof(*l));

	type_threads_init(&l->threads);
	return l;
}

static void lock_state_free(void *st)
{
	struct lock_state *l = st;

	if (!l)
		return;
	type_threads_free(&l->threads);
	free(l);
}

static int lock_sample(void *st, uint32_t role, const struct pipeline_sample *s,
		       const uint64_t regs[3], const struct pipeline_sink *sink)
{
	struct lock_state *l = st;
	struct type_thread *th;
	struct pipeline_sample out;

	if (role == LOCK_ENTER) {
		if (!is_wait(regs[TYPE_R_SI]))
			return 0;
		th = type_threads_get(&l->threads, s->tid);
		if (!th)
			return 0;
		if (th->since > s->time) {
			/* Its exit was read first (another CPU's ring). */
			uint64_t back = th->since;

			th->since = 0;
			out = *s;
			out.time = back;
			return type_emit(sink, &out, back - s->time);
		}
		/* An exit older than this call stays for its own call. */
		type_hold(&th->held, s);
		return 0;
	}
	th = type_threads_get(&l->threads, s->tid);
	if (!th)
		return 0;
	if (!th->held.valid || th->held.s.time > s->time) {
		th->since = s->time; /* maybe a wait whose entry is still to be read */
		return 0;
	}
	th->held.valid = false;
	out = th->held.s;
	out.time = s->time;
	return type_emit(sink, &out, s->time - th->held.s.time);
}

/* Threads still waiting when sampling stops: their wait so far. */
static int lock_flush(void *st, uint64_t now, const struct pipeline_sink *sink)
{
	struct lock_state *l = st;
	size_t i;
	int ret;

	for (i = 0; i < l->threads.nslots; i++) {
		struct type_thread *th = &l->threads.slots[i];
		struct pipeline_sample out;

		if (!th->held.valid || th->held.s.time > now)
			continue;
		th->held.valid = false;
		out = th->held.s;
		out.time = now;
		ret = type_emit(sink, &out, now - th->held.s.time);
		if (ret)
			return ret;
	}
	return 0;
}

static const char *lock_notice(void *st)
{
	struct lock_state *l = st;

	if (!l->threads.dropped)
		return NULL;
	snprintf(l->notice, sizeof(l->notice),
		 "lock: more than %d threads; waits of later ones are not counted",
		 TYPE_MAX_THREADS);
	return l->notice;
}

const struct sampler_type sampler_type_lock = {
	.name = "lock",
	.unit = "ns",
	.summary = "time waiting in futex waits (contended mutexes, condition variables)",
	.members = lock_members,
	.state_new = lock_state_new,
	.state_free = lock_state_free,
	.sample = lock_sample,
	.flush = lock_flush,
	.notice = lock_notice,
};
