/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ftfuse: a FUSE file system that stops answering, as a hostile user's
 * can. Speaks the kernel's protocol on /dev/fuse itself (no libfuse), so
 * that a test needs nothing but the kernel.
 *
 *   ftfuse MOUNTPOINT FILE UID [NAME]
 *
 * Run as root, it mounts at MOUNTPOINT a file system of one file, NAME
 * (lib.so when not given), with FILE's contents, as a user's FUSE mount (user_id=UID, group_id=UID,
 * allow_other: what fusermount makes for UID where user_allow_other is
 * on), with no attribute or entry caching, so that every look at the file
 * asks the server. It prints "ready" once mounted. On SIGUSR1 it stops
 * reading requests, so anyone touching the file waits until it exits; on
 * SIGTERM it exits, which ends the connection (the waiters get ENOTCONN).
 * Exits 77 where FUSE cannot be mounted, 3 on other set-up errors.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define BUF_SIZE (1u << 20)
#define FILE_INO 2

static volatile sig_atomic_t frozen;
static char *data;
static size_t data_size;
static unsigned uid;
static int dev_fd = -1;
static const char *file_name = "lib.so";

static void on_usr1(int sig)
{
	(void)sig;
	frozen = 1;
}

static void reply(uint64_t unique, int error, const void *payload, size_t len)
{
	static char out[sizeof(struct fuse_out_header) + BUF_SIZE];
	struct fuse_out_header *h = (struct fuse_out_header *)out;

	if (len > BUF_SIZE)
		len = BUF_SIZE;
	h->len = (uint32_t)(sizeof(*h) + len);
	h->error = error;
	h->unique = unique;
	if (len)
		memcpy(out + sizeof(*h), payload, len);
	if (write(dev_fd, out, h->len) < 0 && errno != ENOENT)
		perror("ftfuse: write");
}

static void fill_attr(struct fuse_attr *a, uint64_t ino)
{
	memset(a, 0, sizeof(*a));
	a->ino = ino;
	a->nlink = ino == FUSE_ROOT_ID ? 2 : 1;
	a->mode = ino == FUSE_ROOT_ID ? S_IFDIR | 0755 : S_IFREG | 0755;
	a->size = ino == FUSE_ROOT_ID ? 0 : data_size;
	a->blocks = (a->size + 511) / 512;
	a->blksize = 4096;
	a->uid = uid;
	a->gid = uid;
}

static void do_init(uint64_t unique, const struct fuse_init_in *in)
{
	struct fuse_init_out out;

	memset(&out, 0, sizeof(out));
	out.major = FUSE_KERNEL_VERSION;
	out.minor = in->minor < 31 ? in->minor : 31;
	out.max_readahead = in->max_readahead;
	out.max_background = 16;
	out.congestion_threshold = 12;
	out.max_write = 65536;
	out.time_gran = 1;
	reply(unique, 0, &out, sizeof(out));
}

static void do_lookup(uint64_t unique, uint64_t parent, const char *name)
{
	struct fuse_entry_out e;

	if (parent != FUSE_ROOT_ID || strcmp(name, file_name) != 0) {
		reply(unique, -ENOENT, NULL, 0);
		return;
	}
	memset(&e, 0, sizeof(e));
	e.nodeid = FILE_INO;
	e.generation = 1;
	fill_attr(&e.attr, FILE_INO);
	reply(unique, 0, &e, sizeof(e));
}

static void do_getattr(uint64_t unique, uint64_t node)
{
	struct fuse_attr_out a;

	memset(&a, 0, sizeof(a));
	fill_attr(&a.attr, node);
	reply(unique, 0, &a, sizeof(a));
}

static void do_read(uint64_t unique, const struct fuse_read_in *in)
{
	size_t off = in->offset < data_size ? (size_t)in->offset : data_size;
	size_t len = data_size - off < in->size ? data_size - off : in->size;

	reply(unique, 0, data + off, len);
}

static void serve(const char *buf)
{
	const struct fuse_in_header *h = (const struct fuse_in_header *)buf;
	const void *arg = buf + sizeof(*h);
	struct fuse_open_out o;
	struct fuse_statfs_out s;

	switch (h->opcode) {
	case FUSE_INIT:
		do_init(h->unique, arg);
		break;
	case FUSE_LOOKUP:
		do_lookup(h->unique, h->nodeid, arg);
		break;
	case FUSE_GETATTR:
		do_getattr(h->unique, h->nodeid);
		break;
	case FUSE_OPEN:
	case FUSE_OPENDIR:
		memset(&o, 0, sizeof(o));
		reply(h->unique, 0, &o, sizeof(o));
		break;
	case FUSE_READ:
		do_read(h->unique, arg);
		break;
	case FUSE_READDIR:
		reply(h->unique, 0, NULL, 0);
		break;
	case FUSE_STATFS:
		memset(&s, 0, sizeof(s));
		s.st.bsize = 4096;
		s.st.namelen = 255;
		reply(h->unique, 0, &s, sizeof(s));
		break;
	case FUSE_RELEASE:
	case FUSE_RELEASEDIR:
	case FUSE_FLUSH:
	case FUSE_ACCESS:
		reply(h->unique, 0, NULL, 0);
		break;
	case FUSE_FORGET:
	case FUSE_BATCH_FORGET:
	case FUSE_INTERRUPT:
		break;
	default:
		reply(h->unique, -ENOSYS, NULL, 0);
		break;
	}
}

static int load(const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st) < 0 || st.st_size > 64 << 20)
		return -1;
	data_size = (size_t)st.st_size;
	data = malloc(data_size ? data_size : 1);
	if (!data || read(fd, data, data_size) != (ssize_t)data_size)
		return -1;
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	static char buf[BUF_SIZE + 4096];
	struct sigaction sa;
	char opts[128];

	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: ftfuse MOUNTPOINT FILE UID [NAME]\n");
		return 2;
	}
	if (argc == 5)
		file_name = argv[4];
	uid = (unsigned)strtoul(argv[3], NULL, 10);
	if (load(argv[2]) < 0) {
		perror(argv[2]);
		return 3;
	}
	dev_fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (dev_fd < 0) {
		perror("ftfuse: /dev/fuse");
		return 77;
	}
	snprintf(opts, sizeof(opts), "fd=%d,rootmode=40000,user_id=%u,group_id=%u,allow_other",
		 dev_fd, uid, uid);
	if (mount("ftfuse", argv[1], "fuse.ftfuse", MS_NOSUID | MS_NODEV, opts) < 0) {
		perror("ftfuse: mount");
		return 77;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1; /* no SA_RESTART: the read below ends */
	sigaction(SIGUSR1, &sa, NULL);
	printf("ready\n");
	fflush(stdout);
	while (!frozen) {
		ssize_t n = read(dev_fd, buf, sizeof(buf));

		if (n < 0 && (errno == EINTR || errno == ENOENT || errno == EAGAIN))
			continue;
		if (n < 0)
			break;
		if ((size_t)n >= sizeof(struct fuse_in_header))
			serve(buf);
	}
	printf("frozen\n");
	fflush(stdout);
	for (;;)
		pause();
}
