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
 * emitted with the time until then. No tracefs is needed.
 */
#include "config.h"

#include "types.h"

#include <stdlib.h>
#include <string.h>

struct type_offcpu {
	struct type_threads threads;
	char notice[160];
};

struct type_offcpu *type_offcpu_new(void)
{
	struct type_offcpu *o = xcalloc(1, sizeof(*o));

	type_threads_init(&o->threads);
	return o;
}

void type_offcpu_free(struct type_offcpu *o)
{
	if (!o)
		return;
	type_threads_free(&o->threads);
	free(o);
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
	th = type_threads_get(&o->threads, s->tid);
	if (!th)
		return 0;
	if (th->since > s->time) {
		/* Its switch-in came first (read from another CPU's ring). */
		back = th->since;
		th->since = 0;
		th->held.valid = false;
		return type_emit(sink, s, back - s->time);
	}
	th->since = 0;
	type_hold(&th->held, s);
	return 0;
}

int type_offcpu_sched(struct type_offcpu *o, uint32_t tid, uint64_t time, bool out,
		      const struct pipeline_sink *sink)
{
	struct type_thread *th;
	struct pipeline_sample s;

	if (out || tid == 0)
		return 0; /* the switch-out sample says it, with the stack */
	th = type_threads_get(&o->threads, tid);
	if (!th)
		return 0;
	if (!th->held.valid || th->held.s.time > time) {
		th->since = time;
		return 0;
	}
	th->held.valid = false;
	s = th->held.s;
	s.time = time;
	return type_emit(sink, &s, time - th->held.s.time);
}

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
		s = th->held.s;
		s.time = now;
		ret = type_emit(sink, &s, now - th->held.s.time);
		if (ret)
			return ret;
	}
	return 0;
}

const char *type_offcpu_notice(struct type_offcpu *o)
{
	if (!o->threads.dropped)
		return NULL;
	snprintf(o->notice, sizeof(o->notice),
		 "off-CPU: more than %d threads; switches of later ones are not counted",
		 TYPE_MAX_THREADS);
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

static void *offcpu_state_new(void)
{
	return type_offcpu_new();
}

static void offcpu_state_free(void *st)
{
	type_offcpu_free(st);
}

static int offcpu_sample(void *st, uint32_t role, const struct pipeline_sample *s,
			 const uint64_t regs[3], const struct pipeline_sink *sink)
{
	(void)role;
	(void)regs;
	return type_offcpu_sample(st, s, sink);
}

static int offcpu_sched(void *st, uint32_t tid, uint64_t time, bool out, bool preempt,
			const struct pipeline_sink *sink)
{
	(void)preempt;
	return type_offcpu_sched(st, tid, time, out, sink);
}

static int offcpu_flush(void *st, uint64_t now, const struct pipeline_sink *sink)
{
	return type_offcpu_flush(st, now, sink);
}

static const char *offcpu_notice(void *st)
{
	return type_offcpu_notice(st);
}

const struct sampler_type sampler_type_offcpu = {
	.name = "offcpu",
	.unit = "ns",
	.summary = "time threads spend switched out, at the stack where they left the CPU",
	.members = offcpu_members,
	.state_new = offcpu_state_new,
	.state_free = offcpu_state_free,
	.sample = offcpu_sample,
	.sched = offcpu_sched,
	.flush = offcpu_flush,
	.notice = offcpu_notice,
};
