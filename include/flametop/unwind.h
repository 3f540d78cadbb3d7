/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DWARF unwinding of sampled user stacks (--call-graph dwarf), for code
 * built without frame pointers. A sample brings the user registers and a
 * copy of the top of the user stack; libunwind's remote API walks it with
 * the call frame information of each module (.eh_frame through
 * .eh_frame_hdr), reading memory from the copy and, for the modules
 * themselves, from their ELF files.
 *
 * Mappings and modules come from the process-map layer (procmap.h), the
 * same the symbolizer uses. The unwinder keeps three caches: per module,
 * through that layer, its program headers and unwind table (the segments
 * holding .eh_frame_hdr and .eh_frame, read into memory), shared by every
 * process that maps it; libunwind's per-process cache of register rules
 * by address, flushed when the process's mappings change; and a bounded
 * memo of whole unwinds, reused only for a sample whose every word the
 * unwind read is unchanged (see unwind.c).
 */
#ifndef FLAMETOP_UNWIND_H
#define FLAMETOP_UNWIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flametop/pipeline.h"
#include "flametop/procmap.h"

struct unwind;

/*
 * `pm` is borrowed and must outlive the unwinder, which registers with it
 * as a consumer (procmap_register). Caller frees with unwind_free().
 * Never NULL.
 */
struct unwind *unwind_new(struct procmap *pm);
void unwind_free(struct unwind *u);

/*
 * Unwinds the user stack of `s` (which must carry user registers and a
 * stack copy: see struct pipeline_sample). Writes up to `max` user
 * addresses into `ips`, innermost first: the sampled user instruction
 * pointer, then return addresses. Returns how many; 0 when the sample has
 * no user registers. Looks up (and, the first time, reads) the process's
 * mappings in the process-map layer: call it before the process's exit
 * is applied there.
 */
size_t unwind_sample(struct unwind *u, const struct pipeline_sample *s, uint64_t *ips, size_t max);

/*
 * Whether the last unwind_sample() stopped for want of room rather than
 * at the stack's end or at a frame it could not unwind: `max` addresses
 * were written, or the next frame lies past the end of the sample's stack
 * copy (the kernel copies at most --call-graph dwarf's SIZE bytes). The
 * stack then lacks its outer frames. Not where the kernel ended the copy
 * short and the frame lies in no mapping: the copy held the whole stack,
 * and a frame past its end is a broken unwind, not a cut one.
 */
bool unwind_cut(const struct unwind *u);

/* What an address unwind_sample() wrote is (unwind_kinds()). */
enum unwind_kind {
	/* The sampled instruction pointer (the first), or a return address. */
	UNWIND_PLAIN,
	/* A signal frame's: where the signal handler above returns to, the
	 * sigreturn trampoline (glibc's __restore_rt), which no call reached. */
	UNWIND_SIGNAL,
	/* The instruction a signal interrupted (below a signal frame): it
	 * ran, or was about to, and is no return address. */
	UNWIND_INTERRUPTED,
};

/*
 * The kind of each address the last unwind_sample() wrote, one byte (an
 * enum unwind_kind) each, in the same order. Borrowed, valid until the
 * next unwind_sample().
 */
const uint8_t *unwind_kinds(const struct unwind *u);

/* Counters since unwind_new() or the last reset. */
void unwind_stats(const struct unwind *u, struct pipeline_unwind_stats *st);
void unwind_stats_reset(struct unwind *u);

#endif
