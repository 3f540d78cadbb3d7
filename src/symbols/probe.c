/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A function's place in an ELF file, as a file offset: what the kernel's
 * uprobe PMU attaches at (profile types alloc and exceptions probe
 * malloc, free, __cxa_throw in the target's libraries). The file is
 * opened with ft_open_regular (a regular file, never a FIFO or a device,
 * capped): the path comes from a target's memory maps, which its owner
 * controls. libelf reads it (ELF_C_READ), never maps it: the owner can
 * truncate the file while we look, and a mapped page past the new end
 * would kill flametop with SIGBUS, where a read only comes back short.
 * No symbol or string section larger than PROCMAP_READ_MAX is read.
 */
#include "config.h"

#include "flametop/procmap.h"
#include "flametop/symbols.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A library larger than this is no library (the cap of ft_open_regular). */
#define PROBE_MAX_FILE (4ull << 30)

/* Whether section `index` of `elf` exists and is small enough to read whole. */
static bool section_small(Elf *elf, size_t index)
{
	Elf_Scn *scn = elf_getscn(elf, index);
	GElf_Shdr shdr;

	return scn && gelf_getshdr(scn, &shdr) && shdr.sh_size <= PROCMAP_READ_MAX;
}

/*
 * Finds `name`, a defined function, in the symbol section `scn`; neither it
 * nor its string table is read when larger than PROCMAP_READ_MAX.
 */
static int find_in(Elf *elf, Elf_Scn *scn, const GElf_Shdr *shdr, const char *name, uint64_t *vaddr)
{
	Elf_Data *data;
	size_t n, i;

	if (shdr->sh_size > PROCMAP_READ_MAX || !section_small(elf, shdr->sh_link))
		return -ENOENT;
	data = elf_getdata(scn, NULL);
	if (!data || !shdr->sh_entsize)
		return -ENOENT;
	n = shdr->sh_size / shdr->sh_entsize;
	for (i = 0; i < n; i++) {
		GElf_Sym sym;
		const char *sname;

		if (!gelf_getsym(data, (int)i, &sym) || sym.st_shndx == SHN_UNDEF ||
		    sym.st_value == 0)
			continue;
		if (GELF_ST_TYPE(sym.st_info) != STT_FUNC &&
		    GELF_ST_TYPE(sym.st_info) != STT_GNU_IFUNC)
			continue;
		sname = elf_strptr(elf, shdr->sh_link, sym.st_name);
		if (sname && strcmp(sname, name) == 0) {
			*vaddr = sym.st_value;
			return 0;
		}
	}
	return -ENOENT;
}

static int vaddr_to_offset(Elf *elf, uint64_t vaddr, uint64_t *offset)
{
	size_t n, i;

	if (elf_getphdrnum(elf, &n) != 0)
		return -ENOEXEC;
	for (i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD || !(ph.p_flags & PF_X))
			continue;
		if (vaddr >= ph.p_vaddr && vaddr < ph.p_vaddr + ph.p_filesz) {
			*offset = vaddr - ph.p_vaddr + ph.p_offset;
			return 0;
		}
	}
	return -ENOENT;
}

int symbols_func_file_offset(const char *path, const char *name, uint64_t *offset,
			     struct ft_error *err)
{
	Elf_Scn *scn = NULL;
	uint64_t vaddr = 0;
	int fd, ret = -ENOENT;
	struct stat st;
	Elf *elf;

	if (elf_version(EV_CURRENT) == EV_NONE) {
		error_set(err, "libelf is out of date: %s", elf_errmsg(-1));
		return -ENOSYS;
	}
	fd = ft_open_regular(path, PROBE_MAX_FILE, &st);
	if (fd < 0) {
		error_set(err, "%s: %s", path, ft_open_strerror(fd));
		return fd;
	}
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		error_set(err, "%s: not an ELF file", path);
		ret = -ENOEXEC;
		goto out;
	}
	/* .dynsym first: a library's exported functions are there. */
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;

		if (gelf_getshdr(scn, &shdr) && shdr.sh_type == SHT_DYNSYM &&
		    find_in(elf, scn, &shdr, name, &vaddr) == 0) {
			ret = 0;
			break;
		}
	}
	while (ret < 0 && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;

		if (gelf_getshdr(scn, &shdr) && shdr.sh_type == SHT_SYMTAB &&
		    find_in(elf, scn, &shdr, name, &vaddr) == 0)
			ret = 0;
	}
	if (ret == 0)
		ret = vaddr_to_offset(elf, vaddr, offset);
	if (ret < 0)
		error_set(err, "%s has no function %s", path, name);
out:
	if (elf)
		elf_end(elf);
	close(fd);
	return ret;
}
