/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Ending a command flametop launched. A command is asked to stop with a
 * signal (SIGTERM, or the SIGINT the user typed) and given a grace period
 * to end cleanly; one that ignores it is killed with SIGKILL, so that it
 * never outlives the profiler that started it (the child also dies with
 * flametop itself: the sampler sets PR_SET_PDEATHSIG before exec). The
 * child is left for its owner (the sampler) to reap: waiting here never
 * takes its exit status away.
 */
#include "config.h"

#include "flametop/util.h"

#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

/* Whether `pid`, a child of ours, has ended (without reaping it). */
static bool child_ended(pid_t pid)
{
	siginfo_t info;

	info.si_pid = 0;
	if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) < 0)
		return errno == ECHILD; /* reaped already, or not ours */
	return info.si_pid == pid;
}

enum ft_child_stop_result ft_child_stop_step(struct ft_child_stop *c, pid_t pid, int sig,
					     uint64_t now, uint64_t grace_ns)
{
	switch (c->stage) {
	case 0:
		kill(pid, sig);
		c->deadline = now + grace_ns;
		c->stage = 1;
		return FT_CHILD_SIGNALLED;
	case 1:
		if (now < c->deadline)
			return FT_CHILD_WAITING;
		kill(pid, SIGKILL);
		c->deadline = now + FT_CHILD_KILL_WAIT_NS;
		c->stage = 2;
		return FT_CHILD_KILLED;
	default:
		return now < c->deadline ? FT_CHILD_WAITING : FT_CHILD_GAVE_UP;
	}
}

int ft_child_end(pid_t pid, int sig, uint64_t grace_ns)
{
	struct ft_child_stop c = { 0, 0 };
	const struct timespec tick = { 0, 10 * 1000000L };
	bool killed = false;

	if (pid <= 0)
		return -EINVAL;
	for (;;) {
		enum ft_child_stop_result r;

		if (c.stage > 0 && child_ended(pid))
			return killed;
		r = ft_child_stop_step(&c, pid, sig, util_now_ns(), grace_ns);
		if (r == FT_CHILD_KILLED)
			killed = true;
		else if (r == FT_CHILD_GAVE_UP)
			return killed;
		nanosleep(&tick, NULL);
	}
}
