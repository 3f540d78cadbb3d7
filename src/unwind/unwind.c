/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The DWARF unwinder: libunwind's remote API over a sampled user stack.
 *
 * libunwind asks four questions through our accessors, and this file is
 * their answers:
 *  - access_reg: a register of the innermost frame, from the sample;
 *  - access_mem: a word of the target's memory, from the stack copy when
 *    it lies in [sp, sp + dyn_size), else from the ELF file mapped at that
 *    address (that is where the unwind tables are read from);
 *  - find_proc_info: the unwind table covering an address: the module's
 *    .eh_frame_hdr binary search table (PT_GNU_EH_FRAME), located once per
 *    module, handed over as a remote table for dwarf_search_unwind_table;
 *  - everything else (floating point registers, resuming, names): no.
 *
 * One libunwind address space serves every process; the process being
 * unwound travels in the accessors' argument. libunwind's cache of
 * register rules is keyed by address alone, so it holds one process at a
 * time: it is flushed when the next sample is another process's, or when
 * the process maps something or execs. That bounds its memory whatever the
 * number of processes, and samples come in runs of one process per CPU
 * ring, so the flushes are rare where it matters. (The global policy takes
 * a lock and blocks signals around each lookup, two system calls per
 * frame; Debian's libunwind is built without the per-thread policy, which
 * then falls back to the global one.) Modules (an ELF file: mapped
 * read-only, its PT_LOAD segments and its table) are shared by every
 * process that maps them and live as long as the unwinder.
 *
 * In front of libunwind sits a memo of whole unwinds. Unwinding is a
 * function of what the accessors answer (registers, words of the stack
 * copy, words of the modules' files) and of the process's mappings, so
 * an unwind records each question and its answer, and a later sample of
 * the same process, at the same instruction and stack pointer, with the
 * mappings unchanged (a generation count per process), whose answers to
 * the same questions are all the same, has the same return addresses:
 * they are copied without calling libunwind. Hot loops, where most
 * samples are, hit; anything that differs in one word misses and is
 * unwound. The memo is direct-mapped and bounded (MEMO_SLOTS entries of
 * at most MEMO_READS questions and MEMO_FRAMES addresses).
 */
#include "config.h"

#include "flametop/unwind.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <libunwind.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "flametop/util.h"

/* Not in libunwind's headers, but exported; perf declares it the same way. */
extern int UNW_OBJ(dwarf_search_unwind_table)(unw_addr_space_t as, unw_word_t ip,
					      unw_dyn_info_t *di, unw_proc_info_t *pi,
					      int need_unwind_info, void *arg);
#define dwarf_search_unwind_table UNW_OBJ(dwarf_search_unwind_table)

#define MAPS_REREAD_NS 1000000000ull
/* The memo of whole unwinds: slots (a power of two), and what an entry may hold. */
#define MEMO_SLOTS 1024
#define MEMO_READS 128
#define MEMO_FRAMES 128
#define HIST_BUCKET_NS 25
#define HIST_BUCKETS 4000 /* up to 100 us; slower samples count in the last one */

/* DWARF pointer encodings used by .eh_frame_hdr. */
#define DW_EH_PE_omit 0xff
#define DW_EH_PE_udata4 0x03
#define DW_EH_PE_sdata4 0x0b
#define DW_EH_PE_pcrel 0x10
#define DW_EH_PE_datarel 0x30

/* An ELF file, or the vdso image in our own memory; read on first use. */
struct module {
	char *path;
	bool loaded;
	uint64_t key; /* hash of path and build id */
	uint8_t build_id[20];
	uint8_t build_id_size;
	const unsigned char *image; /* NULL: could not be read */
	size_t size;
	bool mapped; /* image is our mmap of the file (else borrowed) */
	Elf64_Phdr *loads; /* PT_LOAD segments */
	size_t nloads;
	uint64_t lo, hi; /* virtual address range of the segments */
	bool have_table;
	uint64_t hdr_vaddr; /* .eh_frame_hdr */
	uint64_t table_vaddr; /* its binary search table */
	uint64_t fde_count;
};

/* An executable mapping of a module in a process. */
struct umap {
	uint64_t start, end, pgoff;
	uint64_t bias; /* address = virtual address in the file + bias */
	bool bias_set; /* computed once the module is loaded */
	struct module *mod; /* NULL: anonymous (JIT code) */
};

struct uproc {
	uint32_t pid; /* 0: a free slot (the process exited) */
	uint64_t gen; /* bumped whenever the mappings change: memo entries of older ones are stale */
	struct umap *maps; /* sorted by start, not overlapping */
	size_t nmaps, cap;
	bool maps_read; /* /proc/PID/maps was read */
	uint64_t maps_read_ns;
};

/* One question an unwind asked, and the answer. */
struct memo_read {
	uint64_t addr; /* a memory address, or a libunwind register number */
	uint64_t val; /* the answer; 0 when there was none */
	int32_t ret; /* the accessor's return value */
	bool reg; /* a register, not memory */
};

/* A whole unwind: its key, its questions and its result. */
struct memo {
	uint32_t pid;
	uint64_t gen, ip, sp;
	uint32_t nreads, nips;
	struct memo_read *reads; /* nreads, then the ips */
	uint64_t *ips;
};

/* The questions of the unwind in progress. */
struct memo_rec {
	struct memo_read reads[MEMO_READS];
	uint32_t n;
	bool spoiled; /* too many questions, or an answer that may change with time */
};

struct unwind {
	bool live;
	unw_addr_space_t as; /* created on the first sample */
	uint32_t cache_pid; /* whose register rules libunwind's cache holds; 0: none */
	struct module **mods;
	size_t nmods, mods_cap;
	struct u64map mod_index; /* key -> index into mods, first of that key */
	struct uproc *procs;
	uint32_t nprocs, procs_cap;
	struct u64map proc_index; /* pid + 1 -> index into procs */

	struct memo *memo; /* MEMO_SLOTS, allocated on first use */
	struct memo_rec rec;
	uint64_t next_gen;

	struct pipeline_unwind_stats st;
	uint32_t *hist; /* HIST_BUCKETS counts of per-sample time */
};

/* What the accessors see of one sample being unwound. */
struct sample_ctx {
	struct unwind *u;
	struct uproc *p;
	const struct pipeline_sample *s;
	uint64_t sp;
	const struct umap *last; /* the mapping the last file read hit */
	struct memo_rec *rec; /* where to record the questions, or NULL */
};

/* --- modules --- */

static const Elf64_Phdr *phdr_at(const unsigned char *image, size_t size, const Elf64_Ehdr *eh,
				 size_t i)
{
	uint64_t off = eh->e_phoff + (uint64_t)i * eh->e_phentsize;

	if (eh->e_phentsize < sizeof(Elf64_Phdr) || off > size || size - off < sizeof(Elf64_Phdr))
		return NULL;
	return (const Elf64_Phdr *)(const void *)(image + off);
}

/* Reads `len` bytes at file offset `off` of the module; false past its end. */
static bool file_read(const struct module *m, uint64_t off, void *out, size_t len)
{
	if (!m->image || off > m->size || m->size - off < len)
		return false;
	memcpy(out, m->image + off, len);
	return true;
}

/* The file offset of virtual address `v`, or false when no file bytes back it. */
static bool vaddr_to_offset(const struct module *m, uint64_t v, uint64_t *off, bool *zero)
{
	size_t i;

	for (i = 0; i < m->nloads; i++) {
		const Elf64_Phdr *ph = &m->loads[i];

		if (v < ph->p_vaddr || v - ph->p_vaddr >= ph->p_memsz)
			continue;
		*zero = v - ph->p_vaddr >= ph->p_filesz;
		*off = ph->p_offset + (v - ph->p_vaddr);
		return true;
	}
	return false;
}

static bool vaddr_read(const struct module *m, uint64_t v, void *out, size_t len)
{
	uint64_t off;
	bool zero;

	if (!vaddr_to_offset(m, v, &off, &zero))
		return false;
	if (zero) {
		memset(out, 0, len);
		return true;
	}
	return file_read(m, off, out, len);
}

/* Decodes one .eh_frame_hdr pointer of encoding `enc` at virtual address `v`. */
static bool read_encoded(const struct module *m, uint8_t enc, uint64_t *v, uint64_t *out)
{
	int32_t s32;
	uint32_t u32;
	uint64_t base = 0;

	switch (enc & 0x70) {
	case 0:
		break;
	case DW_EH_PE_pcrel:
		base = *v;
		break;
	case DW_EH_PE_datarel:
		base = m->hdr_vaddr;
		break;
	default:
		return false;
	}
	switch (enc & 0x0f) {
	case DW_EH_PE_udata4:
		if (!vaddr_read(m, *v, &u32, 4))
			return false;
		*out = base + u32;
		*v += 4;
		return true;
	case DW_EH_PE_sdata4:
		if (!vaddr_read(m, *v, &s32, 4))
			return false;
		*out = base + (uint64_t)(int64_t)s32;
		*v += 4;
		return true;
	default:
		return false;
	}
}

/* Finds PT_GNU_EH_FRAME and checks that its table is the usual one. */
static void find_table(struct module *m, uint64_t hdr_vaddr)
{
	uint8_t hdr[4];
	uint64_t v = hdr_vaddr + 4, eh_frame, count;

	m->hdr_vaddr = hdr_vaddr;
	if (!vaddr_read(m, hdr_vaddr, hdr, sizeof(hdr)) || hdr[0] != 1)
		return;
	/* version, eh_frame_ptr_enc, fde_count_enc, table_enc; the table
	 * must be pairs of datarel sdata4, what libunwind searches. */
	if (hdr[3] != (DW_EH_PE_datarel | DW_EH_PE_sdata4) || hdr[2] == DW_EH_PE_omit)
		return;
	if (!read_encoded(m, hdr[1], &v, &eh_frame) || !read_encoded(m, hdr[2], &v, &count))
		return;
	m->table_vaddr = v;
	m->fde_count = count;
	m->have_table = count > 0;
}

static void parse_build_id(struct module *m, const Elf64_Phdr *ph)
{
	uint64_t off = ph->p_offset, end = ph->p_offset + ph->p_filesz;

	while (off + 12 <= end) {
		uint32_t nh[3];
		uint64_t name_len, desc_len;

		if (!file_read(m, off, nh, sizeof(nh)))
			return;
		name_len = ((uint64_t)nh[0] + 3) & ~3ull;
		desc_len = ((uint64_t)nh[1] + 3) & ~3ull;
		if (nh[2] == NT_GNU_BUILD_ID && nh[0] == 4 && nh[1] <= sizeof(m->build_id) &&
		    m->image && off + 12 + 4 <= m->size && memcmp(m->image + off + 12, "GNU", 4) == 0 &&
		    file_read(m, off + 12 + name_len, m->build_id, nh[1])) {
			m->build_id_size = (uint8_t)nh[1];
			return;
		}
		off += 12 + name_len + desc_len;
	}
}

/* Reads the program headers of the image. False when it is not an x86-64 ELF file. */
static bool parse_elf(struct module *m)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)(const void *)m->image;
	uint64_t hdr_vaddr = 0;
	bool have_hdr = false;
	size_t i;

	if (m->size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_machine != EM_X86_64)
		return false;
	m->loads = xcalloc(eh->e_phnum ? eh->e_phnum : 1, sizeof(*m->loads));
	m->lo = UINT64_MAX;
	for (i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = phdr_at(m->image, m->size, eh, i);

		if (!ph)
			break;
		if (ph->p_type == PT_LOAD) {
			m->loads[m->nloads++] = *ph;
			if (ph->p_vaddr < m->lo)
				m->lo = ph->p_vaddr;
			if (ph->p_vaddr + ph->p_memsz > m->hi)
				m->hi = ph->p_vaddr + ph->p_memsz;
		} else if (ph->p_type == PT_GNU_EH_FRAME) {
			hdr_vaddr = ph->p_vaddr;
			have_hdr = true;
		} else if (ph->p_type == PT_NOTE && !m->build_id_size) {
			parse_build_id(m, ph);
		}
	}
	if (!m->nloads)
		return false;
	if (have_hdr)
		find_table(m, hdr_vaddr);
	return true;
}

static void module_unload(struct module *m)
{
	if (m->mapped && m->image)
		munmap((void *)(uintptr_t)m->image, m->size);
	m->image = NULL;
	m->size = 0;
	m->mapped = false;
	free(m->loads);
	m->loads = NULL;
	m->nloads = 0;
	m->have_table = false;
}

static bool module_map_file(struct module *m, const char *path)
{
	struct stat st;
	void *map;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < (off_t)sizeof(Elf64_Ehdr)) {
		close(fd);
		return false;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return false;
	m->image = map;
	m->size = (size_t)st.st_size;
	m->mapped = true;
	return true;
}

/* The vdso is the same in every process of this kernel: read ours. */
static bool module_map_vdso(struct module *m)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)(uintptr_t)getauxval(AT_SYSINFO_EHDR);
	size_t i, size = 0;

	if (!eh)
		return false;
	for (i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph =
			(const Elf64_Phdr *)(const void *)((const unsigned char *)eh + eh->e_phoff +
							   i * eh->e_phentsize);

		if (ph->p_type == PT_LOAD && ph->p_offset + ph->p_filesz > size)
			size = ph->p_offset + ph->p_filesz;
	}
	m->image = (const unsigned char *)eh;
	m->size = size;
	return size > 0;
}

/*
 * Opens the module's file: through /proc/PID/root when live (the process may
 * be in another mount namespace), else by its path; a replaced or deleted
 * file through /proc/PID/map_files. A file whose build id differs from the
 * recorded one is not used.
 */
static void module_load(struct unwind *u, struct module *m, uint32_t pid, uint64_t start,
			uint64_t end)
{
	char path[PATH_MAX + 64];
	uint8_t want[20];
	uint8_t want_size = m->build_id_size;
	int attempt;

	memcpy(want, m->build_id, sizeof(want));
	m->loaded = true;
	if (strcmp(m->path, "[vdso]") == 0) {
		if (u->live && module_map_vdso(m) && !parse_elf(m))
			module_unload(m);
		return;
	}
	for (attempt = 0; attempt < 3; attempt++) {
		if (attempt == 0 && u->live && pid)
			snprintf(path, sizeof(path), "/proc/%u/root%s", pid, m->path);
		else if (attempt == 1)
			snprintf(path, sizeof(path), "%s", m->path);
		else if (attempt == 2 && u->live && pid)
			snprintf(path, sizeof(path), "/proc/%u/map_files/%" PRIx64 "-%" PRIx64, pid,
				 start, end);
		else
			continue;
		if (!module_map_file(m, path))
			continue;
		m->build_id_size = 0;
		if (parse_elf(m) &&
		    (!want_size || (m->build_id_size == want_size &&
				    memcmp(m->build_id, want, want_size) == 0)))
			break;
		module_unload(m);
	}
	m->build_id_size = want_size ? want_size : m->build_id_size;
	if (want_size)
		memcpy(m->build_id, want, sizeof(want));
}

static struct module *module_get(struct unwind *u, const char *path, const uint8_t *build_id,
				 uint8_t build_id_size)
{
	static const uint8_t no_build_id[1];
	uint64_t key;
	struct module *m;
	uint32_t idx;
	size_t i;

	if (!build_id || !build_id_size) {
		build_id = no_build_id; /* /proc/PID/maps gives none */
		build_id_size = 0;
	}
	key = util_hash_bytes(path, strlen(path)) ^
	      util_hash_u64(util_hash_bytes(build_id, build_id_size));
	key = key ? key : 1;
	if (u64map_get(&u->mod_index, key, &idx)) {
		/* Hash collisions are rare: then look at every module. */
		for (i = idx; i < u->nmods; i++) {
			m = u->mods[i];
			if (m->key == key && m->build_id_size == build_id_size &&
			    memcmp(m->build_id, build_id, build_id_size) == 0 &&
			    strcmp(m->path, path) == 0)
				return m;
		}
	}
	m = xcalloc(1, sizeof(*m));
	m->path = xstrdup(path);
	m->key = key;
	m->build_id_size = build_id_size;
	memcpy(m->build_id, build_id, build_id_size);
	if (!u64map_get(&u->mod_index, key, &idx))
		u64map_put(&u->mod_index, key, (uint32_t)u->nmods);
	if (u->nmods == u->mods_cap) {
		u->mods_cap = u->mods_cap ? u->mods_cap * 2 : 32;
		u->mods = xreallocarray(u->mods, u->mods_cap, sizeof(*u->mods));
	}
	u->mods[u->nmods++] = m;
	return m;
}

/* --- processes and their mappings --- */

static struct uproc *proc_find(struct unwind *u, uint32_t pid)
{
	uint32_t idx;

	if (u64map_get(&u->proc_index, (uint64_t)pid + 1, &idx) && u->procs[idx].pid == pid)
		return &u->procs[idx];
	return NULL;
}

static struct uproc *proc_get(struct unwind *u, uint32_t pid)
{
	struct uproc *p = proc_find(u, pid);
	uint32_t idx;

	if (p)
		return p;
	if (u64map_get(&u->proc_index, (uint64_t)pid + 1, &idx)) {
		p = &u->procs[idx]; /* the slot of an exited process of that pid */
	} else {
		if (u->nprocs == u->procs_cap) {
			u->procs_cap = u->procs_cap ? u->procs_cap * 2 : 64;
			u->procs = xreallocarray(u->procs, u->procs_cap, sizeof(*u->procs));
		}
		idx = u->nprocs++;
		u64map_put(&u->proc_index, (uint64_t)pid + 1, idx);
		p = &u->procs[idx];
	}
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->gen = ++u->next_gen;
	return p;
}

/* The process's mappings changed: what libunwind cached for it is stale. */
static void proc_flush(struct unwind *u, struct uproc *p)
{
	if (u->cache_pid == p->pid)
		u->cache_pid = 0;
	p->gen = ++u->next_gen;
}

static void proc_clear(struct unwind *u, struct uproc *p)
{
	proc_flush(u, p);
	free(p->maps);
	memset(p, 0, sizeof(*p));
}

/* Adds a mapping, replacing the parts of others it overlaps. */
static void proc_add_map(struct uproc *p, const struct umap *nm)
{
	size_t i = 0, j;

	while (i < p->nmaps) {
		struct umap *m = &p->maps[i];

		if (m->end <= nm->start || m->start >= nm->end) {
			i++;
			continue;
		}
		if (m->start < nm->start && m->end > nm->end) {
			/* Split around the new one. */
			struct umap tail = *m;

			tail.start = nm->end;
			m->end = nm->start;
			if (p->nmaps == p->cap) {
				p->cap = p->cap ? p->cap * 2 : 16;
				p->maps = xreallocarray(p->maps, p->cap, sizeof(*p->maps));
			}
			memmove(&p->maps[i + 2], &p->maps[i + 1], (p->nmaps - i - 1) * sizeof(*p->maps));
			p->maps[i + 1] = tail;
			p->nmaps++;
			i += 2;
		} else if (m->start < nm->start) {
			m->end = nm->start;
			i++;
		} else if (m->end > nm->end) {
			m->start = nm->end;
			i++;
		} else {
			memmove(m, m + 1, (p->nmaps - i - 1) * sizeof(*m));
			p->nmaps--;
		}
	}
	if (p->nmaps == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->maps = xreallocarray(p->maps, p->cap, sizeof(*p->maps));
	}
	for (j = 0; j < p->nmaps && p->maps[j].start < nm->start; j++)
		;
	memmove(&p->maps[j + 1], &p->maps[j], (p->nmaps - j) * sizeof(*p->maps));
	p->maps[j] = *nm;
	p->nmaps++;
}

/* The load bias of a module mapped at `start` from file offset `pgoff`. */
static uint64_t map_bias(const struct module *m, uint64_t start, uint64_t pgoff)
{
	size_t i;

	for (i = 0; i < m->nloads; i++) {
		const Elf64_Phdr *ph = &m->loads[i];
		uint64_t seg_off = ph->p_offset & ~(uint64_t)0xfff;

		if ((ph->p_flags & PF_X) && pgoff >= seg_off && pgoff < ph->p_offset + ph->p_filesz)
			return start - pgoff + ph->p_offset - ph->p_vaddr;
	}
	return start - pgoff;
}

static void add_mapping(struct unwind *u, struct uproc *p, uint64_t start, uint64_t end,
			uint64_t pgoff, const char *path, const uint8_t *build_id,
			uint8_t build_id_size)
{
	struct umap nm;

	if (end <= start)
		return;
	memset(&nm, 0, sizeof(nm));
	nm.start = start;
	nm.end = end;
	nm.pgoff = pgoff;
	if (path[0] == '/' || strcmp(path, "[vdso]") == 0)
		nm.mod = module_get(u, path, build_id, build_id_size);
	/* An anonymous executable mapping (JIT code) still replaces what
	 * was there before: it has no unwind table. */
	proc_add_map(p, &nm);
	proc_flush(u, p);
}

/* Merges the executable mappings of /proc/PID/maps into what we know. */
static void read_proc_maps(struct unwind *u, struct uproc *p)
{
	char path[64], *buf, *line, *save = NULL;

	p->maps_read = true;
	p->maps_read_ns = util_now_ns();
	snprintf(path, sizeof(path), "/proc/%u/maps", p->pid);
	buf = util_read_file(path, NULL);
	if (!buf)
		return;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long start, end, off;
		char perms[8];
		int name_at = 0;
		char *name, *del;

		if (sscanf(line, "%llx-%llx %7s %llx %*s %*s %n", &start, &end, perms, &off,
			   &name_at) < 4 ||
		    !name_at || perms[2] != 'x')
			continue;
		name = line + name_at;
		del = strstr(name, " (deleted)");
		if (del && del[10] == '\0')
			*del = '\0';
		if (name[0] != '/' && strcmp(name, "[vdso]") != 0)
			continue;
		add_mapping(u, p, start, end, off, name, NULL, 0);
	}
	free(buf);
}

/*
 * Loads the mapping's module if nobody did yet, and computes where it is
 * loaded. Returns whether the module can be read.
 */
static bool map_ready(struct unwind *u, const struct uproc *p, struct umap *m)
{
	if (!m->mod)
		return false;
	if (!m->mod->loaded)
		module_load(u, m->mod, p->pid, m->start, m->end);
	if (!m->bias_set && m->mod->image) {
		m->bias = strcmp(m->mod->path, "[vdso]") == 0 ? m->start - m->mod->lo
							      : map_bias(m->mod, m->start, m->pgoff);
		m->bias_set = true;
	}
	return m->mod->image != NULL;
}

static struct umap *find_exec_map(const struct uproc *p, uint64_t ip)
{
	size_t lo = 0, hi = p->nmaps;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ip < p->maps[mid].start)
			hi = mid;
		else if (ip >= p->maps[mid].end)
			lo = mid + 1;
		else
			return &p->maps[mid];
	}
	return NULL;
}

void unwind_mmap(struct unwind *u, const struct pipeline_mmap *m)
{
	struct uproc *p;

	if (!(m->prot & PROT_EXEC) && m->prot)
		return;
	p = proc_get(u, m->pid);
	add_mapping(u, p, m->start, m->start + m->len, m->pgoff, m->filename, m->build_id,
		    m->build_id_size);
}

void unwind_fork(struct unwind *u, uint32_t pid, uint32_t ppid)
{
	struct uproc *parent, *child;

	if (pid == ppid)
		return;
	child = proc_find(u, pid);
	if (child)
		proc_clear(u, child);
	child = proc_get(u, pid);
	parent = proc_find(u, ppid); /* proc_get may have moved it */
	if (!parent)
		return;
	child->maps_read = parent->maps_read;
	child->maps_read_ns = parent->maps_read_ns;
	if (parent->nmaps) {
		child->maps = xcalloc(parent->nmaps, sizeof(*child->maps));
		memcpy(child->maps, parent->maps, parent->nmaps * sizeof(*child->maps));
		child->nmaps = child->cap = parent->nmaps;
	}
}

void unwind_exec(struct unwind *u, uint32_t pid)
{
	struct uproc *p = proc_find(u, pid);

	if (!p)
		return;
	p->nmaps = 0;
	p->maps_read = true; /* the new image's MMAP2 records follow */
	proc_flush(u, p);
}

void unwind_exit(struct unwind *u, uint32_t pid)
{
	struct uproc *p = proc_find(u, pid);

	if (p)
		proc_clear(u, p);
}

/* --- libunwind's accessors --- */

static const struct umap *find_image(struct sample_ctx *x, uint64_t addr)
{
	const struct uproc *p = x->p;
	size_t i;

	if (x->last && addr - x->last->bias >= x->last->mod->lo &&
	    addr - x->last->bias < x->last->mod->hi)
		return x->last;
	for (i = 0; i < p->nmaps; i++) {
		const struct umap *m = &p->maps[i];

		if (m->bias_set && m->mod->image && addr - m->bias >= m->mod->lo &&
		    addr - m->bias < m->mod->hi) {
			x->last = m;
			return m;
		}
	}
	return NULL;
}

/* Appends a question and its answer to the recording, if any. */
static void record(struct sample_ctx *x, bool reg, uint64_t addr, uint64_t val, int ret)
{
	struct memo_rec *r = x->rec;

	if (!r || r->spoiled)
		return;
	if (r->n == MEMO_READS) {
		r->spoiled = true;
		return;
	}
	r->reads[r->n].addr = addr;
	r->reads[r->n].val = ret == 0 ? val : 0;
	r->reads[r->n].ret = ret;
	r->reads[r->n].reg = reg;
	r->n++;
}

static int mem_answer(struct sample_ctx *x, uint64_t addr, uint64_t *valp)
{
	const struct umap *m;
	uint64_t off = addr - x->sp;

	if (addr >= x->sp && off < x->s->user_stack_dyn_size &&
	    x->s->user_stack_dyn_size - off >= sizeof(*valp)) {
		memcpy(valp, x->s->user_stack + off, sizeof(*valp));
		return 0;
	}
	m = find_image(x, addr);
	if (m && vaddr_read(m->mod, addr - m->bias, valp, sizeof(*valp)))
		return 0;
	return -UNW_EINVAL;
}

static int access_mem(unw_addr_space_t as, unw_word_t addr, unw_word_t *valp, int write, void *arg)
{
	struct sample_ctx *x = arg;
	uint64_t v = 0;
	int ret;

	(void)as;
	if (write)
		return -UNW_EREADONLYREG;
	ret = mem_answer(x, addr, &v);
	record(x, false, addr, v, ret);
	if (ret == 0)
		*valp = v;
	return ret;
}

/* libunwind's x86-64 register numbers to perf's (PERF_REG_X86_*); -1: not sampled. */
static int perf_reg_of(unw_regnum_t r)
{
	switch (r) {
	case UNW_X86_64_RBX:
		return 1;
	case UNW_X86_64_RBP:
		return 6;
	case UNW_X86_64_RSP:
		return 7;
	case UNW_X86_64_RIP:
		return 8;
	case UNW_X86_64_R12:
		return 20;
	case UNW_X86_64_R13:
		return 21;
	case UNW_X86_64_R14:
		return 22;
	case UNW_X86_64_R15:
		return 23;
	default:
		return -1;
	}
}

static bool sample_reg(const struct pipeline_sample *s, int bit, uint64_t *val)
{
	uint64_t below;

	if (bit < 0 || !s->user_regs || !(s->user_regs_mask & (1ull << bit)))
		return false;
	below = s->user_regs_mask & ((1ull << bit) - 1);
	*val = s->user_regs[__builtin_popcountll(below)];
	return true;
}

static int reg_answer(const struct sample_ctx *x, unw_regnum_t regnum, uint64_t *valp)
{
	return sample_reg(x->s, perf_reg_of(regnum), valp) ? 0 : -UNW_EBADREG;
}

static int access_reg(unw_addr_space_t as, unw_regnum_t regnum, unw_word_t *valp, int write,
		      void *arg)
{
	struct sample_ctx *x = arg;
	uint64_t v = 0;
	int ret;

	(void)as;
	if (write)
		return -UNW_EREADONLYREG;
	ret = reg_answer(x, regnum, &v);
	record(x, true, (uint64_t)regnum, v, ret);
	if (ret == 0)
		*valp = v;
	return ret;
}

static int access_fpreg(unw_addr_space_t as, unw_regnum_t regnum, unw_fpreg_t *valp, int write,
			void *arg)
{
	(void)as;
	(void)regnum;
	(void)valp;
	(void)write;
	(void)arg;
	return -UNW_EBADREG;
}

static int find_proc_info(unw_addr_space_t as, unw_word_t ip, unw_proc_info_t *pi,
			  int need_unwind_info, void *arg)
{
	struct sample_ctx *x = arg;
	struct umap *m = find_exec_map(x->p, ip);
	unw_dyn_info_t di;

	if (!m && x->u->live && util_now_ns() - x->p->maps_read_ns >= MAPS_REREAD_NS) {
		/* Mapped before we looked, and no MMAP2 told us. */
		read_proc_maps(x->u, x->p);
		m = find_exec_map(x->p, ip);
	}
	if (!m && x->rec)
		x->rec->spoiled = true; /* a later look at the maps may find it */
	if (!m || !map_ready(x->u, x->p, m) || !m->mod->have_table)
		return -UNW_ENOINFO;
	memset(&di, 0, sizeof(di));
	di.format = UNW_INFO_FORMAT_REMOTE_TABLE;
	di.start_ip = m->start;
	di.end_ip = m->end;
	di.u.rti.segbase = m->mod->hdr_vaddr + m->bias;
	di.u.rti.table_data = m->mod->table_vaddr + m->bias;
	/* In words; an entry is two 32-bit offsets, one word. */
	di.u.rti.table_len = m->mod->fde_count * 8 / sizeof(unw_word_t);
	x->last = m;
	return dwarf_search_unwind_table(as, ip, &di, pi, need_unwind_info, arg);
}

static void put_unwind_info(unw_addr_space_t as, unw_proc_info_t *pi, void *arg)
{
	/* dwarf_search_unwind_table's info is libunwind's to free. */
	(void)as;
	(void)pi;
	(void)arg;
}

static int get_dyn_info_list_addr(unw_addr_space_t as, unw_word_t *dilap, void *arg)
{
	(void)as;
	(void)dilap;
	(void)arg;
	return -UNW_ENOINFO;
}

static int resume(unw_addr_space_t as, unw_cursor_t *cu, void *arg)
{
	(void)as;
	(void)cu;
	(void)arg;
	return -UNW_EINVAL;
}

static int get_proc_name(unw_addr_space_t as, unw_word_t addr, char *bufp, size_t buf_len,
			 unw_word_t *offp, void *arg)
{
	(void)as;
	(void)addr;
	(void)bufp;
	(void)buf_len;
	(void)offp;
	(void)arg;
	return -UNW_EINVAL;
}

static unw_accessors_t accessors = {
	.find_proc_info = find_proc_info,
	.put_unwind_info = put_unwind_info,
	.get_dyn_info_list_addr = get_dyn_info_list_addr,
	.access_mem = access_mem,
	.access_reg = access_reg,
	.access_fpreg = access_fpreg,
	.resume = resume,
	.get_proc_name = get_proc_name,
};

/* --- unwinding --- */

/* --- the memo of whole unwinds --- */

static struct memo *memo_slot(struct unwind *u, uint32_t pid, uint64_t ip, uint64_t sp)
{
	uint64_t h = util_hash_u64(ip ^ util_hash_u64(sp ^ ((uint64_t)pid << 32)));

	if (!u->memo)
		u->memo = xcalloc(MEMO_SLOTS, sizeof(*u->memo));
	return &u->memo[h & (MEMO_SLOTS - 1)];
}

/*
 * Whether `e` holds the unwind of x's sample: same key, and every question
 * it asked answered the same now.
 */
static bool memo_matches(const struct memo *e, struct sample_ctx *x, uint64_t gen, uint64_t ip)
{
	uint32_t i;

	if (!e->reads || e->pid != x->p->pid || e->gen != gen || e->ip != ip || e->sp != x->sp)
		return false;
	for (i = 0; i < e->nreads; i++) {
		const struct memo_read *r = &e->reads[i];
		uint64_t v = 0;
		int ret = r->reg ? reg_answer(x, (unw_regnum_t)r->addr, &v)
				 : mem_answer(x, r->addr, &v);

		if (ret != r->ret || (ret == 0 && v != r->val))
			return false;
	}
	return true;
}

static void memo_store(struct memo *e, const struct memo_rec *r, uint32_t pid, uint64_t gen,
		       uint64_t ip, uint64_t sp, const uint64_t *ips, size_t n)
{
	size_t bytes = (size_t)r->n * sizeof(*e->reads) + n * sizeof(*e->ips);

	e->reads = xrealloc(e->reads, bytes ? bytes : 1);
	e->ips = (uint64_t *)(void *)(e->reads + r->n);
	memcpy(e->reads, r->reads, (size_t)r->n * sizeof(*e->reads));
	memcpy(e->ips, ips, n * sizeof(*e->ips));
	e->nreads = r->n;
	e->nips = (uint32_t)n;
	e->pid = pid;
	e->gen = gen;
	e->ip = ip;
	e->sp = sp;
}

/* --- unwinding --- */

static size_t unwind_user(struct unwind *u, struct uproc *p, const struct pipeline_sample *s,
			  uint64_t *ips, size_t max)
{
	struct sample_ctx x = { u, p, s, 0, NULL, NULL };
	unw_cursor_t cursor;
	unw_word_t ip, sp, prev_sp;
	struct memo *e;
	uint64_t gen;
	size_t n = 0;

	if (!sample_reg(s, 7, &x.sp) || !sample_reg(s, 8, &ip) || max == 0)
		return 0;
	ips[n++] = ip;
	if (!s->user_stack || !s->user_stack_dyn_size)
		return n;
	gen = p->gen;
	e = memo_slot(u, p->pid, ip, x.sp);
	if (memo_matches(e, &x, gen, ip)) {
		n = e->nips < max ? e->nips : max;
		memcpy(ips, e->ips, n * sizeof(*ips));
		return n;
	}
	if (!u->as) {
		u->as = unw_create_addr_space(&accessors, 0);
		if (!u->as)
			return n;
		unw_set_caching_policy(u->as, UNW_CACHE_GLOBAL);
	}
	if (u->cache_pid != p->pid) {
		unw_flush_cache(u->as, 0, 0);
		u->cache_pid = p->pid;
	}
	u->rec.n = 0;
	u->rec.spoiled = false;
	x.rec = &u->rec;
	if (unw_init_remote(&cursor, u->as, &x) < 0)
		return n;
	prev_sp = x.sp;
	while (n < max && unw_step(&cursor) > 0) {
		if (unw_get_reg(&cursor, UNW_REG_IP, &ip) < 0 || ip == 0)
			break;
		/* A frame that does not move the stack up is a loop. */
		if (unw_get_reg(&cursor, UNW_REG_SP, &sp) < 0 || sp < prev_sp)
			break;
		prev_sp = sp;
		ips[n++] = ip;
	}
	/* Kept when complete (not cut at max) and the mappings did not change meanwhile. */
	if (!u->rec.spoiled && n < max && n <= MEMO_FRAMES && p->gen == gen)
		memo_store(e, &u->rec, p->pid, gen, ips[0], x.sp, ips, n);
	return n;
}

size_t unwind_sample(struct unwind *u, const struct pipeline_sample *s, uint64_t *ips, size_t max)
{
	uint64_t t0, dt;
	struct uproc *p;
	size_t n;

	if (!s->user_regs || s->user_abi == 0)
		return 0;
	t0 = util_now_ns();
	p = proc_get(u, s->pid);
	if (!p->maps_read && u->live)
		read_proc_maps(u, p);
	n = unwind_user(u, p, s, ips, max);
	dt = util_now_ns() - t0;
	u->st.samples++;
	u->st.unwound += n > 1;
	u->st.frames += n;
	u->st.ns += dt;
	u->hist[dt / HIST_BUCKET_NS < HIST_BUCKETS ? dt / HIST_BUCKET_NS : HIST_BUCKETS - 1]++;
	return n;
}

/* --- the unwinder --- */

struct unwind *unwind_new(void)
{
	struct unwind *u = xcalloc(1, sizeof(*u));

	u->live = true;
	u64map_init(&u->proc_index);
	u64map_init(&u->mod_index);
	u->hist = xcalloc(HIST_BUCKETS, sizeof(*u->hist));
	return u;
}

void unwind_free(struct unwind *u)
{
	size_t i;

	if (!u)
		return;
	for (i = 0; i < u->nprocs; i++)
		proc_clear(u, &u->procs[i]);
	if (u->as)
		unw_destroy_addr_space(u->as);
	for (i = 0; u->memo && i < MEMO_SLOTS; i++)
		free(u->memo[i].reads);
	free(u->memo);
	for (i = 0; i < u->nmods; i++) {
		module_unload(u->mods[i]);
		free(u->mods[i]->path);
		free(u->mods[i]);
	}
	free(u->mods);
	free(u->procs);
	u64map_free(&u->proc_index);
	u64map_free(&u->mod_index);
	free(u->hist);
	free(u);
}

void unwind_set_live(struct unwind *u, bool live)
{
	u->live = live;
}

void unwind_stats(const struct unwind *u, struct pipeline_unwind_stats *st)
{
	uint64_t seen = 0;
	size_t i;

	*st = u->st;
	st->median_ns = 0;
	for (i = 0; i < HIST_BUCKETS && u->st.samples; i++) {
		seen += u->hist[i];
		if (seen * 2 >= u->st.samples) {
			st->median_ns = i * HIST_BUCKET_NS + HIST_BUCKET_NS / 2;
			break;
		}
	}
}

void unwind_stats_reset(struct unwind *u)
{
	memset(&u->st, 0, sizeof(u->st));
	memset(u->hist, 0, HIST_BUCKETS * sizeof(*u->hist));
}
