/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The session reader's fuzz target: any bytes go through session_read_mem(),
 * which must answer with a profile or one line of error and never crash,
 * leak or read out of bounds. A profile that loads is then queried and
 * rendered (text, JSON and folded, to /dev/null), so a file that breaks
 * the model's invariants without tripping the reader is caught too.
 * (Not --lines: it opens the modules a session names, files on this
 * machine, which a fuzzer has no business reading.)
 *
 * An input that starts with the magic "FLAMETOP" is a session file, read
 * as it is. Any other input is a list of chunks, one per line, each a
 * type digit ('1' header, '2' data, '3' end, others as they are) and the
 * chunk's JSON, which the target wraps into a file (compressed, with
 * the right lengths and checksums): a mutation rarely survives a CRC and
 * a deflate stream, and the reader's checks of ids, types and ranges live
 * behind them, in the JSON. A samples chunk ('4', format 1.5) and a
 * tables chunk ('5', 1.6) are binary: the line holds the block in hex (two
 * digits a byte; anything else on the line is ignored), so that no byte
 * of it ends the line.
 *
 * Each file is read twice: whole from memory (session_read_mem), and from
 * a descriptor as a replay reads it (session_reader_step a few samples at
 * a time, each batch dropped; the read-ahead thread inflates and decodes
 * the chunks), then scanned for its length as a paced replay does first.
 * The two paths share the chunk checks, not the code that reads chunks.
 *
 * Built two ways: with `./configure --enable-fuzzing` (clang) as the
 * libFuzzer program tests/fuzz/fuzz_session, and in every build as part of
 * tests/unit/test_fuzz_corpus, which feeds it the committed corpus
 * (tests/fuzz/corpus/session/) so that `make check` replays every input
 * the fuzzer ever found interesting, under ASan in the asan build.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "flametop/profile.h"
#include "flametop/report.h"
#include "flametop/session.h"
#include "flametop/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void render(FILE *out, const struct profile *p, enum report_format format)
{
	struct report_options o = { 0 };
	struct ft_error err;

	o.format = format;
	profile_filter_init(&o.filter);
	o.source = "fuzz.session";
	report_write(out, p, &o, &err);
}

static void put_u32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static int hex_digit(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The bytes that the hex digits of `len` bytes at `in` spell, in `out`
 * (room for len / 2). Returns how many. */
static size_t unhex(const uint8_t *in, size_t len, uint8_t *out)
{
	size_t n = 0, i;
	int hi = -1;

	for (i = 0; i < len; i++) {
		int d = hex_digit(in[i]);

		if (d < 0)
			continue;
		if (hi < 0) {
			hi = d;
		} else {
			out[n++] = (uint8_t)(hi << 4 | d);
			hi = -1;
		}
	}
	return n;
}

/*
 * A session file (version 1.10) holding one chunk per line of `data`: see
 * the top of the file. Sets *len. Caller frees.
 */
static unsigned char *wrap_chunks(const uint8_t *data, size_t size, size_t *len)
{
	size_t cap = 16 + size * 2 + 64, n = 16, at = 0;
	unsigned char *out = xmalloc(cap);
	uint8_t *block = xmalloc(size / 2 + 1);

	memcpy(out, "FLAMETOP\1\0\12\0\0\0\0\0", 16);
	while (at < size) {
		const uint8_t *nl = memchr(data + at, '\n', size - at);
		size_t line = nl ? (size_t)(nl - (data + at)) : size - at;
		uLongf clen;

		if (line > 0) {
			const uint8_t *json = data + at + 1;
			size_t jlen = line - 1;

			if (data[at] == '4' || data[at] == '5') {
				jlen = unhex(json, jlen, block);
				json = block;
			}

			clen = compressBound((uLong)jlen);
			if (n + 16 + clen > cap) {
				cap = (n + 16 + clen) * 2;
				out = xrealloc(out, cap);
			}
			if (compress2(out + n + 16, &clen, json, (uLong)jlen, 1) != Z_OK)
				break;
			put_u32(out + n, (uint32_t)(data[at] - '0'));
			put_u32(out + n + 4, (uint32_t)clen);
			put_u32(out + n + 8, (uint32_t)jlen);
			put_u32(out + n + 12, (uint32_t)crc32(0, out + n + 16, (uInt)clen));
			n += 16 + clen;
		}
		at += line + 1;
	}
	free(block);
	*len = n;
	return out;
}

/*
 * Reads the `size` bytes at `data` as a replay reads a file: from a
 * descriptor (a memfd, a regular file), a few samples a step, each batch
 * dropped, then its end; then scans the file again for its length.
 */
static void read_steps(const uint8_t *data, size_t size)
{
	struct session_reader *r;
	struct ft_error err;
	char path[64];
	uint64_t duration;
	int fd, ret;

	fd = memfd_create("fuzz.session", MFD_CLOEXEC);
	if (fd < 0)
		return;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	/* fd stays open while the path names it: the scan opens it again. */
	r = session_reader_open(path, &err);
	if (r) {
		while ((ret = session_reader_step(r, 64, &err)) > 0)
			profile_clear_samples(session_reader_profile(r));
		if (ret == 0 && session_reader_end(r, NULL, &err) == 0)
			session_reader_scan(r, &duration, &err);
		session_reader_free(r);
	}
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null_out;
	struct session_read_info info;
	struct ft_error err;
	unsigned char *wrapped = NULL;
	struct profile *p;

	if (!null_out)
		null_out = fopen("/dev/null", "w");
	if (size < 8 || memcmp(data, "FLAMETOP", 8) != 0) {
		wrapped = wrap_chunks(data, size, &size);
		data = wrapped;
	}
	p = session_read_mem(data, size, "fuzz.session", &info, &err);
	read_steps(data, size);
	free(wrapped);
	if (!p)
		return 0;
	if (null_out) {
		render(null_out, p, REPORT_TEXT);
		render(null_out, p, REPORT_JSON);
		render(null_out, p, REPORT_FOLDED);
	}
	profile_free(p);
	return 0;
}
