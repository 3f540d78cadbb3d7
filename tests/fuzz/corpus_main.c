/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The corpus replay of a fuzz target: linked with one target
 * (tests/fuzz/fuzz_NAME.c) as tests/unit/test_fuzz_NAME (the session
 * reader's is test_fuzz_corpus), it runs every file of that target's corpus
 * through the target's entry function, one TAP line per file, so that a
 * plain `make check` (gcc, no libFuzzer) replays every input the fuzzer
 * kept or crashed on. A crash ends the program, which the TAP driver
 * reports; ASan reports more in the asan build.
 *
 *   test_fuzz_NAME [DIR]   (default: the source tree's corpus/NAME)
 */
#include "config.h"

#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flametop/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : FUZZ_CORPUS_DIR;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	struct dirent *e;
	int failed = 0;
	DIR *d = opendir(dir);

	if (!d) {
		printf("Bail out! cannot open the corpus %s\n", dir);
		return 1;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			names = xreallocarray(names, cap, sizeof(*names));
		}
		names[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_name);
	if (n == 0) {
		printf("Bail out! the corpus %s is empty\n", dir);
		return 1;
	}
	printf("1..%zu\n", n);
	for (i = 0; i < n; i++) {
		char *path = xasprintf("%s/%s", dir, names[i]);
		size_t len;
		char *data = util_read_file(path, &len);

		fflush(stdout);
		if (!data) {
			printf("not ok %zu - %s: cannot read it\n", i + 1, names[i]);
			failed = 1;
		} else {
			/* An exact copy, so that ASan sees a read past the end. */
			uint8_t *exact = xmalloc(len ? len : 1);

			memcpy(exact, data, len);
			LLVMFuzzerTestOneInput(exact, len);
			free(exact);
			printf("ok %zu - %s\n", i + 1, names[i]);
		}
		free(data);
		free(path);
		free(names[i]);
	}
	free(names);
	return failed;
}
