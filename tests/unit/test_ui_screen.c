/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for what the explorer's screen sends the terminal: a frame
 * goes out in a few writes, not one per cursor move. The terminal is one
 * end of a SOCK_SEQPACKET socket pair, so every write() curses makes
 * arrives at the other end as one record, and the records are counted.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "tui.h"

#define ROWS 24
#define COLS 80

/* The records waiting at `fd` (non-blocking), and their bytes in *bytes. */
static int records(int fd, size_t *bytes)
{
	static char buf[1 << 16];
	ssize_t n;
	int count = 0;

	*bytes = 0;
	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		count++;
		*bytes += (size_t)n;
	}
	assert_true(n == 0 || errno == EAGAIN || errno == EWOULDBLOCK);
	return count;
}

/*
 * A screen set up as ui_screen_open() does, then a frame of boxes on
 * every row, each box starting with a cursor move and a colour change as
 * the flame graph draws them: the frame must come in a few writes.
 */
static void test_frame_in_few_writes(void **state)
{
	int sv[2], row, col, writes;
	FILE *out, *in;
	SCREEN *scr;
	WINDOW *w;
	size_t bytes;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	out = fdopen(sv[0], "w");
	in = fopen("/dev/null", "r");
	assert_non_null(out);
	assert_non_null(in);
	setenv("LINES", "24", 1);
	setenv("COLUMNS", "80", 1);
	scr = newterm("xterm-256color", out, in);
	if (!scr) {
		fprintf(stderr, "test_ui_screen: skipped: no xterm-256color terminfo\n");
		exit(77);
	}
	ui_screen_buffer_output();
	start_color();
	init_pair(1, COLOR_BLACK, COLOR_RED);
	init_pair(2, COLOR_BLACK, COLOR_YELLOW);
	w = newwin(ROWS, COLS, 0, 0);
	assert_non_null(w);
	wnoutrefresh(w);
	doupdate();
	records(sv[1], &bytes); /* what setting up sent */

	for (row = 0; row < ROWS; row++)
		for (col = 0; col + 10 <= COLS; col += 13) {
			wattrset(w, COLOR_PAIR(1 + (row + col) % 2));
			mvwaddstr(w, row, col, "function");
			wattrset(w, A_NORMAL);
			waddch(w, ' ');
		}
	wnoutrefresh(w);
	doupdate();
	fflush(out);
	writes = records(sv[1], &bytes);
	/* Every row and every box on it start with a cursor move (the boxes
	 * leave gaps): over 100 moves. One buffer of curses' holds about
	 * 2 kB; a few writes per buffer at most. */
	assert_true(bytes > 2000);
	if (writes > (int)(bytes / 1000) + 2)
		fail_msg("a frame of %zu bytes came in %d writes", bytes, writes);

	delwin(w);
	endwin();
	delscreen(scr);
	fclose(out);
	fclose(in);
	close(sv[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frame_in_few_writes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
