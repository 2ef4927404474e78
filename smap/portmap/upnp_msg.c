/* SPDX-License-Identifier: MIT */
/*
 * The SMAP <-> smap-upnp messages (upnp_msg.h). One walk per type lists
 * the fields once; the same walk writes (encode) or reads (decode), so the
 * two directions cannot disagree on the layout.
 */
#include <ctype.h>
#include <netinet/in.h>
#include <string.h>

#include "smap/portmap/upnp_msg.h"

struct cur {
	uint8_t *p;
	size_t len, off;
	bool wr;
	bool bad;	/* short buffer */
};

static void
io(struct cur *c, uint64_t *v, unsigned bytes)
{
	if (c->bad || c->len - c->off < bytes) {
		c->bad = true;
		return;
	}
	if (c->wr) {
		for (unsigned i = 0; i < bytes; i++)
			c->p[c->off + i] = (uint8_t)(*v >> 8 * (bytes - 1 - i));
	} else {
		*v = 0;
		for (unsigned i = 0; i < bytes; i++)
			*v = *v << 8 | c->p[c->off + i];
	}
	c->off += bytes;
}

/* The field f, of its own width, in network order. */
#define IO(c, f) do {							\
	uint64_t v_ = (uint64_t)(f);					\
	io((c), &v_, sizeof(f));					\
	(f) = (__typeof__(f))v_;					\
} while (0)

static void
io_bytes(struct cur *c, void *b, size_t n)
{
	if (c->bad || c->len - c->off < n) {
		c->bad = true;
		return;
	}
	if (c->wr)
		memcpy(c->p + c->off, b, n);
	else
		memcpy(b, c->p + c->off, n);
	c->off += n;
}

static void
io_mapping(struct cur *c, struct mapping *m)
{
	uint8_t enabled = m->enabled;

	IO(c, m->proto);
	IO(c, m->ext_port);
	IO(c, m->int_addr);
	IO(c, m->int_port);
	IO(c, enabled);
	IO(c, m->remote_addr);
	IO(c, m->remote_port);
	IO(c, m->lifetime);
	IO(c, m->expires);
	IO(c, m->origin);
	io_bytes(c, m->host_mac, sizeof(m->host_mac));
	io_bytes(c, m->desc, sizeof(m->desc));
	m->enabled = enabled == 1;
	if (enabled > 1)
		c->bad = true;
}

static void
io_fields(struct cur *c, struct upnp_msg *msg)
{
	uint8_t exact = msg->exact;

	IO(c, msg->type);
	IO(c, msg->id);
	switch (msg->type) {
	case UPNP_MSG_ADD:
		io_mapping(c, &msg->m);
		IO(c, msg->lifetime);
		IO(c, exact);
		msg->exact = exact == 1;
		if (exact > 1)
			c->bad = true;
		break;
	case UPNP_MSG_DEL:
	case UPNP_MSG_FIND_EXT:
		IO(c, msg->m.proto);
		IO(c, msg->m.ext_port);
		break;
	case UPNP_MSG_FIND_INT:
		IO(c, msg->m.proto);
		IO(c, msg->m.int_addr);
		IO(c, msg->m.int_port);
		break;
	case UPNP_MSG_AT:
		IO(c, msg->index);
		break;
	case UPNP_MSG_STATUS:
		break;
	case UPNP_MSG_READY:
		IO(c, msg->port4);
		IO(c, msg->port6);
		break;
	case UPNP_MSG_STATS:
		for (int i = 0; i < IGD_STAT_MAX; i++)
			IO(c, msg->stats[i]);
		break;
	case UPNP_MSG_R_MAP:
		IO(c, msg->result);
		io_mapping(c, &msg->m);
		break;
	case UPNP_MSG_R_STATUS:
		IO(c, msg->ext_addr);
		IO(c, msg->count);
		break;
	default:
		c->bad = true;
	}
}

/* A description as maptable keeps one: printable, NUL-terminated, zeros after. */
static bool
desc_ok(const char *d, size_t size)
{
	size_t n = strnlen(d, size);

	if (n == size)
		return false;
	for (size_t i = 0; i < size; i++)
		if (i < n ? !isprint((unsigned char)d[i]) : d[i] != 0)
			return false;
	return true;
}

static bool
proto_ok(uint8_t p, bool all)
{
	return p == IPPROTO_TCP || p == IPPROTO_UDP || (all && p == 0);
}

static bool
mapping_ok(const struct mapping *m)
{
	return proto_ok(m->proto, true) && m->origin <= MAP_ORIGIN_UPNP &&
	       desc_ok(m->desc, sizeof(m->desc));
}

static bool
zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* What each type's fields may hold, beyond their widths. */
static bool
valid(const struct upnp_msg *msg)
{
	const struct mapping *m = &msg->m;

	switch (msg->type) {
	case UPNP_MSG_ADD:	/* a request: no expiry, origin or MAC of its own */
		return mapping_ok(m) && m->proto != 0 && m->int_port != 0 &&
		       m->lifetime == 0 && m->expires == 0 && m->origin == MAP_ORIGIN_UPNP &&
		       zero(m->host_mac, sizeof(m->host_mac)) &&
		       msg->lifetime > 0 && msg->lifetime <= IGD_MAX_LEASE;
	case UPNP_MSG_DEL:
	case UPNP_MSG_FIND_EXT:
	case UPNP_MSG_FIND_INT:
		return proto_ok(m->proto, true);
	case UPNP_MSG_R_MAP:
		return msg->result <= MAPTABLE_IO_ERROR && mapping_ok(m);
	default:
		return true;
	}
}

size_t
upnp_msg_encode(const struct upnp_msg *msg, uint8_t *buf, size_t len)
{
	struct upnp_msg copy = *msg;
	struct cur c = { .p = buf, .len = len, .wr = true };

	if (!valid(&copy))
		return 0;
	io_fields(&c, &copy);
	return c.bad ? 0 : c.off;
}

bool
upnp_msg_decode(const uint8_t *buf, size_t len, struct upnp_msg *msg)
{
	struct cur c = { .p = (uint8_t *)buf, .len = len };

	memset(msg, 0, sizeof(*msg));
	io_fields(&c, msg);
	return !c.bad && c.off == len && valid(msg);
}

const char *
upnp_msg_name(unsigned type)
{
	static const char *const names[UPNP_MSG_TYPE_MAX] = {
		[UPNP_MSG_ADD] = "add", [UPNP_MSG_DEL] = "del", [UPNP_MSG_AT] = "at",
		[UPNP_MSG_FIND_EXT] = "find_ext", [UPNP_MSG_FIND_INT] = "find_int",
		[UPNP_MSG_STATUS] = "status", [UPNP_MSG_READY] = "ready",
		[UPNP_MSG_STATS] = "stats", [UPNP_MSG_R_MAP] = "r_map",
		[UPNP_MSG_R_STATUS] = "r_status",
	};

	return type < UPNP_MSG_TYPE_MAX && names[type] ? names[type] : "?";
}
