/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Allocation that never returns NULL. Running out of memory in a profiler
 * is not something to limp on from: we restore the terminal through the
 * fatal hook, say what happened in one line and abort.
 */
#include "config.h"

#include "flametop/util.h"

#include <assert.h>
#include <errno.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void (*fatal_hook)(void);

void util_set_fatal_hook(void (*hook)(void))
{
	fatal_hook = hook;
}

static void __attribute__((noreturn)) out_of_memory(size_t size)
{
	if (fatal_hook)
		fatal_hook();
	fprintf(stderr, "flametop: out of memory (allocating %zu bytes)\n", size);
	abort();
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		out_of_memory(size);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		out_of_memory(nmemb * size);
	return p;
}

void *xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);

	if (!p)
		out_of_memory(size);
	return p;
}

void *xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	if (size && nmemb > SIZE_MAX / size)
		out_of_memory(SIZE_MAX);
	return xrealloc(ptr, nmemb * size);
}

/*
 * A big array's mapping: whole huge pages. The kernel puts an anonymous
 * mapping on a huge page boundary only when its length is a multiple of
 * one; a mapping that is not aligned gets none of its first and last
 * 2 MiB in huge pages.
 */
static size_t big_map_size(size_t size)
{
	return (size + UTIL_HUGE_PAGE - 1) / UTIL_HUGE_PAGE * UTIL_HUGE_PAGE;
}

void *xbig_reallocarray(void *ptr, size_t old_n, size_t n, size_t size)
{
	size_t old_size = old_n * size;
	void *p;

	assert(old_n <= n);
	if (size && n > (SIZE_MAX >> 1) / size) /* and whole pages of it fit */
		out_of_memory(SIZE_MAX);
	size *= n;
	if (size < UTIL_BIG_MIN)
		return xrealloc(ptr, size);
	if (old_size >= UTIL_BIG_MIN) {
		p = mremap(ptr, big_map_size(old_size), big_map_size(size), MREMAP_MAYMOVE);
		if (p == MAP_FAILED)
			out_of_memory(size);
		return p;
	}
	p = mmap(NULL, big_map_size(size), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		 0);
	if (p == MAP_FAILED)
		out_of_memory(size);
	/* Only a hint: where huge pages are off, or unknown, small ones do. */
	madvise(p, big_map_size(size), MADV_HUGEPAGE);
	if (old_size)
		memcpy(p, ptr, old_size);
	free(ptr);
	return p;
}

void *xbuf_shrink(void *buf, size_t *cap, size_t need)
{
	size_t to = need > UTIL_BUF_KEEP ? need : UTIL_BUF_KEEP;

	if (*cap <= UTIL_BUF_KEEP || *cap / 4 <= need)
		return buf;
	free(buf);
	*cap = to;
	return xmalloc(to);
}

/* glibc's most for a fixed mmap threshold on 64-bit (larger ones are refused). */
#define MMAP_THRESHOLD_MAX ((size_t)32 << 20)

void xmalloc_keep_freed(size_t most)
{
	mallopt(M_MMAP_THRESHOLD, (int)(most < MMAP_THRESHOLD_MAX ? most : MMAP_THRESHOLD_MAX));
	mallopt(M_TRIM_THRESHOLD, (int)(most < UTIL_MALLOC_KEEP ? most : UTIL_MALLOC_KEEP));
}

void xmalloc_release_free(void)
{
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}

/* The block below the heap's marked part: kept, so that nothing else takes it. */
static void *heap_below;

/*
 * The heap grows by brk, and a part of it that the kernel adds later is
 * not marked: so it is grown now, by UTIL_HEAP_HUGE bytes, and marked.
 * Its whole huge pages start at a huge page boundary; the block below it
 * is kept allocated (and never touched), so that what malloc hands out
 * next comes from the marked part, not from small pages below it. That
 * is one realloc shrinking a block in place, which glibc's does; if a
 * malloc moved it, nothing is marked. With a malloc that has no brk heap
 * (a sanitizer's), the block is no heap's and nothing is marked either.
 */

void xmalloc_heap_huge(void)
{
	uintptr_t start, end, aligned;
	char *block, *top;

	xmalloc_keep_freed(UTIL_MALLOC_KEEP); /* the part grown must not be handed back */
	block = malloc(UTIL_HEAP_HUGE);
	top = sbrk(0);
	if (!block || top == (void *)-1)
		goto out_free;
	start = (uintptr_t)block;
	end = (uintptr_t)top & ~(UTIL_HUGE_PAGE - 1);
	aligned = (start + UTIL_HUGE_PAGE - 1) & ~(UTIL_HUGE_PAGE - 1);
	/* Not from the heap (a mapping of its own), or too little of it. */
	if (start > end || end - start > UTIL_HEAP_HUGE + UTIL_HUGE_PAGE ||
	    end < aligned + UTIL_HUGE_PAGE)
		goto out_free;
	/* 64 bytes short of the boundary: room for malloc's own header. */
	if (aligned - start > 64) {
		char *hole = realloc(block, aligned - start - 64);

		if (hole != block) { /* moved: nothing to mark */
			free(hole);
			return;
		}
		heap_below = hole;
	} else {
		free(block);
	}
	/* Only a hint: where huge pages are off, or unknown, small ones do. */
	madvise((void *)aligned, end - aligned, MADV_HUGEPAGE);
	return;
out_free:
	free(block);
}

void xbig_free(void *ptr, size_t n, size_t size)
{
	size *= n;
	if (size < UTIL_BIG_MIN)
		free(ptr);
	else if (ptr)
		munmap(ptr, big_map_size(size));
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = xmalloc(len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		out_of_memory(strlen(fmt));
	return s;
}

void error_set(struct ft_error *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}
