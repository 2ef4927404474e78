/* SPDX-License-Identifier: MIT */
/* Port survey settings: traffic classes, the LAN, the WAN addresses. */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "survey/survey.h"

const char *const survey_proto_names[SURVEY_NPROTO] = {
	"tcp", "udp", "icmp", "other",
};

static const struct {
	const char *name;
	uint8_t proto;
} protos[] = {
	{ "tcp", IPPROTO_TCP }, { "udp", IPPROTO_UDP },
	{ "icmp", IPPROTO_ICMP }, { "sctp", IPPROTO_SCTP },
	{ "udplite", IPPROTO_UDPLITE }, { "dccp", IPPROTO_DCCP },
	{ "any", 0 },
};

void
survey_conf_clear_classes(struct survey_conf *c)
{
	memset(c->names, 0, sizeof(c->names));
	memset(c->match, 0, sizeof(c->match));
	strcpy(c->names[0], "other");
	c->nclasses = 1;
	c->nrules = 0;
}

void
survey_conf_default(struct survey_conf *c)
{
	memset(c, 0, sizeof(*c));
	survey_conf_clear_classes(c);
	/* QUIC (udp/443) is HTTPS too: browsers use it for the same sites */
	survey_conf_add_class(c, "dns=udp/53,tcp/53", NULL, 0);
	survey_conf_add_class(c, "http=tcp/80", NULL, 0);
	survey_conf_add_class(c, "https=tcp/443,udp/443", NULL, 0);
}

static bool
fail(char *err, size_t errlen, const char *fmt, const char *what)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, fmt, what);
	return false;
}

static bool
parse_port(const char *s, char **end, uint16_t *out)
{
	unsigned long v;

	if (*s < '0' || *s > '9')
		return false;
	v = strtoul(s, end, 10);
	if (v > 65535)
		return false;
	*out = (uint16_t)v;
	return true;
}

/* "PROTO/PORT", "PROTO/LO-HI", "icmp", "any" into r */
static bool
parse_match(const char *s, struct survey_rule *r)
{
	const char *slash = strchr(s, '/');
	size_t plen = slash ? (size_t)(slash - s) : strlen(s), i;
	char *end;

	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (strlen(protos[i].name) == plen &&
		    strncmp(protos[i].name, s, plen) == 0)
			break;
	if (i == sizeof(protos) / sizeof(protos[0]))
		return false;
	r->proto = protos[i].proto;
	r->lo = 0;
	r->hi = 65535;
	if (slash == NULL)	/* only port-less protocols may omit it */
		return r->proto == 0 || r->proto == IPPROTO_ICMP;
	if (!parse_port(slash + 1, &end, &r->lo))
		return false;
	r->hi = r->lo;
	if (*end == '-' && !parse_port(end + 1, &end, &r->hi))
		return false;
	return *end == '\0' && r->lo <= r->hi;
}

bool
survey_conf_add_class(struct survey_conf *c, const char *spec, char *err,
    size_t errlen)
{
	const char *eq = strchr(spec, '=');
	char buf[256], *tok, *save = NULL;
	size_t nlen, i, cls, nrules = c->nrules;

	if (eq == NULL || eq == spec)
		return fail(err, errlen,
		    "class `%s' is not NAME=PROTO/PORT[,PROTO/PORT...]", spec);
	nlen = (size_t)(eq - spec);
	if (nlen >= SURVEY_NAME_LEN)
		return fail(err, errlen, "class name too long in `%s'", spec);
	for (i = 0; i < nlen; i++)
		if (!(spec[i] >= 'a' && spec[i] <= 'z') && spec[i] != '_' &&
		    spec[i] != '-' && !(spec[i] >= '0' && spec[i] <= '9'))
			return fail(err, errlen, "class name in `%s' must be "
			    "lower-case letters, digits, - and _", spec);
	for (i = 0; i < c->nclasses; i++)
		if (strlen(c->names[i]) == nlen &&
		    strncmp(c->names[i], spec, nlen) == 0)
			return fail(err, errlen,
			    "class name in `%s' is already taken", spec);
	if (c->nclasses >= SURVEY_MAX_CLASSES)
		return fail(err, errlen, "too many classes at `%s'", spec);
	if (strlen(eq + 1) >= sizeof(c->match[0]) || eq[1] == '\0')
		return fail(err, errlen, "bad match list in `%s'", spec);

	/* the new class takes the place of "other", which moves up one */
	cls = c->nclasses - 1;
	strcpy(buf, eq + 1);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		struct survey_rule r;

		if (!parse_match(tok, &r)) {
			c->nrules = nrules;
			return fail(err, errlen, "bad PROTO/PORT `%s' (tcp/443, "
			    "udp/5000-5100, icmp, any/53, ...)", tok);
		}
		if (c->nrules >= SURVEY_MAX_RULES) {
			c->nrules = nrules;
			return fail(err, errlen, "too many PROTO/PORT at `%s'", tok);
		}
		r.cls = (uint8_t)cls;
		c->rules[c->nrules++] = r;
	}
	memcpy(c->names[cls + 1], c->names[cls], SURVEY_NAME_LEN);
	memcpy(c->match[cls + 1], c->match[cls], sizeof(c->match[0]));
	memset(c->names[cls], 0, SURVEY_NAME_LEN);
	memcpy(c->names[cls], spec, nlen);
	strcpy(c->match[cls], eq + 1);
	c->nclasses++;
	return true;
}

static bool
parse_prefix(const char *s, struct survey_prefix *p)
{
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned long len = 32;
	char *end;

	if (!ct_aton(s, alen, &p->addr))
		return false;
	if (slash != NULL) {
		if (slash[1] < '0' || slash[1] > '9')
			return false;
		len = strtoul(slash + 1, &end, 10);
		if (*end != '\0' || len > 32)
			return false;
	}
	p->mask = len == 0 ? 0 : ~0u << (32 - len);
	p->addr &= p->mask;
	return true;
}

bool
survey_conf_add_lan(struct survey_conf *c, const char *s, char *err,
    size_t errlen)
{
	if (c->nlan >= SURVEY_MAX_PREFIXES)
		return fail(err, errlen, "too many LAN prefixes at `%s'", s);
	if (!parse_prefix(s, &c->lan[c->nlan]))
		return fail(err, errlen, "bad IPv4 prefix `%s'", s);
	c->nlan++;
	return true;
}

bool
survey_conf_add_wan(struct survey_conf *c, const char *s, char *err,
    size_t errlen)
{
	if (c->nwan >= SURVEY_MAX_WAN)
		return fail(err, errlen, "too many WAN addresses at `%s'", s);
	if (!ct_aton(s, strlen(s), &c->wan[c->nwan]))
		return fail(err, errlen, "bad IPv4 address `%s'", s);
	c->nwan++;
	return true;
}

bool
survey_in_lan(const struct survey_conf *c, uint32_t a)
{
	size_t i;

	if (c->nlan == 0)	/* RFC 1918 */
		return (a >> 24) == 10 || (a >> 20) == 0xac1 ||
		    (a >> 16) == 0xc0a8;
	for (i = 0; i < c->nlan; i++)
		if ((a & c->lan[i].mask) == c->lan[i].addr)
			return true;
	return false;
}

unsigned
survey_classify(const struct survey_conf *c, uint8_t proto, uint16_t dport)
{
	size_t i;

	for (i = 0; i < c->nrules; i++) {
		const struct survey_rule *r = &c->rules[i];

		if ((r->proto == 0 || r->proto == proto) &&
		    dport >= r->lo && dport <= r->hi)
			return r->cls;
	}
	return (unsigned)c->nclasses - 1;
}
