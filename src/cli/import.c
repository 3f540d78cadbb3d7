/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `flametop import`: read profiles other tools wrote (perf script, folded
 * stacks, pprof, speedscope) into one session file. The output is created
 * first, so a bad path fails before anything is read; an import that fails
 * leaves no file behind (a file --force would replace stays as it was).
 * On a terminal, stderr shows how far the reading is.
 */
#include "config.h"

#include "flametop/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "flametop/import.h"
#include "flametop/profile.h"
#include "flametop/session.h"

static void usage(FILE *out)
{
	const struct importer *imps;
	size_t n, i;

	imps = import_importers(&n);
	fprintf(out, "Usage: flametop import IN... -o FILE [options]\n"
		     "\n"
		     "Reads profiles other tools wrote into one session file, for report,\n"
		     "replay, diff and export. Each IN is a file, or - for standard input;\n"
		     "gzipped input is inflated. Several inputs are merged, each starting at\n"
		     "time 0 of the session.\n"
		     "\n"
		     "Options:\n"
		     "  -o, --output FILE       the session file to write\n"
		     "      --format FORMAT     how to read every IN (default: detected from\n"
		     "                          the content of each):\n");
	for (i = 0; i < n; i++)
		fprintf(out, "                          %-12s %s\n", imps[i].name, imps[i].summary);
	fprintf(out, "      --force             replace FILE if it exists\n"
		     "  -h, --help              show this help\n"
		     "  -V, --version           show the version\n");
}

struct progress {
	bool on;
	const char *name;
	uint64_t start_ns, last_ns;
	bool shown;
};

/* "\rNAME: 12.3 of 45.6 MiB (27%), 80.1 MiB/s" at most ten times a second. */
static void show_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct progress *pg = ctx;
	uint64_t now = util_now_ns();
	double mib = 1024.0 * 1024.0, secs;
	char name[64];

	if (!pg->on || now - pg->last_ns < 100000000u)
		return;
	pg->last_ns = now;
	secs = (double)(now - pg->start_ns) / 1e9;
	util_sanitize(util_basename(pg->name), name, sizeof(name));
	if (total)
		fprintf(stderr, "\r\033[Kimporting %s: %.1f of %.1f MiB (%.0f%%), %.1f MiB/s", name,
			(double)done / mib, (double)total / mib, 100.0 * (double)done / (double)total,
			secs > 0 ? (double)done / mib / secs : 0.0);
	else
		fprintf(stderr, "\r\033[Kimporting %s: %.1f MiB, %.1f MiB/s", name,
			(double)done / mib, secs > 0 ? (double)done / mib / secs : 0.0);
	pg->shown = true;
}

static void clear_progress(struct progress *pg)
{
	if (pg->shown)
		fputs("\r\033[K", stderr);
	pg->shown = false;
}

/* The session's command line: "flametop import IN... -o FILE". Caller frees. */
static char *command_line(int argc, char **argv)
{
	size_t len = strlen("flametop") + 1, i;
	char *s;

	for (i = 0; i < (size_t)argc; i++)
		len += strlen(argv[i]) + 1;
	s = xmalloc(len);
	strcpy(s, "flametop");
	for (i = 0; i < (size_t)argc; i++) {
		strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

int cli_import(int argc, char **argv)
{
	enum { OPT_FORMAT = 256, OPT_FORCE };
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct ft_error err = { { 0 }, 0, 0 };
	const struct importer *imp = NULL;
	struct import_sink *sink = NULL;
	struct session_writer *w;
	struct progress pg = { 0 };
	struct profile *p;
	const char *output = NULL;
	bool force = false;
	struct rusage ru;
	char *cmd, *target;
	int opt, i, nstdin = 0, status = CLI_EXIT_USAGE;
	uint64_t start;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":o:hV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			if (cli_check_output("-o", optarg, true) < 0)
				return CLI_EXIT_USAGE;
			output = optarg;
			break;
		case OPT_FORMAT:
			imp = import_find(optarg);
			if (!imp) {
				cli_error("--format: '%s' is not one of perf-script, folded, pprof, "
					  "speedscope",
					  optarg);
				return CLI_EXIT_USAGE;
			}
			break;
		case OPT_FORCE:
			force = true;
			break;
		case 'V':
			return cli_version();
		case 'h':
			usage(stdout);
			return 0;
		default:
			cli_bad_option("import", opt, argv);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		cli_error("import needs at least one input (a file, or - for stdin)");
		return CLI_EXIT_USAGE;
	}
	if (!output) {
		cli_error("import needs a session file to write: -o FILE");
		return CLI_EXIT_USAGE;
	}
	for (i = optind; i < argc; i++)
		nstdin += strcmp(argv[i], "-") == 0;
	if (nstdin > 1) {
		cli_error("import: standard input (-) can be read once");
		return CLI_EXIT_USAGE;
	}

	status = CLI_EXIT_ERROR;
	w = session_writer_open(output, force, &err);
	if (!w) {
		cli_error("%s", err.msg);
		return status;
	}
	sink = import_sink_new(w, output);
	p = import_sink_profile(sink);
	cmd = command_line(argc, argv);
	profile_meta_set(&p->meta.command_line, cmd);
	free(cmd);
	target = xasprintf("import: %d file%s", argc - optind, argc - optind > 1 ? "s" : "");
	profile_meta_set(&p->meta.target, target);
	free(target);
	profile_meta_set(&p->meta.flametop_version, PACKAGE_VERSION);
	p->meta.start_wall_ns = 0;

	pg.on = isatty(STDERR_FILENO);
	start = util_now_ns();
	for (i = optind; i < argc; i++) {
		struct import_input *in = import_input_open(argv[i], &err);
		int r;

		if (!in)
			goto out_error;
		pg.name = import_input_name(in);
		pg.start_ns = util_now_ns();
		pg.last_ns = 0;
		import_input_set_progress(in, show_progress, &pg);
		r = import_run(in, imp, sink, &err);
		import_input_free(in);
		clear_progress(&pg);
		if (r < 0)
			goto out_error;
	}
	if (import_sink_finish(sink, &err) < 0)
		goto out_error;
	if (getrusage(RUSAGE_SELF, &ru) < 0)
		ru.ru_maxrss = 0;
	cli_error("imported %llu samples of %u event%s from %d file%s in %.1f s to %s (peak "
		  "memory %.1f MiB)",
		  (unsigned long long)import_sink_counted(sink), p->nevents,
		  p->nevents == 1 ? "" : "s", argc - optind, argc - optind == 1 ? "" : "s",
		  (double)(util_now_ns() - start) / 1e9, output, (double)ru.ru_maxrss / 1024.0);
	status = 0;
	goto out;
out_error:
	clear_progress(&pg);
	cli_error("%s", err.msg);
out:
	import_sink_free(sink);
	return status;
}
