/* SPDX-License-Identifier: MIT */
/*
 * The IGD service tables: actions with their arguments and the state
 * variables they relate to (WANIPConnection:2 and
 * WANCommonInterfaceConfig:1 service templates). igd.c checks requests
 * against them and igd_desc.c writes the SCPD documents from them.
 */
#include <string.h>

#include "smap/portmap/igd.h"

#define IN(n, v)	{ n, IGD_IN, v }
#define OUT(n, v)	{ n, IGD_OUT, v }
#define MAPPING_KEY	IN("NewRemoteHost", "RemoteHost"), \
			IN("NewExternalPort", "ExternalPort"), \
			IN("NewProtocol", "PortMappingProtocol")
#define MAPPING_IN	MAPPING_KEY, \
			IN("NewInternalPort", "InternalPort"), \
			IN("NewInternalClient", "InternalClient"), \
			IN("NewEnabled", "PortMappingEnabled"), \
			IN("NewPortMappingDescription", "PortMappingDescription"), \
			IN("NewLeaseDuration", "PortMappingLeaseDuration")
#define ENTRY_OUT	OUT("NewInternalPort", "InternalPort"), \
			OUT("NewInternalClient", "InternalClient"), \
			OUT("NewEnabled", "PortMappingEnabled"), \
			OUT("NewPortMappingDescription", "PortMappingDescription"), \
			OUT("NewLeaseDuration", "PortMappingLeaseDuration")

const struct igd_actiondef igd_actions[] = {
	{ "AddPortMapping", IGD_SVC_WANIPCONN, 1, { MAPPING_IN } },
	{ "AddAnyPortMapping", IGD_SVC_WANIPCONN, 2,
	  { MAPPING_IN, OUT("NewReservedPort", "ExternalPort") } },
	{ "DeletePortMapping", IGD_SVC_WANIPCONN, 1, { MAPPING_KEY } },
	{ "DeletePortMappingRange", IGD_SVC_WANIPCONN, 2,
	  { IN("NewStartPort", "ExternalPort"), IN("NewEndPort", "ExternalPort"),
	    IN("NewProtocol", "PortMappingProtocol"), IN("NewManage", "A_ARG_TYPE_Manage") } },
	{ "GetSpecificPortMappingEntry", IGD_SVC_WANIPCONN, 1, { MAPPING_KEY, ENTRY_OUT } },
	{ "GetGenericPortMappingEntry", IGD_SVC_WANIPCONN, 1,
	  { IN("NewPortMappingIndex", "PortMappingNumberOfEntries"),
	    OUT("NewRemoteHost", "RemoteHost"), OUT("NewExternalPort", "ExternalPort"),
	    OUT("NewProtocol", "PortMappingProtocol"), ENTRY_OUT } },
	{ "GetListOfPortMappings", IGD_SVC_WANIPCONN, 2,
	  { IN("NewStartPort", "ExternalPort"), IN("NewEndPort", "ExternalPort"),
	    IN("NewProtocol", "PortMappingProtocol"), IN("NewManage", "A_ARG_TYPE_Manage"),
	    IN("NewNumberOfPorts", "PortMappingNumberOfEntries"),
	    OUT("NewPortListing", "A_ARG_TYPE_PortListing") } },
	{ "GetExternalIPAddress", IGD_SVC_WANIPCONN, 1,
	  { OUT("NewExternalIPAddress", "ExternalIPAddress") } },
	{ "GetStatusInfo", IGD_SVC_WANIPCONN, 1,
	  { OUT("NewConnectionStatus", "ConnectionStatus"),
	    OUT("NewLastConnectionError", "LastConnectionError"), OUT("NewUptime", "Uptime") } },
	{ "GetConnectionTypeInfo", IGD_SVC_WANIPCONN, 1,
	  { OUT("NewConnectionType", "ConnectionType"),
	    OUT("NewPossibleConnectionTypes", "PossibleConnectionTypes") } },
	{ "GetNATRSIPStatus", IGD_SVC_WANIPCONN, 1,
	  { OUT("NewRSIPAvailable", "RSIPAvailable"), OUT("NewNATEnabled", "NATEnabled") } },
	{ "GetCommonLinkProperties", IGD_SVC_WANCIF, 1,
	  { OUT("NewWANAccessType", "WANAccessType"),
	    OUT("NewLayer1UpstreamMaxBitRate", "Layer1UpstreamMaxBitRate"),
	    OUT("NewLayer1DownstreamMaxBitRate", "Layer1DownstreamMaxBitRate"),
	    OUT("NewPhysicalLinkStatus", "PhysicalLinkStatus") } },
	{ NULL, 0, 0, { { NULL, 0, NULL } } },
};

const struct igd_vardef igd_vars[] = {
	{ "ConnectionType", IGD_SVC_WANIPCONN, "string", false, 1, NULL },
	{ "PossibleConnectionTypes", IGD_SVC_WANIPCONN, "string", true, 1,
	  "Unconfigured,IP_Routed,IP_Bridged" },
	{ "ConnectionStatus", IGD_SVC_WANIPCONN, "string", true, 1,
	  "Unconfigured,Connecting,Connected,PendingDisconnect,Disconnecting,Disconnected" },
	{ "Uptime", IGD_SVC_WANIPCONN, "ui4", false, 1, NULL },
	{ "LastConnectionError", IGD_SVC_WANIPCONN, "string", false, 1,
	  "ERROR_NONE,ERROR_UNKNOWN" },
	{ "RSIPAvailable", IGD_SVC_WANIPCONN, "boolean", false, 1, NULL },
	{ "NATEnabled", IGD_SVC_WANIPCONN, "boolean", false, 1, NULL },
	{ "ExternalIPAddress", IGD_SVC_WANIPCONN, "string", true, 1, NULL },
	{ "PortMappingNumberOfEntries", IGD_SVC_WANIPCONN, "ui2", true, 1, NULL },
	{ "PortMappingEnabled", IGD_SVC_WANIPCONN, "boolean", false, 1, NULL },
	{ "PortMappingLeaseDuration", IGD_SVC_WANIPCONN, "ui4", false, 1, NULL },
	{ "RemoteHost", IGD_SVC_WANIPCONN, "string", false, 1, NULL },
	{ "ExternalPort", IGD_SVC_WANIPCONN, "ui2", false, 1, NULL },
	{ "InternalPort", IGD_SVC_WANIPCONN, "ui2", false, 1, NULL },
	{ "PortMappingProtocol", IGD_SVC_WANIPCONN, "string", false, 1, "TCP,UDP" },
	{ "InternalClient", IGD_SVC_WANIPCONN, "string", false, 1, NULL },
	{ "PortMappingDescription", IGD_SVC_WANIPCONN, "string", false, 1, NULL },
	{ "SystemUpdateID", IGD_SVC_WANIPCONN, "ui4", true, 2, NULL },
	{ "A_ARG_TYPE_Manage", IGD_SVC_WANIPCONN, "boolean", false, 2, NULL },
	{ "A_ARG_TYPE_PortListing", IGD_SVC_WANIPCONN, "string", false, 2, NULL },
	{ "WANAccessType", IGD_SVC_WANCIF, "string", false, 1, "DSL,POTS,Cable,Ethernet" },
	{ "Layer1UpstreamMaxBitRate", IGD_SVC_WANCIF, "ui4", false, 1, NULL },
	{ "Layer1DownstreamMaxBitRate", IGD_SVC_WANCIF, "ui4", false, 1, NULL },
	{ "PhysicalLinkStatus", IGD_SVC_WANCIF, "string", true, 1, "Up,Down" },
	{ NULL, 0, NULL, false, 0, NULL },
};

const struct igd_stat_desc igd_stat_desc[IGD_STAT_MAX] = {
	[IGD_STAT_ACTIONS] = { "upnp_actions", "UPnP SOAP actions served" },
	[IGD_STAT_ERRORS] = { "upnp_errors", "UPnP actions answered with a UPnP error" },
	[IGD_STAT_UNKNOWN_ACTION] = { "upnp_unknown_action", "UPnP actions not of the service (401)" },
	[IGD_STAT_RENEWED] = { "upnp_renewed", "IGD:1 permanent mappings renewed by the SMAP" },
};

const struct igd_actiondef *
igd_action_find(enum igd_service svc, unsigned version, const char *name)
{
	for (const struct igd_actiondef *a = igd_actions; a->name; a++)
		if (a->service == svc && version >= a->min_version && strcmp(a->name, name) == 0)
			return a;
	return NULL;
}
