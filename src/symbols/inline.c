/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inlined functions with elfutils' libdw: the functions a compiler
 * inlined at an address, innermost first, so that time spent in a small
 * function inlined into a big one is shown under its own name, as
 * `perf report --inline` and `addr2line -i` show it.
 *
 * It is the symbolizer's second per-module consumer of the process-map
 * layer (symbols.c): a module's DWARF is opened the first time an address
 * in it is resolved, from the module's own file as the layer opened it
 * (map_files, the process's root; never a user's FUSE mount) or from its
 * separate debug file (build id, then .gnu_debuglink, CRC checked, as for
 * symbols). A module without DWARF costs one look and is never asked
 * again.
 *
 * The files may be a hostile user's, read as root, so everything is
 * bounded. libdw reads DWARF sections whole: from a file that a trusted
 * user owns and no one else may write (the rule lines.c shows sources
 * by: a debug file under /usr/lib/debug, a program of root's) they are
 * mapped, which costs pages of the page cache as they are touched; from
 * any other file, which its owner could truncate under a mapping (a
 * SIGBUS), they are read into memory, and all modules' read sections
 * together, decompressed, may take at most SYMBOLS_INLINE_DWARF_MAX
 * bytes (so may a mapped file's compressed sections, which libdw
 * decompresses into memory); GNU .zdebug sections, whose size is not in
 * their header, are refused, and so is the DWARF read into memory that
 * refers to a supplementary file (.gnu_debugaltlink), which libdw would
 * open by the path the file names, blocking (a FIFO). Once libdw has
 * begun, the file is closed: no descriptor is held per module. The
 * distribution's debug files (under SYMBOLS_DEBUG_DIR) are not used
 * when their DWARF is compressed, as Debian's and Fedora's is: libdw
 * decompresses it whole when it opens the file, which for glibc's
 * (libc6-dbg) took 110 to 250 ms and 10 MiB here, at the first sample
 * of every process (a caller frame is in libc), and lost an alloc
 * profile's records while the rings were not read; for the inlined
 * functions of the system's libraries. A lookup walks the DIE tree
 * itself, not with dwarf_getscopes(), whose recursion follows the
 * tree's nesting however deep a forged file makes it: at most
 * SYMBOLS_INLINE_DEPTH levels and SYMBOLS_INLINE_DIES entries a lookup;
 * and a module's lookups, together, get SYMBOLS_INLINE_BUDGET_NS, after
 * which its addresses not looked up yet get no inlined frames
 * (symbols.c says so, once).
 *
 * Each answer is kept (for SYMBOLS_INLINE_CACHE addresses of a module),
 * so that an address is looked up once whatever the callers forget (the
 * collect stage drops a process's addresses whenever it maps something),
 * and gets the same answer every time, before the budget ran out and
 * after; what the answers take is part of the module's cost to the
 * process-map layer (symbols_inline_cost), which a trim frees.
 */
#include "config.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "demangle.h"
#include "internal.h"

/* An answer's count takes the low bits of its run. */
#define RUN_SHIFT 5
_Static_assert(SYMBOLS_INLINE_FRAMES < 1u << RUN_SHIFT, "a run's count fits its bits");

struct symbols_inline {
	Elf *elf; /* of the file holding the DWARF, which it no longer reads */
	Dwarf *dw;
	size_t bytes; /* what libdw holds in memory of it (not mapped) */
	uint64_t ns; /* spent in lookups so far */
	struct u64map answers; /* vaddr + 1 -> run: start in `run_names` << 5 | count */
	uint32_t *run_names; /* the answers' names (ids in `names`), innermost first */
	uint32_t runs_len, runs_cap;
	struct strtab names; /* "NAME (inlined)" */
	size_t names_bytes; /* their characters */
	bool late; /* ... past SYMBOLS_INLINE_BUDGET_NS: no more lookups */
	bool said; /* the budget's notice was given (symbols.c) */
};

struct symbols_inline *symbols_inline_open(struct procmap_file *f, const char *known_path,
					   size_t room, struct ft_error *err, size_t *cost)
{
	struct symbols_elf_opts opts = { .known_path = known_path, .debug_files = true };
	struct symbols_inline *in = xcalloc(1, sizeof(*in));
	struct procmap_file file = { .fd = -1, .root = -1 };
	bool mapped, compressed;
	uint64_t bytes;
	char *found;

	u64map_init(&in->answers);
	strtab_init(&in->names);
	err->msg[0] = '\0';
	if (symbols_elf_dwarf_find(f, &opts, &file, &found) < 0)
		goto out_none;
	mapped = ft_uid_trusted((uid_t)file.uid) && !(file.mode & (S_IWGRP | S_IWOTH));
	in->elf = elf_begin(file.fd, mapped ? ELF_C_READ_MMAP : ELF_C_READ, NULL);
	if (!in->elf)
		goto out_file;
	bytes = symbols_lines_dwarf_bytes(in->elf, mapped, SYMBOLS_INLINE_DWARF_MAX, &compressed);
	if (bytes != UINT64_MAX && compressed &&
	    strncmp(found, SYMBOLS_DEBUG_DIR "/", strlen(SYMBOLS_DEBUG_DIR "/")) == 0)
		goto out_elf; /* the distribution's: see the top of this file */
	if (bytes == UINT64_MAX || bytes > room) {
		error_set(err,
			  "%.300s: its DWARF would take more than the %llu MiB of memory left to "
			  "inlined functions, or is compressed in a way that does not say its size; "
			  "its inlined functions are not shown",
			  found, (unsigned long long)(room >> 20));
		goto out_elf;
	}
	in->dw = dwarf_begin_elf(in->elf, DWARF_C_READ, NULL);
	if (!in->dw)
		goto out_elf;
	if (!mapped && symbols_lines_dwarf_altlink(in->dw)) {
		error_set(err,
			  "%.300s: its DWARF refers to a supplementary file (.gnu_debugaltlink), "
			  "which is not opened for a file that a user may write; its inlined "
			  "functions are not shown",
			  found);
		goto out_dwarf;
	}
	/*
	 * libdw has every DWARF section it reads in memory (read, or in the
	 * whole file's mapping) once begun: the descriptor is not needed
	 * again, and one kept per module would run a box with thousands of
	 * them out of descriptors.
	 */
	elf_cntl(in->elf, ELF_C_FDDONE);
	procmap_file_close(&file);
	free(found);
	in->bytes = (size_t)bytes;
	*cost = symbols_inline_cost(in);
	return in;

out_dwarf:
	dwarf_end(in->dw);
out_elf:
	elf_end(in->elf);
out_file:
	procmap_file_close(&file);
	free(found);
out_none:
	u64map_free(&in->answers);
	strtab_free(&in->names);
	free(in);
	return NULL;
}

size_t symbols_inline_bytes(const struct symbols_inline *in)
{
	return in->bytes;
}

size_t symbols_inline_cost(const struct symbols_inline *in)
{
	const struct strtab *t = &in->names;

	return sizeof(*in) + in->bytes +
	       in->answers.cap * (sizeof(*in->answers.keys) + sizeof(*in->answers.values)) +
	       (size_t)in->runs_cap * sizeof(*in->run_names) +
	       (size_t)t->cap * (sizeof(*t->strs) + sizeof(*t->hashes)) +
	       t->nslots * sizeof(*t->slots) + in->names_bytes;
}

void symbols_inline_free(struct symbols_inline *in)
{
	if (!in)
		return;
	dwarf_end(in->dw);
	elf_end(in->elf);
	u64map_free(&in->answers);
	free(in->run_names);
	strtab_free(&in->names);
	free(in);
}

bool symbols_inline_late(struct symbols_inline *in)
{
	bool first = in->late && !in->said;

	if (first)
		in->said = true;
	return first;
}

/* The path from a unit down to the innermost scope holding an address. */
struct walk {
	Dwarf_Addr pc;
	unsigned dies; /* entries looked at, at most SYMBOLS_INLINE_DIES */
	Dwarf_Die inlined[SYMBOLS_INLINE_DEPTH]; /* outermost first, since the last function */
	size_t n;
};

/*
 * Follows the children of `die` that hold w->pc down to the innermost,
 * keeping the inlined subroutines met below the last (real) function. A
 * namespace, module or class holds functions without holding their
 * addresses: it is looked into, and left again when nothing in it does.
 * True when a child holding the pc was found.
 */
static bool walk_scopes(struct walk *w, Dwarf_Die *die, unsigned depth)
{
	Dwarf_Die child;

	if (depth >= SYMBOLS_INLINE_DEPTH || dwarf_child(die, &child) != 0)
		return false;
	do {
		int tag = dwarf_tag(&child);

		if (++w->dies > SYMBOLS_INLINE_DIES)
			return false;
		switch (tag) {
		case DW_TAG_namespace:
		case DW_TAG_module:
		case DW_TAG_class_type:
		case DW_TAG_structure_type:
		case DW_TAG_union_type:
			if (walk_scopes(w, &child, depth + 1))
				return true;
			break;
		case DW_TAG_subprogram:
		case DW_TAG_inlined_subroutine:
		case DW_TAG_lexical_block:
		case DW_TAG_try_block:
		case DW_TAG_catch_block:
			if (dwarf_haspc(&child, w->pc) <= 0)
				break;
			if (tag == DW_TAG_subprogram)
				w->n = 0; /* a function of its own, even nested: not inlined */
			else if (tag == DW_TAG_inlined_subroutine && w->n < SYMBOLS_INLINE_DEPTH)
				w->inlined[w->n++] = child;
			walk_scopes(w, &child, depth + 1);
			return true;
		default:
			break;
		}
	} while (dwarf_siblingof(&child, &child) == 0);
	return false;
}

/*
 * The name of inlined subroutine `die` (from its abstract origin): its
 * linkage name, demangled when `demangle`, else its name; NULL when it has
 * neither. Written to buf.
 */
static const char *inlined_name(Dwarf_Die *die, bool demangle, char *buf, size_t size)
{
	Dwarf_Attribute attr;
	const char *link, *name;
	char *shown = NULL;

	link = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &attr));
	if (!link)
		link = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &attr));
	if (link && demangle)
		shown = symbols_demangle(link, NULL);
	name = shown ? shown : link;
	if (!name || strlen(name) > SYMBOLS_INLINE_NAME_MAX)
		name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &attr));
	if (name && strlen(name) <= SYMBOLS_INLINE_NAME_MAX)
		snprintf(buf, size, "%s" SYMBOLS_INLINED_SUFFIX, name);
	else
		name = NULL;
	free(shown);
	return name ? buf : NULL;
}

/* Hands out the answer `run` (see symbols_inline.answers) in names[]; its count. */
static size_t answer(const struct symbols_inline *in, uint32_t run, const char **names)
{
	uint32_t n = run & ((1u << RUN_SHIFT) - 1), i;

	for (i = 0; i < n; i++)
		names[i] = strtab_get(&in->names, in->run_names[(run >> RUN_SHIFT) + i]);
	return n;
}

size_t symbols_inline_find(struct symbols_inline *in, uint64_t vaddr, bool demangle,
			   uint64_t budget_ns, const char **names)
{
	char buf[SYMBOLS_INLINE_NAME_SIZE];
	uint32_t run, start = in->runs_len;
	uint64_t began;
	struct walk *w;
	Dwarf_Die cu;
	size_t n = 0, i;

	if (vaddr + 1 && u64map_get(&in->answers, vaddr + 1, &run))
		return answer(in, run, names);
	if (in->late)
		return 0;
	began = util_now_ns();
	w = xcalloc(1, sizeof(*w));
	w->pc = vaddr;
	if (symbols_lines_cu(in->dw, vaddr, &cu))
		walk_scopes(w, &cu, 0);
	if (in->runs_len + SYMBOLS_INLINE_FRAMES > in->runs_cap) {
		in->runs_cap = in->runs_cap ? in->runs_cap * 2 : 256;
		in->run_names = xreallocarray(in->run_names, in->runs_cap, sizeof(*in->run_names));
	}
	/* Innermost first; one without a name is left out (its time is its caller's). */
	for (i = w->n; i-- > 0 && n < SYMBOLS_INLINE_FRAMES;)
		if (inlined_name(&w->inlined[i], demangle, buf, sizeof(buf))) {
			uint32_t before = in->names.len;

			in->run_names[start + n++] = strtab_intern(&in->names, buf);
			if (in->names.len != before)
				in->names_bytes += strlen(buf) + 1;
		}
	free(w);
	in->ns += util_now_ns() - began;
	if (in->ns > budget_ns)
		in->late = true;
	run = start << RUN_SHIFT | (uint32_t)n;
	if (vaddr + 1 && in->answers.len < SYMBOLS_INLINE_CACHE) {
		u64map_put(&in->answers, vaddr + 1, run);
		in->runs_len += (uint32_t)n;
	}
	return answer(in, run, names);
}
