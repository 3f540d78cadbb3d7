/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * exceptions: C++ throws by stack, a count, through a uprobe on
 * __cxa_throw in the target's libstdc++ (every throw_exception, throw
 * expression and rethrow of a new object goes through it). A target
 * without libstdc++ has nothing to probe: the type says so and does not
 * start.
 *
 * __cxa_throw(void *object, std::type_info *tinfo, void (*dest)(void *))
 * has the exception's type in its second argument (rsi). The type_info's
 * second word points to the type's mangled name ("St13runtime_error"),
 * which the probe fetches at the throw where it is made in tracefs (the
 * kernel copies it into the sample while the target runs); else the rule
 * reads it from the target's memory (process_vm_readv), which a short
 * command has left by then. At most TYPE_NAME_MAX bytes, only the
 * characters a mangled name has, demangled as a name with the capped
 * demangler, put below the stack as a pseudo-frame:
 * "[std::runtime_error]", module [exception]. A type that cannot be read
 * (no text, the process gone, the memory not ours to read) leaves the
 * stack without it. Names are remembered per process
 * and type_info address in a small table, so a hot throw site reads the
 * target's memory once.
 */
#include "config.h"

#include "types.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "../symbols/demangle.h"

#define TYPE_NAME_MAX 256
#define NAME_CACHE 256 /* entries, a power of two */

struct name_entry {
	uint32_t pid;
	uint64_t tinfo;
	char name[TYPE_NAME_MAX + 3]; /* "[" name "]"; "" when unreadable */
};

struct exceptions_state {
	struct name_entry cache[NAME_CACHE];
};

/* Reads `len` bytes at `addr` of process `pid`; how many it could. */
static size_t read_target(uint32_t pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len }, remote = { (void *)(uintptr_t)addr, len };
	ssize_t n = process_vm_readv((pid_t)pid, &local, 1, &remote, 1, 0);

	return n > 0 ? (size_t)n : 0;
}

int type_exceptions_label(const char *mangled, char *out, size_t size)
{
	char buf[TYPE_NAME_MAX + 3];
	const char *name = mangled;
	char *demangled;
	size_t i;

	/* GCC marks a type with internal linkage with a leading '*'. */
	if (*name == '*')
		name++;
	if (!*name || strlen(name) > TYPE_NAME_MAX)
		return -1;
	for (i = 0; name[i]; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '_')
			return -1; /* not a mangled name: not one to show */
	/* A type's mangled name is a symbol's without "_Z": as such, a
	 * class demangles to its name; a builtin ("i") stays as it is. */
	snprintf(buf, sizeof(buf), "_Z%s", name);
	demangled = symbols_demangle(buf, NULL);
	snprintf(out, size, "[%s]", demangled ? demangled : name);
	free(demangled);
	return 0;
}

/* The mangled name type_info `tinfo` of process `pid` points to, read
 * from the process into `out` (TYPE_NAME_MAX + 1 bytes); false if it
 * cannot be. */
static bool read_name(uint32_t pid, uint64_t tinfo, char *out)
{
	uint64_t at = 0;
	size_t n;

	if (read_target(pid, tinfo + 8, &at, sizeof(at)) != sizeof(at) || !at)
		return false;
	n = read_target(pid, at, out, TYPE_NAME_MAX);
	out[n] = '\0';
	return strnlen(out, n) < n; /* its end within the bound */
}

/*
 * The label of type_info `tinfo` of process `pid`, from `text` (the
 * mangled name the probe fetched at the throw) or else read from the
 * process, or NULL. Borrowed, valid until the next call.
 */
static const char *type_label(struct exceptions_state *e, uint32_t pid, uint64_t tinfo,
			      const char *text)
{
	struct name_entry *c =
		&e->cache[(util_hash_u64(tinfo ^ ((uint64_t)pid << 32)) & (NAME_CACHE - 1))];
	char mangled[TYPE_NAME_MAX + 1];

	if (!tinfo)
		return NULL;
	/* One that was unreadable is tried again when a throw brings its text. */
	if (c->pid == pid && c->tinfo == tinfo && (c->name[0] || !text))
		return c->name[0] ? c->name : NULL;
	c->pid = pid;
	c->tinfo = tinfo;
	if (text && type_exceptions_label(text, c->name, sizeof(c->name)) == 0)
		return c->name;
	if (read_name(pid, tinfo, mangled) &&
	    type_exceptions_label(mangled, c->name, sizeof(c->name)) == 0)
		return c->name;
	c->name[0] = '\0';
	return NULL;
}

static int exceptions_members(const struct sampler_type_target *t, struct sampler_type_member *m,
			      struct ft_error *err)
{
	int r;

	/* The type's mangled name, copied by the kernel at the throw. */
	m[0].fetch = "+0(+8(%si)):string";
	r = type_uprobe_member(&m[0], t, "libstdc++.so", "libstdc++.so.6", "__cxa_throw", false,
			       err);

	m[0].entry = true;
	m[0].regs = TYPE_REG_SI;
	return r < 0 ? r : 1;
}

static void *exceptions_state_new(const struct sampler_type_target *t)
{
	(void)t;
	return xcalloc(1, sizeof(struct exceptions_state));
}

static void exceptions_state_free(void *st)
{
	free(st);
}

static int exceptions_sample(void *st, uint32_t role, const struct pipeline_sample *s,
			     const struct type_hit *hit, const struct pipeline_sink *sink)
{
	struct pipeline_sample out = *s;

	(void)role;
	out.leaf = type_label(st, s->pid, hit->regs[TYPE_R_SI], hit->text);
	out.leaf_module = "[exception]";
	return type_emit(sink, &out, 1);
}

const struct sampler_type sampler_type_exceptions = {
	.name = "exceptions",
	.every = true,
	.unit = "count",
	.summary = "C++ throws, with the exception's type (uprobe on __cxa_throw)",
	.members = exceptions_members,
	.state_new = exceptions_state_new,
	.state_free = exceptions_state_free,
	.sample = exceptions_sample,
};
