/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * t5-faults: a known number of page faults in one function, CPU time
 * without faults in another, for the tests of several events at once.
 *
 *   t5-faults PAGES [ROUNDS]
 *
 * Each round, main -> ft_t5_fault_pages writes once to each of PAGES fresh
 * anonymous pages (1 MiB mappings without huge pages, so every page is one
 * fault), then main -> ft_t5_spin runs 2000 iterations per page touching
 * no new memory. ROUNDS rounds (default 1; 0: until killed). At the end it
 * prints "faults N cpu_ns M": the minor faults and the CPU time the process
 * had (getrusage), the ground truth for page-faults and task-clock.
 */
#include "config.h"

#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "workload.h"

#define FT_T5_CHUNK (1L << 20)

static volatile uint64_t ft_t5_spin_sink;

/* Writes one byte to each of `pages` pages no one touched before. */
FT_NOINLINE static void ft_t5_fault_pages(long pages, long page_size)
{
	long per_chunk = FT_T5_CHUNK / page_size;

	while (pages > 0) {
		long n = pages < per_chunk ? pages : per_chunk;
		volatile char *p = mmap(NULL, FT_T5_CHUNK, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			perror("t5-faults: mmap");
			exit(1);
		}
		/* No huge page: one fault per page whatever the THP settings. */
		madvise((void *)p, FT_T5_CHUNK, MADV_NOHUGEPAGE);
		for (long i = 0; i < n; i++)
			p[i * page_size] = 1;
		munmap((void *)p, FT_T5_CHUNK);
		pages -= n;
	}
}

FT_NOINLINE static void ft_t5_spin(long iterations)
{
	for (long i = 0; i < iterations; i++)
		ft_t5_spin_sink++;
}

int main(int argc, char **argv)
{
	long pages, rounds = 1, page_size = sysconf(_SC_PAGESIZE);
	struct rusage ru;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: t5-faults PAGES [ROUNDS]\n");
		return 2;
	}
	pages = ft_arg("t5-faults", "page count", argv[1]);
	if (argc == 3)
		rounds = ft_arg("t5-faults", "rounds", argv[2]);
	for (long r = 0; rounds == 0 || r < rounds; r++) {
		ft_t5_fault_pages(pages, page_size);
		ft_t5_spin(pages * 2000);
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("faults %ld cpu_ns %lld\n", ru.ru_minflt,
	       (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL +
		       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL);
	return 0;
}
