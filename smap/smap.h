/* SPDX-License-Identifier: MIT */
/* smap: the CPE softwire gateway. Shared state of its modules. */
#ifndef SMAP_H
#define SMAP_H

#include <stdint.h>
#include <stdio.h>

#include "smap/config.h"
#include "frag.h"
#include "smap/datapath.h"
#include "smap/live.h"

struct ftp_alg;
struct portmap;
struct pcp_server;
struct smap_register;

struct smap {
	struct smap_config cfg;		/* what the file says (reload: what it says now) */
	struct smap_live live;		/* the binding in force: changed by smap_apply only */
	bool up;			/* TUN, NAT and the rest are up (apply.c) */
	unsigned mtu_next;		/* a path MTU the send path saw, applied by the main loop */
	const char *mtu_why;
	int tun_fd;
	int raw_fd;		/* AF_INET6 SOCK_RAW, next header 4 */
	int tun_ifindex;
	unsigned tun_mtu;	/* as set on the TUN */
	int saved_ip_forward;	/* -1: not changed */
	bool nat_installed;
	unsigned lan_only_tcp[2];	/* UPnP's HTTP ports: the guard table keeps them LAN-only */
	uint64_t stats[SMAP_STAT_MAX];
	struct reasm *reasm;
	struct ftp_alg *ftp;
	uint64_t started_ms;
	uint64_t metrics_ms;		/* metrics_file last written */
	struct portmap *portmap;	/* portmap.c: the port mappings */
	struct pcp_server *pcp;		/* pcp_server.c: NULL when off */
	struct smap_register *registration;	/* with the PRR (register.c), or NULL */
};

/* tun.c: the TUN device, its address and the IPv4 default route */
int tun_open(struct smap *);
int tun_set_mtu(struct smap *, unsigned mtu);
void tun_close(struct smap *);
/* sysctl net.ipv4.ip_forward on, the old value kept for tun_restore_forward */
void tun_enable_forward(struct smap *);
void tun_restore_forward(struct smap *);

/* softwire.c: the raw IPv6 socket and the packet loop's handlers */
int softwire_open(struct smap *);
void softwire_close(struct smap *);
void softwire_from_tun(struct smap *);
void softwire_from_wan(struct smap *);
void softwire_errqueue(struct smap *);
/*
 * Query the path MTU toward the PRR; a change is recorded (smap_mtu_note)
 * and applied by the main loop (smap_mtu_apply): TUN MTU, MSS rule.
 */
void softwire_check_mtu(struct smap *);
void softwire_tick(struct smap *);
/* status line wan_send: packet (the packet socket sends to the PRR) or raw */
void softwire_status(FILE *);

/* nat.c: the nft table "ip smap" */
int nat_install(struct smap *);
void nat_remove(struct smap *);
int nat_update_mss(struct smap *);
int nat_guard_tcp(struct smap *, unsigned slot, unsigned port);
/* Delete the conntrack entries NATed to the shared address. */
void nat_flush_conntrack(struct smap *);
/* Packets counted by the "unmapped" counter, or -1. */
long long nat_unmapped(struct smap *);
/* Run an nft script (one transaction); nft's error is logged. 0 or -1. */
int nft_run(const char *script, char **output);

/* ftp.c: the FTP ALG (a transparent proxy of the control connection) */
struct pollfd;
int ftp_alg_start(struct smap *, uint16_t port);
void ftp_alg_stop(struct smap *);
/* Fill poll entries (at most max), returning how many. */
unsigned ftp_alg_pollfds(struct smap *, struct pollfd *, unsigned max);
void ftp_alg_handle(struct smap *, const struct pollfd *, unsigned n);

#define SMAP_FTP_PORT	2121	/* where LAN FTP control connections are redirected */

#endif
