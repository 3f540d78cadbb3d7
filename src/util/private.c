/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * flametop's private files: the explorer's copy of what it sampled (so
 * that `s` can save it) and the output of a command it launched. They used
 * to have predictable names in a shared directory (/tmp/flametop-PID.out,
 * opened O_CREAT|O_TRUNC), so a user who created that name first got a
 * root command's output, or blocked flametop with a FIFO. Now each run
 * makes its own directory, DIR/flametop-PID.XXXXXX (mkdtemp: new, mode
 * 0700), under $XDG_RUNTIME_DIR, else $TMPDIR, else /tmp, holds it open
 * and locked, and creates its files in it exclusively.
 *
 * A run killed with SIGKILL leaves its directory behind; the next run
 * removes such leftovers at start, and only its own kind: a directory
 * named flametop-PID.XXXXXX, owned by us, mode 0700, whose PID is not
 * running and whose lock nobody holds (a run in another PID namespace that
 * shares the directory holds its lock), with its files owned by us; and
 * the private sessions of earlier versions, flametop-PID-N.session,
 * regular files of ours whose PID is not running. A directory holding a
 * command's output that the run kept (it ended normally, and said where
 * the output was) has no session in it, and is left alone.
 */
#include "config.h"

#include "flametop/util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#define PREFIX "flametop-"

static struct {
	char path[4096]; /* "" until made */
	struct ft_outdir dir;
	int lock_fd; /* the directory, O_RDONLY, flock()ed while we run */
} priv = { "", { -1, NULL }, -1 };

/* The base directories, in order; NULL entries are skipped. */
static void base_dirs(const char *dirs[3])
{
	dirs[0] = getenv("XDG_RUNTIME_DIR");
	dirs[1] = getenv("TMPDIR");
	dirs[2] = "/tmp";
}

static bool usable_base(const char *dir)
{
	return dir && dir[0] == '/' && access(dir, W_OK | X_OK) == 0;
}

/* PID of a name "flametop-PID<sep>...", or -1 when it is not one. */
static long name_pid(const char *name, char sep, const char **rest)
{
	const char *p = name + strlen(PREFIX);
	long pid = 0;

	if (strncmp(name, PREFIX, strlen(PREFIX)) != 0 || !isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		pid = pid * 10 + (*p - '0');
		if (pid > 0x7fffffffL)
			return -1;
	}
	if (*p != sep || pid <= 0)
		return -1;
	*rest = p + 1;
	return pid;
}

static bool pid_running(long pid)
{
	return kill((pid_t)pid, 0) == 0 || errno != ESRCH;
}

/* Removes `name` in `dfd` when it is a regular file of ours. */
static void remove_ours(int dfd, const char *name)
{
	struct stat st;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
	    st.st_uid == geteuid())
		unlinkat(dfd, name, 0);
}

/* A leftover private directory `name` in `base`: cleaned when it is ours
 * and its run is gone (see the top of this file). */
static void clean_dir(int base, const char *name)
{
	struct stat st, st2;
	const char *rest = NULL;
	long pid = name_pid(name, '.', &rest);
	int dfd;

	if (pid < 0 || strlen(rest) != 6 || pid_running(pid))
		return;
	if (fstatat(base, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & 07777) != 0700)
		return;
	dfd = openat(base, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return;
	if (fstat(dfd, &st2) < 0 || st2.st_dev != st.st_dev || st2.st_ino != st.st_ino ||
	    flock(dfd, LOCK_EX | LOCK_NB) < 0)
		goto out;
	/* Kept output of a run that ended normally has no session beside it. */
	if (fstatat(dfd, "session", &st2, AT_SYMLINK_NOFOLLOW) < 0 &&
	    fstatat(dfd, "out", &st2, AT_SYMLINK_NOFOLLOW) == 0 && st2.st_size > 0)
		goto out;
	remove_ours(dfd, "session");
	remove_ours(dfd, "out");
	unlinkat(base, name, AT_REMOVEDIR); /* only when nothing else is in it */
out:
	close(dfd);
}

/* A private session of an earlier version: flametop-PID-N.session. */
static void clean_old_session(int base, const char *name)
{
	const char *rest = NULL;
	long pid = name_pid(name, '-', &rest);
	size_t n;

	if (pid < 0)
		return;
	n = strspn(rest, "0123456789");
	if (n == 0 || strcmp(rest + n, ".session") != 0 || pid_running(pid))
		return;
	remove_ours(base, name);
}

void ft_private_clean_stale(void)
{
	const char *dirs[3];
	size_t i, k;

	base_dirs(dirs);
	for (i = 0; i < 3; i++) {
		struct dirent *e;
		DIR *d;
		int fd;

		if (!usable_base(dirs[i]))
			continue;
		for (k = 0; k < i; k++)
			if (dirs[k] && strcmp(dirs[k], dirs[i]) == 0)
				break;
		if (k < i)
			continue;
		fd = open(dirs[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			continue;
		d = fdopendir(fd);
		if (!d) {
			close(fd);
			continue;
		}
		while ((e = readdir(d)) != NULL) {
			if (strncmp(e->d_name, PREFIX, strlen(PREFIX)) != 0)
				continue;
			clean_dir(fd, e->d_name);
			clean_old_session(fd, e->d_name);
		}
		closedir(d);
	}
}

/* Makes this run's directory, once. 0 or -errno with `err`. */
static int private_dir(struct ft_error *err)
{
	const char *dirs[3];
	int ret = -ENOENT;
	size_t i;

	if (priv.path[0])
		return 0;
	ft_private_clean_stale();
	base_dirs(dirs);
	for (i = 0; i < 3; i++) {
		if (!usable_base(dirs[i]))
			continue;
		snprintf(priv.path, sizeof(priv.path), "%s/" PREFIX "%d.XXXXXX", dirs[i],
			 (int)getpid());
		if (!mkdtemp(priv.path)) {
			ret = -errno;
			continue;
		}
		/* Walked as an output path (ft_outdir_open() holds the parent),
		 * then the directory itself is held, and locked. */
		if (ft_outdir_open(&priv.dir, priv.path, err) == 0 &&
		    (priv.lock_fd = openat(priv.dir.fd, priv.dir.name,
					   O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) >= 0 &&
		    flock(priv.lock_fd, LOCK_EX | LOCK_NB) == 0) {
			close(priv.dir.fd);
			priv.dir.fd = priv.lock_fd;
			priv.dir.name = NULL;
			return 0;
		}
		ret = -errno;
		if (priv.lock_fd >= 0)
			close(priv.lock_fd);
		priv.lock_fd = -1;
		ft_outdir_close(&priv.dir);
		rmdir(priv.path);
	}
	priv.path[0] = '\0';
	error_set(err, "no private directory in $XDG_RUNTIME_DIR, $TMPDIR or /tmp: %s",
		  strerror(-ret));
	return ret;
}

int ft_private_path(const char *name, char *path, size_t size, struct ft_error *err)
{
	int ret = private_dir(err);

	if (ret < 0)
		return ret;
	if ((size_t)snprintf(path, size, "%s/%s", priv.path, name) >= size) {
		error_set(err, "%s/%s: path too long", priv.path, name);
		return -ENAMETOOLONG;
	}
	return 0;
}

int ft_private_create(const char *name, char *path, size_t size, struct ft_error *err)
{
	int ret = ft_private_path(name, path, size, err), fd;

	if (ret < 0)
		return ret;
	fd = ft_outdir_create(&priv.dir, name, 0600);
	if (fd < 0)
		error_set(err, "%s: %s", path, strerror(-fd));
	return fd;
}

void ft_private_done(void)
{
	if (!priv.path[0])
		return;
	/* Gone when empty; a command's output that was kept stays. */
	rmdir(priv.path);
	close(priv.lock_fd);
	priv.lock_fd = priv.dir.fd = -1;
	priv.path[0] = '\0';
}
