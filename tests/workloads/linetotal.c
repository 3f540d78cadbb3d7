/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linetotal: a function with a hot line of its own and a line that calls,
 * for the lines' totals (report --lines, the lines view).
 *
 *   linetotal MILLISECONDS
 *
 * main -> ft_total_f, which alternates slices of work: 2 units of
 * iterations of FT_WORK in its own line (marked TOTAL_SELF) and 1 unit in
 * ft_total_g, called from the line marked TOTAL_CALL, a unit being about
 * 0.5 to 1.5 ms of CPU (calibrated once at start). So ft_total_f's
 * TOTAL_SELF line has about 2/3 of the samples, as self and as total, and
 * its TOTAL_CALL line about 1/3 as total (ft_total_g's share) and almost
 * no self, however loaded the machine; neither reads a clock but
 * ft_total_f's look at the wall clock between slices. The test finds the
 * lines with grep. Runs for MILLISECONDS of wall time (0: until killed).
 */
#include "config.h"

#include <stdint.h>

#include "workload.h"

static volatile uint64_t ft_total_sink;

FT_NOINLINE static void ft_total_g(long long n)
{
	FT_WORK(n, ft_total_sink);
}

FT_NOINLINE static void ft_total_f(long long deadline, long long per_ms)
{
	uint32_t rng = 4321;

	while (!ft_past(deadline)) {
		long long unit = ft_unit(&rng, per_ms);

		/* clang-format off */
		FT_WORK(2 * unit, ft_total_sink); /* TOTAL_SELF */
		/* clang-format on */
		ft_total_g(unit); /* TOTAL_CALL */
	}
}

int main(int argc, char **argv)
{
	long long deadline;

	if (argc != 2) {
		fprintf(stderr, "usage: linetotal MILLISECONDS\n");
		return 2;
	}
	deadline = ft_deadline(ft_arg("linetotal", "duration", argv[1]));
	ft_total_f(deadline, ft_iters_per_ms());
	return 0;
}
