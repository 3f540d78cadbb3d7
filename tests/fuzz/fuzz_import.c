/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The importers' fuzz targets, one per format: this file built with
 * FUZZ_IMPORTER set to an importer's name ("perf-script", "folded",
 * "pprof", "speedscope"). Any bytes go through that importer (and, so
 * that detection is fuzzed too, through import_run() without a format
 * when the first byte is odd), into a sink that only builds the profile;
 * the importer must answer with samples or one line of error and never
 * crash, leak, read out of bounds or take unbounded memory. A profile
 * that loads is then queried and rendered (text and folded, to
 * /dev/null), so that broken model invariants are caught too.
 *
 * Built two ways, like fuzz_session.c: with `./configure --enable-fuzzing`
 * (clang) as the libFuzzer programs tests/fuzz/fuzz_import_<format>, and
 * in every build as tests/unit/test_fuzz_import_<format>, which replays
 * the committed corpus tests/fuzz/corpus/import-<format>/ (corpus_main.c).
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flametop/import.h"
#include "flametop/profile.h"
#include "flametop/report.h"
#include "flametop/util.h"

#ifndef FUZZ_IMPORTER
#error "build with -DFUZZ_IMPORTER='\"folded\"' (an importer's name)"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void render(FILE *out, const struct profile *p, enum report_format format)
{
	struct report_options o = { 0 };
	struct ft_error err;

	o.format = format;
	profile_filter_init(&o.filter);
	o.source = "fuzz.session";
	report_write(out, p, &o, &err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null_out;
	const struct importer *imp = import_find(FUZZ_IMPORTER);
	struct import_input *in;
	struct import_sink *sink;
	struct ft_error err;
	int r;

	if (!imp)
		abort();
	if (!null_out)
		null_out = fopen("/dev/null", "w");
	in = import_input_mem(data, size, "fuzz.input");
	sink = import_sink_new(NULL, "fuzz.session");
	/* An odd first byte: detection picks the importer. */
	r = import_run(in, size > 0 && (data[0] & 1) ? NULL : imp, sink, &err);
	if (r < 0 && !err.msg[0])
		abort(); /* an error says what is wrong */
	if (r == 0 && null_out) {
		render(null_out, import_sink_profile(sink), REPORT_TEXT);
		render(null_out, import_sink_profile(sink), REPORT_FOLDED);
	}
	import_sink_free(sink);
	import_input_free(in);
	return 0;
}
