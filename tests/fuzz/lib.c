/* SPDX-License-Identifier: MIT */
/* Helpers the fuzz targets share: see lib.h. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csum.h"
#include "pkt.h"
#include "tests/fuzz/lib.h"

const char *__lsan_default_suppressions(void);

/*
 * libconfig before 1.7 leaks string tokens dropped in syntax error
 * recovery (hyperrealm/libconfig#142, fixed by #155); Debian 12 has 1.5.
 * Not ours to fix: ignore leaks from its scanner only, so a config tree
 * we forget to destroy still shows. libupnp 1.14's XML parser (libixml)
 * leaks nodes of a malformed document (text after the root element, a
 * CDATA section in a broken element) inside ixmlParseBuffer: ignored by
 * the node constructors only, so a document we forget to free still shows.
 */
const char *
__lsan_default_suppressions(void)
{
	return "leak:strbuf_append\nleak:libconfig_yylex\n"
	       "leak:ixmlDocument_createTextNodeEx\nleak:ixmlDocument_createCDATASectionEx\n"
	       "leak:ixmlDocument_createElementEx\nleak:ixmlDocument_createElementNSEx\n"
	       "leak:ixmlDocument_createAttributeEx\nleak:ixmlDocument_createAttributeNSEx\n";
}

bool
fuzz_next(const uint8_t **data, size_t *size, uint8_t *flags, const uint8_t **pkt, size_t *len)
{
	size_t n;

	if (*size < 3)
		return false;
	*flags = (*data)[0];
	n = (size_t)(*data)[1] << 8 | (*data)[2];
	*data += 3;
	*size -= 3;
	if (n > *size)
		n = *size;
	*pkt = *data;
	*len = n;
	*data += n;
	*size -= n;
	return true;
}

void
fuzz_fix4(uint8_t *p, size_t len)
{
	struct ipv4_info ip;
	uint16_t c;

	if (len < IPV4_HDR_MIN || p[0] >> 4 != 4 || (p[0] & 0xf) < 5 ||
	    (size_t)(p[0] & 0xf) * 4 > len)
		return;
	ipv4_set_csum(p);
	if (ipv4_parse(p, len, true, &ip) != PKT_OK || ipv4_is_fragment(&ip) ||
	    ip.proto != IPPROTO_ICMP || ip.tot_len - ip.hlen < 8)
		return;
	p[ip.hlen + 2] = p[ip.hlen + 3] = 0;
	c = csum_buf(p + ip.hlen, ip.tot_len - ip.hlen);
	memcpy(p + ip.hlen + 2, &c, 2);
}

#define MAX_FILES 4
static char files[MAX_FILES][64];

static void
cleanup(void)
{
	for (unsigned i = 0; i < MAX_FILES; i++)
		if (files[i][0])
			unlink(files[i]);
}

const char *
fuzz_file(const char *tag, const uint8_t *data, size_t size)
{
	char path[64];
	unsigned i;
	int fd;

	snprintf(path, sizeof(path), "/tmp/fuzz-%s.%d", tag, (int)getpid());
	for (i = 0; i < MAX_FILES && files[i][0] && strcmp(files[i], path); i++)
		;
	if (i == MAX_FILES)
		abort();
	if (!files[i][0]) {
		if (i == 0)
			atexit(cleanup);
		memcpy(files[i], path, sizeof(path));
	}
	fd = open(files[i], O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	return files[i];
}
