/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for the explorer's config file (src/ui/config.c): the golden
 * cases under tests/golden/config, each a directory, valid/<case>/config
 * with the settings it must give (expected), invalid/<case>/config with
 * the exact line a user sees (error, as flametop prints it, sanitized, the
 * file named $XDG_CONFIG_HOME/flametop/config); where the file is looked
 * for (XDG_CONFIG_HOME, else HOME); and that a missing file is no error
 * while an unreadable one is.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "flametop/ui.h"

#define GOLDEN SRCDIR "/tests/golden/config"
#define NAME "$XDG_CONFIG_HOME/flametop/config"

/* The settings as the expected files write them. Caller frees. */
static char *dump(const struct ui_config *c)
{
	return xasprintf("theme = %s\ncolours = %s\ngraph = %s\nview = %s\nwindow = %llu ns\n"
			 "mouse = %s\n",
			 c->theme, ui_palette_names[c->palette], c->flame ? "flame" : "icicle",
			 c->view, (unsigned long long)c->span,
			 c->mouse ? "yes" : "no");
}

/* The case directories under GOLDEN/`kind`, sorted; NULL-terminated, caller frees. */
static char **cases(const char *kind, size_t *n)
{
	char *path = xasprintf("%s/%s", GOLDEN, kind);
	struct dirent **list;
	char **names;
	int count, i;

	count = scandir(path, &list, NULL, alphasort);
	free(path);
	assert_true(count > 2);
	names = xcalloc((size_t)count + 1, sizeof(*names));
	*n = 0;
	for (i = 0; i < count; i++) {
		if (list[i]->d_name[0] != '.')
			names[(*n)++] = xstrdup(list[i]->d_name);
		free(list[i]);
	}
	free(list);
	return names;
}

static char *read_case(const char *kind, const char *name, const char *file)
{
	char *path = xasprintf("%s/%s/%s/%s", GOLDEN, kind, name, file);
	char *text = util_read_file(path, NULL);

	if (!text)
		fail_msg("%s: %s", path, strerror(errno));
	free(path);
	return text;
}

static void test_valid(void **state)
{
	size_t n, i, bad = 0;
	char **names = cases("valid", &n);

	(void)state;
	for (i = 0; i < n; i++) {
		struct ft_error err = { { 0 }, 0, 0 };
		char *text = read_case("valid", names[i], "config");
		char *want = read_case("valid", names[i], "expected");
		struct ui_config c;
		char *got;

		ui_config_default(&c);
		if (ui_config_parse(&c, text, NAME, &err) != 0) {
			print_error("valid/%s: refused: %s\n", names[i], err.msg);
			bad++;
		} else if (strcmp(got = dump(&c), want) != 0) {
			print_error("valid/%s: got\n%sexpected\n%s", names[i], got, want);
			bad++;
			free(got);
		} else {
			free(got);
		}
		free(text);
		free(want);
		free(names[i]);
	}
	free(names);
	assert_int_equal(bad, 0);
}

static void test_invalid(void **state)
{
	size_t n, i, bad = 0;
	char **names = cases("invalid", &n);

	(void)state;
	for (i = 0; i < n; i++) {
		struct ft_error err = { { 0 }, 0, 0 };
		char *text = read_case("invalid", names[i], "config");
		char *want = read_case("invalid", names[i], "error");
		char clean[sizeof(err.msg)], *got, *colon;
		struct ui_config c;
		int ret;

		ui_config_default(&c);
		ret = ui_config_parse(&c, text, NAME, &err);
		got = xasprintf("flametop: %s\n", util_sanitize(err.msg, clean, sizeof(clean)));
		/* The line in the message is the one err.line gives. */
		colon = strstr(err.msg, NAME ":");
		if (ret != -EINVAL) {
			print_error("invalid/%s: accepted (%d)\n", names[i], ret);
			bad++;
		} else if (strcmp(got, want) != 0) {
			print_error("invalid/%s: got\n%sexpected\n%s", names[i], got, want);
			bad++;
		} else if (!colon || atoi(colon + strlen(NAME ":")) != err.line) {
			print_error("invalid/%s: err.line %d is not the message's\n", names[i], err.line);
			bad++;
		}
		free(got);
		free(text);
		free(want);
		free(names[i]);
	}
	free(names);
	assert_int_equal(bad, 0);
}

/* $XDG_CONFIG_HOME when it is an absolute path (the XDG rule), else $HOME/.config. */
static void test_path(void **state)
{
	char *p;

	(void)state;
	setenv("HOME", "/home/someone", 1);
	setenv("XDG_CONFIG_HOME", "/etc/xdg-here", 1);
	p = ui_config_path();
	assert_string_equal(p, "/etc/xdg-here/flametop/config");
	free(p);
	setenv("XDG_CONFIG_HOME", "relative/dir", 1);
	p = ui_config_path();
	assert_string_equal(p, "/home/someone/.config/flametop/config");
	free(p);
	setenv("XDG_CONFIG_HOME", "", 1);
	p = ui_config_path();
	assert_string_equal(p, "/home/someone/.config/flametop/config");
	free(p);
	unsetenv("XDG_CONFIG_HOME");
	p = ui_config_path();
	assert_string_equal(p, "/home/someone/.config/flametop/config");
	free(p);
	unsetenv("HOME");
	assert_null(ui_config_path());
}

/* No file is the defaults; a file that cannot be read is an error naming it. */
static void test_load(void **state)
{
	struct ft_error err = { { 0 }, 0, 0 };
	struct ui_config c, d;
	char *dir = xasprintf("%s/valid/every-key", GOLDEN), *path;

	(void)state;
	ui_config_default(&c);
	ui_config_default(&d);
	assert_int_equal(ui_config_load(&c, "/nonexistent/flametop/config", &err), 0);
	assert_memory_equal(&c, &d, sizeof(c));
	/* Below a regular file: ENOTDIR, also no file. */
	path = xasprintf("%s/config/config", dir);
	assert_int_equal(ui_config_load(&c, path, &err), 0);
	free(path);
	assert_memory_equal(&c, &d, sizeof(c));
	/* A directory where the file should be. */
	assert_int_equal(ui_config_load(&c, dir, &err), -EISDIR);
	assert_non_null(strstr(err.msg, dir));
	/* The file itself. */
	path = xasprintf("%s/config", dir);
	assert_int_equal(ui_config_load(&c, path, &err), 0);
	assert_true(strcmp(c.view, "top") == 0 && c.flame && !c.mouse);
	free(path);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_path),
		cmocka_unit_test(test_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
