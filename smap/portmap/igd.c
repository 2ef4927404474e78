/* SPDX-License-Identifier: MIT */
/*
 * IGD actions over the mapping table (igd.h). Error codes follow
 * WANIPConnection:2 and the interworking function of RFC 6970 section
 * 5.6: a port outside the set or held by another mapping is 718
 * ConflictInMappingEntry for AddPortMapping, an exhausted set or quota
 * is 728 NoPortMapsAvailable, and a control point acts for its own
 * address only (606) unless the configuration allows otherwise.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "smap/portmap/igd.h"

/* ---- wire helpers ---- */

static bool
parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	while (*end == ' ' || *end == '\t')
		end++;
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

bool
igd_parse_u16(const char *s, uint16_t *out)
{
	unsigned long v;

	if (!s || !parse_ulong(s, 65535, &v))
		return false;
	*out = (uint16_t)v;
	return true;
}

bool
igd_parse_u32(const char *s, uint32_t *out)
{
	unsigned long v;

	if (!s || !parse_ulong(s, UINT32_MAX, &v))
		return false;
	*out = (uint32_t)v;
	return true;
}

bool
igd_parse_bool(const char *s, bool *out)
{
	static const char *const t[] = { "1", "true", "yes" }, *const f[] = { "0", "false", "no" };

	for (unsigned i = 0; s && i < 3; i++) {
		if (strcasecmp(s, t[i]) == 0)
			return *out = true, true;
		if (strcasecmp(s, f[i]) == 0)
			return *out = false, true;
	}
	return false;
}

int
igd_parse_proto(const char *s)
{
	if (s && strcasecmp(s, "TCP") == 0)
		return IPPROTO_TCP;
	if (s && strcasecmp(s, "UDP") == 0)
		return IPPROTO_UDP;
	return -1;
}

static const char *
proto_name(uint8_t p)
{
	/* a PCP "all protocols" mapping holds the port for TCP too */
	return p == IPPROTO_UDP ? "UDP" : "TCP";
}

size_t
igd_xml_escape(const char *s, char *buf, size_t len)
{
	size_t o = 0;

	if (!len)
		return 0;
	for (; *s; s++) {
		const char *r = NULL;
		char one[2] = { *s, 0 };
		size_t n;

		switch (*s) {
		case '<': r = "&lt;"; break;
		case '>': r = "&gt;"; break;
		case '&': r = "&amp;"; break;
		case '"': r = "&quot;"; break;
		case '\'': r = "&apos;"; break;
		default: r = one;
		}
		n = strlen(r);
		if (o + n >= len)
			break;
		memcpy(buf + o, r, n);
		o += n;
	}
	buf[o] = 0;
	return o;
}

bool
igd_service_of_urn(const char *urn, enum igd_service *svc, unsigned *version)
{
	static const struct { const char *prefix; enum igd_service svc; unsigned max; } s[] = {
		{ "urn:schemas-upnp-org:service:WANIPConnection:", IGD_SVC_WANIPCONN, 2 },
		{ "urn:schemas-upnp-org:service:WANCommonInterfaceConfig:", IGD_SVC_WANCIF, 1 },
	};

	for (size_t i = 0; urn && i < sizeof(s) / sizeof(s[0]); i++) {
		size_t n = strlen(s[i].prefix);
		unsigned long v;

		if (strncmp(urn, s[i].prefix, n) == 0 && parse_ulong(urn + n, s[i].max, &v) &&
		    v >= 1) {
			*svc = s[i].svc;
			*version = (unsigned)v;
			return true;
		}
	}
	return false;
}

const char *
igd_err_name(int err)
{
	switch (err) {
	case IGD_OK: return "Success";
	case IGD_E_INVALID_ACTION: return "Invalid Action";
	case IGD_E_INVALID_ARGS: return "Invalid Args";
	case IGD_E_ACTION_FAILED: return "Action Failed";
	case IGD_E_ARG_VALUE_INVALID: return "Argument Value Invalid";
	case IGD_E_NOT_AUTHORIZED: return "Action not authorized";
	case IGD_E_INDEX_INVALID: return "SpecifiedArrayIndexInvalid";
	case IGD_E_NO_SUCH_ENTRY: return "NoSuchEntryInArray";
	case IGD_E_WILDCARD_EXT_PORT: return "WildCardNotPermittedInExtPort";
	case IGD_E_CONFLICT: return "ConflictInMappingEntry";
	case IGD_E_NO_PORT_MAPS: return "NoPortMapsAvailable";
	case IGD_E_NOT_FOUND: return "PortMappingNotFound";
	case IGD_E_WILDCARD_INT_PORT: return "WildCardNotPermittedInIntPort";
	case IGD_E_INCONSISTENT: return "InconsistentParameters";
	}
	return "Error";
}

/* ---- requests and replies ---- */

static const char *
arg(const struct igd_request *rq, const char *name)
{
	for (unsigned i = 0; i < rq->n; i++)
		if (strcmp(rq->args[i].name, name) == 0)
			return rq->args[i].value ? rq->args[i].value : "";
	return NULL;
}

static int
fail(struct igd_reply *r, int err)
{
	r->err = err;
	snprintf(r->errdesc, sizeof(r->errdesc), "%s", igd_err_name(err));
	r->n = 0;
	return err;
}

static void
put(struct igd_reply *r, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
put(struct igd_reply *r, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (r->n >= IGD_MAX_ARGS)
		return;
	r->out[r->n].name = name;
	va_start(ap, fmt);
	vsnprintf(r->out[r->n].value, sizeof(r->out[r->n].value), fmt, ap);
	va_end(ap);
	r->n++;
}

static bool
on_lan(const struct igd *g, uint32_t a)
{
	uint32_t mask = g->lan_plen ? ~0u << (32 - g->lan_plen) : 0;

	return (a & mask) == g->lan_prefix && a != g->lan_prefix && (a | mask) != ~0u;
}

/* The control point may act on a mapping of this internal address. */
static bool
may_act_for(const struct igd *g, const struct igd_request *rq, uint32_t int_addr)
{
	return int_addr == rq->client || g->allow_other_hosts;
}

static uint32_t
remaining(const struct mapping *m, uint64_t now)
{
	if (!m->expires)
		return 0;
	return m->expires > now ? (uint32_t)(m->expires - now) : 1;
}

/* ---- IGD:1 permanent mappings (RFC 6970 5.6.1: lease 0 -> 604800, renewed) ---- */

static int
keep_find(const struct igd_keep *k, uint8_t proto, uint16_t port)
{
	for (unsigned i = 0; i < k->n; i++)
		if (k->k[i].proto == proto && k->k[i].ext_port == port)
			return (int)i;
	return -1;
}

static void
keep_del(struct igd_keep *k, uint8_t proto, uint16_t port)
{
	int i = keep_find(k, proto, port);

	if (i >= 0)
		k->k[i] = k->k[--k->n];
}

static void
keep_set(struct igd_keep *k, const struct mapping *m, bool on)
{
	keep_del(k, m->proto, m->ext_port);
	if (!on || k->n >= IGD_KEEP_MAX)
		return;
	k->k[k->n].proto = m->proto;
	k->k[k->n].ext_port = m->ext_port;
	k->k[k->n].int_addr = m->int_addr;
	k->k[k->n].int_port = m->int_port;
	k->n++;
}

static bool
kept(const struct igd_keep *k, const struct mapping *m)
{
	int i = keep_find(k, m->proto, m->ext_port);

	return i >= 0 && k->k[i].int_addr == m->int_addr && k->k[i].int_port == m->int_port;
}

/* The lease a query reports: 0 for an IGD:1 permanent mapping asked by IGD:1. */
static uint32_t
lease_of(const struct igd *g, const struct igd_request *rq, const struct mapping *m)
{
	if (rq->version == 1 && kept(&g->keep, m))
		return 0;
	return remaining(m, rq->now);
}

unsigned
igd_tick(struct igd *g, uint64_t now)
{
	unsigned renewed = 0;

	for (unsigned i = 0; i < g->keep.n;) {
		struct mapping m, out;

		if (!g->tab.find_ext(g->tab.arg, g->keep.k[i].proto, g->keep.k[i].ext_port, &m) ||
		    m.int_addr != g->keep.k[i].int_addr || m.int_port != g->keep.k[i].int_port ||
		    m.origin != MAP_ORIGIN_UPNP) {
			g->keep.k[i] = g->keep.k[--g->keep.n];
			continue;
		}
		if (m.expires && m.expires < now + IGD_MAX_LEASE / 2 &&
		    g->tab.add(g->tab.arg, &m, IGD_MAX_LEASE, true, &out) == MAPTABLE_RENEWED) {
			renewed++;
			g->stats[IGD_STAT_RENEWED]++;
		}
		i++;
	}
	return renewed;
}

/* ---- argument parsing shared by the actions ---- */

/* NewRemoteHost, NewExternalPort, NewProtocol */
static int
parse_key(const struct igd_request *rq, struct mapping *m, struct igd_reply *r)
{
	const char *rh = arg(rq, "NewRemoteHost");
	int proto = igd_parse_proto(arg(rq, "NewProtocol"));

	if (!igd_parse_u16(arg(rq, "NewExternalPort"), &m->ext_port) || proto < 0)
		return fail(r, IGD_E_INVALID_ARGS);
	m->proto = (uint8_t)proto;
	m->remote_addr = 0;
	if (rh && *rh && !parse_ipv4(rh, &m->remote_addr))
		return fail(r, IGD_E_INVALID_ARGS);
	return 0;
}

static void
copy_desc(char *dst, const char *src)
{
	size_t i = 0;

	for (; src && src[i] && i < MAPTABLE_DESC_MAX; i++)
		dst[i] = isprint((unsigned char)src[i]) ? src[i] : '?';
	dst[i] = 0;
}

/* Every argument of AddPortMapping and AddAnyPortMapping; *lease as asked. */
static int
parse_mapping(const struct igd *g, const struct igd_request *rq, struct mapping *m,
	      uint32_t *lease, struct igd_reply *r)
{
	const char *ic = arg(rq, "NewInternalClient");

	memset(m, 0, sizeof(*m));
	if (parse_key(rq, m, r))
		return r->err;
	if (!igd_parse_u16(arg(rq, "NewInternalPort"), &m->int_port) ||
	    !igd_parse_bool(arg(rq, "NewEnabled"), &m->enabled) ||
	    !igd_parse_u32(arg(rq, "NewLeaseDuration"), lease) ||
	    !ic || !parse_ipv4(ic, &m->int_addr))
		return fail(r, IGD_E_INVALID_ARGS);
	if (m->int_port == 0)
		return fail(r, rq->version >= 2 ? IGD_E_WILDCARD_INT_PORT : IGD_E_INVALID_ARGS);
	if (!may_act_for(g, rq, m->int_addr))
		return fail(r, IGD_E_NOT_AUTHORIZED);
	if (!on_lan(g, m->int_addr))
		return fail(r, IGD_E_INVALID_ARGS);
	m->origin = MAP_ORIGIN_UPNP;
	copy_desc(m->desc, arg(rq, "NewPortMappingDescription"));
	return 0;
}

static int
table_err(enum maptable_result res, struct igd_reply *r)
{
	switch (res) {
	case MAPTABLE_OK:
	case MAPTABLE_RENEWED:
		return 0;
	case MAPTABLE_OUTSIDE:
	case MAPTABLE_TAKEN:
	case MAPTABLE_NONCE:
		return fail(r, IGD_E_CONFLICT);
	case MAPTABLE_FULL:
	case MAPTABLE_QUOTA:
		return fail(r, IGD_E_NO_PORT_MAPS);
	case MAPTABLE_NOT_FOUND:
		return fail(r, IGD_E_NO_SUCH_ENTRY);
	case MAPTABLE_INVALID:
		return fail(r, IGD_E_INVALID_ARGS);
	default:
		return fail(r, IGD_E_ACTION_FAILED);	/* nftables or the state file */
	}
}

/* ---- the actions ---- */

static void
add_mapping(struct igd *g, const struct igd_request *rq, struct igd_reply *r, bool any);

static void
add_exact(struct igd *g, const struct igd_request *rq, struct igd_reply *r)
{
	add_mapping(g, rq, r, false);
}

static void
add_any(struct igd *g, const struct igd_request *rq, struct igd_reply *r)
{
	add_mapping(g, rq, r, true);
}

static void
add_mapping(struct igd *g, const struct igd_request *rq, struct igd_reply *r, bool any)
{
	struct mapping want, got;
	uint32_t lease = 0;
	bool permanent;
	enum maptable_result res;

	if (parse_mapping(g, rq, &want, &lease, r))
		return;
	if (want.ext_port == 0 && !any) {
		fail(r, IGD_E_WILDCARD_EXT_PORT);
		return;
	}
	/* IGD:1 lease 0 is permanent: the IGD:2 maximum, kept alive by igd_tick */
	permanent = lease == 0 && rq->version == 1;
	if (lease == 0 || lease > IGD_MAX_LEASE)
		lease = IGD_MAX_LEASE;
	/* one external port per internal endpoint: asking another is a conflict */
	if (!any && g->tab.find_int(g->tab.arg, want.proto, want.int_addr, want.int_port, &got) &&
	    got.ext_port != want.ext_port) {
		fail(r, IGD_E_CONFLICT);
		return;
	}
	res = g->tab.add(g->tab.arg, &want, lease, !any, &got);
	if (table_err(res, r))
		return;
	keep_set(&g->keep, &got, permanent);
	if (any)
		put(r, "NewReservedPort", "%u", got.ext_port);
}

/* The mapping at (protocol, port) matching the key; PCP "all" counts for either. */
static bool
find_key(const struct igd *g, const struct mapping *key, struct mapping *m)
{
	return (g->tab.find_ext(g->tab.arg, key->proto, key->ext_port, m) ||
		g->tab.find_ext(g->tab.arg, 0, key->ext_port, m)) &&
	       m->remote_addr == key->remote_addr;
}

/* The mapping the request's key names, or false with 402 or 714 in r. */
static bool
lookup(const struct igd *g, const struct igd_request *rq, struct mapping *m,
       struct igd_reply *r)
{
	struct mapping key;

	memset(&key, 0, sizeof(key));
	if (parse_key(rq, &key, r))
		return false;
	if (!find_key(g, &key, m)) {
		fail(r, IGD_E_NO_SUCH_ENTRY);
		return false;
	}
	return true;
}

static void
delete_mapping(struct igd *g, const struct igd_request *rq, struct igd_reply *r)
{
	struct mapping m;

	if (!lookup(g, rq, &m, r))
		return;
	if (!may_act_for(g, rq, m.int_addr)) {
		fail(r, IGD_E_NOT_AUTHORIZED);
		return;
	}
	if (table_err(g->tab.del(g->tab.arg, m.proto, m.ext_port, NULL), r) == 0)
		keep_del(&g->keep, m.proto, m.ext_port);
}

struct range {
	uint16_t lo, hi;
	uint8_t proto;
	bool manage;
};

static int
parse_range(const struct igd_request *rq, struct range *rg, struct igd_reply *r)
{
	int proto = igd_parse_proto(arg(rq, "NewProtocol"));

	if (!igd_parse_u16(arg(rq, "NewStartPort"), &rg->lo) ||
	    !igd_parse_u16(arg(rq, "NewEndPort"), &rg->hi) || proto < 0 ||
	    !igd_parse_bool(arg(rq, "NewManage"), &rg->manage))
		return fail(r, IGD_E_INVALID_ARGS);
	if (rg->lo > rg->hi)
		return fail(r, IGD_E_INCONSISTENT);
	rg->proto = (uint8_t)proto;
	return 0;
}

static bool
in_range(const struct range *rg, const struct mapping *m)
{
	return m->ext_port >= rg->lo && m->ext_port <= rg->hi &&
	       (m->proto == 0 || m->proto == rg->proto);
}

/* NewManage true lets an authorized control point see and act on all. */
static bool
managed(const struct igd *g, const struct igd_request *rq, const struct range *rg,
	const struct mapping *m)
{
	return m->int_addr == rq->client || (rg->manage && g->allow_other_hosts);
}

static void
delete_range(struct igd *g, const struct igd_request *rq, struct igd_reply *r)
{
	struct range rg;
	struct mapping m;
	unsigned found = 0, deleted = 0;

	if (parse_range(rq, &rg, r))
		return;
	for (unsigned i = 0; g->tab.at(g->tab.arg, i, &m);) {
		if (m.ext_port > rg.hi)
			break;
		if (in_range(&rg, &m)) {
			found++;
			if (managed(g, rq, &rg, &m) &&
			    g->tab.del(g->tab.arg, m.proto, m.ext_port, NULL) == MAPTABLE_OK) {
				keep_del(&g->keep, m.proto, m.ext_port);
				deleted++;
				continue;	/* the next mapping moved to index i */
			}
		}
		i++;
	}
	if (!found)
		fail(r, IGD_E_NOT_FOUND);
	else if (!deleted)
		fail(r, IGD_E_NOT_AUTHORIZED);
}

static void
put_entry(const struct igd *g, const struct igd_request *rq, const struct mapping *m,
	  struct igd_reply *r)
{
	char a[INET_ADDRSTRLEN];

	put(r, "NewInternalPort", "%u", m->int_port);
	put(r, "NewInternalClient", "%s", map_ip4_str(m->int_addr, a));
	put(r, "NewEnabled", "%u", m->enabled ? 1u : 0u);
	put(r, "NewPortMappingDescription", "%s", m->desc);
	put(r, "NewLeaseDuration", "%" PRIu32, lease_of(g, rq, m));
}

static void
get_specific(struct igd *g, const struct igd_request *rq, struct igd_reply *r)
{
	struct mapping m;

	if (lookup(g, rq, &m, r))
		put_entry(g, rq, &m, r);
}

static void
get_generic(struct igd *g, const struct igd_request *rq, struct igd_reply *r)
{
	uint16_t idx;
	struct mapping m;
	char a[INET_ADDRSTRLEN];

	if (!igd_parse_u16(arg(rq, "NewPortMappingIndex"), &idx)) {
		fail(r, IGD_E_INVALID_ARGS);
		return;
	}
	if (!g->tab.at(g->tab.arg, idx, &m)) {
		fail(r, IGD_E_INDEX_INVALID);
		return;
	}
	put(r, "NewRemoteHost", "%s", m.remote_addr ? map_ip4_str(m.remote_addr, a) : "");
	put(r, "NewExternalPort", "%u", m.ext_port);
	put(r, "NewProtocol", "%s", proto_name(m.proto));
	put_entry(g, rq, &m, r);
}

/* GetListOfPortMappings: the WANIPConnection:2 PortMappingList document. */
static void
get_list(struct igd *g, const struct igd_request *rq, struct igd_reply *r)
{
	static const char head[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<p:PortMappingList xmlns:p=\"urn:schemas-upnp-org:gw:WANIPConnection\" "
		"xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
		"xsi:schemaLocation=\"urn:schemas-upnp-org:gw:WANIPConnection "
		"http://www.upnp.org/schemas/gw/WANIPConnection-v2.xsd\">\n";
	static const char tail[] = "</p:PortMappingList>\n";
	struct range rg;
	uint16_t want;
	struct mapping m;
	size_t cap = sizeof(head) + sizeof(tail), len = 0;
	unsigned n = 0;
	char *buf = NULL;

	if (parse_range(rq, &rg, r))
		return;
	if (!igd_parse_u16(arg(rq, "NewNumberOfPorts"), &want)) {
		fail(r, IGD_E_INVALID_ARGS);
		return;
	}
	for (unsigned i = 0; g->tab.at(g->tab.arg, i, &m); i++) {
		char a[INET_ADDRSTRLEN], rh[INET_ADDRSTRLEN], d[MAPTABLE_DESC_MAX * 6 + 1];
		char e[1024];
		int el;

		if (m.ext_port > rg.hi || (want && n >= want))
			break;
		if (!in_range(&rg, &m) || !managed(g, rq, &rg, &m))
			continue;
		igd_xml_escape(m.desc, d, sizeof(d));
		el = snprintf(e, sizeof(e), "<p:PortMappingEntry>\n"
			      "<p:NewRemoteHost>%s</p:NewRemoteHost>\n"
			      "<p:NewExternalPort>%u</p:NewExternalPort>\n"
			      "<p:NewProtocol>%s</p:NewProtocol>\n"
			      "<p:NewInternalPort>%u</p:NewInternalPort>\n"
			      "<p:NewInternalClient>%s</p:NewInternalClient>\n"
			      "<p:NewEnabled>%u</p:NewEnabled>\n"
			      "<p:NewDescription>%s</p:NewDescription>\n"
			      "<p:NewLeaseTime>%" PRIu32 "</p:NewLeaseTime>\n"
			      "</p:PortMappingEntry>\n",
			      m.remote_addr ? map_ip4_str(m.remote_addr, rh) : "", m.ext_port,
			      proto_name(m.proto), m.int_port, map_ip4_str(m.int_addr, a),
			      m.enabled ? 1u : 0u, d, lease_of(g, rq, &m));
		if (el < 0 || (size_t)el >= sizeof(e))
			continue;
		if (!buf || len + (size_t)el + sizeof(tail) > cap) {
			char *nb;

			cap = (cap + (size_t)el) * 2;
			if (!(nb = realloc(buf, cap))) {
				free(buf);
				fail(r, IGD_E_ACTION_FAILED);
				return;
			}
			if (!buf)
				len = (size_t)snprintf(nb, cap, "%s", head);
			buf = nb;
		}
		memcpy(buf + len, e, (size_t)el + 1);
		len += (size_t)el;
		n++;
	}
	if (!n) {
		fail(r, IGD_E_NOT_FOUND);
		return;
	}
	memcpy(buf + len, tail, sizeof(tail));
	r->listing = buf;
	r->out[0].name = "NewPortListing";
	r->out[0].value[0] = 0;
	r->n = 1;
}

static void
get_info(struct igd *g, const struct igd_request *rq, struct igd_reply *r)
{
	char a[INET_ADDRSTRLEN];
	const char *name = rq->action;

	if (strcmp(name, "GetExternalIPAddress") == 0) {
		put(r, "NewExternalIPAddress", "%s", map_ip4_str(g->ext_addr, a));
	} else if (strcmp(name, "GetStatusInfo") == 0) {
		put(r, "NewConnectionStatus", "Connected");
		put(r, "NewLastConnectionError", "ERROR_NONE");
		put(r, "NewUptime", "%" PRIu64, rq->now > g->up_since ? rq->now - g->up_since : 0);
	} else if (strcmp(name, "GetConnectionTypeInfo") == 0) {
		put(r, "NewConnectionType", "IP_Routed");
		put(r, "NewPossibleConnectionTypes", "IP_Routed");
	} else if (strcmp(name, "GetNATRSIPStatus") == 0) {
		put(r, "NewRSIPAvailable", "0");
		put(r, "NewNATEnabled", "1");
	} else if (strcmp(name, "GetCommonLinkProperties") == 0) {
		/* the softwire's rate is not known: 0 says so (WANCommonInterfaceConfig:1) */
		put(r, "NewWANAccessType", "Ethernet");
		put(r, "NewLayer1UpstreamMaxBitRate", "0");
		put(r, "NewLayer1DownstreamMaxBitRate", "0");
		put(r, "NewPhysicalLinkStatus", "Up");
	}
}

void
igd_handle(struct igd *g, const struct igd_request *rq, struct igd_reply *r)
{
	static const struct { const char *name; void (*fn)(struct igd *,
		const struct igd_request *, struct igd_reply *); } map[] = {
		{ "AddPortMapping", add_exact },
		{ "AddAnyPortMapping", add_any },
		{ "DeletePortMapping", delete_mapping },
		{ "DeletePortMappingRange", delete_range },
		{ "GetSpecificPortMappingEntry", get_specific },
		{ "GetGenericPortMappingEntry", get_generic },
		{ "GetListOfPortMappings", get_list },
	};
	const struct igd_actiondef *a;
	size_t i;

	memset(r, 0, sizeof(*r));
	g->stats[IGD_STAT_ACTIONS]++;
	a = rq->action ? igd_action_find(rq->service, rq->version, rq->action) : NULL;
	if (!a) {
		g->stats[IGD_STAT_UNKNOWN_ACTION]++;
		g->stats[IGD_STAT_ERRORS]++;
		fail(r, IGD_E_INVALID_ACTION);
		return;
	}
	for (i = 0; i < IGD_MAX_ARGS && a->args[i].name; i++)
		if (a->args[i].dir == IGD_IN && !arg(rq, a->args[i].name)) {
			g->stats[IGD_STAT_ERRORS]++;
			fail(r, IGD_E_INVALID_ARGS);
			return;
		}
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(a->name, map[i].name) == 0)
			break;
	if (i < sizeof(map) / sizeof(map[0]))
		map[i].fn(g, rq, r);
	else
		get_info(g, rq, r);
	if (r->err)
		g->stats[IGD_STAT_ERRORS]++;
}

void
igd_reply_free(struct igd_reply *r)
{
	free(r->listing);
	r->listing = NULL;
}
