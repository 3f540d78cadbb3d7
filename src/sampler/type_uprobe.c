/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Uprobes for profile types. Two ways to make one:
 *  - tracefs (preferred): a line in <tracefs>/uprobe_events defines
 *    flametop_PID/NAME at PATH:OFFSET, opened as a tracepoint by its id
 *    and removed when flametop is done (sampler_free, or at exit). It is
 *    inherited like any tracepoint, so threads and processes the target
 *    starts later are probed too;
 *  - the uprobe PMU (/sys/bus/event_source/devices/uprobe), without
 *    tracefs: the path is a pointer in config1 that the kernel reads from
 *    the calling process's memory whenever the event is created, also
 *    when a target's new thread or child inherits it, where the pointer
 *    means nothing and the target's fork fails. So PMU uprobes are never
 *    inherited (sampler_type_member.no_inherit): only the threads there
 *    when flametop attached are probed, and a notice says so.
 * The library is the one the target maps: for a PID target, the file of
 * the first process's executable mapping of it, reached through
 * /proc/PID/map_files (a container's own libc, never a path resolved
 * again); for a command or the whole system, the one the
 * dynamic loader finds for flametop, which is what a command it starts
 * loads too.
 */
#include "config.h"

#include "types.h"

#include <dlfcn.h>
#include <inttypes.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "flametop/procmap.h"
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

/* Whether `path`, a mapped file's, is library `ctx`, not deleted. */
static bool is_mapped_lib(const char *path, void *ctx)
{
	return path[0] == '/' && is_lib(path, ctx) && !strstr(path, " (deleted)");
}

/*
 * The library in process `pid`'s maps: the file of its first executable
 * mapping (r-xp), as /proc/PID/map_files/START-END, the very file mapped,
 * which the kernel reaches without resolving a path (a path resolved
 * through /proc/PID/root would follow a container's absolute symbolic
 * link, or what it mounted over the library's directory since, to a file
 * of this machine). *known: the path as the process knows it (caller
 * frees). Caller frees. The maps are read up to the symbolizer's cap,
 * PROCMAP_MAPS_MAX, or PROCMAP_MAPS_QUERY_MAX where the kernel answers
 * PROCMAP_QUERY, and then what lies past the cap is asked of the kernel:
 * a process can make its maps hundreds of MB. *cap_mib: the cap, when the
 * maps were larger (0 when not).
 */
static char *lib_of_pid(pid_t pid, const char *lib, char **known, unsigned *cap_mib)
{
	char maps[64], *buf, *line, *save = NULL, *found = NULL;
	bool query = procmap_query_answers(), cut = false;
	size_t cap = query ? PROCMAP_MAPS_QUERY_MAX : PROCMAP_MAPS_MAX;
	uint64_t start = 0, end = 0;

	*cap_mib = 0;
	*known = NULL;
	snprintf(maps, sizeof(maps), "/proc/%d/maps", (int)pid);
	buf = util_read_file_max(maps, cap, NULL, &cut);
	if (!buf)
		return NULL;
	for (line = strtok_r(buf, "\n", &save); line && !found;
	     line = strtok_r(NULL, "\n", &save)) {
		struct pipeline_mmap m;

		if (procmap_parse_line(line, &m) == 0 && (m.prot & PROT_EXEC) &&
		    is_mapped_lib(m.filename, (void *)lib)) {
			found = xstrdup(m.filename);
			start = m.start;
			end = m.start + m.len;
		}
	}
	free(buf);
	if (!found && cut && query)
		found = procmap_query_find_file((uint32_t)pid, is_mapped_lib, (void *)lib, &start,
						&end);
	if (!found) {
		*cap_mib = cut ? (unsigned)(cap >> 20) : 0;
		return NULL;
	}
	*known = found;
	return xasprintf("/proc/%d/map_files/%" PRIx64 "-%" PRIx64, (int)pid, start, end);
}

/*
 * Refuses (-EPERM, `err` said) library `known` of process `pid` when it
 * is on a user's FUSE mount in `pid`'s table: reading it (and the kernel
 * placing the probe in it) would wait on the user's server.
 */
static int check_fuse(pid_t pid, const char *known, struct ft_error *err)
{
	const struct ft_mounts *mounts = ft_mounts_acquire((uint32_t)pid);
	const struct ft_mount_fuse *fuse;
	int ret = 0;

	fuse = ft_mounts_path_fuse(mounts, known);
	if (fuse) {
		error_set(err,
			  "%s: on user %ld's FUSE mount %s, which may never answer: "
			  "nothing to probe",
			  known, fuse->uid, fuse->point);
		ret = -EPERM;
	}
	ft_mounts_release(mounts);
	return ret;
}

/*
 * Refuses (-EPERM, `err` said) to go on when /proc/PID/map_files cannot be
 * opened (it needs CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE): the library's
 * path is not resolved again instead, since whoever owns the process's
 * root may have put a link there that leads out of it.
 */
static int check_map_files(pid_t pid, const char *path, const char *known, struct ft_error *err)
{
	int fd = open(path, O_PATH | O_CLOEXEC);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (errno != EPERM && errno != EACCES)
		return 0; /* said by the reader that follows */
	error_set(err,
		  "%s of process %d: /proc/%d/map_files cannot be opened without "
		  "CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE, and its path is not looked up "
		  "again (a link in the process's root could lead out of it): nothing to probe",
		  known, (int)pid, (int)pid);
	return -EPERM;
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

/* Probes defined in uprobe_events, to remove when done. */
#define MAX_DEFINED 32
static char *defined[MAX_DEFINED]; /* "flametop_PID/NAME" */
/* What each probes ("p LIB:0xOFFSET") and its tracepoint id: a type asking
 * for a probe defined already (alloc and alloc-objects) gets the same
 * one, so both types share one perf event, and one trap per call. */
static char *defined_what[MAX_DEFINED];
static long defined_id[MAX_DEFINED];
static size_t ndefined;
static char *defined_dir; /* the tracefs they were defined in */

static int write_probe_line(const char *dir, const char *line)
{
	char *path = xasprintf("%s/uprobe_events", dir);
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NONBLOCK | O_NOCTTY), ret = 0;
	size_t len = strlen(line);

	free(path);
	if (fd < 0)
		return -errno;
	if (write(fd, line, len) != (ssize_t)len)
		ret = errno ? -errno : -EIO;
	close(fd);
	return ret;
}

void type_uprobe_cleanup(void)
{
	size_t i;

	for (i = 0; i < ndefined; i++) {
		char *line = xasprintf("-:%s\n", defined[i]);

		write_probe_line(defined_dir, line);
		free(line);
		free(defined[i]);
		free(defined_what[i]);
		defined[i] = NULL;
		defined_what[i] = NULL;
	}
	ndefined = 0;
}

/*
 * Removes the probes an earlier flametop left in `dir` (it was killed
 * before it could): flametop_PID groups whose PID is gone.
 */
static void remove_stale(const char *dir)
{
	char *path = xasprintf("%s/uprobe_events", dir), *buf, *line, *save = NULL;

	buf = util_read_file(path, NULL);
	free(path);
	if (!buf)
		return;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char group_probe[128], proc[64], *rm;
		int pid;

		if (sscanf(line, "%*c:flametop_%d/%127s", &pid, group_probe) != 2 || pid <= 0)
			continue;
		snprintf(proc, sizeof(proc), "/proc/%d", pid);
		if (access(proc, F_OK) == 0)
			continue;
		rm = xasprintf("-:flametop_%d/%s\n", pid, group_probe);
		write_probe_line(dir, rm);
		free(rm);
	}
	free(buf);
}

/*
 * The offset in probe `name`'s records of its fetched argument `text`, a
 * string, from the event's format file ("field:__data_loc char[] text;
 * offset:16; ..."), or 0 when it has none as such.
 */
static uint32_t text_offset(const char *name)
{
	static const char field[] = "field:__data_loc char[] text;";
	char *path = xasprintf("%s/events/%s/format", defined_dir, name), *fmt, *at;
	unsigned off = 0;

	fmt = util_read_file(path, NULL);
	free(path);
	if (!fmt)
		return 0;
	at = strstr(fmt, field);
	if (at && sscanf(at + sizeof(field) - 1, " offset:%u;", &off) != 1)
		off = 0;
	free(fmt);
	return off >= 8 && off < 4096 ? off : 0;
}

/*
 * Defines a probe at `path`:`offset` in tracefs, fetching `fetch` as its
 * argument `text` if not NULL, and returns its tracepoint id, or -errno
 * (no tracefs, not root); *text_loc is where the text's __data_loc is in
 * its records (0: none).
 */
static long define_probe(const char *func, bool ret, const char *path, uint64_t offset,
			 const char *fetch, uint32_t *text_loc)
{
	static const char *const dirs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	static bool registered;
	char *name, *line, *idpath, *what, *arg;
	long id = -ENOENT;
	size_t i;
	int r;

	*text_loc = 0;
	arg = fetch ? xasprintf(" text=%s", fetch) : xstrdup("");
	what = xasprintf("%c %s:0x%llx%s", ret ? 'r' : 'p', path, (unsigned long long)offset, arg);
	for (i = 0; i < ndefined; i++)
		if (strcmp(defined_what[i], what) == 0) {
			if (fetch)
				*text_loc = text_offset(defined[i]);
			free(what);
			free(arg);
			return defined_id[i];
		}
	if (ndefined == MAX_DEFINED) {
		free(what);
		free(arg);
		return -ENOSPC;
	}
	name = xasprintf("flametop_%d/%s%s_%zu", (int)getpid(), func, ret ? "_ret" : "", ndefined);
	line = xasprintf("%c:%s %s:0x%llx%s\n", ret ? 'r' : 'p', name, path,
			 (unsigned long long)offset, arg);
	free(arg);
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (defined_dir && strcmp(defined_dir, dirs[i]) != 0)
			continue;
		if (!defined_dir)
			remove_stale(dirs[i]);
		r = write_probe_line(dirs[i], line);
		if (r < 0) {
			id = r;
			continue;
		}
		idpath = xasprintf("%s/events/%s/id", dirs[i], name);
		if (util_read_long(idpath, &id) < 0)
			id = -ENOENT;
		free(idpath);
		if (!defined_dir)
			defined_dir = xstrdup(dirs[i]);
		if (fetch && id >= 0)
			*text_loc = text_offset(name);
		defined_what[ndefined] = what;
		defined_id[ndefined] = id;
		defined[ndefined++] = name;
		name = NULL;
		what = NULL;
		if (!registered) {
			atexit(type_uprobe_cleanup);
			registered = true;
		}
		break;
	}
	free(name);
	free(what);
	free(line);
	return id;
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

int type_uprobe_member(struct sampler_type_member *m, const struct sampler_type_target *t,
		       const char *lib, const char *soname, const char *func, bool ret,
		       struct ft_error *err)
{
	struct perf_event_attr *attr = &m->attr;
	const char *kept;
	uint64_t offset;
	int type, ret_bit, r;
	long id;
	unsigned cap_mib = 0;
	char *path, *known = NULL;

	if (t->target == SAMPLER_PIDS && t->npids)
		path = lib_of_pid(t->pids[0], lib, &known, &cap_mib);
	else
		path = lib_of_loader(lib, soname);
	if (!path) {
		if (cap_mib)
			error_set(err,
				  "/proc/%d/maps is larger than %u MiB and names no %s in that "
				  "much%s: nothing to probe",
				  (int)t->pids[0], cap_mib, soname,
				  cap_mib == PROCMAP_MAPS_QUERY_MAX >> 20 ?
				  " nor in what the kernel says of the mappings past it" : "");
		else if (t->target == SAMPLER_PIDS && t->npids)
			error_set(err,
				  "process %d has no %s mapped (a static binary?): nothing to probe",
				  (int)t->pids[0], soname);
		else
			error_set(err, "%s not found by the dynamic loader: nothing to probe",
				  soname);
		return -ENOENT;
	}
	r = known ? check_fuse(t->pids[0], known, err) : 0;
	if (r == 0 && known)
		r = check_map_files(t->pids[0], path, known, err);
	if (r == 0)
		r = symbols_func_file_offset(path, func, &offset, err);
	free(known);
	if (r < 0) {
		free(path);
		return r;
	}
	memset(attr, 0, sizeof(*attr));
	attr->size = sizeof(*attr);
	attr->sample_period = 1;
	id = define_probe(func, ret, path, offset, m->fetch, &m->text_loc);
	if (id < 0 && m->fetch) /* a kernel that cannot fetch it still probes */
		id = define_probe(func, ret, path, offset, NULL, &m->text_loc);
	if (id >= 0) {
		free(path);
		attr->type = PERF_TYPE_TRACEPOINT;
		attr->config = (uint64_t)id;
		return 0;
	}
	kept = keep_path(path);
	free(path);
	if (!kept) {
		error_set(err, "too many libraries probed");
		return -ENOSPC;
	}
	r = uprobe_pmu(&type, &ret_bit, err);
	if (r < 0)
		return r;
	attr->type = (uint32_t)type;
	attr->config = ret ? 1ull << ret_bit : 0;
	attr->config1 = (uint64_t)(uintptr_t)kept;
	attr->config2 = offset;
	m->no_inherit = t->target != SAMPLER_SYSTEM;
	return 0;
}
