#!/bin/bash
# SPDX-License-Identifier: MIT
# Least privilege (common/privdrop.c): the testbed's prr, smap1 and smap2
# run as ap-testbed (user = in etc/testbed/*.conf), every thread with
# only the capabilities its daemon keeps (prr/sandbox.c, smap/sandbox.c),
# no new privileges and a seccomp filter; the files they write after the
# drop are theirs, and a SIGHUP reload still works unprivileged.
. "$(dirname "$0")/lib.sh"

have_prr || { fail prr-running "the testbed's prr is not running"; exit 1; }
UID_TB=$(id -u ap-testbed) || { fail "user ap-testbed" "missing (scripts/testbed up makes it)"; exit 1; }

# CAP_NET_ADMIN (12), CAP_NET_RAW (13); prr with XDP also CAP_BPF (39)
# (smap: smap_caps below)
CAPS=0000000000003000
PRR_CAPS=$CAPS
case ${AP_PRR_FAST_PATH:-off} in xdp) PRR_CAPS=0000008000003000 ;; esac

field() { awk -v k="$2:" '$1 == k { $1 = ""; sub(/^ /, ""); print }' "$1/status"; }

# check_proc NAME PID CAPS: the process and each of its threads
check_proc() {
	local name=$1 pid=$2 caps=$3 t bad=""
	for t in /proc/"$pid"/task/*; do
		[ "$(field "$t" Uid)" = "$UID_TB $UID_TB $UID_TB $UID_TB" ] || bad+=" $t Uid=$(field "$t" Uid)"
		[ -z "$(field "$t" Groups)" ] || bad+=" $t Groups=$(field "$t" Groups)"
		for k in CapEff CapPrm CapBnd CapAmb; do
			[ "$(field "$t" $k)" = "$caps" ] || bad+=" $t $k=$(field "$t" $k)"
		done
		[ "$(field "$t" NoNewPrivs)" = 1 ] || bad+=" $t NoNewPrivs=$(field "$t" NoNewPrivs)"
		[ "$(field "$t" Seccomp)" = 2 ] || bad+=" $t Seccomp=$(field "$t" Seccomp)"
	done
	if [ -z "$bad" ]; then
		pass "$name runs as ap-testbed with caps $caps, no_new_privs, seccomp ($(ls /proc/"$pid"/task | wc -l) thread(s))"
	else
		fail "$name least privilege" "$(oneline "$bad")"
	fi
}

daemons=(prr)
for n in 1 2; do
	pid=$(cat "$RUN/smap$n.pid" 2>/dev/null) || continue
	[[ $(readlink "/proc/$pid/exe") == */smap ]] && daemons+=("smap$n")
done
# smap also keeps CAP_KILL, CAP_SETGID, CAP_SETUID (5-7) when it runs
# smap-upnp, and CAP_PERFMON, CAP_BPF (38, 39) unless fast_path is off
smap_caps() {
	local pid=$1 m=0x3000
	pgrep -P "$pid" -x smap-upnp >/dev/null && m=$((m | 0xe0))
	[ "${AP_SMAP_FAST_PATH:-auto}" = off ] || m=$((m | 0xc000000000))
	printf '%016x' "$m"
}
for d in "${daemons[@]}"; do
	pid=$(cat "$RUN/$d.pid")
	if [ "$d" = prr ]; then caps=$PRR_CAPS; else caps=$(smap_caps "$pid"); fi
	check_proc "$d" "$pid" "$caps"
done
if [ ${#daemons[@]} = 3 ]; then
	# written after the drop: the SMAP's mappings state file
	own=$(stat -c '%U %a' "$RUN/smap1.mappings" 2>&1)
	[ "$own" = "ap-testbed 600" ] && pass "smap1's state file is ap-testbed's, 0600" ||
		fail "smap1's state file is ap-testbed's, 0600" "$own"
else
	skip "smap least privilege" "the testbed runs the SMAP stand-in"
fi

# the control sockets were made as root, before the drop, and serve
check "prrctl reaches the dropped prr" "${AP_BIN:-$ROOT/build/bin}/prrctl" -s "$PRR_SOCK" list

# SIGHUP: the config read again and the rules checked, as ap-testbed
reloads() { grep -c 'reloaded: ' "$RUN/prr.log" || true; }
before=$(reloads)
kill -HUP "$(cat "$RUN/prr.pid")"
if wait_ge -t 10 $((before + 1)) reloads && have_prr; then
	pass "prr reloads after the drop"
else
	fail "prr reloads after the drop" "$(tail -n 3 "$RUN/prr.log" | oneline)"
fi
check_proc "prr after the reload" "$(cat "$RUN/prr.pid")" "$PRR_CAPS"
