/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The timeline bench (make bench-timeline, part of make bench): a
 * synthetic hour of sampling at 2 CPUs x 999 Hz over 10,000 distinct
 * stacks (depths 5-30, sharing prefixes as real call trees do, picked with
 * a Zipf(1) popularity; --uniform picks them evenly, the worst case for
 * memory), 8 threads in 2 processes, cycles sampled by frequency (the
 * periods as the kernel sets them: see cycles_period). It feeds the
 * timeline (default configuration: 64 MiB ceiling, tiers) in time order,
 * advancing each simulated second with a 60 s live window kept current,
 * and prints: the timeline's own memory and peak RSS, the time per added
 * sample, full-span and filtered query times, the live refresh time, rate
 * series times; then it writes the same hour with the session writer (a
 * flush per simulated second) and prints bytes per sample, the write time
 * (the writer's calls alone: begin, each flush, close; not making up the
 * samples nor adding them to the profile, which is the recorder's part;
 * its wall time beside it), and the time to read it back and build the timeline from it (the
 * library's part of opening it; make bench-replay times the explorer's),
 * with the read's user and system CPU apart, and next to them what this
 * machine charges for fresh memory: the CPU time to first touch a new
 * mapping the size of the samples array read. Where the kernel gets each
 * fresh page from the host (a VM whose balloon takes freed memory back),
 * that is most of the read's system CPU; on an ordinary box, tens of ms.
 * Times are the thread's CPU time, so that other load on a shared box
 * does not count.
 *
 * --day runs 24 hours through the timeline alone, the live view left
 * running for a day: peak RSS against the 64 MiB goal of issue 14, the
 * full-day query against 50 ms, and the resolution of windows of each
 * age. Run it as its own process, so that its peak RSS is its own.
 *
 * One line per figure (bench/bench.h); it asserts nothing.
 *
 * --session-only skips the timeline's own figures: the session's alone.
 * With BENCH_KEEP_SESSION set, the session file is left in $TMPDIR
 * (flametop-bench-PID.ft) for bench/replay-open.sh to open.
 *
 * --addresses gives the samples code locations and location chains, as a
 * recording's have (the synthetic stacks have none otherwise): what the
 * explorer's lines view keeps, for bench/replay-open.sh's day.
 *
 * --random-periods draws each sample's period at random from a million
 * values instead, 20 bits no coding can remove: no recording has them
 * (the kernel moves a period an eighth of the way at a time), but they
 * were this bench's periods up to format 1.12, and they bound what a
 * session takes when the periods wander more than a steady CPU's.
 *
 * Usage: bench/timeline [--day] [--uniform] [--addresses] [--random-periods]
 *                       [--minutes N] [--no-session | --session-only]
 */
#include "config.h"

#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "flametop/profile.h"
#include "flametop/session.h"
#include "flametop/timeline.h"
#include "flametop/util.h"

#include "bench.h"

#define SEC UINT64_C(1000000000)
#define NSTACKS 10000
#define HZ 999
#define NCPUS 2
#define NFUNCS 3000
#define NMODULES 20
/* The synthetic CPUs' clock: 3 GHz, always busy. */
#define CYCLES_PER_NS 3

/* What the synthetic samples are like: the command line's choices. */
struct gen_opts {
	bool uniform;        /* --uniform */
	bool addresses;      /* --addresses */
	bool random_periods; /* --random-periods */
};

struct gen {
	uint64_t rng;
	uint32_t leaves[NSTACKS];
	/* --addresses: each stack's two location chains and their leaves' locations */
	uint32_t chains[NSTACKS][2], leaf_locs[NSTACKS][2];
	bool addresses;
	uint16_t thread[NSTACKS]; /* index into tids */
	double cdf[NSTACKS];
	bool uniform;
	bool random_periods;
	/* each CPU's cycles event: the period it is armed with, and the
	 * jitter of its last sample's time */
	int64_t period[NCPUS];
	uint32_t jitter[NCPUS];
};

static const uint32_t tids[] = { 1000, 1001, 1002, 1003, 2000, 2001, 2002, 2003 };

static uint64_t rnd(struct gen *g)
{
	g->rng ^= g->rng >> 12;
	g->rng ^= g->rng << 25;
	g->rng ^= g->rng >> 27;
	return g->rng * 2685821657736338717ull;
}

static uint32_t rnd_below(struct gen *g, uint32_t n)
{
	return (uint32_t)(rnd(g) % n);
}

static double rnd_unit(struct gen *g)
{
	return (double)(rnd(g) >> 11) / (double)(UINT64_C(1) << 53);
}

static uint32_t random_frame(struct profile *p, struct gen *g)
{
	char name[32], module[32];
	uint32_t f = rnd_below(g, NFUNCS);

	snprintf(name, sizeof(name), "function_%u", f);
	snprintf(module, sizeof(module), "/usr/lib/libmod%u.so", f % NMODULES);
	return profile_intern_frame(p, name, module, PROFILE_FRAME_USER);
}

/*
 * 10,000 distinct leaves. Most stacks extend a prefix of an earlier one,
 * so the tree shares its upper levels as real programs' trees do.
 */
static void gen_stacks(struct profile *p, struct gen *g)
{
	uint8_t *used = NULL;
	uint32_t nused = 0, k = 0, i;
	uint32_t *path = xcalloc(32, sizeof(*path));
	uint32_t roots[4];
	double sum = 0;

	for (i = 0; i < 4; i++)
		roots[i] = profile_intern_node(p, PROFILE_ROOT, random_frame(p, g));
	while (k < NSTACKS) {
		uint32_t depth = 5 + rnd_below(g, 26), d = 1, node;

		node = roots[rnd_below(g, 4)];
		if (k && rnd_below(g, 10) < 7) {
			/* reuse a prefix of an earlier stack */
			uint32_t prev = g->leaves[rnd_below(g, k)], n = 0, keep;

			for (node = prev; node != PROFILE_ROOT; node = p->nodes[node].parent)
				path[n++] = node;
			keep = 2 + rnd_below(g, n - 1 < depth - 1 ? n - 1 : depth - 1);
			node = path[n - keep];
			d = keep;
		}
		for (; d < depth; d++)
			node = profile_intern_node(p, node, random_frame(p, g));
		if (node >= nused) {
			used = xrealloc(used, (size_t)node + 1);
			memset(used + nused, 0, node + 1 - nused);
			nused = node + 1;
		}
		if (used[node])
			continue;
		used[node] = 1;
		g->thread[k] = (uint16_t)(k % 2 * 4 + rnd_below(g, 4));
		g->leaves[k++] = node;
	}
	for (i = 0; i < NSTACKS; i++) {
		sum += g->uniform ? 1.0 : 1.0 / (i + 1);
		g->cdf[i] = sum;
	}
	for (i = 0; i < NSTACKS; i++)
		g->cdf[i] /= sum;
	free(path);
	free(used);
}

/*
 * --addresses: the code locations a recording's samples carry, which the
 * explorer's lines view keeps for the last minutes. A caller calls each
 * function from one place (a location per pair of functions), and each
 * stack's leaf is hit at one of two addresses: about 1.4 chains per node,
 * as a real 4096-stack recording has (19,100 chains, 14,500 nodes).
 */
static void gen_chains(struct profile *p, struct gen *g)
{
	uint32_t path[32], i, v, d, n, node, loc, chain;

	for (i = 0; i < NSTACKS; i++) {
		n = 0;
		for (node = g->leaves[i]; node != PROFILE_ROOT; node = p->nodes[node].parent)
			path[n++] = node;
		for (v = 0; v < 2; v++) {
			chain = PROFILE_NO_CHAIN;
			for (d = n - 1; d > 0; d--) {
				uint32_t callee = p->nodes[path[d - 1]].frame;

				loc = profile_intern_location(p, p->nodes[path[d]].frame,
							      0x1000 + (callee * 2654435761u) % 4096 * 4);
				chain = profile_intern_chain(p, chain, loc);
			}
			loc = profile_intern_location(p, p->nodes[path[0]].frame, 0x9000 + v * 16);
			g->chains[i][v] = profile_intern_chain(p, chain, loc);
			g->leaf_locs[i][v] = loc;
		}
	}
}

static uint32_t pick_stack(struct gen *g)
{
	double u = rnd_unit(g);
	uint32_t lo = 0, hi = NSTACKS - 1;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (g->cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The period a CPU's next sample reports, cycles sampled at HZ by
 * frequency as the kernel does it (kernel/events/core.c: at each overflow,
 * __perf_event_account_interrupt measures the rate from the period just
 * spent and the time since the last overflow, and perf_adjust_period
 * moves the period an eighth of the way, "(delta + 7) / 8", toward that
 * rate's events in 1/HZ s; the sample carries the period it was armed
 * with). The CPU runs at CYCLES_PER_NS, so the time between overflows is
 * the period's cycles at that rate, give or take the two samples' jitter
 * (`jitter`, the same that their times carry): what moves the period. The
 * kernel also adjusts once a tick from the tick's count, which on a
 * steady clock moves it far less; that is left out.
 */
static uint64_t cycles_period(struct gen *g, unsigned cpu, uint32_t jitter)
{
	int64_t p = g->period[cpu], target, delta;
	double ns;

	if (!p) /* the first sample: the steady state */
		p = CYCLES_PER_NS * (int64_t)(SEC / HZ);
	else {
		ns = (double)p / CYCLES_PER_NS + (double)jitter - (double)g->jitter[cpu];
		target = (int64_t)((double)p * (double)SEC / (ns * HZ));
		delta = (target - p + 7) / 8;
		p += delta;
	}
	g->period[cpu] = p;
	g->jitter[cpu] = jitter;
	return (uint64_t)p;
}

/* The samples of simulated second `sec` (NCPUS * HZ of them), in time order. */
static void gen_second(struct gen *g, uint64_t sec, struct profile_sample *s)
{
	uint32_t i, cpu;

	for (i = 0; i < HZ; i++) {
		for (cpu = 0; cpu < NCPUS; cpu++) {
			struct profile_sample *x = &s[i * NCPUS + cpu];
			uint32_t k = pick_stack(g), jitter = rnd_below(g, 1000);

			memset(x, 0, sizeof(*x));
			x->time = sec * SEC + (uint64_t)i * SEC / HZ + cpu * 1000 + jitter;
			if (g->random_periods)
				x->weight = 2500000 + rnd_below(g, 1000000);
			else
				x->weight = cycles_period(g, cpu, jitter);
			x->node = g->leaves[k];
			x->location = PROFILE_NO_LOCATION;
			x->chain = PROFILE_NO_CHAIN;
			if (g->addresses) {
				uint32_t v = rnd_below(g, 2);

				x->location = g->leaf_locs[k][v];
				x->chain = g->chains[k][v];
			}
			x->tid = tids[g->thread[k]];
			x->pid = x->tid / 1000 * 1000;
			x->cpu = (uint16_t)cpu;
		}
	}
}

static struct profile *bench_profile(struct gen *g, const struct gen_opts *o)
{
	struct profile *p = profile_new();
	size_t i;

	memset(g, 0, sizeof(*g));
	g->rng = 88172645463325252ull;
	g->uniform = o->uniform;
	g->addresses = o->addresses;
	g->random_periods = o->random_periods;
	for (i = 0; i < ARRAY_SIZE(tids); i++)
		profile_set_thread(p, tids[i] / 1000 * 1000, tids[i], tids[i] < 2000 ? "server" : "worker");
	profile_add_event(p, "cycles", "cycles");
	profile_meta_set(&p->meta.target, "synthetic");
	profile_meta_set(&p->meta.call_graph, "fp");
	p->meta.frequency = HZ;
	gen_stacks(p, g);
	if (o->addresses)
		gen_chains(p, g);
	return p;
}

/*
 * The calling thread's CPU time: on a shared box the figures are the work
 * done, not the time spent waiting for a CPU (everything here is one
 * thread, so on an idle box the two agree).
 */
static uint64_t cpu_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * SEC + (uint64_t)ts.tv_nsec;
}

/* The monotonic clock, for the write's wall time beside its CPU time. */
static uint64_t wall_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * SEC + (uint64_t)ts.tv_nsec;
}

static double ms_since(uint64_t t0)
{
	return (double)(cpu_now_ns() - t0) / 1e6;
}

static double peak_rss_mib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_maxrss / 1024.0;
}

/* The calling thread's user and system CPU time, in ns. */
static void cpu_split_ns(uint64_t *user, uint64_t *sys)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	*user = (uint64_t)ru.ru_utime.tv_sec * SEC + (uint64_t)ru.ru_utime.tv_usec * 1000;
	*sys = (uint64_t)ru.ru_stime.tv_sec * SEC + (uint64_t)ru.ru_stime.tv_usec * 1000;
}

/*
 * What this machine charges for `bytes` of fresh memory: the calling
 * thread's CPU time to map them as the samples array is mapped
 * (xbig_reallocarray) and touch every page, with the user and system
 * parts, in ms. Call it while the memory read is still held, so that the
 * pages it gets are fresh and not ones the read just gave back.
 */
static void fresh_memory_ms(size_t bytes, double *user_ms, double *sys_ms)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), i;
	uint64_t user0, sys0, user1, sys1;
	volatile unsigned char *m;

	cpu_split_ns(&user0, &sys0);
	m = xbig_reallocarray(NULL, 0, bytes, 1);
	for (i = 0; i < bytes; i += page)
		m[i] = 1;
	cpu_split_ns(&user1, &sys1);
	xbig_free((void *)m, bytes, 1);
	*user_ms = (double)(user1 - user0) / 1e6;
	*sys_ms = (double)(sys1 - sys0) / 1e6;
}

static int write_session(const char *path, const struct gen_opts *o, uint64_t secs,
			 double *bps, double *write_ms, double *wall_ms)
{
	struct gen *g = xcalloc(1, sizeof(*g));
	struct profile *p = bench_profile(g, o);
	struct profile_sample *s = xcalloc(NCPUS * HZ, sizeof(*s));
	struct session_writer *w;
	struct ft_error err;
	struct stat st;
	uint64_t sec, t0, w0, spent, wall, total = 0;
	int ret;
	size_t i;

	w = session_writer_open(path, false, &err);
	if (!w) {
		fprintf(stderr, "bench: %s\n", err.msg);
		ret = -EIO;
		goto out_free;
	}
	t0 = cpu_now_ns();
	w0 = wall_now_ns();
	ret = session_writer_begin(w, p);
	spent = cpu_now_ns() - t0;
	wall = wall_now_ns() - w0;
	for (sec = 0; !ret && sec < secs; sec++) {
		/* Making up the samples and adding them to the profile (the
		 * recorder's part) is not writing them: only the writer's
		 * calls are timed. */
		gen_second(g, sec, s);
		for (i = 0; i < NCPUS * HZ; i++)
			profile_add_sample(p, &s[i]);
		total += NCPUS * HZ;
		t0 = cpu_now_ns();
		w0 = wall_now_ns();
		ret = session_writer_flush(w, p);
		spent += cpu_now_ns() - t0;
		wall += wall_now_ns() - w0;
		profile_clear_samples(p);
	}
	p->meta.duration_ns = secs * SEC;
	if (ret) {
		session_writer_abort(w);
		fprintf(stderr, "bench: writing %s: %s\n", path, strerror(-ret));
		goto out_free;
	}
	t0 = cpu_now_ns();
	w0 = wall_now_ns();
	ret = session_writer_close(w, p);
	*write_ms = (double)(spent + cpu_now_ns() - t0) / 1e6;
	*wall_ms = (double)(wall + wall_now_ns() - w0) / 1e6;
	if (ret || stat(path, &st) != 0) {
		fprintf(stderr, "bench: writing %s: %s\n", path, strerror(ret ? -ret : errno));
		ret = ret ? ret : -errno;
		goto out_free;
	}
	*bps = (double)st.st_size / (double)total;
out_free:
	free(s);
	profile_free(p);
	free(g);
	return ret;
}

/* "NAME, hour" or "NAME, day" (the span fed), in `buf`. */
static const char *fig(char *buf, size_t size, const char *name, const char *span)
{
	snprintf(buf, size, "%s, %s", name, span);
	return buf;
}

/* Prints the time of one query of f's window, as figure `what`. */
static void window_figure(struct timeline *t, const struct profile_filter *f, const char *what,
			  const char *span)
{
	char name[96], peer[96];
	uint64_t t0 = cpu_now_ns();
	struct profile_top *top = timeline_query(t, f);
	double ms = ms_since(t0);

	snprintf(peer, sizeof(peer), "%llu samples", (unsigned long long)top->nsamples);
	bench_line(fig(name, sizeof(name), what, span), ms, "ms", NULL, 0, peer);
	profile_top_free(top);
}

static double mib(size_t bytes)
{
	return (double)bytes / (1024.0 * 1024.0);
}

int main(int argc, char **argv)
{
	struct timeline_config c;
	struct timeline *t;
	struct timeline_live *live;
	struct timeline_stats st;
	struct profile_filter f, lf;
	struct profile_top *top;
	struct profile_sample *s;
	struct profile *p, *rp;
	struct session_read_info info;
	struct ft_error err;
	struct gen *g;
	regex_t re;
	uint64_t secs = 3600, sec, t0, add_ns = 0, nsamples = 0, rates[600];
	struct timeline_count_cache *counts;
	uint64_t user0, sys0, user1, sys1;
	double live_sum = 0, live_max = 0, ms, bps = 0, write_ms = 0, wall_ms = 0, read_ms, query_ms;
	struct gen_opts o = { 0 };
	bool session = true, day = false, session_only = false;
	char path[4096], name[128], peer[96];
	char span[48];
	const char *tmp;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--uniform") == 0)
			o.uniform = true;
		else if (strcmp(argv[i], "--no-session") == 0)
			session = false;
		else if (strcmp(argv[i], "--session-only") == 0)
			session_only = true;
		else if (strcmp(argv[i], "--day") == 0)
			day = true;
		else if (strcmp(argv[i], "--addresses") == 0)
			o.addresses = true;
		else if (strcmp(argv[i], "--random-periods") == 0)
			o.random_periods = true;
		else if (strcmp(argv[i], "--minutes") == 0 && i + 1 < argc)
			secs = strtoull(argv[++i], NULL, 10) * 60;
		else {
			fprintf(stderr, "usage: %s [--day] [--uniform] [--addresses] [--random-periods] "
				"[--minutes N] [--no-session | --session-only]\n", argv[0]);
			return 2;
		}
	}
	if (day) {
		secs = 24 * 3600;
		session = false;
	}
	if (!secs)
		secs = 60;
	/* other samples, other figures */
	snprintf(span, sizeof(span), "%s%s%s",
		 secs == 24 * 3600 ? "day" : secs == 3600 ? "hour" : "span",
		 o.addresses ? ", addresses" : "", o.random_periods ? ", random periods" : "");

	g = xcalloc(1, sizeof(*g));
	p = bench_profile(g, &o);
	s = xcalloc(NCPUS * HZ, sizeof(*s));
	printf("== timeline: %llu s at %d CPUs x %d Hz, %d stacks (%s), %u call-tree nodes, "
	       "%zu threads, periods %s, ",
	       (unsigned long long)secs, NCPUS, HZ, NSTACKS, o.uniform ? "uniform" : "Zipf(1)",
	       p->nnodes, ARRAY_SIZE(tids), o.random_periods ? "at random" : "as the kernel's");
	if (o.addresses)
		printf("%u location chains\n", p->nchains);
	else
		printf("no code addresses\n");

	timeline_config_default(&c);
	if (session_only) {
		bench_header();
		goto session;
	}
	t = timeline_new(&c, p);
	profile_filter_init(&lf);
	live = timeline_live_new(t, &lf, 60 * SEC);
	for (sec = 0; sec < secs; sec++) {
		const struct profile_top *lt;

		gen_second(g, sec, s);
		t0 = cpu_now_ns();
		timeline_add(t, s, NCPUS * HZ);
		timeline_advance(t, (sec + 1) * SEC);
		add_ns += cpu_now_ns() - t0;
		nsamples += NCPUS * HZ;
		t0 = cpu_now_ns();
		lt = timeline_live_top(live);
		ms = ms_since(t0);
		live_sum += ms;
		if (ms > live_max)
			live_max = ms;
		if (!lt->nsamples)
			printf("  live window empty at %llu s?\n", (unsigned long long)sec);
	}
	timeline_stats(t, &st);
	printf("  %llu samples retained, %llu dropped, %zu buckets, %.1f h kept; the call tree "
	       "(profile) %.1f MiB\n",
	       (unsigned long long)st.samples, (unsigned long long)st.dropped, st.buckets,
	       (double)(st.last - st.first) / (3600.0 * SEC), mib(profile_memory(p)));
	bench_header();
	bench_line(fig(name, sizeof(name), "timeline memory", span), mib(st.memory), "MiB", "<=",
		   mib(c.max_memory), NULL);
	bench_line(fig(name, sizeof(name), "timeline peak RSS", span), peak_rss_mib(), "MiB",
		   day ? "<=" : NULL, 64, NULL);
	snprintf(peer, sizeof(peer), "of %llu; %.1f h kept", (unsigned long long)nsamples,
		 (double)(st.last - st.first) / (3600.0 * SEC));
	bench_line(fig(name, sizeof(name), "samples dropped", span), (double)st.dropped, NULL, "<=",
		   0, peer);
	bench_line(fig(name, sizeof(name), "timeline add + advance", span),
		   (double)add_ns / (double)nsamples, "ns", NULL, 0, "per sample");
	bench_line(fig(name, sizeof(name), "live 60 s refresh, mean", span), live_sum / (double)secs,
		   "ms", NULL, 0, NULL);
	bench_line(fig(name, sizeof(name), "live 60 s refresh, worst", span), live_max, "ms", NULL,
		   0, NULL);

	{
		/* How fine the data is by age: the widest bucket of a window ending that long ago. */
		static const struct {
			const char *name;
			uint64_t ago, len;
		} ages[] = {
			{ "resolution, the last 10 min", 0, 600 },
			{ "resolution, an hour ago", 3600, 600 },
			{ "resolution, 12 h ago", 12 * 3600, 600 },
			{ "resolution, the oldest 10 min", 0, 0 },
		};
		uint64_t lo, hi, from, to;
		size_t a;

		for (a = 0; a < ARRAY_SIZE(ages); a++) {
			if (ages[a].len) {
				if (ages[a].ago + ages[a].len > secs)
					continue;
				to = st.last - ages[a].ago * SEC;
				from = to - ages[a].len * SEC;
			} else {
				from = st.first;
				to = st.first + 600 * SEC;
			}
			timeline_resolution(t, from, to, &lo, &hi);
			bench_line(fig(name, sizeof(name), ages[a].name, span), (double)hi / SEC, "s",
				   NULL, 0, NULL);
		}
	}

	profile_filter_init(&f);
	t0 = cpu_now_ns();
	for (i = 0; i < 5; i++) {
		top = timeline_query(t, &f);
		if (i < 4)
			profile_top_free(top);
	}
	query_ms = ms_since(t0) / 5;
	snprintf(peer, sizeof(peer), "%llu samples, %zu functions",
		 (unsigned long long)top->nsamples, top->nfns);
	bench_line(fig(name, sizeof(name), "query, the whole", span), query_ms, "ms",
		   day ? "<=" : NULL, 50, peer);
	profile_top_free(top);

	regcomp(&re, "^function_1[0-9]*$", REG_EXTENDED | REG_NOSUB);
	f.pid = 2000;
	f.comm = "worker";
	f.exclude = &re;
	t0 = cpu_now_ns();
	top = timeline_query(t, &f);
	ms = ms_since(t0);
	snprintf(peer, sizeof(peer), "pid, comm, regex: %llu samples",
		 (unsigned long long)top->nsamples);
	bench_line(fig(name, sizeof(name), "query filtered, the whole", span), ms, "ms", NULL, 0,
		   peer);
	profile_top_free(top);
	regfree(&re);

	/* A window that is not the whole span reads the buckets in it, or,
	 * when they hold most entries, those outside it (taken out of the
	 * sums kept of everything): the newer half, whose fine buckets hold
	 * more entries, and the older half. */
	profile_filter_init(&f);
	f.from = st.first + (st.last - st.first) / 2;
	window_figure(t, &f, "query, the newer half", span);
	f.to = f.from;
	f.from = 0;
	window_figure(t, &f, "query, the older half", span);

	timeline_live_free(live);
	t0 = cpu_now_ns();
	live = timeline_live_new(t, &lf, 60 * SEC);
	timeline_live_top(live);
	bench_line(fig(name, sizeof(name), "live 60 s from cold", span), ms_since(t0), "ms", NULL,
		   0, NULL);
	timeline_live_free(live);

	t0 = cpu_now_ns();
	timeline_rate(t, st.first, st.last, -1, rates, 200);
	bench_line(fig(name, sizeof(name), "rate series, the whole", span), ms_since(t0), "ms", NULL,
		   0, "200 steps");
	t0 = cpu_now_ns();
	timeline_rate(t, st.last - 60 * SEC, st.last, -1, rates, 600);
	bench_line(fig(name, sizeof(name), "rate series, last 60 s", span), ms_since(t0), "ms",
		   NULL, 0, "600 steps of 100 ms");
	/* The explorer's strip with a process picked: every bucket's entries read. */
	counts = timeline_count_cache_new();
	profile_filter_init(&f);
	f.pid = 2000;
	t0 = cpu_now_ns();
	timeline_rate_filter(t, st.first, st.last, &f, counts, rates, 200);
	bench_line(fig(name, sizeof(name), "rate series filtered, the whole", span), ms_since(t0),
		   "ms", NULL, 0, "200 steps, one process");
	/* The next second's strip: the buckets counted are not read again. */
	t0 = cpu_now_ns();
	timeline_rate_filter(t, st.first, st.last, &f, counts, rates, 200);
	bench_line(fig(name, sizeof(name), "rate series filtered again", span), ms_since(t0),
		   "ms", NULL, 0, "the same, counts cached");
	timeline_count_cache_free(counts);
	timeline_free(t);

session:
	if (!session)
		goto out_free;
	tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	snprintf(path, sizeof(path), "%s/flametop-bench-%d.ft", tmp, (int)getpid());
	if (write_session(path, &o, secs, &bps, &write_ms, &wall_ms) == 0) {
		/* Periods at random bound the bytes, no goal: 2.5 of them
		 * are the period's random bits. */
		if (o.random_periods)
			bench_line(fig(name, sizeof(name), "session bytes per sample, synthetic",
				       span),
				   bps, "B", NULL, 0, "20 random bits of period a sample");
		else
			bench_line(fig(name, sizeof(name), "session bytes per sample, synthetic",
				       span),
				   bps, "B", "<=", 4, NULL);
		/* Issue 14's goal is 2 s for the hour: 2 s an hour of samples.
		 * Its wall time beside it: on a loaded box, the time others
		 * took too. */
		snprintf(peer, sizeof(peer), "writer calls only; wall %.2f s%s", wall_ms / 1000,
			 secs == 3600 ? "" : "; 2 s an hour");
		bench_line(fig(name, sizeof(name), "session write, synthetic", span), write_ms / 1000,
			   "s", "<=", 2.0 * (double)secs / 3600, peer);
		cpu_split_ns(&user0, &sys0);
		t0 = cpu_now_ns();
		rp = session_read(path, &info, &err);
		read_ms = ms_since(t0);
		cpu_split_ns(&user1, &sys1);
		if (!rp) {
			printf("  session read failed: %s\n", err.msg);
		} else {
			double fresh_user, fresh_sys;
			size_t k;

			t0 = cpu_now_ns();
			t = timeline_new(&c, rp);
			for (k = 0; k < rp->nsamples; k += NCPUS * HZ) {
				size_t n = rp->nsamples - k < NCPUS * HZ ? rp->nsamples - k : NCPUS * HZ;

				timeline_add(t, rp->samples + k, n);
				timeline_advance(t, rp->samples[k + n - 1].time);
			}
			ms = ms_since(t0);
			/* The library's share of opening; the explorer's whole
			 * open, against the goal, is bench-replay's. */
			snprintf(peer, sizeof(peer), "read %.0f ms + timeline %.0f ms", read_ms, ms);
			bench_line(fig(name, sizeof(name), "session_read() + timeline, synthetic",
				       span),
				   (read_ms + ms) / 1000, "s", NULL, 0, peer);
			/* The read's own work apart from the kernel's (most of
			 * it faulting in the fresh pages of the samples array),
			 * and what fresh memory costs on this machine, taken
			 * while the read's is still held: the system part's
			 * share that is the machine's. */
			bench_line(fig(name, sizeof(name), "session_read(), user CPU, synthetic",
				       span),
				   (double)(user1 - user0) / 1e6, "ms", NULL, 0, NULL);
			bench_line(fig(name, sizeof(name), "session_read(), system CPU, synthetic",
				       span),
				   (double)(sys1 - sys0) / 1e6, "ms", NULL, 0,
				   "mostly its samples' fresh pages: see the next line");
			fresh_memory_ms(rp->nsamples * sizeof(*rp->samples), &fresh_user,
					&fresh_sys);
			snprintf(peer, sizeof(peer),
				 "%.0f MiB mapped, touched; user %.0f + system %.0f ms",
				 mib(rp->nsamples * sizeof(*rp->samples)), fresh_user, fresh_sys);
			bench_line(fig(name, sizeof(name),
				       "fresh memory of session_read()'s samples' size", span),
				   fresh_user + fresh_sys, "ms", NULL, 0, peer);
			timeline_free(t);
			profile_free(rp);
		}
	}
	if (!getenv("BENCH_KEEP_SESSION"))
		unlink(path);
out_free:
	free(s);
	free(g);
	profile_free(p);
	return 0;
}
