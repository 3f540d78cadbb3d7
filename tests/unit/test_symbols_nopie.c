/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A helper for test_symbols, linked as a non-PIE (ET_EXEC) executable: it
 * prints the address of a function of its own, then waits until its stdin
 * closes, so that the test can resolve that address through this process's
 * /proc/PID/maps and the ELF file's absolute virtual addresses.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

int nopie_function(int x);

__attribute__((noinline)) int nopie_function(int x)
{
	return x * 3 + 1;
}

int main(void)
{
	char c;

	printf("%lx\n", (unsigned long)(uintptr_t)&nopie_function);
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	return nopie_function(0) == 1 ? 0 : 1;
}
