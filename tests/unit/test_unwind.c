/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for --call-graph dwarf: the sampler's decoding of the
 * extended sample layout (user registers and stack after the callchain;
 * a stack whose valid part is shorter than its size; a kernel thread's
 * sample without either; truncated records; side-band trailers unchanged)
 * and the DWARF unwinder on a real stack: this very test snapshots its own
 * registers and stack three calls deep, as the kernel would in a sample,
 * and unwinds the copy remotely, with the maps read from /proc and with
 * maps fed as MMAP2 records, and the memo of whole unwinds (a repeated
 * sample gives the same chain, a changed stack word or new mappings do
 * not reuse it).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "flametop/pipeline.h"
#include "flametop/sampler.h"
#include "records.h"
#include "flametop/procmap.h"
#include "flametop/unwind.h"

/* --- decoding --- */

struct got {
	struct pipeline_sample sample;
	int samples, comms;
	struct pipeline_comm comm;
};

static int got_sample(void *ctx, const struct pipeline_sample *s)
{
	struct got *g = ctx;

	g->sample = *s;
	g->samples++;
	return 0;
}

static int got_comm(void *ctx, const struct pipeline_comm *c)
{
	struct got *g = ctx;

	g->comm = *c;
	g->comms++;
	return 0;
}

static const struct pipeline_sink_ops got_ops = {
	.sample = got_sample,
	.comm = got_comm,
};

/* The fixed part of a sample up to its callchain: one kernel frame. */
static void b_sample_head(struct builder *b)
{
	b_start(b, PERF_RECORD_SAMPLE, 0);
	b_u64(b, 77); /* identifier */
	b_u64(b, 0x401234); /* ip */
	b_u32x2(b, 100, 101); /* pid, tid */
	b_u64(b, 5555); /* time */
	b_u32x2(b, 1, 0); /* cpu */
	b_u64(b, 1000); /* period */
	b_u64(b, 2); /* nr */
	b_u64(b, (uint64_t)PERF_CONTEXT_KERNEL);
	b_u64(b, 0xffffffff81000010ull);
}

static void decoder_init(struct sampler_decoder *d, struct pipeline_sink *sink, struct got *g)
{
	memset(g, 0, sizeof(*g));
	sink->ops = &got_ops;
	sink->ctx = g;
	memset(d, 0, sizeof(*d));
	d->sink = sink;
	d->sample_type = SAMPLER_SAMPLE_TYPE_DWARF;
	d->regs_user_mask = SAMPLER_REGS_USER_MASK;
	u64map_init(&d->id_event);
	u64map_put(&d->id_event, 77 + 1, 1);
}

static void test_decode_regs_and_stack(void **state)
{
	struct sampler_decoder d;
	struct pipeline_sink sink;
	struct builder b;
	struct got g;
	uint64_t i;

	(void)state;
	decoder_init(&d, &sink, &g);
	b_sample_head(&b);
	b_u64(&b, PERF_SAMPLE_REGS_ABI_64);
	for (i = 0; i < 8; i++)
		b_u64(&b, 0x1000 + i); /* bx bp sp ip r12 r13 r14 r15 */
	b_u64(&b, 64); /* stack size */
	for (i = 0; i < 8; i++)
		b_u64(&b, 0xaa00 + i);
	b_u64(&b, 40); /* dyn_size: only 40 bytes are the stack's */
	assert_int_equal(sampler_decode(&d, b_done(&b)), 0);
	assert_int_equal(d.malformed, 0);
	assert_int_equal(g.samples, 1);
	assert_int_equal(g.sample.pid, 100);
	assert_int_equal(g.sample.event, 1);
	assert_int_equal(g.sample.ip, 0x401234);
	assert_int_equal(g.sample.nr_ips, 2);
	assert_int_equal(g.sample.ips[1], 0xffffffff81000010ull);
	assert_int_equal(g.sample.user_abi, PERF_SAMPLE_REGS_ABI_64);
	assert_int_equal(g.sample.user_regs_mask, SAMPLER_REGS_USER_MASK);
	assert_non_null(g.sample.user_regs);
	assert_int_equal(g.sample.user_regs[2], 0x1002); /* sp */
	assert_int_equal(g.sample.user_regs[7], 0x1007); /* r15 */
	assert_int_equal(g.sample.user_stack_size, 64);
	assert_int_equal(g.sample.user_stack_dyn_size, 40);
	assert_non_null(g.sample.user_stack);
	assert_int_equal(g.sample.user_stack[0], 0x00);
	assert_int_equal(g.sample.user_stack[1], 0xaa);
	assert_int_equal(g.sample.user_stack[8], 0x01);

	/* A dyn_size larger than the copy is clamped to it. */
	b.len -= 8;
	b_u64(&b, 4096);
	assert_int_equal(sampler_decode(&d, b_done(&b)), 0);
	assert_int_equal(g.sample.user_stack_dyn_size, 64);
	u64map_free(&d.id_event);
}

static void test_decode_kernel_thread(void **state)
{
	struct sampler_decoder d;
	struct pipeline_sink sink;
	struct builder b;
	struct got g;

	(void)state;
	decoder_init(&d, &sink, &g);
	b_sample_head(&b);
	b_u64(&b, PERF_SAMPLE_REGS_ABI_NONE); /* no registers follow */
	b_u64(&b, 0); /* no stack, and no dyn_size */
	assert_int_equal(sampler_decode(&d, b_done(&b)), 0);
	assert_int_equal(d.malformed, 0);
	assert_int_equal(g.samples, 1);
	assert_null(g.sample.user_regs);
	assert_null(g.sample.user_stack);
	assert_int_equal(g.sample.user_stack_size, 0);
	assert_int_equal(g.sample.nr_ips, 2);
	u64map_free(&d.id_event);
}

static void test_decode_truncated(void **state)
{
	struct sampler_decoder d;
	struct pipeline_sink sink;
	struct builder b;
	struct got g;
	uint64_t i;

	(void)state;
	decoder_init(&d, &sink, &g);

	/* The registers stop half-way. */
	b_sample_head(&b);
	b_u64(&b, PERF_SAMPLE_REGS_ABI_64);
	for (i = 0; i < 5; i++)
		b_u64(&b, i);
	assert_int_equal(sampler_decode(&d, b_done(&b)), 0);
	assert_int_equal(d.malformed, 1);

	/* The stack says 64 bytes, the record holds 32. */
	b_sample_head(&b);
	b_u64(&b, PERF_SAMPLE_REGS_ABI_64);
	for (i = 0; i < 8; i++)
		b_u64(&b, i);
	b_u64(&b, 64);
	for (i = 0; i < 4; i++)
		b_u64(&b, i);
	assert_int_equal(sampler_decode(&d, b_done(&b)), 0);
	assert_int_equal(d.malformed, 2);

	/* The whole stack, but no dyn_size after it. */
	b_sample_head(&b);
	b_u64(&b, PERF_SAMPLE_REGS_ABI_64);
	for (i = 0; i < 8; i++)
		b_u64(&b, i);
	b_u64(&b, 16);
	b_u64(&b, 1);
	b_u64(&b, 2);
	assert_int_equal(sampler_decode(&d, b_done(&b)), 0);
	assert_int_equal(d.malformed, 3);

	/* No regs_user at all: the record ends after the callchain. */
	b_sample_head(&b);
	assert_int_equal(sampler_decode(&d, b_done(&b)), 0);
	assert_int_equal(d.malformed, 4);
	assert_int_equal(g.samples, 0);
	u64map_free(&d.id_event);
}

/* Side-band records keep their trailer in the dwarf layout. */
static void test_decode_side_band_dwarf(void **state)
{
	struct sampler_decoder d;
	struct pipeline_sink sink;
	struct builder b;
	struct got g;

	(void)state;
	decoder_init(&d, &sink, &g);
	b_start(&b, PERF_RECORD_COMM, 0);
	b_u32x2(&b, 300, 301);
	memcpy(b.u.bytes + b.len, "nofp\0\0\0\0", 8);
	b.len += 8;
	b_u32x2(&b, 300, 301); /* trailer: pid, tid */
	b_u64(&b, 999); /* time */
	b_u32x2(&b, 0, 0); /* cpu */
	b_u64(&b, 77); /* identifier */
	assert_int_equal(sampler_decode(&d, b_done(&b)), 0);
	assert_int_equal(g.comms, 1);
	assert_string_equal(g.comm.comm, "nofp");
	assert_int_equal(g.comm.time, 999);
	assert_int_equal(d.malformed, 0);
	u64map_free(&d.id_event);
}

/* --- unwinding a real stack --- */

/* What a sample would carry: regs in SAMPLER_REGS_USER_MASK order. */
struct snapshot {
	uint64_t regs[8]; /* bx bp sp ip r12 r13 r14 r15 */
	unsigned char *stack;
	size_t size;
	uint64_t ra[3]; /* return addresses into middle, outer and the test */
};

static struct snapshot snap;
static volatile int depth_sink;

/* Copies the stack above the snapshot's sp like the kernel does: bytes,
 * whatever a sanitizer thinks of them. */
__attribute__((noinline, no_sanitize_address)) static void snap_copy_stack(void)
{
	pthread_attr_t attr;
	void *base = NULL;
	size_t size = 0, i, avail = 8192;
	const volatile unsigned char *sp = (const unsigned char *)(uintptr_t)snap.regs[2];

	if (pthread_getattr_np(pthread_self(), &attr) == 0) {
		if (pthread_attr_getstack(&attr, &base, &size) == 0 && base &&
		    (uintptr_t)sp >= (uintptr_t)base && (uintptr_t)sp < (uintptr_t)base + size)
			avail = (uintptr_t)base + size - (uintptr_t)sp;
		pthread_attr_destroy(&attr);
	}
	snap.size = avail < 8192 ? avail : 8192;
	snap.stack = malloc(snap.size);
	for (i = 0; i < snap.size; i++)
		snap.stack[i] = sp[i];
}

__attribute__((noinline)) static void unw_test_inner(void)
{
	uint64_t *r = snap.regs;

	__asm__ volatile("movq %%rbx, 0(%0)\n\t"
			 "movq %%rbp, 8(%0)\n\t"
			 "movq %%rsp, 16(%0)\n\t"
			 "leaq 0(%%rip), %%rax\n\t"
			 "movq %%rax, 24(%0)\n\t"
			 "movq %%r12, 32(%0)\n\t"
			 "movq %%r13, 40(%0)\n\t"
			 "movq %%r14, 48(%0)\n\t"
			 "movq %%r15, 56(%0)\n\t"
			 :
			 : "r"(r)
			 : "rax", "memory");
	snap.ra[0] = (uint64_t)(uintptr_t)__builtin_return_address(0);
	snap_copy_stack();
	depth_sink++;
}

__attribute__((noinline)) static void unw_test_middle(void)
{
	snap.ra[1] = (uint64_t)(uintptr_t)__builtin_return_address(0);
	unw_test_inner();
	depth_sink++; /* not a tail call */
}

__attribute__((noinline)) static void unw_test_outer(void)
{
	snap.ra[2] = (uint64_t)(uintptr_t)__builtin_return_address(0);
	unw_test_middle();
	depth_sink++;
}

static void snap_sample(struct pipeline_sample *s)
{
	memset(s, 0, sizeof(*s));
	s->pid = s->tid = (uint32_t)getpid();
	s->ip = snap.regs[3];
	s->user_abi = PERF_SAMPLE_REGS_ABI_64;
	s->user_regs_mask = SAMPLER_REGS_USER_MASK;
	s->user_regs = snap.regs;
	s->user_stack = snap.stack;
	s->user_stack_size = snap.size;
	s->user_stack_dyn_size = snap.size;
}

static void assert_known_chain(const uint64_t *ips, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < 6; i++)
		print_message("# frame %zu: %#" PRIx64 "\n", i, ips[i]);
	assert_true(n >= 4);
	assert_int_equal(ips[0], snap.regs[3]);
	assert_int_equal(ips[1], snap.ra[0]);
	assert_int_equal(ips[2], snap.ra[1]);
	assert_int_equal(ips[3], snap.ra[2]);
}

static void test_unwind_own_stack(void **state)
{
	struct procmap *pm = procmap_new();
	struct unwind *u = unwind_new(pm);
	struct pipeline_sample s;
	struct pipeline_unwind_stats st;
	uint64_t ips[64];
	size_t n;
	int round;

	(void)state;
	unw_test_outer();
	snap_sample(&s);
	/* Twice: cold caches, then warm ones give the same chain. */
	for (round = 0; round < 2; round++) {
		n = unwind_sample(u, &s, ips, 64);
		assert_known_chain(ips, n);
	}
	unwind_stats(u, &st);
	assert_int_equal(st.samples, 2);
	assert_int_equal(st.unwound, 2);
	assert_true(st.median_ns > 0);

	/* Only 16 valid bytes of stack: the IP, and no made-up callers. */
	s.user_stack_dyn_size = 16;
	n = unwind_sample(u, &s, ips, 64);
	assert_true(n >= 1);
	assert_int_equal(ips[0], snap.regs[3]);
	assert_true(n < 4 || ips[3] != snap.ra[2] || ips[1] == snap.ra[0]);

	/* A kernel thread's sample: nothing to unwind. */
	s.user_regs = NULL;
	s.user_abi = PERF_SAMPLE_REGS_ABI_NONE;
	assert_int_equal(unwind_sample(u, &s, ips, 64), 0);
	unwind_free(u);
	procmap_free(pm);
	free(snap.stack);
}

/* Not live: the maps come only from MMAP2 records, as on replay. */
static void test_unwind_from_mmap_records(void **state)
{
	struct procmap *pm = procmap_new();
	struct unwind *u = unwind_new(pm);
	struct pipeline_sample s;
	char *maps, *line, *save = NULL;
	uint64_t ips[64];
	size_t n;
	FILE *f;

	(void)state;
	procmap_set_live(pm, false);
	f = fopen("/proc/self/maps", "r");
	assert_non_null(f);
	maps = calloc(1, 1 << 20);
	assert_non_null(maps);
	n = fread(maps, 1, (1 << 20) - 1, f);
	fclose(f);
	assert_true(n > 0);
	for (line = strtok_r(maps, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long start, end, off;
		char perms[8];
		int at = 0;
		struct pipeline_mmap m;

		if (sscanf(line, "%llx-%llx %7s %llx %*s %*s %n", &start, &end, perms, &off, &at) < 4 ||
		    !at || perms[2] != 'x' || line[at] != '/')
			continue;
		memset(&m, 0, sizeof(m));
		m.pid = m.tid = (uint32_t)getpid();
		m.start = start;
		m.len = end - start;
		m.pgoff = off;
		m.prot = PROT_READ | PROT_EXEC;
		m.filename = line + at;
		procmap_mmap(pm, &m);
	}
	free(maps);
	unw_test_outer();
	snap_sample(&s);
	n = unwind_sample(u, &s, ips, 64);
	assert_known_chain(ips, n);

	/* After exec the old maps are gone: no unwind table for the IP (what
	 * libunwind's frame-pointer fallback finds may remain), and no crash. */
	procmap_exec(pm, (uint32_t)getpid(), 0);
	n = unwind_sample(u, &s, ips, 64);
	assert_true(n >= 1);
	assert_int_equal(ips[0], snap.regs[3]);
	procmap_exit(pm, (uint32_t)getpid());
	unwind_free(u);
	procmap_free(pm);
	free(snap.stack);
}

/*
 * The memo of whole unwinds: a repeated sample is answered from it, but
 * only while every word the unwind read is the same, the mappings did not
 * change, and the stored chain was not cut short by a smaller `max`.
 */
static void test_unwind_memo(void **state)
{
	struct procmap *pm = procmap_new();
	struct unwind *u = unwind_new(pm);
	struct pipeline_sample s;
	uint64_t ips[64], *slot = NULL;
	size_t n, i;

	(void)state;
	unw_test_outer();
	snap_sample(&s);

	/* Cut at 2, not stored: the full chain comes next, then a cut copy of it. */
	assert_int_equal(unwind_sample(u, &s, ips, 2), 2);
	n = unwind_sample(u, &s, ips, 64);
	assert_known_chain(ips, n);
	assert_int_equal(unwind_sample(u, &s, ips, 3), 3);
	assert_int_equal(ips[2], snap.ra[1]);
	n = unwind_sample(u, &s, ips, 64);
	assert_known_chain(ips, n);

	/* Another return address where inner's was: the chain follows the stack. */
	for (i = 0; i + 8 <= snap.size; i += 8) {
		uint64_t v;

		memcpy(&v, snap.stack + i, 8);
		if (v == snap.ra[0]) {
			slot = (uint64_t *)(void *)(snap.stack + i);
			break;
		}
	}
	assert_non_null(slot);
	*slot = snap.ra[1];
	n = unwind_sample(u, &s, ips, 64);
	assert_true(n >= 2);
	assert_int_equal(ips[1], snap.ra[1]);
	*slot = snap.ra[0];
	n = unwind_sample(u, &s, ips, 64);
	assert_known_chain(ips, n);

	/* New mappings (an exec, none known after it): unwound afresh, no crash. */
	procmap_exec(pm, (uint32_t)getpid(), 0);
	procmap_set_live(pm, false);
	n = unwind_sample(u, &s, ips, 64);
	assert_true(n >= 1);
	assert_int_equal(ips[0], snap.regs[3]);
	unwind_free(u);
	procmap_free(pm);
	free(snap.stack);
}

/* The offset in the snapshot's stack copy of the word holding `ra`; fails when none does. */
static size_t snap_slot_of(uint64_t ra)
{
	size_t i;

	for (i = 0; i + 8 <= snap.size; i += 8) {
		uint64_t v;

		memcpy(&v, snap.stack + i, 8);
		if (v == ra)
			return i;
	}
	fail_msg("no word of the stack copy holds %#" PRIx64, ra);
	return 0;
}

/*
 * A memo hit asks again only what the sample answered (registers, words
 * of the copy): the rest depends on where the copy lies and how far it
 * goes. The same sample (same pid, IP and stack pointer) whose copy the
 * kernel ended short, just past inner's return address, then whole, is
 * unwound afresh the second time, through every frame; and the same
 * words with one return address changed give another chain, each time.
 */
static void test_unwind_memo_same_ip_other_stack(void **state)
{
	struct procmap *pm = procmap_new();
	struct unwind *u = unwind_new(pm);
	struct pipeline_sample s;
	uint64_t ips[64], *slot;
	size_t n, ra_off, round;

	(void)state;
	unw_test_outer();
	snap_sample(&s);
	ra_off = snap_slot_of(snap.ra[0]);
	s.user_stack_dyn_size = ra_off + 8;
	assert_true(s.user_stack_dyn_size < s.user_stack_size);
	/* Twice, the second from the memo: the frames the short copy holds, cut. */
	for (round = 0; round < 2; round++) {
		n = unwind_sample(u, &s, ips, 64);
		assert_int_equal(n, 2);
		assert_int_equal(ips[0], snap.regs[3]);
		assert_int_equal(ips[1], snap.ra[0]);
		assert_true(unwind_cut(u));
	}
	s.user_stack_dyn_size = snap.size;
	for (round = 0; round < 2; round++) {
		n = unwind_sample(u, &s, ips, 64);
		assert_known_chain(ips, n);
		assert_false(unwind_cut(u));
	}

	/* Middle's return address replaced by outer's, then put back. */
	slot = (uint64_t *)(void *)(snap.stack + snap_slot_of(snap.ra[1]));
	for (round = 0; round < 2; round++) {
		*slot = snap.ra[2];
		n = unwind_sample(u, &s, ips, 64);
		assert_true(n >= 3);
		assert_int_equal(ips[1], snap.ra[0]);
		assert_int_equal(ips[2], snap.ra[2]);
		*slot = snap.ra[1];
		n = unwind_sample(u, &s, ips, 64);
		assert_known_chain(ips, n);
	}
	unwind_free(u);
	procmap_free(pm);
	free(snap.stack);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_regs_and_stack),
		cmocka_unit_test(test_decode_kernel_thread),
		cmocka_unit_test(test_decode_truncated),
		cmocka_unit_test(test_decode_side_band_dwarf),
		cmocka_unit_test(test_unwind_own_stack),
		cmocka_unit_test(test_unwind_from_mmap_records),
		cmocka_unit_test(test_unwind_memo),
		cmocka_unit_test(test_unwind_memo_same_ip_other_stack),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
