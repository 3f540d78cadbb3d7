/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Decoding perf records into pipeline records. Every event is opened with
 * the same sample_type (SAMPLER_SAMPLE_TYPE) and sample_id_all, so one
 * fixed layout serves them all: a sample starts with its IDENTIFIER, and
 * side-band records end with a 32-byte trailer {pid, tid, time, cpu,
 * identifier}. A profile type's event may add the user registers its
 * weight rule reads (an allocation's size); the identifier says which
 * member it is, and so its layout and its rule (types.h); a bare member's
 * samples (a call's exit) have no callchain. Context-switch
 * records go to the rules that asked for them, a thread's exit to every
 * rule. With --call-graph dwarf (SAMPLER_SAMPLE_TYPE_DWARF) a
 * sample goes on after its callchain with the user registers and a copy
 * of the user stack; the trailer does not change. Records shorter than their type needs are counted and
 * skipped, never read past. A group leader's sample also reads its group
 * (PERF_SAMPLE_READ): each member's count since its last read becomes a
 * sample of the member's event with the leader's stack.
 */
#include "config.h"

#include "flametop/sampler.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "types.h"

/* The sample_id trailer of side-band records, for SAMPLER_SAMPLE_TYPE. */
struct trailer {
	uint32_t pid, tid;
	uint64_t time;
	uint32_t cpu, res;
	uint64_t id;
};

struct cursor {
	const unsigned char *p, *end;
	bool short_read;
};

static uint64_t take_u64(struct cursor *c)
{
	uint64_t v = 0;

	if (c->end - c->p < 8) {
		c->short_read = true;
		c->p = c->end;
		return 0;
	}
	memcpy(&v, c->p, 8);
	c->p += 8;
	return v;
}

static void take_u32_pair(struct cursor *c, uint32_t *a, uint32_t *b)
{
	uint64_t v = take_u64(c);

	*a = (uint32_t)v;
	*b = (uint32_t)(v >> 32);
}

/* The member an event id belongs to, or NULL without members. */
static const struct sampler_member *member_of(const struct sampler_decoder *d, uint64_t id)
{
	uint32_t m = 0;

	if (!d->nmembers)
		return NULL;
	u64map_get(&d->id_event, id + 1, &m);
	return m < d->nmembers ? &d->members[m] : &d->members[0];
}

static uint32_t event_of(const struct sampler_decoder *d, uint64_t id)
{
	const struct sampler_member *m = member_of(d, id);
	uint32_t ev = 0;

	if (m)
		return m->event;
	u64map_get(&d->id_event, id + 1, &ev);
	return ev;
}

/*
 * PERF_SAMPLE_RAW: {u32 size; char data[size]}, the two 8-byte aligned
 * together. *raw and *size get the data; false when it runs past the end.
 */
static bool take_raw(struct cursor *c, const unsigned char **raw, uint32_t *size)
{
	uint32_t n;

	if (c->end - c->p < 4)
		return false;
	memcpy(&n, c->p, 4);
	if ((uint64_t)n > (uint64_t)(c->end - c->p) - 4)
		return false;
	*raw = c->p + 4;
	*size = n;
	c->p += 4 + (size_t)n;
	return true;
}

/*
 * The text a probe fetched into raw data `raw` of `size` bytes: the string
 * the __data_loc at `loc` (offset in its low 16 bits, length with the NUL
 * in its high 16) points to, or NULL when it is not one within the data.
 */
static const char *raw_text(const unsigned char *raw, uint32_t size, uint32_t loc)
{
	uint32_t v, off, len;

	if (!raw || !loc || (uint64_t)loc + 4 > size)
		return NULL;
	memcpy(&v, raw + loc, 4);
	off = v & 0xffff;
	len = v >> 16;
	if (!len || (uint64_t)off + len > size || raw[off + len - 1] != '\0')
		return NULL;
	return (const char *)raw + off;
}

/* The value of register `bit` in a sample's user registers, or 0. */
static uint64_t user_reg(const struct pipeline_sample *s, uint64_t mask, int bit)
{
	if (!s->user_regs || !(mask & (1ull << bit)))
		return 0;
	return s->user_regs[__builtin_popcountll(mask & ((1ull << bit) - 1))];
}

static bool read_trailer(const struct perf_event_header *h, size_t body, struct trailer *t)
{
	if (h->size < sizeof(*h) + body + sizeof(*t))
		return false;
	memcpy(t, (const unsigned char *)h + h->size - sizeof(*t), sizeof(*t));
	return true;
}

/* regs_user: {u64 abi; u64 regs[weight(mask)]}, no registers when abi is NONE. */
static int decode_user_regs(uint64_t mask, struct cursor *c, struct pipeline_sample *s)
{
	uint64_t n = (uint64_t)__builtin_popcountll(mask);

	s->user_abi = take_u64(c);
	if (c->short_read)
		return -EBADMSG;
	if (s->user_abi == PERF_SAMPLE_REGS_ABI_NONE)
		return 0;
	if (n > (uint64_t)(c->end - c->p) / 8)
		return -EBADMSG;
	s->user_regs_mask = mask;
	s->user_regs = (const uint64_t *)c->p;
	c->p += n * 8;
	return 0;
}

/* stack_user: {u64 size; char data[size]; u64 dyn_size}, dyn_size only when size != 0. */
static int decode_user_stack(struct cursor *c, struct pipeline_sample *s)
{
	uint64_t size = take_u64(c), dyn;
	const unsigned char *data;

	if (c->short_read)
		return -EBADMSG;
	if (size == 0)
		return 0;
	if (size > (uint64_t)(c->end - c->p) || (uint64_t)(c->end - c->p) - size < 8)
		return -EBADMSG;
	data = c->p;
	c->p += size;
	dyn = take_u64(c);
	s->user_stack = data;
	s->user_stack_size = size;
	s->user_stack_dyn_size = dyn < size ? dyn : size;
	return 0;
}

#define ENTRY_MAX_IPS 512

/*
 * A sample at a function's entry, in frame-pointer mode: the walk started
 * at the function's first instruction (the first user address) and went
 * on from the caller's frame pointer, so it skipped the caller. The
 * return address is the 8 bytes the sample copied from the stack pointer:
 * it goes into `buf` after the first user address, and `s` points there.
 */
static void put_caller(struct pipeline_sample *s, uint64_t *buf)
{
	uint64_t ret;
	uint32_t i;

	if (!s->user_stack || s->user_stack_dyn_size < 8 || s->nr_ips >= ENTRY_MAX_IPS)
		return;
	memcpy(&ret, s->user_stack, 8);
	for (i = 0; i + 1 < s->nr_ips; i++)
		if (s->ips[i] == PERF_CONTEXT_USER)
			break;
	if (i + 1 >= s->nr_ips || ret == 0 || ret >= PERF_CONTEXT_MAX)
		return;
	memcpy(buf, s->ips, (i + 2) * sizeof(*buf));
	buf[i + 2] = ret;
	memcpy(buf + i + 3, s->ips + i + 2, (s->nr_ips - i - 2) * sizeof(*buf));
	s->ips = buf;
	s->nr_ips++;
}

/*
 * Hands a decoded sample to its member's rule, and to the rule of each
 * member sharing its perf event, or to the sink. Registers the rules asked
 * for are read out, then hidden from what goes on when the unwinder did
 * not ask for registers itself.
 */
static int deliver(struct sampler_decoder *d, const struct sampler_member *m,
		   struct pipeline_sample *s, const char *text)
{
	bool dwarf = d->sample_type & PERF_SAMPLE_STACK_USER;
	uint64_t ips[ENTRY_MAX_IPS + 1];
	struct type_hit hit;
	int ret;

	if (!m)
		return d->sink->ops->sample ? d->sink->ops->sample(d->sink->ctx, s) : 0;
	hit.regs[TYPE_R_AX] = user_reg(s, s->user_regs_mask, 0);
	hit.regs[TYPE_R_SI] = user_reg(s, s->user_regs_mask, 4);
	hit.regs[TYPE_R_DI] = user_reg(s, s->user_regs_mask, 5);
	hit.text = text;
	if (m->entry && !dwarf)
		put_caller(s, ips);
	if ((m->rule_regs || m->entry) && !dwarf) {
		s->user_abi = 0;
		s->user_regs_mask = 0;
		s->user_regs = NULL;
		s->user_stack = NULL;
		s->user_stack_size = 0;
		s->user_stack_dyn_size = 0;
	}
	for (;;) {
		s->event = m->event;
		if (m->type && m->type->sample)
			ret = m->type->sample(m->state, m->role, s, &hit, d->sink);
		else
			ret = d->sink->ops->sample ? d->sink->ops->sample(d->sink->ctx, s) : 0;
		if (ret || !m->next || m->next >= d->nmembers)
			return ret;
		m = &d->members[m->next];
	}
}

/* The key of a counter instance in group_index: never 0. */
static uint64_t count_key(const struct sampler_decoder *d, uint64_t id, uint32_t tid)
{
	uint64_t key = d->group_by_thread ? (id << 32) ^ tid : id;

	return key ? key : ~0ull;
}

/*
 * What counter `id` (of thread `tid`) counted since its last read, now
 * that it reads `value`; remembered for the next read. A counter read for
 * the first time counted all of `value`; one that reads less than before
 * is a new instance (a thread id used again): it also counted all of it.
 * Returns false for a counter past SAMPLER_MAX_GROUP_COUNTS.
 */
static bool count_delta(struct sampler_decoder *d, uint64_t id, uint32_t tid, uint64_t value,
			uint64_t *delta)
{
	uint64_t key = count_key(d, id, tid);
	struct sampler_group_count *c;
	uint32_t slot;

	if (!u64map_get(&d->group_index, key, &slot)) {
		if (d->ngroup_counts == SAMPLER_MAX_GROUP_COUNTS)
			return false;
		if (d->ngroup_counts == d->group_counts_cap) {
			d->group_counts_cap = d->group_counts_cap ? d->group_counts_cap * 2 : 64;
			d->group_counts = xreallocarray(d->group_counts, d->group_counts_cap,
							sizeof(*d->group_counts));
		}
		slot = (uint32_t)d->ngroup_counts++;
		u64map_put(&d->group_index, key, slot);
		d->group_counts[slot] = (struct sampler_group_count){ id, tid, 0 };
	}
	c = &d->group_counts[slot];
	if (c->id != id || c->tid != (d->group_by_thread ? tid : c->tid) || value < c->value) {
		/* Another counter under the same key, or a new instance. */
		c->id = id;
		c->tid = tid;
		c->value = 0;
	}
	*delta = value - c->value;
	c->value = value;
	return true;
}

/*
 * The members of a group read (`nr` pairs {value, id} at `reads`), after
 * the leader's sample `s` went on: each member's count since its last
 * read, as a sample of its event. The leader's own value (its sample's
 * event) and ids of no member are skipped; a member that counted nothing
 * makes no sample.
 */
static int deliver_group(struct sampler_decoder *d, const struct pipeline_sample *s,
			 const unsigned char *reads, uint64_t nr)
{
	struct pipeline_sample ms;
	uint64_t i, value, id, delta;
	uint32_t idx;
	int ret;

	if (!d->sink->ops->sample)
		return 0;
	for (i = 0; i < nr; i++) {
		memcpy(&value, reads + i * 16, 8);
		memcpy(&id, reads + i * 16 + 8, 8);
		if (!u64map_get(&d->id_event, id + 1, &idx))
			continue;
		if (d->nmembers) {
			if (idx >= d->nmembers)
				continue;
			idx = d->members[idx].event;
		}
		if (idx == s->event)
			continue;
		if (!count_delta(d, id, s->tid, value, &delta)) {
			d->group_dropped++;
			continue;
		}
		if (!delta)
			continue;
		ms = *s;
		ms.event = idx;
		ms.period = delta;
		ms.same_stack = true;
		ret = d->sink->ops->sample(d->sink->ctx, &ms);
		if (ret)
			return ret;
	}
	return 0;
}

void sampler_decode_free(struct sampler_decoder *d)
{
	u64map_free(&d->spawned);
	u64map_free(&d->group_index);
	free(d->group_counts);
	d->group_counts = NULL;
	d->ngroup_counts = d->group_counts_cap = 0;
}

static int decode_sample(struct sampler_decoder *d, const struct perf_event_header *h)
{
	struct cursor c = { (const unsigned char *)(h + 1), (const unsigned char *)h + h->size,
			    false };
	const struct sampler_member *m;
	uint64_t sample_type = d->sample_type ? d->sample_type : SAMPLER_SAMPLE_TYPE;
	uint64_t regs_mask = d->regs_user_mask;
	const unsigned char *reads = NULL, *raw = NULL;
	struct pipeline_sample s;
	uint64_t id, nr, nreads = 0;
	uint32_t res, raw_size = 0;
	int ret;

	memset(&s, 0, sizeof(s));
	id = take_u64(&c);
	m = member_of(d, id);
	if (m) {
		sample_type = m->sample_type;
		regs_mask = m->regs_user_mask;
	}
	s.ip = take_u64(&c); /* in frame-pointer mode the callchain repeats it */
	take_u32_pair(&c, &s.pid, &s.tid);
	s.time = take_u64(&c);
	if (d->drop_after && s.time > d->drop_after)
		return 0; /* past the end: not worth its symbols */
	take_u32_pair(&c, &s.cpu, &res);
	s.period = sample_type & PERF_SAMPLE_PERIOD ? take_u64(&c) : m ? m->period : 0;
	if (sample_type & PERF_SAMPLE_READ) {
		nreads = take_u64(&c);
		if (c.short_read || nreads > SAMPLER_MAX_EVENTS ||
		    nreads > (uint64_t)(c.end - c.p) / 16) {
			d->malformed++;
			return 0;
		}
		reads = c.p;
		c.p += nreads * 16;
	}
	nr = sample_type & PERF_SAMPLE_CALLCHAIN ? take_u64(&c) : 0;
	if (c.short_read || nr > (uint64_t)(c.end - c.p) / 8) {
		d->malformed++;
		return 0;
	}
	s.event = event_of(d, id);
	s.nr_ips = (uint32_t)nr;
	/* Records are 8-byte aligned in the ring and in the copy buffer. */
	s.ips = (const uint64_t *)c.p;
	c.p += nr * 8;
	if ((sample_type & PERF_SAMPLE_RAW) && !take_raw(&c, &raw, &raw_size)) {
		d->malformed++;
		return 0;
	}
	if ((sample_type & PERF_SAMPLE_REGS_USER) && decode_user_regs(regs_mask, &c, &s) < 0) {
		d->malformed++;
		return 0;
	}
	if ((sample_type & PERF_SAMPLE_STACK_USER) && decode_user_stack(&c, &s) < 0) {
		d->malformed++;
		return 0;
	}
	ret = deliver(d, m, &s, m ? raw_text(raw, raw_size, m->text_loc) : NULL);
	if (ret || !nreads)
		return ret;
	return deliver_group(d, &s, reads, nreads);
}

/*
 * PERF_RECORD_SWITCH (a task's own event) and SWITCH_CPU_WIDE (a CPU's):
 * the trailer names the thread switched out or in, and when.
 */
static int decode_switch(struct sampler_decoder *d, const struct perf_event_header *h)
{
	const struct sampler_member *m;
	size_t body = h->type == PERF_RECORD_SWITCH_CPU_WIDE ? 8 : 0;
	struct trailer t;
	int ret = 0;

	if (!read_trailer(h, body, &t)) {
		d->malformed++;
		return 0;
	}
	d->switches++;
	for (m = member_of(d, t.id); m && !ret;
	     m = m->next && m->next < d->nmembers ? &d->members[m->next] : NULL)
		if (m->type && m->type->sched)
			ret = m->type->sched(m->state, t.tid, t.time,
					     h->misc & PERF_RECORD_MISC_SWITCH_OUT,
					     h->misc & PERF_RECORD_MISC_SWITCH_OUT_PREEMPT,
					     d->sink);
	return ret;
}

static int decode_mmap2(struct sampler_decoder *d, const struct perf_event_header *h)
{
	const unsigned char *p = (const unsigned char *)(h + 1);
	const size_t fixed = 4 + 4 + 8 + 8 + 8 + 24 + 4 + 4;
	struct pipeline_mmap m;
	struct trailer t;
	const char *name, *end;

	if (!read_trailer(h, fixed + 1, &t)) {
		d->malformed++;
		return 0;
	}
	memset(&m, 0, sizeof(m));
	memcpy(&m.pid, p, 4);
	memcpy(&m.tid, p + 4, 4);
	memcpy(&m.start, p + 8, 8);
	memcpy(&m.len, p + 16, 8);
	memcpy(&m.pgoff, p + 24, 8);
	/* The device and inode, as our events ask (no build_id): the misc
	 * bit that would say "a build id" may be set on them anyway when
	 * another session's events ask for build ids, so it is not read. */
	memcpy(&m.maj, p + 32, 4);
	memcpy(&m.min, p + 36, 4);
	memcpy(&m.ino, p + 40, 8);
	memcpy(&m.prot, p + 56, 4);
	memcpy(&m.flags, p + 60, 4);
	name = (const char *)p + fixed;
	end = (const char *)h + h->size - sizeof(t);
	if (!memchr(name, '\0', (size_t)(end - name))) {
		d->malformed++;
		return 0;
	}
	m.filename = name;
	m.time = t.time;
	if (!d->sink->ops->mmap)
		return 0;
	return d->sink->ops->mmap(d->sink->ctx, &m);
}

static int decode_comm(struct sampler_decoder *d, const struct perf_event_header *h)
{
	const unsigned char *p = (const unsigned char *)(h + 1);
	struct pipeline_comm c;
	struct trailer t;
	const char *end;

	if (!read_trailer(h, 8 + 1, &t)) {
		d->malformed++;
		return 0;
	}
	memcpy(&c.pid, p, 4);
	memcpy(&c.tid, p + 4, 4);
	c.comm = (const char *)p + 8;
	end = (const char *)h + h->size - sizeof(t);
	if (!memchr(c.comm, '\0', (size_t)(end - c.comm))) {
		d->malformed++;
		return 0;
	}
	c.exec = h->misc & PERF_RECORD_MISC_COMM_EXEC;
	c.time = t.time;
	if (!d->sink->ops->comm)
		return 0;
	return d->sink->ops->comm(d->sink->ctx, &c);
}

/* Tells each rule once (members of one type share its state) that `tid` exited. */
static void exit_to_rules(const struct sampler_decoder *d, uint32_t tid, uint64_t time)
{
	size_t i, j;

	for (i = 0; i < d->nmembers; i++) {
		const struct sampler_member *m = &d->members[i];

		if (!m->type || !m->type->exit)
			continue;
		for (j = 0; j < i && d->members[j].state != m->state; j++)
			;
		if (j == i)
			m->type->exit(m->state, tid, time);
	}
}

/* d->spawned without its exited processes. */
static void compact_spawned(struct sampler_decoder *d)
{
	struct u64map kept;
	size_t i;

	u64map_init(&kept);
	for (i = 0; i < d->spawned.cap; i++)
		if (d->spawned.keys[i] && d->spawned.values[i])
			u64map_put(&kept, d->spawned.keys[i], 1);
	u64map_free(&d->spawned);
	d->spawned = kept;
}

/* A process forked (a fork whose child is a new process) or ended (its first thread's exit). */
static void track_spawned(struct sampler_decoder *d, const struct pipeline_task *t)
{
	uint32_t running;

	if (t->exit) {
		if (t->pid == t->tid && u64map_get(&d->spawned, (uint64_t)t->pid + 1, &running))
			u64map_put(&d->spawned, (uint64_t)t->pid + 1, 0);
		return;
	}
	if (t->pid == t->ppid)
		return; /* a thread */
	if (d->spawned.len >= SAMPLER_MAX_SPAWNED)
		compact_spawned(d);
	if (d->spawned.len < SAMPLER_MAX_SPAWNED)
		u64map_put(&d->spawned, (uint64_t)t->pid + 1, 1);
}

static int decode_task(struct sampler_decoder *d, const struct perf_event_header *h)
{
	const unsigned char *p = (const unsigned char *)(h + 1);
	struct pipeline_task t;
	struct trailer tr;

	if (!read_trailer(h, 16 + 8, &tr)) {
		d->malformed++;
		return 0;
	}
	memcpy(&t.pid, p, 4);
	memcpy(&t.ppid, p + 4, 4);
	memcpy(&t.tid, p + 8, 4);
	memcpy(&t.ptid, p + 12, 4);
	memcpy(&t.time, p + 16, 8);
	t.exit = h->type == PERF_RECORD_EXIT;
	if (t.exit)
		exit_to_rules(d, t.tid, t.time);
	if (d->track_spawned)
		track_spawned(d, &t);
	if (!d->sink->ops->task)
		return 0;
	return d->sink->ops->task(d->sink->ctx, &t);
}

static int decode_lost(struct sampler_decoder *d, const struct perf_event_header *h, bool samples)
{
	struct cursor c = { (const unsigned char *)(h + 1), (const unsigned char *)h + h->size,
			    false };
	struct pipeline_lost l;
	struct trailer t;
	uint64_t id;

	/* LOST: {id, lost} + trailer; LOST_SAMPLES: {lost} + trailer. */
	id = samples ? 0 : take_u64(&c);
	l.lost = take_u64(&c);
	if (c.short_read || !read_trailer(h, samples ? 8 : 16, &t)) {
		d->malformed++;
		return 0;
	}
	l.time = t.time;
	l.event = event_of(d, samples ? t.id : id);
	d->lost += l.lost;
	if (!d->sink->ops->lost)
		return 0;
	return d->sink->ops->lost(d->sink->ctx, &l);
}

static int decode_throttle(struct sampler_decoder *d, const struct perf_event_header *h)
{
	struct cursor c = { (const unsigned char *)(h + 1), (const unsigned char *)h + h->size,
			    false };
	uint64_t time, id;

	time = take_u64(&c);
	id = take_u64(&c);
	if (c.short_read) {
		d->malformed++;
		return 0;
	}
	d->throttled++;
	if (!d->sink->ops->throttle)
		return 0;
	return d->sink->ops->throttle(d->sink->ctx, time, event_of(d, id));
}

int sampler_decode(struct sampler_decoder *d, const struct perf_event_header *h)
{
	switch (h->type) {
	case PERF_RECORD_SAMPLE:
		return decode_sample(d, h);
	case PERF_RECORD_MMAP2:
		return decode_mmap2(d, h);
	case PERF_RECORD_COMM:
		return decode_comm(d, h);
	case PERF_RECORD_FORK:
	case PERF_RECORD_EXIT:
		return decode_task(d, h);
	case PERF_RECORD_LOST:
		return decode_lost(d, h, false);
	case PERF_RECORD_LOST_SAMPLES:
		return decode_lost(d, h, true);
	case PERF_RECORD_THROTTLE:
		return decode_throttle(d, h);
	case PERF_RECORD_SWITCH:
	case PERF_RECORD_SWITCH_CPU_WIDE:
		return decode_switch(d, h);
	default:
		/* UNTHROTTLE, plain MMAP (never asked for), and types newer
		 * kernels add: nothing we need. */
		return 0;
	}
}
