/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The live source: the sampler on a target, through the collect stage,
 * appending symbolized samples to the source's profile. The same pieces
 * `record` uses; here the consumer is a view instead of a file.
 */
#include "config.h"

#include "flametop/source.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "flametop/cli.h"
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
	bool ended;
};

static int live_poll(void *ctx, int timeout_ms, struct ft_error *err)
{
	struct live *l = ctx;
	uint64_t now;
	int ret;

	if (l->ended)
		return SOURCE_ENDED;
	ret = sampler_poll(l->sampler, timeout_ms);
	if (ret < 0) {
		error_set(err, "sampling stopped: %s", strerror(-ret));
		return ret;
	}
	now = util_now_ns();
	if (now >= l->next_tick) {
		pipeline_collect_tick(l->collect);
		l->next_tick = now + TICK_NS;
	}
	if (ret == 1) {
		sampler_stop(l->sampler);
		l->src->child = 0; /* reaped: its pid may be reused */
		l->profile->meta.duration_ns = now - l->profile->meta.start_mono_ns;
		l->ended = true;
		return SOURCE_ENDED;
	}
	return SOURCE_RUNNING;
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
	if (l->sampler && !l->ended)
		sampler_stop(l->sampler);
	sampler_free(l->sampler);
	pipeline_collect_free(l->collect);
	symbols_free(l->symbols);
	procmap_free(l->procmap);
	free(l);
}

static int live_attach(void *ctx, pid_t pid, struct ft_error *err)
{
	struct live *l = ctx;

	if (l->ended) {
		error_set(err, "sampling has ended");
		return -ESRCH;
	}
	return sampler_attach(l->sampler, pid, err);
}

static const struct source_ops live_ops = {
	.poll = live_poll,
	.now = live_now,
	.attach = live_attach,
	.free = live_free,
};

struct source *source_live_new(const struct cli_target *target,
			       void (*notice)(void *ctx, const char *msg), void *notice_ctx,
			       struct ft_error *err)
{
	struct source *src = xcalloc(1, sizeof(*src));
	struct live *l = xcalloc(1, sizeof(*l));
	struct sampler_config cfg;

	src->ops = &live_ops;
	src->ctx = l;
	src->live = true;
	l->src = src;
	src->profile = l->profile = profile_new();
	l->procmap = procmap_new();
	if (notice)
		procmap_set_notice(l->procmap, notice, notice_ctx);
	l->symbols = symbols_new(l->procmap);
	symbols_set_demangle(l->symbols, !target->no_demangle);
	l->collect = pipeline_collect_new(l->profile, l->procmap, l->symbols);
	/* As in record: "stacks look truncated" is about one program, not
	 * whatever else a system-wide view happens to catch. */
	if (notice && target->target != SAMPLER_SYSTEM)
		pipeline_collect_set_notice(l->collect, notice, notice_ctx);
	cli_target_config(target, &cfg);
	cfg.notice = notice;
	cfg.notice_ctx = notice_ctx;
	l->sampler = sampler_new(&cfg, pipeline_collect_sink(l->collect), err);
	if (!l->sampler)
		goto out_free;
	cli_target_fill_meta(l->profile, target, l->sampler);
	l->profile->meta.start_wall_ns = util_wall_ns();
	l->profile->meta.start_mono_ns = util_now_ns();
	if (sampler_start(l->sampler, err) < 0)
		goto out_free;
	src->child = sampler_child(l->sampler);
	l->next_tick = util_now_ns() + TICK_NS;
	return src;

out_free:
	source_free(src);
	return NULL;
}

void source_free(struct source *s)
{
	if (!s)
		return;
	s->ops->free(s->ctx);
	profile_free(s->profile);
	free(s);
}
