/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The theme loader's fuzz target: any bytes, as the text of a theme file
 * (--theme FILE, doc/themes.md), go through ui_theme_parse(), which must
 * either give a theme or one error, and never crash, leak or read out of
 * bounds. A theme it accepts must hold the invariants the drawing code
 * relies on (colours -1..255, 1 to UI_PALETTE_MAX colours per palette, a
 * NUL-terminated name); it is then asked for frame colours across each
 * palette and its 8-colour fallbacks, as the explorer does when it draws.
 * A broken invariant aborts, which the fuzzer reports.
 *
 * The text ends at the first NUL byte, as it does for a file read with
 * util_read_file(). Built as tests/fuzz/fuzz_theme with
 * `./configure --enable-fuzzing` (clang), and in every build as
 * tests/unit/test_fuzz_theme, which replays tests/fuzz/corpus/theme/.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flametop/ui.h"
#include "flametop/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_color(int c)
{
	if (c < -1 || c > 255)
		abort();
	c = ui_theme_color8(c);
	if (c < -1 || c > 7)
		abort();
}

static void check_theme(const struct ui_theme *t)
{
	static const double shares[] = { 0.0, 0.001, 0.3, 0.5, 0.99, 1.0 };
	size_t i, k;

	if (memchr(t->name, '\0', sizeof(t->name)) == NULL)
		abort();
	for (i = 0; i < UI_ROLE__COUNT; i++) {
		check_color(t->roles[i].fg);
		check_color(t->roles[i].bg);
	}
	check_color(t->frame_fg);
	for (i = 0; i < UI_PALETTE__COUNT; i++) {
		if (t->npalette[i] < 1 || t->npalette[i] > UI_PALETTE_MAX)
			abort();
		for (k = 0; k < t->npalette[i]; k++)
			check_color(t->palette[i][k]);
		for (k = 0; k < ARRAY_SIZE(shares); k++)
			check_color(ui_theme_frame_color(t, (enum ui_palette)i, shares[k],
							 (uint32_t)k * 7919u, (uint32_t)k % 3,
							 (uint32_t)k * 104729u));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ui_theme t;
	struct ft_error err;
	char *text = xmalloc(size + 1);

	memcpy(text, data, size);
	text[size] = '\0';
	memset(&err, 0, sizeof(err));
	if (ui_theme_parse(&t, text, "fuzz.json", &err) == 0)
		check_theme(&t);
	else if (err.msg[0] == '\0')
		abort(); /* an error must say what */
	free(text);
	return 0;
}
