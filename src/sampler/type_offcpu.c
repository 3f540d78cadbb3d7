/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * offcpu: the time threads spend switched out, attributed to the stack at
 * which they left the CPU, in ns.
 *
 * One software event, context-switches, sampled on every switch (period
 * 1): the kernel takes the sample as the thread leaves, so its callchain
 * is where the thread blocked (the kernel part says why: a futex wait, a
 * nanosleep, an I/O wait, or a preemption). With attr.context_switch the
 * same event also writes a PERF_RECORD_SWITCH when a thread comes back.
 * The rule keeps each thread's switch-out sample and emits it when the
 * thread is switched in again, weighted by the time in between. Records
 * of one thread can come from two CPUs' rings in either order, so a
 * switch-in seen before its switch-out is kept too and paired when the
 * switch-out arrives. What is still switched out when sampling stops is
 * emitted with the time until then. A thread that exits leaves the CPU
 * one last time, into death (do_task_dead), and a system-wide recording
 * samples that switch too: it never comes back, so the rule drops it when
 * the thread's exit (PERF_RECORD_EXIT, written just before) says so,
 * instead of counting the rest of the recording as that thread's time off
 * the CPU. No tracefs is needed.
 *
 * Each interval ends in a pseudo-frame below the stack saying why the
 * thread left the CPU, as the kernel tells it:
 *   [preempted]  it could still run (the switch-out record's
 *                PERF_RECORD_MISC_SWITCH_OUT_PREEMPT: prev_state R/R+);
 *   [lock]       it waits in a futex (a futex function on the kernel stack:
 *                a contended mutex, condition variable, rwlock);
 *   [io]         it waits in io_schedule, what the kernel counts as iowait
 *                (a disk read, an fsync, O_DIRECT);
 *   [sleep]      any other wait (a sleep, a poll, a pipe, a signal);
 *   [blocked]    it waits, and the kernel stack to say why is missing
 *                (kernel samples forbidden, or kallsyms addresses hidden).
 * The functions are found by name at the first switch-out sample with a
 * kernel stack, among the kernel functions of the symbolizer that will
 * name the samples' kernel frames (symbols_kernel_functions):
 * /proc/kallsyms, which takes the kernel tens of milliseconds to format,
 * is read once for both, and not at all where kernel samples are
 * forbidden (perf_event_paranoid), which leave nothing to look up. The
 * kernel part of the switch-out sample's stack is looked up in them.
 */
#include "config.h"

#include "types.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flametop/symbols.h"

/* Kernel functions whose presence on the stack says why: at most this many. */
#define OFFCPU_MAX_RANGES 512

struct offcpu_range {
	uint64_t start, end;
	const char *reason;
};

struct type_offcpu {
	struct type_threads threads;
	struct offcpu_range ranges[OFFCPU_MAX_RANGES];
	size_t nranges;
	struct symbols *symbols; /* ranges not yet loaded from it; NULL once they are */
	uint64_t unpaired; /* intervals dropped: their switch-in was lost */
	bool (*alive)(pid_t tid); /* util_task_alive; tests set another */
	char notice[200];
};

const char type_offcpu_preempted[] = "[preempted]";
static const char reason_lock[] = "[lock]", reason_io[] = "[io]", reason_sleep[] = "[sleep]",
		  reason_blocked[] = "[blocked]";
#define OFFCPU_MODULE "[offcpu]"

/* The reason a kernel function named `name` on a waiting stack gives, or NULL. */
static const char *reason_of(const char *name)
{
	if (strncmp(name, "__pfx_", 6) == 0)
		return NULL; /* the padding before a function, not a function */
	if (strcmp(name, "io_schedule") == 0 || strcmp(name, "io_schedule_timeout") == 0)
		return reason_io;
	if (strncmp(name, "futex_", 6) == 0 || strncmp(name, "__futex", 7) == 0 ||
	    strncmp(name, "do_futex", 8) == 0 || strstr(name, "sys_futex"))
		return reason_lock;
	return NULL;
}

/* symbols_kernel_functions(): keeps the functions that give a reason, up to the table's size. */
static bool keep_function(void *ctx, const char *name, uint64_t start, uint64_t end)
{
	struct type_offcpu *o = ctx;
	const char *reason = reason_of(name);

	if (reason && end > start) {
		o->ranges[o->nranges].start = start;
		o->ranges[o->nranges].end = end;
		o->ranges[o->nranges].reason = reason;
		o->nranges++;
	}
	return o->nranges < OFFCPU_MAX_RANGES;
}

size_t type_offcpu_load_kernel(struct type_offcpu *o, struct symbols *symbols)
{
	o->nranges = 0;
	o->symbols = NULL; /* loaded: not again at the first kernel stack */
	/* In address order, one function per address: ready for lookups. */
	symbols_kernel_functions(symbols, keep_function, o);
	return o->nranges;
}

const char *type_offcpu_reason(struct type_offcpu *o, const struct pipeline_sample *s)
{
	const char *reason = NULL;
	bool kernel = false, any = false;
	uint32_t i;

	for (i = 0; i < s->nr_ips; i++) {
		uint64_t ip = s->ips[i];
		size_t lo = 0, hi = o->nranges;

		if (ip >= (uint64_t)PERF_CONTEXT_MAX) {
			kernel = ip == (uint64_t)PERF_CONTEXT_KERNEL;
			continue;
		}
		if (!kernel || !ip)
			continue;
		any = true;
		if (o->symbols) {
			type_offcpu_load_kernel(o, o->symbols);
			hi = o->nranges;
		}
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (ip < o->ranges[mid].start)
				hi = mid;
			else if (ip >= o->ranges[mid].end)
				lo = mid + 1;
			else
				break;
		}
		if (lo < hi) {
			/* The innermost such function says. */
			reason = o->ranges[lo + (hi - lo) / 2].reason;
			break;
		}
	}
	if (reason)
		return reason;
	return any && o->nranges ? reason_sleep : reason_blocked;
}

struct type_offcpu *type_offcpu_new(struct symbols *symbols)
{
	struct type_offcpu *o = xcalloc(1, sizeof(*o));

	type_threads_init(&o->threads);
	o->alive = util_task_alive;
	/* Loaded at the first kernel stack (type_offcpu_reason). Root reads
	 * the addresses; otherwise they are zeros and no range is kept. */
	o->symbols = symbols;
	return o;
}

void type_offcpu_free(struct type_offcpu *o)
{
	if (!o)
		return;
	type_threads_free(&o->threads);
	free(o);
}

/* `s` with its reason as leaf. */
static void set_reason(struct pipeline_sample *s, const char *reason)
{
	s->leaf = reason;
	s->leaf_module = OFFCPU_MODULE;
}

void type_offcpu_member(struct sampler_type_member *m, uint32_t role)
{
	memset(m, 0, sizeof(*m));
	m->attr.type = PERF_TYPE_SOFTWARE;
	m->attr.config = PERF_COUNT_SW_CONTEXT_SWITCHES;
	m->attr.sample_period = 1;
	m->attr.context_switch = 1;
	m->role = role;
}

int type_offcpu_sample(struct type_offcpu *o, const struct pipeline_sample *s,
		       const struct pipeline_sink *sink)
{
	struct type_thread *th;
	uint64_t back;

	if (s->tid == 0)
		return 0; /* a CPU's idle task leaving: the CPU gets work */
	th = type_threads_get(&o->threads, s->tid, s->time);
	if (!th)
		return 0;
	if (th->exited && s->time >= th->exited) {
		/* A switch-out after its exit: on its way out (preempted in
		 * the kernel's exit path, or the last one, into death), no
		 * time off the CPU. Its slot is freed once the exit is older
		 * than the grace; a tid seen after that is a new thread. */
		if (s->time - th->exited <= TYPE_EXIT_GRACE_NS)
			return 0;
		th->exited = 0;
	}
	if (th->since > s->time) {
		/* Its switch-in came first (read from another CPU's ring). */
		struct pipeline_sample out = *s;

		back = th->since;
		th->since = 0;
		th->held.valid = false;
		set_reason(&out, type_offcpu_reason(o, s));
		return type_emit(sink, &out, back - s->time);
	}
	th->since = 0;
	type_hold(&th->held, s);
	th->out_seen = false;
	set_reason(&th->held.s, type_offcpu_reason(o, s));
	return 0;
}

/*
 * A switch-out record of `tid` at `time`. The first after the held
 * switch-out sample is that switch's own (taken just after it): it says
 * whether the thread could still run. A second one says the thread ran
 * again in between, and the switch-in that ended the held interval was
 * lost (a ring was full): the interval's end is unknown, and pairing it
 * with a later switch-in would count the time the thread ran as time off
 * the CPU, so it is dropped and counted.
 */
static void switched_out(struct type_offcpu *o, uint32_t tid, uint64_t time, bool preempt)
{
	struct type_thread *th = type_threads_find(&o->threads, tid);

	if (!th || !th->held.valid || th->held.s.time > time)
		return;
	if (th->out_seen) {
		th->held.valid = false;
		th->out_seen = false;
		o->unpaired++;
		return;
	}
	th->out_seen = true;
	if (preempt)
		set_reason(&th->held.s, type_offcpu_preempted);
}

int type_offcpu_sched(struct type_offcpu *o, uint32_t tid, uint64_t time, bool out, bool preempt,
		      const struct pipeline_sink *sink)
{
	struct type_thread *th;
	struct pipeline_sample s;

	if (tid == 0)
		return 0;
	if (out) {
		switched_out(o, tid, time, preempt);
		return 0;
	}
	th = type_threads_get(&o->threads, tid, time);
	if (!th)
		return 0;
	if (th->exited && time > th->exited) {
		if (time - th->exited <= TYPE_EXIT_GRACE_NS)
			return 0; /* back on the CPU to finish exiting */
		th->exited = 0; /* a new thread with the id of one that exited */
	}
	if (!th->held.valid || th->held.s.time > time) {
		th->since = time;
		return 0;
	}
	th->held.valid = false;
	s = th->held.s;
	s.time = time;
	return type_emit(sink, &s, time - th->held.s.time);
}

void type_offcpu_set_alive(struct type_offcpu *o, bool (*alive)(pid_t tid))
{
	o->alive = alive;
}

/*
 * What is held when sampling stops is time off the CPU until then, for a
 * thread that still exists. One that is gone came back to the CPU to exit,
 * and neither that switch-in nor its exit record arrived (a full ring):
 * its interval's end is unknown, and it is left out, as a lost switch-in.
 */
int type_offcpu_flush(struct type_offcpu *o, uint64_t now, const struct pipeline_sink *sink)
{
	size_t i;
	int ret;

	for (i = 0; i < o->threads.nslots; i++) {
		struct type_thread *th = &o->threads.slots[i];
		struct pipeline_sample s;

		if (!th->held.valid || th->held.s.time > now)
			continue;
		th->held.valid = false;
		if (!o->alive((pid_t)th->tid)) {
			o->unpaired++;
			continue;
		}
		s = th->held.s;
		s.time = now;
		ret = type_emit(sink, &s, now - th->held.s.time);
		if (ret)
			return ret;
	}
	return 0;
}

void type_offcpu_exit(struct type_offcpu *o, uint32_t tid, uint64_t time)
{
	struct type_thread *th;

	if (tid == 0)
		return;
	th = type_threads_get(&o->threads, tid, time);
	if (!th)
		return;
	th->held.valid = false;
	th->since = 0;
	th->exited = time ? time : 1;
}

const char *type_offcpu_notice(struct type_offcpu *o)
{
	if (o->threads.dropped)
		snprintf(o->notice, sizeof(o->notice),
			 "off-CPU: more than %d threads at once; switches of later ones are not "
			 "counted",
			 TYPE_MAX_THREADS);
	else if (o->unpaired)
		snprintf(o->notice, sizeof(o->notice),
			 "off-CPU: switch records were lost (a ring was full): intervals whose end "
			 "was lost are left out; raise -m");
	else
		return NULL;
	return o->notice;
}

static int offcpu_members(const struct sampler_type_target *t, struct sampler_type_member *m,
			  struct ft_error *err)
{
	(void)t;
	(void)err;
	type_offcpu_member(&m[0], 0);
	return 1;
}

static void *offcpu_state_new(const struct sampler_type_target *t)
{
	return type_offcpu_new(t->symbols);
}

static void offcpu_state_free(void *st)
{
	type_offcpu_free(st);
}

static int offcpu_sample(void *st, uint32_t role, const struct pipeline_sample *s,
			 const struct type_hit *hit, const struct pipeline_sink *sink)
{
	(void)role;
	(void)hit;
	return type_offcpu_sample(st, s, sink);
}

static int offcpu_sched(void *st, uint32_t tid, uint64_t time, bool out, bool preempt,
			const struct pipeline_sink *sink)
{
	return type_offcpu_sched(st, tid, time, out, preempt, sink);
}

static int offcpu_flush(void *st, uint64_t now, const struct pipeline_sink *sink)
{
	return type_offcpu_flush(st, now, sink);
}

static void offcpu_exit(void *st, uint32_t tid, uint64_t time)
{
	type_offcpu_exit(st, tid, time);
}

static const char *offcpu_notice(void *st)
{
	return type_offcpu_notice(st);
}

const struct sampler_type sampler_type_offcpu = {
	.name = "offcpu",
	.every = true,
	.unit = "ns",
	.summary = "time off the CPU by stack, and why: [preempted] [lock] [io] [sleep]",
	.members = offcpu_members,
	.state_new = offcpu_state_new,
	.state_free = offcpu_state_free,
	.sample = offcpu_sample,
	.sched = offcpu_sched,
	.flush = offcpu_flush,
	.exit = offcpu_exit,
	.notice = offcpu_notice,
};
