/* SPDX-License-Identifier: MIT */
/*
 * smap-upnp's IGD: libupnp (pupnp) does SSDP, HTTP and SOAP from the
 * LAN; each SOAP action becomes an igd_request for igd.c, whose table is
 * the SMAP's, asked over the socketpair (rpc.c). The descriptions are
 * files the SMAP wrote into args->dir.
 *
 * libupnp calls upnp_event from its own threads: one mutex guards the
 * igd state (IGD:1 keep-alive list, counters).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <upnp.h>
#include <upnptools.h>

#include "log.h"
#include "smap/portmap/igd.h"
#include "smap/portmap/igd_desc.h"
#include "smap/portmap/upnp_soap.h"
#include "smap/upnpd/rpc.h"
#include "smap/upnpd/upnpd.h"

#define UPNP_MAX_CONTENT	16384	/* larger SOAP bodies are refused by libupnp */

static struct {
	bool running;
	UpnpDevice_Handle dev;
	unsigned version;
	pthread_mutex_t lock;
	struct igd igd;
} up = { .lock = PTHREAD_MUTEX_INITIALIZER, .dev = -1 };

static uint64_t
now(void)
{
	return (uint64_t)time(NULL);
}

/* The SMAP's shared address and mapping count; false when it does not answer. */
static bool
status(uint32_t *ext_addr, uint32_t *count)
{
	struct upnp_msg q = { .type = UPNP_MSG_STATUS }, r;

	if (!rpc_call(&q, &r))
		return false;
	*ext_addr = r.ext_addr;
	*count = r.count;
	return true;
}

/* The counters to the SMAP (smap stats), after each action. */
static void
send_stats(void)
{
	struct upnp_msg m = { .type = UPNP_MSG_STATS };

	pthread_mutex_lock(&up.lock);
	memcpy(m.stats, up.igd.stats, sizeof(m.stats));
	pthread_mutex_unlock(&up.lock);
	rpc_send(&m);
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
	uint32_t ext, count;
	bool ok;

	rq.service = strcmp(sid, igd_service_id(IGD_SVC_WANCIF)) == 0 ? IGD_SVC_WANCIF
								    : IGD_SVC_WANIPCONN;
	rq.version = rq.service == IGD_SVC_WANCIF ? 1 : up.version;
	rq.action = UpnpActionRequest_get_ActionName_cstr(a);
	rq.client = client_addr(UpnpActionRequest_get_CtrlPtIPAddr(a));
	rq.now = now();
	if (!upnp_soap_read(doc, &rq)) {
		action_error(a, IGD_E_INVALID_ARGS, igd_err_name(IGD_E_INVALID_ARGS));
		return;
	}
	if (!status(&ext, &count)) {
		action_error(a, IGD_E_ACTION_FAILED, igd_err_name(IGD_E_ACTION_FAILED));
		return;
	}
	pthread_mutex_lock(&up.lock);
	up.igd.ext_addr = ext;
	igd_handle(&up.igd, &rq, &r);
	pthread_mutex_unlock(&up.lock);
	send_stats();
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
	char addr[INET_ADDRSTRLEN], num[16];
	uint32_t ext = 0, count = 0;

	if (strcmp(sid, igd_service_id(IGD_SVC_WANCIF)) == 0) {
		const char *names[] = { "PhysicalLinkStatus" }, *vals[] = { "Up" };

		UpnpAcceptSubscription(up.dev, UpnpSubscriptionRequest_get_UDN_cstr(sr), sid,
				       names, vals, 1, UpnpSubscriptionRequest_get_SID_cstr(sr));
	} else {
		const char *names[] = { "PossibleConnectionTypes", "ConnectionStatus",
					"ExternalIPAddress", "PortMappingNumberOfEntries" };
		const char *vals[] = { "IP_Routed", "Connected", addr, num };
		uint32_t n;

		status(&ext, &count);
		n = htonl(ext);
		inet_ntop(AF_INET, &n, addr, sizeof(addr));
		snprintf(num, sizeof(num), "%u", count);
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

/* ---- start, stop, tick ---- */

int
server_start(const struct upnpd_args *u)
{
	struct upnp_msg ready = { .type = UPNP_MSG_READY };
	char url[128];
	int rc;

	up.version = u->version;
	memset(&up.igd, 0, sizeof(up.igd));
	up.igd.tab = rpc_table();
	up.igd.lan_prefix = u->lan_prefix;
	up.igd.lan_plen = u->lan_plen;
	up.igd.allow_other_hosts = u->allow_other_hosts;
	up.igd.up_since = now();
	if ((rc = UpnpInit2(u->lan_if, (unsigned short)u->http_port)) != UPNP_E_SUCCESS) {
		log_warnx("upnp: cannot start on %s port %u: %s", u->lan_if, u->http_port,
			  UpnpGetErrorMessage(rc));
		return -1;
	}
	up.running = true;
	UpnpSetMaxContentLength(UPNP_MAX_CONTENT);
	if ((rc = UpnpSetWebServerRootDir(u->dir)) != UPNP_E_SUCCESS)
		goto fail;
	snprintf(url, sizeof(url), "http://%s:%u%s", UpnpGetServerIpAddress(),
		 UpnpGetServerPort(), IGD_DESC_PATH);
	if ((rc = UpnpRegisterRootDevice(url, upnp_event, NULL, &up.dev)) != UPNP_E_SUCCESS)
		goto fail;
	/* the SMAP closes these ports to the WAN */
	ready.port4 = UpnpGetServerPort();
	ready.port6 = UpnpGetServerPort6();
	if (!rpc_send(&ready)) {
		rc = UPNP_E_SOCKET_ERROR;
		goto fail;
	}
	if ((rc = UpnpSendAdvertisement(up.dev, (int)u->max_age)) != UPNP_E_SUCCESS)
		goto fail;
	log_info("upnp: InternetGatewayDevice:%u at %s", u->version, url);
	return 0;
fail:
	log_warnx("upnp: %s", UpnpGetErrorMessage(rc));
	server_stop();
	return -1;
}

void
server_stop(void)
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
}

void
server_tick(void)
{
	pthread_mutex_lock(&up.lock);
	igd_tick(&up.igd, now());
	pthread_mutex_unlock(&up.lock);
	send_stats();
}
