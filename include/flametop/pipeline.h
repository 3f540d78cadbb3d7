/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one event pipeline. Every source (the live sampler, a session being
 * replayed, an importer) turns what it reads into these records and hands
 * them to a sink. Nothing downstream of a sink knows where data came from.
 *
 * All pointers inside a record are borrowed: valid only during the callback.
 * Times are nanoseconds on CLOCK_MONOTONIC.
 */
#ifndef FLAMETOP_PIPELINE_H
#define FLAMETOP_PIPELINE_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * One sample. `ips` is the callchain exactly as the kernel gives it:
 * innermost first, with PERF_CONTEXT_KERNEL / PERF_CONTEXT_USER markers
 * (values >= PERF_CONTEXT_MAX) saying which part follows.
 */
struct pipeline_sample {
	uint64_t time;
	uint32_t pid, tid;
	uint32_t cpu;
	uint32_t event; /* index into the source's event list */
	uint64_t period; /* the sample's weight, in the event's unit */
	uint32_t nr_ips;
	const uint64_t *ips;
	/*
	 * With --call-graph dwarf (zero otherwise, which means "frame
	 * pointers: `ips` is the whole chain"): the sampled instruction
	 * pointer, and the user registers and a copy of the user stack at
	 * the sample, for a DWARF unwinder. `ips` then holds only the kernel
	 * part. `user_regs` has one value per bit set in `user_regs_mask`
	 * (PERF_REG_X86_* bit numbers), in bit order; `user_abi` is a
	 * PERF_SAMPLE_REGS_ABI_* value, NONE for a kernel thread.
	 * `user_stack` holds `user_stack_size` bytes copied from the user
	 * stack pointer upward, of which the first `user_stack_dyn_size` are
	 * valid (the kernel copies what the stack holds, up to the size).
	 */
	uint64_t ip;
	uint64_t user_abi;
	uint64_t user_regs_mask;
	const uint64_t *user_regs;
	const unsigned char *user_stack;
	uint64_t user_stack_size, user_stack_dyn_size;
	/*
	 * A pseudo-frame a profile type puts below the innermost frame (NULL:
	 * none): what the sample's stack does not say, such as why a thread
	 * left the CPU ("[preempted]") or the type of an exception thrown.
	 * `leaf_module` names what made it ("[offcpu]"). Not in the
	 * callchain; the collect stage interns it as a frame of its own.
	 */
	const char *leaf;
	const char *leaf_module;
	/*
	 * This sample's stack is the one of the sample delivered just before
	 * it (a group member's count read at its leader's sample, same time
	 * and thread): the collect stage may reuse what it resolved then
	 * instead of walking the stack again.
	 */
	bool same_stack;
};

/* A new executable mapping (PERF_RECORD_MMAP2 or a line of /proc/PID/maps). */
struct pipeline_mmap {
	uint64_t time;
	uint32_t pid, tid;
	uint64_t start, len, pgoff;
	uint32_t prot, flags;
	uint32_t maj, min;
	uint64_t ino;
	const char *filename;
};

struct pipeline_comm {
	uint64_t time;
	uint32_t pid, tid;
	bool exec; /* the name changed because the thread called exec */
	const char *comm;
};

/* PERF_RECORD_FORK / PERF_RECORD_EXIT. */
struct pipeline_task {
	uint64_t time;
	uint32_t pid, ppid;
	uint32_t tid, ptid;
	bool exit;
};

struct pipeline_lost {
	uint64_t time;
	uint32_t event;
	uint64_t lost; /* samples the kernel could not deliver */
};

/*
 * A sink. Callbacks return 0, or -errno to make the source stop (a full
 * disk, say). Any callback may be NULL. A sink is not told that its source
 * ended: whoever drives the source knows (sampler_poll() says the target
 * is gone, a reader reaches the end of its file).
 */
struct pipeline_sink_ops {
	int (*sample)(void *ctx, const struct pipeline_sample *s);
	int (*mmap)(void *ctx, const struct pipeline_mmap *m);
	int (*comm)(void *ctx, const struct pipeline_comm *c);
	int (*task)(void *ctx, const struct pipeline_task *t);
	int (*lost)(void *ctx, const struct pipeline_lost *l);
	/* The kernel throttled an event (too many samples); informational. */
	int (*throttle)(void *ctx, uint64_t time, uint32_t event);
};

struct pipeline_sink {
	const struct pipeline_sink_ops *ops;
	void *ctx;
};

/*
 * The collect stage: a sink that symbolizes each sample's callchain,
 * interns it as a node of the profile's call tree and appends the sample;
 * side-band records keep the process maps (procmap.h, which the
 * symbolizer and the DWARF unwinder share) and the profile's thread names
 * current. Symbol lookups are cached per process and address, so a hot
 * stack costs hash lookups, not symbol searches.
 */
struct profile;
struct procmap;
struct symbols;
struct pipeline_collect;

/*
 * `p`, `pm` and `sym` are borrowed and must outlive the stage; `sym` must
 * have been made over `pm` (symbols_new(pm)). The stage feeds `pm` every
 * side-band record, once. Caller frees.
 */
struct pipeline_collect *pipeline_collect_new(struct profile *p, struct procmap *pm,
					      struct symbols *sym);
void pipeline_collect_free(struct pipeline_collect *c);
/* The bytes the stage's own caches hold: the frame trie, the address maps. */
size_t pipeline_collect_memory(const struct pipeline_collect *c);
/* The sink to hand to a source. Borrowed, valid until the stage is freed. */
const struct pipeline_sink *pipeline_collect_sink(struct pipeline_collect *c);
/*
 * Forgets processes that exited before the last call. Exits are applied
 * one tick late because records from different CPUs arrive out of order:
 * a process's last samples may be read after its EXIT record. Then keeps
 * the modules' tables under the process-map layer's ceiling
 * (procmap_trim). Call it once per second or so, after reading every ring.
 */
void pipeline_collect_tick(struct pipeline_collect *c);

/*
 * Live data, between batches of records: reads what JITs appended to
 * their maps (symbols_jit_refresh()) and forgets what was resolved of a
 * process whose map changed, so that code a JIT put where older code was
 * gets the newer name in the samples after.
 */
void pipeline_collect_poll(struct pipeline_collect *c);

/*
 * Where the stage says things (stacks that look truncated in frame-pointer
 * mode, once). Without it (NULL) the stage says nothing. Borrowed: it must
 * outlive the stage.
 */
struct ft_notice;
void pipeline_collect_set_notice(struct pipeline_collect *c, struct ft_notice *notice);
/*
 * The kernel's cap on a callchain's frames (sampler_max_stack()): a
 * frame-pointer stack that stops short of its root with that many frames
 * was cut by the cap, which the stage says (with the notice), rather than
 * blaming code without frame pointers. 0, the default: no cap known.
 */
void pipeline_collect_set_max_stack(struct pipeline_collect *c, uint32_t frames);

/* What the DWARF unwinder did so far (zero in frame-pointer mode). */
struct pipeline_unwind_stats {
	uint64_t samples; /* samples with a user stack to unwind */
	uint64_t unwound; /* ... that gave at least one caller */
	uint64_t frames; /* user frames found, in all */
	uint64_t ns; /* time spent unwinding */
	uint64_t median_ns; /* median time per sample (approximate: 25 ns buckets) */
};
void pipeline_collect_unwind_stats(const struct pipeline_collect *c, struct pipeline_unwind_stats *st);

#endif
