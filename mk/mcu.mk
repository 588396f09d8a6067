# mk/mcu.mk - microcontrollers (issue 5).
#
# make test-mcu builds the library, the portable part of the test suite and
# the seed examples that need no fds or signals for two emulated targets, and
# runs each program twice: with the tick at 0, and with it started 10 s
# before the 32-bit wrap.  Every output is compared with the same program's
# output on the host.
#   cm3  Cortex-M3, QEMU mps2-an385: newlib + semihosting (stdout, exit
#        status), SysTick clock, WFI idle (port/cortex-m/).
#   avr  ATmega2560, simavr: avr-libc, timer 0 clock, sleep idle, stdout on
#        the UART, exit by sleeping with interrupts off (port/avr/).
# The tests run through test/mcu/runner.c, a cmocka stand-in.  A test file is
# portable unless it includes POSIX headers or uses fds; a comment
# "coro-mcu: portable" or "coro-mcu: skip" overrides that guess.
#
# make test-mcu-compile builds the library for Cortex-M0 and for RISC-V 64
# with picolibc, warning-free under -Werror (compile only).
# make size writes the size table into docs/porting.md: the core's .text/.data/.bss per target at
# -Os, the per-task overhead, and how many tasks fit an ATmega2560's 8 KB,
# measured by running test/mcu/size_tasks.c on simavr.
#
# make test runs test-mcu and test-mcu-compile when the tools are installed
# (gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm gcc-avr avr-libc
# simavr gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf).

.PHONY: test-mcu test-mcu-compile size mcu-deps $(addprefix test-mcu-,cm3 avr)

help::
	@echo "  test-mcu         the portable suite and examples on emulated Cortex-M3 (qemu) and ATmega2560 (simavr)"
	@echo "  test-mcu-compile the library for Cortex-M0 and RISC-V 64 + picolibc, -Werror, compile only"
	@echo "  size             the size table in docs/porting.md: .text/.data/.bss, per-task bytes, tasks in 8 KB"

MCU_WRAP  := 0xFFFFD8F0u
MCU_TICKS := t0 wrap
mcu_tick  = $(if $(filter wrap,$(1)),$(MCU_WRAP),0u)
MCU_OPT   := -Os -g -ffunction-sections -fdata-sections
mcu_have  = $(shell command -v $(1) >/dev/null 2>&1 && echo yes)

# ------------------------------------------------------------ the targets

MCU_HAVE_cm3 := $(and $(call mcu_have,arm-none-eabi-gcc),$(call mcu_have,qemu-system-arm),$(wildcard /usr/lib/arm-none-eabi/lib/rdimon.specs))
MCU_HAVE_avr := $(and $(call mcu_have,avr-gcc),$(call mcu_have,simavr),$(wildcard /usr/lib/avr/include/avr/io.h))
MCU_HAVE_rv  := $(and $(call mcu_have,riscv64-unknown-elf-gcc),$(wildcard /usr/lib/picolibc/riscv64-unknown-elf/picolibc.specs))
MCU_TARGETS  := $(strip $(if $(MCU_HAVE_cm3),cm3) $(if $(MCU_HAVE_avr),avr))

MCU_CC_cm3    := arm-none-eabi-gcc -mcpu=cortex-m3 -mthumb
MCU_WARN_cm3  := $(WARN)
MCU_PORT_cm3  := -Iport/cortex-m -DCORO_USER_CONFIG='"coro_port.h"'
MCU_TDEF_cm3  :=
MCU_LD_cm3    := --specs=rdimon.specs -nostartfiles -Tport/cortex-m/mps2_an385.ld -Wl,--gc-sections
MCU_BOARD_cm3 := port/cortex-m/mps2_an385.c
MCU_IRQ_cm3   := test/mcu/irq_mps2_an385.c
MCU_SKIP_cm3  :=

MCU_CC_avr    := avr-gcc -mmcu=atmega2560 -DF_CPU=16000000UL
# Debian's avr-gcc is 5.4, which predates -Wimplicit-fallthrough.
MCU_WARN_avr  := $(filter-out -Wimplicit-fallthrough,$(WARN))
MCU_PORT_avr  := -Iport/avr -DCORO_USER_CONFIG='"coro_port.h"'
# 8 KB of RAM, string literals included: the test support keeps fewer and
# shorter reports and a shorter event log.
MCU_TDEF_avr  := -DTEST_MAX_REPORTS=4 -DTEST_REPORT_MESSAGE=48 -DTEST_REPORT_REPR=144 -DTEST_LOG_SIZE=256
MCU_LD_avr    := -Wl,--gc-sections
MCU_BOARD_avr := port/avr/atmega2560.c
MCU_IRQ_avr   := test/mcu/irq_atmega2560.c
# Tests that cannot fit the target's memory, by function name.
MCU_SKIP_avr  :=

mcu_skipdef = $(if $(MCU_SKIP_$(1)),-DCORO_MCU_SKIP='"$(MCU_SKIP_$(1))"')

# -------------------------------------------------------- what runs there

MCU_POSIX_RE := \#include <(pthread|signal|unistd|poll|fcntl|sys/[a-z]+|netinet/[a-z]+|arpa/[a-z]+)\.h>|CORO_(READABLE|WRITABLE)|coro_(add|remove)_(reader|writer)
MCU_TEST_SRC := $(sort $(filter-out $(shell grep -l 'coro-mcu: skip' test/test_*.c 2>/dev/null), \
                  $(shell grep -LE '$(MCU_POSIX_RE)' test/test_*.c 2>/dev/null) \
                  $(shell grep -l 'coro-mcu: portable' test/test_*.c 2>/dev/null)))
MCU_EX_SRC   := $(sort $(shell grep -LE 'SIGINT|<signal\.h>|<unistd\.h>|CORO_READABLE|CORO_WRITABLE|coro_add_(reader|writer)' examples/*.c 2>/dev/null))
MCU_TESTS    := $(patsubst test/%.c,%,$(MCU_TEST_SRC))
MCU_EXAMPLES := $(patsubst examples/%.c,ex_%,$(MCU_EX_SRC))
MCU_PROGS    := $(MCU_TESTS) $(MCU_EXAMPLES)
mcu_src       = $(if $(filter ex_%,$(1)),examples/$(patsubst ex_%,%,$(1)).c,test/$(1).c)

# ------------------------------------------------------------------ rules

# MCU_TARGET_RULES(target): objects under build/mcu/<target>/, programs and
# results under build/mcu/<target>/<tick>/, the host's reference outputs
# under build/mcu/<target>/host-<tick>/.
define MCU_TARGET_RULES
MCU_CFLAGS_$(1) = $(MCU_WARN_$(1)) $(MCU_OPT) $(MCU_PORT_$(1)) -I. -Itest/mcu -Itest
MCU_LIB_$(1) := $(patsubst %.c,build/mcu/$(1)/lib/%.o,$(LIB_SRC))

build/mcu/$(1)/lib/%.o: %.c $(LIB_HDR) port/$(if $(filter cm3,$(1)),cortex-m,avr)/coro_port.h
	@mkdir -p $$(dir $$@)
	$(MCU_CC_$(1)) $$(MCU_CFLAGS_$(1)) -c $$< -o $$@

build/mcu/$(1)/obj/%.o: test/%.c test/support.h test/mcu/cmocka.h $(LIB_HDR) port/coro_pool.h port/coro_pool.c
	@mkdir -p $$(dir $$@)
	$(MCU_CC_$(1)) $$(MCU_CFLAGS_$(1)) $(MCU_TDEF_$(1)) -Dmain=coro_mcu_main -c $$< -o $$@

build/mcu/$(1)/obj/ex_%.o: examples/%.c $(LIB_HDR)
	@mkdir -p $$(dir $$@)
	$(MCU_CC_$(1)) $$(MCU_CFLAGS_$(1)) -Dmain=coro_mcu_main -c $$< -o $$@

build/mcu/$(1)/obj/runner.o: test/mcu/runner.c test/mcu/cmocka.h
	@mkdir -p $$(dir $$@)
	$(MCU_CC_$(1)) $$(MCU_CFLAGS_$(1)) $(call mcu_skipdef,$(1)) -c $$< -o $$@

build/mcu/$(1)/obj/irq.o: $(MCU_IRQ_$(1)) test/irq.h $(LIB_HDR)
	@mkdir -p $$(dir $$@)
	$(MCU_CC_$(1)) $$(MCU_CFLAGS_$(1)) -c $$< -o $$@

test-mcu-$(1): $(foreach t,$(MCU_TICKS),$(foreach p,$(MCU_PROGS),build/mcu/$(1)/$(t)/$(p).result))
endef

# MCU_TICK_RULES(target, tick)
define MCU_TICK_RULES
build/mcu/$(1)/$(2)/support.o: test/support.c test/support.h test/mcu/cmocka.h $(LIB_HDR)
	@mkdir -p $$(dir $$@)
	$(MCU_CC_$(1)) $$(MCU_CFLAGS_$(1)) $(MCU_TDEF_$(1)) -DCORO_TEST_START_DEFAULT=$(call mcu_tick,$(2)) -c $$< -o $$@

build/mcu/$(1)/$(2)/board.o: $(MCU_BOARD_$(1)) $(LIB_HDR)
	@mkdir -p $$(dir $$@)
	$(MCU_CC_$(1)) $$(MCU_CFLAGS_$(1)) -DCORO_PORT_TICK_START=$(call mcu_tick,$(2)) -c $$< -o $$@

build/mcu/$(1)/$(2)/test_%.elf: build/mcu/$(1)/obj/test_%.o build/mcu/$(1)/$(2)/support.o build/mcu/$(1)/obj/runner.o build/mcu/$(1)/obj/irq.o build/mcu/$(1)/$(2)/board.o $$(MCU_LIB_$(1))
	$(MCU_CC_$(1)) $(MCU_OPT) $(MCU_LD_$(1)) $$^ -o $$@

build/mcu/$(1)/$(2)/ex_%.elf: build/mcu/$(1)/obj/ex_%.o build/mcu/$(1)/$(2)/board.o $$(MCU_LIB_$(1))
	$(MCU_CC_$(1)) $(MCU_OPT) $(MCU_LD_$(1)) $$^ -o $$@

build/mcu/$(1)/$(2)/%.result: build/mcu/$(1)/$(2)/%.elf build/mcu/$(1)/host-$(2)/%.out test/mcu/run.sh
	@sh test/mcu/run.sh $(1) $$< build/mcu/$(1)/host-$(2)/$$*.out build/mcu/$(1)/$(2)/$$*.out
	@touch $$@

# The host reference: the same sources with the host's compiler, the same
# runner (no cmocka) and the same skip list; the real clock shifted as the
# target's tick is.
build/mcu/$(1)/host-$(2)/lib/%.o: %.c $(LIB_HDR)
	@mkdir -p $$(dir $$@)
	$(CC) $(WARN) -O1 -DCORO_CLOCK_START=$(call mcu_tick,$(2)) -I. -c $$< -o $$@

build/mcu/$(1)/host-$(2)/test_%: test/test_%.c test/support.c test/support.h test/mcu/runner.c test/mcu/cmocka.h $(patsubst %.c,build/mcu/$(1)/host-$(2)/lib/%.o,$(LIB_SRC))
	$(CC) $(WARN) -O1 -I. -Itest/mcu -Itest -DCORO_TEST_START_DEFAULT=$(call mcu_tick,$(2)) $(call mcu_skipdef,$(1)) \
	    $$< test/support.c test/mcu/runner.c $(patsubst %.c,build/mcu/$(1)/host-$(2)/lib/%.o,$(LIB_SRC)) -o $$@

build/mcu/$(1)/host-$(2)/ex_%: examples/%.c $(patsubst %.c,build/mcu/$(1)/host-$(2)/lib/%.o,$(LIB_SRC))
	$(CC) $(WARN) -O1 -I. $$^ -o $$@

build/mcu/$(1)/host-$(2)/%.out: build/mcu/$(1)/host-$(2)/%
	@./$$< >$$@ || { echo "FAIL host $$*: status $$$$?"; cat $$@; rm -f $$@; exit 1; }
endef

# The Cortex-M example of docs/porting.md (port/cortex-m/example.c), with
# its expected output.
define MCU_EXAMPLE_RULES
build/mcu/cm3/$(1)/port_example.elf: build/mcu/cm3/obj/port_example.o build/mcu/cm3/$(1)/board.o $$(MCU_LIB_cm3)
	$(MCU_CC_cm3) $(MCU_OPT) $(MCU_LD_cm3) $$^ -o $$@

build/mcu/cm3/$(1)/port_example.result: build/mcu/cm3/$(1)/port_example.elf test/mcu/port_example.out test/mcu/run.sh
	@sh test/mcu/run.sh cm3 $$< test/mcu/port_example.out build/mcu/cm3/$(1)/port_example.out
	@touch $$@

test-mcu-cm3: build/mcu/cm3/$(1)/port_example.result
endef

build/mcu/cm3/obj/port_example.o: port/cortex-m/example.c $(LIB_HDR) port/cortex-m/coro_port.h
	@mkdir -p $(dir $@)
	$(MCU_CC_cm3) $(MCU_CFLAGS_cm3) -Dmain=coro_mcu_main -c $< -o $@

$(foreach g,cm3 avr,$(eval $(call MCU_TARGET_RULES,$(g))))
$(foreach t,$(MCU_TICKS),$(eval $(call MCU_EXAMPLE_RULES,$(t))))
$(foreach g,cm3 avr,$(foreach t,$(MCU_TICKS),$(eval $(call MCU_TICK_RULES,$(g),$(t)))))

test-mcu: $(addprefix test-mcu-,$(MCU_TARGETS)) test-mcu-compile
ifeq ($(MCU_TARGETS),)
	@echo "test-mcu: skipped, no emulator toolchain (see mk/mcu.mk for the packages)"
endif

# ---------------------------------------------------------- compile only

MCU_CC_m0 := arm-none-eabi-gcc -mcpu=cortex-m0 -mthumb
MCU_CC_rv := riscv64-unknown-elf-gcc --specs=picolibc.specs -march=rv64imac_zicsr -mabi=lp64 -mcmodel=medany
MCU_CHECK_m0 := $(if $(call mcu_have,arm-none-eabi-gcc),$(patsubst %.c,build/mcu/m0/%.o,$(LIB_SRC) port/coro_pool.c))
MCU_CHECK_rv := $(if $(MCU_HAVE_rv),$(patsubst %.c,build/mcu/rv/%.o,$(LIB_SRC) port/coro_pool.c))

build/mcu/m0/%.o: %.c $(LIB_HDR) port/cortex-m/coro_port.h port/coro_pool.h
	@mkdir -p $(dir $@)
	$(MCU_CC_m0) $(WARN) $(MCU_OPT) $(MCU_PORT_cm3) -I. -c $< -o $@

build/mcu/rv/%.o: %.c $(LIB_HDR) port/riscv/coro_port.h port/coro_pool.h
	@mkdir -p $(dir $@)
	$(MCU_CC_rv) $(WARN) $(MCU_OPT) -Iport/riscv -DCORO_USER_CONFIG='"coro_port.h"' -I. -c $< -o $@

test-mcu-compile: $(MCU_CHECK_m0) $(MCU_CHECK_rv)
	@echo "ok   compile-only:$(if $(MCU_CHECK_m0), cortex-m0)$(if $(MCU_CHECK_rv), riscv64+picolibc) (-Werror)"

# make test includes the emulated targets when their tools are there.
ifneq ($(MCU_TARGETS)$(MCU_HAVE_rv),)
test: test-mcu
endif

# ------------------------------------------------------------------- size

# The table goes into docs/porting.md between its two size-table markers.
size:
	@sh test/mcu/size.sh build/size/table.md
	@awk 'FNR == NR { t = t $$0 "\n"; next } \
	      /<!-- size-table:end -->/ { skip = 0 } \
	      !skip { print } \
	      /<!-- size-table:begin -->/ { printf "%s", t; skip = 1 }' \
	    build/size/table.md docs/porting.md >build/size/porting.md
	@cp build/size/porting.md docs/porting.md
	@cat build/size/table.md
	@echo "(written to docs/porting.md)"
