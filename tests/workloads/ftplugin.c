/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libftplugin.so: the shared library the dlopen workload loads after a delay.
 * Its only export, ft_plugin_run, spins in ft_plugin_spin, a local symbol
 * (in .symtab, not .dynsym) that a profiler must still name.
 */
#include "config.h"

#include <stdint.h>

#include "workload.h"

void ft_plugin_run(long long n);

FT_NOINLINE static void ft_plugin_spin(long long n)
{
	static volatile uint64_t sink;

	FT_WORK(n == 0 ? LLONG_MAX : n, sink);
}

/* Runs @n iterations of the loop body (0: forever); no clock is read. */
FT_NOINLINE void ft_plugin_run(long long n)
{
	ft_plugin_spin(n);
}
