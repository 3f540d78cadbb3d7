/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `flametop export`: a session's samples, narrowed by report's window and
 * filters, written for another tool: folded stacks, speedscope, pprof or
 * an interactive SVG flame graph. The format is --format's, or the one
 * OUT's extension names. Without -o the export goes to standard output,
 * except pprof's binary on a terminal.
 *
 * The session is read a batch of samples at a time (cli_read), each batch
 * summed into an export tally and dropped, and the export written at the
 * end: memory holds the model and the sums, not every sample. speedscope,
 * whose file holds each thread's stacks in time order, keeps those (a run
 * of one stack as one), past a cap in a temporary file; samples out of
 * time order it sorts in a window of a few seconds. A session with a
 * sample later than that, or a pipe that could not be copied to a
 * temporary file (session_reader_open), it reads whole, as every export
 * once did.
 */
#include "config.h"

#include "flametop/cli.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flametop/export.h"
#include "flametop/session.h"

static void add(void *ctx, const struct profile_sample *s, size_t n)
{
	export_tally_add(ctx, s, n);
}

/*
 * The session's samples, held (what export_input_from_profile() reads):
 * the rest of a pipe, or, when the runs came out of time order, the file
 * again (`again`: the same file, read through once and said so already).
 * NULL said.
 */
static struct export_input *read_whole(struct cli_read *s, const struct cli_query *q,
				       const char *input, bool again, struct ft_notice *notices)
{
	struct ft_error err = { { 0 }, 0, 0 };
	struct session_reader *sr;

	if (again) {
		sr = session_reader_reopen(s->sr, &err);
		if (!sr) {
			cli_error("%s", err.msg);
			return NULL;
		}
		session_reader_free(s->sr);
		s->sr = sr;
		s->p = session_reader_profile(sr);
		notices = NULL;
	}
	s->hold = true;
	if (cli_read_samples(s, NULL, NULL, notices) < 0)
		return NULL;
	return export_input_from_profile(s->p, &q->filter, util_basename(input));
}

static void usage(FILE *out)
{
	const struct exporter *ex;
	size_t n, i;

	ex = export_exporters(&n);
	fprintf(out, "Usage: flametop export -i FILE --format FORMAT [-o OUT] [options]\n"
		     "       flametop export -i FILE -o OUT.EXT [options]\n"
		     "\n"
		     "Writes a session's samples for another tool, in the window and with the\n"
		     "filters report takes.\n"
		     "\n"
		     "Options:\n"
		     "  -i, --input FILE        the session to read (-: standard input)\n"
		     "  -o, --output OUT        where to write (default, or -: standard output); a\n"
		     "                          regular file, replaced whole once the export is\n"
		     "                          complete (a link or device is refused)\n"
		     "      --format FORMAT     one of (default: the one OUT's extension names):\n");
	for (i = 0; i < n; i++)
		fprintf(out, "                          %-11s %s\n", ex[i].name, ex[i].summary);
	fprintf(out, "                          (extensions:");
	for (i = 0; i < n; i++)
		fprintf(out, " %s%s", ex[i].ext, i + 1 < n ? "," : ")\n");
	fprintf(out, CLI_FOLDED_THREAD_HELP);
	fprintf(out, CLI_FOLDED_HELP);
	fprintf(out, "      --thread-ids        folded: the thread's name is comm-PID/TID (as\n"
		     "                          stackcollapse-perf.pl --tid writes it), which\n"
		     "                          import reads back as the thread\n");
	fprintf(out,
		CLI_QUERY_HELP_EVENT("the first;\n"
				     "                          pprof: every event, a sample type "
				     "each,\n"
				     "                          and T_samples/count of its samples)\n"));
	fprintf(out, "  -h, --help              show this help\n"
		     "  -V, --version           show the version\n");
}

int cli_export(int argc, char **argv)
{
	enum { OPT_FORMAT = 256, OPT_WEIGHT, OPT_ANNOTATE_KERNEL, OPT_THREAD_IDS };
	static const struct option longopts[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "weight", required_argument, NULL, OPT_WEIGHT },
		{ "annotate-kernel", no_argument, NULL, OPT_ANNOTATE_KERNEL },
		{ "thread-ids", no_argument, NULL, OPT_THREAD_IDS },
		CLI_QUERY_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct ft_error err = { { 0 }, 0, 0 };
	struct ft_notice notices;
	const struct exporter *ex = NULL;
	struct export_input *in = NULL;
	struct export_tally *t = NULL;
	struct cli_read s = { 0 };
	const char *input = NULL, *output = NULL;
	struct cli_query q;
	bool sample_weights = false, weight_given = false, annotate_kernel = false, all_events;
	bool thread_ids = false;
	int opt, r, status = CLI_EXIT_USAGE;

	notice_init(&notices, cli_notice, NULL);
	cli_query_init(&q);
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":i:o:hV", longopts, NULL)) != -1) {
		r = cli_query_option(&q, opt, optarg);
		if (r < 0)
			goto out;
		if (r > 0)
			continue;
		switch (opt) {
		case 'i':
			input = cli_read_path(optarg);
			break;
		case 'o':
			if (cli_check_output("-o", optarg, false) < 0)
				goto out;
			/* -: standard output, as without -o */
			output = strcmp(optarg, "-") == 0 ? NULL : optarg;
			break;
		case OPT_FORMAT:
			ex = export_find(optarg);
			if (!ex) {
				cli_error("--format: '%s' is not one of folded, speedscope, pprof, svg",
					  optarg);
				goto out;
			}
			break;
		case OPT_WEIGHT:
			if (cli_parse_weight(optarg, &sample_weights) < 0)
				goto out;
			weight_given = true;
			break;
		case OPT_ANNOTATE_KERNEL:
			annotate_kernel = true;
			break;
		case OPT_THREAD_IDS:
			thread_ids = true;
			break;
		case 'V':
			status = cli_version();
			goto out;
		case 'h':
			usage(stdout);
			status = 0;
			goto out;
		default:
			cli_bad_option("export", opt, argv);
			goto out;
		}
	}
	if (cli_need_input("export", argc, argv, optind, input) < 0)
		goto out;
	if (!ex && output)
		ex = export_for_path(output);
	else if (ex && output && export_for_path(output) && export_for_path(output) != ex)
		/* As asked, but a viewer that goes by the name will not read it. */
		cli_error("notice: %s will hold %s, not the %s its name says (--format %s)",
			  output, ex->name, export_for_path(output)->name, ex->name);
	if (!ex) {
		cli_error("export needs --format folded|speedscope|pprof|svg%s",
			  output ? " (OUT's extension names none)" : "");
		goto out;
	}
	if ((weight_given || annotate_kernel || thread_ids) && ex->write != export_folded_write) {
		cli_error("%s works with --format folded", weight_given	     ? "--weight"
							   : annotate_kernel ? "--annotate-kernel"
									     : "--thread-ids");
		goto out;
	}
	if (!output && ex->binary && isatty(STDOUT_FILENO)) {
		cli_error("--format %s is binary: write it to a file with -o OUT", ex->name);
		goto out;
	}
	status = cli_read_start(&s, input, &q, &notices);
	if (status)
		goto out;
	status = CLI_EXIT_ERROR;
	all_events = q.filter.event < 0 && s.p->nevents > 1;
	if (all_events && ex->write != export_pprof_write) {
		char first[128];

		util_sanitize(s.p->events[0].name, first, sizeof(first));
		cli_error("notice: %s holds %" PRIu32 " events; %s holds one: the first, %s "
			  "(choose with --event; pprof holds them all)",
			  input, s.p->nevents, ex->name, first);
	}
	if (ex->write == export_speedscope_write && !session_reader_regular(s.sr)) {
		in = read_whole(&s, &q, input, false, &notices);
	} else {
		unsigned parts = ex->write == export_speedscope_write ? EXPORT_TALLY_RUNS
								      : EXPORT_TALLY_GROUPS;

		if (all_events && ex->write == export_pprof_write)
			parts |= EXPORT_TALLY_EVENTS;
		t = export_tally_new(s.p, &q.filter, parts);
		if (cli_read_samples(&s, add, t, &notices) < 0)
			goto out;
		if (export_tally_error(t)) {
			cli_error("%s", export_tally_error(t));
			goto out;
		}
		if (export_tally_ordered(t)) {
			in = export_tally_input(t, util_basename(input));
		} else {
			export_tally_free(t); /* of the profile the reader drops */
			t = NULL;
			in = read_whole(&s, &q, input, true, &notices);
		}
	}
	if (!in)
		goto out;
	in->sample_weights = sample_weights;
	in->annotate_kernel = annotate_kernel;
	in->thread_ids = thread_ids;
	if (export_input_empty(in))
		cli_error("notice: %s: no samples%s: the export is empty", input,
			  cli_query_narrows(&q) ? " in this window and with these filters" : "");
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
	export_tally_free(t);
	cli_read_free(&s);
	cli_query_free(&q);
	notice_free(&notices);
	return status;
}
