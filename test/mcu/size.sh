#!/bin/sh
# size.sh OUT.md - the size table of docs/porting.md (make size).
#
# For each target whose compiler is installed, at -Os:
#  - the .text/.data/.bss of the core (test/mcu/size_core.c: futures, tasks,
#    the loop without fds, gather and wait) and of everything a bare-metal
#    build has.  The driver is linked alone, without libc, with
#    --gc-sections, and only the sections that come from the library's
#    objects are added up (from the link map), so libc and libgcc helpers
#    (memcpy, 32-bit division on AVR...) are not counted;
#  - sizeof the per-task overhead (test/mcu/size_probe.c);
# and, when simavr is there, how many tasks fit an ATmega2560's 8 KB,
# measured by running test/mcu/size_tasks.c, with malloc and with the static
# pools.  Writes a markdown table to OUT.md.
set -e
out=$1
dir=build/size
mkdir -p "$dir"
lib="event future gather io io_poll loop run task"
warn="-std=c99 -Wall -Wextra -Werror -pedantic"
opt="-Os -ffunction-sections -fdata-sections"

have() { command -v "$1" >/dev/null 2>&1; }

# target: name, compiler and flags, port include dir, description
targets=""
have arm-none-eabi-gcc && targets="$targets cm3 cm0"
have avr-gcc && targets="$targets avr"
have riscv64-unknown-elf-gcc && targets="$targets rv64"

cc_of() {
    case $1 in
    cm3) echo "arm-none-eabi-gcc -mcpu=cortex-m3 -mthumb" ;;
    cm0) echo "arm-none-eabi-gcc -mcpu=cortex-m0 -mthumb" ;;
    avr) echo "avr-gcc -mmcu=atmega2560 -DF_CPU=16000000UL" ;;
    rv64) echo "riscv64-unknown-elf-gcc --specs=picolibc.specs -march=rv64imac_zicsr -mabi=lp64 -mcmodel=medany" ;;
    esac
}
nm_of() {
    case $1 in
    cm3|cm0) echo arm-none-eabi-nm ;;
    avr) echo avr-nm ;;
    rv64) echo riscv64-unknown-elf-nm ;;
    esac
}
port_of() {
    case $1 in
    cm3|cm0) echo port/cortex-m ;;
    avr) echo port/avr ;;
    rv64) echo port/riscv ;;
    esac
}
name_of() {
    case $1 in
    cm3) echo "Cortex-M3 (Thumb-2)" ;;
    cm0) echo "Cortex-M0 (Thumb)" ;;
    avr) echo "ATmega2560 (AVR)" ;;
    rv64) echo "RISC-V rv64imac" ;;
    esac
}

# Sum, by output section, the input sections of the map that come from the
# library's objects: prints "text data bss".
sum_map() {
    awk -v libdir="$2" '
        function hex(s,    v, i) {     # no strtonum in mawk
            s = tolower(s); sub(/^0x/, "", s); v = 0
            for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
            return v
        }
        function add(sz, file) {
            if (index(file, libdir) != 1) return
            if (out ~ /^\.(data|rodata_in_ram)/) data += sz
            else if (out ~ /^\.(bss|noinit)/) bss += sz
            else if (out ~ /^\.(text|rodata|init|fini|ARM|srodata|sdata2)/) text += sz
            else if (out ~ /^\.(sdata)/) data += sz
            else if (out ~ /^\.(sbss)/) bss += sz
        }
        /^Linker script and memory map/ { inmap = 1; next }
        !inmap { next }
        /^\.[^ ]+/ { out = $1 }
        /^ [^ ]/ {
            # " .sec  0xADDR  0xSIZE  file" or " .sec" then "  0xADDR 0xSIZE file"
            if (NF >= 4 && $2 ~ /^0x/ && $3 ~ /^0x/) { add(hex($3), $4); pending = 0 }
            else if (NF == 1) pending = 1
            next
        }
        pending && /^ +0x/ { if (NF >= 3 && $2 ~ /^0x/) add(hex($2), $3); pending = 0; next }
        { pending = 0 }
        END { printf "%d %d %d\n", text, data, bss }' "$1"
}

probe() {   # object symbol -> size in bytes
    $nm -S "$1" 2>/dev/null | awk -v s="$2" '
        $4 == s { h = tolower($2); v = 0
                  for (i = 1; i <= length(h); i++) v = v * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1
                  print v }'
}

printf '' >"$dir/rows_size"
printf '' >"$dir/rows_task"
for t in $targets; do
    cc=$(cc_of $t)
    nm=$(nm_of $t)
    port=$(port_of $t)
    o=$dir/$t
    mkdir -p "$o/lib"
    for f in $lib; do
        $cc $warn $opt -I"$port" -DCORO_USER_CONFIG='"coro_port.h"' -I. -c $f.c -o "$o/lib/$f.o"
    done
    for full in 0 1; do
        $cc $warn $opt -I"$port" -DCORO_USER_CONFIG='"coro_port.h"' -I. -DSIZE_FULL=$full \
            -c test/mcu/size_core.c -o "$o/drv$full.o"
        $cc $opt -nostdlib -Wl,--gc-sections -Wl,-e,size_main -Wl,--unresolved-symbols=ignore-all \
            -Wl,-Map="$o/map$full" "$o/drv$full.o" "$o"/lib/*.o -o "$o/size$full.elf"
    done
    set -- $(sum_map "$o/map0" "$o/lib/") $(sum_map "$o/map1" "$o/lib/")
    echo "| $(name_of $t) | $1 | $2 | $3 | $4 | $5 | $6 |" >>"$dir/rows_size"
    [ $t = cm3 ] && core_cm3=$1
    $cc $warn -I"$port" -DCORO_USER_CONFIG='"coro_port.h"' -I. -c test/mcu/size_probe.c -o "$o/probe.o"
    th=$(probe "$o/probe.o" size_task_header)
    fh=$(probe "$o/probe.o" size_frame_header)
    he=$(probe "$o/probe.o" size_heap_entry)
    ts=$(probe "$o/probe.o" size_task_struct)
    fu=$(probe "$o/probe.o" size_future)
    lo=$(probe "$o/probe.o" size_loop)
    ev=$(probe "$o/probe.o" size_event)
    cb=$(probe "$o/probe.o" size_callback)
    pad=$((th - ts))
    [ $pad -gt 0 ] && th_text="$th ($pad of padding)" || th_text=$th
    echo "| $(name_of $t) | $th_text | $fh | $he | **$((th + fh + he))** | $fu | $cb | $ev | $lo |" >>"$dir/rows_task"
    [ $t = avr ] && task_avr=$((th + fh)) && task_avr_heap=$((th + fh + he))
done

# Tasks in 8 KB, by running on simavr.
tasks_line="(not measured: avr-gcc or simavr missing)"
if have avr-gcc && have simavr; then
    cc=$(cc_of avr)
    flags="$warn $opt -Iport/avr -DCORO_USER_CONFIG=\"coro_port.h\" -I."
    run_avr() {   # elf -> its UART output
        timeout 120 simavr -m atmega2560 -f 16000000 "$1" 2>&1 >/dev/null |
            sed -e "s/$(printf '\033')\[[0-9;]*m//g" -e 's/\.$//'
    }
    build_avr() {   # name, extra flags
        n=$1; shift
        mkdir -p "$dir/avr/$n"
        for f in $lib; do
            $cc $flags "$@" -c $f.c -o "$dir/avr/$n/$f.o"
        done
        $cc $flags "$@" -c port/avr/atmega2560.c -o "$dir/avr/$n/board.o"
        $cc $flags "$@" -Dmain=coro_mcu_main -c test/mcu/size_tasks.c -o "$dir/avr/$n/size_tasks.o"
        $cc $opt -Wl,--gc-sections "$dir/avr/$n"/*.o -o "$dir/avr/$n.elf"
    }
    build_avr malloc -DSIZE_STATIC=0
    m=$(run_avr "$dir/avr/malloc.elf")
    echo "$m" >"$dir/avr/malloc.out"
    nm_=$(echo "$m" | sed -n 's/^tasks \([0-9]*\) ran \1$/\1/p')
    build_avr static1 -DSIZE_STATIC=1 -DSIZE_HEAP=64 -DCORO_HEAP_INIT=64
    best=$(run_avr "$dir/avr/static1.elf" | sed -n 's/^best SIZE_HEAP \([0-9]*\)$/\1/p')
    build_avr static -DSIZE_STATIC=1 -DSIZE_HEAP="$best" -DCORO_HEAP_INIT="$best"
    s=$(run_avr "$dir/avr/static.elf")
    echo "$s" >"$dir/avr/static.out"
    ns=$(echo "$s" | sed -n 's/^tasks \([0-9]*\) ran \1$/\1/p')
    echo "$m" | grep -q '^CORO-MCU: PASS$' || nm_="failed"
    echo "$s" | grep -q '^CORO-MCU: PASS$' || ns="failed"
    tasks_avr=${ns:-0}
    tasks_line="**${nm_:-failed}** with malloc (avr-libc, default knobs), **${ns:-failed}** in static mode (block pools, CORO_HEAP_INIT=$best)"
fi

{
    echo "Generated by \`make size\` (test/mcu/size.sh) with $(arm-none-eabi-gcc --version 2>/dev/null | head -n 1 | sed 's/ (.*)//'), $(avr-gcc --version 2>/dev/null | head -n 1), $(riscv64-unknown-elf-gcc --version 2>/dev/null | head -n 1 | sed 's/ (.*)//'); -Os, --gc-sections. Bytes."
    echo
    echo "| target | core .text | core .data | core .bss | all .text | all .data | all .bss |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    cat "$dir/rows_size"
    echo
    echo "\"core\" is futures, tasks, the loop without fds, gather and wait (test/mcu/size_core.c);"
    echo "\"all\" is every function of a bare-metal build. Only the library's own sections count: not"
    echo "libc (memcpy, malloc) nor libgcc helpers. On AVR, string literals live in RAM, so they"
    echo "are in .data."
    echo
    echo "| target | task header | coro_frame | timer heap entry | per-task overhead | coro_future | callback node | coro_event | coro_loop |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    cat "$dir/rows_task"
    echo
    echo "The per-task overhead is everything a task costs besides the user's frame fields: the"
    echo "task (a future, its wake-up node, links, name, cancel state) padded to the frame's"
    echo "alignment, the coro_frame header at the top of the user's frame, and the timer-heap entry"
    echo "each task reserves so that sleeping never allocates. The allocator's own header comes on"
    echo "top (2 bytes with avr-libc's malloc, none with the block pools)."
    echo
    echo "Tasks that fit in an ATmega2560's 8 KB, measured by running test/mcu/size_tasks.c on"
    echo "simavr (each task: a coro_frame and a 2-byte id; it sleeps, then counts itself):"
    echo "$tasks_line."
    echo
    echo "The targets of issue 5, against these numbers:"
    verdict() {   # what, measured, limit, unit, "le" or "ge"
        if [ -z "$2" ]; then echo "- $1: not measured here (tool missing)."
        elif [ "$5" = le ] && [ "$2" -le "$3" ]; then echo "- $1: $2 $4, met (limit $3)."
        elif [ "$5" = le ]; then echo "- $1: $2 $4, **missed** by $(($2 - $3)) $4 (limit $3)."
        elif [ "$2" -ge "$3" ]; then echo "- $1: $2 $4, met (at least $3)."
        else echo "- $1: $2 $4, **missed** (at least $3 wanted)."
        fi
    }
    verdict "core .text on Cortex-M3" "${core_cm3:-}" 4096 bytes le
    verdict "per-task overhead on AVR (task and coro_frame header)" "${task_avr:-}" 40 bytes le
    verdict "the same with the timer-heap slot each task reserves" "${task_avr_heap:-}" 40 bytes le
    verdict "tasks in an ATmega2560's 8 KB (static mode)" "${tasks_avr:-}" 200 tasks ge
} >"$out"
