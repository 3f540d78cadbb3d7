/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The importers, as one table: each format is a file under src/import/
 * with a detect function (does this input's start look like me?) and a
 * run function (read it into a sink). Detection tries them in table
 * order, the formats with a signature of their own (pprof's gzip or
 * protobuf bytes, speedscope's "$schema") before the plain texts, and
 * perf script (whose header lines are recognisable) before folded stacks
 * (which almost any text resembles).
 */
#include "config.h"

#include "flametop/import.h"

#include <string.h>

static const struct importer importers[] = {
	{
		.name = "pprof",
		.summary = "pprof protobuf, gzipped or not (Go)",
		.detect = import_pprof_detect,
		.run = import_pprof_run,
	},
	{
		.name = "speedscope",
		.summary = "speedscope JSON, sampled or evented",
		.detect = import_speedscope_detect,
		.run = import_speedscope_run,
	},
	{
		.name = "perf-script",
		.summary = "perf script text, with or without -g",
		.detect = import_perf_script_detect,
		.run = import_perf_script_run,
	},
	{
		.name = "folded",
		.summary = "folded stacks: \"a;b;c 12\" lines",
		.detect = import_folded_detect,
		.run = import_folded_run,
	},
};

const struct importer *import_importers(size_t *n)
{
	*n = ARRAY_SIZE(importers);
	return importers;
}

const struct importer *import_find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(importers); i++)
		if (strcmp(importers[i].name, name) == 0)
			return &importers[i];
	return NULL;
}

const struct importer *import_detect(const char *head, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(importers); i++)
		if (importers[i].detect(head, len))
			return &importers[i];
	return NULL;
}

int import_run(struct import_input *in, const struct importer *imp, struct import_sink *sink,
	       struct ft_error *err)
{
	/* Samples a count of 0 stands for are none ("a;b 0" lines alone). */
	uint64_t before = import_sink_counted(sink);
	const char *head;
	size_t len;

	if (import_input_peek(in, IMPORT_DETECT_BYTES, &head, &len, err) < 0)
		return -1;
	if (len == 0) {
		error_set(err, "%s: empty file", import_input_name(in));
		return -1;
	}
	if (!imp) {
		imp = import_detect(head, len);
		if (!imp) {
			error_set(err,
				  "%s: not a format flametop imports (perf script, folded stacks, "
				  "pprof, speedscope); name one with --format",
				  import_input_name(in));
			return -1;
		}
	}
	import_sink_begin_input(sink, import_input_name(in));
	if (imp->run(in, sink, err) < 0)
		return -1;
	if (import_sink_counted(sink) == before) {
		error_set(err, "%s: no samples in it (read as %s)", import_input_name(in),
			  imp->name);
		return -1;
	}
	return 0;
}
