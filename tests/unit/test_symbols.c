/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for symbols: real lookups in this very process (its own PIE
 * executable, libc, a library dlopen'ed after the first lookup, the vdso),
 * a non-PIE helper process, the kernel through /proc/kallsyms, the
 * bookkeeping of mappings across fork, exec and exit on synthetic pids
 * (fed to the process-map layer the symbolizer reads), and the caps on
 * what a hostile file costs: crafted mangled names, a sparse debug link
 * candidate, an xz stream asking for a huge dictionary, JIT maps with
 * long lines or holes.
 */
#include "config.h"

#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/perf_event.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include "flametop/pipeline.h"
#include "flametop/procmap.h"
#include "flametop/profile.h"
#include "flametop/symbols.h"
#include "flametop/util.h"

#include "demangle.h"
#include "internal.h"
#include "xz.h"

/* Far above any pid_max: /proc never has these. */
#define FAKE_PID 0x7ffff000u
#define FAKE_CHILD 0x7ffff001u
#define FAKE_BASE 0x500000000000ull

/*
 * A symbolizer over process maps of its own (the pipeline's collect stage
 * feeds one layer; here each test feeds its own). sym_pm() finds the maps
 * of a symbolizer sym_new() made; sym_free() frees both.
 */
static struct {
	struct symbols *s;
	struct procmap *pm;
} made[8];

static struct symbols *sym_new(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(made); i++) {
		if (!made[i].s) {
			made[i].pm = procmap_new();
			made[i].s = symbols_new(made[i].pm);
			return made[i].s;
		}
	}
	fail();
	return NULL;
}

static struct procmap *sym_pm(struct symbols *s)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(made); i++) {
		if (made[i].s == s)
			return made[i].pm;
	}
	fail();
	return NULL;
}

static void sym_free(struct symbols *s)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(made); i++) {
		if (made[i].s == s) {
			symbols_free(s);
			procmap_free(made[i].pm);
			made[i].s = NULL;
			made[i].pm = NULL;
			return;
		}
	}
	fail();
}

int probe_function(int x);
int probe_other(int x);

__attribute__((noinline)) int probe_function(int x)
{
	return x * 7 + 3;
}

__attribute__((noinline)) int probe_other(int x)
{
	return probe_function(x) - 1;
}

/* Four functions inlined one into the next, into probe_inlined. */
static volatile int probe_sink;
#define PROBE_INLINE static inline __attribute__((always_inline))
PROBE_INLINE void probe_inline_d(void)
{
	probe_sink = probe_sink * 3 + 1;
}
PROBE_INLINE void probe_inline_c(void)
{
	probe_inline_d();
	probe_sink += 2;
}
PROBE_INLINE void probe_inline_b(void)
{
	probe_inline_c();
	probe_sink ^= 5;
}
PROBE_INLINE void probe_inline_a(void)
{
	probe_inline_b();
	probe_sink -= 7;
}
int probe_inlined(void);
__attribute__((noinline)) int probe_inlined(void)
{
	probe_inline_a();
	return probe_sink;
}

/*
 * Labels of hand-written assembly: untyped symbols in .text, as ld.so's
 * _start and _dl_start_user, where every process starts; a hidden one is
 * no name to show.
 */
extern const char probe_label[], probe_hidden_label[];
__asm__(".text\n"
	".globl probe_label\n"
	"probe_label:\n\tnop\n\tnop\n\tret\n"
	".globl probe_hidden_label\n"
	".hidden probe_hidden_label\n"
	"probe_hidden_label:\n\tnop\n\tret\n");

/* Where `addr` is mapped in this process, as /proc/self/maps says. */
struct self_map {
	struct pipeline_mmap m;
	char path[4096];
};

static int find_self_map(uintptr_t addr, struct self_map *out)
{
	char line[4352];
	FILE *f = fopen("/proc/self/maps", "r");
	int found = -1;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned long long start, end, pgoff, ino;
		unsigned int maj, min;
		int pos = 0;

		if (sscanf(line, "%llx-%llx %*s %llx %x:%x %llu %n", &start, &end, &pgoff, &maj,
			   &min, &ino, &pos) < 6)
			continue;
		if (addr < start || addr >= end)
			continue;
		memset(out, 0, sizeof(*out));
		snprintf(out->path, sizeof(out->path), "%s", line + pos + strspn(line + pos, " "));
		out->path[strcspn(out->path, "\n")] = '\0';
		out->m.pid = out->m.tid = (uint32_t)getpid();
		out->m.start = start;
		out->m.len = end - start;
		out->m.pgoff = pgoff;
		out->m.maj = maj;
		out->m.min = min;
		out->m.ino = ino;
		out->m.filename = out->path;
		found = 0;
		break;
	}
	fclose(f);
	return found;
}

static void test_self_pie_function(void **state)
{
	struct symbols *s = sym_new();
	struct symbols_frame f;

	symbols_resolve(s, (uint32_t)getpid(), (uintptr_t)&probe_function + 4, false, &f);
	assert_non_null(f.name);
	assert_string_equal(f.name, "probe_function");
	assert_non_null(strstr(f.module, "test_symbols"));
	assert_false(f.kernel);

	symbols_resolve(s, (uint32_t)getpid(), (uintptr_t)&probe_other, false, &f);
	assert_non_null(f.name);
	assert_string_equal(f.name, "probe_other");

	symbols_resolve(s, (uint32_t)getpid(), (uintptr_t)probe_label + 1, false, &f);
	assert_non_null(f.name);
	assert_string_equal(f.name, "probe_label");
	symbols_resolve(s, (uint32_t)getpid(), (uintptr_t)probe_hidden_label, false, &f);
	assert_true(!f.name || strcmp(f.name, "probe_hidden_label") != 0);
	sym_free(s);
}

static void test_libc_function(void **state)
{
	struct symbols *s = sym_new();
	struct symbols_frame f;
	struct self_map sm;
	void *libc = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
	uintptr_t addr;

	/* libc's own qsort, not a sanitizer's interceptor of that name. */
	assert_non_null(libc);
	addr = (uintptr_t)dlsym(libc, "qsort");
	assert_true(addr != 0);
	dlclose(libc);

	symbols_resolve(s, (uint32_t)getpid(), addr + 1, false, &f);
	assert_non_null(f.name);
	assert_non_null(strstr(f.name, "qsort"));
	assert_non_null(strstr(f.module, "libc"));
	/* The offset is the file offset: where the same bytes sit in the file. */
	assert_int_equal(find_self_map(addr, &sm), 0);
	assert_int_equal(f.offset, addr + 1 - sm.m.start + sm.m.pgoff);
	sym_free(s);
}

/*
 * A library loaded after the first lookup: with rescans off it is unknown
 * until its MMAP2 record arrives; with rescans on, a miss re-reads
 * /proc/PID/maps and finds it.
 */
static void test_dlopen_after_first_lookup(void **state)
{
	/* Libraries this binary does not load by itself (ASan pulls in libm). */
	static const struct {
		const char *lib, *fn, *module;
	} candidates[] = {
		/* Not cos: an IFUNC, whose chosen variant has no .dynsym entry. */
		{ "libm.so.6", "cbrt", "libm" },
		{ "libthread_db.so.1", "td_init", "libthread_db" },
	};
	struct symbols *fed, *rescans;
	struct symbols_frame f;
	struct self_map sm;
	void *lib = NULL, *fn;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(candidates); i++) {
		void *loaded = dlopen(candidates[i].lib, RTLD_LAZY | RTLD_NOLOAD);

		if (!loaded)
			break;
		dlclose(loaded);
	}
	if (i == ARRAY_SIZE(candidates))
		skip();

	fed = sym_new();
	rescans = sym_new();
	procmap_set_rescan_interval(sym_pm(fed), UINT64_MAX);
	procmap_set_rescan_interval(sym_pm(rescans), 0);
	symbols_resolve(fed, (uint32_t)getpid(), (uintptr_t)&probe_function, false, &f);
	assert_string_equal(f.name, "probe_function");
	symbols_resolve(rescans, (uint32_t)getpid(), (uintptr_t)&probe_function, false, &f);
	assert_string_equal(f.name, "probe_function");

	lib = dlopen(candidates[i].lib, RTLD_LAZY);
	assert_non_null(lib);
	fn = dlsym(lib, candidates[i].fn);
	assert_non_null(fn);

	symbols_resolve(fed, (uint32_t)getpid(), (uintptr_t)fn, false, &f);
	assert_string_equal(f.module, "[unknown]");
	assert_null(f.name);

	/* What the sampler would hand over from the MMAP2 record. */
	assert_int_equal(find_self_map((uintptr_t)fn, &sm), 0);
	procmap_mmap(sym_pm(fed), &sm.m);
	symbols_resolve(fed, (uint32_t)getpid(), (uintptr_t)fn, false, &f);
	assert_non_null(f.name);
	assert_non_null(strstr(f.name, candidates[i].fn));
	assert_non_null(strstr(f.module, candidates[i].module));

	symbols_resolve(rescans, (uint32_t)getpid(), (uintptr_t)fn, false, &f);
	assert_non_null(f.name);
	assert_non_null(strstr(f.name, candidates[i].fn));
	assert_non_null(strstr(f.module, candidates[i].module));

	sym_free(fed);
	sym_free(rescans);
	dlclose(lib);
}

/* Whether this kernel answers PROCMAP_QUERY (Linux 6.11) on a maps file. */
static bool kernel_has_procmap_query(void)
{
	struct {
		uint64_t size, query_flags, query_addr, out[6];
		uint32_t out32[4];
		uint64_t addrs[2];
	} q = { .size = sizeof(q), .query_addr = (uintptr_t)&probe_function };
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	int ret;

	assert_true(fd >= 0);
	ret = ioctl(fd, _IOWR('f', 17, q), &q);
	close(fd);
	return ret == 0;
}

/*
 * A miss re-reads /proc/PID/maps only when something is mapped at the
 * address, where the kernel can say (PROCMAP_QUERY): an address nothing
 * maps (what a frame-pointer chain through code without frame pointers is
 * full of) costs a query, not a read; an address that is mapped, a read
 * that finds it. Elsewhere every miss reads the file.
 */
static void test_rescan_only_when_mapped(void **state)
{
	struct symbols *s = sym_new();
	struct procmap_stats st;
	struct symbols_frame f;
	bool query = kernel_has_procmap_query();
	uint64_t scans;
	void *page;

	procmap_set_rescan_interval(sym_pm(s), 0);
	symbols_resolve(s, (uint32_t)getpid(), (uintptr_t)&probe_function, false, &f);
	assert_string_equal(f.name, "probe_function");
	procmap_stats(sym_pm(s), &st);
	scans = st.scans;
	assert_int_equal(scans, 1);

	/* Non-canonical on x86-64, never mapped anywhere. */
	symbols_resolve(s, (uint32_t)getpid(), 0x74696e695f6c6c64ull, false, &f);
	assert_string_equal(f.module, "[unknown]");
	procmap_stats(sym_pm(s), &st);
	assert_int_equal(st.scans, query ? scans : scans + 1);
	assert_int_equal(st.queries, query ? 1 : st.queries);
	scans = st.scans;

	/* A mapping made since the first read, which we were never told of: found by a read. */
	page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(page != MAP_FAILED);
	symbols_resolve(s, (uint32_t)getpid(), (uintptr_t)page + 8, false, &f);
	procmap_stats(sym_pm(s), &st);
	assert_int_equal(st.scans, scans + 1);
	assert_string_not_equal(f.module, "[unknown]");
	munmap(page, 4096);
	sym_free(s);
}

static void test_vdso(void **state)
{
	struct symbols *s;
	struct symbols_frame f;
	void *vdso, *fn;

	if (!getauxval(AT_SYSINFO_EHDR))
		skip();
	vdso = dlopen("linux-vdso.so.1", RTLD_LAZY | RTLD_NOLOAD);
	if (!vdso)
		skip();
	fn = dlsym(vdso, "__vdso_clock_gettime");
	if (!fn)
		skip();
	s = sym_new();
	symbols_resolve(s, (uint32_t)getpid(), (uintptr_t)fn + 2, false, &f);
	assert_string_equal(f.module, "[vdso]");
	assert_non_null(f.name);
	assert_non_null(strstr(f.name, "clock_gettime"));
	assert_int_equal(f.offset, (uintptr_t)fn + 2 - getauxval(AT_SYSINFO_EHDR));
	sym_free(s);
	dlclose(vdso);
}

static void test_non_pie_process(void **state)
{
	char self[4096], helper[4200], line[64];
	struct symbols *s;
	struct symbols_frame f;
	int in[2], out[2];
	ssize_t n;
	pid_t pid;
	FILE *fp;
	unsigned long addr = 0;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	assert_true(n > 0);
	self[n] = '\0';
	*strrchr(self, '/') = '\0';
	snprintf(helper, sizeof(helper), "%s/test_symbols_nopie", self);
	if (access(helper, X_OK) != 0)
		skip();

	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execl(helper, helper, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	fp = fdopen(out[0], "r");
	assert_non_null(fp);
	assert_non_null(fgets(line, sizeof(line), fp));
	addr = strtoul(line, NULL, 16);

	s = sym_new();
	symbols_resolve(s, (uint32_t)pid, addr + 1, false, &f);

	close(in[1]);
	fclose(fp);
	assert_int_equal(waitpid(pid, NULL, 0), pid);

	assert_non_null(strstr(f.module, "test_symbols_nopie"));
	assert_non_null(f.name);
	assert_string_equal(f.name, "nopie_function");
	sym_free(s);
}

/* Finds a text symbol in /proc/kallsyms whose address no other text symbol shares. */
static int pick_kernel_symbol(uint64_t *addr, char *name, size_t size)
{
	char line[512], prev_name[256] = "";
	uint64_t prev = 0, prev_prev = 0;
	FILE *f = fopen("/proc/kallsyms", "r");
	int found = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long a;
		char type, sym[256];

		if (sscanf(line, "%llx %c %255s", &a, &type, sym) != 3 || a == 0)
			continue;
		if (type != 't' && type != 'T')
			continue;
		if (strchr(line, '['))
			break;
		/* `prev` is unique when it differs from both neighbours. */
		if (prev && prev != prev_prev && prev != a && a > prev + 8) {
			*addr = prev;
			snprintf(name, size, "%s", prev_name);
			found = 0;
			if (strcmp(prev_name, "schedule") == 0)
				break;
		}
		prev_prev = prev;
		prev = a;
		snprintf(prev_name, sizeof(prev_name), "%s", sym);
	}
	fclose(f);
	return found;
}

static void test_kernel_real(void **state)
{
	struct symbols *s = sym_new();
	struct symbols_frame f;
	char name[256];
	uint64_t addr = 0;

	if (!symbols_have_kernel(s)) {
		symbols_resolve(s, 0, 0xffffffff81000000ull, true, &f);
		assert_true(f.kernel);
		assert_null(f.name);
		assert_string_equal(f.module, "[kernel.kallsyms]");
		sym_free(s);
		skip();
	}
	assert_int_equal(pick_kernel_symbol(&addr, name, sizeof(name)), 0);
	symbols_resolve(s, 0, addr + 4, true, &f);
	assert_true(f.kernel);
	assert_non_null(f.name);
	assert_string_equal(f.name, name);
	assert_string_equal(f.module, "[kernel.kallsyms]");
	sym_free(s);
}

static char *write_temp(const char *content)
{
	char *path = xstrdup("/tmp/test_symbols.XXXXXX");
	int fd = mkstemp(path);
	size_t len = strlen(content);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, len), (ssize_t)len);
	close(fd);
	return path;
}

/*
 * The hand-rolled kallsyms parser: lines out of address order (sorted
 * once), modules interleaved, upper-case hex, aliases, data and malformed
 * lines between, and a last line without its newline.
 */
static void test_kernel_parse_edges(void **state)
{
	char *kallsyms = write_temp("ffffffffc0002000 t xfs_b\t[xfs]\n"
				    "ffffffffc0001000 t ext4_a\t[ext4]\n"
				    "FFFFFFFF81000000 T _text\n"
				    "ffffffff81000100 w weak_one\n"
				    "ffffffff81000100 t local_one\n"
				    "ffffffff81000100 T __global_one\n"
				    "ffffffff81000180 d data_between\n"
				    "ffffffff81000200 T\n"
				    "zzzz T not_hex\n"
				    "ffffffff81000300 T after_noise\n"
				    "ffffffffc0001100 t ext4_b\t[ext4]\n"
				    "ffffffffc0002100 t xfs_c\t[xfs]\n"
				    "ffffffff81000400 T no_newline");
	struct symbols_kernel *k = symbols_kernel_load(kallsyms, NULL);
	struct symbols_frame f;

	(void)state;
	assert_true(symbols_kernel_available(k));
	/* global before local before weak, whatever the order in the file */
	symbols_kernel_lookup(k, 0xffffffff81000104ull, &f);
	assert_string_equal(f.name, "__global_one");
	assert_int_equal(f.offset, 0x104);
	symbols_kernel_lookup(k, 0xffffffff81000250ull, &f);
	assert_string_equal(f.name, "__global_one");
	symbols_kernel_lookup(k, 0xffffffff81000304ull, &f);
	assert_string_equal(f.name, "after_noise");
	symbols_kernel_lookup(k, 0xffffffff81000404ull, &f);
	assert_string_equal(f.name, "no_newline");
	symbols_kernel_lookup(k, 0xffffffffc0001004ull, &f);
	assert_string_equal(f.name, "ext4_a");
	assert_string_equal(f.module, "[ext4]");
	symbols_kernel_lookup(k, 0xffffffffc0001104ull, &f);
	assert_string_equal(f.name, "ext4_b");
	assert_string_equal(f.module, "[ext4]");
	symbols_kernel_lookup(k, 0xffffffffc0002004ull, &f);
	assert_string_equal(f.name, "xfs_b");
	assert_string_equal(f.module, "[xfs]");
	symbols_kernel_lookup(k, 0xffffffffc0002104ull, &f);
	assert_string_equal(f.name, "xfs_c");
	assert_string_equal(f.module, "[xfs]");
	symbols_kernel_free(k);
	unlink(kallsyms);
	free(kallsyms);
}

/* What symbols_kernel_functions() gave: names and ranges, up to `max`. */
struct functions_seen {
	char names[8][32];
	uint64_t start[8], end[8];
	size_t n, max;
};

static bool see_function(void *ctx, const char *name, uint64_t start, uint64_t end)
{
	struct functions_seen *seen = ctx;

	assert_true(seen->n < ARRAY_SIZE(seen->names));
	snprintf(seen->names[seen->n], sizeof(seen->names[0]), "%s", name);
	seen->start[seen->n] = start;
	seen->end[seen->n] = end;
	return ++seen->n < seen->max;
}

/*
 * The kernel's functions for a caller that looks for some by name (offcpu):
 * in address order, one per address (the alias listed last), each running
 * to the next (the core kernel's last one 4 KiB at most), text only; as many as the callback asks for. They are the
 * symbolizer's own, read once: its lookups after them read nothing more
 * (the file is gone by then). Hidden addresses: none.
 */
static void test_kernel_functions(void **state)
{
	char *kallsyms = write_temp("ffffffff81000200 T second\n"
				    "ffffffff81000100 t alias_first\n"
				    "ffffffff81000100 T alias_last\n"
				    "ffffffff81000180 d data_between\n"
				    "ffffffffc0001000 t in_module\t[mod]\n");
	char *hidden = write_temp("0000000000000000 T first\n0000000000000000 T second\n");
	struct functions_seen seen = { .max = 8 };
	struct symbols *s = sym_new();
	struct symbols_frame f;

	(void)state;
	procmap_set_live(sym_pm(s), false);
	symbols_set_kallsyms(s, kallsyms, NULL);
	symbols_kernel_functions(s, see_function, &seen);
	assert_int_equal(seen.n, 3);
	assert_string_equal(seen.names[0], "alias_last");
	assert_int_equal(seen.start[0], 0xffffffff81000100ull);
	assert_int_equal(seen.end[0], 0xffffffff81000200ull);
	assert_string_equal(seen.names[1], "second");
	/* The core kernel's last function does not run on to the module. */
	assert_int_equal(seen.end[1], 0xffffffff81000200ull + SYMBOLS_KERNEL_LAST_MAX);
	assert_string_equal(seen.names[2], "in_module");
	assert_true(symbols_kernel_memory(s) > 0);
	unlink(kallsyms);
	symbols_resolve(s, 1, 0xffffffff81000204ull, true, &f);
	assert_string_equal(f.name, "second");
	/* Stops when the callback says so. */
	memset(&seen, 0, sizeof(seen));
	seen.max = 1;
	symbols_kernel_functions(s, see_function, &seen);
	assert_int_equal(seen.n, 1);
	sym_free(s);

	s = sym_new();
	symbols_set_kallsyms(s, hidden, NULL);
	memset(&seen, 0, sizeof(seen));
	seen.max = 8;
	symbols_kernel_functions(s, see_function, &seen);
	assert_int_equal(seen.n, 0);
	assert_false(symbols_have_kernel(s));
	sym_free(s);
	unlink(hidden);
	free(hidden);
	free(kallsyms);
}

/*
 * The kernel symbols of a generated kallsyms `text` (`len` bytes written
 * into a buffer of `cap`), which must load; its file's path in *path.
 * Caller ends it with kernel_text_free.
 */
static struct symbols_kernel *kernel_of_text(const char *text, size_t len, size_t cap,
					     char **path)
{
	struct symbols_kernel *k;

	assert_true(len < cap);
	*path = write_temp(text);
	k = symbols_kernel_load(*path, NULL);
	assert_true(symbols_kernel_available(k));
	return k;
}

/* Frees what kernel_of_text made, the text and its file included. */
static void kernel_text_free(struct symbols_kernel *k, char *path, char *text)
{
	symbols_kernel_free(k);
	unlink(path);
	free(path);
	free(text);
}

/* The function at `addr` in `k` must be named `want`. */
static void assert_kernel_name(struct symbols_kernel *k, uint64_t addr, const char *want)
{
	struct symbols_frame f;

	symbols_kernel_lookup(k, addr, &f);
	assert_non_null(f.name);
	assert_string_equal(f.name, want);
}

/*
 * kallsyms is read a buffer at a time: a file of many lines has lines cut
 * between two reads, which must parse as if whole, and a line longer than
 * the buffer (no real kallsyms has one) is skipped without losing the
 * lines around it.
 */
static void test_kernel_parse_chunks(void **state)
{
	size_t n = 20000, i, len = 0, cap = n * 64 + 300000;
	char *text = malloc(cap), *kallsyms;
	struct symbols_kernel *k;
	struct symbols_frame f;
	char want[64];

	(void)state;
	assert_non_null(text);
	len += (size_t)sprintf(text + len, "ffffffff81000000 T _text\n");
	for (i = 0; i < n / 2; i++)
		len += (size_t)sprintf(text + len, "%016llx T fn_%zu\n",
				       0xffffffff81001000ull + i * 0x100, i);
	/* 200 KB of one line, then a symbol right after it. */
	len += (size_t)sprintf(text + len, "ffffffff80000000 T ");
	memset(text + len, 'x', 200000);
	len += 200000;
	len += (size_t)sprintf(text + len, "\nffffffff80000100 T after_long\n");
	for (; i < n; i++)
		len += (size_t)sprintf(text + len, "%016llx t fn_%zu\t[mod]\n",
				       0xffffffffc0001000ull + i * 0x100, i);
	k = kernel_of_text(text, len, cap, &kallsyms);
	for (i = 0; i < n; i += 97) {
		uint64_t base = i < n / 2 ? 0xffffffff81001000ull : 0xffffffffc0001000ull;

		snprintf(want, sizeof(want), "fn_%zu", i);
		assert_kernel_name(k, base + i * 0x100 + 8, want);
		symbols_kernel_lookup(k, base + i * 0x100 + 8, &f);
		assert_string_equal(f.module, i < n / 2 ? "[kernel.kallsyms]" : "[mod]");
	}
	assert_kernel_name(k, 0xffffffff80000104ull, "after_long");
	symbols_kernel_lookup(k, 0xffffffff80000004ull, &f);
	assert_null(f.name);
	kernel_text_free(k, kallsyms, text);
}

/*
 * A kernel larger than the tables are first sized for (131,072 symbols,
 * 4 MiB of names): both grow as big arrays (mapped, then moved by
 * mremap) and keep every symbol and name, the last ones included.
 */
static void test_kernel_parse_grows(void **state)
{
	size_t n = 160000, i, len = 0, cap = n * 80 + 100;
	char *text = malloc(cap), *kallsyms;
	struct symbols_kernel *k;
	char want[80];

	(void)state;
	assert_non_null(text);
	for (i = 0; i < n; i++)
		len += (size_t)sprintf(text + len, "%016llx %c a_long_kernel_function_name_%zu\n",
				       0xffffffff81000000ull + i * 0x40, i % 2 ? 't' : 'T', i);
	k = kernel_of_text(text, len, cap, &kallsyms);
	for (i = 0; i < n; i = i < n - 1 && i + 1009 >= n ? n - 1 : i + 1009) {
		snprintf(want, sizeof(want), "a_long_kernel_function_name_%zu", i);
		assert_kernel_name(k, 0xffffffff81000000ull + i * 0x40 + 0x3f, want);
		if (i == n - 1)
			break;
	}
	kernel_text_free(k, kallsyms, text);
}

/*
 * Where each kernel symbol starts and stops, as the head and tail of a
 * real kallsyms have them: zero addresses (per-CPU symbols, and what
 * kptr_restrict hides) are no symbol at 0 and do not hide the others;
 * _text and _stext share an address, the one listed last wins; a symbol
 * runs up to, not into, the next one; module symbols without
 * /proc/modules to bound them (it may be unreadable, or absent as on
 * kernels without modules) keep their module's name; the very last
 * symbol runs LAST_SYMBOL_MAX (4096) bytes and no further.
 */
static void test_kernel_parse_bounds(void **state)
{
	char *kallsyms = write_temp("0000000000000000 A __per_cpu_start\n"
				    "0000000000000000 t zero_text\n"
				    "ffffffff81000000 T _text\n"
				    "ffffffff81000000 T _stext\n"
				    "ffffffff81000040 t first_fn\n"
				    "ffffffff81000080 T dup_a\n"
				    "ffffffff81000080 t dup_b\n"
				    "ffffffff810000c0 T core_last\n"
				    "ffffffffc0000000 t mod_fn\t[m1]\n"
				    "ffffffffc0000100 t mod_last\t[m1]\n"
				    "ffffffffc0002000 t bpf_prog_x\t[bpf]\n");
	struct symbols_kernel *k = symbols_kernel_load(kallsyms, "/nonexistent/modules");
	struct symbols_frame f;

	(void)state;
	assert_true(symbols_kernel_available(k));
	symbols_kernel_lookup(k, 0x10, &f);
	assert_null(f.name);
	symbols_kernel_lookup(k, 0xffffffff81000000ull, &f);
	assert_string_equal(f.name, "_stext");
	assert_string_equal(f.module, "[kernel.kallsyms]");
	assert_int_equal(f.offset, 0);
	symbols_kernel_lookup(k, 0xffffffff8100003full, &f);
	assert_string_equal(f.name, "_stext");
	symbols_kernel_lookup(k, 0xffffffff81000040ull, &f);
	assert_string_equal(f.name, "first_fn");
	assert_int_equal(f.offset, 0x40);
	symbols_kernel_lookup(k, 0xffffffff8100007full, &f);
	assert_string_equal(f.name, "first_fn");
	symbols_kernel_lookup(k, 0xffffffff81000080ull, &f);
	assert_string_equal(f.name, "dup_b");
	symbols_kernel_lookup(k, 0xffffffff810000c0ull, &f);
	assert_string_equal(f.name, "core_last");
	symbols_kernel_lookup(k, 0xffffffffc00000ffull, &f);
	assert_string_equal(f.name, "mod_fn");
	assert_string_equal(f.module, "[m1]");
	symbols_kernel_lookup(k, 0xffffffffc0000100ull, &f);
	assert_string_equal(f.name, "mod_last");
	assert_string_equal(f.module, "[m1]");
	symbols_kernel_lookup(k, 0xffffffffc0002fffull, &f);
	assert_string_equal(f.name, "bpf_prog_x");
	assert_string_equal(f.module, "[bpf]");
	symbols_kernel_lookup(k, 0xffffffffc0003000ull, &f);
	assert_null(f.name);
	symbols_kernel_free(k);
	unlink(kallsyms);
	free(kallsyms);
}

static void test_kernel_synthetic(void **state)
{
	char *kallsyms = write_temp("ffffffff81000000 T _text\n"
				    "ffffffff81000000 T _stext\n"
				    "ffffffff81000100 W start_kernel_alias\n"
				    "ffffffff81000100 T start_kernel\n"
				    "ffffffff81000180 T __ia32_sys_getppid\n"
				    "ffffffff81000180 T __x64_sys_getppid\n"
				    "ffffffff81000200 t helper\n"
				    "ffffffff81000300 D some_data\n"
				    "ffffffff81000400 T last_core\n"
				    "ffffffffc0001000 t ext4_read\t[ext4]\n"
				    "ffffffffc0001080 T ext4_write\t[ext4]\n"
				    "ffffffffc0100000 t xfs_thing\t[xfs]\n"
				    "garbage line\n"
				    "ffffffffc01 \n");
	char *modules = write_temp("ext4 4096 1 - Live 0xffffffffc0001000\n"
				   "xfs 8192 0 - Live 0xffffffffc0100000 (OE)\n");
	char *zeros = write_temp("0000000000000000 T _text\n"
				 "0000000000000000 T start_kernel\n");
	struct symbols_kernel *k;
	struct symbols_frame f;

	k = symbols_kernel_load(kallsyms, modules);
	assert_true(symbols_kernel_available(k));
	symbols_kernel_lookup(k, 0xffffffff81000104ull, &f);
	assert_true(f.kernel);
	assert_string_equal(f.name, "start_kernel");
	assert_string_equal(f.module, "[kernel.kallsyms]");
	assert_int_equal(f.offset, 0x104);
	/* Among aliases, the one listed last, as perf has it (not the longer name). */
	symbols_kernel_lookup(k, 0xffffffff81000184ull, &f);
	assert_string_equal(f.name, "__x64_sys_getppid");
	/* Data symbols do not cut a function short. */
	symbols_kernel_lookup(k, 0xffffffff81000350ull, &f);
	assert_string_equal(f.name, "helper");
	symbols_kernel_lookup(k, 0xffffffffc0001010ull, &f);
	assert_string_equal(f.name, "ext4_read");
	assert_string_equal(f.module, "[ext4]");
	assert_int_equal(f.offset, 0x10);
	/* Past the end of ext4 (4096 bytes) is no longer ext4_write. */
	symbols_kernel_lookup(k, 0xffffffffc0002800ull, &f);
	assert_null(f.name);
	symbols_kernel_lookup(k, 0xffffffffc0100004ull, &f);
	assert_string_equal(f.name, "xfs_thing");
	assert_string_equal(f.module, "[xfs]");
	/* Below the first symbol. */
	symbols_kernel_lookup(k, 0xffffffff80000000ull, &f);
	assert_null(f.name);
	assert_string_equal(f.module, "[kernel.kallsyms]");
	symbols_kernel_free(k);

	/* kptr_restrict: everything zero means nothing usable. */
	k = symbols_kernel_load(zeros, NULL);
	assert_false(symbols_kernel_available(k));
	symbols_kernel_lookup(k, 0xffffffff81000104ull, &f);
	assert_null(f.name);
	assert_true(f.kernel);
	assert_string_equal(f.module, "[kernel.kallsyms]");
	assert_int_equal(f.offset, 0xffffffff81000104ull);
	symbols_kernel_free(k);

	k = symbols_kernel_load("/nonexistent/kallsyms", "/nonexistent/modules");
	assert_false(symbols_kernel_available(k));
	symbols_kernel_free(k);

	unlink(kallsyms);
	unlink(modules);
	unlink(zeros);
	free(kallsyms);
	free(modules);
	free(zeros);
}

static void test_unmapped(void **state)
{
	struct symbols *s = sym_new();
	struct symbols_frame f;

	symbols_resolve(s, (uint32_t)getpid(), 0x10, false, &f);
	assert_string_equal(f.module, "[unknown]");
	assert_null(f.name);
	assert_false(f.kernel);
	/* A pid that does not exist has no mappings at all. */
	symbols_resolve(s, FAKE_PID, (uintptr_t)&probe_function, false, &f);
	assert_string_equal(f.module, "[unknown]");
	assert_null(f.name);
	sym_free(s);
}

/* The mapping of this executable's text, moved to FAKE_BASE in process `pid`. */
static void fake_text_mapping(uint32_t pid, struct self_map *sm)
{
	assert_int_equal(find_self_map((uintptr_t)&probe_function, sm), 0);
	sm->m.pid = sm->m.tid = pid;
	sm->m.start = FAKE_BASE;
}

static uint64_t fake_addr(const struct self_map *sm, void *fn)
{
	uintptr_t real_start;
	struct self_map real;

	assert_int_equal(find_self_map((uintptr_t)fn, &real), 0);
	real_start = real.m.start;
	return FAKE_BASE + ((uintptr_t)fn - real_start);
}

static void test_fork_exec_exit(void **state)
{
	struct symbols *s = sym_new();
	struct symbols_frame f;
	struct self_map sm;
	uint64_t addr;
	uint32_t i;

	procmap_set_rescan_interval(sym_pm(s), 0);
	fake_text_mapping(FAKE_PID, &sm);
	addr = fake_addr(&sm, (void *)&probe_function) + 2;
	procmap_mmap(sym_pm(s), &sm.m);
	symbols_resolve(s, FAKE_PID, addr, false, &f);
	assert_string_equal(f.name, "probe_function");
	assert_string_equal(f.module, sm.path);
	assert_int_equal(f.offset, addr - FAKE_BASE + sm.m.pgoff);

	/* A thread: nothing changes. */
	procmap_fork(sym_pm(s), FAKE_PID, FAKE_PID, 0);
	symbols_resolve(s, FAKE_PID, addr, false, &f);
	assert_string_equal(f.name, "probe_function");

	/* A child process inherits the maps. */
	procmap_fork(sym_pm(s), FAKE_CHILD, FAKE_PID, 0);
	symbols_resolve(s, FAKE_CHILD, addr, false, &f);
	assert_string_equal(f.name, "probe_function");

	/* exec empties the child's maps, not the parent's. */
	procmap_exec(sym_pm(s), FAKE_CHILD, 0);
	symbols_resolve(s, FAKE_CHILD, addr, false, &f);
	assert_string_equal(f.module, "[unknown]");
	symbols_resolve(s, FAKE_PID, addr, false, &f);
	assert_string_equal(f.name, "probe_function");

	/* After exit, samples that arrive late still resolve... */
	procmap_exit(sym_pm(s), FAKE_PID);
	procmap_exit(sym_pm(s), FAKE_PID);
	procmap_exit(sym_pm(s), 12345678u);
	symbols_resolve(s, FAKE_PID, addr, false, &f);
	assert_string_equal(f.name, "probe_function");
	/* ...until enough other processes have exited after it. */
	for (i = 0; i < 64; i++) {
		procmap_fork(sym_pm(s), FAKE_CHILD + 1 + i, FAKE_CHILD, 0);
		procmap_exit(sym_pm(s), FAKE_CHILD + 1 + i);
	}
	symbols_resolve(s, FAKE_PID, addr, false, &f);
	assert_string_equal(f.module, "[unknown]");

	/* The pid comes back as a new process. */
	procmap_mmap(sym_pm(s), &sm.m);
	symbols_resolve(s, FAKE_PID, addr, false, &f);
	assert_string_equal(f.name, "probe_function");

	/* A reused pid starts afresh: the old process's maps are gone. */
	procmap_exit(sym_pm(s), FAKE_PID);
	sm.m.start = FAKE_BASE * 2;
	procmap_mmap(sym_pm(s), &sm.m);
	symbols_resolve(s, FAKE_PID, addr, false, &f);
	assert_string_equal(f.module, "[unknown]");
	symbols_resolve(s, FAKE_PID, addr + FAKE_BASE, false, &f);
	assert_string_equal(f.name, "probe_function");
	sym_free(s);
}

/* The name of the frame of node `node` of `p`. */
static const char *node_name(const struct profile *p, uint32_t node)
{
	return profile_string(p, p->frames[p->nodes[node].frame].name);
}

/*
 * The collect stage keeps what a stack was turned into (its frame trie),
 * so that the same chain costs one lookup per frame the next time; a new
 * mapping over the addresses must make it resolve the chain again, and a
 * stack with an address in no mapping is never kept (the maps may be
 * learnt later).
 */
static void test_collect_stack_cache(void **state)
{
	struct symbols *s = sym_new();
	struct profile *p = profile_new();
	struct pipeline_collect *c = pipeline_collect_new(p, sym_pm(s), s);
	const struct pipeline_sink *sink = pipeline_collect_sink(c);
	struct pipeline_mmap anon = { .pid = FAKE_PID, .tid = FAKE_PID, .start = FAKE_BASE,
				      .len = 0x100000, .filename = "//anon" };
	struct self_map sm;
	uint64_t ips[3];
	struct pipeline_sample smp = { .pid = FAKE_PID, .tid = FAKE_PID, .period = 1,
				       .nr_ips = 3, .ips = ips };
	uint32_t node;

	procmap_set_live(sym_pm(s), false);
	fake_text_mapping(FAKE_PID, &sm);
	ips[0] = PERF_CONTEXT_USER;
	ips[1] = fake_addr(&sm, (void *)&probe_function) + 2;
	ips[2] = fake_addr(&sm, (void *)&probe_other) + 6; /* a return address */
	assert_int_equal(sink->ops->mmap(sink->ctx, &sm.m), 0);

	/* Twice the same chain: the same node, probe_other calling probe_function. */
	assert_int_equal(sink->ops->sample(sink->ctx, &smp), 0);
	assert_int_equal(sink->ops->sample(sink->ctx, &smp), 0);
	assert_int_equal(p->nsamples, 2);
	node = p->samples[0].node;
	assert_int_equal(p->samples[1].node, node);
	assert_int_equal(p->samples[1].chain, p->samples[0].chain);
	assert_int_equal(p->samples[1].location, p->samples[0].location);
	assert_string_equal(node_name(p, node), "probe_function");
	assert_string_equal(node_name(p, p->nodes[node].parent), "probe_other");
	assert_int_not_equal(p->samples[0].location, PROFILE_NO_LOCATION);

	/* Anonymous memory mapped over the code: the chain names it now. */
	assert_int_equal(sink->ops->mmap(sink->ctx, &anon), 0);
	assert_int_equal(sink->ops->sample(sink->ctx, &smp), 0);
	assert_int_not_equal(p->samples[2].node, node);
	assert_string_not_equal(node_name(p, p->samples[2].node), "probe_function");

	/* The code again: the same node as at first. */
	assert_int_equal(sink->ops->mmap(sink->ctx, &sm.m), 0);
	assert_int_equal(sink->ops->sample(sink->ctx, &smp), 0);
	assert_int_equal(p->samples[3].node, node);

	/*
	 * A chain through no mapping is named [unknown]; when the maps learn
	 * the mapping (as a rescan of /proc/PID/maps would, with no record
	 * through the sink), the same chain names it.
	 */
	ips[2] = FAKE_BASE * 4 + (fake_addr(&sm, (void *)&probe_other) + 6 - FAKE_BASE);
	assert_int_equal(sink->ops->sample(sink->ctx, &smp), 0);
	assert_memory_equal(node_name(p, p->nodes[p->samples[4].node].parent), "[unknown]+0x", 12);
	sm.m.start = FAKE_BASE * 4;
	procmap_mmap(sym_pm(s), &sm.m);
	assert_int_equal(sink->ops->sample(sink->ctx, &smp), 0);
	assert_string_equal(node_name(p, p->nodes[p->samples[5].node].parent), "probe_other");

	/*
	 * A profile type's pseudo-frame below the same chain (an off-CPU
	 * reason, an exception's type) is part of the stack: two reasons,
	 * two leaves, whatever was kept of the chain before.
	 */
	smp.leaf = "[sleep]";
	smp.leaf_module = "[offcpu]";
	assert_int_equal(sink->ops->sample(sink->ctx, &smp), 0);
	smp.leaf = "[lock]";
	assert_int_equal(sink->ops->sample(sink->ctx, &smp), 0);
	assert_string_equal(node_name(p, p->samples[6].node), "[sleep]");
	assert_string_equal(node_name(p, p->samples[7].node), "[lock]");
	assert_string_equal(node_name(p, p->nodes[p->samples[7].node].parent), "probe_function");
	smp.leaf = NULL;
	assert_int_equal(sink->ops->sample(sink->ctx, &smp), 0);
	assert_string_equal(node_name(p, p->samples[8].node), "probe_function");

	pipeline_collect_free(c);
	profile_free(p);
	sym_free(s);
}

/* The name the collect stage's profile gives thread `tid`. */
static const char *thread_name(const struct profile *p, uint32_t tid)
{
	const struct profile_thread *t = profile_find_thread(p, tid);

	assert_non_null(t);
	return profile_string(p, t->comm);
}

/*
 * A new thread or process starts with its creator's name, also when its
 * tid is one the profile knew: a dead thread's (its exit seen), or
 * another process's (its exit lost); the new one has its own pid and
 * name. A name that came before its fork record (a COMM read first from
 * another CPU's ring) stays.
 */
static void test_collect_task_reused_tid(void **state)
{
	struct symbols *s = sym_new();
	struct profile *p = profile_new();
	struct pipeline_collect *c = pipeline_collect_new(p, sym_pm(s), s);
	const struct pipeline_sink *sink = pipeline_collect_sink(c);
	struct pipeline_comm cm = { .pid = 100, .tid = 100, .comm = "bash" };
	struct pipeline_task t = { .pid = 500, .tid = 500, .exit = true };

	(void)state;
	procmap_set_live(sym_pm(s), false);
	assert_int_equal(sink->ops->comm(sink->ctx, &cm), 0);
	cm = (struct pipeline_comm){ .pid = 500, .tid = 500, .comm = "old" };
	assert_int_equal(sink->ops->comm(sink->ctx, &cm), 0);
	cm = (struct pipeline_comm){ .pid = 300, .tid = 301, .comm = "gone" };
	assert_int_equal(sink->ops->comm(sink->ctx, &cm), 0);

	/* Process 500 exited; bash forks a process that gets its pid. */
	assert_int_equal(sink->ops->task(sink->ctx, &t), 0);
	t = (struct pipeline_task){ .pid = 500, .ppid = 100, .tid = 500, .ptid = 100 };
	assert_int_equal(sink->ops->task(sink->ctx, &t), 0);
	assert_string_equal(thread_name(p, 500), "bash");
	assert_int_equal(profile_find_thread(p, 500)->exited, 0);

	/* Thread 301 of process 300 ended unseen; bash starts a thread 301. */
	t = (struct pipeline_task){ .pid = 100, .ppid = 100, .tid = 301, .ptid = 100 };
	assert_int_equal(sink->ops->task(sink->ctx, &t), 0);
	assert_string_equal(thread_name(p, 301), "bash");
	assert_int_equal(profile_find_thread(p, 301)->pid, 100);

	/* The exec's name read before the fork that made the process. */
	cm = (struct pipeline_comm){ .pid = 600, .tid = 600, .exec = true, .comm = "make" };
	assert_int_equal(sink->ops->comm(sink->ctx, &cm), 0);
	t = (struct pipeline_task){ .pid = 600, .ppid = 100, .tid = 600, .ptid = 100 };
	assert_int_equal(sink->ops->task(sink->ctx, &t), 0);
	assert_string_equal(thread_name(p, 600), "make");

	pipeline_collect_free(c);
	profile_free(p);
	sym_free(s);
}

/*
 * A thread first seen in a sample is named from /proc, and so is its
 * process's first thread when the profile does not know it: its name is
 * the process's (push's label), and a recorder that forgot an idle first
 * thread would see its other threads again, never it.
 */
static void test_collect_names_process(void **state)
{
	struct symbols *s = sym_new();
	struct profile *p = profile_new();
	struct pipeline_collect *c = pipeline_collect_new(p, sym_pm(s), s);
	const struct pipeline_sink *sink = pipeline_collect_sink(c);
	uint32_t pid = (uint32_t)getpid();
	/* A tid /proc does not have: named by its process, as a thread gone. */
	struct pipeline_sample smp = { .pid = pid, .tid = 4000000000u, .period = 1 };
	char *comm = util_read_file("/proc/self/comm", NULL);
	const struct profile_thread *t;

	(void)state;
	assert_non_null(comm);
	comm[strcspn(comm, "\n")] = '\0';
	procmap_set_live(sym_pm(s), false);
	assert_int_equal(sink->ops->sample(sink->ctx, &smp), 0);
	assert_string_equal(thread_name(p, 4000000000u), comm);
	t = profile_find_thread(p, pid);
	assert_non_null(t);
	assert_int_equal(t->pid, pid);
	assert_string_equal(profile_string(p, t->comm), comm);
	assert_int_equal(p->nthreads, 2);

	free(comm);
	pipeline_collect_free(c);
	profile_free(p);
	sym_free(s);
}

/* The outermost frame of `node`'s stack. */
static const char *root_name(const struct profile *p, uint32_t node)
{
	while (p->nodes[node].parent != PROFILE_ROOT)
		node = p->nodes[node].parent;
	return node_name(p, node);
}

/*
 * A frame-pointer chain that never reaches a root shows under [truncated]
 * when it was cut: as long as the kernel's cap, or longer than the stage
 * keeps (1024 frames, under a cap set higher); not when it is shorter.
 */
static void test_collect_truncated(void **state)
{
	struct symbols *s = sym_new();
	struct profile *p = profile_new();
	struct pipeline_collect *c = pipeline_collect_new(p, sym_pm(s), s);
	const struct pipeline_sink *sink = pipeline_collect_sink(c);
	struct self_map sm;
	uint64_t ips[1101];
	struct pipeline_sample smp = { .pid = FAKE_PID, .tid = FAKE_PID, .period = 1, .ips = ips };
	size_t i;

	procmap_set_live(sym_pm(s), false);
	fake_text_mapping(FAKE_PID, &sm);
	assert_int_equal(sink->ops->mmap(sink->ctx, &sm.m), 0);
	ips[0] = PERF_CONTEXT_USER;
	ips[1] = fake_addr(&sm, (void *)&probe_function) + 2;
	for (i = 2; i < ARRAY_SIZE(ips); i++)
		ips[i] = fake_addr(&sm, (void *)&probe_other) + 6;

	pipeline_collect_set_max_stack(c, 127);
	smp.nr_ips = 1 + 127; /* at the cap */
	assert_int_equal(sink->ops->sample(sink->ctx, &smp), 0);
	assert_string_equal(root_name(p, p->samples[0].node), "[truncated]");
	assert_string_equal(node_name(p, p->samples[0].node), "probe_function");
	smp.nr_ips = 1 + 20; /* short of it: stops in code without frame pointers */
	assert_int_equal(sink->ops->sample(sink->ctx, &smp), 0);
	assert_string_equal(root_name(p, p->samples[1].node), "probe_other");

	pipeline_collect_set_max_stack(c, 2000);
	smp.nr_ips = ARRAY_SIZE(ips); /* 1100 frames: more than the stage keeps */
	assert_int_equal(sink->ops->sample(sink->ctx, &smp), 0);
	assert_string_equal(root_name(p, p->samples[2].node), "[truncated]");

	pipeline_collect_free(c);
	profile_free(p);
	sym_free(s);
}

int main(void);
static void test_jit_map(void **state);
static void test_jit_map_after_exit(void **state);

static int truncated_notices;

static void count_truncated(void *ctx, const char *msg)
{
	if (strstr(msg, "look truncated"))
		truncated_notices++;
}

/*
 * A stack whose callers were seen before under another leaf address takes
 * what they gave and resolves its leaf alone: it must come out as resolving
 * the whole chain would, whatever the leaf is (another address of the same
 * function, another function, a stack's root for the frame-pointer check).
 */
static void test_collect_callers_cache(void **state)
{
	struct symbols *s = sym_new();
	struct profile *p = profile_new();
	struct pipeline_collect *c = pipeline_collect_new(p, sym_pm(s), s);
	const struct pipeline_sink *sink = pipeline_collect_sink(c);
	struct ft_notice n;
	struct self_map sm;
	uint64_t ips[3];
	struct pipeline_sample smp = { .pid = FAKE_PID, .tid = FAKE_PID, .period = 1,
				       .nr_ips = 3, .ips = ips };
	const struct profile_sample *x;
	uint32_t i;

	notice_init(&n, count_truncated, NULL);
	pipeline_collect_set_notice(c, &n);
	truncated_notices = 0;
	procmap_set_live(sym_pm(s), false);
	fake_text_mapping(FAKE_PID, &sm);
	assert_int_equal(sink->ops->mmap(sink->ctx, &sm.m), 0);
	ips[0] = PERF_CONTEXT_USER;
	ips[1] = fake_addr(&sm, (void *)&probe_function) + 2;
	ips[2] = fake_addr(&sm, (void *)&probe_other) + 6; /* a return address */
	assert_int_equal(sink->ops->sample(sink->ctx, &smp), 0);

	/* Another address of the leaf function: the same node, its own location. */
	ips[1] += 1;
	assert_int_equal(sink->ops->sample(sink->ctx, &smp), 0);
	x = p->samples;
	assert_int_equal(x[1].node, x[0].node);
	assert_int_not_equal(x[1].location, x[0].location);
	assert_int_equal(p->locations[x[1].location].frame, p->nodes[x[0].node].frame);
	assert_int_equal(p->locations[x[1].location].offset,
			 p->locations[x[0].location].offset + 1);
	assert_int_equal(p->chains[x[1].chain].location, x[1].location);
	assert_int_equal(p->chains[x[1].chain].parent, p->chains[x[0].chain].parent);

	/* Another function as the leaf, under the same callers. */
	ips[1] = fake_addr(&sm, (void *)&probe_other) + 2;
	assert_int_equal(sink->ops->sample(sink->ctx, &smp), 0);
	x = p->samples;
	assert_string_equal(node_name(p, x[2].node), "probe_other");
	assert_int_equal(p->nodes[x[2].node].parent, p->nodes[x[0].node].parent);
	assert_int_equal(p->chains[x[2].chain].parent, p->chains[x[0].chain].parent);

	/*
	 * Frame pointers: these callers never reach a root, but a leaf in
	 * main makes its stack a rooted one; 60 of those and 3 truncated
	 * stacks say nothing. Then 120 truncated stacks, each leaf address
	 * new: more than half look truncated, which the stage says.
	 */
	for (i = 0; i < 60; i++) {
		ips[1] = fake_addr(&sm, (void *)&main) + 1 + i;
		assert_int_equal(sink->ops->sample(sink->ctx, &smp), 0);
		assert_string_equal(node_name(p, p->samples[p->nsamples - 1].node), "main");
	}
	pipeline_collect_tick(c);
	assert_int_equal(truncated_notices, 0);
	for (i = 0; i < 120; i++) {
		ips[1] = fake_addr(&sm, (void *)&test_jit_map) + 1 + i;
		assert_int_equal(sink->ops->sample(sink->ctx, &smp), 0);
	}
	pipeline_collect_tick(c);
	assert_int_equal(truncated_notices, 1);

	pipeline_collect_free(c);
	notice_free(&n);
	profile_free(p);
	sym_free(s);
}

/* The messages of a notice, appended to the string its context points to. */
static void keep_notice(void *ctx, const char *msg)
{
	char *buf = ctx;

	snprintf(buf + strlen(buf), 1024 - strlen(buf), "%s\n", msg);
}

/* A deterministic pseudo-random number below `n` (xorshift). */
static uint32_t trie_rand(uint64_t *st, uint32_t n)
{
	*st ^= *st << 13;
	*st ^= *st >> 7;
	*st ^= *st << 17;
	return (uint32_t)(*st % n);
}

/*
 * A chain for the trie test (innermost first, with context markers):
 * stacks that share their callers, recursion, leaves at many addresses,
 * kernel parts, stacks that stop short of main, the odd address in no
 * mapping, a zero, a user address in the kernel's part, a chain with its
 * kernel part above its user part, one in a guest's context. `wide`:
 * deep stacks of callers anywhere in the code, seldom seen twice.
 * Returns its length.
 */
static uint32_t trie_chain(uint64_t *st, const uint64_t *fns, uint32_t nfns, uint64_t main_addr,
			   bool wide, uint64_t *ips)
{
	uint32_t nr = 0, depth, path, i, nk = 0, shape = trie_rand(st, 32);
	uint64_t kernel[4];

	if (shape < 10 || shape >= 29)
		for (nk = 1 + trie_rand(st, 4), i = 0; i < nk; i++)
			kernel[i] = trie_rand(st, 8) == 0
					    ? fns[trie_rand(st, nfns)] + 1 + trie_rand(st, 24)
					    : 0xffffffff81000000ull + trie_rand(st, 6) * 0x40 + 1;
	if (shape == 31) {
		ips[nr++] = PERF_CONTEXT_GUEST_KERNEL;
		ips[nr++] = kernel[0];
	}
	if (nk && shape != 30) {
		ips[nr++] = PERF_CONTEXT_KERNEL;
		for (i = 0; i < nk; i++)
			ips[nr++] = kernel[i];
	}
	if (shape == 29) {
		/* A kernel thread's, ending where user stacks end. */
		ips[nr++] = main_addr;
		return nr;
	}
	ips[nr++] = PERF_CONTEXT_USER;
	/* The leaf: anywhere in one of the functions. */
	ips[nr++] = fns[trie_rand(st, nfns)] + trie_rand(st, 24);
	/* Its callers: a path down a small tree, so stacks share their outer frames. */
	depth = wide ? 40 : trie_rand(st, 12);
	path = trie_rand(st, 64);
	for (i = 0; i < depth; i++) {
		uint64_t ret = wide ? fns[trie_rand(st, nfns)] + 6 + trie_rand(st, 4096)
				    : fns[(path >> (i % 6) & 3) % nfns] + 6 + (i % 3);

		if (trie_rand(st, 16) == 0)
			ret = FAKE_BASE * 8 + trie_rand(st, 4); /* in no mapping */
		else if (trie_rand(st, 16) == 0)
			ret = 0;
		ips[nr++] = ret;
		if (trie_rand(st, 8) == 0)
			ips[nr++] = ret; /* recursion */
	}
	if (trie_rand(st, 4) != 0)
		ips[nr++] = main_addr; /* a complete stack */
	if (shape == 30) {
		ips[nr++] = PERF_CONTEXT_KERNEL;
		for (i = 0; i < nk; i++)
			ips[nr++] = kernel[i];
	}
	return nr;
}

/*
 * The caches of the collect stage (the stack cache, the frame trie) must
 * give every sample exactly what resolving its chain afresh gives: the
 * same node, location chain and hit location, ids included, and the same
 * frame-pointer verdicts. Two collectors over one symbolizer take the
 * same samples of two processes, with the processes' code mapped over
 * now and then; the second gets each chain with zeros after its frames,
 * which makes it too long to cache, so it resolves every chain in full.
 * Halfway, the maps learn where the addresses in no mapping are (as a
 * rescan of /proc/PID/maps would, with no record through the sink). With
 * the profiles' limits small, the same holds while things fold; with
 * `wide` stacks, while the caches fill and are emptied.
 */
static void collect_trie_compare(const struct profile_limits *limits, uint64_t seed, bool wide)
{
	struct symbols *s = sym_new();
	struct profile *pa = profile_new(), *pb = profile_new();
	struct pipeline_collect *a = pipeline_collect_new(pa, sym_pm(s), s);
	struct pipeline_collect *b = pipeline_collect_new(pb, sym_pm(s), s);
	const struct pipeline_sink *sa = pipeline_collect_sink(a), *sb = pipeline_collect_sink(b);
	void *const fn_ptrs[] = { (void *)&probe_function, (void *)&probe_other,
				  (void *)&sym_new,	   (void *)&sym_pm,
				  (void *)&find_self_map,  (void *)&fake_addr };
	struct pipeline_mmap anon = { .tid = FAKE_PID, .start = FAKE_BASE,
				      .len = 0x100000, .filename = "//anon" };
	uint64_t fns[ARRAY_SIZE(fn_ptrs)], ips[128], padded[128 + 300] = { 0 }, main_addr, st = seed;
	struct pipeline_sample smp = { .tid = FAKE_PID, .period = 1, .ips = ips };
	struct pipeline_sample smp_b = { .tid = FAKE_PID, .period = 1, .ips = padded };
	/* The third process's code is never mapped over. */
	const uint32_t pids[3] = { FAKE_PID, FAKE_CHILD, FAKE_CHILD + 1 };
	char said_a[1024] = "", said_b[1024] = "";
	struct ft_notice na, nb;
	struct self_map sm;
	uint32_t i, j, nsamples = wide ? 9000 : 4000;

	profile_set_limits(pa, limits);
	profile_set_limits(pb, limits);
	notice_init(&na, keep_notice, said_a);
	notice_init(&nb, keep_notice, said_b);
	pipeline_collect_set_notice(a, &na);
	pipeline_collect_set_notice(b, &nb);
	procmap_set_live(sym_pm(s), false);
	fake_text_mapping(FAKE_PID, &sm);
	for (i = 0; i < ARRAY_SIZE(fn_ptrs); i++)
		fns[i] = fake_addr(&sm, fn_ptrs[i]);
	main_addr = fake_addr(&sm, (void *)&main) + 9;
	for (j = 0; j < 3; j++) {
		sm.m.pid = sm.m.tid = pids[j];
		assert_int_equal(sa->ops->mmap(sa->ctx, &sm.m), 0);
		assert_int_equal(sb->ops->mmap(sb->ctx, &sm.m), 0);
	}
	for (i = 0; i < nsamples; i++) {
		uint32_t pid = pids[trie_rand(&st, 3)];

		if (i == nsamples / 2) {
			for (j = 0; j < 3; j++) {
				sm.m.pid = sm.m.tid = pids[j];
				sm.m.start = FAKE_BASE * 8;
				procmap_mmap(sym_pm(s), &sm.m);
			}
			sm.m.start = FAKE_BASE;
		}
		if ((i % 500 == 250 || i % 500 == 400) && pid != pids[2]) {
			/* Other code over the process's, then its own again. */
			struct pipeline_mmap *m = i % 500 == 250 ? &anon : &sm.m;

			m->pid = m->tid = pid;
			assert_int_equal(sa->ops->mmap(sa->ctx, m), 0);
			assert_int_equal(sb->ops->mmap(sb->ctx, m), 0);
		}
		smp.pid = smp.tid = smp_b.pid = smp_b.tid = pid;
		smp.nr_ips = trie_chain(&st, fns, ARRAY_SIZE(fns), main_addr, wide, ips);
		memset(padded, 0, sizeof(padded));
		memcpy(padded, ips, smp.nr_ips * sizeof(*ips));
		smp_b.nr_ips = smp.nr_ips + 300;
		smp.time = smp_b.time = i;
		assert_int_equal(sa->ops->sample(sa->ctx, &smp), 0);
		assert_int_equal(sb->ops->sample(sb->ctx, &smp_b), 0);
		if (pa->samples[i].node != pb->samples[i].node ||
		    pa->samples[i].chain != pb->samples[i].chain ||
		    pa->samples[i].location != pb->samples[i].location)
		{
			for (j = 0; j < smp.nr_ips; j++) print_message("ip %" PRIx64 "\n", ips[j]);
			fail_msg("sample %u: node %u chain %u location %u, resolved afresh %u %u %u", i,
				 pa->samples[i].node, pa->samples[i].chain, pa->samples[i].location,
				 pb->samples[i].node, pb->samples[i].chain, pb->samples[i].location);
		}
		if (i % 100 == 99) {
			pipeline_collect_tick(a);
			pipeline_collect_tick(b);
		}
	}
	assert_int_equal(pa->nnodes, pb->nnodes);
	assert_int_equal(pa->nchains, pb->nchains);
	assert_int_equal(pa->nlocations, pb->nlocations);
	assert_int_equal(pa->nframes, pb->nframes);
	assert_int_equal(pa->folded, pb->folded);
	assert_string_equal(said_a, said_b);

	pipeline_collect_free(a);
	pipeline_collect_free(b);
	notice_free(&na);
	notice_free(&nb);
	profile_free(pa);
	profile_free(pb);
	sym_free(s);
}

static void test_collect_trie(void **state)
{
	const struct profile_limits limits[] = {
		{ .strings = 40, .frames = 30, .nodes = 300, .locations = 120, .chains = 250 },
		{ .nodes = 3000 },
		{ .chains = 2000 },
		{ .locations = 100 },
	};
	size_t i;

	collect_trie_compare(NULL, 0x9e3779b97f4a7c15ull, false);
	collect_trie_compare(NULL, 12345, false);
	for (i = 0; i < ARRAY_SIZE(limits); i++)
		collect_trie_compare(&limits[i], 0x9e3779b97f4a7c15ull + i, false);
	collect_trie_compare(NULL, 777, true);
}

/*
 * A chain whose frames, with the functions inlined at its addresses, are
 * more than the stage keeps (1024): resolved through the trie, it gives
 * what resolving it in full gives (which keeps as many as fit, and marks
 * the stack cut), not a deeper stack. 255 return addresses, each in four
 * inlined functions: 1275 frames.
 */
static void test_collect_inline_depth(void **state)
{
	struct symbols *s = sym_new();
	struct profile *pa = profile_new(), *pb = profile_new();
	struct pipeline_collect *a = pipeline_collect_new(pa, sym_pm(s), s);
	struct pipeline_collect *b = pipeline_collect_new(pb, sym_pm(s), s);
	const struct pipeline_sink *sa = pipeline_collect_sink(a), *sb = pipeline_collect_sink(b);
	uint64_t ips[256], padded[256 + 300] = { 0 }, addr = 0, start;
	struct pipeline_sample smp = { .pid = FAKE_PID, .tid = FAKE_PID, .period = 1,
				       .nr_ips = 256, .ips = ips };
	struct pipeline_sample smp_b = { .pid = FAKE_PID, .tid = FAKE_PID, .period = 1,
					 .nr_ips = 256 + 300, .ips = padded };
	const char *names[SYMBOLS_INLINE_FRAMES];
	struct self_map sm;
	uint32_t i;

	procmap_set_live(sym_pm(s), false);
	fake_text_mapping(FAKE_PID, &sm);
	assert_int_equal(sa->ops->mmap(sa->ctx, &sm.m), 0);
	assert_int_equal(sb->ops->mmap(sb->ctx, &sm.m), 0);
	start = fake_addr(&sm, (void *)&probe_inlined);
	for (i = 0; i < 256 && !addr; i++)
		if (symbols_inlined(s, FAKE_PID, start + i, names) == 4)
			addr = start + i;
	assert_true(addr != 0);
	assert_string_equal(names[0], "probe_inline_d (inlined)");
	assert_string_equal(names[3], "probe_inline_a (inlined)");
	ips[0] = PERF_CONTEXT_USER;
	for (i = 1; i < 256; i++)
		ips[i] = addr + 1; /* a return address: looked up at addr */
	memcpy(padded, ips, sizeof(ips));
	for (i = 0; i < 2; i++) {
		assert_int_equal(sa->ops->sample(sa->ctx, &smp), 0);
		assert_int_equal(sb->ops->sample(sb->ctx, &smp_b), 0);
		assert_int_equal(pa->samples[i].node, pb->samples[i].node);
		assert_int_equal(pa->samples[i].chain, pb->samples[i].chain);
		assert_int_equal(pa->samples[i].location, pb->samples[i].location);
	}
	/* 1024 frames, under "[truncated]"; the innermost, the function inlined deepest. */
	assert_int_equal(profile_node_depth(pa, pa->samples[0].node), 1024 + 1);
	assert_string_equal(node_name(pa, pa->samples[0].node), "probe_inline_d (inlined)");
	pipeline_collect_free(a);
	pipeline_collect_free(b);
	profile_free(pa);
	profile_free(pb);
	sym_free(s);
}

static void test_anon_and_overlaps(void **state)
{
	struct symbols *s = sym_new();
	struct symbols_frame f;
	struct self_map sm;
	struct pipeline_mmap heap = {
		.pid = FAKE_PID, .start = 0x10000, .len = 0x10000, .filename = "[heap]"
	};
	struct pipeline_mmap anon = { .pid = FAKE_PID, .start = 0x14000, .len = 0x1000,
				      .pgoff = 0x14, .filename = "//anon" };
	struct pipeline_mmap missing = { .pid = FAKE_PID,
					 .start = 0x40000,
					 .len = 0x2000,
					 .pgoff = 0x3000,
					 .ino = 42,
					 .filename = "/nonexistent/libmissing.so" };
	uint64_t addr;

	procmap_mmap(sym_pm(s), &heap);
	procmap_mmap(sym_pm(s), &anon);
	symbols_resolve(s, FAKE_PID, 0x12345, false, &f);
	assert_string_equal(f.module, "[heap]");
	assert_null(f.name);
	assert_int_equal(f.offset, 0x2345);
	/* The anonymous map split the heap in two. */
	symbols_resolve(s, FAKE_PID, 0x14010, false, &f);
	assert_string_equal(f.module, "[anon]");
	assert_int_equal(f.offset, 0x10);
	symbols_resolve(s, FAKE_PID, 0x15000, false, &f);
	assert_string_equal(f.module, "[heap]");
	assert_int_equal(f.offset, 0);
	symbols_resolve(s, FAKE_PID, 0x20000, false, &f);
	assert_string_equal(f.module, "[unknown]");

	/* Unreadable files: module path, no name, file offset; asked twice. */
	procmap_mmap(sym_pm(s), &missing);
	symbols_resolve(s, FAKE_PID, 0x40010, false, &f);
	assert_string_equal(f.module, "/nonexistent/libmissing.so");
	assert_null(f.name);
	assert_int_equal(f.offset, 0x3010);
	symbols_resolve(s, FAKE_PID, 0x40020, false, &f);
	assert_null(f.name);
	assert_int_equal(f.offset, 0x3020);

	/* A file mapping over the middle of the heap, then partly unmapped by a new one. */
	fake_text_mapping(FAKE_PID, &sm);
	sm.m.start = 0x100000;
	heap.start = 0x80000;
	heap.len = 0x200000;
	procmap_mmap(sym_pm(s), &heap);
	procmap_mmap(sym_pm(s), &sm.m);
	addr = 0x100000 + 0x10;
	symbols_resolve(s, FAKE_PID, 0x80000, false, &f);
	assert_string_equal(f.module, "[heap]");
	symbols_resolve(s, FAKE_PID, 0x100000 + sm.m.len, false, &f);
	assert_string_equal(f.module, "[heap]");
	assert_int_equal(f.offset, 0); /* from the start of what is left of it */
	symbols_resolve(s, FAKE_PID, addr, false, &f);
	assert_string_equal(f.module, sm.path);
	sym_free(s);
}

/* A module's build id (learned when its file was first opened) that the
 * file on disk no longer has: no names rather than wrong ones. */
static void test_build_id_mismatch(void **state)
{
	struct symbols *s = sym_new();
	struct procmap_module *mod;
	struct symbols_frame f;
	struct self_map sm;
	uint64_t addr;

	fake_text_mapping(FAKE_PID, &sm);
	addr = fake_addr(&sm, (void *)&probe_function);
	procmap_mmap(sym_pm(s), &sm.m);
	mod = procmap_find(sym_pm(s), FAKE_PID, addr)->mod;
	mod->build_id_size = 20;
	memset(mod->build_id, 0xab, sizeof(mod->build_id));
	symbols_resolve(s, FAKE_PID, addr, false, &f);
	assert_string_equal(f.module, sm.path);
	assert_null(f.name);
	sym_free(s);
}

static void test_table_aliases_and_sizes(void **state)
{
	struct symbols_table t;
	const struct symbols_sym *sym;

	symbols_table_init(&t);
	symbols_table_add(&t, 0x3000, 0, 0x3800, "tail", 0, 2);
	symbols_table_add(&t, 0x1000, 0x10, UINT64_MAX, "__sized_local", 0, 1);
	symbols_table_add(&t, 0x1000, 0, UINT64_MAX, "unsized_global", 0, 2);
	symbols_table_add(&t, 0x2000, 0x100, UINT64_MAX, "__weak_alias", 0, 0);
	symbols_table_add(&t, 0x2000, 0x100, UINT64_MAX, "strong", 0, 2);
	symbols_table_add(&t, 0x2080, 0, UINT64_MAX, "zero_inside", 0, 2);
	symbols_table_finish(&t);

	sym = symbols_table_lookup(&t, 0x1008);
	assert_non_null(sym);
	assert_string_equal(symbols_table_name(&t, sym), "__sized_local");
	assert_null(symbols_table_lookup(&t, 0x1010));
	assert_null(symbols_table_lookup(&t, 0xfff));
	sym = symbols_table_lookup(&t, 0x2000);
	assert_string_equal(symbols_table_name(&t, sym), "strong");
	sym = symbols_table_lookup(&t, 0x20ff);
	assert_string_equal(symbols_table_name(&t, sym), "zero_inside");
	sym = symbols_table_lookup(&t, 0x37ff);
	assert_string_equal(symbols_table_name(&t, sym), "tail");
	assert_null(symbols_table_lookup(&t, 0x3800));
	symbols_table_free(&t);

	/* An empty table finds nothing. */
	symbols_table_init(&t);
	symbols_table_finish(&t);
	assert_null(symbols_table_lookup(&t, 0));
	symbols_table_free(&t);
}

/* For test_table_shown_aliases: "_Z3fooi" is shown as "foo(int)"; counts the askings. */
static bool fake_differs(void *ctx, const char *name)
{
	return strncmp(name, "_Z", 2) == 0;
}

static char *fake_shown(void *ctx, const char *name)
{
	(*(int *)ctx)++;
	return strcmp(name, "_Z3fooi") == 0 ? strdup("foo(int)") : NULL;
}

/*
 * Aliases are ranked by the names they are shown by (demangled), but only
 * when one of them is looked up: the stand-in covers the widest range
 * until then, and the winner brings its own.
 */
static void test_table_shown_aliases(void **state)
{
	int asked = 0;
	const struct symbols_shown sh = { fake_differs, fake_shown, &asked };
	struct symbols_table t;
	const struct symbols_sym *sym;

	/* As stored, "foo_abc" wins (no leading underscore); as shown, "foo(int)" is longer. */
	symbols_table_init(&t);
	symbols_table_add(&t, 0x1000, 0x10, UINT64_MAX, "foo_abc", 0, 2);
	symbols_table_add(&t, 0x1000, 0x40, UINT64_MAX, "_Z3fooi", 0, 2);
	symbols_table_add(&t, 0x2000, 0, 0x3000, "next", 0, 2);
	symbols_table_finish_shown(&t, &sh);
	assert_int_equal(asked, 0);
	sym = symbols_table_lookup(&t, 0x1020);
	assert_non_null(sym);
	sym = symbols_table_settle(&t, sym);
	assert_true(asked > 0);
	assert_string_equal(symbols_table_name(&t, sym), "_Z3fooi");
	assert_int_equal(sym->end, 0x1040);
	asked = 0;
	assert_ptr_equal(symbols_table_settle(&t, sym), sym);
	assert_int_equal(asked, 0); /* decided once */
	symbols_table_free(&t);

	/* The longer plain name wins, and the range is its own. */
	symbols_table_init(&t);
	symbols_table_add(&t, 0x1000, 0x10, UINT64_MAX, "foo_abcdefgh", 0, 2);
	symbols_table_add(&t, 0x1000, 0x40, UINT64_MAX, "_Z3fooi", 0, 2);
	symbols_table_finish_shown(&t, &sh);
	sym = symbols_table_settle(&t, symbols_table_lookup(&t, 0x1020));
	assert_string_equal(symbols_table_name(&t, sym), "foo_abcdefgh");
	assert_int_equal(sym->end, 0x1010);
	/* A global beats a local before names count: nothing to ask. */
	symbols_table_free(&t);
	asked = 0;
	symbols_table_init(&t);
	symbols_table_add(&t, 0x1000, 0x10, UINT64_MAX, "_Z3fooi", 0, 1);
	symbols_table_add(&t, 0x1000, 0x10, UINT64_MAX, "_Z3barv", 0, 2);
	symbols_table_finish_shown(&t, &sh);
	sym = symbols_table_settle(&t, symbols_table_lookup(&t, 0x1000));
	assert_string_equal(symbols_table_name(&t, sym), "_Z3barv");
	assert_int_equal(asked, 0);
	symbols_table_free(&t);
}

static void test_elf_rejects_garbage(void **state)
{
	char *text = write_temp("this is not an ELF file\n");
	char *truncated;
	char self[4096], head[80];
	struct symbols_elf *e;
	struct ft_error err;
	ssize_t n;
	FILE *f;

	err.msg[0] = '\0';
	e = symbols_elf_open(text, &err);
	assert_null(e);
	assert_non_null(strstr(err.msg, "not an ELF file"));
	e = symbols_elf_open("/nonexistent/file", &err);
	assert_null(e);
	assert_non_null(strstr(err.msg, "/nonexistent/file"));

	/* The first bytes of a real ELF header, and nothing after them. */
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	assert_true(n > 0);
	self[n] = '\0';
	f = fopen(self, "r");
	assert_non_null(f);
	assert_int_equal(fread(head, 1, sizeof(head), f), sizeof(head));
	fclose(f);
	head[sizeof(head) - 1] = '\0';
	truncated = write_temp("");
	f = fopen(truncated, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(head, 1, sizeof(head), f), sizeof(head));
	fclose(f);
	e = symbols_elf_open(truncated, &err);
	assert_null(e);

	/* A well-formed image yields segments and symbols. */
	e = symbols_elf_open(self, &err);
	assert_non_null(e);
	assert_true(e->nsegs > 0);
	assert_true(e->table.len > 0);
	assert_true(e->build_id_size > 0);
	symbols_elf_free(e);

	unlink(text);
	unlink(truncated);
	free(text);
	free(truncated);
}

static void test_not_live(void **state)
{
	struct symbols *s = sym_new();
	struct symbols_frame f;

	procmap_set_live(sym_pm(s), false);
	symbols_resolve(s, (uint32_t)getpid(), (uintptr_t)&probe_function, false, &f);
	assert_string_equal(f.module, "[unknown]");
	assert_false(symbols_have_kernel(s));
	sym_free(s);
}

/* ---- debug files, demangling, JIT maps (issue 5) ---------------------- */

/* A private directory for one test; caller frees the string and removes it with rm_tree(). */
static char *make_temp_dir(void)
{
	char *dir = xstrdup("/tmp/test_symbols_dir.XXXXXX");

	assert_non_null(mkdtemp(dir));
	return dir;
}

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

static void rm_tree(char *dir)
{
	sh("rm -rf '%s'", dir);
	free(dir);
}

/* Whether e's table names `name` somewhere. */
static bool elf_has_name(const struct symbols_elf *e, const char *name)
{
	size_t i;

	for (i = 0; i < e->table.len; i++) {
		if (strcmp(symbols_table_name(&e->table, &e->table.syms[i]), name) == 0)
			return true;
	}
	return false;
}

static const char *self_exe(void)
{
	static char path[4096];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);

	assert_true(n > 0);
	path[n] = '\0';
	return path;
}

/*
 * A stripped copy of this test binary finds its names in a debug file: by
 * build id, by .gnu_debuglink (CRC checked: a changed debug file is
 * refused), and from MiniDebugInfo.
 */
static void test_debug_files(void **state)
{
	struct symbols_elf_opts opts = { .debug_files = true, .demangle = true };
	char *dir = make_temp_dir(), *path;
	struct symbols_elf *e;
	struct ft_error err;

	if (sh("command -v objcopy >/dev/null && command -v xz >/dev/null") != 0) {
		rm_tree(dir);
		skip();
	}
	/* A debug file, a stripped copy linking to it, and one with MiniDebugInfo. */
	assert_int_equal(sh("cd '%s' && objcopy --only-keep-debug '%s' t.debug && "
			    "objcopy --strip-all --add-gnu-debuglink=t.debug '%s' linked && "
			    "mkdir -p debugdir && echo probe_function >keep && "
			    "objcopy -S --keep-symbols=keep t.debug mini && xz mini && "
			    "objcopy --strip-all '%s' minidebug && "
			    "objcopy --add-section .gnu_debugdata=mini.xz minidebug",
			    dir, self_exe(), self_exe(), self_exe()),
			 0);
	opts.debug_dir = path = xasprintf("%s/debugdir", dir);

	/* MiniDebugInfo, when built with liblzma. */
	{
		char *mini = xasprintf("%s/minidebug", dir);

		e = symbols_elf_open_with(mini, &opts, &err);
		assert_non_null(e);
#ifdef HAVE_LIBLZMA
		assert_int_equal(e->source, SYMBOLS_SOURCE_MINIDEBUGINFO);
		assert_true(elf_has_name(e, "probe_function"));
#else
		assert_false(elf_has_name(e, "probe_function"));
#endif
		symbols_elf_free(e);
		free(mini);
	}

	/* By .gnu_debuglink, beside the file. */
	{
		char *linked = xasprintf("%s/linked", dir);

		e = symbols_elf_open_with(linked, &opts, &err);
		assert_non_null(e);
		assert_int_equal(e->source, SYMBOLS_SOURCE_DEBUGLINK);
		assert_true(elf_has_name(e, "probe_function"));
		symbols_elf_free(e);

		/* A debug file that changed since: its CRC no longer matches. */
		assert_int_equal(sh("echo >>'%s/t.debug'", dir), 0);
		e = symbols_elf_open_with(linked, &opts, &err);
		assert_non_null(e);
		assert_int_not_equal(e->source, SYMBOLS_SOURCE_DEBUGLINK);
		assert_false(elf_has_name(e, "probe_function"));
		symbols_elf_free(e);

		/* A hostile candidate: a sparse file of 2 GiB, never checksummed. */
		{
			uint64_t t0 = util_now_ns();

			assert_int_equal(sh("cd '%s' && mv t.debug t.debug.real && "
					    "truncate -s 2G t.debug", dir),
					 0);
			e = symbols_elf_open_with(linked, &opts, &err);
			assert_non_null(e);
			assert_int_not_equal(e->source, SYMBOLS_SOURCE_DEBUGLINK);
			symbols_elf_free(e);
			assert_true(util_now_ns() - t0 < 10 * 1000000000ull);
			assert_int_equal(sh("cd '%s' && mv t.debug.real t.debug", dir), 0);
		}

		/* By build id, under the debug directory (no CRC there, the id decides). */
		assert_int_equal(sh("cd '%s' && id=$(readelf -n linked | awk '/Build ID:/ { print $3 }') && "
				    "test -n \"$id\" && mkdir -p debugdir/.build-id/$(echo $id | cut -c1-2) && "
				    "cp t.debug debugdir/.build-id/$(echo $id | cut -c1-2)/$(echo $id | cut -c3-).debug",
				    dir),
				 0);
		e = symbols_elf_open_with(linked, &opts, &err);
		assert_non_null(e);
		assert_int_equal(e->source, SYMBOLS_SOURCE_BUILD_ID);
		assert_true(elf_has_name(e, "probe_function"));
		symbols_elf_free(e);
		free(linked);
	}

	free(path);
	rm_tree(dir);
}

/*
 * A .symtab name with a symbol version (glibc's "__libc_start_main@@GLIBC_2.34",
 * from .symver) is named without it, as .dynsym names it: the same with or
 * without a debug file.
 */
static void test_symbol_versions(void **state)
{
	char *dir = make_temp_dir(), *lib = xasprintf("%s/libv.so", dir);
	struct symbols_elf *e;
	struct ft_error err;
	size_t i;

	if (sh("command -v cc >/dev/null") != 0) {
		free(lib);
		rm_tree(dir);
		skip();
	}
	assert_int_equal(sh("cd '%s' && "
			    "echo 'int ft_vers_impl(void) { return 1; }' >v.c && "
			    "echo '__asm__(\".symver ft_vers_impl, ft_vers@@FT_1\");' >>v.c && "
			    "echo 'FT_1 { global: ft_vers; local: *; };' >v.map && "
			    "cc -shared -fPIC -Wl,--version-script=v.map -o libv.so v.c && "
			    "readelf -sW libv.so | grep -q 'ft_vers@@FT_1'",
			    dir),
			 0);
	e = symbols_elf_open(lib, &err);
	assert_non_null(e);
	assert_int_equal(e->source, SYMBOLS_SOURCE_SYMTAB);
	assert_true(elf_has_name(e, "ft_vers"));
	for (i = 0; i < e->table.len; i++)
		assert_null(strchr(symbols_table_name(&e->table, &e->table.syms[i]), '@'));
	symbols_elf_free(e);
	free(lib);
	rm_tree(dir);
}

/*
 * libc's PLT entries are named as objdump names them (it follows each
 * entry's jump to its GOT slot): glibc mixes IRELATIVE relocations (its
 * calls to its own IFUNCs, memcpy, strlen...) into .rela.plt, so the i-th
 * relocation is not the i-th entry. Those objdump calls *ABS*+0xADDEND@plt
 * are named after the IFUNC at the addend.
 */
static void test_libc_plt(void **state)
{
	char *dir = make_temp_dir(), *list = xasprintf("%s/plt", dir), line[512];
	struct self_map sm;
	struct symbols_elf *e;
	struct ft_error err;
	void *libc = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
	unsigned named = 0, ifuncs = 0;
	uintptr_t addr;
	FILE *f;

	assert_non_null(libc);
	addr = (uintptr_t)dlsym(libc, "qsort");
	dlclose(libc);
	assert_int_equal(find_self_map(addr, &sm), 0);
	if (sh("command -v objdump >/dev/null") != 0 ||
	    sh("objdump -d -j .plt -j .plt.sec '%s' 2>/dev/null | "
	       "sed -n 's/^0*\\([0-9a-f]*\\) <\\(.*@plt\\)>:$/\\1 \\2/p' >'%s'",
	       sm.path, list) != 0) {
		free(list);
		rm_tree(dir);
		skip();
	}
	e = symbols_elf_open(sm.path, &err);
	assert_non_null(e);
	f = fopen(list, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char want[256];
		unsigned long long at;
		const char *got;

		if (sscanf(line, "%llx %255s", &at, want) != 2)
			continue;
		got = symbols_elf_lookup(e, at);
		if (strncmp(want, "*ABS*+", 6) == 0) {
			/* An IFUNC's: some name@plt. */
			assert_non_null(got);
			assert_non_null(strstr(got, "@plt"));
			ifuncs++;
			continue;
		}
		if (!got || strcmp(got, want) != 0)
			fail_msg("libc's PLT entry at 0x%llx: %s, objdump says %s", at,
				 got ? got : "(none)", want);
		named++;
	}
	fclose(f);
	print_message("# %u PLT entries named, %u of IFUNCs\n", named, ifuncs);
	assert_true(named > 0);
	symbols_elf_free(e);
	free(list);
	rm_tree(dir);
}

/* libc's internal functions are named from libc6-dbg's file, when installed. */
static void test_libc_debug_file(void **state)
{
	struct self_map sm;
	struct symbols_elf *e;
	struct ft_error err;
	void *libc = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
	uintptr_t addr;

	assert_non_null(libc);
	addr = (uintptr_t)dlsym(libc, "qsort");
	dlclose(libc);
	assert_int_equal(find_self_map(addr, &sm), 0);
	e = symbols_elf_open(sm.path, &err);
	assert_non_null(e);
	if (e->source == SYMBOLS_SOURCE_SYMTAB) {
		symbols_elf_free(e);
		skip(); /* an unstripped libc: nothing to find */
	}
	if (e->source != SYMBOLS_SOURCE_BUILD_ID && e->source != SYMBOLS_SOURCE_DEBUGLINK) {
		print_message("# no debug file for %s (%s): install libc6-dbg\n", sm.path,
			      symbols_source_name(e->source));
		symbols_elf_free(e);
		skip();
	}
	assert_non_null(e->debug_path);
	/* glibc's qsort helpers, whichever this version has. */
	assert_true(elf_has_name(e, "msort_with_tmp") || elf_has_name(e, "msort_with_tmp.part.0") ||
		    elf_has_name(e, "__qsort_r") || elf_has_name(e, "qsort_r"));
	symbols_elf_free(e);
}

static void test_demangle(void **state)
{
#ifdef HAVE_LIBIBERTY
	static const struct {
		const char *mangled, *demangled;
	} cases[] = {
		{ "_ZNSt6vectorIiSaIiEE9push_backERKi",
		  "std::vector<int, std::allocator<int> >::push_back(int const&)" },
		{ "_ZN2ft7SpinnerIiE4spinEl", "ft::Spinner<int>::spin(long)" },
		{ "_ZN8rustspin10spin_plain17hd9039b97449991c7E", "rustspin::spin_plain" },
		{ "_RNvCs6GmmlP4bgsG_1r9spin_here", "r::spin_here" },
		{ "_RINvMCs6GmmlP4bgsG_1rNtB3_3Foo6methodmEB3_", "<r::Foo>::method::<u32>" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char *d = symbols_demangle(cases[i].mangled, NULL);

		assert_non_null(d);
		assert_string_equal(d, cases[i].demangled);
		free(d);
	}
	assert_null(symbols_demangle("main", NULL));
	assert_null(symbols_demangle("_Znot_really", NULL));
#else
	assert_null(symbols_demangle("_ZN2ft7SpinnerIiE4spinEl", NULL));
#endif
}

/* Skips a varint of an xz header at *p; false past `end`. */
static bool skip_varint(const unsigned char **p, const unsigned char *end)
{
	while (*p < end && (**p & 0x80))
		(*p)++;
	return (*p)++ < end;
}

/*
 * Rewrites the LZMA2 dictionary size in the first block header of the xz
 * stream `buf` to 1 GiB (code 36), with its CRC: the data decodes the
 * same, but the decoder must be allowed that much memory.
 */
static void xz_ask_gigabyte(unsigned char *buf, size_t len)
{
	unsigned char *h = buf + 12; /* after the stream header */
	const unsigned char *p, *end;
	size_t hsize;
	uint32_t crc;

	assert_true(len > 12 + 8);
	hsize = ((size_t)h[0] + 1) * 4;
	assert_true(12 + hsize <= len);
	end = h + hsize - 4;
	p = h + 2;
	if (h[1] & 0x40)
		assert_true(skip_varint(&p, end)); /* compressed size */
	if (h[1] & 0x80)
		assert_true(skip_varint(&p, end)); /* uncompressed size */
	assert_true(p + 3 <= end);
	assert_int_equal(p[0], 0x21); /* LZMA2 */
	assert_int_equal(p[1], 1); /* one property byte: the dictionary size */
	h[p + 2 - h] = 36;
	crc = (uint32_t)crc32(0, h, (uInt)(hsize - 4));
	h[hsize - 4] = (unsigned char)crc;
	h[hsize - 3] = (unsigned char)(crc >> 8);
	h[hsize - 2] = (unsigned char)(crc >> 16);
	h[hsize - 1] = (unsigned char)(crc >> 24);
}

/* MiniDebugInfo's decoder may not use more than SYMBOLS_XZ_MEMLIMIT. */
static void test_xz_memlimit(void **state)
{
#ifdef HAVE_LIBLZMA
	char *dir = make_temp_dir(), *path;
	unsigned char *in;
	void *out;
	size_t len, out_len;

	if (sh("command -v xz >/dev/null") != 0) {
		rm_tree(dir);
		skip();
	}
	assert_int_equal(sh("cd '%s' && printf hello | xz -0 -T1 --format=xz >small.xz", dir), 0);
	path = xasprintf("%s/small.xz", dir);
	in = (unsigned char *)util_read_file(path, &len);
	assert_non_null(in);
	assert_int_equal(symbols_xz_decode(in, len, &out, &out_len, NULL, NULL), 0);
	assert_int_equal(out_len, 5);
	assert_memory_equal(out, "hello", 5);
	free(out);
	/* The same five bytes, asking for a 1 GiB dictionary. */
	xz_ask_gigabyte(in, len);
	assert_int_equal(symbols_xz_decode(in, len, &out, &out_len, NULL, NULL), -EFBIG);
	free(in);
	free(path);
	rm_tree(dir);
#else
	skip();
#endif
}

/* The reading's interrupt (a module's, or xz's `late`): counts its looks at the clock, says stop from look `stop_at` on. */
struct clock_looks {
	unsigned looks, stop_at;
};

static bool clock_look(void *ctx)
{
	struct clock_looks *c = ctx;

	return ++c->looks >= c->stop_at && c->stop_at;
}

/*
 * MiniDebugInfo's decoder looks at the reading's deadline as it goes: an
 * xz bomb (64 MiB of zeros in a few KiB) decodes whole, the clock looked
 * at every few MiB, and stops at the look that says the time is up.
 */
static void test_xz_deadline(void **state)
{
#ifdef HAVE_LIBLZMA
	char *dir = make_temp_dir(), *path;
	unsigned char *in;
	struct clock_looks looks = { 0, 0 };
	void *out;
	size_t len, out_len;

	if (sh("command -v xz >/dev/null") != 0) {
		rm_tree(dir);
		skip();
	}
	assert_int_equal(sh("cd '%s' && head -c 64M /dev/zero | xz -0 -T1 --format=xz >zeros.xz",
			    dir),
			 0);
	path = xasprintf("%s/zeros.xz", dir);
	in = (unsigned char *)util_read_file(path, &len);
	assert_non_null(in);
	assert_true(len < 64 << 10);
	assert_int_equal(symbols_xz_decode(in, len, &out, &out_len, clock_look, &looks), 0);
	assert_int_equal(out_len, 64u << 20);
	free(out);
	assert_true(looks.looks >= (64u << 20) / SYMBOLS_XZ_STEP - 1);
	looks.looks = 0;
	looks.stop_at = 3;
	assert_int_equal(symbols_xz_decode(in, len, &out, &out_len, clock_look, &looks),
			 -ETIMEDOUT);
	assert_int_equal(looks.looks, 3);
	free(in);
	free(path);
	rm_tree(dir);
#else
	skip();
#endif
}

/*
 * A mangled name whose demangled form doubles with each of `levels`
 * nested templates (x<T, T>, T the level before), as a hostile library
 * may carry. Caller frees.
 */
static char *exponential_name(int levels)
{
	char *t = xstrdup("S_IS_S_E"), *next;
	int k;

	for (k = 2; k <= levels; k++) {
		char sub[16];
		int v = k - 2;

		/* Substitution k - 1: S0_, S1_, ..., S9_, SA_, ..., SZ_, S10_, ... */
		if (v < 36)
			snprintf(sub, sizeof(sub), "S%c_", "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[v]);
		else
			snprintf(sub, sizeof(sub), "S%c%c_",
				 "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[v / 36],
				 "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[v % 36]);
		next = xasprintf("S_I%s%sE", t, sub);
		free(t);
		t = next;
	}
	next = xasprintf("_Z1g1xP%s", t);
	free(t);
	return next;
}

/* Crafted names are left mangled, in bounded time; ordinary ones still demangle. */
static void test_demangle_caps(void **state)
{
#ifdef HAVE_LIBIBERTY
	char *small = exponential_name(4), *evil = exponential_name(75), *d, *longname;
	bool capped = false;
	uint64_t t0;
	size_t i;

	/* A few levels: an ordinary (if odd) name. */
	d = symbols_demangle(small, &capped);
	assert_non_null(d);
	assert_false(capped);
	assert_int_equal(strncmp(d, "g(x, x<x<x<x<x, x>", 18), 0);
	free(d);

	/* 571 bytes that demangle to about 2^75: over the output cap at once. */
	t0 = util_now_ns();
	d = symbols_demangle(evil, &capped);
	assert_null(d);
	assert_true(capped);
	assert_true(util_now_ns() - t0 < 2 * 1000000000ull);

	/* Too long to try. */
	longname = xmalloc(SYMBOLS_DEMANGLE_MAX_IN + 16);
	strcpy(longname, "_ZN1a");
	for (i = strlen(longname); i < SYMBOLS_DEMANGLE_MAX_IN + 8; i++)
		longname[i] = 'b';
	longname[i] = '\0';
	capped = false;
	assert_null(symbols_demangle(longname, &capped));
	assert_true(capped);

	/* Not mangled: not capped either. */
	capped = false;
	assert_null(symbols_demangle("main", &capped));
	assert_false(capped);
	free(longname);
	free(small);
	free(evil);
#else
	skip();
#endif
}

static int notices;
static char last_notice[512];

static void count_notice(void *ctx, const char *msg)
{
	notices++;
	snprintf(last_notice, sizeof(last_notice), "%s", msg);
}

/* Counts what `s` says from now on, on a sink of its own. */
static struct ft_notice sink;

static void listen(struct symbols *s)
{
	notice_free(&sink);
	notice_init(&sink, count_notice, NULL);
	procmap_set_notice(sym_pm(s), &sink);
}

/* An anonymous mapping of this process at FAKE_BASE, for JIT lookups. */
static void add_fake_anon(struct symbols *s)
{
	struct pipeline_mmap m;

	memset(&m, 0, sizeof(m));
	m.pid = m.tid = (uint32_t)getpid();
	m.start = FAKE_BASE;
	m.len = 0x10000;
	m.filename = "//anon";
	procmap_mmap(sym_pm(s), &m);
}

/* ---- inlined frames: the limits on a module's DWARF ------------------- */

/* The forged file's chain of inlined subroutines: its depth; the siblings before a leaf. */
#define FORGED_DEPTH 100000u
#define FORGED_WIDE (SYMBOLS_INLINE_DIES + 16u)
#define FORGED_NARROW 1000u

/*
 * Writes `dir`/forged.o, DWARF a hostile user could hand us, in one unit
 * of three functions (no code: constant addresses, no relocations):
 * "narrow" (0x1000-0x1100) holds FORGED_NARROW variables, then the
 * inlined subroutine "leaf" at its addresses; "wide" (0x1100-0x1200) the
 * same after FORGED_WIDE variables, more than a lookup looks at; "deep"
 * (0x1200-0x1300) a chain of FORGED_DEPTH inlined subroutines, each in
 * the one before, named f1, f2..., all at its addresses. False without
 * a compiler to assemble it.
 */
static bool write_forged_dwarf(const char *dir)
{
	char *path = xasprintf("%s/forged.s", dir);
	FILE *f = fopen(path, "w");
	unsigned i;

	assert_non_null(f);
	/* Abbreviations: 1 unit, 2 function, 3 inlined with children, 4 variable, 5 inlined leaf. */
	fputs("\t.section .debug_abbrev,\"\",@progbits\n"
	      "\t.byte 1, 0x11, 1, 0x03, 0x08, 0x11, 0x01, 0x12, 0x07, 0, 0\n"
	      "\t.byte 2, 0x2e, 1, 0x03, 0x08, 0x11, 0x01, 0x12, 0x07, 0, 0\n"
	      "\t.byte 3, 0x1d, 1, 0x03, 0x08, 0x11, 0x01, 0x12, 0x07, 0, 0\n"
	      "\t.byte 4, 0x34, 0, 0, 0\n"
	      "\t.byte 5, 0x1d, 0, 0x03, 0x08, 0x11, 0x01, 0x12, 0x07, 0, 0\n"
	      "\t.byte 0\n"
	      "\t.section .debug_line,\"\",@progbits\n"
	      "\t.byte 0\n"
	      "\t.section .debug_info,\"\",@progbits\n"
	      "\t.long .Lend - .Lstart\n"
	      ".Lstart:\n"
	      "\t.short 4\n\t.long 0\n\t.byte 8\n"
	      "\t.byte 1\n\t.asciz \"forged.c\"\n\t.quad 0x1000, 0x300\n",
	      f);
	fprintf(f,
		"\t.byte 2\n\t.asciz \"narrow\"\n\t.quad 0x1000, 0x100\n"
		"\t.fill %u, 1, 4\n"
		"\t.byte 5\n\t.asciz \"leaf\"\n\t.quad 0x1000, 0x100\n"
		"\t.byte 0\n",
		FORGED_NARROW);
	fprintf(f,
		"\t.byte 2\n\t.asciz \"wide\"\n\t.quad 0x1100, 0x100\n"
		"\t.fill %u, 1, 4\n"
		"\t.byte 5\n\t.asciz \"leaf\"\n\t.quad 0x1100, 0x100\n"
		"\t.byte 0\n",
		FORGED_WIDE);
	fputs("\t.byte 2\n\t.asciz \"deep\"\n\t.quad 0x1200, 0x100\n", f);
	for (i = 1; i <= FORGED_DEPTH; i++)
		fprintf(f, "\t.byte 3\n\t.asciz \"f%u\"\n\t.quad 0x1200, 0x100\n", i);
	/* The ends of the chain's entries, of the function's, of the unit's. */
	fprintf(f, "\t.fill %u, 1, 0\n", FORGED_DEPTH + 2);
	fputs(".Lend:\n", f);
	assert_int_equal(fclose(f), 0);
	free(path);
	if (sh("command -v cc >/dev/null") != 0)
		return false;
	return sh("cd '%s' && cc -c forged.s -o forged.o", dir) == 0;
}

/* The inlined functions of `path`'s DWARF, read as the symbolizer reads a module's. */
static struct symbols_inline *inline_open_path(const char *path)
{
	struct symbols_inline *in;
	struct procmap_file f;
	struct ft_error err;
	size_t cost = 0;

	assert_int_equal(procmap_file_open(&f, AT_FDCWD, path, 0, &err), 0);
	in = symbols_inline_open(&f, path, SYMBOLS_INLINE_DWARF_MAX, &err, &cost);
	procmap_file_close(&f);
	assert_non_null(in);
	assert_true(cost >= symbols_inline_bytes(in));
	return in;
}

/*
 * A forged DIE tree: a lookup follows at most SYMBOLS_INLINE_DEPTH levels
 * of a chain of nested inlined subroutines 100,000 deep (whose recursion
 * would take the stack), so it names the innermost it reached, f63 (the
 * function is the first level); and looks at at most SYMBOLS_INLINE_DIES
 * entries, so "leaf" after more siblings than that is not found, where
 * after 1,000 it is.
 */
static void test_inline_forged_limits(void **state)
{
	const char *names[SYMBOLS_INLINE_FRAMES];
	char *dir = make_temp_dir(), *obj = xasprintf("%s/forged.o", dir);
	struct symbols_inline *in;
	char want[32];

	if (!write_forged_dwarf(dir)) {
		free(obj);
		rm_tree(dir);
		skip();
	}
	in = inline_open_path(obj);
	assert_int_equal(symbols_inline_find(in, 0x1010, false, SYMBOLS_INLINE_BUDGET_NS, names),
			 1);
	assert_string_equal(names[0], "leaf (inlined)");
	assert_int_equal(symbols_inline_find(in, 0x1110, false, SYMBOLS_INLINE_BUDGET_NS, names),
			 0);
	assert_int_equal(symbols_inline_find(in, 0x1210, false, SYMBOLS_INLINE_BUDGET_NS, names),
			 SYMBOLS_INLINE_FRAMES);
	snprintf(want, sizeof(want), "f%d (inlined)", SYMBOLS_INLINE_DEPTH - 1);
	assert_string_equal(names[0], want);
	snprintf(want, sizeof(want), "f%d (inlined)", SYMBOLS_INLINE_DEPTH - SYMBOLS_INLINE_FRAMES);
	assert_string_equal(names[SYMBOLS_INLINE_FRAMES - 1], want);
	symbols_inline_free(in);
	free(obj);
	rm_tree(dir);
}

/* The descriptors this process has open. */
static int count_fds(void)
{
	char *dir = xasprintf("/proc/%d/fd", (int)getpid());
	struct dirent *e;
	DIR *d = opendir(dir);
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	free(dir);
	return n;
}

/*
 * A module's inlined functions hold no descriptor once its DWARF is open
 * (a box has thousands of modules): neither when its sections are mapped
 * (a file of root's, this test binary and the forged one) nor when they
 * are read into memory (a copy a user owns); and the lookups still answer.
 */
static void test_inline_no_fd(void **state)
{
	const char *names[SYMBOLS_INLINE_FRAMES];
	char *dir = make_temp_dir(), *obj = xasprintf("%s/forged.o", dir);
	char *user = xasprintf("%s/user.o", dir);
	struct symbols_inline *in[3];
	int before;

	if (!write_forged_dwarf(dir)) {
		free(user);
		free(obj);
		rm_tree(dir);
		skip();
	}
	assert_int_equal(sh("cd '%s' && cp forged.o user.o && chown 65534 user.o", dir), 0);
	before = count_fds();
	in[0] = inline_open_path(self_exe());
	in[1] = inline_open_path(obj);
	in[2] = inline_open_path(user);
	assert_int_equal(count_fds(), before);
	assert_int_equal(symbols_inline_find(in[1], 0x1010, false, SYMBOLS_INLINE_BUDGET_NS, names),
			 1);
	assert_string_equal(names[0], "leaf (inlined)");
	assert_int_equal(symbols_inline_find(in[2], 0x1210, false, SYMBOLS_INLINE_BUDGET_NS, names),
			 SYMBOLS_INLINE_FRAMES);
	assert_string_equal(names[SYMBOLS_INLINE_FRAMES - 1], "f48 (inlined)");
	symbols_inline_free(in[0]);
	symbols_inline_free(in[1]);
	symbols_inline_free(in[2]);
	free(user);
	free(obj);
	rm_tree(dir);
}

/*
 * The source lines of a module hold no descriptor either once its DWARF
 * is read (report --lines may read thousands of modules): this test
 * binary's line of probe_function is found, twice, with /proc/self/fd as
 * it was.
 */
static void test_lines_no_fd(void **state)
{
	struct symbols_lines *l = symbols_lines_new();
	const char *file = NULL;
	struct self_map sm;
	unsigned line = 0;
	uint64_t off;
	int before;

	assert_int_equal(find_self_map((uintptr_t)&probe_function, &sm), 0);
	off = (uintptr_t)&probe_function - sm.m.start + sm.m.pgoff;
	before = count_fds();
	assert_int_equal(symbols_lines_find(l, self_exe(), off, NULL, &file, &line), 0);
	assert_int_equal(count_fds(), before);
	assert_non_null(strstr(file, "test_symbols.c"));
	assert_true(line > 0);
	assert_int_equal(symbols_lines_find(l, self_exe(), off, NULL, &file, &line), 0);
	assert_non_null(strstr(file, "test_symbols.c"));
	symbols_lines_free(l);
}

/*
 * Writes `dir`/alt.so: DWARF whose .gnu_debugaltlink names `dir`/fifo (a
 * FIFO, which a blocking open() waits on for ever), and whose one
 * inlined subroutine, at 0x1010, takes its name from that supplementary
 * file (DW_FORM_GNU_strp_alt); "alt_fn" is a function there. False
 * without a compiler to assemble it.
 */
static bool write_altlink_dwarf(const char *dir)
{
	char *path = xasprintf("%s/alt.s", dir);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fprintf(f,
		"\t.text\n\t.globl alt_fn\n\t.type alt_fn, @function\n"
		"alt_fn:\n\t.fill 0x300, 1, 0x90\n\t.size alt_fn, 0x300\n"
		"\t.section .gnu_debugaltlink,\"\",@progbits\n"
		"\t.asciz \"%s/fifo\"\n\t.fill 20, 1, 0xab\n"
		"\t.section .debug_abbrev,\"\",@progbits\n"
		"\t.byte 1, 0x11, 1, 0x03, 0x08, 0x11, 0x01, 0x12, 0x07, 0, 0\n"
		"\t.byte 2, 0x2e, 1, 0x03, 0x08, 0x11, 0x01, 0x12, 0x07, 0, 0\n"
		"\t.byte 5, 0x1d, 0, 0x03, 0xa1, 0x3e, 0x11, 0x01, 0x12, 0x07, 0, 0\n"
		"\t.byte 0\n"
		"\t.section .debug_line,\"\",@progbits\n"
		"\t.byte 0\n"
		"\t.section .debug_info,\"\",@progbits\n"
		"\t.long .Lend - .Lstart\n"
		".Lstart:\n"
		"\t.short 4\n\t.long 0\n\t.byte 8\n"
		"\t.byte 1\n\t.asciz \"alt.c\"\n\t.quad 0x1000, 0x300\n"
		"\t.byte 2\n\t.asciz \"alt_fn\"\n\t.quad 0x1000, 0x300\n"
		"\t.byte 5\n\t.long 0\n\t.quad 0x1000, 0x100\n"
		"\t.byte 0, 0\n"
		".Lend:\n",
		dir);
	assert_int_equal(fclose(f), 0);
	free(path);
	if (sh("command -v cc >/dev/null") != 0)
		return false;
	return sh("cd '%s' && cc -shared -nostdlib -o alt.so alt.s && mkfifo fifo", dir) == 0;
}

/*
 * A user's file whose DWARF refers to a supplementary file that is a
 * FIFO: libdw would open it, and wait for a writer for ever, at the
 * first name taken from it. Its inlined functions and its lines are
 * refused instead, saying why. Run in a child with a watchdog, so that
 * a hang fails the test rather than holding it.
 */
static void test_dwarf_altlink_fifo(void **state)
{
	char *dir = make_temp_dir(), *user = xasprintf("%s/user.so", dir);
	int status;
	pid_t pid;

	if (!write_altlink_dwarf(dir)) {
		free(user);
		rm_tree(dir);
		skip();
	}
	assert_int_equal(sh("cd '%s' && cp alt.so user.so && chown 65534 user.so", dir), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		const char *names[SYMBOLS_INLINE_FRAMES], *file = NULL;
		struct symbols_lines *l = symbols_lines_new();
		struct symbols_inline *in;
		struct procmap_file f;
		struct ft_error err;
		size_t cost = 0;
		unsigned line;
		int ret;

		alarm(30); /* a hang: the open of the FIFO never returns */
		if (procmap_file_open(&f, AT_FDCWD, user, 0, &err) < 0)
			_exit(2);
		in = symbols_inline_open(&f, user, SYMBOLS_INLINE_DWARF_MAX, &err, &cost);
		procmap_file_close(&f);
		if (in) {
			symbols_inline_find(in, 0x1010, false, SYMBOLS_INLINE_BUDGET_NS, names);
			_exit(3);
		}
		if (!strstr(err.msg, "supplementary file (.gnu_debugaltlink)"))
			_exit(4);
		notices = 0;
		notice_init(&sink, count_notice, NULL);
		symbols_lines_set_notice(l, &sink);
		ret = symbols_lines_find(l, user, 0x10, NULL, &file, &line);
		if (ret != -ENODATA || !strstr(last_notice, "supplementary file"))
			_exit(5);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		fail_msg("the child was killed by signal %d (SIGALRM: it hung)", WTERMSIG(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	free(user);
	rm_tree(dir);
}

/* Functions in the forged file of test_elf_deadline_in_symtab. */
#define MANY_SYMBOLS 50000

/*
 * A module's deadline passed while its one large .symtab is being read
 * (here a forged file of MANY_SYMBOLS functions, and the reading's
 * interrupt, which is asked where the deadline is, saying stop from its
 * third look on): the reading stops there, inside the table, and gives
 * the budget's message, instead of reading the rest of it past the
 * deadline. Read to the end, the same file is looked at every few
 * thousand symbols.
 */
static void test_elf_deadline_in_symtab(void **state)
{
	static const struct symbols_elf_opts opts = { .demangle = true };
	char *dir = make_temp_dir(), *path = xasprintf("%s/many.so", dir);
	struct symbols_elf_report rep;
	struct clock_looks looks;
	struct symbols_elf *e;
	struct procmap_file f;
	struct ft_error err;
	FILE *out;

	(void)state;
	if (sh("command -v cc >/dev/null") != 0) {
		free(path);
		rm_tree(dir);
		skip();
	}
	free(path);
	path = xasprintf("%s/many.s", dir);
	out = fopen(path, "w");
	assert_non_null(out);
	fprintf(out, "\t.text\n\t.macro f\n\t.globl f\\@\n\t.type f\\@, @function\n"
		     "f\\@:\tret\n\t.size f\\@, 1\n\t.endm\n\t.rept %d\n\tf\n\t.endr\n",
		MANY_SYMBOLS);
	assert_int_equal(fclose(out), 0);
	free(path);
	assert_int_equal(sh("cd '%s' && cc -shared -nostdlib -o many.so many.s", dir), 0);
	path = xasprintf("%s/many.so", dir);

	/* Read whole: every function, the clock looked at all along. */
	memset(&looks, 0, sizeof(looks));
	assert_int_equal(procmap_file_open(&f, AT_FDCWD, path, 0, &err), 0);
	f.stop = clock_look;
	f.stop_ctx = &looks;
	e = symbols_elf_read(&f, &opts, &rep, &err);
	procmap_file_close(&f);
	assert_non_null(e);
	assert_false(rep.late);
	assert_int_equal(e->table.len, MANY_SYMBOLS);
	assert_true(looks.looks >= MANY_SYMBOLS / 4096);
	symbols_elf_free(e);

	/* Stopped at the third look: inside the table, with the budget's message. */
	memset(&looks, 0, sizeof(looks));
	looks.stop_at = 3;
	assert_int_equal(procmap_file_open(&f, AT_FDCWD, path, 0, &err), 0);
	f.stop = clock_look;
	f.stop_ctx = &looks;
	e = symbols_elf_read(&f, &opts, &rep, &err);
	procmap_file_close(&f);
	assert_null(e);
	assert_true(rep.late);
	assert_true(looks.looks < MANY_SYMBOLS / 4096); /* not one look a block to the end */
	assert_string_equal(err.msg, "reading it took more than 5 s");
	free(path);
	rm_tree(dir);
}

/*
 * A module's inlined lookups past their time (here a budget of 1 ns, which
 * the first lookup spends): the address looked up then keeps its answer,
 * one not looked up by then gets none, and the notice says so, once.
 */
static void test_inline_budget(void **state)
{
	const char *names[SYMBOLS_INLINE_FRAMES];
	struct symbols *s = sym_new();
	uint64_t start, a = 0, b = 0;
	struct self_map sm;
	uint32_t i;
	size_t n;

	/* Two addresses in probe_inlined with inlined frames, looked up in time. */
	procmap_set_live(sym_pm(s), false);
	fake_text_mapping(FAKE_PID, &sm);
	procmap_mmap(sym_pm(s), &sm.m);
	start = fake_addr(&sm, (void *)&probe_inlined);
	for (i = 0; i < 256 && !b; i++) {
		n = symbols_inlined(s, FAKE_PID, start + i, names);
		if (n == 4 && !a)
			a = start + i;
		else if (n > 0 && n < 4 && !b)
			b = start + i;
	}
	assert_true(a && b);
	sym_free(s);

	s = sym_new();
	listen(s);
	symbols_set_inline_budget(s, 1);
	procmap_set_live(sym_pm(s), false);
	procmap_mmap(sym_pm(s), &sm.m);
	notices = 0;
	assert_int_equal(symbols_inlined(s, FAKE_PID, a, names), 4);
	assert_string_equal(names[0], "probe_inline_d (inlined)");
	assert_int_equal(notices, 1);
	assert_non_null(strstr(last_notice, sm.path));
	assert_non_null(strstr(last_notice, "looking up its inlined functions took more than"));
	assert_int_equal(symbols_inlined(s, FAKE_PID, b, names), 0);
	assert_int_equal(symbols_inlined(s, FAKE_PID, a, names), 4);
	assert_string_equal(names[3], "probe_inline_a (inlined)");
	assert_int_equal(notices, 1);
	sym_free(s);
	notice_free(&sink);
}

/*
 * The answers a module's inlined lookups keep are memory the layer
 * counts (what the explorer's -v shows and --max-memory trims): looking
 * up 8,192 addresses makes its data grow by at least their 12 bytes
 * each, past a ceiling set just above what it held, and two trims free
 * it; the next lookup reads it again and answers as before.
 */
static void test_inline_answers_counted(void **state)
{
	const char *names[SYMBOLS_INLINE_FRAMES];
	struct symbols *s = sym_new();
	struct procmap_stats before, after;
	struct self_map sm;
	uint64_t a = 0, start, i;

	procmap_set_live(sym_pm(s), false);
	fake_text_mapping(FAKE_PID, &sm);
	procmap_mmap(sym_pm(s), &sm.m);
	start = fake_addr(&sm, (void *)&probe_inlined);
	for (i = 0; i < 256 && !a; i++)
		if (symbols_inlined(s, FAKE_PID, start + i, names) == 4)
			a = start + i;
	assert_true(a != 0);
	procmap_stats(sym_pm(s), &before);
	procmap_set_data_limit(sym_pm(s), before.bytes + 4096);
	assert_int_equal(procmap_trim(sym_pm(s)), 0);
	assert_true(sm.m.len >= 8192);
	for (i = 0; i < 8192; i++)
		symbols_inlined(s, FAKE_PID, sm.m.start + i, names);
	procmap_stats(sym_pm(s), &after);
	assert_true(after.bytes >= before.bytes + 8192 * 12);
	procmap_trim(sym_pm(s)); /* what was asked for since the last trim is kept, once */
	assert_true(procmap_trim(sym_pm(s)) > 0);
	procmap_stats(sym_pm(s), &after);
	assert_true(after.bytes <= before.bytes + 4096);
	assert_int_equal(symbols_inlined(s, FAKE_PID, a, names), 4);
	assert_string_equal(names[0], "probe_inline_d (inlined)");
	sym_free(s);
}

static void test_jit_map(void **state)
{
	char *dir = make_temp_dir(), *map = xasprintf("%s/perf-%d.map", dir, (int)getpid()), *held;
	struct symbols *s = sym_new();
	struct symbols_frame f;
	FILE *out;

	symbols_set_jitmap_dir(s, dir);
	listen(s);
	add_fake_anon(s);
	notices = 0;

	/* No map yet: the frame is an offset into [anon]. */
	symbols_resolve(s, (uint32_t)getpid(), FAKE_BASE + 0x10, false, &f);
	assert_null(f.name);
	assert_string_equal(f.module, "[anon]");

	out = fopen(map, "w");
	assert_non_null(out);
	fprintf(out, "%llx 20 LazyCompile:~foo app.js:1\n0x%llx 10 py::bar\nnot a line\n",
		(unsigned long long)FAKE_BASE, (unsigned long long)FAKE_BASE + 0x100);
	fflush(out);
	symbols_resolve(s, (uint32_t)getpid(), FAKE_BASE + 0x10, false, &f);
	assert_non_null(f.name);
	assert_string_equal(f.name, "LazyCompile:~foo app.js:1");
	assert_string_equal(f.module, map);
	symbols_resolve(s, (uint32_t)getpid(), FAKE_BASE + 0x108, false, &f);
	assert_string_equal(f.name, "py::bar");
	symbols_resolve(s, (uint32_t)getpid(), FAKE_BASE + 0x200, false, &f);
	assert_null(f.name);

	/* Appended later, without a newline yet: read once the line is complete. */
	fprintf(out, "%llx 8 late", (unsigned long long)FAKE_BASE + 0x200);
	fflush(out);
	symbols_resolve(s, (uint32_t)getpid(), FAKE_BASE + 0x204, false, &f);
	assert_null(f.name);
	fprintf(out, "\n%llx 20 newer_foo\n", (unsigned long long)FAKE_BASE);
	fclose(out);
	symbols_resolve(s, (uint32_t)getpid(), FAKE_BASE + 0x204, false, &f);
	assert_string_equal(f.name, "late");
	/* A later entry over the same code wins. */
	symbols_resolve(s, (uint32_t)getpid(), FAKE_BASE + 0x4, false, &f);
	assert_string_equal(f.name, "newer_foo");
	assert_int_equal(notices, 0);

	/* The pid names a new image (an exec, or a pid that came back), which
	 * has no map yet: the old one's names are not its names. */
	held = xasprintf("%s/held", dir);
	assert_int_equal(rename(map, held), 0);
	procmap_exec(sym_pm(s), (uint32_t)getpid(), 0);
	add_fake_anon(s);
	symbols_resolve(s, (uint32_t)getpid(), FAKE_BASE + 0x4, false, &f);
	assert_null(f.name);
	assert_int_equal(rename(held, map), 0);
	free(held);
	sym_free(s);

	/* A symbolic link is refused, with one notice however often it is looked at. */
	assert_int_equal(sh("cd '%s' && mv perf-%d.map real && ln -s real perf-%d.map", dir,
			    (int)getpid(), (int)getpid()),
			 0);
	s = sym_new();
	symbols_set_jitmap_dir(s, dir);
	listen(s);
	add_fake_anon(s);
	symbols_resolve(s, (uint32_t)getpid(), FAKE_BASE + 0x10, false, &f);
	assert_null(f.name);
	symbols_resolve(s, (uint32_t)getpid(), FAKE_BASE + 0x11, false, &f);
	assert_null(f.name);
	assert_int_equal(notices, 1);
	assert_non_null(strstr(last_notice, "symbolic link"));
	sym_free(s);

	/* So is a map writable by others. */
	assert_int_equal(sh("cd '%s' && rm perf-%d.map && cp real perf-%d.map && chmod 666 perf-%d.map",
			    dir, (int)getpid(), (int)getpid(), (int)getpid()),
			 0);
	s = sym_new();
	symbols_set_jitmap_dir(s, dir);
	listen(s);
	add_fake_anon(s);
	notices = 0;
	symbols_resolve(s, (uint32_t)getpid(), FAKE_BASE + 0x10, false, &f);
	assert_null(f.name);
	assert_int_equal(notices, 1);
	assert_non_null(strstr(last_notice, "writable"));
	sym_free(s);

	/* And one owned by someone else (as root: by nobody). */
	if (geteuid() == 0) {
		assert_int_equal(sh("cd '%s' && chmod 644 perf-%d.map && chown 65534 perf-%d.map",
				    dir, (int)getpid(), (int)getpid()),
				 0);
		s = sym_new();
		symbols_set_jitmap_dir(s, dir);
		listen(s);
		add_fake_anon(s);
		notices = 0;
		symbols_resolve(s, (uint32_t)getpid(), FAKE_BASE + 0x10, false, &f);
		assert_null(f.name);
		assert_int_equal(notices, 1);
		assert_non_null(strstr(last_notice, "owned by uid 65534"));
		sym_free(s);
	}
	notice_free(&sink);
	free(map);
	rm_tree(dir);
}

/* A child that only waits to be killed: a process with a pid of its own. */
static pid_t idle_child(void)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			pause();
	}
	return pid;
}

/* Kills and reaps it: /proc/PID is gone. */
static void end_child(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* Writes `dir`/perf-PID.map naming FAKE_BASE `name`, owned by `uid`; returns its path. */
static char *write_jit_map(const char *dir, pid_t pid, const char *name, uid_t uid)
{
	char *map = xasprintf("%s/perf-%d.map", dir, (int)pid);
	FILE *out = fopen(map, "w");

	assert_non_null(out);
	fprintf(out, "%llx 20 %s\n", (unsigned long long)FAKE_BASE, name);
	assert_int_equal(fclose(out), 0);
	assert_int_equal(chown(map, uid, (gid_t)-1), 0);
	return map;
}

/* The records of process `pid`'s exec at `time`, then of its anonymous mapping at FAKE_BASE. */
static void exec_with_anon(struct symbols *s, pid_t pid, uint64_t time)
{
	struct pipeline_mmap m;

	procmap_exec(sym_pm(s), (uint32_t)pid, time);
	memset(&m, 0, sizeof(m));
	m.pid = m.tid = (uint32_t)pid;
	m.time = time;
	m.start = FAKE_BASE;
	m.len = 0x10000;
	m.filename = "//anon";
	procmap_mmap(sym_pm(s), &m);
}

static struct symbols *jit_symbols(const char *dir)
{
	struct symbols *s = sym_new();

	symbols_set_jitmap_dir(s, dir);
	listen(s);
	notices = 0;
	return s;
}

/*
 * A JIT map is read, and checked against its process's user, for samples
 * read after the process exited and was reaped (a recorder behind): who
 * the process was is learned while it ran, from the records that named
 * it. A fork's child gone before any look is its parent's user. A record
 * of a process that began before the one now at its pid started (a pid
 * reused since) learns nothing from /proc.
 */
static void test_jit_map_after_exit(void **state)
{
	char *dir = make_temp_dir(), *map;
	struct symbols *s;
	struct symbols_frame f;
	pid_t pid;

	/* Exec and mmap records read while it ran; the sample after it was reaped. */
	pid = idle_child();
	map = write_jit_map(dir, pid, "jitted_after_exit", geteuid());
	s = jit_symbols(dir);
	exec_with_anon(s, pid, util_now_ns());
	end_child(pid);
	symbols_resolve(s, (uint32_t)pid, FAKE_BASE + 0x10, false, &f);
	assert_non_null(f.name);
	assert_string_equal(f.name, "jitted_after_exit");
	assert_string_equal(f.module, map);
	assert_int_equal(notices, 0);
	sym_free(s);
	free(map);

	/* As root, a map owned by someone else is refused after the exit too. */
	if (geteuid() == 0) {
		pid = idle_child();
		map = write_jit_map(dir, pid, "planted", 65534);
		s = jit_symbols(dir);
		exec_with_anon(s, pid, util_now_ns());
		end_child(pid);
		symbols_resolve(s, (uint32_t)pid, FAKE_BASE + 0x10, false, &f);
		assert_null(f.name);
		assert_int_equal(notices, 1);
		assert_non_null(strstr(last_notice, "owned by uid 65534, not by the process's user "
						    "(uid 0)"));
		sym_free(s);
		free(map);
	}

	/* A fork's child read about only once gone: its parent's (our) user. */
	pid = idle_child();
	map = write_jit_map(dir, pid, "forked_jit", geteuid());
	end_child(pid);
	s = jit_symbols(dir);
	procmap_fork(sym_pm(s), (uint32_t)pid, (uint32_t)getpid(), util_now_ns());
	exec_with_anon(s, pid, util_now_ns());
	symbols_resolve(s, (uint32_t)pid, FAKE_BASE + 0x10, false, &f);
	assert_non_null(f.name);
	assert_string_equal(f.name, "forked_jit");
	sym_free(s);
	free(map);

	/* Records of a process that began before the one at the pid now: not it. */
	pid = idle_child();
	map = write_jit_map(dir, pid, "someone_else", geteuid());
	s = jit_symbols(dir);
	exec_with_anon(s, pid, 1);
	symbols_resolve(s, (uint32_t)pid, FAKE_BASE + 0x10, false, &f);
	assert_null(f.name);
	assert_string_equal(f.module, "[anon]");
	end_child(pid);
	sym_free(s);
	free(map);

	notice_free(&sink);
	rm_tree(dir);
}

/*
 * JIT maps are streamed within caps: lines cross the read chunks, a line
 * too long is skipped whole, and a sparse map is refused with one notice.
 */
static void test_jit_map_caps(void **state)
{
	char *dir = make_temp_dir(), *map = xasprintf("%s/perf-%d.map", dir, (int)getpid());
	struct symbols *s;
	struct symbols_frame f;
	FILE *out;
	int i;

	out = fopen(map, "w");
	assert_non_null(out);
	/* 2 MiB of entries elsewhere, then a line of 10000 bytes, then ours. */
	for (i = 0; i < 40000; i++)
		fprintf(out, "%llx 10 filler_%08d_with_a_name_long_enough\n",
			(unsigned long long)FAKE_BASE + 0x1000 + (unsigned long long)(i % 0x800) * 0x10,
			i);
	fprintf(out, "%llx 10 ", (unsigned long long)FAKE_BASE + 0x20);
	for (i = 0; i < 10000; i++)
		fputc('x', out);
	fprintf(out, "\n%llx 20 after_the_long_line\n", (unsigned long long)FAKE_BASE);
	fclose(out);

	s = sym_new();
	symbols_set_jitmap_dir(s, dir);
	listen(s);
	add_fake_anon(s);
	notices = 0;
	symbols_resolve(s, (uint32_t)getpid(), FAKE_BASE + 0x4, false, &f);
	assert_non_null(f.name);
	assert_string_equal(f.name, "after_the_long_line");
	/* The long line's entry was skipped, not half read. */
	symbols_resolve(s, (uint32_t)getpid(), FAKE_BASE + 0x22, false, &f);
	assert_null(f.name);
	symbols_resolve(s, (uint32_t)getpid(), FAKE_BASE + 0x1000 + (39999 % 0x800) * 0x10, false,
			&f);
	assert_non_null(f.name);
	assert_string_equal(f.name, "filler_00039999_with_a_name_long_enough");
	assert_int_equal(notices, 0);
	sym_free(s);

	/* Sparse: 64 MiB of holes after a good line. */
	assert_int_equal(sh("cd '%s' && printf '%llx 20 sparse_foo\\n' >perf-%d.map && "
			    "truncate -s 64M perf-%d.map", dir, (unsigned long long)FAKE_BASE,
			    (int)getpid(), (int)getpid()),
			 0);
	s = sym_new();
	symbols_set_jitmap_dir(s, dir);
	listen(s);
	add_fake_anon(s);
	notices = 0;
	symbols_resolve(s, (uint32_t)getpid(), FAKE_BASE + 0x4, false, &f);
	assert_null(f.name);
	symbols_resolve(s, (uint32_t)getpid(), FAKE_BASE + 0x5, false, &f);
	assert_int_equal(notices, 1);
	assert_non_null(strstr(last_notice, "sparse"));
	sym_free(s);
	notice_free(&sink);
	free(map);
	rm_tree(dir);
}

/* "8 GiB", "512 MiB": how the man page writes a size. */
static void man_size(char *out, size_t len, uint64_t bytes)
{
	if (bytes % (1ull << 30) == 0)
		snprintf(out, len, "%llu GiB", (unsigned long long)(bytes >> 30));
	else
		snprintf(out, len, "%llu MiB", (unsigned long long)(bytes >> 20));
}

/* Every cap on what a process's files cost is named, with its value, in the man page's LIMITS. */
static void test_man_page_limits(void **state)
{
	char *man = util_read_file(SRCDIR "/doc/flametop.1", NULL), *sec, *end, *p;
	char want[32][64];
	size_t n = 0, i;

	assert_non_null(man);
	sec = strstr(man, "\n.SH LIMITS\n");
	assert_non_null(sec);
	end = strstr(sec + 1, "\n.SH ");
	if (end)
		*end = '\0';
	for (p = sec; *p; p++)
		if (*p == '\n')
			*p = ' ';
	man_size(want[n++], sizeof(want[0]), PROCMAP_FILE_MAX);
	man_size(want[n++], sizeof(want[0]), PROCMAP_READ_MAX);
	snprintf(want[n++], sizeof(want[0]), "at most %llu s",
		 (unsigned long long)(PROCMAP_MODULE_BUDGET_NS / 1000000000ull));
	snprintf(want[n++], sizeof(want[0]), "%d symbolic links", PROCMAP_ROOT_HOPS);
	man_size(want[n++], sizeof(want[0]), SYMBOLS_DEBUGLINK_MAX);
	man_size(want[n++], sizeof(want[0]), SYMBOLS_XZ_MEMLIMIT);
	man_size(want[n++], sizeof(want[0]), SYMBOLS_XZ_MAX_OUT);
	snprintf(want[n++], sizeof(want[0]), "%d bytes", SYMBOLS_DEMANGLE_MAX_IN);
	snprintf(want[n++], sizeof(want[0]), "%d bytes", SYMBOLS_DEMANGLE_MAX_OUT);
	snprintf(want[n++], sizeof(want[0]), "at most %llu s; the rest stay mangled",
		 (unsigned long long)(SYMBOLS_DEMANGLE_BUDGET_NS / 1000000000ull));
	man_size(want[n++], sizeof(want[0]), SYMBOLS_JITMAP_MAX_BYTES);
	snprintf(want[n++], sizeof(want[0]), "%u entries", SYMBOLS_JITMAP_MAX_ENTRIES);
	snprintf(want[n++], sizeof(want[0]), "at most %d processes", SYMBOLS_JITMAPS_MAX);
	snprintf(want[n++], sizeof(want[0]), "last %d processes", PROCMAP_EXITED_KEEP);
	snprintf(want[n++], sizeof(want[0]), "%d modules", PROCMAP_PARKED_MAX);
	man_size(want[n], sizeof(want[0]), PROCMAP_PARKED_BYTES);
	strcat(want[n++], " per kind");
	man_size(want[n], sizeof(want[0]), PROCMAP_MAPS_QUERY_MAX);
	strcat(want[n++], " of a process's");
	man_size(want[n], sizeof(want[0]), PROCMAP_MAPS_MAX);
	strcat(want[n++], " on kernels before");
	man_size(want[n], sizeof(want[0]), SYMBOLS_INLINE_DWARF_MAX);
	strcat(want[n++], " of memory together");
	snprintf(want[n++], sizeof(want[0]), "at most %d levels", SYMBOLS_INLINE_DEPTH);
	snprintf(want[n++], sizeof(want[0]), "%u entries of its DWARF", SYMBOLS_INLINE_DIES);
	snprintf(want[n++], sizeof(want[0]), "at most %d inlined frames", SYMBOLS_INLINE_FRAMES);
	snprintf(want[n++], sizeof(want[0]), "at most %llu s in all",
		 (unsigned long long)(SYMBOLS_INLINE_BUDGET_NS / 1000000000ull));
	snprintf(want[n++], sizeof(want[0]), "longer than %d bytes is replaced",
		 SYMBOLS_INLINE_NAME_MAX);
	man_size(want[n], sizeof(want[0]), SYMBOLS_LINES_DWARF_MAX);
	strcat(want[n++], " of memory; a module that would pass it");
	for (i = 0; i < n; i++) {
		if (!strstr(sec, want[i]))
			fail_msg("doc/flametop.1, LIMITS: \"%s\" is not there", want[i]);
	}
	free(man);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_self_pie_function),
		cmocka_unit_test(test_libc_function),
		cmocka_unit_test(test_dlopen_after_first_lookup),
		cmocka_unit_test(test_rescan_only_when_mapped),
		cmocka_unit_test(test_vdso),
		cmocka_unit_test(test_non_pie_process),
		cmocka_unit_test(test_kernel_real),
		cmocka_unit_test(test_kernel_synthetic),
		cmocka_unit_test(test_kernel_parse_edges),
		cmocka_unit_test(test_kernel_parse_chunks),
		cmocka_unit_test(test_kernel_functions),
		cmocka_unit_test(test_kernel_parse_grows),
		cmocka_unit_test(test_kernel_parse_bounds),
		cmocka_unit_test(test_unmapped),
		cmocka_unit_test(test_fork_exec_exit),
		cmocka_unit_test(test_anon_and_overlaps),
		cmocka_unit_test(test_collect_stack_cache),
		cmocka_unit_test(test_collect_task_reused_tid),
		cmocka_unit_test(test_collect_names_process),
		cmocka_unit_test(test_collect_callers_cache),
		cmocka_unit_test(test_collect_trie),
		cmocka_unit_test(test_collect_inline_depth),
		cmocka_unit_test(test_inline_forged_limits),
		cmocka_unit_test(test_inline_no_fd),
		cmocka_unit_test(test_lines_no_fd),
		cmocka_unit_test(test_dwarf_altlink_fifo),
		cmocka_unit_test(test_elf_deadline_in_symtab),
		cmocka_unit_test(test_inline_budget),
		cmocka_unit_test(test_inline_answers_counted),
		cmocka_unit_test(test_build_id_mismatch),
		cmocka_unit_test(test_table_aliases_and_sizes),
		cmocka_unit_test(test_table_shown_aliases),
		cmocka_unit_test(test_elf_rejects_garbage),
		cmocka_unit_test(test_not_live),
		cmocka_unit_test(test_debug_files),
		cmocka_unit_test(test_libc_debug_file),
		cmocka_unit_test(test_symbol_versions),
		cmocka_unit_test(test_collect_truncated),
		cmocka_unit_test(test_libc_plt),
		cmocka_unit_test(test_demangle),
		cmocka_unit_test(test_jit_map),
		cmocka_unit_test(test_jit_map_after_exit),
		cmocka_unit_test(test_xz_memlimit),
		cmocka_unit_test(test_xz_deadline),
		cmocka_unit_test(test_demangle_caps),
		cmocka_unit_test(test_jit_map_caps),
		cmocka_unit_test(test_man_page_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
