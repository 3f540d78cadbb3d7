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

/*
 * Resolves `path` inside the directory `root` as if it were "/": each
 * component opened O_PATH|O_NOFOLLOW; a symbolic link's target resolved
 * in its place (from `root` when absolute), at most PROCMAP_ROOT_HOPS
 * links; ".." never above `root`. 0 with *out an O_PATH descriptor of
 * what the path names (caller closes; with `no_link`, a final symbolic
 * link is not followed: *out is the link), or -errno.
 */
int procmap_file_walk(int root, const char *path, bool no_link, int *out);
/* For tests: resolve inside roots with procmap_file_walk() only. */
void procmap_file_set_walk_only(bool walk_only);

#endif
