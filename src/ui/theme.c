/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Themes: colour roles and flame palettes read from JSON files
 * (themes/NAME.json, documented in doc/themes.md), plus one theme built in
 * so the explorer always has colours even when no file can be found.
 * Colours are xterm's 256; a terminal with 8 colours gets the nearest
 * basic colour, a terminal with none gets attributes only.
 */
#include "config.h"

#include "flametop/ui.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#ifndef FLAMETOP_THEMES_DIR
#define FLAMETOP_THEMES_DIR "/usr/local/share/flametop/themes"
#endif

const char *const ui_palette_names[] = {
	[UI_PALETTE_HOT] = "hot",
	[UI_PALETTE_MODULE] = "module",
	[UI_PALETTE_KIND] = "kind",
};

static const char *const role_names[] = {
	[UI_ROLE_NORMAL] = "normal",
	[UI_ROLE_HEADER] = "header",
	[UI_ROLE_HEADER_KEY] = "header_label",
	[UI_ROLE_STRIP] = "strip",
	[UI_ROLE_STRIP_WINDOW] = "strip_window",
	[UI_ROLE_STRIP_CURSOR] = "strip_cursor",
	[UI_ROLE_STATUS] = "status",
	[UI_ROLE_FOOTER] = "footer",
	[UI_ROLE_FOOTER_KEY] = "footer_key",
	[UI_ROLE_SELECTED] = "selected",
	[UI_ROLE_MATCH] = "match",
	[UI_ROLE_DIM] = "dim",
	[UI_ROLE_TITLE] = "title",
	[UI_ROLE_ERROR] = "error",
};

static const char *const color_names[] = { "black", "red",     "green", "yellow",
					   "blue",  "magenta", "cyan",  "white" };

static const struct {
	const char *name;
	unsigned bit;
} attr_names[] = {
	{ "bold", UI_ATTR_BOLD },
	{ "reverse", UI_ATTR_REVERSE },
	{ "underline", UI_ATTR_UNDERLINE },
	{ "dim", UI_ATTR_DIM },
};

void ui_theme_builtin(struct ui_theme *t)
{
	static const int hot[] = { 130, 166, 172, 178, 202, 208, 214, 220, 196 };
	static const int module[] = { 67, 72, 107, 137, 139, 173, 109, 144, 181, 110 };
	size_t i;

	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "built-in");
	for (i = 0; i < UI_ROLE__COUNT; i++)
		t->roles[i] = (struct ui_style){ -1, -1, 0 };
	t->roles[UI_ROLE_HEADER] = (struct ui_style){ 255, 236, 0 };
	t->roles[UI_ROLE_HEADER_KEY] = (struct ui_style){ 250, 236, UI_ATTR_BOLD };
	t->roles[UI_ROLE_STRIP] = (struct ui_style){ 109, -1, 0 };
	t->roles[UI_ROLE_STRIP_WINDOW] = (struct ui_style){ 16, 109, 0 };
	t->roles[UI_ROLE_STRIP_CURSOR] = (struct ui_style){ 226, -1, UI_ATTR_BOLD };
	t->roles[UI_ROLE_STATUS] = (struct ui_style){ 255, 238, 0 };
	t->roles[UI_ROLE_FOOTER] = (struct ui_style){ 250, 236, 0 };
	t->roles[UI_ROLE_FOOTER_KEY] = (struct ui_style){ 16, 109, 0 };
	t->roles[UI_ROLE_SELECTED] = (struct ui_style){ 16, 231, UI_ATTR_BOLD };
	t->roles[UI_ROLE_MATCH] = (struct ui_style){ 16, 177, 0 };
	t->roles[UI_ROLE_DIM] = (struct ui_style){ 244, -1, 0 };
	t->roles[UI_ROLE_TITLE] = (struct ui_style){ 16, 109, UI_ATTR_BOLD };
	t->roles[UI_ROLE_ERROR] = (struct ui_style){ 231, 124, UI_ATTR_BOLD };
	memcpy(t->palette[UI_PALETTE_HOT], hot, sizeof(hot));
	t->npalette[UI_PALETTE_HOT] = ARRAY_SIZE(hot);
	memcpy(t->palette[UI_PALETTE_MODULE], module, sizeof(module));
	t->npalette[UI_PALETTE_MODULE] = ARRAY_SIZE(module);
	t->palette[UI_PALETTE_KIND][0] = 173; /* user */
	t->palette[UI_PALETTE_KIND][1] = 110; /* kernel */
	t->npalette[UI_PALETTE_KIND] = 2;
	t->frame_fg = 16;
}

/* "normal, header, ...": the role names, for a message. Static buffer. */
static const char *role_list(void)
{
	static char list[512];
	size_t i, o = 0;

	for (i = 0; i < UI_ROLE__COUNT && o < sizeof(list); i++)
		o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", i ? ", " : "",
				      role_names[i]);
	return list;
}

/*
 * Line and column of a jansson error into `err`. jansson quotes the text
 * near the error ("invalid token near 'root:...'"); a theme path may name
 * any file, so what it quotes is cut, and a message that still holds
 * bytes of the file becomes a plain "not valid JSON".
 */
static int json_fail(struct ft_error *err, const char *name, const json_error_t *je)
{
	char text[sizeof(je->text)];
	char *near;

	snprintf(text, sizeof(text), "%s", je->text);
	near = strstr(text, " near ");
	if (near)
		*near = '\0';
	if (strpbrk(text, "'\"\\") || strstr(text, "0x"))
		snprintf(text, sizeof(text), "not valid JSON");
	error_set(err, "%s:%d:%d: %s", name, je->line, je->column, text);
	err->line = je->line;
	err->column = je->column;
	return -EINVAL;
}

static int parse_color(json_t *v, int *out)
{
	size_t i;

	if (json_is_integer(v)) {
		json_int_t c = json_integer_value(v);

		if (c < -1 || c > 255)
			return -1;
		*out = (int)c;
		return 0;
	}
	if (!json_is_string(v))
		return -1;
	if (strcmp(json_string_value(v), "default") == 0) {
		*out = -1;
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(color_names); i++)
		if (strcmp(json_string_value(v), color_names[i]) == 0) {
			*out = (int)i;
			return 0;
		}
	return -1;
}

static int parse_style(json_t *obj, struct ui_style *s, const char **bad)
{
	const char *key;
	json_t *v;

	if (!json_is_object(obj)) {
		*bad = "a role must be an object {\"fg\", \"bg\", \"attrs\"}";
		return -1;
	}
	json_object_foreach(obj, key, v)
	{
		if (strcmp(key, "fg") == 0 || strcmp(key, "bg") == 0) {
			if (parse_color(v, key[0] == 'f' ? &s->fg : &s->bg) < 0) {
				*bad = "a colour is 0 to 255, -1, \"default\" or one of the 8 names";
				return -1;
			}
		} else if (strcmp(key, "attrs") == 0) {
			size_t i, k;
			json_t *a;

			if (!json_is_array(v)) {
				*bad = "\"attrs\" must be an array of names";
				return -1;
			}
			s->attrs = 0;
			json_array_foreach(v, i, a)
			{
				for (k = 0; k < ARRAY_SIZE(attr_names); k++)
					if (json_is_string(a) &&
					    strcmp(json_string_value(a), attr_names[k].name) == 0)
						break;
				if (k == ARRAY_SIZE(attr_names)) {
					*bad = "attributes are bold, reverse, underline, dim";
					return -1;
				}
				s->attrs |= attr_names[k].bit;
			}
		} else {
			*bad = "a role has only \"fg\", \"bg\" and \"attrs\"";
			return -1;
		}
	}
	return 0;
}

int ui_theme_parse(struct ui_theme *t, const char *json, const char *name, struct ft_error *err)
{
	json_error_t je;
	json_t *root, *v;
	const char *key, *bad = NULL;
	int ret = -EINVAL;
	size_t i;

	ui_theme_builtin(t);
	root = json_loads(json, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return json_fail(err, name, &je);
	if (!json_is_object(root)) {
		error_set(err, "%s: a theme is a JSON object", name);
		goto out;
	}
	json_object_foreach(root, key, v)
	{
		if (strcmp(key, "name") == 0) {
			if (!json_is_string(v)) {
				error_set(err, "%s: \"name\" must be a string", name);
				goto out;
			}
			snprintf(t->name, sizeof(t->name), "%s", json_string_value(v));
		} else if (strcmp(key, "description") == 0) {
			/* for people */
		} else if (strcmp(key, "mono") == 0) {
			if (!json_is_boolean(v)) {
				error_set(err, "%s: \"mono\" must be true or false", name);
				goto out;
			}
			t->mono = json_is_true(v);
		} else if (strcmp(key, "diff_colorblind") == 0) {
			if (!json_is_boolean(v)) {
				error_set(err, "%s: \"diff_colorblind\" must be true or false", name);
				goto out;
			}
			t->diff_colorblind = json_is_true(v);
		} else if (strcmp(key, "frame_fg") == 0) {
			if (parse_color(v, &t->frame_fg) < 0) {
				error_set(err, "%s: \"frame_fg\" is not a colour", name);
				goto out;
			}
		} else if (strcmp(key, "roles") == 0) {
			const char *rk;
			json_t *rv;

			if (!json_is_object(v)) {
				error_set(err, "%s: \"roles\" must be an object", name);
				goto out;
			}
			json_object_foreach(v, rk, rv)
			{
				for (i = 0; i < UI_ROLE__COUNT; i++)
					if (strcmp(rk, role_names[i]) == 0)
						break;
				if (i == UI_ROLE__COUNT) {
					error_set(err, "%s: unknown role (the roles are %s)", name,
						  role_list());
					goto out;
				}
				if (parse_style(rv, &t->roles[i], &bad) < 0) {
					error_set(err, "%s: role \"%s\": %s", name, role_names[i], bad);
					goto out;
				}
			}
		} else if (strcmp(key, "palettes") == 0) {
			const char *pk;
			json_t *pv;

			if (!json_is_object(v)) {
				error_set(err, "%s: \"palettes\" must be an object", name);
				goto out;
			}
			json_object_foreach(v, pk, pv)
			{
				size_t k;
				json_t *c;

				for (i = 0; i < UI_PALETTE__COUNT; i++)
					if (strcmp(pk, ui_palette_names[i]) == 0)
						break;
				if (i == UI_PALETTE__COUNT) {
					error_set(err, "%s: unknown palette (hot, module, kind)", name);
					goto out;
				}
				if (!json_is_array(pv) || json_array_size(pv) == 0 ||
				    json_array_size(pv) > UI_PALETTE_MAX) {
					error_set(err, "%s: palette \"%s\" must list 1 to %d colours",
						  name, ui_palette_names[i], UI_PALETTE_MAX);
					goto out;
				}
				json_array_foreach(pv, k, c)
				{
					if (parse_color(c, &t->palette[i][k]) < 0) {
						error_set(err, "%s: palette \"%s\": colour %zu is not a colour",
							  name, ui_palette_names[i], k + 1);
						goto out;
					}
				}
				t->npalette[i] = json_array_size(pv);
			}
		} else {
			error_set(err, "%s: unknown key (a theme has \"name\", \"description\", "
				       "\"mono\", \"diff_colorblind\", \"frame_fg\", \"roles\", "
				       "\"palettes\")",
				  name);
			goto out;
		}
	}
	ret = 0;
out:
	json_decref(root);
	return ret;
}

/* A theme file: read only as ft_read_settings() allows (regular, the
 * user's or root's, not writable by others, small). */
static int load_file(struct ui_theme *t, const char *path, struct ft_error *err)
{
	char *text;
	int ret;

	ret = ft_read_settings(path, FT_SETTINGS_MAX_BYTES, &text, NULL, err);
	if (ret < 0)
		return ret;
	ret = ui_theme_parse(t, text, path, err);
	free(text);
	return ret;
}

int ui_theme_load(struct ui_theme *t, const char *name, struct ft_error *err)
{
	const char *dirs[3];
	size_t i, n = 0;
	const char *c;

	if (strchr(name, '/'))
		return load_file(t, name, err);
	for (c = name; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '-' || *c == '_')) {
			error_set(err, "theme '%s': a theme name is letters, digits, '-' and '_' "
				       "(or give a path)",
				  name);
			return -EINVAL;
		}
	if (getenv("FLAMETOP_THEMES_DIR") && *getenv("FLAMETOP_THEMES_DIR"))
		dirs[n++] = getenv("FLAMETOP_THEMES_DIR");
	dirs[n++] = FLAMETOP_THEMES_DIR;
#ifdef FLAMETOP_SRC_THEMES_DIR
	dirs[n++] = FLAMETOP_SRC_THEMES_DIR;
#endif
	for (i = 0; i < n; i++) {
		char *path = xasprintf("%s/%s.json", dirs[i], name);
		int ret;

		ret = load_file(t, path, err);
		free(path);
		if (ret != -ENOENT)
			return ret;
	}
	error_set(err, "theme '%s' not found (looked in %s%s%s)", name, dirs[0], n > 1 ? " and " : "",
		  n > 1 ? dirs[n - 1] : "");
	return -ENOENT;
}

/* xterm's 256 colours as RGB. */
static void xterm_rgb(int c, int rgb[3])
{
	static const int basic[16][3] = {
		{ 0, 0, 0 },	   { 205, 0, 0 },     { 0, 205, 0 },	 { 205, 205, 0 },
		{ 0, 0, 238 },	   { 205, 0, 205 },   { 0, 205, 205 },	 { 229, 229, 229 },
		{ 127, 127, 127 }, { 255, 0, 0 },     { 0, 255, 0 },	 { 255, 255, 0 },
		{ 92, 92, 255 },   { 255, 0, 255 },   { 0, 255, 255 },	 { 255, 255, 255 },
	};
	static const int level[6] = { 0, 95, 135, 175, 215, 255 };

	if (c < 16) {
		memcpy(rgb, basic[c], sizeof(basic[c]));
	} else if (c < 232) {
		c -= 16;
		rgb[0] = level[c / 36];
		rgb[1] = level[c / 6 % 6];
		rgb[2] = level[c % 6];
	} else {
		rgb[0] = rgb[1] = rgb[2] = 8 + 10 * (c - 232);
	}
}

int ui_theme_color8(int c)
{
	int rgb[3], best = 0, i;
	long best_d = -1;

	if (c < 0)
		return -1;
	if (c < 8)
		return c;
	if (c < 16)
		return c - 8;
	xterm_rgb(c, rgb);
	for (i = 0; i < 8; i++) {
		int b[3];
		long d;

		/* Compare with the bright variants' hue and the basic ones' too:
		 * an 8-colour terminal often draws bold as bright. */
		xterm_rgb(i, b);
		d = (long)(rgb[0] - b[0]) * (rgb[0] - b[0]) + (long)(rgb[1] - b[1]) * (rgb[1] - b[1]) +
		    (long)(rgb[2] - b[2]) * (rgb[2] - b[2]);
		if (best_d < 0 || d < best_d) {
			best_d = d;
			best = i;
		}
	}
	return best;
}

int ui_theme_frame_color(const struct ui_theme *t, enum ui_palette pal, double share,
			 uint32_t module, uint32_t kind, uint32_t name)
{
	size_t n = t->npalette[pal];
	size_t i;

	if (!n)
		return -1;
	switch (pal) {
	case UI_PALETTE_HOT:
		/* A concave curve spreads the many small shares over more
		 * colours; a touch of the name keeps neighbours apart. */
		if (share < 0)
			share = 0;
		if (share > 1)
			share = 1;
		share = 1 - (1 - share) * (1 - share);
		i = (size_t)(share * (double)(n - 1) + 0.5);
		if (i + 1 < n && (util_hash_u64(name) & 1) && share < 0.5)
			i++;
		return t->palette[pal][i < n ? i : n - 1];
	case UI_PALETTE_MODULE:
		return t->palette[pal][util_hash_u64((uint64_t)module + 1) % n];
	case UI_PALETTE_KIND:
	default:
		return t->palette[pal][kind < n ? kind : n - 1];
	}
}

int ui_theme_diff_level(double delta)
{
	static const double steps[] = { 0.001, 0.01, 0.03, 0.10, 0.30 }; /* shares */
	double a = delta < 0 ? -delta : delta;
	int level = 0;

	while (level < (int)ARRAY_SIZE(steps) && a >= steps[level])
		level++;
	return delta < 0 ? -level : level;
}

int ui_theme_diff_color(int level, bool cb_safe)
{
	/* xterm-256 ramps, faint to strong. */
	static const int red[5] = { 224, 217, 210, 203, 196 };
	static const int orange[5] = { 230, 223, 215, 208, 202 };
	static const int blue[5] = { 195, 153, 111, 69, 27 };

	if (level == 0)
		return 250;
	if (level > 5)
		level = 5;
	if (level < -5)
		level = -5;
	if (level < 0)
		return blue[-level - 1];
	return cb_safe ? orange[level - 1] : red[level - 1];
}

int ui_theme_heat_level(uint64_t v, uint64_t max)
{
	if (!v || !max)
		return 0;
	if (v >= max)
		return UI_HEAT_LEVELS - 1;
	return 1 + (int)((double)(UI_HEAT_LEVELS - 2) * (double)v / (double)max + 0.5);
}

int ui_theme_heat_color(int level)
{
	static const int ramp[UI_HEAT_LEVELS] = { -1, 230, 228, 220, 214, 208, 196, 124 };

	return level <= 0 ? -1 : ramp[level < UI_HEAT_LEVELS ? level : UI_HEAT_LEVELS - 1];
}

char ui_theme_heat_char(int level)
{
	static const char shades[UI_HEAT_LEVELS + 1] = " .:-=+*#";

	return shades[level <= 0 ? 0 : level < UI_HEAT_LEVELS ? level : UI_HEAT_LEVELS - 1];
}
