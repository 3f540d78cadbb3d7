/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The live sampler. One ring buffer per CPU: every event on that CPU (each
 * event the user asked for, and for a PID target each thread) writes into
 * it through PERF_EVENT_IOC_SET_OUTPUT, so the number of mappings stays at
 * the number of CPUs however many threads we follow.
 *
 * Targets:
 *  - system: pid -1 on every CPU;
 *  - pids: every thread of each process on every CPU, with inherit, so
 *    threads they create later are followed; the thread list is re-read
 *    until no new thread appears, to close the race with thread creation;
 *  - command: forked here, it waits on a pipe until its events are open
 *    (inherit, enable_on_exec: one event per CPU, because an inherited
 *    event on "any CPU" cannot be mmapped), then execs.
 *
 * The rings are never allowed to block the target: they are read in
 * non-overwrite mode and when they fill the kernel drops samples and tells
 * us how many (PERF_RECORD_LOST), which we pass on.
 */
#include "config.h"

#include "flametop/sampler.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "types.h"

#define DEFAULT_RING_PAGES 128 /* 512 KiB per CPU, as perf record as root */
/* With --call-graph dwarf each sample carries kilobytes of stack: 2 MiB per
 * CPU keep a 999 Hz stream of 8 KiB samples for a quarter second. */
#define DEFAULT_DWARF_RING_PAGES 512
/* A type that samples every event (each fault, switch, allocation) comes
 * in bursts a frequency never makes: 2 MiB per CPU keep 10,000 samples. */
#define DEFAULT_EVERY_RING_PAGES 512
#define MAX_THREAD_RESCANS 16
/* Processes whose exits wake sampler_poll() at most (watch_exit): -p
 * takes a list, and the explorer attaches more; past this many (a
 * descriptor each), the caller's waits time out to notice exits. */
#define EXIT_WATCHES_MAX 64

/* An event the user named: a profile type or a plain perf event. */
struct event {
	char *name;
	char *unit;
	const struct sampler_type *type; /* NULL: a libpfm4 event, samples pass through */
	void *state; /* the type's rule state */
	int leader; /* the event leading its group; -1: none, or it leads */
	bool cpu; /* the default event, or -e cpu: it may fall back to a software clock */
};

/* A perf event opened for an event (a type may open several). */
struct member {
	struct perf_event_attr attr;
	bool frequency; /* sampled at -F; else every attr.sample_period events */
	bool fixed; /* -c N > 1: its samples leave the period out (set_period) */
	uint64_t rule_regs;
	bool entry; /* a probe at a function's entry (sampler_type_member.entry) */
	bool bare; /* sampler_type_member.bare: no stack */
	const char *filter; /* sampler_type_member.filter; NULL once the kernel refused it */
	bool no_inherit; /* sampler_type_member.no_inherit */
	uint32_t text_loc; /* sampler_type_member.text_loc: with the raw data */
	bool shared; /* the same perf event as an earlier member: not opened */
	bool group_read; /* leads a group: its samples read the group */
	int leader; /* in a group it does not lead: the leader's member index; else -1 */
	int last_fd; /* the fd opened last for it: its members' group_fd */
	int pmu; /* a hybrid PMU's index in sampler.pmus: opened on its CPUs alone; -1: all */
};

#define MAX_MEMBERS (SAMPLER_MAX_EVENTS * SAMPLER_TYPE_MAX_MEMBERS)

/* A ring's scratch for records that wrap around its end (sampler_ring.copy). */
#define RING_COPY_BYTES 65536

struct ring {
	struct sampler_ring r;
	void *map;
	size_t map_len;
	int fd; /* the event that owns the ring */
	bool hup;
};

struct sampler {
	enum sampler_target target;
	unsigned frequency;
	uint64_t period; /* sampler_config.period */
	size_t ring_pages;
	unsigned wakeup_parts; /* sampler_config's */
	enum sampler_call_graph call_graph;
	uint32_t stack_size; /* DWARF: bytes of user stack per sample */
	bool user_only; /* perf_event_paranoid forbids kernel samples */
	uint64_t alloc_sample; /* sampler_config.alloc_sample */
	uint64_t poll_budget_ns; /* sampler_config's */
	struct ft_notice *notice;

	struct event events[SAMPLER_MAX_EVENTS];
	size_t nevents;
	struct sampler_pmu pmus[SAMPLER_MAX_HYBRID_PMUS]; /* a hybrid CPU's */
	size_t npmus;
	struct member members[MAX_MEMBERS];
	struct sampler_member dmembers[MAX_MEMBERS]; /* the decoder's view of them */
	size_t nmembers;
	size_t failed; /* the member whose opening failed last */

	int *cpus;
	size_t ncpus;
	struct ring *rings; /* one per CPU, same order as cpus */
	struct sampler_ring_cursor *cursors; /* a drain's, one per ring */
	struct pollfd *pfds; /* the rings', then nexit of exit watches */
	size_t nexit;
	bool exit_wakes; /* every process whose exit ends the session is watched */
	int wait_fd; /* sampler_wait_fd(): an epoll set of the rings, -1 until asked for */

	int *fds;
	size_t nfds, fds_cap;

	struct sampler_decoder dec;

	/* A rule pairs records of one thread: drain in rounds, by time. */
	bool in_rounds;
	bool rounds_behind; /* a budget stopped the rounds' last release short */
	struct sampler_rounds rounds;

	pid_t *pids; /* SAMPLER_PIDS */
	size_t npids;
	struct u64map tids; /* threads already opened, tid + 1 */

	pid_t child; /* SAMPLER_COMMAND */
	char *command; /* its argv[0] */
	int go_fd, exec_err_fd;
	bool child_started, child_done;
	int child_status;
};

static void notify(struct sampler *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void notify(struct sampler *s, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	notice_say(s->notice, NULL, "%s", msg);
}

/* Parses a CPU list like "0-3,8,10-11" (sysfs "online"). */
static int parse_cpu_list(const char *list, int **out, size_t *n)
{
	const char *p = list;
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	while (*p && *p != '\n') {
		char *end;
		long a = strtol(p, &end, 10), b;

		if (end == p || a < 0)
			goto out_bad;
		b = a;
		if (*end == '-') {
			p = end + 1;
			b = strtol(p, &end, 10);
			if (end == p || b < a)
				goto out_bad;
		}
		for (; a <= b; a++) {
			if (*n == cap) {
				cap = cap ? cap * 2 : 16;
				*out = xreallocarray(*out, cap, sizeof(**out));
			}
			(*out)[(*n)++] = (int)a;
		}
		p = end;
		if (*p == ',')
			p++;
	}
	if (*n)
		return 0;
out_bad:
	free(*out);
	*out = NULL;
	*n = 0;
	return -EINVAL;
}

size_t sampler_hybrid_pmus(const char *root, struct sampler_pmu *pmus)
{
	static const char *const names[SAMPLER_MAX_HYBRID_PMUS] = { "cpu_core", "cpu_atom" };
	size_t i;

	memset(pmus, 0, SAMPLER_MAX_HYBRID_PMUS * sizeof(*pmus));
	for (i = 0; i < SAMPLER_MAX_HYBRID_PMUS; i++) {
		char *path, *list;
		long type = -1;
		int ret;

		path = xasprintf("%s/bus/event_source/devices/%s/type", root ? root : "/sys",
				 names[i]);
		ret = util_read_long(path, &type);
		free(path);
		if (ret < 0 || type <= 0 || type > UINT32_MAX)
			break;
		path = xasprintf("%s/bus/event_source/devices/%s/cpus", root ? root : "/sys",
				 names[i]);
		list = util_read_file(path, NULL);
		free(path);
		ret = list ? parse_cpu_list(list, &pmus[i].cpus, &pmus[i].ncpus) : -ENOENT;
		free(list);
		if (ret < 0)
			break;
		snprintf(pmus[i].name, sizeof(pmus[i].name), "%s", names[i]);
		pmus[i].type = (uint32_t)type;
	}
	if (i == SAMPLER_MAX_HYBRID_PMUS)
		return i;
	sampler_pmus_free(pmus, i + 1);
	return 0;
}

void sampler_pmus_free(struct sampler_pmu *pmus, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < SAMPLER_MAX_HYBRID_PMUS; i++) {
		free(pmus[i].cpus);
		pmus[i].cpus = NULL;
		pmus[i].ncpus = 0;
	}
}

static int online_cpus(int **cpus, size_t *n)
{
	char *buf = util_read_file("/sys/devices/system/cpu/online", NULL);
	long count, i;
	int ret;

	if (buf) {
		ret = parse_cpu_list(buf, cpus, n);
		free(buf);
		if (ret == 0)
			return 0;
	}
	count = sysconf(_SC_NPROCESSORS_ONLN);
	if (count < 1)
		return -EINVAL;
	*cpus = xcalloc((size_t)count, sizeof(**cpus));
	for (i = 0; i < count; i++)
		(*cpus)[i] = (int)i;
	*n = (size_t)count;
	return 0;
}

uint16_t sampler_max_stack(void)
{
	long max_stack = 127;

	util_read_long("/proc/sys/kernel/perf_event_max_stack", &max_stack);
	return (uint16_t)(max_stack > 0 && max_stack < 65535 ? max_stack : 127);
}

static void setup_attr(struct sampler *s, struct member *m, bool side_band)
{
	struct perf_event_attr *attr = &m->attr;

	attr->size = sizeof(*attr);
	attr->disabled = 1;
	if (m->frequency) {
		attr->freq = 1;
		attr->sample_freq = s->frequency;
	}
	if (m->leader >= 0) {
		/* Counts while its leader is on; read by the leader's samples. */
		attr->freq = 0;
		attr->sample_period = 0;
	}
	attr->sample_type = SAMPLER_SAMPLE_TYPE;
	if (s->call_graph == SAMPLER_CALL_GRAPH_DWARF) {
		attr->sample_type = SAMPLER_SAMPLE_TYPE_DWARF;
		attr->sample_regs_user = SAMPLER_REGS_USER_MASK;
		attr->sample_stack_user = s->stack_size;
		/* The kernel part of the chain still comes from the kernel;
		 * the user part is ours to unwind. */
		attr->exclude_callchain_user = 1;
	}
	if (m->bare) {
		/* The thread, the time and the rule's registers: no stack. */
		attr->sample_type = SAMPLER_SAMPLE_TYPE & ~(uint64_t)PERF_SAMPLE_CALLCHAIN;
		attr->sample_regs_user = 0;
		attr->sample_stack_user = 0;
		attr->exclude_callchain_user = 0;
	}
	if (m->rule_regs) {
		attr->sample_type |= PERF_SAMPLE_REGS_USER;
		attr->sample_regs_user |= m->rule_regs;
	}
	if (m->entry && !m->bare && s->call_graph == SAMPLER_CALL_GRAPH_FP) {
		/* The return address, for the decoder to put the caller back. */
		attr->sample_type |= PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER;
		attr->sample_regs_user |= 1ull << 7; /* sp */
		attr->sample_stack_user = 8;
	}
	if (m->text_loc)
		attr->sample_type |= PERF_SAMPLE_RAW;
	if (m->group_read) {
		attr->sample_type |= PERF_SAMPLE_READ;
		attr->read_format = SAMPLER_READ_FORMAT;
	}
	if (m->fixed)
		attr->sample_type &= ~(uint64_t)PERF_SAMPLE_PERIOD;
	attr->sample_id_all = 1;
	attr->sample_max_stack = sampler_max_stack();
	attr->exclude_hv = 1;
	if (s->user_only)
		attr->exclude_kernel = 1;
	attr->use_clockid = 1;
	attr->clockid = CLOCK_MONOTONIC;
	attr->watermark = 1;
	attr->wakeup_watermark =
		(uint32_t)(s->ring_pages * (size_t)sysconf(_SC_PAGESIZE) / s->wakeup_parts);
	attr->inherit = s->target != SAMPLER_SYSTEM && !m->no_inherit;
	attr->enable_on_exec = s->target == SAMPLER_COMMAND;
	if (m->leader >= 0) {
		/* Enabled with its leader: a member's own state stays on. */
		attr->disabled = 0;
		attr->enable_on_exec = 0;
	}
	if (side_band) {
		attr->mmap = 1;
		attr->mmap2 = 1;
		attr->comm = 1;
		attr->comm_exec = 1;
		attr->task = 1;
		/* No build_id: a kernel (6.18 here) then marks the MMAP2
		 * records of every other session's events as carrying a build
		 * id while they carry the inode, and perf 6.1 running beside us
		 * crashed on them ("stack smashing detected"). A file's identity
		 * comes from its inode and /proc/PID/map_files, and its build
		 * id from the file itself (procmap.c). */
	}
}

static int perf_open(struct perf_event_attr *attr, pid_t pid, int cpu, int group_fd)
{
	int fd = (int)syscall(SYS_perf_event_open, attr, pid, cpu, group_fd, PERF_FLAG_FD_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static int map_ring(struct sampler *s, struct ring *ring, int fd)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t pages = s->ring_pages;
	void *map;

	for (;;) {
		size_t len = (pages + 1) * page;

		map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (map != MAP_FAILED) {
			ring->map = map;
			ring->map_len = len;
			ring->r.meta = map;
			ring->r.data = (unsigned char *)map + page;
			ring->r.size = pages * page;
			ring->r.copy = xmalloc(RING_COPY_BYTES);
			ring->fd = fd;
			if (pages != s->ring_pages)
				notify(s,
				       "ring buffers limited to %zu KiB per CPU by the locked-memory limit",
				       pages * page / 1024);
			return 0;
		}
		/* Out of locked memory (perf_event_mlock_kb): try smaller. */
		if ((errno != EPERM && errno != ENOMEM) || pages <= 1)
			return -errno;
		pages /= 2;
	}
}

static void add_fd(struct sampler *s, int fd)
{
	if (s->nfds == s->fds_cap) {
		s->fds_cap = s->fds_cap ? s->fds_cap * 2 : 64;
		s->fds = xreallocarray(s->fds, s->fds_cap, sizeof(*s->fds));
	}
	s->fds[s->nfds++] = fd;
}

/*
 * Whether member `mi` asks for the side-band records (mmap, comm, task):
 * the first member, or where it is opened on one hybrid PMU's CPUs alone,
 * the first member of each PMU, so that every CPU has them once.
 */
static bool side_band(const struct sampler *s, size_t mi)
{
	size_t j;

	if (s->members[0].pmu < 0 || s->members[mi].pmu < 0)
		return mi == 0;
	for (j = 0; j < mi; j++)
		if (s->members[j].pmu == s->members[mi].pmu)
			return false;
	return true;
}

/* Whether member `m` is opened on CPU `cpu`: its hybrid PMU's CPUs, or any. */
static bool member_on_cpu(const struct sampler *s, const struct member *m, int cpu)
{
	size_t i;

	if (m->pmu < 0)
		return true;
	for (i = 0; i < s->pmus[m->pmu].ncpus; i++)
		if (s->pmus[m->pmu].cpus[i] == cpu)
			return true;
	return false;
}

/*
 * Opens member `mi` for `pid` on CPU number `ci` and routes it into that
 * CPU's ring (mapping the ring with the first event opened on the CPU).
 * A group's member joins the group its leader opened last, for the same
 * `pid` and CPU (members are opened right after their leader); it writes
 * no records of its own, so it needs no ring.
 */
static int open_one(struct sampler *s, size_t mi, pid_t pid, size_t ci)
{
	struct member *m = &s->members[mi];
	struct ring *ring = &s->rings[ci];
	int group_fd = m->leader >= 0 ? s->members[m->leader].last_fd : -1;
	uint64_t id;
	int fd, ret;

	if (m->shared || !member_on_cpu(s, m, s->cpus[ci]))
		return 0;
	fd = perf_open(&m->attr, pid, s->cpus[ci], group_fd);
	if (fd < 0) {
		s->failed = mi;
		return fd;
	}
	m->last_fd = fd;
	if (m->filter && ioctl(fd, PERF_EVENT_IOC_SET_FILTER, m->filter) < 0) {
		const struct sampler_type *type = s->dmembers[mi].type;

		notify(s,
		       "%s: the kernel refused its tracepoint filter (%s): every hit is sampled, "
		       "which costs the target more",
		       type ? type->name : "event", strerror(errno));
		m->filter = NULL; /* refused once, refused for every thread and CPU */
	}
	if (m->leader >= 0) {
		/* No ring. */
	} else if (!ring->map) {
		ret = map_ring(s, ring, fd);
		if (ret < 0) {
			close(fd);
			return ret;
		}
	} else if (ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, ring->fd) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	if (ioctl(fd, PERF_EVENT_IOC_ID, &id) == 0)
		u64map_put(&s->dec.id_event, id + 1, (uint32_t)mi);
	add_fd(s, fd);
	return 0;
}

/* Opens every member for `pid` on every CPU. */
static int open_task(struct sampler *s, pid_t pid)
{
	size_t ci, mi;
	int ret;

	for (ci = 0; ci < s->ncpus; ci++)
		for (mi = 0; mi < s->nmembers; mi++) {
			ret = open_one(s, mi, pid, ci);
			if (ret < 0)
				return ret;
		}
	return 0;
}

/*
 * Opens all threads of process `pid` not opened yet. Returns the number of
 * new threads, or -errno. Threads that exit meanwhile are skipped.
 */
static int open_process_threads(struct sampler *s, pid_t pid)
{
	char path[64];
	struct dirent *de;
	int added = 0, ret = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return -ESRCH;
	while ((de = readdir(dir))) {
		uint32_t dummy;
		long tid = strtol(de->d_name, NULL, 10);

		if (tid <= 0 || u64map_get(&s->tids, (uint64_t)tid + 1, &dummy))
			continue;
		ret = open_task(s, (pid_t)tid);
		if (ret == -ESRCH) {
			ret = 0;
			continue;
		}
		if (ret < 0)
			break;
		u64map_put(&s->tids, (uint64_t)tid + 1, 1);
		added++;
	}
	closedir(dir);
	return ret < 0 ? ret : added;
}

static int open_pids(struct sampler *s)
{
	int pass, added, ret;
	size_t i;

	for (pass = 0; pass < MAX_THREAD_RESCANS; pass++) {
		added = 0;
		for (i = 0; i < s->npids; i++) {
			ret = open_process_threads(s, s->pids[i]);
			if (ret < 0)
				return ret;
			added += ret;
		}
		if (!added)
			break;
	}
	return 0;
}

/* Whether a member samples at -F (a clock, a perf event), not each of its events. */
static bool any_at_frequency(const struct sampler *s)
{
	size_t i;

	for (i = 0; i < s->nmembers; i++)
		if (s->members[i].frequency)
			return true;
	return false;
}

/* Closes every fd and unmaps every ring, to retry with other settings. */
static void close_all(struct sampler *s)
{
	size_t i;

	for (i = 0; i < s->ncpus; i++) {
		struct ring *ring = &s->rings[i];

		if (ring->map)
			munmap(ring->map, ring->map_len);
		free(ring->r.copy);
		memset(ring, 0, sizeof(*ring));
		ring->fd = -1;
	}
	for (i = 0; i < s->nfds; i++)
		close(s->fds[i]);
	s->nfds = 0;
	u64map_free(&s->tids);
	u64map_free(&s->dec.id_event);
}

static int open_all(struct sampler *s)
{
	size_t ci, mi;
	int ret = 0;

	for (mi = 0; mi < s->nmembers; mi++) {
		struct sampler_member *dm = &s->dmembers[mi];

		setup_attr(s, &s->members[mi], side_band(s, mi));
		dm->sample_type = s->members[mi].attr.sample_type;
		dm->period = dm->sample_type & PERF_SAMPLE_PERIOD
				     ? 0
				     : s->members[mi].attr.sample_period;
		dm->regs_user_mask = s->members[mi].attr.sample_regs_user;
		dm->rule_regs = s->members[mi].rule_regs;
		dm->entry = s->members[mi].entry;
		dm->text_loc = s->members[mi].text_loc;
	}
	s->dec.nmembers = s->nmembers;
	switch (s->target) {
	case SAMPLER_SYSTEM:
		for (ci = 0; ci < s->ncpus && ret == 0; ci++)
			for (mi = 0; mi < s->nmembers && ret == 0; mi++)
				ret = open_one(s, mi, -1, ci);
		break;
	case SAMPLER_PIDS:
		ret = open_pids(s);
		break;
	case SAMPLER_COMMAND:
		ret = open_task(s, s->child);
		break;
	}
	if (ret < 0)
		close_all(s);
	return ret;
}

/*
 * A software event that counts (page faults, context switches), sampled
 * by frequency: when the kernel adjusts such an event's period it
 * restarts it, so a sample may report a period after as little as one
 * event, and the sum of periods overshoots the real count, often many
 * times over at low frequencies (perf record's too). Says so, and what
 * counts exactly: a group led by a clock, whose members are counted.
 */
static void say_estimated(struct sampler *s, const struct member *m, const char *name)
{
	const struct perf_event_attr *a = &m->attr;
	const char *clock = s->target == SAMPLER_SYSTEM ? "cpu-clock" : "task-clock";

	if (!m->frequency || a->type != PERF_TYPE_SOFTWARE ||
	    a->config == PERF_COUNT_SW_CPU_CLOCK || a->config == PERF_COUNT_SW_TASK_CLOCK)
		return;
	notify(s,
	       "%s is sampled at -F: the kernel's periods for a software count are estimates, and "
	       "their sum may be many times the real count; -e '{%s,%s}' counts it exactly%s",
	       name, clock, name,
	       a->config == PERF_COUNT_SW_PAGE_FAULTS ? ", -e faults samples each fault" : "");
}

/* -c: a plain event that samples (not a group's counting member) does so
 * every s->period events, instead of at -F or at each hit. */
static void set_period(const struct sampler *s, struct member *m)
{
	if (!s->period || m->leader >= 0)
		return;
	m->frequency = false;
	m->attr.sample_period = s->period;
	/*
	 * With PERF_SAMPLE_PERIOD, the kernel samples a software count or a
	 * tracepoint at each event whatever its period (perf_swevent_event()
	 * gives each one the period 1): perf record -c 3 -e page-faults takes
	 * every fault. Without it, each sample is N events, which the decoder
	 * puts back (sampler_member.period).
	 */
	m->fixed = s->period > 1;
}

/* Adds a member for event `ev`; `role` is its type's tag. */
static struct member *add_member(struct sampler *s, size_t ev, uint32_t role)
{
	struct member *m = &s->members[s->nmembers];
	struct sampler_member *dm = &s->dmembers[s->nmembers];

	memset(m, 0, sizeof(*m));
	memset(dm, 0, sizeof(*dm));
	m->leader = -1;
	m->pmu = -1;
	m->last_fd = -1;
	dm->event = (uint32_t)ev;
	dm->type = s->events[ev].type;
	dm->state = s->events[ev].state;
	dm->role = role;
	s->nmembers++;
	return m;
}

/* Whether `a` and `b` count the same privilege levels (cpu-clock:u is not cpu-clock). */
static bool same_levels(const struct perf_event_attr *a, const struct perf_event_attr *b)
{
	return a->exclude_user == b->exclude_user && a->exclude_kernel == b->exclude_kernel &&
	       a->exclude_hv == b->exclude_hv && a->exclude_idle == b->exclude_idle &&
	       a->exclude_host == b->exclude_host && a->exclude_guest == b->exclude_guest &&
	       a->precise_ip == b->precise_ip;
}

static bool same_event(const struct member *a, const struct member *b)
{
	return a->attr.type == b->attr.type && a->attr.config == b->attr.config &&
	       a->attr.config1 == b->attr.config1 && a->attr.config2 == b->attr.config2 &&
	       same_levels(&a->attr, &b->attr) && a->frequency == b->frequency &&
	       a->rule_regs == b->rule_regs && a->entry == b->entry &&
	       a->no_inherit == b->no_inherit && a->bare == b->bare && a->text_loc == b->text_loc &&
	       (a->filter == b->filter ||
		(a->filter && b->filter && !strcmp(a->filter, b->filter))) &&
	       (a->frequency || a->attr.sample_period == b->attr.sample_period) &&
	       a->attr.context_switch == b->attr.context_switch;
}

/*
 * Member `mi` is the same perf event as an earlier one: it is not opened,
 * and its rule gets what the earlier one's does (sampler_member.next).
 */
static void share_member(struct sampler *s, size_t mi)
{
	size_t j;

	for (j = 0; j < mi; j++) {
		if (s->members[j].shared || s->members[j].group_read || s->members[j].leader >= 0 ||
		    !same_event(&s->members[j], &s->members[mi]))
			continue;
		while (s->dmembers[j].next)
			j = s->dmembers[j].next;
		s->dmembers[j].next = (uint32_t)mi;
		s->members[mi].shared = true;
		return;
	}
}

/* Event `ev` is profile type `type`: its members, its rule's state. */
static int resolve_type(struct sampler *s, const struct sampler_config *cfg, size_t ev,
			const struct sampler_type *type, struct ft_error *err)
{
	struct sampler_type_member tm[SAMPLER_TYPE_MAX_MEMBERS];
	struct sampler_type_target t = { s->target, s->pids, s->npids, s->alloc_sample,
					 cfg->symbols };
	int n, i;

	memset(tm, 0, sizeof(tm));
	n = type->members(&t, tm, err);
	if (n < 0)
		return n;
	s->events[ev].type = type;
	s->events[ev].unit = xstrdup(type->unit);
	s->events[ev].state = type->state_new ? type->state_new(&t) : NULL;
	if (type->sched || type->flush)
		s->in_rounds = true;
	for (i = 0; i < n; i++) {
		struct member *m = add_member(s, ev, tm[i].role);

		m->attr = tm[i].attr;
		m->attr.size = sizeof(m->attr);
		m->frequency = tm[i].frequency;
		m->rule_regs = tm[i].regs;
		m->entry = tm[i].entry;
		m->bare = tm[i].bare;
		m->filter = tm[i].filter;
		m->no_inherit = tm[i].no_inherit;
		m->text_loc = tm[i].text_loc;
		share_member(s, s->nmembers - 1);
	}
	for (i = 0; i < n; i++)
		if (tm[i].no_inherit) {
			notify(s,
			       "%s: uprobes without tracefs (not mounted, or not writable): threads and "
			       "processes the target starts from now on are not probed",
			       type->name);
			break;
		}
	return 0;
}

/*
 * Checks cfg->leaders: each group's events in a row, led by the first, at
 * least two of them, and perf events only. 0, or -EINVAL with `err` set.
 */
static int check_groups(const struct sampler_config *cfg, size_t n, struct ft_error *err)
{
	size_t i, size;

	for (i = 0; cfg->leaders && i < n; i++) {
		size_t l = cfg->leaders[i];

		if (l > i || cfg->leaders[l] != l || (l < i && cfg->leaders[i - 1] != l)) {
			error_set(err, "the events of a group must come in a row, led by the first");
			return -EINVAL;
		}
		for (size = 1; l + size < n && cfg->leaders[l + size] == l; size++)
			;
		if (l == i && size < 2)
			continue;
		if (sampler_type_find(cfg->events[i])) {
			error_set(err,
				  "%s is a profile type: a group {...} holds perf events (cycles, "
				  "instructions, cache-misses, cpu-clock, page-faults, ...)",
				  cfg->events[i]);
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * Whether members `a` and `b` sample one software count (page faults,
 * context switches...) two ways, at -F and every so many, or every so many
 * each (faults, and page-faults -c 2: those got no sample). The kernel hands
 * each occurrence to the events of that count in turn with one sample's
 * data, and one's period leaks into the other's: page-faults beside
 * faults got no sample and faults 100 times its count. The clocks are
 * timers of their own, each event apart.
 */
static bool sampled_two_ways(const struct member *a, const struct member *b)
{
	return a->attr.type == PERF_TYPE_SOFTWARE && b->attr.type == PERF_TYPE_SOFTWARE &&
	       a->attr.config == b->attr.config && a->attr.config != PERF_COUNT_SW_CPU_CLOCK &&
	       a->attr.config != PERF_COUNT_SW_TASK_CLOCK && a->leader < 0 && b->leader < 0 &&
	       !a->shared && !b->shared &&
	       (a->frequency != b->frequency ||
		(!a->frequency && a->attr.sample_period != b->attr.sample_period));
}

/* Refuses two events that sample one software count two ways: 0, or -EINVAL. */
static int check_sampled_twice(const struct sampler *s, struct ft_error *err)
{
	size_t i, j;

	for (i = 0; i < s->nmembers; i++)
		for (j = i + 1; j < s->nmembers; j++) {
			const struct event *a = &s->events[s->dmembers[i].event];
			const struct event *b = &s->events[s->dmembers[j].event];

			if (a == b || !sampled_two_ways(&s->members[i], &s->members[j]))
				continue;
			if (!s->members[i].frequency && !s->members[j].frequency) {
				error_set(err,
					  "%s (every %" PRIu64 ") and %s (every %" PRIu64
					  ") sample one kernel event, and the kernel mixes up their "
					  "periods: give one of them",
					  a->name, (uint64_t)s->members[i].attr.sample_period,
					  b->name, (uint64_t)s->members[j].attr.sample_period);
				return -EINVAL;
			}
			error_set(err,
				  "%s (at -F) and %s (each one) sample one kernel event, and the "
				  "kernel mixes up their periods: give one of them",
				  s->members[i].frequency ? a->name : b->name,
				  s->members[i].frequency ? b->name : a->name);
			return -EINVAL;
		}
	return 0;
}

/*
 * On a hybrid CPU, the plain event whose one member is `mi` (a generic
 * hardware event) becomes a member per PMU, each on its PMU's CPUs
 * (struct sampler_pmu). Anything else is left alone. Whether it split.
 */
static bool split_hybrid(struct sampler *s, size_t mi)
{
	struct perf_event_attr probe = s->members[mi].attr;
	size_t j;

	if (!s->npmus || !sampler_event_on_pmu(&probe, s->pmus[0].type))
		return false;
	for (j = 1; j < s->npmus; j++) {
		struct member *m = add_member(s, s->dmembers[mi].event, 0);

		*m = s->members[mi];
		m->pmu = (int)j;
		sampler_event_on_pmu(&m->attr, s->pmus[j].type);
	}
	s->members[mi].pmu = 0;
	s->members[mi].attr = probe;
	return true;
}

/* Whether `attr` is a generic hardware event on a hybrid CPU (split_hybrid). */
static bool on_hybrid_pmus(const struct sampler *s, const struct perf_event_attr *attr)
{
	struct perf_event_attr probe = *attr;

	return s->npmus && sampler_event_on_pmu(&probe, s->pmus[0].type);
}

static int resolve_events(struct sampler *s, const struct sampler_config *cfg, struct ft_error *err)
{
	static const char *const defaults[] = { SAMPLER_DEFAULT_EVENT };
	const char *const *names = cfg->nevents ? cfg->events : defaults;
	size_t n = cfg->nevents ? cfg->nevents : 1, i, j;
	size_t leader_member[SAMPLER_MAX_EVENTS];
	int ret;

	if (n > SAMPLER_MAX_EVENTS) {
		error_set(err, "at most %d events at once", SAMPLER_MAX_EVENTS);
		return -EINVAL;
	}
	if (cfg->nevents && check_groups(cfg, n, err) < 0)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		size_t l = cfg->nevents && cfg->leaders ? cfg->leaders[i] : i;
		bool grouped = l != i || (i + 1 < n && cfg->nevents && cfg->leaders &&
					  cfg->leaders[i + 1] == i);

		bool cpu = !cfg->nevents || strcmp(names[i], SAMPLER_CPU_TYPE) == 0;
		const char *name = cpu ? SAMPLER_DEFAULT_EVENT : names[i];

		for (j = 0; j < i; j++)
			if (strcmp(name, s->events[j].name) == 0) {
				error_set(err, "event '%s' is named twice%s", name,
					  cpu || s->events[j].cpu ? " (cpu stands for it)" : "");
				return -EINVAL;
			}
		s->events[i].cpu = cpu;
		s->events[i].name = xstrdup(name);
		s->events[i].leader = l != i ? (int)l : -1;
		s->nevents++;
		if (sampler_type_find(names[i])) {
			ret = resolve_type(s, cfg, i, sampler_type_find(names[i]), err);
		} else {
			struct member *m = add_member(s, i, 0);

			m->frequency = true;
			if (grouped && l == i) {
				m->group_read = true;
				leader_member[i] = s->nmembers - 1;
			} else if (grouped) {
				m->frequency = false;
				m->leader = (int)leader_member[l];
			}
			ret = sampler_event_encode(name, &m->attr, &s->events[i].unit, err);
			if (m->attr.type == PERF_TYPE_TRACEPOINT)
				m->frequency = false; /* every hit (sampler_event_encode) */
			set_period(s, m);
			if (ret == 0 && !grouped && !split_hybrid(s, s->nmembers - 1))
				share_member(s, s->nmembers - 1);
			else if (ret == 0 && l == i && on_hybrid_pmus(s, &m->attr))
				notify(s,
				       "%s leads a group on a hybrid CPU: the group counts on %s's "
				       "CPUs alone",
				       name, s->pmus[0].name);
		}
		if (ret < 0)
			return ret;
	}
	if (check_sampled_twice(s, err) < 0)
		return -EINVAL;
	for (i = 0; i < s->nmembers; i++)
		if (!s->dmembers[i].type)
			say_estimated(s, &s->members[i], s->events[s->dmembers[i].event].name);
	return 0;
}

/* Event `e` (the default or -e cpu: a plain event, one member) becomes `name`. */
static int replace_event(struct sampler *s, size_t e, const char *name, struct ft_error *err)
{
	size_t k;
	int ret;

	for (k = 0; k < s->nmembers; k++)
		if (s->dmembers[k].event == e)
			break;
	if (k == s->nmembers)
		return -EINVAL;
	free(s->events[e].name);
	free(s->events[e].unit);
	s->events[e].unit = NULL;
	s->events[e].name = xstrdup(name);
	ret = sampler_event_encode(name, &s->members[k].attr, &s->events[e].unit, err);
	set_period(s, &s->members[k]);
	/* A software clock: one member on every CPU, not one per hybrid PMU. */
	s->members[k].pmu = -1;
	for (k++; k < s->nmembers; k++)
		if (s->dmembers[k].event == e)
			s->members[k].shared = true; /* not opened */
	return ret;
}

/* Whether an event is called `name` (the user's name, or the fallback's). */
static bool event_named(const struct sampler *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nevents; i++)
		if (strcmp(s->events[i].name, name) == 0)
			return true;
	return false;
}

/* The name of the event whose member failed to open. */
static const char *failed_name(const struct sampler *s)
{
	return s->events[s->dmembers[s->failed].event].name;
}

/*
 * Whether this kernel is older than 6.12, the first that samples a
 * group's read (PERF_SAMPLE_READ) with inherited counters; its release
 * goes to `release`.
 */
static bool old_kernel(char *release, size_t size)
{
	struct utsname u;

	if (uname(&u) < 0)
		return false;
	snprintf(release, size, "%s", u.release);
	return util_kernel_before(u.release, 6, 12);
}

/*
 * Opens the events, applying the two retries a user would want: the
 * default event falls back to a software clock when there is no hardware
 * PMU, and kernel samples are dropped when perf_event_paranoid forbids
 * them.
 */
static int open_with_fallbacks(struct sampler *s, struct ft_error *err)
{
	char advice[512], release[65];
	bool tried_fallback = false, tried_user_only = false;
	int ret;

	for (;;) {
		size_t e;
		const char *fb;

		ret = open_all(s);
		if (ret == 0)
			return 0;
		e = s->dmembers[s->failed].event;
		fb = sampler_event_fallback(-ret, !s->events[e].cpu, s->target);
		if (!tried_fallback && fb) {
			if (event_named(s, fb)) {
				error_set(err,
					  "cpu is %s here (%s needs a hardware PMU), which -e names "
					  "too: give it once",
					  fb, s->events[e].name);
				return -EINVAL;
			}
			notify(s, "%s is not supported here (no hardware PMU); sampling %s instead",
			       s->events[e].name, fb);
			tried_fallback = true;
			ret = replace_event(s, e, fb, err);
			if (ret < 0)
				return ret;
			continue;
		}
		if (!tried_user_only && (ret == -EACCES || ret == -EPERM) && geteuid() != 0) {
			long level = 2;

			util_read_long("/proc/sys/kernel/perf_event_paranoid", &level);
			notify(s,
			       "kernel samples are not permitted (kernel.perf_event_paranoid is %ld); "
			       "recording user space only",
			       level);
			tried_user_only = true;
			s->user_only = true;
			continue;
		}
		break;
	}
	if (ret == -ESRCH && s->target == SAMPLER_PIDS)
		error_set(err, "a target process exited while its threads were being attached");
	else if (ret == -EINVAL && s->members[s->failed].group_read &&
		 s->members[s->failed].attr.inherit && old_kernel(release, sizeof(release)))
		error_set(err,
			  "this kernel (%s) cannot sample the group of %s in the target's threads "
			  "(Linux 6.12 can): record the group system-wide with -a, or its events "
			  "without braces",
			  release, failed_name(s));
	else if (ret == -EINVAL && s->members[s->failed].leader >= 0)
		error_set(err,
			  "the kernel refused %s in the group of %s: the group may hold more "
			  "hardware events than the PMU has counters, or mix PMUs; make it smaller",
			  failed_name(s),
			  s->events[s->dmembers[s->members[s->failed].leader].event].name);
	else
		error_set(err, "%s",
			  sampler_strerror(-ret, failed_name(s), s->target, advice,
					   sizeof(advice)));
	return ret;
}

/*
 * -p PID or an attach found `pid` not alive: says whether it does not exist
 * or has ended and waits, a zombie, for its parent to reap it (ps shows it,
 * so "no such process" would look wrong).
 */
static int no_process(pid_t pid, struct ft_error *err)
{
	char path[32];

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (pid > 0 && access(path, F_OK) == 0)
		error_set(err, "process %d has exited (a zombie its parent has not reaped yet)",
			  (int)pid);
	else
		error_set(err, "no such process: %d", (int)pid);
	return -ESRCH;
}

static int check_pids(const struct sampler_config *cfg, struct ft_error *err)
{
	size_t i;

	for (i = 0; i < cfg->npids; i++)
		if (cfg->pids[i] <= 0 || !util_process_alive(cfg->pids[i]))
			return no_process(cfg->pids[i], err);
	return 0;
}

/*
 * Forks the command. The child asks to be killed when flametop dies
 * (PR_SET_PDEATHSIG: no thread of ours forks, so "the thread that forked"
 * is the process), waits for one byte on the go pipe (or EOF, then it
 * exits), then execs; if exec fails it writes errno into the
 * close-on-exec error pipe, so the parent learns the outcome either way.
 */
static int fork_command(struct sampler *s, char *const *argv, struct ft_error *err)
{
	int go[2], ex[2];
	pid_t pid, parent;

	if (pipe2(go, O_CLOEXEC) < 0) {
		error_set(err, "cannot create a pipe: %s", strerror(errno));
		return -errno;
	}
	if (pipe2(ex, O_CLOEXEC) < 0) {
		int saved = errno;

		close(go[0]);
		close(go[1]);
		error_set(err, "cannot create a pipe: %s", strerror(saved));
		return -saved;
	}
	parent = getpid();
	pid = fork();
	if (pid < 0) {
		int saved = errno;

		close(go[0]);
		close(go[1]);
		close(ex[0]);
		close(ex[1]);
		error_set(err, "cannot fork: %s", strerror(saved));
		return -saved;
	}
	if (pid == 0) {
		sigset_t none;
		char c;
		int e;

		close(go[1]);
		close(ex[0]);
		/* The command dies with flametop, a crash or SIGKILL included
		 * (the setting survives exec, except of a set-user-ID program);
		 * a parent gone already is seen through getppid(). */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
			_exit(127);
		signal(SIGPIPE, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (read(go[0], &c, 1) != 1)
			_exit(127);
		execvp(argv[0], argv);
		e = errno;
		if (write(ex[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(go[0]);
	close(ex[1]);
	s->child = pid;
	s->command = xstrdup(argv[0]);
	s->go_fd = go[1];
	s->exec_err_fd = ex[0];
	return 0;
}

/*
 * Watches `pid`'s exit for sampler_poll(): a pidfd (Linux 5.3), which
 * polls readable once the whole process has exited, in the poll set
 * after the rings, so that a wait need not time out to notice the end of
 * a PID or command target. A process gone already needs no watch (the
 * next poll finds it gone). Where one cannot be had (an older kernel, no
 * descriptors left, more than EXIT_WATCHES_MAX processes), exit_wakes
 * turns false for good and the caller's waits time out (POLL_MS).
 */
static void watch_exit(struct sampler *s, pid_t pid)
{
	int fd = -1;

	if (!s->exit_wakes)
		return;
	if (s->nexit == EXIT_WATCHES_MAX) {
		s->exit_wakes = false;
		return;
	}
#ifdef SYS_pidfd_open
	fd = (int)syscall(SYS_pidfd_open, pid, 0); /* close-on-exec, always */
#else
	errno = ENOSYS;
#endif
	if (fd < 0) {
		if (errno != ESRCH)
			s->exit_wakes = false;
		return;
	}
	s->pfds[s->ncpus + s->nexit].fd = fd;
	s->pfds[s->ncpus + s->nexit].events = POLLIN;
	s->nexit++;
}

bool sampler_exit_wakes(const struct sampler *s)
{
	return s->target == SAMPLER_SYSTEM || s->exit_wakes;
}

static void reap_unstarted_child(struct sampler *s)
{
	if (s->child <= 0 || s->child_started)
		return;
	/* It never exec'd: closing the go pipe makes it exit. */
	if (s->go_fd >= 0) {
		close(s->go_fd);
		s->go_fd = -1;
	}
	waitpid(s->child, NULL, 0);
	s->child = 0;
}

/*
 * A PID target needs one descriptor per thread, CPU and event: raise our
 * soft limit on open files to the hard limit. Called after a command is
 * forked, so the command keeps the limits it was given.
 */
static void raise_file_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

struct sampler *sampler_new(const struct sampler_config *cfg, const struct pipeline_sink *sink,
			    struct ft_error *err)
{
	struct sampler *s = xcalloc(1, sizeof(*s));
	long max_rate = 0;
	size_t i;

	s->target = cfg->target;
	s->frequency = cfg->frequency ? cfg->frequency : SAMPLER_DEFAULT_FREQUENCY;
	s->period = cfg->period;
	s->call_graph = cfg->call_graph;
	s->alloc_sample = cfg->alloc_sample;
	s->poll_budget_ns = cfg->poll_budget_ns;
	s->wakeup_parts = cfg->wakeup_parts ? cfg->wakeup_parts : 4;
	s->ring_pages = cfg->ring_pages				    ? cfg->ring_pages
			: s->call_graph == SAMPLER_CALL_GRAPH_DWARF ? DEFAULT_DWARF_RING_PAGES
								    : DEFAULT_RING_PAGES;
	s->stack_size =
		(uint32_t)((cfg->stack_size ? cfg->stack_size : SAMPLER_DEFAULT_STACK_SIZE) + 7) &
		~7u;
	if (s->call_graph == SAMPLER_CALL_GRAPH_DWARF) {
		s->dec.sample_type = SAMPLER_SAMPLE_TYPE_DWARF;
		s->dec.regs_user_mask = SAMPLER_REGS_USER_MASK;
	}
	s->notice = cfg->notice;
	s->dec.sink = sink;
	s->dec.members = s->dmembers;
	s->dec.group_by_thread = cfg->target != SAMPLER_SYSTEM;
	s->dec.track_spawned = cfg->target != SAMPLER_SYSTEM;
	s->go_fd = -1;
	s->exec_err_fd = -1;
	s->wait_fd = -1;
	u64map_init(&s->tids);
	u64map_init(&s->dec.id_event);
	u64map_init(&s->dec.spawned);

	if (s->call_graph == SAMPLER_CALL_GRAPH_DWARF &&
	    (cfg->stack_size > SAMPLER_MAX_STACK_SIZE || s->stack_size > SAMPLER_MAX_STACK_SIZE)) {
		error_set(err, "the stack sample size must be at most %d bytes",
			  SAMPLER_MAX_STACK_SIZE);
		goto out_free;
	}
	if (s->ring_pages & (s->ring_pages - 1)) {
		error_set(err, "the ring buffer size must be a power of two pages");
		goto out_free;
	}
	if (online_cpus(&s->cpus, &s->ncpus) < 0) {
		error_set(err, "cannot read the list of online CPUs");
		goto out_free;
	}
	s->rings = xcalloc(s->ncpus, sizeof(*s->rings));
	s->cursors = xcalloc(s->ncpus, sizeof(*s->cursors));
	s->pfds = xcalloc(s->ncpus + EXIT_WATCHES_MAX, sizeof(*s->pfds));
	for (i = 0; i < s->ncpus; i++)
		s->rings[i].fd = -1;
	s->exit_wakes = true;

	switch (cfg->target) {
	case SAMPLER_SYSTEM:
		break;
	case SAMPLER_PIDS:
		if (!cfg->npids) {
			error_set(err, "no process to sample");
			goto out_free;
		}
		if (check_pids(cfg, err) < 0)
			goto out_free;
		s->pids = xcalloc(cfg->npids, sizeof(*s->pids));
		memcpy(s->pids, cfg->pids, cfg->npids * sizeof(*s->pids));
		s->npids = cfg->npids;
		for (i = 0; i < s->npids; i++)
			watch_exit(s, s->pids[i]);
		break;
	case SAMPLER_COMMAND:
		if (!cfg->argv || !cfg->argv[0]) {
			error_set(err, "no command to run");
			goto out_free;
		}
		if (fork_command(s, cfg->argv, err) < 0)
			goto out_free;
		watch_exit(s, s->child); /* ours: its pid is not reused before we reap it */
		break;
	}
	s->npmus = sampler_hybrid_pmus(cfg->sysfs_root, s->pmus);
	/* After the target: a type may look into the processes (uprobes). */
	if (resolve_events(s, cfg, err) < 0)
		goto out_free;
	if (any_at_frequency(s) &&
	    util_read_long("/proc/sys/kernel/perf_event_max_sample_rate", &max_rate) == 0 &&
	    max_rate > 0 && s->frequency > (unsigned long)max_rate) {
		error_set(err,
			  "-F %u is above kernel.perf_event_max_sample_rate (%ld): use a lower "
			  "frequency or raise the limit with sysctl",
			  s->frequency, max_rate);
		goto out_free;
	}
	if (!cfg->ring_pages && s->ring_pages < DEFAULT_DWARF_RING_PAGES)
		for (i = 0; i < s->nmembers; i++)
			if (!s->members[i].frequency)
				s->ring_pages = DEFAULT_EVERY_RING_PAGES;
	raise_file_limit();
	if (open_with_fallbacks(s, err) < 0)
		goto out_free;
	for (i = 0; i < s->ncpus; i++) {
		s->pfds[i].fd = s->rings[i].fd;
		s->pfds[i].events = POLLIN;
	}
	return s;

out_free:
	sampler_free(s);
	return NULL;
}

size_t sampler_ring_memory(const struct sampler *s)
{
	size_t n = 0, i;

	for (i = 0; s->rings && i < s->ncpus; i++)
		if (s->rings[i].map)
			n += s->rings[i].map_len + RING_COPY_BYTES;
	return n;
}

void sampler_free(struct sampler *s)
{
	size_t i;

	if (!s)
		return;
	if (s->rings)
		close_all(s);
	type_uprobe_cleanup();
	sampler_pmus_free(s->pmus, s->npmus);
	reap_unstarted_child(s);
	if (s->go_fd >= 0)
		close(s->go_fd);
	if (s->exec_err_fd >= 0)
		close(s->exec_err_fd);
	if (s->wait_fd >= 0)
		close(s->wait_fd);
	for (i = s->ncpus; s->pfds && i < s->ncpus + s->nexit; i++)
		if (s->pfds[i].fd >= 0)
			close(s->pfds[i].fd);
	for (i = 0; i < s->nevents; i++) {
		free(s->events[i].name);
		free(s->events[i].unit);
		if (s->events[i].type && s->events[i].type->state_free)
			s->events[i].type->state_free(s->events[i].state);
	}
	u64map_free(&s->tids);
	u64map_free(&s->dec.id_event);
	sampler_decode_free(&s->dec);
	free(s->cursors);
	sampler_rounds_free(&s->rounds);
	free(s->fds);
	free(s->rings);
	free(s->pfds);
	free(s->cpus);
	free(s->pids);
	free(s->command);
	free(s);
}

size_t sampler_nevents(const struct sampler *s)
{
	return s->nevents;
}

const char *sampler_event_name(const struct sampler *s, size_t i)
{
	return i < s->nevents ? s->events[i].name : NULL;
}

const char *sampler_event_unit(const struct sampler *s, size_t i)
{
	return i < s->nevents ? s->events[i].unit : NULL;
}

int sampler_event_leader(const struct sampler *s, size_t i)
{
	return i < s->nevents ? s->events[i].leader : -1;
}

uint64_t sampler_event_period(const struct sampler *s, size_t i)
{
	size_t k;

	if (i >= s->nevents)
		return 0;
	if (s->events[i].leader >= 0)
		return sampler_event_period(s, (size_t)s->events[i].leader);
	if (s->events[i].type)
		return s->events[i].type->every ? 1 : 0;
	for (k = 0; k < s->nmembers; k++)
		if (s->dmembers[k].event == i)
			return s->members[k].frequency ? 0 : s->members[k].attr.sample_period;
	return 0;
}

/*
 * Why exec of `command` failed with `e`. ENOENT is also what a file that
 * exists says when what running it needs is missing (a #! interpreter, a
 * dynamic loader): "command not found" would send the user looking for
 * the wrong file.
 */
static const char *exec_strerror(const char *command, int e)
{
	if (e != ENOENT)
		return strerror(e);
	if (strchr(command, '/') && access(command, F_OK) == 0)
		return "cannot execute: a file it needs was not found (its #! interpreter, "
		       "or its dynamic loader)";
	return "command not found";
}

int sampler_start(struct sampler *s, struct ft_error *err)
{
	size_t i;

	if (s->target != SAMPLER_COMMAND) {
		for (i = 0; i < s->nfds; i++)
			if (ioctl(s->fds[i], PERF_EVENT_IOC_ENABLE, 0) < 0 && errno != ESRCH) {
				error_set(err, "cannot enable sampling: %s", strerror(errno));
				return -errno;
			}
		return 0;
	}
	{
		int e = 0;
		ssize_t n;

		if (write(s->go_fd, "g", 1) != 1) {
			error_set(err, "cannot start the command: %s", strerror(errno));
			return -errno;
		}
		close(s->go_fd);
		s->go_fd = -1;
		s->child_started = true;
		do
			n = read(s->exec_err_fd, &e, sizeof(e));
		while (n < 0 && errno == EINTR);
		close(s->exec_err_fd);
		s->exec_err_fd = -1;
		if (n == (ssize_t)sizeof(e)) {
			waitpid(s->child, &s->child_status, 0);
			s->child_done = true;
			error_set(err, "%s", exec_strerror(s->command, e));
			return -e;
		}
	}
	return 0;
}

static int drain_one(const struct perf_event_header *h, void *ctx)
{
	return sampler_decode(ctx, h);
}

/*
 * For rules that pair two records of one thread (a switch-out and its
 * switch-in, a call and its return): the records go through rounds
 * (sampler_rounds), sorted by time within a ring too, and released a
 * drain late. A ring is not always in time order (a record written from
 * an interrupt between another's time and its write goes first), and the
 * rings are read one after the other: a thread's switch-in on another
 * CPU could otherwise come before the switch-out record that says it was
 * preempted, and the interval lose its [preempted]. `last`: the final
 * drain, which releases everything. Past `until` the release stops and
 * *more says records are still due; until they are released the rings are
 * left as they are (the kernel keeps their records, or counts those it
 * drops), so what the rounds hold stays what the rings held.
 */
static int drain_rounds(struct sampler *s, bool last, uint64_t until, bool *more)
{
	size_t i;
	int ret;

	if (!s->rounds_behind || last) {
		for (i = 0; i < s->ncpus; i++) {
			if (!s->rings[i].map)
				continue;
			if (sampler_ring_read(&s->rings[i].r, sampler_rounds_add, &s->rounds) ==
			    -EBADMSG)
				s->dec.malformed++;
		}
	}
	ret = sampler_rounds_release_until(&s->rounds, last, until, more, drain_one, &s->dec);
	s->rounds_behind = *more;
	return ret;
}

/*
 * Reads every ring, in time order across them: a record's meaning may
 * depend on one in another CPU's ring (a process's exec before its
 * samples, a thread's switch-out before its switch-in). Until the clock
 * is at `until` (UINT64_MAX: no limit), then *more says records are left.
 * Rounds copy every record out at once, then release them up to `until`.
 */
static int drain(struct sampler *s, bool last, uint64_t until, bool *more)
{
	size_t i, n = 0;

	*more = false;
	if (s->in_rounds)
		return drain_rounds(s, last, until, more);
	for (i = 0; i < s->ncpus; i++)
		if (s->rings[i].map)
			s->cursors[n++].r = &s->rings[i].r;
	return sampler_ring_merge_until(s->cursors, n, drain_one, &s->dec, &s->dec.malformed,
					until, more);
}

/* What the types' rules have to say (once each: the notice path remembers). */
static void say_type_notices(struct sampler *s)
{
	size_t i;

	for (i = 0; i < s->nevents; i++) {
		const struct sampler_type *type = s->events[i].type;
		const char *msg;

		if (type && type->notice && (msg = type->notice(s->events[i].state)))
			notice_say(s->notice, msg, "%s", msg);
	}
}

static bool any_pid_alive(const struct sampler *s)
{
	size_t i;

	for (i = 0; i < s->npids; i++)
		if (util_process_alive(s->pids[i]))
			return true;
	return false;
}

/* Gone: the command exited (or every process of a PID target did), and
 * so did every process attached since. */
static bool target_gone(struct sampler *s)
{
	switch (s->target) {
	case SAMPLER_SYSTEM:
		return false;
	case SAMPLER_COMMAND:
		if (!s->child_done && s->child > 0 &&
		    waitpid(s->child, &s->child_status, WNOHANG) == s->child)
			s->child_done = true;
		return s->child_done && !any_pid_alive(s);
	case SAMPLER_PIDS:
		return !any_pid_alive(s);
	}
	return false;
}

int sampler_attach(struct sampler *s, pid_t pid, struct ft_error *err)
{
	bool on_exec[MAX_MEMBERS];
	size_t first = s->nfds, i;
	char advice[512];
	int ret;

	if (s->target == SAMPLER_SYSTEM)
		return 0;
	if (pid <= 0 || !util_process_alive(pid))
		return no_process(pid, err);
	/* Running already: its events start now, not at an exec. */
	for (i = 0; i < s->nmembers; i++) {
		on_exec[i] = s->members[i].attr.enable_on_exec;
		s->members[i].attr.enable_on_exec = 0;
	}
	ret = open_process_threads(s, pid);
	for (i = 0; i < s->nmembers; i++)
		s->members[i].attr.enable_on_exec = on_exec[i];
	if (ret < 0) {
		error_set(err, "%s",
			  sampler_strerror(-ret, failed_name(s), SAMPLER_PIDS, advice,
					   sizeof(advice)));
		return ret;
	}
	for (i = first; i < s->nfds; i++)
		ioctl(s->fds[i], PERF_EVENT_IOC_ENABLE, 0);
	s->pids = xreallocarray(s->pids, s->npids + 1, sizeof(*s->pids));
	s->pids[s->npids++] = pid;
	watch_exit(s, pid);
	return 0;
}

/* When a poll's budget runs out, from now; UINT64_MAX: it has none. */
static uint64_t poll_until(const struct sampler *s)
{
	return s->poll_budget_ns ? util_now_ns() + s->poll_budget_ns : UINT64_MAX;
}

int sampler_poll(struct sampler *s, int timeout_ms)
{
	bool more;
	size_t i;
	int ret;

	if (poll(s->pfds, s->ncpus + s->nexit, timeout_ms) > 0) {
		/* A process that exited: its watch is done (it stays readable). */
		for (i = s->ncpus; i < s->ncpus + s->nexit; i++) {
			if (s->pfds[i].fd >= 0 && s->pfds[i].revents) {
				close(s->pfds[i].fd);
				s->pfds[i].fd = -1;
			}
		}
		for (i = 0; i < s->ncpus; i++) {
			/* An fd whose task exited reports POLLHUP forever: stop
			 * polling it (its ring is still read below). */
			if (s->pfds[i].revents & (POLLHUP | POLLERR | POLLNVAL)) {
				s->rings[i].hup = true;
				if (s->wait_fd >= 0)
					epoll_ctl(s->wait_fd, EPOLL_CTL_DEL, s->pfds[i].fd, NULL);
				s->pfds[i].fd = -1;
			}
		}
	}
	ret = drain(s, false, poll_until(s), &more);
	if (ret)
		return ret;
	say_type_notices(s);
	if (more)
		return SAMPLER_POLL_MORE;
	return target_gone(s) ? 1 : 0;
}

int sampler_wait_fd(struct sampler *s)
{
	struct epoll_event ev = { .events = EPOLLIN };
	size_t i;

	if (s->wait_fd >= 0)
		return s->wait_fd;
	s->wait_fd = epoll_create1(EPOLL_CLOEXEC);
	if (s->wait_fd < 0)
		return -1;
	for (i = 0; i < s->ncpus; i++) {
		if (s->pfds[i].fd < 0)
			continue;
		ev.data.u64 = i;
		if (epoll_ctl(s->wait_fd, EPOLL_CTL_ADD, s->pfds[i].fd, &ev) < 0) {
			close(s->wait_fd);
			s->wait_fd = -1;
			return -1;
		}
	}
	return s->wait_fd;
}

void sampler_drop_after(struct sampler *s, uint64_t time)
{
	s->dec.drop_after = time;
}

int sampler_stop(struct sampler *s)
{
	struct timespec ts;
	uint64_t now;
	bool more;
	size_t i;
	int ret;

	for (i = 0; i < s->nfds; i++)
		ioctl(s->fds[i], PERF_EVENT_IOC_DISABLE, 0);
	ret = drain(s, true, UINT64_MAX, &more);
	if (ret)
		return ret;
	/* What a rule still holds (threads still off the CPU) ends now. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	for (i = 0; i < s->nevents; i++) {
		const struct sampler_type *type = s->events[i].type;

		if (type && type->flush) {
			ret = type->flush(s->events[i].state, now, s->dec.sink);
			if (ret)
				return ret;
		}
	}
	say_type_notices(s);
	return 0;
}

pid_t sampler_child(const struct sampler *s)
{
	return s->target == SAMPLER_COMMAND ? s->child : 0;
}

int sampler_child_status(struct sampler *s, int *status)
{
	if (s->target != SAMPLER_COMMAND)
		return 0;
	target_gone(s);
	if (!s->child_done)
		return 0;
	*status = s->child_status;
	return 1;
}

size_t sampler_spawned_running(const struct sampler *s, pid_t *pids, size_t max)
{
	const struct u64map *m = &s->dec.spawned;
	size_t i, n = 0;

	for (i = 0; i < m->cap; i++) {
		pid_t pid = (pid_t)(m->keys[i] - 1);

		if (!m->keys[i] || !m->values[i] || !util_process_alive(pid))
			continue;
		if (n < max)
			pids[n] = pid;
		n++;
	}
	return n;
}

uint64_t sampler_lost(const struct sampler *s)
{
	return s->dec.lost;
}
