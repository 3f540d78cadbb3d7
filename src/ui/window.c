/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Time-window math for the timeline strip: where a window is, how the
 * window keys move it, which columns of the strip it covers. Times are ns
 * since the session's start; windows are [from, to).
 */
#include "config.h"

#include "flametop/ui.h"

#define DAY_NS (24ull * 3600 * 1000000000ull)

void ui_window_resolve(const struct ui_window *w, uint64_t first, uint64_t last, uint64_t *from,
		       uint64_t *to)
{
	switch (w->mode) {
	case UI_WINDOW_LIVE:
		*to = last + 1;
		*from = *to > w->span ? *to - w->span : 0;
		break;
	case UI_WINDOW_ALL:
		*from = first;
		*to = last + 1;
		break;
	case UI_WINDOW_DECAY:
		*to = last + 1;
		*from = *to > 4 * w->half_life ? *to - 4 * w->half_life : 0;
		if (*from < first)
			*from = first;
		break;
	case UI_WINDOW_RANGE:
	default:
		*from = w->from;
		*to = w->to;
		break;
	}
}

uint64_t ui_window_step(uint64_t first, uint64_t last)
{
	uint64_t span = last > first ? last - first : 0, step;

	step = span / 20 / UI_WINDOW_MIN_NS * UI_WINDOW_MIN_NS;
	return step < UI_WINDOW_MIN_NS ? UI_WINDOW_MIN_NS : step;
}

static uint64_t sub_clamp(uint64_t v, uint64_t d, uint64_t lo)
{
	return v > lo && v - lo > d ? v - d : lo;
}

static uint64_t add_clamp(uint64_t v, uint64_t d, uint64_t hi)
{
	return v < hi && hi - v > d ? v + d : hi;
}

void ui_window_edit(struct ui_window *w, enum ui_window_edit e, uint64_t first, uint64_t last)
{
	ui_window_edit_to(w, e, first, last, last + UI_WINDOW_MIN_NS);
}

void ui_window_edit_to(struct ui_window *w, enum ui_window_edit e, uint64_t first, uint64_t last,
		       uint64_t hi)
{
	uint64_t step = ui_window_step(first, last), from, to, d;

	if (w->mode == UI_WINDOW_LIVE && (e == UI_WINDOW_WIDER || e == UI_WINDOW_NARROWER)) {
		if (e == UI_WINDOW_WIDER)
			w->span = w->span >= DAY_NS / 2 ? DAY_NS : w->span * 2;
		else
			w->span = w->span / 2 < UI_WINDOW_MIN_NS ? UI_WINDOW_MIN_NS : w->span / 2;
		return;
	}
	ui_window_resolve(w, first, last, &from, &to);
	if (from < first)
		from = first;
	if (to > hi)
		to = hi;
	if (to < from + UI_WINDOW_MIN_NS)
		to = from + UI_WINDOW_MIN_NS;
	switch (e) {
	case UI_WINDOW_SHIFT_LEFT:
		d = from - sub_clamp(from, step, first);
		from -= d;
		to -= d;
		break;
	case UI_WINDOW_SHIFT_RIGHT:
		d = to < hi ? add_clamp(to, step, hi) - to : 0;
		from += d;
		to += d;
		break;
	case UI_WINDOW_START_LEFT:
		from = sub_clamp(from, step, first);
		break;
	case UI_WINDOW_START_RIGHT:
		from = add_clamp(from, step, to - UI_WINDOW_MIN_NS);
		break;
	case UI_WINDOW_END_LEFT:
		to = sub_clamp(to, step, from + UI_WINDOW_MIN_NS);
		break;
	case UI_WINDOW_END_RIGHT:
		to = to < hi ? add_clamp(to, step, hi) : to;
		break;
	case UI_WINDOW_WIDER:
		from = sub_clamp(from, step, first);
		to = to < hi ? add_clamp(to, step, hi) : to;
		break;
	case UI_WINDOW_NARROWER:
		if (to - from >= 2 * step + UI_WINDOW_MIN_NS) {
			from += step;
			to -= step;
		} else {
			uint64_t mid = from + (to - from) / 2;

			from = mid > UI_WINDOW_MIN_NS / 2 ? mid - UI_WINDOW_MIN_NS / 2 : 0;
			to = from + UI_WINDOW_MIN_NS;
		}
		break;
	}
	w->mode = UI_WINDOW_RANGE;
	w->from = from;
	w->to = to;
}

void ui_window_columns(uint64_t from, uint64_t to, uint64_t first, uint64_t end, int width,
		       int *c0, int *c1)
{
	uint64_t span = end > first ? end - first : 1;

	if (width <= 0) {
		*c0 = *c1 = 0;
		return;
	}
	if (from < first)
		from = first;
	if (to > end)
		to = end;
	if (from >= end || to <= from) {
		*c0 = *c1 = from >= end ? width : 0;
		return;
	}
	*c0 = (int)((unsigned __int128)(from - first) * (unsigned)width / span);
	*c1 = (int)(((unsigned __int128)(to - first) * (unsigned)width + span - 1) / span);
	if (*c1 > width)
		*c1 = width;
	if (*c1 <= *c0) {
		if (*c0 >= width)
			*c0 = width - 1;
		*c1 = *c0 + 1;
	}
}
