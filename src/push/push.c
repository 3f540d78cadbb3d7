/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Pyroscope pusher: uploads (a query string and a gzipped pprof body)
 * queued by the caller, sent by a thread of their own with libcurl, tried
 * again with backoff while the server is away, kept in a bounded spool
 * directory meanwhile. See include/flametop/push.h for the contract.
 *
 * The queue is a list under one mutex, which guards the list and the
 * counts only: no disk or network I/O happens under it, so a caller's
 * submit (the recorder's thread) never waits for either. The thread takes
 * the oldest upload, marks it busy (nothing else frees a busy upload) and
 * sends it with the lock released, then files the outcome. After a
 * failure that may pass, the uploads held only in memory are marked busy
 * and named in queue order under the lock, written to the spool without
 * it, and their memory freed, so a long outage costs disk within the cap,
 * not memory; the spool files' names sort as the queue, which is how a
 * later run replays them. Spool files are "FTPUSH1\n", the query, "\n",
 * then the body; they are made 0600 with O_EXCL|O_NOFOLLOW at a directory
 * descriptor checked once (ours, not writable by others, not a link), and
 * read back only as regular files of ours with one link, within the cap.
 *
 * A request is bounded: the per-request timeout, at most REPLY_MAX bytes
 * of reply read (the status stands, the rest is not read), and once
 * pusher_close() is called, its deadline, checked by curl's progress
 * callback at least once a second, so a hung server delays the end by at
 * most the wait the caller gave (plus that second).
 *
 * libcurl is loaded (dlopen) when the first pusher starts, not linked:
 * with the libraries it brings (TLS, Kerberos, LDAP, some thirty) it made
 * starting every flametop command cost ~20 ms of CPU more, and most never
 * push. Without it a pusher fails to start, and says why.
 */
#include "config.h"

#include "flametop/push.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "flametop/util.h"

#define SPOOL_MAGIC "FTPUSH1\n"
#define MAX_QUERY 8192
#define BACKOFF_MIN_S 1
#define BACKOFF_MAX_S 60
#define REPLY_KEEP 200 /* bytes of a server's reply kept for the error line */
#define REPLY_MAX (64 << 10) /* bytes of a server's reply read at most */

/* --- libcurl, loaded on first use ------------------------------------------------ */

/* The sonames tried, in order: libcurl's ABI has been .so.4 since 7.16. */
static const char *const curl_sonames[] = { "libcurl.so.4", "libcurl-gnutls.so.4" };

/* The libcurl functions the pusher calls. */
static struct curl_lib {
	CURLcode (*global_init)(long flags);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *c, CURLoption option, ...);
	CURLcode (*easy_perform)(CURL *c);
	CURLcode (*easy_getinfo)(CURL *c, CURLINFO info, ...);
	void (*easy_reset)(CURL *c);
	void (*easy_cleanup)(CURL *c);
	const char *(*easy_strerror)(CURLcode code);
	struct curl_slist *(*slist_append)(struct curl_slist *list, const char *s);
	void (*slist_free_all)(struct curl_slist *list);
} lib;
static pthread_once_t lib_once = PTHREAD_ONCE_INIT;
static char lib_error[256]; /* why it did not load; "" once it did */

static void lib_load(void)
{
	static const struct {
		const char *name;
		size_t off;
	} syms[] = {
#define SYM(f) { "curl_" #f, offsetof(struct curl_lib, f) }
		SYM(global_init), SYM(global_cleanup), SYM(easy_init), SYM(easy_setopt),
		SYM(easy_perform), SYM(easy_getinfo), SYM(easy_reset), SYM(easy_cleanup),
		SYM(easy_strerror), SYM(slist_append), SYM(slist_free_all),
#undef SYM
	};
	void *h = NULL;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(curl_sonames) && !h; i++) {
		h = dlopen(curl_sonames[i], RTLD_NOW | RTLD_LOCAL);
		if (!h && i == 0) /* why the usual one failed, not the fallback */
			snprintf(lib_error, sizeof(lib_error), "push needs libcurl (%s): %s",
				 curl_sonames[0], dlerror());
	}
	if (!h)
		return;
	for (i = 0; i < ARRAY_SIZE(syms); i++) {
		void *f = dlsym(h, syms[i].name);

		if (!f) {
			snprintf(lib_error, sizeof(lib_error), "push: libcurl has no %s",
				 syms[i].name);
			memset(&lib, 0, sizeof(lib));
			return; /* the handle stays: libcurl may not be unloaded safely */
		}
		memcpy((char *)&lib + syms[i].off, &f, sizeof(f));
	}
	lib_error[0] = '\0';
}

/* Loads libcurl once; 0, or -1 with `err` saying why not. */
static int lib_ready(struct ft_error *err)
{
	pthread_once(&lib_once, lib_load);
	if (lib.global_init)
		return 0;
	error_set(err, "%s", lib_error);
	return -1;
}

/* --- Options ------------------------------------------------------------------ */

void push_options_from_env(struct push_options *o)
{
	if (!o->user)
		o->user = getenv("PYROSCOPE_BASIC_AUTH_USER");
	if (!o->password)
		o->password = getenv("PYROSCOPE_BASIC_AUTH_PASSWORD");
	if (!o->token)
		o->token = getenv("PYROSCOPE_AUTH_TOKEN");
	if (!o->tenant)
		o->tenant = getenv("PYROSCOPE_TENANT_ID");
	if (o->token && !*o->token)
		o->token = NULL;
	if (o->tenant && !*o->tenant)
		o->tenant = NULL;
}

static bool key_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       (!first && ((c >= '0' && c <= '9') || c == '.'));
}

int push_check_label(const char *label, struct ft_error *err)
{
	const char *eq = strchr(label, '='), *c;

	if (!eq || eq == label) {
		error_set(err, "'%s' is not KEY=VALUE", label);
		return -EINVAL;
	}
	for (c = label; c < eq; c++) {
		if (!key_char(*c, c == label)) {
			error_set(err, "'%s': a key is a letter or '_', then letters, digits, '_' or '.'",
				  label);
			return -EINVAL;
		}
	}
	/* Prometheus's rule, which Pyroscope keeps: __name__ and the like are its own. */
	if (strncmp(label, "__", 2) == 0) {
		error_set(err, "'%s': keys starting with '__' are reserved for the server's own",
			  label);
		return -EINVAL;
	}
	if (!eq[1]) {
		error_set(err, "'%s': the value is empty", label);
		return -EINVAL;
	}
	for (c = eq + 1; *c; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f || strchr(",{}=\"", *c)) {
			error_set(err, "'%s': a value cannot hold a control character or any of ,{}=\"",
				  label);
			return -EINVAL;
		}
	}
	if (c - label > 1024) {
		error_set(err, "'%.40s...' is longer than 1024 bytes", label);
		return -EINVAL;
	}
	return 0;
}

int push_check_url(const char *url, struct ft_error *err)
{
	const char *host;

	if (strncmp(url, "http://", 7) == 0)
		host = url + 7;
	else if (strncmp(url, "https://", 8) == 0)
		host = url + 8;
	else {
		error_set(err, "'%s' is not an http:// or https:// URL", url);
		return -EINVAL;
	}
	if (!*host || *host == '/' || *host == '?' || *host == '#') {
		error_set(err, "'%s' names no host", url);
		return -EINVAL;
	}
	if (strchr(url, '?') || strchr(url, '#') || strlen(url) > 2048) {
		error_set(err, "'%s': give the server's address, without a query", url);
		return -EINVAL;
	}
	for (; *url; url++)
		if ((unsigned char)*url <= 0x20 || *url == 0x7f) {
			error_set(err, "the URL holds a space or a control character");
			return -EINVAL;
		}
	return 0;
}

/* --- The queue ------------------------------------------------------------------ */

struct item {
	struct item *next;
	char *query;
	unsigned char *body; /* NULL while only in the spool file */
	size_t len;
	char *file; /* its spool file's name in the spool directory, or NULL */
	unsigned tries;
	bool busy; /* the thread is sending or spooling it: nothing else frees it */
};

struct pusher {
	struct push_options o;
	char *strings[8 + PUSH_MAX_LABELS]; /* the copies `o` points into */
	char *ingest; /* URL + "/ingest?" */
	char *spool; /* its path, for messages and the private one's removal */
	int spool_fd; /* the spool directory, checked once: files are made at it */
	bool private_spool;
	uint64_t seq; /* the next spool file's number; under the lock */

	pthread_t thread;
	bool started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct item *head, *tail;
	uint64_t bytes; /* of the queued bodies */
	bool stop;
	uint64_t deadline; /* monotonic ns: stop trying then */
	uint64_t next_try; /* monotonic ns */
	unsigned backoff_s;
	struct push_status st;
	char host[256];
};

static void set_error(struct pusher *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_error(struct pusher *ps, const char *fmt, ...)
{
	char raw[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	util_sanitize(raw, ps->st.last_error, sizeof(ps->st.last_error));
	ps->st.errors++;
}

static void item_free(struct item *it)
{
	free(it->query);
	free(it->body);
	free(it->file);
	free(it);
}

/* Takes `it` (not busy) off the queue; the caller discard()s it once the
 * lock is released. Lock held. */
static void detach(struct pusher *ps, struct item *it)
{
	struct item **pp;

	for (pp = &ps->head; *pp; pp = &(*pp)->next) {
		if (*pp != it)
			continue;
		*pp = it->next;
		if (ps->tail == it) {
			struct item *t = ps->head;

			while (t && t->next)
				t = t->next;
			ps->tail = t;
		}
		break;
	}
	ps->bytes -= it->len;
	it->next = NULL;
}

/* Frees detached items (a list through ->next) and their spool files.
 * Lock NOT held: removing a file is disk I/O. */
static void discard(struct pusher *ps, struct item *list)
{
	struct item *next;

	for (; list; list = next) {
		next = list->next;
		if (list->file)
			unlinkat(ps->spool_fd, list->file, 0);
		item_free(list);
	}
}

static void append(struct pusher *ps, struct item *it)
{
	it->next = NULL;
	if (ps->tail)
		ps->tail->next = it;
	else
		ps->head = it;
	ps->tail = it;
	ps->bytes += it->len;
}

/* --- The spool ------------------------------------------------------------------ */

static uint64_t spool_cap(const struct pusher *ps)
{
	return ps->o.spool_max ? ps->o.spool_max : PUSH_DEFAULT_SPOOL;
}

/* A name for the next spool file: names sort as the queue does. Lock held. */
static char *spool_name(struct pusher *ps)
{
	return xasprintf("%016" PRIu64 ".push", ps->seq++);
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Writes the body of `it` (busy, or not yet queued) to a new spool file
 * `name`, which it takes on success. Lock NOT held: this is the disk I/O
 * the queue must not wait for. 0 or -errno (`name` freed, no file left).
 */
static int spool_write(struct pusher *ps, struct item *it, char *name)
{
	int fd, ret;

	fd = openat(ps->spool_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		ret = -errno;
		free(name);
		return ret;
	}
	ret = write_all(fd, SPOOL_MAGIC, strlen(SPOOL_MAGIC));
	if (!ret)
		ret = write_all(fd, it->query, strlen(it->query));
	if (!ret)
		ret = write_all(fd, "\n", 1);
	if (!ret)
		ret = write_all(fd, it->body, it->len);
	if (close(fd) != 0 && !ret)
		ret = -errno;
	if (ret) {
		unlinkat(ps->spool_fd, name, 0);
		free(name);
		return ret;
	}
	it->file = name;
	return 0;
}

/*
 * Reads spool file `name`: the query (malloc'd) and, with `body` non-NULL,
 * the body (malloc'd) and its length. 0, or -1 when it is not a regular
 * file of ours, one link, in our format and within the cap.
 */
static int spool_read(const struct pusher *ps, const char *name, char **query,
		      unsigned char **body, size_t *len)
{
	uint64_t max = spool_cap(ps) + MAX_QUERY + 16;
	int fd = ft_open_regular_at(ps->spool_fd, name, O_NOFOLLOW, max, NULL);
	char *buf = NULL, *nl;
	struct stat st;
	size_t size, got = 0, hdr = strlen(SPOOL_MAGIC), qlen;
	ssize_t n;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || st.st_uid != geteuid() || st.st_nlink != 1 ||
	    (st.st_mode & 0077))
		goto fail;
	size = (size_t)st.st_size;
	buf = xmalloc(size + 1);
	while (got < size && ((n = read(fd, buf + got, size - got)) > 0 || (n < 0 && errno == EINTR)))
		if (n > 0)
			got += (size_t)n;
	if (got != size)
		goto fail;
	buf[size] = '\0';
	if (size < hdr || memcmp(buf, SPOOL_MAGIC, hdr) != 0)
		goto fail;
	nl = memchr(buf + hdr, '\n', size - hdr);
	qlen = nl ? (size_t)(nl - buf) - hdr : 0;
	if (!nl || qlen > MAX_QUERY || memchr(buf + hdr, '\0', qlen))
		goto fail;
	*query = xstrndup(buf + hdr, qlen);
	*len = size - (size_t)(nl + 1 - buf);
	if (body) {
		/* The body moves to the front of the buffer: one copy in memory. */
		memmove(buf, nl + 1, *len);
		*body = (unsigned char *)buf;
		buf = NULL;
	}
	free(buf);
	close(fd);
	return 0;
fail:
	free(buf);
	close(fd);
	return -1;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Queues the uploads an earlier run left in the spool, oldest first.
 * Before the thread starts. */
static void spool_resume(struct pusher *ps)
{
	int fd = dup(ps->spool_fd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, i;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);

		if (l != 21 || strcmp(de->d_name + 16, ".push") != 0 ||
		    strspn(de->d_name, "0123456789") != 16)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			names = xreallocarray(names, cap, sizeof(*names));
		}
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), by_name);
	for (i = 0; i < n; i++) {
		struct item *it = xcalloc(1, sizeof(*it));
		uint64_t seq = strtoull(names[i], NULL, 10);

		if (spool_read(ps, names[i], &it->query, NULL, &it->len) < 0 ||
		    ps->bytes + it->len > spool_cap(ps)) {
			free(names[i]);
			item_free(it);
		} else {
			it->file = names[i];
			append(ps, it);
			ps->st.pending++;
			if (seq >= ps->seq)
				ps->seq = seq + 1;
		}
	}
	free(names);
}

/*
 * After a failure that may pass: every upload held only in memory goes to
 * the spool, in queue order, so a long outage costs disk within the cap,
 * not memory. The items are marked busy and named under the lock, written
 * with it released (a submit meanwhile never waits on the disk), then
 * settled under it again. Lock held on entry and on return. A write that
 * fails leaves it and those after it in memory, tried again next time.
 */
static void spool_queue(struct pusher *ps)
{
	struct item **v = NULL, *s;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	int ret = 0;

	for (s = ps->head; s; s = s->next) {
		if (s->busy || s->file || !s->body)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			v = xreallocarray(v, cap, sizeof(*v));
			names = xreallocarray(names, cap, sizeof(*names));
		}
		s->busy = true;
		v[n] = s;
		names[n++] = spool_name(ps);
	}
	if (!n)
		return;
	pthread_mutex_unlock(&ps->lock);
	for (i = 0; i < n; i++) {
		if (!ret)
			ret = spool_write(ps, v[i], names[i]);
		else
			free(names[i]);
		if (!ret) {
			free(v[i]->body);
			v[i]->body = NULL;
		}
	}
	pthread_mutex_lock(&ps->lock);
	for (i = 0; i < n; i++)
		v[i]->busy = false;
	if (ret < 0)
		set_error(ps, "push: cannot keep an upload in the spool %s: %s (kept in memory)",
			  ps->spool, strerror(-ret));
	free(names);
	free(v);
}

/* --- Sending ------------------------------------------------------------------------ */

struct reply {
	struct pusher *ps;
	char text[REPLY_KEEP + 1];
	size_t len;
	uint64_t total; /* bytes of the reply's body read */
	bool too_long; /* cut at REPLY_MAX: the server's status still stands */
	bool cut_at_end; /* the transfer was aborted at the close's deadline */
};

/* The reply's body: the first REPLY_KEEP bytes kept for the error line,
 * at most REPLY_MAX read (a server may not make us read forever). */
static size_t keep_reply(char *data, size_t size, size_t n, void *ctx)
{
	struct reply *r = ctx;
	size_t bytes = size * n, room = REPLY_KEEP - r->len;

	if (r->total + bytes > REPLY_MAX) {
		r->too_long = true;
		return 0; /* curl stops: CURLE_WRITE_ERROR */
	}
	r->total += bytes;
	if (bytes < room)
		room = bytes;
	memcpy(r->text + r->len, data, room);
	r->len += room;
	r->text[r->len] = '\0';
	return bytes;
}

/* Called by curl at least once a second during a transfer: nonzero aborts
 * it once the pusher is closing and its deadline has passed, so a hung
 * server never holds pusher_close() past it. */
static int check_deadline(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
			  curl_off_t ulnow)
{
	struct reply *r = ctx;
	struct pusher *ps = r->ps;
	bool late;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	pthread_mutex_lock(&ps->lock);
	late = ps->stop && util_now_ns() >= ps->deadline;
	pthread_mutex_unlock(&ps->lock);
	if (late)
		r->cut_at_end = true;
	return late;
}

enum outcome { SENT, RETRY, REFUSED };

/* One POST of `it` (its body loaded). Sets the error line unless SENT. */
static enum outcome send_one(struct pusher *ps, CURL *c, const struct item *it,
			     const unsigned char *body, long timeout_ms)
{
	char errbuf[CURL_ERROR_SIZE] = "", *url, *nl, *auth = NULL, *tenant = NULL;
	struct curl_slist *headers = NULL;
	struct reply reply = { .ps = ps, .len = 0 };
	long code = 0;
	CURLcode rc;
	enum outcome out;

	url = xasprintf("%s%s", ps->ingest, it->query);
	lib.easy_reset(c);
	lib.easy_setopt(c, CURLOPT_URL, url);
	lib.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	lib.easy_setopt(c, CURLOPT_POST, 1L);
	lib.easy_setopt(c, CURLOPT_POSTFIELDS, (const char *)body);
	lib.easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)it->len);
	lib.easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	lib.easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	lib.easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	lib.easy_setopt(c, CURLOPT_USERAGENT, "flametop/" PACKAGE_VERSION);
	lib.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	lib.easy_setopt(c, CURLOPT_WRITEFUNCTION, keep_reply);
	lib.easy_setopt(c, CURLOPT_WRITEDATA, &reply);
	lib.easy_setopt(c, CURLOPT_XFERINFOFUNCTION, check_deadline);
	lib.easy_setopt(c, CURLOPT_XFERINFODATA, &reply);
	lib.easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	headers = lib.slist_append(headers, "Content-Type: application/octet-stream");
	headers = lib.slist_append(headers, "Expect:");
	if (ps->o.token) {
		auth = xasprintf("Authorization: Bearer %s", ps->o.token);
		headers = lib.slist_append(headers, auth);
	} else if (ps->o.user) {
		lib.easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		lib.easy_setopt(c, CURLOPT_USERNAME, ps->o.user);
		lib.easy_setopt(c, CURLOPT_PASSWORD, ps->o.password ? ps->o.password : "");
	}
	if (ps->o.tenant) {
		tenant = xasprintf("X-Scope-OrgID: %s", ps->o.tenant);
		headers = lib.slist_append(headers, tenant);
	}
	lib.easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	rc = lib.easy_perform(c);
	if (rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && reply.too_long))
		lib.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (code)
		rc = CURLE_OK; /* a reply too long to read: its status stands */
	nl = strpbrk(reply.text, "\r\n");
	if (nl)
		*nl = '\0';
	pthread_mutex_lock(&ps->lock);
	if (rc != CURLE_OK && (reply.cut_at_end || (ps->stop && util_now_ns() >= ps->deadline))) {
		set_error(ps, "push to %s: no answer before flametop's end; not sent", ps->o.url);
		out = RETRY;
	} else if (rc != CURLE_OK) {
		set_error(ps, "push to %s: %s", ps->o.url, *errbuf ? errbuf : lib.easy_strerror(rc));
		out = RETRY;
	} else if (code >= 200 && code < 300) {
		out = SENT;
	} else if (code == 408 || code == 429 || code >= 500) {
		set_error(ps, "push to %s: HTTP %ld%s%s", ps->o.url, code, *reply.text ? ": " : "",
			  reply.text);
		out = RETRY;
	} else {
		set_error(ps, "push to %s: HTTP %ld%s%s (not tried again)", ps->o.url, code,
			  *reply.text ? ": " : "", reply.text);
		out = REFUSED;
	}
	pthread_mutex_unlock(&ps->lock);
	lib.slist_free_all(headers);
	free(tenant);
	free(auth);
	free(url);
	return out;
}

static void timed_wait(struct pusher *ps, uint64_t until)
{
	struct timespec ts = { (time_t)(until / 1000000000u), (long)(until % 1000000000u) };

	pthread_cond_timedwait(&ps->cond, &ps->lock, &ts);
}

static void *pusher_main(void *arg)
{
	struct pusher *ps = arg;
	CURL *c = lib.easy_init();

	pthread_mutex_lock(&ps->lock);
	while (c) {
		uint64_t now = util_now_ns(), until;
		long timeout_ms = ps->o.timeout_ms ? ps->o.timeout_ms : 10000;
		unsigned char *body = NULL;
		struct item *it = ps->head;
		enum outcome out;
		size_t len;
		char *q;

		if (ps->stop && (!it || now >= ps->deadline))
			break;
		if (!it) {
			pthread_cond_wait(&ps->cond, &ps->lock);
			continue;
		}
		if (now < ps->next_try) {
			until = ps->next_try;
			if (ps->stop && ps->deadline < until)
				until = ps->deadline;
			timed_wait(ps, until);
			continue;
		}
		if (ps->stop && (ps->deadline - now) / 1000000u < (uint64_t)timeout_ms)
			timeout_ms = (long)((ps->deadline - now) / 1000000u) + 1;
		it->busy = true;
		pthread_mutex_unlock(&ps->lock);
		if (!it->body && spool_read(ps, it->file, &q, &body, &len) == 0)
			free(q);
		if (it->body || body)
			out = send_one(ps, c, it, it->body ? it->body : body, timeout_ms);
		else
			out = REFUSED; /* its spool file went bad: nothing to send */
		free(body);
		pthread_mutex_lock(&ps->lock);
		it->busy = false;
		it->tries++;
		if (out == SENT) {
			ps->st.sent++;
			ps->backoff_s = 0;
			ps->next_try = 0;
		} else if (out == REFUSED) {
			ps->st.rejected++;
		} else {
			ps->backoff_s = ps->backoff_s ? ps->backoff_s * 2 : BACKOFF_MIN_S;
			if (ps->backoff_s > BACKOFF_MAX_S)
				ps->backoff_s = BACKOFF_MAX_S;
			ps->next_try = util_now_ns() + (uint64_t)ps->backoff_s * 1000000000u;
			if (ps->o.max_tries && it->tries >= ps->o.max_tries) {
				ps->st.dropped++;
				out = REFUSED;
			}
		}
		if (out != RETRY) {
			detach(ps, it);
			ps->st.pending--;
			pthread_mutex_unlock(&ps->lock);
			discard(ps, it);
			pthread_mutex_lock(&ps->lock);
		} else if (!ps->stop) {
			/* While the server is away, wait on disk (not at the end:
			 * pusher_close() keeps or drops what is left). */
			spool_queue(ps);
		}
	}
	pthread_mutex_unlock(&ps->lock);
	if (c)
		lib.easy_cleanup(c);
	return NULL;
}

/* --- Life ------------------------------------------------------------------------ */

static const char *keep(struct pusher *ps, size_t *n, const char *s)
{
	if (!s)
		return NULL;
	ps->strings[*n] = xstrdup(s);
	return ps->strings[(*n)++];
}

/* Opens the spool directory `path` (made 0700 when missing) and checks
 * what was opened: a directory (not a link to one), ours, that nobody
 * else may write. The descriptor, or -1 with `err` filled. */
static int spool_open(const char *path, struct ft_error *err)
{
	struct ft_error walk = { { 0 }, 0, 0 };
	struct ft_outdir d;
	struct stat st;
	size_t len = strlen(path);
	char *trimmed;
	int fd = -1;

	while (len > 1 && path[len - 1] == '/')
		len--;
	trimmed = xstrndup(path, len);
	/* Its parent as every output's (ft_outdir_open): as root, never
	 * through a directory someone else could change. */
	if (ft_outdir_open(&d, trimmed, &walk) < 0) {
		error_set(err, "--spool %s", walk.msg);
		goto out;
	}
	if (mkdirat(d.fd, d.name, 0700) != 0 && errno != EEXIST) {
		error_set(err, "--spool %s: %s", path, strerror(errno));
		goto out_dir;
	}
	fd = openat(d.fd, d.name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && (errno == ELOOP || errno == ENOTDIR)) {
		error_set(err, "--spool %s: not a directory (a symbolic link is not taken)", path);
		goto out_dir;
	}
	if (fd < 0) {
		error_set(err, "--spool %s: %s", path, strerror(errno));
		goto out_dir;
	}
	if (fstat(fd, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 0022)) {
		error_set(err, "--spool %s: not a directory of ours that only we may write", path);
		close(fd);
		fd = -1;
	}
out_dir:
	ft_outdir_close(&d);
out:
	free(trimmed);
	return fd;
}

struct pusher *pusher_new(const struct push_options *o, struct ft_error *err)
{
	struct pusher *ps = xcalloc(1, sizeof(*ps));
	pthread_condattr_t ca;
	size_t n = 0, i;

	ps->spool_fd = -1;
	if (push_check_url(o->url, err) < 0)
		goto fail;
	ps->o = *o;
	ps->o.url = keep(ps, &n, o->url);
	ps->o.app = keep(ps, &n, o->app ? o->app : "flametop");
	ps->o.user = keep(ps, &n, o->user);
	ps->o.password = keep(ps, &n, o->password);
	ps->o.token = keep(ps, &n, o->token);
	ps->o.tenant = keep(ps, &n, o->tenant);
	ps->o.spool_dir = keep(ps, &n, o->spool_dir);
	for (i = 0; i < o->nlabels && i < PUSH_MAX_LABELS; i++)
		ps->o.labels[i] = keep(ps, &n, o->labels[i]);
	{
		size_t len = strlen(o->url);

		while (len > 0 && o->url[len - 1] == '/')
			len--;
		ps->ingest = xasprintf("%.*s/ingest?", (int)len, o->url);
	}
	if (gethostname(ps->host, sizeof(ps->host) - 1) != 0)
		snprintf(ps->host, sizeof(ps->host), "unknown");
	/* The spool: the user's directory, or a private one. */
	if (o->spool_dir) {
		ps->spool_fd = spool_open(o->spool_dir, err);
		if (ps->spool_fd < 0)
			goto fail;
		ps->spool = xstrdup(o->spool_dir);
	} else {
		char path[512];

		/* In this run's private directory (0700, ours alone). */
		if (ft_private_path("push-spool", path, sizeof(path), err) < 0)
			goto fail;
		if (mkdir(path, 0700) != 0) {
			error_set(err, "%s: %s", path, strerror(errno));
			goto fail;
		}
		ps->spool = xstrdup(path);
		ps->private_spool = true;
		ps->spool_fd = spool_open(path, err);
		if (ps->spool_fd < 0)
			goto fail;
	}
	if (lib_ready(err) < 0)
		goto fail;
	if (lib.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		error_set(err, "libcurl failed to start");
		goto fail;
	}
	pthread_mutex_init(&ps->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&ps->cond, &ca);
	pthread_condattr_destroy(&ca);
	if (!ps->private_spool)
		spool_resume(ps);
	if (pthread_create(&ps->thread, NULL, pusher_main, ps) != 0) {
		error_set(err, "cannot start the push thread");
		pthread_cond_destroy(&ps->cond);
		pthread_mutex_destroy(&ps->lock);
		lib.global_cleanup();
		goto fail;
	}
	ps->started = true;
	return ps;
fail:
	if (ps->spool_fd >= 0)
		close(ps->spool_fd);
	if (ps->spool && ps->private_spool)
		rmdir(ps->spool);
	free(ps->spool);
	free(ps->ingest);
	for (i = 0; i < n; i++)
		free(ps->strings[i]);
	free(ps);
	return NULL;
}

void pusher_status(struct pusher *ps, struct push_status *out)
{
	pthread_mutex_lock(&ps->lock);
	*out = ps->st;
	pthread_mutex_unlock(&ps->lock);
}

void pusher_close(struct pusher *ps, uint64_t wait_ns, struct push_status *out)
{
	struct item *it, *next;
	size_t i;

	if (!ps)
		return;
	pthread_mutex_lock(&ps->lock);
	ps->stop = true;
	ps->deadline = util_now_ns() + wait_ns;
	pthread_cond_signal(&ps->cond);
	pthread_mutex_unlock(&ps->lock);
	pthread_join(ps->thread, NULL);
	/* The thread is gone: nothing else touches the queue. */
	for (it = ps->head; it; it = next) {
		next = it->next;
		if (ps->private_spool) {
			if (it->file)
				unlinkat(ps->spool_fd, it->file, 0);
		} else if (!it->file && spool_write(ps, it, spool_name(ps)) < 0) {
			ps->st.dropped++;
			ps->st.pending--;
		}
		item_free(it);
	}
	close(ps->spool_fd);
	if (ps->private_spool)
		rmdir(ps->spool);
	if (out)
		*out = ps->st;
	pthread_cond_destroy(&ps->cond);
	pthread_mutex_destroy(&ps->lock);
	lib.global_cleanup();
	free(ps->spool);
	free(ps->ingest);
	for (i = 0; i < ARRAY_SIZE(ps->strings); i++)
		free(ps->strings[i]);
	free(ps);
}

/* --- Uploads ------------------------------------------------------------------------- */

/* Appends `s` percent-encoded (all but unreserved characters). */
static void encode(char *out, size_t size, size_t *at, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s && *at + 4 < size; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		    ch == '-' || ch == '_' || ch == '.' || ch == '~') {
			out[(*at)++] = (char)ch;
		} else {
			out[(*at)++] = '%';
			out[(*at)++] = hex[ch >> 4];
			out[(*at)++] = hex[ch & 15];
		}
	}
	out[*at] = '\0';
}

/* A label value from the profile (a thread name): what Pyroscope takes. */
static void label_value(char *out, size_t size, const char *in)
{
	size_t i = 0;

	for (; *in && i + 1 < size; in++)
		out[i++] = ((unsigned char)*in < 0x20 || (unsigned char)*in >= 0x7f || strchr(",{}=\" ", *in))
				   ? '_'
				   : *in;
	out[i] = '\0';
	if (!i)
		snprintf(out, size, "unknown");
}

/* Whether a --label names the key `key`. */
static bool has_label(const struct pusher *ps, const char *key)
{
	size_t i, n = strlen(key);

	for (i = 0; i < ps->o.nlabels; i++)
		if (strncmp(ps->o.labels[i], key, n) == 0 && ps->o.labels[i][n] == '=')
			return true;
	return false;
}

/* The query of an upload of `in` (malloc'd). */
static char *query(struct pusher *ps, const struct export_input *in, uint32_t rate, int64_t pid)
{
	const struct profile *p = in->p;
	char name[4096], host[256], comm[128], *q = xmalloc(MAX_QUERY);
	const char *unit = export_input_unit(in), *sep = "";
	/* A session without a wall clock (an import of folded stacks):
	 * its data ends now. */
	uint64_t wall = p->meta.start_wall_ns ? p->meta.start_wall_ns : util_wall_ns() - in->to;
	uint64_t from = (wall + in->from) / 1000000000u;
	uint64_t until = (wall + in->to + 999999999u) / 1000000000u;
	size_t at = 0, i;
	int n;

	label_value(host, sizeof(host), p->meta.host && *p->meta.host ? p->meta.host : ps->host);
	n = snprintf(name, sizeof(name), "%s{", ps->o.app);
	if (!has_label(ps, "host") && n > 0 && (size_t)n < sizeof(name)) { /* a label's host wins */
		n += snprintf(name + n, sizeof(name) - (size_t)n, "host=%s", host);
		sep = ",";
	}
	for (i = 0; i < ps->o.nlabels && n > 0 && (size_t)n < sizeof(name); i++, sep = ",")
		n += snprintf(name + n, sizeof(name) - (size_t)n, "%s%s", sep, ps->o.labels[i]);
	if (pid >= 0 && n > 0 && (size_t)n < sizeof(name)) {
		const struct profile_thread *th = profile_find_thread(p, (uint32_t)pid);

		label_value(comm, sizeof(comm), th ? profile_string(p, th->comm) : "");
		n += snprintf(name + n, sizeof(name) - (size_t)n, "%spid=%" PRId64 ",comm=%s", sep,
			      pid, comm);
	}
	if (n > 0 && (size_t)n < sizeof(name) - 1)
		snprintf(name + n, sizeof(name) - (size_t)n, "}");
	memcpy(q, "name=", 6);
	at = 5;
	encode(q, MAX_QUERY, &at, name);
	if (until <= from)
		until = from + 1;
	snprintf(q + at, MAX_QUERY - at,
		 "&from=%" PRIu64 "&until=%" PRIu64 "&sampleRate=%" PRIu32
		 "&spyName=flametop&units=%s&aggregationType=%s&format=pprof",
		 from, until, rate ? rate : 100, strcmp(unit, "bytes") == 0 ? "bytes" : "samples",
		 "sum");
	return q;
}

static int submit_one(struct pusher *ps, const struct export_input *in, uint32_t rate,
		      int64_t pid, struct ft_error *err)
{
	struct item *it = xcalloc(1, sizeof(*it)), *gone = NULL, **last = &gone;

	if (export_pprof_encode(in, &it->body, &it->len, err) < 0) {
		free(it);
		return -1;
	}
	it->query = query(ps, in, rate, pid);
	/* Under the lock, only the list: what is dropped is removed (its
	 * file too) after, so a submit never waits on the disk. */
	pthread_mutex_lock(&ps->lock);
	/* Room within the spool's cap: the oldest go first. */
	while (ps->bytes + it->len > spool_cap(ps)) {
		struct item *old = ps->head;

		while (old && old->busy)
			old = old->next;
		if (!old)
			break;
		detach(ps, old);
		*last = old;
		last = &old->next;
		ps->st.pending--;
		ps->st.dropped++;
	}
	if (ps->bytes + it->len > spool_cap(ps)) {
		ps->st.dropped++;
		*last = it;
	} else {
		append(ps, it);
		ps->st.pending++;
		pthread_cond_signal(&ps->cond);
	}
	pthread_mutex_unlock(&ps->lock);
	discard(ps, gone);
	return 0;
}

/* Sample indices by process, then time, then the input's order. */
static int by_pid(const void *a, const void *b, void *arg)
{
	const struct profile_sample *samples = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	const struct profile_sample *x = &samples[i], *y = &samples[j];

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return i < j ? -1 : i > j;
}

int pusher_submit(struct pusher *ps, const struct export_input *in, uint32_t sample_rate,
		  struct ft_error *err)
{
	struct export_input part;
	struct profile_sample *copy;
	uint64_t *counts = NULL;
	size_t *order, i, j;
	int ret = 0;

	if (!ps->o.per_process || !in->threads || !in->nsamples)
		return submit_one(ps, in, sample_rate, -1, err);
	order = xcalloc(in->nsamples, sizeof(*order));
	for (i = 0; i < in->nsamples; i++)
		order[i] = i;
	qsort_r(order, in->nsamples, sizeof(*order), by_pid, in->samples);
	copy = xcalloc(in->nsamples, sizeof(*copy));
	if (in->counts)
		counts = xcalloc(in->nsamples, sizeof(*counts));
	for (i = 0; i < in->nsamples; i++) {
		copy[i] = in->samples[order[i]];
		if (counts)
			counts[i] = in->counts[order[i]];
	}
	free(order);
	for (i = 0; i < in->nsamples && !ret; i = j) {
		for (j = i + 1; j < in->nsamples && copy[j].pid == copy[i].pid; j++)
			;
		part = *in;
		part.samples = copy + i;
		part.counts = counts ? counts + i : NULL;
		part.runs = NULL;
		part.nsamples = j - i;
		ret = submit_one(ps, &part, sample_rate, copy[i].pid, err);
	}
	free(counts);
	free(copy);
	return ret;
}

/* --- The feeder ---------------------------------------------------------------------- */

struct push_feed {
	struct pusher *ps;
	const struct profile *p;
	int event;
	uint64_t interval;
	struct profile_sample *v;
	size_t n, cap;
	uint64_t start; /* the interval being filled: [start, start + interval) */
	bool have;
};

struct push_feed *push_feed_new(struct pusher *ps, const struct profile *p, int event,
				uint64_t interval_ns)
{
	struct push_feed *f = xcalloc(1, sizeof(*f));

	f->ps = ps;
	f->p = p;
	f->event = event;
	f->interval = interval_ns ? interval_ns : PUSH_DEFAULT_INTERVAL_NS;
	return f;
}

/* Submits f->v[0..n), all of one event, as [f->start, end). */
static void feed_submit_event(struct push_feed *f, struct profile_sample *v, size_t n, int event,
			      uint64_t end)
{
	struct export_input in = {
		.p = f->p,
		.samples = v,
		.nsamples = n,
		.event = event < 0 || (uint32_t)event >= f->p->nevents ? -1 : event,
		.from = f->start,
		.to = end,
		.threads = true,
		.no_lines = true, /* the recorder's memory: see export_input */
	};
	struct ft_error err = { { 0 }, 0, 0 };

	if (n && pusher_submit(f->ps, &in, f->p->meta.frequency, &err) < 0) {
		pthread_mutex_lock(&f->ps->lock);
		set_error(f->ps, "push: %s", err.msg);
		pthread_mutex_unlock(&f->ps->lock);
	}
}

static int by_event(const void *a, const void *b)
{
	const struct profile_sample *x = a, *y = b;

	if (x->event != y->event)
		return x->event < y->event ? -1 : 1;
	return x->time < y->time ? -1 : x->time > y->time;
}

/* An upload of the interval for each event its samples have. */
static void feed_submit(struct push_feed *f, uint64_t end)
{
	size_t i, j;

	if (!f->n)
		return;
	if (f->event >= 0) {
		feed_submit_event(f, f->v, f->n, f->event, end);
		f->n = 0;
		return;
	}
	qsort(f->v, f->n, sizeof(*f->v), by_event);
	for (i = 0; i < f->n; i = j) {
		for (j = i + 1; j < f->n && f->v[j].event == f->v[i].event; j++)
			;
		feed_submit_event(f, f->v + i, j - i, f->v[i].event, end);
	}
	f->n = 0;
}

void push_feed_add(struct push_feed *f, const struct profile_sample *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (f->event >= 0 && s[i].event != f->event)
			continue;
		if (!f->have) {
			f->start = s[i].time - s[i].time % f->interval;
			f->have = true;
		}
		if (s[i].time >= f->start + f->interval) {
			feed_submit(f, f->start + f->interval);
			f->start = s[i].time - s[i].time % f->interval;
		}
		if (f->n == f->cap) {
			f->cap = f->cap ? f->cap * 2 : 1024;
			f->v = xreallocarray(f->v, f->cap, sizeof(*f->v));
		}
		f->v[f->n++] = s[i];
	}
}

uint64_t push_feed_held_from(const struct push_feed *f)
{
	uint64_t from = UINT64_MAX;
	size_t i;

	for (i = 0; i < f->n; i++)
		if (f->v[i].time < from)
			from = f->v[i].time;
	return from;
}

void push_feed_flush(struct push_feed *f)
{
	uint64_t end = f->start;
	size_t i;

	for (i = 0; i < f->n; i++)
		if (f->v[i].time + 1 > end)
			end = f->v[i].time + 1;
	if (f->n)
		feed_submit(f, end);
}

void push_feed_free(struct push_feed *f)
{
	if (!f)
		return;
	free(f->v);
	free(f);
}
