/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Event names through libpfm4, and the fallback rule. libpfm4 knows names
 * (cycles, cpu-clock, a PMU's native events) and encodes them into a
 * perf_event_attr; whether the event really opens is only known by asking
 * perf_event_open, because libpfm4 "detects" a CPU model from CPUID even in
 * a VM that exposes no counters.
 */
#include "config.h"

#include <linux/perf_event.h>
#include <perfmon/pfmlib_perf_event.h>

#include "flametop/sampler.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "types.h"

static int pfm_ready(struct ft_error *err)
{
	static int state; /* 0 not tried, 1 ok, -1 failed */
	int r;

	if (state == 0) {
		r = pfm_initialize();
		state = r == PFM_SUCCESS ? 1 : -1;
		if (state < 0)
			error_set(err, "libpfm4 failed to initialize: %s", pfm_strerror(r));
	}
	return state > 0 ? 0 : -ENODEV;
}

static bool is_clock(const struct perf_event_attr *attr)
{
	return attr->type == PERF_TYPE_SOFTWARE && (attr->config == PERF_COUNT_SW_CPU_CLOCK ||
						    attr->config == PERF_COUNT_SW_TASK_CLOCK);
}

int sampler_event_encode(const char *name, struct perf_event_attr *attr, char **unit,
			 struct ft_error *err)
{
	pfm_perf_encode_arg_t arg;
	int r;

	if (pfm_ready(err) < 0)
		return -ENODEV;
	memset(attr, 0, sizeof(*attr));
	memset(&arg, 0, sizeof(arg));
	arg.attr = attr;
	arg.size = sizeof(arg);
	r = pfm_get_os_event_encoding(name, PFM_PLM0 | PFM_PLM3, PFM_OS_PERF_EVENT_EXT, &arg);
	if (r != PFM_SUCCESS) {
		error_set(err,
			  "unknown event '%s' (%s): 'flametop list-events' lists the events here",
			  name, pfm_strerror(r));
		return -ENOENT;
	}
	attr->size = sizeof(*attr);
	if (unit)
		*unit = xstrdup(is_clock(attr) ? "ns" : "count");
	return 0;
}

const char *sampler_event_fallback(int open_errno, bool user_chose, enum sampler_target target)
{
	if (user_chose)
		return NULL;
	if (open_errno != ENOENT && open_errno != EOPNOTSUPP && open_errno != ENODEV)
		return NULL;
	return target == SAMPLER_SYSTEM ? "cpu-clock" : "task-clock";
}

/* Whether `attr` opens here, counting this process on any CPU. */
static int probe_open(struct perf_event_attr *attr)
{
	int fd;

	attr->disabled = 1;
	attr->exclude_hv = 1;
	fd = (int)syscall(SYS_perf_event_open, attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0 && (errno == EACCES || errno == EPERM)) {
		attr->exclude_kernel = 1;
		fd = (int)syscall(SYS_perf_event_open, attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	}
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static void list_event(FILE *out, const char *pmu, const pfm_event_info_t *info)
{
	struct perf_event_attr attr;
	char *full = xasprintf("%s::%s", pmu, info->name);
	pfm_perf_encode_arg_t arg;
	const char *mark = "no";
	int r;

	memset(&attr, 0, sizeof(attr));
	memset(&arg, 0, sizeof(arg));
	arg.attr = &attr;
	arg.size = sizeof(arg);
	r = pfm_get_os_event_encoding(full, PFM_PLM0 | PFM_PLM3, PFM_OS_PERF_EVENT, &arg);
	if (r == PFM_SUCCESS) {
		attr.size = sizeof(attr);
		mark = probe_open(&attr) == 0 ? "yes" : "no";
	} else {
		mark = "n/a";
	}
	fprintf(out, "%-4s %s\n", mark, full);
	free(full);
}

/*
 * The profile types, each marked as its events open here (on the whole
 * system, for this process's libraries), with its unit, or with the
 * reason it cannot work.
 */
static void list_types(FILE *out)
{
	static const struct sampler_type_target system = { .target = SAMPLER_SYSTEM };
	size_t i;

	fprintf(out, "# profile types (-e NAME): opens, name, unit, what it measures\n");
	for (i = 0; sampler_types[i]; i++) {
		const struct sampler_type *t = sampler_types[i];
		struct sampler_type_member m[SAMPLER_TYPE_MAX_MEMBERS];
		struct ft_error err = { { 0 }, 0, 0 };
		const char *mark = "yes";
		int n, j;

		memset(m, 0, sizeof(m));
		n = t->members(&system, m, &err);
		for (j = 0; j < n; j++) {
			m[j].attr.size = sizeof(m[j].attr);
			if (probe_open(&m[j].attr) < 0)
				mark = "no";
		}
		if (n < 0)
			mark = "no";
		fprintf(out, "%-4s %-13s %-5s %s%s%s\n", mark, t->name, t->unit, t->summary,
			n < 0 ? ": " : "", n < 0 ? err.msg : "");
	}
	type_uprobe_cleanup();
}

int sampler_list_events(FILE *out, bool all, struct ft_error *err)
{
	pfm_pmu_info_t pinfo;
	pfm_event_info_t info;
	int pmu, idx;

	if (pfm_ready(err) < 0)
		return -ENODEV;
	fprintf(out, "# opens  event (pmu::name); 'yes' opens on this machine now, "
		     "'n/a' needs a unit mask (pmu::EVENT:UMASK)\n");
	for (pmu = 0; pmu < PFM_PMU_MAX; pmu++) {
		memset(&pinfo, 0, sizeof(pinfo));
		pinfo.size = sizeof(pinfo);
		if (pfm_get_pmu_info(pmu, &pinfo) != PFM_SUCCESS || !pinfo.is_present)
			continue;
		/* perf_raw is an encoding helper, not a list of events. */
		if (strcmp(pinfo.name, "perf_raw") == 0)
			continue;
		fprintf(out, "# %s: %s%s\n", pinfo.name, pinfo.desc ? pinfo.desc : "",
			pinfo.type == PFM_PMU_TYPE_CORE ? " (hardware)" : "");
		for (idx = pinfo.first_event; idx != -1; idx = pfm_get_event_next(idx)) {
			memset(&info, 0, sizeof(info));
			info.size = sizeof(info);
			if (pfm_get_event_info(idx, PFM_OS_NONE, &info) != PFM_SUCCESS)
				continue;
			if (!all && pinfo.type == PFM_PMU_TYPE_CORE && info.equiv)
				continue;
			list_event(out, pinfo.name, &info);
		}
	}
	fprintf(out,
		"# common names: cycles, instructions, cache-misses, branch-misses (hardware);\n"
		"# cpu-clock, task-clock, page-faults, context-switches (software)\n");
	list_types(out);
	return 0;
}
