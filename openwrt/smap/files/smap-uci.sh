# SPDX-License-Identifier: MIT
# /usr/share/smap/smap-uci.sh: sourced by /etc/init.d/smap and the iface
# hotplug hook /etc/hotplug.d/iface/95-smap. POSIX sh (busybox ash).
#
#   smap_wan_facts IFACE   SMAP_WAN_DEV, SMAP_WAN_ADDR, SMAP_WAN_PREFIX of a
#                          logical interface, from netifd (ubus
#                          network.interface, through network.sh); empty
#                          when it is not up
#                          (all three in SMAP_WAN_FACTS)
#   smap_write_conf OUT    /etc/config/smap (UCI) as smap.conf (libconfig)
#                          into OUT; 1 and a line per error on stderr
#   $SMAP_STATE            where the init script keeps the SMAP_WAN_FACTS
#                          of the smap.conf in force
#
# ${IPKG_INSTROOT} prefixes the OpenWrt libraries, as in image builds (and
# in tests/openwrt-check, which puts stand-ins there).

. "${IPKG_INSTROOT}/lib/functions.sh"
. "${IPKG_INSTROOT}/lib/functions/network.sh"

SMAP_STATE=${SMAP_STATE:-/var/run/smap/wan}	# the facts smap.conf was last written from

smap_wan_facts() {
	SMAP_WAN_DEV= SMAP_WAN_ADDR= SMAP_WAN_PREFIX=
	network_flush_cache
	network_get_device SMAP_WAN_DEV "$1" || SMAP_WAN_DEV=
	network_get_ipaddr6 SMAP_WAN_ADDR "$1" || SMAP_WAN_ADDR=
	network_get_prefix6 SMAP_WAN_PREFIX "$1" || SMAP_WAN_PREFIX=
	SMAP_WAN_FACTS="dev=$SMAP_WAN_DEV addr=$SMAP_WAN_ADDR prefix=$SMAP_WAN_PREFIX"
}

# ---- helpers: one value each, or an error naming the UCI option

SMAP_ERR=0
smap_err() {	# smap_err SECTION.OPTION MESSAGE
	echo "uci smap.$1: $2" >&2
	SMAP_ERR=1
}

# a libconfig string: backslashes and quotes escaped
smap_str() {
	printf '"%s"' "$(printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')"
}

# smap_num SECTION OPTION [DEFAULT]: the value into SMAP_V if it is a
# number (not in $( ): an error must reach SMAP_ERR)
smap_num() {
	config_get SMAP_V "$1" "$2" "$3"
	case $SMAP_V in
	'') return 1 ;;
	*[!0-9]*) smap_err "$1.$2" "'$SMAP_V' is not a number"; return 1 ;;
	esac
}

# smap_bool SECTION OPTION DEFAULT: true or false
smap_bool() {
	local v
	config_get_bool v "$1" "$2" "$3"
	[ "$v" = 1 ] && printf true || printf false
}

smap_listitem() { SMAP_LIST="$SMAP_LIST${SMAP_LIST:+, }$(smap_str "$1")"; }
# smap_list SECTION OPTION: [ "a", "b" ]
smap_list() {
	SMAP_LIST=
	config_list_foreach "$1" "$2" smap_listitem
	printf '[ %s ]' "$SMAP_LIST"
}

smap_rule() {	# config rule: one element of map.rules
	local v6 v4 n line=
	config_get v6 "$1" ipv6_prefix
	config_get v4 "$1" ipv4_prefix
	[ -n "$v6" ] || smap_err "$1.ipv6_prefix" "missing"
	[ -n "$v4" ] || smap_err "$1.ipv4_prefix" "missing"
	line="ipv6_prefix = $(smap_str "$v6"); ipv4_prefix = $(smap_str "$v4");"
	for n in ea_length offset psid_length psid; do
		smap_num "$1" "$n" && line="$line $n = $SMAP_V;"
	done
	line="$line forwarding = $(smap_bool "$1" forwarding 1);"
	SMAP_RULES="$SMAP_RULES${SMAP_RULES:+,
}		{ $line }"
}

# ---- UCI to smap.conf

smap_write_conf() {
	local out=$1 wanif dev addr prefix v reg mapmode=0 from_prr rules
	SMAP_ERR=0
	config_load smap
	config_get wanif main wan_interface wan6
	smap_wan_facts "$wanif"
	config_get dev main wan_device "$SMAP_WAN_DEV"
	[ -n "$dev" ] || smap_err main.wan_device "not given, and $wanif has no device (not up yet?)"
	config_get addr main wan_address
	config_get prefix main map_prefix "$SMAP_WAN_PREFIX"
	config_get_bool reg main registration 0
	config_get_bool from_prr main rules_from_prr 0
	SMAP_RULES=
	config_foreach smap_rule rule
	[ -z "$SMAP_RULES" ] && [ "$from_prr" = 0 ] || mapmode=1
	# the MAP address comes from the rule; else the WAN's own address
	[ -n "$addr" ] || [ "$mapmode" = 1 ] || addr=$SMAP_WAN_ADDR
	[ "$mapmode" = 0 ] || [ -n "$prefix" ] ||
		smap_err main.map_prefix "not given, and $wanif has no delegated prefix"

	{
		echo "# Written by /etc/init.d/smap from /etc/config/smap: edit that, not this."
		printf 'wan = { interface = %s;' "$(smap_str "$dev")"
		[ -z "$addr" ] || printf ' address = %s;' "$(smap_str "${addr%/*}")"
		echo ' };'
		config_get v main lan_device br-lan
		printf 'lan = { interface = %s;' "$(smap_str "$v")"
		config_get v main lan_prefix 192.168.1.0/24
		echo " prefix = $(smap_str "$v"); };"
		config_get v main prr
		[ -n "$v" ] || smap_err main.prr "missing (the PRR's softwire IPv6 address)"
		echo "prr = $(smap_str "$v");"
		echo "peers = $(smap_list main peer);"
		if [ "$mapmode" = 1 ]; then
			echo "map = {"
			echo "	prefix = $(smap_str "$prefix");"
			if [ "$from_prr" = 1 ]; then
				echo "	rules_from_prr = true;"
			else
				printf '\trules = (\n%s\n\t);\n' "$SMAP_RULES"
			fi
			echo "};"
		elif [ "$reg" = 0 ]; then
			config_get v main ipv4_address
			[ -z "$v" ] || echo "ipv4_address = $(smap_str "$v");"
			config_get v main ports
			[ -z "$v" ] || echo "ports = $(smap_str "$v");"
			for v in psid psid_length offset; do
				smap_num main "$v" && echo "$v = $SMAP_V;"
			done
		fi
		if [ "$reg" = 1 ]; then
			printf 'registration = {'
			config_get v main reg_server
			[ -z "$v" ] || printf ' server = %s;' "$(smap_str "$v")"
			smap_num main reg_lifetime && printf ' lifetime = %s;' "$SMAP_V"
			echo ' };'
		fi
		config_get v main tun smap0
		echo "tun = $(smap_str "$v");"
		config_get v main mtu auto
		case $v in
		auto) v='"auto"' ;;
		*[!0-9]*|'') smap_err main.mtu "'$v' is neither auto nor a number" ;;
		esac
		echo "mtu = { tun = $v; follow_ptb = $(smap_bool main follow_ptb 1); mss_clamp = $(smap_bool main mss_clamp 1); };"
		echo "default_route = $(smap_bool main default_route 1);"
		echo "ftp_alg = $(smap_bool main ftp_alg 1);"
		smap_num main hop_limit 64 && echo "hop_limit = $SMAP_V;"
		config_get v main control_socket /var/run/smap.sock
		echo "control_socket = $(smap_str "$v");"
		# least privilege: smap drops to this user once set up (the package makes it)
		config_get v main user ap-smap
		echo "user = $(smap_str "$v");"
		config_get v main seccomp errno
		echo "seccomp = $(smap_str "$v");"
		echo "pcp = {"
		echo "	enable = $(smap_bool pcp enable 0);"
		echo "	announce = $(smap_bool pcp announce 1);"
		for v in min_lifetime max_lifetime per_host_quota max_mappings; do
			smap_num pcp "$v" && echo "	$v = $SMAP_V;"
		done
		echo "	third_party = $(smap_list pcp third_party);"
		config_get v pcp state_file /var/lib/smap/mappings
		echo "	state_file = $(smap_str "$v");"
		echo "};"
		echo "upnp = {"
		echo "	enable = $(smap_bool upnp enable 0);"
		echo "	allow_other_hosts = $(smap_bool upnp allow_other_hosts 0);"
		for v in http_port version max_age; do
			smap_num upnp "$v" && echo "	$v = $SMAP_V;"
		done
		config_get v upnp friendly_name SMAP
		echo "	friendly_name = $(smap_str "$v");"
		config_get v upnp user smap-upnp
		echo "	user = $(smap_str "$v");"
		echo "};"
	} >"$out"
	return "$SMAP_ERR"
}
