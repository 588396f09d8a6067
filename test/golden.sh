#!/bin/sh
# golden.sh BINDIR - run the seven examples built in BINDIR and compare each
# transcript (stdout and stderr together, so any report from the library is a
# difference) with test/golden/NAME.out, a verbatim copy of the seed's CPython
# output.  test/normalise.sh is applied to both sides first: it erases
# exactly the differences the seeds' README allows, and says how.
#
# ctrl_c gets its SIGINT 1.2 s in, as the seed's transcript was made, and
# "exit status: N" is appended to its transcript, as in the seed.  Every run
# is bounded by timeout(1), so a hung example fails instead of hanging CI.
set -u
bin=$1
out=$1/golden
here=$(dirname "$0")
mkdir -p "$out"
status=0
fail() { echo "FAIL golden $name ($bin): $*"; status=1; }
has() { grep -qxF "$1" "$out/$name.txt" || fail "no line '$1'"; }

for name in create_task cancel_task cancel_task2 ensure_future future_set_result \
            gather_and_wait ctrl_c; do
    t=$out/$name.txt
    if [ $name = ctrl_c ]; then
        # --foreground: the SIGINT goes to ctrl_c alone; -k: SIGKILL 20 s
        # later if it is still running; --preserve-status: ctrl_c's status.
        timeout --foreground --preserve-status -k 20 -s INT 1.2 "$bin/$name" >"$t" 2>&1
        echo "exit status: $?" >>"$t"
    else
        timeout -k 5 30 "$bin/$name" >"$t" 2>&1
        st=$?
        [ $st = 0 ] || fail "exit status $st"
    fi
    "$here/normalise.sh" <"$here/golden/$name.out" >"$out/$name.expected"
    "$here/normalise.sh" <"$t" >"$out/$name.actual"
    if ! diff -u "$out/$name.expected" "$out/$name.actual" >"$out/$name.diff"; then
        fail "output differs from test/golden/$name.out (normalised):"
        cat "$out/$name.diff"
    fi
done

# Checks the diff makes already, spelled out for a clearer failure.
name=gather_and_wait
has "return_exceptions: [2, ValueError('boom')]"
name=ctrl_c
for w in a b; do
    has "$w: working"
    has "$w: cancelled, cleaning up"
    has "$w: closed"
done
grep -q "destroyed but it is pending" "$out/$name.txt" && fail "a task was destroyed pending"
has "exit status: 0"

[ $status = 0 ] && echo "ok   golden: the seven examples match test/golden/ ($bin)"
exit $status
