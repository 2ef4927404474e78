# SPDX-License-Identifier: MIT
# A+P softwire: one GNU Makefile for everything.
# make            build build/bin/{prr,prrctl,smap,smapctl,portsurvey}
# make check      install missing packages, build, run every test
# make demo       bring up the testbed and show LAN hosts reaching the Internet
# make bench      print the benchmark table (BENCH_QUICK=1: briefly)
# make SAN=1      sanitizer build (ASan + UBSan) into build/san/bin/
# make fuzz       libFuzzer targets into build/fuzz/ (make fuzz-long: long campaign)
# make deb        Debian packages ap-prr, ap-smap into build/deb/
# make install    programs, man pages, example configs, systemd units
#                 (PREFIX=/usr/local DESTDIR= SYSCONFDIR=/etc); make uninstall
#
# Folders (each has a README.md saying what lives there):
#   common/         what two or more programs share (codecs, port sets, ...)
#   prr/            the PRR daemon          ctl/     prrctl, the operator CLI
#   smap/           the SMAP daemon         smap/portmap/  its mapping table
#   survey/         portsurvey              tests/   unit, e2e, fuzz, bench
#   bpf/            XDP/TC programs: bpf/NAME.bpf.c -> build/bpf/NAME.bpf.o and
#                   the libbpf skeleton build/bpf/NAME.skel.h (struct NAME_bpf)

CC      ?= cc
PKGS    := libnetfilter_queue libmnl libconfig libnftables libnetfilter_conntrack jansson libbpf zlib libcap-ng libseccomp
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
PRRCTL_SRC  := $(wildcard ctl/prrctl*.c) ctl/cli.c
SMAPCTL_SRC := ctl/smapctl.c ctl/smapctl_main.c ctl/cli.c
# upnp_soap.c: libupnp, in smap-upnp only
SMAP_SRC    := $(filter-out smap/portmap/upnp_soap.c,$(wildcard smap/*.c smap/portmap/*.c))
SURVEY_SRC  := $(wildcard survey/*.c)
UNIT_SRC    := $(wildcard tests/unit/test_*.c)
BENCH_SRC   := $(wildcard tests/bench/*.c)

# Each program's pure core: no sockets, no netlink, no nftables. Unit
# tests and benchmarks link every core.
PRR_CORE    := prr/datapath.c prr/config.c prr/stats.c prr/registry.c prr/pool.c prr/store_journal.c \
               prr/pcap.c prr/state.c prr/pcp_rules.c prr/binding.c prr/pmtu.c prr/nfq_stats.c \
               prr/pg_copy.c prr/store_pg_schema.c
SMAP_CORE   := smap/datapath.c smap/register_timing.c smap/register_answer.c smap/ftp_cmd.c \
               smap/live.c smap/map_derive.c smap/gso.c smap/gro.c \
               $(addprefix smap/portmap/,maptable.c natpmp.c pcp_policy.c neigh.c \
                 igd.c igd_bare.c igd_desc.c igd_tables.c upnp_msg.c)
SURVEY_CORE := $(filter-out survey/portsurvey%.c,$(SURVEY_SRC))
CTL_CORE    := ctl/prrctl_args.c
CORES       := $(PRR_CORE) $(SMAP_CORE) $(SURVEY_CORE) $(CTL_CORE)

LIBCOMMON := $(B)/libapcommon.a
PROGS   := $(BIN)/prr $(BIN)/prrctl $(BIN)/smap $(BIN)/smapctl $(BIN)/portsurvey \
           $(BIN)/smap-upnp
UNITS   := $(patsubst tests/unit/%.c,$(B)/tests/unit/%,$(UNIT_SRC))
BENCHES := $(patsubst tests/bench/%.c,$(B)/tests/bench/%,$(BENCH_SRC))

all: $(PROGS)

# BPF programs: one generic rule for every bpf/NAME.bpf.c
BPF_CLANG  ?= clang
BPF_CFLAGS := -O2 -g -target bpf -Wall -Werror -I. -I/usr/include/$(shell uname -m)-linux-gnu
BPF_SRC    := $(wildcard bpf/*.bpf.c)
BPF_SKELS  := $(patsubst bpf/%.bpf.c,build/bpf/%.skel.h,$(BPF_SRC))

build/bpf/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  BPF $<")
	$(Q)$(BPF_CLANG) $(BPF_CFLAGS) -c -o $@ $<

build/bpf/%.skel.h: build/bpf/%.bpf.o
	$(Q)bpftool gen skeleton $< name $*_bpf > $@.tmp && mv $@.tmp $@

# the PRR's XDP fast path: its loader includes the skeleton
$(B)/prr/fastpath.o: build/bpf/prr_xdp.skel.h
# the SMAP's TC fast path: its loader and its unit test include the skeleton
$(B)/smap/fastpath.o $(B)/tests/unit/test_smap_tc.o: build/bpf/smap_tc.skel.h
# the benchmark's in-kernel sender
$(B)/tests/bench/xdpblast.o: build/bpf/xdpblast.skel.h

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC  $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

$(B)/smap/portmap/upnp_soap.o $(B)/smap/upnpd/server.o: CFLAGS += $(UPNP_CFLAGS)

# --version: AP_VERSION (debian/rules: the package's), else `git describe`,
# else the fallback; version.o is rebuilt only when the string changes
# (the stamp file is rewritten only then); make install writes it into
# the scripts too
VERSION_FALLBACK := 0.1
VERSION = $(or $(AP_VERSION),$(shell git describe --tags --always --dirty 2>/dev/null),$(VERSION_FALLBACK))
$(B)/version.stamp: FORCE
	@mkdir -p $(dir $@)
	@echo '$(VERSION)' | cmp -s - $@ || echo '$(VERSION)' > $@
$(B)/common/version.o: $(B)/version.stamp
$(B)/common/version.o: CFLAGS += -DAP_VERSION='"$(shell cat $(B)/version.stamp 2>/dev/null)"'
FORCE:

$(LIBCOMMON): $(call obj,$(COMMON_SRC))
	$(Q)rm -f $@ && ar rcs $@ $^

link = @mkdir -p $(dir $@); $(if $(Q),echo "  LD  $@";) \
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(1) $(LDLIBS)

# libpq: prr only (its PostgreSQL store)
PQ_CFLAGS = $(or $(call pkg,--cflags libpq),-I/usr/include/postgresql)
PQ_LIBS   = $(or $(call pkg,--libs libpq),-lpq)
$(B)/prr/store_pg.o: CFLAGS += $(PQ_CFLAGS)

$(BIN)/prr: $(call obj,$(PRR_SRC)) $(LIBCOMMON)
	$(call link,$(PQ_LIBS))

$(BIN)/prrctl: $(call obj,$(PRRCTL_SRC)) $(LIBCOMMON)
	$(call link)

$(BIN)/smapctl: $(call obj,$(SMAPCTL_SRC)) $(LIBCOMMON)
	$(call link)

# smap stats|status|mappings run smapctl's code
$(BIN)/smap: $(call obj,$(SMAP_SRC) ctl/smapctl.c ctl/cli.c) $(LIBCOMMON)
	$(call link,-lseccomp)

# the UPnP IGD's own process (smap/upnpd/README.md): libupnp, the pure IGD
# code and the messages; not the SMAP's libraries (libconfig: conf.c's parse_ipv4)
UPNPD_SRC := $(wildcard smap/upnpd/*.c) \
             $(addprefix smap/portmap/,igd.c igd_desc.c igd_tables.c upnp_soap.c \
               upnp_msg.c upnp_sandbox.c maptable.c)
$(BIN)/smap-upnp: $(call obj,$(UPNPD_SRC)) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD  $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(UPNP_LIBS) $(call pkg,--libs libconfig) -lseccomp $(LDLIBS)

$(BIN)/portsurvey: $(call obj,$(SURVEY_SRC)) $(LIBCOMMON)
	$(call link,-lm)

$(B)/tests/unit/%: $(B)/tests/unit/%.o $(call obj,$(CORES)) $(LIBCOMMON)
	$(call link,$(CHECK_LIBS) -lm)

$(B)/tests/bench/%: $(B)/tests/bench/%.o $(call obj,$(CORES)) $(LIBCOMMON)
	$(call link,-lm)

# Fuzz targets (tests/fuzz/README.md): one libFuzzer binary per
# tests/fuzz/fuzz_NAME.c in build/fuzz/, with ASan/UBSan, linked with every
# pure core and libapcommon. A target that needs more names its sources in
# FUZZ_SRC_fuzz_NAME and its libraries in FUZZ_LIBS_fuzz_NAME (add yours
# there; the pattern rule stays generic).
FUZZ_CC     := clang
FUZZ_B      := build/fuzz
FUZZ_FLAGS  := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
               -fno-sanitize-recover=undefined
FUZZ_CFLAGS  = -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -D_GNU_SOURCE \
               -I. -Icommon -pthread $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link $(PKG_CFLAGS)
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,$(FUZZ_B)/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_CORE    := $(CORES) $(COMMON_SRC) tests/fuzz/lib.c
FUZZ_SRC_fuzz_smap_config := smap/config.c smap/register_conf.c smap/map_derive.c \
                             smap/portmap/pcp_config.c smap/portmap/upnp_config.c
FUZZ_SRC_fuzz_soap        := smap/portmap/upnp_soap.c
FUZZ_LIBS_fuzz_soap        = $(UPNP_LIBS)
FUZZ_SRC_fuzz_state       := smap/portmap/portmap_state.c
fuzz_obj     = $(patsubst %.c,$(FUZZ_B)/obj/%.o,$(sort $(1)))

$(FUZZ_B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC  $< (fuzz)")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

$(FUZZ_B)/obj/smap/portmap/upnp_soap.o $(FUZZ_B)/obj/tests/fuzz/fuzz_soap.o: FUZZ_CFLAGS += $(UPNP_CFLAGS)

.SECONDEXPANSION:
$(FUZZ_B)/fuzz_%: $(FUZZ_B)/obj/tests/fuzz/fuzz_%.o \
		$$(call fuzz_obj,$(FUZZ_CORE) $$(FUZZ_SRC_fuzz_$$*))
	@$(if $(Q),echo "  LD  $@")
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS) $(FUZZ_LIBS_fuzz_$*) -lm -pthread

fuzz: $(FUZZ_TARGETS)

# short runs on the committed corpora (tests/run counts them); the long campaign
fuzz-smoke: fuzz
	$(Q)tests/fuzz/run smoke
fuzz-long: fuzz
	$(Q)tests/fuzz/run long

units: $(UNITS)
benches: $(BENCHES)

deps:
	$(Q)scripts/install-deps

# what tests/run needs built (scripts/check-loaded builds it too)
check-build:
	$(Q)$(MAKE) --no-print-directory all units build/obj/tests/bench/regload \
		build/obj/tests/bench/pg_schema	# 55-scale-out sends with regload, makes a version-2 store with pg_schema
	$(Q)$(MAKE) --no-print-directory SAN=1 all units
	$(Q)$(MAKE) --no-print-directory fuzz

check: deps
	$(Q)$(MAKE) --no-print-directory check-build
	$(Q)tests/run

deps-demo:
	$(Q)scripts/install-deps --demo

demo: deps-demo
	$(Q)$(MAKE) --no-print-directory all
	$(Q)scripts/demo

deps-bench:
	$(Q)scripts/install-deps --bench

# BENCH_QUICK=1: every benchmark briefly (scripts/bench)
bench: deps-bench
	$(Q)$(MAKE) --no-print-directory all benches
	$(Q)scripts/bench

# ---- install: PREFIX, DESTDIR, SYSCONFDIR as usual; the others follow
PREFIX      ?= /usr/local
SBINDIR     ?= $(PREFIX)/sbin
SYSCONFDIR  ?= /etc
MANDIR      ?= $(PREFIX)/share/man
DATADIR     ?= $(PREFIX)/share/ap-softwire
UNITDIR     ?= $(PREFIX)/lib/systemd/system
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
INSTALL     ?= install
MANPAGES    := $(wildcard man/*.[58])
INST_UNITS  := $(notdir $(wildcard etc/systemd/*.service))
INST_TMPF   := $(notdir $(wildcard etc/tmpfiles/*.conf))
INST_SYSU   := $(notdir $(wildcard etc/sysusers/*.conf))
INST_CONFS  := prr.conf smap.conf
INST_SCRIPTS := smap-boot

# every program in build/bin (another may come), smap-boot (its version
# written in); configs only where none is (never overwritten); sysusers.d
# (smap-upnp's user); units and tmpfiles with the paths
# rewritten to SBINDIR and SYSCONFDIR; OpenWrt's files as examples
install: all
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(SYSCONFDIR) $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(UNITDIR) $(DESTDIR)$(TMPFILESDIR) \
		$(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(DATADIR)/openwrt
	$(INSTALL) -m 0755 $(BIN)/* $(DESTDIR)$(SBINDIR)/
	for s in $(INST_SCRIPTS); do \
		sed 's|^VERSION=@VERSION@|VERSION=$(shell cat $(B)/version.stamp)|' scripts/$$s \
			>$(DESTDIR)$(SBINDIR)/$$s && chmod 0755 $(DESTDIR)$(SBINDIR)/$$s || exit 1; \
	done
	for c in $(INST_CONFS); do \
		[ -e $(DESTDIR)$(SYSCONFDIR)/$$c ] && echo "  kept $(DESTDIR)$(SYSCONFDIR)/$$c" || \
		$(INSTALL) -m 0644 etc/$$c $(DESTDIR)$(SYSCONFDIR)/$$c || exit 1; \
	done
	$(INSTALL) -m 0644 $(filter %.5,$(MANPAGES)) $(DESTDIR)$(MANDIR)/man5/
	$(INSTALL) -m 0644 $(filter %.8,$(MANPAGES)) $(DESTDIR)$(MANDIR)/man8/
	for u in $(INST_UNITS); do \
		sed -e 's|/usr/sbin/|$(SBINDIR)/|g' -e 's|/etc/|$(SYSCONFDIR)/|g' etc/systemd/$$u \
			>$(DESTDIR)$(UNITDIR)/$$u && chmod 0644 $(DESTDIR)$(UNITDIR)/$$u || exit 1; \
	done
	$(INSTALL) -m 0644 $(addprefix etc/tmpfiles/,$(INST_TMPF)) $(DESTDIR)$(TMPFILESDIR)/
	$(INSTALL) -d $(DESTDIR)$(SYSCONFDIR)/logrotate.d
	$(INSTALL) -m 0644 etc/logrotate.d/prr $(DESTDIR)$(SYSCONFDIR)/logrotate.d/prr
	$(INSTALL) -m 0644 $(addprefix etc/sysusers/,$(INST_SYSU)) $(DESTDIR)$(SYSUSERSDIR)/
	$(INSTALL) -m 0644 openwrt/smap/Makefile openwrt/smap/files/* $(DESTDIR)$(DATADIR)/openwrt/

# what install wrote, but the configuration files
uninstall:
	rm -f $(addprefix $(DESTDIR)$(SBINDIR)/,$(sort $(notdir $(PROGS) $(wildcard $(BIN)/*))) $(INST_SCRIPTS)) \
		$(addprefix $(DESTDIR)$(MANDIR)/man5/,$(notdir $(filter %.5,$(MANPAGES)))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(filter %.8,$(MANPAGES)))) \
		$(addprefix $(DESTDIR)$(UNITDIR)/,$(INST_UNITS)) \
		$(addprefix $(DESTDIR)$(TMPFILESDIR)/,$(INST_TMPF)) \
		$(DESTDIR)$(SYSCONFDIR)/logrotate.d/prr \
		$(addprefix $(DESTDIR)$(SYSUSERSDIR)/,$(INST_SYSU))
	rm -rf $(DESTDIR)$(DATADIR)
	@echo "  left $(addprefix $(DESTDIR)$(SYSCONFDIR)/,$(INST_CONFS)) in place"

# the Debian packages ap-prr and ap-smap (debian/), built from a copy of
# the tree in build/deb/src: the .debs land in build/deb/
deb:
	rm -rf build/deb && mkdir -p build/deb/src
	tar --exclude=./build --exclude=./.git -cf - . | tar -C build/deb/src -xf -
	cd build/deb/src && dpkg-buildpackage -us -uc -b
	@ls build/deb/*.deb

clean:
	rm -rf build

.PHONY: FORCE all units benches deps deps-demo deps-bench check check-build demo bench clean fuzz fuzz-smoke fuzz-long install uninstall deb
.SECONDARY:
-include $(shell find build -path build/deb -prune -o -name '*.d' -type f -print 2>/dev/null)
