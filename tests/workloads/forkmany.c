/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * forkmany: a process that sleeps, then forks short-lived children that
 * never exec, and stays.
 *
 *   forkmany FILE COUNT CPU_MILLISECONDS [EVERY PAUSE_MILLISECONDS]
 *
 * Blocks in sigwait (no CPU, so a profiler sees nothing of it) until
 * SIGUSR1, then forks COUNT children one after the other, waiting for
 * each: a child spins in ft_forkmany_child for about CPU_MILLISECONDS of
 * CPU and exits at once, without exec, so its name is its parent's. Then
 * it writes "done" to FILE and blocks again until SIGTERM or SIGINT, and
 * exits 0 (1 when a fork or a wait fails). So what a system-wide profiler
 * can know of the parent when it reads a child's samples is the parent's
 * /proc entry; the child is gone by then.
 *
 * With EVERY and PAUSE_MILLISECONDS, the children come in waves: after
 * every EVERY children the parent sleeps PAUSE_MILLISECONDS (wall time,
 * no CPU), and child N (from 0) names itself fm-N (prctl) before it
 * spins, so each has a name of its own.
 */
#include "config.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "workload.h"

static volatile uint64_t ft_forkmany_sink;

FT_NOINLINE static void ft_forkmany_child(long long n)
{
	FT_WORK(n, ft_forkmany_sink);
}

/*
 * Forks `count` children in turn, each spinning `n` iterations; with
 * `every`, each named fm-N and a pause of `pause_ms` after every `every`.
 * 0, or -1 on failure.
 */
static int fork_children(long count, long long n, long every, long pause_ms)
{
	long i;

	for (i = 0; i < count; i++) {
		pid_t pid;

		if (every && i && i % every == 0)
			ft_sleep_ms(pause_ms);
		pid = fork();
		if (pid < 0) {
			perror("forkmany: fork");
			return -1;
		}
		if (pid == 0) {
			if (every) {
				char name[24]; /* the kernel keeps 15 bytes */

				snprintf(name, sizeof(name), "fm-%ld", i);
				prctl(PR_SET_NAME, name);
			}
			ft_forkmany_child(n);
			_exit(0);
		}
		if (waitpid(pid, NULL, 0) < 0) {
			perror("forkmany: waitpid");
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	long count, ms, every = 0, pause_ms = 0;
	long long per_ms;
	sigset_t set;
	FILE *f;
	int sig;

	if (argc != 4 && argc != 6) {
		fprintf(stderr,
			"usage: forkmany FILE COUNT CPU_MILLISECONDS [EVERY PAUSE_MILLISECONDS]\n");
		return 2;
	}
	count = ft_arg("forkmany", "count", argv[2]);
	ms = ft_arg("forkmany", "duration", argv[3]);
	if (argc == 6) {
		every = ft_arg("forkmany", "every", argv[4]);
		pause_ms = ft_arg("forkmany", "pause", argv[5]);
	}
	per_ms = ft_iters_per_ms();
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (sigwait(&set, &sig) != 0 || sig != SIGUSR1)
		return 0;
	if (fork_children(count, ms * per_ms, every, pause_ms) < 0)
		return 1;
	f = fopen(argv[1], "w");
	if (!f || fputs("done\n", f) < 0 || fclose(f) != 0) {
		perror(argv[1]);
		return 1;
	}
	sigdelset(&set, SIGUSR1);
	sigwait(&set, &sig);
	return 0;
}
