/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Pushing profiles to a Pyroscope server (its HTTP ingest API, POST
 * /ingest?name=APP{labels}&from&until&sampleRate&spyName&units&
 * aggregationType&format=pprof, the body a gzipped pprof from the pprof
 * exporter), so that flametop feeds a fleet's server instead of being one.
 *
 * A pusher owns a thread that does the network I/O (libcurl): callers
 * hand it uploads and never wait for the network, so sampling is never
 * held up by a slow or dead server. An upload the server did not take
 * for a reason that may pass (refused, DNS, TLS, timeout, 5xx, 408, 429)
 * is tried again with a growing delay (1 s doubling to 60 s) and waits in
 * a spool: files in a directory, at most `spool_max` bytes in all; when a
 * new upload does not fit, the oldest are dropped and counted. An upload
 * the server refused (any other 4xx) is dropped at once and counted: a
 * request that is wrong now stays wrong. Every failure is one line in the
 * status, which the caller shows as it shows errors.
 *
 * A feeder (push_feed_*) cuts a live stream of samples into one upload
 * per `interval` of sample time (10 s by default), as the live explorer
 * and `record --push` produce them.
 */
#ifndef FLAMETOP_PUSH_H
#define FLAMETOP_PUSH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flametop/export.h"
#include "flametop/profile.h"
#include "flametop/util.h"

#define PUSH_MAX_LABELS 32
#define PUSH_DEFAULT_SPOOL ((uint64_t)64 << 20)
#define PUSH_DEFAULT_INTERVAL_NS (10ull * 1000000000ull)

struct push_options {
	const char *url; /* the server: http[s]://host[:port][/prefix] */
	const char *app; /* the application name; NULL: "flametop" */
	const char *labels[PUSH_MAX_LABELS]; /* "key=value", checked by push_check_label() */
	size_t nlabels;
	bool per_process; /* one upload per process, labelled pid and comm */
	const char *user, *password; /* basic auth; NULL: none (or the URL's) */
	const char *token; /* bearer token; NULL: none */
	const char *tenant; /* X-Scope-OrgID; NULL: none */
	const char *spool_dir; /* NULL: a private directory, removed at the end */
	uint64_t spool_max; /* bytes; 0: PUSH_DEFAULT_SPOOL */
	unsigned max_tries; /* per upload; 0: until it is sent or dropped */
	long timeout_ms; /* per request; 0: 10 s */
};

/*
 * Fills user, password, token and tenant that are still NULL from
 * Pyroscope's environment variables: PYROSCOPE_BASIC_AUTH_USER,
 * PYROSCOPE_BASIC_AUTH_PASSWORD, PYROSCOPE_AUTH_TOKEN,
 * PYROSCOPE_TENANT_ID (borrowed from the environment).
 */
void push_options_from_env(struct push_options *o);
/* 0 when `label` is "key=value" Pyroscope takes (key: a letter or '_'
 * then letters, digits, '_' or '.', not starting with "__", which is the
 * server's; value: printable, without ",{}=\""); else -EINVAL with `err`
 * saying why. */
int push_check_label(const char *label, struct ft_error *err);
/* 0 when `url` is http:// or https:// with a host; else -EINVAL with `err`. */
int push_check_url(const char *url, struct ft_error *err);

struct pusher;

/*
 * Starts a pusher (its thread, its spool: `o->spool_dir`, created 0700 if
 * missing, whose uploads left by an earlier run are sent first; or a
 * private directory). `o` is copied. NULL with `err` filled on failure.
 */
struct pusher *pusher_new(const struct push_options *o, struct ft_error *err);

/*
 * Queues `in` (borrowed for the call: encoded before it returns) as one
 * upload, or one per process with per_process; `sample_rate` is the
 * sampling frequency in Hz (0: unknown). Never waits for the network,
 * nor for the spool's writes (the pusher's thread makes them without the
 * queue's lock); only an upload dropped to make room has its spool file
 * removed here.
 * 0, or -1 with `err` filled (the encoding failed).
 */
int pusher_submit(struct pusher *ps, const struct export_input *in, uint32_t sample_rate,
		  struct ft_error *err);

struct push_status {
	uint64_t sent; /* uploads the server took */
	uint64_t rejected; /* refused by the server (4xx), not tried again */
	uint64_t dropped; /* dropped: did not fit in the spool, or out of tries */
	uint64_t pending; /* waiting to be sent */
	uint64_t errors; /* failed attempts, each its own line */
	char last_error[512]; /* the latest failure, one line; "" while none */
};
void pusher_status(struct pusher *ps, struct push_status *out);

/*
 * Stops the pusher after trying, for at most `wait_ns`, to send what is
 * pending: an upload in flight then is cut off (a hung server delays the
 * return by at most `wait_ns` and about a second). Uploads still pending stay in a spool directory the user gave
 * (sent by the next run with it) and are lost with a private one. Fills
 * `out` (may be NULL) with the final counts, then frees everything.
 */
void pusher_close(struct pusher *ps, uint64_t wait_ns, struct push_status *out);

/* --- The feeder -------------------------------------------------------------- */

struct push_feed;
/*
 * A feeder into `ps` (borrowed) of the samples of `event` of `p`
 * (borrowed; it may grow; -1: every event, an upload for each), one upload
 * per `interval_ns` of sample time (0: PUSH_DEFAULT_INTERVAL_NS). Caller frees with push_feed_free().
 */
struct push_feed *push_feed_new(struct pusher *ps, const struct profile *p, int event,
				uint64_t interval_ns);
/* Takes samples (copied), in about time order; submits each interval
 * once a sample past its end arrives. Submission errors go to the status. */
void push_feed_add(struct push_feed *f, const struct profile_sample *s, size_t n);
/* The time of the oldest sample held, not yet submitted (its thread's
 * name is read from the profile at submission); UINT64_MAX: none. */
uint64_t push_feed_held_from(const struct push_feed *f);
/* Submits what is held (the last, partial interval). */
void push_feed_flush(struct push_feed *f);
void push_feed_free(struct push_feed *f);

#endif
