/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lines: a known split between two source lines, for `report --lines`.
 *
 *   lines MILLISECONDS
 *
 * main -> ft_lines_driver -> { ft_lines_hot, ft_lines_cold }, alternating
 * slices of 3 u and u iterations of the same loop body, as split does, so
 * the hot loop does 75% of the work (and gets 75% of the CPU the process
 * receives) and the cold one 25%; u is about 0.5 to 1.5 ms of CPU and
 * wanders. Each loop is written on one line, marked LINES_HOT and
 * LINES_COLD, so that all its instructions carry that line in the DWARF
 * line table; neither reads a clock. The end-to-end test finds the lines
 * with grep, so moving them breaks nothing. Built with -g like every
 * workload. Runs for MILLISECONDS of wall time (0: until killed).
 */
#include "config.h"

#include <stdint.h>

#include "workload.h"

static volatile uint64_t ft_lines_hot_sink;
static volatile uint64_t ft_lines_cold_sink;

FT_NOINLINE static void ft_lines_hot(long long n)
{
	/* clang-format off */
	FT_WORK(n, ft_lines_hot_sink); /* LINES_HOT */
	/* clang-format on */
}

FT_NOINLINE static void ft_lines_cold(long long n)
{
	/* clang-format off */
	FT_WORK(n, ft_lines_cold_sink); /* LINES_COLD */
	/* clang-format on */
}

FT_NOINLINE static void ft_lines_driver(long long deadline, long long per_ms)
{
	uint32_t rng = 12345;

	while (!ft_past(deadline)) {
		long long unit = ft_unit(&rng, per_ms);

		ft_lines_hot(3 * unit);
		ft_lines_cold(unit);
	}
}

int main(int argc, char **argv)
{
	long long deadline;

	if (argc != 2) {
		fprintf(stderr, "usage: lines MILLISECONDS\n");
		return 2;
	}
	deadline = ft_deadline(ft_arg("lines", "duration", argv[1]));
	ft_lines_driver(deadline, ft_iters_per_ms());
	return 0;
}
