/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Symbolization: turns (pid, address) into (function, module).
 *
 * Mappings and modules come from the process-map layer (procmap.h), which
 * the pipeline feeds; the symbolizer keeps, per module and through that
 * layer, the module's symbol table, so the cost is per module, never per
 * sample. A module's names come from its .symtab, a separate debug file
 * (by build id or .gnu_debuglink), or .dynsym with MiniDebugInfo,
 * demangled; addresses in anonymous memory from the process's JIT map
 * (/tmp/perf-PID.map). Kernel addresses resolve through /proc/kallsyms
 * when it is readable.
 *
 * Everything read on behalf of a process is bounded (the SYMBOLS_* and
 * PROCMAP_* limits, named in the man page's LIMITS section): a module
 * that exceeds them keeps module+0xOFFSET names, with one notice through
 * the layer's notice callback (procmap_set_notice).
 */
#ifndef FLAMETOP_SYMBOLS_H
#define FLAMETOP_SYMBOLS_H

#include <stdbool.h>
#include <stdint.h>

#include "flametop/pipeline.h"
#include "flametop/procmap.h"
#include "flametop/util.h"

/* Mangled names longer than this are shown as they are. */
#define SYMBOLS_DEMANGLE_MAX_IN 4096
/* A demangled name that would grow past this is shown mangled. */
#define SYMBOLS_DEMANGLE_MAX_OUT 16384
/* Time spent demangling one module's names; the rest stay mangled. */
#define SYMBOLS_DEMANGLE_BUDGET_NS (2 * 1000000000ull)
/* A .gnu_debuglink candidate larger than this is not checksummed. */
#define SYMBOLS_DEBUGLINK_MAX (1ull << 30)
/* Memory liblzma may use to decompress MiniDebugInfo. */
#define SYMBOLS_XZ_MEMLIMIT (64ull << 20)
/* What is read of one JIT map, ever: bytes, entries; and maps kept at once. */
#define SYMBOLS_JITMAP_MAX_BYTES (128ull << 20)
#define SYMBOLS_JITMAP_MAX_ENTRIES (1u << 20)
#define SYMBOLS_JITMAPS_MAX 64
/* symbols_jit_refresh() reads the JIT maps at most this often. */
#define SYMBOLS_JIT_REFRESH_NS (100 * 1000000ull)

/*
 * Inlined functions (from a module's DWARF, libdw): an address in code a
 * compiler inlined gets a frame for each function inlined there, named
 * NAME SYMBOLS_INLINED_SUFFIX in the module of the function they were
 * inlined into. At most SYMBOLS_INLINE_FRAMES of them per address; a
 * lookup walks at most SYMBOLS_INLINE_DEPTH levels of nesting and
 * SYMBOLS_INLINE_DIES entries; a module's lookups together get
 * SYMBOLS_INLINE_BUDGET_NS; the DWARF sections read into memory (from
 * files not a trusted user's alone, which are mapped; see inline.c), of
 * all modules together, decompressed, take at most
 * SYMBOLS_INLINE_DWARF_MAX: a module that would pass it gets none; a name
 * longer than SYMBOLS_INLINE_NAME_MAX is replaced by its short DW_AT_name.
 */
#define SYMBOLS_INLINED_SUFFIX " (inlined)"
#define SYMBOLS_INLINE_FRAMES 16
#define SYMBOLS_INLINE_DEPTH 64
#define SYMBOLS_INLINE_DIES (1u << 20)
#define SYMBOLS_INLINE_BUDGET_NS (2 * 1000000000ull)
#define SYMBOLS_INLINE_DWARF_MAX (256ull << 20)
#define SYMBOLS_INLINE_NAME_MAX 1024
/* Answers kept per module (each address is looked up once). */
#define SYMBOLS_INLINE_CACHE (1u << 18)

/*
 * The name of a signal frame's return address: the sigreturn trampoline
 * (glibc's __restore_rt, a local symbol, unnamed without debug files) that
 * the handler above returns to, which no call reached.
 */
#define SYMBOLS_SIGNAL_FRAME "[signal]"

struct symbols;

/*
 * `pm` is borrowed and must outlive the symbolizer, which registers with
 * it as a consumer (procmap_register). Caller frees with symbols_free().
 * Never NULL.
 */
struct symbols *symbols_new(struct procmap *pm);
void symbols_free(struct symbols *s);

/*
 * The result of a lookup. Strings are borrowed, valid until the next call
 * to symbols_resolve() or to the process-map layer (a module's names go
 * with it, a JIT map may be dropped): copy or intern them at once.
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
 * The mapping comes from procmap_find() (which reads /proc/PID/maps the
 * first time and on a miss, for live data). A module's symbols are read
 * the first time an address in it is resolved, once. Kernel symbols and
 * JIT maps are read only when the layer is live. Always fills *out.
 */
void symbols_resolve(struct symbols *s, uint32_t pid, uint64_t addr, bool kernel,
		     struct symbols_frame *out);

/*
 * The functions inlined at user address `addr` of process `pid` (looked
 * up as symbols_resolve() looks it up), innermost first: up to
 * SYMBOLS_INLINE_FRAMES names into names[], each ending in
 * SYMBOLS_INLINED_SUFFIX, borrowed, valid as long as the module is
 * (procmap.h: copy or intern them at once). Returns
 * how many: 0 when none, when the module has no DWARF (nor a debug file
 * with it), or when inlined frames are off (symbols_set_inline()). The
 * function they were inlined into is the one symbols_resolve() names.
 */
size_t symbols_inlined(struct symbols *s, uint32_t pid, uint64_t addr, const char **names);

/*
 * Whether symbols_inlined() looks (the default: yes). Set it before any
 * lookup.
 */
void symbols_set_inline(struct symbols *s, bool on);
/* For tests: a module's time for inlined lookups (default SYMBOLS_INLINE_BUDGET_NS). */
void symbols_set_inline_budget(struct symbols *s, uint64_t ns);

/*
 * Live data only: reads what was appended to each JIT map in use since it
 * was last read (at most every SYMBOLS_JIT_REFRESH_NS; sooner calls do
 * nothing), and calls `changed` with the pid of each map whose entries
 * changed. A JIT may put new code where old code was without mapping
 * anything, and append its name: an address resolved before may now have
 * another name (the newest entry's), so what was cached of that process's
 * addresses is stale.
 */
void symbols_jit_refresh(struct symbols *s, void (*changed)(void *ctx, uint32_t pid), void *ctx);


/*
 * Whether C++ and Rust names are demangled (the default: yes, when
 * flametop was built with libiberty). Set it before any lookup: names are
 * demangled once each, the first time a lookup returns them.
 */
void symbols_set_demangle(struct symbols *s, bool demangle);

/* Whether kernel symbols are available (kallsyms readable, addresses not zeroed). */
bool symbols_have_kernel(struct symbols *s);
/* The bytes the kernel's symbols hold: 0 until they were first needed. */
size_t symbols_kernel_memory(const struct symbols *s);
/*
 * Calls `each` with the name and range [start, end) of every kernel
 * function, in address order, until it returns false: for a caller that
 * looks for a few of them by name (offcpu's reasons) without reading
 * kallsyms again. They are the ones symbols_resolve() names kernel
 * addresses by, read once for both, the first time either needs them
 * (live data only): one name per address (of aliases, the one kallsyms
 * lists last), each function running to the next; none when kernel
 * symbols are unavailable. `name` is borrowed, valid until
 * symbols_free().
 */
void symbols_kernel_functions(struct symbols *s,
			      bool (*each)(void *ctx, const char *name, uint64_t start,
					   uint64_t end),
			      void *ctx);
/*
 * For tests: read kernel symbols from `kallsyms` and `modules` (NULL:
 * none), live data or not, instead of /proc/kallsyms and /proc/modules.
 * Copied. Set it before any lookup.
 */
void symbols_set_kallsyms(struct symbols *s, const char *kallsyms, const char *modules);

/* What the DWARF of all modules symbols_lines reads may take in memory, decompressed. */
#define SYMBOLS_LINES_DWARF_MAX (256ull << 20)

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
 * DWARF (the notice says which, once per module); -ESTALE when
 * `function` (the name the session gave the address, or NULL: not
 * checked) is not what the module's symbols name it now: the file was
 * replaced since (an upgrade, a rebuild), and its lines would be another
 * build's (said once per module). *file is NULL unless it returns 0.
 */
int symbols_lines_find(struct symbols_lines *l, const char *module, uint64_t offset,
		       const char *function, const char **file, unsigned *line);
/*
 * Whether symbols_lines_find() found `module` replaced since (-ESTALE):
 * from then on it gives no line of it, and a line it gave before is
 * suspect too (the same function at the same offset in another build).
 */
bool symbols_lines_changed(struct symbols_lines *l, const char *module);
/*
 * The directory a relative *file of symbols_lines_find() is relative to:
 * the compilation directory (DW_AT_comp_dir) of the unit holding the
 * address at `offset` in `module`. Borrowed, valid until
 * symbols_lines_free(); NULL when the unit names none or has no DWARF.
 */
const char *symbols_lines_comp_dir(struct symbols_lines *l, const char *module, uint64_t offset);
/*
 * Whether the DWARF of `module` comes from a file that a trusted user
 * (ft_uid_trusted: root, the effective user, the user who ran sudo) owns
 * and no one else may write: the source files it names were chosen by
 * that user, not by a stranger whose program flametop profiles as root.
 */
bool symbols_lines_trusted(struct symbols_lines *l, const char *module);

/*
 * Where function `name` starts in the ELF file at `path`, as an offset
 * into the file (what a uprobe is attached at): its .dynsym or .symtab
 * entry, through the program headers. 0, or -errno with `err` set
 * (-ENOENT: no such function there).
 */
int symbols_func_file_offset(const char *path, const char *name, uint64_t *offset,
			     struct ft_error *err);

#endif
