#!/bin/sh
# compile_fail.sh CC FILE... - each file must NOT compile with CC.
#
# A file names the diagnostic it must fail with in a comment
#     /* expect: <extended regex> */
# and may add compiler flags with /* flags: ... */ or restrict itself to one
# compiler with /* only: gcc */.  Each file is also compiled with -DCORO_CF_OK,
# under which it must compile: that proves the failure comes from the
# construct under test and not from some other mistake in the file.
cc=$1; shift
status=0
for f in "$@"; do
    only=$(sed -n 's@.*/\* only: \([a-z]*\) \*/.*@\1@p' "$f" | head -n 1)
    case "$only" in ""|"$cc") ;; *) continue ;; esac
    flags=$(sed -n 's@.*/\* flags: \(.*\) \*/.*@\1@p' "$f" | head -n 1)
    expect=$(sed -n 's@.*/\* expect: \(.*\) \*/.*@\1@p' "$f" | head -n 1)
    base="$cc -std=c99 -Wall -Wextra -Werror -pedantic -Wimplicit-fallthrough $flags -I. -fsyntax-only"
    if ! $base -DCORO_CF_OK "$f" 2>/tmp/cf.$$; then
        echo "FAIL $f ($cc): the control build (-DCORO_CF_OK) does not compile:"; cat /tmp/cf.$$
        status=1; continue
    fi
    if $base "$f" 2>/tmp/cf.$$; then
        echo "FAIL $f ($cc): compiled, but must not"; status=1; continue
    fi
    if [ -n "$expect" ] && ! grep -Eq "$expect" /tmp/cf.$$; then
        echo "FAIL $f ($cc): failed, but not with /$expect/:"; cat /tmp/cf.$$; status=1; continue
    fi
    echo "ok   $f ($cc): rejected as expected"
done
rm -f /tmp/cf.$$
exit $status
