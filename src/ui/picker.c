/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The process picker (key p): the processes and threads to show, from
 * /proc while live or from the session, narrowed as the user types; the
 * one chosen becomes the filter of every view, and while live a process
 * the target lacks is attached to first.
 */
#include "config.h"

#include "tui.h"

#include <stdint.h>
#include <stdlib.h>

void ui_picker_filter(struct tui *u)
{
	u->pick_idx = xreallocarray(u->pick_idx, u->procs.n + 1, sizeof(*u->pick_idx));
	u->npick = 0;
	if (!u->input[0])
		u->pick_idx[u->npick++] = SIZE_MAX;
	u->npick += ui_procs_filter(&u->procs, u->input, u->pick_idx + u->npick);
	if (u->pick_sel >= u->npick)
		u->pick_sel = u->npick ? u->npick - 1 : 0;
}

void ui_picker_scan(struct tui *u)
{
	struct ui_procs tmp = u->procs_prev;

	u->procs_prev = u->procs;
	u->procs = tmp;
	if (u->src->live)
		ui_procs_scan(&u->procs, u->procs_prev.n ? &u->procs_prev : NULL, "/proc");
	else
		ui_procs_from_profile(&u->procs, u->p);
	u->procs_next = util_now_ns() + UI_TICK_NS;
	ui_picker_filter(u);
}

unsigned ui_picker_open(struct tui *u)
{
	u->modal = UI_MODAL_PICKER;
	u->input[0] = '\0';
	u->input_len = 0;
	u->pick_sel = u->pick_scroll = 0;
	ui_picker_scan(u);
	return UI_REDRAW_VIEW;
}

unsigned ui_picker_choose(struct tui *u)
{
	const struct ui_proc *pr;

	if (u->pick_sel >= u->npick)
		return 0;
	ui_tui_reset_live(u);
	u->modal = UI_MODAL_NONE;
	if (u->pick_idx[u->pick_sel] == SIZE_MAX) {
		u->filter.pid = u->filter.tid = -1;
		ui_tui_message(u, false, "showing everything sampled");
		return UI_REDRAW_ALL | UI_REQUERY;
	}
	pr = &u->procs.v[u->pick_idx[u->pick_sel]];
	u->filter.pid = pr->thread ? -1 : (int64_t)pr->pid;
	u->filter.tid = pr->thread ? (int64_t)pr->tid : -1;
	if (!profile_find_thread(u->p, pr->tid) && u->src->live && u->src->ops->attach &&
	    u->opt.target->target != SAMPLER_SYSTEM) {
		/* Not one of ours: attach to its process, then show it. */
		struct ft_error err = { { 0 }, 0, 0 };

		if (u->src->ops->attach(u->src->ctx, (pid_t)pr->pid, &err) < 0)
			ui_tui_message(u, true, "cannot attach to process %u (%s): %s", pr->pid,
				       pr->comm, err.msg);
		else
			ui_tui_message(
				u, false,
				"attached to process %u (%s); showing only it, p and Enter on "
				"the first line shows all",
				pr->pid, pr->comm);
	} else if (!profile_find_thread(u->p, pr->tid) && u->src->live)
		ui_tui_message(u, false, "%s %u (%s): nothing sampled from it yet (%s)",
			       pr->thread ? "thread" : "process", pr->thread ? pr->tid : pr->pid,
			       pr->comm, u->p->meta.target ? u->p->meta.target : "");
	else
		ui_tui_message(u, false,
			       "showing only %s %u (%s); p and Enter on the first line shows all",
			       pr->thread ? "thread" : "process", pr->thread ? pr->tid : pr->pid,
			       pr->comm);
	return UI_REDRAW_ALL | UI_REQUERY;
}
