/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Text renderers of the profile model: the `report` subcommand's text,
 * JSON and folded (collapsed stack) formats. The TUI and tests read the
 * same model; this is the plain-text view of it.
 */
#ifndef FLAMETOP_REPORT_H
#define FLAMETOP_REPORT_H

#include <stdio.h>

#include "flametop/profile.h"
#include "flametop/util.h"

enum report_format {
	REPORT_TEXT,
	REPORT_JSON,
	REPORT_FOLDED,
};

struct report_options {
	enum report_format format;
	unsigned top; /* functions listed in text (0: all) */
	struct profile_filter filter;
	const char *source; /* shown in the text header: the session's path */
	const char *include, *exclude; /* the filter's patterns as typed, for the header */
};

/* 0, or -EINVAL when `name` is no format. */
int report_parse_format(const char *name, enum report_format *out);
/* Writes the report. 0 or -errno (with `err` filled). */
int report_write(FILE *out, const struct profile *p, const struct report_options *o,
		 struct ft_error *err);

#endif
