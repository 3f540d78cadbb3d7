/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Flame boxes coloured by a ratio of a perf event group (C): with -e
 * '{cycles,instructions}', each box by its IPC; with a miss event, by its
 * misses per 1000 instructions. The colour says how a box's ratio stands
 * against the whole window's: red above, blue below (orange and blue with
 * the colour-blind-safe diff colours), deeper the further, grey about the
 * same or where the box has no weight of the ratio's denominator. The
 * ratios are the model's (profile_ratios()); they are queried over the
 * window when the data changes, only while this colouring is on.
 */
#include "config.h"

#include "tui.h"

#include <math.h>
#include <stdio.h>

static struct profile_top *window_top(void *ctx, int e)
{
	struct tui *u = ctx;
	struct profile_filter f;

	ui_tui_filter(u, UI_QUERY_WINDOW, &f);
	f.event = e;
	return timeline_query(u->tl, &f);
}

/* The window's ratios for the event shown, made again when the data or the event changed. */
static const struct profile_ratio_set *current(struct tui *u)
{
	if (u->ratios_gen == u->data_gen + 1 && u->ratios_event == u->filter.event)
		return u->ratios;
	profile_ratio_set_free(u->ratios);
	u->ratios = profile_ratio_set_new(u->p, u->filter.event, window_top, u);
	u->ratios_gen = u->data_gen + 1;
	u->ratios_event = u->filter.event;
	return u->ratios;
}

/* Ratio `k` over the whole window; NAN when its denominator has no weight. */
static double overall(const struct profile_ratio_set *rs, size_t k)
{
	const struct profile_ratio *r = &rs->r[k];
	uint64_t num = rs->tops[r->num]->total_weight, den = rs->tops[r->den]->total_weight;

	return den ? r->scale * (double)num / (double)den : NAN;
}

/* How far `v` stands from `all`, as a diff level: 0 within 7%, then 1 to 5
 * (within 19%, 41%, 2x, 4x, beyond), negative below. */
static int level(double v, double all)
{
	static const double steps[] = { 1.072, 1.189, 1.414, 2.0, 4.0 };
	double r;
	int l = 0;

	if (isnan(v) || isnan(all) || all <= 0)
		return 0;
	if (v <= 0)
		return -5;
	r = v >= all ? v / all : all / v;
	while (l < 5 && r >= steps[l])
		l++;
	return v >= all ? l : -l;
}

int ui_ratio_color(struct tui *u, const struct profile_tree *t, uint32_t node)
{
	const struct profile_ratio_set *rs;
	size_t k = u->ratio_color - 1;
	double v;

	if (!u->ratio_color || !(rs = current(u)) || k >= rs->n)
		return -1;
	if (t->kind == PROFILE_TREE_CALLS)
		v = profile_ratio_node(rs, k, node);
	else
		v = profile_ratio_fn(rs, k, profile_tree_frame(t, node), true);
	return ui_theme_diff_color(level(v, overall(rs, k)), u->diff_cb);
}

unsigned ui_ratio_next(struct tui *u)
{
	const struct profile_ratio_set *rs = current(u);
	char name[UTIL_SANITIZE_SIZE(64)], value[32];

	if (!rs) {
		u->ratio_color = 0;
		int e = u->filter.event >= 0 ? u->filter.event : 0; /* -1: the only one */

		if ((uint32_t)e < u->p->nevents)
			ui_draw_clean(u, u->p->events[e].name, name, sizeof(name));
		else
			snprintf(name, sizeof(name), "this event");
		ui_tui_message(u, true,
			       "colours by ratio: %s is in no event group (record with -e "
			       "'{cycles,instructions}')",
			       name);
		return UI_REDRAW_VIEW;
	}
	u->ratio_color = (u->ratio_color + 1) % (rs->n + 1);
	if (!u->ratio_color) {
		ui_tui_message(u, false, "colours: %s", ui_palette_names[u->palette]);
		return UI_REDRAW_VIEW;
	}
	util_sanitize(rs->r[u->ratio_color - 1].label, name, sizeof(name));
	profile_ratio_format(overall(rs, u->ratio_color - 1), value, sizeof(value));
	ui_tui_message(u, false, "colours by %s: red above the window's %s, blue below", name, value);
	return UI_REDRAW_VIEW;
}

void ui_ratio_free(struct tui *u)
{
	profile_ratio_set_free(u->ratios);
	u->ratios = NULL;
}
