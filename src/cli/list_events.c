/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `flametop list-events`: what libpfm4 knows on this machine, each event
 * marked by whether perf_event_open accepts it here and now.
 */
#include "config.h"

#include "flametop/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

int cli_list_events(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct ft_error err = { { 0 }, 0, 0 };
	bool all = false;
	int opt;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":hV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'A':
			all = true;
			break;
		case 'V':
			return cli_version();
		case 'h':
			printf("Usage: flametop list-events [--all]\n\n"
			       "Lists the events libpfm4 knows, one per line, each marked 'yes' when it\n"
			       "opens on this machine now, then the profile types.\n"
			       "\n"
			       "Options:\n"
			       "      --all               the hardware PMU's aliases too (other names\n"
			       "                          for events it lists already)\n"
			       "  -h, --help              show this help\n"
			       "  -V, --version           show the version\n");
			return 0;
		default:
			cli_bad_option("list-events", opt, argv);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error("list-events: unexpected argument '%s'", argv[optind]);
		return CLI_EXIT_USAGE;
	}
	if (sampler_list_events(stdout, all, &err) < 0) {
		cli_error("%s", err.msg);
		return CLI_EXIT_ERROR;
	}
	return 0;
}
