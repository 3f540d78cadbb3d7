/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dlopen: code that appears after a profiler attached.
 *
 *   dlopen CPU_MILLISECONDS DELAY_CPU_MILLISECONDS
 *
 * main -> ft_dlopen_before spins for about DELAY_CPU_MILLISECONDS of CPU,
 * then main -> ft_dlopen_plugin dlopens libftplugin.so from the directory
 * of its own executable and spins in the plugin's ft_plugin_spin (under
 * ft_plugin_run) for about CPU_MILLISECONDS - DELAY_CPU_MILLISECONDS more
 * (CPU_MILLISECONDS 0: forever), and exits. The amounts are fixed numbers
 * of iterations of one loop body, from a calibration at start, and neither
 * spinning function reads a clock: the split DELAY : CPU - DELAY is a split
 * of work, the same however loaded the machine is.
 */
#include "config.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "workload.h"

FT_NOINLINE static void ft_dlopen_before(long long n)
{
	static volatile uint64_t sink;

	FT_WORK(n, sink);
}

/* Loads the plugin and runs @iters iterations in it (0: forever). */
FT_NOINLINE static void ft_dlopen_plugin(long long iters)
{
	char path[PATH_MAX];
	void (*run)(long long);
	ssize_t n;
	char *slash;
	void *lib;

	n = readlink("/proc/self/exe", path, sizeof(path) - 32);
	if (n < 0) {
		perror("dlopen: /proc/self/exe");
		exit(1);
	}
	path[n] = '\0';
	slash = strrchr(path, '/');
	strcpy(slash ? slash + 1 : path, "libftplugin.so");
	lib = dlopen(path, RTLD_NOW);
	if (lib == NULL) {
		fprintf(stderr, "dlopen: %s\n", dlerror());
		exit(1);
	}
	run = (void (*)(long long))dlsym(lib, "ft_plugin_run");
	if (run == NULL) {
		fprintf(stderr, "dlopen: %s\n", dlerror());
		exit(1);
	}
	run(iters);
}

int main(int argc, char **argv)
{
	long ms, delay;
	long long per_ms;

	if (argc != 3) {
		fprintf(stderr, "usage: dlopen CPU_MILLISECONDS DELAY_CPU_MILLISECONDS\n");
		return 2;
	}
	ms = ft_arg("dlopen", "duration", argv[1]);
	delay = ft_arg("dlopen", "delay", argv[2]);
	if (ms != 0 && ms <= delay) {
		fprintf(stderr, "dlopen: the delay must be shorter than the duration\n");
		return 2;
	}
	per_ms = ft_iters_per_ms();
	ft_dlopen_before(delay * per_ms);
	ft_dlopen_plugin(ms == 0 ? 0 : (ms - delay) * per_ms);
	return 0;
}
