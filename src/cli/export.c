/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `flametop export`: a session's samples, narrowed by report's window and
 * filters, written for another tool: folded stacks, speedscope, pprof or
 * an interactive SVG flame graph. The format is --format's, or the one
 * OUT's extension names. Without -o the export goes to standard output,
 * except pprof's binary on a terminal.
 */
#include "config.h"

#include "flametop/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flametop/export.h"
#include "flametop/session.h"

static void usage(FILE *out)
{
	const struct exporter *ex;
	size_t n, i;

	ex = export_exporters(&n);
	fprintf(out, "Usage: flametop export -i FILE --format FORMAT [-o OUT] [options]\n"
		     "\n"
		     "Writes a session's samples for another tool, in the window and with the\n"
		     "filters report takes.\n"
		     "\n"
		     "Options:\n"
		     "  -i, --input FILE        the session to read\n"
		     "  -o, --output OUT        where to write (default: standard output); it is\n"
		     "                          replaced whole once the export is complete\n"
		     "      --format FORMAT     one of (default: the one OUT's extension names):\n");
	for (i = 0; i < n; i++)
		fprintf(out, "                          %-11s %s\n", ex[i].name, ex[i].summary);
	fprintf(out, "                          (extensions:");
	for (i = 0; i < n; i++)
		fprintf(out, " %s%s", ex[i].ext, i + 1 < n ? "," : ")\n");
	fprintf(out, CLI_QUERY_HELP "  -h, --help              show this help\n");
}

int cli_export(int argc, char **argv)
{
	enum { OPT_FORMAT = 256 };
	static const struct option longopts[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		CLI_QUERY_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ft_error err = { { 0 }, 0, 0 };
	struct session_read_info info;
	struct ft_notice notices;
	const struct exporter *ex = NULL;
	struct export_input *in = NULL;
	struct profile *p = NULL;
	const char *input = NULL, *output = NULL;
	struct cli_query q;
	int opt, r, status = CLI_EXIT_USAGE;

	notice_init(&notices, cli_notice, NULL);
	cli_query_init(&q);
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":i:o:h", longopts, NULL)) != -1) {
		r = cli_query_option(&q, opt, optarg);
		if (r < 0)
			goto out;
		if (r > 0)
			continue;
		switch (opt) {
		case 'i':
			input = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_FORMAT:
			ex = export_find(optarg);
			if (!ex) {
				cli_error("--format: '%s' is not one of folded, speedscope, pprof, svg",
					  optarg);
				goto out;
			}
			break;
		case 'h':
			usage(stdout);
			status = 0;
			goto out;
		default:
			cli_bad_option("export", opt, argv);
			goto out;
		}
	}
	if (optind < argc) {
		cli_error("export: unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (!input) {
		cli_error("export needs a session file: -i FILE");
		goto out;
	}
	if (!ex && output)
		ex = export_for_path(output);
	if (!ex) {
		cli_error("export needs --format folded|speedscope|pprof|svg%s",
			  output ? " (OUT's extension names none)" : "");
		goto out;
	}
	if (!output && ex->binary && isatty(STDOUT_FILENO)) {
		cli_error("--format %s is binary: write it to a file with -o OUT", ex->name);
		goto out;
	}
	status = CLI_EXIT_ERROR;
	p = session_read(input, &info, &err);
	if (!p) {
		cli_error("%s", err.msg);
		goto out;
	}
	session_read_notice(&notices, input, &info);
	status = cli_query_resolve(&q, p);
	if (status)
		goto out;
	status = CLI_EXIT_ERROR;
	in = export_input_from_profile(p, &q.filter, util_basename(input));
	if (output) {
		if (export_to_file(ex, in, output, &err) < 0) {
			cli_error("%s", err.msg);
			goto out;
		}
	} else {
		if (ex->write(stdout, in, &err) < 0) {
			cli_error("%s", err.msg);
			goto out;
		}
		if (fflush(stdout) != 0 || ferror(stdout)) {
			cli_error("cannot write the export: %s", strerror(errno));
			goto out;
		}
	}
	status = 0;
out:
	export_input_free(in);
	cli_query_free(&q);
	profile_free(p);
	notice_free(&notices);
	return status;
}
