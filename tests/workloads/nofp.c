/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nofp: a known call chain built without frame pointers.
 *
 *   nofp MILLISECONDS
 *
 * main -> ft_nofp_outer -> ft_nofp_inner, where inner spins for the whole
 * run. Built with -fomit-frame-pointer (NOFP_CFLAGS), so the kernel's
 * frame-pointer walk cannot find outer or main; the .eh_frame that gcc
 * emits anyway lets a DWARF unwinder find both. Each function keeps
 * values in callee-saved registers across its call, so their CFI has
 * saved registers to restore, not only a return address. noipa keeps gcc
 * from cloning them (ft_nofp_outer.constprop.0), so the names stay.
 */
#include "config.h"

#include <stdint.h>

#include "workload.h"

static volatile uint64_t ft_nofp_sink;

__attribute__((noipa)) static uint64_t ft_nofp_inner(long long deadline, uint64_t seed)
{
	uint64_t x = seed;

	do {
		for (int i = 0; i < FT_CHUNK; i++) {
			x = x * 6364136223846793005ull + 1442695040888963407ull;
			ft_nofp_sink = x;
		}
	} while (!ft_past(deadline));
	return x;
}

__attribute__((noipa)) static uint64_t ft_nofp_outer(long long deadline, uint64_t seed)
{
	uint64_t a = seed * 3, b = seed ^ 0x5555;
	uint64_t r = ft_nofp_inner(deadline, a + b);

	return r + a * b;
}

int main(int argc, char **argv)
{
	long ms;
	uint64_t r;

	if (argc != 2) {
		fprintf(stderr, "usage: nofp MILLISECONDS\n");
		return 2;
	}
	ms = ft_arg("nofp", "duration", argv[1]);
	r = ft_nofp_outer(ft_deadline(ms), (uint64_t)argc);
	return r == 42 ? 3 : 0;
}
