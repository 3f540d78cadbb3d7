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
 * The file is read once, the first time a kernel address is resolved.
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

/*
 * Parses one kallsyms line into the table. Returns 1 when the line had a
 * nonzero address (whatever its type), 0 otherwise.
 */
static int parse_line(struct symbols_kernel *k, char *line)
{
	char *p = line, *end, *name, *mod = NULL;
	uint64_t addr;
	char type;
	uint16_t idx;
	size_t modlen = 0;

	addr = strtoull(p, &end, 16);
	if (end == p || *end != ' ')
		return 0;
	p = end + 1;
	type = *p;
	if (!type || p[1] != ' ')
		return addr != 0;
	name = p + 2;
	end = name + strcspn(name, "\t\n");
	if (*end == '\t') {
		char *open = strchr(end + 1, '['), *close = open ? strchr(open, ']') : NULL;

		if (open && close) {
			mod = open + 1;
			modlen = (size_t)(close - mod);
		}
	}
	*end = '\0';
	if (addr == 0 || !*name)
		return addr != 0;
	if (type != 't' && type != 'T' && type != 'w' && type != 'W')
		return 1;
	idx = module_index(k, mod, modlen);
	if (idx == 0 && strcmp(name, "_text") == 0)
		k->mods[0].base = addr;
	symbols_table_add(&k->table, addr, 0, k->mods[idx].end ? k->mods[idx].end : UINT64_MAX,
			  name, idx, type == 'T' ? 2 : type == 'W' || type == 'w' ? 0 : 1);
	return 1;
}

struct symbols_kernel *symbols_kernel_load(const char *kallsyms_path, const char *modules_path)
{
	struct symbols_kernel *k = xcalloc(1, sizeof(*k));
	char *line = NULL;
	size_t cap = 0, nonzero = 0;
	FILE *f;

	symbols_table_init(&k->table);
	k->mods = xcalloc(1, sizeof(*k->mods));
	k->mods[0].name = xstrdup(CORE_NAME);
	k->nmods = 1;
	read_modules(k, modules_path);

	f = fopen(kallsyms_path, "re");
	if (!f)
		return k;
	while (getline(&line, &cap, f) > 0)
		nonzero += parse_line(k, line);
	free(line);
	fclose(f);

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
