/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * flametop's entry point: a table of subcommands, --help and --version.
 * Adding a subcommand is one function and one line of the table. No
 * subcommand (nothing, or an option or "--" first) opens the live explorer.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include "flametop/cli.h"

struct subcommand {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *args;
	const char *summary;
};

static const struct subcommand subcommands[] = {
	{ "record", cli_record, "[-a | -p PID,... | -- COMMAND...] [-d TIME] [-o FILE]",
	  "sample a target and write a session file" },
	{ "report", cli_report, "-i FILE [--format text|json|folded|heatmap] [--top N]",
	  "print where the time went in a session" },
	{ "replay", cli_replay, "FILE [--speed X] [--theme NAME|FILE]",
	  "open a session file in the live explorer" },
	{ "export", cli_export,
	  "-i FILE [--format folded|speedscope|pprof|svg] [-o OUT]",
	  "write a session as folded stacks, speedscope, pprof or SVG" },
	{ "push", cli_push, "-i FILE --url URL [--app NAME] [--label KEY=VALUE]...",
	  "send a session to a Pyroscope server" },
	{ "import", cli_import, "IN... -o FILE [--format FORMAT]",
	  "read perf script, folded, pprof or speedscope into a session" },
	{ "list-events", cli_list_events, "[--all]",
	  "list events and profile types, and which open here" },
};

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "Usage: flametop [-a | -p PID[,PID...] | -- COMMAND...] [OPTIONS]\n"
		     "       flametop -i FILE\n"
		     "       flametop SUBCOMMAND [OPTIONS]\n\n"
		     "A profile explorer for Linux: samples programs with perf events and\n"
		     "shows where the CPU time goes. Without a subcommand, the live explorer\n"
		     "opens on its target (default: the whole system); -i opens a session file\n"
		     "in it; 'flametop -a --help' lists the explorer's options.\n\n"
		     "Subcommands:\n");
	for (i = 0; i < ARRAY_SIZE(subcommands); i++)
		fprintf(out, "  %-12s %s\n      flametop %s %s\n", subcommands[i].name,
			subcommands[i].summary, subcommands[i].name, subcommands[i].args);
	fprintf(out, "\n'flametop SUBCOMMAND --help' describes each one; 'man flametop' all.\n"
		     "  -h, --help       show this help\n"
		     "  -V, --version    show the version\n");
}

/*
 * Standard input, output and error that the caller closed (a cron job's
 * `2>&-`) become /dev/null, or the first files flametop opens (a session)
 * would take their numbers, and its messages and reports would be written
 * into them. Returns -1 when one cannot be opened.
 */
static int open_std_fds(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		/* The lowest free number: this one. */
		if (open("/dev/null", O_RDWR) != fd)
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	size_t i;

	if (open_std_fds() < 0)
		return CLI_EXIT_ERROR;

	/* One malloc arena for every thread: flametop's own threads (a
	 * session's inflate-ahead, the Pyroscope pusher) allocate little,
	 * and an arena of their own would reserve 64 MiB of address space
	 * each, which a run under `ulimit -v` cannot spare. */
	mallopt(M_ARENA_MAX, 1);

	if (argc < 2)
		return cli_live(argc, argv);
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		if (argc > 2) {
			cli_error("%s: unexpected argument '%s'", argv[1], argv[2]);
			return CLI_EXIT_USAGE;
		}
		printf("flametop %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (argv[1][0] == '-')
		return cli_live(argc, argv);
	for (i = 0; i < ARRAY_SIZE(subcommands); i++)
		if (strcmp(argv[1], subcommands[i].name) == 0)
			return subcommands[i].run(argc - 1, argv + 1);
	cli_error("unknown subcommand '%s'; 'flametop --help' lists them", argv[1]);
	return CLI_EXIT_USAGE;
}
