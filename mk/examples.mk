# mk/examples.mk - examples/ (the seed programs in C), their golden tests, the
# coro_run SIGINT tests, and `make demo`.
#
# `make test` builds the examples and test/run_sigint.c in the four test
# configurations (gcc and clang, switch and labels backends, as in
# mk/tests.mk) under the strict warning flags, then runs test/golden.sh and
# test/sigint.sh on each build, and test/tutorial.sh once.  gcc also gets
# -Wjump-misses-init for the programs: it catches an initialized C local that
# would live across an await.  `make demo` builds the examples with $(CC)
# $(CFLAGS) and runs them.

EX_NAMES   := create_task cancel_task cancel_task2 ensure_future future_set_result \
              gather_and_wait ctrl_c
EX_CFGS    := gcc-switch clang-switch gcc-labels clang-labels
EX_CFLAGS  ?= -O1 -g
ex_cc      = $(if $(filter demo,$(1)),$(CC),$(word 1,$(subst -, ,$(1))))
ex_flags   = $(if $(filter demo,$(1)),$(CFLAGS),$(EX_CFLAGS)) $(if $(filter %-labels,$(1)),-DCORO_USE_LABELS=1,)
ex_pflags  = $(if $(filter gcc-%,$(1)),-Wjump-misses-init,)
ex_lib     = $(patsubst %.c,build/examples/$(1)/lib/%.o,$(LIB_SRC))

.PHONY: demo examples deps-examples deps-demo test-golden test-sigint test-tutorial \
        $(addprefix test-golden-,$(EX_CFGS)) $(addprefix test-sigint-,$(EX_CFGS))

help::
	@echo "  demo             build and run the seven examples/ (ctrl_c gets a SIGINT after 1.2 s)"
	@echo "  examples         build examples/ with \$$(CC) into build/examples/demo/"
	@echo "  test-golden      the examples' output against test/golden/, in the 4 test configurations"
	@echo "  test-sigint      coro_run and SIGINT (test/sigint.sh), in the 4 test configurations"
	@echo "  test-tutorial    every C block of docs/tutorial.md is an excerpt of examples/"

# The test configurations need clang; the demo needs only a C compiler, which
# scripts/deps.sh installs (as root, on Debian) when $(CC) is missing.
deps-examples:
	@scripts/deps.sh clang
deps-demo:
	@command -v $(firstword $(CC)) >/dev/null 2>&1 || scripts/deps.sh gcc libc6-dev

# EX_RULES(config, deps target): the library objects, the examples and
# run_sigint of one configuration, under build/examples/<config>/.
define EX_RULES
build/examples/$(1)/lib/%.o: %.c $(LIB_HDR) | $(2)
	@mkdir -p $$(dir $$@)
	$(call ex_cc,$(1)) $(WARN) $(call ex_flags,$(1)) -I. -c $$< -o $$@

build/examples/$(1)/%: examples/%.c $(LIB_HDR) $(call ex_lib,$(1)) | $(2)
	@mkdir -p $$(dir $$@)
	$(call ex_cc,$(1)) $(WARN) $(call ex_flags,$(1)) $(call ex_pflags,$(1)) -I. $$< $(call ex_lib,$(1)) -o $$@

build/examples/$(1)/run_sigint: test/run_sigint.c $(LIB_HDR) $(call ex_lib,$(1)) | $(2)
	@mkdir -p $$(dir $$@)
	$(call ex_cc,$(1)) $(WARN) $(call ex_flags,$(1)) $(call ex_pflags,$(1)) -I. $$< $(call ex_lib,$(1)) -o $$@
endef
$(eval $(call EX_RULES,demo,deps-demo))
$(foreach c,$(EX_CFGS),$(eval $(call EX_RULES,$(c),deps-examples)))

examples: $(addprefix build/examples/demo/,$(EX_NAMES))

# The README's "run it" command.  ctrl_c runs until Ctrl-C: timeout(1) sends
# it a SIGINT after 1.2 s, as the seed's transcript was made, so the demo
# ends by itself (press Ctrl-C sooner to try it by hand).
demo: examples
	@for n in $(filter-out ctrl_c,$(EX_NAMES)); do \
	    echo "== examples/$$n.c"; build/examples/demo/$$n || exit 1; done
	@echo "== examples/ctrl_c.c (SIGINT after 1.2 s)"
	@timeout --foreground --preserve-status -k 10 -s INT 1.2 build/examples/demo/ctrl_c; \
	    st=$$?; echo "exit status: $$st"; test $$st = 0

test: test-golden test-sigint test-tutorial
test-golden: $(addprefix test-golden-,$(EX_CFGS))
test-sigint: $(addprefix test-sigint-,$(EX_CFGS))
test-tutorial:
	@test/tutorial.sh docs/tutorial.md

define EX_TEST_RULES
test-golden-$(1): $(addprefix build/examples/$(1)/,$(EX_NAMES))
	@test/golden.sh build/examples/$(1)
test-sigint-$(1): build/examples/$(1)/run_sigint
	@test/sigint.sh build/examples/$(1)
endef
$(foreach c,$(EX_CFGS),$(eval $(call EX_TEST_RULES,$(c))))
