#!/bin/sh
# run.sh TARGET ELF HOST_OUT OUT - run one program on an emulated target and
# check it, for make test-mcu (mk/mcu.mk).
#
#   TARGET    cm3 (qemu-system-arm, mps2-an385, semihosting) or avr (simavr)
#   ELF       the program: a test runner or an example, built for TARGET
#   HOST_OUT  the same program's output on the host (or its expected output)
#   OUT       where the target's output goes (normalised, marker removed)
#
# The program passes when it ends with the marker line "CORO-MCU: PASS"
# (cm3: and QEMU exits with status 0, which semihosting carries from exit()),
# and its output is identical to the host's.  simavr prints the UART with
# colour codes and shows each newline as a '.', which is undone here.
target=$1 elf=$2 ref=$3 out=$4
name=$(basename "$(dirname "$elf")")/$(basename "$elf" .elf)
limit=${CORO_MCU_TIMEOUT:-120}
case $target in
cm3)
    timeout "$limit" qemu-system-arm -M mps2-an385 -nographic \
        -semihosting-config enable=on,target=native -kernel "$elf" >"$out.raw" 2>&1
    status=$?
    cp "$out.raw" "$out.all" ;;
avr)
    timeout "$limit" simavr -m atmega2560 -f 16000000 "$elf" 2>"$out.raw" >/dev/null
    status=$?
    esc=$(printf '\033')
    sed -e "s/$esc\[[0-9;]*m//g" -e 's/\.$//' "$out.raw" | awk '
        { line[NR] = $0 }
        END { n = NR; if (n > 0 && line[n] == "") n--; for (i = 1; i <= n; i++) print line[i] }' >"$out.all" ;;
*)
    echo "run.sh: unknown target $target" >&2; exit 2 ;;
esac
last=$(tail -n 1 "$out.all")
grep -v '^CORO-MCU: ' "$out.all" >"$out"
if [ $status -eq 124 ]; then
    echo "FAIL $target $name: timed out after ${limit}s"; tail -n 5 "$out.all"; exit 1
fi
if [ "$last" != "CORO-MCU: PASS" ] || [ $status -ne 0 ]; then
    echo "FAIL $target $name: exit status $status, last line: $last"; tail -n 20 "$out.all"; exit 1
fi
case $ref in build/*) what="the host's output" ;; *) what=$ref ;; esac
if ! diff -u "$ref" "$out" >"$out.diff"; then
    echo "FAIL $target $name: output differs from $what:"; cat "$out.diff"; exit 1
fi
tests=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\.$/\1/p' "$out")
echo "ok   $target $name${tests:+: $tests tests passed,} same as $what"
