# SPDX-License-Identifier: MIT
# Stand-in for OpenWrt's /lib/functions.sh (tests/openwrt-check): the UCI
# part the smap scripts use, read straight from $UCI_CONFIG_DIR/NAME in
# UCI's file syntax (config TYPE 'NAME' / option K 'V' / list K 'V'), into
# the same CONFIG_* variables as the real one. Anonymous sections are
# named cfgN.

config_load() {
	local file="${UCI_CONFIG_DIR:-/etc/config}/$1" kw a rest sec= n=0
	CONFIG_SECTIONS=
	[ -r "$file" ] || return 1
	while read -r kw a rest; do
		case $kw in
		config)
			n=$((n + 1))
			sec=${rest#\'}; sec=${sec%\'}; sec=${sec#\"}; sec=${sec%\"}
			[ -n "$sec" ] || sec=cfg$n
			CONFIG_SECTIONS="$CONFIG_SECTIONS $sec"
			eval "CONFIG_${sec}_TYPE=\$a" ;;
		option)
			rest=${rest#\'}; rest=${rest%\'}; rest=${rest#\"}; rest=${rest%\"}
			eval "CONFIG_${sec}_${a}=\$rest" ;;
		list)
			rest=${rest#\'}; rest=${rest%\'}; rest=${rest#\"}; rest=${rest%\"}
			eval "_l=\${CONFIG_${sec}_${a}_LENGTH:-0}"
			_l=$((_l + 1))
			eval "CONFIG_${sec}_${a}_LENGTH=\$_l; CONFIG_${sec}_${a}_ITEM\$_l=\$rest" ;;
		esac
	done <"$file"
}

config_get() {	# config_get VAR SECTION OPTION [DEFAULT]
	eval "_v=\${CONFIG_${2}_${3}-}"
	[ -n "$_v" ] || _v=$4
	eval "$1=\$_v"
}

config_get_bool() {
	local _b
	config_get _b "$2" "$3" "$4"
	case $_b in 1|on|true|yes|enabled) _b=1 ;; 0|off|false|no|disabled) _b=0 ;; *) _b=$4 ;; esac
	eval "$1=\$_b"
}

config_foreach() {	# config_foreach FUNC TYPE
	local _f=$1 _t=$2 _s _st
	for _s in $CONFIG_SECTIONS; do
		eval "_st=\$CONFIG_${_s}_TYPE"
		[ "$_st" = "$_t" ] && "$_f" "$_s"
	done
	return 0
}

config_list_foreach() {	# config_list_foreach SECTION OPTION FUNC
	local _n _i=1 _item
	eval "_n=\${CONFIG_${1}_${2}_LENGTH:-0}"
	while [ "$_i" -le "$_n" ]; do
		eval "_item=\$CONFIG_${1}_${2}_ITEM$_i"
		"$3" "$_item"
		_i=$((_i + 1))
	done
}
