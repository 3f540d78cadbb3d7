/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * split: a known CPU split between two functions.
 *
 *   split MILLISECONDS [EXIT_STATUS]
 *
 * main -> ft_split_driver -> { ft_split_heavy, ft_split_light }, alternating
 * slices of 3 s and s of this thread's CPU time, so heavy gets 75% and light
 * 25% of the CPU the process receives however loaded the machine is. The slice
 * unit s wanders between 0.5 and 1.5 ms so that a sampling period cannot stay
 * in step with the alternation. Runs for MILLISECONDS of wall time (0: until
 * killed) and exits with EXIT_STATUS (default 0).
 */
#include "config.h"

#include <stdint.h>

#include "workload.h"

/* One sink each, so that the two functions differ and no identical-code
 * folding can merge them into one symbol. */
static volatile uint64_t ft_split_heavy_sink;
static volatile uint64_t ft_split_light_sink;

FT_NOINLINE static void ft_split_heavy(long long slice_ns)
{
	long long start = ft_thread_cpu_ns();

	do {
		for (int i = 0; i < FT_CHUNK; i++)
			ft_split_heavy_sink++;
	} while (ft_thread_cpu_ns() - start < slice_ns);
}

FT_NOINLINE static void ft_split_light(long long slice_ns)
{
	long long start = ft_thread_cpu_ns();

	do {
		for (int i = 0; i < FT_CHUNK; i++)
			ft_split_light_sink++;
	} while (ft_thread_cpu_ns() - start < slice_ns);
}

FT_NOINLINE static void ft_split_driver(long long deadline)
{
	uint32_t rng = 12345;

	while (!ft_past(deadline)) {
		long long unit;

		rng = rng * 1103515245u + 12345u;
		unit = 500000 + (long long)((rng >> 8) % 1000000);
		ft_split_heavy(3 * unit);
		ft_split_light(unit);
	}
}

int main(int argc, char **argv)
{
	long ms, status = 0;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: split MILLISECONDS [EXIT_STATUS]\n");
		return 2;
	}
	ms = ft_arg("split", "duration", argv[1]);
	if (argc == 3)
		status = ft_arg("split", "exit status", argv[2]);
	ft_split_driver(ft_deadline(ms));
	return (int)status;
}
