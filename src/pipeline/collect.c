/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The collect stage of the pipeline: records in, profile out. For each
 * sample, the callchain (innermost first, with context markers) is turned
 * into frames, outermost first, and interned as one path of the call tree.
 *
 * Addresses other than the first of each part of a chain are return
 * addresses; they are looked up one byte earlier so a call at the very
 * end of a function (a noreturn call, say) is named after the caller, not
 * the next function. The first of the kernel part is the sampled IP, and
 * the first of the user part the very instruction the kernel was entered
 * at (a page fault, an interrupt, a signal's handler about to run): both
 * are looked up as they are, or a fault at a function's first byte
 * would be named after the function before it.
 *
 * Each user frame is also kept as a code location (its frame and the
 * address's offset in the module, the hit address for the leaf, the call
 * site for a caller), from which `report --lines` finds a source line
 * later, and the stack's locations as one location chain (profile.h),
 * from which a line's total is found; a per-process cache maps an address
 * straight to its location, so that costs one hash lookup per frame. Kernel
 * frames get no location: their lines would need vmlinux's DWARF.
 *
 * A user address may stand for several frames: the functions a compiler
 * inlined there (symbols_inlined(), innermost first), each a frame of its
 * own between the function they are in and the frame below, sharing the
 * address's location (so a line's total and the hit location are the
 * address's, and a location chain holds each address once). They are
 * looked up with the address, once, and kept as a run of frames in one
 * pool, which a per-process cache beside the locations refers to; a stack
 * through the trie puts each address's run under its frame as it interns
 * the nodes.
 *
 * The (address -> location) cache, and the runs' cache beside it, are per
 * process and are dropped when the process maps something new, execs or
 * exits, so they never outlive the mapping they were computed from. When
 * the pool of runs passes INLINE_POOL_MAX frames, every process's caches
 * are dropped with it. Kernel addresses share one cache of
 * (address -> frame).
 *
 * Side-band records (mmap, fork, exec, exit) go once to the process-map
 * layer, which both the symbolizer and the DWARF unwinder read.
 *
 * A sample that brings its user stack (--call-graph dwarf) has only the
 * kernel part of its chain from the kernel; the user part comes from the
 * DWARF unwinder. When it finds nothing, the sampled IP stands alone.
 * The unwinder also says which of its addresses is a signal frame's (the
 * sigreturn trampoline a handler returns to, a SIGNAL_FRAME here) and
 * which the instruction the signal interrupted: like a part's first
 * address, neither is a return address, and both are looked up as they
 * are.
 *
 * In frame-pointer mode, stacks that never reach main or a thread's start
 * are counted: when most do, the code they run was built without frame
 * pointers, and the stage says so once, suggesting --call-graph dwarf.
 * A chain as long as the kernel's cap (kernel.perf_event_max_stack) was
 * cut by the cap instead, deep recursion say: those are counted apart,
 * and the stage says so once when they are more than a tenth. So are
 * DWARF stacks whose unwind ran past the end of the stack copy. A stack
 * cut either way, or at MAX_FRAMES, gets a TRUNCATED_FRAME as its
 * outermost frame, so that it does not pass for a whole one whose root is
 * where the cut fell. Such a chain is resolved in full, not through the
 * trie (whose entries do not know the chain's length).
 *
 * A stack seen before costs one lookup per frame, and a new one, one
 * per frame of the part it shares with a stack seen before: a trie of
 * frames keeps what each frame gave in its context. An entry is keyed on
 * (the entry of its caller, the address looked up, kernel or user), under
 * a root per process and epoch, and holds the call tree node, the
 * location chain and the frame-pointer verdict of the stack from the
 * outermost frame down to it, and the frame's own location. A stack is
 * walked from its outermost frame (as the call tree orders them) while
 * entries are found; the frames below the last one found are resolved and
 * interned as resolve_stack() would (frames innermost first, then chains
 * and nodes outermost first, so ids come out in the same order), and get
 * entries. So a hit gives exactly what resolving the chain again would:
 * an entry is valid only while the process's address cache is (its
 * epoch, moved on when that cache is dropped, gives the process a new
 * root), entries are kept only for frames above any address that is not
 * cacheable and none when anything folded, and an entry is found by its
 * fields, never trusted to a hash. The trie is bounded (TRIE_ENTRIES) and
 * emptied when full. It takes chains of the shape the kernel gives
 * (kernel frames, then user frames, each part after its context marker)
 * up to TRIE_MAX_CHAIN long; others, DWARF samples (whose user stack is
 * unwound, not in the chain) and those a type's pseudo-frame tops are
 * resolved in full.
 *
 * Entries sit in the slots of one open-addressing table, so a step down
 * the trie reads one slot. This replaced caches of whole chains (the
 * stack, and the stack without its leaf address), which cost more on
 * many distinct stacks: hashing and comparing whole chains, and copies of
 * them in memory first touched per stack.
 *
 * An entry's slot is found from the hash of its path (its root, then the
 * addresses from the outermost frame down to it), not of its parent's
 * id: so the slots a chain may visit are all known from its addresses
 * before the walk, and are prefetched together, which turns a walk of
 * dependent cache misses (one per frame, most of the stage's time on
 * many distinct stacks) into overlapping ones. The hash only says where
 * to start probing; an entry is still found by its fields.
 */
#include "config.h"

#include "flametop/pipeline.h"

#include <inttypes.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "flametop/procmap.h"
#include "flametop/profile.h"
#include "flametop/symbols.h"
#include "flametop/unwind.h"

#define MAX_FRAMES 1024
/* The root of a stack that lacks its outer frames (cut at a limit), as other profilers name it. */
#define TRUNCATED_FRAME "[truncated]"
/* The frame a signal handler returns to (the sigreturn trampoline), named once for every libc. */
#define SIGNAL_FRAME SYMBOLS_SIGNAL_FRAME
/* The truncated-stack notice needs this many user stacks to judge. */
#define TRUNCATED_MIN_SAMPLES 50
/* A chain longer than this is resolved each time, not cached. */
#define TRIE_MAX_CHAIN 256
/* The frame trie's bound, in entries (32 bytes each). */
#define TRIE_ENTRIES (1u << 17)
/*
 * TRIE_LOAD, how full its table gets before it doubles: three quarters
 * (TRIE_LOAD_NUM / TRIE_LOAD_DEN). Linear probing stays short (a step
 * down the trie reads a slot or two), and the table of a profile like
 * bench/work --wide's 40,000 entries is 2 MiB, one huge page, not 4 MiB
 * as at half full: fresh memory costs more than the probes on a virtual
 * machine (a cold huge page, some milliseconds).
 */
#define TRIE_LOAD_NUM 3u
#define TRIE_LOAD_DEN 4u
/* An entry keeps this many bits of its path's hash: enough for a table of 2 * TRIE_ENTRIES. */
#define TRIE_HASH_BITS 24
_Static_assert(2 * TRIE_ENTRIES <= 1u << TRIE_HASH_BITS, "a slot index fits an entry's hash");
/* Its ids (entries and roots) stay below this: past it, it is emptied and they start again. */
#define TRIE_MAX_ID (UINT32_MAX / 2)
#define TRIE_NONE 0u
/*
 * Inlined frames kept for the per-process caches, in all (4 bytes each):
 * past it, every process's addresses are forgotten and it starts again.
 */
#define INLINE_POOL_MAX (1u << 20)
/* A run of inlined frames in the pool: its start, shifted, and its length. */
#define RUN_SHIFT 5
_Static_assert(SYMBOLS_INLINE_FRAMES < 1u << RUN_SHIFT, "a run's length fits its bits");

struct proc_cache {
	uint32_t pid;
	uint32_t epoch; /* moves on when `locs` is dropped: older trie entries are stale */
	struct u64map locs; /* user address + 1 -> location id */
	struct u64map runs; /* user address + 1 -> its inlined frames (a run), when it has some */
	/* The frame trie's root for this epoch, valid while trie_gen is the trie's gen. */
	uint32_t trie_root, trie_gen;
};

/* What a frame-pointer stack's user part said of its root (judge_fp_stack). */
enum fp_verdict { FP_NONE, FP_ROOTED, FP_TRUNCATED, FP_CUT };

/*
 * A frame in the trie: `addr` called from (or, at the leaf, hit under) the
 * entry or root `parent`. Entries sit in the slots of one open-addressing
 * table, found by their (parent, addr, kernel), so a step down the trie
 * reads one slot; their ids do not move when the table grows.
 */
struct trie_entry {
	uint64_t addr; /* as looked up: the leaf's address, or a return address - 1 */
	uint32_t parent; /* the caller's entry, or a process's root */
	uint32_t id; /* TRIE_NONE: a free slot */
	uint32_t node, chain; /* what the stack from the outermost frame down to here gave */
	uint32_t location; /* this frame's */
	uint32_t hash : TRIE_HASH_BITS; /* its path's (trie_hash()), where its probe starts */
	uint32_t kernel : 1, verdict : 2;
};

struct frame_trie {
	struct trie_entry *slots;
	uint32_t cap, len; /* cap: a power of two; len: at most TRIE_LOAD of it */
	uint32_t last_id; /* the last id given to an entry or a root */
	uint32_t gen; /* moves on when ids start again: older roots are stale */
};

struct pipeline_collect {
	struct profile *profile;
	struct procmap *procmap;
	struct symbols *symbols;
	struct pipeline_sink sink;

	struct u64map kernel_addrs; /* kernel address -> frame id */
	struct proc_cache *procs;
	uint32_t nprocs, procs_cap;
	struct u64map proc_index; /* pid + 1 -> index into procs */

	uint32_t *exited; /* pids that exited since the last tick */
	uint32_t nexited, exited_cap;

	/* A stack's frames, innermost first, and room for TRUNCATED_FRAME after them. */
	uint32_t frames[MAX_FRAMES + 1];
	uint32_t locs[MAX_FRAMES + 1]; /* each frame's location, PROFILE_NO_LOCATION for none */
	/* Whether each frame is an inlined function's: its location is the address's,
	 * kept for the hit location, but belongs to the real function's frame below. */
	bool inlined[MAX_FRAMES + 1];

	/* The inlined frames at user addresses (symbols_inlined), innermost
	 * first: runs of them back to back, which the per-process caches
	 * (proc_cache.runs) refer to as run_ref()s. */
	uint32_t *pool;
	uint32_t pool_len, pool_cap;
	uint32_t run; /* the run of the user address resolve_user() resolved last */

	struct unwind *unwind;
	uint64_t user_ips[MAX_FRAMES];

	struct ft_notice *notice;
	struct u64map root_frames; /* frame id + 1 -> 1 a stack's root, 2 not */
	uint64_t fp_rooted, fp_truncated; /* user stacks in frame-pointer mode */
	uint64_t fp_cut; /* ... that stop short of a root at the kernel's cap */
	uint32_t max_stack; /* the kernel's cap on a chain's frames, 0: unknown */
	uint64_t dwarf_stacks, dwarf_cut; /* unwound user stacks; those cut at the copy's end */
	uint64_t dwarf_copy; /* the largest stack copy seen, in bytes */

	struct frame_trie trie;
	uint64_t frame_addrs[TRIE_MAX_CHAIN]; /* a chain's frames, for the trie */
	bool frame_kernel[TRIE_MAX_CHAIN];
	uint32_t frame_hash[TRIE_MAX_CHAIN]; /* the trie_hash() of the path down to each */
	uint32_t frame_run[TRIE_MAX_CHAIN]; /* each user frame's inlined frames */
	bool uncacheable; /* set when an address resolved is not cached */
	/* The last sample's stack, for a sample marked same_stack (a group
	 * member: one unwind for the leader and its members). */
	struct profile_sample last;
	bool last_valid;
};

/*
 * Where user stacks start: what a complete chain ends with. Go's own:
 * every goroutine's stack ends in runtime.goexit, a thread's system stack
 * in runtime.mstart, the first thread's in runtime.rt0_go (".abi0" since
 * Go 1.17).
 */
static const char *const stack_roots[] = {
	"main",
	"_start",
	"__libc_start_main",
	"__libc_start_call_main",
	"start_thread",
	"clone",
	"clone3",
	"__clone",
	"__clone3",
	"thread_start",
	"_dl_start_user",
	"__GI___clone",
	"__GI___clone3",
	"__libc_start_main_impl",
	"runtime.goexit",
	"runtime.goexit.abi0",
	"runtime.mstart",
	"runtime.mstart.abi0",
	"runtime.rt0_go",
	"runtime.rt0_go.abi0",
};

static struct proc_cache *proc_cache(struct pipeline_collect *c, uint32_t pid)
{
	uint32_t idx;

	if (u64map_get(&c->proc_index, (uint64_t)pid + 1, &idx))
		return &c->procs[idx];
	if (c->nprocs == c->procs_cap) {
		c->procs_cap = c->procs_cap ? c->procs_cap * 2 : 64;
		c->procs = xreallocarray(c->procs, c->procs_cap, sizeof(*c->procs));
	}
	idx = c->nprocs++;
	c->procs[idx].pid = pid;
	c->procs[idx].epoch = 0;
	c->procs[idx].trie_root = TRIE_NONE;
	u64map_init(&c->procs[idx].locs);
	u64map_init(&c->procs[idx].runs);
	u64map_put(&c->proc_index, (uint64_t)pid + 1, idx);
	return &c->procs[idx];
}

static void forget_addresses(struct pipeline_collect *c, uint32_t pid)
{
	uint32_t idx;

	if (u64map_get(&c->proc_index, (uint64_t)pid + 1, &idx)) {
		u64map_free(&c->procs[idx].locs);
		u64map_free(&c->procs[idx].runs);
		c->procs[idx].epoch++;
		c->procs[idx].trie_root = TRIE_NONE;
	}
}

/* The frame for a symbolizer's answer. */
static uint32_t intern_frame(struct pipeline_collect *c, const struct symbols_frame *f)
{
	const char *name = f->name;
	char buf[64];

	if (!name) {
		snprintf(buf, sizeof(buf), "%.32s+0x%" PRIx64, util_basename(f->module), f->offset);
		name = buf;
	}
	return profile_intern_frame(c->profile, name, f->module,
				    f->kernel ? PROFILE_FRAME_KERNEL : PROFILE_FRAME_USER);
}

/* An address in no known mapping is not cached: the symbolizer may learn
 * the mapping later (it re-reads the maps of a live process). */
static bool cacheable(const struct symbols_frame *f)
{
	return strcmp(f->module, "[unknown]") != 0;
}

/* The frame of a kernel address. */
static uint32_t resolve_kernel(struct pipeline_collect *c, uint32_t pid, uint64_t addr)
{
	struct symbols_frame f;
	uint32_t frame;

	if (addr && u64map_get(&c->kernel_addrs, addr, &frame))
		return frame;
	symbols_resolve(c->symbols, pid, addr, true, &f);
	frame = intern_frame(c, &f);
	if (addr && cacheable(&f))
		u64map_put(&c->kernel_addrs, addr, frame);
	else
		c->uncacheable = true;
	return frame;
}

/* A run of `len` inlined frames at pool[start...]; 0 is the empty run. */
static uint32_t run_ref(uint32_t start, uint32_t len)
{
	return start << RUN_SHIFT | len;
}

static uint32_t run_len(uint32_t run)
{
	return run & ((1u << RUN_SHIFT) - 1);
}

/* The run's frames, innermost first. Borrowed, valid until the pool grows. */
static const uint32_t *run_frames(const struct pipeline_collect *c, uint32_t run)
{
	return c->pool + (run >> RUN_SHIFT);
}

/*
 * The run of the functions inlined at user address `addr` (resolved as
 * `frame`), their frames interned in frame's module, put in the pool.
 */
static uint32_t resolve_inlined(struct pipeline_collect *c, uint32_t pid, uint64_t addr,
				uint32_t frame)
{
	const char *names[SYMBOLS_INLINE_FRAMES];
	struct profile *p = c->profile;
	uint32_t module = p->frames[frame].module, start = c->pool_len;
	size_t n = symbols_inlined(c->symbols, pid, addr, names), i;

	if (!n)
		return 0;
	if (c->pool_len + n > c->pool_cap) {
		c->pool_cap = c->pool_cap ? c->pool_cap * 2 : 1024;
		c->pool = xreallocarray(c->pool, c->pool_cap, sizeof(*c->pool));
	}
	for (i = 0; i < n; i++)
		c->pool[c->pool_len++] = profile_intern_frame_ids(p, profile_intern_string(p, names[i]),
								  module, PROFILE_FRAME_USER);
	return run_ref(start, (uint32_t)n);
}

/*
 * The frame of user address `addr`, with its location in *loc
 * (PROFILE_NO_LOCATION when the address is in no known mapping), and in
 * c->run the functions inlined there, which go above it.
 */
static uint32_t resolve_user(struct pipeline_collect *c, struct proc_cache *pc, uint32_t pid,
			     uint64_t addr, uint32_t *loc)
{
	uint64_t key = addr + 1;
	struct symbols_frame f;
	uint32_t frame;

	c->run = 0;
	if (key && u64map_get(&pc->locs, key, loc)) {
		if (pc->runs.len)
			u64map_get(&pc->runs, key, &c->run);
		return c->profile->locations[*loc].frame;
	}
	symbols_resolve(c->symbols, pid, addr, false, &f);
	frame = intern_frame(c, &f);
	*loc = PROFILE_NO_LOCATION;
	if (key && cacheable(&f)) {
		*loc = profile_intern_location(c->profile, frame, f.offset);
		u64map_put(&pc->locs, key, *loc);
		if (f.name && (c->run = resolve_inlined(c, pid, addr, frame)) != 0)
			u64map_put(&pc->runs, key, c->run);
	} else {
		c->uncacheable = true;
	}
	return frame;
}

/*
 * Puts user address `addr`'s frames at frames[n...], innermost first: the
 * functions inlined there (when there is room for them), then the
 * function they were inlined into. Returns the new count.
 */
static uint32_t push_user(struct pipeline_collect *c, struct proc_cache *pc, uint32_t pid,
			  uint64_t addr, uint32_t n)
{
	uint32_t loc, frame = resolve_user(c, pc, pid, addr, &loc), len = run_len(c->run), i;
	const uint32_t *run = run_frames(c, c->run);

	if (n + len + 1 > MAX_FRAMES)
		len = 0;
	for (i = 0; i < len; i++) {
		c->frames[n] = run[i];
		c->locs[n] = loc;
		c->inlined[n++] = true;
	}
	c->frames[n] = frame;
	c->locs[n] = loc;
	c->inlined[n++] = false;
	return n;
}

/*
 * The frame of a signal frame's trampoline at user address `addr`:
 * SIGNAL_FRAME in the module holding it. It has no location: no line of
 * anyone's code called the handler.
 */
static uint32_t resolve_signal(struct pipeline_collect *c, uint32_t pid, uint64_t addr)
{
	struct symbols_frame f;

	symbols_resolve(c->symbols, pid, addr, false, &f);
	return profile_intern_frame(c->profile, SIGNAL_FRAME, f.module, PROFILE_FRAME_USER);
}

/*
 * Resolves n user addresses (innermost first) into frames[*at...] and
 * their locations (with the functions inlined at each, moving *at past
 * them), and returns how many addresses fit below MAX_FRAMES: the
 * unwinder's, of the kinds it gave (`kinds`, or NULL: the sampled IP
 * alone). The first is the sampled IP and one below a signal frame
 * the instruction the signal interrupted, both looked up as they are; a
 * return address is looked up one byte earlier.
 */
static uint32_t resolve_unwound(struct pipeline_collect *c, struct proc_cache *pc, uint32_t pid,
				uint32_t *at, size_t n, const uint8_t *kinds)
{
	uint32_t u;

	for (u = 0; u < n && *at < MAX_FRAMES; u++) {
		uint64_t ip = c->user_ips[u];
		uint8_t kind = kinds ? kinds[u] : UNWIND_PLAIN;

		if (kind == UNWIND_SIGNAL) {
			c->frames[*at] = resolve_signal(c, pid, ip);
			c->locs[*at] = PROFILE_NO_LOCATION;
			c->inlined[(*at)++] = false;
			continue;
		}
		*at = push_user(c, pc, pid, u && kind == UNWIND_PLAIN ? ip - 1 : ip, *at);
	}
	return u;
}

/* The chain of the locations frames[0, n) were at (the known ones, each
 * address's once), or PROFILE_NO_CHAIN when there is none or it did not fit. */
static uint32_t intern_chain(struct pipeline_collect *c, uint32_t n)
{
	uint32_t chain = PROFILE_NO_CHAIN;

	while (n > 0) {
		if (c->locs[--n] == PROFILE_NO_LOCATION || c->inlined[n])
			continue;
		chain = profile_intern_chain(c->profile, chain, c->locs[n]);
		if (chain == PROFILE_NO_CHAIN)
			break;
	}
	return chain;
}

/*
 * Drops the one newline the kernel ends a comm file with. A name may hold
 * newlines of its own (PR_SET_NAME takes any bytes): they stay, as in the
 * COMM records of the same thread, for the sanitizer to show.
 */
static void chomp(char *comm)
{
	size_t len = strlen(comm);

	if (len && comm[len - 1] == '\n')
		comm[len - 1] = '\0';
}

/* The name /proc gives thread `tid` of `pid` now (caller frees), or NULL. */
static char *read_comm(uint32_t pid, uint32_t tid)
{
	char path[64], *comm;

	snprintf(path, sizeof(path), "/proc/%u/task/%u/comm", pid, tid);
	comm = util_read_file(path, NULL);
	if (!comm) {
		snprintf(path, sizeof(path), "/proc/%u/comm", pid);
		comm = util_read_file(path, NULL);
	}
	if (comm)
		chomp(comm);
	if (comm && !*comm) {
		free(comm);
		comm = NULL;
	}
	return comm;
}

/*
 * Names a thread the first time it is seen without a COMM record, and its
 * process's first thread too while the profile does not know it and /proc
 * has it: that name is the process's (push labels uploads with it), and a
 * recorder that forgot an idle first thread sees only the others again.
 */
static void ensure_thread(struct pipeline_collect *c, uint32_t pid, uint32_t tid)
{
	char *comm;

	/* Past the thread limit its samples are "[other threads]": no name to read. */
	if (profile_find_thread(c->profile, tid) || profile_threads_full(c->profile))
		return;
	if (pid == 0) {
		/* The idle task has no /proc entry; perf calls it swapper. */
		profile_set_thread(c->profile, 0, tid, "swapper");
		return;
	}
	comm = read_comm(pid, tid);
	profile_set_thread(c->profile, pid, tid, comm ? comm : PROFILE_UNKNOWN_THREAD_NAME);
	free(comm);
	if (tid == pid || profile_find_thread(c->profile, pid) || profile_threads_full(c->profile))
		return;
	comm = read_comm(pid, pid);
	if (comm)
		profile_set_thread(c->profile, pid, pid, comm);
	free(comm);
}

static bool is_root_frame(struct pipeline_collect *c, uint32_t frame)
{
	uint32_t v;
	size_t i;

	if (!u64map_get(&c->root_frames, (uint64_t)frame + 1, &v)) {
		const char *name = profile_string(c->profile, c->profile->frames[frame].name);

		v = 2;
		for (i = 0; i < ARRAY_SIZE(stack_roots); i++)
			if (strcmp(name, stack_roots[i]) == 0)
				v = 1;
		u64map_put(&c->root_frames, (uint64_t)frame + 1, v);
	}
	return v == 1;
}

/*
 * What a frame-pointer stack whose user frames are frames[from, n) says.
 * Frames are innermost first and a root is near the outer end (main,
 * then the libc frames that call it), so they are tried from that end.
 */
static enum fp_verdict judge_fp_stack(struct pipeline_collect *c, uint32_t from, uint32_t n)
{
	uint32_t i;

	if (from == n)
		return FP_NONE;
	for (i = n; i-- > from;)
		if (is_root_frame(c, c->frames[i]))
			return FP_ROOTED;
	return FP_TRUNCATED;
}

/*
 * Whether user address `addr` of process `pid` may be code: in a mapping
 * that is executable, or whose record did not say.
 */
static bool maybe_code(struct pipeline_collect *c, uint32_t pid, uint64_t addr)
{
	const struct procmap_map *map = procmap_find(c->procmap, pid, addr);

	return map && (!map->prot || (map->prot & PROT_EXEC));
}

/* Whether the sample's chain holds as many frames as the kernel puts in one. */
static bool chain_full(const struct pipeline_collect *c, const struct pipeline_sample *s)
{
	uint32_t i, frames = 0;

	if (!c->max_stack || s->nr_ips < c->max_stack)
		return false;
	for (i = 0; i < s->nr_ips; i++)
		if (s->ips[i] < (uint64_t)PERF_CONTEXT_MAX)
			frames++;
	return frames >= c->max_stack;
}

/*
 * Whether the sample's chain was cut by the kernel's cap: it is full, and
 * its outermost user address may be code. One that is not (a %rbp used
 * for data, pointing at a word that points at itself: the kernel's walk
 * goes round it to the cap) is a broken chain, which a higher cap would
 * not have made whole.
 */
static bool chain_at_cap(struct pipeline_collect *c, const struct pipeline_sample *s)
{
	bool user = false;
	uint64_t last = 0;
	uint32_t i;

	if (!chain_full(c, s))
		return false;
	for (i = 0; i < s->nr_ips; i++) {
		if (s->ips[i] >= (uint64_t)PERF_CONTEXT_MAX)
			user = s->ips[i] == (uint64_t)PERF_CONTEXT_USER;
		else if (user)
			last = s->ips[i];
	}
	return !last || maybe_code(c, s->pid, last);
}

/* Counts the verdict on the sample's stack; a truncated one at the cap was cut by it. */
static void count_fp_verdict(struct pipeline_collect *c, const struct pipeline_sample *s,
			     enum fp_verdict v)
{
	if (v == FP_TRUNCATED && chain_at_cap(c, s))
		v = FP_CUT;
	if (v == FP_ROOTED)
		c->fp_rooted++;
	else if (v == FP_TRUNCATED)
		c->fp_truncated++;
	else if (v == FP_CUT)
		c->fp_cut++;
}

/* Says, once, when unwound stacks were cut at the end of their stack copy. */
static void check_dwarf_cut(struct pipeline_collect *c)
{
	if (c->dwarf_stacks >= TRUNCATED_MIN_SAMPLES && c->dwarf_cut * 10 > c->dwarf_stacks)
		notice_say(c->notice, "cut-dwarf-stacks",
			   "%.0f%% of user stacks were cut at the end of their %" PRIu64
			   "-byte stack copy and lack their outer frames (they show under "
			   "[truncated]); --call-graph dwarf,SIZE copies more",
			   100.0 * (double)c->dwarf_cut / (double)c->dwarf_stacks, c->dwarf_copy);
}

static void check_truncated(struct pipeline_collect *c)
{
	uint64_t all = c->fp_rooted + c->fp_truncated + c->fp_cut;

	check_dwarf_cut(c);
	if (all < TRUNCATED_MIN_SAMPLES)
		return;
	if (c->fp_truncated * 2 > all)
		notice_say(c->notice, "truncated-stacks",
			   "%.0f%% of user stacks look truncated (they stop in code built without "
			   "frame pointers); try --call-graph dwarf",
			   100.0 * (double)c->fp_truncated / (double)all);
	if (c->fp_cut * 10 > all)
		notice_say(c->notice, "cut-stacks",
			   "%.0f%% of user stacks were cut at the kernel's limit of %" PRIu32
			   " frames (kernel.perf_event_max_stack) and lack their outer frames (they "
			   "show under [truncated]); --call-graph dwarf is not held to it",
			   100.0 * (double)c->fp_cut / (double)all, c->max_stack);
}

/*
 * Whether the stack of `s`, whose frames are frames[0, n) (innermost
 * first; `left` more were not kept, past MAX_FRAMES), lacks its outer
 * frames: a frame-pointer chain that never reached a root (`verdict`) as
 * long as the kernel's cap or longer than MAX_FRAMES, or an unwind that
 * ran out of stack copy or room. Counts the unwound stacks for the notice.
 */
static bool stack_cut(struct pipeline_collect *c, const struct pipeline_sample *s, bool dwarf,
		      enum fp_verdict verdict, uint32_t n, size_t left)
{
	bool cut;

	if (!dwarf)
		return verdict == FP_TRUNCATED && (left || chain_at_cap(c, s));
	if (!n)
		return false;
	cut = (left || unwind_cut(c->unwind)) && !is_root_frame(c, c->frames[n - 1]);
	c->dwarf_stacks++;
	if (cut && !left && s->user_stack_dyn_size >= s->user_stack_size) {
		c->dwarf_cut++;
		if (s->user_stack_size > c->dwarf_copy)
			c->dwarf_copy = s->user_stack_size;
	}
	return cut;
}

/*
 * Turns the sample's chain into frames, then into a call tree node, a
 * location chain and the hit location (in *ps), and says what its user
 * part tells of frame pointers.
 */
static enum fp_verdict resolve_stack(struct pipeline_collect *c, struct proc_cache *pc,
				     const struct pipeline_sample *s, struct profile_sample *ps)
{
	struct profile *p = c->profile;
	enum { CTX_NONE, CTX_KERNEL, CTX_USER } where = CTX_NONE;
	bool first = true, dwarf = s->user_regs && s->user_abi;
	uint32_t n = 0, node = PROFILE_ROOT, i, user_from = UINT32_MAX;
	enum fp_verdict verdict = FP_NONE;
	const uint8_t *kinds = NULL;
	size_t nuser = 0, u;

	if (dwarf) {
		nuser = unwind_sample(c->unwind, s, c->user_ips, MAX_FRAMES);
		kinds = unwind_kinds(c->unwind);
	}
	if (s->leaf) {
		/* A type's pseudo-frame: the leaf, at no code location, of the
		 * kind of the frame above it. */
		c->frames[n] =
			profile_intern_frame(p, s->leaf,
					     s->leaf_module ? s->leaf_module : "[flametop]",
					     s->nr_ips && s->ips[0] == (uint64_t)PERF_CONTEXT_KERNEL
						     ? PROFILE_FRAME_KERNEL
						     : PROFILE_FRAME_USER);
		c->inlined[n] = false;
		c->locs[n++] = PROFILE_NO_LOCATION;
	}
	for (i = 0; i < s->nr_ips && n < MAX_FRAMES; i++) {
		uint64_t ip = s->ips[i];

		if (ip >= (uint64_t)PERF_CONTEXT_MAX) {
			where = ip == (uint64_t)PERF_CONTEXT_KERNEL ? CTX_KERNEL
				: ip == (uint64_t)PERF_CONTEXT_USER ? CTX_USER
									: CTX_NONE;
			first = true; /* a part's first address is no return address */
			continue;
		}
		if (where == CTX_NONE)
			continue; /* guest or unknown context: not ours to name */
		if (where == CTX_USER && nuser)
			continue; /* the unwinder's chain replaces the kernel's */
		if (ip == 0)
			continue; /* the end of a frame-pointer chain, not a frame */
		if (where == CTX_USER && user_from == UINT32_MAX)
			user_from = n;
		if (where == CTX_USER) {
			n = push_user(c, pc, s->pid, first ? ip : ip - 1, n);
		} else {
			c->frames[n] = resolve_kernel(c, s->pid, first ? ip : ip - 1);
			c->locs[n] = PROFILE_NO_LOCATION;
			c->inlined[n++] = false;
		}
		first = false;
	}
	if (dwarf && !nuser && s->user_abi && s->ip && s->ip < (uint64_t)PERF_CONTEXT_MAX &&
	    user_from == UINT32_MAX && n == 0) {
		/* Nothing unwound and no kernel chain: the sampled IP. */
		c->user_ips[0] = s->ip;
		nuser = 1;
		kinds = NULL;
	}
	u = resolve_unwound(c, pc, s->pid, &n, nuser, kinds);
	if (!dwarf && user_from != UINT32_MAX)
		verdict = judge_fp_stack(c, user_from, n);
	if (stack_cut(c, s, dwarf, verdict, n, dwarf ? nuser - u : s->nr_ips - i)) {
		/* Outermost, so the stack shows under it, not as if it were whole. */
		c->frames[n] =
			profile_intern_frame(p, TRUNCATED_FRAME, "[flametop]", PROFILE_FRAME_USER);
		c->inlined[n] = false;
		c->locs[n++] = PROFILE_NO_LOCATION;
	}
	ps->chain = intern_chain(c, n);
	/* The hit address: the leaf's, when it is user code. */
	ps->location = n ? c->locs[0] : PROFILE_NO_LOCATION;
	while (n > 0)
		node = profile_intern_node(p, node, c->frames[--n]);
	ps->node = node;
	return verdict;
}

/* ---- the frame trie --------------------------------------------------- */

/* The hash of the path to a process's root. */
static uint32_t trie_root_hash(uint32_t root)
{
	return (uint32_t)util_hash_u64(root) & ((1u << TRIE_HASH_BITS) - 1);
}

/* The hash of the path to `addr` below the path whose hash is `up`. */
static uint32_t trie_hash(uint32_t up, uint64_t addr, bool kernel)
{
	return (uint32_t)util_hash_u64(util_hash_u64(addr) ^ ((uint64_t)up << 1 | kernel)) &
	       ((1u << TRIE_HASH_BITS) - 1);
}

/*
 * Empties the trie. Ids go on from where they were, so a root keeps its
 * id (its entries are gone, none will take its id); only when ids run out
 * do they start again, and every root goes stale.
 */
static void trie_clear(struct frame_trie *t)
{
	if (t->slots)
		memset(t->slots, 0, t->cap * sizeof(*t->slots));
	t->len = 0;
	if (t->last_id >= TRIE_MAX_ID) {
		t->last_id = TRIE_NONE;
		t->gen++;
	}
}

static void trie_free(struct frame_trie *t)
{
	xbig_free(t->slots, t->cap, sizeof(*t->slots));
}

/*
 * A table of cap free slots: a big one on huge pages of its own (a few
 * page faults instead of one per 4 KiB, which on a VM cost more than the
 * lookups it saves).
 */
static struct trie_entry *trie_slots_new(uint32_t cap)
{
	size_t size = sizeof(struct trie_entry);

	return (size_t)cap * size < UTIL_BIG_MIN ? xcalloc(cap, size)
						 : xbig_reallocarray(NULL, 0, cap, size);
}

/*
 * The entry of addr under parent, whose path's hash is `hash`, or NULL.
 * Borrowed, valid until the next trie_add().
 */
static const struct trie_entry *trie_get(const struct frame_trie *t, uint32_t parent,
					 uint64_t addr, bool kernel, uint32_t hash)
{
	size_t mask = (size_t)t->cap - 1, i;

	if (!t->cap)
		return NULL;
	for (i = hash & mask; t->slots[i].id != TRIE_NONE;
	     i = (i + 1) & mask) {
		const struct trie_entry *e = &t->slots[i];

		if (e->parent == parent && e->addr == addr && e->kernel == kernel)
			return e;
	}
	return NULL;
}

static void trie_insert(struct trie_entry *slots, uint32_t cap, const struct trie_entry *e)
{
	size_t mask = (size_t)cap - 1, i;

	for (i = e->hash & mask; slots[i].id != TRIE_NONE;
	     i = (i + 1) & mask)
		;
	slots[i] = *e;
}

/*
 * Keeps `e` (not in the trie; its hash set) under a new id, which it
 * returns; the caller checked for room.
 */
static uint32_t trie_add(struct frame_trie *t, struct trie_entry e)
{
	if ((t->len + 1) * TRIE_LOAD_DEN > t->cap * TRIE_LOAD_NUM) {
		uint32_t cap = t->cap ? t->cap * 2 : 1024, i;
		struct trie_entry *slots = trie_slots_new(cap);

		for (i = 0; i < t->cap; i++)
			if (t->slots[i].id != TRIE_NONE)
				trie_insert(slots, cap, &t->slots[i]);
		xbig_free(t->slots, t->cap, sizeof(*t->slots));
		t->slots = slots;
		t->cap = cap;
	}
	e.id = ++t->last_id;
	trie_insert(t->slots, t->cap, &e);
	t->len++;
	return e.id;
}

/* The root of pc's stacks at its epoch, made if need be; empties the trie first when full. */
static uint32_t trie_root(struct frame_trie *t, struct proc_cache *pc)
{
	if (t->len >= TRIE_ENTRIES || t->last_id >= TRIE_MAX_ID)
		trie_clear(t);
	if (pc->trie_root == TRIE_NONE || pc->trie_gen != t->gen) {
		pc->trie_root = ++t->last_id;
		pc->trie_gen = t->gen;
	}
	return pc->trie_root;
}

/*
 * The frames of the sample's chain, innermost first, as resolve_stack()
 * takes them (frame_addrs, frame_kernel; *n of them); false when the
 * chain is not of the shape the trie takes: a kernel frame above a user
 * one, or a frame in an unknown context.
 */
static bool trie_frames(struct pipeline_collect *c, const struct pipeline_sample *s, uint32_t *n)
{
	bool kernel = false, known = false, user_seen = false, first = true;
	uint32_t i, nf = 0;

	for (i = 0; i < s->nr_ips; i++) {
		uint64_t ip = s->ips[i];

		if (ip >= (uint64_t)PERF_CONTEXT_MAX) {
			kernel = ip == (uint64_t)PERF_CONTEXT_KERNEL;
			known = kernel || ip == (uint64_t)PERF_CONTEXT_USER;
			first = true;
			continue;
		}
		if (ip == 0)
			continue;
		if (!known || (kernel && user_seen))
			return false;
		user_seen |= !kernel;
		c->frame_addrs[nf] = first ? ip : ip - 1;
		c->frame_kernel[nf++] = kernel;
		first = false;
	}
	*n = nf;
	return true;
}

/*
 * Whether the frames of a chain of n addresses, whose outer part (found
 * in the trie) gave `node` and whose d inner addresses are in frames[] and
 * frame_run[], are more than MAX_FRAMES with the functions inlined at
 * them: then resolve_stack() would keep fewer (and say the stack was
 * cut), so it, not the trie, must resolve the chain. No walk up the tree
 * for a chain too short for that (most).
 */
static bool stack_too_long(struct pipeline_collect *c, uint32_t node, uint32_t n, uint32_t d)
{
	uint32_t frames, i;

	if (n * (SYMBOLS_INLINE_FRAMES + 1) <= MAX_FRAMES)
		return false;
	frames = profile_node_depth(c->profile, node);
	for (i = 0; i < d; i++)
		frames += 1 + run_len(c->frame_run[i]);
	return frames > MAX_FRAMES;
}

/*
 * resolve_stack() for a chain trie_frames() took, its n frames in
 * frame_addrs: the entries found from the outermost frame down give what
 * those frames gave; the frames below are resolved and interned as
 * resolve_stack() would, and get entries when nothing folded.
 */
static enum fp_verdict resolve_trie(struct pipeline_collect *c, struct proc_cache *pc,
				    const struct pipeline_sample *s, uint32_t n,
				    struct profile_sample *ps)
{
	struct profile *p = c->profile;
	struct frame_trie *t = &c->trie;
	uint32_t at = trie_root(t, pc), d = n, i, j, keep = 0, up = trie_root_hash(at);
	uint64_t folded = p->folded;
	struct trie_entry e = {
		.node = PROFILE_ROOT,
		.chain = PROFILE_NO_CHAIN,
		.location = PROFILE_NO_LOCATION,
		.verdict = FP_NONE,
	};
	bool broken = false;

	/* Where each frame's entry would be, outermost first: fetched now, all together. */
	for (i = n; i-- > 0;) {
		up = trie_hash(up, c->frame_addrs[i], c->frame_kernel[i]);
		c->frame_hash[i] = up;
		if (t->cap)
			__builtin_prefetch(&t->slots[up & (t->cap - 1)]);
	}
	while (d > 0) {
		const struct trie_entry *next = trie_get(t, at, c->frame_addrs[d - 1],
							 c->frame_kernel[d - 1], c->frame_hash[d - 1]);

		if (!next)
			break;
		e = *next;
		at = e.id;
		d--;
	}
	if (d == 0) {
		ps->node = e.node;
		ps->chain = e.chain;
		ps->location = e.location;
		return (enum fp_verdict)e.verdict;
	}
	/* Frames [0, d) are new here: resolved innermost first, as resolve_stack() does. */
	for (i = 0; i < d; i++) {
		c->uncacheable = false;
		if (c->frame_kernel[i]) {
			c->frames[i] = resolve_kernel(c, s->pid, c->frame_addrs[i]);
			c->locs[i] = PROFILE_NO_LOCATION;
			c->frame_run[i] = 0;
		} else {
			c->frames[i] = resolve_user(c, pc, s->pid, c->frame_addrs[i], &c->locs[i]);
			c->frame_run[i] = c->run;
		}
		if (c->uncacheable)
			keep = i + 1; /* only the frames above this one may get entries */
	}
	if (stack_too_long(c, e.node, n, d))
		return resolve_stack(c, pc, s, ps);
	/* Their chains and nodes outermost first, each frame's under its caller's. */
	for (i = d; i-- > 0;) {
		e.parent = at;
		e.addr = c->frame_addrs[i];
		e.kernel = c->frame_kernel[i];
		e.hash = c->frame_hash[i];
		e.location = c->locs[i];
		if (e.location != PROFILE_NO_LOCATION && !broken) {
			e.chain = profile_intern_chain(p, e.chain, e.location);
			broken = e.chain == PROFILE_NO_CHAIN;
		}
		e.node = profile_intern_node(p, e.node, c->frames[i]);
		/* The functions inlined there, outermost first, each under the one it is in. */
		for (j = run_len(c->frame_run[i]); j-- > 0;)
			e.node = profile_intern_node(p, e.node, run_frames(c, c->frame_run[i])[j]);
		if (!e.kernel)
			e.verdict = e.verdict == FP_ROOTED || is_root_frame(c, c->frames[i])
					    ? FP_ROOTED
					    : FP_TRUNCATED;
		if (at != TRIE_NONE && i >= keep && p->folded == folded && t->len < TRIE_ENTRIES)
			at = trie_add(t, e);
		else
			at = TRIE_NONE;
	}
	ps->node = e.node;
	ps->chain = e.chain;
	ps->location = c->locs[0];
	return (enum fp_verdict)e.verdict;
}

static int collect_sample(void *ctx, const struct pipeline_sample *s)
{
	struct pipeline_collect *c = ctx;
	struct profile *p = c->profile;
	struct proc_cache *pc = proc_cache(c, s->pid);
	struct profile_sample ps = { 0 };
	/* A DWARF sample's user stack is in its stack bytes, not its chain; a
	 * type's pseudo-frame (an off-CPU reason) is not in the chain either. */
	bool cache = !(s->user_regs && s->user_abi) && !s->leaf && s->nr_ips <= TRIE_MAX_CHAIN &&
		     !chain_full(c, s);
	enum fp_verdict verdict;
	uint32_t n;

	ensure_thread(c, s->pid, s->tid);
	if (c->pool_len > INLINE_POOL_MAX) {
		/* The runs the caches refer to go; so must the caches (and the trie's roots). */
		for (n = 0; n < c->nprocs; n++)
			forget_addresses(c, c->procs[n].pid);
		c->pool_len = 0;
	}
	if (s->same_stack && c->last_valid && c->last.pid == s->pid && c->last.tid == s->tid &&
	    c->last.time == (s->time > p->meta.start_mono_ns ? s->time - p->meta.start_mono_ns : 0)) {
		ps = c->last;
		ps.weight = s->period;
		ps.event = (uint16_t)s->event;
		profile_add_sample(p, &ps);
		return 0;
	}
	if (cache && trie_frames(c, s, &n))
		verdict = resolve_trie(c, pc, s, n, &ps);
	else
		verdict = resolve_stack(c, pc, s, &ps);
	count_fp_verdict(c, s, verdict);

	ps.time = s->time > p->meta.start_mono_ns ? s->time - p->meta.start_mono_ns : 0;
	ps.weight = s->period;
	ps.pid = s->pid;
	ps.tid = s->tid;
	ps.cpu = (uint16_t)s->cpu;
	ps.event = (uint16_t)s->event;
	profile_add_sample(p, &ps);
	c->last = ps;
	c->last_valid = true;
	return 0;
}

static int collect_mmap(void *ctx, const struct pipeline_mmap *m)
{
	struct pipeline_collect *c = ctx;

	procmap_mmap(c->procmap, m);
	forget_addresses(c, m->pid);
	return 0;
}

static int collect_comm(void *ctx, const struct pipeline_comm *cm)
{
	struct pipeline_collect *c = ctx;

	if (cm->exec) {
		procmap_exec(c->procmap, cm->pid, cm->time);
		forget_addresses(c, cm->pid);
	}
	profile_set_thread(c->profile, cm->pid, cm->tid, cm->comm);
	return 0;
}

static int collect_task(void *ctx, const struct pipeline_task *t)
{
	struct pipeline_collect *c = ctx;
	const struct profile_thread *parent, *known;
	char *comm = NULL;

	if (t->exit) {
		profile_thread_exited(c->profile, t->tid);
		if (t->pid == t->tid) {
			if (c->nexited == c->exited_cap) {
				c->exited_cap = c->exited_cap ? c->exited_cap * 2 : 64;
				c->exited = xreallocarray(c->exited, c->exited_cap, sizeof(*c->exited));
			}
			c->exited[c->nexited++] = t->pid;
		}
		return 0;
	}
	if (t->pid != t->ppid)
		procmap_fork(c->procmap, t->pid, t->ppid, t->time);
	/*
	 * A new thread or process starts with its creator's name: the one
	 * the profile knows, or /proc's while the creator runs (a child that
	 * exits before its first sample is read would have none left). A tid
	 * the profile knows is a new thread's too when the thread it knew
	 * exited, or was another process's (a dead one's tid reused, its
	 * exit lost): the old name goes, for the creator's or, with none,
	 * "[unknown]". Otherwise the name came before this record (a COMM
	 * read first from another CPU's ring), and stays.
	 */
	known = profile_find_thread(c->profile, t->tid);
	if (known ? !known->exited && known->pid == t->pid : profile_threads_full(c->profile))
		return 0;
	parent = profile_find_thread(c->profile, t->ptid);
	if (parent) {
		profile_set_thread(c->profile, t->pid, t->tid,
				   profile_string(c->profile, parent->comm));
		return 0;
	}
	if (procmap_live(c->procmap) && t->ppid)
		comm = read_comm(t->ppid, t->ptid);
	if (comm || known)
		profile_set_thread(c->profile, t->pid, t->tid,
				   comm ? comm : PROFILE_UNKNOWN_THREAD_NAME);
	free(comm);
	return 0;
}

static int collect_lost(void *ctx, const struct pipeline_lost *l)
{
	struct pipeline_collect *c = ctx;

	c->profile->meta.lost += l->lost;
	return 0;
}

static int collect_throttle(void *ctx, uint64_t time, uint32_t event)
{
	struct pipeline_collect *c = ctx;

	c->profile->meta.throttled++;
	return 0;
}

static const struct pipeline_sink_ops collect_ops = {
	.sample = collect_sample,
	.mmap = collect_mmap,
	.comm = collect_comm,
	.task = collect_task,
	.lost = collect_lost,
	.throttle = collect_throttle,
};

struct pipeline_collect *pipeline_collect_new(struct profile *p, struct procmap *pm,
					      struct symbols *sym)
{
	struct pipeline_collect *c = xcalloc(1, sizeof(*c));

	c->profile = p;
	c->procmap = pm;
	c->symbols = sym;
	c->sink.ops = &collect_ops;
	c->sink.ctx = c;
	u64map_init(&c->kernel_addrs);
	u64map_init(&c->proc_index);
	u64map_init(&c->root_frames);
	c->unwind = unwind_new(pm);
	return c;
}

static size_t map_bytes(const struct u64map *m)
{
	return m->cap * (sizeof(*m->keys) + sizeof(*m->values));
}

size_t pipeline_collect_memory(const struct pipeline_collect *c)
{
	size_t n = sizeof(*c) + (size_t)c->trie.cap * sizeof(*c->trie.slots);
	uint32_t i;

	n += map_bytes(&c->kernel_addrs) + map_bytes(&c->proc_index) + map_bytes(&c->root_frames);
	n += (size_t)c->procs_cap * sizeof(*c->procs) + (size_t)c->exited_cap * sizeof(*c->exited);
	for (i = 0; i < c->nprocs; i++)
		n += map_bytes(&c->procs[i].locs) + map_bytes(&c->procs[i].runs);
	return n + (size_t)c->pool_cap * sizeof(*c->pool);
}

void pipeline_collect_free(struct pipeline_collect *c)
{
	uint32_t i;

	if (!c)
		return;
	for (i = 0; i < c->nprocs; i++) {
		u64map_free(&c->procs[i].locs);
		u64map_free(&c->procs[i].runs);
	}
	free(c->procs);
	free(c->pool);
	free(c->exited);
	u64map_free(&c->proc_index);
	u64map_free(&c->kernel_addrs);
	u64map_free(&c->root_frames);
	trie_free(&c->trie);
	unwind_free(c->unwind);
	free(c);
}

const struct pipeline_sink *pipeline_collect_sink(struct pipeline_collect *c)
{
	return &c->sink;
}

void pipeline_collect_tick(struct pipeline_collect *c)
{
	uint32_t i;

	for (i = 0; i < c->nexited; i++) {
		procmap_exit(c->procmap, c->exited[i]);
		forget_addresses(c, c->exited[i]);
	}
	c->nexited = 0;
	check_truncated(c);
	/* Between samples: no table is being read from. */
	procmap_trim(c->procmap);
}

static void jit_changed(void *ctx, uint32_t pid)
{
	forget_addresses(ctx, pid);
}

void pipeline_collect_poll(struct pipeline_collect *c)
{
	symbols_jit_refresh(c->symbols, jit_changed, c);
}

void pipeline_collect_set_notice(struct pipeline_collect *c, struct ft_notice *notice)
{
	c->notice = notice;
}

void pipeline_collect_set_max_stack(struct pipeline_collect *c, uint32_t frames)
{
	c->max_stack = frames;
}

void pipeline_collect_unwind_stats(const struct pipeline_collect *c, struct pipeline_unwind_stats *st)
{
	unwind_stats(c->unwind, st);
}
