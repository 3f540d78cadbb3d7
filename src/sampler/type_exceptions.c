/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * exceptions: C++ throws by stack, a count, through a uprobe on
 * __cxa_throw in the target's libstdc++ (every throw_exception, throw
 * expression and rethrow of a new object goes through it). A target
 * without libstdc++ has nothing to probe: the type says so and does not
 * start.
 */
#include "config.h"

#include "types.h"

static int exceptions_members(const struct sampler_type_target *t, struct sampler_type_member *m,
			      struct ft_error *err)
{
	int r = type_uprobe_member(&m[0], t, "libstdc++.so", "libstdc++.so.6", "__cxa_throw", false,
				   err);

	m[0].entry = true;
	return r < 0 ? r : 1;
}

static int exceptions_sample(void *st, uint32_t role, const struct pipeline_sample *s,
			     const uint64_t regs[3], const struct pipeline_sink *sink)
{
	(void)st;
	(void)role;
	(void)regs;
	return type_emit(sink, s, 1);
}

const struct sampler_type sampler_type_exceptions = {
	.name = "exceptions",
	.unit = "count",
	.summary = "C++ throws (uprobe on libstdc++'s __cxa_throw)",
	.members = exceptions_members,
	.sample = exceptions_sample,
};
