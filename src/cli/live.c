/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The explorer's entry points: `flametop [target options]` (live, the
 * default when no subcommand is given), `flametop -i FILE` and
 * `flametop replay FILE` (a session in the same UI). Options are parsed
 * here; everything after is ui_run()'s.
 */
#include "config.h"

#include "flametop/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flametop/ui.h"

#define OPT_THEME 0x2001
#define OPT_NO_MOUSE 0x2002
#define OPT_SPEED 0x2003
#define OPT_MAX_MEMORY 0x2004
#define OPT_RESOLUTION 0x2005
#define OPT_RETENTION 0x2006
#define OPT_VIEW 0x2007
#define OPT_FOCUS 0x2008
#define OPT_BASELINE 0x2009

/* The smallest timeline: --max-memory, and the finest bucket. */
#define MIN_MAX_MEMORY ((uint64_t)1 << 20)
#define MIN_BUCKET_NS 1000000ull

/* The timeline options, shared by the live and replay entry points. */
#define TIMELINE_LONGOPTS                                                   \
	{ "max-memory", required_argument, NULL, OPT_MAX_MEMORY },          \
	{ "resolution", required_argument, NULL, OPT_RESOLUTION },          \
	{ "retention", required_argument, NULL, OPT_RETENTION }
/* The view options, shared by the live and replay entry points. */
#define VIEW_LONGOPTS                                                       \
	{ "view", required_argument, NULL, OPT_VIEW },                      \
	{ "focus", required_argument, NULL, OPT_FOCUS },                    \
	{ "baseline", required_argument, NULL, OPT_BASELINE }
#define VIEW_HELP                                                                       \
	"      --view NAME         the view to open in (Tab cycles them; '?' lists\n"   \
	"                          their keys):\n%s"                                      \
	"      --focus REGEX       select the first function matching, hottest first\n" \
	"      --baseline FILE     the session the diff views (d, D) compare with\n"   \
	"                          (default: a window marked with m)\n"
/* The screen's options, shared by the live and replay entry points. */
#define SCREEN_HELP                                                                     \
	"      --theme NAME|FILE   colours: default, light, mono, high-contrast,\n"         \
	"                          colorblind (diff views in orange and blue), or a\n"      \
	"                          .json file (see doc/themes.md)\n"                        \
	"      --no-mouse          leave the mouse to the terminal\n"
#define TIMELINE_HELP                                                                              \
	"      --max-memory SIZE   memory for what is kept of the samples, for the\n"              \
	"                          timeline, the heatmap and the lines view (default\n"            \
	"                          64M, at least 1M; 512M, 1.5G); older data is kept\n"            \
	"                          coarser to stay under it. Live, the call tree and\n"          \
	"                          names grow to 2.5 times it (at least 20M), then\n"            \
	"                          new stacks are counted under [other], new threads\n"         \
	"                          under [other threads]; symbol and unwind tables\n"           \
	"                          past it that went unused for a second are freed,\n"          \
	"                          and read again when needed\n"                                 \
	"      --resolution TIME   the finest time buckets (default 1s; 500ms, 2m)\n"              \
	"      --retention TIME    forget data older than this (default 24h; 15m, 2h)\n"

/* The views' names for --help, on lines of at most 78 columns under the
 * option's text. */
static void help_views(char *out, size_t size)
{
	char list[256], *name, *save = NULL;
	size_t len = 0, col = 0;

	ui_views_list(list, sizeof(list));
	out[0] = '\0';
	for (name = strtok_r(list, ", ", &save); name && len < size;
	     name = strtok_r(NULL, ", ", &save)) {
		if (col && col + 2 + strlen(name) > 78) {
			len += (size_t)snprintf(out + len, size - len, ",\n");
			col = 0;
		}
		if (len < size)
			len += (size_t)snprintf(out + len, size - len, "%s%s", col ? ", " : "                          ",
						name);
		col = col ? col + 2 + strlen(name) : 26 + strlen(name);
	}
	if (len < size)
		snprintf(out + len, size - len, "\n");
}

static void usage_live(FILE *out)
{
	char views[512];

	help_views(views, sizeof(views));
	fprintf(out,
		"Usage: flametop [-a | -p PID[,PID...] | -- COMMAND [ARGS...]] [options]\n"
		"       flametop -i FILE [--speed X] [options]\n"
		"\n"
		"The live explorer: flame graphs, a top-list, a sandwich, source lines and\n"
		"a timeline of what the target runs, updated as it runs. '?' in it lists\n"
		"the keys; q quits.\n"
		"\n"
		"Target (default: -a):\n"
		"  -a, --all-cpus          the whole system, every CPU\n"
		"  -p, --pid PID[,PID...]  every thread of these processes, new threads too\n"
		"  -- COMMAND [ARGS...]    run COMMAND and sample it (its output goes to a\n"
		"                          file the status line names)\n"
		"  -i, --input FILE        a session file instead (as 'flametop replay FILE')\n"
		"\n"
		"Options:\n"
		"  -e, --event EV[,EV...]  events to sample, added to by each -e (default: cpu:\n"
		"                          cycles, or without a hardware PMU cpu-clock for -a\n"
		"                          and task-clock otherwise), or profile types: wall,\n"
		"                          offcpu, lock, lock-waits, alloc, alloc-objects,\n"
		"                          inuse, faults, exceptions;\n"
		"                          'e' switches between them; '{EV,EV...}' is one\n"
		"                          group (ratios such as IPC; 'C' colours by them)\n"
		"      --alloc-sample BYTES  alloc, alloc-objects: one per BYTES allocated\n"
		"  -F, --freq HZ           samples per second (default: %d)\n"
		"  -c, --count N           instead, a sample every N events (N ns for a clock)\n"
		"  -m, --mmap-pages PAGES|SIZE  ring buffer per CPU, a power of two pages\n"
		"      --call-graph fp|dwarf[,SIZE]  how user stacks are unwound (default: fp)\n"
		"      --no-demangle       keep C++ and Rust names mangled\n"
		"      --no-inline         no frames for inlined functions (from DWARF)\n"
		"      --speed X           with -i: play X times real time (default: all at once)\n"
		SCREEN_HELP
		VIEW_HELP
		TIMELINE_HELP
		CLI_PUSH_SAMPLER_HELP
		CLI_PUSH_HELP
		"  -v, --verbose           say more\n"
		"  -h, --help              show this help\n"
		"  -V, --version           show the version\n"
		"\n"
		"Settings persist in $XDG_CONFIG_HOME/flametop/config\n(~/.config/flametop/config without it).\n",
		SAMPLER_DEFAULT_FREQUENCY, views);
}

static void usage_replay(FILE *out)
{
	char views[512];

	help_views(views, sizeof(views));
	fprintf(out, "Usage: flametop replay FILE [--speed X] [--theme NAME|FILE] [--no-mouse]\n"
		     "                            [--view NAME] [--focus REGEX] [--baseline FILE]\n"
		     "                            [--max-memory SIZE] [--resolution TIME]\n"
		     "                            [--retention TIME]\n"
		     "\n"
		     "Opens a session file in the live explorer. Without --speed the whole\n"
		     "session is shown at once; with --speed X it plays X times real time\n"
		     "(1 = as it was recorded) and Space pauses it. The file is read as it\n"
		     "plays, never held whole.\n"
		     "\n"
		     "Options:\n"
		     "      --speed X           play X times real time (default: all at once)\n"
		     SCREEN_HELP VIEW_HELP TIMELINE_HELP
		     "  -h, --help              show this help\n"
		     "  -V, --version           show the version\n",
		views);
}

/* Whether `path` is "-", standard input, where the explorer reads its keys:
 * then said, as `what`'s error. */
static bool refuse_stdin(const char *what, const char *path)
{
	if (strcmp(path, "-") != 0)
		return false;
	cli_error("%s: the explorer reads its keys from standard input; give the session as a "
		  "file (a pipe as <(command))",
		  what);
	return true;
}

/*
 * Handles a view option into `o`. Returns 1 if handled, 0 if `opt` is not
 * one, -1 after printing a usage error. (--focus's pattern is compiled,
 * and a bad one said, by ui_run(), before the terminal is touched.)
 */
static int view_option(struct ui_options *o, int opt, const char *arg)
{
	char views[256];

	switch (opt) {
	case OPT_VIEW:
		if (ui_views_find(arg) < 0) {
			ui_views_list(views, sizeof(views));
			cli_error("--view: no view '%s' (the views: %s)", arg, views);
			return -1;
		}
		o->view = arg;
		return 1;
	case OPT_FOCUS:
		o->focus = arg;
		return 1;
	case OPT_BASELINE:
		if (refuse_stdin("--baseline", arg))
			return -1;
		o->baseline = arg;
		return 1;
	}
	return 0;
}

/*
 * Handles a timeline option into `o`. Returns 1 if handled, 0 if `opt` is
 * not one, -1 after printing a usage error.
 */
static int timeline_option(struct ui_options *o, int opt, const char *arg)
{
	struct ft_error err;
	uint64_t v;

	switch (opt) {
	case OPT_MAX_MEMORY:
		if (util_parse_size(arg, MIN_MAX_MEMORY, SIZE_MAX, &v, &err) < 0) {
			cli_error("--max-memory: %s", err.msg);
			return -1;
		}
		o->max_memory = (size_t)v;
		return 1;
	case OPT_RESOLUTION:
	case OPT_RETENTION:
		if (util_parse_duration(arg, MIN_BUCKET_NS, UINT64_MAX, &v, &err) < 0) {
			cli_error("%s: %s", opt == OPT_RESOLUTION ? "--resolution" : "--retention",
				  err.msg);
			return -1;
		}
		if (opt == OPT_RESOLUTION)
			o->resolution_ns = v;
		else
			o->retention_ns = v;
		return 1;
	}
	return 0;
}

/* Retention shorter than a bucket would keep nothing. */
static int check_timeline(const struct ui_options *o)
{
	if (o->retention_ns && o->retention_ns < (o->resolution_ns ? o->resolution_ns : 1000000000u)) {
		cli_error("--retention must be at least the resolution");
		return -1;
	}
	return 0;
}

/* A session that cannot be opened is the first thing to say, before any
 * complaint about the terminal. 0, or the exit status after saying why. */
static int check_session(const char *path)
{
	if (refuse_stdin(path, path))
		return CLI_EXIT_USAGE;
	if (access(path, R_OK) < 0) {
		cli_error("%s: %s", path, strerror(errno));
		return CLI_EXIT_ERROR;
	}
	return 0;
}

static int parse_speed(const char *arg, double *speed)
{
	struct ft_error err;

	if (util_parse_number(arg, 0, 1e6, speed, &err) < 0) {
		cli_error("--speed: %s", err.msg);
		return -1;
	}
	return 0;
}

int cli_live(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_TARGET_LONGOPTS,
		{ "input", required_argument, NULL, 'i' },
		{ "speed", required_argument, NULL, OPT_SPEED },
		{ "theme", required_argument, NULL, OPT_THEME },
		{ "no-mouse", no_argument, NULL, OPT_NO_MOUSE },
		VIEW_LONGOPTS,
		TIMELINE_LONGOPTS,
		CLI_PUSH_SAMPLER_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_push push;
	struct cli_target t;
	struct source_live_config cfg;
	struct ui_options o;
	bool speed_given = false;
	int opt, ret, status = CLI_EXIT_USAGE;

	memset(&t, 0, sizeof(t));
	memset(&o, 0, sizeof(o));
	cli_push_init(&push);
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:" CLI_TARGET_SHORTOPTS "i:hV", longopts, NULL)) != -1) {
		ret = cli_target_option(&t, opt, optarg);
		if (ret == 0)
			ret = timeline_option(&o, opt, optarg);
		if (ret == 0)
			ret = cli_push_option(&push, opt, optarg);
		if (ret == 0)
			ret = view_option(&o, opt, optarg);
		if (ret < 0)
			goto out;
		if (ret > 0)
			continue;
		switch (opt) {
		case 'i':
			o.replay = optarg;
			break;
		case OPT_SPEED:
			if (parse_speed(optarg, &o.speed) < 0)
				goto out;
			speed_given = true;
			break;
		case OPT_THEME:
			o.theme = optarg;
			break;
		case OPT_NO_MOUSE:
			o.no_mouse = true;
			break;
		case 'V':
			status = cli_version();
			goto out;
		case 'h':
			usage_live(stdout);
			status = 0;
			goto out;
		default:
			if (opt == ':')
				cli_error("option '%s' needs a value; try 'flametop --help'",
					  argv[optind - 1]);
			else if (optopt)
				cli_error("unknown option '-%c'; try 'flametop --help'", optopt);
			else
				cli_error("unknown option '%s'; try 'flametop --help'", argv[optind - 1]);
			goto out;
		}
	}
	if (cli_push_finish(&push, "--push") < 0)
		goto out;
	if (push.o.url) {
		o.push = &push.o;
		o.push_interval_ns = push.interval_ns;
	}
	if (o.replay) {
		if (t.npids || t.all || t.nevents || t.frequency || t.period || optind < argc) {
			cli_error("-i opens a session; it takes no target options or command");
			goto out;
		}
		if (push.o.url || push.others) {
			cli_error("--push sends what the live view samples; 'flametop push -i FILE' "
				  "sends a session");
			goto out;
		}
	} else {
		if (speed_given) {
			cli_error("--speed is for a session (-i FILE or 'flametop replay FILE')");
			goto out;
		}
		if (cli_target_finish(&t, argc, argv, optind) < 0)
			goto out;
	}
	if (check_timeline(&o) < 0)
		goto out;
	if (o.replay) {
		status = check_session(o.replay);
		if (status)
			goto out;
	}
	cli_target_config(&t, &cfg);
	o.target = &cfg;
	o.verbose = t.verbose > 0;
	status = ui_run(&o);
out:
	cli_push_free(&push);
	cli_target_free(&t);
	return status;
}

int cli_replay(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "speed", required_argument, NULL, OPT_SPEED },
		{ "theme", required_argument, NULL, OPT_THEME },
		{ "no-mouse", no_argument, NULL, OPT_NO_MOUSE },
		VIEW_LONGOPTS,
		TIMELINE_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct ui_options o;
	int opt, ret;

	memset(&o, 0, sizeof(o));
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":hV", longopts, NULL)) != -1) {
		ret = timeline_option(&o, opt, optarg);
		if (ret == 0)
			ret = view_option(&o, opt, optarg);
		if (ret < 0)
			return CLI_EXIT_USAGE;
		if (ret > 0)
			continue;
		switch (opt) {
		case OPT_SPEED:
			if (parse_speed(optarg, &o.speed) < 0)
				return CLI_EXIT_USAGE;
			break;
		case OPT_THEME:
			o.theme = optarg;
			break;
		case OPT_NO_MOUSE:
			o.no_mouse = true;
			break;
		case 'V':
			return cli_version();
		case 'h':
			usage_replay(stdout);
			return 0;
		default:
			cli_bad_option("replay", opt, argv);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		cli_error("replay: give one session file; try 'flametop replay --help'");
		return CLI_EXIT_USAGE;
	}
	if (check_timeline(&o) < 0)
		return CLI_EXIT_USAGE;
	o.replay = argv[optind];
	ret = check_session(o.replay);
	return ret ? ret : ui_run(&o);
}
