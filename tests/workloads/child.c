/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * child: what forkexec's child execs.
 *
 *   child CPU_MILLISECONDS
 *
 * Spins in ft_child_spin for a fixed number of iterations of its loop body,
 * about CPU_MILLISECONDS of CPU (calibrated once at start; 0: until killed),
 * and exits 0. ft_child_spin never reads a clock.
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
	long ms;

	if (argc != 2) {
		fprintf(stderr, "usage: child CPU_MILLISECONDS\n");
		return 2;
	}
	ms = ft_arg("child", "duration", argv[1]);
	ft_child_spin(ms * ft_iters_per_ms());
	return 0;
}
