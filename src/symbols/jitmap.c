/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * JIT maps: /tmp/perf-PID.map, the file in which a JIT compiler (Node with
 * --perf-basic-prof, Python 3.12 with -X perf, the JVM with perf-map-agent)
 * names the code it generated in anonymous executable memory, one line per
 * function: "START SIZE name", START and SIZE in hex.
 *
 * Runtimes append to the file as they compile, so it is read incrementally:
 * each refresh reads only what was added since the last one (whole lines),
 * and a file that shrank or was replaced is read again from the start. A
 * later entry covering an address wins over an earlier one, since code
 * memory is reused. Names are never freed before the map itself, so a name
 * once returned stays valid however often the file is re-read.
 *
 * The file lives in /tmp, where anyone can create it before the process
 * does, so it is trusted only when it is a regular file (never through a
 * symbolic link: lstat, then open with O_NOFOLLOW) owned by the process's
 * user or by root and not writable by others. A refused map stays refused.
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

struct jit_entry {
	uint64_t start, end;
	uint64_t seq; /* line number: later lines win */
	const char *name;
};

struct symbols_jitmap {
	char *path;
	struct jit_entry *entries; /* sorted by start, then seq */
	size_t len, cap;
	char **names; /* every name ever read, freed with the map */
	size_t nnames, names_cap;
	uint64_t seq;
	off_t consumed; /* bytes parsed (up to the last complete line) */
	dev_t dev;
	ino_t ino;
	bool refused;
};

struct symbols_jitmap *symbols_jitmap_new(const char *path)
{
	struct symbols_jitmap *m = xcalloc(1, sizeof(*m));

	m->path = xstrdup(path);
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

/* Reads the file from m->consumed to its last complete line. */
static void read_new_lines(struct symbols_jitmap *m, int fd, off_t size)
{
	char *buf, *line, *nl;
	size_t len = (size_t)(size - m->consumed), got = 0;
	ssize_t n;

	buf = xmalloc(len + 1);
	while (got < len) {
		n = pread(fd, buf + got, len - got, m->consumed + (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	for (line = buf; (nl = memchr(line, '\n', got - (size_t)(line - buf))) != NULL;
	     line = nl + 1) {
		*nl = '\0';
		if (nl - line < MAX_LINE)
			parse_line(m, line);
	}
	m->consumed += line - buf;
	free(buf);
	qsort(m->entries, m->len, sizeof(*m->entries), entry_cmp);
}

int symbols_jitmap_refresh(struct symbols_jitmap *m, uid_t owner, struct ft_error *err)
{
	struct stat st;
	int fd, ret = 0;

	if (m->refused)
		return -EPERM;
	if (lstat(m->path, &st) != 0)
		return -errno;
	if (S_ISLNK(st.st_mode)) {
		error_set(err, "ignoring %s: it is a symbolic link", m->path);
		goto out_refuse;
	}
	fd = open(m->path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ELOOP)
			return -errno;
		error_set(err, "ignoring %s: it is a symbolic link", m->path);
		goto out_refuse;
	}
	if (fstat(fd, &st) != 0) {
		ret = -errno;
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		error_set(err, "ignoring %s: not a regular file", m->path);
		close(fd);
		goto out_refuse;
	}
	if (st.st_uid != owner && st.st_uid != 0) {
		error_set(err, "ignoring %s: owned by uid %u, not by the process's user (uid %u) or root",
			  m->path, (unsigned)st.st_uid, (unsigned)owner);
		close(fd);
		goto out_refuse;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		error_set(err, "ignoring %s: writable by users other than its owner", m->path);
		close(fd);
		goto out_refuse;
	}
	if (st.st_dev != m->dev || st.st_ino != m->ino || st.st_size < m->consumed) {
		/* A new file (a new process with this pid) or a truncated one. */
		m->len = 0;
		m->consumed = 0;
		m->dev = st.st_dev;
		m->ino = st.st_ino;
	}
	if (st.st_size > m->consumed)
		read_new_lines(m, fd, st.st_size);
out_close:
	close(fd);
	return ret;

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
