# A+P softwire: one GNU Makefile for everything.
# make            build prr/prr prr/prrctl smap/smap smap/portsurvey
# make check      install missing packages, build, run every test
# make demo       bring up the testbed and show LAN hosts reaching the Internet
# make bench      print the benchmark table
# make SAN=1      sanitizer build (ASan + UBSan) into build/san/

CC      ?= cc
PKGS    := libnetfilter_queue libmnl libconfig libnftables libnetfilter_conntrack
WARN    := -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes \
           -Wmissing-prototypes -Wno-unused-parameter
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 $(WARN) -MMD -MP -D_GNU_SOURCE -Icommon -pthread
LDLIBS  += -pthread

ifeq ($(SAN),1)
B       := build/san
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined -O1
LDFLAGS += -fsanitize=address,undefined
BIN     := $(B)/
else
B       := build/obj
BIN     :=
endif

ifneq ($(V),1)
Q := @
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null)
CFLAGS     += $(PKG_CFLAGS)

obj = $(patsubst %.c,$(B)/%.o,$(1))

COMMON_SRC   := $(wildcard common/*.c)
PRR_SRC      := $(filter-out prr/prrctl%.c,$(wildcard prr/*.c))
PRRCTL_SRC   := $(wildcard prr/prrctl*.c)
SMAP_SRC     := $(filter-out smap/portsurvey%.c,$(wildcard smap/*.c))
SURVEY_SRC   := $(wildcard smap/portsurvey*.c)
UNIT_SRC     := $(wildcard tests/unit/test_*.c)
BENCH_SRC    := $(wildcard tests/bench/*.c)

LIBCOMMON := $(B)/libapcommon.a
# prr's pure data path, linked into unit tests and benchmarks too
PRR_CORE_SRC := prr/datapath.c prr/config.c prr/stats.c prr/registry.c prr/state.c prr/pcp_rules.c

PROGS := $(BIN)prr/prr $(BIN)prr/prrctl
# smap and portsurvey join the build when their sources exist
PROGS += $(if $(SMAP_SRC),$(BIN)smap/smap) $(if $(SURVEY_SRC),$(BIN)smap/portsurvey)
UNITS := $(patsubst tests/unit/%.c,$(B)/tests/unit/%,$(UNIT_SRC))
BENCHES := $(patsubst tests/bench/%.c,$(B)/tests/bench/%,$(BENCH_SRC))

all: $(PROGS)

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC  $<")
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

$(LIBCOMMON): $(call obj,$(COMMON_SRC))
	$(Q)rm -f $@ && ar rcs $@ $^

$(BIN)prr/prr: $(call obj,$(PRR_SRC)) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS)

$(BIN)prr/prrctl: $(call obj,$(PRRCTL_SRC)) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS)

# the UPnP IGD (smap/upnp.c) links libupnp (pupnp) into smap only
# -isystem: its headers declare CLASS##_new() without a prototype
UPNP_CFLAGS := $(patsubst -I%,-isystem %,$(shell pkg-config --cflags libupnp 2>/dev/null))
UPNP_LIBS   := $(shell pkg-config --libs libupnp 2>/dev/null)
$(B)/smap/upnp.o: CFLAGS += $(UPNP_CFLAGS)

$(BIN)smap/smap: $(call obj,$(SMAP_SRC)) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(UPNP_LIBS) $(LDLIBS)

$(BIN)smap/portsurvey: $(call obj,$(SURVEY_SRC)) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS) -lm

# Unit tests link the pure code only: common/ and prr's data path.
$(B)/tests/unit/%: $(B)/tests/unit/%.o $(call obj,$(PRR_CORE_SRC)) $(LIBCOMMON)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CHECK_LIBS) $(LDLIBS) -lm

$(B)/tests/bench/%: $(B)/tests/bench/%.o $(call obj,$(PRR_CORE_SRC)) $(LIBCOMMON)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS) -lm

# tests reach into prr/ for the data path
$(B)/tests/%.o: CFLAGS += -Iprr

units: $(UNITS)
benches: $(BENCHES)

deps:
	$(Q)scripts/install-deps

check: deps
	$(Q)$(MAKE) --no-print-directory all units
	$(Q)$(MAKE) --no-print-directory SAN=1 all units
	$(Q)tests/run

demo: deps all
	$(Q)scripts/demo

bench: deps all
	$(Q)$(MAKE) --no-print-directory benches
	$(Q)scripts/bench

clean:
	rm -rf build prr/prr prr/prrctl smap/smap smap/portsurvey

.PHONY: all units benches deps check demo bench clean
-include $(shell find build -name '*.d' 2>/dev/null)
