/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one path notices take. The sampler, the symbolizer, the collect
 * stage, the sources and the session reader each say things a person should
 * know that are not errors; they say them here, as bare text, and the
 * sink's owner decides where they go (the command line to stderr behind
 * "flametop: notice: ", the TUI to its status line). Saying a thing once is
 * also decided here, not by each module: a sink never repeats a key.
 */
#include "config.h"

#include "flametop/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void notice_init(struct ft_notice *n, void (*show)(void *ctx, const char *text), void *ctx)
{
	memset(n, 0, sizeof(*n));
	n->show = show;
	n->ctx = ctx;
	u64map_init(&n->said);
}

void notice_free(struct ft_notice *n)
{
	u64map_free(&n->said);
}

void notice_say(struct ft_notice *n, const char *key, const char *fmt, ...)
{
	char text[512];
	uint32_t seen;
	uint64_t h;
	va_list ap;

	if (!n || !n->show)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (!key)
		key = text;
	h = util_hash_bytes(key, strlen(key));
	if (!h)
		h = 1; /* u64map keys are nonzero */
	if (u64map_get(&n->said, h, &seen))
		return;
	u64map_put(&n->said, h, 1);
	n->show(n->ctx, text);
}
