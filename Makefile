# refbench: benchmarks for the kernel's page-refcount hot paths.
#
#   make            build bench/refbench (installs Debian deps when missing)
#   make check      unit + integration + lab tests; ends with "N passed, N failed"
#                   (TEST_JOBS=n: lab tests at once, default by cores and memory)
#   make check-full make check + the tests it leaves out (`# refbench: full`)
#   make deps       install every Debian package the project needs
#   make lab        build the default lab kernel, boot it, run the quick suite
#   make demo       A/B of Debian's 6.1 stock vs. 6.1 + an example patch
#   make ab BASE=... PATCHED=... [KSRC=tree] [MODE=timed|deterministic] ...
#           [ROUNDS=n|auto] [BUDGET=30m] [BOUNDS=file] [ALLOW_MISSING=1]
#   make ab TARGET=host KERNEL_A=DIR KERNEL_B=DIR HOSTARGS='--fsdax DIR ...'
#           on a pmem machine, by kexec (or BASE=... PATCHED=...: both
#           built for it first, from its running config with localmodconfig,
#           modules and an initramfs); make ab TARGET=host RESUME=STATE
#           continues it; TARGET=ssh://user@host[:port]: the same there
#           (scripts/remote)
#   make ab ... TARGETS="ssh://a ssh://b"   the lab boots on these ssh targets
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
	-Ibench -Iplugin -I$(KSRC)/tools/lib/perf/include \
	$(shell pkg-config --cflags json-c libpmem2 2>/dev/null) \
	-DRB_GIT_SHA='"$(GIT_SHA)"' -DRB_SRCDIR='"$(CURDIR)"'
CFLAGS ?= -O2
# libperf and libapi are linked statically: the binary then runs in a lab
# guest that sees the host's root read-only, with no cache dir on its path.
LDLIBS = $(LIBPERF_A) $(LIBAPI_A) \
	$(shell pkg-config --libs json-c libpmem2 2>/dev/null || echo -ljson-c -lpmem2) \
	-lcrypto -lz -lm -lpthread

# One layer per folder (docs/layout.md); includes name the folder: "mem/mem.h".
LAYERS := app app/plan app/run app/rundir app/compare app/walk cases cases/fio mem lib stats kabi
MAIN := bench/app/main.c
SRCS := $(sort $(filter-out $(MAIN),$(foreach d,$(LAYERS),$(wildcard bench/$(d)/*.c))))
HDRS := $(foreach d,$(LAYERS),$(wildcard bench/$(d)/*.h))
OBJS := $(SRCS:%.c=build/rel/%.o)
ASAN_OBJS := $(SRCS:%.c=build/asan/%.o)
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=build/tests/%)
PLUGIN_SO := build/plugin/insn_attr.so

# Fuzz targets (libFuzzer): every object built again by clang with ASan and
# UBSan; make check runs each for a few seconds on its committed corpus.
# Without clang (scripts/deps installs it) they are not built and skip.
CLANG ?= clang
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=build/fuzz/%)
FUZZ_OBJS := $(SRCS:%.c=build/fuzz/obj/%.o)
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer \
	-Wno-unknown-warning-option -Wno-missing-field-initializers -Wno-unused-but-set-variable

.PHONY: all deps check check-full check-lava plugin unit integration labtest lab demo ab series clean distclean libperf ksrc fuzz kernel smoke layers

all: bench/refbench $(PLUGIN_SO)

# The QEMU TCG plugin for per-symbol instruction counts (scripts/lab --attribute).
$(PLUGIN_SO): plugin/insn_attr.c plugin/qemu_plugin_abi.h plugin/window_marker.h plugin/x86_cost.h plugin/x86_context.h plugin/x86_rep.h
	@mkdir -p $(dir $@)
	@echo "  PLUGIN  $@"
	@$(CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -fPIC -shared -fvisibility=hidden -o $@ $<

plugin: $(PLUGIN_SO)


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

bench/refbench: $(OBJS) $(MAIN) $(HDRS)
	@echo "  LINK    $@"
	@$(CC) $(CFLAGS_COMMON) $(CFLAGS) -o $@ $(MAIN) $(OBJS) $(LDLIBS)

# Unit tests link every object except main.c, under ASan and UBSan.
build/tests/%: tests/unit/%.c $(ASAN_OBJS) $(HDRS)
	@mkdir -p $(dir $@)
	@echo "  TEST-CC $<"
	@$(CC) $(CFLAGS_COMMON) -O1 $(SAN) -Itests/unit -o $@ $< $(ASAN_OBJS) $(LDLIBS) -lcmocka

# The sanitizer build of the CLI, for the integration tests.
build/asan/refbench: $(ASAN_OBJS) $(MAIN)
	@$(CC) $(CFLAGS_COMMON) -O1 $(SAN) -o $@ $(MAIN) $(ASAN_OBJS) $(LDLIBS)

build/fuzz/obj/%.o: %.c $(HDRS) | $(LIBPERF_A)
	@mkdir -p $(dir $@)
	@$(CLANG) $(CFLAGS_COMMON) -O1 $(FUZZ_SAN) -fsanitize=fuzzer-no-link -c -o $@ $<

build/fuzz/%: tests/fuzz/%.c $(FUZZ_OBJS) $(HDRS)
	@echo "  FUZZ-CC $<"
	@$(CLANG) $(CFLAGS_COMMON) -O1 $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJS) $(LDLIBS)

# clang is looked for once deps have run (a fresh machine installs it then)
check: build/.deps-ok bench/refbench $(PLUGIN_SO) build/asan/refbench $(UNIT_BINS)
	@! command -v $(CLANG) >/dev/null || $(MAKE) --no-print-directory $(FUZZ_BINS)
	@tests/run $(if $(TESTS),--only '$(TESTS)') $(if $(TEST_JOBS),-j '$(TEST_JOBS)')

# make check and the tests marked `# refbench: full` (tests/run --full):
# those whose capability a make check test already covers end to end
check-full: build/.deps-ok bench/refbench $(PLUGIN_SO) build/asan/refbench $(UNIT_BINS)
	@! command -v $(CLANG) >/dev/null || $(MAKE) --no-print-directory $(FUZZ_BINS)
	@scripts/deps --host-kernels
	@tests/run --full $(if $(TESTS),--only '$(TESTS)') $(if $(TEST_JOBS),-j '$(TEST_JOBS)')

# the LAVA tests with LAVA's tools and a server's packages installed
# (scripts/deps --lava-server, docs/lava.md): lava-run here, and a server on
# loopback (tests/lab/test_lava_server.sh, scripts/lava-server); make check
# runs the first two too, skipping the lab one without lava-run
check-lava: build/.deps-ok bench/refbench build/asan/refbench
	scripts/deps --lava-server
	@tests/run --only lava --full

# RB_FUZZ_SECONDS=N per target (default 3)
fuzz: $(FUZZ_BINS)
	@tests/run --only fuzz

unit: $(UNIT_BINS)
	@tests/run --only unit

lab: bench/refbench $(if $(filter 1,$(ATTRIBUTE) $(COST)),$(PLUGIN_SO))
	scripts/lab $(LABARGS)

kernel: | build/.deps-ok
	kernels/build $(if $(KVER),--src '$(KVER)') $(if $(PROFILE),--profile '$(PROFILE)')

smoke: build/.deps-ok bench/refbench
	RB_LAB_KVER='$(or $(KVER),6.1)' tests/lab/test_lab_boot.sh

demo: bench/refbench $(PLUGIN_SO)
	$(EXEC_ENV) scripts/ab --demo $(if $(filter 1,$(ALLOW_MISSING)),--allow-missing) $(if $(JOBS),--jobs '$(JOBS)')

# the walk of a series: base, base+1, ..., base+N, one table (scripts/series)
series: bench/refbench $(if $(filter 1,$(ATTRIBUTE) $(COST)),$(PLUGIN_SO))
ifneq ($(RESUME),)
	$(EXEC_ENV) scripts/series --resume '$(RESUME)' $(if $(JOBS),--jobs '$(JOBS)') $(if $(TARGETS),--targets '$(TARGETS)')
else
	@test -n '$(SERIES)' || { echo "make series: give SERIES=DIR|MBOX (and BASE=SPEC, default stock)" >&2; exit 2; }
	$(EXEC_ENV) scripts/series --series '$(SERIES)' $(if $(BASE),--base '$(BASE)') \
		$(if $(filter-out $(DEFAULT_KSRC),$(KSRC)),--ksrc '$(KSRC)') $(if $(SUITE),--suite '$(SUITE)') \
		$(if $(BOUNDS),--bounds '$(BOUNDS)') $(if $(filter 1,$(ATTRIBUTE)),--attribute) \
		$(if $(filter 1,$(COST)),--cost) $(if $(JOBS),--jobs '$(JOBS)') $(if $(TARGETS),--targets '$(TARGETS)') \
		$(SERIESARGS)
endif

# EXECUTOR=lava URL=https://USER:TOKEN@HOST/RPC2 (or URL=local: lava-run
# here): the plan's boots as LAVA jobs (scripts/plan-lava, docs/lava.md)
EXEC_ENV = RB_EXECUTOR='$(EXECUTOR)' RB_LAVA_URL='$(URL)' 

# TARGET=host: the A/B on this pmem machine, by kexec (scripts/host-ab),
# with RESUME=STATE continued by hand; TARGET=ssh://...: the same there
ab: bench/refbench $(if $(filter 1,$(ATTRIBUTE) $(COST)),$(PLUGIN_SO))
ifeq ($(TARGET),host)
	scripts/host-ab $(if $(RESUME),--resume '$(RESUME)',$(if $(KERNEL_A)$(KERNEL_B),--kernel-a '$(KERNEL_A)' --kernel-b '$(KERNEL_B)',--base '$(BASE)' --patched '$(PATCHED)' $(if $(filter-out $(DEFAULT_KSRC),$(KSRC)),--ksrc '$(KSRC)')) \
		$(if $(SUITE),--suite '$(SUITE)') $(if $(ROUNDS),--rounds '$(ROUNDS)') $(HOSTARGS))
else ifneq ($(filter ssh://%,$(TARGET)),)
	scripts/remote '$(TARGET)' host-ab --kernel-a '$(KERNEL_A)' --kernel-b '$(KERNEL_B)' \
		$(if $(SUITE),--suite '$(SUITE)') $(if $(ROUNDS),--rounds '$(ROUNDS)') $(HOSTARGS)
else
	$(EXEC_ENV) scripts/ab $(if $(BASE),--base '$(BASE)') $(if $(PATCHED),--patched '$(PATCHED)') \
		$(if $(filter-out $(DEFAULT_KSRC),$(KSRC)),--ksrc '$(KSRC)') \
		$(if $(MODE),--mode '$(MODE)') $(if $(SUITE),--suite '$(SUITE)') \
		$(if $(ROUNDS),--rounds '$(ROUNDS)') $(if $(MARGIN),--margin '$(MARGIN)') \
		$(if $(BUDGET),--budget '$(BUDGET)') $(if $(BOUNDS),--bounds '$(BOUNDS)') \
		$(if $(filter 1,$(ALLOW_MISSING)),--allow-missing) $(if $(JOBS),--jobs '$(JOBS)') \
		$(if $(RESUME),--resume '$(RESUME)') $(if $(filter 1,$(ATTRIBUTE)),--attribute) \
		$(if $(filter 1,$(COST)),--cost) $(if $(TARGETS),--targets '$(TARGETS)') $(ABARGS)
endif

# The import graph: the folders each folder's files include ("dir/x.h"), its
# own left out. Arrows only point down (docs/layout.md shows this output).
LAYER_DIRS := $(sort $(patsubst %/,%,$(dir $(wildcard bench/*/*.[ch] bench/*/*/*.[ch]))))
layers:
	@for d in $(LAYER_DIRS); do \
		printf '%-14s -> %s\n' "$${d#bench/}" "$$(sed -n 's|^#include "\(.*\)/[^/]*".*|\1|p' $$d/*.[ch] | \
			sort -u | grep -vx "$${d#bench/}" | paste -sd' ')"; \
	done

clean:
	rm -rf build bench/refbench

distclean: clean
	@echo "kernel and libperf caches stay in $(RB_CACHE); remove by hand if wanted"
