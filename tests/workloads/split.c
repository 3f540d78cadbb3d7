/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * split: a known split of work between two functions.
 *
 *   split MILLISECONDS [EXIT_STATUS]
 *
 * main -> ft_split_driver -> { ft_split_heavy, ft_split_light }, alternating
 * slices of 3 u and u iterations of the same loop body, so heavy does 75%
 * and light 25% of the work, and gets that share of the CPU the process
 * receives however loaded the machine is and whatever a clock costs. The
 * unit u is about 0.5 to 1.5 ms of CPU (calibrated once at start) and
 * wanders so that a sampling period cannot stay in step with the
 * alternation. Neither function reads a clock; the driver looks at the wall
 * clock between slices. Runs for MILLISECONDS of wall time (0: until
 * killed) and exits with EXIT_STATUS (default 0).
 */
#include "config.h"

#include <stdint.h>

#include "workload.h"

/* One sink each, so that the two functions differ and no identical-code
 * folding can merge them into one symbol. */
static volatile uint64_t ft_split_heavy_sink;
static volatile uint64_t ft_split_light_sink;

FT_NOINLINE static void ft_split_heavy(long long n)
{
	FT_WORK(n, ft_split_heavy_sink);
}

FT_NOINLINE static void ft_split_light(long long n)
{
	FT_WORK(n, ft_split_light_sink);
}

FT_NOINLINE static void ft_split_driver(long long deadline, long long per_ms)
{
	uint32_t rng = 12345;

	while (!ft_past(deadline)) {
		long long unit = ft_unit(&rng, per_ms);

		ft_split_heavy(3 * unit);
		ft_split_light(unit);
	}
}

int main(int argc, char **argv)
{
	long ms, status = 0;
	long long deadline;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: split MILLISECONDS [EXIT_STATUS]\n");
		return 2;
	}
	ms = ft_arg("split", "duration", argv[1]);
	if (argc == 3)
		status = ft_arg("split", "exit status", argv[2]);
	deadline = ft_deadline(ms);
	ft_split_driver(deadline, ft_iters_per_ms());
	return (int)status;
}
