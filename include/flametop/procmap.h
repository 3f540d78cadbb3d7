/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Process maps and modules: the one view of what each process has mapped,
 * shared by symbolization (symbols.h) and DWARF unwinding (unwind.h), and
 * the one way to open the files those mappings name.
 *
 * Each process has a sorted table of mappings, fed by the pipeline's
 * side-band records (procmap_mmap/fork/exec/exit, called once per record
 * by the collect stage) and, for a live process, by /proc/PID/maps the
 * first time it is looked at. Each mapping points to a module: a file,
 * the vdso, or an anonymous or special region ([heap], [stack], //anon).
 *
 * A module is identified once, here, for everyone: a file by its path
 * and its build id when one is known (from the MMAP2 record, or read from
 * the file when it is first opened), else by its path and device and
 * inode. A build id is only bytes in the file, which whoever wrote the
 * file chose: it stands for the file's contents only when the file opened
 * belongs to a trusted user (ft_uid_trusted()) and no one else may write
 * it; otherwise the device and inode stay in the identity, so that a
 * user's copy of a library under its path (in a mount namespace of their
 * own) with its build id cannot lend its symbols to everyone's.
 * procmap_module_key() is that identity as a number.
 *
 * Lifetimes (who frees what):
 *  - struct procmap owns processes, mappings and modules. A module is
 *    reference-counted by the mappings that point to it, in every process,
 *    and freed with its last mapping (an exec, an overlapping mmap, or the
 *    final forgetting of an exited process).
 *  - A consumer (the symbolizer, the unwinder) registers once and keeps
 *    its per-module data (symbol tables, unwind tables) here, under its
 *    slot: procmap_module_data() loads it through the consumer's `load`
 *    the first time a module needs it, and shares it with every module of
 *    the same key. When the last module using a piece of data goes, the
 *    data is parked (kept, unused) so that the next process mapping the
 *    same file finds it; parked data beyond PROCMAP_PARKED_MAX pieces or
 *    PROCMAP_PARKED_BYTES bytes per slot is freed, oldest first, through
 *    the consumer's `free`. Under a ceiling (procmap_set_data_limit),
 *    procmap_trim() frees data still in use as well, least recently used
 *    first, and it is loaded again when next asked for. procmap_free()
 *    frees all of it.
 *  - Pointers handed out (mappings, modules, their names) are borrowed:
 *    valid until the next call that takes a non-const struct procmap
 *    (a side-band record, procmap_find or procmap_maps, which may re-read
 *    /proc/PID/maps), unless said otherwise.
 *
 * Files named by a process are hostile until proven otherwise: see
 * procmap_open() and struct procmap_file.
 *
 * Not thread-safe: one thread feeds and queries.
 */
#ifndef FLAMETOP_PROCMAP_H
#define FLAMETOP_PROCMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "flametop/pipeline.h"
#include "flametop/util.h"

/* Exited processes that stay resolvable for samples that arrive late. */
#define PROCMAP_EXITED_KEEP 64
/* How often, at most, a miss in a live process re-reads its /proc/PID/maps. */
#define PROCMAP_RESCAN_NS 1000000000ull
/*
 * The most of one /proc/PID/maps read, in bytes: its lines for the most
 * mappings a process may have (vm.max_map_count, 65530) with paths of 180
 * bytes. A process maps a file under a path of 4 KiB that many times to
 * make its maps 270 MB, which costs the kernel seconds to write and us as
 * much memory to read; a mapping past the cap is asked of the kernel alone
 * (PROCMAP_QUERY) when an address in it is looked up.
 */
#define PROCMAP_MAPS_MAX (16u << 20)
/*
 * The cap where the kernel answers PROCMAP_QUERY (Linux 6.11): what lies
 * past it is found by asking, so a process that floods its maps costs a
 * read of 2 MiB (tens of ms), not 16 MiB (half a second of the kernel's
 * time, during which no ring is drained), each time one is first seen.
 */
#define PROCMAP_MAPS_QUERY_MAX (2u << 20)
/*
 * procmap_query_find_file: the most mappings it walks, and the most paths it
 * asks for (one per run of mappings of one file: a path costs the kernel
 * what a line of the maps file costs).
 */
#define PROCMAP_QUERY_WALK_MAX (1u << 20)
#define PROCMAP_QUERY_NAMES_MAX 4096u
/* The largest file opened for a process (module or debug file), in bytes. */
#define PROCMAP_FILE_MAX (8ull << 30)
/* The most read into memory from one file at once (a section, a segment). */
#define PROCMAP_READ_MAX (512ull << 20)
/* Symbolic links followed while resolving one path inside a container root. */
#define PROCMAP_ROOT_HOPS 40
/* Time allowed to read one module (its candidates, its consumers' data and
 * its debug files together), from its first opening: see procmap_open(). */
#define PROCMAP_MODULE_BUDGET_NS (5 * 1000000000ull)
/*
 * Parked (unused) per-module data kept per consumer: pieces, and bytes. A
 * live view left running while a test suite ran here parked 84 MiB of the
 * tables of binaries that each ran once, under caps of 256 and 256 MiB;
 * what processes map now is never counted against these.
 */
#define PROCMAP_PARKED_MAX 64
#define PROCMAP_PARKED_BYTES (32ull << 20)
/* How many consumers may register. */
#define PROCMAP_SLOTS 4

struct procmap;

enum procmap_kind {
	PROCMAP_FILE, /* a file: `name` is its path as the process knows it */
	PROCMAP_VDSO, /* "[vdso]": the kernel's image, the same in every process */
	PROCMAP_ANON, /* "[anon]" or "[anon:NAME]": anonymous memory (JIT code lives there) */
	PROCMAP_SPECIAL, /* "[heap]", "[stack]", "anon_inode:...": never has symbols */
};

/*
 * A module. The fields are the layer's; users only read them.
 * `name` is what frames report as their module: a file's path (with the
 * kernel's " (deleted)" suffix when it has one), "[vdso]", "[anon]", ...
 * The build id is the one the MMAP2 record gave, or, once the file was
 * opened, the one read from it (build_id_size 0: none known); `trusted`
 * says whether that file vouches for it (see the top of this file). maj,
 * min, ino are from the record or /proc/PID/maps (all 0: not known).
 */
struct procmap_module {
	const char *name;
	enum procmap_kind kind;
	uint8_t build_id[20];
	uint8_t build_id_size;
	bool trusted;
	uint32_t maj, min;
	uint64_t ino;
};

/* A mapping: [start, end) of a process maps `mod` from file offset `pgoff`. */
struct procmap_map {
	uint64_t start, end, pgoff;
	uint32_t prot; /* PROT_* (0 when the record did not say) */
	struct procmap_module *mod; /* never NULL */
};

/* Caller frees with procmap_free(). Never NULL. */
struct procmap *procmap_new(void);
void procmap_free(struct procmap *pm);

/*
 * Whether the records come from this machine, now (the default): only
 * then is /proc/PID/maps read and are files opened through /proc/PID.
 * Set it before any record.
 */
void procmap_set_live(struct procmap *pm, bool live);
bool procmap_live(const struct procmap *pm);
/*
 * Where the layer says what a person should know: a file a process named
 * that it refused to read (not a regular file, too large, a symbolic link
 * out of a container's root, too slow), once per module. NULL (the
 * default) keeps it quiet. Borrowed: it must outlive `pm`. Consumers say
 * their own notices through procmap_say(), so that one sink hears them
 * all (a text said before is not said again, see notice_say()).
 */
void procmap_set_notice(struct procmap *pm, struct ft_notice *notice);
void procmap_say(struct procmap *pm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* For tests: the rescan interval (default PROCMAP_RESCAN_NS; 0: every miss). */
void procmap_set_rescan_interval(struct procmap *pm, uint64_t ns);

/*
 * Side-band records; `pid` is always the process id (tgid), `time` the
 * record's (CLOCK_MONOTONIC, 0 when not known: see procmap_owner()).
 * procmap_mmap adds a mapping, replacing whatever it overlaps.
 * procmap_fork copies the parent's mappings into a new process (pid ==
 * ppid, a new thread, changes nothing), reading the parent's
 * /proc/PID/maps first if it was never seen. procmap_exec empties the
 * process's mappings without reading /proc (the new image's MMAP2 records
 * follow). procmap_exit forgets the process lazily: the last
 * PROCMAP_EXITED_KEEP exited processes stay resolvable, for samples read
 * after the EXIT record. An mmap, fork or exec for an exited pid starts a
 * new process.
 */
void procmap_mmap(struct procmap *pm, const struct pipeline_mmap *m);
void procmap_fork(struct procmap *pm, uint32_t pid, uint32_t ppid, uint64_t time);
void procmap_exec(struct procmap *pm, uint32_t pid, uint64_t time);
void procmap_exit(struct procmap *pm, uint32_t pid);

/*
 * Who a process is, for the checks on a file it names that only its own
 * user may write (its JIT map), and where that file is: its user (the
 * owner of /proc/PID, its effective uid; root while it is not
 * dumpable), the pid it knows itself by (0: not known), and whether its
 * root is ours (root_known false: never seen).
 */
struct procmap_owner {
	uid_t uid;
	uint32_t ns_pid;
	bool root_known, root_ours;
};

/*
 * Who `pid` is: looked up in /proc/PID while it runs (at its first mmap
 * record, its exec, and at each call until its exit record), and
 * remembered, so that it is still known when its samples are read after
 * it exited. A fork's child is its parent's user until it is looked up
 * (a fork copies credentials). /proc/PID is believed only when its
 * process started no later than the record (fork, exec, first mmap) that
 * began ours, and at the same time as at the first look: a pid reused
 * since names someone else. False when never known (the process was gone
 * before any look, or not live); `time` of those records is
 * CLOCK_MONOTONIC, 0 when not known.
 */
bool procmap_owner(struct procmap *pm, uint32_t pid, struct procmap_owner *out);

/*
 * The mapping of process `pid` that holds `addr`, or NULL. The first
 * look at a live process reads its /proc/PID/maps (merged under what the
 * records said); an address in no mapping of a live process re-reads it,
 * at most once per rescan interval, so a lost MMAP2 record does not leave
 * a library unknown for the rest of a session. A maps file larger than
 * PROCMAP_MAPS_MAX (PROCMAP_MAPS_QUERY_MAX where the kernel answers
 * PROCMAP_QUERY) is read up to the cap, once, and said once (a notice);
 * a miss in that process then asks the kernel for the one mapping at the
 * address (PROCMAP_QUERY), within the same limit of questions per interval.
 */
const struct procmap_map *procmap_find(struct procmap *pm, uint32_t pid, uint64_t addr);
/* All mappings of `pid`, sorted by start, not overlapping; how many. */
size_t procmap_maps(struct procmap *pm, uint32_t pid, const struct procmap_map **maps);
/* Whether the kernel answers PROCMAP_QUERY (Linux 6.11), asked of our own maps. */
bool procmap_query_answers(void);
/*
 * The path of the first executable file mapping of `pid`, lowest address
 * first, that `match` accepts, asked of the kernel (PROCMAP_QUERY), not
 * read from the maps file, with the mapping's range in *start and *end;
 * caller frees. NULL when none does within the caps
 * (PROCMAP_QUERY_WALK_MAX, PROCMAP_QUERY_NAMES_MAX), or the kernel cannot say.
 */
char *procmap_query_find_file(uint32_t pid, bool (*match)(const char *path, void *ctx), void *ctx,
			      uint64_t *start, uint64_t *end);
/*
 * A number that changes whenever the mappings of `pid` change (and differs
 * between two processes that had the same pid): what a consumer caching
 * per-process results compares.
 */
uint64_t procmap_generation(struct procmap *pm, uint32_t pid);
/*
 * A number that changes when `pid` begins to name another process or
 * image (a fork's child, an exec, a pid that came back after an exit),
 * not when its mappings change; 0 for a pid never seen. What a consumer
 * caching per-process state that a new image must not inherit compares.
 */
uint64_t procmap_incarnation(struct procmap *pm, uint32_t pid);
/* The identity of `mod` as a nonzero number (see the top of this file). */
uint64_t procmap_module_key(const struct procmap_module *mod);
/* The module's path without the " (deleted)" suffix. Caller frees. */
char *procmap_module_path(const struct procmap_module *mod);

/*
 * A file a profiled process named, open for reading. procmap_file_open()
 * and procmap_open() give only a regular file of at most PROCMAP_FILE_MAX
 * bytes, opened O_RDONLY|O_NONBLOCK|O_CLOEXEC after the checks were made
 * on a descriptor that cannot block or have side effects (O_PATH), so a
 * FIFO or a device is never opened for reading. Read it with
 * procmap_file_pread() (never mmap it: a truncation would raise SIGBUS).
 * `root` is the directory the file's siblings resolve in (a process's
 * root, see PROCMAP_FILE_IN_ROOT), or -1 for this machine's "/".
 */
struct procmap_file {
	int fd;
	int root;
	uint64_t size;
	uint64_t dev, ino;
	uint64_t blocks; /* st_blocks: 512-byte blocks allocated */
	uint32_t uid, mode; /* st_uid, st_mode */
	uint64_t deadline_ns; /* reads fail with -ETIMEDOUT after it (0: none) */
	uint32_t pid; /* whose mount table it was checked with (0: ours) */
	/* procmap_open's: the layer's interrupt (procmap_set_interrupt), asked
	 * where the deadline is looked at; NULL: none. */
	bool (*stop)(void *ctx);
	void *stop_ctx;
};

/* Flags of procmap_file_open(). */
enum {
	/*
	 * Resolve `path` inside `dirfd` as if it were "/": absolute symbolic
	 * links and ".." never leave it (openat2's RESOLVE_IN_ROOT, or a walk
	 * of one component at a time where the kernel lacks it), at most
	 * PROCMAP_ROOT_HOPS links, no /proc magic links.
	 */
	PROCMAP_FILE_IN_ROOT = 1,
	/* Follow a final symbolic link (a trusted one: /proc/PID/map_files, a
	 * debug directory); without it and IN_ROOT, a final link is refused. */
	PROCMAP_FILE_FOLLOW = 2,
	/* With IN_ROOT: a final symbolic link is refused there too (a file
	 * that is never a link, as a JIT map; links before it are followed,
	 * inside the root). */
	PROCMAP_FILE_NO_LINK = 4,
};

/*
 * Opens `path` (relative to `dirfd`, AT_FDCWD for the current directory)
 * as above. `root` of the result is -1. Returns 0, or -errno with `err`
 * filled ("PATH: reason"): -ENOENT and the like for what is not there,
 * -EPERM for what is there but refused (not a regular file, a symbolic
 * link, larger than PROCMAP_FILE_MAX, on a user's FUSE mount). The
 * deadline is now plus PROCMAP_MODULE_BUDGET_NS. Close with
 * procmap_file_close().
 *
 * A user's FUSE mount (ft_mounts_acquire) may never answer, and even a look
 * at a file there waits for it: such a file is refused from the mount
 * tables alone, before `path` is looked up (when it names a place in
 * this machine's root, or with IN_ROOT in `pid`'s) and on the mount the
 * looked-up descriptor is on, from `pid`'s table (0: ours), then ours; a
 * FUSE mount in neither (detached) is refused too. procmap_file_open() is
 * procmap_file_open_as() with `pid` 0.
 */
int procmap_file_open(struct procmap_file *f, int dirfd, const char *path, unsigned flags,
		      struct ft_error *err);
int procmap_file_open_as(struct procmap_file *f, uint32_t pid, int dirfd, const char *path,
			 unsigned flags, struct ft_error *err);
/* Closes the file (and its root); safe on a zeroed or closed one. */
void procmap_file_close(struct procmap_file *f);
/*
 * Reads up to `len` bytes at `off`, retrying short reads. Returns the
 * bytes read (fewer at the end of the file), or -errno; -ETIMEDOUT past
 * the deadline or interrupted.
 */
ssize_t procmap_file_pread(struct procmap_file *f, void *buf, size_t len, uint64_t off);
/*
 * Reads exactly `len` bytes at `off` into a new buffer (caller frees):
 * NULL when they are not all there, past the deadline, or `len` exceeds
 * PROCMAP_READ_MAX.
 */
void *procmap_file_read(struct procmap_file *f, uint64_t off, size_t len);
/* Whether the file has far fewer blocks than bytes (a sparse file: never a real module). */
bool procmap_file_sparse(const struct procmap_file *f);
/* Whether reading the file must stop: its time budget is spent, or it was interrupted. */
bool procmap_file_late(const struct procmap_file *f);
/*
 * Checks that the file is an ELF file whose headers are sane for its
 * size (header tables inside the file, no extended section or program
 * header counts), so that a library reading it allocates in proportion
 * to the file, not to what a forged header claims. 0 or -ENOEXEC with
 * `err` filled.
 */
int procmap_file_check_elf(struct procmap_file *f, struct ft_error *err);
/* The file's GNU build id: its size (0 when it has none or is not ELF). */
uint8_t procmap_file_build_id(struct procmap_file *f, uint8_t id[20]);

/*
 * Opens the file of module `mod` as mapped by `map` in process `pid`:
 * when live, /proc/PID/map_files/START-END (exactly the mapped file, even
 * deleted or replaced; needs CAP_SYS_ADMIN), then the path inside the
 * process's root (/proc/PID/root, resolved as PROCMAP_FILE_IN_ROOT: a
 * container's absolute symbolic link never leads to this machine's files);
 * when not live, or the process is gone, the path itself. A candidate
 * whose build id differs from the module's is refused; one whose device
 * and inode differ is used only when no candidate matches (overlay file
 * systems report other numbers). The module learns the file's build id.
 * `root` of the result is the process's root when it came from there.
 * Returns 0 or -errno; a refusal (see procmap_file_open) is said through
 * the notice, once per module. Only for PROCMAP_FILE modules.
 *
 * The module has one PROCMAP_MODULE_BUDGET_NS for all of it: the
 * candidates tried, and every consumer's reading (symbols, inlined
 * frames, unwind tables) that opens it while that budget runs, share its
 * deadline, and so does a consumer that opens it after the budget ran
 * out, which then reads nothing. Only a reading again of what was freed
 * (the module's tables evicted) or interrupted (procmap_set_interrupt)
 * starts a new budget, when the last one ran out.
 */
int procmap_open(struct procmap *pm, struct procmap_module *mod, uint32_t pid,
		 const struct procmap_map *map, struct procmap_file *f);

/*
 * A consumer of modules. `load` makes the consumer's data for `mod`
 * (`file` is open on it for a PROCMAP_FILE module, NULL for the vdso; it
 * is closed after the call), setting *cost to about its size in bytes, or
 * returns NULL when there is none (the module then never asks again).
 * `free` frees what `load` returned.
 */
struct procmap_consumer {
	const char *name;
	void *(*load)(void *ctx, struct procmap *pm, const struct procmap_module *mod,
		      struct procmap_file *file, size_t *cost);
	void (*free)(void *ctx, void *data);
};

/*
 * Registers a consumer (`ops` and `ctx` are borrowed, and must outlive its
 * registration) and returns its slot, or -ENOSPC past PROCMAP_SLOTS.
 * procmap_unregister() frees all its data; a consumer freed before the
 * layer must call it.
 */
int procmap_register(struct procmap *pm, const struct procmap_consumer *ops, void *ctx);
void procmap_unregister(struct procmap *pm, int slot);

/*
 * The consumer's data for `mod`, loaded the first time it is asked for
 * (opening the file for `pid` and `map` as procmap_open() does), shared
 * by every module with the same key. NULL when the module has none
 * (anonymous memory, a file that cannot be read, `load` said none).
 * Borrowed, valid as long as the module is (see the lifetimes above) and
 * until the next procmap_trim().
 */
void *procmap_module_data(struct procmap *pm, struct procmap_module *mod, int slot, uint32_t pid,
			  const struct procmap_map *map);
/* The same without loading: NULL when not loaded (yet). */
void *procmap_module_peek(const struct procmap_module *mod, int slot);
/*
 * The consumer's data for `mod` (loaded) now costs `cost` bytes: for data
 * that grows as it is used (a cache of answers), so that the stats and
 * the ceiling (procmap_set_data_limit) count it. Nothing when not loaded.
 */
void procmap_module_data_cost(struct procmap *pm, struct procmap_module *mod, int slot,
			      size_t cost);

/*
 * A caller that must answer sooner than a big module reads (the
 * explorer's q): `stop` is asked where a module's reading looks at its
 * deadline (between pieces of a file, every few thousand symbols), and
 * while it says true the reading is given up as at the deadline, but
 * without saying so, and the module is read again the next time it is
 * asked for. NULL: none. `ctx` is borrowed.
 */
void procmap_set_interrupt(struct procmap *pm, bool (*stop)(void *ctx), void *ctx);
/* Whether the interrupt says stop now. */
bool procmap_interrupted(const struct procmap *pm);

/*
 * A ceiling on every consumer's data, in use or parked, in bytes as the
 * loaders count it (0, the default: none). procmap_trim() keeps to it.
 */
void procmap_set_data_limit(struct procmap *pm, size_t bytes);
/*
 * Past the ceiling, frees the data asked for longest ago, and not since
 * the trim before, until under it: data that modules still use is freed
 * too, and loaded again the next time it is asked for. Data asked for
 * since the last trim is kept, so a working set larger than the ceiling
 * is not read again and again; the ceiling may be exceeded by that much.
 * Call it between lookups, regularly (the collect stage does, every
 * second): what procmap_module_data() returned before is then invalid.
 * Returns how many pieces were freed (counted in procmap_stats.evicted).
 */
size_t procmap_trim(struct procmap *pm);

/* Counters, for a caller to show. */
struct procmap_stats {
	uint64_t processes; /* processes known now (exited ones kept included) */
	uint64_t modules; /* modules alive now */
	uint64_t modules_freed; /* modules freed since the start */
	uint64_t parked; /* pieces of consumer data kept unused now */
	uint64_t bytes; /* consumer data held now (symbols, unwind tables), as loaders count it */
	uint64_t parked_bytes; /* the part of it parked */
	uint64_t evicted; /* pieces of data freed to stay under the caps and the ceiling */
	uint64_t refused; /* files refused (hostile or unreadable in time) */
	uint64_t scans; /* reads of a /proc/PID/maps (first looks and rescans) */
	uint64_t queries; /* single-address questions asked before a rescan (PROCMAP_QUERY) */
};
void procmap_stats(const struct procmap *pm, struct procmap_stats *st);

/*
 * Parses one line of /proc/PID/maps ("start-end perms offset maj:min inode
 * path") into `m` (pid, tid and time left 0); m->filename points into
 * `line`, which is modified (a trailing newline cut). 0 or -EINVAL.
 */
int procmap_parse_line(char *line, struct pipeline_mmap *m);

#endif
