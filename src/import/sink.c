/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where importers put what they read, and what writes it out as a session.
 *
 * A session's header lists every event, and the header comes first; an
 * import learns its events as it reads (a perf script names a new event
 * whenever it first shows up, and a second input brings its own). So the
 * sink holds the samples back until every input is read: a batch in the
 * profile, and beyond that an unlinked spool file of fixed-size records,
 * which keeps memory bounded by the call tree (capped at IMPORT_MAX_NODES)
 * and one batch, however many samples a multi-GB input has. The spool also
 * lets each input's times be moved to start at 0 once its earliest sample
 * is known. At the end the session is written the way `record` writes one:
 * the header, then chunks of at most one batch of samples each.
 */
#include "config.h"

#include "flametop/import.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flametop/util.h"

/* Samples held in memory before they go to the spool. */
#define BATCH (1u << 16)

struct sink_input {
	char *name;
	uint64_t first, end; /* [first, end): its samples' numbers over all inputs */
	uint64_t min_time, max_time;
};

/* The distinct values the inputs stated for one metadata field. */
struct sink_meta {
	char *values[IMPORT_META_VALUES];
	size_t n;
	bool more; /* another value beyond those kept */
};

struct import_sink {
	struct session_writer *w;
	char *out_name;
	struct profile *p;
	struct sink_input *inputs;
	size_t ninputs;
	uint64_t nsamples; /* over all inputs */
	uint64_t counted; /* the samples they stand for (import_sink_counted()) */
	bool by_record; /* the importer counts them (import_sink_count()) */
	uint64_t weight_total; /* over all inputs, at most INT64_MAX (a session's limit) */
	import_where_fn where; /* the current input's, or NULL */
	const void *where_ctx;
	int spool_fd; /* -1 until the first batch is spilled */
	uint64_t spooled; /* samples in the spool */
	struct sink_meta meta[IMPORT_META__COUNT];
	/* Thread and process IDs (one namespace, keys ID + 1): the input that
	 * first named each, and the current input's IDs as the session has
	 * them, for an ID another input used for another thread. */
	struct u64map id_owner; /* ID -> input index + 1 */
	struct u64map id_map; /* the current input's ID -> the session's */
	uint32_t next_id; /* the next new ID, from IMPORT_FIRST_NEW_ID */
};

struct import_sink *import_sink_new(struct session_writer *w, const char *out_name)
{
	struct import_sink *s = xcalloc(1, sizeof(*s));

	s->w = w;
	s->out_name = xstrdup(out_name);
	s->p = profile_new();
	s->spool_fd = -1;
	u64map_init(&s->id_owner);
	u64map_init(&s->id_map);
	s->next_id = IMPORT_FIRST_NEW_ID;
	return s;
}

void import_sink_free(struct import_sink *s)
{
	size_t i;

	if (!s)
		return;
	if (s->w)
		session_writer_discard(s->w);
	if (s->spool_fd >= 0)
		close(s->spool_fd);
	for (i = 0; i < s->ninputs; i++)
		free(s->inputs[i].name);
	free(s->inputs);
	for (i = 0; i < IMPORT_META__COUNT; i++)
		for (size_t k = 0; k < s->meta[i].n; k++)
			free(s->meta[i].values[k]);
	u64map_free(&s->id_owner);
	u64map_free(&s->id_map);
	profile_free(s->p);
	free(s->out_name);
	free(s);
}

struct profile *import_sink_profile(struct import_sink *s)
{
	return s->p;
}

uint64_t import_sink_samples(const struct import_sink *s)
{
	return s->nsamples;
}

uint64_t import_sink_counted(const struct import_sink *s)
{
	return s->counted;
}

void import_sink_count_by_record(struct import_sink *s, bool by_record)
{
	s->by_record = by_record;
}

void import_sink_count(struct import_sink *s, uint64_t n)
{
	s->counted += n;
}

/* Starts the next input, named `name`. */
static void add_input(struct import_sink *s, const char *name)
{
	struct sink_input *in;

	s->inputs = xreallocarray(s->inputs, s->ninputs + 1, sizeof(*s->inputs));
	in = &s->inputs[s->ninputs++];
	in->name = xstrdup(name);
	in->first = in->end = s->nsamples;
	in->min_time = UINT64_MAX;
	in->max_time = 0;
}

void import_sink_begin_input(struct import_sink *s, const char *name)
{
	/* Each input's IDs are its own. */
	u64map_free(&s->id_map);
	u64map_init(&s->id_map);
	add_input(s, name);
	s->where = NULL;
	s->where_ctx = NULL;
}

void import_sink_set_where(struct import_sink *s, import_where_fn fn, const void *ctx)
{
	s->where = fn;
	s->where_ctx = ctx;
}

/* The profile's field that `field` fills. */
static char **meta_field(struct profile *p, enum import_meta field)
{
	return field == IMPORT_META_HOST ? &p->meta.host : &p->meta.kernel;
}

/* Writes the values of `m` into the profile's field `to`, joined. */
static void meta_join(const struct sink_meta *m, char **to)
{
	size_t size = IMPORT_META_VALUES * (IMPORT_MAX_META + 2) + 32, len = 0, k;
	char *buf = xmalloc(size);

	buf[0] = '\0';
	for (k = 0; k < m->n; k++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s", k ? ", " : "", m->values[k]);
	if (m->more)
		snprintf(buf + len, size - len, " and others");
	profile_meta_set(to, buf);
	free(buf);
}

void import_sink_meta(struct import_sink *s, enum import_meta field, const char *value)
{
	struct sink_meta *m = &s->meta[field];
	size_t len = strnlen(value, IMPORT_MAX_META), k;

	while (len && (value[len - 1] == ' ' || value[len - 1] == '\t'))
		len--;
	if (!len)
		return;
	for (k = 0; k < m->n; k++)
		if (strlen(m->values[k]) == len && memcmp(m->values[k], value, len) == 0)
			return;
	if (m->n < IMPORT_META_VALUES)
		m->values[m->n++] = xstrndup(value, len);
	else
		m->more = true;
	meta_join(m, meta_field(s->p, field));
}

/* Adds the event `name` in `unit` when there is room: 0, or -1 with `err`
 * filled. */
static int add_event(struct import_sink *s, const char *name, const char *unit, uint32_t *id,
		     struct ft_error *err)
{
	if (s->p->nevents >= IMPORT_MAX_EVENTS) {
		error_set(err, "%s: more than %u events (the limit)",
			  s->ninputs ? s->inputs[s->ninputs - 1].name : "input", IMPORT_MAX_EVENTS);
		return -1;
	}
	*id = profile_add_event(s->p, name, unit);
	return 0;
}

int import_sink_event(struct import_sink *s, const char *name, const char *unit, uint32_t *id,
		      struct ft_error *err)
{
	struct profile *p = s->p;
	char *other;
	int i = profile_find_event(p, name), r = 0;

	if (i >= 0 && strcmp(p->events[i].unit, unit) == 0) {
		*id = (uint32_t)i;
		return 0;
	}
	if (i < 0)
		return add_event(s, name, unit, id, err);
	other = xasprintf("%s (%s)", name, unit);
	i = profile_find_event(p, other);
	if (i >= 0)
		*id = (uint32_t)i;
	else
		r = add_event(s, other, unit, id, err);
	free(other);
	return r;
}

void import_sink_lost(struct import_sink *s, uint64_t n)
{
	uint64_t *lost = &s->p->meta.lost;

	*lost = n > (uint64_t)INT64_MAX - *lost ? (uint64_t)INT64_MAX : *lost + n;
}

/* The session's ID for the current input's thread or process ID `id`. */
static uint32_t session_id(const struct import_sink *s, uint32_t id)
{
	uint32_t to;

	return u64map_get(&s->id_map, (uint64_t)id + 1, &to) ? to : id;
}

/* Gives the current input's ID `id` a new one in the session. */
static void new_id(struct import_sink *s, uint32_t id)
{
	uint32_t to = s->next_id < UINT32_MAX ? s->next_id++ : UINT32_MAX;

	u64map_put(&s->id_map, (uint64_t)id + 1, to);
}

/*
 * Decides, the first time the current input names the thread `tid` of
 * `pid`, which ID the session gives it: its own, unless another input
 * named the thread `tid` already and that one is another thread (of
 * another process, or named otherwise): then a new one. A process's ID
 * is its main thread's (tid == pid), decided so.
 */
static void map_thread(struct import_sink *s, uint32_t pid, uint32_t tid, const char *comm)
{
	uint32_t self = (uint32_t)s->ninputs, owner = 0, unused;
	const struct profile_thread *t;

	if (u64map_get(&s->id_map, (uint64_t)tid + 1, &unused))
		return;
	u64map_get(&s->id_owner, (uint64_t)tid + 1, &owner);
	t = profile_find_thread(s->p, tid);
	if (owner && owner != self && t &&
	    (t->pid != pid || strcmp(profile_string(s->p, t->comm), comm) != 0)) {
		new_id(s, tid);
		return;
	}
	u64map_put(&s->id_map, (uint64_t)tid + 1, tid);
	if (!owner)
		u64map_put(&s->id_owner, (uint64_t)tid + 1, self);
}

void import_sink_thread(struct import_sink *s, uint32_t pid, uint32_t tid, const char *comm)
{
	const struct profile_thread *t;

	if (s->ninputs == 0)
		add_input(s, "input");
	map_thread(s, pid, tid, comm);
	pid = session_id(s, pid);
	tid = session_id(s, tid);
	t = profile_find_thread(s->p, tid);

	if (t && t->pid == pid && strcmp(profile_string(s->p, t->comm), comm) == 0)
		return;
	profile_set_thread(s->p, pid, tid, comm);
}

uint32_t import_sink_stack(struct import_sink *s, const uint32_t *frames, size_t n)
{
	uint32_t node = PROFILE_ROOT;
	size_t i;

	for (i = 0; i < n; i++)
		node = profile_intern_node(s->p, node, frames[i]);
	return node;
}

/* Writes the samples held in memory to the spool. 0, or -1 with `err`. */
static int spill(struct import_sink *s, struct ft_error *err)
{
	const char *dir = getenv("TMPDIR");
	const unsigned char *at = (const unsigned char *)s->p->samples;
	size_t left = s->p->nsamples * sizeof(*s->p->samples);

	if (!dir || !*dir)
		dir = "/tmp";
	if (s->spool_fd < 0) {
		s->spool_fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
		if (s->spool_fd < 0) {
			char *path = xasprintf("%s/flametop-import-XXXXXX", dir);

			s->spool_fd = mkostemp(path, O_CLOEXEC);
			if (s->spool_fd >= 0)
				unlink(path);
			free(path);
		}
		if (s->spool_fd < 0) {
			error_set(err, "%s: cannot create a spool file in %s: %s", s->out_name, dir,
				  strerror(errno));
			return -1;
		}
	}
	while (left > 0) {
		ssize_t n = write(s->spool_fd, at, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			error_set(err, "%s: cannot write the spool file in %s: %s", s->out_name, dir,
				  n < 0 ? strerror(errno) : "short write");
			return -1;
		}
		at += n;
		left -= (size_t)n;
	}
	s->spooled += s->p->nsamples;
	profile_clear_samples(s->p);
	return 0;
}

int import_sink_sample(struct import_sink *s, const struct profile_sample *sample,
		       struct ft_error *err)
{
	const struct profile *p = s->p;
	struct profile_sample mapped;
	struct sink_input *in;
	uint64_t total;

	if (s->ninputs == 0)
		add_input(s, "input"); /* an importer run alone: its where stays */
	in = &s->inputs[s->ninputs - 1];
	if (p->nnodes > IMPORT_MAX_NODES || p->nframes > IMPORT_MAX_NODES ||
	    p->strings.len > IMPORT_MAX_NODES) {
		error_set(err, "%s: more than %u distinct stacks, functions or names (the limit)",
			  in->name, IMPORT_MAX_NODES);
		return -1;
	}
	/* A session's reader refuses a file whose weights add up past 2^63 - 1,
	 * or whose times do (each input's are rebased to start at 0). */
	if (__builtin_add_overflow(s->weight_total, sample->weight, &total) || total > INT64_MAX ||
	    sample->time > INT64_MAX) {
		char where[sizeof(err->msg)];

		if (s->where)
			s->where(s->where_ctx, where, sizeof(where));
		else
			snprintf(where, sizeof(where), "%s", in->name);
		if (sample->time > INT64_MAX)
			error_set(err, "%s: a time of 2^63 ns or more (the limit)", where);
		else
			error_set(err, "%s: the weights of the samples add up past 2^63 - 1%s",
				  where, s->ninputs > 1 ? " (with the inputs before it)" : "");
		return -1;
	}
	s->weight_total = total;
	if (s->id_map.len) {
		mapped = *sample;
		mapped.pid = session_id(s, sample->pid);
		mapped.tid = session_id(s, sample->tid);
		sample = &mapped;
	}
	if (sample->time < in->min_time)
		in->min_time = sample->time;
	if (sample->time > in->max_time)
		in->max_time = sample->time;
	profile_add_sample(s->p, sample);
	in->end = ++s->nsamples;
	/* Below 2^64: the weights counted add up to at most INT64_MAX, and
	 * the samples counted as 1 are fewer than that. */
	if (!s->by_record)
		s->counted += profile_event_counts_samples(p, sample->event) ? sample->weight : 1;
	if (s->p->nsamples >= BATCH)
		return spill(s, err);
	return 0;
}

/* Moves the samples numbered [first, first + n) (in `samples`) to the
 * time of their input, rebased to start at 0. */
static void rebase(const struct import_sink *s, struct profile_sample *samples, size_t n,
		   uint64_t first)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		uint64_t num = first + i;

		while (k < s->ninputs && num >= s->inputs[k].end)
			k++;
		if (k < s->ninputs)
			samples[i].time -= s->inputs[k].min_time;
	}
}

static int write_error(struct import_sink *s, int ret, struct ft_error *err)
{
	error_set(err, "%s: cannot write the session: %s", s->out_name, strerror(-ret));
	return -1;
}

/* Reads the spool back a batch at a time, writing each as chunks. */
static int replay_spool(struct import_sink *s, struct ft_error *err)
{
	struct profile *p = s->p;
	struct profile_sample *batch = xreallocarray(NULL, BATCH, sizeof(*batch));
	uint64_t done = 0;
	int ret = -1;

	if (lseek(s->spool_fd, 0, SEEK_SET) < 0) {
		error_set(err, "%s: cannot read the spool file: %s", s->out_name, strerror(errno));
		goto out;
	}
	while (done < s->spooled) {
		size_t want = s->spooled - done < BATCH ? (size_t)(s->spooled - done) : BATCH;
		size_t bytes = want * sizeof(*batch), got = 0, i;
		int r;

		while (got < bytes) {
			ssize_t n = read(s->spool_fd, (char *)batch + got, bytes - got);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				error_set(err, "%s: cannot read the spool file: %s", s->out_name,
					  n < 0 ? strerror(errno) : "it is shorter than written");
				goto out;
			}
			got += (size_t)n;
		}
		rebase(s, batch, want, done);
		for (i = 0; i < want; i++)
			profile_add_sample(p, &batch[i]);
		r = session_writer_flush(s->w, p);
		if (r < 0) {
			write_error(s, r, err);
			goto out;
		}
		profile_clear_samples(p);
		done += want;
	}
	ret = 0;
out:
	free(batch);
	return ret;
}

int import_sink_finish(struct import_sink *s, struct ft_error *err)
{
	struct profile *p = s->p;
	struct session_writer *w = s->w;
	size_t i;
	int r;

	if (!w) {
		error_set(err, "%s: no session writer", s->out_name);
		return -1;
	}
	if (s->spool_fd >= 0 && p->nsamples > 0 && spill(s, err) < 0)
		return -1;
	for (i = 0; i < s->ninputs; i++) {
		const struct sink_input *in = &s->inputs[i];

		if (in->end > in->first && in->max_time - in->min_time > p->meta.duration_ns)
			p->meta.duration_ns = in->max_time - in->min_time;
	}
	r = session_writer_begin(w, p);
	if (r < 0)
		return write_error(s, r, err);
	if (s->spool_fd >= 0) {
		/* The call tree first, in its own chunks; then the samples. */
		r = session_writer_flush(w, p);
		if (r < 0)
			return write_error(s, r, err);
		if (replay_spool(s, err) < 0)
			return -1;
	} else {
		rebase(s, p->samples, p->nsamples, 0);
	}
	s->w = NULL;
	r = session_writer_close(w, p);
	if (r < 0)
		return write_error(s, r, err);
	return 0;
}
