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
 * file each of whose counts follows another, "stack BASE NOW", is
 * differential folded stacks (difffolded.pl's, or report --baseline's),
 * two profiles in one, and is refused rather than read with a frame
 * "leaf BASE". Once a line had one count, so is every line, those before
 * it too: in "a;lambda 2 7" the 2 ends the leaf's name (which flametop's
 * own export writes "lambda_2", as flamegraph.pl would read it as two
 * counts). Lines of two counts wait for a line of one, up to
 * UNDECIDED_LINES of them (past that the file is differential), so that
 * a pipe is read once.
 * FlameGraph's annotations are read:
 * a frame ending in "_[k]" is a kernel frame (the suffix is dropped);
 * "_[j]", "_[i]" and "_[w]" (JIT, inlined, waker) are dropped too. The
 * counts become samples of one event, "samples", all at time 0 (folded
 * stacks have no time) and of no thread, but where a stack's head (with
 * frames after it) is "comm-PID/TID", as stackcollapse-perf.pl --tid and
 * export --thread-ids write a thread: then of that thread.
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

/*
 * Lines whose last two fields are counts ("a;lambda 2 7") wait, unread,
 * until a line of one count says the file is not differential (then the
 * first count ends their leaf's name) or this many of them (or the end)
 * says it is. A pipe is read once: they are kept, bounded.
 */
#define UNDECIDED_LINES 1024u
#define UNDECIDED_BYTES ((size_t)1 << 20)

struct pending_line {
	char *stack; /* the line up to its count, NUL-terminated: owned */
	uint64_t weight;
	unsigned long long lineno;
};

struct folded {
	struct import_sink *sink;
	struct profile *p;
	const char *name;
	uint32_t *frames; /* IMPORT_MAX_FRAMES */
	uint32_t module, event;
	unsigned long long lineno; /* of the stack being added */
	struct pending_line *pending;
	size_t npending, pending_bytes;
};

/* "NAME:LINE" of the stack being added, the sample's (an import_where_fn). */
static void where_line(const void *ctx, char *buf, size_t size)
{
	const struct folded *f = ctx;

	snprintf(buf, size, "%s:%llu", f->name, f->lineno);
}

/* An ID of "comm-PID/TID" (0 to 2^32 - 1, no leading zero) into `*id`: its
 * digits from `*at` to the byte `stop`, which it moves `*at` to. */
static bool thread_id(const char **at, char stop, uint32_t *id)
{
	const char *s = *at;
	size_t digits = strspn(s, "0123456789");
	unsigned long long v;

	if (digits == 0 || digits > 10 || s[digits] != stop || (s[0] == '0' && digits > 1))
		return false;
	v = strtoull(s, NULL, 10);
	if (v > UINT32_MAX)
		return false;
	*at = s + digits;
	*id = (uint32_t)v;
	return true;
}

/*
 * Whether the head `head[0..len)` of a stack is a thread as
 * stackcollapse-perf.pl --tid (and export --thread-ids) writes it,
 * "comm-PID/TID": then the sample's pid and tid are set and the thread
 * named (the name cut at the '-').
 */
static bool thread_head(struct folded *f, char *head, size_t len, struct profile_sample *s)
{
	const char *dash = NULL, *at;
	uint32_t pid, tid;
	size_t i;

	for (i = len; i-- > 0;)
		if (head[i] == '-') {
			dash = head + i;
			break;
		}
	if (!dash)
		return false;
	at = dash + 1;
	if (!thread_id(&at, '/', &pid))
		return false;
	at++;
	if (!thread_id(&at, head[len], &tid) || at != head + len)
		return false;
	s->pid = pid;
	s->tid = tid;
	head[dash - head] = '\0';
	import_sink_thread(f->sink, pid, tid, head);
	return true;
}

/* Adds the stack `stack` (of `len` bytes, NUL-terminated there, cut up in
 * place) of line `lineno`, `weight` samples. 0 or -1. */
static int add_stack(struct folded *f, char *stack, size_t len, uint64_t weight,
		     unsigned long long lineno, struct ft_error *err)
{
	struct profile_sample s = { 0 };
	size_t nframes = 0;
	char *at, *end;

	f->lineno = lineno;
	end = memchr(stack, ';', len);
	if (end && thread_head(f, stack, (size_t)(end - stack), &s)) {
		len -= (size_t)(end + 1 - stack);
		stack = end + 1;
	}
	for (at = stack; at <= stack + len; at = end + 1) {
		size_t flen;
		enum profile_frame_kind kind;

		end = memchr(at, ';', (size_t)(stack + len - at));
		if (!end)
			end = stack + len;
		*end = '\0';
		flen = (size_t)(end - at);
		if (flen > IMPORT_MAX_NAME) {
			error_set(err, "%s:%llu: a frame name longer than %u bytes", f->name,
				  lineno, IMPORT_MAX_NAME);
			return -1;
		}
		if (nframes == IMPORT_MAX_FRAMES) {
			error_set(err, "%s:%llu: more than %u frames in one stack", f->name, lineno,
				  IMPORT_MAX_FRAMES);
			return -1;
		}
		kind = annotation(at, &flen);
		f->frames[nframes++] =
			profile_intern_frame_ids(f->p,
						 profile_intern_string(f->p,
								       flen ? at : "[unknown]"),
						 f->module, kind);
	}
	s.weight = weight;
	s.node = import_sink_stack(f->sink, f->frames, nframes);
	s.event = (uint16_t)f->event;
	return import_sink_sample(f->sink, &s, err);
}

/* Adds the lines that waited, once a line of one count came. 0 or -1. */
static int add_pending(struct folded *f, struct ft_error *err)
{
	size_t i;

	for (i = 0; i < f->npending; i++) {
		struct pending_line *l = &f->pending[i];

		if (add_stack(f, l->stack, strlen(l->stack), l->weight, l->lineno, err) < 0)
			return -1;
	}
	return 0;
}

/* Refuses differential folded stacks, from their first line. */
static int differential(const struct folded *f, struct ft_error *err)
{
	error_set(err,
		  "%s:%llu: two counts: differential folded stacks (\"stack BASE NOW\"), two "
		  "profiles in one; import each side's own",
		  f->name, f->pending[0].lineno);
	return -1;
}

int import_folded_run(struct import_input *in, struct import_sink *sink, struct ft_error *err)
{
	struct folded f = { .sink = sink,
			    .p = import_sink_profile(sink),
			    .name = import_input_name(in) };
	const char *name = f.name;
	bool one_count = false; /* a line had one count: the file is not differential */
	int ret = -1, r;
	size_t len, i;
	char *line;

	f.frames = xreallocarray(NULL, IMPORT_MAX_FRAMES, sizeof(*f.frames));
	f.module = profile_intern_string(f.p, "");
	import_sink_set_where(sink, where_line, &f);
	if (import_sink_event(sink, "samples", "samples", &f.event, err) < 0)
		goto out;
	while ((r = import_input_line(in, &line, &len, err)) > 0) {
		unsigned long long lineno = (unsigned long long)import_input_lineno(in);
		size_t stack_len = len;
		uint64_t weight = 1;
		char *sp;

		if (has_control(line, len)) {
			error_set(err, "%s:%llu: a control character (not text)", name, lineno);
			goto out;
		}
		while (stack_len > 0 && (line[stack_len - 1] == ' ' || line[stack_len - 1] == '\t'))
			stack_len--;
		if (stack_len == 0)
			continue;
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
				weight = strtoull(count, NULL, 10);
				if (errno || weight > INT64_MAX) {
					error_set(err, "%s:%llu: count %.*s is too large", name,
						  lineno, (int)clen, count);
					goto out;
				}
				stack_len = (size_t)(sp - line);
				if (!one_count && ends_in_count(line, stack_len)) {
					struct pending_line *l;

					if (f.npending == UNDECIDED_LINES ||
					    f.pending_bytes + stack_len > UNDECIDED_BYTES) {
						differential(&f, err);
						goto out;
					}
					f.pending = xreallocarray(f.pending, f.npending + 1,
								  sizeof(*f.pending));
					l = &f.pending[f.npending++];
					l->stack = xstrndup(line, stack_len);
					l->weight = weight;
					l->lineno = lineno;
					f.pending_bytes += stack_len + 1;
					continue;
				}
				if (!one_count) {
					one_count = true;
					if (add_pending(&f, err) < 0)
						goto out;
				}
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
		if (add_stack(&f, line, stack_len, weight, lineno, err) < 0)
			goto out;
	}
	if (r == 0 && !one_count && f.npending) /* every counted line had two */
		differential(&f, err);
	else if (r == 0)
		ret = 0;
out:
	import_sink_set_where(sink, NULL, NULL);
	for (i = 0; i < f.npending; i++)
		free(f.pending[i].stack);
	free(f.pending);
	free(f.frames);
	return ret;
}
