/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linetotal: a function with a hot line of its own and a line that calls,
 * for the lines' totals (report --lines, the lines view).
 *
 *   linetotal MILLISECONDS
 *
 * main -> ft_total_f, which alternates slices of this thread's CPU time:
 * 2 units in its own loop (the line marked TOTAL_SELF) and 1 unit in
 * ft_total_g, called from the line marked TOTAL_CALL. So ft_total_f's
 * TOTAL_SELF line has about 2/3 of the samples, as self and as total, and
 * its TOTAL_CALL line about 1/3 as total (ft_total_g's share) and almost
 * no self. The test finds the lines with grep. Runs for MILLISECONDS of
 * wall time (0: until killed).
 */
#include "config.h"

#include <stdint.h>

#include "workload.h"

static volatile uint64_t ft_total_sink;

FT_NOINLINE static void ft_total_g(long long slice_ns)
{
	long long start = ft_thread_cpu_ns();

	do {
		for (int i = 0; i < FT_CHUNK; i++)
			ft_total_sink += 3;
	} while (ft_thread_cpu_ns() - start < slice_ns);
}

FT_NOINLINE static void ft_total_f(long long deadline)
{
	uint32_t rng = 4321;

	while (!ft_past(deadline)) {
		long long unit, start;

		rng = rng * 1103515245u + 12345u;
		unit = 500000 + (long long)((rng >> 8) % 1000000);
		start = ft_thread_cpu_ns();
		do {
			/* clang-format off */
			for (int i = 0; i < FT_CHUNK; i++) ft_total_sink++; /* TOTAL_SELF */
			/* clang-format on */
		} while (ft_thread_cpu_ns() - start < 2 * unit);
		ft_total_g(unit); /* TOTAL_CALL */
	}
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: linetotal MILLISECONDS\n");
		return 2;
	}
	ft_total_f(ft_deadline(ft_arg("linetotal", "duration", argv[1])));
	return 0;
}
