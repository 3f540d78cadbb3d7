/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * t5-signals: a command that says which signal reached it, for the tests
 * of what flametop passes on to a command it launched.
 *
 *   t5-signals FILE [STATUS | ignore-term | count]
 *
 * Writes "ready PID" to FILE, then spins in ft_t5_wait_signal until
 * SIGINT, SIGTERM or SIGHUP arrives; appends the signal's name ("SIGTERM")
 * to FILE and dies of that same signal, so that its exit status is 128
 * plus the signal's number, or exits with STATUS when one is given. With
 * "ignore-term" SIGTERM is left ignored (as a command started under
 * `trap '' TERM` inherits it): a command that will not stop. With "count"
 * it shuts down gracefully instead: it waits one more second, then appends
 * "count N", the signals that reached it in all, and exits 0 (a second
 * SIGINT is, to many programs, "skip the clean-up"). A safety net: it dies
 * of SIGALRM after 120 s if nothing comes.
 */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "workload.h"

static volatile sig_atomic_t ft_t5_signal, ft_t5_count;
static volatile uint64_t ft_t5_sink;

static void ft_t5_on_signal(int sig)
{
	ft_t5_signal = sig;
	ft_t5_count++;
}

FT_NOINLINE static int ft_t5_wait_signal(void)
{
	while (!ft_t5_signal)
		ft_t5_sink++;
	return ft_t5_signal;
}

/* Appends `text` to `path` in one write. */
static void ft_t5_say(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		perror(path);
		exit(1);
	}
	close(fd);
}

int main(int argc, char **argv)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	bool ignore_term = argc == 3 && strcmp(argv[2], "ignore-term") == 0;
	bool count = argc == 3 && strcmp(argv[2], "count") == 0;
	long status = -1;
	char line[64];
	int sig;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: t5-signals FILE [STATUS | ignore-term | count]\n");
		return 2;
	}
	if (argc == 3 && !ignore_term && !count)
		status = ft_arg("t5-signals", "exit status", argv[2]);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ft_t5_on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (!(ignore_term && sigs[i] == SIGTERM))
			sigaction(sigs[i], &sa, NULL);
	if (ignore_term)
		signal(SIGTERM, SIG_IGN);
	alarm(120);
	snprintf(line, sizeof(line), "ready %d\n", (int)getpid());
	ft_t5_say(argv[1], line);
	sig = ft_t5_wait_signal();
	snprintf(line, sizeof(line), "SIG%s\n", sig == SIGINT ? "INT" : sig == SIGTERM ? "TERM" : "HUP");
	ft_t5_say(argv[1], line);
	if (count) {
		ft_sleep_ms(1000);
		snprintf(line, sizeof(line), "count %d\n", (int)ft_t5_count);
		ft_t5_say(argv[1], line);
		return 0;
	}
	if (status >= 0)
		return (int)status;
	signal(sig, SIG_DFL);
	raise(sig);
	return 1;
}
