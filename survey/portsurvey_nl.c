/* SPDX-License-Identifier: MIT */
/*
 * A ctnetlink dump of the IPv4 conntrack table with libmnl. Only the
 * two tuples are read, straight from the attributes: no per-entry
 * object as libnetfilter_conntrack would build, which matters at a
 * million entries per sample. The parsing is survey/conntrack_nl.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <libmnl/libmnl.h>

#include "survey/conntrack_nl.h"
#include "survey/portsurvey.h"

/* dumps are paced by our reads: a big buffer means fewer system calls */
#define DUMP_BUF	(256 * 1024)

struct dump {
	struct survey_acc *acc;
	size_t n;
};

static int
entry_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump *d = data;
	struct ct_entry e;

	if (!ct_nl_parse(nlh, &e))
		return MNL_CB_OK;	/* a bad entry: skip, not abort */
	d->n++;
	survey_acc_add(d->acc, &e);
	return MNL_CB_OK;
}

int
ct_dump_netlink(struct survey_acc *acc, size_t *n)
{
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfh;
	struct dump d = { .acc = acc };
	char *buf;
	unsigned seq = (unsigned)time(NULL), portid;
	ssize_t len;
	int ret = -1, saved;

	buf = malloc(DUMP_BUF);
	if (buf == NULL)
		return -1;
	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (nl == NULL || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto out;
	portid = mnl_socket_get_portid(nl);

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	nfh = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfh));
	nfh->nfgen_family = AF_INET;
	nfh->version = NFNETLINK_V0;
	nfh->res_id = 0;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		goto out;

	for (;;) {
		len = mnl_socket_recvfrom(nl, buf, DUMP_BUF);
		if (len < 0) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		ret = mnl_cb_run(buf, (size_t)len, seq, portid, entry_cb, &d);
		if (ret <= MNL_CB_STOP)
			break;
	}
	if (ret == MNL_CB_ERROR)
		ret = -1;
	else
		ret = 0;
out:
	saved = errno;
	if (nl != NULL)
		mnl_socket_close(nl);
	free(buf);
	*n = d.n;
	errno = saved;
	return ret;
}
