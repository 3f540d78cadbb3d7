/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Demangling of C++ and Rust symbol names, when flametop was built with
 * libiberty (configure's HAVE_LIBIBERTY). Without it the stub below keeps
 * every name as it is, so callers never need an #ifdef.
 */
#ifndef FLAMETOP_SYMBOLS_DEMANGLE_H
#define FLAMETOP_SYMBOLS_DEMANGLE_H

#include <stdbool.h>
#include <stddef.h>

#ifdef HAVE_LIBIBERTY
/*
 * The demangled form of `name` (C++ "_Z...", Rust legacy "_ZN...17h<hash>E"
 * and Rust v0 "_R..."), or NULL when it is not a mangled name we can read,
 * or when reading it would cost too much: a name longer than
 * SYMBOLS_DEMANGLE_MAX_IN, or one whose demangled form would exceed
 * SYMBOLS_DEMANGLE_MAX_OUT (crafted names grow exponentially); then
 * *capped (when not NULL) is set to true. Bounded in time and memory
 * whatever the name. Caller frees.
 */
char *symbols_demangle(const char *name, bool *capped);
#else
static inline char *symbols_demangle(const char *name, bool *capped)
{
	return NULL;
}
#endif

#endif
