/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libcsort: time spent inside glibc's internal functions.
 *
 *   libcsort MILLISECONDS
 *
 * main -> ft_libcsort_run -> qsort, over and over on a shuffled array of
 * a million ints, for MILLISECONDS of wall time. glibc's qsort sorts with
 * a merge sort (msort_with_tmp) or an introsort, depending on its version;
 * either way the time goes to functions that only libc's separate debug
 * file names, and to the comparison function here.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "workload.h"

#define N (1 << 20)

FT_NOINLINE static int ft_libcsort_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

FT_NOINLINE static void ft_libcsort_run(int *v, long long deadline)
{
	uint32_t rng = 12345;
	size_t i;

	do {
		for (i = 0; i < N; i++) {
			rng = rng * 1103515245u + 12345u;
			v[i] = (int)(rng >> 1);
		}
		qsort(v, N, sizeof(*v), ft_libcsort_cmp);
	} while (!ft_past(deadline));
}

int main(int argc, char **argv)
{
	int *v;

	if (argc != 2) {
		fprintf(stderr, "usage: libcsort MILLISECONDS\n");
		return 2;
	}
	v = malloc(N * sizeof(*v));
	if (!v)
		return 1;
	ft_libcsort_run(v, ft_deadline(ft_arg("libcsort", "milliseconds", argv[1])));
	free(v);
	return 0;
}
