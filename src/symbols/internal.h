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
	uint8_t prio; /* among aliases at one address the highest wins */
};

struct symbols_table {
	struct symbols_sym *syms;
	size_t len, cap;
	char *names; /* NUL-terminated names, back to back */
	size_t names_len, names_cap;
};

void symbols_table_init(struct symbols_table *t);
void symbols_table_free(struct symbols_table *t);
/*
 * Adds a symbol; `name` is copied. With `size` 0 the symbol extends to the
 * next symbol, but never past `max_end` (UINT64_MAX for no bound).
 */
void symbols_table_add(struct symbols_table *t, uint64_t start, uint64_t size, uint64_t max_end,
		       const char *name, uint16_t module, uint8_t prio);
/*
 * Sorts, drops aliases (keeping one symbol per address: sized before
 * unsized, higher prio, fewer leading underscores, shorter name) and gives
 * unsized symbols their end. Call once, after the last add.
 */
void symbols_table_finish(struct symbols_table *t);
/* The symbol covering `addr`, or NULL. Borrowed, valid until the table is freed. */
const struct symbols_sym *symbols_table_lookup(const struct symbols_table *t, uint64_t addr);
/* The name of `sym` (borrowed, valid until the table is freed). */
const char *symbols_table_name(const struct symbols_table *t, const struct symbols_sym *sym);

/* A PT_LOAD segment: file bytes [offset, offset + filesz) are at vaddr. */
struct symbols_segment {
	uint64_t offset, filesz, vaddr;
};

/* The function symbols of one ELF image. */
struct symbols_elf {
	struct symbols_segment *segs;
	size_t nsegs;
	struct symbols_table table;
	uint8_t build_id[20];
	uint8_t build_id_size; /* 0 when the image has no NT_GNU_BUILD_ID note */
};

/*
 * Reads the function symbols (.symtab, else .dynsym) of the ELF file at
 * `path`. Caller frees with symbols_elf_free(); NULL with `err` filled when
 * the file cannot be read or is not a usable ELF executable or library.
 */
struct symbols_elf *symbols_elf_open(const char *path, struct ft_error *err);
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
/* The name of the function at virtual address `vaddr`, or NULL (borrowed, valid until freed). */
const char *symbols_elf_lookup(const struct symbols_elf *e, uint64_t vaddr);

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
void symbols_kernel_free(struct symbols_kernel *k);
bool symbols_kernel_available(const struct symbols_kernel *k);
/*
 * Fills *out for kernel address `addr`: name (or NULL), module
 * ("[kernel.kallsyms]" or "[MODNAME]"), offset (addr minus _text for the
 * core kernel, minus the module's base for a module, or the raw address
 * when neither is known) and kernel = true. Strings are borrowed, valid
 * until symbols_kernel_free().
 */
void symbols_kernel_lookup(const struct symbols_kernel *k, uint64_t addr, struct symbols_frame *out);

/*
 * For tests: how long after reading /proc/PID/maps an address that falls in
 * no known mapping may cause it to be read again (default one second).
 */
void symbols_set_rescan_interval(struct symbols *s, uint64_t ns);

#endif
