/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The resolver: (pid, address) -> (function, module, offset).
 *
 * Each process has a sorted array of mappings, filled from MMAP2 records
 * and, the first time the process is resolved, from /proc/PID/maps. Each
 * mapping points to a module: a file (keyed by path and build id, or path,
 * device and inode when the kernel gave no build id), the vdso, or an
 * anonymous / special region such as [heap]. Modules load their ELF symbols
 * lazily, the first time an address in them is resolved, exactly once;
 * a file that cannot be read is remembered as such. Loaded ELF images are
 * shared between modules that turn out to be the same file (same path and
 * build id), since /proc/PID/maps and MMAP2 records name one library by two
 * different keys.
 *
 * Lifecycle decisions: fork copies the parent's maps (reading the parent's
 * /proc maps first if we never had them); exec empties the maps without
 * reading /proc, because the kernel emits the exec's COMM record before the
 * MMAP2 records of the new image, and /proc read at processing time may
 * already describe a later exec or nothing at all; exit drops the process,
 * but lazily: the last EXITED_KEEP exited processes stay resolvable, since
 * samples read from another CPU's ring buffer can arrive after the EXIT
 * record. A pid that comes back (an MMAP2, fork or exec for it) starts
 * afresh.
 * An address that falls in no mapping of a live process re-reads
 * /proc/PID/maps, at most once a second per process, so that a lost MMAP2
 * record (ring buffer overflow) does not leave a library unresolved for the
 * rest of a session.
 *
 * Where a module's names come from is decided once, when it is loaded (see
 * elf.c: .symtab, a separate debug file, .dynsym with MiniDebugInfo). The
 * file itself is found by the path in its mapping when that path still
 * names the mapped file; else through /proc/PID/root (another mount
 * namespace: a container); else through /proc/PID/map_files/START-END,
 * which reaches a binary that was deleted or replaced since it was mapped.
 * Addresses in anonymous mappings are looked up in the process's JIT map
 * (jitmap.c), re-read when an address is not in it and the file has grown.
 */
#include "config.h"

#include "flametop/symbols.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>

#include "internal.h"

#define UNKNOWN_NAME "[unknown]"
#define ANON_NAME "[anon]"
#define VDSO_NAME "[vdso]"
#define DEFAULT_RESCAN_NS 1000000000ull
#define EXITED_KEEP 64

enum module_kind {
	MODULE_FILE,
	MODULE_VDSO,
	MODULE_ANON, /* anonymous or special ([heap], [stack]): never has symbols */
};

struct symbols_module {
	char *name; /* the path for files; what lookups report as the module */
	enum module_kind kind;
	bool loaded; /* a load was attempted (elf NULL: it failed) */
	struct symbols_elf *elf; /* borrowed from symbols.images */
	uint32_t maj, min;
	uint64_t ino;
	uint8_t build_id[20];
	uint8_t build_id_size; /* the build id the kernel reported, 0 if none */
};

/* A loaded image, owned by struct symbols; `path` + build id make it shareable. */
struct image {
	char *path;
	struct symbols_elf *elf;
};

struct symbols_map {
	uint64_t start, end, pgoff;
	struct symbols_module *mod;
};

struct symbols_proc {
	struct symbols_map *maps; /* sorted by start, never overlapping */
	size_t len, cap;
	bool loaded; /* /proc/PID/maps read, or maps known from fork/exec */
	bool gone; /* reading /proc/PID/maps failed: do not rescan */
	uint64_t scanned_ns; /* when /proc/PID/maps was last read, 0 never */
	uint64_t exit_seq; /* nonzero: exited, the number of its exit */
};

struct symbols {
	struct strtab module_keys; /* key -> index into modules */
	struct symbols_module **modules;
	struct image *images;
	size_t nimages;
	struct u64map proc_index; /* pid + 1 -> index into procs */
	struct symbols_proc **procs; /* NULL for pids that exited */
	size_t nprocs;
	struct {
		uint32_t idx; /* into procs */
		uint64_t seq; /* exit_seq of that exit, 0 for an empty slot */
	} exited[EXITED_KEEP]; /* a ring of the latest exits */
	size_t exited_next;
	uint64_t exit_seq;
	struct symbols_kernel *kernel; /* NULL until first needed */
	uint64_t rescan_ns;
	bool live;
	bool demangle;
	char *jitmap_dir;
	struct u64map jit_index; /* pid + 1 -> index into jits */
	struct symbols_jitmap **jits;
	size_t njits;
	struct ft_notice *notice;
};

struct symbols *symbols_new(void)
{
	struct symbols *s = xcalloc(1, sizeof(*s));

	strtab_init(&s->module_keys);
	u64map_init(&s->proc_index);
	u64map_init(&s->jit_index);
	s->rescan_ns = DEFAULT_RESCAN_NS;
	s->live = true;
	s->demangle = true;
	s->jitmap_dir = xstrdup("/tmp");
	return s;
}

static void proc_free(struct symbols_proc *p)
{
	if (!p)
		return;
	free(p->maps);
	free(p);
}

void symbols_free(struct symbols *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->module_keys.len; i++) {
		free(s->modules[i]->name);
		free(s->modules[i]);
	}
	free(s->modules);
	strtab_free(&s->module_keys);
	for (i = 0; i < s->nimages; i++) {
		free(s->images[i].path);
		symbols_elf_free(s->images[i].elf);
	}
	free(s->images);
	for (i = 0; i < s->nprocs; i++)
		proc_free(s->procs[i]);
	free(s->procs);
	u64map_free(&s->proc_index);
	for (i = 0; i < s->njits; i++)
		symbols_jitmap_free(s->jits[i]);
	free(s->jits);
	u64map_free(&s->jit_index);
	free(s->jitmap_dir);
	symbols_kernel_free(s->kernel);
	free(s);
}

void symbols_set_live(struct symbols *s, bool live)
{
	s->live = live;
}

void symbols_set_rescan_interval(struct symbols *s, uint64_t ns)
{
	s->rescan_ns = ns;
}

void symbols_set_demangle(struct symbols *s, bool demangle)
{
	s->demangle = demangle;
}

void symbols_set_notice(struct symbols *s, struct ft_notice *notice)
{
	s->notice = notice;
}

void symbols_set_jitmap_dir(struct symbols *s, const char *dir)
{
	free(s->jitmap_dir);
	s->jitmap_dir = xstrdup(dir);
}

/* ---- modules ---------------------------------------------------------- */

/* Returns the module for a mapping of `filename`, creating it (unloaded) if new. */
static struct symbols_module *module_get(struct symbols *s, const struct pipeline_mmap *m)
{
	const char *filename = m->filename ? m->filename : "";
	enum module_kind kind;
	const char *name = filename;
	struct symbols_module *mod;
	uint32_t id;
	char *key;

	if (!*filename || strcmp(filename, "//anon") == 0) {
		kind = MODULE_ANON;
		name = ANON_NAME;
	} else if (strcmp(filename, VDSO_NAME) == 0) {
		kind = MODULE_VDSO;
	} else if (filename[0] != '/') {
		kind = MODULE_ANON; /* [heap], [stack], [vvar], anon_inode:... */
	} else {
		kind = MODULE_FILE;
	}

	if (kind != MODULE_FILE) {
		key = xasprintf("a:%s", name);
	} else if (m->build_id_size > 0) {
		char hex[2 * sizeof(m->build_id) + 1];
		size_t i, n = m->build_id_size;

		if (n > sizeof(m->build_id))
			n = sizeof(m->build_id);
		for (i = 0; i < n; i++)
			snprintf(hex + 2 * i, 3, "%02x", m->build_id[i]);
		hex[2 * n] = '\0';
		key = xasprintf("b:%s:%s", hex, name);
	} else {
		key = xasprintf("i:%" PRIu32 ":%" PRIu32 ":%" PRIu64 ":%s", m->maj, m->min, m->ino,
				name);
	}

	if (strtab_find(&s->module_keys, key, &id)) {
		free(key);
		return s->modules[id];
	}
	id = strtab_intern(&s->module_keys, key);
	free(key);
	s->modules = xreallocarray(s->modules, (size_t)id + 1, sizeof(*s->modules));
	mod = xcalloc(1, sizeof(*mod));
	mod->name = xstrdup(name);
	mod->kind = kind;
	if (kind == MODULE_FILE) {
		mod->maj = m->maj;
		mod->min = m->min;
		mod->ino = m->ino;
		mod->build_id_size = m->build_id_size > sizeof(mod->build_id) ? sizeof(mod->build_id)
									       : m->build_id_size;
		memcpy(mod->build_id, m->build_id, mod->build_id_size);
	}
	s->modules[id] = mod;
	return mod;
}

/* Whether the file at `path` is the one the mapping named (unknown counts as yes). */
static bool file_matches(const struct symbols_module *mod, const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return false;
	if (mod->ino == 0 && mod->maj == 0 && mod->min == 0)
		return true;
	return st.st_ino == mod->ino && major(st.st_dev) == mod->maj &&
	       minor(st.st_dev) == mod->min;
}

#define DELETED_SUFFIX " (deleted)"

/*
 * Opens the module's file: by its path as given when that is the mapped
 * file; else through /proc/PID/root (another mount namespace: a
 * container); else through /proc/PID/map_files/START-END for the mapping
 * `map` (a file deleted or replaced since it was mapped). Failing all
 * three checks, whichever of them opens. NULL when none can be read.
 */
static struct symbols_elf *module_open(struct symbols *s, struct symbols_module *mod, uint32_t pid,
				       const struct symbols_map *map)
{
	struct symbols_elf_opts opts = { .debug_files = true };
	struct symbols_elf *elf = NULL;
	struct ft_error err;
	char *paths[3] = { mod->name, NULL, NULL }, *known;
	size_t len = strlen(mod->name), slen = strlen(DELETED_SUFFIX), i;

	/* Debug links are looked for beside the file as the process knows it. */
	if (len > slen && strcmp(mod->name + len - slen, DELETED_SUFFIX) == 0)
		known = xasprintf("%.*s", (int)(len - slen), mod->name);
	else
		known = xstrdup(mod->name);
	opts.known_path = known;
	opts.demangle = s->demangle;
	if (s->live) {
		paths[1] = xasprintf("/proc/%" PRIu32 "/root%s", pid, known);
		paths[2] = xasprintf("/proc/%" PRIu32 "/map_files/%" PRIx64 "-%" PRIx64, pid,
				     map->start, map->end);
	}
	for (i = 0; i < ARRAY_SIZE(paths) && !elf; i++) {
		if (paths[i] && file_matches(mod, paths[i]))
			elf = symbols_elf_open_with(paths[i], &opts, &err);
	}
	for (i = 0; i < ARRAY_SIZE(paths) && !elf; i++) {
		if (paths[i])
			elf = symbols_elf_open_with(paths[i], &opts, &err);
	}
	free(paths[1]);
	free(paths[2]);
	free(known);
	return elf;
}

/* Keeps `elf`, or frees it in favour of an identical image already loaded. */
static struct symbols_elf *image_add(struct symbols *s, const char *path, struct symbols_elf *elf)
{
	size_t i;

	if (elf->build_id_size > 0) {
		for (i = 0; i < s->nimages; i++) {
			const struct symbols_elf *other = s->images[i].elf;

			if (other->build_id_size == elf->build_id_size &&
			    memcmp(other->build_id, elf->build_id, elf->build_id_size) == 0 &&
			    strcmp(s->images[i].path, path) == 0) {
				symbols_elf_free(elf);
				return s->images[i].elf;
			}
		}
	}
	s->images = xreallocarray(s->images, s->nimages + 1, sizeof(*s->images));
	s->images[s->nimages].path = xstrdup(path);
	s->images[s->nimages].elf = elf;
	s->nimages++;
	return elf;
}

/* Loads the module's symbols once; afterwards mod->elf is the image or NULL. */
static void module_load(struct symbols *s, struct symbols_module *mod, uint32_t pid,
			const struct symbols_map *map)
{
	struct symbols_elf *elf = NULL;
	struct ft_error err;

	if (mod->loaded)
		return;
	mod->loaded = true;
	if (mod->kind == MODULE_VDSO)
		elf = symbols_elf_vdso(&err);
	else if (mod->kind == MODULE_FILE)
		elf = module_open(s, mod, pid, map);
	if (!elf)
		return;
	/* A file replaced since it was mapped would give wrong names: none is better. */
	if (mod->build_id_size > 0 && elf->build_id_size > 0 &&
	    (mod->build_id_size != elf->build_id_size ||
	     memcmp(mod->build_id, elf->build_id, mod->build_id_size) != 0)) {
		symbols_elf_free(elf);
		return;
	}
	mod->elf = image_add(s, mod->name, elf);
}

/* ---- processes -------------------------------------------------------- */

/* The process `pid`, or NULL when unknown and `create` is false. */
static struct symbols_proc *proc_get(struct symbols *s, uint32_t pid, bool create)
{
	uint64_t key = (uint64_t)pid + 1;
	uint32_t idx;

	if (u64map_get(&s->proc_index, key, &idx)) {
		if (!s->procs[idx] && create)
			s->procs[idx] = xcalloc(1, sizeof(struct symbols_proc));
		return s->procs[idx];
	}
	if (!create)
		return NULL;
	s->procs = xreallocarray(s->procs, s->nprocs + 1, sizeof(*s->procs));
	s->procs[s->nprocs] = xcalloc(1, sizeof(struct symbols_proc));
	u64map_put(&s->proc_index, key, (uint32_t)s->nprocs);
	return s->procs[s->nprocs++];
}

/* Forgets everything about `p`: its pid now names a new process. */
static void proc_reset(struct symbols_proc *p)
{
	p->len = 0;
	p->loaded = false;
	p->gone = false;
	p->scanned_ns = 0;
	p->exit_seq = 0;
}

/* The index of the first mapping that ends above `addr` (len when none does). */
static size_t map_first_above(const struct symbols_proc *p, uint64_t addr)
{
	size_t lo = 0, hi = p->len;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->maps[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const struct symbols_map *map_find(const struct symbols_proc *p, uint64_t addr)
{
	size_t i = map_first_above(p, addr);

	if (i < p->len && p->maps[i].start <= addr)
		return &p->maps[i];
	return NULL;
}

/* Adds a mapping; whatever it overlaps is cut away (the newest mapping wins). */
static void map_insert(struct symbols_proc *p, const struct symbols_map *map)
{
	struct symbols_map repl[3];
	size_t lo, hi, n = 0, newlen;

	if (map->end <= map->start)
		return;
	lo = map_first_above(p, map->start);
	hi = lo;
	while (hi < p->len && p->maps[hi].start < map->end)
		hi++;
	if (lo < hi && p->maps[lo].start < map->start) {
		repl[n] = p->maps[lo];
		repl[n++].end = map->start;
	}
	repl[n++] = *map;
	if (lo < hi && p->maps[hi - 1].end > map->end) {
		repl[n] = p->maps[hi - 1];
		repl[n].pgoff += map->end - repl[n].start;
		repl[n++].start = map->end;
	}

	newlen = p->len - (hi - lo) + n;
	if (newlen > p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		if (p->cap < newlen)
			p->cap = newlen;
		p->maps = xreallocarray(p->maps, p->cap, sizeof(*p->maps));
	}
	memmove(&p->maps[lo + n], &p->maps[hi], (p->len - hi) * sizeof(*p->maps));
	memcpy(&p->maps[lo], repl, n * sizeof(*repl));
	p->len = newlen;
}

static void proc_add_mmap(struct symbols *s, struct symbols_proc *p, const struct pipeline_mmap *m)
{
	struct symbols_map map;

	if (m->start + m->len < m->start)
		return;
	map.start = m->start;
	map.end = m->start + m->len;
	map.pgoff = m->pgoff;
	map.mod = module_get(s, m);
	map_insert(p, &map);
}

/*
 * Parses one line of /proc/PID/maps:
 * "start-end perms offset maj:min inode   path". Returns 0 or -EINVAL.
 */
static int parse_maps_line(char *line, struct pipeline_mmap *m)
{
	unsigned long long start, end, pgoff, ino;
	unsigned int maj, min;
	char perms[5];
	int pos = 0;
	char *path;

	if (sscanf(line, "%llx-%llx %4s %llx %x:%x %llu %n", &start, &end, perms, &pgoff, &maj,
		   &min, &ino, &pos) < 7 ||
	    pos == 0 || end < start)
		return -EINVAL;
	path = line + pos;
	path += strspn(path, " ");

	memset(m, 0, sizeof(*m));
	m->start = start;
	m->len = end - start;
	m->pgoff = pgoff;
	m->maj = maj;
	m->min = min;
	m->ino = ino;
	m->prot = (perms[0] == 'r' ? PROT_READ : 0) | (perms[1] == 'w' ? PROT_WRITE : 0) |
		  (perms[2] == 'x' ? PROT_EXEC : 0);
	m->flags = perms[3] == 's' ? MAP_SHARED : MAP_PRIVATE;
	m->filename = path;
	return 0;
}

/*
 * Reads /proc/PID/maps over what we know (its lines replace what they
 * overlap). Returns 0, or -errno when the file cannot be read (the process
 * is gone, or belongs to no one we may look at).
 */
static int proc_scan(struct symbols *s, uint32_t pid, struct symbols_proc *p)
{
	char path[64], *buf, *line, *next;

	p->scanned_ns = util_now_ns();
	if (!s->live) {
		p->gone = true;
		return -ENOENT;
	}
	snprintf(path, sizeof(path), "/proc/%" PRIu32 "/maps", pid);
	buf = util_read_file(path, NULL);
	if (!buf) {
		p->gone = true;
		return -errno;
	}
	for (line = buf; *line; line = next) {
		struct pipeline_mmap m;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line);
		if (parse_maps_line(line, &m) == 0) {
			m.pid = m.tid = pid;
			proc_add_mmap(s, p, &m);
		}
	}
	free(buf);
	return 0;
}

/* The process, with its maps loaded from /proc the first time it is seen. */
static struct symbols_proc *proc_loaded(struct symbols *s, uint32_t pid)
{
	struct symbols_proc *p = proc_get(s, pid, true);

	if (!p->loaded) {
		p->loaded = true;
		/* After its exit, the pid may already belong to someone else. */
		if (!p->exit_seq)
			proc_scan(s, pid, p);
	}
	return p;
}

void symbols_mmap(struct symbols *s, const struct pipeline_mmap *m)
{
	struct symbols_proc *p = proc_get(s, m->pid, true);

	if (p->exit_seq)
		proc_reset(p);
	proc_add_mmap(s, p, m);
}

void symbols_fork(struct symbols *s, uint32_t pid, uint32_t ppid)
{
	struct symbols_proc *parent, *child;

	if (pid == ppid)
		return; /* a new thread: same address space */
	parent = proc_loaded(s, ppid);
	child = proc_get(s, pid, true);
	proc_reset(child);
	if (parent->len > child->cap) {
		child->cap = parent->len;
		child->maps = xreallocarray(child->maps, child->cap, sizeof(*child->maps));
	}
	if (parent->len)
		memcpy(child->maps, parent->maps, parent->len * sizeof(*parent->maps));
	child->len = parent->len;
	child->loaded = true;
}

void symbols_exec(struct symbols *s, uint32_t pid)
{
	struct symbols_proc *p = proc_get(s, pid, true);

	proc_reset(p);
	p->loaded = true;
}

void symbols_exit(struct symbols *s, uint32_t pid)
{
	struct symbols_proc *p, *oldest;
	uint32_t idx;

	if (!u64map_get(&s->proc_index, (uint64_t)pid + 1, &idx))
		return;
	p = s->procs[idx];
	if (!p || p->exit_seq)
		return;
	p->exit_seq = ++s->exit_seq;
	p->gone = true;

	/* The exit EXITED_KEEP exits ago is now final, unless that pid came back. */
	if (s->exited[s->exited_next].seq) {
		uint32_t old = s->exited[s->exited_next].idx;

		oldest = s->procs[old];
		if (oldest && oldest->exit_seq == s->exited[s->exited_next].seq) {
			proc_free(oldest);
			s->procs[old] = NULL;
		}
	}
	s->exited[s->exited_next].idx = idx;
	s->exited[s->exited_next].seq = p->exit_seq;
	s->exited_next = (s->exited_next + 1) % EXITED_KEEP;
}

/* ---- lookups ---------------------------------------------------------- */

static struct symbols_kernel *kernel_get(struct symbols *s)
{
	if (!s->kernel)
		s->kernel = symbols_kernel_load(s->live ? "/proc/kallsyms" : "/dev/null",
						s->live ? "/proc/modules" : NULL);
	return s->kernel;
}

bool symbols_have_kernel(struct symbols *s)
{
	return symbols_kernel_available(kernel_get(s));
}

/* ---- JIT maps --------------------------------------------------------- */

/* The JIT map of `pid`, created (unread) the first time it is asked for. */
static struct symbols_jitmap *jit_get(struct symbols *s, uint32_t pid)
{
	uint64_t key = (uint64_t)pid + 1;
	uint32_t idx;
	char *path;

	if (u64map_get(&s->jit_index, key, &idx))
		return s->jits[idx];
	path = xasprintf("%s/perf-%" PRIu32 ".map", s->jitmap_dir, pid);
	s->jits = xreallocarray(s->jits, s->njits + 1, sizeof(*s->jits));
	s->jits[s->njits] = symbols_jitmap_new(path);
	free(path);
	u64map_put(&s->jit_index, key, (uint32_t)s->njits);
	return s->jits[s->njits++];
}

/*
 * Names an address in an anonymous mapping from the process's JIT map,
 * reading what was appended to it when the address is not yet known. Only
 * for live data: the map describes the process as it runs now.
 */
static void jit_resolve(struct symbols *s, uint32_t pid, uint64_t addr, struct symbols_frame *out)
{
	struct symbols_jitmap *m;
	struct ft_error err = { { 0 }, 0, 0 };
	char proc[32];
	struct stat st;
	const char *name;

	if (!s->live)
		return;
	m = jit_get(s, pid);
	name = symbols_jitmap_lookup(m, addr);
	if (!name) {
		snprintf(proc, sizeof(proc), "/proc/%" PRIu32, pid);
		if (stat(proc, &st) != 0)
			return;
		if (symbols_jitmap_refresh(m, st.st_uid, &err) == -EPERM && err.msg[0])
			notice_say(s->notice, NULL, "%s", err.msg);
		name = symbols_jitmap_lookup(m, addr);
	}
	if (name) {
		out->name = name;
		out->module = symbols_jitmap_path(m);
	}
}

void symbols_resolve(struct symbols *s, uint32_t pid, uint64_t addr, bool kernel,
		     struct symbols_frame *out)
{
	const struct symbols_map *map;
	struct symbols_module *mod;
	struct symbols_proc *p;
	uint64_t vaddr;

	if (kernel) {
		symbols_kernel_lookup(kernel_get(s), addr, out);
		return;
	}
	out->kernel = false;
	out->name = NULL;

	p = proc_loaded(s, pid);
	map = map_find(p, addr);
	if (!map && !p->gone && util_now_ns() - p->scanned_ns >= s->rescan_ns &&
	    proc_scan(s, pid, p) == 0)
		map = map_find(p, addr);
	if (!map) {
		out->module = UNKNOWN_NAME;
		out->offset = addr;
		return;
	}

	mod = map->mod;
	out->module = mod->name;
	switch (mod->kind) {
	case MODULE_ANON:
		out->offset = addr - map->start;
		if (strcmp(mod->name, ANON_NAME) == 0)
			jit_resolve(s, pid, addr, out);
		return;
	case MODULE_VDSO:
		/* The kernel reports no meaningful page offset for the vdso. */
		out->offset = addr - map->start;
		break;
	case MODULE_FILE:
		out->offset = addr - map->start + map->pgoff;
		break;
	}
	module_load(s, mod, pid, map);
	if (mod->elf && symbols_elf_offset_to_vaddr(mod->elf, out->offset, &vaddr) == 0)
		out->name = symbols_elf_lookup(mod->elf, vaddr);
}
