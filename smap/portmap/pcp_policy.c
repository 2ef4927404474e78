/* SPDX-License-Identifier: MIT */
/* The SMAP's PCP and NAT-PMP server policy: see pcp_serve.h. */
#include <string.h>

#include "smap/portmap/natpmp.h"
#include "smap/portmap/pcp_policy.h"

const struct pcp_serve_stat_desc pcp_serve_stat_desc[PCPS_MAX] = {
	[PCPS_RX] = { "pcp_rx", "PCP and NAT-PMP requests received" },
	[PCPS_OUTSIDE_LAN] = { "pcp_outside_lan", "requests from outside the LAN, ignored" },
	[PCPS_DROPPED] = { "pcp_dropped", "requests too short or with the response bit, dropped" },
	[PCPS_PCP_ERROR] = { "pcp_error", "PCP requests answered with an error" },
	[PCPS_PCP_MAP] = { "pcp_map", "PCP MAP requests answered SUCCESS" },
	[PCPS_PCP_PEER] = { "pcp_peer", "PCP PEER requests answered SUCCESS" },
	[PCPS_PCP_ANNOUNCE] = { "pcp_announce", "PCP ANNOUNCE requests answered" },
	[PCPS_NATPMP_EXTERNAL] = { "natpmp_external", "NAT-PMP external address requests" },
	[PCPS_NATPMP_MAP] = { "natpmp_map", "NAT-PMP mapping requests answered SUCCESS" },
	[PCPS_NATPMP_ERROR] = { "natpmp_error", "NAT-PMP requests answered with an error" },
};

static bool
prefix_has(uint32_t prefix, unsigned plen, uint32_t addr)
{
	uint32_t mask = plen ? ~0u << (32 - plen) : 0;

	return (addr & mask) == (prefix & mask);
}

bool
pcp_serve_in_lan(const struct pcp_serve_cfg *c, uint32_t addr)
{
	return prefix_has(c->lan_prefix, c->lan_plen, addr);
}

bool
pcp_serve_third_party_ok(const struct pcp_serve_cfg *c, uint32_t requester)
{
	for (unsigned i = 0; i < c->n_third_party; i++)
		if (prefix_has(c->third_party[i].addr, c->third_party[i].plen, requester))
			return true;
	return false;
}

uint32_t
pcp_serve_clamp(const struct pcp_serve_cfg *c, uint32_t lifetime)
{
	if (lifetime < c->min_lifetime)
		return c->min_lifetime;
	if (lifetime > c->max_lifetime)
		return c->max_lifetime;
	return lifetime;
}

enum pcp_result
pcp_serve_result(enum maptable_result r)
{
	switch (r) {
	case MAPTABLE_OK:
	case MAPTABLE_RENEWED:
		return PCP_SUCCESS;
	case MAPTABLE_OUTSIDE:
	case MAPTABLE_TAKEN:
		return PCP_CANNOT_PROVIDE_EXTERNAL;
	case MAPTABLE_QUOTA:
		return PCP_USER_EX_QUOTA;
	case MAPTABLE_NONCE:
	case MAPTABLE_NOT_FOUND:
		return PCP_NOT_AUTHORIZED;
	case MAPTABLE_INVALID:
		return PCP_MALFORMED_REQUEST;
	case MAPTABLE_FULL:
	case MAPTABLE_IO_ERROR:
		break;
	}
	return PCP_NO_RESOURCES;
}

static enum maptable_result
table_add(void *ctx, const struct mapping *want, uint32_t lifetime, bool exact,
	  struct mapping *out)
{
	struct pcp_serve_table *c = ctx;

	return maptable_add(c->t, want, lifetime, false, exact, c->now, out);
}

static enum maptable_result
table_del(void *ctx, uint8_t proto, uint16_t ext_port, const uint8_t *nonce,
	  struct mapping *out)
{
	return maptable_del(((struct pcp_serve_table *)ctx)->t, proto, ext_port, nonce, out);
}

static bool
table_find_int(void *ctx, uint8_t proto, uint32_t a, uint16_t p, struct mapping *out)
{
	const struct mapping *m = maptable_find_int(((struct pcp_serve_table *)ctx)->t,
						    proto, a, p);

	if (m)
		*out = *m;
	return m != NULL;
}

struct pcp_serve_ops
pcp_serve_table_ops(struct pcp_serve_table *c)
{
	return (struct pcp_serve_ops){ .ctx = c, .add = table_add, .del = table_del,
				       .find_int = table_find_int };
}

/* ---- NAT-PMP (RFC 6886) ---- */

static uint16_t
natpmp_map(const struct pcp_serve_cfg *c, const struct pcp_serve_ops *ops, uint32_t src,
	   const struct natpmp_request *rq, struct mapping *got)
{
	uint8_t proto = rq->opcode == NATPMP_OP_MAP_TCP ? 6 : 17;
	struct mapping cur, want = {
		.proto = proto, .origin = MAP_ORIGIN_NATPMP, .int_addr = src,
		.int_port = rq->internal_port, .ext_port = rq->external_port,
		.enabled = true,
	};
	bool exists;

	memset(got, 0, sizeof(*got));
	got->int_port = rq->internal_port;
	if (rq->internal_port == 0)	/* "all mappings" (3.4): not kept apart here */
		return NATPMP_NOT_AUTHORIZED;
	exists = ops->find_int(ops->ctx, proto, src, rq->internal_port, &cur);
	if (exists && cur.origin != MAP_ORIGIN_NATPMP)
		return NATPMP_NOT_AUTHORIZED;
	if (rq->lifetime == 0) {	/* 3.4: delete; none is success too */
		if (exists && ops->del(ops->ctx, proto, cur.ext_port, NULL, NULL) != MAPTABLE_OK)
			return NATPMP_NO_RESOURCES;
		return NATPMP_SUCCESS;
	}
	switch (ops->add(ops->ctx, &want, pcp_serve_clamp(c, rq->lifetime), false, got)) {
	case MAPTABLE_OK:
	case MAPTABLE_RENEWED:
		return NATPMP_SUCCESS;
	case MAPTABLE_NONCE:
	case MAPTABLE_INVALID:
		return NATPMP_NOT_AUTHORIZED;
	default:
		return NATPMP_NO_RESOURCES;
	}
}

static size_t
serve_natpmp(const struct pcp_serve_cfg *c, const struct pcp_serve_ops *ops, uint32_t src,
	     const uint8_t *req, size_t len, uint32_t epoch, uint8_t *out, size_t cap,
	     struct pcp_serve_stats *st)
{
	struct natpmp_request rq;
	enum natpmp_result r = natpmp_parse_request(req, len, &rq);
	struct mapping got;
	uint16_t res;

	if (r == NATPMP_DROP_SHORT || r == NATPMP_DROP_RESPONSE) {
		st->v[PCPS_DROPPED]++;
		return 0;
	}
	if (r != NATPMP_SUCCESS) {
		st->v[PCPS_NATPMP_ERROR]++;
		return natpmp_build_error(out, cap, req, len, (uint16_t)r, epoch);
	}
	if (rq.opcode == NATPMP_OP_EXTERNAL) {
		st->v[PCPS_NATPMP_EXTERNAL]++;
		return natpmp_build_external(out, cap, NATPMP_SUCCESS, epoch, c->ext_addr);
	}
	res = natpmp_map(c, ops, src, &rq, &got);
	st->v[res == NATPMP_SUCCESS ? PCPS_NATPMP_MAP : PCPS_NATPMP_ERROR]++;
	if (res != NATPMP_SUCCESS)
		return natpmp_build_error(out, cap, req, len, res, epoch);
	return natpmp_build_map(out, cap, rq.opcode, NATPMP_SUCCESS, epoch, rq.internal_port,
				rq.lifetime ? got.ext_port : 0, rq.lifetime ? got.lifetime : 0);
}

/* ---- PCP (RFC 6887) ---- */

/* 13.3: one remote host, or none; what a mapping can hold */
static enum pcp_result
pcp_filter(const struct pcp_request *rq, struct mapping *want)
{
	const struct pcp_filter *f;

	if (rq->n_filters == 0)
		return PCP_SUCCESS;
	if (rq->n_filters > 1)
		return PCP_EXCESSIVE_REMOTE_PEERS;
	f = &rq->filters[0];
	if (f->prefix_len == 0)
		return PCP_SUCCESS;
	if (!pcp_addr_is_v4(&f->remote_addr))
		return PCP_MALFORMED_OPTION;
	if (f->prefix_len != 128)
		return PCP_EXCESSIVE_REMOTE_PEERS;
	want->remote_addr = pcp_addr_to_v4(&f->remote_addr);
	want->remote_port = f->remote_port;
	return PCP_SUCCESS;
}

static void
desc_copy(char *dst, const struct pcp_request *rq)
{
	size_t n = rq->has_description ? rq->description_len : 0;

	if (n > MAPTABLE_DESC_MAX)
		n = MAPTABLE_DESC_MAX;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)rq->description[i];

		dst[i] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
	}
	dst[n] = '\0';
}

/* 11.3 and 15: lifetime 0 */
static enum pcp_result
pcp_delete(const struct pcp_serve_ops *ops, const struct pcp_request *rq,
	   const struct mapping *cur, bool exists, struct pcp_response *rsp)
{
	rsp->lifetime = 0;
	rsp->ext_port = rq->ext_port;
	if (!exists)
		return PCP_SUCCESS;
	if (cur->origin != MAP_ORIGIN_PCP ||
	    memcmp(cur->nonce, rq->nonce, PCP_NONCE_LEN) != 0)
		return PCP_NOT_AUTHORIZED;
	rsp->ext_port = cur->ext_port;
	return pcp_serve_result(ops->del(ops->ctx, cur->proto, cur->ext_port, rq->nonce, NULL));
}

static enum pcp_result
pcp_map_or_peer(const struct pcp_serve_cfg *c, const struct pcp_serve_ops *ops,
		uint32_t src, const struct pcp_request *rq, struct pcp_response *rsp)
{
	struct mapping cur, got, want = {
		.proto = rq->proto, .origin = MAP_ORIGIN_PCP, .int_addr = src,
		.int_port = rq->proto ? rq->internal_port : 0, .ext_port = rq->ext_port,
		.enabled = true,
	};
	enum pcp_result r;
	bool exists;

	if (rq->has_third_party) {
		uint32_t tp = pcp_addr_to_v4(&rq->third_party);

		if (!pcp_serve_third_party_ok(c, src) || !pcp_addr_is_v4(&rq->third_party) ||
		    !pcp_serve_in_lan(c, tp))
			return PCP_NOT_AUTHORIZED;
		want.int_addr = tp;
	}
	if (rq->proto != 0 && rq->proto != 6 && rq->proto != 17)
		return PCP_UNSUPP_PROTOCOL;
	exists = ops->find_int(ops->ctx, want.proto, want.int_addr, want.int_port, &cur);
	if (rq->lifetime == 0)
		return pcp_delete(ops, rq, &cur, exists, rsp);
	if (rq->proto != 0 && rq->internal_port == 0)
		return PCP_MALFORMED_REQUEST;
	if (!pcp_addr_is_unspec(&rq->ext_addr) &&
	    (!pcp_addr_is_v4(&rq->ext_addr) || pcp_addr_to_v4(&rq->ext_addr) != c->ext_addr) &&
	    rq->prefer_failure)
		return PCP_CANNOT_PROVIDE_EXTERNAL;
	if (exists && cur.origin != MAP_ORIGIN_PCP)
		return PCP_NOT_AUTHORIZED;
	if (rq->opcode == PCP_OP_PEER) {
		if (!pcp_addr_is_v4(&rq->remote_addr))
			return PCP_MALFORMED_REQUEST;
		if (exists) {	/* the mapping in place carries the peer's traffic */
			rsp->ext_port = cur.ext_port;
			rsp->lifetime = cur.lifetime;
			return PCP_SUCCESS;
		}
		want.remote_addr = pcp_addr_to_v4(&rq->remote_addr);
		want.remote_port = rq->remote_port;
	} else if ((r = pcp_filter(rq, &want)) != PCP_SUCCESS) {
		return r;
	}
	memcpy(want.nonce, rq->nonce, PCP_NONCE_LEN);
	desc_copy(want.desc, rq);
	r = pcp_serve_result(ops->add(ops->ctx, &want, pcp_serve_clamp(c, rq->lifetime),
				      rq->prefer_failure, &got));
	if (r != PCP_SUCCESS)
		return r;
	rsp->ext_port = got.ext_port;
	rsp->lifetime = got.lifetime;
	return PCP_SUCCESS;
}

static size_t
pcp_error(const uint8_t *req, size_t len, enum pcp_result r, uint32_t epoch,
	  uint8_t *out, size_t cap, struct pcp_serve_stats *st)
{
	st->v[PCPS_PCP_ERROR]++;
	st->pcp_result[r]++;
	return pcp_build_error(out, cap, req, len, r, pcp_error_lifetime(r), epoch);
}

static size_t
serve_pcp(const struct pcp_serve_cfg *c, const struct pcp_serve_ops *ops, uint32_t src,
	  const uint8_t *req, size_t len, uint32_t epoch, uint8_t *out, size_t cap,
	  struct pcp_serve_stats *st)
{
	static struct pcp_request rq;	/* large (filters): not on the stack */
	static struct pcp_response rsp;
	enum pcp_result r = pcp_parse_request(req, len, &rq);

	if (pcp_result_is_drop(r)) {
		st->v[PCPS_DROPPED]++;
		return 0;
	}
	if (r != PCP_SUCCESS)
		return pcp_error(req, len, r, epoch, out, cap, st);
	/* 8.1: the client address must be the packet's source */
	if (!pcp_addr_is_v4(&rq.client) || pcp_addr_to_v4(&rq.client) != src)
		return pcp_error(req, len, PCP_ADDRESS_MISMATCH, epoch, out, cap, st);
	pcp_response_init(&rsp, &rq);
	rsp.epoch = epoch;
	if (rq.opcode == PCP_OP_ANNOUNCE) {
		st->v[PCPS_PCP_ANNOUNCE]++;
	} else {
		r = pcp_map_or_peer(c, ops, src, &rq, &rsp);
		if (r != PCP_SUCCESS)
			return pcp_error(req, len, r, epoch, out, cap, st);
		pcp_addr_from_v4(&rsp.ext_addr, c->ext_addr);
		st->v[rq.opcode == PCP_OP_MAP ? PCPS_PCP_MAP : PCPS_PCP_PEER]++;
	}
	st->pcp_result[PCP_SUCCESS]++;
	return pcp_build_response(out, cap, &rsp);
}

size_t
pcp_serve(const struct pcp_serve_cfg *c, const struct pcp_serve_ops *ops, uint32_t src,
	  const uint8_t *req, size_t len, uint32_t epoch, uint8_t *out, size_t cap,
	  struct pcp_serve_stats *st)
{
	st->v[PCPS_RX]++;
	if (!pcp_serve_in_lan(c, src)) {
		st->v[PCPS_OUTSIDE_LAN]++;
		return 0;
	}
	if (len >= 1 && req[0] == NATPMP_VERSION)
		return serve_natpmp(c, ops, src, req, len, epoch, out, cap, st);
	return serve_pcp(c, ops, src, req, len, epoch, out, cap, st);
}
