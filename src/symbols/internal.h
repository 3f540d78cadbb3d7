/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the files of the symbols subsystem share and nothing else sees: a
 * sorted symbol table (table.c), the symbols of one ELF image together with
 * the program headers that turn file offsets into its virtual addresses
 * (elf.c), and the kernel's symbols from /proc/kallsyms (kernel.c).
 * symbols.c ties them to per-process memory maps behind symbols.h.
 */
#ifndef FLAMETOP_SYMBOLS_INTERNAL_H
#define FLAMETOP_SYMBOLS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <elfutils/libdw.h>

#include "flametop/procmap.h"
#include "flametop/symbols.h"
#include "flametop/util.h"

/*
 * One symbol: the half-open range [start, end). While a table is being
 * built, `sized` is false for symbols whose size was zero or unknown; their
 * `end` is then only an upper bound (the end of their section, say) and
 * symbols_table_finish() cuts it at the next symbol.
 */
struct symbols_sym {
	uint64_t start, end;
	uint32_t name; /* offset into symbols_table.names */
	uint16_t module; /* kernel.c: index of the kernel module; 0 elsewhere */
	uint8_t sized;
	/* Among aliases at one address the highest wins: in elf.c global 2, local 1, weak
	 * and labels 0; in kernel.c the later listed in kallsyms. */
	uint8_t prio;
};

/*
 * How a table's names are shown, when that may differ from how they are
 * stored (elf.c demangles when a name is looked up).
 */
struct symbols_shown {
	/* Whether `name` may be shown otherwise (cheap: no demangling). */
	bool (*differs)(void *ctx, const char *name);
	/* The name `name` is shown by, malloc'd (caller frees), or NULL: as stored. */
	char *(*get)(void *ctx, const char *name);
	void *ctx;
};

struct symbols_table {
	struct symbols_sym *syms;
	size_t len, cap;
	char *names; /* NUL-terminated names, back to back */
	size_t names_len, names_cap;
	/*
	 * Aliases whose ranking needs their shown names, decided when first
	 * looked up (symbols_table_settle): `pending` maps a kept symbol's
	 * index + 1 to the index in `aliases` of its run's candidates (a run
	 * is the consecutive entries of one start address), or to
	 * SYMBOLS_SETTLED once decided.
	 */
	struct symbols_shown shown;
	struct u64map pending;
	struct symbols_sym *aliases;
	size_t aliases_len, aliases_cap;
	/* A table of a file mapped read-only (symbols_table_adopt()): its mapping. */
	void *map;
	size_t map_len;
};
#define SYMBOLS_SETTLED UINT32_MAX

void symbols_table_init(struct symbols_table *t);
void symbols_table_free(struct symbols_table *t);
/*
 * Adds a symbol; `name` is copied. With `size` 0 the symbol extends to the
 * next symbol, but never past `max_end` (UINT64_MAX for no bound).
 */
void symbols_table_add(struct symbols_table *t, uint64_t start, uint64_t size, uint64_t max_end,
		       const char *name, uint16_t module, uint8_t prio);
/* Makes room for `n` symbols in all, so that adding them does not reallocate. */
void symbols_table_reserve(struct symbols_table *t, size_t n);
/*
 * For a builder that has its names in one buffer already (kernel.c): adds
 * a symbol whose name is at offset `name` of the buffer it hands over with
 * symbols_table_set_names() before symbols_table_finish(). Offsets must
 * grow in the order symbols are added (that order breaks ties between
 * aliases). Do not mix with symbols_table_add() in one table.
 */
void symbols_table_add_ref(struct symbols_table *t, uint64_t start, uint64_t size,
			   uint64_t max_end, size_t name, uint16_t module, uint8_t prio);
/*
 * Gives the table `names`, `len` bytes of NUL-terminated names in an
 * array of `cap` bytes from xbig_reallocarray(); the table frees it.
 */
void symbols_table_set_names(struct symbols_table *t, char *names, size_t len, size_t cap);
/*
 * Makes the empty table `t` a finished one of `syms` (`n` of them, sorted,
 * apart) and `names` (`names_len` bytes), which lie in `map`, a read-only
 * mapping of `map_len` bytes (kcache.c's file): the table unmaps it.
 */
void symbols_table_adopt(struct symbols_table *t, const struct symbols_sym *syms, size_t n,
			 const char *names, size_t names_len, void *map, size_t map_len);
/*
 * Sorts by address (one pass when the symbols came sorted), drops aliases
 * (keeping one symbol per address, as perf does: sized before unsized,
 * higher prio, fewer leading underscores, longer name, added first) and
 * gives unsized symbols their end. Call once, after the last add.
 */
void symbols_table_finish(struct symbols_table *t);
/*
 * The same, where the name a symbol is shown by may differ from the one
 * stored: aliases are ranked by their shown names. So that only names
 * looked up are ever shown (demangled), a run of aliases whose ranking
 * comes down to names that `sh->differs` about is left undecided: its
 * first candidate stands for it, covering the widest of their ranges,
 * until symbols_table_settle() decides. `sh` is copied.
 */
void symbols_table_finish_shown(struct symbols_table *t, const struct symbols_shown *sh);
/*
 * `sym` (from symbols_table_lookup() on `t`) with its aliases ranked, if
 * that was left for later: the best alias's name and range replace the
 * stand-in's, so check the address against its end again.
 */
const struct symbols_sym *symbols_table_settle(struct symbols_table *t,
					       const struct symbols_sym *sym);
/* The symbol covering `addr`, or NULL. Borrowed, valid until the table is freed. */
const struct symbols_sym *symbols_table_lookup(const struct symbols_table *t, uint64_t addr);
/* The name of `sym` (borrowed, valid until the table is freed). */
const char *symbols_table_name(const struct symbols_table *t, const struct symbols_sym *sym);

/* A PT_LOAD segment: file bytes [offset, offset + filesz) are at vaddr. */
struct symbols_segment {
	uint64_t offset, filesz, vaddr;
};

/* Where the names of an image came from (decided once, when it is read). */
enum symbols_source {
	SYMBOLS_SOURCE_NONE, /* no symbols at all: frames are module+0xOFFSET */
	SYMBOLS_SOURCE_SYMTAB, /* the file's own .symtab */
	SYMBOLS_SOURCE_DYNSYM, /* only .dynsym: a stripped file, no debug file */
	SYMBOLS_SOURCE_BUILD_ID, /* <debug dir>/.build-id/xx/yyyy.debug */
	SYMBOLS_SOURCE_DEBUGLINK, /* the file named by .gnu_debuglink, CRC checked */
	SYMBOLS_SOURCE_MINIDEBUGINFO, /* .dynsym plus .gnu_debugdata's .symtab */
};

/* The default debug directory, where distributions put debug files. */
#define SYMBOLS_DEBUG_DIR "/usr/lib/debug"

/*
 * Demangling of one image's names, done lazily: a name is demangled the
 * first time a lookup returns it (or when it must be ranked among
 * aliases), and kept. `shown` maps a symbol's index + 1 to an index into
 * `names` (the demangled names), or to DEMANGLE_AS_IS for a name left as
 * it is. The time spent counts against SYMBOLS_DEMANGLE_BUDGET_NS; past
 * it, names not yet demangled stay mangled (`late`).
 */
struct symbols_demangling {
	bool on;
	bool late;
	bool said; /* the budget's notice was given (symbols.c) */
	uint64_t ns;
	uint64_t names_raw; /* names left mangled: caps, budget */
	struct u64map shown;
	char **names;
	size_t len, cap;
};

/* The function symbols of one ELF image. */
struct symbols_elf {
	struct symbols_segment *segs;
	size_t nsegs;
	struct symbols_table table;
	struct symbols_demangling dm;
	uint8_t build_id[20];
	uint8_t build_id_size; /* 0 when the image has no NT_GNU_BUILD_ID note */
	enum symbols_source source;
	char *debug_path; /* the separate debug file the names came from, or NULL */
	/* Where the sigreturn trampoline is (symbols.c): not looked for yet,
	 * none, or at file offset `sigreturn`. */
	enum { SIGRETURN_UNKNOWN, SIGRETURN_NONE, SIGRETURN_FOUND } sigreturn_state;
	uint64_t sigreturn;
};

/* How to read an image's symbols. */
struct symbols_elf_opts {
	/* The path the process knows the file by (its directory is where
	 * .gnu_debuglink files are looked for, inside the file's root); NULL:
	 * the path opened. */
	const char *known_path;
	const char *debug_dir; /* NULL: SYMBOLS_DEBUG_DIR */
	bool debug_files; /* look for debug files and MiniDebugInfo */
	bool demangle; /* demangle C++ and Rust names */
};

/*
 * What reading an image cost, for the caller to count and say. (Names are
 * demangled later, when looked up: what that costs is in the image's
 * struct symbols_demangling.)
 */
struct symbols_elf_report {
	uint64_t debug_refused; /* debug file candidates refused (too big, sparse, not regular) */
	bool late; /* given up at the file's deadline: the result is NULL */
};

/*
 * Reads the function symbols of the ELF file `f` (open, see procmap.h;
 * borrowed, not closed): its .symtab, else those of a separate debug file,
 * else .dynsym (with MiniDebugInfo). Debug files beside the file are
 * looked for inside f->root. Everything is bounded: sections of at most
 * PROCMAP_READ_MAX bytes, f's deadline (past it: NULL and rep->late),
 * the demangling caps. Caller frees with symbols_elf_free(); NULL with
 * `err` filled when the file cannot be read or is not a usable ELF
 * executable or library. `rep` may be NULL.
 */
struct symbols_elf *symbols_elf_read(struct procmap_file *f, const struct symbols_elf_opts *opts,
				     struct symbols_elf_report *rep, struct ft_error *err);
/* The same for the file at `path` (opened with procmap_file_open(), no final symbolic link). */
struct symbols_elf *symbols_elf_open_with(const char *path, const struct symbols_elf_opts *opts,
					  struct ft_error *err);
/*
 * Opens the file holding the DWARF line tables of the ELF file at `path`:
 * `path` itself when it has them, else its separate debug file, found as
 * for symbols (by build id, then by .gnu_debuglink beside
 * `opts->known_path`, CRC checked) when `opts->debug_files`. 0 with *out
 * open (caller closes) and *found its path (caller frees), or -ENOENT.
 */
int symbols_elf_dwarf_open(const char *path, const struct symbols_elf_opts *opts,
			   struct procmap_file *out, char **found);
/*
 * The same for a module already open in `f` (borrowed; *out gets a
 * descriptor of its own when the DWARF is in `f` itself, and *found is
 * then `opts->known_path`, which must not be NULL).
 */
int symbols_elf_dwarf_find(struct procmap_file *f, const struct symbols_elf_opts *opts,
			   struct procmap_file *out, char **found);
/* The same with debug files and demangling on, the default debug directory. */
struct symbols_elf *symbols_elf_open(const char *path, struct ft_error *err);
/* About how many bytes `e` holds. */
size_t symbols_elf_cost(const struct symbols_elf *e);
/* A short description of a source, for messages and tests. Static storage. */
const char *symbols_source_name(enum symbols_source source);
/*
 * The same from an image in memory (the vdso). `image` is only read during
 * the call (it is copied first, so a read-only mapping is fine).
 */
struct symbols_elf *symbols_elf_from_memory(const void *image, size_t size, struct ft_error *err);
/* Our own vdso (getauxval(AT_SYSINFO_EHDR)), which every 64-bit process shares. Same contract. */
struct symbols_elf *symbols_elf_vdso(struct ft_error *err);
void symbols_elf_free(struct symbols_elf *e);
/*
 * Turns a file offset into the virtual address the ELF image gives it,
 * through the PT_LOAD segments. Returns 0, or -ENOENT when no segment holds
 * that offset.
 */
int symbols_elf_offset_to_vaddr(const struct symbols_elf *e, uint64_t offset, uint64_t *vaddr);
/*
 * The name of the function at virtual address `vaddr`, or NULL (borrowed,
 * valid until freed), demangled (the first time, then kept) when the
 * image was read with opts->demangle, within the caps and e->dm's budget.
 */
const char *symbols_elf_lookup(struct symbols_elf *e, uint64_t vaddr);

/*
 * The compilation unit covering `addr` (lines.c): through .debug_aranges,
 * else (a compiler that writes none) by asking every unit whether it
 * covers it. `out`, or NULL.
 */
Dwarf_Die *symbols_lines_cu(Dwarf *dw, Dwarf_Addr addr, Dwarf_Die *out);
/*
 * What libdw would hold in memory of `elf`'s DWARF (lines.c): the sum of
 * its .debug_* sections, decompressed (only of the compressed ones when
 * `mapped`), or UINT64_MAX when a section's size cannot be known (a GNU
 * .zdebug section, a compression header that does not read) or the sum is
 * more than `max`. *compressed says whether any section is.
 */
uint64_t symbols_lines_dwarf_bytes(Elf *elf, bool mapped, uint64_t max, bool *compressed);
/*
 * Whether `dw` refers to a supplementary file (.gnu_debugaltlink, dwz's),
 * or its section does not read. libdw opens the path that section names
 * itself, with a blocking open() (a FIFO there never answers), the first
 * time a name or an entry refers into it: only a file that a trusted user
 * owns and no one else may write may have it followed.
 */
bool symbols_lines_dwarf_altlink(Dwarf *dw);

/*
 * The functions inlined at an address (inline.c), from a module's DWARF.
 * symbols_inline_open() finds the DWARF of the module open in `f` (the
 * file itself, or its debug file; `known_path` as for
 * symbols_elf_dwarf_find) and returns its handle (caller frees with
 * symbols_inline_free()) with *cost its bytes, or NULL: no DWARF, or
 * refused (it would hold more than `room` bytes in memory: see inline.c),
 * which `err` then says (its msg is empty otherwise).
 * The handle holds no file descriptor (a box may have thousands of
 * modules). symbols_inline_bytes() is what it holds of the DWARF in memory;
 * symbols_inline_cost() all it holds, the answers kept included (what a
 * trim frees), which grows as addresses are looked up.
 * symbols_inline_find() puts the names of the functions inlined at
 * link-time address `vaddr`, innermost first, each with
 * SYMBOLS_INLINED_SUFFIX, in names[0, SYMBOLS_INLINE_FRAMES) (borrowed,
 * valid until the handle is freed) and returns how many: 0 when none, or
 * when the module's lookups had taken more than `budget_ns` together
 * (SYMBOLS_INLINE_BUDGET_NS but in tests) before this address was looked
 * up. symbols_inline_late() is true once, the first time it is asked
 * after that happened.
 */
struct symbols_inline;
#define SYMBOLS_INLINE_NAME_SIZE (SYMBOLS_INLINE_NAME_MAX + sizeof(SYMBOLS_INLINED_SUFFIX))
struct symbols_inline *symbols_inline_open(struct procmap_file *f, const char *known_path,
					   size_t room, struct ft_error *err, size_t *cost);
size_t symbols_inline_bytes(const struct symbols_inline *in);
size_t symbols_inline_cost(const struct symbols_inline *in);
void symbols_inline_free(struct symbols_inline *in);
size_t symbols_inline_find(struct symbols_inline *in, uint64_t vaddr, bool demangle,
			   uint64_t budget_ns, const char **names);
bool symbols_inline_late(struct symbols_inline *in);

/*
 * Kernel symbols. symbols_kernel_load() reads `kallsyms_path` (normally
 * /proc/kallsyms) and, when it can, `modules_path` (/proc/modules, for
 * the bounds and base addresses of modules; may be NULL). It never fails:
 * when the file is unreadable or every address is zero (kptr_restrict) the
 * result says so through symbols_kernel_available() and lookups give name
 * NULL. Caller frees with symbols_kernel_free().
 */
struct symbols_kernel;
struct symbols_kernel *symbols_kernel_load(const char *kallsyms_path, const char *modules_path);

/* The name of the core kernel's module. */
#define SYMBOLS_KERNEL_CORE "[kernel.kallsyms]"
/* How far a last symbol, whose end nothing says, runs. */
#define SYMBOLS_KERNEL_LAST_MAX 4096
/* A module of the kernel's symbols; mods[0] is the core kernel. */
struct kernel_module {
	char *name; /* "[kernel.kallsyms]", "[ext4]" */
	uint64_t base, end; /* end 0: bounds unknown */
};

/*
 * The kernel's text symbols kept between runs (kcache.c): where, and
 * where to read what says a cache is still right.
 */
struct symbols_kcache {
	const char *dir; /* made (0700) when missing: "/run/flametop" */
	const char *boot_id; /* "/proc/sys/kernel/random/boot_id" */
	const char *sys_module; /* "/sys/module", for modules' build ids; NULL: none */
};
/*
 * symbols_kernel_load() with a cache: the symbols come from `cache` when
 * its key is still right, and a full read of `kallsyms_path` writes a new
 * one. An address the cached symbols do not cover (a BPF program, a
 * trampoline) has the first lookup of one read kallsyms whole, once, for
 * the symbols the cache does not keep. `cache` NULL: no cache.
 */
struct symbols_kernel *symbols_kernel_load_cached(const char *kallsyms_path,
						  const char *modules_path,
						  const struct symbols_kcache *cache);
/*
 * The cache's key, malloc'd, its length in *len: the boot id, `head` (the
 * first line of kallsyms, without its newline), and the bounds and build
 * id of each module of mods[1, nmods) that has bounds. NULL when there is
 * no boot id or no head.
 */
char *kcache_key(const struct symbols_kcache *c, const char *head, size_t head_len,
		 const struct kernel_module *mods, size_t nmods, size_t *len);
/*
 * Fills the empty table `t` (finished) and *mods, *nmods (malloc'd, as
 * kernel.c frees them) from the cache, when it is ours, well formed and
 * for `key`; false, with nothing changed, otherwise.
 */
bool kcache_load(const struct symbols_kcache *c, const char *key, size_t key_len,
		 struct symbols_table *t, struct kernel_module **mods, size_t *nmods);
/*
 * Writes the finished table `t` of modules `mods` as the cache for `key`:
 * the symbols of the core kernel and of the modules with bounds. Does
 * nothing when it cannot (no directory of ours to write in, no room).
 */
void kcache_store(const struct symbols_kcache *c, const char *key, size_t key_len,
		  const struct symbols_table *t, const struct kernel_module *mods, size_t nmods);
void symbols_kernel_free(struct symbols_kernel *k);
bool symbols_kernel_available(const struct symbols_kernel *k);
/* About how many bytes `k` holds (its arrays at their capacity). */
size_t symbols_kernel_cost(const struct symbols_kernel *k);
/*
 * Calls `each` with every function of `k` (as symbols_kernel_lookup()
 * names them: one per address, each running to the next) in address
 * order, until it returns false; none when `k` is not available. `name`
 * is borrowed, valid until symbols_kernel_free().
 */
void symbols_kernel_each(const struct symbols_kernel *k,
			 bool (*each)(void *ctx, const char *name, uint64_t start, uint64_t end),
			 void *ctx);
/*
 * Fills *out for kernel address `addr`: name (or NULL), module
 * ("[kernel.kallsyms]" or "[MODNAME]"), offset (addr minus _text for the
 * core kernel, minus the module's base for a module, or the raw address
 * when neither is known) and kernel = true. Strings are borrowed, valid
 * until symbols_kernel_free().
 */
void symbols_kernel_lookup(struct symbols_kernel *k, uint64_t addr, struct symbols_frame *out);

/*
 * A JIT map, /tmp/perf-PID.map. symbols_jitmap_new() records the path (as
 * the process sees it) and its process `pid` (0: none, open the path as it
 * is) and reads nothing; caller frees with symbols_jitmap_free(). The file
 * is opened inside the process's root, /proc/PID/root, when that opens;
 * when it does not (the process is gone), as the path is when `owner`
 * says the root was ours, else not (-ESRCH, said in `err`).
 * symbols_jitmap_refresh() reads what was appended since the last call
 * (the whole file when it is new, replaced or shorter), within
 * SYMBOLS_JITMAP_MAX_BYTES and SYMBOLS_JITMAP_MAX_ENTRIES. It returns 0,
 * -errno when the file cannot be opened (-ENOENT: not there, yet), or
 * -EPERM when it must not be trusted: a symbolic link, not a regular
 * file, sparse, owned by neither `owner`'s user nor root, or writable by
 * others;
 * a refused map stays refused and is never read again. What a person
 * should hear (the refusal, the first time; a cap reached, once) is left
 * in `err`, whose msg is empty otherwise. Names from
 * symbols_jitmap_lookup() (NULL when no entry covers `addr`) are
 * borrowed, valid until the map is freed or a refresh finds a new file;
 * the path until the map is freed. symbols_jitmap_version() moves on
 * whenever a refresh adds or drops entries: names looked up before may
 * have changed.
 */
struct symbols_jitmap;
struct symbols_jitmap *symbols_jitmap_new(const char *path, uint32_t pid);
void symbols_jitmap_free(struct symbols_jitmap *m);
int symbols_jitmap_refresh(struct symbols_jitmap *m, const struct procmap_owner *owner,
			   struct ft_error *err);
const char *symbols_jitmap_lookup(const struct symbols_jitmap *m, uint64_t addr);
const char *symbols_jitmap_path(const struct symbols_jitmap *m);
uint64_t symbols_jitmap_version(const struct symbols_jitmap *m);

/*
 * For tests: the directory of JIT maps (default "/tmp"). Copied. Set it
 * before any lookup.
 */
void symbols_set_jitmap_dir(struct symbols *s, const char *dir);

#endif
