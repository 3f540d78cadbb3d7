/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * child: what forkexec's child execs.
 *
 *   child CPU_MILLISECONDS [ITERATIONS_PER_MS]
 *
 * Spins in ft_child_spin for a fixed number of iterations of its loop body,
 * about CPU_MILLISECONDS of CPU (0: until killed), and exits 0: the
 * iterations a millisecond are ITERATIONS_PER_MS (forkexec's own
 * calibration, so that both do exactly the same work), else calibrated
 * once at start. ft_child_spin never reads a clock.
 */
#include "config.h"

#include <stdint.h>

#include "workload.h"

FT_NOINLINE static void ft_child_spin(long long n)
{
	static volatile uint64_t sink;

	FT_WORK(n == 0 ? LLONG_MAX : n, sink);
}

int main(int argc, char **argv)
{
	long ms, per_ms;

	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: child CPU_MILLISECONDS [ITERATIONS_PER_MS]\n");
		return 2;
	}
	ms = ft_arg("child", "duration", argv[1]);
	per_ms = argc == 3 ? ft_arg("child", "iterations", argv[2]) : ft_iters_per_ms();
	ft_child_spin(ms * per_ms);
	return 0;
}
