# mk/rig.mk - the reliability rig (docs/testing.md): differential testing
# against CPython 3.11, sanitizers, valgrind, tick wrap, fuzzing.  The OOM
# sweep, heap lock and fd faults are cmocka suites (test/test_oom.c,
# test_heap_lock.c, test_fd_faults.c) run by `make test` like every other.
#
# CI (.ci/run) runs `make test test-rig`.

PYTHON ?= python3
RIG_TESTS := $(sort $(wildcard test/test_*.c))
RIG_NAMES := $(patsubst test/%.c,%,$(RIG_TESTS))
RIG_DEPS := test/support.c test/support.h test/invariants.h
SAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all

.PHONY: test-rig test-diff test-diff-regressions diff-long test-tick-wrap test-sanitize \
        test-sanitize-gcc test-sanitize-clang test-valgrind fuzz fuzz-afl test-fuzz-corpus

help::
	@echo "  test-rig         what CI runs besides make test: sanitize, valgrind, tick wrap, diff, fuzz seeds"
	@echo "  test-diff        differential test vs CPython 3.11 asyncio: DIFF_N random programs (default 2000; SEED=n),"
	@echo "                   and DIFF_LABELS_N (2000) with clang and the labels backend"
	@echo "  test-diff-regressions  the saved programs of test/diff/regressions (part of make test)"
	@echo "  diff-long        the differential test with DIFF_LONG_N programs (default 100000)"
	@echo "  test-tick-wrap   the whole suite 10 s before the 32-bit ms wrap (virtual and real clock)"
	@echo "  test-sanitize    the whole suite under ASan+UBSan, with gcc and with clang"
	@echo "  test-valgrind    the whole suite under memcheck: 0 errors, 0 bytes leaked"
	@echo "  fuzz             libFuzzer (ASan+UBSan) on the loop for FUZZ_MINUTES (default 10)"
	@echo "  fuzz-afl         the same harness under AFL++ for FUZZ_MINUTES"
	@echo "  test-fuzz-corpus replay the fuzz seed corpus once (part of test-rig)"

# The wrap run is cheap (a few seconds), so it is part of make test itself.
test: test-diff-regressions test-tick-wrap
test-rig: test-sanitize test-valgrind test-diff test-fuzz-corpus

# ------------------------------------------------ differential testing (6)

DIFF_N ?= 2000
DIFF_LABELS_N ?= 2000
DIFF_LONG_N ?= 100000
DIFF_BIN := build/diff/interp
DIFF_LABELS_BIN := build/diff-labels/interp

# The interpreter in two builds: gcc with the switch backend (the main one)
# and clang with the labels-as-values backend; both with ASan+UBSan.
define DIFF_RULES
build/$(1)/lib/%.o: %.c $(LIB_HDR) test/diff/hooks.h | deps
	@mkdir -p $$(dir $$@)
	$(2) $(WARN) $(SAN_FLAGS) $(3) -include test/diff/hooks.h -I. -c $$< -o $$@

build/$(1)/interp: test/diff/interp.c test/invariants.h $(patsubst %.c,build/$(1)/lib/%.o,$(LIB_SRC)) | deps
	@mkdir -p $$(dir $$@)
	$(2) $(WARN) $(SAN_FLAGS) $(3) -I. -Itest $$< $(patsubst %.c,build/$(1)/lib/%.o,$(LIB_SRC)) -o $$@
endef
$(eval $(call DIFF_RULES,diff,gcc,))
$(eval $(call DIFF_RULES,diff-labels,clang,-DCORO_USE_LABELS=1))

test-diff: $(DIFF_BIN) $(DIFF_LABELS_BIN)
	$(PYTHON) test/diff/diff.py random --interp $(DIFF_BIN) -n $(DIFF_N) $(if $(SEED),--seed $(SEED))
	$(PYTHON) test/diff/diff.py random --interp $(DIFF_LABELS_BIN) -n $(DIFF_LABELS_N) $(if $(SEED),--seed $(SEED))
	$(PYTHON) test/diff/diff.py check --interp $(DIFF_LABELS_BIN) test/diff/regressions/*.prog

test-diff-regressions: $(DIFF_BIN)
	$(PYTHON) test/diff/diff.py check --interp $(DIFF_BIN) test/diff/regressions/*.prog

diff-long: $(DIFF_BIN)
	$(PYTHON) test/diff/diff.py random --interp $(DIFF_BIN) -n $(DIFF_LONG_N) $(if $(SEED),--seed $(SEED))

# ------------------------------------------------------------ tick wrap (8)
# Every suite again with the virtual clock (T0) starting 10 s before the
# 32-bit millisecond wrap, and the POSIX clock (CORO_CLOCK_START) 256 ms
# before it, so that the real-time tests (test_fd_faults: EINTR) straddle it.

TICK_WRAP_START := 0xFFFFD8F0
TICK_WRAP_REAL_START := 0xFFFFFF00
TICK_WRAP_OBJ := $(patsubst %.c,build/wrap/lib/%.o,$(LIB_SRC))

build/wrap/lib/%.o: %.c $(LIB_HDR) | deps
	@mkdir -p $(dir $@)
	gcc $(WARN) -O1 -g -DCORO_CLOCK_START=$(TICK_WRAP_REAL_START)u -I. -c $< -o $@

build/wrap/%: test/%.c $(RIG_DEPS) $(TICK_WRAP_OBJ) | deps
	@mkdir -p $(dir $@)
	gcc $(WARN) -O1 -g -I. -Itest $< test/support.c $(TICK_WRAP_OBJ) -lcmocka -pthread -o $@

test-tick-wrap: $(addprefix build/wrap/,$(RIG_NAMES))
	@set -e; for t in $^; do echo "== wrap $${t##*/}"; CORO_TEST_START=$(TICK_WRAP_START) $$t; done

# ----------------------------------------------------------- sanitizers (1)
# gcc with the switch backend, clang with the labels backend.

define SAN_RULES
build/san/$(1)/lib/%.o: %.c $(LIB_HDR) | deps
	@mkdir -p $$(dir $$@)
	$(1) $(WARN) $(SAN_FLAGS) $(2) -I. -c $$< -o $$@

build/san/$(1)/%: test/%.c $(RIG_DEPS) $(patsubst %.c,build/san/$(1)/lib/%.o,$(LIB_SRC)) | deps
	@mkdir -p $$(dir $$@)
	$(1) $(WARN) $(SAN_FLAGS) $(2) -I. -Itest $$< test/support.c $(patsubst %.c,build/san/$(1)/lib/%.o,$(LIB_SRC)) -lcmocka -pthread -o $$@

test-sanitize-$(1): $(addprefix build/san/$(1)/,$(RIG_NAMES))
	@set -e; for t in $$^; do echo "== sanitize $(1) $$$${t##*/}"; \
	    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 $$$$t; done
endef
$(eval $(call SAN_RULES,gcc,))
$(eval $(call SAN_RULES,clang,-DCORO_USE_LABELS=1))

test-sanitize: test-sanitize-gcc test-sanitize-clang | san-deps
.PHONY: san-deps
san-deps:
	@scripts/deps.sh libclang-rt-14-dev

# -------------------------------------------------------------- valgrind (2)
# One configuration (gcc, switch backend, the binaries of make test).

VALGRIND := valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=all \
            --errors-for-leak-kinds=all --track-fds=no

test-valgrind: $(addprefix build/test/gcc-switch/,$(RIG_NAMES)) | valgrind-deps
	@set -e; for t in $(addprefix build/test/gcc-switch/,$(RIG_NAMES)); do \
	    echo "== valgrind $${t##*/}"; $(VALGRIND) $$t; done
.PHONY: valgrind-deps
valgrind-deps:
	@scripts/deps.sh valgrind

# --------------------------------------------------------------- fuzzing (7)
# libFuzzer with ASan+UBSan.  The seed corpus is test/fuzz/corpus; new
# inputs go to build/fuzz/corpus, crashes to build/fuzz/ (crash-*).
# test-fuzz-corpus replays the seeds once (part of test-rig).

FUZZ_MINUTES ?= 10
FUZZ_JOBS ?= 1
FUZZ_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_SRC := test/fuzz/fuzz_loop.c test/invariants.h $(LIB_SRC) $(LIB_HDR)

build/fuzz/fuzz_loop: $(FUZZ_SRC) | deps san-deps
	@mkdir -p $(dir $@)
	clang $(WARN) $(FUZZ_FLAGS) -I. -Itest test/fuzz/fuzz_loop.c $(LIB_SRC) -o $@

fuzz: build/fuzz/fuzz_loop
	@mkdir -p build/fuzz/corpus
	cd build/fuzz && ./fuzz_loop -max_total_time=$$(($(FUZZ_MINUTES) * 60)) -max_len=1024 \
	    $(if $(filter-out 1,$(FUZZ_JOBS)),-jobs=$(FUZZ_JOBS) -workers=$(FUZZ_JOBS)) \
	    -print_final_stats=1 corpus ../../test/fuzz/corpus

test-fuzz-corpus: build/fuzz/fuzz_loop
	build/fuzz/fuzz_loop -runs=0 test/fuzz/corpus

# AFL++ (afl-clang-fast links its libFuzzer-compatible driver).
build/fuzz/fuzz_loop_afl: $(FUZZ_SRC)
	@mkdir -p $(dir $@)
	AFL_USE_ASAN=1 AFL_USE_UBSAN=1 afl-clang-fast $(WARN) -O1 -g -fsanitize=fuzzer -I. -Itest \
	    test/fuzz/fuzz_loop.c $(LIB_SRC) -o $@

fuzz-afl: build/fuzz/fuzz_loop_afl
	@mkdir -p build/fuzz/afl
	AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 \
	    afl-fuzz -V $$(($(FUZZ_MINUTES) * 60)) -i test/fuzz/corpus -o build/fuzz/afl -- build/fuzz/fuzz_loop_afl
