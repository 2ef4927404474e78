/* SPDX-License-Identifier: MIT */
/*
 * NFQUEUE glue: one worker thread per queue. Each receives a batch of
 * queued packets (recvmmsg), runs them through the data path, sends what
 * it emits in batches (sendmmsg), and drops the queued originals with
 * one batch verdict. It sends through a packet socket where its
 * next-hop cache knows the frame's header (prr/nexthop_cache.h), else
 * through raw IP sockets.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/if_packet.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#include "clock.h"
#include "log.h"
#include "pkt.h"
#include "prr/nexthop_cache.h"
#include "prr/prr.h"

#define RX_BATCH	64
#define RX_BUFSZ	(0xffff + 512)
#define TX_BATCH	128
#define TX_SLOT		2048

struct txq {
	int fd;
	int family;
	unsigned n;
	struct mmsghdr msg[TX_BATCH];
	struct iovec iov[TX_BATCH];
	union {
		struct sockaddr_in v4;
		struct sockaddr_in6 v6;
		struct sockaddr_ll ll;	/* the packet socket's */
	} dst[TX_BATCH];
	/* IPv6: the header's source as IPV6_PKTINFO (see src_cmsg) */
	union {
		struct cmsghdr h;
		uint8_t b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} src[TX_BATCH];
	uint8_t buf[TX_BATCH][TX_SLOT];
};

struct io {
	struct prr_worker *w;
	struct mnl_socket *nl;
	unsigned portid;
	struct txq tx4, tx6;
	struct txq txl;			/* the packet socket: frames (family AF_PACKET) */
	struct nh_cache *nh;		/* NULL: raw sockets only */
	uint64_t now;			/* the burst's clock, for nh_find */
	uint8_t *rxbuf[RX_BATCH];
	struct mmsghdr rxmsg[RX_BATCH];
	struct iovec rxiov[RX_BATCH];
	uint32_t pass_ids[RX_BATCH];
	unsigned n_pass;
	/* the batch, split by direction for the burst data path */
	const uint8_t *pkt4[RX_BATCH], *pkt6[RX_BATCH];
	size_t len4[RX_BATCH], len6[RX_BATCH];
	unsigned n4, n6;
};

static void
txq_flush(struct txq *q, uint64_t *errors)
{
	unsigned done = 0;

	while (done < q->n) {
		int r = sendmmsg(q->fd, q->msg + done, q->n - done, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			/*
			 * skip the one that failed (EMSGSIZE, ENETUNREACH...);
			 * ENOBUFS, the device's queue full, is its tx_dropped, as a
			 * raw socket's, which does not report it
			 */
			if (errno != ENOBUFS)
				(*errors)++;
			done++;
			continue;
		}
		done += (unsigned)r;
	}
	q->n = 0;
}

static void
set_dst(struct txq *q, unsigned i, const uint8_t *pkt)
{
	memset(&q->dst[i], 0, sizeof(q->dst[i]));
	if (q->family == AF_INET) {
		q->dst[i].v4.sin_family = AF_INET;
		memcpy(&q->dst[i].v4.sin_addr, pkt + 16, 4);
	} else {
		q->dst[i].v6.sin6_family = AF_INET6;
		memcpy(&q->dst[i].v6.sin6_addr, pkt + 24, 16);
	}
}

/*
 * The raw IPv6 socket sends the header it is given, but routes the
 * packet with the flow's source, and with none it first selects one
 * (the interface's addresses scored, RFC 6724), a fifth of the NFQUEUE
 * path's send. The header's own source as IPV6_PKTINFO spares that;
 * IPV6_FREEBIND on the socket lets it be one the host does not have.
 */
static void
src_cmsg(struct txq *q, unsigned i, const uint8_t *pkt)
{
	struct cmsghdr *c = &q->src[i].h;
	struct in6_pktinfo pi = { .ipi6_ifindex = 0 };

	memcpy(&pi.ipi6_addr, pkt + 8, 16);
	c->cmsg_level = IPPROTO_IPV6;
	c->cmsg_type = IPV6_PKTINFO;
	c->cmsg_len = CMSG_LEN(sizeof(pi));
	memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	q->msg[i].msg_hdr.msg_control = c;
	q->msg[i].msg_hdr.msg_controllen = sizeof(q->src[i]);
}

/* Queue a frame for the packet socket: the hop's header, then the packet. */
static void
txl_queue(struct txq *q, uint64_t *errs, const struct nh_hop *h, const uint8_t *pkt,
	  size_t len)
{
	unsigned i;

	if (q->n == TX_BATCH)
		txq_flush(q, errs);
	i = q->n++;
	memcpy(q->buf[i], h->eth, sizeof(h->eth));
	memcpy(q->buf[i] + sizeof(h->eth), pkt, len);
	memset(&q->dst[i], 0, sizeof(q->dst[i]));
	q->dst[i].ll.sll_family = AF_PACKET;
	q->dst[i].ll.sll_ifindex = h->ifindex;
	memcpy(&q->dst[i].ll.sll_protocol, h->eth + 12, 2);	/* the ethertype */
	q->iov[i].iov_base = q->buf[i];
	q->iov[i].iov_len = len + sizeof(h->eth);
	memset(&q->msg[i], 0, sizeof(q->msg[i]));
	q->msg[i].msg_hdr.msg_iov = &q->iov[i];
	q->msg[i].msg_hdr.msg_iovlen = 1;
	q->msg[i].msg_hdr.msg_name = &q->dst[i];
	q->msg[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_ll);
}

/* The data path's emit callback: queue for sendmmsg, or send a jumbo alone. */
static void
io_emit(void *arg, enum prr_side side, const uint8_t *pkt, size_t len)
{
	struct io *io = arg;
	struct txq *q = side == PRR_SIDE_V4 ? &io->tx4 : &io->tx6;
	uint64_t *errs = &io->w->ctx->stats[PRR_STAT_TX_ERRORS];
	unsigned i;

	if (io->nh && len + sizeof(((struct nh_hop *)0)->eth) <= TX_SLOT) {
		const struct nh_hop *h = q->family == AF_INET ?
		    nh_find(io->nh, AF_INET, pkt + 16, NULL, io->now) :
		    nh_find(io->nh, AF_INET6, pkt + 24, pkt + 8, io->now);
		if (h) {
			txl_queue(&io->txl, errs, h, pkt, len);
			return;
		}
	}

	if (len > TX_SLOT) {
		union { struct sockaddr_in v4; struct sockaddr_in6 v6; } d;
		memset(&d, 0, sizeof(d));
		if (q->family == AF_INET) {
			d.v4.sin_family = AF_INET;
			memcpy(&d.v4.sin_addr, pkt + 16, 4);
		} else {
			d.v6.sin6_family = AF_INET6;
			memcpy(&d.v6.sin6_addr, pkt + 24, 16);
		}
		if (sendto(q->fd, pkt, len, 0, (struct sockaddr *)&d,
			   q->family == AF_INET ? sizeof(d.v4) : sizeof(d.v6)) < 0)
			(*errs)++;
		return;
	}
	if (q->n == TX_BATCH)
		txq_flush(q, errs);
	i = q->n++;
	memcpy(q->buf[i], pkt, len);
	set_dst(q, i, pkt);
	q->iov[i].iov_base = q->buf[i];
	q->iov[i].iov_len = len;
	memset(&q->msg[i], 0, sizeof(q->msg[i]));
	q->msg[i].msg_hdr.msg_iov = &q->iov[i];
	q->msg[i].msg_hdr.msg_iovlen = 1;
	q->msg[i].msg_hdr.msg_name = &q->dst[i];
	q->msg[i].msg_hdr.msg_namelen = q->family == AF_INET ?
	    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	if (q->family == AF_INET6)
		src_cmsg(q, i, pkt);
}

static int
nl_send_cfg(struct io *io, unsigned queue, uint8_t cmd, uint16_t pf)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, queue);

	nfq_nlmsg_cfg_put_cmd(nlh, pf, cmd);
	return mnl_socket_sendto(io->nl, nlh, nlh->nlmsg_len) < 0 ? -1 : 0;
}

static int
io_open(struct io *io, unsigned queue)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int one = 1, sz = 16 << 20;

	io->nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!io->nl || mnl_socket_bind(io->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		log_warn("queue %u: netlink", queue);
		return -1;
	}
	io->portid = mnl_socket_get_portid(io->nl);
	if (nl_send_cfg(io, queue, NFQNL_CFG_CMD_BIND, AF_UNSPEC) < 0) {
		log_warn("queue %u: bind", queue);
		return -1;
	}
	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, queue);
	nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, 0xffff);
	nfq_nlmsg_cfg_put_qmaxlen(nlh, 8192);
	if (mnl_socket_sendto(io->nl, nlh, nlh->nlmsg_len) < 0) {
		log_warn("queue %u: params", queue);
		return -1;
	}
	setsockopt(mnl_socket_get_fd(io->nl), SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	setsockopt(mnl_socket_get_fd(io->nl), SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof(one));
	io->tx4.family = AF_INET;
	io->tx6.family = AF_INET6;
	io->tx4.fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	io->tx6.fd = socket(AF_INET6, SOCK_RAW, IPPROTO_RAW);
	if (io->tx4.fd < 0 || io->tx6.fd < 0) {
		log_warn("queue %u: raw sockets", queue);
		return -1;
	}
	/* protocol 0: it sends only. Without it (or the cache), raw sockets only */
	io->txl.family = AF_PACKET;
	io->txl.fd = socket(AF_PACKET, SOCK_RAW, 0);
	io->nh = io->txl.fd >= 0 ? nh_cache_open() : NULL;
	if (!io->nh)
		log_warn("queue %u: sending through raw sockets only: packet socket or rtnetlink", queue);
	sz = 4 << 20;
	setsockopt(io->tx4.fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz));
	setsockopt(io->tx6.fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz));
	if (io->txl.fd >= 0)
		setsockopt(io->txl.fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz));
	if (setsockopt(io->tx6.fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one)) < 0) {
		log_warn("queue %u: IPV6_FREEBIND", queue);
		return -1;
	}
	for (int i = 0; i < RX_BATCH; i++) {
		io->rxbuf[i] = malloc(RX_BUFSZ);
		if (!io->rxbuf[i])
			return -1;
		io->rxiov[i].iov_base = io->rxbuf[i];
		io->rxiov[i].iov_len = RX_BUFSZ;
		memset(&io->rxmsg[i], 0, sizeof(io->rxmsg[i]));
		io->rxmsg[i].msg_hdr.msg_iov = &io->rxiov[i];
		io->rxmsg[i].msg_hdr.msg_iovlen = 1;
	}
	return 0;
}

static void
io_close(struct io *io)
{
	if (io->nl)
		mnl_socket_close(io->nl);
	if (io->tx4.fd > 0)
		close(io->tx4.fd);
	if (io->tx6.fd > 0)
		close(io->tx6.fd);
	if (io->txl.fd > 0)
		close(io->txl.fd);
	nh_cache_close(io->nh);
	for (int i = 0; i < RX_BATCH; i++)
		free(io->rxbuf[i]);
}

static void
send_verdict(struct io *io, unsigned queue, uint32_t id, int verdict, bool batch)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nfq_nlmsg_put(buf, batch ? NFQNL_MSG_VERDICT_BATCH :
					     NFQNL_MSG_VERDICT, queue);

	nfq_nlmsg_verdict_put(nlh, (int)id, verdict);
	mnl_socket_sendto(io->nl, nlh, nlh->nlmsg_len);
}

struct cb_state {
	struct io *io;
	uint32_t max_id;
	bool any;
	uint64_t now;
};

static int
queue_cb(const struct nlmsghdr *nlh, void *data)
{
	struct cb_state *st = data;
	struct nlattr *attr[NFQA_MAX + 1] = { 0 };
	struct nfqnl_msg_packet_hdr *ph;
	const uint8_t *pkt;
	uint16_t len;
	uint32_t id;
	enum prr_verdict v;
	struct prr_ctx *c = st->io->w->ctx;

	if (nfq_nlmsg_parse(nlh, attr) < 0 || !attr[NFQA_PACKET_HDR])
		return MNL_CB_OK;
	ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
	id = ntohl(ph->packet_id);
	if (!st->any || id > st->max_id)
		st->max_id = id;
	st->any = true;
	if (!attr[NFQA_PAYLOAD])
		return MNL_CB_OK;
	pkt = mnl_attr_get_payload(attr[NFQA_PAYLOAD]);
	len = mnl_attr_get_payload_len(attr[NFQA_PAYLOAD]);
	if (len >= 40 && pkt[0] >> 4 == 6 && pkt[6] == IPPROTO_ICMPV6) {
		/* ICMPv6 alone: it may be for the kernel (PRR_PASS) */
		v = prr_from_smap(c, pkt, len, st->now);
		if (v == PRR_PASS && st->io->n_pass < RX_BATCH)
			st->io->pass_ids[st->io->n_pass++] = id;
	} else if (len >= 1 && pkt[0] >> 4 == 6 && st->io->n6 < RX_BATCH) {
		st->io->pkt6[st->io->n6] = pkt;
		st->io->len6[st->io->n6++] = len;
	} else if (st->io->n4 < RX_BATCH) {
		st->io->pkt4[st->io->n4] = pkt;
		st->io->len4[st->io->n4++] = len;
	}
	return MNL_CB_OK;
}

static void *
worker_main(void *arg)
{
	struct prr_worker *w = arg;
	struct prr *prr = w->prr;
	struct io *io = w->io;
	uint64_t last_tick = clock_ms();
	int fd = mnl_socket_get_fd(io->nl);

	while (!atomic_load(&prr->stop)) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct prr_env *env;
		struct cb_state st = { .io = io };
		int n;

		if (poll(&p, 1, 200) <= 0) {
			goto tick;
		}
		atomic_store(&w->busy, 1);
		env = atomic_load(&prr->env);
		w->ctx->p = &env->cfg.params;
		w->ctx->bt = env->bt;
		w->ctx->pool = env->pool;
		n = recvmmsg(fd, io->rxmsg, RX_BATCH, MSG_DONTWAIT, NULL);
		st.now = clock_ms();
		io->now = st.now;
		io->n_pass = io->n4 = io->n6 = 0;
		for (int i = 0; i < n; i++)
			mnl_cb_run(io->rxbuf[i], io->rxmsg[i].msg_len, 0, io->portid,
				   queue_cb, &st);
		/* the packets still lie in rxbuf: run them as two bursts */
		prr_from_inet_burst(w->ctx, io->pkt4, io->len4, io->n4, st.now);
		prr_from_smap_burst(w->ctx, io->pkt6, io->len6, io->n6, st.now);
		txq_flush(&io->txl, &w->ctx->stats[PRR_STAT_TX_ERRORS]);
		txq_flush(&io->tx4, &w->ctx->stats[PRR_STAT_TX_ERRORS]);
		txq_flush(&io->tx6, &w->ctx->stats[PRR_STAT_TX_ERRORS]);
		/* accept the few the kernel must see, then drop the rest at once */
		for (unsigned i = 0; i < io->n_pass; i++)
			send_verdict(io, w->queue, io->pass_ids[i], NF_ACCEPT, false);
		if (st.any)
			send_verdict(io, w->queue, st.max_id, NF_DROP, true);
		if (io->nh)
			nh_resolve(io->nh, st.now);	/* the burst's misses, for the next */
		atomic_fetch_add(&w->seq, 1);
		atomic_store(&w->busy, 0);
tick:
		if (clock_ms() - last_tick >= 1000) {
			last_tick = clock_ms();
			prr_tick(w->ctx, last_tick);
		}
	}
	nl_send_cfg(io, w->queue, NFQNL_CFG_CMD_UNBIND, AF_UNSPEC);
	return NULL;
}

static void
noop_emit(void *arg, enum prr_side s, const uint8_t *p, size_t l)
{
	(void)arg; (void)s; (void)p; (void)l;
}

int
nfq_worker_start(struct prr *prr, struct prr_worker *w, unsigned queue)
{
	struct prr_env *env = atomic_load(&prr->env);

	w->prr = prr;
	w->queue = queue;
	w->ctx = malloc(sizeof(*w->ctx));
	if (!w->ctx)
		return -1;
	if (prr_ctx_init(w->ctx, &env->cfg.params, env->bt, prr->pmtu, noop_emit, NULL) < 0)
		return -1;
	w->ctx->emit = io_emit;
	/* bound here, by the caller, while it may: the thread runs after the drop */
	w->io = calloc(1, sizeof(*w->io));
	if (!w->io || io_open(w->io, queue) < 0)
		return -1;
	w->io->w = w;
	w->ctx->emit_arg = w->io;
	return 0;
}

int
nfq_worker_run(struct prr_worker *w)
{
	if (pthread_create(&w->thread, NULL, worker_main, w) != 0)
		return -1;
	w->running = true;
	return 0;
}

void
nfq_worker_join(struct prr_worker *w)
{
	if (w->running)
		pthread_join(w->thread, NULL);
	w->running = false;
	if (w->io)
		io_close(w->io);
	free(w->io);
	w->io = NULL;
	prr_ctx_fini(w->ctx);
	free(w->ctx);
	w->ctx = NULL;
}

uint64_t
prr_stat_sum(const struct prr *prr, enum prr_stat s)
{
	uint64_t sum = prr->stats[s];

	for (unsigned i = 0; i < prr->n_workers; i++)
		if (prr->workers[i].ctx)
			sum += __atomic_load_n(&prr->workers[i].ctx->stats[s], __ATOMIC_RELAXED);
	return sum + fastpath_stat(prr->fp, s);	/* what the XDP fast path counted */
}
