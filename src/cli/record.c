/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `flametop record`: sample a target headless and stream a session file.
 * The output is created before anything is sampled, so a bad path fails
 * at once; a chunk is written every second, so an interrupted recording
 * keeps all but its last second.
 */
#include "config.h"

#include "flametop/cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "flametop/pipeline.h"
#include "flametop/profile.h"
#include "flametop/session.h"
#include "flametop/symbols.h"

#define FLUSH_INTERVAL_NS 1000000000ull
#define CHILD_GRACE_NS (5 * 1000000000ull)

static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
	stop_signal = sig;
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: flametop record [-a | -p PID[,PID...] | [--] COMMAND [ARGS...]] [options]\n"
		"\n"
		"Samples a target and writes a session file, until -d SECONDS pass, Ctrl-C,\n"
		"or the target exits. With a COMMAND, exits with the command's status.\n"
		"\n"
		"Target (default: -a):\n"
		"  -a, --all-cpus          the whole system, every CPU\n"
		"  -p, --pid PID[,PID...]  every thread of these processes, new threads too\n"
		"  COMMAND [ARGS...]       run COMMAND and sample it, its threads and children\n"
		"\n"
		"Options:\n"
		"  -e, --event EV[,EV...]  events to sample (default: cycles; without a hardware\n"
		"                          PMU, cpu-clock for -a and task-clock otherwise)\n"
		"  -F, --freq HZ           samples per second (default: %d)\n"
		"  -m, --mmap-pages PAGES  ring buffer per CPU, a power of two (default: 128,\n"
		"                          512 KiB); larger if samples are lost\n"
		"      --call-graph fp|dwarf[,SIZE]\n"
		"                          how user stacks are found: frame pointers (default),\n"
		"                          or SIZE bytes of stack per sample (default 8192, at\n"
		"                          most 65528) unwound with DWARF, for code built\n"
		"                          without frame pointers; costs SIZE x HZ x CPUs B/s\n"
		"  -d, --duration SECONDS  stop after this long (with a COMMAND: SIGTERM it)\n"
		"  -o, --output FILE       session file (default: flametop-DATE-TIME.session)\n"
		"      --force             replace FILE if it exists\n"
		"      --no-demangle       keep C++ and Rust function names mangled\n"
		"  -v, --verbose           say more\n"
		"  -h, --help              show this help\n",
		SAMPLER_DEFAULT_FREQUENCY);
}

/*
 * Notices from opening the events (a fallback, user space only) are held
 * until we know the recording starts: a command that is not found gets
 * its one error line, not notices about events it will never run under.
 */
struct notices {
	char *lines[8];
	size_t n;
};

static void queue_notice(void *ctx, const char *msg)
{
	struct notices *q = ctx;

	if (q->n < ARRAY_SIZE(q->lines))
		q->lines[q->n++] = xstrdup(msg);
}

/* Prints the queued notices (if `print`) and empties the queue. */
static void flush_notices(struct notices *q, bool print)
{
	size_t i;

	for (i = 0; i < q->n; i++) {
		if (print)
			cli_error("%s", q->lines[i]);
		free(q->lines[i]);
	}
	q->n = 0;
}

/* Notices from the symbolizer (a JIT map it does not trust), as they come. */
static void print_notice(void *ctx, const char *msg)
{
	cli_error("notice: %s", msg);
}

/*
 * --call-graph dwarf: every sample carries its stack, so a ring fills
 * fast. Says once, while recording, when more than a tenth of the samples
 * are being lost.
 */
static void warn_dwarf_lost(const struct cli_target *t, const struct profile *p, bool *told)
{
	if (*told || t->call_graph != SAMPLER_CALL_GRAPH_DWARF || p->meta.lost < 100 ||
	    p->meta.lost * 10 < p->samples_total + p->meta.lost)
		return;
	cli_error("notice: %llu samples lost so far: with --call-graph dwarf each sample carries "
		  "%zu bytes of stack; try a smaller SIZE (--call-graph dwarf,4096), a lower -F or "
		  "a larger -m",
		  (unsigned long long)p->meta.lost,
		  t->stack_size ? t->stack_size : (size_t)SAMPLER_DEFAULT_STACK_SIZE);
	*told = true;
}

/* -v with --call-graph dwarf: what unwinding cost. */
static void print_unwind_stats(const struct pipeline_collect *c)
{
	struct pipeline_unwind_stats st;

	pipeline_collect_unwind_stats(c, &st);
	cli_error("unwound %llu of %llu user stacks, %.1f frames each, %.2f us per stack "
		  "(median %.2f us)",
		  (unsigned long long)st.unwound, (unsigned long long)st.samples,
		  st.samples ? (double)st.frames / (double)st.samples : 0.0,
		  st.samples ? (double)st.ns / (double)st.samples / 1e3 : 0.0,
		  (double)st.median_ns / 1e3);
}

static char *default_output(void)
{
	time_t now = time(NULL);
	struct tm tm;
	char buf[64];

	localtime_r(&now, &tm);
	strftime(buf, sizeof(buf), "flametop-%Y%m%d-%H%M%S.session", &tm);
	return xstrdup(buf);
}

static int parse_duration(const char *arg, uint64_t *ns)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || *end || end == arg || !(v > 0) || v > 1e7 || isnan(v)) {
		cli_error("-d: '%s' is not a duration in seconds", arg);
		return -1;
	}
	*ns = (uint64_t)(v * 1e9);
	return 0;
}

/* The exit status a shell would give for a child's wait status. */
static int shell_status(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return CLI_EXIT_ERROR;
}

static int flush(struct session_writer *w, struct profile *p, struct pipeline_collect *c,
		 const char *path)
{
	int ret;

	pipeline_collect_tick(c);
	ret = session_writer_flush(w, p);
	if (ret < 0) {
		cli_error("%s: cannot write: %s; stopping (what was written so far is kept)", path,
			  strerror(-ret));
		return ret;
	}
	profile_clear_samples(p);
	return 0;
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int cli_record(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_TARGET_LONGOPTS,
		{ "duration", required_argument, NULL, 'd' },
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_target t;
	struct sampler_config cfg;
	struct ft_error err = { { 0 }, 0, 0 };
	struct session_writer *w = NULL;
	struct profile *p = NULL;
	struct procmap *pm = NULL;
	struct symbols *sym = NULL;
	struct pipeline_collect *collect = NULL;
	struct sampler *s = NULL;
	struct notices notices = { { NULL }, 0 };
	char *output = NULL;
	bool force = false, child_signalled = false, write_failed = false, lost_told = false;
	struct rusage ru;
	uint64_t duration = 0, start, next_flush, deadline = 0, grace_end = 0;
	int opt, ret, status = CLI_EXIT_ERROR, child_status = 0;

	memset(&t, 0, sizeof(t));
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:" CLI_TARGET_SHORTOPTS "d:o:h", longopts, NULL)) != -1) {
		ret = cli_target_option(&t, opt, optarg);
		if (ret < 0)
			goto out_usage;
		if (ret > 0)
			continue;
		switch (opt) {
		case 'd':
			if (parse_duration(optarg, &duration) < 0)
				goto out_usage;
			break;
		case 'o':
			free(output);
			output = xstrdup(optarg);
			break;
		case 'f':
			force = true;
			break;
		case 'h':
			usage(stdout);
			status = 0;
			goto out;
		default:
			cli_bad_option("record", opt, argv);
			goto out_usage;
		}
	}
	if (cli_target_finish(&t, argc, argv, optind) < 0)
		goto out_usage;
	if (!output)
		output = default_output();

	/* The output first: a bad path must fail before anything runs. */
	w = session_writer_open(output, force, &err);
	if (!w) {
		cli_error("%s", err.msg);
		goto out;
	}
	p = profile_new();
	pm = procmap_new();
	procmap_set_notice(pm, print_notice, NULL);
	sym = symbols_new(pm);
	symbols_set_demangle(sym, !t.no_demangle);
	collect = pipeline_collect_new(p, pm, sym);
	/* "Stacks look truncated" is about the program being profiled: a
	 * system-wide profile mixes in whatever else runs (compilers, say). */
	if (t.target != SAMPLER_SYSTEM)
		pipeline_collect_set_notice(collect, print_notice, NULL);
	cli_target_config(&t, &cfg);
	cfg.notice = queue_notice;
	cfg.notice_ctx = &notices;
	s = sampler_new(&cfg, pipeline_collect_sink(collect), &err);
	if (!s) {
		/* Here the notices explain the error (cycles fell back to
		 * cpu-clock, which then was not permitted). */
		flush_notices(&notices, true);
		cli_error("%s", err.msg);
		goto out_remove;
	}
	cli_target_fill_meta(p, &t, s);
	if (t.verbose)
		cli_error("sampling %s at %u Hz, %s", sampler_event_name(s, 0), t.frequency,
			  p->meta.target);
	install_signals();
	p->meta.start_wall_ns = util_wall_ns();
	p->meta.start_mono_ns = util_now_ns();
	ret = session_writer_begin(w, p);
	if (ret < 0) {
		cli_error("%s: cannot write: %s", output, strerror(-ret));
		goto out_remove;
	}
	ret = sampler_start(s, &err);
	flush_notices(&notices, ret == 0);
	if (ret < 0) {
		cli_error("%s: %s", t.argv ? t.argv[0] : "sampler", err.msg);
		status = ret == -ENOENT ? CLI_EXIT_NOT_FOUND
			 : ret == -EACCES ? CLI_EXIT_CANNOT_EXEC
					  : CLI_EXIT_ERROR;
		goto out_remove;
	}

	start = util_now_ns();
	next_flush = start + FLUSH_INTERVAL_NS;
	if (duration)
		deadline = start + duration;
	for (;;) {
		uint64_t now;
		int sig = stop_signal;

		ret = sampler_poll(s, 100);
		if (ret < 0) {
			cli_error("%s: %s", output, strerror(-ret));
			/* Never leave a launched command running unwatched. */
			if (sampler_child(s) && !sampler_child_status(s, &child_status))
				kill(sampler_child(s), SIGTERM);
			goto out_abort;
		}
		if (ret == 1)
			break; /* the target is gone */
		now = util_now_ns();
		/* After a write error, stop as -d does: no file, no recording. */
		if (!sig && (write_failed || (deadline && now >= deadline)))
			sig = SIGTERM;
		if (sig) {
			/* A launched command gets the signal too (Ctrl-C in a
			 * terminal already sent it SIGINT); we keep reading
			 * while it shuts down, for a while. */
			if (!sampler_child(s))
				break;
			if (!child_signalled) {
				kill(sampler_child(s), sig);
				child_signalled = true;
				grace_end = now + CHILD_GRACE_NS;
			} else if (now >= grace_end) {
				cli_error("%s (pid %d) is still running after SIGTERM; leaving it",
					  t.argv[0], (int)sampler_child(s));
				break;
			}
		}
		if (!write_failed && now >= next_flush) {
			if (flush(w, p, collect, output) < 0) {
				/* Sampling stops now; a launched command gets
				 * SIGTERM above and is waited for, as with -d. */
				write_failed = true;
				sampler_stop(s);
				continue;
			}
			next_flush = now + FLUSH_INTERVAL_NS;
			warn_dwarf_lost(&t, p, &lost_told);
		}
	}
	if (write_failed)
		goto out_abort; /* the chunks written before stay readable */
	ret = sampler_stop(s);
	p->meta.duration_ns = util_now_ns() - p->meta.start_mono_ns;
	pipeline_collect_tick(collect);
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		p->meta.recorder_peak_rss = (uint64_t)ru.ru_maxrss * 1024; /* KiB on Linux */
	ret = session_writer_close(w, p);
	w = NULL;
	if (ret < 0) {
		cli_error("%s: cannot write: %s", output, strerror(-ret));
		goto out;
	}
	cli_error("recorded %llu samples of %s in %.1f s to %s (peak memory %.1f MiB)",
		  (unsigned long long)p->samples_total, sampler_event_name(s, 0),
		  (double)p->meta.duration_ns / 1e9, output,
		  (double)p->meta.recorder_peak_rss / (1024.0 * 1024.0));
	if (t.verbose && t.call_graph == SAMPLER_CALL_GRAPH_DWARF)
		print_unwind_stats(collect);
	if (p->meta.lost && t.call_graph == SAMPLER_CALL_GRAPH_DWARF)
		cli_error("warning: %llu samples were lost (flametop fell behind): each sample "
			  "carries %zu bytes of stack; use a smaller --call-graph dwarf,SIZE, "
			  "lower -F or raise -m",
			  (unsigned long long)p->meta.lost,
			  t.stack_size ? t.stack_size : (size_t)SAMPLER_DEFAULT_STACK_SIZE);
	else if (p->meta.lost)
		cli_error("warning: %llu samples were lost (flametop fell behind): lower -F or "
			  "raise -m",
			  (unsigned long long)p->meta.lost);
	status = 0;
	if (sampler_child_status(s, &child_status) && !(child_signalled && !stop_signal))
		status = shell_status(child_status);
	goto out;

out_usage:
	status = CLI_EXIT_USAGE;
	goto out;
out_remove:
	/* Nothing was sampled: leave no file behind (a file --force would
	 * have replaced stays as it was). */
	session_writer_discard(w);
	w = NULL;
out_abort:
	if (w) {
		session_writer_abort(w);
		w = NULL;
	}
out:
	flush_notices(&notices, false);
	sampler_free(s);
	pipeline_collect_free(collect);
	symbols_free(sym);
	procmap_free(pm);
	profile_free(p);
	free(output);
	cli_target_free(&t);
	return status;
}
