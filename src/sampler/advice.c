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

const char *sampler_strerror(int err, const char *event, char *buf, size_t size)
{
	switch (err) {
	case EACCES:
	case EPERM:
		snprintf(buf, size,
			 "no permission to sample %s (kernel.perf_event_paranoid is %ld): run as root, "
			 "grant CAP_PERFMON (setcap cap_perfmon,cap_sys_ptrace,cap_syslog+ep flametop), "
			 "or lower it with 'sysctl kernel.perf_event_paranoid=1'",
			 event, paranoid_level());
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
