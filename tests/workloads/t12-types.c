/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * t12-types: workloads with known answers for the profile types beyond
 * CPU (issue 12). Each mode prints what it did, measured by itself: the
 * ground truth the tests compare flametop with.
 *
 *   t12-types wall ROUNDS
 *     Each round main -> ft_t12_compute burns 25 ms of its own CPU time,
 *     then main -> ft_t12_sleep sleeps 75 ms. Prints "compute_ns A
 *     compute_cpu_ns C sleep_ns B switches N": the time (CLOCK_MONOTONIC)
 *     spent in each, so wall shares are A:B; the CPU time ft_t12_compute
 *     had, so its off-CPU time (preempted on a busy machine) is A - C and
 *     ft_t12_sleep's is B; and the times the process left the CPU in
 *     the rounds (getrusage). On an idle machine A = C, and off-CPU is all in
 *     ft_t12_sleep.
 *   t12-types wall-wait ROUNDS
 *     Prints "ready", then naps in mode_wall -> ft_t12_wait, 10 ms at a
 *     time, until SIGUSR1; then does as wall (its figures cover the rounds
 *     only). A profiler attached meanwhile sees all of the rounds, so a
 *     test of a running process has the same ground truth as one of a
 *     command.
 *   t12-types lock ROUNDS
 *     Four threads; each round each takes one mutex all four share, in
 *     ft_t12_lock_shared, and then its own private mutex, in
 *     ft_t12_lock_private, holding each while it spins 200 µs. Waits for a
 *     lock are all in ft_t12_lock_shared: no one else takes a private one.
 *     Prints "rounds N threads 4".
 *   t12-types alloc ROUNDS
 *     Each round ft_t12_alloc_big mallocs and frees 3 x 4096 bytes,
 *     ft_t12_alloc_small 1 x 4096 bytes, and ft_t12_alloc_keep mallocs
 *     4096 bytes it keeps (the last 100,000 of them). Alloc bytes:
 *     big:small:keep = 3:1:1; in use at the end: all ft_t12_alloc_keep's.
 *     Prints "big B small S keep K" (bytes).
 *   t12-types reasons ROUNDS DIR
 *     Off-CPU for each reason at once, each in its own function: two
 *     threads pinned to one CPU burn ROUNDS x 10 ms of CPU time each in
 *     ft_t12_spin (so each waits, preempted, while the other runs); one
 *     sleeps ROUNDS x 5 ms in ft_t12_sleep; three take a shared mutex
 *     ROUNDS x 10 times, holding it 200 us, waiting in ft_t12_lock_shared; one
 *     reads a 4 KiB block ROUNDS x 4 times with O_DIRECT from a file it
 *     writes in DIR, in ft_t12_direct. Prints "spin_off_ns P slept_ns S
 *     direct R waits V" (R: 1 when O_DIRECT worked, 0 when the file
 *     system refused it, as tmpfs does; V: the times the reads gave up the
 *     CPU, which a read that completes at once does not); P is the
 *     spinners' wall minus CPU time.
 *   t12-types futex ROUNDS
 *     Each kind of futex wait, ROUNDS times, each in its own function of
 *     the main thread, woken by a second thread 1 ms later:
 *     ft_t12_bitset (futex FUTEX_WAIT_BITSET), ft_t12_pi (a priority
 *     inheritance futex the other thread holds until the kernel says a
 *     waiter blocks on it: FUTEX_LOCK_PI, once a round), ft_t12_waitv
 *     (futex_waitv, Linux 5.16) and ft_t12_wait2 (futex_wait, 6.7).
 *     Prints "bitset N pi N waitv N wait2 N": the wait calls each made,
 *     -1 for a call the kernel does not have (ENOSYS).
 *   t12-types futex-calls ROUNDS
 *     Each round main calls futex FUTEX_WAKE with no one waiting, in
 *     ft_t12_wake, and FUTEX_WAIT on a word whose value differs, which
 *     returns at once (EAGAIN), in ft_t12_nowait: no lock, no thread, only
 *     what a futex call costs under -e lock. Prints "wakes N nowaits N":
 *     the wakes that woke no one and the waits that returned EAGAIN.
 *   t12-types handoff ROUNDS
 *     main and a second thread hand a turn back and forth, ROUNDS times
 *     each way: each waits for its turn with futex FUTEX_WAIT, in
 *     ft_t12_await, and gives the other its turn with FUTEX_WAKE, in
 *     ft_t12_give, which wakes the other when it already waits: a
 *     contended lock's handoff, without the lock. Prints "handoffs N
 *     waits W wakes K": the turns given, the wait calls made and the
 *     wakes that woke the other.
 * A ROUNDS of 0 runs until killed (alloc then sleeps 1 ms every 8 rounds).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "workload.h"

static volatile uint64_t ft_t12_sink;

/*
 * Burns `cpu_ns` of this thread's CPU time. The clock is read every 64K
 * iterations (a few hundred microseconds): a thread is preempted mostly
 * where it runs, not in the clock's system call, whose libc wrapper keeps
 * no frame and would hide ft_t12_compute from a frame-pointer walk.
 */
FT_NOINLINE static void ft_t12_compute(long long cpu_ns)
{
	long long until = ft_thread_cpu_ns() + cpu_ns;

	while (ft_thread_cpu_ns() < until)
		for (int i = 0; i < 65536; i++)
			ft_t12_sink++;
}

/*
 * A frame-pointer walk from inside a libc call that keeps no frame of its
 * own (clock_nanosleep) skips that call's caller: ft_t12_nap is that
 * caller, so that ft_t12_sleep shows.
 */
FT_NOINLINE static void ft_t12_nap(long ms)
{
	ft_sleep_ms(ms);
}

FT_NOINLINE static void ft_t12_sleep(long ms)
{
	ft_t12_nap(ms);
	ft_t12_sink++;
}

/* Read at run time, so the functions keep their names (no .constprop clones). */
static volatile long ft_t12_compute_ms = 25, ft_t12_sleep_ms = 75, ft_t12_wait_ms = 10;

static volatile sig_atomic_t ft_t12_go;

static void on_usr1(int sig)
{
	(void)sig;
	ft_t12_go = 1;
}

/* Naps until SIGUSR1 (installed before "ready" is printed). */
FT_NOINLINE static void ft_t12_wait(void)
{
	while (!ft_t12_go)
		ft_t12_nap(ft_t12_wait_ms);
	ft_t12_sink++;
}

static int mode_wall(long rounds, int wait)
{
	long long compute = 0, compute_cpu = 0, sleep = 0, t, c;
	struct rusage ru0, ru;

	if (wait) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_usr1;
		sigaction(SIGUSR1, &sa, NULL);
		printf("ready\n");
		fflush(stdout);
		ft_t12_wait();
	}
	getrusage(RUSAGE_SELF, &ru0);
	for (long r = 0; rounds == 0 || r < rounds; r++) {
		/* The CPU clock (a system call here, where a thread is often
		 * preempted on its way out) is read inside the wall interval,
		 * so that such a preemption counts as compute - compute_cpu. */
		t = ft_now_ns();
		c = ft_thread_cpu_ns();
		ft_t12_compute(ft_t12_compute_ms * 1000000LL);
		compute_cpu += ft_thread_cpu_ns() - c;
		compute += ft_now_ns() - t;
		t = ft_now_ns();
		ft_t12_sleep(ft_t12_sleep_ms);
		sleep += ft_now_ns() - t;
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("compute_ns %lld compute_cpu_ns %lld sleep_ns %lld switches %ld\n", compute,
	       compute_cpu, sleep,
	       (ru.ru_nvcsw - ru0.ru_nvcsw) + (ru.ru_nivcsw - ru0.ru_nivcsw));
	return 0;
}

#define T12_THREADS 4

static pthread_mutex_t ft_t12_shared = PTHREAD_MUTEX_INITIALIZER;

struct lock_arg {
	pthread_mutex_t private;
	long rounds;
};

FT_NOINLINE static void ft_t12_hold(void)
{
	long long until = ft_now_ns() + 200000;

	while (ft_now_ns() < until)
		for (int i = 0; i < 64; i++)
			ft_t12_sink++;
}

/* The caller a frame-pointer walk skips from inside libc's futex call
 * (see ft_t12_nap): ft_t12_lock_shared and ft_t12_lock_private show. */
FT_NOINLINE static void ft_t12_take(pthread_mutex_t *m)
{
	pthread_mutex_lock(m);
	ft_t12_sink++;
}

FT_NOINLINE static void ft_t12_lock_shared(void)
{
	ft_t12_take(&ft_t12_shared);
	ft_t12_hold();
	pthread_mutex_unlock(&ft_t12_shared);
}

FT_NOINLINE static void ft_t12_lock_private(pthread_mutex_t *m)
{
	ft_t12_take(m);
	ft_t12_hold();
	pthread_mutex_unlock(m);
}

static void *lock_thread(void *p)
{
	struct lock_arg *a = p;

	for (long r = 0; a->rounds == 0 || r < a->rounds; r++) {
		ft_t12_lock_shared();
		ft_t12_lock_private(&a->private);
	}
	return NULL;
}

static int mode_lock(long rounds)
{
	pthread_t th[T12_THREADS];
	struct lock_arg args[T12_THREADS];

	for (int i = 0; i < T12_THREADS; i++) {
		pthread_mutex_init(&args[i].private, NULL);
		args[i].rounds = rounds;
		if (pthread_create(&th[i], NULL, lock_thread, &args[i]) != 0) {
			fprintf(stderr, "t12-types: pthread_create failed\n");
			return 1;
		}
	}
	for (int i = 0; i < T12_THREADS; i++)
		pthread_join(th[i], NULL);
	printf("rounds %ld threads %d\n", rounds, T12_THREADS);
	return 0;
}

#define T12_BLOCK 4096

FT_NOINLINE static void ft_t12_alloc_big(void)
{
	for (int i = 0; i < 3; i++) {
		char *p = malloc(T12_BLOCK);

		if (!p)
			exit(1);
		memset(p, 1, 1);
		ft_t12_sink += (uint64_t)p[0];
		free(p);
	}
}

FT_NOINLINE static void ft_t12_alloc_small(void)
{
	char *p = malloc(T12_BLOCK);

	if (!p)
		exit(1);
	memset(p, 1, 1);
	ft_t12_sink += (uint64_t)p[0];
	free(p);
}

#define T12_KEPT_MAX 100000
static void *ft_t12_kept[T12_KEPT_MAX];

/* Keeps its block; with more rounds than slots, frees the oldest first. */
FT_NOINLINE static void ft_t12_alloc_keep(long r)
{
	free(ft_t12_kept[r % T12_KEPT_MAX]);
	ft_t12_kept[r % T12_KEPT_MAX] = malloc(T12_BLOCK);
	if (!ft_t12_kept[r % T12_KEPT_MAX])
		exit(1);
}

static int mode_alloc(long rounds)
{
	for (long r = 0; rounds == 0 || r < rounds; r++) {
		ft_t12_alloc_big();
		ft_t12_alloc_small();
		ft_t12_alloc_keep(r);
		/* Until killed: at a pace a profiler that probes each call
		 * keeps up with (40,000 calls a second at most). */
		if (rounds == 0 && r % 8 == 7)
			ft_sleep_ms(1);
	}
	printf("big %ld small %ld keep %ld\n", rounds * 3 * T12_BLOCK, rounds * T12_BLOCK,
	       rounds * T12_BLOCK);
	return 0;
}

/* --- reasons --- */

static long reasons_rounds;
static int reasons_cpu;
static long long reasons_spin_off;
static long reasons_direct_waits;
static pthread_mutex_t reasons_mu = PTHREAD_MUTEX_INITIALIZER;

FT_NOINLINE static void ft_t12_spin(long long cpu_ns)
{
	ft_t12_compute(cpu_ns);
	ft_t12_sink++;
}

static void *spin_thread(void *p)
{
	cpu_set_t set;
	long long t, c;

	(void)p;
	CPU_ZERO(&set);
	CPU_SET(reasons_cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0) {
		perror("t12-types: sched_setaffinity");
		exit(1);
	}
	t = ft_now_ns();
	c = ft_thread_cpu_ns();
	ft_t12_spin(reasons_rounds * 10000000LL);
	pthread_mutex_lock(&reasons_mu);
	reasons_spin_off += (ft_now_ns() - t) - (ft_thread_cpu_ns() - c);
	pthread_mutex_unlock(&reasons_mu);
	return NULL;
}

static void *sleep_thread(void *p)
{
	long long *slept = p, t = ft_now_ns();

	for (long r = 0; r < reasons_rounds; r++)
		ft_t12_sleep(5);
	*slept = ft_now_ns() - t;
	return NULL;
}

static void *locker_thread(void *p)
{
	(void)p;
	for (long r = 0; r < reasons_rounds * 10; r++)
		ft_t12_lock_shared();
	return NULL;
}

/* The caller a frame-pointer walk skips from inside libc's pread (see
 * ft_t12_nap): ft_t12_direct shows. */
FT_NOINLINE static int ft_t12_pread(int fd, void *buf)
{
	int ok = pread(fd, buf, T12_BLOCK, 0) == T12_BLOCK;

	ft_t12_sink++;
	return ok;
}

/* One O_DIRECT read of the block at the start of `fd`. */
FT_NOINLINE static int ft_t12_direct(int fd, void *buf)
{
	int ok = ft_t12_pread(fd, buf);

	ft_t12_sink++;
	return ok;
}

static void *direct_thread(void *p)
{
	const char *dir = p;
	char path[4096];
	struct rusage ru0, ru;
	void *buf;
	int fd, *ok = calloc(1, sizeof(*ok));

	if (!ok)
		exit(1);
	snprintf(path, sizeof(path), "%s/t12-direct", dir);
	if (posix_memalign(&buf, T12_BLOCK, T12_BLOCK) != 0)
		exit(1);
	memset(buf, 7, T12_BLOCK);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, buf, T12_BLOCK) != T12_BLOCK || fsync(fd) != 0) {
		perror("t12-types: the file to read");
		exit(1);
	}
	close(fd);
	fd = open(path, O_RDONLY | O_DIRECT);
	*ok = fd >= 0;
	getrusage(RUSAGE_THREAD, &ru0);
	for (long r = 0; *ok && r < reasons_rounds * 4; r++)
		*ok = ft_t12_direct(fd, buf);
	getrusage(RUSAGE_THREAD, &ru);
	reasons_direct_waits = ru.ru_nvcsw - ru0.ru_nvcsw;
	if (fd >= 0)
		close(fd);
	unlink(path);
	free(buf);
	return ok;
}

static int mode_reasons(long rounds, const char *dir)
{
	pthread_t spin[2], sleeper, lockers[3], direct;
	long long slept = 0;
	cpu_set_t set;
	void *ok;
	int i;

	reasons_rounds = rounds;
	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return 1;
	for (reasons_cpu = 0; !CPU_ISSET(reasons_cpu, &set); reasons_cpu++)
		;
	if (pthread_create(&sleeper, NULL, sleep_thread, &slept) != 0 ||
	    pthread_create(&direct, NULL, direct_thread, (void *)dir) != 0)
		return 1;
	for (i = 0; i < 2; i++)
		if (pthread_create(&spin[i], NULL, spin_thread, NULL) != 0)
			return 1;
	for (i = 0; i < 3; i++)
		if (pthread_create(&lockers[i], NULL, locker_thread, NULL) != 0)
			return 1;
	for (i = 0; i < 2; i++)
		pthread_join(spin[i], NULL);
	for (i = 0; i < 3; i++)
		pthread_join(lockers[i], NULL);
	pthread_join(sleeper, NULL);
	pthread_join(direct, &ok);
	printf("spin_off_ns %lld slept_ns %lld direct %d waits %ld\n", reasons_spin_off, slept,
	       *(int *)ok, reasons_direct_waits);
	free(ok);
	return 0;
}

/* --- futex --- */

#ifndef SYS_futex_waitv
#define SYS_futex_waitv 449
#endif
#define T12_SYS_FUTEX_WAIT 455 /* futex_wait, Linux 6.7 */
#define T12_FUTEX2_U32 0x02
#define T12_FUTEX2_PRIVATE 128

struct t12_waitv { /* struct futex_waitv */
	uint64_t val, uaddr;
	uint32_t flags, reserved;
};

static _Atomic uint32_t fx_word;
static _Atomic int fx_stage; /* 1: wake fx_word in 1 ms; 2: hold fx_pi; 0: done */
static _Atomic uint32_t fx_pi; /* a PI futex: 0, or its owner's tid */

/* Waits until fx_stage is 0 (the other thread did its part). */
static void fx_settle(void)
{
	while (atomic_load(&fx_stage))
		sched_yield();
}

static void *fx_waker(void *p)
{
	long rounds = *(long *)p;

	for (long r = 0; r < rounds * 4; r++) {
		int stage;

		while ((stage = atomic_load(&fx_stage)) != 1 && stage != 2)
			sched_yield();
		if (stage == 1) {
			ft_sleep_ms(1);
			atomic_store(&fx_word, 1);
			syscall(SYS_futex, &fx_word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
		} else if (stage == 2) {
			uint32_t free_word = 0;

			/* Owns the PI futex (its word holds the owner's tid)... */
			if (!atomic_compare_exchange_strong(&fx_pi, &free_word, (uint32_t)gettid()))
				exit(3);
			atomic_store(&fx_stage, 3);
			/* ...until a waiter blocks in the kernel (FUTEX_WAITERS), then 1 ms. */
			while (!(atomic_load(&fx_pi) & FUTEX_WAITERS))
				sched_yield();
			ft_sleep_ms(1);
			syscall(SYS_futex, &fx_pi, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0);
			/* The waiter says when it has the futex. */
			while (atomic_load(&fx_stage) == 3)
				sched_yield();
			continue;
		}
		atomic_store(&fx_stage, 0);
	}
	return NULL;
}

/*
 * A system call through libc's syscall(), which keeps no frame: a
 * frame-pointer walk from inside it skips this function (see ft_t12_nap),
 * and so shows the ft_t12_* that called it.
 */
FT_NOINLINE static long ft_t12_syscall(long nr, long a, long b, long c, long d, long e, long f)
{
	long ret = syscall(nr, a, b, c, d, e, f);

	ft_t12_sink++;
	return ret;
}

/*
 * A wait call's result: 1 when it waited or returned at once because the
 * word had changed (EAGAIN: a wait all the same), 0 when the kernel does
 * not have the call; any other error ends the workload.
 */
static int fx_waited(long ret, const char *call)
{
	if (ret >= 0 || errno == EAGAIN || errno == EINTR)
		return 1;
	if (errno == ENOSYS)
		return 0;
	fprintf(stderr, "t12-types: %s: %s\n", call, strerror(errno));
	exit(1);
}

FT_NOINLINE static long ft_t12_bitset(void)
{
	long calls = 0;

	atomic_store(&fx_word, 0);
	atomic_store(&fx_stage, 1);
	while (!atomic_load(&fx_word)) {
		fx_waited(ft_t12_syscall(SYS_futex, (long)&fx_word,
					 FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, 0, 0, 0,
					 FUTEX_BITSET_MATCH_ANY),
			  "futex");
		calls++;
	}
	fx_settle();
	return calls;
}

FT_NOINLINE static long ft_t12_waitv(void)
{
	struct t12_waitv w = { 0, (uint64_t)(uintptr_t)&fx_word,
			       T12_FUTEX2_U32 | T12_FUTEX2_PRIVATE, 0 };
	long calls = 0;

	atomic_store(&fx_word, 0);
	atomic_store(&fx_stage, 1);
	while (!atomic_load(&fx_word)) {
		if (!fx_waited(ft_t12_syscall(SYS_futex_waitv, (long)&w, 1, 0, 0, CLOCK_MONOTONIC,
					      0),
			       "futex_waitv")) {
			calls = -1;
			break;
		}
		calls++;
	}
	fx_settle();
	return calls;
}

FT_NOINLINE static long ft_t12_wait2(void)
{
	long calls = 0;

	atomic_store(&fx_word, 0);
	atomic_store(&fx_stage, 1);
	while (!atomic_load(&fx_word)) {
		if (!fx_waited(ft_t12_syscall(T12_SYS_FUTEX_WAIT, (long)&fx_word, 0, 0xffffffffl,
					      T12_FUTEX2_U32 | T12_FUTEX2_PRIVATE, 0,
					      CLOCK_MONOTONIC),
			       "futex_wait")) {
			calls = -1;
			break;
		}
		calls++;
	}
	fx_settle();
	return calls;
}

/* One FUTEX_LOCK_PI: the futex is held until the kernel has us waiting. */
FT_NOINLINE static long ft_t12_pi(void)
{
	uint32_t mine;

	atomic_store(&fx_stage, 2);
	while (atomic_load(&fx_stage) != 3)
		sched_yield();
	fx_waited(ft_t12_syscall(SYS_futex, (long)&fx_pi, FUTEX_LOCK_PI_PRIVATE, 0, 0, 0, 0),
		  "futex");
	/* Ours now, no one waiting: released in user space. */
	mine = (uint32_t)gettid();
	if (!atomic_compare_exchange_strong(&fx_pi, &mine, 0))
		ft_t12_syscall(SYS_futex, (long)&fx_pi, FUTEX_UNLOCK_PI_PRIVATE, 0, 0, 0, 0);
	atomic_store(&fx_stage, 0);
	return 1;
}

static int mode_futex(long rounds)
{
	long bitset = 0, pi = 0, waitv = 0, wait2 = 0, n;
	pthread_t waker;

	if (pthread_create(&waker, NULL, fx_waker, &rounds) != 0)
		return 1;
	for (long r = 0; r < rounds; r++) {
		bitset += ft_t12_bitset();
		pi += ft_t12_pi();
		n = ft_t12_waitv();
		waitv = n < 0 || waitv < 0 ? -1 : waitv + n;
		n = ft_t12_wait2();
		wait2 = n < 0 || wait2 < 0 ? -1 : wait2 + n;
	}
	pthread_join(waker, NULL);
	printf("bitset %ld pi %ld waitv %ld wait2 %ld\n", bitset, pi, waitv, wait2);
	return 0;
}

static uint32_t fc_word = 1;

FT_NOINLINE static long ft_t12_wake(void)
{
	return ft_t12_syscall(SYS_futex, (long)&fc_word, FUTEX_WAKE_PRIVATE, 1, 0, 0, 0) == 0;
}

FT_NOINLINE static long ft_t12_nowait(void)
{
	return ft_t12_syscall(SYS_futex, (long)&fc_word, FUTEX_WAIT_PRIVATE, 0, 0, 0, 0) < 0 &&
	       errno == EAGAIN;
}

static int mode_futex_calls(long rounds)
{
	long wakes = 0, nowaits = 0;

	for (long r = 0; rounds == 0 || r < rounds; r++) {
		wakes += ft_t12_wake();
		nowaits += ft_t12_nowait();
	}
	printf("wakes %ld nowaits %ld\n", wakes, nowaits);
	return 0;
}

static _Atomic uint32_t ho_turn;
static long ho_rounds;

/* Waits until the turn is no longer `mine`; counts the wait calls in *waits. */
FT_NOINLINE static void ft_t12_await(uint32_t mine, long *waits)
{
	while (atomic_load(&ho_turn) == mine) {
		ft_t12_syscall(SYS_futex, (long)&ho_turn, FUTEX_WAIT_PRIVATE, (long)mine, 0, 0, 0);
		(*waits)++;
	}
}

/* Gives the turn `next` and wakes the other thread; counts a wake that woke it. */
FT_NOINLINE static void ft_t12_give(uint32_t next, long *wakes)
{
	atomic_store(&ho_turn, next);
	if (ft_t12_syscall(SYS_futex, (long)&ho_turn, FUTEX_WAKE_PRIVATE, 1, 0, 0, 0) > 0)
		(*wakes)++;
}

struct ho_count {
	long waits, wakes;
};

/* The second thread: turn 2r + 1 is main's, 2r + 2 its own. */
static void *ho_thread(void *p)
{
	struct ho_count *c = p;

	for (long r = 0; ho_rounds == 0 || r < ho_rounds; r++) {
		ft_t12_await((uint32_t)(2 * r), &c->waits);
		ft_t12_give((uint32_t)(2 * r + 2), &c->wakes);
	}
	return NULL;
}

static int mode_handoff(long rounds)
{
	struct ho_count mine = { 0, 0 }, other = { 0, 0 };
	pthread_t th;

	ho_rounds = rounds;
	atomic_store(&ho_turn, 0);
	if (pthread_create(&th, NULL, ho_thread, &other) != 0)
		return 1;
	for (long r = 0; rounds == 0 || r < rounds; r++) {
		ft_t12_give((uint32_t)(2 * r + 1), &mine.wakes);
		ft_t12_await((uint32_t)(2 * r + 1), &mine.waits);
	}
	pthread_join(th, NULL);
	printf("handoffs %ld waits %ld wakes %ld\n", 2 * rounds, mine.waits + other.waits,
	       mine.wakes + other.wakes);
	return 0;
}

/*
 * alloc, after moving to CPU `cpu`: started on another CPU, its exec's
 * records (COMM, MMAP) are in that CPU's ring and its samples in this
 * one's, which a recorder that reads the rings one after the other sees
 * before the exec.
 */
static int mode_alloc_on(int cpu, long rounds)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0) {
		perror("t12-types: sched_setaffinity");
		return 1;
	}
	return mode_alloc(rounds);
}

int main(int argc, char **argv)
{
	long rounds;

	if (argc == 4 && strcmp(argv[1], "reasons") == 0)
		return mode_reasons(ft_arg("t12-types", "rounds", argv[2]), argv[3]);
	if (argc == 4 && strcmp(argv[1], "alloc-on") == 0)
		return mode_alloc_on((int)ft_arg("t12-types", "cpu", argv[2]),
				     ft_arg("t12-types", "rounds", argv[3]));
	if (argc != 3) {
		fprintf(stderr,
			"usage: t12-types wall|wall-wait|lock|alloc|futex|futex-calls|handoff ROUNDS\n"
			"       t12-types reasons ROUNDS DIR\n"
			"       t12-types alloc-on CPU ROUNDS\n");
		return 2;
	}
	rounds = ft_arg("t12-types", "rounds", argv[2]);
	if (strcmp(argv[1], "wall") == 0)
		return mode_wall(rounds, 0);
	if (strcmp(argv[1], "wall-wait") == 0)
		return mode_wall(rounds, 1);
	if (strcmp(argv[1], "lock") == 0)
		return mode_lock(rounds);
	if (strcmp(argv[1], "alloc") == 0)
		return mode_alloc(rounds);
	if (strcmp(argv[1], "futex") == 0)
		return mode_futex(rounds);
	if (strcmp(argv[1], "futex-calls") == 0)
		return mode_futex_calls(rounds);
	if (strcmp(argv[1], "handoff") == 0)
		return mode_handoff(rounds);
	fprintf(stderr, "t12-types: unknown mode %s\n", argv[1]);
	return 2;
}
