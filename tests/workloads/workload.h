/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared helpers for the test workloads: clocks, argument parsing and a spin
 * primitive. The workloads are programs with known call chains that the
 * end-to-end tests profile and whose shares they assert, so everything here is
 * always inlined and the hot loops live in the workloads' own noinline
 * functions; no sample should land in a helper.
 */
#ifndef FLAMETOP_WORKLOAD_H
#define FLAMETOP_WORKLOAD_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define FT_NOINLINE __attribute__((noinline))
/* The helpers are inlined even under -fno-inline, so that their time counts
 * as their caller's own. */
#define FT_INLINE static inline __attribute__((always_inline))

/* Iterations of the volatile loop between two looks at the clock: a few
 * microseconds, so the clock reads cost a few percent at most. */
#define FT_CHUNK 4096

FT_INLINE long long ft_clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

FT_INLINE long long ft_now_ns(void)
{
	return ft_clock_ns(CLOCK_MONOTONIC);
}

FT_INLINE long long ft_thread_cpu_ns(void)
{
	return ft_clock_ns(CLOCK_THREAD_CPUTIME_ID);
}

/* Parses a non-negative decimal argument or exits with status 2. */
FT_INLINE long ft_arg(const char *prog, const char *what, const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0) {
		fprintf(stderr, "%s: bad %s: %s\n", prog, what, s);
		exit(2);
	}
	return v;
}

FT_INLINE void ft_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* A deadline @ms milliseconds from now on CLOCK_MONOTONIC; 0 ms means never. */
FT_INLINE long long ft_deadline(long ms)
{
	return ms == 0 ? 0 : ft_now_ns() + ms * 1000000LL;
}

FT_INLINE int ft_past(long long deadline)
{
	return deadline != 0 && ft_now_ns() >= deadline;
}

#endif
