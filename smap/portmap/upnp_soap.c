/* SPDX-License-Identifier: MIT */
/* The UPnP IGD's SOAP argument reader: see upnp_soap.h. */
#include <string.h>

#include "smap/portmap/upnp_soap.h"

static const char *
local_name(IXML_Node *n)
{
	const char *s = ixmlNode_getLocalName(n), *c;

	if (s)
		return s;
	s = ixmlNode_getNodeName(n);
	c = s ? strchr(s, ':') : NULL;
	return c ? c + 1 : s;
}

IXML_Node *
upnp_first_element(IXML_Node *n)
{
	for (; n; n = ixmlNode_getNextSibling(n))
		if (ixmlNode_getNodeType(n) == eELEMENT_NODE)
			return n;
	return NULL;
}

/* The action element's arguments into rq; false when there are too many. */
static bool
read_args(IXML_Node *act, struct igd_request *rq)
{
	for (IXML_Node *n = upnp_first_element(ixmlNode_getFirstChild(act)); n;
	     n = upnp_first_element(ixmlNode_getNextSibling(n))) {
		IXML_Node *t = ixmlNode_getFirstChild(n);
		const char *v = t && ixmlNode_getNodeType(t) == eTEXT_NODE ?
				ixmlNode_getNodeValue(t) : "";

		if (rq->n >= sizeof(rq->args) / sizeof(rq->args[0]))
			return false;
		rq->args[rq->n].name = local_name(n);
		rq->args[rq->n].value = v ? v : "";
		rq->n++;
	}
	return true;
}

bool
upnp_soap_read(IXML_Document *doc, struct igd_request *rq)
{
	IXML_Node *act = doc ? upnp_first_element(ixmlNode_getFirstChild(&doc->n)) : NULL;
	enum igd_service ns_svc;
	unsigned ns_version;

	if (!act)
		return false;
	/* the namespace the control point used says which version's rules apply */
	if (igd_service_of_urn(ixmlNode_getNamespaceURI(act), &ns_svc, &ns_version) &&
	    ns_svc == rq->service && ns_version <= rq->version)
		rq->version = ns_version;
	return read_args(act, rq);
}
