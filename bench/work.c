/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The benches' own workload: a fixed amount of work, set by an iteration
 * count (no clock decides how much is done), with known stack shapes.
 *
 *   bench/work [--wide] [--gate FIFO] [--result FILE] ITERATIONS
 *
 * Each iteration descends a call chain and spins in a leaf (about 25 us).
 * The default shape is deep: 25 to 32 frames through bw_deep_a/bw_deep_b,
 * eight distinct stacks, as the recording bench has always used. --wide
 * gives 4096 distinct stacks of 15 to 17 frames: 1 to 3 frames of
 * bw_wide_pre, then 12 levels each through bw_wide_l or bw_wide_r as the
 * bits of the iteration's path say. ITERATIONS 0 runs until killed (a load).
 *
 * --gate FIFO waits, before any work, until a byte can be read from FIFO
 * (so a profiler can attach to this pid first). --result FILE writes, at
 * the end, "WALL_NS CPU_NS" of the work alone: the monotonic clock and the
 * process's CPU time (user + system), read once before the first iteration
 * and once after the last; the clock measures, it never decides.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BW_NOINLINE __attribute__((noinline))
#define LEAF_SPINS 16384
#define WIDE_LEVELS 12

static volatile uint64_t bw_sink;

BW_NOINLINE static void bw_leaf(void)
{
	for (int i = 0; i < LEAF_SPINS; i++)
		bw_sink++;
}

BW_NOINLINE static void bw_deep_b(int n);

BW_NOINLINE static void bw_deep_a(int n)
{
	if (n <= 0)
		bw_leaf();
	else
		bw_deep_b(n - 1);
	bw_sink++;
}

BW_NOINLINE static void bw_deep_b(int n)
{
	if (n <= 0)
		bw_leaf();
	else
		bw_deep_a(n - 1);
	bw_sink++;
}

BW_NOINLINE static void bw_wide_r(unsigned path, int level);

/*
 * One level of the wide tree: bit `level` of `path` picks the next function.
 * The two must not compile to the same code, which the compiler would keep
 * once under both names (GCC's identical code folding, -fipa-icf at -O2):
 * every stack would then name bw_wide_r alone, and the 4096 stacks would
 * differ in their return addresses only.
 */
BW_NOINLINE static void bw_wide_l(unsigned path, int level)
{
	if (level == WIDE_LEVELS)
		bw_leaf();
	else if (path >> level & 1)
		bw_wide_r(path, level + 1);
	else
		bw_wide_l(path, level + 1);
	bw_sink += 1;
}

BW_NOINLINE static void bw_wide_r(unsigned path, int level)
{
	if (level == WIDE_LEVELS)
		bw_leaf();
	else if (path >> level & 1)
		bw_wide_r(path, level + 1);
	else
		bw_wide_l(path, level + 1);
	bw_sink += 2;
}

BW_NOINLINE static void bw_wide_pre(unsigned path, int n)
{
	if (n > 1)
		bw_wide_pre(path, n - 1);
	else if (path & 1)
		bw_wide_r(path, 1);
	else
		bw_wide_l(path, 1);
	bw_sink++;
}

static uint64_t clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int usage(void)
{
	fprintf(stderr, "usage: work [--wide] [--gate FIFO] [--result FILE] ITERATIONS\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *gate = NULL, *result = NULL;
	uint64_t iters, i, wall0, cpu0, wall, cpu;
	bool wide = false;
	char *end;
	int a;

	for (a = 1; a < argc - 1; a++) {
		if (strcmp(argv[a], "--wide") == 0)
			wide = true;
		else if (strcmp(argv[a], "--gate") == 0 && a + 2 < argc)
			gate = argv[++a];
		else if (strcmp(argv[a], "--result") == 0 && a + 2 < argc)
			result = argv[++a];
		else
			return usage();
	}
	if (a != argc - 1)
		return usage();
	errno = 0;
	iters = strtoull(argv[a], &end, 10);
	if (errno || end == argv[a] || *end)
		return usage();
	if (gate) {
		int fd = open(gate, O_RDONLY | O_CLOEXEC);
		char c;

		if (fd < 0 || read(fd, &c, 1) != 1) {
			fprintf(stderr, "work: %s: %s\n", gate, fd < 0 ? strerror(errno) : "no byte");
			return 1;
		}
		close(fd);
	}

	wall0 = clock_ns(CLOCK_MONOTONIC);
	cpu0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	for (i = 0; !iters || i < iters; i++) {
		if (wide) {
			/* 4096 paths, each with its own prefix depth */
			unsigned path = (unsigned)(i * 2654435761u >> 7) & ((1u << WIDE_LEVELS) - 1);

			bw_wide_pre(path, 1 + (int)(path % 3));
		} else {
			bw_deep_a(24 + (int)(i % 8));
		}
	}
	wall = clock_ns(CLOCK_MONOTONIC) - wall0;
	cpu = clock_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
	if (result) {
		FILE *f = fopen(result, "w");

		if (!f || fprintf(f, "%llu %llu\n", (unsigned long long)wall,
				  (unsigned long long)cpu) < 0 || fclose(f) != 0) {
			fprintf(stderr, "work: %s: %s\n", result, strerror(errno));
			return 1;
		}
	}
	return 0;
}
