/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * wall: on-CPU and off-CPU time of the same threads, in ns, so a thread
 * that computes 25 ms and sleeps 75 ms shows 25/75 (Pyroscope's wall
 * profile). Two members feed one event: a task clock sampled at -F, whose
 * periods are on-CPU nanoseconds and pass through, and offcpu's
 * context-switch member, whose rule (type_offcpu.c) adds the time between
 * each switch-out and switch-in. A long sleep shows when the thread wakes,
 * or when sampling stops; one that began before sampling did is not
 * counted, as no switch-out of it was sampled.
 */
#include "config.h"

#include "types.h"

#include <string.h>

enum { WALL_CPU, WALL_OFF };

static int wall_members(const struct sampler_type_target *t, struct sampler_type_member *m,
			struct ft_error *err)
{
	(void)err;
	memset(&m[0], 0, sizeof(m[0]));
	m[0].attr.type = PERF_TYPE_SOFTWARE;
	/* Whole-system sampling counts CPUs, not threads: the CPU's clock. */
	m[0].attr.config =
		t->target == SAMPLER_SYSTEM ? PERF_COUNT_SW_CPU_CLOCK : PERF_COUNT_SW_TASK_CLOCK;
	m[0].frequency = true;
	m[0].role = WALL_CPU;
	type_offcpu_member(&m[1], WALL_OFF);
	return 2;
}

static void *wall_state_new(const struct sampler_type_target *t)
{
	return type_offcpu_new(t->symbols);
}

static void wall_state_free(void *st)
{
	type_offcpu_free(st);
}

static int wall_sample(void *st, uint32_t role, const struct pipeline_sample *s,
		       const struct type_hit *hit, const struct pipeline_sink *sink)
{
	(void)hit;
	if (role == WALL_OFF)
		return type_offcpu_sample(st, s, sink);
	if (s->tid == 0)
		return 0; /* an idle CPU: no thread's time */
	return type_emit(sink, s, s->period);
}

static int wall_sched(void *st, uint32_t tid, uint64_t time, bool out, bool preempt,
		      const struct pipeline_sink *sink)
{
	return type_offcpu_sched(st, tid, time, out, preempt, sink);
}

static int wall_flush(void *st, uint64_t now, const struct pipeline_sink *sink)
{
	return type_offcpu_flush(st, now, sink);
}

static void wall_exit(void *st, uint32_t tid, uint64_t time)
{
	type_offcpu_exit(st, tid, time);
}

static const char *wall_notice(void *st)
{
	return type_offcpu_notice(st);
}

const struct sampler_type sampler_type_wall = {
	.name = "wall",
	.unit = "ns",
	.summary = "on-CPU plus off-CPU time of the same threads (cpu clock + offcpu)",
	.members = wall_members,
	.state_new = wall_state_new,
	.state_free = wall_state_free,
	.sample = wall_sample,
	.sched = wall_sched,
	.flush = wall_flush,
	.exit = wall_exit,
	.notice = wall_notice,
};
