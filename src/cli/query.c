/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The query options `report`, `export` and `push` share: a time window
 * (--from, --to), the process, thread, thread name and event to keep
 * (--pid, --tid, --comm, --event) and the stacks to keep or drop
 * (--include, --exclude). Parsed in one place, so each subcommand takes
 * exactly the same words and words its errors the same way; resolved
 * against the session once it is read (a share of its duration, an event
 * by name).
 */
#include "config.h"

#include "flametop/cli.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --from, --to: at most 10^9 seconds. */
#define MAX_TIME_NS (1000000000ull * 1000000000ull)

void cli_query_init(struct cli_query *q)
{
	memset(q, 0, sizeof(*q));
	profile_filter_init(&q->filter);
}

void cli_query_free(struct cli_query *q)
{
	if (q->have_include)
		regfree(&q->include);
	if (q->have_exclude)
		regfree(&q->exclude);
	q->have_include = q->have_exclude = false;
	q->filter.include = q->filter.exclude = NULL;
}

int cli_parse_time(const char *opt, const char *arg, struct cli_time *t)
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

uint64_t cli_profile_span(const struct profile *p)
{
	uint64_t span = p->meta.duration_ns;
	size_t i;

	if (!span) /* a recording cut short: its last sample ends it */
		for (i = 0; i < p->nsamples; i++)
			if (p->samples[i].time > span)
				span = p->samples[i].time;
	return span;
}

uint64_t cli_time_in(const struct cli_time *t, uint64_t span)
{
	if (!t->percent)
		return t->ns;
	return (uint64_t)((double)span * t->share / 100.0);
}

uint64_t cli_time_ns(const struct cli_time *t, const struct profile *p)
{
	return cli_time_in(t, t->percent ? cli_profile_span(p) : 0);
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

int cli_parse_id(const char *opt, const char *arg, int64_t *out)
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

int cli_parse_weight(const char *arg, bool *samples)
{
	if (strcmp(arg, "samples") != 0 && strcmp(arg, "value") != 0) {
		cli_error("--weight: '%s' is not one of value, samples", arg);
		return -1;
	}
	*samples = strcmp(arg, "samples") == 0;
	return 0;
}

int cli_query_option(struct cli_query *q, int opt, const char *arg)
{
	switch (opt) {
	case CLI_OPT_QUERY_PID:
		return cli_parse_id("--pid", arg, &q->filter.pid) < 0 ? -1 : 1;
	case CLI_OPT_QUERY_TID:
		return cli_parse_id("--tid", arg, &q->filter.tid) < 0 ? -1 : 1;
	case CLI_OPT_QUERY_EVENT:
		q->event = arg;
		return 1;
	case CLI_OPT_QUERY_FROM:
		return cli_parse_time("--from", arg, &q->from) < 0 ? -1 : 1;
	case CLI_OPT_QUERY_TO:
		return cli_parse_time("--to", arg, &q->to) < 0 ? -1 : 1;
	case CLI_OPT_QUERY_COMM:
		q->filter.comm = arg;
		return 1;
	case CLI_OPT_QUERY_INCLUDE:
		if (q->have_include)
			regfree(&q->include);
		q->have_include = false;
		q->filter.include = NULL;
		if (compile("--include", arg, &q->include) < 0)
			return -1;
		q->have_include = true;
		q->filter.include = &q->include;
		q->include_text = arg;
		return 1;
	case CLI_OPT_QUERY_EXCLUDE:
		if (q->have_exclude)
			regfree(&q->exclude);
		q->have_exclude = false;
		q->filter.exclude = NULL;
		if (compile("--exclude", arg, &q->exclude) < 0)
			return -1;
		q->have_exclude = true;
		q->filter.exclude = &q->exclude;
		q->exclude_text = arg;
		return 1;
	default:
		return 0;
	}
}

bool cli_query_needs_end(const struct cli_query *q)
{
	return q->from.percent || q->to.percent || q->filter.comm;
}

bool cli_query_narrows(const struct cli_query *q)
{
	return q->from.text || q->to.text || q->filter.pid >= 0 || q->filter.tid >= 0 ||
	       q->filter.comm || q->filter.include || q->filter.exclude;
}

int cli_query_resolve_in(struct cli_query *q, const struct profile *p, uint64_t span,
			 struct ft_error *err)
{
	if (q->event) {
		q->filter.event = profile_find_event(p, q->event);
		if (q->filter.event < 0) {
			error_set(err, "--event: the session has no event '%s'", q->event);
			return CLI_EXIT_ERROR;
		}
	}
	if (q->from.text)
		q->filter.from = cli_time_in(&q->from, span);
	if (q->to.text) {
		q->filter.to = cli_time_in(&q->to, span);
		if (q->filter.to <= q->filter.from) {
			error_set(err, "--to %s is not after --from %s", q->to.text,
				  q->from.text ? q->from.text : "0");
			return CLI_EXIT_USAGE;
		}
	}
	return 0;
}

int cli_query_resolve(struct cli_query *q, const struct profile *p)
{
	struct ft_error err;
	uint64_t span = q->from.percent || q->to.percent ? cli_profile_span(p) : 0;
	int status = cli_query_resolve_in(q, p, span, &err);

	if (status)
		cli_error("%s", err.msg);
	return status;
}
