/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Folded stacks, the format of FlameGraph's stackcollapse-*.pl scripts and
 * of `flametop report --format folded`: one stack per line, frames from
 * the outermost to the leaf separated by ';', then a space (or a tab, as
 * tab-separated tools write it) and a count:
 *
 *     bash;main;execute_command;fork 42
 *
 * A line without a count counts 1; one with its count first instead ("  3
 * a;b", as uniq -c writes it) is refused, not read as a frame "  3 a". A
 * file whose first count follows another, "stack BASE NOW", is
 * differential folded stacks (difffolded.pl's, or report --baseline's),
 * two profiles in one, and is refused rather than read with a frame
 * "leaf BASE". Once a line had one count, so is every line: in
 * "a;lambda 2 7" the 2 ends the leaf's name (which flametop's own export
 * writes "lambda_2", as flamegraph.pl would read it as two counts).
 * FlameGraph's annotations are read:
 * a frame ending in "_[k]" is a kernel frame (the suffix is dropped);
 * "_[j]", "_[i]" and "_[w]" (JIT, inlined, waker) are dropped too. The
 * counts become samples of one event, "samples", all at time 0 (folded
 * stacks have no time) and of no thread.
 */
#include "config.h"

#include "flametop/import.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flametop/util.h"

/* Whether `s` (of `len` bytes) is a count: digits, at most 19 of them. */
static bool is_count(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > 19)
		return false;
	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Whether `s` (of `len` bytes) is a number that is not a count: "1.5", "-3". */
static bool is_other_number(const char *s, size_t len)
{
	size_t i = 0, digits = 0;

	if (len > 0 && (s[0] == '-' || s[0] == '+'))
		i++;
	for (; i < len; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digits++;
		else if (s[i] != '.' && s[i] != 'e' && s[i] != 'E')
			return false;
	}
	return digits > 0;
}

/* The last space or tab in `s[0..len)`, which comes before a count; NULL
 * when there is none. */
static char *last_blank(const char *s, size_t len)
{
	while (len > 0 && s[len - 1] != ' ' && s[len - 1] != '\t')
		len--;
	return len ? (char *)s + len - 1 : NULL;
}

/* Whether the line has a byte no text has (a control character but tab). */
static bool has_control(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return true;
	}
	return false;
}

bool import_folded_detect(const char *head, size_t len)
{
	const char *line = head, *end = head + len, *nl, *sp;
	size_t n;

	/* The first line that is not blank decides. */
	for (;;) {
		nl = memchr(line, '\n', (size_t)(end - line));
		n = nl ? (size_t)(nl - line) : (size_t)(end - line);
		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (n > 0 && strspn(line, " \t") < n)
			break;
		if (!nl)
			return false;
		line = nl + 1;
	}
	if (line[0] == ' ' || line[0] == '\t' || line[0] == '#' || has_control(line, n))
		return false;
	if (memchr(line, ';', n))
		return true;
	sp = last_blank(line, n);
	return sp && sp > line && is_count(sp + 1, (size_t)(line + n - sp - 1));
}

/* Whether the stack `line[0..len)` (its count cut off) ends in another
 * count: " BASE" of a differential line. */
static bool ends_in_count(const char *line, size_t len)
{
	const char *sp = last_blank(line, len);

	return sp && sp > line && is_count(sp + 1, (size_t)(line + len - sp - 1));
}

/* Whether the stack `line[0..len)`, which has no count at its end, starts
 * with one instead: "   3 a;b;c", as `sort | uniq -c` writes a count. */
static bool count_first(const char *line, size_t len)
{
	size_t i = strspn(line, " \t"), digits;

	if (i >= len)
		return false;
	digits = strspn(line + i, "0123456789");
	i += digits;
	return digits > 0 && i < len && (line[i] == ' ' || line[i] == '\t') &&
	       strspn(line + i, " \t") < len - i;
}

/* The frame's kind from FlameGraph's annotation, which it cuts off `name`. */
static enum profile_frame_kind annotation(char *name, size_t *len)
{
	if (*len > 4 && name[*len - 4] == '_' && name[*len - 3] == '[' && name[*len - 1] == ']') {
		char a = name[*len - 2];

		if (a == 'k' || a == 'j' || a == 'i' || a == 'w') {
			*len -= 4;
			name[*len] = '\0';
			return a == 'k' ? PROFILE_FRAME_KERNEL : PROFILE_FRAME_USER;
		}
	}
	return PROFILE_FRAME_USER;
}

/* "NAME:LINE" of the line read last, the sample's (an import_where_fn). */
static void where_line(const void *ctx, char *buf, size_t size)
{
	const struct import_input *in = ctx;

	snprintf(buf, size, "%s:%llu", import_input_name(in),
		 (unsigned long long)import_input_lineno(in));
}

int import_folded_run(struct import_input *in, struct import_sink *sink, struct ft_error *err)
{
	struct profile *p = import_sink_profile(sink);
	const char *name = import_input_name(in);
	uint32_t *frames = xreallocarray(NULL, IMPORT_MAX_FRAMES, sizeof(*frames));
	uint32_t module = profile_intern_string(p, ""), event;
	bool one_count = false; /* a line had one count: the file is not differential */
	int ret = -1, r;
	size_t len;
	char *line;

	import_sink_set_where(sink, where_line, in);
	if (import_sink_event(sink, "samples", "samples", &event, err) < 0)
		goto out;
	while ((r = import_input_line(in, &line, &len, err)) > 0) {
		unsigned long long lineno = (unsigned long long)import_input_lineno(in);
		struct profile_sample s = { 0 };
		size_t nframes = 0, stack_len = len;
		char *sp, *at, *end;

		if (has_control(line, len)) {
			error_set(err, "%s:%llu: a control character (not text)", name, lineno);
			goto out;
		}
		while (stack_len > 0 && (line[stack_len - 1] == ' ' || line[stack_len - 1] == '\t'))
			stack_len--;
		if (stack_len == 0)
			continue;
		s.weight = 1;
		sp = last_blank(line, stack_len);
		if ((!sp || !is_count(sp + 1, (size_t)(line + stack_len - sp - 1))) &&
		    count_first(line, stack_len)) {
			error_set(err,
				  "%s:%llu: a count before the stack (uniq -c's output?); folded "
				  "stacks end in their count",
				  name, lineno);
			goto out;
		}
		if (sp) {
			const char *count = sp + 1;
			size_t clen = (size_t)(line + stack_len - count);

			if (clen > 19 && strspn(count, "0123456789") == clen) {
				error_set(err, "%s:%llu: count %.*s is too large", name, lineno,
					  clen > 32 ? 32 : (int)clen, count);
				goto out;
			}
			if (is_count(count, clen)) {
				errno = 0;
				s.weight = strtoull(count, NULL, 10);
				if (errno || s.weight > INT64_MAX) {
					error_set(err, "%s:%llu: count %.*s is too large", name,
						  lineno, (int)clen, count);
					goto out;
				}
				stack_len = (size_t)(sp - line);
				if (!one_count && ends_in_count(line, stack_len)) {
					error_set(err,
						  "%s:%llu: two counts: differential folded "
						  "stacks (\"stack BASE NOW\"), two profiles in "
						  "one; import each side's own",
						  name, lineno);
					goto out;
				}
				one_count = true;
			} else if (is_other_number(count, clen)) {
				error_set(err, "%s:%llu: count '%.*s' is not a whole number", name,
					  lineno, clen > 32 ? 32 : (int)clen, count);
				goto out;
			}
		}
		while (stack_len > 0 && (line[stack_len - 1] == ' ' || line[stack_len - 1] == '\t'))
			stack_len--;
		if (stack_len == 0) {
			error_set(err, "%s:%llu: a count without a stack", name, lineno);
			goto out;
		}
		line[stack_len] = '\0';
		for (at = line; at <= line + stack_len; at = end + 1) {
			size_t flen;
			enum profile_frame_kind kind;

			end = memchr(at, ';', (size_t)(line + stack_len - at));
			if (!end)
				end = line + stack_len;
			*end = '\0';
			flen = (size_t)(end - at);
			if (flen > IMPORT_MAX_NAME) {
				error_set(err, "%s:%llu: a frame name longer than %u bytes", name,
					  lineno, IMPORT_MAX_NAME);
				goto out;
			}
			if (nframes == IMPORT_MAX_FRAMES) {
				error_set(err, "%s:%llu: more than %u frames in one stack", name,
					  lineno, IMPORT_MAX_FRAMES);
				goto out;
			}
			kind = annotation(at, &flen);
			frames[nframes++] = profile_intern_frame_ids(
				p, profile_intern_string(p, flen ? at : "[unknown]"), module, kind);
		}
		s.node = import_sink_stack(sink, frames, nframes);
		s.event = (uint16_t)event;
		if (import_sink_sample(sink, &s, err) < 0)
			goto out;
	}
	if (r == 0)
		ret = 0;
out:
	import_sink_set_where(sink, NULL, NULL);
	free(frames);
	return ret;
}
