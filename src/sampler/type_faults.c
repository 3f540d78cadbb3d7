/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * faults: page faults by stack, every one of them (a software event with
 * period 1, not a frequency: a frequency-sampled software event restarts
 * its period whenever the kernel adjusts it, so the sum of periods is no
 * count). Each sample weighs 1; the unit is count. Minor and major faults
 * are both counted; -e major-faults or minor-faults picks one kind.
 */
#include "config.h"

#include "types.h"

#include <string.h>

static int faults_members(const struct sampler_type_target *t, struct sampler_type_member *m,
			  struct ft_error *err)
{
	(void)t;
	(void)err;
	memset(&m[0], 0, sizeof(m[0]));
	m[0].attr.type = PERF_TYPE_SOFTWARE;
	m[0].attr.config = PERF_COUNT_SW_PAGE_FAULTS;
	m[0].attr.sample_period = 1;
	return 1;
}

const struct sampler_type sampler_type_faults = {
	.name = "faults",
	.every = true,
	.unit = "count",
	.summary = "page faults (minor and major), each one, by stack",
	.members = faults_members,
};
