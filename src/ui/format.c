/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Numbers for narrow columns: counts, durations and sizes in a few
 * characters each, the same way everywhere on the screen.
 */
#include "config.h"

#include "flametop/ui.h"

#include <stdio.h>

void ui_format_count(uint64_t n, char *out, size_t size)
{
	static const char units[] = "kMGTPE";
	double v = (double)n;
	int u = -1;

	if (n < 1000) {
		snprintf(out, size, "%u", (unsigned)n);
		return;
	}
	while (v >= 999.95 && u < 5) {
		v /= 1000.0;
		u++;
	}
	snprintf(out, size, v < 99.95 ? "%.1f%c" : "%.0f%c", v, units[u]);
}

void ui_format_duration(uint64_t ns, char *out, size_t size)
{
	uint64_t s = ns / 1000000000ull;

	if (ns < 1000000000ull)
		snprintf(out, size, "%ums", (unsigned)(ns / 1000000ull));
	else if (s < 60)
		snprintf(out, size, "%.1fs", (double)ns / 1e9);
	else if (s < 3600)
		snprintf(out, size, "%um%02us", (unsigned)(s / 60), (unsigned)(s % 60));
	else
		snprintf(out, size, "%uh%02um", (unsigned)(s / 3600), (unsigned)(s / 60 % 60));
}

void ui_format_bytes(uint64_t n, char *out, size_t size)
{
	static const char units[] = "KMGTPE";
	double v = (double)n;
	int u = -1;

	if (n < 1024) {
		snprintf(out, size, "%uB", (unsigned)n);
		return;
	}
	while (v >= 1023.95 && u < 5) {
		v /= 1024.0;
		u++;
	}
	snprintf(out, size, v < 99.95 ? "%.1f%c" : "%.0f%c", v, units[u]);
}
