/* SPDX-License-Identifier: MIT */
/*
 * The IGD's documents: the device description (InternetGatewayDevice >
 * WANDevice > WANConnectionDevice > WANIPConnection, plus
 * WANCommonInterfaceConfig) and the SCPDs written from the action and
 * state-variable tables of igd.h. Each returns a malloc'd string, NULL
 * on allocation failure.
 */
#ifndef AP_IGD_DESC_H
#define AP_IGD_DESC_H

#include "smap/portmap/igd.h"

/* Paths under the web server root; control and event URLs are "/ctl/...", "/evt/...". */
#define IGD_DESC_PATH		"/rootDesc.xml"
#define IGD_SCPD_IPCONN		"/WANIPCn.xml"
#define IGD_SCPD_CIF		"/WANCfg.xml"

/* version 1 or 2; uuid without "uuid:", the sub-devices get -1 and -2 */
char *igd_device_desc(unsigned version, const char *uuid, const char *friendly_name);
char *igd_scpd(enum igd_service, unsigned version);
/* The UDN of the device holding the service (for UpnpAcceptSubscription). */
void igd_udn(const char *uuid, enum igd_service, char *buf, size_t len);
const char *igd_service_id(enum igd_service);

#endif
