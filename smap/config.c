/* SPDX-License-Identifier: MIT */
/* smap/config.c: the SMAP's configuration loader; prr/config.c is the same role for the PRR. */
/* Loading smap.conf: libconfig into struct smap_config, then validation. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "smap/config.h"
#include "log.h"
#include "smap/map_derive.h"
#include "map_rule_conf.h"
#include "ctlsock_conf.h"
#include "privdrop_conf.h"

static const char *const top_keys[] = {
	"wan", "lan", "prr", "peers", "ipv4_address", "ports", "psid", "psid_length",
	"offset", "tun", "mtu", "default_route", "ftp_alg", "hop_limit",
	"control_socket", "map", "pcp", "registration", "upnp", "control_group",
	"control_allow", "metrics_file", "fast_path", "user", "seccomp", NULL,
};
const char *const smap_fast_path_names[] = { "auto", "bpf", "off", NULL };

static const char *const wan_keys[] = { "interface", "address", NULL };
static const char *const lan_keys[] = { "interface", "prefix", NULL };
static const char *const mtu_keys[] = { "tun", "follow_ptb", "mss_clamp", NULL };

static const config_setting_t *
group(struct conf_err *e, const config_setting_t *root, const char *key, bool required)
{
	const config_setting_t *g = config_setting_get_member(root, key);

	if (!g) {
		if (required)
			conf_errf(e, root, key, "missing");
		return NULL;
	}
	if (!config_setting_is_group(g)) {
		conf_errf(e, root, key, "expected a group { ... }");
		return NULL;
	}
	return g;
}

static void
ifname(struct conf_err *e, const config_setting_t *g, const char *key, bool required,
       char *out)
{
	const char *s;

	if (!conf_str(e, g, key, &s)) {
		if (required && !config_setting_get_member(g, key))
			conf_errf(e, g, key, "missing");
		return;
	}
	if (!*s || strlen(s) >= IF_NAMESIZE || strchr(s, '/') || strchr(s, ' ') ||
	    strchr(s, '"'))
		conf_errf(e, g, key, "'%s' is not an interface name (1..%d characters)",
			  s, IF_NAMESIZE - 1);
	else
		snprintf(out, IF_NAMESIZE, "%s", s);
}

static void
load_portset(struct conf_err *e, const config_setting_t *root, struct smap_config *c)
{
	const char *ports;
	unsigned psid = 0, k = 0, a = 0;
	bool has_psid = config_setting_get_member(root, "psid") != NULL;
	char msg[256];

	if (conf_str(e, root, "ports", &ports)) {
		if (has_psid) {
			conf_errf(e, root, "ports", "give either ports or psid, not both");
			return;
		}
		if (!portset_parse(ports, &c->params.ps, msg, sizeof(msg))) {
			conf_errf(e, root, "ports", "%s", msg);
			return;
		}
	} else if (has_psid) {
		if (!conf_uint(e, root, "psid", 0, 65535, &psid))
			return;
		if (!conf_uint(e, root, "psid_length", 0, 16, &k)) {
			if (!config_setting_get_member(root, "psid_length"))
				conf_errf(e, root, "psid_length", "missing (psid needs it)");
			return;
		}
		conf_uint(e, root, "offset", 0, 15, &a);
		c->params.ps = portset_psid(a, k, psid);
	} else {
		if (!config_setting_get_member(root, "ports"))
			conf_errf(e, root, "ports", "missing: ports = \"MIN-MAX\" or psid + psid_length");
		return;
	}
	if (!portset_valid(&c->params.ps, msg, sizeof(msg)))
		conf_errf(e, root, has_psid ? "psid" : "ports", "%s", msg);
	else if (portset_next(&c->params.ps, 1) < 0)
		conf_errf(e, root, has_psid ? "psid" : "ports", "the port set is empty");
}

static void
load_peers(struct conf_err *e, const config_setting_t *root, struct smap_config *c)
{
	const config_setting_t *l = config_setting_get_member(root, "peers");
	int n;

	if (!l)
		return;
	if (!config_setting_is_array(l) && !config_setting_is_list(l)) {
		conf_errf(e, root, "peers", "expected a list [ \"2001:db8::1\", ... ]");
		return;
	}
	n = config_setting_length(l);
	for (int i = 0; i < n; i++) {
		const config_setting_t *el = config_setting_get_elem(l, (unsigned)i);
		const char *s;

		if (config_setting_type(el) != CONFIG_TYPE_STRING) {
			conf_errf(e, el, NULL, "expected a string");
			continue;
		}
		s = config_setting_get_string(el);
		if (c->params.n_peers >= SMAP_MAX_PEERS)
			conf_errf(e, el, NULL, "more than %d peers", SMAP_MAX_PEERS);
		else if (inet_pton(AF_INET6, s, &c->params.peers[c->params.n_peers]) != 1)
			conf_errf(e, el, NULL, "'%s' is not an IPv6 address", s);
		else
			c->params.n_peers++;
	}
}

static void
load_mtu(struct conf_err *e, const config_setting_t *root, struct smap_config *c)
{
	const config_setting_t *g = group(e, root, "mtu", false);
	const config_setting_t *t;

	if (!g)
		return;
	conf_only_keys(e, g, mtu_keys);
	t = config_setting_get_member(g, "tun");
	if (t && config_setting_type(t) == CONFIG_TYPE_STRING) {
		if (strcmp(config_setting_get_string(t), "auto") != 0)
			conf_errf(e, g, "tun", "'%s': expected \"auto\" or a number 576..65495",
				  config_setting_get_string(t));
	} else if (t) {
		conf_uint(e, g, "tun", 576, 65535 - 40, &c->tun_mtu);
	}
	conf_bool(e, g, "follow_ptb", &c->follow_ptb);
	conf_bool(e, g, "mss_clamp", &c->mss_clamp);
}

/*
 * MAP-E (RFC 7597 5.2): map = { prefix = DELEGATED; rules = ( RULE, ... ); }.
 * The Basic Mapping Rule is the rule with the longest IPv6 prefix holding
 * the delegated prefix; it gives the shared address, the PSID set and the
 * MAP IPv6 address (wan.address). Rules with forwarding = true (default)
 * are FMRs: their CEs are reached straight (mesh).
 */
static void
load_map(struct conf_err *e, const config_setting_t *root, struct smap_config *c)
{
	static const char *const map_keys[] = { "prefix", "rules", "rules_from_prr", NULL };
	static const char *const extra[] = { "forwarding", NULL };
	const config_setting_t *g = group(e, root, "map", false), *l;
	struct map_rule rules[SMAP_MAX_FMR];
	struct map_derived d;
	unsigned n = 0;
	const char *s;
	char msg[160];

	if (!g)
		return;
	c->map_mode = true;
	conf_only_keys(e, g, map_keys);
	if (!conf_str(e, g, "prefix", &s)) {
		if (!config_setting_get_member(g, "prefix"))
			conf_errf(e, g, "prefix", "missing (the delegated IPv6 prefix)");
		return;
	}
	if (!parse_prefix6(s, &c->map_prefix, &c->map_plen)) {
		conf_errf(e, g, "prefix", "'%s' is not an IPv6 prefix", s);
		return;
	}
	l = config_setting_get_member(g, "rules");
	conf_bool(e, g, "rules_from_prr", &c->map_from_prr);
	if (c->map_from_prr) {		/* derived at registration: register_map.c */
		if (l)
			conf_errf(e, g, "rules", "may not be given with rules_from_prr = true");
		return;
	}
	if (!l || !config_setting_is_list(l) || config_setting_length(l) == 0) {
		conf_errf(e, g, "rules", "%s", l ? "expected a list ( { ... }, ... )"
			  : "missing (the Basic Mapping Rule, and any Forwarding Mapping Rules)");
		return;
	}
	for (int i = 0; i < config_setting_length(l); i++) {
		const config_setting_t *rg = config_setting_get_elem(l, (unsigned)i);
		bool fwd = true;

		if (n >= SMAP_MAX_FMR) {
			conf_errf(e, rg, NULL, "more than %d rules", SMAP_MAX_FMR);
			return;
		}
		if (!conf_map_rule(e, rg, extra, &rules[n]))
			continue;
		conf_bool(e, rg, "forwarding", &fwd);
		rules[n].forwarding = fwd;
		n++;
	}
	if (e->count)
		return;
	if (!smap_map_derive(&c->map_prefix, c->map_plen, rules, n, &d, msg, sizeof(msg))) {
		conf_errf(e, g, "prefix", "%s", msg);
		return;
	}
	c->bmr = d.bmr;
	c->map_ce = d.ce;
	c->params.ipv4 = d.ipv4;
	c->params.ps = d.ps;
	memcpy(c->params.fmr, d.fmr, sizeof(c->params.fmr));
	c->params.n_fmr = d.n_fmr;
	if (!c->has_wan_addr) {
		c->wan_addr = c->map_ce.addr;
		c->has_wan_addr = true;
	} else if (memcmp(&c->wan_addr, &c->map_ce.addr, sizeof(c->wan_addr)) != 0) {
		char a6[INET6_ADDRSTRLEN];
		conf_errf(e, root, "wan.address", "is not the MAP address the rule gives, %s "
			  "(leave it out)", inet_ntop(AF_INET6, &c->map_ce.addr, a6, sizeof(a6)));
	}
}

int
smap_config_load(const char *file, struct smap_config *c, struct conf_err *e)
{
	config_t cf;
	const config_setting_t *root, *g;
	const char *s;

	memset(c, 0, sizeof(*c));
	snprintf(c->file, sizeof(c->file), "%s", file);
	snprintf(c->tun_name, sizeof(c->tun_name), "smap0");
	snprintf(c->control_socket, sizeof(c->control_socket), "/run/smap.sock");
	c->follow_ptb = true;
	c->mss_clamp = true;
	c->default_route = true;
	c->ftp_alg = true;
	c->hop_limit = 64;
	c->params.mtu = 1500;
	if (!conf_read(&cf, file, e)) {
		config_destroy(&cf);
		return -1;
	}
	root = config_root_setting(&cf);
	conf_only_keys(e, root, top_keys);

	if ((g = group(e, root, "wan", true))) {
		conf_only_keys(e, g, wan_keys);
		ifname(e, g, "interface", true, c->wan_if);
		c->has_wan_addr = conf_ipv6(e, g, "address", &c->wan_addr);
		c->wan_addr_given = c->has_wan_addr;
	}
	if ((g = group(e, root, "lan", true))) {
		conf_only_keys(e, g, lan_keys);
		ifname(e, g, "interface", true, c->lan_if);
		if (conf_str(e, g, "prefix", &s)) {
			if (!parse_prefix4(s, &c->lan_prefix, &c->lan_plen))
				conf_errf(e, g, "prefix", "'%s' is not an IPv4 prefix like "
					  "192.168.1.0/24 (host bits must be 0)", s);
		} else if (!config_setting_get_member(g, "prefix")) {
			conf_errf(e, g, "prefix", "missing");
		}
	}
	if (!conf_ipv6(e, root, "prr", &c->params.prr) &&
	    !config_setting_get_member(root, "prr"))
		conf_errf(e, root, "prr", "missing (the PRR's softwire address)");
	load_peers(e, root, c);
	load_map(e, root, c);
	register_conf_load(e, root, c->map_from_prr, &c->registration);
	if (c->registration.enabled) {
		/* address and port set come from the PRR: register.c */
	} else if (c->map_mode) {
		static const char *const derived[] = { "ipv4_address", "ports", "psid",
						       "psid_length", "offset" };
		for (size_t i = 0; i < sizeof(derived) / sizeof(derived[0]); i++)
			if (config_setting_get_member(root, derived[i]))
				conf_errf(e, root, derived[i], "comes from map (the rule) "
					  "and may not be given too");
	} else if (conf_ipv4(e, root, "ipv4_address", &c->params.ipv4)) {
		uint32_t mask = c->lan_plen ? ~0u << (32 - c->lan_plen) : 0;

		if (c->lan_plen && (c->params.ipv4 & mask) == c->lan_prefix)
			conf_errf(e, root, "ipv4_address", "%s lies inside the LAN prefix",
				  config_setting_get_string(config_setting_get_member(root,
				  "ipv4_address")));
	} else if (!config_setting_get_member(root, "ipv4_address")) {
		conf_errf(e, root, "ipv4_address", "missing (the shared IPv4 address)");
	}
	if (!c->map_mode && !c->registration.enabled)
		load_portset(e, root, c);
	ifname(e, root, "tun", false, c->tun_name);
	load_mtu(e, root, c);
	pcp_config_load(e, root, &c->pcp);
	conf_bool(e, root, "default_route", &c->default_route);
	conf_bool(e, root, "ftp_alg", &c->ftp_alg);
	conf_uint(e, root, "hop_limit", 1, 255, &c->hop_limit);
	if (conf_str(e, root, "control_socket", &s)) {
		if (!*s || strlen(s) >= sizeof(c->control_socket))
			conf_errf(e, root, "control_socket", "path empty or longer than %zu",
				  sizeof(c->control_socket) - 1);
		else
			snprintf(c->control_socket, sizeof(c->control_socket), "%s", s);
	}
	conf_ctl_access(e, root, &c->control_access);
	conf_privdrop(e, root, &c->priv);
	if (conf_str(e, root, "metrics_file", &s)) {
		if (!*s || strlen(s) >= sizeof(c->metrics_file))
			conf_errf(e, root, "metrics_file", "path empty or longer than %zu",
				  sizeof(c->metrics_file) - 1);
		else
			snprintf(c->metrics_file, sizeof(c->metrics_file), "%s", s);
	}
	upnp_config_load(e, root, &c->upnp);
	if (conf_str(e, root, "fast_path", &s)) {
		for (c->fast_path = 0; smap_fast_path_names[c->fast_path]; c->fast_path++)
			if (strcmp(s, smap_fast_path_names[c->fast_path]) == 0)
				break;
		if (!smap_fast_path_names[c->fast_path]) {
			conf_errf(e, root, "fast_path", "'%s': expected \"auto\", \"bpf\" or \"off\"", s);
			c->fast_path = SMAP_FAST_PATH_AUTO;
		}
	}
	if (c->wan_if[0] && c->lan_if[0] && strcmp(c->wan_if, c->lan_if) == 0)
		conf_errf(e, root, "lan.interface", "'%s' is also the WAN interface", c->lan_if);
	if (c->tun_name[0] && (strcmp(c->tun_name, c->wan_if) == 0 ||
			       strcmp(c->tun_name, c->lan_if) == 0))
		conf_errf(e, root, "tun", "'%s' is also the WAN or LAN interface", c->tun_name);
	config_destroy(&cf);
	return e->count ? -1 : 0;
}

void
smap_config_print(const struct smap_config *c, FILE *f)
{
	char a6[INET6_ADDRSTRLEN], ps[64];
	uint32_t n;

	fprintf(f, "wan = { interface = \"%s\";", c->wan_if);
	if (c->has_wan_addr)
		fprintf(f, " address = \"%s\";", inet_ntop(AF_INET6, &c->wan_addr, a6, sizeof(a6)));
	n = htonl(c->lan_prefix);
	fprintf(f, " };\nlan = { interface = \"%s\"; prefix = \"%s/%u\"; };\n", c->lan_if,
		inet_ntop(AF_INET, &n, a6, sizeof(a6)), c->lan_plen);
	fprintf(f, "prr = \"%s\";\n", inet_ntop(AF_INET6, &c->params.prr, a6, sizeof(a6)));
	fprintf(f, "peers = [");
	for (unsigned i = 0; i < c->params.n_peers; i++)
		fprintf(f, "%s \"%s\"", i ? "," : "",
			inet_ntop(AF_INET6, &c->params.peers[i], a6, sizeof(a6)));
	n = htonl(c->params.ipv4);
	fprintf(f, " ];\n");
	register_conf_print(&c->registration, f);
	if (!c->registration.enabled) {	/* else the address and the port set come from the PRR */
		fprintf(f, "ipv4_address = \"%s\";\n", inet_ntop(AF_INET, &n, a6, sizeof(a6)));
		if (c->params.ps.kind == PORTSET_PSID)
			fprintf(f, "psid = %u; psid_length = %u; offset = %u;\n", c->params.ps.psid,
				c->params.ps.psid_len, c->params.ps.offset);
		else
			fprintf(f, "ports = \"%u-%u\";\n", c->params.ps.min, c->params.ps.max);
		portset_format(&c->params.ps, ps, sizeof(ps));
		fprintf(f, "# port set: %s, %u ports\n", ps, portset_size(&c->params.ps));
	}
	fprintf(f, "tun = \"%s\";\n", c->tun_name);
	if (c->tun_mtu)
		fprintf(f, "mtu = { tun = %u;", c->tun_mtu);
	else
		fprintf(f, "mtu = { tun = \"auto\";");
	fprintf(f, " follow_ptb = %s; mss_clamp = %s; };\n", c->follow_ptb ? "true" : "false",
		c->mss_clamp ? "true" : "false");
	fprintf(f, "default_route = %s;\nftp_alg = %s;\nhop_limit = %u;\n",
		c->default_route ? "true" : "false", c->ftp_alg ? "true" : "false", c->hop_limit);
	fprintf(f, "control_socket = \"%s\";\n", c->control_socket);
	if (c->metrics_file[0])
		fprintf(f, "metrics_file = \"%s\";\n", c->metrics_file);
	fprintf(f, "fast_path = \"%s\";\n", smap_fast_path_names[c->fast_path]);
	fprintf(f, "user = \"%s\";\nseccomp = \"%s\";\n", c->priv.user,
		privdrop_seccomp_name(c->priv.seccomp));
	pcp_config_print(&c->pcp, f);
	upnp_config_print(&c->upnp, f);
	if (c->map_from_prr) {
		fprintf(f, "map = { prefix = \"%s/%u\"; rules_from_prr = true; };\n",
			inet_ntop(AF_INET6, &c->map_prefix, a6, sizeof(a6)), c->map_plen);
	} else if (c->map_mode) {
		char r[160];

		fprintf(f, "map = { prefix = \"%s/%u\"; };\n",
			inet_ntop(AF_INET6, &c->map_prefix, a6, sizeof(a6)), c->map_plen);
		map_rule_format(&c->bmr, r, sizeof(r));
		fprintf(f, "# BMR: %s\n", r);
		fprintf(f, "# MAP address %s, PSID %u/%u\n",
			inet_ntop(AF_INET6, &c->map_ce.addr, a6, sizeof(a6)), c->map_ce.psid,
			c->map_ce.psid_len);
		for (unsigned i = 0; i < c->params.n_fmr; i++) {
			map_rule_format(&c->params.fmr[i], r, sizeof(r));
			fprintf(f, "# FMR: %s\n", r);
		}
	}
}
