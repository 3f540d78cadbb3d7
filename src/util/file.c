/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Files that someone else named. flametop runs as root on boxes where any
 * user can name files for it to read: a process maps a library and then
 * swaps it for a FIFO, a session file carries source paths, a config names a
 * theme. Opening such a path blocking, or before checking what it is, lets
 * that user freeze or crash the profiler. Everything that opens an untrusted
 * path goes through here: stat first, open non-blocking, check the
 * descriptor, cap the size.
 */
#include "config.h"

#include "flametop/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
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

int ft_open_regular_at(int dirfd, const char *path, int oflags, uint64_t max_size, struct stat *st)
{
	struct stat before, after;
	int fd, ret;

	/* Look before opening: a FIFO or a device is refused unopened. */
	if (fstatat(dirfd, path, &before, (oflags & O_NOFOLLOW) ? AT_SYMLINK_NOFOLLOW : 0) < 0)
		return -errno;
	if (S_ISDIR(before.st_mode))
		return -EISDIR;
	if (!S_ISREG(before.st_mode))
		return -EINVAL;
	if (max_size && (uint64_t)before.st_size > max_size)
		return -EFBIG;
	fd = openat(dirfd, path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | oflags);
	if (fd < 0)
		return -errno;
	/* The path may have been swapped between the look and the open. */
	ret = ft_check_regular(fd, max_size, &after);
	if (ret == 0 && (after.st_dev != before.st_dev || after.st_ino != before.st_ino))
		ret = -EAGAIN;
	if (ret < 0) {
		close(fd);
		return ret;
	}
	if (st)
		*st = after;
	return fd;
}

int ft_open_regular(const char *path, uint64_t max_size, struct stat *st)
{
	return ft_open_regular_at(AT_FDCWD, path, 0, max_size, st);
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
