/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DWARF unwinding of sampled user stacks (--call-graph dwarf), for code
 * built without frame pointers. A sample brings the user registers and a
 * copy of the top of the user stack; libunwind's remote API walks it with
 * the call frame information of each module (.eh_frame through
 * .eh_frame_hdr), reading memory from the copy and, for the modules
 * themselves, from their ELF files.
 *
 * The unwinder keeps its own view of each process's executable mappings
 * (fed the same side-band records as the symbolizer, and /proc/PID/maps the
 * first time a live process is seen) and three caches: the parsed ELF file
 * and unwind table of each module (by path and build id, shared by every
 * process that maps it), libunwind's per-process cache of register rules
 * by address, flushed when the process's mappings change, and a bounded
 * memo of whole unwinds, reused only for a sample whose every word the
 * unwind read is unchanged (see unwind.c).
 */
#ifndef FLAMETOP_UNWIND_H
#define FLAMETOP_UNWIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flametop/pipeline.h"

struct unwind;

/* Caller frees with unwind_free(). Never NULL. */
struct unwind *unwind_new(void);
void unwind_free(struct unwind *u);

/*
 * Whether the records come from this machine, now (the default): only then
 * is /proc/PID/maps read and are files opened through /proc/PID/root.
 */
void unwind_set_live(struct unwind *u, bool live);

/* Side-band records, as for the symbolizer (symbols.h); `pid` is the tgid.
 * An exit forgets the process at once: call it late (after the last
 * samples of the process were unwound). */
void unwind_mmap(struct unwind *u, const struct pipeline_mmap *m);
void unwind_fork(struct unwind *u, uint32_t pid, uint32_t ppid);
void unwind_exec(struct unwind *u, uint32_t pid);
void unwind_exit(struct unwind *u, uint32_t pid);

/*
 * Unwinds the user stack of `s` (which must carry user registers and a
 * stack copy: see struct pipeline_sample). Writes up to `max` user
 * addresses into `ips`, innermost first: the sampled user instruction
 * pointer, then return addresses. Returns how many; 0 when the sample has
 * no user registers.
 */
size_t unwind_sample(struct unwind *u, const struct pipeline_sample *s, uint64_t *ips, size_t max);

/* Counters since unwind_new() or the last reset. */
void unwind_stats(const struct unwind *u, struct pipeline_unwind_stats *st);
void unwind_stats_reset(struct unwind *u);

#endif
