/* SPDX-License-Identifier: MIT */
/*
 * UPnP IGD on the SMAP: the WANIPConnection:1/:2 and
 * WANCommonInterfaceConfig:1 actions over the shared mapping table, with
 * the argument checks and error codes of the UPnP IGD-PCP Interworking
 * Function (RFC 6970, draft-ietf-pcp-upnp-igd-interworking) and of
 * WANIPConnection:2. Pure code: the SOAP transport (libupnp) and the
 * owner of the table (nftables, state file, its lock) are the caller's.
 *
 * One action table drives the argument checks here and the SCPD
 * documents (igd_desc.c), so the two cannot disagree.
 */
#ifndef AP_IGD_H
#define AP_IGD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "smap/portmap/maptable.h"

#define IGD_MAX_LEASE	604800u		/* IGD:2 maximum; IGD:1 lease 0 maps to it */
#define IGD_MAX_ARGS	10
#define IGD_VALUE_MAX	160		/* longest out value but the port listing */
#define IGD_KEEP_MAX	256		/* IGD:1 permanent mappings kept alive */

/* UPnP error codes (UPnP Device Architecture, WANIPConnection:2 2.4) */
enum igd_err {
	IGD_OK = 0,
	IGD_E_INVALID_ACTION = 401,
	IGD_E_INVALID_ARGS = 402,
	IGD_E_ACTION_FAILED = 501,
	IGD_E_ARG_VALUE_INVALID = 600,
	IGD_E_NOT_AUTHORIZED = 606,
	IGD_E_INDEX_INVALID = 713,		/* SpecifiedArrayIndexInvalid */
	IGD_E_NO_SUCH_ENTRY = 714,		/* NoSuchEntryInArray */
	IGD_E_WILDCARD_EXT_PORT = 716,		/* WildCardNotPermittedInExtPort */
	IGD_E_CONFLICT = 718,			/* ConflictInMappingEntry */
	IGD_E_NO_PORT_MAPS = 728,		/* NoPortMapsAvailable */
	IGD_E_NOT_FOUND = 730,			/* PortMappingNotFound */
	IGD_E_WILDCARD_INT_PORT = 732,		/* WildCardNotPermittedInIntPort */
	IGD_E_INCONSISTENT = 733,		/* InconsistentParameters */
};

enum igd_service {
	IGD_SVC_WANIPCONN = 0,	/* WANIPConnection:1 or :2 */
	IGD_SVC_WANCIF = 1,	/* WANCommonInterfaceConfig:1 */
	IGD_SVC_MAX,
};

enum igd_dir { IGD_IN = 0, IGD_OUT = 1 };

struct igd_argdef {
	const char *name;
	uint8_t dir;		/* enum igd_dir */
	const char *var;	/* relatedStateVariable */
};

struct igd_actiondef {
	const char *name;
	uint8_t service;	/* enum igd_service */
	uint8_t min_version;	/* 2: WANIPConnection:2 only */
	struct igd_argdef args[IGD_MAX_ARGS];
};

struct igd_vardef {
	const char *name;
	uint8_t service;
	const char *type;	/* UPnP data type: string, ui2, ui4, boolean */
	bool evented;
	uint8_t min_version;
	const char *allowed;	/* comma-separated allowed values, or NULL */
};

/* The tables, NULL-name terminated. */
extern const struct igd_actiondef igd_actions[];
extern const struct igd_vardef igd_vars[];
const struct igd_actiondef *igd_action_find(enum igd_service, unsigned version,
					    const char *name);

/*
 * What the actions work on: the SMAP's table through its owner, so that
 * each call is one locked step and applies its change (DNAT forward,
 * state file). The i-th mapping is in the listing order of maptable_at.
 */
struct igd_table {
	void *arg;
	enum maptable_result (*add)(void *arg, const struct mapping *want, uint32_t lifetime,
				    bool exact, struct mapping *out);
	enum maptable_result (*del)(void *arg, uint8_t proto, uint16_t ext_port,
				    struct mapping *out);
	bool (*at)(void *arg, unsigned i, struct mapping *out);
	bool (*find_ext)(void *arg, uint8_t proto, uint16_t ext_port, struct mapping *out);
	bool (*find_int)(void *arg, uint8_t proto, uint32_t int_addr, uint16_t int_port,
			 struct mapping *out);
};

/* The table interface over a bare maptable, its clock in now (tests, fuzzing). */
struct igd_bare {
	struct maptable *t;
	uint64_t now;
};
struct igd_table igd_table_bare(struct igd_bare *);

/* IGD:1 mappings asked with lease 0: renewed at 604800 s by igd_tick. */
struct igd_keep {
	unsigned n;
	struct { uint8_t proto; uint16_t ext_port; uint32_t int_addr; uint16_t int_port; }
		k[IGD_KEEP_MAX];
};

enum igd_stat {
	IGD_STAT_ACTIONS,
	IGD_STAT_ERRORS,
	IGD_STAT_UNKNOWN_ACTION,
	IGD_STAT_RENEWED,
	IGD_STAT_MAX,
};

struct igd_stat_desc { const char *name, *doc; };
extern const struct igd_stat_desc igd_stat_desc[IGD_STAT_MAX];

struct igd {
	struct igd_table tab;
	uint32_t ext_addr;		/* the shared address, host order */
	uint32_t lan_prefix;		/* host order */
	unsigned lan_plen;
	bool allow_other_hosts;		/* else 606 for another InternalClient */
	uint64_t up_since;		/* seconds, for NewUptime */
	struct igd_keep keep;
	uint64_t stats[IGD_STAT_MAX];	/* enum igd_stat */
};

struct igd_arg {
	const char *name;
	const char *value;
};

struct igd_request {
	enum igd_service service;
	unsigned version;		/* 1 or 2: from the action's namespace */
	const char *action;
	uint32_t client;		/* control point address, host order */
	uint64_t now;			/* wall-clock seconds */
	unsigned n;
	struct igd_arg args[IGD_MAX_ARGS + 2];
};

struct igd_reply {
	int err;			/* enum igd_err; 0: success */
	char errdesc[64];
	unsigned n;
	struct { const char *name; char value[IGD_VALUE_MAX]; } out[IGD_MAX_ARGS];
	char *listing;			/* NewPortListing (malloc), value of out[] named so */
};

/* Run one action. The reply's out[] follow the action's out arguments. */
void igd_handle(struct igd *, const struct igd_request *, struct igd_reply *);
void igd_reply_free(struct igd_reply *);

/* Keep IGD:1 permanent mappings alive; returns how many were renewed. */
unsigned igd_tick(struct igd *, uint64_t now);

/* Wire helpers, exported for tests. */
bool igd_parse_u16(const char *, uint16_t *out);
bool igd_parse_u32(const char *, uint32_t *out);
bool igd_parse_bool(const char *, bool *out);
int igd_parse_proto(const char *);		/* IPPROTO_TCP/UDP, -1 */
const char *igd_err_name(int err);
/* XML-escape s into buf (NUL-terminated, truncated at a character); length written. */
size_t igd_xml_escape(const char *s, char *buf, size_t len);
/* "urn:...:WANIPConnection:2" -> IGD_SVC_WANIPCONN, version 2; false if not ours. */
bool igd_service_of_urn(const char *urn, enum igd_service *svc, unsigned *version);

#endif
