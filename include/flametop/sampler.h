/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The live sampler: opens perf events for a target (the whole system, some
 * processes, or a command it launches), reads their ring buffers and feeds
 * every record into a pipeline sink. It never blocks or slows the target:
 * when we fall behind, the kernel drops samples and we count them.
 *
 * Also exported for unit tests and the CLI: the ring-buffer reader, the
 * record decoder, event resolution through libpfm4 with its fallback rule,
 * and the one table that turns perf_event_open's errno into advice.
 */
#ifndef FLAMETOP_SAMPLER_H
#define FLAMETOP_SAMPLER_H

#include <linux/perf_event.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "flametop/pipeline.h"
#include "flametop/util.h"

#define SAMPLER_DEFAULT_FREQUENCY 99
#define SAMPLER_DEFAULT_EVENT "cycles"
/* The profile type "cpu": the default event, with its fallback, among others. */
#define SAMPLER_CPU_TYPE "cpu"
#define SAMPLER_MAX_EVENTS 8

enum sampler_target {
	SAMPLER_SYSTEM, /* every CPU, every process */
	SAMPLER_PIDS, /* every thread of some processes, new threads included */
	SAMPLER_COMMAND, /* a command we launch, its threads and children */
};

/* How user call chains are found (--call-graph). */
enum sampler_call_graph {
	SAMPLER_CALL_GRAPH_FP = 0, /* the kernel walks frame pointers */
	SAMPLER_CALL_GRAPH_DWARF, /* a copy of the user stack, unwound later with DWARF CFI */
};

#define SAMPLER_DEFAULT_STACK_SIZE 8192
#define SAMPLER_MAX_STACK_SIZE 65528

struct symbols;

struct sampler_config {
	enum sampler_target target;
	const pid_t *pids; /* SAMPLER_PIDS */
	size_t npids;
	char *const *argv; /* SAMPLER_COMMAND, NULL-terminated */
	const char *const *events; /* names; NULL or empty: the default */
	size_t nevents;
	/*
	 * Per event, the index of its group's leader (its own index for an
	 * event in no group, and for a leader); NULL: no groups. A group
	 * (-e '{cycles,instructions}') is one perf event group: the leader
	 * samples, the others count alongside it, and each of the leader's
	 * samples reads them all (PERF_SAMPLE_READ). Each member is still an
	 * event of its own, whose samples are the leader's, each weighted by
	 * what the member counted since the counter's last read. Groups hold
	 * perf events, not profile types; a group's events come in a row.
	 */
	const size_t *leaders;
	unsigned frequency; /* samples per second per CPU/thread */
	/*
	 * Nonzero: perf events and tracepoints (not profile types, which keep
	 * their rule's sampling) sample every this many events instead (-c;
	 * nanoseconds for a clock), at most INT64_MAX.
	 */
	uint64_t period;
	size_t ring_pages; /* data pages per CPU ring, a power of two; 0: default */
	/* A ring wakes its reader (sampler_poll(), sampler_wait_fd()) each
	 * time 1/wakeup_parts of it is written; 0: 4. */
	unsigned wakeup_parts;
	enum sampler_call_graph call_graph;
	/* DWARF: bytes of user stack per sample, a multiple of 8 up to
	 * SAMPLER_MAX_STACK_SIZE; 0: SAMPLER_DEFAULT_STACK_SIZE. */
	size_t stack_size;
	/* alloc, alloc-objects: sample an allocation about every this many
	 * bytes, weighted so that totals stay unbiased; 0: every allocation. */
	uint64_t alloc_sample;
	/* A poll reads the rings for about this long at most, leaving the
	 * rest in them for the next (sampler_poll()); 0: no limit. Types whose
	 * rule pairs records (offcpu's switches) copy every ring out whole,
	 * then release for this long at most, and read the rings again only
	 * once what they copied is released. */
	uint64_t poll_budget_ns;
	/* Where fallbacks and missing rights are said (NULL: nowhere). Borrowed,
	 * must outlive the sampler. */
	struct ft_notice *notice;
	/* Where sysfs is (tests give a fake one); NULL: /sys. Borrowed. */
	const char *sysfs_root;
	/*
	 * The symbolizer the samples will be named by, or NULL: a type whose
	 * rule looks for kernel functions by name (offcpu and wall, for why a
	 * thread waits) finds them there, so that kallsyms is read once for
	 * both; without it, the rule goes without them. Borrowed, used only
	 * by sampler_new().
	 */
	struct symbols *symbols;
};

struct sampler;

/*
 * Resolves the events, opens them on the target and maps the ring buffers;
 * for SAMPLER_COMMAND, forks the command, which waits to exec until
 * sampler_start(). Nothing is sampled yet. Returns NULL with `err` set to
 * one line with advice. `sink` is borrowed and must outlive the sampler.
 */
struct sampler *sampler_new(const struct sampler_config *cfg, const struct pipeline_sink *sink,
			    struct ft_error *err);
/* Frees everything; a launched command that still runs is left running. */
void sampler_free(struct sampler *s);
/* The bytes of the ring buffers mapped (the kernel's pages) and their copy buffers. */
size_t sampler_ring_memory(const struct sampler *s);
/*
 * The most frames the kernel puts in a sample's callchain, kernel and user
 * together (kernel.perf_event_max_stack, 127 when unreadable): what the
 * sampler asks for. A chain that long was cut at its outer end.
 */
uint16_t sampler_max_stack(void);

/* The events being sampled (after any fallback). Borrowed. */
size_t sampler_nevents(const struct sampler *s);
const char *sampler_event_name(const struct sampler *s, size_t i);
const char *sampler_event_unit(const struct sampler *s, size_t i);
/* The event leading event `i`'s group, or -1 when it is in no group or leads it. */
int sampler_event_leader(const struct sampler *s, size_t i);
/*
 * How event `i` is sampled: every that many events (1: each one, as a
 * tracepoint or a profile type that samples each), or 0 at the frequency.
 * A group member's is its leader's.
 */
uint64_t sampler_event_period(const struct sampler *s, size_t i);

/*
 * Starts sampling; for SAMPLER_COMMAND, lets the command exec. Returns 0,
 * or -errno with `err` set (-ENOENT: the command was not found).
 */
int sampler_start(struct sampler *s, struct ft_error *err);

/*
 * Waits up to `timeout_ms` for data or the end of a process of the target
 * (sampler_exit_wakes), then reads every ring into the sink,
 * for at most the poll budget (sampler_config.poll_budget_ns). Returns 0
 * while the target lives, SAMPLER_POLL_MORE when the budget ran out with
 * records left in the rings (poll again, without waiting), 1 once the
 * target is gone (the command exited, or every process of a PID target
 * did) and its records read, or a sink's -errno.
 */
#define SAMPLER_POLL_MORE 2
int sampler_poll(struct sampler *s, int timeout_ms);

/*
 * A descriptor that polls readable when sampler_poll() has something to
 * do: a ring past its wakeup watermark (a quarter full), or a ring whose
 * event is gone (sampler_poll() then stops watching it, here too). For a
 * caller that waits on it with other descriptors (the explorer's keys)
 * instead of waking on a timer. Owned by the sampler, made at the first
 * call; -1 if it cannot be made (poll on a timer then).
 */
int sampler_wait_fd(struct sampler *s);

/*
 * Whether the end of the target wakes sampler_poll(): true system-wide
 * (it has none), and for a PID or command target while every process
 * whose exit ends it is watched by a pidfd. When false, a caller that
 * waits for the end must poll with a timeout to see it.
 */
bool sampler_exit_wakes(const struct sampler *s);

/*
 * Also samples process `pid` (every thread, new ones too) from now on,
 * into the same rings: for a PID or command target, whose end then waits
 * for it too. A system-wide sampler has it already (0). 0 or -errno with
 * `err` set.
 */
int sampler_attach(struct sampler *s, pid_t pid, struct ft_error *err);

/*
 * The recording ends at `time` (CLOCK_MONOTONIC ns), whenever the events
 * are stopped: samples taken later are skipped as they are read, never
 * symbolized (the reads after a stop signal, or past -d, on a busy
 * machine can take seconds). Side-band records still pass.
 */
void sampler_drop_after(struct sampler *s, uint64_t time);

/* Disables the events and reads what is left. 0 or a sink's -errno. */
int sampler_stop(struct sampler *s);

/* SAMPLER_COMMAND: its pid (0 for other targets). */
pid_t sampler_child(const struct sampler *s);
/* SAMPLER_COMMAND: 1 and its wait status once it has exited, else 0. */
int sampler_child_status(struct sampler *s, int *status);

/*
 * A command or PID target: the processes it started while sampled (its
 * children, theirs, as the kernel's fork records told) that are still
 * running: how many, and the first `max` of their pids in `pids`. A
 * process whose fork record was lost is not known. Call after
 * sampler_stop(), once the target is gone: they are not sampled any more.
 */
size_t sampler_spawned_running(const struct sampler *s, pid_t *pids, size_t max);

/* Samples the kernel dropped so far (PERF_RECORD_LOST), and throttles. */
uint64_t sampler_lost(const struct sampler *s);

/* --- events (events.c) --- */

/*
 * Fills `attr` for the event `name` (counting user and kernel): perf's
 * generic names from a table, a tracepoint SUBSYSTEM:EVENT found in
 * tracefs (attr.sample_period 1: sampled at each hit), others through
 * libpfm4, loaded the first time one is asked for. Returns 0, or -ENOENT with `err` set when
 * libpfm4 does not know it (-ENODEV when libpfm4 cannot be loaded).
 * `unit` receives "ns" for clock events, else "count": a sample's period
 * is a number of events (caller frees).
 */
int sampler_event_encode(const char *name, struct perf_event_attr *attr, char **unit,
			 struct ft_error *err);
/*
 * Whether event `name` samples each of its events rather than -F a
 * second: a profile type that does (faults, offcpu, lock, alloc, ...; not
 * wall) or a tracepoint tracefs has here.
 */
bool sampler_event_every(const char *name);
/*
 * Whether event `name` is one of perf's generic software counts
 * (page-faults, context-switches, cpu-migrations, ...; not the clocks nor
 * the faults type): sampled at -F, the sum of its periods is an estimate
 * that may be many times the real count.
 */
bool sampler_event_soft_count(const char *name);
/* sampler_event_encode() through libpfm4 alone, the table's names included (for tests). */
int sampler_event_encode_pfm(const char *name, struct perf_event_attr *attr, struct ft_error *err);
/* The i-th generic name sampler_event_encode() encodes without libpfm4; NULL past the last. */
const char *sampler_event_generic_name(size_t i);
/*
 * The fallback rule: when the default event (cycles, also what -e cpu
 * names) cannot be opened because the machine has no hardware PMU
 * (`open_errno`), the software clock to use instead, else NULL. A user's
 * explicit choice of an event never falls back.
 */
const char *sampler_event_fallback(int open_errno, bool user_chose, enum sampler_target target);
/* Prints what libpfm4 knows to `out`, marking the events that open here. */
int sampler_list_events(FILE *out, bool all, struct ft_error *err);

/*
 * A hybrid CPU (Intel's P- and E-cores) has a PMU per kind of core, each
 * with its own type: a generic hardware event (PERF_TYPE_HARDWARE or
 * HW_CACHE) opened without one counts on the PMU of type PERF_TYPE_RAW
 * alone (cpu_core), never on the other kind of core. The sampler opens
 * it once per PMU, on that PMU's CPUs, with the PMU's type in the high
 * bits of attr.config (perf_event_open(2), "extended type").
 */
#define SAMPLER_MAX_HYBRID_PMUS 2
struct sampler_pmu {
	char name[16]; /* "cpu_core", "cpu_atom" */
	uint32_t type;
	int *cpus; /* caller frees (sampler_pmus_free) */
	size_t ncpus;
};
/*
 * The hybrid PMUs under `root` (NULL: /sys)/bus/event_source/devices:
 * cpu_core and cpu_atom, when both are there with a type and a CPU list.
 * Returns how many (0: not hybrid, or unreadable), filling `pmus`.
 */
size_t sampler_hybrid_pmus(const char *root, struct sampler_pmu *pmus);
void sampler_pmus_free(struct sampler_pmu *pmus, size_t n);
/*
 * Makes `attr`, a generic hardware event, count on the PMU of type `type`
 * (config's high 32 bits). Returns false, leaving it alone, for any other
 * kind of event (software, tracepoint, a PMU's own type already).
 */
bool sampler_event_on_pmu(struct perf_event_attr *attr, uint32_t type);

/* --- errno to advice (advice.c) --- */

/*
 * One line explaining why perf_event_open failed with `err` (a positive
 * errno) for `event`, sampling `target`, with what to do about it (what
 * a permission needs depends on the target). Writes into `buf`.
 */
const char *sampler_strerror(int err, const char *event, enum sampler_target target, char *buf,
			     size_t size);

/* --- ring buffers (ring.c) --- */

struct sampler_ring {
	struct perf_event_mmap_page *meta;
	unsigned char *data;
	uint64_t size; /* bytes of data, a power of two */
	unsigned char *copy; /* 64 KiB scratch for records that wrap around the end */
};

/*
 * Calls `fn` for each complete record between data_tail and data_head (in
 * order; records that straddle the end are copied out whole), publishing
 * the tail past each as it is done. Stops early and returns fn's nonzero
 * result after consuming that record. A record whose header size is
 * impossible ends the read (the rest is skipped) and returns -EBADMSG.
 */
int sampler_ring_read(struct sampler_ring *r,
		      int (*fn)(const struct perf_event_header *h, void *ctx), void *ctx);

/* Where a read of one ring is, for sampler_ring_merge(). */
struct sampler_ring_cursor {
	struct sampler_ring *r; /* set by the caller, the rest by the merge */
	uint64_t head, tail; /* the records left to read: [tail, head) */
	const struct perf_event_header *h; /* the record at tail; NULL: none left */
	uint64_t time; /* h's, sampler_record_time() */
	size_t order; /* the ring's place in the caller's array: ties go to the lower */
};

/*
 * Reads the rings c[0, n).r together: `fn` gets every complete record they
 * hold, each ring's in its own order, the rings' merged by time (equal
 * times: the ring earlier in `c` first), as sampler_ring_read() would one
 * ring. A ring with an impossible record is skipped from there and counted
 * in *malformed. Returns 0, or fn's nonzero result after consuming that
 * record (the other rings keep what was not read). Reorders `c`.
 */
int sampler_ring_merge(struct sampler_ring_cursor *c, size_t n,
		       int (*fn)(const struct perf_event_header *h, void *ctx), void *ctx,
		       uint64_t *malformed);
/*
 * The rings' merge as sampler_ring_merge(), that also stops once the
 * clock (util_now_ns()) is at `until` (UINT64_MAX: never), read every
 * SAMPLER_RING_CLOCK_EVERY records: then *more is true, and the records
 * not read stay in the rings (the kernel keeps them) for the next read.
 * At least SAMPLER_RING_CLOCK_EVERY records are read (all, when fewer),
 * so repeated reads always get through. *more is false when every ring
 * was read to its end, or fn stopped the read.
 */
#define SAMPLER_RING_CLOCK_EVERY 16
int sampler_ring_merge_until(struct sampler_ring_cursor *c, size_t n,
			     int (*fn)(const struct perf_event_header *h, void *ctx), void *ctx,
			     uint64_t *malformed, uint64_t until, bool *more);

/*
 * Records of several rings released in time order across drains, for the
 * rules that pair two records of one thread (a switch-out sample and the
 * switch-in on another CPU, which must see the switch-out record first).
 * A drain copies every record the rings hold in (sampler_rounds_add), and
 * releases (sampler_rounds_release) those no later than the newest time of
 * the drain before, sorted by time (equal times in the order added); the
 * rest wait for the next drain. Rings are read one after the other, and a
 * record is stamped a little before it is written (more when an interrupt
 * writes one in between), so a drain can hold a record of another CPU
 * stamped after one that is not written yet; by the next drain that one
 * is. This is perf's own rule for its rounds. The last drain releases
 * everything.
 */
struct sampler_rounds_entry {
	uint64_t time;
	size_t offset; /* into sampler_rounds.buf */
	uint64_t seq; /* the order added, for equal times */
};

struct sampler_rounds {
	unsigned char *buf; /* the records held, copied out */
	size_t len, cap;
	struct sampler_rounds_entry *e;
	size_t n, ecap;
	uint64_t seq;
	uint64_t newest; /* the newest time added so far */
	uint64_t limit; /* the newest as the last release began: released up to it */
};

/* Copies the record in (a sampler_ring_read() callback; ctx: the rounds). 0. */
int sampler_rounds_add(const struct perf_event_header *h, void *ctx);
/*
 * Calls `fn` for each record held that is no later than the newest time
 * added before the previous release (`all`: every record), in time order,
 * and keeps the others for the next. Returns 0, or fn's nonzero result
 * (then nothing is kept).
 */
int sampler_rounds_release(struct sampler_rounds *o, bool all,
			   int (*fn)(const struct perf_event_header *h, void *ctx), void *ctx);
/*
 * The same with a time budget: past `until` on the monotonic clock (checked
 * every SAMPLER_RING_CLOCK_EVERY records; UINT64_MAX: no limit; ignored
 * with `all`) it stops, keeps what it did not release, and sets *more. The
 * next release goes on up to the same time: one that ran whole moves it to
 * the newest added. *more is false when it ran whole.
 */
int sampler_rounds_release_until(struct sampler_rounds *o, bool all, uint64_t until, bool *more,
				 int (*fn)(const struct perf_event_header *h, void *ctx),
				 void *ctx);
void sampler_rounds_free(struct sampler_rounds *o);

/*
 * The time of a record in the layout below: a sample's is its fourth word
 * (IDENTIFIER, IP, TID, TIME, the same in every layout); a side-band
 * record's is in its sample_id trailer. 0 when the record is too short to
 * say.
 */
uint64_t sampler_record_time(const struct perf_event_header *h);

/* --- record decoding (decode.c) --- */

/*
 * The layout every event is opened with: sample_type is
 * SAMPLER_SAMPLE_TYPE and sample_id_all is set, so samples and side-band
 * records can be parsed without knowing which event they came from, and
 * the IDENTIFIER says which it was.
 */
#define SAMPLER_SAMPLE_TYPE                                                                        \
	(PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |            \
	 PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD | PERF_SAMPLE_CALLCHAIN)

/*
 * With --call-graph dwarf every event also samples the user registers and
 * stack (the kernel keeps walking its own part of the callchain, and
 * leaves the user part to us: exclude_callchain_user). The registers are
 * the ones a DWARF unwinder needs on x86-64: the instruction and stack
 * pointers, the frame pointer and the callee-saved registers. Side-band
 * trailers are the same in both layouts.
 */
#define SAMPLER_SAMPLE_TYPE_DWARF                                                                  \
	(SAMPLER_SAMPLE_TYPE | PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER)
#define SAMPLER_REGS_USER_MASK                                                                     \
	((1ull << 1) /* bx */ | (1ull << 6) /* bp */ | (1ull << 7) /* sp */ |                      \
	 (1ull << 8) /* ip */ | (1ull << 20) /* r12 */ | (1ull << 21) /* r13 */ |                  \
	 (1ull << 22) /* r14 */ | (1ull << 23) /* r15 */)

/*
 * A group's leader also reads its group at each sample (PERF_SAMPLE_READ,
 * between PERIOD and CALLCHAIN in the record), in this read_format:
 * {u64 nr; {u64 value; u64 id;} [nr]}, the leader's own value first.
 */
#define SAMPLER_READ_FORMAT (PERF_FORMAT_GROUP | PERF_FORMAT_ID)
/* Counter instances whose last read the decoder keeps; more are not attributed. */
#define SAMPLER_MAX_GROUP_COUNTS 65536

/*
 * One perf event the sampler opened, as the decoder sees it: which event
 * (profile type) it feeds, its sample layout, and the type's weight rule
 * (src/sampler/types.h) with its state, or no rule (samples pass through).
 */
struct sampler_type;
struct sampler_member {
	uint32_t event;
	/* SAMPLER_SAMPLE_TYPE, maybe with REGS_USER and STACK_USER, or
	 * without CALLCHAIN for a bare member (sampler_type_member.bare),
	 * or without PERIOD (`period`) */
	uint64_t sample_type;
	uint64_t regs_user_mask;
	/* Nonzero: sample_type has no PERF_SAMPLE_PERIOD (-c N), and each
	 * sample is this many events. */
	uint64_t period;
	uint64_t rule_regs; /* registers only the rule reads: not passed on */
	/* A probe at a function's entry: in frame-pointer mode the sample
	 * carries the 8 bytes at the stack pointer, the return address, which
	 * the decoder puts into the chain as the caller (then drops). */
	bool entry;
	/* Where the text its probe fetched is in the sample's raw data, as a
	 * __data_loc (PERF_SAMPLE_RAW; sampler_type_member.text_loc); 0: none. */
	uint32_t text_loc;
	const struct sampler_type *type; /* NULL: no rule */
	void *state; /* the rule's, shared by the type's members */
	uint32_t role;
	/*
	 * Another member fed by the same perf event (0: none): two types
	 * asking for the same event (wall and offcpu both need context
	 * switches) share one, because the kernel gives two software events
	 * of one kind on one task the same sample identifier.
	 */
	uint32_t next;
};

/* A group member's counter instance, as last read (decode.c). */
struct sampler_group_count {
	uint64_t id;
	uint32_t tid;
	uint64_t value;
};

struct sampler_decoder {
	const struct pipeline_sink *sink;
	/*
	 * With members (the live sampler), `id_event` maps an event id to a
	 * member, whose layout, event and rule apply. Without (nmembers 0),
	 * it maps to the event, and every sample has `sample_type`'s layout.
	 */
	const struct sampler_member *members;
	size_t nmembers;
	/* 0: SAMPLER_SAMPLE_TYPE; else SAMPLER_SAMPLE_TYPE_DWARF with the
	 * registers in `regs_user_mask` (the PERF_REG_X86_* bits). */
	uint64_t sample_type;
	uint64_t regs_user_mask;
	struct u64map id_event; /* event id (PERF_EVENT_IOC_ID) -> event index */
	uint64_t lost; /* PERF_RECORD_LOST and LOST_SAMPLES, summed */
	uint64_t throttled;
	uint64_t malformed; /* records too short for their type, skipped */
	uint64_t switches; /* PERF_RECORD_SWITCH records handed to a rule */
	/*
	 * Group reads: each member counter's last value, so that a sample is
	 * weighted by what the member counted since the previous read of the
	 * same counter. A counter is its id, and with `group_by_thread` (the
	 * counters of a PID or command target, inherited: each thread has its
	 * own instance, reported under the id it inherited) the thread too.
	 * A counter read for the first time gives its whole value.
	 */
	bool group_by_thread;
	struct u64map group_index; /* counter key -> slot in group_counts */
	struct sampler_group_count *group_counts;
	size_t ngroup_counts, group_counts_cap;
	uint64_t group_dropped; /* member reads past SAMPLER_MAX_GROUP_COUNTS counters */
	/*
	 * With `track_spawned` (a command or PID target), the processes forked under
	 * it: pid + 1 -> 1 while running, 0 once its exit record came. Full of
	 * exited ones, it is rebuilt with the running ones; with more than
	 * SAMPLER_MAX_SPAWNED running, new ones are not added.
	 */
	bool track_spawned;
	struct u64map spawned;
	/* Samples later than this (CLOCK_MONOTONIC ns; 0: none) are skipped:
	 * the recording has ended at that time (sampler_drop_after). */
	uint64_t drop_after;
};

#define SAMPLER_MAX_SPAWNED 65536

/*
 * Decodes one record and calls the sink. Returns the sink's result. A
 * sample with a group read goes to the sink as the leader's, then once per
 * member that counted since its last read: the same sample, its event the
 * member's, its period the member's count since then.
 */
int sampler_decode(struct sampler_decoder *d, const struct perf_event_header *h);
/* Frees what the decoder allocated itself (its group counts and maps). */
void sampler_decode_free(struct sampler_decoder *d);

#endif
