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
 */
#include "config.h"

#include "flametop/symbols.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* A module or debug file larger than this (a sparse giant a session
 * names) is not read for lines. */
#define LINES_MAX_FILE_BYTES (UINT64_C(4) << 30)

struct lines_module {
	int status; /* 0: usable; else -errno, and nothing below is set */
	struct symbols_elf *elf; /* the module's segments */
	int fd; /* of the file holding the DWARF */
	Dwarf *dw;
};

struct symbols_lines {
	struct strtab paths; /* module path -> index into modules */
	struct lines_module *modules;
	struct strtab files; /* source file names handed out (stable pointers) */
	struct ft_notice *notice;
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
		if (m->status == 0)
			close(m->fd);
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

/* Opens `path`'s segments and DWARF into `m`; says why not, once. */
static void module_open(struct symbols_lines *l, struct lines_module *m, const char *path)
{
	struct symbols_elf_opts opts = { .debug_files = true };
	struct ft_error err;
	char *dwarf_path;

	m->fd = -1;
	if (path[0] != '/') {
		/* "[vdso]", "[anon]", "[unknown]": no file, nothing to say. */
		m->status = -ENODATA;
		return;
	}
	/* The path comes from a session file: never open a FIFO or a device. */
	m->fd = ft_open_regular(path, LINES_MAX_FILE_BYTES, NULL);
	if (m->fd < 0) {
		say(l, "%s: %s; its source lines are shown as ?:0", path, ft_open_strerror(m->fd));
		m->fd = -1;
		m->status = -ENODATA;
		return;
	}
	close(m->fd);
	m->fd = -1;
	m->elf = symbols_elf_open_with(path, &opts, &err);
	if (!m->elf) {
		say(l, "%s; its source lines are shown as ?:0", err.msg);
		m->status = -ENODATA;
		return;
	}
	dwarf_path = symbols_elf_dwarf_file(path, &opts);
	if (!dwarf_path) {
		say(l, "%s: no DWARF line tables (build it with -g, or install its debug file); "
		    "its source lines are shown as ?:0", path);
		m->status = -ENODATA;
		return;
	}
	m->fd = ft_open_regular(dwarf_path, LINES_MAX_FILE_BYTES, NULL);
	if (m->fd >= 0)
		m->dw = dwarf_begin(m->fd, DWARF_C_READ);
	if (!m->dw) {
		say(l, "%s: cannot read its DWARF (%s); its source lines are shown as ?:0",
		    dwarf_path, m->fd < 0 ? ft_open_strerror(m->fd) : dwarf_errmsg(-1));
		if (m->fd >= 0)
			close(m->fd);
		m->fd = -1;
		m->status = -ENODATA;
	}
	free(dwarf_path);
}

/*
 * The compilation unit covering `addr`: through .debug_aranges, else (a
 * compiler that writes none) by asking every unit whether it covers it.
 */
static Dwarf_Die *find_cu(Dwarf *dw, Dwarf_Addr addr, Dwarf_Die *out)
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

int symbols_lines_find(struct symbols_lines *l, const char *module, uint64_t offset,
		       const char **file, unsigned *line)
{
	struct lines_module *m;
	Dwarf_Addr vaddr;
	Dwarf_Line *dl;
	Dwarf_Die cu;
	const char *src;
	int lineno;

	*file = NULL;
	*line = 0;
	m = module_get(l, module);
	if (m->status < 0)
		return m->status;
	if (symbols_elf_offset_to_vaddr(m->elf, offset, &vaddr) < 0 ||
	    !find_cu(m->dw, vaddr, &cu) || !(dl = dwarf_getsrc_die(&cu, vaddr)) ||
	    dwarf_lineno(dl, &lineno) != 0 || !(src = dwarf_linesrc(dl, NULL, NULL)))
		return -ENOENT;
	*file = strtab_get(&l->files, strtab_intern(&l->files, src));
	*line = lineno > 0 ? (unsigned)lineno : 0;
	return 0;
}

const char *symbols_lines_comp_dir(struct symbols_lines *l, const char *module, uint64_t offset)
{
	struct lines_module *m = module_get(l, module);
	Dwarf_Attribute attr;
	Dwarf_Addr vaddr;
	Dwarf_Die cu;
	const char *dir;

	if (m->status < 0 || symbols_elf_offset_to_vaddr(m->elf, offset, &vaddr) < 0 ||
	    !find_cu(m->dw, vaddr, &cu) || !dwarf_attr(&cu, DW_AT_comp_dir, &attr) ||
	    !(dir = dwarf_formstring(&attr)))
		return NULL;
	return strtab_get(&l->files, strtab_intern(&l->files, dir));
}
