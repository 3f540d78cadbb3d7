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
#include <unistd.h>

#include "internal.h"

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

static Elf_Scn *find_symtab(Elf *elf, GElf_Shdr *shdr_out)
{
	Elf_Scn *scn = NULL, *dynsym = NULL;
	GElf_Shdr shdr, dynsym_shdr;

	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		if (!gelf_getshdr(scn, &shdr))
			continue;
		if (shdr.sh_type == SHT_SYMTAB) {
			*shdr_out = shdr;
			return scn;
		}
		if (shdr.sh_type == SHT_DYNSYM && !dynsym) {
			dynsym = scn;
			dynsym_shdr = shdr;
		}
	}
	if (dynsym)
		*shdr_out = dynsym_shdr;
	return dynsym;
}

/*
 * Adds the functions of the symbol table. A stripped image without any
 * symbol table is not an error: it has segments, so offsets still work.
 */
static void read_symbols(Elf *elf, struct symbols_elf *e)
{
	GElf_Shdr shdr;
	Elf_Scn *scn = find_symtab(elf, &shdr);
	Elf_Data *data;
	size_t entsize, n, i;

	if (!scn || shdr.sh_type == SHT_NOBITS)
		return;
	data = elf_getdata(scn, NULL);
	entsize = gelf_fsize(elf, ELF_T_SYM, 1, EV_CURRENT);
	if (!data || !data->d_buf || entsize == 0)
		return;
	n = data->d_size / entsize;
	for (i = 0; i < n; i++) {
		GElf_Sym sym;
		const char *name;
		int type, bind;
		uint8_t prio;

		if (!gelf_getsym(data, (int)i, &sym))
			continue;
		type = GELF_ST_TYPE(sym.st_info);
		bind = GELF_ST_BIND(sym.st_info);
		if (type != STT_FUNC && type != STT_GNU_IFUNC)
			continue;
		if (sym.st_shndx == SHN_UNDEF || sym.st_value == 0)
			continue;
		name = elf_strptr(elf, shdr.sh_link, sym.st_name);
		if (!name || !*name)
			continue;
		prio = bind == STB_GLOBAL ? 2 : bind == STB_WEAK ? 1 : 0;
		symbols_table_add(&e->table, sym.st_value, sym.st_size,
				  section_end(elf, sym.st_shndx), name, 0, prio);
	}
	symbols_table_finish(&e->table);
}

/* Reads everything we keep from an open Elf handle; NULL with `err` on failure. */
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
	read_symbols(elf, e);
	return e;

out_free:
	symbols_elf_free(e);
	return NULL;
}

struct symbols_elf *symbols_elf_open(const char *path, struct ft_error *err)
{
	struct symbols_elf *e = NULL;
	Elf *elf;
	int fd;

	if (elf_init(err) < 0)
		return NULL;
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
	}
	elf_end(elf);
out_close:
	close(fd);
	return e;
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
