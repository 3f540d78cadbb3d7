/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * brokenstack: stacks that are broken, not cut, for the [truncated] verdict.
 *
 *   brokenstack loop|above|gap MILLISECONDS
 *
 * main -> ft_broken_outer -> one of two leaves in assembly (x86-64 only),
 * which spin with %rbp holding something that is not a frame pointer:
 *
 *   loop   ft_broken_loop: %rbp points at a node whose two words point at
 *          itself (an empty circular list head). The kernel's frame-pointer
 *          walk goes round it, storing the node's address as a return
 *          address until its frame limit. The leaf's CFI is right (the
 *          CFA is %rsp's), so a DWARF unwinder finds main.
 *   above  ft_broken_above: the CFI says the CFA is %rbp + 16, as after a
 *          frame-pointer prologue, and %rbp then points at an unmapped page
 *          above the stack: a DWARF unwinder asks for a word past the end
 *          of the stack, which the kernel's copy held whole.
 *
 * In both, the stack is broken in the leaf; nothing was cut at a limit.
 *
 *   gap    the control: a whole stack the kernel cannot copy whole.
 *          ft_broken_gap makes a page of main's frame unreadable (its
 *          frame and ft_broken_gap_pad's, 16 KiB each and mostly never
 *          touched, lie between), then
 *          calls ft_broken_spin: the kernel copies the stack up to the
 *          first page it cannot read without a fault (an untouched page
 *          of those frames, or that page), in the middle of the stack.
 *
 * The leaves spin for MILLISECONDS slices of about 1 ms of CPU each: a
 * fixed amount of work, so that the leaf's share of the process's CPU
 * (start-up and calibration take a few ms) does not shrink when a busy
 * machine gives the process less CPU in the same wall time.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "workload.h"

#if defined(__x86_64__)
void ft_broken_loop(uint64_t *node, long long n);
void ft_broken_above(uint64_t addr, long long n);

__asm__(".text\n"
	".globl ft_broken_loop\n"
	".type ft_broken_loop, @function\n"
	"ft_broken_loop:\n"
	".cfi_startproc\n"
	"	push %rbp\n"
	".cfi_def_cfa_offset 16\n"
	".cfi_offset %rbp, -16\n"
	"	mov %rdi, %rbp\n"
	"1:	dec %rsi\n"
	"	jnz 1b\n"
	"	pop %rbp\n"
	".cfi_def_cfa_offset 8\n"
	"	ret\n"
	".cfi_endproc\n"
	".size ft_broken_loop, .-ft_broken_loop\n"
	".globl ft_broken_above\n"
	".type ft_broken_above, @function\n"
	"ft_broken_above:\n"
	".cfi_startproc\n"
	"	push %rbp\n"
	".cfi_def_cfa_offset 16\n"
	".cfi_offset %rbp, -16\n"
	"	mov %rsp, %rbp\n"
	".cfi_def_cfa_register %rbp\n"
	"	mov %rdi, %rbp\n"
	"1:	dec %rsi\n"
	"	jnz 1b\n"
	"	mov %rsp, %rbp\n"
	"	pop %rbp\n"
	".cfi_def_cfa %rsp, 8\n"
	"	ret\n"
	".cfi_endproc\n"
	".size ft_broken_above, .-ft_broken_above\n");

/* A page-aligned address above the stack with nothing mapped there. */
static uint64_t unmapped_above_stack(void)
{
	long page = sysconf(_SC_PAGESIZE);
	uintptr_t a =
		((uintptr_t)__builtin_frame_address(0) + (uintptr_t)page) & ~((uintptr_t)page - 1);

	/* msync fails with ENOMEM on a page that is not mapped. */
	while (msync((void *)a, (size_t)page, MS_ASYNC) == 0)
		a += (uintptr_t)page;
	return (uint64_t)a;
}

static volatile uint64_t ft_broken_sink;

FT_NOINLINE static void ft_broken_spin(long long n)
{
	FT_WORK(n, ft_broken_sink);
}

/*
 * Spins with the page that holds `mark` unreadable: a page of main's
 * frame, which nothing reads until main's callees return (the 16 KiB of
 * its caller's frame and its own keep every word they use below it).
 */
FT_NOINLINE static void ft_broken_gap(volatile char *mark, long long n)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	void *at = (void *)((uintptr_t)mark & ~(page - 1));
	volatile char pad[16384];

	pad[0] = pad[sizeof(pad) - 1] = 0;
	if (mprotect(at, page, PROT_NONE) < 0) {
		perror("brokenstack: mprotect");
		exit(1);
	}
	ft_broken_spin(n);
	mprotect(at, page, PROT_READ | PROT_WRITE);
}

/* ft_broken_gap, 16 KiB further from main's frame. */
FT_NOINLINE static void ft_broken_gap_pad(volatile char *mark, long long n)
{
	volatile char pad[16384];

	pad[0] = pad[sizeof(pad) - 1] = 0;
	ft_broken_gap(mark, n);
}

FT_NOINLINE static void ft_broken_outer(const char *mode, volatile char *mark, long slices,
					long long n)
{
	static uint64_t node[2];
	uint64_t addr = unmapped_above_stack();
	long i;

	node[0] = node[1] = (uint64_t)(uintptr_t)node;
	for (i = 0; i < slices; i++) {
		if (strcmp(mode, "above") == 0)
			ft_broken_above(addr, n);
		else if (strcmp(mode, "gap") == 0)
			ft_broken_gap_pad(mark, n);
		else
			ft_broken_loop(node, n);
	}
}

int main(int argc, char **argv)
{
	volatile char mark = 0;

	if (argc != 3 || (strcmp(argv[1], "loop") != 0 && strcmp(argv[1], "above") != 0 &&
			  strcmp(argv[1], "gap") != 0)) {
		fprintf(stderr, "usage: brokenstack loop|above|gap MILLISECONDS\n");
		return 2;
	}
	ft_broken_outer(argv[1], &mark, ft_arg("brokenstack", "duration", argv[2]), ft_iters_per_ms());
	return mark;
}
#else
int main(void)
{
	fprintf(stderr, "brokenstack: x86-64 only\n");
	return 77;
}
#endif
