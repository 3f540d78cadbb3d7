/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libftplugin.so: the shared library the dlopen workload loads after a delay.
 * Its only export, ft_plugin_run, spins in ft_plugin_spin, a local symbol
 * (in .symtab, not .dynsym) that a profiler must still name.
 */
#include "config.h"

#include <stdint.h>

#include "workload.h"

void ft_plugin_run(long long cpu_deadline);

FT_NOINLINE static void ft_plugin_spin(long long cpu_deadline)
{
	static volatile uint64_t sink;

	while (cpu_deadline == 0 || ft_thread_cpu_ns() < cpu_deadline)
		for (int i = 0; i < FT_CHUNK; i++)
			sink++;
}

/* Spins until this thread has used @cpu_deadline ns of CPU (0: forever). */
FT_NOINLINE void ft_plugin_run(long long cpu_deadline)
{
	ft_plugin_spin(cpu_deadline);
}
