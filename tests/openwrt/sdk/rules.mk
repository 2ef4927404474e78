# SPDX-License-Identifier: MIT
# Stand-in for an OpenWrt SDK's rules.mk (tests/openwrt-check): the
# variables a package Makefile uses, for a host build into $(TOPDIR).
INCLUDE_DIR:=$(TOPDIR)/include
BUILD_DIR:=$(OUT_DIR)/build_dir
TARGET_CFLAGS:=-O2
TARGET_CPPFLAGS:=
TARGET_LDFLAGS:=
TARGET_CONFIGURE_OPTS:=CC="cc" AR="ar"
CP:=cp -fpR
INSTALL_DIR:=install -d -m0755
INSTALL_BIN:=install -m0755
INSTALL_DATA:=install -m0644
INSTALL_CONF:=install -m0600
