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
 * local functions .dynsym lacks. Which source a module's names came from
 * is decided once, when it is read. Names are demangled then, too.
 *
 * Files come from other processes and may be anything: every libelf call is
 * checked, and a file that does not make sense is refused, not trusted.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "demangle.h"
#include "internal.h"
#include "xz.h"

#ifndef NT_GNU_BUILD_ID
#define NT_GNU_BUILD_ID 3
#endif

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
		data = elf_getdata(scn, NULL);
		if (!data || !data->d_buf)
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

/*
 * Adds the functions of the file's symbol table of type `type` (SHT_SYMTAB
 * or SHT_DYNSYM), demangled when `demangle`. Returns the number added; 0
 * when the file has no such table, or only a placeholder for it (a debug
 * file's SHT_NOBITS .dynsym).
 */
static size_t add_symbols(Elf *elf, struct symbols_elf *e, Elf64_Word type, bool demangle)
{
	GElf_Shdr shdr;
	Elf_Scn *scn = find_section_type(elf, type, &shdr);
	Elf_Data *data;
	size_t entsize, n, i, added = 0;

	if (!scn)
		return 0;
	data = elf_getdata(scn, NULL);
	entsize = gelf_fsize(elf, ELF_T_SYM, 1, EV_CURRENT);
	if (!data || !data->d_buf || entsize == 0)
		return 0;
	n = data->d_size / entsize;
	for (i = 0; i < n; i++) {
		GElf_Sym sym;
		const char *name;
		char *demangled;
		int stype, bind;
		uint8_t prio;

		if (!gelf_getsym(data, (int)i, &sym))
			continue;
		stype = GELF_ST_TYPE(sym.st_info);
		bind = GELF_ST_BIND(sym.st_info);
		if (stype != STT_FUNC && stype != STT_GNU_IFUNC)
			continue;
		if (sym.st_shndx == SHN_UNDEF || sym.st_value == 0)
			continue;
		name = elf_strptr(elf, shdr.sh_link, sym.st_name);
		if (!name || !*name)
			continue;
		demangled = demangle ? symbols_demangle(name) : NULL;
		prio = bind == STB_GLOBAL ? 2 : bind == STB_WEAK ? 0 : 1;
		symbols_table_add(&e->table, sym.st_value, sym.st_size,
				  section_end(elf, sym.st_shndx), demangled ? demangled : name, 0,
				  prio);
		free(demangled);
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

/*
 * Opens `path` as a debug file for `e`: an ELF file with what `want` asks
 * for (a real .symtab, or DWARF line tables) and, when both have one, the
 * same build id. For DEBUG_WANT_SYMTAB adds its functions to `e`. Returns
 * false (nothing added) when it does not qualify. `want_crc`, when not
 * NULL, is the CRC-32 the .gnu_debuglink asks for.
 */
static bool try_debug_file(struct symbols_elf *e, const char *path, const uint32_t *want_crc,
			   enum debug_want want, bool demangle)
{
	struct symbols_elf probe;
	struct stat st;
	bool ok = false;
	Elf *elf = NULL;
	void *map = MAP_FAILED;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return false;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < (off_t)sizeof(Elf64_Ehdr))
		goto out;
	if (want_crc) {
		uint32_t crc = (uint32_t)crc32(0, Z_NULL, 0);
		const unsigned char *p;
		size_t left, chunk;

		map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED)
			goto out;
		for (p = map, left = (size_t)st.st_size; left > 0; p += chunk, left -= chunk) {
			chunk = left > (1u << 30) ? (1u << 30) : left;
			crc = (uint32_t)crc32(crc, p, (uInt)chunk);
		}
		if (crc != *want_crc)
			goto out;
	}
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
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
		ok = add_symbols(elf, e, SHT_SYMTAB, demangle) > 0;
out:
	if (elf)
		elf_end(elf);
	if (map != MAP_FAILED)
		munmap(map, (size_t)st.st_size);
	close(fd);
	return ok;
}

/*
 * <debug_dir>/.build-id/xx/yyyy.debug for the image's build id, when it
 * qualifies (see try_debug_file). Its path (caller frees), or NULL.
 */
static char *debug_by_build_id(struct symbols_elf *e, const char *debug_dir, enum debug_want want,
			       bool demangle)
{
	char hex[2 * sizeof(e->build_id) + 1], *path;
	size_t i;

	if (e->build_id_size < 2)
		return NULL;
	for (i = 0; i < e->build_id_size; i++)
		snprintf(hex + 2 * i, 3, "%02x", e->build_id[i]);
	path = xasprintf("%s/.build-id/%.2s/%s.debug", debug_dir, hex, hex + 2);
	if (try_debug_file(e, path, NULL, want, demangle))
		return path;
	free(path);
	return NULL;
}

/*
 * The file named by .gnu_debuglink (a file name, NUL, padding to 4 bytes,
 * then the CRC-32 of the debug file in the ELF's byte order), looked for
 * where GDB looks: beside the file, in .debug/ beside it, and under
 * <debug_dir> with the file's directory appended. Its path when it
 * qualifies (caller frees), or NULL.
 */
static char *debug_by_link(struct symbols_elf *e, Elf *elf, const char *known_path,
			   const char *debug_dir, enum debug_want want, bool demangle)
{
	GElf_Shdr shdr;
	Elf_Scn *scn = find_section_name(elf, ".gnu_debuglink", &shdr);
	const unsigned char *crc_bytes;
	const char *name, *slash;
	GElf_Ehdr ehdr;
	Elf_Data *data;
	size_t name_len, crc_off, i;
	uint32_t crc;
	char *dir, *found = NULL;

	if (!scn || shdr.sh_type == SHT_NOBITS || !gelf_getehdr(elf, &ehdr))
		return NULL;
	data = elf_getdata(scn, NULL);
	if (!data || !data->d_buf || data->d_size < 6)
		return NULL;
	name = data->d_buf;
	name_len = strnlen(name, data->d_size);
	crc_off = (name_len + 4) & ~(size_t)3;
	if (name_len == 0 || crc_off + 4 > data->d_size || strchr(name, '/'))
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
	for (i = 0; i < 3 && !found; i++) {
		char *path = i == 0   ? xasprintf("%s/%s", dir, name)
			     : i == 1 ? xasprintf("%s/.debug/%s", dir, name)
				      : xasprintf("%s%s%s/%s", debug_dir, dir[0] == '/' ? "" : "/",
						  dir, name);

		if (try_debug_file(e, path, &crc, want, demangle))
			found = path;
		else
			free(path);
	}
	free(dir);
	return found;
}

/* The symbols of .gnu_debugdata, an xz-compressed ELF file (MiniDebugInfo). */
static bool debug_from_minidebuginfo(struct symbols_elf *e, Elf *elf, bool demangle)
{
	GElf_Shdr shdr;
	Elf_Scn *scn = find_section_name(elf, ".gnu_debugdata", &shdr);
	Elf_Data *data;
	Elf *inner;
	void *buf;
	size_t len;
	bool ok = false;

	if (!scn || shdr.sh_type == SHT_NOBITS)
		return false;
	data = elf_rawdata(scn, NULL);
	if (!data || !data->d_buf || symbols_xz_decode(data->d_buf, data->d_size, &buf, &len) < 0)
		return false;
	inner = elf_memory(buf, len);
	if (inner && elf_kind(inner) == ELF_K_ELF)
		ok = add_symbols(inner, e, SHT_SYMTAB, demangle) > 0;
	if (inner)
		elf_end(inner);
	free(buf);
	return ok;
}

/*
 * Fills the symbol table from the best source: the file's own .symtab; else
 * a separate debug file (by build id, then by .gnu_debuglink); else .dynsym
 * merged with MiniDebugInfo, which holds exactly what .dynsym lacks.
 */
static void read_symbols(Elf *elf, struct symbols_elf *e, const struct symbols_elf_opts *o)
{
	const char *debug_dir = o->debug_dir ? o->debug_dir : SYMBOLS_DEBUG_DIR;

	if (add_symbols(elf, e, SHT_SYMTAB, o->demangle) > 0)
		e->source = SYMBOLS_SOURCE_SYMTAB;
	else if (o->debug_files &&
		 (e->debug_path = debug_by_build_id(e, debug_dir, DEBUG_WANT_SYMTAB, o->demangle)))
		e->source = SYMBOLS_SOURCE_BUILD_ID;
	else if (o->debug_files && o->known_path &&
		 (e->debug_path = debug_by_link(e, elf, o->known_path, debug_dir,
						DEBUG_WANT_SYMTAB, o->demangle)))
		e->source = SYMBOLS_SOURCE_DEBUGLINK;
	else {
		size_t n = add_symbols(elf, e, SHT_DYNSYM, o->demangle);

		if (o->debug_files && debug_from_minidebuginfo(e, elf, o->demangle))
			e->source = SYMBOLS_SOURCE_MINIDEBUGINFO;
		else
			e->source = n > 0 ? SYMBOLS_SOURCE_DYNSYM : SYMBOLS_SOURCE_NONE;
	}
	symbols_table_finish(&e->table);
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

struct symbols_elf *symbols_elf_open_with(const char *path, const struct symbols_elf_opts *opts,
					  struct ft_error *err)
{
	struct symbols_elf_opts o = *opts;
	struct symbols_elf *e = NULL;
	Elf *elf;
	int fd;

	if (elf_init(err) < 0)
		return NULL;
	if (!o.known_path)
		o.known_path = path;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		error_set(err, "%s: %s", path, strerror(errno));
		return NULL;
	}
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf) {
		error_set(err, "%s: %s", path, elf_errmsg(-1));
		goto out_close;
	}
	e = read_elf(elf, err);
	if (!e) {
		char msg[sizeof(err->msg)];

		memcpy(msg, err->msg, sizeof(msg));
		error_set(err, "%s: %s", path, msg);
	} else {
		read_symbols(elf, e, &o);
	}
	elf_end(elf);
out_close:
	close(fd);
	return e;
}

char *symbols_elf_dwarf_file(const char *path, const struct symbols_elf_opts *opts)
{
	const char *debug_dir = opts->debug_dir ? opts->debug_dir : SYMBOLS_DEBUG_DIR;
	struct symbols_elf probe;
	struct ft_error err;
	char *found = NULL;
	Elf *elf;
	int fd;

	if (elf_init(&err) < 0)
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF)
		goto out;
	if (has_dwarf_lines(elf)) {
		found = xstrdup(path);
		goto out;
	}
	if (!opts->debug_files)
		goto out;
	memset(&probe, 0, sizeof(probe));
	read_build_id(elf, &probe);
	found = debug_by_build_id(&probe, debug_dir, DEBUG_WANT_DWARF, false);
	if (!found)
		found = debug_by_link(&probe, elf, opts->known_path ? opts->known_path : path,
				      debug_dir, DEBUG_WANT_DWARF, false);
out:
	if (elf)
		elf_end(elf);
	close(fd);
	return found;
}

struct symbols_elf *symbols_elf_open(const char *path, struct ft_error *err)
{
	static const struct symbols_elf_opts defaults = { .demangle = true, .debug_files = true };

	return symbols_elf_open_with(path, &defaults, err);
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

		read_symbols(elf, e, &opts);
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
	if (!e)
		return;
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

const char *symbols_elf_lookup(const struct symbols_elf *e, uint64_t vaddr)
{
	const struct symbols_sym *sym = symbols_table_lookup(&e->table, vaddr);

	return sym ? symbols_table_name(&e->table, sym) : NULL;
}
