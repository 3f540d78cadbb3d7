/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The view table: every view of the explorer, in the order Tab cycles
 * them. A view is one file (its struct ui_view_ops) and one line here;
 * --view, the help, the footer and the man page's key list all read this
 * table, so none of them names a view itself.
 */
#include "config.h"

#include "tui.h"

#include <stdio.h>
#include <string.h>

const struct ui_view_ops *const ui_views[] = {
	&ui_flame_ops,
	&ui_top_ops,
	&ui_sandwich_ops,
	&ui_inverted_ops,
	&ui_lines_ops,
	&ui_diff_ops,
	&ui_difftop_ops,
	&ui_heatmap_ops,
};

const size_t ui_nviews = ARRAY_SIZE(ui_views);

_Static_assert(ARRAY_SIZE(ui_views) <= UI_MAX_VIEWS, "raise UI_MAX_VIEWS");

size_t ui_views_count(void)
{
	return ui_nviews;
}

const char *ui_views_name(size_t i)
{
	return i < ui_nviews ? ui_views[i]->name : NULL;
}

int ui_views_key(size_t i)
{
	return i < ui_nviews ? ui_views[i]->key : 0;
}

const char *ui_views_help(size_t i)
{
	return i < ui_nviews ? ui_views[i]->help : NULL;
}

int ui_views_find(const char *name)
{
	size_t i;

	for (i = 0; i < ui_nviews; i++)
		if (strcmp(ui_views[i]->name, name) == 0)
			return (int)i;
	return -1;
}

void ui_views_list(char *out, size_t size)
{
	size_t i, len = 0;

	if (size)
		out[0] = '\0';
	for (i = 0; i < ui_nviews && len < size; i++)
		len += (size_t)snprintf(out + len, size - len, "%s%s", i ? ", " : "",
					ui_views[i]->name);
}
