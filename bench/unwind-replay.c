/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * unwind-replay: times DWARF unwinding apart from sampling.
 *
 *   unwind-replay [-F HZ] [-s STACK_SIZE] -- COMMAND [ARGS...]
 *
 * Records COMMAND with --call-graph dwarf into memory (every pipeline
 * record copied as it arrives: samples with their registers and stacks,
 * mmaps, comms, forks and exits), then, with the command gone:
 *  - replays the recording through a fresh collect stage (unwinding,
 *    symbolization, interning: what turning a recording into a profile
 *    costs, from cold caches), and prints its wall time and its CPU time
 *    (user and system);
 *  - loads the kernel's symbols once more, alone, and prints the CPU time
 *    that took (the replay reads /proc/kallsyms when a sample holds a
 *    kernel address; the system time is the kernel formatting the file);
 *  - unwinds every sample twice with one unwinder and prints the median
 *    cost per sample of the second pass, when the caches are warm.
 * Output is "key value" lines for bench/unwind.sh.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "flametop/pipeline.h"
#include "flametop/procmap.h"
#include "flametop/profile.h"
#include "flametop/sampler.h"
#include "flametop/symbols.h"
#include "flametop/unwind.h"

enum rec_kind { REC_SAMPLE, REC_MMAP, REC_COMM, REC_TASK };

struct rec {
	enum rec_kind kind;
	union {
		struct pipeline_sample s;
		struct pipeline_mmap m;
		struct pipeline_comm c;
		struct pipeline_task t;
	} u;
	void *owned;
};

struct tape {
	struct rec *recs;
	size_t n, cap;
	size_t samples;
	uint64_t stack_bytes;
};

static struct rec *tape_add(struct tape *t, enum rec_kind kind)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 1024;
		t->recs = xreallocarray(t->recs, t->cap, sizeof(*t->recs));
	}
	memset(&t->recs[t->n], 0, sizeof(t->recs[t->n]));
	t->recs[t->n].kind = kind;
	return &t->recs[t->n++];
}

static int tape_sample(void *ctx, const struct pipeline_sample *s)
{
	struct tape *t = ctx;
	struct rec *r = tape_add(t, REC_SAMPLE);
	size_t nregs = (size_t)__builtin_popcountll(s->user_regs_mask);
	size_t bytes = s->nr_ips * 8 + nregs * 8 + s->user_stack_dyn_size;
	unsigned char *p = xmalloc(bytes ? bytes : 1);

	r->u.s = *s;
	r->owned = p;
	memcpy(p, s->ips, s->nr_ips * 8);
	r->u.s.ips = (const uint64_t *)p;
	p += s->nr_ips * 8;
	if (s->user_regs) {
		memcpy(p, s->user_regs, nregs * 8);
		r->u.s.user_regs = (const uint64_t *)p;
		p += nregs * 8;
	}
	if (s->user_stack) {
		memcpy(p, s->user_stack, s->user_stack_dyn_size);
		r->u.s.user_stack = p;
		r->u.s.user_stack_size = s->user_stack_dyn_size;
	}
	t->samples++;
	t->stack_bytes += s->user_stack_size;
	return 0;
}

static int tape_mmap(void *ctx, const struct pipeline_mmap *m)
{
	struct rec *r = tape_add(ctx, REC_MMAP);

	r->u.m = *m;
	r->owned = xstrdup(m->filename);
	r->u.m.filename = r->owned;
	return 0;
}

static int tape_comm(void *ctx, const struct pipeline_comm *c)
{
	struct rec *r = tape_add(ctx, REC_COMM);

	r->u.c = *c;
	r->owned = xstrdup(c->comm);
	r->u.c.comm = r->owned;
	return 0;
}

static int tape_task(void *ctx, const struct pipeline_task *tk)
{
	struct rec *r = tape_add(ctx, REC_TASK);

	r->u.t = *tk;
	return 0;
}

static const struct pipeline_sink_ops tape_ops = {
	.sample = tape_sample,
	.mmap = tape_mmap,
	.comm = tape_comm,
	.task = tape_task,
};

static void replay(const struct tape *t, const struct pipeline_sink *sink)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		const struct rec *r = &t->recs[i];

		switch (r->kind) {
		case REC_SAMPLE:
			sink->ops->sample(sink->ctx, &r->u.s);
			break;
		case REC_MMAP:
			sink->ops->mmap(sink->ctx, &r->u.m);
			break;
		case REC_COMM:
			sink->ops->comm(sink->ctx, &r->u.c);
			break;
		case REC_TASK:
			/* Exits are left out: the replay runs after them, and a
			 * live run applies them after the samples anyway. */
			if (!r->u.t.exit)
				sink->ops->task(sink->ctx, &r->u.t);
			break;
		}
	}
}

/* This process's CPU time so far, user and system apart, in ns. */
struct cpu_time {
	uint64_t user_ns, sys_ns;
};

static struct cpu_time cpu_now(void)
{
	struct cpu_time t = { 0, 0 };
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) == 0) {
		t.user_ns = (uint64_t)ru.ru_utime.tv_sec * 1000000000u +
			    (uint64_t)ru.ru_utime.tv_usec * 1000u;
		t.sys_ns = (uint64_t)ru.ru_stime.tv_sec * 1000000000u +
			   (uint64_t)ru.ru_stime.tv_usec * 1000u;
	}
	return t;
}

/* Prints "PREFIX_user_ms" and "PREFIX_sys_ms" lines: the CPU time from `a` to `b`. */
static void print_cpu(const char *prefix, struct cpu_time a, struct cpu_time b)
{
	printf("%s_user_ms %.3f\n", prefix, (double)(b.user_ns - a.user_ns) / 1e6);
	printf("%s_sys_ms %.3f\n", prefix, (double)(b.sys_ns - a.sys_ns) / 1e6);
}

/* Unwinds every sample of the tape with `u` (side-band records applied to `pm`). */
static void unwind_all(const struct tape *t, struct procmap *pm, struct unwind *u)
{
	static uint64_t ips[1024];
	size_t i;

	for (i = 0; i < t->n; i++) {
		const struct rec *r = &t->recs[i];

		if (r->kind == REC_SAMPLE)
			unwind_sample(u, &r->u.s, ips, 1024);
		else if (r->kind == REC_MMAP)
			procmap_mmap(pm, &r->u.m);
		else if (r->kind == REC_COMM && r->u.c.exec)
			procmap_exec(pm, r->u.c.pid, r->u.c.time);
		else if (r->kind == REC_TASK && !r->u.t.exit && r->u.t.pid != r->u.t.ppid)
			procmap_fork(pm, r->u.t.pid, r->u.t.ppid, r->u.t.time);
	}
}

int main(int argc, char **argv)
{
	struct tape tape = { NULL, 0, 0, 0, 0 };
	struct pipeline_sink sink = { &tape_ops, &tape };
	struct sampler_config cfg;
	struct ft_error err = { { 0 }, 0, 0 };
	struct pipeline_unwind_stats st;
	struct sampler *s;
	struct profile *p;
	struct procmap *pm;
	struct symbols *sym;
	struct pipeline_collect *c;
	struct unwind *u;
	unsigned freq = 999;
	size_t stack_size = 0, i;
	struct cpu_time c0, c1;
	uint64_t t0, t1;
	int opt;

	while ((opt = getopt(argc, argv, "+F:s:")) != -1) {
		switch (opt) {
		case 'F':
			freq = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 's':
			stack_size = strtoul(optarg, NULL, 10);
			break;
		default:
			fprintf(stderr, "usage: unwind-replay [-F HZ] [-s STACK_SIZE] -- COMMAND...\n");
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: unwind-replay [-F HZ] [-s STACK_SIZE] -- COMMAND...\n");
		return 2;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.target = SAMPLER_COMMAND;
	cfg.argv = argv + optind;
	cfg.frequency = freq;
	cfg.call_graph = SAMPLER_CALL_GRAPH_DWARF;
	cfg.stack_size = stack_size;
	s = sampler_new(&cfg, &sink, &err);
	if (!s) {
		fprintf(stderr, "unwind-replay: %s\n", err.msg);
		return 1;
	}
	if (sampler_start(s, &err) < 0) {
		fprintf(stderr, "unwind-replay: %s\n", err.msg);
		sampler_free(s);
		return 1;
	}
	while (sampler_poll(s, 100) == 0)
		;
	sampler_stop(s);
	printf("samples %zu\n", tape.samples);
	printf("lost %llu\n", (unsigned long long)sampler_lost(s));
	printf("stack_bytes %llu\n", (unsigned long long)tape.stack_bytes);
	sampler_free(s);

	/* Unwind, symbolize and aggregate the recording, from cold caches. */
	p = profile_new();
	pm = procmap_new();
	sym = symbols_new(pm);
	c = pipeline_collect_new(p, pm, sym);
	c0 = cpu_now();
	t0 = util_now_ns();
	replay(&tape, pipeline_collect_sink(c));
	pipeline_collect_tick(c);
	t1 = util_now_ns();
	c1 = cpu_now();
	pipeline_collect_unwind_stats(c, &st);
	printf("replay_ms %.3f\n", (double)(t1 - t0) / 1e6);
	print_cpu("replay", c0, c1);
	printf("replay_ns_per_sample %.0f\n",
	       tape.samples ? (double)(t1 - t0) / (double)tape.samples : 0.0);
	printf("frames_per_sample %.2f\n",
	       st.samples ? (double)st.frames / (double)st.samples : 0.0);
	printf("unwound %llu of %llu\n", (unsigned long long)st.unwound,
	       (unsigned long long)st.samples);
	pipeline_collect_free(c);
	symbols_free(sym);
	procmap_free(pm);
	profile_free(p);

	/* The kernel's symbols alone: what the replay paid for them. */
	pm = procmap_new();
	sym = symbols_new(pm);
	c0 = cpu_now();
	printf("kernel_symbols %s\n", symbols_have_kernel(sym) ? "yes" : "no");
	c1 = cpu_now();
	print_cpu("kallsyms", c0, c1);
	symbols_free(sym);
	procmap_free(pm);

	/* Unwinding alone, warm: the second pass over the same samples. */
	pm = procmap_new();
	u = unwind_new(pm);
	unwind_all(&tape, pm, u);
	unwind_stats(u, &st);
	printf("unwind_cold_median_ns %llu\n", (unsigned long long)st.median_ns);
	unwind_stats_reset(u);
	unwind_all(&tape, pm, u);
	unwind_stats(u, &st);
	printf("unwind_warm_median_ns %llu\n", (unsigned long long)st.median_ns);
	printf("unwind_warm_mean_ns %.0f\n", st.samples ? (double)st.ns / (double)st.samples : 0.0);
	unwind_free(u);
	procmap_free(pm);

	for (i = 0; i < tape.n; i++)
		free(tape.recs[i].owned);
	free(tape.recs);
	return 0;
}
