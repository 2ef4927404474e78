/* SPDX-License-Identifier: MIT */
/* The IGD device description and SCPDs (igd_desc.h), from igd.h's tables. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smap/portmap/igd_desc.h"

/* Close the memstream; its buffer pointer is valid only after fclose. */
static char *
finish(FILE *f, char **buf)
{
	if (fclose(f) != 0) {
		free(*buf);
		return NULL;
	}
	return *buf;
}

const char *
igd_service_id(enum igd_service svc)
{
	return svc == IGD_SVC_WANCIF ? "urn:upnp-org:serviceId:WANCommonIFC1"
				     : "urn:upnp-org:serviceId:WANIPConn1";
}

void
igd_udn(const char *uuid, enum igd_service svc, char *buf, size_t len)
{
	snprintf(buf, len, "uuid:%s-%d", uuid, svc == IGD_SVC_WANCIF ? 1 : 2);
}

static void
service(FILE *f, const char *type, unsigned v, enum igd_service svc, const char *scpd,
	const char *name)
{
	fprintf(f, "<serviceList><service>"
		"<serviceType>urn:schemas-upnp-org:service:%s:%u</serviceType>"
		"<serviceId>%s</serviceId><SCPDURL>%s</SCPDURL>"
		"<controlURL>/ctl/%s</controlURL><eventSubURL>/evt/%s</eventSubURL>"
		"</service></serviceList>\n", type, v, igd_service_id(svc), scpd, name, name);
}

static void
device_head(FILE *f, const char *type, unsigned v, const char *name, const char *udn)
{
	fprintf(f, "<device><deviceType>urn:schemas-upnp-org:device:%s:%u</deviceType>\n"
		"<friendlyName>%s</friendlyName><manufacturer>A+P softwire</manufacturer>"
		"<modelDescription>SMAP port-set gateway</modelDescription>"
		"<modelName>smap</modelName><modelNumber>%u</modelNumber>"
		"<UDN>%s</UDN>\n", type, v, name, v, udn);
}

char *
igd_device_desc(unsigned v, const char *uuid, const char *friendly_name)
{
	char *buf = NULL, name[MAPTABLE_DESC_MAX * 6 + 1], udn[96];
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	igd_xml_escape(friendly_name, name, sizeof(name));
	fprintf(f, "<?xml version=\"1.0\"?>\n"
		"<root xmlns=\"urn:schemas-upnp-org:device-1-0\">\n"
		"<specVersion><major>1</major><minor>0</minor></specVersion>\n");
	snprintf(udn, sizeof(udn), "uuid:%s", uuid);
	device_head(f, "InternetGatewayDevice", v, name, udn);
	fprintf(f, "<deviceList>\n");
	igd_udn(uuid, IGD_SVC_WANCIF, udn, sizeof(udn));
	device_head(f, "WANDevice", v, "WANDevice", udn);
	service(f, "WANCommonInterfaceConfig", 1, IGD_SVC_WANCIF, IGD_SCPD_CIF, "CIF");
	fprintf(f, "<deviceList>\n");
	igd_udn(uuid, IGD_SVC_WANIPCONN, udn, sizeof(udn));
	device_head(f, "WANConnectionDevice", v, "WANConnectionDevice", udn);
	service(f, "WANIPConnection", v, IGD_SVC_WANIPCONN, IGD_SCPD_IPCONN, "IPConn");
	fprintf(f, "</device>\n</deviceList>\n</device>\n</deviceList>\n</device>\n</root>\n");
	return finish(f, &buf);
}

char *
igd_scpd(enum igd_service svc, unsigned v)
{
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	fprintf(f, "<?xml version=\"1.0\"?>\n<scpd xmlns=\"urn:schemas-upnp-org:service-1-0\">\n"
		"<specVersion><major>1</major><minor>0</minor></specVersion>\n<actionList>\n");
	for (const struct igd_actiondef *a = igd_actions; a->name; a++) {
		if (a->service != svc || a->min_version > v)
			continue;
		fprintf(f, "<action><name>%s</name><argumentList>\n", a->name);
		for (unsigned i = 0; i < IGD_MAX_ARGS && a->args[i].name; i++)
			fprintf(f, "<argument><name>%s</name><direction>%s</direction>"
				"<relatedStateVariable>%s</relatedStateVariable></argument>\n",
				a->args[i].name, a->args[i].dir == IGD_IN ? "in" : "out",
				a->args[i].var);
		fprintf(f, "</argumentList></action>\n");
	}
	fprintf(f, "</actionList>\n<serviceStateTable>\n");
	for (const struct igd_vardef *s = igd_vars; s->name; s++) {
		if (s->service != svc || s->min_version > v)
			continue;
		fprintf(f, "<stateVariable sendEvents=\"%s\"><name>%s</name><dataType>%s</dataType>",
			s->evented ? "yes" : "no", s->name, s->type);
		if (s->allowed) {
			const char *p = s->allowed;

			fprintf(f, "<allowedValueList>");
			while (*p) {
				size_t n = strcspn(p, ",");

				fprintf(f, "<allowedValue>%.*s</allowedValue>", (int)n, p);
				p += n + (p[n] == ',');
			}
			fprintf(f, "</allowedValueList>");
		}
		fprintf(f, "</stateVariable>\n");
	}
	fprintf(f, "</serviceStateTable>\n</scpd>\n");
	return finish(f, &buf);
}
