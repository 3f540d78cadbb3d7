/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * phases: two time phases with one function each.
 *
 *   phases MILLISECONDS
 *
 * main -> ft_phase_one for the first half of MILLISECONDS of wall time, then
 * main -> ft_phase_two for the second half, spinning on the CPU throughout.
 * A window over the start of a recording of it sees ft_phase_one, a window
 * over the end ft_phase_two: what the end-to-end tests of `report --from
 * --to` assert.
 */
#include "config.h"

#include <stdint.h>

#include "workload.h"

/* One sink each, so that no identical-code folding can merge the two. */
static volatile uint64_t ft_phase_one_sink;
static volatile uint64_t ft_phase_two_sink;

FT_NOINLINE static void ft_phase_one(long long deadline)
{
	do {
		for (int i = 0; i < FT_CHUNK; i++)
			ft_phase_one_sink++;
	} while (!ft_past(deadline));
}

FT_NOINLINE static void ft_phase_two(long long deadline)
{
	do {
		for (int i = 0; i < FT_CHUNK; i++)
			ft_phase_two_sink++;
	} while (!ft_past(deadline));
}

int main(int argc, char **argv)
{
	long ms;
	long long start;

	if (argc != 2) {
		fprintf(stderr, "usage: phases MILLISECONDS\n");
		return 2;
	}
	ms = ft_arg("phases", "duration", argv[1]);
	if (ms < 2) {
		fprintf(stderr, "phases: duration must be at least 2 ms\n");
		return 2;
	}
	start = ft_now_ns();
	ft_phase_one(start + ms / 2 * 1000000LL);
	ft_phase_two(start + ms * 1000000LL);
	return 0;
}
