/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sources of samples for the live views: the sampler on a running target,
 * or a session file played back, paced as if live. Both append samples
 * to one profile; the consumer (the TUI's loop) moves them into the
 * timeline, and never knows which source it has. This is DESIGN.md's
 * "live sampler / session file" box, seen from the views.
 */
#ifndef FLAMETOP_SOURCE_H
#define FLAMETOP_SOURCE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "flametop/pipeline.h"
#include "flametop/profile.h"
#include "flametop/sampler.h"
#include "flametop/util.h"


enum source_state {
	SOURCE_RUNNING,
	SOURCE_ENDED, /* the target exited, or the replay reached the end */
	SOURCE_MORE, /* running, and more is due now: poll again at once */
};

struct source_ops {
	/*
	 * Waits up to `timeout_ms` for data and appends any new samples to
	 * the profile (p->samples; the consumer clears them). Returns
	 * SOURCE_RUNNING, SOURCE_ENDED, or -errno with `err` set; a replay
	 * also SOURCE_MORE, when it appended a whole batch and more samples
	 * are due, and a live source with a poll budget when the budget ran
	 * out with records left: the consumer takes these and polls again
	 * without waiting.
	 */
	int (*poll)(void *ctx, int timeout_ms, struct ft_error *err);
	/* The source's clock, ns since the session's start: for a live
	 * source the time now, for a replay its play position. */
	uint64_t (*now)(void *ctx);
	/* Replay only (NULL for live): play speed, 1.0 = real time, 10 = ten
	 * times faster, 0 = paused, SOURCE_UNPACED = no pacing. */
	void (*set_speed)(void *ctx, double speed);
	/* Live only (NULL for replay): also sample process `pid` from now on.
	 * 0 or -errno with `err` set. */
	int (*attach)(void *ctx, pid_t pid, struct ft_error *err);
	/* Live only (NULL for replay): a descriptor that polls readable when
	 * `poll` has data to read (sampler_wait_fd()), so a consumer can wait
	 * on it with its own instead of polling on a timer; -1 if none.
	 * Owned by the source. */
	int (*wait_fd)(void *ctx);
	/* Live only: stops sampling and appends what is left; sets the
	 * profile's duration. Polls after it append nothing but still say
	 * when the target is gone (a launched command exited). 0 or -errno. */
	int (*stop)(void *ctx);
	/* Stops sampling (live) and releases everything. */
	void (*free)(void *ctx);
};

struct source {
	const struct source_ops *ops;
	void *ctx;
	struct profile *profile; /* owned by the source; frames, nodes, threads, meta */
	bool live;
	pid_t child; /* live: the command it launched (0: none, or it has been reaped) */
	bool child_exited; /* live: the command exited and was reaped, ... */
	int child_status; /* ... with this wait status */
	uint64_t duration_ns; /* replay: the session's length (so far, while an unpaced
			       * replay is still reading); live: 0 */
};

/* A replay speed: no pacing, everything as fast as it is read. */
#define SOURCE_UNPACED 1e12

/*
 * What the live source samples, and how: the command line fills it from
 * its target options (cli.h); zero is the default of each field.
 */
struct source_live_config {
	enum sampler_target target;
	const pid_t *pids; /* SAMPLER_PIDS */
	size_t npids;
	char *const *argv; /* SAMPLER_COMMAND, NULL-terminated */
	const char *const *events; /* names; none: the default (cycles, or a software clock) */
	size_t nevents;
	const size_t *leaders; /* per event: its group's leader (sampler_config.leaders); NULL: none */
	unsigned frequency; /* per CPU or thread; 0: SAMPLER_DEFAULT_FREQUENCY */
	uint64_t period; /* sampler_config.period */
	size_t ring_pages; /* per CPU ring, a power of two; 0: the sampler's default */
	unsigned wakeup_parts; /* sampler_config.wakeup_parts */
	enum sampler_call_graph call_graph;
	size_t stack_size; /* dwarf: bytes of user stack per sample; 0: the default */
	bool no_demangle; /* keep C++ and Rust names mangled */
	bool no_inline; /* no frames for inlined functions (symbols_set_inline) */
	uint64_t alloc_sample; /* sampler_config.alloc_sample */
	const char *command_line; /* how flametop was run, for the metadata; NULL: none */
	/* A poll reads for about this long at most, then says SOURCE_MORE
	 * (sampler_config.poll_budget_ns); 0: no limit. */
	uint64_t poll_budget_ns;
};

/*
 * Readies sampling `cfg` (borrowed for the call) into a new profile: opens
 * the events (a command is forked and waits to exec), fills the profile's
 * metadata (host, kernel, target, events, frequency) and stamps its start.
 * Nothing is sampled until source_live_start(), so a caller can write the
 * metadata first. Notices (event fallbacks, refused JIT maps, and for a PID
 * or command target stacks that look truncated) go to `notice` (NULL:
 * nowhere; borrowed, must outlive the source). NULL with `err` set on
 * failure. Caller frees with source_free(); a launched command that still
 * runs is left to the caller (see `child`).
 */
struct source *source_live_new(const struct source_live_config *cfg, struct ft_notice *notice,
			       struct ft_error *err);
/*
 * Starts sampling a source from source_live_new(); a command execs now.
 * 0, or -errno with `err` set: -ENOENT when the command was not found,
 * -EACCES when it cannot be executed.
 */
int source_live_start(struct source *s, struct ft_error *err);
/*
 * The processes a command or PID target started that still run once it
 * has exited and the source stopped: how many, the first `max` pids in
 * `pids` (sampler_spawned_running).
 */
size_t source_live_spawned_running(const struct source *s, pid_t *pids, size_t max);
/*
 * A live source's recording ends at `mono_ns` (CLOCK_MONOTONIC): samples
 * read after this that were taken later are skipped (sampler_drop_after).
 */
void source_live_drop_after(struct source *s, uint64_t mono_ns);
/* Whether the target's end wakes a live source's poll (sampler_exit_wakes):
 * if not, a caller waiting for it polls with a timeout. */
bool source_live_exit_wakes(const struct source *s);
/* A live source's DWARF unwinding so far (zero in frame-pointer mode). */
void source_live_unwind_stats(const struct source *s, struct pipeline_unwind_stats *st);
/* Where a live source's own memory goes, each part as it counts itself. */
struct source_memory {
	uint64_t modules; /* modules' symbol and unwind tables (procmap_stats's bytes) */
	uint64_t modules_parked; /* the part of them kept for modules no process maps now */
	uint64_t kernel_symbols; /* 0 until a kernel address was resolved */
	uint64_t collector; /* the collector's frame trie and address caches */
	uint64_t rings; /* the perf ring buffers mapped, and their scratch */
};
void source_live_memory(const struct source *s, struct source_memory *m);
/*
 * A live source's ceiling on its modules' symbol and unwind tables, in
 * bytes (0, the default: none): past it, every second, the tables used
 * longest ago (not in the last second) are freed and read again when
 * needed (procmap_trim).
 */
void source_live_set_table_limit(struct source *s, size_t bytes);
/*
 * Asked while a live source reads a module's tables (procmap_set_interrupt):
 * while `stop` says true, the reading is given up, to be done again when
 * next needed. NULL: none. `ctx` is borrowed.
 */
void source_live_set_interrupt(struct source *s, bool (*stop)(void *ctx), void *ctx);
/*
 * Opens a session file (or a pipe) for playback at `speed` (see
 * set_speed). A regular file is read as it plays, never held whole;
 * paced, it is read once first for its length. A pipe plays from its
 * copy (session_reader_open); one that could not be copied is read whole
 * here, its samples held. NULL with `err` set when the file cannot be opened or
 * its header is bad (or, paced or from a pipe, when any of it is); a chunk
 * found bad while playing ends the replay there (poll says why). A
 * session whose recording was cut short plays what is complete and says
 * so on `notice` once read to its end (NULL: nowhere; borrowed, must
 * outlive the source).
 */
struct source *source_replay_new(const char *path, double speed, struct ft_notice *notice,
				 struct ft_error *err);
/*
 * A replay's session as played so far, written to a new file `path`
 * (session_writer_open: mode 0600, never over an existing file): the file
 * played is read again, the same file or none, and its samples up to the
 * play position written, with the position for the duration. A pipe not
 * copied was read once and cannot be saved from. *saved: the samples written. 0, or
 * -1 with `err` set (nothing is left at `path` unless closing the new
 * file failed).
 */
int source_replay_save(struct source *s, const char *path, uint64_t *saved,
		       struct ft_error *err);
/* Frees the source and its profile. A live source not stopped
 * (ops->stop) drops what its rings still hold, unread. */
void source_free(struct source *s);

#endif
