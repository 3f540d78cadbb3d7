/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pltcall: a tight loop of calls into libc through the PLT.
 *
 *   pltcall MILLISECONDS
 *
 * main -> ft_pltcall_loop calls glibc's gnu_get_libc_version (which
 * returns a pointer, two instructions) over and over, through its PLT
 * entry, until MILLISECONDS of wall time have passed: a good part of the
 * time is in the PLT stub, which no symbol table names (objdump and perf
 * call it gnu_get_libc_version@plt).
 */
#include "config.h"

#include <gnu/libc-version.h>
#include <stdint.h>

#include "workload.h"

static volatile uintptr_t ft_pltcall_sink;

FT_NOINLINE static void ft_pltcall_loop(long calls)
{
	uintptr_t x = 0;

	for (long i = 0; i < calls; i++)
		x += (uintptr_t)gnu_get_libc_version();
	ft_pltcall_sink = x;
}

int main(int argc, char **argv)
{
	long long deadline;

	if (argc != 2) {
		fprintf(stderr, "usage: pltcall MILLISECONDS\n");
		return 2;
	}
	deadline = ft_deadline(ft_arg("pltcall", "duration", argv[1]));
	while (!ft_past(deadline))
		ft_pltcall_loop(1000000);
	return 0;
}
