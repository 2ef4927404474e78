# SPDX-License-Identifier: MIT
"""Packets and pcap files for the conformance tools' own vectors.

Builds IPv4 (TCP, UDP, ICMP) and IPv4-in-IPv6 packets with correct
checksums, ICMPv6 errors as the PRR writes them, and classic pcap files
(raw IP, or Ethernet with an 802.1Q tag and padding a reader must cut).
Used by selftest and own/make-vectors.
"""
import ipaddress
import struct


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(">%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def ipv4(src, dst, proto, l4, ttl=64, tos=0, ident=0x1234):
    s, d = ipaddress.IPv4Address(src).packed, ipaddress.IPv4Address(dst).packed
    pseudo = s + d + struct.pack(">BBH", 0, proto, len(l4))
    off = {1: 2, 6: 16, 17: 6}[proto]
    summed = l4 if proto == 1 else pseudo + l4	# ICMPv4: no pseudo-header
    l4 = l4[:off] + struct.pack(">H", csum(summed)) + l4[off + 2:]
    h = struct.pack(">BBHHHBBH4s4s", 0x45, tos, 20 + len(l4), ident, 0x4000, ttl, proto, 0, s, d)
    return h[:10] + struct.pack(">H", csum(h)) + h[12:] + l4


def tcp(sport, dport, payload=b"conformance"):
    return struct.pack(">HHIIBBHHH", sport, dport, 1, 0, 0x50, 0x02, 8192, 0, 0) + payload


def udp(sport, dport, payload=b"query"):
    return struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload


def ipv6(src, dst, inner, tc=0, hlim=64):
    return (struct.pack(">IHBB", 6 << 28 | tc << 20, len(inner), 4, hlim) +
            ipaddress.IPv6Address(src).packed + ipaddress.IPv6Address(dst).packed + inner)


def dec_ttl(p):
    p = bytearray(p)
    p[8] -= 1
    p[10:12] = b"\0\0"
    p[10:12] = struct.pack(">H", csum(bytes(p[:20])))
    return bytes(p)


def write_pcap(path, packets, linktype):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, linktype))
        for i, p in enumerate(packets):
            if linktype == 1:	# Ethernet with an 802.1Q tag
                et = b"\x08\x00" if p[0] >> 4 == 4 else b"\x86\xdd"
                p = b"\x02" * 6 + b"\x04" * 6 + b"\x81\x00\x00\x64" + et + p
                p += b"\0" * max(0, 60 - len(p))	# padding the reader must cut
            f.write(struct.pack("<IIII", 1000 + i, 0, len(p), len(p)) + p)


def icmp4(typ, code, rest=b"\0\0\0\0", body=b""):
    """An ICMPv4 message, checksum left 0 for ipv4() to fill."""
    return struct.pack(">BBH", typ, code, 0) + rest + body


def echo(typ, ident, seq=1, payload=b"ping"):
    """ICMPv4 echo request (8) or reply (0)."""
    return icmp4(typ, 0, struct.pack(">HH", ident, seq), payload)


def icmp6_error(src, dst, typ, code, quote, rest=0):
    """An ICMPv6 error as the PRR builds it: hop limit 255, the quote cut at 1280 bytes."""
    quote = quote[:1280 - 48]
    s, d = ipaddress.IPv6Address(src).packed, ipaddress.IPv6Address(dst).packed
    body = struct.pack(">BBHI", typ, code, 0, rest) + quote
    pseudo = s + d + struct.pack(">IxxxB", len(body), 58)
    body = body[:2] + struct.pack(">H", csum(pseudo + body)) + body[4:]
    return struct.pack(">IHBB", 6 << 28, len(body), 58, 255) + s + d + body
