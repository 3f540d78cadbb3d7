/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * phases: two time phases with one function each.
 *
 *   phases MILLISECONDS
 *
 * main -> ft_phase_one for the first half of MILLISECONDS of wall time, then
 * main -> ft_phase_two for the second half, spinning on the CPU throughout:
 * main calls the phase's function for slices of about 1 ms of CPU (fixed
 * numbers of iterations, calibrated once at start) and looks at the wall
 * clock between slices; the functions never read a clock. A window over the
 * start of a recording of it sees ft_phase_one, a window over the end
 * ft_phase_two: what the end-to-end tests of `report --from --to` assert.
 * At the end it prints how many slices each phase ran,
 * "phases: slices N M": the split of work, which on a busy machine is not
 * the split of wall time.
 */
#include "config.h"

#include <stdint.h>

#include "workload.h"

/* One sink each, so that no identical-code folding can merge the two. */
static volatile uint64_t ft_phase_one_sink;
static volatile uint64_t ft_phase_two_sink;

FT_NOINLINE static void ft_phase_one(long long n)
{
	FT_WORK(n, ft_phase_one_sink);
}

FT_NOINLINE static void ft_phase_two(long long n)
{
	FT_WORK(n, ft_phase_two_sink);
}

int main(int argc, char **argv)
{
	long ms;
	long long start, per_ms, one = 0, two = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: phases MILLISECONDS\n");
		return 2;
	}
	ms = ft_arg("phases", "duration", argv[1]);
	if (ms < 2) {
		fprintf(stderr, "phases: duration must be at least 2 ms\n");
		return 2;
	}
	per_ms = ft_iters_per_ms();
	start = ft_now_ns();
	do {
		ft_phase_one(per_ms);
		one++;
	} while (!ft_past(start + ms / 2 * 1000000LL));
	do {
		ft_phase_two(per_ms);
		two++;
	} while (!ft_past(start + ms * 1000000LL));
	printf("phases: slices %lld %lld\n", one, two);
	return 0;
}
