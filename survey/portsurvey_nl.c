/* SPDX-License-Identifier: MIT */
/*
 * A ctnetlink dump of the IPv4 conntrack table with libmnl. Only the
 * two tuples are read, straight from the attributes: no per-entry
 * object as libnetfilter_conntrack would build, which matters at a
 * million entries per sample. Unknown attributes are skipped (libmnl's
 * advice: kernels add attributes).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <libmnl/libmnl.h>

#include "survey/portsurvey.h"

/* dumps are paced by our reads: a big buffer means fewer system calls */
#define DUMP_BUF	(256 * 1024)

struct attrs {
	const struct nlattr *a[CTA_MAX + 1];	/* the largest of the enums */
	int max;
};

static int
attr_cb(const struct nlattr *attr, void *data)
{
	struct attrs *t = data;
	int type = mnl_attr_get_type(attr);

	if (type <= t->max)
		t->a[type] = attr;
	return MNL_CB_OK;
}

static bool
get_nested(const struct nlattr *nest, int max, struct attrs *t)
{
	memset(t->a, 0, sizeof(t->a));
	t->max = max;
	return nest != NULL && mnl_attr_validate(nest, MNL_TYPE_NESTED) == 0 &&
	    mnl_attr_parse_nested(nest, attr_cb, t) == MNL_CB_OK;
}

static bool
get_u32(const struct nlattr *a, uint32_t *v)
{
	if (a == NULL || mnl_attr_validate(a, MNL_TYPE_U32) < 0)
		return false;
	*v = ntohl(mnl_attr_get_u32(a));
	return true;
}

static bool
get_u16(const struct nlattr *a, uint16_t *v)
{
	if (a == NULL || mnl_attr_validate(a, MNL_TYPE_U16) < 0)
		return false;
	*v = ntohs(mnl_attr_get_u16(a));
	return true;
}

/* CTA_TUPLE_ORIG or CTA_TUPLE_REPLY; ICMP echo ids stand for ports */
static bool
get_tuple(const struct nlattr *nest, uint8_t *proto, uint32_t *src,
    uint32_t *dst, uint16_t *sport, uint16_t *dport)
{
	struct attrs t, ip, pr;

	if (!get_nested(nest, CTA_TUPLE_MAX, &t) ||
	    !get_nested(t.a[CTA_TUPLE_IP], CTA_IP_MAX, &ip) ||
	    !get_nested(t.a[CTA_TUPLE_PROTO], CTA_PROTO_MAX, &pr))
		return false;
	if (!get_u32(ip.a[CTA_IP_V4_SRC], src) ||
	    !get_u32(ip.a[CTA_IP_V4_DST], dst) ||
	    pr.a[CTA_PROTO_NUM] == NULL ||
	    mnl_attr_validate(pr.a[CTA_PROTO_NUM], MNL_TYPE_U8) < 0)
		return false;
	*proto = mnl_attr_get_u8(pr.a[CTA_PROTO_NUM]);
	*sport = *dport = 0;
	if (get_u16(pr.a[CTA_PROTO_ICMP_ID], sport)) {
		*dport = *sport;
		return true;
	}
	get_u16(pr.a[CTA_PROTO_SRC_PORT], sport);
	get_u16(pr.a[CTA_PROTO_DST_PORT], dport);
	return true;
}

struct dump {
	struct survey_acc *acc;
	size_t n;
};

static int
entry_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump *d = data;
	struct attrs t;
	struct ct_entry e;
	uint8_t rproto;

	memset(t.a, 0, sizeof(t.a));
	t.max = CTA_MAX;
	if (mnl_attr_parse(nlh, sizeof(struct nfgenmsg), attr_cb, &t) !=
	    MNL_CB_OK)
		return MNL_CB_OK;	/* a bad entry: skip, not abort */
	memset(&e, 0, sizeof(e));
	if (!get_tuple(t.a[CTA_TUPLE_ORIG], &e.proto, &e.osrc, &e.odst,
	    &e.osport, &e.odport) ||
	    !get_tuple(t.a[CTA_TUPLE_REPLY], &rproto, &e.rsrc, &e.rdst,
	    &e.rsport, &e.rdport))
		return MNL_CB_OK;
	d->n++;
	survey_acc_add(d->acc, &e);
	return MNL_CB_OK;
}

int
ct_dump_netlink(struct survey_acc *acc, size_t *n)
{
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfh;
	struct dump d = { .acc = acc };
	char *buf;
	unsigned seq = (unsigned)time(NULL), portid;
	ssize_t len;
	int ret = -1, saved;

	buf = malloc(DUMP_BUF);
	if (buf == NULL)
		return -1;
	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (nl == NULL || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto out;
	portid = mnl_socket_get_portid(nl);

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	nfh = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfh));
	nfh->nfgen_family = AF_INET;
	nfh->version = NFNETLINK_V0;
	nfh->res_id = 0;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		goto out;

	for (;;) {
		len = mnl_socket_recvfrom(nl, buf, DUMP_BUF);
		if (len < 0) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		ret = mnl_cb_run(buf, (size_t)len, seq, portid, entry_cb, &d);
		if (ret <= MNL_CB_STOP)
			break;
	}
	if (ret == MNL_CB_ERROR)
		ret = -1;
	else
		ret = 0;
out:
	saved = errno;
	if (nl != NULL)
		mnl_socket_close(nl);
	free(buf);
	*n = d.n;
	errno = saved;
	return ret;
}
