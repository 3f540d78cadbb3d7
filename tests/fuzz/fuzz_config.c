/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The config file parser's fuzz target: any bytes, as the text of
 * ~/.config/flametop/config, go through ui_config_parse(), which must
 * either apply valid settings or name the bad line, and never crash, leak
 * or read out of bounds. What it accepts must hold the config's
 * invariants (a NUL-terminated theme name, a known palette, a window span
 * from 1 s to 24 h); a broken one aborts, which the fuzzer reports.
 *
 * The text ends at the first NUL byte, as it does for a file read with
 * util_read_file(). Built as tests/fuzz/fuzz_config with
 * `./configure --enable-fuzzing` (clang), and in every build as
 * tests/unit/test_fuzz_config, which replays tests/fuzz/corpus/config/.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flametop/ui.h"
#include "flametop/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ui_config c;
	struct ft_error err;
	char *text = xmalloc(size + 1);

	memcpy(text, data, size);
	text[size] = '\0';
	ui_config_default(&c);
	memset(&err, 0, sizeof(err));
	if (ui_config_parse(&c, text, "fuzz.config", &err) == 0) {
		if (memchr(c.theme, '\0', sizeof(c.theme)) == NULL || c.theme[0] == '\0')
			abort();
		if ((unsigned)c.palette >= UI_PALETTE__COUNT)
			abort();
		if (c.span < UINT64_C(1000000000) || c.span > UINT64_C(86400000000000))
			abort();
	} else if (err.msg[0] == '\0' || err.line < 1) {
		abort(); /* an error must say what and where */
	}
	free(text);
	return 0;
}
