#!/bin/sh
# tutorial.sh [MD] - the tutorial shows only code that `make test` compiles
# and runs: every ```c block of docs/tutorial.md must follow a line
#     <!-- from examples/NAME.c -->
# and be a verbatim excerpt of that file.  Inside a block, a line holding only
# "..." skips any number of lines of the file; the pieces around it must
# appear in the file, in that order.  Each example must be cited at least once.
md=${1:-docs/tutorial.md}
awk -v examples="create_task cancel_task cancel_task2 ensure_future future_set_result gather_and_wait ctrl_c" '
function fail(msg) { printf "FAIL %s:%d: %s\n", FILENAME, start, msg; bad = 1 }
function load(f,    line, n) {
    n = 0
    while ((getline line < f) > 0) src[++n] = line
    close(f)
    return n
}
# Find the pending piece in the source at or after line pos.
function piece(    i, j) {
    if (npiece == 0) return
    for (i = pos; i + npiece - 1 <= nsrc; i++) {
        for (j = 1; j <= npiece; j++) if (src[i + j - 1] != p[j]) break
        if (j > npiece) { pos = i + npiece; npiece = 0; return }
    }
    fail("not an excerpt of " file " (from: " p[1] ")")
    npiece = 0
}
inblock && /^```$/ { piece(); inblock = 0; file = ""; next }
inblock { if ($0 ~ /^[ \t]*\.\.\.$/) piece(); else p[++npiece] = $0; next }
/^<!-- from [^ ]+ -->$/ { file = $3; next }
/^```c$/ {
    start = NR
    if (file == "") { fail("a C block that is not marked as an excerpt"); file = "/dev/null" }
    nsrc = load(file)
    if (nsrc == 0) fail("cannot read " file)
    split(file, parts, "/"); name = parts[2]; sub(/\.c$/, "", name); cited[name]++
    inblock = 1; pos = 1; npiece = 0; blocks++
    next
}
{ file = "" }
END {
    n = split(examples, ex, " ")
    for (i = 1; i <= n; i++) if (!cited[ex[i]]) { start = 0; fail("no excerpt of examples/" ex[i] ".c") }
    if (!bad) printf "ok   tutorial: %d C blocks, all excerpts of examples/\n", blocks
    exit bad
}' "$md"
