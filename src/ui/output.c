/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the explorer writes for the user: the session so far (key s), and
 * what the views show in another tool's format (key x). Each asks for a
 * name first (a prompt with a dated default) and never replaces a file.
 */
#include "config.h"

#include "tui.h"

#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "flametop/export.h"
#include "flametop/session.h"
#include "flametop/source.h"

unsigned ui_output_save_prompt(struct tui *u)
{
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(u->input, sizeof(u->input), "flametop-%Y%m%d-%H%M%S.session", &tm);
	u->input_len = strlen(u->input);
	u->modal = UI_MODAL_SAVE;
	return UI_REDRAW_STATUS;
}

unsigned ui_output_export_prompt(struct tui *u)
{
	time_t now = time(NULL);
	struct tm tm;

	if (!u->q[UI_QUERY_WINDOW].top) {
		ui_tui_message(u, true, "nothing to export yet");
		return UI_REDRAW_STATUS;
	}
	localtime_r(&now, &tm);
	strftime(u->input, sizeof(u->input), "flametop-%Y%m%d-%H%M%S.svg", &tm);
	u->input_len = strlen(u->input);
	u->modal = UI_MODAL_EXPORT;
	return UI_REDRAW_STATUS;
}

/* A replay's: the file played, read again up to the play position. */
static void save_replay(struct tui *u, const char *path)
{
	struct ft_error err = { { 0 }, 0, 0 };
	uint64_t saved;

	if (source_replay_save(u->src, path, &saved, &err) < 0) {
		ui_tui_message(u, true, "cannot save: %s", err.msg);
		return;
	}
	ui_tui_message(u, false, "saved %llu samples to %s", (unsigned long long)saved, path);
}

void ui_output_save(struct tui *u, const char *path)
{
	struct ft_error err = { { 0 }, 0, 0 };
	struct session_writer *w;
	struct profile *copy;
	struct stat st;
	int ret;

	/* Never over an existing file (as `record` without --force): the
	 * user picks another name. The writer refuses too, race-free; this
	 * only words it for the prompt. */
	if (lstat(path, &st) == 0) {
		ui_tui_message(u, true, "%s exists; not replaced (s saves under another name)",
			       path);
		return;
	}
	if (!u->src->live) {
		save_replay(u, path);
		return;
	}
	if (!u->tmppath[0]) {
		ui_tui_message(u, true, "nothing to save from: %s", u->message);
		return;
	}
	if (u->writer) {
		ui_tui_take_samples(u);
		ret = session_writer_flush(u->writer, u->p);
		if (ret == 0) {
			profile_clear_samples(u->p);
			u->added = 0;
		}
	}
	/* A complete file, with an end chunk: read back what was streamed and
	 * write it out whole. */
	copy = session_read(u->tmppath, NULL, &err);
	if (!copy) {
		ui_tui_message(u, true, "cannot save: %s", err.msg);
		return;
	}
	copy->meta.duration_ns = u->now;
	copy->meta.lost = u->p->meta.lost;
	copy->folded = u->p->folded;
	w = session_writer_open(path, false, &err);
	if (!w) {
		ui_tui_message(u, true, "%s", err.msg);
		goto out;
	}
	ret = session_writer_begin(w, copy);
	if (ret == 0)
		ret = session_writer_close(w, copy);
	else
		session_writer_abort(w);
	if (ret < 0) {
		ui_tui_message(u, true, "%s: %s", path, strerror(-ret));
		unlink(path);
		goto out;
	}
	ui_tui_message(u, false, "saved %llu samples%s to %s", (unsigned long long)copy->nsamples,
		       u->tmp_full ? " (the first 512 MiB; later samples were not kept)" : "",
		       path);
out:
	profile_free(copy);
}

/*
 * Exports the window's query result, as the views show it (its window,
 * process and thread, event and search-independent filters), in the
 * format the name's extension says. Never over an existing file.
 */
void ui_output_export(struct tui *u, const char *path)
{
	const struct ui_query *q = &u->q[UI_QUERY_WINDOW];
	struct ft_error err = { { 0 }, 0, 0 };
	const struct exporter *ex = export_for_path(path);
	struct export_input *in;
	struct stat st;

	if (!ex) {
		ui_tui_message(u, true, "%s: name it .svg, .folded, .speedscope.json or .pb.gz",
			       path);
		return;
	}
	if (!q->top) {
		ui_tui_message(u, true, "nothing to export yet");
		return;
	}
	if (lstat(path, &st) == 0) {
		ui_tui_message(u, true, "%s exists; not replaced (x exports under another name)",
			       path);
		return;
	}
	in = export_input_from_top(u->p, q->top, u->filter.event, q->from, q->to,
				   u->p->meta.target);
	if (export_to_file(ex, in, path, &err) < 0)
		ui_tui_message(u, true, "cannot export: %s", err.msg);
	else
		ui_tui_message(u, false, "exported the window (%.1f s) as %s to %s",
			       (double)(q->to - q->from) / 1e9, ex->name, path);
	export_input_free(in);
}
