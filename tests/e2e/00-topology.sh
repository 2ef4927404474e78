#!/bin/bash
# SPDX-License-Identifier: MIT
# 00-topology: the testbed itself, without the softwire: every link, the
# IPv6 routes of the access network, and the 1280-byte MTU toward ap-smap2.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

ping4() { tb "$1" ping -c 1 -W 2 "$2"; }
ping6() { tb "$1" ping -6 -c 1 -W 2 "$2"; }
# ping6_df NS DST SIZE: one ICMPv6 echo of SIZE data bytes, no fragmenting
ping6_df() { tb "$1" ping -6 -c 1 -W 2 -M "do" -s "$3" "$2"; }

# links
check "link inet-prr: ap-inet -> 198.51.100.1"       ping4 inet 198.51.100.1
check "link inet-prr: ap-prr -> 198.51.100.10"       ping4 prr 198.51.100.10
check "link prr-core: ap-prr -> 2001:db8:100::2"     ping6 prr 2001:db8:100::2
check "link core-smap1: ap-core -> 2001:db8:1::2"    ping6 core 2001:db8:1::2
check "link core-smap2: ap-core -> 2001:db8:2::2"    ping6 core 2001:db8:2::2
check "lan1: ap-h11 -> 192.168.1.1"                  ping4 h11 192.168.1.1
check "lan1: ap-h12 -> 192.168.1.1"                  ping4 h12 192.168.1.1
check "lan1 bridge: ap-h11 -> ap-h12"                ping4 h11 192.168.1.11
check "lan2: ap-h21 -> 192.168.2.1"                  ping4 h21 192.168.2.1

# routed IPv6 between the softwire endpoints, both directions
check "ipv6: ap-prr -> smap1 WAN 2001:db8:1::2"      ping6 prr 2001:db8:1::2
check "ipv6: ap-prr -> smap2 WAN 2001:db8:2::2"      ping6 prr 2001:db8:2::2
check "ipv6: ap-smap1 -> PRR 2001:db8:100::1"        ping6 smap1 2001:db8:100::1
check "ipv6: ap-smap2 -> PRR 2001:db8:100::1"        ping6 smap2 2001:db8:100::1

# routes and forwarding as the design card says
check "ap-inet routes 192.0.2.0/28 via 198.51.100.1" \
	sh -c "'$TESTBED' exec inet ip route show 192.0.2.0/28 | grep -q 'via 198.51.100.1'"
check "ap-prr forwards IPv4" \
	sh -c "[ \"\$('$TESTBED' exec prr sysctl -n net.ipv4.ip_forward)\" = 1 ]"
check "ap-core forwards IPv6" \
	sh -c "[ \"\$('$TESTBED' exec core sysctl -n net.ipv6.conf.all.forwarding)\" = 1 ]"

# the access network is IPv6-only: no IPv4 between a SMAP and the PRR
# unless a softwire carries it
check_fails "no IPv4 address on ap-core" \
	sh -c "'$TESTBED' exec core ip -4 -o addr show scope global | grep -q inet"

# MTU: 1280 on both ends of the ap-core <-> ap-smap2 link, 1500 toward smap1
mtu() { tb "$1" cat "/sys/class/net/$2/mtu"; }
check_mtu() {
	local m
	m=$(mtu "$1" "$2")
	if [ "$m" = "$3" ]; then pass "mtu $3 on ap-$1 $2"; else fail "mtu $3 on ap-$1 $2" "mtu is $m"; fi
}
check_mtu core smap2 1280
check_mtu smap2 wan0 1280
check       "ap-core -> smap2: 1232-byte DF ping fits 1280"    ping6_df core 2001:db8:2::2 1232
check_fails "ap-core -> smap2: 1300-byte DF ping exceeds 1280" ping6_df core 2001:db8:2::2 1300
check       "ap-core -> smap1: 1300-byte DF ping fits 1500"    ping6_df core 2001:db8:1::2 1300

# ap-core tells a sender beyond it about the 1280 link (ICMPv6 Packet Too
# Big); ap-smap1 is the sender so the PRR's route cache is left alone.
out=$(tb smap1 ping -6 -c 1 -W 2 -M "do" -s 1300 2001:db8:2::2 2>&1 || true)
tb smap1 ip -6 route flush cache >/dev/null 2>&1 || true
case $out in
*"mtu=1280"*|*"mtu = 1280"*) pass "ap-core sends Packet Too Big (mtu 1280)" ;;
*) fail "ap-core sends Packet Too Big (mtu 1280)" "$(oneline "$out")" ;;
esac
