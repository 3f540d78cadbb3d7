/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The target options every sampling subcommand shares: -a, -p, -e, -F, -m, -v,
 * --no-demangle and a trailing command. Parsed in one place so `record` and the live
 * view accept exactly the same words.
 */
#include "config.h"

#include "flametop/cli.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "flametop/profile.h"

static void vreport(const char *fmt, va_list ap)
{
	char raw[1024], clean[UTIL_SANITIZE_SIZE(sizeof(raw))];

	vsnprintf(raw, sizeof(raw), fmt, ap);
	fprintf(stderr, "flametop: %s\n", util_sanitize(raw, clean, sizeof(clean)));
}

void cli_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(fmt, ap);
	va_end(ap);
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

int cli_exit_status(int wait_status)
{
	if (WIFEXITED(wait_status))
		return WEXITSTATUS(wait_status);
	if (WIFSIGNALED(wait_status))
		return 128 + WTERMSIG(wait_status);
	return CLI_EXIT_ERROR;
}

int cli_exec_status(int err)
{
	return err == -ENOENT ? CLI_EXIT_NOT_FOUND : err == -EACCES ? CLI_EXIT_CANNOT_EXEC : CLI_EXIT_ERROR;
}

static int parse_pids(struct cli_target *t, const char *arg)
{
	char *copy = xstrdup(arg), *save = NULL, *tok;

	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *end;
		long v;

		errno = 0;
		v = strtol(tok, &end, 10);
		if (errno || *end || end == tok || v <= 0 || v > INT_MAX) {
			cli_error("-p: '%s' is not a process ID", tok);
			free(copy);
			return -1;
		}
		t->pids = xreallocarray(t->pids, t->npids + 1, sizeof(*t->pids));
		t->pids[t->npids++] = (pid_t)v;
	}
	free(copy);
	if (!t->npids) {
		cli_error("-p needs at least one process ID");
		return -1;
	}
	return 0;
}

static int parse_events(struct cli_target *t, const char *arg)
{
	char *save = NULL, *tok;

	free(t->events_arg);
	t->events_arg = xstrdup(arg);
	t->nevents = 0;
	for (tok = strtok_r(t->events_arg, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (t->nevents == SAMPLER_MAX_EVENTS) {
			cli_error("-e: at most %d events at once", SAMPLER_MAX_EVENTS);
			return -1;
		}
		t->events[t->nevents++] = tok;
	}
	if (!t->nevents) {
		cli_error("-e needs an event name");
		return -1;
	}
	return 0;
}

/* --call-graph fp | dwarf[,SIZE]: SIZE in bytes, rounded up to 8. */
static int parse_call_graph(struct cli_target *t, const char *arg)
{
	const char *size;
	char *end;
	long v;

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
	size = arg + 6;
	errno = 0;
	v = strtol(size, &end, 10);
	if (errno || *end || end == size || v < 8 || v > SAMPLER_MAX_STACK_SIZE) {
		cli_error("--call-graph dwarf,SIZE: '%s' is not a stack size in bytes (8 to %d)", size,
			  SAMPLER_MAX_STACK_SIZE);
		return -1;
	}
	t->stack_size = ((size_t)v + 7) & ~(size_t)7;
	return 0;
}

int cli_target_option(struct cli_target *t, int opt, const char *arg)
{
	char *end;
	long v;

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
		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno || *end || end == arg || v < 1 || v > 1000000) {
			cli_error("-F: '%s' is not a frequency in Hz (1 to 1000000)", arg);
			return -1;
		}
		t->frequency = (unsigned)v;
		return 1;
	case 'm':
		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno || *end || end == arg || v < 1 || v > 65536 || (v & (v - 1))) {
			cli_error("-m: '%s' is not a power of two from 1 to 65536 pages", arg);
			return -1;
		}
		t->ring_pages = (size_t)v;
		return 1;
	case 'v':
		t->verbose++;
		return 1;
	case CLI_OPT_CALL_GRAPH:
		return parse_call_graph(t, arg) < 0 ? -1 : 1;
	case CLI_OPT_NO_DEMANGLE:
		t->no_demangle = true;
		return 1;
	default:
		return 0;
	}
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
	if (!t->frequency)
		t->frequency = SAMPLER_DEFAULT_FREQUENCY;
	return 0;
}

void cli_target_free(struct cli_target *t)
{
	free(t->pids);
	free(t->events_arg);
	free(t->command_line);
	memset(t, 0, sizeof(*t));
}

void cli_target_config(const struct cli_target *t, struct sampler_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->target = t->target;
	cfg->pids = t->pids;
	cfg->npids = t->npids;
	cfg->argv = t->argv;
	cfg->events = t->events;
	cfg->nevents = t->nevents;
	cfg->frequency = t->frequency;
	cfg->ring_pages = t->ring_pages;
	cfg->call_graph = t->call_graph;
	cfg->stack_size = t->stack_size;
}

char *cli_target_describe(const struct cli_target *t)
{
	char *s, *next;
	size_t i;

	switch (t->target) {
	case SAMPLER_SYSTEM:
		return xstrdup("system-wide");
	case SAMPLER_PIDS:
		s = xasprintf("pid %d", (int)t->pids[0]);
		for (i = 1; i < t->npids; i++) {
			next = xasprintf("%s,%d", s, (int)t->pids[i]);
			free(s);
			s = next;
		}
		return s;
	case SAMPLER_COMMAND:
		s = xasprintf("command: %s", t->argv[0]);
		for (i = 1; t->argv[i]; i++) {
			next = xasprintf("%s %s", s, t->argv[i]);
			free(s);
			s = next;
		}
		return s;
	}
	return xstrdup("?");
}

void cli_target_fill_meta(struct profile *p, const struct cli_target *t, const struct sampler *s)
{
	struct utsname u;
	char host[256] = "", *target;
	size_t i;

	if (gethostname(host, sizeof(host) - 1) < 0)
		host[0] = '\0';
	profile_meta_set(&p->meta.host, host);
	if (uname(&u) == 0) {
		char *kernel = xasprintf("%s %s %s", u.sysname, u.release, u.machine);

		profile_meta_set(&p->meta.kernel, kernel);
		free(kernel);
	}
	profile_meta_set(&p->meta.flametop_version, PACKAGE_VERSION);
	profile_meta_set(&p->meta.command_line, t->command_line);
	target = cli_target_describe(t);
	profile_meta_set(&p->meta.target, target);
	free(target);
	profile_meta_set(&p->meta.call_graph,
			 t->call_graph == SAMPLER_CALL_GRAPH_DWARF ? "dwarf" : "fp");
	p->meta.frequency = t->frequency;
	for (i = 0; i < sampler_nevents(s); i++)
		profile_add_event(p, sampler_event_name(s, i), sampler_event_unit(s, i));
}
