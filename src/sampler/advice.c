/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * perf_event_open's errno, turned into one line of advice. This is the
 * only place that knows what EACCES or ENOENT mean for a profiler user, so
 * every caller gives the same, useful answer.
 */
#include "config.h"

#include "flametop/sampler.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static long paranoid_level(void)
{
	long v = 2;

	if (util_read_long("/proc/sys/kernel/perf_event_paranoid", &v) < 0)
		return 2;
	return v;
}

/*
 * kernel.perf_event_paranoid, for a user without CAP_PERFMON: 2 allows
 * sampling one's own processes in user space, 1 their kernel side too, 0
 * whole CPUs (-a), -1 everything; some distributions add 3, nothing at
 * all. Another user's process also takes the right to trace it (root,
 * or CAP_SYS_PTRACE), whatever the level.
 */
static void permission_advice(const char *event, enum sampler_target target, char *buf,
			      size_t size)
{
	static const char caps[] = "grant the capabilities (setcap "
				   "cap_perfmon,cap_sys_ptrace,cap_syslog+ep flametop)";
	long level = paranoid_level();

	switch (target) {
	case SAMPLER_SYSTEM:
		snprintf(buf, size,
			 "no permission to sample %s system-wide (kernel.perf_event_paranoid "
			 "is %ld; whole CPUs take 0 or lower, or CAP_PERFMON): run as root, %s, "
			 "or lower it with 'sysctl kernel.perf_event_paranoid=0'",
			 event, level, caps);
		break;
	case SAMPLER_PIDS:
		snprintf(buf, size,
			 "no permission to sample %s in that process (another user's process "
			 "takes root or CAP_SYS_PTRACE; one's own, kernel.perf_event_paranoid 2 "
			 "or lower, and it is %ld): run as root, or %s",
			 event, level, caps);
		break;
	case SAMPLER_COMMAND:
	default:
		snprintf(buf, size,
			 "no permission to sample %s (kernel.perf_event_paranoid is %ld; one's own "
			 "programs take 2 or lower, or CAP_PERFMON): run as root, %s, or lower it "
			 "with 'sysctl kernel.perf_event_paranoid=2'",
			 event, level, caps);
		break;
	}
}

const char *sampler_strerror(int err, const char *event, enum sampler_target target, char *buf,
			     size_t size)
{
	switch (err) {
	case EACCES:
	case EPERM:
		permission_advice(event, target, buf, size);
		break;
	case ENOENT:
	case EOPNOTSUPP:
	case ENODEV:
		snprintf(buf, size,
			 "event %s is not supported on this machine (no hardware PMU here? a VM often "
			 "has none): try -e cpu-clock; 'flametop list-events' shows what opens here",
			 event);
		break;
	case EMFILE:
	case ENFILE:
		snprintf(buf, size,
			 "too many open files while opening %s (flametop needs one per CPU and "
			 "thread): raise the limit with 'ulimit -n 65536'",
			 event);
		break;
	case ESRCH:
		snprintf(buf, size, "no such process (it exited, or the PID is wrong)");
		break;
	case EINVAL:
		snprintf(buf, size,
			 "the kernel refused the settings for %s: the frequency may be above "
			 "kernel.perf_event_max_sample_rate, or the event takes no sampling",
			 event);
		break;
	case EBUSY:
		snprintf(buf, size, "%s is in use by another tool (another profiler, or a watchdog)",
			 event);
		break;
	case ENOSYS:
		snprintf(buf, size,
			 "this kernel has no perf events (CONFIG_PERF_EVENTS off, or a seccomp "
			 "filter forbids perf_event_open)");
		break;
	case ENOMEM:
		snprintf(buf, size,
			 "not enough locked memory for the ring buffers of %s: raise "
			 "kernel.perf_event_mlock_kb or 'ulimit -l'",
			 event);
		break;
	default:
		snprintf(buf, size, "cannot open %s: %s", event, strerror(err));
		break;
	}
	return buf;
}
