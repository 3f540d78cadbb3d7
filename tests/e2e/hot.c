#include <time.h>
static volatile unsigned long sink;
__attribute__((noinline)) static void ft_source_hot(time_t end)
{
	while (time(NULL) < end) sink++; /* HOT */
}
int main(void)
{
	ft_source_hot(time(NULL) + 2);
	return 0;
}
/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The program whose source file the lines view is asked to show, built by
 * hostile-fuse.sh and hostile-source.sh with its DWARF naming a copy they
 * then make hostile (on a FUSE mount that stops answering, a FIFO, a file
 * not everyone may read): ft_source_hot spins for two seconds on line 5.
 * This comment comes last so that the lines the tests look for stay where
 * the secret file that replaces the source has lines (1 to 12).
 */
