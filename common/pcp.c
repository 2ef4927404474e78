/* SPDX-License-Identifier: MIT */
/*
 * Port Control Protocol codec (RFC 6887, RFC 7220, RFC 7753). See pcp.h.
 *
 * Every message is a 24-byte header, the opcode's data (MAP 36 bytes,
 * PEER 56, ANNOUNCE none), then options, each a 4-byte header (code,
 * reserved, length) and length bytes of data padded to 4:
 *
 *	+------+------+-------------+----------------------+
 *	| code | rsvd |   length    | data ... | pad to 4  |
 *	+------+------+-------------+----------------------+
 *
 * Reads go through offsets checked against the length first; nothing
 * is ever cast onto the buffer.
 */
#include <string.h>

#include "pcp.h"
#include "pkt.h"

/* Offsets inside the opcode data shared by MAP and PEER (RFC 6887 11.1, 12.1). */
#define OD_NONCE	0
#define OD_PROTO	12
#define OD_INTPORT	16
#define OD_EXTPORT	18
#define OD_EXTADDR	20
#define OD_RPORT	36	/* PEER only */
#define OD_RADDR	40

#define OPT_THIRD_PARTY_LEN	16
#define OPT_FILTER_LEN		20
#define OPT_PORT_SET_LEN	5

static size_t
opdata_len(uint8_t opcode)
{
	switch (opcode) {
	case PCP_OP_ANNOUNCE:
		return 0;
	case PCP_OP_MAP:
		return PCP_MAP_LEN;
	case PCP_OP_PEER:
		return PCP_PEER_LEN;
	default:
		return SIZE_MAX;
	}
}

static size_t
pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static void
get_addr(struct in6_addr *a, const uint8_t *p)
{
	memcpy(a->s6_addr, p, 16);
}

static void
put_addr(uint8_t *p, const struct in6_addr *a)
{
	memcpy(p, a->s6_addr, 16);
}

/* ---- addresses ---- */

void
pcp_addr_from_v4(struct in6_addr *out, uint32_t v4)
{
	memset(out, 0, sizeof(*out));
	out->s6_addr[10] = 0xff;
	out->s6_addr[11] = 0xff;
	put32(out->s6_addr + 12, v4);
}

bool
pcp_addr_is_v4(const struct in6_addr *a)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	return memcmp(a->s6_addr, mapped, sizeof(mapped)) == 0;
}

uint32_t
pcp_addr_to_v4(const struct in6_addr *a)
{
	return get32(a->s6_addr + 12);
}

bool
pcp_addr_is_unspec(const struct in6_addr *a)
{
	static const uint8_t zero[16];

	if (memcmp(a->s6_addr, zero, 16) == 0)
		return true;
	return pcp_addr_is_v4(a) && pcp_addr_to_v4(a) == 0;
}

/* ---- result codes ---- */

static const char *const result_names[] = {
	[PCP_SUCCESS] = "SUCCESS",
	[PCP_UNSUPP_VERSION] = "UNSUPP_VERSION",
	[PCP_NOT_AUTHORIZED] = "NOT_AUTHORIZED",
	[PCP_MALFORMED_REQUEST] = "MALFORMED_REQUEST",
	[PCP_UNSUPP_OPCODE] = "UNSUPP_OPCODE",
	[PCP_UNSUPP_OPTION] = "UNSUPP_OPTION",
	[PCP_MALFORMED_OPTION] = "MALFORMED_OPTION",
	[PCP_NETWORK_FAILURE] = "NETWORK_FAILURE",
	[PCP_NO_RESOURCES] = "NO_RESOURCES",
	[PCP_UNSUPP_PROTOCOL] = "UNSUPP_PROTOCOL",
	[PCP_USER_EX_QUOTA] = "USER_EX_QUOTA",
	[PCP_CANNOT_PROVIDE_EXTERNAL] = "CANNOT_PROVIDE_EXTERNAL",
	[PCP_ADDRESS_MISMATCH] = "ADDRESS_MISMATCH",
	[PCP_EXCESSIVE_REMOTE_PEERS] = "EXCESSIVE_REMOTE_PEERS",
};

const char *
pcp_result_name(int result)
{
	if (result >= 0 && result <= PCP_RESULT_MAX)
		return result_names[result];
	if (result == PCP_DROP_SHORT)
		return "DROP_SHORT";
	if (result == PCP_DROP_RESPONSE)
		return "DROP_RESPONSE";
	return "UNKNOWN";
}

bool
pcp_result_is_long(enum pcp_result r)
{
	switch (r) {
	case PCP_UNSUPP_VERSION:	/* RFC 6887 7.4: "long lifetime error" */
	case PCP_NOT_AUTHORIZED:
	case PCP_MALFORMED_REQUEST:
	case PCP_UNSUPP_OPCODE:
	case PCP_UNSUPP_OPTION:
	case PCP_MALFORMED_OPTION:
	case PCP_UNSUPP_PROTOCOL:
	case PCP_ADDRESS_MISMATCH:
		return true;
	default:
		return false;
	}
}

uint32_t
pcp_error_lifetime(enum pcp_result r)
{
	if (r == PCP_SUCCESS || pcp_result_is_drop(r))
		return 0;
	return pcp_result_is_long(r) ? PCP_LONG_ERROR_LIFETIME
				     : PCP_SHORT_ERROR_LIFETIME;
}

/* ---- request parsing ---- */

static enum pcp_result
bad_option(struct pcp_request *r, enum pcp_result res, uint8_t code, size_t off)
{
	r->bad_option = code;
	r->bad_option_off = off;
	return res;
}

/* RFC 6887 13.3 with erratum 3891: 0 clears; IPv4-mapped needs 96+. */
static bool
filter_ok(const struct pcp_filter *f)
{
	if (f->prefix_len > 128)
		return false;
	if (f->prefix_len != 0 && f->prefix_len < 96 && pcp_addr_is_v4(&f->remote_addr))
		return false;
	return true;
}

static void
get_filter(struct pcp_filter *f, const uint8_t *d)
{
	f->prefix_len = d[1];
	f->remote_port = get16(d + 2);
	get_addr(&f->remote_addr, d + 4);
}

static void
get_port_set(struct pcp_port_set *ps, const uint8_t *d)
{
	ps->size = get16(d);
	ps->first_internal = get16(d + 2);
	ps->parity = d[4] & 1;
}

static bool
port_set_ok(const struct pcp_port_set *ps)
{
	/* RFC 7753 4: size 0 is invalid; the set cannot run past 65535 */
	return ps->size != 0 && (uint32_t)ps->first_internal + ps->size <= 65536;
}

static enum pcp_result
req_option(struct pcp_request *r, uint8_t code, const uint8_t *d, uint16_t olen,
	   size_t off)
{
	uint8_t op = r->opcode;

	switch (code) {
	case PCP_OPT_THIRD_PARTY:		/* 13.1 */
		if (op != PCP_OP_MAP && op != PCP_OP_PEER)
			break;
		if (olen != OPT_THIRD_PARTY_LEN || r->has_third_party)
			break;
		r->has_third_party = true;
		get_addr(&r->third_party, d);
		return PCP_SUCCESS;
	case PCP_OPT_PREFER_FAILURE:		/* 13.2 */
		if (op != PCP_OP_MAP || olen != 0 || r->prefer_failure)
			break;
		if (r->has_port_set)		/* RFC 7753 */
			break;
		r->prefer_failure = true;
		return PCP_SUCCESS;
	case PCP_OPT_FILTER:			/* 13.3 */
		if (op != PCP_OP_MAP || olen != OPT_FILTER_LEN)
			break;
		if (r->n_filters == PCP_MAX_FILTERS)	/* cannot fit in 1100 */
			break;
		get_filter(&r->filters[r->n_filters], d);
		if (!filter_ok(&r->filters[r->n_filters]))
			break;
		r->n_filters++;
		return PCP_SUCCESS;
	case PCP_OPT_DESCRIPTION:		/* RFC 7220 */
		if (op != PCP_OP_MAP && op != PCP_OP_PEER) {
			r->n_ignored++;
			return PCP_SUCCESS;
		}
		if (r->has_description || olen > PCP_DESCRIPTION_MAX)
			break;
		r->has_description = true;
		r->description_len = olen;
		memcpy(r->description, d, olen);
		r->description[olen] = '\0';
		return PCP_SUCCESS;
	case PCP_OPT_PORT_SET:			/* RFC 7753 */
		if (op != PCP_OP_MAP) {
			r->n_ignored++;
			return PCP_SUCCESS;
		}
		if (olen != OPT_PORT_SET_LEN || r->has_port_set || r->prefer_failure)
			break;
		get_port_set(&r->port_set, d);
		if (!port_set_ok(&r->port_set))
			break;
		r->has_port_set = true;
		return PCP_SUCCESS;
	case PCP_OPT_MAP_RULE:			/* ours: see pcp.h */
		if (op != PCP_OP_MAP) {
			r->n_ignored++;
			return PCP_SUCCESS;
		}
		if (olen != PCP_MAP_RULE_ASK_LEN || get32(d) != 0 || r->want_rules)
			break;
		r->want_rules = true;
		return PCP_SUCCESS;
	default:
		if (code < PCP_OPT_OPTIONAL)
			return bad_option(r, PCP_UNSUPP_OPTION, code, off);
		r->n_ignored++;
		return PCP_SUCCESS;
	}
	return bad_option(r, PCP_MALFORMED_OPTION, code, off);
}

static enum pcp_result
req_options(const uint8_t *buf, size_t off, size_t len, struct pcp_request *r)
{
	enum pcp_result res;
	uint16_t olen;
	uint8_t code;

	while (off < len) {
		if (len - off < PCP_OPT_HDR_LEN)
			return bad_option(r, PCP_MALFORMED_OPTION, buf[off], off);
		code = buf[off];
		olen = get16(buf + off + 2);
		if (pad4(olen) > len - off - PCP_OPT_HDR_LEN)
			return bad_option(r, PCP_MALFORMED_OPTION, code, off);
		res = req_option(r, code, buf + off + PCP_OPT_HDR_LEN, olen, off);
		if (res != PCP_SUCCESS)
			return res;
		off += PCP_OPT_HDR_LEN + pad4(olen);
	}
	return PCP_SUCCESS;
}

enum pcp_result
pcp_parse_request(const uint8_t *buf, size_t len, struct pcp_request *out)
{
	const uint8_t *od;
	size_t oplen;

	memset(out, 0, sizeof(*out));
	if (len < 2)
		return PCP_DROP_SHORT;
	out->version = buf[0];
	out->opcode = buf[1] & (uint8_t)~PCP_R_BIT;
	if (buf[1] & PCP_R_BIT)
		return PCP_DROP_RESPONSE;
	if (buf[0] != PCP_VERSION)
		return PCP_UNSUPP_VERSION;
	if (len < PCP_HDR_LEN || len > PCP_MAX_LEN || len % 4 != 0)
		return PCP_MALFORMED_REQUEST;
	out->lifetime = get32(buf + 4);
	get_addr(&out->client, buf + 8);
	oplen = opdata_len(out->opcode);
	if (oplen == SIZE_MAX)
		return PCP_UNSUPP_OPCODE;
	if (len - PCP_HDR_LEN < oplen)
		return PCP_MALFORMED_REQUEST;
	od = buf + PCP_HDR_LEN;
	if (out->opcode != PCP_OP_ANNOUNCE) {
		memcpy(out->nonce, od + OD_NONCE, PCP_NONCE_LEN);
		out->proto = od[OD_PROTO];
		out->internal_port = get16(od + OD_INTPORT);
		out->ext_port = get16(od + OD_EXTPORT);
		get_addr(&out->ext_addr, od + OD_EXTADDR);
	}
	if (out->opcode == PCP_OP_PEER) {
		out->remote_port = get16(od + OD_RPORT);
		get_addr(&out->remote_addr, od + OD_RADDR);
	}
	return req_options(buf, PCP_HDR_LEN + oplen, len, out);
}

/* ---- building ---- */

/* A bounded writer: every take can fail, the caller checks err once. */
struct wbuf {
	uint8_t *p;
	size_t cap, len;
	bool err;
};

static uint8_t *
w_take(struct wbuf *w, size_t n)
{
	uint8_t *p;

	if (w->err || w->cap - w->len < n) {
		w->err = true;
		return NULL;
	}
	p = w->p + w->len;
	memset(p, 0, n);
	w->len += n;
	return p;
}

/* An option header plus zeroed, padded room for olen bytes of data. */
static uint8_t *
w_option(struct wbuf *w, uint8_t code, size_t olen)
{
	uint8_t *p;

	if (olen > UINT16_MAX || !(p = w_take(w, PCP_OPT_HDR_LEN + pad4(olen))))
		return NULL;
	p[0] = code;
	put16(p + 2, (uint16_t)olen);
	return p + PCP_OPT_HDR_LEN;
}

static void
w_init(struct wbuf *w, uint8_t *buf, size_t cap)
{
	w->p = buf;
	w->cap = cap < PCP_MAX_LEN ? cap : PCP_MAX_LEN;
	w->len = 0;
	w->err = false;
}

/* MAP/PEER opcode data; ext_port/ext_addr are suggested or assigned. */
static void
w_opdata(struct wbuf *w, uint8_t opcode, const uint8_t *nonce, uint8_t proto,
	 uint16_t internal_port, uint16_t ext_port, const struct in6_addr *ext_addr,
	 uint16_t remote_port, const struct in6_addr *remote_addr)
{
	size_t oplen = opdata_len(opcode);
	uint8_t *od;

	if (oplen == SIZE_MAX) {
		w->err = true;
		return;
	}
	if (oplen == 0 || !(od = w_take(w, oplen)))
		return;
	memcpy(od + OD_NONCE, nonce, PCP_NONCE_LEN);
	od[OD_PROTO] = proto;
	put16(od + OD_INTPORT, internal_port);
	put16(od + OD_EXTPORT, ext_port);
	put_addr(od + OD_EXTADDR, ext_addr);
	if (opcode == PCP_OP_PEER) {
		put16(od + OD_RPORT, remote_port);
		put_addr(od + OD_RADDR, remote_addr);
	}
}

static void
w_third_party(struct wbuf *w, const struct in6_addr *a)
{
	uint8_t *d = w_option(w, PCP_OPT_THIRD_PARTY, OPT_THIRD_PARTY_LEN);

	if (d)
		put_addr(d, a);
}

static void
w_filters(struct wbuf *w, const struct pcp_filter *f, unsigned n)
{
	unsigned i;
	uint8_t *d;

	if (n > PCP_MAX_FILTERS) {
		w->err = true;
		return;
	}
	for (i = 0; i < n; i++) {
		if (!(d = w_option(w, PCP_OPT_FILTER, OPT_FILTER_LEN)))
			return;
		d[1] = f[i].prefix_len;
		put16(d + 2, f[i].remote_port);
		put_addr(d + 4, &f[i].remote_addr);
	}
}

static void
w_port_set(struct wbuf *w, const struct pcp_port_set *ps)
{
	uint8_t *d = w_option(w, PCP_OPT_PORT_SET, OPT_PORT_SET_LEN);

	if (!d)
		return;
	put16(d, ps->size);
	put16(d + 2, ps->first_internal);
	d[4] = ps->parity ? 1 : 0;
}

static void
w_map_rule(struct wbuf *w, const struct map_rule *r)
{
	uint8_t *d = w_option(w, PCP_OPT_MAP_RULE, PCP_MAP_RULE_LEN);

	if (!d)
		return;
	d[0] = r->forwarding ? PCP_MAP_RULE_FWD : 0;
	d[1] = r->plen6;
	d[2] = r->plen4;
	d[3] = r->ea_len;
	d[4] = r->offset;
	d[5] = r->psid_len_cfg;
	put16(d + 6, r->psid_cfg);
	put32(d + 8, r->prefix4);
	put_addr(d + 12, &r->prefix6);
}

/* A MAP_RULE option's data back into a rule, checked as map_rule_init does. */
static bool
get_map_rule(struct map_rule *r, const uint8_t *d, uint16_t olen)
{
	struct in6_addr p6;
	char err[96];

	if (olen != PCP_MAP_RULE_LEN || (d[0] & (uint8_t)~PCP_MAP_RULE_FWD))
		return false;
	get_addr(&p6, d + 12);
	if (!map_rule_init(r, &p6, d[1], get32(d + 8), d[2], d[3], d[4], d[5], get16(d + 6),
			   err, sizeof(err)))
		return false;
	r->forwarding = (d[0] & PCP_MAP_RULE_FWD) != 0;
	return true;
}

static void
w_description(struct wbuf *w, const char *s, size_t len)
{
	uint8_t *d;

	if (len > PCP_DESCRIPTION_MAX) {
		w->err = true;
		return;
	}
	if ((d = w_option(w, PCP_OPT_DESCRIPTION, len)))
		memcpy(d, s, len);
}

size_t
pcp_build_request(uint8_t *buf, size_t cap, const struct pcp_request *r)
{
	struct wbuf w;
	uint8_t *h;

	w_init(&w, buf, cap);
	if (!(h = w_take(&w, PCP_HDR_LEN)))
		return 0;
	h[0] = PCP_VERSION;
	h[1] = r->opcode & (uint8_t)~PCP_R_BIT;
	put32(h + 4, r->lifetime);
	put_addr(h + 8, &r->client);
	w_opdata(&w, r->opcode, r->nonce, r->proto, r->internal_port, r->ext_port,
		 &r->ext_addr, r->remote_port, &r->remote_addr);
	if (r->has_third_party)
		w_third_party(&w, &r->third_party);
	if (r->prefer_failure)
		w_option(&w, PCP_OPT_PREFER_FAILURE, 0);
	w_filters(&w, r->filters, r->n_filters);
	if (r->want_rules)		/* before PORT_SET: see pcp.h */
		w_option(&w, PCP_OPT_MAP_RULE, PCP_MAP_RULE_ASK_LEN);	/* zeros */
	if (r->has_port_set)
		w_port_set(&w, &r->port_set);
	if (r->has_description)
		w_description(&w, r->description, r->description_len);
	return w.err ? 0 : w.len;
}

void
pcp_response_init(struct pcp_response *rsp, const struct pcp_request *req)
{
	memset(rsp, 0, sizeof(*rsp));
	rsp->version = PCP_VERSION;
	rsp->opcode = req->opcode;
	rsp->result = PCP_SUCCESS;
	rsp->has_opdata = req->opcode != PCP_OP_ANNOUNCE;
	memcpy(rsp->nonce, req->nonce, PCP_NONCE_LEN);
	rsp->proto = req->proto;
	rsp->internal_port = req->internal_port;
	rsp->remote_port = req->remote_port;
	rsp->remote_addr = req->remote_addr;
	rsp->has_third_party = req->has_third_party;
	rsp->third_party = req->third_party;
	rsp->prefer_failure = req->prefer_failure;
	rsp->n_filters = req->n_filters <= PCP_MAX_FILTERS ? req->n_filters : 0;
	memcpy(rsp->filters, req->filters, rsp->n_filters * sizeof(rsp->filters[0]));
	rsp->has_description = req->has_description;
	rsp->description_len = req->description_len <= PCP_DESCRIPTION_MAX ?
	    req->description_len : 0;
	memcpy(rsp->description, req->description, rsp->description_len);
	rsp->description[rsp->description_len] = '\0';
}

static uint8_t *
w_rsp_header(struct wbuf *w, uint8_t opcode, uint8_t result, uint32_t lifetime,
	     uint32_t epoch)
{
	uint8_t *h = w_take(w, PCP_HDR_LEN);

	if (!h)
		return NULL;
	h[0] = PCP_VERSION;
	h[1] = (uint8_t)(PCP_R_BIT | (opcode & (uint8_t)~PCP_R_BIT));
	h[3] = result;
	put32(h + 4, lifetime);
	put32(h + 8, epoch);
	return h;
}

size_t
pcp_build_response(uint8_t *buf, size_t cap, const struct pcp_response *r)
{
	struct wbuf w;
	unsigned i;

	w_init(&w, buf, cap);
	if (!w_rsp_header(&w, r->opcode, r->result, r->lifetime, r->epoch))
		return 0;
	w_opdata(&w, r->opcode, r->nonce, r->proto, r->internal_port, r->ext_port,
		 &r->ext_addr, r->remote_port, &r->remote_addr);
	if (r->has_third_party)
		w_third_party(&w, &r->third_party);
	if (r->prefer_failure)
		w_option(&w, PCP_OPT_PREFER_FAILURE, 0);
	w_filters(&w, r->filters, r->n_filters);
	if (r->n_rules > PCP_MAX_MAP_RULES)
		return 0;
	for (i = 0; i < r->n_rules; i++)
		w_map_rule(&w, &r->rules[i]);
	if (r->n_port_sets > PCP_MAX_PORT_SETS)
		return 0;
	for (i = 0; i < r->n_port_sets; i++)
		w_port_set(&w, &r->port_sets[i]);
	if (r->has_description)
		w_description(&w, r->description, r->description_len);
	return w.err ? 0 : w.len;
}

size_t
pcp_build_announce(uint8_t *buf, size_t cap, uint32_t epoch)
{
	struct wbuf w;

	w_init(&w, buf, cap);
	if (!w_rsp_header(&w, PCP_OP_ANNOUNCE, PCP_SUCCESS, 0, epoch))
		return 0;
	return w.len;
}

size_t
pcp_build_error(uint8_t *buf, size_t cap, const uint8_t *req, size_t req_len,
		enum pcp_result result, uint32_t lifetime, uint32_t epoch)
{
	size_t copy = 0, n = PCP_HDR_LEN, oplen;
	uint8_t opcode;
	struct wbuf w;
	uint8_t *body;

	if (result == PCP_SUCCESS || (unsigned)result > UINT8_MAX)
		return 0;
	if (req_len < 2 || (req[1] & PCP_R_BIT))
		return 0;
	opcode = req[1] & (uint8_t)~PCP_R_BIT;
	oplen = opdata_len(opcode);
	/*
	 * A request of another version has a layout we cannot know: nothing
	 * is copied, but a known opcode gets its (zero) data, so that the
	 * answer is a well-formed version 2 response.
	 */
	if (req[0] == PCP_VERSION && result != PCP_UNSUPP_VERSION && req_len > PCP_HDR_LEN)
		copy = (req_len < PCP_MAX_LEN ? req_len : PCP_MAX_LEN) - PCP_HDR_LEN;
	n = PCP_HDR_LEN + pad4(copy);
	if (oplen != SIZE_MAX && n < PCP_HDR_LEN + oplen)
		n = PCP_HDR_LEN + oplen;
	w_init(&w, buf, cap);
	if (!w_rsp_header(&w, opcode, (uint8_t)result, lifetime, epoch))
		return 0;
	if (n > PCP_HDR_LEN) {
		if (!(body = w_take(&w, n - PCP_HDR_LEN)))
			return 0;
		memcpy(body, req + PCP_HDR_LEN, copy);
		/* 7.2: fields the server assigns are zero in an error */
		if (opcode == PCP_OP_MAP || opcode == PCP_OP_PEER)
			memset(body + OD_EXTPORT, 0, OD_EXTADDR + 16 - OD_EXTPORT);
	}
	return w.len;
}

/* ---- response parsing ---- */

static const char *const rsp_errs[] = {
	[PCP_RSP_OK] = "ok",
	[PCP_RSP_SHORT] = "truncated",
	[PCP_RSP_LENGTH] = "over 1100 bytes or not a multiple of 4",
	[PCP_RSP_NOT_RESPONSE] = "R bit clear: a request",
	[PCP_RSP_VERSION] = "unsupported version",
	[PCP_RSP_OPCODE] = "unknown opcode",
	[PCP_RSP_OPTION] = "bad option",
};

const char *
pcp_rsp_strerror(enum pcp_rsp_err e)
{
	if ((unsigned)e < sizeof(rsp_errs) / sizeof(rsp_errs[0]))
		return rsp_errs[e];
	return "unknown error";
}

static enum pcp_rsp_err
rsp_option(struct pcp_response *r, uint8_t code, const uint8_t *d, uint16_t olen)
{
	switch (code) {
	case PCP_OPT_THIRD_PARTY:
		if (olen != OPT_THIRD_PARTY_LEN || r->has_third_party)
			return PCP_RSP_OPTION;
		r->has_third_party = true;
		get_addr(&r->third_party, d);
		break;
	case PCP_OPT_PREFER_FAILURE:
		if (olen != 0 || r->prefer_failure)
			return PCP_RSP_OPTION;
		r->prefer_failure = true;
		break;
	case PCP_OPT_FILTER:
		if (olen != OPT_FILTER_LEN || r->n_filters == PCP_MAX_FILTERS)
			return PCP_RSP_OPTION;
		get_filter(&r->filters[r->n_filters++], d);
		break;
	case PCP_OPT_DESCRIPTION:
		if (olen > PCP_DESCRIPTION_MAX || r->has_description)
			return PCP_RSP_OPTION;
		r->has_description = true;
		r->description_len = olen;
		memcpy(r->description, d, olen);
		r->description[olen] = '\0';
		break;
	case PCP_OPT_PORT_SET:
		if (olen != OPT_PORT_SET_LEN || r->n_port_sets == PCP_MAX_PORT_SETS)
			return PCP_RSP_OPTION;
		get_port_set(&r->port_sets[r->n_port_sets], d);
		if (!port_set_ok(&r->port_sets[r->n_port_sets]))
			return PCP_RSP_OPTION;
		r->n_port_sets++;
		break;
	case PCP_OPT_MAP_RULE:
		if (r->n_rules == PCP_MAX_MAP_RULES || !get_map_rule(&r->rules[r->n_rules], d, olen))
			return PCP_RSP_OPTION;
		r->n_rules++;
		break;
	default:
		r->n_ignored++;
		break;
	}
	return PCP_RSP_OK;
}

enum pcp_rsp_err
pcp_parse_response(const uint8_t *buf, size_t len, struct pcp_response *out)
{
	enum pcp_rsp_err e;
	const uint8_t *od;
	size_t oplen, off;
	uint16_t olen = 0;

	memset(out, 0, sizeof(*out));
	if (len < PCP_HDR_LEN)
		return PCP_RSP_SHORT;
	if (len > PCP_MAX_LEN || len % 4 != 0)
		return PCP_RSP_LENGTH;
	if (!(buf[1] & PCP_R_BIT))
		return PCP_RSP_NOT_RESPONSE;
	out->version = buf[0];
	out->opcode = buf[1] & (uint8_t)~PCP_R_BIT;
	out->result = buf[3];
	out->lifetime = get32(buf + 4);
	out->epoch = get32(buf + 8);
	if (buf[0] != PCP_VERSION)
		return out->result == PCP_UNSUPP_VERSION ? PCP_RSP_OK : PCP_RSP_VERSION;
	oplen = opdata_len(out->opcode);
	if (oplen == SIZE_MAX)
		return PCP_RSP_OPCODE;
	if (len == PCP_HDR_LEN && out->result != PCP_SUCCESS)
		return PCP_RSP_OK;		/* an error with the header alone */
	if (len - PCP_HDR_LEN < oplen)
		return PCP_RSP_SHORT;
	od = buf + PCP_HDR_LEN;
	out->has_opdata = oplen > 0;
	if (oplen > 0) {
		memcpy(out->nonce, od + OD_NONCE, PCP_NONCE_LEN);
		out->proto = od[OD_PROTO];
		out->internal_port = get16(od + OD_INTPORT);
		out->ext_port = get16(od + OD_EXTPORT);
		get_addr(&out->ext_addr, od + OD_EXTADDR);
	}
	if (out->opcode == PCP_OP_PEER) {
		out->remote_port = get16(od + OD_RPORT);
		get_addr(&out->remote_addr, od + OD_RADDR);
	}
	for (off = PCP_HDR_LEN + oplen; off < len; off += PCP_OPT_HDR_LEN + pad4(olen)) {
		/* len and off are multiples of 4: a whole header is there */
		olen = get16(buf + off + 2);
		if (pad4(olen) > len - off - PCP_OPT_HDR_LEN)
			return PCP_RSP_OPTION;
		e = rsp_option(out, buf[off], buf + off + PCP_OPT_HDR_LEN, olen);
		if (e != PCP_RSP_OK)
			return e;
	}
	return PCP_RSP_OK;
}

/* ---- port sets as PORT_SET blocks ---- */

struct block_walk {
	struct pcp_port_set *out;
	unsigned n, max;
	bool bad;
};

static void
block_add(void *arg, uint16_t lo, uint16_t hi)
{
	struct block_walk *bw = arg;
	uint32_t size = (uint32_t)hi - lo + 1;

	if (bw->n == bw->max || size > UINT16_MAX) {
		bw->bad = true;
		return;
	}
	bw->out[bw->n].size = (uint16_t)size;
	bw->out[bw->n].first_internal = lo;
	bw->out[bw->n].parity = false;
	bw->n++;
}

unsigned
pcp_port_sets_from_portset(const struct portset *ps, struct pcp_port_set *out,
			   unsigned max)
{
	struct block_walk bw = { .out = out, .max = max };
	char err[128];

	if (!portset_valid(ps, err, sizeof(err)))
		return 0;
	portset_blocks(ps, block_add, &bw);
	return bw.bad ? 0 : bw.n;
}

static int
log2_exact(uint32_t v)
{
	int n = 0;

	if (v == 0 || (v & (v - 1)) != 0)
		return -1;
	while (v > 1) {
		v >>= 1;
		n++;
	}
	return n;
}

bool
pcp_port_sets_to_portset(const struct pcp_port_set *sets, unsigned n,
			 struct portset *out)
{
	struct pcp_port_set again[PCP_MAX_PORT_SETS];
	int m, b;
	unsigned a, k, i;
	struct portset ps;

	if (n == 0 || n > PCP_MAX_PORT_SETS)
		return false;
	for (i = 0; i < n; i++)
		if (!port_set_ok(&sets[i]))
			return false;
	if (n == 1) {
		*out = portset_range(sets[0].first_internal,
		    (uint16_t)(sets[0].first_internal + sets[0].size - 1));
		return true;
	}
	/* blocks of 2^m ports, one every 2^(16-a) ports, from block 1 */
	m = log2_exact(sets[0].size);
	if (sets[1].first_internal <= sets[0].first_internal)
		return false;
	b = log2_exact((uint32_t)sets[1].first_internal - sets[0].first_internal);
	if (m < 0 || b < m || b > 15)
		return false;
	a = 16 - (unsigned)b;
	k = (unsigned)(b - m);
	ps = portset_psid(a, k, (sets[0].first_internal & ((1u << b) - 1)) >> m);
	/* the candidate must give back exactly these blocks */
	if (pcp_port_sets_from_portset(&ps, again, PCP_MAX_PORT_SETS) != n)
		return false;
	for (i = 0; i < n; i++)
		if (again[i].size != sets[i].size ||
		    again[i].first_internal != sets[i].first_internal)
			return false;
	*out = ps;
	return true;
}
