/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The live source: the sampler on a target, through the collect stage,
 * appending symbolized samples to the source's profile. The one place the
 * pieces are put together: the TUI reads the profile as it grows, and
 * `record` drives the same source headless and writes the profile to a
 * session file.
 */
#include "config.h"

#include "flametop/source.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "flametop/pipeline.h"
#include "flametop/sampler.h"
#include "flametop/symbols.h"

#define TICK_NS 1000000000ull

struct live {
	struct profile *profile;
	struct procmap *procmap;
	struct symbols *symbols;
	struct pipeline_collect *collect;
	struct sampler *sampler;
	struct source *src; /* back to the source, to clear its child once reaped */
	uint64_t next_tick;
	bool stopped; /* sampling disabled, what was left read */
	bool ended; /* the target is gone */
};

/* Notes in the source when the launched command has exited (and was
 * reaped: its pid may be reused, so `child` is cleared). */
static void check_child(struct live *l)
{
	int status;

	if (l->src->child && sampler_child_status(l->sampler, &status)) {
		l->src->child = 0;
		l->src->child_exited = true;
		l->src->child_status = status;
	}
}

static int live_stop(void *ctx)
{
	struct live *l = ctx;
	int ret;

	if (l->stopped)
		return 0;
	l->stopped = true;
	ret = sampler_stop(l->sampler);
	pipeline_collect_tick(l->collect);
	l->profile->meta.duration_ns = util_now_ns() - l->profile->meta.start_mono_ns;
	check_child(l);
	return ret;
}

static int live_poll(void *ctx, int timeout_ms, struct ft_error *err)
{
	struct live *l = ctx;
	uint64_t now;
	int ret;

	if (l->ended)
		return SOURCE_ENDED;
	pipeline_collect_poll(l->collect);
	ret = sampler_poll(l->sampler, timeout_ms);
	if (ret < 0) {
		error_set(err, "sampling stopped: %s", strerror(-ret));
		return ret;
	}
	check_child(l);
	now = util_now_ns();
	if (now >= l->next_tick) {
		pipeline_collect_tick(l->collect);
		l->next_tick = now + TICK_NS;
	}
	if (ret == 1) {
		live_stop(l);
		l->ended = true;
		return SOURCE_ENDED;
	}
	return ret == SAMPLER_POLL_MORE ? SOURCE_MORE : SOURCE_RUNNING;
}

static uint64_t live_now(void *ctx)
{
	struct live *l = ctx;

	return util_now_ns() - l->profile->meta.start_mono_ns;
}

static void live_free(void *ctx)
{
	struct live *l = ctx;

	if (!l)
		return;
	/* Not stopped first: what the rings still hold is dropped unread, as
	 * nobody will see it (on a busy machine, reading it could keep a
	 * quit waiting for seconds). */
	sampler_free(l->sampler);
	pipeline_collect_free(l->collect);
	symbols_free(l->symbols);
	procmap_free(l->procmap);
	free(l);
}

/* The target as the header and a saved session name it: with a process
 * attached to since (" + pid N"), up to TARGET_MAX characters. */
#define TARGET_MAX 1024

static void target_add_pid(struct profile *p, pid_t pid)
{
	const char *old = p->meta.target ? p->meta.target : "";
	char *t;

	if (strlen(old) > TARGET_MAX)
		return;
	t = xasprintf("%s + pid %d", old, (int)pid);
	profile_meta_set(&p->meta.target, t);
	free(t);
}

static int live_attach(void *ctx, pid_t pid, struct ft_error *err)
{
	struct live *l = ctx;
	int ret;

	if (l->ended || l->stopped) {
		error_set(err, "sampling has ended");
		return -ESRCH;
	}
	ret = sampler_attach(l->sampler, pid, err);
	if (ret == 0)
		target_add_pid(l->profile, pid);
	return ret;
}

static int live_wait_fd(void *ctx)
{
	struct live *l = ctx;

	return l->stopped ? -1 : sampler_wait_fd(l->sampler);
}

static const struct source_ops live_ops = {
	.poll = live_poll,
	.now = live_now,
	.attach = live_attach,
	.wait_fd = live_wait_fd,
	.stop = live_stop,
	.free = live_free,
};

/* "system-wide", "pid 12,34", "command: make -j2". Caller frees. */
static char *describe(const struct source_live_config *cfg)
{
	char *s, *next;
	size_t i;

	switch (cfg->target) {
	case SAMPLER_SYSTEM:
		return xstrdup("system-wide");
	case SAMPLER_PIDS:
		s = xasprintf("pid %d", cfg->npids ? (int)cfg->pids[0] : 0);
		for (i = 1; i < cfg->npids; i++) {
			next = xasprintf("%s,%d", s, (int)cfg->pids[i]);
			free(s);
			s = next;
		}
		return s;
	case SAMPLER_COMMAND:
		s = xasprintf("command: %s", cfg->argv[0]);
		for (i = 1; cfg->argv[i]; i++) {
			next = xasprintf("%s %s", s, cfg->argv[i]);
			free(s);
			s = next;
		}
		return s;
	}
	return xstrdup("?");
}

/* The session metadata: where, what and how this profile is sampled. */
static void fill_meta(struct profile *p, const struct source_live_config *cfg,
		      const struct sampler *s)
{
	struct utsname u;
	char host[256] = "", *target;
	bool at_frequency;
	size_t i;

	if (gethostname(host, sizeof(host) - 1) < 0)
		host[0] = '\0';
	profile_meta_set(&p->meta.host, host);
	if (uname(&u) == 0) {
		char *kernel = xasprintf("%s %s %s", u.sysname, u.release, u.machine);

		profile_meta_set(&p->meta.kernel, kernel);
		free(kernel);
	}
	profile_meta_set(&p->meta.flametop_version, PACKAGE_VERSION);
	if (cfg->command_line)
		profile_meta_set(&p->meta.command_line, cfg->command_line);
	target = describe(cfg);
	profile_meta_set(&p->meta.target, target);
	free(target);
	profile_meta_set(&p->meta.call_graph,
			 cfg->call_graph == SAMPLER_CALL_GRAPH_DWARF ? "dwarf" : "fp");
	p->meta.frequency = cfg->frequency ? cfg->frequency : SAMPLER_DEFAULT_FREQUENCY;
	at_frequency = false;
	for (i = 0; i < sampler_nevents(s); i++) {
		uint32_t e = profile_add_event(p, sampler_event_name(s, i), sampler_event_unit(s, i));

		p->events[e].leader = sampler_event_leader(s, i);
		p->events[e].period = sampler_event_period(s, i);
		at_frequency |= p->events[e].period == 0;
	}
	/* -c: the header's frequency is 0 unless an event (wall's clock)
	 * still samples at -F. */
	if (cfg->period && !at_frequency)
		p->meta.frequency = 0;
}

struct source *source_live_new(const struct source_live_config *cfg, struct ft_notice *notice,
			       struct ft_error *err)
{
	struct source *src = xcalloc(1, sizeof(*src));
	struct live *l = xcalloc(1, sizeof(*l));
	struct sampler_config sc;

	src->ops = &live_ops;
	src->ctx = l;
	src->live = true;
	l->src = src;
	src->profile = l->profile = profile_new();
	profile_set_limits(l->profile, &profile_live_limits);
	l->procmap = procmap_new();
	procmap_set_notice(l->procmap, notice);
	l->symbols = symbols_new(l->procmap);
	symbols_set_demangle(l->symbols, !cfg->no_demangle);
	symbols_set_inline(l->symbols, !cfg->no_inline);
	l->collect = pipeline_collect_new(l->profile, l->procmap, l->symbols);
	/* "Stacks look truncated" is about the program being profiled: a
	 * system-wide profile mixes in whatever else runs (compilers, say). */
	if (cfg->target != SAMPLER_SYSTEM)
		pipeline_collect_set_notice(l->collect, notice);
	pipeline_collect_set_max_stack(l->collect, sampler_max_stack());

	memset(&sc, 0, sizeof(sc));
	sc.target = cfg->target;
	sc.pids = cfg->pids;
	sc.npids = cfg->npids;
	sc.argv = cfg->argv;
	sc.events = cfg->events;
	sc.nevents = cfg->nevents;
	sc.leaders = cfg->leaders;
	sc.frequency = cfg->frequency;
	sc.period = cfg->period;
	sc.ring_pages = cfg->ring_pages;
	sc.wakeup_parts = cfg->wakeup_parts;
	sc.call_graph = cfg->call_graph;
	sc.stack_size = cfg->stack_size;
	sc.alloc_sample = cfg->alloc_sample;
	sc.poll_budget_ns = cfg->poll_budget_ns;
	sc.notice = notice;
	sc.symbols = l->symbols;
	l->sampler = sampler_new(&sc, pipeline_collect_sink(l->collect), err);
	if (!l->sampler)
		goto out_free;
	fill_meta(l->profile, cfg, l->sampler);
	src->child = sampler_child(l->sampler);
	l->profile->meta.start_wall_ns = util_wall_ns();
	l->profile->meta.start_mono_ns = util_now_ns();
	return src;

out_free:
	source_free(src);
	return NULL;
}

int source_live_start(struct source *s, struct ft_error *err)
{
	struct live *l = s->ctx;
	int ret;

	ret = sampler_start(l->sampler, err);
	if (ret < 0) {
		/* The command never ran: it was reaped, and is no child to stop. */
		check_child(l);
		l->stopped = l->ended = true;
		return ret;
	}
	l->next_tick = util_now_ns() + TICK_NS;
	return 0;
}

void source_live_drop_after(struct source *s, uint64_t mono_ns)
{
	struct live *l = s->ctx;

	if (l->sampler)
		sampler_drop_after(l->sampler, mono_ns);
}

size_t source_live_spawned_running(const struct source *s, pid_t *pids, size_t max)
{
	const struct live *l = s->ctx;

	return l->sampler ? sampler_spawned_running(l->sampler, pids, max) : 0;
}

bool source_live_exit_wakes(const struct source *s)
{
	const struct live *l = s->ctx;

	return sampler_exit_wakes(l->sampler);
}

void source_live_unwind_stats(const struct source *s, struct pipeline_unwind_stats *st)
{
	const struct live *l = s->ctx;

	pipeline_collect_unwind_stats(l->collect, st);
}

void source_live_memory(const struct source *s, struct source_memory *m)
{
	const struct live *l = s->ctx;
	struct procmap_stats st;

	procmap_stats(l->procmap, &st);
	m->modules = st.bytes;
	m->modules_parked = st.parked_bytes;
	m->kernel_symbols = symbols_kernel_memory(l->symbols);
	m->collector = pipeline_collect_memory(l->collect);
	m->rings = l->sampler ? sampler_ring_memory(l->sampler) : 0;
}

void source_live_set_table_limit(struct source *s, size_t bytes)
{
	struct live *l = s->ctx;

	procmap_set_data_limit(l->procmap, bytes);
}

void source_live_set_interrupt(struct source *s, bool (*stop)(void *ctx), void *ctx)
{
	struct live *l = s->ctx;

	procmap_set_interrupt(l->procmap, stop, ctx);
}

void source_free(struct source *s)
{
	if (!s)
		return;
	s->ops->free(s->ctx);
	profile_free(s->profile);
	free(s);
}
