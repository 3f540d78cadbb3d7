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
 *
 * With FT_CPU_FILE set in the environment, the parent writes there, at
 * the end, the CPU time in ns that it and the child used (user and
 * system, from the kernel's accounting): the truth a profiler's time is
 * checked against, whatever the calibration made of the milliseconds.
 */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
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

static long long tv_ns(struct timeval tv)
{
	return (long long)tv.tv_sec * 1000000000LL + (long long)tv.tv_usec * 1000LL;
}

/* Writes the CPU time of this process and its waited-for children, in ns,
 * to the file FT_CPU_FILE names, if it is set; exits 1 if it cannot. */
static void ft_write_cpu(void)
{
	const char *path = getenv("FT_CPU_FILE");
	struct rusage self, children;
	FILE *f;

	if (!path)
		return;
	if (getrusage(RUSAGE_SELF, &self) < 0 || getrusage(RUSAGE_CHILDREN, &children) < 0) {
		perror("forkexec: getrusage");
		exit(1);
	}
	f = fopen(path, "w");
	if (!f || fprintf(f, "%lld\n",
			  tv_ns(self.ru_utime) + tv_ns(self.ru_stime) + tv_ns(children.ru_utime) +
				  tv_ns(children.ru_stime)) < 0 ||
	    fclose(f) != 0) {
		perror(path);
		exit(1);
	}
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
	ft_write_cpu();
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
