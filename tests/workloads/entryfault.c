/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * entryfault: kernel time entered at a function's first instruction.
 *
 *   entryfault MILLISECONDS
 *
 * main -> ft_entryfault_touch(page) for each page of fresh anonymous
 * memory, until MILLISECONDS of wall time have passed: the first
 * instruction of ft_entryfault_touch writes to the page, so the page
 * fault (most of the process's time, in the kernel) is taken with the
 * user IP exactly at that function's first byte. ft_entryfault_before,
 * a lone return, sits right before it in memory and is never called: a
 * profiler that reads that IP as a return address (one byte earlier)
 * names it instead. Both are written in assembly for that layout, so the
 * workload is for x86-64 only: elsewhere it exits 77.
 */
#include "config.h"

#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "workload.h"

#define FT_ENTRYFAULT_CHUNK (1L << 20)

#if defined(__x86_64__)
void ft_entryfault_before(void);
void ft_entryfault_touch(volatile char *page);
__asm__(".text\n"
	".p2align 4\n"
	".globl ft_entryfault_before\n"
	".type ft_entryfault_before, @function\n"
	"ft_entryfault_before:\n"
	"\tret\n"
	".size ft_entryfault_before, .-ft_entryfault_before\n"
	".globl ft_entryfault_touch\n"
	".type ft_entryfault_touch, @function\n"
	"ft_entryfault_touch:\n"
	"\tmovb $1, (%rdi)\n"
	"\tret\n"
	".size ft_entryfault_touch, .-ft_entryfault_touch\n");

/* Faults in the pages of one chunk of fresh memory, each at ft_entryfault_touch's entry. */
static void fault_chunk(long page_size)
{
	char *p = mmap(NULL, FT_ENTRYFAULT_CHUNK, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("entryfault: mmap");
		exit(1);
	}
	/* No huge page: one fault per page whatever the THP settings. */
	madvise(p, FT_ENTRYFAULT_CHUNK, MADV_NOHUGEPAGE);
	for (long off = 0; off < FT_ENTRYFAULT_CHUNK; off += page_size)
		ft_entryfault_touch(p + off);
	munmap(p, FT_ENTRYFAULT_CHUNK);
}
#endif

int main(int argc, char **argv)
{
#if defined(__x86_64__)
	long long deadline;
	long page_size = sysconf(_SC_PAGESIZE);

	if (argc != 2) {
		fprintf(stderr, "usage: entryfault MILLISECONDS\n");
		return 2;
	}
	deadline = ft_deadline(ft_arg("entryfault", "duration", argv[1]));
	while (!ft_past(deadline))
		fault_chunk(page_size);
	return 0;
#else
	return 77;
#endif
}
