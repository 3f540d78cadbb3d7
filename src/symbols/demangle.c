/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Demangling with libiberty's cplus_demangle, the demangler binutils and
 * perf use. In its default (automatic) style it tries Rust first, both the
 * legacy scheme, whose trailing "::h<hash>" it drops, and v0 ("_R..."),
 * then the C++ Itanium ABI. DMGL_PARAMS | DMGL_ANSI gives C++ names with
 * their parameter lists and qualifiers, as perf shows them. Names are
 * demangled once, when a module's symbols are read, never per sample.
 */
#include "config.h"

#include "demangle.h"

#include <libiberty/demangle.h>

char *symbols_demangle(const char *name)
{
	/* Everything mangled starts with "_Z" (C++, legacy Rust) or "_R" (Rust v0). */
	if (name[0] != '_' || (name[1] != 'Z' && name[1] != 'R'))
		return NULL;
	return cplus_demangle(name, DMGL_PARAMS | DMGL_ANSI);
}
