/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The command line: subcommands, and the target options they share (what
 * to sample, which events, how often). Each subcommand's entry point gets
 * argv after the subcommand name and returns the process exit status.
 */
#ifndef FLAMETOP_CLI_H
#define FLAMETOP_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "flametop/sampler.h"
#include "flametop/source.h"
#include "flametop/util.h"

/* Exit statuses shared by every subcommand (util.h has them for the layers
 * below, the explorer's ui_run() among them). */
#define CLI_EXIT_ERROR FT_EXIT_ERROR
#define CLI_EXIT_USAGE FT_EXIT_USAGE
#define CLI_EXIT_CANNOT_EXEC FT_EXIT_CANNOT_EXEC
#define CLI_EXIT_NOT_FOUND FT_EXIT_NOT_FOUND

struct cli_target {
	enum sampler_target target;
	pid_t *pids;
	size_t npids;
	char **argv; /* borrowed from main's argv */
	char *events_arg; /* the -e argument, split into `events` */
	const char *events[SAMPLER_MAX_EVENTS];
	size_t nevents;
	unsigned frequency;
	size_t ring_pages; /* -m; 0: the sampler's default */
	int verbose;
	bool all; /* -a given */
	bool no_demangle; /* --no-demangle: keep C++ and Rust names mangled */
	char *command_line; /* for the session metadata */
	/* --call-graph fp|dwarf[,SIZE] */
	enum sampler_call_graph call_graph;
	size_t stack_size; /* dwarf: bytes of user stack per sample; 0: the default */
};

/* getopt_long's value for --call-graph, which has no short form. */
#define CLI_OPT_CALL_GRAPH 0x1002

/* getopt_long's value for --no-demangle, which has no short form. */
#define CLI_OPT_NO_DEMANGLE 0x1001

/* getopt_long's entries and letters for the target options, which
 * cli_target_option() handles: one table, shared by every subcommand
 * that samples. */
#define CLI_TARGET_LONGOPTS                                                      \
	{ "all-cpus", no_argument, NULL, 'a' },                                  \
	{ "pid", required_argument, NULL, 'p' },                                 \
	{ "event", required_argument, NULL, 'e' },                               \
	{ "freq", required_argument, NULL, 'F' },                                \
	{ "mmap-pages", required_argument, NULL, 'm' },                          \
	{ "verbose", no_argument, NULL, 'v' },                                   \
	{ "no-demangle", no_argument, NULL, CLI_OPT_NO_DEMANGLE },               \
	{ "call-graph", required_argument, NULL, CLI_OPT_CALL_GRAPH }
#define CLI_TARGET_SHORTOPTS "ap:e:F:m:v"

/*
 * Handles one target option (-a, -p, -e, -F, -m, -v, --no-demangle,
 * --call-graph) for
 * getopt_long's `opt` and `arg`. Returns 1 if handled, 0 if `opt` is not a target option, or
 * -1 after printing a usage error.
 */
int cli_target_option(struct cli_target *t, int opt, const char *arg);
/* Takes the command after the options (argv[optind...]), checks that the
 * target is consistent. 0, or -1 after printing a usage error. */
int cli_target_finish(struct cli_target *t, int argc, char **argv, int optind);
void cli_target_free(struct cli_target *t);
/* Fills the live source's config from the target (borrowing from it: valid
 * while `t` is). */
void cli_target_config(const struct cli_target *t, struct source_live_config *cfg);

/* Prints one line "flametop: MESSAGE" to stderr, sanitized. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * The command line's notice sink (see struct ft_notice): prints `text` as
 * "flametop: notice: TEXT" on stderr, sanitized. The one place the prefix
 * is added. `ctx` is unused.
 */
void cli_notice(void *ctx, const char *text);
/*
 * Reports the option getopt_long just refused, as one line pointing at the
 * subcommand's --help. Parse with opterr = 0 and an optstring starting
 * with ':' (after any '+'); `opt` is what getopt_long returned ('?' or ':').
 */
void cli_bad_option(const char *subcommand, int opt, char **argv);

int cli_record(int argc, char **argv);
int cli_report(int argc, char **argv);
int cli_list_events(int argc, char **argv);
int cli_import(int argc, char **argv);
/* The live explorer (no subcommand; argv[0] is the program) and `replay`. */
int cli_live(int argc, char **argv);
int cli_replay(int argc, char **argv);

#endif
