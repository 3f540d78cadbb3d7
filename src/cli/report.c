/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `flametop report`: load a session file and print where the time went,
 * as text, JSON or folded stacks, optionally narrowed to a process, a
 * thread or an event; with --lines, the hottest source lines too.
 */
#include "config.h"

#include "flametop/cli.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flametop/profile.h"
#include "flametop/report.h"
#include "flametop/session.h"

#define DEFAULT_TOP 30
/* --from, --to: at most 10^9 seconds. */
#define MAX_TIME_NS (1000000000ull * 1000000000ull)

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: flametop report -i FILE [options]\n"
		"\n"
		"Prints the hottest functions of a session file.\n"
		"\n"
		"Options:\n"
		"  -i, --input FILE        the session to read\n"
		"      --format FORMAT     text (default), json, or folded (collapsed stacks\n"
		"                          for flamegraph.pl and other tools)\n"
		"      --top N             functions to list in text and json (default %d in\n"
		"                          text, all in json; 0: all)\n"
		"      --pid PID           only samples of this process\n"
		"      --tid TID           only samples of this thread\n"
		"      --event NAME        only samples of this event (default: the first)\n"
		"      --from T, --to T    only samples in [T, T): a time from the start of the\n"
		"                          session (1.5, 500ms, 2m) or a share of its duration\n"
		"                          (40%%)\n"
		"      --comm NAME         only threads of this name\n"
		"      --include REGEX     only stacks with a function matching REGEX\n"
		"      --exclude REGEX     no stacks with a function matching REGEX\n"
		"      --lines             the hottest source lines (file:line, from the\n"
		"                          programs' DWARF) instead of functions; in json,\n"
		"                          a \"lines\" array besides \"functions\"\n"
		"  -h, --help              show this help\n",
		DEFAULT_TOP);
}

/* A point in time: a duration ("1.5", "500ms", "2m") or a share of the session ("40%"). */
struct time_arg {
	const char *text;
	uint64_t ns; /* from the start of the session... */
	double share; /* ... or a percentage of its duration */
	bool percent;
};

static int parse_time(const char *opt, const char *arg, struct time_arg *t)
{
	struct ft_error err;
	size_t len = strlen(arg);
	int ret;

	t->text = arg;
	t->percent = len > 0 && arg[len - 1] == '%';
	if (t->percent) {
		char *number = xstrndup(arg, len - 1);

		ret = util_parse_number(number, 0, 100, &t->share, &err);
		free(number);
		if (ret == -EINVAL)
			cli_error("%s: '%s' is not a share (40%%, 12.5%%)", opt, arg);
		else if (ret < 0)
			cli_error("%s: '%s' is out of range (0%% to 100%%)", opt, arg);
		return ret < 0 ? -1 : 0;
	}
	ret = util_parse_duration(arg, 0, MAX_TIME_NS, &t->ns, &err);
	if (ret < 0) {
		cli_error("%s: %s%s", opt, err.msg, ret == -EINVAL ? ", or a share like 40%" : "");
		return -1;
	}
	return 0;
}

/* ns since the session's start for a time argument. */
static uint64_t time_ns(const struct time_arg *t, const struct profile *p)
{
	uint64_t span = p->meta.duration_ns;
	size_t i;

	if (!t->percent)
		return t->ns;
	if (!span) /* a recording cut short: its last sample ends it */
		for (i = 0; i < p->nsamples; i++)
			if (p->samples[i].time > span)
				span = p->samples[i].time;
	return (uint64_t)((double)span * t->share / 100.0);
}

static int compile(const char *opt, const char *pattern, regex_t *re)
{
	char msg[256];
	int r = regcomp(re, pattern, REG_EXTENDED | REG_NOSUB);

	if (r == 0)
		return 0;
	regerror(r, re, msg, sizeof(msg));
	cli_error("%s: '%s' is not a regular expression: %s", opt, pattern, msg);
	return -1;
}

/* A whole number for `opt` (--top, --pid, --tid). */
static int parse_id(const char *opt, const char *arg, int64_t *out)
{
	struct ft_error err;
	uint64_t v;

	if (util_parse_integer(arg, 0, INT_MAX, &v, &err) < 0) {
		cli_error("%s: %s", opt, err.msg);
		return -1;
	}
	*out = (int64_t)v;
	return 0;
}

int cli_report(int argc, char **argv)
{
	enum {
		OPT_FORMAT = 256,
		OPT_TOP,
		OPT_PID,
		OPT_TID,
		OPT_EVENT,
		OPT_FROM,
		OPT_TO,
		OPT_COMM,
		OPT_INCLUDE,
		OPT_EXCLUDE,
		OPT_LINES,
	};
	static const struct option longopts[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "top", required_argument, NULL, OPT_TOP },
		{ "pid", required_argument, NULL, OPT_PID },
		{ "tid", required_argument, NULL, OPT_TID },
		{ "event", required_argument, NULL, OPT_EVENT },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "to", required_argument, NULL, OPT_TO },
		{ "comm", required_argument, NULL, OPT_COMM },
		{ "include", required_argument, NULL, OPT_INCLUDE },
		{ "exclude", required_argument, NULL, OPT_EXCLUDE },
		{ "lines", no_argument, NULL, OPT_LINES },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct report_options o;
	struct session_read_info info;
	struct ft_error err = { { 0 }, 0, 0 };
	struct ft_notice notices;
	struct profile *p = NULL;
	const char *input = NULL, *event = NULL;
	struct time_arg from = { NULL, 0, 0, false }, to = { NULL, 0, 0, false };
	regex_t include, exclude;
	bool have_include = false, have_exclude = false;
	int64_t top = -1;
	int opt, status = CLI_EXIT_USAGE;

	memset(&o, 0, sizeof(o));
	notice_init(&notices, cli_notice, NULL);
	o.format = REPORT_TEXT;
	profile_filter_init(&o.filter);
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":i:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'i':
			input = optarg;
			break;
		case OPT_FORMAT:
			if (report_parse_format(optarg, &o.format) < 0) {
				cli_error("--format: '%s' is not one of text, json, folded", optarg);
				goto out;
			}
			break;
		case OPT_TOP:
			if (parse_id("--top", optarg, &top) < 0)
				goto out;
			break;
		case OPT_PID:
			if (parse_id("--pid", optarg, &o.filter.pid) < 0)
				goto out;
			break;
		case OPT_TID:
			if (parse_id("--tid", optarg, &o.filter.tid) < 0)
				goto out;
			break;
		case OPT_EVENT:
			event = optarg;
			break;
		case OPT_FROM:
			if (parse_time("--from", optarg, &from) < 0)
				goto out;
			break;
		case OPT_TO:
			if (parse_time("--to", optarg, &to) < 0)
				goto out;
			break;
		case OPT_COMM:
			o.filter.comm = optarg;
			break;
		case OPT_INCLUDE:
			if (have_include)
				regfree(&include);
			have_include = false;
			if (compile("--include", optarg, &include) < 0)
				goto out;
			have_include = true;
			o.filter.include = &include;
			o.include = optarg;
			break;
		case OPT_EXCLUDE:
			if (have_exclude)
				regfree(&exclude);
			have_exclude = false;
			if (compile("--exclude", optarg, &exclude) < 0)
				goto out;
			have_exclude = true;
			o.filter.exclude = &exclude;
			o.exclude = optarg;
			break;
		case OPT_LINES:
			o.lines = true;
			break;
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
	o.notice = &notices; /* why a module has no source lines */
	status = CLI_EXIT_ERROR;
	p = session_read(input, &info, &err);
	if (!p) {
		cli_error("%s", err.msg);
		goto out;
	}
	session_read_notice(&notices, input, &info);
	if (event) {
		o.filter.event = profile_find_event(p, event);
		if (o.filter.event < 0) {
			cli_error("--event: the session has no event '%s'", event);
			goto out;
		}
	}
	if (from.text)
		o.filter.from = time_ns(&from, p);
	if (to.text) {
		o.filter.to = time_ns(&to, p);
		if (o.filter.to <= o.filter.from) {
			cli_error("--to %s is not after --from %s", to.text,
				  from.text ? from.text : "0");
			status = CLI_EXIT_USAGE;
			goto out;
		}
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
	if (have_include)
		regfree(&include);
	if (have_exclude)
		regfree(&exclude);
	profile_free(p);
	notice_free(&notices);
	return status;
}
