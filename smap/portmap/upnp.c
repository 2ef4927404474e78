/* SPDX-License-Identifier: MIT */
/*
 * The UPnP IGD on the SMAP's LAN: libupnp (pupnp) does SSDP, HTTP and
 * SOAP; this file writes the descriptions into a directory that
 * libupnp's web server serves, turns each SOAP action into an
 * igd_request for common/igd.c, and answers with its reply or its UPnP
 * error. The mappings live in the table smap/portmap.c owns, shared with
 * PCP and NAT-PMP.
 *
 * libupnp calls upnp_event from its own threads: one mutex guards the
 * igd state (IGD:1 keep-alive list, counters); portmap has its own.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <upnp.h>
#include <upnptools.h>

#include "smap/portmap/igd.h"
#include "smap/portmap/igd_desc.h"
#include "log.h"
#include "smap/portmap/portmap.h"
#include "smap/smap.h"
#include "smap/portmap/upnp.h"
#include "smap/portmap/upnp_soap.h"

#define UPNP_MAX_CONTENT	16384	/* larger SOAP bodies are refused by libupnp */
#define UPNP_TICK_SECONDS	60

static struct {
	bool running;
	struct smap *s;
	UpnpDevice_Handle dev;
	char dir[64];			/* description files, removed at stop */
	char uuid[48];
	pthread_mutex_t lock;
	struct igd igd;
	uint64_t last_tick;
} up = { .lock = PTHREAD_MUTEX_INITIALIZER, .dev = -1 };

/* ---- the table, through portmap ---- */

static enum maptable_result
tab_add(void *arg, const struct mapping *want, uint32_t lifetime, bool exact,
	struct mapping *out)
{
	return portmap_add(arg, want, lifetime, false, exact, out);
}

static enum maptable_result
tab_del(void *arg, uint8_t proto, uint16_t ext_port, struct mapping *out)
{
	return portmap_del(arg, proto, ext_port, NULL, out);
}

static bool
tab_at(void *arg, unsigned i, struct mapping *out)
{
	return portmap_at(arg, i, out);
}

static bool
tab_find_ext(void *arg, uint8_t proto, uint16_t ext_port, struct mapping *out)
{
	return portmap_find_ext(arg, proto, ext_port, out);
}

static bool
tab_find_int(void *arg, uint8_t proto, uint32_t int_addr, uint16_t int_port,
	     struct mapping *out)
{
	return portmap_find_int(arg, proto, int_addr, int_port, out);
}

/* ---- SOAP actions ---- */

static uint32_t
client_addr(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr);
	if (ss->ss_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)ss)->sin6_addr;
		uint32_t v;

		if (IN6_IS_ADDR_V4MAPPED(a)) {
			memcpy(&v, &a->s6_addr[12], 4);
			return ntohl(v);
		}
	}
	return 0;	/* matches no LAN host */
}

static void
action_error(UpnpActionRequest *a, int code, const char *desc)
{
	UpnpActionRequest_set_ErrCode(a, code);
	UpnpActionRequest_strcpy_ErrStr(a, desc);
	UpnpActionRequest_set_ActionResult(a, NULL);
}

/*
 * NewPortListing is an XML document: sent as CDATA, as miniupnpd does, for
 * control points (miniupnpc) that do not decode entities in a value.
 */
static bool
add_cdata(IXML_Document *doc, const char *name, const char *text)
{
	IXML_Node *resp = upnp_first_element(ixmlNode_getFirstChild(&doc->n));
	IXML_Element *el = ixmlDocument_createElement(doc, name);
	IXML_CDATASection *cd = ixmlDocument_createCDATASection(doc, text);
	bool ok = resp && el && cd && ixmlNode_appendChild(&el->n, &cd->n) == IXML_SUCCESS &&
		  ixmlNode_appendChild(resp, &el->n) == IXML_SUCCESS;

	if (!ok) {
		if (cd && !ixmlNode_getParentNode(&cd->n))
			ixmlNode_free(&cd->n);
		if (el && !ixmlNode_getParentNode(&el->n))
			ixmlNode_free(&el->n);
	}
	return ok;
}

static void
on_action(UpnpActionRequest *a)
{
	const char *sid = UpnpActionRequest_get_ServiceID_cstr(a);
	IXML_Document *doc = UpnpActionRequest_get_ActionRequest(a);
	struct igd_request rq = { 0 };
	struct igd_reply r;
	char urn[80];
	IXML_Document *resp;
	bool ok;

	rq.service = strcmp(sid, igd_service_id(IGD_SVC_WANCIF)) == 0 ? IGD_SVC_WANCIF
								    : IGD_SVC_WANIPCONN;
	rq.version = rq.service == IGD_SVC_WANCIF ? 1 : up.s->cfg.upnp.version;
	rq.action = UpnpActionRequest_get_ActionName_cstr(a);
	rq.client = client_addr(UpnpActionRequest_get_CtrlPtIPAddr(a));
	rq.now = portmap_now();
	if (!upnp_soap_read(doc, &rq)) {
		action_error(a, IGD_E_INVALID_ARGS, igd_err_name(IGD_E_INVALID_ARGS));
		return;
	}
	pthread_mutex_lock(&up.lock);
	igd_handle(&up.igd, &rq, &r);
	pthread_mutex_unlock(&up.lock);
	if (r.err) {
		log_debug("upnp: %s from %08x: %d %s", rq.action, rq.client, r.err, r.errdesc);
		action_error(a, r.err, r.errdesc);
		return;
	}
	snprintf(urn, sizeof(urn), "urn:schemas-upnp-org:service:%s:%u",
		 rq.service == IGD_SVC_WANCIF ? "WANCommonInterfaceConfig" : "WANIPConnection",
		 rq.version);
	resp = UpnpMakeActionResponse(rq.action, urn, 0, NULL);
	for (unsigned i = 0; resp && i < r.n; i++) {
		if (r.listing && strcmp(r.out[i].name, "NewPortListing") == 0)
			ok = add_cdata(resp, r.out[i].name, r.listing);
		else
			ok = UpnpAddToActionResponse(&resp, rq.action, urn, r.out[i].name,
						     r.out[i].value) == UPNP_E_SUCCESS;
		if (!ok) {
			ixmlDocument_free(resp);
			resp = NULL;
		}
	}
	igd_reply_free(&r);
	if (!resp) {
		action_error(a, IGD_E_ACTION_FAILED, igd_err_name(IGD_E_ACTION_FAILED));
		return;
	}
	UpnpActionRequest_set_ErrCode(a, UPNP_E_SUCCESS);
	UpnpActionRequest_set_ActionResult(a, resp);
}

/* GENA: the initial values of the evented variables. */
static void
on_subscribe(const UpnpSubscriptionRequest *sr)
{
	const char *sid = UpnpSubscriptionRequest_get_ServiceId_cstr(sr);
	char addr[INET_ADDRSTRLEN], count[16];
	uint32_t ext = htonl(portmap_ext_addr(up.s));

	if (strcmp(sid, igd_service_id(IGD_SVC_WANCIF)) == 0) {
		const char *names[] = { "PhysicalLinkStatus" }, *vals[] = { "Up" };

		UpnpAcceptSubscription(up.dev, UpnpSubscriptionRequest_get_UDN_cstr(sr), sid,
				       names, vals, 1, UpnpSubscriptionRequest_get_SID_cstr(sr));
	} else {
		const char *names[] = { "PossibleConnectionTypes", "ConnectionStatus",
					"ExternalIPAddress", "PortMappingNumberOfEntries" };
		const char *vals[] = { "IP_Routed", "Connected", addr, count };

		inet_ntop(AF_INET, &ext, addr, sizeof(addr));
		snprintf(count, sizeof(count), "%u", portmap_count(up.s));
		UpnpAcceptSubscription(up.dev, UpnpSubscriptionRequest_get_UDN_cstr(sr), sid,
				       names, vals, 4, UpnpSubscriptionRequest_get_SID_cstr(sr));
	}
}

static int
upnp_event(Upnp_EventType type, const void *ev, void *cookie)
{
	switch (type) {
	case UPNP_CONTROL_ACTION_REQUEST:
		on_action((UpnpActionRequest *)ev);
		break;
	case UPNP_EVENT_SUBSCRIPTION_REQUEST:
		on_subscribe(ev);
		break;
	case UPNP_CONTROL_GET_VAR_REQUEST:
		/* QueryStateVariable is deprecated (UDA 1.1): Invalid Action */
		UpnpStateVarRequest_set_ErrCode((UpnpStateVarRequest *)ev, IGD_E_INVALID_ACTION);
		break;
	default:
		break;
	}
	return 0;
}

/* ---- description files ---- */

static const char *const files[] = { IGD_DESC_PATH, IGD_SCPD_IPCONN, IGD_SCPD_CIF };

static int
write_file(const char *name, char *text)
{
	char path[128];
	FILE *f;
	int rc = -1;

	if (!text)
		return -1;
	snprintf(path, sizeof(path), "%s%s", up.dir, name);
	if ((f = fopen(path, "w"))) {
		rc = fputs(text, f) < 0 ? -1 : 0;
		if (fclose(f) != 0)
			rc = -1;
	}
	if (rc < 0)
		log_warn("upnp: %s", path);
	free(text);
	return rc;
}

static void
remove_files(void)
{
	char path[128];

	if (!up.dir[0])
		return;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", up.dir, files[i]);
		unlink(path);
	}
	rmdir(up.dir);
	up.dir[0] = 0;
}

static int
write_files(const struct upnp_config *u)
{
	snprintf(up.dir, sizeof(up.dir), "/tmp/smap-upnp.XXXXXX");
	if (!mkdtemp(up.dir)) {
		log_warn("upnp: mkdtemp %s", up.dir);
		up.dir[0] = 0;
		return -1;
	}
	if (write_file(IGD_DESC_PATH, igd_device_desc(u->version, up.uuid, u->friendly_name)) ||
	    write_file(IGD_SCPD_IPCONN, igd_scpd(IGD_SVC_WANIPCONN, u->version)) ||
	    write_file(IGD_SCPD_CIF, igd_scpd(IGD_SVC_WANCIF, 1)))
		return -1;
	return 0;
}

/* ---- start, stop, tick ---- */

int
upnp_start(struct smap *s)
{
	const struct upnp_config *u = &s->cfg.upnp;
	char url[128];
	int rc;

	if (!u->enable || up.running)
		return 0;
	up.s = s;
	if (u->uuid[0])
		snprintf(up.uuid, sizeof(up.uuid), "%s", u->uuid);
	else	/* stable across restarts: from the shared and LAN addresses */
		snprintf(up.uuid, sizeof(up.uuid), "5a4d4150-6967-4400-8000-%04x%08x",
			 s->cfg.lan_prefix >> 16, s->live.params.ipv4);
	memset(&up.igd, 0, sizeof(up.igd));
	up.igd.tab = (struct igd_table){ s, tab_add, tab_del, tab_at, tab_find_ext, tab_find_int };
	up.igd.ext_addr = portmap_ext_addr(s);
	up.igd.lan_prefix = s->cfg.lan_prefix;
	up.igd.lan_plen = s->cfg.lan_plen;
	up.igd.allow_other_hosts = u->allow_other_hosts;
	up.igd.up_since = portmap_now();
	if (write_files(u) < 0)
		goto fail;
	if ((rc = UpnpInit2(s->cfg.lan_if, (unsigned short)u->http_port)) != UPNP_E_SUCCESS) {
		log_warnx("upnp: cannot start on %s port %u: %s", s->cfg.lan_if, u->http_port,
			  UpnpGetErrorMessage(rc));
		goto fail;
	}
	up.running = true;
	if (nat_guard_tcp(s, 0, UpnpGetServerPort()) < 0 ||
	    nat_guard_tcp(s, 1, UpnpGetServerPort6()) < 0)
		log_warnx("upnp: cannot close its HTTP port to the WAN");
	UpnpSetMaxContentLength(UPNP_MAX_CONTENT);
	if ((rc = UpnpSetWebServerRootDir(up.dir)) != UPNP_E_SUCCESS)
		goto upnp_fail;
	snprintf(url, sizeof(url), "http://%s:%u%s", UpnpGetServerIpAddress(),
		 UpnpGetServerPort(), IGD_DESC_PATH);
	if ((rc = UpnpRegisterRootDevice(url, upnp_event, NULL, &up.dev)) != UPNP_E_SUCCESS)
		goto upnp_fail;
	if ((rc = UpnpSendAdvertisement(up.dev, (int)u->max_age)) != UPNP_E_SUCCESS)
		goto upnp_fail;
	log_info("upnp: InternetGatewayDevice:%u at %s", u->version, url);
	return 0;
upnp_fail:
	log_warnx("upnp: %s", UpnpGetErrorMessage(rc));
fail:
	upnp_stop();
	return -1;
}

void
upnp_stop(void)
{
	if (up.running) {
		if (up.dev >= 0)
			UpnpUnRegisterRootDevice(up.dev);	/* ssdp:byebye */
		UpnpFinish();
		log_info("upnp: stopped (%llu actions, %llu errors, %llu renewals)",
			 (unsigned long long)up.igd.stats[IGD_STAT_ACTIONS],
			 (unsigned long long)up.igd.stats[IGD_STAT_ERRORS],
			 (unsigned long long)up.igd.stats[IGD_STAT_RENEWED]);
	}
	up.dev = -1;
	up.running = false;
	remove_files();
}

void
upnp_tick(void)
{
	uint64_t now;

	if (!up.running)
		return;
	now = portmap_now();
	if (now - up.last_tick < UPNP_TICK_SECONDS)
		return;
	up.last_tick = now;
	pthread_mutex_lock(&up.lock);
	igd_tick(&up.igd, now);
	pthread_mutex_unlock(&up.lock);
}

void
upnp_stats(FILE *f)
{
	uint64_t v[IGD_STAT_MAX];

	pthread_mutex_lock(&up.lock);
	memcpy(v, up.igd.stats, sizeof(v));
	pthread_mutex_unlock(&up.lock);
	for (int i = 0; i < IGD_STAT_MAX; i++)
		fprintf(f, "%s\t%llu\t%s\n", igd_stat_desc[i].name, (unsigned long long)v[i],
			igd_stat_desc[i].doc);
}
