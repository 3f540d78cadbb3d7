/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Symbolization: turns (pid, address) into (function, module).
 *
 * Keeps per-process memory maps (from MMAP2 records, from /proc/PID/maps the
 * first time a process is seen, copied on fork, cleared on exec) and a
 * cache of symbol tables per module (keyed by path and build id), so the
 * cost is per module, never per sample. A module's names come from its
 * .symtab, a separate debug file (by build id or .gnu_debuglink), or
 * .dynsym with MiniDebugInfo, demangled; addresses in anonymous memory
 * from the process's JIT map (/tmp/perf-PID.map). Kernel addresses resolve
 * through /proc/kallsyms when it is readable.
 */
#ifndef FLAMETOP_SYMBOLS_H
#define FLAMETOP_SYMBOLS_H

#include <stdbool.h>
#include <stdint.h>

#include "flametop/pipeline.h"
#include "flametop/util.h"

struct symbols;

/* Caller frees with symbols_free(). Never NULL. */
struct symbols *symbols_new(void);
void symbols_free(struct symbols *s);

/*
 * Side-band events, fed from the pipeline; `pid` is always the process id
 * (tgid). symbols_mmap adds a mapping (it replaces whatever it overlaps).
 * symbols_fork copies the parent's maps into a new process (pid != ppid;
 * a new thread, pid == ppid, changes nothing). symbols_exec empties the
 * maps: the new image's MMAP2 records follow. symbols_exit forgets the
 * process, after a delay: the last 64 exited processes stay resolvable for
 * samples that arrive late. An MMAP2, fork or exec for an exited pid starts
 * a new process.
 */
void symbols_mmap(struct symbols *s, const struct pipeline_mmap *m);
void symbols_fork(struct symbols *s, uint32_t pid, uint32_t ppid);
void symbols_exec(struct symbols *s, uint32_t pid);
void symbols_exit(struct symbols *s, uint32_t pid);

/*
 * The result of a lookup. Strings are borrowed, valid until symbols_free().
 * `name` is NULL when the address is inside a known module but no symbol
 * covers it; the caller then names the frame "module+0xOFFSET" using
 * `module` and `offset` (the file offset of the address within the module).
 * `module` is never NULL: unmapped addresses give "[unknown]".
 */
struct symbols_frame {
	const char *name;
	const char *module;
	uint64_t offset;
	bool kernel;
};

/*
 * Resolves `addr` in process `pid`; `kernel` says which address space.
 * Loads /proc/PID/maps the first time `pid` is seen (if the process still
 * exists), merged with the mappings already known (its lines replace what
 * they overlap). An address in no known
 * mapping of a live process re-reads /proc/PID/maps, at most once a second
 * per process. A module's symbols are read the first time an address in it
 * is resolved, once. Always fills *out.
 */
void symbols_resolve(struct symbols *s, uint32_t pid, uint64_t addr, bool kernel,
		     struct symbols_frame *out);

/*
 * Whether this machine is the one the records come from (the default):
 * only then are /proc/PID/maps, /proc/PID/root and /proc/kallsyms read.
 * Set it to false before any lookup when resolving recorded data elsewhere;
 * ELF files are then opened by their recorded paths only.
 */
void symbols_set_live(struct symbols *s, bool live);

/*
 * Whether C++ and Rust names are demangled (the default: yes, when
 * flametop was built with libiberty). Set it before any lookup: names are
 * demangled once, when a module's symbols are read.
 */
void symbols_set_demangle(struct symbols *s, bool demangle);

/*
 * Where the symbolizer says something a person should know (a JIT map it
 * refuses to trust, say). NULL (the default) keeps it quiet. Borrowed: it
 * must outlive `s`.
 */
void symbols_set_notice(struct symbols *s, struct ft_notice *notice);

/* Whether kernel symbols are available (kallsyms readable, addresses not zeroed). */
bool symbols_have_kernel(struct symbols *s);

/*
 * Source lines (libdw), for code locations recorded as (module path, file
 * offset): independent of the process maps above, it opens modules by
 * their recorded paths and reads DWARF line tables from the file itself
 * or its separate debug file (found as for symbols: build id, then
 * .gnu_debuglink). Each module is read once. Caller frees with
 * symbols_lines_free(). Never NULL.
 */
struct symbols_lines;
struct symbols_lines *symbols_lines_new(void);
void symbols_lines_free(struct symbols_lines *l);
/*
 * Where it says why a module file has no lines (unreadable, no DWARF;
 * pseudo-modules such as "[vdso]" go unmentioned), once per module. NULL
 * (the default) keeps it quiet. Borrowed: it must outlive `l`.
 */
void symbols_lines_set_notice(struct symbols_lines *l, struct ft_notice *notice);
/*
 * The source line of the address at file offset `offset` in `module`:
 * 0 with *file (borrowed, valid until symbols_lines_free()) and *line
 * (0 when the compiler said "no line"); -ENOENT when the module has no
 * line for it; -ENODATA when the module cannot be read or has no usable
 * DWARF (the notice says which, once per module). *file is
 * NULL unless it returns 0.
 */
int symbols_lines_find(struct symbols_lines *l, const char *module, uint64_t offset,
		       const char **file, unsigned *line);
/*
 * The directory a relative *file of symbols_lines_find() is relative to:
 * the compilation directory (DW_AT_comp_dir) of the unit holding the
 * address at `offset` in `module`. Borrowed, valid until
 * symbols_lines_free(); NULL when the unit names none or has no DWARF.
 */
const char *symbols_lines_comp_dir(struct symbols_lines *l, const char *module, uint64_t offset);

#endif
