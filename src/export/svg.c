/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An interactive flame graph as one SVG file a browser opens by itself:
 * the call tree of the input, root at the bottom, each function as wide
 * as its share of the weight, children ordered by name (as the explorer
 * and flamegraph.pl order them); frames narrower than a tenth of a pixel
 * are left out, with their callees. A small script (ours, below) makes it
 * explorable: a click zooms on a frame (its callers stay, greyed, across
 * the width), Escape or "Reset zoom" goes back, "Search" (or Ctrl-F)
 * takes a regular expression, paints the matching frames and says what
 * share of the weight they cover, and the line at the bottom names the
 * frame under the pointer.
 *
 * Names are sanitized, then escaped for XML; colours come from a hash of
 * the name, so a function keeps its colour from one graph to the next.
 */
#include "config.h"

#include "flametop/export.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "flametop/util.h"
#include "internal.h"

#define SVG_WIDTH 1200
#define SVG_PAD 10
#define SVG_FRAME_H 16
#define SVG_TOP 50 /* title and buttons */
#define SVG_BOTTOM 34 /* the details line */
#define SVG_FONT 12
#define SVG_CHAR_W 7.0 /* a monospace character at SVG_FONT px, about */
#define SVG_MIN_W 0.1 /* px: narrower frames are left out */

static void put_xml(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&apos;", out);
			break;
		default:
			fputc(*s, out);
		}
	}
}

/* Warm colours for user code, orange-brown for the kernel, from the name. */
static void frame_color(const struct profile *p, uint32_t frame, char *buf, size_t size)
{
	const char *name = frame < p->nframes ? profile_string(p, p->frames[frame].name) : "";
	uint64_t h = util_hash_bytes(name, strlen(name));
	unsigned a = (unsigned)(h & 0xff), b = (unsigned)((h >> 8) & 0xff);

	if (frame < p->nframes && p->frames[frame].kind == PROFILE_FRAME_KERNEL)
		snprintf(buf, size, "rgb(%u,%u,%u)", 190 + a % 50, 110 + b % 60, 40 + a % 30);
	else
		snprintf(buf, size, "rgb(%u,%u,%u)", 205 + a % 50, 60 + b % 170, 40 + (a ^ b) % 50);
}

struct svg {
	FILE *out;
	const struct export_input *in;
	const struct profile *p;
	uint64_t *total; /* per node */
	uint64_t root;
	double scale; /* px per unit of weight */
	uint32_t max_depth;
	const char *unit;
	struct export_clean b;
	uint32_t *kids;
	size_t kids_cap;
};

/* Children of a node, by name then frame id. */
static int by_name(const void *a, const void *b, void *ctx)
{
	const struct profile *p = ctx;
	uint32_t x = p->nodes[*(const uint32_t *)a].frame, y = p->nodes[*(const uint32_t *)b].frame;
	const char *nx = x < p->nframes ? profile_string(p, p->frames[x].name) : "";
	const char *ny = y < p->nframes ? profile_string(p, p->frames[y].name) : "";
	int c = strcmp(nx, ny);

	return c ? c : x < y ? -1 : x > y;
}

static void put_frame(struct svg *g, uint32_t node, uint32_t depth, double x)
{
	const struct profile *p = g->p;
	double w = (double)g->total[node] * g->scale;
	double y = SVG_TOP + (double)(g->max_depth - depth) * SVG_FRAME_H;
	uint32_t frame = node ? p->nodes[node].frame : PROFILE_NO_FRAME;
	const char *name = node ? export_frame_name(&g->b, p, frame) : "all";
	size_t fit = (size_t)((w - 6) / SVG_CHAR_W), len = strlen(name);
	char color[32];

	if (node)
		frame_color(p, frame, color, sizeof(color));
	else
		snprintf(color, sizeof(color), "rgb(200,200,210)");
	fputs("<g class=\"f\" data-n=\"", g->out);
	put_xml(g->out, name);
	fprintf(g->out, "\" data-w=\"%" PRIu64 "\"><title>", g->total[node]);
	put_xml(g->out, name);
	fprintf(g->out, " (%" PRIu64 " %s, %.2f%%)</title>", g->total[node], g->unit,
		g->root ? 100.0 * (double)g->total[node] / (double)g->root : 0.0);
	fprintf(g->out,
		"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"%s\" rx=\"2\"/>"
		"<text x=\"%.1f\" y=\"%.1f\">",
		x, y, w, SVG_FRAME_H - 1, color, x + 3, y + SVG_FRAME_H - 4.5);
	if (fit >= 3) {
		/* Cut on a character boundary (the name is valid UTF-8). */
		if (len > fit) {
			char *cut = xstrndup(name, fit - 2);
			size_t n = strlen(cut);

			while (n && ((unsigned char)cut[n - 1] & 0xc0) == 0x80)
				n--;
			if (n && ((unsigned char)cut[n - 1] & 0xc0) == 0xc0)
				n--;
			cut[n] = '\0';
			put_xml(g->out, cut);
			fputs("..", g->out);
			free(cut);
		} else {
			put_xml(g->out, name);
		}
	}
	fputs("</text></g>\n", g->out);
}

/* Depth-first, children left to right by name; iterative (stacks are deep). */
static void put_tree(struct svg *g)
{
	const struct profile *p = g->p;
	struct item {
		uint32_t node, depth;
		double x;
	} *stack = NULL;
	size_t n = 0, cap = 0, k, first;
	uint32_t c;

	stack = xreallocarray(stack, cap = 256, sizeof(*stack));
	stack[n++] = (struct item){ PROFILE_ROOT, 0, SVG_PAD };
	while (n) {
		struct item it = stack[--n];
		double x;

		put_frame(g, it.node, it.depth, it.x);
		/* Children wide enough, sorted by name, pushed right to left. */
		first = 0;
		for (c = p->first_child[it.node]; c != PROFILE_NO_NODE; c = p->next_sibling[c]) {
			if ((double)g->total[c] * g->scale < SVG_MIN_W)
				continue;
			if (first == g->kids_cap) {
				g->kids_cap = g->kids_cap ? g->kids_cap * 2 : 64;
				g->kids = xreallocarray(g->kids, g->kids_cap, sizeof(*g->kids));
			}
			g->kids[first++] = c;
		}
		if (!first)
			continue;
		qsort_r(g->kids, first, sizeof(*g->kids), by_name, (void *)p);
		if (n + first > cap) {
			while (n + first > cap)
				cap *= 2;
			stack = xreallocarray(stack, cap, sizeof(*stack));
		}
		/* Left to right from the parent's left edge (its self weight
		 * is the room left at its right), pushed so the leftmost pops
		 * first. */
		x = it.x;
		for (k = 0; k < first; k++) {
			stack[n + first - 1 - k] = (struct item){ g->kids[k], it.depth + 1, x };
			x += (double)g->total[g->kids[k]] * g->scale;
		}
		n += first;
	}
	free(stack);
}

/* The script: zoom on click, search, details. Ours; no "]]" inside. */
static const char svg_script[] =
	"var W = 0, PAD = 0, CH = 7.0, frames = [], zoomed = null, re = null;\n"
	"function $(id) { return document.getElementById(id); }\n"
	"function init() {\n"
	"  var svg = document.documentElement;\n"
	"  W = +svg.getAttribute('data-width'); PAD = +svg.getAttribute('data-pad');\n"
	"  var gs = document.querySelectorAll('g.f');\n"
	"  for (var i = 0; i < gs.length; i++) {\n"
	"    var g = gs[i], r = g.querySelector('rect');\n"
	"    var f = { g: g, r: r, t: g.querySelector('text'), n: g.getAttribute('data-n'),\n"
	"              x: +r.getAttribute('x'), y: +r.getAttribute('y'),\n"
	"              w: +r.getAttribute('width'), fill: r.getAttribute('fill') };\n"
	"    frames.push(f);\n"
	"    g.addEventListener('click', (function (f) { return function () { zoom(f); }; })(f));\n"
	"    g.addEventListener('mouseover', (function (f) { return function () {\n"
	"      $('details').textContent = g2title(f); }; })(f));\n"
	"    g.addEventListener('mouseout', function () { $('details').textContent = ' '; });\n"
	"  }\n"
	"  $('reset').addEventListener('click', reset);\n"
	"  $('search').addEventListener('click', ask);\n"
	"  document.addEventListener('keydown', function (e) {\n"
	"    if (e.keyCode === 27) { reset(); clearSearch(); }\n"
	"    else if ((e.ctrlKey || e.metaKey) && e.keyCode === 70) { e.preventDefault(); ask(); }\n"
	"  });\n"
	"}\n"
	"function g2title(f) { var t = f.g.querySelector('title'); return t ? t.textContent : f.n; }\n"
	"function label(f, w) {\n"
	"  var fit = Math.floor((w - 6) / CH);\n"
	"  if (fit < 3) return '';\n"
	"  return f.n.length <= fit ? f.n : f.n.substring(0, fit - 2) + '..';\n"
	"}\n"
	"function place(f, x, w, show, grey) {\n"
	"  f.g.style.display = show ? '' : 'none';\n"
	"  if (!show) return;\n"
	"  f.r.setAttribute('x', x.toFixed(1)); f.r.setAttribute('width', w.toFixed(1));\n"
	"  f.t.setAttribute('x', (x + 3).toFixed(1)); f.t.textContent = label(f, w);\n"
	"  f.g.style.opacity = grey ? '0.5' : '';\n"
	"}\n"
	"function zoom(z) {\n"
	"  var scale = W / z.w, eps = 0.0001;\n"
	"  zoomed = z;\n"
	"  for (var i = 0; i < frames.length; i++) {\n"
	"    var f = frames[i];\n"
	"    if (f.y > z.y) {\n"
	"      /* below: a caller of the zoomed frame when it spans it */\n"
	"      var anc = f.x <= z.x + eps && f.x + f.w >= z.x + z.w - eps;\n"
	"      place(f, PAD, W, anc, true);\n"
	"    } else {\n"
	"      var inside = f.x >= z.x - eps && f.x + f.w <= z.x + z.w + eps;\n"
	"      place(f, PAD + (f.x - z.x) * scale, f.w * scale, inside, false);\n"
	"    }\n"
	"  }\n"
	"  $('reset').style.display = '';\n"
	"  if (re) mark();\n"
	"}\n"
	"function reset() {\n"
	"  zoomed = null;\n"
	"  for (var i = 0; i < frames.length; i++) place(frames[i], frames[i].x, frames[i].w, true, false);\n"
	"  $('reset').style.display = 'none';\n"
	"}\n"
	"function ask() {\n"
	"  var s = prompt('Search for (a regular expression; empty clears):', re ? re.source : '');\n"
	"  if (s === null) return;\n"
	"  if (s === '') { clearSearch(); return; }\n"
	"  try { re = new RegExp(s); } catch (e) { alert('Not a regular expression: ' + e.message); return; }\n"
	"  mark();\n"
	"}\n"
	"function clearSearch() {\n"
	"  re = null;\n"
	"  for (var i = 0; i < frames.length; i++) frames[i].r.setAttribute('fill', frames[i].fill);\n"
	"  $('matched').textContent = ' ';\n"
	"}\n"
	"function mark() {\n"
	"  var hits = [];\n"
	"  for (var i = 0; i < frames.length; i++) {\n"
	"    var f = frames[i], m = re.test(f.n);\n"
	"    f.r.setAttribute('fill', m ? 'rgb(230,0,230)' : f.fill);\n"
	"    if (m) hits.push(f);\n"
	"  }\n"
	"  /* the share: matched spans, each counted once however deep */\n"
	"  hits.sort(function (a, b) { return a.x - b.x || b.w - a.w; });\n"
	"  var sum = 0, end = -1, root = frames.length ? frames[0].w : 1;\n"
	"  for (var k = 0; k < hits.length; k++) {\n"
	"    var h = hits[k];\n"
	"    if (h.x + h.w <= end + 0.0001) continue;\n"
	"    sum += h.w - Math.max(0, end - h.x); end = h.x + h.w;\n"
	"  }\n"
	"  $('matched').textContent = 'Matched: ' + (100 * sum / root).toFixed(1) + '%';\n"
	"}\n"
	"window.addEventListener('load', init);\n";

int export_svg_write(FILE *out, const struct export_input *in, struct ft_error *err)
{
	const struct profile *p = in->p;
	struct svg g = { .out = out, .in = in, .p = p, .unit = export_input_unit(in) };
	uint32_t n, *depth;
	int height;

	g.total = xcalloc(p->nnodes ? p->nnodes : 1, sizeof(*g.total));
	depth = xcalloc(p->nnodes ? p->nnodes : 1, sizeof(*depth));
	for (n = 0; n < in->nsamples; n++)
		if (in->samples[n].node < p->nnodes)
			g.total[in->samples[n].node] += in->samples[n].weight;
	for (n = p->nnodes; n-- > 1;) /* parents have smaller ids */
		g.total[p->nodes[n].parent] += g.total[n];
	g.root = g.total[PROFILE_ROOT];
	g.scale = g.root ? (double)(SVG_WIDTH - 2 * SVG_PAD) / (double)g.root : 0;
	for (n = 1; n < p->nnodes; n++) {
		depth[n] = depth[p->nodes[n].parent] + 1;
		if (g.total[n] && (double)g.total[n] * g.scale >= SVG_MIN_W && depth[n] > g.max_depth)
			g.max_depth = depth[n];
	}
	free(depth);
	height = SVG_TOP + (int)(g.max_depth + 1) * SVG_FRAME_H + SVG_BOTTOM;
	fprintf(out,
		"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
		"<svg version=\"1.1\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		"height=\"%d\" viewBox=\"0 0 %d %d\" data-width=\"%d\" data-pad=\"%d\">\n"
		"<!-- flametop %s: an interactive flame graph; open it in a browser -->\n"
		"<style type=\"text/css\">\n"
		"text { font-family: monospace; font-size: %dpx; fill: rgb(0,0,0); }\n"
		"g.f text { pointer-events: none; }\n"
		"g.f:hover rect { stroke: rgb(40,40,40); stroke-width: 0.5; cursor: pointer; }\n"
		".button { fill: rgb(40,40,160); cursor: pointer; }\n"
		"</style>\n"
		"<script type=\"text/ecmascript\"><![CDATA[\n%s]]></script>\n"
		"<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"rgb(248,248,240)\"/>\n",
		SVG_WIDTH, height, SVG_WIDTH, height, SVG_WIDTH - 2 * SVG_PAD, SVG_PAD,
		PACKAGE_VERSION, SVG_FONT, svg_script, SVG_WIDTH, height);
	fputs("<text x=\"600\" y=\"20\" text-anchor=\"middle\" style=\"font-size:15px\">", out);
	put_xml(out, export_clean(&g.b, in->title ? in->title : "flametop"));
	if (in->event >= 0) {
		fputs(": ", out);
		put_xml(out, export_clean(&g.b, p->events[in->event].name));
	}
	fprintf(out, "</text>\n<text id=\"reset\" class=\"button\" x=\"%d\" y=\"40\" "
		     "style=\"display:none\">Reset zoom</text>\n"
		     "<text id=\"search\" class=\"button\" x=\"%d\" y=\"40\" "
		     "text-anchor=\"end\">Search</text>\n"
		     "<text id=\"matched\" x=\"%d\" y=\"%d\" text-anchor=\"end\"> </text>\n"
		     "<text id=\"details\" x=\"%d\" y=\"%d\"> </text>\n",
		SVG_PAD, SVG_WIDTH - SVG_PAD, SVG_WIDTH - SVG_PAD, height - 12, SVG_PAD, height - 12);
	if (g.root)
		put_tree(&g);
	else
		fprintf(out, "<text x=\"600\" y=\"%d\" text-anchor=\"middle\">no samples</text>\n",
			SVG_TOP + 12);
	fputs("</svg>\n", out);
	free(g.kids);
	free(g.total);
	free(g.b.s);
	if (ferror(out)) {
		error_set(err, "cannot write the flame graph: %s", strerror(errno));
		return -1;
	}
	return 0;
}
