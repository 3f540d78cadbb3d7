/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The process-map layer: processes, their mappings, the modules those
 * mappings point to, and the consumers' data per module (procmap.h has
 * the contract, file.c opens the files).
 *
 * Each process has a sorted array of mappings, filled from MMAP2 records
 * and, the first time a live process is looked at, from /proc/PID/maps.
 * Modules are interned by identity (kind, path, and the build id when the
 * record gave one, else device and inode) and counted: each mapping holds
 * one reference, so a module goes with its last mapping.
 *
 * Lifecycle decisions (the symbolizer's, now everyone's): fork copies the
 * parent's maps (reading the parent's /proc maps first if we never had
 * them); exec empties the maps without reading /proc, because the kernel
 * emits the exec's COMM record before the MMAP2 records of the new image,
 * and /proc read at processing time may already describe a later exec or
 * nothing at all; exit drops the process lazily: the last
 * PROCMAP_EXITED_KEEP exited processes stay resolvable, since samples read
 * from another CPU's ring buffer can arrive after the EXIT record. A pid
 * that comes back (an mmap, fork or exec for it) starts afresh.
 *
 * A miss in a live process re-reads its /proc/PID/maps (at most once per
 * rescan interval), but only when the kernel says that something is mapped
 * at the address: a PROCMAP_QUERY ioctl (Linux 6.11) on the maps file asks
 * about that one address for a microsecond, where reading the whole file
 * costs the kernel a line per mapping. Frame-pointer chains through code
 * built without frame pointers are full of addresses nothing maps, and on
 * a busy machine each short-lived process brought one full read; now those
 * cost a query, at most PROCMAP_PROBES_MAX per process in an interval, on
 * a maps file kept open while the misses are in one process. Where the
 * ioctl is unknown, every miss reads the file, as before.
 *
 * A maps file is read up to PROCMAP_MAPS_MAX (PROCMAP_MAPS_QUERY_MAX where
 * the kernel answers PROCMAP_QUERY): a process can make it far larger (one
 * file mapped thousands of times under a long path), and the kernel writes
 * it a line at a time. Such a process is never read again;
 * a miss in it asks the same ioctl for the one mapping at the address,
 * with its path, so what lies past the cap is still found where it is used.
 */
#include "config.h"

#include "flametop/procmap.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#define DELETED_SUFFIX " (deleted)"
/* Single-address queries a process may cost in one rescan interval. */
#define PROCMAP_PROBES_MAX 32

/*
 * PROCMAP_QUERY, from <linux/fs.h> of Linux 6.11 (older headers lack it):
 * the mapping that covers query_addr, or ENOENT, with its path when
 * vma_name_addr points to room for it. The size says which version of the
 * struct this is.
 */
struct procmap_query_v1 {
	uint64_t size;
	uint64_t query_flags;
	uint64_t query_addr;
	uint64_t vma_start, vma_end, vma_flags, vma_page_size, vma_offset, inode;
	uint32_t dev_major, dev_minor;
	uint32_t vma_name_size, build_id_size;
	uint64_t vma_name_addr, build_id_addr;
};
#define PROCMAP_QUERY_IOCTL _IOWR('f', 17, struct procmap_query_v1)
/* Its vma_flags. */
#define PROCMAP_QUERY_READABLE 0x01
#define PROCMAP_QUERY_WRITABLE 0x02
#define PROCMAP_QUERY_EXECUTABLE 0x04
#define PROCMAP_QUERY_SHARED 0x08
/* Its query_flags: the mapping at query_addr or the next one; files only. */
#define PROCMAP_QUERY_COVERING_OR_NEXT_VMA 0x10
#define PROCMAP_QUERY_FILE_BACKED_VMA 0x20
#define ANON_NAME "[anon]"
#define VDSO_NAME "[vdso]"

/* A consumer's data for one identity, shared by the modules that have it. */
struct datum {
	char *ident;
	uint64_t hash;
	void *data;
	size_t cost;
	uint32_t users; /* modules pointing here; 0: parked */
	uint64_t used; /* procmap.uses when it was last asked for */
	int slot; /* whose it is */
	bool doomed; /* procmap_trim() frees it */
	struct datum *hnext; /* hash chain */
	struct datum *older, *newer; /* the parked list, while parked */
	struct datum *lru_older, *lru_newer; /* procmap's list of every datum, by used */
};

struct slot {
	const struct procmap_consumer *ops; /* NULL: a free slot */
	void *ctx;
	struct datum **buckets;
	size_t nbuckets, count;
	struct datum *oldest, *newest; /* parked */
	size_t parked, parked_bytes;
	size_t bytes; /* every datum's cost, in use or parked */
};

struct module {
	struct procmap_module pub;
	char *name;
	char *ident; /* the key it is interned under */
	uint64_t hash;
	struct module *hnext;
	uint32_t refs;
	bool told; /* a refusal to read its file was said */
	/* When reading it must stop (procmap_open): set by its first opening,
	 * and by the first after the last one ran out when `renew` says
	 * that what it reads is read again. */
	uint64_t deadline_ns;
	bool renew; /* a consumer's data was freed, or its reading interrupted */
	struct {
		struct datum *d;
		bool tried;
	} slots[PROCMAP_SLOTS];
};

struct proc {
	struct procmap_map *maps; /* sorted by start, never overlapping */
	size_t len, cap;
	bool loaded; /* /proc/PID/maps read, or maps known from fork/exec */
	bool gone; /* reading /proc/PID/maps failed or it exited: do not rescan */
	bool capped; /* its /proc/PID/maps held more than maps_cap(): do not rescan */
	uint64_t scanned_ns; /* when /proc/PID/maps was last read, 0 never */
	uint64_t probed_ns; /* when the first query of the current interval was made */
	uint32_t probes; /* queries made since probed_ns */
	uint64_t exit_seq; /* nonzero: exited, the number of its exit */
	uint64_t gen;
	uint64_t born; /* gen when the pid last began to name a new process (or image) */
	/* Who it is (procmap_owner), learned while it ran. */
	struct procmap_owner owner;
	bool owner_known;
	uint64_t start_ticks; /* its start in /proc/PID/stat when owner was looked up, 0 never */
	uint64_t named_ns; /* time of the record that began it (fork, exec, first mmap), 0 unknown */
};

struct procmap {
	bool live;
	bool no_query; /* the kernel knows no PROCMAP_QUERY */
	bool query_tried; /* no_query was asked of the kernel (maps_cap) */
	/* The maps file last queried, kept open for the misses that follow. */
	int query_fd; /* -1 none */
	const struct proc *query_proc;
	uint64_t rescan_ns;
	struct module **buckets; /* modules by ident */
	size_t nbuckets, nmodules;
	struct u64map proc_index; /* pid + 1 -> index into procs */
	struct proc **procs; /* NULL for pids forgotten */
	size_t nprocs;
	struct {
		uint32_t idx; /* into procs */
		uint64_t seq; /* exit_seq of that exit, 0 for an empty slot */
	} exited[PROCMAP_EXITED_KEEP]; /* a ring of the latest exits */
	size_t exited_next;
	uint64_t exit_seq, gen;
	struct slot slots[PROCMAP_SLOTS];
	/* procmap_trim(): the data's ceiling (0: none), the data asked for
	 * so far, and that count at the last trim. */
	size_t data_limit;
	uint64_t uses, trim_mark;
	/* Every slot's data, in use or parked, by `used`: the oldest first
	 * (datum_touch() moves one to the end), so a trim's victim is the
	 * first, however many there are. */
	struct datum *lru_oldest, *lru_newest;
	bool (*stop)(void *ctx); /* procmap_set_interrupt() */
	void *stop_ctx;
	struct ft_notice *notice;
	struct procmap_stats st;
	uint64_t root_dev, root_ino; /* our "/", once looked up (root_known) */
	bool root_known;
};

static struct module *module_of(const struct procmap_module *pub)
{
	return (struct module *)(void *)((char *)(uintptr_t)pub - offsetof(struct module, pub));
}

struct procmap *procmap_new(void)
{
	struct procmap *pm = xcalloc(1, sizeof(*pm));

	pm->live = true;
	pm->rescan_ns = PROCMAP_RESCAN_NS;
	pm->query_fd = -1;
	pm->nbuckets = 256;
	pm->buckets = xcalloc(pm->nbuckets, sizeof(*pm->buckets));
	u64map_init(&pm->proc_index);
	return pm;
}

void procmap_set_live(struct procmap *pm, bool live)
{
	pm->live = live;
}

bool procmap_live(const struct procmap *pm)
{
	return pm->live;
}

void procmap_set_rescan_interval(struct procmap *pm, uint64_t ns)
{
	pm->rescan_ns = ns;
}

void procmap_set_notice(struct procmap *pm, struct ft_notice *notice)
{
	pm->notice = notice;
}

void procmap_say(struct procmap *pm, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!pm->notice)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	notice_say(pm->notice, NULL, "%s", msg);
}

/* ---- consumers' data ---------------------------------------------------- */

static void slot_unlink_parked(struct slot *s, struct datum *d)
{
	if (d->older)
		d->older->newer = d->newer;
	else
		s->oldest = d->newer;
	if (d->newer)
		d->newer->older = d->older;
	else
		s->newest = d->older;
	d->older = d->newer = NULL;
	s->parked--;
	s->parked_bytes -= d->cost;
}

static bool lru_linked(const struct procmap *pm, const struct datum *d)
{
	return d->lru_older || d->lru_newer || pm->lru_oldest == d;
}

static void lru_unlink(struct procmap *pm, struct datum *d)
{
	if (d->lru_older)
		d->lru_older->lru_newer = d->lru_newer;
	else
		pm->lru_oldest = d->lru_newer;
	if (d->lru_newer)
		d->lru_newer->lru_older = d->lru_older;
	else
		pm->lru_newest = d->lru_older;
	d->lru_older = d->lru_newer = NULL;
}

/* `d` is asked for now: the newest use, at the end of the list. */
static void datum_touch(struct procmap *pm, struct datum *d)
{
	if (lru_linked(pm, d))
		lru_unlink(pm, d);
	d->used = ++pm->uses;
	d->lru_older = pm->lru_newest;
	if (pm->lru_newest)
		pm->lru_newest->lru_newer = d;
	else
		pm->lru_oldest = d;
	pm->lru_newest = d;
}

/* Frees `d`, unlinked from the parked list already. */
static void slot_remove(struct procmap *pm, struct slot *s, struct datum *d)
{
	struct datum **pp = &s->buckets[d->hash & (s->nbuckets - 1)];

	while (*pp != d)
		pp = &(*pp)->hnext;
	*pp = d->hnext;
	if (lru_linked(pm, d))
		lru_unlink(pm, d);
	s->count--;
	s->bytes -= d->cost;
	s->ops->free(s->ctx, d->data);
	free(d->ident);
	free(d);
}

static struct datum *slot_find(const struct slot *s, const char *ident, uint64_t hash)
{
	struct datum *d;

	for (d = s->buckets[hash & (s->nbuckets - 1)]; d; d = d->hnext) {
		if (d->hash == hash && strcmp(d->ident, ident) == 0)
			return d;
	}
	return NULL;
}

/* A new datum of slot `slot`, not yet in procmap's list (datum_touch() puts it there). */
static struct datum *slot_add(struct procmap *pm, int slot, const char *ident, uint64_t hash,
			      void *data, size_t cost)
{
	struct slot *s = &pm->slots[slot];
	struct datum *d = xcalloc(1, sizeof(*d));
	size_t i;

	if (s->count + 1 > s->nbuckets) {
		size_t n = s->nbuckets * 2;
		struct datum **b = xcalloc(n, sizeof(*b));

		for (i = 0; i < s->nbuckets; i++) {
			while (s->buckets[i]) {
				struct datum *e = s->buckets[i];

				s->buckets[i] = e->hnext;
				e->hnext = b[e->hash & (n - 1)];
				b[e->hash & (n - 1)] = e;
			}
		}
		free(s->buckets);
		s->buckets = b;
		s->nbuckets = n;
	}
	d->ident = xstrdup(ident);
	d->hash = hash;
	d->slot = slot;
	d->data = data;
	d->cost = cost;
	s->bytes += cost;
	d->hnext = s->buckets[hash & (s->nbuckets - 1)];
	s->buckets[hash & (s->nbuckets - 1)] = d;
	s->count++;
	return d;
}

static void datum_use(struct slot *s, struct datum *d)
{
	if (d->users++ == 0 && (d->older || d->newer || s->oldest == d))
		slot_unlink_parked(s, d);
}

/* A module let go of `d`: park it when nobody else uses it, and keep the parked list bounded. */
static void datum_release(struct procmap *pm, struct slot *s, struct datum *d)
{
	if (--d->users > 0)
		return;
	d->older = s->newest;
	d->newer = NULL;
	if (s->newest)
		s->newest->newer = d;
	else
		s->oldest = d;
	s->newest = d;
	s->parked++;
	s->parked_bytes += d->cost;
	while (s->oldest &&
	       (s->parked > PROCMAP_PARKED_MAX || s->parked_bytes > PROCMAP_PARKED_BYTES)) {
		struct datum *old = s->oldest;

		slot_unlink_parked(s, old);
		slot_remove(pm, s, old);
		pm->st.evicted++;
	}
}

void procmap_set_interrupt(struct procmap *pm, bool (*stop)(void *ctx), void *ctx)
{
	pm->stop = stop;
	pm->stop_ctx = ctx;
}

bool procmap_interrupted(const struct procmap *pm)
{
	return pm->stop && pm->stop(pm->stop_ctx);
}

void procmap_set_data_limit(struct procmap *pm, size_t bytes)
{
	pm->data_limit = bytes;
}

/* Every consumer's data, in use or parked. */
static size_t data_bytes(const struct procmap *pm)
{
	size_t i, n = 0;

	for (i = 0; i < PROCMAP_SLOTS; i++)
		n += pm->slots[i].bytes;
	return n;
}

/*
 * The modules that use a datum marked `doomed` let go of it (they load
 * their data again when asked): one pass over the modules for all of a
 * trim's victims, however many.
 */
static void release_doomed(struct procmap *pm)
{
	struct module *m;
	size_t b;
	int i;

	for (b = 0; b < pm->nbuckets; b++) {
		for (m = pm->buckets[b]; m; m = m->hnext) {
			for (i = 0; i < PROCMAP_SLOTS; i++) {
				struct datum *d = m->slots[i].d;

				if (!d || !d->doomed)
					continue;
				m->slots[i].d = NULL;
				m->slots[i].tried = false;
				m->renew = true;
				d->users--;
			}
		}
	}
}

/*
 * The victims are the data asked for longest ago and not since the last
 * trim, oldest first, until what is left is under the ceiling: a prefix
 * of procmap's list, so they are marked walking it from the start, the
 * modules using them let go in one pass, and they are freed from the start.
 */
size_t procmap_trim(struct procmap *pm)
{
	size_t freed = 0, bytes = data_bytes(pm), used = 0;
	struct datum *d;

	for (d = pm->lru_oldest;
	     pm->data_limit && bytes > pm->data_limit && d && d->used <= pm->trim_mark;
	     d = d->lru_newer) {
		d->doomed = true;
		bytes -= d->cost;
		used += d->users > 0;
	}
	if (used)
		release_doomed(pm);
	while ((d = pm->lru_oldest) && d->doomed) {
		struct slot *s = &pm->slots[d->slot];

		if (d->older || d->newer || s->oldest == d)
			slot_unlink_parked(s, d);
		slot_remove(pm, s, d);
		pm->st.evicted++;
		freed++;
	}
	pm->trim_mark = pm->uses;
	return freed;
}

int procmap_register(struct procmap *pm, const struct procmap_consumer *ops, void *ctx)
{
	int i;

	for (i = 0; i < PROCMAP_SLOTS; i++) {
		struct slot *s = &pm->slots[i];

		if (s->ops)
			continue;
		memset(s, 0, sizeof(*s));
		s->ops = ops;
		s->ctx = ctx;
		s->nbuckets = 64;
		s->buckets = xcalloc(s->nbuckets, sizeof(*s->buckets));
		return i;
	}
	return -ENOSPC;
}

void procmap_unregister(struct procmap *pm, int slot)
{
	struct slot *s;
	size_t i;

	if (slot < 0 || slot >= PROCMAP_SLOTS || !pm->slots[slot].ops)
		return;
	s = &pm->slots[slot];
	for (i = 0; i < pm->nbuckets; i++) {
		struct module *m;

		for (m = pm->buckets[i]; m; m = m->hnext) {
			m->slots[slot].d = NULL;
			m->slots[slot].tried = false;
		}
	}
	for (i = 0; i < s->nbuckets; i++) {
		while (s->buckets[i])
			slot_remove(pm, s, s->buckets[i]);
	}
	free(s->buckets);
	memset(s, 0, sizeof(*s));
}

/* ---- modules ------------------------------------------------------------ */

static void hex(char *out, const uint8_t *bytes, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", bytes[i]);
	out[2 * n] = '\0';
}

/* The identity of a module as it is now (a build id learned from its file counts). */
static char *ident_of(const struct procmap_module *mod)
{
	char id[41];

	if (mod->kind != PROCMAP_FILE)
		return xasprintf("a:%s", mod->name);
	if (mod->build_id_size > 0) {
		hex(id, mod->build_id, mod->build_id_size);
		if (mod->trusted)
			return xasprintf("b:%s:%s", id, mod->name);
		return xasprintf("b:%s:%" PRIu32 ":%" PRIu32 ":%" PRIu64 ":%s", id, mod->maj,
				 mod->min, mod->ino, mod->name);
	}
	return xasprintf("i:%" PRIu32 ":%" PRIu32 ":%" PRIu64 ":%s", mod->maj, mod->min, mod->ino,
			 mod->name);
}

uint64_t procmap_module_key(const struct procmap_module *mod)
{
	char *ident = ident_of(mod);
	uint64_t key = util_hash_bytes(ident, strlen(ident));

	free(ident);
	return key ? key : 1;
}

char *procmap_module_path(const struct procmap_module *mod)
{
	size_t len = strlen(mod->name), slen = strlen(DELETED_SUFFIX);

	if (len > slen && strcmp(mod->name + len - slen, DELETED_SUFFIX) == 0)
		return xstrndup(mod->name, len - slen);
	return xstrdup(mod->name);
}

static void module_free(struct procmap *pm, struct module *m)
{
	struct module **pp = &pm->buckets[m->hash & (pm->nbuckets - 1)];
	int i;

	while (*pp != m)
		pp = &(*pp)->hnext;
	*pp = m->hnext;
	pm->nmodules--;
	pm->st.modules_freed++;
	for (i = 0; i < PROCMAP_SLOTS; i++) {
		if (m->slots[i].d)
			datum_release(pm, &pm->slots[i], m->slots[i].d);
	}
	free(m->name);
	free(m->ident);
	free(m);
}

static void module_unref(struct procmap *pm, struct procmap_module *pub)
{
	struct module *m = module_of(pub);

	if (--m->refs == 0)
		module_free(pm, m);
}

static void module_ref(struct procmap_module *pub)
{
	module_of(pub)->refs++;
}

/*
 * Whether `filename` is what /proc/PID/maps shows of an anonymous mapping
 * a program named (PR_SET_VMA_ANON_NAME: "[anon:NAME]", or
 * "[anon_shmem:NAME]" when shared), as V8 and ART name their JIT code.
 * The name is kept: it says what the memory is.
 */
static bool named_anonymous(const char *filename)
{
	return strncmp(filename, "[anon:", 6) == 0 || strncmp(filename, "[anon_shmem:", 12) == 0;
}

/*
 * Whether a mapping of `filename` is anonymous memory, where a JIT puts
 * code: no file, or what perf takes as one: shared anonymous memory
 * ("/dev/zero (deleted)"), anonymous huge pages, and .NET's double
 * mapping of its JIT code ("/memfd:doublemapper (deleted)"), or a named
 * one (named_anonymous()).
 */
static bool anonymous(const char *filename)
{
	static const char *const prefixes[] = { "/dev/zero", "/anon_hugepage",
						"/memfd:doublemapper" };
	size_t i;

	if (!*filename || strcmp(filename, "//anon") == 0 || named_anonymous(filename))
		return true;
	for (i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (strncmp(filename, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return false;
}

/* The module a record names, interned (with no reference taken yet). */
static struct module *module_get(struct procmap *pm, const struct pipeline_mmap *mm)
{
	const char *filename = mm->filename ? mm->filename : "";
	struct procmap_module probe;
	struct module *m;
	char *ident;
	uint64_t hash;
	size_t i;

	memset(&probe, 0, sizeof(probe));
	probe.name = filename;
	if (anonymous(filename)) {
		probe.kind = PROCMAP_ANON;
		probe.name = named_anonymous(filename) ? filename : ANON_NAME;
	} else if (strcmp(filename, VDSO_NAME) == 0) {
		probe.kind = PROCMAP_VDSO;
	} else if (filename[0] != '/') {
		probe.kind = PROCMAP_SPECIAL; /* [heap], [stack], [vvar], anon_inode:... */
	} else {
		probe.kind = PROCMAP_FILE;
		probe.maj = mm->maj;
		probe.min = mm->min;
		probe.ino = mm->ino;
	}
	ident = ident_of(&probe);
	hash = util_hash_bytes(ident, strlen(ident));
	for (m = pm->buckets[hash & (pm->nbuckets - 1)]; m; m = m->hnext) {
		if (m->hash == hash && strcmp(m->ident, ident) == 0) {
			free(ident);
			return m;
		}
	}
	if (pm->nmodules + 1 > pm->nbuckets) {
		size_t n = pm->nbuckets * 2;
		struct module **b = xcalloc(n, sizeof(*b));

		for (i = 0; i < pm->nbuckets; i++) {
			while (pm->buckets[i]) {
				struct module *e = pm->buckets[i];

				pm->buckets[i] = e->hnext;
				e->hnext = b[e->hash & (n - 1)];
				b[e->hash & (n - 1)] = e;
			}
		}
		free(pm->buckets);
		pm->buckets = b;
		pm->nbuckets = n;
	}
	m = xcalloc(1, sizeof(*m));
	m->pub = probe;
	m->name = xstrdup(probe.name);
	m->pub.name = m->name;
	m->ident = ident;
	m->hash = hash;
	m->hnext = pm->buckets[hash & (pm->nbuckets - 1)];
	pm->buckets[hash & (pm->nbuckets - 1)] = m;
	pm->nmodules++;
	return m;
}

/* ---- processes ---------------------------------------------------------- */

/* The process `pid`, or NULL when unknown and `create` is false. */
static struct proc *proc_get(struct procmap *pm, uint32_t pid, bool create)
{
	uint64_t key = (uint64_t)pid + 1;
	uint32_t idx;

	if (u64map_get(&pm->proc_index, key, &idx)) {
		if (!pm->procs[idx] && create) {
			pm->procs[idx] = xcalloc(1, sizeof(struct proc));
			pm->procs[idx]->gen = pm->procs[idx]->born = ++pm->gen;
		}
		return pm->procs[idx];
	}
	if (!create)
		return NULL;
	pm->procs = xreallocarray(pm->procs, pm->nprocs + 1, sizeof(*pm->procs));
	pm->procs[pm->nprocs] = xcalloc(1, sizeof(struct proc));
	pm->procs[pm->nprocs]->gen = pm->procs[pm->nprocs]->born = ++pm->gen;
	u64map_put(&pm->proc_index, key, (uint32_t)pm->nprocs);
	return pm->procs[pm->nprocs++];
}

static void proc_changed(struct procmap *pm, struct proc *p)
{
	p->gen = ++pm->gen;
}

/* Forgets everything about `p`: its pid now names a new process. */
static void query_close(struct procmap *pm)
{
	if (pm->query_fd >= 0)
		close(pm->query_fd);
	pm->query_fd = -1;
	pm->query_proc = NULL;
}

static void proc_reset(struct procmap *pm, struct proc *p)
{
	size_t i;

	if (p == pm->query_proc)
		query_close(pm); /* the pid may come back as another process */
	for (i = 0; i < p->len; i++)
		module_unref(pm, p->maps[i].mod);
	p->len = 0;
	p->loaded = false;
	p->gone = false;
	p->capped = false;
	p->scanned_ns = 0;
	p->probed_ns = 0;
	p->probes = 0;
	p->exit_seq = 0;
	memset(&p->owner, 0, sizeof(p->owner));
	p->owner_known = false;
	p->start_ticks = 0;
	p->named_ns = 0;
	proc_changed(pm, p);
	p->born = p->gen;
}

static void proc_free(struct procmap *pm, struct proc *p)
{
	if (!p)
		return;
	proc_reset(pm, p);
	free(p->maps);
	free(p);
}

/* The index of the first mapping that ends above `addr` (len when none does). */
static size_t map_first_above(const struct proc *p, uint64_t addr)
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

static const struct procmap_map *map_find(const struct proc *p, uint64_t addr)
{
	size_t i = map_first_above(p, addr);

	if (i < p->len && p->maps[i].start <= addr)
		return &p->maps[i];
	return NULL;
}

/* Adds a mapping; whatever it overlaps is cut away (the newest mapping wins). */
static void map_insert(struct procmap *pm, struct proc *p, const struct procmap_map *map)
{
	struct procmap_map repl[3];
	size_t lo, hi, n = 0, newlen, i;

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
	/* The new pieces take their references before the old ones let go. */
	for (i = 0; i < n; i++)
		module_ref(repl[i].mod);
	for (i = lo; i < hi; i++)
		module_unref(pm, p->maps[i].mod);

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
	proc_changed(pm, p);
}

static void proc_add_mmap(struct procmap *pm, struct proc *p, const struct pipeline_mmap *m)
{
	struct procmap_map map;
	struct module *mod;

	if (m->start + m->len <= m->start)
		return;
	mod = module_get(pm, m);
	map.start = m->start;
	map.end = m->start + m->len;
	map.pgoff = m->pgoff;
	map.prot = m->prot;
	map.mod = &mod->pub;
	mod->refs++; /* held across the insert: a new module has no mapping yet */
	map_insert(pm, p, &map);
	module_unref(pm, &mod->pub);
}

int procmap_parse_line(char *line, struct pipeline_mmap *m)
{
	unsigned long long start, end, pgoff, ino;
	unsigned int maj, min;
	char perms[5];
	int pos = 0;
	char *path;

	line[strcspn(line, "\n")] = '\0';
	if (sscanf(line, "%llx-%llx %4s %llx %x:%x %llu %n", &start, &end, perms, &pgoff, &maj,
		   &min, &ino, &pos) < 7 ||
	    pos == 0 || end < start || strlen(perms) != 4)
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
 * How much of a maps file to read: PROCMAP_MAPS_QUERY_MAX where the kernel
 * answers PROCMAP_QUERY (asked once, about address 0 of our own maps),
 * PROCMAP_MAPS_MAX where it does not.
 */
static size_t maps_cap(struct procmap *pm)
{
	if (!pm->query_tried) {
		pm->query_tried = true;
		pm->no_query = !procmap_query_answers();
	}
	return pm->no_query ? PROCMAP_MAPS_MAX : PROCMAP_MAPS_QUERY_MAX;
}

bool procmap_query_answers(void)
{
	struct procmap_query_v1 q = { .size = sizeof(q), .query_addr = 0 };
	bool answers;
	int fd;

	fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	answers = ioctl(fd, PROCMAP_QUERY_IOCTL, &q) == 0 ||
		  (errno != ENOTTY && errno != EINVAL && errno != EOPNOTSUPP);
	close(fd);
	return answers;
}

/*
 * The next file mapping of the maps file `fd` at or past `*addr`, into `q`
 * (its path into `name`, of `size` bytes, when `name` is not NULL); *addr
 * moves past it. 0, or -errno (-ENOENT: no more).
 */
static int query_next_file(int fd, uint64_t *addr, struct procmap_query_v1 *q, char *name,
			   size_t size)
{
	memset(q, 0, sizeof(*q));
	q->size = sizeof(*q);
	q->query_flags = PROCMAP_QUERY_COVERING_OR_NEXT_VMA | PROCMAP_QUERY_FILE_BACKED_VMA;
	q->query_addr = *addr;
	if (name) {
		q->vma_name_size = (uint32_t)size;
		q->vma_name_addr = (uint64_t)(uintptr_t)name;
	}
	if (ioctl(fd, PROCMAP_QUERY_IOCTL, q) < 0)
		return -errno;
	if (q->vma_end <= *addr)
		return -ENOENT;
	*addr = q->vma_end;
	if (name)
		name[q->vma_name_size && q->vma_name_size <= size ? q->vma_name_size - 1 : 0] = '\0';
	return 0;
}

char *procmap_query_find_file(uint32_t pid, bool (*match)(const char *path, void *ctx), void *ctx,
			      uint64_t *start, uint64_t *end)
{
	struct procmap_query_v1 q;
	uint64_t addr = 0, ino = 0, dev = UINT64_MAX;
	uint32_t named = 0, seen = 0;
	char path[64], name[PATH_MAX], *found = NULL;
	int fd;

	snprintf(path, sizeof(path), "/proc/%" PRIu32 "/maps", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return NULL;
	while (!found && seen++ < PROCMAP_QUERY_WALK_MAX &&
	       query_next_file(fd, &addr, &q, NULL, 0) == 0) {
		uint64_t qdev = (uint64_t)q.dev_major << 32 | q.dev_minor;
		uint64_t from = q.vma_start;

		if (!(q.vma_flags & PROCMAP_QUERY_EXECUTABLE))
			continue;
		/* The same file as the executable mapping before it: its path was asked. */
		if (q.inode == ino && qdev == dev)
			continue;
		ino = q.inode;
		dev = qdev;
		if (named++ >= PROCMAP_QUERY_NAMES_MAX ||
		    query_next_file(fd, &from, &q, name, sizeof(name)) < 0)
			break;
		if (match(name, ctx)) {
			found = xstrdup(name);
			*start = q.vma_start;
			*end = q.vma_end;
		}
	}
	close(fd);
	return found;
}

/*
 * Reads /proc/PID/maps over what we know (its lines replace what they
 * overlap). Returns 0, or -errno when the file cannot be read (the process
 * is gone, or belongs to no one we may look at).
 */
static int proc_scan(struct procmap *pm, uint32_t pid, struct proc *p)
{
	char path[64], *buf, *line, *next;
	size_t cap;

	p->scanned_ns = util_now_ns();
	if (!pm->live) {
		p->gone = true;
		return -ENOENT;
	}
	snprintf(path, sizeof(path), "/proc/%" PRIu32 "/maps", pid);
	pm->st.scans++;
	cap = maps_cap(pm);
	buf = util_read_file_max(path, cap, NULL, &p->capped);
	if (!buf) {
		p->gone = true;
		return -errno;
	}
	if (p->capped && pm->notice)
		notice_say(pm->notice, "procmap-maps-capped",
			   "%s: larger than %zu MiB, read that far (once per process); a mapping "
			   "past it is asked of the kernel when used (Linux 6.11 or later)",
			   path, cap >> 20);
	for (line = buf; *line; line = next) {
		struct pipeline_mmap m;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line);
		if (procmap_parse_line(line, &m) == 0) {
			m.pid = m.tid = pid;
			proc_add_mmap(pm, p, &m);
		}
	}
	free(buf);
	return 0;
}

/* The process, with its maps loaded from /proc the first time it is seen. */
static struct proc *proc_loaded(struct procmap *pm, uint32_t pid)
{
	struct proc *p = proc_get(pm, pid, true);

	if (!p->loaded) {
		p->loaded = true;
		/* After its exit, the pid may already belong to someone else. */
		if (!p->exit_seq)
			proc_scan(pm, pid, p);
	}
	return p;
}

/* ---- who a process is ------------------------------------------------- */

/* The start of a process in its /proc/PID/stat (field 22, clock ticks since boot), 0 unknown. */
static uint64_t start_ticks(int dir)
{
	char buf[1024], *p;
	unsigned long long ticks;
	ssize_t n;
	int fd, i;

	fd = openat(dir, "stat", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* The name (field 2) may hold anything: the fields go on after its last ')'. */
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	/* Fields 3 to 21, then the start. */
	for (i = 3; i <= 22; i++) {
		p = strchr(p, ' ');
		if (!p)
			return 0;
		p++;
	}
	return sscanf(p, "%llu", &ticks) == 1 ? ticks : 0;
}

/* `ticks` since boot as a CLOCK_MONOTONIC time (the records' clock), in ns. */
static uint64_t ticks_to_mono(uint64_t ticks)
{
	struct timespec boot, mono;
	long hz = sysconf(_SC_CLK_TCK);
	uint64_t boot_ns, mono_ns, at, suspended;

	if (hz <= 0 || clock_gettime(CLOCK_MONOTONIC, &mono) != 0 ||
	    clock_gettime(CLOCK_BOOTTIME, &boot) != 0)
		return 0;
	boot_ns = (uint64_t)boot.tv_sec * 1000000000ull + (uint64_t)boot.tv_nsec;
	mono_ns = (uint64_t)mono.tv_sec * 1000000000ull + (uint64_t)mono.tv_nsec;
	at = ticks * (1000000000ull / (uint64_t)hz);
	/* Time suspended (counted by CLOCK_BOOTTIME alone) since then makes it earlier, not later. */
	suspended = boot_ns > mono_ns ? boot_ns - mono_ns : 0;
	return at > suspended ? at - suspended : 0;
}

/* The last pid of the NSpid line of the status of `dir` (the pid it knows itself by), 0 unknown. */
static uint32_t ns_pid(int dir)
{
	char *status = NULL, *line;
	unsigned long v = 0;
	int fd;

	fd = openat(dir, "status", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		status = util_read_fd_max(fd, 64 << 10, NULL, NULL);
		close(fd);
	}
	line = status ? strstr(status, "\nNSpid:") : NULL;
	if (line) {
		char *p = line + strlen("\nNSpid:"), *end;

		for (;;) {
			unsigned long n = strtoul(p, &end, 10);

			if (end == p)
				break;
			v = n;
			p = end;
		}
	}
	free(status);
	return v <= UINT32_MAX ? (uint32_t)v : 0;
}

/*
 * Learns who `pid` is from /proc/PID, when the process there is the one
 * the records speak of: it started no later than `before_ns` (the record
 * that began it; 0: not known) and, once it was looked up, at the same
 * time as then. A pid reused since (after an exit whose record is not
 * read yet) names a process that started later, whose user is not this
 * one's. Its root is compared with ours while it can be seen (not for a
 * zombie): what it was stays otherwise.
 */
static void owner_look(struct procmap *pm, uint32_t pid, struct proc *p, uint64_t before_ns)
{
	char path[32];
	struct stat st, root;
	uint64_t ticks;
	uint32_t nspid;
	int dir;

	if (!pm->live || p->exit_seq)
		return;
	snprintf(path, sizeof(path), "/proc/%" PRIu32, pid);
	dir = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return;
	/* Everything through `dir`: a pid reused meanwhile fails the reads after it. */
	if (fstat(dir, &st) != 0 || (ticks = start_ticks(dir)) == 0 ||
	    (p->start_ticks && ticks != p->start_ticks) ||
	    (before_ns && ticks_to_mono(ticks) > before_ns))
		goto out;
	nspid = ns_pid(dir);
	if (!pm->root_known && stat("/", &root) == 0) {
		pm->root_dev = root.st_dev;
		pm->root_ino = root.st_ino;
		pm->root_known = true;
	}
	if (fstatat(dir, "root", &root, 0) == 0 && pm->root_known) {
		p->owner.root_known = true;
		p->owner.root_ours = root.st_dev == pm->root_dev && root.st_ino == pm->root_ino;
	}
	p->owner.uid = st.st_uid;
	if (nspid)
		p->owner.ns_pid = nspid;
	p->owner_known = true;
	p->start_ticks = ticks;
out:
	close(dir);
}

bool procmap_owner(struct procmap *pm, uint32_t pid, struct procmap_owner *out)
{
	struct proc *p = proc_get(pm, pid, true);

	owner_look(pm, pid, p, p->named_ns);
	if (!p->owner_known)
		return false;
	*out = p->owner;
	return true;
}

/* ---- side-band records -------------------------------------------------- */

void procmap_mmap(struct procmap *pm, const struct pipeline_mmap *m)
{
	struct proc *p = proc_get(pm, m->pid, true);
	bool first = !p->named_ns && !p->owner_known;

	if (p->exit_seq) {
		proc_reset(pm, p);
		first = true;
	}
	proc_add_mmap(pm, p, m);
	if (first) {
		p->named_ns = m->time;
		owner_look(pm, m->pid, p, m->time);
	}
}

void procmap_fork(struct procmap *pm, uint32_t pid, uint32_t ppid, uint64_t time)
{
	struct proc *parent, *child;
	size_t i;

	if (pid == ppid)
		return; /* a new thread: same address space */
	proc_loaded(pm, ppid);
	child = proc_get(pm, pid, true);
	parent = proc_get(pm, ppid, false); /* proc_get may have moved the array */
	proc_reset(pm, child);
	if (parent->len > child->cap) {
		child->cap = parent->len;
		child->maps = xreallocarray(child->maps, child->cap, sizeof(*child->maps));
	}
	for (i = 0; i < parent->len; i++) {
		child->maps[i] = parent->maps[i];
		module_ref(child->maps[i].mod);
	}
	child->len = parent->len;
	child->loaded = true;
	/*
	 * A fork copies its parent's credentials and root: the child is its
	 * parent's user until it is looked up (it may be gone by then). It
	 * knows itself by its own pid where the parent did.
	 */
	child->named_ns = time;
	if (!parent->owner_known)
		owner_look(pm, ppid, parent, parent->named_ns);
	if (parent->owner_known) {
		child->owner = parent->owner;
		child->owner.ns_pid = parent->owner.ns_pid == ppid ? pid : 0;
		child->owner_known = true;
	}
}

void procmap_exec(struct procmap *pm, uint32_t pid, uint64_t time)
{
	struct proc *p = proc_get(pm, pid, true);
	struct procmap_owner owner = p->owner;
	bool known = p->owner_known && !p->exit_seq;
	uint64_t ticks = p->start_ticks, named = p->named_ns;

	proc_reset(pm, p);
	p->loaded = true;
	/* The same process: only a set-user-ID program changes its user, which the look tells. */
	if (known) {
		p->owner = owner;
		p->owner_known = true;
		p->start_ticks = ticks;
		p->named_ns = named;
	} else {
		p->named_ns = time;
	}
	owner_look(pm, pid, p, p->named_ns);
}

void procmap_exit(struct procmap *pm, uint32_t pid)
{
	struct proc *p;
	uint32_t idx;

	if (!u64map_get(&pm->proc_index, (uint64_t)pid + 1, &idx))
		return;
	p = pm->procs[idx];
	if (!p || p->exit_seq)
		return;
	p->exit_seq = ++pm->exit_seq;
	p->gone = true;

	/* The exit PROCMAP_EXITED_KEEP exits ago is now final, unless that pid came back. */
	if (pm->exited[pm->exited_next].seq) {
		uint32_t old = pm->exited[pm->exited_next].idx;
		struct proc *oldest = pm->procs[old];

		if (oldest && oldest->exit_seq == pm->exited[pm->exited_next].seq) {
			proc_free(pm, oldest);
			pm->procs[old] = NULL;
		}
	}
	pm->exited[pm->exited_next].idx = idx;
	pm->exited[pm->exited_next].seq = p->exit_seq;
	pm->exited_next = (pm->exited_next + 1) % PROCMAP_EXITED_KEEP;
}

/*
 * Asks the kernel (PROCMAP_QUERY) which mapping of `pid` covers q->query_addr,
 * on its maps file, kept open while the questions are about one process;
 * at most PROCMAP_PROBES_MAX questions per process in a rescan interval.
 * 0 with `q` filled, -ENOENT when nothing covers it, -EAGAIN when this
 * interval's questions are spent, -ESRCH when the maps file cannot be
 * opened (the process is gone, or not ours to look at), or another -errno
 * when the kernel cannot say (pm->no_query is set when it never will).
 */
static int query(struct procmap *pm, uint32_t pid, struct proc *p, uint64_t now,
		 struct procmap_query_v1 *q)
{
	char path[64];
	int err;

	if (pm->no_query)
		return -ENOTTY;
	if (now - p->probed_ns >= pm->rescan_ns || p->probed_ns == 0) {
		p->probed_ns = now;
		p->probes = 0;
	}
	if (p->probes >= PROCMAP_PROBES_MAX)
		return -EAGAIN;
	p->probes++;
	if (pm->query_proc != p) {
		query_close(pm);
		snprintf(path, sizeof(path), "/proc/%" PRIu32 "/maps", pid);
		pm->query_fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (pm->query_fd < 0)
			return -ESRCH;
		pm->query_proc = p;
	}
	pm->st.queries++;
	if (ioctl(pm->query_fd, PROCMAP_QUERY_IOCTL, q) == 0)
		return 0;
	err = errno;
	if (err == ENOENT)
		return -ENOENT;
	if (err == ENOTTY || err == EINVAL || err == EOPNOTSUPP)
		pm->no_query = true; /* an older kernel: read the file on every miss */
	query_close(pm);
	return -err;
}

/*
 * Whether re-reading the maps of `pid` could find `addr`: false only when
 * the kernel says no mapping covers it (or this interval's queries are
 * spent); true when it does, or cannot say.
 */
static bool worth_rescan(struct procmap *pm, uint32_t pid, struct proc *p, uint64_t now,
			 uint64_t addr)
{
	struct procmap_query_v1 q = { .size = sizeof(q), .query_addr = addr };
	int ret;

	if (!pm->live)
		return true;
	ret = query(pm, pid, p, now, &q);
	return ret != -ENOENT && ret != -EAGAIN;
}

/*
 * The mapping covering `addr` in a process whose maps file was too large
 * to read whole: asked of the kernel alone (PROCMAP_QUERY, with its path),
 * added to what we know, and returned; NULL when the kernel cannot say.
 */
static const struct procmap_map *query_map(struct procmap *pm, uint32_t pid, struct proc *p,
					   uint64_t now, uint64_t addr)
{
	char name[PATH_MAX];
	struct procmap_query_v1 q = {
		.size = sizeof(q),
		.query_addr = addr,
		.vma_name_size = sizeof(name),
		.vma_name_addr = (uint64_t)(uintptr_t)name,
	};
	struct pipeline_mmap m;

	if (!pm->live || query(pm, pid, p, now, &q) < 0 || q.vma_end <= q.vma_start)
		return NULL;
	memset(&m, 0, sizeof(m));
	m.pid = m.tid = pid;
	m.start = q.vma_start;
	m.len = q.vma_end - q.vma_start;
	m.pgoff = q.vma_offset;
	m.maj = q.dev_major;
	m.min = q.dev_minor;
	m.ino = q.inode;
	m.prot = (q.vma_flags & PROCMAP_QUERY_READABLE ? PROT_READ : 0) |
		 (q.vma_flags & PROCMAP_QUERY_WRITABLE ? PROT_WRITE : 0) |
		 (q.vma_flags & PROCMAP_QUERY_EXECUTABLE ? PROT_EXEC : 0);
	m.flags = q.vma_flags & PROCMAP_QUERY_SHARED ? MAP_SHARED : MAP_PRIVATE;
	/* vma_name_size counts the NUL; 0 for an anonymous mapping. */
	name[q.vma_name_size && q.vma_name_size <= sizeof(name) ? q.vma_name_size - 1 : 0] = '\0';
	m.filename = name;
	proc_add_mmap(pm, p, &m);
	return map_find(p, addr);
}

const struct procmap_map *procmap_find(struct procmap *pm, uint32_t pid, uint64_t addr)
{
	struct proc *p = proc_loaded(pm, pid);
	const struct procmap_map *map = map_find(p, addr);
	uint64_t now;

	if (map || p->gone)
		return map;
	now = util_now_ns();
	if (p->capped)
		return query_map(pm, pid, p, now, addr);
	if (now - p->scanned_ns >= pm->rescan_ns && worth_rescan(pm, pid, p, now, addr) &&
	    proc_scan(pm, pid, p) == 0)
		map = map_find(p, addr);
	return map;
}

size_t procmap_maps(struct procmap *pm, uint32_t pid, const struct procmap_map **maps)
{
	struct proc *p = proc_loaded(pm, pid);

	*maps = p->maps;
	return p->len;
}

uint64_t procmap_generation(struct procmap *pm, uint32_t pid)
{
	struct proc *p = proc_get(pm, pid, false);

	return p ? p->gen : 0;
}

uint64_t procmap_incarnation(struct procmap *pm, uint32_t pid)
{
	struct proc *p = proc_get(pm, pid, false);

	return p ? p->born : 0;
}

/* ---- opening a module's file ------------------------------------------- */

enum verdict {
	VERDICT_NO, /* not the mapped file */
	VERDICT_MAYBE, /* another inode, no build id to tell: overlayfs, or a copy */
	VERDICT_YES, /* the same build id, or the same inode */
};

/*
 * Whether the build id of the open `f` stands for its contents: the file
 * belongs to a trusted user and no one else may write it.
 */
static bool vouches(const struct procmap_file *f)
{
	return ft_uid_trusted((uid_t)f->uid) && !(f->mode & (S_IWGRP | S_IWOTH));
}

/* Whether the open `f` is the file of `mod` (reading its build id). */
static enum verdict judge(const struct procmap_module *mod, struct procmap_file *f, uint8_t id[20],
			  uint8_t *id_size)
{
	bool inode_known = mod->maj || mod->min || mod->ino;

	*id_size = procmap_file_build_id(f, id);
	if (mod->build_id_size && *id_size) {
		/* Both known: the build id decides. */
		if (*id_size != mod->build_id_size || memcmp(id, mod->build_id, *id_size) != 0)
			return VERDICT_NO;
		return VERDICT_YES;
	}
	if (!inode_known)
		return VERDICT_YES;
	if (f->ino == mod->ino && f->dev == (uint64_t)makedev(mod->maj, mod->min))
		return VERDICT_YES;
	return VERDICT_MAYBE;
}

/*
 * Keeps refusal `err` in `out`, saying the module's `path` where it names
 * `opened` (a /proc/PID/map_files link, NULL: none) instead.
 */
static void name_refusal(struct ft_error *out, const struct ft_error *err, const char *opened,
			 const char *path)
{
	size_t n = opened ? strlen(opened) : 0;

	if (n && strncmp(err->msg, opened, n) == 0)
		error_set(out, "%s%s", path, err->msg + n);
	else
		memcpy(out, err, sizeof(*err));
}

int procmap_open(struct procmap *pm, struct procmap_module *pub, uint32_t pid,
		 const struct procmap_map *map, struct procmap_file *f)
{
	struct module *mod = module_of(pub);
	struct procmap_file cand, maybe = { .fd = -1, .root = -1 };
	uint8_t id[20], maybe_id[20], id_size, maybe_id_size = 0;
	struct ft_error err, refusal = { { 0 }, 0, 0 };
	char *path = procmap_module_path(pub), mf[96];
	int root = -1, i, ret = -ENOENT;
	bool found = false;
	uint64_t now;

	memset(f, 0, sizeof(*f));
	f->fd = f->root = -1;
	if (pub->kind != PROCMAP_FILE) {
		free(path);
		return -EINVAL;
	}
	/* One budget for the module, not one per candidate or consumer: a
	 * consumer that comes after another spent it reads nothing. */
	now = util_now_ns();
	if (!mod->deadline_ns || (mod->renew && now > mod->deadline_ns))
		mod->deadline_ns = now + PROCMAP_MODULE_BUDGET_NS;
	mod->renew = false;
	if (pm->live && pid) {
		snprintf(mf, sizeof(mf), "/proc/%" PRIu32 "/root", pid);
		root = open(mf, O_PATH | O_DIRECTORY | O_CLOEXEC);
	}
	for (i = 0; i < 3 && !found; i++) {
		bool strict = false;
		enum verdict v;
		int r;

		if (i == 0) {
			if (!pm->live || !pid || !map)
				continue;
			snprintf(mf, sizeof(mf), "/proc/%" PRIu32 "/map_files/%" PRIx64 "-%" PRIx64,
				 pid, map->start, map->end);
			r = procmap_file_open_as(&cand, pid, AT_FDCWD, mf, PROCMAP_FILE_FOLLOW, &err);
		} else if (i == 1) {
			if (root < 0)
				continue;
			r = procmap_file_open_as(&cand, pid, root, path, PROCMAP_FILE_IN_ROOT, &err);
		} else {
			/* The path as this machine sees it: for recorded data, or a
			 * process gone (then it must be the very file). */
			if (root >= 0)
				continue;
			strict = pm->live;
			r = procmap_file_open(&cand, AT_FDCWD, path, 0, &err);
		}
		if (r < 0) {
			if (r == -EPERM && !refusal.msg[0])
				name_refusal(&refusal, &err, i == 0 ? mf : NULL, path);
			continue;
		}
		cand.deadline_ns = mod->deadline_ns;
		cand.stop = pm->stop;
		cand.stop_ctx = pm->stop_ctx;
		v = judge(pub, &cand, id, &id_size);
		if (v == VERDICT_YES || (v == VERDICT_MAYBE && !strict && i == 0)) {
			found = true;
		} else if (v == VERDICT_MAYBE && !strict && maybe.fd < 0) {
			maybe = cand;
			maybe_id_size = id_size;
			memcpy(maybe_id, id, sizeof(id));
			continue;
		} else {
			if (v == VERDICT_NO)
				ret = -ESTALE;
			procmap_file_close(&cand);
			continue;
		}
	}
	if (!found && maybe.fd >= 0) {
		cand = maybe;
		id_size = maybe_id_size;
		memcpy(id, maybe_id, sizeof(id));
		maybe.fd = -1;
		found = true;
	}
	procmap_file_close(&maybe);
	if (found) {
		*f = cand;
		f->root = root;
		root = -1;
		if (!pub->build_id_size && id_size) {
			memcpy(pub->build_id, id, id_size);
			pub->build_id_size = id_size;
			pub->trusted = vouches(f);
		}
		ret = 0;
	} else if (refusal.msg[0]) {
		ret = -EPERM;
		pm->st.refused++;
		if (!mod->told) {
			mod->told = true;
			procmap_say(pm, "%s; its frames are named module+0xOFFSET", refusal.msg);
		}
	}
	if (root >= 0)
		close(root);
	free(path);
	return ret;
}

void *procmap_module_data(struct procmap *pm, struct procmap_module *pub, int slot, uint32_t pid,
			  const struct procmap_map *map)
{
	struct module *m = module_of(pub);
	struct slot *s = &pm->slots[slot];
	struct procmap_file file, *fp = NULL;
	struct datum *d = NULL;
	size_t cost = 0;
	char *ident = NULL;
	uint64_t hash;
	void *data;

	if (m->slots[slot].d) {
		datum_touch(pm, m->slots[slot].d);
		return m->slots[slot].d->data;
	}
	if (m->slots[slot].tried || !s->ops)
		return NULL;
	m->slots[slot].tried = true;
	if (pub->kind != PROCMAP_FILE && pub->kind != PROCMAP_VDSO)
		return NULL;
	if (pub->kind == PROCMAP_FILE && !pub->build_id_size) {
		/* The file says who it is (its build id) before the data is looked for. */
		if (procmap_open(pm, pub, pid, map, &file) < 0)
			goto out_interrupted;
		fp = &file;
	}
	ident = ident_of(pub);
	hash = util_hash_bytes(ident, strlen(ident));
	d = slot_find(s, ident, hash);
	if (!d) {
		if (pub->kind == PROCMAP_FILE && !fp) {
			if (procmap_open(pm, pub, pid, map, &file) < 0)
				goto out_interrupted;
			fp = &file;
		}
		data = s->ops->load(s->ctx, pm, pub, fp, &cost);
		if (!data)
			goto out_interrupted;
		d = slot_add(pm, slot, ident, hash, data, cost);
	}
	datum_use(s, d);
	datum_touch(pm, d);
	m->slots[slot].d = d;
	goto out;
out_interrupted:
	/* Given up for the interrupt: asked again, read again. */
	if (procmap_interrupted(pm)) {
		m->slots[slot].tried = false;
		m->renew = true;
	}
out:
	if (fp)
		procmap_file_close(fp);
	free(ident);
	return d ? d->data : NULL;
}

void *procmap_module_peek(const struct procmap_module *pub, int slot)
{
	const struct module *m = module_of(pub);

	return m->slots[slot].d ? m->slots[slot].d->data : NULL;
}

void procmap_module_data_cost(struct procmap *pm, struct procmap_module *pub, int slot, size_t cost)
{
	struct datum *d = module_of(pub)->slots[slot].d;
	struct slot *s = &pm->slots[slot];

	if (!d)
		return;
	/* In use by `mod`, so not parked: only the slot's total changes. */
	s->bytes = s->bytes - d->cost + cost;
	d->cost = cost;
}

void procmap_stats(const struct procmap *pm, struct procmap_stats *st)
{
	size_t i;

	*st = pm->st;
	st->modules = pm->nmodules;
	st->processes = 0;
	for (i = 0; i < pm->nprocs; i++)
		st->processes += pm->procs[i] != NULL;
	st->parked = st->bytes = st->parked_bytes = 0;
	for (i = 0; i < PROCMAP_SLOTS; i++) {
		st->parked += pm->slots[i].parked;
		st->bytes += pm->slots[i].bytes;
		st->parked_bytes += pm->slots[i].parked_bytes;
	}
}

void procmap_free(struct procmap *pm)
{
	size_t i;

	if (!pm)
		return;
	for (i = 0; i < pm->nprocs; i++)
		proc_free(pm, pm->procs[i]);
	query_close(pm);
	free(pm->procs);
	u64map_free(&pm->proc_index);
	for (i = 0; i < PROCMAP_SLOTS; i++)
		procmap_unregister(pm, (int)i);
	free(pm->buckets);
	free(pm);
}
