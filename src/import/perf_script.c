/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The text `perf script` prints, in its default form and the common -F
 * forms (comm, pid/tid, [cpu], time, period, event, ip, sym[+off], dso):
 *
 *     split 31108   602.058538:    1001001 cpu-clock:
 *             ffffffff821f840e __schedule+0x78e ([kernel.kallsyms])
 *                         1446 ft_split_driver+0x56 (/usr/bin/split)
 *     <empty line>
 *
 * or, without callchains, one line per sample with the frame after the
 * event. A sample line is read from the left: the command name (which may
 * hold spaces, and words of digits: "worker 3"; with -F without comm, there
 * is none) runs up to the first "PID"
 * or "PID/TID" token that the rest of a sample line follows, with an event
 * name that does not start with a digit; then an optional "[CPU]", an optional time
 * "SECONDS.FRACTION:", an optional period and the event name, up to the
 * first ':' that ends a word (a word with a ':' that a period and an event
 * follow stands where the time does, and is refused). Frame lines are indented with a tab (lines
 * indented with spaces inside a sample are details perf adds with -F
 * srcline, brstack and the like, and are skipped): an optional hex
 * address, the symbol (an offset "+0x..." is cut off: a frame is a
 * function) and the module in parentheses. Side-band records that
 * --show-mmap-events, --show-task-events and the like print among the
 * samples ("PERF_RECORD_MMAP2 1/1: [...]", "PERF_RECORD_FORK(1:2):(1:1)")
 * are skipped. perf's header (`perf script
 * --header`, the "# ========" block) names the host, the kernel and the
 * events, which are then listed in perf's order; its lines that are not
 * comments continue a value of many lines (the command line) and are
 * skipped.
 *
 * Each event becomes a profile type: its samples weigh their period, in
 * ns for cpu-clock and task-clock and as a count for other events; with no
 * period printed, each sample counts 1 ("samples"). Times are perf's
 * (CLOCK_MONOTONIC, seconds), rebased to the first sample.
 *
 * This is the hot path of importing (bench/import.sh), so three caches
 * keep the work per line small: a frame line's text (after the address)
 * seen recently costs a hash and a compare; another is split into its
 * function and module once, and those are found in a table of functions
 * small enough to stay in cache; and a stack seen recently is found by a
 * hash of its frames, without a walk down the call tree.
 */
#include "config.h"

#include "flametop/import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flametop/util.h"

/*
 * A function and module seen before. `kind_by_address`: the module does
 * not say whether the frame is the kernel's (there is none, or it is in
 * brackets but not "[kernel.*]"), so the address decides, and the key may
 * have a frame of each kind.
 */
struct frame_slot {
	uint64_t hash; /* 0: empty */
	char *text; /* the key: "name\nmodule" */
	uint32_t len, sym_len;
	bool kind_by_address;
	uint32_t frame[2]; /* by enum profile_frame_kind; PROFILE_NO_FRAME: not yet */
};

/* Stacks recently interned, so that a repeated stack costs no tree walk. */
#define STACK_CACHE 4096u
struct stack_slot {
	uint64_t hash;
	uint32_t node;
};

/*
 * Frame lines' texts (after the address) seen recently, each with the
 * slot of its function: most lines repeat one seen shortly before
 * (callers' return addresses do not change), and then the line costs a
 * hash and a compare, with no splitting.
 */
#define TEXT_CACHE 8192u
struct text_slot {
	uint64_t hash; /* 0: empty */
	char *text;
	uint32_t len, cap;
	uint32_t slot; /* index into perf_script.slots */
};

struct event_cache {
	char *name;
	bool with_period;
	uint32_t id;
};

struct perf_script {
	struct import_sink *sink;
	struct profile *p;
	const char *name;
	uint64_t lineno;

	/* A frame line's function and module -> its frame. */
	struct frame_slot *slots;
	size_t nslots, used; /* nslots: a power of two */
	char *key; /* scratch for a name */
	struct text_slot *texts; /* TEXT_CACHE of them, or NULL before the first frame */

	/* Recent stacks: a hash of their frames -> their node. */
	struct stack_slot stacks[STACK_CACHE];

	struct event_cache *events;
	size_t nevents;
	/* The events perf's header names (without modifiers, each once), in
	 * its order. They become the session's events at the first sample,
	 * in the unit its line says (with a period or without), so that the
	 * samples land in them; the one a header names alone is that of
	 * sample lines without their event field. header_done: added. */
	char **header_names;
	size_t nheader;
	bool header_done;
	/* Inside perf's header block, between its "# ========" lines, where a
	 * line that is no comment continues a value of many lines (a command
	 * line perf recorded, such as sh -c with a script). */
	bool in_header;

	/* The samples read so far: any, whether the first was at time 0,
	 * and the time of the last (check_time()). */
	bool any_sample, first_at_zero;
	uint64_t last_time;

	/* The sample being read: its header (on line sample_lineno), and its
	 * callchain (leaf first). */
	bool pending;
	uint64_t sample_lineno;
	struct profile_sample sample;
	uint32_t *chain;
	size_t nchain;
	uint64_t chain_hash; /* of chain[0..nchain) */
	bool have_inline; /* a frame on the sample line itself */
	uint32_t inline_frame;

	/* The last thread named, to skip renaming it for every sample. */
	uint32_t last_tid;
	char last_comm[64];
	bool have_last;
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_xdigit(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

static const char *skip_spaces(const char *s)
{
	while (is_space(*s))
		s++;
	return s;
}

/* Parses a decimal u32 of `s`; the end, or NULL when there is none. */
static const char *parse_u32(const char *s, uint32_t *v)
{
	uint64_t x = 0;
	const char *start = s;

	while (is_digit(*s)) {
		x = x * 10 + (uint64_t)(*s - '0');
		if (x > UINT32_MAX)
			return NULL;
		s++;
	}
	*v = (uint32_t)x;
	return s > start ? s : NULL;
}

/* Parses a decimal u64 (below 2^63); the end, or NULL. */
static const char *parse_u63(const char *s, uint64_t *v)
{
	uint64_t x = 0;
	const char *start = s;

	while (is_digit(*s)) {
		if (x > (UINT64_C(1) << 63) / 10)
			return NULL;
		x = x * 10 + (uint64_t)(*s - '0');
		s++;
	}
	if (x >= UINT64_C(1) << 63)
		return NULL;
	*v = x;
	return s > start ? s : NULL;
}

/* A time "SECONDS.FRACTION:" in ns; the end (after the ':'), or NULL. */
static const char *parse_time(const char *s, uint64_t *ns)
{
	uint64_t sec = 0, frac = 0, scale = 1000000000u;
	const char *start = s;

	while (is_digit(*s)) {
		if (sec > 10000000000u) /* 300 years of uptime */
			return NULL;
		sec = sec * 10 + (uint64_t)(*s - '0');
		s++;
	}
	if (s == start || *s != '.')
		return NULL;
	s++;
	if (!is_digit(*s))
		return NULL;
	while (is_digit(*s)) {
		if (scale > 1) {
			scale /= 10;
			frac += (uint64_t)(*s - '0') * scale;
		}
		s++;
	}
	if (*s != ':')
		return NULL;
	*ns = sec * 1000000000u + frac;
	return s + 1;
}

/* Whether the text after the last ':' of an event name is perf's event
 * modifiers (cpu-clock:ppp, cycles:u), which a profile type does not keep. */
static size_t strip_modifiers(const char *name, size_t len)
{
	const char *colon = memrchr(name, ':', len);
	size_t i;

	if (!colon || colon == name || colon == name + len - 1)
		return len;
	for (i = (size_t)(colon - name) + 1; i < len; i++)
		if (!strchr("ukhIGHpPSDWe", name[i]))
			return len;
	return (size_t)(colon - name);
}

/* Whether an event (its name without modifiers) counts time in ns. */
static bool is_clock_event(const char *name)
{
	return strcmp(name, "cpu-clock") == 0 || strcmp(name, "task-clock") == 0;
}

/* The index of the event `name` ([0, len)), with or without a period, in
 * *id. 0, or -1 with `err` filled (too many events). */
static int event_id(struct perf_script *ps, const char *name, size_t len, bool with_period,
		    uint32_t *id, struct ft_error *err)
{
	struct event_cache *e;
	size_t i;
	char *clean;

	len = strip_modifiers(name, len);
	for (i = 0; i < ps->nevents; i++) {
		e = &ps->events[i];
		if (e->with_period == with_period && strlen(e->name) == len &&
		    memcmp(e->name, name, len) == 0) {
			*id = e->id;
			return 0;
		}
	}
	clean = xstrndup(name, len);
	if (import_sink_event(ps->sink, clean,
			      !with_period	    ? "samples" :
			      is_clock_event(clean) ? "ns" :
						      "count",
			      id, err) < 0) {
		free(clean);
		return -1;
	}
	ps->events = xreallocarray(ps->events, ps->nevents + 1, sizeof(*ps->events));
	e = &ps->events[ps->nevents++];
	e->name = clean;
	e->with_period = with_period;
	e->id = *id;
	return 0;
}

/*
 * A fast hash of `len` bytes at `s`, never 0: two independent lanes of
 * multiply-xor over 16 bytes a step (a multiplication by an odd constant
 * loses nothing), mixed at the end. Keys are compared whole after it.
 */
static uint64_t text_hash(const char *s, size_t len)
{
	uint64_t a = 0x9e3779b97f4a7c15u ^ len, b = 0xc2b2ae3d27d4eb4fu, w1, w2, h;

	while (len >= 16) {
		memcpy(&w1, s, 8);
		memcpy(&w2, s + 8, 8);
		a = (a ^ w1) * 0xbf58476d1ce4e5b9u;
		b = (b ^ w2) * 0x94d049bb133111ebu;
		s += 16;
		len -= 16;
	}
	w1 = w2 = 0;
	memcpy(&w1, s, len < 8 ? len : 8);
	if (len > 8)
		memcpy(&w2, s + 8, len - 8);
	a = (a ^ w1) * 0xbf58476d1ce4e5b9u;
	b = (b ^ w2) * 0x94d049bb133111ebu;
	h = a ^ (b >> 32 | b << 32);
	h ^= h >> 31;
	h *= 0xd6e8feb86659fd93u;
	h ^= h >> 32;
	return h ? h : 1;
}

/*
 * A cheaper hash for the recent-texts cache: the first and last 16 bytes
 * and the length, which is where texts differ (the symbol and its offset
 * lead, the module ends). Texts that hash alike only evict each other;
 * a hit still compares the whole text.
 */
static uint64_t edge_hash(const char *s, size_t len)
{
	uint64_t w[4];

	if (len <= 32)
		return text_hash(s, len);
	memcpy(w, s, 16);
	memcpy(w + 2, s + len - 16, 16);
	return text_hash((const char *)w, sizeof(w)) ^ len;
}

/* The slot of `text` (empty when new); the table has room for one more. */
static struct frame_slot *find_slot(struct perf_script *ps, const char *text, size_t len,
				    uint64_t hash)
{
	size_t mask, i;

	if ((ps->used + 1) * 2 > ps->nslots) {
		struct frame_slot *old = ps->slots;
		size_t n = ps->nslots, k;

		ps->nslots = n ? n * 2 : 4096;
		ps->slots = xcalloc(ps->nslots, sizeof(*ps->slots));
		for (k = 0; ps->texts && k < TEXT_CACHE; k++)
			ps->texts[k].hash = 0; /* their slot indices move */
		for (k = 0; k < n; k++) {
			if (!old[k].hash)
				continue;
			for (i = old[k].hash & (ps->nslots - 1); ps->slots[i].hash;
			     i = (i + 1) & (ps->nslots - 1))
				;
			ps->slots[i] = old[k];
		}
		free(old);
	}
	mask = ps->nslots - 1;
	for (i = hash & mask; ps->slots[i].hash; i = (i + 1) & mask)
		if (ps->slots[i].hash == hash && ps->slots[i].len == len &&
		    memcmp(ps->slots[i].text, text, len) == 0)
			break;
	return &ps->slots[i];
}

/*
 * Splits a frame's text ([text, text + len): "sym+0x1f (dso)") into the
 * function's name without the offset, [text, text + *sym_len), and the
 * module, [*dso, *dso + *dso_len) (*dso NULL when there is none: the
 * module is the parenthesized group at the end, after a space).
 */
static void split_frame(const char *text, size_t len, size_t *sym_len, const char **dso,
			size_t *dso_len)
{
	const char *sym_end = text + len, *plus;

	*dso = NULL;
	*dso_len = 0;
	if (len > 0 && text[len - 1] == ')') {
		const char *q = memrchr(text, '(', len - 1);
		int depth = 0;

		/* Mostly "(/usr/lib/libc.so.6)"; "(/bin/x (deleted))" nests. */
		if (q && memchr(q, ')', (size_t)(text + len - 1 - q)))
			for (q = text + len - 1; q >= text; q--) {
				if (*q == ')')
					depth++;
				else if (*q == '(' && --depth == 0)
					break;
			}
		if (q && q > text && is_space(q[-1])) {
			*dso = q + 1;
			*dso_len = (size_t)(text + len - 1 - *dso);
			sym_end = q - 1;
			while (sym_end > text && is_space(sym_end[-1]))
				sym_end--;
		}
	}
	*sym_len = (size_t)(sym_end - text);
	plus = *sym_len > 3 ? memrchr(text, '+', *sym_len) : NULL;
	if (plus && plus + 3 <= sym_end && plus[1] == '0' && plus[2] == 'x') {
		const char *h = plus + 3;

		while (h < sym_end && is_xdigit(*h))
			h++;
		if (h == sym_end && h > plus + 3)
			*sym_len = (size_t)(plus - text);
	}
}

/* Interns the frame of a key (see parse_frame) as `kind`. */
static uint32_t intern_key(struct perf_script *ps, const char *key, size_t sym_len,
			   size_t len, enum profile_frame_kind kind)
{
	char *name = xstrndup(key, sym_len), *module = xstrndup(key + sym_len + 1,
								len - sym_len - 1);
	uint32_t frame = profile_intern_frame_ids(ps->p,
						  profile_intern_string(ps->p,
									sym_len ? name : "[unknown]"),
						  profile_intern_string(ps->p, module), kind);

	free(module);
	free(name);
	return frame;
}

/* Whether the module `dso` names the kernel ("[kernel.*]"), and sets
 * *by_address when the text leaves it to the address. */
static bool kernel_module(const char *dso, size_t dso_len, bool *by_address)
{
	*by_address = !dso || (dso_len > 0 && dso[0] == '[');
	if (!dso)
		return false;
	if ((dso_len > 8 && memcmp(dso, "[kernel.", 8) == 0) ||
	    (dso_len > 13 && memcmp(dso, "[guest.kernel", 13) == 0)) {
		*by_address = false;
		return true;
	}
	return false; /* [unknown], [vdso], a kernel module's [name]: the address says */
}

/*
 * The slot of the function and module of a frame's text ([text, text +
 * len)), filled when new: the key is the name (its offset cut off), a
 * newline (no line has one) and the module. NULL (`err` filled) past
 * IMPORT_MAX_NODES functions.
 */
static struct frame_slot *key_slot(struct perf_script *ps, const char *text, size_t len,
				   struct ft_error *err)
{
	struct frame_slot *slot;
	size_t sym_len, dso_len, klen;
	const char *dso;
	uint64_t hash;

	split_frame(text, len, &sym_len, &dso, &dso_len);
	memcpy(ps->key, text, sym_len);
	ps->key[sym_len] = '\n';
	memcpy(ps->key + sym_len + 1, dso ? dso : "", dso_len);
	klen = sym_len + 1 + dso_len;
	hash = text_hash(ps->key, klen);
	slot = find_slot(ps, ps->key, klen, hash);
	if (slot->hash)
		return slot;
	if (ps->used >= IMPORT_MAX_NODES) {
		error_set(err, "%s:%llu: more than %u distinct frames (the limit)", ps->name,
			  (unsigned long long)ps->lineno, IMPORT_MAX_NODES);
		return NULL;
	}
	slot->hash = hash;
	slot->text = xstrndup(ps->key, klen);
	slot->len = (uint32_t)klen;
	slot->sym_len = (uint32_t)sym_len;
	slot->frame[0] = slot->frame[1] = PROFILE_NO_FRAME;
	if (kernel_module(dso, dso_len, &slot->kind_by_address))
		slot->frame[0] = slot->frame[1] =
			intern_key(ps, slot->text, sym_len, klen, PROFILE_FRAME_KERNEL);
	ps->used++;
	return slot;
}

/*
 * The frame of a frame line `s` ([s, end): an optional hex address, the
 * symbol, the module in parentheses), interned. This is the hot path: a
 * text seen recently costs a hash and a compare; another is split into
 * its function and module (the symbol's offset cut off), which a table
 * small enough to stay in cache maps to the frame. 0, or -1 with `err`
 * filled.
 */
static int parse_frame(struct perf_script *ps, const char *s, const char *end, uint32_t *frame,
		       struct ft_error *err)
{
	const char *t, *text;
	struct frame_slot *slot;
	struct text_slot *ts;
	uint64_t hash;
	size_t len;
	int kind = PROFILE_FRAME_USER;

	s = skip_spaces(s);
	t = s;
	while (is_xdigit(*t))
		t++;
	if (!(t > s && t - s <= 16 && (is_space(*t) || *t == '\0')))
		t = s; /* no address */
	text = skip_spaces(t);
	while (end > text && is_space(end[-1]))
		end--;
	len = (size_t)(end - text);
	if (len == 0) {
		error_set(err, "%s:%llu: a frame without a symbol", ps->name,
			  (unsigned long long)ps->lineno);
		return -1;
	}
	if (len > IMPORT_MAX_NAME) {
		error_set(err, "%s:%llu: a frame longer than %u bytes", ps->name,
			  (unsigned long long)ps->lineno, IMPORT_MAX_NAME);
		return -1;
	}
	if (!ps->texts)
		ps->texts = xcalloc(TEXT_CACHE, sizeof(*ps->texts));
	hash = edge_hash(text, len);
	ts = &ps->texts[hash & (TEXT_CACHE - 1)];
	if (ts->hash == hash && ts->len == len && memcmp(ts->text, text, len) == 0) {
		slot = &ps->slots[ts->slot];
	} else {
		slot = key_slot(ps, text, len, err);
		if (!slot)
			return -1;
		if (ts->cap < len) {
			ts->cap = (uint32_t)len;
			ts->text = xrealloc(ts->text, len);
		}
		memcpy(ts->text, text, len);
		ts->len = (uint32_t)len;
		ts->hash = hash;
		ts->slot = (uint32_t)(slot - ps->slots);
	}
	/* A kernel address has the top bit set; all ones is perf's "none". */
	if (slot->kind_by_address && t - s == 16 && *s >= '8' && strspn(s, "f") < 16)
		kind = PROFILE_FRAME_KERNEL;
	if (slot->frame[kind] == PROFILE_NO_FRAME)
		slot->frame[kind] = intern_key(ps, slot->text, slot->sym_len, slot->len,
					       (enum profile_frame_kind)kind);
	*frame = slot->frame[kind];
	return 0;
}

/* Whether `node` is the stack chain[0..n) (leaf first). */
static bool is_stack(const struct profile *p, uint32_t node, const uint32_t *chain, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (node == PROFILE_ROOT || p->nodes[node].frame != chain[i])
			return false;
		node = p->nodes[node].parent;
	}
	return node == PROFILE_ROOT;
}

/* "NAME:LINE" of the sample being added: its sample line (an import_where_fn). */
static void where_sample(const void *ctx, char *buf, size_t size)
{
	const struct perf_script *ps = ctx;

	snprintf(buf, size, "%s:%llu", ps->name, (unsigned long long)ps->sample_lineno);
}

/* Adds the sample read so far, if any. 0, or -1 with `err` filled. */
static int emit(struct perf_script *ps, struct ft_error *err)
{
	uint32_t stack[IMPORT_MAX_FRAMES];
	const uint32_t *chain = ps->chain;
	struct stack_slot *slot;
	size_t n = ps->nchain, i;
	uint64_t hash;

	if (!ps->pending)
		return 0;
	ps->pending = false;
	hash = ps->chain_hash;
	if (n == 0 && ps->have_inline) {
		chain = &ps->inline_frame;
		n = 1;
		hash = ps->inline_frame * 0x9e3779b97f4a7c15u;
	}
	hash = (hash ^ n) * 0xbf58476d1ce4e5b9u;
	hash = hash ? hash : 1;
	slot = &ps->stacks[hash & (STACK_CACHE - 1)];
	if (slot->hash != hash || !is_stack(ps->p, slot->node, chain, n)) {
		for (i = 0; i < n; i++) /* outermost first */
			stack[i] = chain[n - 1 - i];
		slot->hash = hash;
		slot->node = import_sink_stack(ps->sink, stack, n);
	}
	ps->sample.node = slot->node;
	return import_sink_sample(ps->sink, &ps->sample, err);
}

/* How the name of a record that is not a sample starts (perf script
 * --show-*-events prints them among the samples). */
#define SIDE_BAND "PERF_RECORD_"

/* The fields of a sample line. */
struct sample_line {
	const char *comm_end; /* the command name is [line start, comm_end) */
	uint32_t pid, tid, cpu;
	uint64_t time, period;
	const char *bad_time; /* a time that is not a number, [bad_time, bad_time_end) */
	const char *bad_time_end;
	bool with_period;
	const char *ev; /* the event name, [ev, ev_end); NULL: the line has none */
	const char *ev_end;
	const char *rest; /* what follows the event's ':' */
};

/* The ':' that ends the event name at `s` (the first that ends a word, no
 * space before it), or NULL when there is none. */
static const char *event_end(const char *s)
{
	const char *t;

	for (t = s; *t && !is_space(*t); t++)
		if (*t == ':' && (t[1] == '\0' || is_space(t[1])))
			return t > s ? t : NULL;
	return NULL;
}

/*
 * Whether the word at `s`, not a time, stands where the time does: it ends
 * in ':' and a period and an event follow ("x: 10 cpu-clock:"). The word's
 * ':', or NULL.
 */
static const char *misplaced_time(const char *s)
{
	size_t len = strcspn(s, " \t");
	uint64_t period;
	const char *q;

	if (len == 0 || s[len - 1] != ':')
		return NULL;
	q = parse_u63(skip_spaces(s + len), &period);
	if (!q || !is_space(*q) || !event_end(skip_spaces(q)))
		return NULL;
	return s + len - 1;
}

/* Reads a sample line from its PID token `s` on. Whether it is one (with
 * f->bad_time set when its time is not a number). */
static bool scan_from(const char *s, struct sample_line *f)
{
	const char *q, *t;
	bool timed;

	q = parse_u32(s, &f->pid);
	if (!q)
		return false;
	f->tid = f->pid;
	if (*q == '/') {
		q = parse_u32(q + 1, &f->tid);
		if (!q)
			return false;
	}
	if (!is_space(*q))
		return false;
	q = skip_spaces(q);
	f->cpu = 0;
	if (*q == '[') {
		q = parse_u32(q + 1, &f->cpu);
		if (!q || *q != ']' || f->cpu > UINT16_MAX)
			return false;
		q = skip_spaces(q + 1);
	}
	f->time = 0;
	f->bad_time = NULL;
	timed = false;
	if (is_digit(*q) && (t = parse_time(q, &f->time))) {
		q = skip_spaces(t);
		timed = true;
	} else if ((t = misplaced_time(q))) {
		f->bad_time = q;
		f->bad_time_end = t;
		q = skip_spaces(t + 1);
	}
	f->with_period = false;
	if (is_digit(*q)) {
		t = parse_u63(q, &f->period);
		if (!t || !is_space(*t))
			return false;
		f->with_period = true;
		q = skip_spaces(t);
	}
	/* perf script -F without the event field: the line ends after its
	 * time (which only a sample line has), or the period after it. */
	if (!*q && timed) {
		f->ev = f->ev_end = NULL;
		f->rest = q;
		return true;
	}
	/* No event name starts with a digit: this token was a word of the
	 * command's name ("worker 3  4321 1.5: 10 cpu-clock:" read from "3"
	 * would make 4321 the period and "1.5" the event). */
	if (is_digit(*q))
		return false;
	if (strncmp(q, SIDE_BAND, strlen(SIDE_BAND)) == 0) {
		/* A side-band record (--show-mmap-events, --show-task-events):
		 * "PERF_RECORD_MMAP2 1/1: [...]", "PERF_RECORD_FORK(1:2):(1:1)". */
		f->ev = q;
		f->ev_end = q + strcspn(q, " \t:(");
		f->rest = f->ev_end;
		return true;
	}
	f->ev = q;
	f->ev_end = event_end(q);
	if (!f->ev_end)
		return false;
	f->rest = skip_spaces(f->ev_end + 1);
	return true;
}

/*
 * Reads `line` as a sample line: the command name, then the first token
 * from which the rest reads as a sample line; or, without the comm field
 * (perf script -F tid,time,...), the line from its first token, a PID.
 * Whether it is one.
 */
static bool scan_sample(const char *line, struct sample_line *f)
{
	const char *s = skip_spaces(line);
	int tokens = 0;

	if (is_digit(*s) && scan_from(s, f)) {
		f->comm_end = s;
		return true;
	}
	while (*s && tokens < 8) {
		while (*s && !is_space(*s))
			s++;
		s = skip_spaces(s);
		tokens++;
		if (is_digit(*s) && scan_from(s, f)) {
			f->comm_end = s;
			return true;
		}
	}
	return false;
}

/* Adds the events perf's header names, once, in the unit of a sample line
 * with a period or without (`with_period`). 0, or -1 with `err` filled. */
static int add_header_events_as(struct perf_script *ps, bool with_period, struct ft_error *err)
{
	uint32_t id;
	size_t i;

	if (ps->header_done)
		return 0;
	ps->header_done = true;
	for (i = 0; i < ps->nheader; i++)
		if (event_id(ps, ps->header_names[i], strlen(ps->header_names[i]), with_period,
			     &id, err) < 0)
			return -1;
	return 0;
}

/* Adds the events perf's header names before the first sample, that of
 * the line `f`, in its unit; a line without its event field is none of
 * several, which are then left out (no sample would be theirs). 0, or -1
 * with `err` filled. */
static int add_header_events(struct perf_script *ps, const struct sample_line *f,
			     struct ft_error *err)
{
	if (ps->header_done)
		return 0;
	if (!f->ev && ps->nheader > 1) {
		ps->header_done = true;
		return 0;
	}
	return add_header_events_as(ps, f->with_period, err);
}

/* A side-band line `f` that says records were lost (--show-lost-events:
 * "PERF_RECORD_LOST lost 259", perf's count of any records, as ours):
 * adds them to the session's count. */
static void add_lost(struct perf_script *ps, const struct sample_line *f)
{
	static const char lost[] = SIDE_BAND "LOST", lost_samples[] = SIDE_BAND "LOST_SAMPLES";
	size_t len = (size_t)(f->ev_end - f->ev);
	const char *q = skip_spaces(f->ev_end);
	uint64_t n;

	if (!(len == strlen(lost) && memcmp(f->ev, lost, len) == 0) &&
	    !(len == strlen(lost_samples) && memcmp(f->ev, lost_samples, len) == 0))
		return;
	if (strncmp(q, "lost ", 5) == 0 && parse_u63(skip_spaces(q + 5), &n))
		import_sink_lost(ps->sink, n);
}

/*
 * Refuses the times of perf script --deltatime, each since the sample
 * before, which are no timeline: perf prints samples in time order, so a
 * time before the one before it, when the first was 0.000000 (a delta's,
 * never a clock's), is a delta. 0, or -1 with `err` filled.
 */
static int check_time(struct perf_script *ps, const struct sample_line *f, struct ft_error *err)
{
	if (!ps->any_sample) {
		ps->any_sample = true;
		ps->first_at_zero = f->time == 0;
	} else if (ps->first_at_zero && f->time < ps->last_time) {
		error_set(err,
			  "%s:%llu: times since the sample before (perf script --deltatime), "
			  "not a timeline; print perf script without --deltatime",
			  ps->name, (unsigned long long)ps->lineno);
		return -1;
	}
	ps->last_time = f->time;
	return 0;
}

/* Starts the sample of the sample line `line` (its fields `f`). 0, or -1
 * with `err` filled. */
static int start_sample(struct perf_script *ps, char *line, const struct sample_line *f,
			struct ft_error *err)
{
	struct profile_sample *smp = &ps->sample;
	const char *comm = skip_spaces(line), *comm_end = f->comm_end, *q;
	size_t comm_len;
	uint32_t event;

	if (emit(ps, err) < 0 || check_time(ps, f, err) < 0)
		return -1;
	memset(smp, 0, sizeof(*smp));
	smp->pid = f->pid;
	smp->tid = f->tid;
	smp->cpu = (uint16_t)f->cpu;
	smp->time = f->time;
	smp->weight = f->with_period ? f->period : 1;
	if (add_header_events(ps, f, err) < 0)
		return -1;
	if (!f->ev) {
		/* No event on the line: the one perf's header names alone;
		 * else one named so. */
		const char *name = ps->nheader == 1 ? ps->header_names[0] : "unknown-event";

		if (event_id(ps, name, strlen(name), f->with_period, &event, err) < 0)
			return -1;
	} else if (event_id(ps, f->ev, (size_t)(f->ev_end - f->ev), f->with_period, &event,
			    err) < 0) {
		return -1;
	}
	smp->event = (uint16_t)event;
	ps->pending = true;
	ps->sample_lineno = ps->lineno;
	ps->nchain = 0;
	ps->chain_hash = 0;
	ps->have_inline = false;

	/* The thread's name, when it changed. */
	while (comm_end > comm && is_space(comm_end[-1]))
		comm_end--;
	comm_len = (size_t)(comm_end - comm);
	if (comm_len >= sizeof(ps->last_comm))
		comm_len = sizeof(ps->last_comm) - 1;
	/* Without the comm field (comm_len 0), the thread stays unnamed. */
	if (comm_len > 0 &&
	    (!ps->have_last || ps->last_tid != f->tid || strlen(ps->last_comm) != comm_len ||
	     memcmp(ps->last_comm, comm, comm_len) != 0)) {
		memcpy(ps->last_comm, comm, comm_len);
		ps->last_comm[comm_len] = '\0';
		ps->last_tid = f->tid;
		ps->have_last = true;
		import_sink_thread(ps->sink, f->pid, f->tid, ps->last_comm);
	}

	/* A frame on the line itself (no callchain): "ADDR SYM (DSO)". */
	q = f->rest;
	if (is_xdigit(*q)) {
		const char *a = q;

		while (is_xdigit(*a))
			a++;
		if (is_space(*a)) {
			if (parse_frame(ps, q, q + strlen(q), &ps->inline_frame, err) < 0)
				return -1;
			ps->have_inline = true;
		}
	}
	return 0;
}

/* An event perf's header names, `name` ([0, len), without modifiers):
 * kept for the first sample, or added now when that has been read or
 * when the header names more events than a session holds (which is then
 * refused). 0, or -1 with `err` filled. */
static int header_event(struct perf_script *ps, const char *name, size_t len,
			struct ft_error *err)
{
	uint32_t id;
	size_t i;

	if (!ps->header_done) {
		for (i = 0; i < ps->nheader; i++)
			if (strlen(ps->header_names[i]) == len &&
			    memcmp(ps->header_names[i], name, len) == 0)
				return 0;
		if (ps->nheader < IMPORT_MAX_EVENTS) {
			ps->header_names = xreallocarray(ps->header_names, ps->nheader + 1,
							 sizeof(*ps->header_names));
			ps->header_names[ps->nheader++] = xstrndup(name, len);
			return 0;
		}
	}
	if (add_header_events_as(ps, true, err) < 0)
		return -1;
	return event_id(ps, name, len, true, &id, err);
}

/* perf's header: "# hostname : vm", "# event : name = cpu-clock, ...".
 * 0, or -1 with `err` filled (too many events). */
static int parse_header(struct perf_script *ps, const char *line, struct ft_error *err)
{
	const char *v;

	if (strncmp(line, "# hostname : ", 13) == 0) {
		import_sink_meta(ps->sink, IMPORT_META_HOST, line + 13);
	} else if (strncmp(line, "# os release : ", 15) == 0) {
		import_sink_meta(ps->sink, IMPORT_META_KERNEL, line + 15);
	} else if (strncmp(line, "# event : name = ", 17) == 0) {
		v = line + 17;
		return header_event(ps, v, strip_modifiers(v, strcspn(v, ",")), err);
	}
	return 0;
}

bool import_perf_script_detect(const char *head, size_t len)
{
	struct sample_line f;
	char *copy, *line, *nl;
	bool yes = false;
	int lines = 0;

	if (len >= 10 && memcmp(head, "# ========", 10) == 0)
		return true;
	/* The first sample line (comments and callchains skipped) decides. */
	copy = xstrndup(head, len);
	for (line = copy; line && lines < 16; line = nl, lines++) {
		nl = strchr(line, '\n');
		if (nl)
			*nl++ = '\0';
		else if (line != copy && len == IMPORT_DETECT_BYTES)
			break; /* a cut last line proves nothing */
		if (*line == '#' || *line == '\0' || *line == '\t')
			continue;
		yes = scan_sample(line, &f);
		break;
	}
	free(copy);
	return yes;
}

int import_perf_script_run(struct import_input *in, struct import_sink *sink,
			   struct ft_error *err)
{
	struct perf_script ps;
	struct sample_line f;
	int ret = -1, r;
	size_t len;
	char *line;

	memset(&ps, 0, sizeof(ps));
	ps.sink = sink;
	ps.p = import_sink_profile(sink);
	ps.name = import_input_name(in);
	ps.key = xmalloc(IMPORT_MAX_NAME + 2); /* a key is at most a frame's text and a byte */
	ps.chain = xreallocarray(NULL, IMPORT_MAX_FRAMES, sizeof(*ps.chain));
	import_sink_set_where(sink, where_sample, &ps);

	while ((r = import_input_line(in, &line, &len, err)) > 0) {
		ps.lineno = import_input_lineno(in);
		if (len == 0) {
			if (emit(&ps, err) < 0)
				goto out;
			continue;
		}
		if (line[0] == '#') {
			if (strncmp(line, "# ========", 10) == 0)
				ps.in_header = !ps.in_header;
			if (parse_header(&ps, line, err) < 0)
				goto out;
			continue;
		}
		if (ps.in_header)
			continue;
		if (line[0] == '\t' && ps.pending) {
			uint32_t frame;

			if (ps.nchain == IMPORT_MAX_FRAMES) {
				error_set(err, "%s:%llu: more than %u frames in one stack", ps.name,
					  (unsigned long long)ps.lineno, IMPORT_MAX_FRAMES);
				goto out;
			}
			if (parse_frame(&ps, line, line + len, &frame, err) < 0)
				goto out;
			ps.chain[ps.nchain++] = frame;
			ps.chain_hash = (ps.chain_hash ^ frame) * 0x9e3779b97f4a7c15u;
			continue;
		}
		if (scan_sample(line, &f)) {
			if (f.bad_time) {
				int n = (int)(f.bad_time_end - f.bad_time);

				error_set(err,
					  "%s:%llu: time '%.*s' is not a number of the form "
					  "SECONDS.FRACTION",
					  ps.name, (unsigned long long)ps.lineno, n > 32 ? 32 : n,
					  f.bad_time);
				goto out;
			}
			if (f.ev && strncmp(f.ev, SIDE_BAND, strlen(SIDE_BAND)) == 0) {
				/* A side-band record (--show-*-events), not a sample. */
				if (emit(&ps, err) < 0)
					goto out;
				add_lost(&ps, &f);
				continue;
			}
			if (start_sample(&ps, line, &f, err) < 0)
				goto out;
			continue;
		}
		if (ps.pending && line[0] == ' ')
			continue; /* a sample's detail line (-F srcline, brstack, ...) */
		error_set(err, "%s:%llu: not a perf script line (expected a sample: COMMAND PID "
			       "TIME: [PERIOD] [EVENT:], or a callchain frame)",
			  ps.name, (unsigned long long)ps.lineno);
		goto out;
	}
	/* A header without samples still names its events. */
	if (r == 0 && emit(&ps, err) == 0 && add_header_events_as(&ps, true, err) == 0)
		ret = 0;
out:
	import_sink_set_where(sink, NULL, NULL);
	for (size_t i = 0; i < ps.nevents; i++)
		free(ps.events[i].name);
	free(ps.events);
	for (size_t i = 0; i < ps.nheader; i++)
		free(ps.header_names[i]);
	free(ps.header_names);
	free(ps.chain);
	free(ps.key);
	for (size_t i = 0; i < ps.nslots; i++)
		free(ps.slots[i].text);
	free(ps.slots);
	for (size_t i = 0; ps.texts && i < TEXT_CACHE; i++)
		free(ps.texts[i].text);
	free(ps.texts);
	return ret;
}
