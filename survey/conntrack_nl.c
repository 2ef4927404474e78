/* SPDX-License-Identifier: MIT */
/*
 * One ctnetlink conntrack message to a ct_entry: only the two tuples are
 * read, straight from the attributes. Unknown attributes are skipped
 * (libmnl's advice: kernels add attributes).
 */
#include <string.h>
#include <arpa/inet.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "survey/conntrack_nl.h"

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

bool
ct_nl_parse(const struct nlmsghdr *nlh, struct ct_entry *e)
{
	struct attrs t;
	uint8_t rproto;

	memset(t.a, 0, sizeof(t.a));
	t.max = CTA_MAX;
	if (mnl_attr_parse(nlh, sizeof(struct nfgenmsg), attr_cb, &t) != MNL_CB_OK)
		return false;
	memset(e, 0, sizeof(*e));
	return get_tuple(t.a[CTA_TUPLE_ORIG], &e->proto, &e->osrc, &e->odst,
	    &e->osport, &e->odport) &&
	    get_tuple(t.a[CTA_TUPLE_REPLY], &rproto, &e->rsrc, &e->rdst,
	    &e->rsport, &e->rdport);
}
