/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Makes hostile session files for tests/e2e/hostile-session.sh: files that
 * are well framed (right lengths, right checksums, valid zlib) but cost
 * far more to read than their size, as an attacker would write them. They
 * are built here, byte by byte, not by flametop's writer, which would
 * never write them.
 *
 *   hostile_session_gen CASE FILE
 *
 * CASE is one of:
 *   bomb        one data chunk of 250 MiB of JSON that deflates 1000:1
 *   expansion   one data chunk of 24 MiB of "0," (12 million JSON values)
 *   many-chunks a thousand chunks of 50,000 zero samples each (1 KiB each)
 *   objects     one data chunk of 900,000 empty JSON objects (1.8 MiB)
 *   tables      one tables chunk of 15 million call-tree nodes (30 MiB of
 *               varints that deflate 1000:1)
 *   weights     two samples whose weights add up past 2^63 - 1
 *   fine        a small valid session, for the same checks to pass on
 *   lines       a valid session whose code locations are in the module
 *               named by the third argument (a FIFO, a device)
 *   folded      a valid session whose recorder reached its interning
 *               limits: 4321 functions and stacks folded into "[other]"
 *   folded-lost the same, whose kernel also lost 259 records
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static FILE *out;

static void die(const char *what)
{
	fprintf(stderr, "hostile_session_gen: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

/*
 * A growing text, and a deflate stream fed from it in pieces, so that a
 * chunk of 250 MiB is never held whole.
 */
struct chunk {
	z_stream zs;
	unsigned char *comp;
	size_t comp_len, comp_cap;
	uint64_t ulen;
};

static void chunk_begin(struct chunk *c)
{
	memset(c, 0, sizeof(*c));
	if (deflateInit(&c->zs, Z_BEST_COMPRESSION) != Z_OK)
		die("deflateInit");
}

static void chunk_feed(struct chunk *c, const void *data, size_t len, int flush)
{
	c->zs.next_in = (Bytef *)data;
	c->zs.avail_in = (uInt)len;
	c->ulen += len;
	do {
		int zr;

		if (c->comp_cap - c->comp_len < 65536) {
			c->comp_cap = c->comp_cap ? c->comp_cap * 2 : 1 << 20;
			c->comp = realloc(c->comp, c->comp_cap);
			if (!c->comp)
				die("realloc");
		}
		c->zs.next_out = c->comp + c->comp_len;
		c->zs.avail_out = (uInt)(c->comp_cap - c->comp_len);
		zr = deflate(&c->zs, flush);
		if (zr == Z_STREAM_ERROR)
			die("deflate");
		c->comp_len = c->comp_cap - c->zs.avail_out;
		if (flush == Z_FINISH && zr == Z_STREAM_END)
			break;
	} while (c->zs.avail_in > 0 || (flush == Z_FINISH && c->zs.avail_out == 0) ||
		 flush == Z_FINISH);
}

static void feed_str(struct chunk *c, const char *s)
{
	chunk_feed(c, s, strlen(s), Z_NO_FLUSH);
}

/* `n` repetitions of `piece`, fed in blocks. */
static void feed_repeat(struct chunk *c, const char *piece, uint64_t n)
{
	static char block[1 << 16];
	size_t plen = strlen(piece), per = sizeof(block) / plen, i;

	for (i = 0; i < per; i++)
		memcpy(block + i * plen, piece, plen);
	while (n > 0) {
		uint64_t k = n < per ? n : per;

		chunk_feed(c, block, (size_t)k * plen, Z_NO_FLUSH);
		n -= k;
	}
}

/* `n` bytes of value `byte`, fed in blocks. */
static void feed_fill(struct chunk *c, unsigned char byte, uint64_t n)
{
	static unsigned char block[1 << 16];

	memset(block, byte, sizeof(block));
	while (n > 0) {
		uint64_t k = n < sizeof(block) ? n : sizeof(block);

		chunk_feed(c, block, (size_t)k, Z_NO_FLUSH);
		n -= k;
	}
}

/* Finishes the stream and writes the chunk: header, then payload. */
static void chunk_write(struct chunk *c, uint32_t type)
{
	unsigned char h[16];

	chunk_feed(c, "", 0, Z_FINISH);
	deflateEnd(&c->zs);
	put32(h, type);
	put32(h + 4, (uint32_t)c->comp_len);
	put32(h + 8, (uint32_t)c->ulen);
	put32(h + 12, (uint32_t)crc32(crc32(0, Z_NULL, 0), c->comp, (uInt)c->comp_len));
	if (fwrite(h, 1, sizeof(h), out) != sizeof(h) ||
	    fwrite(c->comp, 1, c->comp_len, out) != c->comp_len)
		die("write");
	free(c->comp);
}

static void json_chunk(uint32_t type, const char *json)
{
	struct chunk c;

	chunk_begin(&c);
	feed_str(&c, json);
	chunk_write(&c, type);
}

static void file_header(void)
{
	static const unsigned char fh[16] = { 'F', 'L', 'A', 'M', 'E', 'T', 'O', 'P', 1, 0, 2, 0 };

	if (fwrite(fh, 1, sizeof(fh), out) != sizeof(fh))
		die("write");
	json_chunk(1, "{\"format\":\"flametop-session\",\"version\":[1,2],"
		      "\"events\":[{\"name\":\"cpu-clock\",\"unit\":\"ns\"}]}");
}

/* A data chunk of `n` samples, every column zero: node 0, event 0. */
static void zero_samples(uint64_t n)
{
	static const char *const cols[] = { "time", "weight", "node", "pid", "tid", "cpu", "event" };
	struct chunk c;
	size_t k;

	chunk_begin(&c);
	feed_str(&c, "{\"samples\":{");
	for (k = 0; k < 7; k++) {
		feed_str(&c, k ? "],\"" : "\"");
		feed_str(&c, cols[k]);
		feed_str(&c, "\":[");
		feed_repeat(&c, "0,", n - 1);
		feed_str(&c, "0");
	}
	feed_str(&c, "]}}");
	chunk_write(&c, 2);
}

int main(int argc, char **argv)
{
	const char *what;
	struct chunk c;
	int i;

	if (argc != 3 && !(argc == 4 && strcmp(argv[1], "lines") == 0)) {
		fprintf(stderr, "usage: hostile_session_gen "
				"bomb|expansion|objects|tables|many-chunks|weights|fine|folded|"
				"folded-lost "
				"FILE\n"
				"       hostile_session_gen lines FILE MODULE\n");
		return 2;
	}
	what = argv[1];
	out = fopen(argv[2], "wbx");
	if (!out)
		die(argv[2]);
	file_header();
	if (strcmp(what, "bomb") == 0) {
		chunk_begin(&c);
		feed_str(&c, "{\"samples\":{\"time\":[");
		feed_repeat(&c, "0,", (UINT64_C(250) << 20) / 2);
		feed_str(&c, "0]}}");
		chunk_write(&c, 2);
	} else if (strcmp(what, "expansion") == 0) {
		chunk_begin(&c);
		feed_str(&c, "{\"nodes\":[");
		feed_repeat(&c, "0,", (UINT64_C(24) << 20) / 2);
		feed_str(&c, "0]}");
		chunk_write(&c, 2);
	} else if (strcmp(what, "objects") == 0) {
		chunk_begin(&c);
		feed_str(&c, "{\"x\":[");
		feed_repeat(&c, "{},", 900000 - 1);
		feed_str(&c, "{}]}");
		chunk_write(&c, 2);
	} else if (strcmp(what, "tables") == 0) {
		/* 15,000,000 nodes, as a varint; each a child of the one before, of frame 0. */
		static const unsigned char count[] = { 0xc0, 0xc3, 0x93, 0x07 };

		json_chunk(2, "{\"strings\":[\"f\"],\"frames\":[[0,0,0]]}");
		chunk_begin(&c);
		chunk_feed(&c, count, sizeof(count), Z_NO_FLUSH);
		feed_fill(&c, 1, 15000000); /* parents: one back */
		feed_fill(&c, 0, 15000000 + 2); /* frames: no change; no locations, no chains */
		chunk_write(&c, 5);
	} else if (strcmp(what, "many-chunks") == 0) {
		for (i = 0; i < 1000; i++)
			zero_samples(50000);
	} else if (strcmp(what, "weights") == 0) {
		json_chunk(2, "{\"samples\":{\"time\":[0,1],\"weight\":[9223372036854775807,1],"
			      "\"node\":[0,0],\"pid\":[1,1],\"tid\":[1,1],\"cpu\":[0,0],"
			      "\"event\":[0,0]}}");
	} else if (strcmp(what, "lines") == 0) {
		char json[8192];

		snprintf(json, sizeof(json),
			 "{\"strings\":[\"hostile_fn\",\"%s\",\"app\"],\"frames\":[[0,1,0]],"
			 "\"nodes\":[[0,0]],\"locations\":[[0,4096]],\"threads\":[[7,7,2]],"
			 "\"samples\":{\"time\":[0,1],\"weight\":[5,5],\"node\":[1,1],"
			 "\"pid\":[7,7],\"tid\":[7,7],\"cpu\":[0,0],\"event\":[0,0],"
			 "\"location\":[1,1]}}",
			 argv[3]);
		json_chunk(2, json);
		json_chunk(3, "{\"samples\":2}");
	} else if (strcmp(what, "folded") == 0 || strcmp(what, "folded-lost") == 0) {
		/* main (3 samples), main;[other] (2), as a recorder past its limits writes. */
		json_chunk(2, "{\"strings\":[\"main\",\"/bin/app\",\"[other]\",\"app\"],"
			      "\"frames\":[[0,1,0],[2,2,0]],\"nodes\":[[0,0],[1,1]],"
			      "\"threads\":[[7,7,3]],"
			      "\"samples\":{\"time\":[0,1,2,3,4],\"weight\":[1,1,1,1,1],"
			      "\"node\":[1,1,1,2,2],\"pid\":[7,7,7,7,7],\"tid\":[7,7,7,7,7],"
			      "\"cpu\":[0,0,0,0,0],\"event\":[0,0,0,0,0]}}");
		json_chunk(3, strcmp(what, "folded") == 0
				      ? "{\"samples\":5,\"folded\":4321}"
				      : "{\"samples\":5,\"lost\":259,\"folded\":4321}");
	} else if (strcmp(what, "fine") == 0) {
		zero_samples(1000);
		json_chunk(3, "{\"samples\":1000}");
	} else {
		fprintf(stderr, "hostile_session_gen: unknown case '%s'\n", what);
		return 2;
	}
	if (fclose(out) != 0)
		die("close");
	return 0;
}
