/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * child: what forkexec's child execs.
 *
 *   child MILLISECONDS
 *
 * Spins in ft_child_spin for MILLISECONDS of wall time (0: until killed).
 */
#include "config.h"

#include <stdint.h>

#include "workload.h"

FT_NOINLINE static void ft_child_spin(long long deadline)
{
	static volatile uint64_t sink;

	while (!ft_past(deadline))
		for (int i = 0; i < FT_CHUNK; i++)
			sink++;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: child MILLISECONDS\n");
		return 2;
	}
	ft_child_spin(ft_deadline(ft_arg("child", "duration", argv[1])));
	return 0;
}
