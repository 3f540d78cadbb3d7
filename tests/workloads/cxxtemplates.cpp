// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cxxtemplates: C++ names to demangle.
 *
 *   cxxtemplates MILLISECONDS
 *
 * main -> ft::Spinner<int>::spin(long) and ft::Spinner<double>::spin(long)
 * (a template class's method, two instantiations), and the function
 * template ft::churn<unsigned long>(unsigned long*), for MILLISECONDS of
 * wall time: rounds of fixed work in each, main looking at the clock every
 * ten rounds (a few hundred microseconds), never inside them. Their symbols
 * are mangled (_ZN2ft7SpinnerIiE4spinEl, ...); a profiler must show them
 * as C++ spells them.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

namespace ft {

template <typename T> class Spinner {
      public:
	__attribute__((noipa)) T spin(long n)
	{
		for (long i = 0; i < n; i++)
			sink = sink + (T)1;
		return sink;
	}

      private:
	volatile T sink = 0;
};

template <typename T> __attribute__((noipa)) T churn(T *p)
{
	for (int i = 0; i < 4096; i++)
		*(volatile T *)p = *p * 3 + 1;
	return *p;
}

} // namespace ft

static long long now_ns()
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	ft::Spinner<int> a;
	ft::Spinner<double> b;
	unsigned long x = 1;
	long long deadline;

	if (argc != 2) {
		fprintf(stderr, "usage: cxxtemplates MILLISECONDS\n");
		return 2;
	}
	deadline = now_ns() + atol(argv[1]) * 1000000LL;
	while (now_ns() < deadline) {
		for (int round = 0; round < 10; round++) {
			a.spin(20000);
			b.spin(20000);
			for (int i = 0; i < 5; i++)
				ft::churn(&x);
		}
	}
	return 0;
}
