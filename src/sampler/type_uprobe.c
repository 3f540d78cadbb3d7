/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Uprobes for profile types, through the kernel's uprobe PMU
 * (/sys/bus/event_source/devices/uprobe): perf_event_open with the
 * library's path in config1 and the function's file offset in config2,
 * no tracefs needed. The library is the one the target maps: for a PID
 * target, found in the first process's /proc/PID/maps and reached through
 * /proc/PID/root (a container's own libc); for a command or the whole
 * system, the one the dynamic loader finds for flametop, which is what a
 * command it starts loads too.
 */
#include "config.h"

#include "types.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>

#include "flametop/symbols.h"

/* Paths handed to the kernel in config1, kept for reopening (attach). */
#define MAX_PATHS 16
static char *paths[MAX_PATHS];

static const char *keep_path(const char *path)
{
	size_t i;

	for (i = 0; i < MAX_PATHS && paths[i]; i++)
		if (strcmp(paths[i], path) == 0)
			return paths[i];
	if (i == MAX_PATHS)
		return NULL;
	paths[i] = xstrdup(path);
	return paths[i];
}

/* Whether the file name of `path` starts with `lib` ("libc.so"). */
static bool is_lib(const char *path, const char *lib)
{
	const char *base = strrchr(path, '/');

	return base && strncmp(base + 1, lib, strlen(lib)) == 0;
}

/* The library in process `pid`'s maps, as /proc/PID/root/PATH. Caller frees. */
static char *lib_of_pid(pid_t pid, const char *lib)
{
	char maps[64], *buf, *line, *save = NULL, *found = NULL;

	snprintf(maps, sizeof(maps), "/proc/%d/maps", (int)pid);
	buf = util_read_file(maps, NULL);
	if (!buf)
		return NULL;
	for (line = strtok_r(buf, "\n", &save); line && !found;
	     line = strtok_r(NULL, "\n", &save)) {
		char *path = strchr(line, '/');

		if (path && is_lib(path, lib) && !strstr(path, " (deleted)"))
			found = xasprintf("/proc/%d/root%s", (int)pid, path);
	}
	free(buf);
	return found;
}

struct find_loaded {
	const char *lib;
	char *path;
};

static int loaded_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	struct find_loaded *f = data;

	(void)size;
	if (info->dlpi_name && info->dlpi_name[0] == '/' && is_lib(info->dlpi_name, f->lib)) {
		f->path = realpath(info->dlpi_name, NULL);
		return 1;
	}
	return 0;
}

/*
 * The library as the dynamic loader finds it for us: loaded already
 * (libc), or loaded now to learn its path and let go (libstdc++).
 */
static char *lib_of_loader(const char *lib, const char *soname)
{
	struct find_loaded f = { lib, NULL };
	void *h;

	dl_iterate_phdr(loaded_cb, &f);
	if (f.path)
		return f.path;
	h = dlopen(soname, RTLD_LAZY | RTLD_LOCAL);
	if (!h)
		return NULL;
	dl_iterate_phdr(loaded_cb, &f);
	dlclose(h);
	return f.path;
}

static int uprobe_pmu(int *type, int *ret_bit, struct ft_error *err)
{
	long v = 0;
	char *fmt;

	if (util_read_long("/sys/bus/event_source/devices/uprobe/type", &v) < 0) {
		error_set(err,
			  "this kernel has no uprobe PMU (/sys/bus/event_source/devices/uprobe; "
			  "CONFIG_UPROBE_EVENTS, Linux 4.17 or later)");
		return -ENODEV;
	}
	*type = (int)v;
	*ret_bit = 0;
	fmt = util_read_file("/sys/bus/event_source/devices/uprobe/format/retprobe", NULL);
	if (fmt && strncmp(fmt, "config:", 7) == 0)
		*ret_bit = atoi(fmt + 7);
	free(fmt);
	if (*ret_bit < 0 || *ret_bit > 63)
		*ret_bit = 0;
	return 0;
}

int type_uprobe_attr(struct perf_event_attr *attr, const struct sampler_type_target *t,
		     const char *lib, const char *soname, const char *func, bool ret,
		     struct ft_error *err)
{
	const char *kept;
	uint64_t offset;
	int type, ret_bit, r;
	char *path;

	r = uprobe_pmu(&type, &ret_bit, err);
	if (r < 0)
		return r;
	if (t->target == SAMPLER_PIDS && t->npids)
		path = lib_of_pid(t->pids[0], lib);
	else
		path = lib_of_loader(lib, soname);
	if (!path) {
		if (t->target == SAMPLER_PIDS && t->npids)
			error_set(err,
				  "process %d has no %s mapped (a static binary?): nothing to probe",
				  (int)t->pids[0], soname);
		else
			error_set(err, "%s not found by the dynamic loader: nothing to probe",
				  soname);
		return -ENOENT;
	}
	r = symbols_func_file_offset(path, func, &offset, err);
	kept = r == 0 ? keep_path(path) : NULL;
	free(path);
	if (r < 0)
		return r;
	if (!kept) {
		error_set(err, "too many libraries probed");
		return -ENOSPC;
	}
	memset(attr, 0, sizeof(*attr));
	attr->size = sizeof(*attr);
	attr->type = (uint32_t)type;
	attr->config = ret ? 1ull << ret_bit : 0;
	attr->config1 = (uint64_t)(uintptr_t)kept;
	attr->config2 = offset;
	attr->sample_period = 1;
	return 0;
}
