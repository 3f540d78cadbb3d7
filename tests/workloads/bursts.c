/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bursts: a burst of work at the same offset of every second.
 *
 *   bursts SECONDS
 *
 * For SECONDS seconds from its start, main -> ft_burst spins from 400 ms to
 * 500 ms into each second and main -> ft_steady spins from 700 ms to 800 ms;
 * the rest of each second it sleeps. In a subsecond heatmap of a recording
 * both show as hot bands of 100 ms, 300 ms apart, at the same rows in every
 * column (shifted by when the workload started in the recording): what the
 * end-to-end tests of `report --format heatmap` assert.
 */
#include "config.h"

#include <stdint.h>

#include "workload.h"

#define MS 1000000LL

static volatile uint64_t ft_burst_sink;
static volatile uint64_t ft_steady_sink;

FT_NOINLINE static void ft_burst(long long deadline)
{
	do
		FT_WORK(4096, ft_burst_sink);
	while (!ft_past(deadline));
}

FT_NOINLINE static void ft_steady(long long deadline)
{
	do
		FT_WORK(4096, ft_steady_sink);
	while (!ft_past(deadline));
}

/* Sleeps until `when` (CLOCK_MONOTONIC ns). */
static void sleep_until(long long when)
{
	struct timespec ts = { when / 1000000000LL, when % 1000000000LL };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

int main(int argc, char **argv)
{
	long seconds, s;
	long long start;

	if (argc != 2) {
		fprintf(stderr, "usage: bursts SECONDS\n");
		return 2;
	}
	seconds = ft_arg("bursts", "seconds", argv[1]);
	start = ft_now_ns();
	for (s = 0; s < seconds; s++) {
		long long sec = start + s * 1000 * MS;

		sleep_until(sec + 400 * MS);
		ft_burst(sec + 500 * MS);
		sleep_until(sec + 700 * MS);
		ft_steady(sec + 800 * MS);
	}
	sleep_until(start + seconds * 1000 * MS);
	return 0;
}
