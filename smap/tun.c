/* SPDX-License-Identifier: MIT */
/*
 * The TUN device that carries the LAN's IPv4 into the softwire: it gets
 * the shared address (/32, so the SMAP's own traffic leaves from it), an
 * MTU that follows the path, and the IPv4 default route. Closing it
 * removes the device together with its address and routes. Each
 * packet read or written has a virtio header in front (smap/gso.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <net/route.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "smap/gso.h"
#include "smap/smap.h"

#define IP_FORWARD	"/proc/sys/net/ipv4/ip_forward"

static int write_sysctl(const char *path, int v);

static int
ifreq_ioctl(unsigned long req, struct ifreq *ifr)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc;

	if (fd < 0)
		return -1;
	rc = ioctl(fd, req, ifr);
	if (rc < 0) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	close(fd);
	return 0;
}

static void
set_sin(struct sockaddr *sa, uint32_t addr)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(addr) };

	memcpy(sa, &sin, sizeof(sin));
}

/* Whether the main table has an IPv4 default route already. */
static bool
have_default_route(void)
{
	FILE *f = fopen("/proc/net/route", "r");
	char line[256], dev[IF_NAMESIZE + 1];
	unsigned dst, gw, flags, mask;
	bool found = false;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%16s %x %x %x %*d %*d %*d %x", dev, &dst, &gw, &flags, &mask) == 5 &&
		    dst == 0 && mask == 0)
			found = true;
	fclose(f);
	return found;
}

static int
add_default_route(const char *dev)
{
	struct rtentry rt;
	char name[IF_NAMESIZE];
	int fd, rc;

	memset(&rt, 0, sizeof(rt));
	set_sin(&rt.rt_dst, 0);
	set_sin(&rt.rt_genmask, 0);
	set_sin(&rt.rt_gateway, 0);
	rt.rt_flags = RTF_UP;
	snprintf(name, sizeof(name), "%s", dev);
	rt.rt_dev = name;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	rc = ioctl(fd, SIOCADDRT, &rt);
	close(fd);
	return rc;
}

int
tun_set_mtu(struct smap *s, unsigned mtu)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", s->cfg.tun_name);
	ifr.ifr_mtu = (int)mtu;
	if (ifreq_ioctl(SIOCSIFMTU, &ifr) < 0) {
		log_warn("%s: cannot set MTU %u", s->cfg.tun_name, mtu);
		return -1;
	}
	if (s->tun_mtu && s->tun_mtu != mtu)
		s->stats[SMAP_STAT_MTU_CHANGES]++;
	log_info("%s: MTU %u (path MTU %u)", s->cfg.tun_name, mtu, s->live.params.mtu);
	s->tun_mtu = mtu;
	return 0;
}

int
tun_open(struct smap *s)
{
	struct ifreq ifr;
	const char *name = s->cfg.tun_name;

	s->tun_fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (s->tun_fd < 0) {
		log_warn("/dev/net/tun");
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	/* IFF_TUN_EXCL: never take over a device someone else made; IFF_VNET_HDR:
	 * a virtio header in front of each packet, for the offloads below */
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI | IFF_TUN_EXCL | IFF_VNET_HDR;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(s->tun_fd, TUNSETIFF, &ifr) < 0) {
		log_warn("TUNSETIFF %s (does an interface of that name exist?)", name);
		goto err;
	}
	s->tun_ifindex = (int)if_nametoindex(name);
	/* TCP super-packets and checksums left to us: fewer reads, no
	 * segmentation in the kernel; smap/gso.c cuts them to the MTU */
	if (ioctl(s->tun_fd, TUNSETOFFLOAD, (unsigned long)GSO_TUN_OFFLOADS) < 0 &&
	    ioctl(s->tun_fd, TUNSETOFFLOAD, (unsigned long)GSO_TUN_OFFLOADS_TCP) < 0)
		log_warn("%s: no offloads (TUNSETOFFLOAD), one packet a read", name);
	/* IPv4 only: no link-local address, no router solicitations into the softwire */
	{
		char path[128];

		snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", name);
		if (write_sysctl(path, 1) < 0)
			log_debug("%s: cannot disable IPv6", name);
	}
	if (tun_set_mtu(s, s->cfg.tun_mtu ? s->cfg.tun_mtu : smap_tun_mtu(s->live.params.mtu)) < 0)
		goto err;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	set_sin(&ifr.ifr_addr, s->live.params.ipv4);
	if (ifreq_ioctl(SIOCSIFADDR, &ifr) < 0) {
		log_warn("%s: cannot add the shared address", name);
		goto err;
	}
	set_sin(&ifr.ifr_netmask, 0xffffffff);
	if (ifreq_ioctl(SIOCSIFNETMASK, &ifr) < 0) {
		log_warn("%s: cannot set netmask /32", name);
		goto err;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ifreq_ioctl(SIOCGIFFLAGS, &ifr) < 0)
		goto err;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ifreq_ioctl(SIOCSIFFLAGS, &ifr) < 0) {
		log_warn("%s: cannot bring up", name);
		goto err;
	}
	if (s->cfg.default_route) {
		if (have_default_route())
			log_warnx("an IPv4 default route exists already: not adding one via %s "
				  "(set default_route = false to silence this)", name);
		else if (add_default_route(name) < 0) {
			log_warn("cannot add the IPv4 default route via %s", name);
			goto err;
		}
	}
	return 0;
err:
	close(s->tun_fd);
	s->tun_fd = -1;
	return -1;
}

void
tun_close(struct smap *s)
{
	if (s->tun_fd >= 0)
		close(s->tun_fd);	/* the device, its address and routes go with it */
	s->tun_fd = -1;
}

static int
read_sysctl(const char *path)
{
	FILE *f = fopen(path, "r");
	int v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static int
write_sysctl(const char *path, int v)
{
	FILE *f = fopen(path, "w");
	int rc;

	if (!f)
		return -1;
	rc = fprintf(f, "%d\n", v);
	if (fclose(f) != 0 || rc < 0)
		return -1;
	return 0;
}

void
tun_enable_forward(struct smap *s)
{
	int v = read_sysctl(IP_FORWARD);

	s->saved_ip_forward = -1;
	if (v == 1)
		return;
	if (write_sysctl(IP_FORWARD, 1) < 0) {
		log_warn("cannot enable IPv4 forwarding (%s)", IP_FORWARD);
		return;
	}
	s->saved_ip_forward = v < 0 ? 0 : v;
	log_debug("IPv4 forwarding enabled");
}

void
tun_restore_forward(struct smap *s)
{
	if (s->saved_ip_forward < 0)
		return;
	if (write_sysctl(IP_FORWARD, s->saved_ip_forward) < 0)
		log_warn("cannot restore %s", IP_FORWARD);
	s->saved_ip_forward = -1;
}
