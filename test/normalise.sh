#!/bin/sh
# normalise.sh - reads a transcript on stdin and writes it with the allowed
# differences between a seed's CPython 3.11 output and its C counterpart in
# examples/ (see the seeds' README) erased.  test/golden.sh applies it to BOTH
# the golden file (a verbatim copy of the seed's .out) and the program's
# output, then diffs them.  Anything this script does not erase must match.
#
# Rule 1, file names and line numbers in task reprs:
#     "running at asyncio_create_task.py:5" and
#     "running at examples/create_task.c:16" both become "running at FILE:LINE";
#     the same for "defined at", in a finished task's repr.
# Rule 2, the " result=..." suffix of a finished task's repr: CPython prints
#     "coro=<task_func() done, defined at f.py:5> result='the result'>",
#     coro_task_repr has no result part; the suffix is dropped.
# Rule 3, Python-only quoting in the repr() of a value: a quoted string that
#     stands alone as a word or a list item loses its quotes, so CPython's
#     "returned 'result'" and "['2', \"ValueError('boom')\"]" read like the C
#     "returned result" and "[2, ValueError('boom')]".  Quotes that are part
#     of the text stay: after "=" (name='Task-2') and after "("
#     (ValueError('boom')), since they are not delimited by a space, "[" or ",".
# Rule 4, ctrl_c: how many "<worker>: working" lines appear, and how the
#     workers interleave, depends on timing; each run of consecutive working
#     lines becomes the single line "<workers>: working ...".  At least one
#     must still be there.
sed -E \
    -e 's/(running|defined) at [^ >]+:[0-9]+/\1 at FILE:LINE/g' \
    -e 's/> result=('"'[^']*'"'|"[^"]*"|[^>]*)>/>>/g' \
    -e 's/(^|[[:space:][,])"([^"]*)"($|[],[:space:]])/\1\2\3/g' \
    -e 's/(^|[[:space:][,])'"'([^']*)'"'($|[],[:space:]])/\1\2\3/g' |
awk '/^[A-Za-z0-9_]+: working$/ { if (!w) print "<workers>: working ..."; w = 1; next }
     { w = 0; print }'
