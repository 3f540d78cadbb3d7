/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Demangling of C++ and Rust symbol names, when flametop was built with
 * libiberty (configure's HAVE_LIBIBERTY). Without it the stub below keeps
 * every name as it is, so callers never need an #ifdef.
 */
#ifndef FLAMETOP_SYMBOLS_DEMANGLE_H
#define FLAMETOP_SYMBOLS_DEMANGLE_H

#include <stddef.h>

#ifdef HAVE_LIBIBERTY
/*
 * The demangled form of `name` (C++ "_Z...", Rust legacy "_ZN...17h<hash>E"
 * and Rust v0 "_R..."), or NULL when it is not a mangled name we can read.
 * Caller frees.
 */
char *symbols_demangle(const char *name);
#else
static inline char *symbols_demangle(const char *name)
{
	return NULL;
}
#endif

#endif
