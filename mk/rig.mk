# mk/rig.mk - the reliability rig (docs/testing.md): differential testing
# against CPython 3.11, sanitizers, valgrind, tick wrap, fuzzing.

PYTHON ?= python3
DIFF_N ?= 2000
DIFF_LONG_N ?= 100000
DIFF_CC ?= gcc
DIFF_CFLAGS ?= -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all
DIFF_BIN := build/diff/interp
DIFF_OBJ := $(patsubst %.c,build/diff/lib/%.o,$(LIB_SRC))

.PHONY: test-diff test-diff-regressions diff-long

help::
	@echo "  test-diff        differential test vs CPython 3.11 asyncio: DIFF_N random programs (default 2000)"
	@echo "  test-diff-regressions  the saved programs of test/diff/regressions (part of make test)"
	@echo "  diff-long        the differential test with DIFF_LONG_N programs (default 100000)"

build/diff/lib/%.o: %.c $(LIB_HDR) test/diff/hooks.h | deps
	@mkdir -p $(dir $@)
	$(DIFF_CC) $(WARN) $(DIFF_CFLAGS) -include test/diff/hooks.h -I. -c $< -o $@

$(DIFF_BIN): test/diff/interp.c $(DIFF_OBJ) | deps
	@mkdir -p $(dir $@)
	$(DIFF_CC) $(WARN) $(DIFF_CFLAGS) -I. $< $(DIFF_OBJ) -o $@

test-diff: $(DIFF_BIN)
	$(PYTHON) test/diff/diff.py random --interp $(DIFF_BIN) -n $(DIFF_N) $(if $(SEED),--seed $(SEED))

test-diff-regressions: $(DIFF_BIN)
	@if ls test/diff/regressions/*.prog >/dev/null 2>&1; then \
	    $(PYTHON) test/diff/diff.py check --interp $(DIFF_BIN) test/diff/regressions/*.prog; fi

diff-long: $(DIFF_BIN)
	$(PYTHON) test/diff/diff.py random --interp $(DIFF_BIN) -n $(DIFF_LONG_N) $(if $(SEED),--seed $(SEED))
