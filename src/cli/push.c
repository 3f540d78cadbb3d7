/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `flametop push`: a session's samples (in report's window and filters)
 * sent to a Pyroscope server as one pprof upload, tried a few times while
 * the server is away, refused at once when it says the request is wrong.
 * The session is read a batch of samples at a time (cli_read), each batch
 * summed into an export tally per event and dropped: memory holds the
 * model and the sums, not every sample. Also the push options the samplers share (--push URL on the live view
 * and record), and how the command line shows a pusher's failures.
 */
#include "config.h"

#include "flametop/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flametop/export.h"
#include "flametop/push.h"
#include "flametop/session.h"

/* The tallies of a push: one per event pushed. */
struct push_tallies {
	struct export_tally **t;
	int n;
};

static void add(void *ctx, const struct profile_sample *s, size_t n)
{
	struct push_tallies *pt = ctx;
	int i;

	for (i = 0; i < pt->n; i++)
		export_tally_add(pt->t[i], s, n);
}

/* How long `push` keeps trying: tries, and at most this long in all. */
#define PUSH_TRIES 4
#define PUSH_WAIT_NS (120ull * 1000000000ull)

void cli_push_init(struct cli_push *c)
{
	memset(c, 0, sizeof(*c));
}

void cli_push_free(struct cli_push *c)
{
	free(c->basic);
	c->basic = NULL;
}

int cli_push_option(struct cli_push *c, int opt, const char *arg)
{
	struct ft_error err;
	uint64_t v;
	char *colon;

	switch (opt) {
	case CLI_OPT_PUSH_URL:
		c->o.url = arg;
		return 1;
	case CLI_OPT_PUSH_APP:
		if (!*arg || strpbrk(arg, "{}=,\" ") || strlen(arg) > 256) {
			cli_error("--app: '%s' is not a name Pyroscope takes (no spaces or {}=,\")", arg);
			return -1;
		}
		c->o.app = arg;
		break;
	case CLI_OPT_PUSH_LABEL:
		if (push_check_label(arg, &err) < 0) {
			cli_error("--label: %s", err.msg);
			return -1;
		}
		if (c->o.nlabels == PUSH_MAX_LABELS) {
			cli_error("--label: at most %d labels", PUSH_MAX_LABELS);
			return -1;
		}
		c->o.labels[c->o.nlabels++] = arg;
		break;
	case CLI_OPT_PUSH_PER_PROCESS:
		c->o.per_process = true;
		break;
	case CLI_OPT_PUSH_BASIC:
		free(c->basic);
		c->basic = xstrdup(arg);
		colon = strchr(c->basic, ':');
		if (!colon || colon == c->basic) {
			cli_error("--basic-auth: give USER:PASSWORD");
			return -1;
		}
		*colon = '\0';
		c->o.user = c->basic;
		c->o.password = colon + 1;
		break;
	case CLI_OPT_PUSH_TOKEN:
		c->o.token = arg;
		break;
	case CLI_OPT_PUSH_TENANT:
		c->o.tenant = arg;
		break;
	case CLI_OPT_PUSH_SPOOL:
		c->o.spool_dir = arg;
		break;
	case CLI_OPT_PUSH_INTERVAL:
		if (util_parse_duration(arg, 1000000000u, 3600ull * 1000000000u, &c->interval_ns,
					&err) < 0) {
			cli_error("--push-interval: %s", err.msg);
			return -1;
		}
		break;
	case CLI_OPT_PUSH_SPOOL_SIZE:
		if (util_parse_size(arg, 1 << 20, (uint64_t)1 << 40, &v, &err) < 0) {
			cli_error("--spool-size: %s", err.msg);
			return -1;
		}
		c->o.spool_max = v;
		break;
	default:
		return 0;
	}
	c->others = true;
	return 1;
}

int cli_push_finish(struct cli_push *c, const char *url_option)
{
	struct ft_error err;
	size_t i;

	if (!c->o.url) {
		if (c->others) {
			cli_error("--app, --label and the other push options go with %s URL",
				  url_option);
			return -1;
		}
		return 0;
	}
	if (push_check_url(c->o.url, &err) < 0) {
		cli_error("%s: %s", url_option, err.msg);
		return -1;
	}
	for (i = 0; c->o.per_process && i < c->o.nlabels; i++)
		if (strncmp(c->o.labels[i], "pid=", 4) == 0 ||
		    strncmp(c->o.labels[i], "comm=", 5) == 0) {
			cli_error("--label %s: --per-process sets each upload's pid and comm",
				  c->o.labels[i]);
			return -1;
		}
	push_options_from_env(&c->o);
	return 0;
}

void cli_push_report(struct pusher *ps, uint64_t *said)
{
	struct push_status st;

	pusher_status(ps, &st);
	if (st.errors > *said && st.last_error[0])
		cli_error("%s", st.last_error);
	*said = st.errors;
}

static void usage(FILE *out)
{
	fprintf(out, "Usage: flametop push -i FILE --url URL [options]\n"
		     "\n"
		     "Sends a session's samples to a Pyroscope server (its /ingest API) as\n"
		     "pprof uploads, one per event (only --event's with it), in the window\n"
		     "and with the filters report takes.\n"
		     "\n"
		     "Options:\n"
		     "  -i, --input FILE        the session to read (-: standard input)\n"
		     "      --url URL           the server, http:// or https://\n" CLI_PUSH_HELP
			     CLI_QUERY_HELP "  -h, --help              show this help\n"
					    "  -V, --version           show the version\n");
}

int cli_push(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "url", required_argument, NULL, CLI_OPT_PUSH_URL },
		CLI_PUSH_LONGOPTS,
		CLI_QUERY_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct ft_error err = { { 0 }, 0, 0 };
	struct ft_notice notices;
	struct push_tallies tallies = { NULL, 0 };
	struct cli_read s = { 0 };
	struct export_input **in = NULL;
	struct profile_filter f;
	struct pusher *ps = NULL;
	size_t nsamples = 0;
	int e, first, last, nin = 0;
	struct push_status st;
	const struct profile *p;
	const char *input = NULL;
	struct cli_query q;
	struct cli_push c;
	int opt, r, status = CLI_EXIT_USAGE;

	notice_init(&notices, cli_notice, NULL);
	cli_query_init(&q);
	cli_push_init(&c);
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":i:hV", longopts, NULL)) != -1) {
		r = cli_query_option(&q, opt, optarg);
		if (r == 0)
			r = cli_push_option(&c, opt, optarg);
		if (r < 0)
			goto out;
		if (r > 0)
			continue;
		switch (opt) {
		case 'i':
			input = cli_read_path(optarg);
			break;
		case 'V':
			status = cli_version();
			goto out;
		case 'h':
			usage(stdout);
			status = 0;
			goto out;
		default:
			cli_bad_option("push", opt, argv);
			goto out;
		}
	}
	if (cli_need_input("push", argc, argv, optind, input) < 0)
		goto out;
	if (!c.o.url) {
		cli_error("push needs the server: --url URL");
		goto out;
	}
	if (cli_push_finish(&c, "--url") < 0)
		goto out;
	status = cli_read_start(&s, input, &q, &notices);
	if (status)
		goto out;
	status = CLI_EXIT_ERROR;
	p = s.p;
	nin = q.event || !p->nevents ? 1 : (int)p->nevents;
	in = xcalloc((size_t)nin, sizeof(*in));
	tallies.t = xcalloc((size_t)nin, sizeof(*tallies.t));
	tallies.n = nin;
	/* Without --event, every event is pushed: an upload for each, as
	 * Pyroscope keeps one profile type per upload. */
	first = q.event || !p->nevents ? q.filter.event : 0;
	last = q.event || !p->nevents ? q.filter.event : (int)p->nevents - 1;
	for (e = first; e <= last; e++) {
		f = q.filter;
		f.event = e;
		tallies.t[e - first] = export_tally_new(
			p, &f, EXPORT_TALLY_GROUPS | (c.o.per_process ? EXPORT_TALLY_PER_PID : 0));
	}
	if (cli_read_samples(&s, add, &tallies, &notices) < 0)
		goto out;
	for (e = first; e <= last; e++) {
		nsamples += export_tally_count(tallies.t[e - first]);
		in[e - first] = export_tally_input(tallies.t[e - first], NULL);
	}
	if (!nsamples) {
		cli_error("%s: no samples to push%s", input,
			  cli_query_narrows(&q) ? " in this window and with these filters" : "");
		goto out;
	}
	c.o.max_tries = PUSH_TRIES;
	ps = pusher_new(&c.o, &err);
	if (!ps) {
		cli_error("%s", err.msg);
		goto out;
	}
	for (e = first; e <= last; e++) {
		if (!in[e - first]->nsamples)
			continue;
		if (pusher_submit(ps, in[e - first], p->meta.frequency, &err) < 0) {
			cli_error("%s", err.msg);
			pusher_close(ps, 0, NULL);
			ft_private_done();
			goto out;
		}
	}
	pusher_close(ps, PUSH_WAIT_NS, &st);
	ft_private_done(); /* the spool's private directory */
	if (st.sent && !st.rejected && !st.dropped && !st.pending) {
		status = 0;
		goto out;
	}
	if (st.last_error[0])
		cli_error("%s%s", st.last_error,
			  st.rejected || st.errors < 2 ? "" : "; gave up after retrying");
	else
		cli_error("push to %s: not sent", c.o.url);
out:
	for (e = 0; in && e < nin; e++)
		export_input_free(in[e]);
	free(in);
	for (e = 0; e < tallies.n; e++)
		export_tally_free(tallies.t[e]);
	free(tallies.t);
	cli_read_free(&s);
	cli_push_free(&c);
	cli_query_free(&q);
	notice_free(&notices);
	return status;
}
