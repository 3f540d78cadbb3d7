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
 *
 * Formatting the file costs the kernel more than all of that: root's runs
 * keep the table between them (kcache.c) and read the file's first page
 * only, while the copy is still right.
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

/* What the file is read by; no kallsyms line comes near it. */
#define READ_BUF (64u << 10)
/* Its first read, for the first line (the cache's key): a page's worth of lines. */
#define HEAD_READ 4096
/*
 * First sizes of the tables: a kernel has about 100,000 text symbols
 * (122,000 on the one measured, 3 MiB of names), and 131,072 of them
 * (24 bytes each) make 3 MiB, rounded up to whole huge pages anyway.
 */
#define SYMS_INITIAL 131072
#define NAMES_INITIAL (4u << 20)

struct symbols_kernel {
	struct symbols_table table;
	struct kernel_module *mods; /* mods[0] is the core kernel */
	size_t nmods;
	bool available;
	/*
	 * Read from the cache (kcache.c): `table` holds the core kernel's
	 * and the modules' symbols only. `extra` holds the others kallsyms
	 * lists (BPF programs, trampolines), read at the first address
	 * `table` does not cover, from the files below.
	 */
	bool cached, extra_read;
	struct symbols_table extra;
	char *kallsyms_path, *modules_path;
};

static void symbols_kernel_free_mods(struct symbols_kernel *k)
{
	size_t i;

	for (i = 0; i < k->nmods; i++)
		free(k->mods[i].name);
	free(k->mods);
	k->mods = NULL;
	k->nmods = 0;
}

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

/* Reads into buf[0, size) from `fd`, retrying an interrupted read. */
static ssize_t read_some(int fd, char *buf, size_t size)
{
	ssize_t r;

	do
		r = read(fd, buf, size);
	while (r < 0 && errno == EINTR);
	return r;
}

/*
 * Reads kallsyms from `fd` into the table, a buffer at a time (the file
 * is several MB, and only the names kept, about half of it, are worth
 * holding), each line parsed as soon as it is whole. `buf` (READ_BUF
 * bytes) holds the file's first `have` bytes, read already. A line longer
 * than the buffer is no kallsyms line: it is skipped. Returns the number
 * of lines with a nonzero address, whatever their type; the names in *nb;
 * *whole false when a read failed before the end.
 */
static size_t read_kallsyms(struct symbols_kernel *k, int fd, struct name_buf *nb, char *buf,
			    size_t have, bool *whole)
{
	size_t nonzero = 0;
	struct parsing ps = { 0, 0, 0 };
	bool skipping = false, eof = false;

	*whole = true;
	while (!eof) {
		ssize_t r = read_some(fd, buf + have, READ_BUF - have);
		const char *p = buf, *end, *nl;

		if (r < 0)
			*whole = false;
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
	return nonzero;
}

/*
 * Gives `k` the names read (an empty buffer when none were) and finishes
 * its table. The last symbol of the table, and the core kernel's last
 * function, which ran to whatever kallsyms listed next (a module, a BPF
 * program, a trampoline: no core code), run SYMBOLS_KERNEL_LAST_MAX bytes
 * at most.
 */
static void finish_table(struct symbols_kernel *k, struct name_buf *nb)
{
	struct symbols_sym *last_core = NULL;
	size_t i;

	if (!nb->p) { /* no name kept: an empty buffer still */
		nb->p = xbig_reallocarray(NULL, 0, 1, 1);
		nb->p[0] = '\0';
		nb->cap = 1;
	}
	symbols_table_set_names(&k->table, nb->p, nb->len, nb->cap);
	symbols_table_finish(&k->table);
	for (i = 0; i < k->table.len; i++) {
		if (k->table.syms[i].module == 0)
			last_core = &k->table.syms[i];
	}
	if (last_core && last_core->end - last_core->start > SYMBOLS_KERNEL_LAST_MAX)
		last_core->end = last_core->start + SYMBOLS_KERNEL_LAST_MAX;
	if (k->table.len > 0 && k->table.syms[k->table.len - 1].end == UINT64_MAX)
		k->table.syms[k->table.len - 1].end =
			k->table.syms[k->table.len - 1].start + SYMBOLS_KERNEL_LAST_MAX;
}

struct symbols_kernel *symbols_kernel_load_cached(const char *kallsyms_path,
						  const char *modules_path,
						  const struct symbols_kcache *cache)
{
	struct symbols_kernel *k = xcalloc(1, sizeof(*k));
	struct name_buf nb = { NULL, 0, 0 };
	char *buf, *key = NULL, *nl;
	size_t nonzero, key_len = 0, have;
	ssize_t r;
	bool whole;
	int fd;

	symbols_table_init(&k->table);
	symbols_table_init(&k->extra);
	k->mods = xcalloc(1, sizeof(*k->mods));
	k->mods[0].name = xstrdup(SYMBOLS_KERNEL_CORE);
	k->nmods = 1;
	read_modules(k, modules_path);

	fd = open(kallsyms_path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return k;
	buf = xmalloc(READ_BUF);
	r = read_some(fd, buf, HEAD_READ);
	have = r > 0 ? (size_t)r : 0;
	nl = have ? memchr(buf, '\n', have) : NULL;
	if (cache && nl)
		key = kcache_key(cache, buf, (size_t)(nl - buf), k->mods, k->nmods, &key_len);
	if (key) {
		struct kernel_module *mods;
		size_t nmods;

		if (kcache_load(cache, key, key_len, &k->table, &mods, &nmods)) {
			symbols_kernel_free_mods(k);
			k->mods = mods;
			k->nmods = nmods;
			k->cached = true;
			k->available = k->table.len > 0;
			k->kallsyms_path = xstrdup(kallsyms_path);
			k->modules_path = modules_path ? xstrdup(modules_path) : NULL;
			goto out;
		}
	}
	symbols_table_reserve(&k->table, SYMS_INITIAL);
	nonzero = read_kallsyms(k, fd, &nb, buf, have, &whole);
	finish_table(k, &nb);
	k->available = nonzero > 0 && k->table.len > 0;
	if (key && whole && k->available)
		kcache_store(cache, key, key_len, &k->table, k->mods, k->nmods);
out:
	free(key);
	free(buf);
	close(fd);
	return k;
}

struct symbols_kernel *symbols_kernel_load(const char *kallsyms_path, const char *modules_path)
{
	return symbols_kernel_load_cached(kallsyms_path, modules_path, NULL);
}

void symbols_kernel_free(struct symbols_kernel *k)
{
	if (!k)
		return;
	symbols_kernel_free_mods(k);
	symbols_table_free(&k->table);
	symbols_table_free(&k->extra);
	free(k->kallsyms_path);
	free(k->modules_path);
	free(k);
}

size_t symbols_kernel_cost(const struct symbols_kernel *k)
{
	size_t n = sizeof(*k) + k->nmods * sizeof(*k->mods);
	size_t i;

	for (i = 0; i < k->nmods; i++)
		n += strlen(k->mods[i].name) + 1;
	return n + k->table.cap * sizeof(*k->table.syms) + k->table.names_cap +
	       k->extra.cap * sizeof(*k->extra.syms) + k->extra.names_cap;
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

/*
 * Reads kallsyms whole, once, for the symbols a cached table does not
 * keep: into `extra`, each one that no symbol of `table` covers, with
 * its range and its module (added to ours when new).
 */
static void read_extra(struct symbols_kernel *k)
{
	struct symbols_kernel *full;
	size_t i;

	k->extra_read = true;
	full = symbols_kernel_load_cached(k->kallsyms_path, k->modules_path, NULL);
	for (i = 0; full->available && i < full->table.len; i++) {
		const struct symbols_sym *sym = &full->table.syms[i];
		const char *mod = full->mods[sym->module].name;
		uint16_t idx;

		if (symbols_table_lookup(&k->table, sym->start))
			continue;
		idx = sym->module ? module_index(k, mod + 1, strlen(mod) - 2) : 0;
		symbols_table_add(&k->extra, sym->start, sym->end - sym->start, UINT64_MAX,
				  symbols_table_name(&full->table, sym), idx, 0);
	}
	symbols_table_finish(&k->extra);
	symbols_kernel_free(full);
}

void symbols_kernel_lookup(struct symbols_kernel *k, uint64_t addr, struct symbols_frame *out)
{
	const struct symbols_sym *sym = k->available ? symbols_table_lookup(&k->table, addr) : NULL;
	const struct symbols_table *t = &k->table;
	const struct kernel_module *mod = &k->mods[0];
	size_t i;

	if (!sym && k->cached) {
		if (!k->extra_read)
			read_extra(k);
		t = &k->extra;
		sym = symbols_table_lookup(t, addr);
	}
	out->kernel = true;
	out->name = NULL;
	if (sym) {
		out->name = symbols_table_name(t, sym);
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
