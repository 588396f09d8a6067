# mk/bench.mk - the benchmarks (bench/): make bench and make bench-quick.
#
# `make bench` builds every benchmark program with -O2: coro (the library
# built with the poll backend and again with CORO_BACKEND_EPOLL=1), the
# floor, and the anchors written against Debian's libuv, libev and libevent;
# then bench/run.py runs them (3 interleaved runs after a 1 GiB warm-up) and
# writes bench/results.md and bench/results.png.  `make bench-quick` does the
# same with small N into build/bench/quick/.

BENCH_CC     ?= $(CC)
BENCH_CFLAGS ?= -O2
BENCH_WARN   := -std=gnu99 -Wall -Wextra
BENCH_DEPS   := libuv1-dev libev-dev libevent-dev valgrind strace gnuplot-nox python3
BENCH_HDR    := bench/bench.h bench/floor.h bench/coro_bench.h coro.h future.h coro_config.h

BENCH_LIB_POLL  := $(patsubst %.c,build/bench/lib-poll/%.o,$(LIB_SRC))
BENCH_LIB_EPOLL := $(patsubst %.c,build/bench/lib-epoll/%.o,$(LIB_SRC))

# name:source:extra cflags:link (link is lib-poll, lib-epoll or -l flags)
BENCH_PROGS := \
  warmup:warmup:-:- \
  spawn_floor:spawn_floor:-:- \
  yield_floor:yield_floor:-:- \
  yield_floor-poll:yield_floor:-DPOLL_EACH_TURN:- \
  timers_floor:timers_floor:-:- \
  pingpong_floor:pingpong_floor:-:- \
  pingpong_floor-epoll:pingpong_floor:-DUSE_EPOLL:- \
  fanout_floor:fanout_floor:-:- \
  fanout_floor-epoll:fanout_floor:-DUSE_EPOLL:- \
  mem_floor:mem_floor:-:- \
  spawn_coro:spawn_coro:-:lib-poll \
  yield_coro:yield_coro:-:lib-poll \
  yield_coro-fd:yield_coro:-DWATCH_FD:lib-poll \
  timers_coro:timers_coro:-:lib-poll \
  timers_coro-cb:timers_coro:-DCALLBACKS:lib-poll \
  pingpong_coro:pingpong_coro:-:lib-poll \
  pingpong_coro-cb:pingpong_coro:-DCALLBACKS:lib-poll \
  pingpong_coro-epoll:pingpong_coro:-DCORO_BACKEND_EPOLL=1:lib-epoll \
  pingpong_coro-epoll-cb:pingpong_coro:-DCORO_BACKEND_EPOLL=1,-DCALLBACKS:lib-epoll \
  fanout_coro:fanout_coro:-:lib-poll \
  fanout_coro-epoll:fanout_coro:-DCORO_BACKEND_EPOLL=1:lib-epoll \
  mem_coro:mem_coro:-:lib-poll \
  spawn_ev:spawn_ev:-:-lev \
  spawn_event:spawn_event:-:-levent \
  yield_uv:yield_uv:-:-luv \
  yield_ev:yield_ev:-:-lev \
  yield_event:yield_event:-:-levent \
  timers_uv:timers_uv:-:-luv \
  timers_ev:timers_ev:-:-lev \
  timers_event:timers_event:-:-levent \
  pingpong_uv:pingpong_uv:-:-luv \
  pingpong_ev:pingpong_ev:-:-lev \
  pingpong_event:pingpong_event:-:-levent \
  fanout_uv:fanout_uv:-:-luv \
  fanout_ev:fanout_ev:-:-lev \
  fanout_event:fanout_event:-:-levent

# Fields are separated by ':', "-" is an empty field and ',' a space.
bench_f = $(filter-out -,$(subst $(comma), ,$(word $(2),$(subst :, ,$(1)))))
comma := ,
bench_link = $(if $(filter lib-poll,$(1)),$(BENCH_LIB_POLL),$(if $(filter lib-epoll,$(1)),$(BENCH_LIB_EPOLL),$(1)))
BENCH_BINS := $(foreach p,$(BENCH_PROGS),build/bench/bin/$(firstword $(subst :, ,$(p))))

.PHONY: bench bench-quick bench-build bench-deps

help::
	@echo "  bench            benchmarks vs floor, libuv, libev, libevent, asyncio (minutes): bench/results.md, .png"
	@echo "  bench-quick      the same with small N, in under a minute (build/bench/quick/)"
	@echo "  bench-build      build the benchmark programs only (-O2)"

bench-deps:
	@scripts/deps.sh $(BENCH_DEPS)

build/bench/lib-poll/%.o: %.c $(LIB_HDR) | bench-deps
	@mkdir -p $(dir $@)
	$(BENCH_CC) $(WARN) $(BENCH_CFLAGS) -I. -c $< -o $@

build/bench/lib-epoll/%.o: %.c $(LIB_HDR) | bench-deps
	@mkdir -p $(dir $@)
	$(BENCH_CC) $(WARN) $(BENCH_CFLAGS) -DCORO_BACKEND_EPOLL=1 -I. -c $< -o $@

# One rule per program: $(1) name, $(2) source, $(3) cflags, $(4) link.
define BENCH_PROG_RULE
build/bench/bin/$(1): bench/$(2).c $(BENCH_HDR) $(filter %.o,$(call bench_link,$(4))) | bench-deps
	@mkdir -p $$(dir $$@)
	$(BENCH_CC) $(BENCH_WARN) $(BENCH_CFLAGS) $(3) -I. -Ibench $$< $(call bench_link,$(4)) -o $$@
endef
$(foreach p,$(BENCH_PROGS),$(eval $(call BENCH_PROG_RULE,$(call bench_f,$(p),1),$(call bench_f,$(p),2),$(call bench_f,$(p),3),$(call bench_f,$(p),4))))

bench-build: $(BENCH_BINS)

bench: bench-build
	python3 bench/run.py --out bench

bench-quick: bench-build
	python3 bench/run.py --quick --out build/bench/quick

# ------------------------------------------- the suites on the epoll backend
