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
 * The file is read once, the first time a kernel address is resolved, and
 * it is large (over 100,000 lines, several MB): it is read whole in one
 * go and parsed by hand, and the names kept are packed in place in the
 * buffer read, which the symbol table then owns.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define CORE_NAME "[kernel.kallsyms]"
/* Bound for a last symbol of unknown extent. */
#define LAST_SYMBOL_MAX 4096

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

/* The start of the line after the one `p` is in (`end` for the last line). */
static const char *next_line(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	return nl ? nl + 1 : end;
}

/*
 * Parses kallsyms text, buf[0, len) followed by a NUL, into the table: lines "ADDR TYPE NAME"
 * or "ADDR TYPE NAME\t[MODULE]". The names of the symbols kept are moved
 * down to the front of `buf` as they are found (a line is always longer
 * than its name and its NUL), so that `buf` becomes the table's name
 * buffer, *names_len bytes long: no copy of the file, no allocation per
 * name. Returns the number of lines with a nonzero address, whatever their
 * type.
 */
static size_t parse_kallsyms(struct symbols_kernel *k, char *buf, size_t len, size_t *names_len)
{
	const char *p = buf, *end = buf + len;
	size_t w = 0, nonzero = 0;
	uint16_t last_mod = 0;

	while (p < end) {
		const char *line = p, *name, *name_end, *mod = NULL, *q;
		uint64_t addr = 0, max_end;
		size_t modlen = 0, namelen;
		uint16_t idx = 0;
		char type;
		unsigned d;

		for (q = line; q < end && (d = hex_value[(unsigned char)*q]) != 0; q++)
			addr = addr << 4 | (d - 1);
		if (q == line || q == end || *q != ' ') {
			p = next_line(q, end);
			continue;
		}
		nonzero += addr != 0;
		q++;
		if (end - q < 3 || q[0] == '\n' || q[1] != ' ') {
			p = next_line(q, end);
			continue;
		}
		type = q[0];
		name = q + 2;
		name_end = name + strcspn(name, "\t\n"); /* buf is NUL-terminated */
		p = name_end;
		if (p < end && *p == '\t') {
			const char *close;

			p = next_line(p, end);
			q = memchr(name_end, '[', (size_t)(p - name_end));
			close = q ? memchr(q, ']', (size_t)(p - q)) : NULL;
			if (close) {
				mod = q + 1;
				modlen = (size_t)(close - mod);
			}
		} else {
			p = next_line(p, end);
		}
		if (addr == 0 || name_end == name)
			continue;
		if (type != 't' && type != 'T' && type != 'w' && type != 'W')
			continue;
		namelen = (size_t)(name_end - name);
		if (mod) {
			/* Module symbols come grouped: try the last module first. */
			const char *m = k->mods[last_mod].name;

			if (!last_mod || strncmp(m + 1, mod, modlen) != 0 || m[modlen + 1] != ']' ||
			    m[modlen + 2] != '\0')
				last_mod = module_index(k, mod, modlen);
			idx = last_mod;
		} else if (namelen == 5 && memcmp(name, "_text", 5) == 0) {
			k->mods[0].base = addr;
		}
		max_end = k->mods[idx].end ? k->mods[idx].end : UINT64_MAX;
		memmove(buf + w, name, namelen);
		buf[w + namelen] = '\0';
		symbols_table_add_ref(&k->table, addr, 0, max_end, w, idx,
				      type == 'T' ? 2 : type == 'W' || type == 'w' ? 0 : 1);
		w += namelen + 1;
	}
	*names_len = w;
	return nonzero;
}

struct symbols_kernel *symbols_kernel_load(const char *kallsyms_path, const char *modules_path)
{
	struct symbols_kernel *k = xcalloc(1, sizeof(*k));
	size_t len, names_len, nonzero;
	char *buf;

	symbols_table_init(&k->table);
	k->mods = xcalloc(1, sizeof(*k->mods));
	k->mods[0].name = xstrdup(CORE_NAME);
	k->nmods = 1;
	read_modules(k, modules_path);

	/* One read of the whole file; kallsyms lines are about 40 bytes. */
	buf = util_read_file(kallsyms_path, &len);
	if (!buf)
		return k;
	symbols_table_reserve(&k->table, len / 40 + 16);
	nonzero = parse_kallsyms(k, buf, len, &names_len);
	symbols_table_set_names(&k->table, xrealloc(buf, names_len ? names_len : 1), names_len);

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

bool symbols_kernel_available(const struct symbols_kernel *k)
{
	return k->available;
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
