#!/bin/sh
# sigint.sh BINDIR - coro_run and Ctrl-C, with BINDIR/run_sigint, a program
# whose main does not catch the interrupt (test/run_sigint.c says what it
# does).  Each case compares the whole transcript: the event order is
# deterministic, only the moment of the SIGINT comes from outside.
#
# Nothing here can hang: run_sigint kills itself with alarm() after 10 s (exit
# status 142, a failure), and every wait for a line of output gives up after
# 10 s.
set -u
bin=$1/run_sigint
out=$1/sigint
mkdir -p "$out"
status=0
fail() { echo "FAIL sigint $name: $*"; status=1; }

# start NAME ARGS...: run run_sigint in the background, output in $out/NAME.*
start() {
    name=$1
    shift
    # No stale transcript from an earlier run: wait_line must not find its
    # lines before this run has even started.
    rm -f "$out/$name.out" "$out/$name.err"
    "$bin" "$@" >"$out/$name.out" 2>"$out/$name.err" &
    pid=$!
}
# wait_line LINE: wait until the transcript has LINE (10 s at most)
wait_line() {
    n=0
    until grep -qxF "$1" "$out/$name.out" 2>/dev/null; do
        n=$((n + 1))
        if [ $n -gt 100 ]; then fail "no line '$1' after 10 s"; return 1; fi
        sleep 0.1
    done
}
# finish STATUS: reap run_sigint, check its exit status and transcript
# (expected on stdin)
finish() {
    wait $pid
    st=$?
    [ $st = "$1" ] || fail "exit status $st, expected $1"
    if ! diff -u - "$out/$name.out" >"$out/$name.diff"; then
        fail "transcript differs:"
        cat "$out/$name.diff"
    fi
}
no_stderr() {
    [ -s "$out/$name.err" ] && { fail "unexpected stderr:"; cat "$out/$name.err"; }
}

# 1. One SIGINT: main is cancelled, then every worker is cancelled and its
#    finally block runs to the end (it awaits 100 ms of cleanup); exit 130.
start drain 100
wait_line "main: ready" && kill -INT $pid
finish 130 <<'END'
main: ready
main: finally (cancelled)
sleeper: finally (cancelled)
waiter: finally (cancelled)
nested/child: finally (cancelled)
nested: finally (cancelled)
sleeper: cleaned up
waiter: cleaned up
nested: cleaned up
coro_run returned 130, SIGINT disposition restored
END
no_stderr

# 2. No timers at all: only a SIGINT can ever wake the loop, so coro_run must
#    wait for one (asyncio.run does) instead of ending main at once.
start idle 100 no-timers
wait_line "main: ready" && sleep 0.5
kill -0 $pid 2>/dev/null || fail "ended before any SIGINT"
kill -INT $pid 2>/dev/null
finish 130 <<'END'
main: ready
main: finally (cancelled)
waiter: finally (cancelled)
nested/child: finally (cancelled)
nested: finally (cancelled)
waiter: cleaned up
nested: cleaned up
coro_run returned 130, SIGINT disposition restored
END
no_stderr

# 3. Two SIGINTs: the second arrives while the workers clean up (which would
#    take 60 s) and stops at once.  The tasks left pending are reported.
start twice 60000
wait_line "main: ready" && kill -INT $pid
wait_line "nested: finally (cancelled)" && kill -INT $pid
t0=$(date +%s)
finish 130 <<'END'
main: ready
main: finally (cancelled)
sleeper: finally (cancelled)
waiter: finally (cancelled)
nested/child: finally (cancelled)
nested: finally (cancelled)
coro_run returned 130, SIGINT disposition restored
END
t1=$(date +%s)
[ $((t1 - t0)) -le 3 ] || fail "took $((t1 - t0)) s to stop after the second SIGINT"
n=$(grep -c "^Task was destroyed but it is pending!$" "$out/$name.err")
[ "$n" = 3 ] || fail "$n tasks reported destroyed, expected 3"

# 4. SIGINT ignored when coro_run starts: coro_run leaves it so, main sleeps
#    its 1.5 s to the end, the workers are cancelled and drained; exit 0.
start ignored 100 main=1500 ignore
wait_line "main: ready" && kill -INT $pid
finish 0 <<'END'
main: ready
main: done
main: finally (success)
sleeper: finally (cancelled)
waiter: finally (cancelled)
nested/child: finally (cancelled)
nested: finally (cancelled)
sleeper: cleaned up
waiter: cleaned up
nested: cleaned up
coro_run returned 0, SIGINT disposition restored
END
no_stderr

[ $status = 0 ] && echo "ok   sigint: coro_run and SIGINT ($1)"
exit $status
