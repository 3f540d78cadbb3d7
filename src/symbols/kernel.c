/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel symbols from /proc/kallsyms.
 *
 * kallsyms lists every kernel symbol with its address and type, module
 * symbols with a trailing "[module]". We keep only text symbols (types
 * t, T, w, W), sorted, each symbol running to the next one since kallsyms
 * has no sizes; /proc/modules, when readable, bounds each module so the
 * last function of a module does not swallow whatever follows it. When
 * kptr_restrict hides the addresses (all zero) there is nothing to use, and
 * we say so rather than resolve everything to the first symbol.
 *
 * Among the names of one address the one listed last wins, as in perf,
 * which gives every alias but the last a size of zero (it runs to the next
 * symbol's start, its own) and then prefers the sized one: for a system
 * call an x86-64 program makes, __x64_sys_getppid, not the __ia32_sys_
 * alias listed before it, whatever the names' lengths or types.
 *
 * The file is read once, the first time a kernel address is resolved, and
 * it is large (over 100,000 lines, several MB, which the kernel formats as
 * they are read): it is read through one small buffer and parsed by hand
 * as it comes, and only the names kept are copied, into one buffer that
 * the symbol table then owns. Holding the whole file at once cost more
 * in page faults and copies than parsing it. The table and the names
 * (about 3 MiB each) are big arrays (xbig_reallocarray), sized up front
 * for a usual kernel: in huge pages, filling them takes a few page faults
 * instead of some 1,500, which in a virtual machine cost more than
 * parsing the whole file.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define CORE_NAME "[kernel.kallsyms]"
/* Bound for a last symbol of unknown extent. */
#define LAST_SYMBOL_MAX 4096
/* What the file is read by; no kallsyms line comes near it. */
#define READ_BUF (64u << 10)
/*
 * First sizes of the tables: a kernel has about 100,000 text symbols
 * (122,000 on the one measured, 3 MiB of names), and 131,072 of them
 * (24 bytes each) make 3 MiB, rounded up to whole huge pages anyway.
 */
#define SYMS_INITIAL 131072
#define NAMES_INITIAL (4u << 20)

struct kernel_module {
	char *name; /* "[kernel.kallsyms]", "[ext4]" */
	uint64_t base, end; /* end 0: bounds unknown */
};

struct symbols_kernel {
	struct symbols_table table;
	struct kernel_module *mods; /* mods[0] is the core kernel */
	size_t nmods;
	bool available;
};

/* The index of module `name` ("ext4", no brackets; NULL for the core kernel), added if new. */
static uint16_t module_index(struct symbols_kernel *k, const char *name, size_t len)
{
	size_t i;

	if (!name)
		return 0;
	for (i = k->nmods; i-- > 1;) {
		const char *m = k->mods[i].name;

		if (strncmp(m + 1, name, len) == 0 && m[len + 1] == ']' && m[len + 2] == '\0')
			return (uint16_t)i;
	}
	if (k->nmods == UINT16_MAX)
		return 0;
	k->mods = xreallocarray(k->mods, k->nmods + 1, sizeof(*k->mods));
	k->mods[k->nmods].name = xasprintf("[%.*s]", (int)len, name);
	k->mods[k->nmods].base = 0;
	k->mods[k->nmods].end = 0;
	return (uint16_t)k->nmods++;
}

/* Reads module bounds from /proc/modules: "name size refs deps state 0xaddr ...". */
static void read_modules(struct symbols_kernel *k, const char *path)
{
	char *line = NULL;
	size_t cap = 0;
	FILE *f;

	if (!path || !(f = fopen(path, "re")))
		return;
	while (getline(&line, &cap, f) > 0) {
		char name[256];
		unsigned long long size, addr;
		uint16_t idx;

		if (sscanf(line, "%255s %llu %*s %*s %*s %llx", name, &size, &addr) != 3)
			continue;
		if (addr == 0 || addr + size < addr)
			continue;
		idx = module_index(k, name, strlen(name));
		if (idx == 0)
			continue;
		k->mods[idx].base = addr;
		k->mods[idx].end = addr + size;
	}
	free(line);
	fclose(f);
}

/* One more than the value of each hex digit; 0 for anything else. */
static const uint8_t hex_value[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5,
	['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

/*
 * The names of the symbols kept, back to back, each NUL-terminated: the
 * symbol table's name buffer, handed over when the file is read.
 */
struct name_buf {
	char *p;
	size_t len, cap;
};

/* Appends `name`, `len` bytes, and its NUL; returns its offset. */
static size_t name_add(struct name_buf *nb, const char *name, size_t len)
{
	size_t at = nb->len;

	if (nb->len + len + 1 > nb->cap) {
		size_t cap = nb->cap;

		while (nb->len + len + 1 > cap)
			cap = cap ? cap * 2 : NAMES_INITIAL;
		nb->p = xbig_reallocarray(nb->p, nb->cap, cap, 1);
		nb->cap = cap;
	}
	memcpy(nb->p + at, name, len);
	nb->p[at + len] = '\0';
	nb->len += len + 1;
	return at;
}

/* Where the reading of kallsyms is: what the line before said. */
struct parsing {
	uint16_t last_mod; /* the module of the last module symbol */
	uint64_t last_addr; /* the address of the last symbol kept */
	uint8_t alias; /* how many kept before it at that address, at most 255 */
};

/*
 * Parses one kallsyms line, line[0, len) without its newline: "ADDR TYPE
 * NAME" or "ADDR TYPE NAME\t[MODULE]". A text symbol with a nonzero
 * address goes into the table, its name into `nb`, ranked above the
 * aliases listed before it; anything else is skipped. Returns whether the
 * address was nonzero, whatever the type.
 */
static bool parse_line(struct symbols_kernel *k, struct name_buf *nb, struct parsing *ps,
		       const char *line, size_t len)
{
	const char *end = line + len, *q, *name, *name_end, *mod = NULL, *close;
	uint64_t addr = 0, max_end;
	size_t modlen = 0, namelen;
	uint16_t idx = 0;
	char type;
	unsigned d;

	for (q = line; q < end && (d = hex_value[(unsigned char)*q]) != 0; q++)
		addr = addr << 4 | (d - 1);
	if (q == line || q == end || *q != ' ')
		return false;
	if (addr == 0)
		return false;
	q++;
	if (end - q < 3 || q[1] != ' ')
		return true;
	type = q[0];
	if (type != 't' && type != 'T' && type != 'w' && type != 'W')
		return true;
	name = q + 2;
	name_end = memchr(name, '\t', (size_t)(end - name));
	if (name_end) {
		q = memchr(name_end, '[', (size_t)(end - name_end));
		close = q ? memchr(q, ']', (size_t)(end - q)) : NULL;
		if (close) {
			mod = q + 1;
			modlen = (size_t)(close - mod);
		}
	} else {
		name_end = end;
	}
	namelen = (size_t)(name_end - name);
	if (namelen == 0)
		return true;
	if (mod) {
		/* Module symbols come grouped: try the last module first. */
		const char *m = k->mods[ps->last_mod].name;

		if (!ps->last_mod || strncmp(m + 1, mod, modlen) != 0 || m[modlen + 1] != ']' ||
		    m[modlen + 2] != '\0')
			ps->last_mod = module_index(k, mod, modlen);
		idx = ps->last_mod;
	} else if (namelen == 5 && memcmp(name, "_text", 5) == 0) {
		k->mods[0].base = addr;
	}
	max_end = k->mods[idx].end ? k->mods[idx].end : UINT64_MAX;
	if (addr == ps->last_addr && ps->alias < UINT8_MAX)
		ps->alias++;
	else if (addr != ps->last_addr)
		ps->alias = 0;
	ps->last_addr = addr;
	symbols_table_add_ref(&k->table, addr, 0, max_end, name_add(nb, name, namelen), idx,
			      ps->alias);
	return true;
}

/*
 * Reads kallsyms from `fd` into the table, a buffer at a time (the file
 * is several MB, and only the names kept, about half of it, are worth
 * holding), each line parsed as soon as it is whole. A line longer than
 * the buffer is no kallsyms line: it is skipped. Returns the number of
 * lines with a nonzero address, whatever their type; the names in *nb.
 */
static size_t read_kallsyms(struct symbols_kernel *k, int fd, struct name_buf *nb)
{
	char *buf = xmalloc(READ_BUF);
	size_t have = 0, nonzero = 0;
	struct parsing ps = { 0, 0, 0 };
	bool skipping = false, eof = false;

	while (!eof) {
		ssize_t r = read(fd, buf + have, READ_BUF - have);
		const char *p = buf, *end, *nl;

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			eof = true; /* an error ends the file where it got to */
			r = 0;
		}
		end = buf + have + (size_t)r;
		while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
			if (!skipping)
				nonzero += parse_line(k, nb, &ps, p, (size_t)(nl - p));
			skipping = false;
			p = nl + 1;
		}
		if (eof && p < end && !skipping) /* a last line without its newline */
			nonzero += parse_line(k, nb, &ps, p, (size_t)(end - p));
		have = (size_t)(end - p);
		if (have == READ_BUF) {
			skipping = true;
			have = 0;
		} else if (have && p != buf) {
			memmove(buf, p, have);
		}
	}
	free(buf);
	return nonzero;
}

struct symbols_kernel *symbols_kernel_load(const char *kallsyms_path, const char *modules_path)
{
	struct symbols_kernel *k = xcalloc(1, sizeof(*k));
	struct name_buf nb = { NULL, 0, 0 };
	size_t nonzero;
	int fd;

	symbols_table_init(&k->table);
	k->mods = xcalloc(1, sizeof(*k->mods));
	k->mods[0].name = xstrdup(CORE_NAME);
	k->nmods = 1;
	read_modules(k, modules_path);

	fd = open(kallsyms_path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return k;
	symbols_table_reserve(&k->table, SYMS_INITIAL);
	nonzero = read_kallsyms(k, fd, &nb);
	close(fd);
	if (!nb.p) { /* no name kept: an empty buffer still */
		nb.p = xbig_reallocarray(NULL, 0, 1, 1);
		nb.p[0] = '\0';
		nb.cap = 1;
	}
	symbols_table_set_names(&k->table, nb.p, nb.len, nb.cap);

	symbols_table_finish(&k->table);
	if (k->table.len > 0 && k->table.syms[k->table.len - 1].end == UINT64_MAX)
		k->table.syms[k->table.len - 1].end =
			k->table.syms[k->table.len - 1].start + LAST_SYMBOL_MAX;
	k->available = nonzero > 0 && k->table.len > 0;
	return k;
}

void symbols_kernel_free(struct symbols_kernel *k)
{
	size_t i;

	if (!k)
		return;
	for (i = 0; i < k->nmods; i++)
		free(k->mods[i].name);
	free(k->mods);
	symbols_table_free(&k->table);
	free(k);
}

size_t symbols_kernel_cost(const struct symbols_kernel *k)
{
	size_t n = sizeof(*k) + k->nmods * sizeof(*k->mods);
	size_t i;

	for (i = 0; i < k->nmods; i++)
		n += strlen(k->mods[i].name) + 1;
	return n + k->table.cap * sizeof(*k->table.syms) + k->table.names_cap;
}

bool symbols_kernel_available(const struct symbols_kernel *k)
{
	return k->available;
}

void symbols_kernel_each(const struct symbols_kernel *k,
			 bool (*each)(void *ctx, const char *name, uint64_t start, uint64_t end),
			 void *ctx)
{
	size_t i;

	if (!k->available)
		return;
	for (i = 0; i < k->table.len; i++) {
		const struct symbols_sym *sym = &k->table.syms[i];

		if (!each(ctx, symbols_table_name(&k->table, sym), sym->start, sym->end))
			return;
	}
}

void symbols_kernel_lookup(const struct symbols_kernel *k, uint64_t addr, struct symbols_frame *out)
{
	const struct symbols_sym *sym = k->available ? symbols_table_lookup(&k->table, addr) : NULL;
	const struct kernel_module *mod = &k->mods[0];
	size_t i;

	out->kernel = true;
	out->name = NULL;
	if (sym) {
		out->name = symbols_table_name(&k->table, sym);
		mod = &k->mods[sym->module];
	} else {
		for (i = 1; i < k->nmods; i++) {
			if (k->mods[i].end && addr >= k->mods[i].base && addr < k->mods[i].end) {
				mod = &k->mods[i];
				break;
			}
		}
	}
	out->module = mod->name;
	out->offset = mod->base && addr >= mod->base ? addr - mod->base : addr;
}
