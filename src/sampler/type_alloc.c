/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * alloc: bytes allocated, by the stack that asked, through uprobes on the
 * target's libc: malloc (its first argument is the size), calloc (the
 * product of its two) and realloc (its second). operator new and the C++
 * containers reach malloc through libstdc++, so they are counted there.
 * Every call traps into the kernel and takes a stack (several microseconds
 * each: bench/types-overhead.sh): opt-in, and the man page says so. A statically linked target has no libc to probe:
 * the type then says so and does not start.
 */
#include "config.h"

#include "types.h"

enum { ALLOC_MALLOC, ALLOC_CALLOC, ALLOC_REALLOC };

static int alloc_members(const struct sampler_type_target *t, struct sampler_type_member *m,
			 struct ft_error *err)
{
	static const char *const funcs[] = { "malloc", "calloc", "realloc" };
	static const uint64_t regs[] = { TYPE_REG_DI, TYPE_REG_DI | TYPE_REG_SI, TYPE_REG_SI };
	int i, r;

	for (i = 0; i < 3; i++) {
		r = type_uprobe_member(&m[i], t, "libc.so", "libc.so.6", funcs[i], false, err);
		if (r < 0)
			return r;
		m[i].regs = regs[i];
		m[i].entry = true;
		m[i].role = (uint32_t)i;
	}
	return 3;
}

static int alloc_sample(void *st, uint32_t role, const struct pipeline_sample *s,
			const uint64_t regs[3], const struct pipeline_sink *sink)
{
	uint64_t bytes = 0;

	(void)st;
	switch (role) {
	case ALLOC_MALLOC:
		bytes = regs[TYPE_R_DI];
		break;
	case ALLOC_CALLOC:
		/* An overflowing product fails in calloc: nothing allocated. */
		if (__builtin_mul_overflow(regs[TYPE_R_DI], regs[TYPE_R_SI], &bytes))
			bytes = 0;
		break;
	case ALLOC_REALLOC:
		bytes = regs[TYPE_R_SI];
		break;
	}
	if (!bytes)
		return 0;
	return type_emit(sink, s, bytes);
}

const struct sampler_type sampler_type_alloc = {
	.name = "alloc",
	.unit = "bytes",
	.summary = "bytes allocated by malloc, calloc, realloc (uprobes: us per call)",
	.members = alloc_members,
	.sample = alloc_sample,
};
