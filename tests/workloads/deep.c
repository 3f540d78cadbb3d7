/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * deep: load with deep and varied stacks, for the recording benchmark.
 *
 *   deep MILLISECONDS [DEPTH]
 *
 * Recurses through ft_deep_a/ft_deep_b to DEPTH + (0..7) frames (DEPTH
 * defaults to 24), spins in ft_deep_leaf for a fixed number of iterations
 * (about 100 us), unwinds and goes again, for MILLISECONDS (0: until
 * killed): main looks at the wall clock between descents. Eight distinct
 * stacks.
 */
#include "config.h"

#include <stdint.h>

#include "workload.h"

/* Iterations of the leaf's loop: about 100 us. */
#define FT_DEEP_LEAF_ITERS 102400

static volatile uint64_t ft_deep_sink;

FT_NOINLINE static void ft_deep_leaf(void)
{
	FT_WORK(FT_DEEP_LEAF_ITERS, ft_deep_sink);
}

FT_NOINLINE static void ft_deep_b(int n);

FT_NOINLINE static void ft_deep_a(int n)
{
	if (n <= 0)
		ft_deep_leaf();
	else
		ft_deep_b(n - 1);
	ft_deep_sink++;
}

FT_NOINLINE static void ft_deep_b(int n)
{
	if (n <= 0)
		ft_deep_leaf();
	else
		ft_deep_a(n - 1);
	ft_deep_sink++;
}

int main(int argc, char **argv)
{
	long long deadline;
	long depth = 24;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: deep MILLISECONDS [DEPTH]\n");
		return 2;
	}
	deadline = ft_deadline(ft_arg("deep", "duration", argv[1]));
	if (argc == 3)
		depth = ft_arg("deep", "depth", argv[2]);
	for (unsigned i = 0; !ft_past(deadline); i++)
		ft_deep_a((int)depth + (int)(i % 8));
	return 0;
}
