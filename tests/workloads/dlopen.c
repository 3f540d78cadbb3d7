/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dlopen: code that appears after a profiler attached.
 *
 *   dlopen CPU_MILLISECONDS DELAY_CPU_MILLISECONDS
 *
 * Spins in ft_dlopen_before until it has used DELAY_CPU_MILLISECONDS of CPU,
 * then dlopens libftplugin.so from the directory of its own executable and
 * spins in the plugin's ft_plugin_spin until it has used CPU_MILLISECONDS in
 * all (0: forever), and exits. Counting CPU rather than wall time keeps the
 * split (DELAY : CPU - DELAY) however loaded the machine is.
 */
#include "config.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "workload.h"

FT_NOINLINE static void ft_dlopen_before(long long cpu_until)
{
	static volatile uint64_t sink;

	while (ft_thread_cpu_ns() < cpu_until)
		for (int i = 0; i < FT_CHUNK; i++)
			sink++;
}

FT_NOINLINE static void ft_dlopen_plugin(long long cpu_deadline)
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
	run(cpu_deadline);
}

int main(int argc, char **argv)
{
	long ms, delay;

	if (argc != 3) {
		fprintf(stderr, "usage: dlopen CPU_MILLISECONDS DELAY_CPU_MILLISECONDS\n");
		return 2;
	}
	ms = ft_arg("dlopen", "duration", argv[1]);
	delay = ft_arg("dlopen", "delay", argv[2]);
	ft_dlopen_before(delay * 1000000LL);
	ft_dlopen_plugin(ms * 1000000LL);
	return 0;
}
