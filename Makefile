# refbench: benchmarks for the kernel's page-refcount hot paths.
#
#   make            build bench/refbench (installs Debian deps when missing)
#   make check      unit + integration + lab tests; ends with "N passed, N failed"
#   make deps       install every Debian package the project needs
#   make lab        build the default lab kernel, boot it, run the quick suite
#   make demo       A/B of Debian's 6.1 stock vs. 6.1 + an example patch
#   make ab BASE=... PATCHED=... [KSRC=tree] [MODE=timed|deterministic] ...
#   make kernel [KVER=7.2] [PROFILE=distro]   build (or find) a lab kernel
#   make smoke KVER=6.12   build Debian's linux-source-KVER, boot it, check
#                          that every case and kind of lab-smoke verified
#
# KSRC picks the kernel tree that supplies libperf (tools/lib/perf); by
# default Debian's linux-source-6.1, extracted once into $(RB_CACHE).

RB_CACHE ?= $(or $(REFBENCH_CACHE),$(HOME)/.cache/refbench)
export RB_CACHE
DEFAULT_KSRC := $(RB_CACHE)/src/linux-source-6.1
KSRC ?= $(DEFAULT_KSRC)
# libperf is built per tree, outside the repo.
LIBPERF_OUT := $(RB_CACHE)/libperf/$(shell printf '%s' '$(abspath $(KSRC))' | sha1sum | cut -c1-12)
LIBPERF_A := $(LIBPERF_OUT)/libperf.a
LIBAPI_A := $(LIBPERF_OUT)/libapi.a

CC ?= gcc
GIT_SHA := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(shell git diff --quiet HEAD 2>/dev/null || echo -dirty)
# Lazy (=): pkg-config must run after `make deps` installed the libraries.
CFLAGS_COMMON = -std=gnu11 -g -Wall -Wextra -Werror -Wno-format-truncation -D_GNU_SOURCE \
	-Ibench -Ibench/core -I$(KSRC)/tools/lib/perf/include \
	$(shell pkg-config --cflags json-c libpmem2 2>/dev/null) \
	-DRB_GIT_SHA='"$(GIT_SHA)"' -DRB_SRCDIR='"$(CURDIR)"'
CFLAGS ?= -O2
# libperf and libapi are linked statically: the binary then runs in a lab
# guest that sees the host's root read-only, with no cache dir on its path.
LDLIBS = $(LIBPERF_A) $(LIBAPI_A) \
	$(shell pkg-config --libs json-c libpmem2 2>/dev/null || echo -ljson-c -lpmem2) \
	-lcrypto -lz -lm -lpthread

SRCS := $(sort $(wildcard bench/core/*.c bench/mem/*.c bench/cases/*.c bench/kabi/*.c bench/stats/*.c))
HDRS := $(wildcard bench/*/*.h)
OBJS := $(SRCS:%.c=build/rel/%.o)
ASAN_OBJS := $(SRCS:%.c=build/asan/%.o)
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=build/tests/%)

.PHONY: all deps check unit integration labtest lab demo ab clean distclean libperf ksrc kernel smoke

all: bench/refbench

build/.deps-ok: scripts/deps
	@scripts/deps --ensure
	@mkdir -p build && touch $@

deps:
	scripts/deps --install

$(DEFAULT_KSRC)/Makefile: | build/.deps-ok
	scripts/ksrc --extract

$(LIBPERF_A): | build/.deps-ok $(if $(filter $(KSRC),$(DEFAULT_KSRC)),$(DEFAULT_KSRC)/Makefile)
	@test -f '$(KSRC)/tools/lib/perf/Makefile' || { echo "error: KSRC=$(KSRC) has no tools/lib/perf; point KSRC at a kernel tree" >&2; exit 1; }
	@echo "  LIBPERF $(KSRC)/tools/lib/perf -> $(LIBPERF_OUT)"
	@mkdir -p $(LIBPERF_OUT)
	@$(MAKE) -s -C '$(KSRC)/tools/lib/perf' OUTPUT=$(LIBPERF_OUT)/ >$(LIBPERF_OUT)/build.log 2>&1 || { tail -20 $(LIBPERF_OUT)/build.log; exit 1; }
	@test -f $(LIBAPI_A) || $(MAKE) -s -C '$(KSRC)/tools/lib/api' OUTPUT=$(LIBPERF_OUT)/ >>$(LIBPERF_OUT)/build.log 2>&1

libperf: $(LIBPERF_A)

build/rel/%.o: %.c $(HDRS) | $(LIBPERF_A)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS_COMMON) $(CFLAGS) -c -o $@ $<

build/asan/%.o: %.c $(HDRS) | $(LIBPERF_A)
	@mkdir -p $(dir $@)
	@$(CC) $(CFLAGS_COMMON) -O1 $(SAN) -c -o $@ $<

bench/refbench: $(OBJS) bench/main.c $(HDRS)
	@echo "  LINK    $@"
	@$(CC) $(CFLAGS_COMMON) $(CFLAGS) -o $@ bench/main.c $(OBJS) $(LDLIBS)

# Unit tests link every object except main.c, under ASan and UBSan.
build/tests/%: tests/unit/%.c $(ASAN_OBJS) $(HDRS)
	@mkdir -p $(dir $@)
	@echo "  TEST-CC $<"
	@$(CC) $(CFLAGS_COMMON) -O1 $(SAN) -Itests/unit -o $@ $< $(ASAN_OBJS) $(LDLIBS) -lcmocka

# The sanitizer build of the CLI, for the integration tests.
build/asan/refbench: $(ASAN_OBJS) bench/main.c
	@$(CC) $(CFLAGS_COMMON) -O1 $(SAN) -o $@ bench/main.c $(ASAN_OBJS) $(LDLIBS)

check: build/.deps-ok bench/refbench build/asan/refbench $(UNIT_BINS)
	@tests/run $(if $(TESTS),--only '$(TESTS)')

unit: $(UNIT_BINS)
	@tests/run --only unit

lab: bench/refbench
	scripts/lab $(LABARGS)

kernel: | build/.deps-ok
	kernels/build $(if $(KVER),--src '$(KVER)') $(if $(PROFILE),--profile '$(PROFILE)')

smoke: build/.deps-ok bench/refbench
	RB_LAB_KVER='$(or $(KVER),6.1)' tests/lab/test_lab_boot.sh

demo: bench/refbench
	scripts/ab --demo

ab: bench/refbench
	scripts/ab $(if $(BASE),--base '$(BASE)') $(if $(PATCHED),--patched '$(PATCHED)') \
		$(if $(filter-out $(DEFAULT_KSRC),$(KSRC)),--ksrc '$(KSRC)') \
		$(if $(MODE),--mode '$(MODE)') $(if $(SUITE),--suite '$(SUITE)') \
		$(if $(ROUNDS),--rounds '$(ROUNDS)') $(if $(MARGIN),--margin '$(MARGIN)') $(ABARGS)

clean:
	rm -rf build bench/refbench

distclean: clean
	@echo "kernel and libperf caches stay in $(RB_CACHE); remove by hand if wanted"
