# SPDX-License-Identifier: MIT
# Stand-in for OpenWrt's /lib/functions/network.sh (tests/openwrt-check):
# the real one reads `ubus call network.interface dump` with jsonfilter;
# this one reads `ubus call network.interface.IFACE status` (the test's
# fake ubus, laid out as netifd's answer, one key per line) with awk.
# Same results: the l3 device, the first IPv6 address (no mask), the
# first delegated prefix as ADDRESS/MASK.

network_flush_cache() { :; }

# _network_pick IFACE KEY [ARRAY]: KEY's value, inside ARRAY's first element if given
_network_pick() {
	ubus call "network.interface.$1" status 2>/dev/null | awk -v k="$2" -v a="${3:-}" '
		function val(l) { sub(/^[^:]*:[ \t]*/, "", l); gsub(/[",]/, "", l); return l }
		a != "" && $0 ~ "\"" a "\"" { inside = 1; next }
		(a == "" || inside) && $0 ~ "\"" k "\"" { print val($0); exit }'
}

network_get_device() {
	local _d
	_d=$(_network_pick "$2" l3_device)
	eval "$1=\$_d"
	[ -n "$_d" ]
}
network_get_ipaddr6() {
	local _a
	_a=$(_network_pick "$2" address ipv6-address)
	eval "$1=\$_a"
	[ -n "$_a" ]
}
network_get_prefix6() {
	local _a _m
	_a=$(_network_pick "$2" address ipv6-prefix)
	_m=$(_network_pick "$2" mask ipv6-prefix)
	[ -n "$_a" ] && [ -n "$_m" ] || { eval "$1="; return 1; }
	eval "$1=\$_a/\$_m"
}
