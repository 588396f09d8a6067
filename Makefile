# coro - asyncio's programming model as stackless C.
#
#   make            build libcoro.a
#   make test       every test, with gcc and clang, both resume-point backends
#   make help       every target
#
# The library is exactly the top-level .c files; each area of the project
# (tests, examples, reliability rig, microcontrollers, benchmarks) keeps its
# rules in mk/*.mk, each with its own help:: lines.

CC      ?= cc
AR      ?= ar
CFLAGS  ?= -O2
WARN    := -std=c99 -Wall -Wextra -Werror -pedantic -Wimplicit-fallthrough
PREFIX  ?= /usr/local

LIB_SRC := $(sort $(wildcard *.c))
LIB_HDR := coro.h future.h coro_config.h coro_internal.h
LIB_OBJ := $(patsubst %.c,build/lib/%.o,$(LIB_SRC))

.PHONY: all clean help install
.SECONDARY:
all: libcoro.a

# `make help`: each mk/*.mk fragment adds its own lines with a help:: rule.
help::
	@echo "coro make targets:"
	@echo "  all              build libcoro.a (the default)"
	@echo "  install          copy headers, sources and libcoro.a under PREFIX (default /usr/local)"
	@echo "  clean            remove build/ and libcoro.a"
	@echo "  help             this list"

libcoro.a: $(LIB_OBJ)
	$(AR) rcs $@ $^

build/lib/%.o: %.c $(LIB_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) -I. -c $< -o $@

install: libcoro.a
	install -d $(DESTDIR)$(PREFIX)/include/coro $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/share/coro/src
	install -m 644 coro.h future.h coro_config.h $(DESTDIR)$(PREFIX)/include/coro/
	install -m 644 libcoro.a $(DESTDIR)$(PREFIX)/lib/
	install -m 644 $(LIB_SRC) $(LIB_HDR) $(DESTDIR)$(PREFIX)/share/coro/src/

include $(sort $(wildcard mk/*.mk))

clean:
	rm -rf build libcoro.a
