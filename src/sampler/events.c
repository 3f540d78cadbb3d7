/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Event names, and the fallback rule. perf's generic names (cycles,
 * cpu-clock, page-faults, ...) are encoded here from a table, as perf
 * encodes them; every other name goes through libpfm4, which knows the
 * generic names too (tests/unit/test_sampler.c checks that it encodes
 * each one of the table the same) and a PMU's native events. Whether the
 * event really opens is only known by asking perf_event_open, because
 * libpfm4 "detects" a CPU model from CPUID even in a VM that exposes no
 * counters.
 *
 * libpfm4 is loaded (dlopen) the first time a name is not in the table,
 * not linked: its event tables take some 40,000 relocations and 270 pages
 * of memory written at load, and pfm_initialize() some more, about 10 ms
 * of CPU in all that every flametop command paid (a share of a short
 * recording), while the default event and the common ones need none of
 * it. Without it, only the table's names encode, and others say why.
 */
#include "config.h"

#include <linux/perf_event.h>
#include <perfmon/pfmlib_perf_event.h>

#include "flametop/sampler.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "types.h"

/* perf's generic events: what `perf record -e NAME` opens for these names. */
static const struct generic_event {
	const char *name;
	uint32_t type;
	uint64_t config;
} generic_events[] = {
	{ "cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES },
	{ "cpu-cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES },
	{ "instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS },
	{ "cache-references", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_REFERENCES },
	{ "cache-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES },
	{ "branches", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_INSTRUCTIONS },
	{ "branch-instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_INSTRUCTIONS },
	{ "branch-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES },
	{ "bus-cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BUS_CYCLES },
	{ "ref-cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_REF_CPU_CYCLES },
	{ "cpu-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK },
	{ "task-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK },
	{ "page-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS },
	{ "faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS },
	{ "minor-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MIN },
	{ "major-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MAJ },
	{ "context-switches", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES },
	{ "cs", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES },
	{ "cpu-migrations", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS },
	{ "migrations", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS },
};

/* libpfm4's soname: its ABI has been .so.4 since 4.0. */
#define PFM_SONAME "libpfm.so.4"

/* The libpfm4 functions this file calls. */
static struct pfm_lib {
	pfm_err_t (*initialize)(void);
	const char *(*strerror)(int code);
	pfm_err_t (*get_os_event_encoding)(const char *str, int dfl_plm, pfm_os_t os, void *args);
	pfm_err_t (*get_pmu_info)(pfm_pmu_t pmu, pfm_pmu_info_t *output);
	int (*get_event_next)(int idx);
	pfm_err_t (*get_event_info)(int idx, pfm_os_t os, pfm_event_info_t *output);
} pfm;
static pthread_once_t pfm_once = PTHREAD_ONCE_INIT;
static char pfm_error[256]; /* why it is not ready; "" once it is */

static void pfm_load(void)
{
	static const struct {
		const char *name;
		size_t off;
	} syms[] = {
#define SYM(f) { "pfm_" #f, offsetof(struct pfm_lib, f) }
		SYM(initialize),   SYM(strerror),	SYM(get_os_event_encoding),
		SYM(get_pmu_info), SYM(get_event_next), SYM(get_event_info),
#undef SYM
	};
	struct pfm_lib l;
	void *h = dlopen(PFM_SONAME, RTLD_NOW | RTLD_LOCAL);
	size_t i;
	int r;

	if (!h) {
		snprintf(pfm_error, sizeof(pfm_error), "this event needs libpfm4 (%s): %s",
			 PFM_SONAME, dlerror());
		return;
	}
	for (i = 0; i < ARRAY_SIZE(syms); i++) {
		void *f = dlsym(h, syms[i].name);

		if (!f) {
			snprintf(pfm_error, sizeof(pfm_error), "libpfm4 has no %s", syms[i].name);
			return; /* the handle stays: a library may not be unloaded safely */
		}
		memcpy((char *)&l + syms[i].off, &f, sizeof(f));
	}
	r = l.initialize();
	if (r != PFM_SUCCESS) {
		snprintf(pfm_error, sizeof(pfm_error), "libpfm4 failed to initialize: %s",
			 l.strerror(r));
		return;
	}
	pfm = l;
	pfm_error[0] = '\0';
}

/* Loads and initializes libpfm4 once; 0, or -ENODEV with `err` saying why not. */
static int pfm_ready(struct ft_error *err)
{
	pthread_once(&pfm_once, pfm_load);
	if (pfm.initialize)
		return 0;
	error_set(err, "%s", pfm_error);
	return -ENODEV;
}

static bool is_clock(const struct perf_event_attr *attr)
{
	return attr->type == PERF_TYPE_SOFTWARE && (attr->config == PERF_COUNT_SW_CPU_CLOCK ||
						    attr->config == PERF_COUNT_SW_TASK_CLOCK);
}

int sampler_event_encode_pfm(const char *name, struct perf_event_attr *attr, struct ft_error *err)
{
	pfm_perf_encode_arg_t arg;
	int r;

	if (pfm_ready(err) < 0)
		return -ENODEV;
	memset(attr, 0, sizeof(*attr));
	memset(&arg, 0, sizeof(arg));
	arg.attr = attr;
	arg.size = sizeof(arg);
	r = pfm.get_os_event_encoding(name, PFM_PLM0 | PFM_PLM3, PFM_OS_PERF_EVENT_EXT, &arg);
	if (r != PFM_SUCCESS) {
		error_set(err,
			  "unknown event '%s' (%s): 'flametop list-events' lists the events here",
			  name, pfm.strerror(r));
		return -ENOENT;
	}
	attr->size = sizeof(*attr);
	return 0;
}

/*
 * Encodes tracepoint SUBSYSTEM:EVENT ("sched:sched_switch") as perf does:
 * sampled at each hit (period 1; a frequency would make the sum of
 * periods no count). Returns 0, or -ENOENT when `name` is no tracepoint
 * in tracefs (then it may still be a libpfm4 name, "cycles:u").
 */
static int encode_tracepoint(const char *name, struct perf_event_attr *attr)
{
	const char *colon = strchr(name, ':');
	char subsys[72];
	long id;

	if (!colon || (size_t)(colon - name) >= sizeof(subsys))
		return -ENOENT;
	memcpy(subsys, name, (size_t)(colon - name));
	subsys[colon - name] = '\0';
	id = type_tracepoint_id(subsys, colon + 1);
	if (id < 0)
		return -ENOENT;
	memset(attr, 0, sizeof(*attr));
	attr->type = PERF_TYPE_TRACEPOINT;
	attr->config = (uint64_t)id;
	attr->sample_period = 1;
	attr->size = sizeof(*attr);
	return 0;
}

bool sampler_event_every(const char *name)
{
	const struct sampler_type *type = sampler_type_find(name);
	struct perf_event_attr attr;

	return type ? type->every : encode_tracepoint(name, &attr) == 0;
}

bool sampler_event_on_pmu(struct perf_event_attr *attr, uint32_t type)
{
	if ((attr->type != PERF_TYPE_HARDWARE && attr->type != PERF_TYPE_HW_CACHE) ||
	    attr->config >> PERF_PMU_TYPE_SHIFT)
		return false;
	attr->config = (attr->config & PERF_HW_EVENT_MASK) | (uint64_t)type << PERF_PMU_TYPE_SHIFT;
	return true;
}

bool sampler_event_soft_count(const char *name)
{
	size_t i;

	if (sampler_type_find(name))
		return false; /* faults: each fault */
	for (i = 0; i < ARRAY_SIZE(generic_events); i++)
		if (strcmp(name, generic_events[i].name) == 0)
			return generic_events[i].type == PERF_TYPE_SOFTWARE &&
			       generic_events[i].config != PERF_COUNT_SW_CPU_CLOCK &&
			       generic_events[i].config != PERF_COUNT_SW_TASK_CLOCK;
	return false;
}

const char *sampler_event_generic_name(size_t i)
{
	return i < ARRAY_SIZE(generic_events) ? generic_events[i].name : NULL;
}

int sampler_event_encode(const char *name, struct perf_event_attr *attr, char **unit,
			 struct ft_error *err)
{
	size_t i;
	int r;

	for (i = 0; i < ARRAY_SIZE(generic_events); i++)
		if (strcmp(name, generic_events[i].name) == 0)
			break;
	if (i < ARRAY_SIZE(generic_events)) {
		/* As libpfm4 encodes them for user and kernel (PFM_PLM0 | PFM_PLM3),
		 * the host only (as perf does too). */
		memset(attr, 0, sizeof(*attr));
		attr->type = generic_events[i].type;
		attr->config = generic_events[i].config;
		attr->exclude_hv = 1;
		attr->exclude_guest = 1;
		attr->size = sizeof(*attr);
	} else if (encode_tracepoint(name, attr) < 0) {
		r = sampler_event_encode_pfm(name, attr, err);
		if (r < 0)
			return r;
	}
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
	r = pfm.get_os_event_encoding(full, PFM_PLM0 | PFM_PLM3, PFM_OS_PERF_EVENT, &arg);
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
/* The cpu type: the default event, cycles where they open, else a software clock. */
static void list_cpu_type(FILE *out)
{
	struct perf_event_attr attr;
	struct ft_error err = { { 0 }, 0, 0 };
	char *unit = NULL;
	bool cycles;

	memset(&attr, 0, sizeof(attr));
	cycles = sampler_event_encode(SAMPLER_DEFAULT_EVENT, &attr, &unit, &err) == 0 &&
		 probe_open(&attr) == 0;
	if (cycles)
		fprintf(out, "%-4s %-13s %-5s on-CPU time as %s (the default)\n", "yes",
			SAMPLER_CPU_TYPE, unit ? unit : "count", SAMPLER_DEFAULT_EVENT);
	else
		fprintf(out, "%-4s %-13s %-5s on-CPU time: no %s here, so cpu-clock (-a) or "
			"task-clock (the default)\n", "yes", SAMPLER_CPU_TYPE, "ns",
			SAMPLER_DEFAULT_EVENT);
	free(unit);
}

static void list_types(FILE *out)
{
	static const struct sampler_type_target system = { .target = SAMPLER_SYSTEM };
	size_t i;

	fprintf(out, "# profile types (-e NAME): opens, name, unit, what it measures\n");
	list_cpu_type(out);
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
		if (pfm.get_pmu_info(pmu, &pinfo) != PFM_SUCCESS || !pinfo.is_present)
			continue;
		/* perf_raw is an encoding helper, not a list of events. */
		if (strcmp(pinfo.name, "perf_raw") == 0)
			continue;
		fprintf(out, "# %s: %s%s\n", pinfo.name, pinfo.desc ? pinfo.desc : "",
			pinfo.type == PFM_PMU_TYPE_CORE ? " (hardware)" : "");
		for (idx = pinfo.first_event; idx != -1; idx = pfm.get_event_next(idx)) {
			memset(&info, 0, sizeof(info));
			info.size = sizeof(info);
			if (pfm.get_event_info(idx, PFM_OS_NONE, &info) != PFM_SUCCESS)
				continue;
			if (!all && pinfo.type == PFM_PMU_TYPE_CORE && info.equiv)
				continue;
			list_event(out, pinfo.name, &info);
		}
	}
	fprintf(out,
		"# common names: cycles, instructions, cache-misses, branch-misses (hardware);\n"
		"# cpu-clock, task-clock, page-faults, context-switches (software);\n"
		"# tracepoints as SUBSYSTEM:EVENT, the directories of "
		"/sys/kernel/tracing/events\n"
		"# (sched:sched_switch, syscalls:sys_enter_write), each hit sampled\n");
	list_types(out);
	return 0;
}
