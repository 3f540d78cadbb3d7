/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared helpers for the test workloads: clocks, argument parsing and the
 * calibration of work. The workloads are programs with known call chains
 * that the end-to-end tests profile and whose shares they assert, so
 * everything here is always inlined and the hot loops live in the
 * workloads' own noinline functions; no sample should land in a helper.
 *
 * A workload's known split is a split of WORK: its measured functions run
 * fixed numbers of iterations of one loop body, FT_WORK (heavy 3 N, light
 * N), and never read a clock. Reading a clock costs what the machine says (on some
 * kernels CLOCK_THREAD_CPUTIME_ID is a real system call, and a sample
 * inside it may lose its caller), so the drivers look at the wall clock
 * between slices only, and the length of a slice in time comes from
 * ft_iters_per_ms(), measured once at start.
 */
#ifndef FLAMETOP_WORKLOAD_H
#define FLAMETOP_WORKLOAD_H

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define FT_NOINLINE __attribute__((noinline))
/* The helpers are inlined even under -fno-inline, so that their time counts
 * as their caller's own. */
#define FT_INLINE static inline __attribute__((always_inline))

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

/*
 * The loop body of the workloads: @n steps of a 64-bit LCG held in a
 * register, a chain of dependent multiply-adds whose speed does not depend
 * on where the code lands (a volatile increment's does: memory renaming
 * makes some placements of the same loop twice as fast as others). The
 * result goes to @sink, a volatile, so that the loop is not optimized away.
 * A macro, not a function, so that the loop's instructions belong to, and
 * carry the source line of, the function that uses it. Asking for the frame
 * address makes that function set up its frame pointer even when it calls
 * nothing: gcc omits the frame of such a leaf despite
 * -mno-omit-leaf-frame-pointer, and a frame-pointer walk from it would then
 * skip its caller.
 */
#define FT_WORK(n, sink)                                                                           \
	do {                                                                                       \
		uint64_t ft_x_ = (sink);                                                           \
		__asm__ volatile("" : : "r"(__builtin_frame_address(0)));                          \
		for (long long ft_i_ = 0; ft_i_ < (n); ft_i_++)                                    \
			ft_x_ = ft_x_ * 6364136223846793005ull + 1442695040888963407ull;           \
		(sink) = ft_x_;                                                                    \
	} while (0)

/* Deterministic pseudo-random numbers (a 32-bit LCG), for slice lengths
 * that wander so that a sampling period cannot keep in step with them. */
FT_INLINE uint32_t ft_rand(uint32_t *state)
{
	*state = *state * 1103515245u + 12345u;
	return *state >> 8;
}

/* A slice unit of @per_ms iterations times a factor that wanders between
 * 0.5 and 1.5: about 0.5 to 1.5 ms of CPU. */
FT_INLINE long long ft_unit(uint32_t *state, long long per_ms)
{
	return per_ms / 2 + (long long)((uint64_t)per_ms * (ft_rand(state) % 1024) / 1024);
}

/*
 * Iterations of FT_WORK per millisecond of this thread's CPU time, measured
 * once: the loop runs, in doubling batches, until a batch takes at least
 * 2 ms of CPU. CPU time, not wall time, so that a busy machine does not
 * make the work smaller. Costs about 4 ms of CPU in the caller (main),
 * before the measured functions run. At least 1000.
 */
FT_INLINE long long ft_iters_per_ms(void)
{
	static volatile uint64_t sink;
	long long n = 1 << 16, t;

	for (;;) {
		long long t0 = ft_thread_cpu_ns();

		FT_WORK(n, sink);
		t = ft_thread_cpu_ns() - t0;
		if (t >= 2000000 || n >= (1LL << 40))
			break;
		n *= 2;
	}
	n = t > 0 ? n * 1000000 / t : n;
	return n < 1000 ? 1000 : n;
}

#endif
