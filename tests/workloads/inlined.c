/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * inlined: a known split of work where most of it is in functions the
 * compiler inlined, for inlined frames (symbols/inline.c).
 *
 *   inlined MILLISECONDS
 *
 * Built with -O2 -g (and frame pointers). main calls ft_inl_outer through
 * ft_inl_run, which is always inlined into main: the call's return
 * address is in inlined code. ft_inl_outer (noinline) alternates slices
 * of 3 u iterations in ft_inl_hot, always inlined into it, which does
 * them in ft_inl_leaf, always inlined into ft_inl_hot, and u iterations
 * of its own. So the stacks are
 *
 *   main -> ft_inl_run (inlined) -> ft_inl_outer -> ft_inl_hot (inlined)
 *        -> ft_inl_leaf (inlined)                                 75%
 *   main -> ft_inl_run (inlined) -> ft_inl_outer                  25% (self)
 *
 * of the work (see split.c for how a split of work holds however loaded
 * the machine is).
 */
#include "config.h"

#include <stdint.h>

#include "workload.h"

static volatile uint64_t ft_inl_leaf_sink;
static volatile uint64_t ft_inl_outer_sink;

FT_INLINE void ft_inl_leaf(long long n)
{
	FT_WORK(n, ft_inl_leaf_sink);
}

FT_INLINE void ft_inl_hot(long long n)
{
	ft_inl_leaf(n);
}

FT_NOINLINE static void ft_inl_outer(long long deadline, long long per_ms)
{
	uint32_t rng = 4242;

	while (!ft_past(deadline)) {
		long long unit = ft_unit(&rng, per_ms);

		ft_inl_hot(3 * unit);
		FT_WORK(unit, ft_inl_outer_sink);
	}
}

FT_INLINE void ft_inl_run(long long deadline, long long per_ms)
{
	ft_inl_outer(deadline, per_ms);
	/* Something after the call, so that it is no tail call. */
	ft_inl_outer_sink++;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: inlined MILLISECONDS\n");
		return 2;
	}
	ft_inl_run(ft_deadline(ft_arg("inlined", "duration", argv[1])), ft_iters_per_ms());
	return 0;
}
