/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fitting function names into flame-graph boxes. A C++ or Rust name is
 * mostly noise at 20 columns ("std::__1::vector<int, std::allocator<int>
 * >::push_back(int const&)"); what identifies it is the innermost name, so
 * truncation drops, in order: argument lists and template arguments, then
 * outer qualifiers, and only then the end of what is left.
 */
#include "config.h"

#include "flametop/ui.h"

#include <stdio.h>
#include <string.h>

static bool is_cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

size_t ui_text_width(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (!is_cont((unsigned char)*s))
			n++;
	return n;
}

/* Copies the first `cols` code points of `s` to `out` (room permitting). */
static size_t copy_cols(char *out, size_t size, const char *s, size_t cols)
{
	size_t i = 0, n = 0;

	while (s[i]) {
		size_t len = 1;

		while (s[i + len] && is_cont((unsigned char)s[i + len]))
			len++;
		if (n == cols || i + len >= size)
			break;
		i += len;
		n++;
	}
	memcpy(out, s, i);
	out[i] = '\0';
	return n;
}

/*
 * `name` without anything between <> or () at any depth. False (and `out`
 * unspecified) when the brackets do not balance, as in "operator<".
 */
static bool strip_brackets(const char *name, char *out, size_t size)
{
	int angle = 0, paren = 0;
	size_t o = 0;

	for (; *name; name++) {
		char c = *name;

		if (c == '(')
			paren++;
		else if (c == ')')
			paren--;
		else if (c == '<' && !paren)
			angle++;
		else if (c == '>' && !paren)
			angle--;
		else if (!angle && !paren && o + 1 < size)
			out[o++] = c;
		if (angle < 0 || paren < 0)
			return false;
	}
	out[o] = '\0';
	/* Trailing qualifiers after the argument list ("f() const") go too. */
	while (o > 0 && (out[o - 1] == ' '))
		out[--o] = '\0';
	if (o > 6 && strcmp(out + o - 6, " const") == 0)
		out[o - 6] = '\0';
	return angle == 0 && paren == 0 && out[0];
}

int ui_label_fit(const char *name, int width, bool utf8, char *out, size_t size)
{
	const char *ell = utf8 ? "\xe2\x80\xa6" : "..";
	int ell_w = utf8 ? 1 : 2;
	char plain[1024], *sep;
	size_t w;

	if (size == 0)
		return 0;
	out[0] = '\0';
	if (width <= 0)
		return 0;
	w = ui_text_width(name);
	if ((int)w <= width) {
		snprintf(out, size, "%s", name);
		return (int)w;
	}
	if (width < 3)
		return 0;
	if (!strip_brackets(name, plain, sizeof(plain)))
		snprintf(plain, sizeof(plain), "%s", name);
	w = ui_text_width(plain);
	if ((int)w <= width) {
		snprintf(out, size, "%s", plain);
		return (int)w;
	}
	/* Keep as many inner qualifiers as fit: "..::Class::method". */
	for (sep = strstr(plain, "::"); sep; sep = strstr(sep + 2, "::")) {
		w = ui_text_width(sep);
		if ((int)w + ell_w <= width) {
			snprintf(out, size, "%s%s", ell, sep);
			return (int)w + ell_w;
		}
	}
	/* Cut the end; with "::" in the name, cut what is left of the last
	 * component, which is the part that names the function. */
	sep = NULL;
	for (char *s = strstr(plain, "::"); s; s = strstr(s + 2, "::"))
		sep = s + 2;
	if (sep && (int)ui_text_width(sep) + ell_w > width && width >= 2 * ell_w + 2) {
		size_t n = strlen(ell);

		if (n + 1 >= size)
			return 0;
		memcpy(out, ell, n + 1);
		w = copy_cols(out + n, size - n, sep, (size_t)(width - 2 * ell_w));
		snprintf(out + strlen(out), size - strlen(out), "%s", ell);
		return (int)w + 2 * ell_w;
	}
	w = copy_cols(out, size, plain, (size_t)(width - ell_w));
	if (strlen(out) + strlen(ell) + 1 > size)
		return (int)w;
	strcat(out, ell);
	return (int)w + ell_w;
}
