/* SPDX-License-Identifier: MIT */
/* prr/config.c: the PRR's configuration loader; smap/config.c is the same role for the SMAP. */
/* Loading prr.conf: libconfig into struct prr_config, then validation. */
#include <arpa/inet.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "prr/config.h"
#include "log.h"
#include "map_rule_conf.h"
#include "ctlsock_conf.h"
#include "privdrop_conf.h"
#include "safe_file.h"

static const char *const top_keys[] = {
	"softwire_addresses", "ipv4_address", "pools", "queues", "control_socket",
	"install_rules", "ipv4_side", "ipv6_side", "hairpinning", "hop_limit",
	"icmp_rate_limit", "bindings", "state_file", "allocation_log", "control_group", "control_allow", "metrics_file",
	"registration", "map_rules", "fast_path", "fast_path_interfaces", "user", "seccomp",
	"store", NULL,
};
static const char *const store_keys[] = { "type", "conninfo", NULL };
static const char *const reg_keys[] = {
	"authorized", "addresses", "port_set_size", "first_port", "psid_length",
	"psid_offset", "lifetime", "hold_time", "rate_limit", "prefix_rate_limit",
	"subscriber_prefix_length", "sets_per_subscriber", "sets_per_authorized_prefix", NULL,
};
static const char *const side_keys[] = {
	"mtu", "generate_icmp", "allow_incoming_icmp", "max_fragments", "unbound_icmp",
	"echo_request_lookup", NULL,
};
static const char *const queue_keys[] = { "first", "count", NULL };
static const char *const binding_keys[] = {
	"ipv6", "ipv4", "ports", "psid", "psid_length", "offset", "softwire_address", NULL,
};

static void
load_side(struct conf_err *e, const config_setting_t *root, const char *name,
	  struct prr_side_params *sp, uint8_t *unbound_code, bool *echo_port0)
{
	const config_setting_t *g = config_setting_get_member(root, name);
	const char *s;

	if (!g)
		return;
	if (!config_setting_is_group(g)) {
		conf_errf(e, g, NULL, "expected a group { ... }");
		return;
	}
	conf_only_keys(e, g, side_keys);
	conf_uint(e, g, "mtu", 576, 65535, &sp->mtu);
	conf_bool(e, g, "generate_icmp", &sp->generate_icmp);
	conf_bool(e, g, "allow_incoming_icmp", &sp->allow_incoming_icmp);
	conf_uint(e, g, "max_fragments", 1, 1000, &sp->max_frags);
	if (conf_str(e, g, "unbound_icmp", &s)) {
		if (!unbound_code)
			conf_errf(e, g, "unbound_icmp", "only for ipv4_side");
		else if (strcmp(s, "none") == 0)
			*unbound_code = 0;
		else if (strcmp(s, "host-unreachable") == 0)
			*unbound_code = 1;
		else if (strcmp(s, "port-unreachable") == 0)
			*unbound_code = 3;
		else if (strcmp(s, "admin-prohibited") == 0)
			*unbound_code = 13;
		else
			conf_errf(e, g, "unbound_icmp", "'%s' is not one of none, "
				  "host-unreachable, port-unreachable, admin-prohibited", s);
	}
	if (conf_str(e, g, "echo_request_lookup", &s)) {
		if (!echo_port0)
			conf_errf(e, g, "echo_request_lookup", "only for ipv4_side");
		else if (strcmp(s, "identifier") == 0)
			*echo_port0 = false;
		else if (strcmp(s, "port-0") == 0)
			*echo_port0 = true;
		else
			conf_errf(e, g, "echo_request_lookup", "'%s' is not one of "
				  "identifier, port-0", s);
	}
}

static void
load_binding(struct conf_err *e, struct prr_config *c, const config_setting_t *b)
{
	struct binding bd;
	const char *ports;
	unsigned psid = 0, k = 0, a = 0, br = 0;
	bool has_psid;
	char msg[256];

	if (!config_setting_is_group(b)) {
		conf_errf(e, b, NULL, "expected a group { ipv6 = ...; ipv4 = ...; ... }");
		return;
	}
	conf_only_keys(e, b, binding_keys);
	memset(&bd, 0, sizeof(bd));
	if (!conf_ipv6(e, b, "ipv6", &bd.ipv6)) {
		if (!config_setting_get_member(b, "ipv6"))
			conf_errf(e, b, "ipv6", "missing");
		return;
	}
	if (!conf_ipv4(e, b, "ipv4", &bd.ipv4)) {
		if (!config_setting_get_member(b, "ipv4"))
			conf_errf(e, b, "ipv4", "missing");
		return;
	}
	if (conf_uint(e, b, "softwire_address", 0, PRR_MAX_BR - 1, &br)) {
		if (br >= c->params.n_br) {
			conf_errf(e, b, "softwire_address", "index %u, but only %u "
				  "softwire_addresses are configured", br, c->params.n_br);
			return;
		}
	}
	bd.br = (uint8_t)br;
	has_psid = config_setting_get_member(b, "psid") != NULL;
	if (conf_str(e, b, "ports", &ports)) {
		if (has_psid) {
			conf_errf(e, b, "ports", "give either ports or psid, not both");
			return;
		}
		if (!portset_parse(ports, &bd.ps, msg, sizeof(msg))) {
			conf_errf(e, b, "ports", "%s", msg);
			return;
		}
	} else if (has_psid) {
		if (!conf_uint(e, b, "psid", 0, 65535, &psid))
			return;
		if (!conf_uint(e, b, "psid_length", 0, 16, &k)) {
			if (!config_setting_get_member(b, "psid_length"))
				conf_errf(e, b, "psid_length", "missing (psid needs it)");
			return;
		}
		conf_uint(e, b, "offset", 0, 15, &a);
		bd.ps = portset_psid(a, k, psid);
	} else {
		conf_errf(e, b, NULL, "needs ports = \"MIN-MAX\" or psid + psid_length");
		return;
	}
	if (!portset_valid(&bd.ps, msg, sizeof(msg))) {
		conf_errf(e, b, has_psid ? "psid" : "ports", "%s", msg);
		return;
	}
	if (c->n_pools && !prr_config_in_pool(c, bd.ipv4)) {
		conf_errf(e, b, "ipv4", "%s is in none of the pools",
			  config_setting_get_string(config_setting_get_member(b, "ipv4")));
		return;
	}
	if (btable_add(c->bt, &bd, msg, sizeof(msg)) < 0)
		conf_errf(e, b, NULL, "%s", msg);
}

bool
prr_config_in_pool(const struct prr_config *c, uint32_t ipv4)
{
	for (unsigned i = 0; i < c->n_pools; i++) {
		uint32_t mask = c->pools[i].plen ? ~0u << (32 - c->pools[i].plen) : 0;
		if ((ipv4 & mask) == c->pools[i].addr)
			return true;
	}
	return false;
}

static void
load_list_of_strings(struct conf_err *e, const config_setting_t *root, const char *key,
		     void (*fn)(struct conf_err *, struct prr_config *,
				const config_setting_t *, const char *),
		     struct prr_config *c)
{
	const config_setting_t *l = config_setting_get_member(root, key);
	int n;

	if (!l) {
		conf_errf(e, root, key, "missing");
		return;
	}
	if (!config_setting_is_array(l) && !config_setting_is_list(l)) {
		conf_errf(e, root, key, "expected a list [ \"...\", ... ]");
		return;
	}
	n = config_setting_length(l);
	if (n == 0)
		conf_errf(e, root, key, "empty");
	for (int i = 0; i < n; i++) {
		const config_setting_t *el = config_setting_get_elem(l, (unsigned)i);
		if (config_setting_type(el) != CONFIG_TYPE_STRING)
			conf_errf(e, el, NULL, "expected a string");
		else
			fn(e, c, el, config_setting_get_string(el));
	}
}

static void
add_br(struct conf_err *e, struct prr_config *c, const config_setting_t *el, const char *s)
{
	if (c->params.n_br >= PRR_MAX_BR) {
		conf_errf(e, el, NULL, "more than %d softwire addresses", PRR_MAX_BR);
		return;
	}
	if (inet_pton(AF_INET6, s, &c->params.br[c->params.n_br]) != 1) {
		conf_errf(e, el, NULL, "'%s' is not an IPv6 address", s);
		return;
	}
	c->params.n_br++;
}

static void
add_pool(struct conf_err *e, struct prr_config *c, const config_setting_t *el, const char *s)
{
	struct prr_pool *p = &c->pools[c->n_pools];

	if (c->n_pools >= PRR_MAX_POOLS) {
		conf_errf(e, el, NULL, "more than %d pools", PRR_MAX_POOLS);
		return;
	}
	if (!parse_prefix4(s, &p->addr, &p->plen)) {
		conf_errf(e, el, NULL, "'%s' is not an IPv4 prefix like 192.0.2.0/28", s);
		return;
	}
	c->n_pools++;
}

bool
prefix6_contains(const struct prefix6 *p, const struct in6_addr *a)
{
	unsigned full = p->plen / 8, rest = p->plen % 8;

	if (memcmp(&p->addr, a, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((p->addr.s6_addr[full] ^ a->s6_addr[full]) & (0xff << (8 - rest))) == 0;
}

static void
load_registration(struct conf_err *e, struct prr_config *c, const config_setting_t *root)
{
	const config_setting_t *g = config_setting_get_member(root, "registration"), *l;
	struct prr_registration *r = &c->reg;
	unsigned k = 0, a = 6;
	int n;

	r->ap.size = 1000;
	r->ap.first_port = 1024;	/* well-known ports stay unless the operator says */
	r->ap.lifetime = 7200;
	r->ap.hold_time = 600;
	r->rate_limit = 10;
	r->prefix_rate_limit = 20;
	r->lim.subscriber_plen = 64;	/* a CPE's WAN /64 (or the /56 it is delegated) is one subscriber */
	r->lim.sets_per_subscriber = 1;
	if (!g)
		return;
	if (!config_setting_is_group(g)) {
		conf_errf(e, g, NULL, "expected a group { ... }");
		return;
	}
	r->enabled = true;
	conf_only_keys(e, g, reg_keys);
	if (!(l = config_setting_get_member(g, "authorized"))) {
		conf_errf(e, g, "authorized", "missing: which IPv6 prefixes may register");
	} else if (!config_setting_is_array(l) && !config_setting_is_list(l)) {
		conf_errf(e, g, "authorized", "expected a list [ \"2001:db8::/32\", ... ]");
	} else {
		n = config_setting_length(l);
		for (int i = 0; i < n && r->lim.n_authorized < PRR_MAX_AUTH; i++) {
			const config_setting_t *el = config_setting_get_elem(l, (unsigned)i);
			const char *s = config_setting_get_string(el);
			struct prefix6 *p = &r->lim.authorized[r->lim.n_authorized];
			if (!s || !parse_prefix6(s, &p->addr, &p->plen))
				conf_errf(e, el, NULL, "'%s' is not an IPv6 prefix", s ? s : "?");
			else
				r->lim.n_authorized++;
		}
	}
	if (!(l = config_setting_get_member(g, "addresses"))) {
		conf_errf(e, g, "addresses", "missing: the shared IPv4 addresses to hand out");
	} else if (!config_setting_is_array(l) && !config_setting_is_list(l)) {
		conf_errf(e, g, "addresses", "expected a list [ \"192.0.2.1\", ... ]");
	} else {
		n = config_setting_length(l);
		for (int i = 0; i < n; i++) {
			const config_setting_t *el = config_setting_get_elem(l, (unsigned)i);
			const char *s = config_setting_get_string(el);
			uint32_t v4;
			if (r->ap.n_addrs >= ALLOC_MAX_ADDRS)
				conf_errf(e, el, NULL, "more than %d addresses", ALLOC_MAX_ADDRS);
			else if (!s || !parse_ipv4(s, &v4))
				conf_errf(e, el, NULL, "'%s' is not an IPv4 address", s ? s : "?");
			else if (c->n_pools && !prr_config_in_pool(c, v4))
				conf_errf(e, el, NULL, "%s is in none of the pools", s);
			else
				r->ap.addrs[r->ap.n_addrs++] = v4;
		}
	}
	conf_uint(e, g, "port_set_size", 1, 65536, &r->ap.size);
	conf_uint(e, g, "first_port", 0, 65535, &r->ap.first_port);
	if (conf_uint(e, g, "psid_length", 0, 16, &k)) {
		r->ap.psid = true;
		r->ap.psid_len = k;
		conf_uint(e, g, "psid_offset", 0, 15, &a);
		r->ap.offset = a;
		if (a + k > 16)
			conf_errf(e, g, "psid_length", "offset %u + length %u exceeds 16 bits", a, k);
		if (config_setting_get_member(g, "port_set_size"))
			conf_errf(e, g, "port_set_size", "give either port_set_size or psid_length");
	} else if (r->ap.first_port + r->ap.size > 65536) {
		conf_errf(e, g, "port_set_size", "%u ports from %u run past 65535",
			  r->ap.size, r->ap.first_port);
	}
	conf_uint(e, g, "lifetime", 60, 86400 * 30, &r->ap.lifetime);
	conf_uint(e, g, "hold_time", 0, 86400 * 30, &r->ap.hold_time);
	conf_uint(e, g, "rate_limit", 1, 1000000, &r->rate_limit);
	conf_uint(e, g, "prefix_rate_limit", 1, 1000000, &r->prefix_rate_limit);
	conf_uint(e, g, "subscriber_prefix_length", 1, 128, &r->lim.subscriber_plen);
	conf_uint(e, g, "sets_per_subscriber", 0, 1u << 24, &r->lim.sets_per_subscriber);
	conf_uint(e, g, "sets_per_authorized_prefix", 0, 1u << 24, &r->lim.sets_per_authorized);
}

/* MAP-E rules (RFC 7597 BR): map_rules = ( { ipv6_prefix; ipv4_prefix; ea_length; ... } ) */
static void
load_map_rules(struct conf_err *e, struct prr_config *c, const config_setting_t *root)
{
	static const char *const extra[] = { "softwire_address", "forwarding", NULL };
	const config_setting_t *l = config_setting_get_member(root, "map_rules");
	int n;

	if (!l)
		return;
	if (!config_setting_is_list(l)) {
		conf_errf(e, root, "map_rules", "expected a list ( { ... }, ... )");
		return;
	}
	n = config_setting_length(l);
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(l, (unsigned)i);
		struct map_rule *r = &c->params.rules[c->params.n_rules];
		unsigned br = 0;
		bool fwd = true;

		if (c->params.n_rules >= PRR_MAX_RULES) {
			conf_errf(e, g, NULL, "more than %d rules", PRR_MAX_RULES);
			return;
		}
		if (!conf_map_rule(e, g, extra, r))
			continue;
		if (conf_uint(e, g, "softwire_address", 0, PRR_MAX_BR - 1, &br) &&
		    br >= c->params.n_br) {
			conf_errf(e, g, "softwire_address", "index %u, but only %u "
				  "softwire_addresses are configured", br, c->params.n_br);
			continue;
		}
		r->br = (uint8_t)br;
		/* an FMR for the SMAPs that get the rules by registration */
		conf_bool(e, g, "forwarding", &fwd);
		r->forwarding = fwd;
		/* the pools' iptables rules are what bring its packets here */
		if (c->n_pools && !(prr_config_in_pool(c, r->prefix4) &&
		    prr_config_in_pool(c, r->prefix4 | (r->plen4 ? ~(~0u << (32 - r->plen4)) : ~0u)))) {
			conf_errf(e, g, "ipv4_prefix", "not inside one of the pools");
			continue;
		}
		for (unsigned j = 0; j < c->params.n_rules; j++) {
			const struct map_rule *o = &c->params.rules[j];
			unsigned m = o->plen4 < r->plen4 ? o->plen4 : r->plen4;
			uint32_t mask = m ? ~0u << (32 - m) : 0;

			if ((o->prefix4 & mask) == (r->prefix4 & mask) && o->plen4 == r->plen4) {
				conf_errf(e, g, "ipv4_prefix", "the same IPv4 prefix as rule %u", j);
				break;
			}
		}
		c->params.n_rules++;
	}
	/* the most specific rule wins */
	map_rules_sort(c->params.rules, c->params.n_rules);
}

static void
add_fast_if(struct conf_err *e, struct prr_config *c, const config_setting_t *el, const char *s)
{
	if (c->n_fast_ifs >= PRR_MAX_FAST_IFS)
		conf_errf(e, el, NULL, "more than %d interfaces", PRR_MAX_FAST_IFS);
	else if (!*s || strlen(s) >= sizeof(c->fast_ifs[0]) || strchr(s, '/'))
		conf_errf(e, el, NULL, "'%s' is not an interface name", s);
	else
		snprintf(c->fast_ifs[c->n_fast_ifs++], sizeof(c->fast_ifs[0]), "%s", s);
}

/* fast_path = "auto" | "xdp" | "off"; fast_path_interfaces = [ "eth0", ... ]; */
static void
load_fast_path(struct conf_err *e, struct prr_config *c, const config_setting_t *root)
{
	const char *s;

	if (conf_str(e, root, "fast_path", &s)) {
		if (strcmp(s, "off") == 0)
			c->fast_path = FASTPATH_OFF;
		else if (strcmp(s, "auto") == 0)
			c->fast_path = FASTPATH_AUTO;
		else if (strcmp(s, "xdp") == 0)
			c->fast_path = FASTPATH_XDP;
		else
			conf_errf(e, root, "fast_path", "'%s' is not one of auto, xdp, off", s);
	}
	if (config_setting_get_member(root, "fast_path_interfaces"))
		load_list_of_strings(e, root, "fast_path_interfaces", add_fast_if, c);
}

static void
load_path(struct conf_err *e, const config_setting_t *root, const char *key, char *out, size_t len,
	  bool append)
{
	const char *s;
	char msg[PATH_MAX + 64];

	if (!conf_str(e, root, key, &s))
		return;
	if (strlen(s) >= len)
		conf_errf(e, root, key, "path too long");
	else
		snprintf(out, len, "%s", s);
	/* a file the PRR cannot write is refused now, not at the first save */
	if (out[0] && safe_file_check(out, append, msg, sizeof(msg)) < 0)
		conf_errf(e, root, key, "%s", msg);
}

/* store = { type = "journal" | "postgresql"; conninfo = "..."; } */
static void
load_store(struct conf_err *e, struct prr_config *c, const config_setting_t *root)
{
	const config_setting_t *g = config_setting_get_member(root, "store");
	const char *s;

	if (!g)
		return;
	conf_only_keys(e, g, store_keys);
	if (conf_str(e, g, "type", &s)) {
		if (strcmp(s, "postgresql") == 0)
			c->store_pg = true;
		else if (strcmp(s, "journal") != 0)
			conf_errf(e, g, "type", "'%s': expected \"journal\" or \"postgresql\"", s);
	}
	if (conf_str(e, g, "conninfo", &s)) {
		if (strlen(s) >= sizeof(c->store_conninfo))
			conf_errf(e, g, "conninfo", "too long");
		else
			snprintf(c->store_conninfo, sizeof(c->store_conninfo), "%s", s);
	}
	if (c->store_pg && !c->store_conninfo[0])
		conf_errf(e, g, "type", "postgresql needs a conninfo");
}

int
prr_config_load(const char *file, struct prr_config *c, struct conf_err *e)
{
	config_t cf;
	const config_setting_t *root, *g, *bl;
	char msg[512];
	unsigned hl = 64;

	memset(c, 0, sizeof(*c));
	snprintf(c->file, sizeof(c->file), "%s", file);
	prr_params_default(&c->params);
	c->queue_count = 1;
	c->install_rules = true;
	snprintf(c->control_socket, sizeof(c->control_socket), "/run/prr.sock");
	if (!conf_read(&cf, file, e)) {
		config_destroy(&cf);
		return -1;
	}
	root = config_root_setting(&cf);
	conf_only_keys(e, root, top_keys);
	load_list_of_strings(e, root, "softwire_addresses", add_br, c);
	load_list_of_strings(e, root, "pools", add_pool, c);
	conf_ipv4(e, root, "ipv4_address", &c->params.ipv4_addr);
	if ((g = config_setting_get_member(root, "queues"))) {
		conf_only_keys(e, g, queue_keys);
		conf_uint(e, g, "first", 0, 65535 - PRR_MAX_QUEUES, &c->queue_first);
		conf_uint(e, g, "count", 1, PRR_MAX_QUEUES, &c->queue_count);
	}
	{
		const char *s;
		if (conf_str(e, root, "control_socket", &s)) {
			if (strlen(s) >= sizeof(c->control_socket))
				conf_errf(e, root, "control_socket", "path too long");
			else
				snprintf(c->control_socket, sizeof(c->control_socket), "%s", s);
		}
	}
	conf_bool(e, root, "install_rules", &c->install_rules);
	load_path(e, root, "state_file", c->state_file, sizeof(c->state_file), false);
	load_path(e, root, "allocation_log", c->alloc_log, sizeof(c->alloc_log), true);
	conf_ctl_access(e, root, &c->control_access);
	conf_privdrop(e, root, &c->priv);
	load_path(e, root, "metrics_file", c->metrics_file, sizeof(c->metrics_file), false);
	load_registration(e, c, root);
	load_store(e, c, root);
	load_side(e, root, "ipv4_side", &c->params.v4, &c->params.unbound_icmp_code,
		  &c->params.echo_request_port0);
	load_side(e, root, "ipv6_side", &c->params.v6, NULL, NULL);
	/* name the mtu setting itself, so the message carries its line */
	if ((g = config_setting_get_member(root, "ipv6_side")) && c->params.v6.mtu < 1280)
		conf_errf(e, g, "mtu", "%u is below the IPv6 minimum 1280",
			  c->params.v6.mtu);
	conf_bool(e, root, "hairpinning", &c->params.hairpinning);
	if (conf_uint(e, root, "hop_limit", 1, 255, &hl))
		c->params.hop_limit = (uint8_t)hl;
	conf_uint(e, root, "icmp_rate_limit", 0, 1000000000, &c->params.icmp_rate);
	load_map_rules(e, c, root);
	load_fast_path(e, c, root);

	bl = config_setting_get_member(root, "bindings");
	c->bt = btable_new(bl ? (size_t)config_setting_length(bl) : 16);
	if (!c->bt)
		fatal("btable_new");
	if (bl) {
		if (!config_setting_is_list(bl)) {
			conf_errf(e, root, "bindings", "expected a list ( { ... }, ... )");
		} else {
			int n = config_setting_length(bl);
			for (int i = 0; i < n; i++)
				load_binding(e, c, config_setting_get_elem(bl, (unsigned)i));
		}
	}
	if (e->count == 0 && btable_build(c->bt, msg, sizeof(msg)) < 0)
		conf_errf(e, bl ? bl : root, bl ? NULL : "bindings", "%s", msg);
	config_destroy(&cf);
	if (e->count) {
		prr_config_free(c);
		return -1;
	}
	return 0;
}

void
prr_config_free(struct prr_config *c)
{
	btable_free(c->bt);
	c->bt = NULL;
}
