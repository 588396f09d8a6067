# mk/wrap.mk - the cmocka suites once more, with every virtual clock started
# 10 s before the 32-bit millisecond wrap (CORO_TEST_START, read by
# test/support.c), so timer order and relative times are checked across the
# wrap.  One configuration is enough: the wrap is about time, not the backend.

WRAP_START ?= 0xFFFFD8F0

.PHONY: test-wrap

help::
	@echo "  test-wrap        the suites (gcc-switch) with virtual clocks starting 10 s before the wrap"

test: test-wrap
test-wrap: $(addprefix build/test/gcc-switch/,$(TEST_NAMES))
	@set -e; for t in $^; do echo "== wrap $${t##*/}"; CORO_TEST_START=$(WRAP_START) $$t; done
