/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * collect: times the collect stage (symbolization and interning of each
 * sample's chain) apart from sampling, on chains shaped like bench/work
 * --wide's: 4096 distinct call paths of 15 to 17 frames (1 to 3 frames
 * by path, then 12 levels), three leaf addresses each, frame-pointer
 * chains as perf gives them. The frames
 * are addresses in this program's own code (mapped, as the recorder would
 * be told, for a made-up process), so symbols are really looked up.
 *
 *   bench/collect [SAMPLES]
 *
 * Feeds SAMPLES (default 20000, about what 10 s of two loaded CPUs at
 * 999 Hz give) random paths to a fresh collect stage and profile, five
 * times over, and prints the median CPU time per sample. No goal of its
 * own: it is what `record` spends per sample on top of reading the ring
 * buffers and writing the session (bench/record-overhead.sh has the goal).
 */
#include "config.h"

#include <inttypes.h>
#include <linux/perf_event.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flametop/pipeline.h"
#include "flametop/procmap.h"
#include "flametop/profile.h"
#include "flametop/symbols.h"

#include "bench.h"

#define PID 0x7ffff100u
#define LEVELS 12
#define RUNS 5

int main(int argc, char **argv);

/* Functions whose addresses make up the frames: one per level kind. */
static void *const fns[] = {
	(void *)&main, (void *)&bench_fmt, (void *)&bench_row, (void *)&bench_header,
	(void *)&bench_line, (void *)&symbols_resolve, (void *)&profile_intern_node,
};

/* This program's code, as /proc/self/maps says: into *m. */
static int self_text(struct pipeline_mmap *m, char *path, size_t size)
{
	char line[4352];
	FILE *f = fopen("/proc/self/maps", "r");
	uintptr_t addr = (uintptr_t)&main;
	int found = -1;

	if (!f)
		return -1;
	while (found && fgets(line, sizeof(line), f)) {
		unsigned long long start, end, pgoff;
		int pos = 0;

		if (sscanf(line, "%llx-%llx %*s %llx %*x:%*x %*u %n", &start, &end, &pgoff, &pos) < 3 ||
		    addr < start || addr >= end)
			continue;
		memset(m, 0, sizeof(*m));
		snprintf(path, size, "%s", line + pos + strspn(line + pos, " "));
		path[strcspn(path, "\n")] = '\0';
		m->pid = m->tid = PID;
		m->start = start;
		m->len = end - start;
		m->pgoff = pgoff;
		m->filename = path;
		found = 0;
	}
	fclose(f);
	return found;
}

static uint64_t next_rand(uint64_t *st)
{
	*st ^= *st << 13;
	*st ^= *st >> 7;
	*st ^= *st << 17;
	return *st;
}

/* A chain of the wide tree (innermost first, after its context marker): its length. */
static uint32_t wide_chain(uint64_t *st, uint64_t *ips)
{
	uint64_t r = next_rand(st);
	uint32_t path = (uint32_t)(r & 4095), pre = 1 + path % 3, nr = 0, i;

	ips[nr++] = PERF_CONTEXT_USER;
	ips[nr++] = (uintptr_t)fns[1] + 8 + (r >> 20) % 3; /* the leaf's loop */
	for (i = LEVELS; i-- > 0;) /* each level calls the next from one of two sites */
		ips[nr++] = (uintptr_t)fns[2 + (path >> i & 1)] + 16 + 8 * (i > 0 ? path >> (i - 1) & 1 : 0);
	for (i = 0; i < pre; i++)
		ips[nr++] = (uintptr_t)fns[4] + 24;
	ips[nr++] = (uintptr_t)fns[0] + 40;
	ips[nr++] = (uintptr_t)fns[5] + 40; /* libc's frames above main */
	ips[nr++] = (uintptr_t)fns[6] + 40;
	return nr;
}

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	uint32_t samples = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 20000;
	struct procmap *pm = procmap_new();
	struct symbols *sym = symbols_new(pm);
	struct pipeline_mmap m;
	char path[4096], peer[64];
	double us[RUNS];
	uint64_t ips[64];
	uint32_t run, i, nodes = 0;

	if (self_text(&m, path, sizeof(path)) != 0) {
		fprintf(stderr, "bench/collect: cannot find its own code in /proc/self/maps\n");
		return 1;
	}
	procmap_set_live(pm, false);
	procmap_mmap(pm, &m);
	for (run = 0; run < RUNS; run++) {
		struct profile *p = profile_new();
		struct pipeline_collect *c = pipeline_collect_new(p, pm, sym);
		const struct pipeline_sink *sink = pipeline_collect_sink(c);
		struct pipeline_sample s = { .pid = PID, .tid = PID, .period = 1, .ips = ips };
		uint64_t st = 0x9e3779b97f4a7c15ull;
		double t0;

		sink->ops->mmap(sink->ctx, &m);
		t0 = cpu_now();
		for (i = 0; i < samples; i++) {
			s.nr_ips = wide_chain(&st, ips);
			s.time = i;
			sink->ops->sample(sink->ctx, &s);
		}
		us[run] = (cpu_now() - t0) * 1e6 / samples;
		nodes = p->nnodes;
		pipeline_collect_free(c);
		profile_free(p);
	}
	qsort(us, RUNS, sizeof(*us), cmp_double);
	printf("== the collect stage: %" PRIu32 " samples of wide stacks, %" PRIu32
	       " call tree nodes, %d runs\n",
	       samples, nodes, RUNS);
	snprintf(peer, sizeof(peer), "runs %.2f to %.2f us", us[0], us[RUNS - 1]);
	bench_line("collect CPU per sample, wide stacks", us[RUNS / 2], "us", NULL, 0, peer);
	symbols_free(sym);
	procmap_free(pm);
	return 0;
}
