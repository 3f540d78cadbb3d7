/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Pyroscope pusher: uploads (a query string and a gzipped pprof body)
 * queued by the caller, sent by a thread of their own with libcurl, tried
 * again with backoff while the server is away, kept in a bounded spool
 * directory meanwhile. See include/flametop/push.h for the contract.
 *
 * The queue is a list under one mutex; the thread takes the oldest upload,
 * sends it with the lock released (the upload is marked in flight, so
 * nothing frees it meanwhile), and files the outcome. After a failure
 * that may pass, every upload held only in memory is written to the spool
 * and its memory freed, so a long outage costs disk within the cap, not
 * memory. Spool files are "FTPUSH1\n", the query, "\n", then the body;
 * they are created 0600 with O_EXCL and read back only as regular files
 * of ours, no larger than the cap.
 */
#include "config.h"

#include "flametop/push.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
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
	char *path; /* its spool file, or NULL */
	unsigned tries;
	bool in_flight;
};

struct pusher {
	struct push_options o;
	char *strings[8 + PUSH_MAX_LABELS]; /* the copies `o` points into */
	char *ingest; /* URL + "/ingest?" */
	char *spool;
	bool private_spool;
	uint64_t seq;

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
	free(it->path);
	free(it);
}

/* Removes `it` (not in flight) from the queue, its file too. Lock held. */
static void unlink_item(struct pusher *ps, struct item *it)
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
	if (it->path)
		unlink(it->path);
	item_free(it);
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

/* Writes `it` to a new spool file and frees its body. Lock held. 0 or -errno. */
static int spool_item(struct pusher *ps, struct item *it)
{
	char *path;
	FILE *f;
	int fd, ret = 0;

	if (it->path || !it->body)
		return 0;
	path = xasprintf("%s/%016" PRIu64 ".push", ps->spool, ps->seq++);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		ret = -errno;
		free(path);
		return ret;
	}
	f = fdopen(fd, "w");
	if (!f) {
		ret = -errno;
		close(fd);
		unlink(path);
		free(path);
		return ret;
	}
	fputs(SPOOL_MAGIC, f);
	fputs(it->query, f);
	fputc('\n', f);
	fwrite(it->body, 1, it->len, f);
	if (fflush(f) != 0 || ferror(f))
		ret = -errno ? -errno : -EIO;
	if (fclose(f) != 0 && !ret)
		ret = -EIO;
	if (ret) {
		unlink(path);
		free(path);
		return ret;
	}
	it->path = path;
	free(it->body);
	it->body = NULL;
	return 0;
}

/*
 * Reads a spool file: the query (malloc'd) and, with `body` non-NULL, the
 * body (malloc'd) and its length. 0, or -1 when it is not a spool file of
 * ours or is too large.
 */
static int spool_read(const struct pusher *ps, const char *path, char **query,
		      unsigned char **body, size_t *len)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	char *buf = NULL, *nl;
	struct stat st;
	size_t size, got = 0, hdr;
	ssize_t n;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (uint64_t)st.st_size > spool_cap(ps) + MAX_QUERY + 16)
		goto fail;
	size = (size_t)st.st_size;
	buf = xmalloc(size + 1);
	while (got < size && (n = read(fd, buf + got, size - got)) > 0)
		got += (size_t)n;
	if (got != size)
		goto fail;
	buf[size] = '\0';
	hdr = strlen(SPOOL_MAGIC);
	if (size < hdr || memcmp(buf, SPOOL_MAGIC, hdr) != 0)
		goto fail;
	nl = memchr(buf + hdr, '\n', size - hdr);
	if (!nl || (size_t)(nl - buf) - hdr > MAX_QUERY)
		goto fail;
	*query = xstrndup(buf + hdr, (size_t)(nl - buf) - hdr);
	*len = size - (size_t)(nl + 1 - buf);
	if (body) {
		*body = xmalloc(*len ? *len : 1);
		memcpy(*body, nl + 1, *len);
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

/* Queues the uploads an earlier run left in the spool, oldest first. */
static void spool_resume(struct pusher *ps)
{
	DIR *d = opendir(ps->spool);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, i;

	if (!d)
		return;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);

		if (l != 21 || strcmp(de->d_name + 16, ".push") != 0)
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

		it->path = xasprintf("%s/%s", ps->spool, names[i]);
		if (spool_read(ps, it->path, &it->query, NULL, &it->len) < 0 ||
		    ps->bytes + it->len > spool_cap(ps)) {
			free(it->path);
			it->path = NULL;
			item_free(it);
		} else {
			append(ps, it);
			ps->st.pending++;
			if (seq >= ps->seq)
				ps->seq = seq + 1;
		}
		free(names[i]);
	}
	free(names);
}

/* --- Sending ------------------------------------------------------------------------ */

struct reply {
	char text[REPLY_KEEP + 1];
	size_t len;
};

static size_t keep_reply(char *data, size_t size, size_t n, void *ctx)
{
	struct reply *r = ctx;
	size_t bytes = size * n, room = REPLY_KEEP - r->len;

	if (bytes < room)
		room = bytes;
	memcpy(r->text + r->len, data, room);
	r->len += room;
	r->text[r->len] = '\0';
	return bytes;
}

enum outcome { SENT, RETRY, REFUSED };

/* One POST of `it` (its body loaded). Sets the error line unless SENT. */
static enum outcome send_one(struct pusher *ps, CURL *c, const struct item *it,
			     const unsigned char *body, long timeout_ms)
{
	char errbuf[CURL_ERROR_SIZE] = "", *url, *nl, *auth = NULL, *tenant = NULL;
	struct curl_slist *headers = NULL;
	struct reply reply = { .len = 0 };
	long code = 0;
	CURLcode rc;
	enum outcome out;

	url = xasprintf("%s%s", ps->ingest, it->query);
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, (const char *)body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)it->len);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "flametop/" PACKAGE_VERSION);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep_reply);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply);
	headers = curl_slist_append(headers, "Content-Type: application/octet-stream");
	headers = curl_slist_append(headers, "Expect:");
	if (ps->o.token) {
		auth = xasprintf("Authorization: Bearer %s", ps->o.token);
		headers = curl_slist_append(headers, auth);
	} else if (ps->o.user) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERNAME, ps->o.user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, ps->o.password ? ps->o.password : "");
	}
	if (ps->o.tenant) {
		tenant = xasprintf("X-Scope-OrgID: %s", ps->o.tenant);
		headers = curl_slist_append(headers, tenant);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	nl = strpbrk(reply.text, "\r\n");
	if (nl)
		*nl = '\0';
	pthread_mutex_lock(&ps->lock);
	if (rc != CURLE_OK) {
		set_error(ps, "push to %s: %s", ps->o.url, *errbuf ? errbuf : curl_easy_strerror(rc));
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
	curl_slist_free_all(headers);
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
	CURL *c = curl_easy_init();

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
		it->in_flight = true;
		pthread_mutex_unlock(&ps->lock);
		if (!it->body && spool_read(ps, it->path, &q, &body, &len) == 0)
			free(q);
		if (it->body || body)
			out = send_one(ps, c, it, it->body ? it->body : body, timeout_ms);
		else
			out = REFUSED; /* its spool file went bad: nothing to send */
		free(body);
		pthread_mutex_lock(&ps->lock);
		it->in_flight = false;
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
			} else {
				/* While the server is away, wait on disk. */
				struct item *s;

				for (s = ps->head; s; s = s->next)
					if (!s->in_flight && spool_item(ps, s) < 0)
						break;
			}
		}
		if (out != RETRY) {
			unlink_item(ps, it);
			ps->st.pending--;
		}
	}
	pthread_mutex_unlock(&ps->lock);
	if (c)
		curl_easy_cleanup(c);
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

struct pusher *pusher_new(const struct push_options *o, struct ft_error *err)
{
	struct pusher *ps = xcalloc(1, sizeof(*ps));
	pthread_condattr_t ca;
	size_t n = 0, i;
	struct stat st;

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
		if (mkdir(o->spool_dir, 0700) != 0 && errno != EEXIST) {
			error_set(err, "--spool %s: %s", o->spool_dir, strerror(errno));
			goto fail;
		}
		if (lstat(o->spool_dir, &st) != 0 || !S_ISDIR(st.st_mode) ||
		    st.st_uid != geteuid() || (st.st_mode & 0022)) {
			error_set(err, "--spool %s: not a directory of ours that only we may write",
				  o->spool_dir);
			goto fail;
		}
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
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
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
		curl_global_cleanup();
		goto fail;
	}
	ps->started = true;
	return ps;
fail:
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
	for (it = ps->head; it; it = next) {
		next = it->next;
		if (ps->private_spool) {
			if (it->path)
				unlink(it->path);
		} else if (spool_item(ps, it) < 0) {
			ps->st.dropped++;
			ps->st.pending--;
		}
		item_free(it);
	}
	if (ps->private_spool)
		rmdir(ps->spool);
	if (out)
		*out = ps->st;
	pthread_cond_destroy(&ps->cond);
	pthread_mutex_destroy(&ps->lock);
	curl_global_cleanup();
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

/* The query of an upload of `in` (malloc'd). */
static char *query(struct pusher *ps, const struct export_input *in, uint32_t rate, int64_t pid)
{
	const struct profile *p = in->p;
	char name[4096], host[256], comm[128], *q = xmalloc(MAX_QUERY);
	const char *unit = export_input_unit(in);
	/* A session without a wall clock (an import of folded stacks):
	 * its data ends now. */
	uint64_t wall = p->meta.start_wall_ns ? p->meta.start_wall_ns : util_wall_ns() - in->to;
	uint64_t from = (wall + in->from) / 1000000000u;
	uint64_t until = (wall + in->to + 999999999u) / 1000000000u;
	size_t at = 0, i;
	int n;

	label_value(host, sizeof(host), p->meta.host && *p->meta.host ? p->meta.host : ps->host);
	n = snprintf(name, sizeof(name), "%s{host=%s", ps->o.app, host);
	for (i = 0; i < ps->o.nlabels && n > 0 && (size_t)n < sizeof(name); i++)
		n += snprintf(name + n, sizeof(name) - (size_t)n, ",%s", ps->o.labels[i]);
	if (pid >= 0 && n > 0 && (size_t)n < sizeof(name)) {
		const struct profile_thread *th = profile_find_thread(p, (uint32_t)pid);

		label_value(comm, sizeof(comm), th ? profile_string(p, th->comm) : "");
		n += snprintf(name + n, sizeof(name) - (size_t)n, ",pid=%" PRId64 ",comm=%s", pid, comm);
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
	struct item *it = xcalloc(1, sizeof(*it));

	if (export_pprof_encode(in, &it->body, &it->len, err) < 0) {
		free(it);
		return -1;
	}
	it->query = query(ps, in, rate, pid);
	pthread_mutex_lock(&ps->lock);
	/* Room within the spool's cap: the oldest go first. */
	while (ps->bytes + it->len > spool_cap(ps)) {
		struct item *old = ps->head;

		while (old && old->in_flight)
			old = old->next;
		if (!old)
			break;
		unlink_item(ps, old);
		ps->st.pending--;
		ps->st.dropped++;
	}
	if (ps->bytes + it->len > spool_cap(ps)) {
		ps->st.dropped++;
		item_free(it);
	} else {
		append(ps, it);
		ps->st.pending++;
		pthread_cond_signal(&ps->cond);
	}
	pthread_mutex_unlock(&ps->lock);
	return 0;
}

static int by_pid(const void *a, const void *b)
{
	const struct profile_sample *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->time < y->time ? -1 : x->time > y->time;
}

int pusher_submit(struct pusher *ps, const struct export_input *in, uint32_t sample_rate,
		  struct ft_error *err)
{
	struct export_input part;
	struct profile_sample *copy;
	size_t i, j;
	int ret = 0;

	if (!ps->o.per_process || !in->threads || !in->nsamples)
		return submit_one(ps, in, sample_rate, -1, err);
	copy = xcalloc(in->nsamples, sizeof(*copy));
	memcpy(copy, in->samples, in->nsamples * sizeof(*copy));
	qsort(copy, in->nsamples, sizeof(*copy), by_pid);
	for (i = 0; i < in->nsamples && !ret; i = j) {
		for (j = i + 1; j < in->nsamples && copy[j].pid == copy[i].pid; j++)
			;
		part = *in;
		part.samples = copy + i;
		part.nsamples = j - i;
		ret = submit_one(ps, &part, sample_rate, copy[i].pid, err);
	}
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
