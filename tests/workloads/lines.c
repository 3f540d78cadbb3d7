/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lines: a known split between two source lines, for `report --lines`.
 *
 *   lines MILLISECONDS
 *
 * main -> ft_lines_driver -> { ft_lines_hot, ft_lines_cold }, alternating
 * slices of 3 s and s of this thread's CPU time, as split does, so the hot
 * loop gets 75% of the CPU the process receives and the cold one 25%. Each
 * loop is written on one line, marked LINES_HOT and LINES_COLD, so that all
 * its instructions carry that line in the DWARF line table; the end-to-end
 * test finds the lines with grep, so moving them breaks nothing. Built
 * with -g like every workload. Runs for MILLISECONDS of wall time (0:
 * until killed).
 */
#include "config.h"

#include <stdint.h>

#include "workload.h"

static volatile uint64_t ft_lines_hot_sink;
static volatile uint64_t ft_lines_cold_sink;

FT_NOINLINE static void ft_lines_hot(long long slice_ns)
{
	long long start = ft_thread_cpu_ns();

	do {
		/* clang-format off */
		for (int i = 0; i < FT_CHUNK; i++) ft_lines_hot_sink++; /* LINES_HOT */
		/* clang-format on */
	} while (ft_thread_cpu_ns() - start < slice_ns);
}

FT_NOINLINE static void ft_lines_cold(long long slice_ns)
{
	long long start = ft_thread_cpu_ns();

	do {
		/* clang-format off */
		for (int i = 0; i < FT_CHUNK; i++) ft_lines_cold_sink++; /* LINES_COLD */
		/* clang-format on */
	} while (ft_thread_cpu_ns() - start < slice_ns);
}

FT_NOINLINE static void ft_lines_driver(long long deadline)
{
	uint32_t rng = 12345;

	while (!ft_past(deadline)) {
		long long unit;

		rng = rng * 1103515245u + 12345u;
		unit = 500000 + (long long)((rng >> 8) % 1000000);
		ft_lines_hot(3 * unit);
		ft_lines_cold(unit);
	}
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: lines MILLISECONDS\n");
		return 2;
	}
	ft_lines_driver(ft_deadline(ft_arg("lines", "duration", argv[1])));
	return 0;
}
