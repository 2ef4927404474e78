/* SPDX-License-Identifier: MIT */
/* UPnP IGD actions over the mapping table (RFC 6970, WANIPConnection:2). */
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smap/portmap/igd.h"
#include "smap/portmap/igd_desc.h"
#include "tests/unit/check_main.h"

#define H1	0xc0a8010a	/* 192.168.1.10 */
#define H2	0xc0a8010b	/* 192.168.1.11 */
#define NOW	1000000

/* The table the actions work on: a real maptable, as smap/portmap holds it. */
static struct maptable *tab;
static struct igd_bare bare;
static struct igd g;

static void
setup_set(struct portset ps, unsigned cap, unsigned quota)
{
	tab = maptable_new(&ps, cap, quota);
	ck_assert_ptr_nonnull(tab);
	memset(&g, 0, sizeof(g));
	bare.t = tab;
	g.tab = igd_table_bare(&bare);
	g.ext_addr = 0xc0000201;	/* 192.0.2.1 */
	g.lan_prefix = 0xc0a80100;
	g.lan_plen = 24;
	g.up_since = NOW - 100;
	bare.now = NOW;
}

static void
setup(void)
{
	setup_set(portset_range(10000, 10999), 64, 0);
}

static void
teardown(void)
{
	maptable_free(tab);
}

/* Run action with "name=value" pairs from host as IGD version v. */
static int
run(struct igd_reply *r, unsigned v, uint32_t host, const char *action, const char *const *kv)
{
	struct igd_request rq = { IGD_SVC_WANIPCONN, v, action, host, bare.now, 0, { { 0 } } };
	static char buf[IGD_MAX_ARGS + 2][160];

	for (; kv && *kv && rq.n < IGD_MAX_ARGS + 2; kv++, rq.n++) {
		char *eq;

		snprintf(buf[rq.n], sizeof(buf[rq.n]), "%s", *kv);
		eq = strchr(buf[rq.n], '=');
		ck_assert_ptr_nonnull(eq);
		*eq = 0;
		rq.args[rq.n].name = buf[rq.n];
		rq.args[rq.n].value = eq + 1;
	}
	igd_reply_free(r);
	igd_handle(&g, &rq, r);
	return r->err;
}

static const char *
out(const struct igd_reply *r, const char *name)
{
	for (unsigned i = 0; i < r->n; i++)
		if (strcmp(r->out[i].name, name) == 0)
			return r->listing && strcmp(name, "NewPortListing") == 0 ? r->listing
										: r->out[i].value;
	return NULL;
}

static int
add(struct igd_reply *r, unsigned v, uint32_t host, const char *action, const char *ext,
    const char *proto, const char *int_port, const char *client, const char *lease)
{
	char e[32], p[32], ip[32], c[48], l[40];
	const char *kv[] = { "NewRemoteHost=", e, p, ip, c, "NewEnabled=1",
			     "NewPortMappingDescription=test <app>", l, NULL };

	snprintf(e, sizeof(e), "NewExternalPort=%s", ext);
	snprintf(p, sizeof(p), "NewProtocol=%s", proto);
	snprintf(ip, sizeof(ip), "NewInternalPort=%s", int_port);
	snprintf(c, sizeof(c), "NewInternalClient=%s", client);
	snprintf(l, sizeof(l), "NewLeaseDuration=%s", lease);
	return run(r, v, host, action, kv);
}

START_TEST(test_add_inside_and_outside)
{
	struct igd_reply r = { 0 };
	const struct mapping *m;

	ck_assert_int_eq(add(&r, 2, H1, "AddPortMapping", "10080", "TCP", "80",
			     "192.168.1.10", "3600"), 0);
	m = maptable_find_ext(tab, IPPROTO_TCP, 10080);
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->int_addr, H1);
	ck_assert_uint_eq(m->int_port, 80);
	ck_assert_uint_eq(m->origin, MAP_ORIGIN_UPNP);
	ck_assert_uint_eq(m->expires, NOW + 3600);
	ck_assert_str_eq(m->desc, "test <app>");
	/* outside the set: 718, and nothing added */
	ck_assert_int_eq(add(&r, 2, H1, "AddPortMapping", "8080", "TCP", "8080",
			     "192.168.1.10", "3600"), IGD_E_CONFLICT);
	ck_assert_str_eq(r.errdesc, "ConflictInMappingEntry");
	/* held by another host: 718 */
	ck_assert_int_eq(add(&r, 2, H2, "AddPortMapping", "10080", "TCP", "81",
			     "192.168.1.11", "3600"), IGD_E_CONFLICT);
	/* same endpoint again: an update that keeps the port */
	ck_assert_int_eq(add(&r, 2, H1, "AddPortMapping", "10080", "TCP", "80",
			     "192.168.1.10", "60"), 0);
	ck_assert_uint_eq(maptable_find_ext(tab, IPPROTO_TCP, 10080)->expires, NOW + 60);
	/* same endpoint under another port: 718, the first one untouched */
	ck_assert_int_eq(add(&r, 2, H1, "AddPortMapping", "10081", "TCP", "80",
			     "192.168.1.10", "7200"), IGD_E_CONFLICT);
	ck_assert_uint_eq(maptable_find_ext(tab, IPPROTO_TCP, 10080)->expires, NOW + 60);
	ck_assert_uint_eq(maptable_count(tab), 1);
	igd_reply_free(&r);
}
END_TEST

START_TEST(test_add_checks)
{
	struct igd_reply r = { 0 };

	/* a control point acts for its own address only: 606 */
	ck_assert_int_eq(add(&r, 2, H2, "AddPortMapping", "10080", "TCP", "80",
			     "192.168.1.10", "0"), IGD_E_NOT_AUTHORIZED);
	ck_assert_str_eq(r.errdesc, "Action not authorized");
	g.allow_other_hosts = true;
	ck_assert_int_eq(add(&r, 2, H2, "AddPortMapping", "10080", "TCP", "80",
			     "192.168.1.10", "0"), 0);
	/* not on the LAN */
	ck_assert_int_eq(add(&r, 2, H2, "AddPortMapping", "10081", "TCP", "80",
			     "10.1.1.1", "0"), IGD_E_INVALID_ARGS);
	/* wildcards */
	ck_assert_int_eq(add(&r, 2, H1, "AddPortMapping", "0", "TCP", "80",
			     "192.168.1.10", "0"), IGD_E_WILDCARD_EXT_PORT);
	ck_assert_int_eq(add(&r, 2, H1, "AddPortMapping", "10082", "TCP", "0",
			     "192.168.1.10", "0"), IGD_E_WILDCARD_INT_PORT);
	ck_assert_int_eq(add(&r, 1, H1, "AddPortMapping", "10082", "TCP", "0",
			     "192.168.1.10", "0"), IGD_E_INVALID_ARGS);
	/* bad values */
	ck_assert_int_eq(add(&r, 2, H1, "AddPortMapping", "10082", "SCTP", "80",
			     "192.168.1.10", "0"), IGD_E_INVALID_ARGS);
	ck_assert_int_eq(add(&r, 2, H1, "AddPortMapping", "70000", "TCP", "80",
			     "192.168.1.10", "0"), IGD_E_INVALID_ARGS);
	ck_assert_int_eq(add(&r, 2, H1, "AddPortMapping", "10082", "TCP", "80",
			     "192.168.1.10", "-5"), IGD_E_INVALID_ARGS);
	ck_assert_int_eq(add(&r, 2, H1, "AddPortMapping", "10082", "TCP", "80x",
			     "192.168.1.10", "5"), IGD_E_INVALID_ARGS);
	/* a missing argument */
	ck_assert_int_eq(run(&r, 2, H1, "AddPortMapping", (const char *[]){ "NewExternalPort=1",
			     NULL }), IGD_E_INVALID_ARGS);
	ck_assert_uint_eq(maptable_count(tab), 1);
	igd_reply_free(&r);
}
END_TEST

START_TEST(test_lease)
{
	struct igd_reply r = { 0 };
	const char *const key[] = { "NewRemoteHost=", "NewExternalPort=10080",
				    "NewProtocol=TCP", NULL };

	/* IGD:2 lease 0 and leases above the maximum are the maximum */
	ck_assert_int_eq(add(&r, 2, H1, "AddPortMapping", "10080", "TCP", "80",
			     "192.168.1.10", "0"), 0);
	ck_assert_uint_eq(maptable_find_ext(tab, IPPROTO_TCP, 10080)->expires, NOW + IGD_MAX_LEASE);
	ck_assert_int_eq(add(&r, 2, H1, "AddPortMapping", "10081", "TCP", "81",
			     "192.168.1.10", "9999999"), 0);
	ck_assert_uint_eq(maptable_find_ext(tab, IPPROTO_TCP, 10081)->expires, NOW + IGD_MAX_LEASE);
	ck_assert_int_eq(run(&r, 1, H1, "GetSpecificPortMappingEntry", key), 0);
	ck_assert_str_eq(out(&r, "NewLeaseDuration"), "604800");
	ck_assert_uint_eq(igd_tick(&g, NOW + IGD_MAX_LEASE - 10), 0);

	/* IGD:1 lease 0: permanent, i.e. 604800 kept alive by renewals */
	ck_assert_int_eq(add(&r, 1, H1, "AddPortMapping", "10080", "TCP", "80",
			     "192.168.1.10", "0"), 0);
	ck_assert_int_eq(run(&r, 1, H1, "GetSpecificPortMappingEntry", key), 0);
	ck_assert_str_eq(out(&r, "NewLeaseDuration"), "0");
	ck_assert_int_eq(run(&r, 2, H1, "GetSpecificPortMappingEntry", key), 0);
	ck_assert_str_eq(out(&r, "NewLeaseDuration"), "604800");
	ck_assert_uint_eq(igd_tick(&g, NOW + 1000), 0);		/* more than half left */
	bare.now = NOW + IGD_MAX_LEASE - 100;
	ck_assert_uint_eq(igd_tick(&g, bare.now), 1);
	ck_assert_uint_eq(maptable_find_ext(tab, IPPROTO_TCP, 10080)->expires, bare.now + IGD_MAX_LEASE);
	ck_assert_uint_eq(maptable_expire(tab, NOW + IGD_MAX_LEASE + 1, NULL, NULL), 1);
	ck_assert_ptr_nonnull(maptable_find_ext(tab, IPPROTO_TCP, 10080));
	/* a lease asked again ends the permanence */
	ck_assert_int_eq(add(&r, 1, H1, "AddPortMapping", "10080", "TCP", "80",
			     "192.168.1.10", "30"), 0);
	ck_assert_int_eq(run(&r, 1, H1, "GetSpecificPortMappingEntry", key), 0);
	ck_assert_str_eq(out(&r, "NewLeaseDuration"), "30");
	ck_assert_uint_eq(igd_tick(&g, bare.now + 20), 0);
	ck_assert_uint_eq(g.keep.n, 0);
	igd_reply_free(&r);
}
END_TEST

START_TEST(test_add_any)
{
	struct igd_reply r = { 0 };

	/* asked outside the set: a port of the set */
	ck_assert_int_eq(add(&r, 2, H1, "AddAnyPortMapping", "8080", "TCP", "8080",
			     "192.168.1.10", "3600"), 0);
	ck_assert_str_eq(out(&r, "NewReservedPort"), "10000");
	/* the one asked for when free */
	ck_assert_int_eq(add(&r, 2, H1, "AddAnyPortMapping", "10500", "UDP", "53",
			     "192.168.1.10", "3600"), 0);
	ck_assert_str_eq(out(&r, "NewReservedPort"), "10500");
	/* taken: the next free */
	ck_assert_int_eq(add(&r, 2, H2, "AddAnyPortMapping", "10500", "UDP", "53",
			     "192.168.1.11", "3600"), 0);
	ck_assert_str_eq(out(&r, "NewReservedPort"), "10501");
	/* IGD:1 has no AddAnyPortMapping */
	ck_assert_int_eq(add(&r, 1, H2, "AddAnyPortMapping", "10500", "UDP", "54",
			     "192.168.1.11", "3600"), IGD_E_INVALID_ACTION);
	igd_reply_free(&r);
}
END_TEST

START_TEST(test_no_port_maps)
{
	struct igd_reply r = { 0 };

	teardown();
	setup_set(portset_range(10000, 10001), 64, 0);
	ck_assert_int_eq(add(&r, 2, H1, "AddAnyPortMapping", "0", "TCP", "1",
			     "192.168.1.10", "60"), 0);
	ck_assert_int_eq(add(&r, 2, H1, "AddAnyPortMapping", "0", "TCP", "2",
			     "192.168.1.10", "60"), 0);
	ck_assert_int_eq(add(&r, 2, H1, "AddAnyPortMapping", "0", "TCP", "3",
			     "192.168.1.10", "60"), IGD_E_NO_PORT_MAPS);
	ck_assert_str_eq(r.errdesc, "NoPortMapsAvailable");
	/* the other protocol still has both */
	ck_assert_int_eq(add(&r, 2, H1, "AddAnyPortMapping", "0", "UDP", "3",
			     "192.168.1.10", "60"), 0);
	/* a quota is NoPortMapsAvailable too */
	teardown();
	setup_set(portset_range(10000, 10999), 64, 1);
	ck_assert_int_eq(add(&r, 2, H1, "AddPortMapping", "10000", "TCP", "1",
			     "192.168.1.10", "60"), 0);
	ck_assert_int_eq(add(&r, 2, H1, "AddPortMapping", "10001", "TCP", "2",
			     "192.168.1.10", "60"), IGD_E_NO_PORT_MAPS);
	igd_reply_free(&r);
}
END_TEST

START_TEST(test_pcp_mapping_visible)
{
	struct igd_reply r = { 0 };
	struct mapping p = { .proto = 0, .origin = MAP_ORIGIN_PCP, .ext_port = 10010,
			     .int_addr = H2, .int_port = 5000, .enabled = true };
	const char *const key[] = { "NewRemoteHost=", "NewExternalPort=10010",
				    "NewProtocol=UDP", NULL };
	const char *const idx[] = { "NewPortMappingIndex=0", NULL };

	/* a PCP "all protocols" mapping holds the port for UPnP's TCP and UDP */
	ck_assert_int_eq(maptable_add(tab, &p, 120, false, true, NOW, NULL), MAPTABLE_OK);
	ck_assert_int_eq(add(&r, 2, H1, "AddPortMapping", "10010", "UDP", "80",
			     "192.168.1.10", "60"), IGD_E_CONFLICT);
	ck_assert_int_eq(add(&r, 2, H1, "AddAnyPortMapping", "10010", "UDP", "80",
			     "192.168.1.10", "60"), 0);
	ck_assert_str_eq(out(&r, "NewReservedPort"), "10011");
	ck_assert_int_eq(run(&r, 2, H1, "GetSpecificPortMappingEntry", key), 0);
	ck_assert_str_eq(out(&r, "NewInternalClient"), "192.168.1.11");
	ck_assert_str_eq(out(&r, "NewInternalPort"), "5000");
	ck_assert_str_eq(out(&r, "NewLeaseDuration"), "120");
	ck_assert_int_eq(run(&r, 2, H1, "GetGenericPortMappingEntry", idx), 0);
	ck_assert_str_eq(out(&r, "NewExternalPort"), "10010");
	/* H1 may not delete H2's mapping */
	ck_assert_int_eq(run(&r, 2, H1, "DeletePortMapping", key), IGD_E_NOT_AUTHORIZED);
	ck_assert_int_eq(run(&r, 2, H2, "DeletePortMapping", key), 0);
	ck_assert_ptr_null(maptable_find_ext(tab, 0, 10010));
	igd_reply_free(&r);
}
END_TEST

START_TEST(test_delete)
{
	struct igd_reply r = { 0 };
	const char *const key[] = { "NewRemoteHost=", "NewExternalPort=10080",
				    "NewProtocol=TCP", NULL };
	const char *const udp[] = { "NewRemoteHost=", "NewExternalPort=10080",
				    "NewProtocol=UDP", NULL };

	ck_assert_int_eq(add(&r, 1, H1, "AddPortMapping", "10080", "TCP", "80",
			     "192.168.1.10", "0"), 0);
	ck_assert_int_eq(run(&r, 1, H1, "DeletePortMapping", udp), IGD_E_NO_SUCH_ENTRY);
	ck_assert_str_eq(r.errdesc, "NoSuchEntryInArray");
	ck_assert_int_eq(run(&r, 1, H2, "DeletePortMapping", key), IGD_E_NOT_AUTHORIZED);
	ck_assert_int_eq(run(&r, 1, H1, "DeletePortMapping", key), 0);
	ck_assert_uint_eq(maptable_count(tab), 0);
	ck_assert_uint_eq(g.keep.n, 0);
	ck_assert_int_eq(run(&r, 1, H1, "DeletePortMapping", key), IGD_E_NO_SUCH_ENTRY);
	ck_assert_int_eq(run(&r, 1, H1, "GetSpecificPortMappingEntry", key), IGD_E_NO_SUCH_ENTRY);
	igd_reply_free(&r);
}
END_TEST

START_TEST(test_delete_range)
{
	struct igd_reply r = { 0 };
	const char *const range[] = { "NewStartPort=10000", "NewEndPort=10002",
				      "NewProtocol=TCP", "NewManage=1", NULL };
	const char *const bad[] = { "NewStartPort=10005", "NewEndPort=10002",
				    "NewProtocol=TCP", "NewManage=0", NULL };

	for (unsigned i = 0; i < 4; i++) {
		char ext[8], ip[8];

		snprintf(ext, sizeof(ext), "%u", 10000 + i);
		snprintf(ip, sizeof(ip), "%u", 80 + i);
		ck_assert_int_eq(add(&r, 2, H1, "AddPortMapping", ext, "TCP", ip,
				     "192.168.1.10", "60"), 0);
	}
	g.allow_other_hosts = true;
	ck_assert_int_eq(add(&r, 2, H2, "AddPortMapping", "10001", "UDP", "90",
			     "192.168.1.11", "60"), 0);
	g.allow_other_hosts = false;
	ck_assert_int_eq(run(&r, 2, H1, "DeletePortMappingRange", bad), IGD_E_INCONSISTENT);
	ck_assert_int_eq(run(&r, 2, H2, "DeletePortMappingRange", range), IGD_E_NOT_AUTHORIZED);
	ck_assert_int_eq(run(&r, 2, H1, "DeletePortMappingRange", range), 0);
	ck_assert_uint_eq(maptable_count(tab), 2);	/* 10003/TCP and 10001/UDP */
	ck_assert_ptr_nonnull(maptable_find_ext(tab, IPPROTO_TCP, 10003));
	ck_assert_ptr_nonnull(maptable_find_ext(tab, IPPROTO_UDP, 10001));
	ck_assert_int_eq(run(&r, 2, H1, "DeletePortMappingRange", range), IGD_E_NOT_FOUND);
	ck_assert_str_eq(r.errdesc, "PortMappingNotFound");
	igd_reply_free(&r);
}
END_TEST

START_TEST(test_generic_and_list)
{
	struct igd_reply r = { 0 };
	const char *const idx2[] = { "NewPortMappingIndex=2", NULL };
	const char *const idx3[] = { "NewPortMappingIndex=3", NULL };
	const char *const list[] = { "NewStartPort=0", "NewEndPort=65535", "NewProtocol=TCP",
				     "NewManage=1", "NewNumberOfPorts=0", NULL };
	const char *const list1[] = { "NewStartPort=10000", "NewEndPort=10999",
				      "NewProtocol=TCP", "NewManage=0", "NewNumberOfPorts=1", NULL };
	const char *l;

	ck_assert_int_eq(add(&r, 2, H1, "AddPortMapping", "10200", "TCP", "80",
			     "192.168.1.10", "60"), 0);
	ck_assert_int_eq(add(&r, 2, H1, "AddPortMapping", "10100", "TCP", "81",
			     "192.168.1.10", "60"), 0);
	ck_assert_int_eq(add(&r, 2, H2, "AddPortMapping", "10150", "TCP", "82",
			     "192.168.1.11", "60"), 0);
	/* in port order */
	ck_assert_int_eq(run(&r, 1, H1, "GetGenericPortMappingEntry", idx2), 0);
	ck_assert_str_eq(out(&r, "NewExternalPort"), "10200");
	ck_assert_str_eq(out(&r, "NewProtocol"), "TCP");
	ck_assert_str_eq(out(&r, "NewRemoteHost"), "");
	ck_assert_str_eq(out(&r, "NewPortMappingDescription"), "test <app>");
	ck_assert_int_eq(run(&r, 1, H1, "GetGenericPortMappingEntry", idx3), IGD_E_INDEX_INVALID);
	/* the listing: H1's own only (not allowed to manage others), escaped */
	ck_assert_int_eq(run(&r, 2, H1, "GetListOfPortMappings", list), 0);
	l = out(&r, "NewPortListing");
	ck_assert_ptr_nonnull(strstr(l, "<p:PortMappingList "));
	ck_assert_ptr_nonnull(strstr(l, "<p:NewExternalPort>10100</p:NewExternalPort>"));
	ck_assert_ptr_nonnull(strstr(l, "<p:NewExternalPort>10200</p:NewExternalPort>"));
	ck_assert_ptr_null(strstr(l, "10150"));
	ck_assert_ptr_nonnull(strstr(l, "<p:NewDescription>test &lt;app&gt;</p:NewDescription>"));
	ck_assert_ptr_nonnull(strstr(l, "</p:PortMappingList>"));
	g.allow_other_hosts = true;
	ck_assert_int_eq(run(&r, 2, H1, "GetListOfPortMappings", list), 0);
	ck_assert_ptr_nonnull(strstr(out(&r, "NewPortListing"), "10150"));
	ck_assert_int_eq(run(&r, 2, H1, "GetListOfPortMappings", list1), 0);
	l = out(&r, "NewPortListing");
	ck_assert_ptr_nonnull(strstr(l, "10100"));
	ck_assert_ptr_null(strstr(l, "10200"));
	ck_assert_int_eq(run(&r, 2, H2, "GetListOfPortMappings", (const char *[]){
			 "NewStartPort=1", "NewEndPort=2", "NewProtocol=TCP", "NewManage=0",
			 "NewNumberOfPorts=0", NULL }), IGD_E_NOT_FOUND);
	igd_reply_free(&r);
}
END_TEST

START_TEST(test_info_and_unknown)
{
	struct igd_reply r = { 0 };
	struct igd_request rq = { IGD_SVC_WANCIF, 1, "GetCommonLinkProperties", H1, NOW, 0,
				  { { 0 } } };

	ck_assert_int_eq(run(&r, 1, H1, "GetExternalIPAddress", NULL), 0);
	ck_assert_str_eq(out(&r, "NewExternalIPAddress"), "192.0.2.1");
	ck_assert_int_eq(run(&r, 2, H1, "GetStatusInfo", NULL), 0);
	ck_assert_str_eq(out(&r, "NewConnectionStatus"), "Connected");
	ck_assert_str_eq(out(&r, "NewUptime"), "100");
	ck_assert_int_eq(run(&r, 2, H1, "GetConnectionTypeInfo", NULL), 0);
	ck_assert_str_eq(out(&r, "NewConnectionType"), "IP_Routed");
	ck_assert_int_eq(run(&r, 2, H1, "GetNATRSIPStatus", NULL), 0);
	ck_assert_str_eq(out(&r, "NewNATEnabled"), "1");
	ck_assert_str_eq(out(&r, "NewRSIPAvailable"), "0");
	igd_handle(&g, &rq, &r);
	ck_assert_int_eq(r.err, 0);
	ck_assert_str_eq(out(&r, "NewPhysicalLinkStatus"), "Up");
	/* an action of the other service, an unknown one, none */
	ck_assert_int_eq(run(&r, 2, H1, "GetCommonLinkProperties", NULL), IGD_E_INVALID_ACTION);
	ck_assert_int_eq(run(&r, 2, H1, "FormatHardDisk", NULL), IGD_E_INVALID_ACTION);
	ck_assert_str_eq(r.errdesc, "Invalid Action");
	ck_assert_int_eq(run(&r, 2, H1, NULL, NULL), IGD_E_INVALID_ACTION);
	ck_assert_uint_eq(g.stats[IGD_STAT_UNKNOWN_ACTION], 3);
	igd_reply_free(&r);
}
END_TEST

START_TEST(test_helpers)
{
	enum igd_service svc;
	unsigned v;
	uint16_t p;
	bool b;
	char buf[16];

	ck_assert(igd_service_of_urn("urn:schemas-upnp-org:service:WANIPConnection:1", &svc, &v));
	ck_assert_uint_eq(v, 1);
	ck_assert(igd_service_of_urn("urn:schemas-upnp-org:service:WANIPConnection:2", &svc, &v));
	ck_assert_uint_eq(v, 2);
	ck_assert_int_eq(svc, IGD_SVC_WANIPCONN);
	ck_assert(igd_service_of_urn("urn:schemas-upnp-org:service:WANCommonInterfaceConfig:1",
				     &svc, &v));
	ck_assert_int_eq(svc, IGD_SVC_WANCIF);
	ck_assert(!igd_service_of_urn("urn:schemas-upnp-org:service:WANIPConnection:3", &svc, &v));
	ck_assert(!igd_service_of_urn("urn:schemas-upnp-org:service:WANIPConnection:", &svc, &v));
	ck_assert(!igd_service_of_urn(NULL, &svc, &v));
	ck_assert(igd_parse_u16(" 65535 ", &p) && p == 65535);
	ck_assert(!igd_parse_u16("65536", &p));
	ck_assert(!igd_parse_u16("", &p));
	ck_assert(!igd_parse_u16("+1", &p));
	ck_assert(igd_parse_bool("true", &b) && b);
	ck_assert(igd_parse_bool("0", &b) && !b);
	ck_assert(!igd_parse_bool("2", &b));
	ck_assert_uint_eq(igd_xml_escape("a<&>", buf, sizeof(buf)), 14);
	ck_assert_str_eq(buf, "a&lt;&amp;&gt;");
	ck_assert_uint_eq(igd_xml_escape("<<<<", buf, 10), 8);	/* whole entities only */
	ck_assert_str_eq(buf, "&lt;&lt;");
}
END_TEST

/* The documents: every action in the SCPD, the version in the device description. */
START_TEST(test_desc)
{
	char *d = igd_device_desc(2, "0-1", "SMAP <1>");
	char *s = igd_scpd(IGD_SVC_WANIPCONN, 2), *s1 = igd_scpd(IGD_SVC_WANIPCONN, 1);

	ck_assert_ptr_nonnull(d);
	ck_assert_ptr_nonnull(strstr(d, "urn:schemas-upnp-org:device:InternetGatewayDevice:2"));
	ck_assert_ptr_nonnull(strstr(d, "urn:schemas-upnp-org:service:WANIPConnection:2"));
	ck_assert_ptr_nonnull(strstr(d, "<friendlyName>SMAP &lt;1&gt;</friendlyName>"));
	ck_assert_ptr_nonnull(strstr(d, "<UDN>uuid:0-1-2</UDN>"));
	for (const struct igd_actiondef *a = igd_actions; a->name; a++) {
		char tag[80];

		if (a->service != IGD_SVC_WANIPCONN)
			continue;
		snprintf(tag, sizeof(tag), "<name>%s</name>", a->name);
		ck_assert_ptr_nonnull(strstr(s, tag));
		ck_assert(a->min_version == 1 ? strstr(s1, tag) != NULL : strstr(s1, tag) == NULL);
	}
	ck_assert_ptr_nonnull(strstr(s, "<name>NewReservedPort</name><direction>out</direction>"));
	ck_assert_ptr_nonnull(strstr(s, "<stateVariable sendEvents=\"yes\"><name>PortMappingNumberOfEntries</name>"));
	ck_assert_ptr_nonnull(strstr(s, "<allowedValue>UDP</allowedValue>"));
	ck_assert_ptr_null(strstr(s1, "SystemUpdateID"));
	free(d);
	free(s);
	free(s1);
}
END_TEST

static Suite *
igd_suite(void)
{
	Suite *s = suite_create("igd");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_add_inside_and_outside);
	tcase_add_test(tc, test_add_checks);
	tcase_add_test(tc, test_lease);
	tcase_add_test(tc, test_add_any);
	tcase_add_test(tc, test_no_port_maps);
	tcase_add_test(tc, test_pcp_mapping_visible);
	tcase_add_test(tc, test_delete);
	tcase_add_test(tc, test_delete_range);
	tcase_add_test(tc, test_generic_and_list);
	tcase_add_test(tc, test_info_and_unknown);
	tcase_add_test(tc, test_helpers);
	tcase_add_test(tc, test_desc);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(igd_suite());
}
