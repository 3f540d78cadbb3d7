/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Clocks, small file readers, paths, and the terminal sanitizer. The
 * sanitizer is the single gate every untrusted string (process and thread
 * names, symbol names, paths, session contents) passes before it is
 * printed, so that a program cannot drive the user's terminal by naming
 * itself with escape sequences.
 */
#include "config.h"

#include "flametop/util.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

uint64_t util_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t util_wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

const char *util_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash && slash[1] ? slash + 1 : path;
}

/*
 * Length of the valid UTF-8 sequence of a printable character at `s`, or 0;
 * its code point in *cp.
 */
static size_t utf8_char_len(const unsigned char *s, uint32_t *cp_out)
{
	uint32_t cp;
	size_t len, i;

	if (s[0] < 0x80) {
		*cp_out = s[0];
		return s[0] >= 0x20 && s[0] != 0x7f;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates, out of range, and the C1 controls. */
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000))
		return 0;
	if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff || (cp >= 0x80 && cp < 0xa0))
		return 0;
	*cp_out = cp;
	return len;
}

/*
 * Characters that are valid and printable but change how the text around
 * them reads without showing themselves: the bidirectional controls (a
 * name can reorder what follows it on the line) and the zero-width ones
 * (two different names can look the same), plus the line and paragraph
 * separators; and U+FFFE, U+FFFF, which are no characters at all (XML
 * refuses them: one in a name made the whole SVG export unreadable).
 * They are shown escaped, "<U+202E>".
 */
static bool invisible(uint32_t cp)
{
	return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	       cp == 0x200e || cp == 0x200f || cp == 0x061c || (cp >= 0x200b && cp <= 0x200d) ||
	       cp == 0x2060 || cp == 0xfeff || cp == 0x2028 || cp == 0x2029 || cp == 0xfffe ||
	       cp == 0xffff;
}

char *util_sanitize(const char *in, char *out, size_t size)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t o = 0;

	if (!size)
		return out;
	while (*s && o + 1 < size) {
		uint32_t cp = 0;
		size_t n = utf8_char_len(s, &cp);

		if (n == 0) {
			out[o++] = '?';
			s++;
			continue;
		}
		if (invisible(cp)) {
			char esc[16];
			int len = snprintf(esc, sizeof(esc), "<U+%04X>", (unsigned)cp);

			if (o + (size_t)len >= size)
				break;
			memcpy(out + o, esc, (size_t)len);
			o += (size_t)len;
			s += n;
			continue;
		}
		if (o + n >= size)
			break;
		memcpy(out + o, s, n);
		o += n;
		s += n;
	}
	out[o] = '\0';
	return out;
}

void util_verror_line(const char *fmt, va_list ap)
{
	char raw[1024], clean[UTIL_SANITIZE_SIZE(sizeof(raw))];

	vsnprintf(raw, sizeof(raw), fmt, ap);
	fprintf(stderr, "flametop: %s\n", util_sanitize(raw, clean, sizeof(clean)));
}

void util_error_line(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	util_verror_line(fmt, ap);
	va_end(ap);
}

uint64_t util_hash_bytes(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return util_hash_u64(h);
}

char *util_read_fd_max(int fd, size_t max, size_t *len, bool *cut)
{
	size_t cap = 4096, n = 0;
	char *buf;

	if (cut)
		*cut = false;
	buf = xmalloc(cap);
	for (;;) {
		ssize_t r;

		if (n + 1 >= cap) {
			/* One byte past the cap tells a file that holds more. */
			cap = max && cap * 2 > max + 2 ? max + 2 : cap * 2;
			buf = xrealloc(buf, cap);
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			int saved = errno;

			if (saved == EINTR)
				continue;
			free(buf);
			errno = saved;
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (max && n > max) {
			char *nl;

			buf[max] = '\0';
			nl = strrchr(buf, '\n');
			n = nl ? (size_t)(nl - buf) + 1 : 0;
			if (cut)
				*cut = true;
			break;
		}
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

char *util_read_file_max(const char *path, size_t max, size_t *len, bool *cut)
{
	char *buf;
	int fd, saved;

	if (cut)
		*cut = false;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	buf = util_read_fd_max(fd, max, len, cut);
	saved = errno;
	close(fd);
	errno = saved;
	return buf;
}

char *util_read_file(const char *path, size_t *len)
{
	return util_read_file_max(path, 0, len, NULL);
}

int util_read_long(const char *path, long *value)
{
	char *buf, *end;
	long v;

	buf = util_read_file(path, NULL);
	if (!buf)
		return -errno;
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno || end == buf) {
		free(buf);
		return -EINVAL;
	}
	free(buf);
	*value = v;
	return 0;
}

bool util_kernel_before(const char *release, unsigned major, unsigned minor)
{
	unsigned a = 0, b = 0;

	if (!release || sscanf(release, "%u.%u", &a, &b) != 2)
		return false;
	return a < major || (a == major && b < minor);
}

bool util_task_alive(pid_t tid)
{
	char path[64], *buf, *paren;
	bool alive;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)tid);
	buf = util_read_file(path, NULL);
	if (!buf)
		return false;
	paren = strrchr(buf, ')');
	alive = paren && paren[1] == ' ' && paren[2] != 'Z' && paren[2] != 'X';
	free(buf);
	return alive;
}

bool util_process_alive(pid_t pid)
{
	char path[64];
	struct dirent *de;
	bool alive = false;
	DIR *dir;

	if (util_task_alive(pid))
		return true;
	/* Its first thread ended (pthread_exit in main) and waits, a
	 * zombie, for the others: the process runs while one of them does. */
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return false;
	while (!alive && (de = readdir(dir))) {
		long tid = strtol(de->d_name, NULL, 10);

		alive = tid > 0 && tid != pid && util_task_alive((pid_t)tid);
	}
	closedir(dir);
	return alive;
}

int util_exit_status(int wait_status)
{
	if (WIFEXITED(wait_status))
		return WEXITSTATUS(wait_status);
	if (WIFSIGNALED(wait_status))
		return 128 + WTERMSIG(wait_status);
	return FT_EXIT_ERROR;
}

int util_exec_status(int err)
{
	return err == -ENOENT ? FT_EXIT_NOT_FOUND
	       : err == -EACCES ? FT_EXIT_CANNOT_EXEC
				: FT_EXIT_ERROR;
}
