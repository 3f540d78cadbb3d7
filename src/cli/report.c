/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `flametop report`: load a session file and print where the time went,
 * as text, JSON or folded stacks, optionally narrowed to a process, a
 * thread or an event; with --lines, the hottest source lines too; with
 * --baseline, what changed against another session (or another window of
 * the same one); with --format heatmap, where in each second it went.
 */
#include "config.h"

#include "flametop/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flametop/profile.h"
#include "flametop/report.h"
#include "flametop/session.h"

#define DEFAULT_TOP 30

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: flametop report -i FILE [options]\n"
		"\n"
		"Prints the hottest functions of a session file.\n"
		"\n"
		"Options:\n"
		"  -i, --input FILE        the session to read\n"
		"      --format FORMAT     text (default), json, folded (collapsed stacks\n"
		"                          for flamegraph.pl and other tools), or heatmap\n"
		"                          (JSON: weight per slice of each second)\n"
		"      --top N             functions to list in text and json (default %d in\n"
		"                          text, all in json; 0: all); an event of a group\n"
		"                          (-e '{a,b}') adds its ratios (IPC...) to both\n"
		CLI_QUERY_HELP
		"      --lines             the hottest source lines (file:line, from the\n"
		"                          programs' DWARF, self and total) instead of\n"
		"                          functions; in json, a \"lines\" array besides\n"
		"                          \"functions\"\n"
		"      --baseline FILE     compare with this session (the same file compares\n"
		"                          two windows): shares of each side's total, text\n"
		"                          by change, json with baseline_self/_total,\n"
		"                          folded with both weights (baseline first)\n"
		"      --baseline-from T, --baseline-to T\n"
		"                          the baseline's window, as --from and --to; the\n"
		"                          name filters apply to both sides, --pid and\n"
		"                          --tid only when it is the same file\n"
		"      --heatmap-row D     heatmap: the height of a row (default 20ms;\n"
		"                          1ms to 1s)\n"
		"  -h, --help              show this help\n",
		DEFAULT_TOP);
}

int cli_report(int argc, char **argv)
{
	enum {
		OPT_FORMAT = 256,
		OPT_TOP,
		OPT_LINES,
		OPT_BASELINE,
		OPT_BASELINE_FROM,
		OPT_BASELINE_TO,
		OPT_HEATMAP_ROW,
	};
	static const struct option longopts[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "top", required_argument, NULL, OPT_TOP },
		CLI_QUERY_LONGOPTS,
		{ "lines", no_argument, NULL, OPT_LINES },
		{ "baseline", required_argument, NULL, OPT_BASELINE },
		{ "baseline-from", required_argument, NULL, OPT_BASELINE_FROM },
		{ "baseline-to", required_argument, NULL, OPT_BASELINE_TO },
		{ "heatmap-row", required_argument, NULL, OPT_HEATMAP_ROW },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct report_options o;
	struct session_read_info info;
	struct ft_error err = { { 0 }, 0, 0 };
	struct ft_notice notices;
	struct profile *p = NULL, *bp = NULL;
	const char *input = NULL, *baseline = NULL;
	struct cli_time bfrom = { NULL, 0, 0, false }, bto = { NULL, 0, 0, false };
	struct cli_query q;
	int64_t top = -1;
	int opt, r, status = CLI_EXIT_USAGE;

	memset(&o, 0, sizeof(o));
	notice_init(&notices, cli_notice, NULL);
	o.format = REPORT_TEXT;
	cli_query_init(&q);
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":i:h", longopts, NULL)) != -1) {
		r = cli_query_option(&q, opt, optarg);
		if (r < 0)
			goto out;
		if (r > 0)
			continue;
		switch (opt) {
		case 'i':
			input = optarg;
			break;
		case OPT_FORMAT:
			if (report_parse_format(optarg, &o.format) < 0) {
				cli_error("--format: '%s' is not one of text, json, folded, heatmap",
					  optarg);
				goto out;
			}
			break;
		case OPT_TOP:
			if (cli_parse_id("--top", optarg, &top) < 0)
				goto out;
			break;
		case OPT_LINES:
			o.lines = true;
			break;
		case OPT_BASELINE:
			baseline = optarg;
			break;
		case OPT_BASELINE_FROM:
			if (cli_parse_time("--baseline-from", optarg, &bfrom) < 0)
				goto out;
			break;
		case OPT_BASELINE_TO:
			if (cli_parse_time("--baseline-to", optarg, &bto) < 0)
				goto out;
			break;
		case OPT_HEATMAP_ROW: {
			struct ft_error e;

			if (util_parse_duration(optarg, PROFILE_HEATMAP_MIN_ROW_NS, 1000000000ull,
						&o.row_ns, &e) < 0) {
				cli_error("--heatmap-row: %s", e.msg);
				goto out;
			}
			break;
		}
		case 'h':
			usage(stdout);
			status = 0;
			goto out;
		default:
			cli_bad_option("report", opt, argv);
			goto out;
		}
	}
	if (optind < argc) {
		cli_error("report: unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (!input) {
		cli_error("report needs a session file: -i FILE");
		goto out;
	}
	if (o.lines && o.format == REPORT_FOLDED) {
		cli_error("--lines works with --format text or json");
		goto out;
	}
	if ((bfrom.text || bto.text) && !baseline) {
		cli_error("--baseline-from and --baseline-to need --baseline FILE");
		goto out;
	}
	if (baseline && (o.lines || o.format == REPORT_HEATMAP)) {
		cli_error("--baseline works with --format text, json or folded, without --lines");
		goto out;
	}
	if (o.lines && o.format == REPORT_HEATMAP) {
		cli_error("--lines works with --format text or json");
		goto out;
	}
	o.notice = &notices; /* why a module has no source lines */
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
	o.filter = q.filter;
	o.include = q.include_text;
	o.exclude = q.exclude_text;
	if (baseline) {
		struct session_read_info binfo;

		bp = session_read(baseline, &binfo, &err);
		if (!bp) {
			cli_error("--baseline: %s", err.msg);
			goto out;
		}
		session_read_notice(&notices, baseline, &binfo);
		/* The same name filters on both sides; process and thread
		 * ids only within one file (they mean nothing elsewhere). */
		o.baseline_filter = o.filter;
		o.baseline_filter.event = -1;
		if (strcmp(baseline, input) != 0)
			o.baseline_filter.pid = o.baseline_filter.tid = -1;
		o.baseline_filter.from = bfrom.text ? cli_time_ns(&bfrom, bp) : 0;
		o.baseline_filter.to = bto.text ? cli_time_ns(&bto, bp) : 0;
		if (bto.text && o.baseline_filter.to <= o.baseline_filter.from) {
			cli_error("--baseline-to %s is not after --baseline-from %s", bto.text,
				  bfrom.text ? bfrom.text : "0");
			status = CLI_EXIT_USAGE;
			goto out;
		}
		o.baseline = bp;
		o.baseline_source = baseline;
	}
	o.top = top >= 0 ? (unsigned)top : o.format == REPORT_TEXT ? DEFAULT_TOP : 0;
	o.source = input;
	if (report_write(stdout, p, &o, &err) < 0) {
		cli_error("%s", err.msg);
		goto out;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_error("cannot write the report: %s", strerror(errno));
		goto out;
	}
	status = 0;
out:
	cli_query_free(&q);
	profile_free(bp);
	profile_free(p);
	notice_free(&notices);
	return status;
}
