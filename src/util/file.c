/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Files that someone else named. flametop runs as root on boxes where any
 * user can name files for it to read: a process maps a library and then
 * swaps it for a FIFO, a session file carries source paths, a config names a
 * theme. Opening such a path blocking, or before checking what it is, lets
 * that user freeze or crash the profiler. Everything that opens an untrusted
 * path goes through here: look at it through an O_PATH descriptor (which
 * opens nothing), then open that same inode non-blocking, check the
 * descriptor, cap the size. And everything flametop creates for a user
 * goes through here too: the directory walked a component at a time and
 * held open, the file created exclusively, given to the user under sudo.
 */
#include "config.h"

#include "flametop/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

int ft_check_regular(int fd, uint64_t max_size, struct stat *st)
{
	struct stat sb;

	if (fstat(fd, &sb) < 0)
		return -errno;
	if (S_ISDIR(sb.st_mode))
		return -EISDIR;
	if (!S_ISREG(sb.st_mode))
		return -EINVAL;
	if (max_size && (uint64_t)sb.st_size > max_size)
		return -EFBIG;
	if (st)
		*st = sb;
	return 0;
}

/*
 * Checks that `fd`, just opened, is still the regular file `before`
 * describes (same device and inode: -EAGAIN when it was swapped since),
 * within `max_size`, and fills *st (if given). Returns `fd`, or -errno
 * with `fd` closed.
 */
static int check_same(int fd, uint64_t max_size, const struct stat *before, struct stat *st)
{
	struct stat after;
	int ret;

	ret = ft_check_regular(fd, max_size, &after);
	if (ret == 0 && (after.st_dev != before->st_dev || after.st_ino != before->st_ino))
		ret = -EAGAIN;
	if (ret < 0) {
		close(fd);
		return ret;
	}
	if (st)
		*st = after;
	return fd;
}

int ft_reopen_regular(int pathfd, uint64_t max_size, struct stat *st)
{
	struct stat before;
	char self[64];
	int fd;

	if (fstat(pathfd, &before) < 0)
		return -errno;
	if (S_ISLNK(before.st_mode))
		return -ELOOP; /* as open() with O_NOFOLLOW says it */
	if (S_ISDIR(before.st_mode))
		return -EISDIR;
	if (!S_ISREG(before.st_mode))
		return -EINVAL;
	if (max_size && (uint64_t)before.st_size > max_size)
		return -EFBIG;
	/* The inode pathfd holds, whatever its path names now. */
	snprintf(self, sizeof(self), "/proc/self/fd/%d", pathfd);
	fd = open(self, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return errno == ENOENT && access("/proc/self/fd", F_OK) != 0 ? -ENOSYS : -errno;
	return check_same(fd, max_size, &before, st);
}

/* Directory levels a walk keeps open at once. */
#define WALK_DEPTH 128

static void close_fds(int *fds, int n)
{
	while (n-- > 0)
		close(fds[n]);
}

/*
 * Whether an unprivileged reader could search directory `dirfd`: it is
 * searchable by others, or belongs to a trusted user who is not root.
 */
static bool searchable_by_all(int dirfd)
{
	struct stat st;

	if (fstat(dirfd, &st) != 0)
		return false;
	return (st.st_mode & S_IXOTH) || (st.st_uid != 0 && ft_uid_trusted(st.st_uid));
}

int ft_walk(int root, const char *path, unsigned flags, const struct ft_mounts *fuse,
	    unsigned max_hops, int *out)
{
	char *work, *rest, link[PATH_MAX];
	int fds[WALK_DEPTH], depth = 0, ret;
	bool no_link = flags & FT_WALK_NO_LINK;
	unsigned hops = 0;

	*out = -1;
	fds[0] = openat(root, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fds[0] < 0)
		return -errno;
	work = xstrdup(path);
	rest = work;
	for (;;) {
		const struct ft_mount_fuse *onto;
		char *comp, *slash;
		struct stat st;
		int fd;

		rest += strspn(rest, "/");
		if (!*rest) {
			/* The path named a directory: the current one. */
			*out = fds[depth];
			depth--;
			ret = 0;
			goto out;
		}
		comp = rest;
		slash = strchr(rest, '/');
		if (slash) {
			*slash = '\0';
			rest = slash + 1;
		} else {
			rest += strlen(rest);
		}
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			/* ".." of the root is the root. */
			if (depth > 0)
				close(fds[depth--]);
			continue;
		}
		if ((flags & FT_WALK_SEARCHABLE) && !searchable_by_all(fds[depth])) {
			ret = -EACCES;
			goto out;
		}
		fd = openat(fds[depth], comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			ret = -errno;
			goto out;
		}
		if (fuse && ft_mounts_fd_check(fuse, fd, &onto) == -EPERM) {
			ret = -EREMOTE;
			close(fd);
			goto out;
		}
		if (fstat(fd, &st) != 0) {
			ret = -errno;
			close(fd);
			goto out;
		}
		if (S_ISLNK(st.st_mode) && no_link && *(rest + strspn(rest, "/")) == '\0') {
			*out = fd; /* the link itself: its opener refuses it */
			ret = 0;
			goto out;
		}
		if (S_ISLNK(st.st_mode)) {
			ssize_t n;
			char *next;

			if (++hops > max_hops) {
				close(fd);
				ret = -ELOOP;
				goto out;
			}
			n = readlinkat(fd, "", link, sizeof(link) - 1);
			close(fd);
			if (n < 0 || n == 0) {
				ret = n < 0 ? -errno : -ENOENT;
				goto out;
			}
			link[n] = '\0';
			/* The link's target, then what was left of the path. */
			next = xasprintf("%s/%s", link, rest);
			free(work);
			work = rest = next;
			if (link[0] == '/') {
				close_fds(fds + 1, depth);
				depth = 0;
			}
			continue;
		}
		if (*(rest + strspn(rest, "/")) == '\0') {
			*out = fd; /* the last component */
			ret = 0;
			goto out;
		}
		if (!S_ISDIR(st.st_mode)) {
			close(fd);
			ret = -ENOTDIR;
			goto out;
		}
		if (depth + 1 >= WALK_DEPTH) {
			close(fd);
			ret = -ENAMETOOLONG;
			goto out;
		}
		fds[++depth] = fd;
	}
out:
	close_fds(fds, depth + 1);
	free(work);
	return ret;
}

/* Symbolic links an absolute path walked past a user's FUSE mount may follow. */
#define WALK_HOPS 40

/*
 * -EREMOTE when the O_PATH descriptor `pfd` is on a user's FUSE mount of
 * `m`, or on a detached FUSE mount, else 0. Never asks the file system.
 */
static int check_fuse(const struct ft_mounts *m, int pfd)
{
	const struct ft_mount_fuse *fuse = NULL;
	int ret = ft_mounts_fd_check(m, pfd, &fuse);

	if (fuse || (ret == -ENXIO && m->loaded && ft_fd_on_fuse(pfd)))
		return -EREMOTE;
	return 0;
}

/*
 * An O_PATH descriptor of `path` (from `dirfd`, a final link followed
 * unless O_NOFOLLOW is in `oflags`) in *pfd, never waiting on a user's FUSE
 * mount of `m`: an absolute path from AT_FDCWD under one is refused before
 * the lookup, and walked (ft_walk) so that no link on the way leads onto
 * one; any other looked up at once, then its mount checked. 0 or -errno.
 */
static int open_path(const struct ft_mounts *m, int dirfd, const char *path, int oflags, int *pfd)
{
	int root, ret;

	*pfd = -1;
	if (dirfd == AT_FDCWD && path[0] == '/' && m->n_fuse) {
		if (ft_mounts_path_fuse(m, path))
			return -EREMOTE;
		root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (root < 0)
			return -errno;
		ret = ft_walk(root, path, oflags & O_NOFOLLOW ? FT_WALK_NO_LINK : 0, m, WALK_HOPS,
			      pfd);
		close(root);
		if (ret < 0)
			return ret;
	} else {
		*pfd = openat(dirfd, path, O_PATH | O_CLOEXEC | (oflags & O_NOFOLLOW));
		if (*pfd < 0)
			return -errno;
	}
	ret = check_fuse(m, *pfd);
	if (ret < 0) {
		close(*pfd);
		*pfd = -1;
	}
	return ret;
}

int ft_open_regular_at(int dirfd, const char *path, int oflags, uint64_t max_size, struct stat *st)
{
	struct stat before;
	const struct ft_mounts *m;
	int pfd, fd, ret;

	/* A user's FUSE server may never answer, even a lookup; no table: no check. */
	m = ft_mounts_acquire(0);
	/* O_PATH opens nothing: a FIFO does not block, a device's open does not run. */
	ret = open_path(m, dirfd, path, oflags, &pfd);
	ft_mounts_release(m);
	if (ret < 0)
		return ret;
	fd = ft_reopen_regular(pfd, max_size, st);
	if (fd != -ENOSYS) {
		close(pfd);
		return fd;
	}
	/* No /proc: look, then open the path again, then check it is what was looked at. */
	ret = fstat(pfd, &before) < 0 ? -errno : 0;
	close(pfd);
	if (ret < 0)
		return ret;
	fd = openat(dirfd, path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | oflags);
	if (fd < 0)
		return -errno;
	return check_same(fd, max_size, &before, st);
}

int ft_open_regular(const char *path, uint64_t max_size, struct stat *st)
{
	return ft_open_regular_at(AT_FDCWD, path, 0, max_size, st);
}

/*
 * `path` made absolute from our working directory (caller frees), so that
 * a walk from "/" checks the directories above it too; NULL with errno.
 */
static char *absolute(const char *path)
{
	char *cwd, *abs;

	if (path[0] == '/')
		return xstrdup(path);
	cwd = getcwd(NULL, 0);
	if (!cwd)
		return NULL;
	abs = xasprintf("%s/%s", cwd, path);
	free(cwd);
	return abs;
}

int ft_open_public(const char *path, uint64_t max_size, struct stat *st)
{
	const struct ft_mounts *m;
	int root, pfd, fd;
	char *abs;

	if (geteuid() != 0)
		return ft_open_regular(path, max_size, st);
	abs = absolute(path);
	if (!abs)
		return -errno;
	root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0) {
		free(abs);
		return -errno;
	}
	m = ft_mounts_acquire(0);
	pfd = -1;
	if (ft_mounts_path_fuse(m, abs))
		fd = -EREMOTE; /* said before a directory on the way is */
	else
		fd = ft_walk(root, abs, FT_WALK_SEARCHABLE, m, WALK_HOPS, &pfd);
	close(root);
	free(abs);
	if (fd == 0)
		fd = check_fuse(m, pfd);
	ft_mounts_release(m);
	if (fd < 0) {
		if (pfd >= 0)
			close(pfd);
		return fd;
	}
	fd = ft_reopen_regular(pfd, max_size, st);
	close(pfd);
	return fd;
}

const char *ft_open_strerror(int err)
{
	switch (err) {
	case -EINVAL:
		return "not a regular file";
	case -EFBIG:
		return "file too large";
	case -EAGAIN:
		return "file changed while being opened";
	case -EREMOTE:
		return "on a user's FUSE mount, which may never answer";
	default:
		return strerror(err < 0 ? -err : err);
	}
}

/* SUDO_UID as a uid, when it is one; -1 otherwise. */
static long sudo_id(const char *var)
{
	const char *v = getenv(var);
	char *end;
	long id;

	if (!v || !*v)
		return -1;
	errno = 0;
	id = strtol(v, &end, 10);
	if (errno || *end || id < 0 || id > 0x7fffffffL)
		return -1;
	return id;
}

int ft_uid_trusted(uid_t uid)
{
	long sudo;

	if (uid == 0 || uid == geteuid())
		return 1;
	sudo = geteuid() == 0 ? sudo_id("SUDO_UID") : -1;
	return sudo >= 0 && (uid_t)sudo == uid;
}

int ft_read_settings(const char *path, uint64_t max_size, char **text, size_t *len,
		     struct ft_error *err)
{
	struct stat st;
	size_t n = 0;
	char *buf;
	int fd, ret;

	fd = ft_open_regular(path, max_size, &st);
	if (fd < 0) {
		if (fd == -EFBIG)
			error_set(err, "%s: larger than %llu bytes; not read", path,
				  (unsigned long long)max_size);
		else
			error_set(err, "%s: %s", path, ft_open_strerror(fd));
		return fd;
	}
	if (!ft_uid_trusted(st.st_uid)) {
		error_set(err, "%s: owned by uid %u, not by you or root; not read", path,
			  (unsigned)st.st_uid);
		ret = -EPERM;
		goto out_fd;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		error_set(err, "%s: writable by %s; not read (chmod go-w)", path,
			  (st.st_mode & S_IWOTH) ? "everyone" : "its group");
		ret = -EPERM;
		goto out_fd;
	}
	/* One byte more than allowed, to see a file that grew. */
	buf = xmalloc((size_t)max_size + 2);
	for (;;) {
		ssize_t r = read(fd, buf + n, (size_t)max_size + 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = -errno;
			error_set(err, "%s: %s", path, strerror(errno));
			free(buf);
			goto out_fd;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max_size) {
			error_set(err, "%s: larger than %llu bytes; not read", path,
				  (unsigned long long)max_size);
			free(buf);
			ret = -EFBIG;
			goto out_fd;
		}
	}
	buf[n] = '\0';
	*text = buf;
	if (len)
		*len = n;
	ret = 0;
out_fd:
	close(fd);
	return ret;
}

/* Symbolic links followed in one path, as the kernel allows (ELOOP). */
#define MAX_LINKS 40

/*
 * Whether a user we do not trust could replace the name `comp` (`entry`,
 * its stat, not followed) in the directory `dir` (`dir_path`, for the
 * message): when the directory is theirs, or is writable by a group other
 * than root's or by everyone without the sticky bit (with it, only the
 * entry's owner could, so a trusted-owned entry is safe). Says why in
 * `why`; false when no one could.
 */
static bool replaceable(const struct stat *dir, const char *dir_path, const struct stat *entry,
			const char *comp, char *why, size_t size)
{
	bool sticky = dir->st_mode & S_ISVTX;
	bool others = (dir->st_mode & S_IWOTH) || ((dir->st_mode & S_IWGRP) && dir->st_gid != 0);

	if (!ft_uid_trusted(dir->st_uid)) {
		snprintf(why, size, "%s belongs to uid %u", dir_path, (unsigned)dir->st_uid);
		return true;
	}
	if (!others)
		return false;
	if (sticky) {
		if (ft_uid_trusted(entry->st_uid))
			return false;
		snprintf(why, size, "%s%s%s belongs to uid %u, in a directory others can write to",
			 dir_path, dir_path[strlen(dir_path) - 1] == '/' ? "" : "/", comp,
			 (unsigned)entry->st_uid);
		return true;
	}
	if (dir->st_mode & S_IWOTH)
		snprintf(why, size, "everyone can write to %s", dir_path);
	else
		snprintf(why, size, "group %u can write to %s", (unsigned)dir->st_gid, dir_path);
	return true;
}

/* Appends "/COMP" to the path walked so far (for messages only). */
static void walked_add(char *walked, size_t size, const char *comp)
{
	size_t n = strlen(walked);

	snprintf(walked + n, size - n, "%s%s", n && walked[n - 1] == '/' ? "" : "/", comp);
}

int ft_outdir_open(struct ft_outdir *d, const char *path, struct ft_error *err)
{
	char walked[PATH_MAX], why[PATH_MAX + 128], *rest, *comp, *slash;
	const char *last = strrchr(path, '/');
	bool check = geteuid() == 0;
	int cur, links = 0, ret;

	d->fd = -1;
	d->name = last ? last + 1 : path;
	if (!*d->name || strcmp(d->name, ".") == 0 || strcmp(d->name, "..") == 0) {
		error_set(err, "%s: is a directory", path);
		return -EISDIR;
	}
	/* The directory part, walked from / or from the working directory. */
	rest = last ? xstrndup(path, (size_t)(last - path) + 1) : xstrdup("");
	snprintf(walked, sizeof(walked), "%s", rest[0] == '/' ? "/" : ".");
	cur = open(rest[0] == '/' ? "/" : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cur < 0) {
		ret = -errno;
		error_set(err, "%s: %s", path, strerror(errno));
		goto out_rest;
	}
	for (comp = rest;;) {
		struct stat dst, est;
		int next;

		while (*comp == '/')
			comp++;
		if (!*comp)
			break;
		slash = strchr(comp, '/');
		if (slash)
			*slash = '\0';
		if (strcmp(comp, ".") == 0)
			goto next_comp;
		if (fstat(cur, &dst) < 0 || fstatat(cur, comp, &est, AT_SYMLINK_NOFOLLOW) < 0) {
			ret = -errno;
			error_set(err, "%s: %s", path, strerror(errno));
			goto out_cur;
		}
		if (check && strcmp(comp, "..") != 0 &&
		    replaceable(&dst, walked, &est, comp, why, sizeof(why))) {
			error_set(err, "%s: %s; refusing to write through it as root", path, why);
			ret = -EPERM;
			goto out_cur;
		}
		if (S_ISLNK(est.st_mode)) {
			char target[PATH_MAX];
			ssize_t n = readlinkat(cur, comp, target, sizeof(target) - 1);
			char *more;

			if (n < 0 || ++links > MAX_LINKS) {
				ret = n < 0 ? -errno : -ELOOP;
				error_set(err, "%s: %s", path, strerror(-ret));
				goto out_cur;
			}
			target[n] = '\0';
			/* The link's target, then what was left after it. */
			more = xasprintf("%s/%s", target, slash ? slash + 1 : "");
			free(rest);
			rest = comp = more;
			if (target[0] == '/') {
				close(cur);
				cur = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
				snprintf(walked, sizeof(walked), "/");
				if (cur < 0) {
					ret = -errno;
					error_set(err, "%s: %s", path, strerror(errno));
					goto out_rest;
				}
			}
			continue;
		}
		next = openat(cur, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		walked_add(walked, sizeof(walked), comp);
		if (next < 0) {
			ret = -errno;
			error_set(err, "%s: %s", path, strerror(errno));
			goto out_cur;
		}
		close(cur);
		cur = next;
next_comp:
		if (!slash)
			break;
		comp = slash + 1;
	}
	d->fd = cur;
	free(rest);
	return 0;
out_cur:
	close(cur);
out_rest:
	free(rest);
	return ret;
}

void ft_outdir_close(struct ft_outdir *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

/* Under sudo, a file in a directory of the user who ran it becomes theirs. */
static void give_to_sudo_user(const struct ft_outdir *d, int fd)
{
	long uid = sudo_id("SUDO_UID"), gid = sudo_id("SUDO_GID");
	struct stat st;

	if (geteuid() != 0 || uid < 0 || fstat(d->fd, &st) < 0 || st.st_uid != (uid_t)uid)
		return;
	if (fchown(fd, (uid_t)uid, gid < 0 ? (gid_t)-1 : (gid_t)gid) < 0) {
		/* the file stays root's: harmless */
	}
}

int ft_outdir_create(const struct ft_outdir *d, const char *name, mode_t mode)
{
	int fd = openat(d->fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);

	if (fd < 0)
		return -errno;
	/* The umask may only have narrowed it; make it exactly `mode`. */
	if (fchmod(fd, mode) < 0) {
		/* harmless: the mode is at most `mode` already */
	}
	give_to_sudo_user(d, fd);
	return fd;
}

int ft_outdir_create_partial(const struct ft_outdir *d, const char *prefix, mode_t mode,
			     char **name)
{
	static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	int tries, fd = -EEXIST;

	for (tries = 0; tries < 100 && fd == -EEXIST; tries++) {
		unsigned char rnd[6];
		char suffix[7];
		size_t i;

		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
			uint64_t h = util_hash_u64(util_now_ns() ^ (uint64_t)getpid() << 32 ^
						   (uint64_t)tries);

			memcpy(rnd, &h, sizeof(rnd));
		}
		for (i = 0; i < sizeof(rnd); i++)
			suffix[i] = chars[rnd[i] % (sizeof(chars) - 1)];
		suffix[6] = '\0';
		*name = xasprintf("%s.partial-%s", prefix, suffix);
		fd = ft_outdir_create(d, *name, mode);
		if (fd < 0) {
			free(*name);
			*name = NULL;
		}
	}
	return fd;
}

void ft_outdir_sync(const struct ft_outdir *d)
{
	int fd = openat(d->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (fsync(fd) < 0) {
		/* some file systems cannot sync a directory */
	}
	close(fd);
}

int ft_outdir_existing(const struct ft_outdir *d, const char *path, struct ft_error *err)
{
	struct stat st;

	if (fstatat(d->fd, d->name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		error_set(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (S_ISREG(st.st_mode))
		return 1;
	if (S_ISLNK(st.st_mode))
		error_set(err, "%s: is a symbolic link (refusing to follow it)", path);
	else if (S_ISDIR(st.st_mode))
		error_set(err, "%s: is a directory", path);
	else
		error_set(err, "%s: not a regular file (refusing to replace it)", path);
	return -1;
}

const char *ft_tmpdir(void)
{
	const char *dir = getenv("TMPDIR");

	return dir && *dir ? dir : "/tmp";
}

int ft_tmpfile(const char *prefix)
{
	const char *dir = ft_tmpdir();
	char *path;
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd >= 0)
		return fd;
	path = xasprintf("%s/flametop-%s-XXXXXX", dir, prefix);
	fd = mkostemp(path, O_CLOEXEC);
	if (fd >= 0)
		unlink(path);
	else
		fd = -errno;
	free(path);
	return fd;
}
