/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Small helpers every subsystem shares: allocation that never returns NULL,
 * the error struct constructors fill in, growable arrays, string interning
 * hashes, monotonic time, the one sanitizer that untrusted strings pass
 * before they reach a terminal, the one path notices take, the parsers
 * of the values people type, and the safe ways to open what someone else
 * named, to create output, to keep private files and to end a launched
 * command (flametop runs as root among users it does not trust).
 */
#ifndef FLAMETOP_UTIL_H
#define FLAMETOP_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Allocation. On failure these call the registered fatal hook (which the UI
 * uses to restore the terminal), print one line and abort: callers never
 * check for NULL.
 */
void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
/*
 * A scratch buffer of *cap bytes, about to hold `need`: shrunk to `need`
 * (at least UTIL_BUF_KEEP) when it is over UTIL_BUF_KEEP and more than
 * four times that, so that one big chunk early on does not keep its room
 * for the rest of a long run. Its contents are not kept. Returns the
 * buffer, which the caller still grows itself.
 */
#define UTIL_BUF_KEEP ((size_t)64 << 10)
void *xbuf_shrink(void *buf, size_t *cap, size_t need);
/*
 * A big array (a session's samples: hundreds of MiB; the kernel's symbol
 * table: a few MiB), grown from `old_n` elements of `size` bytes (0 with
 * NULL) to `n`; freed with xbig_free() and the same `n` and `size`. Below
 * UTIL_BIG_MIN bytes it is malloc'd. From there it is a mapping of its
 * own, whole huge pages (UTIL_HUGE_PAGE, which is also what the kernel
 * needs to place it on a huge page boundary), marked for transparent huge
 * pages and grown by mremap without copying, so that filling it costs a
 * page fault per 2 MiB instead of one per 4 KiB (each of which takes
 * microseconds in a virtual machine, about 13 us on the one measured).
 * The price: up to a huge page of memory more than the array needs. It
 * never shrinks.
 */
#define UTIL_HUGE_PAGE ((size_t)2 << 20)
#define UTIL_BIG_MIN UTIL_HUGE_PAGE
void *xbig_reallocarray(void *ptr, size_t old_n, size_t n, size_t size);
void xbig_free(void *ptr, size_t n, size_t size);
/*
 * Has malloc keep the memory freed for the allocations that follow,
 * rather than hand it back to the kernel and take fresh pages again: for
 * a process that grows many tables by doubling (the recorder: the
 * profile's maps, the frame trie, symbol tables), each grown table then
 * reuses what smaller ones gave back. Blocks below `most` (32 MiB at
 * most) come from the heap (not from mappings of their own, unmapped when
 * freed), and up to `most` bytes (UTIL_MALLOC_KEEP at most) free at the
 * heap's top stay. The price: memory freed stays counted in the process's
 * size (within its peak so far); `most` bounds it for a process told to
 * stay small (the explorer's --max-memory).
 */
#define UTIL_MALLOC_KEEP ((size_t)64 << 20)
void xmalloc_keep_freed(size_t most);
/*
 * Hands the kernel the pages of the heap's free blocks (glibc's
 * malloc_trim; elsewhere nothing). A long-lived heap in which blocks
 * are freed among ones that stay (the explorer's timeline repacking its
 * buckets while the call tree grows) has holes that xmalloc_keep_freed
 * keeps resident; a day replayed held 6 MiB of them. The price: a walk
 * of the free blocks, a madvise for each that spans pages, and fresh
 * pages for what reuses them; so a caller does it now and then, not
 * often (the explorer: every UI_HEAP_RELEASE_SAMPLES samples).
 */
void xmalloc_release_free(void);
/*
 * xmalloc_keep_freed(UTIL_MALLOC_KEEP), and the heap's next UTIL_HEAP_HUGE bytes taken
 * from the kernel now, on a huge page boundary and marked for transparent
 * huge pages: so the small blocks that tables, maps and names are made of
 * fill huge pages, a page fault per 2 MiB, instead of one per 4 KiB (13 us
 * each on the virtual machine measured, where a recording took some
 * 1,200 of them). Only what is touched is memory; the price is up to a
 * huge page more of it than the blocks need. A heap that grows past this
 * gets small pages again, as before. Call it first, before the heap holds
 * much.
 */
#define UTIL_HEAP_HUGE ((size_t)24 << 20)
void xmalloc_heap_huge(void);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void util_set_fatal_hook(void (*hook)(void));

/*
 * Errors from constructors and parsers. `msg` is one line a user can read;
 * `line`/`column` are set by parsers that know them (0 otherwise).
 */
struct ft_error {
	char msg[512];
	int line;
	int column;
};
void error_set(struct ft_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Monotonic clock (CLOCK_MONOTONIC, the clock samples are stamped with), ns. */
uint64_t util_now_ns(void);
/* Wall clock (CLOCK_REALTIME), ns since the epoch. */
uint64_t util_wall_ns(void);

/*
 * The one sanitizer: everything untrusted that flametop prints (to the
 * terminal, to stderr, into report output) passes it. Copies `in` to a
 * caller-provided buffer of `size` bytes (always NUL-terminated),
 * replacing every byte that could drive a terminal by '?': C0/C1 controls,
 * DEL, ESC, and malformed UTF-8. Characters that reorder or hide text
 * (bidi controls U+202A-202E, U+2066-2069, U+200E, U+200F, U+061C;
 * zero-width U+200B-200D, U+2060, U+FEFF; U+2028, U+2029), and the
 * noncharacters U+FFFE and U+FFFF (which XML refuses), are shown escaped
 * as "<U+202E>". Other valid printable UTF-8 passes through. The
 * result may be longer than `in`: UTIL_SANITIZE_SIZE(strlen(in)) bytes
 * always hold all of it; a smaller buffer cuts it at a character
 * boundary. Returns `out`.
 */
#define UTIL_SANITIZE_SIZE(len) (4 * (size_t)(len) + 1)
char *util_sanitize(const char *in, char *out, size_t size);
/*
 * Prints one line "flametop: MESSAGE" to stderr, MESSAGE formatted and then
 * sanitized (util_sanitize): the one way any layer writes a line to
 * stderr (cli_error is this, for the command line).
 */
void util_error_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void util_verror_line(const char *fmt, va_list ap);

/* The last path component of `path` (borrowed, points into `path`). */
const char *util_basename(const char *path);

/* 64-bit hash of a byte string (FNV-1a, then mixed). */
uint64_t util_hash_bytes(const void *data, size_t len);
/*
 * Mixes a 64-bit integer key into a well-distributed hash (splitmix64's
 * finalizer). Inline: the interning tables and the timeline hash a key
 * per sample.
 */
static inline uint64_t util_hash_u64(uint64_t key)
{
	key ^= key >> 30;
	key *= 0xbf58476d1ce4e5b9ull;
	key ^= key >> 27;
	key *= 0x94d049bb133111ebull;
	key ^= key >> 31;
	return key;
}

/*
 * An open-addressing map from a nonzero 64-bit key to a 32-bit value.
 * Used for interning (frame -> id, (parent, frame) -> node id).
 */
struct u64map {
	uint64_t *keys; /* 0 = empty slot */
	uint32_t *values;
	size_t cap; /* power of two */
	size_t len;
};
void u64map_init(struct u64map *m);
void u64map_free(struct u64map *m);
/* Returns 1 and sets *value when `key` (nonzero) is present, 0 otherwise. */
int u64map_get(const struct u64map *m, uint64_t key, uint32_t *value);
/* Inserts or replaces. `key` must be nonzero. */
void u64map_put(struct u64map *m, uint64_t key, uint32_t value);
/* Removes `key` (nonzero): 1 when it was there, 0 otherwise. Never shrinks the table. */
int u64map_del(struct u64map *m, uint64_t key);

/*
 * An open-addressing set of 32-bit ids whose keys the caller keeps (in the
 * arrays the ids index): 4 bytes a slot where a u64map takes 12. Used for
 * the profile's largest interning tables (nodes, locations, chains). A
 * lookup walks its hash's probe sequence and compares the keys itself:
 *
 *	for (i = idmap_first(m, h); (id = idmap_at(m, i)) != IDMAP_NONE;
 *	     i = idmap_next(m, i))
 *		if (the key of id is the one looked for)
 *			return id;
 */
#define IDMAP_NONE UINT32_MAX
struct idmap {
	uint32_t *slots; /* id + 1; 0: empty */
	size_t cap; /* power of two, or 0 */
	size_t len;
};
void idmap_init(struct idmap *m);
void idmap_free(struct idmap *m);

static inline size_t idmap_first(const struct idmap *m, uint64_t hash)
{
	return m->cap ? (size_t)hash & (m->cap - 1) : 0;
}

static inline uint32_t idmap_at(const struct idmap *m, size_t i)
{
	return m->cap && m->slots[i] ? m->slots[i] - 1 : IDMAP_NONE;
}

static inline size_t idmap_next(const struct idmap *m, size_t i)
{
	return (i + 1) & (m->cap - 1);
}

/*
 * Adds `id` (below IDMAP_NONE - 1, not there yet), whose key hashes to
 * `hash`. When the table grows, hash_of(ctx, id) gives each id's hash.
 */
void idmap_add(struct idmap *m, uint64_t hash, uint32_t id,
	       uint64_t (*hash_of)(const void *ctx, uint32_t id), const void *ctx);

/*
 * A string table: interns NUL-terminated strings to dense ids 0, 1, 2, ...
 * Strings are copied; `strtab_get` returns a pointer valid until the table
 * is freed.
 */
struct strtab {
	char **strs;
	uint64_t *hashes;
	uint32_t len, cap;
	uint32_t *slots; /* open addressing, id + 1, 0 = empty */
	size_t nslots;
};
void strtab_init(struct strtab *t);
void strtab_free(struct strtab *t);
uint32_t strtab_intern(struct strtab *t, const char *s);
/* Returns 1 and sets *id when present. */
int strtab_find(const struct strtab *t, const char *s, uint32_t *id);
const char *strtab_get(const struct strtab *t, uint32_t id);

/* Reads a whole small file (procfs, sysfs) into a NUL-terminated buffer.
 * Returns a malloc'd buffer (caller frees) and sets *len, or NULL with errno. */
char *util_read_file(const char *path, size_t *len);
/*
 * util_read_file() for a text file whose size someone else decides (a
 * process's /proc/PID/maps): reads at most `max` bytes of it (0: no cap).
 * When the file held more, *cut is set and the buffer ends after its last
 * whole line within the cap. `cut` may be NULL.
 */
char *util_read_file_max(const char *path, size_t max, size_t *len, bool *cut);
/* util_read_file_max() of open descriptor `fd`, from where it is; `fd` stays open. */
char *util_read_fd_max(int fd, size_t max, size_t *len, bool *cut);
/* Reads one integer from a procfs/sysfs file; returns 0 or -errno. */
int util_read_long(const char *path, long *value);
/* Whether kernel `release` (uname's, "6.1.0-18-amd64") is older than
 * major.minor; false for one that does not start with two numbers. */
bool util_kernel_before(const char *release, unsigned major, unsigned minor);
/* Whether process or thread `tid` exists and is no zombie (/proc/TID/stat). */
bool util_task_alive(pid_t tid);
/* Whether process `pid` exists and a thread of it is no zombie: a process
 * whose first thread ended (a zombie) while others run is alive. */
bool util_process_alive(pid_t pid);

/*
 * Opening files that someone else named. A path taken from a profiled
 * process (its mappings, its JIT map), from a session file, or from the
 * command line of a config or theme may name a FIFO (whose open() blocks
 * forever), a device (whose open() has side effects), or a huge sparse file.
 *
 * ft_open_regular_at() never opens such a thing: it opens the path O_PATH
 * (plus O_NOFOLLOW when `oflags` has it), which opens nothing, refuses
 * what that descriptor shows is not a regular file, and only then opens
 * the same inode, through /proc/self/fd, O_RDONLY|O_NONBLOCK|O_CLOEXEC|
 * O_NOCTTY, checking the result with fstat(): a regular file, the inode
 * that was looked at, at most `max_size` bytes (0: no size cap). (Without
 * /proc it looks, opens the path again and checks the inode is the same.)
 * `dirfd` is as for openat() (AT_FDCWD for a plain path). It returns the
 * descriptor (caller closes; O_NONBLOCK stays set, which regular files
 * ignore) and fills *st when `st` is not NULL, or -errno: what open() said
 * (-ELOOP for a symbolic link with O_NOFOLLOW), -EISDIR for a directory,
 * -EINVAL when it is not a regular file, -EFBIG when it is larger than
 * `max_size`, -EAGAIN when the file changed between the look and the
 * open, -EREMOTE when it is on a user's FUSE mount (ft_mounts_acquire:
 * refused from our mount table before the lookup, for an absolute path
 * from AT_FDCWD, which is then walked with ft_walk so that no symbolic
 * link leads onto such a mount, and after it, never looking at the file).
 * ft_open_strerror() words those for a user.
 *
 * ft_reopen_regular() is the second half, for callers that find the file
 * their own way (procmap_file_open: openat2() with RESOLVE_IN_ROOT) as an
 * O_PATH descriptor, `pathfd`, which stays theirs: the same checks and
 * results, and -ENOSYS when /proc is not mounted. ft_check_regular() checks
 * a descriptor open for reading: 0 when `fd` is a regular file of at most
 * `max_size` bytes (0: no cap), filling *st, else -EINVAL or -EFBIG.
 */
int ft_open_regular_at(int dirfd, const char *path, int oflags, uint64_t max_size, struct stat *st);
int ft_open_regular(const char *path, uint64_t max_size, struct stat *st);
int ft_reopen_regular(int pathfd, uint64_t max_size, struct stat *st);
int ft_check_regular(int fd, uint64_t max_size, struct stat *st);
/* strerror() for a negative errno from the ft_open_* helpers (static string). */
const char *ft_open_strerror(int err);

/*
 * File systems a user serves (src/util/mounts.c): a user's FUSE mount can
 * stop answering, and then any look at its files (stat, open, read) waits
 * for good. A mount table is read from /proc/PID/mountinfo (pid 0: ours)
 * without asking any file system; a FUSE mount whose superblock does not
 * say user_id=0 is a user's.
 *
 * ft_mounts_acquire() borrows the table of process `pid` (0: ours) from a
 * cache shared by the processes of one mount namespace and root, read
 * again once a mount or unmount changed it (thread-safe): never NULL (a
 * table that cannot be read is an empty one, `loaded` false), read-only,
 * valid and unchanged until ft_mounts_release() (a table read again is a
 * new one). No copy is made: a look-up costs no more at 100,000 mounts
 * than at 10. ft_mounts_path_fuse() returns the user's FUSE mount that `path`
 * (absolute, as the table's process sees it) is at or under, borrowed
 * from `m`, or NULL. ft_mounts_fd_check() looks at the mount an O_PATH
 * descriptor is on (/proc/self/fdinfo, never the file): -EPERM with
 * *fuse set when it is a user's FUSE mount, -ENXIO when the mount is not
 * in the table (another namespace's, or detached, or a table that could
 * not be read), else 0 (also when fdinfo could not be read).
 */
struct ft_mount_fuse {
	int32_t id;
	long uid; /* its user_id=, -1 when it says none */
	char *point; /* where it is mounted, unescaped */
};
struct ft_mounts {
	bool loaded, cut; /* cut: the table was longer than its cap */
	int32_t *ids; /* every mount's id */
	size_t n_ids;
	struct ft_mount_fuse *fuse; /* the users' FUSE mounts */
	size_t n_fuse;
	unsigned refs; /* the cache's: holders of the table */
};
const struct ft_mounts *ft_mounts_acquire(uint32_t pid);
void ft_mounts_release(const struct ft_mounts *m);
const struct ft_mount_fuse *ft_mounts_path_fuse(const struct ft_mounts *m, const char *path);
int ft_mounts_fd_check(const struct ft_mounts *m, int fd, const struct ft_mount_fuse **fuse);
/*
 * Resolves `path` inside the directory `root` as if it were "/": each
 * component opened O_PATH|O_NOFOLLOW; a symbolic link's target resolved
 * in its place (from `root` when absolute), at most `max_hops` links;
 * ".." never above `root`. With `fuse` (NULL: none), a component on one
 * of its users' FUSE mounts is refused (-EREMOTE), told from its O_PATH
 * descriptor before anything asks that file system. With
 * FT_WALK_SEARCHABLE in `flags`, every directory looked into must be one
 * an unprivileged reader could search (searchable by others, or a trusted
 * user's other than root's), else -EACCES. 0 with *out an O_PATH
 * descriptor of what the path names (caller closes; with FT_WALK_NO_LINK,
 * a final symbolic link is not followed: *out is the link), or -errno.
 */
#define FT_WALK_NO_LINK 1u
#define FT_WALK_SEARCHABLE 2u
int ft_walk(int root, const char *path, unsigned flags, const struct ft_mounts *fuse,
	    unsigned max_hops, int *out);
/*
 * ft_open_regular() for a file that untrusted data named and that is shown
 * to whoever runs flametop: as root, the path is walked (ft_walk,
 * FT_WALK_SEARCHABLE, from "/", a relative one from our working directory
 * made absolute, so the directories above it count too) and refused
 * (-EACCES) when a directory on it is one an unprivileged reader could not
 * search: a user's 0644 file in another user's 0700 directory is not
 * theirs to read. Whether the file itself may be shown is the caller's.
 */
int ft_open_public(const char *path, uint64_t max_size, struct stat *st);
/*
 * Whether descriptor `fd` is on a FUSE file system, told from its device
 * number (statx AT_STATX_DONT_SYNC, which FUSE answers from its cache)
 * and fusectl's list of connections, or where fusectl is not mounted,
 * sysfs's backing devices (/sys/class/bdi/0:MINOR, which NFS has too).
 */
bool ft_fd_on_fuse(int fd);

/*
 * Whether `uid` is one flametop trusts with its settings and outputs: root,
 * the effective user, and under sudo (running as root with SUDO_UID set)
 * the user who ran sudo.
 */
int ft_uid_trusted(uid_t uid);

/*
 * Reads a settings file (the config, a theme) that may only say what its
 * owner wants: a regular file (opened as ft_open_regular() does, never
 * blocking) owned by a trusted user (ft_uid_trusted()), not writable by
 * its group or others, at most `max_size` bytes. Sets *text to its
 * contents, NUL-terminated (caller frees), and *len when `len` is not
 * NULL. 0, or -errno with `err` filled ("PATH: reason"; never a byte of
 * the file): -ENOENT/-ENOTDIR when it does not exist, -EPERM for the owner
 * or the mode, -EINVAL not a regular file, -EFBIG too large. `max_size`
 * must be positive; settings files use FT_SETTINGS_MAX_BYTES.
 */
#define FT_SETTINGS_MAX_BYTES (64u << 10)
int ft_read_settings(const char *path, uint64_t max_size, char **text, size_t *len,
		     struct ft_error *err);

/*
 * Creating output files safely. flametop often runs as root and writes
 * where a user asked (record -o, the explorer's save): it must not be
 * steered into writing somewhere else by a user who swaps a directory of
 * the path for a symbolic link between a check and a use, and under sudo
 * what it creates in the user's own directories must be theirs.
 *
 * ft_outdir_open() opens the directory that is to hold `path`, walking it
 * a component at a time with O_PATH|O_NOFOLLOW|O_DIRECTORY (from / for an
 * absolute path, from the working directory otherwise), so the directory
 * reached is the one checked and later uses go through its descriptor.
 * Running as root, it refuses a path that goes through a directory a user
 * who is not trusted (ft_uid_trusted()) could change: one such a user
 * owns, or one writable by a group other than root's or by everyone,
 * unless it is sticky (as /tmp) and what the path goes through in it is
 * trusted-owned. A symbolic link is followed only where no one else could
 * have put it (the same rule). Fills `d` (d->name points into `path`,
 * which must outlive it) and returns 0, or -errno with `err` filled
 * ("PATH: reason"). Close with ft_outdir_close().
 */
struct ft_outdir {
	int fd; /* the directory, O_PATH */
	const char *name; /* the file's name in it: the last component of the path */
};
int ft_outdir_open(struct ft_outdir *d, const char *path, struct ft_error *err);
void ft_outdir_close(struct ft_outdir *d);
/*
 * Creates `name` in `d` for writing: O_WRONLY|O_CREAT|O_EXCL|O_NOFOLLOW|
 * O_CLOEXEC, mode exactly `mode` (whatever the umask). Under sudo (root,
 * SUDO_UID set), when the directory belongs to the user who ran sudo, the
 * file is given to them (SUDO_UID:SUDO_GID). The descriptor, or -errno
 * (-EEXIST when something has that name).
 */
int ft_outdir_create(const struct ft_outdir *d, const char *name, mode_t mode);
/*
 * The same under a new unique name "PREFIX.partial-XXXXXX" (random
 * letters and digits; mkostemp's guarantee, in `d`). Sets *name (caller
 * frees). The descriptor or -errno.
 */
int ft_outdir_create_partial(const struct ft_outdir *d, const char *prefix, mode_t mode,
			     char **name);
/* Makes `d`'s entries durable (fsync of the directory). Best effort. */
void ft_outdir_sync(const struct ft_outdir *d);
/*
 * What is already at `d`'s name, for a writer that would replace it by a
 * rename: 0 nothing, 1 a regular file (which may be replaced), or -1 with
 * `err` filled ("PATH: reason") for a symbolic link (never followed, nor
 * replaced), a directory, or anything else: a rename over /dev/null or a
 * FIFO would put a file in its place.
 */
int ft_outdir_existing(const struct ft_outdir *d, const char *path, struct ft_error *err);

/*
 * A temporary file no one else can reach: made in ft_tmpdir() ($TMPDIR,
 * else /tmp) with O_TMPFILE where the file system has it, else under a
 * unique name (flametop-PREFIX-XXXXXX, made exclusively) unlinked at
 * once; mode 0600, read and write. Its descriptor, or -errno.
 */
const char *ft_tmpdir(void);
int ft_tmpfile(const char *prefix);

/*
 * This run's private directory (src/util/private.c): made on first use as
 * DIR/flametop-PID.XXXXXX (mkdtemp, mode 0700) in $XDG_RUNTIME_DIR, else
 * $TMPDIR, else /tmp, held open and flock()ed while flametop runs; the
 * leftovers of runs killed before (ft_private_clean_stale(): only
 * flametop's own, of dead processes) are removed first.
 *
 * ft_private_path() writes "PRIVATE/NAME" into `path` (for a writer that
 * opens by path, such as the session writer); ft_private_create() also
 * creates NAME there (as ft_outdir_create(): exclusive, never through a
 * link, mode 0600) and returns its descriptor. Both 0/fd or -errno with
 * `err`. ft_private_done() removes the directory when it is empty (a
 * command's output that the caller keeps stays in it).
 */
int ft_private_path(const char *name, char *path, size_t size, struct ft_error *err);
int ft_private_create(const char *name, char *path, size_t size, struct ft_error *err);
void ft_private_done(void);
void ft_private_clean_stale(void);

/*
 * Ending a command flametop launched: `sig` first, SIGKILL when it still
 * runs `grace_ns` later. For a loop that keeps working meanwhile (record
 * drains samples while the command shuts down), call ft_child_stop_step()
 * on each pass once the command must end, with a zeroed `c`: the first
 * call sends `sig` (FT_CHILD_SIGNALLED); a call past the grace period
 * sends SIGKILL (FT_CHILD_KILLED, once, for the caller to say so); a call
 * FT_CHILD_KILL_WAIT_NS after that says FT_CHILD_GAVE_UP (stop waiting);
 * other calls FT_CHILD_WAITING. The caller reaps the child.
 */
#define FT_CHILD_KILL_WAIT_NS (UINT64_C(1) * 1000000000u)
enum ft_child_stop_result {
	FT_CHILD_WAITING,
	FT_CHILD_SIGNALLED,
	FT_CHILD_KILLED,
	FT_CHILD_GAVE_UP,
};
struct ft_child_stop {
	int stage;
	uint64_t deadline;
};
enum ft_child_stop_result ft_child_stop_step(struct ft_child_stop *c, pid_t pid, int sig,
					     uint64_t now, uint64_t grace_ns);
/*
 * The same, blocking, for a caller with nothing else to do (the explorer
 * quitting): returns once `pid` has ended (it is not reaped: its status
 * stays for the caller), 1 when it took SIGKILL, 0 when `sig` was enough,
 * or -EINVAL for no pid.
 */
int ft_child_end(pid_t pid, int sig, uint64_t grace_ns);

/* ------------------------------------------------------------------------
 * Notices (notice.c): what a person should know that is not an error (an
 * event fell back to another, kernel samples are not permitted, a JIT map
 * is not trusted, stacks look truncated, a session was cut short). A
 * module is given a sink (NULL: it says nothing) and says each notice as
 * bare text, one line without "notice:" or newline. The sink's owner shows
 * it: the command line on stderr as "flametop: notice: TEXT" (sanitized,
 * cli_notice), the TUI in its status line. A sink says each thing once.
 */
struct ft_notice {
	/* Shows one notice; `text` is borrowed for the call, not sanitized. */
	void (*show)(void *ctx, const char *text);
	void *ctx;
	struct u64map said; /* hashes of the keys said so far */
};
/* Readies `n` to hand notices to `show`. Free with notice_free(). */
void notice_init(struct ft_notice *n, void (*show)(void *ctx, const char *text), void *ctx);
void notice_free(struct ft_notice *n);
/*
 * Says a notice on `n` (NULL: nowhere), unless one with the same `key` was
 * said on `n` before. `key` NULL makes the text its own key, so the same
 * line is never said twice; a notice whose text varies (a percentage, a
 * count) gives a fixed key to be said only once.
 */
void notice_say(struct ft_notice *n, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Exit statuses, shared by every subcommand and the explorer. */
#define FT_EXIT_ERROR 1
#define FT_EXIT_USAGE 2 /* a bad option, value, config or theme */
#define FT_EXIT_CANNOT_EXEC 126 /* as a shell says it */
#define FT_EXIT_NOT_FOUND 127

/* How long a launched command is given to end after the signal that
 * stopped sampling was passed on to it (record and the live view). */
#define FT_CHILD_GRACE_NS (5 * 1000000000ull)

/* The exit status a shell gives for a command's wait status: its exit
 * code, or 128 plus the signal that killed it. */
int util_exit_status(int wait_status);
/* The exit status for a command that could not be started (-errno from
 * sampler_start): 127 not found, 126 not executable, else 1. */
int util_exec_status(int err);

/* ------------------------------------------------------------------------
 * Values a person types (parse.c), for every option and config key that
 * takes one, so that all accept the same forms and refuse in the same
 * words. Each parser takes the whole string: digits with an optional
 * decimal fraction (not for integers), then an optional unit, matched in
 * any case; no sign, no spaces, nothing after. It returns 0 with *out set
 * and within [min, max]; or -EINVAL (not such a value) or -ERANGE (outside
 * [min, max], or too large for 64 bits), *out untouched and `err` holding
 * one line in the one style: "'1x' is not a duration (30, 500ms, 1.5s, 2m,
 * 1h)", "'0' is out of range (at least 1ms)". The caller puts the option
 * in front: "-d: '1x' is not a duration (...)".
 */

/* Durations, in ns: a bare number is seconds; units ns, us, ms, s, m (or
 * min), h, d. A fraction is exact to the ns ("0.1s", "1.5h", ".5"). */
int util_parse_duration(const char *s, uint64_t min_ns, uint64_t max_ns, uint64_t *ns,
			struct ft_error *err);
/* Sizes, in bytes: a bare number is bytes; K, M, G, T are powers of 1024,
 * optionally followed by "B" or "iB" ("64M", "512KiB", "1.5G"; a fraction
 * of a byte is dropped). */
int util_parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *bytes,
		    struct ft_error *err);
/* Whole numbers in decimal, no unit. */
int util_parse_integer(const char *s, uint64_t min, uint64_t max, uint64_t *out,
		       struct ft_error *err);
/* Decimal numbers (a ratio, a percentage), no unit; the nearest double. */
int util_parse_number(const char *s, double min, double max, double *out, struct ft_error *err);

#endif
