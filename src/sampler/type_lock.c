/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lock: time threads wait in futex waits, attributed to the waiting stack,
 * in ns; lock-waits: the number of those waits, by the same stack. A
 * contended pthread mutex, condition variable, rwlock or semaphore waits
 * in the kernel with futex(FUTEX_WAIT, FUTEX_WAIT_BITSET, FUTEX_LOCK_PI,
 * FUTEX_LOCK_PI2, FUTEX_WAIT_REQUEUE_PI), or with the futex2 calls
 * futex_waitv (Linux 5.16) and futex_wait (6.7); an uncontended one never
 * enters the kernel and costs nothing here.
 *
 * Tracepoints syscalls:sys_enter_futex and sys_exit_futex, and the same
 * pair for futex_waitv and futex_wait where the kernel has them (every
 * such call is a wait). The kernel samples a futex entry only for a
 * waiting operation (a tracepoint filter; where it refuses the filter,
 * every entry is sampled), and takes the exits without a stack, those of
 * futex() only when it returned 0 or an error (a second filter: a wait
 * returns nothing else, while a wake that woke a thread, the unlock of
 * every contended lock, returns how many it woke): what the target pays
 * is one stack per wait. The futex entry's user
 * registers hold the operation (the second argument, rsi); a wait's entry
 * sample is kept per thread and emitted at the thread's exit from the
 * call, weighted by the time between, or by 1 for lock-waits (an exit
 * read before its entry, from another CPU's ring, is kept to pair with
 * it). A call that returns at once (the value had changed) is a wait of a
 * few microseconds. Tracepoint ids come from tracefs: when it is not
 * mounted, the type says how to mount it. Both types open the same
 * events, so -e lock,lock-waits costs what one does.
 */
#include "config.h"

#include "types.h"

#include <errno.h>
#include <linux/futex.h>
#include <stdlib.h>
#include <string.h>

/* LOCK_ENTER's rsi is the futex operation; LOCK_ENTER2's call always waits. */
enum { LOCK_ENTER, LOCK_EXIT, LOCK_ENTER2 };

/* The futex2 wait calls: entry and exit tracepoints, each optional. */
static const char *const futex2_calls[][2] = {
	{ "sys_enter_futex_waitv", "sys_exit_futex_waitv" },
	{ "sys_enter_futex_wait", "sys_exit_futex_wait" },
};

/* The futex operations that wait (FUTEX_LOCK_PI2: Linux 5.14). */
static const uint64_t wait_cmds[] = { FUTEX_WAIT, FUTEX_WAIT_BITSET, FUTEX_LOCK_PI,
				      FUTEX_WAIT_REQUEUE_PI, 13 /* FUTEX_LOCK_PI2 */ };

/*
 * The sys_enter_futex filter that keeps the waits: "op == 0 || op == 128
 * || ...", each waiting command with and without FUTEX_PRIVATE_FLAG and
 * FUTEX_CLOCK_REALTIME (the kernel's command is the operation less those
 * two bits). A wake is then never sampled: it is half of a contended
 * lock's futex calls, and on the path to the woken thread.
 */
static const char *wait_filter(void)
{
	static const uint64_t flags[] = { 0, FUTEX_PRIVATE_FLAG, FUTEX_CLOCK_REALTIME,
					  FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME };
	static char filter[ARRAY_SIZE(wait_cmds) * ARRAY_SIZE(flags) * 16];
	size_t i, j, len = 0;

	if (filter[0])
		return filter;
	for (i = 0; i < ARRAY_SIZE(wait_cmds); i++)
		for (j = 0; j < ARRAY_SIZE(flags); j++)
			len += (size_t)snprintf(filter + len, sizeof(filter) - len, "%sop == %llu",
						len ? " || " : "",
						(unsigned long long)(wait_cmds[i] | flags[j]));
	return filter;
}

/*
 * The sys_exit_futex filter that keeps the waits' exits: every waiting
 * operation returns 0 or -errno, and a wake (or requeue) that woke a
 * thread returns how many. A wake that woke no one returns 0 and is
 * still sampled; the rule pairs it with nothing.
 */
static const char exit_filter[] = "ret <= 0";

/* The id of tracepoint syscalls:`name`, or -errno. */
static long tracepoint_id(const char *name)
{
	return type_tracepoint_id("syscalls", name);
}

static int lock_members(const struct sampler_type_target *t, struct sampler_type_member *m,
			struct ft_error *err)
{
	long enter = tracepoint_id("sys_enter_futex"), leave = tracepoint_id("sys_exit_futex");
	size_t i;
	int n;

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
	m[0].filter = wait_filter();
	m[0].role = LOCK_ENTER;
	m[1].attr.type = PERF_TYPE_TRACEPOINT;
	m[1].attr.config = (uint64_t)leave;
	m[1].attr.sample_period = 1;
	m[1].bare = true;
	m[1].filter = exit_filter;
	m[1].role = LOCK_EXIT;
	n = 2;
	for (i = 0; i < ARRAY_SIZE(futex2_calls); i++) {
		enter = tracepoint_id(futex2_calls[i][0]);
		leave = tracepoint_id(futex2_calls[i][1]);
		if (enter < 0 || leave < 0)
			continue; /* a kernel before the call: lock_notice says so */
		memset(&m[n], 0, 2 * sizeof(*m));
		m[n].attr.type = PERF_TYPE_TRACEPOINT;
		m[n].attr.config = (uint64_t)enter;
		m[n].attr.sample_period = 1;
		m[n].role = LOCK_ENTER2;
		m[n + 1].attr.type = PERF_TYPE_TRACEPOINT;
		m[n + 1].attr.config = (uint64_t)leave;
		m[n + 1].attr.sample_period = 1;
		m[n + 1].bare = true;
		m[n + 1].role = LOCK_EXIT;
		n += 2;
	}
	return n;
}

static bool is_wait(uint64_t op)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(wait_cmds); i++)
		if ((op & FUTEX_CMD_MASK) == wait_cmds[i])
			return true;
	return false;
}

struct lock_state {
	struct type_threads threads;
	bool count; /* lock-waits: weight 1 per wait */
	const char *missing; /* a futex2 call the kernel has no tracepoints for, or NULL */
	bool missing_said;
	uint64_t unpaired; /* waits left out at stop: their exit was lost */
	char notice[160];
};

static struct lock_state *state_new(bool count)
{
	struct lock_state *l = xcalloc(1, sizeof(*l));
	size_t i;

	type_threads_init(&l->threads);
	l->count = count;
	for (i = 0; i < ARRAY_SIZE(futex2_calls) && !l->missing; i++)
		if (tracepoint_id(futex2_calls[i][0]) < 0 || tracepoint_id(futex2_calls[i][1]) < 0)
			l->missing = futex2_calls[i][0] + strlen("sys_enter_");
	return l;
}

static void *lock_state_new(const struct sampler_type_target *t)
{
	(void)t;
	return state_new(false);
}

static void *lock_waits_state_new(const struct sampler_type_target *t)
{
	(void)t;
	return state_new(true);
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
		       const struct type_hit *hit, const struct pipeline_sink *sink)
{
	struct lock_state *l = st;
	struct type_thread *th;
	struct pipeline_sample out;

	if (role == LOCK_ENTER || role == LOCK_ENTER2) {
		if (role == LOCK_ENTER && !is_wait(hit->regs[TYPE_R_SI]))
			return 0;
		th = type_threads_get(&l->threads, s->tid, s->time);
		if (!th)
			return 0;
		if (th->since > s->time) {
			/* Its exit was read first (another CPU's ring). */
			uint64_t back = th->since;

			th->since = 0;
			out = *s;
			out.time = back;
			return type_emit(sink, &out, l->count ? 1 : back - s->time);
		}
		/* An exit older than this call stays for its own call. */
		type_hold(&th->held, s);
		return 0;
	}
	th = type_threads_get(&l->threads, s->tid, s->time);
	if (!th)
		return 0;
	if (!th->held.valid || th->held.s.time > s->time) {
		th->since = s->time; /* maybe a wait whose entry is still to be read */
		return 0;
	}
	th->held.valid = false;
	out = th->held.s;
	out.time = s->time;
	return type_emit(sink, &out, l->count ? 1 : s->time - th->held.s.time);
}

/* A thread that exited waits no more: a wait it was in never ends, and its slot is free. */
static void lock_exit(void *st, uint32_t tid, uint64_t time)
{
	struct lock_state *l = st;

	(void)time;
	type_threads_release(&l->threads, tid);
}

/*
 * Threads still waiting when sampling stops: their wait so far. A thread
 * that is gone left its wait before it exited, and that call's exit and
 * the thread's exit record were lost (a full ring): its wait's end is
 * unknown, and it is left out rather than counted until the stop.
 */
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
		if (!util_task_alive((pid_t)th->tid)) {
			l->unpaired++;
			continue;
		}
		out = th->held.s;
		out.time = now;
		ret = type_emit(sink, &out, l->count ? 1 : now - th->held.s.time);
		if (ret)
			return ret;
	}
	return 0;
}

static const char *lock_notice(void *st)
{
	struct lock_state *l = st;
	const char *name = l->count ? "lock-waits" : "lock";

	if (l->missing && !l->missing_said) {
		l->missing_said = true;
		snprintf(l->notice, sizeof(l->notice),
			 "%s: this kernel has no syscalls:sys_enter_%s tracepoint; waits in %s() "
			 "are not counted",
			 name, l->missing, l->missing);
		return l->notice;
	}
	if (l->threads.dropped)
		snprintf(l->notice, sizeof(l->notice),
			 "%s: more than %d threads at once; waits of later ones are not counted",
			 name, TYPE_MAX_THREADS);
	else if (l->unpaired)
		snprintf(l->notice, sizeof(l->notice),
			 "%s: futex records were lost (a ring was full): waits whose end was lost "
			 "are left out; raise -m",
			 name);
	else
		return NULL;
	return l->notice;
}

const struct sampler_type sampler_type_lock = {
	.name = "lock",
	.every = true,
	.unit = "ns",
	.summary = "time waiting in futex waits (contended mutexes, condition variables)",
	.members = lock_members,
	.state_new = lock_state_new,
	.state_free = lock_state_free,
	.sample = lock_sample,
	.flush = lock_flush,
	.exit = lock_exit,
	.notice = lock_notice,
};

const struct sampler_type sampler_type_lock_waits = {
	.name = "lock-waits",
	.every = true,
	.unit = "count",
	.summary = "futex waits, each one, by the waiting stack (lock's events)",
	.members = lock_members,
	.state_new = lock_waits_state_new,
	.state_free = lock_state_free,
	.sample = lock_sample,
	.flush = lock_flush,
	.exit = lock_exit,
	.notice = lock_notice,
};
