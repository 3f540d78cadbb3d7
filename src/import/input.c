/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An importer's input: a file, a pipe or stdin, read through one buffer
 * that lines are cut from in place, so a multi-GB text goes through in
 * constant memory at the speed of memchr. Input that starts with gzip's
 * magic is inflated on the fly (a gzipped pprof is the usual case; a
 * gzipped perf script works the same way). Every read is capped: a line
 * at IMPORT_MAX_LINE, a whole read at its caller's cap, the total inflated
 * at IMPORT_MAX_INFLATED, so no input makes the buffer grow without bound.
 */
#include "config.h"

#include "flametop/import.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "flametop/util.h"

/* Bytes read from the file at a time. */
#define READ_CHUNK (1u << 20)

struct import_input {
	char *name;
	int fd; /* -1 for memory */
	const unsigned char *mem; /* memory input */
	size_t mem_size, mem_at;
	uint64_t total; /* file size, 0 when unknown */
	uint64_t raw_done; /* bytes taken from the file or memory */
	bool eof_raw; /* nothing more to read from the file */

	/* Decompression, when the input is gzipped. */
	bool gzip, sniffed;
	z_stream z;
	bool z_init; /* inflateInit2 done: inflateEnd owed */
	bool z_live; /* inside a gzip member */
	unsigned char *raw; /* compressed bytes not yet inflated */
	size_t raw_len, raw_cap;
	uint64_t inflated;

	/* The buffer of (inflated) bytes: [at, len) not consumed yet. */
	char *buf;
	size_t at, len, cap;
	size_t clean; /* buf[at, clean) holds no NUL byte (checked once per fill) */
	bool eof; /* no byte will come after buf[len] */

	uint64_t lineno;
	import_progress_fn progress;
	void *progress_ctx;
	uint64_t progress_last;
};

/* An input whose buffer starts at `cap` bytes (it grows as reads need). */
static struct import_input *input_new(const char *name, size_t cap)
{
	struct import_input *in = xcalloc(1, sizeof(*in));

	in->name = xstrdup(name);
	in->fd = -1;
	in->cap = cap;
	in->buf = xmalloc(in->cap);
	return in;
}

struct import_input *import_input_open(const char *path, struct ft_error *err)
{
	bool is_stdin = strcmp(path, "-") == 0;
	struct import_input *in;
	struct stat st;
	int fd, flags;

	if (is_stdin) {
		fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
	} else {
		/* O_NONBLOCK: opening a FIFO with no writer must not hang here. */
		fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	}
	if (fd < 0) {
		error_set(err, "%s: %s", is_stdin ? "stdin" : path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0) {
		error_set(err, "%s: %s", is_stdin ? "stdin" : path, strerror(errno));
		goto out_close;
	}
	if (S_ISDIR(st.st_mode)) {
		error_set(err, "%s: is a directory", is_stdin ? "stdin" : path);
		goto out_close;
	}
	if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
		error_set(err, "%s: not a regular file or a pipe", is_stdin ? "stdin" : path);
		goto out_close;
	}
	/* Reads block from here on: a pipe's writer may be slow. */
	flags = fcntl(fd, F_GETFL);
	if (flags >= 0 && (flags & O_NONBLOCK))
		(void)fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	in = input_new(is_stdin ? "stdin" : path, READ_CHUNK);
	in->fd = fd;
	if (S_ISREG(st.st_mode)) {
		off_t at = lseek(fd, 0, SEEK_CUR);

		if (at >= 0 && st.st_size > at)
			in->total = (uint64_t)(st.st_size - at);
	}
	return in;
out_close:
	close(fd);
	return NULL;
}

struct import_input *import_input_mem(const void *data, size_t size, const char *name)
{
	struct import_input *in = input_new(name, size + 64);

	in->mem = data;
	in->mem_size = size;
	in->total = size;
	return in;
}

void import_input_free(struct import_input *in)
{
	if (!in)
		return;
	if (in->fd >= 0)
		close(in->fd);
	if (in->z_init)
		inflateEnd(&in->z);
	free(in->raw);
	free(in->buf);
	free(in->name);
	free(in);
}

void import_input_set_progress(struct import_input *in, import_progress_fn fn, void *ctx)
{
	in->progress = fn;
	in->progress_ctx = ctx;
}

const char *import_input_name(const struct import_input *in)
{
	return in->name;
}

bool import_input_gzipped(const struct import_input *in)
{
	return in->gzip;
}

uint64_t import_input_lineno(const struct import_input *in)
{
	return in->lineno;
}

/* Reads up to `want` raw bytes into `dst`. The count (0 at the end), or -1
 * with `err` filled. */
static ssize_t read_raw(struct import_input *in, void *dst, size_t want, struct ft_error *err)
{
	ssize_t n;

	if (in->eof_raw)
		return 0;
	if (!in->mem) {
		do
			n = read(in->fd, dst, want);
		while (n < 0 && errno == EINTR);
		if (n < 0) {
			error_set(err, "%s: read error: %s", in->name, strerror(errno));
			return -1;
		}
	} else {
		n = (ssize_t)(in->mem_size - in->mem_at < want ? in->mem_size - in->mem_at : want);
		memcpy(dst, in->mem + in->mem_at, (size_t)n);
		in->mem_at += (size_t)n;
	}
	if (n == 0)
		in->eof_raw = true;
	in->raw_done += (uint64_t)n;
	if (in->progress && (in->raw_done - in->progress_last >= (4u << 20) || n == 0)) {
		in->progress_last = in->raw_done;
		in->progress(in->progress_ctx, in->raw_done, in->total);
	}
	return n;
}

/* Makes room for `need` more bytes after buf[len] and a NUL, moving the
 * unread part to the front first. */
static void make_room(struct import_input *in, size_t need)
{
	if (in->at > 0 && (in->at == in->len || in->cap - in->len < need + 1)) {
		memmove(in->buf, in->buf + in->at, in->len - in->at);
		in->len -= in->at;
		in->clean = in->clean > in->at ? in->clean - in->at : 0;
		in->at = 0;
	}
	if (in->cap - in->len < need + 1) {
		size_t cap = in->cap ? in->cap : READ_CHUNK;

		while (cap - in->len < need + 1)
			cap *= 2;
		in->buf = xrealloc(in->buf, cap);
		in->cap = cap;
	}
}

/* Inflates more of a gzipped input into buf. 0, or -1 with `err` filled. */
static int fill_gzip(struct import_input *in, struct ft_error *err)
{
	for (;;) {
		size_t room;
		int r;

		if (in->z.avail_in == 0 && !in->eof_raw) {
			ssize_t n;

			if (in->raw_cap == 0) {
				in->raw_cap = READ_CHUNK;
				in->raw = xmalloc(in->raw_cap);
			}
			n = read_raw(in, in->raw, in->raw_cap, err);
			if (n < 0)
				return -1;
			in->z.next_in = in->raw;
			in->z.avail_in = (uInt)n;
		}
		if (in->z.avail_in == 0 && in->eof_raw) {
			if (!in->z_live) {
				in->eof = true;
				return 0;
			}
			error_set(err, "%s: truncated gzip data (after %llu bytes inflated)", in->name,
				  (unsigned long long)in->inflated);
			return -1;
		}
		if (!in->z_live) {
			/* Another gzip member after the previous one: gzip allows it. */
			if (inflateReset2(&in->z, 16 + MAX_WBITS) != Z_OK) {
				error_set(err, "%s: cannot inflate", in->name);
				return -1;
			}
			in->z_live = true;
		}
		make_room(in, READ_CHUNK);
		room = in->cap - in->len - 1;
		in->z.next_out = (unsigned char *)in->buf + in->len;
		in->z.avail_out = (uInt)(room > READ_CHUNK ? READ_CHUNK : room);
		r = inflate(&in->z, Z_NO_FLUSH);
		if (r != Z_OK && r != Z_STREAM_END && r != Z_BUF_ERROR) {
			error_set(err, "%s: bad gzip data at byte %llu of the file: %s", in->name,
				  (unsigned long long)(in->raw_done - in->z.avail_in),
				  in->z.msg ? in->z.msg : "corrupt stream");
			return -1;
		}
		{
			size_t got = (size_t)((unsigned char *)in->z.next_out -
					      ((unsigned char *)in->buf + in->len));

			in->len += got;
			in->inflated += got;
		}
		if (in->inflated > IMPORT_MAX_INFLATED) {
			error_set(err, "%s: inflates to more than %llu bytes (the limit)", in->name,
				  (unsigned long long)IMPORT_MAX_INFLATED);
			return -1;
		}
		if (r == Z_STREAM_END) {
			/* Keep the stream for the next member; it is reset above. */
			in->z_live = false;
		}
		if (in->len > in->at)
			return 0;
	}
}

/*
 * Reads more bytes into buf (at least one unless at the end). On the first
 * call, looks for gzip's magic. 0, or -1 with `err` filled.
 */
static int fill(struct import_input *in, struct ft_error *err)
{
	size_t want;
	ssize_t n;

	if (in->eof)
		return 0;
	if (!in->sniffed) {
		unsigned char *magic;
		size_t got = 0;

		in->sniffed = true;
		make_room(in, 2);
		magic = (unsigned char *)in->buf + in->len;
		while (got < 2) {
			n = read_raw(in, magic + got, 2 - got, err);
			if (n < 0)
				return -1;
			if (n == 0)
				break;
			got += (size_t)n;
		}
		if (got == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
			in->gzip = true;
			memset(&in->z, 0, sizeof(in->z));
			if (inflateInit2(&in->z, 16 + MAX_WBITS) != Z_OK) {
				error_set(err, "%s: cannot inflate", in->name);
				return -1;
			}
			in->z_init = true;
			in->z_live = true;
			in->raw_cap = READ_CHUNK;
			in->raw = xmalloc(in->raw_cap);
			memcpy(in->raw, magic, 2);
			in->z.next_in = in->raw;
			in->z.avail_in = 2;
		} else {
			in->len += got;
			if (got < 2)
				in->eof = true;
			if (got > 0 || in->eof)
				return 0;
		}
	}
	if (in->gzip)
		return fill_gzip(in, err);
	want = READ_CHUNK;
	if (in->mem && in->mem_size - in->mem_at < want)
		want = in->mem_size - in->mem_at;
	make_room(in, want);
	n = read_raw(in, in->buf + in->len, want, err);
	if (n < 0)
		return -1;
	if (n == 0)
		in->eof = true;
	in->len += (size_t)n;
	return 0;
}

int import_input_peek(struct import_input *in, size_t want, const char **data, size_t *len,
		      struct ft_error *err)
{
	while (in->len - in->at < want && !in->eof)
		if (fill(in, err) < 0)
			return -1;
	make_room(in, 0);
	in->buf[in->len] = '\0';
	*data = in->buf + in->at;
	*len = in->len - in->at < want ? in->len - in->at : want;
	return 0;
}

int import_input_line(struct import_input *in, char **line, size_t *len, struct ft_error *err)
{
	size_t scanned = 0;
	char *nl;

	for (;;) {
		nl = memchr(in->buf + in->at + scanned, '\n', in->len - in->at - scanned);
		if (nl)
			break;
		scanned = in->len - in->at;
		if (scanned > IMPORT_MAX_LINE) {
			error_set(err, "%s:%llu: line longer than %u bytes", in->name,
				  (unsigned long long)in->lineno + 1, IMPORT_MAX_LINE);
			return -1;
		}
		if (in->eof)
			break;
		if (fill(in, err) < 0)
			return -1;
	}
	if (!nl && in->len == in->at)
		return 0;
	if (!nl) { /* a last line without a newline */
		make_room(in, 1);
		nl = in->buf + in->len;
	}
	*line = in->buf + in->at;
	*len = (size_t)(nl - *line);
	if ((size_t)(nl - in->buf) > in->clean) {
		/* One scan for NULs up to the end of what was read, not one a line. */
		size_t from = in->clean > (size_t)(*line - in->buf) ? in->clean :
								       (size_t)(*line - in->buf);
		char *z = memchr(in->buf + from, '\0', in->len - from);

		in->clean = z ? (size_t)(z - in->buf) : in->len;
		if (z && z < nl) {
			error_set(err, "%s:%llu: a NUL byte (not text)", in->name,
				  (unsigned long long)in->lineno + 1);
			return -1;
		}
	}
	in->at += *len + (in->at + *len < in->len ? 1 : 0);
	*nl = '\0';
	in->lineno++;
	if (*len > IMPORT_MAX_LINE) {
		error_set(err, "%s:%llu: line longer than %u bytes", in->name,
			  (unsigned long long)in->lineno, IMPORT_MAX_LINE);
		return -1;
	}
	if (*len > 0 && (*line)[*len - 1] == '\r')
		(*line)[--*len] = '\0';
	return 1;
}

int import_input_all(struct import_input *in, size_t cap, char **data, size_t *len,
		     struct ft_error *err)
{
	char *out;

	while (!in->eof) {
		if (in->len - in->at > cap)
			break;
		if (fill(in, err) < 0)
			return -1;
	}
	if (in->len - in->at > cap) {
		error_set(err, "%s: larger than %zu bytes%s (the limit for a profile read whole)",
			  in->name, cap, in->gzip ? " once inflated" : "");
		return -1;
	}
	/* Hand the buffer over rather than copy it: it may be hundreds of MiB. */
	make_room(in, 0);
	if (in->at > 0)
		memmove(in->buf, in->buf + in->at, in->len - in->at);
	*len = in->len - in->at;
	out = in->buf;
	out[*len] = '\0';
	in->cap = 64; /* the input is at its end now */
	in->buf = xmalloc(in->cap);
	in->at = in->len = in->clean = 0;
	*data = out;
	return 0;
}
