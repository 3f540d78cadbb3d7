/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `flametop report`: load a session file and print where the time went,
 * as text, JSON or folded stacks, optionally narrowed to a process, a
 * thread or an event; with --lines, the hottest source lines too; with
 * --baseline, what changed against another session (or another window of
 * the same one); with --format heatmap, where in each second it went.
 *
 * The sessions are read a batch of samples at a time, each batch counted
 * (report_add) and dropped, so memory holds the model and the sums, not
 * the samples: an hour of samples is hundreds of MiB, a day gigabytes.
 * What a query needs from a session's end before it can count (shares of
 * its duration, the names its threads end with) a first pass learns,
 * reading it through without keeping samples, or without decoding them
 * where the end chunk says the length.
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

/* The consumers of cli_read_samples(): the input's side and the baseline's. */
static void add_now(void *ctx, const struct profile_sample *s, size_t n)
{
	report_add(ctx, s, n);
}

static void add_baseline(void *ctx, const struct profile_sample *s, size_t n)
{
	report_add_baseline(ctx, s, n);
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: flametop report -i FILE [options]\n"
		"\n"
		"Prints the hottest functions of a session file.\n"
		"\n"
		"Options:\n"
		"  -i, --input FILE        the session to read (-: standard input)\n"
		"      --format FORMAT     text (default), json, folded (collapsed stacks\n"
		"                          for flamegraph.pl and other tools), or heatmap\n"
		"                          (JSON: weight per slice of each second)\n"
		CLI_FOLDED_THREAD_HELP
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
		CLI_FOLDED_HELP
		"      --heatmap-row D     heatmap: the height of a row (default 20ms;\n"
		"                          1ms to 1s)\n"
		"  -h, --help              show this help\n"
		"  -V, --version           show the version\n",
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
		OPT_WEIGHT,
		OPT_ANNOTATE_KERNEL,
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
		{ "weight", required_argument, NULL, OPT_WEIGHT },
		{ "annotate-kernel", no_argument, NULL, OPT_ANNOTATE_KERNEL },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct report_options o;
	struct ft_error err = { { 0 }, 0, 0 };
	struct ft_notice notices;
	struct cli_read now = { 0 }, base = { 0 };
	struct report *rep = NULL;
	const char *input = NULL, *baseline = NULL;
	struct cli_time bfrom = { NULL, 0, 0, false }, bto = { NULL, 0, 0, false };
	struct cli_query q;
	int64_t top = -1;
	bool weight_given = false;
	int opt, r, status = CLI_EXIT_USAGE;

	memset(&o, 0, sizeof(o));
	notice_init(&notices, cli_notice, NULL);
	o.format = REPORT_TEXT;
	cli_query_init(&q);
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":i:hV", longopts, NULL)) != -1) {
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
		case OPT_WEIGHT:
			if (cli_parse_weight(optarg, &o.sample_weights) < 0)
				goto out;
			weight_given = true;
			break;
		case OPT_ANNOTATE_KERNEL:
			o.annotate_kernel = true;
			break;
		case 'V':
			status = cli_version();
			goto out;
		case 'h':
			usage(stdout);
			status = 0;
			goto out;
		default:
			cli_bad_option("report", opt, argv);
			goto out;
		}
	}
	if (cli_need_input("report", argc, argv, optind, input) < 0)
		goto out;
	if (baseline && strcmp(input, "-") == 0 && strcmp(baseline, "-") == 0) {
		cli_error("report: standard input (-) can be read once; give --baseline a file");
		goto out;
	}
	input = cli_read_path(input);
	if (baseline)
		baseline = cli_read_path(baseline);
	if ((weight_given || o.annotate_kernel) && o.format != REPORT_FOLDED) {
		cli_error("%s works with --format folded",
			  weight_given ? "--weight" : "--annotate-kernel");
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
	status = cli_read_start(&now, input, &q, &notices);
	if (status)
		goto out;
	status = CLI_EXIT_ERROR;
	o.filter = q.filter;
	o.include = q.include_text;
	o.exclude = q.exclude_text;
	o.top = top >= 0 ? (unsigned)top : o.format == REPORT_TEXT ? DEFAULT_TOP : 0;
	o.source = input;
	if (baseline) {
		/* The same name filters on both sides; process and thread
		 * ids only within one file (they mean nothing elsewhere). */
		o.baseline_filter = o.filter;
		o.baseline_filter.event = -1;
		if (strcmp(baseline, input) != 0)
			o.baseline_filter.pid = o.baseline_filter.tid = -1;
		o.baseline_source = baseline;
	}
	rep = report_new(now.p, &o, &err);
	if (!rep) {
		cli_error("%s", err.msg);
		goto out;
	}
	if (cli_read_samples(&now, add_now, rep, &notices) < 0)
		goto out;
	if (baseline) {
		struct profile_filter bf = o.baseline_filter;

		if (cli_read_open(&base, baseline, "--baseline: ") < 0)
			goto out;
		if ((bfrom.percent || bto.percent || bf.comm) &&
		    cli_read_learn_end(&base, bf.comm != NULL) < 0)
			goto out;
		bf.from = bfrom.text ? cli_time_in(&bfrom, base.span) : 0;
		bf.to = bto.text ? cli_time_in(&bto, base.span) : 0;
		if (bto.text && bf.to <= bf.from) {
			if (cli_read_samples(&base, NULL, NULL, &notices) == 0) {
				cli_error("--baseline-to %s is not after --baseline-from %s",
					  bto.text, bfrom.text ? bfrom.text : "0");
				status = CLI_EXIT_USAGE;
			}
			goto out;
		}
		if (report_baseline(rep, base.p, &bf, &err) < 0) {
			if (cli_read_samples(&base, NULL, NULL, &notices) == 0)
				cli_error("%s", err.msg);
			goto out;
		}
		if (cli_read_samples(&base, add_baseline, rep, &notices) < 0)
			goto out;
	}
	status = CLI_EXIT_ERROR;
	if (report_finish(stdout, rep, &err) < 0) {
		cli_error("%s", err.msg);
		goto out;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_error("cannot write the report: %s", strerror(errno));
		goto out;
	}
	status = 0;
out:
	report_free(rep);
	cli_read_free(&base);
	cli_read_free(&now);
	cli_query_free(&q);
	notice_free(&notices);
	return status;
}
