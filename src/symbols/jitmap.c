/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * JIT maps: /tmp/perf-PID.map, the file in which a JIT compiler (Node with
 * --perf-basic-prof, Python 3.12 with -X perf, the JVM with perf-map-agent)
 * names the code it generated in anonymous executable memory, one line per
 * function: "START SIZE name", START and SIZE in hex. A process in a
 * container writes it in its own /tmp, under the pid it knows itself by:
 * the map is looked for as perf does, inside the process's root
 * (/proc/PID/root, resolved so that no link leaves it) with that pid.
 *
 * Runtimes append to the file as they compile, so it is read incrementally:
 * each refresh reads only what was added since the last one (whole lines),
 * and a file that shrank or was replaced is read again from the start. A
 * later entry covering an address wins over an earlier one, since code
 * memory is reused (the map's version moves on whenever its entries
 * change, so that a caller knows its cached names may be stale). Names
 * stay until the map is freed or its file is replaced (a new process with
 * that pid): not across a refresh of the same file.
 *
 * The file lives in /tmp, where anyone can create it before the process
 * does, so it is trusted only when it is a regular file (never through a
 * symbolic link: procmap_file_open() checks an O_PATH descriptor first,
 * so a FIFO or device is never opened for reading) owned by the process's
 * user or by root and not writable by others, and not sparse (a file of
 * holes is never a JIT map, and would cost its whole size to read). A
 * refused map stays refused.
 *
 * The file is streamed, a chunk at a time, and bounded: at most
 * SYMBOLS_JITMAP_MAX_BYTES are ever read of it and SYMBOLS_JITMAP_MAX_ENTRIES
 * entries kept; past either, later lines are ignored, counted, and said
 * once.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define MAX_LINE 4096
/* Read at a time. */
#define CHUNK (1u << 20)

struct jit_entry {
	uint64_t start, end;
	uint64_t seq; /* line number: later lines win */
	const char *name;
};

struct symbols_jitmap {
	char *path;
	uint32_t pid; /* the process, in our pid namespace (0: open the path as it is) */
	struct jit_entry *entries; /* sorted by start, then seq */
	size_t len, cap;
	char **names; /* every name read of this file, freed with the map or a new file */
	size_t nnames, names_cap;
	uint64_t seq;
	uint64_t consumed; /* bytes parsed (up to the last complete line) */
	uint64_t read_bytes; /* bytes read of this file, all refreshes together */
	uint64_t dev, ino;
	uint64_t version; /* moves on when entries are added or dropped */
	bool refused;
	bool capped; /* a cap was reached (and said) */
	bool skipping; /* consumed ends inside a line too long to keep */
};

struct symbols_jitmap *symbols_jitmap_new(const char *path, uint32_t pid)
{
	struct symbols_jitmap *m = xcalloc(1, sizeof(*m));

	m->path = xstrdup(path);
	m->pid = pid;
	return m;
}

void symbols_jitmap_free(struct symbols_jitmap *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->nnames; i++)
		free(m->names[i]);
	free(m->names);
	free(m->entries);
	free(m->path);
	free(m);
}

const char *symbols_jitmap_path(const struct symbols_jitmap *m)
{
	return m->path;
}

uint64_t symbols_jitmap_version(const struct symbols_jitmap *m)
{
	return m->version;
}

static int entry_cmp(const void *pa, const void *pb)
{
	const struct jit_entry *a = pa, *b = pb;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Parses one line "START SIZE name"; malformed lines are skipped. */
static void parse_line(struct symbols_jitmap *m, char *line)
{
	unsigned long long start, size;
	char *p = line, *end;

	errno = 0;
	start = strtoull(p, &end, 16);
	if (end == p || (*end != ' ' && *end != '\t') || errno)
		return;
	p = end;
	size = strtoull(p, &end, 16);
	if (end == p || (*end != ' ' && *end != '\t') || errno || size == 0 ||
	    start + size < start)
		return;
	p = end + strspn(end, " \t");
	p[strcspn(p, "\r")] = '\0';
	if (!*p)
		return;
	if (m->len == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 256;
		m->entries = xreallocarray(m->entries, m->cap, sizeof(*m->entries));
	}
	if (m->nnames == m->names_cap) {
		m->names_cap = m->names_cap ? m->names_cap * 2 : 256;
		m->names = xreallocarray(m->names, m->names_cap, sizeof(*m->names));
	}
	m->names[m->nnames] = xstrdup(p);
	m->entries[m->len].start = start;
	m->entries[m->len].end = start + size;
	m->entries[m->len].seq = m->seq++;
	m->entries[m->len].name = m->names[m->nnames++];
	m->len++;
}

/* Whether a cap stops the reading; says so (in `err`) the first time. */
static bool over_caps(struct symbols_jitmap *m, struct ft_error *err)
{
	if (m->read_bytes < SYMBOLS_JITMAP_MAX_BYTES && m->len < SYMBOLS_JITMAP_MAX_ENTRIES)
		return false;
	if (!m->capped) {
		m->capped = true;
		error_set(err, "%s: more than %llu MiB or %u entries; later entries are ignored",
			  m->path, (unsigned long long)(SYMBOLS_JITMAP_MAX_BYTES >> 20),
			  SYMBOLS_JITMAP_MAX_ENTRIES);
	}
	return true;
}

/*
 * Reads the file from m->consumed to its last complete line, a chunk at a
 * time, within the caps. A line longer than MAX_LINE is skipped whole.
 */
static void read_new_lines(struct symbols_jitmap *m, struct procmap_file *f, struct ft_error *err)
{
	char *buf = xmalloc(CHUNK + 1);
	size_t have = 0; /* bytes of an unfinished line kept at the start of buf */
	uint64_t off = m->consumed, before = m->len;

	while (off + have < f->size && !over_caps(m, err)) {
		size_t want = CHUNK - have, used;
		ssize_t n;
		char *line, *nl;

		if (want > SYMBOLS_JITMAP_MAX_BYTES - m->read_bytes)
			want = (size_t)(SYMBOLS_JITMAP_MAX_BYTES - m->read_bytes);
		n = procmap_file_pread(f, buf + have, want, off + have);
		if (n <= 0)
			break;
		m->read_bytes += (uint64_t)n;
		have += (size_t)n;
		buf[have] = '\0';
		for (line = buf; (nl = memchr(line, '\n', have - (size_t)(line - buf))) != NULL;
		     line = nl + 1) {
			*nl = '\0';
			if (m->skipping)
				m->skipping = false;
			else if (nl - line < MAX_LINE && m->len < SYMBOLS_JITMAP_MAX_ENTRIES)
				parse_line(m, line);
		}
		used = (size_t)(line - buf);
		off += used;
		have -= used;
		memmove(buf, line, have);
		if (have >= MAX_LINE) {
			/* No newline in sight: drop what we have of that line. */
			off += have;
			have = 0;
			m->skipping = true;
		}
	}
	/* Only whole lines count as consumed: an unfinished one is read again. */
	m->consumed = off;
	free(buf);
	if (m->len != before) {
		qsort(m->entries, m->len, sizeof(*m->entries), entry_cmp);
		m->version++;
	}
}

/*
 * Opens the map where its process wrote it: the path inside the process's
 * root (a container's own /tmp), never through a final symbolic link;
 * the path as we see it when that root cannot be opened (no pid, or the
 * process is gone) and was ours. As procmap_file_open(); -ESRCH (with
 * `err` saying why) when the process is gone with a root of its own.
 */
static int open_map(const struct symbols_jitmap *m, const struct procmap_owner *owner,
		    struct procmap_file *f, struct ft_error *err)
{
	char root_path[48];
	int root = -1, ret;

	if (m->pid) {
		snprintf(root_path, sizeof(root_path), "/proc/%" PRIu32 "/root", m->pid);
		root = open(root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (root < 0 && !(owner->root_known && owner->root_ours)) {
			error_set(err,
				  "%s: not read: process %" PRIu32 " is gone, and so is the "
				  "root it was in",
				  m->path, m->pid);
			return -ESRCH;
		}
	}
	if (root < 0)
		return procmap_file_open(f, AT_FDCWD, m->path, 0, err);
	ret = procmap_file_open_as(f, m->pid, root, m->path,
				   PROCMAP_FILE_IN_ROOT | PROCMAP_FILE_NO_LINK, err);
	close(root);
	return ret;
}

int symbols_jitmap_refresh(struct symbols_jitmap *m, const struct procmap_owner *owner,
			   struct ft_error *err)
{
	struct procmap_file f;
	struct stat st;
	int ret;

	if (m->refused)
		return -EPERM;
	ret = open_map(m, owner, &f, err);
	if (ret == -EPERM) {
		char why[sizeof(err->msg)];

		memcpy(why, err->msg, sizeof(why));
		error_set(err, "ignoring %s", why);
		goto out_refuse;
	}
	if (ret == -ESRCH)
		return ret;
	if (ret < 0) {
		err->msg[0] = '\0';
		return ret;
	}
	if (fstat(f.fd, &st) != 0) {
		ret = -errno;
		goto out_close;
	}
	if (st.st_uid != owner->uid && st.st_uid != 0) {
		error_set(err, "ignoring %s: owned by uid %u, not by the process's user (uid %u) or root",
			  m->path, (unsigned)st.st_uid, (unsigned)owner->uid);
		goto out_refuse_close;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		error_set(err, "ignoring %s: writable by users other than its owner", m->path);
		goto out_refuse_close;
	}
	if (procmap_file_sparse(&f)) {
		error_set(err, "ignoring %s: a sparse file of %llu bytes", m->path,
			  (unsigned long long)f.size);
		goto out_refuse_close;
	}
	if (f.dev != m->dev || f.ino != m->ino || f.size < m->consumed) {
		/* A new file (a new process with this pid) or a truncated one. */
		size_t i;

		for (i = 0; i < m->nnames; i++)
			free(m->names[i]);
		m->nnames = 0;
		m->len = 0;
		m->consumed = 0;
		m->read_bytes = 0;
		m->capped = false;
		m->skipping = false;
		m->dev = f.dev;
		m->ino = f.ino;
		m->version++;
	}
	if (f.size > m->consumed)
		read_new_lines(m, &f, err);
out_close:
	procmap_file_close(&f);
	return ret;

out_refuse_close:
	procmap_file_close(&f);
out_refuse:
	m->refused = true;
	return -EPERM;
}

const char *symbols_jitmap_lookup(const struct symbols_jitmap *m, uint64_t addr)
{
	size_t lo = 0, hi = m->len, i;
	const struct jit_entry *best = NULL;

	/* The entries starting at or below addr are [0, lo). */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->entries[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* The latest entry covering addr, among the few that start nearest below it. */
	for (i = lo; i-- > 0 && lo - i <= 16;) {
		const struct jit_entry *e = &m->entries[i];

		if (addr < e->end && (!best || e->seq > best->seq))
			best = e;
	}
	return best ? best->name : NULL;
}
