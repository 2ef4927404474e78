/* SPDX-License-Identifier: MIT */
/*
 * smap-upnp's questions to the SMAP (rpc.h). The socket has a receive
 * timeout: an answer that does not come fails the action (501) instead
 * of holding libupnp's thread; a late answer is recognised by its id and
 * dropped.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "log.h"
#include "smap/upnpd/rpc.h"

#define RPC_TIMEOUT_MS	2000

static int fd = -1;
static uint32_t next_id;
static atomic_bool gone;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void
rpc_init(int sock)
{
	struct timeval tv = { RPC_TIMEOUT_MS / 1000, RPC_TIMEOUT_MS % 1000 * 1000 };

	fd = sock;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
		log_warn("upnp: socket timeouts");
}

bool
rpc_gone(void)
{
	return atomic_load(&gone);
}

static bool
send_msg(const struct upnp_msg *m)
{
	uint8_t buf[UPNP_MSG_MAX];
	size_t n = upnp_msg_encode(m, buf, sizeof(buf));

	if (!n) {
		log_warnx("upnp: cannot encode a %s message", upnp_msg_name(m->type));
		return false;
	}
	if (send(fd, buf, n, MSG_NOSIGNAL) != (ssize_t)n) {
		if (errno == EPIPE || errno == ECONNRESET)
			atomic_store(&gone, true);
		log_warn("upnp: send %s", upnp_msg_name(m->type));
		return false;
	}
	return true;
}

bool
rpc_send(const struct upnp_msg *m)
{
	bool ok;

	pthread_mutex_lock(&lock);
	ok = send_msg(m);
	pthread_mutex_unlock(&lock);
	return ok;
}

bool
rpc_call(struct upnp_msg *q, struct upnp_msg *reply)
{
	uint8_t want = q->type == UPNP_MSG_STATUS ? UPNP_MSG_R_STATUS : UPNP_MSG_R_MAP;
	uint8_t buf[UPNP_MSG_MAX];
	bool ok = false;

	pthread_mutex_lock(&lock);
	q->id = ++next_id;
	if (!send_msg(q))
		goto out;
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n == 0) {
			atomic_store(&gone, true);
			log_warnx("upnp: the SMAP closed the socket");
			break;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_warn("upnp: no answer to %s", upnp_msg_name(q->type));
			break;
		}
		if (!upnp_msg_decode(buf, (size_t)n, reply) || reply->type != want) {
			log_warnx("upnp: malformed answer to %s", upnp_msg_name(q->type));
			break;
		}
		if (reply->id == q->id) {
			ok = true;
			break;
		}
		/* the answer to a question that timed out: dropped */
	}
out:
	pthread_mutex_unlock(&lock);
	return ok;
}

/* ---- the igd_table over the SMAP ---- */

static bool
ask_map(struct upnp_msg *q, struct mapping *out, uint8_t *result)
{
	struct upnp_msg r;

	if (!rpc_call(q, &r))
		return false;
	*result = r.result;
	if (out && (r.result == MAPTABLE_OK || r.result == MAPTABLE_RENEWED))
		*out = r.m;
	return true;
}

static enum maptable_result
t_add(void *arg, const struct mapping *want, uint32_t lifetime, bool exact, struct mapping *out)
{
	struct upnp_msg q = { .type = UPNP_MSG_ADD, .m = *want, .lifetime = lifetime,
			      .exact = exact };
	uint8_t res;

	memset(q.m.nonce, 0, sizeof(q.m.nonce));
	q.m.lifetime = 0;
	q.m.expires = 0;
	memset(q.m.host_mac, 0, sizeof(q.m.host_mac));
	return ask_map(&q, out, &res) ? res : MAPTABLE_IO_ERROR;
}

static enum maptable_result
t_del(void *arg, uint8_t proto, uint16_t ext_port, struct mapping *out)
{
	struct upnp_msg q = { .type = UPNP_MSG_DEL, .m = { .proto = proto, .ext_port = ext_port } };
	uint8_t res;

	return ask_map(&q, out, &res) ? res : MAPTABLE_IO_ERROR;
}

static bool
lookup(struct upnp_msg *q, struct mapping *out)
{
	uint8_t res;

	return ask_map(q, out, &res) && res == MAPTABLE_OK;
}

static bool
t_at(void *arg, unsigned i, struct mapping *out)
{
	struct upnp_msg q = { .type = UPNP_MSG_AT, .index = i };

	return lookup(&q, out);
}

static bool
t_find_ext(void *arg, uint8_t proto, uint16_t ext_port, struct mapping *out)
{
	struct upnp_msg q = { .type = UPNP_MSG_FIND_EXT,
			      .m = { .proto = proto, .ext_port = ext_port } };

	return lookup(&q, out);
}

static bool
t_find_int(void *arg, uint8_t proto, uint32_t int_addr, uint16_t int_port, struct mapping *out)
{
	struct upnp_msg q = { .type = UPNP_MSG_FIND_INT,
			      .m = { .proto = proto, .int_addr = int_addr, .int_port = int_port } };

	return lookup(&q, out);
}

struct igd_table
rpc_table(void)
{
	return (struct igd_table){ NULL, t_add, t_del, t_at, t_find_ext, t_find_int };
}
