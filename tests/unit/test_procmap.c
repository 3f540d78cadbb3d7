/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for the process-map layer: the /proc/PID/maps line parser,
 * module identity (one module per identity; a file named by device and
 * inode and the same file named by build id share their data once the
 * file has been opened), reference counting (a module goes with its last
 * mapping, its data is parked and reused, parked data is bounded), the
 * lifecycle of processes (fork, exec, the late-exit grace), and the
 * hostile-file rules: a FIFO, a device, a directory or a final symbolic
 * link is refused without blocking, a path inside a container root never
 * leaves it (with openat2 and with the component walk), a forged ELF
 * header is refused before a library sees it.
 */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "flametop/procmap.h"
#include "flametop/util.h"

#include "internal.h"

/* Far above any pid_max: /proc never has these. */
#define FAKE_PID 0x7ffff000u
#define FAKE_CHILD 0x7ffff001u

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *temp_dir(void)
{
	char *dir = xstrdup("/tmp/test_procmap.XXXXXX");

	assert_non_null(mkdtemp(dir));
	return dir;
}

static void rm_tree(char *dir)
{
	sh("rm -rf '%s'", dir);
	free(dir);
}

static const char *self_exe(void)
{
	static char path[4096];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);

	assert_true(n > 0);
	path[n] = '\0';
	return path;
}

/* An MMAP2-like record of `path` (device and inode from stat) in `pid`. */
static void file_record(struct pipeline_mmap *m, uint32_t pid, uint64_t start, const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	memset(m, 0, sizeof(*m));
	m->pid = m->tid = pid;
	m->start = start;
	m->len = 0x10000;
	m->prot = PROT_READ | PROT_EXEC;
	m->maj = major(st.st_dev);
	m->min = minor(st.st_dev);
	m->ino = st.st_ino;
	m->filename = path;
}

static void test_parse_line(void **state)
{
	struct pipeline_mmap m;
	char ok[] = "7f12a000-7f12b000 r-xp 00003000 fe:01 123456     /usr/lib/lib with space.so\n";
	char deleted[] = "400000-401000 r--s 00000000 08:02 99 /tmp/x.so (deleted)";
	char heap[] = "55e0000-55f0000 rw-p 00000000 00:00 0                  [heap]";
	char anon[] = "7f000000-7f001000 rwxp 00000000 00:00 0 ";
	char garbage[] = "hello world";
	char backwards[] = "2000-1000 r-xp 00000000 00:00 0 /x";
	char short_perms[] = "1000-2000 r- 00000000 00:00 0 /x";

	(void)state;
	assert_int_equal(procmap_parse_line(ok, &m), 0);
	assert_int_equal(m.start, 0x7f12a000);
	assert_int_equal(m.len, 0x1000);
	assert_int_equal(m.pgoff, 0x3000);
	assert_int_equal(m.maj, 0xfe);
	assert_int_equal(m.min, 1);
	assert_int_equal(m.ino, 123456);
	assert_int_equal(m.prot, PROT_READ | PROT_EXEC);
	assert_int_equal(m.flags, MAP_PRIVATE);
	assert_string_equal(m.filename, "/usr/lib/lib with space.so");

	assert_int_equal(procmap_parse_line(deleted, &m), 0);
	assert_string_equal(m.filename, "/tmp/x.so (deleted)");
	assert_int_equal(m.flags, MAP_SHARED);
	assert_int_equal(m.prot, PROT_READ);

	assert_int_equal(procmap_parse_line(heap, &m), 0);
	assert_string_equal(m.filename, "[heap]");
	assert_int_equal(m.prot, PROT_READ | PROT_WRITE);

	assert_int_equal(procmap_parse_line(anon, &m), 0);
	assert_string_equal(m.filename, "");

	assert_int_equal(procmap_parse_line(garbage, &m), -EINVAL);
	assert_int_equal(procmap_parse_line(backwards, &m), -EINVAL);
	assert_int_equal(procmap_parse_line(short_perms, &m), -EINVAL);
}

/*
 * One module per identity; a module named by device and inode (an MMAP2
 * record, a maps line) learns its build id when opened, from the file.
 */
static void test_module_identity(void **state)
{
	struct procmap *pm = procmap_new();
	struct pipeline_mmap a, b;
	const struct procmap_map *ma, *mb;
	struct procmap_module *by_inode;
	struct procmap_file f;
	struct ft_error err;
	uint8_t id[20], n;

	(void)state;
	procmap_set_live(pm, false);
	assert_int_equal(procmap_file_open(&f, AT_FDCWD, self_exe(), 0, &err), 0);
	n = procmap_file_build_id(&f, id);
	procmap_file_close(&f);
	if (n == 0)
		skip(); /* linked without a build id */

	/* The same record twice: one module. */
	file_record(&a, FAKE_PID, 0x100000, self_exe());
	file_record(&b, FAKE_PID, 0x200000, self_exe());
	procmap_mmap(pm, &a);
	procmap_mmap(pm, &b);
	ma = procmap_find(pm, FAKE_PID, 0x100010);
	assert_non_null(ma);
	by_inode = ma->mod;
	mb = procmap_find(pm, FAKE_PID, 0x200010);
	assert_ptr_equal(mb->mod, by_inode);
	assert_int_equal(by_inode->kind, PROCMAP_FILE);
	assert_int_equal(by_inode->build_id_size, 0);

	/* Opened, the module knows its build id. */
	assert_int_equal(procmap_open(pm, by_inode, FAKE_PID, ma, &f), 0);
	procmap_file_close(&f);
	assert_int_equal(by_inode->build_id_size, n);
	assert_memory_equal(by_inode->build_id, id, n);

	/* Names without a path. */
	memset(&a, 0, sizeof(a));
	a.pid = FAKE_PID;
	a.start = 0x500000;
	a.len = 0x1000;
	a.filename = "//anon";
	procmap_mmap(pm, &a);
	assert_string_equal(procmap_find(pm, FAKE_PID, 0x500000)->mod->name, "[anon]");
	assert_int_equal(procmap_find(pm, FAKE_PID, 0x500000)->mod->kind, PROCMAP_ANON);
	/* A named anonymous mapping (PR_SET_VMA_ANON_NAME, V8's and ART's JIT
	 * code) as /proc/PID/maps shows it: anonymous, where a JIT map names
	 * code, and keeping its name. */
	a.filename = "[anon:v8 code]";
	procmap_mmap(pm, &a);
	assert_int_equal(procmap_find(pm, FAKE_PID, 0x500000)->mod->kind, PROCMAP_ANON);
	assert_string_equal(procmap_find(pm, FAKE_PID, 0x500000)->mod->name, "[anon:v8 code]");
	a.filename = "[anon_shmem:jit]";
	procmap_mmap(pm, &a);
	assert_int_equal(procmap_find(pm, FAKE_PID, 0x500000)->mod->kind, PROCMAP_ANON);
	a.filename = "[stack]";
	procmap_mmap(pm, &a);
	assert_int_equal(procmap_find(pm, FAKE_PID, 0x500000)->mod->kind, PROCMAP_SPECIAL);
	a.filename = "[vdso]";
	procmap_mmap(pm, &a);
	assert_int_equal(procmap_find(pm, FAKE_PID, 0x500000)->mod->kind, PROCMAP_VDSO);
	procmap_free(pm);
}

/* A consumer that counts what it loads and frees. */
static int loads, frees;

static void *count_load(void *ctx, struct procmap *pm, const struct procmap_module *mod,
			struct procmap_file *file, size_t *cost)
{
	loads++;
	*cost = 1000;
	return xstrdup(mod->name);
}

static void count_free(void *ctx, void *data)
{
	frees++;
	free(data);
}

static const struct procmap_consumer counter = {
	.name = "counter",
	.load = count_load,
	.free = count_free,
};

/*
 * Loads the counter's data for a module of `path` at `start` whose record
 * gives inode `ino`: another inode than the file's stands for a copy of
 * the file elsewhere (in another mount namespace) under the same path.
 */
static void load_as(struct procmap *pm, int slot, const char *path, uint64_t start, uint64_t ino)
{
	const struct procmap_map *map;
	struct pipeline_mmap m;

	file_record(&m, FAKE_PID, start, path);
	m.ino = ino;
	procmap_mmap(pm, &m);
	map = procmap_find(pm, FAKE_PID, start);
	assert_non_null(map);
	assert_non_null(procmap_module_data(pm, map->mod, slot, FAKE_PID, map));
}

/*
 * A build id is only bytes in a file: files of the same path and build id
 * share their data only when the file belongs to a trusted user and no
 * one else may write it. A user's copy of a library (under its path, in a
 * mount namespace of theirs) with its build id and their own symbols
 * must not name everyone's frames in that library.
 */
static void test_build_id_vouches(void **state)
{
	struct procmap *pm = procmap_new();
	char *dir = temp_dir(), *lib = xasprintf("%s/lib.so", dir);
	struct stat st;
	int slot;

	(void)state;
	if (geteuid() != 0) {
		rm_tree(dir);
		free(lib);
		skip(); /* giving the file to another user needs root */
	}
	procmap_set_live(pm, false);
	slot = procmap_register(pm, &counter, NULL);
	loads = 0;
	assert_int_equal(sh("cp '%s' '%s' && chmod 755 '%s'", self_exe(), lib, lib), 0);
	assert_int_equal(stat(lib, &st), 0);

	/* Root's file, and a copy of it elsewhere: one load. */
	load_as(pm, slot, lib, 0x100000, st.st_ino);
	load_as(pm, slot, lib, 0x200000, st.st_ino + 1);
	assert_int_equal(loads, 1);

	/* A user's file: each inode its own data. */
	procmap_free(pm);
	pm = procmap_new();
	procmap_set_live(pm, false);
	slot = procmap_register(pm, &counter, NULL);
	loads = 0;
	assert_int_equal(chown(lib, 65534, 65534), 0);
	load_as(pm, slot, lib, 0x100000, st.st_ino);
	load_as(pm, slot, lib, 0x200000, st.st_ino + 1);
	assert_int_equal(loads, 2);

	/* Root's file that anyone may write: the same. */
	procmap_free(pm);
	pm = procmap_new();
	procmap_set_live(pm, false);
	slot = procmap_register(pm, &counter, NULL);
	loads = 0;
	assert_int_equal(chown(lib, 0, 0), 0);
	assert_int_equal(chmod(lib, 0757), 0);
	load_as(pm, slot, lib, 0x100000, st.st_ino);
	load_as(pm, slot, lib, 0x200000, st.st_ino + 1);
	assert_int_equal(loads, 2);

	procmap_free(pm);
	free(lib);
	rm_tree(dir);
}

/*
 * Data is loaded once per identity and shared; a module goes with its last
 * mapping; its data is parked and found again; parked data is bounded.
 */
static void test_lifetimes(void **state)
{
	struct procmap *pm = procmap_new();
	char *dir = temp_dir(), *copy = xasprintf("%s/bin", dir);
	struct procmap_stats st;
	struct pipeline_mmap m;
	const struct procmap_map *map;
	void *data;
	int slot, i;
	uint64_t gen;

	(void)state;
	procmap_set_live(pm, false);
	slot = procmap_register(pm, &counter, NULL);
	assert_true(slot >= 0);
	loads = frees = 0;

	/* Two processes map one file: one load. */
	file_record(&m, FAKE_PID, 0x100000, self_exe());
	procmap_mmap(pm, &m);
	procmap_fork(pm, FAKE_CHILD, FAKE_PID, 0);
	map = procmap_find(pm, FAKE_PID, 0x100000);
	data = procmap_module_data(pm, map->mod, slot, FAKE_PID, map);
	assert_non_null(data);
	map = procmap_find(pm, FAKE_CHILD, 0x100000);
	assert_ptr_equal(procmap_module_data(pm, map->mod, slot, FAKE_CHILD, map), data);
	assert_ptr_equal(procmap_module_peek(map->mod, slot), data);
	assert_int_equal(loads, 1);

	/* exec empties one process, not the other; the generation moves. */
	gen = procmap_generation(pm, FAKE_CHILD);
	procmap_exec(pm, FAKE_CHILD, 0);
	assert_int_not_equal(procmap_generation(pm, FAKE_CHILD), gen);
	assert_null(procmap_find(pm, FAKE_CHILD, 0x100000));
	assert_non_null(procmap_find(pm, FAKE_PID, 0x100000));
	procmap_stats(pm, &st);
	assert_int_equal(st.modules, 1);

	/* The last mapping goes: the module too, its data parked. */
	m.start = 0x100000;
	m.filename = "//anon";
	m.maj = m.min = 0;
	m.ino = 0;
	procmap_mmap(pm, &m);
	procmap_stats(pm, &st);
	assert_int_equal(st.modules, 1); /* [anon] */
	assert_int_equal(st.modules_freed, 1);
	assert_int_equal(st.parked, 1);
	assert_int_equal(frees, 0);

	/* Mapped again by a new process: the parked data, no new load. */
	file_record(&m, FAKE_CHILD, 0x700000, self_exe());
	procmap_mmap(pm, &m);
	map = procmap_find(pm, FAKE_CHILD, 0x700000);
	assert_non_null(procmap_module_data(pm, map->mod, slot, FAKE_CHILD, map));
	assert_int_equal(loads, 1);
	procmap_stats(pm, &st);
	assert_int_equal(st.parked, 0);

	/* More files than may be parked: the oldest parked data is freed. */
	assert_int_equal(sh("cp '%s' '%s'", self_exe(), copy), 0);
	for (i = 0; i < PROCMAP_PARKED_MAX + 4; i++) {
		char *hard = xasprintf("%s/l%d", dir, i);

		assert_int_equal(link(copy, hard), 0);
		file_record(&m, FAKE_PID, 0x10000000ull + (uint64_t)i * 0x100000, hard);
		procmap_mmap(pm, &m);
		map = procmap_find(pm, FAKE_PID, m.start);
		assert_non_null(procmap_module_data(pm, map->mod, slot, FAKE_PID, map));
		free(hard);
	}
	assert_int_equal(loads, 1 + PROCMAP_PARKED_MAX + 4);
	procmap_exec(pm, FAKE_PID, 0);
	procmap_stats(pm, &st);
	assert_int_equal(st.parked, PROCMAP_PARKED_MAX);
	assert_int_equal(st.evicted, 4); /* the first links parked (the binary's is in use) */
	assert_int_equal(frees, 4);

	/* Unregistering frees the rest. */
	procmap_unregister(pm, slot);
	assert_int_equal(frees, loads);
	procmap_free(pm);
	free(copy);
	rm_tree(dir);
}

/*
 * Under a ceiling, a trim frees the data asked for longest ago, in use or
 * not, until under it, but none asked for since the trim before; the
 * modules whose data went load it again when asked.
 */
static void test_trim(void **state)
{
	enum { FILES = 5 };
	struct procmap *pm = procmap_new();
	char *dir = temp_dir(), *copy = xasprintf("%s/bin", dir);
	const struct procmap_map *map[FILES];
	struct procmap_stats st;
	struct pipeline_mmap m;
	void *kept[2];
	int slot, i;

	(void)state;
	procmap_set_live(pm, false);
	slot = procmap_register(pm, &counter, NULL);
	loads = frees = 0;
	procmap_set_data_limit(pm, 2500); /* two and a half of the counter's 1000 */
	assert_int_equal(sh("cp '%s' '%s'", self_exe(), copy), 0);
	for (i = 0; i < FILES; i++) {
		char *hard = xasprintf("%s/l%d", dir, i);

		assert_int_equal(link(copy, hard), 0);
		file_record(&m, FAKE_PID, 0x10000000ull + (uint64_t)i * 0x100000, hard);
		procmap_mmap(pm, &m);
		free(hard);
	}
	for (i = 0; i < FILES; i++) {
		map[i] = procmap_find(pm, FAKE_PID, 0x10000000ull + (uint64_t)i * 0x100000);
		assert_non_null(procmap_module_data(pm, map[i]->mod, slot, FAKE_PID, map[i]));
	}
	/* All asked for since the start: over the ceiling, none freed yet. */
	assert_int_equal(procmap_trim(pm), 0);
	procmap_stats(pm, &st);
	assert_int_equal(st.bytes, FILES * 1000);
	/* The last two asked for again; the first three were not since. */
	kept[0] = procmap_module_data(pm, map[3]->mod, slot, FAKE_PID, map[3]);
	kept[1] = procmap_module_data(pm, map[4]->mod, slot, FAKE_PID, map[4]);
	assert_int_equal(procmap_trim(pm), 3);
	procmap_stats(pm, &st);
	assert_true(st.bytes <= 2500);
	assert_int_equal(st.evicted, 3);
	assert_int_equal(frees, 3);
	assert_null(procmap_module_peek(map[0]->mod, slot));
	assert_ptr_equal(procmap_module_peek(map[3]->mod, slot), kept[0]);
	assert_ptr_equal(procmap_module_peek(map[4]->mod, slot), kept[1]);
	/* Asked for again: loaded again. */
	assert_non_null(procmap_module_data(pm, map[0]->mod, slot, FAKE_PID, map[0]));
	assert_int_equal(loads, FILES + 1);
	/* Over again: the older of the two not asked for since goes. */
	assert_int_equal(procmap_trim(pm), 1);
	assert_null(procmap_module_peek(map[3]->mod, slot));
	assert_ptr_equal(procmap_module_peek(map[4]->mod, slot), kept[1]);
	/* Under the ceiling, nothing is freed, however old. */
	assert_int_equal(procmap_trim(pm), 0);
	procmap_stats(pm, &st);
	assert_int_equal(st.bytes, 2000);
	procmap_unregister(pm, slot);
	assert_int_equal(frees, loads);
	procmap_free(pm);
	free(copy);
	rm_tree(dir);
}

/* A consumer that writes down what it frees, in order: "TAG:NAME " (its ctx is TAG). */
static char freed_log[256];

static void *named_load(void *ctx, struct procmap *pm, const struct procmap_module *mod,
			struct procmap_file *file, size_t *cost)
{
	const char *base = strrchr(mod->name, '/');

	*cost = 1000;
	return xasprintf("%s:%s", (const char *)ctx, base ? base + 1 : mod->name);
}

static void named_free(void *ctx, void *data)
{
	size_t len = strlen(freed_log);

	snprintf(freed_log + len, sizeof(freed_log) - len, "%s ", (const char *)data);
	free(data);
}

static const struct procmap_consumer namer = {
	.name = "namer",
	.load = named_load,
	.free = named_free,
};

#define ORDER_BASE 0x20000000ull
#define ORDER_STEP 0x100000ull

/* Asks slot `slot` for the data of the module mapped at file `i`'s place. */
static void *ask_at(struct procmap *pm, int slot, int i, bool load)
{
	const struct procmap_map *map = procmap_find(pm, FAKE_PID, ORDER_BASE + i * ORDER_STEP);

	assert_non_null(map);
	if (!load)
		return procmap_module_peek(map->mod, slot);
	return procmap_module_data(pm, map->mod, slot, FAKE_PID, map);
}

/*
 * A trim frees the data of every consumer in the order it was last asked
 * for, whatever the order it was loaded in, parked data (a module gone)
 * in its place among the data in use, and none asked for since the trim
 * before.
 */
static void test_trim_order(void **state)
{
	enum { FILES = 4 };
	static const struct {
		int slot, file;
	} asked[] = {
		{ 1, 2 }, { 0, 0 }, { 0, 3 }, { 1, 0 }, { 0, 1 }, { 1, 3 }, { 0, 2 }, { 1, 1 }
	};
	struct procmap *pm = procmap_new();
	char *dir = temp_dir(), *copy = xasprintf("%s/bin", dir);
	struct procmap_stats st;
	struct pipeline_mmap m;
	int slot[2], i;
	size_t k;

	(void)state;
	procmap_set_live(pm, false);
	slot[0] = procmap_register(pm, &namer, "a");
	slot[1] = procmap_register(pm, &namer, "b");
	freed_log[0] = '\0';
	assert_int_equal(sh("cp '%s' '%s'", self_exe(), copy), 0);
	for (i = 0; i < FILES; i++) {
		char *hard = xasprintf("%s/l%d", dir, i);

		assert_int_equal(link(copy, hard), 0);
		file_record(&m, FAKE_PID, ORDER_BASE + i * ORDER_STEP, hard);
		procmap_mmap(pm, &m);
		free(hard);
	}
	/* Loaded in file order, then asked for again in another. */
	for (i = 0; i < FILES; i++) {
		assert_non_null(ask_at(pm, slot[0], i, true));
		assert_non_null(ask_at(pm, slot[1], i, true));
	}
	for (k = 0; k < sizeof(asked) / sizeof(asked[0]); k++)
		assert_non_null(ask_at(pm, slot[asked[k].slot], asked[k].file, true));
	/* l1's mapping replaced: its data parked, where it was in the order. */
	file_record(&m, FAKE_PID, ORDER_BASE + 1 * ORDER_STEP, copy);
	procmap_mmap(pm, &m);
	procmap_stats(pm, &st);
	assert_int_equal(st.parked, 2);
	procmap_set_data_limit(pm, 3500);
	assert_int_equal(procmap_trim(pm), 0); /* all asked for since the start */
	assert_string_equal(freed_log, "");
	assert_int_equal(procmap_trim(pm), 5);
	assert_string_equal(freed_log, "b:l2 a:l0 a:l3 b:l0 a:l1 ");
	assert_non_null(ask_at(pm, slot[1], 3, false));
	assert_non_null(ask_at(pm, slot[0], 2, false));
	procmap_stats(pm, &st);
	assert_int_equal(st.bytes, 3000);
	assert_int_equal(st.parked, 1);
	/* Asked for since this trim: kept by the next, the older two go. */
	assert_non_null(ask_at(pm, slot[0], 2, true));
	procmap_set_data_limit(pm, 1500);
	assert_int_equal(procmap_trim(pm), 2);
	assert_string_equal(freed_log, "b:l2 a:l0 a:l3 b:l0 a:l1 b:l3 b:l1 ");
	assert_non_null(ask_at(pm, slot[0], 2, false));
	procmap_unregister(pm, slot[1]);
	procmap_unregister(pm, slot[0]);
	assert_string_equal(freed_log, "b:l2 a:l0 a:l3 b:l0 a:l1 b:l3 b:l1 a:l2 ");
	procmap_free(pm);
	free(copy);
	rm_tree(dir);
}

/* A consumer whose reading stops when the file is late, as the symbolizer's does. */
static void *late_load(void *ctx, struct procmap *pm, const struct procmap_module *mod,
		       struct procmap_file *file, size_t *cost)
{
	loads++;
	*cost = 1000;
	return procmap_file_late(file) ? NULL : xstrdup(mod->name);
}

static const struct procmap_consumer late_reader = {
	.name = "late",
	.load = late_load,
	.free = count_free,
};

static bool stop_now;

static bool stop_asked(void *ctx)
{
	(void)ctx;
	return stop_now;
}

/*
 * A module read while the interrupt says stop is given up, and read again
 * the next time it is asked for (a module past its deadline is not).
 */
static void test_interrupt(void **state)
{
	struct procmap *pm = procmap_new();
	const struct procmap_map *map;
	struct pipeline_mmap m;
	int slot;

	(void)state;
	procmap_set_live(pm, false);
	slot = procmap_register(pm, &late_reader, NULL);
	procmap_set_interrupt(pm, stop_asked, NULL);
	loads = frees = 0;
	file_record(&m, FAKE_PID, 0x100000, self_exe());
	procmap_mmap(pm, &m);
	map = procmap_find(pm, FAKE_PID, 0x100000);
	stop_now = true;
	assert_true(procmap_interrupted(pm));
	assert_null(procmap_module_data(pm, map->mod, slot, FAKE_PID, map));
	assert_null(procmap_module_data(pm, map->mod, slot, FAKE_PID, map));
	stop_now = false;
	assert_false(procmap_interrupted(pm));
	assert_non_null(procmap_module_data(pm, map->mod, slot, FAKE_PID, map));
	assert_int_equal(loads, 3);
	procmap_free(pm);
	assert_int_equal(frees, 1);
}

/* Exited processes stay resolvable until PROCMAP_EXITED_KEEP others exited. */
static void test_exit_grace(void **state)
{
	struct procmap *pm = procmap_new();
	struct pipeline_mmap m;
	uint32_t i;

	(void)state;
	procmap_set_live(pm, false);
	file_record(&m, FAKE_PID, 0x100000, self_exe());
	procmap_mmap(pm, &m);
	procmap_fork(pm, FAKE_PID, FAKE_PID, 0); /* a thread: nothing */
	procmap_exit(pm, FAKE_PID);
	procmap_exit(pm, FAKE_PID);
	procmap_exit(pm, 12345678u);
	assert_non_null(procmap_find(pm, FAKE_PID, 0x100000));
	for (i = 0; i < PROCMAP_EXITED_KEEP; i++) {
		procmap_fork(pm, FAKE_CHILD + 1 + i, FAKE_PID, 0);
		procmap_exit(pm, FAKE_CHILD + 1 + i);
	}
	assert_null(procmap_find(pm, FAKE_PID, 0x100000));
	/* The pid comes back as a new process. */
	procmap_mmap(pm, &m);
	assert_non_null(procmap_find(pm, FAKE_PID, 0x100000));
	procmap_free(pm);
}

/* A live process: its maps come from /proc the first time. */
static void test_live_self(void **state)
{
	struct procmap *pm = procmap_new();
	const struct procmap_map *map;
	struct procmap_file f;

	(void)state;
	map = procmap_find(pm, (uint32_t)getpid(), (uintptr_t)&test_live_self);
	assert_non_null(map);
	assert_int_equal(map->mod->kind, PROCMAP_FILE);
	assert_non_null(strstr(map->mod->name, "test_procmap"));
	assert_true(map->prot & PROT_EXEC);
	assert_int_equal(procmap_open(pm, map->mod, (uint32_t)getpid(), map, &f), 0);
	assert_true(f.size > 0);
	assert_true(f.root >= 0);
	procmap_file_close(&f);
	procmap_free(pm);
}

/* What a process may name instead of a library: refused at once, never waited on. */
static void test_refusals(void **state)
{
	char *dir = temp_dir(), *fifo = xasprintf("%s/fifo", dir), *reg = xasprintf("%s/reg", dir);
	char *link = xasprintf("%s/link", dir), *sparse = xasprintf("%s/sparse", dir);
	struct procmap_file f;
	struct ft_error err;
	char buf[16];
	int fd;

	(void)state;
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(procmap_file_open(&f, AT_FDCWD, fifo, 0, &err), -EPERM);
	assert_non_null(strstr(err.msg, "not a regular file"));
	assert_int_equal(procmap_file_open(&f, AT_FDCWD, "/dev/zero", 0, &err), -EPERM);
	assert_int_equal(procmap_file_open(&f, AT_FDCWD, dir, 0, &err), -EPERM);
	assert_int_equal(procmap_file_open(&f, AT_FDCWD, "/nonexistent/x", 0, &err), -ENOENT);

	assert_int_equal(sh("printf 0123456789 >'%s' && ln -s '%s' '%s'", reg, reg, link), 0);
	assert_int_equal(procmap_file_open(&f, AT_FDCWD, link, 0, &err), -EPERM);
	assert_non_null(strstr(err.msg, "symbolic link"));
	assert_int_equal(procmap_file_open(&f, AT_FDCWD, link, PROCMAP_FILE_FOLLOW, &err), 0);
	procmap_file_close(&f);

	assert_int_equal(procmap_file_open(&f, AT_FDCWD, reg, 0, &err), 0);
	assert_int_equal(f.size, 10);
	assert_false(procmap_file_sparse(&f));
	assert_int_equal(procmap_file_pread(&f, buf, sizeof(buf), 4), 6);
	assert_memory_equal(buf, "456789", 6);
	assert_null(procmap_file_read(&f, 4, 7)); /* past the end */
	assert_int_equal(procmap_file_check_elf(&f, &err), -ENOEXEC);
	assert_int_equal(procmap_file_build_id(&f, (uint8_t[20]){ 0 }), 0);
	/* Past its deadline a file reads nothing. */
	f.deadline_ns = 1;
	assert_int_equal(procmap_file_pread(&f, buf, 4, 0), -ETIMEDOUT);
	procmap_file_close(&f);
	procmap_file_close(&f); /* twice is fine */

	fd = open(sparse, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 64 << 20), 0);
	close(fd);
	assert_int_equal(procmap_file_open(&f, AT_FDCWD, sparse, 0, &err), 0);
	assert_true(procmap_file_sparse(&f));
	procmap_file_close(&f);

	free(fifo);
	free(reg);
	free(link);
	free(sparse);
	rm_tree(dir);
}

/* A forged ELF header (counts the file cannot hold) is refused before libelf sees it. */
static void test_elf_check(void **state)
{
	char *dir = temp_dir(), *path = xasprintf("%s/forged", dir);
	struct procmap_file f;
	struct ft_error err;
	Elf64_Ehdr eh;
	uint8_t id[20];
	int fd;

	(void)state;
	assert_int_equal(procmap_file_open(&f, AT_FDCWD, self_exe(), 0, &err), 0);
	assert_int_equal(procmap_file_check_elf(&f, &err), 0);
	assert_true(procmap_file_build_id(&f, id) > 0);
	procmap_file_close(&f);

	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_DYN;
	eh.e_machine = EM_X86_64;
	eh.e_shoff = sizeof(eh);
	eh.e_shentsize = sizeof(Elf64_Shdr);
	eh.e_shnum = 60000; /* 3.8 MB of section headers in a 64-byte file */
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, &eh, sizeof(eh)), (ssize_t)sizeof(eh));
	close(fd);
	assert_int_equal(procmap_file_open(&f, AT_FDCWD, path, 0, &err), 0);
	assert_int_equal(procmap_file_check_elf(&f, &err), -ENOEXEC);
	assert_non_null(strstr(err.msg, "do not fit"));
	procmap_file_close(&f);

	/* Extended numbering: the real count lives in section 0, unbounded. */
	eh.e_shnum = 0;
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, &eh, sizeof(eh)), (ssize_t)sizeof(eh));
	close(fd);
	assert_int_equal(procmap_file_open(&f, AT_FDCWD, path, 0, &err), 0);
	assert_int_equal(procmap_file_check_elf(&f, &err), -ENOEXEC);
	procmap_file_close(&f);
	free(path);
	rm_tree(dir);
}

/*
 * A container-like root: absolute links resolve inside it, ".." stops at
 * it, a link to this machine's FIFO is never followed out, loops end.
 */
static void check_in_root(const char *dir, const char *host_fifo)
{
	struct procmap_file f;
	struct ft_error err;
	char buf[8];
	int root = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);

	assert_true(root >= 0);
	assert_int_equal(procmap_file_open(&f, root, "/lib/abs.so", PROCMAP_FILE_IN_ROOT, &err), 0);
	assert_int_equal(procmap_file_pread(&f, buf, 6, 0), 6);
	assert_memory_equal(buf, "inside", 6);
	procmap_file_close(&f);
	assert_int_equal(procmap_file_open(&f, root, "lib/rel.so", PROCMAP_FILE_IN_ROOT, &err), 0);
	procmap_file_close(&f);
	assert_int_equal(procmap_file_open(&f, root, "/../../../lib/real.so", PROCMAP_FILE_IN_ROOT,
					   &err),
			 0);
	procmap_file_close(&f);
	assert_int_equal(procmap_file_open(&f, root, "/lib/updir/lib/real.so", PROCMAP_FILE_IN_ROOT,
					   &err),
			 0);
	procmap_file_close(&f);
	/* The host's FIFO, named by an absolute link: looked for inside, not there. */
	assert_int_equal(procmap_file_open(&f, root, "/lib/evil.so", PROCMAP_FILE_IN_ROOT, &err),
			 -ENOENT);
	/* The same path from outside the root would reach it (and be refused as a FIFO). */
	assert_int_equal(procmap_file_open(&f, AT_FDCWD, host_fifo, 0, &err), -EPERM);
	assert_int_equal(procmap_file_open(&f, root, "/lib/loop.so", PROCMAP_FILE_IN_ROOT, &err),
			 -ELOOP);
	assert_int_equal(procmap_file_open(&f, root, "/lib/real.so/x", PROCMAP_FILE_IN_ROOT, &err),
			 -ENOTDIR);
	/* NO_LINK: a final link is refused; links before it are followed. */
	assert_int_equal(procmap_file_open(&f, root, "lib/rel.so",
					   PROCMAP_FILE_IN_ROOT | PROCMAP_FILE_NO_LINK, &err),
			 -EPERM);
	assert_string_equal(err.msg, "lib/rel.so: a symbolic link");
	assert_int_equal(procmap_file_open(&f, root, "/lib/updir/lib/real.so",
					   PROCMAP_FILE_IN_ROOT | PROCMAP_FILE_NO_LINK, &err),
			 0);
	procmap_file_close(&f);
	close(root);
}

static void make_root(const char *dir, const char *host_fifo)
{
	assert_int_equal(
		sh("cd '%s' && mkdir -p root/lib/sub && printf inside >root/lib/real.so && "
		   "ln -s /lib/real.so root/lib/abs.so && ln -s real.so root/lib/rel.so && "
		   "ln -s .. root/lib/updir && ln -s '%s' root/lib/evil.so && "
		   "ln -s loop.so root/lib/loop.so && mkfifo '%s'",
		   dir, host_fifo, host_fifo),
		0);
}

static void test_in_root(void **state)
{
	char *dir = temp_dir(), *root = xasprintf("%s/root", dir);
	char *fifo = xasprintf("%s/host-fifo", dir);

	(void)state;
	make_root(dir, fifo);
	check_in_root(root, fifo);
	/* The same without openat2, component by component. */
	procmap_file_set_walk_only(true);
	check_in_root(root, fifo);
	procmap_file_set_walk_only(false);
	free(root);
	free(fifo);
	rm_tree(dir);
}

/*
 * A process chrooted into that root: its module path, opened for it,
 * resolves inside its root (as root only: chroot needs it).
 */
static void test_open_for_chrooted_process(void **state)
{
	char *dir = temp_dir(), *root = xasprintf("%s/root", dir);
	char *fifo = xasprintf("%s/host-fifo", dir);
	struct procmap *pm;
	struct pipeline_mmap m;
	const struct procmap_map *map;
	struct procmap_file f;
	int ready[2], go[2];
	char c;
	pid_t pid;

	(void)state;
	if (geteuid() != 0) {
		free(root);
		free(fifo);
		rm_tree(dir);
		skip();
	}
	make_root(dir, fifo);
	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(go), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (chroot(root) != 0 || chdir("/") != 0)
			_exit(1);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		if (read(go[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	assert_int_equal(read(ready[0], &c, 1), 1);

	pm = procmap_new();
	procmap_set_notice(pm, NULL);
	memset(&m, 0, sizeof(m));
	m.pid = m.tid = (uint32_t)pid;
	m.start = 0x10000000;
	m.len = 0x1000;
	m.filename = "/lib/abs.so";
	procmap_mmap(pm, &m);
	m.start = 0x20000000;
	m.filename = "/lib/evil.so";
	procmap_mmap(pm, &m);
	m.start = 0x30000000;
	m.filename = fifo; /* the host's FIFO by its own path: not in the root */
	procmap_mmap(pm, &m);

	map = procmap_find(pm, (uint32_t)pid, 0x10000000);
	assert_non_null(map);
	assert_int_equal(procmap_open(pm, map->mod, (uint32_t)pid, map, &f), 0);
	assert_int_equal(f.size, 6);
	procmap_file_close(&f);
	map = procmap_find(pm, (uint32_t)pid, 0x20000000);
	assert_true(procmap_open(pm, map->mod, (uint32_t)pid, map, &f) < 0);
	map = procmap_find(pm, (uint32_t)pid, 0x30000000);
	assert_true(procmap_open(pm, map->mod, (uint32_t)pid, map, &f) < 0);
	procmap_free(pm);

	assert_int_equal(write(go[1], "g", 1), 1);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(go[1]);
	free(root);
	free(fifo);
	rm_tree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_line),
		cmocka_unit_test(test_module_identity),
		cmocka_unit_test(test_lifetimes),
		cmocka_unit_test(test_trim),
		cmocka_unit_test(test_trim_order),
		cmocka_unit_test(test_interrupt),
		cmocka_unit_test(test_build_id_vouches),
		cmocka_unit_test(test_exit_grace),
		cmocka_unit_test(test_live_self),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_elf_check),
		cmocka_unit_test(test_in_root),
		cmocka_unit_test(test_open_for_chrooted_process),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
