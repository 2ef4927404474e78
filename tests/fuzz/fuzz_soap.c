/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the UPnP IGD's SOAP argument reader
 * (smap/portmap/upnp_soap.c) behind libupnp's XML parser: byte 0 picks
 * the service (bit 0: WANCommonInterfaceConfig), the IGD version the
 * SMAP offers (bit 1: 2) and the control point (bit 2); the rest is the
 * action element as libupnp hands it over from a SOAP body, e.g.
 *   <u:AddPortMapping xmlns:u="urn:schemas-upnp-org:service:WANIPConnection:2">
 *   <NewExternalPort>10005</NewExternalPort>...</u:AddPortMapping>
 * What it reads goes to igd_handle over a fresh table of ports
 * 10000-10063, as smap/portmap/upnp.c does.
 *
 * Aborts on a broken promise: every argument has a name and a value, no
 * more than the request holds; the version only ever goes down.
 * fuzz-options: -max_len=4096
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smap/portmap/upnp_soap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct portset ps = portset_range(10000, 10063);
	struct igd_bare bare = { .now = 1000000 };
	struct igd_request rq = { 0 };
	struct igd g = { 0 };
	struct igd_reply r;
	IXML_Document *doc;
	char *text;
	unsigned offered;

	if (size < 1)
		return 0;
	text = malloc(size);
	if (!text)
		abort();
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	doc = ixmlParseBuffer(text);
	free(text);
	rq.service = data[0] & 1 ? IGD_SVC_WANCIF : IGD_SVC_WANIPCONN;
	offered = data[0] & 2 ? 2 : 1;
	rq.version = offered;
	rq.action = "AddPortMapping";
	rq.client = data[0] & 4 ? 0xc0a8010b : 0xc0a8010a;
	rq.now = bare.now;
	if (doc && upnp_soap_read(doc, &rq)) {
		IXML_Node *act = upnp_first_element(ixmlNode_getFirstChild(&doc->n));
		const char *name = act ? ixmlNode_getLocalName(act) : NULL;

		if (rq.n > sizeof(rq.args) / sizeof(rq.args[0]) || rq.version > offered ||
		    rq.version < 1)
			abort();
		for (unsigned i = 0; i < rq.n; i++)
			if (!rq.args[i].name || !rq.args[i].value)
				abort();
		bare.t = maptable_new(&ps, 48, 16);
		if (!bare.t)
			abort();
		g.tab = igd_table_bare(&bare);
		g.ext_addr = 0xc0000201;
		g.lan_prefix = 0xc0a80100;
		g.lan_plen = 24;
		g.up_since = bare.now;
		if (name)
			rq.action = name;
		igd_handle(&g, &rq, &r);
		igd_reply_free(&r);
		maptable_free(bare.t);
	}
	if (doc)
		ixmlDocument_free(doc);
	return 0;
}
