/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Small helpers every subsystem shares: allocation that never returns NULL,
 * the error struct constructors fill in, growable arrays, string interning
 * hashes, monotonic time, the one sanitizer that untrusted strings pass
 * before they reach a terminal, the one path notices take, and the parsers
 * of the values people type.
 */
#ifndef FLAMETOP_UTIL_H
#define FLAMETOP_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Allocation. On failure these call the registered fatal hook (which the UI
 * uses to restore the terminal), print one line and abort: callers never
 * check for NULL.
 */
void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void util_set_fatal_hook(void (*hook)(void));

/*
 * Errors from constructors and parsers. `msg` is one line a user can read;
 * `line`/`column` are set by parsers that know them (0 otherwise).
 */
struct ft_error {
	char msg[512];
	int line;
	int column;
};
void error_set(struct ft_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Monotonic clock (CLOCK_MONOTONIC, the clock samples are stamped with), ns. */
uint64_t util_now_ns(void);
/* Wall clock (CLOCK_REALTIME), ns since the epoch. */
uint64_t util_wall_ns(void);

/*
 * Copies `in` to a caller-provided buffer of `size` bytes (always
 * NUL-terminated), replacing every byte that could drive a terminal: C0/C1
 * controls, DEL, ESC, and malformed UTF-8. Valid printable UTF-8 passes
 * through. Replacements are '?'. Returns `out`.
 */
char *util_sanitize(const char *in, char *out, size_t size);

/* The last path component of `path` (borrowed, points into `path`). */
const char *util_basename(const char *path);

/* 64-bit hash of a byte string (FNV-1a, then mixed). */
uint64_t util_hash_bytes(const void *data, size_t len);
/* Mixes a 64-bit integer key into a well-distributed hash. */
uint64_t util_hash_u64(uint64_t key);

/*
 * An open-addressing map from a nonzero 64-bit key to a 32-bit value.
 * Used for interning (frame -> id, (parent, frame) -> node id).
 */
struct u64map {
	uint64_t *keys; /* 0 = empty slot */
	uint32_t *values;
	size_t cap; /* power of two */
	size_t len;
};
void u64map_init(struct u64map *m);
void u64map_free(struct u64map *m);
/* Returns 1 and sets *value when `key` (nonzero) is present, 0 otherwise. */
int u64map_get(const struct u64map *m, uint64_t key, uint32_t *value);
/* Inserts or replaces. `key` must be nonzero. */
void u64map_put(struct u64map *m, uint64_t key, uint32_t value);

/*
 * A string table: interns NUL-terminated strings to dense ids 0, 1, 2, ...
 * Strings are copied; `strtab_get` returns a pointer valid until the table
 * is freed.
 */
struct strtab {
	char **strs;
	uint64_t *hashes;
	uint32_t len, cap;
	uint32_t *slots; /* open addressing, id + 1, 0 = empty */
	size_t nslots;
};
void strtab_init(struct strtab *t);
void strtab_free(struct strtab *t);
uint32_t strtab_intern(struct strtab *t, const char *s);
/* Returns 1 and sets *id when present. */
int strtab_find(const struct strtab *t, const char *s, uint32_t *id);
const char *strtab_get(const struct strtab *t, uint32_t id);

/* Reads a whole small file (procfs, sysfs) into a NUL-terminated buffer.
 * Returns a malloc'd buffer (caller frees) and sets *len, or NULL with errno. */
char *util_read_file(const char *path, size_t *len);
/* Reads one integer from a procfs/sysfs file; returns 0 or -errno. */
int util_read_long(const char *path, long *value);

/* ------------------------------------------------------------------------
 * Notices (notice.c): what a person should know that is not an error (an
 * event fell back to another, kernel samples are not permitted, a JIT map
 * is not trusted, stacks look truncated, a session was cut short). A
 * module is given a sink (NULL: it says nothing) and says each notice as
 * bare text, one line without "notice:" or newline. The sink's owner shows
 * it: the command line on stderr as "flametop: notice: TEXT" (sanitized,
 * cli_notice), the TUI in its status line. A sink says each thing once.
 */
struct ft_notice {
	/* Shows one notice; `text` is borrowed for the call, not sanitized. */
	void (*show)(void *ctx, const char *text);
	void *ctx;
	struct u64map said; /* hashes of the keys said so far */
};
/* Readies `n` to hand notices to `show`. Free with notice_free(). */
void notice_init(struct ft_notice *n, void (*show)(void *ctx, const char *text), void *ctx);
void notice_free(struct ft_notice *n);
/*
 * Says a notice on `n` (NULL: nowhere), unless one with the same `key` was
 * said on `n` before. `key` NULL makes the text its own key, so the same
 * line is never said twice; a notice whose text varies (a percentage, a
 * count) gives a fixed key to be said only once.
 */
void notice_say(struct ft_notice *n, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Exit statuses, shared by every subcommand and the explorer. */
#define FT_EXIT_ERROR 1
#define FT_EXIT_USAGE 2 /* a bad option, value, config or theme */
#define FT_EXIT_CANNOT_EXEC 126 /* as a shell says it */
#define FT_EXIT_NOT_FOUND 127

/* How long a launched command is given to end after the signal that
 * stopped sampling was passed on to it (record and the live view). */
#define FT_CHILD_GRACE_NS (5 * 1000000000ull)

/* The exit status a shell gives for a command's wait status: its exit
 * code, or 128 plus the signal that killed it. */
int util_exit_status(int wait_status);
/* The exit status for a command that could not be started (-errno from
 * sampler_start): 127 not found, 126 not executable, else 1. */
int util_exec_status(int err);

/* ------------------------------------------------------------------------
 * Values a person types (parse.c), for every option and config key that
 * takes one, so that all accept the same forms and refuse in the same
 * words. Each parser takes the whole string: digits with an optional
 * decimal fraction (not for integers), then an optional unit, matched in
 * any case; no sign, no spaces, nothing after. It returns 0 with *out set
 * and within [min, max]; or -EINVAL (not such a value) or -ERANGE (outside
 * [min, max], or too large for 64 bits), *out untouched and `err` holding
 * one line in the one style: "'1x' is not a duration (30, 500ms, 1.5s, 2m,
 * 1h)", "'0' is out of range (at least 1ms)". The caller puts the option
 * in front: "-d: '1x' is not a duration (...)".
 */

/* Durations, in ns: a bare number is seconds; units ns, us, ms, s, m (or
 * min), h, d. A fraction is exact to the ns ("0.1s", "1.5h", ".5"). */
int util_parse_duration(const char *s, uint64_t min_ns, uint64_t max_ns, uint64_t *ns,
			struct ft_error *err);
/* Sizes, in bytes: a bare number is bytes; K, M, G, T are powers of 1024,
 * optionally followed by "B" or "iB" ("64M", "512KiB", "1.5G"; a fraction
 * of a byte is dropped). */
int util_parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *bytes,
		    struct ft_error *err);
/* Whole numbers in decimal, no unit. */
int util_parse_integer(const char *s, uint64_t min, uint64_t max, uint64_t *out,
		       struct ft_error *err);
/* Decimal numbers (a ratio, a percentage), no unit; the nearest double. */
int util_parse_number(const char *s, double min, double max, double *out, struct ft_error *err);

#endif
