/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The target options every sampling subcommand shares (CLI_TARGET_LONGOPTS
 * in cli.h is the one list of them; tests/e2e/cli-options.sh checks each
 * --help and the man page against it) and a trailing command. Parsed in
 * one place so `record` and the live view accept exactly the same words;
 * they become the live source's config. Also the one way the command line
 * prints errors and notices.
 */
#include "config.h"

#include "flametop/cli.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* -m: the largest ring, in pages (256 MiB of 4 KiB pages). */
#define MAX_RING_PAGES 65536

int cli_version(void)
{
	printf("flametop %s\n", PACKAGE_VERSION);
	return 0;
}

void cli_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	util_verror_line(fmt, ap);
	va_end(ap);
}

void cli_notice(void *ctx, const char *text)
{
	(void)ctx;
	cli_error("notice: %s", text);
}

void cli_bad_option(const char *subcommand, int opt, char **argv)
{
	const char *word = argv[optind - 1];

	if (opt == ':')
		cli_error("%s: option '%s' needs a value; try 'flametop %s --help'", subcommand, word,
			  subcommand);
	else if (optopt)
		cli_error("%s: unknown option '-%c'; try 'flametop %s --help'", subcommand, optopt,
			  subcommand);
	else
		cli_error("%s: unknown option '%s'; try 'flametop %s --help'", subcommand, word,
			  subcommand);
}

int cli_need_input(const char *subcommand, int argc, char **argv, int optind, const char *input)
{
	const char *arg = optind < argc ? argv[optind] : NULL;

	if (arg && input) {
		cli_error("%s: unexpected argument '%s'", subcommand, arg);
		return -1;
	}
	if (arg) {
		cli_error("%s: unexpected argument '%s'; a session is read with -i: "
			  "'flametop %s -i %s'",
			  subcommand, arg, subcommand, arg);
		return -1;
	}
	if (!input) {
		cli_error("%s needs a session file: -i FILE", subcommand);
		return -1;
	}
	return 0;
}

int cli_check_output(const char *opt, const char *path, bool session)
{
	if (!*path) {
		cli_error("%s: the file name is empty", opt);
		return -1;
	}
	if (session && strcmp(path, "-") == 0) {
		cli_error("%s: a session is written in place as it grows, so it cannot go to "
			  "standard output (-); give a file name",
			  opt);
		return -1;
	}
	return 0;
}

/* -p PID[,PID...]: every item a PID; an empty one ("1,,2", ",1") is refused. */
static int parse_pids(struct cli_target *t, const char *arg)
{
	const char *p = arg;
	struct ft_error err;
	unsigned item;
	uint64_t v;
	char *tok;
	size_t len;
	int ret;

	if (!*arg) {
		cli_error("-p needs at least one process ID");
		return -1;
	}
	for (item = 1;; item++) {
		len = strcspn(p, ",");
		if (!len) {
			cli_error("-p: '%s': item %u is empty", arg, item);
			return -1;
		}
		tok = xstrndup(p, len);
		ret = util_parse_integer(tok, 1, INT_MAX, &v, &err);
		free(tok);
		if (ret < 0) {
			cli_error("-p: %s", err.msg);
			return -1;
		}
		t->pids = xreallocarray(t->pids, t->npids + 1, sizeof(*t->pids));
		t->pids[t->npids++] = (pid_t)v;
		p += len;
		if (!*p)
			return 0;
		p++; /* the comma */
	}
}

/*
 * -e EV[,EV...]: events, each sampled on its own; braces make a group,
 * -e '{cycles,instructions}' (perf's syntax): the first event of a group
 * samples, the others are counted with it and read at each of its samples.
 * -e given again adds to the events, as perf's does: -e a -e b is -e a,b.
 */
static int parse_events(struct cli_target *t, const char *arg)
{
	size_t leader = 0, before = t->nevents;
	bool in_group = false;
	char *p, *tok;

	if (t->nevents_args == SAMPLER_MAX_EVENTS) {
		cli_error("-e: at most %d events at once", SAMPLER_MAX_EVENTS);
		return -1;
	}
	p = t->events_args[t->nevents_args++] = xstrdup(arg);
	while (*p) {
		bool opens = *p == '{', closes = false;

		if (opens) {
			if (in_group) {
				cli_error("-e: '%s': a group inside a group", arg);
				return -1;
			}
			in_group = true;
			leader = t->nevents;
			p++;
		}
		tok = p;
		p += strcspn(p, ",{}");
		if (*p == '{') {
			cli_error("-e: '%s': '{' opens a group only at the start of an event", arg);
			return -1;
		}
		if (*p == '}') {
			if (!in_group) {
				cli_error("-e: '%s': '}' without its '{'", arg);
				return -1;
			}
			closes = true;
			*p++ = '\0';
			if (*p && *p != ',') {
				cli_error("-e: '%s': a group ends with '}' and a comma or the end", arg);
				return -1;
			}
		}
		if (*p == ',')
			*p++ = '\0';
		if (!*tok && !in_group && !opens)
			continue; /* "a,,b": as before groups, an empty name is skipped */
		if (!*tok) {
			cli_error("-e: '%s': an empty event name in a group", arg);
			return -1;
		}
		if (t->nevents == SAMPLER_MAX_EVENTS) {
			cli_error("-e: at most %d events at once", SAMPLER_MAX_EVENTS);
			return -1;
		}
		t->leaders[t->nevents] = in_group ? leader : t->nevents;
		t->events[t->nevents++] = tok;
		if (closes) {
			if (t->nevents - leader < 2) {
				cli_error("-e: '%s': a group needs at least two events", arg);
				return -1;
			}
			in_group = false;
		}
	}
	if (in_group) {
		cli_error("-e: '%s': a group without its '}'", arg);
		return -1;
	}
	if (t->nevents == before) {
		cli_error("-e needs an event name");
		return -1;
	}
	return 0;
}

/* --call-graph fp | dwarf[,SIZE]: SIZE a size (8192, 16K), rounded up to 8. */
static int parse_call_graph(struct cli_target *t, const char *arg)
{
	struct ft_error err;
	uint64_t v;
	int ret;

	if (strcmp(arg, "fp") == 0) {
		t->call_graph = SAMPLER_CALL_GRAPH_FP;
		t->stack_size = 0;
		return 0;
	}
	if (strncmp(arg, "dwarf", 5) != 0 || (arg[5] != '\0' && arg[5] != ',')) {
		cli_error("--call-graph: '%s' is not fp or dwarf[,SIZE]", arg);
		return -1;
	}
	t->call_graph = SAMPLER_CALL_GRAPH_DWARF;
	t->stack_size = 0;
	if (arg[5] == '\0')
		return 0;
	ret = util_parse_size(arg + 6, 8, SAMPLER_MAX_STACK_SIZE, &v, &err);
	/* Not the parser's examples (64M...): sizes that fit here. */
	if (ret == -EINVAL)
		cli_error("--call-graph dwarf,SIZE: '%s' is not a size (4096, 16K, 32K; 8 to %d)",
			  arg + 6, SAMPLER_MAX_STACK_SIZE);
	else if (ret < 0)
		cli_error("--call-graph dwarf,SIZE: %s", err.msg);
	if (ret < 0)
		return -1;
	t->stack_size = ((size_t)v + 7) & ~(size_t)7;
	return 0;
}

/*
 * -m PAGES | SIZE: a bare number is pages, as perf's -m; with a unit
 * (512K, 2M) a size, a whole number of pages. Either way a power of two.
 */
static int parse_ring_pages(struct cli_target *t, const char *arg)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), v;
	struct ft_error err;
	int ret;

	if (arg[strspn(arg, "0123456789")] == '\0')
		ret = util_parse_integer(arg, 1, MAX_RING_PAGES, &v, &err);
	else
		ret = util_parse_size(arg, page, MAX_RING_PAGES * page, &v, &err);
	if (ret < 0) {
		cli_error("-m: %s", err.msg);
		return -1;
	}
	if (arg[strspn(arg, "0123456789")] != '\0') {
		if (v % page) {
			cli_error("-m: '%s' is not a whole number of %" PRIu64 "-byte pages", arg,
				  page);
			return -1;
		}
		v /= page;
	}
	if (v & (v - 1)) {
		cli_error("-m: '%s' is not a power of two pages", arg);
		return -1;
	}
	t->ring_pages = (size_t)v;
	return 0;
}

int cli_target_option(struct cli_target *t, int opt, const char *arg)
{
	struct ft_error err;
	uint64_t v;

	switch (opt) {
	case 'a':
		if (t->npids) {
			cli_error("-a and -p are exclusive");
			return -1;
		}
		t->all = true;
		t->target = SAMPLER_SYSTEM;
		return 1;
	case 'p':
		if (t->all) {
			cli_error("-a and -p are exclusive");
			return -1;
		}
		if (parse_pids(t, arg) < 0)
			return -1;
		t->target = SAMPLER_PIDS;
		return 1;
	case 'e':
		return parse_events(t, arg) < 0 ? -1 : 1;
	case 'F':
		if (util_parse_integer(arg, 1, 1000000, &v, &err) < 0) {
			cli_error("-F: %s", err.msg);
			return -1;
		}
		t->frequency = (unsigned)v;
		return 1;
	case 'c':
		/* The kernel refuses a period with its top bit set. */
		if (util_parse_integer(arg, 1, INT64_MAX, &v, &err) < 0) {
			cli_error("-c: %s", err.msg);
			return -1;
		}
		t->period = v;
		return 1;
	case 'm':
		return parse_ring_pages(t, arg) < 0 ? -1 : 1;
	case 'v':
		t->verbose++;
		return 1;
	case CLI_OPT_CALL_GRAPH:
		return parse_call_graph(t, arg) < 0 ? -1 : 1;
	case CLI_OPT_NO_DEMANGLE:
		t->no_demangle = true;
		return 1;
	case CLI_OPT_NO_INLINE:
		t->no_inline = true;
		return 1;
	case CLI_OPT_ALLOC_SAMPLE:
		if (util_parse_size(arg, 1, 1ull << 40, &v, &err) < 0) {
			cli_error("--alloc-sample: %s", err.msg);
			return -1;
		}
		t->alloc_sample = v;
		return 1;
	default:
		return 0;
	}
}

/* The process (thread group) that thread `tid` belongs to; 0 if unknown. */
static pid_t process_of(pid_t tid)
{
	char path[64], *buf, *line;
	long tgid = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	buf = util_read_file(path, NULL);
	if (!buf)
		return 0;
	line = strstr(buf, "\nTgid:");
	if (line)
		tgid = strtol(line + 6, NULL, 10);
	free(buf);
	return tgid > 0 && tgid <= INT_MAX ? (pid_t)tgid : 0;
}

/*
 * -p TID of a thread that is not its process's first: the process is what
 * is sampled (its every thread, as perf -p does), so it is what the
 * session names, what --pid finds and what must end for the recording to
 * end, not the thread, whose exit used to end it. Each such item becomes
 * its process, with a notice; one named twice is kept once.
 */
static void threads_to_processes(struct cli_target *t)
{
	size_t i, j, n = 0;
	pid_t pid;

	for (i = 0; i < t->npids; i++) {
		pid = process_of(t->pids[i]);
		if (pid && pid != t->pids[i]) {
			char text[160];

			snprintf(text, sizeof(text),
				 "-p %d is a thread of process %d: sampling the whole process",
				 (int)t->pids[i], (int)pid);
			cli_notice(NULL, text);
			t->pids[i] = pid;
		}
		for (j = 0; j < n && t->pids[j] != t->pids[i]; j++)
			;
		if (j == n)
			t->pids[n++] = t->pids[i];
	}
	t->npids = n;
}

int cli_target_finish(struct cli_target *t, int argc, char **argv, int optind)
{
	size_t len = 0;
	int i;

	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	t->command_line = xcalloc(1, len + 1);
	for (i = 0; i < argc; i++) {
		if (i)
			strcat(t->command_line, " ");
		strcat(t->command_line, argv[i]);
	}
	if (optind < argc) {
		if (t->npids || t->all) {
			cli_error("give -a, -p or a command, not several");
			return -1;
		}
		t->target = SAMPLER_COMMAND;
		t->argv = argv + optind;
	} else if (!t->npids) {
		t->target = SAMPLER_SYSTEM;
	}
	if (t->period && t->frequency) {
		cli_error("-c samples every %" PRIu64 " events and -F %u times a second: give one "
			  "of them",
			  t->period, t->frequency);
		return -1;
	}
	threads_to_processes(t);
	if (!t->frequency)
		t->frequency = SAMPLER_DEFAULT_FREQUENCY;
	return 0;
}

void cli_target_free(struct cli_target *t)
{
	free(t->pids);
	while (t->nevents_args)
		free(t->events_args[--t->nevents_args]);
	free(t->command_line);
	memset(t, 0, sizeof(*t));
}

void cli_target_config(const struct cli_target *t, struct source_live_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->target = t->target;
	cfg->pids = t->pids;
	cfg->npids = t->npids;
	cfg->argv = t->argv;
	cfg->events = t->events;
	cfg->nevents = t->nevents;
	cfg->leaders = t->leaders;
	cfg->frequency = t->frequency;
	cfg->period = t->period;
	cfg->ring_pages = t->ring_pages;
	cfg->call_graph = t->call_graph;
	cfg->stack_size = t->stack_size;
	cfg->no_demangle = t->no_demangle;
	cfg->no_inline = t->no_inline;
	cfg->alloc_sample = t->alloc_sample;
	cfg->command_line = t->command_line;
}
