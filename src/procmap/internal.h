/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the files of the procmap layer share with their unit tests and
 * nothing else sees: the walk that resolves a path inside a container
 * root one component at a time (file.c's fallback for kernels without
 * openat2), and a switch that makes file.c use it always.
 */
#ifndef FLAMETOP_PROCMAP_INTERNAL_H
#define FLAMETOP_PROCMAP_INTERNAL_H

#include <stdbool.h>

/* ft_walk() with at most PROCMAP_ROOT_HOPS links and no FUSE check. */
int procmap_file_walk(int root, const char *path, bool no_link, int *out);
/* For tests: resolve inside roots with procmap_file_walk() only. */
void procmap_file_set_walk_only(bool walk_only);

#endif
