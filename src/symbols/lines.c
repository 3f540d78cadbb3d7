/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Source lines with elfutils' libdw: (module path, file offset) -> file:line.
 *
 * This is the one place flametop reads DWARF for lines; `report --lines`
 * and the TUI ask it about the code locations a session recorded (a leaf
 * frame's module and the address's file offset in it). It works from
 * paths alone, after the fact, so it knows nothing of processes: the
 * module is opened by its recorded path, its PT_LOAD segments turn the
 * offset into a link-time address (elf.c), and the line tables come from
 * the file itself or, for a stripped file, from its separate debug file,
 * found exactly as the symbols are (elf.c: by build id, then by
 * .gnu_debuglink).
 *
 * Each module is opened once and stays open (libdw caches the line
 * tables of the compilation units it has read); one that cannot be used
 * is remembered as such, with a single notice saying why, so a report
 * over thousands of addresses in a stripped library says it once.
 *
 * A session names files by path only, and the file there may have been
 * replaced since it was recorded (a package upgraded, a program rebuilt):
 * its lines would then be another build's, wrong without a sign. The
 * function the session named each address is checked against what the
 * file's symbols name it now (as shown, or as stored for a session kept
 * mangled); once an address is named otherwise, the module gives no more
 * lines (its caller drops those it gave), and a notice says so, once.
 *
 * The paths come from a session file, which anyone may have written: the
 * files are opened as the process-map layer opens a process's files
 * (procmap_file_open: never a FIFO or a device, never a final symbolic
 * link, a size cap), and libdw gets an Elf handle read with ELF_C_READ,
 * never a mapping a truncation could turn into SIGBUS, after the DWARF
 * sections were checked to take, decompressed, at most what is left of
 * SYMBOLS_LINES_DWARF_MAX bytes for all modules together (libdw reads and
 * decompresses them whole: a section of zeros compresses a thousandfold).
 */
#include "config.h"

#include "flametop/symbols.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwelf.h>
#include <errno.h>
#include <gelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

struct lines_module {
	int status; /* 0: usable; else -errno, and nothing below is set */
	bool changed; /* an address was found named otherwise than recorded (and said) */
	bool trusted; /* its DWARF's file is a trusted user's, writable by no one else */
	struct symbols_elf *elf; /* the module's segments */
	Elf *dwelf; /* its Elf handle, under dw */
	Dwarf *dw;
};

struct symbols_lines {
	struct strtab paths; /* module path -> index into modules */
	struct lines_module *modules;
	struct strtab files; /* source file names handed out (stable pointers) */
	struct ft_notice *notice;
	size_t bytes; /* what the modules' DWARF holds in memory, in all */
};

struct symbols_lines *symbols_lines_new(void)
{
	struct symbols_lines *l = xcalloc(1, sizeof(*l));

	strtab_init(&l->paths);
	strtab_init(&l->files);
	return l;
}

void symbols_lines_free(struct symbols_lines *l)
{
	uint32_t i;

	if (!l)
		return;
	for (i = 0; i < l->paths.len; i++) {
		struct lines_module *m = &l->modules[i];

		if (m->dw)
			dwarf_end(m->dw);
		if (m->dwelf)
			elf_end(m->dwelf);
		symbols_elf_free(m->elf);
	}
	free(l->modules);
	strtab_free(&l->paths);
	strtab_free(&l->files);
	free(l);
}

void symbols_lines_set_notice(struct symbols_lines *l, struct ft_notice *notice)
{
	l->notice = notice;
}

static void say(struct symbols_lines *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct symbols_lines *l, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	notice_say(l->notice, NULL, "%s", msg);
}

uint64_t symbols_lines_dwarf_bytes(Elf *elf, bool mapped, uint64_t max, bool *compressed)
{
	Elf_Scn *scn = NULL;
	uint64_t sum = 0;
	size_t shstrndx;

	*compressed = false;
	if (elf_getshdrstrndx(elf, &shstrndx) != 0)
		return UINT64_MAX;
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr shdr;
		GElf_Chdr chdr;
		const char *n;
		uint64_t size;

		if (!gelf_getshdr(scn, &shdr))
			return UINT64_MAX;
		n = elf_strptr(elf, shstrndx, shdr.sh_name);
		if (!n || shdr.sh_type == SHT_NOBITS)
			continue;
		if (strncmp(n, ".zdebug_", 8) == 0)
			return UINT64_MAX;
		if (strncmp(n, ".debug_", 7) != 0)
			continue;
		size = mapped ? 0 : shdr.sh_size;
		if (shdr.sh_flags & SHF_COMPRESSED) {
			if (!gelf_getchdr(scn, &chdr))
				return UINT64_MAX;
			size = chdr.ch_size;
			*compressed = true;
		}
		if (size > max || sum + size > max)
			return UINT64_MAX;
		sum += size;
	}
	return sum;
}

/* Opens `path`'s segments and DWARF into `m`; says why not, once. */
static void module_open(struct symbols_lines *l, struct lines_module *m, const char *path)
{
	struct symbols_elf_opts opts = { .debug_files = true, .demangle = true };
	struct procmap_file file = { .fd = -1, .root = -1 };
	struct ft_error err;
	char *dwarf_path;
	uint64_t bytes;
	bool compressed;

	if (path[0] != '/') {
		/* "[vdso]", "[anon]", "[unknown]": no file, nothing to say. */
		m->status = -ENODATA;
		return;
	}
	m->elf = symbols_elf_open_with(path, &opts, &err);
	if (!m->elf) {
		say(l, "%s; its source lines are shown as ?:0", err.msg);
		m->status = -ENODATA;
		return;
	}
	if (symbols_elf_dwarf_open(path, &opts, &file, &dwarf_path) < 0) {
		say(l, "%s: no DWARF line tables (build it with -g, or install its debug file); "
		    "its source lines are shown as ?:0", path);
		m->status = -ENODATA;
		return;
	}
	m->dwelf = elf_begin(file.fd, ELF_C_READ, NULL);
	bytes = m->dwelf ? symbols_lines_dwarf_bytes(m->dwelf, false, SYMBOLS_LINES_DWARF_MAX - l->bytes,
						     &compressed)
			 : 0;
	if (bytes == UINT64_MAX) {
		say(l,
		    "%s: its DWARF would take more than the %llu MiB of memory left to source lines, "
		    "or is compressed in a way that does not say its size; its source lines are "
		    "shown as ?:0",
		    dwarf_path, (unsigned long long)((SYMBOLS_LINES_DWARF_MAX - l->bytes) >> 20));
		goto out_refuse;
	}
	if (m->dwelf)
		m->dw = dwarf_begin_elf(m->dwelf, DWARF_C_READ, NULL);
	m->trusted = ft_uid_trusted((uid_t)file.uid) && !(file.mode & (S_IWGRP | S_IWOTH));
	if (m->dw && !m->trusted && symbols_lines_dwarf_altlink(m->dw)) {
		say(l,
		    "%s: its DWARF refers to a supplementary file (.gnu_debugaltlink), which is "
		    "not opened for a file that a user may write; its source lines are shown as ?:0",
		    dwarf_path);
		goto out_refuse;
	}
	if (m->dw)
		l->bytes += (size_t)bytes;
	/* libdw holds the sections it reads: no descriptor is kept per module (see inline.c). */
	if (m->dw)
		elf_cntl(m->dwelf, ELF_C_FDDONE);
	procmap_file_close(&file);
	if (!m->dw) {
		say(l, "%s: cannot read its DWARF (%s); its source lines are shown as ?:0",
		    dwarf_path, m->dwelf ? dwarf_errmsg(-1) : elf_errmsg(-1));
		goto out_refuse;
	}
	free(dwarf_path);
	return;

out_refuse:
	/* Refused, said why: nothing of its DWARF kept, its lookups answer -ENODATA. */
	dwarf_end(m->dw);
	m->dw = NULL;
	elf_end(m->dwelf);
	m->dwelf = NULL;
	procmap_file_close(&file);
	m->status = -ENODATA;
	free(dwarf_path);
}

bool symbols_lines_dwarf_altlink(Dwarf *dw)
{
	const void *id;
	const char *name;

	return dwelf_dwarf_gnu_debugaltlink(dw, &name, &id) != 0;
}

Dwarf_Die *symbols_lines_cu(Dwarf *dw, Dwarf_Addr addr, Dwarf_Die *out)
{
	Dwarf_Off off = 0, next;
	size_t hsize;

	if (dwarf_addrdie(dw, addr, out))
		return out;
	while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		if (dwarf_offdie(dw, off + hsize, out) && dwarf_haspc(out, addr) > 0)
			return out;
		off = next;
	}
	return NULL;
}

/* The module at path `module`, opened the first time it is asked for. */
static struct lines_module *module_get(struct symbols_lines *l, const char *module)
{
	uint32_t before = l->paths.len, id;

	id = strtab_intern(&l->paths, module);
	if (l->paths.len != before) {
		l->modules = xreallocarray(l->modules, l->paths.len, sizeof(*l->modules));
		memset(&l->modules[id], 0, sizeof(l->modules[id]));
		module_open(l, &l->modules[id], module);
	}
	return &l->modules[id];
}

/* Whether `name` is how a frame without a symbol is named: "module+0xOFFSET". */
static bool unnamed(const char *name)
{
	const char *plus = strstr(name, "+0x");

	return plus && plus[3] && strspn(plus + 3, "0123456789abcdef") == strlen(plus + 3);
}

/*
 * Whether the module's symbols name `vaddr` `function` (as shown, or as
 * stored), as the session did. Without a name on either side there is
 * nothing to tell: yes.
 */
static bool same_function(struct lines_module *m, uint64_t vaddr, const char *function,
			  const char **now)
{
	const struct symbols_sym *sym;

	*now = function && !unnamed(function) ? symbols_elf_lookup(m->elf, vaddr) : NULL;
	if (!*now || strcmp(*now, function) == 0)
		return true;
	sym = symbols_table_lookup(&m->elf->table, vaddr);
	return sym && strcmp(symbols_table_name(&m->elf->table, sym), function) == 0;
}

int symbols_lines_find(struct symbols_lines *l, const char *module, uint64_t offset,
		       const char *function, const char **file, unsigned *line)
{
	struct lines_module *m;
	Dwarf_Addr vaddr;
	Dwarf_Line *dl;
	Dwarf_Die cu;
	const char *src, *now;
	int lineno;

	*file = NULL;
	*line = 0;
	m = module_get(l, module);
	if (m->status < 0)
		return m->status;
	if (m->changed)
		return -ESTALE;
	if (symbols_elf_offset_to_vaddr(m->elf, offset, &vaddr) < 0)
		return -ENOENT;
	if (!same_function(m, vaddr, function, &now)) {
		say(l,
		    "%s changed since the session was recorded (offset 0x%llx is in %.200s now, "
		    "not %.200s); its source lines are shown as ?:0",
		    module, (unsigned long long)offset, now, function);
		m->changed = true;
		return -ESTALE;
	}
	if (!symbols_lines_cu(m->dw, vaddr, &cu) || !(dl = dwarf_getsrc_die(&cu, vaddr)) ||
	    dwarf_lineno(dl, &lineno) != 0 || !(src = dwarf_linesrc(dl, NULL, NULL)))
		return -ENOENT;
	*file = strtab_get(&l->files, strtab_intern(&l->files, src));
	*line = lineno > 0 ? (unsigned)lineno : 0;
	return 0;
}

bool symbols_lines_changed(struct symbols_lines *l, const char *module)
{
	uint32_t id;

	return strtab_find(&l->paths, module, &id) && l->modules[id].changed;
}

const char *symbols_lines_comp_dir(struct symbols_lines *l, const char *module, uint64_t offset)
{
	struct lines_module *m = module_get(l, module);
	Dwarf_Attribute attr;
	Dwarf_Addr vaddr;
	Dwarf_Die cu;
	const char *dir;

	if (m->status < 0 || symbols_elf_offset_to_vaddr(m->elf, offset, &vaddr) < 0 ||
	    !symbols_lines_cu(m->dw, vaddr, &cu) || !dwarf_attr(&cu, DW_AT_comp_dir, &attr) ||
	    !(dir = dwarf_formstring(&attr)))
		return NULL;
	return strtab_get(&l->files, strtab_intern(&l->files, dir));
}

bool symbols_lines_trusted(struct symbols_lines *l, const char *module)
{
	const struct lines_module *m = module_get(l, module);

	return m->status == 0 && m->trusted;
}
