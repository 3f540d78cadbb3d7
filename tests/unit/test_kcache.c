/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's symbols kept between runs (src/symbols/kcache.c), with a
 * made-up kernel: a kallsyms, a /proc/modules, a boot id and a module's
 * build id in a temporary directory. Whether a load used the cache shows
 * in the names: each test rewrites kallsyms with other names (and the
 * same first line) between loads, so a name of the earlier kallsyms
 * comes from the cache, a name of the new one from kallsyms.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "flametop/symbols.h"
#include "flametop/util.h"

#include "internal.h"

#define CORE_ONE 0xffffffff81000100ull
#define CORE_TWO 0xffffffff81000200ull
#define CORE_LAST 0xffffffff81000400ull
#define EXT4_ONE 0xffffffffc0001000ull
#define BPF_PROG 0xffffffffc0100000ull
#define TRAMPOLINE 0xffffffffc0200000ull
/* The cache's header; its key and module records follow, then its symbols on 8 bytes. */
#define HEADER_SIZE 40

static struct {
	char dir[64];
	char kallsyms[128], modules[128], boot_id[128], sys_module[128], note[192];
	char cache_dir[128], cache[160];
	struct symbols_kcache c;
} fx;

static void put(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void put_text(const char *path, const char *text)
{
	put(path, text, strlen(text));
}

/*
 * A kallsyms whose function names end in `tag`, and whose first line is
 * `head` (the core kernel's address, as the kernel shows it).
 */
static void make_kallsyms_at(const char *head, const char *tag)
{
	char text[1024];

	snprintf(text, sizeof(text),
		 "%s\n"
		 "ffffffff81000000 T _stext\n"
		 "ffffffff81000100 T core_one_%s\n"
		 "ffffffff81000180 d data_between\n"
		 "ffffffff81000200 t core_two_%s\n"
		 "ffffffff81000400 T _einittext\n"
		 "ffffffff81009000 R some_data\n"
		 "ffffffffc0001000 t ext4_one_%s\t[ext4]\n"
		 "ffffffffc0001800 t ext4_two_%s\t[ext4]\n"
		 "ffffffffc0100000 t bpf_prog_%s\t[bpf]\n"
		 "ffffffffc0200000 t ftrace_trampoline\t[__builtin__ftrace]\n",
		 head, tag, tag, tag, tag, tag);
	put_text(fx.kallsyms, text);
}

static void make_kallsyms(const char *tag)
{
	make_kallsyms_at("ffffffff81000000 T _text", tag);
}

static int setup(void **state)
{
	char path[256];

	(void)state;
	snprintf(fx.dir, sizeof(fx.dir), "/tmp/test_kcache.XXXXXX");
	assert_non_null(mkdtemp(fx.dir));
	snprintf(fx.kallsyms, sizeof(fx.kallsyms), "%s/kallsyms", fx.dir);
	snprintf(fx.modules, sizeof(fx.modules), "%s/modules", fx.dir);
	snprintf(fx.boot_id, sizeof(fx.boot_id), "%s/boot_id", fx.dir);
	snprintf(fx.sys_module, sizeof(fx.sys_module), "%s/module", fx.dir);
	snprintf(fx.cache_dir, sizeof(fx.cache_dir), "%s/cache", fx.dir);
	snprintf(fx.cache, sizeof(fx.cache), "%s/kallsyms", fx.cache_dir);
	snprintf(fx.note, sizeof(fx.note), "%s/ext4/notes/.note.gnu.build-id", fx.sys_module);
	assert_int_equal(mkdir(fx.sys_module, 0755), 0);
	snprintf(path, sizeof(path), "%s/ext4", fx.sys_module);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/ext4/notes", fx.sys_module);
	assert_int_equal(mkdir(path, 0755), 0);
	put(fx.note, "\x04\0\0\0\x14\0\0\0\x03\0\0\0GNU\0\x12\x34\x56\x78", 20);
	put_text(fx.boot_id, "0b1e2a6c-1111-4222-8333-444455556666\n");
	put_text(fx.modules, "ext4 4096 1 - Live 0xffffffffc0001000\n");
	fx.c.dir = fx.cache_dir;
	fx.c.boot_id = fx.boot_id;
	fx.c.sys_module = fx.sys_module;
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx.dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static struct symbols_kernel *load(void)
{
	struct symbols_kernel *k = symbols_kernel_load_cached(fx.kallsyms, fx.modules, &fx.c);

	assert_true(symbols_kernel_available(k));
	return k;
}

/* The name at `addr` must be `want` (NULL: none), in module `module`. */
static void assert_at(struct symbols_kernel *k, uint64_t addr, const char *want,
		      const char *module)
{
	struct symbols_frame f;

	symbols_kernel_lookup(k, addr, &f);
	assert_true(f.kernel);
	if (want) {
		assert_non_null(f.name);
		assert_string_equal(f.name, want);
	} else {
		assert_null(f.name);
	}
	assert_string_equal(f.module, module);
}

/* Loads and checks that core_one is named `core_one_<tag>`: which kallsyms it came from. */
static void assert_names_of(const char *tag)
{
	struct symbols_kernel *k = load();
	char want[64];

	snprintf(want, sizeof(want), "core_one_%s", tag);
	assert_at(k, CORE_ONE + 8, want, "[kernel.kallsyms]");
	snprintf(want, sizeof(want), "ext4_one_%s", tag);
	assert_at(k, EXT4_ONE + 8, want, "[ext4]");
	symbols_kernel_free(k);
}

/*
 * A first load reads kallsyms and writes the cache (0600, in a 0700
 * directory it made); the next reads the cache, not kallsyms, and gives
 * the same answers: names, modules, offsets, the core kernel's last
 * function bounded. An address the cache does not cover (a BPF program,
 * a trampoline) is looked up in kallsyms as it is now, and the names
 * given before stay valid.
 */
static void test_cache_written_then_read(void **state)
{
	struct symbols_kernel *k;
	struct symbols_frame f;
	const char *before;
	struct stat st;

	(void)state;
	unlink(fx.cache);
	make_kallsyms("A");
	k = load();
	assert_at(k, CORE_ONE + 4, "core_one_A", "[kernel.kallsyms]");
	assert_at(k, CORE_LAST + 0x10, "_einittext", "[kernel.kallsyms]");
	/* The core kernel's last function does not run on to the modules. */
	assert_at(k, CORE_LAST + 0x2000, NULL, "[kernel.kallsyms]");
	assert_at(k, BPF_PROG + 4, "bpf_prog_A", "[bpf]");
	symbols_kernel_free(k);
	assert_int_equal(stat(fx.cache_dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(stat(fx.cache, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);

	make_kallsyms("B");
	k = load();
	assert_at(k, CORE_ONE + 4, "core_one_A", "[kernel.kallsyms]");
	symbols_kernel_lookup(k, CORE_ONE + 4, &f);
	before = f.name;
	assert_int_equal(f.offset, 0x104);
	assert_at(k, CORE_TWO, "core_two_A", "[kernel.kallsyms]");
	assert_at(k, CORE_LAST + 0x10, "_einittext", "[kernel.kallsyms]");
	symbols_kernel_lookup(k, EXT4_ONE + 0x810, &f);
	assert_string_equal(f.name, "ext4_two_A");
	assert_string_equal(f.module, "[ext4]");
	assert_int_equal(f.offset, 0x810);
	/* Not kept: read from kallsyms, as it is now. */
	assert_at(k, BPF_PROG + 4, "bpf_prog_B", "[bpf]");
	assert_at(k, TRAMPOLINE + 4, "ftrace_trampoline", "[__builtin__ftrace]");
	assert_at(k, CORE_LAST + 0x2000, NULL, "[kernel.kallsyms]");
	assert_string_equal(before, "core_one_A");
	symbols_kernel_free(k);
}

/* Rewrites the build id note's last byte. */
static void change_build_id(void)
{
	put(fx.note, "\x04\0\0\0\x14\0\0\0\x03\0\0\0GNU\0\x12\x34\x56\x79", 20);
}

/*
 * The cache is for one boot, one kernel address, one set of modules: a
 * change of any of them has kallsyms read again, and the cache written
 * for what is there now.
 */
static void test_cache_key(void **state)
{
	static const char *const heads[] = { "ffffffff81000000 T _text", "ffffffff9e000000 T _text" };
	size_t i;

	(void)state;
	unlink(fx.cache);
	for (i = 0; i < 6; i++) {
		char tag[8], next[8];

		snprintf(tag, sizeof(tag), "K%zu", i);
		snprintf(next, sizeof(next), "L%zu", i);
		make_kallsyms_at(heads[0], "old");
		assert_names_of("old"); /* written, or read back: what follows changes it */
		make_kallsyms_at(heads[0], tag);
		switch (i) {
		case 0:
			put_text(fx.boot_id, "0b1e2a6c-1111-4222-8333-444455557777\n");
			break;
		case 1: /* the kernel somewhere else: the same names, other addresses */
			make_kallsyms_at(heads[1], tag);
			break;
		case 2:
			put_text(fx.modules, "ext4 8192 1 - Live 0xffffffffc0001000\n");
			break;
		case 3:
			change_build_id();
			break;
		case 4: /* ext4 unloaded: its symbols are gone from kallsyms too */
			put_text(fx.modules, "");
			break;
		case 5: /* nothing changed */
			break;
		}
		if (i == 4) {
			struct symbols_kernel *k = load();

			assert_at(k, CORE_ONE + 4, "core_one_K4", "[kernel.kallsyms]");
			assert_at(k, EXT4_ONE + 4, "ext4_one_K4", "[ext4]");
			symbols_kernel_free(k);
		} else {
			assert_names_of(i == 5 ? "old" : tag);
		}
		/* The cache now holds what was read: kallsyms changing alone is not seen. */
		make_kallsyms_at(heads[i == 1], next);
		if (i == 4) {
			struct symbols_kernel *k = load();

			assert_at(k, CORE_ONE + 4, "core_one_K4", "[kernel.kallsyms]");
			symbols_kernel_free(k);
		} else {
			assert_names_of(i == 5 ? "old" : tag);
		}
		put_text(fx.boot_id, "0b1e2a6c-1111-4222-8333-444455556666\n");
		put_text(fx.modules, "ext4 4096 1 - Live 0xffffffffc0001000\n");
		put(fx.note, "\x04\0\0\0\x14\0\0\0\x03\0\0\0GNU\0\x12\x34\x56\x78", 20);
	}
}

/* Makes the cache hold kallsyms "A" (and nothing else of the test's before). */
static void cache_of_a(void)
{
	unlink(fx.cache);
	make_kallsyms("A");
	assert_names_of("A");
	make_kallsyms("B");
	assert_names_of("A");
}

/*
 * A cache that is not ours alone is not read: its directory writable by
 * the group, or owned by another user (and then nothing is written there
 * either); the file writable by others, or a symbolic link (to a good
 * cache), which a good file then replaces (not written through).
 */
static void test_cache_untrusted(void **state)
{
	char copy[192];
	struct stat st;
	int i;

	(void)state;
	snprintf(copy, sizeof(copy), "%s/copy", fx.dir);
	for (i = 0; i < 4; i++) {
		cache_of_a();
		switch (i) {
		case 0:
			assert_int_equal(chmod(fx.cache_dir, 0770), 0);
			break;
		case 1:
			if (geteuid() != 0) {
				print_message("not root: a directory of another user's is not checked\n");
				continue;
			}
			assert_int_equal(chown(fx.cache_dir, 65534, 65534), 0);
			break;
		case 2:
			assert_int_equal(chmod(fx.cache, 0666), 0);
			break;
		case 3:
			assert_int_equal(rename(fx.cache, copy), 0);
			assert_int_equal(symlink(copy, fx.cache), 0);
			break;
		}
		make_kallsyms("C");
		assert_names_of("C");
		assert_int_equal(chmod(fx.cache_dir, 0700), 0);
		assert_int_equal(chown(fx.cache_dir, geteuid(), getegid()), 0);
		make_kallsyms("D");
		if (i < 2) {
			assert_names_of("A");
			continue;
		}
		assert_int_equal(lstat(fx.cache, &st), 0);
		assert_true(S_ISREG(st.st_mode));
		assert_int_equal(st.st_mode & 07777, 0600);
		assert_names_of("C");
		if (i == 3) { /* the file linked to is as it was: a cache of "A" */
			assert_int_equal(rename(copy, fx.cache), 0);
			assert_names_of("A");
		}
	}
}

/* The cache file's bytes, *len of them (caller frees). */
static unsigned char *read_cache(size_t *len)
{
	struct stat st;
	unsigned char *p;
	int fd = open(fx.cache, O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	p = malloc((size_t)st.st_size + 1);
	assert_non_null(p);
	assert_int_equal(read(fd, p, (size_t)st.st_size), st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return p;
}

static uint32_t get32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint64_t get64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/*
 * A cache that is not well formed is no cache: kallsyms is read and a good
 * one written. Each case spoils one thing of a good cache, as a crash, a
 * full disk or another version could.
 */
static void test_cache_corrupt(void **state)
{
	enum {
		TRUNCATED, LONGER, MAGIC, KEY, NO_MODULES, NAME_OUTSIDE, UNSORTED, OVERLAP,
		EMPTY_RANGE, MODULE_OUTSIDE, NAMES_UNENDED, MODULE_NAME, CORE_NAME, HUGE_COUNT,
		CASES
	};
	int i;

	(void)state;
	for (i = 0; i < CASES; i++) {
		unsigned char *p;
		size_t len, syms, names, mods;
		uint64_t nsyms, v;
		uint32_t key_len;
		char tag[8];

		cache_of_a();
		p = read_cache(&len);
		key_len = get32(p + 8);
		nsyms = get64(p + 16);
		mods = HEADER_SIZE + key_len;
		syms = (mods + get64(p + 32) + 7) / 8 * 8; /* the symbols lie on 8 bytes */
		names = syms + nsyms * sizeof(struct symbols_sym);
		assert_true(nsyms >= 4);
		assert_int_equal(names + get64(p + 24), len);
		switch (i) {
		case TRUNCATED:
			len--;
			break;
		case LONGER:
			p[len++] = 0;
			break;
		case MAGIC:
			p[7] ^= 1;
			break;
		case KEY:
			p[HEADER_SIZE + key_len - 2] ^= 1;
			break;
		case NO_MODULES:
			memset(p + 12, 0, 4);
			break;
		case NAME_OUTSIDE: /* a name offset past the names */
			v = get64(p + 24);
			memcpy(p + syms + 16, &v, 4);
			break;
		case UNSORTED: /* the first two symbols swapped */
		{
			unsigned char tmp[sizeof(struct symbols_sym)];

			memcpy(tmp, p + syms, sizeof(tmp));
			memcpy(p + syms, p + syms + sizeof(tmp), sizeof(tmp));
			memcpy(p + syms + sizeof(tmp), tmp, sizeof(tmp));
			break;
		}
		case OVERLAP: /* the first runs past the second's start */
			v = get64(p + syms + sizeof(struct symbols_sym)) + 1;
			memcpy(p + syms + 8, &v, 8);
			break;
		case EMPTY_RANGE:
			memcpy(p + syms + 8, p + syms, 8);
			break;
		case MODULE_OUTSIDE:
			v = get32(p + 12);
			memcpy(p + syms + 20, &v, 2);
			break;
		case NAMES_UNENDED:
			p[len - 1] = 'x';
			break;
		case MODULE_NAME: /* "[kernel.kallsyms]" loses its bracket */
			p[mods + 18] = 'x';
			break;
		case CORE_NAME: /* the first module is not the core kernel */
			p[mods + 18 + 1] = 'K';
			break;
		case HUGE_COUNT:
			v = UINT64_MAX / 8;
			memcpy(p + 16, &v, 8);
			break;
		}
		put(fx.cache, p, len);
		free(p);
		snprintf(tag, sizeof(tag), "X%d", i);
		make_kallsyms(tag);
		assert_names_of(tag);
		make_kallsyms("Y");
		assert_names_of(tag);
	}
}

/*
 * Nothing to keep, nothing written: kallsyms showing no addresses (a
 * user without CAP_SYSLOG), or no boot id to say which boot it is of.
 */
static void test_cache_not_written(void **state)
{
	struct symbols_kernel *k;
	struct stat st;

	(void)state;
	unlink(fx.cache);
	put_text(fx.kallsyms, "0000000000000000 T _text\n0000000000000000 T core_one\n");
	k = symbols_kernel_load_cached(fx.kallsyms, fx.modules, &fx.c);
	assert_false(symbols_kernel_available(k));
	symbols_kernel_free(k);
	assert_int_equal(stat(fx.cache, &st), -1);
	assert_int_equal(errno, ENOENT);

	unlink(fx.boot_id);
	make_kallsyms("A");
	assert_names_of("A");
	assert_int_equal(stat(fx.cache, &st), -1);
	make_kallsyms("B");
	assert_names_of("B");
	put_text(fx.boot_id, "0b1e2a6c-1111-4222-8333-444455556666\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cache_written_then_read),
		cmocka_unit_test(test_cache_key),
		cmocka_unit_test(test_cache_untrusted),
		cmocka_unit_test(test_cache_corrupt),
		cmocka_unit_test(test_cache_not_written),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
