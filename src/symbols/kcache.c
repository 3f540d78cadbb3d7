/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's text symbols kept between runs (issue 14). The kernel
 * formats /proc/kallsyms as it is read, over 100,000 lines, and that takes
 * it some 50 ms of CPU: more than a 10 s system-wide recording costs
 * otherwise. Those symbols change only with the boot and with the modules
 * loaded, so the first run that reads them writes the table it made to
 * DIR/kallsyms (/run/flametop: root's, emptied at every boot), and later
 * runs read it back instead, a few milliseconds.
 *
 * The file holds a key, and is used only when the key is what the
 * machine says now:
 *   boot BOOT_ID            /proc/sys/kernel/random/boot_id: a new boot
 *                           is a new kernel, or the same at new addresses;
 *   head LINE               the first line of /proc/kallsyms, read anyway
 *                           (a page of it, a few microseconds): the
 *                           kernel's address and whether it shows
 *                           addresses to us now (kptr_restrict);
 *   module NAME BASE END ID each module of /proc/modules, with its build id
 *                           (/sys/module/NAME/notes/.note.gnu.build-id,
 *                           "-" when it has none): a module loaded,
 *                           unloaded, or rebuilt and loaded again.
 * Only the symbols of the core kernel and of those modules are kept: the
 * ones kallsyms lists under a module it does not know (BPF programs, ftrace
 * and kprobe trampolines, "[bpf]", "[__builtin__ftrace]") come and go
 * within a boot. An address that none of the kept ones covers makes the
 * caller read kallsyms itself (kernel.c), as a run without the cache does.
 *
 * The directory and the file are trusted only when they are ours (the
 * owner is the effective user, root where kernel.c uses them), not
 * writable by group or others, and the file is a regular file reached
 * without a symbolic link, at most KCACHE_MAX_BYTES. Its contents are
 * checked whole before use (every size, every name inside the names,
 * the symbols sorted and apart), and anything else is no cache: the
 * caller reads kallsyms and writes a new one. A new file is written
 * under another name and renamed over the old one, so that a reader
 * never sees half of one, nor a file it mapped change: a reader maps the
 * file read-only and uses its symbols where they lie, which spares
 * copying them into fresh memory (6 MB, more than the rest of reading it).
 *
 * Layout, in the machine's byte order (the file never leaves it):
 *   header   struct kcache_header
 *   key      key_len bytes
 *   modules  nmods records: u64 base, u64 end, u16 name length, name
 *            ("[kernel.kallsyms]" first), mods_len bytes in all
 *   padding  zeros, up to a multiple of 8 bytes from the start
 *   symbols  nsyms struct symbols_sym, sorted, as symbols_table_finish()
 *            leaves them
 *   names    names_len bytes, NUL-terminated names back to back
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define KCACHE_FILE "kallsyms"
#define KCACHE_MAGIC "FTKSYMS1"
/* Caps on what a cache may hold: far above any kernel's. */
#define KCACHE_MAX_BYTES ((uint64_t)256 << 20)
#define KCACHE_KEY_MAX ((size_t)1 << 20)
#define KCACHE_MODS_MAX ((size_t)16 << 20)
#define KCACHE_NAME_MAX 256
/* A module's build id note: a few dozen bytes. */
#define BUILD_ID_MAX 256

/* Bytes being put together: the key, the module records. */
struct bytes {
	char *p;
	size_t len, cap;
};

static void bytes_add(struct bytes *b, const void *src, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, src, n);
	b->len += n;
}

/* Adds the NUL-terminated `s`. */
static void bytes_str(struct bytes *b, const char *s)
{
	bytes_add(b, s, strlen(s));
}

struct kcache_header {
	char magic[8];
	uint32_t key_len, nmods;
	uint64_t nsyms, names_len, mods_len;
};

_Static_assert(sizeof(struct symbols_sym) == 24, "the cache's symbols are 24 bytes each");

/* Reads up to `size` bytes of the small file `path`; the count, or -1. */
static ssize_t read_small(const char *path, char *buf, size_t size)
{
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

	if (fd < 0)
		return -1;
	do
		r = read(fd, buf, size);
	while (r < 0 && errno == EINTR);
	close(fd);
	return r;
}

/* Appends a module's build id, in hex, or "-" when it has none. */
static void add_build_id(struct bytes *key, const char *sys_module, const char *name,
			 size_t len)
{
	unsigned char note[BUILD_ID_MAX];
	char path[4096];
	ssize_t n = -1, i;

	/* A module's name is no path: anything else has no build id to read. */
	if (sys_module && len > 0 && !memchr(name, '/', len) && !(len <= 2 && name[0] == '.') &&
	    (size_t)snprintf(path, sizeof(path), "%s/%.*s/notes/.note.gnu.build-id", sys_module,
			     (int)len, name) < sizeof(path))
		n = read_small(path, (char *)note, sizeof(note));
	if (n <= 0) {
		bytes_add(key, "-", 1);
		return;
	}
	for (i = 0; i < n; i++) {
		char hex[2] = { "0123456789abcdef"[note[i] >> 4], "0123456789abcdef"[note[i] & 15] };

		bytes_add(key, hex, 2);
	}
}

char *kcache_key(const struct symbols_kcache *c, const char *head, size_t head_len,
		 const struct kernel_module *mods, size_t nmods, size_t *len)
{
	struct bytes key = { NULL, 0, 0 };
	char boot[64], bounds[48];
	ssize_t n = read_small(c->boot_id, boot, sizeof(boot));
	size_t i;

	if (n <= 0 || head_len == 0)
		return NULL;
	while (n > 0 && boot[n - 1] == '\n')
		n--;
	bytes_str(&key, "boot ");
	bytes_add(&key, boot, (size_t)n);
	bytes_str(&key, "\nhead ");
	bytes_add(&key, head, head_len);
	bytes_str(&key, "\n");
	for (i = 1; i < nmods; i++) {
		const char *name = mods[i].name + 1; /* "[ext4]" */
		size_t name_len = strlen(name) - 1;

		if (!mods[i].end)
			continue;
		snprintf(bounds, sizeof(bounds), " %llx %llx ", (unsigned long long)mods[i].base,
			 (unsigned long long)mods[i].end);
		bytes_str(&key, "module ");
		bytes_add(&key, name, name_len);
		bytes_str(&key, bounds);
		add_build_id(&key, c->sys_module, name, name_len);
		bytes_add(&key, "\n", 1);
	}
	*len = key.len;
	return key.p;
}

/* Whether the open file or directory `fd` is ours and only ours to write. */
static bool ours(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && st.st_uid == geteuid() && (st.st_mode & 022) == 0;
}

/* The cache's directory, opened; made first (mode 0700) when `make`. -1: none to use. */
static int open_dir(const struct symbols_kcache *c, bool make)
{
	int fd = open(c->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT && make) {
		if (mkdir(c->dir, 0700) < 0 && errno != EEXIST)
			return -1;
		fd = open(c->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd >= 0 && !ours(fd)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* Where the symbols start: after the header, key and module records, on 8 bytes. */
static uint64_t syms_offset(uint64_t key_len, uint64_t mods_len)
{
	return (sizeof(struct kcache_header) + key_len + mods_len + 7) & ~(uint64_t)7;
}

static void free_mods(struct kernel_module *mods, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(mods[i].name);
	free(mods);
}

/* Parses the module records in buf[0, len), `n` of them; NULL when they are not well formed. */
static struct kernel_module *parse_mods(const unsigned char *buf, size_t len, size_t n)
{
	struct kernel_module *mods = xcalloc(n, sizeof(*mods));
	size_t i, at = 0;

	for (i = 0; i < n; i++) {
		uint16_t name_len;
		const char *name;

		if (len - at < 18)
			goto bad;
		memcpy(&mods[i].base, buf + at, 8);
		memcpy(&mods[i].end, buf + at + 8, 8);
		memcpy(&name_len, buf + at + 16, 2);
		at += 18;
		name = (const char *)buf + at;
		if (name_len < 3 || name_len > KCACHE_NAME_MAX || len - at < name_len ||
		    name[0] != '[' || name[name_len - 1] != ']' || memchr(name, '\0', name_len))
			goto bad;
		mods[i].name = xstrndup(name, name_len);
		at += name_len;
	}
	if (at != len || strcmp(mods[0].name, SYMBOLS_KERNEL_CORE) != 0)
		goto bad;
	return mods;
bad:
	free_mods(mods, n);
	return NULL;
}

/* Whether the symbols are what a finished kernel table holds, over `names` and `nmods`. */
static bool syms_valid(const struct symbols_sym *syms, size_t n, const char *names,
		       size_t names_len, size_t nmods)
{
	size_t i;

	if (names_len == 0 || names[names_len - 1] != '\0')
		return false;
	for (i = 0; i < n; i++) {
		const struct symbols_sym *s = &syms[i];

		if (s->start >= s->end || s->name >= names_len || s->module >= nmods)
			return false;
		if (i > 0 && syms[i - 1].end > s->start)
			return false;
	}
	return true;
}

bool kcache_load(const struct symbols_kcache *c, const char *key, size_t key_len,
		 struct symbols_table *t, struct kernel_module **mods_out, size_t *nmods_out)
{
	const struct symbols_sym *syms;
	struct kernel_module *mods;
	struct kcache_header h;
	const char *names;
	uint64_t at;
	struct stat st;
	size_t size;
	char *map;
	int dir, fd;

	dir = open_dir(c, false);
	if (dir < 0)
		return false;
	fd = ft_open_regular_at(dir, KCACHE_FILE, O_NOFOLLOW, KCACHE_MAX_BYTES, &st);
	close(dir);
	if (fd < 0)
		return false;
	size = (size_t)st.st_size;
	map = ours(fd) && size >= sizeof(h)
		      ? mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0)
		      : MAP_FAILED;
	close(fd);
	if (map == MAP_FAILED)
		return false;
	memcpy(&h, map, sizeof(h));
	if (memcmp(h.magic, KCACHE_MAGIC, sizeof(h.magic)) != 0 || h.key_len != key_len ||
	    h.nmods == 0 || h.nmods > UINT16_MAX || h.mods_len > KCACHE_MODS_MAX ||
	    h.nsyms > KCACHE_MAX_BYTES / sizeof(*syms) || h.names_len > KCACHE_MAX_BYTES ||
	    h.names_len > UINT32_MAX)
		goto bad;
	at = syms_offset(key_len, h.mods_len);
	if (at + h.nsyms * sizeof(*syms) + h.names_len != size ||
	    memcmp(map + sizeof(h), key, key_len) != 0)
		goto bad;
	mods = parse_mods((const unsigned char *)map + sizeof(h) + key_len, h.mods_len, h.nmods);
	if (!mods)
		goto bad;
	syms = (const struct symbols_sym *)(map + at);
	names = map + at + h.nsyms * sizeof(*syms);
	if (!syms_valid(syms, h.nsyms, names, h.names_len, h.nmods)) {
		free_mods(mods, h.nmods);
		goto bad;
	}
	symbols_table_adopt(t, syms, h.nsyms, names, h.names_len, map, size);
	*mods_out = mods;
	*nmods_out = h.nmods;
	return true;
bad:
	munmap(map, size);
	return false;
}

/* Writes all of buf[0, len) to `fd`. */
static bool write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		len -= (size_t)w;
	}
	return true;
}

/* Whether symbol `s` is one the cache keeps: the core kernel's, or a module's that has bounds. */
static bool kept(const struct symbols_sym *s, const struct kernel_module *mods)
{
	return s->module == 0 || mods[s->module].end != 0;
}

void kcache_store(const struct symbols_kcache *c, const char *key, size_t key_len,
		  const struct symbols_table *t, const struct kernel_module *mods, size_t nmods)
{
	struct kcache_header h;
	struct bytes rec = { NULL, 0, 0 };
	struct symbols_sym *syms;
	char *names, tmp[64];
	size_t i, n = 0, names_len = 0;
	int dir, fd = -1;
	bool ok;

	if (nmods == 0 || nmods > UINT16_MAX || key_len > KCACHE_KEY_MAX)
		return;
	for (i = 0; i < t->len; i++) {
		if (kept(&t->syms[i], mods)) {
			n++;
			names_len += strlen(symbols_table_name(t, &t->syms[i])) + 1;
		}
	}
	if (n == 0 || names_len > UINT32_MAX)
		return;
	dir = open_dir(c, true);
	if (dir < 0)
		return;
	syms = xmalloc(n * sizeof(*syms));
	names = xmalloc(names_len);
	n = names_len = 0;
	for (i = 0; i < t->len; i++) {
		const char *name = symbols_table_name(t, &t->syms[i]);
		size_t len = strlen(name) + 1;

		if (!kept(&t->syms[i], mods))
			continue;
		syms[n] = t->syms[i];
		syms[n].name = (uint32_t)names_len;
		memcpy(names + names_len, name, len);
		names_len += len;
		n++;
	}
	for (i = 0; i < nmods; i++) {
		uint16_t name_len = (uint16_t)strlen(mods[i].name);

		bytes_add(&rec, &mods[i].base, 8);
		bytes_add(&rec, &mods[i].end, 8);
		bytes_add(&rec, &name_len, 2);
		bytes_add(&rec, mods[i].name, name_len);
	}
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, KCACHE_MAGIC, sizeof(h.magic));
	h.key_len = (uint32_t)key_len;
	h.nmods = (uint32_t)nmods;
	h.nsyms = n;
	h.names_len = names_len;
	h.mods_len = rec.len;
	/* The symbols on 8 bytes, for a reader that maps the file. */
	while (syms_offset(key_len, rec.len) != sizeof(h) + key_len + rec.len)
		bytes_add(&rec, "", 1);
	snprintf(tmp, sizeof(tmp), "%s.%ld", KCACHE_FILE, (long)getpid());
	for (i = 0; i < 2 && fd < 0; i++) {
		fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && (errno != EEXIST || unlinkat(dir, tmp, 0) < 0))
			break;
	}
	if (fd >= 0) {
		ok = write_all(fd, &h, sizeof(h)) && write_all(fd, key, key_len) &&
		     write_all(fd, rec.p, rec.len) && write_all(fd, syms, n * sizeof(*syms)) &&
		     write_all(fd, names, names_len);
		ok = close(fd) == 0 && ok;
		if (!ok || renameat(dir, tmp, dir, KCACHE_FILE) < 0)
			unlinkat(dir, tmp, 0);
	}
	close(dir);
	free(rec.p);
	free(syms);
	free(names);
}
