/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * File systems that a user serves. A user's FUSE mount (fusermount with
 * allow_other) answers every look at its files from the user's own
 * process, which can simply stop answering: then stat(), open() and
 * read() of those files wait for good, and a profiler running as root
 * that reads a library from there never finishes. Even the look at the
 * file (fstat, statfs) waits, so the file system is told from the
 * process's mount table (/proc/PID/mountinfo, which procfs writes without
 * asking any file system) and from the mount an O_PATH descriptor is on
 * (/proc/self/fdinfo's mnt_id), never from the file.
 *
 * A FUSE mount is a user's unless its superblock says user_id=0. Mounts
 * made in a user namespace refuse root outright (EACCES, no wait), so
 * they need no rule here. A mount in no table (detached with umount -l
 * while a process still maps a file of it) is told FUSE or not by its
 * device's entry in fusectl (/sys/fs/fuse/connections).
 *
 * Tables are read through a small cache, and lent, not copied. A table is
 * what every process of one mount namespace and root sees, so the
 * processes of a machine (or of a container) share one read, and it is
 * read again only when the kernel says it changed (into a new table:
 * whoever borrowed the old one keeps it, unchanged, until it lets go; a
 * table goes with its last holder): a mountinfo descriptor polls POLLPRI after a mount or
 * an unmount in its namespace. The kernel takes some 14 ms to write a
 * table of 2,000 mounts (a busy container host), which every file a
 * profiled process mapped would otherwise pay.
 */
#include "config.h"

#include "flametop/util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* The most of a mount table read: past it, mounts are unknown. */
#define MOUNTINFO_MAX (4u << 20)
/* Tables kept: a machine's own, and a few containers' (least recently used goes). */
#define MOUNTS_SLOTS 4

/* Decodes mountinfo's octal escapes (\040 a space, \012 a newline) in place. */
static void unescape(char *s)
{
	char *out = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 4;
		} else {
			*out++ = *s++;
		}
	}
	*out = '\0';
}

static bool is_fuse(const char *fstype)
{
	return strcmp(fstype, "fuse") == 0 || strcmp(fstype, "fuseblk") == 0 ||
	       strncmp(fstype, "fuse.", 5) == 0;
}

/* The user_id= of FUSE super options, or -1 when absent or unreadable. */
static long fuse_user(const char *opts)
{
	const char *p = strstr(opts, "user_id=");
	char *end;
	long v;

	if (!p || (p != opts && p[-1] != ','))
		return -1;
	v = strtol(p + 8, &end, 10);
	return end == p + 8 || v < 0 ? -1 : v;
}

/*
 * Parses one mountinfo line, "ID PARENT MAJ:MIN ROOT POINT OPTS [TAGS] -
 * FSTYPE SOURCE SUPER", into `m`. Returns false for a line it cannot read.
 */
static bool parse_line(struct ft_mounts *m, char *line)
{
	char *field[6], *save = NULL, *dash, *fstype, *super;
	long id, user;
	int i;

	dash = strstr(line, " - ");
	if (!dash)
		return false;
	*dash = '\0';
	for (i = 0; i < 6; i++) {
		field[i] = strtok_r(i ? NULL : line, " ", &save);
		if (!field[i])
			return false;
	}
	fstype = strtok_r(dash + 3, " ", &save);
	if (!fstype || !strtok_r(NULL, " ", &save))
		return false;
	super = strtok_r(NULL, " ", &save);
	id = strtol(field[0], NULL, 10);
	if (id <= 0 || id > INT32_MAX)
		return false;
	m->ids[m->n_ids++] = (int32_t)id; /* one a line: room made by the caller */
	if (!is_fuse(fstype))
		return true;
	user = super ? fuse_user(super) : -1;
	if (user == 0)
		return true;
	unescape(field[4]);
	m->fuse = xrealloc(m->fuse, (m->n_fuse + 1) * sizeof(*m->fuse));
	m->fuse[m->n_fuse].id = (int32_t)id;
	m->fuse[m->n_fuse].uid = user;
	m->fuse[m->n_fuse].point = xstrdup(field[4]);
	m->n_fuse++;
	return true;
}

static size_t count_lines(const char *buf, size_t len)
{
	size_t n = 0;

	while (len--)
		n += *buf++ == '\n';
	return n;
}

/* Frees a table no one holds any more. */
static void table_free(struct ft_mounts *m)
{
	size_t i;

	for (i = 0; i < m->n_fuse; i++)
		free(m->fuse[i].point);
	free(m->fuse);
	free(m->ids);
	free(m);
}

/*
 * Reads the table open at `fd` (from its start) into a new table, held
 * once (by the caller); NULL with errno set on failure.
 */
static struct ft_mounts *read_table(int fd)
{
	struct ft_mounts *m;
	char *buf, *line, *next;
	size_t len;
	bool cut;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return NULL;
	buf = util_read_fd_max(fd, MOUNTINFO_MAX, &len, &cut);
	if (!buf)
		return NULL;
	m = xcalloc(1, sizeof(*m));
	m->cut = cut;
	m->ids = xmalloc((count_lines(buf, len) + 1) * sizeof(*m->ids));
	for (line = buf; line < buf + len && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = buf + len;
		parse_line(m, line);
	}
	free(buf);
	m->loaded = true;
	m->refs = 1;
	return m;
}

/* A table of the cache: what the processes of one namespace and root see. */
struct mounts_slot {
	uint64_t ns; /* the mount namespace's inode number; 0: a free slot */
	char *root; /* the root, as /proc/PID/root names it */
	int fd; /* its mountinfo, kept open to be polled for changes */
	struct ft_mounts *m; /* held once by the slot, and once by each borrower */
	uint64_t used; /* when it was last used, for the least recently used */
};

static struct mounts_slot mounts_slots[MOUNTS_SLOTS];
static uint64_t mounts_clock;
static pthread_mutex_t mounts_lock = PTHREAD_MUTEX_INITIALIZER;
/* What a table that cannot be read is: nothing to tell by. Never freed. */
static struct ft_mounts no_table;

/* Lets go of one hold on `m`; call with the lock. */
static void table_put(struct ft_mounts *m)
{
	if (m && m != &no_table && --m->refs == 0)
		table_free(m);
}

static void slot_clear(struct mounts_slot *s)
{
	if (s->ns)
		close(s->fd);
	free(s->root);
	table_put(s->m);
	memset(s, 0, sizeof(*s));
}

/* Whether the namespace of the table open at `fd` had a mount or unmount since it was read. */
static bool table_changed(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLPRI };

	return poll(&p, 1, 0) != 0 && (p.revents & (POLLPRI | POLLERR | POLLNVAL));
}

/*
 * The cache's table for (ns, root), read now when it is not there or
 * changed; NULL (errno set) when it cannot be read. Call with the lock.
 */
static struct mounts_slot *slot_get(const char *proc, uint64_t ns, const char *root)
{
	struct mounts_slot *s, *victim = &mounts_slots[0];
	struct ft_mounts *m;
	char path[64];
	size_t i;
	int fd, e;

	for (i = 0; i < MOUNTS_SLOTS; i++) {
		s = &mounts_slots[i];
		if (s->ns == ns && strcmp(s->root, root) == 0) {
			if (table_changed(s->fd)) {
				/* Borrowers of the old table keep it until they let go. */
				m = read_table(s->fd);
				if (!m) {
					e = errno;
					slot_clear(s);
					errno = e;
					return NULL;
				}
				table_put(s->m);
				s->m = m;
			}
			s->used = ++mounts_clock;
			return s;
		}
		if (s->used < victim->used)
			victim = s;
	}
	snprintf(path, sizeof(path), "%s/mountinfo", proc);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	m = read_table(fd);
	if (!m) {
		e = errno;
		close(fd);
		errno = e;
		return NULL;
	}
	slot_clear(victim);
	victim->ns = ns;
	victim->root = xstrdup(root);
	victim->fd = fd;
	victim->m = m;
	victim->used = ++mounts_clock;
	return victim;
}

/* The table of `proc` ("/proc/PID"), read without the cache; NULL when it cannot be. */
static struct ft_mounts *read_uncached(const char *proc)
{
	struct ft_mounts *m;
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "%s/mountinfo", proc);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	m = read_table(fd);
	close(fd);
	return m;
}

const struct ft_mounts *ft_mounts_acquire(uint32_t pid)
{
	char proc[32], path[64], root[PATH_MAX];
	struct mounts_slot *s;
	struct ft_mounts *m = NULL;
	struct stat st;
	ssize_t n;

	if (pid)
		snprintf(proc, sizeof(proc), "/proc/%" PRIu32, pid);
	else
		snprintf(proc, sizeof(proc), "/proc/self");
	/* The key: the namespace (nsfs) and the root's name (a magic link's
	 * text): neither asks the file system they name. A root whose name
	 * cannot be had is read on its own. */
	snprintf(path, sizeof(path), "%s/ns/mnt", proc);
	if (stat(path, &st) < 0)
		return &no_table;
	snprintf(path, sizeof(path), "%s/root", proc);
	n = readlink(path, root, sizeof(root));
	if (n < 0 || (size_t)n == sizeof(root)) {
		m = read_uncached(proc);
		return m ? m : &no_table;
	}
	root[n] = '\0';
	pthread_mutex_lock(&mounts_lock);
	s = slot_get(proc, (uint64_t)st.st_ino, root);
	if (s) {
		m = s->m;
		m->refs++;
	}
	pthread_mutex_unlock(&mounts_lock);
	return m ? m : &no_table;
}

void ft_mounts_release(const struct ft_mounts *m)
{
	pthread_mutex_lock(&mounts_lock);
	table_put((struct ft_mounts *)(uintptr_t)m);
	pthread_mutex_unlock(&mounts_lock);
}

/* Whether `path` is `point` or lies under it, component-wise. */
static bool under(const char *path, const char *point)
{
	size_t n = strlen(point);

	if (n == 1 && point[0] == '/')
		return path[0] == '/';
	return strncmp(path, point, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

const struct ft_mount_fuse *ft_mounts_path_fuse(const struct ft_mounts *m, const char *path)
{
	size_t i;

	for (i = 0; i < m->n_fuse; i++)
		if (under(path, m->fuse[i].point))
			return &m->fuse[i];
	return NULL;
}

/* The mount id of open descriptor `fd` (/proc/self/fdinfo), or -errno. */
static long fd_mount_id(int fd)
{
	char path[64], *buf, *p;
	long id = -ENOENT;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	buf = util_read_file_max(path, 65536, NULL, NULL);
	if (!buf)
		return -errno;
	p = strstr(buf, "\nmnt_id:");
	if (p)
		id = strtol(p + 8, NULL, 10);
	free(buf);
	return id;
}

int ft_mounts_fd_check(const struct ft_mounts *m, int fd, const struct ft_mount_fuse **fuse)
{
	long id;
	size_t i;

	*fuse = NULL;
	id = fd_mount_id(fd);
	if (id < 0)
		return 0; /* no fdinfo: nothing to tell by */
	if (!m->loaded)
		return -ENXIO;
	for (i = 0; i < m->n_fuse; i++) {
		if (m->fuse[i].id == id) {
			*fuse = &m->fuse[i];
			return -EPERM;
		}
	}
	for (i = 0; i < m->n_ids; i++)
		if (m->ids[i] == id)
			return 0;
	return -ENXIO;
}

bool ft_fd_on_fuse(int fd)
{
	struct statx stx;
	struct stat st;
	char path[64];
	unsigned dev;

	/* DONT_SYNC: FUSE answers from its cache, never asks its server. */
	if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_TYPE, &stx) < 0)
		return false;
	/* fusectl names a connection by the kernel's dev_t: major << 20 | minor. */
	dev = (stx.stx_dev_major << 20) | stx.stx_dev_minor;
	snprintf(path, sizeof(path), "/sys/fs/fuse/connections/%u", dev);
	if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return true;
	/*
	 * Where fusectl is not mounted: FUSE names its superblock's backing
	 * device in sysfs by its anonymous dev_t, "0:MINOR" (as NFS does, whose
	 * server may stop answering too; others say "TYPE-N", or have none).
	 */
	if (stx.stx_dev_major != 0)
		return false;
	snprintf(path, sizeof(path), "/sys/class/bdi/0:%u", stx.stx_dev_minor);
	return lstat(path, &st) == 0;
}
