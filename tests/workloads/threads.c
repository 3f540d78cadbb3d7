/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * threads: several threads, each busy in its own function, with known
 * relative work.
 *
 *   threads MILLISECONDS [LATE_MILLISECONDS]
 *
 * The threads work in MILLISECONDS / 10 rounds (0: forever), a round
 * starting 10 ms after the one before (or at once when that is past: on a
 * busy machine the run takes longer than MILLISECONDS). Threads "ft-a"
 * (ft_thread_a) and "ft-b" (ft_thread_b) start at once; thread "ft-c"
 * (ft_thread_c) is created during round LATE_MILLISECONDS / 10 - 1 (default
 * LATE 500), so at least LATE_MILLISECONDS - 10 ms later, and a profiler
 * attached with -p sees a thread created after it attached. In each round
 * a runs 2 units of iterations of the loop body, b 4 units and c, from
 * round LATE_MILLISECONDS / 10 on (or the round after it asked to take
 * part, if that is later), 3 units, a unit being about 1 ms of CPU
 * (calibrated once at start); then every thread waits for the others to
 * finish the round. So b does exactly twice a's work, and c 1.5 times a's
 * in the rounds it takes part in: for "1000 250", 1.5 * 3/4 of a's work in
 * all, however the scheduler places them and however loaded the machine
 * is. On an idle machine with two CPUs they use about 0.9 CPU. The
 * measured functions never read a clock; the last thread to finish a round
 * looks at the wall clock to start the next on time. Threads name
 * themselves before working. The main thread only calibrates, waits and
 * joins.
 */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "workload.h"

#define FT_THREADS_PERIOD_NS 10000000LL

/*
 * The rounds: a barrier whose membership grows. A thread that asks to join
 * (c) is counted from the first round that is both after it asked and no
 * earlier than join_round.
 */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int members, arrived, joining, stop;
	long round, rounds, join_round;
	long long next_start, unit;
} ft_rounds = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 2, 0, 0, 0, 0, 0, 0, 0, 0 };

/* Sleeps until the absolute CLOCK_MONOTONIC time @t_ns. */
FT_INLINE void ft_threads_sleep_until(long long t_ns)
{
	struct timespec ts = { t_ns / 1000000000LL, t_ns % 1000000000LL };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/* Waits for the end of the round (the last thread to arrive ends it,
 * decides whether to stop and takes in the threads that asked to join),
 * then for the start of the next one. A joining thread waits for the round
 * it is taken in at. 1 when it is time to stop. */
FT_INLINE int ft_rounds_next(int joining)
{
	long round;
	long long start;
	int stop;

	pthread_mutex_lock(&ft_rounds.lock);
	round = ft_rounds.round;
	if (joining && !ft_rounds.stop) {
		ft_rounds.joining++;
	} else if (!joining && ++ft_rounds.arrived == ft_rounds.members) {
		long long now = ft_now_ns();

		ft_rounds.arrived = 0;
		ft_rounds.round++;
		if (ft_rounds.round >= ft_rounds.join_round) {
			ft_rounds.members += ft_rounds.joining;
			ft_rounds.joining = 0;
		}
		ft_rounds.stop = ft_rounds.rounds != 0 && ft_rounds.round >= ft_rounds.rounds;
		ft_rounds.next_start += FT_THREADS_PERIOD_NS;
		if (ft_rounds.next_start < now)
			ft_rounds.next_start = now;
		pthread_cond_broadcast(&ft_rounds.cond);
	}
	while ((ft_rounds.round == round || (joining && ft_rounds.round < ft_rounds.join_round)) &&
	       !ft_rounds.stop)
		pthread_cond_wait(&ft_rounds.cond, &ft_rounds.lock);
	stop = ft_rounds.stop;
	start = ft_rounds.next_start;
	pthread_mutex_unlock(&ft_rounds.lock);
	if (!stop)
		ft_threads_sleep_until(start);
	return stop;
}

FT_NOINLINE static void *ft_thread_a(void *arg)
{
	static volatile uint64_t sink;
	long long n = 2 * ft_rounds.unit;

	pthread_setname_np(pthread_self(), "ft-a");
	do {
		FT_WORK(n, sink);
	} while (!ft_rounds_next(0));
	return arg;
}

FT_NOINLINE static void *ft_thread_b(void *arg)
{
	static volatile uint64_t sink;
	long long n = 4 * ft_rounds.unit;

	pthread_setname_np(pthread_self(), "ft-b");
	do {
		FT_WORK(n, sink);
	} while (!ft_rounds_next(0));
	return arg;
}

FT_NOINLINE static void *ft_thread_c(void *arg)
{
	static volatile uint64_t sink;
	long long n = 3 * ft_rounds.unit;

	pthread_setname_np(pthread_self(), "ft-c");
	if (ft_rounds_next(1))
		return arg;
	do {
		FT_WORK(n, sink);
	} while (!ft_rounds_next(0));
	return arg;
}

/* Waits until round @round has begun (or the rounds are over). */
static void ft_rounds_wait_for(long round)
{
	pthread_mutex_lock(&ft_rounds.lock);
	while (ft_rounds.round < round && !ft_rounds.stop)
		pthread_cond_wait(&ft_rounds.cond, &ft_rounds.lock);
	pthread_mutex_unlock(&ft_rounds.lock);
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
	ft_rounds.rounds = ms / 10;
	ft_rounds.join_round = late / 10;
	ft_rounds.unit = ft_iters_per_ms();
	ft_rounds.next_start = ft_now_ns();
	ft_threads_start(&a, ft_thread_a);
	ft_threads_start(&b, ft_thread_b);
	ft_rounds_wait_for(ft_rounds.join_round - 1);
	ft_threads_start(&c, ft_thread_c);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	pthread_join(c, NULL);
	return 0;
}
