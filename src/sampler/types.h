/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Profile types: what the sampler's files share and nothing else sees.
 *
 * A profile type (-e offcpu, wall, faults, alloc, ...) is one event to the
 * rest of flametop: a name, a unit and samples weighted in that unit. To
 * the kernel it is one or more perf events ("members"), and a weight rule
 * that turns what they report into samples: a page fault is a sample of
 * weight 1; an off-CPU interval is a switch-out sample paired with the
 * switch-in of the same thread, weighted by the time between; an
 * allocation is a uprobe hit weighted by the size the registers held.
 *
 * Each type is one file (type_*.c) exporting one `struct sampler_type`,
 * and one line in the table of types.c. An event name that is no type is
 * a libpfm4 event with no rule: its samples pass through as they are.
 */
#ifndef FLAMETOP_SAMPLER_TYPES_H
#define FLAMETOP_SAMPLER_TYPES_H

#include <linux/perf_event.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "flametop/pipeline.h"
#include "flametop/sampler.h"
#include "flametop/util.h"

/* Perf events one type may open (wall: a clock and context switches;
 * inuse: seven uprobes). */
#define SAMPLER_TYPE_MAX_MEMBERS 8

/*
 * x86-64 PERF_REG_X86_* bits a weight rule may read (a function's first
 * two arguments and its return value), and where the rule finds them.
 */
#define TYPE_REG_AX (1ull << 0)
#define TYPE_REG_SI (1ull << 4)
#define TYPE_REG_DI (1ull << 5)
enum { TYPE_R_AX, TYPE_R_SI, TYPE_R_DI };

/* What a rule reads of a hit besides the sample. */
struct type_hit {
	uint64_t regs[3]; /* the user registers it asked for, by TYPE_R_*; 0 where none */
	const char *text; /* what its probe fetched, NUL-terminated; NULL: nothing */
};

/* What a type needs to know about the target to choose its members. */
struct sampler_type_target {
	enum sampler_target target;
	const pid_t *pids; /* SAMPLER_PIDS */
	size_t npids;
	uint64_t alloc_sample; /* sampler_config.alloc_sample */
	struct symbols *symbols; /* sampler_config.symbols: NULL, or borrowed for state_new */
};

/* One perf event of a type, as the type fills it in. */
struct sampler_type_member {
	struct perf_event_attr attr; /* type, config, period; the sampler adds the rest */
	bool frequency; /* sample at -F (a clock); else every attr.sample_period events */
	uint64_t regs; /* TYPE_REG_* the rule reads from the user registers */
	/*
	 * A probe at a function's entry, before the function pushed a frame:
	 * a frame-pointer walk would skip its caller, so the sampler also
	 * takes the return address from the top of the stack and puts the
	 * caller back into the chain.
	 */
	bool entry;
	/*
	 * The rule reads only the sample's thread, time and registers (a
	 * call's exit, a free): the kernel takes no stack for it, which is
	 * most of what a sample costs the target. Never an entry probe.
	 */
	bool bare;
	/*
	 * A tracepoint's filter in tracefs syntax ("op == 0 || op == 9"),
	 * which the kernel tests before it takes a sample, or NULL. Where
	 * the kernel refuses it every hit is sampled (the sampler says so
	 * once), so the rule must still check what the filter would.
	 */
	const char *filter;
	/* Not inherited by threads and children the target starts later. */
	bool no_inherit;
	/*
	 * For a uprobe (type_uprobe_member): text for the kernel to copy into
	 * the sample at the hit, in tracefs's fetch-argument syntax
	 * ("+0(+8(%si)):string"), or NULL. The kernel reads it while the
	 * target runs, where the rule reading the target's memory later finds
	 * a short command gone. Only a probe made in tracefs fetches: there,
	 * type_uprobe_member sets text_loc; with the uprobe PMU it stays 0,
	 * and the rule gets no text.
	 */
	const char *fetch;
	/* Where the fetched text's __data_loc is in the sample's raw data (0: none). */
	uint32_t text_loc;
	uint32_t role; /* the type's own tag, handed back with each sample */
};

struct sampler_type {
	const char *name; /* what -e takes */
	const char *unit; /* ns, bytes or count */
	const char *summary; /* one line for list-events */
	/* Each of its events is a sample (a fault, a switch, a call), not -F
	 * of them a second: report's header says so instead of a frequency. */
	bool every;
	/*
	 * Fills up to SAMPLER_TYPE_MAX_MEMBERS members for `t`. Returns how
	 * many, or -errno with `err` set to one line saying why the type
	 * cannot work here and what to do.
	 */
	int (*members)(const struct sampler_type_target *t, struct sampler_type_member *m,
		       struct ft_error *err);
	/* The rule's state for `t` (NULL: a type without state). Caller frees with state_free. */
	void *(*state_new)(const struct sampler_type_target *t);
	void (*state_free)(void *st);
	/*
	 * A sample of member `role`, with the registers and text it asked
	 * for in `hit`. Emits what the rule makes of it into `sink` (maybe
	 * nothing, maybe later). NULL: the sample passes through. Returns
	 * the sink's result.
	 */
	int (*sample)(void *st, uint32_t role, const struct pipeline_sample *s,
		      const struct type_hit *hit, const struct pipeline_sink *sink);
	/* A thread was switched in (`out` false) or out on a CPU (members with
	 * attr.context_switch). NULL: ignored. */
	int (*sched)(void *st, uint32_t tid, uint64_t time, bool out, bool preempt,
		     const struct pipeline_sink *sink);
	/* Thread `tid` exited at `time` (PERF_RECORD_EXIT, which every rule
	 * gets): what the rule holds for it will never pair. NULL: ignored. */
	void (*exit)(void *st, uint32_t tid, uint64_t time);
	/* The sampler stops at `now`: emit what is pending. NULL: nothing pends. */
	int (*flush)(void *st, uint64_t now, const struct pipeline_sink *sink);
	/* A notice the rule has for the user (a table full, say), or NULL. Borrowed. */
	const char *(*notice)(void *st);
};

/* The type named `name`, or NULL for a plain perf event. */
const struct sampler_type *sampler_type_find(const char *name);
/* The table, for list-events and --help: a NULL-terminated array. */
extern const struct sampler_type *const sampler_types[];

extern const struct sampler_type sampler_type_faults;
extern const struct sampler_type sampler_type_offcpu;
extern const struct sampler_type sampler_type_wall;
extern const struct sampler_type sampler_type_lock;
extern const struct sampler_type sampler_type_lock_waits;
extern const struct sampler_type sampler_type_alloc;
extern const struct sampler_type sampler_type_alloc_objects;
extern const struct sampler_type sampler_type_inuse;
extern const struct sampler_type sampler_type_exceptions;

/* --- a sample kept for later (types.c) --- */

/* A copy of a sample and the data it points to, owned. */
struct type_held {
	struct pipeline_sample s;
	uint64_t *ips;
	size_t ips_cap;
	uint64_t *regs;
	unsigned char *stack;
	size_t stack_cap;
	bool valid;
};
void type_hold(struct type_held *h, const struct pipeline_sample *s);
void type_held_free(struct type_held *h);

/*
 * Threads' pending samples, by thread id: the state of rules that pair a
 * sample with a later record of the same thread (offcpu's switch-out and
 * switch-in, lock's futex enter and exit). At most TYPE_MAX_THREADS
 * threads at once; the slot of a thread that exited is reused, once the
 * rule releases it or, for one marked `exited`, once the table is full and
 * the exit is TYPE_EXIT_GRACE_NS old. Threads beyond are not followed and
 * counted in `dropped`. (The index keeps a key per thread id ever seen,
 * pointing nowhere once released: at most pid_max of them.)
 */
#define TYPE_MAX_THREADS 65536
#define TYPE_EXIT_GRACE_NS 1000000000ull
#define TYPE_NO_SLOT UINT32_MAX
struct type_threads {
	struct u64map index; /* tid + 1 -> slot, or TYPE_NO_SLOT */
	struct type_thread *slots;
	size_t nslots, cap;
	uint32_t *free; /* released slots, reused first */
	size_t nfree;
	size_t max; /* TYPE_MAX_THREADS; smaller in tests */
	uint64_t dropped;
};
struct type_thread {
	struct type_held held; /* the pending sample, if held.valid */
	/* The second half of a pair that came first (records of one thread
	 * from two CPUs' rings are read in either order): its time (0: none)
	 * and a value it carried (a returned address). */
	uint64_t since;
	uint64_t value;
	/* When it exited (0: alive). A system-wide recording then still sees
	 * its last switch-out, into death, which starts no time off the CPU. */
	uint64_t exited;
	uint32_t tid;
	bool used; /* not on the free list */
	/* The switch-out record of the held switch-out sample was seen
	 * (offcpu): another one before a switch-in says a switch-in was lost. */
	bool out_seen;
};
void type_threads_init(struct type_threads *t);
void type_threads_free(struct type_threads *t);
/*
 * The slot of `tid`, created on first use (a released slot first; when
 * none is left and the table is full, those of threads that exited more
 * than TYPE_EXIT_GRACE_NS before `now` are released first); NULL when the
 * table is still full. Borrowed, valid until the next get or release.
 */
struct type_thread *type_threads_get(struct type_threads *t, uint32_t tid, uint64_t now);
/* The slot of `tid` if it has one, else NULL. Borrowed, as above. */
struct type_thread *type_threads_find(struct type_threads *t, uint32_t tid);
/* Forgets `tid` (it exited): its slot, emptied, goes to the next new thread. */
void type_threads_release(struct type_threads *t, uint32_t tid);
/* Slots in use. */
size_t type_threads_live(const struct type_threads *t);

/* --- off-CPU intervals, shared by offcpu and wall (type_offcpu.c) --- */

struct type_offcpu;
/* Finds its kernel functions in `symbols` (type_offcpu_load_kernel) at the
 * first sample with a kernel stack; NULL: none. */
struct type_offcpu *type_offcpu_new(struct symbols *symbols);
void type_offcpu_free(struct type_offcpu *o);
/* The context-switch member: samples every switch-out, with switch records. */
void type_offcpu_member(struct sampler_type_member *m, uint32_t role);
int type_offcpu_sample(struct type_offcpu *o, const struct pipeline_sample *s,
		       const struct pipeline_sink *sink);
/* A switch record of `tid`; a switch-out with `preempt` marks the pending
 * interval [preempted]. */
int type_offcpu_sched(struct type_offcpu *o, uint32_t tid, uint64_t time, bool out, bool preempt,
		      const struct pipeline_sink *sink);
/* What is still held ends at `now`, but for threads `alive` (util_task_alive) says are gone. */
int type_offcpu_flush(struct type_offcpu *o, uint64_t now, const struct pipeline_sink *sink);
/* For tests: how flush learns whether a thread still exists. */
void type_offcpu_set_alive(struct type_offcpu *o, bool (*alive)(pid_t tid));
void type_offcpu_exit(struct type_offcpu *o, uint32_t tid, uint64_t time);
const char *type_offcpu_notice(struct type_offcpu *o);
/*
 * Finds the kernel functions that say why a thread waits among the
 * kernel functions of `symbols` (symbols_kernel_functions(), which reads
 * kallsyms if nothing did yet), replacing those found before. Returns how
 * many were found (0 when kernel symbols are unavailable: kallsyms
 * unreadable or its addresses hidden).
 */
size_t type_offcpu_load_kernel(struct type_offcpu *o, struct symbols *symbols);
/*
 * Why the thread of switch-out sample `s` left the CPU, by its kernel
 * stack: "[lock]", "[io]", "[sleep]", or "[blocked]" when there is no
 * kernel stack or no function to look it up in. (Preemption is not on the
 * stack: the switch record says it, type_offcpu_preempted.) Static string.
 */
const char *type_offcpu_reason(struct type_offcpu *o, const struct pipeline_sample *s);
extern const char type_offcpu_preempted[];

/* --- allocation sampling (type_alloc.c) --- */

/*
 * Which allocations to keep with --alloc-sample: about one every `rate`
 * bytes (a Poisson process over the bytes allocated), each weighted so
 * that the expected totals of bytes and of allocations are the true ones.
 */
struct type_alloc_sampler {
	uint64_t rate; /* mean bytes between samples; 0: keep every allocation */
	int64_t left; /* bytes until the next sample */
	uint64_t rng;
};
/* `seed` chooses the sequence (0: a fixed one). */
void type_alloc_sampler_init(struct type_alloc_sampler *a, uint64_t rate, uint64_t seed);
/* The bytes until the next sample: exponential, of mean `rate`, at least 1. */
uint64_t type_alloc_sampler_draw(struct type_alloc_sampler *a);
/*
 * An allocation of `size` bytes: whether it is kept, and then its weights
 * in bytes (size / p, at least size) and in allocations (1 / p, at least
 * 1), where p = 1 - e^(-size/rate) is the chance it had. Without a rate,
 * every one is kept, weighing size and 1.
 */
bool type_alloc_sampler_take(struct type_alloc_sampler *a, uint64_t size, uint64_t *bytes,
			     uint64_t *objects);

/* --- exceptions (type_exceptions.c) --- */

/*
 * The pseudo-frame for a type_info's mangled name ("St13runtime_error"):
 * "[std::runtime_error]" in `out`, demangled when it can be; a builtin
 * type stays mangled ("[i]"). -1 when `mangled` is no mangled name (empty,
 * too long, or other characters than a mangled name has).
 */
int type_exceptions_label(const char *mangled, char *out, size_t size);

/* --- uprobes (type_uprobe.c) --- */

/*
 * Fills member `m` for a uprobe (or, with `ret`, a uretprobe) on function
 * `func` of the library whose file name starts with `lib` ("libc.so"), as
 * the target maps it: for a PID target the first process's library, else
 * the one the dynamic loader finds for `soname` ("libc.so.6"), which a
 * command flametop starts loads too. Sampled on every hit. Defined in
 * tracefs when it can be (removed by type_uprobe_cleanup), with m->fetch
 * as its argument if set, else through the uprobe PMU and then not
 * inherited (see type_uprobe.c). 0, or -errno with `err` set.
 */
int type_uprobe_member(struct sampler_type_member *m, const struct sampler_type_target *t,
		       const char *lib, const char *soname, const char *func, bool ret,
		       struct ft_error *err);
/* Removes the probes defined in tracefs. Idempotent; also run at exit. */
void type_uprobe_cleanup(void);

/*
 * The id of tracepoint `subsys`:`name` in tracefs (mounted at
 * /sys/kernel/tracing or /sys/kernel/debug/tracing), or -ENOENT. Both
 * names must be tracefs directory names (letters, digits, '_'), else
 * -EINVAL: nothing else is looked up.
 */
long type_tracepoint_id(const char *subsys, const char *name);

/* Emits `s` with its weight set to `weight` and its event kept. */
int type_emit(const struct pipeline_sink *sink, const struct pipeline_sample *s, uint64_t weight);

#endif
