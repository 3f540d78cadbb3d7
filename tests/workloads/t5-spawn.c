/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * t5-spawn: a process that creates a child process and a thread only when
 * told to, for the tests of attaching with -p: what a process creates
 * after flametop attached must be followed.
 *
 *   t5-spawn FILE ITERATIONS
 *
 * Writes "ready PID" to FILE and spins in ft_t5_parent_spin until SIGUSR1
 * (or, as a safety net, SIGALRM 120 s later). Then it forks a child that
 * runs ft_t5_child_spin for ITERATIONS iterations, creates a thread that
 * runs ft_t5_thread_spin for ITERATIONS iterations, writes "child PID" and
 * "thread TID" to FILE, waits for both and exits 0. Without SIGUSR1 it
 * only spins, until SIGTERM or SIGINT ends it.
 */
#include "config.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "workload.h"

static volatile sig_atomic_t ft_t5_go;
static volatile uint64_t ft_t5_parent_sink, ft_t5_child_sink, ft_t5_thread_sink;
static long ft_t5_iterations;
static const char *ft_t5_file;

static void ft_t5_on_usr1(int sig)
{
	(void)sig;
	ft_t5_go = 1;
}

/* Appends `text` to the file in one write. */
static void ft_t5_say(const char *text)
{
	int fd = open(ft_t5_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		perror(ft_t5_file);
		exit(1);
	}
	close(fd);
}

FT_NOINLINE static void ft_t5_parent_spin(void)
{
	while (!ft_t5_go)
		ft_t5_parent_sink++;
}

FT_NOINLINE static void ft_t5_child_spin(long iterations)
{
	for (long i = 0; i < iterations; i++)
		ft_t5_child_sink++;
}

FT_NOINLINE static void ft_t5_thread_spin(long iterations)
{
	for (long i = 0; i < iterations; i++)
		ft_t5_thread_sink++;
}

static void *ft_t5_thread(void *arg)
{
	char line[64];

	(void)arg;
	snprintf(line, sizeof(line), "thread %ld\n", (long)syscall(SYS_gettid));
	ft_t5_say(line);
	ft_t5_thread_spin(ft_t5_iterations);
	return NULL;
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	pthread_t thread;
	char line[64];
	int status;
	pid_t child;

	if (argc != 3) {
		fprintf(stderr, "usage: t5-spawn FILE ITERATIONS\n");
		return 2;
	}
	ft_t5_file = argv[1];
	ft_t5_iterations = ft_arg("t5-spawn", "iterations", argv[2]);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ft_t5_on_usr1;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	alarm(120);
	snprintf(line, sizeof(line), "ready %d\n", (int)getpid());
	ft_t5_say(line);
	ft_t5_parent_spin();

	child = fork();
	if (child < 0) {
		perror("t5-spawn: fork");
		return 1;
	}
	if (child == 0) {
		ft_t5_child_spin(ft_t5_iterations);
		_exit(0);
	}
	snprintf(line, sizeof(line), "child %d\n", (int)child);
	ft_t5_say(line);
	if (pthread_create(&thread, NULL, ft_t5_thread, NULL) != 0) {
		fprintf(stderr, "t5-spawn: cannot create a thread\n");
		return 1;
	}
	pthread_join(thread, NULL);
	if (waitpid(child, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "t5-spawn: the child failed\n");
		return 1;
	}
	return 0;
}
