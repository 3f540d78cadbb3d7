/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Function symbols of ELF images, read with elfutils' libelf.
 *
 * An image gives us two things: its function symbols (.symtab when the file
 * has one, .dynsym otherwise), sorted for binary search, and its PT_LOAD
 * program headers, which map a file offset (what a memory mapping tells us:
 * map start, page offset) to the virtual address the symbols are expressed
 * in. That one conversion covers PIE and non-PIE executables, shared
 * libraries and the vdso alike. Everything is copied out of libelf's
 * buffers, so the file is closed as soon as it has been read.
 *
 * Stripped files (most of a distribution's libraries) keep their full
 * symbol table in a separate debug file, found as GDB and perf find it:
 * by build id under /usr/lib/debug/.build-id/, or by the name and CRC-32
 * in .gnu_debuglink; failing that, MiniDebugInfo (.gnu_debugdata) adds the
 * local functions .dynsym lacks. PLT entries, which no symbol table has,
 * are named from .rela.plt (x86-64). Which source a module's names came from
 * is decided once, when it is read. Names are demangled later, one at a
 * time, the first time a lookup returns them: most of a library's names
 * are never looked up, and demangling them all cost more than the rest
 * of recording.
 *
 * Files come from other processes and may be anything: every libelf call is
 * checked, and a file that does not make sense is refused, not trusted.
 * They are opened by the process-map layer (procmap.h: an O_PATH check,
 * a regular file, a size cap) and read with ELF_C_READ, which preads what
 * it needs into memory: a file truncated under us gives a read error,
 * never SIGBUS. The ELF header is checked against the file's size before
 * libelf sees it; no section larger than PROCMAP_READ_MAX is read; the
 * reading stops at the file's deadline; a .gnu_debuglink candidate is
 * checksummed only when it is a real file of at most SYMBOLS_DEBUGLINK_MAX
 * bytes; demangling has its own caps (demangle.c) and time budget.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>
#include <zlib.h>

#include "demangle.h"
#include "internal.h"
#include "xz.h"

#ifndef NT_GNU_BUILD_ID
#define NT_GNU_BUILD_ID 3
#endif
/* Symbols between two looks at the clock. */
#define CLOCK_EVERY 4096
/* Bytes checksummed between two looks at the clock. */
#define CRC_CHUNK (1u << 20)

/* A reading in progress: its options, deadline and what it cost. */
struct reading {
	const struct symbols_elf_opts *o;
	struct procmap_file *f; /* the module's file, NULL for an image in memory */
	struct symbols_elf_report *rep;
};

static bool reading_late(struct reading *r)
{
	if (r->f && procmap_file_late(r->f))
		r->rep->late = true;
	return r->rep->late;
}

/*
 * The data of a section, or NULL: none in the file (SHT_NOBITS), larger
 * than PROCMAP_READ_MAX, or unreadable. `raw`: as stored (compressed
 * sections stay compressed).
 */
static Elf_Data *section_data(Elf_Scn *scn, const GElf_Shdr *shdr, bool raw)
{
	Elf_Data *data;

	if (shdr->sh_type == SHT_NOBITS || shdr->sh_size > PROCMAP_READ_MAX)
		return NULL;
	data = raw ? elf_rawdata(scn, NULL) : elf_getdata(scn, NULL);
	return data && data->d_buf ? data : NULL;
}

/* Whether section `index` may be read whole (elf_strptr reads a string table whole). */
static bool section_small(Elf *elf, size_t index)
{
	Elf_Scn *scn = elf_getscn(elf, index);
	GElf_Shdr shdr;

	return scn && gelf_getshdr(scn, &shdr) && shdr.sh_size <= PROCMAP_READ_MAX;
}

static int elf_init(struct ft_error *err)
{
	if (elf_version(EV_CURRENT) == EV_NONE) {
		error_set(err, "libelf is out of date: %s", elf_errmsg(-1));
		return -1;
	}
	return 0;
}

static int read_segments(Elf *elf, struct symbols_elf *e, struct ft_error *err)
{
	size_t n, i;

	if (elf_getphdrnum(elf, &n) != 0) {
		error_set(err, "no program headers: %s", elf_errmsg(-1));
		return -1;
	}
	for (i = 0; i < n; i++) {
		GElf_Phdr phdr;

		if (!gelf_getphdr(elf, (int)i, &phdr))
			continue;
		if (phdr.p_type != PT_LOAD || phdr.p_filesz == 0)
			continue;
		e->segs = xreallocarray(e->segs, e->nsegs + 1, sizeof(*e->segs));
		e->segs[e->nsegs].offset = phdr.p_offset;
		e->segs[e->nsegs].filesz = phdr.p_filesz;
		e->segs[e->nsegs].vaddr = phdr.p_vaddr;
		e->nsegs++;
	}
	if (e->nsegs == 0) {
		error_set(err, "no loadable segments");
		return -1;
	}
	return 0;
}

/* Copies the first NT_GNU_BUILD_ID note of any SHT_NOTE section, if there is one. */
static void read_build_id(Elf *elf, struct symbols_elf *e)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr shdr;
		Elf_Data *data;
		GElf_Nhdr nhdr;
		size_t off = 0, next, name_off, desc_off;

		if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_NOTE)
			continue;
		data = section_data(scn, &shdr, false);
		if (!data)
			continue;
		while ((next = gelf_getnote(data, off, &nhdr, &name_off, &desc_off)) > 0) {
			if (nhdr.n_type == NT_GNU_BUILD_ID && nhdr.n_namesz == 4 &&
			    memcmp((const char *)data->d_buf + name_off, "GNU", 4) == 0 &&
			    nhdr.n_descsz > 0) {
				size_t len = nhdr.n_descsz;

				if (len > sizeof(e->build_id))
					len = sizeof(e->build_id);
				memcpy(e->build_id, (const char *)data->d_buf + desc_off, len);
				e->build_id_size = (uint8_t)len;
				return;
			}
			off = next;
		}
	}
}

/* The end address of section `index`, as a bound for a zero-size symbol. */
static uint64_t section_end(Elf *elf, size_t index)
{
	Elf_Scn *scn;
	GElf_Shdr shdr;

	if (index == SHN_UNDEF || index >= SHN_LORESERVE)
		return UINT64_MAX;
	scn = elf_getscn(elf, index);
	if (!scn || !gelf_getshdr(scn, &shdr) || shdr.sh_addr + shdr.sh_size < shdr.sh_addr)
		return UINT64_MAX;
	return shdr.sh_addr + shdr.sh_size;
}

/* The first section of type `type` with data in this file (not SHT_NOBITS), or NULL. */
static Elf_Scn *find_section_type(Elf *elf, Elf64_Word type, GElf_Shdr *shdr_out)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		if (gelf_getshdr(scn, shdr_out) && shdr_out->sh_type == type)
			return scn;
	}
	return NULL;
}

/* The section called `name`, or NULL. */
static Elf_Scn *find_section_name(Elf *elf, const char *name, GElf_Shdr *shdr_out)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(elf, &shstrndx) != 0)
		return NULL;
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		const char *n;

		if (!gelf_getshdr(scn, shdr_out))
			continue;
		n = elf_strptr(elf, shstrndx, shdr_out->sh_name);
		if (n && strcmp(n, name) == 0)
			return scn;
	}
	return NULL;
}

/* Whether `name` looks mangled (C++, legacy Rust: "_Z"; Rust v0: "_R"). */
static bool mangled(const char *name)
{
	return name[0] == '_' && (name[1] == 'Z' || name[1] == 'R');
}

/*
 * `name` demangled within the caps and the budget (caller frees), or NULL
 * for as is: not mangled, demangling off, capped, or the budget spent.
 */
static char *demangle(struct symbols_demangling *dm, const char *name)
{
	bool capped = false;
	uint64_t t0;
	char *d;

	if (!dm->on || !mangled(name))
		return NULL;
	if (dm->late) {
		dm->names_raw++;
		return NULL;
	}
	t0 = util_now_ns();
	d = symbols_demangle(name, &capped);
	dm->ns += util_now_ns() - t0;
	if (capped)
		dm->names_raw++;
	if (dm->ns > SYMBOLS_DEMANGLE_BUDGET_NS)
		dm->late = true;
	return d;
}

/* For symbols_table_finish_shown(): aliases are ranked by their demangled names. */
static bool shown_differs(void *ctx, const char *name)
{
	const struct symbols_demangling *dm = ctx;

	return dm->on && mangled(name);
}

static char *shown_name(void *ctx, const char *name)
{
	return demangle(ctx, name);
}

/* Whether section `index` holds code. */
static bool section_exec(Elf *elf, size_t index)
{
	Elf_Scn *scn;
	GElf_Shdr shdr;

	if (index == SHN_UNDEF || index >= SHN_LORESERVE)
		return false;
	scn = elf_getscn(elf, index);
	return scn && gelf_getshdr(scn, &shdr) && (shdr.sh_flags & SHF_EXECINSTR);
}

/*
 * Whether `sym` names code: a function, or (as perf takes them) a label of
 * hand-written assembly, an untyped symbol in a code section that is not
 * hidden (ld.so's _start and _dl_start_user, where every process starts).
 * ARM's mapping symbols ("$x", "$d") are not names.
 */
static bool code_symbol(Elf *elf, const GElf_Sym *sym, const char *name)
{
	int vis = GELF_ST_VISIBILITY(sym->st_other);

	switch (GELF_ST_TYPE(sym->st_info)) {
	case STT_FUNC:
	case STT_GNU_IFUNC:
		return true;
	case STT_NOTYPE:
		return name[0] != '$' && vis != STV_HIDDEN && vis != STV_INTERNAL &&
		       section_exec(elf, sym->st_shndx);
	default:
		return false;
	}
}

/*
 * The length of `name` without a symbol version ("@VERSION" or
 * "@@VERSION", of letters, digits, '_' and '.'), which a .symtab name
 * carries where the source gave one (.symver: glibc's
 * "__libc_start_main@@GLIBC_2.34"); .dynsym names never do (versions
 * are a table of their own there). A function is then named the same
 * with or without its debug file.
 */
static size_t unversioned_len(const char *name)
{
	const char *at = strchr(name, '@'), *v;

	if (!at || at == name)
		return strlen(name);
	v = at + (at[1] == '@' ? 2 : 1);
	if (!*v || v[strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.")])
		return strlen(name);
	return (size_t)(at - name);
}

/*
 * Adds the functions of the file's symbol table of type `type` (SHT_SYMTAB
 * or SHT_DYNSYM), as they are named there less any symbol version
 * (unversioned_len(); demangled later, when looked up). Returns the number
 * added; 0
 * when the file has no such table, or only a placeholder for it (a debug
 * file's SHT_NOBITS .dynsym), or it is too large; stops at the deadline.
 */
static size_t add_symbols(struct reading *r, Elf *elf, struct symbols_elf *e, Elf64_Word type)
{
	GElf_Shdr shdr;
	Elf_Scn *scn = find_section_type(elf, type, &shdr);
	Elf_Data *data;
	size_t entsize, n, i, added = 0;

	if (!scn || !section_small(elf, shdr.sh_link))
		return 0;
	data = section_data(scn, &shdr, false);
	entsize = gelf_fsize(elf, ELF_T_SYM, 1, EV_CURRENT);
	if (!data || entsize == 0)
		return 0;
	n = data->d_size / entsize;
	for (i = 0; i < n; i++) {
		GElf_Sym sym;
		const char *name;
		char plain[256];
		int stype, bind;
		uint8_t prio;
		size_t len;

		if (i % CLOCK_EVERY == 0 && reading_late(r))
			return added;
		if (!gelf_getsym(data, (int)i, &sym))
			continue;
		stype = GELF_ST_TYPE(sym.st_info);
		bind = GELF_ST_BIND(sym.st_info);
		if (stype != STT_FUNC && stype != STT_GNU_IFUNC && stype != STT_NOTYPE)
			continue;
		if (sym.st_shndx == SHN_UNDEF || sym.st_value == 0)
			continue;
		name = elf_strptr(elf, shdr.sh_link, sym.st_name);
		if (!name || !*name || !code_symbol(elf, &sym, name))
			continue;
		len = unversioned_len(name);
		if (name[len] && len < sizeof(plain)) {
			memcpy(plain, name, len);
			plain[len] = '\0';
			name = plain;
		}
		/* A label ranks below any function at its address. */
		prio = stype == STT_NOTYPE || bind == STB_WEAK ? 0 : bind == STB_GLOBAL ? 2 : 1;
		symbols_table_add(&e->table, sym.st_value, sym.st_size,
				  section_end(elf, sym.st_shndx), name, 0, prio);
		added++;
	}
	return added;
}

/* Reads the segments and build id from an open Elf handle; NULL with `err` on failure. */
static struct symbols_elf *read_elf(Elf *elf, struct ft_error *err)
{
	struct symbols_elf *e;
	GElf_Ehdr ehdr;

	if (elf_kind(elf) != ELF_K_ELF) {
		error_set(err, "not an ELF file");
		return NULL;
	}
	if (!gelf_getehdr(elf, &ehdr)) {
		error_set(err, "bad ELF header: %s", elf_errmsg(-1));
		return NULL;
	}
	if (ehdr.e_type != ET_EXEC && ehdr.e_type != ET_DYN) {
		error_set(err, "not an executable or shared library (ELF type %u)",
			  (unsigned)ehdr.e_type);
		return NULL;
	}
	e = xcalloc(1, sizeof(*e));
	symbols_table_init(&e->table);
	if (read_segments(elf, e, err) < 0)
		goto out_free;
	read_build_id(elf, e);
	return e;

out_free:
	symbols_elf_free(e);
	return NULL;
}

/* ---- separate debug files --------------------------------------------- */

/* What a debug file is looked for: its symbols, or its DWARF (source lines). */
enum debug_want {
	DEBUG_WANT_SYMTAB,
	DEBUG_WANT_DWARF,
};

/* Whether `elf` holds DWARF line tables (not just their section headers). */
static bool has_dwarf_lines(Elf *elf)
{
	GElf_Shdr shdr;
	Elf_Scn *scn = find_section_name(elf, ".debug_line", &shdr);

	return scn && shdr.sh_type != SHT_NOBITS && shdr.sh_size > 0;
}

/* The CRC-32 of the whole file, within the deadline; false when it cannot be had. */
static bool file_crc(struct reading *r, struct procmap_file *f, uint32_t *out)
{
	unsigned char *buf = xmalloc(CRC_CHUNK);
	uint32_t crc = (uint32_t)crc32(0, Z_NULL, 0);
	uint64_t off = 0;
	bool ok = true;

	while (off < f->size) {
		ssize_t n = procmap_file_pread(f, buf, CRC_CHUNK, off);

		if (n <= 0 || reading_late(r)) {
			ok = false;
			break;
		}
		crc = (uint32_t)crc32(crc, buf, (uInt)n);
		off += (uint64_t)n;
	}
	free(buf);
	*out = crc;
	return ok;
}

/*
 * Opens `path` (relative to `dirfd`, with procmap_file_open's `flags`) as
 * a debug file for `e`: a regular ELF file with what `want` asks for (a
 * real .symtab, or DWARF line tables) and, when both have one, the same
 * build id. For DEBUG_WANT_SYMTAB adds its functions to `e`. Returns false
 * (nothing added) when it does not qualify. `want_crc`, when not NULL, is
 * the CRC-32 the .gnu_debuglink asks for: then the file must also be at
 * most SYMBOLS_DEBUGLINK_MAX bytes and not sparse. With `keep`, a file
 * that qualifies is handed over in it, open, instead of closed.
 */
static bool try_debug_file(struct reading *r, struct symbols_elf *e, int dirfd, const char *path,
			   unsigned flags, const uint32_t *want_crc, enum debug_want want,
			   struct procmap_file *keep)
{
	struct symbols_elf probe;
	struct procmap_file f;
	struct ft_error err;
	bool ok = false;
	Elf *elf = NULL;
	uint32_t crc;
	int ret;

	/* In the module's root, the module's process's mount table tells. */
	ret = procmap_file_open_as(&f, dirfd != AT_FDCWD && r->f ? r->f->pid : 0, dirfd, path,
				   flags, &err);
	if (ret < 0) {
		if (ret == -EPERM)
			r->rep->debug_refused++;
		return false;
	}
	/* The module's deadline covers its debug files. */
	if (r->f) {
		f.deadline_ns = r->f->deadline_ns;
		f.stop = r->f->stop;
		f.stop_ctx = r->f->stop_ctx;
	}
	if (want_crc) {
		if (f.size > SYMBOLS_DEBUGLINK_MAX || procmap_file_sparse(&f)) {
			r->rep->debug_refused++;
			goto out;
		}
		if (!file_crc(r, &f, &crc) || crc != *want_crc)
			goto out;
	}
	if (procmap_file_check_elf(&f, &err) < 0)
		goto out;
	elf = elf_begin(f.fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF)
		goto out;
	memset(&probe, 0, sizeof(probe));
	read_build_id(elf, &probe);
	if (e->build_id_size && probe.build_id_size &&
	    (probe.build_id_size != e->build_id_size ||
	     memcmp(probe.build_id, e->build_id, e->build_id_size) != 0))
		goto out;
	if (want == DEBUG_WANT_DWARF)
		ok = has_dwarf_lines(elf);
	else
		ok = add_symbols(r, elf, e, SHT_SYMTAB) > 0;
out:
	if (elf)
		elf_end(elf);
	if (ok && keep)
		*keep = f;
	else
		procmap_file_close(&f);
	return ok;
}

/*
 * <debug_dir>/.build-id/xx/yyyy.debug for the image's build id, when it
 * qualifies (see try_debug_file). Its path (caller frees), or NULL.
 */
static char *debug_by_build_id(struct reading *r, struct symbols_elf *e, enum debug_want want,
			       struct procmap_file *keep)
{
	const char *debug_dir = r->o->debug_dir ? r->o->debug_dir : SYMBOLS_DEBUG_DIR;
	char hex[2 * sizeof(e->build_id) + 1], *path;
	size_t i;

	if (e->build_id_size < 2)
		return NULL;
	for (i = 0; i < e->build_id_size; i++)
		snprintf(hex + 2 * i, 3, "%02x", e->build_id[i]);
	/* The debug directory is the administrator's: its links are followed. */
	path = xasprintf("%s/.build-id/%.2s/%s.debug", debug_dir, hex, hex + 2);
	if (try_debug_file(r, e, AT_FDCWD, path, PROCMAP_FILE_FOLLOW, NULL, want, keep))
		return path;
	free(path);
	return NULL;
}

/*
 * The file named by .gnu_debuglink (a file name, NUL, padding to 4 bytes,
 * then the CRC-32 of the debug file in the ELF's byte order), looked for
 * where GDB looks: beside the file and in .debug/ beside it (inside the
 * file's root: those directories are the process's), and under
 * <debug_dir> with the file's directory appended. Its path when it
 * qualifies (caller frees), or NULL.
 */
static char *debug_by_link(struct reading *r, struct symbols_elf *e, Elf *elf,
			   enum debug_want want, struct procmap_file *keep)
{
	const char *debug_dir = r->o->debug_dir ? r->o->debug_dir : SYMBOLS_DEBUG_DIR;
	const char *known_path = r->o->known_path;
	int root = r->f && r->f->root >= 0 ? r->f->root : AT_FDCWD;
	GElf_Shdr shdr;
	Elf_Scn *scn = find_section_name(elf, ".gnu_debuglink", &shdr);
	const unsigned char *crc_bytes;
	const char *name, *slash;
	GElf_Ehdr ehdr;
	Elf_Data *data;
	size_t name_len, crc_off, i;
	uint32_t crc;
	char *dir, *found = NULL;

	if (!scn || !known_path || !gelf_getehdr(elf, &ehdr))
		return NULL;
	data = section_data(scn, &shdr, false);
	if (!data || data->d_size < 6)
		return NULL;
	name = data->d_buf;
	name_len = strnlen(name, data->d_size);
	crc_off = (name_len + 4) & ~(size_t)3;
	if (name_len == 0 || crc_off + 4 > data->d_size || strchr(name, '/') ||
	    strcmp(name, "..") == 0)
		return NULL;
	crc_bytes = (const unsigned char *)data->d_buf + crc_off;
	if (ehdr.e_ident[EI_DATA] == ELFDATA2MSB)
		crc = (uint32_t)crc_bytes[0] << 24 | (uint32_t)crc_bytes[1] << 16 |
		      (uint32_t)crc_bytes[2] << 8 | crc_bytes[3];
	else
		crc = (uint32_t)crc_bytes[3] << 24 | (uint32_t)crc_bytes[2] << 16 |
		      (uint32_t)crc_bytes[1] << 8 | crc_bytes[0];

	slash = strrchr(known_path, '/');
	dir = slash ? xasprintf("%.*s", (int)(slash - known_path), known_path) : xstrdup(".");
	for (i = 0; i < 3 && !found && !reading_late(r); i++) {
		char *path = i == 0   ? xasprintf("%s/%s", dir, name)
			     : i == 1 ? xasprintf("%s/.debug/%s", dir, name)
				      : xasprintf("%s%s%s/%s", debug_dir, dir[0] == '/' ? "" : "/",
						  dir, name);
		bool ok;

		if (i < 2)
			ok = try_debug_file(r, e, root, path,
					    root == AT_FDCWD ? 0 : PROCMAP_FILE_IN_ROOT, &crc, want,
					    keep);
		else
			ok = try_debug_file(r, e, AT_FDCWD, path, PROCMAP_FILE_FOLLOW, &crc, want,
					    keep);
		if (ok)
			found = path;
		else
			free(path);
	}
	free(dir);
	return found;
}

static bool xz_late(void *ctx)
{
	return reading_late(ctx);
}

/* The symbols of .gnu_debugdata, an xz-compressed ELF file (MiniDebugInfo). */
static bool debug_from_minidebuginfo(struct reading *r, struct symbols_elf *e, Elf *elf)
{
	GElf_Shdr shdr;
	Elf_Scn *scn = find_section_name(elf, ".gnu_debugdata", &shdr);
	Elf_Data *data;
	Elf *inner;
	void *buf;
	size_t len;
	bool ok = false;

	if (!scn)
		return false;
	data = section_data(scn, &shdr, true);
	if (!data || symbols_xz_decode(data->d_buf, data->d_size, &buf, &len, xz_late, r) < 0)
		return false;
	inner = elf_memory(buf, len);
	if (inner && elf_kind(inner) == ELF_K_ELF)
		ok = add_symbols(r, inner, e, SHT_SYMTAB) > 0;
	if (inner)
		elf_end(inner);
	free(buf);
	return ok;
}

/* On x86-64, every PLT entry is this long (.plt's first is the resolver's, .plt.sec has none). */
#define PLT_ENTRY 16
/* PLT entries named, at most (the largest programs have tens of thousands). */
#define PLT_MAX_ENTRIES (1u << 18)
/* Symbols read, all IRELATIVE entries of a file together, to name them (a search each). */
#define PLT_IFUNC_BUDGET (1u << 22)

/*
 * The name of the IFUNC in `syms` (a .dynsym whose strings are section
 * `strtab`) at `value`, a global one first; NULL when none is there, or
 * when reading them all would take more than what is left of *budget
 * (symbols to read), which it takes from. Borrowed from the ELF handle.
 */
static const char *ifunc_name(Elf *elf, Elf_Data *syms, size_t strtab, uint64_t value,
			      size_t *budget)
{
	size_t entsize = gelf_fsize(elf, ELF_T_SYM, 1, EV_CURRENT), nsyms, i;
	const char *found = NULL;

	nsyms = entsize ? syms->d_size / entsize : 0;
	if (nsyms > *budget)
		return NULL;
	*budget -= nsyms;
	for (i = 0; i < nsyms; i++) {
		GElf_Sym sym;
		const char *name;

		if (!gelf_getsym(syms, (int)i, &sym) || sym.st_value != value ||
		    GELF_ST_TYPE(sym.st_info) != STT_GNU_IFUNC)
			continue;
		name = elf_strptr(elf, strtab, sym.st_name);
		if (!name || !*name)
			continue;
		if (GELF_ST_BIND(sym.st_info) == STB_GLOBAL)
			return name;
		if (!found)
			found = name;
	}
	return found;
}

/*
 * The function the PLT entry of relocation `rel` calls: the symbol of a
 * jump slot, or, for an IRELATIVE one (a library's call to its own
 * IFUNC through a hidden alias: glibc's to memcpy, strlen...), the IFUNC
 * at its addend (ifunc_name(), within *budget). NULL when it has no name.
 */
static const char *plt_target(Elf *elf, const GElf_Rela *rel, Elf_Data *syms,
			      const GElf_Shdr *dynsym_shdr, size_t *budget)
{
	GElf_Sym sym;

	if (GELF_R_TYPE(rel->r_info) == R_X86_64_IRELATIVE)
		return ifunc_name(elf, syms, dynsym_shdr->sh_link, (uint64_t)rel->r_addend, budget);
	if (GELF_R_TYPE(rel->r_info) != R_X86_64_JUMP_SLOT ||
	    !gelf_getsym(syms, (int)GELF_R_SYM(rel->r_info), &sym))
		return NULL;
	return elf_strptr(elf, dynsym_shdr->sh_link, sym.st_name);
}

/*
 * The GOT slot the PLT entry at `code` (`len` bytes at address `addr`)
 * jumps through: jmp *disp32(%rip), after an endbr64 and a bnd prefix
 * when there are; 0 when it does not start so.
 */
static uint64_t plt_slot(const unsigned char *code, size_t len, uint64_t addr)
{
	static const unsigned char endbr64[] = { 0xf3, 0x0f, 0x1e, 0xfa };
	size_t at = 0;
	int32_t disp;

	if (len >= sizeof(endbr64) && memcmp(code, endbr64, sizeof(endbr64)) == 0)
		at = sizeof(endbr64);
	if (at < len && code[at] == 0xf2)
		at++; /* bnd */
	if (at + 6 > len || code[at] != 0xff || code[at + 1] != 0x25)
		return 0;
	memcpy(&disp, code + at + 2, sizeof(disp));
	return addr + at + 6 + (uint64_t)(int64_t)disp;
}

/*
 * The PLT's entries, named NAME@plt as objdump and perf name them: symbol
 * tables have no symbol for them, and a call-heavy program spends time
 * there. On x86-64 an entry (in .plt.sec with IBT, else in .plt after its
 * first, the resolver's) jumps through a GOT slot, which is the offset of
 * its relocation in .rela.plt: entries and relocations are matched so, not
 * by their order, which differs where IRELATIVE relocations are mixed in
 * (glibc's own). Returns the number added.
 */
static size_t add_plt_symbols(struct reading *r, Elf *elf, struct symbols_elf *e)
{
	GElf_Shdr rela_shdr, plt_shdr, dynsym_shdr;
	Elf_Scn *rela = find_section_name(elf, ".rela.plt", &rela_shdr), *plt, *dynsym;
	Elf_Data *relocs, *syms, *code;
	struct u64map slots; /* GOT slot -> index of its relocation */
	GElf_Ehdr ehdr;
	size_t n, i, added = 0, budget = PLT_IFUNC_BUDGET;
	uint64_t header = 0, at;

	if (!rela || rela_shdr.sh_type != SHT_RELA || !gelf_getehdr(elf, &ehdr) ||
	    ehdr.e_machine != EM_X86_64)
		return 0;
	plt = find_section_name(elf, ".plt.sec", &plt_shdr);
	if (!plt) {
		plt = find_section_name(elf, ".plt", &plt_shdr);
		header = PLT_ENTRY;
	}
	dynsym = elf_getscn(elf, rela_shdr.sh_link);
	if (!plt || !dynsym || !gelf_getshdr(dynsym, &dynsym_shdr) ||
	    !section_small(elf, dynsym_shdr.sh_link))
		return 0;
	relocs = section_data(rela, &rela_shdr, false);
	syms = section_data(dynsym, &dynsym_shdr, false);
	code = section_data(plt, &plt_shdr, false);
	if (!relocs || !syms || !code || rela_shdr.sh_entsize == 0)
		return 0;
	n = relocs->d_size / rela_shdr.sh_entsize;
	u64map_init(&slots);
	for (i = 0; i < n && i < PLT_MAX_ENTRIES; i++) {
		GElf_Rela rel;

		if (gelf_getrela(relocs, (int)i, &rel) && rel.r_offset)
			u64map_put(&slots, rel.r_offset, (uint32_t)i);
	}
	for (at = header; at + PLT_ENTRY <= code->d_size && at / PLT_ENTRY <= PLT_MAX_ENTRIES;
	     at += PLT_ENTRY) {
		uint64_t addr = plt_shdr.sh_addr + at;
		GElf_Rela rel;
		const char *name;
		char *plt_name;
		uint32_t idx;

		if ((at / PLT_ENTRY) % CLOCK_EVERY == 0 && reading_late(r))
			break;
		if (!u64map_get(&slots, plt_slot((const unsigned char *)code->d_buf + at, PLT_ENTRY,
						 addr),
				&idx) ||
		    !gelf_getrela(relocs, (int)idx, &rel))
			continue;
		name = plt_target(elf, &rel, syms, &dynsym_shdr, &budget);
		if (!name || !*name)
			continue;
		plt_name = xasprintf("%s@plt", name);
		symbols_table_add(&e->table, addr, PLT_ENTRY, UINT64_MAX, plt_name, 0, 1);
		free(plt_name);
		added++;
	}
	u64map_free(&slots);
	return added;
}

/*
 * Fills the symbol table from the best source: the file's own .symtab; else
 * a separate debug file (by build id, then by .gnu_debuglink); else .dynsym
 * merged with MiniDebugInfo, which holds exactly what .dynsym lacks.
 */
static void read_symbols(struct reading *r, Elf *elf, struct symbols_elf *e)
{
	const struct symbols_elf_opts *o = r->o;

	if (add_symbols(r, elf, e, SHT_SYMTAB) > 0)
		e->source = SYMBOLS_SOURCE_SYMTAB;
	else if (o->debug_files && !reading_late(r) &&
		 (e->debug_path = debug_by_build_id(r, e, DEBUG_WANT_SYMTAB, NULL)))
		e->source = SYMBOLS_SOURCE_BUILD_ID;
	else if (o->debug_files && !reading_late(r) &&
		 (e->debug_path = debug_by_link(r, e, elf, DEBUG_WANT_SYMTAB, NULL)))
		e->source = SYMBOLS_SOURCE_DEBUGLINK;
	else {
		size_t n = add_symbols(r, elf, e, SHT_DYNSYM);

		if (o->debug_files && !reading_late(r) && debug_from_minidebuginfo(r, e, elf))
			e->source = SYMBOLS_SOURCE_MINIDEBUGINFO;
		else
			e->source = n > 0 ? SYMBOLS_SOURCE_DYNSYM : SYMBOLS_SOURCE_NONE;
	}
	/* Past the deadline the caller throws the table away: neither the
	 * PLT nor the sort of what was read. */
	if (reading_late(r))
		return;
	add_plt_symbols(r, elf, e);
	e->dm.on = o->demangle;
	symbols_table_finish_shown(&e->table, &(const struct symbols_shown){ shown_differs, shown_name,
									     &e->dm });
}

const char *symbols_source_name(enum symbols_source source)
{
	static const char *const names[] = {
		[SYMBOLS_SOURCE_NONE] = "none",
		[SYMBOLS_SOURCE_SYMTAB] = ".symtab",
		[SYMBOLS_SOURCE_DYNSYM] = ".dynsym",
		[SYMBOLS_SOURCE_BUILD_ID] = "debug file by build id",
		[SYMBOLS_SOURCE_DEBUGLINK] = "debug file by .gnu_debuglink",
		[SYMBOLS_SOURCE_MINIDEBUGINFO] = ".dynsym and .gnu_debugdata",
	};

	return (size_t)source < ARRAY_SIZE(names) ? names[source] : "?";
}

struct symbols_elf *symbols_elf_read(struct procmap_file *f, const struct symbols_elf_opts *opts,
				     struct symbols_elf_report *rep, struct ft_error *err)
{
	struct symbols_elf_report dummy;
	struct reading r = { opts, f, rep ? rep : &dummy };
	struct symbols_elf *e = NULL;
	Elf *elf;

	memset(r.rep, 0, sizeof(*r.rep));
	if (elf_init(err) < 0 || procmap_file_check_elf(f, err) < 0)
		return NULL;
	elf = elf_begin(f->fd, ELF_C_READ, NULL);
	if (!elf) {
		error_set(err, "%s", elf_errmsg(-1));
		return NULL;
	}
	e = read_elf(elf, err);
	if (e) {
		read_symbols(&r, elf, e);
		if (r.rep->late) {
			error_set(err, "reading it took more than %llu s",
				  (unsigned long long)(PROCMAP_MODULE_BUDGET_NS / 1000000000ull));
			symbols_elf_free(e);
			e = NULL;
		}
	}
	elf_end(elf);
	return e;
}

struct symbols_elf *symbols_elf_open_with(const char *path, const struct symbols_elf_opts *opts,
					  struct ft_error *err)
{
	struct symbols_elf_opts o = *opts;
	struct symbols_elf *e;
	struct procmap_file f;

	if (!o.known_path)
		o.known_path = path;
	if (procmap_file_open(&f, AT_FDCWD, path, 0, err) < 0)
		return NULL;
	e = symbols_elf_read(&f, &o, NULL, err);
	if (!e) {
		char msg[sizeof(err->msg)];

		memcpy(msg, err->msg, sizeof(msg));
		error_set(err, "%s: %s", path, msg);
	}
	procmap_file_close(&f);
	return e;
}

int symbols_elf_dwarf_find(struct procmap_file *f, const struct symbols_elf_opts *opts,
			   struct procmap_file *out, char **found)
{
	struct symbols_elf_report rep;
	struct reading r = { opts, f, &rep };
	struct symbols_elf probe;
	struct ft_error err;
	Elf *elf = NULL;
	int ret = -ENOENT;

	*found = NULL;
	memset(&rep, 0, sizeof(rep));
	if (elf_init(&err) < 0 || procmap_file_check_elf(f, &err) < 0)
		return -ENOENT;
	elf = elf_begin(f->fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF)
		goto out;
	if (has_dwarf_lines(elf)) {
		*out = *f;
		out->fd = fcntl(f->fd, F_DUPFD_CLOEXEC, 0);
		out->root = -1;
		if (out->fd < 0)
			goto out;
		*found = xstrdup(opts->known_path);
		ret = 0;
		goto out;
	}
	if (!opts->debug_files)
		goto out;
	memset(&probe, 0, sizeof(probe));
	read_build_id(elf, &probe);
	*found = debug_by_build_id(&r, &probe, DEBUG_WANT_DWARF, out);
	if (!*found)
		*found = debug_by_link(&r, &probe, elf, DEBUG_WANT_DWARF, out);
	ret = *found ? 0 : -ENOENT;
out:
	if (elf)
		elf_end(elf);
	return ret;
}

int symbols_elf_dwarf_open(const char *path, const struct symbols_elf_opts *opts,
			   struct procmap_file *out, char **found)
{
	struct symbols_elf_opts o = *opts;
	struct procmap_file f;
	struct ft_error err;
	int ret;

	*found = NULL;
	if (!o.known_path)
		o.known_path = path;
	if (elf_init(&err) < 0 || procmap_file_open(&f, AT_FDCWD, path, 0, &err) < 0)
		return -ENOENT;
	ret = symbols_elf_dwarf_find(&f, &o, out, found);
	procmap_file_close(&f);
	return ret;
}

struct symbols_elf *symbols_elf_open(const char *path, struct ft_error *err)
{
	static const struct symbols_elf_opts defaults = { .demangle = true, .debug_files = true };

	return symbols_elf_open_with(path, &defaults, err);
}

size_t symbols_elf_cost(const struct symbols_elf *e)
{
	return sizeof(*e) + e->nsegs * sizeof(*e->segs) + e->table.cap * sizeof(*e->table.syms) +
	       e->table.names_cap;
}

struct symbols_elf *symbols_elf_from_memory(const void *image, size_t size, struct ft_error *err)
{
	struct symbols_elf *e = NULL;
	char *copy;
	Elf *elf;

	if (elf_init(err) < 0)
		return NULL;
	/* libelf may convert data in place; never let it near a read-only mapping. */
	copy = xmalloc(size ? size : 1);
	memcpy(copy, image, size);
	elf = elf_memory(copy, size);
	if (!elf) {
		error_set(err, "ELF image in memory: %s", elf_errmsg(-1));
		goto out_free;
	}
	e = read_elf(elf, err);
	if (e) {
		static const struct symbols_elf_opts opts = { .demangle = true };
		struct symbols_elf_report rep;
		struct reading r = { &opts, NULL, &rep };

		memset(&rep, 0, sizeof(rep));
		read_symbols(&r, elf, e);
	}
	elf_end(elf);
out_free:
	free(copy);
	return e;
}

struct symbols_elf *symbols_elf_vdso(struct ft_error *err)
{
	const unsigned char *base = (const unsigned char *)getauxval(AT_SYSINFO_EHDR);
	const Elf64_Ehdr *ehdr = (const Elf64_Ehdr *)base;
	uint64_t size;
	size_t i;

	if (!base) {
		error_set(err, "this process has no vdso");
		return NULL;
	}
	if (memcmp(ehdr->e_ident, ELFMAG, SELFMAG) != 0 || ehdr->e_ident[EI_CLASS] != ELFCLASS64) {
		error_set(err, "the vdso is not a 64-bit ELF image");
		return NULL;
	}
	/* The image runs to its section headers, which the kernel's vdso keeps at the end. */
	size = ehdr->e_shoff + (uint64_t)ehdr->e_shnum * ehdr->e_shentsize;
	for (i = 0; i < ehdr->e_phnum; i++) {
		const Elf64_Phdr *phdr =
			(const Elf64_Phdr *)(base + ehdr->e_phoff + i * ehdr->e_phentsize);

		if (phdr->p_type == PT_LOAD && phdr->p_offset + phdr->p_filesz > size)
			size = phdr->p_offset + phdr->p_filesz;
	}
	if (size < sizeof(*ehdr) || size > 1 << 20) {
		error_set(err, "the vdso has an implausible size (%llu bytes)",
			  (unsigned long long)size);
		return NULL;
	}
	return symbols_elf_from_memory(base, size, err);
}

void symbols_elf_free(struct symbols_elf *e)
{
	size_t i;

	if (!e)
		return;
	for (i = 0; i < e->dm.len; i++)
		free(e->dm.names[i]);
	free(e->dm.names);
	u64map_free(&e->dm.shown);
	symbols_table_free(&e->table);
	free(e->segs);
	free(e->debug_path);
	free(e);
}

int symbols_elf_offset_to_vaddr(const struct symbols_elf *e, uint64_t offset, uint64_t *vaddr)
{
	size_t i;

	for (i = 0; i < e->nsegs; i++) {
		const struct symbols_segment *seg = &e->segs[i];

		if (offset >= seg->offset && offset - seg->offset < seg->filesz) {
			*vaddr = seg->vaddr + (offset - seg->offset);
			return 0;
		}
	}
	return -ENOENT;
}

/* Marks, in e->dm.shown, a symbol whose name is shown as it is stored. */
#define DEMANGLE_AS_IS UINT32_MAX

const char *symbols_elf_lookup(struct symbols_elf *e, uint64_t vaddr)
{
	const struct symbols_sym *sym = symbols_table_lookup(&e->table, vaddr);
	struct symbols_demangling *dm = &e->dm;
	const char *name;
	uint64_t key;
	uint32_t idx;
	char *d;

	if (sym)
		sym = symbols_table_settle(&e->table, sym);
	if (!sym || vaddr >= sym->end)
		return NULL;
	name = symbols_table_name(&e->table, sym);
	if (!dm->on || !mangled(name))
		return name;
	key = (uint64_t)(sym - e->table.syms) + 1;
	if (u64map_get(&dm->shown, key, &idx))
		return idx == DEMANGLE_AS_IS ? name : dm->names[idx];
	d = demangle(dm, name);
	if (!d || dm->len >= DEMANGLE_AS_IS) {
		free(d);
		u64map_put(&dm->shown, key, DEMANGLE_AS_IS);
		return name;
	}
	if (dm->len == dm->cap) {
		dm->cap = dm->cap ? dm->cap * 2 : 16;
		dm->names = xreallocarray(dm->names, dm->cap, sizeof(*dm->names));
	}
	dm->names[dm->len] = d;
	u64map_put(&dm->shown, key, (uint32_t)dm->len++);
	return d;
}
