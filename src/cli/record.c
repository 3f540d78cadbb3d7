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
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "flametop/profile.h"
#include "flametop/report.h"
#include "flametop/session.h"
#include "flametop/source.h"

#define FLUSH_INTERVAL_NS 1000000000ull
/* A thread written out with no sample for this long is forgotten (named
 * and written again if it wakes): profile_forget_written_threads. */
#define THREAD_IDLE_NS (60ull * 1000000000ull)
/* The loop's longest wait when a target's exit must be noticed. */
#define POLL_MS 100
/* --push: how long the end of a recording waits for the last uploads. */
#define PUSH_FINISH_NS (5ull * 1000000000ull)
/* -d: from a millisecond to a year. */
#define MIN_DURATION_NS 1000000ull
#define MAX_DURATION_NS (365 * 86400 * 1000000000ull)
/* Names tried for a default output of the same second (-2, -3...). */
#define DEFAULT_OUTPUT_TRIES 100

static volatile sig_atomic_t stop_signal;
/* The stop signal came from the terminal (Ctrl-C, a hangup): the kernel
 * sent it to the whole foreground process group. */
static volatile sig_atomic_t stop_from_terminal;
/* When the first stop signal came (CLOCK_MONOTONIC, util_now_ns()); set
 * before stop_signal, so valid once stop_signal is. */
static volatile uint64_t stop_ns;

static void on_stop_signal(int sig, siginfo_t *info, void *uctx)
{
	struct timespec ts;

	(void)uctx;
	if (!stop_signal && clock_gettime(CLOCK_MONOTONIC, &ts) == 0)
		stop_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	stop_from_terminal = info && info->si_code == SI_KERNEL;
	stop_signal = sig;
}

/* The name of a stop signal. */
static const char *signal_name(int sig)
{
	return sig == SIGINT ? "SIGINT" : sig == SIGHUP ? "SIGHUP" : "SIGTERM";
}

/*
 * The signal a launched command is to get when `sig` stops the recording:
 * none (0) when the terminal sent it to our process group and the command
 * is still in it, for it has it already. A second SIGINT is, to many
 * programs, "stop now, skip the clean-up" (press Ctrl-C again to force).
 */
static int signal_for_command(int sig, pid_t child)
{
	if (sig == stop_signal && stop_from_terminal && getpgid(child) == getpgrp())
		return 0;
	return sig;
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: flametop record [-a | -p PID[,PID...] | [--] COMMAND [ARGS...]] [options]\n"
		"\n"
		"Samples a target and writes a session file, until -d TIME passes, Ctrl-C,\n"
		"or the target exits. With a COMMAND, exits with the command's status.\n"
		"\n"
		"Target (default: -a):\n"
		"  -a, --all-cpus          the whole system, every CPU\n"
		"  -p, --pid PID[,PID...]  every thread of these processes, new threads too\n"
		"  COMMAND [ARGS...]       run COMMAND and sample it, its threads and children\n"
		"\n"
		"Options:\n"
		"  -e, --event EV[,EV...]  events to sample, added to by each -e (default: cpu:\n"
		"                          cycles, or without a hardware PMU cpu-clock for -a\n"
		"                          and task-clock otherwise), or profile types: wall,\n"
		"                          offcpu, lock (ns), alloc, inuse (bytes), lock-waits,\n"
		"                          alloc-objects, faults, exceptions (count);\n"
		"                          tracepoints (sched:sched_switch, each hit); see\n"
		"                          list-events; '{EV,EV...}' is one group: the first\n"
		"                          samples, all are read at its samples (ratios such\n"
		"                          as IPC)\n"
		"      --alloc-sample BYTES  alloc, alloc-objects: keep one allocation about\n"
		"                          every BYTES bytes (512K, 1M), weighted so totals\n"
		"                          stay right; the trap on each call remains\n"
		"  -F, --freq HZ           samples per second (default: %d)\n"
		"  -c, --count N           instead, a sample every N events (N ns for a\n"
		"                          clock) of perf events and tracepoints, as perf's -c\n"
		"  -m, --mmap-pages PAGES|SIZE\n"
		"                          ring buffer per CPU: pages, or a size (512K, 2M),\n"
		"                          a power of two pages (default: 128 pages, 512 KiB;\n"
		"                          512 pages, 2 MiB, with --call-graph dwarf, -c, a\n"
		"                          tracepoint, a group or a type that samples every\n"
		"                          event); larger if records are lost\n"
		"      --call-graph fp|dwarf[,SIZE]\n"
		"                          how user stacks are found: frame pointers (default),\n"
		"                          or SIZE bytes of stack per sample (default 8192 or\n"
		"                          8K, at most 65528) unwound with DWARF, for code built\n"
		"                          without frame pointers; costs SIZE x HZ x CPUs B/s\n"
		"  -d, --duration TIME     stop after this long: seconds, or 500ms, 2m, 1h\n"
		"                          (with a COMMAND: sampling stops, then SIGTERM it,\n"
		"                          SIGKILL 5 s later)\n"
		"  -o, --output FILE       session file (default: flametop-DATE-TIME.session,\n"
		"                          or -2, -3... before .session when that exists)\n"
		"      --force             replace FILE if it exists\n"
		"      --no-demangle       keep C++ and Rust function names mangled\n"
		"      --no-inline         no frames for the functions a compiler inlined\n"
		"                          (read from DWARF)\n"
		"  -v, --verbose           say more\n" CLI_PUSH_SAMPLER_HELP CLI_PUSH_HELP
		"  -h, --help              show this help\n"
		"  -V, --version           show the version\n",
		SAMPLER_DEFAULT_FREQUENCY);
}

/*
 * Notices from opening the events (a fallback, user space only) are held
 * until we know the recording starts: a command that is not found gets
 * its one error line, not notices about events it will never run under.
 * Once it runs, notices (a JIT map not trusted, say) are printed as they
 * come.
 */
struct held_notices {
	bool started;
	char *lines[8];
	size_t n;
};

static void hold_notice(void *ctx, const char *text)
{
	struct held_notices *q = ctx;

	if (q->started)
		cli_notice(NULL, text);
	else if (q->n < ARRAY_SIZE(q->lines))
		q->lines[q->n++] = xstrdup(text);
}

/* Prints the held notices (if `print`) and empties the queue. */
static void flush_notices(struct held_notices *q, bool print)
{
	size_t i;

	for (i = 0; i < q->n; i++) {
		if (print)
			cli_notice(NULL, q->lines[i]);
		free(q->lines[i]);
	}
	q->n = 0;
}

/* Record's warning about `lost` records (the kernel counts samples and
 * the mmap, comm and fork records it dropped as one): what would lose
 * fewer. */
static void warn_lost(const struct profile *p, uint64_t lost, const struct cli_target *t)
{
	const char *freq = report_any_at_frequency(p) ? "lower -F or " : "";
	uint32_t i;

	/* -c N: a larger N thins the events it samples (not the profile types'). */
	for (i = 0; t->period && i < p->nevents; i++)
		if (report_event_period(p, (int)i) == t->period)
			freq = *freq ? "lower -F, raise -c or " : "raise -c or ";

	if (t->call_graph == SAMPLER_CALL_GRAPH_DWARF)
		cli_error("warning: %llu records were lost (samples, mmaps, comms, forks: flametop "
			  "fell behind): each sample "
			  "carries %zu bytes of stack; use a smaller --call-graph dwarf,SIZE, "
			  "%sraise -m",
			  (unsigned long long)lost,
			  t->stack_size ? t->stack_size : (size_t)SAMPLER_DEFAULT_STACK_SIZE, freq);
	else
		cli_error("warning: %llu records were lost (samples, mmaps, comms, forks: flametop "
			  "fell behind): %sraise -m%s",
			  (unsigned long long)lost, freq,
			  *freq ? "" : " (each event is a sample: -F does not thin them)");
}

/*
 * The samples taken, not counting a group's members (each is a count read
 * at its leader's sample, not a sample of its own), and what of: "cycles"
 * or "cycles,page-faults", and the members counted at each ("instructions,
 * cache-misses", empty when none).
 */
static uint64_t samples_taken(const struct profile *p, char *what, size_t size, char *members,
			      size_t msize)
{
	uint64_t n = 0;
	uint32_t i;

	what[0] = members[0] = '\0';
	for (i = 0; i < p->nevents; i++) {
		char *to = p->events[i].leader >= 0 ? members : what;
		size_t room = p->events[i].leader >= 0 ? msize : size, len = strlen(to);

		if (p->events[i].leader < 0)
			n += p->events[i].samples;
		snprintf(to + len, room - len, "%s%s", len ? "," : "", p->events[i].name);
	}
	return n;
}

/*
 * -v: how each event of `p` is sampled, into `buf` (cut short when it
 * does not fit): "cycles at 99 Hz", "lock at each event", "page-faults
 * every 5 events", "task-clock every 1000000 ns", a group member
 * "instructions at each sample of cycles".
 */
static void describe_sampling(const struct profile *p, char *buf, size_t size)
{
	size_t len = 0;
	uint32_t i;

	buf[0] = '\0';
	for (i = 0; i < p->nevents && len < size; i++) {
		const struct profile_event *e = &p->events[i];
		uint64_t period = report_event_period(p, (int)i);
		const char *sep = i ? ", " : "";
		int n;

		if (e->leader >= 0)
			n = snprintf(buf + len, size - len, "%s%s at each sample of %s", sep,
				     e->name, p->events[e->leader].name);
		else if (period == 1)
			n = snprintf(buf + len, size - len, "%s%s at each event", sep, e->name);
		else if (period)
			n = snprintf(buf + len, size - len, "%s%s every %" PRIu64 " %s", sep,
				     e->name, period, strcmp(e->unit, "ns") == 0 ? "ns" : "events");
		else
			n = snprintf(buf + len, size - len, "%s%s at %" PRIu32 " Hz", sep, e->name,
				     p->meta.frequency);
		if (n < 0)
			break;
		len += (size_t)n;
	}
}

/*
 * --call-graph dwarf: every sample carries its stack, so a ring fills
 * fast. Says once, while recording, when more than a tenth of the samples
 * are being lost.
 */
static void warn_dwarf_lost(const struct cli_target *t, const struct profile *p,
			    struct ft_notice *n)
{
	char what[256], members[256];

	if (t->call_graph != SAMPLER_CALL_GRAPH_DWARF || p->meta.lost < 100 ||
	    p->meta.lost * 10 <
		    samples_taken(p, what, sizeof(what), members, sizeof(members)) + p->meta.lost)
		return;
	notice_say(n, "dwarf-lost",
		   "%llu records lost so far: with --call-graph dwarf each sample carries %zu bytes "
		   "of stack; try a smaller SIZE (--call-graph dwarf,4096), a lower -F or a larger -m",
		   (unsigned long long)p->meta.lost,
		   t->stack_size ? t->stack_size : (size_t)SAMPLER_DEFAULT_STACK_SIZE);
}

/* -v: where the peak memory went, each part as it counts itself. */
static void print_memory(const struct source *src, const struct profile *p)
{
	const double mib = 1024.0 * 1024.0;
	struct source_memory sm;

	source_live_memory(src, &sm);
	cli_error("memory: call tree and names %.1f MiB (%u threads held at the end, at most "
		  "%u at once), symbol and unwind tables %.1f MiB "
		  "(%.1f MiB of them kept for modules no process maps now), kernel symbols "
		  "%.1f MiB, stack cache %.1f MiB, ring buffers %.1f MiB",
		  (double)profile_memory(p) / mib, p->nthreads, p->threads_peak,
		  (double)sm.modules / mib, (double)sm.modules_parked / mib,
		  (double)sm.kernel_symbols / mib, (double)sm.collector / mib,
		  (double)sm.rings / mib);
}

/* -v with --call-graph dwarf: what unwinding cost. */
static void print_unwind_stats(const struct source *src)
{
	struct pipeline_unwind_stats st;

	source_live_unwind_stats(src, &st);
	cli_error("unwound %llu of %llu user stacks, %.1f frames each, %.2f us per stack "
		  "(median %.2f us)",
		  (unsigned long long)st.unwound, (unsigned long long)st.samples,
		  st.samples ? (double)st.frames / (double)st.samples : 0.0,
		  st.samples ? (double)st.ns / (double)st.samples / 1e3 : 0.0,
		  (double)st.median_ns / 1e3);
}

/*
 * How long the loop waits for the rings, in ms. The rings wake it when a
 * quarter full, a signal does, and so does the end of processes or a
 * command (pidfds: source_live_exit_wakes). Beyond those, nothing but the
 * next flush and the deadline; POLL_MS while a command is being stopped
 * (its stop steps are timed), and where exits cannot wake it (a kernel
 * before 5.3), for they are noticed at a wake-up. Each wake-up costs a
 * few syscalls and a drain of every ring, which ten times a second was a
 * few percent of recording.
 */
static int poll_ms(const struct cli_target *t, const struct source *src, bool stopping,
		   uint64_t now, uint64_t next_flush, uint64_t deadline)
{
	uint64_t until = next_flush;

	if ((t->target != SAMPLER_SYSTEM || src->child) &&
	    (stopping || !source_live_exit_wakes(src)))
		return POLL_MS;
	if (deadline && deadline < until)
		until = deadline;
	if (until <= now)
		return 0;
	return (int)((until - now + 999999) / 1000000);
}

/*
 * poll_ms, but none when a stop signal came while the last wake-up was
 * handled and there is no launched command to wait for: the wait would
 * sample on after the signal.
 */
static int wait_ms(const struct cli_target *t, const struct source *src, bool stopping,
		   uint64_t now, uint64_t next_flush, uint64_t deadline)
{
	if (stop_signal && !src->child)
		return 0;
	return poll_ms(t, src, stopping, now, next_flush, deadline);
}

/*
 * -d, or a stop signal: the session ends `end` ns after its start. The
 * rings are read after each wait, which can take long (the first look at
 * every process with -a, a process with a huge map), and the events run
 * on meanwhile, so a stop comes late: what was sampled past `end` is
 * dropped and the duration is `end`. Call after the source stopped; a
 * source that stopped before `end` is left as it is.
 */
static void end_at(struct profile *p, uint64_t end)
{
	size_t i;

	if (p->meta.duration_ns <= end)
		return;
	for (i = 0; i < p->nsamples; i++)
		if (p->samples[i].time > end && p->events[p->samples[i].event].samples)
			p->events[p->samples[i].event].samples--;
	profile_keep_samples_until(p, end);
	p->meta.duration_ns = end;
}

/* Processes say_spawned() names. */
#define SPAWNED_NAMED 4

/*
 * The target has exited (`who`: the command's name, or the -p processes):
 * says which processes it started still run, for they were sampled until
 * then and are not any more (perf record, too, stops at the command's
 * exit, silently).
 */
static void say_spawned(const struct source *src, const char *who, bool they)
{
	pid_t pids[SPAWNED_NAMED];
	char list[SPAWNED_NAMED * 40] = "";
	size_t n, i, len = 0;

	n = source_live_spawned_running(src, pids, SPAWNED_NAMED);
	if (!n)
		return;
	for (i = 0; i < n && i < SPAWNED_NAMED; i++) {
		char path[64], *comm;

		snprintf(path, sizeof(path), "/proc/%d/comm", (int)pids[i]);
		comm = util_read_file_max(path, 64, NULL, NULL);
		if (comm)
			comm[strcspn(comm, "\n")] = '\0';
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%spid %d %s",
					i ? ", " : "", (int)pids[i], comm ? comm : "?");
		free(comm);
	}
	cli_error("notice: %s exited, leaving %zu process%s %s started running (%s%s), not "
		  "sampled after that: -p PID samples one",
		  who, n, n == 1 ? "" : "es", they ? "they" : "it", list,
		  n > SPAWNED_NAMED ? ", ..." : "");
}

/*
 * Without a launched command to see out, a stop signal ends the recording
 * at its time: what is read from then on that was sampled later is not
 * worth its symbols (end_at drops it).
 */
static void drop_after_signal(struct source *src, const struct cli_target *t)
{
	if (!t->argv && stop_signal && stop_ns)
		source_live_drop_after(src, stop_ns);
}

/*
 * Without -o: flametop-DATE-TIME.session in the current directory, or,
 * when a recording of the same second has that name (two short ones in a
 * row), flametop-DATE-TIME-2.session, -3... up to DEFAULT_OUTPUT_TRIES.
 * Sets *output (caller frees) to the name tried last; NULL with `err`
 * filled as session_writer_open() does.
 */
static struct session_writer *open_default_output(char **output, struct ft_error *err)
{
	time_t now = time(NULL);
	struct session_writer *w;
	char base[64], name[96];
	struct stat st;
	struct tm tm;
	int k;

	localtime_r(&now, &tm);
	strftime(base, sizeof(base), "flametop-%Y%m%d-%H%M%S", &tm);
	for (k = 1;; k++) {
		if (k == 1)
			snprintf(name, sizeof(name), "%s.session", base);
		else
			snprintf(name, sizeof(name), "%s-%d.session", base, k);
		w = session_writer_open(name, false, err);
		if (w || k == DEFAULT_OUTPUT_TRIES || lstat(name, &st) < 0)
			break;
	}
	*output = xstrdup(name);
	return w;
}

/*
 * Writes what is new and drops the samples written. The threads written
 * out that exited, or had no sample for THREAD_IDLE_NS before `now` (the
 * session's time), are forgotten then, unless `feed` (may be NULL) still
 * holds samples of theirs: a day of short-lived processes would otherwise
 * keep a table entry each.
 */
static int flush(struct session_writer *w, struct profile *p, const char *path,
		 const struct push_feed *feed, uint64_t now)
{
	int ret;

	ret = session_writer_flush(w, p);
	if (ret < 0) {
		cli_error("%s: cannot write: %s; stopping (%s)", path, strerror(-ret),
			  session_writer_keeps_old(w) ? "the file is left as it was"
						      : "what was written so far is kept");
		return ret;
	}
	profile_forget_written_threads(p, now > THREAD_IDLE_NS ? now - THREAD_IDLE_NS : 0,
				       feed ? push_feed_held_from(feed) : UINT64_MAX);
	profile_clear_samples(p);
	return 0;
}

/* --push: a few seconds to send what is queued, then one line of what happened. */
static void finish_push(struct pusher *ps, struct push_feed *feed, const struct cli_push *push,
			uint64_t *said)
{
	struct push_status st;

	push_feed_free(feed);
	cli_push_report(ps, said);
	pusher_close(ps, PUSH_FINISH_NS, &st);
	ft_private_done(); /* the spool's private directory */
	if (st.errors > *said && st.last_error[0])
		cli_error("%s", st.last_error);
	cli_error("pushed %llu upload%s to %s%s", (unsigned long long)st.sent,
		  st.sent == 1 ? "" : "s", push->o.url,
		  st.rejected || st.dropped || st.pending ? " (some were not: see above)" : "");
	if (st.rejected || st.dropped || st.pending)
		cli_error("push: %llu refused by the server, %llu dropped, %llu not sent%s",
			  (unsigned long long)st.rejected, (unsigned long long)st.dropped,
			  (unsigned long long)st.pending,
			  st.pending && push->o.spool_dir ? " (kept in the spool for the next run)" : "");
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_stop_signal;
	/* Restarted: the setting up's reads and writes are not cut short;
	 * the loop's poll() returns at a signal all the same. */
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
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
		CLI_PUSH_SAMPLER_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_target t;
	struct source_live_config cfg;
	struct ft_error err = { { 0 }, 0, 0 };
	struct session_writer *w = NULL;
	struct source *src = NULL;
	struct profile *p = NULL;
	struct held_notices held = { false, { NULL }, 0 };
	struct ft_notice notices;
	char *output = NULL;
	bool force = false, child_signalled = false, write_failed = false, target_ended = false;
	char pid_name[32];
	struct rusage ru;
	char what[256], members[256];
	uint64_t taken;
	uint64_t duration = 0, start, next_flush, deadline = 0, push_said = 0;
	struct ft_child_stop child_stop = { 0, 0 };
	struct cli_push push;
	struct pusher *ps = NULL;
	struct push_feed *feed = NULL;
	int opt, ret, status = CLI_EXIT_ERROR;

	/* Fresh pages cost microseconds each in a VM; the profile's tables
	 * grow by doubling, reuse what they free, and fill huge pages (util.h). */
	xmalloc_heap_huge();
	memset(&t, 0, sizeof(t));
	cli_push_init(&push);
	notice_init(&notices, hold_notice, &held);
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:" CLI_TARGET_SHORTOPTS "d:o:hV", longopts, NULL)) != -1) {
		ret = cli_target_option(&t, opt, optarg);
		if (ret == 0)
			ret = cli_push_option(&push, opt, optarg);
		if (ret < 0)
			goto out_usage;
		if (ret > 0)
			continue;
		switch (opt) {
		case 'd':
			if (util_parse_duration(optarg, MIN_DURATION_NS, MAX_DURATION_NS, &duration,
						&err) < 0) {
				cli_error("-d: %s", err.msg);
				goto out_usage;
			}
			break;
		case 'o':
			if (cli_check_output("-o", optarg, true) < 0)
				goto out_usage;
			free(output);
			output = xstrdup(optarg);
			break;
		case 'f':
			force = true;
			break;
		case 'V':
			status = cli_version();
			goto out;
		case 'h':
			usage(stdout);
			status = 0;
			goto out;
		default:
			cli_bad_option("record", opt, argv);
			goto out_usage;
		}
	}
	if (cli_target_finish(&t, argc, argv, optind) < 0 || cli_push_finish(&push, "--push") < 0)
		goto out_usage;
	/* From here a stop signal ends the recording, or, before it starts,
	 * the setting up: never the default action, which left the output
	 * created and empty. */
	install_signals();
	/* The output first: a bad path must fail before anything runs. */
	if (output)
		w = session_writer_open(output, force, &err);
	else
		w = open_default_output(&output, &err);
	if (!w) {
		cli_error("%s", err.msg);
		goto out;
	}
	/* The same live source the explorer reads, driven headless. */
	cli_target_config(&t, &cfg);
	src = source_live_new(&cfg, &notices, &err);
	if (!src) {
		/* Here the notices explain the error (cycles fell back to
		 * cpu-clock, which then was not permitted). */
		flush_notices(&held, true);
		cli_error("%s", err.msg);
		goto out_remove;
	}
	p = src->profile;
	if (t.verbose) {
		char how[512];

		describe_sampling(p, how, sizeof(how));
		cli_error("sampling %s, %s", how, p->meta.target);
	}
	ret = session_writer_begin(w, p);
	if (ret < 0) {
		cli_error("%s: cannot write: %s", output, strerror(-ret));
		goto out_remove;
	}
	if (push.o.url) {
		/* Before the target starts, so a bad spool fails first. */
		ps = pusher_new(&push.o, &err);
		if (!ps) {
			flush_notices(&held, true);
			cli_error("%s", err.msg);
			goto out_remove;
		}
		feed = push_feed_new(ps, p, -1, push.interval_ns);
	}
	if (stop_signal) {
		/* Stopped while setting up: nothing ran, nothing is kept. */
		cli_error("stopped by %s before sampling started; no session written",
			  signal_name(stop_signal));
		status = 128 + stop_signal;
		goto out_remove;
	}
	ret = source_live_start(src, &err);
	flush_notices(&held, ret == 0);
	held.started = true;
	if (ret < 0) {
		cli_error("%s: %s", t.argv ? t.argv[0] : "sampler", err.msg);
		status = util_exec_status(ret);
		goto out_remove;
	}

	start = util_now_ns();
	next_flush = start + FLUSH_INTERVAL_NS;
	/* From the session's time 0, so that it is exactly -d long. */
	if (duration)
		deadline = p->meta.start_mono_ns + duration;
	for (;;) {
		uint64_t now = util_now_ns();
		int sig;

		drop_after_signal(src, &t); /* one came in the last read */
		ret = src->ops->poll(src->ctx,
				     wait_ms(&t, src, child_signalled, now, next_flush, deadline),
				     &err);
		if (ret < 0) {
			cli_error("%s: %s", output, strerror(-ret));
			/* Never leave a launched command running unwatched. */
			if (src->child)
				kill(src->child, SIGTERM);
			goto out_abort;
		}
		if (ret == SOURCE_ENDED) {
			target_ended = true;
			break; /* the target is gone */
		}
		/* Read after the wait: a signal that cut it short counts now,
		 * not a wait later (with -a, up to a second of sampling on). */
		sig = stop_signal;
		now = util_now_ns();
		/* After a write error, stop as -d does: no file, no recording. */
		if (!sig && (write_failed || (deadline && now >= deadline)))
			sig = SIGTERM;
		/* The recording is -d long, however long a launched command
		 * then takes to exit: sampling stops now (a stopped source
		 * still tells when the command is gone). */
		if (deadline && now >= deadline) {
			source_live_drop_after(src, deadline);
			src->ops->stop(src->ctx);
			end_at(p, duration);
		}
		if (sig) {
			enum ft_child_stop_result r;

			/* A launched command gets the signal too, unless the
			 * terminal sent it already (Ctrl-C); we keep reading
			 * while it shuts down, for a while, then kill it. */
			if (!src->child) {
				drop_after_signal(src, &t);
				break;
			}
			r = ft_child_stop_step(&child_stop, src->child,
					       signal_for_command(sig, src->child), now,
					       FT_CHILD_GRACE_NS);
			child_signalled = true;
			if (r == FT_CHILD_KILLED)
				cli_error("%s (pid %d) is still running %llu s after %s; killed it "
					  "(SIGKILL)",
					  t.argv[0], (int)src->child,
					  (unsigned long long)(FT_CHILD_GRACE_NS / 1000000000u),
					  signal_name(sig));
			else if (r == FT_CHILD_GAVE_UP)
				break;
		}
		if (!write_failed && now >= next_flush) {
			if (feed) {
				push_feed_add(feed, p->samples, p->nsamples);
				cli_push_report(ps, &push_said);
			}
			if (flush(w, p, output, feed,
				  now > p->meta.start_mono_ns ? now - p->meta.start_mono_ns : 0) < 0) {
				/* Sampling stops now; a launched command gets
				 * SIGTERM above and is waited for, as with -d. */
				write_failed = true;
				src->ops->stop(src->ctx);
				continue;
			}
			next_flush = now + FLUSH_INTERVAL_NS;
			warn_dwarf_lost(&t, p, &notices);
		}
	}
	if (write_failed)
		goto out_abort; /* the chunks written before stay readable */
	src->ops->stop(src->ctx); /* reads what is left, sets the duration */
	if (duration)
		end_at(p, duration); /* the target ended during a late read */
	/* Without a command to see out, a stop signal ends the session at
	 * its time, however long the read it came in took to finish. */
	if (stop_signal && !t.argv && stop_ns > p->meta.start_mono_ns)
		end_at(p, stop_ns - p->meta.start_mono_ns);
	if (feed) {
		push_feed_add(feed, p->samples, p->nsamples);
		push_feed_flush(feed);
	}
	if (t.argv && src->child_exited) {
		say_spawned(src, util_basename(t.argv[0]), false);
	} else if (target_ended && t.npids == 1) {
		snprintf(pid_name, sizeof(pid_name), "pid %d", (int)t.pids[0]);
		say_spawned(src, pid_name, false);
	} else if (target_ended) {
		say_spawned(src, "the processes of -p", true);
	}
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		p->meta.recorder_peak_rss = (uint64_t)ru.ru_maxrss * 1024; /* KiB on Linux */
	ret = session_writer_close(w, p);
	w = NULL;
	if (ret < 0) {
		cli_error("%s: cannot write: %s", output, strerror(-ret));
		goto out;
	}
	taken = samples_taken(p, what, sizeof(what), members, sizeof(members));
	cli_error("recorded %llu samples of %s%s%s%s in %.1f s to %s (peak memory %.1f MiB)",
		  (unsigned long long)taken, what, members[0] ? " (counting " : "", members,
		  members[0] ? " at each)" : "", (double)p->meta.duration_ns / 1e9, output,
		  (double)p->meta.recorder_peak_rss / (1024.0 * 1024.0));
	if (p->folded)
		cli_error("notice: the profile reached its limits: %llu new functions or stacks "
			  "were folded into [other]",
			  (unsigned long long)p->folded);
	if (t.verbose)
		print_memory(src, p);
	if (t.verbose && t.call_graph == SAMPLER_CALL_GRAPH_DWARF)
		print_unwind_stats(src);
	if (p->meta.lost)
		warn_lost(p, p->meta.lost, &t);
	if (ps)
		finish_push(ps, feed, &push, &push_said);
	ps = NULL;
	feed = NULL;
	status = 0;
	if (src->child_exited && !(child_signalled && !stop_signal))
		status = util_exit_status(src->child_status);
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
	if (ps) { /* failed: what was queued is not waited for */
		push_feed_free(feed);
		pusher_close(ps, 0, NULL);
		ft_private_done();
	}
	cli_push_free(&push);
	flush_notices(&held, false);
	source_free(src);
	notice_free(&notices);
	free(output);
	cli_target_free(&t);
	return status;
}
