/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * forkexec: a process that forks a child which execs another program.
 *
 *   forkexec CPU_MILLISECONDS
 *
 * The child execs "child CPU_MILLISECONDS" from the directory of this
 * executable (comm "child", spinning in ft_child_spin); meanwhile the
 * parent spins in ft_parent_spin for the same work, a fixed number of
 * iterations of the same loop body worth about CPU_MILLISECONDS of CPU
 * (calibrated once, by the parent before the fork, and passed to the
 * child, so that a calibration disturbed by a busy machine cannot make
 * one's work bigger than the other's; 0: until killed), then waits for the
 * child and exits with its status. Both do the same work, so each gets
 * half of the CPU the two receive, however loaded the machine is; neither
 * spinning function reads a clock.
 */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "workload.h"

FT_NOINLINE static void ft_parent_spin(long long n)
{
	static volatile uint64_t sink;

	FT_WORK(n == 0 ? LLONG_MAX : n, sink);
}

FT_NOINLINE static pid_t ft_forkexec_child(const char *ms, long long per_ms)
{
	char iters[32];
	char path[PATH_MAX];
	ssize_t n;
	char *slash;
	pid_t pid;

	n = readlink("/proc/self/exe", path, sizeof(path) - 16);
	if (n < 0) {
		perror("forkexec: /proc/self/exe");
		exit(1);
	}
	path[n] = '\0';
	slash = strrchr(path, '/');
	strcpy(slash ? slash + 1 : path, "child");
	pid = fork();
	if (pid < 0) {
		perror("forkexec: fork");
		exit(1);
	}
	if (pid == 0) {
		snprintf(iters, sizeof(iters), "%lld", per_ms);
		execl(path, "child", ms, iters, (char *)NULL);
		perror("forkexec: exec child");
		_exit(127);
	}
	return pid;
}

int main(int argc, char **argv)
{
	long ms;
	long long per_ms;
	int status;
	pid_t pid;

	if (argc != 2) {
		fprintf(stderr, "usage: forkexec CPU_MILLISECONDS\n");
		return 2;
	}
	ms = ft_arg("forkexec", "duration", argv[1]);
	per_ms = ft_iters_per_ms();
	pid = ft_forkexec_child(argv[1], per_ms);
	ft_parent_spin(ms * per_ms);
	if (waitpid(pid, &status, 0) < 0) {
		perror("forkexec: waitpid");
		return 1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
