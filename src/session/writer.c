/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The session writer: streams a profile to disk as it is recorded. Each
 * flush appends self-contained chunks of what is new since the previous
 * flush: data chunks (strings, frames, renamed threads, lost counts; JSON),
 * tables chunks (call-tree nodes, code locations), chains chunks (location
 * chains, coded by the call tree) and samples chunks (the samples in
 * memory; binary columns), each compressed
 * with zlib behind a small checksummed binary header
 * (doc/session-format.md). A chunk either reaches the file whole or, after
 * a failed write, is cut off again, so whatever has been flushed stays
 * loadable if the recorder dies, the disk fills or the machine loses
 * power. A file replaced with `force` is written beside the old one and
 * renamed over it at the end, so the old session is never lost to a
 * recording that did not happen.
 */
#include "config.h"

#include "flametop/session.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
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
/* Nodes and locations in one tables chunk, or chains in one chains chunk:
 * at most 20 MiB (30 MiB) of block. */
#define TABLES_PER_CHUNK (UINT32_C(1) << 20)
/* A data chunk's JSON or a tables block of fewer bytes is deflated as
 * one part: the codes of each part would cost more than they save (a
 * long recording's later flushes make a few new names and nodes). */
#define PARTS_MIN_BYTES 1024
/* Longer strings (no real symbol is) are cut to this many bytes. */
#define MAX_STRING_BYTES (64u << 10)

/*
 * The node column's coding by estimate (put_column(), COL_SMALLER). Its trial
 * deflates the column both ways, each about as much work as deflating
 * the rest of the block. But from one chunk to the next a recording's
 * nodes keep their character, so the ratio of the two codings' order-0
 * entropies (nearly free: looks_random() counts the bytes anyway)
 * predicts the ratio of their deflated sizes once a trial has scaled it.
 * A chunk of at least RANDOM_MIN_BYTES samples whose entropy ratio, and
 * whose varints' entropy a value, are within ESTIMATE_SIMILAR of the last
 * trial's chunk's, and whose scaled prediction is clear of a tie by
 * ESTIMATE_MARGIN, is coded by the prediction, at most ESTIMATE_CHUNKS in
 * a row; any other goes to trial, which scales again. Within one kind of
 * recording the scale stays within about 1 %; from one kind to another it
 * moves by up to half, which the ratio catches, or the entropy a value:
 * once column 13 codes leaves by their place among the leaves, leaves
 * drawn a few often and leaves drawn evenly make the same ratio (0.86),
 * yet the first's varints deflate 10 % smaller than its planes, and the
 * second's 11 % larger. On bench/timeline's hours (Zipf and uniform, with
 * and without addresses), test_session's recordings and system-wide
 * recordings of bench/work the prediction picks what the trial picks
 * every time (test_estimate_bytes); it spares 1600 of the 3600 trials of
 * a synthetic hour (whose two codings come within 2 % of each other: a
 * tie that goes to trial). A real recording's ratio drifts as new leaves
 * come, which spares fewer.
 */
#define ESTIMATE_SIMILAR 0.02
#define ESTIMATE_MARGIN 0.02
#define ESTIMATE_CHUNKS 16u
struct coding_memo {
	double ratio; /* the planes' entropy over the varints', at the last trial */
	double bits; /* the varints' entropy a value then */
	double scale; /* the trial's size ratio over that; 0: no trial to go by */
	unsigned since; /* chunks coded by prediction since */
};

/*
 * A samples column's zlib strategy, past column_zlib's. LZ77 matching is
 * most of deflate's time, and on some columns it buys nothing: a
 * synthetic hour's nodes, threads and weights, drawn at random, deflate
 * to no fewer bytes than their order-0 entropy, which Huffman codes alone
 * reach (or beat: chance short matches cost more than literals) in a
 * fraction of the time. Yet a real recording's threads come in runs,
 * which matching makes 40 % smaller, and a time column's deltas repeat.
 * So each column's part (each plane, or the varints: one slot) is
 * checked every STRATEGY_CHUNKS parts: deflated as column_zlib says, it
 * came out at no fewer bytes than its order-0 entropy and the
 * HUFFMAN_CODES_BYTES that Huffman codes of their own take in a block
 * (matching bought nothing) or at fewer; the slot's next parts are
 * Z_HUFFMAN_ONLY or as column_zlib says by that verdict. (At 98 % of the
 * entropy and no allowance, two 30 s system-wide recordings took 1 %
 * more bytes than without Huffman codes; with it, 0.4 % more and 1.2 %
 * fewer.) Parts under
 * RANDOM_MIN_BYTES go as column_zlib says. (A node column's trial,
 * planes_smaller(), deflates at level 1 still: where Huffman codes are
 * chosen, both come to about the entropy.)
 */
#define HUFFMAN_CODES_BYTES 32
#define STRATEGY_CHUNKS 16u
#define STRATEGY_SLOTS ((SESSION_COL_LAST + 1) * 9)
struct strategy_memo {
	bool huffman; /* the last check's verdict */
	unsigned char left; /* parts to code by it before the next check */
};

struct session_writer {
	int fd;
	char *path; /* where the session ends up, as the caller named it */
	struct ft_outdir dir; /* its directory, held open; dir.name is in `path` */
	char *tmp_path; /* the name in `dir` it is written under when it replaces a file; or NULL */
	uint64_t offset; /* end of the last chunk written whole */
	bool begun; /* file header and header chunk written */
	bool has_data; /* a whole flush or the end chunk written: the file holds data */

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

	/* Column 9's state (format.h): each node's recent chains, by node id,
	 * and the largest chain written; and what the samples chunk being
	 * written changed in it, taken back when the chunk does not reach
	 * the file. */
	struct session_recent recent;
	uint32_t chain_max;
	struct recent_undo *undo; /* one per sample of the chunk */
	size_t undo_cap, nundo; /* nundo: 0 for a chunk without column 9 */
	uint32_t undo_chain_max;
	/* Column 13's state (format.h): the leaves named by the samples
	 * written, and how many there were, and `next`, before the chunk
	 * being written. */
	struct session_leaves leaves;
	size_t undo_leaves_len;
	uint32_t undo_leaves_next;
	/* The chains chunks' state (format.h) after the chains written, and
	 * each chain's node (0: none, and the empty chain's, the root's).
	 * `chains_stale`: a chains chunk did not reach the file, so the state
	 * is made again from the chains that did before the next one, as
	 * they were coded: each chunk's end and the nodes there were then
	 * (a node made since may be the one a code would name now). */
	struct session_chains_state chains;
	uint32_t *chain_node;
	size_t chain_node_cap;
	bool chains_stale;
	struct chains_written {
		uint32_t end, nnodes;
	} *chains_chunks;
	size_t nchains_chunks, chains_chunks_cap;
	uint64_t chains_loc; /* the block's last location coded outright */
	/* Column 10's state (format.h), made at the first block; it lasts
	 * a block, so a chunk that does not reach the file takes nothing
	 * back. Per event, whether its unit is "ns" (the first
	 * `nevents_ns` events). */
	struct session_times *times;
	bool *event_ns;
	uint32_t nevents_ns;

	struct coding_memo memo;
	struct strategy_memo strategy[STRATEGY_SLOTS]; /* by column id * 9 + plane (8: varints) */
	bool exact; /* session_writer_exact(): no coding by estimate */

	/* Reused from chunk to chunk. */
	z_stream zs; /* valid when zs_ready, at zs_level and zs_strategy */
	bool zs_ready;
	int zs_level, zs_strategy;
	z_stream zt; /* for trial_size(), valid when zt_ready */
	bool zt_ready;
	unsigned char *trial; /* its output, thrown away */
	size_t trial_cap;
	unsigned char *out; /* a chunk as written: header and payload */
	size_t out_cap;
	unsigned char *block, *col; /* a samples block; one column of it */
	size_t block_cap, col_cap;
	uint64_t *thread_keys; /* the block's thread table: pid << 32 | tid + 1, hashed */
	uint32_t *thread_idx;
	size_t thread_slots;
	uint64_t *vals; /* a column's values */
	uint32_t *tix; /* each sample's index in the thread table */
	struct part *parts; /* of the block */
	size_t nparts, parts_cap;
	char *text; /* a data chunk's JSON (plan_chunk) */
	size_t text_len, text_cap;
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
 * A stretch of a chunk's payload compressed at its own zlib level: the
 * samples block stores bytes that look random (deflate cannot shrink
 * them, only spend time on them) and deflates the rest, each stretch in
 * its own deflate blocks, so that each column gets Huffman codes of its
 * own. All of it is one ordinary zlib stream.
 */
struct part {
	size_t off; /* where it starts; it ends where the next one starts */
	int level;
	int strategy; /* zlib's: column_zlib, tables_part(), struct strategy_memo */
	int slot; /* a samples column's (struct strategy_memo), or -1 */
	double bits; /* order0_bits() of it, to check its slot by; or -1 */
};

/*
 * Compresses the `ulen` bytes at `data`, in `nparts` parts (NULL: one, at
 * SESSION_JSON_ZLIB_LEVEL), into one zlib stream and appends it as one
 * chunk of `type`, after `prefix` (the file header, or nothing), in one
 * write. On failure the file is cut back to where it was. 0 or -errno.
 */
static int write_payload(struct session_writer *w, uint32_t type, const void *data, size_t ulen,
			 const struct part *parts, size_t nparts, const void *prefix,
			 size_t prefix_len)
{
	static const struct part whole = { 0, SESSION_JSON_ZLIB_LEVEL, Z_DEFAULT_STRATEGY, -1, -1 };
	unsigned char *hdr;
	size_t need, k;
	uLong clen;
	int ret;

	if (ulen > SESSION_CHUNK_MAX_BYTES)
		return -EFBIG;
	if (!parts) {
		parts = &whole;
		nparts = 1;
	}
	if (!w->zs_ready) {
		if (deflateInit(&w->zs, parts[0].level) != Z_OK)
			return -ENOMEM;
		w->zs_ready = true;
		w->zs_level = parts[0].level;
		w->zs_strategy = Z_DEFAULT_STRATEGY;
	} else if (deflateReset(&w->zs) != Z_OK) {
		return -ENOMEM;
	}
	/* Each part ends a deflate block: a few bytes, and its codes. */
	need = prefix_len + SESSION_CHUNK_HEADER_LEN + deflateBound(&w->zs, (uLong)ulen) +
	       nparts * 1024;
	if (need > w->out_cap) {
		w->out = xrealloc(w->out, need);
		w->out_cap = need;
	}
	hdr = w->out + prefix_len;
	w->zs.next_out = hdr + SESSION_CHUNK_HEADER_LEN;
	w->zs.avail_out = (uInt)(need - prefix_len - SESSION_CHUNK_HEADER_LEN);
	for (k = 0; k < nparts; k++) {
		size_t end = k + 1 < nparts ? parts[k + 1].off : ulen;
		bool last = k + 1 == nparts;
		uLong out = w->zs.total_out;
		int zr;

		/* The input so far is all compressed: nothing to flush first. */
		if (parts[k].level != w->zs_level || parts[k].strategy != w->zs_strategy) {
			if (deflateParams(&w->zs, parts[k].level, parts[k].strategy) != Z_OK)
				return -ENOMEM;
			w->zs_level = parts[k].level;
			w->zs_strategy = parts[k].strategy;
		}
		w->zs.next_in = (Bytef *)data + parts[k].off;
		w->zs.avail_in = (uInt)(end - parts[k].off);
		if (!last && end == parts[k].off)
			continue;
		zr = deflate(&w->zs, last ? Z_FINISH : Z_BLOCK);
		if (last ? zr != Z_STREAM_END : (zr != Z_OK || w->zs.avail_in))
			return -ENOMEM;
		if (parts[k].slot >= 0 && parts[k].bits >= 0) {
			struct strategy_memo *m = &w->strategy[parts[k].slot];

			m->huffman = 8 * (double)(w->zs.total_out - out) >=
				     parts[k].bits + 8 * HUFFMAN_CODES_BYTES;
			m->left = STRATEGY_CHUNKS - 1;
		}
	}
	clen = w->zs.total_out;
	if (prefix_len)
		memcpy(w->out, prefix, prefix_len);
	session_put_u32(hdr, type);
	session_put_u32(hdr + 4, (uint32_t)clen);
	session_put_u32(hdr + 8, (uint32_t)ulen);
	session_put_u32(hdr + 12,
			(uint32_t)crc32(crc32(0, Z_NULL, 0), hdr + SESSION_CHUNK_HEADER_LEN,
					(uInt)clen));

	ret = write_all(w->fd, w->out, prefix_len + SESSION_CHUNK_HEADER_LEN + clen, w->offset);
	if (ret < 0) {
		/* Best effort: a partial chunk left behind reads as a cut tail. */
		if (ftruncate(w->fd, (off_t)w->offset) < 0) {
			/* nothing more to do */
		}
		return ret;
	}
	w->offset += prefix_len + SESSION_CHUNK_HEADER_LEN + clen;
	return 0;
}

/* write_payload() of `obj`'s compact JSON, at SESSION_JSON_ZLIB_LEVEL. */
static int write_chunk(struct session_writer *w, uint32_t type, json_t *obj,
		       const void *prefix, size_t prefix_len)
{
	char *text = json_dumps(obj, JSON_COMPACT);
	int ret;

	if (!text)
		return -ENOMEM;
	ret = write_payload(w, type, text, strlen(text), NULL, 0, prefix, prefix_len);
	free(text);
	return ret;
}

/* Starts a part of the payload at `off`, deflated with zlib's `strategy`. */
static void add_part_as(struct session_writer *w, size_t off, int level, int strategy)
{
	if (w->nparts == w->parts_cap) {
		w->parts_cap = w->parts_cap ? w->parts_cap * 2 : 32;
		w->parts = xreallocarray(w->parts, w->parts_cap, sizeof(*w->parts));
	}
	w->parts[w->nparts].off = off;
	w->parts[w->nparts].level = level;
	w->parts[w->nparts].strategy = strategy;
	w->parts[w->nparts].slot = -1;
	w->parts[w->nparts].bits = -1;
	w->nparts++;
}

/* Starts a part of the payload at `off`, at zlib's default strategy. */
static void add_part(struct session_writer *w, size_t off, int level)
{
	add_part_as(w, off, level, Z_DEFAULT_STRATEGY);
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
	int ret = ft_outdir_existing(dir, path, err);

	if (ret < 0)
		return -1;
	if (ret == 0) { /* gone since the create said it was there */
		open_error(err, path, ENOENT);
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
	/* Held until the file is closed: a reader's sign that the session
	 * is being written (never waited for; without it, a reader says a
	 * recording under way did not finish). */
	flock(fd, LOCK_EX | LOCK_NB);
	w->fd = fd;
	w->nodes_done = 1;
	w->locations_done = 1;
	w->chains_done = 1;
	session_chains_init(&w->chains);
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
		if (p->events[i].period != PROFILE_PERIOD_UNKNOWN)
			json_object_set_new(e, "period", jint(p->events[i].period));
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
	bool sorted = true;
	size_t i;

	for (i = 0; i < p->nsamples; i++) {
		order[i] = i;
		sorted &= i == 0 || p->samples[i - 1].time <= p->samples[i].time;
	}
	/* Samples usually come in time order already. */
	if (!sorted)
		qsort_r(order, p->nsamples, sizeof(*order), cmp_sample, p->samples);
	return order;
}

/* Where one data chunk ends: exclusive upper bounds of what it holds. */
struct chunk_plan {
	uint32_t strings, frames;
	uint32_t threads_from, threads_to; /* range of thread indices scanned */
	size_t samples; /* of the samples chunk: the end of the samples it holds */
	uint64_t lost, throttled;
};

/*
 * A data chunk's JSON is written as text straight into w->text, exactly as
 * jansson's compact dump of the same object would read: a chunk holds
 * tens of thousands of small arrays, and a tree of them, built, dumped
 * and freed each second, cost the recorder more than all its sampling.
 * The header and end chunks, a few fields each, still go through jansson.
 */
static void text_reserve(struct session_writer *w, size_t n)
{
	if (w->text_len + n > w->text_cap) {
		while (w->text_len + n > w->text_cap)
			w->text_cap = w->text_cap ? w->text_cap * 2 : 64 << 10;
		w->text = xrealloc(w->text, w->text_cap);
	}
}

static void text_put(struct session_writer *w, const char *s, size_t n)
{
	text_reserve(w, n);
	memcpy(w->text + w->text_len, s, n);
	w->text_len += n;
}

/* An integer as jint() and jansson print it (clamped to INT64_MAX). */
static void text_uint(struct session_writer *w, uint64_t v)
{
	char tmp[24];
	size_t n = 0;

	if (v > INT64_MAX)
		v = INT64_MAX;
	do {
		tmp[sizeof(tmp) - ++n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	text_put(w, tmp + sizeof(tmp) - n, n);
}

/* `[a,b]` or `[a,b,c]` (n 2 or 3), then a comma unless it is the first of its array. */
static void text_tuple(struct session_writer *w, bool first, uint64_t a, uint64_t b, uint64_t c,
		       int n)
{
	if (!first)
		text_put(w, ",", 1);
	text_put(w, "[", 1);
	text_uint(w, a);
	text_put(w, ",", 1);
	text_uint(w, b);
	if (n == 3) {
		text_put(w, ",", 1);
		text_uint(w, c);
	}
	text_put(w, "]", 1);
}

/*
 * A JSON string for `s` as jstr() gives it and jansson dumps it: repaired
 * UTF-8 (utf8_repair), `"` and `\` escaped, the control characters as
 * \b \f \n \r \t or \u00XX, everything else as it is.
 */
static void text_string(struct session_writer *w, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *in = (const unsigned char *)s;
	char *fixed = NULL;
	size_t i;

	for (i = 0; in[i]; i++) {
		if (in[i] >= 0x80 || i >= MAX_STRING_BYTES) {
			/* Not plain ASCII, or too long: repair it as jstr() does. */
			fixed = utf8_repair(s, MAX_STRING_BYTES);
			in = (const unsigned char *)fixed;
			break;
		}
	}
	text_put(w, "\"", 1);
	for (i = 0; in[i]; i++) {
		unsigned char ch = in[i];
		char esc[6];

		if (ch >= 0x20 && ch != '"' && ch != '\\') {
			text_reserve(w, 1);
			w->text[w->text_len++] = (char)ch;
			continue;
		}
		esc[0] = '\\';
		switch (ch) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[ch >> 4];
			esc[5] = hex[ch & 15];
			text_put(w, esc, 6);
			continue;
		}
		text_put(w, esc, 2);
	}
	text_put(w, "\"", 1);
	free(fixed);
}

/* Opens member `key` of the chunk's object: `{"key":` first, `,"key":` after. */
static void text_key(struct session_writer *w, const char *key)
{
	text_put(w, w->text_len ? ",\"" : "{\"", 2);
	text_put(w, key, strlen(key));
	text_put(w, "\":", 2);
}

/*
 * Fills the next data chunk, in dependency order (strings, frames,
 * threads: a later kind starts only when the earlier ones are all
 * written, so every id a chunk uses is defined by then), up to the
 * budget, as JSON text in w->text (w->text_len bytes), the frames and the
 * threads each a part of its own in w->parts: names and tuples of numbers
 * deflate smaller with Huffman codes of their own. Returns false when
 * nothing is left. The call tree's nodes and the locations follow in
 * tables chunks (encode_tables), the chains in chains chunks
 * (encode_chains), then the samples in samples chunks (encode_samples).
 */
static bool plan_chunk(struct session_writer *w, const struct profile *p, uint32_t threads_from,
		       struct chunk_plan *c)
{
	uint64_t budget = CHUNK_BUDGET;
	bool all = true;
	size_t mark;

	w->text_len = 0;
	w->nparts = 0;
	add_part(w, 0, SESSION_JSON_ZLIB_LEVEL);
	memset(c, 0, sizeof(*c));
	c->lost = p->meta.lost > w->lost_done ? p->meta.lost - w->lost_done : 0;
	c->throttled =
		p->meta.throttled > w->throttled_done ? p->meta.throttled - w->throttled_done : 0;
	if (c->lost) {
		text_key(w, "lost");
		text_uint(w, c->lost);
	}
	if (c->throttled) {
		text_key(w, "throttled");
		text_uint(w, c->throttled);
	}

	c->strings = w->strings_done;
	if (c->strings < p->strings.len) {
		text_key(w, "strings");
		text_put(w, "[", 1);
		while (c->strings < p->strings.len && budget > 0) {
			const char *s = profile_string(p, c->strings);
			uint64_t cost = 1 + strnlen(s, MAX_STRING_BYTES) / 16;

			if (c->strings++ > w->strings_done)
				text_put(w, ",", 1);
			text_string(w, s);
			budget = budget > cost ? budget - cost : 0;
		}
		text_put(w, "]", 1);
	}
	all = c->strings == p->strings.len;

	c->frames = w->frames_done;
	if (all && c->frames < p->nframes) {
		add_part(w, w->text_len, SESSION_JSON_ZLIB_LEVEL);
		text_key(w, "frames");
		text_put(w, "[", 1);
		for (; c->frames < p->nframes && budget >= 4; c->frames++, budget -= 4) {
			const struct profile_frame *f = &p->frames[c->frames];

			text_tuple(w, c->frames == w->frames_done, f->name, f->module, f->kind, 3);
		}
		text_put(w, "]", 1);
	}
	all = all && c->frames == p->nframes;

	c->threads_from = c->threads_to = threads_from;
	if (all) {
		bool first = true;

		/* The member only when some thread is in it. */
		mark = w->text_len;
		text_key(w, "threads");
		text_put(w, "[", 1);
		for (; c->threads_to < p->nthreads && budget >= 4; c->threads_to++) {
			const struct profile_thread *t = &p->threads[c->threads_to];

			if (!t->dirty)
				continue;
			text_tuple(w, first, t->pid, t->tid, t->comm, 3);
			first = false;
			budget -= 4;
		}
		if (first) {
			w->text_len = mark;
		} else {
			add_part(w, mark, SESSION_JSON_ZLIB_LEVEL);
			text_put(w, "]", 1);
		}
	}

	if (w->text_len == 0)
		return false;
	text_put(w, "}", 1);
	/* A small chunk's parts would each cost their codes: one part. */
	if (w->text_len < PARTS_MIN_BYTES)
		w->nparts = 1;
	return true;
}

/* Advances the watermarks past a data chunk that reached the file. */
static void commit_chunk(struct session_writer *w, struct profile *p, const struct chunk_plan *c)
{
	uint32_t t;

	w->strings_done = c->strings;
	w->frames_done = c->frames;
	for (t = c->threads_from; t < c->threads_to; t++)
		p->threads[t].dirty = false;
	w->lost_done += c->lost;
	w->throttled_done += c->throttled;
}

/* Advances the watermarks past a samples chunk of order[samples_done, end). */
static void commit_samples(struct session_writer *w, const struct profile *p, const size_t *order,
			   size_t end)
{
	size_t i;

	for (i = w->samples_done; i < end; i++) {
		uint64_t time = p->samples[order[i]].time;

		w->last_time = time;
		if (time > w->max_time)
			w->max_time = time;
		w->samples_written++;
	}
	w->samples_done = end;
}

static void *grow(void *buf, size_t *cap, size_t need)
{
	if (need <= *cap)
		return buf;
	*cap = need;
	return xrealloc(buf, need);
}

/*
 * The index of thread (pid, tid) in the thread table of the block being
 * built, adding it to the table (and its entry to the buffer at *at) when
 * new. The table is an open-addressed hash of w->thread_slots slots, a
 * slot free while its index is UINT32_MAX.
 */
static uint32_t thread_index(struct session_writer *w, uint32_t pid, uint32_t tid,
			     uint32_t *nthreads, unsigned char *buf, size_t *at)
{
	uint64_t key = (uint64_t)pid << 32 | tid;
	size_t mask = w->thread_slots - 1, h = (size_t)((key * UINT64_C(0x9e3779b97f4a7c15)) >> 40);

	for (;; h++) {
		h &= mask;
		if (w->thread_idx[h] == UINT32_MAX)
			break;
		if (w->thread_keys[h] == key)
			return w->thread_idx[h];
	}
	w->thread_keys[h] = key;
	w->thread_idx[h] = (*nthreads)++;
	*at += session_put_varint(buf + *at, pid);
	*at += session_put_varint(buf + *at, tid);
	return w->thread_idx[h];
}

/* Fewer bytes than this never look random (looks_random()), nor are
 * they coded by estimate (struct coding_memo). */
#define RANDOM_MIN_BYTES 1024

/* The order-0 entropy of the `n` bytes at `p`, in bits: about what
 * deflate's Huffman codes spend on them where it finds no repeats. */
static double order0_bits(const unsigned char *p, size_t n)
{
	/* Four counts a byte value, so that a run of one value does not
	 * wait on its own count from one byte to the next. */
	uint32_t count[4][256] = { { 0 } };
	double bits = 0;
	size_t i;

	for (i = 0; i + 4 <= n; i += 4) {
		count[0][p[i]]++;
		count[1][p[i + 1]]++;
		count[2][p[i + 2]]++;
		count[3][p[i + 3]]++;
	}
	for (; i < n; i++)
		count[0][p[i]]++;
	for (i = 0; i < 256; i++) {
		uint32_t c = count[0][i] + count[1][i] + count[2][i] + count[3][i];

		if (c)
			bits -= (double)c * log2((double)c / (double)n);
	}
	return bits;
}

/*
 * Whether deflate would gain next to nothing on `n` bytes of
 * order0_bits() `bits` (0 below RANDOM_MIN_BYTES): an order-0 entropy
 * above 7.5 bits a byte (the low bytes of jittered times and periods).
 * Those are stored as they are, which costs the same bytes and no time.
 */
static bool looks_random(double bits, size_t n)
{
	return n >= RANDOM_MIN_BYTES && bits > 7.5 * (double)n;
}

/* order0_bits() where looks_random() wants it, else 0. */
static double random_bits(const unsigned char *p, size_t n)
{
	return n >= RANDOM_MIN_BYTES ? order0_bits(p, n) : 0;
}

/* How a column's values are stored: see put_column(). */
enum col_coding {
	COL_VARINTS,
	COL_PLANES, /* wide values whose low bytes are noise: times, weights */
	COL_SMALLER, /* whichever of the two deflates smaller: ids */
};

/*
 * About the bytes the `len` bytes at `p` deflate to as a part of a
 * samples block would (without the zlib header and trailer): at zlib's
 * fastest level, which ranks two codings as the samples' level does (the
 * same choices on bench/timeline's hours, Zipf and uniform) for less
 * (still as much work as deflating the rest of the block: see struct
 * coding_memo);
 * `len` itself when they look random (`random`: looks_random() of them,
 * which the caller has), as they are then stored. SIZE_MAX when zlib
 * fails, which makes the other coding win.
 */
static size_t trial_size(struct session_writer *w, const unsigned char *p, size_t len, bool random)
{
	size_t need;

	if (random)
		return len;
	if (!w->zt_ready) {
		if (deflateInit2(&w->zt, Z_BEST_SPEED, Z_DEFLATED, -15, 8,
				 Z_DEFAULT_STRATEGY) != Z_OK)
			return SIZE_MAX;
		w->zt_ready = true;
	} else if (deflateReset(&w->zt) != Z_OK) {
		return SIZE_MAX;
	}
	need = deflateBound(&w->zt, (uLong)len);
	w->trial = grow(w->trial, &w->trial_cap, need);
	w->zt.next_in = (Bytef *)p;
	w->zt.avail_in = (uInt)len;
	w->zt.next_out = w->trial;
	w->zt.avail_out = (uInt)need;
	if (deflate(&w->zt, Z_FINISH) != Z_STREAM_END)
		return SIZE_MAX;
	return w->zt.total_out;
}

/* The `n` values in w->vals as `width` byte planes at `b`. */
static void fill_planes(const struct session_writer *w, unsigned char *b, size_t n, unsigned width)
{
	const uint64_t *v = w->vals;
	size_t i;
	unsigned j;

	for (j = 0; j < width; j++)
		for (i = 0; i < n; i++)
			b[j * n + i] = (unsigned char)(v[i] >> (8 * j));
}

/*
 * Whether the `width` planes of `n` bytes at `pl` (looks_random() of each
 * in `random`) deflate smaller than the `len` varints of the same values
 * at w->col, by trial or by estimate (struct coding_memo). `bits`:
 * random_bits() of each plane, then of the varints.
 */
static bool planes_smaller(struct session_writer *w, const unsigned char *pl, size_t n,
			   unsigned width, const bool *random, const double *bits, size_t len)
{
	struct coding_memo *m = &w->memo;
	double est = 0, ratio = 0, vbits = n ? bits[width] / (double)n : 0;
	size_t psize = 0, vsize;
	unsigned j;

	for (j = 0; j < width; j++)
		est += random[j] ? 8 * (double)n : bits[j];
	if (n >= RANDOM_MIN_BYTES && est > 0 && bits[width] > 0)
		ratio = est / bits[width];
	if (!w->exact && ratio > 0 && m->scale > 0 && m->since < ESTIMATE_CHUNKS &&
	    fabs(ratio / m->ratio - 1) <= ESTIMATE_SIMILAR &&
	    fabs(vbits / m->bits - 1) <= ESTIMATE_SIMILAR &&
	    fabs(ratio * m->scale - 1) > ESTIMATE_MARGIN) {
		m->since++;
		return ratio * m->scale < 1;
	}
	for (j = 0; j < width && psize != SIZE_MAX; j++) {
		size_t k = trial_size(w, pl + j * n, n, random[j]);

		psize = k == SIZE_MAX ? SIZE_MAX : psize + k;
	}
	vsize = trial_size(w, w->col, len, looks_random(bits[width], len));
	m->scale = 0;
	if (ratio > 0 && psize != SIZE_MAX && vsize != SIZE_MAX && vsize > 0) {
		m->ratio = ratio;
		m->bits = vbits;
		m->scale = (double)psize / (double)vsize / ratio;
		m->since = 0;
	}
	return psize < vsize;
}

/*
 * How each column's varints or planes are deflated (put_column()), by
 * column id: each column is a few kinds of values, and no one zlib
 * setting suits them all. Measured column by column on bench/timeline's
 * synthetic span and on system-wide recordings of bench/work --wide
 * (bytes a sample, each column deflated alone, level 1 first, the
 * synthetic's first where both have the column): the node, ids among thousands and
 * the block's widest column, gains under 1% past level 1; times,
 * threads, CPUs and events, small values with repeats, lose chance
 * matches of 3 to 5 bytes at Z_FILTERED (times 0.30 to 0.23 and 0.63
 * to 0.57, threads 0.47 to 0.39 and 0.27 to 0.24); column 9's chain
 * codes, mostly 0 to 3 in no order, take least as Huffman codes alone
 * (0.47 to 0.38); column 12's, runs of 0, and the weight's high bytes,
 * as runs (Z_RLE: 0.10 to 0.07, 0.56 to 0.51), each also faster than
 * level 1.
 */
static const struct column_zlib {
	int level, strategy;
} column_zlib[SESSION_COL_LAST + 1] = {
	[SESSION_COL_TIME] = { SESSION_COLUMNS_ZLIB_LEVEL, Z_FILTERED },
	[SESSION_COL_WEIGHT] = { SESSION_SAMPLES_ZLIB_LEVEL, Z_RLE },
	[SESSION_COL_NODE] = { SESSION_SAMPLES_ZLIB_LEVEL, Z_DEFAULT_STRATEGY },
	[SESSION_COL_THREAD] = { SESSION_COLUMNS_ZLIB_LEVEL, Z_FILTERED },
	[SESSION_COL_CPU] = { SESSION_COLUMNS_ZLIB_LEVEL, Z_FILTERED },
	[SESSION_COL_EVENT] = { SESSION_COLUMNS_ZLIB_LEVEL, Z_FILTERED },
	[SESSION_COL_LOCATION] = { SESSION_SAMPLES_ZLIB_LEVEL, Z_DEFAULT_STRATEGY },
	[SESSION_COL_CHAIN] = { SESSION_SAMPLES_ZLIB_LEVEL, Z_DEFAULT_STRATEGY },
	[SESSION_COL_CHAIN_RECENT] = { SESSION_SAMPLES_ZLIB_LEVEL, Z_HUFFMAN_ONLY },
	[SESSION_COL_TIME_US] = { SESSION_COLUMNS_ZLIB_LEVEL, Z_FILTERED },
	[SESSION_COL_NODE_NEW] = { SESSION_SAMPLES_ZLIB_LEVEL, Z_DEFAULT_STRATEGY },
	[SESSION_COL_LOCATION_BY_CHAIN] = { SESSION_SAMPLES_ZLIB_LEVEL, Z_RLE },
	[SESSION_COL_NODE_LEAF] = { SESSION_SAMPLES_ZLIB_LEVEL, Z_DEFAULT_STRATEGY },
};

/* Starts the part of column `id`'s varints or planes at `off`, as column_zlib says. */
static void column_part(struct session_writer *w, size_t off, unsigned id)
{
	add_part_as(w, off, column_zlib[id].level, column_zlib[id].strategy);
}

/*
 * Starts the part of the `n` bytes at w->block + `off`, plane `plane` of
 * column `id` (8: its varints): as column_zlib says, or as Huffman codes
 * alone where struct strategy_memo says so. `bits`: order0_bits() of the
 * bytes, or a negative number to have them counted when the memo checks.
 */
static void add_column_part(struct session_writer *w, size_t off, size_t n, unsigned id,
			    unsigned plane, double bits)
{
	struct strategy_memo *m = &w->strategy[id * 9 + plane];
	struct part *pt;

	column_part(w, off, id);
	if (n < RANDOM_MIN_BYTES || column_zlib[id].strategy == Z_HUFFMAN_ONLY)
		return;
	pt = &w->parts[w->nparts - 1];
	pt->slot = (int)(id * 9 + plane);
	if (m->left > 0) {
		m->left--;
		if (m->huffman)
			pt->strategy = Z_HUFFMAN_ONLY;
	} else {
		pt->bits = bits >= 0 ? bits : order0_bits(w->block + off, n);
	}
}

/*
 * Appends column `id` of the `n` values in w->vals to the block at *at:
 * as a constant when every value is the same, else as `coding` says. Byte
 * planes (when the values take 2 bytes or more) keep the noisy low bytes
 * of times and weights apart from the high bytes that compress, and store
 * ids drawn from thousands (a leaf among 4096 stacks) in fewer bytes than
 * varints deflate to; varints suit small and repeating values. For
 * COL_SMALLER the one that deflates smaller is kept (planes_smaller()).
 * Each plane, or the varints, is a part of its own (column_part()).
 */
static void put_column(struct session_writer *w, unsigned id, size_t n, enum col_coding coding,
		       size_t *at)
{
	const uint64_t *v = w->vals;
	unsigned char *b = w->block, *pl;
	unsigned char tmp[SESSION_VARINT_MAX];
	uint64_t all = 0;
	bool constant = true, planes, counted, random[8] = { false };
	double bits[9] = { 0 }; /* random_bits() of each plane, then of the varints */
	size_t i, len, hlen;
	unsigned width = 1, j;

	for (i = 0; i < n; i++) {
		constant &= v[i] == v[0];
		all |= v[i];
	}
	*at += session_put_varint(b + *at, id);
	if (constant) {
		len = session_put_varint(tmp, n ? v[0] : 0);
		b[(*at)++] = SESSION_ENC_CONSTANT;
		*at += session_put_varint(b + *at, len);
		memcpy(b + *at, tmp, len);
		*at += len;
		return;
	}
	while (width < 8 && all >> (8 * width))
		width++;
	counted = coding == COL_SMALLER && width >= 2; /* bits[width] */
	/* One byte a value: planes are the same bytes as varints below
	 * 128, and half of them from 128 to 255. */
	planes = (coding == COL_PLANES && width >= 2) ||
		 (coding == COL_SMALLER && width == 1 && all >> 7);
	/* Planes are made where they are written, after their header (the
	 * encoding, the length, the width); the block has room for a
	 * column's varints at their longest after *at, and planes and
	 * header are shorter. Each plane's looks_random() serves both the
	 * trial and the part. */
	hlen = 2 + session_put_varint(tmp, 1 + (uint64_t)width * n);
	pl = b + *at + hlen;
	if (planes || (coding == COL_SMALLER && width >= 2)) {
		fill_planes(w, pl, n, width);
		for (j = 0; j < width; j++) {
			bits[j] = random_bits(pl + j * n, n);
			random[j] = looks_random(bits[j], n);
		}
	}
	len = 0;
	if (!planes)
		len = session_put_varints(w->col, w->vals, n);
	if (counted) {
		bits[width] = random_bits(w->col, len);
		planes = planes_smaller(w, pl, n, width, random, bits, len);
	}
	if (planes) {
		b[(*at)++] = SESSION_ENC_PLANES;
		*at += session_put_varint(b + *at, 1 + (uint64_t)width * n);
		b[(*at)++] = (unsigned char)width;
		for (j = 0; j < width; j++) {
			if (random[j])
				add_part(w, *at, 0);
			else
				add_column_part(w, *at, n, id, j, bits[j]);
			*at += n;
		}
		add_part(w, *at, SESSION_SAMPLES_ZLIB_LEVEL);
		return;
	}
	b[(*at)++] = SESSION_ENC_VARINT;
	*at += session_put_varint(b + *at, len);
	memcpy(b + *at, w->col, len);
	add_column_part(w, *at, len, id, 8, counted ? bits[width] : -1);
	*at += len;
	add_part(w, *at, SESSION_SAMPLES_ZLIB_LEVEL);
}

/*
 * How many samples ahead recent_codes() and the location column ask for
 * the memory they will read: a node's list and a chain are in tables of
 * a whole recording (a day's 119,190 nodes and 139,186 chains: MiBs),
 * one random read a sample, which waited on memory for most of those
 * loops' time.
 */
#define SAMPLES_AHEAD 32

/* A node's recent chains before a sample of it changed them. */
struct recent_undo {
	uint32_t node;
	uint32_t list[SESSION_RECENT_CHAINS];
};

/*
 * Column 9's codes of the chains of the `n` samples order[from, ...) into
 * w->vals (format.h), advancing the writer's state, each change logged in
 * w->undo for recent_take_back().
 */
static void recent_codes(struct session_writer *w, const struct profile *p, const size_t *order,
			 size_t from, size_t n)
{
	size_t i;

	session_recent_nodes(&w->recent, p->nnodes);
	w->undo = grow(w->undo, &w->undo_cap, n * sizeof(*w->undo));
	w->nundo = n;
	w->undo_chain_max = w->chain_max;
	for (i = 0; i < n; i++) {
		const struct profile_sample *s = &p->samples[order[from + i]];
		uint32_t *list;
		unsigned k = 0;

		/* A list's index is asked for before the list itself. */
		if (i + SAMPLES_AHEAD < n)
			__builtin_prefetch(
				&w->recent.at[p->samples[order[from + i + SAMPLES_AHEAD]].node]);
		if (i + SAMPLES_AHEAD / 2 < n) {
			uint32_t at =
				w->recent.at[p->samples[order[from + i + SAMPLES_AHEAD / 2]].node];

			if (at)
				__builtin_prefetch(w->recent.lists +
						   (size_t)(at - 1) * SESSION_RECENT_CHAINS, 1);
		}
		list = session_recent_list(&w->recent, s->node);

		w->undo[i].node = s->node;
		memcpy(w->undo[i].list, list, sizeof(w->undo[i].list));
		while (k < SESSION_RECENT_CHAINS && list[k] != s->chain)
			k++;
		if (k < SESSION_RECENT_CHAINS) {
			w->vals[i] = k;
		} else {
			w->vals[i] = SESSION_RECENT_CHAINS +
				     session_zigzag((int64_t)s->chain - ((int64_t)w->chain_max + 1));
			k = SESSION_RECENT_CHAINS - 1;
		}
		session_recent_use(list, k, s->chain);
		if (s->chain > w->chain_max)
			w->chain_max = s->chain;
	}
}

/* Undoes the last recent_codes() and node_codes(), of a chunk that did
 * not reach the file, last sample first. */
static void recent_take_back(struct session_writer *w)
{
	session_leaves_truncate(&w->leaves, w->undo_leaves_len, w->undo_leaves_next);
	if (!w->nundo)
		return;
	while (w->nundo > 0) {
		const struct recent_undo *u = &w->undo[--w->nundo];

		memcpy(session_recent_list(&w->recent, u->node), u->list, sizeof(u->list));
	}
	w->chain_max = w->undo_chain_max;
}

/*
 * Column 13's codes of the nodes of the `n` samples order[from, ...) into
 * w->vals (format.h), advancing the writer's state; recent_take_back()
 * undoes it.
 */
static void node_codes(struct session_writer *w, const struct profile *p, const size_t *order,
		       size_t from, size_t n)
{
	size_t i;

	w->undo_leaves_len = w->leaves.len;
	w->undo_leaves_next = w->leaves.next;
	session_leaves_nodes(&w->leaves, p->nnodes);
	for (i = 0; i < n; i++)
		w->vals[i] = session_leaf_code(&w->leaves, p->samples[order[from + i]].node);
}

/*
 * Column 10's codes of the times of the `n` samples order[from, ...) into
 * w->vals (format.h): microseconds, each from its CPU's sample before it
 * in the block.
 */
static void time_codes(struct session_writer *w, const struct profile *p, const size_t *order,
		       size_t from, size_t n)
{
	uint64_t prev = w->last_time / 1000;
	size_t i;

	if (!w->times)
		w->times = xcalloc(1, sizeof(*w->times));
	if (w->nevents_ns != p->nevents) {
		w->event_ns = xreallocarray(w->event_ns, p->nevents ? p->nevents : 1,
					    sizeof(*w->event_ns));
		for (i = 0; i < p->nevents; i++)
			w->event_ns[i] = session_times_unit_ns(p->events[i].unit);
		w->nevents_ns = p->nevents;
	}
	session_times_begin(w->times);
	for (i = 0; i < n; i++) {
		const struct profile_sample *s = &p->samples[order[from + i]];
		uint64_t us = s->time / 1000, wus = 0;

		/* The weight as column 2 holds it. */
		if (s->event < p->nevents && w->event_ns[s->event])
			wus = (s->weight > INT64_MAX ? INT64_MAX : s->weight) / 1000;
		w->vals[i] = session_zigzag(
			(int64_t)(us - session_times_predict(w->times, s->cpu, wus, prev)));
		session_times_seen(w->times, s->cpu, us);
		prev = us;
	}
}

/*
 * Encodes the samples order[from, to) (time order) as a samples block
 * (doc/session-format.md, "Samples chunk") in w->block, and its parts in
 * w->parts. Returns its length. The thread table is built first, into the
 * column buffer, since its length comes before it.
 */
static size_t encode_samples(struct session_writer *w, const struct profile *p, const size_t *order,
			     size_t from, size_t to)
{
	size_t n = to - from, i, at = 0, tat = 0, slots = 16;
	uint32_t nthreads = 0;
	uint64_t *v;
	bool locations = false, chains = false;

	while (slots < 2 * n)
		slots *= 2;
	w->thread_keys = xreallocarray(w->thread_keys, slots, sizeof(*w->thread_keys));
	w->thread_idx = xreallocarray(w->thread_idx, slots, sizeof(*w->thread_idx));
	w->thread_slots = slots;
	memset(w->thread_idx, 0xff, slots * sizeof(*w->thread_idx));
	w->vals = xreallocarray(w->vals, n ? n : 1, sizeof(*w->vals));
	w->tix = xreallocarray(w->tix, n ? n : 1, sizeof(*w->tix));
	v = w->vals;
	/* The thread table and each column at their longest, and their
	 * headers. */
	w->col = grow(w->col, &w->col_cap, n * SESSION_VARINT_MAX + 1);
	w->block = grow(w->block, &w->block_cap,
			4 * SESSION_VARINT_MAX + n * 2 * SESSION_VARINT_MAX +
				(SESSION_COL_LAST + 1) * (n * SESSION_VARINT_MAX + 32));
	w->nparts = 0;
	add_part(w, 0, SESSION_SAMPLES_ZLIB_LEVEL);

	for (i = 0; i < n; i++) {
		const struct profile_sample *s = &p->samples[order[from + i]];

		w->tix[i] = thread_index(w, s->pid, s->tid, &nthreads, w->col, &tat);
		locations |= s->location != PROFILE_NO_LOCATION;
		chains |= s->chain != PROFILE_NO_CHAIN;
	}
	at += session_put_varint(w->block + at, n);
	at += session_put_varint(w->block + at, nthreads);
	memcpy(w->block + at, w->col, tat);
	at += tat;

#define COLUMN(id, coding, expr)                                                               \
	do {                                                                                   \
		for (i = 0; i < n; i++) {                                                      \
			const struct profile_sample *s = &p->samples[order[from + i]];         \
			v[i] = (expr);                                                         \
		}                                                                              \
		put_column(w, (id), n, (coding), &at);                                         \
	} while (0)
	/* Column 10 holds the times (below): readers before 1.9 refuse the
	 * block for want of column 3 (column 13 holds the nodes), so no
	 * column 1 is written for them. */
	COLUMN(SESSION_COL_WEIGHT, COL_PLANES, s->weight > INT64_MAX ? INT64_MAX : s->weight);
	for (i = 0; i < n; i++)
		v[i] = w->tix[i];
	put_column(w, SESSION_COL_THREAD, n, COL_VARINTS, &at);
	COLUMN(SESSION_COL_CPU, COL_VARINTS, s->cpu);
	COLUMN(SESSION_COL_EVENT, COL_VARINTS, s->event);
#undef COLUMN
	/* The chain and location columns only where they say something. */
	w->nundo = 0;
	if (chains) {
		recent_codes(w, p, order, from, n);
		put_column(w, SESSION_COL_CHAIN_RECENT, n, COL_VARINTS, &at);
	}
	time_codes(w, p, order, from, n);
	put_column(w, SESSION_COL_TIME_US, n, COL_VARINTS, &at);
	/* The location as column 12 (1.10): mostly its chain's own, 0. */
	if (locations) {
		for (i = 0; i < n; i++) {
			const struct profile_sample *s = &p->samples[order[from + i]];

			if (i + SAMPLES_AHEAD < n) {
				uint32_t c = p->samples[order[from + i + SAMPLES_AHEAD]].chain;

				if (c != PROFILE_NO_CHAIN)
					__builtin_prefetch(&p->chains[c]);
			}
			v[i] = s->chain != PROFILE_NO_CHAIN && s->location != PROFILE_NO_LOCATION &&
					       p->chains[s->chain].location == s->location
				       ? 0
				       : (uint64_t)s->location + 1;
		}
		put_column(w, SESSION_COL_LOCATION_BY_CHAIN, n, COL_VARINTS, &at);
	}
	/* Column 13 in place of column 3 (the last of the block, as ids go;
	 * readers read it first): readers before 1.11 refuse the block ("no
	 * node column") rather than misread it. */
	node_codes(w, p, order, from, n);
	put_column(w, SESSION_COL_NODE_LEAF, n, COL_SMALLER, &at);
	return at;
}

/* The ends of the nodes and locations a tables chunk holds. */
struct tables_plan {
	uint32_t nodes, locations;
};

/* Appends the `n` values of w->vals to the block at *at as varints. */
static void put_varints(struct session_writer *w, size_t n, size_t *at)
{
	*at += session_put_varints(w->block + *at, w->vals, n);
}

/* The same for their zigzag deltas, each from the value before (the first
 * from 0). */
static void put_deltas(struct session_writer *w, size_t n, size_t *at)
{
	uint64_t prev = 0, v;
	size_t i;

	for (i = 0; i < n; i++) {
		v = w->vals[i];
		w->vals[i] = session_zigzag((int64_t)(v - prev));
		prev = v;
	}
	put_varints(w, n, at);
}

/* Starts a tables block's part at `at`, at zlib's `strategy` (encode_tables()). */
static void tables_part(struct session_writer *w, size_t at, int strategy)
{
	add_part_as(w, at, SESSION_TABLES_ZLIB_LEVEL, strategy);
}

/*
 * How many of the `pending` entries of a kind the block takes, when the
 * kinds before it are all in (`ready`), at most *left, which it lowers;
 * their count goes to the block.
 */
static uint32_t tables_take(struct session_writer *w, uint32_t pending, bool ready,
			    uint32_t *left, size_t *at)
{
	uint32_t n = !ready ? 0 : pending < *left ? pending : *left;

	*left -= n;
	*at += session_put_varint(w->block + *at, n);
	return n;
}

/*
 * Encodes the next tables block (doc/session-format.md, "Tables chunk")
 * in w->block: the nodes, then the locations not yet written, at most
 * TABLES_PER_CHUNK of them, the locations only when the nodes are all in,
 * and no chains (since 1.12 they go in chains chunks: encode_chains).
 * Parents are stored as the distance back to them, other ids and offsets
 * as deltas, since a table grows a path at a time. Each column (the count
 * before it included) is a part of its own in w->parts (but in a block
 * under PARTS_MIN_BYTES): deflate blocks with Huffman codes of its own,
 * as a samples block's columns, at Z_FILTERED, which prefers literals to
 * the short matches that varints of unrelated ids make by chance (3 to 7%
 * fewer bytes of tables on recordings of many distinct stacks); the
 * parents, mostly 1 (a path grown) and otherwise a distance back to no
 * pattern, as Huffman codes alone (2 to 3% fewer bytes of those columns,
 * 0.03 to 0.05 a sample of 10 s recordings of bench/work --wide). A
 * block under PARTS_MIN_BYTES is one part, at Z_FILTERED. Returns its
 * length, 0 when nothing is left.
 */
static size_t encode_tables(struct session_writer *w, const struct profile *p,
			    struct tables_plan *t)
{
	uint64_t pending = (uint64_t)(p->nnodes - w->nodes_done) +
			   (p->nlocations - w->locations_done);
	uint32_t left, from, i, n;
	size_t at = 0;

	if (!pending)
		return 0;
	left = pending < TABLES_PER_CHUNK ? (uint32_t)pending : TABLES_PER_CHUNK;
	/* Each entry is two varints of at most 10 bytes; three counts. */
	w->block = grow(w->block, &w->block_cap, (size_t)left * 2 * SESSION_VARINT_MAX + 32);
	w->vals = xreallocarray(w->vals, left, sizeof(*w->vals));
	w->nparts = 0;

	from = w->nodes_done;
	tables_part(w, at, Z_HUFFMAN_ONLY);
	n = tables_take(w, p->nnodes - from, true, &left, &at);
	t->nodes = from + n;
	for (i = 0; i < n; i++)
		w->vals[i] = from + i - p->nodes[from + i].parent;
	put_varints(w, n, &at);
	for (i = 0; i < n; i++)
		w->vals[i] = p->nodes[from + i].frame;
	tables_part(w, at, Z_FILTERED);
	put_deltas(w, n, &at);

	from = w->locations_done;
	tables_part(w, at, Z_FILTERED);
	n = tables_take(w, p->nlocations - from, t->nodes == p->nnodes, &left, &at);
	t->locations = from + n;
	for (i = 0; i < n; i++)
		w->vals[i] = p->locations[from + i].frame;
	put_deltas(w, n, &at);
	for (i = 0; i < n; i++)
		w->vals[i] = p->locations[from + i].offset;
	tables_part(w, at, Z_FILTERED);
	put_deltas(w, n, &at);

	/* The chains go in chains chunks (encode_chains). */
	at += session_put_varint(w->block + at, 0);
	if (at < PARTS_MIN_BYTES) {
		w->nparts = 0;
		tables_part(w, 0, Z_FILTERED);
	}
	return at;
}

/*
 * The node of chain c: the child of its parent's node for its location's
 * frame, where the call tree has one (a path of frames that all have
 * locations), else none (0).
 */
static uint32_t chain_node_of(const struct session_writer *w, const struct profile *p, uint32_t c)
{
	const struct profile_chain *ch = &p->chains[c];
	uint32_t parent_node = w->chain_node[ch->parent], n;

	if (ch->parent != 0 && parent_node == 0)
		return 0;
	n = profile_find_node(p, parent_node, p->locations[ch->location].frame);
	return n == PROFILE_NO_NODE ? 0 : n;
}

/*
 * Chain c's codes (doc/session-format.md, "Chains chunk") in codes[0..2]:
 * node, parent, location; its node `n`, the file holding nodes below
 * `nnodes`. The state moves on as a reader's will.
 */
static void chain_codes(struct session_writer *w, const struct profile *p, uint32_t c, uint32_t n,
			uint32_t nnodes, uint64_t codes[3])
{
	struct session_chains_state *st = &w->chains;
	const struct profile_chain *ch = &p->chains[c];
	uint32_t q, k, list[SESSION_RECENT_CHAINS];

	for (k = 0; k < SESSION_CHAINS_SKIP_MAX && n != 0 && n != st->cur; k++) {
		uint32_t at = st->cur + k;

		if (at < nnodes && p->nodes[at].parent == n)
			break;
	}
	if (n != 0 && n == st->cur) {
		codes[0] = 0;
		st->cur = n + 1;
	} else if (n != 0 && k < SESSION_CHAINS_SKIP_MAX) {
		codes[0] = 1 + k;
		st->cur += k;
	} else {
		codes[0] = SESSION_CHAINS_SKIP_MAX + 1 + session_zigzag((int64_t)n - (int64_t)st->cur);
		if (n >= st->cur)
			st->cur = n + 1;
	}
	if (n == 0) {
		codes[1] = SESSION_RECENT_CHAINS + (c - 1 - ch->parent);
		codes[2] = SESSION_RECENT_CHAINS +
			   session_zigzag((int64_t)ch->location - (int64_t)w->chains_loc);
		w->chains_loc = ch->location;
		return;
	}
	/* Its parent, among the chains its node's parent had last. */
	q = p->nodes[n].parent;
	session_lists_keys(&st->by_node, nnodes);
	session_lists_get(&st->by_node, q, list);
	for (k = 0; k < SESSION_RECENT_CHAINS && list[k] != ch->parent; k++)
		;
	codes[1] = k < SESSION_RECENT_CHAINS ? k : SESSION_RECENT_CHAINS + (c - 1 - ch->parent);
	session_lists_use(&st->by_node, q, k < SESSION_RECENT_CHAINS ? k : SESSION_RECENT_CHAINS - 1,
			  ch->parent);
	/* Its location, among the locations its node's frame had last. */
	session_lists_keys(&st->by_frame, p->nframes);
	session_lists_get(&st->by_frame, p->nodes[n].frame, list);
	for (k = 0; k < SESSION_RECENT_CHAINS && list[k] != ch->location; k++)
		;
	if (k < SESSION_RECENT_CHAINS) {
		codes[2] = k;
	} else {
		codes[2] = SESSION_RECENT_CHAINS +
			   session_zigzag((int64_t)ch->location - (int64_t)w->chains_loc);
		w->chains_loc = ch->location;
	}
	session_lists_use(&st->by_frame, p->nodes[n].frame,
			  k < SESSION_RECENT_CHAINS ? k : SESSION_RECENT_CHAINS - 1, ch->location);
	/* And c among its own node's chains, for its node's children's. */
	session_lists_use(&st->by_node, n, SESSION_RECENT_CHAINS - 1, c);
}

/* Room for the nodes of the chains below `n`. */
static void chain_nodes_room(struct session_writer *w, size_t n)
{
	if (n <= w->chain_node_cap)
		return;
	w->chain_node = xreallocarray(w->chain_node, n, sizeof(*w->chain_node));
	w->chain_node_cap = n;
	w->chain_node[0] = 0;
}

/*
 * The chains state after the chains the file holds, made again from
 * them as they were coded (their nodes, and the nodes each chunk had):
 * after a chains chunk that did not reach the file, whose chains had
 * moved it on. (Rare: a full disk, say.)
 */
static void chains_rebuild(struct session_writer *w, const struct profile *p)
{
	uint64_t codes[3];
	uint32_t c = 1;
	size_t i;

	session_chains_free(&w->chains);
	for (i = 0; i < w->nchains_chunks; i++)
		for (; c < w->chains_chunks[i].end; c++)
			chain_codes(w, p, c, w->chain_node[c], w->chains_chunks[i].nnodes, codes);
	w->chains_stale = false;
}

/* Notes a chains chunk written whole: its chains' end, and the nodes there were. */
static void chains_chunk_done(struct session_writer *w, uint32_t end, uint32_t nnodes)
{
	if (w->nchains_chunks == w->chains_chunks_cap) {
		w->chains_chunks_cap = w->chains_chunks_cap ? w->chains_chunks_cap * 2 : 64;
		w->chains_chunks = xreallocarray(w->chains_chunks, w->chains_chunks_cap,
						 sizeof(*w->chains_chunks));
	}
	w->chains_chunks[w->nchains_chunks].end = end;
	w->chains_chunks[w->nchains_chunks++].nnodes = nnodes;
	w->chains_done = end;
}

/*
 * Encodes the next chains block (doc/session-format.md, "Chains chunk")
 * in w->block: the chains not yet written, at most TABLES_PER_CHUNK of
 * them, once the nodes and locations are all in. Each column (the count
 * before the first) is a part of its own: the node and parent codes at
 * Z_FILTERED (a path is runs of 0 with a branch's code between, which
 * matches find again), the location codes as Huffman codes alone (a leaf's
 * hit offsets: no runs). On a 10 s recording of 4096 distinct stacks this
 * took 8.7 KB of chains where Huffman codes alone for all took 10.5.
 * Returns its length, and the end of its chains in *to; 0 when nothing
 * is left.
 */
static size_t encode_chains(struct session_writer *w, const struct profile *p, uint32_t *to)
{
	uint32_t from = w->chains_done, n, i;
	uint64_t codes[3];
	size_t at = 0;

	if (from >= p->nchains || w->nodes_done < p->nnodes || w->locations_done < p->nlocations)
		return 0;
	if (w->chains_stale)
		chains_rebuild(w, p);
	n = p->nchains - from < TABLES_PER_CHUNK ? p->nchains - from : TABLES_PER_CHUNK;
	w->block = grow(w->block, &w->block_cap, (size_t)n * 3 * SESSION_VARINT_MAX + 16);
	w->vals = xreallocarray(w->vals, (size_t)n * 3, sizeof(*w->vals));
	chain_nodes_room(w, (size_t)from + n);
	w->chains_loc = 0;
	for (i = 0; i < n; i++) {
		w->chain_node[from + i] = chain_node_of(w, p, from + i);
		chain_codes(w, p, from + i, w->chain_node[from + i], p->nnodes, codes);
		w->vals[i] = codes[0];
		w->vals[(size_t)n + i] = codes[1];
		w->vals[(size_t)2 * n + i] = codes[2];
	}
	w->nparts = 0;
	add_part_as(w, at, SESSION_CHAINS_ZLIB_LEVEL, Z_FILTERED);
	at += session_put_varint(w->block + at, n);
	at += session_put_varints(w->block + at, w->vals, n);
	add_part_as(w, at, SESSION_CHAINS_ZLIB_LEVEL, Z_FILTERED);
	at += session_put_varints(w->block + at, w->vals + n, n);
	add_part_as(w, at, SESSION_CHAINS_ZLIB_LEVEL, Z_HUFFMAN_ONLY);
	at += session_put_varints(w->block + at, w->vals + (size_t)2 * n, n);
	if (at < PARTS_MIN_BYTES) {
		w->nparts = 0;
		tables_part(w, 0, Z_FILTERED);
	}
	*to = from + n;
	return at;
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

		if (!plan_chunk(w, p, threads_from, &c))
			break;
		ret = write_payload(w, SESSION_CHUNK_DATA, w->text, w->text_len, w->parts,
				    w->nparts, NULL, 0);
		if (ret < 0)
			goto out_order;
		commit_chunk(w, p, &c);
		threads_from = c.threads_to;
	}
	for (;;) {
		struct tables_plan t;
		size_t len = encode_tables(w, p, &t);

		if (!len)
			break;
		ret = write_payload(w, SESSION_CHUNK_TABLES, w->block, len, w->parts, w->nparts,
				    NULL, 0);
		if (ret < 0)
			goto out_order;
		w->nodes_done = t.nodes;
		w->locations_done = t.locations;
	}
	for (;;) {
		uint32_t to;
		size_t len = encode_chains(w, p, &to);

		if (!len)
			break;
		ret = write_payload(w, SESSION_CHUNK_CHAINS, w->block, len, w->parts, w->nparts,
				    NULL, 0);
		if (ret < 0) {
			w->chains_stale = true;
			goto out_order;
		}
		chains_chunk_done(w, to, p->nnodes);
	}
	while (w->samples_done < p->nsamples) {
		size_t end = p->nsamples - w->samples_done > SAMPLES_PER_CHUNK
				     ? w->samples_done + SAMPLES_PER_CHUNK
				     : p->nsamples;
		size_t len = encode_samples(w, p, order, w->samples_done, end);

		ret = write_payload(w, SESSION_CHUNK_SAMPLES, w->block, len, w->parts,
				    w->nparts, NULL, 0);
		if (ret < 0) {
			recent_take_back(w);
			goto out_order;
		}
		commit_samples(w, p, order, end);
	}
	/* A whole flush: its tables and its samples. Tables alone (the
	 * samples' chunk did not fit) do not replace an old session. */
	w->has_data = true;
	w->samples_done = 0; /* the caller clears them now */
out_order:
	free(order);
	return ret;
}

static void writer_free(struct session_writer *w)
{
	if (w->zs_ready)
		deflateEnd(&w->zs);
	if (w->zt_ready)
		deflateEnd(&w->zt);
	free(w->trial);
	free(w->out);
	free(w->block);
	free(w->col);
	free(w->thread_keys);
	free(w->thread_idx);
	session_recent_free(&w->recent);
	session_leaves_free(&w->leaves);
	session_chains_free(&w->chains);
	free(w->chain_node);
	free(w->chains_chunks);
	session_times_free(w->times);
	free(w->event_ns);
	free(w->undo);
	free(w->vals);
	free(w->tix);
	free(w->parts);
	free(w->text);
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

void session_writer_exact(struct session_writer *w)
{
	w->exact = true;
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
