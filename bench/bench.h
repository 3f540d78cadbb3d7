/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The C benches' side of bench/lib.sh: one line per figure, "NAME VALUE
 * GOAL PEER VERDICT", in the same columns and with the same number format
 * as the shell benches, also appended (tab-separated) to the file named by
 * BENCH_RESULTS when that is set, for the summary `make bench` prints at
 * the end. Benches print; they assert nothing.
 */
#ifndef FLAMETOP_BENCH_H
#define FLAMETOP_BENCH_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * A figure's value, 3 significant digits at most, a whole number without
 * decimals (bench_fmt in lib.sh); goals print with %g.
 */
static inline void bench_fmt(char *buf, size_t size, double v)
{
	double a = v < 0 ? -v : v;
	int prec = a >= 100 || a == (double)(long long)a ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3;

	snprintf(buf, size, "%.*f", prec, v);
}

static inline void bench_row(const char *name, const char *value, const char *goal,
			     const char *peer, const char *verdict)
{
	const char *path = getenv("BENCH_RESULTS");
	FILE *f;

	printf("%-44s %-12s %-12s %-34s %s\n", name, value, goal, peer, verdict);
	fflush(stdout);
	if (path && *path && (f = fopen(path, "a"))) {
		fprintf(f, "%s\t%s\t%s\t%s\t%s\n", name, value, goal, peer, verdict);
		fclose(f);
	}
}

static inline void bench_header(void)
{
	printf("%-44s %-12s %-12s %-34s %s\n", "figure", "value", "goal", "peer", "verdict");
}

/*
 * A figure against its goal: `op` "<=" or ">=", or NULL for a figure
 * without a goal (verdict "info"). `unit` and `peer` may be NULL.
 */
static inline void bench_line(const char *name, double value, const char *unit, const char *op,
			      double goal, const char *peer)
{
	char v[64], g[64], n[32];
	const char *verdict = "info";

	bench_fmt(n, sizeof(n), value);
	snprintf(v, sizeof(v), "%s%s%s", n, unit ? " " : "", unit ? unit : "");
	if (op) {
		snprintf(g, sizeof(g), "%s %g%s%s", op, goal, unit ? " " : "", unit ? unit : "");
		verdict = (strcmp(op, "<=") == 0 ? value <= goal : value >= goal) ? "met" : "missed";
	} else {
		snprintf(g, sizeof(g), "-");
	}
	bench_row(name, v, g, peer && *peer ? peer : "-", verdict);
}

#endif
