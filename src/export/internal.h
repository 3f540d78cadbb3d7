/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the exporters share inside src/export/: a buffer for sanitized
 * strings and the walk from a leaf node up to the root.
 */
#ifndef FLAMETOP_EXPORT_INTERNAL_H
#define FLAMETOP_EXPORT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "flametop/export.h"

/* A reusable buffer holding the sanitized copy of one string. */
struct export_clean {
	char *s;
	size_t cap;
};

/* Borrowed, valid until the next call on `b`; "[unknown]" for "". */
const char *export_clean(struct export_clean *b, const char *in);

/* A frame's name, sanitized (borrowed as export_clean()). */
const char *export_frame_name(struct export_clean *b, const struct profile *p, uint32_t frame);

/*
 * The frames of the stack ending at `node`, OUTERMOST first, into *frames
 * (grown as needed; caller frees). Returns the number of frames.
 */
size_t export_stack(const struct profile *p, uint32_t node, uint32_t **frames, size_t *cap);

/* The thread name of a sample's thread, or "[unknown]"; raw (unsanitized). */
const char *export_comm(const struct profile *p, uint32_t tid);

#endif
