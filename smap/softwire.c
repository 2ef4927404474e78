/* SPDX-License-Identifier: MIT */
/*
 * The softwire: IPv4 read from the TUN goes to the PRR in IPv6 with next
 * header 4 through a raw socket (the kernel writes the outer header), and
 * IPv4 received on that socket goes into the TUN, each after the checks
 * of smap/datapath.c. Reads come in batches (recvmmsg, TUN reads until
 * EAGAIN), sends go out in batches (sendmmsg). The TUN has offloads
 * (smap/gso.h): what it hands over may be a TCP super-packet, cut here
 * into MTU-sized segments that go out in the same sendmmsg burst. The
 * other way, consecutive TCP segments of a burst are coalesced into one
 * TUN write (smap/gro.h), as a NIC's GRO would.
 *
 * Sending: on an Ethernet WAN, packets to the PRR go out on a packet
 * socket with the IPv6 header written here and the next hop's address
 * (smap/nexthop.h, asked each second): no route look-up, no ip6_output,
 * no netfilter a packet (the qdisc stays: shaping on the WAN still
 * applies). The first packet after each look-up, mesh traffic, and
 * everything while the next hop is unknown take the raw socket, so the
 * kernel's neighbour entry is used and kept fresh, as before.
 *
 * MTU: the kernel never fragments our IPv6 (IPV6_PMTUDISC_DO). The TUN
 * MTU is the path MTU toward the PRR minus 40, so the kernel's IPv4
 * forwarding answers DF packets that are too big and fragments the rest
 * before they reach us; a packet that still does not fit (the MTU just
 * dropped) gets the same treatment here: ICMPv4 fragmentation needed, or
 * IPv4 fragmentation before encapsulation.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/errqueue.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "nexthop_rtnl.h"
#include "pkt.h"
#include "smap/apply.h"
#include "smap/fastpath.h"
#include "smap/gro.h"
#include "smap/gso.h"
#include "smap/nexthop.h"
#include "smap/smap.h"

#define BATCH		32
#define PKT_MAX		65536

static uint8_t rxbuf[BATCH][PKT_MAX];
/* each packet IPV6_HDR_LEN bytes in, room for the header of the packet socket */
static uint8_t txbuf[BATCH][IPV6_HDR_LEN + PKT_MAX];
static size_t txlen[BATCH];
static struct sockaddr_in6 txdst[BATCH];	/* the PRR, or another CE (MAP-E mesh) */
static unsigned ntx;
static uint8_t scratch[PKT_MAX];
#define VNET_LEN	sizeof(struct virtio_net_hdr)	/* in front of each TUN packet */
static uint8_t tunbuf[VNET_LEN + PKT_MAX];
static uint8_t segbuf[PKT_MAX];
static uint8_t grobuf[PKT_MAX];
static struct gro gro;
static uint64_t last_tick_ms, last_mtu_ms;
static struct nh_rtnl *rtnl;	/* NULL: the raw socket sends everything */
static int pkt_fd = -1;
static struct nexthop nh;
static bool via_kernel;		/* the next packet to the PRR takes the raw socket */

static int
setopt(int fd, int level, int name, int v)
{
	return setsockopt(fd, level, name, &v, sizeof(v));
}

int
softwire_open(struct smap *s)
{
	const struct smap_config *c = &s->cfg;
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };
	struct reasm_limits rl = {
		.max_bytes = 4u << 20, .max_frags = 64, .max_pending = 256, .timeout_ms = 30000,
	};

	s->raw_fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_IPIP_);
	if (s->raw_fd < 0) {
		log_warn("raw IPv6 socket, next header 4");
		return -1;
	}
	if (setsockopt(s->raw_fd, SOL_SOCKET, SO_BINDTODEVICE, c->wan_if,
		       (socklen_t)strlen(c->wan_if)) < 0) {
		log_warn("SO_BINDTODEVICE %s", c->wan_if);
		return -1;
	}
	if (s->live.has_wan_addr) {
		sa.sin6_addr = s->live.wan_addr;
		if (bind(s->raw_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			log_warn("bind to the WAN address");
			return -1;
		}
	}
	if (setopt(s->raw_fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, IPV6_PMTUDISC_DO) < 0 ||
	    setopt(s->raw_fd, IPPROTO_IPV6, IPV6_RECVERR, 1) < 0 ||
	    setopt(s->raw_fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, (int)c->hop_limit) < 0) {
		log_warn("raw socket options");
		return -1;
	}
	setopt(s->raw_fd, SOL_SOCKET, SO_RCVBUF, 4 << 20);
	setopt(s->raw_fd, SOL_SOCKET, SO_SNDBUF, 4 << 20);
	/* flow label 0, as the packet socket writes it: one label a flow */
	setopt(s->raw_fd, IPPROTO_IPV6, IPV6_AUTOFLOWLABEL, 0);
	/* protocol 0: sends only, receives nothing */
	pkt_fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (pkt_fd >= 0)
		setopt(pkt_fd, SOL_SOCKET, SO_SNDBUF, 4 << 20);
	rtnl = pkt_fd >= 0 ? nh_rtnl_open() : NULL;
	if (!rtnl)
		log_debug("no packet socket for the softwire: the raw socket sends");
	nh.ok = false;
	s->reasm = reasm_new(&rl);
	if (!s->reasm)
		fatal("reasm_new");
	return 0;
}

void
softwire_close(struct smap *s)
{
	if (s->raw_fd >= 0)
		close(s->raw_fd);
	s->raw_fd = -1;
	if (pkt_fd >= 0)
		close(pkt_fd);
	pkt_fd = -1;
	nh_rtnl_close(rtnl);
	rtnl = NULL;
	nh.ok = false;
	reasm_free(s->reasm);
	s->reasm = NULL;
}

/* The kernel's path MTU toward the PRR: a UDP socket connected afresh. */
static int
query_path_mtu(const struct smap *s)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons(9) };
	int fd, mtu = -1;
	socklen_t len = sizeof(mtu);

	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	sa.sin6_addr = s->live.params.prr;
	setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, s->cfg.wan_if, (socklen_t)strlen(s->cfg.wan_if));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockopt(fd, IPPROTO_IPV6, IPV6_MTU, &mtu, &len) < 0)
		mtu = -1;
	close(fd);
	return mtu;
}

/*
 * A new path MTU: recorded here, in the packet loop, and followed (TUN
 * MTU, MSS rule) by the main loop, smap_mtu_apply.
 */
static void
set_path_mtu(struct smap *s, unsigned mtu, const char *why)
{
	if (mtu < SMAP_IPV6_MIN_MTU)
		mtu = SMAP_IPV6_MIN_MTU;
	if (s->cfg.tun_mtu) {
		/* a fixed TUN MTU, lowered only by the path */
		if (mtu >= s->cfg.tun_mtu + 40)
			mtu = s->cfg.tun_mtu + 40;
		else if (!s->cfg.follow_ptb)
			return;
	}
	if (mtu == (s->mtu_next ? s->mtu_next : s->live.params.mtu))
		return;
	smap_mtu_note(s, mtu, why);
}

void
softwire_check_mtu(struct smap *s)
{
	int mtu = query_path_mtu(s);

	last_mtu_ms = clock_ms();
	if (mtu <= 0)
		return;
	/* without follow_ptb only the WAN link's MTU counts */
	if (!s->cfg.follow_ptb && (unsigned)mtu < s->live.params.mtu && s->tun_mtu)
		return;
	set_path_mtu(s, (unsigned)mtu, "kernel path MTU");
}

/* smap status: which socket sends the softwire's packets to the PRR. */
void
softwire_status(FILE *f)
{
	fprintf(f, "wan_send\t%s\n", nh.ok ? "packet" : "raw");
}

/* Whether packet i goes on the packet socket: its header written then. */
static bool
by_packet_socket(struct smap *s, unsigned i)
{
	uint8_t *h = txbuf[i];

	if (!nh.ok || memcmp(&txdst[i].sin6_addr, &nh.dst, sizeof(nh.dst)) != 0)
		return false;
	if (via_kernel) {	/* one a look-up: the neighbour entry stays in use */
		via_kernel = false;
		return false;
	}
	put32(h, 0x60000000);	/* version 6, traffic class and flow label 0 */
	put16(h + 4, (uint16_t)txlen[i]);
	h[6] = IPPROTO_IPIP_;
	h[7] = (uint8_t)s->cfg.hop_limit;
	memcpy(h + 8, &nh.src, 16);
	memcpy(h + 24, &nh.dst, 16);
	return true;
}

/* msgs[from..to) on fd; each failure counted, the rest sent. */
static void
send_run(struct smap *s, int fd, struct mmsghdr *msgs, unsigned from, unsigned to)
{
	while (from < to) {
		int n = sendmmsg(fd, msgs + from, to - from, 0);

		if (n > 0) {
			s->stats[SMAP_STAT_OUT_ENCAPSULATED] += (unsigned)n;
			from += (unsigned)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		/* this one packet failed: count it, go on with the next */
		if (n < 0 && errno == EMSGSIZE)
			softwire_check_mtu(s);
		s->stats[SMAP_STAT_TX_ERRORS]++;
		from++;
	}
}

static void
tx_flush(struct smap *s)
{
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	bool pkt[BATCH];
	struct sockaddr_ll ll = {
		.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IPV6),
		.sll_ifindex = nh.ifindex, .sll_halen = 6,
	};
	unsigned run = 0;

	if (!ntx)
		return;
	memcpy(ll.sll_addr, nh.mac, 6);
	memset(msgs, 0, sizeof(msgs));
	for (unsigned i = 0; i < ntx; i++) {
		pkt[i] = by_packet_socket(s, i);
		iov[i].iov_base = pkt[i] ? txbuf[i] : txbuf[i] + IPV6_HDR_LEN;
		iov[i].iov_len = txlen[i] + (pkt[i] ? IPV6_HDR_LEN : 0);
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = pkt[i] ? (void *)&ll : (void *)&txdst[i];
		msgs[i].msg_hdr.msg_namelen = pkt[i] ? sizeof(ll) : sizeof(txdst[i]);
	}
	/* in order: runs of packets that take the same socket */
	for (unsigned i = 1; i <= ntx; i++)
		if (i == ntx || pkt[i] != pkt[run]) {
			send_run(s, pkt[run] ? pkt_fd : s->raw_fd, msgs, run, i);
			run = i;
		}
	ntx = 0;
}

static void
tx_queue(struct smap *s, const uint8_t *pkt, size_t len)
{
	if (ntx == BATCH)
		tx_flush(s);
	memcpy(txbuf[ntx] + IPV6_HDR_LEN, pkt, len);
	memset(&txdst[ntx], 0, sizeof(txdst[ntx]));
	txdst[ntx].sin6_family = AF_INET6;
	if (smap_next_hop(&s->live.params, pkt, len, &txdst[ntx].sin6_addr))
		s->stats[SMAP_STAT_OUT_MESH]++;
	txlen[ntx++] = len;
}

/* Into the TUN: a packet with its virtio header. */
static int
tun_write_vh(struct smap *s, const struct virtio_net_hdr *vh, const uint8_t *pkt, size_t len)
{
	struct iovec iov[2] = {
		{ .iov_base = (void *)vh, .iov_len = sizeof(*vh) },
		{ .iov_base = (void *)pkt, .iov_len = len },
	};

	return writev(s->tun_fd, iov, 2) < 0 ? -1 : 0;
}

/* Into the TUN: a packet complete as it is (GSO_NONE, checksums done). */
static int
tun_write(struct smap *s, const uint8_t *pkt, size_t len)
{
	static const struct virtio_net_hdr none;

	return tun_write_vh(s, &none, pkt, len);
}

static void
emit_frag(void *arg, const uint8_t *pkt, size_t len)
{
	struct smap *s = arg;

	s->stats[SMAP_STAT_OUT_FRAGMENTS]++;
	tx_queue(s, pkt, len);
}

/* One IPv4 packet from the TUN as it goes on the wire: checked, sent. */
static void
outbound(void *arg, const uint8_t *pkt, size_t len)
{
	struct smap *s = arg;
	uint8_t reply[576];
	size_t rlen;

	s->stats[SMAP_STAT_OUT_PACKETS]++;
	switch (smap_outbound(&s->live.params, pkt, len, reply, sizeof(reply), &rlen, s->stats)) {
	case SMAP_PASS:
		tx_queue(s, pkt, len);
		break;
	case SMAP_FRAGMENT:
		if (frag4_split(pkt, len, smap_tun_mtu(s->live.params.mtu), emit_frag, s) < 0)
			s->stats[SMAP_STAT_TX_ERRORS]++;
		break;
	case SMAP_ICMP:
		if (tun_write(s, reply, rlen) < 0)
			s->stats[SMAP_STAT_TX_ERRORS]++;
		break;
	case SMAP_DROP:
		break;
	}
}

/*
 * Reads until EAGAIN or a budget of wire packets; a super-packet is cut
 * into its segments first, so the checks, counters and drop reasons see
 * the packets the kernel would have written without the offloads.
 */
void
softwire_from_tun(struct smap *s)
{
	struct virtio_net_hdr vh;
	unsigned sent = 0;

	for (unsigned i = 0; i < 4 * BATCH && sent < 4 * BATCH; i++) {
		ssize_t n = read(s->tun_fd, tunbuf, sizeof(tunbuf));
		int k;

		if (n <= 0)
			break;
		if ((size_t)n < VNET_LEN) {
			k = -1;
		} else {
			memcpy(&vh, tunbuf, VNET_LEN);
			k = gso_split(&vh, tunbuf + VNET_LEN, (size_t)n - VNET_LEN, segbuf,
				      sizeof(segbuf), outbound, s);
			if (k > 0 && vh.gso_type != VIRTIO_NET_HDR_GSO_NONE)
				s->stats[SMAP_STAT_OUT_TSO]++;
		}
		if (k < 0) {	/* an offload we did not ask for, or a header that lies */
			s->stats[SMAP_STAT_OUT_PACKETS]++;
			s->stats[SMAP_STAT_OUT_DROP_MALFORMED]++;
			k = 1;
		}
		sent += (unsigned)k;
	}
	tx_flush(s);
}

/* What gro holds into the TUN; counted by segment, as if written one by one. */
static void
gro_flush(struct smap *s)
{
	struct virtio_net_hdr vh;
	unsigned segs = gro.segs;
	size_t len;

	if (!gro.len)
		return;
	len = gro_finish(&gro, &vh);
	if (tun_write_vh(s, &vh, grobuf, len) < 0) {
		s->stats[SMAP_STAT_TX_ERRORS] += segs;
		return;
	}
	s->stats[SMAP_STAT_IN_DELIVERED] += segs;
	if (segs > 1)
		s->stats[SMAP_STAT_IN_GRO]++;
}

/* In order: a packet gro does not take goes after what it holds. */
static void
deliver(struct smap *s, const uint8_t *pkt, size_t len)
{
	if (gro_add(&gro, pkt, len))
		return;
	gro_flush(s);
	if (gro_add(&gro, pkt, len))
		return;
	if (tun_write(s, pkt, len) < 0)
		s->stats[SMAP_STAT_TX_ERRORS]++;
	else
		s->stats[SMAP_STAT_IN_DELIVERED]++;
}

/* One recvmmsg: each packet checked, reassembled, delivered. Returns how many. */
static int
from_wan_batch(struct smap *s)
{
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in6 src[BATCH];
	int n;

	memset(msgs, 0, sizeof(msgs));
	for (unsigned i = 0; i < BATCH; i++) {
		iov[i].iov_base = rxbuf[i];
		iov[i].iov_len = PKT_MAX;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = &src[i];
		msgs[i].msg_hdr.msg_namelen = sizeof(src[i]);
	}
	n = recvmmsg(s->raw_fd, msgs, BATCH, MSG_DONTWAIT, NULL);
	for (int i = 0; i < n; i++) {
		const uint8_t *pkt = rxbuf[i];
		size_t len = msgs[i].msg_len, outlen;
		enum smap_verdict v;

		s->stats[SMAP_STAT_IN_PACKETS]++;
		v = smap_inbound(&s->live.params, &src[i].sin6_addr, pkt, len, s->stats);
		if (v == SMAP_FRAGMENT) {
			enum reasm_result rr;

			s->stats[SMAP_STAT_IN_FRAGMENTS]++;
			rr = reasm4_add(s->reasm, pkt, len, clock_ms(), scratch,
					sizeof(scratch), &outlen);
			if (rr == REASM_PENDING)
				continue;
			if (rr != REASM_DONE) {	/* refused by reassembly */
				s->stats[SMAP_STAT_IN_DROP_FRAG]++;
				continue;
			}
			s->stats[SMAP_STAT_IN_REASSEMBLED]++;
			pkt = scratch;
			len = outlen;
			v = smap_inbound(&s->live.params, &src[i].sin6_addr, pkt, len, s->stats);
			if (v == SMAP_FRAGMENT) {	/* still a fragment: cannot be */
				s->stats[SMAP_STAT_IN_DROP_FRAG]++;
				v = SMAP_DROP;
			}
		}
		if (v == SMAP_PASS)
			deliver(s, pkt, len);
	}
	return n;
}

/*
 * Until the socket is empty or 4 batches: ACKs and data in bursts, TCP
 * segments of a burst coalesced up to the TUN MTU each (no segment the
 * TUN would not have taken alone is held).
 */
void
softwire_from_wan(struct smap *s)
{
	gro_init(&gro, grobuf, sizeof(grobuf), s->tun_mtu);
	for (int i = 0; i < 4 && from_wan_batch(s) == BATCH; i++)
		;
	gro_flush(s);
}

/* ICMPv6 errors about our packets (IPV6_RECVERR): packet too big. */
void
softwire_errqueue(struct smap *s)
{
	uint8_t data[256];
	char cbuf[512];

	for (int i = 0; i < 64; i++) {
		struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) };
		struct msghdr mh = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
		};
		struct cmsghdr *cm;

		if (recvmsg(s->raw_fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
			return;
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			struct sock_extended_err ee;

			if (cm->cmsg_level != IPPROTO_IPV6 || cm->cmsg_type != IPV6_RECVERR)
				continue;
			memcpy(&ee, CMSG_DATA(cm), sizeof(ee));
			if (ee.ee_origin == SO_EE_ORIGIN_ICMP6 && ee.ee_type == 2) {
				s->stats[SMAP_STAT_PTB_RECEIVED]++;
				if (s->cfg.follow_ptb)
					set_path_mtu(s, ee.ee_info, "ICMPv6 packet too big");
			} else if (ee.ee_origin == SO_EE_ORIGIN_ICMP6) {
				s->stats[SMAP_STAT_ICMP6_ERRORS]++;
			} else if (ee.ee_errno == EMSGSIZE) {
				softwire_check_mtu(s);
			}
		}
	}
}

void
softwire_tick(struct smap *s)
{
	uint64_t now = clock_ms();

	if (now - last_tick_ms >= 1000) {
		last_tick_ms = now;
		nexthop_resolve(rtnl, s->cfg.wan_if, &s->live.params.prr,
				s->live.has_wan_addr ? &s->live.wan_addr : NULL, &nh);
		via_kernel = true;
		/* datagrams whose fragments never all came: dropped too */
		s->stats[SMAP_STAT_IN_DROP_FRAG] += reasm_expire(s->reasm, now);
		fastpath_fold(s);
	}
	if (now - last_mtu_ms >= 2000)
		softwire_check_mtu(s);
}
