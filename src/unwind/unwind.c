/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The DWARF unwinder: libunwind's remote API over a sampled user stack.
 *
 * libunwind asks four questions through our accessors, and this file is
 * their answers:
 *  - access_reg: a register of the innermost frame, from the sample;
 *  - access_mem: a word of the target's memory, from the stack copy when
 *    it lies in [sp, sp + dyn_size), else from what was read of the module
 *    mapped at that address (that is where the unwind tables are);
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
 * then falls back to the global one.)
 *
 * Mappings and modules are the process-map layer's (procmap.h); the
 * unwinder is one of its consumers. Its data for a module is the module's
 * PT_LOAD program headers and, read into memory, the segments that hold
 * .eh_frame_hdr and .eh_frame (at most PROCMAP_READ_MAX bytes each): that
 * is all libunwind reads of a module's file, and a file read, not mapped,
 * cannot raise SIGBUS when its owner truncates it. The layer opens the
 * file (hostile files refused), shares the data between every process
 * mapping the same file, and frees it some time after none does.
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
 *
 * Most of an unwind's questions are words of the modules' unwind tables,
 * answered from what the unwinder read of their files, and asking them
 * again was most of a hit's time. A question not answered from the
 * sample itself (its registers, the words of its stack copy) has an
 * answer that depends only on where the copy lies (its stack pointer and
 * extent, in the key), on the process's mappings (the generation, in the
 * key) and on the modules' data the unwinder holds (an epoch counts each
 * piece read or freed). So a hit asks again only the sample's questions
 * while the epoch is the one the entry was checked at; after a change of
 * epoch it asks them all once, and keeps the new epoch when all match.
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
#include <unistd.h>

#include "flametop/procmap.h"
#include "flametop/util.h"

/* Not in libunwind's headers, but exported; perf declares it the same way. */
extern int UNW_OBJ(dwarf_search_unwind_table)(unw_addr_space_t as, unw_word_t ip,
					      unw_dyn_info_t *di, unw_proc_info_t *pi,
					      int need_unwind_info, void *arg);
#define dwarf_search_unwind_table UNW_OBJ(dwarf_search_unwind_table)

/* Program headers a module may have. */
#define PHDR_MAX 4096
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

/* A PT_LOAD segment, and its file bytes when they were read. */
struct useg {
	Elf64_Phdr ph;
	const unsigned char *bytes; /* ph.p_filesz bytes, or NULL: not read */
	bool owned; /* bytes are ours to free (else the vdso, in our memory) */
};

/* The unwinder's data for a module (procmap_module_data()). */
struct umod {
	struct useg *segs;
	size_t nsegs;
	uint64_t lo, hi; /* virtual address range of the segments */
	bool have_table;
	uint64_t hdr_vaddr; /* .eh_frame_hdr */
	uint64_t table_vaddr; /* its binary search table */
	uint64_t fde_count;
	size_t cost;
};

/* One question an unwind asked, and the answer. */
struct memo_read {
	uint64_t addr; /* a memory address, or a libunwind register number */
	uint64_t val; /* the answer; 0 when there was none */
	int32_t ret; /* the accessor's return value */
	bool reg; /* a register, not memory */
	bool sample; /* answered from the sample: a register, a word of the copy */
};

/*
 * A whole unwind: its key, its questions and its result. The questions
 * answered from the sample come first, `nsample` of them, then the others.
 */
struct memo {
	uint32_t pid;
	uint64_t gen, ip, sp;
	uint64_t dyn_size, stack_size; /* the copy's extent, and the size asked for */
	uint64_t epoch; /* u->epoch when every question last matched */
	uint32_t nreads, nsample, nips;
	bool cut; /* unwind_cut() of that unwind */
	struct memo_read *reads; /* nreads, then the ips, then their kinds */
	uint64_t *ips;
	uint8_t *kinds;
};

/* The questions of the unwind in progress. */
struct memo_rec {
	struct memo_read reads[MEMO_READS];
	uint32_t n;
	bool spoiled; /* too many questions, or an answer that may change with time */
};

struct unwind {
	struct procmap *pm;
	int slot;
	unw_addr_space_t as; /* created on the first sample */
	uint32_t cache_pid; /* whose register rules libunwind's cache holds; 0: none */
	uint64_t cache_gen; /* of that process's mappings */
	uint64_t epoch; /* counts pieces of module data read and freed (see the memo) */

	struct memo *memo; /* MEMO_SLOTS, allocated on first use */
	struct memo_rec rec;

	struct pipeline_unwind_stats st;
	uint32_t *hist; /* HIST_BUCKETS counts of per-sample time */
	bool cut; /* unwind_cut() */
	uint8_t *kinds; /* unwind_kinds(), kinds_cap of them */
	size_t kinds_cap;
};

/* What the accessors see of one sample being unwound. */
struct sample_ctx {
	struct unwind *u;
	uint32_t pid;
	const struct pipeline_sample *s;
	uint64_t sp;
	const struct umod *last; /* the module the last file read hit, at last_bias */
	uint64_t last_bias;
	struct memo_rec *rec; /* where to record the questions, or NULL */
	bool past_end; /* a word above a full stack copy's end was asked for, and not found */
};

/* --- modules --- */

/* Reads `len` bytes at virtual address `v` of the module; false where nothing was read. */
static bool vaddr_read(const struct umod *m, uint64_t v, void *out, size_t len)
{
	size_t i;

	for (i = 0; i < m->nsegs; i++) {
		const struct useg *sg = &m->segs[i];
		uint64_t off;

		if (v < sg->ph.p_vaddr || v - sg->ph.p_vaddr >= sg->ph.p_memsz)
			continue;
		off = v - sg->ph.p_vaddr;
		if (off >= sg->ph.p_filesz) {
			memset(out, 0, len); /* .bss */
			return true;
		}
		if (!sg->bytes || sg->ph.p_filesz - off < len)
			return false;
		memcpy(out, sg->bytes + off, len);
		return true;
	}
	return false;
}

/* Decodes one .eh_frame_hdr pointer of encoding `enc` at virtual address `v`. */
static bool read_encoded(const struct umod *m, uint8_t enc, uint64_t *v, uint64_t *out)
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

/* The segment holding virtual address `v`, or NULL. */
static struct useg *seg_of(struct umod *m, uint64_t v)
{
	size_t i;

	for (i = 0; i < m->nsegs; i++) {
		if (v >= m->segs[i].ph.p_vaddr && v - m->segs[i].ph.p_vaddr < m->segs[i].ph.p_memsz)
			return &m->segs[i];
	}
	return NULL;
}

/* Reads the file bytes of the segment holding `v`, if not read yet. False when it cannot. */
static bool seg_read(struct umod *m, struct procmap_file *f, uint64_t v)
{
	struct useg *sg = seg_of(m, v);
	void *bytes;

	if (!sg)
		return false;
	if (sg->bytes || !f)
		return sg->bytes != NULL;
	bytes = procmap_file_read(f, sg->ph.p_offset, (size_t)sg->ph.p_filesz);
	if (!bytes)
		return false;
	sg->bytes = bytes;
	sg->owned = true;
	m->cost += (size_t)sg->ph.p_filesz;
	return true;
}

/*
 * Finds the .eh_frame_hdr at `hdr_vaddr`, reading the segments it and
 * .eh_frame live in, and checks that its table is the usual one.
 */
static void find_table(struct umod *m, struct procmap_file *f, uint64_t hdr_vaddr)
{
	uint8_t hdr[4];
	uint64_t v = hdr_vaddr + 4, eh_frame, count;

	m->hdr_vaddr = hdr_vaddr;
	if (!seg_read(m, f, hdr_vaddr) || !vaddr_read(m, hdr_vaddr, hdr, sizeof(hdr)) ||
	    hdr[0] != 1)
		return;
	/* version, eh_frame_ptr_enc, fde_count_enc, table_enc; the table
	 * must be pairs of datarel sdata4, what libunwind searches. */
	if (hdr[3] != (DW_EH_PE_datarel | DW_EH_PE_sdata4) || hdr[2] == DW_EH_PE_omit)
		return;
	if (!read_encoded(m, hdr[1], &v, &eh_frame) || !read_encoded(m, hdr[2], &v, &count))
		return;
	if (!seg_read(m, f, eh_frame))
		return;
	m->table_vaddr = v;
	m->fde_count = count;
	m->have_table = count > 0;
}

static void umod_free(struct umod *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->nsegs; i++) {
		if (m->segs[i].owned)
			free((void *)(uintptr_t)m->segs[i].bytes);
	}
	free(m->segs);
	free(m);
}

/*
 * The module from its program headers: the PT_LOAD segments, and the
 * unwind table when there is one. `image` is the whole ELF image in our
 * memory (the vdso), or NULL to read what is needed of `f`. NULL when it
 * is not an x86-64 ELF file.
 */
static struct umod *umod_parse(const unsigned char *image, size_t size, struct procmap_file *f)
{
	Elf64_Ehdr eh;
	Elf64_Phdr *phdrs;
	struct umod *m;
	uint64_t hdr_vaddr = 0;
	bool have_hdr = false;
	size_t i;

	if (image) {
		if (size < sizeof(eh))
			return NULL;
		memcpy(&eh, image, sizeof(eh));
	} else if (procmap_file_pread(f, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh)) {
		return NULL;
	}
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_machine != EM_X86_64 || eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 ||
	    eh.e_phnum > PHDR_MAX)
		return NULL;
	if (image) {
		if (eh.e_phoff > size || (size - eh.e_phoff) / sizeof(Elf64_Phdr) < eh.e_phnum)
			return NULL;
		phdrs = xmalloc(eh.e_phnum * sizeof(*phdrs));
		memcpy(phdrs, image + eh.e_phoff, eh.e_phnum * sizeof(*phdrs));
	} else {
		phdrs = procmap_file_read(f, eh.e_phoff, eh.e_phnum * sizeof(*phdrs));
		if (!phdrs)
			return NULL;
	}
	m = xcalloc(1, sizeof(*m));
	m->segs = xcalloc(eh.e_phnum, sizeof(*m->segs));
	m->lo = UINT64_MAX;
	for (i = 0; i < eh.e_phnum; i++) {
		const Elf64_Phdr *ph = &phdrs[i];

		if (ph->p_type == PT_LOAD) {
			struct useg *sg = &m->segs[m->nsegs++];

			sg->ph = *ph;
			if (sg->ph.p_filesz > sg->ph.p_memsz)
				sg->ph.p_filesz = sg->ph.p_memsz;
			if (image && ph->p_offset <= size && size - ph->p_offset >= ph->p_filesz)
				sg->bytes = image + ph->p_offset;
			if (ph->p_vaddr < m->lo)
				m->lo = ph->p_vaddr;
			if (ph->p_vaddr + ph->p_memsz > m->hi)
				m->hi = ph->p_vaddr + ph->p_memsz;
		} else if (ph->p_type == PT_GNU_EH_FRAME) {
			hdr_vaddr = ph->p_vaddr;
			have_hdr = true;
		}
	}
	free(phdrs);
	if (!m->nsegs) {
		umod_free(m);
		return NULL;
	}
	if (have_hdr)
		find_table(m, f, hdr_vaddr);
	m->cost += sizeof(*m) + m->nsegs * sizeof(*m->segs);
	return m;
}

/* The vdso is the same in every process of this kernel: ours, read in place. */
static struct umod *umod_vdso(void)
{
	const unsigned char *base = (const unsigned char *)(uintptr_t)getauxval(AT_SYSINFO_EHDR);
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)(const void *)base;
	size_t i, size = 0;

	if (!base)
		return NULL;
	for (i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph =
			(const Elf64_Phdr *)(const void *)(base + eh->e_phoff + i * eh->e_phentsize);

		if (ph->p_type == PT_LOAD && ph->p_offset + ph->p_filesz > size)
			size = ph->p_offset + ph->p_filesz;
	}
	return size ? umod_parse(base, size, NULL) : NULL;
}

static void *unwind_load(void *ctx, struct procmap *pm, const struct procmap_module *mod,
			 struct procmap_file *file, size_t *cost)
{
	struct unwind *u = ctx;
	struct umod *m;

	u->epoch++; /* an address may now be answered from this module */
	if (mod->kind == PROCMAP_VDSO)
		m = procmap_live(pm) ? umod_vdso() : NULL;
	else
		m = umod_parse(NULL, 0, file);
	if (m)
		*cost = m->cost;
	return m;
}

static void unwind_unload(void *ctx, void *data)
{
	struct unwind *u = ctx;

	u->epoch++; /* what was answered from this module no longer is */
	umod_free(data);
}

static const struct procmap_consumer unwind_consumer = {
	.name = "unwind",
	.load = unwind_load,
	.free = unwind_unload,
};

/* --- mappings --- */

/* The load bias of a module mapped at `start` from file offset `pgoff`. */
static uint64_t map_bias(const struct umod *m, uint64_t start, uint64_t pgoff)
{
	size_t i;

	for (i = 0; i < m->nsegs; i++) {
		const Elf64_Phdr *ph = &m->segs[i].ph;
		uint64_t seg_off = ph->p_offset & ~(uint64_t)0xfff;

		if ((ph->p_flags & PF_X) && pgoff >= seg_off && pgoff < ph->p_offset + ph->p_filesz)
			return start - pgoff + ph->p_offset - ph->p_vaddr;
	}
	return start - pgoff;
}

static uint64_t bias_of(const struct umod *m, const struct procmap_map *map)
{
	if (map->mod->kind == PROCMAP_VDSO)
		return map->start - m->lo;
	return map_bias(m, map->start, map->pgoff);
}

/* Whether `map` may hold code: executable, or a record that did not say. */
static bool map_exec(const struct procmap_map *map)
{
	return !map->prot || (map->prot & PROT_EXEC);
}

/* --- libunwind's accessors --- */

/*
 * The module whose image holds target address `addr` (*bias set), among
 * the process's executable mappings whose module is loaded; NULL if none.
 */
static const struct umod *find_image(struct sample_ctx *x, uint64_t addr, uint64_t *bias)
{
	const struct procmap_map *maps;
	size_t i, n;

	if (x->last && addr - x->last_bias >= x->last->lo && addr - x->last_bias < x->last->hi) {
		*bias = x->last_bias;
		return x->last;
	}
	n = procmap_maps(x->u->pm, x->pid, &maps);
	for (i = 0; i < n; i++) {
		const struct umod *m;
		uint64_t b;

		if (!map_exec(&maps[i]) || !(m = procmap_module_peek(maps[i].mod, x->u->slot)))
			continue;
		b = bias_of(m, &maps[i]);
		if (addr - b >= m->lo && addr - b < m->hi) {
			x->last = m;
			x->last_bias = *bias = b;
			return m;
		}
	}
	return NULL;
}

/* Appends a question and its answer to the recording, if any. */
static void record(struct sample_ctx *x, bool reg, bool sample, uint64_t addr, uint64_t val,
		   int ret)
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
	r->reads[r->n].sample = sample;
	r->n++;
}

/*
 * Whether `addr`, above the stack pointer and past the end of a copy the
 * kernel ended short of the size asked for, is past the end of the stack:
 * in no mapping. The copy then held the whole stack, and the unwind that
 * asked for it is broken, not cut. One in a mapping is a page the kernel
 * could not read while it sampled (not in memory): the stack goes on.
 * A mapping found may have re-read the process's maps, so the image last
 * found is looked up again.
 */
static bool past_stack(struct sample_ctx *x, uint64_t addr)
{
	if (x->s->user_stack_dyn_size >= x->s->user_stack_size)
		return false;
	x->last = NULL;
	if (procmap_find(x->u->pm, x->pid, addr))
		return false;
	if (x->rec)
		x->rec->spoiled = true; /* a later look at the maps may find it */
	return true;
}

/* Whether the word at `addr` lies in the sample's stack copy. */
static bool in_copy(const struct sample_ctx *x, uint64_t addr)
{
	uint64_t off = addr - x->sp;

	return addr >= x->sp && off < x->s->user_stack_dyn_size &&
	       x->s->user_stack_dyn_size - off >= sizeof(uint64_t);
}

/* A word of memory; *from_copy set when the stack copy answered it. */
static int mem_answer(struct sample_ctx *x, uint64_t addr, uint64_t *valp, bool *from_copy)
{
	const struct umod *m;
	uint64_t bias;

	*from_copy = in_copy(x, addr);
	if (*from_copy) {
		memcpy(valp, x->s->user_stack + (addr - x->sp), sizeof(*valp));
		return 0;
	}
	m = find_image(x, addr, &bias);
	if (m && vaddr_read(m, addr - bias, valp, sizeof(*valp)))
		return 0;
	if (addr >= x->sp && !past_stack(x, addr))
		x->past_end = true; /* above the stack pointer, not in the copy: past its end */
	return -UNW_EINVAL;
}

static int access_mem(unw_addr_space_t as, unw_word_t addr, unw_word_t *valp, int write, void *arg)
{
	struct sample_ctx *x = arg;
	uint64_t v = 0;
	bool from_copy;
	int ret;

	(void)as;
	if (write)
		return -UNW_EREADONLYREG;
	ret = mem_answer(x, addr, &v, &from_copy);
	record(x, false, from_copy, addr, v, ret);
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
	record(x, true, true, (uint64_t)regnum, v, ret);
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
	const struct procmap_map *map;
	const struct umod *m = NULL;
	unw_dyn_info_t di;
	uint64_t bias;

	/* May re-read the maps (mapped before we looked, and no MMAP2 told us). */
	map = procmap_find(x->u->pm, x->pid, ip);
	if (!map && x->rec)
		x->rec->spoiled = true; /* a later look at the maps may find it */
	if (map && map_exec(map))
		m = procmap_module_data(x->u->pm, map->mod, x->u->slot, x->pid, map);
	if (!m || !m->have_table)
		return -UNW_ENOINFO;
	bias = bias_of(m, map);
	memset(&di, 0, sizeof(di));
	di.format = UNW_INFO_FORMAT_REMOTE_TABLE;
	di.start_ip = map->start;
	di.end_ip = map->end;
	di.u.rti.segbase = m->hdr_vaddr + bias;
	di.u.rti.table_data = m->table_vaddr + bias;
	/* In words; an entry is two 32-bit offsets, one word. */
	di.u.rti.table_len = m->fde_count * 8 / sizeof(unw_word_t);
	x->last = m;
	x->last_bias = bias;
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
 * it asked answered the same now (those not answered from the sample are,
 * while the epoch is the one the entry was checked at).
 */
static bool memo_matches(struct memo *e, struct sample_ctx *x, uint64_t gen, uint64_t ip)
{
	uint32_t i, n;

	if (!e->reads || e->pid != x->pid || e->gen != gen || e->ip != ip || e->sp != x->sp ||
	    e->dyn_size != x->s->user_stack_dyn_size || e->stack_size != x->s->user_stack_size)
		return false;
	n = e->epoch == x->u->epoch ? e->nsample : e->nreads;
	for (i = 0; i < n; i++) {
		const struct memo_read *r = &e->reads[i];
		uint64_t v = 0;
		bool from_copy;
		int ret = r->reg ? reg_answer(x, (unw_regnum_t)r->addr, &v)
				 : mem_answer(x, r->addr, &v, &from_copy);

		if (ret != r->ret || (ret == 0 && v != r->val))
			return false;
	}
	e->epoch = x->u->epoch;
	return true;
}

/*
 * Keeps the unwind `u` just did (its questions, the n ips and their kinds,
 * cut) in `e`; `epoch` is u->epoch when the unwind began.
 */
static void memo_store(struct memo *e, const struct unwind *u, const struct pipeline_sample *s,
		       uint64_t gen, uint64_t epoch, uint64_t sp, const uint64_t *ips, size_t n)
{
	const struct memo_rec *r = &u->rec;
	size_t bytes = (size_t)r->n * sizeof(*e->reads) + n * (sizeof(*e->ips) + 1);
	uint32_t i, at = 0;

	e->reads = xrealloc(e->reads, bytes ? bytes : 1);
	e->ips = (uint64_t *)(void *)(e->reads + r->n);
	e->kinds = (uint8_t *)(e->ips + n);
	/* The sample's questions first, then the others, each in the order asked. */
	for (i = 0; i < r->n; i++) {
		if (r->reads[i].sample)
			e->reads[at++] = r->reads[i];
	}
	e->nsample = at;
	for (i = 0; i < r->n; i++) {
		if (!r->reads[i].sample)
			e->reads[at++] = r->reads[i];
	}
	/* Modules read or freed meanwhile: the first hit asks everything. */
	e->epoch = epoch;
	e->dyn_size = s->user_stack_dyn_size;
	e->stack_size = s->user_stack_size;
	memcpy(e->ips, ips, n * sizeof(*e->ips));
	memcpy(e->kinds, u->kinds, n);
	e->nreads = r->n;
	e->nips = (uint32_t)n;
	e->cut = u->cut;
	e->pid = s->pid;
	e->gen = gen;
	e->ip = ips[0];
	e->sp = sp;
}

/* --- unwinding --- */

static size_t unwind_user(struct unwind *u, const struct pipeline_sample *s, uint64_t *ips,
			  size_t max)
{
	struct sample_ctx x = { u, s->pid, s, 0, NULL, 0, NULL, false };
	const struct procmap_map *maps;
	unw_cursor_t cursor;
	unw_word_t ip, sp, prev_sp;
	struct memo *e;
	uint64_t gen, epoch;
	size_t n = 0;
	int step = 0;

	if (!sample_reg(s, 7, &x.sp) || !sample_reg(s, 8, &ip) || max == 0)
		return 0;
	u->kinds[n] = UNWIND_PLAIN;
	ips[n++] = ip;
	if (!s->user_stack || !s->user_stack_dyn_size)
		return n;
	/* Reads the maps of a process seen for the first time, so that the
	 * generation is that of the maps the unwind will look at. */
	procmap_maps(u->pm, s->pid, &maps);
	gen = procmap_generation(u->pm, s->pid);
	e = memo_slot(u, s->pid, ip, x.sp);
	if (memo_matches(e, &x, gen, ip)) {
		n = e->nips < max ? e->nips : max;
		memcpy(ips, e->ips, n * sizeof(*ips));
		memcpy(u->kinds, e->kinds, n);
		u->cut = e->cut || n < e->nips;
		return n;
	}
	if (!u->as) {
		u->as = unw_create_addr_space(&accessors, 0);
		if (!u->as)
			return n;
		unw_set_caching_policy(u->as, UNW_CACHE_GLOBAL);
	}
	/* libunwind's cache is one process's, as its mappings were. */
	if (u->cache_pid != s->pid || u->cache_gen != gen) {
		unw_flush_cache(u->as, 0, 0);
		u->cache_pid = s->pid;
		u->cache_gen = gen;
	}
	epoch = u->epoch;
	u->rec.n = 0;
	u->rec.spoiled = false;
	x.rec = &u->rec;
	x.past_end = false; /* what the memo's questions met is not this unwind's */
	if (unw_init_remote(&cursor, u->as, &x) < 0)
		return n;
	prev_sp = x.sp;
	while (n < max && (step = unw_step(&cursor)) > 0) {
		if (unw_get_reg(&cursor, UNW_REG_IP, &ip) < 0 || ip == 0)
			break;
		/* A frame that does not move the stack up is a loop. */
		if (unw_get_reg(&cursor, UNW_REG_SP, &sp) < 0 || sp < prev_sp)
			break;
		prev_sp = sp;
		/*
		 * Whether the frame just stepped from was a signal frame: what
		 * libunwind says after a step (on x86-64 the step took it from
		 * that frame's CIE, its 'S' augmentation, which glibc's
		 * __restore_rt has). This frame is then the interrupted code.
		 */
		u->kinds[n] = UNWIND_PLAIN;
		if (unw_is_signal_frame(&cursor) > 0) {
			u->kinds[n - 1] = UNWIND_SIGNAL;
			u->kinds[n] = UNWIND_INTERRUPTED;
		}
		ips[n++] = ip;
	}
	/* Out of room: frames left over, or a step that failed for a word past the copy. */
	u->cut = n == max || (step < 0 && x.past_end);
	/* Kept when complete (not cut at max) and the mappings did not change meanwhile. */
	if (!u->rec.spoiled && n < max && n <= MEMO_FRAMES &&
	    procmap_generation(u->pm, s->pid) == gen)
		memo_store(e, u, s, gen, epoch, x.sp, ips, n);
	return n;
}

size_t unwind_sample(struct unwind *u, const struct pipeline_sample *s, uint64_t *ips, size_t max)
{
	uint64_t t0, dt;
	size_t n;

	u->cut = false;
	if (!s->user_regs || s->user_abi == 0)
		return 0;
	if (max > u->kinds_cap) {
		u->kinds = xrealloc(u->kinds, max);
		u->kinds_cap = max;
	}
	t0 = util_now_ns();
	n = unwind_user(u, s, ips, max);
	dt = util_now_ns() - t0;
	u->st.samples++;
	u->st.unwound += n > 1;
	u->st.frames += n;
	u->st.ns += dt;
	u->hist[dt / HIST_BUCKET_NS < HIST_BUCKETS ? dt / HIST_BUCKET_NS : HIST_BUCKETS - 1]++;
	return n;
}

/* --- the unwinder --- */

struct unwind *unwind_new(struct procmap *pm)
{
	struct unwind *u = xcalloc(1, sizeof(*u));

	u->pm = pm;
	u->slot = procmap_register(pm, &unwind_consumer, u);
	u->hist = xcalloc(HIST_BUCKETS, sizeof(*u->hist));
	return u;
}

void unwind_free(struct unwind *u)
{
	size_t i;

	if (!u)
		return;
	procmap_unregister(u->pm, u->slot);
	if (u->as)
		unw_destroy_addr_space(u->as);
	for (i = 0; u->memo && i < MEMO_SLOTS; i++)
		free(u->memo[i].reads);
	free(u->memo);
	free(u->hist);
	free(u->kinds);
	free(u);
}

bool unwind_cut(const struct unwind *u)
{
	return u->cut;
}

const uint8_t *unwind_kinds(const struct unwind *u)
{
	return u->kinds;
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
