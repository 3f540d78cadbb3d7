/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * leaderexit: a process whose first thread has ended while another runs.
 *
 *   leaderexit MILLISECONDS
 *
 * main creates a thread that works in ft_leaderexit_spin for MILLISECONDS
 * of wall time (0: until killed), then ends itself with pthread_exit. Its
 * thread stays a zombie ("Z" in /proc/PID/stat, an empty /proc/PID/maps)
 * until the process ends, while the process runs on: a profiler attached
 * with -p PID must take it for the running process it is. Waits until the
 * first thread is a zombie, then writes "ready TID" (the working thread's
 * id) to standard output.
 */
#include "config.h"

#include <pthread.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "workload.h"

static volatile uint64_t ft_leaderexit_sink;
static long long ft_leaderexit_deadline;
static pid_t ft_leaderexit_pid;

/* Whether the process's first thread is a zombie: it has ended. */
static int ft_leaderexit_leader_gone(void)
{
	char path[64], buf[512], *paren;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)ft_leaderexit_pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	paren = strrchr(buf, ')');
	return paren && paren[1] == ' ' && paren[2] == 'Z';
}

FT_NOINLINE static void ft_leaderexit_spin(void)
{
	while (!ft_past(ft_leaderexit_deadline))
		FT_WORK(100000, ft_leaderexit_sink);
}

static void *ft_leaderexit_thread(void *arg)
{
	(void)arg;
	while (!ft_leaderexit_leader_gone())
		ft_sleep_ms(1);
	printf("ready %ld\n", (long)syscall(SYS_gettid));
	fflush(stdout);
	ft_leaderexit_spin();
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;

	if (argc != 2) {
		fprintf(stderr, "usage: leaderexit MILLISECONDS\n");
		return 2;
	}
	ft_leaderexit_deadline = ft_deadline(ft_arg("leaderexit", "duration", argv[1]));
	ft_leaderexit_pid = getpid();
	if (pthread_create(&t, NULL, ft_leaderexit_thread, NULL) != 0) {
		fprintf(stderr, "leaderexit: cannot create a thread\n");
		return 1;
	}
	pthread_exit(NULL);
}
