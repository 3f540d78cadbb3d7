/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nofp: a known call chain built without frame pointers.
 *
 *   nofp MILLISECONDS
 *
 * main -> ft_nofp_outer -> ft_nofp_inner, where inner does the work: outer
 * calls it for slices of a fixed number of iterations (about 1 ms of CPU,
 * calibrated once at start) and looks at the wall clock between them, for
 * MILLISECONDS (0: until killed); inner never reads a clock. Built with
 * -fomit-frame-pointer (NOFP_CFLAGS), so the kernel's frame-pointer walk
 * cannot find outer or main; the .eh_frame that gcc emits anyway lets a
 * DWARF unwinder find both. Each function keeps values in callee-saved
 * registers across its call, so their CFI has saved registers to restore,
 * not only a return address. noipa keeps gcc from cloning them
 * (ft_nofp_outer.constprop.0), so the names stay.
 */
#include "config.h"

#include <stdint.h>

#include "workload.h"

static volatile uint64_t ft_nofp_sink;

__attribute__((noipa)) static uint64_t ft_nofp_inner(long long n, uint64_t seed)
{
	uint64_t x = seed;

	for (long long i = 0; i < n; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		ft_nofp_sink = x;
	}
	return x;
}

__attribute__((noipa)) static uint64_t ft_nofp_outer(long long deadline, long long n, uint64_t seed)
{
	uint64_t a = seed * 3, b = seed ^ 0x5555;
	uint64_t r = a + b;

	do
		r = ft_nofp_inner(n, r);
	while (!ft_past(deadline));
	return r + a * b;
}

int main(int argc, char **argv)
{
	long long deadline;
	uint64_t r;

	if (argc != 2) {
		fprintf(stderr, "usage: nofp MILLISECONDS\n");
		return 2;
	}
	deadline = ft_deadline(ft_arg("nofp", "duration", argv[1]));
	r = ft_nofp_outer(deadline, ft_iters_per_ms(), (uint64_t)argc);
	return r == 42 ? 3 : 0;
}
