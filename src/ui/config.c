/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The explorer's config file, $XDG_CONFIG_HOME/flametop/config (default
 * ~/.config/flametop/config): "key = value" lines and '#' comments, read
 * once at start. Command-line options win over it. doc/themes.md lists
 * the keys.
 */
#include "config.h"

#include "flametop/ui.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ui_config_default(struct ui_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->theme, sizeof(c->theme), "default");
	c->palette = UI_PALETTE_HOT;
	snprintf(c->view, sizeof(c->view), "flame");
	c->span = 30ull * 1000000000ull;
	c->mouse = true;
}

char *ui_config_path(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	if (xdg && xdg[0] == '/')
		return xasprintf("%s/flametop/config", xdg);
	if (home && *home)
		return xasprintf("%s/.config/flametop/config", home);
	return NULL;
}

static int parse_bool(const char *s, bool *out)
{
	if (!strcmp(s, "yes") || !strcmp(s, "true") || !strcmp(s, "on") || !strcmp(s, "1"))
		*out = true;
	else if (!strcmp(s, "no") || !strcmp(s, "false") || !strcmp(s, "off") || !strcmp(s, "0"))
		*out = false;
	else
		return -1;
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int ui_config_parse(struct ui_config *c, const char *text, const char *name, struct ft_error *err)
{
	char *copy = xstrdup(text), *line, *next;
	int lineno = 0, ret = 0;

	for (line = copy; line; line = next) {
		char *eq, *key, *val;
		size_t i;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		if (strchr(line, '#'))
			*strchr(line, '#') = '\0';
		key = trim(line);
		if (!*key)
			continue;
		eq = strchr(key, '=');
		if (!eq) {
			error_set(err, "%s:%d: expected 'key = value'", name, lineno);
			goto bad;
		}
		*eq = '\0';
		val = trim(eq + 1);
		key = trim(key);
		if (strcmp(key, "theme") == 0) {
			if (!*val || strlen(val) >= sizeof(c->theme)) {
				error_set(err, "%s:%d: theme: a name or a path", name, lineno);
				goto bad;
			}
			snprintf(c->theme, sizeof(c->theme), "%s", val);
		} else if (strcmp(key, "colors") == 0 || strcmp(key, "colours") == 0) {
			for (i = 0; i < UI_PALETTE__COUNT; i++)
				if (strcmp(val, ui_palette_names[i]) == 0)
					break;
			if (i == UI_PALETTE__COUNT) {
				error_set(err, "%s:%d: %s: hot, module or kind", name, lineno, key);
				goto bad;
			}
			c->palette = (enum ui_palette)i;
		} else if (strcmp(key, "graph") == 0) {
			if (strcmp(val, "icicle") && strcmp(val, "flame")) {
				error_set(err, "%s:%d: graph: icicle or flame", name, lineno);
				goto bad;
			}
			c->flame = strcmp(val, "flame") == 0;
		} else if (strcmp(key, "view") == 0) {
			if (ui_views_find(val) < 0 || strlen(val) >= sizeof(c->view)) {
				char names[256];

				ui_views_list(names, sizeof(names));
				error_set(err, "%s:%d: view: one of %s", name, lineno, names);
				goto bad;
			}
			snprintf(c->view, sizeof(c->view), "%s", val);
		} else if (strcmp(key, "window") == 0) {
			struct ft_error perr;

			if (util_parse_duration(val, 1000000000ull, 86400ull * 1000000000ull,
						&c->span, &perr) < 0) {
				error_set(err, "%s:%d: window: %s", name, lineno, perr.msg);
				goto bad;
			}
		} else if (strcmp(key, "mouse") == 0) {
			if (parse_bool(val, &c->mouse) < 0) {
				error_set(err, "%s:%d: mouse: yes or no", name, lineno);
				goto bad;
			}
		} else {
			error_set(err, "%s:%d: unknown key '%s'", name, lineno, key);
			goto bad;
		}
	}
	goto out;
bad:
	err->line = lineno;
	ret = -EINVAL;
out:
	free(copy);
	return ret;
}

/*
 * The file is read only when it is a regular file that no one but its
 * owner (the user or root) can change, and small: flametop often runs as
 * root, and its settings must not be someone else's to choose.
 */
int ui_config_load(struct ui_config *c, const char *path, struct ft_error *err)
{
	char *text;
	int ret;

	ret = ft_read_settings(path, FT_SETTINGS_MAX_BYTES, &text, NULL, err);
	if (ret == -ENOENT || ret == -ENOTDIR)
		return 0;
	if (ret < 0)
		return ret;
	ret = ui_config_parse(c, text, path, err);
	free(text);
	return ret;
}
