# mk/tests.mk - the cmocka suites and the compile-fail corpus.
#
# Every test/test_*.c is built and run in six configurations: gcc and clang,
# each with the switch and the labels-as-values resume-point backend; gcc with
# the epoll backend; and gcc with the slab on under the test allocator
# (CORO_SLAB=2: elsewhere the tests' own allocator turns it off).  All under
# -std=c99 -Wall -Wextra -Werror -pedantic.

TEST_SRC   := $(sort $(wildcard test/test_*.c))
TEST_NAMES := $(patsubst test/%.c,%,$(TEST_SRC))
TEST_CFGS  := gcc-switch clang-switch gcc-labels clang-labels gcc-epoll gcc-slab
TEST_CFLAGS ?= -O1 -g
cfg_cc  = $(word 1,$(subst -, ,$(1)))
cfg_def = $(if $(filter %-labels,$(1)),-DCORO_USE_LABELS=1,)$(if $(filter %-epoll,$(1)),-DCORO_BACKEND_EPOLL=1,)$(if $(filter %-slab,$(1)),-DCORO_SLAB=2,)
cfg_obj = $(patsubst %.c,build/test/$(1)/lib/%.o,$(LIB_SRC))

.PHONY: test deps test-unit test-compile-fail $(addprefix test-,$(TEST_CFGS))

help::
	@echo "  test             every test (needs libcmocka-dev and clang; installed when root)"
	@echo "  test-unit        the cmocka suites in all six compiler/backend configurations"
	@echo "  test-gcc-switch  one configuration (also clang-switch, gcc-labels, clang-labels, gcc-epoll, gcc-slab)"
	@echo "  test-compile-fail the corpus of code that must not compile (test/compile_fail/)"
	@echo "  deps             install (as root) or name the packages the tests need"

deps:
	@scripts/deps.sh libcmocka-dev clang

test: test-unit test-compile-fail
test-unit: $(addprefix test-,$(TEST_CFGS))

define TEST_CFG_RULES
build/test/$(1)/lib/%.o: %.c $(LIB_HDR) | deps
	@mkdir -p $$(dir $$@)
	$(call cfg_cc,$(1)) $(WARN) $(TEST_CFLAGS) $(call cfg_def,$(1)) -I. -c $$< -o $$@

build/test/$(1)/%: test/%.c test/support.c test/support.h $(call cfg_obj,$(1)) | deps
	@mkdir -p $$(dir $$@)
	$(call cfg_cc,$(1)) $(WARN) $(TEST_CFLAGS) $(call cfg_def,$(1)) -I. -Itest $$< test/support.c $(call cfg_obj,$(1)) -lcmocka -pthread -o $$@

test-$(1): $(addprefix build/test/$(1)/,$(TEST_NAMES))
	@set -e; for t in $$^; do echo "== $(1) $$$${t##*/}"; $$$$t; done
endef
$(foreach c,$(TEST_CFGS),$(eval $(call TEST_CFG_RULES,$(c))))

test-compile-fail: | deps
	@scripts/compile_fail.sh gcc test/compile_fail/*.c
	@scripts/compile_fail.sh clang test/compile_fail/*.c
