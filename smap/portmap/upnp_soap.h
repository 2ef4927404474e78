/* SPDX-License-Identifier: MIT */
/*
 * The UPnP IGD's SOAP argument reader, pure: the action element libupnp
 * parsed from a control point's SOAP body into an igd_request (smap/
 * portmap/upnp.c does the rest: libupnp, the table, the answer).
 */
#ifndef SMAP_PORTMAP_UPNP_SOAP_H
#define SMAP_PORTMAP_UPNP_SOAP_H

#include <stdbool.h>

#include <ixml.h>

#include "smap/portmap/igd.h"

/* The first element node of n and its following siblings, or NULL. */
IXML_Node *upnp_first_element(IXML_Node *n);
/*
 * doc is the action request (its first element the action): its
 * arguments into rq->args, and rq->version lowered to the version of the
 * namespace the control point used when that names rq->service. false
 * when there is no action element or too many arguments.
 */
bool upnp_soap_read(IXML_Document *doc, struct igd_request *rq);

#endif
