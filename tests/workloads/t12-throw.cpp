// SPDX-License-Identifier: GPL-2.0-or-later
//
// t12-throw: C++ throws with a known split, for the exceptions profile
// type (issue 12).
//
//   t12-throw ROUNDS [wait]
//
// Each round main -> ft_t12_throw_often throws and catches three
// std::runtime_error, and main -> ft_t12_throw_rarely one t12::rare_error
// (a std::logic_error): 3:1, and two types. Prints "often N rarely M", the
// throws each made. With "wait" it then stays until SIGUSR1 (a profiler
// that reads the process's memory to name the types can, until it has
// handled every throw).
#include <csignal>
#include <cstdio>
#include <cstring>
#include <unistd.h>
#include <cstdlib>
#include <stdexcept>

static volatile long ft_t12_caught;

namespace t12
{
struct rare_error : std::logic_error {
	using std::logic_error::logic_error;
};
} // namespace t12

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
		throw t12::rare_error("rarely");
	} catch (const std::logic_error &) {
		ft_t12_caught = ft_t12_caught + i;
	}
}

static volatile sig_atomic_t ft_t12_go;

static void on_usr1(int)
{
	ft_t12_go = 1;
}

int main(int argc, char **argv)
{
	bool wait = argc == 3 && std::strcmp(argv[2], "wait") == 0;
	char *end;
	long rounds;

	if ((argc != 2 && !wait) || (rounds = std::strtol(argv[1], &end, 10)) <= 0 || *end) {
		std::fprintf(stderr, "usage: t12-throw ROUNDS [wait]\n");
		return 2;
	}
	std::signal(SIGUSR1, on_usr1);
	for (long r = 0; r < rounds; r++) {
		ft_t12_throw_often(r);
		ft_t12_throw_rarely(r);
	}
	std::printf("often %ld rarely %ld\n", rounds * 3, rounds);
	std::fflush(stdout);
	while (wait && !ft_t12_go)
		usleep(10000);
	return 0;
}
