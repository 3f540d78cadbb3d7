// SPDX-License-Identifier: GPL-2.0-or-later
//
// t12-throw: C++ throws with a known split, for the exceptions profile
// type (issue 12).
//
//   t12-throw ROUNDS
//
// Each round main -> ft_t12_throw_often throws and catches three
// std::runtime_error, and main -> ft_t12_throw_rarely one std::logic_error:
// 3:1. Prints "often N rarely M", the throws each made.
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

static volatile long ft_t12_caught;

__attribute__((noinline)) static void ft_t12_throw_often(long i)
{
	for (int k = 0; k < 3; k++) {
		try {
			throw std::runtime_error("often");
		} catch (const std::runtime_error &) {
			ft_t12_caught = ft_t12_caught + i;
		}
	}
}

__attribute__((noinline)) static void ft_t12_throw_rarely(long i)
{
	try {
		throw std::logic_error("rarely");
	} catch (const std::logic_error &) {
		ft_t12_caught = ft_t12_caught + i;
	}
}

int main(int argc, char **argv)
{
	char *end;
	long rounds;

	if (argc != 2 || (rounds = std::strtol(argv[1], &end, 10)) <= 0 || *end) {
		std::fprintf(stderr, "usage: t12-throw ROUNDS\n");
		return 2;
	}
	for (long r = 0; r < rounds; r++) {
		ft_t12_throw_often(r);
		ft_t12_throw_rarely(r);
	}
	std::printf("often %ld rarely %ld\n", rounds * 3, rounds);
	return 0;
}
