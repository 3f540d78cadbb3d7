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

#include "flametop/profile.h"
#include "flametop/util.h"

struct cli_target;

enum source_state {
	SOURCE_RUNNING,
	SOURCE_ENDED, /* the target exited, or the replay reached the end */
};

struct source_ops {
	/*
	 * Waits up to `timeout_ms` for data and appends any new samples to
	 * the profile (p->samples; the consumer clears them). Returns
	 * SOURCE_RUNNING, SOURCE_ENDED, or -errno with `err` set.
	 */
	int (*poll)(void *ctx, int timeout_ms, struct ft_error *err);
	/* The source's clock, ns since the session's start: for a live
	 * source the time now, for a replay its play position. */
	uint64_t (*now)(void *ctx);
	/* Replay only (NULL for live): play speed, 1.0 = real time, 10 = ten
	 * times faster, 0 = paused, SOURCE_UNPACED = no pacing. */
	void (*set_speed)(void *ctx, double speed);
	/* Replay only: moves the play position to `t` (ns). Forwards, the next
	 * poll appends the samples up to `t`; backwards, it starts over and
	 * appends every sample up to `t` again, so the caller starts a fresh
	 * timeline first. */
	void (*seek)(void *ctx, uint64_t t);
	/* Live only (NULL for replay): also sample process `pid` from now on.
	 * 0 or -errno with `err` set. */
	int (*attach)(void *ctx, pid_t pid, struct ft_error *err);
	/* Stops sampling (live) and releases everything. */
	void (*free)(void *ctx);
};

struct source {
	const struct source_ops *ops;
	void *ctx;
	struct profile *profile; /* owned by the source; frames, nodes, threads, meta */
	bool live;
	pid_t child; /* live: the command it launched (0: none, or it has been reaped) */
	bool child_ended; /* live: the command has ended, with wait status `child_status` */
	int child_status;
	uint64_t duration_ns; /* replay: the session's length; live: 0 */
	char notice[256]; /* one line to show the user ("" when none) */
};

/* A replay speed: everything at the first poll. */
#define SOURCE_UNPACED 1e12

/*
 * Starts sampling `target` (see cli.h) into a new profile, honouring its
 * symbol and call-graph options. Notices (event fallbacks, refused JIT
 * maps, stacks that look truncated) go to `notice`. NULL with `err` set
 * on failure, and errno set to why a command could not be started
 * (sampler_start: ENOENT not found, EACCES not executable), 0 for any
 * other failure. Caller frees with source_free(); a launched command that
 * still runs is left to the caller (see `child`).
 */
struct source *source_live_new(const struct cli_target *target,
			       void (*notice)(void *ctx, const char *msg), void *notice_ctx,
			       struct ft_error *err);
/*
 * Opens a session file for playback at `speed` (see set_speed). NULL with
 * `err` set. A session whose recording was cut short loads what is
 * complete and says so in `notice`.
 */
struct source *source_replay_new(const char *path, double speed, struct ft_error *err);
void source_free(struct source *s);

#endif
