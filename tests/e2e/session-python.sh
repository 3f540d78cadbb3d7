#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The session format's specification ends with a reader in Python's
# standard library (doc/session-format.md, "Reading a session with
# Python's standard library"). That reader, taken from the document as it
# is, must print the same folded stacks as `flametop report --format
# folded` for a session of every format version (the golden cases) and for
# a recording made now, whose chunks of every kind span several flushes
# (system-wide, so as root; not root, the golden cases alone).
# A change to the format that the document does not follow fails here.
# shellcheck source=tests/e2e/lib.sh
. "$TESTLIB"

command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
SPEC="$GOLDEN/../../doc/session-format.md"
[ -r "$SPEC" ] || hard_error "no specification at $SPEC"

# The document's one python block, then a call of its folded().
sed -n '/^```python$/,/^```$/p' "$SPEC" | sed '1d;$d' >"$T/reader.py"
[ -s "$T/reader.py" ] || hard_error "no python block in $SPEC"
cp "$T/reader.py" "$T/chains.py"
printf '\nimport sys\nfolded(sys.argv[1])\n' >>"$T/reader.py"

# The same reader's chains: a sample with a known code location and a
# chain has that location innermost on the chain, and the frames of its
# chain's locations, outermost first, are its stack's user-space frames
# (flametop records them so), but for those that have no code location of
# their own: inlined, in no known module, a signal's. Prints the samples checked and how
# many disagree: chains decoded wrong (format 1.7's column 9, coded by
# what came before; 1.12's chains chunks, coded by the call tree)
# disagree. (From 1.10 a location is mostly read from its chain, column
# 12's 0, so there only the frames say whether the chain is right.)
cat >>"$T/chains.py" <<'EOF'

import sys
chains, nodes, locations, checked, wrong = [(0, 0)], [(0, None)], [None], 0, 0
strings, frames = [], []

def path(n, parents):
    out = []
    while n:
        out.append(parents[n][1])
        n = parents[n][0]
    return out[::-1]

def located(frame):
    """Whether a frame has code locations: user space, in a known module,
    not a signal handler's caller, not inlined."""
    name, module, kind = frames[frame]
    return kind == 0 and strings[module] != "[unknown]" and \
        strings[name] != "[signal]" and not strings[name].endswith(" (inlined)")

def right(chain, node):
    return [locations[loc][0] for loc in path(chain, chains)] == \
        [f for f in path(node, nodes) if located(f)]

for ctype, obj in read_session(sys.argv[1]):
    if ctype == 5:
        nodes += [(len(nodes) + k - back, frame)
                  for k, (back, frame) in enumerate(obj["nodes"])]
        locations += [tuple(l) for l in obj["locations"]]
        chains += [(len(chains) + k - back, loc)
                   for k, (back, loc) in enumerate(obj["chains"])]
    elif ctype == 2:
        strings += obj.get("strings", [])
        frames += obj.get("frames", [])
        nodes += [tuple(n) for n in obj.get("nodes", [])]
        locations += [tuple(l) for l in obj.get("locations", [])]
        chains += [tuple(c) for c in obj.get("chains", [])]
        s = obj.get("samples", {})
        for loc, chain, node in zip(s.get("location", []), s.get("chain", []),
                                    s.get("node", [])):
            if loc and chain:
                checked += 1
                if chains[chain][1] != loc or not right(chain, node):
                    if not wrong:  # the first, on stderr
                        name = lambda f: strings[frames[f][0]]
                        print("chain:", ";".join(name(locations[l][0])
                                                 for l in path(chain, chains)),
                              "stack:", ";".join(name(f) for f in path(node, nodes)),
                              file=sys.stderr)
                    wrong += 1
print(checked, wrong)
EOF

# same_folded NAME SESSION: the document's reader agrees with flametop.
same_folded() {
	if ! python3 "$T/reader.py" "$2" >"$T/py.out" 2>"$T/py.err"; then
		fail "$1: the specification's reader failed: $(tail -n 3 "$T/py.err")"
		return
	fi
	if ! "$FLAMETOP" report -i "$2" --format folded >"$T/ft.out" 2>"$T/ft.err"; then
		fail "$1: flametop report failed: $(cat "$T/ft.err")"
		return
	fi
	if [ ! -s "$T/ft.out" ]; then
		fail "$1: flametop printed no stacks"
	elif cmp -s "$T/py.out" "$T/ft.out"; then
		pass "$1: the specification's reader prints flametop's $(wc -l <"$T/ft.out") stacks"
	else
		fail "$1: the specification's reader differs from flametop:"
		diff "$T/ft.out" "$T/py.out" | head -n 10
	fi
}

# same_chains NAME SESSION: the document's reader decodes its chains.
same_chains() {
	if ! python3 "$T/chains.py" "$2" >"$T/py.out" 2>"$T/py.err"; then
		fail "$1: the specification's reader failed: $(tail -n 3 "$T/py.err")"
		return
	fi
	read -r checked wrong <"$T/py.out"
	sed 's/^/  /' "$T/py.err"
	if [ "${checked:-0}" -eq 0 ]; then
		fail "$1: no sample has both a code location and a chain"
	elif [ "$wrong" -ne 0 ]; then
		fail "$1: $wrong of $checked samples' chains do not end at their location"
	else
		pass "$1: the specification's reader decodes the chains of $checked samples"
	fi
}

# The chains themselves: valid/basic, written as 1.12 (chains chunks,
# coded by the call tree), and valid/version-1.11, the same recording as
# 1.11 wrote it (tables chunks), decode to the same chains.
cat >"$T/table.py" <<'EOF'
import sys
exec(open(sys.argv[1]).read())
chains = []
for ctype, obj in read_session(sys.argv[2]):
    if ctype == 5:
        chains += [(len(chains) + 1 + k - back, loc)
                   for k, (back, loc) in enumerate(obj["chains"])]
    elif ctype == 2:
        chains += [tuple(c) for c in obj.get("chains", [])]
print(chains)
EOF
sed -n '/^```python$/,/^```$/p' "$SPEC" | sed '1d;$d' >"$T/spec.py"
if python3 "$T/table.py" "$T/spec.py" "$GOLDEN/session/valid/basic/input" >"$T/new.chains" 2>"$T/py.err" &&
	python3 "$T/table.py" "$T/spec.py" "$GOLDEN/session/valid/version-1.11/input" >"$T/old.chains" 2>>"$T/py.err"; then
	assert_eq "$(cat "$T/new.chains")" "$(cat "$T/old.chains")" "basic's chains (1.12) against version-1.11's"
	assert_between "$(grep -o '(' "$T/new.chains" | wc -l)" 8 100000 "chains in basic"
else
	fail "the specification's reader failed: $(tail -n 3 "$T/py.err")"
fi

for c in basic version-1.0 version-1.1 version-1.3 version-1.4 version-1.5 version-1.6 version-1.7 version-1.8 version-1.9-ns version-1.9 version-1.10 version-1.11; do
	same_folded "$c" "$GOLDEN/session/valid/$c/input"
done
for c in basic version-1.4 version-1.5 version-1.6 version-1.7 version-1.8 version-1.9-ns version-1.9 version-1.10 version-1.11; do
	same_chains "$c" "$GOLDEN/session/valid/$c/input"
done

# A system-wide recording: many processes and threads, kernel frames, code
# locations and chains, three flushes at least. What else runs is the
# machine's: the workload `lines` (built with -g, so its frames have code
# locations) runs through it, so that some samples have both on any
# machine, an idle one too.
if [ "$(id -u)" -eq 0 ]; then
	need_workload lines
	start_bg "$WORKLOADS/lines" 0
	S="$T/system.session"
	run_record system -a -F 999 -d 2.5 -o "$S"
	kill "$BG_PID" 2>/dev/null
	wait "$BG_PID" 2>/dev/null
	assert_record_ok_system system "$S"
	[ -s "$S" ] && same_folded "a system-wide recording" "$S"
	[ -s "$S" ] && same_chains "a system-wide recording" "$S"
	# A thread whose name holds a ';': the folded line has ':' there.
	need_workload bursts
	cp "$WORKLOADS/bursts" "$T/semi;colon"
	S="$T/semicolon.session"
	run_record semicolon -F 999 -o "$S" -- "$T/semi;colon" 1
	assert_record_ok semicolon "$S"
	[ -s "$S" ] && same_folded "a thread named semi;colon" "$S"
else
	echo "  (not root: the golden sessions only)"
fi
finish
