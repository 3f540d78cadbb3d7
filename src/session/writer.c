/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The session writer: streams a profile to disk as it is recorded. Each
 * flush appends one or more self-contained data chunks (what is new since
 * the previous flush: strings, frames, call-tree nodes, code locations,
 * location chains, renamed threads, the samples in memory, lost counts), each a zlib-compressed JSON object
 * behind a small checksummed binary header (doc/session-format.md). A
 * chunk either reaches the file whole or, after a failed write, is cut off
 * again, so whatever has been flushed stays loadable if the recorder dies,
 * the disk fills or the machine loses power. A file replaced with `force`
 * is written beside the old one and renamed over it at the end, so the
 * old session is never lost to a recording that did not happen.
 */
#include "config.h"

#include "flametop/session.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "flametop/profile.h"
#include "flametop/util.h"
#include "format.h"

/*
 * What one data chunk may hold, counted in JSON values (a string's bytes
 * count one per 16), so the chunk's JSON stays well below the format's
 * 256 MiB limit (even with every byte escaped), the writer's transient
 * memory stays bounded when a whole imported profile is flushed at once,
 * and a reader's JSON tree of one chunk stays small (tens of MiB) next to
 * the memory budget it reads a file under (format.h).
 */
#define CHUNK_BUDGET (UINT32_C(1) << 19)
#define SAMPLES_PER_CHUNK (UINT32_C(1) << 16)
/* Longer strings (no real symbol is) are cut to this many bytes. */
#define MAX_STRING_BYTES (64u << 10)

struct session_writer {
	int fd;
	char *path; /* where the session ends up, as the caller named it */
	struct ft_outdir dir; /* its directory, held open; dir.name is in `path` */
	char *tmp_path; /* the name in `dir` it is written under when it replaces a file; or NULL */
	uint64_t offset; /* end of the last chunk written whole */
	bool begun; /* file header and header chunk written */
	bool has_data; /* a data or end chunk written whole: the file loads */

	/* Watermarks: what the file already holds. */
	uint32_t strings_done;
	uint32_t frames_done;
	uint32_t nodes_done; /* node 0, the root, is implicit */
	uint32_t locations_done; /* location 0, unknown, is implicit */
	uint32_t chains_done; /* chain 0, empty, is implicit */
	size_t samples_done; /* of p->samples, within a flush cut short */
	uint64_t lost_done, throttled_done;

	uint64_t last_time; /* of the last sample written, for deltas */
	uint64_t max_time;
	uint64_t samples_written;
};

/* Writes all of `buf` at `off`, retrying short writes and EINTR. 0 or -errno. */
static int write_all(int fd, const void *buf, size_t len, uint64_t off)
{
	const unsigned char *p = buf;

	while (len > 0) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

/*
 * Copies `s` into a new string that jansson accepts: at most `max` bytes,
 * each malformed UTF-8 sequence (overlong, surrogate, beyond U+10FFFF,
 * truncated) replaced by U+FFFD. Caller frees.
 */
static char *utf8_repair(const char *s, size_t max)
{
	static const char replacement[] = "\xef\xbf\xbd";
	const unsigned char *in = (const unsigned char *)s;
	size_t len = strnlen(s, max), i = 0, o = 0;
	char *out = xmalloc(len * 3 + 1);

	while (i < len) {
		unsigned c = in[i];
		uint32_t cp;
		size_t n, k;

		if (c < 0x80) {
			out[o++] = (char)c;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 2, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			n = 3, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 4, cp = c & 0x07;
		else
			goto bad;
		if (len - i < n)
			goto bad;
		for (k = 1; k < n; k++) {
			if ((in[i + k] & 0xc0) != 0x80)
				goto bad;
			cp = cp << 6 | (in[i + k] & 0x3f);
		}
		if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			goto bad;
		memcpy(out + o, in + i, n);
		o += n;
		i += n;
		continue;
bad:
		memcpy(out + o, replacement, 3);
		o += 3;
		i++;
	}
	out[o] = '\0';
	return out;
}

/* A JSON string for `s` (which may be any bytes). Never NULL. */
static json_t *jstr(const char *s)
{
	char *fixed = utf8_repair(s ? s : "", MAX_STRING_BYTES);
	json_t *j = json_string(fixed);

	free(fixed);
	return j ? j : json_string("?");
}

/* Integers above INT64_MAX do not occur in practice; clamp rather than wrap. */
static json_t *jint(uint64_t v)
{
	return json_integer(v > INT64_MAX ? INT64_MAX : (json_int_t)v);
}

static void set_str(json_t *obj, const char *key, const char *value)
{
	if (value)
		json_object_set_new(obj, key, jstr(value));
}

/*
 * Compresses `obj`'s compact JSON and appends it as one chunk of `type`,
 * after `prefix` (the file header, or nothing), in one write. On failure
 * the file is cut back to where it was. 0 or -errno.
 */
static int write_chunk(struct session_writer *w, uint32_t type, json_t *obj,
		       const void *prefix, size_t prefix_len)
{
	char *text = json_dumps(obj, JSON_COMPACT);
	unsigned char *buf = NULL, *hdr;
	size_t ulen;
	uLongf clen;
	int ret;

	if (!text)
		return -ENOMEM;
	ulen = strlen(text);
	if (ulen > SESSION_CHUNK_MAX_BYTES) {
		ret = -EFBIG;
		goto out_text;
	}
	clen = compressBound((uLong)ulen);
	buf = xmalloc(prefix_len + SESSION_CHUNK_HEADER_LEN + clen);
	hdr = buf + prefix_len;
	if (compress2(hdr + SESSION_CHUNK_HEADER_LEN, &clen, (const Bytef *)text, (uLong)ulen,
		      Z_DEFAULT_COMPRESSION) != Z_OK) {
		ret = -ENOMEM;
		goto out_buf;
	}
	if (prefix_len)
		memcpy(buf, prefix, prefix_len);
	session_put_u32(hdr, type);
	session_put_u32(hdr + 4, (uint32_t)clen);
	session_put_u32(hdr + 8, (uint32_t)ulen);
	session_put_u32(hdr + 12,
			(uint32_t)crc32(crc32(0, Z_NULL, 0), hdr + SESSION_CHUNK_HEADER_LEN,
					(uInt)clen));

	ret = write_all(w->fd, buf, prefix_len + SESSION_CHUNK_HEADER_LEN + clen, w->offset);
	if (ret < 0) {
		/* Best effort: a partial chunk left behind reads as a cut tail. */
		if (ftruncate(w->fd, (off_t)w->offset) < 0) {
			/* nothing more to do */
		}
		goto out_buf;
	}
	w->offset += prefix_len + SESSION_CHUNK_HEADER_LEN + clen;
out_buf:
	free(buf);
out_text:
	free(text);
	return ret;
}

/* "PATH: reason" for an errno from creating the file. */
static void open_error(struct ft_error *err, const char *path, int e)
{
	error_set(err, "%s: %s", path, strerror(e));
}

/*
 * Explains why the existing `name` in `dir` cannot be replaced: 0 when it
 * may be (`force` and a regular file), -1 with `err` filled otherwise.
 */
static int clear_existing(const struct ft_outdir *dir, const char *path, bool force,
			  struct ft_error *err)
{
	struct stat st;

	if (fstatat(dir->fd, dir->name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		open_error(err, path, errno);
		return -1;
	}
	if (S_ISLNK(st.st_mode)) {
		error_set(err, "%s: is a symbolic link (refusing to follow it)", path);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		error_set(err, "%s: is a directory", path);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		error_set(err, "%s: not a regular file (refusing to replace it)", path);
		return -1;
	}
	if (!force) {
		error_set(err, "%s: file exists (use --force to replace it)", path);
		return -1;
	}
	return 0;
}

/*
 * The directory is walked and held open (ft_outdir_open: as root, a path
 * through a directory someone else could change is refused), and every
 * later use (the file, its replacement, the rename) goes through it, so
 * nothing can be swapped in between; files are created exclusively, never
 * through a link, and under sudo given to the user when the directory is
 * theirs (ft_outdir_create).
 */
struct session_writer *session_writer_open(const char *path, bool force, struct ft_error *err)
{
	struct session_writer *w = xcalloc(1, sizeof(*w));
	int fd;

	w->path = xstrdup(path);
	if (ft_outdir_open(&w->dir, w->path, err) < 0)
		goto out_free;
	fd = ft_outdir_create(&w->dir, w->dir.name, 0600);
	if (fd == -EEXIST) {
		if (clear_existing(&w->dir, path, force, err) < 0)
			goto out_dir;
		/* The replacement: beside it (a rename cannot cross file
		 * systems), under a unique name. */
		fd = ft_outdir_create_partial(&w->dir, w->dir.name, 0600, &w->tmp_path);
		if (fd < 0) {
			error_set(err, "%s: cannot create a file to replace it with: %s", path,
				  strerror(-fd));
			goto out_dir;
		}
	}
	if (fd < 0) {
		open_error(err, path, -fd);
		goto out_dir;
	}
	w->fd = fd;
	w->nodes_done = 1;
	w->locations_done = 1;
	w->chains_done = 1;
	return w;
out_dir:
	ft_outdir_close(&w->dir);
out_free:
	free(w->path);
	free(w);
	return NULL;
}

int session_writer_begin(struct session_writer *w, const struct profile *p)
{
	const struct profile_meta *m = &p->meta;
	unsigned char fh[SESSION_FILE_HEADER_LEN];
	json_t *obj, *events;
	uint32_t i;
	int ret;

	if (w->begun)
		return 0;
	memcpy(fh, SESSION_MAGIC, SESSION_MAGIC_LEN);
	session_put_u16(fh + 8, SESSION_VERSION_MAJOR);
	session_put_u16(fh + 10, SESSION_VERSION_MINOR);
	session_put_u32(fh + 12, 0);

	obj = json_object();
	json_object_set_new(obj, "format", json_string(SESSION_FORMAT_NAME));
	json_object_set_new(obj, "version",
			    json_pack("[ii]", SESSION_VERSION_MAJOR, SESSION_VERSION_MINOR));
	set_str(obj, "host", m->host);
	set_str(obj, "kernel", m->kernel);
	set_str(obj, "flametop_version", m->flametop_version);
	set_str(obj, "command_line", m->command_line);
	set_str(obj, "target", m->target);
	set_str(obj, "call_graph", m->call_graph);
	json_object_set_new(obj, "start_wall_ns", jint(m->start_wall_ns));
	json_object_set_new(obj, "start_mono_ns", jint(m->start_mono_ns));
	json_object_set_new(obj, "frequency", jint(m->frequency));
	events = json_array();
	for (i = 0; i < p->nevents; i++) {
		json_t *e = json_object();

		json_object_set_new(e, "name", jstr(p->events[i].name));
		json_object_set_new(e, "unit", jstr(p->events[i].unit));
		if (p->events[i].leader >= 0)
			json_object_set_new(e, "leader", jint((uint64_t)p->events[i].leader));
		json_array_append_new(events, e);
	}
	json_object_set_new(obj, "events", events);

	ret = write_chunk(w, SESSION_CHUNK_HEADER, obj, fh, sizeof(fh));
	json_decref(obj);
	if (ret == 0)
		w->begun = true;
	return ret;
}

/* Orders sample indices by time, then by position (a stable sort). */
static int cmp_sample(const void *a, const void *b, void *arg)
{
	const struct profile_sample *samples = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	uint64_t tx = samples[x].time, ty = samples[y].time;

	if (tx != ty)
		return tx < ty ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* Sample indices of `p` in time order. Caller frees. */
static size_t *sorted_samples(const struct profile *p)
{
	size_t *order = xreallocarray(NULL, p->nsamples ? p->nsamples : 1, sizeof(*order));
	size_t i;

	for (i = 0; i < p->nsamples; i++)
		order[i] = i;
	qsort_r(order, p->nsamples, sizeof(*order), cmp_sample, p->samples);
	return order;
}

/* Where one data chunk ends: exclusive upper bounds of what it holds. */
struct chunk_plan {
	uint32_t strings, frames, nodes, locations, chains;
	uint32_t threads_from, threads_to; /* range of thread indices scanned */
	size_t samples;
	uint64_t lost, throttled;
};

/* Whether any of the samples order[from, to) has a location; a chain. */
static bool any_location(const struct profile *p, const size_t *order, size_t from, size_t to)
{
	for (; from < to; from++)
		if (p->samples[order[from]].location != PROFILE_NO_LOCATION)
			return true;
	return false;
}

static bool any_chain(const struct profile *p, const size_t *order, size_t from, size_t to)
{
	for (; from < to; from++)
		if (p->samples[order[from]].chain != PROFILE_NO_CHAIN)
			return true;
	return false;
}

/*
 * Fills the next chunk, in dependency order (strings, frames, nodes,
 * locations, chains, threads, samples: a later kind starts only when the earlier ones are
 * all written, so every id a chunk uses is defined by then), up to the
 * budget. Returns the chunk's JSON, or NULL when nothing is left.
 */
static json_t *plan_chunk(const struct session_writer *w, const struct profile *p,
			  const size_t *order, uint32_t threads_from, struct chunk_plan *c)
{
	uint64_t budget = CHUNK_BUDGET;
	bool all = true;
	json_t *obj = json_object(), *arr;

	memset(c, 0, sizeof(*c));
	c->lost = p->meta.lost > w->lost_done ? p->meta.lost - w->lost_done : 0;
	c->throttled =
		p->meta.throttled > w->throttled_done ? p->meta.throttled - w->throttled_done : 0;
	if (c->lost)
		json_object_set_new(obj, "lost", jint(c->lost));
	if (c->throttled)
		json_object_set_new(obj, "throttled", jint(c->throttled));

	c->strings = w->strings_done;
	if (c->strings < p->strings.len) {
		arr = json_array();
		while (c->strings < p->strings.len && budget > 0) {
			const char *s = profile_string(p, c->strings++);
			uint64_t cost = 1 + strnlen(s, MAX_STRING_BYTES) / 16;

			json_array_append_new(arr, jstr(s));
			budget = budget > cost ? budget - cost : 0;
		}
		json_object_set_new(obj, "strings", arr);
	}
	all = c->strings == p->strings.len;

	c->frames = w->frames_done;
	if (all && c->frames < p->nframes) {
		arr = json_array();
		for (; c->frames < p->nframes && budget >= 4; c->frames++, budget -= 4) {
			const struct profile_frame *f = &p->frames[c->frames];

			json_array_append_new(arr, json_pack("[III]", (json_int_t)f->name,
							     (json_int_t)f->module,
							     (json_int_t)f->kind));
		}
		json_object_set_new(obj, "frames", arr);
	}
	all = all && c->frames == p->nframes;

	c->nodes = w->nodes_done;
	if (all && c->nodes < p->nnodes) {
		arr = json_array();
		for (; c->nodes < p->nnodes && budget >= 3; c->nodes++, budget -= 3) {
			const struct profile_node *n = &p->nodes[c->nodes];

			json_array_append_new(arr, json_pack("[II]", (json_int_t)n->parent,
							     (json_int_t)n->frame));
		}
		json_object_set_new(obj, "nodes", arr);
	}
	all = all && c->nodes == p->nnodes;

	c->locations = w->locations_done;
	if (all && c->locations < p->nlocations) {
		arr = json_array();
		for (; c->locations < p->nlocations && budget >= 3; c->locations++, budget -= 3) {
			const struct profile_location *l = &p->locations[c->locations];

			json_array_append_new(arr, json_pack("[Io]", (json_int_t)l->frame,
							     jint(l->offset)));
		}
		json_object_set_new(obj, "locations", arr);
	}
	all = all && c->locations == p->nlocations;

	c->chains = w->chains_done;
	if (all && c->chains < p->nchains) {
		arr = json_array();
		for (; c->chains < p->nchains && budget >= 3; c->chains++, budget -= 3) {
			const struct profile_chain *ch = &p->chains[c->chains];

			json_array_append_new(arr, json_pack("[II]", (json_int_t)ch->parent,
							     (json_int_t)ch->location));
		}
		json_object_set_new(obj, "chains", arr);
	}
	all = all && c->chains == p->nchains;

	c->threads_from = c->threads_to = threads_from;
	if (all) {
		arr = json_array();
		for (; c->threads_to < p->nthreads && budget >= 4; c->threads_to++) {
			const struct profile_thread *t = &p->threads[c->threads_to];

			if (!t->dirty)
				continue;
			json_array_append_new(arr, json_pack("[III]", (json_int_t)t->pid,
							     (json_int_t)t->tid,
							     (json_int_t)t->comm));
			budget -= 4;
		}
		if (json_array_size(arr))
			json_object_set_new(obj, "threads", arr);
		else
			json_decref(arr);
	}
	all = all && c->threads_to == p->nthreads;

	c->samples = w->samples_done;
	if (all && c->samples < p->nsamples && budget >= 9) {
		enum { NFIXED = 7 };
		static const char *const names[] = { "time", "weight", "node",	   "pid", "tid",
						     "cpu",  "event",  "location", "chain" };
		json_t *cols[ARRAY_SIZE(names)] = { NULL }, *samples = json_object();
		uint64_t last = w->last_time;
		size_t i, k, end = p->nsamples;

		if (end - c->samples > SAMPLES_PER_CHUNK)
			end = c->samples + SAMPLES_PER_CHUNK;
		if (end - c->samples > budget / 9)
			end = c->samples + budget / 9;
		for (k = 0; k < NFIXED; k++)
			cols[k] = json_array();
		/* The location and chain columns only where they say something
		 * (1.2, 1.4). */
		if (any_location(p, order, c->samples, end))
			cols[7] = json_array();
		if (any_chain(p, order, c->samples, end))
			cols[8] = json_array();
		for (i = c->samples; i < end; i++) {
			const struct profile_sample *s = &p->samples[order[i]];

			json_array_append_new(cols[0], json_integer((json_int_t)(s->time - last)));
			json_array_append_new(cols[1], jint(s->weight));
			json_array_append_new(cols[2], json_integer(s->node));
			json_array_append_new(cols[3], json_integer(s->pid));
			json_array_append_new(cols[4], json_integer(s->tid));
			json_array_append_new(cols[5], json_integer(s->cpu));
			json_array_append_new(cols[6], json_integer(s->event));
			if (cols[7])
				json_array_append_new(cols[7], json_integer(s->location));
			if (cols[8])
				json_array_append_new(cols[8], json_integer(s->chain));
			last = s->time;
		}
		for (k = 0; k < ARRAY_SIZE(names); k++)
			if (cols[k])
				json_object_set_new(samples, names[k], cols[k]);
		json_object_set_new(obj, "samples", samples);
		c->samples = end;
	}

	if (json_object_size(obj) == 0) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

/* Advances the watermarks past a chunk that reached the file. */
static void commit_chunk(struct session_writer *w, struct profile *p, const size_t *order,
			 const struct chunk_plan *c)
{
	size_t i;
	uint32_t t;

	w->strings_done = c->strings;
	w->frames_done = c->frames;
	w->nodes_done = c->nodes;
	w->locations_done = c->locations;
	w->chains_done = c->chains;
	for (t = c->threads_from; t < c->threads_to; t++)
		p->threads[t].dirty = false;
	for (i = w->samples_done; i < c->samples; i++) {
		uint64_t time = p->samples[order[i]].time;

		w->last_time = time;
		if (time > w->max_time)
			w->max_time = time;
		w->samples_written++;
	}
	w->samples_done = c->samples;
	w->lost_done += c->lost;
	w->throttled_done += c->throttled;
}

/*
 * After a failure part way, the chunks already written stay written and a
 * later flush resumes after them, as long as the caller has not touched
 * the samples in between.
 */
int session_writer_flush(struct session_writer *w, struct profile *p)
{
	uint32_t threads_from = 0;
	size_t *order;
	int ret = 0;

	if (!w->begun && (ret = session_writer_begin(w, p)) < 0)
		return ret;
	if (w->samples_done > p->nsamples)
		w->samples_done = 0;
	order = sorted_samples(p);
	for (;;) {
		struct chunk_plan c;
		json_t *obj = plan_chunk(w, p, order, threads_from, &c);

		if (!obj)
			break;
		ret = write_chunk(w, SESSION_CHUNK_DATA, obj, NULL, 0);
		json_decref(obj);
		if (ret < 0)
			goto out_order;
		w->has_data = true;
		commit_chunk(w, p, order, &c);
		threads_from = c.threads_to;
	}
	w->samples_done = 0; /* the caller clears them now */
out_order:
	free(order);
	return ret;
}

static void writer_free(struct session_writer *w)
{
	ft_outdir_close(&w->dir);
	free(w->path);
	free(w->tmp_path);
	free(w);
}

/*
 * Renames a replacement over the old file, but only one that holds data:
 * a replacement that stopped before its first data chunk (ENOSPC) would
 * not load, so it is removed and the old file stays. 0 or -errno.
 */
static int put_in_place(struct session_writer *w)
{
	if (!w->tmp_path)
		return 0;
	if (!w->has_data) {
		unlinkat(w->dir.fd, w->tmp_path, 0);
		free(w->tmp_path);
		w->tmp_path = NULL;
		return 0;
	}
	if (renameat(w->dir.fd, w->tmp_path, w->dir.fd, w->dir.name) < 0)
		return -errno;
	free(w->tmp_path);
	w->tmp_path = NULL;
	return 0;
}

int session_writer_close(struct session_writer *w, struct profile *p)
{
	json_t *obj;
	int ret, rename_ret;

	ret = session_writer_flush(w, p);
	if (ret < 0)
		goto out_close;
	obj = json_object();
	json_object_set_new(obj, "duration_ns",
			    jint(p->meta.duration_ns ? p->meta.duration_ns : w->max_time));
	json_object_set_new(obj, "samples", jint(w->samples_written));
	json_object_set_new(obj, "lost", jint(w->lost_done));
	json_object_set_new(obj, "throttled", jint(w->throttled_done));
	if (p->meta.recorder_peak_rss)
		json_object_set_new(obj, "recorder_peak_rss", jint(p->meta.recorder_peak_rss));
	if (p->folded)
		json_object_set_new(obj, "folded", jint(p->folded));
	ret = write_chunk(w, SESSION_CHUNK_END, obj, NULL, 0);
	json_decref(obj);
	if (ret < 0)
		goto out_close;
	w->has_data = true;
	if (fsync(w->fd) < 0)
		ret = -errno;
out_close:
	if (close(w->fd) < 0 && ret == 0)
		ret = -errno;
	/* Even after an error: what was written is the session now. */
	rename_ret = put_in_place(w);
	if (rename_ret < 0 && ret == 0)
		ret = rename_ret;
	ft_outdir_sync(&w->dir);
	writer_free(w);
	return ret;
}

void session_writer_abort(struct session_writer *w)
{
	if (!w)
		return;
	if (fsync(w->fd) < 0) {
		/* what reached the file stays there either way */
	}
	close(w->fd);
	if (put_in_place(w) < 0) {
		/* the session stays readable under its temporary name */
	}
	ft_outdir_sync(&w->dir);
	writer_free(w);
}

bool session_writer_keeps_old(const struct session_writer *w)
{
	return w->tmp_path && !w->has_data;
}

void session_writer_discard(struct session_writer *w)
{
	if (!w)
		return;
	close(w->fd);
	unlinkat(w->dir.fd, w->tmp_path ? w->tmp_path : w->dir.name, 0);
	writer_free(w);
}
