/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The command line: subcommands, and the target options they share (what
 * to sample, which events, how often). Each subcommand's entry point gets
 * argv after the subcommand name and returns the process exit status.
 */
#ifndef FLAMETOP_CLI_H
#define FLAMETOP_CLI_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "flametop/profile.h"
#include "flametop/push.h"
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
	char *events_args[SAMPLER_MAX_EVENTS]; /* each -e's argument, split into `events` */
	size_t nevents_args;
	const char *events[SAMPLER_MAX_EVENTS];
	/* Per event, its group's leader: its own index when in no group. */
	size_t leaders[SAMPLER_MAX_EVENTS];
	size_t nevents;
	unsigned frequency; /* -F; 0 when not given, until cli_target_finish() */
	uint64_t period; /* -c: every this many events; 0: at -F */
	size_t ring_pages; /* -m; 0: the sampler's default */
	int verbose;
	bool all; /* -a given */
	bool no_demangle; /* --no-demangle: keep C++ and Rust names mangled */
	bool no_inline; /* --no-inline: no frames for inlined functions */
	char *command_line; /* for the session metadata */
	/* --call-graph fp|dwarf[,SIZE] */
	enum sampler_call_graph call_graph;
	size_t stack_size; /* dwarf: bytes of user stack per sample; 0: the default */
	uint64_t alloc_sample; /* --alloc-sample BYTES; 0: every allocation */
};

/* getopt_long's value for --call-graph, which has no short form. */
#define CLI_OPT_CALL_GRAPH 0x1002

/* getopt_long's value for --no-demangle, which has no short form. */
#define CLI_OPT_NO_DEMANGLE 0x1001

/* getopt_long's value for --alloc-sample, which has no short form. */
#define CLI_OPT_ALLOC_SAMPLE 0x1003

/* getopt_long's value for --no-inline, which has no short form. */
#define CLI_OPT_NO_INLINE 0x1004

/* getopt_long's entries and letters for the target options, which
 * cli_target_option() handles: one table, shared by every subcommand
 * that samples. */
#define CLI_TARGET_LONGOPTS                                                      \
	{ "all-cpus", no_argument, NULL, 'a' },                                  \
	{ "pid", required_argument, NULL, 'p' },                                 \
	{ "event", required_argument, NULL, 'e' },                               \
	{ "freq", required_argument, NULL, 'F' },                                \
	{ "count", required_argument, NULL, 'c' },                               \
	{ "mmap-pages", required_argument, NULL, 'm' },                          \
	{ "verbose", no_argument, NULL, 'v' },                                   \
	{ "no-demangle", no_argument, NULL, CLI_OPT_NO_DEMANGLE },               \
	{ "no-inline", no_argument, NULL, CLI_OPT_NO_INLINE },                   \
	{ "call-graph", required_argument, NULL, CLI_OPT_CALL_GRAPH },           \
	{ "alloc-sample", required_argument, NULL, CLI_OPT_ALLOC_SAMPLE }
#define CLI_TARGET_SHORTOPTS "ap:e:F:c:m:v"

/*
 * Handles one target option (an entry of CLI_TARGET_LONGOPTS) for
 * getopt_long's `opt` and `arg`. Returns 1 if handled, 0 if `opt` is not
 * a target option, or -1 after printing a usage error.
 */
int cli_target_option(struct cli_target *t, int opt, const char *arg);
/* Takes the command after the options (argv[optind...]), checks that the
 * target is consistent. 0, or -1 after printing a usage error. */
int cli_target_finish(struct cli_target *t, int argc, char **argv, int optind);
void cli_target_free(struct cli_target *t);
/* Fills the live source's config from the target (borrowing from it: valid
 * while `t` is). */
void cli_target_config(const struct cli_target *t, struct source_live_config *cfg);

/*
 * The query options report, export and push share (query.c): a window
 * and filters. Parse each option with cli_query_option(); once the
 * session is read, cli_query_resolve() turns shares and names into the
 * filter. The filter borrows the struct's regexes: don't move it.
 */
struct cli_time {
	const char *text; /* as given; NULL: not given */
	uint64_t ns; /* from the start of the session... */
	double share; /* ... or a percentage of its duration */
	bool percent;
};

struct cli_query {
	struct profile_filter filter;
	const char *event; /* --event as given */
	struct cli_time from, to;
	regex_t include, exclude;
	bool have_include, have_exclude;
	const char *include_text, *exclude_text; /* the patterns as typed */
};

#define CLI_OPT_QUERY_PID 0x1100
#define CLI_OPT_QUERY_TID 0x1101
#define CLI_OPT_QUERY_EVENT 0x1102
#define CLI_OPT_QUERY_FROM 0x1103
#define CLI_OPT_QUERY_TO 0x1104
#define CLI_OPT_QUERY_COMM 0x1105
#define CLI_OPT_QUERY_INCLUDE 0x1106
#define CLI_OPT_QUERY_EXCLUDE 0x1107
/* getopt_long's entries for the query options. */
#define CLI_QUERY_LONGOPTS                                                       \
	{ "pid", required_argument, NULL, CLI_OPT_QUERY_PID },                   \
	{ "tid", required_argument, NULL, CLI_OPT_QUERY_TID },                   \
	{ "event", required_argument, NULL, CLI_OPT_QUERY_EVENT },               \
	{ "from", required_argument, NULL, CLI_OPT_QUERY_FROM },                 \
	{ "to", required_argument, NULL, CLI_OPT_QUERY_TO },                     \
	{ "comm", required_argument, NULL, CLI_OPT_QUERY_COMM },                 \
	{ "include", required_argument, NULL, CLI_OPT_QUERY_INCLUDE },           \
	{ "exclude", required_argument, NULL, CLI_OPT_QUERY_EXCLUDE }
/* The lines of --help that describe them; --event's default as given. */
#define CLI_QUERY_HELP CLI_QUERY_HELP_EVENT("the first)\n")
#define CLI_QUERY_HELP_EVENT(DEFAULT)                                                    \
	"      --pid PID           only samples of this process\n"                          \
	"      --tid TID           only samples of this thread\n"                           \
	"      --event NAME        only samples of this event (default: " DEFAULT            \
	"      --from T, --to T    only samples in [T, T): a time from the start of the\n"  \
	"                          session (1.5, 500ms, 2m) or a share of its duration\n"   \
	"                          (40%%)\n"                                                \
	"      --comm NAME         only threads of this name\n"                             \
	"      --include REGEX     only stacks with a function matching REGEX\n"            \
	"      --exclude REGEX     no stacks with a function matching REGEX\n"

void cli_query_init(struct cli_query *q);
void cli_query_free(struct cli_query *q);
/* 1 if `opt` was a query option (handled), 0 if not one, -1 after a usage error. */
int cli_query_option(struct cli_query *q, int opt, const char *arg);
/* Resolves --event, --from, --to against `p`: 0, or an exit status after
 * printing the error. */
int cli_query_resolve(struct cli_query *q, const struct profile *p);
/* One time argument, like --from's: 0, or -1 after a usage error. */
int cli_parse_time(const char *opt, const char *arg, struct cli_time *t);
/* ns since the session's start for a time argument. */
uint64_t cli_time_ns(const struct cli_time *t, const struct profile *p);
/* The same in a session of `span` ns (what a share is of). */
uint64_t cli_time_in(const struct cli_time *t, uint64_t span);
/* What shares are of: the session's duration, else its last sample's time. */
uint64_t cli_profile_span(const struct profile *p);
/*
 * Whether the query needs what only the end of a session says, for a
 * reader that reads it a piece at a time: its span (--from, --to as
 * shares) or the names its threads end with (--comm).
 */
bool cli_query_needs_end(const struct cli_query *q);
/* Whether the query narrows the session: a window or a filter. */
bool cli_query_narrows(const struct cli_query *q);
/* cli_query_resolve() in a session of `span` ns (cli_profile_span()),
 * quietly: the same status, the message in `err`. */
int cli_query_resolve_in(struct cli_query *q, const struct profile *p, uint64_t span,
			 struct ft_error *err);
/* A whole number in [0, INT_MAX] for `opt`: 0, or -1 after a usage error. */
int cli_parse_id(const char *opt, const char *arg, int64_t *out);
/* --weight's samples (true) or value (false): 0, or -1 after a usage error. */
int cli_parse_weight(const char *arg, bool *samples);
/* --weight's and --annotate-kernel's help lines. */
#define CLI_FOLDED_HELP                                                                            \
	"      --weight value|samples\n"                                                           \
	"                          folded: each stack's number: value (default), its\n"            \
	"                          samples' weights summed in the event's unit (ns,\n"             \
	"                          bytes), or samples, how many (what import reads\n"              \
	"                          back)\n"                                                        \
	"      --annotate-kernel   folded: kernel frames end in _[k] (FlameGraph's\n"              \
	"                          annotation, which import reads back)\n"
/* The folded format's note on its first frame, for the --format entries. */
#define CLI_FOLDED_THREAD_HELP                                                                     \
	"                          folded: a stack's first frame is its thread's name,\n"      \
	"                          which import reads back as a frame\n"

/*
 * A session read a batch of samples at a time (read.c), for report,
 * export and push: each batch handed to the caller's sums, then dropped,
 * so that memory holds the model and the sums, never every sample.
 * cli_read_open(), then cli_read_learn_end() when the query needs the
 * session's end (cli_query_needs_end()), cli_query_resolve_in() with
 * `span`, then cli_read_samples(). Errors are said (cli_error(), after
 * `prefix`) where they happen.
 */
/* Samples read before they are counted and dropped: a chunk or two. */
#define CLI_READ_BATCH 65536

struct session_reader;
struct cli_read_thread;
struct cli_read {
	const char *path;
	const char *prefix; /* before its errors: "" or "--baseline: " */
	struct session_reader *sr;
	struct profile *p; /* the reader's: the model, and the samples of a batch */
	/* A pipe whose end the query needs: read whole at the start, all its
	 * samples held (it cannot be read twice). */
	bool whole;
	/* Set by the caller before cli_read_samples(): read to the end with
	 * every sample held in `p`, handed to no one (what reading the
	 * session whole did). */
	bool hold;
	uint64_t span; /* after cli_read_learn_end(): cli_profile_span() of the session */
	bool peeked; /* span is what the end chunk says, scanned for */
	struct cli_read_thread *threads; /* with --comm: the threads' names at the end */
	uint32_t nthreads;
};

/* A consumer of a batch of samples (borrowed for the call). */
typedef void cli_read_fn(void *ctx, const struct profile_sample *s, size_t n);

/*
 * The file a session argument (-i, --baseline) names: "-" is standard
 * input, opened as /dev/stdin (a pipe is copied to a temporary file, as
 * any pipe given is). Borrowed: `arg`, or a constant.
 */
const char *cli_read_path(const char *arg);
/* Opens the session: its header read, the profile has its events. 0, or -1 said. */
int cli_read_open(struct cli_read *s, const char *path, const char *prefix);
/*
 * Learns what the query needs from the session's end: its span and, for
 * --comm (`threads`), its threads' last names. The span is read ahead
 * from the end chunk when the file has one (session_reader_scan(), which
 * decodes no samples), and the names then from a pass that skips the
 * samples chunks. Else a regular file is read through once without
 * keeping its samples (only the model grows) and opened again for
 * counting; a pipe, which can be read once only, is read whole, its
 * samples held (then it costs what reading it whole always did). 0, or
 * -1 said.
 */
int cli_read_learn_end(struct cli_read *s, bool threads);
/*
 * Reads the rest of the session, a batch at a time: each batch (with the
 * final thread names) handed to `add` (NULL: only read), then dropped.
 * Then the end: the profile's duration and counts, and the notice of a
 * session cut short on `notices`. 0, or -1 said.
 */
int cli_read_samples(struct cli_read *s, cli_read_fn *add, void *ctx, struct ft_notice *notices);
/*
 * The start the commands share: opens `path` (no prefix), learns from
 * its end what the query `q` needs, and resolves the query's times in it.
 * 0: ready for cli_read_samples(). Else the exit status, everything said
 * (a query that cannot be resolved is said after what reading the file
 * says, onto `notices`, as when the file was read first).
 */
int cli_read_start(struct cli_read *s, const char *path, struct cli_query *q,
		   struct ft_notice *notices);
/* Closes the session; `s` may be zeroed and never opened. */
void cli_read_free(struct cli_read *s);

/*
 * The options of pushing to Pyroscope (push.c), shared by `push` (--url)
 * and the samplers, live and record (--push URL): the application, labels,
 * auth, the spool. cli_push_finish() checks them and fills auth left unset
 * from the environment. The options borrow from argv and the struct.
 */
struct cli_push {
	struct push_options o;
	char *basic; /* --basic-auth USER:PASSWORD, split in place */
	uint64_t interval_ns; /* --push-interval: samplers' data per upload; 0: 10 s */
	bool others; /* options besides the URL were given */
};

#define CLI_OPT_PUSH_URL 0x1200 /* --push (samplers) and --url (push) */
#define CLI_OPT_PUSH_APP 0x1201
#define CLI_OPT_PUSH_LABEL 0x1202
#define CLI_OPT_PUSH_PER_PROCESS 0x1203
#define CLI_OPT_PUSH_BASIC 0x1204
#define CLI_OPT_PUSH_TOKEN 0x1205
#define CLI_OPT_PUSH_TENANT 0x1206
#define CLI_OPT_PUSH_SPOOL 0x1207
#define CLI_OPT_PUSH_SPOOL_SIZE 0x1208
#define CLI_OPT_PUSH_INTERVAL 0x1209
/* getopt_long's entries besides the URL's. */
#define CLI_PUSH_LONGOPTS                                                        \
	{ "app", required_argument, NULL, CLI_OPT_PUSH_APP },                    \
	{ "label", required_argument, NULL, CLI_OPT_PUSH_LABEL },                \
	{ "per-process", no_argument, NULL, CLI_OPT_PUSH_PER_PROCESS },          \
	{ "basic-auth", required_argument, NULL, CLI_OPT_PUSH_BASIC },           \
	{ "token", required_argument, NULL, CLI_OPT_PUSH_TOKEN },                \
	{ "tenant", required_argument, NULL, CLI_OPT_PUSH_TENANT },              \
	{ "spool", required_argument, NULL, CLI_OPT_PUSH_SPOOL },                \
	{ "spool-size", required_argument, NULL, CLI_OPT_PUSH_SPOOL_SIZE }
/* The samplers' (live and record): the URL and the interval too. */
#define CLI_PUSH_SAMPLER_LONGOPTS                                                \
	{ "push", required_argument, NULL, CLI_OPT_PUSH_URL },                   \
	{ "push-interval", required_argument, NULL, CLI_OPT_PUSH_INTERVAL },     \
	CLI_PUSH_LONGOPTS
/* The lines of --help that describe them. */
#define CLI_PUSH_HELP                                                                     \
	"      --app NAME          the application's name on the server (default\n"           \
	"                          flametop)\n"                                               \
	"      --label KEY=VALUE   a label of every upload (repeatable); host=HOST is\n"      \
	"                          always there (the session's, or --label host=)\n"      \
	"      --per-process       one upload per process, labelled pid and comm\n"          \
	"      --basic-auth USER:PASSWORD, --token TOKEN, --tenant ID\n"                      \
	"                          HTTP basic auth, a bearer token, X-Scope-OrgID\n"          \
	"                          (default: $PYROSCOPE_BASIC_AUTH_USER and _PASSWORD,\n"     \
	"                          $PYROSCOPE_AUTH_TOKEN, $PYROSCOPE_TENANT_ID)\n"            \
	"      --spool DIR         keep unsent uploads here while the server is away\n"       \
	"                          (sent by the next run; default: a private directory)\n"    \
	"      --spool-size SIZE   at most SIZE of them (default 64M); the oldest go\n"
/* The samplers' lines, before CLI_PUSH_HELP. */
#define CLI_PUSH_SAMPLER_HELP                                                             \
	"      --push URL          send the samples to a Pyroscope server as they come\n"     \
	"                          (its /ingest API, http:// or https://)\n"                  \
	"      --push-interval TIME  the data of one upload (default 10s, at least 1s)\n"

void cli_push_init(struct cli_push *c);
void cli_push_free(struct cli_push *c);
/* 1 if `opt` was a push option (handled), 0 if not one, -1 after a usage error. */
int cli_push_option(struct cli_push *c, int opt, const char *arg);
/* Checks the options once parsed: 0, or -1 after a usage error (options
 * without a URL, a bad URL). Fills auth from the environment. */
int cli_push_finish(struct cli_push *c, const char *url_option);
/* Shows the pusher's new failure, if any, as one line; `said` keeps the
 * count of errors already shown. */
void cli_push_report(struct pusher *ps, uint64_t *said);
int cli_push(int argc, char **argv);

/* -V, --version in any subcommand: prints "flametop VERSION"; returns 0. */
int cli_version(void);
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
/*
 * After the options of a subcommand that reads its session with -i: no
 * word may be left (argv[optind...]; when -i was not given the word is
 * likely the session, so the error says how to give it), and `input`, the
 * -i given, must be there. 0, or -1 after printing a usage error.
 */
int cli_need_input(const char *subcommand, int argc, char **argv, int optind, const char *input);

/*
 * Checks the file name given to an output option `opt` ("-o"): 0, or -1
 * after a usage error. An empty name is refused, and "-" where the file
 * is a session (`session`): a session is written in place as it grows,
 * so it cannot go to standard output.
 */
int cli_check_output(const char *opt, const char *path, bool session);

int cli_record(int argc, char **argv);
int cli_report(int argc, char **argv);
int cli_list_events(int argc, char **argv);
int cli_import(int argc, char **argv);
int cli_export(int argc, char **argv);
/* The live explorer (no subcommand; argv[0] is the program) and `replay`. */
int cli_live(int argc, char **argv);
int cli_replay(int argc, char **argv);

#endif
