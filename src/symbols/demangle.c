/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Demangling with libiberty, the demangler binutils and perf use, as its
 * cplus_demangle() does in its default (automatic) style: Rust first,
 * both the legacy scheme, whose trailing "::h<hash>" it drops, and v0
 * ("_R..."), then the C++ Itanium ABI. DMGL_PARAMS | DMGL_ANSI gives C++
 * names with their parameter lists and qualifiers, as perf shows them.
 * Names are demangled once each, the first time a lookup returns them.
 *
 * A mangled name comes from a file any user may have written, and the
 * Itanium scheme's substitutions let a few hundred bytes demangle to
 * gigabytes (cplus_demangle() then allocates all of it, for seconds). So
 * the callback interfaces are used instead: they build nothing on the
 * heap (libiberty keeps its work on the stack for them, for use in crash
 * handlers), and the callback counts the output and jumps out of the
 * demangler the moment it would pass SYMBOLS_DEMANGLE_MAX_OUT. Jumping
 * out is safe because nothing was allocated and no lock is held; the
 * stack the demangler used (proportional to the input, which is capped
 * at SYMBOLS_DEMANGLE_MAX_IN) is simply dropped.
 */
#include "config.h"

#include "demangle.h"

#include <libiberty/demangle.h>
#include <setjmp.h>
#include <string.h>
/* libiberty's own, spelled differently from util.h's. */
#undef ARRAY_SIZE

#include "flametop/symbols.h"
#include "flametop/util.h"

#define OPTIONS (DMGL_PARAMS | DMGL_ANSI)

struct output {
	char buf[SYMBOLS_DEMANGLE_MAX_OUT + 1];
	size_t len;
	jmp_buf full;
};

static void put(const char *s, size_t n, void *opaque)
{
	struct output *o = opaque;

	if (n > SYMBOLS_DEMANGLE_MAX_OUT - o->len)
		longjmp(o->full, 1);
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

char *symbols_demangle(const char *name, bool *capped)
{
	static struct output o; /* 16 KiB: not on the stack the demangler needs */
	int ok;

	/* Everything mangled starts with "_Z" (C++, legacy Rust) or "_R" (Rust v0). */
	if (name[0] != '_' || (name[1] != 'Z' && name[1] != 'R'))
		return NULL;
	if (strnlen(name, SYMBOLS_DEMANGLE_MAX_IN + 1) > SYMBOLS_DEMANGLE_MAX_IN) {
		if (capped)
			*capped = true;
		return NULL;
	}
	if (setjmp(o.full)) {
		if (capped)
			*capped = true;
		return NULL;
	}
	o.len = 0;
	ok = rust_demangle_callback(name, OPTIONS, put, &o);
	if (!ok) {
		/* Not Rust (whatever it printed before it knew is dropped). */
		o.len = 0;
		ok = cplus_demangle_v3_callback(name, OPTIONS, put, &o);
	}
	if (!ok)
		return NULL;
	return xstrndup(o.buf, o.len);
}
