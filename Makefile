# infersim — build, test and run.
#
#   make          build ./infersim (and build/release/libinfersim.a)
#   make run      install missing Debian packages, build, run the main job
#   make test     install missing Debian packages, build, run every test
#   make asan     the test suite under AddressSanitizer + UndefinedBehaviorSanitizer (build/asan)
#   make bench    build and run the benchmarks (build/bench)
#   make fuzz     build the libFuzzer targets (clang; build/fuzz); make fuzz-run runs each for
#                 FUZZ_SECONDS (default 60) from its seed corpus in tests/fuzz/corpus
#   make deps     install missing Debian packages only (apt-get; sudo only when not root)
#   make clean
#
# Our own flags live in IS_CFLAGS so that `make CFLAGS=-O0` from a user adds to them
# instead of dropping -Wall -Werror or the include paths.

CC      ?= cc
BUILD   ?= build/release
OPT     ?= -O2 -g
CFLAGS  ?=
LDFLAGS ?=

# Debian packages the build and the tests need.
DEBS = gcc make pkg-config libfyaml-dev libjansson-dev libcmocka-dev libmicrohttpd-dev jq librsvg2-bin libxml2-utils curl

# '=' not ':=': pkg-config must run after `deps` installed the packages.
PKG_CFLAGS = $(shell pkg-config --cflags libfyaml jansson libmicrohttpd 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs libfyaml jansson 2>/dev/null)
# only the command serves HTTP (infersim ui): the library and its tests do without it
MHD_LIBS   = $(shell pkg-config --libs libmicrohttpd 2>/dev/null)
CMOCKA_LIBS = $(shell pkg-config --libs cmocka 2>/dev/null)

IS_CFLAGS = -std=c17 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
            -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter \
            $(OPT) $(SAN) $(PKG_CFLAGS) -MMD -MP
IS_LDLIBS = $(PKG_LIBS) -lm -pthread

LIB_SRC = $(wildcard src/core/*.c) $(wildcard src/io/*.c) $(wildcard src/analysis/*.c) $(wildcard src/probe/*.c) $(wildcard src/report/*.c)
CLI_SRC = $(wildcard src/cli/*.c)
TEST_SRC = $(wildcard tests/test_*.c)
BENCH_SRC = $(wildcard bench/bench_*.c)
FUZZ_SRC = $(wildcard fuzz/fuzz_*.c)

LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  = $(CLI_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/ui_page.o
TEST_BIN = $(TEST_SRC:tests/%.c=$(BUILD)/tests/%) $(FUZZ_SRC:fuzz/%.c=$(BUILD)/replay/%)
BENCH_BIN = $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
FUZZ_BIN = $(FUZZ_SRC:fuzz/%.c=$(BUILD)/fuzz/%)
LIB      = $(BUILD)/libinfersim.a
BIN      = $(BUILD)/infersim

# Install the missing Debian packages of a list (apt-get; sudo only when not root).
define install_debs
	@missing=""; \
	for p in $(1); do \
	  s=$$(dpkg-query -W -f='$${db:Status-Status}' $$p 2>/dev/null); \
	  [ "$$s" = "installed" ] || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -q && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	fi
endef

.PHONY: fault-test tsan valgrind all run test deps asan bench clean check-tests mpi mpi-test deps-mpi fuzz fuzz-bins fuzz-run deps-fuzz install install-test deps-ui ui-test

all: infersim

# The command is ./infersim at the repository root (a copy of the release build).
infersim: $(BIN)
	cp $(BIN) infersim

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(IS_CFLAGS) $(CFLAGS) -c $< -o $@

# The probe kernels measure *this* machine: built for it, with FMA contraction
# (ISO C mode turns contraction off by default).
PROBE_CFLAGS = -O3 -march=native -ffp-contract=fast -Wno-psabi  # psabi: 64-byte vectors passed between static functions only

$(BUILD)/src/probe/%.o: src/probe/%.c
	@mkdir -p $(dir $@)
	$(CC) $(IS_CFLAGS) $(PROBE_CFLAGS) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(BIN): $(CLI_OBJ) $(LIB)
	$(CC) $(IS_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(IS_LDLIBS) $(MHD_LIBS)

# The ui's page, carried in the binary (tools/embed.c, built for this machine, no sanitizer)
$(BUILD)/gen/embed: tools/embed.c
	@mkdir -p $(dir $@)
	cc -O1 -o $@ $<
$(BUILD)/gen/ui_page.c: ui/index.html $(BUILD)/gen/embed
	$(BUILD)/gen/embed ui_page $< $@
$(BUILD)/gen/ui_page.o: $(BUILD)/gen/ui_page.c
	$(CC) $(IS_CFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/tests/%: tests/%.c tests/testutil.h $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(IS_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(CMOCKA_LIBS) $(IS_LDLIBS)

$(BUILD)/bench/%: bench/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(IS_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(IS_LDLIBS)

# Every fuzz target as a plain program replaying its seeds and regressions (part of the tests)
$(BUILD)/replay/%: fuzz/%.c fuzz/driver.c fuzz/fuzzutil.h $(LIB) $(filter-out %/main.o,$(CLI_OBJ))
	@mkdir -p $(dir $@)
	$(CC) $(IS_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< fuzz/driver.c $(filter-out %/main.o,$(CLI_OBJ)) $(LIB) $(IS_LDLIBS) $(MHD_LIBS)

# libFuzzer targets: the library and the CLI's commands built with clang, instrumented
$(BUILD)/fuzz/%: fuzz/%.c fuzz/fuzzutil.h $(LIB) $(filter-out %/main.o,$(CLI_OBJ))
	@mkdir -p $(dir $@)
	$(CC) $(IS_CFLAGS) $(CFLAGS) -fsanitize=fuzzer $(LDFLAGS) -o $@ $< $(filter-out %/main.o,$(CLI_OBJ)) $(LIB) $(IS_LDLIBS) $(MHD_LIBS)

FUZZ_SAN = -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
fuzz: deps-fuzz
	$(MAKE) --no-print-directory BUILD=build/fuzz CC=clang OPT="-O1 -g" SAN="$(FUZZ_SAN)" fuzz-bins

fuzz-bins: $(FUZZ_BIN)

# Each target from its committed seeds; new inputs go to build/fuzz/corpus, never into tests/.
# A crash, a leak or a 10 s input stops the run with the reproducer in build/fuzz/.
FUZZ_SECONDS ?= 60
# a fixed seed makes a run repeatable: CI's 30 s are a prefix of a longer run here from a clean
# build/fuzz/corpus (FUZZ_SEED=0 lets libFuzzer pick one, for exploring)
FUZZ_SEED ?= 1
# a leak inside libfyaml 0.7.12 itself is suppressed (tests/lsan.supp says which and why)
LSAN_SUPP = $(CURDIR)/tests/lsan.supp
fuzz-run: fuzz
	@for f in $(FUZZ_SRC:fuzz/%.c=%); do \
	  mkdir -p build/fuzz/corpus/$$f; \
	  echo "fuzzing $$f for $(FUZZ_SECONDS) s"; \
	  LSAN_OPTIONS=suppressions=$(LSAN_SUPP) build/fuzz/fuzz/$$f build/fuzz/corpus/$$f tests/fuzz/corpus/$$f -max_total_time=$(FUZZ_SECONDS) -seed=$(FUZZ_SEED) \
	    -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 -artifact_prefix=build/fuzz/$$f- \
	    2>build/fuzz/$$f.log || { tail -40 build/fuzz/$$f.log; exit 1; }; \
	  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" build/fuzz/$$f.log | tr '\n' ' '; echo; \
	done

DEBS_FUZZ = clang valgrind
deps-fuzz: deps
	$(call install_debs,$(DEBS_FUZZ))

deps:
	$(call install_debs,$(DEBS))

# The main job: the paper study (report in ./study), after the README's worked example.
run: deps
	$(MAKE) --no-print-directory all
	./infersim predict --model llama-3.1-70b --system h100-sxm --chips 8 --tp 8 --weights fp8 --kv fp8 --batch 64 --isl 2048 --osl 256
	./infersim study paper --out study

test: deps deps-ui
	$(MAKE) --no-print-directory all
	$(MAKE) --no-print-directory check-tests
	$(MAKE) --no-print-directory install-test
	$(MAKE) --no-print-directory ui-test

# Unit tests (cmocka) and CLI tests; ends with one line "tests: N passed, M failed".
check-tests: $(TEST_BIN) $(BIN)
	@BUILD=$(BUILD) BIN=$(BIN) sh tests/run_all.sh $(TEST_BIN)

asan: deps
	LSAN_OPTIONS=suppressions=$(LSAN_SUPP) $(MAKE) --no-print-directory BUILD=build/asan OPT="-O1 -g" \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" check-tests

# ThreadSanitizer over everything threaded: the search's workers (unit tests and a CLI
# search on 4 threads) and the probe's thread pool (measure).
tsan: deps
	$(MAKE) --no-print-directory BUILD=build/tsan OPT="-O1 -g" SAN="-fsanitize=thread" \
	  build/tsan/tests/test_search build/tsan/tests/test_measure build/tsan/infersim
	TSAN_OPTIONS="halt_on_error=1 exitcode=66" INFERSIM_DATA=$(CURDIR)/data build/tsan/tests/test_search
	TSAN_OPTIONS="halt_on_error=1 exitcode=66" INFERSIM_DATA=$(CURDIR)/data build/tsan/tests/test_measure
	TSAN_OPTIONS="halt_on_error=1 exitcode=66" build/tsan/infersim search --model llama-3.1-70b \
	  --systems h100-sxm,h200 --chips 1..16:x2 --batch 1,16,max --isl 1024,4096 --osl 128,1024 --threads 4 >/dev/null
	@echo "tsan: no reports"

# Fault injection: the CLI linked with an allocator that fails the N-th allocation, and with
# LeakSanitizer behind it (every run is checked for leaks; tests/lsan.supp names libfyaml's own)
build/fault/infersim: tests/fault/failalloc.c $(CLI_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(IS_CFLAGS) $(CFLAGS) $(LDFLAGS) -fsanitize=leak -o $@ $(CLI_OBJ) tests/fault/failalloc.c $(LIB) $(IS_LDLIBS) $(MHD_LIBS) -ldl

fault-test: deps all build/fault/infersim
	@FAULT_BIN=build/fault/infersim LSAN_OPTIONS=suppressions=$(LSAN_SUPP):exitcode=23 sh tests/fault_test.sh

# valgrind memcheck on a sample of commands: no invalid access, no leak
VALGRIND = valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect
valgrind: deps-fuzz all
	$(VALGRIND) ./infersim predict --model llama-3.1-70b --system h100-sxm --chips 8 --weights fp8 --kv fp8 --batch 64 --json >/dev/null
	$(VALGRIND) ./infersim predict --model llada-8b --system h100-sxm --diffusion-cache >/dev/null
	$(VALGRIND) ./infersim serve --model llama-3.1-8b --system h100-sxm --rate 5 --duration 20 --prefix-tokens 512 --prefixes 4 --json >/dev/null
	$(VALGRIND) ./infersim search --model llama-3.1-8b --systems h100-sxm --chips 1,2 --batch 1,max --threads 2 --json >/dev/null
	$(VALGRIND) ./infersim show system tests/fuzz/corpus/fuzz_system_yaml/edge-zero-bandwidth >/dev/null 2>&1; [ $$? -eq 2 ]
	@echo "valgrind: no errors"

bench: deps
	$(MAKE) --no-print-directory BUILD=build/bench OPT="-O2 -g -march=native" $(BENCH_BIN:build/release/%=build/bench/%)
	@for b in $(BENCH_SRC:bench/%.c=build/bench/bench/%); do $$b; done

# The MPI build (Open MPI): search splits its deployments across ranks; build/mpi/infersim.
DEBS_MPI = openmpi-bin libopenmpi-dev
deps-mpi: deps
	$(call install_debs,$(DEBS_MPI))

mpi: deps-mpi
	$(MAKE) --no-print-directory BUILD=build/mpi CC=mpicc SAN=-DINFERSIM_MPI build/mpi/infersim

# Two ranks on this machine must give the single-process result (timings aside).
mpi-test: mpi all
	@sh tests/mpi_test.sh build/mpi/infersim ./infersim

# make install PREFIX=DIR (default /usr/local): the command, libinfersim (static and shared),
# its headers (DIR/include/infersim/infersim.h), a pkg-config file, the man page and the
# presets (DIR/share/infersim/data, where the installed library looks by default).  Built in
# build/install, position-independent, with that data folder compiled in.
PREFIX ?= /usr/local
DESTDIR ?=
INST = build/install
INST_PREFIX = $(abspath $(PREFIX))
VERSION = $(shell sed -n 's/^\#define INFERSIM_VERSION "\(.*\)"/\1/p' src/version.h)

$(INST)/libinfersim.so.$(VERSION): $(LIB_SRC:%.c=$(INST)/%.o)
	$(CC) -shared -Wl,-soname,libinfersim.so.0 $(LDFLAGS) -o $@ $^ $(IS_LDLIBS)

install: deps
	rm -f $(INST)/src/io/catalog.o
	$(MAKE) --no-print-directory BUILD=$(INST) SAN='-fPIC -DINFERSIM_DATADIR=\"$(INST_PREFIX)/share/infersim/data\"' \
	  $(INST)/infersim $(INST)/libinfersim.a $(INST)/libinfersim.so.$(VERSION)
	install -d $(DESTDIR)$(INST_PREFIX)/bin $(DESTDIR)$(INST_PREFIX)/lib/pkgconfig \
	  $(DESTDIR)$(INST_PREFIX)/include/infersim $(DESTDIR)$(INST_PREFIX)/share/man/man1 \
	  $(DESTDIR)$(INST_PREFIX)/share/infersim
	install -m 755 $(INST)/infersim $(DESTDIR)$(INST_PREFIX)/bin/infersim
	install -m 644 $(INST)/libinfersim.a $(DESTDIR)$(INST_PREFIX)/lib/libinfersim.a
	install -m 755 $(INST)/libinfersim.so.$(VERSION) $(DESTDIR)$(INST_PREFIX)/lib/libinfersim.so.$(VERSION)
	ln -sf libinfersim.so.$(VERSION) $(DESTDIR)$(INST_PREFIX)/lib/libinfersim.so.0
	ln -sf libinfersim.so.0 $(DESTDIR)$(INST_PREFIX)/lib/libinfersim.so
	install -m 644 src/infersim.h src/version.h $(DESTDIR)$(INST_PREFIX)/include/infersim/
	for d in core io analysis report probe; do \
	  install -d $(DESTDIR)$(INST_PREFIX)/include/infersim/$$d && \
	  install -m 644 src/$$d/*.h $(DESTDIR)$(INST_PREFIX)/include/infersim/$$d/ || exit 1; \
	done
	sed -e 's|@PREFIX@|$(INST_PREFIX)|' -e 's|@VERSION@|$(VERSION)|' docs/infersim.pc.in \
	  >$(DESTDIR)$(INST_PREFIX)/lib/pkgconfig/infersim.pc
	sed 's|@VERSION@|$(VERSION)|' docs/infersim.1 >$(DESTDIR)$(INST_PREFIX)/share/man/man1/infersim.1
	rm -rf $(DESTDIR)$(INST_PREFIX)/share/infersim/data
	cp -R data $(DESTDIR)$(INST_PREFIX)/share/infersim/data

# `infersim ui` and the study page in headless Chromium (Debian's chromium, chromium-driver and
# python3-selenium); screenshots of each view in build/ui-screens
DEBS_UI = chromium chromium-driver python3-selenium
deps-ui:
	$(call install_debs,$(DEBS_UI))

ui-test: all
	@BIN=./infersim /usr/bin/python3 tests/ui_browser.py build/ui-screens

# Install into a temporary prefix, then build a small program against it with pkg-config,
# shared and static, and run it and the installed command away from this checkout.
install-test:
	@sh tests/install_test.sh

clean:
	rm -rf build infersim

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)
