/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Opening files that a profiled process named: its modules, their debug
 * files, its JIT map. Any user can run a program that flametop, maybe as
 * root, then reads the files of, so each such file is treated as hostile:
 *
 *  - the path is first opened O_PATH, which never blocks and has no side
 *    effects (a FIFO is not waited on, a device is not opened), and the
 *    checks are made on that descriptor: a regular file, of at most
 *    PROCMAP_FILE_MAX bytes; only then is the same inode reopened for
 *    reading through /proc/self/fd, O_NONBLOCK, and checked again
 *    (ft_reopen_regular, util's check for every path someone else named);
 *  - a path inside a container's root (/proc/PID/root) is resolved inside
 *    it: openat2(RESOLVE_IN_ROOT) where the kernel has it, else a walk of
 *    one component at a time with O_NOFOLLOW, following the root's own
 *    symbolic links relative to the root, with a hop limit; an absolute
 *    link planted in a container never reaches this machine's files;
 *  - files are read with pread into memory, never mmapped, so a process
 *    that truncates its library cannot raise SIGBUS in flametop; reads
 *    stop at a deadline, so a slow file costs a bounded time;
 *  - ELF headers are checked against the file's size before libelf sees
 *    them, so a forged section count cannot make it allocate gigabytes.
 */
#include "config.h"

#include "flametop/procmap.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

#ifndef NT_GNU_BUILD_ID
#define NT_GNU_BUILD_ID 3
#endif
/* The most of a PT_NOTE segment read looking for a build id. */
#define NOTE_MAX 65536
/* Program headers read looking for notes. */
#define PHDR_MAX 1024

static bool openat2_broken;

void procmap_file_set_walk_only(bool walk_only)
{
	openat2_broken = walk_only;
}

int procmap_file_walk(int root, const char *path, bool no_link, int *out)
{
	return ft_walk(root, path, no_link ? FT_WALK_NO_LINK : 0, NULL, PROCMAP_ROOT_HOPS, out);
}

/*
 * An O_PATH descriptor of `path` resolved inside `root` (a final link
 * itself with `no_link`). Where `mounts` holds a user's FUSE mount, a walk
 * that refuses to go onto it (-EREMOTE): openat2 would follow a link there
 * and wait on the server in the lookup.
 */
static int open_in_root(int root, const char *path, bool no_link, const struct ft_mounts *mounts,
			int *out)
{
	struct open_how how;
	int tries, fd;

	if (mounts->n_fuse)
		return ft_walk(root, path, no_link ? FT_WALK_NO_LINK : 0, mounts, PROCMAP_ROOT_HOPS,
			       out);
	if (!openat2_broken) {
		memset(&how, 0, sizeof(how));
		how.flags = O_PATH | O_CLOEXEC | (no_link ? O_NOFOLLOW : 0);
		how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
		/* EAGAIN: a rename or mount raced the lookup; try again, then walk. */
		for (tries = 0; tries < 3; tries++) {
			fd = (int)syscall(SYS_openat2, root, path, &how, sizeof(how));
			if (fd >= 0) {
				*out = fd;
				return 0;
			}
			if (errno != EAGAIN)
				break;
		}
		if (errno != ENOSYS && errno != EAGAIN && errno != E2BIG && errno != EPERM)
			return -errno;
		/* No openat2 (or a seccomp filter refusing it): walk it ourselves. */
	}
	return procmap_file_walk(root, path, no_link, out);
}

static void say_fuse(struct ft_error *err, const char *path, const struct ft_mount_fuse *m)
{
	error_set(err, "%s: on user %ld's FUSE mount %s, which may never answer", path, m->uid,
		  m->point);
}

/*
 * Whether the file that O_PATH descriptor `pfd` (of `path`) holds is on a
 * user's FUSE mount, or on a FUSE mount neither `pid`'s table nor ours
 * lists (detached): -EPERM with `err` filled, else 0. Ours is looked in
 * only when it is another table than theirs. Never asks the file system
 * (ft_mounts_fd_check, ft_fd_on_fuse).
 */
static int check_mount(const struct ft_mounts *theirs, uint32_t pid, int pfd, const char *path,
		       struct ft_error *err)
{
	const struct ft_mount_fuse *fuse;
	const struct ft_mounts *ours;
	int ret;

	ret = ft_mounts_fd_check(theirs, pfd, &fuse);
	if (ret == -ENXIO && pid) {
		/* Not in theirs: maybe a file mapped before a chroot. */
		ours = ft_mounts_acquire(0);
		if (ours == theirs)
			ret = theirs->loaded ? ret : 0; /* the same table: nothing more to learn */
		else if (ours->loaded)
			ret = ft_mounts_fd_check(ours, pfd, &fuse);
		else
			ret = 0; /* no table to tell by */
		if (ret == -EPERM)
			say_fuse(err, path, fuse);
		ft_mounts_release(ours);
	} else if (ret == -EPERM) {
		say_fuse(err, path, fuse);
	} else if (ret == -ENXIO && !theirs->loaded) {
		ret = 0; /* no table to tell by */
	}
	if (ret == -ENXIO && !ft_fd_on_fuse(pfd))
		ret = 0; /* a kernel's own (memfd), or a detached one not FUSE */
	if (ret == -ENXIO)
		error_set(err, "%s: on a detached FUSE mount, which may never answer", path);
	return ret < 0 ? -EPERM : 0;
}

/* Looks `path` up as procmap_file_open_as() says, into O_PATH descriptor *pfd. */
static int look_up(const struct ft_mounts *mounts, uint32_t pid, int dirfd, const char *path,
		   unsigned flags, int *pfd, struct ft_error *err)
{
	const struct ft_mount_fuse *fuse = NULL;
	int ret;

	if (path[0] == '/' && ((flags & PROCMAP_FILE_IN_ROOT) || !pid))
		fuse = ft_mounts_path_fuse(mounts, path);
	if (fuse) {
		say_fuse(err, path, fuse);
		return -EPERM;
	}
	if (flags & PROCMAP_FILE_IN_ROOT) {
		ret = open_in_root(dirfd, path, flags & PROCMAP_FILE_NO_LINK, mounts, pfd);
	} else {
		*pfd = openat(dirfd, path,
			      O_PATH | O_CLOEXEC | (flags & PROCMAP_FILE_FOLLOW ? 0 : O_NOFOLLOW));
		ret = *pfd < 0 ? -errno : 0;
	}
	if (ret == -EREMOTE) {
		error_set(err, "%s: leads onto a user's FUSE mount, which may never answer", path);
		return -EPERM;
	}
	if (ret < 0) {
		/* -EPERM is kept for our refusals: the kernel's becomes -EACCES. */
		if (ret == -EPERM)
			ret = -EACCES;
		error_set(err, "%s: %s", path, strerror(-ret));
		return ret;
	}
	ret = check_mount(mounts, pid, *pfd, path, err);
	if (ret < 0) {
		close(*pfd);
		*pfd = -1;
	}
	return ret;
}

int procmap_file_open(struct procmap_file *f, int dirfd, const char *path, unsigned flags,
		      struct ft_error *err)
{
	return procmap_file_open_as(f, 0, dirfd, path, flags, err);
}

int procmap_file_open_as(struct procmap_file *f, uint32_t pid, int dirfd, const char *path,
			 unsigned flags, struct ft_error *err)
{
	const struct ft_mounts *mounts;
	struct stat st;
	int pfd = -1, fd, ret;

	memset(f, 0, sizeof(*f));
	f->fd = -1;
	f->root = -1;
	f->pid = pid;
	mounts = ft_mounts_acquire(pid); /* unreadable: nothing to check by */
	ret = look_up(mounts, pid, dirfd, path, flags, &pfd, err);
	ft_mounts_release(mounts);
	if (ret < 0)
		return ret;
	fd = ft_reopen_regular(pfd, PROCMAP_FILE_MAX, &st);
	if (fd < 0) {
		ret = -EPERM; /* a refusal, unless the kernel said otherwise */
		switch (fd) {
		case -ELOOP:
			error_set(err, "%s: a symbolic link", path);
			break;
		case -EISDIR:
		case -EINVAL:
			error_set(err, "%s: not a regular file", path);
			break;
		case -EFBIG:
			error_set(err, "%s: larger than %llu MiB", path,
				  (unsigned long long)(PROCMAP_FILE_MAX >> 20));
			break;
		case -EAGAIN:
			error_set(err, "%s: changed while it was opened", path);
			break;
		default:
			ret = fd == -EPERM ? -EACCES : fd;
			error_set(err, "%s: %s", path, strerror(-fd));
			break;
		}
		goto out;
	}
	f->fd = fd;
	f->size = (uint64_t)st.st_size;
	f->dev = (uint64_t)st.st_dev;
	f->ino = (uint64_t)st.st_ino;
	f->blocks = (uint64_t)st.st_blocks;
	f->uid = (uint32_t)st.st_uid;
	f->mode = (uint32_t)st.st_mode;
	f->deadline_ns = util_now_ns() + PROCMAP_MODULE_BUDGET_NS;
	ret = 0;
out:
	close(pfd);
	return ret;
}

void procmap_file_close(struct procmap_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	if (f->root >= 0)
		close(f->root);
	f->fd = -1;
	f->root = -1;
}

bool procmap_file_late(const struct procmap_file *f)
{
	return (f->deadline_ns && util_now_ns() > f->deadline_ns) ||
	       (f->stop && f->stop(f->stop_ctx));
}

ssize_t procmap_file_pread(struct procmap_file *f, void *buf, size_t len, uint64_t off)
{
	size_t got = 0;

	while (got < len) {
		/* In pieces, so that the deadline is looked at while reading much. */
		size_t chunk = len - got > (8u << 20) ? (8u << 20) : len - got;
		ssize_t n;

		if (procmap_file_late(f))
			return -ETIMEDOUT;
		if (off + got > (uint64_t)INT64_MAX)
			break;
		n = pread(f->fd, (char *)buf + got, chunk, (off_t)(off + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

void *procmap_file_read(struct procmap_file *f, uint64_t off, size_t len)
{
	void *buf;

	if (len > PROCMAP_READ_MAX || off > f->size || f->size - off < len)
		return NULL;
	buf = xmalloc(len ? len : 1);
	if (procmap_file_pread(f, buf, len, off) != (ssize_t)len) {
		free(buf);
		return NULL;
	}
	return buf;
}

bool procmap_file_sparse(const struct procmap_file *f)
{
	/* A file system may keep small files inline (no blocks): judge big ones only. */
	return f->size > (1u << 20) && f->blocks * 512 < f->size / 2;
}

/* The numbers of an ELF header that say where its tables are, either class. */
struct elf_head {
	bool is64, swap;
	uint64_t phoff, shoff;
	unsigned phentsize, phnum, shentsize, shnum;
};

static uint16_t get16(const unsigned char *p, bool swap)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return swap ? __builtin_bswap16(v) : v;
}

static uint32_t get32(const unsigned char *p, bool swap)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return swap ? __builtin_bswap32(v) : v;
}

static uint64_t get64(const unsigned char *p, bool swap)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return swap ? __builtin_bswap64(v) : v;
}

static int read_head(struct procmap_file *f, struct elf_head *h)
{
	unsigned char e[sizeof(Elf64_Ehdr)];
	bool little = *(const unsigned char *)&(const uint16_t){ 1 } == 1;
	ssize_t n = procmap_file_pread(f, e, sizeof(e), 0);

	if (n < (ssize_t)sizeof(Elf32_Ehdr) || memcmp(e, ELFMAG, SELFMAG) != 0)
		return -ENOEXEC;
	if (e[EI_DATA] != ELFDATA2LSB && e[EI_DATA] != ELFDATA2MSB)
		return -ENOEXEC;
	h->swap = (e[EI_DATA] == ELFDATA2LSB) != little;
	if (e[EI_CLASS] == ELFCLASS64) {
		if (n < (ssize_t)sizeof(Elf64_Ehdr))
			return -ENOEXEC;
		h->is64 = true;
		h->phoff = get64(e + offsetof(Elf64_Ehdr, e_phoff), h->swap);
		h->shoff = get64(e + offsetof(Elf64_Ehdr, e_shoff), h->swap);
		h->phentsize = get16(e + offsetof(Elf64_Ehdr, e_phentsize), h->swap);
		h->phnum = get16(e + offsetof(Elf64_Ehdr, e_phnum), h->swap);
		h->shentsize = get16(e + offsetof(Elf64_Ehdr, e_shentsize), h->swap);
		h->shnum = get16(e + offsetof(Elf64_Ehdr, e_shnum), h->swap);
	} else if (e[EI_CLASS] == ELFCLASS32) {
		h->is64 = false;
		h->phoff = get32(e + offsetof(Elf32_Ehdr, e_phoff), h->swap);
		h->shoff = get32(e + offsetof(Elf32_Ehdr, e_shoff), h->swap);
		h->phentsize = get16(e + offsetof(Elf32_Ehdr, e_phentsize), h->swap);
		h->phnum = get16(e + offsetof(Elf32_Ehdr, e_phnum), h->swap);
		h->shentsize = get16(e + offsetof(Elf32_Ehdr, e_shentsize), h->swap);
		h->shnum = get16(e + offsetof(Elf32_Ehdr, e_shnum), h->swap);
	} else {
		return -ENOEXEC;
	}
	return 0;
}

/* Whether a table of `num` entries of `size` bytes at `off` lies inside the file. */
static bool table_fits(const struct procmap_file *f, uint64_t off, unsigned size, unsigned num)
{
	uint64_t bytes = (uint64_t)size * num;

	return num == 0 || (off <= f->size && f->size - off >= bytes);
}

int procmap_file_check_elf(struct procmap_file *f, struct ft_error *err)
{
	struct elf_head h;
	unsigned phsize, shsize;

	if (read_head(f, &h) < 0) {
		error_set(err, "not an ELF file");
		return -ENOEXEC;
	}
	phsize = h.is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	shsize = h.is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
	/* PN_XNUM and a zero e_shnum with a table: counts kept elsewhere, unbounded. */
	if (h.phnum == PN_XNUM || (h.shnum == 0 && h.shoff != 0)) {
		error_set(err, "ELF header with extended numbering");
		return -ENOEXEC;
	}
	if ((h.phnum && h.phentsize != phsize) || (h.shnum && h.shentsize != shsize) ||
	    !table_fits(f, h.phoff, phsize, h.phnum) || !table_fits(f, h.shoff, shsize, h.shnum)) {
		error_set(err, "ELF header tables do not fit the file");
		return -ENOEXEC;
	}
	return 0;
}

/* Looks for NT_GNU_BUILD_ID in `len` bytes of notes. */
static uint8_t find_build_id(const unsigned char *p, size_t len, bool swap, uint8_t id[20])
{
	size_t off = 0;

	while (len - off >= 12) {
		uint32_t namesz = get32(p + off, swap), descsz = get32(p + off + 4, swap);
		uint32_t type = get32(p + off + 8, swap);
		size_t name_al = ((size_t)namesz + 3) & ~(size_t)3;
		size_t desc_al = ((size_t)descsz + 3) & ~(size_t)3;

		if (name_al > len - off - 12 || desc_al > len - off - 12 - name_al)
			return 0;
		if (type == NT_GNU_BUILD_ID && namesz == 4 && memcmp(p + off + 12, "GNU", 4) == 0 &&
		    descsz > 0) {
			size_t n = descsz > 20 ? 20 : descsz;

			memcpy(id, p + off + 12 + name_al, n);
			return (uint8_t)n;
		}
		off += 12 + name_al + desc_al;
	}
	return 0;
}

uint8_t procmap_file_build_id(struct procmap_file *f, uint8_t id[20])
{
	struct elf_head h;
	unsigned char ph[sizeof(Elf64_Phdr)];
	unsigned i, phsize;
	uint8_t got = 0;

	if (read_head(f, &h) < 0)
		return 0;
	phsize = h.is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	if (h.phentsize != phsize || !table_fits(f, h.phoff, phsize, h.phnum))
		return 0;
	for (i = 0; i < h.phnum && i < PHDR_MAX && !got; i++) {
		uint64_t off, size;
		unsigned char *notes;

		if (procmap_file_pread(f, ph, phsize, h.phoff + (uint64_t)i * phsize) !=
		    (ssize_t)phsize)
			return 0;
		if (get32(ph, h.swap) != PT_NOTE)
			continue;
		if (h.is64) {
			off = get64(ph + offsetof(Elf64_Phdr, p_offset), h.swap);
			size = get64(ph + offsetof(Elf64_Phdr, p_filesz), h.swap);
		} else {
			off = get32(ph + offsetof(Elf32_Phdr, p_offset), h.swap);
			size = get32(ph + offsetof(Elf32_Phdr, p_filesz), h.swap);
		}
		if (size > NOTE_MAX)
			size = NOTE_MAX;
		notes = procmap_file_read(f, off, (size_t)size);
		if (!notes)
			continue;
		got = find_build_id(notes, (size_t)size, h.swap, id);
		free(notes);
	}
	return got;
}
