/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Processes and threads for the picker, read from /proc: name and CPU
 * ticks of each, and CPU use as the change between two scans (on the
 * first, the use since each started, as ps shows it). Only runs
 * while the picker is open. A replayed session lists its own threads
 * instead (the machine it was recorded on is not this one). Names come from the processes themselves, so
 * they are sanitized here, before anything else sees them.
 */
#include "config.h"

#include "flametop/ui.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Reads comm, utime + stime and the start time (0 when not there) from a
 * stat file; 0 or -1. */
static int read_stat(const char *path, char *comm, size_t size, uint64_t *ticks, uint64_t *start)
{
	char buf[1024], raw[64];
	unsigned long long ut = 0, st = 0, begin = 0;
	const char *open_paren, *close_paren;
	size_t n, len;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* "pid (comm) state ...": comm may hold spaces and parentheses, so
	 * it ends at the last ')'. */
	open_paren = strchr(buf, '(');
	close_paren = strrchr(buf, ')');
	if (!open_paren || !close_paren || close_paren < open_paren)
		return -1;
	len = (size_t)(close_paren - open_paren - 1);
	if (len >= sizeof(raw))
		len = sizeof(raw) - 1;
	memcpy(raw, open_paren + 1, len);
	raw[len] = '\0';
	util_sanitize(raw, comm, size);
	/* After ") ": state(3) ppid pgrp session tty tpgid flags minflt
	 * cminflt majflt cmajflt utime(14) stime(15) cutime cstime priority
	 * nice num_threads itrealvalue starttime(22). */
	if (sscanf(close_paren + 2,
		   "%*c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %llu %llu %*s %*s %*s %*s %*s %*s "
		   "%llu",
		   &ut, &st, &begin) < 2)
		return -1;
	*ticks = ut + st;
	*start = begin;
	return 0;
}

static bool numeric(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static void add(struct ui_procs *out, uint32_t pid, uint32_t tid, bool thread, const char *comm,
		uint64_t ticks, uint64_t start)
{
	struct ui_proc *p;

	if (out->n == out->cap) {
		out->cap = out->cap ? 2 * out->cap : 256;
		out->v = xreallocarray(out->v, out->cap, sizeof(*out->v));
	}
	p = &out->v[out->n++];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->tid = tid;
	p->thread = thread;
	p->ticks = ticks;
	p->start = start;
	snprintf(p->comm, sizeof(p->comm), "%s", comm);
}

static uint64_t key(const struct ui_proc *p)
{
	return ((uint64_t)p->tid << 1 | p->thread) + 1;
}

static int cmp_proc(const void *a, const void *b)
{
	const struct ui_proc *x = a, *y = b;

	/* By process first, so that a process's threads stay under it even
	 * when a thread's ticks, read a moment later, show more CPU. */
	if (x->pcpu != y->pcpu)
		return x->pcpu > y->pcpu ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->thread != y->thread)
		return x->thread ? 1 : -1;
	if (x->cpu != y->cpu)
		return x->cpu > y->cpu ? -1 : 1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

void ui_procs_scan(struct ui_procs *out, const struct ui_procs *prev, const char *root)
{
	struct u64map before;
	struct dirent *de;
	double hz = (double)sysconf(_SC_CLK_TCK), secs = 0, uptime = 0;
	char path[1024];
	size_t i;
	FILE *f;
	DIR *d;

	out->n = 0;
	out->when = util_now_ns();
	u64map_init(&before);
	if (prev) {
		for (i = 0; i < prev->n; i++)
			u64map_put(&before, key(&prev->v[i]), (uint32_t)i);
		secs = (double)(out->when - prev->when) / 1e9;
	}
	/* Seconds since boot, for CPU since a start. */
	snprintf(path, sizeof(path), "%s/uptime", root);
	f = fopen(path, "re");
	if (f) {
		if (fscanf(f, "%lf", &uptime) != 1)
			uptime = 0;
		fclose(f);
	}
	d = opendir(root);
	if (!d)
		goto out;
	while ((de = readdir(d))) {
		char comm[64];
		uint64_t ticks, start;
		uint32_t pid;
		struct dirent *te;
		DIR *td;

		if (!numeric(de->d_name))
			continue;
		pid = (uint32_t)strtoul(de->d_name, NULL, 10);
		snprintf(path, sizeof(path), "%s/%s/stat", root, de->d_name);
		if (read_stat(path, comm, sizeof(comm), &ticks, &start) < 0)
			continue;
		add(out, pid, pid, false, comm, ticks, start);
		snprintf(path, sizeof(path), "%s/%s/task", root, de->d_name);
		td = opendir(path);
		if (!td)
			continue;
		while ((te = readdir(td))) {
			if (!numeric(te->d_name))
				continue;
			if (snprintf(path, sizeof(path), "%s/%s/task/%.32s/stat", root, de->d_name,
				     te->d_name) >= (int)sizeof(path))
				continue;
			if (read_stat(path, comm, sizeof(comm), &ticks, &start) == 0)
				add(out, pid, (uint32_t)strtoul(te->d_name, NULL, 10), true, comm,
				    ticks, start);
		}
		closedir(td);
	}
	closedir(d);
	for (i = 0; i < out->n; i++) {
		struct ui_proc *p = &out->v[i];
		uint32_t at;

		if (hz <= 0)
			break;
		if (secs > 0 && u64map_get(&before, key(p), &at) && p->ticks >= prev->v[at].ticks)
			p->cpu = (double)(p->ticks - prev->v[at].ticks) / hz / secs * 100.0;
		else if (p->start && uptime > (double)p->start / hz)
			/* No scan before it: its CPU since it started, so that
			 * the list opens in the right order. */
			p->cpu = (double)p->ticks / hz / (uptime - (double)p->start / hz) * 100.0;
	}
	/* A process's threads follow its line (add() order), so its CPU is
	 * at hand for them. */
	for (i = 0; i < out->n; i++)
		out->v[i].pcpu = out->v[i].thread && i ? out->v[i - 1].pcpu : out->v[i].cpu;
	qsort(out->v, out->n, sizeof(*out->v), cmp_proc);
out:
	u64map_free(&before);
}

void ui_procs_from_profile(struct ui_procs *out, const struct profile *p)
{
	struct u64map seen;
	uint32_t i, at;
	char comm[64];

	out->n = 0;
	out->when = util_now_ns();
	u64map_init(&seen);
	for (i = 0; i < p->nthreads; i++) {
		const struct profile_thread *th = &p->threads[i];

		util_sanitize(profile_string(p, th->comm), comm, sizeof(comm));
		add(out, th->pid, th->tid, true, comm, 0, 0);
		if (!u64map_get(&seen, (uint64_t)th->pid + 1, &at)) {
			u64map_put(&seen, (uint64_t)th->pid + 1, (uint32_t)out->n);
			add(out, th->pid, th->pid, false, comm, 0, 0);
		} else if (th->tid == th->pid) {
			/* The process is named after its main thread. */
			snprintf(out->v[at].comm, sizeof(out->v[at].comm), "%s", comm);
		}
	}
	qsort(out->v, out->n, sizeof(*out->v), cmp_proc);
	u64map_free(&seen);
}

size_t ui_procs_filter(const struct ui_procs *p, const char *filter, size_t *idx)
{
	unsigned long want = 0;
	bool number = filter && *filter && strlen(filter) <= 10;
	size_t i, n = 0;

	for (i = 0; number && filter[i]; i++)
		if (filter[i] < '0' || filter[i] > '9')
			number = false;
	if (number)
		want = strtoul(filter, NULL, 10);
	for (i = 0; number && i < p->n; i++)
		if (p->v[i].pid == want || p->v[i].tid == want)
			idx[n++] = i;
	for (i = 0; i < p->n; i++)
		if (!(number && (p->v[i].pid == want || p->v[i].tid == want)) &&
		    ui_procs_match(&p->v[i], filter))
			idx[n++] = i;
	return n;
}

void ui_procs_free(struct ui_procs *p)
{
	free(p->v);
	memset(p, 0, sizeof(*p));
}

bool ui_procs_match(const struct ui_proc *p, const char *filter)
{
	char num[16];
	size_t n;

	if (!filter || !*filter)
		return true;
	if (strstr(p->comm, filter))
		return true;
	n = strlen(filter);
	snprintf(num, sizeof(num), "%u", p->pid);
	if (strncmp(num, filter, n) == 0)
		return true;
	snprintf(num, sizeof(num), "%u", p->tid);
	return strncmp(num, filter, n) == 0;
}
