/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sigwork: work inside a signal handler, for unwinding through signal
 * frames.
 *
 *   sigwork MILLISECONDS
 *
 * main spins in ft_sig_loop -> ft_sig_outside; an interval timer of
 * process CPU time (ITIMER_PROF, every 2 ms) sends SIGPROF, whose handler
 * ft_sig_handler spins in ft_sig_inside for about as long again. So about
 * half the samples are in the handler, whose stack goes through the
 * kernel's signal frame (libc's __restore_rt) to the code it interrupted,
 * ft_sig_outside or ft_sig_loop, then main. Built without frame pointers
 * (NOFP_CFLAGS), for the DWARF unwinder, and with them as sigworkfp. Until
 * MILLISECONDS of wall time have passed.
 */
#include "config.h"

#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/time.h>

#include "workload.h"

/* Iterations of each spin: about a millisecond. */
#define FT_SIG_ITERS 1000000

static volatile uint64_t ft_sig_sink;

/* Not quite ft_sig_outside's count, or the compiler folds the two into one. */
FT_NOINLINE static void ft_sig_inside(void)
{
	FT_WORK(FT_SIG_ITERS + 1, ft_sig_sink);
}

static void ft_sig_handler(int sig)
{
	(void)sig;
	ft_sig_inside();
}

FT_NOINLINE static void ft_sig_outside(void)
{
	FT_WORK(FT_SIG_ITERS, ft_sig_sink);
}

FT_NOINLINE static void ft_sig_loop(long long deadline)
{
	while (!ft_past(deadline))
		ft_sig_outside();
}

int main(int argc, char **argv)
{
	struct itimerval every = { { 0, 2000 }, { 0, 2000 } };
	struct sigaction sa;
	long long deadline;

	if (argc != 2) {
		fprintf(stderr, "usage: sigwork MILLISECONDS\n");
		return 2;
	}
	deadline = ft_deadline(ft_arg("sigwork", "milliseconds", argv[1]));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ft_sig_handler;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGPROF, &sa, NULL) < 0 || setitimer(ITIMER_PROF, &every, NULL) < 0) {
		perror("sigwork");
		return 3;
	}
	ft_sig_loop(deadline);
	return 0;
}
