/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * threads: several threads, each busy in its own function, with known
 * relative work.
 *
 *   threads MILLISECONDS [LATE_MILLISECONDS]
 *
 * Threads "ft-a" (ft_thread_a) and "ft-b" (ft_thread_b) start at once; thread
 * "ft-c" (ft_thread_c) starts LATE_MILLISECONDS later (default 500), so a
 * profiler attached with -p sees a thread created after it attached. In every
 * 10 ms period a thread spins for a fixed amount of its own CPU time, then
 * sleeps until the next period: a for 2 ms, b for 4 ms, c for 3 ms. Together
 * they want 0.9 CPU, so on an otherwise idle machine with two CPUs nobody
 * waits for a CPU and b gets exactly twice a's CPU time however the
 * scheduler places them. Threads name themselves before working and stop
 * MILLISECONDS after start (0: never). The main thread only sleeps and joins.
 */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "workload.h"

#define FT_THREADS_PERIOD_NS 10000000LL

static long long ft_threads_deadline;

/* Sleeps until the absolute CLOCK_MONOTONIC time @t_ns. */
static void ft_threads_sleep_until(long long t_ns)
{
	struct timespec ts = { t_ns / 1000000000LL, t_ns % 1000000000LL };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/* Returns the start of the next period after now, skipping missed ones. */
static long long ft_threads_next(long long next)
{
	long long now = ft_now_ns();

	next += FT_THREADS_PERIOD_NS;
	if (next < now)
		next = now;
	return next;
}

FT_NOINLINE static void *ft_thread_a(void *arg)
{
	static volatile uint64_t sink;
	long long next = ft_now_ns();

	pthread_setname_np(pthread_self(), "ft-a");
	while (!ft_past(ft_threads_deadline)) {
		long long start = ft_thread_cpu_ns();

		do {
			for (int i = 0; i < FT_CHUNK; i++)
				sink++;
		} while (ft_thread_cpu_ns() - start < 2000000);
		next = ft_threads_next(next);
		ft_threads_sleep_until(next);
	}
	return NULL;
}

FT_NOINLINE static void *ft_thread_b(void *arg)
{
	static volatile uint64_t sink;
	long long next = ft_now_ns();

	pthread_setname_np(pthread_self(), "ft-b");
	while (!ft_past(ft_threads_deadline)) {
		long long start = ft_thread_cpu_ns();

		do {
			for (int i = 0; i < FT_CHUNK; i++)
				sink++;
		} while (ft_thread_cpu_ns() - start < 4000000);
		next = ft_threads_next(next);
		ft_threads_sleep_until(next);
	}
	return NULL;
}

FT_NOINLINE static void *ft_thread_c(void *arg)
{
	static volatile uint64_t sink;
	long long next = ft_now_ns();

	pthread_setname_np(pthread_self(), "ft-c");
	while (!ft_past(ft_threads_deadline)) {
		long long start = ft_thread_cpu_ns();

		do {
			for (int i = 0; i < FT_CHUNK; i++)
				sink++;
		} while (ft_thread_cpu_ns() - start < 3000000);
		next = ft_threads_next(next);
		ft_threads_sleep_until(next);
	}
	return NULL;
}

static void ft_threads_start(pthread_t *t, void *(*fn)(void *))
{
	int err = pthread_create(t, NULL, fn, NULL);

	if (err != 0) {
		fprintf(stderr, "threads: pthread_create: %s\n", strerror(err));
		exit(1);
	}
}

int main(int argc, char **argv)
{
	pthread_t a, b, c;
	long ms, late = 500;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: threads MILLISECONDS [LATE_MILLISECONDS]\n");
		return 2;
	}
	ms = ft_arg("threads", "duration", argv[1]);
	if (argc == 3)
		late = ft_arg("threads", "delay", argv[2]);
	ft_threads_deadline = ft_deadline(ms);
	ft_threads_start(&a, ft_thread_a);
	ft_threads_start(&b, ft_thread_b);
	ft_sleep_ms(late);
	ft_threads_start(&c, ft_thread_c);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	pthread_join(c, NULL);
	return 0;
}
