/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The resolver: (pid, address) -> (function, module, offset).
 *
 * The mapping that holds an address, and the module it maps, come from
 * the process-map layer (procmap.h). The symbolizer is one of its
 * consumers: a module's symbols (an ELF image, elf.c) are its data there,
 * loaded the first time an address in the module is resolved, exactly
 * once, shared by every module of the same identity, and freed by the
 * layer when no process maps the file any more and it ages out. A file
 * that cannot be read is remembered as such.
 *
 * Where a module's names come from is decided once, when it is loaded (see
 * elf.c: .symtab, a separate debug file, .dynsym with MiniDebugInfo). The
 * file itself is opened by the layer (procmap_open: map_files, the path
 * inside the process's root, or the path), with the checks a hostile file
 * needs. Addresses in anonymous mappings are looked up in the process's
 * JIT map (jitmap.c), re-read when an address is not in it and the file
 * has grown; at most SYMBOLS_JITMAPS_MAX maps are kept, the least recently
 * used dropped first.
 */
#include "config.h"

#include "flametop/symbols.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "internal.h"

#define UNKNOWN_NAME "[unknown]"
/* Bytes of a module read at a time, and at most, looking for its sigreturn trampoline. */
#define SIGRETURN_CHUNK (64u << 10)
#define SIGRETURN_MAX_BYTES (64ull << 20)

/* A JIT map, and when it was last used (for dropping the least recent). */
struct jit {
	uint32_t pid;
	uint64_t born; /* procmap_incarnation() of pid when the map was made */
	uint64_t used;
	struct symbols_jitmap *map;
};

struct symbols {
	struct procmap *pm;
	int slot;
	int inline_slot; /* the inlined functions' consumer (inline.c) */
	bool inline_on;
	size_t inline_bytes; /* what the modules' DWARF holds in memory, in all */
	uint64_t inline_budget_ns; /* a module's time for lookups (SYMBOLS_INLINE_BUDGET_NS) */
	struct symbols_kernel *kernel; /* NULL until first needed */
	char *kallsyms, *modules; /* symbols_set_kallsyms(); NULL: /proc's, when live */
	bool demangle;
	char *jitmap_dir;
	struct jit jits[SYMBOLS_JITMAPS_MAX];
	size_t njits;
	uint64_t jit_clock;
	uint64_t jit_refreshed_ns; /* when symbols_jit_refresh() last read the maps */
};

/* The procmap consumer: a module's data is its struct symbols_elf. */
static void *symbols_load(void *ctx, struct procmap *pm, const struct procmap_module *mod,
			  struct procmap_file *file, size_t *cost)
{
	struct symbols *s = ctx;
	struct symbols_elf_opts opts = { .debug_files = true };
	struct symbols_elf_report rep;
	struct symbols_elf *e;
	struct ft_error err;
	char *known;

	if (mod->kind == PROCMAP_VDSO) {
		e = symbols_elf_vdso(&err);
	} else {
		/* Debug links are looked for beside the file as the process knows it. */
		known = procmap_module_path(mod);
		opts.known_path = known;
		opts.demangle = s->demangle;
		e = symbols_elf_read(file, &opts, &rep, &err);
		if (rep.late && !procmap_interrupted(pm)) {
			procmap_say(pm, "%s: reading its symbols took more than %llu s; its frames "
				    "are named module+0xOFFSET", mod->name,
				    (unsigned long long)(PROCMAP_MODULE_BUDGET_NS / 1000000000ull));
		}
		free(known);
	}
	if (!e)
		return NULL;
	*cost = symbols_elf_cost(e);
	return e;
}

static void symbols_unload(void *ctx, void *data)
{
	symbols_elf_free(data);
}

static const struct procmap_consumer symbols_consumer = {
	.name = "symbols",
	.load = symbols_load,
	.free = symbols_unload,
};

/* The second consumer: a module's data is its DWARF, for inlined functions. */
static void *inline_load(void *ctx, struct procmap *pm, const struct procmap_module *mod,
			 struct procmap_file *file, size_t *cost)
{
	struct symbols *s = ctx;
	struct symbols_inline *in;
	struct ft_error err;
	char *known;

	if (mod->kind != PROCMAP_FILE || !file)
		return NULL;
	known = procmap_module_path(mod);
	in = symbols_inline_open(file, known, SYMBOLS_INLINE_DWARF_MAX - s->inline_bytes, &err,
				 cost);
	if (err.msg[0])
		procmap_say(pm, "%s", err.msg);
	if (in)
		s->inline_bytes += symbols_inline_bytes(in);
	free(known);
	return in;
}

static void inline_unload(void *ctx, void *data)
{
	struct symbols *s = ctx;

	s->inline_bytes -= symbols_inline_bytes(data);
	symbols_inline_free(data);
}

static const struct procmap_consumer inline_consumer = {
	.name = "inlined",
	.load = inline_load,
	.free = inline_unload,
};

struct symbols *symbols_new(struct procmap *pm)
{
	struct symbols *s = xcalloc(1, sizeof(*s));

	s->pm = pm;
	s->slot = procmap_register(pm, &symbols_consumer, s);
	s->inline_slot = procmap_register(pm, &inline_consumer, s);
	s->inline_on = s->inline_slot >= 0;
	s->inline_budget_ns = SYMBOLS_INLINE_BUDGET_NS;
	s->demangle = true;
	s->jitmap_dir = xstrdup("/tmp");
	return s;
}

void symbols_free(struct symbols *s)
{
	size_t i;

	if (!s)
		return;
	if (s->inline_slot >= 0)
		procmap_unregister(s->pm, s->inline_slot);
	procmap_unregister(s->pm, s->slot);
	for (i = 0; i < s->njits; i++)
		symbols_jitmap_free(s->jits[i].map);
	free(s->jitmap_dir);
	free(s->kallsyms);
	free(s->modules);
	symbols_kernel_free(s->kernel);
	free(s);
}

void symbols_set_demangle(struct symbols *s, bool demangle)
{
	s->demangle = demangle;
}

void symbols_set_inline(struct symbols *s, bool on)
{
	s->inline_on = on && s->inline_slot >= 0;
}

void symbols_set_inline_budget(struct symbols *s, uint64_t ns)
{
	s->inline_budget_ns = ns;
}

void symbols_set_jitmap_dir(struct symbols *s, const char *dir)
{
	free(s->jitmap_dir);
	s->jitmap_dir = xstrdup(dir);
}

void symbols_set_kallsyms(struct symbols *s, const char *kallsyms, const char *modules)
{
	free(s->kallsyms);
	free(s->modules);
	s->kallsyms = xstrdup(kallsyms);
	s->modules = modules ? xstrdup(modules) : NULL;
}

/* ---- lookups ---------------------------------------------------------- */

/*
 * Where root's runs keep the kernel's symbols between them (kcache.c):
 * /run is root's and emptied at boot. Another user's kallsyms shows no
 * addresses, so there is nothing to keep.
 */
static const struct symbols_kcache kernel_cache = {
	.dir = "/run/flametop",
	.boot_id = "/proc/sys/kernel/random/boot_id",
	.sys_module = "/sys/module",
};

/* The kernel's symbols, read the first time they are asked for. */
static struct symbols_kernel *kernel_get(struct symbols *s)
{
	bool live = procmap_live(s->pm);

	if (s->kernel)
		return s->kernel;
	if (s->kallsyms)
		s->kernel = symbols_kernel_load(s->kallsyms, s->modules);
	else if (live)
		s->kernel = symbols_kernel_load_cached("/proc/kallsyms", "/proc/modules",
						       geteuid() == 0 ? &kernel_cache : NULL);
	else
		s->kernel = symbols_kernel_load("/dev/null", NULL);
	return s->kernel;
}

bool symbols_have_kernel(struct symbols *s)
{
	return symbols_kernel_available(kernel_get(s));
}

size_t symbols_kernel_memory(const struct symbols *s)
{
	return s->kernel ? symbols_kernel_cost(s->kernel) : 0;
}

void symbols_kernel_functions(struct symbols *s,
			      bool (*each)(void *ctx, const char *name, uint64_t start,
					   uint64_t end),
			      void *ctx)
{
	symbols_kernel_each(kernel_get(s), each, ctx);
}

/* ---- JIT maps --------------------------------------------------------- */

/*
 * The slot for a new map of `pid`: the one of its stale map, a free one,
 * or the least recently used one; whatever map it held is freed.
 */
static struct jit *jit_slot(struct symbols *s, uint32_t pid)
{
	struct jit *j;
	size_t i;

	for (i = 0; i < s->njits; i++) {
		if (s->jits[i].pid == pid) {
			symbols_jitmap_free(s->jits[i].map);
			return &s->jits[i];
		}
	}
	if (s->njits < SYMBOLS_JITMAPS_MAX)
		return &s->jits[s->njits++];
	j = &s->jits[0];
	for (i = 1; i < s->njits; i++) {
		if (s->jits[i].used < j->used)
			j = &s->jits[i];
	}
	symbols_jitmap_free(j->map);
	return j;
}

/*
 * The JIT map of `pid`, created (unread) the first time it is asked for,
 * and again when the pid names another process or image than the map's
 * (its names were another program's); past SYMBOLS_JITMAPS_MAX maps, the
 * least recently used one is dropped.
 */
static struct symbols_jitmap *jit_get(struct symbols *s, uint32_t pid)
{
	uint64_t born = procmap_incarnation(s->pm, pid);
	struct procmap_owner owner;
	struct jit *j;
	size_t i;
	char *path;

	for (i = 0; i < s->njits; i++) {
		if (s->jits[i].pid == pid && s->jits[i].born == born) {
			s->jits[i].used = ++s->jit_clock;
			return s->jits[i].map;
		}
	}
	j = jit_slot(s, pid);
	/* Under the pid the process knows itself by (in its pid namespace). */
	if (!procmap_owner(s->pm, pid, &owner) || !owner.ns_pid)
		owner.ns_pid = pid;
	path = xasprintf("%s/perf-%" PRIu32 ".map", s->jitmap_dir, owner.ns_pid);
	j->pid = pid;
	j->born = born;
	j->used = ++s->jit_clock;
	j->map = symbols_jitmap_new(path, pid);
	free(path);
	return j->map;
}

/*
 * Reads what was appended to process pid's JIT map `m`, saying what a
 * person should hear (a refusal, a cap reached). False when whose it is
 * was never known (the process was gone before it could be looked up):
 * then no file is trusted to be its map. Its user is remembered
 * (procmap_owner()), so that a map is still read, and checked, for
 * samples read after the process exited.
 */
static bool jit_refresh(struct symbols *s, uint32_t pid, struct symbols_jitmap *m)
{
	struct ft_error err = { { 0 }, 0, 0 };
	struct procmap_owner owner;

	if (!procmap_owner(s->pm, pid, &owner))
		return false;
	symbols_jitmap_refresh(m, &owner, &err);
	if (err.msg[0])
		procmap_say(s->pm, "%s", err.msg);
	return true;
}

void symbols_jit_refresh(struct symbols *s, void (*changed)(void *ctx, uint32_t pid), void *ctx)
{
	uint64_t now = util_now_ns();
	size_t i;

	if (!procmap_live(s->pm) || now - s->jit_refreshed_ns < SYMBOLS_JIT_REFRESH_NS)
		return;
	s->jit_refreshed_ns = now;
	for (i = 0; i < s->njits; i++) {
		struct jit *j = &s->jits[i];
		uint64_t version = symbols_jitmap_version(j->map);

		if (jit_refresh(s, j->pid, j->map) && symbols_jitmap_version(j->map) != version)
			changed(ctx, j->pid);
	}
}

/*
 * Names an address in an anonymous mapping from the process's JIT map,
 * reading what was appended to it when the address is not yet known. Only
 * for live data: the map describes the process as it runs now.
 */
static void jit_resolve(struct symbols *s, uint32_t pid, uint64_t addr, struct symbols_frame *out)
{
	struct symbols_jitmap *m;
	const char *name;

	if (!procmap_live(s->pm))
		return;
	m = jit_get(s, pid);
	name = symbols_jitmap_lookup(m, addr);
	if (!name) {
		if (!jit_refresh(s, pid, m))
			return;
		name = symbols_jitmap_lookup(m, addr);
	}
	if (name) {
		out->name = name;
		out->module = symbols_jitmap_path(m);
	}
}

/* x86-64's rt_sigreturn trampoline (glibc's and musl's): mov $15,%rax; syscall. */
static const unsigned char sigreturn_code[] = {
	0x48, 0xc7, 0xc0, 0x0f, 0x00, 0x00, 0x00, /* mov $15,%rax */
	0x0f, 0x05, /* syscall */
};

/* Whether the image defines sigaction: the C library, which holds the trampoline. */
static bool defines_sigaction(const struct symbols_elf *e)
{
	size_t i;

	for (i = 0; i < e->table.len; i++) {
		const char *name = symbols_table_name(&e->table, &e->table.syms[i]);

		if (strcmp(name, "sigaction") == 0 || strcmp(name, "__sigaction") == 0)
			return true;
	}
	return false;
}

/* Where the trampoline's code starts in `f`'s segments, in e->sigreturn (state FOUND). */
static void find_sigreturn(struct symbols_elf *e, struct procmap_file *f)
{
	unsigned char *buf = xmalloc(SIGRETURN_CHUNK);
	uint64_t read = 0;
	size_t i;

	e->sigreturn_state = SIGRETURN_NONE;
	for (i = 0; i < e->nsegs && e->sigreturn_state == SIGRETURN_NONE; i++) {
		const struct symbols_segment *seg = &e->segs[i];
		uint64_t at = 0;

		while (at < seg->filesz && read < SIGRETURN_MAX_BYTES) {
			uint64_t want = seg->filesz - at < SIGRETURN_CHUNK ? seg->filesz - at
									   : SIGRETURN_CHUNK;
			ssize_t n = procmap_file_pread(f, buf, (size_t)want, seg->offset + at);
			const unsigned char *hit;

			if (n < (ssize_t)sizeof(sigreturn_code))
				break;
			read += (uint64_t)n;
			hit = memmem(buf, (size_t)n, sigreturn_code, sizeof(sigreturn_code));
			if (hit) {
				e->sigreturn = seg->offset + at + (uint64_t)(hit - buf);
				e->sigreturn_state = SIGRETURN_FOUND;
				break;
			}
			/* The next chunk starts early enough to hold a code cut here. */
			at += (uint64_t)n - (sizeof(sigreturn_code) - 1);
		}
	}
	free(buf);
}

/*
 * Whether file offset `off` of module `mod` (mapped by `map` in `pid`,
 * its image `e`) is where the sigreturn trampoline starts. The C library
 * is searched for it once, the first time it is asked.
 */
static bool sigreturn_at(struct symbols *s, struct symbols_elf *e, struct procmap_module *mod,
			 uint32_t pid, const struct procmap_map *map, uint64_t off)
{
	struct procmap_file f;

	if (e->sigreturn_state == SIGRETURN_UNKNOWN) {
		e->sigreturn_state = SIGRETURN_NONE;
		if (defines_sigaction(e) && procmap_open(s->pm, mod, pid, map, &f) == 0) {
			find_sigreturn(e, &f);
			procmap_file_close(&f);
		}
	}
	return e->sigreturn_state == SIGRETURN_FOUND && e->sigreturn == off;
}

void symbols_resolve(struct symbols *s, uint32_t pid, uint64_t addr, bool kernel,
		     struct symbols_frame *out)
{
	const struct procmap_map *map;
	struct procmap_module *mod;
	struct symbols_elf *elf;
	uint64_t vaddr;

	if (kernel) {
		symbols_kernel_lookup(kernel_get(s), addr, out);
		return;
	}
	out->kernel = false;
	out->name = NULL;

	map = procmap_find(s->pm, pid, addr);
	if (!map) {
		out->module = UNKNOWN_NAME;
		out->offset = addr;
		return;
	}
	mod = map->mod;
	out->module = mod->name;
	switch (mod->kind) {
	case PROCMAP_ANON:
	case PROCMAP_SPECIAL:
		out->offset = addr - map->start;
		if (mod->kind == PROCMAP_ANON)
			jit_resolve(s, pid, addr, out);
		return;
	case PROCMAP_VDSO:
		/* The kernel reports no meaningful page offset for the vdso. */
		out->offset = addr - map->start;
		break;
	case PROCMAP_FILE:
		out->offset = addr - map->start + map->pgoff;
		break;
	}
	elf = procmap_module_data(s->pm, mod, s->slot, pid, map);
	if (elf && symbols_elf_offset_to_vaddr(elf, out->offset, &vaddr) == 0) {
		out->name = symbols_elf_lookup(elf, vaddr);
		/* A return address there, looked up a byte early, is a signal frame's. */
		if (!out->name && (sigreturn_at(s, elf, mod, pid, map, out->offset) ||
				   sigreturn_at(s, elf, mod, pid, map, out->offset + 1)))
			out->name = SYMBOLS_SIGNAL_FRAME;
		if (elf->dm.late && !elf->dm.said) {
			elf->dm.said = true;
			procmap_say(s->pm, "%s: demangling its names took more than %llu s; the "
				    "names not demangled by then are left mangled", mod->name,
				    (unsigned long long)(SYMBOLS_DEMANGLE_BUDGET_NS / 1000000000ull));
		}
	}
}

size_t symbols_inlined(struct symbols *s, uint32_t pid, uint64_t addr, const char **names)
{
	const struct procmap_map *map;
	struct procmap_module *mod;
	struct symbols_inline *in;
	struct symbols_elf *elf;
	uint64_t vaddr;
	size_t n, cost;

	if (!s->inline_on || !(map = procmap_find(s->pm, pid, addr)) ||
	    map->mod->kind != PROCMAP_FILE)
		return 0;
	mod = map->mod;
	elf = procmap_module_data(s->pm, mod, s->slot, pid, map);
	if (!elf || symbols_elf_offset_to_vaddr(elf, addr - map->start + map->pgoff, &vaddr) < 0)
		return 0;
	in = procmap_module_data(s->pm, mod, s->inline_slot, pid, map);
	if (!in)
		return 0;
	cost = symbols_inline_cost(in);
	n = symbols_inline_find(in, vaddr, s->demangle, s->inline_budget_ns, names);
	if (symbols_inline_cost(in) != cost)
		procmap_module_data_cost(s->pm, mod, s->inline_slot, symbols_inline_cost(in));
	if (symbols_inline_late(in))
		procmap_say(s->pm, "%s: looking up its inlined functions took more than %.3g s; "
			    "its addresses not looked up by then show no inlined frames", mod->name,
			    (double)s->inline_budget_ns / 1e9);
	return n;
}
