# A+P softwire: one GNU Makefile for everything.
# make            build build/bin/{prr,prrctl,smap,portsurvey}
# make check      install missing packages, build, run every test
# make demo       bring up the testbed and show LAN hosts reaching the Internet
# make bench      print the benchmark table
# make SAN=1      sanitizer build (ASan + UBSan) into build/san/bin/
#
# Folders (each has a README.md saying what lives there):
#   common/         what two or more programs share (codecs, port sets, ...)
#   prr/            the PRR daemon          ctl/     prrctl, the operator CLI
#   smap/           the SMAP daemon         smap/portmap/  its mapping table
#   survey/         portsurvey              tests/   unit, e2e, fuzz, bench

CC      ?= cc
PKGS    := libnetfilter_queue libmnl libconfig libnftables libnetfilter_conntrack zlib
WARN    := -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes \
           -Wmissing-prototypes -Wno-unused-parameter
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 $(WARN) -MMD -MP -D_GNU_SOURCE -I. -Icommon -pthread
LDLIBS  += -pthread

ifeq ($(SAN),1)
B       := build/san
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined -O1
LDFLAGS += -fsanitize=address,undefined
else
B       := build/obj
endif
BIN     := $(B:build/obj=build)/bin

ifneq ($(V),1)
Q := @
endif

# pkg-config runs when a rule needs it, not when the Makefile is read:
# `make demo` installs the libraries first (deps) and then links.
pkg = $(shell pkg-config $(1) 2>/dev/null)
PKG_CFLAGS  = $(call pkg,--cflags $(PKGS))
PKG_LIBS    = $(call pkg,--libs $(PKGS))
CHECK_LIBS  = $(call pkg,--libs check)
# -isystem: libupnp's headers declare CLASS##_new() without a prototype
UPNP_CFLAGS = $(patsubst -I%,-isystem %,$(call pkg,--cflags libupnp))
UPNP_LIBS   = $(call pkg,--libs libupnp)

obj = $(patsubst %.c,$(B)/%.o,$(1))

COMMON_SRC  := $(wildcard common/*.c)
PRR_SRC     := $(wildcard prr/*.c)
PRRCTL_SRC  := $(wildcard ctl/prrctl*.c)
SMAP_SRC    := $(wildcard smap/*.c smap/portmap/*.c)
SURVEY_SRC  := $(wildcard survey/*.c)
UNIT_SRC    := $(wildcard tests/unit/test_*.c)
BENCH_SRC   := $(wildcard tests/bench/*.c)

# Each program's pure core: no sockets, no netlink, no nftables. Unit
# tests and benchmarks link every core.
PRR_CORE    := prr/datapath.c prr/config.c prr/stats.c prr/registry.c prr/pool.c prr/store_journal.c \
               prr/state.c prr/pcp_rules.c prr/binding.c prr/pmtu.c
SMAP_CORE   := smap/datapath.c smap/register_timing.c \
               $(addprefix smap/portmap/,maptable.c natpmp.c pcp_policy.c \
                 igd.c igd_bare.c igd_desc.c igd_tables.c)
SURVEY_CORE := $(filter-out survey/portsurvey%.c,$(SURVEY_SRC))
CORES       := $(PRR_CORE) $(SMAP_CORE) $(SURVEY_CORE)

LIBCOMMON := $(B)/libapcommon.a
PROGS   := $(BIN)/prr $(BIN)/prrctl $(BIN)/smap $(BIN)/portsurvey
UNITS   := $(patsubst tests/unit/%.c,$(B)/tests/unit/%,$(UNIT_SRC))
BENCHES := $(patsubst tests/bench/%.c,$(B)/tests/bench/%,$(BENCH_SRC))

all: $(PROGS)

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC  $<")
	$(Q)$(CC) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

$(B)/smap/portmap/upnp.o: CFLAGS += $(UPNP_CFLAGS)

$(LIBCOMMON): $(call obj,$(COMMON_SRC))
	$(Q)rm -f $@ && ar rcs $@ $^

link = @mkdir -p $(dir $@); $(if $(Q),echo "  LD  $@";) \
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(1) $(LDLIBS)

$(BIN)/prr: $(call obj,$(PRR_SRC)) $(LIBCOMMON)
	$(call link)

$(BIN)/prrctl: $(call obj,$(PRRCTL_SRC)) $(LIBCOMMON)
	$(call link)

$(BIN)/smap: $(call obj,$(SMAP_SRC)) $(LIBCOMMON)
	$(call link,$(UPNP_LIBS))

$(BIN)/portsurvey: $(call obj,$(SURVEY_SRC)) $(LIBCOMMON)
	$(call link,-lm)

$(B)/tests/unit/%: $(B)/tests/unit/%.o $(call obj,$(CORES)) $(LIBCOMMON)
	$(call link,$(CHECK_LIBS) -lm)

$(B)/tests/bench/%: $(B)/tests/bench/%.o $(call obj,$(CORES)) $(LIBCOMMON)
	$(call link,-lm)

units: $(UNITS)
benches: $(BENCHES)

deps:
	$(Q)scripts/install-deps

check: deps
	$(Q)$(MAKE) --no-print-directory all units
	$(Q)$(MAKE) --no-print-directory SAN=1 all units
	$(Q)tests/run

demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)scripts/demo

bench: deps
	$(Q)$(MAKE) --no-print-directory all benches
	$(Q)scripts/bench

clean:
	rm -rf build

.PHONY: all units benches deps check demo bench clean
.SECONDARY:
-include $(shell find build -name '*.d' 2>/dev/null)
